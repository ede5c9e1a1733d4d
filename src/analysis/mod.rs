//! Runs the SQL in `sql/analysis/` through the store and returns typed
//! results. Every figure in the report comes from here.

use chrono::NaiveDate;
use serde::Serialize;

use crate::config::Config;
use crate::store::{Param, SqlValue, Store, StoreError};

/// An analysis query: its key (shared with its SQL file) and its text.
pub struct Query {
    /// snake_case key, the SQL file's stem.
    pub key: &'static str,
    /// The SQL.
    pub sql: &'static str,
}

/// Every analysis query, for `csat check`.
pub const QUERIES: &[Query] = &[
    Query {
        key: "company_satisfaction",
        sql: include_str!("../../sql/analysis/company_satisfaction.sql"),
    },
    Query {
        key: "department_scores",
        sql: include_str!("../../sql/analysis/department_scores.sql"),
    },
    Query {
        key: "pareto_company",
        sql: include_str!("../../sql/analysis/pareto_company.sql"),
    },
    Query {
        key: "data_quality_files",
        sql: include_str!("../../sql/analysis/data_quality_files.sql"),
    },
    Query {
        key: "data_quality_rejected",
        sql: include_str!("../../sql/analysis/data_quality_rejected.sql"),
    },
    Query {
        key: "grading",
        sql: include_str!("../../sql/analysis/grading.sql"),
    },
];

fn sql(key: &str) -> &'static str {
    QUERIES
        .iter()
        .find(|q| q.key == key)
        .map(|q| q.sql)
        .expect("every analysis key has a query")
}

/// Satisfaction band (SPEC "Bands"; lower bounds inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Band {
    /// ≥ 80.
    VerySatisfied,
    /// 70–80.
    Satisfied,
    /// 60–70.
    Average,
    /// < 60.
    Dissatisfied,
}

impl Band {
    /// The band of a satisfaction percentage.
    pub fn of(satisfaction: f64) -> Band {
        if satisfaction >= 80.0 {
            Band::VerySatisfied
        } else if satisfaction >= 70.0 {
            Band::Satisfied
        } else if satisfaction >= 60.0 {
            Band::Average
        } else {
            Band::Dissatisfied
        }
    }

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Band::VerySatisfied => "非常满意",
            Band::Satisfied => "满意",
            Band::Average => "一般",
            Band::Dissatisfied => "不满意",
        }
    }
}

/// Company satisfaction in one month.
#[derive(Debug, Clone, Serialize)]
pub struct CompanyMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// M in percent.
    pub satisfaction: f64,
    /// Answers counted.
    pub n_answers: i64,
    /// Respondents and calls.
    pub n_responses: i64,
}

/// A department against its target.
#[derive(Debug, Clone, Serialize)]
pub struct DepartmentScore {
    /// Department key.
    pub key: String,
    /// Display name.
    pub name: String,
    /// M in percent; `None` without answers.
    pub score: Option<f64>,
    /// Answers counted.
    pub n_answers: i64,
    /// Target in percent.
    pub target: f64,
    /// score − target.
    pub gap: Option<f64>,
    /// score ≥ target.
    pub met: Option<bool>,
    /// Last month's score.
    pub previous_score: Option<f64>,
    /// Change against last month, points.
    pub change_previous: Option<f64>,
    /// Same month last year.
    pub last_year_score: Option<f64>,
    /// Change against the same month last year, points.
    pub change_last_year: Option<f64>,
}

/// One category of a Pareto ranking.
#[derive(Debug, Clone, Serialize)]
pub struct ParetoRow {
    /// 1-based rank.
    pub rank: i64,
    /// Root-cause category.
    pub category: String,
    /// Problems.
    pub count: i64,
    /// Share of all problems, percent.
    pub share: f64,
    /// Cumulative share, percent.
    pub cumulative_share: f64,
    /// Among the vital few.
    pub vital_few: bool,
}

/// A graded customer.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerGrade {
    /// Customer id.
    pub customer_id: String,
    /// Name.
    pub name: String,
    /// Score out of 100.
    pub score: f64,
    /// A–D.
    pub grade: String,
    /// Under six months of business.
    pub provisional: bool,
}

/// A file behind the month's figures.
#[derive(Debug, Clone, Serialize)]
pub struct FileUsed {
    /// File name as dropped.
    pub file_name: String,
    /// Source definition.
    pub source: String,
    /// Kind of records.
    pub kind: String,
    /// When it was loaded, `YYYY-MM-DD`.
    pub loaded_on: String,
    /// Data rows in the file.
    pub n_rows: i64,
    /// Rows loaded.
    pub n_loaded: i64,
    /// Cells or rows refused.
    pub n_rejected: i64,
    /// Rows that count in the report month.
    pub n_rows_in_month: i64,
    /// Rows of the month a later export replaced.
    pub n_superseded: i64,
}

/// A refused cell or row of a file behind the month.
#[derive(Debug, Clone, Serialize)]
pub struct RejectedRow {
    /// File name.
    pub file_name: String,
    /// Sheet.
    pub sheet: String,
    /// 1-based row in the sheet.
    pub row_number: i64,
    /// Column header.
    pub column: String,
    /// The cell as text.
    pub value: String,
    /// What was expected.
    pub expected: String,
}

/// Everything the monthly report needs.
#[derive(Debug, Clone, Serialize)]
pub struct MonthlyResults {
    /// The report month, `YYYY-MM`.
    pub month: String,
    /// Company name.
    pub company_name: String,
    /// Company target.
    pub company_target: f64,
    /// The report month's company figures, when it has answers.
    pub company: Option<CompanyMonth>,
    /// Company satisfaction over the 13 months ending with the report month.
    pub trend: Vec<CompanyMonth>,
    /// Departments in configuration order.
    pub departments: Vec<DepartmentScore>,
    /// Company Pareto.
    pub pareto: Vec<ParetoRow>,
    /// Files behind the month.
    pub files: Vec<FileUsed>,
    /// Cells and rows refused in those files.
    pub rejected: Vec<RejectedRow>,
}

/// Adds `delta` months to `YYYY-MM`.
///
/// # Panics
/// When `month` is not `YYYY-MM` (callers validate user input first).
pub fn shift_month(month: &str, delta: i32) -> String {
    let (year, month_number) = parse_month(month).expect("month is YYYY-MM");
    let index = year * 12 + (month_number as i32 - 1) + delta;
    format!(
        "{:04}-{:02}",
        index.div_euclid(12),
        index.rem_euclid(12) + 1
    )
}

/// Parses `YYYY-MM` into (year, month).
pub fn parse_month(month: &str) -> Option<(i32, u32)> {
    let (year, month_number) = month.split_once('-')?;
    let year: i32 = year.parse().ok()?;
    let month_number: u32 = month_number.parse().ok()?;
    (year > 0 && (1..=12).contains(&month_number) && month.len() == 7)
        .then_some((year, month_number))
}

/// The month before the one containing `date` (the month a report run on
/// `date` reports on).
pub fn previous_month(date: NaiveDate) -> String {
    shift_month(&date.format("%Y-%m").to_string(), -1)
}

fn float(value: &SqlValue) -> Option<f64> {
    value.as_f64()
}

/// Computes the monthly results for `month`.
///
/// # Errors
/// A query fails.
pub fn monthly(
    store: &mut Store,
    config: &Config,
    month: &str,
) -> Result<MonthlyResults, StoreError> {
    let previous = shift_month(month, -1);
    let last_year = shift_month(month, -12);
    store.sync_config(config, &[month.to_string()])?;

    let trend: Vec<CompanyMonth> = store
        .query(
            "company_satisfaction",
            sql("company_satisfaction"),
            &[
                Param::Text(shift_month(month, -12)),
                Param::Text(month.to_string()),
            ],
        )?
        .into_iter()
        .map(|row| CompanyMonth {
            month: row[0].as_text().unwrap_or_default(),
            satisfaction: float(&row[1]).unwrap_or(f64::NAN),
            n_answers: row[2].as_i64().unwrap_or(0),
            n_responses: row[3].as_i64().unwrap_or(0),
        })
        .collect();
    let company = trend.iter().find(|m| m.month == month).cloned();

    let departments = store
        .query(
            "department_scores",
            sql("department_scores"),
            &[
                Param::Text(month.to_string()),
                Param::Text(previous),
                Param::Text(last_year),
            ],
        )?
        .into_iter()
        .map(|row| DepartmentScore {
            key: row[0].as_text().unwrap_or_default(),
            name: row[1].as_text().unwrap_or_default(),
            score: float(&row[2]),
            n_answers: row[3].as_i64().unwrap_or(0),
            target: float(&row[4]).unwrap_or(config.company.target),
            gap: float(&row[5]),
            met: row[6].as_bool(),
            previous_score: float(&row[7]),
            change_previous: float(&row[8]),
            last_year_score: float(&row[9]),
            change_last_year: float(&row[10]),
        })
        .collect();

    let pareto = store
        .query(
            "pareto_company",
            sql("pareto_company"),
            &[Param::Text(month.to_string())],
        )?
        .into_iter()
        .map(|row| ParetoRow {
            rank: row[0].as_i64().unwrap_or(0),
            category: row[1].as_text().unwrap_or_default(),
            count: row[2].as_i64().unwrap_or(0),
            share: float(&row[3]).unwrap_or(0.0),
            cumulative_share: float(&row[4]).unwrap_or(0.0),
            vital_few: row[5].as_bool().unwrap_or(false),
        })
        .collect();

    let month_param = [Param::Text(month.to_string())];
    let text = |value: &SqlValue| value.as_text().unwrap_or_default();
    let files = store
        .query(
            "data_quality_files",
            sql("data_quality_files"),
            &month_param,
        )?
        .into_iter()
        .map(|row| FileUsed {
            file_name: text(&row[0]),
            source: text(&row[1]),
            kind: text(&row[2]),
            loaded_on: text(&row[3]),
            n_rows: row[4].as_i64().unwrap_or(0),
            n_loaded: row[5].as_i64().unwrap_or(0),
            n_rejected: row[6].as_i64().unwrap_or(0),
            n_rows_in_month: row[7].as_i64().unwrap_or(0),
            n_superseded: row[8].as_i64().unwrap_or(0),
        })
        .collect();
    let rejected = store
        .query(
            "data_quality_rejected",
            sql("data_quality_rejected"),
            &month_param,
        )?
        .into_iter()
        .map(|row| RejectedRow {
            file_name: text(&row[0]),
            sheet: text(&row[1]),
            row_number: row[2].as_i64().unwrap_or(0),
            column: text(&row[3]),
            value: text(&row[4]),
            expected: text(&row[5]),
        })
        .collect();

    Ok(MonthlyResults {
        month: month.to_string(),
        files,
        rejected,
        company_name: config.company.name.clone(),
        company_target: config.company.target,
        company,
        trend,
        departments,
        pareto,
    })
}

/// Grades every customer as of `as_of`.
///
/// # Errors
/// The query fails.
pub fn grading(store: &Store, as_of: NaiveDate) -> Result<Vec<CustomerGrade>, StoreError> {
    Ok(store
        .query("grading", sql("grading"), &[Param::Date(as_of)])?
        .into_iter()
        .map(|row| CustomerGrade {
            customer_id: row[0].as_text().unwrap_or_default(),
            name: row[1].as_text().unwrap_or_default(),
            score: float(&row[4]).unwrap_or(0.0),
            grade: row[5].as_text().unwrap_or_default(),
            provisional: row[6].as_bool().unwrap_or(false),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_shift_across_years() {
        assert_eq!(shift_month("2026-01", -1), "2025-12");
        assert_eq!(shift_month("2026-10", -12), "2025-10");
        assert_eq!(shift_month("2025-12", 1), "2026-01");
        assert_eq!(
            previous_month(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()),
            "2026-10"
        );
        assert!(parse_month("2026-13").is_none());
        assert!(parse_month("26-1").is_none());
    }

    #[test]
    fn bands_have_inclusive_lower_bounds() {
        assert_eq!(Band::of(80.0), Band::VerySatisfied);
        assert_eq!(Band::of(79.99), Band::Satisfied);
        assert_eq!(Band::of(70.0), Band::Satisfied);
        assert_eq!(Band::of(60.0), Band::Average);
        assert_eq!(Band::of(59.9), Band::Dissatisfied);
    }
}
