//! The month a file or sheet name gives rows without a time of their own.

use chrono::NaiveDate;

use crate::month::Month;

/// The month a row without a time belongs to, from the
/// sheet name then the file name (or only the one `month_from` names):
/// `2026-10`, `202610`, `2026年10月`, `2610` (year 20yy), or `10月`, whose
/// year is a 4-digit year elsewhere in the names, else the latest October
/// not after `today`.
pub fn month_in_names(
    sheet_name: &str,
    file_name: &str,
    month_from: Option<crate::config::MonthFrom>,
    today: Option<NaiveDate>,
) -> Option<Month> {
    use crate::config::MonthFrom;
    let names: Vec<&str> = match month_from {
        Some(MonthFrom::FileName) => vec![file_name],
        Some(MonthFrom::SheetName) => vec![sheet_name],
        None => vec![sheet_name, file_name],
    };
    for name in &names {
        if let Some(month) = month_in_file_name(name).or_else(|| short_month(name)) {
            return Some(month);
        }
    }
    let month = names.iter().find_map(|name| bare_month(name))?;
    let year = [sheet_name, file_name]
        .iter()
        .find_map(|name| {
            digit_runs(name)
                .into_iter()
                .filter(|run| run.len() == 4)
                .find_map(|run| {
                    run.parse::<i32>()
                        .ok()
                        .filter(|y| (2000..=2099).contains(y))
                })
        })
        .or_else(|| {
            use chrono::Datelike;
            let today = today?;
            Some(if month <= today.month() {
                today.year()
            } else {
                today.year() - 1
            })
        })?;
    Month::new(year, month)
}

/// Maximal runs of ASCII digits in a name.
fn digit_runs(name: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut current = String::new();
    for c in name.chars() {
        if c.is_ascii_digit() {
            current.push(c);
        } else if !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// `2610` (a run of exactly four digits, yymm, years 2010–2060).
fn short_month(name: &str) -> Option<Month> {
    digit_runs(name).iter().find_map(|run| {
        if run.len() != 4 {
            return None;
        }
        let year: i32 = run[..2].parse().ok()?;
        let month: u32 = run[2..].parse().ok()?;
        if !(10..=60).contains(&year) {
            return None;
        }
        Month::new(2000 + year, month)
    })
}

/// `10月` (one or two digits before 月, not part of a longer number).
fn bare_month(name: &str) -> Option<u32> {
    let chars: Vec<char> = name.chars().collect();
    for (index, c) in chars.iter().enumerate() {
        if *c != '月' {
            continue;
        }
        let mut start = index;
        while start > 0 && chars[start - 1].is_ascii_digit() {
            start -= 1;
        }
        let digits: String = chars[start..index].iter().collect();
        if (1..=2).contains(&digits.len()) {
            if let Ok(month) = digits.parse::<u32>() {
                if (1..=12).contains(&month) {
                    return Some(month);
                }
            }
        }
    }
    None
}

/// The month named in a file name (`…_2026-10.xlsx`,
/// `202610`, `2026年10月`), used for rows whose submission time is blank.
pub fn month_in_file_name(file_name: &str) -> Option<Month> {
    let chars: Vec<char> = file_name.chars().collect();
    for start in 0..chars.len() {
        let digits = |from: usize, n: usize| -> Option<u32> {
            let text: String = chars.get(from..from + n)?.iter().collect();
            text.chars()
                .all(|c| c.is_ascii_digit())
                .then(|| text.parse().ok())
                .flatten()
        };
        let Some(year) = digits(start, 4) else {
            continue;
        };
        if !(2000..=2099).contains(&year) || (start > 0 && chars[start - 1].is_ascii_digit()) {
            continue;
        }
        let after = start + 4;
        let month = match chars.get(after) {
            Some('-' | '_' | '.' | '年') => match (digits(after + 1, 2), digits(after + 1, 1)) {
                (Some(m), _) => m,
                (None, Some(m)) => m,
                _ => continue,
            },
            _ => match digits(after, 2) {
                Some(m) => m,
                None => continue,
            },
        };
        if let Some(month) = Month::new(year as i32, month) {
            return Some(month);
        }
    }
    None
}
