//! Survey export formats: 问卷星 (text and ordinal), Qualtrics, Google
//! Forms, SurveyMonkey, 腾讯问卷, and one survey in every file format.

use crate::util::*;

/// Real 问卷星 exports (按选项文本, BIFF8 .xls, submission time blanked) load
/// as long form, every question unmapped and listed. Expected counts come from
/// reading the fixture directly with calamine: data rows, and the non-empty
/// cells under `N、` headers (`NULL` counts as empty).
#[test]
fn real_wjx_exports_load_in_long_form_with_unmapped_questions_listed() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let config = Config::load(None).unwrap();
    let fixtures = manifest_dir().join("tests/fixtures/wjx");
    let mut expected = BTreeMap::new();
    let mut files = Vec::new();
    for name in ["wjx_text_800.xls", "wjx_text_357.xls"] {
        let path = fixtures.join(name);
        let range = read_sheet(&path, "Sheet1");
        let header: Vec<String> = range
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        let question_columns: Vec<usize> = header
            .iter()
            .enumerate()
            .filter(|(_, h)| {
                h.chars().next().is_some_and(|c| c.is_ascii_digit()) && h.contains('、')
            })
            .map(|(i, _)| i)
            .collect();
        let mut n_rows = 0;
        let mut n_cells = 0;
        for row in range.rows().skip(1) {
            if row.iter().all(|c| c.to_string().trim().is_empty()) {
                continue;
            }
            n_rows += 1;
            n_cells += question_columns
                .iter()
                .filter(|&&i| {
                    let text = row.get(i).map(|c| c.to_string()).unwrap_or_default();
                    !text.trim().is_empty() && text.trim() != "NULL"
                })
                .count();
        }
        // The month comes from the file name, as quality teams name their exports.
        let inbox_name = name.replace(".xls", "_2026-10.xls");
        expected.insert(
            inbox_name.clone(),
            (n_rows, n_cells, question_columns.len()),
        );
        files.push((inbox_name, std::fs::read(&path).unwrap()));
    }
    drop_into_inbox(&data_dir, &files);
    let mut store = pipeline::open_store(&data_dir).unwrap();
    let summary = pipeline::ingest(&config, &data_dir, &mut store, run_date(), settled()).unwrap();
    assert_eq!(summary.files.len(), 2);
    for file in &summary.files {
        match file {
            FileOutcome::Loaded {
                file,
                rows_loaded,
                answers_loaded,
                rejected,
                unmapped_questions,
                replaced,
                ..
            } => {
                let (n_rows, n_cells, n_questions) = expected[file];
                assert!(n_rows > 100, "{file}: fixture has data");
                assert_eq!(*rows_loaded, n_rows, "{file}");
                assert_eq!(*answers_loaded, n_cells, "{file}");
                assert!(rejected.is_empty(), "{file}: {rejected:?}");
                assert_eq!(unmapped_questions.len(), n_questions, "{file}");
                // Another questionnaire in the same month is not a re-export.
                assert!(replaced.is_empty(), "{file}: {replaced:?}");
            }
            other => panic!("{other:?}"),
        }
    }
}

/// A 问卷星 按选项序号 export (options numbered, 很满意 listed first, 0–10 as
/// score + 1, -3 skipped): positions 1 and 2 on 床垫整体质量 are 5 and 4
/// (mean 4.5 of 5); NPS 11 is 10 and -3 is no answer (mean 10 of 10).
/// M = (4.5 + 10) / (5 + 10) × 100 = 96.67 %.
#[test]
fn an_ordinal_wjx_export_maps_option_numbers_to_values() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let config = Config::load(None).unwrap();
    let csv = "序号,提交答卷时间,2、您对床垫整体质量的满意程度：,13、您有多大可能向亲友推荐我们的品牌？,第14题(送货),第14题(安装)\n\
               1,2026/10/3 14:05:09,1,11,1,0\n\
               2,2026/10/4 10:00:00,2,-3,0,1\n";
    drop_into_inbox(
        &data_dir,
        &[(
            "满意度调查_按选项序号_2026-10.csv".to_string(),
            csv.as_bytes().to_vec(),
        )],
    );
    let mut store = pipeline::open_store(&data_dir).unwrap();
    let summary = pipeline::ingest(&config, &data_dir, &mut store, run_date(), settled()).unwrap();
    match &summary.files[0] {
        FileOutcome::Loaded {
            source,
            rejected,
            unmapped_questions,
            ..
        } => {
            assert_eq!(source, "wjx_survey_ordinal");
            assert!(rejected.is_empty(), "{rejected:?}");
            assert_eq!(
                unmapped_questions,
                &vec!["第14题(送货)".to_string(), "第14题(安装)".to_string()]
            );
        }
        other => panic!("{other:?}"),
    }
    let results = pipeline::report(&config, &data_dir, &mut store, report_month())
        .unwrap()
        .results;
    let expected = (4.5 + 10.0) / (5.0 + 10.0) * 100.0;
    let company = results.company.unwrap();
    assert!(
        (company.satisfaction - expected).abs() < 1e-9,
        "{}",
        company.satisfaction
    );
    assert_eq!(company.n_answers, 3);
}

/// The real Qualtrics CSV: three header rows (codes, German question texts,
/// ImportIds), one response recorded 2017-07-18 with Q1 = 2 and Q2 = "Hello
/// World!" (its "Q2 - Topics" cell is empty). Read by hand from the fixture.
#[test]
fn a_qualtrics_export_with_three_header_rows_loads() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let config = Config::load(None).unwrap();
    let bytes = std::fs::read(manifest_dir().join("tests/fixtures/qualtrics/qualtrics_sample.csv"))
        .unwrap();
    drop_into_inbox(&data_dir, &[("qualtrics_sample.csv".to_string(), bytes)]);
    let mut store = pipeline::open_store(&data_dir).unwrap();
    let summary = pipeline::ingest(&config, &data_dir, &mut store, run_date(), settled()).unwrap();
    match &summary.files[0] {
        FileOutcome::Loaded {
            source,
            rows_loaded,
            answers_loaded,
            rejected,
            unmapped_questions,
            ..
        } => {
            assert_eq!(source, "qualtrics");
            assert_eq!(*rows_loaded, 1);
            assert_eq!(*answers_loaded, 2);
            assert!(rejected.is_empty(), "{rejected:?}");
            assert_eq!(
                unmapped_questions,
                &vec![
                    "Q1 This is a multiple choice question.".to_string(),
                    "Q2 This is a free text question.".to_string(),
                    "Q2 - Topics".to_string(),
                ]
            );
        }
        other => panic!("{other:?}"),
    }
}

/// Google Forms (Timestamp, no respondent id, month-first dates, checkboxes
/// joined with ", ", grid rows) and SurveyMonkey (two header rows) in their
/// published CSV layouts. With one question mapped in the configuration:
/// Very satisfied = 5 and Satisfied = 4 give M = 4.5 / 5 = 90 %.
#[test]
fn google_forms_and_surveymonkey_exports_load() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let mut config = Config::load(None).unwrap();
    config.questions.push(csat::config::Question {
        key: "mattress_overall_en".into(),
        match_text: "How satisfied are you with the mattress".into(),
        source: None,
        indicator: "product".into(),
        department: "quality".into(),
        scale: Scale::Likert5,
        category: None,
    });
    let google = "Timestamp,How satisfied are you with the mattress?,Which services did you use?,Rate each [Delivery],Rate each [Installation]\n\
                  10/3/2026 14:05:09,Very satisfied,\"Delivery, Installation\",4,5\n\
                  10/4/2026 9:00:00,Satisfied,Delivery,3,\n";
    let monkey = "Respondent ID,Collector ID,Start Date,End Date,IP Address,Email Address,First Name,Last Name,Custom Data 1,How satisfied are you with our delivery?,What could we do better?\n\
                  ,,,,,,,,,Response,Open-Ended Response\n\
                  114000000001,400000001,10/03/2026 02:05:09 PM,10/03/2026 02:07:00 PM,1.2.3.4,,,,,Very satisfied,Faster installation\n";
    drop_into_inbox(
        &data_dir,
        &[
            ("google_forms.csv".to_string(), google.as_bytes().to_vec()),
            ("surveymonkey.csv".to_string(), monkey.as_bytes().to_vec()),
        ],
    );
    let mut store = pipeline::open_store(&data_dir).unwrap();
    let summary = pipeline::ingest(&config, &data_dir, &mut store, run_date(), settled()).unwrap();
    for file in &summary.files {
        match file {
            FileOutcome::Loaded {
                file,
                source,
                rows_loaded,
                answers_loaded,
                rejected,
                unmapped_questions,
                ..
            } => {
                assert!(rejected.is_empty(), "{file}: {rejected:?}");
                if file == "google_forms.csv" {
                    assert_eq!(source, "google_forms");
                    assert_eq!(*rows_loaded, 2);
                    assert_eq!(*answers_loaded, 7, "2 mapped + 2 checkbox + 3 grid cells");
                    assert_eq!(
                        unmapped_questions,
                        &vec![
                            "Which services did you use?".to_string(),
                            "Rate each [Delivery]".to_string(),
                            "Rate each [Installation]".to_string(),
                        ]
                    );
                } else {
                    assert_eq!(source, "surveymonkey");
                    assert_eq!(*rows_loaded, 1);
                    assert_eq!(*answers_loaded, 2);
                    assert_eq!(
                        unmapped_questions,
                        &vec![
                            "How satisfied are you with our delivery? Response".to_string(),
                            "What could we do better? Open-Ended Response".to_string(),
                        ]
                    );
                }
            }
            other => panic!("{other:?}"),
        }
    }
    let company = pipeline::report(&config, &data_dir, &mut store, report_month())
        .unwrap()
        .results
        .company
        .unwrap();
    assert!(
        (company.satisfaction - 90.0).abs() < 1e-9,
        "{}",
        company.satisfaction
    );
    // n counts respondents behind the score: the two Google Forms rows; the
    // SurveyMonkey respondent answered no mapped question.
    assert_eq!(company.n_responses, 2);
}

/// The 按选项文本 and 按选项序号 exports of one real 问卷星 survey (800
/// respondents, headers differ: 序号 splits multiple choice into 第N题(选项)
/// columns) are recognised as the same survey: the second replaces the
/// first for the month instead of doubling it. A different survey (357) in
/// the same month is left alone.
#[test]
fn the_text_and_ordinal_exports_of_one_survey_count_once() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let config = Config::load(None).unwrap();
    let fixtures = manifest_dir().join("tests/fixtures/wjx");
    let mut store = pipeline::open_store(&data_dir).unwrap();
    let mut ingest_one = |name: &str, fixture: &str| {
        let bytes = std::fs::read(fixtures.join(fixture)).unwrap();
        drop_into_inbox(&data_dir, &[(name.to_string(), bytes)]);
        pipeline::ingest(&config, &data_dir, &mut store, run_date(), settled())
            .unwrap()
            .files
            .remove(0)
    };
    ingest_one("手机调查_按选项文本_2026-10.xls", "wjx_text_800.xls");
    ingest_one("学历调查_按选项文本_2026-10.xls", "wjx_text_357.xls");
    match ingest_one("手机调查_按选项序号_2026-10.xls", "wjx_ordinal_800.xls") {
        FileOutcome::Loaded {
            source, replaced, ..
        } => {
            assert_eq!(source, "wjx_survey_ordinal");
            assert_eq!(replaced.len(), 1, "{replaced:?}");
            assert_eq!(replaced[0].file_name, "手机调查_按选项文本_2026-10.xls");
            assert_eq!(replaced[0].month, "2026-10");
            assert_eq!(replaced[0].n_responses, 800);
        }
        other => panic!("{other:?}"),
    }
    let counts = store
        .query(
            "responses per file",
            "SELECT f.file_name, count(*) FROM responses AS r JOIN files AS f USING (file_id) \
             WHERE r.superseded_by IS NULL GROUP BY f.file_name ORDER BY f.file_name",
            &[],
        )
        .unwrap();
    let counts: Vec<(String, i64)> = counts
        .iter()
        .map(|r| (r[0].as_text().unwrap(), r[1].as_i64().unwrap()))
        .collect();
    // 357 has 204 data rows (the file's 序号 run 2…205).
    assert_eq!(
        counts,
        vec![
            ("学历调查_按选项文本_2026-10.xls".to_string(), 204),
            ("手机调查_按选项序号_2026-10.xls".to_string(), 800),
        ]
    );
}

/// One 问卷星 survey (three respondents; a matrix question whose second
/// sub-item is a bare column; 4分, (跳过), (空); a remark with a line break;
/// a trailing empty column) in every format a quality team might drop: the
/// UTF-8 CSV written by hand, the same converted by LibreOffice to .xlsx,
/// .xlsm, .xls (BIFF8) and .ods (dates become date cells), an .xlsx in the
/// 1904 date system (one date cell, one bare serial number), and the CSV
/// re-encoded as GBK, UTF-8 with BOM, UTF-16 tab-separated and `;`-separated.
/// Every one must store the same answers, read off the CSV by hand:
/// 床垫整体质量 很满意/不满意/5 → 5, 2, 5; 送货 满意/4分/(跳过) → 4, 4;
/// 安装 一般/很不满意/非常满意 → 3, 1, 5; 推荐 9/(跳过)/10 → 9, 10;
/// 所用时间 136秒, 2分16秒, 95秒 → 136, 136, 95 s.
#[test]
fn one_survey_in_every_format_stores_the_same_answers() {
    let dir = manifest_dir().join("tests/fixtures/formats");
    let csv_bytes = std::fs::read(dir.join("survey_2026-10.csv")).unwrap();
    let csv_text = String::from_utf8(csv_bytes.clone()).unwrap();
    let with_delimiter = |delimiter: u8| {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(csv_text.as_bytes());
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .from_writer(Vec::new());
        for record in reader.records() {
            writer.write_record(&record.unwrap()).unwrap();
        }
        String::from_utf8(writer.into_inner().unwrap()).unwrap()
    };
    let mut variants: Vec<(String, Vec<u8>)> = [
        "survey_2026-10.csv",
        "survey_2026-10.xlsx",
        "survey_2026-10.xlsm",
        "survey_2026-10.xls",
        "survey_2026-10.ods",
        "survey_1904_2026-10.xlsx",
    ]
    .iter()
    .map(|name| (name.to_string(), std::fs::read(dir.join(name)).unwrap()))
    .collect();
    variants.push((
        "survey_gbk_2026-10.csv".into(),
        encoding_rs::GBK.encode(&csv_text).0.into_owned(),
    ));
    variants.push((
        "survey_bom_2026-10.csv".into(),
        [&b"\xEF\xBB\xBF"[..], &csv_bytes].concat(),
    ));
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in with_delimiter(b'\t').encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    variants.push(("survey_unicode_2026-10.txt".into(), utf16));
    variants.push((
        "survey_semicolon_2026-10.csv".into(),
        with_delimiter(b';').into_bytes(),
    ));

    let expected_answers: Vec<(String, String, f64)> = [
        ("1", "delivery_on_time", 4.0),
        ("1", "installer", 3.0),
        ("1", "product_overall", 5.0),
        ("1", "recommend", 9.0),
        ("2", "delivery_on_time", 4.0),
        ("2", "installer", 1.0),
        ("2", "product_overall", 2.0),
        ("3", "installer", 5.0),
        ("3", "product_overall", 5.0),
        ("3", "recommend", 10.0),
    ]
    .iter()
    .map(|(r, q, v)| (r.to_string(), q.to_string(), *v))
    .collect();
    let expected_responses = vec![
        (
            "1".to_string(),
            "2026-10-03 14:05:09".to_string(),
            Some(136),
        ),
        (
            "2".to_string(),
            "2026-10-05 09:10:00".to_string(),
            Some(136),
        ),
        ("3".to_string(), "2026-10-07 10:00:00".to_string(), Some(95)),
    ];
    let config = Config::load(None).unwrap();
    for (name, bytes) in variants {
        let temp = tempfile::tempdir().unwrap();
        let data_dir = DataDir::new(temp.path());
        let mut store = pipeline::open_store(&data_dir).unwrap();
        drop_into_inbox(&data_dir, &[(name.clone(), bytes)]);
        let summary =
            pipeline::ingest(&config, &data_dir, &mut store, run_date(), settled()).unwrap();
        match &summary.files[0] {
            FileOutcome::Loaded {
                source,
                rejected,
                unmapped_questions,
                ..
            } => {
                assert_eq!(source, "wjx_survey", "{name}");
                assert!(rejected.is_empty(), "{name}: {rejected:?}");
                assert_eq!(
                    unmapped_questions,
                    &vec!["5、您的其他意见".to_string()],
                    "{name}"
                );
            }
            other => panic!("{name}: {other:?}"),
        }
        assert_eq!(stored_answers(&store), expected_answers, "{name}");
        assert_eq!(stored_responses(&store), expected_responses, "{name}");
        let remark = store
            .query(
                "remark",
                "SELECT a.raw_text FROM answers AS a \
                 JOIN responses AS r ON r.file_id = a.file_id AND r.row_number = a.response_row \
                 WHERE r.response_id = '1' AND a.question_key IS NULL",
                &[],
            )
            .unwrap();
        assert_eq!(
            remark[0][0].as_text().unwrap(),
            "床垫很好\n送货师傅也好",
            "{name}"
        );
        let matrix = store
            .query(
                "matrix label",
                "SELECT DISTINCT question_text FROM answers WHERE question_key = 'installer'",
                &[],
            )
            .unwrap();
        assert_eq!(
            matrix[0][0].as_text().unwrap(),
            "3、请评价以下服务—安装师傅的服务态度与专业性",
            "{name}"
        );
    }
}

/// A 腾讯问卷 CSV (UTF-8 with BOM, every line ending with a comma, questions
/// `N.题干`, answers `A.很满意`, multiple choice one column per option):
/// 床垫整体质量 A.很满意, D.不满意 → 5, 2; 推荐 10, 6; 答题时长 136, 95 s;
/// the store is 深圳福田店 without the option letter.
#[test]
fn a_tencent_survey_export_loads() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let config = Config::load(None).unwrap();
    let mut store = pipeline::open_store(&data_dir).unwrap();
    let bytes =
        std::fs::read(manifest_dir().join("tests/fixtures/formats/tencent_2026-10.csv")).unwrap();
    drop_into_inbox(&data_dir, &[("腾讯问卷_2026-10.csv".to_string(), bytes)]);
    let summary = pipeline::ingest(&config, &data_dir, &mut store, run_date(), settled()).unwrap();
    match &summary.files[0] {
        FileOutcome::Loaded {
            source,
            rejected,
            unmapped_questions,
            ..
        } => {
            assert_eq!(source, "tencent_survey");
            assert!(rejected.is_empty(), "{rejected:?}");
            assert_eq!(
                unmapped_questions,
                &vec![
                    "3.您通过哪些渠道了解我们:朋友推荐".to_string(),
                    "3.您通过哪些渠道了解我们:门店".to_string()
                ]
            );
        }
        other => panic!("{other:?}"),
    }
    let expected: Vec<(String, String, f64)> = [
        ("1", "product_overall", 5.0),
        ("1", "recommend", 10.0),
        ("2", "product_overall", 2.0),
        ("2", "recommend", 6.0),
    ]
    .iter()
    .map(|(r, q, v)| (r.to_string(), q.to_string(), *v))
    .collect();
    assert_eq!(stored_answers(&store), expected);
    assert_eq!(
        stored_responses(&store),
        vec![
            (
                "1".to_string(),
                "2026-10-03 14:02:16".to_string(),
                Some(136)
            ),
            ("2".to_string(), "2026-10-04 09:01:35".to_string(), Some(95)),
        ]
    );
    let dealers = store
        .query(
            "dealers",
            "SELECT dealer FROM responses ORDER BY response_id",
            &[],
        )
        .unwrap();
    assert_eq!(dealers[0][0].as_text().unwrap(), "深圳福田店");
    assert_eq!(dealers[1][0].as_text().unwrap(), "东莞南城店");
}
