//! The only module that knows tokio-cron-scheduler: job definitions from
//! `jobs/*.toml`, their next run times, and the `serve` loop.
//!
//! Jobs run one at a time (a gate serialises them, so a job is never started
//! while another holds the database), each on a blocking thread. What a job
//! does is the caller's closure; this module only decides when.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use tokio_cron_scheduler::{Job, JobScheduler};

/// The job files shipped with the program.
const DEFAULT_JOBS: &[(&str, &str)] = &[
    ("ingest.toml", include_str!("../jobs/ingest.toml")),
    (
        "monthly_report.toml",
        include_str!("../jobs/monthly_report.toml"),
    ),
    ("regrade.toml", include_str!("../jobs/regrade.toml")),
];

/// Jobs csat knows how to run.
pub const JOB_NAMES: &[&str] = &["ingest", "monthly_report", "regrade"];

/// One job file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSpec {
    /// Which job: `ingest`, `monthly_report` or `regrade`.
    pub job: String,
    /// Cron expression with seconds: `sec min hour day-of-month month day-of-week`.
    pub cron: String,
    /// IANA time zone the expression is read in.
    #[serde(default = "default_timezone")]
    pub timezone: String,
}

fn default_timezone() -> String {
    "Asia/Shanghai".to_string()
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
        if !JOB_NAMES.contains(&spec.job.as_str()) {
            return Err(invalid(format!(
                "unknown job '{}'; known: {}",
                spec.job,
                JOB_NAMES.join(", ")
            )));
        }
        parser()
            .parse(&spec.cron)
            .map_err(|e| invalid(format!("cron '{}' is not valid: {e}", spec.cron)))?;
        spec.timezone
            .parse::<Tz>()
            .map_err(|_| invalid(format!("'{}' is not an IANA time zone", spec.timezone)))?;
        Ok(spec)
    }

    /// The first run strictly after `after`.
    pub fn next_run(&self, after: DateTime<Utc>) -> Option<DateTime<Tz>> {
        let timezone: Tz = self.timezone.parse().ok()?;
        let cron = parser().parse(&self.cron).ok()?;
        cron.find_next_occurrence(&after.with_timezone(&timezone), false)
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

/// What runs a job: called on a blocking thread with the job's definition.
pub type Runner = Arc<dyn Fn(&JobSpec) + Send + Sync>;

/// Runs the jobs on their schedules until SIGINT or SIGTERM; a running job
/// finishes before the process exits.
///
/// # Errors
/// The scheduler cannot start or a job cannot be added.
pub async fn serve(jobs: Vec<JobSpec>, runner: Runner) -> Result<(), JobError> {
    let scheduler_error =
        |e: tokio_cron_scheduler::JobSchedulerError| JobError::Scheduler(e.to_string());
    let mut scheduler = JobScheduler::new().await.map_err(scheduler_error)?;
    let gate = Arc::new(tokio::sync::Mutex::new(()));
    for spec in jobs {
        let timezone: Tz = spec
            .timezone
            .parse()
            .map_err(|_| JobError::Scheduler(spec.timezone.clone()))?;
        let cron = spec.cron.clone();
        let gate = gate.clone();
        let runner = runner.clone();
        let job = Job::new_async_tz(cron.as_str(), timezone, move |_id, _scheduler| {
            let gate = gate.clone();
            let runner = runner.clone();
            let spec = spec.clone();
            Box::pin(async move {
                // A tick that finds the previous run still going is skipped.
                let Ok(_guard) = gate.try_lock() else {
                    tracing::warn!(job = %spec.job, "still running; tick skipped");
                    return;
                };
                let job_name = spec.job.clone();
                if let Err(e) = tokio::task::spawn_blocking(move || runner(&spec)).await {
                    tracing::error!(job = %job_name, error = %e, "job panicked");
                }
            })
        })
        .map_err(scheduler_error)?;
        scheduler.add(job).await.map_err(scheduler_error)?;
    }
    scheduler.start().await.map_err(scheduler_error)?;
    tracing::info!("scheduler started");
    wait_for_shutdown().await;
    tracing::info!("shutting down: waiting for a running job to finish");
    let _guard = gate.lock().await;
    scheduler.shutdown().await.map_err(scheduler_error)?;
    Ok(())
}

async fn wait_for_shutdown() {
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
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
        assert_eq!(names, vec!["ingest", "monthly_report", "regrade"]);
    }

    #[test]
    fn monthly_report_runs_at_six_on_the_first_shanghai_time() {
        let jobs = load_jobs(None).unwrap();
        let report = jobs.iter().find(|j| j.job == "monthly_report").unwrap();
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
