//! Survey and callback files: one response per row, its answers in long
//! form (mapped questions scored on their scale, the rest listed).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::NaiveDateTime;

use crate::config::{Config, Question, Scale, SourceKind};

use super::records::field_columns;
use super::sources::{self, strip_question_number, Detected};
use super::table::{Cell, Sheet};
use super::{answers, column_label, month_in_names};
use super::{
    cell_at, header_text, Answer, FileContext, IngestError, ParsedFile, RejectedCell, Response,
};

/// Columns that survey tools put after the questions and that are not
/// sub-items of the last question (normalised header text).
fn is_metadata_header(normalized: &str) -> bool {
    const METADATA: &[&str] = &[
        "总分",
        "得分",
        "总得分",
        "测试得分",
        "所用时间",
        "答题时长",
        "来源",
        "来源详情",
        "来自ip",
        "ip",
        "ip地址",
        "地理位置",
        "备注",
        "昵称",
        "用户标识",
    ];
    METADATA.contains(&normalized)
}

/// A question column of a survey or callback file.
pub(super) struct QuestionColumn<'c> {
    pub(super) column: usize,
    pub(super) header: String,
    pub(super) question: Option<&'c Question>,
    /// The header and the question key once, shared by the column's answers.
    shared_header: Arc<str>,
    shared_key: Option<Arc<str>>,
}

/// Survey and callback files: responses and long-form answers.
pub(super) struct ResponseParser<'a, 'c> {
    detected: &'a Detected<'c>,
    pub(super) columns: BTreeMap<String, usize>,
    pub(super) question_columns: Vec<QuestionColumn<'a>>,
    at_field: &'static str,
    /// The columns of the fields a row reads, looked up once for all rows.
    fields: FieldColumns,
    /// The month of rows without a time, from the sheet or file name.
    /// The first moment of the month the names give, for rows without a time.
    name_month: Option<NaiveDateTime>,
    /// How refused cells name their column.
    labels: Vec<String>,
    dates: answers::DateOptions,
    /// The ids seen so far, as 64-bit hashes (SipHash with fixed keys, so
    /// runs are repeatable): a file of millions of rows keeps 8 bytes per
    /// id, not the id.
    seen_ids: std::collections::HashSet<u64>,
}

impl<'a, 'c> ResponseParser<'a, 'c> {
    /// Finds the question columns (and sets the file's unmapped questions
    /// and question numbers in `parsed`). `sheet` is the sheet's head (its
    /// header rows), `header_grid` its header rows with merged group cells
    /// filled in.
    pub(super) fn new(
        config: &'a Config,
        detected: &'a Detected<'c>,
        sheet: &Sheet,
        header_grid: &[Vec<String>],
        context: &FileContext,
        parsed: &mut ParsedFile,
    ) -> Result<ResponseParser<'a, 'c>, IngestError> {
        let columns = field_columns(detected, sheet)?;
        let source = detected.source;
        let field_column_set: BTreeSet<usize> = columns.values().copied().collect();
        let width = header_grid
            .iter()
            .map(Vec::len)
            .max()
            .unwrap_or(0)
            .max(detected.headers.len());

        // Each question's match text, normalised once.
        let question_matches: Vec<(&Question, String)> = config
            .questions
            .iter()
            .filter(|q| q.source.as_ref().is_none_or(|s| *s == source.name))
            .map(|q| (q, sources::normalize_header(&q.match_text)))
            .collect();
        let not_questions: Vec<String> = source
            .not_questions
            .iter()
            .map(|h| sources::normalize_header(h))
            .collect();
        let mut question_columns: Vec<QuestionColumn> = Vec::new();
        for column in 0..width {
            // The first header row, a merged group's text filled in.
            let first_row_header = header_grid
                .first()
                .and_then(|row| row.get(column))
                .cloned()
                .unwrap_or_default();
            let normalized = match detected.headers.get(column) {
                Some(h) if !h.is_empty() => h.clone(),
                _ => sources::normalize_header(&first_row_header),
            };
            // Multi-row headers (Qualtrics, SurveyMonkey): the question is the
            // code and the text below it, e.g. "Q3_1 How satisfied …".
            let mut header = column_label(header_grid, &detected.headers, column);
            if field_column_set.contains(&column) || header.is_empty() {
                continue;
            }
            let normalized = if normalized.is_empty() {
                sources::normalize_header(&header)
            } else {
                normalized
            };
            let normalized = normalized.as_str();
            // A matrix question's sub-items may follow its first column as bare
            // columns: "5、请评价以下方面—送货速度", "安装质量", … Each becomes
            // "5、请评价以下方面—安装质量".
            let follows_question = question_columns
                .last()
                .is_some_and(|q| q.column + 1 == column);
            if source.kind == SourceKind::Survey
                && source.question_columns.is_none()
                && source.header_rows <= 1
                && follows_question
                && strip_question_number(&first_row_header).1.is_none()
                && !is_metadata_header(normalized)
            {
                let previous = &question_columns.last().expect("follows a question").header;
                let stem = previous
                    .split_once('—')
                    .map_or(previous.as_str(), |(stem, _)| stem);
                header = format!("{stem}—{}", first_row_header.trim());
            }
            let label = sources::normalize_header(&header);
            let question = question_matches
                .iter()
                .find(|(_, wanted)| {
                    normalized.contains(wanted.as_str()) || label.contains(wanted.as_str())
                })
                .map(|(q, _)| *q);
            let excluded = not_questions.iter().any(|h| h == normalized || *h == label);
            let is_question_column = !excluded
                && match &source.question_columns {
                    Some(pattern) => sources::name_matches(pattern, &first_row_header),
                    None => strip_question_number(&header).1.is_some(),
                };
            if question.is_some() || (source.kind == SourceKind::Survey && is_question_column) {
                if question.is_none() {
                    parsed.unmapped_questions.push(header.clone());
                }
                question_columns.push(QuestionColumn {
                    column,
                    shared_header: Arc::from(header.as_str()),
                    shared_key: question.map(|q| Arc::from(q.key.as_str())),
                    header,
                    question,
                });
            }
        }

        if source.kind == SourceKind::Survey {
            let numbers: Option<BTreeSet<u32>> = question_columns
                .iter()
                .map(|q| strip_question_number(&q.header).1)
                .collect();
            parsed.question_numbers = numbers
                .unwrap_or_default()
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(",");
        }

        let (id_field, at_field) = match source.kind {
            SourceKind::Callback => ("callback_id", "called_at"),
            _ => ("respondent_id", "submitted_at"),
        };
        let name_month = month_in_names(
            &sheet.name,
            context.file_name,
            source.month_from,
            context.today,
        )
        .map(|month| month.first_day().and_time(chrono::NaiveTime::MIN));
        // Refused cells name their column by its header cell, or by its whole
        // label when the cell is empty or shared with a merged group.
        let first_row = header_grid.first().cloned().unwrap_or_default();
        let mut first_row_counts: BTreeMap<&str, usize> = BTreeMap::new();
        for text in &first_row {
            *first_row_counts.entry(text.as_str()).or_default() += 1;
        }
        let labels: Vec<String> = (0..width.max(1))
            .map(|c| {
                let own = header_text(sheet, detected.header_row, c);
                let shared = first_row.get(c).is_some_and(|text| {
                    !text.is_empty() && first_row_counts.get(text.as_str()).is_some_and(|n| *n > 1)
                });
                if own.is_empty() || shared {
                    column_label(header_grid, &detected.headers, c)
                } else {
                    own
                }
            })
            .collect();
        let column = |field: &str| columns.get(field).copied();
        let fields = FieldColumns {
            id: column(id_field),
            at: column(at_field),
            callback_type: column("callback_type"),
            reached: column("reached"),
            duration: column("duration"),
            customer_id: column("customer_id"),
            dealer: column("dealer"),
        };
        Ok(ResponseParser {
            detected,
            fields,
            columns,
            question_columns,
            at_field,
            name_month,
            labels,
            dates: context.dates,
            seen_ids: std::collections::HashSet::new(),
        })
    }

    /// Parses data row `row_index` (0-based) of `sheet` (whose head holds
    /// the header rows) into `parsed`.
    pub(super) fn row(
        &mut self,
        sheet: &Sheet,
        row_index: usize,
        row: &[Cell],
        parsed: &mut ParsedFile,
    ) {
        let (detected, fields) = (self.detected, &self.fields);
        let (at_field, name_month) = (self.at_field, self.name_month);
        let labels = &self.labels;
        let source = detected.source;
        let seen_ids = &mut self.seen_ids;
        let question_columns = &self.question_columns;
        let row_number = row_index + 1;
        let reject = |parsed: &mut ParsedFile, column: usize, expected: String| {
            parsed.rejected.push(RejectedCell {
                sheet: sheet.name.clone(),
                row_number,
                column: labels.get(column).cloned().unwrap_or_default(),
                value: cell_at(row, column).text(),
                expected,
            });
        };
        // Without an id column (Google Forms, hand-made sheets) the row
        // number identifies the respondent within the file.
        let response_id = match fields.id {
            None => format!("row-{row_number}"),
            Some(id_column) => {
                let id = cell_at(row, id_column).text().trim().to_string();
                if id.is_empty() {
                    reject(parsed, id_column, "a respondent id".to_string());
                    return;
                }
                let hash = {
                    use std::hash::{Hash, Hasher};
                    let mut hasher = std::hash::DefaultHasher::new();
                    id.hash(&mut hasher);
                    hasher.finish()
                };
                if !seen_ids.insert(hash) {
                    reject(
                        parsed,
                        id_column,
                        "an id not used by an earlier row of this file".to_string(),
                    );
                    return;
                }
                id
            }
        };
        let at_column = fields.at;
        let at_cell = at_column.map_or(&Cell::Empty, |c| cell_at(row, c));
        let submitted_at = match answers::parse_datetime_with(at_cell, &self.dates) {
            Ok(at) => at,
            Err(expected) => {
                let blank = at_cell.is_blank();
                // Unreached callbacks have no call time; they carry no answers.
                if source.kind == SourceKind::Callback && blank && at_column.is_some() {
                    return;
                }
                // Without a time (no column, or the cell blanked by the
                // export) the month in the sheet or file name counts.
                match (blank, name_month, at_column) {
                    (true, Some(month_start), _) => month_start,
                    (_, _, Some(at_column)) => {
                        let expected = if blank {
                            format!("{expected} (or a month like 2026-10 in the file name)")
                        } else {
                            expected
                        };
                        reject(parsed, at_column, expected);
                        return;
                    }
                    // No column: the cell counts as blank.
                    (_, _, None) => {
                        parsed.rejected.push(RejectedCell {
                            sheet: sheet.name.clone(),
                            row_number,
                            column: format!("{at_field} (no column)"),
                            value: String::new(),
                            expected: "a month in the sheet or file name (2026-10, 202610, 2610, 2026年10月 or 10月), since the source maps no time column".to_string(),
                        });
                        return;
                    }
                }
            }
        };
        let optional_text = |column: Option<usize>| {
            column
                .map(|c| match cell_at(row, c) {
                    Cell::Text(text) => text.trim().to_string(),
                    cell => cell.text().trim().to_string(),
                })
                .filter(|t| !t.is_empty())
        };
        let channel = match source.kind {
            SourceKind::Callback => format!(
                "callback:{}",
                optional_text(fields.callback_type).unwrap_or_default()
            ),
            _ => source
                .channel
                .clone()
                .unwrap_or_else(|| "questionnaire".to_string()),
        };
        if source.kind == SourceKind::Callback {
            let reached = fields
                .reached
                .map(|c| answers::parse_bool(cell_at(row, c)).unwrap_or(false))
                .unwrap_or(true);
            if !reached {
                return;
            }
        }
        // How long it took is metadata: a bad value is reported, the
        // response still loads.
        let duration_seconds = match fields.duration.map(|c| (c, cell_at(row, c))) {
            Some((column, cell)) if !cell.is_blank() => match answers::parse_duration(cell) {
                Ok(seconds) => Some(seconds),
                Err(expected) => {
                    reject(parsed, column, expected);
                    None
                }
            },
            _ => None,
        };
        parsed.responses.push(Response {
            response_id: response_id.clone(),
            channel,
            submitted_at,
            customer_id: optional_text(fields.customer_id),
            dealer: optional_text(fields.dealer)
                .map(|d| answers::without_option_letter(&d).to_string()),
            duration_seconds,
            row_number,
        });
        for question_column in question_columns {
            let cell = cell_at(row, question_column.column);
            let (question_key, value) = match question_column.question {
                Some(question) => match parse_scored(source, question.scale, cell) {
                    Ok(value) => (question_column.shared_key.clone(), value),
                    Err(expected) => {
                        reject(parsed, question_column.column, expected);
                        continue;
                    }
                },
                None => (None, lenient_value(cell)),
            };
            // A free-text answer that says nothing (无, 没有, /, N/A …) is
            // stored like any other cell holding data (none disappears
            // silently) and is no comment: the comment topics drop it
            // ([comments] placeholders, analysis/comments.rs).
            if cell.is_blank() {
                continue;
            }
            parsed.answers.push(Answer {
                response_row: row_number,
                question_key,
                question_text: question_column.shared_header.clone(),
                raw_text: cell.text(),
                value,
            });
        }
    }
}

/// The columns of the fields a response row reads.
struct FieldColumns {
    id: Option<usize>,
    at: Option<usize>,
    callback_type: Option<usize>,
    reached: Option<usize>,
    duration: Option<usize>,
    customer_id: Option<usize>,
    dealer: Option<usize>,
}

/// Parses a mapped answer as the source exports it (labels or option numbers).
fn parse_scored(
    source: &crate::config::Source,
    scale: Scale,
    cell: &Cell,
) -> Result<Option<f64>, String> {
    match source.answers {
        crate::config::AnswerExport::Text => answers::parse_answer(scale, cell),
        crate::config::AnswerExport::Ordinal => {
            answers::parse_ordinal(scale, cell, source.best_option_first)
        }
    }
}

/// The numeric value of an unmapped answer, when there is one.
fn lenient_value(cell: &Cell) -> Option<f64> {
    answers::parse_answer(Scale::Likert5, cell)
        .ok()
        .flatten()
        .or_else(|| answers::parse_answer(Scale::Nps10, cell).ok().flatten())
}
