//! Query results: values read back from DuckDB.

use chrono::NaiveDate;
use duckdb::types::ValueRef;

use super::bounded_text;

/// A value read back from a query.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    /// NULL.
    Null,
    /// Any integer.
    Int(i64),
    /// Any floating or decimal number.
    Float(f64),
    /// Text (dates are cast to text in the SQL).
    Text(String),
    /// Boolean.
    Bool(bool),
}

impl SqlValue {
    /// As a date, from text `YYYY-MM-DD` (the SQL casts dates to text).
    pub fn as_date(&self) -> Option<NaiveDate> {
        match self {
            SqlValue::Text(t) => NaiveDate::parse_from_str(t, "%Y-%m-%d").ok(),
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

    /// As text; numbers are printed.
    pub fn as_text(&self) -> Option<String> {
        match self {
            SqlValue::Null => None,
            SqlValue::Int(i) => Some(i.to_string()),
            SqlValue::Float(f) => Some(f.to_string()),
            SqlValue::Text(t) => Some(t.clone()),
            SqlValue::Bool(b) => Some(b.to_string()),
        }
    }

    /// As a boolean, `None` unless boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            SqlValue::Bool(b) => Some(*b),
            _ => None,
        }
    }
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
            match NaiveDate::from_ymd_opt(1970, 1, 1)
                .and_then(|epoch| epoch.checked_add_signed(chrono::Duration::days(i64::from(days))))
            {
                Some(date) => SqlValue::Text(date.format("%Y-%m-%d").to_string()),
                None => SqlValue::Null,
            }
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
        ValueRef::HugeInt(i) => SqlValue::Int(i as i64),
        ValueRef::UTinyInt(i) => SqlValue::Int(i.into()),
        ValueRef::USmallInt(i) => SqlValue::Int(i.into()),
        ValueRef::UInt(i) => SqlValue::Int(i.into()),
        ValueRef::UBigInt(i) => SqlValue::Int(i as i64),
        ValueRef::Float(f) => SqlValue::Float(f.into()),
        ValueRef::Double(f) => SqlValue::Float(f),
        ValueRef::Decimal(d) => SqlValue::Float(d.to_string().parse().unwrap_or(f64::NAN)),
        ValueRef::Text(t) => SqlValue::Text(bounded_text(String::from_utf8_lossy(t).into_owned())),
        other => SqlValue::Text(format!("{other:?}")),
    }
}
