//! How problems are ranked (柏拉图) and which remarks say there is none.

use serde::{Deserialize, Serialize};

/// How problems are ranked (柏拉图).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParetoSettings {
    /// Weight of a complaint by severity 1, 2, 3 in the severity-weighted
    /// ranking.
    #[serde(default = "default_severity_weights")]
    pub severity_weights: [f64; 3],
    /// Weight of a low answer or a callback remark.
    #[serde(default = "default_other_weight")]
    pub other_weight: f64,
    /// Complaint statuses that take a complaint out of the ranking (counted
    /// and shown as excluded, never silently dropped).
    #[serde(default = "default_excluded_statuses")]
    pub excluded_statuses: Vec<String>,
    /// What a call centre or a respondent writes when there is nothing to
    /// report (无, 没有, 正常, /, N/A …): a callback remark or a free-text
    /// answer that is one of these, once trimmed of spaces and end
    /// punctuation and compared without case (SQL macro `no_problem_key`,
    /// migration V15), is no problem.
    #[serde(default = "default_no_problem_texts")]
    pub no_problem_texts: Vec<String>,
}

fn default_no_problem_texts() -> Vec<String> {
    [
        "无",
        "没有",
        "暂无",
        "无意见",
        "没意见",
        "没有意见",
        "无问题",
        "没有问题",
        "无异常",
        "正常",
        "满意",
        "很满意",
        "非常满意",
        "好",
        "很好",
        "挺好",
        "还好",
        "不错",
        "可以",
        "/",
        "-",
        "--",
        "—",
        "——",
        "N/A",
        "NA",
        "none",
        "nil",
        "ok",
    ]
    .iter()
    .map(|t| t.to_string())
    .collect()
}

fn default_severity_weights() -> [f64; 3] {
    [5.0, 3.0, 1.0]
}

fn default_other_weight() -> f64 {
    1.0
}

fn default_excluded_statuses() -> Vec<String> {
    vec!["无效".to_string(), "重复".to_string(), "撤销".to_string()]
}

impl Default for ParetoSettings {
    fn default() -> Self {
        ParetoSettings {
            severity_weights: default_severity_weights(),
            other_weight: default_other_weight(),
            excluded_statuses: default_excluded_statuses(),
            no_problem_texts: default_no_problem_texts(),
        }
    }
}
