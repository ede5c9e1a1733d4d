//! What a column holds: facts from its values, the scale they fit, and the
//! canonical field its header words name.

use std::collections::BTreeSet;

use crate::config::Scale;
use crate::ingest::answers::{self, DateOptions};
use crate::ingest::table::{Cell, Sheet};

use super::draft::one_line;
use super::{FIT_SHARE, SAMPLE_ROWS};

/// What a column holds.
#[derive(Debug, Clone, Default)]
pub(super) struct ColumnFacts {
    /// Non-blank cells seen.
    pub(super) n_values: usize,
    /// Distinct texts.
    pub(super) distinct: usize,
    /// Cells that are dates or date-times.
    pub(super) n_dates: usize,
    /// Cells that are yes/no.
    pub(super) n_bools: usize,
    /// Cells that are durations (and not plain numbers).
    pub(super) n_durations: usize,
    /// Whole numbers among the cells.
    pub(super) n_integers: usize,
    /// Year-last date texts read day-first only (`13/10/2026`).
    pub(super) day_first_only: usize,
    /// Year-last date texts read month-first only (`10/13/2026`).
    pub(super) month_first_only: usize,
    /// A few values, for the comments.
    pub(super) examples: Vec<String>,
}

pub(super) fn column_facts(
    sheet: &Sheet,
    column: usize,
    data_rows: &[usize],
    zone: Option<chrono_tz::Tz>,
) -> ColumnFacts {
    let mut facts = ColumnFacts::default();
    let mut distinct = BTreeSet::new();
    let options = DateOptions {
        system: sheet.date_system,
        day_first: false,
        zone,
    };
    for &row in data_rows.iter().take(SAMPLE_ROWS) {
        let Some(cell) = sheet.rows[row].get(column) else {
            continue;
        };
        if cell.is_blank() {
            continue;
        }
        facts.n_values += 1;
        let text = cell.text();
        if distinct.insert(text.clone()) && facts.examples.len() < 3 {
            facts.examples.push(text.chars().take(30).collect());
        }
        let is_number = matches!(cell, Cell::Number(_)) || text.trim().parse::<f64>().is_ok();
        if is_number && text.trim().parse::<f64>().is_ok_and(|n| n.fract() == 0.0) {
            facts.n_integers += 1;
        }
        let looks_dated = matches!(cell, Cell::DateTime(_))
            || (!is_number && answers::parse_datetime_with(cell, &options).is_ok());
        if looks_dated {
            facts.n_dates += 1;
            if let Cell::Text(t) = cell {
                let head: Vec<&str> = t
                    .trim()
                    .split([' ', 'T'])
                    .next()
                    .unwrap_or("")
                    .split(['/', '-', '.'])
                    .collect();
                if let [a, b, c] = head.as_slice() {
                    if c.len() == 4 {
                        let a: u32 = a.parse().unwrap_or(0);
                        let b: u32 = b.parse().unwrap_or(0);
                        if a > 12 {
                            facts.day_first_only += 1;
                        } else if b > 12 {
                            facts.month_first_only += 1;
                        }
                    }
                }
            }
        } else if !is_number && answers::parse_duration(cell).is_ok() {
            facts.n_durations += 1;
        }
        if answers::parse_bool(cell).is_ok() && !is_number {
            facts.n_bools += 1;
        }
    }
    facts.distinct = distinct.len();
    facts
}

/// How well a column fits a scale: values read, values refused, no-answers.
pub(super) fn scale_fit(
    sheet: &Sheet,
    column: usize,
    data_rows: &[usize],
    scale: Scale,
) -> (usize, Vec<String>) {
    let mut read = 0;
    let mut refused = Vec::new();
    for &row in data_rows.iter().take(SAMPLE_ROWS) {
        let Some(cell) = sheet.rows[row].get(column) else {
            continue;
        };
        match answers::parse_answer(scale, cell) {
            Ok(Some(_)) => read += 1,
            Ok(None) => {}
            Err(_) => refused.push(cell.text()),
        }
    }
    (read, refused)
}

/// The scale a column's values fit, with the reason; `None` for free text.
pub(super) fn guess_scale(
    sheet: &Sheet,
    column: usize,
    data_rows: &[usize],
    header: &str,
) -> Option<(Scale, String)> {
    let values: Vec<&Cell> = data_rows
        .iter()
        .take(SAMPLE_ROWS)
        .filter_map(|&r| sheet.rows[r].get(column))
        .filter(|c| !c.is_blank())
        .collect();
    let numbers: Vec<f64> = values
        .iter()
        .filter_map(|c| match c {
            Cell::Number(n) => Some(*n),
            Cell::Text(t) => t.trim().trim_end_matches('分').parse::<f64>().ok(),
            _ => None,
        })
        .collect();
    let has_labels = values.iter().any(|c| {
        matches!(c, Cell::Text(t) if t.trim().parse::<f64>().is_err())
            && answers::parse_answer(Scale::Likert5, c).is_ok_and(|v| v.is_some())
    });
    let has_stars = values
        .iter()
        .any(|c| matches!(c, Cell::Text(t) if t.contains('★')));
    let tier_only = !numbers.is_empty()
        && numbers
            .iter()
            .all(|n| [0.0, 3.0, 6.0, 8.0, 10.0].contains(n))
        && numbers.iter().any(|n| *n > 5.0)
        && numbers
            .iter()
            .collect::<Vec<_>>()
            .iter()
            .map(|n| n.to_bits())
            .collect::<BTreeSet<_>>()
            .len()
            >= 3;
    let mut order = vec![Scale::Likert5, Scale::Stars5, Scale::Tier10, Scale::Nps10];
    if tier_only {
        order = vec![Scale::Tier10, Scale::Likert5, Scale::Nps10];
    } else if has_stars || header.contains('星') || header.to_lowercase().contains("star") {
        order = vec![Scale::Stars5, Scale::Likert5, Scale::Tier10, Scale::Nps10];
    }
    for scale in order {
        let (read, refused) = scale_fit(sheet, column, data_rows, scale);
        let total = read + refused.len();
        if read == 0 || (read as f64) < FIT_SHARE * total as f64 {
            continue;
        }
        let seen = match scale {
            Scale::Likert5 if has_labels => "labels 很满意…很不满意",
            Scale::Likert5 => "whole numbers 1–5",
            Scale::Stars5 => "1–5 stars",
            Scale::Tier10 => "only 10, 8, 6, 3 and 0",
            Scale::Nps10 => "whole numbers 0–10",
        };
        let mut reason = format!("{read} answers, {seen}");
        if !refused.is_empty() {
            let shown: Vec<String> = refused
                .iter()
                .take(3)
                .map(|v| format!("'{}'", one_line(v)))
                .collect();
            let n = refused.len();
            reason.push_str(&format!(
                "; {n} {} and will be refused ({})",
                if n == 1 {
                    "value does not fit"
                } else {
                    "values do not fit"
                },
                shown.join(", ")
            ));
        }
        return Some((scale, reason));
    }
    None
}

/// Header words of the canonical fields, in the order they are tried.
pub(super) fn field_words(field: &str) -> &'static [&'static str] {
    match field {
        "respondent_id" => &[
            "序号",
            "答卷编号",
            "问卷编号",
            "答卷id",
            "respondent id",
            "response id",
            "responseid",
            "记录编号",
            "编号",
            "单号",
            "记录号",
            "id",
            "号",
        ],
        "callback_id" => &[
            "回访单号",
            "回访编号",
            "工单编号",
            "工单号",
            "单号",
            "记录编号",
            "编号",
            "序号",
            "id",
        ],
        "customer_id" => &[
            "客户编号",
            "客户代码",
            "客户id",
            "客户号",
            "会员编号",
            "会员号",
            "customer id",
            "customer",
        ],
        "submitted_at" => &[
            "提交答卷时间",
            "提交时间",
            "提交日期",
            "填写时间",
            "答题时间",
            "完成时间",
            "回访时间",
            "回访日期",
            "调查日期",
            "timestamp",
            "submitted",
            "时间",
            "日期",
            "date",
            "time",
        ],
        "called_at" => &[
            "回访时间",
            "通话时间",
            "呼叫时间",
            "拨打时间",
            "回访日期",
            "时间",
            "日期",
            "date",
            "time",
        ],
        "planned_on" => &["计划回访日期", "计划日期", "计划"],
        "dealer" => &[
            "门店",
            "经销商",
            "专卖店",
            "店铺",
            "网点",
            "dealer",
            "store",
            "shop",
        ],
        "region" => &["区域", "地区", "大区", "region"],
        "duration" => &["所用时间", "答题时长", "用时", "时长", "duration"],
        "reached" => &[
            "是否接通",
            "接通状态",
            "接通",
            "联系上",
            "通话状态",
            "呼叫结果",
            "reached",
        ],
        "callback_type" => &["回访类型", "回访类别", "类型", "type"],
        "remark" => &[
            "客户意见",
            "客户反馈",
            "意见",
            "反馈",
            "备注",
            "建议",
            "remark",
            "comment",
        ],
        _ => &[],
    }
}

/// Columns that hold customer data or tool metadata, never answers.
pub(super) fn is_personal_or_metadata(normalized: &str) -> bool {
    const WORDS: &[&str] = &[
        "姓名",
        "名称",
        "电话",
        "手机",
        "地址",
        "邮箱",
        "email",
        "e-mail",
        "phone",
        "name",
        "ip",
        "来源",
        "微信",
        "昵称",
        "用户标识",
    ];
    WORDS.iter().any(|w| normalized.contains(w))
}

/// Generic header words that match too many files to recognise a layout.
pub(super) fn is_generic(normalized: &str) -> bool {
    const GENERIC: &[&str] = &[
        "序号",
        "编号",
        "id",
        "时间",
        "日期",
        "备注",
        "姓名",
        "名称",
        "timestamp",
        "date",
        "time",
        "name",
        "客户编号",
        "客户名称",
    ];
    GENERIC.contains(&normalized) || normalized.chars().count() < 2
}
