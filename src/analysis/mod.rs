//! Runs the SQL in `sql/analysis/` through the store and returns typed
//! results. Every figure in the report comes from here.

pub mod closed_loop;
pub mod comments;
pub mod drivers;
pub mod grading;

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
        key: "pareto",
        sql: include_str!("../../sql/analysis/pareto.sql"),
    },
    Query {
        key: "problem_sources",
        sql: include_str!("../../sql/analysis/problem_sources.sql"),
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
        key: "group_scores",
        sql: include_str!("../../sql/analysis/group_scores.sql"),
    },
    Query {
        key: "nps",
        sql: include_str!("../../sql/analysis/nps.sql"),
    },
    Query {
        key: "response_rates",
        sql: include_str!("../../sql/analysis/response_rates.sql"),
    },
    Query {
        key: "callback_summary",
        sql: include_str!("../../sql/analysis/callback_summary.sql"),
    },
    Query {
        key: "grading",
        sql: include_str!("../../sql/analysis/grading.sql"),
    },
    Query {
        key: "grading_criteria",
        sql: include_str!("../../sql/analysis/grading_criteria.sql"),
    },
    Query {
        key: "lifecycle_items",
        sql: include_str!("../../sql/analysis/lifecycle_items.sql"),
    },
    Query {
        key: "problem_groups",
        sql: include_str!("../../sql/analysis/problem_groups.sql"),
    },
    Query {
        key: "problem_items",
        sql: include_str!("../../sql/analysis/problem_items.sql"),
    },
    Query {
        key: "problem_details",
        sql: include_str!("../../sql/analysis/problem_details.sql"),
    },
    Query {
        key: "action_plan_items",
        sql: include_str!("../../sql/analysis/action_plan_items.sql"),
    },
    Query {
        key: "alert_candidates",
        sql: include_str!("../../sql/analysis/alert_candidates.sql"),
    },
    Query {
        key: "sources_in_month",
        sql: include_str!("../../sql/analysis/sources_in_month.sql"),
    },
    Query {
        key: "respondent_distribution",
        sql: include_str!("../../sql/analysis/respondent_distribution.sql"),
    },
    Query {
        key: "payment_terms",
        sql: include_str!("../../sql/analysis/payment_terms.sql"),
    },
    Query {
        key: "grading_previous_criteria",
        sql: include_str!("../../sql/analysis/grading_previous_criteria.sql"),
    },
    Query {
        key: "key_drivers",
        sql: include_str!("../../sql/analysis/key_drivers.sql"),
    },
    Query {
        key: "comments",
        sql: include_str!("../../sql/analysis/comments.sql"),
    },
];

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
    /// `company`, `indicator`, `department`, `channel`, `dealer` or `region`.
    pub dimension: String,
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
    pub view: String,
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
    pub kind: String,
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
#[derive(Debug, Clone, Default, Serialize)]
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
            .find(|p| p.view == "count")
            .map(|p| p.rows.clone())
            .unwrap_or_default();
        slice
            .groups
            .retain(|g| g.dimension == "company" || (g.dimension == "department" && g.key == key));
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
pub fn group_name(config: &Config, dimension: &str, key: &str) -> String {
    match dimension {
        "company" => config.company.name.clone(),
        "indicator" => config
            .indicator(key)
            .map_or_else(|| key.to_string(), |i| i.name.clone()),
        "department" => config
            .departments
            .iter()
            .find(|d| d.key == key)
            .map_or_else(|| key.to_string(), |d| d.name.clone()),
        "channel" => match key {
            "questionnaire" => "问卷调查".to_string(),
            "visit" => "现场走访".to_string(),
            k => k.strip_prefix("callback:").unwrap_or(k).to_string(),
        },
        _ => key.to_string(),
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

    let min_n = config.scores.min_n;
    let groups: Vec<GroupScore> = store
        .query(
            "group_scores",
            sql("group_scores"),
            &[
                Param::Text(month.to_string()),
                Param::Text(previous.clone()),
                Param::Text(last_year.clone()),
                Param::Int(min_n),
            ],
        )?
        .into_iter()
        .map(|row| {
            let dimension = row[0].as_text().unwrap_or_default();
            let key = row[1].as_text().unwrap_or_default();
            GroupScore {
                name: group_name(config, &dimension, &key),
                dimension,
                key,
                score: float(&row[2]).unwrap_or(f64::NAN),
                n_responses: row[3].as_i64().unwrap_or(0),
                n_answers: row[4].as_i64().unwrap_or(0),
                too_small: row[5].as_bool().unwrap_or(true),
                change_previous: float(&row[7]),
                significant_previous: row[8].as_bool().unwrap_or(false),
                change_last_year: float(&row[10]),
                significant_last_year: row[11].as_bool().unwrap_or(false),
            }
        })
        .collect();
    let departments = store
        .query(
            "department_scores",
            sql("department_scores"),
            &[
                Param::Text(month.to_string()),
                Param::Text(previous.clone()),
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
            n_responses: row[11].as_i64().unwrap_or(0),
            too_small: row[11].as_i64().unwrap_or(0) < config.scores.min_n,
            significant_previous: false,
            significant_last_year: false,
        })
        .collect::<Vec<DepartmentScore>>();

    let departments = departments
        .into_iter()
        .map(|mut d| {
            if let Some(g) = groups
                .iter()
                .find(|g| g.dimension == "department" && g.key == d.key)
            {
                d.significant_previous = g.significant_previous;
                d.significant_last_year = g.significant_last_year;
            }
            d
        })
        .collect();
    let nps = store
        .query(
            "nps",
            sql("nps"),
            &[
                Param::Text(previous.clone()),
                Param::Text(month.to_string()),
            ],
        )?
        .into_iter()
        .map(|row| NpsMonth {
            month: row[0].as_text().unwrap_or_default(),
            promoters: row[1].as_i64().unwrap_or(0),
            detractors: row[2].as_i64().unwrap_or(0),
            n_answers: row[3].as_i64().unwrap_or(0),
            nps: float(&row[4]).unwrap_or(f64::NAN),
        })
        .collect();
    let response_rates: Vec<ResponseRate> = store
        .query(
            "response_rates",
            sql("response_rates"),
            &[Param::Text(month.to_string())],
        )?
        .into_iter()
        .map(|row| ResponseRate {
            channel: row[0].as_text().unwrap_or_default(),
            sent: row[1].as_i64(),
            returned: row[2].as_i64().unwrap_or(0),
            rate: float(&row[3]),
            penalty: row[4].as_i64().unwrap_or(0),
            served: row[5].as_i64(),
            required: row[6].as_i64(),
            sufficient: row[7].as_bool(),
        })
        .collect();
    let penalty = response_rates
        .iter()
        .find(|r| r.channel == "questionnaire")
        .map_or(0, |r| r.penalty);
    let mut callbacks: Vec<CallbackSummary> = Vec::new();
    for row in store.query(
        "callback_summary",
        sql("callback_summary"),
        &[Param::Text(month.to_string())],
    )? {
        let callback_type = row[0].as_text().unwrap_or_default();
        if callbacks
            .last()
            .is_none_or(|c| c.callback_type != callback_type)
        {
            callbacks.push(CallbackSummary {
                callback_type,
                planned: row[1].as_i64().unwrap_or(0),
                reached: row[2].as_i64().unwrap_or(0),
                reach_rate: float(&row[3]).unwrap_or(0.0),
                problems: row[4].as_i64().unwrap_or(0),
                dimensions: Vec::new(),
            });
        }
        if let (Some(key), Some(average)) = (row[5].as_text(), float(&row[6])) {
            let current = callbacks.last_mut().expect("pushed above");
            let name = config
                .questions
                .iter()
                .find(|q| q.key == key)
                .map_or(key, |q| q.match_text.clone());
            current
                .dimensions
                .push((name, average, row[7].as_i64().unwrap_or(0)));
        }
    }

    let mut paretos: Vec<ParetoRanking> = Vec::new();
    for row in store.query(
        "pareto",
        sql("pareto"),
        &[
            Param::Text(month.to_string()),
            Param::Text(previous.clone()),
        ],
    )? {
        let view = row[0].as_text().unwrap_or_default();
        let scope = row[1].as_text().unwrap_or_default();
        if paretos
            .last()
            .is_none_or(|p| p.view != view || p.scope != scope)
        {
            let scope_name = match scope.as_str() {
                "company" => "全公司".to_string(),
                "" => "未指定部门".to_string(),
                key => group_name(config, "department", key),
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
                rank: row[2].as_i64().unwrap_or(0),
                category: row[3].as_text().unwrap_or_default(),
                count: row[4].as_i64().unwrap_or(0),
                weighted: float(&row[5]).unwrap_or(0.0),
                share: float(&row[6]).unwrap_or(0.0),
                cumulative_share: float(&row[7]).unwrap_or(0.0),
                vital_few: row[8].as_bool().unwrap_or(false),
                previous_count: row[9].as_i64().unwrap_or(0),
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
        (a.view != "count", position(&a.scope), &a.scope).cmp(&(
            b.view != "count",
            position(&b.scope),
            &b.scope,
        ))
    });
    let pareto = paretos
        .iter()
        .find(|p| p.view == "count" && p.scope == "company")
        .map(|p| p.rows.clone())
        .unwrap_or_default();
    let problem_sources = store
        .query(
            "problem_sources",
            sql("problem_sources"),
            &[Param::Text(month.to_string())],
        )?
        .into_iter()
        .map(|row| ProblemSource {
            kind: row[0].as_text().unwrap_or_default(),
            keyword: row[2].as_text(),
            category: row[3].as_text(),
            hits: row[4].as_i64().unwrap_or(0),
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
    let mut n_rejected_total = 0;
    let rejected = store
        .query(
            "data_quality_rejected",
            sql("data_quality_rejected"),
            &[
                Param::Text(month.to_string()),
                Param::Int(i64::from(config.report.refused_cells_shown.max(1))),
            ],
        )?
        .into_iter()
        .map(|row| {
            n_rejected_total = row[6].as_i64().unwrap_or(0);
            RejectedRow {
                file_name: text(&row[0]),
                sheet: text(&row[1]),
                row_number: row[2].as_i64().unwrap_or(0),
                column: text(&row[3]),
                value: text(&row[4]),
                expected: text(&row[5]),
            }
        })
        .collect();

    let (year, month_number) = parse_month(month).expect("month is YYYY-MM");
    let month_end = NaiveDate::from_ymd_opt(year, month_number, 1)
        .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
        .and_then(|d| d.pred_opt())
        .expect("valid month");
    let customer_terms = store
        .query(
            "payment_terms",
            sql("payment_terms"),
            &[
                Param::Date(month_end),
                Param::Float(config.grading.min_margin_rate),
                Param::Int(config.grading.late_payments_per_quarter),
            ],
        )?
        .into_iter()
        .map(|row| {
            let terms_grade = row[5].as_text().unwrap_or_default();
            CustomerTerms {
                customer_id: row[0].as_text().unwrap_or_default(),
                name: row[1].as_text().unwrap_or_default(),
                grade: row[2].as_text().unwrap_or_default(),
                graded_on: row[3].as_text().unwrap_or_default(),
                late_in_a_quarter: row[4].as_i64().unwrap_or(0),
                payment_terms: config
                    .grading
                    .policies
                    .iter()
                    .find(|p| p.grade == terms_grade)
                    .map(|p| p.payment_terms.clone())
                    .unwrap_or_default(),
                terms_grade,
            }
        })
        .collect();

    let closed_loop = closed_loop::closed_loop(store, config, month, month_end)?;

    let mut band_counts = [0i64; 4];
    let mut histogram = [0i64; 10];
    for row in store.query(
        "respondent_distribution",
        sql("respondent_distribution"),
        &[Param::Text(month.to_string())],
    )? {
        let bin = row[0].as_i64().unwrap_or(0).clamp(0, 9) as usize;
        histogram[bin] = row[1].as_i64().unwrap_or(0);
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

    #[test]
    fn bands_have_inclusive_lower_bounds() {
        assert_eq!(Band::of(80.0), Band::VerySatisfied);
        assert_eq!(Band::of(79.99), Band::Satisfied);
        assert_eq!(Band::of(70.0), Band::Satisfied);
        assert_eq!(Band::of(60.0), Band::Average);
        assert_eq!(Band::of(59.9), Band::Dissatisfied);
    }
}
