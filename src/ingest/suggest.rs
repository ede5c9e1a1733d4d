//! `csat sources suggest`: reads a file csat does not recognise as ingest
//! would, finds its header (title rows, cover sheets and two-row merged
//! headers included), recognises the canonical fields by header words and
//! by content, the question columns and each one's scale from the values
//! seen, and writes a ready-to-paste TOML block: one `[[sources]]` entry
//! and `[[questions]]` stubs whose `indicator` and `department` are `TODO`,
//! which `csat check` refuses until a person fills them in. Every guess is
//! explained in a comment line.
//!
//! Pure: bytes in, text out; the suggestion is checked by parsing the file
//! with it before it is returned, and the counts it would load are printed.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use crate::config::{Config, Scale, SourceKind};
use crate::ingest::answers::{self, DateOptions};
use crate::ingest::sources::{self, disambiguate, normalize_header, strip_question_number};
use crate::ingest::table::{self, Cell, Sheet};

/// How many rows from the top of a sheet are searched for the header (as
/// ingest does).
const HEADER_SEARCH_ROWS: usize = 30;

/// How many data rows are looked at to judge a column.
const SAMPLE_ROWS: usize = 2000;

/// A column's values fit a scale when at least this share of them does.
const FIT_SHARE: f64 = 0.8;

/// Why no suggestion could be made.
#[derive(Debug, thiserror::Error)]
pub enum SuggestError {
    /// Not readable as a table.
    #[error(transparent)]
    Table(#[from] table::TableError),
    /// No row looks like a header with data below it.
    #[error("no sheet ({sheets}) has, in its first 30 rows, a row of at least two column headers with data below it")]
    NoHeader {
        /// Sheet names looked at.
        sheets: String,
    },
}

/// A suggested configuration for one file.
#[derive(Debug, Clone)]
pub struct Suggestion {
    /// The new source's name.
    pub source_name: String,
    /// The TOML block (comments included), ready to append to the configuration.
    pub toml: String,
    /// With the TODO values filled in, the file loads through the new source.
    pub loads: bool,
}

/// The header found in a sheet.
struct HeaderGuess {
    sheet_index: usize,
    header_row: usize,
    header_rows: usize,
    data_rows: Vec<usize>,
}

/// Text cells that are not values (numbers, dates, answers).
fn is_label_cell(cell: &Cell) -> bool {
    match cell {
        Cell::Text(text) => {
            let text = text.trim();
            !text.is_empty()
                && text.parse::<f64>().is_err()
                && answers::parse_answer(Scale::Likert5, cell).is_err()
                && answers::parse_datetime(cell, Default::default()).is_err()
        }
        _ => false,
    }
}

fn non_blank(row: &[Cell]) -> usize {
    row.iter().filter(|c| !c.is_blank()).count()
}

/// Finds the header of one sheet: the first row (of the first 30) with at
/// least two label cells, at least half as many as the widest row, and data
/// below; then up to two more rows below it that are sub-headers.
fn guess_header(sheet_index: usize, sheet: &Sheet) -> Option<HeaderGuess> {
    let widest = sheet
        .rows
        .iter()
        .take(HEADER_SEARCH_ROWS + SAMPLE_ROWS)
        .map(|r| non_blank(r))
        .max()
        .unwrap_or(0);
    for header_row in 0..sheet.rows.len().min(HEADER_SEARCH_ROWS) {
        let row = &sheet.rows[header_row];
        let labels = row.iter().filter(|c| is_label_cell(c)).count();
        if labels < 2 || labels * 2 < widest {
            continue;
        }
        let mut header_rows = 1;
        while header_rows < 3 {
            let candidate = header_row + header_rows;
            let Some(next) = sheet.rows.get(candidate) else {
                break;
            };
            if !is_sub_header(sheet, candidate, next) {
                break;
            }
            header_rows += 1;
        }
        let data_rows: Vec<usize> = (header_row + header_rows..sheet.rows.len())
            .filter(|&r| non_blank(&sheet.rows[r]) > 0)
            .collect();
        if data_rows.is_empty() {
            continue;
        }
        return Some(HeaderGuess {
            sheet_index,
            header_row,
            header_rows,
            data_rows,
        });
    }
    None
}

/// A row below the header is a sub-header when all its cells are labels and
/// it either names columns the row above leaves empty (a merged group
/// above) or fills fewer columns than the data rows below it do.
fn is_sub_header(sheet: &Sheet, row_index: usize, row: &[Cell]) -> bool {
    let filled = non_blank(row);
    if filled == 0 || row.iter().any(|c| !c.is_blank() && !is_label_cell(c)) {
        return false;
    }
    let above = &sheet.rows[row_index - 1];
    let under_empty = row
        .iter()
        .enumerate()
        .any(|(column, cell)| !cell.is_blank() && above.get(column).is_none_or(Cell::is_blank));
    let mut below: Vec<usize> = sheet
        .rows
        .iter()
        .skip(row_index + 1)
        .take(20)
        .map(|r| non_blank(r))
        .filter(|&n| n > 0)
        .collect();
    below.sort_unstable();
    let median = below.get(below.len() / 2).copied().unwrap_or(0);
    under_empty || filled < median
}

/// What a column holds.
#[derive(Debug, Clone, Default)]
struct ColumnFacts {
    /// Non-blank cells seen.
    n_values: usize,
    /// Distinct texts.
    distinct: usize,
    /// Cells that are dates or date-times.
    n_dates: usize,
    /// Cells that are yes/no.
    n_bools: usize,
    /// Cells that are durations (and not plain numbers).
    n_durations: usize,
    /// Whole numbers among the cells.
    n_integers: usize,
    /// Year-last date texts read day-first only (`13/10/2026`).
    day_first_only: usize,
    /// Year-last date texts read month-first only (`10/13/2026`).
    month_first_only: usize,
    /// A few values, for the comments.
    examples: Vec<String>,
}

fn column_facts(
    sheet: &Sheet,
    column: usize,
    data_rows: &[usize],
    zone: Option<chrono_tz::Tz>,
) -> ColumnFacts {
    let mut facts = ColumnFacts::default();
    let mut distinct = BTreeSet::new();
    let options = DateOptions {
        system: sheet.date_system,
        day_first: false,
        zone,
    };
    for &row in data_rows.iter().take(SAMPLE_ROWS) {
        let Some(cell) = sheet.rows[row].get(column) else {
            continue;
        };
        if cell.is_blank() {
            continue;
        }
        facts.n_values += 1;
        let text = cell.text();
        if distinct.insert(text.clone()) && facts.examples.len() < 3 {
            facts.examples.push(text.chars().take(30).collect());
        }
        let is_number = matches!(cell, Cell::Number(_)) || text.trim().parse::<f64>().is_ok();
        if is_number && text.trim().parse::<f64>().is_ok_and(|n| n.fract() == 0.0) {
            facts.n_integers += 1;
        }
        let looks_dated = matches!(cell, Cell::DateTime(_))
            || (!is_number && answers::parse_datetime_with(cell, &options).is_ok());
        if looks_dated {
            facts.n_dates += 1;
            if let Cell::Text(t) = cell {
                let head: Vec<&str> = t
                    .trim()
                    .split([' ', 'T'])
                    .next()
                    .unwrap_or("")
                    .split(['/', '-', '.'])
                    .collect();
                if let [a, b, c] = head.as_slice() {
                    if c.len() == 4 {
                        let a: u32 = a.parse().unwrap_or(0);
                        let b: u32 = b.parse().unwrap_or(0);
                        if a > 12 {
                            facts.day_first_only += 1;
                        } else if b > 12 {
                            facts.month_first_only += 1;
                        }
                    }
                }
            }
        } else if !is_number && answers::parse_duration(cell).is_ok() {
            facts.n_durations += 1;
        }
        if answers::parse_bool(cell).is_ok() && !is_number {
            facts.n_bools += 1;
        }
    }
    facts.distinct = distinct.len();
    facts
}

/// How well a column fits a scale: values read, values refused, no-answers.
fn scale_fit(
    sheet: &Sheet,
    column: usize,
    data_rows: &[usize],
    scale: Scale,
) -> (usize, Vec<String>) {
    let mut read = 0;
    let mut refused = Vec::new();
    for &row in data_rows.iter().take(SAMPLE_ROWS) {
        let Some(cell) = sheet.rows[row].get(column) else {
            continue;
        };
        match answers::parse_answer(scale, cell) {
            Ok(Some(_)) => read += 1,
            Ok(None) => {}
            Err(_) => refused.push(cell.text()),
        }
    }
    (read, refused)
}

/// The scale a column's values fit, with the reason; `None` for free text.
fn guess_scale(
    sheet: &Sheet,
    column: usize,
    data_rows: &[usize],
    header: &str,
) -> Option<(Scale, String)> {
    let values: Vec<&Cell> = data_rows
        .iter()
        .take(SAMPLE_ROWS)
        .filter_map(|&r| sheet.rows[r].get(column))
        .filter(|c| !c.is_blank())
        .collect();
    let numbers: Vec<f64> = values
        .iter()
        .filter_map(|c| match c {
            Cell::Number(n) => Some(*n),
            Cell::Text(t) => t.trim().trim_end_matches('分').parse::<f64>().ok(),
            _ => None,
        })
        .collect();
    let has_labels = values.iter().any(|c| {
        matches!(c, Cell::Text(t) if t.trim().parse::<f64>().is_err())
            && answers::parse_answer(Scale::Likert5, c).is_ok_and(|v| v.is_some())
    });
    let has_stars = values
        .iter()
        .any(|c| matches!(c, Cell::Text(t) if t.contains('★')));
    let tier_only = !numbers.is_empty()
        && numbers
            .iter()
            .all(|n| [0.0, 3.0, 6.0, 8.0, 10.0].contains(n))
        && numbers.iter().any(|n| *n > 5.0)
        && numbers
            .iter()
            .collect::<Vec<_>>()
            .iter()
            .map(|n| n.to_bits())
            .collect::<BTreeSet<_>>()
            .len()
            >= 3;
    let mut order = vec![Scale::Likert5, Scale::Stars5, Scale::Tier10, Scale::Nps10];
    if tier_only {
        order = vec![Scale::Tier10, Scale::Likert5, Scale::Nps10];
    } else if has_stars || header.contains('星') || header.to_lowercase().contains("star") {
        order = vec![Scale::Stars5, Scale::Likert5, Scale::Tier10, Scale::Nps10];
    }
    for scale in order {
        let (read, refused) = scale_fit(sheet, column, data_rows, scale);
        let total = read + refused.len();
        if read == 0 || (read as f64) < FIT_SHARE * total as f64 {
            continue;
        }
        let seen = match scale {
            Scale::Likert5 if has_labels => "labels 很满意…很不满意",
            Scale::Likert5 => "whole numbers 1–5",
            Scale::Stars5 => "1–5 stars",
            Scale::Tier10 => "only 10, 8, 6, 3 and 0",
            Scale::Nps10 => "whole numbers 0–10",
        };
        let mut reason = format!("{read} answers, {seen}");
        if !refused.is_empty() {
            let shown: Vec<String> = refused
                .iter()
                .take(3)
                .map(|v| format!("'{}'", one_line(v)))
                .collect();
            let n = refused.len();
            reason.push_str(&format!(
                "; {n} {} and will be refused ({})",
                if n == 1 {
                    "value does not fit"
                } else {
                    "values do not fit"
                },
                shown.join(", ")
            ));
        }
        return Some((scale, reason));
    }
    None
}

/// Header words of the canonical fields, in the order they are tried.
fn field_words(field: &str) -> &'static [&'static str] {
    match field {
        "respondent_id" => &[
            "序号",
            "答卷编号",
            "问卷编号",
            "答卷id",
            "respondent id",
            "response id",
            "responseid",
            "记录编号",
            "编号",
            "单号",
            "记录号",
            "id",
            "号",
        ],
        "callback_id" => &[
            "回访单号",
            "回访编号",
            "工单编号",
            "工单号",
            "单号",
            "记录编号",
            "编号",
            "序号",
            "id",
        ],
        "customer_id" => &[
            "客户编号",
            "客户代码",
            "客户id",
            "客户号",
            "会员编号",
            "会员号",
            "customer id",
            "customer",
        ],
        "submitted_at" => &[
            "提交答卷时间",
            "提交时间",
            "提交日期",
            "填写时间",
            "答题时间",
            "完成时间",
            "回访时间",
            "回访日期",
            "调查日期",
            "timestamp",
            "submitted",
            "时间",
            "日期",
            "date",
            "time",
        ],
        "called_at" => &[
            "回访时间",
            "通话时间",
            "呼叫时间",
            "拨打时间",
            "回访日期",
            "时间",
            "日期",
            "date",
            "time",
        ],
        "planned_on" => &["计划回访日期", "计划日期", "计划"],
        "dealer" => &[
            "门店",
            "经销商",
            "专卖店",
            "店铺",
            "网点",
            "dealer",
            "store",
            "shop",
        ],
        "region" => &["区域", "地区", "大区", "region"],
        "duration" => &["所用时间", "答题时长", "用时", "时长", "duration"],
        "reached" => &[
            "是否接通",
            "接通状态",
            "接通",
            "联系上",
            "通话状态",
            "呼叫结果",
            "reached",
        ],
        "callback_type" => &["回访类型", "回访类别", "类型", "type"],
        "remark" => &[
            "客户意见",
            "客户反馈",
            "意见",
            "反馈",
            "备注",
            "建议",
            "remark",
            "comment",
        ],
        _ => &[],
    }
}

/// Columns that hold customer data or tool metadata, never answers.
fn is_personal_or_metadata(normalized: &str) -> bool {
    const WORDS: &[&str] = &[
        "姓名",
        "名称",
        "电话",
        "手机",
        "地址",
        "邮箱",
        "email",
        "e-mail",
        "phone",
        "name",
        "ip",
        "来源",
        "微信",
        "昵称",
        "用户标识",
    ];
    WORDS.iter().any(|w| normalized.contains(w))
}

/// Generic header words that match too many files to recognise a layout.
fn is_generic(normalized: &str) -> bool {
    const GENERIC: &[&str] = &[
        "序号",
        "编号",
        "id",
        "时间",
        "日期",
        "备注",
        "姓名",
        "名称",
        "timestamp",
        "date",
        "time",
        "name",
        "客户编号",
        "客户名称",
    ];
    GENERIC.contains(&normalized) || normalized.chars().count() < 2
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// Text for a comment line: one line, bounded.
fn one_line(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let trimmed: String = flat.trim().chars().take(160).collect();
    trimmed
}

/// A snake_case name from the file name, else `<kind>_<hash>`; unique among `taken`.
fn source_name(file_name: &str, kind: SourceKind, layout: &str, taken: &[String]) -> String {
    let stem = file_name
        .rsplit_once('.')
        .map_or(file_name, |(stem, _)| stem);
    let mut name = String::new();
    for c in stem.chars() {
        if c.is_ascii_alphabetic() {
            name.push(c.to_ascii_lowercase());
        } else if !name.ends_with('_') && !name.is_empty() {
            name.push('_');
        }
    }
    let name = name.trim_matches('_').to_string();
    let base = if name.chars().filter(char::is_ascii_alphabetic).count() >= 3 {
        name
    } else {
        format!("{}_{}", kind.as_str(), &layout[..6.min(layout.len())])
    };
    let mut candidate = base.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{base}_{n}");
        n += 1;
    }
    candidate
}

/// One column's guessed use.
#[derive(Debug, Clone)]
enum Guess {
    Field,
    Question(Scale),
    Existing(String, Scale),
    Text,
    NotQuestion(&'static str),
    Empty,
}

/// Suggests a configuration for `file_name`.
///
/// # Errors
/// The file cannot be read as a table, or no sheet has a header row.
pub fn suggest(
    config: &Config,
    file_name: &str,
    bytes: &[u8],
    today: Option<NaiveDate>,
) -> Result<Suggestion, SuggestError> {
    let sheets = table::read_table(file_name, bytes)?;
    let guess = sheets
        .iter()
        .enumerate()
        .filter_map(|(index, sheet)| guess_header(index, sheet))
        .max_by_key(|g| {
            // The sheet with the most data cells below its header wins
            // (a cover sheet has few); the first one on a tie.
            let sheet = &sheets[g.sheet_index];
            let cells: usize = g.data_rows.iter().map(|&r| non_blank(&sheet.rows[r])).sum();
            (cells, std::cmp::Reverse(g.sheet_index))
        })
        .ok_or_else(|| SuggestError::NoHeader {
            sheets: sheets
                .iter()
                .map(|s| format!("'{}'", s.name))
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    let sheet = &sheets[guess.sheet_index];
    let data_start = guess.header_row + guess.header_rows;
    let grid = sources::filled_header_rows(sheet, guess.header_row, data_start);
    let first_row: Vec<String> = grid.first().cloned().unwrap_or_default();
    let headers = disambiguate(
        sheet.rows[guess.header_row]
            .iter()
            .map(|c| normalize_header(&c.text()))
            .collect(),
    );
    let width = grid.iter().map(Vec::len).max().unwrap_or(0).max(
        guess
            .data_rows
            .iter()
            .map(|&r| sheet.rows[r].len())
            .max()
            .unwrap_or(0),
    );
    let labels: Vec<String> = (0..width)
        .map(|c| super::column_label(&grid, &headers, c))
        .collect();
    let zone: Option<chrono_tz::Tz> = config.company.timezone.parse().ok();
    let facts: Vec<ColumnFacts> = (0..width)
        .map(|c| column_facts(sheet, c, &guess.data_rows, zone))
        .collect();
    let n_rows = guess.data_rows.len();

    // Kind: a yes/no column headed like 是否接通 makes a callback file.
    let find_by_words = |field: &str,
                         taken: &BTreeSet<usize>,
                         accept: &dyn Fn(&ColumnFacts) -> bool|
     -> Option<(usize, String)> {
        for word in field_words(field) {
            for column in 0..width {
                if taken.contains(&column) || facts[column].n_values == 0 {
                    continue;
                }
                let header = normalize_header(&labels[column]);
                // An id is never a phone number or a name.
                let personal = field.ends_with("_id")
                    && field != "customer_id"
                    && is_personal_or_metadata(&header);
                if header.contains(word) && !personal && accept(&facts[column]) {
                    return Some((column, format!("header says '{word}'")));
                }
            }
        }
        None
    };
    let mostly = |n: usize, total: usize| total > 0 && n as f64 >= FIT_SHARE * total as f64;
    let mut taken: BTreeSet<usize> = BTreeSet::new();
    let reached = find_by_words("reached", &taken, &|f| mostly(f.n_bools, f.n_values));
    let kind = if reached.is_some() {
        SourceKind::Callback
    } else {
        SourceKind::Survey
    };
    let mut fields: Vec<(&'static str, usize, String)> = Vec::new();
    if let Some((column, why)) = reached {
        taken.insert(column);
        fields.push(("reached", column, format!("{why}, values are yes/no")));
    }
    let (id_field, at_field) = match kind {
        SourceKind::Callback => ("callback_id", "called_at"),
        _ => ("respondent_id", "submitted_at"),
    };
    // The customer id first, so a 客户编号 column is never the respondent id.
    if let Some((column, why)) = find_by_words("customer_id", &taken, &|f| f.n_values > 0) {
        taken.insert(column);
        fields.push(("customer_id", column, why));
    }
    let unique = |f: &ColumnFacts| f.n_values == n_rows && f.distinct == f.n_values;
    if let Some((column, why)) = find_by_words(id_field, &taken, &|f| {
        unique(f) || mostly(f.distinct, n_rows)
    }) {
        taken.insert(column);
        let distinct = facts[column].distinct;
        fields.push((
            id_field,
            column,
            format!("{why}, {distinct} distinct values"),
        ));
    }
    let dated = |f: &ColumnFacts| mostly(f.n_dates, f.n_values);
    if kind == SourceKind::Callback {
        if let Some((column, why)) = find_by_words("planned_on", &taken, &dated) {
            taken.insert(column);
            fields.push(("planned_on", column, format!("{why}, values are dates")));
        }
    }
    let at = find_by_words(at_field, &taken, &dated).or_else(|| {
        (0..width)
            .find(|&c| !taken.contains(&c) && dated(&facts[c]))
            .map(|c| (c, "the values are dates".to_string()))
    });
    if let Some((column, why)) = &at {
        taken.insert(*column);
        fields.push((
            at_field,
            *column,
            format!("{why}, values are dates and times"),
        ));
    }
    let textual = |f: &ColumnFacts| f.n_values > 0 && !mostly(f.n_dates, f.n_values);
    for field in ["dealer", "region", "duration"] {
        let accept: &dyn Fn(&ColumnFacts) -> bool = if field == "duration" {
            &|f: &ColumnFacts| mostly(f.n_durations + f.n_integers, f.n_values)
        } else {
            &textual
        };
        if let Some((column, why)) = find_by_words(field, &taken, accept) {
            taken.insert(column);
            fields.push((field, column, why));
        }
    }
    if kind == SourceKind::Callback {
        if let Some((column, why)) = find_by_words("callback_type", &taken, &textual) {
            taken.insert(column);
            fields.push(("callback_type", column, why));
        }
    }

    // Questions and the other columns.
    let layout = crate::inbox::content_hash(headers.join("\u{1f}").as_bytes());
    let taken_names: Vec<String> = config.sources.iter().map(|s| s.name.clone()).collect();
    let name = source_name(file_name, kind, &layout, &taken_names);
    let mut guesses: Vec<(usize, Guess, String)> = Vec::new();
    for column in 0..width {
        if let Some((_, _, why)) = fields.iter().find(|(_, c, _)| *c == column) {
            guesses.push((column, Guess::Field, why.clone()));
            continue;
        }
        let label = &labels[column];
        let normalized = normalize_header(label);
        if facts[column].n_values == 0 {
            guesses.push((column, Guess::Empty, "no data".to_string()));
            continue;
        }
        if label.is_empty() {
            guesses.push((
                column,
                Guess::NotQuestion("no header"),
                "no header text".to_string(),
            ));
            continue;
        }
        if is_personal_or_metadata(&normalized) {
            guesses.push((
                column,
                Guess::NotQuestion("customer data or metadata"),
                "customer data or metadata".to_string(),
            ));
            continue;
        }
        let existing = config.questions.iter().find(|q| {
            let wanted = normalize_header(&q.match_text);
            q.source.is_none() && normalized.contains(wanted.as_str())
        });
        match (
            existing,
            guess_scale(sheet, column, &guess.data_rows, &normalized),
        ) {
            (Some(question), _) => {
                let (read, refused) = scale_fit(sheet, column, &guess.data_rows, question.scale);
                let note = if refused.is_empty() {
                    format!("{read} answers fit its scale")
                } else {
                    format!(
                        "{read} answers fit its scale, {} will be refused",
                        refused.len()
                    )
                };
                guesses.push((
                    column,
                    Guess::Existing(question.key.clone(), question.scale),
                    note,
                ));
            }
            (None, Some((scale, why))) => guesses.push((column, Guess::Question(scale), why)),
            (None, None) => guesses.push((
                column,
                Guess::Text,
                format!(
                    "free text ({} values, e.g. {})",
                    facts[column].n_values,
                    facts[column]
                        .examples
                        .iter()
                        .map(|e| format!("'{}'", one_line(e)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }
    // A callback's free-text column is its remark.
    if kind == SourceKind::Callback {
        let remark = field_words("remark").iter().find_map(|word| {
            guesses.iter().position(|(column, guess, _)| {
                matches!(guess, Guess::Text) && normalize_header(&labels[*column]).contains(word)
            })
        });
        if let Some(index) = remark {
            guesses[index].1 = Guess::Field;
            guesses[index].2 = "free text headed like a remark".to_string();
            fields.push(("remark", guesses[index].0, guesses[index].2.clone()));
        }
    }

    // The text of a field's column as `[sources.fields]` wants it.
    let field_header = |column: usize| -> String {
        let raw = sheet.rows[guess.header_row]
            .get(column)
            .map(|c| c.text().trim().to_string())
            .unwrap_or_default();
        if raw.is_empty()
            || headers
                .get(column)
                .is_some_and(|h| h.ends_with(')') && h.contains(" ("))
        {
            headers.get(column).cloned().unwrap_or_default()
        } else {
            strip_question_number(&raw).0.trim().to_string()
        }
    };

    // header_contains: the most specific header texts of the first row.
    let mut candidates: Vec<(bool, usize, String)> = first_row
        .iter()
        .enumerate()
        .filter(|(column, text)| {
            !text.is_empty()
                && sheet.rows[guess.header_row]
                    .get(*column)
                    .is_some_and(|c| !c.is_blank())
        })
        .map(|(_, text)| {
            let clean = strip_question_number(text.trim()).0.trim().to_string();
            let normalized = normalize_header(&clean);
            (
                is_generic(&normalized),
                usize::MAX - clean.chars().count(),
                clean,
            )
        })
        .filter(|(_, _, clean)| !clean.is_empty() && clean.chars().count() <= 40)
        .collect();
    candidates.sort();
    let mut header_contains: Vec<String> = Vec::new();
    for (_, _, clean) in candidates {
        let normalized = normalize_header(&clean);
        if header_contains.iter().any(|h| {
            normalize_header(h).contains(&normalized) || normalized.contains(&normalize_header(h))
        }) {
            continue;
        }
        header_contains.push(clean);
        if header_contains.len() == 3 {
            break;
        }
    }

    // Write the block.
    let mut out = String::new();
    let line = |out: &mut String, text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    line(
        &mut out,
        format!(
            "# Suggested by `csat sources suggest` for {}, sheet '{}'.",
            one_line(file_name),
            one_line(&sheet.name)
        ),
    );
    line(
        &mut out,
        "# Check each guess, fill in every TODO, add this to the configuration, run".to_string(),
    );
    line(
        &mut out,
        format!(
            "# `csat check`, then `csat ingest --dry-run {}`, then drop the file.",
            one_line(file_name)
        ),
    );
    if let Some(known) = sources::detect(config, file_name, &sheets) {
        line(
            &mut out,
            format!(
                "# Note: the configuration already recognises this file as source '{}'; an entry added after it is never reached.",
                known.source.name
            ),
        );
    }
    let header_note = if guess.header_rows > 1 {
        format!(
            "rows {}–{} ({} header rows; a cell under a merged group cell takes the group's text)",
            guess.header_row + 1,
            guess.header_row + guess.header_rows,
            guess.header_rows
        )
    } else {
        format!("row {}", guess.header_row + 1)
    };
    line(
        &mut out,
        format!("# Header: {header_note}; {n_rows} data rows below it."),
    );
    if guess.sheet_index > 0 || sheets.len() > 1 {
        line(
            &mut out,
            format!(
                "# Sheet: '{}' of {} (the one with the most data).",
                one_line(&sheet.name),
                sheets.len()
            ),
        );
    }
    let n_questions = guesses
        .iter()
        .filter(|(_, g, _)| matches!(g, Guess::Question(..) | Guess::Existing(..)))
        .count();
    match kind {
        SourceKind::Callback => line(&mut out, format!("# Kind: callback: column '{}' says whether the call was reached.", one_line(&labels[fields.iter().find(|f| f.0 == "reached").map_or(0, |f| f.1)]))),
        _ => line(&mut out, format!("# Kind: survey: {n_questions} columns hold answers on a scale and none says whether a call was reached.")),
    }
    line(&mut out, "[[sources]]".to_string());
    line(&mut out, format!("name = {}", toml_string(&name)));
    line(&mut out, format!("kind = {}", toml_string(kind.as_str())));
    if kind == SourceKind::Survey {
        let lower = format!("{} {}", file_name, sheet.name);
        let channel = if lower.contains("走访") || lower.contains("拜访") {
            "visit"
        } else {
            "questionnaire"
        };
        line(
            &mut out,
            format!(
                "# Channel: '{channel}' ({}).",
                if channel == "visit" {
                    "the name says 走访"
                } else {
                    "responses to a questionnaire"
                }
            ),
        );
        line(&mut out, format!("channel = {}", toml_string(channel)));
    }
    line(&mut out, "# Recognised by these header texts (the most specific of the header row; no shipped source asks for all of them).".to_string());
    line(
        &mut out,
        format!(
            "header_contains = [{}]",
            header_contains
                .iter()
                .map(|h| toml_string(h))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    if guess.header_rows > 1 {
        line(&mut out, format!("header_rows = {}", guess.header_rows));
    }
    let not_questions: Vec<String> = guesses
        .iter()
        .filter(|(_, g, _)| matches!(g, Guess::NotQuestion(_)))
        .filter(|(column, _, _)| !labels[*column].is_empty())
        .map(|(column, _, _)| labels[*column].clone())
        .collect();
    if kind == SourceKind::Survey {
        line(
            &mut out,
            "# Every other column is a question (free text is stored, not scored) …".to_string(),
        );
        line(&mut out, "question_columns = \"*\"".to_string());
        if !not_questions.is_empty() {
            line(
                &mut out,
                "# … except customer data and metadata, which are listed as not loaded."
                    .to_string(),
            );
            line(
                &mut out,
                format!(
                    "not_questions = [{}]",
                    not_questions
                        .iter()
                        .map(|h| toml_string(h))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
    let at_facts = at.as_ref().map(|(c, _)| &facts[*c]);
    if let Some(f) = at_facts {
        if f.day_first_only > 0 && f.month_first_only == 0 {
            line(
                &mut out,
                format!(
                    "# Dates are written day-first ({} like 13/10/2026).",
                    f.day_first_only
                ),
            );
            line(&mut out, "date_order = \"day_first\"".to_string());
        } else if f.month_first_only > 0 {
            line(
                &mut out,
                format!(
                    "# Dates are written month-first ({} like 10/13/2026).",
                    f.month_first_only
                ),
            );
            line(&mut out, "date_order = \"month_first\"".to_string());
        }
    }
    if at.is_none() {
        let from_sheet = crate::ingest::month_in_names(
            &sheet.name,
            file_name,
            Some(crate::config::MonthFrom::SheetName),
            today,
        );
        let from_file = crate::ingest::month_in_names(
            &sheet.name,
            file_name,
            Some(crate::config::MonthFrom::FileName),
            today,
        );
        let csv = sheet.name == file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
        match (from_sheet, from_file) {
            (Some(month), _) if !csv => {
                line(&mut out, format!("# No time column: each row takes the month {} from the sheet name.", month.format("%Y-%m")));
                line(&mut out, "month_from = \"sheet_name\"".to_string());
            }
            (_, Some(month)) => {
                line(&mut out, format!("# No time column: each row takes the month {} from the file name.", month.format("%Y-%m")));
                line(&mut out, "month_from = \"file_name\"".to_string());
            }
            _ => line(&mut out, "# No time column and no month in the file or sheet name: name each export with its month (…_2026-10.xlsx), or it is refused.".to_string()),
        }
    }
    line(&mut out, "[sources.fields]".to_string());
    let mut sorted_fields = fields.clone();
    sorted_fields.sort_by_key(|f| f.1);
    for (field, column, why) in &sorted_fields {
        line(
            &mut out,
            format!(
                "# Column {} '{}': {}.",
                super::column_letters(*column),
                one_line(&labels[*column]),
                one_line(why)
            ),
        );
        line(
            &mut out,
            format!("{field} = {}", toml_string(&field_header(*column))),
        );
    }
    if kind == SourceKind::Survey && !fields.iter().any(|f| f.0 == "respondent_id") {
        line(
            &mut out,
            "# No respondent id column: the row number identifies each respondent.".to_string(),
        );
    }
    if kind == SourceKind::Callback && !fields.iter().any(|f| f.0 == "callback_type") {
        line(&mut out, "# No callback-type column was found: callback_type is required; name the column that holds it.".to_string());
        line(&mut out, "callback_type = \"TODO\"".to_string());
    }

    // Columns left out, said once so nothing is dropped unseen.
    let mut other_lines: Vec<String> = Vec::new();
    for (column, guess_kind, why) in &guesses {
        let letter = super::column_letters(*column);
        let label = one_line(&labels[*column]);
        match guess_kind {
            Guess::Existing(key, scale) => other_lines.push(format!("# Column {letter} '{label}': already the question '{key}' of the configuration ({}; {why}).", scale_name(*scale))),
            Guess::Text if kind == SourceKind::Survey => other_lines.push(format!("# Column {letter} '{label}': {why}: stored as an unmapped question, not scored.")),
            Guess::Text => other_lines.push(format!("# Column {letter} '{label}': {why}: not loaded (a callback keeps one remark column).")),
            Guess::NotQuestion(what) => other_lines.push(format!("# Column {letter} '{label}': {what}: not loaded, listed by ingest.")),
            _ => {}
        }
    }
    if !other_lines.is_empty() {
        out.push('\n');
        for l in other_lines {
            line(&mut out, l);
        }
    }

    // Question stubs, longest match first so a header containing another
    // question's text still finds its own entry.
    let mut stubs: Vec<(usize, Scale, String, String)> = guesses
        .iter()
        .filter_map(|(column, g, why)| match g {
            Guess::Question(scale) => Some((
                *column,
                *scale,
                strip_question_number(&labels[*column]).0.trim().to_string(),
                why.clone(),
            )),
            _ => None,
        })
        .collect();
    stubs.sort_by_key(|(column, _, text, _)| (std::cmp::Reverse(text.chars().count()), *column));
    let indicators: Vec<&str> = config.indicators.iter().map(|i| i.key.as_str()).collect();
    let departments: Vec<&str> = config.departments.iter().map(|d| d.key.as_str()).collect();
    let mut taken_keys: BTreeSet<String> = config.questions.iter().map(|q| q.key.clone()).collect();
    let mut stub_index = 0;
    if !stubs.is_empty() {
        out.push('\n');
        line(
            &mut out,
            "# Questions, the longest match first, so a header containing another's text keeps its own entry.".to_string(),
        );
    }
    for (column, scale, text, why) in &stubs {
        stub_index += 1;
        let mut key = format!("{name}_q{stub_index}");
        while taken_keys.contains(&key) {
            stub_index += 1;
            key = format!("{name}_q{stub_index}");
        }
        taken_keys.insert(key.clone());
        out.push('\n');
        line(
            &mut out,
            format!(
                "# Column {} '{}': {} → {}.",
                super::column_letters(*column),
                one_line(&labels[*column]),
                one_line(why),
                scale_name(*scale)
            ),
        );
        line(&mut out, "[[questions]]".to_string());
        line(&mut out, format!("key = {}", toml_string(&key)));
        line(&mut out, format!("match = {}", toml_string(text)));
        line(&mut out, format!("source = {}", toml_string(&name)));
        line(
            &mut out,
            format!("indicator = \"TODO\"  # one of: {}", indicators.join(", ")),
        );
        line(
            &mut out,
            format!(
                "department = \"TODO\"  # one of: {}",
                departments.join(", ")
            ),
        );
        line(
            &mut out,
            format!("scale = {}", toml_string(scale_name(*scale))),
        );
    }

    // Check the suggestion: it must recognise this very file.
    let (check, loads) = verify(config, file_name, bytes, today, &out, &name);
    out.push('\n');
    for l in check {
        line(&mut out, l);
    }
    Ok(Suggestion {
        source_name: name,
        toml: out,
        loads,
    })
}

fn scale_name(scale: Scale) -> &'static str {
    match scale {
        Scale::Likert5 => "likert5",
        Scale::Tier10 => "tier10",
        Scale::Nps10 => "nps10",
        Scale::Stars5 => "stars5",
    }
}

/// `config` with a suggestion's `[[sources]]` and `[[questions]]` added,
/// its TODO values replaced by the first indicator and department.
fn with_block(config: &Config, block: &str) -> Result<Config, toml::de::Error> {
    /// The part of a configuration a suggestion holds.
    #[derive(serde::Deserialize)]
    struct Block {
        #[serde(default)]
        sources: Vec<crate::config::Source>,
        #[serde(default)]
        questions: Vec<crate::config::Question>,
    }
    let first_indicator = config
        .indicators
        .first()
        .map_or("product", |i| i.key.as_str());
    let first_department = config
        .departments
        .first()
        .map_or("quality", |d| d.key.as_str());
    let filled = block
        .replace(
            "indicator = \"TODO\"",
            &format!("indicator = {}", toml_string(first_indicator)),
        )
        .replace(
            "department = \"TODO\"",
            &format!("department = {}", toml_string(first_department)),
        );
    let block: Block = toml::from_str(&filled)?;
    let mut trial = config.clone();
    trial.sources.extend(block.sources);
    trial.questions.extend(block.questions);
    Ok(trial)
}

impl Suggestion {
    /// Adds this suggestion to `config` (TODO values as placeholders), so
    /// that suggestions for further files get other names and say when a
    /// file has the layout of one suggested before.
    pub fn add_to(&self, config: &mut Config) {
        if let Ok(with) = with_block(config, &self.toml) {
            *config = with;
        }
    }
}

/// Parses the file with the suggestion added (the TODO values replaced by
/// the first indicator and department) and says what it would load.
fn verify(
    config: &Config,
    file_name: &str,
    bytes: &[u8],
    today: Option<NaiveDate>,
    block: &str,
    name: &str,
) -> (Vec<String>, bool) {
    let trial = match with_block(config, block) {
        Ok(trial) => trial,
        Err(e) => {
            let warning = format!(
                "# Warning: the suggestion does not read as TOML: {}",
                one_line(&e.to_string())
            );
            return (vec![warning], false);
        }
    };
    match crate::ingest::parse_file_on(&trial, file_name, bytes, today) {
        Ok(parsed) if parsed.source == name => {
            let mut lines = vec![format!(
                "# With the TODO values filled in, this file loads {} {}, {} answers, {} cells refused.",
                parsed.responses.len().max(parsed.records.len()),
                if parsed.kind == SourceKind::Survey { "respondents" } else { "rows" },
                parsed.answers.len(),
                parsed.rejected.len()
            )];
            for r in parsed.rejected.iter().take(5) {
                lines.push(format!(
                    "#   row {}, column '{}': '{}' is not {}",
                    r.row_number,
                    one_line(&r.column),
                    one_line(&r.value),
                    one_line(&r.expected)
                ));
            }
            (lines, true)
        }
        Ok(parsed) => (
            vec![format!(
                "# Warning: the file is still taken by source '{}' first.",
                parsed.source
            )],
            false,
        ),
        Err(e) => (
            vec![format!(
                "# Warning: with this suggestion the file still does not load: {}",
                one_line(&e.to_string())
            )],
            false,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn a_two_row_merged_header_is_found_below_a_title() {
        let config = Config::load(None).unwrap();
        let mut csv = String::from("回访统计表（2026年10月）,,,,,\n客户编号,回访日期,满意度评价,,,备注\n,,产品质量,安装服务,销售服务,\n");
        for i in 0..6 {
            csv.push_str(&format!(
                "K{i},2026-10-0{},{},{},{},\n",
                i + 1,
                1 + i % 5,
                5 - i % 5,
                3
            ));
        }
        let suggestion = suggest(&config, "回访_2026-10.csv", csv.as_bytes(), None).unwrap();
        let toml = &suggestion.toml;
        assert!(toml.contains("# Header: rows 2–3 (2 header rows"), "{toml}");
        assert!(toml.contains("header_rows = 2"), "{toml}");
        assert!(toml.contains("match = \"满意度评价 安装服务\""), "{toml}");
        assert!(toml.contains("customer_id = \"客户编号\""), "{toml}");
        assert!(toml.contains("submitted_at = \"回访日期\""), "{toml}");
        assert!(
            toml.contains("this file loads 6 respondents, 18 answers, 0 cells refused"),
            "{toml}"
        );
    }

    #[test]
    fn scales_are_guessed_from_the_values() {
        let config = Config::load(None).unwrap();
        let csv = "编号,日期,A题,B题,C题,D题\n\
                   1,2026-10-01,很满意,10,9,★★★\n\
                   2,2026-10-02,满意,8,0,★★★★★\n\
                   3,2026-10-03,一般,6,10,★\n\
                   4,2026-10-04,不满意,3,7,★★\n";
        let toml = suggest(&config, "x.csv", csv.as_bytes(), None)
            .unwrap()
            .toml;
        let scales: Vec<&str> = toml.lines().filter(|l| l.starts_with("scale = ")).collect();
        // Stubs come longest match first, then by column: A, B, C, D.
        assert_eq!(
            scales,
            vec![
                "scale = \"likert5\"",
                "scale = \"tier10\"",
                "scale = \"nps10\"",
                "scale = \"stars5\""
            ],
            "{toml}"
        );
    }

    #[test]
    fn random_sheets_give_a_suggestion_or_an_error_never_a_panic() {
        let vocabulary = [
            "序号",
            "提交时间",
            "满意度",
            "很满意",
            "不满意",
            "是",
            "否",
            "2026-10-01",
            "10/1/2026 1:00 PM",
            "5",
            "0",
            "10",
            "★★★",
            "",
            "",
            "备注",
            "客户编号",
            "=1+1",
            "\u{feff}",
            "é1",
            "门店",
            "-3",
        ];
        let config = Config::load(None).unwrap();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(17);
        for _ in 0..200 {
            let rows = rng.gen_range(0..12);
            let columns = rng.gen_range(1..8);
            let mut csv = String::new();
            for _ in 0..rows {
                let cells: Vec<&str> = (0..columns)
                    .map(|_| vocabulary[rng.gen_range(0..vocabulary.len())])
                    .collect();
                csv.push_str(&cells.join(","));
                csv.push('\n');
            }
            if let Ok(suggestion) = suggest(&config, "x.csv", csv.as_bytes(), None) {
                let parsed: Result<toml::Value, _> = toml::from_str(&suggestion.toml);
                assert!(parsed.is_ok(), "{csv}\n{}", suggestion.toml);
            }
        }
    }
}
