//! Writing the generated sheets: one workbook per file, fixed creation date.

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, XlsxError};

pub(super) fn new_workbook(created: NaiveDate) -> Result<Workbook, XlsxError> {
    let mut workbook = Workbook::new();
    let created = ExcelDateTime::from_ymd(
        created.year() as u16,
        created.month() as u8,
        created.day() as u8,
    )?;
    workbook.set_properties(
        &DocProperties::new()
            .set_author("quality")
            .set_creation_datetime(&created),
    );
    Ok(workbook)
}

/// A cell of a generated sheet.
pub(super) enum Value {
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Empty,
}

pub(super) fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

/// Writes one sheet: an optional merged title row, the header, the rows.
pub(super) fn sheet_file(
    created: NaiveDate,
    sheet_name: &str,
    title: Option<&str>,
    headers: &[&str],
    rows: &[Vec<Value>],
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = new_workbook(created)?;
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name)?;
    let bold = Format::new().set_bold();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    let mut header_row = 0;
    if let Some(title) = title {
        let title_format = Format::new()
            .set_bold()
            .set_font_size(14)
            .set_align(FormatAlign::Center);
        sheet.merge_range(0, 0, 0, headers.len() as u16 - 1, title, &title_format)?;
        header_row = 1;
    }
    for (column, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(header_row, column as u16, *header, &bold)?;
        sheet.set_column_width(column as u16, 14)?;
    }
    for (index, row) in rows.iter().enumerate() {
        let row_number = header_row + 1 + index as u32;
        for (column, value) in row.iter().enumerate() {
            let column = column as u16;
            match value {
                Value::Text(s) => {
                    sheet.write_string(row_number, column, s)?;
                }
                Value::Number(n) => {
                    sheet.write_number(row_number, column, *n)?;
                }
                Value::Date(d) => {
                    let date =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                    sheet.write_datetime_with_format(row_number, column, &date, &date_format)?;
                }
                Value::Empty => {}
            }
        }
    }
    workbook.save_to_buffer()
}
