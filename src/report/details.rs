//! The detail workbooks of the problem list: one per department, with the
//! problems 问题清单 does not list one by one, in the sheet's order. Rows
//! are written as they come (constant-memory sheets) and a sheet that
//! reaches `rows_per_sheet` continues on the next, so no sheet exceeds
//! Excel's limits and memory does not grow with the list. The workbook is
//! written to the writer it is given: no file I/O here.

use std::io::Write;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook};

use super::workbook::{print_setup, problem_item_headers, write_problem_item, Formats, TextFormat};
use super::RenderError;
use crate::analysis::closed_loop::ProblemItem;

/// The detail workbooks' deflate level (1, fastest, to 9). Measured at 2M
/// answers (77,000 detail rows), three runs each: level 6 (the zip crate's
/// default) 757–916 ms for the details and 2.88 MB, level 2 579–710 ms and
/// 3.23 MB, level 1 as fast and 4.96 MB, levels 3 and 4 in between.
const DETAIL_ZIP_LEVEL: u8 = 2;

/// A department's detail workbook being written.
pub struct ProblemDetails {
    workbook: Workbook,
    formats: Formats,
    rows_per_sheet: u32,
    /// Data rows on the current sheet.
    row: u32,
    n_sheets: usize,
    n_rows: u64,
}

impl ProblemDetails {
    /// A new detail workbook for `department`'s problems of `month`, at
    /// most `rows_per_sheet` (clamped to 1..=1,048,575) rows a sheet.
    ///
    /// # Errors
    /// rust_xlsxwriter refuses the properties.
    pub fn new(
        department: &str,
        month: crate::month::Month,
        lang: super::labels::Lang,
        rows_per_sheet: u32,
    ) -> Result<ProblemDetails, RenderError> {
        let mut workbook = Workbook::new();
        // The detail workbooks are most of a large report's writing.
        workbook.set_zip_compression_level(DETAIL_ZIP_LEVEL);
        let (year, month_number) = (month.year(), month.number());
        let created = ExcelDateTime::from_ymd(year as u16, month_number as u8, 1)?;
        workbook.set_properties(
            &DocProperties::new()
                .set_title(lang.pick(
                    format!("{department} 问题明细 {month}"),
                    format!("{department} problems {month}"),
                ))
                .set_author("csat")
                .set_creation_datetime(&created),
        );
        Ok(ProblemDetails {
            workbook,
            formats: Formats::borderless(lang),
            rows_per_sheet: rows_per_sheet.clamp(1, crate::config::EXCEL_MAX_DATA_ROWS),
            row: 0,
            n_sheets: 0,
            n_rows: 0,
        })
    }

    fn add_sheet(&mut self) -> Result<(), RenderError> {
        let name = self.formats.lang.pick(
            format!("问题明细 {}", self.n_sheets + 1),
            format!("Problems {}", self.n_sheets + 1),
        );
        let sheet = self.workbook.add_worksheet_with_constant_memory()?;
        sheet.set_name(name)?;
        for (column, (header, width)) in problem_item_headers(&self.formats).iter().enumerate() {
            sheet.write_string_with_format(0, column as u16, *header, &self.formats.header)?;
            sheet.set_column_width(column as u16, *width)?;
            sheet.set_column_format(column as u16, &self.formats.text)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        print_setup(sheet, 0)?;
        self.n_sheets += 1;
        self.row = 0;
        Ok(())
    }

    /// Appends one problem (a new sheet when the current one is full).
    ///
    /// # Errors
    /// rust_xlsxwriter refuses a cell.
    pub fn push(&mut self, problem: &ProblemItem) -> Result<(), RenderError> {
        if self.n_sheets == 0 || self.row >= self.rows_per_sheet {
            self.add_sheet()?;
        }
        self.row += 1;
        self.n_rows += 1;
        let sheet = self.workbook.worksheet_from_index(self.n_sheets - 1)?;
        write_problem_item(sheet, self.row, problem, &self.formats, TextFormat::Column)
    }

    /// Problems written so far.
    pub fn n_rows(&self) -> u64 {
        self.n_rows
    }

    /// Writes the workbook to `writer`.
    ///
    /// # Errors
    /// rust_xlsxwriter fails to assemble or write it.
    pub fn finish<W: Write + Send>(mut self, writer: W) -> Result<(), RenderError> {
        if self.n_sheets == 0 {
            self.add_sheet()?;
        }
        self.workbook.save_to_writer(writer)?;
        Ok(())
    }
}
