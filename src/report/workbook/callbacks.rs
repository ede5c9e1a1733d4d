//! 电话回访: the phone-callback summary.

use rust_xlsxwriter::Worksheet;

use super::{print_setup, table_header, Formats, SHEET_CALLBACKS};
use crate::analysis::MonthlyResults;
use crate::report::RenderError;

/// 电话回访汇总表: planned, reached, reach rate, problems, and the average of
/// each dimension per callback type.
pub(super) fn callbacks_sheet(
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
