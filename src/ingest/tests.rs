//! Unit tests of parsing whole files.

use super::*;

fn wjx_csv() -> String {
    [
        "序号,提交答卷时间,所用时间,来源,来源详情,来自IP,1、您购买产品的门店：,2、您对床垫整体质量的满意程度：,3、送货是否准时：,4、您的其他意见",
        "1,2026/10/3 14:05:09,136秒,手机提交,直接访问,1.2.3.4(广东-深圳),深圳福田店,很满意,不满意,无",
        "2,2026/10/4 09:00:00,88秒,微信,N/A,1.2.3.5(广东-东莞),东莞南城店,(跳过),满意的,",
        "3,上周,88秒,微信,N/A,1.2.3.5(广东-东莞),东莞南城店,满意,一般,",
    ]
    .join("\n")
}

#[test]
fn survey_rows_become_long_form_with_rejections_named() {
    let config = Config::load(None).unwrap();
    let parsed = parse_file(&config, "wjx.csv", wjx_csv().as_bytes()).unwrap();
    assert_eq!(parsed.source, "wjx_survey");
    assert_eq!(parsed.n_rows, 3);
    assert_eq!(parsed.responses.len(), 2, "row 4 has no parseable date");
    let values: Vec<(Option<&str>, Option<f64>)> = parsed
        .answers
        .iter()
        .map(|a| (a.question_key.as_deref(), a.value))
        .collect();
    assert_eq!(
        values,
        // Row 2's free-text 无 is stored (the comment topics drop it).
        vec![
            (Some("product_overall"), Some(5.0)),
            (Some("delivery_on_time"), Some(2.0)),
            (None, None),
            (Some("product_overall"), None),
        ]
    );
    assert_eq!(
        parsed.unmapped_questions,
        vec!["4、您的其他意见".to_string()]
    );
    assert_eq!(parsed.rejected.len(), 2);
    assert_eq!(parsed.rejected[0].row_number, 3);
    assert_eq!(parsed.rejected[0].column, "3、送货是否准时：");
    assert_eq!(parsed.rejected[0].value, "满意的");
    assert_eq!(parsed.rejected[1].row_number, 4);
    assert_eq!(parsed.rejected[1].column, "提交答卷时间");
    assert_eq!(parsed.responses[0].dealer.as_deref(), Some("深圳福田店"));
}

#[test]
fn months_in_file_names() {
    let month = |name: &str| month_in_file_name(name).map(|m| m.to_string());
    assert_eq!(month("问卷星_2026-10.xlsx").as_deref(), Some("2026-10"));
    assert_eq!(month("survey_202609.xls").as_deref(), Some("2026-09"));
    assert_eq!(month("2026年3月回访.csv").as_deref(), Some("2026-03"));
    assert_eq!(month("export_20261015.csv").as_deref(), Some("2026-10"));
    assert_eq!(month("wjx_text_800.xls"), None);
    assert_eq!(month("v2026-13.csv"), None);
}

#[test]
fn months_in_file_and_sheet_names() {
    use crate::config::MonthFrom;
    let today = NaiveDate::from_ymd_opt(2026, 11, 23);
    let month = |sheet: &str, file: &str, from: Option<MonthFrom>| {
        month_in_names(sheet, file, from, today).map(|m| m.to_string())
    };
    for file in [
        "回访_2026-10.csv",
        "回访_202610.csv",
        "回访_2610.csv",
        "2026年10月回访.csv",
        "10月回访.csv",
    ] {
        assert_eq!(
            month(file, file, None).as_deref(),
            Some("2026-10"),
            "{file}"
        );
    }
    // 10月 with no year: the latest October not after the run day; a
    // December sheet seen in November is last year's.
    assert_eq!(
        month("12月回访", "回访.xlsx", None).as_deref(),
        Some("2025-12")
    );
    // The year may come from the other name.
    assert_eq!(
        month("10月回访", "2027年回访.xlsx", None).as_deref(),
        Some("2027-10")
    );
    // The sheet name comes first; `month_from` picks one.
    assert_eq!(
        month("2026-09", "x_2026-10.xlsx", None).as_deref(),
        Some("2026-09")
    );
    assert_eq!(
        month("2026-09", "x_2026-10.xlsx", Some(MonthFrom::FileName)).as_deref(),
        Some("2026-10")
    );
    assert_eq!(
        month("Sheet1", "x_2026-10.xlsx", Some(MonthFrom::SheetName)),
        None
    );
    assert_eq!(month("Sheet1", "survey_800.csv", None), None);
    assert_eq!(month("Sheet1", "export_1234.csv", None), None);
    assert_eq!(month_in_names("10月", "x.csv", None, None), None);
}

#[test]
fn all_or_nothing_sources_refuse_the_whole_file() {
    let mut config = Config::load(None).unwrap();
    let csv = "客户编号,客户名称,合作开始日期\nC1,东莞南城店,2014-03-01\nC2,深圳福田店,去年\n";
    assert_eq!(
        parse_file(&config, "客户.csv", csv.as_bytes())
            .unwrap()
            .records
            .len(),
        1
    );
    config
        .sources
        .iter_mut()
        .find(|s| s.name == "customer_master")
        .unwrap()
        .all_or_nothing = true;
    let err = parse_file(&config, "客户.csv", csv.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("'customer_master' is all-or-nothing and 1 cells"),
        "{err}"
    );
    assert!(
        err.contains("row 3, column '合作开始日期': '去年' is not a date"),
        "{err}"
    );
}

#[test]
fn repeated_question_headers_stay_apart() {
    let config = Config::load(None).unwrap();
    let csv = "序号,提交答卷时间,3、备注,3、备注\n1,2026-10-03,甲,乙\n";
    let parsed = parse_file(&config, "x.csv", csv.as_bytes()).unwrap();
    assert_eq!(
        parsed.unmapped_questions,
        vec!["3、备注".to_string(), "3、备注 (2)".to_string()]
    );
    assert_eq!(&*parsed.answers[1].question_text, "3、备注 (2)");
}

#[test]
fn limesurvey_code_export_loads_every_subquestion() {
    let config = Config::load(None).unwrap();
    let csv = "\"id\",\"submitdate\",\"lastpage\",\"startlanguage\",\"seed\",\"Q1[SQ001]\",\"Q1[SQ002]\",\"Q2\"\n\
               \"1\",\"2026-10-03 14:05:09\",\"2\",\"zh-Hans\",\"123\",\"5\",\"4\",\"A2\"\n\
               \"2\",\"\",\"1\",\"zh-Hans\",\"456\",\"3\",\"\",\"\"\n";
    let parsed = parse_file(&config, "results-survey123.csv", csv.as_bytes()).unwrap();
    assert_eq!(parsed.source, "limesurvey");
    assert_eq!(
        parsed.unmapped_questions,
        vec!["Q1[SQ001]", "Q1[SQ002]", "Q2"]
    );
    // Row 3 was never submitted (empty submitdate, no month in the file name).
    assert_eq!(parsed.responses.len(), 1);
    assert_eq!(parsed.rejected[0].row_number, 3);
    assert_eq!(parsed.rejected[0].column, "submitdate");
    let values: Vec<Option<f64>> = parsed.answers.iter().map(|a| a.value).collect();
    assert_eq!(values, vec![Some(5.0), Some(4.0), None]);
}

#[test]
fn unknown_files_are_refused_with_reason() {
    let config = Config::load(None).unwrap();
    let err = parse_file(&config, "x.csv", "a,b\n1,2\n".as_bytes())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("csat does not recognise this file"),
        "{err}"
    );
}

#[test]
fn complaint_with_unknown_department_is_rejected_row() {
    let config = Config::load(None).unwrap();
    let csv = "客户投诉登记表\n投诉编号,受理日期,严重等级,责任部门\nT1,2026-10-02,1级,售后服务部\nT2,2026-10-03,2级,天文部\n";
    let parsed = parse_file(&config, "c.csv", csv.as_bytes()).unwrap();
    assert_eq!(parsed.records.len(), 1);
    assert_eq!(parsed.rejected[0].row_number, 4);
    assert_eq!(parsed.rejected[0].column, "责任部门");
    assert!(parsed.rejected[0]
        .expected
        .starts_with("a department of the configuration"));
}
