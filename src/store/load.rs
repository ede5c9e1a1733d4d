//! Loading one parsed file: responses, answers (as Arrow batches) and
//! records appended in one transaction, the file's row, its refused cells,
//! and the older exports it supersedes.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use duckdb::params;
use duckdb::types::{TimeUnit, Value};
use duckdb::Connection;

use super::{Context, Store, StoreError};
use crate::config::SourceKind;
use crate::ingest::{FieldValue, ParsedFile};

/// Answers per Arrow batch: bounds the extra memory of a batch.
const ANSWER_BATCH_ROWS: usize = 65_536;

/// An Arrow record batch of answers, in the column order of `answers`.
fn answers_batch(
    file_id: i64,
    answers: &[crate::ingest::Answer],
) -> Result<arrow::record_batch::RecordBatch, arrow::error::ArrowError> {
    use arrow::array::{ArrayRef, Float64Array, Int32Array};
    use arrow::datatypes::{DataType, Field, Schema};
    use std::sync::Arc;

    let schema = Schema::new(vec![
        Field::new("file_id", DataType::Int32, false),
        Field::new("question_key", DataType::Utf8, true),
        Field::new("question_text", DataType::Utf8, false),
        Field::new("raw_text", DataType::Utf8, false),
        Field::new("value", DataType::Float64, true),
        Field::new("response_row", DataType::Int32, true),
    ]);
    let file_id = i32::try_from(file_id).unwrap_or(i32::MAX);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int32Array::from(vec![file_id; answers.len()])),
        Arc::new(text_array(
            answers.iter().map(|a| a.question_key.as_deref()),
        )),
        Arc::new(text_array(answers.iter().map(|a| Some(&*a.question_text)))),
        Arc::new(text_array(
            answers.iter().map(|a| Some(a.raw_text.as_str())),
        )),
        Arc::new(Float64Array::from(
            answers.iter().map(|a| a.value).collect::<Vec<_>>(),
        )),
        // Saturated, never wrapped (no file within the inbox's size limit
        // has 2³¹ rows); as responses.row_number.
        Arc::new(Int32Array::from_iter_values(
            answers
                .iter()
                .map(|a| i32::try_from(a.response_row).unwrap_or(i32::MAX)),
        )),
    ];
    arrow::record_batch::RecordBatch::try_new(Arc::new(schema), columns)
}

/// An Arrow record batch of responses, in the column order of `responses`.
fn responses_batch(
    file_id: i64,
    source: &str,
    responses: &[crate::ingest::Response],
) -> Result<arrow::record_batch::RecordBatch, arrow::error::ArrowError> {
    use arrow::array::{ArrayRef, Int32Array, TimestampMicrosecondArray};
    use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
    use std::sync::Arc;

    let schema = Schema::new(vec![
        Field::new("file_id", DataType::Int32, false),
        Field::new("row_number", DataType::Int32, false),
        Field::new("response_id", DataType::Utf8, false),
        Field::new("source", DataType::Utf8, false),
        Field::new("channel", DataType::Utf8, false),
        Field::new(
            "submitted_at",
            DataType::Timestamp(TimeUnit::Microsecond, None),
            false,
        ),
        Field::new("month", DataType::Utf8, false),
        Field::new("customer_id", DataType::Utf8, true),
        Field::new("dealer", DataType::Utf8, true),
        Field::new("superseded_by", DataType::Int32, true),
        Field::new("duration_seconds", DataType::Int32, true),
    ]);
    let file_id = i32::try_from(file_id).unwrap_or(i32::MAX);
    // Row numbers past 32 bits cannot come from a file within the inbox's
    // size limit and durations are refused past 32 bits (parse_duration):
    // saturated, never wrapped, should either ever happen.
    let int32 = |n: i64| i32::try_from(n).unwrap_or(if n < 0 { i32::MIN } else { i32::MAX });
    let n = responses.len();
    let months: Vec<String> = responses
        .iter()
        // As strftime's `%Y-%m` (years are 1950–2100: `dates::parse_datetime`),
        // without parsing the format string for every response.
        .map(|r| format!("{:04}-{:02}", r.submitted_at.year(), r.submitted_at.month()))
        .collect();
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int32Array::from(vec![file_id; n])),
        Arc::new(Int32Array::from_iter_values(
            responses.iter().map(|r| int32(r.row_number as i64)),
        )),
        Arc::new(text_array(
            responses.iter().map(|r| Some(r.response_id.as_str())),
        )),
        Arc::new(text_array(std::iter::repeat_n(Some(source), n))),
        Arc::new(text_array(
            responses.iter().map(|r| Some(r.channel.as_str())),
        )),
        Arc::new(TimestampMicrosecondArray::from_iter_values(
            responses
                .iter()
                .map(|r| r.submitted_at.and_utc().timestamp_micros()),
        )),
        Arc::new(text_array(months.iter().map(|m| Some(m.as_str())))),
        Arc::new(text_array(
            responses.iter().map(|r| r.customer_id.as_deref()),
        )),
        Arc::new(text_array(responses.iter().map(|r| r.dealer.as_deref()))),
        Arc::new(Int32Array::new_null(n)),
        Arc::new(Int32Array::from(
            responses
                .iter()
                .map(|r| r.duration_seconds.map(int32))
                .collect::<Vec<_>>(),
        )),
    ];
    arrow::record_batch::RecordBatch::try_new(Arc::new(schema), columns)
}

/// Metadata of a file being loaded.
#[derive(Debug, Clone)]
pub struct FileMeta {
    /// SHA-256 of the bytes, lower-case hex.
    pub sha256: String,
    /// File name as it was in the inbox.
    pub file_name: String,
    /// The run date.
    pub loaded_on: NaiveDate,
    /// Whether this file replaces older files of its source for the months
    /// it covers (`reexport = "replace"`).
    pub replaces_periods: bool,
}

/// Responses of an older file that a newly loaded file superseded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Superseded {
    /// The older file's name.
    pub file_name: String,
    /// The month.
    pub month: String,
    /// How many of its responses no longer count.
    pub n_responses: i64,
}

/// A stored file.
#[derive(Debug, Clone)]
pub struct StoredFile {
    /// Its id.
    pub file_id: i64,
    /// Name when it was loaded.
    pub file_name: String,
    /// Date it was loaded.
    pub loaded_on: String,
}

/// A file being stored: one open transaction (see [`Store::begin_file`]).
pub struct FileLoad<'s> {
    transaction: duckdb::Transaction<'s>,
    file_id: i64,
    file_name: String,
    context: String,
}

impl FileLoad<'_> {
    /// Appends a chunk of the file's rows: responses, answers (as Arrow
    /// batches) and records.
    ///
    /// # Errors
    /// A database failure.
    pub fn append(&mut self, parsed: &ParsedFile) -> Result<(), StoreError> {
        let (transaction, file_id, context) = (&self.transaction, self.file_id, &self.context);
        if !parsed.responses.is_empty() {
            let mut appender = transaction.appender("responses").context(context.clone())?;
            for chunk in parsed.responses.chunks(ANSWER_BATCH_ROWS) {
                let batch = responses_batch(file_id, &parsed.source, chunk).map_err(|e| {
                    StoreError::Arrow {
                        context: context.clone(),
                        message: e.to_string(),
                    }
                })?;
                appender
                    .append_record_batch(batch)
                    .context(context.clone())?;
            }
            appender.flush().context(context.clone())?;
        }
        // Answers are the bulk of every survey: appended as Arrow batches.
        if !parsed.answers.is_empty() {
            let mut appender = transaction.appender("answers").context(context.clone())?;
            for chunk in parsed.answers.chunks(ANSWER_BATCH_ROWS) {
                let batch = answers_batch(file_id, chunk).map_err(|e| StoreError::Arrow {
                    context: context.clone(),
                    message: e.to_string(),
                })?;
                appender
                    .append_record_batch(batch)
                    .context(context.clone())?;
            }
            appender.flush().context(context.clone())?;
        }
        if let Some(table) = record_table(parsed.kind) {
            if !parsed.records.is_empty() {
                append_records(transaction, table, file_id, parsed, context)?;
            }
        }
        append_rejected(
            transaction,
            file_id,
            &self.file_name,
            &parsed.rejected,
            context,
        )
    }

    /// Appends the rows not yet appended, records the file (with the counts
    /// of all its rows) and its refused cells, marks what it supersedes,
    /// and commits; returns the file id and what was superseded.
    ///
    /// # Errors
    /// A database failure (including the same bytes already stored).
    pub fn finish(
        mut self,
        meta: &FileMeta,
        parsed: &ParsedFile,
    ) -> Result<(i64, Vec<Superseded>), StoreError> {
        self.append(parsed)?;
        let (transaction, file_id, context) = (&self.transaction, self.file_id, &self.context);
        transaction
            .execute(
                include_str!("../../sql/store/insert_file.sql"),
                params![
                    file_id,
                    meta.sha256,
                    meta.file_name,
                    parsed.source,
                    parsed.kind.as_str(),
                    parsed.sheet,
                    date_value(meta.loaded_on),
                    parsed.n_rows as i64,
                    parsed.n_loaded() as i64,
                    parsed.n_rejected() as i64,
                    parsed.layout,
                    parsed.question_numbers,
                    parsed.repeats_questions(),
                ],
            )
            .context(context.clone())?;
        let started = std::time::Instant::now();
        let superseded = if parsed.n_responses() > 0 {
            supersede_older_exports(
                transaction,
                file_id,
                &parsed.source,
                meta.replaces_periods,
                context,
            )?
        } else {
            Vec::new()
        };
        let superseded_ms = started.elapsed().as_millis() as u64;
        let context = self.context.clone();
        self.transaction.commit().context(context)?;
        tracing::debug!(
            superseded_ms,
            commit_ms = started.elapsed().as_millis() as u64 - superseded_ms,
            "file committed"
        );
        Ok((file_id, superseded))
    }
}

impl Store {
    /// The stored file with these bytes, if any.
    ///
    /// # Errors
    /// A database failure.
    pub fn find_file(&self, sha256: &str) -> Result<Option<StoredFile>, StoreError> {
        let mut statement = self
            .connection
            .prepare(
                "SELECT file_id, file_name, CAST(loaded_on AS VARCHAR) FROM files WHERE sha256 = ?",
            )
            .context("looking up a file hash")?;
        let mut rows = statement
            .query(params![sha256])
            .context("looking up a file hash")?;
        match rows.next().context("looking up a file hash")? {
            Some(row) => Ok(Some(StoredFile {
                file_id: row.get(0).context("reading file_id")?,
                file_name: row.get(1).context("reading file_name")?,
                loaded_on: row.get(2).context("reading loaded_on")?,
            })),
            None => Ok(None),
        }
    }

    /// Stores a parsed file in one transaction and returns its file id.
    ///
    /// Nothing is stored if any step fails: the transaction is rolled back
    /// when dropped uncommitted.
    ///
    /// # Errors
    /// A database failure (including the same bytes already stored).
    pub fn load_file(
        &mut self,
        meta: &FileMeta,
        parsed: &ParsedFile,
    ) -> Result<(i64, Vec<Superseded>), StoreError> {
        self.begin_file(&meta.file_name)?.finish(meta, parsed)
    }

    /// Runs DuckDB on one thread and within a part of its memory limit
    /// while `files` load at once (`Some`), or as configured again
    /// (`None`). The parsers have threads of their own: a second DuckDB
    /// thread only contends with them for the cores (on the 2M-answer bench
    /// month, 0.5 s of 5.7 s faster on one thread). Appending needs little
    /// of the buffer pool (full row groups go to disk), and the parsers'
    /// chunks are held beside it: one file loads within two thirds of the
    /// limit (a 10M-answer month's call-centre CSV peaked at 311 MB resident
    /// under 192 MB, 262 MB under 128 MB, as fast), two at once within a
    /// quarter (that month's CSV and survey workbook together: 336 MB
    /// resident under 128 MB, 281 MB under 42 MB, as fast).
    ///
    /// # Errors
    /// A database failure.
    pub fn loading_files(&self, files: Option<usize>) -> Result<(), StoreError> {
        let context = "setting the database's threads and memory for loading files";
        let threads = if files.is_some() {
            "SET threads = 1"
        } else {
            "RESET threads"
        };
        self.connection.execute_batch(threads).context(context)?;
        let memory_mb = self.memory_mb.map(|mb| match files {
            None => mb,
            Some(0 | 1) => (mb * 2 / 3).max(32),
            Some(_) => (mb / 4).max(32),
        });
        self.set_memory_limit(memory_mb)
    }

    /// Runs DuckDB within five sixths of its memory limit while a report is
    /// built (`true`), or within all of it again (`false`). DuckDB's memory
    /// outside its buffer pool comes in bursts: under 192 MB, 3 of 32 lone
    /// reports of a 10M-answer month peaked at 307–322 MB resident (the rest
    /// 259–288 MB); under 160 MB none of 31 did (241–288 MB), the 2M report
    /// about 0.05 s slower (eight alternating runs) and the 10M one 0.5 s.
    ///
    /// # Errors
    /// A database failure.
    pub fn reporting(&self, on: bool) -> Result<(), StoreError> {
        self.set_memory_limit(
            self.memory_mb
                .map(|mb| if on { (mb * 5 / 6).max(32) } else { mb }),
        )
    }

    /// Starts storing a file whose rows come in chunks ([`FileLoad::append`]),
    /// all in one transaction that [`FileLoad::finish`] commits; dropped
    /// unfinished, nothing of the file is stored.
    ///
    /// # Errors
    /// A database failure.
    pub fn begin_file(&mut self, file_name: &str) -> Result<FileLoad<'_>, StoreError> {
        let context = format!("storing {file_name}");
        let transaction = self.connection.transaction().context(context.clone())?;
        let file_id: i64 = transaction
            .query_row("SELECT nextval('file_id_seq')", [], |r| r.get(0))
            .context(context.clone())?;
        Ok(FileLoad {
            transaction,
            file_id,
            file_name: file_name.to_string(),
            context,
        })
    }
}

/// Appends a chunk's records to their table: as Arrow batches, column by
/// column in the table's own types (a record is `file_id`, `row_number`,
/// the kind's fields, and for callbacks a NULL `superseded_by`); a chunk
/// holding a value of another type than its column (which DuckDB casts or
/// refuses) goes through the row appender instead, as before.
fn append_records(
    transaction: &Connection,
    table: &str,
    file_id: i64,
    parsed: &ParsedFile,
    context: &str,
) -> Result<(), StoreError> {
    let types: Vec<String> = transaction
        .prepare(&format!("SELECT column_type FROM (DESCRIBE {table})"))
        .and_then(|mut statement| {
            statement
                .query_map([], |row| row.get::<_, String>(0))?
                .collect::<Result<_, _>>()
        })
        .context(context)?;
    let mut appender = transaction.appender(table).context(context)?;
    let rows = parsed.records.len();
    for start in (0..rows).step_by(ANSWER_BATCH_ROWS) {
        let end = (start + ANSWER_BATCH_ROWS).min(rows);
        match records_batch(&types, file_id, parsed, start..end) {
            Some(batch) => appender.append_record_batch(batch).context(context)?,
            None => {
                for index in start..end {
                    let record = &parsed.records[index];
                    let mut values = vec![
                        Value::BigInt(file_id),
                        Value::BigInt(parsed.record_rows[index] as i64),
                    ];
                    values.extend(record.iter().map(field_value));
                    if parsed.kind == SourceKind::Callback {
                        values.push(Value::Null); // superseded_by (V3)
                    }
                    appender
                        .append_row(duckdb::appender_params_from_iter(values))
                        .context(context)?;
                }
            }
        }
    }
    appender.flush().context(context)
}

/// A string column allocated at its final size: its texts are measured
/// first, so no buffer grows (and is copied) while it fills. Growing them
/// was a fifth of an ingest's page faults and most of its `memmove`.
fn text_array<'a>(
    values: impl Iterator<Item = Option<&'a str>> + Clone,
) -> arrow::array::StringArray {
    let (rows, bytes) = values.clone().fold((0, 0), |(rows, bytes), value| {
        (rows + 1, bytes + value.map_or(0, str::len))
    });
    let mut builder = arrow::array::StringBuilder::with_capacity(rows, bytes);
    for value in values {
        builder.append_option(value);
    }
    builder.finish()
}

/// One Arrow column from field values: NULL stays NULL, `convert` gives the
/// column's value, or `None` for a value of another type (then no column).
fn typed<'a, A, T>(
    values: impl Iterator<Item = &'a FieldValue>,
    convert: impl Fn(&'a FieldValue) -> Option<T>,
) -> Option<arrow::array::ArrayRef>
where
    A: FromIterator<Option<T>> + arrow::array::Array + 'static,
{
    let array: A = values
        .map(|value| match value {
            FieldValue::Null => Some(None),
            value => convert(value).map(Some),
        })
        .collect::<Option<A>>()?;
    Some(std::sync::Arc::new(array))
}

/// Records `range` of a parsed file as an Arrow batch in the table's column
/// types, or `None` when a value does not have its column's type exactly.
fn records_batch(
    types: &[String],
    file_id: i64,
    parsed: &ParsedFile,
    range: std::ops::Range<usize>,
) -> Option<arrow::record_batch::RecordBatch> {
    use arrow::array::{
        ArrayRef, BooleanArray, Date32Array, Float64Array, Int32Array, Int64Array,
        TimestampMicrosecondArray,
    };
    use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
    use std::sync::Arc;

    let records = &parsed.records[range.clone()];
    let null = FieldValue::Null;
    let file_id = FieldValue::Int(file_id);
    let row_numbers: Vec<FieldValue> = parsed.record_rows[range]
        .iter()
        .map(|row| FieldValue::Int(*row as i64))
        .collect();
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    let mut fields = Vec::with_capacity(types.len());
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(types.len());
    for (column, column_type) in types.iter().enumerate() {
        // The values of this column, row by row.
        let values = (0..records.len()).map(|row| match column {
            0 => &file_id,
            1 => &row_numbers[row],
            // Callbacks end with superseded_by (V3), NULL when loaded.
            field => records[row].get(field - 2).unwrap_or(&null),
        });
        let (data_type, array): (DataType, ArrayRef) = match column_type.as_str() {
            "VARCHAR" => {
                let texts = values
                    .clone()
                    .all(|v| matches!(v, FieldValue::Text(_) | FieldValue::Null));
                if !texts {
                    return None;
                }
                let array = text_array(values.map(|v| match v {
                    FieldValue::Text(t) => Some(t.as_str()),
                    _ => None,
                }));
                (DataType::Utf8, Arc::new(array))
            }
            "INTEGER" => (
                DataType::Int32,
                typed::<Int32Array, _>(values, |v| match v {
                    FieldValue::Int(i) => i32::try_from(*i).ok(),
                    _ => None,
                })?,
            ),
            "BIGINT" => (
                DataType::Int64,
                typed::<Int64Array, _>(values, |v| match v {
                    FieldValue::Int(i) => Some(*i),
                    _ => None,
                })?,
            ),
            "DOUBLE" => (
                DataType::Float64,
                typed::<Float64Array, _>(values, |v| match v {
                    FieldValue::Float(f) => Some(*f),
                    _ => None,
                })?,
            ),
            "BOOLEAN" => (
                DataType::Boolean,
                typed::<BooleanArray, _>(values, |v| match v {
                    FieldValue::Bool(b) => Some(*b),
                    _ => None,
                })?,
            ),
            "DATE" => (
                DataType::Date32,
                typed::<Date32Array, _>(values, |v| match v {
                    FieldValue::Date(d) => i32::try_from((*d - epoch).num_days()).ok(),
                    _ => None,
                })?,
            ),
            "TIMESTAMP" => (
                DataType::Timestamp(TimeUnit::Microsecond, None),
                typed::<TimestampMicrosecondArray, _>(values, |v| match v {
                    FieldValue::DateTime(at) => Some(at.and_utc().timestamp_micros()),
                    _ => None,
                })?,
            ),
            _ => return None,
        };
        fields.push(Field::new(format!("c{column}"), data_type, true));
        columns.push(array);
    }
    arrow::record_batch::RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).ok()
}

/// Marks the responses and callbacks that the newly loaded file `file_id`
/// makes obsolete, and returns what it marked.
///
/// Older files count as exports of the same survey when they are of the same
/// source with the same header layout, or (surveys) have the same question
/// numbers and share at least half of the new file's respondents (same id
/// and submission time): the 按选项文本 and 按选项序号 exports of one 问卷星
/// survey. Another questionnaire is never touched. Then
/// - `replace` (`replaces_periods`): their responses and callbacks in the
///   months the new file covers are superseded;
/// - `append`: only their responses of the same respondents (id and time)
///   are superseded, so new respondents add up and none counts twice.
fn supersede_older_exports(
    transaction: &duckdb::Transaction<'_>,
    file_id: i64,
    source: &str,
    replaces_periods: bool,
    context: &str,
) -> Result<Vec<Superseded>, StoreError> {
    // Most files have no older export of their survey: then the statements
    // below, which find what it replaces among the older exports' responses,
    // are skipped (a 2M-answer month's call-centre CSV, 250,000 calls:
    // 0.17 s before, 0.05–0.06 s for this count).
    let older: i64 = transaction
        .query_row(
            "SELECT count(*) FROM same_survey_files($1, $2)",
            params![file_id, source],
            |row| row.get(0),
        )
        .context(context)?;
    if older == 0 {
        return Ok(Vec::new());
    }
    let mut statement = transaction
        .prepare(include_str!("../../sql/store/superseded_responses.sql"))
        .context(context)?;
    let superseded = statement
        .query_map(params![file_id, source, replaces_periods], |row| {
            Ok(Superseded {
                file_name: row.get("file_name")?,
                month: row.get("month")?,
                n_responses: row.get("n_responses")?,
            })
        })
        .context(context)?
        .collect::<Result<Vec<_>, _>>()
        .context(context)?;
    if superseded.is_empty() {
        return Ok(superseded);
    }
    for update in [
        include_str!("../../sql/store/supersede_callbacks.sql"),
        include_str!("../../sql/store/supersede_responses.sql"),
    ] {
        transaction
            .execute(update, params![file_id, source, replaces_periods])
            .context(context)?;
    }
    Ok(superseded)
}

/// Appends refused cells of file `file_id` to `rejected_rows`.
fn append_rejected(
    transaction: &Connection,
    file_id: i64,
    file_name: &str,
    rejected: &[crate::ingest::RejectedCell],
    context: &str,
) -> Result<(), StoreError> {
    if rejected.is_empty() {
        return Ok(());
    }
    let text = |t: &str| Value::Text(t.to_string());
    append_rows(
        transaction,
        "rejected_rows",
        rejected.iter().map(|rejected| {
            vec![
                Value::BigInt(file_id),
                text(file_name),
                text(&rejected.sheet),
                Value::BigInt(rejected.row_number as i64),
                text(&rejected.column),
                text(&rejected.value),
                text(&rejected.expected),
            ]
        }),
        context,
    )
}

/// Appends rows to `table` through DuckDB's appender (bulk, not INSERTs).
pub(super) fn append_rows(
    transaction: &Connection,
    table: &str,
    rows: impl Iterator<Item = Vec<Value>>,
    context: &str,
) -> Result<(), StoreError> {
    let mut appender = transaction.appender(table).context(context)?;
    for row in rows {
        appender
            .append_row(duckdb::appender_params_from_iter(row))
            .context(context)?;
    }
    appender.flush().context(context)
}

/// The table a record kind is stored in (`None` for surveys, which are
/// responses and answers only).
pub fn record_table(kind: SourceKind) -> Option<&'static str> {
    match kind {
        SourceKind::Survey => None,
        SourceKind::Callback => Some("callbacks"),
        SourceKind::Complaint => Some("complaints"),
        SourceKind::Proposal => Some("proposals"),
        SourceKind::Customer => Some("customers"),
        SourceKind::Sales => Some("sales"),
        SourceKind::Payment => Some("payments"),
        SourceKind::ActionPlan => Some("action_plans"),
        SourceKind::Dispatch => Some("dispatch"),
    }
}

pub(super) fn date_value(date: NaiveDate) -> Value {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    Value::Date32((date - epoch).num_days() as i32)
}

pub(super) fn timestamp_value(at: NaiveDateTime) -> Value {
    Value::Timestamp(TimeUnit::Microsecond, at.and_utc().timestamp_micros())
}

fn field_value(value: &FieldValue) -> Value {
    match value {
        FieldValue::Null => Value::Null,
        FieldValue::Text(t) => Value::Text(t.clone()),
        FieldValue::Int(i) => Value::BigInt(*i),
        FieldValue::Float(f) => Value::Double(*f),
        FieldValue::Date(d) => date_value(*d),
        FieldValue::DateTime(dt) => timestamp_value(*dt),
        FieldValue::Bool(b) => Value::Boolean(*b),
    }
}

/// Sales files for tests here and in the pipeline.
#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A sales file of `records`, its rows numbered from 2 (below a header).
    pub(crate) fn sales_file(records: Vec<Vec<FieldValue>>) -> ParsedFile {
        sales_file_from(2, records)
    }

    /// A sales file of `records`, its rows numbered from `first_row`.
    pub(crate) fn sales_file_from(first_row: usize, records: Vec<Vec<FieldValue>>) -> ParsedFile {
        ParsedFile {
            source: "sales".into(),
            kind: SourceKind::Sales,
            sheet: "Sheet1".into(),
            responses: Vec::new(),
            answers: Vec::new(),
            record_rows: (first_row..first_row + records.len()).collect(),
            n_rows: records.len(),
            records,
            rejected: Vec::new(),
            unmapped_questions: Vec::new(),
            columns: Vec::new(),
            layout: String::new(),
            question_numbers: String::new(),
            flushed: Default::default(),
        }
    }

    /// One sale: customer, month 2026-10, amount (NOT NULL in the table),
    /// no gross margin, orders.
    pub(crate) fn sale(customer: &str, amount: FieldValue, orders: FieldValue) -> Vec<FieldValue> {
        vec![
            FieldValue::Text(customer.into()),
            FieldValue::Text("2026-10".into()),
            amount,
            FieldValue::Null,
            orders,
        ]
    }

    pub(crate) fn meta(sha256: &str) -> FileMeta {
        FileMeta {
            sha256: sha256.into(),
            file_name: format!("{sha256}.csv"),
            loaded_on: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
            replaces_periods: false,
        }
    }

    /// Records reach their table alike whether a chunk goes as an Arrow
    /// batch (every value of its column's type) or through the row appender
    /// (a whole number in a DOUBLE column, cast by DuckDB); a NULL in a NOT
    /// NULL column fails the file on either path, and nothing of it stays.
    #[test]
    fn records_load_by_batch_and_by_row_alike() {
        let mut store = Store::open_in_memory().unwrap();
        let batch = sales_file(vec![
            sale("C1", FieldValue::Float(12.5), FieldValue::Int(3)),
            sale("C2", FieldValue::Float(7.25), FieldValue::Null),
        ]);
        store.load_file(&meta("a"), &batch).unwrap();
        let by_row = sales_file(vec![sale("C3", FieldValue::Int(4), FieldValue::Int(1))]);
        store.load_file(&meta("b"), &by_row).unwrap();
        let rows = store
            .query(
                "sales",
                "SELECT customer_id, row_number, amount, orders, gross_margin FROM sales ORDER BY customer_id",
                &[],
            )
            .unwrap();
        let read: Vec<(String, i64, f64, Option<i64>, Option<f64>)> = rows
            .iter()
            .map(|r| {
                (
                    r.text("customer_id").unwrap(),
                    r.i64("row_number").unwrap(),
                    r.f64("amount").unwrap(),
                    r.opt_i64("orders").unwrap(),
                    r.opt_f64("gross_margin").unwrap(),
                )
            })
            .collect();
        assert_eq!(
            read,
            vec![
                ("C1".to_string(), 2, 12.5, Some(3), None),
                ("C2".to_string(), 3, 7.25, None, None),
                ("C3".to_string(), 2, 4.0, Some(1), None),
            ]
        );
        for (sha, amount) in [("c", FieldValue::Null), ("d", FieldValue::Text("x".into()))] {
            let bad = sales_file(vec![
                sale("C4", FieldValue::Float(1.0), FieldValue::Int(1)),
                sale("C5", amount, FieldValue::Int(1)),
            ]);
            assert!(store.load_file(&meta(sha), &bad).is_err(), "{sha}");
        }
        let n = store
            .query("count", "SELECT count(*) AS n FROM sales", &[])
            .unwrap()[0]
            .i64("n")
            .unwrap();
        assert_eq!(n, 3);
    }

    /// Policy: every statement in `sql/store/` prepares against a freshly
    /// migrated store.
    #[test]
    fn every_store_statement_prepares() {
        let dir = std::path::PathBuf::from(
            // At run time: a build cached from another checkout keeps its own compile-time path.
            std::env::var("CARGO_MANIFEST_DIR")
                .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into()),
        )
        .join("sql/store");
        let store = Store::open_in_memory().unwrap();
        let mut n_files = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let sql = std::fs::read_to_string(&path).unwrap();
            store
                .prepare_only(&path.display().to_string(), &sql)
                .unwrap();
            n_files += 1;
        }
        assert!(n_files >= 8, "{n_files} files in sql/store");
    }
}
