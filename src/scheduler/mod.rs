//! The top of the library: it decides when jobs run and runs them through
//! the pipeline. The only module that knows tokio-cron-scheduler.
//!
//! - this file: job definitions from `jobs/*.toml`, their run times, and
//!   the `serve` loop;
//! - [`plan`]: which ticks are due, retry windows, the report deadline
//!   (one rule, one place);
//! - [`pass`]: one scheduling pass (run what is due, record it, raise the
//!   deadline and given-up alerts).
//!
//! Jobs run one at a time (a gate serialises them, so a job is never started
//! while another holds the database), each on a blocking thread.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use tokio_cron_scheduler::{Job, JobScheduler};

pub use crate::pipeline::JobKind;

mod notices;
pub mod pass;
pub mod plan;

pub use pass::{scheduler_pass, PassOutcome, PassRun};
pub use plan::{
    closed_retry_windows, deadline_in_month, deadline_state, due_jobs, DeadlineState, DueJob,
    DueReason, RunRecord,
};

/// The job files shipped with the program.
const DEFAULT_JOBS: &[(&str, &str)] = &[
    ("alerts.toml", include_str!("../../jobs/alerts.toml")),
    ("ingest.toml", include_str!("../../jobs/ingest.toml")),
    (
        "monthly_report.toml",
        include_str!("../../jobs/monthly_report.toml"),
    ),
    ("regrade.toml", include_str!("../../jobs/regrade.toml")),
];

/// One job file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSpec {
    /// Which job: `alerts`, `ingest`, `monthly_report` or `regrade`.
    pub job: JobKind,
    /// Cron expression with seconds: `sec min hour day-of-month month day-of-week`.
    pub cron: String,
    /// IANA time zone the expression is read in.
    #[serde(
        default = "default_timezone",
        deserialize_with = "deserialize_timezone",
        serialize_with = "serialize_timezone"
    )]
    pub timezone: Tz,
    /// After a failed run, try again this many minutes later, until a run
    /// succeeds or the next tick comes.
    #[serde(default)]
    pub retry_minutes: Option<i64>,
    /// A tick missed while csat was down runs once at start when it is at
    /// most this many hours old; older ticks are skipped.
    #[serde(default = "default_catch_up_hours")]
    pub catch_up_hours: i64,
    /// The job's output is due by this day of the month (the monthly report:
    /// 8); when it falls on a weekend or holiday, by the last working day
    /// before. After it passes undelivered, an alert goes out every day.
    #[serde(default)]
    pub deadline_day: Option<u32>,
    /// Warn this many working days before the deadline when expected inputs
    /// are still missing.
    #[serde(default = "default_early_warning")]
    pub early_warning_working_days: i64,
}

fn default_catch_up_hours() -> i64 {
    24
}

fn default_early_warning() -> i64 {
    2
}

fn default_timezone() -> Tz {
    crate::calendar::DEFAULT_TIMEZONE
}

/// A time zone read once, by its IANA name.
fn deserialize_timezone<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Tz, D::Error> {
    let name = String::deserialize(deserializer)?;
    name.parse()
        .map_err(|_| serde::de::Error::custom(format!("'{name}' is not an IANA time zone")))
}

fn serialize_timezone<S: Serializer>(zone: &Tz, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(zone.name())
}

/// A job definition problem.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The file is not valid.
    #[error("job file {file}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// tokio-cron-scheduler failed.
    #[error("scheduler: {0}")]
    Scheduler(String),
}

fn parser() -> croner::parser::CronParser {
    croner::parser::CronParser::builder()
        .seconds(croner::parser::Seconds::Required)
        .dom_and_dow(true)
        .build()
}

impl JobSpec {
    fn parse(text: &str, file: &str) -> Result<JobSpec, JobError> {
        let invalid = |message: String| JobError::Invalid {
            file: file.to_string(),
            message,
        };
        let spec: JobSpec = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        if spec.deadline_day.is_some_and(|d| !(1..=31).contains(&d)) {
            return Err(invalid(
                "deadline_day must be a day of the month, 1–31".to_string(),
            ));
        }
        parser()
            .parse(&spec.cron)
            .map_err(|e| invalid(format!("cron '{}' is not valid: {e}", spec.cron)))?;
        Ok(spec)
    }

    /// The latest tick at or before `at`.
    pub fn previous_run(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let cron = parser().parse(&self.cron).ok()?;
        cron.find_previous_occurrence(&at.with_timezone(&self.timezone), true)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    /// The first run strictly after `after`.
    pub fn next_run(&self, after: DateTime<Utc>) -> Option<DateTime<Tz>> {
        let cron = parser().parse(&self.cron).ok()?;
        cron.find_next_occurrence(&after.with_timezone(&self.timezone), false)
            .ok()
    }
}

/// Loads `dir/*.toml` when `dir` exists, else the shipped jobs.
///
/// # Errors
/// A job file is unreadable or invalid.
pub fn load_jobs(dir: Option<&Path>) -> Result<Vec<JobSpec>, JobError> {
    let mut jobs = Vec::new();
    match dir.filter(|d| d.is_dir()) {
        Some(dir) => {
            let mut paths: Vec<_> = std::fs::read_dir(dir)
                .map_err(|e| JobError::Invalid {
                    file: dir.display().to_string(),
                    message: e.to_string(),
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            paths.sort();
            for path in paths {
                let text = std::fs::read_to_string(&path).map_err(|e| JobError::Invalid {
                    file: path.display().to_string(),
                    message: e.to_string(),
                })?;
                jobs.push(JobSpec::parse(&text, &path.display().to_string())?);
            }
        }
        None => {
            for (name, text) in DEFAULT_JOBS {
                jobs.push(JobSpec::parse(text, &format!("jobs/{name}"))?);
            }
        }
    }
    Ok(jobs)
}

/// One scheduling pass: decides what is due now and runs it (the caller's
/// closure, on a blocking thread).
pub type Pass = Arc<dyn Fn() + Send + Sync>;

/// Runs a scheduling pass at start (catching up what was missed while down)
/// and then every `tick_seconds` (tokio-cron-scheduler), until SIGINT or
/// SIGTERM; a running pass finishes before the process exits, and a tick
/// that finds the previous pass still running is skipped, so a job never
/// runs twice at once.
///
/// # Errors
/// The scheduler cannot start.
pub async fn serve(pass: Pass, tick_seconds: u32) -> Result<(), JobError> {
    let scheduler_error =
        |e: tokio_cron_scheduler::JobSchedulerError| JobError::Scheduler(e.to_string());
    // Listen before the first pass: a SIGTERM while it runs (a catch-up
    // job, a slow mail server) lets it finish and then stops, instead of
    // killing the process mid-job.
    let shutdown = Shutdown::listen();
    let mut scheduler = JobScheduler::new().await.map_err(scheduler_error)?;
    let gate = Arc::new(tokio::sync::Mutex::new(()));
    let run = {
        let gate = gate.clone();
        move || {
            let gate = gate.clone();
            let pass = pass.clone();
            async move {
                let Ok(_guard) = gate.try_lock() else {
                    tracing::debug!("previous pass still running; tick skipped");
                    return;
                };
                if let Err(e) = tokio::task::spawn_blocking(move || pass()).await {
                    tracing::error!(error = %e, "scheduling pass panicked");
                }
            }
        }
    };
    run.clone()().await;
    let every = format!("*/{} * * * * *", tick_seconds.clamp(1, 59));
    let tick = run.clone();
    let job = Job::new_async(every.as_str(), move |_id, _scheduler| {
        Box::pin(tick.clone()())
    })
    .map_err(scheduler_error)?;
    scheduler.add(job).await.map_err(scheduler_error)?;
    scheduler.start().await.map_err(scheduler_error)?;
    tracing::info!(tick_seconds, "scheduler started");
    shutdown.wait().await;
    tracing::info!("shutting down: waiting for a running job to finish");
    let _guard = gate.lock().await;
    scheduler.shutdown().await.map_err(scheduler_error)?;
    Ok(())
}

/// SIGINT and SIGTERM, listened to from the moment it is made: a signal
/// that arrives before [`Shutdown::wait`] is kept, not lost (and does not
/// kill the process).
struct Shutdown {
    #[cfg(unix)]
    signals: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Shutdown {
    fn listen() -> Shutdown {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Shutdown {
                signals: signal(SignalKind::interrupt())
                    .and_then(|interrupt| Ok((interrupt, signal(SignalKind::terminate())?)))
                    .ok(),
            }
        }
        #[cfg(not(unix))]
        {
            Shutdown {}
        }
    }

    async fn wait(self) {
        #[cfg(unix)]
        {
            let Some((mut interrupt, mut terminate)) = self.signals else {
                let _ = tokio::signal::ctrl_c().await;
                return;
            };
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn shipped_jobs_parse() {
        let jobs = load_jobs(None).unwrap();
        let names: Vec<&str> = jobs.iter().map(|j| j.job.as_str()).collect();
        assert_eq!(names, vec!["alerts", "ingest", "monthly_report", "regrade"]);
    }

    #[test]
    fn monthly_report_runs_at_six_on_the_first_shanghai_time() {
        let jobs = load_jobs(None).unwrap();
        let report = jobs
            .iter()
            .find(|j| j.job == JobKind::MonthlyReport)
            .unwrap();
        // 2026-11-23 12:00 UTC → next is 2026-12-01 06:00 +08:00 = 2026-11-30 22:00 UTC.
        let next = report
            .next_run(Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap())
            .unwrap();
        assert_eq!(
            next.with_timezone(&Utc),
            Utc.with_ymd_and_hms(2026, 11, 30, 22, 0, 0).unwrap()
        );
    }

    #[test]
    fn bad_job_files_are_named() {
        let err = JobSpec::parse("job = \"ingest\"\ncron = \"every minute\"\n", "jobs/x.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("job file jobs/x.toml: cron 'every minute'"),
            "{err}"
        );
        let err = JobSpec::parse("job = \"coffee\"\ncron = \"0 * * * * *\"\n", "jobs/y.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown job 'coffee'"), "{err}");
    }
}
