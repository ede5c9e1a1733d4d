//! The monthly results: every figure of the monthly report, from the
//! queries of the catalog.

use super::queries::*;
use super::results::*;
use super::{closed_loop, comments, drivers, group_name};
use super::{GroupKind, ParetoView};
use crate::config::Config;
use crate::month::Month;
use crate::store::{Param, Store, StoreError};

/// Computes the monthly results for `month`.
///
/// # Errors
/// A query fails.
pub fn monthly(
    store: &mut Store,
    config: &Config,
    month: Month,
) -> Result<MonthlyResults, StoreError> {
    let previous = month.shift(-1).to_string();
    let last_year = month.shift(-12).to_string();
    store.sync_config(config, &[month.to_string()])?;
    let trend_from = month.shift(-12).to_string();
    store.snapshot_group_scores([&month.to_string(), &previous, &last_year], &trend_from)?;
    store.snapshot_problems([&month.to_string(), &previous])?;

    let trend: Vec<CompanyMonth> = COMPANY_SATISFACTION
        .run(
            store,
            &[Param::Text(trend_from), Param::Text(month.to_string())],
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
    let company = trend.iter().find(|m| m.month == month.to_string()).cloned();

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
                below_threshold: row.opt_bool("below_threshold")?,
                threshold: row.f64("threshold")?,
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

    let month_end = month.last_day();
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
