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
    ("alerts.toml", include_str!("../jobs/alerts.toml")),
    ("ingest.toml", include_str!("../jobs/ingest.toml")),
    (
        "monthly_report.toml",
        include_str!("../jobs/monthly_report.toml"),
    ),
    ("regrade.toml", include_str!("../jobs/regrade.toml")),
];

/// Jobs csat knows how to run.
pub const JOB_NAMES: &[&str] = &["alerts", "ingest", "monthly_report", "regrade"];

/// One job file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSpec {
    /// Which job: `ingest`, `monthly_report` or `regrade`.
    pub job: String,
    /// Cron expression with seconds: `sec min hour day-of-month month day-of-week`.
    pub cron: String,
    /// IANA time zone the expression is read in.
    #[serde(default = "default_timezone")]
    pub timezone: String,
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
        if spec.deadline_day.is_some_and(|d| !(1..=31).contains(&d)) {
            return Err(invalid(
                "deadline_day must be a day of the month, 1–31".to_string(),
            ));
        }
        parser()
            .parse(&spec.cron)
            .map_err(|e| invalid(format!("cron '{}' is not valid: {e}", spec.cron)))?;
        spec.timezone
            .parse::<Tz>()
            .map_err(|_| invalid(format!("'{}' is not an IANA time zone", spec.timezone)))?;
        Ok(spec)
    }

    /// The latest tick at or before `at`.
    pub fn previous_run(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let timezone: Tz = self.timezone.parse().ok()?;
        let cron = parser().parse(&self.cron).ok()?;
        cron.find_previous_occurrence(&at.with_timezone(&timezone), true)
            .ok()
            .map(|t| t.with_timezone(&Utc))
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

/// A recorded run, as the planner needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    /// The job.
    pub job: String,
    /// The tick it ran for.
    pub scheduled_for: DateTime<Utc>,
    /// When it ended.
    pub finished_at: DateTime<Utc>,
    /// `ok`, `partial` or `failed`.
    pub outcome: String,
}

/// Why a job runs now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DueReason {
    /// Its tick has just come.
    OnTime,
    /// Its latest tick passed while csat was down: run once.
    CatchUp,
    /// Its run for this tick failed; the retry interval has passed.
    Retry,
}

/// A job to run now, for a tick.
#[derive(Debug, Clone, PartialEq)]
pub struct DueJob {
    /// The job.
    pub spec: JobSpec,
    /// The tick.
    pub scheduled_for: DateTime<Utc>,
    /// Why.
    pub reason: DueReason,
}

/// Which jobs are due at `now`, given the recorded runs: each job's latest
/// tick at or before `now` runs once (a week of downtime gives one run, not
/// one per missed tick) when no run for it is recorded and it is at most
/// `catch_up_hours` old; a failed run is retried after `retry_minutes`.
pub fn due_jobs(jobs: &[JobSpec], history: &[RunRecord], now: DateTime<Utc>) -> Vec<DueJob> {
    let mut due = Vec::new();
    for spec in jobs {
        let Some(tick) = spec.previous_run(now) else {
            continue;
        };
        if now - tick > chrono::Duration::hours(spec.catch_up_hours) {
            continue;
        }
        let attempts: Vec<&RunRecord> = history
            .iter()
            .filter(|r| r.job == spec.job && r.scheduled_for == tick)
            .collect();
        let reason = match attempts.iter().max_by_key(|r| r.finished_at) {
            None if now - tick <= chrono::Duration::minutes(2) => DueReason::OnTime,
            None => DueReason::CatchUp,
            Some(last) if attempts.iter().all(|r| r.outcome == "failed") => {
                match spec.retry_minutes {
                    Some(minutes)
                        if now >= last.finished_at + chrono::Duration::minutes(minutes) =>
                    {
                        DueReason::Retry
                    }
                    _ => continue,
                }
            }
            Some(_) => continue,
        };
        due.push(DueJob {
            spec: spec.clone(),
            scheduled_for: tick,
            reason,
        });
    }
    due
}

/// The ticks of `spec` whose retry window has closed at `now`, with the
/// moment each closed: the latest tick once it is more than
/// `catch_up_hours` old (`due_jobs` no longer runs it), and the tick before
/// it (closed when the latest came, or earlier). A job without
/// `retry_minutes` has no retry window.
pub fn closed_retry_windows(
    spec: &JobSpec,
    now: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    if spec.retry_minutes.is_none() {
        return Vec::new();
    }
    let Some(latest) = spec.previous_run(now) else {
        return Vec::new();
    };
    let catch_up = chrono::Duration::hours(spec.catch_up_hours);
    let mut closed = Vec::new();
    if let Some(before) = spec.previous_run(latest - chrono::Duration::seconds(1)) {
        closed.push((before, (before + catch_up).min(latest)));
    }
    if now - latest > catch_up {
        closed.push((latest, latest + catch_up));
    }
    closed
}

/// The day a monthly output is due in the month of `today`: `day`, or the
/// last working day before it when it is not worked.
pub fn deadline_in_month(
    calendar: &crate::calendar::Calendar,
    today: chrono::NaiveDate,
    day: u32,
) -> chrono::NaiveDate {
    use chrono::Datelike;
    let first = today.with_day(1).expect("day 1 exists");
    let last_day = first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .map_or(28, |d| d.day());
    let nominal = first
        .with_day(day.clamp(1, last_day))
        .expect("clamped to the month");
    // Back to the last working day on or before it, but never into the
    // month before (the report job runs on the 1st): when holidays cover the
    // 1st to the day (National Day), the first working day after them.
    let mut deadline = nominal;
    while !calendar.is_working_day(deadline) && deadline > first {
        deadline = deadline.pred_opt().expect("after the 1st");
    }
    if !calendar.is_working_day(deadline) {
        deadline = nominal;
        for _ in 0..31 {
            deadline = deadline.succ_opt().expect("a next day exists");
            if calendar.is_working_day(deadline) {
                break;
            }
        }
    }
    deadline
}

/// What the deadline of a monthly output says on `today`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum DeadlineState {
    /// Delivered, or nothing to say yet.
    Fine,
    /// Expected inputs are missing and only this many working days are left.
    EarlyWarning {
        /// The deadline.
        deadline: chrono::NaiveDate,
        /// Working days left.
        working_days_left: i64,
    },
    /// The deadline passed and the output is not delivered.
    Overdue {
        /// The deadline.
        deadline: chrono::NaiveDate,
    },
}

/// Checks the deadline of `spec` on `today` (local date): overdue when not
/// delivered after the deadline; an early warning when inputs are missing
/// within `early_warning_working_days` of it.
pub fn deadline_state(
    spec: &JobSpec,
    calendar: &crate::calendar::Calendar,
    today: chrono::NaiveDate,
    delivered: bool,
    inputs_ready: bool,
) -> DeadlineState {
    let Some(day) = spec.deadline_day else {
        return DeadlineState::Fine;
    };
    if delivered {
        return DeadlineState::Fine;
    }
    let deadline = deadline_in_month(calendar, today, day);
    if today > deadline {
        return DeadlineState::Overdue { deadline };
    }
    let left = calendar.working_days_left(today, deadline);
    if !inputs_ready && left <= spec.early_warning_working_days {
        return DeadlineState::EarlyWarning {
            deadline,
            working_days_left: left,
        };
    }
    DeadlineState::Fine
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

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32, sec: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, sec).unwrap()
    }

    fn job(name: &str) -> JobSpec {
        load_jobs(None)
            .unwrap()
            .into_iter()
            .find(|j| j.job == name)
            .unwrap()
    }

    fn record(
        job: &str,
        scheduled: DateTime<Utc>,
        finished: DateTime<Utc>,
        outcome: &str,
    ) -> RunRecord {
        RunRecord {
            job: job.into(),
            scheduled_for: scheduled,
            finished_at: finished,
            outcome: outcome.into(),
        }
    }

    #[test]
    fn the_monthly_report_is_due_early_on_the_first_shanghai_time() {
        let report = job("monthly_report");
        // 06:00:30 on 12-01 in Shanghai is 22:00:30 UTC on 11-30.
        let due = due_jobs(&[report.clone()], &[], utc(2026, 11, 30, 22, 0, 30));
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].scheduled_for, utc(2026, 11, 30, 22, 0, 0));
        assert_eq!(due[0].reason, DueReason::OnTime);
        // Across the year end: 2027-01-01 06:00 Shanghai.
        let due = due_jobs(&[report.clone()], &[], utc(2026, 12, 31, 22, 0, 5));
        assert_eq!(due[0].scheduled_for, utc(2026, 12, 31, 22, 0, 0));
        // The same instant read in UTC is not yet the 1st at 06:00.
        let mut utc_report = report;
        utc_report.timezone = "UTC".into();
        assert!(due_jobs(&[utc_report.clone()], &[], utc(2026, 11, 30, 22, 0, 30)).is_empty());
        let due = due_jobs(&[utc_report], &[], utc(2026, 12, 1, 6, 0, 10));
        assert_eq!(due[0].scheduled_for, utc(2026, 12, 1, 6, 0, 0));
    }

    #[test]
    fn a_week_of_downtime_gives_one_catch_up_run() {
        let jobs = load_jobs(None).unwrap();
        let history = vec![
            record(
                "ingest",
                utc(2026, 11, 20, 2, 0, 0),
                utc(2026, 11, 20, 2, 0, 9),
                "ok",
            ),
            record(
                "monthly_report",
                utc(2026, 10, 31, 22, 0, 0),
                utc(2026, 10, 31, 22, 1, 0),
                "ok",
            ),
        ];
        // Back on 11-27 10:03 Shanghai: the ingest's latest tick (10:00) runs
        // once; the report's (11-01) is older than its 7 days; no regrade.
        let due = due_jobs(&jobs, &history, utc(2026, 11, 27, 2, 3, 0));
        let names: Vec<(&str, DueReason)> = due
            .iter()
            .map(|d| (d.spec.job.as_str(), d.reason))
            .collect();
        assert_eq!(
            names,
            vec![
                ("alerts", DueReason::CatchUp),
                ("ingest", DueReason::CatchUp)
            ]
        );
        assert_eq!(due[1].scheduled_for, utc(2026, 11, 27, 2, 0, 0));
        // Down over the 1st (11-28 to 12-04 10:00): the report of 12-01 runs once.
        let due = due_jobs(&jobs, &history, utc(2026, 12, 4, 2, 0, 30));
        let report: Vec<&DueJob> = due
            .iter()
            .filter(|d| d.spec.job == "monthly_report")
            .collect();
        assert_eq!(report.len(), 1);
        assert_eq!(report[0].scheduled_for, utc(2026, 11, 30, 22, 0, 0));
        assert_eq!(report[0].reason, DueReason::CatchUp);
    }

    #[test]
    fn a_failed_report_is_retried_until_it_succeeds() {
        let report = job("monthly_report");
        let tick = utc(2026, 11, 30, 22, 0, 0);
        let failed = vec![record(
            "monthly_report",
            tick,
            utc(2026, 11, 30, 22, 5, 0),
            "failed",
        )];
        assert!(due_jobs(&[report.clone()], &failed, utc(2026, 11, 30, 22, 20, 0)).is_empty());
        let due = due_jobs(&[report.clone()], &failed, utc(2026, 11, 30, 22, 36, 0));
        assert_eq!(due[0].reason, DueReason::Retry);
        assert_eq!(due[0].scheduled_for, tick);
        let mut done = failed;
        done.push(record(
            "monthly_report",
            tick,
            utc(2026, 11, 30, 22, 37, 0),
            "ok",
        ));
        assert!(due_jobs(&[report], &done, utc(2026, 12, 1, 3, 0, 0)).is_empty());
    }

    #[test]
    fn the_report_retry_window_closes_seven_days_after_the_tick() {
        let report = job("monthly_report");
        let december = utc(2026, 11, 30, 22, 0, 0);
        let november = utc(2026, 10, 31, 22, 0, 0);
        // Within the seven days (168 hours) of December's tick only
        // November's window is closed (at its own seven days).
        let open = closed_retry_windows(&report, utc(2026, 12, 7, 21, 59, 0));
        assert_eq!(open, vec![(november, utc(2026, 11, 7, 22, 0, 0))]);
        // Just past: December's closes, exactly at tick + 168 h.
        let closed = closed_retry_windows(&report, utc(2026, 12, 7, 22, 0, 1));
        assert_eq!(
            closed,
            vec![
                (november, utc(2026, 11, 7, 22, 0, 0)),
                (december, utc(2026, 12, 7, 22, 0, 0))
            ]
        );
        // The ingest job has no retries, so no window.
        assert!(closed_retry_windows(&job("ingest"), utc(2026, 12, 7, 22, 0, 1)).is_empty());
    }

    #[test]
    fn the_deadline_moves_to_the_last_working_day_before_the_eighth() {
        let calendar = crate::calendar::Calendar::shipped();
        let date = |y: i32, m: u32, d: u32| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        // 2026-11-08 is a Sunday → Friday 11-06.
        assert_eq!(
            deadline_in_month(&calendar, date(2026, 11, 2), 8),
            date(2026, 11, 6)
        );
        // 2025-10-01..08 are holidays: not back into September (the job
        // runs on the 1st) but the first working day after, Thu 10-09.
        assert_eq!(
            deadline_in_month(&calendar, date(2025, 10, 2), 8),
            date(2025, 10, 9)
        );
        // A day the month does not have: its last (02-28 2026, a Saturday
        // worked in exchange, 调休).
        assert_eq!(
            deadline_in_month(&calendar, date(2026, 2, 2), 30),
            date(2026, 2, 28)
        );
        // 2026-12-08 is a Tuesday: itself.
        assert_eq!(
            deadline_in_month(&calendar, date(2026, 12, 1), 8),
            date(2026, 12, 8)
        );

        let report = job("monthly_report");
        let state =
            |today, delivered, ready| deadline_state(&report, &calendar, today, delivered, ready);
        assert_eq!(
            state(date(2026, 11, 7), false, true),
            DeadlineState::Overdue {
                deadline: date(2026, 11, 6)
            }
        );
        assert_eq!(state(date(2026, 11, 7), true, true), DeadlineState::Fine);
        assert_eq!(state(date(2026, 11, 6), false, true), DeadlineState::Fine);
        assert_eq!(
            state(date(2026, 11, 4), false, false),
            DeadlineState::EarlyWarning {
                deadline: date(2026, 11, 6),
                working_days_left: 2
            }
        );
        assert_eq!(state(date(2026, 11, 3), false, false), DeadlineState::Fine);
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
