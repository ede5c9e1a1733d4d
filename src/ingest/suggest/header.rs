//! Finding the header row of a sheet: title rows, cover sheets and two-row
//! merged headers included.

use crate::config::Scale;
use crate::ingest::answers;
use crate::ingest::table::{Cell, Sheet};

use super::{HEADER_SEARCH_ROWS, SAMPLE_ROWS};

/// The header found in a sheet.
pub(super) struct HeaderGuess {
    pub(super) sheet_index: usize,
    pub(super) header_row: usize,
    pub(super) header_rows: usize,
    pub(super) data_rows: Vec<usize>,
}

/// Text cells that are not values (numbers, dates, answers).
pub(super) fn is_label_cell(cell: &Cell) -> bool {
    match cell {
        Cell::Text(text) => {
            let text = text.trim();
            !text.is_empty()
                && text.parse::<f64>().is_err()
                && answers::parse_answer(Scale::Likert5, cell).is_err()
                && answers::parse_datetime(cell, Default::default()).is_err()
        }
        _ => false,
    }
}

pub(super) fn non_blank(row: &[Cell]) -> usize {
    row.iter().filter(|c| !c.is_blank()).count()
}

/// Finds the header of one sheet: the first row (of the first 30) with at
/// least two label cells, at least half as many as the widest row, and data
/// below; then up to two more rows below it that are sub-headers.
pub(super) fn guess_header(sheet_index: usize, sheet: &Sheet) -> Option<HeaderGuess> {
    let widest = sheet
        .rows
        .iter()
        .take(HEADER_SEARCH_ROWS + SAMPLE_ROWS)
        .map(|r| non_blank(r))
        .max()
        .unwrap_or(0);
    for header_row in 0..sheet.rows.len().min(HEADER_SEARCH_ROWS) {
        let row = &sheet.rows[header_row];
        let labels = row.iter().filter(|c| is_label_cell(c)).count();
        if labels < 2 || labels * 2 < widest {
            continue;
        }
        let mut header_rows = 1;
        while header_rows < 3 {
            let candidate = header_row + header_rows;
            let Some(next) = sheet.rows.get(candidate) else {
                break;
            };
            if !is_sub_header(sheet, candidate, next) {
                break;
            }
            header_rows += 1;
        }
        let data_rows: Vec<usize> = (header_row + header_rows..sheet.rows.len())
            .filter(|&r| non_blank(&sheet.rows[r]) > 0)
            .collect();
        if data_rows.is_empty() {
            continue;
        }
        return Some(HeaderGuess {
            sheet_index,
            header_row,
            header_rows,
            data_rows,
        });
    }
    None
}

/// A row below the header is a sub-header when all its cells are labels and
/// it either names columns the row above leaves empty (a merged group
/// above) or fills fewer columns than the data rows below it do.
pub(super) fn is_sub_header(sheet: &Sheet, row_index: usize, row: &[Cell]) -> bool {
    let filled = non_blank(row);
    if filled == 0 || row.iter().any(|c| !c.is_blank() && !is_label_cell(c)) {
        return false;
    }
    let above = &sheet.rows[row_index - 1];
    let under_empty = row
        .iter()
        .enumerate()
        .any(|(column, cell)| !cell.is_blank() && above.get(column).is_none_or(Cell::is_blank));
    let mut below: Vec<usize> = sheet
        .rows
        .iter()
        .skip(row_index + 1)
        .take(20)
        .map(|r| non_blank(r))
        .filter(|&n| n > 0)
        .collect();
    below.sort_unstable();
    let median = below.get(below.len() / 2).copied().unwrap_or(0);
    under_empty || filled < median
}
