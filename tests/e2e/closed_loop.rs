//! The closed loop: callback summary, complaint deadlines and action plans.

use crate::util::*;

/// 电话回访汇总表 worked by hand: 安装回访 H1 reached (5, 4, 5, 4), H2 not
/// reached, H3 reached (2, 3, 1, 3), H5 reached (3, 3, 3, 3) at H1's store
/// (so two answers share each of that store's cells): planned 4, reached 3
/// (75 %), one problem (H3's low answers; 3 is not low), averages (overall,
/// product, installer, sales) 10/3, 10/3, 3, 10/3 of three answers each.
/// 三个月回访 H4 reached (4, 4, 4, 4) with a remark: planned 1, reached 1,
/// one problem. H6, an August call (1, 1, 1, 1), is not October's; August is
/// a trend month whose company score the report computes (and whose answer
/// cells it writes beside October's) before it reads October's cells.
#[test]
fn the_callback_summary_matches_hand_worked_values() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let config = Config::load(None).unwrap();
    let csv = "回访单号,回访类型,计划回访日期,回访时间,客户编号,经销商,接通状态,整体服务评分,产品质量评分,安装送货态度评分,销售态度评分,客户反馈\n\
               H1,安装回访,2026-10-02,2026-10-03 10:00,C1,深圳福田店,已接通,5,4,5,4,\n\
               H2,安装回访,2026-10-05,,C2,深圳福田店,未接通,,,,,\n\
               H3,安装回访,2026-10-06,2026-10-06 15:00,C3,深圳南山店,已接通,2,3,1,3,\n\
               H5,安装回访,2026-10-07,2026-10-07 09:30,C5,深圳福田店,已接通,3,3,3,3,\n\
               H6,安装回访,2026-08-12,2026-08-12 10:00,C6,深圳福田店,已接通,1,1,1,1,\n\
               H4,三个月回访,2026-10-08,2026-10-08 11:00,C4,深圳南山店,已接通,4,4,4,4,床垫有异味\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(csv);
    let visits = "走访编号,走访日期,客户编号,门店,2、您对床垫整体质量的满意程度：\n\
                  V1,2026-10-09,C9,深圳福田店,满意\n";
    drop_into_inbox(
        &data_dir,
        &[
            ("回访记录_2026-10.csv".into(), gbk.into_owned()),
            ("销售走访_2026-10.csv".into(), visits.as_bytes().to_vec()),
        ],
    );
    let mut store = pipeline::open_store(&data_dir).unwrap();
    let summary = pipeline::ingest(&config, &data_dir, &mut store, run_date(), settled()).unwrap();
    assert!(!summary.is_partial(), "{:?}", summary.files);
    let results = pipeline::report(&config, &data_dir, &mut store, report_month())
        .unwrap()
        .results;
    let by_type: BTreeMap<&str, &csat::analysis::CallbackSummary> = results
        .callbacks
        .iter()
        .map(|c| (c.callback_type.as_str(), c))
        .collect();
    let install = by_type["安装回访"];
    assert_eq!(
        (install.planned, install.reached, install.problems),
        (4, 3, 1)
    );
    assert!((install.reach_rate - 75.0).abs() < 1e-9);
    // Dimensions come in question-key order: cb_installer, cb_overall,
    // cb_product, cb_sales.
    let expected = [3.0, 10.0 / 3.0, 10.0 / 3.0, 10.0 / 3.0];
    assert_eq!(install.dimensions.len(), expected.len());
    for ((name, average, n), expected) in install.dimensions.iter().zip(expected) {
        assert!((average - expected).abs() < 1e-9, "{name}: {average}");
        assert_eq!(*n, 3, "{name}");
    }
    assert_eq!(install.dimensions[0].1, 3.0, "installer: (5 + 1 + 3) / 3");
    let three_months = by_type["三个月回访"];
    assert_eq!(
        (
            three_months.planned,
            three_months.reached,
            three_months.problems
        ),
        (1, 1, 1)
    );
    assert!(three_months.dimensions.iter().all(|d| d.1 == 4.0));
    // Channels: each callback type and the visits are groups of their own.
    // 安装回访: four questions of three answers each → (10/3 + 10/3 + 3 +
    // 10/3) / 20 = 13 / 20 = 65 %; the visit's 满意 = 4 / 5 = 80 %.
    let channel = |key: &str| {
        results
            .groups
            .iter()
            .find(|g| g.dimension.as_str() == "channel" && g.key == key)
            .unwrap_or_else(|| panic!("{key}: {:?}", results.groups))
    };
    assert!((channel("callback:安装回访").score - 65.0).abs() < 1e-9);
    assert_eq!(channel("callback:安装回访").name, "安装回访");
    assert!((channel("visit").score - 80.0).abs() < 1e-9);
    assert_eq!(channel("visit").n_responses, 1);
    let sheet = read_sheet(
        &pipeline::report(&config, &data_dir, &mut store, report_month())
            .unwrap()
            .path,
        "电话回访",
    );
    assert_eq!(text(&sheet, 0, 0), "回访类型");
}

/// Deadlines in working days around National Day 2026 (10-01..07 off,
/// Saturday 10-10 worked), worked by hand, as shown in October's report
/// (as of Saturday 10-31):
/// - complaint P1, severity 1, received Wed 09-30, answered 10-08: due one
///   working day later, Thu 10-08 → on time;
/// - P2, severity 2, received 09-30, never answered: due the third working
///   day, Sat 10-10; at 10-31 overdue by 15 working days (10-12..16, 19..23,
///   26..30);
/// - P3, severity 3, received Mon 10-26: due 10 working days later, Mon
///   11-09 (10-27..30, 11-02..06, 11-09); 6 working days left (11-02..06,
///   09); as October's problem it goes to 售后服务部 and its owner;
/// - proposal R1 received Fri 10-09: due 10 working days later, Thu 10-22
///   (10-10, 12..16, 19..22); processed 10-23 → late; R2 the same day with
///   approval: 15 working days, Thu 10-29; processed 10-28 → on time.
/// Action plans of 售后服务部: A1 open, due 10-20 (overdue, due this
/// month); A2 done without root cause or action (flagged); A3 done: 3 items,
/// 1 open, 2 closed, closure 66.7 %.
#[test]
fn deadlines_and_action_plans_match_hand_worked_values() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let mut config = Config::load(None).unwrap();
    config
        .departments
        .iter_mut()
        .find(|d| d.key == "after_sales")
        .unwrap()
        .owner = Some("李经理".into());
    let complaints = "投诉编号,受理日期,严重等级,原因类别,责任部门,回复日期,处理状态\n\
                      P1,2026-09-30,1,安装服务,售后服务部,2026-10-08,\n\
                      P2,2026-09-30,2,安装服务,售后服务部,,\n\
                      P3,2026-10-26,3,安装服务,售后服务部,,\n";
    let proposals = "提案编号,提出日期,提案类别,处理部门,回复日期,延期审批\n\
                     R1,2026-10-09,售后服务,售后服务部,2026-10-23,否\n\
                     R2,2026-10-09,售后服务,售后服务部,2026-10-28,是\n";
    let plans = "问题编号,问题描述,责任部门,根本原因,改善措施,责任人,计划完成日期,状态\n\
                 A1,安装预约难,售后服务部,人手不足,增派安装师傅,张三,2026-10-20,进行中\n\
                 A2,上门迟到,售后服务部,,,王五,2026-10-15,已完成\n\
                 A3,配件缺货,售后服务部,备件计划不足,建立安全库存,赵六,2026-10-10,已完成\n";
    drop_into_inbox(
        &data_dir,
        &[
            ("投诉.csv".into(), complaints.as_bytes().to_vec()),
            ("提案.csv".into(), proposals.as_bytes().to_vec()),
            ("行动计划追踪表_售后.csv".into(), plans.as_bytes().to_vec()),
        ],
    );
    let mut store = pipeline::open_store(&data_dir).unwrap();
    let summary = pipeline::ingest(&config, &data_dir, &mut store, run_date(), settled()).unwrap();
    assert!(!summary.is_partial(), "{:?}", summary.files);
    let outcome = pipeline::report(&config, &data_dir, &mut store, report_month()).unwrap();
    let closed_loop = &outcome.results.closed_loop;
    let date = |m: u32, d: u32| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    let item = |id: &str| {
        closed_loop
            .items
            .iter()
            .find(|i| i.item_id == id)
            .unwrap_or_else(|| panic!("{id}: {:?}", closed_loop.items))
    };
    assert_eq!(
        (item("P1").due_on, item("P1").on_time),
        (date(10, 8), Some(true))
    );
    assert_eq!(
        (item("P2").due_on, item("P2").days_left),
        (date(10, 10), Some(-15))
    );
    assert_eq!(
        (item("P3").due_on, item("P3").days_left),
        (date(11, 9), Some(6))
    );
    assert_eq!(
        (item("R1").due_on, item("R1").on_time),
        (date(10, 22), Some(false))
    );
    assert_eq!(
        (item("R2").due_on, item("R2").on_time),
        (date(10, 29), Some(true))
    );
    assert_eq!(item("P3").owner, "李经理");

    let p3 = closed_loop
        .problems
        .iter()
        .find(|p| p.item_id == "P3")
        .expect("P3 is one of October's problems");
    assert_eq!(
        (
            p3.department.as_str(),
            p3.owner.as_str(),
            p3.due_on,
            p3.days_left,
            p3.status.as_str()
        ),
        ("售后服务部", "李经理", date(11, 9), Some(6), "待处理")
    );
    assert!(
        closed_loop.problems.iter().all(|p| p.item_id != "P2"),
        "P2 is September's"
    );

    let tracking = &closed_loop.tracking[0];
    assert_eq!(tracking.department, "售后服务部");
    assert_eq!(
        (
            tracking.total,
            tracking.open,
            tracking.due_this_month,
            tracking.overdue,
            tracking.closed
        ),
        (3, 1, 1, 1, 2)
    );
    assert!((tracking.closure_rate - 200.0 / 3.0).abs() < 1e-9);
    assert_eq!(closed_loop.flagged.len(), 1);
    assert_eq!(closed_loop.flagged[0].item_id, "A2");
    assert_eq!(closed_loop.flagged[0].missing, "原因分析、改善措施");

    let sheet = read_sheet(&outcome.path, "投诉与提案");
    let p2_row = (1..sheet.height() as u32)
        .find(|&r| text(&sheet, r, 1) == "P2")
        .unwrap();
    assert_eq!(text(&sheet, p2_row, 11), "超期 15 个工作日");
    let tracking_sheet = read_sheet(&outcome.path, "行动计划跟踪");
    assert_eq!(text(&tracking_sheet, 1, 0), "售后服务部");
}
