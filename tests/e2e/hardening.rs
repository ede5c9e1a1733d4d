//! Hardening: bad, unsettled, oversized and hostile-looking input, kills
//! at any moment, formula-like text, file permissions and encryption keys.

use crate::util::*;

#[test]
fn a_bad_file_is_quarantined_and_the_run_goes_on() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let config = Config::load(None).unwrap();
    let survey = "序号,提交答卷时间,1、您购买产品的门店：,2、您对床垫整体质量的满意程度：\n\
                  1,2026/10/3 14:05:09,深圳福田店,很满意\n\
                  2,2026/10/4 10:00:00,深圳福田店,7\n";
    drop_into_inbox(
        &data_dir,
        &[
            (
                "broken.xlsx".to_string(),
                b"PK\x03\x04 this is not really a workbook".to_vec(),
            ),
            ("survey.csv".to_string(), survey.as_bytes().to_vec()),
            (
                "客户档案_加密.xlsx".to_string(),
                std::fs::read(
                    manifest_dir().join("tests/fixtures/bad/encrypted_customer_master.xlsx"),
                )
                .unwrap(),
            ),
            (
                "notes.csv".to_string(),
                "hello,world\n1,2\n".as_bytes().to_vec(),
            ),
        ],
    );
    let mut store = pipeline::open_store(&data_dir).unwrap();
    let summary = pipeline::ingest(&config, &data_dir, &mut store, run_date(), settled()).unwrap();
    assert!(summary.is_partial());
    let by_name: BTreeMap<String, &FileOutcome> = summary
        .files
        .iter()
        .map(|f| {
            let name = match f {
                FileOutcome::Loaded { file, .. }
                | FileOutcome::Duplicate { file, .. }
                | FileOutcome::Rejected { file, .. }
                | FileOutcome::Failed { file, .. } => file,
            };
            (name.clone(), f)
        })
        .collect();
    match by_name["broken.xlsx"] {
        FileOutcome::Rejected { reason, .. } => assert!(
            reason.starts_with("cannot open as a spreadsheet"),
            "{reason}"
        ),
        other => panic!("{other:?}"),
    }
    match by_name["客户档案_加密.xlsx"] {
        FileOutcome::Rejected { reason, .. } => {
            assert!(
                reason.starts_with("the workbook is password-protected"),
                "{reason}"
            )
        }
        other => panic!("{other:?}"),
    }
    match by_name["notes.csv"] {
        FileOutcome::Rejected { reason, .. } => assert!(
            reason.starts_with("csat does not recognise this file"),
            "{reason}"
        ),
        other => panic!("{other:?}"),
    }
    match by_name["survey.csv"] {
        FileOutcome::Loaded {
            rows_loaded,
            rejected,
            ..
        } => {
            assert_eq!(*rows_loaded, 2);
            assert_eq!(rejected.len(), 1);
            assert_eq!(rejected[0].row_number, 3);
            assert_eq!(rejected[0].column, "2、您对床垫整体质量的满意程度：");
            assert_eq!(rejected[0].value, "7");
            assert!(rejected[0].expected.contains("1–5"));
        }
        other => panic!("{other:?}"),
    }
    let reasons =
        std::fs::read_to_string(data_dir.rejected().join("broken.xlsx.reasons.txt")).unwrap();
    assert!(
        reasons.starts_with("broken.xlsx: cannot open as a spreadsheet"),
        "{reasons}"
    );
    assert!(data_dir.rejected().join("notes.csv").exists());
    // Only the good answer counts: 很满意 = 5 of 5 → 100 %.
    let outcome = pipeline::report(&config, &data_dir, &mut store, report_month()).unwrap();
    let company = outcome.results.company.unwrap();
    assert_eq!(company.n_answers, 1);
    assert!((company.satisfaction - 100.0).abs() < 1e-9);

    // The report's data-quality sheet names the file behind the month and
    // the refused cell where a quality manager can find it.
    let quality = read_sheet(&outcome.path, "数据质量");
    let file_row = (1..quality.height() as u32)
        .find(|&r| {
            quality
                .get_value((r, 0))
                .map(|d| d.to_string())
                .unwrap_or_default()
                == "survey.csv"
        })
        .expect("survey.csv listed");
    assert_eq!(number(&quality, file_row, 4), 2.0, "data rows");
    assert_eq!(number(&quality, file_row, 6), 1.0, "refused");
    assert_eq!(number(&quality, file_row, 7), 2.0, "responses in the month");
    let refused_row = (1..quality.height() as u32)
        .find(|&r| {
            quality
                .get_value((r, 3))
                .map(|d| d.to_string())
                .unwrap_or_default()
                == "2、您对床垫整体质量的满意程度："
        })
        .expect("refused cell listed");
    assert_eq!(text(&quality, refused_row, 0), "survey.csv");
    assert_eq!(number(&quality, refused_row, 2), 3.0);
    assert_eq!(text(&quality, refused_row, 4), "7");
    assert!(text(&quality, refused_row, 5).contains("1–5"));
}

#[test]
fn unsettled_and_oversized_files_are_not_read() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let mut config = Config::load(None).unwrap();
    let mut store = pipeline::open_store(&data_dir).unwrap();
    drop_into_inbox(
        &data_dir,
        &[(
            "问卷.csv".to_string(),
            two_answer_survey(1, ["很满意", "满意"]),
        )],
    );

    // Just written: still settling, left in the inbox.
    let summary = pipeline::ingest(
        &config,
        &data_dir,
        &mut store,
        run_date(),
        std::time::SystemTime::now(),
    )
    .unwrap();
    assert!(summary.files.is_empty());
    assert_eq!(summary.settling, vec!["问卷.csv".to_string()]);
    assert!(data_dir.inbox().join("问卷.csv").exists());

    // Over the size limit: rejected unread, with the limit named.
    config.inbox.max_file_mb = 0;
    let summary = pipeline::ingest(&config, &data_dir, &mut store, run_date(), settled()).unwrap();
    match &summary.files[0] {
        FileOutcome::Rejected { reason, .. } => {
            assert!(
                reason.contains("the limit is 0 MB ([inbox] max_file_mb"),
                "{reason}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(data_dir.rejected().join("问卷.csv.reasons.txt").exists());
}

/// SIGKILL during ingest at several moments, then a restart: the file ends
/// loaded exactly once (every respondent counted once), the database opens
/// cleanly, and nothing is left half-written.
#[test]
fn an_ingest_killed_at_any_moment_loads_the_file_exactly_once_on_restart() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let n_respondents = 20_000;
    // Two large files (two months), so kills land inside each load and
    // between them.
    let (_, october) = demo::bench_survey(5, report_month(), n_respondents).unwrap();
    let (_, september) = demo::bench_survey(6, "2026-09".parse().unwrap(), n_respondents).unwrap();
    drop_into_inbox(
        &data_dir,
        &[
            ("问卷星_2026-10.csv".to_string(), october),
            ("问卷星_2026-09.csv".to_string(), september),
        ],
    );
    let copied = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    for name in ["问卷星_2026-10.csv", "问卷星_2026-09.csv"] {
        std::fs::File::options()
            .write(true)
            .open(data_dir.inbox().join(name))
            .unwrap()
            .set_modified(copied)
            .unwrap();
    }
    let dir = data_dir.root().to_str().unwrap().to_string();
    let mut killed_while_running = 0;
    for delay_ms in [
        30, 80, 150, 250, 400, 600, 850, 1100, 1400, 1800, 2300, 2900,
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_csat"))
            .args(["--data-dir", &dir, "--today", "2026-11-23", "ingest"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        if child.try_wait().unwrap().is_none() {
            killed_while_running += 1;
        }
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
    }
    assert!(
        killed_while_running > 0,
        "no run was interrupted; the test proves nothing"
    );
    // Restart until the inbox is empty.
    let finish = csat(&["--data-dir", &dir, "--today", "2026-11-23", "ingest"]);
    assert!(
        finish.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&finish.stderr)
    );
    assert_eq!(std::fs::read_dir(data_dir.inbox()).unwrap().count(), 0);

    let config = Config::load(None).unwrap();
    let mut store = pipeline::open_store(&data_dir).unwrap();
    let results = pipeline::report(&config, &data_dir, &mut store, report_month())
        .unwrap()
        .results;
    assert_eq!(results.company.unwrap().n_responses, n_respondents as i64);
    let september = pipeline::report(&config, &data_dir, &mut store, "2026-09".parse().unwrap())
        .unwrap()
        .results;
    assert_eq!(september.company.unwrap().n_responses, n_respondents as i64);
    // Each file stored once, whatever the kills.
    let files = store
        .query(
            "files",
            "SELECT count(*), count(DISTINCT sha256) FROM files",
            &[],
        )
        .unwrap();
    assert_eq!(
        (files[0][0].as_i64(), files[0][1].as_i64()),
        (Some(2), Some(2))
    );
}

/// Text that looks like a formula (=, +, -, @) stays text in the workbook,
/// and personal data in a refused cell is masked: a complaint category
/// `=HYPERLINK(...)` is a string cell with no formula anywhere in the sheet;
/// a phone number typed into a satisfaction answer shows as 138****5678.
#[test]
fn formula_like_text_stays_text_and_phone_numbers_are_masked() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let config = Config::load(None).unwrap();
    let complaints = "投诉编号,受理日期,严重等级,原因类别\n\
                      F1,2026-10-01,3,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"\n\
                      F2,2026-10-02,3,+SUM(A1:A9)\n\
                      F3,2026-10-03,3,-1+2\n\
                      F4,2026-10-04,3,@cmd\n";
    let survey = "序号,提交答卷时间,1、您购买产品的门店：,2、您对床垫整体质量的满意程度：\n\
                  1,2026/10/3 14:05:09,深圳福田店,13812345678\n\
                  2,2026/10/4 10:00:00,深圳福田店,满意\n";
    drop_into_inbox(
        &data_dir,
        &[
            ("投诉.csv".into(), complaints.as_bytes().to_vec()),
            ("问卷.csv".into(), survey.as_bytes().to_vec()),
        ],
    );
    let mut store = pipeline::open_store(&data_dir).unwrap();
    pipeline::ingest(&config, &data_dir, &mut store, run_date(), settled()).unwrap();
    let outcome = pipeline::report(&config, &data_dir, &mut store, report_month()).unwrap();
    let mut workbook = open_workbook_auto(&outcome.path).unwrap();
    let pareto = workbook.worksheet_range("问题柏拉图").unwrap();
    let categories: Vec<String> = (1..=4).map(|r| text(&pareto, r, 1)).collect();
    for expected in [
        "=HYPERLINK(\"http://evil.example\",\"x\")",
        "+SUM(A1:A9)",
        "-1+2",
        "@cmd",
    ] {
        assert!(
            categories.iter().any(|c| c == expected),
            "{expected} in {categories:?}"
        );
    }
    for sheet in workbook.sheet_names() {
        let formulas = workbook.worksheet_formula(&sheet).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "sheet {sheet} has a formula"
        );
    }
    let quality = read_sheet(&outcome.path, "数据质量");
    let values: Vec<String> = (0..quality.height() as u32)
        .filter_map(|r| quality.get_value((r, 4)).map(|v| v.to_string()))
        .collect();
    assert!(values.contains(&"138****5678".to_string()), "{values:?}");
    assert!(!values.iter().any(|v| v.contains("13812345678")));
}

/// A bad-input corpus, each file with its expected one-line reason; every
/// one is quarantined with a `.reasons.txt`, the good file of the same run
/// loads, and what was stored before is unchanged.
#[test]
fn a_bad_input_corpus_is_quarantined_file_by_file() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let config = Config::load(None).unwrap();
    let mut store = pipeline::open_store(&data_dir).unwrap();
    let good = |id: u32, at: &str| {
        format!(
            "序号,提交答卷时间,1、您购买产品的门店：,2、您对床垫整体质量的满意程度：\n{id},{at},深圳福田店,满意\n"
        )
        .into_bytes()
    };
    drop_into_inbox(
        &data_dir,
        &[("before.csv".into(), good(1, "2026/10/3 10:00"))],
    );
    pipeline::ingest(&config, &data_dir, &mut store, run_date(), settled()).unwrap();
    let count = |store: &csat::store::Store| {
        store
            .query("n", "SELECT count(*) FROM answers", &[])
            .unwrap()[0][0]
            .as_i64()
            .unwrap()
    };
    assert_eq!(count(&store), 1);

    let real_xlsx =
        std::fs::read(manifest_dir().join("tests/fixtures/formats/survey_2026-10.xlsx")).unwrap();
    let mut junk = Vec::new();
    let mut x: u32 = 12345;
    for _ in 0..4096 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        // No quote characters: the junk is bytes, not a malformed CSV.
        junk.push(match (x >> 16) as u8 {
            b'"' => b' ',
            b => b,
        });
    }
    let wide_header: String = (0..100_000)
        .map(|i| format!("列{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let mut invalid_utf8 = good(7, "2026/10/4 10:00");
    invalid_utf8.extend_from_slice(b"8,2026/10/5 10:00,\xff\xfe\xfa\xfb,\xc3\n");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.csv", Vec::new(), "the file is empty"),
        (
            "header_only.csv",
            "序号,提交答卷时间,1、您购买产品的门店：,2、您对床垫整体质量的满意程度：\n".into(),
            "none of the 0 data rows could be loaded",
        ),
        ("junk.csv", junk, "csat does not recognise this file"),
        ("truncated.xlsx", real_xlsx[..real_xlsx.len() / 2].to_vec(), "cannot open as a spreadsheet"),
        ("wide.csv", format!("{wide_header}\n1,2\n").into_bytes(), "csat does not recognise this file"),
        (
            "year9999.csv",
            good(9, "9999/12/31 10:00"),
            "none of the 1 data rows could be loaded; first problem: row 2, column '提交答卷时间': '9999/12/31 10:00' is not a date between 1950 and 2100",
        ),
        ("notes.pdf", b"%PDF-1.4".to_vec(), "unsupported file type '.pdf'"),
        (
            "zip_bomb.xlsx",
            std::fs::read(manifest_dir().join("tests/fixtures/bad/zip_bomb.xlsx")).unwrap(),
            "the workbook would expand to 1500 MB from 1 MB (the limit is 1024 MB)",
        ),
    ];
    let mut files: Vec<(String, Vec<u8>)> = cases
        .iter()
        .map(|(n, b, _)| (n.to_string(), b.clone()))
        .collect();
    files.push(("survey_ok.csv".into(), good(2, "2026/10/6 10:00")));
    files.push(("mixed_bytes.csv".into(), invalid_utf8));
    drop_into_inbox(&data_dir, &files);
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc/passwd", data_dir.inbox().join("passwd.csv")).unwrap();
    // 2 GB (sparse: written instantly) is refused unread by the size limit.
    std::fs::File::create(data_dir.inbox().join("huge.csv"))
        .unwrap()
        .set_len(2 << 30)
        .unwrap();
    // A file name that is not UTF-8 (a Windows share, an old zip).
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"\xff\xfe_survey.csv");
        std::fs::write(data_dir.inbox().join(name), good(3, "2026/10/7 10:00")).unwrap();
    }

    let summary = pipeline::ingest(&config, &data_dir, &mut store, run_date(), settled()).unwrap();
    let outcome = |name: &str| {
        summary
            .files
            .iter()
            .find(|f| match f {
                FileOutcome::Loaded { file, .. }
                | FileOutcome::Duplicate { file, .. }
                | FileOutcome::Rejected { file, .. }
                | FileOutcome::Failed { file, .. } => file == name,
            })
            .unwrap_or_else(|| panic!("{name}: {:?}", summary.files))
    };
    for (name, _, expected) in &cases {
        match outcome(name) {
            FileOutcome::Rejected { reason, .. } => {
                assert!(reason.contains(expected), "{name}: {reason}");
                assert!(
                    data_dir
                        .rejected()
                        .join(format!("{name}.reasons.txt"))
                        .exists(),
                    "{name}"
                );
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    #[cfg(unix)]
    match outcome("passwd.csv") {
        FileOutcome::Rejected { reason, .. } => {
            assert!(reason.starts_with("a symbolic link"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    // Invalid UTF-8 mid-file decodes as GB18030: the first row loads, the
    // garbled one is refused cell by cell, not the whole file.
    match outcome("mixed_bytes.csv") {
        FileOutcome::Loaded {
            rows_loaded,
            rejected,
            ..
        } => {
            assert_eq!(*rows_loaded, 2);
            assert_eq!(rejected.len(), 1, "{rejected:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        outcome("survey_ok.csv"),
        FileOutcome::Loaded { .. }
    ));
    match outcome("huge.csv") {
        FileOutcome::Rejected { reason, .. } => assert_eq!(
            reason,
            "the file is 2048.0 MB; the limit is 200 MB ([inbox] max_file_mb in the configuration)"
        ),
        other => panic!("{other:?}"),
    }
    #[cfg(unix)]
    assert!(matches!(
        outcome("\u{FFFD}\u{FFFD}_survey.csv"),
        FileOutcome::Loaded { .. }
    ));
    // 1 before + 1 good file + 1 good row of the mixed file (+ the file with
    // a non-UTF-8 name on Unix).
    assert_eq!(count(&store), if cfg!(unix) { 4 } else { 3 });
    assert!(
        std::fs::read_dir(data_dir.inbox())
            .unwrap()
            .next()
            .is_none(),
        "inbox emptied"
    );
}

/// Killing `csat report` at any moment never leaves a half workbook under
/// reports/: every visible file there opens as a complete workbook.
#[test]
fn a_killed_report_never_leaves_a_half_workbook() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let config = Config::load(None).unwrap();
    let company = demo::generate(1, run_date()).unwrap();
    drop_into_inbox(&data_dir, &company_files(&company));
    let mut store = pipeline::open_store(&data_dir).unwrap();
    pipeline::ingest(&config, &data_dir, &mut store, run_date(), settled()).unwrap();
    drop(store);
    let dir = temp.path().to_str().unwrap();
    let month_dir = temp.path().join("reports/2026-10");
    let mut killed_while_running = 0;
    for delay_ms in [50u64, 150, 300, 500, 700, 900, 1200, 1600] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_csat"))
            .args(["--data-dir", dir, "report", "--month", "2026-10"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        if child.try_wait().unwrap().is_none() {
            killed_while_running += 1;
        }
        let _ = child.kill();
        child.wait().unwrap();
        for entry in std::fs::read_dir(&month_dir).into_iter().flatten() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if name.starts_with('.') {
                continue; // the writer's temp file: never read by anyone
            }
            let workbook = open_workbook_auto(&path);
            assert!(
                workbook.is_ok(),
                "{name} after a kill at {delay_ms} ms is not a workbook"
            );
        }
    }
    assert!(
        killed_while_running > 0,
        "no kill landed while the report ran"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let report = month_dir.join("csat-report-2026-10.xlsx");
        if report.exists() {
            let mode = std::fs::metadata(&report).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "reports are the owner's only");
        }
    }
}

/// `csat check` warns when the data directory is readable by every user;
/// the database csat creates is the owner's only.
#[cfg(unix)]
#[test]
fn check_warns_about_a_world_readable_data_dir() {
    use std::os::unix::fs::PermissionsExt;
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    drop(pipeline::open_store(&data_dir).unwrap());
    let db_mode = std::fs::metadata(data_dir.database())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(db_mode, 0o600);
    std::fs::set_permissions(temp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let output = csat(&["--data-dir", temp.path().to_str().unwrap(), "check"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!(
            "warning: {} is readable by every user of this server (mode 755)",
            temp.path().display()
        )),
        "{stdout}"
    );
    std::fs::set_permissions(temp.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    let output = csat(&["--data-dir", temp.path().to_str().unwrap(), "check"]);
    assert!(!String::from_utf8_lossy(&output.stdout).contains("warning:"));
}

/// Formula cells load their cached result (=2+2 → 4 → 满意); an error cell
/// (#DIV/0!), a negative and a huge number are refused cell by cell with the
/// value as Excel shows it; the rest of the file loads.
#[test]
fn formula_error_and_absurd_number_cells_are_handled_cell_by_cell() {
    use rust_xlsxwriter::{Formula, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (column, header) in [
        "序号",
        "提交答卷时间",
        "1、您购买产品的门店：",
        "2、您对床垫整体质量的满意程度：",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, column as u16, *header).unwrap();
    }
    for row in 1..=4u32 {
        sheet.write_number(row, 0, f64::from(row)).unwrap();
        sheet
            .write_string(row, 1, format!("2026-10-0{row} 10:00:00"))
            .unwrap();
        sheet.write_string(row, 2, "深圳福田店").unwrap();
    }
    sheet
        .write_formula(1, 3, Formula::new("=2+2").set_result("4"))
        .unwrap();
    sheet
        .write_formula(2, 3, Formula::new("=1/0").set_result("#DIV/0!"))
        .unwrap();
    sheet.write_number(3, 3, -5.0).unwrap();
    sheet.write_number(4, 3, 1e300).unwrap();
    let bytes = workbook.save_to_buffer().unwrap();

    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let config = Config::load(None).unwrap();
    drop_into_inbox(&data_dir, &[("公式_2026-10.xlsx".into(), bytes)]);
    let mut store = pipeline::open_store(&data_dir).unwrap();
    let summary = pipeline::ingest(&config, &data_dir, &mut store, run_date(), settled()).unwrap();
    match &summary.files[0] {
        FileOutcome::Loaded {
            rows_loaded,
            rejected,
            ..
        } => {
            assert_eq!(*rows_loaded, 4);
            let values: Vec<&str> = rejected.iter().map(|r| r.value.as_str()).collect();
            assert_eq!(values, vec!["#DIV/0!", "-5", "1e300"], "{rejected:?}");
            assert!(rejected.iter().all(|r| r.expected.contains("1–5")));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        stored_answers(&store),
        vec![("1".to_string(), "product_overall".to_string(), 4.0)]
    );
}

/// Encryption at rest: the key comes from `CSAT_DB_KEY_FILE` (or
/// `CSAT_DB_KEY`), never from the command line. The bundled DuckDB 2.0 has a
/// read-only crypto module and refuses to write encrypted databases, so csat
/// stops with DuckDB's reason instead of silently writing plain text.
#[test]
fn an_encryption_key_is_honoured_or_refused_never_ignored() {
    let temp = tempfile::tempdir().unwrap();
    let key_file = temp.path().join("csat.key");
    std::fs::write(&key_file, "correct horse battery staple\n").unwrap();
    let data = temp.path().join("data");
    let output = Command::new(env!("CARGO_BIN_EXE_csat"))
        .args(["--data-dir", data.to_str().unwrap(), "ingest"])
        .env("CSAT_DB_KEY_FILE", &key_file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.code() == Some(0) {
        // A DuckDB build that can encrypt: the file must not open without the key.
        let plain = Command::new(env!("CARGO_BIN_EXE_csat"))
            .args(["--data-dir", data.to_str().unwrap(), "status"])
            .output()
            .unwrap();
        assert_ne!(
            plain.status.code(),
            Some(0),
            "an encrypted database opened without its key"
        );
    } else {
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("encrypted"), "{stderr}");
        assert!(stderr.contains("read-only crypto module"), "{stderr}");
        assert!(
            !data.join("csat.duckdb").exists(),
            "nothing written in plain text"
        );
    }
}
