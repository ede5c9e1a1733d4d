//! The company's month as the summary sheet and the texts show it: computed
//! once here, then formatted by `workbook::summary` (cells) and
//! `text::SummaryContext` (the templates).

use crate::analysis::{Band, DepartmentScore, MonthlyResults, ParetoRow, ResponseRate};
use crate::month::Month;

/// The channel whose response rate is penalised and whose sample is checked
/// (SPEC "Scores").
pub const QUESTIONNAIRE: &str = "questionnaire";

/// The report month, when `results.month` is one.
pub fn report_month(results: &MonthlyResults) -> Option<Month> {
    results.month.parse().ok()
}

/// `2026年10月`.
pub fn month_label(results: &MonthlyResults) -> String {
    let (year, number) = report_month(results).map_or((0, 0), |m| (m.year(), m.number()));
    format!("{year}年{number}月")
}

/// The headline figures of the company's month.
#[derive(Debug, Clone)]
pub struct CompanySummary<'a> {
    /// Company satisfaction after the response-rate penalty, as the rulebook
    /// scores it; `None` without answers.
    pub satisfaction: Option<f64>,
    /// Its band.
    pub band: Option<Band>,
    /// The company target.
    pub target: f64,
    /// satisfaction − target, points.
    pub gap: Option<f64>,
    /// satisfaction ≥ target (false without answers).
    pub met: bool,
    /// Change against last month, points, when both are known.
    pub change_previous: Option<f64>,
    /// Respondents and calls.
    pub n_responses: i64,
    /// Answers counted.
    pub n_answers: i64,
    /// NPS of the report month.
    pub nps: Option<f64>,
    /// The questionnaire's response rate and sample check, when dispatch
    /// figures came in.
    pub questionnaire: Option<&'a ResponseRate>,
    /// Points taken off for the questionnaire's response rate.
    pub penalty: i64,
    /// The three largest problem categories.
    pub top_problems: &'a [ParetoRow],
    /// Departments that missed their target.
    pub missed: Vec<&'a DepartmentScore>,
}

impl<'a> CompanySummary<'a> {
    /// The summary of `results`.
    pub fn of(results: &'a MonthlyResults) -> CompanySummary<'a> {
        let satisfaction = results.company_satisfaction();
        let target = results.company_target;
        let previous_month = report_month(results).map(|m| m.shift(-1).to_string());
        let previous = results
            .trend
            .iter()
            .find(|m| Some(&m.month) == previous_month.as_ref())
            .map(|m| m.satisfaction);
        let company = results.company.as_ref();
        CompanySummary {
            satisfaction,
            band: satisfaction.map(Band::of),
            target,
            gap: satisfaction.map(|s| s - target),
            met: satisfaction.is_some_and(|s| s >= target),
            change_previous: satisfaction.zip(previous).map(|(s, p)| s - p),
            n_responses: company.map_or(0, |c| c.n_responses),
            n_answers: company.map_or(0, |c| c.n_answers),
            nps: results
                .nps
                .iter()
                .find(|n| n.month == results.month)
                .map(|n| n.nps),
            questionnaire: results
                .response_rates
                .iter()
                .find(|r| r.channel == QUESTIONNAIRE),
            penalty: results.penalty,
            top_problems: &results.pareto[..results.pareto.len().min(3)],
            missed: results
                .departments
                .iter()
                .filter(|d| d.met == Some(false))
                .collect(),
        }
    }
}
