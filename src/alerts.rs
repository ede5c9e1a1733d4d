//! Escalation (升级与告警): a severity-1 complaint, a very dissatisfied
//! answer from an A-grade customer, or an item overdue past the configured
//! limit raises an alert at once — the next inbox run — by e-mail (SMTP,
//! lettre) and by chat webhook (企业微信/钉钉 group robot: a JSON text message
//! POSTed with ureq). Each alert is sent once per channel and recipient,
//! recorded, and sent again only when what it says changes (its
//! fingerprint). A failed delivery is retried at the next run.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::analysis::closed_loop::{tracked_items, ItemState};
use crate::config::{Config, SmtpSecurity, SmtpSettings};
use crate::store::{Param, Store, StoreError};

/// Days back an alert source is looked at (older events were either alerted
/// or predate csat).
const LOOKBACK_DAYS: i64 = 30;

/// One alert.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Alert {
    /// Stable key: kind and item.
    pub key: String,
    /// `complaint-severity-1`, `a-grade-very-dissatisfied`, `overdue`.
    pub kind: String,
    /// Hash of what it says: a change re-sends it.
    pub fingerprint: String,
    /// Subject line.
    pub subject: String,
    /// Text.
    pub body: String,
}

/// What one run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AlertRun {
    /// Alerts raised now (new or changed).
    pub raised: Vec<Alert>,
    /// Deliveries that worked.
    pub delivered: usize,
    /// Deliveries that failed (retried next run), with the error.
    pub failed: Vec<String>,
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
                .map(|key| crate::analysis::group_name(config, "department", key))
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
        let what = if item.kind == "complaint" {
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
/// result and retried at the next run).
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
/// with this fingerprint; records every attempt at `now`.
///
/// # Errors
/// Recording fails (delivery failures are in the result).
pub fn send(
    store: &mut Store,
    config: &Config,
    alerts: &[Alert],
    now: NaiveDateTime,
) -> Result<AlertRun, StoreError> {
    let mut run = AlertRun::default();
    let mut targets: Vec<(&str, String)> = Vec::new();
    if config.alerts.smtp.is_some() && !config.alerts.recipients.is_empty() {
        targets.push(("email", config.alerts.recipients.join(",")));
    }
    targets.extend(
        config
            .alerts
            .webhooks
            .iter()
            .map(|w| ("webhook", w.clone())),
    );
    for alert in alerts {
        let mut raised = false;
        for (channel, target) in &targets {
            if store.alert_delivered(&alert.key, &alert.fingerprint, channel, target)? {
                continue;
            }
            raised = true;
            let result = match *channel {
                "email" => send_email(
                    config.alerts.smtp.as_ref().expect("checked above"),
                    &config.alerts.recipients,
                    &alert.subject,
                    &alert.body,
                ),
                _ => send_webhook(target, &alert.subject, &alert.body),
            };
            match &result {
                Ok(()) => run.delivered += 1,
                Err(error) => {
                    // A server's refusal may quote the recipient's address.
                    let error = crate::report::mask::mask_personal(error);
                    tracing::warn!(alert = %alert.key, channel, error = %error, "alert not delivered");
                    run.failed
                        .push(format!("{} → {channel}: {error}", alert.key));
                }
            }
            store.record_alert_delivery(alert, channel, target, now, result.err().as_deref())?;
        }
        if raised {
            run.raised.push(alert.clone());
        }
    }
    Ok(run)
}

/// Sends one message to `recipients` through the configured server.
///
/// # Errors
/// Bad addresses, connection, TLS, authentication or the server refusing.
pub fn send_email(
    smtp: &SmtpSettings,
    recipients: &[String],
    subject: &str,
    body: &str,
) -> Result<(), String> {
    use lettre::message::header::ContentType;
    use lettre::{Message, Transport};
    let mut message = Message::builder()
        .from(
            smtp.from
                .parse()
                .map_err(|e| format!("sender '{}': {e}", smtp.from))?,
        )
        .subject(subject)
        .header(ContentType::TEXT_PLAIN);
    for recipient in recipients {
        message = message.to(recipient
            .parse()
            .map_err(|e| format!("recipient '{recipient}': {e}"))?);
    }
    let message = message.body(body.to_string()).map_err(|e| e.to_string())?;
    mailer(smtp)?
        .send(&message)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// An SMTP transport for the settings (also used to deliver reports).
///
/// # Errors
/// TLS cannot be set up, or the password's environment variable is unset.
pub fn mailer(smtp: &SmtpSettings) -> Result<lettre::SmtpTransport, String> {
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::SmtpTransport;
    let builder = match smtp.security {
        SmtpSecurity::None => SmtpTransport::builder_dangerous(&smtp.host),
        SmtpSecurity::Starttls => {
            SmtpTransport::starttls_relay(&smtp.host).map_err(|e| e.to_string())?
        }
        SmtpSecurity::Tls => SmtpTransport::relay(&smtp.host).map_err(|e| e.to_string())?,
    };
    let mut builder = builder
        .port(smtp.port)
        .timeout(Some(std::time::Duration::from_secs(30)));
    if let Some(username) = &smtp.username {
        let variable = smtp.password_env.as_deref().unwrap_or("CSAT_SMTP_PASSWORD");
        let password = std::env::var(variable)
            .map_err(|_| format!("the SMTP password is read from ${variable}, which is not set"))?;
        builder = builder.credentials(Credentials::new(username.clone(), password));
    }
    Ok(builder.build())
}

/// POSTs a group-robot text message (`{"msgtype":"text","text":{"content":…}}`,
/// the format of 企业微信 and 钉钉) to `url`.
///
/// # Errors
/// Connection failure or an HTTP error status.
pub fn send_webhook(url: &str, subject: &str, body: &str) -> Result<(), String> {
    let payload = serde_json::json!({
        "msgtype": "text",
        "text": { "content": format!("{subject}\n{body}") },
    });
    ureq::post(url)
        .header("Content-Type", "application/json")
        .send(payload.to_string())
        .map(|_| ())
        .map_err(|e| e.to_string())
}
