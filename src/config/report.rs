//! How the report is written: its language and the sizes of its lists.

use serde::{Deserialize, Serialize};

/// The report's language (`--lang`, `[report] lang`). The labels themselves
/// are in `report::labels`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// 中文 (default).
    #[default]
    Zh,
    /// English.
    En,
}

/// How the report is written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSettings {
    /// Labels in `zh` (default) or `en`; `csat --lang` overrides it.
    #[serde(default)]
    pub lang: Lang,
    /// Individual problems listed on 问题清单 per department (most severe
    /// and most overdue first); the rest go to the department's detail
    /// workbook under `reports/<month>/details/`.
    #[serde(default = "default_problem_items_per_department")]
    pub problem_items_per_department: u32,
    /// Rows per sheet of a detail workbook (at most Excel's 1,048,575 below
    /// the header); a longer list continues on the next sheet.
    #[serde(default = "default_detail_rows_per_sheet")]
    pub detail_rows_per_sheet: u32,
    /// Refused cells listed on 数据质量; a line below says how many more.
    #[serde(default = "default_refused_cells_shown")]
    pub refused_cells_shown: u32,
}

/// Data rows an Excel sheet holds below one header row.
pub const EXCEL_MAX_DATA_ROWS: u32 = 1_048_575;

fn default_problem_items_per_department() -> u32 {
    200
}

fn default_detail_rows_per_sheet() -> u32 {
    1_000_000
}

fn default_refused_cells_shown() -> u32 {
    10_000
}

impl Default for ReportSettings {
    fn default() -> Self {
        ReportSettings {
            lang: Lang::default(),
            problem_items_per_department: default_problem_items_per_department(),
            detail_rows_per_sheet: default_detail_rows_per_sheet(),
            refused_cells_shown: default_refused_cells_shown(),
        }
    }
}
