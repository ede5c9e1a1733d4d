//! Scoring rules: indicator families, answer scales (their values, labels
//! and option order: the one place the scale rules live, SPEC "Scores"),
//! questions, keyword rules, the minimum n and the key-driver outcome.

use serde::{Deserialize, Serialize};

/// An indicator family.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Stable key (`product`, `service`, `price`, `delivery`, `loyalty`).
    pub key: String,
    /// Display name.
    pub name: String,
}

/// How scores are shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreSettings {
    /// A group with fewer respondents shows "n too small" instead of a score.
    #[serde(default = "default_min_n")]
    pub min_n: i64,
}

fn default_min_n() -> i64 {
    5
}

impl Default for ScoreSettings {
    fn default() -> Self {
        ScoreSettings {
            min_n: default_min_n(),
        }
    }
}

/// Likert labels on the 5-point scale, matched exactly after normalisation
/// (so 满意 never matches inside 不满意).
const LIKERT5: &[(&str, f64)] = &[
    ("很满意", 5.0),
    ("非常满意", 5.0),
    ("极佳", 5.0),
    ("very satisfied", 5.0),
    ("满意", 4.0),
    ("较满意", 4.0),
    ("比较满意", 4.0),
    ("satisfied", 4.0),
    ("一般", 3.0),
    ("基本满意", 3.0),
    ("neutral", 3.0),
    ("不满意", 2.0),
    ("较不满意", 2.0),
    ("不太满意", 2.0),
    ("dissatisfied", 2.0),
    ("很不满意", 1.0),
    ("非常不满意", 1.0),
    ("极不满意", 1.0),
    ("very dissatisfied", 1.0),
];

/// Labels of the five-tier 10/8/6/3/0 scale.
const TIER10: &[(&str, f64)] = &[
    ("很满意", 10.0),
    ("非常满意", 10.0),
    ("比较满意", 8.0),
    ("较满意", 8.0),
    ("满意", 6.0),
    ("一般", 6.0),
    ("不满意", 3.0),
    ("非常不满意", 0.0),
    ("很不满意", 0.0),
];

/// The tiers of [`Scale::Tier10`], worst first.
const TIERS: [f64; 5] = [0.0, 3.0, 6.0, 8.0, 10.0];

/// Answer scale of a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// 1–5: 很不满意 … 很满意, or numbers.
    Likert5,
    /// The five-tier 10/8/6/3/0 scale.
    Tier10,
    /// 0–10 likelihood to recommend (NPS).
    Nps10,
    /// 1–5 stars.
    Stars5,
}

impl Scale {
    /// The scale maximum (`max_i` in SPEC "Scores").
    pub fn max(self) -> f64 {
        match self {
            Scale::Likert5 | Scale::Stars5 => 5.0,
            Scale::Tier10 | Scale::Nps10 => 10.0,
        }
    }

    /// Highest value that counts as a problem ("low answer") in the Pareto.
    pub fn low_max(self) -> f64 {
        match self {
            Scale::Likert5 | Scale::Stars5 => 2.0,
            Scale::Tier10 => 3.0,
            Scale::Nps10 => 6.0,
        }
    }

    /// Whether `value` is an answer on this scale: a whole number 1–5, 0–10,
    /// or one of the tiers 0, 3, 6, 8, 10.
    pub fn accepts(self, value: f64) -> bool {
        value.fract() == 0.0
            && match self {
                Scale::Likert5 | Scale::Stars5 => (1.0..=5.0).contains(&value),
                Scale::Tier10 => TIERS.contains(&value),
                Scale::Nps10 => (0.0..=10.0).contains(&value),
            }
    }

    /// The option labels of the scale (normalised text → value); none for
    /// the numeric scales.
    pub fn labels(self) -> &'static [(&'static str, f64)] {
        match self {
            Scale::Likert5 => LIKERT5,
            Scale::Tier10 => TIER10,
            Scale::Nps10 | Scale::Stars5 => &[],
        }
    }

    /// What an answer on this scale looks like (for a refusal message).
    pub fn expected(self) -> &'static str {
        match self {
            Scale::Likert5 => "a label 很满意/满意/一般/不满意/很不满意 or a whole number 1–5",
            Scale::Stars5 => "1–5 stars (★) or a whole number 1–5",
            Scale::Tier10 => {
                "a label 很满意/比较满意/满意/不满意/非常不满意 or one of 10, 8, 6, 3, 0"
            }
            Scale::Nps10 => "a whole number 0–10",
        }
    }

    /// How many options a questionnaire lists for this scale.
    pub fn n_options(self) -> usize {
        match self {
            Scale::Likert5 | Scale::Stars5 | Scale::Tier10 => 5,
            Scale::Nps10 => 11,
        }
    }

    /// The value of the option at 1-based `position` (1 ≤ position ≤
    /// [`Scale::n_options`]); `best_first` when the questionnaire lists the
    /// best option first. A 0–10 scale lists 0 first.
    pub fn option_value(self, position: usize, best_first: bool) -> f64 {
        match self {
            Scale::Nps10 => (position - 1) as f64,
            Scale::Likert5 | Scale::Stars5 => {
                if best_first {
                    (6 - position) as f64
                } else {
                    position as f64
                }
            }
            Scale::Tier10 => {
                let index = if best_first {
                    5 - position
                } else {
                    position - 1
                };
                TIERS[index]
            }
        }
    }

    /// The snake_case name used in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Scale::Likert5 => "likert5",
            Scale::Tier10 => "tier10",
            Scale::Nps10 => "nps10",
            Scale::Stars5 => "stars5",
        }
    }
}

/// A question (or callback dimension) that carries a score.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Stable key.
    pub key: String,
    /// Text that identifies the column: a header containing it (after the
    /// `N、` number is removed) is this question.
    #[serde(rename = "match")]
    pub match_text: String,
    /// Only columns of this source match (all sources when absent).
    #[serde(default)]
    pub source: Option<String>,
    /// Indicator family key.
    pub indicator: String,
    /// Responsible department key.
    pub department: String,
    /// Answer scale.
    pub scale: Scale,
    /// Root-cause category of low answers (defaults to the indicator's name).
    #[serde(default)]
    pub category: Option<String>,
}

/// A keyword rule: remarks containing `keyword` get `category`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeywordRule {
    /// Text to look for (Chinese works).
    pub keyword: String,
    /// Root-cause category given.
    pub category: String,
    /// Department responsible for problems this rule categorises, when the
    /// record does not name one (callback remarks).
    #[serde(default)]
    pub department: Option<String>,
}

/// Key-driver analysis (关键驱动因素): which question is the outcome.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DriverSettings {
    /// Key of the outcome question. When absent: the question keyed
    /// `overall` or whose `match` text says 整体满意/总体满意/overall
    /// satisfaction, else the first `nps10` (recommend) question.
    #[serde(default)]
    pub outcome: Option<String>,
    /// Questions that are not drivers (other outcomes such as repurchase
    /// intent or the recommend question).
    #[serde(default)]
    pub not_drivers: Vec<String>,
}
