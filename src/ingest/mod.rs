//! File → canonical rows. Knows nothing of DuckDB: it returns a
//! [`ParsedFile`] that the store loads in one transaction.
//!
//! Surveys and callbacks become long form (one [`Answer`] per answered
//! question); the other kinds become rows of typed fields in the order of
//! [`SourceKind::fields`]. A cell that does not parse is kept as a
//! [`RejectedCell`] naming file, sheet, row, column and the expected form; a
//! row missing a required field is rejected whole, other rows still load.

pub mod answers;
pub mod dates;
pub mod sources;
pub mod suggest;
pub mod table;

mod month_names;
mod parsed;
mod records;
mod responses;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use crate::config::{Config, SourceKind};
use sources::Detected;
use table::{Cell, Sheet};

pub use month_names::{month_in_file_name, month_in_names};
pub use parsed::{
    column_letters, Answer, ColumnRole, ColumnUse, FieldValue, Flushed, IngestError, ParsedFile,
    RejectedCell, Response, REJECTED_KEPT,
};
use records::RecordParser;
use responses::{QuestionColumn, ResponseParser};

/// Reads and parses one file, all of it in memory (tests, small files).
///
/// # Errors
/// Unreadable files, files no source matches, missing mapped columns, or
/// files in which no row could be loaded.
pub fn parse_file(
    config: &Config,
    file_name: &str,
    bytes: &[u8],
) -> Result<ParsedFile, IngestError> {
    parse_file_on(config, file_name, bytes, None)
}

/// [`parse_file`] on the day `today`, which gives a month named without a
/// year (`10月回访`) its year: the latest such month not after `today`.
///
/// # Errors
/// As [`parse_file`].
pub fn parse_file_on(
    config: &Config,
    file_name: &str,
    bytes: &[u8],
    today: Option<NaiveDate>,
) -> Result<ParsedFile, IngestError> {
    match parse_file_with(config, file_name, bytes, today, usize::MAX, &mut |_| {
        Ok::<(), std::convert::Infallible>(())
    }) {
        Ok(parsed) => parsed,
        Err(never) => match never {},
    }
}

/// Records per chunk when streaming record kinds (answers chunk by the
/// caller's `chunk_answers`).
const CHUNK_RECORDS: usize = 16_384;

/// Reads and parses one file row by row: whenever `chunk_answers` answers
/// (or 16,384 records) have been parsed, `flush` gets the file's rows so far
/// (responses, answers, records) and they are cleared, so memory does not
/// grow with the file. What is returned holds the rows not yet flushed, the
/// counts of all rows, and every refused cell. The outer error is `flush`'s;
/// the inner one says why the file cannot be loaded (then whatever was
/// flushed must be discarded: the store's transaction is rolled back).
///
/// # Errors
/// `flush` fails.
pub fn parse_file_with<E>(
    config: &Config,
    file_name: &str,
    bytes: &[u8],
    today: Option<NaiveDate>,
    chunk_answers: usize,
    flush: &mut dyn FnMut(&mut ParsedFile) -> Result<(), E>,
) -> Result<Result<ParsedFile, IngestError>, E> {
    parse_table_with(
        config,
        file_name,
        table::open_table(file_name, bytes),
        today,
        chunk_answers,
        flush,
    )
}

/// Like [`parse_file_with`], for a delimited text file read from disk as
/// it is parsed (a file too large to hold whole), through `file`, the
/// handle `inbox::open_checked` opened and checked (no link followed, a
/// regular file), at most its first `len` bytes.
///
/// # Errors
/// `flush` fails.
pub fn parse_text_file_with<E>(
    config: &Config,
    file_name: &str,
    file: std::fs::File,
    len: u64,
    today: Option<NaiveDate>,
    chunk_answers: usize,
    flush: &mut dyn FnMut(&mut ParsedFile) -> Result<(), E>,
) -> Result<Result<ParsedFile, IngestError>, E> {
    parse_table_with(
        config,
        file_name,
        table::open_text_file(file_name, file, len),
        today,
        chunk_answers,
        flush,
    )
}

/// True for the extensions [`parse_text_file_with`] reads.
pub fn is_text_file(file_name: &str) -> bool {
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    matches!(extension.as_str(), "csv" | "tsv" | "txt")
}

fn parse_table_with<E>(
    config: &Config,
    file_name: &str,
    table: Result<table::Table<'_>, table::TableError>,
    today: Option<NaiveDate>,
    chunk_answers: usize,
    flush: &mut dyn FnMut(&mut ParsedFile) -> Result<(), E>,
) -> Result<Result<ParsedFile, IngestError>, E> {
    let mut table = match table {
        Ok(table) => table,
        Err(error) => return Ok(Err(error.into())),
    };
    let Some(detected) = sources::detect(config, file_name, &table.heads) else {
        return Ok(Err(IngestError::UnknownSource {
            sheets: table
                .heads
                .iter()
                .map(|s| format!("'{}'", s.name))
                .collect::<Vec<_>>()
                .join(", "),
        }));
    };
    let head = table.heads[detected.sheet_index].clone();
    let kind = detected.source.kind;
    let context = FileContext {
        file_name,
        today,
        dates: answers::DateOptions {
            system: head.date_system,
            day_first: detected.source.date_order == crate::config::DateOrder::DayFirst,
            zone: Some(config.company.zone()),
        },
    };
    let header_grid =
        sources::filled_header_rows(&head, detected.header_row, data_start(&detected));
    let mut parsed = empty_parsed(&detected, &head);
    let records = match kind {
        SourceKind::Survey => None,
        _ => match RecordParser::new(config, &detected, &head, &context) {
            Ok(parser) => Some(parser),
            Err(error) => return Ok(Err(error)),
        },
    };
    let mut responses = match kind {
        SourceKind::Survey | SourceKind::Callback => {
            match ResponseParser::new(
                config,
                &detected,
                &head,
                &header_grid,
                &context,
                &mut parsed,
            ) {
                Ok(parser) => Some(parser),
                Err(error) => return Ok(Err(error)),
            }
        }
        _ => None,
    };
    // Which columns hold data below the header (every column is a field, a
    // question, or listed as not loaded), tracked row by row.
    let mut with_data: Vec<bool> = Vec::new();
    // Every column is read, not only the header's width: data right of the
    // header is listed as not loaded rather than dropped unseen.
    let rows = match table.rows(
        detected.sheet_index,
        data_start(&detected),
        table::MAX_COLUMNS,
    ) {
        Ok(rows) => rows,
        Err(error) => return Ok(Err(error.into())),
    };
    for row in rows {
        let (row_index, row) = match row {
            Ok(row) => row,
            Err(error) => return Ok(Err(error.into())),
        };
        if row_is_blank(&row) {
            continue;
        }
        if with_data.len() < row.len() {
            with_data.resize(row.len(), false);
        }
        for (column, cell) in row.iter().enumerate() {
            if !cell.is_blank() {
                with_data[column] = true;
            }
        }
        parsed.n_rows += 1;
        let first_rejected = parsed.rejected.len();
        if let Some(parser) = &records {
            parser.row(&head, row_index, &row, &mut parsed);
        }
        if let Some(parser) = &mut responses {
            parser.row(&head, row_index, &row, &mut parsed);
        }
        if records.is_some() && responses.is_some() {
            // A callback's cell can be refused as a field and as an answer.
            dedup_rejected(&mut parsed.rejected, first_rejected);
        }
        if parsed.answers.len() >= chunk_answers
            || (chunk_answers != usize::MAX && parsed.records.len() >= CHUNK_RECORDS)
        {
            // Counted before `flush`, which may take the rows away
            // (`ParsedFile::take_rows`) rather than only read them.
            parsed.flushed.responses += parsed.responses.len();
            parsed.flushed.answers += parsed.answers.len();
            parsed.flushed.records += parsed.records.len();
            parsed.flushed.rejected += parsed.rejected.len().saturating_sub(REJECTED_KEPT);
            flush(&mut parsed)?;
            parsed.responses.clear();
            parsed.answers.clear();
            parsed.records.clear();
            parsed.record_rows.clear();
            parsed.rejected.truncate(REJECTED_KEPT);
        }
    }
    {
        let no_questions = Vec::new();
        let (fields, questions) = match (&responses, &records) {
            (Some(parser), _) => (&parser.columns, &parser.question_columns),
            (None, Some(parser)) => (&parser.columns, &no_questions),
            (None, None) => unreachable!("every kind has a parser"),
        };
        parsed.columns = column_uses(&detected, &with_data, &header_grid, fields, questions);
    }
    if detected.source.all_or_nothing && !parsed.rejected.is_empty() {
        return Ok(Err(IngestError::AllOrNothing {
            sheet: head.name.clone(),
            source_name: detected.source.name.clone(),
            n_problems: parsed.n_rejected(),
            problems: parsed
                .rejected
                .iter()
                .take(20)
                .map(|r| {
                    format!(
                        "row {}, column '{}': '{}' is not {}",
                        r.row_number, r.column, r.value, r.expected
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
        }));
    }
    if parsed.n_records() + parsed.n_responses() == 0 {
        return Ok(Err(IngestError::NothingLoaded {
            sheet: head.name.clone(),
            n_rows: parsed.n_rows,
            first: parsed
                .rejected
                .first()
                .map(|r| {
                    format!(
                        "row {}, column '{}': '{}' is not {}",
                        r.row_number, r.column, r.value, r.expected
                    )
                })
                .unwrap_or_else(|| "the sheet has no data rows below the header".to_string()),
        }));
    }
    Ok(Ok(parsed))
}

/// What parsing needs to know besides the sheet: the file's name (its
/// month), the day of the run, and how dates are written.
struct FileContext<'a> {
    file_name: &'a str,
    today: Option<NaiveDate>,
    dates: answers::DateOptions,
}

/// Drops repeated refusals among those from `from` on (one row's), sorted
/// by column.
fn dedup_rejected(rejected: &mut Vec<RejectedCell>, from: usize) {
    let mut row: Vec<RejectedCell> = rejected.drain(from..).collect();
    let mut seen = BTreeSet::new();
    row.retain(|r| seen.insert((r.row_number, r.column.clone(), r.expected.clone())));
    row.sort_by(|a, b| {
        a.row_number
            .cmp(&b.row_number)
            .then(a.column.cmp(&b.column))
    });
    rejected.extend(row);
}

fn row_is_blank(row: &[Cell]) -> bool {
    row.iter().all(Cell::is_blank)
}

fn cell_at(row: &[Cell], column: usize) -> &Cell {
    row.get(column).unwrap_or(&Cell::Empty)
}

/// The use of every column holding data: its field, its question, or not
/// loaded.
fn column_uses(
    detected: &Detected,
    with_data: &[bool],
    header_grid: &[Vec<String>],
    fields: &BTreeMap<String, usize>,
    questions: &[QuestionColumn],
) -> Vec<ColumnUse> {
    with_data
        .iter()
        .enumerate()
        .filter(|(_, has_data)| **has_data)
        .map(|(column, _)| {
            if let Some(question) = questions.iter().find(|q| q.column == column) {
                return ColumnUse {
                    header: question.header.clone(),
                    role: match question.question {
                        Some(q) => ColumnRole::Question(q.key.clone()),
                        None => ColumnRole::Unmapped,
                    },
                };
            }
            let label = column_label(header_grid, &detected.headers, column);
            let header = if label.is_empty() {
                format!("column {} (no header)", column_letters(column))
            } else {
                label
            };
            match fields.iter().find(|(_, &c)| c == column) {
                Some((field, _)) => ColumnUse {
                    header,
                    role: ColumnRole::Field(field.clone()),
                },
                None => ColumnUse {
                    header,
                    role: ColumnRole::NotLoaded,
                },
            }
        })
        .collect()
}

fn empty_parsed(detected: &Detected, sheet: &Sheet) -> ParsedFile {
    ParsedFile {
        source: detected.source.name.clone(),
        kind: detected.source.kind,
        sheet: sheet.name.clone(),
        responses: Vec::new(),
        answers: Vec::new(),
        records: Vec::new(),
        record_rows: Vec::new(),
        rejected: Vec::new(),
        unmapped_questions: Vec::new(),
        columns: Vec::new(),
        n_rows: 0,
        layout: crate::inbox::content_hash(detected.headers.join("\u{1f}").as_bytes()),
        question_numbers: String::new(),
        flushed: Flushed::default(),
    }
}

/// The first data row: below the header and its extra header rows.
fn data_start(detected: &Detected) -> usize {
    detected.header_row + detected.source.header_rows.max(1)
}

/// A column's header over all header rows (merged group cells filled in, see
/// [`sources::filled_header_rows`]), without Qualtrics' `{"ImportId":…}`
/// cells and without repeating a cell equal to the one above.
pub(crate) fn column_label(
    header_grid: &[Vec<String>],
    headers: &[String],
    column: usize,
) -> String {
    let mut parts: Vec<String> = Vec::new();
    // A repeated header keeps the number `disambiguate` gave it.
    let repeat_suffix = headers.get(column).and_then(|h| {
        let (_, suffix) = h.rsplit_once(" (")?;
        suffix.strip_suffix(')')?.parse::<usize>().ok()
    });
    for row in header_grid {
        let text = row.get(column).cloned().unwrap_or_default();
        if text.is_empty() || text.starts_with("{\"ImportId\"") || parts.contains(&text) {
            continue;
        }
        parts.push(text);
    }
    let label = parts.join(" ");
    match repeat_suffix {
        Some(n) if !label.ends_with(&format!(" ({n})")) => format!("{label} ({n})"),
        _ => label,
    }
}

fn header_text(sheet: &Sheet, header_row: usize, column: usize) -> String {
    sheet
        .rows
        .get(header_row)
        .and_then(|row| row.get(column))
        .map(|c| c.text().trim().to_string())
        .unwrap_or_default()
}
