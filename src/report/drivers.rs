//! Sheet 关键驱动因素 (key drivers): for the month and the last three months,
//! each driver question's importance (r with the outcome question), pairs,
//! t and significance, performance and quadrant, with a native scatter chart
//! (importance × performance, cut lines at the medians, quadrant names);
//! then one block per department that has a driver with an r. Also the
//! summary sheet's three 重点改进 items.

use rust_xlsxwriter::{
    Chart, ChartDataLabel, ChartDataLabelPosition, ChartFormat, ChartLine, ChartLineDashType,
    ChartMarker, ChartMarkerType, ChartType, Color, Worksheet,
};

use super::workbook::{print_setup, Formats};
use super::RenderError;
use crate::analysis::drivers::{DriverView, Quadrant};
use crate::analysis::MonthlyResults;

/// Sheet name.
pub const SHEET_DRIVERS: &str = "关键驱动因素";

/// The table's columns: header and width.
const HEADERS: [(&str, f64); 9] = [
    ("排名", 6.0),
    ("题目", 30.0),
    ("责任部门", 12.0),
    ("重要性（相关系数 r）", 12.0),
    ("配对样本 n", 10.0),
    ("t 值", 8.0),
    ("显著（95%）", 10.0),
    ("表现（得分率）", 12.0),
    ("象限", 10.0),
];

/// Rows a chart takes.
const CHART_ROWS: u32 = 20;

/// The method, printed under the title.
const METHOD_NOTE: &str = "重要性 = 该题与结果题得分的皮尔逊相关系数 r（仅计两题都作答的受访者，n 为配对数；n 小于最小样本时不计算）；显著 = |t| 超过 t 分布双侧 5% 临界值（t = r·√((n−2)/(1−r²))，自由度 n−2）；表现 = 该题得分占满分百分比。象限以重要性与表现的中位数为分界：重点改进 = 重要性高、表现低；优势保持 = 两者皆高；次要改进 = 两者皆低；过度投入 = 重要性低、表现高。相关不等于因果；样本少时结论不稳。";

/// A question as a point's label: at most 12 characters, never read as a
/// cell reference.
fn chart_label(question: &str) -> String {
    let question = question.trim_start_matches('=');
    if question.chars().count() > 12 {
        format!("{}…", question.chars().take(11).collect::<String>())
    } else {
        question.to_string()
    }
}

/// Correlations and t values: two decimals.
fn two_decimals(formats: &Formats) -> rust_xlsxwriter::Format {
    formats.text.clone().set_num_format("0.00")
}

/// Writes the 关键驱动因素 sheet.
///
/// # Errors
/// rust_xlsxwriter refuses a value.
pub fn drivers_sheet(
    sheet: &mut Worksheet,
    results: &MonthlyResults,
    formats: &Formats,
) -> Result<(), RenderError> {
    let lang = formats.lang;
    let sheet_name = lang.t(SHEET_DRIVERS);
    sheet.set_name(sheet_name)?;
    for (column, (_, width)) in HEADERS.iter().enumerate() {
        sheet.set_column_width(column as u16, *width)?;
    }
    let drivers = &results.drivers;
    sheet.write_string_with_format(
        0,
        0,
        lang.pick(
            format!("关键驱动因素 {}", results.month),
            format!("Key drivers {}", results.month),
        ),
        &formats.title,
    )?;
    if drivers.outcome_key.is_empty() {
        sheet.write_string_with_format(
            1,
            0,
            lang.t("没有可作结果的题目（整体满意度或推荐意愿）：请在配置 [drivers] outcome 中指定"),
            &formats.text,
        )?;
        return Ok(());
    }
    sheet.write_string_with_format(
        1,
        0,
        lang.pick(
            format!("结果题：{}", drivers.outcome),
            format!("Outcome question: {}", drivers.outcome),
        ),
        &formats.label,
    )?;
    sheet.merge_range(2, 0, 2, 8, lang.t(METHOD_NOTE), &formats.wrap)?;
    sheet.set_row_height(2, 64)?;

    let mut next = 4;
    for (view, title) in [
        (
            &drivers.month,
            lang.pick(
                format!("本月（{}）", results.month),
                format!("This month ({})", results.month),
            ),
        ),
        (
            &drivers.three_months,
            lang.pick(
                format!(
                    "近三个月（{} 至 {}）",
                    drivers.three_months.first_month, drivers.three_months.last_month
                ),
                format!(
                    "Last three months ({} to {})",
                    drivers.three_months.first_month, drivers.three_months.last_month
                ),
            ),
        ),
    ] {
        next = view_block(sheet, sheet_name, next, &title, view, results, formats)?;
    }

    // Per department: its own drivers of the month, where n allows.
    for department in department_order(results) {
        let rows: Vec<_> = drivers
            .month
            .drivers
            .iter()
            .filter(|d| d.department == department)
            .collect();
        if !rows.iter().any(|d| d.importance.is_some()) {
            continue;
        }
        sheet.write_string_with_format(
            next,
            0,
            lang.pick(
                format!("{}：本月驱动因素", rows[0].department_name),
                format!("{}: drivers this month", rows[0].department_name),
            ),
            &formats.label,
        )?;
        next = table(sheet, next + 1, rows.into_iter(), results, formats)? + 1;
    }
    print_setup(sheet, 0)
}

/// Departments in the order of the department sheet, then any other.
fn department_order(results: &MonthlyResults) -> Vec<String> {
    let mut order: Vec<String> = results.departments.iter().map(|d| d.key.clone()).collect();
    for driver in &results.drivers.month.drivers {
        if !order.contains(&driver.department) {
            order.push(driver.department.clone());
        }
    }
    order
}

/// Writes the header at `top` and the drivers below; returns the first free
/// row.
fn table<'a>(
    sheet: &mut Worksheet,
    top: u32,
    drivers: impl Iterator<Item = &'a crate::analysis::drivers::Driver>,
    results: &MonthlyResults,
    formats: &Formats,
) -> Result<u32, RenderError> {
    let lang = formats.lang;
    let decimals = two_decimals(formats);
    for (column, (header, _)) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(top, column as u16, lang.t(header), &formats.header)?;
    }
    let mut row = top;
    let mut rank = 0;
    for driver in drivers {
        row += 1;
        match driver.importance {
            Some(_) => {
                rank += 1;
                sheet.write_number_with_format(row, 0, rank as f64, &formats.integer)?;
            }
            None => {
                sheet.write_string_with_format(row, 0, "—", &formats.text)?;
            }
        }
        sheet.write_string_with_format(row, 1, &driver.question, &formats.text)?;
        sheet.write_string_with_format(row, 2, &driver.department_name, &formats.text)?;
        match driver.importance {
            Some(r) => sheet.write_number_with_format(row, 3, r, &decimals)?,
            None => sheet.write_string_with_format(
                row,
                3,
                lang.pick(
                    format!("样本不足（n<{}）", results.drivers.min_n.max(3)),
                    format!("n too small (n<{})", results.drivers.min_n.max(3)),
                ),
                &formats.text,
            )?,
        };
        sheet.write_number_with_format(row, 4, driver.n_pairs as f64, &formats.integer)?;
        match driver.t {
            Some(t) => sheet.write_number_with_format(row, 5, t, &decimals)?,
            None => sheet.write_string_with_format(row, 5, "—", &formats.text)?,
        };
        let significance = match (driver.importance, driver.significant) {
            (None, _) => "—",
            (Some(_), true) => lang.t("是"),
            (Some(_), false) => lang.t("否"),
        };
        sheet.write_string_with_format(row, 6, significance, &formats.text)?;
        sheet.write_number_with_format(row, 7, driver.performance / 100.0, &formats.percent)?;
        match driver.quadrant {
            Some(quadrant) => {
                let format = match quadrant {
                    Quadrant::Focus => &formats.missed,
                    Quadrant::Strength => &formats.met,
                    _ => &formats.text,
                };
                sheet.write_string_with_format(row, 8, lang.t(quadrant.label()), format)?
            }
            None => sheet.write_string_with_format(row, 8, "—", &formats.text)?,
        };
    }
    Ok(row + 1)
}

/// One view: its title, the cut lines, the table, the chart data and the
/// scatter chart; returns the first free row.
fn view_block(
    sheet: &mut Worksheet,
    sheet_name: &str,
    top: u32,
    title: &str,
    view: &DriverView,
    results: &MonthlyResults,
    formats: &Formats,
) -> Result<u32, RenderError> {
    let lang = formats.lang;
    sheet.write_string_with_format(top, 0, title, &formats.label)?;
    if view.drivers.is_empty() {
        sheet.write_string_with_format(
            top + 1,
            0,
            lang.t("没有同时回答结果题和其他评分题的受访者"),
            &formats.text,
        )?;
        return Ok(top + 3);
    }
    let first = top + 2;
    let end = table(sheet, top + 1, view.drivers.iter(), results, formats)?;
    let plotted = view
        .drivers
        .iter()
        .filter(|d| d.importance.is_some())
        .count() as u32;
    let (Some(importance_cut), Some(performance_cut)) = (view.importance_cut, view.performance_cut)
    else {
        return Ok(end + 1);
    };
    // The cut lines, and the corners where the quadrant names go: chart data.
    let importances = view.drivers.iter().filter_map(|d| d.importance);
    let performances = view
        .drivers
        .iter()
        .filter(|d| d.importance.is_some())
        .map(|d| d.performance / 100.0);
    let y_min = (importances.clone().fold(f64::INFINITY, f64::min).min(0.0) - 0.1).max(-1.0);
    let y_max = (importances.fold(f64::NEG_INFINITY, f64::max) + 0.1).min(1.0);
    let x_min = (performances.clone().fold(f64::INFINITY, f64::min) - 0.05).max(0.0);
    let x_max = (performances.fold(f64::NEG_INFINITY, f64::max) + 0.05).min(1.0);
    let performance_cut = performance_cut / 100.0;
    let decimals = two_decimals(formats);
    sheet.write_string_with_format(
        end,
        0,
        lang.pick(
            format!(
                "分界线：重要性中位数 r = {importance_cut:.2}，表现中位数 = {:.1}%",
                performance_cut * 100.0
            ),
            format!(
                "Cut lines: median importance r = {importance_cut:.2}, median performance = {:.1}%",
                performance_cut * 100.0
            ),
        ),
        &formats.text,
    )?;
    let data = end + 1;
    let headers = [lang.t("图表数据"), lang.t("表现"), lang.t("重要性")];
    for (column, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(data, column as u16 + 1, *header, &formats.header)?;
    }
    let points: [(&str, f64, f64); 8] = [
        (lang.t("表现中位数"), performance_cut, y_min),
        ("", performance_cut, y_max),
        (lang.t("重要性中位数"), x_min, importance_cut),
        ("", x_max, importance_cut),
        (lang.t(Quadrant::Focus.label()), x_min, y_max),
        (lang.t(Quadrant::Strength.label()), x_max, y_max),
        (lang.t(Quadrant::Secondary.label()), x_min, y_min),
        (lang.t(Quadrant::Overinvested.label()), x_max, y_min),
    ];
    for (index, (name, x, y)) in points.iter().enumerate() {
        let row = data + 1 + index as u32;
        sheet.write_string_with_format(row, 1, *name, &formats.text)?;
        sheet.write_number_with_format(row, 2, *x, &formats.percent)?;
        sheet.write_number_with_format(row, 3, *y, &decimals)?;
    }

    let mut chart = Chart::new(ChartType::Scatter);
    // Literal label texts: LibreOffice shows the value instead of a label
    // taken from a cell.
    let labels: Vec<ChartDataLabel> = view
        .drivers
        .iter()
        .filter(|d| d.importance.is_some())
        .map(|driver| {
            let mut label = ChartDataLabel::new();
            label
                .set_value(chart_label(&driver.question).as_str())
                .set_position(ChartDataLabelPosition::Right);
            label
        })
        .collect();
    chart
        .add_series()
        .set_name(lang.t("题目"))
        .set_categories((sheet_name, first, 7, first + plotted - 1, 7))
        .set_values((sheet_name, first, 3, first + plotted - 1, 3))
        .set_marker(
            ChartMarker::new()
                .set_type(ChartMarkerType::Circle)
                .set_size(8),
        )
        .set_custom_data_labels(&labels);
    for (offset, name) in [(0, lang.t("表现中位数")), (2, lang.t("重要性中位数"))] {
        let row = data + 1 + offset;
        chart
            .add_series()
            .set_name(name)
            .set_categories((sheet_name, row, 2, row + 1, 2))
            .set_values((sheet_name, row, 3, row + 1, 3))
            .set_marker(ChartMarker::new().set_none())
            .set_format(
                ChartFormat::new().set_line(
                    ChartLine::new()
                        .set_color(Color::RGB(0x7F7F7F))
                        .set_dash_type(ChartLineDashType::Dash),
                ),
            );
    }
    let corners = data + 5;
    let corner_labels: Vec<ChartDataLabel> = points[4..]
        .iter()
        .enumerate()
        .map(|(index, (name, _, _))| {
            let mut label = ChartDataLabel::new();
            label.set_value(*name).set_position(if index % 2 == 0 {
                ChartDataLabelPosition::Right
            } else {
                ChartDataLabelPosition::Left
            });
            label
        })
        .collect();
    chart
        .add_series()
        .set_name(lang.t("象限"))
        .set_categories((sheet_name, corners, 2, corners + 3, 2))
        .set_values((sheet_name, corners, 3, corners + 3, 3))
        .set_marker(ChartMarker::new().set_none())
        .set_custom_data_labels(&corner_labels);
    chart
        .title()
        .set_name(&format!("{} {title}", lang.t(SHEET_DRIVERS)));
    chart
        .x_axis()
        .set_name(lang.t("表现（得分率）"))
        .set_num_format("0%")
        .set_min(x_min)
        .set_max(x_max);
    chart
        .y_axis()
        .set_name(lang.t("重要性（相关系数 r）"))
        .set_num_format("0.00")
        .set_min(y_min)
        .set_max(y_max);
    chart.legend().set_hidden();
    chart.set_width(720).set_height(420);
    sheet.insert_chart(data + 10, 0, &chart)?;
    Ok(data + 10 + CHART_ROWS + 1)
}

/// The summary sheet's block: the month's three most important 重点改进
/// drivers (importance, significance); returns the first free row.
///
/// # Errors
/// rust_xlsxwriter refuses a value.
pub fn summary_block(
    sheet: &mut Worksheet,
    top: u32,
    results: &MonthlyResults,
    formats: &Formats,
) -> Result<u32, RenderError> {
    let lang = formats.lang;
    let decimals = two_decimals(formats);
    sheet.write_string_with_format(top, 0, lang.t("重点改进（关键驱动因素）"), &formats.header)?;
    // Two lines: the label is longer than the column.
    sheet.set_row_height(top, 30)?;
    sheet.write_string_with_format(top, 1, lang.t("重要性 r"), &formats.header)?;
    let mut row = top;
    let focus: Vec<_> = results.drivers.month.focus().take(3).collect();
    if focus.is_empty() {
        row += 1;
        sheet.write_string_with_format(row, 0, lang.t("无"), &formats.text)?;
    }
    for driver in focus {
        row += 1;
        let format = if driver.significant {
            &formats.missed
        } else {
            &formats.text
        };
        sheet.write_string_with_format(row, 0, &driver.question, format)?;
        sheet.write_number_with_format(row, 1, driver.importance.unwrap_or(0.0), &decimals)?;
    }
    Ok(row + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::labels::Lang;

    #[test]
    fn every_label_of_the_sheet_has_an_english_entry() {
        let labels = HEADERS.iter().map(|(h, _)| *h).chain([
            SHEET_DRIVERS,
            METHOD_NOTE,
            "没有可作结果的题目（整体满意度或推荐意愿）：请在配置 [drivers] outcome 中指定",
            "没有同时回答结果题和其他评分题的受访者",
            "图表数据",
            "表现",
            "重要性",
            "表现中位数",
            "重要性中位数",
            "重点改进（关键驱动因素）",
            "重要性 r",
            Quadrant::Focus.label(),
            Quadrant::Strength.label(),
            Quadrant::Secondary.label(),
            Quadrant::Overinvested.label(),
        ]);
        for label in labels {
            assert_ne!(Lang::En.t(label), label, "{label} has no English entry");
        }
    }
}
