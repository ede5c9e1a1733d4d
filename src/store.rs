//! The only module that talks to DuckDB.
//!
//! It applies the numbered migrations in `sql/migrations/`, loads one parsed
//! file per transaction (so a file is either fully stored once or not at all),
//! mirrors the configuration into tables the SQL joins on, and runs queries
//! for the analyses, returning plain [`SqlValue`] rows.

use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use duckdb::types::{TimeUnit, Value, ValueRef};
use duckdb::{params, Connection};

use crate::config::{Config, SourceKind};
use crate::ingest::{FieldValue, ParsedFile};

/// Schema migrations, applied in order; the number is the version.
const MIGRATIONS: &[(i32, &str, &str)] = &[
    (1, "init", include_str!("../sql/migrations/V1__init.sql")),
    (
        2,
        "item_scores",
        include_str!("../sql/migrations/V2__item_scores.sql"),
    ),
    (
        3,
        "reexports",
        include_str!("../sql/migrations/V3__reexports.sql"),
    ),
    (
        4,
        "durations_and_questionnaires",
        include_str!("../sql/migrations/V4__durations_and_questionnaires.sql"),
    ),
    (
        5,
        "file_months",
        include_str!("../sql/migrations/V5__file_months.sql"),
    ),
    (
        6,
        "group_scores",
        include_str!("../sql/migrations/V6__group_scores.sql"),
    ),
    (
        7,
        "problems",
        include_str!("../sql/migrations/V7__problems.sql"),
    ),
    (
        8,
        "grading",
        include_str!("../sql/migrations/V8__grading.sql"),
    ),
    (
        9,
        "closed_loop",
        include_str!("../sql/migrations/V9__closed_loop.sql"),
    ),
    (
        10,
        "deliveries",
        include_str!("../sql/migrations/V10__deliveries.sql"),
    ),
    (
        11,
        "ingest_attempts",
        include_str!("../sql/migrations/V11__ingest_attempts.sql"),
    ),
    (
        12,
        "alert_retries",
        include_str!("../sql/migrations/V12__alert_retries.sql"),
    ),
    (
        13,
        "scale",
        include_str!("../sql/migrations/V13__scale.sql"),
    ),
];

/// The longest text a query returns, in characters: below Excel's 32,767
/// per cell, so no value from a file can stop a workbook from being written.
/// Longer text is cut with a visible marker saying how long it was.
pub const MAX_TEXT_CHARS: usize = 32_000;

/// `text` cut to [`MAX_TEXT_CHARS`] with a marker, when longer.
pub fn bounded_text(text: String) -> String {
    match text.char_indices().nth(MAX_TEXT_CHARS) {
        None => text,
        Some((cut, _)) => {
            let total = text.chars().count();
            format!("{}… [截断 truncated: {total} characters]", &text[..cut])
        }
    }
}

/// Where the reading of an inbox file stands (the crash-loop breaker).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Attempt {
    /// Earlier readings of the file that never finished.
    pub interrupted: i64,
    /// Whether one of them ended by a fatal signal (abort, crash).
    pub crashed: bool,
}

/// A store error: DuckDB's message with what csat was doing.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// An Arrow batch could not be built.
    #[error("database: {context}: building an Arrow batch: {message}")]
    Arrow {
        /// What was being done.
        context: String,
        /// Arrow's message.
        message: String,
    },
    /// A DuckDB call failed.
    /// DuckDB's message is part of the text (not also the error's source,
    /// so the CLI prints it once).
    #[error("database: {context}: {cause}")]
    Db {
        /// What was being done.
        context: String,
        /// DuckDB's error.
        cause: duckdb::Error,
    },
    /// A query returned a row its reader cannot read (a column missing or
    /// of another type): the SQL and its reader disagree.
    #[error("database: {query}: {message}")]
    Shape {
        /// The query's key.
        query: String,
        /// Which column, and what was expected.
        message: String,
    },
}

trait Context<T> {
    fn context(self, context: impl Into<String>) -> Result<T, StoreError>;
}

impl<T> Context<T> for Result<T, duckdb::Error> {
    fn context(self, context: impl Into<String>) -> Result<T, StoreError> {
        self.map_err(|cause| StoreError::Db {
            context: context.into(),
            cause,
        })
    }
}

/// Answers per Arrow batch: bounds the extra memory of a batch.
const ANSWER_BATCH_ROWS: usize = 65_536;

/// An Arrow record batch of answers, in the column order of `answers`.
fn answers_batch(
    file_id: i64,
    answers: &[crate::ingest::Answer],
) -> Result<arrow::record_batch::RecordBatch, arrow::error::ArrowError> {
    use arrow::array::{ArrayRef, Float64Array, Int32Array, StringArray};
    use arrow::datatypes::{DataType, Field, Schema};
    use std::sync::Arc;

    let schema = Schema::new(vec![
        Field::new("file_id", DataType::Int32, false),
        Field::new("response_id", DataType::Utf8, false),
        Field::new("question_key", DataType::Utf8, true),
        Field::new("question_text", DataType::Utf8, false),
        Field::new("raw_text", DataType::Utf8, false),
        Field::new("value", DataType::Float64, true),
    ]);
    let file_id = i32::try_from(file_id).unwrap_or(i32::MAX);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int32Array::from(vec![file_id; answers.len()])),
        Arc::new(StringArray::from_iter_values(
            answers.iter().map(|a| a.response_id.as_str()),
        )),
        Arc::new(StringArray::from(
            answers
                .iter()
                .map(|a| a.question_key.as_deref())
                .collect::<Vec<_>>(),
        )),
        Arc::new(StringArray::from_iter_values(
            answers.iter().map(|a| a.question_text.as_str()),
        )),
        Arc::new(StringArray::from_iter_values(
            answers.iter().map(|a| a.raw_text.as_str()),
        )),
        Arc::new(Float64Array::from(
            answers.iter().map(|a| a.value).collect::<Vec<_>>(),
        )),
    ];
    arrow::record_batch::RecordBatch::try_new(Arc::new(schema), columns)
}

/// A value read back from a query.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    /// NULL.
    Null,
    /// Any integer.
    Int(i64),
    /// Any floating or decimal number.
    Float(f64),
    /// Text (dates are cast to text in the SQL).
    Text(String),
    /// Boolean.
    Bool(bool),
}

impl SqlValue {
    /// As a date, from text `YYYY-MM-DD` (the SQL casts dates to text).
    pub fn as_date(&self) -> Option<NaiveDate> {
        match self {
            SqlValue::Text(t) => NaiveDate::parse_from_str(t, "%Y-%m-%d").ok(),
            _ => None,
        }
    }

    /// As a float (integers widen), `None` for NULL or text.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            SqlValue::Int(i) => Some(*i as f64),
            SqlValue::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// As an integer, `None` for NULL, text or fractions.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            SqlValue::Int(i) => Some(*i),
            SqlValue::Float(f) if f.fract() == 0.0 => Some(*f as i64),
            _ => None,
        }
    }

    /// As text; numbers are printed.
    pub fn as_text(&self) -> Option<String> {
        match self {
            SqlValue::Null => None,
            SqlValue::Int(i) => Some(i.to_string()),
            SqlValue::Float(f) => Some(f.to_string()),
            SqlValue::Text(t) => Some(t.clone()),
            SqlValue::Bool(b) => Some(b.to_string()),
        }
    }

    /// As a boolean, `None` unless boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            SqlValue::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

/// What was tried so far to deliver one alert (one fingerprint) to one
/// target.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AlertAttempts {
    /// An attempt succeeded.
    pub delivered: bool,
    /// Failed attempts.
    pub failures: i64,
    /// When the latest failed attempt was made.
    pub last_failure: Option<NaiveDateTime>,
}

/// A bound query parameter.
#[derive(Debug, Clone)]
pub enum Param {
    /// Text.
    Text(String),
    /// Integer.
    Int(i64),
    /// Floating point.
    Float(f64),
    /// Date.
    Date(NaiveDate),
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
        let text = |t: &str| Value::Text(t.to_string());
        let optional_text = |t: &Option<String>| t.as_deref().map(text).unwrap_or(Value::Null);
        append_rows(
            transaction,
            "responses",
            parsed.responses.iter().map(|response| {
                vec![
                    Value::BigInt(file_id),
                    Value::BigInt(response.row_number as i64),
                    text(&response.response_id),
                    text(&parsed.source),
                    text(&response.channel),
                    timestamp_value(response.submitted_at),
                    Value::Text(response.submitted_at.format("%Y-%m").to_string()),
                    optional_text(&response.customer_id),
                    optional_text(&response.dealer),
                    Value::Null, // superseded_by (V3)
                    response
                        .duration_seconds
                        .map(Value::BigInt)
                        .unwrap_or(Value::Null),
                ]
            }),
            context,
        )?;
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
            append_rows(
                transaction,
                table,
                parsed
                    .records
                    .iter()
                    .zip(&parsed.record_rows)
                    .map(|(record, row_number)| {
                        let mut values =
                            vec![Value::BigInt(file_id), Value::BigInt(*row_number as i64)];
                        values.extend(record.iter().map(field_value));
                        if parsed.kind == SourceKind::Callback {
                            values.push(Value::Null); // superseded_by (V3)
                        }
                        values
                    }),
                context,
            )?;
        }
        Ok(())
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
                "INSERT INTO files (file_id, sha256, file_name, source, kind, sheet, loaded_on, \
                 n_rows, n_loaded, n_rejected, layout, question_numbers) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                    parsed.rejected.len() as i64,
                    parsed.layout,
                    parsed.question_numbers,
                ],
            )
            .context(context.clone())?;
        let text = |t: &str| Value::Text(t.to_string());
        append_rows(
            transaction,
            "rejected_rows",
            parsed.rejected.iter().map(|rejected| {
                vec![
                    Value::BigInt(file_id),
                    text(&meta.file_name),
                    text(&rejected.sheet),
                    Value::BigInt(rejected.row_number as i64),
                    text(&rejected.column),
                    text(&rejected.value),
                    text(&rejected.expected),
                ]
            }),
            context,
        )?;
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
        let context = self.context.clone();
        self.transaction.commit().context(context)?;
        Ok((file_id, superseded))
    }
}

/// An open csat database.
pub struct Store {
    connection: Connection,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and migrates it.
    ///
    /// # Errors
    /// The file cannot be opened (locked by another process, corrupt) or a
    /// migration fails.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let connection = Connection::open(path).context(format!("opening {}", path.display()))?;
        let store = Store { connection };
        store.migrate()?;
        Ok(store)
    }

    /// Opens (or creates) the database at `path` encrypted with `key`
    /// (DuckDB's AES encryption: the file is attached with ENCRYPTION_KEY
    /// and made the default catalog).
    ///
    /// # Errors
    /// The file cannot be opened with the key, or this DuckDB build cannot
    /// write encrypted databases (the bundled 2.0 without httpfs cannot; its
    /// message is passed on).
    pub fn open_encrypted(path: &Path, key: &str) -> Result<Store, StoreError> {
        let context = format!("opening {} encrypted", path.display());
        let connection = Connection::open_in_memory().context(context.clone())?;
        let quote = |text: &str| text.replace('\'', "''");
        connection
            .execute_batch(&format!(
                "ATTACH '{}' AS csat (ENCRYPTION_KEY '{}'); USE csat;",
                quote(&path.display().to_string()),
                quote(key)
            ))
            .context(context)?;
        let store = Store { connection };
        store.migrate()?;
        Ok(store)
    }

    /// An in-memory database with the schema (used by `csat check` and tests).
    ///
    /// # Errors
    /// A migration fails.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let connection = Connection::open_in_memory().context("opening an in-memory database")?;
        let store = Store { connection };
        store.migrate()?;
        Ok(store)
    }

    /// Bounds DuckDB's memory when `CSAT_DB_MEMORY_MB` says how much (at
    /// least 32 MB): its buffer pool and the intermediates of a query stay
    /// under it, larger sorts, joins and aggregates spilling to a temporary
    /// folder beside the database. Without it DuckDB's default applies (80 %
    /// of the machine's memory): a limit of 192 MB made `group_scores` fail
    /// with "Out of Memory" on the demo's 14 months (its grouped,
    /// ordered aggregates do not spill), so no limit is imposed by default.
    fn limit_memory(&self) -> Result<(), StoreError> {
        let Some(megabytes) = std::env::var("CSAT_DB_MEMORY_MB")
            .ok()
            .and_then(|v| v.parse::<u32>().ok())
            .filter(|mb| *mb >= 32)
        else {
            return Ok(());
        };
        self.connection
            .execute_batch(&format!("SET memory_limit = '{megabytes}MB'"))
            .context("limiting the database's memory")
    }

    fn migrate(&self) -> Result<(), StoreError> {
        self.limit_memory()?;
        self.connection
            .execute_batch(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL)",
            )
            .context("creating schema_migrations")?;
        let applied: i64 = self
            .connection
            .query_row(
                "SELECT coalesce(max(version), 0) FROM schema_migrations",
                [],
                |r| r.get(0),
            )
            .context("reading schema version")?;
        for (version, name, sql) in MIGRATIONS {
            if i64::from(*version) <= applied {
                continue;
            }
            let batch = format!(
                "BEGIN TRANSACTION;\n{sql}\nINSERT INTO schema_migrations VALUES ({version}, '{name}');\nCOMMIT;"
            );
            self.connection
                .execute_batch(&batch)
                .context(format!("applying migration V{version}__{name}"))?;
        }
        Ok(())
    }

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
            context,
        })
    }

    /// Replaces the configuration mirrors (question map, departments and
    /// their targets for `months`, keyword rules).
    ///
    /// # Errors
    /// A database failure.
    pub fn sync_config(&mut self, config: &Config, months: &[String]) -> Result<(), StoreError> {
        let context = "mirroring the configuration";
        let transaction = self.connection.transaction().context(context)?;
        transaction
            .execute_batch(
                "DELETE FROM question_map; DELETE FROM departments; DELETE FROM department_targets; DELETE FROM keyword_rules;",
            )
            .context(context)?;
        for question in &config.questions {
            let indicator_name = config
                .indicator(&question.indicator)
                .map(|i| i.name.clone())
                .unwrap_or_default();
            transaction
                .execute(
                    "INSERT INTO question_map VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    params![
                        question.key,
                        question.indicator,
                        indicator_name,
                        question.department,
                        question.scale.as_str(),
                        question.scale.max(),
                        question.scale.low_max(),
                        config.question_category(question),
                    ],
                )
                .context(context)?;
        }
        for (position, department) in config.departments.iter().enumerate() {
            transaction
                .execute(
                    "INSERT INTO departments VALUES (?, ?, ?)",
                    params![department.key, department.name, position as i64],
                )
                .context(context)?;
            for month in months {
                transaction
                    .execute(
                        "INSERT INTO department_targets VALUES (?, ?, ?)",
                        params![department.key, month, config.target_for(department, month)],
                    )
                    .context(context)?;
            }
        }
        for (position, rule) in config.keyword_rules.iter().enumerate() {
            transaction
                .execute(
                    "INSERT INTO keyword_rules VALUES (?, ?, ?, ?)",
                    params![
                        position as i64,
                        rule.keyword,
                        rule.category,
                        rule.department
                    ],
                )
                .context(context)?;
        }
        transaction
            .execute_batch("DELETE FROM problem_weights; DELETE FROM excluded_statuses;")
            .context(context)?;
        let pareto = &config.pareto;
        for (severity, weight) in [
            (0, pareto.other_weight),
            (1, pareto.severity_weights[0]),
            (2, pareto.severity_weights[1]),
            (3, pareto.severity_weights[2]),
        ] {
            transaction
                .execute(
                    "INSERT INTO problem_weights VALUES (?, ?)",
                    params![severity, weight],
                )
                .context(context)?;
        }
        for status in &pareto.excluded_statuses {
            transaction
                .execute("INSERT INTO excluded_statuses VALUES (?)", params![status])
                .context(context)?;
        }
        transaction
            .execute_batch("DELETE FROM no_problem_texts; DELETE FROM closed_statuses;")
            .context(context)?;
        let no_problem: std::collections::BTreeSet<String> = pareto
            .no_problem_texts
            .iter()
            .map(|t| crate::config::no_problem_key(t))
            .filter(|t| !t.is_empty())
            .collect();
        for text in &no_problem {
            transaction
                .execute("INSERT INTO no_problem_texts VALUES (?)", params![text])
                .context(context)?;
        }
        for status in crate::config::CLOSED_STATUSES {
            transaction
                .execute("INSERT INTO closed_statuses VALUES (?)", params![status])
                .context(context)?;
        }
        transaction
            .execute_batch(
                "DELETE FROM grading_criteria; DELETE FROM grading_bands; \
                 DELETE FROM grading_categories; DELETE FROM grading_thresholds;",
            )
            .context(context)?;
        let grading = &config.grading;
        for (position, criterion) in grading.criteria.iter().enumerate() {
            transaction
                .execute(
                    "INSERT INTO grading_criteria VALUES (?, ?, ?, ?, ?)",
                    params![
                        position as i64,
                        criterion.key,
                        criterion.name,
                        criterion.measure,
                        criterion.weight
                    ],
                )
                .context(context)?;
            for [min_value, points] in &criterion.bands {
                transaction
                    .execute(
                        "INSERT INTO grading_bands VALUES (?, ?, ?)",
                        params![criterion.key, min_value, points],
                    )
                    .context(context)?;
            }
            for (category, points) in &criterion.categories {
                transaction
                    .execute(
                        "INSERT INTO grading_categories VALUES (?, ?, ?)",
                        params![criterion.key, category, points],
                    )
                    .context(context)?;
            }
        }
        for (position, threshold) in grading.thresholds.iter().enumerate() {
            transaction
                .execute(
                    "INSERT INTO grading_thresholds VALUES (?, ?, ?, ?)",
                    params![
                        position as i64,
                        threshold.grade,
                        threshold.min_monthly_orders,
                        threshold.min_on_margin_share
                    ],
                )
                .context(context)?;
        }
        transaction.commit().context(context)
    }

    /// Records a grading run (its rules as JSON, every customer's result and
    /// criterion points) in one transaction and returns its run id.
    ///
    /// # Errors
    /// A database failure.
    pub fn record_grading(
        &mut self,
        grading: &crate::analysis::grading::Grading,
        rules_json: &str,
    ) -> Result<i64, StoreError> {
        let context = "recording a grading run";
        let transaction = self.connection.transaction().context(context)?;
        let run_id: i64 = transaction
            .query_row("SELECT nextval('grading_run_seq')", [], |r| r.get(0))
            .context(context)?;
        transaction
            .execute(
                "INSERT INTO grading_runs VALUES (?, ?, ?, ?, ?, ?)",
                params![
                    run_id,
                    date_value(grading.as_of),
                    grading.rule_version,
                    grading.method,
                    rules_json,
                    grading.customers.len() as i64
                ],
            )
            .context(context)?;
        let text = |t: &str| Value::Text(t.to_string());
        let optional = |t: &Option<String>| t.as_deref().map(text).unwrap_or(Value::Null);
        append_rows(
            &transaction,
            "grading_results",
            grading.customers.iter().map(|c| {
                vec![
                    Value::BigInt(run_id),
                    text(&c.customer_id),
                    text(&c.name),
                    optional(&c.customer_type),
                    Value::BigInt(c.months_of_business),
                    c.score.map(Value::Double).unwrap_or(Value::Null),
                    c.rank.map(Value::BigInt).unwrap_or(Value::Null),
                    text(&c.grade),
                    optional(&c.old_grade),
                    text(&c.payment_terms_grade),
                    Value::Boolean(c.provisional),
                    Value::Boolean(c.at_risk),
                    text(&c.reasons.join("；")),
                ]
            }),
            context,
        )?;
        append_rows(
            &transaction,
            "grading_criterion_scores",
            grading.customers.iter().flat_map(|c| {
                c.criteria.iter().map(move |criterion| {
                    vec![
                        Value::BigInt(run_id),
                        Value::Text(c.customer_id.clone()),
                        Value::Text(criterion.key.clone()),
                        criterion.value.map(Value::Double).unwrap_or(Value::Null),
                        criterion
                            .text_value
                            .clone()
                            .map(Value::Text)
                            .unwrap_or(Value::Null),
                        Value::Double(criterion.points),
                    ]
                })
            }),
            context,
        )?;
        transaction.commit().context(context)?;
        Ok(run_id)
    }

    /// Whether `alert` with this fingerprint already reached `target`
    /// through `channel`.
    ///
    /// # Errors
    /// A database failure.
    pub fn alert_delivered(
        &self,
        key: &str,
        fingerprint: &str,
        channel: &str,
        target: &str,
    ) -> Result<bool, StoreError> {
        Ok(self
            .alert_attempts(key, fingerprint, channel, target)?
            .delivered)
    }

    /// What was tried so far to deliver `alert` with this fingerprint to
    /// `target` through `channel`.
    ///
    /// # Errors
    /// A database failure.
    pub fn alert_attempts(
        &self,
        key: &str,
        fingerprint: &str,
        channel: &str,
        target: &str,
    ) -> Result<AlertAttempts, StoreError> {
        let rows = self.query(
            "alert deliveries",
            "SELECT coalesce(bool_or(ok), false) AS delivered, \
             count(*) FILTER (WHERE NOT ok) AS failures, \
             strftime(max(sent_at) FILTER (WHERE NOT ok), '%Y-%m-%d %H:%M:%S') AS last_failure \
             FROM alert_deliveries WHERE alert_key = $1 AND fingerprint = $2 \
             AND channel = $3 AND target = $4",
            &[
                Param::Text(key.to_string()),
                Param::Text(fingerprint.to_string()),
                Param::Text(channel.to_string()),
                Param::Text(target.to_string()),
            ],
        )?;
        // An aggregate: always one row.
        let row = rows.first();
        Ok(AlertAttempts {
            delivered: row.and_then(|r| r[0].as_bool()).unwrap_or(false),
            failures: row.and_then(|r| r[1].as_i64()).unwrap_or(0),
            last_failure: row
                .and_then(|r| r[2].as_text())
                .and_then(|t| chrono::NaiveDateTime::parse_from_str(&t, "%Y-%m-%d %H:%M:%S").ok()),
        })
    }

    /// Records one delivery attempt of an alert (and the alert itself):
    /// `attempt` is its number (1 for the first), `next_attempt_at` when a
    /// failed one may be tried again (`None` once delivered or given up).
    ///
    /// # Errors
    /// A database failure.
    #[allow(clippy::too_many_arguments)]
    pub fn record_alert_delivery(
        &mut self,
        alert: &crate::alerts::Alert,
        channel: &str,
        target: &str,
        at: chrono::NaiveDateTime,
        error: Option<&str>,
        attempt: i64,
        next_attempt_at: Option<chrono::NaiveDateTime>,
    ) -> Result<(), StoreError> {
        let context = "recording an alert";
        let transaction = self.connection.transaction().context(context)?;
        transaction
            .execute(
                "INSERT INTO alert_deliveries (alert_key, fingerprint, channel, target, sent_at, \
                 ok, error, attempt, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                params![
                    alert.key,
                    alert.fingerprint,
                    channel,
                    target,
                    timestamp_value(at),
                    error.is_none(),
                    error,
                    attempt,
                    next_attempt_at.map(timestamp_value)
                ],
            )
            .context(context)?;
        if error.is_none() {
            transaction
                .execute(
                    "INSERT INTO alerts VALUES (?, ?, ?, ?, ?, ?, ?, 1) \
                     ON CONFLICT (alert_key) DO UPDATE SET fingerprint = excluded.fingerprint, \
                     subject = excluded.subject, body = excluded.body, \
                     last_sent_at = excluded.last_sent_at, \
                     n_sent = alerts.n_sent + CASE WHEN alerts.fingerprint = excluded.fingerprint THEN 0 ELSE 1 END",
                    params![
                        alert.key,
                        alert.kind,
                        alert.fingerprint,
                        alert.subject,
                        alert.body,
                        timestamp_value(at),
                        timestamp_value(at)
                    ],
                )
                .context(context)?;
        }
        transaction.commit().context(context)
    }

    /// Records one report delivery attempt.
    ///
    /// # Errors
    /// A database failure.
    pub fn record_delivery(
        &mut self,
        delivery: &crate::delivery::Delivery,
    ) -> Result<(), StoreError> {
        self.connection
            .execute(
                "INSERT INTO deliveries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                params![
                    delivery.month,
                    delivery.kind,
                    delivery.department,
                    delivery.recipient,
                    delivery.file_name,
                    delivery.sha256,
                    timestamp_value(delivery.sent_at),
                    delivery.error.is_none(),
                    delivery.error,
                    delivery.forced
                ],
            )
            .map(|_| ())
            .context("recording a delivery")
    }

    /// Runs a query with bound parameters and returns all rows.
    ///
    /// # Errors
    /// The SQL does not prepare or fails; `name` says which query.
    pub fn query(
        &self,
        name: &str,
        sql: &str,
        params: &[Param],
    ) -> Result<Vec<Vec<SqlValue>>, StoreError> {
        let context = format!("running {name}");
        let started = std::time::Instant::now();
        let mut statement = self.connection.prepare(sql).context(context.clone())?;
        let values: Vec<Value> = params.iter().map(param_value).collect();
        let mut rows = statement
            .query(duckdb::params_from_iter(values))
            .context(context.clone())?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().context(context.clone())? {
            let n_columns = row.as_ref().column_count();
            let mut values = Vec::with_capacity(n_columns);
            for index in 0..n_columns {
                let value = row.get_ref(index).context(context.clone())?;
                values.push(sql_value(value));
            }
            out.push(values);
        }
        tracing::debug!(
            query = name,
            rows = out.len(),
            ms = started.elapsed().as_millis() as u64,
            "query"
        );
        Ok(out)
    }

    /// Runs a query with bound parameters and calls `each` with every row,
    /// reading the result from DuckDB batch by batch (a streaming result),
    /// so memory does not grow with the number of rows.
    ///
    /// # Errors
    /// The SQL does not prepare or fails (`name` says which query), or
    /// `each` fails.
    pub fn query_each<E: From<StoreError>>(
        &self,
        name: &str,
        sql: &str,
        params: &[Param],
        mut each: impl FnMut(&[SqlValue]) -> Result<(), E>,
    ) -> Result<(), E> {
        let context = format!("running {name}");
        let started = std::time::Instant::now();
        let mut statement = self.connection.prepare(sql).context(context.clone())?;
        let values: Vec<Value> = params.iter().map(param_value).collect();
        let batches = statement
            .stream_arrow(duckdb::params_from_iter(values))
            .context(context.clone())?;
        let mut row = Vec::new();
        for batch in batches {
            let batch = batch.context(context.clone())?;
            for index in 0..batch.num_rows() {
                row.clear();
                for column in batch.columns() {
                    row.push(
                        arrow_value(column, index).map_err(|message| StoreError::Arrow {
                            context: context.clone(),
                            message,
                        })?,
                    );
                }
                each(&row)?;
            }
        }
        tracing::debug!(
            query = name,
            ms = started.elapsed().as_millis() as u64,
            "streamed query"
        );
        Ok(())
    }

    /// Replaces `problem_deadlines` (V13) with `rows` of (day, severity,
    /// due date): the deadlines of a month's problems by csat's calendar.
    ///
    /// # Errors
    /// A database failure.
    pub fn set_problem_deadlines(
        &self,
        rows: &[(NaiveDate, i64, NaiveDate)],
    ) -> Result<(), StoreError> {
        let context = "setting the problem deadlines";
        self.connection
            .execute_batch("DELETE FROM problem_deadlines")
            .context(context)?;
        append_rows(
            &self.connection,
            "problem_deadlines",
            rows.iter().map(|(day, severity, due)| {
                vec![date_value(*day), Value::BigInt(*severity), date_value(*due)]
            }),
            context,
        )
    }

    /// Notes that the reading of the file `sha256` begins and returns how
    /// earlier readings ended: a row left from before means the process
    /// stopped while reading it.
    ///
    /// # Errors
    /// A database failure.
    pub fn begin_attempt(&self, sha256: &str, file_name: &str) -> Result<Attempt, StoreError> {
        let context = "recording an ingest attempt";
        let rows = self.query(
            context,
            "SELECT attempts, crashed FROM ingest_attempts WHERE sha256 = $1",
            &[Param::Text(sha256.to_string())],
        )?;
        let before = rows
            .first()
            .map(|row| Attempt {
                interrupted: row.first().and_then(SqlValue::as_i64).unwrap_or(0),
                crashed: row.get(1).and_then(SqlValue::as_bool).unwrap_or(false),
            })
            .unwrap_or_default();
        self.connection
            .execute(
                "INSERT INTO ingest_attempts VALUES (?, ?, 1, false) ON CONFLICT (sha256) \
                 DO UPDATE SET attempts = ingest_attempts.attempts + 1",
                params![sha256, file_name],
            )
            .context(context)?;
        Ok(before)
    }

    /// Notes that the file `sha256` was dealt with (loaded, archived or
    /// quarantined).
    ///
    /// # Errors
    /// A database failure.
    pub fn end_attempt(&self, sha256: &str) -> Result<(), StoreError> {
        self.connection
            .execute(
                "DELETE FROM ingest_attempts WHERE sha256 = ?",
                params![sha256],
            )
            .map(|_| ())
            .context("clearing an ingest attempt")
    }

    /// Notes that the process died by a fatal signal while reading `sha256`.
    ///
    /// # Errors
    /// A database failure.
    pub fn mark_crashed(&self, sha256: &str) -> Result<(), StoreError> {
        self.connection
            .execute(
                "UPDATE ingest_attempts SET crashed = true WHERE sha256 = ?",
                params![sha256],
            )
            .map(|_| ())
            .context("recording a crash")
    }

    /// Prepares a query without running it (`csat check`).
    ///
    /// # Errors
    /// The SQL does not prepare.
    pub fn prepare_only(&self, name: &str, sql: &str) -> Result<(), StoreError> {
        self.connection
            .prepare(sql)
            .map(|_| ())
            .context(format!("preparing {name}"))
    }

    /// Records a job run.
    ///
    /// # Errors
    /// A database failure.
    pub fn record_job_run(
        &self,
        job: &str,
        scheduled_for: Option<NaiveDateTime>,
        started_at: NaiveDateTime,
        finished_at: NaiveDateTime,
        outcome: &str,
        message: &str,
    ) -> Result<(), StoreError> {
        self.connection
            .execute(
                "INSERT INTO job_runs VALUES (?, ?, ?, ?, ?, ?)",
                params![
                    job,
                    scheduled_for.map(timestamp_value),
                    timestamp_value(started_at),
                    timestamp_value(finished_at),
                    outcome,
                    message,
                ],
            )
            .map(|_| ())
            .context("recording a job run")
    }
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
    const SAME_SURVEY: &str = "SELECT f.file_id FROM files AS f, files AS new \
         WHERE new.file_id = $1 AND f.file_id <> $1 AND ( \
           (f.source = $2 AND f.layout = new.layout) \
           OR (f.kind = 'survey' AND new.kind = 'survey' AND new.question_numbers <> '' \
               AND f.question_numbers = new.question_numbers \
               AND 2 * (SELECT count(*) FROM responses AS o JOIN responses AS n \
                          ON o.response_id = n.response_id AND o.submitted_at = n.submitted_at \
                        WHERE o.file_id = f.file_id AND n.file_id = $1) \
                   >= (SELECT count(*) FROM responses WHERE file_id = $1)))";
    let (response_scope, callback_scope) = if replaces_periods {
        (
            "r.month IN (SELECT DISTINCT month FROM responses WHERE file_id = $1)",
            "strftime(coalesce(called_at, CAST(planned_on AS TIMESTAMP)), '%Y-%m') \
             IN (SELECT DISTINCT month FROM responses WHERE file_id = $1)",
        )
    } else {
        (
            "EXISTS (SELECT 1 FROM responses AS n WHERE n.file_id = $1 \
             AND n.response_id = r.response_id AND n.submitted_at = r.submitted_at)",
            "callback_id IN (SELECT response_id FROM responses WHERE file_id = $1)",
        )
    };
    let mut statement = transaction
        .prepare(&format!(
            "SELECT f.file_name, r.month, count(*) \
             FROM responses AS r JOIN files AS f ON f.file_id = r.file_id \
             WHERE r.file_id IN ({SAME_SURVEY}) AND r.superseded_by IS NULL AND {response_scope} \
             GROUP BY f.file_name, r.month ORDER BY r.month, f.file_name"
        ))
        .context(context)?;
    let superseded = statement
        .query_map(params![file_id, source], |row| {
            Ok(Superseded {
                file_name: row.get(0)?,
                month: row.get(1)?,
                n_responses: row.get(2)?,
            })
        })
        .context(context)?
        .collect::<Result<Vec<_>, _>>()
        .context(context)?;
    if superseded.is_empty() {
        return Ok(superseded);
    }
    transaction
        .execute(
            &format!(
                "UPDATE callbacks SET superseded_by = $1 \
                 WHERE superseded_by IS NULL AND file_id IN ({SAME_SURVEY}) AND {callback_scope}"
            ),
            params![file_id, source],
        )
        .context(context)?;
    transaction
        .execute(
            &format!(
                "UPDATE responses AS r SET superseded_by = $1 \
                 WHERE r.superseded_by IS NULL AND r.file_id IN ({SAME_SURVEY}) AND {response_scope}"
            ),
            params![file_id, source],
        )
        .context(context)?;
    Ok(superseded)
}

/// A bound parameter as DuckDB's value.
fn param_value(param: &Param) -> Value {
    match param {
        Param::Text(t) => Value::Text(t.clone()),
        Param::Int(i) => Value::BigInt(*i),
        Param::Float(f) => Value::Double(*f),
        Param::Date(d) => date_value(*d),
    }
}

/// One value of an Arrow column of a streamed result: text, integers,
/// floats, booleans and dates (what the streamed queries select).
fn arrow_value(column: &arrow::array::ArrayRef, index: usize) -> Result<SqlValue, String> {
    use arrow::array::{
        Array, BooleanArray, Date32Array, Float64Array, Int32Array, Int64Array, LargeStringArray,
        StringArray, StringViewArray,
    };
    use arrow::datatypes::DataType;
    if column.is_null(index) {
        return Ok(SqlValue::Null);
    }
    fn downcast<T: 'static>(column: &arrow::array::ArrayRef) -> Result<&T, String> {
        column
            .as_any()
            .downcast_ref::<T>()
            .ok_or_else(|| format!("a column of type {} did not read", column.data_type()))
    }
    Ok(match column.data_type() {
        DataType::Utf8 => SqlValue::Text(downcast::<StringArray>(column)?.value(index).to_string()),
        DataType::LargeUtf8 => SqlValue::Text(
            downcast::<LargeStringArray>(column)?
                .value(index)
                .to_string(),
        ),
        DataType::Utf8View => SqlValue::Text(
            downcast::<StringViewArray>(column)?
                .value(index)
                .to_string(),
        ),
        DataType::Int64 => SqlValue::Int(downcast::<Int64Array>(column)?.value(index)),
        DataType::Int32 => SqlValue::Int(i64::from(downcast::<Int32Array>(column)?.value(index))),
        DataType::Float64 => SqlValue::Float(downcast::<Float64Array>(column)?.value(index)),
        DataType::Boolean => SqlValue::Bool(downcast::<BooleanArray>(column)?.value(index)),
        DataType::Date32 => {
            let days = downcast::<Date32Array>(column)?.value(index);
            match NaiveDate::from_ymd_opt(1970, 1, 1)
                .and_then(|epoch| epoch.checked_add_signed(chrono::Duration::days(i64::from(days))))
            {
                Some(date) => SqlValue::Text(date.format("%Y-%m-%d").to_string()),
                None => SqlValue::Null,
            }
        }
        other => return Err(format!("a column of type {other} is not read by csat")),
    })
}

/// Appends rows to `table` through DuckDB's appender (bulk, not INSERTs).
fn append_rows(
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

fn date_value(date: NaiveDate) -> Value {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    Value::Date32((date - epoch).num_days() as i32)
}

fn timestamp_value(at: NaiveDateTime) -> Value {
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

fn sql_value(value: ValueRef<'_>) -> SqlValue {
    match value {
        ValueRef::Null => SqlValue::Null,
        ValueRef::Boolean(b) => SqlValue::Bool(b),
        ValueRef::TinyInt(i) => SqlValue::Int(i.into()),
        ValueRef::SmallInt(i) => SqlValue::Int(i.into()),
        ValueRef::Int(i) => SqlValue::Int(i.into()),
        ValueRef::BigInt(i) => SqlValue::Int(i),
        ValueRef::HugeInt(i) => SqlValue::Int(i as i64),
        ValueRef::UTinyInt(i) => SqlValue::Int(i.into()),
        ValueRef::USmallInt(i) => SqlValue::Int(i.into()),
        ValueRef::UInt(i) => SqlValue::Int(i.into()),
        ValueRef::UBigInt(i) => SqlValue::Int(i as i64),
        ValueRef::Float(f) => SqlValue::Float(f.into()),
        ValueRef::Double(f) => SqlValue::Float(f),
        ValueRef::Decimal(d) => SqlValue::Float(d.to_string().parse().unwrap_or(f64::NAN)),
        ValueRef::Text(t) => SqlValue::Text(bounded_text(String::from_utf8_lossy(t).into_owned())),
        other => SqlValue::Text(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_add_superseded_by() {
        let store = Store::open_in_memory().unwrap();
        let rows = store
            .query(
                "columns",
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'responses' ORDER BY ordinal_position",
                &[],
            )
            .unwrap();
        let names: Vec<String> = rows.iter().map(|r| r[0].as_text().unwrap()).collect();
        assert!(names.contains(&"superseded_by".to_string()), "{names:?}");
    }

    #[test]
    fn every_migration_file_is_listed_in_order() {
        let dir = std::path::PathBuf::from(
            // At run time: a build cached from another checkout keeps its own compile-time path.
            std::env::var("CARGO_MANIFEST_DIR")
                .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into()),
        )
        .join("sql/migrations");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort_by_key(|name| name[1..name.find("__").unwrap()].parse::<i32>().unwrap());
        let listed: Vec<String> = MIGRATIONS
            .iter()
            .map(|(v, name, _)| format!("V{v}__{name}.sql"))
            .collect();
        assert_eq!(files, listed);
    }
}
