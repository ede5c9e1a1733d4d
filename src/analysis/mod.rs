//! Runs the SQL in `sql/analysis/` through the store and returns typed
//! results. Every figure in the report comes from here.

pub mod closed_loop;
pub mod comments;
pub mod drivers;
pub mod grading;
pub mod kinds;
mod problem_list;

mod monthly;
mod queries;
mod results;

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
