//! The catalog of analysis queries: one named constant per file in
//! `sql/analysis/`, run through the store.

use crate::store::{Param, Row, Store, StoreError};

/// An analysis query: its key (shared with its SQL file) and its text.
#[derive(Debug, Clone, Copy)]
pub struct Query {
    /// snake_case key, the SQL file's stem.
    pub key: &'static str,
    /// The SQL.
    pub sql: &'static str,
}

impl Query {
    /// Runs the query with bound parameters; its rows are read by column
    /// name and name the query when they fail.
    ///
    /// # Errors
    /// The SQL fails.
    pub fn run(&self, store: &Store, params: &[Param]) -> Result<Vec<Row>, StoreError> {
        store.query(self.key, self.sql, params)
    }

    /// Runs the query with bound parameters and calls `each` with every row
    /// as DuckDB streams the result (memory does not grow with the rows).
    ///
    /// # Errors
    /// The SQL fails, or `each` does.
    pub fn each(
        &self,
        store: &Store,
        params: &[Param],
        each: impl FnMut(&Row) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        store.query_each(self.key, self.sql, params, each)
    }
}

/// Declares each analysis query as a constant named after its file in
/// `sql/analysis/` (`COMPANY_SATISFACTION` is `company_satisfaction.sql`),
/// and the catalog [`QUERIES`] of them all.
macro_rules! queries {
    ($($name:ident = $key:literal,)*) => {
        $(
            #[doc = concat!("`sql/analysis/", $key, ".sql`.")]
            pub const $name: Query = Query {
                key: $key,
                sql: include_str!(concat!("../../sql/analysis/", $key, ".sql")),
            };
        )*
        /// Every analysis query (`csat check` prepares them all; a test
        /// checks that every file in `sql/analysis/` is here).
        pub const QUERIES: &[Query] = &[$($name),*];
    };
}

queries! {
    COMPANY_SATISFACTION = "company_satisfaction",
    DEPARTMENT_SCORES = "department_scores",
    PARETO = "pareto",
    PROBLEM_SOURCES = "problem_sources",
    DATA_QUALITY_FILES = "data_quality_files",
    DATA_QUALITY_REJECTED = "data_quality_rejected",
    GROUP_SCORES = "group_scores",
    NPS = "nps",
    RESPONSE_RATES = "response_rates",
    CALLBACK_SUMMARY = "callback_summary",
    GRADING = "grading",
    GRADING_CRITERIA = "grading_criteria",
    LIFECYCLE_ITEMS = "lifecycle_items",
    PROBLEM_GROUPS = "problem_groups",
    PROBLEM_ITEMS = "problem_items",
    PROBLEM_DETAILS = "problem_details",
    ACTION_PLAN_ITEMS = "action_plan_items",
    ALERT_CANDIDATES = "alert_candidates",
    SOURCES_IN_MONTH = "sources_in_month",
    RESPONDENT_DISTRIBUTION = "respondent_distribution",
    PAYMENT_TERMS = "payment_terms",
    GRADING_PREVIOUS_CRITERIA = "grading_previous_criteria",
    KEY_DRIVERS = "key_drivers",
    COMMENTS = "comments",
}

/// The SQL of the analysis query `key`.
///
/// # Panics
/// When `key` is not in [`QUERIES`] (a programming error: keys are
/// constants; prefer the named constants).
pub(crate) fn sql(key: &str) -> &'static str {
    QUERIES
        .iter()
        .find(|q| q.key == key)
        .map(|q| q.sql)
        .expect("every analysis key has a query")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Policy: every file in `sql/analysis/` is in the catalog, once, under
    /// its stem (so `csat check` prepares it).
    #[test]
    fn every_analysis_file_is_in_the_catalog() {
        let dir = std::path::PathBuf::from(
            // At run time: a build cached from another checkout keeps its own compile-time path.
            std::env::var("CARGO_MANIFEST_DIR")
                .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into()),
        )
        .join("sql/analysis");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".sql"))
            .map(|name| name.trim_end_matches(".sql").to_string())
            .collect();
        files.sort();
        let mut keys: Vec<String> = QUERIES.iter().map(|q| q.key.to_string()).collect();
        keys.sort();
        assert_eq!(files, keys);
    }

    /// Policy: every catalog query prepares against a freshly migrated store.
    #[test]
    fn every_catalog_query_prepares() {
        let store = Store::open_in_memory().unwrap();
        let failures: Vec<String> = QUERIES
            .iter()
            .filter_map(|q| store.prepare_only(q.key, q.sql).err())
            .map(|e| e.to_string())
            .collect();
        assert!(failures.is_empty(), "{failures:#?}");
    }
}
