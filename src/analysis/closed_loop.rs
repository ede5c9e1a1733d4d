//! The closed loop (SPEC "Complaints, proposals, action plans and
//! escalation"): deadlines in working days for complaints and proposals, an
//! owner and a due date for every problem of the month, and the tracking of
//! departments' action plans. Deadlines come from the configured calendar;
//! "today" is a parameter (the report uses the month's last day).

use chrono::NaiveDate;
use serde::Serialize;

use super::{group_name, GroupKind, ItemKind, ProblemOrigin, ACTION_PLAN_ITEMS, LIFECYCLE_ITEMS};
use crate::config::Config;
use crate::month::Month;
use crate::store::{Param, Store, StoreError};

use super::problem_list::problem_list;
pub use super::problem_list::{detail_file_name, for_each_problem_detail};

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ItemState {
    /// Waiting for an answer.
    Open,
    /// Answered (complaints) or processed (proposals), not yet closed.
    Responded,
    /// Closed.
    Closed,
}

impl ItemState {
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            ItemState::Open => "待处理",
            ItemState::Responded => "已答复",
            ItemState::Closed => "已关闭",
        }
    }
}

/// A complaint or proposal with its deadline.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TrackedItem {
    /// Complaint or proposal.
    pub kind: ItemKind,
    /// Its id.
    pub item_id: String,
    /// Received.
    pub received_on: NaiveDate,
    /// Severity 1–3 (complaints).
    pub severity: Option<i64>,
    /// Category (root cause, complaint category, proposal category).
    pub category: String,
    /// Responsible department (name).
    pub department: String,
    /// Its owner (the department's).
    pub owner: String,
    /// Answer (complaint) or processing (proposal) due.
    pub due_on: NaiveDate,
    /// Answered or processed on.
    pub responded_on: Option<NaiveDate>,
    /// Closed on.
    pub closed_on: Option<NaiveDate>,
    /// Where it stands on the day.
    pub state: ItemState,
    /// Working days left (negative: overdue), while open.
    pub days_left: Option<i64>,
    /// Answered by the due date (once answered).
    pub on_time: Option<bool>,
    /// The description or content.
    pub description: String,
}

/// A problem of the month with who fixes it by when.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ProblemItem {
    /// `complaint`, `answer` or `callback`.
    pub origin: ProblemOrigin,
    /// Its id.
    pub item_id: String,
    /// When it happened.
    pub happened_on: NaiveDate,
    /// A complaint's severity (1 most severe); `None` for other problems.
    pub severity: Option<i64>,
    /// Root-cause category.
    pub category: String,
    /// Responsible department (name; 未指定部门 when none).
    pub department: String,
    /// Owner: the action plan's, else the department's.
    pub owner: String,
    /// Due: the action plan's, else by the configured working days.
    pub due_on: NaiveDate,
    /// Status: the action plan's, else 待处理 / 已关闭.
    pub status: String,
    /// Working days left (negative: overdue) while not closed.
    pub days_left: Option<i64>,
}

/// The problems of one department, category and origin in aggregate (a
/// row of 问题清单's first table).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ProblemGroup {
    /// Responsible department (name; 未指定部门 when none).
    pub department: String,
    /// Root-cause category.
    pub category: String,
    /// `complaint`, `answer` or `callback`.
    pub origin: ProblemOrigin,
    /// Problems.
    pub n: i64,
    /// Not closed.
    pub n_open: i64,
    /// Not closed and due before the day.
    pub n_overdue: i64,
    /// The earliest due date of the open ones.
    pub oldest_open_due: Option<NaiveDate>,
    /// The department's owner, else the action plans' owner when they all
    /// name the same.
    pub owner: String,
}

/// How many of a department's problems 问题清单 lists one by one, and
/// where the others are.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ProblemDepartment {
    /// Department key (`""` when no department owns the problems).
    pub key: String,
    /// Department name (未指定部门 when none).
    pub department: String,
    /// Its problems in the month.
    pub n_total: i64,
    /// Listed on the sheet (`[report] problem_items_per_department` at most).
    pub n_listed: i64,
    /// The detail workbook with the others, relative to `reports/<month>/`
    /// (`details/csat-problems-<month>-<key>.xlsx`), when there are others.
    pub detail_file: Option<String>,
}

/// A department's action plans on a day.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DepartmentTracking {
    /// Department name.
    pub department: String,
    /// Items.
    pub total: i64,
    /// Not closed.
    pub open: i64,
    /// Not closed and due in the month.
    pub due_this_month: i64,
    /// Not closed and past their due date.
    pub overdue: i64,
    /// Closed.
    pub closed: i64,
    /// closed / total, percent.
    pub closure_rate: f64,
    /// The rate by the plans loaded up to the month's end (before this
    /// round of returns), when there were items then.
    pub previous_closure_rate: Option<f64>,
}

/// An action-plan item closed without a root cause or an action.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FlaggedItem {
    /// Item id.
    pub item_id: String,
    /// Department name.
    pub department: String,
    /// What is missing.
    pub missing: String,
}

/// The closed loop of a month.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ClosedLoop {
    /// Complaints and proposals received in the month or still open at its end.
    pub items: Vec<TrackedItem>,
    /// The month's problems listed one by one: per department the first
    /// `[report] problem_items_per_department`, most severe and most
    /// overdue first (the others are in the detail workbooks).
    pub problems: Vec<ProblemItem>,
    /// The month's problems per department × category × origin (at most
    /// Excel's rows; `n_problem_groups` says how many there are).
    pub problem_groups: Vec<ProblemGroup>,
    /// Groups in all.
    pub n_problem_groups: i64,
    /// Per department: problems, listed, detail workbook.
    pub problem_departments: Vec<ProblemDepartment>,
    /// Action-plan tracking per department.
    pub tracking: Vec<DepartmentTracking>,
    /// Items closed without root cause or action.
    pub flagged: Vec<FlaggedItem>,
}

/// Statuses that mean closed (action plans, complaints).
fn is_closed_status(status: &str) -> bool {
    crate::config::CLOSED_STATUSES.contains(&status.trim().to_lowercase().as_str())
}

/// A department's name; 未指定部门 when no department (NULL or '') owns it.
pub(super) fn department_name(config: &Config, key: Option<&str>) -> String {
    match key.filter(|k| !k.is_empty()) {
        Some(key) => group_name(config, GroupKind::Department, key),
        None => "未指定部门".to_string(),
    }
}

/// A department's configured owner, '' when none.
pub(super) fn department_owner(config: &Config, key: Option<&str>) -> String {
    key.and_then(|k| config.departments.iter().find(|d| d.key == k))
        .and_then(|d| d.owner.clone())
        .unwrap_or_default()
}

/// The answer (complaint) or processing (proposal) due date.
pub fn item_due(
    config: &Config,
    kind: ItemKind,
    received: NaiveDate,
    severity: Option<i64>,
    extended: bool,
) -> NaiveDate {
    let deadlines = &config.deadlines;
    let days = if kind == ItemKind::Complaint {
        let index = severity.unwrap_or(3).clamp(1, 3) as usize - 1;
        deadlines.complaint_working_days[index]
    } else if extended {
        deadlines.proposal_extended_working_days
    } else {
        deadlines.proposal_working_days
    };
    config.calendar.add_working_days(received, days)
}

/// Complaints and proposals received on or before `today`, with deadlines.
///
/// # Errors
/// A query fails.
pub fn tracked_items(
    store: &Store,
    config: &Config,
    today: NaiveDate,
) -> Result<Vec<TrackedItem>, StoreError> {
    let rows = LIFECYCLE_ITEMS.run(store, &[Param::Date(today)])?;
    rows.iter()
        .map(|row| {
            let kind: ItemKind = row.parse("kind")?;
            let received_on = row.date("received_on")?;
            // What is known on `today`: later answers do not count yet.
            let known = |column: &str| -> Result<Option<NaiveDate>, StoreError> {
                Ok(row.opt_date(column)?.filter(|d| *d <= today))
            };
            let responded_on = known("responded_on")?;
            let closed_on = known("closed_on")?;
            let severity = row.opt_i64("severity")?;
            let extended = row.bool("extended")?;
            let due_on = item_due(config, kind, received_on, severity, extended);
            // A closing status without a date is trusted; with a date, the
            // date decides (a complaint closed after `today` was open then).
            let closed_by_status =
                row.opt_date("closed_on")?.is_none() && is_closed_status(&row.text("status")?);
            let state = if closed_on.is_some() || closed_by_status {
                ItemState::Closed
            } else if responded_on.is_some() {
                ItemState::Responded
            } else {
                ItemState::Open
            };
            let answered = responded_on.or(closed_on);
            let department = row.opt_text("department")?;
            Ok(TrackedItem {
                item_id: row.text("item_id")?,
                received_on,
                severity,
                category: row.text("category")?,
                department: department_name(config, department.as_deref()),
                owner: department_owner(config, department.as_deref()),
                due_on,
                responded_on,
                closed_on,
                state,
                days_left: (state == ItemState::Open)
                    .then(|| config.calendar.working_days_left(today, due_on)),
                on_time: answered.map(|a| a <= due_on),
                description: row.text("description")?,
                kind,
            })
        })
        .collect()
}

struct PlanRow {
    item_id: String,
    department: Option<String>,
    root_cause: String,
    action: String,
    due_on: Option<NaiveDate>,
    status: String,
}

fn plan_rows(store: &Store, on: NaiveDate) -> Result<Vec<PlanRow>, StoreError> {
    ACTION_PLAN_ITEMS
        .run(store, &[Param::Date(on)])?
        .into_iter()
        .map(|row| {
            Ok(PlanRow {
                item_id: row.text("item_id")?,
                department: row.opt_text("department")?,
                root_cause: row.text("root_cause")?,
                action: row.text("action")?,
                due_on: row.opt_date("due_on")?,
                status: row.text("status")?,
            })
        })
        .collect()
}

/// The closed loop of `month` as of `today` (the report passes the month's
/// last day).
///
/// # Errors
/// A query fails.
pub fn closed_loop(
    store: &Store,
    config: &Config,
    month: Month,
    today: NaiveDate,
) -> Result<ClosedLoop, StoreError> {
    let month_start = month.first_day();
    let items: Vec<TrackedItem> = tracked_items(store, config, today)?
        .into_iter()
        .filter(|item| item.received_on >= month_start || item.state != ItemState::Closed)
        .collect();
    // The plans as returned so far (departments send October's in early
    // November), and as they stood at the month's end, for the history.
    let plans = plan_rows(
        store,
        NaiveDate::from_ymd_opt(9999, 12, 31).expect("valid date"),
    )?;

    let (problem_groups, n_problem_groups, problems, problem_departments) =
        problem_list(store, config, month, today)?;

    let previous_plans = plan_rows(store, today)?;
    let rate = |rows: &[&PlanRow]| {
        let closed = rows.iter().filter(|p| is_closed_status(&p.status)).count();
        (!rows.is_empty()).then(|| closed as f64 * 100.0 / rows.len() as f64)
    };
    let mut departments: Vec<String> = plans
        .iter()
        .map(|p| department_name(config, p.department.as_deref()))
        .collect();
    departments.dedup();
    departments.sort_by_key(|name| {
        config
            .departments
            .iter()
            .position(|d| d.name == *name)
            .unwrap_or(usize::MAX)
    });
    departments.dedup();
    let tracking = departments
        .iter()
        .map(|name| {
            let rows: Vec<&PlanRow> = plans
                .iter()
                .filter(|p| department_name(config, p.department.as_deref()) == *name)
                .collect();
            let open: Vec<&&PlanRow> = rows
                .iter()
                .filter(|p| !is_closed_status(&p.status))
                .collect();
            let previous: Vec<&PlanRow> = previous_plans
                .iter()
                .filter(|p| department_name(config, p.department.as_deref()) == *name)
                .collect();
            DepartmentTracking {
                department: name.clone(),
                total: rows.len() as i64,
                open: open.len() as i64,
                due_this_month: open
                    .iter()
                    .filter(|p| p.due_on.is_some_and(|d| d >= month_start && d <= today))
                    .count() as i64,
                overdue: open
                    .iter()
                    .filter(|p| p.due_on.is_some_and(|d| d < today))
                    .count() as i64,
                closed: (rows.len() - open.len()) as i64,
                closure_rate: rate(&rows).unwrap_or(0.0),
                previous_closure_rate: rate(&previous),
            }
        })
        .collect();
    let flagged = plans
        .iter()
        .filter(|p| is_closed_status(&p.status))
        .filter_map(|p| {
            let missing: Vec<&str> = [
                (p.root_cause.trim().is_empty(), "原因分析"),
                (p.action.trim().is_empty(), "改善措施"),
            ]
            .iter()
            .filter(|(gone, _)| *gone)
            .map(|(_, what)| *what)
            .collect();
            (!missing.is_empty()).then(|| FlaggedItem {
                item_id: p.item_id.clone(),
                department: department_name(config, p.department.as_deref()),
                missing: missing.join("、"),
            })
        })
        .collect();
    Ok(ClosedLoop {
        items,
        problems,
        problem_groups,
        n_problem_groups,
        problem_departments,
        tracking,
        flagged,
    })
}
