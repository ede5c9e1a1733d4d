//! Record kinds (complaints, sales, customers, …) and callbacks' fields: one
//! typed row per data row, each field parsed by the type its name implies.

use std::collections::BTreeMap;

use crate::config::{Config, SourceKind};

use super::answers;
use super::sources::{find_column, Detected};
use super::table::{Cell, Sheet};
use super::{cell_at, header_text, FieldValue, FileContext, IngestError, ParsedFile, RejectedCell};

/// The column of every mapped field; errors when the column of a required
/// field is absent (optional fields without a column are left empty).
pub(super) fn field_columns(
    detected: &Detected,
    sheet: &Sheet,
) -> Result<BTreeMap<String, usize>, IngestError> {
    let mut columns = BTreeMap::new();
    for (field, header) in &detected.source.fields {
        match find_column(&detected.headers, header) {
            Some(column) => {
                columns.insert(field.clone(), column);
            }
            None if !is_required(detected.source.kind, field) => {}
            None => {
                return Err(IngestError::MissingColumn {
                    sheet: sheet.name.clone(),
                    row: detected.header_row + 1,
                    source_name: detected.source.name.clone(),
                    field: field.clone(),
                    column: header.clone(),
                })
            }
        }
    }
    Ok(columns)
}

fn is_required(kind: SourceKind, field: &str) -> bool {
    kind.fields()
        .iter()
        .any(|(f, required)| *f == field && *required)
}

/// The type a canonical field is parsed as, from its name.
fn parse_field(
    config: &Config,
    field: &str,
    cell: &Cell,
    dates: &answers::DateOptions,
) -> Result<FieldValue, String> {
    if cell.is_blank() {
        return Ok(FieldValue::Null);
    }
    let value = match field {
        f if f.ends_with("_on") => {
            FieldValue::Date(answers::parse_datetime_with(cell, dates)?.date())
        }
        f if f.ends_with("_at") => FieldValue::DateTime(answers::parse_datetime_with(cell, dates)?),
        "severity" => FieldValue::Int(answers::parse_severity(cell)?),
        "month" => FieldValue::Text(answers::parse_month(cell, dates.system)?.to_string()),
        "amount" | "gross_margin" => FieldValue::Float(answers::parse_number(cell)?),
        "purchase_share" => {
            let text = cell.text();
            let n =
                answers::parse_number(&Cell::Text(text.trim().trim_end_matches('%').to_string()))?;
            // 0.35 in a percent-formatted cell is 35 %.
            FieldValue::Float(if matches!(cell, Cell::Number(_)) && n <= 1.0 {
                n * 100.0
            } else {
                n
            })
        }
        "orders" | "sent" | "served" => {
            let n = answers::parse_number(cell)?;
            if n.fract() != 0.0 || n < 0.0 {
                return Err(format!("a whole number ({field})"));
            }
            FieldValue::Int(n as i64)
        }
        "channel" => FieldValue::Text(normalize_channel(&cell.text())),
        "reached" | "adopted" | "extended" => FieldValue::Bool(answers::parse_bool(cell)?),
        "department" => {
            let text = cell.text();
            match config.department_key(&text) {
                Some(key) => FieldValue::Text(key.to_string()),
                None => {
                    let names: Vec<&str> =
                        config.departments.iter().map(|d| d.name.as_str()).collect();
                    return Err(format!(
                        "a department of the configuration ({})",
                        names.join("、")
                    ));
                }
            }
        }
        _ => FieldValue::Text(cell.text().trim().to_string()),
    };
    Ok(value)
}

/// A channel as the store names it: 问卷/questionnaire → `questionnaire`;
/// a callback type (安装回访) → `callback:安装回访`; others as written.
fn normalize_channel(text: &str) -> String {
    let text = text.trim();
    match text {
        "" | "问卷" | "问卷调查" | "questionnaire" => "questionnaire".to_string(),
        t if t.starts_with("callback:") || t.starts_with("visit") => t.to_string(),
        t if t.contains("回访") => format!("callback:{t}"),
        t if t.contains("走访") || t.contains("访谈") => "visit".to_string(),
        t => t.to_string(),
    }
}

/// Record kinds (and callbacks' fields): one typed row per data row.
pub(super) struct RecordParser<'a, 'c> {
    config: &'a Config,
    detected: &'a Detected<'c>,
    pub(super) columns: BTreeMap<String, usize>,
    dates: answers::DateOptions,
}

impl<'a, 'c> RecordParser<'a, 'c> {
    pub(super) fn new(
        config: &'a Config,
        detected: &'a Detected<'c>,
        sheet: &Sheet,
        context: &FileContext,
    ) -> Result<RecordParser<'a, 'c>, IngestError> {
        Ok(RecordParser {
            config,
            detected,
            columns: field_columns(detected, sheet)?,
            dates: context.dates,
        })
    }

    /// Parses data row `row_index` (0-based) of `sheet` (whose head holds
    /// the header rows) into `parsed`.
    pub(super) fn row(
        &self,
        sheet: &Sheet,
        row_index: usize,
        row: &[Cell],
        parsed: &mut ParsedFile,
    ) {
        let (config, detected, columns) = (self.config, self.detected, &self.columns);
        let kind = detected.source.kind;
        let row_number = row_index + 1;
        let mut values = Vec::with_capacity(kind.fields().len());
        let mut row_ok = true;
        for (field, required) in kind.fields() {
            let (value, column_name) = match columns.get(*field) {
                Some(&column) => {
                    let cell = cell_at(row, column);
                    let header = header_text(sheet, detected.header_row, column);
                    match parse_field(config, field, cell, &self.dates) {
                        Ok(value) => (value, header),
                        Err(expected) => {
                            parsed.rejected.push(RejectedCell {
                                sheet: sheet.name.clone(),
                                row_number,
                                column: header,
                                value: cell.text(),
                                expected,
                            });
                            row_ok = false;
                            continue;
                        }
                    }
                }
                None => (FieldValue::Null, field.to_string()),
            };
            if *required && value == FieldValue::Null {
                parsed.rejected.push(RejectedCell {
                    sheet: sheet.name.clone(),
                    row_number,
                    column: column_name,
                    value: String::new(),
                    expected: format!("a value (the {} field is required)", field),
                });
                row_ok = false;
            }
            values.push(value);
        }
        if row_ok {
            parsed.records.push(values);
            parsed.record_rows.push(row_number);
        }
    }
}
