//! What customers write (客户原声): the month's free-text survey answers,
//! callback remarks and complaint descriptions (`sql/analysis/comments.sql`),
//! placeholder answers dropped, grouped into topics: the categories of the
//! configured `[[keyword_rules]]` (the rules the Pareto uses), then the most
//! frequent words of the comments no rule covers, found with the jieba
//! Chinese word segmenter (its dictionary is compiled in; nothing is
//! downloaded). Each topic has its count, share, change on last month, a
//! "new this month" flag and two example comments (masked by the report).
//! The frequent uncovered words are the candidates for new keyword rules.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde::Serialize;

use super::COMMENTS;
use crate::config::Config;
use crate::month::Month;
use crate::store::{Param, Store, StoreError};

/// How many example comments a topic keeps.
pub const EXAMPLES_PER_TOPIC: usize = 2;

/// Function words never offered as topics (besides `[comments] stop_words`).
const STOP_WORDS: &[&str] = &[
    // Chinese.
    "的", "了", "是", "很", "有", "我", "我们", "你们", "他们", "她", "他", "它", "也", "就", "都",
    "还", "和", "与", "在", "不", "没", "太", "比较", "非常", "特别", "一下", "一些", "一点",
    "有点", "希望", "感觉", "觉得", "但是", "但", "因为", "所以", "而且", "然后", "如果", "这个",
    "那个", "这次", "这", "那", "就是", "还是", "可以", "没有", "什么", "怎么", "已经", "一直",
    "不是", "一个", "之后", "以后", "时候", "时间", "问题", "客户", "反映", "表示", "能够", "需要",
    "可能", "应该", "还有", "以及", "或者", "对于", "关于", "其他", "建议", "意见", "谢谢", "一般",
    "真的", "东西", "不过", "总体", "整体", "目前", "今天", "昨天", "几天", "天", "后", "再", "更",
    "又", "被", "给", "让", "把", "对", "到", "说", // English.
    "the", "and", "was", "were", "is", "are", "a", "an", "to", "of", "in", "on", "for", "with",
    "it", "its", "this", "that", "very", "but", "not", "too", "be", "been", "my", "we", "our",
    "you", "your", "they", "their", "i", "me", "so", "at", "as", "had", "have", "has", "will",
    "would", "could", "should", "from", "by", "or", "just", "also", "more", "than", "after",
    "before", "when", "still", "no", "did", "didn", "don", "does", "there", "all", "any", "some",
    "can", "about", "again", "much", "really", "what", "which", "who", "them", "then", "out", "up",
    "get", "got", "one", "two", "please", "thanks", "thank",
];

/// A comment as stored: month, where it came from, its text.
#[derive(Debug, Clone)]
struct Comment {
    month: String,
    origin: String,
    text: String,
    /// Lower-cased text, for keyword matching.
    lower: String,
    /// How many comments of this month and origin say exactly this.
    n: i64,
}

/// Where a topic comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TopicKind {
    /// A category of the configured keyword rules.
    Rule,
    /// A frequent word of comments no rule covers: a candidate rule.
    Term,
}

/// One topic of the month's comments.
#[derive(Debug, Clone, Serialize)]
pub struct Topic {
    /// Rule category or uncovered term.
    pub kind: TopicKind,
    /// The category, or the term.
    pub name: String,
    /// The rule keywords of the category (rule topics).
    pub keywords: Vec<String>,
    /// Comments of the month in the topic.
    pub count: i64,
    /// count / the month's comments, percent.
    pub share: f64,
    /// Comments of last month in the topic, counted the same way.
    pub previous_count: i64,
    /// Present this month and absent last month.
    pub new_this_month: bool,
    /// The first comments of the month in the topic (unmasked: the report
    /// masks them), at most [`EXAMPLES_PER_TOPIC`].
    pub examples: Vec<String>,
}

/// The month's comments by topic.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CommentTopics {
    /// Comments of the month (placeholders excluded).
    pub n_comments: i64,
    /// Comments of last month (placeholders excluded).
    pub n_previous: i64,
    /// Placeholder answers dropped this month (无, 没有, (空), N/A …).
    pub n_placeholders: i64,
    /// The month's comments by origin: `survey`, `callback`, `complaint`.
    pub by_origin: Vec<(String, i64)>,
    /// The month's comments no keyword rule covers.
    pub n_uncovered: i64,
    /// Rule topics (by count, then rule order), then uncovered terms (by
    /// count, then term).
    pub topics: Vec<Topic>,
}

/// The segmenter, built once per process (its dictionary takes a moment).
fn segmenter() -> &'static jieba_rs::Jieba {
    static JIEBA: OnceLock<jieba_rs::Jieba> = OnceLock::new();
    JIEBA.get_or_init(jieba_rs::Jieba::new)
}

/// `text` without surrounding spaces and punctuation, lower-cased: the form
/// in which placeholders are compared.
fn normalised(text: &str) -> String {
    text.trim_matches(|c: char| {
        c.is_whitespace() || c.is_ascii_punctuation() || is_cjk_punctuation(c)
    })
    .to_lowercase()
    .chars()
    .filter(|c| !c.is_whitespace() && !c.is_ascii_punctuation() && !is_cjk_punctuation(*c))
    .collect()
}

fn is_cjk_punctuation(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF20}'
        | '\u{FF3B}'..='\u{FF40}' | '\u{FF5B}'..='\u{FF65}' | '\u{2010}'..='\u{2027}'
        | '\u{00B7}')
}

/// Whether a comment says nothing: empty after normalising, or one of the
/// configured placeholders (compared normalised, so `(空)`, `（空）` and `空`
/// are one).
pub fn is_placeholder(text: &str, placeholders: &BTreeSet<String>) -> bool {
    let text = normalised(text);
    text.is_empty() || placeholders.contains(&text)
}

/// The distinct words of a comment that can be topics: segmented by jieba,
/// lower-cased, without stop words, punctuation, numbers, single Chinese
/// characters and English words under three letters.
pub fn terms(text: &str, stop_words: &BTreeSet<String>) -> BTreeSet<String> {
    segmenter()
        .cut(text, true)
        .into_iter()
        .map(|token| token.word.trim().to_lowercase())
        .filter(|word| {
            let n_chars = word.chars().count();
            let has_cjk = word.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c));
            let is_ascii_word = word.chars().all(|c| c.is_ascii_alphabetic());
            ((has_cjk && n_chars >= 2) || (is_ascii_word && n_chars >= 3))
                && !stop_words.contains(word)
        })
        .collect()
}

/// Reads the month's and last month's comments and groups them by topic.
///
/// # Errors
/// The query fails.
pub fn comment_topics(
    store: &Store,
    config: &Config,
    month: Month,
) -> Result<CommentTopics, StoreError> {
    let previous = month.shift(-1).to_string();
    // One row per month, origin and text with its count (comments repeat:
    // 很好, 满意 …), in the order each first appears: memory grows with the
    // different texts, not with the month's comments.
    let mut comments: Vec<Comment> = Vec::new();
    COMMENTS.each(
        store,
        &[
            Param::Text(previous),
            Param::Text(month.to_string()),
            Param::Text(config.comments.columns.join("\n")),
        ],
        |row| {
            let text = row.text("comment")?;
            comments.push(Comment {
                month: row.text("month")?,
                origin: row.text("origin")?,
                lower: text.to_lowercase(),
                text,
                n: row.i64("n")?,
            });
            Ok(())
        },
    )?;
    Ok(topics_of(config, month, comments))
}

/// How many comments these are (each stands for its `n` equal comments).
fn total<'a>(comments: impl IntoIterator<Item = &'a Comment>) -> i64 {
    comments.into_iter().map(|c| c.n).sum()
}

/// The first [`EXAMPLES_PER_TOPIC`] different texts.
fn first_distinct<'a>(texts: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut examples: Vec<String> = Vec::new();
    for text in texts {
        if examples.len() == EXAMPLES_PER_TOPIC {
            break;
        }
        if !examples.iter().any(|e| e == text) {
            examples.push(text.to_string());
        }
    }
    examples
}

/// Groups comments by topic (the pure part of [`comment_topics`]).
fn topics_of(config: &Config, month: Month, comments: Vec<Comment>) -> CommentTopics {
    let placeholders: BTreeSet<String> = config
        .comments
        .placeholders
        .iter()
        .map(|p| normalised(p))
        .collect();
    let stop_words: BTreeSet<String> = STOP_WORDS
        .iter()
        .map(|w| w.to_string())
        .chain(
            config
                .comments
                .stop_words
                .iter()
                .map(|w| w.trim().to_lowercase()),
        )
        .collect();
    let mut result = CommentTopics::default();
    let (mut current, mut previous) = (Vec::new(), Vec::new());
    for comment in comments {
        let this_month = comment.month == month.to_string();
        if is_placeholder(&comment.text, &placeholders) {
            if this_month {
                result.n_placeholders += comment.n;
            }
        } else if this_month {
            current.push(comment);
        } else {
            previous.push(comment);
        }
    }
    result.n_comments = total(&current);
    result.n_previous = total(&previous);
    for origin in ["survey", "callback", "complaint"] {
        let n = total(current.iter().filter(|c| c.origin == origin));
        result.by_origin.push((origin.to_string(), n));
    }

    // Rule topics: a category's keywords, in rule order; a comment counts
    // once per category (the Pareto's `contains`, case-insensitive).
    let mut categories: Vec<(String, Vec<String>)> = Vec::new();
    for rule in &config.keyword_rules {
        let keyword = rule.keyword.trim().to_lowercase();
        if keyword.is_empty() {
            continue;
        }
        match categories.iter_mut().find(|(c, _)| *c == rule.category) {
            Some((_, keywords)) => keywords.push(keyword),
            None => categories.push((rule.category.clone(), vec![keyword])),
        }
    }
    let covers = |keywords: &[String], comment: &Comment| {
        keywords.iter().any(|k| comment.lower.contains(k.as_str()))
    };
    let share = |count: i64, total: i64| {
        if total > 0 {
            count as f64 / total as f64 * 100.0
        } else {
            0.0
        }
    };
    let mut rule_topics = Vec::new();
    for (category, keywords) in &categories {
        let matching: Vec<&Comment> = current.iter().filter(|c| covers(keywords, c)).collect();
        let previous_count = total(previous.iter().filter(|c| covers(keywords, c)));
        let count = total(matching.iter().copied());
        if count == 0 && previous_count == 0 {
            continue;
        }
        rule_topics.push(Topic {
            kind: TopicKind::Rule,
            name: category.clone(),
            keywords: keywords.clone(),
            count,
            share: share(count, result.n_comments),
            previous_count,
            new_this_month: count > 0 && previous_count == 0,
            examples: first_distinct(matching.iter().map(|c| c.text.as_str())),
        });
    }
    // Stable: equal counts keep the rules' order.
    rule_topics.sort_by(|a, b| b.count.cmp(&a.count));

    // Uncovered terms: words of the comments no rule covers, by how many
    // such comments use them.
    let all_keywords: Vec<String> = categories.iter().flat_map(|(_, k)| k.clone()).collect();
    let uncovered = |comments: &[Comment]| -> Vec<(usize, BTreeSet<String>)> {
        comments
            .iter()
            .enumerate()
            .filter(|(_, c)| !covers(&all_keywords, c))
            .map(|(index, c)| (index, terms(&c.text, &stop_words)))
            .collect()
    };
    let current_terms = uncovered(&current);
    let previous_terms = uncovered(&previous);
    result.n_uncovered = current_terms
        .iter()
        .map(|(index, _)| current[*index].n)
        .sum();
    let mut frequency: BTreeMap<&str, i64> = BTreeMap::new();
    for (index, words) in &current_terms {
        for word in words {
            *frequency.entry(word.as_str()).or_insert(0) += current[*index].n;
        }
    }
    let mut frequent: Vec<(&str, i64)> = frequency
        .into_iter()
        .filter(|(_, n)| *n >= config.comments.min_term_comments.max(1))
        .collect();
    frequent.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    frequent.truncate(config.comments.max_terms);
    let term_topics = frequent.into_iter().map(|(term, count)| {
        let previous_count = previous_terms
            .iter()
            .filter(|(_, words)| words.contains(term))
            .map(|(index, _)| previous[*index].n)
            .sum();
        Topic {
            kind: TopicKind::Term,
            name: term.to_string(),
            keywords: Vec::new(),
            count,
            share: share(count, result.n_comments),
            previous_count,
            new_this_month: previous_count == 0,
            examples: first_distinct(
                current_terms
                    .iter()
                    .filter(|(_, words)| words.contains(term))
                    .map(|(index, _)| current[*index].text.as_str()),
            ),
        }
    });
    result.topics = rule_topics.into_iter().chain(term_topics).collect();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders() -> BTreeSet<String> {
        crate::config::CommentSettings::default()
            .placeholders
            .iter()
            .map(|p| normalised(p))
            .collect()
    }

    #[test]
    fn placeholders_are_recognised_in_any_dress() {
        let placeholders = placeholders();
        for text in [
            "无",
            " 无。",
            "(空)",
            "（空）",
            "N/A",
            "n/a",
            "没有",
            "None.",
            "--",
            "",
            "。。",
        ] {
            assert!(is_placeholder(text, &placeholders), "{text:?}");
        }
        for text in ["无异味", "没有按时送货", "Nothing arrived on time", "好"] {
            assert!(!is_placeholder(text, &placeholders), "{text:?}");
        }
    }

    #[test]
    fn terms_are_words_without_stop_words() {
        let stop_words: BTreeSet<String> = STOP_WORDS.iter().map(|w| w.to_string()).collect();
        let words = terms("客服电话一直打不通，希望改进", &stop_words);
        assert!(words.contains("客服"), "{words:?}");
        assert!(!words.contains("希望"), "{words:?}");
        assert!(!words.contains("，"), "{words:?}");
        let words = terms("The delivery was late, again!", &stop_words);
        assert_eq!(
            words.into_iter().collect::<Vec<_>>(),
            vec!["delivery".to_string(), "late".to_string()]
        );
    }
}
