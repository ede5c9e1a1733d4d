//! Turns answer cells and record fields into values: Likert text (Chinese and
//! English) and numbers on each scale, dates in the usual Chinese and ISO
//! forms, severities, yes/no. Every function says what it expected when it
//! refuses a value, so the message can be shown to the person who made the file.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};

use crate::config::Scale;
use crate::ingest::table::Cell;
pub use crate::ingest::table::DateSystem;
use crate::month::Month;

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

/// Normalises answer text: full-width ASCII to half-width, trimmed,
/// lower-case, inner whitespace collapsed.
pub fn normalize(text: &str) -> String {
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
    let expected = || match scale {
        Scale::Likert5 => {
            "a label 很满意/满意/一般/不满意/很不满意 or a whole number 1–5".to_string()
        }
        Scale::Stars5 => "1–5 stars (★) or a whole number 1–5".to_string(),
        Scale::Tier10 => {
            "a label 很满意/比较满意/满意/不满意/非常不满意 or one of 10, 8, 6, 3, 0".to_string()
        }
        Scale::Nps10 => "a whole number 0–10".to_string(),
    };
    let text = match cell {
        Cell::Empty => return Ok(None),
        Cell::Number(n) => return check_number(scale, *n).map(Some).ok_or_else(expected),
        Cell::Text(t) => normalize(t),
        Cell::DateTime(_) | Cell::Bool(_) => return Err(expected()),
    };
    if NO_ANSWER.contains(&text.as_str()) {
        return Ok(None);
    }
    let labels = match scale {
        Scale::Likert5 => LIKERT5,
        Scale::Tier10 => TIER10,
        Scale::Nps10 | Scale::Stars5 => &[][..],
    };
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
    let n_options = match scale {
        Scale::Likert5 | Scale::Stars5 | Scale::Tier10 => 5.0,
        Scale::Nps10 => 11.0,
    };
    if position.fract() != 0.0 || !(1.0..=n_options).contains(&position) {
        return Err(format!(
            "an option number 1–{n_options} (按选项序号 export; -3 = skipped)"
        ));
    }
    let value = match scale {
        Scale::Nps10 => position - 1.0,
        Scale::Likert5 | Scale::Stars5 => {
            if best_first {
                6.0 - position
            } else {
                position
            }
        }
        Scale::Tier10 => {
            const WORST_FIRST: [f64; 5] = [0.0, 3.0, 6.0, 8.0, 10.0];
            let index = if best_first {
                5 - position as usize
            } else {
                position as usize - 1
            };
            WORST_FIRST[index]
        }
    };
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
    if n.fract() != 0.0 {
        return None;
    }
    let ok = match scale {
        Scale::Likert5 | Scale::Stars5 => (1.0..=5.0).contains(&n),
        Scale::Tier10 => [0.0, 3.0, 6.0, 8.0, 10.0].contains(&n),
        Scale::Nps10 => (0.0..=10.0).contains(&n),
    };
    ok.then_some(n)
}

/// How a file writes its dates: the workbook's serial-number system, whether
/// a year-last date (`10/1/2026`) is day-first, and the company's time zone,
/// into which times written with an offset (`…Z`, `+08:00`, `GMT+8`) are
/// converted.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DateOptions {
    /// Serial-number system of the workbook.
    pub system: DateSystem,
    /// `1/10/2026` is the 1st of October (else month-first, 10 January).
    pub day_first: bool,
    /// The company's time zone; `None` keeps the wall time as written.
    pub zone: Option<chrono_tz::Tz>,
}

impl DateOptions {
    /// Options with only the serial-number system set.
    pub fn system(system: DateSystem) -> DateOptions {
        DateOptions {
            system,
            ..DateOptions::default()
        }
    }
}

/// Parses a date-time: date cells, `2026-10-03 14:05:09`, `2026/10/3 14:05`,
/// `2026年10月3日`, and Excel serial numbers in the workbook's date system.
///
/// # Errors
/// Anything else, with the expected forms.
pub fn parse_datetime(cell: &Cell, system: DateSystem) -> Result<NaiveDateTime, String> {
    parse_datetime_with(cell, &DateOptions::system(system))
}

/// Parses a date-time as exports write them: besides the forms of
/// [`parse_datetime`], `2026/10/01 1:00:04 PM GMT+8` (Google Forms),
/// `2026/10/1 下午1:00:04`, ISO 8601 with `T`, `Z` or an offset (converted
/// to `options.zone`), Excel serial numbers in text cells, and year-last
/// dates month- or day-first as `options` says.
///
/// # Errors
/// Anything else, with the expected forms.
pub fn parse_datetime_with(cell: &Cell, options: &DateOptions) -> Result<NaiveDateTime, String> {
    let parsed = parse_datetime_any(cell, options)?;
    // A year like 9999 or 1900 is a typing or export error, not a date.
    if !(1950..=2100).contains(&parsed.year()) {
        return Err("a date between 1950 and 2100".to_string());
    }
    Ok(parsed)
}

const DATETIME_EXPECTED: &str = "a date like 2026-10-03, 2026/10/3 14:05 or 2026年10月3日";

fn from_serial(n: f64, system: DateSystem) -> Option<NaiveDateTime> {
    // Up to 9999-12-31 in either system.
    if !(1.0..2_958_466.0).contains(&n) {
        return None;
    }
    let base = match system {
        DateSystem::Excel1900 => NaiveDate::from_ymd_opt(1899, 12, 30),
        DateSystem::Excel1904 => NaiveDate::from_ymd_opt(1904, 1, 1),
    }?;
    let days = n.trunc() as i64;
    let seconds = ((n - n.trunc()) * 86_400.0).round() as i64;
    Some(
        base.and_time(NaiveTime::MIN)
            + chrono::Duration::days(days)
            + chrono::Duration::seconds(seconds),
    )
}

fn parse_datetime_any(cell: &Cell, options: &DateOptions) -> Result<NaiveDateTime, String> {
    match cell {
        Cell::DateTime(dt) => Ok(*dt),
        Cell::Number(n) => {
            from_serial(*n, options.system).ok_or_else(|| DATETIME_EXPECTED.to_string())
        }
        Cell::Text(text) => {
            let text = text.trim();
            // A serial number stored as text (a CSV saved from Excel, a
            // column formatted as text): 46296.5417.
            if text.len() <= 20
                && text.chars().all(|c| c.is_ascii_digit() || c == '.')
                && text.contains(|c: char| c.is_ascii_digit())
            {
                if let Ok(n) = text.parse::<f64>() {
                    if n >= 10_000.0 {
                        return from_serial(n, options.system)
                            .ok_or_else(|| DATETIME_EXPECTED.to_string());
                    }
                }
            }
            parse_datetime_text(text, options).ok_or_else(|| DATETIME_EXPECTED.to_string())
        }
        _ => Err(DATETIME_EXPECTED.to_string()),
    }
}

/// Splits a trailing zone designator off: `… GMT+8`, `… UTC+08:00`, `…Z`,
/// `…+08:00`, `…+0800` (the last two only after a time). Returns the text
/// before it and the offset in seconds east of UTC.
fn split_zone(text: &str) -> (&str, Option<i32>) {
    let upper = text.to_ascii_uppercase();
    for marker in ["GMT", "UTC"] {
        if let Some(at) = upper.rfind(marker) {
            let rest = text[at + marker.len()..].trim();
            if let Some(offset) = parse_offset(rest, true) {
                return (text[..at].trim_end(), Some(offset));
            }
        }
    }
    if let Some(before) = text.strip_suffix(['Z', 'z']) {
        if before.ends_with(|c: char| c.is_ascii_digit()) && before.contains(':') {
            return (before, Some(0));
        }
    }
    // `+08:00` / `-0500` right after a time (never a date's own `-`).
    if let Some(at) = text.rfind(['+', '-']) {
        let before = &text[..at];
        if before.contains(':') && before.ends_with(|c: char| c.is_ascii_digit()) {
            if let Some(offset) = parse_offset(&text[at..], false) {
                return (before, Some(offset));
            }
        }
    }
    (text, None)
}

/// `+8`, `+08`, `+08:00`, `+0800`, `-5`; an empty text is UTC when `empty_ok`.
fn parse_offset(text: &str, empty_ok: bool) -> Option<i32> {
    if text.is_empty() {
        return empty_ok.then_some(0);
    }
    if !text.is_ascii() {
        return None;
    }
    let (sign, digits) = match text.as_bytes()[0] {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let (hours, minutes) = match digits.split_once(':') {
        Some((h, m)) => (h, m),
        None if digits.len() == 4 => digits.split_at(2),
        None => (digits, "0"),
    };
    if hours.is_empty() || hours.len() > 2 || minutes.len() > 2 {
        return None;
    }
    let hours: i32 = hours.parse().ok()?;
    let minutes: i32 = minutes.parse().ok()?;
    (hours <= 14 && minutes < 60).then_some(sign * (hours * 3600 + minutes * 60))
}

/// Whether a 12-hour marker was written: `PM`, `下午` …
#[derive(Clone, Copy, PartialEq)]
enum HalfDay {
    None,
    Am,
    Pm,
}

fn split_half_day(text: &str) -> (String, HalfDay) {
    for (marker, half) in [
        ("上午", HalfDay::Am),
        ("早上", HalfDay::Am),
        ("凌晨", HalfDay::Am),
        ("下午", HalfDay::Pm),
        ("晚上", HalfDay::Pm),
        ("中午", HalfDay::Pm),
    ] {
        if text.contains(marker) {
            return (text.replacen(marker, " ", 1), half);
        }
    }
    let lower = text.to_ascii_lowercase();
    for (marker, half) in [
        ("a.m.", HalfDay::Am),
        ("p.m.", HalfDay::Pm),
        ("am", HalfDay::Am),
        ("pm", HalfDay::Pm),
    ] {
        if let Some(before) = lower.strip_suffix(marker) {
            if before.ends_with(|c: char| c.is_ascii_digit() || c == ' ') {
                return (text[..before.len()].to_string(), half);
            }
        }
    }
    (text.to_string(), HalfDay::None)
}

fn parse_datetime_text(text: &str, options: &DateOptions) -> Option<NaiveDateTime> {
    let (text, offset) = split_zone(text.trim());
    let (text, half) = split_half_day(text);
    let text = text
        .replace('年', "-")
        .replace('月', "-")
        .replace('日', " ")
        .replace('/', "-");
    // ISO 8601's `T` between the date and the time.
    let text = match text.find('T') {
        Some(at)
            if text[..at].ends_with(|c: char| c.is_ascii_digit())
                && text[at + 1..].starts_with(|c: char| c.is_ascii_digit()) =>
        {
            format!("{} {}", &text[..at], &text[at + 1..])
        }
        _ => text,
    };
    let mut parts = text.split_whitespace();
    let date_text = parts.next()?.replace('.', "-");
    let time_text: String = parts.collect::<Vec<_>>().join("");
    let date = parse_date_part(date_text.trim_end_matches('-'), options.day_first)?;
    let time = if time_text.is_empty() {
        if half != HalfDay::None {
            return None;
        }
        NaiveTime::MIN
    } else {
        parse_time_part(&time_text, half)?
    };
    let naive = date.and_time(time);
    Some(match (offset, options.zone) {
        (Some(seconds), Some(zone)) => {
            let utc = naive - chrono::Duration::seconds(i64::from(seconds));
            utc.and_utc().with_timezone(&zone).naive_local()
        }
        _ => naive,
    })
}

/// `2026-10-3`, and year-last `10-3-2026` (month-first unless `day_first`).
fn parse_date_part(text: &str, day_first: bool) -> Option<NaiveDate> {
    let numbers: Vec<&str> = text.split('-').collect();
    let [a, b, c] = numbers.as_slice() else {
        return None;
    };
    let number = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.len() <= 4 && s.chars().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (a_n, b_n, c_n) = (number(a)?, number(b)?, number(c)?);
    if a.len() == 4 {
        return NaiveDate::from_ymd_opt(a_n as i32, b_n, c_n);
    }
    if c.len() != 4 {
        return None;
    }
    let (month, day) = if day_first { (b_n, a_n) } else { (a_n, b_n) };
    NaiveDate::from_ymd_opt(c_n as i32, month, day)
}

/// `13:00:04`, `1:00`, `13:00:04.250`; with a 12-hour marker, hours 1–12.
fn parse_time_part(text: &str, half: HalfDay) -> Option<NaiveTime> {
    let pieces: Vec<&str> = text.split(':').collect();
    if !(2..=3).contains(&pieces.len()) {
        return None;
    }
    let whole = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.len() <= 2 && s.chars().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let mut hour = whole(pieces[0])?;
    let minute = whole(pieces[1])?;
    let second = match pieces.get(2) {
        None => 0,
        // Fractions of a second are dropped.
        Some(s) => whole(s.split('.').next()?)?,
    };
    match half {
        HalfDay::None => {}
        HalfDay::Am | HalfDay::Pm if hour == 0 || hour > 12 => return None,
        HalfDay::Am if hour == 12 => hour = 0,
        HalfDay::Pm if hour < 12 => hour += 12,
        _ => {}
    }
    NaiveTime::from_hms_opt(hour, minute, second)
}

/// Parses a date (a date-time's time is dropped).
///
/// # Errors
/// See [`parse_datetime`].
pub fn parse_date(cell: &Cell, system: DateSystem) -> Result<NaiveDate, String> {
    parse_datetime(cell, system).map(|dt| dt.date())
}

/// Parses how long a respondent took, in seconds: `136秒`, `2分16秒`,
/// `1小时2分`, `00:02:16`, `2:16`, `136 s`, or a plain number of seconds.
///
/// # Errors
/// Anything else.
pub fn parse_duration(cell: &Cell) -> Result<i64, String> {
    const EXPECTED: &str = "a duration like 136秒, 2分16秒 or 00:02:16";
    let text = match cell {
        Cell::Number(n) if *n >= 0.0 && n.fract() == 0.0 => return Ok(*n as i64),
        Cell::Text(t) => normalize(t),
        _ => return Err(EXPECTED.to_string()),
    };
    if text.contains(':') {
        let parts: Vec<&str> = text.split(':').collect();
        let numbers: Option<Vec<i64>> = parts.iter().map(|p| p.trim().parse().ok()).collect();
        return match numbers.as_deref() {
            Some([m, s]) if *s < 60 => Ok(m * 60 + s),
            Some([h, m, s]) if *m < 60 && *s < 60 => Ok(h * 3600 + m * 60 + s),
            _ => Err(EXPECTED.to_string()),
        };
    }
    let mut total = 0i64;
    let mut digits = String::new();
    let mut any_unit = false;
    let mut rest = text.as_str();
    while let Some(c) = rest.chars().next() {
        if c.is_ascii_digit() {
            digits.push(c);
            rest = &rest[1..];
            continue;
        }
        if c == ' ' {
            rest = &rest[1..];
            continue;
        }
        let units: [(&str, i64); 9] = [
            ("小时", 3600),
            ("时", 3600),
            ("分钟", 60),
            ("分", 60),
            ("秒钟", 1),
            ("秒", 1),
            ("sec", 1),
            ("s", 1),
            ("min", 60),
        ];
        let Some((unit, factor)) = units.iter().find(|(u, _)| rest.starts_with(u)) else {
            return Err(EXPECTED.to_string());
        };
        let n: i64 = digits.parse().map_err(|_| EXPECTED.to_string())?;
        total += n * factor;
        digits.clear();
        any_unit = true;
        rest = &rest[unit.len()..];
    }
    match (digits.is_empty(), any_unit) {
        (true, true) => Ok(total),
        // A bare number of seconds.
        (false, false) => digits.parse().map_err(|_| EXPECTED.to_string()),
        _ => Err(EXPECTED.to_string()),
    }
}

/// Parses a month: `2026-10`, `2026年10月`, `2026/10`, or any date in it.
///
/// # Errors
/// Anything else.
pub fn parse_month(cell: &Cell, system: DateSystem) -> Result<Month, String> {
    const EXPECTED: &str = "a month like 2026-10 or 2026年10月";
    if let Cell::Text(text) = cell {
        let cleaned = text
            .trim()
            .replace('年', "-")
            .replace('月', "")
            .replace('/', "-");
        if let Ok(date) = NaiveDate::parse_from_str(&format!("{cleaned}-01"), "%Y-%m-%d") {
            return Month::new(date.year(), date.month()).ok_or_else(|| EXPECTED.to_string());
        }
    }
    parse_datetime(cell, system)
        .ok()
        .and_then(|dt| Month::new(dt.year(), dt.month()))
        .ok_or_else(|| EXPECTED.to_string())
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

    fn text(s: &str) -> Cell {
        Cell::Text(s.to_string())
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
        for bad in ["很久", "2分16", "1:75", "-5秒"] {
            assert!(parse_duration(&text(bad)).is_err(), "{bad}");
        }
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
