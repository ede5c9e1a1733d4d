//! Key-driver analysis (关键驱动因素): which questions move the outcome
//! question (overall satisfaction) most. Runs `sql/analysis/key_drivers.sql`
//! and returns, for the month and for the last three months, each driver's
//! importance (Pearson's r with the outcome), its significance, its
//! performance (item score %) and its quadrant.

use serde::Serialize;

use super::KEY_DRIVERS;
use crate::config::Config;
use crate::month::Month;
use crate::store::{Param, Row, Store, StoreError};

/// Where a driver falls on the importance × performance grid (cut lines at
/// the medians).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Quadrant {
    /// High importance, low performance: 重点改进.
    Focus,
    /// High importance, high performance: 优势保持.
    Strength,
    /// Low importance, low performance: 次要改进.
    Secondary,
    /// Low importance, high performance: 过度投入.
    Overinvested,
}

impl Quadrant {
    /// The key the SQL returns.
    fn from_key(key: &str) -> Option<Quadrant> {
        match key {
            "focus" => Some(Quadrant::Focus),
            "strength" => Some(Quadrant::Strength),
            "secondary" => Some(Quadrant::Secondary),
            "overinvested" => Some(Quadrant::Overinvested),
            _ => None,
        }
    }

    /// The Chinese label (translated by the report's label dictionary).
    pub fn label(self) -> &'static str {
        match self {
            Quadrant::Focus => "重点改进",
            Quadrant::Strength => "优势保持",
            Quadrant::Secondary => "次要改进",
            Quadrant::Overinvested => "过度投入",
        }
    }
}

/// One driver question in one view.
#[derive(Debug, Clone, Serialize)]
pub struct Driver {
    /// Question key.
    pub question_key: String,
    /// The question as configured (its `match` text).
    pub question: String,
    /// Responsible department key.
    pub department: String,
    /// Its display name.
    pub department_name: String,
    /// Respondents who answered both this question and the outcome.
    pub n_pairs: i64,
    /// Pearson's r with the outcome; `None` under `[scores] min_n` pairs or
    /// without spread.
    pub importance: Option<f64>,
    /// t = r·√((n−2)/(1−r²)); `None` without r or when |r| = 1.
    pub t: Option<f64>,
    /// The two-sided 5 % critical t with n−2 degrees of freedom.
    pub t_critical: Option<f64>,
    /// |t| exceeds the critical value (r differs from 0 at 95 %).
    pub significant: bool,
    /// Item score as % of the scale maximum, over all its answers.
    pub performance: f64,
    /// Answers behind the performance.
    pub n_answers: i64,
    /// The quadrant; `None` without r.
    pub quadrant: Option<Quadrant>,
}

/// The drivers of one view (the month, or the last three months).
#[derive(Debug, Clone, Default, Serialize)]
pub struct DriverView {
    /// First month of the view, `YYYY-MM`.
    pub first_month: String,
    /// Last month (the report month).
    pub last_month: String,
    /// Drivers by importance, those without an r last.
    pub drivers: Vec<Driver>,
    /// The importance cut line (median r).
    pub importance_cut: Option<f64>,
    /// The performance cut line (median item score %).
    pub performance_cut: Option<f64>,
}

impl DriverView {
    /// The 重点改进 drivers, most important first.
    pub fn focus(&self) -> impl Iterator<Item = &Driver> {
        self.drivers
            .iter()
            .filter(|d| d.quadrant == Some(Quadrant::Focus))
    }
}

/// The key-driver analysis of a month.
#[derive(Debug, Clone, Default, Serialize)]
pub struct KeyDrivers {
    /// Outcome question key; empty when no question can be the outcome.
    pub outcome_key: String,
    /// The outcome question as configured.
    pub outcome: String,
    /// The report month.
    pub month: DriverView,
    /// The three months ending with the report month.
    pub three_months: DriverView,
    /// `[scores] min_n`: fewer pairs give no r.
    pub min_n: i64,
}

/// Runs the key-driver analysis for `month`.
///
/// # Errors
/// The query fails.
pub fn key_drivers(store: &Store, config: &Config, month: Month) -> Result<KeyDrivers, StoreError> {
    let Some(outcome) = config.driver_outcome() else {
        return Ok(KeyDrivers {
            min_n: config.scores.min_n,
            ..KeyDrivers::default()
        });
    };
    let first_month = month.shift(-2).to_string();
    let rows = KEY_DRIVERS.run(
        store,
        &[
            Param::Text(first_month.clone()),
            Param::Text(month.to_string()),
            Param::Text(outcome.key.clone()),
            Param::Int(config.scores.min_n),
            Param::Text(config.drivers.not_drivers.join(",")),
        ],
    )?;
    let mut result = KeyDrivers {
        outcome_key: outcome.key.clone(),
        outcome: outcome.match_text.clone(),
        month: DriverView {
            first_month: month.to_string(),
            last_month: month.to_string(),
            ..DriverView::default()
        },
        three_months: DriverView {
            first_month,
            last_month: month.to_string(),
            ..DriverView::default()
        },
        min_n: config.scores.min_n,
    };
    for row in rows {
        let row = DriverRow::read(&row)?;
        let view = if row.view == "month" {
            &mut result.month
        } else {
            &mut result.three_months
        };
        view.importance_cut = row.importance_cut;
        view.performance_cut = row.performance_cut;
        let question = config
            .questions
            .iter()
            .find(|q| q.key == row.question_key)
            .map_or_else(|| row.question_key.clone(), |q| q.match_text.clone());
        view.drivers.push(Driver {
            question,
            department_name: super::group_name(
                config,
                super::GroupKind::Department,
                &row.department,
            ),
            question_key: row.question_key,
            department: row.department,
            n_pairs: row.n_pairs,
            importance: row.importance,
            t: row.t,
            t_critical: row.t_critical,
            significant: row.significant,
            performance: row.performance,
            n_answers: row.n_answers,
            quadrant: row.quadrant.as_deref().and_then(Quadrant::from_key),
        });
    }
    Ok(result)
}

/// One row of `key_drivers.sql`, read by column name.
struct DriverRow {
    view: String,
    question_key: String,
    department: String,
    n_pairs: i64,
    importance: Option<f64>,
    t: Option<f64>,
    t_critical: Option<f64>,
    significant: bool,
    performance: f64,
    n_answers: i64,
    importance_cut: Option<f64>,
    performance_cut: Option<f64>,
    quadrant: Option<String>,
}

impl DriverRow {
    fn read(row: &Row) -> Result<DriverRow, StoreError> {
        Ok(DriverRow {
            view: row.text("view")?,
            question_key: row.text("question_key")?,
            department: row.text("department")?,
            n_pairs: row.i64("n_pairs")?,
            importance: row.opt_f64("importance")?,
            t: row.opt_f64("t")?,
            t_critical: row.opt_f64("t_critical")?,
            significant: row.bool("significant")?,
            performance: row.f64("performance")?,
            n_answers: row.i64("n_answers")?,
            importance_cut: row.opt_f64("importance_cut")?,
            performance_cut: row.opt_f64("performance_cut")?,
            quadrant: row.opt_text("quadrant")?,
        })
    }
}
