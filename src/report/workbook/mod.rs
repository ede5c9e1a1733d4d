//! The monthly workbook: summary, department scores against target, and the
//! company Pareto with a native combined chart. Returns bytes; the creation
//! time is fixed from the report month so the same results give the same
//! bytes.

use rust_xlsxwriter::{
    ChartLine, ChartLineDashType, Color, DocProperties, ExcelDateTime, Format, FormatAlign,
    FormatBorder, Workbook, Worksheet,
};

mod callbacks;
mod closed_loop;
mod customers;
mod data_quality;
mod distribution;
mod pareto;
mod scores;
mod summary;

pub(super) use closed_loop::{problem_item_headers, write_problem_item, TextFormat};

use super::company::report_month;
use super::text::{narrative, SummaryContext};
use super::RenderError;
use crate::analysis::MonthlyResults;

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
    /// The formats of the monthly workbook: every table cell with a thin
    /// border.
    pub(super) fn new(lang: super::labels::Lang) -> Formats {
        Formats::with_border(lang, FormatBorder::Thin)
    }

    /// The formats of the detail workbooks: no borders, as their text format
    /// is their columns' (a bordered column format would draw its borders
    /// down to Excel's last row).
    pub(in crate::report) fn borderless(lang: super::labels::Lang) -> Formats {
        Formats::with_border(lang, FormatBorder::None)
    }

    fn with_border(lang: super::labels::Lang, border: FormatBorder) -> Formats {
        let base = Format::new().set_border(border).set_font_name("微软雅黑");
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
    let (year, month) = report_month(results).map_or((2000, 1), |m| (m.year(), m.number()));
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
    summary::summary_sheet(workbook.add_worksheet(), results, &summary_text, &formats)?;
    scores::departments_sheet(workbook.add_worksheet(), results, &formats)?;
    let pareto_sheet = workbook.add_worksheet();
    pareto::pareto_sheet_render(pareto_sheet, results, &formats)?;
    pareto::department_pareto_sheet(workbook.add_worksheet(), results, &formats)?;
    scores::groups_sheet(workbook.add_worksheet(), results, &formats)?;
    super::drivers::drivers_sheet(workbook.add_worksheet(), results, &formats)?;
    super::comments::comments_sheet(workbook.add_worksheet(), results, &formats)?;
    distribution::distribution_sheet(workbook.add_worksheet(), results, &formats)?;
    callbacks::callbacks_sheet(workbook.add_worksheet(), results, &formats)?;
    // Detail sheets can be long (a problem per low answer): written row by
    // row in constant-memory mode.
    closed_loop::problems_sheet(
        workbook.add_worksheet_with_constant_memory()?,
        results,
        &formats,
    )?;
    closed_loop::items_sheet(workbook.add_worksheet(), results, &formats)?;
    closed_loop::tracking_sheet(workbook.add_worksheet(), results, &formats)?;
    customers::customers_sheet(workbook.add_worksheet(), results, &formats)?;
    data_quality::data_quality_sheet(
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

/// A percentage (`value` in percent) in the colours of `format` (met,
/// missed, plain) with one decimal.
fn write_percent_in(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    value: f64,
    format: &Format,
) -> Result<(), RenderError> {
    sheet.write_number_with_format(
        row,
        column,
        value / 100.0,
        &format.clone().set_num_format("0.0%"),
    )?;
    Ok(())
}

/// Whole numbers from `first_column` on; the one at index `flagged` in the
/// missed colours when above zero (refused rows, overdue items).
fn write_counts(
    sheet: &mut Worksheet,
    row: u32,
    first_column: u16,
    counts: &[i64],
    flagged: usize,
    formats: &Formats,
) -> Result<(), RenderError> {
    for (index, value) in counts.iter().enumerate() {
        let format = if index == flagged && *value > 0 {
            &formats.missed
        } else {
            &formats.integer
        };
        sheet.write_number_with_format(row, first_column + index as u16, *value as f64, format)?;
    }
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
