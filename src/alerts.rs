//! Escalation (升级与告警): a severity-1 complaint, a very dissatisfied
//! answer from an A-grade customer, or an item overdue past the configured
//! limit raises an alert at once — the next inbox run — by e-mail (SMTP,
//! lettre) and by chat webhook (企业微信/钉钉 group robot: a JSON text message
//! POSTed with ureq). Each alert is sent once per channel and recipient,
//! recorded, and sent again only when what it says changes (its
//! fingerprint).
//!
//! Every network call has limits (`[alerts] connect_timeout_seconds`,
//! `timeout_seconds`): a server that accepts and never answers costs one
//! timeout, and the rest of the run's messages to that target are not tried.
//! A group robot's JSON answer is read: HTTP 200 with `{"errcode":N}`, N ≠ 0
//! (rate limit, bad key), is a failure. A failed delivery is retried with a
//! doubling wait (`retry_minutes`) up to `max_attempts`, then given up with
//! an error in the log. More than `digest_over` alerts due for one target in
//! one run go out as one digest; each alert is still recorded as delivered.

use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::analysis::closed_loop::{tracked_items, ItemState};
use crate::config::{AlertSettings, Config, SmtpSecurity, SmtpSettings};
use crate::store::{Param, Store, StoreError};

/// Days back an alert source is looked at (older events were either alerted
/// or predate csat).
const LOOKBACK_DAYS: i64 = 30;

/// One alert (a record type owned by the store, which writes it).
pub use crate::store::Alert;

/// What one run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AlertRun {
    /// Alerts raised now (new or changed, or due for a retry).
    pub raised: Vec<Alert>,
    /// Messages that went out (a digest counts once).
    pub delivered: usize,
    /// Of those, digests.
    pub digests: usize,
    /// Messages that failed (retried later), with the error.
    pub failed: Vec<String>,
    /// Alert deliveries waiting for their next attempt.
    pub waiting: usize,
    /// Alert deliveries given up after the last attempt.
    pub given_up: Vec<String>,
}

/// The longest wait between two attempts to deliver an alert.
const MAX_RETRY_WAIT_MINUTES: u64 = 6 * 60;

/// The wait after the `failures`-th failed attempt: `retry_minutes`,
/// doubled after each further failure, at most six hours.
pub fn retry_wait(settings: &AlertSettings, failures: i64) -> chrono::Duration {
    let doublings = u32::try_from(failures.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
    let minutes = settings
        .retry_minutes
        .saturating_mul(1 << doublings)
        .min(MAX_RETRY_WAIT_MINUTES);
    chrono::Duration::minutes(i64::try_from(minutes).unwrap_or(360))
}

/// The limits of one network call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetLimits {
    /// To connect (SMTP: also to each of the server's replies).
    pub connect: Duration,
    /// For the whole call.
    pub total: Duration,
}

impl NetLimits {
    /// The limits configured in `[alerts]`.
    pub fn of(settings: &AlertSettings) -> NetLimits {
        NetLimits {
            connect: Duration::from_secs(settings.connect_timeout_seconds.max(1)),
            total: Duration::from_secs(settings.timeout_seconds.max(1)),
        }
    }
}

/// A message that did not get through.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    /// What happened, for the record and the log.
    pub message: String,
    /// The server could not be reached or did not answer in time: later
    /// messages to it in the same run are not tried.
    pub unreachable: bool,
}

impl SendError {
    fn refused(message: impl Into<String>) -> SendError {
        SendError {
            message: message.into(),
            unreachable: false,
        }
    }

    fn unreachable(message: impl Into<String>) -> SendError {
        SendError {
            message: message.into(),
            unreachable: true,
        }
    }
}

/// Everything that should be alerted as of `today`, whether sent or not.
///
/// # Errors
/// A query fails.
pub fn evaluate(
    store: &Store,
    config: &Config,
    today: NaiveDate,
) -> Result<Vec<Alert>, StoreError> {
    let mut alerts = Vec::new();
    for row in store.query(
        "alert_candidates",
        crate::analysis::sql("alert_candidates"),
        &[Param::Date(today), Param::Int(LOOKBACK_DAYS)],
    )? {
        // Personal data in the free text (descriptions, answers) is masked;
        // ids and dates stay readable, so recipients know which item it is.
        let text = |i: usize| {
            let value = row[i].as_text().unwrap_or_default();
            if i == 6 {
                crate::report::mask::mask_personal(&value)
            } else {
                value
            }
        };
        let (kind, item) = (text(0), text(1));
        let department = if text(5).is_empty() {
            "未指定".to_string()
        } else {
            text(5)
                .split('、')
                .map(|key| crate::analysis::group_name(config, crate::analysis::GroupKind::Department, key))
                .collect::<Vec<_>>()
                .join("、")
        };
        let (subject, body) = if kind == "complaint-severity-1" {
            let id = item.trim_start_matches("complaint:");
            (
                format!("【一级投诉】{id} {}", text(4)),
                format!(
                    "一级（重大）投诉 {id}，受理日期 {}，客户 {}，类别 {}，责任部门 {}。\n描述：{}\n状态：{}",
                    text(2),
                    text(3),
                    text(4),
                    department,
                    text(6),
                    text(7).trim_end_matches('|')
                ),
            )
        } else {
            (
                format!("【A级客户很不满意】客户 {}", text(3)),
                format!(
                    "A 级客户 {} 于 {} 给出很不满意的评价（{}），责任部门 {}。",
                    text(3),
                    text(2),
                    text(6),
                    department
                ),
            )
        };
        alerts.push(alert(&kind, &item, subject, body));
    }
    let limit = config.deadlines.escalate_overdue_working_days;
    for item in tracked_items(store, config, today)? {
        let Some(days_left) = item.days_left else {
            continue;
        };
        if item.state != ItemState::Open || -days_left < limit {
            continue;
        }
        let what = if item.kind == crate::analysis::ItemKind::Complaint {
            "投诉"
        } else {
            "提案"
        };
        // The fingerprint leaves out the count of days, so the alert is not
        // re-sent every day the item stays overdue.
        let subject = format!("【超期】{what} {} 已超过答复期限", item.item_id);
        let body = format!(
            "{what} {}（{}）受理于 {}，应于 {} 前答复，责任部门 {}{}，已超期。",
            item.item_id,
            item.category,
            item.received_on,
            item.due_on,
            item.department,
            if item.owner.is_empty() {
                String::new()
            } else {
                format!("（{}）", item.owner)
            }
        );
        alerts.push(alert(
            "overdue",
            &format!("{}:{}", item.kind, item.item_id),
            subject,
            body,
        ));
    }
    Ok(alerts)
}

/// An alert with its key and fingerprint.
pub fn alert(kind: &str, item: &str, subject: String, body: String) -> Alert {
    Alert {
        key: format!("{kind}/{item}"),
        kind: kind.to_string(),
        fingerprint: crate::inbox::content_hash(format!("{subject}\n{body}").as_bytes()),
        subject,
        body,
    }
}

/// Evaluates the alerts as of `today` and sends what is new or changed to
/// every configured channel; `now` is recorded with each delivery.
///
/// # Errors
/// A query or the recording fails (delivery failures are reported in the
/// result and retried later).
pub fn run(
    store: &mut Store,
    config: &Config,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<AlertRun, StoreError> {
    store.sync_config(config, &[])?;
    let alerts = evaluate(store, config, today)?;
    send(store, config, &alerts, now)
}

/// Sends each alert to every configured channel that has not had it yet
/// with this fingerprint and whose next attempt is due at `now`; more than
/// `digest_over` due for one target go as one digest. Records every
/// attempt at `now`, for each alert it carried.
///
/// # Errors
/// Recording fails (delivery failures are in the result).
pub fn send(
    store: &mut Store,
    config: &Config,
    alerts: &[Alert],
    now: NaiveDateTime,
) -> Result<AlertRun, StoreError> {
    let settings = &config.alerts;
    let limits = NetLimits::of(settings);
    let max_attempts = i64::from(settings.max_attempts.max(1));
    let mut run = AlertRun::default();
    let mut targets: Vec<(&str, String)> = Vec::new();
    if settings.smtp.is_some() && !settings.recipients.is_empty() {
        targets.push(("email", settings.recipients.join(",")));
    }
    targets.extend(settings.webhooks.iter().map(|w| ("webhook", w.clone())));
    let mut raised_keys = std::collections::BTreeSet::new();
    for (channel, target) in &targets {
        // What is due for this target now, with the number of its attempt.
        let mut due: Vec<(&Alert, i64)> = Vec::new();
        for alert in alerts {
            let tried = store.alert_attempts(&alert.key, &alert.fingerprint, channel, target)?;
            if tried.delivered || tried.failures >= max_attempts {
                continue;
            }
            if let Some(last) = tried.last_failure {
                if now < last + retry_wait(settings, tried.failures) {
                    run.waiting += 1;
                    continue;
                }
            }
            due.push((alert, tried.failures + 1));
        }
        if due.is_empty() {
            continue;
        }
        raised_keys.extend(due.iter().map(|(alert, _)| alert.key.clone()));
        let messages: Vec<(String, String, Vec<(&Alert, i64)>)> =
            if due.len() > settings.digest_over {
                let (subject, body) = digest(&due, settings.digest_over);
                vec![(subject, body, due)]
            } else {
                due.into_iter()
                    .map(|(alert, attempt)| {
                        (
                            alert.subject.clone(),
                            alert.body.clone(),
                            vec![(alert, attempt)],
                        )
                    })
                    .collect()
            };
        // A target that did not answer is not tried again in this run: one
        // timeout per target, whatever the number of messages.
        let mut unreachable: Option<String> = None;
        for (subject, body, carried) in messages {
            let result = match unreachable.clone() {
                Some(error) => Err(format!("not tried after an earlier failure: {error}")),
                None => {
                    let sent = match *channel {
                        "email" => send_email(
                            settings.smtp.as_ref().expect("checked above"),
                            &settings.recipients,
                            &subject,
                            &body,
                            limits,
                        ),
                        _ => send_webhook(target, &subject, &body, limits),
                    };
                    sent.map_err(|error| {
                        // A server's refusal may quote the recipient's address.
                        let masked = crate::report::mask::mask_personal(&error.message);
                        if error.unreachable {
                            unreachable = Some(masked.clone());
                        }
                        masked
                    })
                }
            };
            let what = if carried.len() > 1 {
                format!("digest of {} alerts", carried.len())
            } else {
                carried[0].0.key.clone()
            };
            match &result {
                Ok(()) => {
                    run.delivered += 1;
                    if carried.len() > 1 {
                        run.digests += 1;
                    }
                }
                Err(error) => {
                    tracing::warn!(alert = %what, channel, error = %error, "alert not delivered");
                    run.failed.push(format!("{what} → {channel}: {error}"));
                }
            }
            for (alert, attempt) in carried {
                let error = result.as_ref().err();
                let next_attempt_at = match error {
                    Some(_) if attempt < max_attempts => Some(now + retry_wait(settings, attempt)),
                    _ => None,
                };
                if let (Some(error), None) = (error, next_attempt_at) {
                    tracing::error!(
                        alert = %alert.key,
                        channel,
                        attempts = attempt,
                        error = %error,
                        "alert given up: not delivered after the last attempt"
                    );
                    run.given_up.push(format!(
                        "{} → {channel} after {attempt} attempts",
                        alert.key
                    ));
                }
                store.record_alert_delivery(
                    alert,
                    channel,
                    target,
                    now,
                    error.map(String::as_str),
                    attempt,
                    next_attempt_at,
                )?;
            }
        }
    }
    run.raised = alerts
        .iter()
        .filter(|alert| raised_keys.contains(&alert.key))
        .cloned()
        .collect();
    Ok(run)
}

/// What a kind of alert is called in a digest.
fn kind_label(kind: &str) -> &str {
    match kind {
        "complaint-severity-1" => "一级投诉",
        "a-grade-very-dissatisfied" => "A级客户很不满意",
        "overdue" => "超期未答复",
        "deadline" => "月报期限",
        "job-given-up" => "任务未完成",
        other => other,
    }
}

/// One message for many alerts: how many of each kind, then the first
/// `listed` subjects; masked.
pub fn digest(due: &[(&Alert, i64)], listed: usize) -> (String, String) {
    let mut by_kind: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for (alert, _) in due {
        *by_kind.entry(alert.kind.as_str()).or_default() += 1;
    }
    let counts: Vec<String> = by_kind
        .iter()
        .map(|(kind, n)| format!("{} {n} 条", kind_label(kind)))
        .collect();
    let subject = format!("【告警汇总】本次 {} 条告警", due.len());
    let mut body = format!("本次共 {} 条告警：{}。\n", due.len(), counts.join("，"));
    body.push_str(&format!("前 {} 条：\n", listed.min(due.len())));
    for (i, (alert, _)) in due.iter().take(listed).enumerate() {
        body.push_str(&format!("{}. {}\n", i + 1, alert.subject));
    }
    if due.len() > listed {
        body.push_str(&format!(
            "其余 {} 条已记录在 csat 的告警记录中（alerts 表）。",
            due.len() - listed
        ));
    }
    (
        crate::report::mask::mask_personal(&subject),
        crate::report::mask::mask_personal(body.trim_end()),
    )
}

/// Runs `call` on its own thread and waits at most `total` for it: the
/// overall bound of a call whose library only limits each read (lettre).
/// A call still running then is left to its own per-read timeout.
pub(crate) fn within<T: Send + 'static>(
    total: Duration,
    call: impl FnOnce() -> Result<T, SendError> + Send + 'static,
) -> Result<T, SendError> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("csat-network".to_string())
        .spawn(move || {
            let _ = sender.send(call());
        })
        .map_err(|e| SendError::unreachable(format!("cannot start the call: {e}")))?;
    match receiver.recv_timeout(total) {
        Ok(result) => result,
        Err(_) => Err(SendError::unreachable(format!(
            "no answer within {} s",
            total.as_secs()
        ))),
    }
}

/// A lettre failure: the server's refusal, or no server to talk to.
pub fn smtp_error(error: &lettre::transport::smtp::Error) -> SendError {
    if error.is_response() {
        SendError::refused(error.to_string())
    } else if error.is_timeout() {
        SendError::unreachable(format!("the mail server did not answer in time: {error}"))
    } else {
        SendError::unreachable(error.to_string())
    }
}

/// Sends one message to `recipients` through the configured server.
///
/// # Errors
/// Bad addresses, connection, TLS, authentication, the server refusing, or
/// no answer within the limits.
pub fn send_email(
    smtp: &SmtpSettings,
    recipients: &[String],
    subject: &str,
    body: &str,
    limits: NetLimits,
) -> Result<(), SendError> {
    use lettre::message::header::ContentType;
    use lettre::{Message, Transport};
    let mut message = Message::builder()
        .from(
            smtp.from
                .parse()
                .map_err(|e| SendError::refused(format!("sender '{}': {e}", smtp.from)))?,
        )
        .subject(subject)
        .header(ContentType::TEXT_PLAIN);
    for recipient in recipients {
        message = message.to(recipient
            .parse()
            .map_err(|e| SendError::refused(format!("recipient '{recipient}': {e}")))?);
    }
    let message = message
        .body(body.to_string())
        .map_err(|e| SendError::refused(e.to_string()))?;
    let mailer = mailer(smtp, limits)?;
    within(limits.total, move || {
        mailer
            .send(&message)
            .map(|_| ())
            .map_err(|e| smtp_error(&e))
    })
}

/// An SMTP transport for the settings (also used to deliver reports):
/// connecting and each reply of the server within `limits.connect`.
///
/// # Errors
/// TLS cannot be set up, or the password's environment variable is unset.
pub fn mailer(smtp: &SmtpSettings, limits: NetLimits) -> Result<lettre::SmtpTransport, SendError> {
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::SmtpTransport;
    let builder = match smtp.security {
        SmtpSecurity::None => SmtpTransport::builder_dangerous(&smtp.host),
        SmtpSecurity::Starttls => SmtpTransport::starttls_relay(&smtp.host)
            .map_err(|e| SendError::refused(e.to_string()))?,
        SmtpSecurity::Tls => {
            SmtpTransport::relay(&smtp.host).map_err(|e| SendError::refused(e.to_string()))?
        }
    };
    let mut builder = builder.port(smtp.port).timeout(Some(limits.connect));
    if let Some(username) = &smtp.username {
        let variable = smtp.password_env.as_deref().unwrap_or("CSAT_SMTP_PASSWORD");
        let password = std::env::var(variable).map_err(|_| {
            SendError::refused(format!(
                "the SMTP password is read from ${variable}, which is not set"
            ))
        })?;
        builder = builder.credentials(Credentials::new(username.clone(), password));
    }
    Ok(builder.build())
}

/// The longest text sent to a group robot (企业微信 accepts 2,048 bytes).
const MAX_WEBHOOK_TEXT_BYTES: usize = 2000;

/// The longest answer read from a webhook.
const MAX_WEBHOOK_ANSWER_BYTES: u64 = 64 * 1024;

/// POSTs a group-robot text message (`{"msgtype":"text","text":{"content":…}}`,
/// the format of 企业微信 and 钉钉) to `url`, the text cut to 2,000 bytes,
/// and reads the answer: an HTTP error status, or HTTP 200 with a JSON
/// `errcode` other than 0, is a failure.
///
/// # Errors
/// Connection failure, no answer within the limits, an HTTP error status or
/// a robot's `errcode`.
pub fn send_webhook(
    url: &str,
    subject: &str,
    body: &str,
    limits: NetLimits,
) -> Result<(), SendError> {
    let mut content = format!("{subject}\n{body}");
    if content.len() > MAX_WEBHOOK_TEXT_BYTES {
        let mut end = MAX_WEBHOOK_TEXT_BYTES - "…".len();
        while !content.is_char_boundary(end) {
            end -= 1;
        }
        content.truncate(end);
        content.push('…');
    }
    let payload = serde_json::json!({
        "msgtype": "text",
        "text": { "content": content },
    });
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(limits.connect))
        .timeout_global(Some(limits.total))
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .post(url)
        .header("Content-Type", "application/json")
        .send(payload.to_string())
        .map_err(|e| webhook_error(&e, limits))?;
    let status = response.status();
    let answer = response
        .body_mut()
        .with_config()
        .limit(MAX_WEBHOOK_ANSWER_BYTES)
        .read_to_string()
        .map_err(|e| webhook_error(&e, limits))?;
    check_robot_answer(status.as_u16(), &answer)
}

/// A ureq failure: timeouts and connection failures make the target
/// unreachable for the rest of the run.
fn webhook_error(error: &ureq::Error, limits: NetLimits) -> SendError {
    match error {
        ureq::Error::Timeout(_) => SendError::unreachable(format!(
            "no answer within {} s ({error})",
            limits.total.as_secs()
        )),
        ureq::Error::Io(_) | ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => {
            SendError::unreachable(error.to_string())
        }
        _ => SendError::refused(error.to_string()),
    }
}

/// Whether a group robot took the message: HTTP 2xx and, when the answer
/// is JSON with an `errcode` (企业微信, 钉钉), errcode 0.
///
/// # Errors
/// The status or the errcode says it did not.
pub fn check_robot_answer(status: u16, answer: &str) -> Result<(), SendError> {
    let short: String = answer.chars().take(200).collect();
    if !(200..300).contains(&status) {
        return Err(SendError::refused(format!("HTTP {status}: {short}")));
    }
    let Ok(json) = serde_json::from_str::<serde_json::Value>(answer) else {
        return Ok(());
    };
    match json.get("errcode").and_then(serde_json::Value::as_i64) {
        None | Some(0) => Ok(()),
        Some(code) => Err(SendError::refused(format!(
            "the robot answered errcode {code}: {}",
            json.get("errmsg")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("")
                .chars()
                .take(200)
                .collect::<String>()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robot_answers_are_checked() {
        assert!(check_robot_answer(200, r#"{"errcode":0,"errmsg":"ok"}"#).is_ok());
        assert!(check_robot_answer(200, "ok").is_ok());
        let error =
            check_robot_answer(200, r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#)
                .unwrap_err();
        assert_eq!(
            error.message,
            "the robot answered errcode 45009: api freq out of limit"
        );
        assert!(!error.unreachable);
        let error = check_robot_answer(502, "bad gateway").unwrap_err();
        assert_eq!(error.message, "HTTP 502: bad gateway");
    }

    #[test]
    fn a_mail_server_that_never_greets_fails_within_the_limits() {
        // A real listener that accepts and never says a word.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let holder = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            std::thread::sleep(Duration::from_secs(5));
            drop(stream);
        });
        let smtp = SmtpSettings {
            host: "127.0.0.1".into(),
            port,
            security: SmtpSecurity::None,
            from: "csat@example.com".into(),
            username: None,
            password_env: None,
        };
        let limits = NetLimits {
            connect: Duration::from_secs(1),
            total: Duration::from_secs(2),
        };
        let started = std::time::Instant::now();
        let error = send_email(&smtp, &["a@example.com".into()], "s", "b", limits).unwrap_err();
        let took = started.elapsed();
        assert!(error.unreachable, "{error}");
        // The greeting's read times out after 1 s (or the whole after 2 s).
        assert!(
            took >= Duration::from_secs(1) && took < Duration::from_secs(4),
            "{took:?}"
        );
        holder.join().unwrap();
    }

    #[test]
    fn the_retry_wait_doubles_up_to_six_hours() {
        let settings = AlertSettings::default();
        let minutes: Vec<i64> = (1..=9)
            .map(|n| retry_wait(&settings, n).num_minutes())
            .collect();
        assert_eq!(minutes, vec![5, 10, 20, 40, 80, 160, 320, 360, 360]);
        assert_eq!(retry_wait(&settings, i64::MAX).num_minutes(), 360);
    }

    #[test]
    fn a_digest_counts_by_kind_and_lists_the_first_ones_masked() {
        let alerts: Vec<Alert> = (0..25)
            .map(|i| {
                let kind = if i % 5 == 0 {
                    "overdue"
                } else {
                    "complaint-severity-1"
                };
                alert(
                    kind,
                    &format!("complaint:K-{i}"),
                    format!("【一级投诉】K-{i} 客户 1381234{i:04}"),
                    String::new(),
                )
            })
            .collect();
        let due: Vec<(&Alert, i64)> = alerts.iter().map(|a| (a, 1)).collect();
        let (subject, body) = digest(&due, 10);
        assert_eq!(subject, "【告警汇总】本次 25 条告警");
        // 0, 5, 10, 15, 20 are overdue: 5; the other 20 severity 1.
        assert!(
            body.starts_with(
                "本次共 25 条告警：一级投诉 20 条，超期未答复 5 条。\n前 10 条：\n1. "
            ),
            "{body}"
        );
        assert_eq!(
            body.lines().filter(|l| l.contains("【一级投诉】")).count(),
            10
        );
        assert!(
            body.contains("10. 【一级投诉】K-9 客户 138****0009"),
            "{body}"
        );
        assert!(!body.contains("K-10 "), "{body}");
        assert!(body.ends_with("其余 15 条已记录在 csat 的告警记录中（alerts 表）。"));
    }
}
