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

/// The longest word that can be a topic, in characters. Real topic words
/// are 2–6 Chinese characters or an English word; jieba gives a run of
/// letters without spaces as one token, so without this a comment of 1,000
/// random letters would be one 1,000-character "word", and the counted
/// words ([`TERMS_COUNTED`]) could hold hundreds of MB.
const MAX_TERM_CHARS: usize = 24;

/// The distinct words of a comment that can be topics: segmented by jieba,
/// lower-cased, without stop words, punctuation, numbers, single Chinese
/// characters, English words under three letters and words over
/// [`MAX_TERM_CHARS`] characters.
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
                && n_chars <= MAX_TERM_CHARS
                && !stop_words.contains(word)
        })
        .collect()
}

/// Distinct uncovered terms that keep their first examples as the comments
/// stream by; a frequent term first seen after these many others gets its
/// examples from a second read of the month's comments. Bounds the examples
/// held (at most 4,096 × 2 comments of at most 1,000 characters).
const TERMS_WITH_EXAMPLES: usize = 4_096;

/// Different words counted in each month: a word first seen after these
/// many others is not counted (logged), so hostile or random comments cannot
/// grow the counts without bound (100,000 words of at most
/// [`MAX_TERM_CHARS`] characters, some 120 bytes each with the map's own
/// room: about 12 MB for each of the two months counted; real comments use
/// far fewer).
const TERMS_COUNTED: usize = 100_000;

/// Reads the month's and last month's comments and groups them by topic.
///
/// The comments stream by once (one row per month, origin and text, with
/// its count, in the order each first appears) and only counts are kept:
/// per rule category, per uncovered term (the different words, not the
/// different comments, at most [`TERMS_COUNTED`] a month), and the first
/// examples of each topic. Memory grows with the words the comments use, not
/// with the comments.
///
/// # Errors
/// The query fails.
pub fn comment_topics(
    store: &Store,
    config: &Config,
    month: Month,
) -> Result<CommentTopics, StoreError> {
    let read = |months: (String, String), each: &mut dyn FnMut(Comment)| {
        COMMENTS.each(
            store,
            &[
                Param::Text(months.0),
                Param::Text(months.1),
                Param::Text(config.comments.columns.join("\n")),
            ],
            |row| {
                each(Comment {
                    month: row.text("month")?,
                    origin: row.text("origin")?,
                    text: row.text("comment")?,
                    n: row.i64("n")?,
                });
                Ok(())
            },
        )
    };
    let mut counter = TopicCounter::new(config, month);
    read((month.shift(-1).to_string(), month.to_string()), &mut |c| {
        counter.count(&c)
    })?;
    if counter.needs_second_read() {
        // The report month alone: the examples of frequent terms first seen
        // too late to keep theirs.
        read((month.to_string(), month.to_string()), &mut |c| {
            counter.find_examples(&c)
        })?;
    }
    Ok(counter.finish())
}

/// The topics of a month's comments, counted as the comments come.
struct TopicCounter {
    month: String,
    min_term_comments: i64,
    max_terms: usize,
    placeholders: BTreeSet<String>,
    stop_words: BTreeSet<String>,
    /// Rule categories in rule order, with their lower-cased keywords.
    categories: Vec<(String, Vec<String>)>,
    /// Per category: this month's count, last month's, the examples.
    rule_counts: Vec<(i64, i64, Vec<String>)>,
    result: CommentTopics,
    /// Uncovered comments of this month and of last month using each term.
    terms: BTreeMap<String, i64>,
    previous_terms: BTreeMap<String, i64>,
    /// The first examples of this month's uncovered terms, for the first
    /// [`TERMS_WITH_EXAMPLES`] terms seen.
    term_examples: BTreeMap<String, Vec<String>>,
    /// At most this many different words counted per month.
    max_counted_terms: usize,
    /// Occurrences of words not counted, past `max_counted_terms`.
    terms_left_out: i64,
    /// The frequent terms, once the first read is done.
    frequent: Vec<(String, i64)>,
    /// The frequent terms first seen after [`TERMS_WITH_EXAMPLES`] others,
    /// whose examples the second read finds.
    untracked: BTreeSet<String>,
}

impl TopicCounter {
    fn new(config: &Config, month: Month) -> TopicCounter {
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
        let mut result = CommentTopics::default();
        for origin in ["survey", "callback", "complaint"] {
            result.by_origin.push((origin.to_string(), 0));
        }
        TopicCounter {
            month: month.to_string(),
            min_term_comments: config.comments.min_term_comments.max(1),
            max_terms: config.comments.max_terms,
            placeholders: config
                .comments
                .placeholders
                .iter()
                .map(|p| normalised(p))
                .collect(),
            stop_words: STOP_WORDS
                .iter()
                .map(|w| w.to_string())
                .chain(
                    config
                        .comments
                        .stop_words
                        .iter()
                        .map(|w| w.trim().to_lowercase()),
                )
                .collect(),
            rule_counts: vec![(0, 0, Vec::new()); categories.len()],
            categories,
            result,
            terms: BTreeMap::new(),
            previous_terms: BTreeMap::new(),
            term_examples: BTreeMap::new(),
            max_counted_terms: TERMS_COUNTED,
            terms_left_out: 0,
            frequent: Vec::new(),
            untracked: BTreeSet::new(),
        }
    }

    /// Whether no rule keyword is in `lower`.
    fn uncovered(&self, lower: &str) -> bool {
        !self
            .categories
            .iter()
            .any(|(_, keywords)| keywords.iter().any(|k| lower.contains(k.as_str())))
    }

    /// Counts one comment (the first read, both months).
    fn count(&mut self, comment: &Comment) {
        let this_month = comment.month == self.month;
        if is_placeholder(&comment.text, &self.placeholders) {
            if this_month {
                self.result.n_placeholders += comment.n;
            }
            return;
        }
        let n = comment.n;
        if this_month {
            self.result.n_comments += n;
            if let Some((_, count)) = self
                .result
                .by_origin
                .iter_mut()
                .find(|(origin, _)| *origin == comment.origin)
            {
                *count += n;
            }
        } else {
            self.result.n_previous += n;
        }
        // A comment counts once per category (the Pareto's `contains`,
        // case-insensitive).
        let lower = comment.text.to_lowercase();
        for ((_, keywords), (count, previous, examples)) in
            self.categories.iter().zip(self.rule_counts.iter_mut())
        {
            if !keywords.iter().any(|k| lower.contains(k.as_str())) {
                continue;
            }
            if this_month {
                *count += n;
                add_example(examples, &comment.text);
            } else {
                *previous += n;
            }
        }
        if !self.uncovered(&lower) {
            return;
        }
        if this_month {
            self.result.n_uncovered += n;
        }
        for term in terms(&comment.text, &self.stop_words) {
            let counts = if this_month {
                &mut self.terms
            } else {
                &mut self.previous_terms
            };
            if let Some(count) = counts.get_mut(&term) {
                *count += n;
            } else if counts.len() < self.max_counted_terms {
                counts.insert(term.clone(), n);
            } else {
                self.terms_left_out += n;
                continue;
            }
            if this_month {
                if let Some(examples) = self.term_examples.get_mut(&term) {
                    add_example(examples, &comment.text);
                } else if self.term_examples.len() < TERMS_WITH_EXAMPLES {
                    self.term_examples.insert(term, vec![comment.text.clone()]);
                }
            }
        }
    }

    /// Picks the frequent terms (after the first read); whether one of them
    /// has no examples kept, so the month's comments must be read again.
    fn needs_second_read(&mut self) -> bool {
        let mut frequent: Vec<(String, i64)> = std::mem::take(&mut self.terms)
            .into_iter()
            .filter(|(_, n)| *n >= self.min_term_comments)
            .collect();
        frequent.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        frequent.truncate(self.max_terms);
        // Only the frequent terms' examples are still needed.
        self.term_examples
            .retain(|term, _| frequent.iter().any(|(t, _)| t == term));
        self.untracked = frequent
            .iter()
            .filter(|(term, _)| !self.term_examples.contains_key(term))
            .map(|(term, _)| term.clone())
            .collect();
        self.frequent = frequent;
        !self.untracked.is_empty()
    }

    /// The second read (this month only): examples of the frequent terms
    /// that kept none, in the comments' order.
    fn find_examples(&mut self, comment: &Comment) {
        if comment.month != self.month || is_placeholder(&comment.text, &self.placeholders) {
            return;
        }
        if !self.uncovered(&comment.text.to_lowercase()) {
            return;
        }
        let words = terms(&comment.text, &self.stop_words);
        for term in words.intersection(&self.untracked) {
            add_example(
                self.term_examples.entry(term.clone()).or_default(),
                &comment.text,
            );
        }
    }

    /// The topics: rule topics (by count, then rule order), then the
    /// frequent uncovered terms (by count, then term).
    fn finish(mut self) -> CommentTopics {
        if self.terms_left_out > 0 {
            tracing::warn!(
                words = self.max_counted_terms,
                left_out = self.terms_left_out,
                "the comments use more different words than are counted; later new words are not topics"
            );
        }
        let total = self.result.n_comments;
        let share = |count: i64| {
            if total > 0 {
                count as f64 / total as f64 * 100.0
            } else {
                0.0
            }
        };
        let mut rule_topics = Vec::new();
        for ((category, keywords), (count, previous_count, examples)) in
            self.categories.into_iter().zip(self.rule_counts)
        {
            if count == 0 && previous_count == 0 {
                continue;
            }
            rule_topics.push(Topic {
                kind: TopicKind::Rule,
                name: category,
                keywords,
                count,
                share: share(count),
                previous_count,
                new_this_month: count > 0 && previous_count == 0,
                examples,
            });
        }
        // Stable: equal counts keep the rules' order.
        rule_topics.sort_by(|a, b| b.count.cmp(&a.count));
        let term_topics = self.frequent.into_iter().map(|(term, count)| {
            let previous_count = self.previous_terms.get(&term).copied().unwrap_or(0);
            Topic {
                kind: TopicKind::Term,
                examples: self.term_examples.remove(&term).unwrap_or_default(),
                name: term,
                keywords: Vec::new(),
                count,
                share: share(count),
                previous_count,
                new_this_month: previous_count == 0,
            }
        });
        self.result.topics = rule_topics.into_iter().chain(term_topics).collect();
        self.result
    }
}

/// Adds `text` to `examples` unless they are full or hold it already (the
/// first [`EXAMPLES_PER_TOPIC`] different texts).
fn add_example(examples: &mut Vec<String>, text: &str) {
    if examples.len() < EXAMPLES_PER_TOPIC && !examples.iter().any(|e| e == text) {
        examples.push(text.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `i`-th of distinct five-letter ASCII words (jieba keeps them
    /// whole).
    fn word(i: usize) -> String {
        let mut word = String::from("w");
        let mut rest = i;
        for _ in 0..4 {
            word.push(char::from(b'a' + (rest % 26) as u8));
            rest /= 26;
        }
        word
    }

    #[test]
    fn a_frequent_term_first_seen_late_gets_its_examples_from_a_second_read() {
        let mut config = Config::load(None).unwrap();
        config.keyword_rules.clear();
        config.comments.min_term_comments = 2;
        let month: Month = "2026-10".parse().unwrap();
        let comment = |month: &str, text: &str, n: i64| Comment {
            month: month.to_string(),
            origin: "callback".to_string(),
            text: text.to_string(),
            n,
        };
        // More different words than keep their examples as they come, each
        // once; then "zebra" in three comments of the month (one repeated)
        // and one of the month before.
        let unique: Vec<String> = (0..TERMS_WITH_EXAMPLES + 10).map(word).collect();
        let mut comments: Vec<Comment> = unique.iter().map(|w| comment("2026-10", w, 1)).collect();
        comments.push(comment("2026-10", "zebra crossing", 2));
        comments.push(comment("2026-10", "zebra again", 1));
        comments.push(comment("2026-10", "the zebra", 1));
        comments.push(comment("2026-09", "zebra", 4));

        let mut counter = TopicCounter::new(&config, month);
        for c in &comments {
            counter.count(c);
        }
        assert!(counter.needs_second_read());
        for c in comments.iter().filter(|c| c.month == "2026-10") {
            counter.find_examples(c);
        }
        let topics = counter.finish();
        let zebra = topics.topics.iter().find(|t| t.name == "zebra").unwrap();
        // By hand: 2 + 1 + 1 comments this month, 4 the month before; the
        // first two different texts holding the word.
        assert_eq!((zebra.count, zebra.previous_count), (4, 4));
        assert_eq!(zebra.examples, vec!["zebra crossing", "zebra again"]);
        let crossing = topics.topics.iter().find(|t| t.name == "crossing").unwrap();
        assert_eq!((crossing.count, crossing.previous_count), (2, 0));
        assert_eq!(crossing.examples, vec!["zebra crossing"]);
        // A word used once is below min_term_comments.
        assert!(topics.topics.iter().all(|t| t.name != unique[0]));
        assert_eq!(topics.n_comments, unique.len() as i64 + 4);
        assert_eq!(topics.n_previous, 4);
        assert_eq!(topics.n_uncovered, unique.len() as i64 + 4);
    }

    /// A survey comment of 2026-10 said `n` times.
    fn october_survey_comment(text: &str, n: i64) -> Comment {
        Comment {
            month: "2026-10".to_string(),
            origin: "survey".to_string(),
            text: text.to_string(),
            n,
        }
    }

    /// A run of letters longer than any word (one jieba token) is not a
    /// topic word, so random text cannot make the counted words large;
    /// a word of exactly the longest length still is.
    #[test]
    fn overlong_words_are_not_topics() {
        let stop_words: BTreeSet<String> = STOP_WORDS.iter().map(|w| w.to_string()).collect();
        let longest = "abcdefghijklmnopqrstuvwx";
        assert_eq!(longest.chars().count(), MAX_TERM_CHARS);
        let too_long = "qwertyuiopasdfghjklzxcvbnmqwertyuiop".repeat(20);
        let words = terms(&format!("{too_long} {longest} delivery"), &stop_words);
        assert_eq!(
            words.into_iter().collect::<Vec<_>>(),
            vec![longest.to_string(), "delivery".to_string()]
        );
    }

    #[test]
    fn words_past_the_counted_limit_are_left_out_and_the_others_stay_exact() {
        let mut config = Config::load(None).unwrap();
        config.keyword_rules.clear();
        config.comments.min_term_comments = 1;
        let month: Month = "2026-10".parse().unwrap();
        let mut counter = TopicCounter::new(&config, month);
        counter.max_counted_terms = 2;
        // "zebra" and "lion" are counted first; "tiger" comes when two
        // words are counted and is left out (3 occurrences); the counted
        // words keep counting: zebra 2 + 4, lion 1.
        for (text, n) in [("zebra", 2), ("lion", 1), ("tiger zebra", 3), ("zebra", 1)] {
            counter.count(&october_survey_comment(text, n));
        }
        assert!(!counter.needs_second_read());
        let topics = counter.finish();
        let counts: Vec<(String, i64)> = topics
            .topics
            .iter()
            .map(|t| (t.name.clone(), t.count))
            .collect();
        assert_eq!(
            counts,
            vec![("zebra".to_string(), 6), ("lion".to_string(), 1)]
        );
        assert_eq!(topics.n_comments, 7);
    }

    #[test]
    fn early_terms_keep_their_examples_without_a_second_read() {
        let mut config = Config::load(None).unwrap();
        config.keyword_rules.clear();
        config.comments.min_term_comments = 2;
        let month: Month = "2026-10".parse().unwrap();
        let mut counter = TopicCounter::new(&config, month);
        for (text, n) in [("zebra crossing", 2), ("zebra again", 1), ("the zebra", 1)] {
            counter.count(&october_survey_comment(text, n));
        }
        assert!(!counter.needs_second_read());
        let topics = counter.finish();
        let zebra = topics.topics.iter().find(|t| t.name == "zebra").unwrap();
        assert_eq!(zebra.examples, vec!["zebra crossing", "zebra again"]);
        assert_eq!(topics.by_origin[0], ("survey".to_string(), 4));
    }

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
