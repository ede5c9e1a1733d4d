//! The only module that talks to DuckDB.
//!
//! It applies the numbered migrations in `sql/migrations/` ([`migrate`]),
//! loads one parsed file per transaction ([`load`]: a file is either fully
//! stored once or not at all), mirrors the configuration into tables the SQL
//! joins on ([`mirror`]), records csat's own work ([`records`]) and runs
//! queries for the analyses, returning rows read by column name ([`rows`]).

pub mod job_queries;
mod load;
#[cfg(test)]
pub(crate) use load::tests as test_files;
mod migrate;
mod mirror;
mod records;
mod rows;

use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use duckdb::types::Value;
use duckdb::Connection;

use load::date_value;
pub use load::{record_table, FileLoad, FileMeta, StoredFile, Superseded};
pub use records::{
    Alert, AlertAttempts, Attempt, CriterionRecord, Delivery, GradedCustomerRecord, GradingRecord,
};
use rows::{arrow_value, sql_value};
pub use rows::{Row, SqlValue};

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
    #[error("database: {query}: {message} (an internal error of csat, not of the data: please report it to the administrator)")]
    Shape {
        /// The query's key.
        query: String,
        /// Which column, and what was expected.
        message: String,
    },
    /// A query did not fit DuckDB's memory cap, even on one thread.
    #[error("database: {context}: the month's data did not fit in the database's memory limit ({limit}), even when run again on one thread; nothing was changed. Ask the administrator to raise CSAT_DB_MEMORY_MB (for example to twice the limit) and run it again")]
    OutOfMemory {
        /// What was being done.
        context: String,
        /// DuckDB's limit, as it reports it (`183.1 MiB`).
        limit: String,
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

/// DuckDB's memory limit in MB unless `CSAT_DB_MEMORY_MB` says otherwise:
/// with it a month of ten million answers is reported within 300 MB of
/// resident memory, aggregates spilling to disk (README "Speed and memory").
pub const DB_MEMORY_MB: u32 = 192;

/// Why a streamed query stopped: the database, or the caller's `each`.
enum QueryEachError<E> {
    Store(StoreError),
    Each(E),
}

impl<E> From<StoreError> for QueryEachError<E> {
    fn from(error: StoreError) -> QueryEachError<E> {
        QueryEachError::Store(error)
    }
}

impl StoreError {
    /// DuckDB ran out of memory under its limit (`DB_MEMORY_MB`).
    pub fn is_out_of_memory(&self) -> bool {
        match self {
            StoreError::Db { cause, .. } => cause.to_string().contains("Out of Memory"),
            StoreError::OutOfMemory { .. } => true,
            _ => false,
        }
    }
}

/// An open csat database.
pub struct Store {
    connection: Connection,
    /// DuckDB's memory limit in MB (`None`: DuckDB's default).
    memory_mb: Option<u32>,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and migrates it.
    ///
    /// # Errors
    /// The file cannot be opened (locked by another process, corrupt) or a
    /// migration fails.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let connection = Connection::open(path).context(format!("opening {}", path.display()))?;
        let store = Store::limited(connection)?;
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
        let store = Store::limited(connection)?;
        store.migrate()?;
        Ok(store)
    }

    /// A second connection to the same database, in the same catalog and
    /// under the same memory limit, with transactions of its own: for
    /// loading two files at once.
    ///
    /// # Errors
    /// A database failure.
    pub fn try_clone(&self) -> Result<Store, StoreError> {
        let context = "opening a second connection to the database";
        let catalog: String = self
            .connection
            .query_row("SELECT current_database()", [], |r| r.get(0))
            .context(context)?;
        let connection = self.connection.try_clone().context(context)?;
        connection
            .execute_batch(&format!("USE \"{}\"", catalog.replace('"', "\"\"")))
            .context(context)?;
        Ok(Store {
            connection,
            memory_mb: self.memory_mb,
        })
    }

    /// An in-memory database with the schema (used by `csat check` and tests).
    ///
    /// # Errors
    /// A migration fails.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let connection = Connection::open_in_memory().context("opening an in-memory database")?;
        let store = Store {
            connection,
            memory_mb: None,
        };
        store.migrate()?;
        Ok(store)
    }

    /// Runs a query with bound parameters and returns all rows. A query
    /// that runs out of memory under the limit runs again on one thread
    /// ([`Store::on_one_thread`]).
    ///
    /// # Errors
    /// The SQL does not prepare or fails; `name` says which query.
    pub fn query(&self, name: &str, sql: &str, params: &[Param]) -> Result<Vec<Row>, StoreError> {
        match self.query_once(name, sql, params) {
            Err(error) if error.is_out_of_memory() => {
                self.on_one_thread(name, || self.query_once(name, sql, params))
            }
            result => result,
        }
    }

    /// Runs `run` with DuckDB on one thread, then back on its default: two
    /// threads aggregating at once hold two hash tables, one holds one, so
    /// a query that ran out of memory under the limit (spilling the rest to
    /// disk) fits, more slowly. Memory stays within the limit either way.
    fn on_one_thread<T>(
        &self,
        name: &str,
        run: impl FnOnce() -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        tracing::warn!(
            query = name,
            "out of memory under the database's limit: running it again on one thread"
        );
        self.connection
            .execute_batch("SET threads = 1")
            .context("running on one thread")?;
        let result = run();
        let reset = self
            .connection
            .execute_batch("RESET threads")
            .context("running on all threads again");
        let value = result.map_err(|error| match error {
            StoreError::Db { context, cause } if cause.to_string().contains("Out of Memory") => {
                let limit = self
                    .connection
                    .query_row("SELECT current_setting('memory_limit')", [], |row| {
                        row.get::<_, String>(0)
                    })
                    .unwrap_or_else(|_| format!("{DB_MEMORY_MB} MB"));
                StoreError::OutOfMemory { context, limit }
            }
            other => other,
        })?;
        reset?;
        Ok(value)
    }

    fn query_once(&self, name: &str, sql: &str, params: &[Param]) -> Result<Vec<Row>, StoreError> {
        let context = format!("running {name}");
        let started = std::time::Instant::now();
        let mut statement = self.connection.prepare(sql).context(context.clone())?;
        let values: Vec<Value> = params.iter().map(param_value).collect();
        let mut rows = statement
            .query(duckdb::params_from_iter(values))
            .context(context.clone())?;
        let query: Arc<str> = Arc::from(name);
        let mut columns: Option<Arc<[String]>> = None;
        let mut out = Vec::new();
        while let Some(row) = rows.next().context(context.clone())? {
            let columns = columns
                .get_or_insert_with(|| Arc::from(row.as_ref().column_names()))
                .clone();
            let mut values = Vec::with_capacity(columns.len());
            for index in 0..columns.len() {
                let value = row.get_ref(index).context(context.clone())?;
                values.push(sql_value(value));
            }
            out.push(Row::new(query.clone(), columns, values));
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
        mut each: impl FnMut(&Row) -> Result<(), E>,
    ) -> Result<(), E> {
        // Out of memory before the first row: run again on one thread
        // (after a row, `each` has seen part of the result: the error stands).
        let delivered = std::cell::Cell::new(false);
        let mut counted = |row: &Row| {
            delivered.set(true);
            each(row)
        };
        match self.query_each_once(name, sql, params, &mut counted) {
            Err(QueryEachError::Store(error)) if error.is_out_of_memory() && !delivered.get() => {
                self.on_one_thread(name, || {
                    match self.query_each_once(name, sql, params, &mut counted) {
                        Err(QueryEachError::Store(error)) => Err(error),
                        Err(QueryEachError::Each(error)) => Ok(Err(error)),
                        Ok(()) => Ok(Ok(())),
                    }
                })
                .map_err(E::from)?
            }
            Err(QueryEachError::Store(error)) => Err(E::from(error)),
            Err(QueryEachError::Each(error)) => Err(error),
            Ok(()) => Ok(()),
        }
    }

    fn query_each_once<E>(
        &self,
        name: &str,
        sql: &str,
        params: &[Param],
        each: &mut impl FnMut(&Row) -> Result<(), E>,
    ) -> Result<(), QueryEachError<E>> {
        let context = format!("running {name}");
        let started = std::time::Instant::now();
        let mut statement = self.connection.prepare(sql).context(context.clone())?;
        let values: Vec<Value> = params.iter().map(param_value).collect();
        let batches = statement
            .stream_arrow(duckdb::params_from_iter(values))
            .context(context.clone())?;
        let query: Arc<str> = Arc::from(name);
        let mut columns: Option<Arc<[String]>> = None;
        for batch in batches {
            let batch = batch.context(context.clone())?;
            let columns = columns
                .get_or_insert_with(|| {
                    batch
                        .schema()
                        .fields()
                        .iter()
                        .map(|field| field.name().clone())
                        .collect()
                })
                .clone();
            for index in 0..batch.num_rows() {
                let mut values = Vec::with_capacity(columns.len());
                for column in batch.columns() {
                    values.push(arrow_value(column, index).map_err(|message| {
                        StoreError::Arrow {
                            context: context.clone(),
                            message,
                        }
                    })?);
                }
                each(&Row::new(query.clone(), columns.clone(), values))
                    .map_err(QueryEachError::Each)?;
            }
        }
        tracing::debug!(
            query = name,
            ms = started.elapsed().as_millis() as u64,
            "streamed query"
        );
        Ok(())
    }

    /// Computes once the group scores a report reads, into
    /// `report_group_scores` (which `group_scores.sql`,
    /// `department_scores.sql` and `company_satisfaction.sql` read),
    /// replacing what an earlier report left there: every group in the
    /// report month, the month before and the same month a year earlier
    /// (`months`), and the company in every month from `trend_from` to the
    /// report month (kept once computed, and used while the month's current
    /// responses and the configuration are the same: V23). The three months'
    /// answer cells stay in `report_group_cells` afterwards (with those of
    /// any trend month computed again): `callback_summary.sql` and
    /// `key_drivers.sql` read them.
    ///
    /// # Errors
    /// A database failure (out of memory under the cap: retried on one thread).
    pub fn snapshot_group_scores(
        &self,
        months: [&str; 3],
        trend_from: &str,
    ) -> Result<(), StoreError> {
        const CELLS: &str = "report_group_cells";
        const RESPONDENTS: &str = "report_group_respondents";
        const TABLE: &str = "report_group_scores";
        let context = "computing the month's group scores";
        self.empty_report_table(CELLS, context)?;
        self.empty_report_table(RESPONDENTS, context)?;
        self.empty_report_table(TABLE, context)?;
        // The answer cells and the respondents first, then the scores from
        // them: one statement each, so one hash table of the month's
        // responses at a time (V20), and the cells' join planned alone
        // (V27).
        let months_params = duckdb::params![months[0], months[1], months[2]];
        self.fill_report_table(
            CELLS,
            context,
            include_str!("../../sql/store/report_group_cells.sql"),
            months_params,
        )?;
        self.fill_report_table(
            RESPONDENTS,
            context,
            include_str!("../../sql/store/report_group_respondents.sql"),
            months_params,
        )?;
        self.fill_report_table(
            TABLE,
            context,
            include_str!("../../sql/store/report_group_scores.sql"),
            duckdb::params![],
        )?;
        let trend = duckdb::params![months[0], months[1], months[2], trend_from];
        // The company's score in the trend's other months is kept once
        // computed (V23); only the months whose inputs changed since, or
        // never computed, are computed (and kept) again. The statements
        // below are not one transaction: DuckDB ends a transaction at an
        // out-of-memory error, which `fill_report_table` retries on one
        // thread. Nothing loads between them (one process holds the
        // database file, and a report runs after its loads); a failure
        // between the forgetting and the keeping leaves the months to be
        // computed at the next report.
        let stale: String = self
            .connection
            .query_row(
                include_str!("../../sql/store/trend_stale_months.sql"),
                trend,
                |row| row.get(0),
            )
            .context(context)?;
        if !stale.is_empty() {
            // (In month order: the first and the last bound what is read.)
            let first = stale.split(',').next().unwrap_or(trend_from);
            let last = stale.rsplit(',').next().unwrap_or(months[0]);
            // Added to the three months' cells, which the report's
            // callback summary and key drivers read after this (no trend
            // month is one of the three).
            self.fill_report_table(
                CELLS,
                context,
                include_str!("../../sql/store/trend_cells.sql"),
                duckdb::params![stale],
            )?;
            self.fill_report_table(
                RESPONDENTS,
                context,
                include_str!("../../sql/store/trend_respondents.sql"),
                duckdb::params![stale],
            )?;
            self.connection
                .execute(
                    include_str!("../../sql/store/trend_forget.sql"),
                    duckdb::params![stale],
                )
                .context(context)?;
            self.fill_report_table(
                "company_month_scores",
                context,
                include_str!("../../sql/store/trend_keep.sql"),
                duckdb::params![stale, first, last],
            )?;
        }
        self.fill_report_table(
            TABLE,
            context,
            include_str!("../../sql/store/report_company_trend.sql"),
            trend,
        )
    }

    /// Computes once the problems of the report month and the month before
    /// (`months`) a report reads, into `report_problems` (which
    /// `pareto.sql`, `problem_sources.sql` and, through the macro
    /// `report_problem_items`, the problem list's queries read), replacing
    /// what an earlier report left there.
    ///
    /// # Errors
    /// A database failure (out of memory under the cap: retried on one thread).
    pub fn snapshot_problems(&self, months: [&str; 2]) -> Result<(), StoreError> {
        const TABLE: &str = "report_problems";
        let context = "listing the month's problems";
        self.empty_report_table(TABLE, context)?;
        self.fill_report_table(
            TABLE,
            context,
            include_str!("../../sql/store/report_problems.sql"),
            duckdb::params![months[0], months[1]],
        )
    }

    /// Empties the report table `table` (every report writes its tables
    /// before it reads them).
    fn empty_report_table(&self, table: &'static str, context: &str) -> Result<(), StoreError> {
        self.connection
            .execute(&format!("DELETE FROM {table}"), [])
            .map(|_| ())
            .context(context)
    }

    /// Adds to the report table `table` the rows of `insert`: one
    /// statement (all or nothing), run again on one thread when out of
    /// memory.
    fn fill_report_table(
        &self,
        table: &'static str,
        context: &str,
        insert: &str,
        params: &[&dyn duckdb::ToSql],
    ) -> Result<(), StoreError> {
        let started = std::time::Instant::now();
        let run = || {
            self.connection
                .execute(insert, params)
                .map(|_| ())
                .context(context)
        };
        match run() {
            Err(error) if error.is_out_of_memory() => self.on_one_thread(table, run),
            result => result,
        }?;
        tracing::debug!(
            table,
            ms = started.elapsed().as_millis() as u64,
            "report table filled"
        );
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn threads(store: &Store) -> i64 {
        store
            .query(
                "threads",
                "SELECT CAST(current_setting('threads') AS BIGINT) AS n",
                &[],
            )
            .unwrap()[0]
            .i64("n")
            .unwrap()
    }

    fn memory_limit(store: &Store) -> String {
        store
            .query(
                "memory limit",
                "SELECT current_setting('memory_limit') AS limit",
                &[],
            )
            .unwrap()[0]
            .text("limit")
            .unwrap()
    }

    /// While files load DuckDB runs on one thread, within two thirds of its
    /// limit for one file, a quarter for two at once, and a report within
    /// five sixths; afterwards it is back on its threads and its whole limit.
    #[test]
    fn loading_files_narrows_the_database_and_gives_it_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("csat.duckdb")).unwrap();
        let (threads_before, limit_before) = (threads(&store), memory_limit(&store));
        let configured = store.memory_mb.expect("a file store is limited");
        // DuckDB shows the limit in MiB, rounded: compare with a second
        // setting made the same way.
        let shown = |megabytes: u32| {
            store
                .connection
                .execute_batch(&format!("SET memory_limit = '{megabytes}MB'"))
                .unwrap();
            memory_limit(&store)
        };
        for (files, expected) in [(1, configured * 2 / 3), (2, configured / 4)] {
            store.loading_files(Some(files)).unwrap();
            assert_eq!(threads(&store), 1);
            let loading = memory_limit(&store);
            assert_ne!(loading, limit_before);
            assert_eq!(loading, shown(expected), "{files} files");
            store.loading_files(None).unwrap();
            assert_eq!(threads(&store), threads_before);
            assert_eq!(memory_limit(&store), limit_before);
        }
        // A report runs within five sixths of the limit (192 → 160 MB).
        store.reporting(true).unwrap();
        let reporting = memory_limit(&store);
        assert_ne!(reporting, limit_before);
        assert_eq!(reporting, shown(configured * 5 / 6));
        store.reporting(false).unwrap();
        assert_eq!(memory_limit(&store), limit_before);
    }

    /// A query that runs out of memory under the cap is tried again on one
    /// thread; when that fails too the caller gets DuckDB's out-of-memory
    /// error (whole or streamed), never a panic, and the connection is back
    /// on its own number of threads for the next query, which runs.
    #[test]
    fn out_of_memory_is_retried_on_one_thread_and_the_threads_come_back() {
        let store = Store::open_in_memory().unwrap();
        let before = threads(&store);
        store
            .connection
            .execute_batch("SET memory_limit = '32MB'")
            .unwrap();
        // One list of twenty million integers cannot spill: over 32 MB on
        // any number of threads.
        let sql = "SELECT max(len(l)) AS n FROM (SELECT list(i) AS l FROM range(20000000) t(i))";
        let error = store.query("huge list", sql, &[]).unwrap_err();
        assert!(error.is_out_of_memory(), "{error}");
        // Said so that an operator knows what to do, with the limit in force.
        let message = error.to_string();
        assert!(message.contains("running huge list"), "{message}");
        assert!(message.contains("CSAT_DB_MEMORY_MB"), "{message}");
        assert!(
            message.contains("MiB") || message.contains("MB"),
            "{message}"
        );
        assert_eq!(threads(&store), before);
        let mut rows = 0;
        let streamed = store.query_each("huge list", sql, &[], |_| {
            rows += 1;
            Ok::<(), StoreError>(())
        });
        assert!(streamed.unwrap_err().is_out_of_memory());
        assert_eq!(rows, 0);
        assert_eq!(threads(&store), before);
        let n = store
            .query("small", "SELECT count(*) AS n FROM range(1000)", &[])
            .unwrap()[0]
            .i64("n")
            .unwrap();
        assert_eq!(n, 1000);
    }

    /// A response of `file` (row `row`, in `month`) answering question
    /// `key` with `value`, stored as ingest would.
    fn add_answer(store: &Store, key: &str, (file, month, row, value): (i32, &str, i32, f64)) {
        store
            .connection
            .execute_batch(&format!(
                "INSERT INTO responses (file_id, row_number, response_id, source, channel, submitted_at, month) \
                 VALUES ({file}, {row}, 'R{file}-{row}', 'survey', 'questionnaire', TIMESTAMP '{month}-15 10:00:00', '{month}');
                 INSERT INTO answers (file_id, question_key, question_text, raw_text, value, response_row) \
                 VALUES ({file}, '{key}', 'Q', '{value}', {value}, {row});"
            ))
            .unwrap();
    }

    /// A store with the compiled-in configuration mirrored, and the key of
    /// its first question on a five-point scale.
    fn store_with_a_five_point_question() -> (Store, String) {
        let mut store = Store::open_in_memory().unwrap();
        let config = crate::config::Config::load(None).unwrap();
        store.sync_config(&config, &[]).unwrap();
        let key = store
            .query(
                "question",
                "SELECT question_key FROM question_map WHERE scale_max = 5 ORDER BY question_key LIMIT 1",
                &[],
            )
            .unwrap()[0]
            .text("question_key")
            .unwrap();
        (store, key)
    }

    /// The report month's respondents by the 10-point bin of their own M
    /// (V28, read by respondent_distribution.sql), worked by hand: in
    /// 2026-10 one respondent answers 4 and 2 on two five-point questions
    /// (M = 6 / 10 = 60, bin 6), one 5 (100, bin 9), one 4 (80, bin 8) and
    /// one 4 and 5 (90, bin 9); a 2026-09 respondent (1) is not counted.
    #[test]
    fn the_score_bins_count_each_respondent_by_their_own_score() {
        let (store, key) = store_with_a_five_point_question();
        let second = store
            .query(
                "question",
                "SELECT question_key FROM question_map WHERE scale_max = 5 ORDER BY question_key LIMIT 1 OFFSET 1",
                &[],
            )
            .unwrap()[0]
            .text("question_key")
            .unwrap();
        let also = |file: i32, row: i32, value: f64| {
            store
                .connection
                .execute_batch(&format!(
                    "INSERT INTO answers (file_id, question_key, question_text, raw_text, value, response_row) \
                     VALUES ({file}, '{second}', 'Q2', '{value}', {value}, {row});"
                ))
                .unwrap();
        };
        add_answer(&store, &key, (4, "2026-10", 1, 4.0));
        also(4, 1, 2.0);
        add_answer(&store, &key, (4, "2026-10", 2, 5.0));
        add_answer(&store, &key, (5, "2026-10", 1, 4.0));
        add_answer(&store, &key, (5, "2026-10", 2, 4.0));
        also(5, 2, 5.0);
        add_answer(&store, &key, (3, "2026-09", 1, 1.0));
        store
            .snapshot_group_scores(["2026-10", "2026-09", "2025-10"], "2025-10")
            .unwrap();
        let bins: Vec<(i64, i64)> = store
            .query(
                "respondent_distribution",
                include_str!("../../sql/analysis/respondent_distribution.sql"),
                &[Param::Text("2026-10".into())],
            )
            .unwrap()
            .iter()
            .map(|r| (r.i64("bin").unwrap(), r.i64("n").unwrap()))
            .collect();
        assert_eq!(bins, vec![(6, 1), (8, 1), (9, 2)]);
    }

    /// The report's group scores are those of their months alone and the
    /// same as over every month: with four months stored (one of them in
    /// none of the three, holding a far lower answer), the company's scores
    /// are each month's item mean over its maximum, worked by hand, and
    /// every row equals the view `group_scores`' row of its month; the
    /// month outside the three gets its trend row.
    #[test]
    fn the_report_group_scores_are_those_of_their_months_alone() {
        let (store, key) = store_with_a_five_point_question();
        // (file, month, row, value): 2026-10 answers 4 and 5, 2026-09 3,
        // 2025-10 5, and 2026-06 (no month of the three) 1.
        let answers = [
            (1, "2025-10", 1, 5.0),
            (2, "2026-06", 1, 1.0),
            (3, "2026-09", 1, 3.0),
            (4, "2026-10", 1, 4.0),
            (4, "2026-10", 2, 5.0),
        ];
        for answer in answers {
            add_answer(&store, &key, answer);
        }
        store
            .snapshot_group_scores(["2026-10", "2026-09", "2025-10"], "2025-10")
            .unwrap();
        let company = store
            .query(
                "company",
                "SELECT month, score, n_responses FROM report_group_scores WHERE dimension = 'company' ORDER BY month",
                &[],
            )
            .unwrap();
        let got: Vec<(String, f64, i64)> = company
            .iter()
            .map(|r| {
                (
                    r.text("month").unwrap(),
                    r.f64("score").unwrap(),
                    r.i64("n_responses").unwrap(),
                )
            })
            .collect();
        let expected = [
            ("2025-10", 5.0 / 5.0 * 100.0, 1),
            ("2026-06", 1.0 / 5.0 * 100.0, 1),
            ("2026-09", 3.0 / 5.0 * 100.0, 1),
            ("2026-10", (4.0 + 5.0) / 2.0 / 5.0 * 100.0, 2),
        ];
        assert_eq!(got.len(), expected.len(), "{got:?}");
        for ((month, score, n), (want_month, want_score, want_n)) in got.iter().zip(expected) {
            assert_eq!(month, want_month);
            assert!(
                (score - want_score).abs() < 1e-9,
                "{month}: {score} != {want_score}"
            );
            assert_eq!(*n, want_n, "{month}");
        }
        let differing = store
            .query(
                "differing",
                "SELECT count(*) AS n FROM (
                     (SELECT dimension, group_key, month, score, n_answers, n_responses FROM report_group_scores
                      WHERE month IN ('2026-10', '2026-09', '2025-10')
                      EXCEPT
                      SELECT dimension, group_key, month, score, n_answers, n_responses FROM group_scores)
                     UNION ALL
                     (SELECT dimension, group_key, month, score, n_answers, n_responses FROM group_scores
                      WHERE month IN ('2026-10', '2026-09', '2025-10')
                      EXCEPT
                      SELECT dimension, group_key, month, score, n_answers, n_responses FROM report_group_scores))",
                &[],
            )
            .unwrap()[0]
            .i64("n")
            .unwrap();
        assert_eq!(differing, 0);
    }

    /// A trend month's company score is kept (V23) and used while its
    /// month's responses and the configuration are the same: a kept score
    /// altered by hand is what the next report reads; a file adding a
    /// response to that month, or a changed configuration, has it computed
    /// again (the hand-worked figure, not the altered one).
    #[test]
    fn a_kept_trend_month_is_used_until_its_inputs_change() {
        let (store, key) = store_with_a_five_point_question();
        add_answer(&store, &key, (1, "2026-06", 1, 1.0));
        add_answer(&store, &key, (2, "2026-10", 1, 4.0));
        // A month with a response but no scored answer (no question maps).
        add_answer(&store, "unmapped", (9, "2026-05", 1, 3.0));
        let trend_june = |store: &Store| -> (f64, i64) {
            store
                .snapshot_group_scores(["2026-10", "2026-09", "2025-10"], "2025-10")
                .unwrap();
            let rows = store
                .query(
                    "june",
                    "SELECT score, n_responses FROM report_group_scores WHERE dimension = 'company' AND month = '2026-06'",
                    &[],
                )
                .unwrap();
            assert_eq!(rows.len(), 1);
            (
                rows[0].f64("score").unwrap(),
                rows[0].i64("n_responses").unwrap(),
            )
        };
        assert_eq!(trend_june(&store), (1.0 / 5.0 * 100.0, 1));
        let kept = "SELECT count(*) AS n FROM company_month_scores WHERE month = '2026-06'";
        assert_eq!(
            store.query("kept", kept, &[]).unwrap()[0].i64("n").unwrap(),
            1
        );
        // Kept without a score (not computed again), and not in the trend.
        let count = |sql: &str| store.query("count", sql, &[]).unwrap()[0].i64("n").unwrap();
        assert_eq!(
            count("SELECT count(*) AS n FROM company_month_scores WHERE month = '2026-05' AND n_answers IS NULL"),
            1
        );
        assert_eq!(
            count("SELECT count(*) AS n FROM report_group_scores WHERE month = '2026-05'"),
            0
        );

        let alter = "UPDATE company_month_scores SET score = 12.5 WHERE month = '2026-06'";
        store.connection.execute_batch(alter).unwrap();
        assert_eq!(trend_june(&store), (12.5, 1), "the kept score is not read");

        add_answer(&store, &key, (3, "2026-06", 1, 5.0));
        assert_eq!(trend_june(&store), ((1.0 + 5.0) / 2.0 / 5.0 * 100.0, 2));

        store.connection.execute_batch(alter).unwrap();
        store
            .connection
            .execute_batch("UPDATE config_mirror SET fingerprint = 'another configuration'")
            .unwrap();
        assert_eq!(trend_june(&store), ((1.0 + 5.0) / 2.0 / 5.0 * 100.0, 2));
    }
}
