//! One scheduling pass: the jobs due now run through the pipeline and are
//! recorded with their tick; then the deadline and the retry windows are
//! checked, and what they say goes out as alerts.

use std::time::{Duration, SystemTime};

use serde::Serialize;
use tracing::info;

use super::{
    closed_retry_windows, deadline_state, due_jobs, notices, DueJob, DueReason, JobSpec, RunRecord,
};
use crate::config::Config;
use crate::delivery;
use crate::inbox::{self, DataDir};
use crate::month::Month;
use crate::pipeline::{self, open_store, JobKind, JobOutcome, PipelineError, RunOutcome};
use crate::report;
use crate::store::job_queries as queries;
use crate::store::Store;

/// One job run by a scheduling pass.
#[derive(Debug, Clone, Serialize)]
pub struct PassRun {
    /// The job.
    pub job: JobKind,
    /// The tick it ran for (UTC).
    pub scheduled_for: String,
    /// Why it ran.
    pub reason: String,
    /// How it ended.
    pub outcome: JobOutcome,
}

/// What one scheduling pass did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PassOutcome {
    /// Jobs run.
    pub runs: Vec<PassRun>,
    /// Deadline warnings and overdue notices raised (also sent as alerts).
    pub deadline_notices: Vec<String>,
    /// Jobs whose retry window closed without a successful run, as raised
    /// now (each once, as an alert).
    pub given_up: Vec<String>,
}

/// One scheduling pass as if it were `at`: runs the jobs due (their latest
/// tick, once; catch-up after downtime; retries of failed runs) and the
/// ingest whenever a settled file waits in the inbox; records every run
/// with its tick; then checks the deadlines (an alert each day after one
/// passes undelivered, a warning before it while inputs are missing).
/// `wall` is the real clock for the inbox's settle time, `clock` the time
/// recorded as a run's start and end.
///
/// # Errors
/// The store cannot be read or a run cannot be recorded.
pub fn scheduler_pass(
    config: &Config,
    data_dir: &DataDir,
    jobs: &[JobSpec],
    at: chrono::DateTime<chrono::Utc>,
    wall: SystemTime,
    clock: &dyn Fn() -> chrono::DateTime<chrono::Utc>,
) -> Result<PassOutcome, PipelineError> {
    let timezone = pipeline::company_timezone(config);
    let local = at.with_timezone(&timezone);
    let today = local.date_naive();
    let history: Vec<RunRecord> = {
        let store = open_store(data_dir)?;
        store
            .query(
                "job_history",
                queries::JOB_HISTORY,
                &[crate::store::Param::Date(
                    today - chrono::Duration::days(10),
                )],
            )?
            .iter()
            .filter_map(|r| {
                let time = |column: &str| {
                    chrono::NaiveDateTime::parse_from_str(
                        &r.opt_text(column).ok()??,
                        "%Y-%m-%d %H:%M:%S",
                    )
                    .ok()
                    .map(|t| t.and_utc())
                };
                // Runs of a job csat no longer knows plan nothing.
                Some(RunRecord {
                    job: r.opt_text("job").ok()??.parse().ok()?,
                    scheduled_for: time("scheduled_for")?,
                    finished_at: time("finished_at")?,
                    outcome: RunOutcome::parse(&r.opt_text("outcome").ok()??)?,
                })
            })
            .collect()
    };
    let mut due: Vec<DueJob> = due_jobs(jobs, &history, at);
    if !due.iter().any(|d| d.spec.job == JobKind::Ingest) {
        let settle = Duration::from_secs(config.inbox.settle_seconds);
        let waiting = inbox::scan(&data_dir.inbox(), wall, settle)
            .map(|scan| !scan.ready.is_empty())
            .unwrap_or(false);
        if let (true, Some(spec)) = (waiting, jobs.iter().find(|j| j.job == JobKind::Ingest)) {
            due.push(DueJob {
                spec: spec.clone(),
                scheduled_for: at.with_timezone(&chrono::Utc),
                reason: DueReason::OnTime,
            });
        }
    }
    let mut outcome = PassOutcome::default();
    for job in due {
        let started = clock();
        let result = pipeline::run_job(job.spec.job, config, data_dir, today, wall);
        let finished = clock();
        info!(job = %job.spec.job, reason = ?job.reason, outcome = %result.outcome, message = %result.message, "job finished");
        pipeline::record_job_run(
            data_dir,
            job.spec.job,
            Some(job.scheduled_for.naive_utc()),
            started.naive_utc(),
            finished.naive_utc(),
            &result,
        )?;
        outcome.runs.push(PassRun {
            job: job.spec.job,
            scheduled_for: job
                .scheduled_for
                .format("%Y-%m-%d %H:%M:%S UTC")
                .to_string(),
            reason: format!("{:?}", job.reason),
            outcome: result,
        });
    }

    let mut store = open_store(data_dir)?;
    outcome.given_up = retry_windows_closed(config, &mut store, jobs, at, &timezone)?;
    let month = Month::before(today);
    for spec in jobs.iter().filter(|j| j.deadline_day.is_some()) {
        let delivered = if config.delivery.recipients.is_empty() {
            delivery::report_path(&data_dir.reports(), month).exists()
        } else {
            store
                .query(
                    "month_delivered",
                    queries::MONTH_DELIVERED,
                    &[crate::store::Param::Text(month.to_string())],
                )?
                .first()
                .map(|r| r.i64("n"))
                .transpose()?
                .unwrap_or(0)
                > 0
        };
        let readiness = pipeline::readiness(config, data_dir, &store, month)?;
        let state = deadline_state(
            spec,
            &config.calendar,
            today,
            delivered,
            readiness.is_ready(),
        );
        let Some((subject, body)) = notices::deadline(config, month, today, &state, &readiness)
        else {
            continue;
        };
        outcome.deadline_notices.push(subject.clone());
        // One alert a day: the day is part of its key.
        let alert = crate::alerts::alert(
            "deadline",
            &format!("{}/{month}/{today}", spec.job),
            subject,
            body,
        );
        crate::alerts::send(&mut store, config, &[alert], local.naive_local())?;
    }
    Ok(outcome)
}

/// The final alert for every tick of a job with retries whose retry window
/// has closed at `at` without a successful run: the monthly report of
/// month M was not produced (or not delivered), how often it was tried and
/// the last error. Sent once (the alert's key is the job and tick); returns
/// the subjects raised now.
///
/// # Errors
/// A query or recording an alert fails.
fn retry_windows_closed(
    config: &Config,
    store: &mut Store,
    jobs: &[JobSpec],
    at: chrono::DateTime<chrono::Utc>,
    timezone: &chrono_tz::Tz,
) -> Result<Vec<String>, PipelineError> {
    let mut raised = Vec::new();
    for spec in jobs {
        for (tick, closed_at) in closed_retry_windows(spec, at) {
            let attempts = store.query(
                "tick_attempts",
                queries::TICK_ATTEMPTS,
                &[
                    crate::store::Param::Text(spec.job.to_string()),
                    crate::store::Param::Text(tick.format("%Y-%m-%d %H:%M:%S").to_string()),
                ],
            )?;
            let failed = |r: &crate::store::Row| {
                r.opt_text("outcome").ok().flatten().as_deref() == Some(RunOutcome::Failed.as_str())
            };
            let (Some(first), Some(last)) = (attempts.first(), attempts.last()) else {
                continue;
            };
            if !attempts.iter().all(failed) {
                continue;
            }
            // Recorded times are UTC; people read local time.
            let local = |text: Option<String>| {
                text.and_then(|t| {
                    chrono::NaiveDateTime::parse_from_str(&t, "%Y-%m-%d %H:%M:%S").ok()
                })
                .map(|t| {
                    t.and_utc()
                        .with_timezone(timezone)
                        .format("%Y-%m-%d %H:%M")
                        .to_string()
                })
                .unwrap_or_default()
            };
            let last_error = report::mask::mask_personal(&last[1].as_text().unwrap_or_default());
            let (subject, body) = notices::given_up(
                config,
                spec.job,
                tick,
                closed_at,
                timezone,
                &local(first[2].as_text()),
                attempts.len(),
                &local(last[3].as_text()),
                &last_error,
            );
            let alert = crate::alerts::alert(
                "job-given-up",
                &format!("{}/{}", spec.job, tick.format("%Y-%m-%dT%H:%M:%SZ")),
                subject.clone(),
                body,
            );
            let sent = crate::alerts::send(
                store,
                config,
                &[alert],
                at.with_timezone(timezone).naive_local(),
            )?;
            if !sent.raised.is_empty() {
                tracing::error!(job = %spec.job, tick = %tick, error = %last_error, "retry window closed without success");
                raised.push(subject);
            }
        }
    }
    Ok(raised)
}
