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

/// How a canonical field is parsed, from its name.
#[derive(Clone, Copy)]
enum FieldType {
    /// `…_on`: a date (a time is dropped).
    Date,
    /// `…_at`: a date and time.
    DateTime,
    Severity,
    Month,
    /// `amount`, `gross_margin`.
    Number,
    PurchaseShare,
    /// `orders`, `sent`, `served`.
    WholeNumber,
    Channel,
    /// `reached`, `adopted`, `extended`.
    Bool,
    Department,
    Text,
}

impl FieldType {
    fn of(field: &str) -> FieldType {
        match field {
            f if f.ends_with("_on") => FieldType::Date,
            f if f.ends_with("_at") => FieldType::DateTime,
            "severity" => FieldType::Severity,
            "month" => FieldType::Month,
            "amount" | "gross_margin" => FieldType::Number,
            "purchase_share" => FieldType::PurchaseShare,
            "orders" | "sent" | "served" => FieldType::WholeNumber,
            "channel" => FieldType::Channel,
            "reached" | "adopted" | "extended" => FieldType::Bool,
            "department" => FieldType::Department,
            _ => FieldType::Text,
        }
    }
}

/// Parses field `field` of type `field_type`.
fn parse_field(
    config: &Config,
    field: &str,
    field_type: FieldType,
    cell: &Cell,
    dates: &answers::DateOptions,
) -> Result<FieldValue, String> {
    if cell.is_blank() {
        return Ok(FieldValue::Null);
    }
    let value = match field_type {
        FieldType::Date => FieldValue::Date(answers::parse_datetime_with(cell, dates)?.date()),
        FieldType::DateTime => FieldValue::DateTime(answers::parse_datetime_with(cell, dates)?),
        FieldType::Severity => FieldValue::Int(answers::parse_severity(cell)?),
        FieldType::Month => FieldValue::Text(answers::parse_month(cell, dates.system)?.to_string()),
        FieldType::Number => FieldValue::Float(answers::parse_number(cell)?),
        FieldType::PurchaseShare => {
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
        FieldType::WholeNumber => {
            let n = answers::parse_number(cell)?;
            if n.fract() != 0.0 || n < 0.0 {
                return Err(format!("a whole number ({field})"));
            }
            FieldValue::Int(n as i64)
        }
        FieldType::Channel => FieldValue::Text(normalize_channel(&cell.text())),
        FieldType::Bool => FieldValue::Bool(answers::parse_bool(cell)?),
        FieldType::Department => {
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
        FieldType::Text => match cell {
            Cell::Text(text) => FieldValue::Text(text.trim().to_string()),
            _ => FieldValue::Text(cell.text().trim().to_string()),
        },
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
    /// The kind's fields in order, each with its column and type, looked
    /// up once for all rows.
    plan: Vec<FieldPlan>,
    dates: answers::DateOptions,
}

struct FieldPlan {
    field: &'static str,
    required: bool,
    column: Option<usize>,
    field_type: FieldType,
}

impl<'a, 'c> RecordParser<'a, 'c> {
    pub(super) fn new(
        config: &'a Config,
        detected: &'a Detected<'c>,
        sheet: &Sheet,
        context: &FileContext,
    ) -> Result<RecordParser<'a, 'c>, IngestError> {
        let columns = field_columns(detected, sheet)?;
        let plan = detected
            .source
            .kind
            .fields()
            .iter()
            .map(|&(field, required)| FieldPlan {
                field,
                required,
                column: columns.get(field).copied(),
                field_type: FieldType::of(field),
            })
            .collect();
        Ok(RecordParser {
            config,
            detected,
            columns,
            plan,
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
        let header = |column: usize| header_text(sheet, self.detected.header_row, column);
        let row_number = row_index + 1;
        let mut values = Vec::with_capacity(self.plan.len());
        let mut row_ok = true;
        for plan in &self.plan {
            let value = match plan.column {
                Some(column) => {
                    let cell = cell_at(row, column);
                    match parse_field(self.config, plan.field, plan.field_type, cell, &self.dates) {
                        Ok(value) => value,
                        Err(expected) => {
                            parsed.rejected.push(RejectedCell {
                                sheet: sheet.name.clone(),
                                row_number,
                                column: header(column),
                                value: cell.text(),
                                expected,
                            });
                            row_ok = false;
                            continue;
                        }
                    }
                }
                None => FieldValue::Null,
            };
            if plan.required && value == FieldValue::Null {
                parsed.rejected.push(RejectedCell {
                    sheet: sheet.name.clone(),
                    row_number,
                    column: plan.column.map_or_else(|| plan.field.to_string(), header),
                    value: String::new(),
                    expected: format!("a value (the {} field is required)", plan.field),
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
