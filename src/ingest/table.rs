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
        Some(slice.iter().rev().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
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
const MAX_COLUMNS: u32 = 16_384;

/// Reads an xlsx sheet cell by cell into ragged rows, refusing a sheet
/// whose rows would span more than [`MAX_SHEET_CELLS`] before allocating
/// them.
fn read_xlsx_sheet<RS: std::io::Read + std::io::Seek>(
    xlsx: &mut calamine::Xlsx<RS>,
    name: &str,
) -> Result<Vec<Vec<Cell>>, TableError> {
    let workbook_error = |e: calamine::XlsxError| TableError::Workbook(format!("sheet '{name}': {e}"));
    let mut reader = xlsx.worksheet_cells_reader(name).map_err(workbook_error)?;
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut spanned: usize = 0;
    while let Some(cell) = reader.next_cell().map_err(workbook_error)? {
        let (row, column) = cell.get_position();
        let value = convert_cell(&Data::from(cell.get_value().clone()));
        if value == Cell::Empty {
            continue;
        }
        if row >= MAX_ROWS || column >= MAX_COLUMNS {
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
        assert_eq!(zip_check(&zip64_archive(five_gb, 0)), ZipCheck::Declared(five_gb));
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
    fn numbers_print_like_typed() {
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(3.5), "3.5");
        assert_eq!(format_number(1e300), "1e300");
    }
}
