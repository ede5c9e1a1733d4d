//! Hand-made export layouts go from "rejected" to loading without reading
//! the source code: the file is quarantined with a `.suggested.toml`;
//! `csat sources suggest` prints the same block; appended to the shipped
//! configuration it fails `csat check` until the TODO values are filled,
//! then passes; the dry run shows what ingest then stores, storing nothing.
//!
//! Every count below is worked out by hand from the rows written here.

use crate::util::*;

/// One hand-made layout and what it must load, counted by hand.
struct Layout {
    file_name: &'static str,
    bytes: Vec<u8>,
    /// Rows stored: respondents, or a callback file's calls.
    rows: usize,
    /// Answers stored (scored and free text).
    answers: usize,
    /// Cells or rows refused.
    rejected: usize,
}

/// The suggested source after the whole round trip, with its data dir.
struct Loaded {
    _temp: tempfile::TempDir,
    data_dir: DataDir,
    store: csat::store::Store,
    suggestion: String,
    config: Config,
}

fn fill_todos(suggestion: &str) -> String {
    suggestion
        .replace("indicator = \"TODO\"", "indicator = \"service\"")
        .replace("department = \"TODO\"", "department = \"customer_service\"")
}

fn run(data_dir: &DataDir, args: &[&str]) -> std::process::Output {
    let mut all = vec![
        "--data-dir",
        data_dir.root().to_str().unwrap(),
        "--today",
        "2026-11-23",
    ];
    all.extend_from_slice(args);
    csat(&all)
}

/// The whole round trip for one layout.
fn round_trip(layout: &Layout) -> Loaded {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path().join("data"));
    let exports = temp.path().join("exports");
    std::fs::create_dir_all(&exports).unwrap();
    let export = exports.join(layout.file_name);
    std::fs::write(&export, &layout.bytes).unwrap();
    let export_arg = export.to_str().unwrap();

    // 1. The shipped configuration does not know it: quarantined, with a
    //    suggestion beside the reasons.
    drop_into_inbox(
        &data_dir,
        &[(layout.file_name.to_string(), layout.bytes.clone())],
    );
    let shipped = Config::load(None).unwrap();
    let mut store = pipeline::open_store(&data_dir).unwrap();
    let summary = pipeline::ingest(&shipped, &data_dir, &mut store, run_date(), settled()).unwrap();
    drop(store);
    match &summary.files[..] {
        [FileOutcome::Rejected { reason, .. }] => {
            assert!(
                reason.starts_with("csat does not recognise this file"),
                "{reason}"
            );
            assert!(
                reason.contains(&format!(
                    "{}.suggested.toml beside this file",
                    layout.file_name
                )),
                "{reason}"
            );
        }
        other => panic!("{}: {other:?}", layout.file_name),
    }
    let sidecar = data_dir
        .rejected()
        .join(format!("{}.suggested.toml", layout.file_name));
    let beside = std::fs::read_to_string(&sidecar).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&sidecar).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", sidecar.display());
    }
    let reasons = std::fs::read_to_string(
        data_dir
            .rejected()
            .join(format!("{}.reasons.txt", layout.file_name)),
    )
    .unwrap();
    assert!(reasons.contains("suggested.toml"), "{reasons}");
    // The suggestion is not a rejected file of its own.
    let store = pipeline::open_store(&data_dir).unwrap();
    let readiness =
        pipeline::readiness(&shipped, &data_dir, &store, REPORT_MONTH.parse().unwrap()).unwrap();
    drop(store);
    assert_eq!(readiness.rejected_files, vec![layout.file_name.to_string()]);

    // 2. `csat sources suggest` prints the same block.
    let output = run(&data_dir, &["sources", "suggest", export_arg]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let suggestion = String::from_utf8(output.stdout).unwrap();
    assert_eq!(suggestion, beside, "the sidecar and the command agree");
    assert!(suggestion.contains("indicator = \"TODO\""), "{suggestion}");

    // 3. Appended as is, `csat check` refuses the TODO values …
    let config_path = data_dir.config_file();
    std::fs::write(&config_path, format!("{DEFAULT_CONFIG}\n{suggestion}")).unwrap();
    let output = run(&data_dir, &["check"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("is still TODO; fill in one of: "),
        "{stderr}"
    );

    // … and passes once only they are filled in.
    let filled = fill_todos(&suggestion);
    assert!(!filled.contains("= \"TODO\""), "{filled}");
    std::fs::write(&config_path, format!("{DEFAULT_CONFIG}\n{filled}")).unwrap();
    let output = run(&data_dir, &["check"]);
    assert!(
        output.status.success(),
        "{}\n{suggestion}",
        String::from_utf8_lossy(&output.stderr)
    );

    // 4. The dry run shows the counts and stores nothing.
    let database_before = std::fs::read(data_dir.database()).unwrap();
    let output = run(&data_dir, &["ingest", "--dry-run", export_arg]);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let expected_line = format!(
        "{} rows loaded, {} answers, {} cells refused",
        layout.rows, layout.answers, layout.rejected
    );
    assert!(
        stdout.contains(&expected_line),
        "{expected_line}\n{stdout}\n{suggestion}"
    );
    assert!(
        stdout.contains("dry run: nothing was stored or moved"),
        "{stdout}"
    );
    assert_eq!(
        output.status.code(),
        Some(if layout.rejected == 0 { 0 } else { 1 }),
        "{stdout}"
    );
    assert_eq!(std::fs::read(data_dir.database()).unwrap(), database_before);
    assert!(export.exists());

    // 5. Dropped again, the file loads with the hand-worked counts.
    std::fs::remove_file(data_dir.rejected().join(layout.file_name)).unwrap();
    drop_into_inbox(
        &data_dir,
        &[(layout.file_name.to_string(), layout.bytes.clone())],
    );
    let config = Config::load(Some(&config_path)).unwrap();
    let mut store = pipeline::open_store(&data_dir).unwrap();
    let summary = pipeline::ingest(&config, &data_dir, &mut store, run_date(), settled()).unwrap();
    let source_name = config.sources.last().unwrap().name.clone();
    match &summary.files[..] {
        [FileOutcome::Loaded {
            source,
            rows_loaded,
            answers_loaded,
            rejected,
            ..
        }] => {
            assert_eq!(source, &source_name);
            assert_eq!(
                (*rows_loaded, *answers_loaded, rejected.len()),
                (layout.rows, layout.answers, layout.rejected),
                "{rejected:?}\n{suggestion}"
            );
        }
        other => panic!("{}: {other:?}\n{suggestion}", layout.file_name),
    }
    Loaded {
        _temp: temp,
        data_dir,
        store,
        suggestion,
        config,
    }
}

impl Loaded {
    /// The suggestion holds `line` (a TOML line or part of one).
    fn expect_suggested(&self, line: &str) {
        assert!(
            self.suggestion.contains(line),
            "{line}: {}",
            self.suggestion
        );
    }

    /// The suggestion does not hold `text`.
    fn refute_suggested(&self, text: &str) {
        assert!(
            !self.suggestion.contains(text),
            "{text}: {}",
            self.suggestion
        );
    }

    /// Stored answers to the questions on `scale`.
    fn answers_on(&self, scale: Scale) -> Vec<f64> {
        stored_answers(&self.store)
            .into_iter()
            .filter(|(_, key, _)| {
                self.config
                    .questions
                    .iter()
                    .any(|q| &q.key == key && q.scale == scale)
            })
            .map(|(_, _, v)| v)
            .collect()
    }
}

const DEFAULT_CONFIG: &str = csat::config::DEFAULT_CONFIG_TOML;

/// Scored answers stored, by question key.
fn scored_per_question(store: &csat::store::Store) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for (_, key, _) in stored_answers(store) {
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

/// A GBK call-centre CSV: 是否接通 and four 1–5 score columns; 10 calls,
/// 2 not reached (no time, no scores); GD005 left 产品质量 blank.
fn callcenter_gbk() -> Layout {
    let text = "工单编号,回访类型,客户编号,经销商,回访时间,是否接通,送货及时性,安装质量,服务态度,产品质量,客户意见\r\n\
GD001,安装回访,C001,深圳福田店,2026-10-02 10:00:00,是,5,5,4,5,师傅很专业\r\n\
GD002,安装回访,C002,深圳福田店,2026-10-03 11:00:00,是,4,3,4,4,\r\n\
GD003,送货回访,C003,东莞南城店,,否,,,,,\r\n\
GD004,送货回访,C004,东莞南城店,2026-10-05 15:30:00,是,2,4,3,3,送货晚了两天\r\n\
GD005,安装回访,C005,广州天河店,2026-10-06 09:45:00,是,5,5,5,,\r\n\
GD006,送货回访,C006,广州天河店,,否,,,,,\r\n\
GD007,安装回访,C007,深圳福田店,2026-10-09 14:20:00,是,3,2,3,4,安装有划痕\r\n\
GD008,送货回访,C008,东莞南城店,2026-10-12 16:00:00,是,4,4,4,4,\r\n\
GD009,安装回访,C009,广州天河店,2026-10-15 10:10:00,是,5,4,5,5,\r\n\
GD010,送货回访,C010,深圳福田店,2026-10-18 17:05:00,是,1,3,2,2,床垫有异味\r\n";
    Layout {
        file_name: "回访记录_2026年10月.csv",
        bytes: encoding_rs::GBK.encode(text).0.into_owned(),
        // 10 calls stored; 8 reached × 4 scores − 1 blank = 31 answers.
        rows: 10,
        answers: 31,
        rejected: 0,
    }
}

#[test]
fn a_gbk_call_centre_csv_loads_as_callbacks() {
    let loaded = round_trip(&callcenter_gbk());
    loaded.expect_suggested("kind = \"callback\"");
    loaded.expect_suggested("reached = \"是否接通\"");
    loaded.expect_suggested("remark = \"客户意见\"");
    // Per score column: 8 reached calls, 产品质量 one fewer.
    let counts: Vec<usize> = scored_per_question(&loaded.store).into_values().collect();
    let mut sorted = counts.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, vec![7, 8, 8, 8]);
}

/// Excel "Unicode text": UTF-16 LE with BOM, tab-separated, CRLF; labels,
/// a 0–10 column and free text (3 of 8 filled).
fn unicode_text() -> Layout {
    let text = "问卷编号\t填写日期\t门店\t整体满意度\t服务态度\t推荐意愿(0-10)\t建议\r\n\
Q001\t2026/10/5\t深圳福田店\t很满意\t满意\t9\t希望多些优惠\r\n\
Q002\t2026/10/6\t东莞南城店\t满意\t满意\t8\t\r\n\
Q003\t2026/10/8\t东莞南城店\t一般\t不满意\t6\t导购不够热情\r\n\
Q004\t2026/10/9\t深圳福田店\t很满意\t很满意\t10\t\r\n\
Q005\t2026/10/11\t广州天河店\t不满意\t一般\t3\t送货太慢\r\n\
Q006\t2026/10/15\t广州天河店\t满意\t满意\t7\t\r\n\
Q007\t2026/10/20\t深圳福田店\t很满意\t满意\t9\t\r\n\
Q008\t2026/10/25\t东莞南城店\t满意\t很满意\t10\t\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    Layout {
        file_name: "满意度调查.txt",
        bytes,
        // 8 respondents × 3 scored + 3 suggestions.
        rows: 8,
        answers: 27,
        rejected: 0,
    }
}

#[test]
fn a_utf16_unicode_text_export_loads() {
    let loaded = round_trip(&unicode_text());
    loaded.expect_suggested("scale = \"nps10\"");
    // 服务态度 gets a likert5 stub; 整体满意度 is already the shipped
    // configuration's `overall` question (the key-driver outcome), so it
    // gets none.
    assert_eq!(loaded.suggestion.matches("scale = \"likert5\"").count(), 1);
    // The 0–10 question: 9+8+6+10+3+7+9+10 = 62 over 8 answers.
    let nps = loaded.answers_on(Scale::Nps10);
    assert_eq!(nps.len(), 8);
    assert_eq!(nps.iter().sum::<f64>(), 62.0);
}

/// GB18030 (a name outside GBK: 䶮), `;`-separated, no time column, the
/// month in the file name as `2610`.
fn gb18030_semicolon_text() -> String {
    "客户编号;客户名称;满意度;备注\r\n\
C101;刘䶮家居;5;\r\n\
C102;南城床品店;4;送货准时\r\n\
C103;福田家私;3;\r\n\
C104;天河寝具;5;\r\n\
C105;宝安家具城;2;床垫偏软\r\n\
C106;龙岗睡眠馆;4;\r\n\
C107;罗湖家居;5;服务好\r\n\
C108;南山床垫店;1;有异味\r\n\
C109;番禺家私;4;\r\n\
C110;顺德家具;3;\r\n"
        .to_string()
}

fn gb18030_semicolon() -> Layout {
    Layout {
        file_name: "客户回访_2610.csv",
        bytes: encoding_rs::GB18030
            .encode(&gb18030_semicolon_text())
            .0
            .into_owned(),
        // 10 respondents × 1 score + 4 remarks.
        rows: 10,
        answers: 14,
        rejected: 0,
    }
}

#[test]
fn a_gb18030_semicolon_survey_without_time_column_takes_the_month_from_its_name() {
    let layout = gb18030_semicolon();
    let loaded = round_trip(&layout);
    loaded.expect_suggested("month_from = \"file_name\"");
    loaded.refute_suggested("submitted_at");
    let responses = stored_responses(&loaded.store);
    assert_eq!(responses.len(), 10);
    assert!(
        responses
            .iter()
            .all(|(_, at, _)| at == "2026-10-01 00:00:00"),
        "{responses:?}"
    );
    // 客户名称 is customer data: listed as not loaded, never stored.
    let names = loaded
        .store
        .query(
            "names",
            "SELECT count(*) FROM answers WHERE raw_text = '刘䶮家居'",
            &[],
        )
        .unwrap();
    assert_eq!(names[0][0].as_i64(), Some(0));

    // The same survey named with the month in every form loads into that month.
    let config = loaded.config.clone();
    for (index, name) in [
        "客户回访_2026-10.csv",
        "客户回访_202610.csv",
        "客户回访_2610.csv",
        "2026年10月客户回访.csv",
        "10月客户回访.csv",
    ]
    .iter()
    .enumerate()
    {
        let temp = tempfile::tempdir().unwrap();
        let data_dir = DataDir::new(temp.path());
        // Different bytes each time, so none is a duplicate of another.
        let text = format!("{}C9{index:02};另一家店;4;\r\n", gb18030_semicolon_text());
        let bytes = encoding_rs::GB18030.encode(&text).0.into_owned();
        drop_into_inbox(&data_dir, &[(name.to_string(), bytes)]);
        let mut store = pipeline::open_store(&data_dir).unwrap();
        let summary =
            pipeline::ingest(&config, &data_dir, &mut store, run_date(), settled()).unwrap();
        assert!(
            matches!(
                &summary.files[..],
                [FileOutcome::Loaded {
                    rows_loaded: 11,
                    ..
                }]
            ),
            "{name}: {:?}",
            summary.files
        );
        let responses = stored_responses(&store);
        assert!(
            responses
                .iter()
                .all(|(_, at, _)| at == "2026-10-01 00:00:00"),
            "{name}: {responses:?}"
        );
    }
    // Without a month in the name, every row says what is missing.
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    drop_into_inbox(
        &data_dir,
        &[("客户回访.csv".to_string(), layout.bytes.clone())],
    );
    let mut store = pipeline::open_store(&data_dir).unwrap();
    let summary = pipeline::ingest(&config, &data_dir, &mut store, run_date(), settled()).unwrap();
    match &summary.files[..] {
        [FileOutcome::Rejected { reason, .. }] => assert!(
            reason.contains(
                "a month in the sheet or file name (2026-10, 202610, 2610, 2026年10月 or 10月)"
            ),
            "{reason}"
        ),
        other => panic!("{other:?}"),
    }
}

/// A month in a workbook's sheet name (`10月回访`), the year from the file name.
#[test]
fn a_survey_without_time_column_takes_the_month_from_its_sheet_name() {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("10月回访").unwrap();
    for (column, header) in ["客户编号", "客户名称", "满意度", "备注"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, column as u16, *header).unwrap();
    }
    for row in 1..=4u32 {
        sheet.write_string(row, 0, format!("C{row}")).unwrap();
        sheet.write_string(row, 1, format!("店{row}")).unwrap();
        sheet.write_number(row, 2, f64::from(row)).unwrap();
    }
    let bytes = workbook.save_to_buffer().unwrap();
    let config = Config::load(None).unwrap();
    let suggestion =
        csat::ingest::suggest::suggest(&config, "2026年客户回访.xlsx", &bytes, Some(run_date()))
            .unwrap()
            .toml;
    assert!(
        suggestion.contains("month_from = \"sheet_name\""),
        "{suggestion}"
    );
    let config = Config::parse(
        &format!("{DEFAULT_CONFIG}\n{}", fill_todos(&suggestion)),
        "x",
    )
    .unwrap();
    let parsed =
        csat::ingest::parse_file_on(&config, "2026年客户回访.xlsx", &bytes, Some(run_date()))
            .unwrap();
    assert_eq!(parsed.responses.len(), 4);
    assert!(parsed
        .responses
        .iter()
        .all(|r| r.submitted_at.format("%Y-%m-%d").to_string() == "2026-10-01"));
}

#[test]
fn an_ods_export_loads() {
    let bytes =
        std::fs::read(manifest_dir().join("tests/fixtures/layouts/store_reviews_2026-10.ods"))
            .unwrap();
    let loaded = round_trip(&Layout {
        file_name: "store_reviews_2026-10.ods",
        bytes,
        // 6 reviews × 2 star scores + 4 comments.
        rows: 6,
        answers: 16,
        rejected: 0,
    });
    assert_eq!(
        loaded.suggestion.matches("scale = \"stars5\"").count(),
        2,
        "{}",
        loaded.suggestion
    );
    // ★★★★★ ★★★★ ★★ ★★★ ★★★★★ ★ = 20; 5 4 3 2 5 1 = 20.
    let total: f64 = stored_answers(&loaded.store)
        .iter()
        .map(|(_, _, v)| v)
        .sum();
    assert_eq!(total, 40.0);
    let responses = stored_responses(&loaded.store);
    assert_eq!(responses[0].1, "2026-10-02 10:15:00");
}

/// Sets the 1904 date system in an xlsx written by rust_xlsxwriter (which
/// cannot itself), by rewriting `xl/workbook.xml` with Python's zipfile.
fn switch_to_1904(bytes: &[u8]) -> Vec<u8> {
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("book.xlsx");
    std::fs::write(&path, bytes).unwrap();
    let script = r#"
import sys, zipfile
path = sys.argv[1]
with zipfile.ZipFile(path) as z:
    parts = [(i, z.read(i.filename)) for i in z.infolist()]
with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
    for info, data in parts:
        if info.filename == "xl/workbook.xml":
            text = data.decode()
            assert "<workbookPr" in text, text
            data = text.replace("<workbookPr", '<workbookPr date1904="1"', 1).encode()
        z.writestr(info.filename, data)
"#;
    let status = Command::new("python3")
        .args(["-c", script, path.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::read(&path).unwrap()
}

/// A workbook in the 1904 date system: 7 respondents, one time a bare serial.
fn workbook_1904() -> Vec<u8> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("回访").unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    for (column, header) in [
        "编号",
        "回访日期",
        "区域",
        "质量评价",
        "交付评价",
        "价格评价",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, column as u16, *header).unwrap();
    }
    // Days of October, 1904 serials: 2026-10-01 is 46296 − 1462 = 44834.
    let rows: [(&str, u32, &str, f64, &str, f64); 7] = [
        ("H01", 2, "华南", 10.0, "很满意", 5.0),
        ("H02", 4, "华南", 8.0, "满意", 4.0),
        ("H03", 6, "华东", 6.0, "一般", 3.0),
        ("H04", 9, "华东", 3.0, "不满意", 2.0),
        ("H05", 13, "华北", 0.0, "很不满意", 1.0),
        ("H06", 20, "华北", 10.0, "满意", 4.0),
        ("H07", 27, "华南", 8.0, "很满意", 5.0),
    ];
    for (index, (id, day, region, quality, delivery, price)) in rows.iter().enumerate() {
        let row = index as u32 + 1;
        let serial = 44834.0 + f64::from(*day - 1) + 0.5;
        sheet.write_string(row, 0, *id).unwrap();
        if index == 6 {
            // A bare serial number, no date format.
            sheet.write_number(row, 1, serial).unwrap();
        } else {
            sheet
                .write_number_with_format(row, 1, serial, &date)
                .unwrap();
        }
        sheet.write_string(row, 2, *region).unwrap();
        sheet.write_number(row, 3, *quality).unwrap();
        sheet.write_string(row, 4, *delivery).unwrap();
        sheet.write_number(row, 5, *price).unwrap();
    }
    switch_to_1904(&workbook.save_to_buffer().unwrap())
}

#[test]
fn a_1904_date_workbook_loads() {
    let bytes = workbook_1904();
    let loaded = round_trip(&Layout {
        file_name: "质量回访.xlsx",
        bytes,
        // 7 respondents × 3 scores.
        rows: 7,
        answers: 21,
        rejected: 0,
    });
    loaded.expect_suggested("scale = \"tier10\"");
    loaded.expect_suggested("region = \"区域\"");
    let responses = stored_responses(&loaded.store);
    let times: Vec<&str> = responses.iter().map(|(_, at, _)| at.as_str()).collect();
    assert_eq!(
        times,
        vec![
            "2026-10-02 12:00:00",
            "2026-10-04 12:00:00",
            "2026-10-06 12:00:00",
            "2026-10-09 12:00:00",
            "2026-10-13 12:00:00",
            "2026-10-20 12:00:00",
            "2026-10-27 12:00:00",
        ]
    );
    // 10+8+6+3+0+10+8 = 45 on the 10/8/6/3/0 question.
    let tier: f64 = loaded.answers_on(Scale::Tier10).iter().sum();
    assert_eq!(tier, 45.0);
}

/// A cover sheet, a title row, and a two-row header whose 满意度评价 is
/// merged over three sub-columns; 25 customers, every score 1–5, a remark
/// on every fifth row.
fn merged_header_workbook() -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut workbook = Workbook::new();
    let cover = workbook.add_worksheet();
    cover.set_name("封面").unwrap();
    cover
        .write_string(0, 0, "2026年10月客户回访满意度报告")
        .unwrap();
    cover.write_string(2, 0, "编制：质量部").unwrap();
    cover.write_string(3, 0, "日期：2026-11-02").unwrap();
    let sheet = workbook.add_worksheet();
    sheet.set_name("回访明细").unwrap();
    let plain = Format::new();
    sheet
        .merge_range(0, 0, 0, 5, "客户回访满意度统计表（2026年10月）", &plain)
        .unwrap();
    sheet.merge_range(2, 0, 3, 0, "客户编号", &plain).unwrap();
    sheet.merge_range(2, 1, 3, 1, "回访日期", &plain).unwrap();
    sheet.merge_range(2, 2, 2, 4, "满意度评价", &plain).unwrap();
    sheet.merge_range(2, 5, 3, 5, "备注", &plain).unwrap();
    sheet.write_string(3, 2, "产品质量").unwrap();
    sheet.write_string(3, 3, "安装服务").unwrap();
    sheet.write_string(3, 4, "销售服务").unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for i in 0..25u32 {
        let row = 4 + i;
        sheet
            .write_string(row, 0, format!("K{:03}", i + 1))
            .unwrap();
        let day = ExcelDateTime::from_ymd(2026, 10, (i + 1) as u8).unwrap();
        sheet
            .write_datetime_with_format(row, 1, &day, &date)
            .unwrap();
        sheet.write_number(row, 2, f64::from(1 + i % 5)).unwrap();
        sheet
            .write_number(row, 3, f64::from(1 + (i + 2) % 5))
            .unwrap();
        sheet.write_number(row, 4, f64::from(5 - i % 5)).unwrap();
        if i % 5 == 0 {
            sheet
                .write_string(row, 5, format!("第{}位客户的备注", i + 1))
                .unwrap();
        }
    }
    workbook.save_to_buffer().unwrap()
}

#[test]
fn a_cover_sheet_title_row_and_merged_two_row_header_store_all_75_answers() {
    let loaded = round_trip(&Layout {
        file_name: "客户回访统计.xlsx",
        bytes: merged_header_workbook(),
        // 25 customers × 3 scores + 5 remarks.
        rows: 25,
        answers: 80,
        rejected: 0,
    });
    loaded.expect_suggested("header_rows = 2");
    // All three sub-columns are their own question: 25 scored answers each.
    let counts = scored_per_question(&loaded.store);
    assert_eq!(
        counts.values().copied().collect::<Vec<_>>(),
        vec![25, 25, 25],
        "{counts:?}"
    );
    // Σ over 25 rows: each column cycles 1..5 five times → 15 × 5 = 75.
    let total: f64 = stored_answers(&loaded.store)
        .iter()
        .map(|(_, _, v)| v)
        .sum();
    assert_eq!(total, 225.0);
    let texts = loaded
        .store
        .query(
            "texts",
            "SELECT DISTINCT question_text FROM answers WHERE question_key IS NOT NULL ORDER BY 1",
            &[],
        )
        .unwrap();
    let texts: Vec<String> = texts.iter().map(|r| r[0].as_text().unwrap()).collect();
    assert_eq!(
        texts,
        vec![
            "满意度评价 产品质量",
            "满意度评价 安装服务",
            "满意度评价 销售服务"
        ]
    );
}

/// The merged header configured by hand, as in the issue (`header_rows = 2`
/// and the three questions): 75 of 75 answers, none lost.
#[test]
fn a_hand_configured_merged_header_keeps_every_sub_column() {
    let mut text = format!("{DEFAULT_CONFIG}\n");
    text.push_str(
        "[[sources]]\nname = \"callback_sheet\"\nkind = \"survey\"\nheader_contains = [\"客户编号\", \"回访日期\", \"满意度评价\"]\nheader_rows = 2\n[sources.fields]\ncustomer_id = \"客户编号\"\nsubmitted_at = \"回访日期\"\n",
    );
    for (key, word) in [
        ("q_product", "产品质量"),
        ("q_install", "安装服务"),
        ("q_sales", "销售服务"),
    ] {
        text.push_str(&format!(
            "[[questions]]\nkey = \"{key}\"\nmatch = \"{word}\"\nsource = \"callback_sheet\"\nindicator = \"service\"\ndepartment = \"quality\"\nscale = \"likert5\"\n"
        ));
    }
    let config = Config::parse(&text, "hand.toml").unwrap();
    let parsed = csat::ingest::parse_file(&config, "回访.xlsx", &merged_header_workbook()).unwrap();
    let scored = parsed
        .answers
        .iter()
        .filter(|a| a.question_key.is_some())
        .count();
    assert_eq!(scored, 75);
    // 备注 is no numbered question: listed as not loaded, not dropped silently.
    assert_eq!(parsed.not_loaded(), vec!["备注".to_string()]);
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
}

/// A survey with broken rows: a bad date, a duplicate id, a missing id
/// (3 rows refused), an out-of-scale 7 and 满意的 (2 cells refused, the
/// rows load), a blank row (skipped).
fn broken_rows() -> Layout {
    let text = "答卷编号,提交时间,门店,产品满意度,服务满意度,价格满意度,意见建议\n\
A01,2026-10-01 09:00,深圳福田店,很满意,满意,4,\n\
A02,2026-10-01 10:30,深圳福田店,满意,满意,3,价格偏高\n\
A03,上周,东莞南城店,满意,一般,3,\n\
A04,2026-10-03 11:00,东莞南城店,7,满意,4,\n\
A05,2026-10-04 15:00,广州天河店,一般,满意的,2,服务一般\n\
A02,2026-10-05 16:00,广州天河店,很满意,很满意,5,\n\
,2026-10-06 10:00,深圳福田店,满意,满意,4,\n\
A08,2026-10-07 12:00,深圳福田店,很满意,很满意,5,很好\n\
,,,,,,\n\
A09,2026-10-08 13:00,东莞南城店,不满意,一般,2,送货慢\n\
A10,2026-10-09 14:00,东莞南城店,满意,满意,4,\n\
A11,2026-10-10 15:00,广州天河店,很满意,满意,5,\n\
A12,2026-10-11 16:00,广州天河店,满意,很满意,4,\n";
    Layout {
        file_name: "门店问卷_2026-10.csv",
        bytes: text.as_bytes().to_vec(),
        // Loaded: A01 A02 A04 A05 A08 A09 A10 A11 A12 = 9. Answers:
        // 3+4+2+3+4+4+3+3+3 = 29 (A04 and A05 lose the refused cell).
        rows: 9,
        answers: 29,
        rejected: 5,
    }
}

#[test]
fn a_survey_with_broken_rows_loads_the_good_ones() {
    let loaded = round_trip(&broken_rows());
    assert!(
        loaded
            .suggestion
            .contains("1 value does not fit and will be refused ('7')"),
        "{}",
        loaded.suggestion
    );
    // Spreadsheet rows: header 1, A03 4, A04 5, A05 6, second A02 7, no id 8.
    let rows: Vec<(i64, String, String)> = loaded
        .store
        .query(
            "rejected",
            "SELECT row_number, column_name, value FROM rejected_rows ORDER BY row_number",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| {
            (
                r[0].as_i64().unwrap(),
                r[1].as_text().unwrap(),
                r[2].as_text().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(i64, String, String)> = [
        (4, "提交时间", "上周"),
        (5, "产品满意度", "7"),
        (6, "服务满意度", "满意的"),
        (7, "答卷编号", "A02"),
        (8, "答卷编号", ""),
    ]
    .iter()
    .map(|(r, c, v)| (*r, c.to_string(), v.to_string()))
    .collect();
    assert_eq!(rows, expected);
    assert!(loaded.data_dir.archive().exists());
}

/// Google Forms writes `2026/10/01 1:00:04 PM GMT+8`; a form owned in
/// another zone writes its own offset, converted to the company's
/// (Asia/Shanghai): 1:00 AM GMT-4 is 05:00 UTC, 13:00 in Shanghai.
#[test]
fn a_google_forms_csv_with_zoned_timestamps_loads() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let csv = "Timestamp,How satisfied are you with the mattress?,Any comments?\n\
2026/10/01 1:00:04 PM GMT+8,Very satisfied,Great\n\
2026/10/02 9:15:00 AM GMT+8,Satisfied,\n\
2026/10/03 12:30:00 AM GMT+8,Neutral,Slow delivery\n\
2026/10/04 1:00:00 AM GMT-4,Dissatisfied,\n";
    drop_into_inbox(
        &data_dir,
        &[("form_responses.csv".to_string(), csv.as_bytes().to_vec())],
    );
    let config = Config::load(None).unwrap();
    let mut store = pipeline::open_store(&data_dir).unwrap();
    let summary = pipeline::ingest(&config, &data_dir, &mut store, run_date(), settled()).unwrap();
    match &summary.files[..] {
        [FileOutcome::Loaded {
            source,
            rows_loaded,
            answers_loaded,
            rejected,
            ..
        }] => {
            assert_eq!(source, "google_forms");
            assert!(rejected.is_empty(), "{rejected:?}");
            // 4 respondents: 4 ratings + 2 comments.
            assert_eq!((*rows_loaded, *answers_loaded), (4, 6));
        }
        other => panic!("{other:?}"),
    }
    let times: Vec<String> = stored_responses(&store)
        .into_iter()
        .map(|(_, at, _)| at)
        .collect();
    let mut times_sorted = times.clone();
    times_sorted.sort();
    assert_eq!(
        times_sorted,
        vec![
            "2026-10-01 13:00:04",
            "2026-10-02 09:15:00",
            "2026-10-03 00:30:00",
            "2026-10-04 13:00:00",
        ]
    );
}

/// The layouts' bytes, for the tests that look at all of them.
fn all_layouts() -> Vec<Layout> {
    vec![
        callcenter_gbk(),
        unicode_text(),
        gb18030_semicolon(),
        broken_rows(),
        Layout {
            file_name: "客户回访统计.xlsx",
            bytes: merged_header_workbook(),
            rows: 25,
            answers: 80,
            rejected: 0,
        },
        Layout {
            file_name: "质量回访.xlsx",
            bytes: workbook_1904(),
            rows: 7,
            answers: 21,
            rejected: 0,
        },
        Layout {
            file_name: "store_reviews_2026-10.ods",
            bytes: std::fs::read(
                manifest_dir().join("tests/fixtures/layouts/store_reviews_2026-10.ods"),
            )
            .unwrap(),
            rows: 6,
            answers: 16,
            rejected: 0,
        },
    ]
}

/// Every file a shipped source reads (the fixtures and the demo company's
/// exports of every kind).
fn shipped_files() -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut dirs = vec![manifest_dir().join("tests/fixtures")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                // The layouts here are the new ones, not a shipped source's.
                if !path.ends_with("layouts") {
                    dirs.push(path);
                }
            } else {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                files.push((name, std::fs::read(&path).unwrap()));
            }
        }
    }
    files.extend(company_files(&demo::generate(1, run_date()).unwrap()));
    files
}

#[test]
fn a_suggested_header_contains_never_matches_a_shipped_source_file() {
    let shipped = shipped_files();
    let readable: Vec<(String, Vec<csat::ingest::table::Sheet>)> = shipped
        .iter()
        .filter_map(|(name, bytes)| {
            csat::ingest::table::read_table(name, bytes)
                .ok()
                .map(|sheets| (name.clone(), sheets))
        })
        .collect();
    assert!(readable.len() >= 20, "{}", readable.len());
    let base = Config::load(None).unwrap();
    for layout in all_layouts() {
        let suggestion = csat::ingest::suggest::suggest(
            &base,
            layout.file_name,
            &layout.bytes,
            Some(run_date()),
        )
        .unwrap();
        let mut only_new = Config::parse(
            &format!("{DEFAULT_CONFIG}\n{}", fill_todos(&suggestion.toml)),
            "x",
        )
        .unwrap();
        only_new
            .sources
            .retain(|s| s.name == suggestion.source_name);
        assert_eq!(only_new.sources.len(), 1);
        for (name, sheets) in &readable {
            assert!(
                csat::ingest::sources::detect(&only_new, name, sheets).is_none(),
                "{} would take {name}: {:?}",
                layout.file_name,
                only_new.sources[0].header_contains
            );
        }
        // And it does take its own file.
        let own = csat::ingest::table::read_table(layout.file_name, &layout.bytes).unwrap();
        assert!(csat::ingest::sources::detect(&only_new, layout.file_name, &own).is_some());
    }
}

/// Whatever the header's shape, every column holding data is a field, a
/// question (its every non-blank cell stored as an answer or refused), or
/// listed as not loaded; none disappears.
#[test]
fn every_column_with_data_is_stored_mapped_or_listed() {
    let mut text = format!("{DEFAULT_CONFIG}\n");
    text.push_str(
        "[[sources]]\nname = \"shape_two_rows\"\nkind = \"survey\"\nheader_contains = [\"客户编号\", \"回访日期\", \"满意度评价\"]\nheader_rows = 2\n[sources.fields]\ncustomer_id = \"客户编号\"\nsubmitted_at = \"回访日期\"\n\
         [[sources]]\nname = \"shape_star\"\nkind = \"survey\"\nheader_contains = [\"单号\", \"填表时间\"]\nquestion_columns = \"*\"\nnot_questions = [\"电话\"]\n[sources.fields]\nrespondent_id = \"单号\"\nsubmitted_at = \"填表时间\"\n",
    );
    let base = Config::load(None).unwrap();
    for layout in [callcenter_gbk(), gb18030_semicolon()] {
        let suggestion = csat::ingest::suggest::suggest(
            &base,
            layout.file_name,
            &layout.bytes,
            Some(run_date()),
        )
        .unwrap();
        text.push_str(&fill_todos(&suggestion.toml));
    }
    let config = Config::parse(&text, "shapes.toml").unwrap();
    let shapes: Vec<(&str, Vec<u8>)> = vec![
        ("merged.xlsx", merged_header_workbook()),
        // A column without a header, repeated headers, a cell beyond the header.
        (
            "plain.csv",
            "标题行\n\n单号,填表时间,电话,好评,,好评,备注\nD1,2026-10-01,13800000000,5,x,4,a,overflow\nD2,2026-10-02,,3,,2,,\n"
                .as_bytes()
                .to_vec(),
        ),
        // A 问卷星 export (numbered questions; metadata columns after them).
        (
            "wjx.csv",
            "序号,提交答卷时间,所用时间,来源,来自IP,1、您购买产品的门店：,2、您对床垫整体质量的满意程度：,3、备注\n1,2026/10/3 14:05:09,136秒,手机提交,1.2.3.4,深圳福田店,很满意,无\n"
                .as_bytes()
                .to_vec(),
        ),
        // A record kind with columns no field names.
        (
            "complaints.csv",
            "投诉编号,受理日期,严重等级,内部备注\nT1,2026-10-02,1级,回访两次\n".as_bytes().to_vec(),
        ),
        ("callbacks_2026-10.csv", callcenter_gbk().bytes),
        ("semicolon_2610.csv", gb18030_semicolon().bytes),
    ];
    for (name, bytes) in shapes {
        let parsed = csat::ingest::parse_file(&config, name, &bytes).unwrap();
        let sheets = csat::ingest::table::read_table(name, &bytes).unwrap();
        let sheet = sheets.iter().find(|s| s.name == parsed.sheet).unwrap();
        // Columns with data below the header (the header is the first row
        // holding the source's texts; data rows are the non-blank ones below).
        let detected = csat::ingest::sources::detect(&config, name, &sheets).unwrap();
        let data_start = detected.header_row + detected.source.header_rows.max(1);
        let mut with_data = BTreeMap::new();
        for row in &sheet.rows[data_start..] {
            for (column, cell) in row.iter().enumerate() {
                if !cell.is_blank() {
                    with_data
                        .entry(column)
                        .or_insert_with(Vec::new)
                        .push(cell.text());
                }
            }
        }
        assert_eq!(
            parsed.columns.len(),
            with_data.len(),
            "{name}: {:?}",
            parsed.columns
        );
        for (column_use, (_, values)) in parsed.columns.iter().zip(&with_data) {
            use csat::ingest::ColumnRole;
            match &column_use.role {
                ColumnRole::Field(field) => assert!(detected.source.fields.contains_key(field)),
                ColumnRole::Question(_) | ColumnRole::Unmapped => {
                    // Every value is stored as an answer under this header
                    // or refused, unless its whole row was refused.
                    for value in values {
                        let stored = parsed.answers.iter().any(|a| {
                            *a.question_text == *column_use.header && &a.raw_text == value
                        });
                        let refused = parsed.rejected.iter().any(|r| &r.value == value);
                        assert!(
                            stored || refused || parsed.responses.is_empty(),
                            "{name}: '{value}' of {} is neither stored nor refused",
                            column_use.header
                        );
                    }
                }
                ColumnRole::NotLoaded => {
                    assert!(parsed.not_loaded().contains(&column_use.header));
                }
            }
        }
        if name == "plain.csv" {
            assert_eq!(
                parsed.not_loaded(),
                vec![
                    "电话".to_string(),
                    "column E (no header)".to_string(),
                    "column H (no header)".to_string()
                ]
            );
            assert_eq!(
                parsed.unmapped_questions,
                vec![
                    "好评".to_string(),
                    "好评 (2)".to_string(),
                    "备注".to_string()
                ]
            );
        }
        if name == "complaints.csv" {
            assert_eq!(parsed.not_loaded(), vec!["内部备注".to_string()]);
        }
    }
}

/// A link planted where the suggestion goes is replaced, never written
/// through: the file it points to keeps its content.
#[test]
fn a_suggestion_is_never_written_through_a_planted_link() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path().join("data"));
    let layout = gb18030_semicolon();
    std::fs::create_dir_all(data_dir.rejected()).unwrap();
    let victim = temp.path().join("victim.txt");
    std::fs::write(&victim, "keep").unwrap();
    let sidecar = data_dir
        .rejected()
        .join(format!("{}.suggested.toml", layout.file_name));
    std::os::unix::fs::symlink(&victim, &sidecar).unwrap();
    drop_into_inbox(
        &data_dir,
        &[(layout.file_name.to_string(), layout.bytes.clone())],
    );
    let config = Config::load(None).unwrap();
    let mut store = pipeline::open_store(&data_dir).unwrap();
    let summary = pipeline::ingest(&config, &data_dir, &mut store, run_date(), settled()).unwrap();
    assert!(matches!(&summary.files[..], [FileOutcome::Rejected { .. }]));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
    let metadata = std::fs::symlink_metadata(&sidecar).unwrap();
    assert!(metadata.file_type().is_file());
    assert!(std::fs::read_to_string(&sidecar)
        .unwrap()
        .contains("[[sources]]"));
}
