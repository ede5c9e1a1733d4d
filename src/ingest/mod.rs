//! File → canonical rows. Knows nothing of DuckDB: it returns a
//! [`ParsedFile`] that the store loads in one transaction.
//!
//! Surveys and callbacks become long form (one [`Answer`] per answered
//! question); the other kinds become rows of typed fields in the order of
//! [`SourceKind::fields`]. A cell that does not parse is kept as a
//! [`RejectedCell`] naming file, sheet, row, column and the expected form; a
//! row missing a required field is rejected whole, other rows still load.

pub mod answers;
pub mod sources;
pub mod suggest;
pub mod table;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::config::{Config, Question, Scale, SourceKind};
use sources::{find_column, strip_question_number, Detected};
use table::{Cell, Sheet};

/// A typed field value.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// Missing.
    Null,
    /// Text.
    Text(String),
    /// Whole number.
    Int(i64),
    /// Number.
    Float(f64),
    /// Date.
    Date(NaiveDate),
    /// Date and time.
    DateTime(NaiveDateTime),
    /// Yes / no.
    Bool(bool),
}

/// One respondent of a survey, or one call of a callback file.
#[derive(Debug, Clone)]
pub struct Response {
    /// Respondent id, unique within the file.
    pub response_id: String,
    /// Survey channel (`questionnaire`, `callback:安装回访`, …).
    pub channel: String,
    /// When it was submitted (or the call made).
    pub submitted_at: NaiveDateTime,
    /// Customer id, when the file has one.
    pub customer_id: Option<String>,
    /// Dealer / store, when the file has one.
    pub dealer: Option<String>,
    /// Seconds the respondent took (问卷星 所用时间), when the file says.
    pub duration_seconds: Option<i64>,
    /// 1-based spreadsheet row.
    pub row_number: usize,
}

/// One answer in long form.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The response it belongs to.
    pub response_id: String,
    /// Question key from the question map; `None` when unmapped.
    pub question_key: Option<String>,
    /// The column header as it was in the file.
    pub question_text: String,
    /// The cell as text.
    pub raw_text: String,
    /// The value on the question's scale; `None` for no-answer.
    pub value: Option<f64>,
}

/// A cell or row that could not be loaded, and why.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RejectedCell {
    /// Sheet name.
    pub sheet: String,
    /// 1-based spreadsheet row.
    pub row_number: usize,
    /// Column header.
    pub column: String,
    /// The cell as text.
    pub value: String,
    /// What was expected.
    pub expected: String,
}

/// Everything read from one file.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    /// Source definition name.
    pub source: String,
    /// Kind of records.
    pub kind: SourceKind,
    /// Sheet the data came from.
    pub sheet: String,
    /// Responses (surveys and callbacks).
    pub responses: Vec<Response>,
    /// Answers in long form (surveys and callbacks).
    pub answers: Vec<Answer>,
    /// Typed rows in the order of `kind.fields()` (all kinds but surveys).
    pub records: Vec<Vec<FieldValue>>,
    /// 1-based spreadsheet row of each record.
    pub record_rows: Vec<usize>,
    /// Cells and rows that were refused.
    pub rejected: Vec<RejectedCell>,
    /// Question-like columns no question in the configuration matches.
    pub unmapped_questions: Vec<String>,
    /// What became of each column holding data, in column order: every
    /// one is a field, a question, or listed as not loaded.
    pub columns: Vec<ColumnUse>,
    /// Data rows seen (blank rows not counted).
    pub n_rows: usize,
    /// Fingerprint of the normalised header row: files with the same layout
    /// are exports of the same questionnaire or log.
    pub layout: String,
    /// Sorted question numbers of a survey's question columns (`1,2,3`);
    /// empty when they are not all numbered. Exports of one survey in
    /// different formats share it (see migration V4).
    pub question_numbers: String,
    /// Rows already handed to the store while streaming.
    pub flushed: Flushed,
}

/// Rows of a file handed to the store before the end of the file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flushed {
    /// Responses.
    pub responses: usize,
    /// Answers.
    pub answers: usize,
    /// Records.
    pub records: usize,
}

impl ParsedFile {
    /// Responses of the whole file (flushed and not).
    pub fn n_responses(&self) -> usize {
        self.flushed.responses + self.responses.len()
    }

    /// Answers of the whole file.
    pub fn n_answers(&self) -> usize {
        self.flushed.answers + self.answers.len()
    }

    /// Records of the whole file.
    pub fn n_records(&self) -> usize {
        self.flushed.records + self.records.len()
    }

    /// Rows loaded: responses, or records for record kinds.
    pub fn n_loaded(&self) -> usize {
        self.n_responses().max(self.n_records())
    }
}

/// What became of one column of a file.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ColumnUse {
    /// The column's header (all header rows), or `column F` when it has none.
    pub header: String,
    /// Where its cells went.
    pub role: ColumnRole,
}

/// Where a column's cells went.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "role", content = "name", rename_all = "snake_case")]
pub enum ColumnRole {
    /// A canonical field of the source.
    Field(String),
    /// A question of the configuration (its key).
    Question(String),
    /// A question column no `[[questions]]` entry matches: stored, not scored.
    Unmapped,
    /// Neither a field nor a question: not loaded (listed so it never
    /// disappears silently).
    NotLoaded,
}

impl ParsedFile {
    /// Headers of the columns holding data that were not loaded.
    pub fn not_loaded(&self) -> Vec<String> {
        self.columns
            .iter()
            .filter(|c| c.role == ColumnRole::NotLoaded)
            .map(|c| c.header.clone())
            .collect()
    }
}

/// The spreadsheet letters of a 0-based column: 0 → `A`, 26 → `AA`.
pub fn column_letters(column: usize) -> String {
    let mut n = column + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rest = (n - 1) % 26;
        letters.push(char::from(b'A' + rest as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// Why a file as a whole could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// Not readable as a table.
    #[error(transparent)]
    Table(#[from] table::TableError),
    /// No source definition matches.
    #[error("csat does not recognise this file: none of its sheets ({sheets}) has, in its first 30 rows, the header row of a known export (问卷星 starts with 序号 and 提交答卷时间, a complaints log has 投诉编号 and 受理日期 …); check that this is the export you meant, or add its layout to [[sources]] in the configuration (`csat sources suggest FILE` writes a first draft)")]
    UnknownSource {
        /// Sheet names looked at.
        sheets: String,
    },
    /// The header is there but a mapped column is missing.
    #[error("sheet '{sheet}', row {row}: source '{source_name}' maps field '{field}' to column '{column}', which this header does not have")]
    MissingColumn {
        /// Sheet name.
        sheet: String,
        /// 1-based header row.
        row: usize,
        /// Source name.
        source_name: String,
        /// Canonical field.
        field: String,
        /// Header text expected.
        column: String,
    },
    /// An all-or-nothing source had a bad cell.
    #[error("sheet '{sheet}': source '{source_name}' is all-or-nothing and {n_problems} cells could not be read, so nothing was loaded: {problems}")]
    AllOrNothing {
        /// Sheet name.
        sheet: String,
        /// Source name.
        source_name: String,
        /// How many cells were refused.
        n_problems: usize,
        /// The first (up to 20) problems.
        problems: String,
    },
    /// No data row loaded at all.
    #[error(
        "sheet '{sheet}': none of the {n_rows} data rows could be loaded; first problem: {first}"
    )]
    NothingLoaded {
        /// Sheet name.
        sheet: String,
        /// Data rows seen.
        n_rows: usize,
        /// The first rejection, as text.
        first: String,
    },
}

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
            zone: config.company.timezone.parse().ok(),
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
            flush(&mut parsed)?;
            parsed.flushed.responses += parsed.responses.len();
            parsed.flushed.answers += parsed.answers.len();
            parsed.flushed.records += parsed.records.len();
            parsed.responses.clear();
            parsed.answers.clear();
            parsed.records.clear();
            parsed.record_rows.clear();
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
            n_problems: parsed.rejected.len(),
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

/// The column of every mapped field; errors when the column of a required
/// field is absent (optional fields without a column are left empty).
fn field_columns(
    detected: &Detected,
    sheet: &Sheet,
) -> Result<BTreeMap<String, usize>, IngestError> {
    let mut columns = BTreeMap::new();
    for (field, header) in &detected.source.fields {
        match find_column(&detected.headers, header) {
            Some(column) => {
                columns.insert(field.clone(), column);
            }
            None if !is_required(detected.source.kind, field) => {}
            None => {
                return Err(IngestError::MissingColumn {
                    sheet: sheet.name.clone(),
                    row: detected.header_row + 1,
                    source_name: detected.source.name.clone(),
                    field: field.clone(),
                    column: header.clone(),
                })
            }
        }
    }
    Ok(columns)
}

fn is_required(kind: SourceKind, field: &str) -> bool {
    kind.fields()
        .iter()
        .any(|(f, required)| *f == field && *required)
}

/// The type a canonical field is parsed as, from its name.
fn parse_field(
    config: &Config,
    field: &str,
    cell: &Cell,
    dates: &answers::DateOptions,
) -> Result<FieldValue, String> {
    if cell.is_blank() {
        return Ok(FieldValue::Null);
    }
    let value = match field {
        f if f.ends_with("_on") => {
            FieldValue::Date(answers::parse_datetime_with(cell, dates)?.date())
        }
        f if f.ends_with("_at") => FieldValue::DateTime(answers::parse_datetime_with(cell, dates)?),
        "severity" => FieldValue::Int(answers::parse_severity(cell)?),
        "month" => FieldValue::Text(answers::parse_month(cell, dates.system)?),
        "amount" | "gross_margin" => FieldValue::Float(answers::parse_number(cell)?),
        "purchase_share" => {
            let text = cell.text();
            let n =
                answers::parse_number(&Cell::Text(text.trim().trim_end_matches('%').to_string()))?;
            // 0.35 in a percent-formatted cell is 35 %.
            FieldValue::Float(if matches!(cell, Cell::Number(_)) && n <= 1.0 {
                n * 100.0
            } else {
                n
            })
        }
        "orders" | "sent" | "served" => {
            let n = answers::parse_number(cell)?;
            if n.fract() != 0.0 || n < 0.0 {
                return Err(format!("a whole number ({field})"));
            }
            FieldValue::Int(n as i64)
        }
        "channel" => FieldValue::Text(normalize_channel(&cell.text())),
        "reached" | "adopted" | "extended" => FieldValue::Bool(answers::parse_bool(cell)?),
        "department" => {
            let text = cell.text();
            match config.department_key(&text) {
                Some(key) => FieldValue::Text(key.to_string()),
                None => {
                    let names: Vec<&str> =
                        config.departments.iter().map(|d| d.name.as_str()).collect();
                    return Err(format!(
                        "a department of the configuration ({})",
                        names.join("、")
                    ));
                }
            }
        }
        _ => FieldValue::Text(cell.text().trim().to_string()),
    };
    Ok(value)
}

/// A channel as the store names it: 问卷/questionnaire → `questionnaire`;
/// a callback type (安装回访) → `callback:安装回访`; others as written.
fn normalize_channel(text: &str) -> String {
    let text = text.trim();
    match text {
        "" | "问卷" | "问卷调查" | "questionnaire" => "questionnaire".to_string(),
        t if t.starts_with("callback:") || t.starts_with("visit") => t.to_string(),
        t if t.contains("回访") => format!("callback:{t}"),
        t if t.contains("走访") || t.contains("访谈") => "visit".to_string(),
        t => t.to_string(),
    }
}

fn row_is_blank(row: &[Cell]) -> bool {
    row.iter().all(Cell::is_blank)
}

fn cell_at(row: &[Cell], column: usize) -> &Cell {
    row.get(column).unwrap_or(&Cell::Empty)
}

/// Record kinds (and callbacks' fields): one typed row per data row.
struct RecordParser<'a, 'c> {
    config: &'a Config,
    detected: &'a Detected<'c>,
    columns: BTreeMap<String, usize>,
    dates: answers::DateOptions,
}

impl<'a, 'c> RecordParser<'a, 'c> {
    fn new(
        config: &'a Config,
        detected: &'a Detected<'c>,
        sheet: &Sheet,
        context: &FileContext,
    ) -> Result<RecordParser<'a, 'c>, IngestError> {
        Ok(RecordParser {
            config,
            detected,
            columns: field_columns(detected, sheet)?,
            dates: context.dates,
        })
    }

    /// Parses data row `row_index` (0-based) of `sheet` (whose head holds
    /// the header rows) into `parsed`.
    fn row(&self, sheet: &Sheet, row_index: usize, row: &[Cell], parsed: &mut ParsedFile) {
        let (config, detected, columns) = (self.config, self.detected, &self.columns);
        let kind = detected.source.kind;
        let row_number = row_index + 1;
        let mut values = Vec::with_capacity(kind.fields().len());
        let mut row_ok = true;
        for (field, required) in kind.fields() {
            let (value, column_name) = match columns.get(*field) {
                Some(&column) => {
                    let cell = cell_at(row, column);
                    let header = header_text(sheet, detected.header_row, column);
                    match parse_field(config, field, cell, &self.dates) {
                        Ok(value) => (value, header),
                        Err(expected) => {
                            parsed.rejected.push(RejectedCell {
                                sheet: sheet.name.clone(),
                                row_number,
                                column: header,
                                value: cell.text(),
                                expected,
                            });
                            row_ok = false;
                            continue;
                        }
                    }
                }
                None => (FieldValue::Null, field.to_string()),
            };
            if *required && value == FieldValue::Null {
                parsed.rejected.push(RejectedCell {
                    sheet: sheet.name.clone(),
                    row_number,
                    column: column_name,
                    value: String::new(),
                    expected: format!("a value (the {} field is required)", field),
                });
                row_ok = false;
            }
            values.push(value);
        }
        if row_ok {
            parsed.records.push(values);
            parsed.record_rows.push(row_number);
        }
    }
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

/// Columns that survey tools put after the questions and that are not
/// sub-items of the last question (normalised header text).
fn is_metadata_header(normalized: &str) -> bool {
    const METADATA: &[&str] = &[
        "总分",
        "得分",
        "总得分",
        "测试得分",
        "所用时间",
        "答题时长",
        "来源",
        "来源详情",
        "来自ip",
        "ip",
        "ip地址",
        "地理位置",
        "备注",
        "昵称",
        "用户标识",
    ];
    METADATA.contains(&normalized)
}

/// A question column of a survey or callback file.
struct QuestionColumn<'c> {
    column: usize,
    header: String,
    question: Option<&'c Question>,
}

/// Survey and callback files: responses and long-form answers.
struct ResponseParser<'a, 'c> {
    detected: &'a Detected<'c>,
    columns: BTreeMap<String, usize>,
    question_columns: Vec<QuestionColumn<'a>>,
    id_field: &'static str,
    at_field: &'static str,
    /// The month of rows without a time, from the sheet or file name.
    name_month: Option<NaiveDateTime>,
    /// How refused cells name their column.
    labels: Vec<String>,
    dates: answers::DateOptions,
    /// The ids seen so far, as 64-bit hashes (SipHash with fixed keys, so
    /// runs are repeatable): a file of millions of rows keeps 8 bytes per
    /// id, not the id.
    seen_ids: std::collections::HashSet<u64>,
}

impl<'a, 'c> ResponseParser<'a, 'c> {
    /// Finds the question columns (and sets the file's unmapped questions
    /// and question numbers in `parsed`). `sheet` is the sheet's head (its
    /// header rows), `header_grid` its header rows with merged group cells
    /// filled in.
    fn new(
        config: &'a Config,
        detected: &'a Detected<'c>,
        sheet: &Sheet,
        header_grid: &[Vec<String>],
        context: &FileContext,
        parsed: &mut ParsedFile,
    ) -> Result<ResponseParser<'a, 'c>, IngestError> {
        let columns = field_columns(detected, sheet)?;
        let source = detected.source;
        let field_column_set: BTreeSet<usize> = columns.values().copied().collect();
        let width = header_grid
            .iter()
            .map(Vec::len)
            .max()
            .unwrap_or(0)
            .max(detected.headers.len());

        // Each question's match text, normalised once.
        let question_matches: Vec<(&Question, String)> = config
            .questions
            .iter()
            .filter(|q| q.source.as_ref().is_none_or(|s| *s == source.name))
            .map(|q| (q, sources::normalize_header(&q.match_text)))
            .collect();
        let not_questions: Vec<String> = source
            .not_questions
            .iter()
            .map(|h| sources::normalize_header(h))
            .collect();
        let mut question_columns: Vec<QuestionColumn> = Vec::new();
        for column in 0..width {
            // The first header row, a merged group's text filled in.
            let first_row_header = header_grid
                .first()
                .and_then(|row| row.get(column))
                .cloned()
                .unwrap_or_default();
            let normalized = match detected.headers.get(column) {
                Some(h) if !h.is_empty() => h.clone(),
                _ => sources::normalize_header(&first_row_header),
            };
            // Multi-row headers (Qualtrics, SurveyMonkey): the question is the
            // code and the text below it, e.g. "Q3_1 How satisfied …".
            let mut header = column_label(header_grid, &detected.headers, column);
            if field_column_set.contains(&column) || header.is_empty() {
                continue;
            }
            let normalized = if normalized.is_empty() {
                sources::normalize_header(&header)
            } else {
                normalized
            };
            let normalized = normalized.as_str();
            // A matrix question's sub-items may follow its first column as bare
            // columns: "5、请评价以下方面—送货速度", "安装质量", … Each becomes
            // "5、请评价以下方面—安装质量".
            let follows_question = question_columns
                .last()
                .is_some_and(|q| q.column + 1 == column);
            if source.kind == SourceKind::Survey
                && source.question_columns.is_none()
                && source.header_rows <= 1
                && follows_question
                && strip_question_number(&first_row_header).1.is_none()
                && !is_metadata_header(normalized)
            {
                let previous = &question_columns.last().expect("follows a question").header;
                let stem = previous
                    .split_once('—')
                    .map_or(previous.as_str(), |(stem, _)| stem);
                header = format!("{stem}—{}", first_row_header.trim());
            }
            let label = sources::normalize_header(&header);
            let question = question_matches
                .iter()
                .find(|(_, wanted)| {
                    normalized.contains(wanted.as_str()) || label.contains(wanted.as_str())
                })
                .map(|(q, _)| *q);
            let excluded = not_questions.iter().any(|h| h == normalized || *h == label);
            let is_question_column = !excluded
                && match &source.question_columns {
                    Some(pattern) => sources::name_matches(pattern, &first_row_header),
                    None => strip_question_number(&header).1.is_some(),
                };
            if question.is_some() || (source.kind == SourceKind::Survey && is_question_column) {
                if question.is_none() {
                    parsed.unmapped_questions.push(header.clone());
                }
                question_columns.push(QuestionColumn {
                    column,
                    header,
                    question,
                });
            }
        }

        if source.kind == SourceKind::Survey {
            let numbers: Option<BTreeSet<u32>> = question_columns
                .iter()
                .map(|q| strip_question_number(&q.header).1)
                .collect();
            parsed.question_numbers = numbers
                .unwrap_or_default()
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(",");
        }

        let (id_field, at_field) = match source.kind {
            SourceKind::Callback => ("callback_id", "called_at"),
            _ => ("respondent_id", "submitted_at"),
        };
        let name_month = month_in_names(
            &sheet.name,
            context.file_name,
            source.month_from,
            context.today,
        );
        // Refused cells name their column by its header cell, or by its whole
        // label when the cell is empty or shared with a merged group.
        let first_row = header_grid.first().cloned().unwrap_or_default();
        let mut first_row_counts: BTreeMap<&str, usize> = BTreeMap::new();
        for text in &first_row {
            *first_row_counts.entry(text.as_str()).or_default() += 1;
        }
        let labels: Vec<String> = (0..width.max(1))
            .map(|c| {
                let own = header_text(sheet, detected.header_row, c);
                let shared = first_row.get(c).is_some_and(|text| {
                    !text.is_empty() && first_row_counts.get(text.as_str()).is_some_and(|n| *n > 1)
                });
                if own.is_empty() || shared {
                    column_label(header_grid, &detected.headers, c)
                } else {
                    own
                }
            })
            .collect();
        Ok(ResponseParser {
            detected,
            columns,
            question_columns,
            id_field,
            at_field,
            name_month,
            labels,
            dates: context.dates,
            seen_ids: std::collections::HashSet::new(),
        })
    }

    /// Parses data row `row_index` (0-based) of `sheet` (whose head holds
    /// the header rows) into `parsed`.
    fn row(&mut self, sheet: &Sheet, row_index: usize, row: &[Cell], parsed: &mut ParsedFile) {
        let (detected, columns) = (self.detected, &self.columns);
        let (id_field, at_field, name_month) = (self.id_field, self.at_field, self.name_month);
        let labels = &self.labels;
        let source = detected.source;
        let seen_ids = &mut self.seen_ids;
        let question_columns = &self.question_columns;
        let row_number = row_index + 1;
        let reject = |parsed: &mut ParsedFile, column: usize, expected: String| {
            parsed.rejected.push(RejectedCell {
                sheet: sheet.name.clone(),
                row_number,
                column: labels.get(column).cloned().unwrap_or_default(),
                value: cell_at(row, column).text(),
                expected,
            });
        };
        // Without an id column (Google Forms, hand-made sheets) the row
        // number identifies the respondent within the file.
        let response_id = match columns.get(id_field) {
            None => format!("row-{row_number}"),
            Some(&id_column) => {
                let id = cell_at(row, id_column).text().trim().to_string();
                if id.is_empty() {
                    reject(parsed, id_column, "a respondent id".to_string());
                    return;
                }
                let hash = {
                    use std::hash::{Hash, Hasher};
                    let mut hasher = std::hash::DefaultHasher::new();
                    id.hash(&mut hasher);
                    hasher.finish()
                };
                if !seen_ids.insert(hash) {
                    reject(
                        parsed,
                        id_column,
                        "an id not used by an earlier row of this file".to_string(),
                    );
                    return;
                }
                id
            }
        };
        let at_column = columns.get(at_field).copied();
        let at_cell = at_column.map_or(&Cell::Empty, |c| cell_at(row, c));
        let submitted_at = match answers::parse_datetime_with(at_cell, &self.dates) {
            Ok(at) => at,
            Err(expected) => {
                let blank = at_cell.is_blank();
                // Unreached callbacks have no call time; they carry no answers.
                if source.kind == SourceKind::Callback && blank && at_column.is_some() {
                    return;
                }
                // Without a time (no column, or the cell blanked by the
                // export) the month in the sheet or file name counts.
                match (blank, name_month, at_column) {
                    (true, Some(month_start), _) => month_start,
                    (_, _, Some(at_column)) => {
                        let expected = if blank {
                            format!("{expected} (or a month like 2026-10 in the file name)")
                        } else {
                            expected
                        };
                        reject(parsed, at_column, expected);
                        return;
                    }
                    // No column: the cell counts as blank.
                    (_, _, None) => {
                        parsed.rejected.push(RejectedCell {
                            sheet: sheet.name.clone(),
                            row_number,
                            column: format!("{at_field} (no column)"),
                            value: String::new(),
                            expected: "a month in the sheet or file name (2026-10, 202610, 2610, 2026年10月 or 10月), since the source maps no time column".to_string(),
                        });
                        return;
                    }
                }
            }
        };
        let optional_text = |field: &str| {
            columns
                .get(field)
                .map(|&c| cell_at(row, c).text().trim().to_string())
                .filter(|t| !t.is_empty())
        };
        let channel = match source.kind {
            SourceKind::Callback => format!(
                "callback:{}",
                optional_text("callback_type").unwrap_or_default()
            ),
            _ => source
                .channel
                .clone()
                .unwrap_or_else(|| "questionnaire".to_string()),
        };
        if source.kind == SourceKind::Callback {
            let reached = columns
                .get("reached")
                .map(|&c| answers::parse_bool(cell_at(row, c)).unwrap_or(false))
                .unwrap_or(true);
            if !reached {
                return;
            }
        }
        // How long it took is metadata: a bad value is reported, the
        // response still loads.
        let duration_seconds = match columns.get("duration").map(|&c| (c, cell_at(row, c))) {
            Some((column, cell)) if !cell.is_blank() => match answers::parse_duration(cell) {
                Ok(seconds) => Some(seconds),
                Err(expected) => {
                    reject(parsed, column, expected);
                    None
                }
            },
            _ => None,
        };
        parsed.responses.push(Response {
            response_id: response_id.clone(),
            channel,
            submitted_at,
            customer_id: optional_text("customer_id"),
            dealer: optional_text("dealer").map(|d| answers::without_option_letter(&d).to_string()),
            duration_seconds,
            row_number,
        });
        for question_column in question_columns {
            let cell = cell_at(row, question_column.column);
            let (question_key, value) = match question_column.question {
                Some(question) => match parse_scored(source, question.scale, cell) {
                    Ok(value) => (Some(question.key.clone()), value),
                    Err(expected) => {
                        reject(parsed, question_column.column, expected);
                        continue;
                    }
                },
                None => (None, lenient_value(cell)),
            };
            // A free-text answer that says nothing (无, 没有, /, N/A …) is
            // stored like any other cell holding data (none disappears
            // silently) and is no comment: the comment topics drop it
            // ([comments] placeholders, analysis/comments.rs).
            if cell.is_blank() {
                continue;
            }
            parsed.answers.push(Answer {
                response_id: response_id.clone(),
                question_key,
                question_text: question_column.header.clone(),
                raw_text: cell.text(),
                value,
            });
        }
    }
}

/// The first moment of the month a row without a time belongs to, from the
/// sheet name then the file name (or only the one `month_from` names):
/// `2026-10`, `202610`, `2026年10月`, `2610` (year 20yy), or `10月`, whose
/// year is a 4-digit year elsewhere in the names, else the latest October
/// not after `today`.
pub fn month_in_names(
    sheet_name: &str,
    file_name: &str,
    month_from: Option<crate::config::MonthFrom>,
    today: Option<NaiveDate>,
) -> Option<NaiveDateTime> {
    use crate::config::MonthFrom;
    let names: Vec<&str> = match month_from {
        Some(MonthFrom::FileName) => vec![file_name],
        Some(MonthFrom::SheetName) => vec![sheet_name],
        None => vec![sheet_name, file_name],
    };
    for name in &names {
        if let Some(month) = month_in_file_name(name).or_else(|| short_month(name)) {
            return Some(month);
        }
    }
    let month = names.iter().find_map(|name| bare_month(name))?;
    let year = [sheet_name, file_name]
        .iter()
        .find_map(|name| {
            digit_runs(name)
                .into_iter()
                .filter(|run| run.len() == 4)
                .find_map(|run| {
                    run.parse::<i32>()
                        .ok()
                        .filter(|y| (2000..=2099).contains(y))
                })
        })
        .or_else(|| {
            use chrono::Datelike;
            let today = today?;
            Some(if month <= today.month() {
                today.year()
            } else {
                today.year() - 1
            })
        })?;
    NaiveDate::from_ymd_opt(year, month, 1).map(|d| d.and_time(chrono::NaiveTime::MIN))
}

/// Maximal runs of ASCII digits in a name.
fn digit_runs(name: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut current = String::new();
    for c in name.chars() {
        if c.is_ascii_digit() {
            current.push(c);
        } else if !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// `2610` (a run of exactly four digits, yymm, years 2010–2060).
fn short_month(name: &str) -> Option<NaiveDateTime> {
    digit_runs(name).iter().find_map(|run| {
        if run.len() != 4 {
            return None;
        }
        let year: i32 = run[..2].parse().ok()?;
        let month: u32 = run[2..].parse().ok()?;
        if !(10..=60).contains(&year) {
            return None;
        }
        NaiveDate::from_ymd_opt(2000 + year, month, 1).map(|d| d.and_time(chrono::NaiveTime::MIN))
    })
}

/// `10月` (one or two digits before 月, not part of a longer number).
fn bare_month(name: &str) -> Option<u32> {
    let chars: Vec<char> = name.chars().collect();
    for (index, c) in chars.iter().enumerate() {
        if *c != '月' {
            continue;
        }
        let mut start = index;
        while start > 0 && chars[start - 1].is_ascii_digit() {
            start -= 1;
        }
        let digits: String = chars[start..index].iter().collect();
        if (1..=2).contains(&digits.len()) {
            if let Ok(month) = digits.parse::<u32>() {
                if (1..=12).contains(&month) {
                    return Some(month);
                }
            }
        }
    }
    None
}

/// The first moment of the month named in a file name (`…_2026-10.xlsx`,
/// `202610`, `2026年10月`), used for rows whose submission time is blank.
pub fn month_in_file_name(file_name: &str) -> Option<NaiveDateTime> {
    let chars: Vec<char> = file_name.chars().collect();
    for start in 0..chars.len() {
        let digits = |from: usize, n: usize| -> Option<u32> {
            let text: String = chars.get(from..from + n)?.iter().collect();
            text.chars()
                .all(|c| c.is_ascii_digit())
                .then(|| text.parse().ok())
                .flatten()
        };
        let Some(year) = digits(start, 4) else {
            continue;
        };
        if !(2000..=2099).contains(&year) || (start > 0 && chars[start - 1].is_ascii_digit()) {
            continue;
        }
        let after = start + 4;
        let month = match chars.get(after) {
            Some('-' | '_' | '.' | '年') => match (digits(after + 1, 2), digits(after + 1, 1)) {
                (Some(m), _) => m,
                (None, Some(m)) => m,
                _ => continue,
            },
            _ => match digits(after, 2) {
                Some(m) => m,
                None => continue,
            },
        };
        if let Some(date) = NaiveDate::from_ymd_opt(year as i32, month, 1) {
            return Some(date.and_time(chrono::NaiveTime::MIN));
        }
    }
    None
}

/// Parses a mapped answer as the source exports it (labels or option numbers).
fn parse_scored(
    source: &crate::config::Source,
    scale: Scale,
    cell: &Cell,
) -> Result<Option<f64>, String> {
    match source.answers {
        crate::config::AnswerExport::Text => answers::parse_answer(scale, cell),
        crate::config::AnswerExport::Ordinal => {
            answers::parse_ordinal(scale, cell, source.best_option_first)
        }
    }
}

/// The numeric value of an unmapped answer, when there is one.
fn lenient_value(cell: &Cell) -> Option<f64> {
    answers::parse_answer(Scale::Likert5, cell)
        .ok()
        .flatten()
        .or_else(|| answers::parse_answer(Scale::Nps10, cell).ok().flatten())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wjx_csv() -> String {
        [
            "序号,提交答卷时间,所用时间,来源,来源详情,来自IP,1、您购买产品的门店：,2、您对床垫整体质量的满意程度：,3、送货是否准时：,4、您的其他意见",
            "1,2026/10/3 14:05:09,136秒,手机提交,直接访问,1.2.3.4(广东-深圳),深圳福田店,很满意,不满意,无",
            "2,2026/10/4 09:00:00,88秒,微信,N/A,1.2.3.5(广东-东莞),东莞南城店,(跳过),满意的,",
            "3,上周,88秒,微信,N/A,1.2.3.5(广东-东莞),东莞南城店,满意,一般,",
        ]
        .join("\n")
    }

    #[test]
    fn survey_rows_become_long_form_with_rejections_named() {
        let config = Config::load(None).unwrap();
        let parsed = parse_file(&config, "wjx.csv", wjx_csv().as_bytes()).unwrap();
        assert_eq!(parsed.source, "wjx_survey");
        assert_eq!(parsed.n_rows, 3);
        assert_eq!(parsed.responses.len(), 2, "row 4 has no parseable date");
        let values: Vec<(Option<&str>, Option<f64>)> = parsed
            .answers
            .iter()
            .map(|a| (a.question_key.as_deref(), a.value))
            .collect();
        assert_eq!(
            values,
            // Row 2's free-text 无 is stored (the comment topics drop it).
            vec![
                (Some("product_overall"), Some(5.0)),
                (Some("delivery_on_time"), Some(2.0)),
                (None, None),
                (Some("product_overall"), None),
            ]
        );
        assert_eq!(
            parsed.unmapped_questions,
            vec!["4、您的其他意见".to_string()]
        );
        assert_eq!(parsed.rejected.len(), 2);
        assert_eq!(parsed.rejected[0].row_number, 3);
        assert_eq!(parsed.rejected[0].column, "3、送货是否准时：");
        assert_eq!(parsed.rejected[0].value, "满意的");
        assert_eq!(parsed.rejected[1].row_number, 4);
        assert_eq!(parsed.rejected[1].column, "提交答卷时间");
        assert_eq!(parsed.responses[0].dealer.as_deref(), Some("深圳福田店"));
    }

    #[test]
    fn months_in_file_names() {
        let month = |name: &str| month_in_file_name(name).map(|d| d.format("%Y-%m").to_string());
        assert_eq!(month("问卷星_2026-10.xlsx").as_deref(), Some("2026-10"));
        assert_eq!(month("survey_202609.xls").as_deref(), Some("2026-09"));
        assert_eq!(month("2026年3月回访.csv").as_deref(), Some("2026-03"));
        assert_eq!(month("export_20261015.csv").as_deref(), Some("2026-10"));
        assert_eq!(month("wjx_text_800.xls"), None);
        assert_eq!(month("v2026-13.csv"), None);
    }

    #[test]
    fn months_in_file_and_sheet_names() {
        use crate::config::MonthFrom;
        let today = NaiveDate::from_ymd_opt(2026, 11, 23);
        let month = |sheet: &str, file: &str, from: Option<MonthFrom>| {
            month_in_names(sheet, file, from, today).map(|d| d.format("%Y-%m").to_string())
        };
        for file in [
            "回访_2026-10.csv",
            "回访_202610.csv",
            "回访_2610.csv",
            "2026年10月回访.csv",
            "10月回访.csv",
        ] {
            assert_eq!(
                month(file, file, None).as_deref(),
                Some("2026-10"),
                "{file}"
            );
        }
        // 10月 with no year: the latest October not after the run day; a
        // December sheet seen in November is last year's.
        assert_eq!(
            month("12月回访", "回访.xlsx", None).as_deref(),
            Some("2025-12")
        );
        // The year may come from the other name.
        assert_eq!(
            month("10月回访", "2027年回访.xlsx", None).as_deref(),
            Some("2027-10")
        );
        // The sheet name comes first; `month_from` picks one.
        assert_eq!(
            month("2026-09", "x_2026-10.xlsx", None).as_deref(),
            Some("2026-09")
        );
        assert_eq!(
            month("2026-09", "x_2026-10.xlsx", Some(MonthFrom::FileName)).as_deref(),
            Some("2026-10")
        );
        assert_eq!(
            month("Sheet1", "x_2026-10.xlsx", Some(MonthFrom::SheetName)),
            None
        );
        assert_eq!(month("Sheet1", "survey_800.csv", None), None);
        assert_eq!(month("Sheet1", "export_1234.csv", None), None);
        assert_eq!(month_in_names("10月", "x.csv", None, None), None);
    }

    #[test]
    fn all_or_nothing_sources_refuse_the_whole_file() {
        let mut config = Config::load(None).unwrap();
        let csv = "客户编号,客户名称,合作开始日期\nC1,东莞南城店,2014-03-01\nC2,深圳福田店,去年\n";
        assert_eq!(
            parse_file(&config, "客户.csv", csv.as_bytes())
                .unwrap()
                .records
                .len(),
            1
        );
        config
            .sources
            .iter_mut()
            .find(|s| s.name == "customer_master")
            .unwrap()
            .all_or_nothing = true;
        let err = parse_file(&config, "客户.csv", csv.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("'customer_master' is all-or-nothing and 1 cells"),
            "{err}"
        );
        assert!(
            err.contains("row 3, column '合作开始日期': '去年' is not a date"),
            "{err}"
        );
    }

    #[test]
    fn repeated_question_headers_stay_apart() {
        let config = Config::load(None).unwrap();
        let csv = "序号,提交答卷时间,3、备注,3、备注\n1,2026-10-03,甲,乙\n";
        let parsed = parse_file(&config, "x.csv", csv.as_bytes()).unwrap();
        assert_eq!(
            parsed.unmapped_questions,
            vec!["3、备注".to_string(), "3、备注 (2)".to_string()]
        );
        assert_eq!(parsed.answers[1].question_text, "3、备注 (2)");
    }

    #[test]
    fn limesurvey_code_export_loads_every_subquestion() {
        let config = Config::load(None).unwrap();
        let csv = "\"id\",\"submitdate\",\"lastpage\",\"startlanguage\",\"seed\",\"Q1[SQ001]\",\"Q1[SQ002]\",\"Q2\"\n\
                   \"1\",\"2026-10-03 14:05:09\",\"2\",\"zh-Hans\",\"123\",\"5\",\"4\",\"A2\"\n\
                   \"2\",\"\",\"1\",\"zh-Hans\",\"456\",\"3\",\"\",\"\"\n";
        let parsed = parse_file(&config, "results-survey123.csv", csv.as_bytes()).unwrap();
        assert_eq!(parsed.source, "limesurvey");
        assert_eq!(
            parsed.unmapped_questions,
            vec!["Q1[SQ001]", "Q1[SQ002]", "Q2"]
        );
        // Row 3 was never submitted (empty submitdate, no month in the file name).
        assert_eq!(parsed.responses.len(), 1);
        assert_eq!(parsed.rejected[0].row_number, 3);
        assert_eq!(parsed.rejected[0].column, "submitdate");
        let values: Vec<Option<f64>> = parsed.answers.iter().map(|a| a.value).collect();
        assert_eq!(values, vec![Some(5.0), Some(4.0), None]);
    }

    #[test]
    fn unknown_files_are_refused_with_reason() {
        let config = Config::load(None).unwrap();
        let err = parse_file(&config, "x.csv", "a,b\n1,2\n".as_bytes())
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("csat does not recognise this file"),
            "{err}"
        );
    }

    #[test]
    fn complaint_with_unknown_department_is_rejected_row() {
        let config = Config::load(None).unwrap();
        let csv = "客户投诉登记表\n投诉编号,受理日期,严重等级,责任部门\nT1,2026-10-02,1级,售后服务部\nT2,2026-10-03,2级,天文部\n";
        let parsed = parse_file(&config, "c.csv", csv.as_bytes()).unwrap();
        assert_eq!(parsed.records.len(), 1);
        assert_eq!(parsed.rejected[0].row_number, 4);
        assert_eq!(parsed.rejected[0].column, "责任部门");
        assert!(parsed.rejected[0]
            .expected
            .starts_with("a department of the configuration"));
    }
}
