//! Reads a spreadsheet or delimited text file into sheets of cells.
//!
//! Excel (`.xlsx`, `.xlsm`, `.xls`, `.ods`) goes through calamine; CSV, TSV
//! and TXT are decoded (UTF-8 with or without BOM, UTF-16 with BOM, else
//! GB18030, which covers GBK) and split by the separator that occurs most
//! consistently. Row indexes are absolute and 0-based: row `i` is the
//! spreadsheet's row `i + 1`, whatever blank rows precede the data.

use std::io::Cursor;

use calamine::{Data, Reader};
use chrono::NaiveDateTime;

use crate::ingest::answers::DateSystem;

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

/// The most a workbook's parts may add up to once inflated.
const MAX_EXPANDED_BYTES: u64 = 1024 * 1024 * 1024;

/// What the central directory of a ZIP container (xlsx, xlsm, ods) says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ZipCheck {
    /// No ZIP end record: not a ZIP (an `.xls` is an OLE file).
    NotZip,
    /// The uncompressed size all its entries declare, in bytes.
    Declared(u64),
    /// A ZIP end record whose directory cannot be read: refused rather than
    /// handed to a reader that might inflate it unchecked.
    Damaged,
}

/// Reads the central directory (ZIP64 and archives with bytes prepended
/// included) before anything is inflated, so a zip bomb is refused
/// unopened.
fn zip_check(bytes: &[u8]) -> ZipCheck {
    const END_OF_DIRECTORY: [u8; 4] = [0x50, 0x4b, 0x05, 0x06];
    const ZIP64_LOCATOR: [u8; 4] = [0x50, 0x4b, 0x06, 0x07];
    const ZIP64_END: [u8; 4] = [0x50, 0x4b, 0x06, 0x06];
    const DIRECTORY_ENTRY: [u8; 4] = [0x50, 0x4b, 0x01, 0x02];
    let le = |at: usize, len: usize| -> Option<u64> {
        let slice = bytes.get(at..at.checked_add(len)?)?;
        Some(
            slice
                .iter()
                .rev()
                .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)),
        )
    };
    // The end record is in the last 64 KiB + 22 bytes (its comment ≤ 64 KiB).
    let search_from = bytes.len().saturating_sub(65_557);
    let Some(end) = (search_from..bytes.len().saturating_sub(21))
        .rev()
        .find(|&i| bytes[i..i + 4] == END_OF_DIRECTORY)
    else {
        return ZipCheck::NotZip;
    };
    let declared = (|| -> Option<u64> {
        let mut directory_size = le(end + 12, 4)?;
        let mut directory_end = end;
        if le(end + 10, 2)? == 0xFFFF
            || directory_size == 0xFFFF_FFFF
            || le(end + 16, 4)? == 0xFFFF_FFFF
        {
            // ZIP64: the locator sits just before the end record.
            let locator = end.checked_sub(20)?;
            if bytes.get(locator..locator + 4)? != ZIP64_LOCATOR {
                return None;
            }
            // The ZIP64 end record precedes the locator (56 bytes without
            // extensible data); its recorded offset may be off by a prefix.
            let zip64_end = (0..locator)
                .rev()
                .take(1 << 16)
                .find(|&i| bytes.get(i..i + 4) == Some(&ZIP64_END[..]))?;
            directory_size = le(zip64_end + 40, 8)?;
            directory_end = zip64_end;
        }
        // Measured from the end, so bytes prepended to the archive (a
        // "prefixed" ZIP) do not hide the directory.
        let mut at = directory_end.checked_sub(usize::try_from(directory_size).ok()?)?;
        let mut total = 0u64;
        while at < directory_end {
            if bytes.get(at..at + 4)? != DIRECTORY_ENTRY {
                return None;
            }
            let mut uncompressed = le(at + 24, 4)?;
            let name_len = usize::try_from(le(at + 28, 2)?).ok()?;
            let extra_len = usize::try_from(le(at + 30, 2)?).ok()?;
            let comment_len = usize::try_from(le(at + 32, 2)?).ok()?;
            if uncompressed == 0xFFFF_FFFF {
                // The real size is in the ZIP64 extra field (id 0x0001).
                let mut field = at + 46 + name_len;
                let extra_end = field + extra_len;
                uncompressed = u64::MAX;
                while field + 4 <= extra_end {
                    let id = le(field, 2)?;
                    let len = usize::try_from(le(field + 2, 2)?).ok()?;
                    if id == 1 {
                        uncompressed = le(field + 4, 8)?;
                        break;
                    }
                    field += 4 + len;
                }
            }
            total = total.saturating_add(uncompressed);
            at += 46 + name_len + extra_len + comment_len;
        }
        Some(total)
    })();
    match declared {
        Some(total) => ZipCheck::Declared(total),
        None => ZipCheck::Damaged,
    }
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

/// The signature of OLE compound files (`.xls`, and encrypted `.xlsx`).
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn read_workbook(extension: &str, bytes: &[u8]) -> Result<Vec<Sheet>, TableError> {
    if matches!(extension, "xlsx" | "xlsm") && bytes.starts_with(OLE_MAGIC) {
        return Err(TableError::Encrypted);
    }
    match zip_check(bytes) {
        ZipCheck::Declared(expanded) if expanded > MAX_EXPANDED_BYTES => {
            return Err(TableError::ZipBomb {
                expanded_mb: expanded / (1024 * 1024),
                file_mb: bytes.len() as u64 / (1024 * 1024),
                limit_mb: MAX_EXPANDED_BYTES / (1024 * 1024),
            });
        }
        ZipCheck::Damaged => {
            return Err(TableError::Workbook(
                "its ZIP directory cannot be read (a damaged or altered file); open it in Excel, save it again, and drop the new file".to_string(),
            ))
        }
        ZipCheck::Declared(_) | ZipCheck::NotZip => {}
    }
    let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        let message = e.to_string();
        if message.to_lowercase().contains("password") || message.to_lowercase().contains("encrypt")
        {
            TableError::Encrypted
        } else {
            TableError::Workbook(message)
        }
    })?;
    let date_system = match &workbook {
        calamine::Sheets::Xlsx(xlsx) if xlsx.has_1904_epoch() => DateSystem::Excel1904,
        calamine::Sheets::Xls(xls) if xls.has_1904_epoch() => DateSystem::Excel1904,
        _ => DateSystem::Excel1900,
    };
    let mut sheets = Vec::new();
    for name in workbook.sheet_names() {
        if let calamine::Sheets::Xlsx(xlsx) = &mut workbook {
            // Streamed cell by cell: a sheet with one cell at A1 and one at
            // XFD1048576 must not become a dense grid of 17 billion cells.
            let rows = read_xlsx_sheet(xlsx, &name)?;
            sheets.push(Sheet {
                name,
                rows,
                date_system,
            });
            continue;
        }
        let range = workbook
            .worksheet_range(&name)
            .map_err(|e| TableError::Workbook(format!("sheet '{name}': {e}")))?;
        let (start_row, start_col) = range.start().unwrap_or((0, 0));
        let mut rows: Vec<Vec<Cell>> = vec![Vec::new(); start_row as usize];
        for row in range.rows() {
            let mut cells = vec![Cell::Empty; start_col as usize];
            cells.extend(row.iter().map(convert_cell));
            rows.push(cells);
        }
        sheets.push(Sheet {
            name,
            rows,
            date_system,
        });
    }
    if sheets
        .iter()
        .all(|s| s.rows.iter().all(|r| r.iter().all(Cell::is_blank)))
    {
        return Err(TableError::Empty);
    }
    Ok(sheets)
}

/// The most cells a sheet may span once its rows are padded to their last
/// filled cell (about 320 MB of cells): ten times the largest real export
/// seen, far below what would exhaust the server.
pub const MAX_SHEET_CELLS: usize = 10_000_000;

/// Excel's own limits.
const MAX_ROWS: u32 = 1_048_576;
const MAX_SHEET_COLUMNS: u32 = 16_384;

/// Reads an xlsx sheet cell by cell into ragged rows, refusing a sheet
/// whose rows would span more than [`MAX_SHEET_CELLS`] before allocating
/// them.
fn read_xlsx_sheet<RS: std::io::Read + std::io::Seek>(
    xlsx: &mut calamine::Xlsx<RS>,
    name: &str,
) -> Result<Vec<Vec<Cell>>, TableError> {
    let workbook_error =
        |e: calamine::XlsxError| TableError::Workbook(format!("sheet '{name}': {e}"));
    let mut reader = xlsx.worksheet_cells_reader(name).map_err(workbook_error)?;
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut spanned: usize = 0;
    while let Some(cell) = reader.next_cell().map_err(workbook_error)? {
        let (row, column) = cell.get_position();
        let value = convert_cell(&Data::from(cell.get_value().clone()));
        if value == Cell::Empty {
            continue;
        }
        if row >= MAX_ROWS || column >= MAX_SHEET_COLUMNS {
            return Err(TableError::Workbook(format!(
                "sheet '{name}': a cell at row {}, column {} lies beyond Excel's limits (1,048,576 rows × 16,384 columns)",
                u64::from(row) + 1,
                u64::from(column) + 1
            )));
        }
        let (row, column) = (row as usize, column as usize);
        if row >= rows.len() {
            spanned += row + 1 - rows.len();
        }
        let width = rows.get(row).map_or(0, Vec::len);
        if column >= width {
            spanned += column + 1 - width;
        }
        if spanned > MAX_SHEET_CELLS {
            return Err(TableError::TooManyCells {
                sheet: name.to_string(),
                limit: MAX_SHEET_CELLS,
            });
        }
        if row >= rows.len() {
            rows.resize_with(row + 1, Vec::new);
        }
        let cells = &mut rows[row];
        if column >= cells.len() {
            cells.resize(column + 1, Cell::Empty);
        }
        cells[column] = value;
    }
    Ok(rows)
}

fn convert_cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(d) => match d.as_datetime() {
            Some(dt) => Cell::DateTime(dt),
            None => Cell::Number(d.as_f64()),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        // As Excel shows it: #DIV/0!, #N/A …
        Data::Error(e) => Cell::Text(e.to_string()),
    }
}

/// Like [`decode_text`], but valid UTF-8 (the common case) is borrowed, not
/// copied.
pub fn decode_text_borrowed(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    if encoding_rs::Encoding::for_bom(bytes).is_none() {
        if let Ok(text) = std::str::from_utf8(bytes) {
            return std::borrow::Cow::Borrowed(text);
        }
    }
    std::borrow::Cow::Owned(decode_text(bytes))
}

/// Decodes text bytes: BOMs first, then strict UTF-8, then GB18030 (a
/// superset of GBK, what Excel writes as "CSV" on Chinese Windows).
pub fn decode_text(bytes: &[u8]) -> String {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return text.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => {
            // A UTF-8 file with a few broken bytes (a bad copy, a cell pasted
            // from elsewhere) stays UTF-8, the broken bytes becoming U+FFFD
            // so only their cells are refused; GBK text, whose Chinese is
            // almost never valid UTF-8, is decoded as GB18030.
            let lossy = String::from_utf8_lossy(bytes);
            let broken = lossy.matches('\u{FFFD}').count();
            let valid_non_ascii = lossy
                .chars()
                .filter(|c| !c.is_ascii() && *c != '\u{FFFD}')
                .count();
            if valid_non_ascii > broken * 4 {
                return lossy.into_owned();
            }
            let (text, _, _) = encoding_rs::GB18030.decode(bytes);
            text.into_owned()
        }
    }
}

fn read_text(file_name: &str, bytes: &[u8]) -> Result<Vec<Sheet>, TableError> {
    let text = decode_text(bytes);
    if text.trim().is_empty() {
        return Err(TableError::Empty);
    }
    let delimiter = sniff_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|e| TableError::Text(format!("record {}: {e}", index + 1)))?;
        rows.push(
            record
                .iter()
                .map(|field| {
                    if field.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(field.to_string())
                    }
                })
                .collect(),
        );
    }
    let name = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(file_name)
        .to_string();
    Ok(vec![Sheet {
        name,
        rows,
        date_system: DateSystem::Excel1900,
    }])
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
            let rows = table
                .rows(0, 0, MAX_COLUMNS)?
                .take(HEAD_ROWS)
                .collect::<Result<Vec<Row>, TableError>>()?;
            let name = file_name
                .rsplit(['/', '\\'])
                .next()
                .unwrap_or(file_name)
                .to_string();
            table.heads.push(Sheet {
                name,
                rows: dense(rows),
                date_system: DateSystem::Excel1900,
            });
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

/// Opens a delimited text file for streaming from disk, for files too large
/// to hold whole, through `file` (a handle already opened and checked by
/// `inbox::open_checked`; never reopened by path), reading at most its
/// first `len` bytes: the encoding is decided as [`decode_text`] decides it (a
/// BOM; else UTF-8, keeping a few broken bytes as U+FFFD; else GB18030) in
/// one pass over the file, then the text is decoded block by block as the
/// rows are read.
///
/// # Errors
/// The file cannot be read, or holds only blanks.
pub fn open_text_file(
    file_name: &str,
    file: std::fs::File,
    len: u64,
) -> Result<Table<'static>, TableError> {
    use std::io::{Read, Seek};
    let read_error = |e: std::io::Error| TableError::Text(e.to_string());
    let mut handle = &file;
    handle
        .seek(std::io::SeekFrom::Start(0))
        .map_err(read_error)?;
    let mut handle = (&file).take(len);
    let mut start = [0u8; 4];
    let mut n_start = 0;
    while n_start < start.len() {
        let n = handle.read(&mut start[n_start..]).map_err(read_error)?;
        if n == 0 {
            break;
        }
        n_start += n;
    }
    if n_start == 0 {
        return Err(TableError::Empty);
    }
    let (encoding, bom_len) = match encoding_rs::Encoding::for_bom(&start[..n_start]) {
        Some(found) => found,
        None => {
            // One pass: how much of it is broken as UTF-8.
            let mut handle = &file;
            handle
                .seek(std::io::SeekFrom::Start(0))
                .map_err(read_error)?;
            let mut handle = (&file).take(len);
            let mut decoder = encoding_rs::UTF_8.new_decoder_without_bom_handling();
            let mut raw = vec![0u8; 1 << 16];
            let mut text = String::new();
            let (mut broken, mut valid_non_ascii) = (0usize, 0usize);
            loop {
                let n = handle.read(&mut raw).map_err(read_error)?;
                let last = n == 0;
                text.clear();
                text.reserve(decoder.max_utf8_buffer_length(n).unwrap_or(n * 3 + 16));
                let _ = decoder.decode_to_string(&raw[..n], &mut text, last);
                for c in text.chars() {
                    if c == '\u{FFFD}' {
                        broken += 1;
                    } else if !c.is_ascii() {
                        valid_non_ascii += 1;
                    }
                }
                if last {
                    break;
                }
            }
            if broken == 0 || valid_non_ascii > broken * 4 {
                (encoding_rs::UTF_8, 0)
            } else {
                (encoding_rs::GB18030, 0)
            }
        }
    };
    // The first 256 KiB, for the separator (a character cut at the end
    // does not matter).
    let mut head_bytes = Vec::new();
    decoded_file(&file, len, encoding, bom_len)
        .map_err(read_error)?
        .take(1 << 18)
        .read_to_end(&mut head_bytes)
        .map_err(read_error)?;
    let head_text = String::from_utf8_lossy(&head_bytes);
    if head_text.trim().is_empty() && len < (1 << 18) {
        return Err(TableError::Empty);
    }
    let delimiter = sniff_delimiter(&head_text);
    let mut table = Table {
        heads: Vec::new(),
        inner: TableInner::TextFile {
            file,
            len,
            encoding,
            bom_len,
            delimiter,
        },
    };
    let rows = table
        .rows(0, 0, MAX_COLUMNS)?
        .take(HEAD_ROWS)
        .collect::<Result<Vec<Row>, TableError>>()?;
    let name = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(file_name)
        .to_string();
    table.heads.push(Sheet {
        name,
        rows: dense(rows),
        date_system: DateSystem::Excel1900,
    });
    if table.heads[0]
        .rows
        .iter()
        .all(|r| r.iter().all(Cell::is_blank))
    {
        return Err(TableError::Empty);
    }
    Ok(table)
}

/// The first `len` bytes of `file` as UTF-8, decoded from `encoding` block
/// by block after skipping `bom_len` bytes (broken bytes become U+FFFD).
/// Reads through the same handle (a clone sharing its position), from the
/// start.
fn decoded_file(
    file: &std::fs::File,
    len: u64,
    encoding: &'static encoding_rs::Encoding,
    bom_len: usize,
) -> std::io::Result<DecodingReader<std::io::BufReader<std::io::Take<std::fs::File>>>> {
    use std::io::{Read, Seek};
    let mut file = file.try_clone()?;
    file.seek(std::io::SeekFrom::Start(bom_len as u64))?;
    let file = file.take(len.saturating_sub(bom_len as u64));
    Ok(DecodingReader {
        inner: std::io::BufReader::with_capacity(1 << 16, file),
        decoder: encoding.new_decoder_without_bom_handling(),
        raw: vec![0u8; 1 << 16],
        out: String::new(),
        position: 0,
        done: false,
    })
}

/// A reader of UTF-8 decoded from another encoding as it is read.
struct DecodingReader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    raw: Vec<u8>,
    out: String,
    position: usize,
    done: bool,
}

impl<R: std::io::Read> std::io::Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.position < self.out.len() {
                let available = &self.out.as_bytes()[self.position..];
                let n = available.len().min(buf.len());
                buf[..n].copy_from_slice(&available[..n]);
                self.position += n;
                return Ok(n);
            }
            if self.done {
                return Ok(0);
            }
            let n = self.inner.read(&mut self.raw)?;
            let last = n == 0;
            self.out.clear();
            self.position = 0;
            self.out
                .reserve(self.decoder.max_utf8_buffer_length(n).unwrap_or(n * 3 + 16));
            let _ = self
                .decoder
                .decode_to_string(&self.raw[..n], &mut self.out, last);
            self.done = last;
        }
    }
}

/// Rows indexed from 0 with the blank rows between them filled in.
fn dense(rows: Vec<Row>) -> Vec<Vec<Cell>> {
    let mut dense: Vec<Vec<Cell>> = Vec::new();
    for (index, cells) in rows {
        if index >= dense.len() {
            dense.resize(index, Vec::new());
            dense.push(cells);
        }
    }
    dense
}

fn open_xlsx(bytes: &[u8]) -> Result<Table<'_>, TableError> {
    match zip_check(bytes) {
        ZipCheck::Declared(expanded) if expanded > MAX_EXPANDED_BYTES => {
            return Err(TableError::ZipBomb {
                expanded_mb: expanded / (1024 * 1024),
                file_mb: bytes.len() as u64 / (1024 * 1024),
                limit_mb: MAX_EXPANDED_BYTES / (1024 * 1024),
            });
        }
        ZipCheck::Damaged => {
            return Err(TableError::Workbook(
                "its ZIP directory cannot be read (a damaged or altered file); open it in Excel, save it again, and drop the new file".to_string(),
            ))
        }
        ZipCheck::Declared(_) | ZipCheck::NotZip => {}
    }
    let workbook: calamine::Xlsx<_> = calamine::Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        let message = e.to_string();
        if message.to_lowercase().contains("password") || message.to_lowercase().contains("encrypt")
        {
            TableError::Encrypted
        } else {
            TableError::Workbook(message)
        }
    })?;
    let mut table = Table {
        heads: Vec::new(),
        inner: TableInner::Xlsx(Box::new(workbook)),
    };
    let TableInner::Xlsx(workbook) = &table.inner else {
        unreachable!("just built")
    };
    let date_system = if workbook.has_1904_epoch() {
        DateSystem::Excel1904
    } else {
        DateSystem::Excel1900
    };
    let names = workbook.sheet_names();
    for (index, name) in names.into_iter().enumerate() {
        let rows = table
            .rows(index, 0, MAX_COLUMNS)?
            .take_while(|row| row.as_ref().map_or(true, |(i, _)| *i < HEAD_ROWS))
            .collect::<Result<Vec<Row>, TableError>>()?;
        table.heads.push(Sheet {
            name,
            rows: dense(rows),
            date_system,
        });
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
                Ok(Box::new(XlsxRows {
                    reader,
                    name,
                    from,
                    width,
                    pending: None,
                    done: false,
                }))
            }
        }
    }
}

/// Rows assembled from calamine's cell reader (cells come row by row).
struct XlsxRows<'a, 'b> {
    reader: calamine::XlsxCellReader<'a, Cursor<&'b [u8]>>,
    name: String,
    from: usize,
    width: usize,
    /// The row being assembled.
    pending: Option<Row>,
    done: bool,
}

impl Iterator for XlsxRows<'_, '_> {
    type Item = Result<Row, TableError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let cell = match self.reader.next_cell() {
                Ok(cell) => cell,
                Err(e) => {
                    self.done = true;
                    return Some(Err(TableError::Workbook(format!(
                        "sheet '{}': {e}",
                        self.name
                    ))));
                }
            };
            let Some(cell) = cell else {
                self.done = true;
                break;
            };
            let (row, column) = cell.get_position();
            let (row, column) = (row as usize, column as usize);
            if row < self.from || column >= self.width {
                continue;
            }
            let value = convert_cell(&Data::from(cell.get_value().clone()));
            if value == Cell::Empty {
                continue;
            }
            let finished = match &mut self.pending {
                Some((index, cells)) if *index == row => {
                    if cells.len() <= column {
                        cells.resize(column + 1, Cell::Empty);
                    }
                    cells[column] = value;
                    None
                }
                _ => {
                    let mut cells = vec![Cell::Empty; column + 1];
                    cells[column] = value;
                    self.pending.replace((row, cells))
                }
            };
            if finished.is_some() {
                return finished.map(Ok);
            }
        }
        self.pending.take().map(Ok)
    }
}

/// Picks the separator (`,`, `;` or tab) that appears most often in the
/// first lines; quoted text is not counted.
fn sniff_delimiter(text: &str) -> u8 {
    let mut best = (b',', 0usize);
    for candidate in [b',', b';', b'\t'] {
        let mut count = 0;
        for line in text.lines().take(20) {
            let mut in_quotes = false;
            for byte in line.bytes() {
                if byte == b'"' {
                    in_quotes = !in_quotes;
                } else if byte == candidate && !in_quotes {
                    count += 1;
                }
            }
        }
        if count > best.1 {
            best = (candidate, count);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_csv_with_title_line_is_decoded() {
        let text = "导出时间: 2026-11-01\n回访单号,回访类型\nH1,安装回访\n";
        let (bytes, _, _) = encoding_rs::GBK.encode(text);
        let sheets = read_table("回访.csv", &bytes).unwrap();
        assert_eq!(sheets[0].rows[1][1], Cell::Text("回访类型".into()));
        assert_eq!(sheets[0].rows[2][1], Cell::Text("安装回访".into()));
    }

    #[test]
    fn utf8_bom_and_semicolons() {
        let bytes = "\u{feff}a;b;c\n1;\"x;y\";3\n".as_bytes();
        let sheets = read_table("x.csv", bytes).unwrap();
        assert_eq!(sheets[0].rows[0][0], Cell::Text("a".into()));
        assert_eq!(sheets[0].rows[1][1], Cell::Text("x;y".into()));
    }

    #[test]
    fn utf16_tab_separated() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "姓名\t得分\r\n张三\t5\r\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let sheets = read_table("x.txt", &bytes).unwrap();
        assert_eq!(sheets[0].rows[1][0], Cell::Text("张三".into()));
        assert_eq!(sheets[0].rows[1][1], Cell::Text("5".into()));
    }

    #[test]
    fn empty_and_unknown_types_are_errors() {
        assert!(matches!(read_table("x.csv", b""), Err(TableError::Empty)));
        let err = read_table("x.pdf", b"%PDF").unwrap_err().to_string();
        assert!(err.contains("unsupported file type '.pdf'"), "{err}");
        let err = read_table("x.xlsx", b"not a zip at all")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("cannot open as a spreadsheet"), "{err}");
    }

    #[test]
    fn encrypted_xlsx_is_named_as_such() {
        let mut bytes = OLE_MAGIC.to_vec();
        bytes.extend_from_slice(&[0; 504]);
        let err = read_table("加密.xlsx", &bytes).unwrap_err().to_string();
        assert!(
            err.starts_with("the workbook is password-protected"),
            "{err}"
        );
    }

    #[test]
    fn a_real_workbook_declares_its_size() {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        workbook.add_worksheet().write_string(0, 0, "满意").unwrap();
        let bytes = workbook.save_to_buffer().unwrap();
        let ZipCheck::Declared(declared) = zip_check(&bytes) else {
            panic!("{:?}", zip_check(&bytes));
        };
        assert!(
            declared > bytes.len() as u64 && declared < 100_000,
            "{declared}"
        );
        assert_eq!(zip_check(b"not a zip"), ZipCheck::NotZip);
        // Bytes prepended to the archive do not hide its directory.
        let mut prefixed = vec![b'x'; 5000];
        prefixed.extend_from_slice(&bytes);
        assert_eq!(zip_check(&prefixed), ZipCheck::Declared(declared));
        // A directory that does not add up is refused, not skipped.
        let mut damaged = bytes.clone();
        let end = damaged.len() - 22;
        damaged[end + 12] ^= 0x10;
        assert_eq!(zip_check(&damaged), ZipCheck::Damaged);
    }

    /// A ZIP64 archive of one entry declaring `declared` bytes (in the
    /// ZIP64 extra field), after `prefix` junk bytes.
    pub(crate) fn zip64_archive(declared: u64, prefix: usize) -> Vec<u8> {
        let name = b"xl/worksheets/sheet1.xml";
        let data = b"<x/>";
        let mut bytes = vec![b'#'; prefix];
        let local = bytes.len() as u64;
        bytes.extend_from_slice(&[0x50, 0x4b, 0x03, 0x04, 45, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        bytes.extend_from_slice(&[0; 4]); // crc
        bytes.extend_from_slice(&(data.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
        bytes.extend_from_slice(&(name.len() as u16).to_le_bytes());
        bytes.extend_from_slice(&0u16.to_le_bytes());
        bytes.extend_from_slice(name);
        bytes.extend_from_slice(data);
        let directory = bytes.len() as u64;
        bytes.extend_from_slice(&[0x50, 0x4b, 0x01, 0x02, 45, 0, 45, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        bytes.extend_from_slice(&[0; 4]); // crc
        bytes.extend_from_slice(&(data.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
        bytes.extend_from_slice(&(name.len() as u16).to_le_bytes());
        bytes.extend_from_slice(&12u16.to_le_bytes()); // extra length
        bytes.extend_from_slice(&[0; 10]); // comment, disk, attributes
        bytes.extend_from_slice(&((local - prefix as u64) as u32).to_le_bytes());
        bytes.extend_from_slice(name);
        bytes.extend_from_slice(&1u16.to_le_bytes());
        bytes.extend_from_slice(&8u16.to_le_bytes());
        bytes.extend_from_slice(&declared.to_le_bytes());
        let directory_size = bytes.len() as u64 - directory;
        let zip64_end = bytes.len() as u64;
        bytes.extend_from_slice(&[0x50, 0x4b, 0x06, 0x06]);
        bytes.extend_from_slice(&44u64.to_le_bytes());
        bytes.extend_from_slice(&[45, 0, 45, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        bytes.extend_from_slice(&1u64.to_le_bytes());
        bytes.extend_from_slice(&1u64.to_le_bytes());
        bytes.extend_from_slice(&directory_size.to_le_bytes());
        bytes.extend_from_slice(&(directory - prefix as u64).to_le_bytes());
        bytes.extend_from_slice(&[0x50, 0x4b, 0x06, 0x07, 0, 0, 0, 0]);
        bytes.extend_from_slice(&(zip64_end - prefix as u64).to_le_bytes());
        bytes.extend_from_slice(&1u32.to_le_bytes());
        bytes.extend_from_slice(&[0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]);
        bytes.extend_from_slice(&[0xFF; 8]);
        bytes.extend_from_slice(&0u16.to_le_bytes());
        bytes
    }

    #[test]
    fn zip64_and_prefixed_bombs_are_measured() {
        let five_gb = 5 * 1024 * 1024 * 1024;
        assert_eq!(
            zip_check(&zip64_archive(five_gb, 0)),
            ZipCheck::Declared(five_gb)
        );
        assert_eq!(
            zip_check(&zip64_archive(five_gb, 70_000)),
            ZipCheck::Declared(five_gb)
        );
        let err = read_table("bomb.xlsx", &zip64_archive(five_gb, 100))
            .unwrap_err()
            .to_string();
        assert!(err.contains("zip bomb"), "{err}");
    }

    #[test]
    fn sparse_workbooks_are_read_without_a_dense_grid() {
        // One cell at A1, one at XFD1048576: ragged rows, not 17 billion cells.
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.write_string(0, 0, "客户编号").unwrap();
        sheet.write_string(1_048_575, 16_383, "x").unwrap();
        let sheets = read_table("sparse.xlsx", &workbook.save_to_buffer().unwrap()).unwrap();
        assert_eq!(sheets[0].rows.len(), 1_048_576);
        assert_eq!(sheets[0].rows[1].len(), 0);
        assert_eq!(sheets[0].rows[1_048_575].len(), 16_384);
        assert_eq!(sheets[0].rows[1_048_575][16_383], Cell::Text("x".into()));
        // A cell at the last column of 700 rows would pad to 11.5 million
        // cells: refused before the padding is allocated.
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        for row in 0..700 {
            sheet.write_string(row, 16_383, "x").unwrap();
        }
        let err = read_table("wide.xlsx", &workbook.save_to_buffer().unwrap())
            .unwrap_err()
            .to_string();
        assert!(err.contains("span more than 10000000 cells"), "{err}");
    }

    #[test]
    fn a_sparse_workbook_streams_without_a_dense_grid() {
        // Cells at A1 and XFD1048576: the declared dimension is the whole
        // sheet; the streaming reader allocates only what it keeps.
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.write_string(0, 0, "序号").unwrap();
        sheet.write_string(0, 1, "提交答卷时间").unwrap();
        sheet.write_string(1_048_575, 16_383, "远处").unwrap();
        let bytes = workbook.save_to_buffer().unwrap();
        let mut table = open_table("稀疏.xlsx", &bytes).unwrap();
        assert_eq!(table.heads[0].rows.len(), 1);
        let rows: Vec<Row> = table.rows(0, 1, 2).unwrap().map(Result::unwrap).collect();
        assert!(
            rows.is_empty(),
            "the far cell is outside the header's width"
        );
        let rows: Vec<Row> = table
            .rows(0, 0, MAX_COLUMNS)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].0, 1_048_575);
        assert_eq!(rows[1].1.len(), MAX_COLUMNS);
    }

    #[test]
    fn streamed_rows_match_the_whole_reading() {
        let text = "导出时间: 2026-11-01\n\n回访单号,回访类型\nH1,安装回访\nH2,\"三个,月\"\n";
        let whole = read_table("回访.csv", text.as_bytes()).unwrap();
        let mut table = open_table("回访.csv", text.as_bytes()).unwrap();
        let streamed: Vec<Row> = table
            .rows(0, 2, MAX_COLUMNS)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let expected: Vec<Row> = whole[0].rows.iter().cloned().enumerate().skip(2).collect();
        assert_eq!(streamed, expected);
        assert_eq!(table.heads[0].rows, whole[0].rows);

        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.write_string(0, 0, "标题").unwrap();
        sheet.write_string(2, 0, "编号").unwrap();
        sheet.write_string(2, 2, "得分").unwrap();
        sheet.write_number(3, 0, 7.0).unwrap();
        sheet.write_number(3, 2, 4.5).unwrap();
        let bytes = workbook.save_to_buffer().unwrap();
        let whole = read_table("x.xlsx", &bytes).unwrap();
        let mut table = open_table("x.xlsx", &bytes).unwrap();
        // The same cells; a streamed row ends at its last cell.
        let trimmed = |rows: &[Vec<Cell>]| -> Vec<Vec<Cell>> {
            rows.iter()
                .map(|row| {
                    let end = row
                        .iter()
                        .rposition(|c| *c != Cell::Empty)
                        .map_or(0, |i| i + 1);
                    row[..end].to_vec()
                })
                .collect()
        };
        assert_eq!(table.heads[0].rows, trimmed(&whole[0].rows));
        let streamed: Vec<Row> = table.rows(0, 3, 3).unwrap().map(Result::unwrap).collect();
        assert_eq!(
            streamed,
            vec![(3, vec![Cell::Number(7.0), Cell::Empty, Cell::Number(4.5)])]
        );
    }

    /// Opens a text file for streaming as the pipeline does: one handle.
    fn open_path(name: &str, path: &std::path::Path) -> Result<Table<'static>, TableError> {
        let file = std::fs::File::open(path).unwrap();
        let len = file.metadata().unwrap().len();
        open_text_file(name, file, len)
    }

    #[test]
    fn a_text_file_read_from_disk_gives_the_same_rows() {
        let gbk = encoding_rs::GBK
            .encode("导出时间: 2026-11-01\n回访单号,回访类型\nH1,安装回访\n")
            .0
            .into_owned();
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "姓名\t得分\r\n张三\t5\r\n".encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        // Mostly UTF-8 with one broken byte: only that cell changes.
        let mut broken = "编号,意见\n1,很好的床垫\n2,送货".as_bytes().to_vec();
        broken.push(0xFF);
        broken.extend_from_slice("太慢\n3,安装师傅专业\n".as_bytes());
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in [
            ("gbk.csv", gbk),
            (
                "bom.csv",
                "\u{feff}a;b;c\n1;\"x;y\";3\n".as_bytes().to_vec(),
            ),
            ("utf16.txt", utf16),
            ("broken.csv", broken),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, &bytes).unwrap();
            let whole = read_table(name, &bytes).unwrap();
            let mut table = open_path(name, &path).unwrap();
            assert_eq!(table.heads[0].rows, whole[0].rows, "{name}");
            let streamed: Vec<Vec<Cell>> = table
                .rows(0, 0, MAX_COLUMNS)
                .unwrap()
                .map(|row| row.unwrap().1)
                .collect();
            assert_eq!(streamed, whole[0].rows, "{name}");
        }
        // Longer than the 256 KiB sniffed for the separator, with the cut
        // inside a three-byte character.
        let mut long = String::from("编号,意见\n");
        let mut n = 0;
        while long.len() < (1 << 18) + 4096 {
            n += 1;
            long.push_str(&format!("{n},送货很慢\n"));
        }
        assert!(
            !long.is_char_boundary(1 << 18),
            "the cut is inside a character"
        );
        let long_path = dir.path().join("long.csv");
        std::fs::write(&long_path, &long).unwrap();
        let mut table = open_path("long.csv", &long_path).unwrap();
        assert_eq!(table.rows(0, 1, MAX_COLUMNS).unwrap().count(), n);

        let empty = dir.path().join("empty.csv");
        std::fs::write(&empty, " \n\n").unwrap();
        assert!(matches!(
            open_path("empty.csv", &empty),
            Err(TableError::Empty)
        ));
    }

    #[test]
    fn numbers_print_like_typed() {
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(3.5), "3.5");
        assert_eq!(format_number(1e300), "1e300");
    }
}
