//! Deadlines of complaints, proposals and problems, and the statuses that
//! close them (SPEC "Complaints, proposals, action plans").

use serde::{Deserialize, Serialize};

/// Deadlines in working days (SPEC "Complaints, proposals, action plans").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlineSettings {
    /// Answer a complaint of severity 1, 2, 3 within this many working days
    /// (urgent 1–3, general 10).
    #[serde(default = "default_complaint_days")]
    pub complaint_working_days: [u32; 3],
    /// Process a proposal within this many working days (at most 10).
    #[serde(default = "default_proposal_days")]
    pub proposal_working_days: u32,
    /// … or this many with approval (延期审批).
    #[serde(default = "default_proposal_extended_days")]
    pub proposal_extended_working_days: u32,
    /// A department analyses a problem from answers or callbacks within this
    /// many working days (about one month).
    #[serde(default = "default_problem_days")]
    pub problem_working_days: u32,
    /// Raise an alert once an item is this many working days overdue.
    #[serde(default = "default_escalate_days")]
    pub escalate_overdue_working_days: i64,
}

fn default_complaint_days() -> [u32; 3] {
    [1, 3, 10]
}

fn default_proposal_days() -> u32 {
    10
}

fn default_proposal_extended_days() -> u32 {
    15
}

fn default_problem_days() -> u32 {
    22
}

fn default_escalate_days() -> i64 {
    5
}

impl Default for DeadlineSettings {
    fn default() -> Self {
        DeadlineSettings {
            complaint_working_days: default_complaint_days(),
            proposal_working_days: default_proposal_days(),
            proposal_extended_working_days: default_proposal_extended_days(),
            problem_working_days: default_problem_days(),
            escalate_overdue_working_days: default_escalate_days(),
        }
    }
}

/// Statuses (lowercase) that mean an action plan or a complaint is closed.
pub const CLOSED_STATUSES: &[&str] = &[
    "已完成",
    "完成",
    "已关闭",
    "关闭",
    "已结案",
    "结案",
    "closed",
    "done",
];
