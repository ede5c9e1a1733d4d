//! The sample company: a deterministic generator of a mattress maker with
//! dealers (东莞, 深圳, 广州, 佛山, 惠州), fourteen months of history, and files
//! that look like what quality teams really export: a 问卷星 按选项文本 xlsx per
//! month, a GBK call-centre CSV per month, a complaints log with a merged title
//! row, proposals, customer master, monthly sales, invoice payments and one
//! department's action-plan tracker.
//!
//! Departments are deliberately uneven (after-sales and workmanship weak,
//! deliveries around 东莞 late) so the report has something to say. The same
//! seed and run date give the same bytes.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_xlsxwriter::XlsxError;

use crate::month::Month;

mod bench;
mod company;
mod records;
mod survey;
mod xlsx;

pub use bench::{bench_config, bench_customers, bench_month, bench_survey};
use records::{
    action_plan_file, complaints_file, customers_file, dispatch_file, proposals_file,
    sales_and_payment_files,
};
pub use survey::driver_effects;
use survey::{callback_file, survey_file};

/// Months of history generated, ending with the month before the run date.
pub const HISTORY_MONTHS: i32 = 14;

/// One generated survey respondent or reached callback, with the true values.
#[derive(Debug, Clone)]
pub struct GeneratedResponse {
    /// `YYYY-MM`.
    pub month: String,
    /// `questionnaire` or `callback`.
    pub channel: &'static str,
    /// (question key, value; `None` when skipped).
    pub answers: Vec<(&'static str, Option<f64>)>,
}

/// A generated file.
#[derive(Debug, Clone)]
pub struct GeneratedFile {
    /// File name for the inbox.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// The whole sample company.
#[derive(Debug, Clone)]
pub struct DemoCompany {
    /// The inbox files.
    pub files: Vec<GeneratedFile>,
    /// Every answer written into the survey and callback files.
    pub responses: Vec<GeneratedResponse>,
    /// The months generated, oldest first.
    pub months: Vec<String>,
}

/// Generates the company for `seed`, with history ending the month before `today`.
///
/// # Errors
/// rust_xlsxwriter refuses a value (not expected for generated data).
pub fn generate(seed: u64, today: NaiveDate) -> Result<DemoCompany, XlsxError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let last_month = Month::before(today);
    let months: Vec<Month> = (0..HISTORY_MONTHS)
        .map(|i| last_month.shift(i - (HISTORY_MONTHS - 1)))
        .collect();
    let export_at = today.and_time(NaiveTime::MIN) + Duration::hours(8);
    let mut company = DemoCompany {
        files: Vec::new(),
        responses: Vec::new(),
        months: months.iter().map(Month::to_string).collect(),
    };
    for (month_index, &month) in months.iter().enumerate() {
        let survey = survey_file(&mut rng, month, month_index, &mut company.responses)?;
        company.files.push(GeneratedFile {
            name: format!("问卷星_客户满意度调查_{month}.xlsx"),
            bytes: survey,
        });
        let callbacks = callback_file(
            &mut rng,
            month,
            month_index,
            export_at,
            &mut company.responses,
        );
        company.files.push(GeneratedFile {
            name: format!("呼叫中心_电话回访_{month}.csv"),
            bytes: callbacks,
        });
        company.files.push(GeneratedFile {
            name: format!("客户投诉登记表_{month}.xlsx"),
            bytes: complaints_file(&mut rng, month, month_index, today)?,
        });
    }
    company.files.push(GeneratedFile {
        name: "客户提案汇总.xlsx".to_string(),
        bytes: proposals_file(&mut rng, &months, today)?,
    });
    company.files.push(GeneratedFile {
        name: "客户档案.xlsx".to_string(),
        bytes: customers_file(&mut rng, today)?,
    });
    let (sales, payments) = sales_and_payment_files(&mut rng, &months, today)?;
    company.files.push(GeneratedFile {
        name: "月度销售明细.xlsx".to_string(),
        bytes: sales,
    });
    company.files.push(GeneratedFile {
        name: "发票回款明细.xlsx".to_string(),
        bytes: payments,
    });
    company.files.push(GeneratedFile {
        name: "行动计划追踪表_售后服务部.xlsx".to_string(),
        bytes: action_plan_file(last_month, today)?,
    });
    company.files.push(GeneratedFile {
        name: "问卷发放统计.xlsx".to_string(),
        bytes: dispatch_file(seed, &months, &company.responses, today)?,
    });
    Ok(company)
}

fn days_in_month(month: Month) -> i64 {
    (month.shift(1).first_day() - month.first_day()).num_days()
}

/// `202610`: a month in generated ids.
fn compact(month: Month) -> String {
    format!("{}{:02}", month.year(), month.number())
}

/// Roughly normal noise with standard deviation `sd` (Irwin–Hall, 4 terms).
fn noise(rng: &mut ChaCha8Rng, sd: f64) -> f64 {
    let sum: f64 = (0..4).map(|_| rng.gen::<f64>()).sum();
    (sum - 2.0) / (1.0f64 / 3.0).sqrt() * sd
}

fn random_time_in(rng: &mut ChaCha8Rng, month: Month) -> NaiveDateTime {
    let day = rng.gen_range(0..days_in_month(month));
    let seconds = rng.gen_range(8 * 3600..22 * 3600);
    month.first_day().and_time(NaiveTime::MIN) + Duration::days(day) + Duration::seconds(seconds)
}
