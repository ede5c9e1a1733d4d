//! Large inputs for `csat bench`: a customer base, a survey month, a config
//! with more questions.

use chrono::{Duration, NaiveTime};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_xlsxwriter::XlsxError;

use super::company::{DEALERS, STORE_DEALERS};
use super::survey::{
    likert, likert_label, survey_rows, META_HEADERS, NPS_HEADER, SUGGESTION_HEADER,
    SURVEY_QUESTIONS,
};
use super::xlsx::{new_workbook, sheet_file, Value};
use super::{compact, days_in_month, noise};
use crate::month::Month;

/// A large customer base for benchmarks: a customer master of `n`
/// customers and a sales CSV with a row per customer for each of the 12
/// months up to `month`; deterministic (no randomness).
pub fn bench_customers(n: usize, month: Month) -> (Vec<u8>, Vec<u8>) {
    const KINDS: [&str; 3] = ["普通商", "加盟商", "OEM"];
    const REGIONS: [&str; 5] = ["东莞", "深圳", "广州", "佛山", "惠州"];
    const STANDING: [&str; 3] = ["区域龙头", "重点客户", "一般客户"];
    let mut master =
        String::from("客户编号,客户名称,客户类型,所在区域,合作开始日期,行业地位,采购占比\n");
    let mut sales = String::from("客户编号,月份,销售额（元）,毛利（元）,订单数\n");
    for i in 0..n {
        let id = format!("B{i:06}");
        master.push_str(&format!(
            "{id},客户{i},{},{},{}-01-01,{},{}\n",
            KINDS[i % 3],
            REGIONS[i % 5],
            2005 + i % 20,
            STANDING[i % 3],
            10 + (i * 37) % 85
        ));
        for back in 0..12 {
            let amount = 20_000 + (i * 7919 + back * 104_729) % 900_000;
            sales.push_str(&format!(
                "{id},{},{amount},{},{}\n",
                month.shift(-(back as i32)).to_string(),
                amount * (18 + (i + back) % 15) / 100,
                1 + (i + back) % 40
            ));
        }
    }
    (master.into_bytes(), sales.into_bytes())
}

/// A large survey export for benchmarks: `n_respondents` rows of the demo
/// questionnaire (12 scored answers and one free-text answer each), as a
/// 问卷星 xlsx and as a UTF-8 CSV of the same rows.
///
/// # Errors
/// rust_xlsxwriter refuses a value (not expected).
pub fn bench_survey(
    seed: u64,
    month: Month,
    n_respondents: usize,
) -> Result<(Vec<u8>, Vec<u8>), XlsxError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut truth = Vec::new();
    let (headers, rows) = survey_rows(&mut rng, month, 0, n_respondents, &mut truth, false);
    let created = month.shift(1).first_day();
    let xlsx = sheet_file(created, "Sheet1", None, &headers, &rows)?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let cell_text = |value: &Value| match value {
        Value::Text(s) => s.clone(),
        Value::Number(n) => crate::ingest::table::format_number(*n),
        Value::Date(d) => d.format("%Y-%m-%d").to_string(),
        Value::Empty => String::new(),
    };
    let csv_error = |e: csv::Error| XlsxError::ParameterError(e.to_string());
    writer.write_record(&headers).map_err(csv_error)?;
    for row in &rows {
        writer
            .write_record(row.iter().map(cell_text))
            .map_err(csv_error)?;
    }
    let csv = writer
        .into_inner()
        .map_err(|e| XlsxError::ParameterError(e.to_string()))?;
    Ok((xlsx, csv))
}

/// The bench survey's questions beyond the demo's eleven and its NPS
/// question, so each respondent answers 20 scored questions: (key, header,
/// department, indicator, category).
pub(super) const BENCH_EXTRA_QUESTIONS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "bench_store",
        "15、门店环境与陈列：",
        "dealers",
        "service",
        "门店服务",
    ),
    (
        "bench_guide",
        "16、产品说明与使用指导：",
        "marketing",
        "service",
        "销售服务",
    ),
    (
        "bench_courier",
        "17、配送人员的服务态度：",
        "manufacturing",
        "delivery",
        "物流配送",
    ),
    (
        "bench_booking",
        "18、预约送货时间的便利性：",
        "manufacturing",
        "delivery",
        "物流配送",
    ),
    (
        "bench_hotline",
        "19、售后电话的接通速度：",
        "customer_service",
        "service",
        "售后响应",
    ),
    (
        "bench_repair",
        "20、维修质量：",
        "after_sales",
        "service",
        "售后响应",
    ),
    (
        "bench_member",
        "21、会员活动与优惠：",
        "marketing",
        "price",
        "价格",
    ),
    (
        "bench_overall",
        "22、整体购物体验：",
        "dealers",
        "loyalty",
        "客户忠诚",
    ),
];

/// The configuration `csat bench` runs with: the shipped one without a
/// settle time, with the bench survey's eight extra questions mapped.
pub fn bench_config() -> String {
    // The bench survey's overall question (bench_overall) is the key-driver
    // outcome, so the report measures the driver analysis too.
    let mut config = crate::config::DEFAULT_CONFIG_TOML
        .replace("settle_seconds = 10", "settle_seconds = 0")
        .replacen(
            "\noutcome = \"overall\"\n",
            "\noutcome = \"bench_overall\"\n",
            1,
        );
    // More `[[questions]]` entries at the end of the file extend the same
    // array of tables.
    for (key, header, department, indicator, category) in BENCH_EXTRA_QUESTIONS {
        let (text, _) = crate::ingest::sources::strip_question_number(header);
        config.push_str(&format!(
            "\n[[questions]]\nkey = \"{key}\"\nmatch = \"{}\"\nindicator = \"{indicator}\"\ndepartment = \"{department}\"\nscale = \"likert5\"\ncategory = \"{category}\"\n",
            text.trim_end_matches('：')
        ));
    }
    config
}

/// Remarks a call centre writes: mostly placeholders (no problem), some
/// real problems the keyword rules categorise, some none.
pub(super) const BENCH_REMARKS: &[&str] = &["无", "没有", "正常", "/", "满意", "N/A"];
pub(super) const BENCH_PROBLEMS: &[&str] = &[
    "安装师傅迟到两个小时",
    "床垫有异味",
    "送货延误三天才到",
    "维修等了一周才上门",
    "客服电话很难打通",
];

/// A month of answers for `csat bench`: half of `n_answers` in a 问卷星
/// xlsx (20 scored questions a respondent, answered as labels, plus a
/// free-text column) and half in a call-centre CSV (UTF-8; three-month
/// callbacks, four scores a reached call, a remark column mostly holding
/// placeholders such as 无). Written row by row (constant-memory sheet);
/// deterministic for a seed.
///
/// # Errors
/// rust_xlsxwriter refuses a value (not expected).
pub fn bench_month(
    seed: u64,
    month: Month,
    n_answers: usize,
) -> Result<(Vec<u8>, Vec<u8>), XlsxError> {
    const SURVEY_SCORED: usize = 20;
    const CALL_SCORES: usize = 4;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n_respondents = (n_answers / 2).div_ceil(SURVEY_SCORED).max(1);
    let n_calls = (n_answers - (n_answers / 2)).div_ceil(CALL_SCORES).max(1);

    let mut workbook = new_workbook(month.shift(1).first_day())?;
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    let mut headers: Vec<&str> = META_HEADERS.to_vec();
    headers.extend(SURVEY_QUESTIONS.iter().map(|q| q.header));
    headers.push(NPS_HEADER);
    headers.extend(BENCH_EXTRA_QUESTIONS.iter().map(|q| q.1));
    headers.push(SUGGESTION_HEADER);
    for (column, header) in headers.iter().enumerate() {
        sheet.write_string(0, column as u16, *header)?;
    }
    let days = days_in_month(month);
    for index in 0..n_respondents {
        let row = 1 + index as u32;
        // Submissions in time order through the month.
        let at = month.first_day().and_time(NaiveTime::MIN)
            + Duration::seconds((index as i64 * days * 86_400) / n_respondents as i64);
        let dealer = &DEALERS[rng.gen_range(0..STORE_DEALERS)];
        sheet.write_number(row, 0, (index + 1) as f64)?;
        sheet.write_string(row, 1, at.format("%Y/%-m/%-d %H:%M:%S").to_string())?;
        sheet.write_string(row, 2, format!("{}秒", rng.gen_range(45..600)))?;
        sheet.write_string(row, 3, ["手机提交", "微信", "链接"][rng.gen_range(0..3)])?;
        sheet.write_string(row, 4, "直接访问")?;
        sheet.write_string(
            row,
            5,
            format!("1.2.{}.{}", rng.gen_range(0..255), rng.gen_range(1..254)),
        )?;
        sheet.write_string(row, 6, dealer.name)?;
        let mut column = 7u16;
        for question in SURVEY_QUESTIONS {
            let value = likert(&mut rng, question.mean + dealer.effect);
            sheet.write_string(row, column, likert_label(&mut rng, value))?;
            column += 1;
        }
        let nps = (8.5 + dealer.effect * 2.0 + noise(&mut rng, 1.5))
            .round()
            .clamp(0.0, 10.0);
        sheet.write_string(row, column, format!("{nps}"))?;
        column += 1;
        for _ in BENCH_EXTRA_QUESTIONS {
            let value = likert(&mut rng, 4.0 + dealer.effect);
            sheet.write_string(row, column, likert_label(&mut rng, value))?;
            column += 1;
        }
        let comment = if rng.gen_bool(0.1) {
            BENCH_PROBLEMS[rng.gen_range(0..BENCH_PROBLEMS.len())]
        } else {
            BENCH_REMARKS[rng.gen_range(0..BENCH_REMARKS.len())]
        };
        sheet.write_string(row, column, comment)?;
    }
    let survey = workbook.save_to_buffer()?;

    let mut calls = String::with_capacity(n_calls * 110);
    calls.push_str("回访单号,回访类型,计划回访日期,回访时间,客户编号,经销商,接通状态,整体服务评分,产品质量评分,安装送货态度评分,销售态度评分,客户反馈\n");
    let compact = compact(month);
    for index in 0..n_calls {
        let day = (index as i64 * days) / n_calls as i64;
        let planned = month.first_day() + Duration::days(day);
        let dealer = &DEALERS[rng.gen_range(0..STORE_DEALERS)];
        let reached = rng.gen_bool(0.92);
        calls.push_str(&format!(
            "HF{compact}{:08},三个月回访,{},",
            index + 1,
            planned.format("%Y-%m-%d")
        ));
        if reached {
            let at = planned.and_time(NaiveTime::MIN)
                + Duration::seconds(rng.gen_range(9 * 3600..19 * 3600));
            calls.push_str(&at.format("%Y-%m-%d %H:%M:%S").to_string());
        }
        calls.push_str(&format!(
            ",K{compact}{:08},{},{},",
            index + 1,
            dealer.name,
            if reached { "已接通" } else { "未接通" }
        ));
        for mean in [4.1, 4.2, 3.8, 4.25] {
            if reached {
                calls.push_str(&format!("{}", likert(&mut rng, mean + dealer.effect)));
            }
            calls.push(',');
        }
        if reached {
            let draw: f64 = rng.gen();
            if draw < 0.6 {
                calls.push_str(BENCH_REMARKS[rng.gen_range(0..BENCH_REMARKS.len())]);
            } else if draw < 0.65 {
                calls.push_str(BENCH_PROBLEMS[rng.gen_range(0..BENCH_PROBLEMS.len())]);
            }
        }
        calls.push('\n');
    }
    Ok((survey, calls.into_bytes()))
}
