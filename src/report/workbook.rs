//! The monthly workbook: summary, department scores against target, and the
//! company Pareto with a native combined chart. Returns bytes; the creation
//! time is fixed from the report month so the same results give the same
//! bytes.

use rust_xlsxwriter::{
    Chart, ChartLine, ChartLineDashType, ChartType, Color, DocProperties, ExcelDateTime, Format,
    FormatAlign, FormatBorder, Workbook, Worksheet,
};

use super::text::{narrative, SummaryContext};
use super::RenderError;
use crate::analysis::{Band, MonthlyResults};

/// Summary sheet name.
pub const SHEET_SUMMARY: &str = "总览";
/// Department scores sheet name.
pub const SHEET_DEPARTMENTS: &str = "部门得分";
/// Company Pareto sheet name.
pub const SHEET_PARETO: &str = "问题柏拉图";
/// Per-department Pareto rankings.
pub const SHEET_DEPARTMENT_PARETO: &str = "部门柏拉图";
/// Indicator, channel, region and dealer scores.
pub const SHEET_GROUPS: &str = "分组得分";
/// Phone-callback summary.
pub const SHEET_CALLBACKS: &str = "电话回访";
/// Respondents by band (pie) and by score (histogram).
pub const SHEET_DISTRIBUTION: &str = "满意度分布";
/// Every problem with its department, owner and due date.
pub const SHEET_PROBLEMS: &str = "问题清单";
/// Complaints and proposals with their deadlines.
pub const SHEET_ITEMS: &str = "投诉与提案";
/// Action-plan tracking.
pub const SHEET_TRACKING: &str = "行动计划跟踪";
/// Customer grades and payment terms sheet name.
pub const SHEET_CUSTOMERS: &str = "客户分级";
/// Data-quality sheet name: files behind the month and what was refused.
pub const SHEET_DATA_QUALITY: &str = "数据质量";

const GREEN_FILL: u32 = 0xC6EFCE;
const GREEN_TEXT: u32 = 0x006100;
const RED_FILL: u32 = 0xFFC7CE;
const RED_TEXT: u32 = 0x9C0006;
const HEADER_FILL: u32 = 0x1F4E78;

pub(super) struct Formats {
    pub(super) lang: super::labels::Lang,
    pub(super) title: Format,
    pub(super) header: Format,
    pub(super) label: Format,
    pub(super) text: Format,
    pub(super) percent: Format,
    pub(super) points: Format,
    pub(super) integer: Format,
    pub(super) one_decimal: Format,
    pub(super) met: Format,
    pub(super) missed: Format,
    pub(super) wrap: Format,
}

impl Formats {
    pub(super) fn new(lang: super::labels::Lang) -> Formats {
        let base = Format::new()
            .set_border(FormatBorder::Thin)
            .set_font_name("微软雅黑");
        Formats {
            lang,
            title: Format::new()
                .set_bold()
                .set_font_size(16)
                .set_font_name("微软雅黑"),
            header: base
                .clone()
                .set_bold()
                .set_font_color(Color::White)
                .set_background_color(Color::RGB(HEADER_FILL))
                .set_align(FormatAlign::Center)
                .set_text_wrap(),
            label: base.clone().set_bold(),
            text: base.clone(),
            percent: base.clone().set_num_format("0.0%"),
            points: base.clone().set_num_format("+0.0;-0.0;0.0"),
            integer: base.clone().set_num_format("0"),
            one_decimal: base.clone().set_num_format("0.0"),
            met: base
                .clone()
                .set_font_color(Color::RGB(GREEN_TEXT))
                .set_background_color(Color::RGB(GREEN_FILL))
                .set_align(FormatAlign::Center),
            missed: base
                .clone()
                .set_font_color(Color::RGB(RED_TEXT))
                .set_background_color(Color::RGB(RED_FILL))
                .set_align(FormatAlign::Center),
            wrap: Format::new()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_font_name("微软雅黑"),
        }
    }
}

/// Renders the monthly workbook.
///
/// # Errors
/// rust_xlsxwriter or a template refuses something.
pub fn render_workbook(
    results: &MonthlyResults,
    lang: super::labels::Lang,
) -> Result<Vec<u8>, RenderError> {
    let formats = Formats::new(lang);
    let mut workbook = Workbook::new();
    let (year, month) = crate::analysis::parse_month(&results.month).unwrap_or((2000, 1));
    let created = ExcelDateTime::from_ymd(year as u16, month as u8, 1)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title(formats.lang.pick(
                format!("{} 客户满意度月报 {}", results.company_name, results.month),
                format!(
                    "{} customer satisfaction {}",
                    results.company_name, results.month
                ),
            ))
            .set_author("csat")
            .set_creation_datetime(&created),
    );

    let context = SummaryContext::new(results);
    let summary_text = match lang {
        super::labels::Lang::Zh => narrative(&context)?,
        super::labels::Lang::En => super::text::narrative_en(&context)?,
    };
    summary_sheet(
        workbook.add_worksheet(),
        results,
        &context,
        &summary_text,
        &formats,
    )?;
    departments_sheet(workbook.add_worksheet(), results, &formats)?;
    let pareto_sheet = workbook.add_worksheet();
    pareto_sheet_render(pareto_sheet, results, &formats)?;
    department_pareto_sheet(workbook.add_worksheet(), results, &formats)?;
    groups_sheet(workbook.add_worksheet(), results, &formats)?;
    super::drivers::drivers_sheet(workbook.add_worksheet(), results, &formats)?;
    super::comments::comments_sheet(workbook.add_worksheet(), results, &formats)?;
    distribution_sheet(workbook.add_worksheet(), results, &formats)?;
    callbacks_sheet(workbook.add_worksheet(), results, &formats)?;
    // Detail sheets can be long (a problem per low answer): written row by
    // row in constant-memory mode.
    problems_sheet(
        workbook.add_worksheet_with_constant_memory()?,
        results,
        &formats,
    )?;
    items_sheet(workbook.add_worksheet(), results, &formats)?;
    tracking_sheet(workbook.add_worksheet(), results, &formats)?;
    customers_sheet(workbook.add_worksheet(), results, &formats)?;
    data_quality_sheet(
        workbook.add_worksheet_with_constant_memory()?,
        results,
        &formats,
    )?;
    Ok(workbook.save_to_buffer()?)
}

pub(super) fn print_setup(sheet: &mut Worksheet, header_row: u32) -> Result<(), RenderError> {
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(header_row, header_row)?;
    Ok(())
}

/// Writes a table's header row (row 0) and sets the column widths.
pub(super) fn table_header(
    sheet: &mut Worksheet,
    headers: &[(&str, f64)],
    formats: &Formats,
) -> Result<(), RenderError> {
    for (column, (header, width)) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, *header, &formats.header)?;
        sheet.set_column_width(column as u16, *width)?;
    }
    Ok(())
}

/// The dashed red line of targets and reference levels.
fn reference_line() -> ChartLine {
    let mut line = ChartLine::new();
    line.set_color(Color::RGB(RED_TEXT))
        .set_dash_type(ChartLineDashType::Dash);
    line
}

fn write_optional_percent(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    value: Option<f64>,
    formats: &Formats,
) -> Result<(), RenderError> {
    match value {
        Some(v) => sheet.write_number_with_format(row, column, v / 100.0, &formats.percent)?,
        None => sheet.write_string_with_format(row, column, "—", &formats.text)?,
    };
    Ok(())
}

fn write_optional_points(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    value: Option<f64>,
    formats: &Formats,
) -> Result<(), RenderError> {
    match value {
        Some(v) => sheet.write_number_with_format(row, column, v, &formats.points)?,
        None => sheet.write_string_with_format(row, column, "—", &formats.text)?,
    };
    Ok(())
}

fn summary_sheet(
    sheet: &mut Worksheet,
    results: &MonthlyResults,
    context: &SummaryContext,
    summary_text: &str,
    formats: &Formats,
) -> Result<(), RenderError> {
    sheet.set_name(formats.lang.t(SHEET_SUMMARY))?;
    sheet.set_column_width(0, 18)?;
    sheet.set_column_width(1, 16)?;
    sheet.set_column_width(2, 4)?;
    sheet.set_column_width(3, 12)?;
    sheet.set_column_width(4, 12)?;
    sheet.write_string_with_format(
        0,
        0,
        formats.lang.pick(
            format!(
                "{} 客户满意度月报 {}",
                results.company_name, context.month_label
            ),
            format!(
                "{} — customer satisfaction, {}",
                results.company_name, results.month
            ),
        ),
        &formats.title,
    )?;

    let company = results.company.as_ref();
    let satisfaction = results.company_satisfaction();
    let mut row = 2;
    sheet.write_string_with_format(row, 0, formats.lang.t("公司满意度"), &formats.label)?;
    match satisfaction {
        Some(s) => {
            let format = if s >= results.company_target {
                &formats.met
            } else {
                &formats.missed
            };
            sheet.write_number_with_format(
                row,
                1,
                s / 100.0,
                &format.clone().set_num_format("0.0%"),
            )?
        }
        None => {
            sheet.write_string_with_format(row, 1, formats.lang.t("无数据"), &formats.missed)?
        }
    };
    row += 1;
    sheet.write_string_with_format(row, 0, formats.lang.t("满意度等级"), &formats.label)?;
    sheet.write_string_with_format(
        row,
        1,
        satisfaction
            .map(|s| formats.lang.t(Band::of(s).label()))
            .unwrap_or("—"),
        &formats.text,
    )?;
    row += 1;
    sheet.write_string_with_format(row, 0, formats.lang.t("公司目标"), &formats.label)?;
    sheet.write_number_with_format(row, 1, results.company_target / 100.0, &formats.percent)?;
    row += 1;
    sheet.write_string_with_format(
        row,
        0,
        formats.lang.t("与目标差距（百分点）"),
        &formats.label,
    )?;
    write_optional_points(
        sheet,
        row,
        1,
        satisfaction.map(|s| s - results.company_target),
        formats,
    )?;
    row += 1;
    let previous = results
        .trend
        .iter()
        .find(|m| m.month == crate::analysis::shift_month(&results.month, -1))
        .map(|m| m.satisfaction);
    sheet.write_string_with_format(row, 0, formats.lang.t("环比（百分点）"), &formats.label)?;
    write_optional_points(
        sheet,
        row,
        1,
        satisfaction.zip(previous).map(|(s, p)| s - p),
        formats,
    )?;
    row += 1;
    sheet.write_string_with_format(row, 0, formats.lang.t("问卷与回访份数"), &formats.label)?;
    sheet.write_number_with_format(
        row,
        1,
        company.map(|c| c.n_responses).unwrap_or(0) as f64,
        &formats.integer,
    )?;
    row += 1;
    sheet.write_string_with_format(row, 0, formats.lang.t("有效答案数"), &formats.label)?;
    sheet.write_number_with_format(
        row,
        1,
        company.map(|c| c.n_answers).unwrap_or(0) as f64,
        &formats.integer,
    )?;
    row += 1;
    sheet.write_string_with_format(row, 0, formats.lang.t("NPS（净推荐值）"), &formats.label)?;
    match results.nps.iter().find(|n| n.month == results.month) {
        Some(nps) => sheet.write_number_with_format(row, 1, nps.nps, &formats.one_decimal)?,
        None => sheet.write_string_with_format(row, 1, "—", &formats.text)?,
    };
    let questionnaire = results
        .response_rates
        .iter()
        .find(|r| r.channel == "questionnaire");
    row += 1;
    sheet.write_string_with_format(row, 0, formats.lang.t("问卷回收率"), &formats.label)?;
    match questionnaire.and_then(|r| r.rate) {
        Some(rate) => {
            let format = if rate < 50.0 {
                &formats.missed
            } else {
                &formats.percent
            };
            sheet.write_number_with_format(
                row,
                1,
                rate / 100.0,
                &format.clone().set_num_format("0.0%"),
            )?
        }
        None => {
            sheet.write_string_with_format(row, 1, formats.lang.t("发放数未知"), &formats.text)?
        }
    };
    row += 1;
    sheet.write_string_with_format(row, 0, formats.lang.t("回收率扣分"), &formats.label)?;
    sheet.write_number_with_format(row, 1, -(results.penalty as f64), &formats.points)?;
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

    row += 2;
    sheet.write_string_with_format(row, 0, formats.lang.t("三大问题"), &formats.header)?;
    sheet.write_string_with_format(row, 1, formats.lang.t("件数"), &formats.header)?;
    for problem in results.pareto.iter().take(3) {
        row += 1;
        sheet.write_string_with_format(row, 0, &problem.category, &formats.text)?;
        sheet.write_number_with_format(row, 1, problem.count as f64, &formats.integer)?;
    }

    row += 2;
    sheet.write_string_with_format(row, 0, formats.lang.t("未达标部门"), &formats.header)?;
    sheet.write_string_with_format(row, 1, formats.lang.t("差距（百分点）"), &formats.header)?;
    let missed: Vec<_> = results
        .departments
        .iter()
        .filter(|d| d.met == Some(false))
        .collect();
    if missed.is_empty() {
        row += 1;
        sheet.write_string_with_format(row, 0, formats.lang.t("无"), &formats.text)?;
    }
    for department in missed {
        row += 1;
        sheet.write_string_with_format(row, 0, &department.name, &formats.missed)?;
        write_optional_points(sheet, row, 1, department.gap, formats)?;
    }

    row = super::drivers::summary_block(sheet, row + 2, results, formats)?;

    row += 1;
    sheet.merge_range(row, 0, row + 7, 7, summary_text, &formats.wrap)?;

    // Trend table and chart, to the right.
    sheet.write_string_with_format(2, 3, formats.lang.t("月份"), &formats.header)?;
    sheet.write_string_with_format(2, 4, formats.lang.t("满意度"), &formats.header)?;
    for (index, month) in results.trend.iter().enumerate() {
        let trend_row = 3 + index as u32;
        sheet.write_string_with_format(trend_row, 3, &month.month, &formats.text)?;
        sheet.write_number_with_format(
            trend_row,
            4,
            month.satisfaction / 100.0,
            &formats.percent,
        )?;
    }
    if !results.trend.is_empty() {
        let last = 2 + results.trend.len() as u32;
        let mut chart = Chart::new(ChartType::Line);
        chart
            .add_series()
            .set_name(formats.lang.t("公司满意度"))
            .set_categories((formats.lang.t(SHEET_SUMMARY), 3, 3, last, 3))
            .set_values((formats.lang.t(SHEET_SUMMARY), 3, 4, last, 4));
        chart
            .title()
            .set_name(formats.lang.t("公司满意度趋势（13个月）"));
        chart.y_axis().set_num_format("0%");
        chart.legend().set_hidden();
        sheet.insert_chart(2, 6, &chart)?;
    }
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    Ok(())
}

fn departments_sheet(
    sheet: &mut Worksheet,
    results: &MonthlyResults,
    formats: &Formats,
) -> Result<(), RenderError> {
    sheet.set_name(formats.lang.t(SHEET_DEPARTMENTS))?;
    let headers = [
        (formats.lang.t("部门"), 16.0),
        (formats.lang.t("满意度"), 10.0),
        (formats.lang.t("目标"), 10.0),
        (formats.lang.t("差距（百分点）"), 12.0),
        (formats.lang.t("状态"), 10.0),
        (formats.lang.t("份数 n"), 8.0),
        (formats.lang.t("有效答案数"), 10.0),
        (formats.lang.t("上月"), 10.0),
        (formats.lang.t("环比（百分点）"), 12.0),
        (formats.lang.t("环比显著"), 9.0),
        (formats.lang.t("去年同期"), 10.0),
        (formats.lang.t("同比（百分点）"), 12.0),
        (formats.lang.t("同比显著"), 9.0),
    ];
    table_header(sheet, &headers, formats)?;
    for (index, department) in results.departments.iter().enumerate() {
        let row = 1 + index as u32;
        sheet.write_string_with_format(row, 0, &department.name, &formats.text)?;
        let shown = department.score.filter(|_| !department.too_small);
        if department.too_small && department.score.is_some() {
            sheet.write_string_with_format(
                row,
                1,
                too_small_label(results, formats),
                &formats.text,
            )?;
        } else {
            write_optional_percent(sheet, row, 1, shown, formats)?;
        }
        sheet.write_number_with_format(row, 2, department.target / 100.0, &formats.percent)?;
        write_optional_points(
            sheet,
            row,
            3,
            department.gap.filter(|_| shown.is_some()),
            formats,
        )?;
        match (department.met, shown.is_some()) {
            (Some(true), true) => {
                sheet.write_string_with_format(row, 4, formats.lang.t("达标"), &formats.met)?
            }
            (Some(false), true) => {
                sheet.write_string_with_format(row, 4, formats.lang.t("未达标"), &formats.missed)?
            }
            (Some(_), false) => {
                sheet.write_string_with_format(row, 4, formats.lang.t("样本不足"), &formats.text)?
            }
            (None, _) => {
                sheet.write_string_with_format(row, 4, formats.lang.t("无数据"), &formats.text)?
            }
        };
        sheet.write_number_with_format(row, 5, department.n_responses as f64, &formats.integer)?;
        sheet.write_number_with_format(row, 6, department.n_answers as f64, &formats.integer)?;
        write_optional_percent(sheet, row, 7, department.previous_score, formats)?;
        write_optional_points(sheet, row, 8, department.change_previous, formats)?;
        write_significance(
            sheet,
            row,
            9,
            department.change_previous,
            department.significant_previous,
            formats,
        )?;
        write_optional_percent(sheet, row, 10, department.last_year_score, formats)?;
        write_optional_points(sheet, row, 11, department.change_last_year, formats)?;
        write_significance(
            sheet,
            row,
            12,
            department.change_last_year,
            department.significant_last_year,
            formats,
        )?;
    }
    let last = results.departments.len() as u32;
    sheet.set_freeze_panes(1, 1)?;
    if last > 0 {
        sheet.autofilter(0, 0, last, (headers.len() - 1) as u16)?;
        let mut chart = Chart::new(ChartType::Column);
        chart
            .add_series()
            .set_name(formats.lang.t("满意度"))
            .set_categories((formats.lang.t(SHEET_DEPARTMENTS), 1, 0, last, 0))
            .set_values((formats.lang.t(SHEET_DEPARTMENTS), 1, 1, last, 1));
        let mut target_line = Chart::new(ChartType::Line);
        target_line
            .add_series()
            .set_name(formats.lang.t("目标"))
            .set_categories((formats.lang.t(SHEET_DEPARTMENTS), 1, 0, last, 0))
            .set_values((formats.lang.t(SHEET_DEPARTMENTS), 1, 2, last, 2))
            .set_format(&mut reference_line());
        chart.combine(&target_line);
        chart.title().set_name(formats.lang.t("部门满意度与目标"));
        chart.y_axis().set_num_format("0%");
        sheet.insert_chart(last + 3, 0, &chart)?;
    }
    sheet.write_string(last + 1, 0, formats.lang.t(SIGNIFICANCE_NOTE))?;
    print_setup(sheet, 0)
}

/// How a significant change is decided, printed under every table with changes.
const SIGNIFICANCE_NOTE: &str = "显著：变化超出抽样误差（Welch 双样本 z 检验，95%：|Δ| > 1.96·√(s₁²/n₁ + s₀²/n₀)，s² 为各答案占满分百分比的样本方差，n 为答案数）；份数低于最小样本时不判断。";

fn too_small_label(results: &MonthlyResults, formats: &Formats) -> String {
    formats.lang.pick(
        format!("样本不足（n<{}）", results.min_n),
        format!("n too small (n<{})", results.min_n),
    )
}

/// `显著↑` / `显著↓` when a change is outside the noise, else empty.
fn write_significance(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    change: Option<f64>,
    significant: bool,
    formats: &Formats,
) -> Result<(), RenderError> {
    match change {
        Some(c) if significant && c > 0.0 => {
            sheet.write_string_with_format(row, column, formats.lang.t("显著↑"), &formats.met)?
        }
        Some(c) if significant && c < 0.0 => {
            sheet.write_string_with_format(row, column, formats.lang.t("显著↓"), &formats.missed)?
        }
        _ => sheet.write_string_with_format(row, column, "", &formats.text)?,
    };
    Ok(())
}

/// Indicator, channel, region and dealer scores, each with its n.
fn groups_sheet(
    sheet: &mut Worksheet,
    results: &MonthlyResults,
    formats: &Formats,
) -> Result<(), RenderError> {
    sheet.set_name(formats.lang.t(SHEET_GROUPS))?;
    let headers = [
        (formats.lang.t("维度"), 10.0),
        (formats.lang.t("分组"), 22.0),
        (formats.lang.t("满意度"), 10.0),
        (formats.lang.t("等级"), 10.0),
        (formats.lang.t("份数 n"), 8.0),
        (formats.lang.t("有效答案数"), 10.0),
        (formats.lang.t("环比（百分点）"), 12.0),
        (formats.lang.t("环比显著"), 9.0),
        (formats.lang.t("同比（百分点）"), 12.0),
        (formats.lang.t("同比显著"), 9.0),
    ];
    table_header(sheet, &headers, formats)?;
    let mut row = 0;
    for group in results
        .groups
        .iter()
        .filter(|g| !matches!(g.dimension.as_str(), "company" | "department"))
    {
        row += 1;
        let dimension = match group.dimension.as_str() {
            "indicator" => formats.lang.t("评价指标"),
            "channel" => formats.lang.t("调查渠道"),
            "region" => formats.lang.t("区域"),
            "dealer" => formats.lang.t("经销商"),
            other => other,
        };
        sheet.write_string_with_format(row, 0, dimension, &formats.text)?;
        sheet.write_string_with_format(row, 1, &group.name, &formats.text)?;
        if group.too_small {
            sheet.write_string_with_format(
                row,
                2,
                too_small_label(results, formats),
                &formats.text,
            )?;
            sheet.write_string_with_format(row, 3, "—", &formats.text)?;
        } else {
            let band = Band::of(group.score);
            let format = if band == Band::Dissatisfied {
                &formats.missed
            } else {
                &formats.percent
            };
            sheet.write_number_with_format(
                row,
                2,
                group.score / 100.0,
                &format.clone().set_num_format("0.0%"),
            )?;
            sheet.write_string_with_format(row, 3, formats.lang.t(band.label()), &formats.text)?;
        }
        sheet.write_number_with_format(row, 4, group.n_responses as f64, &formats.integer)?;
        sheet.write_number_with_format(row, 5, group.n_answers as f64, &formats.integer)?;
        write_optional_points(sheet, row, 6, group.change_previous, formats)?;
        write_significance(
            sheet,
            row,
            7,
            group.change_previous,
            group.significant_previous,
            formats,
        )?;
        write_optional_points(sheet, row, 8, group.change_last_year, formats)?;
        write_significance(
            sheet,
            row,
            9,
            group.change_last_year,
            group.significant_last_year,
            formats,
        )?;
    }
    sheet.set_freeze_panes(1, 2)?;
    if row > 0 {
        sheet.autofilter(0, 0, row, (headers.len() - 1) as u16)?;
    }
    sheet.write_string(row + 2, 0, formats.lang.t(SIGNIFICANCE_NOTE))?;
    print_setup(sheet, 0)
}

/// 电话回访汇总表: planned, reached, reach rate, problems, and the average of
/// each dimension per callback type.
fn callbacks_sheet(
    sheet: &mut Worksheet,
    results: &MonthlyResults,
    formats: &Formats,
) -> Result<(), RenderError> {
    sheet.set_name(formats.lang.t(SHEET_CALLBACKS))?;
    let mut dimensions: Vec<&str> = Vec::new();
    for callback in &results.callbacks {
        for (name, _, _) in &callback.dimensions {
            if !dimensions.contains(&name.as_str()) {
                dimensions.push(name);
            }
        }
    }
    let mut headers: Vec<(&str, f64)> = vec![
        (formats.lang.t("回访类型"), 14.0),
        (formats.lang.t("计划回访"), 9.0),
        (formats.lang.t("接通"), 8.0),
        (formats.lang.t("接通率"), 9.0),
        (formats.lang.t("提出问题"), 9.0),
    ];
    headers.extend(dimensions.iter().map(|d| (*d, 12.0)));
    table_header(sheet, &headers, formats)?;
    for (index, callback) in results.callbacks.iter().enumerate() {
        let row = 1 + index as u32;
        sheet.write_string_with_format(row, 0, &callback.callback_type, &formats.text)?;
        sheet.write_number_with_format(row, 1, callback.planned as f64, &formats.integer)?;
        sheet.write_number_with_format(row, 2, callback.reached as f64, &formats.integer)?;
        sheet.write_number_with_format(row, 3, callback.reach_rate / 100.0, &formats.percent)?;
        sheet.write_number_with_format(row, 4, callback.problems as f64, &formats.integer)?;
        for (column, dimension) in dimensions.iter().enumerate() {
            let column = 5 + column as u16;
            match callback
                .dimensions
                .iter()
                .find(|(name, _, _)| name == dimension)
            {
                Some((_, average, _)) => {
                    sheet.write_number_with_format(row, column, *average, &formats.one_decimal)?
                }
                None => sheet.write_string_with_format(row, column, "—", &formats.text)?,
            };
        }
    }
    if results.callbacks.is_empty() {
        sheet.write_string_with_format(1, 0, formats.lang.t("本月没有回访记录"), &formats.text)?;
    }
    sheet.set_freeze_panes(1, 1)?;
    sheet.write_string(
        results.callbacks.len() as u32 + 2,
        0,
        formats
            .lang
            .t("各维度为 1–5 分的平均分；提出问题 = 接通且有备注（无、正常等不算）或有低分（≤2）的回访。"),
    )?;
    print_setup(sheet, 0)
}

fn pareto_sheet_render(
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
fn department_pareto_sheet(
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

/// Files behind the month (rows loaded, refused, superseded) and, below,
/// every refused cell with file, sheet, row, column and the expected form.
fn data_quality_sheet(
    sheet: &mut Worksheet,
    results: &MonthlyResults,
    formats: &Formats,
) -> Result<(), RenderError> {
    sheet.set_name(formats.lang.t(SHEET_DATA_QUALITY))?;
    table_header(
        sheet,
        &[
            (formats.lang.t("文件"), 36.0),
            (formats.lang.t("数据来源"), 20.0),
            (formats.lang.t("类型"), 12.0),
            (formats.lang.t("导入日期"), 12.0),
            (formats.lang.t("数据行"), 9.0),
            (formats.lang.t("已导入"), 9.0),
            (formats.lang.t("拒收"), 9.0),
            (formats.lang.t("本月计入"), 10.0),
            (formats.lang.t("被更正版替代"), 12.0),
        ],
        formats,
    )?;
    sheet.set_freeze_panes(1, 0)?;
    print_setup(sheet, 0)?;
    let mut row = 1;
    for file in &results.files {
        sheet.write_string_with_format(row, 0, &file.file_name, &formats.text)?;
        sheet.write_string_with_format(row, 1, &file.source, &formats.text)?;
        sheet.write_string_with_format(row, 2, &file.kind, &formats.text)?;
        sheet.write_string_with_format(row, 3, &file.loaded_on, &formats.text)?;
        for (column, value) in [
            file.n_rows,
            file.n_loaded,
            file.n_rejected,
            file.n_rows_in_month,
            file.n_superseded,
        ]
        .into_iter()
        .enumerate()
        {
            let format = if column == 2 && value > 0 {
                &formats.missed
            } else {
                &formats.integer
            };
            sheet.write_number_with_format(row, 4 + column as u16, value as f64, format)?;
        }
        row += 1;
    }
    if results.files.is_empty() {
        sheet.write_string_with_format(
            row,
            0,
            formats.lang.t("本月没有数据文件"),
            &formats.missed,
        )?;
        row += 1;
    }

    row += 1;
    sheet.write_string_with_format(
        row,
        0,
        formats.lang.pick(
            format!("拒收的单元格与行（{} 处）", results.n_rejected_total),
            format!("Refused cells and rows ({})", results.n_rejected_total),
        ),
        &formats.label,
    )?;
    row += 1;
    let header_row = row;
    for (column, header) in [
        formats.lang.t("文件"),
        formats.lang.t("工作表"),
        formats.lang.t("行"),
        formats.lang.t("列"),
        formats.lang.t("内容"),
        formats.lang.t("应为"),
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string_with_format(row, column as u16, *header, &formats.header)?;
    }
    for rejected in &results.rejected {
        row += 1;
        sheet.write_string_with_format(row, 0, &rejected.file_name, &formats.text)?;
        sheet.write_string_with_format(row, 1, &rejected.sheet, &formats.text)?;
        sheet.write_number_with_format(row, 2, rejected.row_number as f64, &formats.integer)?;
        sheet.write_string_with_format(row, 3, &rejected.column, &formats.text)?;
        // A refused cell may hold a phone number or an e-mail address.
        sheet.write_string_with_format(
            row,
            4,
            super::mask::mask_personal(&rejected.value),
            &formats.text,
        )?;
        sheet.write_string_with_format(row, 5, &rejected.expected, &formats.text)?;
    }
    if !results.rejected.is_empty() {
        sheet.autofilter(header_row, 0, row, 5)?;
    }
    let hidden = results.n_rejected_total - results.rejected.len() as i64;
    if hidden > 0 {
        row += 1;
        sheet.write_string_with_format(
            row,
            0,
            formats.lang.pick(
                format!(
                    "另有 {hidden} 处未列出（共 {} 处；列出前 {} 处，见 [report] refused_cells_shown）",
                    results.n_rejected_total,
                    results.rejected.len()
                ),
                format!(
                    "{hidden} more not shown ({} in all; the first {} are listed, see [report] refused_cells_shown)",
                    results.n_rejected_total,
                    results.rejected.len()
                ),
            ),
            &formats.missed,
        )?;
    }
    Ok(())
}

/// Every graded customer's grade (latest grading run) and the payment terms
/// in force at the month's end: customers whose terms were lowered for late
/// payments first.
fn customers_sheet(
    sheet: &mut Worksheet,
    results: &MonthlyResults,
    formats: &Formats,
) -> Result<(), RenderError> {
    sheet.set_name(formats.lang.t(SHEET_CUSTOMERS))?;
    table_header(
        sheet,
        &[
            (formats.lang.t("客户编号"), 10.0),
            (formats.lang.t("客户名称"), 18.0),
            (formats.lang.t("等级"), 7.0),
            (formats.lang.t("评定日期"), 12.0),
            (formats.lang.t("本季/上季最多逾期"), 12.0),
            (formats.lang.t("付款条件按"), 10.0),
            (formats.lang.t("付款条件"), 22.0),
        ],
        formats,
    )?;
    let shown = results.customer_terms.len().min(LIST_ROWS);
    for (index, customer) in results.customer_terms[..shown].iter().enumerate() {
        let row = 1 + index as u32;
        sheet.write_string_with_format(row, 0, &customer.customer_id, &formats.text)?;
        sheet.write_string_with_format(row, 1, &customer.name, &formats.text)?;
        sheet.write_string_with_format(row, 2, &customer.grade, &formats.text)?;
        sheet.write_string_with_format(row, 3, &customer.graded_on, &formats.text)?;
        sheet.write_number_with_format(
            row,
            4,
            customer.late_in_a_quarter as f64,
            &formats.integer,
        )?;
        let format = if customer.terms_grade != customer.grade {
            &formats.missed
        } else {
            &formats.text
        };
        sheet.write_string_with_format(row, 5, &customer.terms_grade, format)?;
        sheet.write_string_with_format(row, 6, &customer.payment_terms, &formats.text)?;
    }
    more_rows_line(
        sheet,
        1 + shown as u32,
        results.customer_terms.len() - shown,
        formats,
    )?;
    if results.customer_terms.is_empty() {
        sheet.write_string_with_format(
            1,
            0,
            formats.lang.t("尚未进行客户分级（csat regrade）"),
            &formats.text,
        )?;
    }
    sheet.set_freeze_panes(1, 2)?;
    print_setup(sheet, 0)
}

/// `剩 3 个工作日` / `今天到期` / `超期 2 个工作日`, coloured.
fn write_days_left(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    days_left: Option<i64>,
    formats: &Formats,
) -> Result<(), RenderError> {
    match days_left {
        None => sheet.write_string_with_format(row, column, "—", &formats.text)?,
        Some(0) => sheet.write_string_with_format(
            row,
            column,
            formats.lang.t("今天到期"),
            &formats.missed,
        )?,
        Some(d) if d > 0 => sheet.write_string_with_format(
            row,
            column,
            formats
                .lang
                .pick(format!("剩 {d} 个工作日"), format!("{d} working days left")),
            &formats.text,
        )?,
        Some(d) => sheet.write_string_with_format(
            row,
            column,
            formats.lang.pick(
                format!("超期 {} 个工作日", -d),
                format!("{} working days overdue", -d),
            ),
            &formats.missed,
        )?,
    };
    Ok(())
}

/// The most rows a list sheet writes one by one: below Excel's 1,048,576,
/// with room for the header and a closing line.
const LIST_ROWS: usize = 1_000_000;

/// The closing line of a list cut at [`LIST_ROWS`]: how many rows are not
/// shown (nothing when none).
fn more_rows_line(
    sheet: &mut Worksheet,
    row: u32,
    hidden: usize,
    formats: &Formats,
) -> Result<(), RenderError> {
    if hidden > 0 {
        sheet.write_string_with_format(
            row,
            0,
            formats.lang.pick(
                format!("另有 {hidden} 行超出 Excel 的行数，未列出"),
                format!("{hidden} more rows exceed Excel's rows and are not shown"),
            ),
            &formats.missed,
        )?;
    }
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
pub(super) fn problem_item_headers(formats: &Formats) -> [(&'static str, f64); 10] {
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

/// Writes one problem on `row` in the columns of [`problem_item_headers`].
pub(super) fn write_problem_item(
    sheet: &mut Worksheet,
    row: u32,
    problem: &crate::analysis::closed_loop::ProblemItem,
    formats: &Formats,
) -> Result<(), RenderError> {
    sheet.write_string_with_format(
        row,
        0,
        origin_label(problem.origin.as_str(), formats),
        &formats.text,
    )?;
    sheet.write_string_with_format(row, 1, &problem.item_id, &formats.text)?;
    sheet.write_string_with_format(row, 2, problem.happened_on.to_string(), &formats.text)?;
    match problem.severity {
        Some(severity) => {
            sheet.write_number_with_format(row, 3, severity as f64, &formats.integer)?
        }
        None => sheet.write_string_with_format(row, 3, "—", &formats.text)?,
    };
    sheet.write_string_with_format(row, 4, &problem.category, &formats.text)?;
    sheet.write_string_with_format(row, 5, &problem.department, &formats.text)?;
    sheet.write_string_with_format(row, 6, &problem.owner, &formats.text)?;
    sheet.write_string_with_format(row, 7, problem.due_on.to_string(), &formats.text)?;
    sheet.write_string_with_format(row, 8, &problem.status, &formats.text)?;
    write_days_left(sheet, row, 9, problem.days_left, formats)
}

/// The month's problems, bounded whatever their number: one row per
/// department × category × origin (count, open, overdue, oldest open due
/// date, owner); then per department how many are listed here and which
/// detail workbook holds the others; then the listed problems one by one
/// (per department the most severe and most overdue first).
fn problems_sheet(
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
        write_problem_item(sheet, row, problem, formats)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    if !loop_.problems.is_empty() {
        sheet.autofilter(header_row, 0, row, 9)?;
    }
    print_setup(sheet, 0)
}

/// Complaints and proposals with deadline status.
fn items_sheet(
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
        write_days_left(sheet, row, 11, item.days_left, formats)?;
    }
    sheet.set_freeze_panes(1, 2)?;
    if !items.is_empty() {
        sheet.autofilter(0, 0, items.len() as u32, (headers.len() - 1) as u16)?;
    }
    print_setup(sheet, 0)
}

/// Action plans per department (open, due, overdue, closed, closure rate
/// this month and last), and items closed without root cause or action.
fn tracking_sheet(
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
        for (column, value) in [
            department.total,
            department.open,
            department.due_this_month,
            department.overdue,
            department.closed,
        ]
        .into_iter()
        .enumerate()
        {
            let format = if column == 3 && value > 0 {
                &formats.missed
            } else {
                &formats.integer
            };
            sheet.write_number_with_format(row, 1 + column as u16, value as f64, format)?;
        }
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

/// Respondents by band (a pie) and by their own score in 10-point bins (a
/// histogram), for the month.
fn distribution_sheet(
    sheet: &mut Worksheet,
    results: &MonthlyResults,
    formats: &Formats,
) -> Result<(), RenderError> {
    sheet.set_name(formats.lang.t(SHEET_DISTRIBUTION))?;
    table_header(
        sheet,
        &[
            (formats.lang.t("满意度等级"), 14.0),
            (formats.lang.t("人数"), 8.0),
            (formats.lang.t("占比"), 9.0),
        ],
        formats,
    )?;
    let total: i64 = results.band_counts.iter().sum();
    let bands = [
        Band::VerySatisfied,
        Band::Satisfied,
        Band::Average,
        Band::Dissatisfied,
    ];
    for (index, (band, n)) in bands.iter().zip(results.band_counts).enumerate() {
        let row = 1 + index as u32;
        sheet.write_string_with_format(row, 0, formats.lang.t(band.label()), &formats.text)?;
        sheet.write_number_with_format(row, 1, n as f64, &formats.integer)?;
        let share = if total > 0 {
            n as f64 / total as f64
        } else {
            0.0
        };
        sheet.write_number_with_format(row, 2, share, &formats.percent)?;
    }
    let top = 7;
    for (column, header) in [formats.lang.t("得分区间"), formats.lang.t("人数")]
        .iter()
        .enumerate()
    {
        sheet.write_string_with_format(top, column as u16, *header, &formats.header)?;
    }
    for (bin, n) in results.histogram.iter().enumerate() {
        let row = top + 1 + bin as u32;
        let label = format!("{}–{}", bin * 10, bin * 10 + 10);
        sheet.write_string_with_format(row, 0, label, &formats.text)?;
        sheet.write_number_with_format(row, 1, *n as f64, &formats.integer)?;
    }
    if total > 0 {
        let mut pie = Chart::new(ChartType::Pie);
        pie.add_series()
            .set_name(formats.lang.t("满意度等级分布"))
            .set_categories((formats.lang.t(SHEET_DISTRIBUTION), 1, 0, 4, 0))
            .set_values((formats.lang.t(SHEET_DISTRIBUTION), 1, 1, 4, 1));
        pie.title().set_name(
            formats
                .lang
                .pick(
                    format!("受访者满意度等级分布 {}", results.month),
                    format!("Respondents by band {}", results.month),
                )
                .as_str(),
        );
        sheet.insert_chart(0, 4, &pie)?;
        let mut columns = Chart::new(ChartType::Column);
        columns
            .add_series()
            .set_name(formats.lang.t("人数"))
            .set_categories((formats.lang.t(SHEET_DISTRIBUTION), top + 1, 0, top + 10, 0))
            .set_values((formats.lang.t(SHEET_DISTRIBUTION), top + 1, 1, top + 10, 1))
            .set_gap(5);
        columns
            .title()
            .set_name(formats.lang.t("受访者得分分布（直方图）"));
        columns.legend().set_hidden();
        sheet.insert_chart(16, 4, &columns)?;
    }
    sheet.write_string(
        top + 12,
        0,
        formats.lang.t("每位受访者的得分 = 其各题得分之和 / 各题满分之和 × 100；等级：≥80 非常满意，70–80 满意，60–70 一般，<60 不满意。"),
    )?;
    print_setup(sheet, 0)
}
