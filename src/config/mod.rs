//! Typed configuration: the company, its departments and targets, the
//! indicator families, the source definitions (which inbox file is which kind
//! and how its columns map to canonical fields) and the question map.
//!
//! A quality manager edits one TOML file (`<data-dir>/csat.toml`, or the file
//! given with `--config`). The demo company's file ships in `data/csat.toml`
//! and is compiled in as the default, so a fresh data directory works at once.
//!
//! Here: [`Config`], its loading and validation, the company and its
//! departments. The sections live beside it: `sources` (source kinds, their
//! fields in stored column order, inbox), `scoring` (indicators, scales and
//! their rules, questions, keyword rules), `report` ([`Lang`], list sizes),
//! `alerts` (alerts, delivery, SMTP), `grading`, `pareto`, `comments`,
//! `deadlines`. This module is the base layer: it imports no other module
//! of the crate but `calendar`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

mod alerts;
mod comments;
mod deadlines;
mod grading;
mod pareto;
mod report;
mod scoring;
mod sources;

pub use alerts::{AlertSettings, DeliverySettings, SmtpSecurity, SmtpSettings};
pub use comments::CommentSettings;
pub use deadlines::{DeadlineSettings, CLOSED_STATUSES};
pub use grading::{
    GradePolicy, GradeThreshold, GradingCriterion, GradingMethod, GradingSettings, GRADING_MEASURES,
};
pub use pareto::ParetoSettings;
pub use report::{Lang, ReportSettings, EXCEL_MAX_DATA_ROWS};
pub use scoring::{DriverSettings, Indicator, KeywordRule, Question, Scale, ScoreSettings};
pub use sources::{
    AnswerExport, DateOrder, InboxSettings, MonthFrom, Reexport, Source, SourceKind,
};

/// The configuration shipped with the program (the demo company's).
pub const DEFAULT_CONFIG_TOML: &str = include_str!("../../data/csat.toml");

/// At most this many `[[departments]]` and `[[indicators]]`: a response's
/// departments and indicators are a 128-bit set in the respondent counts
/// (migration V19).
pub const MAX_DEPARTMENTS_OR_INDICATORS: usize = 128;

/// The whole configuration file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The company and its overall target.
    pub company: Company,
    /// Inbox watching: settle time and size limit.
    #[serde(default)]
    pub inbox: InboxSettings,
    /// How scores are shown: the minimum number of respondents.
    #[serde(default)]
    pub scores: ScoreSettings,
    /// How problems are ranked: severity weights, excluded statuses.
    #[serde(default)]
    pub pareto: ParetoSettings,
    /// Customer grading rules (客户分级): criteria, weights, thresholds,
    /// grade shares, policies. Versioned: every result records `version`.
    #[serde(default)]
    pub grading: GradingSettings,
    /// Working-day calendar for deadlines (default: the shipped Chinese
    /// public holidays and make-up working days).
    #[serde(default = "crate::calendar::Calendar::shipped")]
    pub calendar: crate::calendar::Calendar,
    /// Deadlines in working days.
    #[serde(default)]
    pub deadlines: DeadlineSettings,
    /// Who is alerted at once, and how.
    #[serde(default)]
    pub alerts: AlertSettings,
    /// Who receives the monthly report, and what must be in before it goes.
    #[serde(default)]
    pub delivery: DeliverySettings,
    /// How the report is written.
    #[serde(default)]
    pub report: ReportSettings,
    /// Key-driver analysis: the outcome question and the questions left out.
    #[serde(default)]
    pub drivers: DriverSettings,
    /// Customer comments (客户原声): which survey columns are comments,
    /// placeholder answers, stop words.
    #[serde(default)]
    pub comments: CommentSettings,
    /// Departments that carry satisfaction targets.
    #[serde(default)]
    pub departments: Vec<Department>,
    /// The indicator families (product quality, service quality, …).
    #[serde(default)]
    pub indicators: Vec<Indicator>,
    /// Source definitions: how to recognise each kind of inbox file.
    #[serde(default)]
    pub sources: Vec<Source>,
    /// Survey and callback questions: indicator, responsible department, scale.
    #[serde(default)]
    pub questions: Vec<Question>,
    /// Keyword rules that give free-text remarks a root-cause category.
    #[serde(default)]
    pub keyword_rules: Vec<KeywordRule>,
}

/// The company.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Company {
    /// Name printed on the report.
    pub name: String,
    /// Company satisfaction target in percent (e.g. 85.0).
    pub target: f64,
    /// Time zone of the company, used by the scheduler (IANA name).
    #[serde(default = "default_timezone")]
    pub timezone: String,
}

fn default_timezone() -> String {
    crate::calendar::DEFAULT_TIMEZONE.name().to_string()
}

impl Company {
    /// The company's time zone, in which jobs see their dates and local
    /// timestamps in files are read. `Config::load` refuses a name that is
    /// not an IANA zone; an unchecked one falls back to the default zone.
    pub fn zone(&self) -> chrono_tz::Tz {
        self.timezone
            .parse()
            .unwrap_or(crate::calendar::DEFAULT_TIMEZONE)
    }
}

/// A department that carries a satisfaction target.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Department {
    /// Stable snake_case key used in the question map and records.
    pub key: String,
    /// Display name (Chinese by default).
    pub name: String,
    /// Target in percent; when absent, the company target (cascaded).
    #[serde(default)]
    pub target: Option<f64>,
    /// Per-month overrides of the target, keyed by `YYYY-MM`.
    #[serde(default)]
    pub target_by_month: BTreeMap<String, f64>,
    /// Other names the department goes by in records (e.g. `售后`).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Who answers for the department's problems (问题责任人), by default.
    #[serde(default)]
    pub owner: Option<String>,
    /// Where the department's alerts and report slice go.
    #[serde(default)]
    pub email: Option<String>,
}

/// A configuration problem a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read configuration {path}: {cause}")]
    Read {
        /// The file.
        path: String,
        /// The cause (in the message, not also returned as the source).
        cause: std::io::Error,
    },
    /// The TOML is malformed or has unknown fields.
    #[error("configuration {path} is not valid: {message}")]
    Parse {
        /// The file.
        path: String,
        /// What the parser said.
        message: String,
    },
    /// The file parsed but its contents contradict each other.
    #[error("configuration {path}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl Config {
    /// Parses and validates configuration text; `origin` names it in messages.
    ///
    /// # Errors
    /// Malformed TOML, unknown fields, or references to undefined keys.
    pub fn parse(text: &str, origin: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: origin.to_string(),
            message: e.to_string(),
        })?;
        config.validate().map_err(|message| ConfigError::Invalid {
            path: origin.to_string(),
            message,
        })?;
        Ok(config)
    }

    /// Loads `path`, or the shipped default when `path` is `None`.
    ///
    /// # Errors
    /// See [`Config::parse`]; also when the file cannot be read.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        match path {
            None => Config::parse(DEFAULT_CONFIG_TOML, "built-in default configuration"),
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|cause| ConfigError::Read {
                    path: path.display().to_string(),
                    cause,
                })?;
                Config::parse(&text, &path.display().to_string())
            }
        }
    }

    fn validate(&self) -> Result<(), String> {
        let alerts = &self.alerts;
        if !(1..=600).contains(&alerts.connect_timeout_seconds)
            || !(1..=600).contains(&alerts.timeout_seconds)
        {
            return Err(
                "[alerts] connect_timeout_seconds and timeout_seconds must be 1–600 seconds"
                    .to_string(),
            );
        }
        if alerts.max_attempts == 0 || alerts.digest_over == 0 {
            return Err("[alerts] max_attempts and digest_over must be at least 1".to_string());
        }
        // Respondents per department and per indicator are counted with a
        // 128-bit set per response (migration V19).
        for (what, n) in [
            ("[[departments]]", self.departments.len()),
            ("[[indicators]]", self.indicators.len()),
        ] {
            if n > MAX_DEPARTMENTS_OR_INDICATORS {
                return Err(format!(
                    "{n} {what} are configured; csat counts respondents with up to {MAX_DEPARTMENTS_OR_INDICATORS} of each: merge some, or run a separate configuration per business unit"
                ));
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for department in &self.departments {
            if !seen.insert(department.key.as_str()) {
                return Err(format!(
                    "department key '{}' is defined twice",
                    department.key
                ));
            }
        }
        let mut seen_questions = std::collections::BTreeSet::new();
        for question in &self.questions {
            if !seen_questions.insert(question.key.as_str()) {
                return Err(format!("question key '{}' is defined twice", question.key));
            }
            // `csat sources suggest` leaves these for a person to decide.
            for (what, value, known) in [
                (
                    "indicator",
                    &question.indicator,
                    self.indicators
                        .iter()
                        .map(|i| i.key.as_str())
                        .collect::<Vec<_>>(),
                ),
                (
                    "department",
                    &question.department,
                    self.departments.iter().map(|d| d.key.as_str()).collect(),
                ),
            ] {
                if value.trim().eq_ignore_ascii_case("todo") {
                    return Err(format!(
                        "question '{}' (match '{}'): {what} is still TODO; fill in one of: {}",
                        question.key,
                        question.match_text,
                        known.join(", ")
                    ));
                }
            }
            if self.department(&question.department).is_none() {
                return Err(format!(
                    "question '{}' names department '{}', which is not among [[departments]]",
                    question.key, question.department
                ));
            }
            if self.indicator(&question.indicator).is_none() {
                return Err(format!(
                    "question '{}' names indicator '{}', which is not among [[indicators]]",
                    question.key, question.indicator
                ));
            }
            if let Some(source) = &question.source {
                if !self.sources.iter().any(|s| &s.name == source) {
                    return Err(format!(
                        "question '{}' names source '{}', which is not among [[sources]]",
                        question.key, source
                    ));
                }
            }
        }
        for criterion in &self.grading.criteria {
            if !GRADING_MEASURES.contains(&criterion.measure.as_str()) {
                return Err(format!(
                    "grading criterion '{}' measures '{}'; known measures: {}",
                    criterion.key,
                    criterion.measure,
                    GRADING_MEASURES.join(", ")
                ));
            }
        }
        let weights: f64 = self.grading.criteria.iter().map(|c| c.weight).sum();
        if !self.grading.criteria.is_empty() && (weights - 100.0).abs() > 1e-9 {
            return Err(format!(
                "the grading criteria's weights add up to {weights}, not 100"
            ));
        }
        for key in self.drivers.outcome.iter().chain(&self.drivers.not_drivers) {
            if !self.questions.iter().any(|q| &q.key == key) {
                return Err(format!(
                    "[drivers] names question '{key}', which is not among [[questions]]"
                ));
            }
        }
        for rule in &self.keyword_rules {
            if let Some(department) = &rule.department {
                if self.department(department).is_none() {
                    return Err(format!(
                        "keyword rule '{}' names department '{}', which is not among [[departments]]",
                        rule.keyword, department
                    ));
                }
            }
        }
        for source in &self.sources {
            for (field, required) in source.kind.fields() {
                if *required && !source.fields.contains_key(*field) {
                    return Err(format!(
                        "source '{}' ({}) does not map the required field '{}'",
                        source.name,
                        source.kind.as_str(),
                        field
                    ));
                }
            }
            for field in source.fields.keys() {
                if !source.kind.fields().iter().any(|(f, _)| f == field) {
                    let known: Vec<&str> = source.kind.fields().iter().map(|(f, _)| *f).collect();
                    return Err(format!(
                        "source '{}' maps unknown field '{}'; {} sources know: {}",
                        source.name,
                        field,
                        source.kind.as_str(),
                        known.join(", ")
                    ));
                }
            }
            for (field, header) in &source.fields {
                if header.trim().eq_ignore_ascii_case("todo") {
                    return Err(format!(
                        "source '{}': field '{}' is still TODO; name the column that holds it",
                        source.name, field
                    ));
                }
            }
            if source.header_contains.is_empty() {
                return Err(format!(
                    "source '{}' has an empty header_contains",
                    source.name
                ));
            }
        }
        if !(1..=EXCEL_MAX_DATA_ROWS).contains(&self.report.detail_rows_per_sheet) {
            return Err(format!(
                "[report] detail_rows_per_sheet = {} is not between 1 and {EXCEL_MAX_DATA_ROWS} (Excel's rows below a header)",
                self.report.detail_rows_per_sheet
            ));
        }
        // Executive sheets stay executive-sized.
        for (name, value) in [
            (
                "problem_items_per_department",
                self.report.problem_items_per_department,
            ),
            ("refused_cells_shown", self.report.refused_cells_shown),
        ] {
            if value > 10_000 {
                return Err(format!(
                    "[report] {name} = {value} is more than 10000; long lists go to the detail workbooks"
                ));
            }
        }
        if !(0.0..=100.0).contains(&self.company.target) {
            return Err(format!(
                "company target {} is not a percentage",
                self.company.target
            ));
        }
        self.company
            .timezone
            .parse::<chrono_tz::Tz>()
            .map_err(|_| {
                format!(
                    "company timezone '{}' is not an IANA time zone",
                    self.company.timezone
                )
            })?;
        Ok(())
    }

    /// The department with this key.
    pub fn department(&self, key: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.key == key)
    }

    /// Resolves a department named in a record (key, name or alias) to its key.
    pub fn department_key(&self, text: &str) -> Option<&str> {
        let text = text.trim();
        self.departments
            .iter()
            .find(|d| d.key == text || d.name == text || d.aliases.iter().any(|a| a == text))
            .map(|d| d.key.as_str())
    }

    /// The indicator with this key.
    pub fn indicator(&self, key: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.key == key)
    }

    /// The target of a department for a month: the per-month override, else
    /// the department's own, else the company target.
    pub fn target_for(&self, department: &Department, month: &str) -> f64 {
        department
            .target_by_month
            .get(month)
            .copied()
            .or(department.target)
            .unwrap_or(self.company.target)
    }

    /// The outcome question of the key-driver analysis: `[drivers] outcome`,
    /// else the overall-satisfaction question (key `overall`, or a `match`
    /// text with 整体满意, 总体满意 or "overall satisfaction"), else the first
    /// recommend (`nps10`) question.
    pub fn driver_outcome(&self) -> Option<&Question> {
        if let Some(key) = &self.drivers.outcome {
            return self.questions.iter().find(|q| &q.key == key);
        }
        let overall = |q: &&Question| {
            let text = q.match_text.to_lowercase();
            q.key == "overall"
                || ["整体满意", "总体满意", "overall satisfaction"]
                    .iter()
                    .any(|t| text.contains(t))
        };
        self.questions
            .iter()
            .find(overall)
            .or_else(|| self.questions.iter().find(|q| q.scale == Scale::Nps10))
    }

    /// The problem category of low answers to a question.
    pub fn question_category(&self, question: &Question) -> String {
        question.category.clone().unwrap_or_else(|| {
            self.indicator(&question.indicator)
                .map(|i| i.name.clone())
                .unwrap_or_else(|| question.indicator.clone())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_is_valid() {
        let config = Config::load(None).unwrap();
        assert!(config.departments.len() >= 8);
        assert!(config.sources.iter().any(|s| s.kind == SourceKind::Survey));
    }

    #[test]
    fn unknown_department_is_named() {
        let text = DEFAULT_CONFIG_TOML.replacen(
            "department = \"after_sales\"",
            "department = \"aftersales\"",
            1,
        );
        let err = Config::parse(&text, "x.toml").unwrap_err().to_string();
        assert!(err.contains("department 'aftersales'"), "{err}");
        assert!(err.starts_with("configuration x.toml"), "{err}");
    }

    /// Respondents are counted with a 128-bit set of departments (V19):
    /// 128 departments load, 129 are refused with the limit named.
    #[test]
    fn at_most_128_departments() {
        let extra = |n: usize| {
            (0..n)
                .map(|i| format!("[[departments]]\nkey = \"extra{i}\"\nname = \"部门{i}\"\n\n"))
                .collect::<String>()
        };
        let n_configured = Config::load(None).unwrap().departments.len();
        let with = |n: usize| format!("{}{DEFAULT_CONFIG_TOML}", extra(n));
        let at_limit = with(MAX_DEPARTMENTS_OR_INDICATORS - n_configured);
        assert_eq!(
            Config::parse(&at_limit, "x.toml")
                .unwrap()
                .departments
                .len(),
            128
        );
        let over = with(MAX_DEPARTMENTS_OR_INDICATORS + 1 - n_configured);
        let err = Config::parse(&over, "x.toml").unwrap_err().to_string();
        assert!(err.contains("129 [[departments]]"), "{err}");
        assert!(err.contains("up to 128"), "{err}");
    }

    #[test]
    fn unknown_field_is_rejected() {
        let text = format!("{DEFAULT_CONFIG_TOML}\n[extra]\nx = 1\n");
        let err = Config::parse(&text, "x.toml").unwrap_err().to_string();
        assert!(err.contains("unknown field"), "{err}");
    }

    #[test]
    fn target_cascades_from_company() {
        let config = Config::load(None).unwrap();
        let mut department = config.departments[0].clone();
        department.target = None;
        department.target_by_month.clear();
        assert_eq!(
            config.target_for(&department, "2026-10"),
            config.company.target
        );
        department.target = Some(70.0);
        department.target_by_month.insert("2026-10".into(), 75.0);
        assert_eq!(config.target_for(&department, "2026-10"), 75.0);
        assert_eq!(config.target_for(&department, "2026-09"), 70.0);
    }
}
