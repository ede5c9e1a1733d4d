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

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, XlsxError};

use crate::analysis::shift_month;

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

struct Dealer {
    id: &'static str,
    name: &'static str,
    region: &'static str,
    kind: &'static str,
    started: (i32, u32, u32),
    /// Added to every answer about this dealer's store.
    effect: f64,
    /// Monthly sales scale, 10k RMB.
    size: f64,
    /// Probability an invoice is paid late.
    late: f64,
}

const DEALERS: &[Dealer] = &[
    Dealer {
        id: "C001",
        name: "东莞南城店",
        region: "东莞",
        kind: "普通商",
        started: (2014, 3, 1),
        effect: 0.1,
        size: 60.0,
        late: 0.05,
    },
    Dealer {
        id: "C002",
        name: "东莞东城店",
        region: "东莞",
        kind: "加盟商",
        started: (2016, 7, 1),
        effect: -0.2,
        size: 35.0,
        late: 0.1,
    },
    Dealer {
        id: "C003",
        name: "东莞松山湖店",
        region: "东莞",
        kind: "加盟商",
        started: (2019, 5, 1),
        effect: 0.0,
        size: 28.0,
        late: 0.05,
    },
    Dealer {
        id: "C004",
        name: "东莞虎门店",
        region: "东莞",
        kind: "加盟商",
        started: (2021, 9, 1),
        effect: -0.35,
        size: 18.0,
        late: 0.4,
    },
    Dealer {
        id: "C005",
        name: "深圳福田店",
        region: "深圳",
        kind: "普通商",
        started: (2013, 1, 1),
        effect: 0.25,
        size: 95.0,
        late: 0.02,
    },
    Dealer {
        id: "C006",
        name: "深圳南山店",
        region: "深圳",
        kind: "普通商",
        started: (2015, 4, 1),
        effect: 0.2,
        size: 80.0,
        late: 0.03,
    },
    Dealer {
        id: "C007",
        name: "深圳宝安店",
        region: "深圳",
        kind: "加盟商",
        started: (2018, 8, 1),
        effect: 0.0,
        size: 40.0,
        late: 0.08,
    },
    Dealer {
        id: "C008",
        name: "深圳龙华店",
        region: "深圳",
        kind: "加盟商",
        started: (2020, 2, 1),
        effect: -0.1,
        size: 30.0,
        late: 0.1,
    },
    Dealer {
        id: "C009",
        name: "深圳龙岗店",
        region: "深圳",
        kind: "加盟商",
        started: (2022, 6, 1),
        effect: 0.05,
        size: 22.0,
        late: 0.15,
    },
    Dealer {
        id: "C010",
        name: "广州天河店",
        region: "广州",
        kind: "普通商",
        started: (2014, 10, 1),
        effect: 0.15,
        size: 70.0,
        late: 0.04,
    },
    Dealer {
        id: "C011",
        name: "广州番禺店",
        region: "广州",
        kind: "加盟商",
        started: (2017, 3, 1),
        effect: 0.0,
        size: 38.0,
        late: 0.06,
    },
    Dealer {
        id: "C012",
        name: "广州白云店",
        region: "广州",
        kind: "加盟商",
        started: (2019, 11, 1),
        effect: -0.25,
        size: 25.0,
        late: 0.3,
    },
    Dealer {
        id: "C013",
        name: "佛山禅城店",
        region: "佛山",
        kind: "普通商",
        started: (2016, 1, 1),
        effect: 0.1,
        size: 45.0,
        late: 0.05,
    },
    Dealer {
        id: "C014",
        name: "佛山顺德店",
        region: "佛山",
        kind: "加盟商",
        started: (2018, 4, 1),
        effect: 0.05,
        size: 33.0,
        late: 0.07,
    },
    Dealer {
        id: "C015",
        name: "惠州惠城店",
        region: "惠州",
        kind: "加盟商",
        started: (2020, 9, 1),
        effect: -0.15,
        size: 20.0,
        late: 0.2,
    },
    Dealer {
        id: "C016",
        name: "惠州大亚湾店",
        region: "惠州",
        kind: "加盟商",
        started: (2026, 7, 1),
        effect: 0.0,
        size: 12.0,
        late: 0.1,
    },
    Dealer {
        id: "C017",
        name: "华南酒店用品有限公司",
        region: "深圳",
        kind: "OEM",
        started: (2017, 6, 1),
        effect: 0.0,
        size: 120.0,
        late: 0.12,
    },
    Dealer {
        id: "C018",
        name: "粤港家居供应链有限公司",
        region: "东莞",
        kind: "OEM",
        started: (2021, 2, 1),
        effect: 0.0,
        size: 75.0,
        late: 0.25,
    },
];

/// Store dealers (the first 16) sell to consumers who answer surveys.
const STORE_DEALERS: usize = 16;

struct SurveyQuestion {
    key: &'static str,
    header: &'static str,
    /// Mean on the 5-point scale before dealer and trend effects.
    mean: f64,
    /// Extra mean for stores in 东莞 (late deliveries there).
    dongguan: f64,
    /// Change of the mean per month of history (negative: getting worse).
    trend: f64,
    /// True effect on overall satisfaction: how much a point above (or
    /// below) this question's own mean moves the overall answer.
    effect: f64,
}

const SURVEY_QUESTIONS: &[SurveyQuestion] = &[
    SurveyQuestion {
        key: "product_overall",
        header: "2、您对床垫整体质量的满意程度：",
        mean: 4.35,
        dongguan: 0.0,
        trend: 0.0,
        effect: 0.25,
    },
    SurveyQuestion {
        key: "comfort",
        header: "3、床垫的舒适度与承托性：",
        mean: 4.45,
        dongguan: 0.0,
        trend: 0.0,
        effect: 0.12,
    },
    SurveyQuestion {
        key: "workmanship",
        header: "4、床垫做工与用料（异味、线头、包边）：",
        mean: 4.15,
        dongguan: 0.0,
        trend: -0.03,
        effect: 0.18,
    },
    SurveyQuestion {
        key: "craft_detail",
        header: "5、尺寸与工艺细节是否符合预期：",
        mean: 4.2,
        dongguan: 0.0,
        trend: 0.0,
        effect: 0.02,
    },
    SurveyQuestion {
        key: "consultant",
        header: "6、睡眠顾问的专业程度与服务态度：",
        mean: 4.3,
        dongguan: 0.0,
        trend: 0.0,
        effect: 0.1,
    },
    SurveyQuestion {
        key: "ordering",
        header: "7、下单与订单确认的效率：",
        mean: 4.1,
        dongguan: 0.0,
        trend: 0.0,
        effect: 0.04,
    },
    SurveyQuestion {
        key: "delivery_on_time",
        header: "8、送货是否准时：",
        mean: 4.15,
        dongguan: -0.6,
        trend: 0.0,
        effect: 0.15,
    },
    SurveyQuestion {
        key: "installer",
        header: "9、安装师傅的服务态度与专业性：",
        mean: 3.55,
        dongguan: 0.0,
        trend: 0.025,
        effect: 0.55,
    },
    SurveyQuestion {
        key: "after_sales_speed",
        header: "10、售后问题处理的及时性：",
        mean: 3.45,
        dongguan: 0.0,
        trend: 0.02,
        effect: 0.3,
    },
    SurveyQuestion {
        key: "price",
        header: "11、产品价格是否合理：",
        mean: 3.85,
        dongguan: 0.0,
        trend: 0.0,
        effect: 0.06,
    },
    SurveyQuestion {
        key: "repurchase",
        header: "12、您是否愿意再次购买我们的产品：",
        mean: 4.25,
        dongguan: 0.0,
        trend: 0.0,
        effect: 0.0,
    },
];

const NPS_HEADER: &str = "13、您有多大可能向亲友推荐我们的品牌？（0-10分）";
const SUGGESTION_HEADER: &str = "14、您的其他意见或建议：";
const OVERALL_HEADER: &str = "15、总体而言，您对我们的整体满意度：";

/// Overall satisfaction's mean on the 5-point scale before the items' effects.
const OVERALL_MEAN: f64 = 3.95;

/// The true effect of each survey question on overall satisfaction (the
/// generator's weights): what the key-driver analysis should recover.
pub fn driver_effects() -> Vec<(&'static str, f64)> {
    SURVEY_QUESTIONS.iter().map(|q| (q.key, q.effect)).collect()
}

/// Survey comments by theme (the theme is drawn from the main random
/// stream, the wording from a stream of its own), and comments on other
/// subjects no keyword rule of the demo covers.
const SUGGESTIONS: [&[&str]; 4] = [
    &[
        "希望送货时间更准时",
        "送货比约定晚了两天",
        "送货师傅提前打电话，很好",
    ],
    &["安装师傅很专业", "安装师傅迟到一个小时", "安装后床架有点晃"],
    &[
        "床垫有点异味，散了几天才好",
        "异味比较大，希望改进",
        "没有异味，质量不错",
    ],
    &["价格再优惠一些就好了", "价格偏高", "活动价格很划算"],
];
const OTHER_COMMENTS: &[&str] = &[
    "客服电话一直打不通",
    "客服回复太慢",
    "包装破损，外包装要加强",
    "发票开具太慢",
    "床垫偏硬，睡着腰有点酸",
    "门店导购很热情",
];
/// Answers that say nothing, as customers write them.
const PLACEHOLDER_COMMENTS: &[&str] = &["无", "没有", "无意见", "N/A", "。"];

const CALLBACK_TYPES: &[&str] = &["安装回访", "问题关闭回访", "三个月回访", "增值服务回访"];

/// Complaint root-cause categories: (category, weight, responsible department).
const COMPLAINT_CATEGORIES: &[(&str, f64, &str)] = &[
    ("安装服务", 0.24, "售后服务部"),
    ("做工与用料", 0.2, "生产部"),
    ("产品质量", 0.16, "品质部"),
    ("物流配送", 0.16, "PMC"),
    ("售后响应", 0.1, "售后服务部"),
    ("销售服务", 0.05, "经销商"),
    ("价格", 0.03, "营销中心"),
    ("其他", 0.06, "客服中心"),
];

const PROPOSAL_CATEGORIES: &[(&str, &str)] = &[
    ("产品标准化", "研发部"),
    ("销售渠道", "营销中心"),
    ("生产工艺", "工艺部"),
    ("检验效率", "品质部"),
    ("新材料/新部件", "研发部"),
    ("售后服务", "售后服务部"),
];

/// Generates the company for `seed`, with history ending the month before `today`.
///
/// # Errors
/// rust_xlsxwriter refuses a value (not expected for generated data).
pub fn generate(seed: u64, today: NaiveDate) -> Result<DemoCompany, XlsxError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let last_month = crate::analysis::previous_month(today);
    let months: Vec<String> = (0..HISTORY_MONTHS)
        .map(|i| shift_month(&last_month, i - (HISTORY_MONTHS - 1)))
        .collect();
    let export_at = today.and_hms_opt(8, 0, 0).expect("valid time");
    let mut company = DemoCompany {
        files: Vec::new(),
        responses: Vec::new(),
        months: months.clone(),
    };
    for (month_index, month) in months.iter().enumerate() {
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
        bytes: action_plan_file(&last_month, today)?,
    });
    company.files.push(GeneratedFile {
        name: "问卷发放统计.xlsx".to_string(),
        bytes: dispatch_file(seed, &months, &company.responses, today)?,
    });
    Ok(company)
}

/// 问卷发放统计: questionnaires sent per month (a response rate of 55–80 %)
/// and customers served (so the sample check passes). Its own random stream,
/// so the other files do not change with it.
fn dispatch_file(
    seed: u64,
    months: &[String],
    responses: &[GeneratedResponse],
    today: NaiveDate,
) -> Result<Vec<u8>, XlsxError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5EED_D15A);
    let rows: Vec<Vec<Value>> = months
        .iter()
        .map(|month| {
            let returned = responses
                .iter()
                .filter(|r| r.month == *month && r.channel == "questionnaire")
                .count() as f64;
            let rate = rng.gen_range(0.55..0.80);
            let served = rng.gen_range(400.0..900.0_f64).round();
            vec![
                text(month.clone()),
                text("问卷"),
                Value::Number((returned / rate).round()),
                Value::Number(served),
            ]
        })
        .collect();
    sheet_file(
        today,
        "发放统计",
        Some("客户满意度问卷发放统计"),
        &["月份", "渠道", "发放数", "服务客户数"],
        &rows,
    )
}

fn month_start(month: &str) -> NaiveDate {
    NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .expect("generated months are valid")
}

fn days_in_month(month: &str) -> i64 {
    let start = month_start(month);
    let next = month_start(&shift_month(month, 1));
    (next - start).num_days()
}

/// Roughly normal noise with standard deviation `sd` (Irwin–Hall, 4 terms).
fn noise(rng: &mut ChaCha8Rng, sd: f64) -> f64 {
    let sum: f64 = (0..4).map(|_| rng.gen::<f64>()).sum();
    (sum - 2.0) / (1.0f64 / 3.0).sqrt() * sd
}

fn likert(rng: &mut ChaCha8Rng, mean: f64) -> f64 {
    (mean + noise(rng, 0.8)).round().clamp(1.0, 5.0)
}

fn likert_label(rng: &mut ChaCha8Rng, value: f64) -> &'static str {
    match value as i64 {
        5 if rng.gen_bool(0.1) => "非常满意",
        5 => "很满意",
        4 if rng.gen_bool(0.05) => "比较满意",
        4 => "满意",
        3 => "一般",
        2 => "不满意",
        _ => "很不满意",
    }
}

fn random_time_in(rng: &mut ChaCha8Rng, month: &str) -> NaiveDateTime {
    let day = rng.gen_range(0..days_in_month(month));
    let seconds = rng.gen_range(8 * 3600..22 * 3600);
    month_start(month).and_time(NaiveTime::MIN) + Duration::days(day) + Duration::seconds(seconds)
}

fn new_workbook(created: NaiveDate) -> Result<Workbook, XlsxError> {
    let mut workbook = Workbook::new();
    let created = ExcelDateTime::from_ymd(
        created.year() as u16,
        created.month() as u8,
        created.day() as u8,
    )?;
    workbook.set_properties(
        &DocProperties::new()
            .set_author("quality")
            .set_creation_datetime(&created),
    );
    Ok(workbook)
}

/// A cell of a generated sheet.
enum Value {
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Empty,
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

/// Writes one sheet: an optional merged title row, the header, the rows.
fn sheet_file(
    created: NaiveDate,
    sheet_name: &str,
    title: Option<&str>,
    headers: &[&str],
    rows: &[Vec<Value>],
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = new_workbook(created)?;
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name)?;
    let bold = Format::new().set_bold();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    let mut header_row = 0;
    if let Some(title) = title {
        let title_format = Format::new()
            .set_bold()
            .set_font_size(14)
            .set_align(FormatAlign::Center);
        sheet.merge_range(0, 0, 0, headers.len() as u16 - 1, title, &title_format)?;
        header_row = 1;
    }
    for (column, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(header_row, column as u16, *header, &bold)?;
        sheet.set_column_width(column as u16, 14)?;
    }
    for (index, row) in rows.iter().enumerate() {
        let row_number = header_row + 1 + index as u32;
        for (column, value) in row.iter().enumerate() {
            let column = column as u16;
            match value {
                Value::Text(s) => {
                    sheet.write_string(row_number, column, s)?;
                }
                Value::Number(n) => {
                    sheet.write_number(row_number, column, *n)?;
                }
                Value::Date(d) => {
                    let date =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                    sheet.write_datetime_with_format(row_number, column, &date, &date_format)?;
                }
                Value::Empty => {}
            }
        }
    }
    workbook.save_to_buffer()
}

fn survey_file(
    rng: &mut ChaCha8Rng,
    month: &str,
    month_index: usize,
    truth: &mut Vec<GeneratedResponse>,
) -> Result<Vec<u8>, XlsxError> {
    let n_respondents = rng.gen_range(90..130);
    let (headers, rows) = survey_rows(rng, month, month_index, n_respondents, truth, true);
    let created = month_start(&shift_month(month, 1));
    sheet_file(created, "Sheet1", None, &headers, &rows)
}

/// A large customer base for benchmarks: a customer master of `n`
/// customers and a sales CSV with a row per customer for each of the 12
/// months up to `month`; deterministic (no randomness).
pub fn bench_customers(n: usize, month: &str) -> (Vec<u8>, Vec<u8>) {
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
                shift_month(month, -(back as i32)),
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
    month: &str,
    n_respondents: usize,
) -> Result<(Vec<u8>, Vec<u8>), XlsxError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut truth = Vec::new();
    let (headers, rows) = survey_rows(&mut rng, month, 0, n_respondents, &mut truth, false);
    let created = month_start(&shift_month(month, 1));
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

type SurveyRows = (Vec<&'static str>, Vec<Vec<Value>>);

fn survey_rows(
    rng: &mut ChaCha8Rng,
    month: &str,
    month_index: usize,
    n_respondents: usize,
    truth: &mut Vec<GeneratedResponse>,
    with_overall: bool,
) -> SurveyRows {
    let mut headers = vec![
        "序号",
        "提交答卷时间",
        "所用时间",
        "来源",
        "来源详情",
        "来自IP",
        "1、您购买产品的门店：",
    ];
    headers.extend(SURVEY_QUESTIONS.iter().map(|q| q.header));
    headers.push(NPS_HEADER);
    headers.push(SUGGESTION_HEADER);
    if with_overall {
        headers.push(OVERALL_HEADER);
    }
    let mut submitted: Vec<NaiveDateTime> = (0..n_respondents)
        .map(|_| random_time_in(rng, month))
        .collect();
    submitted.sort();
    let mut rows = Vec::new();
    for (index, at) in submitted.iter().enumerate() {
        let dealer = &DEALERS[rng.gen_range(0..STORE_DEALERS)];
        let city_ip = match dealer.region {
            "深圳" => "广东-深圳",
            "东莞" => "广东-东莞",
            "广州" => "广东-广州",
            "佛山" => "广东-佛山",
            _ => "广东-惠州",
        };
        let mut row = vec![
            Value::Number((index + 1) as f64),
            text(at.format("%Y/%-m/%-d %H:%M:%S").to_string()),
            text(format!("{}秒", rng.gen_range(45..600))),
            text(["手机提交", "微信", "链接"][rng.gen_range(0..3)]),
            text(if rng.gen_bool(0.7) {
                "直接访问"
            } else {
                "N/A"
            }),
            text(format!(
                "{}.{}.{}.{}({city_ip})",
                rng.gen_range(14..223),
                rng.gen_range(0..255),
                rng.gen_range(0..255),
                rng.gen_range(1..254)
            )),
            text(dealer.name),
        ];
        // The overall answer, the comments' wording and the placeholders
        // come from a stream of their own, so every other figure of the
        // demo stays as it was before they were added.
        let mut side = ChaCha8Rng::seed_from_u64(
            (at.and_utc().timestamp() as u64) ^ ((index as u64) << 40) ^ 0x0E5A_11ED,
        );
        // Σ effect × (answer − the answer's own mean): the items' pull on
        // overall satisfaction.
        let mut pull = 0.0;
        let mut answers = Vec::new();
        for question in SURVEY_QUESTIONS {
            let dongguan = if dealer.region == "东莞" {
                question.dongguan
            } else {
                0.0
            };
            let mean =
                question.mean + dealer.effect + dongguan + question.trend * month_index as f64;
            if rng.gen_bool(0.04) {
                row.push(text(if rng.gen_bool(0.5) {
                    "(跳过)"
                } else {
                    "(空)"
                }));
                answers.push((question.key, None));
            } else {
                let value = likert(rng, mean);
                row.push(text(likert_label(rng, value)));
                answers.push((question.key, Some(value)));
                pull += question.effect * (value - mean);
            }
        }
        if rng.gen_bool(0.03) {
            row.push(text("(跳过)"));
            answers.push(("recommend", None));
        } else {
            let value = (8.7 + dealer.effect * 2.0 + noise(rng, 1.5))
                .round()
                .clamp(0.0, 10.0);
            row.push(text(format!("{value}")));
            answers.push(("recommend", Some(value)));
        }
        if rng.gen_bool(0.15) {
            let theme = SUGGESTIONS[rng.gen_range(0..SUGGESTIONS.len())];
            row.push(text(theme[side.gen_range(0..theme.len())]));
        } else if side.gen_bool(0.06) {
            row.push(text(
                OTHER_COMMENTS[side.gen_range(0..OTHER_COMMENTS.len())],
            ));
        } else if side.gen_bool(0.04) {
            row.push(text(
                PLACEHOLDER_COMMENTS[side.gen_range(0..PLACEHOLDER_COMMENTS.len())],
            ));
        } else {
            row.push(text("(空)"));
        }
        if with_overall {
            if side.gen_bool(0.03) {
                row.push(text("(跳过)"));
                answers.push(("overall", None));
            } else {
                let value = (OVERALL_MEAN + dealer.effect + pull + noise(&mut side, 0.45))
                    .round()
                    .clamp(1.0, 5.0);
                row.push(text(likert_label(&mut side, value)));
                answers.push(("overall", Some(value)));
            }
        }
        rows.push(row);
        truth.push(GeneratedResponse {
            month: month.to_string(),
            channel: "questionnaire",
            answers,
        });
    }
    (headers, rows)
}

fn callback_file(
    rng: &mut ChaCha8Rng,
    month: &str,
    month_index: usize,
    export_at: NaiveDateTime,
    truth: &mut Vec<GeneratedResponse>,
) -> Vec<u8> {
    const HEADERS: &[&str] = &[
        "回访单号",
        "回访类型",
        "计划回访日期",
        "回访时间",
        "客户编号",
        "客户姓名",
        "联系电话",
        "经销商",
        "接通状态",
        "整体服务评分",
        "产品质量评分",
        "安装送货态度评分",
        "销售态度评分",
        "客户反馈",
    ];
    let surnames = ["张", "王", "李", "陈", "刘", "黄", "林", "周", "吴", "郑"];
    let given = ["伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "军"];
    let mut text_out = format!(
        "呼叫中心回访记录导出,导出时间：{}\n{}\n",
        export_at.format("%Y-%m-%d %H:%M"),
        HEADERS.join(",")
    );
    let n_calls = rng.gen_range(50..75);
    for index in 0..n_calls {
        let callback_type = CALLBACK_TYPES[rng.gen_range(0..CALLBACK_TYPES.len())];
        let dealer = &DEALERS[rng.gen_range(0..STORE_DEALERS)];
        let planned = month_start(month) + Duration::days(rng.gen_range(0..days_in_month(month)));
        let reached = rng.gen_bool(0.85);
        let name = format!(
            "{}{}",
            surnames[rng.gen_range(0..10)],
            given[rng.gen_range(0..10)]
        );
        let phone = format!("13{:09}", rng.gen_range(0..1_000_000_000u64));
        let consumer_id = format!("K{}{:04}", month.replace('-', ""), index + 1);
        let mut fields: Vec<String> = vec![
            format!("HF{}{:04}", month.replace('-', ""), index + 1),
            callback_type.to_string(),
            planned.format("%Y-%m-%d").to_string(),
        ];
        let dimensions: &[(&'static str, f64)] = match callback_type {
            "安装回访" => &[("cb_installer", 3.75)],
            "三个月回访" => &[
                ("cb_overall", 4.1),
                ("cb_product", 4.2),
                ("cb_installer", 3.75),
                ("cb_sales", 4.25),
            ],
            _ => &[("cb_overall", 4.05)],
        };
        let mut scores = [String::new(), String::new(), String::new(), String::new()];
        let mut remark = String::new();
        let mut answers = Vec::new();
        if reached {
            let at = planned.and_time(NaiveTime::MIN)
                + Duration::seconds(rng.gen_range(9 * 3600..19 * 3600));
            fields.push(at.format("%Y-%m-%d %H:%M:%S").to_string());
            let mut lowest: Option<(&str, f64)> = None;
            for (key, mean) in dimensions {
                let trend = if key.contains("installer") {
                    0.02 * month_index as f64
                } else {
                    0.0
                };
                let value = likert(rng, mean + dealer.effect + trend);
                let slot = match *key {
                    "cb_overall" => 0,
                    "cb_product" => 1,
                    "cb_installer" => 2,
                    _ => 3,
                };
                scores[slot] = format!("{value}");
                answers.push((*key, Some(value)));
                if lowest.is_none_or(|(_, v)| value < v) {
                    lowest = Some((key, value));
                }
            }
            if let Some((key, value)) = lowest {
                if value <= 2.0 {
                    let options: &[&str] = match key {
                        "cb_installer" => &[
                            "安装师傅迟到两个小时",
                            "安装后床架有异响，安装不到位",
                            "送货延误三天才到",
                        ],
                        "cb_product" => &["床垫有异味", "用了三个月中间有塌陷", "包边有线头"],
                        "cb_sales" => &["导购承诺的赠品没有兑现"],
                        _ => &[
                            "维修等了一周才上门",
                            "客服电话很难打通",
                            "送货延误，没人提前通知",
                        ],
                    };
                    remark = options[rng.gen_range(0..options.len())].to_string();
                }
            }
            truth.push(GeneratedResponse {
                month: month.to_string(),
                channel: "callback",
                answers,
            });
        } else {
            fields.push(String::new());
        }
        fields.push(consumer_id);
        fields.push(name);
        fields.push(phone);
        fields.push(dealer.name.to_string());
        fields.push(if reached { "已接通" } else { "未接通" }.to_string());
        fields.extend(scores);
        fields.push(remark);
        text_out.push_str(&fields.join(","));
        text_out.push('\n');
    }
    let (bytes, _, _) = encoding_rs::GBK.encode(&text_out);
    bytes.into_owned()
}

fn pick_weighted<'a>(
    rng: &mut ChaCha8Rng,
    items: &'a [(&'a str, f64, &'a str)],
) -> &'a (&'a str, f64, &'a str) {
    let total: f64 = items.iter().map(|i| i.1).sum();
    let mut target = rng.gen::<f64>() * total;
    for item in items {
        if target < item.1 {
            return item;
        }
        target -= item.1;
    }
    items.last().expect("non-empty")
}

fn complaints_file(
    rng: &mut ChaCha8Rng,
    month: &str,
    month_index: usize,
    today: NaiveDate,
) -> Result<Vec<u8>, XlsxError> {
    const HEADERS: &[&str] = &[
        "投诉编号",
        "受理日期",
        "客户编号",
        "客户名称",
        "产品型号",
        "投诉类别",
        "问题描述",
        "严重等级",
        "原因类别",
        "责任部门",
        "处理状态",
        "结案日期",
    ];
    let products = [
        "梦宁·云眠 1.8m",
        "梦宁·护脊 1.5m",
        "梦宁·乳胶 1.8m",
        "梦宁·儿童 1.2m",
    ];
    let descriptions = |category: &str| -> &'static str {
        match category {
            "安装服务" => "安装师傅未按约定时间上门",
            "做工与用料" => "床垫有明显异味，包边开线",
            "产品质量" => "使用半年出现局部塌陷",
            "物流配送" => "送货比承诺晚了四天",
            "售后响应" => "报修后一周无人联系",
            "销售服务" => "门店承诺与合同不符",
            "价格" => "同款产品价格不一致",
            _ => "其他问题",
        }
    };
    let n = rng.gen_range(12..20) + month_index / 4;
    let mut rows = Vec::new();
    for index in 0..n {
        let (category, _, department) = *pick_weighted(rng, COMPLAINT_CATEGORIES);
        let dealer = &DEALERS[rng.gen_range(0..DEALERS.len())];
        let received = month_start(month) + Duration::days(rng.gen_range(0..days_in_month(month)));
        let severity = match rng.gen::<f64>() {
            x if x < 0.05 => "1级",
            x if x < 0.35 => "2级",
            _ => "3级",
        };
        let closed = received + Duration::days(rng.gen_range(2..20));
        let (status, closed_text) = if closed < today {
            ("已结案", text(closed.format("%Y/%-m/%-d").to_string()))
        } else {
            ("处理中", Value::Empty)
        };
        rows.push(vec![
            text(format!("TS{}-{:03}", month.replace('-', ""), index + 1)),
            Value::Date(received),
            text(dealer.id),
            text(dealer.name),
            text(products[rng.gen_range(0..products.len())]),
            text(if category == "其他" {
                "咨询建议"
            } else {
                "产品与服务"
            }),
            text(descriptions(category)),
            text(severity),
            text(category),
            text(department),
            text(status),
            closed_text,
        ]);
    }
    let (year, month_number) = crate::analysis::parse_month(month).expect("valid month");
    let title = format!("客户投诉登记表（{year}年{month_number}月）");
    sheet_file(
        month_start(&shift_month(month, 1)),
        "投诉登记",
        Some(&title),
        HEADERS,
        &rows,
    )
}

fn proposals_file(
    rng: &mut ChaCha8Rng,
    months: &[String],
    today: NaiveDate,
) -> Result<Vec<u8>, XlsxError> {
    const HEADERS: &[&str] = &[
        "提案编号",
        "提出日期",
        "客户编号",
        "提案类别",
        "提案内容",
        "处理部门",
        "回复日期",
        "是否采纳",
    ];
    let mut rows = Vec::new();
    for (index, month) in months.iter().enumerate() {
        for sub in 0..rng.gen_range(1..4) {
            let (category, department) =
                PROPOSAL_CATEGORIES[rng.gen_range(0..PROPOSAL_CATEGORIES.len())];
            let dealer = &DEALERS[rng.gen_range(0..DEALERS.len())];
            let received =
                month_start(month) + Duration::days(rng.gen_range(0..days_in_month(month)));
            let responded = received + Duration::days(rng.gen_range(3..14));
            rows.push(vec![
                text(format!("TA{:03}{}", index + 1, sub + 1)),
                Value::Date(received),
                text(dealer.id),
                text(category),
                text(format!("关于{category}的改进建议")),
                text(department),
                if responded < today {
                    Value::Date(responded)
                } else {
                    Value::Empty
                },
                text(if rng.gen_bool(0.4) { "是" } else { "否" }),
            ]);
        }
    }
    sheet_file(today, "提案", Some("客户提案汇总表"), HEADERS, &rows)
}

fn customers_file(rng: &mut ChaCha8Rng, today: NaiveDate) -> Result<Vec<u8>, XlsxError> {
    const HEADERS: &[&str] = &[
        "客户编号",
        "客户名称",
        "客户类型",
        "所在区域",
        "合作开始日期",
        "联系电话",
        "行业地位",
        "采购占比",
        "客户等级",
    ];
    let rows: Vec<Vec<Value>> = DEALERS
        .iter()
        .map(|d| {
            let (y, m, day) = d.started;
            vec![
                text(d.id),
                text(d.name),
                text(d.kind),
                text(d.region),
                Value::Date(NaiveDate::from_ymd_opt(y, m, day).expect("valid start date")),
                text(format!("0769-{:08}", rng.gen_range(0..100_000_000u64))),
                // Derived from the dealer's size, so the random stream (and
                // every other file) stays as it was.
                text(match d.size {
                    s if s >= 70.0 => "区域龙头",
                    s if s >= 35.0 => "重点客户",
                    _ => "一般客户",
                }),
                Value::Number((20.0 + d.size * 0.7).min(90.0).round()),
                text(match d.size {
                    s if s >= 70.0 => "A",
                    s if s >= 35.0 => "B",
                    _ => "C",
                }),
            ]
        })
        .collect();
    sheet_file(today, "客户档案", None, HEADERS, &rows)
}

fn sales_and_payment_files(
    rng: &mut ChaCha8Rng,
    months: &[String],
    today: NaiveDate,
) -> Result<(Vec<u8>, Vec<u8>), XlsxError> {
    const SALES_HEADERS: &[&str] = &["客户编号", "月份", "销售额（元）", "毛利（元）", "订单数"];
    const PAYMENT_HEADERS: &[&str] = &[
        "发票号",
        "客户编号",
        "开票日期",
        "到期日",
        "付款日期",
        "金额（元）",
    ];
    let mut sales = Vec::new();
    let mut payments = Vec::new();
    for month in months {
        let start = month_start(month);
        for dealer in DEALERS {
            let (y, m, d) = dealer.started;
            if NaiveDate::from_ymd_opt(y, m, d).expect("valid") > start {
                continue;
            }
            let amount = (dealer.size * 10_000.0 * (0.8 + 0.4 * rng.gen::<f64>())).round();
            let margin = (amount * (0.2 + 0.15 * rng.gen::<f64>())).round();
            let orders = (dealer.size / 3.0 * (0.7 + 0.6 * rng.gen::<f64>()))
                .round()
                .max(1.0);
            sales.push(vec![
                text(dealer.id),
                text(month.clone()),
                Value::Number(amount),
                Value::Number(margin),
                Value::Number(orders),
            ]);
            let invoiced = month_start(&shift_month(month, 1)) - Duration::days(1);
            let due = invoiced + Duration::days(30);
            let paid = if rng.gen_bool(dealer.late) {
                due + Duration::days(rng.gen_range(5..40))
            } else {
                due - Duration::days(rng.gen_range(0..10))
            };
            payments.push(vec![
                text(format!("FP{}{}", month.replace('-', ""), &dealer.id[1..])),
                text(dealer.id),
                Value::Date(invoiced),
                Value::Date(due),
                if paid < today {
                    Value::Date(paid)
                } else {
                    Value::Empty
                },
                Value::Number(amount),
            ]);
        }
    }
    Ok((
        sheet_file(today, "销售明细", None, SALES_HEADERS, &sales)?,
        sheet_file(today, "回款明细", None, PAYMENT_HEADERS, &payments)?,
    ))
}

fn action_plan_file(last_month: &str, today: NaiveDate) -> Result<Vec<u8>, XlsxError> {
    const HEADERS: &[&str] = &[
        "问题编号",
        "问题描述",
        "责任部门",
        "根本原因",
        "改善措施",
        "责任人",
        "计划完成日期",
        "状态",
        "进度",
    ];
    let start = month_start(last_month);
    let items = [
        (
            "安装师傅未按约定时间上门",
            "派工系统未考虑路程时间",
            "派工时按区域预留路程时间，超时自动提醒",
            "李建国",
            20,
            "进行中",
            "60%",
        ),
        (
            "报修后响应慢",
            "售后工单无人跟进",
            "工单24小时未响应自动升级至主管",
            "王海燕",
            10,
            "已完成",
            "100%",
        ),
        (
            "安装后床架异响",
            "安装工具与规范不统一",
            "统一配发工具，更新安装作业指导书",
            "李建国",
            35,
            "进行中",
            "30%",
        ),
        (
            "东莞区域送货延误",
            "第三方物流运力不足",
            "",
            "陈志强",
            25,
            "未开始",
            "0%",
        ),
        (
            "安装师傅服务态度投诉",
            "新入职师傅未完成服务礼仪培训",
            "上岗前完成8学时培训并考核",
            "王海燕",
            15,
            "已完成",
            "100%",
        ),
        ("售后配件缺货", "", "", "赵敏", 30, "进行中", "20%"),
    ];
    let rows: Vec<Vec<Value>> = items
        .iter()
        .enumerate()
        .map(
            |(index, (description, cause, action, owner, days, status, progress))| {
                vec![
                    text(format!(
                        "XD{}-{:02}",
                        last_month.replace('-', ""),
                        index + 1
                    )),
                    text(*description),
                    text("售后服务部"),
                    text(*cause),
                    text(*action),
                    text(*owner),
                    Value::Date(start + Duration::days(*days)),
                    text(*status),
                    text(*progress),
                ]
            },
        )
        .collect();
    sheet_file(
        today,
        "行动计划",
        Some("行动计划追踪表 — 售后服务部"),
        HEADERS,
        &rows,
    )
}

/// The bench survey's questions beyond the demo's eleven and its NPS
/// question, so each respondent answers 20 scored questions: (key, header,
/// department, indicator, category).
const BENCH_EXTRA_QUESTIONS: &[(&str, &str, &str, &str, &str)] = &[
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
    let mut config =
        crate::config::DEFAULT_CONFIG_TOML.replace("settle_seconds = 10", "settle_seconds = 0");
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
const BENCH_REMARKS: &[&str] = &["无", "没有", "正常", "/", "满意", "N/A"];
const BENCH_PROBLEMS: &[&str] = &[
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
    month: &str,
    n_answers: usize,
) -> Result<(Vec<u8>, Vec<u8>), XlsxError> {
    const SURVEY_SCORED: usize = 20;
    const CALL_SCORES: usize = 4;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n_respondents = (n_answers / 2).div_ceil(SURVEY_SCORED).max(1);
    let n_calls = (n_answers - (n_answers / 2)).div_ceil(CALL_SCORES).max(1);

    let mut workbook = new_workbook(month_start(&shift_month(month, 1)))?;
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    let mut headers: Vec<&str> = vec![
        "序号",
        "提交答卷时间",
        "所用时间",
        "来源",
        "来源详情",
        "来自IP",
        "1、您购买产品的门店：",
    ];
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
        let at = month_start(month).and_time(NaiveTime::MIN)
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
    let compact = month.replace('-', "");
    for index in 0..n_calls {
        let day = (index as i64 * days) / n_calls as i64;
        let planned = month_start(month) + Duration::days(day);
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
