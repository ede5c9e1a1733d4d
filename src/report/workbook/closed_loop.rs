//! 问题清单, 投诉与提案 and 行动计划跟踪: the closed loop of problems,
//! complaints, proposals and action plans, with their deadlines.

use rust_xlsxwriter::Worksheet;

use super::{
    more_rows_line, print_setup, table_header, write_counts, write_optional_percent, Formats,
    LIST_ROWS, SHEET_ITEMS, SHEET_PROBLEMS, SHEET_TRACKING,
};
use crate::analysis::MonthlyResults;
use crate::report::RenderError;

/// Where a problem row's text cells get their format: from each cell
/// (`Cell`) or from the columns (`Column`: a sheet of problems only, as the
/// detail workbooks, whose columns are given the text format; rust_xlsxwriter
/// then looks no format up per cell, which was a third of the detail
/// workbooks' writing). With `Column` an empty text (an owner no department
/// names) writes no cell: the column's format shows on it all the same.
#[derive(Clone, Copy)]
pub(in crate::report) enum TextFormat {
    /// Each text cell carries the text format.
    Cell,
    /// The columns carry it.
    Column,
}

/// Writes `value` as text: with the text format, or in a column that has it.
fn write_text(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    value: &str,
    formats: &Formats,
    text: TextFormat,
) -> Result<(), RenderError> {
    match text {
        TextFormat::Cell => sheet.write_string_with_format(row, column, value, &formats.text)?,
        TextFormat::Column => sheet.write_string(row, column, value)?,
    };
    Ok(())
}

/// `剩 3 个工作日` / `今天到期` / `超期 2 个工作日`, coloured.
fn write_days_left(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    days_left: Option<i64>,
    formats: &Formats,
    text: TextFormat,
) -> Result<(), RenderError> {
    match days_left {
        None => write_text(sheet, row, column, "—", formats, text)?,
        Some(0) => {
            sheet.write_string_with_format(
                row,
                column,
                formats.lang.t("今天到期"),
                &formats.missed,
            )?;
        }
        Some(d) if d > 0 => write_text(
            sheet,
            row,
            column,
            &formats
                .lang
                .pick(format!("剩 {d} 个工作日"), format!("{d} working days left")),
            formats,
            text,
        )?,
        Some(d) => {
            sheet.write_string_with_format(
                row,
                column,
                formats.lang.pick(
                    format!("超期 {} 个工作日", -d),
                    format!("{} working days overdue", -d),
                ),
                &formats.missed,
            )?;
        }
    };
    Ok(())
}
/// The origin of a problem as the sheet names it.
fn origin_label<'a>(origin: &'a str, formats: &Formats) -> &'a str {
    match origin {
        "complaint" => formats.lang.t("投诉"),
        "answer" => formats.lang.t("低分评价"),
        "callback" => formats.lang.t("回访反馈"),
        other => other,
    }
}

/// The columns of a problem listed one by one (问题清单 and the detail
/// workbooks).
pub(in crate::report) fn problem_item_headers(formats: &Formats) -> [(&'static str, f64); 10] {
    [
        (formats.lang.t("来源"), 8.0),
        (formats.lang.t("编号"), 18.0),
        (formats.lang.t("日期"), 11.0),
        (formats.lang.t("严重等级"), 8.0),
        (formats.lang.t("问题类别"), 14.0),
        (formats.lang.t("责任部门"), 14.0),
        (formats.lang.t("责任人"), 10.0),
        (formats.lang.t("完成期限"), 11.0),
        (formats.lang.t("状态"), 10.0),
        (formats.lang.t("剩余/超期（月末）"), 16.0),
    ]
}

/// Writes one problem on `row` in the columns of [`problem_item_headers`],
/// its text cells formatted as `text` says.
pub(in crate::report) fn write_problem_item(
    sheet: &mut Worksheet,
    row: u32,
    problem: &crate::analysis::closed_loop::ProblemItem,
    formats: &Formats,
    text: TextFormat,
) -> Result<(), RenderError> {
    let origin = origin_label(problem.origin.as_str(), formats);
    write_text(sheet, row, 0, origin, formats, text)?;
    write_text(sheet, row, 1, &problem.item_id, formats, text)?;
    write_text(
        sheet,
        row,
        2,
        &problem.happened_on.to_string(),
        formats,
        text,
    )?;
    match problem.severity {
        Some(severity) => {
            sheet.write_number_with_format(row, 3, severity as f64, &formats.integer)?;
        }
        None => write_text(sheet, row, 3, "—", formats, text)?,
    };
    write_text(sheet, row, 4, &problem.category, formats, text)?;
    write_text(sheet, row, 5, &problem.department, formats, text)?;
    write_text(sheet, row, 6, &problem.owner, formats, text)?;
    write_text(sheet, row, 7, &problem.due_on.to_string(), formats, text)?;
    write_text(sheet, row, 8, &problem.status, formats, text)?;
    write_days_left(sheet, row, 9, problem.days_left, formats, text)
}

/// The month's problems, bounded whatever their number: one row per
/// department × category × origin (count, open, overdue, oldest open due
/// date, owner); then per department how many are listed here and which
/// detail workbook holds the others; then the listed problems one by one
/// (per department the most severe and most overdue first).
pub(super) fn problems_sheet(
    sheet: &mut Worksheet,
    results: &MonthlyResults,
    formats: &Formats,
) -> Result<(), RenderError> {
    sheet.set_name(formats.lang.t(SHEET_PROBLEMS))?;
    let loop_ = &results.closed_loop;
    let group_headers = [
        (formats.lang.t("责任部门"), 14.0),
        (formats.lang.t("问题类别"), 14.0),
        (formats.lang.t("来源"), 10.0),
        (formats.lang.t("问题数"), 11.0),
        (formats.lang.t("未关闭"), 8.0),
        (formats.lang.t("超期"), 11.0),
        (formats.lang.t("最早完成期限（未关闭）"), 14.0),
        (formats.lang.t("责任人"), 10.0),
    ];
    table_header(sheet, &group_headers, formats)?;
    sheet.set_column_width(8, 10.0)?;
    sheet.set_column_width(9, 16.0)?;
    let mut row = 0u32;
    for group in &loop_.problem_groups {
        row += 1;
        sheet.write_string_with_format(row, 0, &group.department, &formats.text)?;
        sheet.write_string_with_format(row, 1, &group.category, &formats.text)?;
        sheet.write_string_with_format(
            row,
            2,
            origin_label(group.origin.as_str(), formats),
            &formats.text,
        )?;
        sheet.write_number_with_format(row, 3, group.n as f64, &formats.integer)?;
        sheet.write_number_with_format(row, 4, group.n_open as f64, &formats.integer)?;
        let overdue = if group.n_overdue > 0 {
            &formats.missed
        } else {
            &formats.integer
        };
        sheet.write_number_with_format(row, 5, group.n_overdue as f64, overdue)?;
        match group.oldest_open_due {
            Some(due) => sheet.write_string_with_format(row, 6, due.to_string(), &formats.text)?,
            None => sheet.write_string_with_format(row, 6, "—", &formats.text)?,
        };
        sheet.write_string_with_format(row, 7, &group.owner, &formats.text)?;
    }
    let n_problems: i64 = loop_.problem_departments.iter().map(|d| d.n_total).sum();
    row += 1;
    sheet.write_string_with_format(
        row,
        0,
        formats.lang.pick(
            format!("合计 {n_problems} 个问题，{} 组", loop_.n_problem_groups),
            format!(
                "In all {n_problems} problems in {} groups",
                loop_.n_problem_groups
            ),
        ),
        &formats.label,
    )?;
    let hidden_groups = loop_.n_problem_groups - loop_.problem_groups.len() as i64;
    if hidden_groups > 0 {
        row += 1;
        sheet.write_string_with_format(
            row,
            0,
            formats.lang.pick(
                format!("另有 {hidden_groups} 组超出 Excel 的行数，未列出"),
                format!("{hidden_groups} more groups exceed Excel's rows and are not shown"),
            ),
            &formats.missed,
        )?;
    }

    // Which problems are listed below, and where the others are.
    row += 2;
    sheet.write_string_with_format(
        row,
        0,
        formats.lang.pick(
            format!(
                "逐条列出：每个部门最严重、超期最久的 {} 个；其余见明细工作簿（reports/{}/details/）",
                results.problem_items_per_department, results.month
            ),
            format!(
                "Listed one by one: per department the {} most severe and most overdue; the others are in the detail workbooks (reports/{}/details/)",
                results.problem_items_per_department, results.month
            ),
        ),
        &formats.label,
    )?;
    row += 1;
    for (column, header) in [
        formats.lang.t("责任部门"),
        formats.lang.t("问题数"),
        formats.lang.t("本表列出"),
        formats.lang.t("明细工作簿"),
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string_with_format(row, column as u16, *header, &formats.header)?;
    }
    for department in &loop_.problem_departments {
        row += 1;
        sheet.write_string_with_format(row, 0, &department.department, &formats.text)?;
        sheet.write_number_with_format(row, 1, department.n_total as f64, &formats.integer)?;
        sheet.write_number_with_format(row, 2, department.n_listed as f64, &formats.integer)?;
        let detail = match &department.detail_file {
            Some(file) => formats.lang.pick(
                format!("{} 个：{file}", department.n_total - department.n_listed),
                format!("{}: {file}", department.n_total - department.n_listed),
            ),
            None => "—".to_string(),
        };
        sheet.write_string_with_format(row, 3, detail, &formats.text)?;
    }

    row += 2;
    let header_row = row;
    for (column, (header, _)) in problem_item_headers(formats).iter().enumerate() {
        sheet.write_string_with_format(row, column as u16, *header, &formats.header)?;
    }
    for problem in &loop_.problems {
        row += 1;
        write_problem_item(sheet, row, problem, formats, TextFormat::Cell)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    if !loop_.problems.is_empty() {
        sheet.autofilter(header_row, 0, row, 9)?;
    }
    print_setup(sheet, 0)
}

/// Complaints and proposals with deadline status.
pub(super) fn items_sheet(
    sheet: &mut Worksheet,
    results: &MonthlyResults,
    formats: &Formats,
) -> Result<(), RenderError> {
    sheet.set_name(formats.lang.t(SHEET_ITEMS))?;
    let headers = [
        (formats.lang.t("类型"), 6.0),
        (formats.lang.t("编号"), 12.0),
        (formats.lang.t("受理日期"), 11.0),
        (formats.lang.t("严重等级"), 8.0),
        (formats.lang.t("类别"), 14.0),
        (formats.lang.t("责任部门"), 14.0),
        (formats.lang.t("责任人"), 10.0),
        (formats.lang.t("答复期限"), 11.0),
        (formats.lang.t("答复日期"), 11.0),
        (formats.lang.t("按时"), 6.0),
        (formats.lang.t("状态"), 8.0),
        (formats.lang.t("剩余/超期（月末）"), 16.0),
    ];
    table_header(sheet, &headers, formats)?;
    let items = &results.closed_loop.items;
    let shown = items.len().min(LIST_ROWS);
    more_rows_line(sheet, 1 + shown as u32, items.len() - shown, formats)?;
    for (index, item) in items[..shown].iter().enumerate() {
        let row = 1 + index as u32;
        sheet.write_string_with_format(
            row,
            0,
            if item.kind == crate::analysis::ItemKind::Complaint {
                formats.lang.t("投诉")
            } else {
                formats.lang.t("提案")
            },
            &formats.text,
        )?;
        sheet.write_string_with_format(row, 1, &item.item_id, &formats.text)?;
        sheet.write_string_with_format(row, 2, item.received_on.to_string(), &formats.text)?;
        match item.severity {
            Some(severity) => {
                let format = if severity == 1 {
                    &formats.missed
                } else {
                    &formats.integer
                };
                sheet.write_number_with_format(row, 3, severity as f64, format)?
            }
            None => sheet.write_string_with_format(row, 3, "—", &formats.text)?,
        };
        sheet.write_string_with_format(row, 4, &item.category, &formats.text)?;
        sheet.write_string_with_format(row, 5, &item.department, &formats.text)?;
        sheet.write_string_with_format(row, 6, &item.owner, &formats.text)?;
        sheet.write_string_with_format(row, 7, item.due_on.to_string(), &formats.text)?;
        let answered = item.responded_on.or(item.closed_on);
        sheet.write_string_with_format(
            row,
            8,
            answered.map(|d| d.to_string()).unwrap_or_default(),
            &formats.text,
        )?;
        match item.on_time {
            Some(true) => {
                sheet.write_string_with_format(row, 9, formats.lang.t("是"), &formats.met)?
            }
            Some(false) => {
                sheet.write_string_with_format(row, 9, formats.lang.t("否"), &formats.missed)?
            }
            None => sheet.write_string_with_format(row, 9, "", &formats.text)?,
        };
        sheet.write_string_with_format(
            row,
            10,
            formats.lang.t(item.state.label()),
            &formats.text,
        )?;
        write_days_left(sheet, row, 11, item.days_left, formats, TextFormat::Cell)?;
    }
    sheet.set_freeze_panes(1, 2)?;
    if !items.is_empty() {
        sheet.autofilter(0, 0, items.len() as u32, (headers.len() - 1) as u16)?;
    }
    print_setup(sheet, 0)
}

/// Action plans per department (open, due, overdue, closed, closure rate
/// this month and last), and items closed without root cause or action.
pub(super) fn tracking_sheet(
    sheet: &mut Worksheet,
    results: &MonthlyResults,
    formats: &Formats,
) -> Result<(), RenderError> {
    sheet.set_name(formats.lang.t(SHEET_TRACKING))?;
    let headers = [
        (formats.lang.t("部门"), 14.0),
        (formats.lang.t("事项"), 8.0),
        (formats.lang.t("未关闭"), 8.0),
        (formats.lang.t("本月到期"), 9.0),
        (formats.lang.t("已超期"), 8.0),
        (formats.lang.t("已关闭"), 8.0),
        (formats.lang.t("关闭率"), 9.0),
        (formats.lang.t("上月关闭率"), 10.0),
    ];
    table_header(sheet, &headers, formats)?;
    let tracking = &results.closed_loop.tracking;
    for (index, department) in tracking.iter().enumerate() {
        let row = 1 + index as u32;
        sheet.write_string_with_format(row, 0, &department.department, &formats.text)?;
        let counts = [
            department.total,
            department.open,
            department.due_this_month,
            department.overdue,
            department.closed,
        ];
        write_counts(sheet, row, 1, &counts, 3, formats)?;
        sheet.write_number_with_format(
            row,
            6,
            department.closure_rate / 100.0,
            &formats.percent,
        )?;
        write_optional_percent(sheet, row, 7, department.previous_closure_rate, formats)?;
    }
    if tracking.is_empty() {
        sheet.write_string_with_format(
            1,
            0,
            formats.lang.t("本月没有收到行动计划追踪表"),
            &formats.text,
        )?;
    }
    let mut row = tracking.len().max(1) as u32 + 2;
    sheet.write_string_with_format(
        row,
        0,
        formats.lang.t("关闭但缺少原因分析或改善措施的事项"),
        &formats.label,
    )?;
    for flagged in &results.closed_loop.flagged {
        row += 1;
        sheet.write_string_with_format(row, 0, &flagged.department, &formats.text)?;
        sheet.write_string_with_format(row, 1, &flagged.item_id, &formats.missed)?;
        sheet.write_string_with_format(
            row,
            2,
            formats.lang.pick(
                format!("缺少{}", flagged.missing),
                format!(
                    "missing {}",
                    flagged
                        .missing
                        .replace("原因分析", "root cause")
                        .replace("改善措施", "action")
                        .replace('、', " and ")
                ),
            ),
            &formats.missed,
        )?;
    }
    if results.closed_loop.flagged.is_empty() {
        sheet.write_string_with_format(row + 1, 0, formats.lang.t("无"), &formats.text)?;
    }
    sheet.set_freeze_panes(1, 1)?;
    print_setup(sheet, 0)
}
