//! 满意度分布: respondents by band and by score.

use rust_xlsxwriter::{Chart, ChartType, Worksheet};

use super::{print_setup, table_header, Formats, SHEET_DISTRIBUTION};
use crate::analysis::{Band, MonthlyResults};
use crate::report::RenderError;

/// Respondents by band (a pie) and by their own score in 10-point bins (a
/// histogram), for the month.
pub(super) fn distribution_sheet(
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
