//! Dates, times, durations and months as exports write them: date cells,
//! Excel serial numbers in the workbook's date system, and the many text
//! forms (Chinese dates, 12-hour times, zones converted to the company's).

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};

use crate::ingest::answers::normalize;
use crate::ingest::table::{Cell, DateSystem};
use crate::month::Month;

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

/// The forms nearly every export writes, `2026-10-03`, `2026/10/3`,
/// `2026-10-03 14:05` and `2026-10-03 14:05:09`, read without allocating;
/// `None` sends anything else (or anything invalid) to the general parser,
/// which reads these the same way.
fn parse_iso_datetime(text: &str) -> Option<NaiveDateTime> {
    // Up to `max` digits (at least one) from `*at`: the number and how many.
    fn digits(bytes: &[u8], at: &mut usize, max: usize) -> Option<(u32, usize)> {
        let start = *at;
        let mut n = 0u32;
        while *at < bytes.len() && *at - start < max && bytes[*at].is_ascii_digit() {
            n = n * 10 + u32::from(bytes[*at] - b'0');
            *at += 1;
        }
        (*at > start).then_some((n, *at - start))
    }
    let bytes = text.as_bytes();
    let at = &mut 0;
    let (year, 4) = digits(bytes, at, 4)? else {
        return None;
    };
    let separator = *bytes.get(4)?;
    if separator != b'-' && separator != b'/' {
        return None;
    }
    *at = 5;
    let (month, _) = digits(bytes, at, 2)?;
    if bytes.get(*at) != Some(&separator) {
        return None;
    }
    *at += 1;
    let (day, _) = digits(bytes, at, 2)?;
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    if *at == bytes.len() {
        return Some(date.and_time(NaiveTime::MIN));
    }
    if bytes[*at] != b' ' {
        return None;
    }
    *at += 1;
    let (hour, _) = digits(bytes, at, 2)?;
    // Minutes, then seconds if written, two digits each.
    let mut minute_second = [0u32; 2];
    for (i, part) in minute_second.iter_mut().enumerate() {
        if *at == bytes.len() && i == 1 {
            break;
        }
        if bytes.get(*at) != Some(&b':') {
            return None;
        }
        *at += 1;
        let (n, 2) = digits(bytes, at, 2)? else {
            return None;
        };
        *part = n;
    }
    if *at != bytes.len() {
        return None;
    }
    let [minute, second] = minute_second;
    Some(date.and_time(NaiveTime::from_hms_opt(hour, minute, second)?))
}

fn parse_datetime_text(text: &str, options: &DateOptions) -> Option<NaiveDateTime> {
    parse_iso_datetime(text.trim()).or_else(|| parse_any_datetime_text(text, options))
}

fn parse_any_datetime_text(text: &str, options: &DateOptions) -> Option<NaiveDateTime> {
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
/// Anything else, and a duration past the stored column's range (32-bit
/// seconds, 68 years).
pub fn parse_duration(cell: &Cell) -> Result<i64, String> {
    parse_any_duration(cell).and_then(|seconds| {
        if seconds <= i64::from(i32::MAX) {
            Ok(seconds)
        } else {
            Err(format!("{DURATION_EXPECTED} (at most 68 years)"))
        }
    })
}

const DURATION_EXPECTED: &str = "a duration like 136秒, 2分16秒 or 00:02:16";

fn parse_any_duration(cell: &Cell) -> Result<i64, String> {
    const EXPECTED: &str = DURATION_EXPECTED;
    let text = match cell {
        Cell::Number(n) if *n >= 0.0 && n.fract() == 0.0 => return Ok(*n as i64),
        Cell::Text(t) => normalize(t),
        _ => return Err(EXPECTED.to_string()),
    };
    if text.contains(':') {
        let parts: Vec<&str> = text.split(':').collect();
        // Unsigned and at most 32 bits a part: no sign, no overflow below.
        let numbers: Option<Vec<i64>> = parts
            .iter()
            .map(|p| p.trim().parse::<u32>().ok().map(i64::from))
            .collect();
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
        let n = i64::from(digits.parse::<u32>().map_err(|_| EXPECTED.to_string())?);
        total = total
            .checked_add(n * factor)
            .ok_or_else(|| EXPECTED.to_string())?;
        digits.clear();
        any_unit = true;
        rest = &rest[unit.len()..];
    }
    match (digits.is_empty(), any_unit) {
        (true, true) => Ok(total),
        // A bare number of seconds.
        (false, false) => digits
            .parse::<u32>()
            .map(i64::from)
            .map_err(|_| EXPECTED.to_string()),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The allocation-free path reads what it reads exactly as the general
    /// parser does, and leaves everything else to it.
    #[test]
    fn the_iso_fast_path_agrees_with_the_general_parser() {
        let options = DateOptions {
            system: DateSystem::Excel1900,
            day_first: false,
            zone: None,
        };
        let mut inputs = vec![
            "2026-02-30".to_string(),
            "2026-10-01 24:00".to_string(),
            "2026-10-01 23:59:60".to_string(),
            "2026-10-01 1:5".to_string(),
            "2026-10-01 13:00:04.250".to_string(),
            "2026-10/01".to_string(),
            "20261001".to_string(),
            "2026-10-01  13:00".to_string(),
            "2026-10-01T13:00".to_string(),
            "2026-1-1 9:07".to_string(),
            "02026-10-01".to_string(),
            "2026-100-1".to_string(),
            "2026-10-01 13:00:04 ".to_string(),
        ];
        for separator in ['-', '/'] {
            for (month, day) in [(1, 1), (10, 3), (12, 31), (2, 29), (13, 1), (0, 5)] {
                for time in ["", " 00:00", " 9:05", " 13:00:04", " 23:59:59", " 7:3"] {
                    inputs.push(format!("2024{separator}{month}{separator}{day}{time}"));
                    inputs.push(format!(
                        "2024{separator}{month:02}{separator}{day:02}{time}"
                    ));
                }
            }
        }
        let mut fast = 0;
        for input in &inputs {
            if let Some(parsed) = parse_iso_datetime(input) {
                fast += 1;
                assert_eq!(
                    Some(parsed),
                    parse_any_datetime_text(input, &options),
                    "{input}"
                );
            }
        }
        // 2 separators × 4 valid days (2024 is a leap year) × 5 valid times
        // × 2 spellings, and 2026-1-1 9:07.
        assert_eq!(fast, 2 * 4 * 5 * 2 + 1);
    }
}
