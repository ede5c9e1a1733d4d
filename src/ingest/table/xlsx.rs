//! Workbooks through calamine: `.xls` and `.ods` read whole, `.xlsx` and
//! `.xlsm` cell by cell (whole, or streamed row by row).

use std::io::Cursor;

use calamine::{DataType, Reader};

use super::zip_guard::refuse_bombs;
use super::{Cell, DateSystem, Row, Sheet, Table, TableError, TableInner, HEAD_ROWS, MAX_COLUMNS};

/// The signature of OLE compound files (`.xls`, and encrypted `.xlsx`).
pub(super) const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

pub(super) fn read_workbook(extension: &str, bytes: &[u8]) -> Result<Vec<Sheet>, TableError> {
    if matches!(extension, "xlsx" | "xlsm") && bytes.starts_with(OLE_MAGIC) {
        return Err(TableError::Encrypted);
    }
    refuse_bombs(bytes)?;
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
        let value = convert_cell(cell.get_value());
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

/// A cell as csat reads it, from calamine's owned `Data` (whole sheets) or
/// its borrowed `DataRef` (the cell reader: a shared string is copied once,
/// here, not once into a `Data` and again into the `Cell`).
fn convert_cell<T: DataType>(data: &T) -> Cell {
    if let Some(text) = data.get_string() {
        return Cell::Text(text.to_string());
    }
    if let Some(n) = data.get_float() {
        return Cell::Number(n);
    }
    if let Some(n) = data.get_int() {
        return Cell::Number(n as f64);
    }
    if let Some(b) = data.get_bool() {
        return Cell::Bool(b);
    }
    if let Some(d) = data.get_datetime() {
        return match d.as_datetime() {
            Some(dt) => Cell::DateTime(dt),
            None => Cell::Number(d.as_f64()),
        };
    }
    if let Some(text) = data.get_datetime_iso().or_else(|| data.get_duration_iso()) {
        return Cell::Text(text.to_string());
    }
    // As Excel shows it: #DIV/0!, #N/A …
    match data.get_error() {
        Some(error) => Cell::Text(error.to_string()),
        None => Cell::Empty,
    }
}

/// Rows indexed from 0 with the blank rows between them filled in.
pub(super) fn dense(rows: Vec<Row>) -> Vec<Vec<Cell>> {
    let mut dense: Vec<Vec<Cell>> = Vec::new();
    for (index, cells) in rows {
        if index >= dense.len() {
            dense.resize(index, Vec::new());
            dense.push(cells);
        }
    }
    dense
}

pub(super) fn open_xlsx(bytes: &[u8]) -> Result<Table<'_>, TableError> {
    refuse_bombs(bytes)?;
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

/// Rows assembled from calamine's cell reader (cells come row by row).
pub(super) struct XlsxRows<'a, 'b> {
    reader: calamine::XlsxCellReader<'a, Cursor<&'b [u8]>>,
    name: String,
    from: usize,
    width: usize,
    /// The row being assembled.
    pending: Option<Row>,
    done: bool,
}

impl<'a, 'b> XlsxRows<'a, 'b> {
    /// The rows of sheet `name` from row `from` on, cut at `width` cells.
    pub(super) fn new(
        reader: calamine::XlsxCellReader<'a, Cursor<&'b [u8]>>,
        name: String,
        from: usize,
        width: usize,
    ) -> Self {
        XlsxRows {
            reader,
            name,
            from,
            width,
            pending: None,
            done: false,
        }
    }
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
            let value = convert_cell(cell.get_value());
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
