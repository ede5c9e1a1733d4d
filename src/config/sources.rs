//! Source definitions: which inbox file is which kind of records, how its
//! columns map to canonical fields (in the order the store keeps them), how
//! it writes answers and dates; and how the inbox is watched.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What kind of records a source file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// Survey responses: one row per respondent, one column per question.
    Survey,
    /// Phone callbacks: one row per planned call.
    Callback,
    /// Complaints and suggestions log.
    Complaint,
    /// Customer proposals.
    Proposal,
    /// Customer master data.
    Customer,
    /// Monthly sales per customer.
    Sales,
    /// Invoices and payments.
    Payment,
    /// A department's returned action-plan tracker.
    ActionPlan,
    /// Questionnaires sent and customers served per month and channel
    /// (问卷发放统计), for the response rate and the sample-size check.
    Dispatch,
}

impl SourceKind {
    /// The snake_case name used in the store and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Survey => "survey",
            SourceKind::Callback => "callback",
            SourceKind::Complaint => "complaint",
            SourceKind::Proposal => "proposal",
            SourceKind::Customer => "customer",
            SourceKind::Sales => "sales",
            SourceKind::Payment => "payment",
            SourceKind::ActionPlan => "action_plan",
            SourceKind::Dispatch => "dispatch",
        }
    }

    /// Canonical fields of this kind and whether each is required.
    pub fn fields(self) -> &'static [(&'static str, bool)] {
        match self {
            // Without a time column the month comes from the file or sheet
            // name (see `month_from`).
            SourceKind::Survey => &[
                ("respondent_id", false),
                ("submitted_at", false),
                ("customer_id", false),
                ("dealer", false),
                ("region", false),
                ("duration", false),
            ],
            SourceKind::Callback => &[
                ("callback_id", true),
                ("callback_type", true),
                ("planned_on", false),
                ("called_at", false),
                ("customer_id", false),
                ("dealer", false),
                ("reached", true),
                ("remark", false),
            ],
            SourceKind::Complaint => &[
                ("complaint_id", true),
                ("received_on", true),
                ("customer_id", false),
                ("product", false),
                ("category", false),
                ("description", false),
                ("severity", true),
                ("root_cause", false),
                ("department", false),
                ("status", false),
                ("closed_on", false),
                // Added by migration V9: stored columns follow this order.
                ("responded_on", false),
            ],
            SourceKind::Proposal => &[
                ("proposal_id", true),
                ("received_on", true),
                ("customer_id", false),
                ("category", true),
                ("content", false),
                ("department", false),
                ("responded_on", false),
                ("adopted", false),
                ("closed_on", false),
                ("extended", false),
            ],
            SourceKind::Customer => &[
                ("customer_id", true),
                ("name", true),
                ("customer_type", false),
                ("region", false),
                ("started_on", true),
                ("phone", false),
                ("purchase_share", false),
                ("standing", false),
                ("grade", false),
            ],
            SourceKind::Sales => &[
                ("customer_id", true),
                ("month", true),
                ("amount", true),
                ("gross_margin", false),
                ("orders", false),
            ],
            SourceKind::Payment => &[
                ("invoice_id", true),
                ("customer_id", true),
                ("invoiced_on", false),
                ("due_on", true),
                ("paid_on", false),
                ("amount", true),
            ],
            SourceKind::ActionPlan => &[
                ("item_id", true),
                ("description", false),
                ("department", true),
                ("root_cause", false),
                ("action", false),
                ("owner", false),
                ("due_on", false),
                ("status", true),
                ("progress", false),
            ],
            SourceKind::Dispatch => &[
                ("month", true),
                ("channel", false),
                ("sent", false),
                ("served", false),
            ],
        }
    }
}

/// A source definition: recognises one kind of inbox file and maps its
/// columns to canonical fields.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Stable name (e.g. `wjx_survey`).
    pub name: String,
    /// What the file holds.
    pub kind: SourceKind,
    /// Survey channel recorded with each response (`questionnaire`, `visit`, …).
    #[serde(default)]
    pub channel: Option<String>,
    /// Optional file-name pattern (`*` and `?` wildcards), matched case-insensitively.
    #[serde(default)]
    pub file_pattern: Option<String>,
    /// Header cells that must all be present for the file to be this source.
    pub header_contains: Vec<String>,
    /// Canonical field → header text of the column holding it.
    pub fields: BTreeMap<String, String>,
    /// What a later export of this source for a month already loaded does:
    /// `replace` (default: the newest file's responses for that month count,
    /// older files' are superseded) or `append` (both count).
    #[serde(default)]
    pub reexport: Reexport,
    /// How answers are written: `text` (问卷星 按选项文本, labels like 很满意;
    /// numbers are scale values) or `ordinal` (按选项序号: numbers are the
    /// 1-based position of the option, `-3` skipped, `-2` not ranked, a 0–10
    /// scale exported as score + 1).
    #[serde(default)]
    pub answers: AnswerExport,
    /// With `answers = "ordinal"`: the questionnaire lists the best option
    /// first (很满意 = 1), as 问卷星 templates do. Set false when 很不满意 is first.
    #[serde(default = "default_true")]
    pub best_option_first: bool,
    /// Rows the header spans, the header row included: 3 for Qualtrics
    /// (codes, question texts, ImportIds), 2 for SurveyMonkey. Data starts below.
    #[serde(default = "default_header_rows")]
    pub header_rows: usize,
    /// Which columns of a survey are questions, as a pattern on the first
    /// header row (`Q*` for Qualtrics); by default the numbered ones (`3、…`,
    /// `3.…`, `第3题(…)`).
    #[serde(default)]
    pub question_columns: Option<String>,
    /// Headers that are never questions even when `question_columns`
    /// matches them (metadata such as `IP Address`).
    #[serde(default)]
    pub not_questions: Vec<String>,
    /// Load the file only if every row and cell can be read (for master
    /// data, where a partial load would mislead); otherwise good rows load
    /// and bad cells are kept as rejected rows.
    #[serde(default)]
    pub all_or_nothing: bool,
    /// How year-last dates are written: `month_first` (`10/1/2026` is
    /// 1 October, as Google Forms and SurveyMonkey write it; the default) or
    /// `day_first` (1 October is `1/10/2026`).
    #[serde(default)]
    pub date_order: DateOrder,
    /// Where a survey row without a submission time (no time column, or the
    /// cell blank) takes its month: `file_name` or `sheet_name`. By default
    /// the sheet name, then the file name (`2026-10`, `202610`, `2610`,
    /// `2026年10月`, `10月`).
    #[serde(default)]
    pub month_from: Option<MonthFrom>,
}

/// The order of day and month in a date written with the year last.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// `10/1/2026` is 1 October.
    #[default]
    MonthFirst,
    /// `1/10/2026` is 1 October.
    DayFirst,
}

/// Where the month of a row without a time is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonthFrom {
    /// The file's name (`回访_2610.csv`).
    FileName,
    /// The sheet's name (`10月回访`); for a text file, its file name.
    SheetName,
}

fn default_header_rows() -> usize {
    1
}

fn default_true() -> bool {
    true
}

/// How a survey export writes its answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerExport {
    /// Option labels, or scale values as numbers.
    #[default]
    Text,
    /// 1-based option positions.
    Ordinal,
}

/// The rule for a re-export of a period already loaded (surveys and callbacks).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reexport {
    /// The newest file replaces older files of the same source for the months it covers.
    #[default]
    Replace,
    /// Every file counts.
    Append,
}

/// How the inbox is watched.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InboxSettings {
    /// A file is taken only when it has not changed for this many seconds, so
    /// a copy still being written is never read.
    #[serde(default = "default_settle_seconds")]
    pub settle_seconds: u64,
    /// Larger files are rejected without being read.
    #[serde(default = "default_max_file_mb")]
    pub max_file_mb: u64,
}

fn default_settle_seconds() -> u64 {
    10
}

fn default_max_file_mb() -> u64 {
    200
}

impl Default for InboxSettings {
    fn default() -> Self {
        InboxSettings {
            settle_seconds: default_settle_seconds(),
            max_file_mb: default_max_file_mb(),
        }
    }
}
