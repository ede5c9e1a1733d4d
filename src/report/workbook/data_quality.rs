//! 数据质量: the files behind the month and every refused cell.

use rust_xlsxwriter::Worksheet;

use super::{print_setup, table_header, write_counts, Formats, SHEET_DATA_QUALITY};
use crate::analysis::MonthlyResults;
use crate::report::RenderError;

/// Files behind the month (rows loaded, refused, superseded) and, below,
/// every refused cell with file, sheet, row, column and the expected form.
pub(super) fn data_quality_sheet(
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
        let counts = [
            file.n_rows,
            file.n_loaded,
            file.n_rejected,
            file.n_rows_in_month,
            file.n_superseded,
        ];
        write_counts(sheet, row, 4, &counts, 2, formats)?;
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
            crate::report::mask::mask_personal(&rejected.value),
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
