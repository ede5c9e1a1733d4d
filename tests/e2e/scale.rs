//! Scale: placeholder remarks are not problems, and the problem list and
//! the data-quality sheet stay bounded (aggregated rows, a capped list per
//! department, the rest in per-department detail workbooks).

use crate::util::*;

const CALLBACK_HEADER: &str = "回访单号,回访类型,计划回访日期,回访时间,客户编号,经销商,接通状态,整体服务评分,产品质量评分,安装送货态度评分,销售态度评分,客户反馈";

/// One call of 2026-10-`day`: id, reached, the four scores, the remark.
fn call(id: &str, day: u32, reached: bool, scores: [&str; 4], remark: &str) -> String {
    let date = format!("2026-10-{day:02}");
    let called = if reached {
        format!("{date} 10:00")
    } else {
        String::new()
    };
    format!(
        "{id},安装回访,{date},{called},C{id},深圳福田店,{},{},{},{},{},{remark}",
        if reached { "已接通" } else { "未接通" },
        scores[0],
        scores[1],
        scores[2],
        scores[3]
    )
}

/// Drops the month's callback export (`calls`) and survey export into the
/// inbox together and ingests them in one pass.
fn ingest_month(
    config: &Config,
    data_dir: &DataDir,
    calls: &[String],
    survey: &str,
) -> (csat::store::Store, csat::pipeline::IngestSummary) {
    drop_into_inbox(
        data_dir,
        &[
            ("回访记录_2026-10.csv".into(), callbacks_csv(calls)),
            ("问卷_2026-10.csv".into(), survey.as_bytes().to_vec()),
        ],
    );
    let mut store = pipeline::open_store(data_dir).unwrap();
    let summary = pipeline::ingest(config, data_dir, &mut store, run_date(), settled()).unwrap();
    (store, summary)
}

fn callbacks_csv(calls: &[String]) -> Vec<u8> {
    let mut text = CALLBACK_HEADER.to_string();
    for line in calls {
        text.push('\n');
        text.push_str(line);
    }
    text.push('\n');
    text.into_bytes()
}

/// Hand-worked: eleven 安装回访 calls in October 2026.
/// - H1–H6 reached, fine scores, remarks 无 / 没有。 / ` 正常 ` / N/A / `/` /
///   满意: placeholders, no problem.
/// - H7 迟到 (keyword 迟到 → 安装服务), H8 床垫有异味 and H9
///   异味很重，没有人处理 (异味 → 做工与用料; 没有 inside a real remark
///   does not make it a placeholder): three problems from remarks.
/// - H10 remark 无 but 整体服务评分 2: one low answer (cb_overall → 售后响应),
///   so the call counts in 提出问题, through its answer, not its remark.
/// - H11 not reached (remark 无).
///
/// Pareto by count: 做工与用料 2, 售后响应 1, 安装服务 1 (ties by name:
/// 售 U+552E before 安 U+5B89); no 未分类. 电话回访: planned 11, reached
/// 10, 提出问题 4 (H7–H10). A free-text survey comment 无 is not stored;
/// 送货太慢 is. With the list cut to just 无, the five other placeholders
/// become 未分类 problems (5) and 提出问题 9.
#[test]
fn placeholder_remarks_and_comments_are_not_problems() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let config = Config::load(None).unwrap();
    let good = ["5", "4", "5", "4"];
    let calls = vec![
        call("H1", 9, true, good, "无"),
        call("H2", 9, true, good, "没有。"),
        call("H3", 10, true, good, " 正常 "),
        call("H4", 10, true, good, "N/A"),
        call("H5", 12, true, good, "/"),
        call("H6", 12, true, good, "满意"),
        call("H7", 13, true, good, "安装师傅迟到了"),
        call("H8", 13, true, ["3", "3", "3", "3"], "床垫有异味"),
        call("H9", 14, true, good, "异味很重，没有人处理"),
        call("H10", 14, true, ["2", "4", "4", "4"], "无"),
        call("H11", 15, false, ["", "", "", ""], "无"),
    ];
    let survey = "序号,提交答卷时间,所用时间,来源,来源详情,来自IP,1、您购买产品的门店：,2、您对床垫整体质量的满意程度：,4、您的其他意见\n\
                  1,2026/10/3 14:05:09,136秒,手机提交,直接访问,1.2.3.4,深圳福田店,很满意,无\n\
                  2,2026/10/4 09:00:00,88秒,微信,直接访问,1.2.3.5,东莞南城店,满意,送货太慢\n";
    let (mut store, summary) = ingest_month(&config, &data_dir, &calls, survey);
    assert!(!summary.is_partial(), "{:?}", summary.files);

    let comments = store
        .query(
            "comments",
            "SELECT raw_text FROM answers WHERE question_key IS NULL AND question_text LIKE '4、%' ORDER BY raw_text",
            &[],
        )
        .unwrap();
    // Stored as written (no cell holding data disappears silently) …
    assert_eq!(
        comments,
        vec![
            vec![csat::store::SqlValue::Text("无".into())],
            vec![csat::store::SqlValue::Text("送货太慢".into())],
        ]
    );

    let outcome = pipeline::report(
        &config,
        &data_dir,
        &mut store,
        REPORT_MONTH.parse().unwrap(),
    )
    .unwrap();
    // … but the placeholder is no comment.
    let survey_comments: Vec<&(String, i64)> = outcome
        .results
        .comments
        .by_origin
        .iter()
        .filter(|(origin, _)| origin == "survey")
        .collect();
    assert_eq!(survey_comments, vec![&("survey".to_string(), 1)]);
    let company: Vec<(String, i64)> = outcome
        .results
        .pareto
        .iter()
        .map(|row| (row.category.clone(), row.count))
        .collect();
    assert_eq!(
        company,
        vec![
            ("做工与用料".to_string(), 2),
            ("售后响应".to_string(), 1),
            ("安装服务".to_string(), 1),
        ]
    );
    let install = outcome
        .results
        .callbacks
        .iter()
        .find(|c| c.callback_type == "安装回访")
        .unwrap();
    assert_eq!(
        (install.planned, install.reached, install.problems),
        (11, 10, 4)
    );
    let listed: Vec<String> = outcome
        .results
        .closed_loop
        .problems
        .iter()
        .map(|p| p.item_id.clone())
        .collect();
    assert_eq!(listed.len(), 4, "{listed:?}");
    for id in ["H7", "H8", "H9"] {
        assert!(listed.contains(&id.to_string()), "{id} in {listed:?}");
    }
    assert!(listed.iter().any(|id| id.starts_with("H10")), "{listed:?}");
    let pareto_sheet = read_sheet(&outcome.path, "问题柏拉图");
    for row in pareto_sheet.rows() {
        for cell in row {
            assert_ne!(cell.to_string(), "未分类", "no 未分类 problem");
        }
    }
    let callbacks_sheet = read_sheet(&outcome.path, "电话回访");
    assert_eq!(text(&callbacks_sheet, 0, 4), "提出问题");
    assert_eq!(number(&callbacks_sheet, 1, 4), 4.0);

    // The list is configuration: with only 无 the other placeholders count.
    let mut narrow = config.clone();
    narrow.pareto.no_problem_texts = vec!["无".to_string()];
    let outcome = pipeline::report(
        &narrow,
        &data_dir,
        &mut store,
        REPORT_MONTH.parse().unwrap(),
    )
    .unwrap();
    let unclassified = outcome
        .results
        .pareto
        .iter()
        .find(|row| row.category == "未分类")
        .map(|row| row.count);
    assert_eq!(unclassified, Some(5));
    let install = outcome
        .results
        .callbacks
        .iter()
        .find(|c| c.callback_type == "安装回访")
        .unwrap();
    assert_eq!(install.problems, 9);
}

/// Reads every row of every sheet of a detail workbook below its header:
/// (sheet name, item ids).
fn detail_sheets(path: &Path) -> Vec<(String, Vec<String>)> {
    let mut workbook = open_workbook_auto(path).unwrap();
    workbook
        .sheet_names()
        .into_iter()
        .map(|name| {
            let range = workbook.worksheet_range(&name).unwrap();
            assert_eq!(
                range.get_value((0, 1)).map(|c| c.to_string()).as_deref(),
                Some("编号")
            );
            let ids = range.rows().skip(1).map(|row| row[1].to_string()).collect();
            (name, ids)
        })
        .collect()
}

/// Hand-worked, with at most 3 problems listed per department and 4 rows
/// a detail sheet:
/// - 技术质量中心 (quality): complaint T1 (severity 1, 2026-10-20, due the
///   next working day 10-21, open on 10-31: overdue) and ten 异味 remarks
///   Q01–Q10 on 10-01 … 10-10 (keyword rule → quality). Listed: T1 (most
///   severe), Q01, Q02 (earliest due); the detail workbook holds Q03–Q10 on
///   two sheets of 4.
/// - 售后服务部: two 迟到 remarks, both listed, no detail workbook.
/// - no department: five remarks no rule knows (未分类): U1–U3 listed, U4
///   and U5 in the unassigned workbook.
///
/// Groups: (技术质量中心, 做工与用料, callback) 10; (技术质量中心, 未分类,
/// complaint) 1 with 1 overdue; (售后服务部, 安装服务, callback) 2;
/// (未指定部门, 未分类, callback) 5. 18 problems = 8 listed + 10 in detail.
/// Three calls carry a refused score; 数据质量 shows 2 and a line for the third.
#[test]
fn a_month_past_the_cap_lists_groups_capped_items_and_detail_workbooks() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let mut config = Config::load(None).unwrap();
    config.keyword_rules = vec![
        csat::config::KeywordRule {
            keyword: "异味".into(),
            category: "做工与用料".into(),
            department: Some("quality".into()),
        },
        csat::config::KeywordRule {
            keyword: "迟到".into(),
            category: "安装服务".into(),
            department: Some("after_sales".into()),
        },
    ];
    config.report.problem_items_per_department = 3;
    config.report.detail_rows_per_sheet = 4;
    config.report.refused_cells_shown = 2;
    let good = ["5", "4", "5", "4"];
    let mut calls = Vec::new();
    for day in 1..=10 {
        calls.push(call(&format!("Q{day:02}"), day, true, good, "床垫有异味"));
    }
    calls.push(call("A1", 11, true, good, "师傅迟到"));
    calls.push(call("A2", 12, true, good, "又迟到了"));
    for n in 1..=5 {
        calls.push(call(&format!("U{n}"), 15 + n, true, good, "说不清楚的问题"));
    }
    for n in 1..=3 {
        calls.push(call(&format!("B{n}"), 25, true, ["abc", "4", "4", "4"], ""));
    }
    let complaints =
        "客户投诉登记表\n投诉编号,受理日期,严重等级,责任部门\nT1,2026-10-20,1级,技术质量中心\n";
    drop_into_inbox(
        &data_dir,
        &[
            ("回访记录_2026-10.csv".into(), callbacks_csv(&calls)),
            ("投诉_2026-10.csv".into(), complaints.as_bytes().to_vec()),
        ],
    );
    let mut store = pipeline::open_store(&data_dir).unwrap();
    pipeline::ingest(&config, &data_dir, &mut store, run_date(), settled()).unwrap();
    let outcome = pipeline::report(
        &config,
        &data_dir,
        &mut store,
        REPORT_MONTH.parse().unwrap(),
    )
    .unwrap();
    let loop_ = &outcome.results.closed_loop;

    let groups: Vec<(&str, &str, &str, i64, i64)> = loop_
        .problem_groups
        .iter()
        .map(|g| {
            (
                g.department.as_str(),
                g.category.as_str(),
                g.origin.as_str(),
                g.n,
                g.n_overdue,
            )
        })
        .collect();
    assert_eq!(
        groups,
        vec![
            ("售后服务部", "安装服务", "callback", 2, 0),
            ("技术质量中心", "做工与用料", "callback", 10, 0),
            ("技术质量中心", "未分类", "complaint", 1, 1),
            ("未指定部门", "未分类", "callback", 5, 0),
        ]
    );
    let quality_complaint = &loop_.problem_groups[2];
    assert_eq!(
        (
            quality_complaint.oldest_open_due,
            quality_complaint.owner.as_str()
        ),
        (NaiveDate::from_ymd_opt(2026, 10, 21), "品质部经理")
    );

    let listed: Vec<&str> = loop_.problems.iter().map(|p| p.item_id.as_str()).collect();
    assert_eq!(
        listed,
        vec!["A1", "A2", "T1", "Q01", "Q02", "U1", "U2", "U3"]
    );
    let departments: Vec<(&str, i64, i64, Option<&str>)> = loop_
        .problem_departments
        .iter()
        .map(|d| {
            (
                d.department.as_str(),
                d.n_total,
                d.n_listed,
                d.detail_file.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        departments,
        vec![
            ("售后服务部", 2, 2, None),
            (
                "技术质量中心",
                11,
                3,
                Some("details/csat-problems-2026-10-quality.xlsx")
            ),
            (
                "未指定部门",
                5,
                3,
                Some("details/csat-problems-2026-10-unassigned.xlsx")
            ),
        ]
    );

    let reports_month = outcome.path.parent().unwrap();
    let quality = detail_sheets(&reports_month.join("details/csat-problems-2026-10-quality.xlsx"));
    assert_eq!(
        quality,
        vec![
            (
                "问题明细 1".to_string(),
                vec!["Q03", "Q04", "Q05", "Q06"]
                    .into_iter()
                    .map(String::from)
                    .collect()
            ),
            (
                "问题明细 2".to_string(),
                vec!["Q07", "Q08", "Q09", "Q10"]
                    .into_iter()
                    .map(String::from)
                    .collect()
            ),
        ]
    );
    let unassigned =
        detail_sheets(&reports_month.join("details/csat-problems-2026-10-unassigned.xlsx"));
    assert_eq!(
        unassigned,
        vec![(
            "问题明细 1".to_string(),
            vec!["U4".to_string(), "U5".to_string()]
        )]
    );
    assert!(!reports_month
        .join("details/csat-problems-2026-10-after_sales.xlsx")
        .exists());

    // The sheet adds up: groups 18 = items listed 8 + detail rows 10.
    let sheet = read_sheet(&outcome.path, "问题清单");
    let cells: Vec<Vec<String>> = sheet
        .rows()
        .map(|row| row.iter().map(|c| c.to_string()).collect())
        .collect();
    let group_total: f64 = (1..=4).map(|row| number(&sheet, row, 3)).sum();
    assert_eq!(group_total, 18.0);
    assert_eq!(cells[5][0], "合计 18 个问题，4 组");
    let items_header = cells
        .iter()
        .position(|row| row.first().map(String::as_str) == Some("来源") && row[1] == "编号")
        .expect("the items' header");
    let sheet_items: Vec<&str> = cells[items_header + 1..]
        .iter()
        .map(|row| row[1].as_str())
        .collect();
    assert_eq!(sheet_items, listed);
    let detail_rows: usize = quality
        .iter()
        .chain(&unassigned)
        .map(|(_, ids)| ids.len())
        .sum();
    assert_eq!(sheet_items.len() + detail_rows, 18);
    assert!(cells.iter().any(|row| row[0] == "技术质量中心"
        && row[3] == "8 个：details/csat-problems-2026-10-quality.xlsx"));

    // 数据质量: two refused cells listed, a line for the third.
    let quality_sheet = read_sheet(&outcome.path, "数据质量");
    let lines: Vec<String> = quality_sheet.rows().map(|row| row[0].to_string()).collect();
    assert!(
        lines.contains(&"拒收的单元格与行（3 处）".to_string()),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("另有 1 处未列出（共 3 处；列出前 2 处")),
        "{lines:?}"
    );

    // A larger cap lists everything, and the stale detail workbooks go.
    config.report.problem_items_per_department = 20;
    let outcome = pipeline::report(
        &config,
        &data_dir,
        &mut store,
        REPORT_MONTH.parse().unwrap(),
    )
    .unwrap();
    assert_eq!(outcome.results.closed_loop.problems.len(), 18);
    let details: Vec<_> = std::fs::read_dir(reports_month.join("details"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(details.is_empty(), "{details:?}");
}

/// `csat bench` at a small size (no timing asserted): both generated files
/// load (half the answers in the survey, half in the callbacks; callbacks
/// not reached carry none; the 1.3 MB CSV is over the 1 MB read whole, so
/// it is parsed from disk as it is read), every figure is printed, the largest sheet is
/// within Excel's rows, and the peak memory of the ingest and the report,
/// measured by the child processes themselves, stays under the bound the
/// README promises (250 MB ingest, 300 MB report). The pandas peer runs on
/// the same files (`--peer`): its company score, department scores and
/// Pareto, computed from the files by pandas, agree with csat's workbook.
#[test]
fn bench_measures_a_month_within_the_memory_bound() {
    let temp = tempfile::tempdir().unwrap();
    let python = test_python();
    let output = csat(&[
        "--data-dir",
        temp.path().to_str().unwrap(),
        "--today",
        "2026-11-05",
        "bench",
        "--sizes",
        "100000",
        "--peer",
        python.to_str().unwrap(),
    ]);
    let stdout = succeeded(output);
    let line = stdout
        .lines()
        .find(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or_else(|| panic!("{stdout}"));
    let fields: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(fields.len(), 13, "{line}");
    assert_eq!(fields[12], "yes", "the peer disagrees: {stdout}");
    let number = |i: usize| fields[i].parse::<f64>().unwrap();
    // 50,000 survey answers (2,500 respondents × 20), the free-text
    // comments that are not placeholders (at most one a respondent), and
    // 12,500 calls × 4 scores of which the reached ones (92 % ± noise) count.
    assert!(number(0) > 50_000.0 + 0.85 * 50_000.0, "{line}");
    assert!(number(0) < 100_000.0 + 2_500.0, "{line}");
    assert!(number(2) > 0.0 && number(2) < 250.0, "ingest peak {line}");
    assert!(number(4) > 0.0 && number(4) < 300.0, "report peak {line}");
    assert!(number(8) <= 1_048_576.0, "{line}");
    assert!(
        number(10) > 0.0 && number(11) > 0.0,
        "peer time and memory: {line}"
    );
}

/// `csat bench --history 2`: a store of three months (2026-08 to the report
/// month 2026-10) is ingested and reported twice. The one trend month
/// outside the report's three (2026-08) is kept with its company score
/// (V23), and that score is the month's item means over their maxima,
/// computed here from the stored answers by a query of the test's own.
#[test]
fn bench_history_keeps_the_trend_month_it_computed() {
    let temp = tempfile::tempdir().unwrap();
    let output = csat(&[
        "--data-dir",
        temp.path().to_str().unwrap(),
        "--today",
        "2026-11-05",
        "bench",
        "--sizes",
        "20000",
        "--history",
        "2",
    ]);
    let stdout = succeeded(output);
    assert!(
        stdout.contains("history: 3 months of 20000 answers"),
        "{stdout}"
    );
    let store =
        csat::store::Store::open(&temp.path().join("bench/history-20000/csat.duckdb")).unwrap();
    let kept = store
        .query(
            "kept",
            "SELECT month, score FROM company_month_scores ORDER BY month",
            &[],
        )
        .unwrap();
    assert_eq!(kept.len(), 1, "one trend month outside the three");
    assert_eq!(kept[0].text("month").unwrap(), "2026-08");
    let expected = store
        .query(
            "by hand",
            "SELECT sum(mean) / sum(scale_max) * 100 AS score FROM (
                 SELECT q.question_key, avg(a.value) AS mean, any_value(q.scale_max) AS scale_max
                 FROM answers AS a
                 JOIN responses AS r ON r.file_id = a.file_id AND r.row_number = a.response_row
                 JOIN question_map AS q ON q.question_key = a.question_key
                 WHERE r.month = '2026-08' AND r.superseded_by IS NULL AND a.value IS NOT NULL
                 GROUP BY q.question_key)",
            &[],
        )
        .unwrap()[0]
        .f64("score")
        .unwrap();
    let score = kept[0].f64("score").unwrap();
    assert!(
        (score - expected).abs() < 1e-9,
        "kept {score}, from the answers {expected}"
    );
}

/// `--history` past ten years is refused before anything is generated,
/// naming the bound (a month index far enough back would not be a date).
#[test]
fn bench_history_past_ten_years_is_refused() {
    let temp = tempfile::tempdir().unwrap();
    let output = csat(&[
        "--data-dir",
        temp.path().to_str().unwrap(),
        "bench",
        "--history",
        "2000000000",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("0..=120"), "{stderr}");
    assert!(!temp.path().join("bench").exists());
}

/// A call-centre export refused cell by cell: 20,000 calls (80,000 answers,
/// past one streamed chunk of 65,536), every fourth with a product score
/// that is no score. The refused cells go to the store with the chunks they
/// came in (the parser keeps only the first 1,000 to show): each is stored
/// once, none is lost, and the file's count and the outcome agree.
#[test]
fn refused_cells_stream_with_the_file_and_each_is_stored_once() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let config = Config::load(None).unwrap();
    let n_calls = 20_000;
    let mut calls = Vec::with_capacity(n_calls);
    let (mut n_bad, mut bad_rows_sum) = (0usize, 0usize);
    for i in 0..n_calls {
        let bad = i % 4 == 3;
        let product = if bad { "还行吧" } else { "4" };
        calls.push(call(
            &format!("R{i:06}"),
            1 + (i % 28) as u32,
            true,
            ["5", product, "5", "4"],
            "无",
        ));
        if bad {
            n_bad += 1;
            // The header is row 1: call i is on row i + 2.
            bad_rows_sum += i + 2;
        }
    }
    // A good survey export beside it loads as usual.
    let survey = "序号,提交答卷时间,所用时间,来源,来源详情,来自IP,1、您购买产品的门店：,2、您对床垫整体质量的满意程度：\n\
                  1,2026/10/3 14:05:09,136秒,手机提交,直接访问,1.2.3.4,深圳福田店,很满意\n";
    let (store, summary) = ingest_month(&config, &data_dir, &calls, survey);
    let [FileOutcome::Loaded {
        rows_loaded,
        answers_loaded,
        rejected,
        n_rejected,
        ..
    }, FileOutcome::Loaded {
        rows_loaded: survey_rows,
        n_rejected: survey_rejected,
        ..
    }] = summary.files.as_slice()
    else {
        panic!("{:?}", summary.files);
    };
    assert_eq!((*survey_rows, *survey_rejected), (1, 0));
    assert_eq!(*rows_loaded, n_calls);
    assert_eq!(*answers_loaded, 4 * n_calls - n_bad);
    assert_eq!(*n_rejected, n_bad);
    assert_eq!(rejected.len(), csat::ingest::REJECTED_KEPT);
    assert!(rejected.iter().all(|cell| cell.column == "产品质量评分"));

    let stored = store
        .query(
            "refused cells",
            "SELECT count(*) AS n, count(DISTINCT row_number) AS n_rows, \
                    CAST(sum(row_number) AS BIGINT) AS row_sum, \
                    (SELECT n_rejected FROM files WHERE file_name LIKE '回访%') AS counted \
             FROM rejected_rows WHERE file_name LIKE '回访%'",
            &[],
        )
        .unwrap();
    let row = &stored[0];
    assert_eq!(row.i64("n").unwrap(), n_bad as i64);
    assert_eq!(row.i64("n_rows").unwrap(), n_bad as i64);
    assert_eq!(row.i64("row_sum").unwrap(), bad_rows_sum as i64);
    assert_eq!(row.i64("counted").unwrap(), n_bad as i64);
}
