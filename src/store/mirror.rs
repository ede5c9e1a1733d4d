//! The configuration mirrored into tables the SQL joins on (question map,
//! departments and targets, keyword rules, Pareto weights, grading rules),
//! and the problem deadlines computed by csat's calendar.

use chrono::NaiveDate;
use duckdb::params;
use duckdb::types::Value;

use super::load::{append_rows, date_value};
use super::{Context, Store, StoreError};
use crate::config::Config;

/// The configuration mirrors' tables, emptied and refilled together.
const MIRROR_TABLES: &[&str] = &[
    "question_map",
    "departments",
    "keyword_rules",
    "problem_weights",
    "excluded_statuses",
    "no_problem_texts",
    "closed_statuses",
    "grading_criteria",
    "grading_bands",
    "grading_categories",
    "grading_thresholds",
];

/// The rows of the configuration mirrors (all but the departments'
/// targets, which depend on the months): each an INSERT and its values.
fn mirror_rows(config: &Config) -> Vec<(&'static str, Vec<Value>)> {
    let mut rows: Vec<(&'static str, Vec<Value>)> = Vec::new();
    let text = |t: &str| Value::Text(t.to_string());
    let opt_text = |t: &Option<String>| t.as_ref().map_or(Value::Null, |t| Value::Text(t.clone()));
    for question in &config.questions {
        let indicator_name = config
            .indicator(&question.indicator)
            .map(|i| i.name.clone())
            .unwrap_or_default();
        rows.push((
            "INSERT INTO question_map VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                text(&question.key),
                text(&question.indicator),
                Value::Text(indicator_name),
                text(&question.department),
                text(question.scale.as_str()),
                Value::Double(question.scale.max()),
                Value::Double(question.scale.low_max()),
                text(&config.question_category(question)),
            ],
        ));
    }
    for (position, department) in config.departments.iter().enumerate() {
        rows.push((
            "INSERT INTO departments VALUES (?, ?, ?)",
            vec![
                text(&department.key),
                text(&department.name),
                Value::BigInt(position as i64),
            ],
        ));
    }
    for (position, rule) in config.keyword_rules.iter().enumerate() {
        rows.push((
            "INSERT INTO keyword_rules VALUES (?, ?, ?, ?)",
            vec![
                Value::BigInt(position as i64),
                text(&rule.keyword),
                text(&rule.category),
                opt_text(&rule.department),
            ],
        ));
    }
    let pareto = &config.pareto;
    for (severity, weight) in [
        (0, pareto.other_weight),
        (1, pareto.severity_weights[0]),
        (2, pareto.severity_weights[1]),
        (3, pareto.severity_weights[2]),
    ] {
        rows.push((
            "INSERT INTO problem_weights VALUES (?, ?)",
            vec![Value::Int(severity), Value::Double(weight)],
        ));
    }
    for status in &pareto.excluded_statuses {
        rows.push((
            "INSERT INTO excluded_statuses VALUES (?)",
            vec![text(status)],
        ));
    }
    let no_problem: std::collections::BTreeSet<&String> = pareto
        .no_problem_texts
        .iter()
        .filter(|t| !t.trim().is_empty())
        .collect();
    for text_ in no_problem {
        rows.push(("INSERT INTO no_problem_texts VALUES (?)", vec![text(text_)]));
    }
    for status in crate::config::CLOSED_STATUSES {
        rows.push(("INSERT INTO closed_statuses VALUES (?)", vec![text(status)]));
    }
    let grading = &config.grading;
    for (position, criterion) in grading.criteria.iter().enumerate() {
        rows.push((
            "INSERT INTO grading_criteria VALUES (?, ?, ?, ?, ?)",
            vec![
                Value::BigInt(position as i64),
                text(&criterion.key),
                text(&criterion.name),
                text(&criterion.measure),
                Value::Double(criterion.weight),
            ],
        ));
        for [min_value, points] in &criterion.bands {
            rows.push((
                "INSERT INTO grading_bands VALUES (?, ?, ?)",
                vec![
                    text(&criterion.key),
                    Value::Double(*min_value),
                    Value::Double(*points),
                ],
            ));
        }
        for (category, points) in &criterion.categories {
            rows.push((
                "INSERT INTO grading_categories VALUES (?, ?, ?)",
                vec![text(&criterion.key), text(category), Value::Double(*points)],
            ));
        }
    }
    for (position, threshold) in grading.thresholds.iter().enumerate() {
        rows.push((
            "INSERT INTO grading_thresholds VALUES (?, ?, ?, ?)",
            vec![
                Value::BigInt(position as i64),
                text(&threshold.grade),
                Value::Double(threshold.min_monthly_orders),
                Value::Double(threshold.min_on_margin_share),
            ],
        ));
    }
    rows
}

/// The fingerprint of the mirrors `rows` and of what the departments'
/// targets are computed from: SHA-256 of their text.
fn mirror_fingerprint(config: &Config, rows: &[(&'static str, Vec<Value>)]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for (insert, values) in rows {
        hasher.update(format!("{insert} {values:?}\n"));
    }
    // A migration that empties or recreates a mirror table changes the
    // schema version, and so the fingerprint: the mirrors are rewritten.
    hasher.update(format!("schema {}\n", super::migrate::schema_version()));
    hasher.update(format!(
        "targets {:?} {:?}\n",
        config.company.target,
        config
            .departments
            .iter()
            .map(|d| (&d.key, d.target, &d.target_by_month))
            .collect::<Vec<_>>()
    ));
    format!("{:x}", hasher.finalize())
}

impl Store {
    /// Mirrors the configuration into its tables (question map,
    /// departments, keyword rules, Pareto weights and statuses, no-problem
    /// texts, grading rules) and the departments' targets for `months`.
    /// The mirrors are rewritten, and the database checkpointed, only when
    /// they changed (their fingerprint, V22, says so): rewriting them was
    /// 4.5 % of a 2M-answer survey's ingest samples (about 0.14 s), and a 2M
    /// report is 0.3 s faster without it (medians of five pairs). The targets of
    /// `months` are always written; those of other months written earlier
    /// stay, as they hold for the same configuration.
    ///
    /// # Errors
    /// A database failure.
    pub fn sync_config(&mut self, config: &Config, months: &[String]) -> Result<(), StoreError> {
        let context = "mirroring the configuration";
        let rows = mirror_rows(config);
        let fingerprint = mirror_fingerprint(config, &rows);
        let stored: Option<String> = self
            .connection
            .query_row("SELECT max(fingerprint) FROM config_mirror", [], |row| {
                row.get(0)
            })
            .context(context)?;
        let unchanged = stored.as_deref() == Some(fingerprint.as_str());
        let transaction = self.connection.transaction().context(context)?;
        if unchanged {
            for month in months {
                transaction
                    .execute("DELETE FROM department_targets WHERE month = ?", [month])
                    .context(context)?;
            }
        } else {
            let mut delete =
                String::from("DELETE FROM department_targets; DELETE FROM config_mirror;");
            for table in MIRROR_TABLES {
                delete.push_str(&format!(" DELETE FROM {table};"));
            }
            transaction.execute_batch(&delete).context(context)?;
            for (insert, values) in &rows {
                transaction
                    .prepare_cached(insert)
                    .and_then(|mut statement| {
                        statement.execute(duckdb::params_from_iter(values.iter()))
                    })
                    .context(context)?;
            }
            transaction
                .execute("INSERT INTO config_mirror VALUES (?)", [&fingerprint])
                .context(context)?;
        }
        for department in &config.departments {
            for month in months {
                transaction
                    .prepare_cached("INSERT INTO department_targets VALUES (?, ?, ?)")
                    .and_then(|mut statement| {
                        statement.execute(params![
                            department.key,
                            month,
                            config.target_for(department, month)
                        ])
                    })
                    .context(context)?;
            }
        }
        transaction.commit().context(context)?;
        if unchanged {
            return Ok(());
        }
        // The replaced rows stay in the tables' statistics until a
        // checkpoint: question_map then looks larger and more varied than it
        // is, and DuckDB 2.0 misjudges joins on it (it grouped two million
        // answers one by one before joining: respondent_distribution 0.8 s
        // instead of 0.15 s at two million answers).
        self.checkpoint()
    }

    /// Writes what is committed into the database file (DuckDB's
    /// `CHECKPOINT`): the tables' storage and statistics as they now are.
    ///
    /// # Errors
    /// A database failure.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.connection
            .execute_batch("CHECKPOINT")
            .context("checkpointing the database")
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::KeywordRule;

    fn count(store: &Store, sql: &str) -> i64 {
        store.query("count", sql, &[]).unwrap()[0].i64("n").unwrap()
    }

    fn target(store: &Store, department: &str, month: &str) -> Option<f64> {
        store
            .query(
                "target",
                "SELECT target FROM department_targets WHERE department = ? AND month = ?",
                &[
                    crate::store::Param::Text(department.to_string()),
                    crate::store::Param::Text(month.to_string()),
                ],
            )
            .unwrap()
            .first()
            .map(|row| row.f64("target").unwrap())
    }

    /// The mirrors are written once for a configuration: syncing it again
    /// leaves them as they are (a row added by hand stays), while each
    /// sync writes its months' targets and those of earlier months stay. A
    /// changed target or keyword rule rewrites them all (the hand-added row
    /// goes, the earlier months' targets go, the new values are there).
    #[test]
    fn the_mirrors_are_rewritten_only_when_the_configuration_changes() {
        let mut store = Store::open_in_memory().unwrap();
        let mut config = Config::load(None).unwrap();
        let n_rules = config.keyword_rules.len() as i64;
        let n_departments = config.departments.len() as i64;
        let first = config.departments[0].key.clone();
        let rules = "SELECT count(*) AS n FROM keyword_rules";
        let targets_of = |month: &str| {
            format!("SELECT count(*) AS n FROM department_targets WHERE month = '{month}'")
        };

        store.sync_config(&config, &["2026-10".into()]).unwrap();
        assert_eq!(count(&store, rules), n_rules);
        store
            .connection
            .execute_batch("INSERT INTO keyword_rules VALUES (9999, '手工', '手工', NULL)")
            .unwrap();
        store.sync_config(&config, &[]).unwrap();
        store.sync_config(&config, &["2026-11".into()]).unwrap();
        assert_eq!(
            count(&store, rules),
            n_rules + 1,
            "rewritten though unchanged"
        );
        assert_eq!(count(&store, &targets_of("2026-10")), n_departments);
        assert_eq!(count(&store, &targets_of("2026-11")), n_departments);
        let company = config.company.target;
        let expected = config.departments[0].target.unwrap_or(company);
        assert_eq!(target(&store, &first, "2026-11"), Some(expected));

        config.departments[0]
            .target_by_month
            .insert("2026-11".into(), 99.5);
        store.sync_config(&config, &["2026-11".into()]).unwrap();
        assert_eq!(
            count(&store, rules),
            n_rules,
            "not rewritten on a new target"
        );
        assert_eq!(count(&store, &targets_of("2026-10")), 0);
        assert_eq!(target(&store, &first, "2026-11"), Some(99.5));

        config.keyword_rules.push(KeywordRule {
            keyword: "新关键词".into(),
            category: "新类别".into(),
            department: None,
        });
        store.sync_config(&config, &[]).unwrap();
        assert_eq!(count(&store, rules), n_rules + 1);
        assert_eq!(
            count(
                &store,
                "SELECT count(*) AS n FROM keyword_rules WHERE keyword = '新关键词'"
            ),
            1
        );
    }
}
