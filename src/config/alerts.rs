//! Who is alerted and who receives the report, through which mail server
//! and webhooks, with the limits of every network call.

use serde::{Deserialize, Serialize};

/// Who receives the monthly report (by e-mail through `[alerts.smtp]`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliverySettings {
    /// Executives who receive the whole workbook.
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Send each department with an `email` its own slice.
    #[serde(default)]
    pub department_slices: bool,
    /// Sources that must have data for the month before the report goes
    /// out (`a|b`: either); the readiness check names what is missing.
    #[serde(default)]
    pub expected_sources: Vec<String>,
}

/// Who is alerted (升级与告警), and through which channels; also the
/// limits of every network call (alerts, and the report e-mails sent
/// through the same mail server).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertSettings {
    /// E-mail addresses alerted (president, chairman …).
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Chat group-robot webhooks (企业微信/钉钉): a JSON text message is
    /// POSTed to each.
    #[serde(default)]
    pub webhooks: Vec<String>,
    /// The mail server.
    #[serde(default)]
    pub smtp: Option<SmtpSettings>,
    /// Seconds to wait for a connection to a mail server or webhook (SMTP:
    /// also for each of the server's replies).
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout_seconds: u64,
    /// Seconds one network call may take in all (connect, send, answer);
    /// after that it counts as failed and is retried.
    #[serde(default = "default_network_timeout")]
    pub timeout_seconds: u64,
    /// Minutes before a failed alert delivery is tried again; the wait
    /// doubles after each failure, up to six hours.
    #[serde(default = "default_alert_retry_minutes")]
    pub retry_minutes: u64,
    /// Attempts per alert and target before csat gives up (and logs an
    /// error).
    #[serde(default = "default_alert_max_attempts")]
    pub max_attempts: u32,
    /// When more than this many alerts are due for one recipient or
    /// channel in one run, they go out as one digest (counts by kind, the
    /// first this many listed).
    #[serde(default = "default_digest_over")]
    pub digest_over: usize,
}

impl Default for AlertSettings {
    fn default() -> Self {
        AlertSettings {
            recipients: Vec::new(),
            webhooks: Vec::new(),
            smtp: None,
            connect_timeout_seconds: default_connect_timeout(),
            timeout_seconds: default_network_timeout(),
            retry_minutes: default_alert_retry_minutes(),
            max_attempts: default_alert_max_attempts(),
            digest_over: default_digest_over(),
        }
    }
}

fn default_connect_timeout() -> u64 {
    10
}

fn default_network_timeout() -> u64 {
    30
}

fn default_alert_retry_minutes() -> u64 {
    5
}

fn default_alert_max_attempts() -> u32 {
    10
}

fn default_digest_over() -> usize {
    10
}

/// How csat reaches the mail server.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    /// Host name.
    pub host: String,
    /// Port (25, 465 for TLS, 587 for STARTTLS).
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    /// `none`, `starttls` or `tls`.
    #[serde(default)]
    pub security: SmtpSecurity,
    /// Sender address.
    pub from: String,
    /// User name, when the server wants one.
    #[serde(default)]
    pub username: Option<String>,
    /// Name of the environment variable holding the password (never the
    /// password itself in the file).
    #[serde(default)]
    pub password_env: Option<String>,
}

fn default_smtp_port() -> u16 {
    587
}

/// Transport security of the SMTP connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// Plain SMTP (a relay on the same host or network).
    None,
    /// Upgrade with STARTTLS (required).
    #[default]
    Starttls,
    /// TLS from the start (SMTPS).
    Tls,
}
