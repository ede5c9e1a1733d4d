//! Reads a spreadsheet or delimited text file into sheets of cells.
//!
//! Excel (`.xlsx`, `.xlsm`, `.xls`, `.ods`) goes through calamine; CSV, TSV
//! and TXT are decoded (UTF-8 with or without BOM, UTF-16 with BOM, else
//! GB18030, which covers GBK) and split by the separator that occurs most
//! consistently. Row indexes are absolute and 0-based: row `i` is the
//! spreadsheet's row `i + 1`, whatever blank rows precede the data.
//!
//! Seams: `zip_guard` measures a ZIP container before it is inflated,
//! `xlsx` reads workbooks (streaming `.xlsx`/`.xlsm`), `text` decodes and
//! splits delimited text.

#[cfg(test)]
mod tests;
mod text;
mod xlsx;
mod zip_guard;

use std::io::Cursor;

use calamine::Reader;
use chrono::NaiveDateTime;

pub use text::{decode_text, decode_text_borrowed, open_text_file};
use text::{decoded_file, read_head, read_text, sniff_delimiter};
pub use xlsx::MAX_SHEET_CELLS;
use xlsx::{open_xlsx, read_workbook, XlsxRows, OLE_MAGIC};

/// One cell, as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing in the cell.
    Empty,
    /// Text, untrimmed.
    Text(String),
    /// A number (integers included).
    Number(f64),
    /// A date or date-time cell.
    DateTime(NaiveDateTime),
    /// A boolean cell.
    Bool(bool),
}

impl Cell {
    /// The cell as display text (numbers without a trailing `.0`).
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(n) => format_number(*n),
            Cell::DateTime(d) => {
                if d.time() == chrono::NaiveTime::MIN {
                    d.format("%Y-%m-%d").to_string()
                } else {
                    d.format("%Y-%m-%d %H:%M:%S").to_string()
                }
            }
            Cell::Bool(b) => b.to_string(),
        }
    }

    /// True when the cell is empty, only whitespace, or a database export's
    /// `NULL` / Excel's `#N/A` placeholder.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => matches!(s.trim(), "" | "NULL" | "null" | "#N/A"),
            _ => false,
        }
    }
}

/// Formats a number the way a person typed it: `3`, `3.5`.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else if n != 0.0 && (n.abs() >= 1e15 || n.abs() < 1e-4) {
        // As Excel shows it, not three hundred digits.
        format!("{n:e}")
    } else {
        format!("{n}")
    }
}

/// One sheet of a workbook (a text file has one, named after the file).
#[derive(Debug, Clone)]
pub struct Sheet {
    /// Sheet name.
    pub name: String,
    /// Rows from the top of the sheet; ragged rows are allowed.
    pub rows: Vec<Vec<Cell>>,
    /// How the workbook counts serial dates (number cells in date fields).
    pub date_system: DateSystem,
}

/// Why a file could not be read as a table at all.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// The extension is not one csat reads.
    #[error("unsupported file type '.{0}': expected .xlsx, .xlsm, .xls, .ods, .csv, .tsv or .txt")]
    UnsupportedType(String),
    /// calamine could not open the workbook (corrupt, encrypted, wrong kind).
    #[error("cannot open as a spreadsheet: {0}")]
    Workbook(String),
    /// A password-protected workbook (an encrypted xlsx is an OLE container).
    #[error("the workbook is password-protected: open it in Excel, save it without a password, and drop it into the inbox again")]
    Encrypted,
    /// The text could not be split into rows.
    #[error("cannot read as delimited text: {0}")]
    Text(String),
    /// Nothing in it.
    #[error("the file is empty")]
    Empty,
    /// A sheet whose filled cells lie so far apart that its grid would not
    /// fit in memory.
    #[error("sheet '{sheet}': its filled cells span more than {limit} cells (counting the empty cells between them), far more than any export; a stray value far below or right of the data (Ctrl+End in Excel shows the last cell) does this: delete it, save, and drop the file again")]
    TooManyCells {
        /// Sheet name.
        sheet: String,
        /// The limit.
        limit: usize,
    },
    /// A workbook whose parts would inflate far beyond any real export.
    #[error("the workbook would expand to {expanded_mb} MB from {file_mb} MB (the limit is {limit_mb} MB): far more than any month's export, so it is damaged or made to harm the server (a \"zip bomb\"); open it in Excel, save it again, and drop the new file")]
    ZipBomb {
        /// Declared uncompressed size, MB.
        expanded_mb: u64,
        /// File size, MB.
        file_mb: u64,
        /// The limit, MB.
        limit_mb: u64,
    },
}

/// Which day an Excel serial number counts from: most workbooks use the 1900
/// system; workbooks made on old Macs use 1904 (serial 0 = 1904-01-01).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateSystem {
    /// Serial 1 = 1900-01-01 (with Lotus' phantom 1900-02-29).
    #[default]
    Excel1900,
    /// Serial 0 = 1904-01-01.
    Excel1904,
}

/// Reads `bytes` (named `file_name`, whose extension picks the reader).
///
/// # Errors
/// Unsupported extension, corrupt or encrypted workbooks, empty files.
pub fn read_table(file_name: &str, bytes: &[u8]) -> Result<Vec<Sheet>, TableError> {
    if bytes.is_empty() {
        return Err(TableError::Empty);
    }
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "xlsx" | "xlsm" | "xls" | "ods" => read_workbook(&extension, bytes),
        "csv" | "tsv" | "txt" => read_text(file_name, bytes),
        _ => Err(TableError::UnsupportedType(extension)),
    }
}

/// Rows read from the top of every sheet before the data is streamed: the
/// header search (30 rows) and multi-row headers below it.
pub const HEAD_ROWS: usize = 40;

/// The widest row csat reads (Excel's 16,384 columns); cells further right
/// are ignored, so no row is allocated by a position a file gave.
pub const MAX_COLUMNS: usize = 16_384;

/// One row as streamed: its 0-based index in the sheet and its cells.
pub type Row = (usize, Vec<Cell>);

/// A file opened for streaming: the first [`HEAD_ROWS`] rows of every sheet
/// (to find the source and its header), then the rows of one sheet one at
/// a time ([`Table::rows`]), so memory does not grow with the file.
/// `.xlsx`/`.xlsm` stream from calamine's cell reader and text from the
/// CSV reader; `.xls` and `.ods` (which calamine reads whole) are read as
/// before.
pub struct Table<'b> {
    /// The first rows of every sheet, in workbook order.
    pub heads: Vec<Sheet>,
    inner: TableInner<'b>,
}

enum TableInner<'b> {
    Xlsx(Box<calamine::Xlsx<Cursor<&'b [u8]>>>),
    /// A text file read from disk through one checked handle (never past
    /// `len` bytes), decoded as it is read.
    TextFile {
        file: std::fs::File,
        len: u64,
        encoding: &'static encoding_rs::Encoding,
        bom_len: usize,
        delimiter: u8,
    },
    Whole(Vec<Sheet>),
    Text {
        text: std::borrow::Cow<'b, str>,
        delimiter: u8,
    },
}

/// Opens `bytes` (named `file_name`, whose extension picks the reader) for
/// streaming and reads the head of every sheet.
///
/// # Errors
/// Unsupported extension, corrupt or encrypted workbooks, empty files.
pub fn open_table<'b>(file_name: &str, bytes: &'b [u8]) -> Result<Table<'b>, TableError> {
    if bytes.is_empty() {
        return Err(TableError::Empty);
    }
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let table = match extension.as_str() {
        "xlsx" | "xlsm" if !bytes.starts_with(OLE_MAGIC) => open_xlsx(bytes)?,
        "xlsx" | "xlsm" | "xls" | "ods" => {
            let sheets = read_workbook(&extension, bytes)?;
            Table {
                heads: sheets
                    .iter()
                    .map(|sheet| Sheet {
                        name: sheet.name.clone(),
                        rows: sheet.rows.iter().take(HEAD_ROWS).cloned().collect(),
                        date_system: sheet.date_system,
                    })
                    .collect(),
                inner: TableInner::Whole(sheets),
            }
        }
        "csv" | "tsv" | "txt" => {
            let text = decode_text_borrowed(bytes);
            if text.trim().is_empty() {
                return Err(TableError::Empty);
            }
            let delimiter = sniff_delimiter(&text);
            let mut table = Table {
                heads: Vec::new(),
                inner: TableInner::Text { text, delimiter },
            };
            read_head(&mut table, file_name)?;
            table
        }
        _ => return Err(TableError::UnsupportedType(extension)),
    };
    if table
        .heads
        .iter()
        .all(|s| s.rows.iter().all(|r| r.iter().all(Cell::is_blank)))
    {
        return Err(TableError::Empty);
    }
    Ok(table)
}

impl<'b> Table<'b> {
    /// The rows of sheet `sheet_index` from row `from` (0-based) on, one at
    /// a time, blank rows of an Excel sheet skipped, each row cut at
    /// `width` cells (the header's width: nothing further right is read).
    ///
    /// # Errors
    /// The sheet does not exist; a row that cannot be read is an `Err` item.
    pub fn rows(
        &mut self,
        sheet_index: usize,
        from: usize,
        width: usize,
    ) -> Result<Box<dyn Iterator<Item = Result<Row, TableError>> + '_>, TableError> {
        let width = width.min(MAX_COLUMNS);
        match &mut self.inner {
            TableInner::Whole(sheets) => {
                let sheet = sheets.get(sheet_index).ok_or_else(|| {
                    TableError::Workbook(format!("no sheet number {}", sheet_index + 1))
                })?;
                Ok(Box::new(sheet.rows.iter().enumerate().skip(from).map(
                    move |(index, row)| Ok((index, row.iter().take(width).cloned().collect())),
                )))
            }
            TableInner::Text { text, delimiter } => {
                let reader = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .delimiter(*delimiter)
                    .from_reader(text.as_bytes());
                Ok(Box::new(reader.into_records().enumerate().skip(from).map(
                    move |(index, record)| {
                        let record = record
                            .map_err(|e| TableError::Text(format!("record {}: {e}", index + 1)))?;
                        let cells = record
                            .iter()
                            .take(width)
                            .map(|field| {
                                if field.is_empty() {
                                    Cell::Empty
                                } else {
                                    Cell::Text(field.to_string())
                                }
                            })
                            .collect();
                        Ok((index, cells))
                    },
                )))
            }
            TableInner::TextFile {
                file,
                len,
                encoding,
                bom_len,
                delimiter,
            } => {
                let reader = decoded_file(file, *len, encoding, *bom_len)
                    .map_err(|e| TableError::Text(e.to_string()))?;
                let reader = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .delimiter(*delimiter)
                    .from_reader(reader);
                Ok(Box::new(
                    reader.into_byte_records().enumerate().skip(from).map(
                        move |(index, record)| {
                            let record = record.map_err(|e| {
                                TableError::Text(format!("record {}: {e}", index + 1))
                            })?;
                            let cells = record
                                .iter()
                                .take(width)
                                .map(|field| {
                                    if field.is_empty() {
                                        Cell::Empty
                                    } else {
                                        Cell::Text(String::from_utf8_lossy(field).into_owned())
                                    }
                                })
                                .collect();
                            Ok((index, cells))
                        },
                    ),
                ))
            }
            TableInner::Xlsx(workbook) => {
                let name = workbook
                    .sheet_names()
                    .get(sheet_index)
                    .cloned()
                    .ok_or_else(|| {
                        TableError::Workbook(format!("no sheet number {}", sheet_index + 1))
                    })?;
                let reader = workbook
                    .worksheet_cells_reader(&name)
                    .map_err(|e| TableError::Workbook(format!("sheet '{name}': {e}")))?;
                Ok(Box::new(XlsxRows::new(reader, name, from, width)))
            }
        }
    }
}
