//! Customer comments (客户原声): which columns are comments, which answers
//! say nothing.

use serde::{Deserialize, Serialize};

/// Customer comments (客户原声): free-text survey answers, callback remarks
/// and complaint descriptions.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentSettings {
    /// A survey column that no question maps is a comment column when its
    /// header contains one of these texts (case-insensitive).
    #[serde(default = "default_comment_columns")]
    pub columns: Vec<String>,
    /// Answers that say nothing (无, 没有, (空), N/A …), dropped after
    /// trimming spaces and punctuation, case-insensitive.
    #[serde(default = "default_placeholders")]
    pub placeholders: Vec<String>,
    /// Words never offered as topics, in addition to the built-in list of
    /// function words (的, 了, 很, the, and …).
    #[serde(default)]
    pub stop_words: Vec<String>,
    /// How many frequent terms outside the keyword rules are listed.
    #[serde(default = "default_max_terms")]
    pub max_terms: usize,
    /// A term is listed only when at least this many comments of the month
    /// use it.
    #[serde(default = "default_min_term_comments")]
    pub min_term_comments: i64,
}

fn default_comment_columns() -> Vec<String> {
    [
        "意见",
        "建议",
        "留言",
        "评论",
        "反馈",
        "comment",
        "suggestion",
        "feedback",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn default_placeholders() -> Vec<String> {
    [
        "无",
        "没有",
        "暂无",
        "无意见",
        "没意见",
        "没有意见",
        "无建议",
        "没有建议",
        "空",
        "(空)",
        "（空）",
        "跳过",
        "(跳过)",
        "不清楚",
        "不知道",
        "无所谓",
        "n/a",
        "na",
        "none",
        "no",
        "nil",
        "null",
        "nothing",
        "-",
        "--",
        "/",
        "。",
        ".",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn default_max_terms() -> usize {
    10
}

fn default_min_term_comments() -> i64 {
    2
}

impl Default for CommentSettings {
    fn default() -> Self {
        CommentSettings {
            columns: default_comment_columns(),
            placeholders: default_placeholders(),
            stop_words: Vec::new(),
            max_terms: default_max_terms(),
            min_term_comments: default_min_term_comments(),
        }
    }
}
