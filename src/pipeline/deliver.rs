//! Delivery of a month's report: the readiness check (expected sources in,
//! nothing waiting or freshly rejected) and the e-mails, each recorded.

use std::fs;
use std::path::PathBuf;

use serde::Serialize;
use tracing::{info, info_span, warn};

use super::{io_context, PipelineError};
use crate::analysis;
use crate::config::Config;
use crate::inbox::{self, DataDir};
use crate::month::Month;
use crate::report::{self, SummaryContext};
use crate::store::job_queries as queries;
use crate::store::Store;

/// What `deliver` did.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryOutcome {
    /// The month.
    pub month: Month,
    /// The readiness check.
    pub readiness: crate::delivery::Readiness,
    /// Held back: inputs missing and not forced.
    pub blocked: bool,
    /// Sent now (or attempted: see `error`).
    pub sent: Vec<crate::delivery::Delivery>,
    /// Recipients who already had this month's report.
    pub already_delivered: Vec<String>,
}

impl DeliveryOutcome {
    /// One line for the logs and `csat status`.
    pub fn one_line(&self) -> String {
        if self.blocked {
            return format!(
                "report {} not sent: {}",
                self.month,
                self.readiness.describe()
            );
        }
        let failed = self.sent.iter().filter(|d| d.error.is_some()).count();
        format!(
            "report {} sent to {} recipient(s){}{}",
            self.month,
            self.sent.len() - failed,
            if failed > 0 {
                format!(", {failed} failed (retried next run)")
            } else {
                String::new()
            },
            if self.already_delivered.is_empty() {
                String::new()
            } else {
                format!(", {} already had it", self.already_delivered.len())
            }
        )
    }
}

/// One e-mail of a month's report: the whole workbook to an executive
/// (`full`) or a department's slice to that department (`department`).
struct Parcel {
    /// `full` or `department`, as recorded.
    kind: &'static str,
    /// The department of a slice.
    department: Option<String>,
    /// Who.
    recipient: String,
    /// The workbook's bytes.
    attachment: Vec<u8>,
    /// Its name.
    file_name: String,
}

/// The readiness of `month`: expected sources present, nothing waiting in
/// the inbox, no rejected file left in `rejected/`.
///
/// # Errors
/// A query or reading a folder fails.
pub fn readiness(
    config: &Config,
    data_dir: &DataDir,
    store: &Store,
    month: Month,
) -> Result<crate::delivery::Readiness, PipelineError> {
    let present: Vec<String> = store
        .query(
            "sources_in_month",
            analysis::sql("sources_in_month"),
            &[crate::store::Param::Text(month.to_string())],
        )?
        .iter()
        .map(|r| r.text("source"))
        .collect::<Result<_, _>>()?;
    let missing_sources = config
        .delivery
        .expected_sources
        .iter()
        .filter(|wanted| {
            !wanted
                .split('|')
                .any(|s| present.iter().any(|p| p == s.trim()))
        })
        .cloned()
        .collect();
    let list = |dir: PathBuf| -> Result<Vec<String>, PipelineError> {
        let mut names = Vec::new();
        if dir.exists() {
            for entry in
                std::fs::read_dir(&dir).map_err(io_context(format!("reading {}", dir.display())))?
            {
                let entry = entry.map_err(io_context(format!("reading {}", dir.display())))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                // Never followed: a link counts as the file it is.
                let is_file = entry
                    .file_type()
                    .map(|t| t.is_file() || t.is_symlink())
                    .unwrap_or(false);
                if is_file && !inbox::is_ignored_name(&name) && !inbox::is_note_name(&name) {
                    names.push(name);
                }
            }
        }
        names.sort();
        Ok(names)
    };
    Ok(crate::delivery::Readiness {
        missing_sources,
        waiting_files: list(data_dir.inbox())?,
        // Files quarantined since the month began are pending fixes; older
        // ones are history and must not hold every later report back.
        rejected_files: list(data_dir.rejected())?
            .into_iter()
            .filter(|name| {
                let since = month.first_day().and_hms_opt(0, 0, 0).map(|d| d.and_utc());
                // The sidecar is written when the file is quarantined (the
                // file itself keeps the time it was made).
                let sidecar = data_dir.rejected().join(format!("{name}.reasons.txt"));
                let modified = fs::metadata(&sidecar)
                    .or_else(|_| fs::metadata(data_dir.rejected().join(name)))
                    .and_then(|m| m.modified())
                    .ok()
                    .map(chrono::DateTime::<chrono::Utc>::from);
                match (since, modified) {
                    (Some(since), Some(modified)) => modified >= since,
                    _ => true,
                }
            })
            .collect(),
    })
}

/// Writes `month`'s workbook and e-mails it: the whole to the configured
/// executives, each department with an `email` its slice. Held back while
/// the readiness check finds inputs missing, unless `force`; a recipient
/// who already had the month's report gets it again only with `resend`.
/// Every attempt is recorded; `now` is its time.
///
/// # Errors
/// A query, the rendering or a write fails (a refused e-mail is recorded
/// and reported, not an error).
pub fn deliver(
    config: &Config,
    data_dir: &DataDir,
    store: &mut Store,
    month: Month,
    now: chrono::NaiveDateTime,
    force: bool,
    resend: bool,
) -> Result<DeliveryOutcome, PipelineError> {
    let _span = info_span!("deliver", month = %month).entered();
    let outcome = super::report(config, data_dir, store, month)?;
    let readiness = readiness(config, data_dir, store, month)?;
    let mut result = DeliveryOutcome {
        month,
        blocked: !readiness.is_ready() && !force,
        readiness,
        sent: Vec::new(),
        already_delivered: Vec::new(),
    };
    if result.blocked {
        info!(missing = %result.readiness.describe(), "report held back");
        return Ok(result);
    }
    let Some(smtp) = config.alerts.smtp.as_ref() else {
        info!("no [alerts.smtp] configured: the report is written, not e-mailed");
        return Ok(result);
    };
    let bytes = std::fs::read(&outcome.path)
        .map_err(io_context(format!("reading {}", outcome.path.display())))?;
    let file_name = outcome
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let subject = format!("{} 客户满意度月报 {}", config.company.name, month);
    let body = report::narrative(&SummaryContext::new(&outcome.results))?;
    let mut parcels: Vec<Parcel> = config
        .delivery
        .recipients
        .iter()
        .map(|r| Parcel {
            kind: "full",
            department: None,
            recipient: r.clone(),
            attachment: bytes.clone(),
            file_name: file_name.clone(),
        })
        .collect();
    if config.delivery.department_slices {
        for department in &config.departments {
            let Some(email) = &department.email else {
                continue;
            };
            let slice = outcome
                .results
                .department_slice(&department.key, &department.name);
            parcels.push(Parcel {
                kind: "department",
                department: Some(department.key.clone()),
                recipient: email.clone(),
                attachment: report::render_workbook(&slice, config.report.lang)?,
                file_name: format!("csat-report-{month}-{}.xlsx", department.key),
            });
        }
    }
    // A mail server that does not answer costs one timeout, not one per
    // recipient: the rest are recorded as failed and retried with the job.
    let limits = crate::mail::NetLimits::of(&config.alerts);
    let mut unreachable: Option<String> = None;
    for Parcel {
        kind,
        department,
        recipient,
        attachment,
        file_name: name,
    } in parcels
    {
        let already = store.query(
            "recipient_delivered",
            queries::RECIPIENT_DELIVERED,
            &[
                crate::store::Param::Text(month.to_string()),
                crate::store::Param::Text(recipient.clone()),
                crate::store::Param::Text(kind.to_string()),
                crate::store::Param::Text(department.clone().unwrap_or_default()),
            ],
        )?;
        let n_already = already.first().map(|r| r.i64("n")).transpose()?;
        if !resend && n_already.unwrap_or(0) > 0 {
            result.already_delivered.push(recipient);
            continue;
        }
        let sha256 = crate::inbox::content_hash(&attachment);
        let error = match unreachable.clone() {
            Some(error) => Some(format!("not tried after an earlier failure: {error}")),
            None => crate::delivery::send_report(
                smtp, &recipient, &subject, &body, &name, attachment, limits,
            )
            .err()
            .map(|e| {
                let message = e.to_string();
                if e.is_unreachable() {
                    unreachable = Some(message.clone());
                }
                message
            }),
        };
        if let Some(e) = &error {
            warn!(error = %report::mask::mask_personal(e), "report e-mail not delivered");
        }
        let delivery = crate::delivery::Delivery {
            month: month.to_string(),
            kind: kind.to_string(),
            department,
            recipient,
            file_name: name,
            sha256,
            sent_at: now,
            error,
            forced: force && !result.readiness.is_ready(),
        };
        store.record_delivery(&delivery)?;
        result.sent.push(delivery);
    }
    info!(line = %result.one_line(), "delivery");
    Ok(result)
}
