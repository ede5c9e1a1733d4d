//! Survey and callback files: the 问卷星 questionnaire with its questions
//! and comments, and the call centre's GBK callback CSV.

use chrono::{Duration, NaiveDateTime, NaiveTime};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_xlsxwriter::XlsxError;

use super::company::{DEALERS, STORE_DEALERS};
use super::xlsx::{sheet_file, text, Value};
use super::{compact, days_in_month, noise, random_time_in, GeneratedResponse};
use crate::month::Month;

pub(super) struct SurveyQuestion {
    pub(super) key: &'static str,
    pub(super) header: &'static str,
    /// Mean on the 5-point scale before dealer and trend effects.
    pub(super) mean: f64,
    /// Extra mean for stores in 东莞 (late deliveries there).
    pub(super) dongguan: f64,
    /// Change of the mean per month of history (negative: getting worse).
    pub(super) trend: f64,
    /// True effect on overall satisfaction: how much a point above (or
    /// below) this question's own mean moves the overall answer.
    pub(super) effect: f64,
}

pub(super) const SURVEY_QUESTIONS: &[SurveyQuestion] = &[
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

/// The columns 问卷星 writes before the questions, and the store question.
pub(super) const META_HEADERS: [&str; 7] = [
    "序号",
    "提交答卷时间",
    "所用时间",
    "来源",
    "来源详情",
    "来自IP",
    "1、您购买产品的门店：",
];
pub(super) const NPS_HEADER: &str = "13、您有多大可能向亲友推荐我们的品牌？（0-10分）";
pub(super) const SUGGESTION_HEADER: &str = "14、您的其他意见或建议：";
pub(super) const OVERALL_HEADER: &str = "15、总体而言，您对我们的整体满意度：";

/// Overall satisfaction's mean on the 5-point scale before the items' effects.
pub(super) const OVERALL_MEAN: f64 = 3.95;

/// The true effect of each survey question on overall satisfaction (the
/// generator's weights): what the key-driver analysis should recover.
pub fn driver_effects() -> Vec<(&'static str, f64)> {
    SURVEY_QUESTIONS.iter().map(|q| (q.key, q.effect)).collect()
}

/// Survey comments by theme (the theme is drawn from the main random
/// stream, the wording from a stream of its own), and comments on other
/// subjects no keyword rule of the demo covers.
pub(super) const SUGGESTIONS: [&[&str]; 4] = [
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
pub(super) const OTHER_COMMENTS: &[&str] = &[
    "客服电话一直打不通",
    "客服回复太慢",
    "包装破损，外包装要加强",
    "发票开具太慢",
    "床垫偏硬，睡着腰有点酸",
    "门店导购很热情",
];
/// Answers that say nothing, as customers write them.
pub(super) const PLACEHOLDER_COMMENTS: &[&str] = &["无", "没有", "无意见", "N/A", "。"];

pub(super) const CALLBACK_TYPES: &[&str] =
    &["安装回访", "问题关闭回访", "三个月回访", "增值服务回访"];

pub(super) fn likert(rng: &mut ChaCha8Rng, mean: f64) -> f64 {
    (mean + noise(rng, 0.8)).round().clamp(1.0, 5.0)
}

pub(super) fn likert_label(rng: &mut ChaCha8Rng, value: f64) -> &'static str {
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

pub(super) fn survey_file(
    rng: &mut ChaCha8Rng,
    month: Month,
    month_index: usize,
    truth: &mut Vec<GeneratedResponse>,
) -> Result<Vec<u8>, XlsxError> {
    let n_respondents = rng.gen_range(90..130);
    let (headers, rows) = survey_rows(rng, month, month_index, n_respondents, truth, true);
    let created = month.shift(1).first_day();
    sheet_file(created, "Sheet1", None, &headers, &rows)
}

pub(super) type SurveyRows = (Vec<&'static str>, Vec<Vec<Value>>);

pub(super) fn survey_rows(
    rng: &mut ChaCha8Rng,
    month: Month,
    month_index: usize,
    n_respondents: usize,
    truth: &mut Vec<GeneratedResponse>,
    with_overall: bool,
) -> SurveyRows {
    let mut headers = META_HEADERS.to_vec();
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

pub(super) fn callback_file(
    rng: &mut ChaCha8Rng,
    month: Month,
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
        let planned = month.first_day() + Duration::days(rng.gen_range(0..days_in_month(month)));
        let reached = rng.gen_bool(0.85);
        let name = format!(
            "{}{}",
            surnames[rng.gen_range(0..10)],
            given[rng.gen_range(0..10)]
        );
        let phone = format!("13{:09}", rng.gen_range(0..1_000_000_000u64));
        let consumer_id = format!("K{}{:04}", compact(month), index + 1);
        let mut fields: Vec<String> = vec![
            format!("HF{}{:04}", compact(month), index + 1),
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
