//! Alerts and the monthly report through real SMTP and HTTP servers, and the
//! readiness that holds a report back.

use crate::util::*;

/// A real HTTP server on a local port that answers every POST like a group
/// robot (`{"errcode":0}`) and keeps the bodies.
fn start_webhook_server() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let bodies = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = bodies.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line == "\r\n" || line.is_empty() {
                    break;
                }
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            kept.lock().unwrap().push(String::from_utf8(body).unwrap());
            let reply = "{\"errcode\":0,\"errmsg\":\"ok\"}";
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                reply.len()
            )
            .unwrap();
        }
    });
    (port, bodies)
}

/// Escalation through a real SMTP server and a real HTTP server: on
/// 2026-11-23 the inbox run that loads a severity-1 complaint (K-1,
/// 11-20), a complaint overdue since 10-22 (K-2: severity 3 received 10-09,
/// due ten working days later; 22 working days overdue ≥ 5) and a
/// 很不满意 answer from an A-grade customer (深圳福田店, graded A) sends three
/// alerts, each once by e-mail (to both recipients) and once to the robot.
/// The next run sends nothing; a re-export that closes K-1 re-sends K-1 only.
#[test]
fn alerts_reach_a_real_smtp_server_and_webhook_once() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let smtp = start_smtp_server(temp.path());
    let (hook_port, bodies) = start_webhook_server();
    let mut config = Config::load(None).unwrap();
    config.alerts.recipients = vec![
        "president@example.com".into(),
        "chairman@example.com".into(),
    ];
    config.alerts.webhooks = vec![format!("http://127.0.0.1:{hook_port}/robot/send?key=test")];
    config.alerts.smtp = Some(smtp.settings());
    let today = run_date();
    // One customer, graded A (the only established customer ranks first).
    drop_into_inbox(
        &data_dir,
        &[(
            "客户档案.csv".into(),
            "客户编号,客户名称,客户类型,合作开始日期\nK1,深圳福田店,普通商,2015-01-01\n"
                .as_bytes()
                .to_vec(),
        )],
    );
    let mut store = pipeline::open_store(&data_dir).unwrap();
    pipeline::ingest(&config, &data_dir, &mut store, today, settled()).unwrap();
    let graded = pipeline::regrade(&config, &data_dir, &mut store, today).unwrap();
    assert_eq!(graded.grading.customers[0].grade, "A");
    drop(store);

    let complaints = |k1_status: &str| {
        format!(
            "投诉编号,受理日期,严重等级,原因类别,责任部门,问题描述,处理状态\n\
             K-1,2026-11-20,1,产品质量,技术质量中心,床垫弹簧断裂划伤客户,{k1_status}\n\
             K-2,2026-10-09,3,安装服务,售后服务部,安装预约一直没人回复,\n"
        )
        .into_bytes()
    };
    drop_into_inbox(
        &data_dir,
        &[
            ("投诉登记_11月.csv".into(), complaints("处理中")),
            (
                "问卷_2026-11.csv".into(),
                "序号,提交答卷时间,1、您购买产品的门店：,2、您对床垫整体质量的满意程度：\n\
                 1,2026/11/21 10:00,深圳福田店,很不满意\n"
                    .as_bytes()
                    .to_vec(),
            ),
        ],
    );
    let first = pipeline::run_job(
        "ingest".parse().unwrap(),
        &config,
        &data_dir,
        today,
        settled(),
    );
    assert_eq!(first.outcome, "ok", "{}", first.message);
    assert!(
        first.message.ends_with("alerts: 3 raised, 6 deliveries"),
        "{}",
        first.message
    );
    let messages = smtp.messages();
    let subjects: Vec<&str> = messages.iter().map(|m| m.0.as_str()).collect();
    assert_eq!(
        subjects,
        vec![
            "【A级客户很不满意】客户 K1",
            "【一级投诉】K-1 产品质量",
            "【超期】投诉 K-2 已超过答复期限",
        ]
    );
    assert!(
        messages[1].1.contains("床垫弹簧断裂划伤客户"),
        "{}",
        messages[1].1
    );
    assert!(messages[1].1.contains("技术质量中心"), "{}", messages[1].1);
    assert_eq!(messages[1].2, "president@example.com, chairman@example.com");
    assert!(
        messages[2].1.contains("应于 2026-10-22 前答复"),
        "{}",
        messages[2].1
    );
    {
        let posted = bodies.lock().unwrap();
        assert_eq!(posted.len(), 3);
        let json: serde_json::Value = serde_json::from_str(&posted[0]).unwrap();
        assert_eq!(json["msgtype"], "text");
        assert!(json["text"]["content"].as_str().unwrap().starts_with('【'));
    }

    let second = pipeline::run_job(
        "ingest".parse().unwrap(),
        &config,
        &data_dir,
        today,
        settled(),
    );
    assert!(
        second.message.ends_with("alerts: 0 raised, 0 deliveries"),
        "{}",
        second.message
    );
    assert_eq!(smtp.messages().len(), 3);

    drop_into_inbox(
        &data_dir,
        &[("投诉登记_11月_更新.csv".into(), complaints("已结案"))],
    );
    let third = pipeline::run_job(
        "ingest".parse().unwrap(),
        &config,
        &data_dir,
        today,
        settled(),
    );
    assert!(
        third.message.ends_with("alerts: 1 raised, 2 deliveries"),
        "{}",
        third.message
    );
    let messages = smtp.messages();
    assert_eq!(messages.len(), 4);
    assert_eq!(
        messages
            .iter()
            .filter(|m| m.0 == "【一级投诉】K-1 产品质量")
            .count(),
        2
    );
    assert_eq!(bodies.lock().unwrap().len(), 4);
}

/// The monthly report is delivered through a real SMTP server: held back
/// while the callbacks and complaints of the month are missing (and sent
/// anyway when forced, marked as such), then never twice to a recipient
/// unless re-sent on purpose. The executives get the workbook written to
/// reports/ (same SHA-256) with the narrative in the body; 售后服务部 gets its
/// slice, whose department sheet holds only its own row.
#[test]
fn the_report_is_delivered_once_through_a_real_smtp_server() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let smtp = start_smtp_server(temp.path());
    let mut config = Config::load(None).unwrap();
    config.alerts.smtp = Some(smtp.settings());
    config.delivery.recipients = vec!["ceo@example.com".into(), "chairman@example.com".into()];
    config.delivery.department_slices = true;
    config.delivery.expected_sources = vec![
        "wjx_survey|wjx_survey_ordinal".into(),
        "callcenter_callbacks".into(),
        "complaints_log".into(),
    ];
    config
        .departments
        .iter_mut()
        .find(|d| d.key == "after_sales")
        .unwrap()
        .email = Some("after-sales@example.com".into());
    let company = demo::generate(1, run_date()).unwrap();
    let (surveys, rest): (Vec<_>, Vec<_>) = company_files(&company)
        .into_iter()
        .partition(|(name, _)| name.starts_with("问卷星"));
    drop_into_inbox(&data_dir, &surveys);
    let mut store = pipeline::open_store(&data_dir).unwrap();
    pipeline::ingest(&config, &data_dir, &mut store, run_date(), settled()).unwrap();
    let now = run_date().and_hms_opt(6, 0, 0).unwrap();

    let held = pipeline::deliver(
        &config,
        &data_dir,
        &mut store,
        report_month(),
        now,
        false,
        false,
    )
    .unwrap();
    assert!(held.blocked);
    assert_eq!(
        held.readiness.missing_sources,
        vec![
            "callcenter_callbacks".to_string(),
            "complaints_log".to_string()
        ]
    );
    assert!(
        smtp.reports(&temp.path().join("mail0")).is_empty(),
        "nothing sent"
    );

    let forced = pipeline::deliver(
        &config,
        &data_dir,
        &mut store,
        report_month(),
        now,
        true,
        false,
    )
    .unwrap();
    assert_eq!(forced.sent.len(), 3);
    assert!(forced.sent.iter().all(|d| d.forced && d.error.is_none()));

    drop_into_inbox(&data_dir, &rest);
    pipeline::ingest(&config, &data_dir, &mut store, run_date(), settled()).unwrap();
    let again = pipeline::deliver(
        &config,
        &data_dir,
        &mut store,
        report_month(),
        now,
        false,
        false,
    )
    .unwrap();
    assert!(!again.blocked, "{}", again.readiness.describe());
    assert!(again.sent.is_empty());
    assert_eq!(again.already_delivered.len(), 3);

    let resent = pipeline::deliver(
        &config,
        &data_dir,
        &mut store,
        report_month(),
        now,
        false,
        true,
    )
    .unwrap();
    assert_eq!(resent.sent.len(), 3);
    assert!(resent.sent.iter().all(|d| !d.forced && d.error.is_none()));

    let mails = smtp.reports(&temp.path().join("mail"));
    assert_eq!(mails.len(), 6);
    let on_disk =
        std::fs::read(data_dir.reports().join("2026-10/csat-report-2026-10.xlsx")).unwrap();
    let latest_full: Vec<_> = mails.iter().filter(|m| m.0 == "ceo@example.com").collect();
    assert_eq!(latest_full.len(), 2);
    assert!(latest_full
        .iter()
        .all(|m| m.1 == "梦宁家居（示例公司） 客户满意度月报 2026-10"));
    assert!(latest_full.iter().all(|m| m.2.contains("客户满意度为")));
    assert!(
        latest_full
            .iter()
            .any(|m| std::fs::read(&m.3).unwrap() == on_disk),
        "the resent attachment is the workbook in reports/"
    );
    let slice = mails
        .iter()
        .find(|m| m.0 == "after-sales@example.com")
        .unwrap();
    assert!(
        slice.3.ends_with("csat-report-2026-10-after_sales.xlsx"),
        "{}",
        slice.3
    );
    let departments = read_sheet(Path::new(&slice.3), "部门得分");
    assert_eq!(text(&departments, 1, 0), "售后服务部");
    let names: Vec<String> = (1..departments.height() as u32)
        .filter_map(|r| departments.get_value((r, 0)).map(|v| v.to_string()))
        .filter(|name| config.departments.iter().any(|d| d.name == *name))
        .collect();
    assert_eq!(names, vec!["售后服务部".to_string()], "only its own row");
    let recorded = store
        .query(
            "deliveries",
            "SELECT count(*), count(*) FILTER (WHERE forced) FROM deliveries WHERE ok",
            &[],
        )
        .unwrap();
    assert_eq!(
        (recorded[0][0].as_i64(), recorded[0][1].as_i64()),
        (Some(6), Some(3))
    );
}

/// Readiness counts only files quarantined since the report's month began
/// (by their `.reasons.txt`): an old rejected file is history, a recent one
/// a pending fix that holds the report back.
#[test]
fn readiness_counts_only_recent_rejections() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let config = Config::load(None).unwrap();
    let store = pipeline::open_store(&data_dir).unwrap();
    for (name, when) in [("old.csv", "2026-08-15"), ("recent.csv", "2026-11-02")] {
        let file = data_dir.rejected().join(name);
        std::fs::write(&file, "x").unwrap();
        let sidecar = data_dir.rejected().join(format!("{name}.reasons.txt"));
        std::fs::write(&sidecar, format!("{name}: bad\n")).unwrap();
        for path in [&file, &sidecar] {
            let status = Command::new("touch")
                .args(["-d", when])
                .arg(path)
                .status()
                .unwrap();
            assert!(status.success());
        }
    }
    let readiness = pipeline::readiness(&config, &data_dir, &store, report_month()).unwrap();
    assert_eq!(readiness.rejected_files, vec!["recent.csv".to_string()]);
    assert!(!readiness.is_ready());
    assert!(readiness
        .describe()
        .contains("rejected files to fix and drop again: recent.csv"));
}
