//! Runs the SQL in `sql/analysis/` through the store and returns typed
//! results. Every figure in the report comes from here.

pub mod closed_loop;
pub mod comments;
pub mod drivers;
pub mod grading;
pub mod kinds;

mod monthly;
mod queries;
mod results;

use chrono::NaiveDate;

use crate::config::Config;
pub use kinds::{CategorisedBy, GroupKind, ItemKind, ParetoView, ProblemOrigin};
pub use monthly::monthly;
pub use queries::*;
pub use results::*;

/// The display name of a group: an indicator's or department's configured
/// name, a channel in words (问卷, 安装回访 …), else the key itself.
pub fn group_name(config: &Config, dimension: GroupKind, key: &str) -> String {
    match dimension {
        GroupKind::Company => config.company.name.clone(),
        GroupKind::Indicator => config
            .indicator(key)
            .map_or_else(|| key.to_string(), |i| i.name.clone()),
        GroupKind::Department => config
            .departments
            .iter()
            .find(|d| d.key == key)
            .map_or_else(|| key.to_string(), |d| d.name.clone()),
        GroupKind::Channel => match key {
            "questionnaire" => "问卷调查".to_string(),
            "visit" => "现场走访".to_string(),
            k => k.strip_prefix("callback:").unwrap_or(k).to_string(),
        },
        GroupKind::Dealer | GroupKind::Region => key.to_string(),
    }
}

/// Adds `delta` months to `YYYY-MM`.
///
/// # Panics
/// When `month` is not `YYYY-MM` (callers validate user input first).
pub fn shift_month(month: &str, delta: i32) -> String {
    let month: crate::month::Month = month.parse().expect("month is YYYY-MM");
    month.shift(delta).to_string()
}

/// Parses `YYYY-MM` into (year, month).
pub fn parse_month(month: &str) -> Option<(i32, u32)> {
    let month: crate::month::Month = month.parse().ok()?;
    Some((month.year(), month.number()))
}

/// The month before the one containing `date` (the month a report run on
/// `date` reports on).
pub fn previous_month(date: NaiveDate) -> String {
    crate::month::Month::before(date).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_shift_across_years() {
        assert_eq!(shift_month("2026-01", -1), "2025-12");
        assert_eq!(shift_month("2026-10", -12), "2025-10");
        assert_eq!(shift_month("2025-12", 1), "2026-01");
        assert_eq!(
            previous_month(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()),
            "2026-10"
        );
        assert!(parse_month("2026-13").is_none());
        assert!(parse_month("26-1").is_none());
    }
}
