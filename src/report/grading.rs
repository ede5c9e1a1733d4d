//! The grading workbook: every customer's criteria, score, old and new
//! grade, payment terms, policy and reasons (客户分级), and the rules used
//! (评分规则). Creation time fixed from the as-of date.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, Worksheet};

use super::workbook::{print_setup, table_header, Formats};
use super::RenderError;
use crate::analysis::grading::{Change, Grading};
use crate::config::GradingSettings;

/// Customers sheet name.
pub const SHEET_GRADES: &str = "客户分级";
/// Rules sheet name.
pub const SHEET_RULES: &str = "评分规则";

/// Renders a grading.
///
/// # Errors
/// rust_xlsxwriter refuses something.
pub fn render_grading_workbook(
    grading: &Grading,
    rules: &GradingSettings,
) -> Result<Vec<u8>, RenderError> {
    use chrono::Datelike;
    let formats = Formats::new(super::labels::Lang::Zh);
    let mut workbook = Workbook::new();
    let created = ExcelDateTime::from_ymd(
        grading.as_of.year() as u16,
        grading.as_of.month() as u8,
        grading.as_of.day() as u8,
    )?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title(format!("客户分级 {}", grading.as_of))
            .set_author("csat")
            .set_creation_datetime(&created),
    );
    grades_sheet(workbook.add_worksheet(), grading, &formats)?;
    rules_sheet(workbook.add_worksheet(), grading, rules, &formats)?;
    Ok(workbook.save_to_buffer()?)
}

fn grades_sheet(
    sheet: &mut Worksheet,
    grading: &Grading,
    formats: &Formats,
) -> Result<(), RenderError> {
    sheet.set_name(SHEET_GRADES)?;
    let criteria: Vec<String> = grading
        .customers
        .first()
        .map(|c| {
            c.criteria
                .iter()
                .map(|k| format!("{}（{}）", k.name, k.weight))
                .collect()
        })
        .unwrap_or_default();
    let mut headers: Vec<(&str, f64)> = vec![
        ("客户编号", 10.0),
        ("客户名称", 16.0),
        ("类型", 8.0),
        ("合作月数", 8.0),
        ("得分", 8.0),
        ("排名", 6.0),
        ("原等级", 7.0),
        ("新等级", 7.0),
        ("变化", 7.0),
        ("付款条件按", 9.0),
    ];
    headers.extend(criteria.iter().map(|c| (c.as_str(), 12.0)));
    headers.extend([
        ("价格政策", 14.0),
        ("付款条件", 18.0),
        ("交期（天）", 9.0),
        ("拜访频率", 10.0),
        ("风险", 6.0),
        ("原因", 60.0),
    ]);
    table_header(sheet, &headers, formats)?;
    for (index, customer) in grading.customers.iter().enumerate() {
        let row = 1 + index as u32;
        sheet.write_string_with_format(row, 0, &customer.customer_id, &formats.text)?;
        sheet.write_string_with_format(row, 1, &customer.name, &formats.text)?;
        sheet.write_string_with_format(
            row,
            2,
            customer.customer_type.as_deref().unwrap_or(""),
            &formats.text,
        )?;
        sheet.write_number_with_format(
            row,
            3,
            customer.months_of_business as f64,
            &formats.integer,
        )?;
        match customer.score {
            Some(score) => sheet.write_number_with_format(row, 4, score, &formats.one_decimal)?,
            None => sheet.write_string_with_format(row, 4, "—", &formats.text)?,
        };
        match customer.rank {
            Some(rank) => sheet.write_number_with_format(row, 5, rank as f64, &formats.integer)?,
            None => sheet.write_string_with_format(row, 5, "暂定", &formats.text)?,
        };
        sheet.write_string_with_format(
            row,
            6,
            customer.old_grade.as_deref().unwrap_or("—"),
            &formats.text,
        )?;
        let (change, format) = match customer.change {
            Change::Up => ("升级", &formats.met),
            Change::Down => ("降级", &formats.missed),
            Change::Same => ("不变", &formats.text),
            Change::New => ("新定级", &formats.text),
        };
        sheet.write_string_with_format(row, 7, &customer.grade, format)?;
        sheet.write_string_with_format(row, 8, change, format)?;
        let terms_format = if customer.payment_terms_grade != customer.grade {
            &formats.missed
        } else {
            &formats.text
        };
        sheet.write_string_with_format(row, 9, &customer.payment_terms_grade, terms_format)?;
        let mut column = 10u16;
        for criterion in &customer.criteria {
            sheet.write_number_with_format(row, column, criterion.points, &formats.integer)?;
            column += 1;
        }
        let policy = customer.policy.as_ref();
        sheet.write_string_with_format(
            row,
            column,
            policy.map(|p| p.price.as_str()).unwrap_or(""),
            &formats.text,
        )?;
        sheet.write_string_with_format(
            row,
            column + 1,
            customer.payment_terms.as_deref().unwrap_or(""),
            &formats.text,
        )?;
        match policy {
            Some(p) => sheet.write_number_with_format(
                row,
                column + 2,
                p.lead_time_days as f64,
                &formats.integer,
            )?,
            None => sheet.write_string_with_format(row, column + 2, "", &formats.text)?,
        };
        sheet.write_string_with_format(
            row,
            column + 3,
            policy.map(|p| p.visits.as_str()).unwrap_or(""),
            &formats.text,
        )?;
        if customer.at_risk {
            sheet.write_string_with_format(row, column + 4, "是", &formats.missed)?;
        } else {
            sheet.write_string_with_format(row, column + 4, "", &formats.text)?;
        }
        sheet.write_string_with_format(
            row,
            column + 5,
            customer.reasons.join("；"),
            &formats.text,
        )?;
    }
    let last = grading.customers.len() as u32;
    sheet.set_freeze_panes(1, 2)?;
    if last > 0 {
        sheet.autofilter(0, 0, last, (headers.len() - 1) as u16)?;
    }
    sheet.write_string(last + 2, 0, &grading.boundary_rule)?;
    print_setup(sheet, 0)
}

fn rules_sheet(
    sheet: &mut Worksheet,
    grading: &Grading,
    rules: &GradingSettings,
    formats: &Formats,
) -> Result<(), RenderError> {
    sheet.set_name(SHEET_RULES)?;
    table_header(
        sheet,
        &[
            ("规则", 14.0),
            ("度量", 16.0),
            ("权重", 8.0),
            ("分档（下限 → 分数）", 60.0),
        ],
        formats,
    )?;
    let mut row = 1;
    for criterion in &rules.criteria {
        let bands = if criterion.categories.is_empty() {
            criterion
                .bands
                .iter()
                .map(|[min, points]| format!("≥{min} → {points}"))
                .collect::<Vec<_>>()
                .join("，")
        } else {
            criterion
                .categories
                .iter()
                .map(|(category, points)| format!("{category} → {points}"))
                .collect::<Vec<_>>()
                .join("，")
        };
        sheet.write_string_with_format(row, 0, &criterion.name, &formats.text)?;
        sheet.write_string_with_format(row, 1, &criterion.measure, &formats.text)?;
        sheet.write_number_with_format(row, 2, criterion.weight, &formats.integer)?;
        sheet.write_string_with_format(row, 3, bands, &formats.text)?;
        row += 1;
    }
    row += 1;
    sheet.write_string_with_format(row, 0, "规则版本", &formats.label)?;
    sheet.write_string_with_format(row, 1, &grading.rule_version, &formats.text)?;
    row += 1;
    sheet.write_string_with_format(row, 0, "方法", &formats.label)?;
    sheet.write_string_with_format(row, 1, &grading.method, &formats.text)?;
    row += 1;
    sheet.write_string_with_format(row, 0, "分级边界", &formats.label)?;
    sheet.write_string(row, 1, &grading.boundary_rule)?;
    print_setup(sheet, 0)
}
