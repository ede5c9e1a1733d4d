//! Text renderings of the monthly results: the narrative paragraph on the
//! summary sheet and the one-screen summary printed by the CLI, both from
//! handlebars templates in `report_templates/`.

use handlebars::Handlebars;
use serde::Serialize;

use super::RenderError;
use crate::analysis::{Band, MonthlyResults};

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
        let (year, month) = crate::analysis::parse_month(&results.month).unwrap_or((0, 0));
        // After the response-rate penalty, as the rulebook scores it.
        let satisfaction = results.company_satisfaction();
        let previous = results
            .trend
            .iter()
            .find(|m| m.month == crate::analysis::shift_month(&results.month, -1))
            .map(|m| m.satisfaction);
        let questionnaire = results
            .response_rates
            .iter()
            .find(|r| r.channel == "questionnaire");
        SummaryContext {
            company_name: results.company_name.clone(),
            month_label: format!("{year}年{month}月"),
            has_data: satisfaction.is_some(),
            satisfaction: satisfaction.map(one_decimal).unwrap_or_default(),
            band: satisfaction
                .map(|s| Band::of(s).label().to_string())
                .unwrap_or_default(),
            band_en: satisfaction
                .map(|s| super::labels::Lang::En.t(Band::of(s).label()).to_string())
                .unwrap_or_default(),
            month: results.month.clone(),
            target: one_decimal(results.company_target),
            gap: satisfaction
                .map(|s| signed(s - results.company_target))
                .unwrap_or_default(),
            met: satisfaction.is_some_and(|s| s >= results.company_target),
            change_previous: match (satisfaction, previous) {
                (Some(s), Some(p)) => signed(s - p),
                _ => String::new(),
            },
            nps: results
                .nps
                .iter()
                .find(|n| n.month == results.month)
                .map(|n| one_decimal(n.nps))
                .unwrap_or_default(),
            response_rate: questionnaire
                .and_then(|r| r.rate)
                .map(one_decimal)
                .unwrap_or_default(),
            penalty: results.penalty,
            sample_required: questionnaire
                .and_then(|r| r.required)
                .map(|n| n.to_string())
                .unwrap_or_default(),
            sample_ok: questionnaire.and_then(|r| r.sufficient).unwrap_or(false),
            n_responses: results.company.as_ref().map(|c| c.n_responses).unwrap_or(0),
            n_answers: results.company.as_ref().map(|c| c.n_answers).unwrap_or(0),
            top_problems: results
                .pareto
                .iter()
                .take(3)
                .map(|p| ProblemLine {
                    category: p.category.clone(),
                    count: p.count,
                    share: one_decimal(p.share),
                })
                .collect(),
            missed: results
                .departments
                .iter()
                .filter(|d| d.met == Some(false))
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
