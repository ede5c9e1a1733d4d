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

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::analysis::closed_loop::{tracked_items, ItemState};
use crate::config::{AlertSettings, Config};
use crate::mail::{send_email, send_webhook, NetLimits};
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

impl AlertRun {
    /// One line about the run, for `csat ingest`, the logs and `csat status`.
    pub fn one_line(&self) -> String {
        let mut line = format!(
            "alerts: {} raised, {} deliveries",
            self.raised.len(),
            self.delivered
        );
        if self.digests > 0 {
            line.push_str(&format!(" ({} as digests)", self.digests));
        }
        if !self.failed.is_empty() {
            line.push_str(&format!(
                ", {} failed (retried later): {}",
                self.failed.len(),
                self.failed.join("; ")
            ));
        }
        if self.waiting > 0 {
            line.push_str(&format!(", {} waiting to be retried", self.waiting));
        }
        if !self.given_up.is_empty() {
            line.push_str(&format!(", given up: {}", self.given_up.join("; ")));
        }
        line
    }
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

/// Where an alert goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// E-mail to `[alerts] recipients` through `[alerts.smtp]`.
    Email,
    /// A group robot's webhook (`[alerts] webhooks`).
    Webhook,
}

impl Channel {
    /// The channel's name, as recorded with each delivery attempt.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Webhook => "webhook",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of `alert_candidates.sql`, by its column names.
struct Candidate {
    kind: String,
    item: String,
    on_day: String,
    customer: String,
    category: String,
    department: String,
    /// The free text (a complaint's description, an answer): personal data
    /// in it is masked; ids and dates stay readable, so recipients know
    /// which item it is.
    detail: String,
    state: String,
}

impl Candidate {
    /// Reads a row of `alert_candidates.sql` by column name.
    fn read(row: &crate::store::Row) -> Result<Candidate, StoreError> {
        Ok(Candidate {
            kind: row.text("kind")?,
            item: row.text("item")?,
            on_day: row.text("on_day")?,
            customer: row.text("customer")?,
            category: row.text("category")?,
            department: row.text("department")?,
            detail: crate::report::mask::mask_personal(&row.text("detail")?),
            state: row.text("state")?,
        })
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
        let candidate = Candidate::read(&row)?;
        let department = if candidate.department.is_empty() {
            "未指定".to_string()
        } else {
            candidate
                .department
                .split('、')
                .map(|key| {
                    crate::analysis::group_name(config, crate::analysis::GroupKind::Department, key)
                })
                .collect::<Vec<_>>()
                .join("、")
        };
        let Candidate {
            kind,
            item,
            on_day,
            customer,
            category,
            detail,
            state,
            ..
        } = candidate;
        let (subject, body) = if kind == "complaint-severity-1" {
            let id = item.trim_start_matches("complaint:");
            (
                format!("【一级投诉】{id} {category}"),
                format!(
                    "一级（重大）投诉 {id}，受理日期 {on_day}，客户 {customer}，类别 {category}，责任部门 {department}。\n描述：{detail}\n状态：{}",
                    state.trim_end_matches('|')
                ),
            )
        } else {
            (
                format!("【A级客户很不满意】客户 {customer}"),
                format!(
                    "A 级客户 {customer} 于 {on_day} 给出很不满意的评价（{detail}），责任部门 {department}。"
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
    let mut targets: Vec<(Channel, String)> = Vec::new();
    if settings.smtp.is_some() && !settings.recipients.is_empty() {
        targets.push((Channel::Email, settings.recipients.join(",")));
    }
    targets.extend(
        settings
            .webhooks
            .iter()
            .map(|w| (Channel::Webhook, w.clone())),
    );
    let mut raised_keys = std::collections::BTreeSet::new();
    for &(channel, ref target) in &targets {
        // What is due for this target now, with the number of its attempt.
        let mut due: Vec<(&Alert, i64)> = Vec::new();
        for alert in alerts {
            let tried =
                store.alert_attempts(&alert.key, &alert.fingerprint, channel.as_str(), target)?;
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
                    let sent = match (channel, settings.smtp.as_ref()) {
                        (Channel::Email, Some(smtp)) => {
                            send_email(smtp, &settings.recipients, &subject, &body, None, limits)
                        }
                        (Channel::Email, None) => Err(crate::mail::SendError::Refused(
                            "no [alerts.smtp] configured".to_string(),
                        )),
                        (Channel::Webhook, _) => send_webhook(target, &subject, &body, limits),
                    };
                    sent.map_err(|error| {
                        // A server's refusal may quote the recipient's address.
                        let masked = crate::report::mask::mask_personal(&error.to_string());
                        if error.is_unreachable() {
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
                    tracing::warn!(alert = %what, %channel, error = %error, "alert not delivered");
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
                        %channel,
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
                    channel.as_str(),
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

#[cfg(test)]
mod tests {
    use super::*;

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
