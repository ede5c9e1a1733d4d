//! The jobs csat runs on a schedule (or by hand, `csat run`): what each
//! does, how it ended, and the record of its runs.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::SystemTime;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use tracing::{info, info_span};

use super::{deliver, ingest, io_context, local_time, open_store, PipelineError};
use crate::analysis;
use crate::config::Config;
use crate::delivery;
use crate::inbox::DataDir;
use crate::month::Month;
use crate::report;
use crate::store::job_queries as queries;
use crate::store::Store;

/// A job csat knows how to run; its name is the job file's `job` and the
/// `csat run` argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum JobKind {
    /// Alerts on what is stored (also part of every ingest).
    Alerts,
    /// Every ready inbox file once, then the alerts.
    Ingest,
    /// Ingest, then last month's workbook, delivered.
    MonthlyReport,
    /// Every customer graded (the first run of the month).
    Regrade,
}

impl JobKind {
    /// Every job, in name order.
    pub const ALL: [JobKind; 4] = [
        JobKind::Alerts,
        JobKind::Ingest,
        JobKind::MonthlyReport,
        JobKind::Regrade,
    ];

    /// The job's name, as in job files and records.
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Alerts => "alerts",
            JobKind::Ingest => "ingest",
            JobKind::MonthlyReport => "monthly_report",
            JobKind::Regrade => "regrade",
        }
    }

    /// The names of all jobs, comma-separated (for messages).
    pub fn known() -> String {
        JobKind::ALL.map(JobKind::as_str).join(", ")
    }
}

impl fmt::Display for JobKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not a job csat knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown job '{0}'; known: {known}", known = JobKind::known())]
pub struct UnknownJob(pub String);

impl FromStr for JobKind {
    type Err = UnknownJob;

    fn from_str(text: &str) -> Result<JobKind, UnknownJob> {
        JobKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| UnknownJob(text.to_string()))
    }
}

impl Serialize for JobKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for JobKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<JobKind, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A job's name compared with text (a recorded run, a test's expectation).
impl PartialEq<&str> for JobKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// How a job run ended, as recorded in `job_runs.outcome`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunOutcome {
    /// It did its job.
    Ok,
    /// It did its job, but something was refused (a file, a row, an alert).
    Partial,
    /// It did not do its job (retried when the job has retries).
    Failed,
}

impl RunOutcome {
    /// The recorded word: `ok`, `partial` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            RunOutcome::Ok => "ok",
            RunOutcome::Partial => "partial",
            RunOutcome::Failed => "failed",
        }
    }

    /// Reads a recorded word; `None` for anything else.
    pub fn parse(text: &str) -> Option<RunOutcome> {
        [RunOutcome::Ok, RunOutcome::Partial, RunOutcome::Failed]
            .into_iter()
            .find(|o| o.as_str() == text)
    }
}

impl fmt::Display for RunOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An outcome compared with its recorded word (a test's expectation).
impl PartialEq<&str> for RunOutcome {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// How a job run ended.
#[derive(Debug, Clone, Serialize)]
pub struct JobOutcome {
    /// `ok`, `partial` or `failed`.
    pub outcome: RunOutcome,
    /// One line for `csat status`.
    pub message: String,
}

impl JobOutcome {
    fn new(outcome: RunOutcome, message: String) -> JobOutcome {
        JobOutcome { outcome, message }
    }
}

/// `Partial` when something was refused, else `Ok`.
fn ok_unless(partial: bool) -> RunOutcome {
    if partial {
        RunOutcome::Partial
    } else {
        RunOutcome::Ok
    }
}

/// Runs one job as of `today`: `ingest`; `monthly_report` (ingest, then the
/// workbook of the month before `today`); `regrade` (grading as of `today`).
pub fn run_job(
    job: JobKind,
    config: &Config,
    data_dir: &DataDir,
    today: NaiveDate,
    now: SystemTime,
) -> JobOutcome {
    let _span = info_span!("job", job = %job).entered();
    let result = (|| -> Result<JobOutcome, PipelineError> {
        let mut store = open_store(data_dir)?;
        match job {
            JobKind::Ingest => {
                // Alerts go out at once: in the same run as the files that
                // raise them.
                let summary = ingest(config, data_dir, &mut store, today, now)?;
                let alerts = crate::alerts::run(&mut store, config, today, local_time(now))?;
                Ok(JobOutcome::new(
                    ok_unless(summary.is_partial() || !alerts.failed.is_empty()),
                    format!("{}; {}", summary.one_line(), alerts.one_line()),
                ))
            }
            JobKind::Alerts => {
                let alerts = crate::alerts::run(&mut store, config, today, local_time(now))?;
                Ok(JobOutcome::new(
                    ok_unless(!alerts.failed.is_empty()),
                    alerts.one_line(),
                ))
            }
            JobKind::MonthlyReport => {
                let summary = ingest(config, data_dir, &mut store, today, now)?;
                let month = Month::before(today);
                let delivery = deliver(
                    config,
                    data_dir,
                    &mut store,
                    month,
                    local_time(now),
                    false,
                    false,
                )?;
                // Held back only matters when there is someone to send to.
                let held = delivery.blocked && !config.delivery.recipients.is_empty();
                let failed = held || delivery.sent.iter().any(|d| d.error.is_some());
                Ok(JobOutcome::new(
                    if failed {
                        RunOutcome::Failed
                    } else {
                        ok_unless(summary.is_partial())
                    },
                    format!("{}; {}", summary.one_line(), delivery.one_line()),
                ))
            }
            JobKind::Regrade => {
                // Scheduled on several days (25–30 December) so downtime
                // cannot skip it; the first run of the month is the grading.
                let month = Month::of(today);
                let done = store.query(
                    "graded_this_month",
                    queries::GRADED_THIS_MONTH,
                    &[crate::store::Param::Text(month.to_string())],
                )?;
                let on = done
                    .first()
                    .map(|r| r.opt_text("as_of"))
                    .transpose()?
                    .flatten();
                if let Some(on) = on {
                    return Ok(JobOutcome::new(
                        RunOutcome::Ok,
                        format!("customers already graded this month (as of {on})"),
                    ));
                }
                let outcome = regrade(config, data_dir, &mut store, today)?;
                Ok(JobOutcome::new(
                    RunOutcome::Ok,
                    format!(
                        "graded {} customers as of {today} (run {}); {}",
                        outcome.grading.customers.len(),
                        outcome.run_id,
                        outcome.path.display()
                    ),
                ))
            }
        }
    })();
    result.unwrap_or_else(|error| JobOutcome::new(RunOutcome::Failed, error.to_string()))
}

/// Records a job run in the store.
///
/// # Errors
/// The store cannot be opened or written.
pub fn record_job_run(
    data_dir: &DataDir,
    job: JobKind,
    scheduled_for: Option<chrono::NaiveDateTime>,
    started_at: chrono::NaiveDateTime,
    finished_at: chrono::NaiveDateTime,
    outcome: &JobOutcome,
) -> Result<(), PipelineError> {
    let store = open_store(data_dir)?;
    store.record_job_run(
        job.as_str(),
        scheduled_for,
        started_at,
        finished_at,
        outcome.outcome.as_str(),
        &outcome.message,
    )?;
    Ok(())
}

/// What `regrade` did.
#[derive(Debug, Clone)]
pub struct RegradeOutcome {
    /// The grading.
    pub grading: crate::analysis::grading::Grading,
    /// Its run id in the history.
    pub run_id: i64,
    /// Where its workbook is.
    pub path: PathBuf,
}

/// Grades every customer as of `as_of`, records the run (rules, results,
/// criterion points) in the history and writes the grading workbook to
/// `reports/grading/`.
///
/// # Errors
/// A query, the rendering or the write fails.
pub fn regrade(
    config: &Config,
    data_dir: &DataDir,
    store: &mut Store,
    as_of: NaiveDate,
) -> Result<RegradeOutcome, PipelineError> {
    let _span = info_span!("regrade", as_of = %as_of).entered();
    let grading = analysis::grading::grade(store, config, as_of)?;
    let rules = serde_json::to_string(&config.grading).unwrap_or_default();
    let run_id = store.record_grading(&grading.to_record(), &rules)?;
    let bytes = report::render_grading_workbook(&grading, &config.grading)?;
    let path = delivery::grading_path(&data_dir.reports(), as_of);
    delivery::write_atomically(&path, &bytes)
        .map_err(io_context(format!("writing {}", path.display())))?;
    info!(path = %path.display(), customers = grading.customers.len(), run_id, "grading written");
    Ok(RegradeOutcome {
        grading,
        run_id,
        path,
    })
}

/// One job's latest run.
#[derive(Debug, Clone, Serialize)]
pub struct LastRun {
    /// Job (as recorded: a job csat no longer knows keeps its name).
    pub job: String,
    /// The tick it ran for (UTC); empty for runs by hand (`csat run`).
    pub scheduled_for: String,
    /// Start (UTC).
    pub started_at: String,
    /// End.
    pub finished_at: String,
    /// `ok`, `partial`, `failed`.
    pub outcome: String,
    /// Its one-line message.
    pub message: String,
}

/// The latest run of every job.
///
/// # Errors
/// The store cannot be opened or read.
pub fn last_runs(data_dir: &DataDir) -> Result<Vec<LastRun>, PipelineError> {
    let store = open_store(data_dir)?;
    let runs = store
        .query("last_runs", queries::LAST_RUNS, &[])?
        .into_iter()
        .map(|row| {
            Ok(LastRun {
                job: row.text("job")?,
                started_at: row.opt_text("started_at")?.unwrap_or_default(),
                finished_at: row.opt_text("finished_at")?.unwrap_or_default(),
                outcome: row.opt_text("outcome")?.unwrap_or_default(),
                message: row.opt_text("message")?.unwrap_or_default(),
                scheduled_for: row.opt_text("scheduled_for")?.unwrap_or_default(),
            })
        })
        .collect::<Result<_, crate::store::StoreError>>()?;
    Ok(runs)
}
