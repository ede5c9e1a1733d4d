//! Sheet 客户原声 (customer voice): the month's comments by topic — keyword
//! rule categories, then frequent words no rule covers — with count, share,
//! last month, change, a "new this month" flag and two example comments with
//! phone numbers and e-mail addresses masked; below, the uncovered words as
//! candidate keyword rules, ready to paste into `csat.toml`.

use rust_xlsxwriter::Worksheet;

use super::mask::mask_personal;
use super::workbook::{print_setup, Formats};
use super::RenderError;
use crate::analysis::comments::TopicKind;
use crate::analysis::MonthlyResults;

/// Sheet name.
pub const SHEET_COMMENTS: &str = "客户原声";

/// The topic table's columns: header and width.
const HEADERS: [(&str, f64); 10] = [
    ("话题", 14.0),
    ("来源", 12.0),
    ("关键词", 14.0),
    ("条数", 7.0),
    ("占比", 8.0),
    ("上月条数", 9.0),
    ("环比变化", 9.0),
    ("本月新出现", 10.0),
    ("示例 1", 40.0),
    ("示例 2", 40.0),
];

/// How topics are formed, printed under the title.
const TOPICS_NOTE: &str = "话题：关键词规则的类别（与问题柏拉图相同的规则），及未被规则覆盖的意见中的高频词（jieba 分词，去除停用词）；一条意见在一个话题中只计一次；示例中的电话与邮箱已遮蔽。";

/// An example comment is cut to this many characters.
const EXAMPLE_CHARS: usize = 120;

/// Row of the topic table's header (tests read the sheet by it).
pub const TOPICS_HEADER_ROW: u32 = 3;

fn example(text: &str) -> String {
    let masked = mask_personal(text);
    if masked.chars().count() > EXAMPLE_CHARS {
        let cut: String = masked.chars().take(EXAMPLE_CHARS).collect();
        format!("{cut}…")
    } else {
        masked
    }
}

/// Writes the 客户原声 sheet.
///
/// # Errors
/// rust_xlsxwriter refuses a value.
pub fn comments_sheet(
    sheet: &mut Worksheet,
    results: &MonthlyResults,
    formats: &Formats,
) -> Result<(), RenderError> {
    let lang = formats.lang;
    sheet.set_name(lang.t(SHEET_COMMENTS))?;
    for (column, (_, width)) in HEADERS.iter().enumerate() {
        sheet.set_column_width(column as u16, *width)?;
    }
    let comments = &results.comments;
    sheet.write_string_with_format(
        0,
        0,
        lang.pick(
            format!("客户原声 {}", results.month),
            format!("Customer voice {}", results.month),
        ),
        &formats.title,
    )?;
    let origin = |key: &str| {
        comments
            .by_origin
            .iter()
            .find(|(o, _)| o == key)
            .map_or(0, |(_, n)| *n)
    };
    sheet.write_string_with_format(
        1,
        0,
        lang.pick(
            format!(
                "本月意见 {} 条（问卷 {}、回访备注 {}、投诉描述 {}），已剔除无内容回答 {} 条；未被关键词规则覆盖 {} 条。上月 {} 条。",
                comments.n_comments,
                origin("survey"),
                origin("callback"),
                origin("complaint"),
                comments.n_placeholders,
                comments.n_uncovered,
                comments.n_previous
            ),
            format!(
                "{} comments this month (survey {}, callback remarks {}, complaint descriptions {}); {} empty answers dropped; {} not covered by a keyword rule. Last month {}.",
                comments.n_comments,
                origin("survey"),
                origin("callback"),
                origin("complaint"),
                comments.n_placeholders,
                comments.n_uncovered,
                comments.n_previous
            ),
        ),
        &formats.text,
    )?;
    sheet.merge_range(2, 0, 2, 9, lang.t(TOPICS_NOTE), &formats.wrap)?;
    sheet.set_row_height(2, 32)?;
    for (column, (header, _)) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(
            TOPICS_HEADER_ROW,
            column as u16,
            lang.t(header),
            &formats.header,
        )?;
    }
    let mut row = TOPICS_HEADER_ROW;
    if comments.topics.is_empty() {
        row += 1;
        sheet.write_string_with_format(row, 0, lang.t("本月没有客户原声"), &formats.text)?;
    }
    for topic in &comments.topics {
        row += 1;
        sheet.write_string_with_format(row, 0, &topic.name, &formats.text)?;
        let kind = match topic.kind {
            TopicKind::Rule => lang.t("关键词规则"),
            TopicKind::Term => lang.t("高频词（未覆盖）"),
        };
        sheet.write_string_with_format(row, 1, kind, &formats.text)?;
        sheet.write_string_with_format(row, 2, topic.keywords.join("、"), &formats.text)?;
        sheet.write_number_with_format(row, 3, topic.count as f64, &formats.integer)?;
        sheet.write_number_with_format(row, 4, topic.share / 100.0, &formats.percent)?;
        sheet.write_number_with_format(row, 5, topic.previous_count as f64, &formats.integer)?;
        sheet.write_number_with_format(
            row,
            6,
            (topic.count - topic.previous_count) as f64,
            &formats.points,
        )?;
        if topic.new_this_month {
            sheet.write_string_with_format(row, 7, lang.t("新"), &formats.missed)?;
        } else {
            sheet.write_string_with_format(row, 7, "", &formats.text)?;
        }
        for index in 0..2 {
            let text = topic
                .examples
                .get(index)
                .map(|t| example(t))
                .unwrap_or_default();
            sheet.write_string_with_format(row, 8 + index as u16, text, &formats.text)?;
        }
    }

    // Candidate keyword rules: the uncovered words.
    row += 2;
    sheet.write_string_with_format(
        row,
        0,
        lang.t("候选关键词规则（未被规则覆盖的高频词，确认类别后加入 csat.toml）"),
        &formats.label,
    )?;
    row += 1;
    for (column, header) in [lang.t("关键词"), lang.t("条数"), lang.t("配置示例")]
        .iter()
        .enumerate()
    {
        sheet.write_string_with_format(row, column as u16, *header, &formats.header)?;
    }
    let candidates: Vec<_> = comments
        .topics
        .iter()
        .filter(|t| t.kind == TopicKind::Term)
        .collect();
    if candidates.is_empty() {
        row += 1;
        sheet.write_string_with_format(row, 0, lang.t("无"), &formats.text)?;
    }
    for topic in candidates {
        row += 1;
        sheet.write_string_with_format(row, 0, &topic.name, &formats.text)?;
        sheet.write_number_with_format(row, 1, topic.count as f64, &formats.integer)?;
        sheet.merge_range(
            row,
            2,
            row,
            7,
            &format!(
                "[[keyword_rules]]\nkeyword = \"{}\"\ncategory = \"{}\"",
                topic.name.replace('"', ""),
                lang.t("（类别）")
            ),
            &formats.wrap,
        )?;
        sheet.set_row_height(row, 45)?;
    }
    print_setup(sheet, TOPICS_HEADER_ROW)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::labels::Lang;

    #[test]
    fn every_label_of_the_sheet_has_an_english_entry() {
        let labels = HEADERS.iter().map(|(h, _)| *h).chain([
            SHEET_COMMENTS,
            TOPICS_NOTE,
            "本月没有客户原声",
            "关键词规则",
            "高频词（未覆盖）",
            "新",
            "候选关键词规则（未被规则覆盖的高频词，确认类别后加入 csat.toml）",
            "关键词",
            "条数",
            "配置示例",
            "（类别）",
            "无",
        ]);
        for label in labels {
            assert_ne!(Lang::En.t(label), label, "{label} has no English entry");
        }
    }

    #[test]
    fn examples_are_masked_and_cut() {
        assert_eq!(example("请回电 13812345678"), "请回电 138****5678");
        let long = "很".repeat(200);
        assert_eq!(example(&long).chars().count(), EXAMPLE_CHARS + 1);
    }
}
