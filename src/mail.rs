//! Outgoing messages, for alerts and for the e-mailed report alike: e-mail
//! through the configured SMTP server (lettre) and text messages to group
//! robots' webhooks (企业微信/钉钉, ureq).
//!
//! Every call has limits ([`NetLimits`], from `[alerts]
//! connect_timeout_seconds` and `timeout_seconds`): connecting and each
//! reply within `connect`, the whole call within `total`. A failure says
//! whether the target was unreachable (later messages to it in the same run
//! are not tried) or refused this message.

use std::time::Duration;

use crate::config::{AlertSettings, SmtpSecurity, SmtpSettings};

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
pub enum SendError {
    /// The server (or the message) refused: bad addresses, authentication,
    /// TLS set-up, an HTTP error status or a robot's `errcode`.
    #[error("{0}")]
    Refused(String),
    /// The server could not be reached or did not answer in time: later
    /// messages to it in the same run are not tried.
    #[error("{0}")]
    Unreachable(String),
}

impl SendError {
    fn refused(message: impl Into<String>) -> SendError {
        SendError::Refused(message.into())
    }

    fn unreachable(message: impl Into<String>) -> SendError {
        SendError::Unreachable(message.into())
    }

    /// The target did not answer: do not try it again in this run.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, SendError::Unreachable(_))
    }
}

/// A file sent with an e-mail.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// The file's name.
    pub file_name: String,
    /// Its MIME type.
    pub content_type: &'static str,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// The MIME type of an xlsx workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Sends one message to `recipients` through the configured server: `body`
/// as plain text, with `attachment` when there is one.
///
/// # Errors
/// Bad addresses, connection, TLS, authentication, the server refusing, or
/// no answer within the limits.
pub fn send_email(
    smtp: &SmtpSettings,
    recipients: &[String],
    subject: &str,
    body: &str,
    attachment: Option<Attachment>,
    limits: NetLimits,
) -> Result<(), SendError> {
    use lettre::message::header::ContentType;
    use lettre::message::{MultiPart, SinglePart};
    use lettre::{Message, Transport};
    let mut message = Message::builder().from(
        smtp.from
            .parse()
            .map_err(|e| SendError::refused(format!("sender '{}': {e}", smtp.from)))?,
    );
    for recipient in recipients {
        message = message.to(recipient
            .parse()
            .map_err(|e| SendError::refused(format!("recipient '{recipient}': {e}")))?);
    }
    let message = message.subject(subject);
    let message = match attachment {
        None => message
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_string()),
        Some(attachment) => {
            let content_type = ContentType::parse(attachment.content_type)
                .map_err(|e| SendError::refused(e.to_string()))?;
            message.multipart(
                MultiPart::mixed()
                    .singlepart(SinglePart::plain(body.to_string()))
                    .singlepart(
                        lettre::message::Attachment::new(attachment.file_name)
                            .body(attachment.bytes, content_type),
                    ),
            )
        }
    }
    .map_err(|e| SendError::refused(e.to_string()))?;
    let mailer = mailer(smtp, limits)?;
    within(limits.total, move || {
        mailer
            .send(&message)
            .map(|_| ())
            .map_err(|e| smtp_error(&e))
    })
}

/// A lettre failure: the server's refusal, or no server to talk to.
fn smtp_error(error: &lettre::transport::smtp::Error) -> SendError {
    if error.is_response() {
        SendError::refused(error.to_string())
    } else if error.is_timeout() {
        SendError::unreachable(format!("the mail server did not answer in time: {error}"))
    } else {
        SendError::unreachable(error.to_string())
    }
}

/// An SMTP transport for the settings: connecting and each reply of the
/// server within `limits.connect`.
///
/// # Errors
/// TLS cannot be set up, or the password's environment variable is unset.
fn mailer(smtp: &SmtpSettings, limits: NetLimits) -> Result<lettre::SmtpTransport, SendError> {
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

/// Runs `call` on its own thread and waits at most `total` for it: the
/// overall bound of a call whose library only limits each read (lettre).
/// A call still running then is left to its own per-read timeout.
fn within<T: Send + 'static>(
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
    use crate::config::{SmtpSecurity, SmtpSettings};

    #[test]
    fn robot_answers_are_checked() {
        assert!(check_robot_answer(200, r#"{"errcode":0,"errmsg":"ok"}"#).is_ok());
        assert!(check_robot_answer(200, "ok").is_ok());
        let error =
            check_robot_answer(200, r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#)
                .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the robot answered errcode 45009: api freq out of limit"
        );
        assert!(!error.is_unreachable());
        let error = check_robot_answer(502, "bad gateway").unwrap_err();
        assert_eq!(error.to_string(), "HTTP 502: bad gateway");
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
        let error =
            send_email(&smtp, &["a@example.com".into()], "s", "b", None, limits).unwrap_err();
        let took = started.elapsed();
        assert!(error.is_unreachable(), "{error}");
        // The greeting's read times out after 1 s (or the whole after 2 s).
        assert!(
            took >= Duration::from_secs(1) && took < Duration::from_secs(4),
            "{took:?}"
        );
        holder.join().unwrap();
    }
}
