//! 客户分级: customer grades and payment terms.

use rust_xlsxwriter::Worksheet;

use super::{more_rows_line, print_setup, table_header, Formats, LIST_ROWS, SHEET_CUSTOMERS};
use crate::analysis::MonthlyResults;
use crate::report::RenderError;

/// Every graded customer's grade (latest grading run) and the payment terms
/// in force at the month's end: customers whose terms were lowered for late
/// payments first.
pub(super) fn customers_sheet(
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
