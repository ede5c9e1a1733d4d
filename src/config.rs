//! Typed configuration: the company, its departments and targets, the
//! indicator families, the source definitions (which inbox file is which kind
//! and how its columns map to canonical fields) and the question map.
//!
//! A quality manager edits one TOML file (`<data-dir>/csat.toml`, or the file
//! given with `--config`). The demo company's file ships in `data/csat.toml`
//! and is compiled in as the default, so a fresh data directory works at once.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The configuration shipped with the program (the demo company's).
pub const DEFAULT_CONFIG_TOML: &str = include_str!("../data/csat.toml");

/// The whole configuration file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The company and its overall target.
    pub company: Company,
    /// Inbox watching: settle time and size limit.
    #[serde(default)]
    pub inbox: InboxSettings,
    /// How scores are shown: the minimum number of respondents.
    #[serde(default)]
    pub scores: ScoreSettings,
    /// How problems are ranked: severity weights, excluded statuses.
    #[serde(default)]
    pub pareto: ParetoSettings,
    /// Customer grading rules (客户分级): criteria, weights, thresholds,
    /// grade shares, policies. Versioned: every result records `version`.
    #[serde(default)]
    pub grading: GradingSettings,
    /// Working-day calendar for deadlines (default: the shipped Chinese
    /// public holidays and make-up working days).
    #[serde(default = "crate::calendar::Calendar::shipped")]
    pub calendar: crate::calendar::Calendar,
    /// Deadlines in working days.
    #[serde(default)]
    pub deadlines: DeadlineSettings,
    /// Who is alerted at once, and how.
    #[serde(default)]
    pub alerts: AlertSettings,
    /// Who receives the monthly report, and what must be in before it goes.
    #[serde(default)]
    pub delivery: DeliverySettings,
    /// How the report is written.
    #[serde(default)]
    pub report: ReportSettings,
    /// Key-driver analysis: the outcome question and the questions left out.
    #[serde(default)]
    pub drivers: DriverSettings,
    /// Customer comments (客户原声): which survey columns are comments,
    /// placeholder answers, stop words.
    #[serde(default)]
    pub comments: CommentSettings,
    /// Departments that carry satisfaction targets.
    #[serde(default)]
    pub departments: Vec<Department>,
    /// The indicator families (product quality, service quality, …).
    #[serde(default)]
    pub indicators: Vec<Indicator>,
    /// Source definitions: how to recognise each kind of inbox file.
    #[serde(default)]
    pub sources: Vec<Source>,
    /// Survey and callback questions: indicator, responsible department, scale.
    #[serde(default)]
    pub questions: Vec<Question>,
    /// Keyword rules that give free-text remarks a root-cause category.
    #[serde(default)]
    pub keyword_rules: Vec<KeywordRule>,
}

/// The company.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Company {
    /// Name printed on the report.
    pub name: String,
    /// Company satisfaction target in percent (e.g. 85.0).
    pub target: f64,
    /// Time zone of the company, used by the scheduler (IANA name).
    #[serde(default = "default_timezone")]
    pub timezone: String,
}

fn default_timezone() -> String {
    crate::calendar::DEFAULT_TIMEZONE.name().to_string()
}

/// A department that carries a satisfaction target.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Department {
    /// Stable snake_case key used in the question map and records.
    pub key: String,
    /// Display name (Chinese by default).
    pub name: String,
    /// Target in percent; when absent, the company target (cascaded).
    #[serde(default)]
    pub target: Option<f64>,
    /// Per-month overrides of the target, keyed by `YYYY-MM`.
    #[serde(default)]
    pub target_by_month: BTreeMap<String, f64>,
    /// Other names the department goes by in records (e.g. `售后`).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Who answers for the department's problems (问题责任人), by default.
    #[serde(default)]
    pub owner: Option<String>,
    /// Where the department's alerts and report slice go.
    #[serde(default)]
    pub email: Option<String>,
}

/// An indicator family.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Stable key (`product`, `service`, `price`, `delivery`, `loyalty`).
    pub key: String,
    /// Display name.
    pub name: String,
}

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

/// How scores are shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreSettings {
    /// A group with fewer respondents shows "n too small" instead of a score.
    #[serde(default = "default_min_n")]
    pub min_n: i64,
}

fn default_min_n() -> i64 {
    5
}

impl Default for ScoreSettings {
    fn default() -> Self {
        ScoreSettings {
            min_n: default_min_n(),
        }
    }
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

/// Answer scale of a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// 1–5: 很不满意 … 很满意, or numbers.
    Likert5,
    /// The five-tier 10/8/6/3/0 scale.
    Tier10,
    /// 0–10 likelihood to recommend (NPS).
    Nps10,
    /// 1–5 stars.
    Stars5,
}

impl Scale {
    /// The scale maximum (`max_i` in SPEC "Scores").
    pub fn max(self) -> f64 {
        match self {
            Scale::Likert5 | Scale::Stars5 => 5.0,
            Scale::Tier10 | Scale::Nps10 => 10.0,
        }
    }

    /// Highest value that counts as a problem ("low answer") in the Pareto.
    pub fn low_max(self) -> f64 {
        match self {
            Scale::Likert5 | Scale::Stars5 => 2.0,
            Scale::Tier10 => 3.0,
            Scale::Nps10 => 6.0,
        }
    }

    /// The snake_case name used in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Scale::Likert5 => "likert5",
            Scale::Tier10 => "tier10",
            Scale::Nps10 => "nps10",
            Scale::Stars5 => "stars5",
        }
    }
}

/// A question (or callback dimension) that carries a score.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Stable key.
    pub key: String,
    /// Text that identifies the column: a header containing it (after the
    /// `N、` number is removed) is this question.
    #[serde(rename = "match")]
    pub match_text: String,
    /// Only columns of this source match (all sources when absent).
    #[serde(default)]
    pub source: Option<String>,
    /// Indicator family key.
    pub indicator: String,
    /// Responsible department key.
    pub department: String,
    /// Answer scale.
    pub scale: Scale,
    /// Root-cause category of low answers (defaults to the indicator's name).
    #[serde(default)]
    pub category: Option<String>,
}

/// A keyword rule: remarks containing `keyword` get `category`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeywordRule {
    /// Text to look for (Chinese works).
    pub keyword: String,
    /// Root-cause category given.
    pub category: String,
    /// Department responsible for problems this rule categorises, when the
    /// record does not name one (callback remarks).
    #[serde(default)]
    pub department: Option<String>,
}

/// Key-driver analysis (关键驱动因素): which question is the outcome.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DriverSettings {
    /// Key of the outcome question. When absent: the question keyed
    /// `overall` or whose `match` text says 整体满意/总体满意/overall
    /// satisfaction, else the first `nps10` (recommend) question.
    #[serde(default)]
    pub outcome: Option<String>,
    /// Questions that are not drivers (other outcomes such as repurchase
    /// intent or the recommend question).
    #[serde(default)]
    pub not_drivers: Vec<String>,
}

/// Customer comments (客户原声): free-text survey answers, callback remarks
/// and complaint descriptions.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentSettings {
    /// A survey column that no question maps is a comment column when its
    /// header contains one of these texts (case-insensitive).
    #[serde(default = "default_comment_columns")]
    pub columns: Vec<String>,
    /// Answers that say nothing (无, 没有, (空), N/A …), dropped after
    /// trimming spaces and punctuation, case-insensitive.
    #[serde(default = "default_placeholders")]
    pub placeholders: Vec<String>,
    /// Words never offered as topics, in addition to the built-in list of
    /// function words (的, 了, 很, the, and …).
    #[serde(default)]
    pub stop_words: Vec<String>,
    /// How many frequent terms outside the keyword rules are listed.
    #[serde(default = "default_max_terms")]
    pub max_terms: usize,
    /// A term is listed only when at least this many comments of the month
    /// use it.
    #[serde(default = "default_min_term_comments")]
    pub min_term_comments: i64,
}

fn default_comment_columns() -> Vec<String> {
    [
        "意见",
        "建议",
        "留言",
        "评论",
        "反馈",
        "comment",
        "suggestion",
        "feedback",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn default_placeholders() -> Vec<String> {
    [
        "无",
        "没有",
        "暂无",
        "无意见",
        "没意见",
        "没有意见",
        "无建议",
        "没有建议",
        "空",
        "(空)",
        "（空）",
        "跳过",
        "(跳过)",
        "不清楚",
        "不知道",
        "无所谓",
        "n/a",
        "na",
        "none",
        "no",
        "nil",
        "null",
        "nothing",
        "-",
        "--",
        "/",
        "。",
        ".",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn default_max_terms() -> usize {
    10
}

fn default_min_term_comments() -> i64 {
    2
}

impl Default for CommentSettings {
    fn default() -> Self {
        CommentSettings {
            columns: default_comment_columns(),
            placeholders: default_placeholders(),
            stop_words: Vec::new(),
            max_terms: default_max_terms(),
            min_term_comments: default_min_term_comments(),
        }
    }
}

/// Deadlines in working days (SPEC "Complaints, proposals, action plans").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlineSettings {
    /// Answer a complaint of severity 1, 2, 3 within this many working days
    /// (urgent 1–3, general 10).
    #[serde(default = "default_complaint_days")]
    pub complaint_working_days: [u32; 3],
    /// Process a proposal within this many working days (at most 10).
    #[serde(default = "default_proposal_days")]
    pub proposal_working_days: u32,
    /// … or this many with approval (延期审批).
    #[serde(default = "default_proposal_extended_days")]
    pub proposal_extended_working_days: u32,
    /// A department analyses a problem from answers or callbacks within this
    /// many working days (about one month).
    #[serde(default = "default_problem_days")]
    pub problem_working_days: u32,
    /// Raise an alert once an item is this many working days overdue.
    #[serde(default = "default_escalate_days")]
    pub escalate_overdue_working_days: i64,
}

fn default_complaint_days() -> [u32; 3] {
    [1, 3, 10]
}

fn default_proposal_days() -> u32 {
    10
}

fn default_proposal_extended_days() -> u32 {
    15
}

fn default_problem_days() -> u32 {
    22
}

fn default_escalate_days() -> i64 {
    5
}

impl Default for DeadlineSettings {
    fn default() -> Self {
        DeadlineSettings {
            complaint_working_days: default_complaint_days(),
            proposal_working_days: default_proposal_days(),
            proposal_extended_working_days: default_proposal_extended_days(),
            problem_working_days: default_problem_days(),
            escalate_overdue_working_days: default_escalate_days(),
        }
    }
}

/// How the report is written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSettings {
    /// Labels in `zh` (default) or `en`; `csat --lang` overrides it.
    #[serde(default)]
    pub lang: crate::report::labels::Lang,
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

/// Statuses (lowercase) that mean an action plan or a complaint is closed.
pub const CLOSED_STATUSES: &[&str] = &[
    "已完成",
    "完成",
    "已关闭",
    "关闭",
    "已结案",
    "结案",
    "closed",
    "done",
];

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
            lang: crate::report::labels::Lang::default(),
            problem_items_per_department: default_problem_items_per_department(),
            detail_rows_per_sheet: default_detail_rows_per_sheet(),
            refused_cells_shown: default_refused_cells_shown(),
        }
    }
}

/// Who receives the monthly report (by e-mail through `[alerts.smtp]`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliverySettings {
    /// Executives who receive the whole workbook.
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Send each department with an `email` its own slice.
    #[serde(default)]
    pub department_slices: bool,
    /// Sources that must have data for the month before the report goes
    /// out (`a|b`: either); the readiness check names what is missing.
    #[serde(default)]
    pub expected_sources: Vec<String>,
}

/// Who is alerted (升级与告警), and through which channels; also the
/// limits of every network call (alerts, and the report e-mails sent
/// through the same mail server).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertSettings {
    /// E-mail addresses alerted (president, chairman …).
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Chat group-robot webhooks (企业微信/钉钉): a JSON text message is
    /// POSTed to each.
    #[serde(default)]
    pub webhooks: Vec<String>,
    /// The mail server.
    #[serde(default)]
    pub smtp: Option<SmtpSettings>,
    /// Seconds to wait for a connection to a mail server or webhook (SMTP:
    /// also for each of the server's replies).
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout_seconds: u64,
    /// Seconds one network call may take in all (connect, send, answer);
    /// after that it counts as failed and is retried.
    #[serde(default = "default_network_timeout")]
    pub timeout_seconds: u64,
    /// Minutes before a failed alert delivery is tried again; the wait
    /// doubles after each failure, up to six hours.
    #[serde(default = "default_alert_retry_minutes")]
    pub retry_minutes: u64,
    /// Attempts per alert and target before csat gives up (and logs an
    /// error).
    #[serde(default = "default_alert_max_attempts")]
    pub max_attempts: u32,
    /// When more than this many alerts are due for one recipient or
    /// channel in one run, they go out as one digest (counts by kind, the
    /// first this many listed).
    #[serde(default = "default_digest_over")]
    pub digest_over: usize,
}

impl Default for AlertSettings {
    fn default() -> Self {
        AlertSettings {
            recipients: Vec::new(),
            webhooks: Vec::new(),
            smtp: None,
            connect_timeout_seconds: default_connect_timeout(),
            timeout_seconds: default_network_timeout(),
            retry_minutes: default_alert_retry_minutes(),
            max_attempts: default_alert_max_attempts(),
            digest_over: default_digest_over(),
        }
    }
}

fn default_connect_timeout() -> u64 {
    10
}

fn default_network_timeout() -> u64 {
    30
}

fn default_alert_retry_minutes() -> u64 {
    5
}

fn default_alert_max_attempts() -> u32 {
    10
}

fn default_digest_over() -> usize {
    10
}

/// How csat reaches the mail server.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    /// Host name.
    pub host: String,
    /// Port (25, 465 for TLS, 587 for STARTTLS).
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    /// `none`, `starttls` or `tls`.
    #[serde(default)]
    pub security: SmtpSecurity,
    /// Sender address.
    pub from: String,
    /// User name, when the server wants one.
    #[serde(default)]
    pub username: Option<String>,
    /// Name of the environment variable holding the password (never the
    /// password itself in the file).
    #[serde(default)]
    pub password_env: Option<String>,
}

fn default_smtp_port() -> u16 {
    587
}

/// Transport security of the SMTP connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// Plain SMTP (a relay on the same host or network).
    None,
    /// Upgrade with STARTTLS (required).
    #[default]
    Starttls,
    /// TLS from the start (SMTPS).
    Tls,
}

/// Customer grading rules (SPEC "Customer grading").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradingSettings {
    /// Version of these rules, stored with every graded result; change it
    /// whenever a weight or threshold changes.
    pub version: String,
    /// `score` (eight weighted criteria, grades by rank) or `thresholds`
    /// (grades by monthly orders and on-margin share).
    #[serde(default)]
    pub method: GradingMethod,
    /// Shares of established customers graded A, B, C (the rest D), in
    /// percent of customers by rank.
    #[serde(default = "default_grade_shares")]
    pub shares: [f64; 3],
    /// Customers with fewer months of business are provisional.
    #[serde(default = "default_provisional_months")]
    pub provisional_months: i64,
    /// The grade a provisional customer gets.
    #[serde(default = "default_provisional_grade")]
    pub provisional_grade: String,
    /// Late payments in one calendar quarter (this or the last) that move the
    /// payment terms one grade down.
    #[serde(default = "default_late_payments")]
    pub late_payments_per_quarter: i64,
    /// A month's sales count as on-margin when their gross-margin rate (%)
    /// reaches this (for `thresholds`).
    #[serde(default = "default_min_margin_rate")]
    pub min_margin_rate: f64,
    /// The criteria of the `score` method.
    #[serde(default)]
    pub criteria: Vec<GradingCriterion>,
    /// The grade thresholds of the `thresholds` method, best grade first;
    /// a customer meeting none gets `fallback_grade`.
    #[serde(default)]
    pub thresholds: Vec<GradeThreshold>,
    /// Grade of a customer that meets no threshold.
    #[serde(default = "default_fallback_grade")]
    pub fallback_grade: String,
    /// A customer whose satisfaction over the last three months is below
    /// this (%) is at risk.
    #[serde(default = "default_at_risk_below")]
    pub at_risk_below: f64,
    /// What each grade gets (shown beside every customer).
    #[serde(default)]
    pub policies: Vec<GradePolicy>,
}

/// How grades are given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GradingMethod {
    /// 100-point score over weighted criteria; grades by rank.
    #[default]
    Score,
    /// Monthly orders and on-margin share against per-grade thresholds.
    Thresholds,
}

/// One criterion of the 100-point score.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradingCriterion {
    /// Stable key.
    pub key: String,
    /// Display name (销售量 …).
    pub name: String,
    /// What is measured: `sales_amount` (12 months, RMB), `payment_on_time`
    /// (% of invoices due in 12 months paid by the due date), `margin_rate`
    /// (%), `orders` (12 months), `customer_type`, `purchase_share` (% of
    /// their purchases that are ours), `years` (of business), `standing`.
    pub measure: String,
    /// Weight; the weights of all criteria make the 100 points.
    pub weight: f64,
    /// Numeric measures: `[minimum, points]` pairs; the highest minimum the
    /// value reaches gives the points (0–100); below all, 0.
    #[serde(default)]
    pub bands: Vec<[f64; 2]>,
    /// Text measures (`customer_type`, `standing`): value → points.
    #[serde(default)]
    pub categories: BTreeMap<String, f64>,
}

/// A grade of the `thresholds` method.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeThreshold {
    /// The grade.
    pub grade: String,
    /// Average monthly order amount over 12 months, RMB, at least.
    pub min_monthly_orders: f64,
    /// Share of sales in on-margin months, %, at least.
    pub min_on_margin_share: f64,
}

/// What a grade gets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradePolicy {
    /// The grade.
    pub grade: String,
    /// Price (A up to 5 % off …).
    pub price: String,
    /// Payment terms.
    pub payment_terms: String,
    /// Delivery lead time, days.
    pub lead_time_days: i64,
    /// Visit frequency.
    pub visits: String,
}

fn default_grade_shares() -> [f64; 3] {
    [20.0, 30.0, 40.0]
}

fn default_provisional_months() -> i64 {
    6
}

fn default_provisional_grade() -> String {
    "C".to_string()
}

fn default_late_payments() -> i64 {
    2
}

fn default_min_margin_rate() -> f64 {
    15.0
}

fn default_at_risk_below() -> f64 {
    70.0
}

fn default_fallback_grade() -> String {
    "C".to_string()
}

impl Default for GradingSettings {
    fn default() -> Self {
        GradingSettings {
            version: "unversioned".to_string(),
            method: GradingMethod::Score,
            shares: default_grade_shares(),
            provisional_months: default_provisional_months(),
            provisional_grade: default_provisional_grade(),
            late_payments_per_quarter: default_late_payments(),
            min_margin_rate: default_min_margin_rate(),
            criteria: Vec::new(),
            thresholds: Vec::new(),
            fallback_grade: default_fallback_grade(),
            at_risk_below: default_at_risk_below(),
            policies: Vec::new(),
        }
    }
}

/// The measures a grading criterion can use.
pub const GRADING_MEASURES: &[&str] = &[
    "sales_amount",
    "payment_on_time",
    "margin_rate",
    "orders",
    "customer_type",
    "purchase_share",
    "years",
    "standing",
];

/// How problems are ranked (柏拉图).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParetoSettings {
    /// Weight of a complaint by severity 1, 2, 3 in the severity-weighted
    /// ranking.
    #[serde(default = "default_severity_weights")]
    pub severity_weights: [f64; 3],
    /// Weight of a low answer or a callback remark.
    #[serde(default = "default_other_weight")]
    pub other_weight: f64,
    /// Complaint statuses that take a complaint out of the ranking (counted
    /// and shown as excluded, never silently dropped).
    #[serde(default = "default_excluded_statuses")]
    pub excluded_statuses: Vec<String>,
    /// What a call centre or a respondent writes when there is nothing to
    /// report (无, 没有, 正常, /, N/A …): a callback remark or a free-text
    /// answer that is one of these, once trimmed of spaces and end
    /// punctuation and compared without case, is no problem and no comment.
    #[serde(default = "default_no_problem_texts")]
    pub no_problem_texts: Vec<String>,
}

/// Characters trimmed from both ends of a remark before it is compared with
/// the no-problem texts (spaces, full-width spaces, end punctuation). The
/// SQL macro `no_problem` in migration V7 trims the same set.
pub const NO_PROBLEM_TRIM: &str = " \t\r\n\u{3000}。.!！,，;；~～";

/// A remark or comment as compared with the no-problem texts: trimmed of
/// [`NO_PROBLEM_TRIM`] and lowercased.
pub fn no_problem_key(text: &str) -> String {
    text.trim_matches(|c: char| NO_PROBLEM_TRIM.contains(c))
        .to_lowercase()
}

impl ParetoSettings {
    /// True when `text` says there is nothing to report: blank, or one of
    /// the no-problem texts.
    pub fn is_no_problem(&self, text: &str) -> bool {
        let key = no_problem_key(text);
        key.is_empty()
            || self
                .no_problem_texts
                .iter()
                .any(|t| no_problem_key(t) == key)
    }
}

fn default_no_problem_texts() -> Vec<String> {
    [
        "无",
        "没有",
        "暂无",
        "无意见",
        "没意见",
        "没有意见",
        "无问题",
        "没有问题",
        "无异常",
        "正常",
        "满意",
        "很满意",
        "非常满意",
        "好",
        "很好",
        "挺好",
        "还好",
        "不错",
        "可以",
        "/",
        "-",
        "--",
        "—",
        "——",
        "N/A",
        "NA",
        "none",
        "nil",
        "ok",
    ]
    .iter()
    .map(|t| t.to_string())
    .collect()
}

fn default_severity_weights() -> [f64; 3] {
    [5.0, 3.0, 1.0]
}

fn default_other_weight() -> f64 {
    1.0
}

fn default_excluded_statuses() -> Vec<String> {
    vec!["无效".to_string(), "重复".to_string(), "撤销".to_string()]
}

impl Default for ParetoSettings {
    fn default() -> Self {
        ParetoSettings {
            severity_weights: default_severity_weights(),
            other_weight: default_other_weight(),
            excluded_statuses: default_excluded_statuses(),
            no_problem_texts: default_no_problem_texts(),
        }
    }
}

/// A configuration problem a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read configuration {path}: {cause}")]
    Read {
        /// The file.
        path: String,
        /// The cause (in the message, not also returned as the source).
        cause: std::io::Error,
    },
    /// The TOML is malformed or has unknown fields.
    #[error("configuration {path} is not valid: {message}")]
    Parse {
        /// The file.
        path: String,
        /// What the parser said.
        message: String,
    },
    /// The file parsed but its contents contradict each other.
    #[error("configuration {path}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl Config {
    /// Parses and validates configuration text; `origin` names it in messages.
    ///
    /// # Errors
    /// Malformed TOML, unknown fields, or references to undefined keys.
    pub fn parse(text: &str, origin: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: origin.to_string(),
            message: e.to_string(),
        })?;
        config.validate().map_err(|message| ConfigError::Invalid {
            path: origin.to_string(),
            message,
        })?;
        Ok(config)
    }

    /// Loads `path`, or the shipped default when `path` is `None`.
    ///
    /// # Errors
    /// See [`Config::parse`]; also when the file cannot be read.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        match path {
            None => Config::parse(DEFAULT_CONFIG_TOML, "built-in default configuration"),
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|cause| ConfigError::Read {
                    path: path.display().to_string(),
                    cause,
                })?;
                Config::parse(&text, &path.display().to_string())
            }
        }
    }

    fn validate(&self) -> Result<(), String> {
        let alerts = &self.alerts;
        if !(1..=600).contains(&alerts.connect_timeout_seconds)
            || !(1..=600).contains(&alerts.timeout_seconds)
        {
            return Err(
                "[alerts] connect_timeout_seconds and timeout_seconds must be 1–600 seconds"
                    .to_string(),
            );
        }
        if alerts.max_attempts == 0 || alerts.digest_over == 0 {
            return Err("[alerts] max_attempts and digest_over must be at least 1".to_string());
        }
        let mut seen = std::collections::BTreeSet::new();
        for department in &self.departments {
            if !seen.insert(department.key.as_str()) {
                return Err(format!(
                    "department key '{}' is defined twice",
                    department.key
                ));
            }
        }
        let mut seen_questions = std::collections::BTreeSet::new();
        for question in &self.questions {
            if !seen_questions.insert(question.key.as_str()) {
                return Err(format!("question key '{}' is defined twice", question.key));
            }
            // `csat sources suggest` leaves these for a person to decide.
            for (what, value, known) in [
                (
                    "indicator",
                    &question.indicator,
                    self.indicators
                        .iter()
                        .map(|i| i.key.as_str())
                        .collect::<Vec<_>>(),
                ),
                (
                    "department",
                    &question.department,
                    self.departments.iter().map(|d| d.key.as_str()).collect(),
                ),
            ] {
                if value.trim().eq_ignore_ascii_case("todo") {
                    return Err(format!(
                        "question '{}' (match '{}'): {what} is still TODO; fill in one of: {}",
                        question.key,
                        question.match_text,
                        known.join(", ")
                    ));
                }
            }
            if self.department(&question.department).is_none() {
                return Err(format!(
                    "question '{}' names department '{}', which is not among [[departments]]",
                    question.key, question.department
                ));
            }
            if self.indicator(&question.indicator).is_none() {
                return Err(format!(
                    "question '{}' names indicator '{}', which is not among [[indicators]]",
                    question.key, question.indicator
                ));
            }
            if let Some(source) = &question.source {
                if !self.sources.iter().any(|s| &s.name == source) {
                    return Err(format!(
                        "question '{}' names source '{}', which is not among [[sources]]",
                        question.key, source
                    ));
                }
            }
        }
        for criterion in &self.grading.criteria {
            if !GRADING_MEASURES.contains(&criterion.measure.as_str()) {
                return Err(format!(
                    "grading criterion '{}' measures '{}'; known measures: {}",
                    criterion.key,
                    criterion.measure,
                    GRADING_MEASURES.join(", ")
                ));
            }
        }
        let weights: f64 = self.grading.criteria.iter().map(|c| c.weight).sum();
        if !self.grading.criteria.is_empty() && (weights - 100.0).abs() > 1e-9 {
            return Err(format!(
                "the grading criteria's weights add up to {weights}, not 100"
            ));
        }
        for key in self.drivers.outcome.iter().chain(&self.drivers.not_drivers) {
            if !self.questions.iter().any(|q| &q.key == key) {
                return Err(format!(
                    "[drivers] names question '{key}', which is not among [[questions]]"
                ));
            }
        }
        for rule in &self.keyword_rules {
            if let Some(department) = &rule.department {
                if self.department(department).is_none() {
                    return Err(format!(
                        "keyword rule '{}' names department '{}', which is not among [[departments]]",
                        rule.keyword, department
                    ));
                }
            }
        }
        for source in &self.sources {
            for (field, required) in source.kind.fields() {
                if *required && !source.fields.contains_key(*field) {
                    return Err(format!(
                        "source '{}' ({}) does not map the required field '{}'",
                        source.name,
                        source.kind.as_str(),
                        field
                    ));
                }
            }
            for field in source.fields.keys() {
                if !source.kind.fields().iter().any(|(f, _)| f == field) {
                    let known: Vec<&str> = source.kind.fields().iter().map(|(f, _)| *f).collect();
                    return Err(format!(
                        "source '{}' maps unknown field '{}'; {} sources know: {}",
                        source.name,
                        field,
                        source.kind.as_str(),
                        known.join(", ")
                    ));
                }
            }
            for (field, header) in &source.fields {
                if header.trim().eq_ignore_ascii_case("todo") {
                    return Err(format!(
                        "source '{}': field '{}' is still TODO; name the column that holds it",
                        source.name, field
                    ));
                }
            }
            if source.header_contains.is_empty() {
                return Err(format!(
                    "source '{}' has an empty header_contains",
                    source.name
                ));
            }
        }
        if !(1..=EXCEL_MAX_DATA_ROWS).contains(&self.report.detail_rows_per_sheet) {
            return Err(format!(
                "[report] detail_rows_per_sheet = {} is not between 1 and {EXCEL_MAX_DATA_ROWS} (Excel's rows below a header)",
                self.report.detail_rows_per_sheet
            ));
        }
        // Executive sheets stay executive-sized.
        for (name, value) in [
            (
                "problem_items_per_department",
                self.report.problem_items_per_department,
            ),
            ("refused_cells_shown", self.report.refused_cells_shown),
        ] {
            if value > 10_000 {
                return Err(format!(
                    "[report] {name} = {value} is more than 10000; long lists go to the detail workbooks"
                ));
            }
        }
        if !(0.0..=100.0).contains(&self.company.target) {
            return Err(format!(
                "company target {} is not a percentage",
                self.company.target
            ));
        }
        self.company
            .timezone
            .parse::<chrono_tz::Tz>()
            .map_err(|_| {
                format!(
                    "company timezone '{}' is not an IANA time zone",
                    self.company.timezone
                )
            })?;
        Ok(())
    }

    /// The department with this key.
    pub fn department(&self, key: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.key == key)
    }

    /// Resolves a department named in a record (key, name or alias) to its key.
    pub fn department_key(&self, text: &str) -> Option<&str> {
        let text = text.trim();
        self.departments
            .iter()
            .find(|d| d.key == text || d.name == text || d.aliases.iter().any(|a| a == text))
            .map(|d| d.key.as_str())
    }

    /// The indicator with this key.
    pub fn indicator(&self, key: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.key == key)
    }

    /// The target of a department for a month: the per-month override, else
    /// the department's own, else the company target.
    pub fn target_for(&self, department: &Department, month: &str) -> f64 {
        department
            .target_by_month
            .get(month)
            .copied()
            .or(department.target)
            .unwrap_or(self.company.target)
    }

    /// The outcome question of the key-driver analysis: `[drivers] outcome`,
    /// else the overall-satisfaction question (key `overall`, or a `match`
    /// text with 整体满意, 总体满意 or "overall satisfaction"), else the first
    /// recommend (`nps10`) question.
    pub fn driver_outcome(&self) -> Option<&Question> {
        if let Some(key) = &self.drivers.outcome {
            return self.questions.iter().find(|q| &q.key == key);
        }
        let overall = |q: &&Question| {
            let text = q.match_text.to_lowercase();
            q.key == "overall"
                || ["整体满意", "总体满意", "overall satisfaction"]
                    .iter()
                    .any(|t| text.contains(t))
        };
        self.questions
            .iter()
            .find(overall)
            .or_else(|| self.questions.iter().find(|q| q.scale == Scale::Nps10))
    }

    /// The problem category of low answers to a question.
    pub fn question_category(&self, question: &Question) -> String {
        question.category.clone().unwrap_or_else(|| {
            self.indicator(&question.indicator)
                .map(|i| i.name.clone())
                .unwrap_or_else(|| question.indicator.clone())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_is_valid() {
        let config = Config::load(None).unwrap();
        assert!(config.departments.len() >= 8);
        assert!(config.sources.iter().any(|s| s.kind == SourceKind::Survey));
    }

    #[test]
    fn unknown_department_is_named() {
        let text = DEFAULT_CONFIG_TOML.replacen(
            "department = \"after_sales\"",
            "department = \"aftersales\"",
            1,
        );
        let err = Config::parse(&text, "x.toml").unwrap_err().to_string();
        assert!(err.contains("department 'aftersales'"), "{err}");
        assert!(err.starts_with("configuration x.toml"), "{err}");
    }

    #[test]
    fn unknown_field_is_rejected() {
        let text = format!("{DEFAULT_CONFIG_TOML}\n[extra]\nx = 1\n");
        let err = Config::parse(&text, "x.toml").unwrap_err().to_string();
        assert!(err.contains("unknown field"), "{err}");
    }

    #[test]
    fn target_cascades_from_company() {
        let config = Config::load(None).unwrap();
        let mut department = config.departments[0].clone();
        department.target = None;
        department.target_by_month.clear();
        assert_eq!(
            config.target_for(&department, "2026-10"),
            config.company.target
        );
        department.target = Some(70.0);
        department.target_by_month.insert("2026-10".into(), 75.0);
        assert_eq!(config.target_for(&department, "2026-10"), 75.0);
        assert_eq!(config.target_for(&department, "2026-09"), 70.0);
    }
}
