//! The configuration mirrored into tables the SQL joins on (question map,
//! departments and targets, keyword rules, Pareto weights, grading rules),
//! and the problem deadlines computed by csat's calendar.

use chrono::NaiveDate;
use duckdb::params;
use duckdb::types::Value;

use super::load::{append_rows, date_value};
use super::{Context, Store, StoreError};
use crate::config::Config;

impl Store {
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
            .filter(|t| !t.trim().is_empty())
            .cloned()
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
        transaction.commit().context(context)?;
        // The replaced rows stay in the tables' statistics until a
        // checkpoint: question_map then looks larger and more varied than it
        // is, and DuckDB 2.0 misjudges joins on it (it grouped two million
        // answers one by one before joining: respondent_distribution 0.8 s
        // instead of 0.15 s at two million answers).
        self.connection
            .execute_batch("CHECKPOINT")
            .context("checkpointing the configuration mirrors")
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
