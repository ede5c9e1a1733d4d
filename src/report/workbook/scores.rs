//! 部门得分 and 分组得分: scores against target, with changes and whether
//! they are significant.

use rust_xlsxwriter::{Chart, ChartType, Worksheet};

use super::{
    print_setup, reference_line, table_header, write_optional_percent, write_optional_points,
    write_percent_in, Formats, SHEET_DEPARTMENTS, SHEET_GROUPS,
};
use crate::analysis::{Band, MonthlyResults};
use crate::report::RenderError;

pub(super) fn departments_sheet(
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
pub(super) fn groups_sheet(
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
            write_percent_in(sheet, row, 2, group.score, format)?;
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
