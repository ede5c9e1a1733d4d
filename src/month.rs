//! A calendar month, the unit every report is about. Parsed once at the edge
//! (CLI, job files, file names) and passed as a value from there on.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A month of the Gregorian calendar, shown and parsed as `YYYY-MM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    /// 1..=12.
    number: u32,
}

/// A text that is not a month in the form `YYYY-MM`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a month: expected YYYY-MM, e.g. 2026-10")]
pub struct MonthError(pub String);

impl Month {
    /// The month `number` (1..=12) of `year` (1..=9999), if both are in range.
    pub const fn new(year: i32, number: u32) -> Option<Month> {
        if year >= 1 && year <= 9999 && number >= 1 && number <= 12 {
            Some(Month { year, number })
        } else {
            None
        }
    }

    /// The month containing `date`.
    pub fn of(date: NaiveDate) -> Month {
        Month {
            year: date.year(),
            number: date.month(),
        }
    }

    /// The month a report run on `date` reports on: the one before it.
    pub fn before(date: NaiveDate) -> Month {
        Month::of(date).shift(-1)
    }

    pub fn year(self) -> i32 {
        self.year
    }

    /// 1..=12.
    pub fn number(self) -> u32 {
        self.number
    }

    /// The month `delta` months later (earlier when negative).
    pub fn shift(self, delta: i32) -> Month {
        let index = self.year * 12 + (self.number as i32 - 1) + delta;
        Month {
            year: index.div_euclid(12),
            number: index.rem_euclid(12) as u32 + 1,
        }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.number, 1).expect("Month holds a valid month")
    }

    /// The first day of the following month.
    pub fn end_exclusive(self) -> NaiveDate {
        self.shift(1).first_day()
    }

    pub fn last_day(self) -> NaiveDate {
        self.end_exclusive()
            .pred_opt()
            .expect("a month has a last day")
    }

    /// Whether `date` falls in this month.
    pub fn contains(self, date: NaiveDate) -> bool {
        Month::of(date) == self
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.number)
    }
}

impl FromStr for Month {
    type Err = MonthError;

    /// Exactly `YYYY-MM`.
    fn from_str(text: &str) -> Result<Month, MonthError> {
        let error = || MonthError(text.to_string());
        let bytes = text.as_bytes();
        if bytes.len() != 7 || bytes[4] != b'-' {
            return Err(error());
        }
        let digits = |range: std::ops::Range<usize>| {
            bytes[range.clone()]
                .iter()
                .all(u8::is_ascii_digit)
                .then(|| text[range].parse::<u32>().ok())
                .flatten()
        };
        let (year, number) = (
            digits(0..4).ok_or_else(error)?,
            digits(5..7).ok_or_else(error)?,
        );
        Month::new(year as i32, number).ok_or_else(error)
    }
}

impl Serialize for Month {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Month, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_yyyy_mm() {
        assert_eq!("2026-10".parse(), Ok(Month::new(2026, 10).unwrap()));
        for bad in [
            "2026-13", "2026-00", "26-1", "2026-1", "2026/10", "+026-10", "2026-1x", "0000-01", "",
        ] {
            assert!(bad.parse::<Month>().is_err(), "{bad}");
        }
    }

    #[test]
    fn shifts_across_years_and_bounds_days() {
        let january = Month::new(2026, 1).unwrap();
        assert_eq!(january.shift(-1).to_string(), "2025-12");
        assert_eq!(january.shift(13).to_string(), "2027-02");
        assert_eq!(
            Month::new(2024, 2).unwrap().last_day().to_string(),
            "2024-02-29"
        );
        assert_eq!(january.end_exclusive().to_string(), "2026-02-01");
        let date = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(Month::before(date).to_string(), "2026-10");
        assert!(Month::of(date).contains(date));
    }
}
