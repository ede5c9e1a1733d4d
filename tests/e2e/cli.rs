//! The command line end to end: `csat demo`, `csat bench`, the workbook in
//! LibreOffice and the English report.

use crate::util::*;

#[test]
fn cli_demo_runs_end_to_end_and_twice() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().to_str().unwrap();
    let stdout = succeeded(csat(&["--data-dir", dir, "--today", "2026-11-23", "demo"]));
    assert!(stdout.contains("Company satisfaction:"), "{stdout}");
    assert!(stdout.contains("Largest problem categories:"), "{stdout}");
    let report = temp.path().join("reports/2026-10/csat-report-2026-10.xlsx");
    assert!(report.exists());
    assert!(
        temp.path().join("csat.toml").exists(),
        "demo leaves an editable configuration"
    );

    let second = csat(&["--data-dir", dir, "--today", "2026-11-23", "demo"]);
    let stdout_second = String::from_utf8_lossy(&second.stdout);
    assert_eq!(second.status.code(), Some(0), "{stdout_second}");
    assert!(stdout_second.contains("0 loaded"), "{stdout_second}");
    let n_files = demo::generate(1, run_date()).unwrap().files.len();
    assert!(
        stdout_second.contains(&format!("{n_files} duplicates skipped")),
        "{stdout_second}"
    );
    // Same figures both times: the summary lines match.
    let line = |s: &str| {
        s.lines()
            .find(|l| l.starts_with("Company satisfaction:"))
            .map(str::to_string)
    };
    assert_eq!(line(&stdout), line(&stdout_second));

    let check = csat(&["--data-dir", dir, "check"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let status = csat(&["--data-dir", dir, "status", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(json["files_waiting"].as_array().unwrap().len(), 0);
    // One next run per shipped job file.
    let shipped = std::fs::read_dir(manifest_dir().join("jobs"))
        .unwrap()
        .count();
    assert_eq!(json["next_runs"].as_array().unwrap().len(), shipped);

    let bad_month = csat(&["--data-dir", dir, "report", "--month", "2026-13"]);
    assert_eq!(bad_month.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_month.stderr).contains("'2026-13' is not a month"));
}

#[test]
fn bench_measures_both_formats_on_a_small_run() {
    let temp = tempfile::tempdir().unwrap();
    let output = csat(&[
        "--data-dir",
        temp.path().to_str().unwrap(),
        "--today",
        "2026-11-23",
        "bench",
        "--formats",
        "--answers",
        "2400",
        "--customers",
        "300",
    ]);
    let stdout = succeeded(output);
    for step in ["ingest csv", "ingest xlsx"] {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(step))
            .unwrap_or_else(|| panic!("{stdout}"));
        let fields: Vec<&str> = line[step.len()..].split_whitespace().collect();
        // 200 respondents × 12 scored answers, plus the free-text answers.
        assert_eq!(fields[0], "200", "{line}");
        assert!(fields[1].parse::<u64>().unwrap() >= 2400, "{line}");
        assert!(
            fields[4].parse::<f64>().unwrap() > 0.0,
            "peak memory is reported: {line}"
        );
    }
    // The same 200 respondents as 200 files of one respondent each.
    let many = stdout
        .lines()
        .find(|l| l.starts_with("ingest 200 files"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert_eq!(many.split_whitespace().nth(3), Some("200"), "{many}");
    // 300 customers and 12 months of sales each: 300 + 3,600 rows; 300 graded.
    let customers = stdout
        .lines()
        .find(|l| l.starts_with("ingest customers+sales"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert_eq!(
        customers.split_whitespace().nth(2),
        Some("3900"),
        "{customers}"
    );
    let regrade = stdout.lines().find(|l| l.starts_with("regrade")).unwrap();
    assert_eq!(regrade.split_whitespace().nth(1), Some("300"), "{regrade}");
}

/// Executives' tools open the workbook: real LibreOffice (installed by
/// `.ci/run`) converts the demo month's workbook to PDF without error, every
/// sheet gives at least one page, and the summary's title is in the text.
#[test]
fn libreoffice_opens_the_workbook() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let config = Config::load(None).unwrap();
    let company = demo::generate(1, run_date()).unwrap();
    drop_into_inbox(&data_dir, &company_files(&company));
    let mut store = pipeline::open_store(&data_dir).unwrap();
    pipeline::ingest(&config, &data_dir, &mut store, run_date(), settled()).unwrap();
    let outcome = pipeline::report(&config, &data_dir, &mut store, report_month()).unwrap();
    let n_sheets = open_workbook_auto(&outcome.path)
        .unwrap()
        .sheet_names()
        .len();

    let out = temp.path().join("pdf");
    let profile = format!("file://{}", temp.path().join("lo-profile").display());
    let status = Command::new("libreoffice")
        .arg(format!("-env:UserInstallation={profile}"))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&out)
        .arg(&outcome.path)
        .output()
        .expect("LibreOffice is installed (.ci/run installs libreoffice-calc)");
    assert!(status.status.success(), "{status:?}");
    let pdf = out.join("csat-report-2026-10.pdf");
    let info = Command::new("pdfinfo")
        .arg(&pdf)
        .output()
        .expect("pdfinfo (poppler-utils)");
    let info = String::from_utf8_lossy(&info.stdout).to_string();
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .map(|n| n.trim().parse().unwrap())
        .unwrap_or_else(|| panic!("{info}"));
    assert!(pages >= n_sheets, "{pages} pages for {n_sheets} sheets");
    let text = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("客户满意度月报"),
        "{}",
        &text[..text.len().min(500)]
    );
}

/// `--lang en` (or `[report] lang = "en"`): the same workbook with English
/// sheet names, headers, bands and narrative; the data (department names)
/// as entered. Every header row of every sheet is free of Chinese labels.
#[test]
fn the_report_speaks_english_on_request() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let mut config = Config::load(None).unwrap();
    config.report.lang = csat::report::labels::Lang::En;
    let company = demo::generate(1, run_date()).unwrap();
    drop_into_inbox(&data_dir, &company_files(&company));
    let mut store = pipeline::open_store(&data_dir).unwrap();
    pipeline::ingest(&config, &data_dir, &mut store, run_date(), settled()).unwrap();
    let outcome = pipeline::report(&config, &data_dir, &mut store, report_month()).unwrap();
    let workbook = open_workbook_auto(&outcome.path).unwrap();
    let names = workbook.sheet_names();
    assert_eq!(
        names,
        vec![
            "Summary",
            "Departments",
            "Pareto",
            "Department Pareto",
            "Groups",
            "Key drivers",
            "Customer voice",
            "Distribution",
            "Phone callbacks",
            "Problems",
            "Complaints & proposals",
            "Action plans",
            "Customer grades",
            "Data quality"
        ]
    );
    drop(workbook);
    let summary = read_sheet(&outcome.path, "Summary");
    assert_eq!(text(&summary, 2, 0), "Company satisfaction");
    let band = text(&summary, 3, 1);
    assert!(
        ["Very satisfied", "Satisfied", "Average", "Dissatisfied"].contains(&band.as_str()),
        "{band}"
    );
    let narrative = (0..summary.height() as u32)
        .filter_map(|r| summary.get_value((r, 0)).map(|v| v.to_string()))
        .find(|t| t.contains("customer satisfaction was"))
        .expect("the English narrative");
    assert!(
        narrative.contains("against a target of 85.0%"),
        "{narrative}"
    );
    let has_chinese = |t: &str| t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    for name in &names {
        let sheet = read_sheet(&outcome.path, name);
        let header: Vec<String> = (0..sheet.width() as u32)
            .filter_map(|c| sheet.get_value((0, c)).map(|v| v.to_string()))
            .collect();
        // The summary's title carries the company's (Chinese) name: data.
        // The callback dimensions are the configured questions' texts: data.
        let labels = header.iter().filter(|h| {
            !h.contains(&config.company.name)
                && !config.questions.iter().any(|q| q.match_text == **h)
        });
        assert!(
            !labels.clone().any(|h| has_chinese(h)),
            "{name}: {header:?}"
        );
    }
    let departments = read_sheet(&outcome.path, "Departments");
    assert_eq!(text(&departments, 1, 0), "经销商", "data stays as entered");
}

/// `ingest --dry-run` reads a named file as the inbox does: a FIFO is refused
/// at once (before, the read waited for a writer forever), a link is refused,
/// and a good file beside them is still parsed.
#[test]
fn dry_run_refuses_a_fifo_and_a_link_beside_a_good_file() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().to_str().unwrap();
    let fifo = temp.path().join("回访记录.csv");
    let path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0);
    let good = temp.path().join("投诉.csv");
    std::fs::write(
        &good,
        "投诉编号,受理日期,严重等级,原因类别,责任部门\nT1,2026-10-02,3级,价格,客服中心\n",
    )
    .unwrap();
    let link = temp.path().join("link.csv");
    std::os::unix::fs::symlink(&good, &link).unwrap();

    let started = std::time::Instant::now();
    let (tx, rx) = std::sync::mpsc::channel();
    for (name, path) in [("fifo", &fifo), ("link", &link), ("good", &good)] {
        let args = [
            "--data-dir",
            dir,
            "ingest",
            "--dry-run",
            path.to_str().unwrap(),
        ];
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let tx = tx.clone();
        std::thread::spawn(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            tx.send((name, csat(&args))).unwrap();
        });
    }
    drop(tx);
    let mut outputs = std::collections::BTreeMap::new();
    while let Ok((name, output)) = rx.recv_timeout(std::time::Duration::from_secs(60)) {
        outputs.insert(name, output);
    }
    assert_eq!(
        outputs.len(),
        3,
        "a dry run hung (after {:?})",
        started.elapsed()
    );
    let stderr = |name: &str| String::from_utf8_lossy(&outputs[name].stderr).to_string();
    assert_ne!(outputs["fifo"].status.code(), Some(0), "{}", stderr("fifo"));
    assert_ne!(outputs["link"].status.code(), Some(0), "{}", stderr("link"));
    assert!(stderr("link").contains("link"), "{}", stderr("link"));
    assert_eq!(outputs["good"].status.code(), Some(0), "{}", stderr("good"));
}
