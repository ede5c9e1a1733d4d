//! Working days (工作日) for deadlines: Monday to Friday, minus public
//! holidays, plus the weekend days worked in exchange (调休). The calendar is
//! configuration (`[calendar]`); the current Chinese schedule ships in
//! `data/holidays_cn.toml` and is the default.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The time zone csat assumes when neither the configuration
/// (`[company] timezone`) nor a job file (`timezone`) names one: the one
/// place the default is written.
pub const DEFAULT_TIMEZONE: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

/// The Chinese public holidays and make-up working days shipped with csat.
pub const SHIPPED_CALENDAR: &str = include_str!("../data/holidays_cn.toml");

/// A holiday calendar.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    /// Weekdays that are not worked.
    #[serde(default)]
    pub holidays: BTreeSet<NaiveDate>,
    /// Weekend days that are worked.
    #[serde(default)]
    pub workdays: BTreeSet<NaiveDate>,
}

#[derive(Deserialize)]
struct CalendarFile {
    calendar: Calendar,
}

impl Calendar {
    /// The shipped Chinese calendar.
    ///
    /// # Panics
    /// Never: the shipped file is tested.
    pub fn shipped() -> Calendar {
        toml::from_str::<CalendarFile>(SHIPPED_CALENDAR)
            .expect("the shipped calendar parses")
            .calendar
    }

    /// Whether `day` is worked.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.workdays.contains(&day) {
            return true;
        }
        if self.holidays.contains(&day) {
            return false;
        }
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// The `n`-th working day after `start` (`start` itself never counts):
    /// a complaint received on `start` and answered within `n` working days
    /// is due on this day.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut day = start;
        let mut left = n;
        while left > 0 {
            day += Duration::days(1);
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// Working days from `today` to `due`: positive while time is left
    /// (working days after today up to and including the due day), zero on
    /// the due day, negative once overdue (working days after the due day up
    /// to and including today).
    pub fn working_days_left(&self, today: NaiveDate, due: NaiveDate) -> i64 {
        let count = |from: NaiveDate, to: NaiveDate| -> i64 {
            let mut n = 0;
            let mut day = from;
            while day < to {
                day += Duration::days(1);
                if self.is_working_day(day) {
                    n += 1;
                }
            }
            n
        };
        if due >= today {
            count(today, due)
        } else {
            -count(due, today)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_shipped_calendar_knows_national_day_2026() {
        let calendar = Calendar::shipped();
        // 10-01..07 off; Sat 10-10 worked (调休); Sun 09-20 worked.
        assert!(!calendar.is_working_day(date(2026, 10, 1)));
        assert!(!calendar.is_working_day(date(2026, 10, 7)));
        assert!(calendar.is_working_day(date(2026, 10, 8)));
        assert!(calendar.is_working_day(date(2026, 10, 10)));
        assert!(!calendar.is_working_day(date(2026, 10, 11)));
        assert!(calendar.is_working_day(date(2026, 9, 20)));
        assert!(
            !calendar.is_working_day(date(2026, 11, 21)),
            "an ordinary Saturday"
        );
    }

    #[test]
    fn deadlines_skip_holidays_and_count_make_up_days() {
        let calendar = Calendar::shipped();
        // Received Wed 2026-09-30: 1 working day → Thu 10-08 (holiday week);
        // 3 → Sat 10-10 (make-up day); 10 → Fri 10-23:
        // 10-08, 09, 10, 12, 13, 14, 15, 16, 19, 20 … counted by hand:
        // 8 Thu, 9 Fri, 10 Sat(worked), 12 Mon, 13, 14, 15, 16, 19 Mon, 20 Tue.
        assert_eq!(
            calendar.add_working_days(date(2026, 9, 30), 1),
            date(2026, 10, 8)
        );
        assert_eq!(
            calendar.add_working_days(date(2026, 9, 30), 3),
            date(2026, 10, 10)
        );
        assert_eq!(
            calendar.add_working_days(date(2026, 9, 30), 10),
            date(2026, 10, 20)
        );
        // An ordinary week: Fri 2026-11-20 + 1 → Mon 11-23.
        assert_eq!(
            calendar.add_working_days(date(2026, 11, 20), 1),
            date(2026, 11, 23)
        );
    }

    #[test]
    fn days_left_and_overdue_count_working_days() {
        let calendar = Calendar::shipped();
        let due = date(2026, 10, 8);
        assert_eq!(calendar.working_days_left(date(2026, 9, 30), due), 1);
        assert_eq!(calendar.working_days_left(due, due), 0);
        // Due Thu 10-08; on Mon 10-12: 9, 10 (Sat, worked), 12 → 3 overdue.
        assert_eq!(calendar.working_days_left(date(2026, 10, 12), due), -3);
    }
}
