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

mod draft;
mod fields;
mod header;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use chrono::NaiveDate;

use crate::config::{Config, Scale, SourceKind};
use crate::ingest::sources::{self, disambiguate, normalize_header, strip_question_number};
use crate::ingest::table;

use draft::{
    left_out_lines, one_line, source_name, toml_string, verify, with_block, write_question_stubs,
};
use fields::{
    column_facts, field_words, guess_scale, is_generic, is_personal_or_metadata, scale_fit,
    ColumnFacts,
};
use header::{guess_header, non_blank};

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
    let zone = Some(config.company.zone());
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
                line(&mut out, format!("# No time column: each row takes the month {} from the sheet name.", month));
                line(&mut out, "month_from = \"sheet_name\"".to_string());
            }
            (_, Some(month)) => {
                line(&mut out, format!("# No time column: each row takes the month {} from the file name.", month));
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
    let other_lines = left_out_lines(&guesses, &labels, kind);
    if !other_lines.is_empty() {
        out.push('\n');
        for l in other_lines {
            line(&mut out, l);
        }
    }

    write_question_stubs(&mut out, config, &name, &guesses, &labels);

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
