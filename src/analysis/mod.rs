//! Runs the SQL in `sql/analysis/` through the store and returns typed
//! results. Every figure in the report comes from here.

pub mod closed_loop;
pub mod comments;
pub mod drivers;
pub mod grading;
pub mod kinds;

use chrono::NaiveDate;
use serde::Serialize;

use crate::config::Config;
use crate::store::{Param, Row, Store, StoreError};
pub use kinds::{CategorisedBy, GroupKind, ItemKind, ParetoView, ProblemOrigin};

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
    /// Respondents behind the score.
    pub n_responses: i64,
    /// Fewer respondents than `[scores] min_n`: shown as "n too small".
    pub too_small: bool,
    /// The change against last month is outside the noise.
    pub significant_previous: bool,
    /// The change against last year is outside the noise.
    pub significant_last_year: bool,
}

/// The satisfaction of one group (indicator, channel, dealer, region, …).
#[derive(Debug, Clone, Serialize)]
pub struct GroupScore {
    /// What it groups by.
    pub dimension: GroupKind,
    /// The group (indicator key, channel, dealer name …).
    pub key: String,
    /// Display name.
    pub name: String,
    /// M in percent.
    pub score: f64,
    /// Respondents.
    pub n_responses: i64,
    /// Answers.
    pub n_answers: i64,
    /// Fewer respondents than `[scores] min_n`.
    pub too_small: bool,
    /// Change against last month, points.
    pub change_previous: Option<f64>,
    /// Outside the noise (Welch z-test, 95 %).
    pub significant_previous: bool,
    /// Change against the same month last year, points.
    pub change_last_year: Option<f64>,
    /// Outside the noise.
    pub significant_last_year: bool,
}

/// Net Promoter Score of a month.
#[derive(Debug, Clone, Serialize)]
pub struct NpsMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// Answers 9–10.
    pub promoters: i64,
    /// Answers 0–6.
    pub detractors: i64,
    /// Answers.
    pub n_answers: i64,
    /// % promoters − % detractors.
    pub nps: f64,
}

/// Response rate and sample check of a channel.
#[derive(Debug, Clone, Serialize)]
pub struct ResponseRate {
    /// Channel (`questionnaire`, …).
    pub channel: String,
    /// Questionnaires sent, when known.
    pub sent: Option<i64>,
    /// Responses returned.
    pub returned: i64,
    /// returned / sent, percent.
    pub rate: Option<f64>,
    /// Points taken off satisfaction (1 per full 5 points below 50 %).
    pub penalty: i64,
    /// Customers served, when known.
    pub served: Option<i64>,
    /// Responses needed: ⌈10 + 5 % · served⌉.
    pub required: Option<i64>,
    /// returned ≥ required.
    pub sufficient: Option<bool>,
}

/// One callback type's month.
#[derive(Debug, Clone, Serialize)]
pub struct CallbackSummary {
    /// 安装回访, 三个月回访 …
    pub callback_type: String,
    /// Planned or made in the month.
    pub planned: i64,
    /// Reached.
    pub reached: i64,
    /// reached / planned, percent.
    pub reach_rate: f64,
    /// Reached calls with a remark or a low answer.
    pub problems: i64,
    /// (dimension, average on its scale, answers), per dimension.
    pub dimensions: Vec<(String, f64, i64)>,
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
    /// Severity-weighted count.
    pub weighted: f64,
    /// Problems of this category last month, in the same scope.
    pub previous_count: i64,
}

/// One Pareto ranking: a view (`count` or `weighted`) of a scope (the
/// company, a department, or problems no department owns).
#[derive(Debug, Clone, Serialize)]
pub struct ParetoRanking {
    /// `count` or `weighted`.
    pub view: ParetoView,
    /// `company`, a department key, or `` (no department).
    pub scope: String,
    /// 全公司, the department's name, or 未指定部门.
    pub scope_name: String,
    /// Categories in rank order.
    pub rows: Vec<ParetoRow>,
}

/// How the month's problems were categorised: one keyword rule and its
/// hits, or a count by another way (`record`, `question`, `none`) or of
/// excluded complaints (`excluded`).
#[derive(Debug, Clone, Serialize)]
pub struct ProblemSource {
    /// `keyword`, `record`, `question`, `none` or `excluded`.
    pub kind: CategorisedBy,
    /// The rule's keyword (keyword rules only).
    pub keyword: Option<String>,
    /// The rule's category (keyword rules only).
    pub category: Option<String>,
    /// Problems.
    pub hits: i64,
}

/// A customer's grade and the payment terms in force at the month's end.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerTerms {
    /// Customer id.
    pub customer_id: String,
    /// Name.
    pub name: String,
    /// Grade of the latest grading run.
    pub grade: String,
    /// That run's as-of date.
    pub graded_on: String,
    /// Most late payments in this or the last quarter.
    pub late_in_a_quarter: i64,
    /// The grade whose payment terms apply.
    pub terms_grade: String,
    /// Those terms, from the grade policies.
    pub payment_terms: String,
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
    /// Company Pareto by count (the summary's largest problems).
    pub pareto: Vec<ParetoRow>,
    /// Every ranking: company and each department, by count and weighted.
    pub paretos: Vec<ParetoRanking>,
    /// Keyword-rule hits and the other ways problems were categorised.
    pub problem_sources: Vec<ProblemSource>,
    /// Files behind the month.
    pub files: Vec<FileUsed>,
    /// Cells and rows refused in those files.
    pub rejected: Vec<RejectedRow>,
    /// Refused cells and rows in all (`rejected` holds the first
    /// `[report] refused_cells_shown` of them).
    pub n_rejected_total: i64,
    /// `[report] problem_items_per_department`, printed on 问题清单.
    pub problem_items_per_department: u32,
    /// Every group's score (company, indicators, departments, channels,
    /// dealers, regions).
    pub groups: Vec<GroupScore>,
    /// NPS of the report month and the month before (when answered).
    pub nps: Vec<NpsMonth>,
    /// Response rates and sample checks of the month.
    pub response_rates: Vec<ResponseRate>,
    /// Points taken off company satisfaction for the questionnaire's
    /// response rate.
    pub penalty: i64,
    /// Phone-callback summary per type.
    pub callbacks: Vec<CallbackSummary>,
    /// `[scores] min_n`.
    pub min_n: i64,
    /// Customers' grades and payment terms at the month's end.
    pub customer_terms: Vec<CustomerTerms>,
    /// Complaints, proposals, problems and action plans at the month's end.
    pub closed_loop: closed_loop::ClosedLoop,
    /// Respondents per band (非常满意, 满意, 一般, 不满意).
    pub band_counts: [i64; 4],
    /// Respondents per 10-point bin of their own M (0–10 … 90–100).
    pub histogram: [i64; 10],
    /// Which questions drive the outcome question (关键驱动因素).
    pub drivers: drivers::KeyDrivers,
    /// What customers wrote, by topic (客户原声).
    pub comments: comments::CommentTopics,
}

impl MonthlyResults {
    /// The slice a department receives: its own score, Pareto, problems,
    /// complaints, proposals and action plans; company-wide figures stay on
    /// the summary, customer and file details are left out.
    pub fn department_slice(&self, key: &str, name: &str) -> MonthlyResults {
        let mut slice = self.clone();
        slice.departments.retain(|d| d.key == key);
        slice.paretos.retain(|p| p.scope == key);
        slice.pareto = slice
            .paretos
            .iter()
            .find(|p| p.view == ParetoView::Count)
            .map(|p| p.rows.clone())
            .unwrap_or_default();
        slice.groups.retain(|g| {
            g.dimension == GroupKind::Company
                || (g.dimension == GroupKind::Department && g.key == key)
        });
        slice.callbacks.clear();
        slice.customer_terms.clear();
        slice.files.clear();
        slice.rejected.clear();
        slice.n_rejected_total = 0;
        slice.problem_sources.clear();
        // Drivers the department answers for; customers' own words stay out.
        for view in [&mut slice.drivers.month, &mut slice.drivers.three_months] {
            view.drivers.retain(|d| d.department == key);
        }
        slice.comments = comments::CommentTopics::default();
        let loop_ = &mut slice.closed_loop;
        loop_.items.retain(|i| i.department == name);
        loop_.problems.retain(|p| p.department == name);
        loop_.problem_groups.retain(|g| g.department == name);
        loop_.n_problem_groups = loop_.problem_groups.len() as i64;
        loop_.problem_departments.retain(|d| d.department == name);
        loop_.tracking.retain(|t| t.department == name);
        loop_.flagged.retain(|f| f.department == name);
        slice
    }

    /// Company satisfaction after the response-rate penalty.
    pub fn company_satisfaction(&self) -> Option<f64> {
        self.company
            .as_ref()
            .map(|c| c.satisfaction - self.penalty as f64)
    }
}

/// The display name of a group: an indicator's or department's configured
/// name, a channel in words (问卷, 安装回访 …), else the key itself.
pub fn group_name(config: &Config, dimension: GroupKind, key: &str) -> String {
    match dimension {
        GroupKind::Company => config.company.name.clone(),
        GroupKind::Indicator => config
            .indicator(key)
            .map_or_else(|| key.to_string(), |i| i.name.clone()),
        GroupKind::Department => config
            .departments
            .iter()
            .find(|d| d.key == key)
            .map_or_else(|| key.to_string(), |d| d.name.clone()),
        GroupKind::Channel => match key {
            "questionnaire" => "问卷调查".to_string(),
            "visit" => "现场走访".to_string(),
            k => k.strip_prefix("callback:").unwrap_or(k).to_string(),
        },
        GroupKind::Dealer | GroupKind::Region => key.to_string(),
    }
}

/// Adds `delta` months to `YYYY-MM`.
///
/// # Panics
/// When `month` is not `YYYY-MM` (callers validate user input first).
pub fn shift_month(month: &str, delta: i32) -> String {
    let month: crate::month::Month = month.parse().expect("month is YYYY-MM");
    month.shift(delta).to_string()
}

/// Parses `YYYY-MM` into (year, month).
pub fn parse_month(month: &str) -> Option<(i32, u32)> {
    let month: crate::month::Month = month.parse().ok()?;
    Some((month.year(), month.number()))
}

/// The month before the one containing `date` (the month a report run on
/// `date` reports on).
pub fn previous_month(date: NaiveDate) -> String {
    crate::month::Month::before(date).to_string()
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

    let trend: Vec<CompanyMonth> = COMPANY_SATISFACTION
        .run(
            store,
            &[
                Param::Text(shift_month(month, -12)),
                Param::Text(month.to_string()),
            ],
        )?
        .into_iter()
        .map(|row| {
            Ok(CompanyMonth {
                month: row.text("month")?,
                satisfaction: row.f64("satisfaction")?,
                n_answers: row.i64("n_answers")?,
                n_responses: row.i64("n_responses")?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    let company = trend.iter().find(|m| m.month == month).cloned();

    let min_n = config.scores.min_n;
    let groups: Vec<GroupScore> = GROUP_SCORES
        .run(
            store,
            &[
                Param::Text(month.to_string()),
                Param::Text(previous.clone()),
                Param::Text(last_year.clone()),
                Param::Int(min_n),
            ],
        )?
        .into_iter()
        .map(|row| {
            let dimension: GroupKind = row.parse("dimension")?;
            let key = row.text("group_key")?;
            Ok(GroupScore {
                name: group_name(config, dimension, &key),
                dimension,
                key,
                score: row.f64("score")?,
                n_responses: row.i64("n_responses")?,
                n_answers: row.i64("n_answers")?,
                too_small: row.bool("too_small")?,
                change_previous: row.opt_f64("change_previous")?,
                significant_previous: row.bool("significant_previous")?,
                change_last_year: row.opt_f64("change_last_year")?,
                significant_last_year: row.bool("significant_last_year")?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    let departments = DEPARTMENT_SCORES
        .run(
            store,
            &[
                Param::Text(month.to_string()),
                Param::Text(previous.clone()),
                Param::Text(last_year),
                Param::Int(min_n),
            ],
        )?
        .into_iter()
        .map(|row| {
            Ok(DepartmentScore {
                key: row.text("department")?,
                name: row.text("name")?,
                score: row.opt_f64("score")?,
                n_answers: row.i64("n_answers")?,
                target: row.f64("target")?,
                gap: row.opt_f64("gap")?,
                met: row.opt_bool("met")?,
                previous_score: row.opt_f64("previous_score")?,
                change_previous: row.opt_f64("change_previous")?,
                last_year_score: row.opt_f64("last_year_score")?,
                change_last_year: row.opt_f64("change_last_year")?,
                n_responses: row.i64("n_responses")?,
                too_small: row.bool("too_small")?,
                significant_previous: false,
                significant_last_year: false,
            })
        })
        .collect::<Result<Vec<DepartmentScore>, StoreError>>()?;

    let departments = departments
        .into_iter()
        .map(|mut d| {
            if let Some(g) = groups
                .iter()
                .find(|g| g.dimension == GroupKind::Department && g.key == d.key)
            {
                d.significant_previous = g.significant_previous;
                d.significant_last_year = g.significant_last_year;
            }
            d
        })
        .collect();
    let nps = NPS
        .run(
            store,
            &[
                Param::Text(previous.clone()),
                Param::Text(month.to_string()),
            ],
        )?
        .into_iter()
        .map(|row| {
            Ok(NpsMonth {
                month: row.text("month")?,
                promoters: row.i64("promoters")?,
                detractors: row.i64("detractors")?,
                n_answers: row.i64("n_answers")?,
                nps: row.f64("nps")?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    let response_rates: Vec<ResponseRate> = RESPONSE_RATES
        .run(store, &[Param::Text(month.to_string())])?
        .into_iter()
        .map(|row| {
            Ok(ResponseRate {
                channel: row.text("channel")?,
                sent: row.opt_i64("sent")?,
                returned: row.i64("returned")?,
                rate: row.opt_f64("rate")?,
                penalty: row.i64("penalty")?,
                served: row.opt_i64("served")?,
                required: row.opt_i64("required")?,
                sufficient: row.opt_bool("sufficient")?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    let penalty = response_rates
        .iter()
        .find(|r| r.channel == "questionnaire")
        .map_or(0, |r| r.penalty);
    let mut callbacks: Vec<CallbackSummary> = Vec::new();
    for row in CALLBACK_SUMMARY.run(store, &[Param::Text(month.to_string())])? {
        let callback_type = row.text("callback_type")?;
        if callbacks
            .last()
            .is_none_or(|c| c.callback_type != callback_type)
        {
            callbacks.push(CallbackSummary {
                callback_type,
                planned: row.i64("planned")?,
                reached: row.i64("reached")?,
                reach_rate: row.f64("reach_rate")?,
                problems: row.i64("problems")?,
                dimensions: Vec::new(),
            });
        }
        // A type without answered dimensions has one row of NULLs here.
        if let (Some(key), Some(average)) = (row.opt_text("question_key")?, row.opt_f64("average")?)
        {
            let current = callbacks.last_mut().expect("pushed above");
            let name = config
                .questions
                .iter()
                .find(|q| q.key == key)
                .map_or(key, |q| q.match_text.clone());
            current
                .dimensions
                .push((name, average, row.i64("n_answers")?));
        }
    }

    let mut paretos: Vec<ParetoRanking> = Vec::new();
    for row in PARETO.run(
        store,
        &[
            Param::Text(month.to_string()),
            Param::Text(previous.clone()),
        ],
    )? {
        let view: ParetoView = row.parse("view")?;
        let scope = row.text("scope")?;
        if paretos
            .last()
            .is_none_or(|p| p.view != view || p.scope != scope)
        {
            let scope_name = match scope.as_str() {
                "company" => "全公司".to_string(),
                "" => "未指定部门".to_string(),
                key => group_name(config, GroupKind::Department, key),
            };
            paretos.push(ParetoRanking {
                view,
                scope,
                scope_name,
                rows: Vec::new(),
            });
        }
        paretos
            .last_mut()
            .expect("pushed above")
            .rows
            .push(ParetoRow {
                rank: row.i64("rank")?,
                category: row.text("category")?,
                count: row.i64("n")?,
                weighted: row.f64("weighted")?,
                share: row.f64("share")?,
                cumulative_share: row.f64("cumulative_share")?,
                vital_few: row.bool("vital_few")?,
                previous_count: row.i64("previous_n")?,
            });
    }
    // Departments in configuration order, then problems no department owns.
    let position = |scope: &str| match scope {
        "company" => 0,
        "" => usize::MAX,
        key => {
            1 + config
                .departments
                .iter()
                .position(|d| d.key == key)
                .unwrap_or(config.departments.len())
        }
    };
    paretos.sort_by(|a, b| {
        (a.view != ParetoView::Count, position(&a.scope), &a.scope).cmp(&(
            b.view != ParetoView::Count,
            position(&b.scope),
            &b.scope,
        ))
    });
    let pareto = paretos
        .iter()
        .find(|p| p.view == ParetoView::Count && p.scope == "company")
        .map(|p| p.rows.clone())
        .unwrap_or_default();
    let problem_sources = PROBLEM_SOURCES
        .run(store, &[Param::Text(month.to_string())])?
        .into_iter()
        .map(|row| {
            Ok(ProblemSource {
                kind: row.parse("kind")?,
                keyword: row.opt_text("keyword")?,
                category: row.opt_text("category")?,
                hits: row.i64("hits")?,
            })
        })
        .collect::<Result<_, StoreError>>()?;

    let month_param = [Param::Text(month.to_string())];
    let files = DATA_QUALITY_FILES
        .run(store, &month_param)?
        .into_iter()
        .map(|row| {
            Ok(FileUsed {
                file_name: row.text("file_name")?,
                source: row.text("source")?,
                kind: row.text("kind")?,
                loaded_on: row.text("loaded_on")?,
                n_rows: row.i64("n_rows")?,
                n_loaded: row.i64("n_loaded")?,
                n_rejected: row.i64("n_rejected")?,
                n_rows_in_month: row.i64("n_rows_in_month")?,
                n_superseded: row.i64("n_superseded")?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    let mut n_rejected_total = 0;
    let rejected = DATA_QUALITY_REJECTED
        .run(
            store,
            &[
                Param::Text(month.to_string()),
                Param::Int(i64::from(config.report.refused_cells_shown.max(1))),
            ],
        )?
        .into_iter()
        .map(|row| {
            n_rejected_total = row.i64("n_total")?;
            Ok(RejectedRow {
                file_name: row.text("file_name")?,
                sheet: row.text("sheet")?,
                row_number: row.i64("row_number")?,
                column: row.text("column_name")?,
                value: row.text("value")?,
                expected: row.text("expected")?,
            })
        })
        .collect::<Result<_, StoreError>>()?;

    let (year, month_number) = parse_month(month).expect("month is YYYY-MM");
    let month_end = NaiveDate::from_ymd_opt(year, month_number, 1)
        .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
        .and_then(|d| d.pred_opt())
        .expect("valid month");
    let customer_terms = PAYMENT_TERMS
        .run(
            store,
            &[
                Param::Date(month_end),
                Param::Float(config.grading.min_margin_rate),
                Param::Int(config.grading.late_payments_per_quarter),
            ],
        )?
        .into_iter()
        .map(|row| {
            let terms_grade = row.text("terms_grade")?;
            Ok(CustomerTerms {
                customer_id: row.text("customer_id")?,
                name: row.text("name")?,
                grade: row.text("grade")?,
                graded_on: row.text("graded_on")?,
                late_in_a_quarter: row.i64("late_in_a_quarter")?,
                payment_terms: config
                    .grading
                    .policies
                    .iter()
                    .find(|p| p.grade == terms_grade)
                    .map(|p| p.payment_terms.clone())
                    .unwrap_or_default(),
                terms_grade,
            })
        })
        .collect::<Result<_, StoreError>>()?;

    let closed_loop = closed_loop::closed_loop(store, config, month, month_end)?;

    let mut band_counts = [0i64; 4];
    let mut histogram = [0i64; 10];
    for row in RESPONDENT_DISTRIBUTION.run(store, &[Param::Text(month.to_string())])? {
        let bin = row.i64("bin")?.clamp(0, 9) as usize;
        histogram[bin] = row.i64("n")?;
    }
    for (bin, n) in histogram.iter().enumerate() {
        let band = match Band::of(bin as f64 * 10.0) {
            Band::VerySatisfied => 0,
            Band::Satisfied => 1,
            Band::Average => 2,
            Band::Dissatisfied => 3,
        };
        band_counts[band] += n;
    }

    let drivers = drivers::key_drivers(store, config, month)?;
    let comments = comments::comment_topics(store, config, month)?;

    Ok(MonthlyResults {
        drivers,
        comments,
        band_counts,
        histogram,
        closed_loop,
        customer_terms,
        paretos,
        problem_sources,
        groups,
        nps,
        response_rates,
        penalty,
        callbacks,
        min_n,
        month: month.to_string(),
        files,
        rejected,
        n_rejected_total,
        problem_items_per_department: config.report.problem_items_per_department,
        company_name: config.company.name.clone(),
        company_target: config.company.target,
        company,
        trend,
        departments,
        pareto,
    })
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

    #[test]
    fn bands_have_inclusive_lower_bounds() {
        assert_eq!(Band::of(80.0), Band::VerySatisfied);
        assert_eq!(Band::of(79.99), Band::Satisfied);
        assert_eq!(Band::of(70.0), Band::Satisfied);
        assert_eq!(Band::of(60.0), Band::Average);
        assert_eq!(Band::of(59.9), Band::Dissatisfied);
    }
}
