//! What csat records about its own work: grading runs, alert and report
//! deliveries, job runs and ingest attempts (the crash-loop breaker).

use chrono::{NaiveDate, NaiveDateTime};
use duckdb::params;
use duckdb::types::Value;
use serde::Serialize;

use super::load::{append_rows, date_value, timestamp_value};
use super::{Context, Param, Store, StoreError};

/// One alert, as recorded (built by `alerts`, which re-exports it).
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

/// One e-mailed report, as recorded (built by `delivery`, which re-exports
/// it).
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    /// `YYYY-MM`.
    pub month: String,
    /// `full` or `department`.
    pub kind: String,
    /// The department of a slice.
    pub department: Option<String>,
    /// Who.
    pub recipient: String,
    /// The attachment's name.
    pub file_name: String,
    /// SHA-256 of the attachment.
    pub sha256: String,
    /// When.
    pub sent_at: NaiveDateTime,
    /// Why it failed, when it did.
    pub error: Option<String>,
    /// Sent although the readiness check said inputs were missing.
    pub forced: bool,
}

/// A grading run as recorded (`analysis::grading::Grading::to_record`
/// builds it from a grading).
#[derive(Debug, Clone, PartialEq)]
pub struct GradingRecord {
    /// The as-of date.
    pub as_of: NaiveDate,
    /// The configured rules' version.
    pub rule_version: String,
    /// `score` or `thresholds`.
    pub method: String,
    /// Every customer's result.
    pub customers: Vec<GradedCustomerRecord>,
}

/// One customer's result in a recorded grading run.
#[derive(Debug, Clone, PartialEq)]
pub struct GradedCustomerRecord {
    /// Customer id.
    pub customer_id: String,
    /// Name.
    pub name: String,
    /// 普通商, 加盟商, OEM …
    pub customer_type: Option<String>,
    /// Months since business started.
    pub months_of_business: i64,
    /// Score out of 100.
    pub score: Option<f64>,
    /// Rank among established customers.
    pub rank: Option<i64>,
    /// New grade.
    pub grade: String,
    /// Grade before.
    pub old_grade: Option<String>,
    /// The grade whose payment terms apply.
    pub payment_terms_grade: String,
    /// Under the configured months of business.
    pub provisional: bool,
    /// Dissatisfied answers or open complaints.
    pub at_risk: bool,
    /// Reason codes, joined with `；`.
    pub reasons: String,
    /// Every criterion's value and points.
    pub criteria: Vec<CriterionRecord>,
}

/// One criterion of one customer in a recorded grading run.
#[derive(Debug, Clone, PartialEq)]
pub struct CriterionRecord {
    /// Criterion key.
    pub key: String,
    /// The measured value (numeric measures).
    pub value: Option<f64>,
    /// The measured value (text measures).
    pub text_value: Option<String>,
    /// Points 0–100.
    pub points: f64,
}

/// Where the reading of an inbox file stands (the crash-loop breaker).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Attempt {
    /// Earlier readings of the file that never finished.
    pub interrupted: i64,
    /// Whether one of them ended by a fatal signal (abort, crash).
    pub crashed: bool,
}

/// What was tried so far to deliver one alert (one fingerprint) to one
/// target.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AlertAttempts {
    /// An attempt succeeded.
    pub delivered: bool,
    /// Failed attempts.
    pub failures: i64,
    /// When the latest failed attempt was made.
    pub last_failure: Option<NaiveDateTime>,
}

impl Store {
    /// Records a grading run (its rules as JSON, every customer's result and
    /// criterion points) in one transaction and returns its run id.
    ///
    /// # Errors
    /// A database failure.
    pub fn record_grading(
        &mut self,
        grading: &GradingRecord,
        rules_json: &str,
    ) -> Result<i64, StoreError> {
        let context = "recording a grading run";
        let transaction = self.connection.transaction().context(context)?;
        let run_id: i64 = transaction
            .query_row("SELECT nextval('grading_run_seq')", [], |r| r.get(0))
            .context(context)?;
        transaction
            .execute(
                "INSERT INTO grading_runs VALUES (?, ?, ?, ?, ?, ?)",
                params![
                    run_id,
                    date_value(grading.as_of),
                    grading.rule_version,
                    grading.method,
                    rules_json,
                    grading.customers.len() as i64
                ],
            )
            .context(context)?;
        let text = |t: &str| Value::Text(t.to_string());
        let optional = |t: &Option<String>| t.as_deref().map(text).unwrap_or(Value::Null);
        append_rows(
            &transaction,
            "grading_results",
            grading.customers.iter().map(|c| {
                vec![
                    Value::BigInt(run_id),
                    text(&c.customer_id),
                    text(&c.name),
                    optional(&c.customer_type),
                    Value::BigInt(c.months_of_business),
                    c.score.map(Value::Double).unwrap_or(Value::Null),
                    c.rank.map(Value::BigInt).unwrap_or(Value::Null),
                    text(&c.grade),
                    optional(&c.old_grade),
                    text(&c.payment_terms_grade),
                    Value::Boolean(c.provisional),
                    Value::Boolean(c.at_risk),
                    text(&c.reasons),
                ]
            }),
            context,
        )?;
        append_rows(
            &transaction,
            "grading_criterion_scores",
            grading.customers.iter().flat_map(|c| {
                c.criteria.iter().map(move |criterion| {
                    vec![
                        Value::BigInt(run_id),
                        Value::Text(c.customer_id.clone()),
                        Value::Text(criterion.key.clone()),
                        criterion.value.map(Value::Double).unwrap_or(Value::Null),
                        criterion
                            .text_value
                            .clone()
                            .map(Value::Text)
                            .unwrap_or(Value::Null),
                        Value::Double(criterion.points),
                    ]
                })
            }),
            context,
        )?;
        transaction.commit().context(context)?;
        Ok(run_id)
    }

    /// Whether `alert` with this fingerprint already reached `target`
    /// through `channel`.
    ///
    /// # Errors
    /// A database failure.
    pub fn alert_delivered(
        &self,
        key: &str,
        fingerprint: &str,
        channel: &str,
        target: &str,
    ) -> Result<bool, StoreError> {
        Ok(self
            .alert_attempts(key, fingerprint, channel, target)?
            .delivered)
    }

    /// What was tried so far to deliver `alert` with this fingerprint to
    /// `target` through `channel`.
    ///
    /// # Errors
    /// A database failure.
    pub fn alert_attempts(
        &self,
        key: &str,
        fingerprint: &str,
        channel: &str,
        target: &str,
    ) -> Result<AlertAttempts, StoreError> {
        let rows = self.query(
            "alert_attempts",
            include_str!("../../sql/store/alert_attempts.sql"),
            &[
                Param::Text(key.to_string()),
                Param::Text(fingerprint.to_string()),
                Param::Text(channel.to_string()),
                Param::Text(target.to_string()),
            ],
        )?;
        // An aggregate: always one row.
        match rows.first() {
            Some(row) => Ok(AlertAttempts {
                delivered: row.bool("delivered")?,
                failures: row.i64("failures")?,
                last_failure: row.opt_timestamp("last_failure")?,
            }),
            None => Ok(AlertAttempts::default()),
        }
    }

    /// Records one delivery attempt of an alert (and the alert itself):
    /// `attempt` is its number (1 for the first), `next_attempt_at` when a
    /// failed one may be tried again (`None` once delivered or given up).
    ///
    /// # Errors
    /// A database failure.
    #[allow(clippy::too_many_arguments)]
    pub fn record_alert_delivery(
        &mut self,
        alert: &Alert,
        channel: &str,
        target: &str,
        at: chrono::NaiveDateTime,
        error: Option<&str>,
        attempt: i64,
        next_attempt_at: Option<chrono::NaiveDateTime>,
    ) -> Result<(), StoreError> {
        let context = "recording an alert";
        let transaction = self.connection.transaction().context(context)?;
        transaction
            .execute(
                include_str!("../../sql/store/insert_alert_delivery.sql"),
                params![
                    alert.key,
                    alert.fingerprint,
                    channel,
                    target,
                    timestamp_value(at),
                    error.is_none(),
                    error,
                    attempt,
                    next_attempt_at.map(timestamp_value)
                ],
            )
            .context(context)?;
        if error.is_none() {
            transaction
                .execute(
                    include_str!("../../sql/store/upsert_alert.sql"),
                    params![
                        alert.key,
                        alert.kind,
                        alert.fingerprint,
                        alert.subject,
                        alert.body,
                        timestamp_value(at),
                        timestamp_value(at)
                    ],
                )
                .context(context)?;
        }
        transaction.commit().context(context)
    }

    /// Records one report delivery attempt.
    ///
    /// # Errors
    /// A database failure.
    pub fn record_delivery(&mut self, delivery: &Delivery) -> Result<(), StoreError> {
        self.connection
            .execute(
                "INSERT INTO deliveries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                params![
                    delivery.month,
                    delivery.kind,
                    delivery.department,
                    delivery.recipient,
                    delivery.file_name,
                    delivery.sha256,
                    timestamp_value(delivery.sent_at),
                    delivery.error.is_none(),
                    delivery.error,
                    delivery.forced
                ],
            )
            .map(|_| ())
            .context("recording a delivery")
    }

    /// Records a job run.
    ///
    /// # Errors
    /// A database failure.
    pub fn record_job_run(
        &self,
        job: &str,
        scheduled_for: Option<NaiveDateTime>,
        started_at: NaiveDateTime,
        finished_at: NaiveDateTime,
        outcome: &str,
        message: &str,
    ) -> Result<(), StoreError> {
        self.connection
            .execute(
                "INSERT INTO job_runs VALUES (?, ?, ?, ?, ?, ?)",
                params![
                    job,
                    scheduled_for.map(timestamp_value),
                    timestamp_value(started_at),
                    timestamp_value(finished_at),
                    outcome,
                    message,
                ],
            )
            .map(|_| ())
            .context("recording a job run")
    }

    /// Notes that the reading of the file `sha256` begins and returns how
    /// earlier readings ended: a row left from before means the process
    /// stopped while reading it.
    ///
    /// # Errors
    /// A database failure.
    pub fn begin_attempt(&self, sha256: &str, file_name: &str) -> Result<Attempt, StoreError> {
        let context = "recording an ingest attempt";
        let rows = self.query(
            context,
            "SELECT attempts, crashed FROM ingest_attempts WHERE sha256 = $1",
            &[Param::Text(sha256.to_string())],
        )?;
        // No row: the first reading of the file.
        let before = match rows.first() {
            Some(row) => Attempt {
                interrupted: row.i64("attempts")?,
                crashed: row.bool("crashed")?,
            },
            None => Attempt::default(),
        };
        self.connection
            .execute(
                include_str!("../../sql/store/begin_attempt.sql"),
                params![sha256, file_name],
            )
            .context(context)?;
        Ok(before)
    }

    /// Notes that the file `sha256` was dealt with (loaded, archived or
    /// quarantined).
    ///
    /// # Errors
    /// A database failure.
    pub fn end_attempt(&self, sha256: &str) -> Result<(), StoreError> {
        self.connection
            .execute(
                "DELETE FROM ingest_attempts WHERE sha256 = ?",
                params![sha256],
            )
            .map(|_| ())
            .context("clearing an ingest attempt")
    }

    /// Notes that the process died by a fatal signal while reading `sha256`.
    ///
    /// # Errors
    /// A database failure.
    pub fn mark_crashed(&self, sha256: &str) -> Result<(), StoreError> {
        self.connection
            .execute(
                "UPDATE ingest_attempts SET crashed = true WHERE sha256 = ?",
                params![sha256],
            )
            .map(|_| ())
            .context("recording a crash")
    }
}
