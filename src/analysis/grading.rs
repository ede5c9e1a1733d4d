//! Customer grading (客户分级): runs `sql/analysis/grading*.sql` with the
//! configured rules, explains every change with reason codes, and orders the
//! result the way a sales director reads it (upgrades, downgrades, customers
//! at risk first).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::{GRADING, GRADING_CRITERIA, GRADING_PREVIOUS_CRITERIA};
use crate::config::{Config, GradePolicy, GradingMethod};
use crate::store::{
    CriterionRecord, GradedCustomerRecord, GradingRecord, Param, Store, StoreError,
};

/// One criterion of one customer.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CriterionScore {
    /// Criterion key.
    pub key: String,
    /// Display name.
    pub name: String,
    /// The measured value (numeric measures).
    pub value: Option<f64>,
    /// The measured value (text measures).
    pub text_value: Option<String>,
    /// Points 0–100.
    pub points: f64,
    /// Weight of the criterion.
    pub weight: f64,
}

/// How a customer's grade moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Change {
    /// Better than before.
    Up,
    /// Worse than before.
    Down,
    /// Unchanged.
    Same,
    /// No earlier grade.
    New,
}

/// One customer's grading.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GradedCustomer {
    /// Customer id.
    pub customer_id: String,
    /// Name.
    pub name: String,
    /// 普通商, 加盟商, OEM …
    pub customer_type: Option<String>,
    /// Months since business started.
    pub months_of_business: i64,
    /// Score out of 100 (2 decimals).
    pub score: Option<f64>,
    /// Rank among established customers (ties share a rank).
    pub rank: Option<i64>,
    /// New grade.
    pub grade: String,
    /// Grade before (last grading run, else the customer master).
    pub old_grade: Option<String>,
    /// How the grade moved.
    pub change: Change,
    /// The grade whose payment terms apply (one lower after late payments).
    pub payment_terms_grade: String,
    /// Under the configured months of business.
    pub provisional: bool,
    /// Dissatisfied answers or open complaints.
    pub at_risk: bool,
    /// Most late payments in this or the last quarter.
    pub late_in_a_quarter: i64,
    /// Average monthly order amount, 12 months.
    pub monthly_orders: f64,
    /// Share of sales in on-margin months, %.
    pub on_margin_share: f64,
    /// Every criterion's value and points.
    pub criteria: Vec<CriterionScore>,
    /// Reason codes, with their detail.
    pub reasons: Vec<String>,
    /// What the grade gets; terms follow `payment_terms_grade`.
    pub policy: Option<GradePolicy>,
    /// Payment terms of `payment_terms_grade`.
    pub payment_terms: Option<String>,
}

/// A grading of every customer as of one day.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Grading {
    /// The as-of date.
    pub as_of: NaiveDate,
    /// The configured rules' version.
    pub rule_version: String,
    /// `score` or `thresholds`.
    pub method: String,
    /// How grade boundaries were drawn, in words.
    pub boundary_rule: String,
    /// Customers: upgrades, downgrades, at risk, then the rest by score.
    pub customers: Vec<GradedCustomer>,
}

impl Grading {
    /// The grading as the store records it (reasons joined with `；`).
    pub fn to_record(&self) -> GradingRecord {
        GradingRecord {
            as_of: self.as_of,
            rule_version: self.rule_version.clone(),
            method: self.method.clone(),
            customers: self
                .customers
                .iter()
                .map(|c| GradedCustomerRecord {
                    customer_id: c.customer_id.clone(),
                    name: c.name.clone(),
                    customer_type: c.customer_type.clone(),
                    months_of_business: c.months_of_business,
                    score: c.score,
                    rank: c.rank,
                    grade: c.grade.clone(),
                    old_grade: c.old_grade.clone(),
                    payment_terms_grade: c.payment_terms_grade.clone(),
                    provisional: c.provisional,
                    at_risk: c.at_risk,
                    reasons: c.reasons.join("；"),
                    criteria: c
                        .criteria
                        .iter()
                        .map(|criterion| CriterionRecord {
                            key: criterion.key.clone(),
                            value: criterion.value,
                            text_value: criterion.text_value.clone(),
                            points: criterion.points,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

const GRADES: [&str; 4] = ["A", "B", "C", "D"];

fn grade_index(grade: &str) -> usize {
    GRADES
        .iter()
        .position(|g| *g == grade)
        .unwrap_or(GRADES.len())
}

/// Grades every customer as of `as_of` with the configured rules (nothing
/// is recorded; see [`Grading::to_record`] and [`Store::record_grading`]).
///
/// # Errors
/// A query fails.
pub fn grade(store: &mut Store, config: &Config, as_of: NaiveDate) -> Result<Grading, StoreError> {
    let rules = &config.grading;
    store.sync_config(config, &[])?;
    let method = match rules.method {
        GradingMethod::Score => "score",
        GradingMethod::Thresholds => "thresholds",
    };
    let mut criteria: BTreeMap<String, Vec<CriterionScore>> = BTreeMap::new();
    for row in GRADING_CRITERIA.run(
        store,
        &[Param::Date(as_of), Param::Float(rules.min_margin_rate)],
    )? {
        criteria
            .entry(row.text("customer_id")?)
            .or_default()
            .push(CriterionScore {
                key: row.text("key")?,
                name: row.text("name")?,
                value: row.opt_f64("value")?,
                text_value: row.opt_text("text_value")?,
                points: row.f64("points")?,
                weight: row.f64("weight")?,
            });
    }
    let mut previous: BTreeMap<(String, String), f64> = BTreeMap::new();
    for row in GRADING_PREVIOUS_CRITERIA.run(store, &[Param::Date(as_of)])? {
        previous.insert(
            (row.text("customer_id")?, row.text("criterion")?),
            row.f64("points")?,
        );
    }
    let [share_a, share_b, share_c] = rules.shares;
    let rows = GRADING.run(
        store,
        &[
            Param::Date(as_of),
            Param::Float(rules.min_margin_rate),
            Param::Float(share_a),
            Param::Float(share_b),
            Param::Float(share_c),
            Param::Int(rules.provisional_months),
            Param::Text(rules.provisional_grade.clone()),
            Param::Int(rules.late_payments_per_quarter),
            Param::Text(method.to_string()),
            Param::Text(rules.fallback_grade.clone()),
            Param::Float(rules.at_risk_below),
        ],
    )?;
    let mut customers: Vec<GradedCustomer> = rows
        .into_iter()
        .map(|row| {
            let customer_id = row.text("customer_id")?;
            let grade = row.text("grade")?;
            let old_grade = row.opt_text("old_grade")?;
            let payment_terms_grade = row.text("payment_terms_grade")?;
            let dissatisfied = row.bool("dissatisfied")?;
            let open_complaint = row.bool("open_complaint")?;
            let mut customer = GradedCustomer {
                name: row.text("name")?,
                customer_type: row.opt_text("customer_type")?,
                months_of_business: row.i64("months_of_business")?,
                score: row.opt_f64("score")?,
                rank: row.opt_i64("rank")?,
                change: match &old_grade {
                    None => Change::New,
                    Some(old) => match grade_index(&grade).cmp(&grade_index(old)) {
                        std::cmp::Ordering::Less => Change::Up,
                        std::cmp::Ordering::Greater => Change::Down,
                        std::cmp::Ordering::Equal => Change::Same,
                    },
                },
                provisional: row.bool("provisional")?,
                at_risk: dissatisfied || open_complaint,
                late_in_a_quarter: row.i64("late_in_a_quarter")?,
                monthly_orders: row.f64("monthly_orders")?,
                on_margin_share: row.f64("on_margin_share")?,
                criteria: criteria.remove(&customer_id).unwrap_or_default(),
                reasons: Vec::new(),
                policy: rules.policies.iter().find(|p| p.grade == grade).cloned(),
                payment_terms: rules
                    .policies
                    .iter()
                    .find(|p| p.grade == payment_terms_grade)
                    .map(|p| p.payment_terms.clone()),
                customer_id,
                grade,
                old_grade,
                payment_terms_grade,
            };
            customer.reasons = reasons(&customer, dissatisfied, open_complaint, &previous, config);
            Ok(customer)
        })
        .collect::<Result<_, StoreError>>()?;
    let priority = |c: &GradedCustomer| match (c.change, c.at_risk) {
        (Change::Up, _) => 0,
        (Change::Down, _) => 1,
        (_, true) => 2,
        _ => 3,
    };
    customers.sort_by(|a, b| {
        priority(a)
            .cmp(&priority(b))
            .then(
                b.score
                    .unwrap_or(f64::MIN)
                    .total_cmp(&a.score.unwrap_or(f64::MIN)),
            )
            .then(a.customer_id.cmp(&b.customer_id))
    });
    Ok(Grading {
        as_of,
        rule_version: rules.version.clone(),
        method: method.to_string(),
        boundary_rule: boundary_rule(config),
        customers,
    })
}

/// The boundary rule in words, printed with every grading.
pub fn boundary_rule(config: &Config) -> String {
    let rules = &config.grading;
    let [a, b, c] = rules.shares;
    match rules.method {
        GradingMethod::Score => format!(
            "按得分排名分级（得分保留两位小数）：得分严格高于该客户的已定级客户少于 {a}% 为 A，少于 {}% 为 B，少于 {}% 为 C，其余为 D；同分同级（边界向有利于客户的一侧取整）。合作不满 {} 个月的新客户暂定为 {}。",
            a + b,
            a + b + c,
            rules.provisional_months,
            rules.provisional_grade
        ),
        GradingMethod::Thresholds => format!(
            "按门槛分级（12 个月月均订单额与毛利率≥{}% 月份的销售占比）：{}；都未达到为 {}。合作不满 {} 个月的新客户暂定为 {}。",
            rules.min_margin_rate,
            rules
                .thresholds
                .iter()
                .map(|t| format!(
                    "{} 级：月均订单≥{} 元且达标占比≥{}%",
                    t.grade, t.min_monthly_orders, t.min_on_margin_share
                ))
                .collect::<Vec<_>>()
                .join("；"),
            rules.fallback_grade,
            rules.provisional_months,
            rules.provisional_grade
        ),
    }
}

/// Reason codes for a customer's result: why the grade is what it is and
/// why it moved.
fn reasons(
    customer: &GradedCustomer,
    dissatisfied: bool,
    open_complaint: bool,
    previous: &BTreeMap<(String, String), f64>,
    config: &Config,
) -> Vec<String> {
    let rules = &config.grading;
    let mut reasons = Vec::new();
    if customer.provisional {
        reasons.push(format!(
            "PROVISIONAL 合作 {} 个月，不满 {} 个月，暂定 {}",
            customer.months_of_business, rules.provisional_months, rules.provisional_grade
        ));
    }
    match customer.change {
        Change::New => reasons.push("NEW 首次定级".to_string()),
        Change::Up | Change::Down => {
            let code = if customer.change == Change::Up {
                "UP 升级"
            } else {
                "DOWN 降级"
            };
            reasons.push(format!(
                "{code} {}→{}",
                customer.old_grade.as_deref().unwrap_or("—"),
                customer.grade
            ));
            let moved: Vec<String> = customer
                .criteria
                .iter()
                .filter_map(|c| {
                    let before = previous.get(&(customer.customer_id.clone(), c.key.clone()))?;
                    (*before != c.points).then(|| format!("{} {}→{}", c.name, before, c.points))
                })
                .collect();
            let graded_before = previous
                .keys()
                .any(|(customer_id, _)| *customer_id == customer.customer_id);
            if !moved.is_empty() {
                reasons.push(format!("CRITERIA 评分变化：{}", moved.join("，")));
            } else if !graded_before {
                reasons.push("MASTER 原等级取自客户档案（此前未经本系统评分）".to_string());
            } else if rules.method == GradingMethod::Score && !customer.provisional {
                reasons.push("RANK 本身评分未变，排名随其他客户变化".to_string());
            }
        }
        Change::Same => {}
    }
    if rules.method == GradingMethod::Thresholds && !customer.provisional {
        reasons.push(format!(
            "THRESHOLD 月均订单 {:.0} 元，毛利达标占比 {:.1}%",
            customer.monthly_orders, customer.on_margin_share
        ));
    }
    if customer.payment_terms_grade != customer.grade {
        reasons.push(format!(
            "LATE_PAYMENTS 一个季度内逾期付款 {} 次（≥{}）：付款条件降一级按 {} 级执行",
            customer.late_in_a_quarter,
            rules.late_payments_per_quarter,
            customer.payment_terms_grade
        ));
    }
    if dissatisfied {
        reasons.push(format!(
            "AT_RISK 近三个月满意度低于 {}%",
            rules.at_risk_below
        ));
    }
    if open_complaint {
        reasons.push("AT_RISK 有未结投诉".to_string());
    }
    reasons
}
