//! Record files: complaints, proposals, customer master, sales, payments,
//! the action-plan tracker and the dispatch statistics.

use chrono::{Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_xlsxwriter::XlsxError;

use super::company::DEALERS;
use super::xlsx::{sheet_file, text, Value};
use super::{compact, days_in_month, GeneratedResponse};
use crate::month::Month;

/// Complaint root-cause categories: (category, weight, responsible department).
pub(super) const COMPLAINT_CATEGORIES: &[(&str, f64, &str)] = &[
    ("安装服务", 0.24, "售后服务部"),
    ("做工与用料", 0.2, "生产部"),
    ("产品质量", 0.16, "品质部"),
    ("物流配送", 0.16, "PMC"),
    ("售后响应", 0.1, "售后服务部"),
    ("销售服务", 0.05, "经销商"),
    ("价格", 0.03, "营销中心"),
    ("其他", 0.06, "客服中心"),
];

pub(super) const PROPOSAL_CATEGORIES: &[(&str, &str)] = &[
    ("产品标准化", "研发部"),
    ("销售渠道", "营销中心"),
    ("生产工艺", "工艺部"),
    ("检验效率", "品质部"),
    ("新材料/新部件", "研发部"),
    ("售后服务", "售后服务部"),
];

/// 问卷发放统计: questionnaires sent per month (a response rate of 55–80 %)
/// and customers served (so the sample check passes). Its own random stream,
/// so the other files do not change with it.
pub(super) fn dispatch_file(
    seed: u64,
    months: &[Month],
    responses: &[GeneratedResponse],
    today: NaiveDate,
) -> Result<Vec<u8>, XlsxError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5EED_D15A);
    let rows: Vec<Vec<Value>> = months
        .iter()
        .map(|month| {
            let returned = responses
                .iter()
                .filter(|r| r.month == month.to_string() && r.channel == "questionnaire")
                .count() as f64;
            let rate = rng.gen_range(0.55..0.80);
            let served = rng.gen_range(400.0..900.0_f64).round();
            vec![
                text(month.to_string()),
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

pub(super) fn pick_weighted<'a>(
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

pub(super) fn complaints_file(
    rng: &mut ChaCha8Rng,
    month: Month,
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
        let received = month.first_day() + Duration::days(rng.gen_range(0..days_in_month(month)));
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
            text(format!("TS{}-{:03}", compact(month), index + 1)),
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
    let (year, month_number) = (month.year(), month.number());
    let title = format!("客户投诉登记表（{year}年{month_number}月）");
    sheet_file(
        month.shift(1).first_day(),
        "投诉登记",
        Some(&title),
        HEADERS,
        &rows,
    )
}

pub(super) fn proposals_file(
    rng: &mut ChaCha8Rng,
    months: &[Month],
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
    for (index, &month) in months.iter().enumerate() {
        for sub in 0..rng.gen_range(1..4) {
            let (category, department) =
                PROPOSAL_CATEGORIES[rng.gen_range(0..PROPOSAL_CATEGORIES.len())];
            let dealer = &DEALERS[rng.gen_range(0..DEALERS.len())];
            let received =
                month.first_day() + Duration::days(rng.gen_range(0..days_in_month(month)));
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

pub(super) fn customers_file(rng: &mut ChaCha8Rng, today: NaiveDate) -> Result<Vec<u8>, XlsxError> {
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

pub(super) fn sales_and_payment_files(
    rng: &mut ChaCha8Rng,
    months: &[Month],
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
    for &month in months {
        let start = month.first_day();
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
                text(month.to_string()),
                Value::Number(amount),
                Value::Number(margin),
                Value::Number(orders),
            ]);
            let invoiced = month.shift(1).first_day() - Duration::days(1);
            let due = invoiced + Duration::days(30);
            let paid = if rng.gen_bool(dealer.late) {
                due + Duration::days(rng.gen_range(5..40))
            } else {
                due - Duration::days(rng.gen_range(0..10))
            };
            payments.push(vec![
                text(format!("FP{}{}", compact(month), &dealer.id[1..])),
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

pub(super) fn action_plan_file(last_month: Month, today: NaiveDate) -> Result<Vec<u8>, XlsxError> {
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
    let start = last_month.first_day();
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
                    text(format!("XD{}-{:02}", compact(last_month), index + 1)),
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
