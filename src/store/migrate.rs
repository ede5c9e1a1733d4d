//! Schema migrations: the numbered files in `sql/migrations/`, applied in
//! order, each in its own transaction, and recorded in `schema_migrations`.
//! A new store is made in one step from `sql/schema.sql`, the catalog the
//! migrations make, generated from them (a test keeps the two the same).

use super::{Context, Store, StoreError};

/// Schema migrations, applied in order; the number is the version.
const MIGRATIONS: &[(i32, &str, &str)] = &[
    (1, "init", include_str!("../../sql/migrations/V1__init.sql")),
    (
        2,
        "item_scores",
        include_str!("../../sql/migrations/V2__item_scores.sql"),
    ),
    (
        3,
        "reexports",
        include_str!("../../sql/migrations/V3__reexports.sql"),
    ),
    (
        4,
        "durations_and_questionnaires",
        include_str!("../../sql/migrations/V4__durations_and_questionnaires.sql"),
    ),
    (
        5,
        "file_months",
        include_str!("../../sql/migrations/V5__file_months.sql"),
    ),
    (
        6,
        "group_scores",
        include_str!("../../sql/migrations/V6__group_scores.sql"),
    ),
    (
        7,
        "problems",
        include_str!("../../sql/migrations/V7__problems.sql"),
    ),
    (
        8,
        "grading",
        include_str!("../../sql/migrations/V8__grading.sql"),
    ),
    (
        9,
        "closed_loop",
        include_str!("../../sql/migrations/V9__closed_loop.sql"),
    ),
    (
        10,
        "deliveries",
        include_str!("../../sql/migrations/V10__deliveries.sql"),
    ),
    (
        11,
        "ingest_attempts",
        include_str!("../../sql/migrations/V11__ingest_attempts.sql"),
    ),
    (
        12,
        "alert_retries",
        include_str!("../../sql/migrations/V12__alert_retries.sql"),
    ),
    (
        13,
        "scale",
        include_str!("../../sql/migrations/V13__scale.sql"),
    ),
    (
        14,
        "one_place_rules",
        include_str!("../../sql/migrations/V14__one_place_rules.sql"),
    ),
    (
        15,
        "no_problem_key",
        include_str!("../../sql/migrations/V15__no_problem_key.sql"),
    ),
    (
        16,
        "group_scores_once",
        include_str!("../../sql/migrations/V16__group_scores_once.sql"),
    ),
    (
        17,
        "report_group_scores",
        include_str!("../../sql/migrations/V17__report_group_scores.sql"),
    ),
    (
        18,
        "report_problems",
        include_str!("../../sql/migrations/V18__report_problems.sql"),
    ),
    (
        19,
        "respondents_by_mask",
        include_str!("../../sql/migrations/V19__respondents_by_mask.sql"),
    ),
    (
        20,
        "scores_over_respondents",
        include_str!("../../sql/migrations/V20__scores_over_respondents.sql"),
    ),
    (
        21,
        "respondents_in",
        include_str!("../../sql/migrations/V21__respondents_in.sql"),
    ),
    (
        22,
        "config_mirror",
        include_str!("../../sql/migrations/V22__config_mirror.sql"),
    ),
    (
        23,
        "company_months_kept",
        include_str!("../../sql/migrations/V23__company_months_kept.sql"),
    ),
    (
        24,
        "answers_by_row",
        include_str!("../../sql/migrations/V24__answers_by_row.sql"),
    ),
    (
        25,
        "constant_lists",
        include_str!("../../sql/migrations/V25__constant_lists.sql"),
    ),
    (
        26,
        "same_survey_candidates_first",
        include_str!("../../sql/migrations/V26__same_survey_candidates_first.sql"),
    ),
    (
        27,
        "group_cells",
        include_str!("../../sql/migrations/V27__group_cells.sql"),
    ),
    (
        28,
        "respondents_with_bins",
        include_str!("../../sql/migrations/V28__respondents_with_bins.sql"),
    ),
    (
        29,
        "group_scores_once_again",
        include_str!("../../sql/migrations/V29__group_scores_once_again.sql"),
    ),
];

/// The catalog (sequences, tables, macros, views) the migrations make, as
/// DuckDB writes it back: a new store is made from it in one transaction
/// (the 27 migrations one after the other took 0.30–0.38 s, most of a first
/// command's time, binding views that later migrations replace).
/// Generated: `CSAT_WRITE_SCHEMA=1 cargo test --lib the_schema_is_what_the_migrations_make`.
const SCHEMA: &str = include_str!("../../sql/schema.sql");

/// The table recording the migrations applied.
const SCHEMA_MIGRATIONS: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL)";

/// The schema version this csat migrates a store to (its last migration).
pub(super) fn schema_version() -> i32 {
    MIGRATIONS.last().map_or(0, |(version, _, _)| *version)
}

impl Store {
    /// A store on `connection` with DuckDB's memory bounded: its buffer
    /// pool and the intermediates of a query stay under the limit, larger
    /// sorts, joins and aggregates spilling to a temporary folder beside the
    /// database (`csat.duckdb.tmp`, owner-only like everything csat
    /// creates). The limit is `CSAT_DB_MEMORY_MB` when set (at least 32 MB),
    /// else [`DB_MEMORY_MB`](super::DB_MEMORY_MB). (In-memory stores, for
    /// `csat check` and tests, keep DuckDB's default: 80 % of the machine's
    /// memory.)
    pub(super) fn limited(connection: duckdb::Connection) -> Result<Store, StoreError> {
        let configured = std::env::var("CSAT_DB_MEMORY_MB")
            .ok()
            .and_then(|v| v.parse::<u32>().ok())
            .filter(|mb| *mb >= 32);
        let store = Store {
            connection,
            memory_mb: Some(configured.unwrap_or(super::DB_MEMORY_MB)),
        };
        store.set_memory_limit(store.memory_mb)?;
        Ok(store)
    }

    /// Sets DuckDB's memory limit to `megabytes` (`None`: left as it is).
    pub(super) fn set_memory_limit(&self, megabytes: Option<u32>) -> Result<(), StoreError> {
        let Some(megabytes) = megabytes else {
            return Ok(());
        };
        self.connection
            .execute_batch(&format!("SET memory_limit = '{megabytes}MB'"))
            .context("limiting the database's memory")
    }

    pub(super) fn migrate(&self) -> Result<(), StoreError> {
        self.connection
            .execute_batch(SCHEMA_MIGRATIONS)
            .context("creating schema_migrations")?;
        let applied: i64 = self
            .connection
            .query_row(
                "SELECT coalesce(max(version), 0) FROM schema_migrations",
                [],
                |r| r.get(0),
            )
            .context("reading schema version")?;
        if applied == 0 {
            self.create_schema()
        } else {
            self.apply_migrations(applied)
        }
    }

    /// Makes a new store's catalog from [`SCHEMA`] and records every
    /// migration as applied, in one transaction.
    fn create_schema(&self) -> Result<(), StoreError> {
        let versions: Vec<String> = MIGRATIONS
            .iter()
            .map(|(version, name, _)| format!("({version}, '{name}')"))
            .collect();
        let batch = format!(
            "BEGIN TRANSACTION;\n{SCHEMA}\nINSERT INTO schema_migrations VALUES {};\nCOMMIT;",
            versions.join(", ")
        );
        self.connection
            .execute_batch(&batch)
            .context("creating the database's tables (sql/schema.sql)")
    }

    /// Applies the migrations after version `applied`, each in its own
    /// transaction.
    fn apply_migrations(&self, applied: i64) -> Result<(), StoreError> {
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
        let names: Vec<String> = rows
            .iter()
            .map(|r| r.text("column_name").unwrap())
            .collect();
        assert!(names.contains(&"superseded_by".to_string()), "{names:?}");
    }

    /// `store`'s catalog (but `schema_migrations`) as DuckDB writes it
    /// back: its sequences, tables, macros and views, each a statement that
    /// makes it, in that order and by name within each.
    fn catalog(store: &Store) -> Vec<String> {
        let texts = |sql: &str| -> Vec<String> {
            let mut statement = store.connection.prepare(sql).unwrap();
            let rows = statement.query_map([], |row| row.get::<_, String>(0));
            rows.unwrap().map(Result::unwrap).collect()
        };
        let here = "database_name = current_database() AND schema_name = 'main'";
        let mut catalog = texts(&format!(
            "SELECT sql FROM duckdb_sequences() WHERE {here} ORDER BY sequence_name"
        ));
        catalog.extend(texts(&format!(
            "SELECT sql FROM duckdb_tables() WHERE {here} AND table_name <> 'schema_migrations' ORDER BY table_name"
        )));
        catalog.extend(texts(&format!(
            "SELECT sql FROM duckdb_indexes() WHERE {here} AND sql IS NOT NULL ORDER BY index_name"
        )));
        catalog.extend(texts(&format!(
            "SELECT 'CREATE MACRO ' || function_name || '(' || array_to_string(parameters, ', ') || ') AS '
                    || CASE function_type WHEN 'table_macro' THEN 'TABLE ' ELSE '' END
                    || macro_definition || ';'
             FROM duckdb_functions()
             WHERE {here} AND function_type IN ('macro', 'table_macro') AND NOT internal
             ORDER BY function_name"
        )));
        catalog.extend(texts(&format!(
            "SELECT sql FROM duckdb_views() WHERE {here} AND NOT internal ORDER BY view_name"
        )));
        catalog
    }

    /// A store made by the migrations one after the other.
    fn migrated_stepwise() -> Store {
        let store = Store {
            connection: duckdb::Connection::open_in_memory().unwrap(),
            memory_mb: None,
        };
        store.connection.execute_batch(SCHEMA_MIGRATIONS).unwrap();
        store.apply_migrations(0).unwrap();
        store
    }

    /// `catalog` in an order DuckDB accepts: a view is bound when made, so
    /// the views that others read come first (found by trying).
    fn schema_sql(catalog: Vec<String>) -> String {
        let scratch = duckdb::Connection::open_in_memory().unwrap();
        let mut ordered = Vec::new();
        let mut pending = catalog;
        while !pending.is_empty() {
            let before = pending.len();
            pending.retain(|statement| match scratch.execute_batch(statement) {
                Ok(()) => {
                    ordered.push(statement.clone());
                    false
                }
                Err(_) => true,
            });
            assert!(
                pending.len() < before,
                "cannot be made in any order: {pending:?}"
            );
        }
        format!(
            "-- The catalog the migrations (sql/migrations) make, as DuckDB writes it\n\
             -- back: a new store is made from this in one step (src/store/migrate.rs).\n\
             -- Generated; do not edit: add a migration, then run\n\
             -- CSAT_WRITE_SCHEMA=1 cargo test --lib the_schema_is_what_the_migrations_make\n\n{}\n",
            ordered.join("\n\n")
        )
    }

    #[test]
    fn the_schema_is_what_the_migrations_make() {
        let stepwise = catalog(&migrated_stepwise());
        if std::env::var_os("CSAT_WRITE_SCHEMA").is_some() {
            let path = std::path::PathBuf::from(
                std::env::var("CARGO_MANIFEST_DIR")
                    .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into()),
            )
            .join("sql/schema.sql");
            std::fs::write(path, schema_sql(stepwise.clone())).unwrap();
        }
        let fresh = Store::open_in_memory().unwrap();
        assert_eq!(
            catalog(&fresh),
            stepwise,
            "sql/schema.sql is not what the migrations make: run \
             CSAT_WRITE_SCHEMA=1 cargo test --lib the_schema_is_what_the_migrations_make"
        );
        let versions: i64 = fresh
            .connection
            .query_row("SELECT count(*) FROM schema_migrations", [], |r| r.get(0))
            .unwrap();
        assert_eq!(versions, MIGRATIONS.len() as i64);
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
