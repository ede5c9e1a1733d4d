//! The typed results of the analyses: what the report renders.

use serde::Serialize;

use super::kinds::{CategorisedBy, GroupKind, ParetoView};
use super::{closed_loop, comments, drivers};

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
    /// rate < threshold: the penalty rule applies (`None` when the rate is
    /// unknown).
    pub below_threshold: Option<bool>,
    /// The response-rate threshold in percent, as `response_rates.sql`
    /// states the rule (SPEC "Scores").
    pub threshold: f64,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_have_inclusive_lower_bounds() {
        assert_eq!(Band::of(80.0), Band::VerySatisfied);
        assert_eq!(Band::of(79.99), Band::Satisfied);
        assert_eq!(Band::of(70.0), Band::Satisfied);
        assert_eq!(Band::of(60.0), Band::Average);
        assert_eq!(Band::of(59.9), Band::Dissatisfied);
    }
}
