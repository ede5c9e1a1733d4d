//! `csat serve`: scheduled passes, the data-directory lock and deadline
//! alerts.

use crate::util::*;

#[test]
fn serve_runs_a_scheduled_ingest_and_stops_on_sigterm() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path().join("data"));
    let jobs = temp.path().join("jobs");
    std::fs::create_dir_all(&jobs).unwrap();
    std::fs::write(
        jobs.join("ingest.toml"),
        "job = \"ingest\"\ncron = \"* * * * * *\"\ntimezone = \"UTC\"\n",
    )
    .unwrap();
    let survey = "序号,提交答卷时间,1、您购买产品的门店：,2、您对床垫整体质量的满意程度：\n1,2026/10/3 14:05:09,深圳福田店,满意\n";
    drop_into_inbox(
        &data_dir,
        &[("survey.csv".to_string(), survey.as_bytes().to_vec())],
    );

    let mut child = spawn_serve(&data_dir, &jobs);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let archived = |dir: &Path| {
        std::fs::read_dir(dir.join("archive"))
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .any(|month| month.path().join("survey.csv").exists())
    };
    while !archived(data_dir.root()) {
        assert!(
            std::time::Instant::now() < deadline,
            "the scheduled ingest did not run within 30 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "serve exits cleanly on SIGTERM");

    let output = csat(&[
        "--data-dir",
        data_dir.root().to_str().unwrap(),
        "status",
        "--json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let runs = json["last_runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["job"], "ingest");
    assert_eq!(runs[0]["outcome"], "ok");
}

/// `csat serve --once --at` does one scheduling pass as if it were that
/// moment: at 06:00:30 on 2026-12-01 in Shanghai the alerts, ingest and
/// monthly-report jobs are due (their ticks at 06:00:00 = 22:00:00 UTC the
/// day before) and run once, recorded with their tick; the same moment
/// again runs nothing. While a `csat serve` holds the data directory, a
/// second process is refused; once the holder is killed (SIGKILL), the lock
/// is free again.
#[test]
fn serve_once_runs_what_is_due_and_one_process_holds_the_data_dir() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let company = demo::generate(1, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).unwrap();
    drop_into_inbox(&data_dir, &company_files(&company));
    // The CLI reads the real clock for the inbox's settle time: the files
    // were dropped an hour ago.
    for entry in std::fs::read_dir(data_dir.inbox()).unwrap() {
        let status = Command::new("touch")
            .args(["-d", "1 hour ago"])
            .arg(entry.unwrap().path())
            .status()
            .unwrap();
        assert!(status.success());
    }
    let dir = temp.path().to_str().unwrap();
    let once = |at: &str| csat(&["--data-dir", dir, "serve", "--once", "--at", at]);

    let first = once("2026-12-01T06:00:30+08:00");
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    let runs: Vec<(String, String, String)> = json["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["job"].as_str().unwrap().to_string(),
                r["scheduled_for"].as_str().unwrap().to_string(),
                r["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let tick = "2026-11-30 22:00:00 UTC".to_string();
    assert_eq!(
        runs,
        vec![
            ("alerts".into(), tick.clone(), "OnTime".into()),
            ("ingest".into(), tick.clone(), "OnTime".into()),
            ("monthly_report".into(), tick.clone(), "OnTime".into()),
        ]
    );
    assert!(temp
        .path()
        .join("reports/2026-11/csat-report-2026-11.xlsx")
        .exists());

    let second = once("2026-12-01T06:00:40+08:00");
    let json: serde_json::Value = serde_json::from_slice(&second.stdout).unwrap();
    assert_eq!(
        json["runs"].as_array().unwrap().len(),
        0,
        "nothing due twice"
    );

    let status = csat(&["--data-dir", dir, "status", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    let report = json["last_runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["job"] == "monthly_report")
        .unwrap()
        .clone();
    assert_eq!(report["scheduled_for"], "2026-11-30 22:00:00");
    assert_eq!(report["outcome"], "ok", "{report}");

    let mut holder = Command::new(env!("CARGO_BIN_EXE_csat"))
        .args(["--data-dir", dir, "serve"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let lock = temp.path().join("csat.lock");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::fs::read_to_string(&lock).unwrap_or_default().trim() != holder.id().to_string() {
        assert!(
            std::time::Instant::now() < deadline,
            "serve did not take the lock"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let refused = once("2026-12-01T06:10:30+08:00");
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("another csat process runs the jobs"),
        "{stderr}"
    );
    assert!(stderr.contains(&holder.id().to_string()), "{stderr}");
    holder.kill().unwrap();
    holder.wait().unwrap();
    let after = once("2026-12-01T06:10:30+08:00");
    assert_eq!(
        after.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&after.stderr)
    );
}

/// The 8th: with November's report undelivered, the pass on 12-04 (Friday;
/// two working days, 12-07 and 12-08, before the deadline) warns that the
/// call-centre file is missing; on 12-09 and again on 12-10 an overdue alert
/// goes out (once a day, not once a pass); after the report is delivered,
/// nothing more. Everything through a real SMTP server.
#[test]
fn an_undelivered_report_raises_deadline_alerts_every_day() {
    use chrono::TimeZone;
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let smtp = start_smtp_server(temp.path());
    let mut config = Config::load(None).unwrap();
    config.alerts.smtp = Some(smtp.settings());
    config.alerts.recipients = vec!["quality@example.com".into()];
    config.delivery.recipients = vec!["ceo@example.com".into()];
    config.delivery.expected_sources = vec!["callcenter_callbacks".into()];
    let jobs: Vec<_> = csat::scheduler::load_jobs(None)
        .unwrap()
        .into_iter()
        .filter(|j| j.job == "monthly_report")
        .collect();
    let shanghai = |d: u32, h: u32| {
        chrono_tz::Asia::Shanghai
            .with_ymd_and_hms(2026, 12, d, h, 0, 0)
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    let pass = |at: chrono::DateTime<chrono::Utc>| {
        csat::scheduler::scheduler_pass(&config, &data_dir, &jobs, at, settled(), &|| at).unwrap()
    };
    let subjects = || -> Vec<String> { smtp.messages().into_iter().map(|m| m.0).collect() };

    let warning = pass(shanghai(4, 9));
    assert_eq!(
        warning.deadline_notices,
        vec!["【月报预警】2026-11 月报输入不全，距截止还有 2 个工作日".to_string()]
    );
    assert!(pass(shanghai(8, 9)).deadline_notices[0].starts_with("【月报预警】"));
    let overdue = pass(shanghai(9, 9));
    assert_eq!(
        overdue.deadline_notices,
        vec!["【月报逾期】2026-11 月报未在 2026-12-08 前送达".to_string()]
    );
    pass(shanghai(9, 15));
    pass(shanghai(10, 9));
    let sent = subjects();
    assert_eq!(
        sent.iter()
            .filter(|s| s.starts_with("【月报逾期】"))
            .count(),
        2,
        "{sent:?}"
    );
    assert_eq!(
        sent.iter()
            .filter(|s| s.starts_with("【月报预警】"))
            .count(),
        2,
        "{sent:?}"
    );

    let mut store = pipeline::open_store(&data_dir).unwrap();
    let now = NaiveDate::from_ymd_opt(2026, 12, 10)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap();
    let delivered = pipeline::deliver(
        &config,
        &data_dir,
        &mut store,
        "2026-11".parse().unwrap(),
        now,
        true,
        false,
    )
    .unwrap();
    assert_eq!(delivered.sent.len(), 1);
    drop(store);
    assert!(pass(shanghai(11, 9)).deadline_notices.is_empty());
}
