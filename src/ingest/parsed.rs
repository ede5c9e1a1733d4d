//! What parsing a file gives the store: responses, long-form answers, typed
//! records, refused cells, and what became of every column.

use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::config::SourceKind;

use super::table;

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
    /// The 1-based row of its response in the file: with the file, the
    /// response's key (`responses.row_number`; its id is stored there once,
    /// not with every answer, V24).
    pub response_row: usize,
    /// Question key from the question map; `None` when unmapped (shared by
    /// the column's answers).
    pub question_key: Option<Arc<str>>,
    /// The column header as it was in the file (shared by the column's answers).
    pub question_text: Arc<str>,
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
    /// Cells and rows that were refused and not yet handed to the store:
    /// while streaming, the first [`REJECTED_KEPT`] stay here (to be shown)
    /// and those after them go with each chunk ([`ParsedFile::take_rows`]),
    /// so a file refused cell by cell does not grow memory.
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
    /// Refused cells.
    pub rejected: usize,
}

/// Refused cells a streamed file keeps to show (the rest are stored as
/// they come).
pub const REJECTED_KEPT: usize = 1000;

impl ParsedFile {
    /// Whether two of its columns are one question (a response can then
    /// hold two answers to it).
    pub fn repeats_questions(&self) -> bool {
        let mut keys: Vec<&str> = self
            .columns
            .iter()
            .filter_map(|column| match &column.role {
                ColumnRole::Question(key) => Some(key.as_str()),
                _ => None,
            })
            .collect();
        keys.sort_unstable();
        keys.windows(2).any(|pair| pair[0] == pair[1])
    }

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

    /// Refused cells of the whole file (stored and not).
    pub fn n_rejected(&self) -> usize {
        self.flushed.rejected + self.rejected.len()
    }

    /// Rows loaded: responses, or records for record kinds.
    pub fn n_loaded(&self) -> usize {
        self.n_responses().max(self.n_records())
    }

    /// Moves the rows not yet stored (responses, answers, records and
    /// their row numbers, and the refused cells past the first
    /// [`REJECTED_KEPT`]) into a file of their own, with the source and
    /// kind the store needs to append them; this one keeps everything else
    /// (the first refused cells, columns, counts). Lets a chunk go to another thread
    /// while parsing goes on.
    pub fn take_rows(&mut self) -> ParsedFile {
        ParsedFile {
            source: self.source.clone(),
            kind: self.kind,
            sheet: self.sheet.clone(),
            responses: std::mem::take(&mut self.responses),
            answers: std::mem::take(&mut self.answers),
            records: std::mem::take(&mut self.records),
            record_rows: std::mem::take(&mut self.record_rows),
            rejected: match self.rejected.len() > REJECTED_KEPT {
                true => self.rejected.split_off(REJECTED_KEPT),
                false => Vec::new(),
            },
            unmapped_questions: Vec::new(),
            columns: Vec::new(),
            n_rows: 0,
            layout: self.layout.clone(),
            question_numbers: self.question_numbers.clone(),
            flushed: self.flushed,
        }
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
