//! 问题清单: every problem of a month with an owner and a due date (SPEC
//! "Complaints, proposals, action plans and escalation"), grouped by
//! department × category × origin, listed one by one up to the configured
//! cap per department, the rest streamed into detail workbooks.

use chrono::NaiveDate;

use super::closed_loop::{
    department_name, department_owner, item_due, ProblemDepartment, ProblemGroup, ProblemItem,
};
use super::{ItemKind, PROBLEM_DETAILS, PROBLEM_GROUPS, PROBLEM_ITEMS};
use crate::config::Config;
use crate::month::Month;
use crate::store::{Param, Row, Store, StoreError};

/// Fills `problem_deadlines` for the days of `month`: severity 1–3 a
/// complaint's answer deadline, 0 any other problem's.
fn set_problem_deadlines(store: &Store, config: &Config, month: Month) -> Result<(), StoreError> {
    let month_start = month.first_day();
    let mut rows = Vec::new();
    let mut day = month_start;
    while month.contains(day) {
        rows.push((
            day,
            0,
            config
                .calendar
                .add_working_days(day, config.deadlines.problem_working_days),
        ));
        for severity in 1..=3 {
            rows.push((
                day,
                severity,
                item_due(config, ItemKind::Complaint, day, Some(severity), false),
            ));
        }
        day = day.succ_opt().expect("a day after");
    }
    store.set_problem_deadlines(&rows)
}

/// A problem of `problem_items.sql` / `problem_details.sql` with its owner,
/// status and, when open, the working days left to its due date
/// (`working_days_left`, counted from the report's day).
fn problem_item(
    config: &Config,
    row: &Row,
    mut working_days_left: impl FnMut(NaiveDate) -> i64,
) -> Result<ProblemItem, StoreError> {
    let happened_on = row.date("happened_on")?;
    let closed = row.bool("closed")?;
    let due_on = row.opt_date("due_on")?.unwrap_or_else(|| {
        config
            .calendar
            .add_working_days(happened_on, config.deadlines.problem_working_days)
    });
    let status = match row.opt_text("plan_status")? {
        Some(status) => status,
        None if closed => "已关闭".to_string(),
        None => "待处理".to_string(),
    };
    let department = row.text("department")?;
    let owner = row
        .opt_text("plan_owner")?
        .filter(|o| !o.is_empty())
        .unwrap_or_else(|| department_owner(config, Some(&department)));
    Ok(ProblemItem {
        origin: row.parse("origin")?,
        item_id: row.text("item_id")?,
        happened_on,
        severity: row.opt_i64("severity")?,
        category: row.text("category")?,
        department: department_name(config, Some(&department)),
        owner,
        due_on,
        days_left: (!closed).then(|| working_days_left(due_on)),
        status,
    })
}

/// The detail workbook of a department's problems past the sheet's cap,
/// relative to `reports/<month>/`: the department's key when it is plain
/// ASCII, `unassigned` for problems no department owns, else its place in
/// the configuration.
pub fn detail_file_name(config: &Config, month: Month, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let name = if key.is_empty() {
        "unassigned".to_string()
    } else if plain {
        key.to_string()
    } else {
        let position = config
            .departments
            .iter()
            .position(|d| d.key == key)
            .unwrap_or(usize::MAX);
        format!("department-{}", position.wrapping_add(1))
    };
    format!("details/csat-problems-{month}-{name}.xlsx")
}

type ProblemList = (
    Vec<ProblemGroup>,
    i64,
    Vec<ProblemItem>,
    Vec<ProblemDepartment>,
);

/// 问题清单 of `month` as of `today`: the groups, the items listed one by
/// one and, per department, how many there are and where the rest go.
pub(super) fn problem_list(
    store: &Store,
    config: &Config,
    month: Month,
    today: NaiveDate,
) -> Result<ProblemList, StoreError> {
    set_problem_deadlines(store, config, month)?;
    let month_param = Param::Text(month.to_string());
    let mut n_problem_groups = 0;
    let groups = PROBLEM_GROUPS
        .run(
            store,
            &[
                month_param.clone(),
                Param::Date(today),
                Param::Int(i64::from(crate::config::EXCEL_MAX_DATA_ROWS) - 1),
            ],
        )?
        .into_iter()
        .map(|row| {
            n_problem_groups = row.i64("n_groups")?;
            let department = row.text("department")?;
            let owner = department_owner(config, Some(&department));
            Ok(ProblemGroup {
                department: department_name(config, Some(&department)),
                category: row.text("category")?,
                origin: row.parse("origin")?,
                n: row.i64("n")?,
                n_open: row.i64("n_open")?,
                n_overdue: row.i64("n_overdue")?,
                oldest_open_due: row.opt_date("oldest_open_due")?,
                owner: if owner.is_empty() {
                    row.opt_text("plan_owner")?.unwrap_or_default()
                } else {
                    owner
                },
            })
        })
        .collect::<Result<_, StoreError>>()?;
    let cap = config.report.problem_items_per_department;
    let mut items = Vec::new();
    let mut departments: Vec<ProblemDepartment> = Vec::new();
    for row in PROBLEM_ITEMS.run(
        store,
        &[month_param, Param::Date(today), Param::Int(i64::from(cap))],
    )? {
        let key = row.text("department")?;
        if departments.last().is_none_or(|d| d.key != key) {
            let n_total = row.i64("n_department")?;
            departments.push(ProblemDepartment {
                department: department_name(config, Some(&key)),
                n_total,
                n_listed: 0,
                detail_file: (n_total > i64::from(cap))
                    .then(|| detail_file_name(config, month, &key)),
                key,
            });
        }
        let item = problem_item(config, &row, |due_on| {
            config.calendar.working_days_left(today, due_on)
        })?;
        if let Some(department) = departments.last_mut() {
            department.n_listed += 1;
        }
        items.push(item);
    }
    // A cap of 0 lists no items: the departments come from the groups.
    if cap == 0 {
        departments = department_totals(store, config, month, today)?;
    }
    Ok((groups, n_problem_groups, items, departments))
}

/// Per department the month's problems, when none are listed one by one.
fn department_totals(
    store: &Store,
    config: &Config,
    month: Month,
    today: NaiveDate,
) -> Result<Vec<ProblemDepartment>, StoreError> {
    let mut departments: Vec<ProblemDepartment> = Vec::new();
    for row in PROBLEM_GROUPS.run(
        store,
        &[
            Param::Text(month.to_string()),
            Param::Date(today),
            Param::Int(i64::MAX),
        ],
    )? {
        let key = row.text("department")?;
        let n = row.i64("n")?;
        match departments.last_mut() {
            Some(d) if d.key == key => d.n_total += n,
            _ => departments.push(ProblemDepartment {
                department: department_name(config, Some(&key)),
                n_total: n,
                n_listed: 0,
                detail_file: Some(detail_file_name(config, month, &key)),
                key,
            }),
        }
    }
    Ok(departments)
}

/// Calls `each` with every problem of `month` (as of `today`) that 问题清单
/// does not list, department by department in the order of the sheet, with
/// the department's key; the rows are read from the store in batches, so
/// memory does not grow with their number.
///
/// # Errors
/// A query fails, or `each` does.
pub fn for_each_problem_detail<E: From<StoreError>>(
    store: &Store,
    config: &Config,
    month: Month,
    today: NaiveDate,
    mut each: impl FnMut(&str, ProblemItem) -> Result<(), E>,
) -> Result<(), E> {
    set_problem_deadlines(store, config, month)?;
    // Working days left by due date: the month's problems share a few dozen
    // due dates, and counting the days one by one for each of hundreds of
    // thousands of problems was a tenth of this stream's thread.
    let mut days_left: std::collections::HashMap<NaiveDate, i64> = Default::default();
    store.query_each(
        PROBLEM_DETAILS.key,
        PROBLEM_DETAILS.sql,
        &[
            Param::Text(month.to_string()),
            Param::Date(today),
            Param::Int(i64::from(config.report.problem_items_per_department)),
        ],
        |row| {
            let key = row.text("department")?;
            let working_days_left = |due_on: NaiveDate| {
                *days_left
                    .entry(due_on)
                    .or_insert_with(|| config.calendar.working_days_left(today, due_on))
            };
            each(&key, problem_item(config, row, working_days_left)?)
        },
    )
}
