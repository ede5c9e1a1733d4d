//! 问题柏拉图 and 部门柏拉图: rankings with their combined charts, and how
//! problems were categorised.

use rust_xlsxwriter::{Chart, ChartType, Worksheet};

use super::{print_setup, reference_line, Formats, SHEET_DEPARTMENT_PARETO, SHEET_PARETO};
use crate::analysis::MonthlyResults;
use crate::report::RenderError;

pub(super) fn pareto_sheet_render(
    sheet: &mut Worksheet,
    results: &MonthlyResults,
    formats: &Formats,
) -> Result<(), RenderError> {
    sheet.set_name(formats.lang.t(SHEET_PARETO))?;
    let company = |view: &str| {
        results
            .paretos
            .iter()
            .find(|p| p.scope == "company" && p.view.as_str() == view)
    };
    let title = formats.lang.pick(
        format!("问题柏拉图 {}（按件数）", results.month),
        format!("Pareto {} (by count)", results.month),
    );
    let mut next = pareto_block(
        sheet,
        formats.lang.t(SHEET_PARETO),
        0,
        &title,
        &results.pareto,
        false,
        formats,
    )?;
    let last = results.pareto.len() as u32;
    sheet.set_freeze_panes(1, 0)?;
    if last > 0 {
        sheet.autofilter(0, 0, last, (PARETO_HEADERS.len() - 1) as u16)?;
    }
    if let Some(weighted) = company("weighted") {
        sheet.write_string_with_format(
            next,
            0,
            formats.lang.t("按严重度加权（第二视图）"),
            &formats.label,
        )?;
        let title = formats.lang.pick(
            format!("问题柏拉图 {}（按严重度加权）", results.month),
            format!("Pareto {} (by severity weight)", results.month),
        );
        next = pareto_block(
            sheet,
            formats.lang.t(SHEET_PARETO),
            next + 1,
            &title,
            &weighted.rows,
            true,
            formats,
        )?;
    }
    problem_sources_table(sheet, next, results, formats)?;
    print_setup(sheet, 0)
}

/// Every department's ranking (by count), one block each: table and chart.
pub(super) fn department_pareto_sheet(
    sheet: &mut Worksheet,
    results: &MonthlyResults,
    formats: &Formats,
) -> Result<(), RenderError> {
    sheet.set_name(formats.lang.t(SHEET_DEPARTMENT_PARETO))?;
    let mut next = 0;
    let rankings: Vec<_> = results
        .paretos
        .iter()
        .filter(|p| p.view == crate::analysis::ParetoView::Count && p.scope != "company")
        .collect();
    if rankings.is_empty() {
        sheet.write_string_with_format(0, 0, formats.lang.t("本月没有问题记录"), &formats.text)?;
    }
    for ranking in rankings {
        let total: i64 = ranking.rows.iter().map(|r| r.count).sum();
        sheet.write_string_with_format(
            next,
            0,
            formats.lang.pick(
                format!("{}：{} 件问题", ranking.scope_name, total),
                format!(
                    "{}: {} problems",
                    formats.lang.t(&ranking.scope_name),
                    total
                ),
            ),
            &formats.title,
        )?;
        let title = formats.lang.pick(
            format!("{} 问题柏拉图 {}", ranking.scope_name, results.month),
            format!(
                "{} Pareto {}",
                formats.lang.t(&ranking.scope_name),
                results.month
            ),
        );
        next = pareto_block(
            sheet,
            formats.lang.t(SHEET_DEPARTMENT_PARETO),
            next + 1,
            &title,
            &ranking.rows,
            false,
            formats,
        )?;
    }
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    Ok(())
}

const PARETO_HEADERS: [(&str, f64); 10] = [
    ("排名", 6.0),
    ("问题类别", 16.0),
    ("件数", 8.0),
    ("占比", 9.0),
    ("累计占比", 10.0),
    ("关键少数", 10.0),
    ("80%参考线", 10.0),
    ("加权件数", 10.0),
    ("上月件数", 10.0),
    ("环比变化", 10.0),
];

/// Rows a Pareto chart takes below its table.
const CHART_ROWS: u32 = 16;

/// Writes one ranking's table with its header at `top`, and its combined
/// chart below (columns for the value, cumulative % on a secondary 0–100 %
/// axis, the 80 % reference); returns the first free row after both.
/// `weighted` charts the severity-weighted value instead of the count.
fn pareto_block(
    sheet: &mut Worksheet,
    sheet_name: &str,
    top: u32,
    title: &str,
    rows: &[crate::analysis::ParetoRow],
    weighted: bool,
    formats: &Formats,
) -> Result<u32, RenderError> {
    for (column, (header, width)) in PARETO_HEADERS.iter().enumerate() {
        sheet.write_string_with_format(
            top,
            column as u16,
            formats.lang.t(header),
            &formats.header,
        )?;
        sheet.set_column_width(column as u16, *width)?;
    }
    for (index, problem) in rows.iter().enumerate() {
        let row = top + 1 + index as u32;
        sheet.write_number_with_format(row, 0, problem.rank as f64, &formats.integer)?;
        sheet.write_string_with_format(row, 1, &problem.category, &formats.text)?;
        sheet.write_number_with_format(row, 2, problem.count as f64, &formats.integer)?;
        sheet.write_number_with_format(row, 3, problem.share / 100.0, &formats.percent)?;
        sheet.write_number_with_format(
            row,
            4,
            problem.cumulative_share / 100.0,
            &formats.percent,
        )?;
        if problem.vital_few {
            sheet.write_string_with_format(row, 5, formats.lang.t("是"), &formats.missed)?;
        } else {
            sheet.write_string_with_format(row, 5, formats.lang.t("否"), &formats.text)?;
        }
        sheet.write_number_with_format(row, 6, 0.8, &formats.percent)?;
        sheet.write_number_with_format(row, 7, problem.weighted, &formats.one_decimal)?;
        sheet.write_number_with_format(row, 8, problem.previous_count as f64, &formats.integer)?;
        let change = (problem.count - problem.previous_count) as f64;
        sheet.write_number_with_format(row, 9, change, &formats.points)?;
    }
    if rows.is_empty() {
        return Ok(top + 2);
    }
    let (first, last) = (top + 1, top + rows.len() as u32);
    let value_column = if weighted { 7 } else { 2 };
    let value_name = if weighted {
        formats.lang.t("加权件数")
    } else {
        formats.lang.t("件数")
    };
    let mut columns = Chart::new(ChartType::Column);
    columns
        .add_series()
        .set_name(value_name)
        .set_categories((sheet_name, first, 1, last, 1))
        .set_values((sheet_name, first, value_column, last, value_column))
        .set_gap(40);
    columns.title().set_name(title);
    columns.y_axis().set_name(value_name).set_min(0);
    columns.y2_axis().set_min(0).set_max(1).set_num_format("0%");
    let mut lines = Chart::new(ChartType::Line);
    lines
        .add_series()
        .set_name(formats.lang.t("累计占比"))
        .set_categories((sheet_name, first, 1, last, 1))
        .set_values((sheet_name, first, 4, last, 4))
        .set_secondary_axis(true);
    lines
        .add_series()
        .set_name("80%")
        .set_categories((sheet_name, first, 1, last, 1))
        .set_values((sheet_name, first, 6, last, 6))
        .set_format(&mut reference_line())
        .set_secondary_axis(true);
    columns.combine(&lines);
    sheet.insert_chart(last + 2, 0, &columns)?;
    Ok(last + 2 + CHART_ROWS)
}

/// Keyword rules with their hits this month, and how many problems were
/// categorised otherwise, left uncategorised, or excluded.
fn problem_sources_table(
    sheet: &mut Worksheet,
    top: u32,
    results: &MonthlyResults,
    formats: &Formats,
) -> Result<(), RenderError> {
    sheet.write_string_with_format(top, 0, formats.lang.t("问题归类来源"), &formats.label)?;
    for (column, header) in [
        formats.lang.t("方式"),
        formats.lang.t("关键词"),
        formats.lang.t("归入类别"),
        formats.lang.t("件数"),
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string_with_format(top + 1, column as u16, *header, &formats.header)?;
    }
    for (index, source) in results.problem_sources.iter().enumerate() {
        let row = top + 2 + index as u32;
        let kind = match source.kind.as_str() {
            "keyword" => formats.lang.t("关键词规则"),
            "record" => formats.lang.t("记录自带原因"),
            "question" => formats.lang.t("题目所属指标"),
            "none" => formats.lang.t("未分类（已计入）"),
            "excluded" => formats.lang.t("已排除（状态无效/重复/撤销）"),
            other => other,
        };
        sheet.write_string_with_format(row, 0, kind, &formats.text)?;
        sheet.write_string_with_format(
            row,
            1,
            source.keyword.as_deref().unwrap_or(""),
            &formats.text,
        )?;
        sheet.write_string_with_format(
            row,
            2,
            source.category.as_deref().unwrap_or(""),
            &formats.text,
        )?;
        sheet.write_number_with_format(row, 3, source.hits as f64, &formats.integer)?;
    }
    Ok(())
}
