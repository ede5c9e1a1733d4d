//! Recognises which source definition a file belongs to, and where its header
//! row is, by content: the header is the first row (among the first 30 of a
//! sheet) that holds every `header_contains` text of a source, so title rows
//! and blank rows above it are skipped whatever their number.

use crate::config::{Config, Source};
use crate::ingest::answers::normalize;
use crate::ingest::table::Sheet;

/// How many rows from the top of a sheet are searched for the header.
const HEADER_SEARCH_ROWS: usize = 30;

/// Where a file's data is.
#[derive(Debug, Clone)]
pub struct Detected<'c> {
    /// The matching source definition.
    pub source: &'c Source,
    /// Index of the sheet holding the data.
    pub sheet_index: usize,
    /// 0-based index of the header row.
    pub header_row: usize,
    /// Normalised header texts, one per column.
    pub headers: Vec<String>,
}

/// Normalises a header: like [`normalize`], then without trailing colons and
/// without a leading question number (`3、`, `3.`, `Q3.`), so that
/// `"3、送货是否准时："` and `"送货是否准时"` compare equal.
pub fn normalize_header(text: &str) -> String {
    let text = normalize(text);
    let text = text.trim_end_matches([':', '：']).trim();
    strip_question_number(text).0.to_string()
}

/// Splits `"3、送货是否准时"` into (`"送货是否准时"`, `Some(3)`); also
/// `3.`, `Q3.` and 问卷星's split columns `第3题(选项)`.
pub fn strip_question_number(text: &str) -> (&str, Option<u32>) {
    let trimmed = text.trim_start();
    // 问卷星 按选项序号 splits multiple choice into `第6题(运动)` columns.
    if let Some(after) = trimmed.strip_prefix('第') {
        let digits_end = after
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after.len());
        if digits_end > 0 {
            if let Some(rest) = after[digits_end..].strip_prefix('题') {
                return (rest.trim_start(), after[..digits_end].parse().ok());
            }
        }
    }
    let after_q = trimmed.strip_prefix(['q', 'Q']).unwrap_or(trimmed);
    let digits_end = after_q
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(after_q.len());
    if digits_end == 0 {
        return (text, None);
    }
    let rest = &after_q[digits_end..];
    for separator in ['、', '.', '．'] {
        if let Some(stripped) = rest.strip_prefix(separator) {
            let number = after_q[..digits_end].parse().ok();
            return (stripped.trim_start(), number);
        }
    }
    (text, None)
}

/// True when `file_name` matches `pattern` (`*`, `?`), case-insensitively.
pub fn name_matches(pattern: &str, file_name: &str) -> bool {
    let options = glob::MatchOptions {
        case_sensitive: false,
        require_literal_separator: false,
        require_literal_leading_dot: false,
    };
    glob::Pattern::new(pattern)
        .map(|p| p.matches_with(file_name, options))
        .unwrap_or(false)
}

/// Finds the first source (in configuration order) whose header appears in
/// one of the sheets.
pub fn detect<'c>(config: &'c Config, file_name: &str, sheets: &[Sheet]) -> Option<Detected<'c>> {
    // Each candidate row is normalised once, whatever the number of sources.
    let normalized: Vec<Vec<Vec<String>>> = sheets
        .iter()
        .map(|sheet| {
            sheet
                .rows
                .iter()
                .take(HEADER_SEARCH_ROWS)
                .map(|row| row.iter().map(|c| normalize_header(&c.text())).collect())
                .collect()
        })
        .collect();
    for source in &config.sources {
        if let Some(pattern) = &source.file_pattern {
            if !name_matches(pattern, file_name) {
                continue;
            }
        }
        let wanted: Vec<String> = source
            .header_contains
            .iter()
            .map(|h| normalize_header(h))
            .collect();
        for (sheet_index, rows) in normalized.iter().enumerate() {
            for (row_index, headers) in rows.iter().enumerate() {
                let all_present = wanted.iter().all(|w| {
                    headers
                        .iter()
                        .any(|h| !h.is_empty() && h.contains(w.as_str()))
                });
                if all_present {
                    return Some(Detected {
                        source,
                        sheet_index,
                        header_row: row_index,
                        headers: disambiguate(headers.clone()),
                    });
                }
            }
        }
    }
    None
}

/// Makes repeated header names unique: the second `备注` becomes `备注 (2)`,
/// so each column keeps its own name in messages and in the store.
pub fn disambiguate(headers: Vec<String>) -> Vec<String> {
    let mut seen: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    headers
        .into_iter()
        .map(|header| {
            if header.is_empty() {
                return header;
            }
            let count = seen.entry(header.clone()).or_insert(0);
            *count += 1;
            if *count == 1 {
                header
            } else {
                format!("{header} ({count})")
            }
        })
        .collect()
}

/// The header rows `header_row..data_start` of a sheet as text, one entry
/// per column, with merged group cells filled in: a merged cell keeps its
/// text in its first column only, so an empty upper cell takes the text of
/// the nearest filled cell to its left when every column from that cell to
/// it has a sub-header in the row below (`满意度评价` over `产品质量 | 安装服务
/// | 销售服务`). The last header row is never filled.
pub fn filled_header_rows(sheet: &Sheet, header_row: usize, data_start: usize) -> Vec<Vec<String>> {
    let text_at = |row: usize, column: usize| -> String {
        sheet
            .rows
            .get(row)
            .and_then(|r| r.get(column))
            .map(|c| c.text().trim().to_string())
            .unwrap_or_default()
    };
    let width = (header_row..data_start)
        .filter_map(|r| sheet.rows.get(r).map(Vec::len))
        .max()
        .unwrap_or(0);
    (header_row..data_start)
        .map(|row| {
            let mut group: Option<String> = None;
            (0..width)
                .map(|column| {
                    let text = text_at(row, column);
                    let has_below = row + 1 < data_start && !text_at(row + 1, column).is_empty();
                    if !text.is_empty() {
                        group = has_below.then(|| text.clone());
                        text
                    } else if has_below {
                        group.clone().unwrap_or_default()
                    } else {
                        group = None;
                        String::new()
                    }
                })
                .collect()
        })
        .collect()
}

/// The column whose header is `wanted`: an exact match first, else the first
/// header containing it.
pub fn find_column(headers: &[String], wanted: &str) -> Option<usize> {
    let wanted = normalize_header(wanted);
    headers.iter().position(|h| *h == wanted).or_else(|| {
        headers
            .iter()
            .position(|h| !h.is_empty() && h.contains(wanted.as_str()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::table::Cell;

    #[test]
    fn question_numbers_and_colons_are_stripped() {
        assert_eq!(normalize_header("3、送货是否准时："), "送货是否准时");
        assert_eq!(normalize_header(" 销售额（元） "), "销售额(元)");
        assert_eq!(
            strip_question_number("12、是否愿意"),
            ("是否愿意", Some(12))
        );
        assert_eq!(strip_question_number("Q3. Overall"), ("Overall", Some(3)));
        assert_eq!(strip_question_number("序号"), ("序号", None));
        assert_eq!(strip_question_number("第6题(运动)"), ("(运动)", Some(6)));
        assert_eq!(strip_question_number("第一次购买"), ("第一次购买", None));
    }

    #[test]
    fn header_found_below_title_rows() {
        let config = Config::load(None).unwrap();
        let text = |s: &str| Cell::Text(s.to_string());
        let sheet = Sheet {
            name: "Sheet1".into(),
            rows: vec![
                vec![text("客户投诉登记表（2026年10月）")],
                vec![],
                vec![text("投诉编号"), text("受理日期 "), text("严重等级")],
            ],
            date_system: Default::default(),
        };
        let detected = detect(&config, "投诉.xlsx", &[sheet]).unwrap();
        assert_eq!(detected.source.name, "complaints_log");
        assert_eq!(detected.header_row, 2);
        assert_eq!(find_column(&detected.headers, "受理日期"), Some(1));
    }

    #[test]
    fn merged_group_headers_cover_their_sub_columns() {
        let text = |s: &str| Cell::Text(s.to_string());
        let sheet = Sheet {
            name: "Sheet1".into(),
            rows: vec![
                vec![
                    text("客户编号"),
                    text("回访日期"),
                    text("满意度评价"),
                    Cell::Empty,
                    Cell::Empty,
                    text("备注"),
                ],
                vec![
                    Cell::Empty,
                    Cell::Empty,
                    text("产品质量"),
                    text("安装服务"),
                    text("销售服务"),
                    Cell::Empty,
                ],
                vec![
                    text("C1"),
                    text("2026-10-01"),
                    text("5"),
                    text("4"),
                    text("3"),
                    text("无"),
                ],
            ],
            date_system: Default::default(),
        };
        let rows = filled_header_rows(&sheet, 0, 2);
        assert_eq!(
            rows[0],
            vec![
                "客户编号",
                "回访日期",
                "满意度评价",
                "满意度评价",
                "满意度评价",
                "备注"
            ]
        );
        assert_eq!(
            rows[1],
            vec!["", "", "产品质量", "安装服务", "销售服务", ""]
        );
        // A gap without a sub-header ends the group.
        let mut sheet = sheet;
        sheet.rows[1][3] = Cell::Empty;
        let rows = filled_header_rows(&sheet, 0, 2);
        assert_eq!(rows[0][3], "");
        assert_eq!(rows[0][4], "");
    }

    #[test]
    fn repeated_headers_are_numbered() {
        let headers = vec![
            "备注".to_string(),
            String::new(),
            "备注".to_string(),
            String::new(),
        ];
        assert_eq!(disambiguate(headers), vec!["备注", "", "备注 (2)", ""]);
    }

    #[test]
    fn file_patterns_are_case_insensitive() {
        assert!(name_matches("*.XLSX", "survey_2026-10.xlsx"));
        assert!(!name_matches("回访*.csv", "survey.csv"));
    }
}
