//! Turns answer cells and record fields into values: Likert text (Chinese and
//! English) and numbers on each scale, dates in the usual Chinese and ISO
//! forms (re-exported from [`super::dates`]), severities, yes/no. Every function says what it expected when it
//! refuses a value, so the message can be shown to the person who made the file.

use crate::config::Scale;
pub use crate::ingest::dates::{
    parse_date, parse_datetime, parse_datetime_with, parse_duration, parse_month, DateOptions,
};
use crate::ingest::table::Cell;
pub use crate::ingest::table::DateSystem;

/// Texts that mean "no answer": excluded from scores, never zero.
const NO_ANSWER: &[&str] = &[
    "",
    "null",
    "#n/a",
    "(跳过)",
    "(空)",
    "跳过",
    "空",
    "没意见",
    "不适用",
    "不清楚",
    "无",
    "n/a",
    "na",
    "-",
    "--",
];

/// Normalises answer text: full-width ASCII to half-width, trimmed,
/// lower-case, inner whitespace collapsed.
pub fn normalize(text: &str) -> String {
    // Most cells (5, 很满意, 已接通, k2026…) are already normal: ASCII
    // without spaces or capitals, or CJK ideographs, which have no case,
    // width or space forms.
    let is_normal = |c: char| {
        (c.is_ascii_graphic() && !c.is_ascii_uppercase()) || ('\u{4E00}'..='\u{9FFF}').contains(&c)
    };
    if text.chars().all(is_normal) {
        return text.to_string();
    }
    normalize_any(text)
}

fn normalize_any(text: &str) -> String {
    let half: String = text
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect();
    half.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Parses one answer on `scale`.
///
/// `Ok(None)` is a no-answer (skipped, empty, 不适用 …). `Err` carries the
/// expected form, for the rejected-row message.
///
/// # Errors
/// Text that is no label of the scale, or a number outside it.
pub fn parse_answer(scale: Scale, cell: &Cell) -> Result<Option<f64>, String> {
    let expected = || scale.expected().to_string();
    let text = match cell {
        Cell::Empty => return Ok(None),
        Cell::Number(n) => return check_number(scale, *n).map(Some).ok_or_else(expected),
        Cell::Text(t) => normalize(t),
        Cell::DateTime(_) | Cell::Bool(_) => return Err(expected()),
    };
    if NO_ANSWER.contains(&text.as_str()) {
        return Ok(None);
    }
    let labels = scale.labels();
    if let Some((_, value)) = labels.iter().find(|(label, _)| *label == text) {
        return Ok(Some(*value));
    }
    // "A.很满意" (腾讯问卷 option prefixes).
    if let Some(rest) = strip_option_letter(&text) {
        if let Some((_, value)) = labels.iter().find(|(label, _)| *label == rest) {
            return Ok(Some(*value));
        }
    }
    if scale == Scale::Stars5 && !text.is_empty() && text.chars().all(|c| c == '★') {
        return check_number(scale, text.chars().count() as f64)
            .map(Some)
            .ok_or_else(expected);
    }
    let number_text = text
        .trim_end_matches('分')
        .trim_end_matches("points")
        .trim();
    match number_text.parse::<f64>() {
        Ok(n) => check_number(scale, n).map(Some).ok_or_else(expected),
        Err(_) => Err(expected()),
    }
}

/// Parses an answer from an ordinal export (问卷星 按选项序号): the number is
/// the option's 1-based position; `-3` (skipped) and `-2` (not ranked) are
/// no-answers; a 0–10 scale is exported as score + 1. `best_first` says the
/// questionnaire lists the best option first (很满意 = 1).
///
/// # Errors
/// Not a position of the scale's options.
pub fn parse_ordinal(scale: Scale, cell: &Cell, best_first: bool) -> Result<Option<f64>, String> {
    let position = match cell {
        Cell::Empty => return Ok(None),
        Cell::Number(n) => *n,
        Cell::Text(t) if NO_ANSWER.contains(&normalize(t).as_str()) => return Ok(None),
        Cell::Text(t) => match normalize(t).parse::<f64>() {
            Ok(n) => n,
            Err(_) => return parse_answer(scale, cell),
        },
        _ => return Err("an option number".to_string()),
    };
    if position == -3.0 || position == -2.0 {
        return Ok(None);
    }
    let n_options = scale.n_options() as f64;
    if position.fract() != 0.0 || !(1.0..=n_options).contains(&position) {
        return Err(format!(
            "an option number 1–{n_options} (按选项序号 export; -3 = skipped)"
        ));
    }
    let value = scale.option_value(position as usize, best_first);
    Ok(Some(value))
}

/// `"A.深圳福田店"` → `"深圳福田店"` (腾讯问卷 writes the option letter before
/// the option text); other text unchanged.
pub fn without_option_letter(text: &str) -> &str {
    strip_option_letter(text).unwrap_or(text)
}

fn strip_option_letter(text: &str) -> Option<&str> {
    let mut chars = text.char_indices();
    let (_, letter) = chars.next()?;
    let (dot_index, dot) = chars.next()?;
    if letter.is_ascii_alphabetic() && (dot == '.' || dot == '、') {
        Some(text[dot_index + dot.len_utf8()..].trim())
    } else {
        None
    }
}

fn check_number(scale: Scale, n: f64) -> Option<f64> {
    scale.accepts(n).then_some(n)
}

/// Parses a complaint severity 1–3: `1`, `1级`, `一级`, `重大`.
///
/// # Errors
/// Anything else.
pub fn parse_severity(cell: &Cell) -> Result<i64, String> {
    const EXPECTED: &str = "a severity 1, 2 or 3 (also 1级, 一级)";
    let text = normalize(&cell.text());
    let text = text.trim_end_matches('级');
    let value = match text {
        "1" | "一" | "重大" => 1,
        "2" | "二" | "较大" => 2,
        "3" | "三" | "一般" => 3,
        _ => return Err(EXPECTED.to_string()),
    };
    Ok(value)
}

/// Parses yes/no: 是/否, 已接通/未接通, y/n, true/false, 1/0.
///
/// # Errors
/// Anything else.
pub fn parse_bool(cell: &Cell) -> Result<bool, String> {
    const EXPECTED: &str = "yes or no (是/否, 已接通/未接通, Y/N)";
    if let Cell::Bool(b) = cell {
        return Ok(*b);
    }
    match normalize(&cell.text()).as_str() {
        "是" | "已接通" | "接通" | "已采纳" | "采纳" | "y" | "yes" | "true" | "1" => {
            Ok(true)
        }
        "否" | "未接通" | "无人接听" | "未采纳" | "n" | "no" | "false" | "0" => {
            Ok(false)
        }
        _ => Err(EXPECTED.to_string()),
    }
}

/// Parses a number, allowing thousands separators and a trailing 元.
///
/// # Errors
/// Anything that is not a finite number.
pub fn parse_number(cell: &Cell) -> Result<f64, String> {
    const EXPECTED: &str = "a number";
    match cell {
        Cell::Number(n) if n.is_finite() => Ok(*n),
        Cell::Text(t) => normalize(t)
            .replace(',', "")
            .trim_end_matches('元')
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .ok_or_else(|| EXPECTED.to_string()),
        _ => Err(EXPECTED.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::month::Month;
    use chrono::{NaiveDate, NaiveDateTime};

    fn text(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }

    #[test]
    fn normal_text_is_kept_as_the_general_normalisation_would() {
        for text in [
            "5",
            "很满意",
            "已接通",
            "k2026-10",
            "",
            "a.很满意",
            "N/A",
            "Ｎ／Ａ",
            " 5 ",
            "很 满意",
            "Very  Satisfied",
            "ǅ",
            "ｶ",
            "满意\u{3000}",
            "テスト",
            "é",
        ] {
            assert_eq!(normalize(text), normalize_any(text), "{text:?}");
        }
    }

    #[test]
    fn likert_labels_match_exactly() {
        let cases = [
            ("很满意", Some(5.0)),
            ("满意", Some(4.0)),
            ("不满意", Some(2.0)),
            ("很不满意", Some(1.0)),
            (" 一般 ", Some(3.0)),
            ("Very Satisfied", Some(5.0)),
            ("A.很满意", Some(5.0)),
            ("4分", Some(4.0)),
            ("(跳过)", None),
            ("（空）", None),
            ("不适用", None),
        ];
        for (input, expected) in cases {
            assert_eq!(
                parse_answer(Scale::Likert5, &text(input)),
                Ok(expected),
                "{input}"
            );
        }
        assert_eq!(
            parse_answer(Scale::Likert5, &Cell::Number(5.0)),
            Ok(Some(5.0))
        );
    }

    #[test]
    fn out_of_scale_is_refused_with_expected_form() {
        let err = parse_answer(Scale::Likert5, &Cell::Number(7.0)).unwrap_err();
        assert!(err.contains("1–5"), "{err}");
        assert!(parse_answer(Scale::Likert5, &text("满意的")).is_err());
        assert!(parse_answer(Scale::Nps10, &text("11")).is_err());
        assert_eq!(parse_answer(Scale::Nps10, &text("0")), Ok(Some(0.0)));
        assert_eq!(
            parse_answer(Scale::Tier10, &text("比较满意")),
            Ok(Some(8.0))
        );
        assert!(parse_answer(Scale::Tier10, &Cell::Number(7.0)).is_err());
        assert_eq!(parse_answer(Scale::Stars5, &text("★★★")), Ok(Some(3.0)));
    }

    #[test]
    fn ordinal_exports_map_positions_to_values() {
        let n = |v: f64| Cell::Number(v);
        // 很满意 listed first: position 1 is 5 points.
        assert_eq!(parse_ordinal(Scale::Likert5, &n(1.0), true), Ok(Some(5.0)));
        assert_eq!(parse_ordinal(Scale::Likert5, &n(4.0), true), Ok(Some(2.0)));
        assert_eq!(parse_ordinal(Scale::Likert5, &n(4.0), false), Ok(Some(4.0)));
        assert_eq!(parse_ordinal(Scale::Likert5, &n(-3.0), true), Ok(None));
        assert_eq!(parse_ordinal(Scale::Likert5, &text("-2"), true), Ok(None));
        assert!(parse_ordinal(Scale::Likert5, &n(6.0), true).is_err());
        // 0–10 exported as score + 1.
        assert_eq!(parse_ordinal(Scale::Nps10, &n(1.0), true), Ok(Some(0.0)));
        assert_eq!(parse_ordinal(Scale::Nps10, &n(11.0), true), Ok(Some(10.0)));
        assert!(parse_ordinal(Scale::Nps10, &n(12.0), true).is_err());
        // 10/8/6/3/0, best first: positions 1..5 are 10, 8, 6, 3, 0.
        assert_eq!(parse_ordinal(Scale::Tier10, &n(2.0), true), Ok(Some(8.0)));
        assert_eq!(parse_ordinal(Scale::Tier10, &n(5.0), true), Ok(Some(0.0)));
        assert_eq!(parse_ordinal(Scale::Tier10, &n(5.0), false), Ok(Some(10.0)));
    }

    #[test]
    fn dates_in_common_forms() {
        let expected = NaiveDate::from_ymd_opt(2026, 10, 3).unwrap();
        for input in [
            "2026-10-03",
            "2026/10/3",
            "2026年10月3日",
            "2026-10-03 14:05:09",
            "2026/10/3 14:05",
        ] {
            assert_eq!(
                parse_date(&text(input), DateSystem::Excel1900),
                Ok(expected),
                "{input}"
            );
        }
        // Excel serial 46298 is 2026-10-03 in the 1900 system.
        assert_eq!(
            parse_date(&Cell::Number(46298.0), DateSystem::Excel1900),
            Ok(expected)
        );
        assert!(parse_date(&text("上个月"), DateSystem::Excel1900).is_err());
        assert_eq!(
            parse_date(&text("9999-12-31"), DateSystem::Excel1900),
            Err("a date between 1950 and 2100".to_string())
        );
        assert_eq!(
            parse_date(&text("10/3/2026 14:05:09"), DateSystem::Excel1900),
            Ok(expected)
        );
        assert_eq!(
            parse_date(&text("10/03/2026 2:05:09 PM"), DateSystem::Excel1900),
            Ok(expected)
        );
        assert_eq!(
            parse_month(&text("2026年10月"), DateSystem::Excel1900),
            Ok(Month::new(2026, 10).unwrap())
        );
        assert_eq!(
            parse_month(&text("2026-10"), DateSystem::Excel1900),
            Ok(Month::new(2026, 10).unwrap())
        );
        // 1904 system: serial 0 is 1904-01-01, so the same day is 1462 lower.
        assert_eq!(
            parse_date(&Cell::Number(46298.0 - 1462.0), DateSystem::Excel1904),
            Ok(expected)
        );
    }

    #[test]
    fn timestamps_as_real_exports_write_them() {
        let shanghai = DateOptions {
            zone: Some(chrono_tz::Asia::Shanghai),
            ..DateOptions::default()
        };
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
        for (input, expected) in [
            // Google Forms, in the company's own zone and in another.
            ("2026/10/01 1:00:04 PM GMT+8", "2026-10-01 13:00:04"),
            ("2026/10/01 12:30:00 AM GMT+8", "2026-10-01 00:30:00"),
            ("2026/10/01 1:00:04 PM GMT+08:00", "2026-10-01 13:00:04"),
            // 13:00:04 at UTC−4 is 17:00:04 UTC, 01:00:04 next day in Shanghai.
            ("2026/10/01 1:00:04 PM GMT-4", "2026-10-02 01:00:04"),
            ("2026/10/01 5:00:04 AM GMT", "2026-10-01 13:00:04"),
            // 上午/下午.
            ("2026/10/1 下午1:00:04", "2026-10-01 13:00:04"),
            ("2026/10/1 上午12:05", "2026-10-01 00:05:00"),
            ("2026年10月1日 下午 3:20", "2026-10-01 15:20:00"),
            ("2026-10-01 中午12:10:00", "2026-10-01 12:10:00"),
            // ISO 8601: Z and offsets become Shanghai time.
            ("2026-10-01T05:00:04Z", "2026-10-01 13:00:04"),
            ("2026-10-01T05:00:04.250Z", "2026-10-01 13:00:04"),
            ("2026-10-01T13:00:04+08:00", "2026-10-01 13:00:04"),
            ("2026-10-01T00:00:04-05:00", "2026-10-01 13:00:04"),
            ("2026-10-01T05:00:04+0000", "2026-10-01 13:00:04"),
            ("2026-10-01T13:00:04", "2026-10-01 13:00:04"),
            // An Excel serial number in a text cell: 46296 is 2026-10-01,
            // 0.5417129630 of a day is 13:00:04.
            ("46296.541712963", "2026-10-01 13:00:04"),
            // Year last, month first by default.
            ("10/1/2026 13:00:04", "2026-10-01 13:00:04"),
        ] {
            assert_eq!(
                parse_datetime_with(&text(input), &shanghai),
                Ok(at(expected)),
                "{input}"
            );
        }
        let day_first = DateOptions {
            day_first: true,
            ..shanghai
        };
        assert_eq!(
            parse_datetime_with(&text("10/1/2026 13:00:04"), &day_first),
            Ok(at("2026-01-10 13:00:04"))
        );
        assert_eq!(
            parse_datetime_with(&text("13/10/2026 08:00"), &day_first),
            Ok(at("2026-10-13 08:00:00"))
        );
        // Without a zone the wall time is kept as written.
        assert_eq!(
            parse_datetime(&text("2026-10-01T05:00:04Z"), DateSystem::Excel1900),
            Ok(at("2026-10-01 05:00:04"))
        );
        for bad in [
            "13/10/2026 08:00",
            "2026/10/01 13:00:04 PM",
            "2026/10/01 1:00:04 PM GMT+99",
            "下午",
            "2026-10-01T25:00:00Z",
        ] {
            assert!(parse_datetime_with(&text(bad), &shanghai).is_err(), "{bad}");
        }
    }

    #[test]
    fn durations_in_common_forms() {
        for (input, seconds) in [
            ("136秒", 136),
            ("2分16秒", 136),
            ("1小时2分", 3720),
            ("00:02:16", 136),
            ("2:16", 136),
            ("136 s", 136),
            ("136", 136),
            ("１３６秒", 136),
        ] {
            assert_eq!(parse_duration(&text(input)), Ok(seconds), "{input}");
        }
        assert_eq!(parse_duration(&Cell::Number(95.0)), Ok(95));
        // Signs and numbers past 32 bits are refused, never wrapped or
        // overflowed; so is a sum of units past 64 bits.
        let many_hours = "4294967295小时".repeat(700_000);
        for bad in [
            "很久",
            "2分16",
            "1:75",
            "-5秒",
            "-5:10",
            "9223372036854775807:0:0",
            "99999999999999999小时",
            "99999999999999999999",
            many_hours.as_str(),
            // Past the stored column (32-bit seconds): 596,524 hours.
            "596524小时",
        ] {
            assert!(parse_duration(&text(bad)).is_err(), "{bad}");
        }
        assert_eq!(parse_duration(&text("596523小时")), Ok(596_523 * 3600));
        assert!(parse_duration(&Cell::Number(1e15)).is_err());
    }

    #[test]
    fn severities_and_booleans() {
        assert_eq!(parse_severity(&text("1级")), Ok(1));
        assert_eq!(parse_severity(&text("三级")), Ok(3));
        assert_eq!(parse_severity(&Cell::Number(2.0)), Ok(2));
        assert!(parse_severity(&text("4")).is_err());
        assert_eq!(parse_bool(&text("已接通")), Ok(true));
        assert_eq!(parse_bool(&text("未接通")), Ok(false));
        assert_eq!(parse_number(&text("12,345.5元")), Ok(12345.5));
    }
}
