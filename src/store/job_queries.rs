//! The SQL the pipeline and the scheduler run on their own records (job
//! runs, deliveries, gradings), one file each under `sql/jobs/` (and
//! `sql/status/`), as named constants. Kept in the store: no SQL text lives
//! outside it (tidy test).

/// Recent scheduled runs: `$1` the earliest tick date.
pub const JOB_HISTORY: &str = include_str!("../../sql/jobs/job_history.sql");

/// Every attempt of one job for one tick: `$1` job, `$2` tick (UTC text).
pub const TICK_ATTEMPTS: &str = include_str!("../../sql/jobs/tick_attempts.sql");

/// Successful full deliveries of a month: `$1` month.
pub const MONTH_DELIVERED: &str = include_str!("../../sql/jobs/month_delivered.sql");

/// Successful deliveries of a month to one recipient: `$1` month,
/// `$2` recipient, `$3` kind, `$4` department key (`''` for none).
pub const RECIPIENT_DELIVERED: &str = include_str!("../../sql/jobs/recipient_delivered.sql");

/// The latest grading of a month: `$1` month.
pub const GRADED_THIS_MONTH: &str = include_str!("../../sql/jobs/graded_this_month.sql");

/// The latest run of every job, for `csat status`.
pub const LAST_RUNS: &str = include_str!("../../sql/status/last_runs.sql");

/// Every query of this module, by name (for `csat check` and the tests).
pub const ALL: &[(&str, &str)] = &[
    ("job_history", JOB_HISTORY),
    ("tick_attempts", TICK_ATTEMPTS),
    ("month_delivered", MONTH_DELIVERED),
    ("recipient_delivered", RECIPIENT_DELIVERED),
    ("graded_this_month", GRADED_THIS_MONTH),
    ("last_runs", LAST_RUNS),
];
