//! The text of the scheduler's alerts (in Chinese, for the people who read
//! them): the report's deadline passed or is near with inputs missing, and
//! a job's retry window closed without a successful run.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::{DeadlineState, JobKind};
use crate::config::Config;
use crate::delivery::Readiness;
use crate::month::Month;

/// Subject and body of the deadline alert for `month`'s report on `today`;
/// `None` when the deadline says nothing.
pub fn deadline(
    config: &Config,
    month: Month,
    today: NaiveDate,
    state: &DeadlineState,
    readiness: &Readiness,
) -> Option<(String, String)> {
    match *state {
        DeadlineState::Fine => None,
        DeadlineState::Overdue { deadline } => Some((
            format!("【月报逾期】{month} 月报未在 {deadline} 前送达"),
            format!(
                "{} {month} 客户满意度月报应于 {deadline} 前送达，今天 {today} 仍未送达。{}",
                config.company.name,
                readiness.describe()
            ),
        )),
        DeadlineState::EarlyWarning {
            deadline,
            working_days_left,
        } => Some((
            format!("【月报预警】{month} 月报输入不全，距截止还有 {working_days_left} 个工作日"),
            format!(
                "{month} 月报应于 {deadline} 前送达，目前：{}",
                readiness.describe()
            ),
        )),
    }
}

/// Subject and body of the alert for a tick of `job` whose retry window
/// closed at `closed_at` after `attempts` failed runs (first and last
/// given in local time; `last_error` already masked).
#[allow(clippy::too_many_arguments)]
pub fn given_up(
    config: &Config,
    job: JobKind,
    tick: DateTime<Utc>,
    closed_at: DateTime<Utc>,
    timezone: &Tz,
    first: &str,
    attempts: usize,
    last: &str,
    last_error: &str,
) -> (String, String) {
    let closed = closed_at.with_timezone(timezone).format("%Y-%m-%d %H:%M");
    let tried = format!(
        "自 {first} 起共尝试 {attempts} 次均未成功，重试期已于 {closed} 结束，不再自动重试。\n最后一次（{last}）失败原因：{last_error}",
    );
    if job == JobKind::MonthlyReport {
        let month = Month::before(tick.with_timezone(timezone).date_naive());
        (
            format!("【月报未生成】{month} 月报未能生成并送达，重试期已结束"),
            format!(
                "{} {month} 客户满意度月报未能生成并送达。{tried}\n处理原因后可运行 csat run monthly_report（或 csat deliver --month {month}）补发。",
                config.company.name
            ),
        )
    } else {
        (
            format!("【任务未完成】{job} 重试期已结束"),
            format!(
                "任务 {job}（计划于 {}）未能完成。{tried}",
                tick.with_timezone(timezone).format("%Y-%m-%d %H:%M")
            ),
        )
    }
}
