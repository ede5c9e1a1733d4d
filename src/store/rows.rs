//! Query results read by column name: a [`Row`] keeps its query's key and
//! column names, and its getters fail loudly ([`StoreError::Shape`]) when a
//! column is missing or holds another type than expected, so a reordered
//! or renamed SELECT is an error, never a silent zero.
//!
//! **Architecture Invariant:** positional access (`row[0]`) exists only
//! here, for code that prints every column; everything else reads by name.

use std::ops::Index;
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use duckdb::types::{TimeUnit, ValueRef};

use super::{bounded_text, StoreError};

/// A value read back from a query.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    /// NULL.
    Null,
    /// Any integer.
    Int(i64),
    /// Any floating or decimal number.
    Float(f64),
    /// Text.
    Text(String),
    /// Boolean.
    Bool(bool),
    /// A DuckDB DATE.
    Date(NaiveDate),
    /// A DuckDB TIMESTAMP (no time zone).
    Timestamp(NaiveDateTime),
}

impl SqlValue {
    /// As a date (a DATE value), `None` for anything else.
    pub fn as_date(&self) -> Option<NaiveDate> {
        match self {
            SqlValue::Date(d) => Some(*d),
            _ => None,
        }
    }

    /// As a float (integers widen), `None` for NULL or text.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            SqlValue::Int(i) => Some(*i as f64),
            SqlValue::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// As an integer, `None` for NULL, text or fractions.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            SqlValue::Int(i) => Some(*i),
            SqlValue::Float(f) if f.fract() == 0.0 => Some(*f as i64),
            _ => None,
        }
    }

    /// As text; numbers are printed, dates as `YYYY-MM-DD`, timestamps as
    /// `YYYY-MM-DD HH:MM:SS`.
    pub fn as_text(&self) -> Option<String> {
        match self {
            SqlValue::Null => None,
            SqlValue::Int(i) => Some(i.to_string()),
            SqlValue::Float(f) => Some(f.to_string()),
            SqlValue::Text(t) => Some(t.clone()),
            SqlValue::Bool(b) => Some(b.to_string()),
            SqlValue::Date(d) => Some(d.format("%Y-%m-%d").to_string()),
            SqlValue::Timestamp(t) => Some(t.format("%Y-%m-%d %H:%M:%S").to_string()),
        }
    }

    /// As a boolean, `None` unless boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            SqlValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// What the value is, for error messages.
    fn describe(&self) -> String {
        match self {
            SqlValue::Null => "NULL".to_string(),
            SqlValue::Int(i) => format!("the integer {i}"),
            SqlValue::Float(f) => format!("the number {f}"),
            SqlValue::Text(t) => format!("the text '{}'", t.chars().take(40).collect::<String>()),
            SqlValue::Bool(b) => format!("the boolean {b}"),
            SqlValue::Date(d) => format!("the date {d}"),
            SqlValue::Timestamp(t) => format!("the timestamp {t}"),
        }
    }
}

/// One row of a query's result: its values with the query's key and
/// column names. Read it with the typed getters (`row.f64("m")?`), which
/// name the query, the column and what was expected when they fail.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    query: Arc<str>,
    columns: Arc<[String]>,
    values: Vec<SqlValue>,
}

impl Row {
    /// A row of `query`'s result with these columns and values.
    pub(super) fn new(query: Arc<str>, columns: Arc<[String]>, values: Vec<SqlValue>) -> Row {
        Row {
            query,
            columns,
            values,
        }
    }

    /// The column names, in SELECT order.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The values, in SELECT order.
    pub fn values(&self) -> &[SqlValue] {
        &self.values
    }

    /// (column name, value) pairs in SELECT order, for code that handles
    /// every column alike (masking, printing).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &SqlValue)> {
        self.columns
            .iter()
            .map(String::as_str)
            .zip(self.values.iter())
    }

    /// The number of columns.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the row has no columns.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    fn shape(&self, message: String) -> StoreError {
        StoreError::Shape {
            query: self.query.to_string(),
            message,
        }
    }

    /// The raw value of `column`.
    ///
    /// # Errors
    /// No column of that name.
    pub fn value(&self, column: &str) -> Result<&SqlValue, StoreError> {
        self.columns
            .iter()
            .position(|c| c == column)
            .map(|index| &self.values[index])
            .ok_or_else(|| {
                self.shape(format!(
                    "no column '{column}' (the query returns {})",
                    self.columns.join(", ")
                ))
            })
    }

    /// Reads `column` with `read`; `None` (NULL) allowed when `nullable`.
    fn read<T>(
        &self,
        column: &str,
        expected: &str,
        nullable: bool,
        read: impl Fn(&SqlValue) -> Option<T>,
    ) -> Result<Option<T>, StoreError> {
        let value = self.value(column)?;
        if *value == SqlValue::Null && nullable {
            return Ok(None);
        }
        match read(value) {
            Some(v) => Ok(Some(v)),
            None => Err(self.shape(format!(
                "column '{column}': expected {expected}, found {}",
                value.describe()
            ))),
        }
    }

    fn required<T>(
        &self,
        column: &str,
        expected: &str,
        read: impl Fn(&SqlValue) -> Option<T>,
    ) -> Result<T, StoreError> {
        self.read(column, expected, false, read)
            .map(|v| v.expect("not nullable: read fails on NULL"))
    }

    /// A number (integers widen to floats).
    ///
    /// # Errors
    /// The column is missing, NULL or not a number.
    pub fn f64(&self, column: &str) -> Result<f64, StoreError> {
        self.required(column, "a number", SqlValue::as_f64)
    }

    /// A number or NULL.
    ///
    /// # Errors
    /// The column is missing or neither a number nor NULL.
    pub fn opt_f64(&self, column: &str) -> Result<Option<f64>, StoreError> {
        self.read(column, "a number or NULL", true, SqlValue::as_f64)
    }

    /// An integer.
    ///
    /// # Errors
    /// The column is missing, NULL or not an integer.
    pub fn i64(&self, column: &str) -> Result<i64, StoreError> {
        self.required(column, "an integer", as_integer)
    }

    /// An integer or NULL.
    ///
    /// # Errors
    /// The column is missing or neither an integer nor NULL.
    pub fn opt_i64(&self, column: &str) -> Result<Option<i64>, StoreError> {
        self.read(column, "an integer or NULL", true, as_integer)
    }

    /// Text.
    ///
    /// # Errors
    /// The column is missing, NULL or not text.
    pub fn text(&self, column: &str) -> Result<String, StoreError> {
        self.required(column, "text", as_text)
    }

    /// Text or NULL.
    ///
    /// # Errors
    /// The column is missing or neither text nor NULL.
    pub fn opt_text(&self, column: &str) -> Result<Option<String>, StoreError> {
        self.read(column, "text or NULL", true, as_text)
    }

    /// A date (a DATE value).
    ///
    /// # Errors
    /// The column is missing, NULL or not a DATE.
    pub fn date(&self, column: &str) -> Result<NaiveDate, StoreError> {
        self.required(column, "a date", SqlValue::as_date)
    }

    /// A date or NULL.
    ///
    /// # Errors
    /// The column is missing or neither a DATE nor NULL.
    pub fn opt_date(&self, column: &str) -> Result<Option<NaiveDate>, StoreError> {
        self.read(column, "a date or NULL", true, SqlValue::as_date)
    }

    /// A timestamp (a TIMESTAMP value).
    ///
    /// # Errors
    /// The column is missing, NULL or not a TIMESTAMP.
    pub fn timestamp(&self, column: &str) -> Result<NaiveDateTime, StoreError> {
        self.required(column, "a timestamp", as_timestamp)
    }

    /// A timestamp or NULL.
    ///
    /// # Errors
    /// The column is missing or neither a TIMESTAMP nor NULL.
    pub fn opt_timestamp(&self, column: &str) -> Result<Option<NaiveDateTime>, StoreError> {
        self.read(column, "a timestamp or NULL", true, as_timestamp)
    }

    /// A boolean.
    ///
    /// # Errors
    /// The column is missing, NULL or not a boolean.
    pub fn bool(&self, column: &str) -> Result<bool, StoreError> {
        self.required(column, "a boolean", SqlValue::as_bool)
    }

    /// A boolean or NULL.
    ///
    /// # Errors
    /// The column is missing or neither a boolean nor NULL.
    pub fn opt_bool(&self, column: &str) -> Result<Option<bool>, StoreError> {
        self.read(column, "a boolean or NULL", true, SqlValue::as_bool)
    }

    /// Text parsed into `T` (an enum read where the row is read).
    ///
    /// # Errors
    /// The column is missing, not text, or `T` does not know the text.
    pub fn parse<T: std::str::FromStr>(&self, column: &str) -> Result<T, StoreError> {
        let text = self.text(column)?;
        text.parse().map_err(|_| {
            self.shape(format!(
                "column '{column}': '{text}' is not a known {}",
                std::any::type_name::<T>()
                    .rsplit("::")
                    .next()
                    .unwrap_or("value")
            ))
        })
    }
}

/// Strict integer: an INTEGER/BIGINT value (not a float).
fn as_integer(value: &SqlValue) -> Option<i64> {
    match value {
        SqlValue::Int(i) => Some(*i),
        _ => None,
    }
}

/// Strict text: a VARCHAR value (not a number printed).
fn as_text(value: &SqlValue) -> Option<String> {
    match value {
        SqlValue::Text(t) => Some(t.clone()),
        _ => None,
    }
}

fn as_timestamp(value: &SqlValue) -> Option<NaiveDateTime> {
    match value {
        SqlValue::Timestamp(t) => Some(*t),
        _ => None,
    }
}

/// Positional access, for code that handles every column alike.
impl Index<usize> for Row {
    type Output = SqlValue;

    fn index(&self, index: usize) -> &SqlValue {
        &self.values[index]
    }
}

impl PartialEq<Vec<SqlValue>> for Row {
    fn eq(&self, other: &Vec<SqlValue>) -> bool {
        self.values == *other
    }
}

/// Days since 1970-01-01 as a date.
fn epoch_days(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|epoch| epoch.checked_add_signed(chrono::Duration::days(i64::from(days))))
}

/// Microseconds since 1970-01-01 00:00 as a timestamp.
fn epoch_micros(micros: i64) -> Option<NaiveDateTime> {
    chrono::DateTime::from_timestamp_micros(micros).map(|t| t.naive_utc())
}

/// One value of an Arrow column of a streamed result: text, integers,
/// floats, booleans and dates (what the streamed queries select).
pub(super) fn arrow_value(
    column: &arrow::array::ArrayRef,
    index: usize,
) -> Result<SqlValue, String> {
    use arrow::array::{
        Array, BooleanArray, Date32Array, Float64Array, Int32Array, Int64Array, LargeStringArray,
        StringArray, StringViewArray,
    };
    use arrow::datatypes::DataType;
    if column.is_null(index) {
        return Ok(SqlValue::Null);
    }
    fn downcast<T: 'static>(column: &arrow::array::ArrayRef) -> Result<&T, String> {
        column
            .as_any()
            .downcast_ref::<T>()
            .ok_or_else(|| format!("a column of type {} did not read", column.data_type()))
    }
    Ok(match column.data_type() {
        DataType::Utf8 => SqlValue::Text(downcast::<StringArray>(column)?.value(index).to_string()),
        DataType::LargeUtf8 => SqlValue::Text(
            downcast::<LargeStringArray>(column)?
                .value(index)
                .to_string(),
        ),
        DataType::Utf8View => SqlValue::Text(
            downcast::<StringViewArray>(column)?
                .value(index)
                .to_string(),
        ),
        DataType::Int64 => SqlValue::Int(downcast::<Int64Array>(column)?.value(index)),
        DataType::Int32 => SqlValue::Int(i64::from(downcast::<Int32Array>(column)?.value(index))),
        DataType::Float64 => SqlValue::Float(downcast::<Float64Array>(column)?.value(index)),
        DataType::Boolean => SqlValue::Bool(downcast::<BooleanArray>(column)?.value(index)),
        DataType::Date32 => {
            let days = downcast::<Date32Array>(column)?.value(index);
            epoch_days(days)
                .map(SqlValue::Date)
                .ok_or_else(|| format!("the date {days} (days since 1970) is out of range"))?
        }
        DataType::Timestamp(unit, _) => {
            use arrow::array::{
                TimestampMicrosecondArray, TimestampMillisecondArray, TimestampNanosecondArray,
                TimestampSecondArray,
            };
            use arrow::datatypes::TimeUnit as ArrowUnit;
            let micros = match unit {
                ArrowUnit::Second => {
                    downcast::<TimestampSecondArray>(column)?.value(index) * 1_000_000
                }
                ArrowUnit::Millisecond => {
                    downcast::<TimestampMillisecondArray>(column)?.value(index) * 1_000
                }
                ArrowUnit::Microsecond => {
                    downcast::<TimestampMicrosecondArray>(column)?.value(index)
                }
                ArrowUnit::Nanosecond => {
                    downcast::<TimestampNanosecondArray>(column)?.value(index) / 1_000
                }
            };
            epoch_micros(micros)
                .map(SqlValue::Timestamp)
                .ok_or_else(|| format!("the timestamp {micros} (µs since 1970) is out of range"))?
        }
        other => return Err(format!("a column of type {other} is not read by csat")),
    })
}

pub(super) fn sql_value(value: ValueRef<'_>) -> SqlValue {
    match value {
        ValueRef::Null => SqlValue::Null,
        ValueRef::Boolean(b) => SqlValue::Bool(b),
        ValueRef::TinyInt(i) => SqlValue::Int(i.into()),
        ValueRef::SmallInt(i) => SqlValue::Int(i.into()),
        ValueRef::Int(i) => SqlValue::Int(i.into()),
        ValueRef::BigInt(i) => SqlValue::Int(i),
        // Beyond 64 bits: a float, which an integer read refuses loudly.
        ValueRef::HugeInt(i) => i64::try_from(i).map_or(SqlValue::Float(i as f64), SqlValue::Int),
        ValueRef::UTinyInt(i) => SqlValue::Int(i.into()),
        ValueRef::USmallInt(i) => SqlValue::Int(i.into()),
        ValueRef::UInt(i) => SqlValue::Int(i.into()),
        ValueRef::UBigInt(i) => i64::try_from(i).map_or(SqlValue::Float(i as f64), SqlValue::Int),
        ValueRef::Float(f) => SqlValue::Float(f.into()),
        ValueRef::Double(f) => SqlValue::Float(f),
        ValueRef::Decimal(d) => {
            let text = d.to_string();
            // A decimal f64 cannot hold reads as its text (and fails as a number).
            text.parse()
                .map(SqlValue::Float)
                .unwrap_or(SqlValue::Text(text))
        }
        ValueRef::Text(t) => SqlValue::Text(bounded_text(String::from_utf8_lossy(t).into_owned())),
        ValueRef::Date32(days) => epoch_days(days).map_or(SqlValue::Null, SqlValue::Date),
        ValueRef::Timestamp(unit, value) => {
            epoch_micros(timestamp_micros(unit, value)).map_or(SqlValue::Null, SqlValue::Timestamp)
        }
        // Types csat does not select (intervals, lists …) read as their
        // debug text: a typed getter rejects them by name.
        other => SqlValue::Text(format!("{other:?}")),
    }
}

fn timestamp_micros(unit: TimeUnit, value: i64) -> i64 {
    unit.to_micros(value)
}
