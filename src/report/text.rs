//! Text renderings of the monthly results: the narrative paragraph on the
//! summary sheet and the one-screen summary printed by the CLI, both from
//! handlebars templates in `report_templates/`.

use handlebars::Handlebars;
use serde::Serialize;

use super::company::{month_label, CompanySummary};
use super::RenderError;
use crate::analysis::MonthlyResults;

/// The templates, by name (the file stem in `report_templates/`).
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "summary",
        include_str!("../../report_templates/summary.hbs"),
    ),
    (
        "console_summary",
        include_str!("../../report_templates/console_summary.hbs"),
    ),
    (
        "summary_en",
        include_str!("../../report_templates/summary_en.hbs"),
    ),
];

/// A problem category, formatted for text.
#[derive(Debug, Clone, Serialize)]
pub struct ProblemLine {
    /// Category.
    pub category: String,
    /// Count.
    pub count: i64,
    /// Share, one decimal.
    pub share: String,
}

/// A department that missed its target, formatted for text.
#[derive(Debug, Clone, Serialize)]
pub struct MissedLine {
    /// Department name.
    pub name: String,
    /// Score, one decimal.
    pub score: String,
    /// Target, one decimal.
    pub target: String,
    /// Gap in points, signed, one decimal.
    pub gap: String,
}

/// A 重点改进 driver, formatted for text.
#[derive(Debug, Clone, Serialize)]
pub struct FocusLine {
    /// The question.
    pub question: String,
    /// Its importance r, two decimals.
    pub importance: String,
    /// r is significant at 95 %.
    pub significant: bool,
}

/// What the templates see.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryContext {
    /// Company name.
    pub company_name: String,
    /// `YYYY年M月`.
    pub month_label: String,
    /// Whether the month has answers at all.
    pub has_data: bool,
    /// Company satisfaction, one decimal.
    pub satisfaction: String,
    /// Band label.
    pub band: String,
    /// Band label in English.
    pub band_en: String,
    /// `YYYY-MM`.
    pub month: String,
    /// Target, one decimal.
    pub target: String,
    /// Gap to target in points, signed.
    pub gap: String,
    /// Whether the company met its target.
    pub met: bool,
    /// Change against last month in points, signed; empty when unknown.
    pub change_previous: String,
    /// Respondents and calls.
    pub n_responses: i64,
    /// Answers.
    pub n_answers: i64,
    /// The three largest problem categories.
    pub top_problems: Vec<ProblemLine>,
    /// Departments that missed their target.
    pub missed: Vec<MissedLine>,
    /// Number of departments with a score.
    pub n_departments_scored: usize,
    /// NPS, one decimal; empty without recommend answers.
    pub nps: String,
    /// Questionnaire response rate, one decimal; empty when the number sent
    /// is unknown.
    pub response_rate: String,
    /// Points taken off for the response rate.
    pub penalty: i64,
    /// The response rate below which points are taken off, in percent
    /// (from `response_rates.sql`); empty when the rate is unknown.
    pub rate_threshold: String,
    /// Responses the sample needs; empty when customers served is unknown.
    pub sample_required: String,
    /// The sample is large enough (false also when unknown).
    pub sample_ok: bool,
    /// The month's three most important 重点改进 drivers.
    pub focus_drivers: Vec<FocusLine>,
    /// The key-driver outcome question.
    pub drivers_outcome: String,
}

fn one_decimal(value: f64) -> String {
    format!("{value:.1}")
}

fn signed(value: f64) -> String {
    format!("{value:+.1}")
}

impl SummaryContext {
    /// Builds the context from the results.
    pub fn new(results: &MonthlyResults) -> SummaryContext {
        let summary = CompanySummary::of(results);
        let questionnaire = summary.questionnaire;
        SummaryContext {
            company_name: results.company_name.clone(),
            month_label: month_label(results),
            has_data: summary.satisfaction.is_some(),
            satisfaction: summary.satisfaction.map(one_decimal).unwrap_or_default(),
            band: summary
                .band
                .map(|b| b.label().to_string())
                .unwrap_or_default(),
            band_en: summary
                .band
                .map(|b| super::labels::Lang::En.t(b.label()).to_string())
                .unwrap_or_default(),
            month: results.month.clone(),
            target: one_decimal(summary.target),
            gap: summary.gap.map(signed).unwrap_or_default(),
            met: summary.met,
            change_previous: summary.change_previous.map(signed).unwrap_or_default(),
            nps: summary.nps.map(one_decimal).unwrap_or_default(),
            response_rate: questionnaire
                .and_then(|r| r.rate)
                .map(one_decimal)
                .unwrap_or_default(),
            penalty: summary.penalty,
            rate_threshold: questionnaire
                .map(|r| r.threshold.to_string())
                .unwrap_or_default(),
            sample_required: questionnaire
                .and_then(|r| r.required)
                .map(|n| n.to_string())
                .unwrap_or_default(),
            sample_ok: questionnaire.and_then(|r| r.sufficient).unwrap_or(false),
            n_responses: summary.n_responses,
            n_answers: summary.n_answers,
            top_problems: summary
                .top_problems
                .iter()
                .map(|p| ProblemLine {
                    category: p.category.clone(),
                    count: p.count,
                    share: one_decimal(p.share),
                })
                .collect(),
            missed: summary
                .missed
                .iter()
                .map(|d| MissedLine {
                    name: d.name.clone(),
                    score: d.score.map(one_decimal).unwrap_or_default(),
                    target: one_decimal(d.target),
                    gap: d.gap.map(signed).unwrap_or_default(),
                })
                .collect(),
            focus_drivers: results
                .drivers
                .month
                .focus()
                .take(3)
                .map(|d| FocusLine {
                    question: d.question.clone(),
                    importance: format!("{:.2}", d.importance.unwrap_or(0.0)),
                    significant: d.significant,
                })
                .collect(),
            drivers_outcome: results.drivers.outcome.clone(),
            n_departments_scored: results
                .departments
                .iter()
                .filter(|d| d.score.is_some())
                .count(),
        }
    }
}

/// A handlebars registry with every template compiled, in strict mode.
///
/// # Errors
/// A template does not compile.
pub fn registry() -> Result<Handlebars<'static>, RenderError> {
    let mut handlebars = Handlebars::new();
    handlebars.set_strict_mode(true);
    handlebars.register_escape_fn(handlebars::no_escape);
    for (name, text) in TEMPLATES {
        handlebars
            .register_template_string(name, *text)
            .map_err(|e| RenderError::Template {
                name: name.to_string(),
                message: e.to_string(),
            })?;
    }
    Ok(handlebars)
}

fn render(name: &str, context: &SummaryContext) -> Result<String, RenderError> {
    registry()?
        .render(name, context)
        .map(|text| text.trim().to_string())
        .map_err(|e| RenderError::Template {
            name: name.to_string(),
            message: e.to_string(),
        })
}

/// The narrative paragraph of the summary sheet.
///
/// # Errors
/// The template fails.
pub fn narrative(context: &SummaryContext) -> Result<String, RenderError> {
    render("summary", context)
}

/// The narrative paragraph in English (`--lang en`).
///
/// # Errors
/// The template fails.
pub fn narrative_en(context: &SummaryContext) -> Result<String, RenderError> {
    render("summary_en", context)
}

/// The one-screen summary the CLI prints after a report.
///
/// # Errors
/// The template fails.
pub fn console_summary(context: &SummaryContext) -> Result<String, RenderError> {
    render("console_summary", context)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> SummaryContext {
        SummaryContext {
            company_name: "示例公司".to_string(),
            month_label: "2026年10月".to_string(),
            has_data: true,
            satisfaction: "80.0".to_string(),
            band: "非常满意".to_string(),
            band_en: "Very satisfied".to_string(),
            month: "2026-10".to_string(),
            target: "85.0".to_string(),
            gap: "-5.0".to_string(),
            met: false,
            change_previous: String::new(),
            n_responses: 40,
            n_answers: 400,
            top_problems: Vec::new(),
            missed: Vec::new(),
            n_departments_scored: 0,
            nps: String::new(),
            response_rate: "42.0".to_string(),
            penalty: 1,
            rate_threshold: "50".to_string(),
            sample_required: String::new(),
            sample_ok: false,
            focus_drivers: Vec::new(),
            drivers_outcome: String::new(),
        }
    }

    #[test]
    fn the_response_rate_threshold_comes_from_the_context() {
        let context = context();
        assert!(narrative(&context)
            .unwrap()
            .contains("问卷回收率 42.0%，低于 50%，已扣 1 分"));
        assert!(narrative_en(&context)
            .unwrap()
            .contains("Questionnaire response rate 42.0%, under 50 %: 1 pt taken off"));
        assert!(console_summary(&context)
            .unwrap()
            .contains("(under 50 %: -1 pt already taken off)"));
        let lower = SummaryContext {
            rate_threshold: "40".to_string(),
            ..context
        };
        assert!(narrative(&lower).unwrap().contains("低于 40%"));
    }
}
