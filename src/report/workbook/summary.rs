//! 总览: the headline figures, top problems, departments below target, the
//! key-driver block, the narrative paragraph and the 13-month trend. The
//! figures come from [`CompanySummary`], as in the narrative's text.

use rust_xlsxwriter::{Chart, ChartType, Format, Worksheet};

use super::{write_optional_points, write_percent_in, Formats, SHEET_SUMMARY};
use crate::analysis::MonthlyResults;
use crate::report::company::{month_label, CompanySummary};
use crate::report::RenderError;

/// Row of the first headline figure (and of the trend table's header).
const FIGURES_ROW: u32 = 2;
/// Column of the trend table (month, satisfaction).
const TREND_COLUMN: u16 = 3;

pub(super) fn summary_sheet(
    sheet: &mut Worksheet,
    results: &MonthlyResults,
    summary_text: &str,
    formats: &Formats,
) -> Result<(), RenderError> {
    let summary = CompanySummary::of(results);
    sheet.set_name(formats.lang.t(SHEET_SUMMARY))?;
    sheet.set_column_width(0, 18)?;
    sheet.set_column_width(1, 16)?;
    sheet.set_column_width(2, 4)?;
    sheet.set_column_width(3, 12)?;
    sheet.set_column_width(4, 12)?;
    title(sheet, results, formats)?;
    let mut row = headline_figures(sheet, FIGURES_ROW, &summary, formats)?;
    row = response_figures(sheet, row, &summary, formats)?;
    row = top_problems(sheet, row + 2, &summary, formats)?;
    row = missed_departments(sheet, row + 2, &summary, formats)?;
    row = crate::report::drivers::summary_block(sheet, row + 2, results, formats)?;
    row += 1;
    sheet.merge_range(row, 0, row + 7, 7, summary_text, &formats.wrap)?;
    trend(sheet, results, formats)?;
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    Ok(())
}

fn title(
    sheet: &mut Worksheet,
    results: &MonthlyResults,
    formats: &Formats,
) -> Result<(), RenderError> {
    sheet.write_string_with_format(
        0,
        0,
        formats.lang.pick(
            format!(
                "{} 客户满意度月报 {}",
                results.company_name,
                month_label(results)
            ),
            format!(
                "{} — customer satisfaction, {}",
                results.company_name, results.month
            ),
        ),
        &formats.title,
    )?;
    Ok(())
}

/// Satisfaction, band, target, gap, change, responses, answers and NPS from
/// `top` down; returns the last row written.
fn headline_figures(
    sheet: &mut Worksheet,
    top: u32,
    summary: &CompanySummary,
    formats: &Formats,
) -> Result<u32, RenderError> {
    let mut row = top;
    sheet.write_string_with_format(row, 0, formats.lang.t("公司满意度"), &formats.label)?;
    let met_format = if summary.met {
        &formats.met
    } else {
        &formats.missed
    };
    let satisfaction = summary.satisfaction.map(|s| (s, met_format));
    write_percent_or(
        sheet,
        row,
        satisfaction,
        (formats.lang.t("无数据"), &formats.missed),
    )?;
    row += 1;
    sheet.write_string_with_format(row, 0, formats.lang.t("满意度等级"), &formats.label)?;
    sheet.write_string_with_format(
        row,
        1,
        summary
            .band
            .map(|band| formats.lang.t(band.label()))
            .unwrap_or("—"),
        &formats.text,
    )?;
    row += 1;
    sheet.write_string_with_format(row, 0, formats.lang.t("公司目标"), &formats.label)?;
    sheet.write_number_with_format(row, 1, summary.target / 100.0, &formats.percent)?;
    row += 1;
    sheet.write_string_with_format(
        row,
        0,
        formats.lang.t("与目标差距（百分点）"),
        &formats.label,
    )?;
    write_optional_points(sheet, row, 1, summary.gap, formats)?;
    row += 1;
    sheet.write_string_with_format(row, 0, formats.lang.t("环比（百分点）"), &formats.label)?;
    write_optional_points(sheet, row, 1, summary.change_previous, formats)?;
    row += 1;
    sheet.write_string_with_format(row, 0, formats.lang.t("问卷与回访份数"), &formats.label)?;
    sheet.write_number_with_format(row, 1, summary.n_responses as f64, &formats.integer)?;
    row += 1;
    sheet.write_string_with_format(row, 0, formats.lang.t("有效答案数"), &formats.label)?;
    sheet.write_number_with_format(row, 1, summary.n_answers as f64, &formats.integer)?;
    row += 1;
    sheet.write_string_with_format(row, 0, formats.lang.t("NPS（净推荐值）"), &formats.label)?;
    match summary.nps {
        Some(nps) => sheet.write_number_with_format(row, 1, nps, &formats.one_decimal)?,
        None => sheet.write_string_with_format(row, 1, "—", &formats.text)?,
    };
    Ok(row)
}

/// The questionnaire's response rate, its penalty and the sample check, on
/// the rows below `above`; returns the last row written.
fn response_figures(
    sheet: &mut Worksheet,
    above: u32,
    summary: &CompanySummary,
    formats: &Formats,
) -> Result<u32, RenderError> {
    let questionnaire = summary.questionnaire;
    let mut row = above + 1;
    sheet.write_string_with_format(row, 0, formats.lang.t("问卷回收率"), &formats.label)?;
    let rate = questionnaire.and_then(|r| {
        let below = r.below_threshold == Some(true);
        r.rate.map(|rate| {
            (
                rate,
                if below {
                    &formats.missed
                } else {
                    &formats.percent
                },
            )
        })
    });
    write_percent_or(
        sheet,
        row,
        rate,
        (formats.lang.t("发放数未知"), &formats.text),
    )?;
    row += 1;
    sheet.write_string_with_format(row, 0, formats.lang.t("回收率扣分"), &formats.label)?;
    sheet.write_number_with_format(row, 1, -(summary.penalty as f64), &formats.points)?;
    row += 1;
    sheet.write_string_with_format(row, 0, formats.lang.t("样本量检查"), &formats.label)?;
    match questionnaire.and_then(|r| r.required.zip(r.sufficient)) {
        Some((required, true)) => sheet.write_string_with_format(
            row,
            1,
            formats.lang.pick(
                format!("足够（需 {required} 份）"),
                format!("sufficient (needs {required})"),
            ),
            &formats.met,
        )?,
        Some((required, false)) => sheet.write_string_with_format(
            row,
            1,
            formats.lang.pick(
                format!("样本不足（需 {required} 份）"),
                format!("INSUFFICIENT (needs {required})"),
            ),
            &formats.missed,
        )?,
        None => sheet.write_string_with_format(
            row,
            1,
            formats.lang.t("服务客户数未知"),
            &formats.text,
        )?,
    };
    Ok(row)
}

/// The three largest problem categories with their header at `top`;
/// returns the last row written.
fn top_problems(
    sheet: &mut Worksheet,
    top: u32,
    summary: &CompanySummary,
    formats: &Formats,
) -> Result<u32, RenderError> {
    let mut row = top;
    sheet.write_string_with_format(row, 0, formats.lang.t("三大问题"), &formats.header)?;
    sheet.write_string_with_format(row, 1, formats.lang.t("件数"), &formats.header)?;
    for problem in summary.top_problems {
        row += 1;
        sheet.write_string_with_format(row, 0, &problem.category, &formats.text)?;
        sheet.write_number_with_format(row, 1, problem.count as f64, &formats.integer)?;
    }
    Ok(row)
}

/// Departments below target with their gaps (or 无), header at `top`;
/// returns the last row written.
fn missed_departments(
    sheet: &mut Worksheet,
    top: u32,
    summary: &CompanySummary,
    formats: &Formats,
) -> Result<u32, RenderError> {
    let mut row = top;
    sheet.write_string_with_format(row, 0, formats.lang.t("未达标部门"), &formats.header)?;
    sheet.write_string_with_format(row, 1, formats.lang.t("差距（百分点）"), &formats.header)?;
    if summary.missed.is_empty() {
        row += 1;
        sheet.write_string_with_format(row, 0, formats.lang.t("无"), &formats.text)?;
    }
    for department in &summary.missed {
        row += 1;
        sheet.write_string_with_format(row, 0, &department.name, &formats.missed)?;
        write_optional_points(sheet, row, 1, department.gap, formats)?;
    }
    Ok(row)
}

/// A figure of column 1: the percentage in its format, or a label in
/// another when it is unknown.
fn write_percent_or(
    sheet: &mut Worksheet,
    row: u32,
    value: Option<(f64, &Format)>,
    (missing, missing_format): (&str, &Format),
) -> Result<(), RenderError> {
    match value {
        Some((value, format)) => write_percent_in(sheet, row, 1, value, format),
        None => {
            sheet.write_string_with_format(row, 1, missing, missing_format)?;
            Ok(())
        }
    }
}

/// The 13-month trend table and its line chart, to the right of the figures.
fn trend(
    sheet: &mut Worksheet,
    results: &MonthlyResults,
    formats: &Formats,
) -> Result<(), RenderError> {
    let (top, column) = (FIGURES_ROW, TREND_COLUMN);
    sheet.write_string_with_format(top, column, formats.lang.t("月份"), &formats.header)?;
    sheet.write_string_with_format(top, column + 1, formats.lang.t("满意度"), &formats.header)?;
    for (index, month) in results.trend.iter().enumerate() {
        let row = top + 1 + index as u32;
        sheet.write_string_with_format(row, column, &month.month, &formats.text)?;
        sheet.write_number_with_format(
            row,
            column + 1,
            month.satisfaction / 100.0,
            &formats.percent,
        )?;
    }
    if !results.trend.is_empty() {
        let (first, last) = (top + 1, top + results.trend.len() as u32);
        let sheet_name = formats.lang.t(SHEET_SUMMARY);
        let mut chart = Chart::new(ChartType::Line);
        chart
            .add_series()
            .set_name(formats.lang.t("公司满意度"))
            .set_categories((sheet_name, first, column, last, column))
            .set_values((sheet_name, first, column + 1, last, column + 1));
        chart
            .title()
            .set_name(formats.lang.t("公司满意度趋势（13个月）"));
        chart.y_axis().set_num_format("0%");
        chart.legend().set_hidden();
        sheet.insert_chart(top, 6, &chart)?;
    }
    Ok(())
}
