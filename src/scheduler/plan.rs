//! When jobs run: the ticks that are due (on time, caught up after
//! downtime, retried after a failure), the ticks whose retry window has
//! closed, and the monthly report's deadline (SPEC: the report is due by
//! the 8th, or the last working day before it).

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::JobSpec;
use crate::pipeline::{JobKind, RunOutcome};

/// A recorded run, as the planner needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    /// The job.
    pub job: JobKind,
    /// The tick it ran for.
    pub scheduled_for: DateTime<Utc>,
    /// When it ended.
    pub finished_at: DateTime<Utc>,
    /// How it ended.
    pub outcome: RunOutcome,
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
            Some(last) if attempts.iter().all(|r| r.outcome == RunOutcome::Failed) => {
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
    // Day 1 and the days up to the month's last always exist.
    let first = today - chrono::Days::new(u64::from(today.day0()));
    let last_day = first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .map_or(28, |d| d.day());
    let nominal = first.with_day(day.clamp(1, last_day)).unwrap_or(first);
    // Back to the last working day on or before it, but never into the
    // month before (the report job runs on the 1st): when holidays cover the
    // 1st to the day (National Day), the first working day after them.
    let mut deadline = nominal;
    while !calendar.is_working_day(deadline) && deadline > first {
        let Some(before) = deadline.pred_opt() else {
            break;
        };
        deadline = before;
    }
    if !calendar.is_working_day(deadline) {
        deadline = nominal;
        for _ in 0..31 {
            let Some(next) = deadline.succ_opt() else {
                break;
            };
            deadline = next;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::load_jobs;
    use chrono::TimeZone;

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
            job: job.parse().unwrap(),
            scheduled_for: scheduled,
            finished_at: finished,
            outcome: RunOutcome::parse(outcome).unwrap(),
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
        utc_report.timezone = chrono_tz::UTC;
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
}
