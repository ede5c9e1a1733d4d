//! Customer grading rules (客户分级, SPEC "Customer grading").

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Customer grading rules (SPEC "Customer grading").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradingSettings {
    /// Version of these rules, stored with every graded result; change it
    /// whenever a weight or threshold changes.
    pub version: String,
    /// `score` (eight weighted criteria, grades by rank) or `thresholds`
    /// (grades by monthly orders and on-margin share).
    #[serde(default)]
    pub method: GradingMethod,
    /// Shares of established customers graded A, B, C (the rest D), in
    /// percent of customers by rank.
    #[serde(default = "default_grade_shares")]
    pub shares: [f64; 3],
    /// Customers with fewer months of business are provisional.
    #[serde(default = "default_provisional_months")]
    pub provisional_months: i64,
    /// The grade a provisional customer gets.
    #[serde(default = "default_provisional_grade")]
    pub provisional_grade: String,
    /// Late payments in one calendar quarter (this or the last) that move the
    /// payment terms one grade down.
    #[serde(default = "default_late_payments")]
    pub late_payments_per_quarter: i64,
    /// A month's sales count as on-margin when their gross-margin rate (%)
    /// reaches this (for `thresholds`).
    #[serde(default = "default_min_margin_rate")]
    pub min_margin_rate: f64,
    /// The criteria of the `score` method.
    #[serde(default)]
    pub criteria: Vec<GradingCriterion>,
    /// The grade thresholds of the `thresholds` method, best grade first;
    /// a customer meeting none gets `fallback_grade`.
    #[serde(default)]
    pub thresholds: Vec<GradeThreshold>,
    /// Grade of a customer that meets no threshold.
    #[serde(default = "default_fallback_grade")]
    pub fallback_grade: String,
    /// A customer whose satisfaction over the last three months is below
    /// this (%) is at risk.
    #[serde(default = "default_at_risk_below")]
    pub at_risk_below: f64,
    /// What each grade gets (shown beside every customer).
    #[serde(default)]
    pub policies: Vec<GradePolicy>,
}

/// How grades are given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GradingMethod {
    /// 100-point score over weighted criteria; grades by rank.
    #[default]
    Score,
    /// Monthly orders and on-margin share against per-grade thresholds.
    Thresholds,
}

/// One criterion of the 100-point score.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradingCriterion {
    /// Stable key.
    pub key: String,
    /// Display name (销售量 …).
    pub name: String,
    /// What is measured: `sales_amount` (12 months, RMB), `payment_on_time`
    /// (% of invoices due in 12 months paid by the due date), `margin_rate`
    /// (%), `orders` (12 months), `customer_type`, `purchase_share` (% of
    /// their purchases that are ours), `years` (of business), `standing`.
    pub measure: String,
    /// Weight; the weights of all criteria make the 100 points.
    pub weight: f64,
    /// Numeric measures: `[minimum, points]` pairs; the highest minimum the
    /// value reaches gives the points (0–100); below all, 0.
    #[serde(default)]
    pub bands: Vec<[f64; 2]>,
    /// Text measures (`customer_type`, `standing`): value → points.
    #[serde(default)]
    pub categories: BTreeMap<String, f64>,
}

/// A grade of the `thresholds` method.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeThreshold {
    /// The grade.
    pub grade: String,
    /// Average monthly order amount over 12 months, RMB, at least.
    pub min_monthly_orders: f64,
    /// Share of sales in on-margin months, %, at least.
    pub min_on_margin_share: f64,
}

/// What a grade gets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradePolicy {
    /// The grade.
    pub grade: String,
    /// Price (A up to 5 % off …).
    pub price: String,
    /// Payment terms.
    pub payment_terms: String,
    /// Delivery lead time, days.
    pub lead_time_days: i64,
    /// Visit frequency.
    pub visits: String,
}

fn default_grade_shares() -> [f64; 3] {
    [20.0, 30.0, 40.0]
}

fn default_provisional_months() -> i64 {
    6
}

fn default_provisional_grade() -> String {
    "C".to_string()
}

fn default_late_payments() -> i64 {
    2
}

fn default_min_margin_rate() -> f64 {
    15.0
}

fn default_at_risk_below() -> f64 {
    70.0
}

fn default_fallback_grade() -> String {
    "C".to_string()
}

impl Default for GradingSettings {
    fn default() -> Self {
        GradingSettings {
            version: "unversioned".to_string(),
            method: GradingMethod::Score,
            shares: default_grade_shares(),
            provisional_months: default_provisional_months(),
            provisional_grade: default_provisional_grade(),
            late_payments_per_quarter: default_late_payments(),
            min_margin_rate: default_min_margin_rate(),
            criteria: Vec::new(),
            thresholds: Vec::new(),
            fallback_grade: default_fallback_grade(),
            at_risk_below: default_at_risk_below(),
            policies: Vec::new(),
        }
    }
}

/// The measures a grading criterion can use.
pub const GRADING_MEASURES: &[&str] = &[
    "sales_amount",
    "payment_on_time",
    "margin_rate",
    "orders",
    "customer_type",
    "purchase_share",
    "years",
    "standing",
];
