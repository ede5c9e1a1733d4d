//! Network calls with limits (issue 14, items 5 and 11), against real local
//! servers: a webhook that accepts and never answers, a group robot that
//! answers HTTP 200 with an `errcode`, a refusing SMTP port, a digest of
//! many alerts, and the final alert when the monthly report's retry window
//! closes without a report.

use crate::util::*;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// How the local group robot behaves.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Robot {
    /// Accepts the connection, never reads or answers.
    Hang,
    /// Answers HTTP 200 with `{"errcode":N,…}`.
    Errcode(i64),
}

/// A real HTTP server on a local port; its behaviour can change between
/// runs (a robot that is rate-limited, then answers again).
struct RobotServer {
    port: u16,
    mode: Arc<Mutex<Robot>>,
    connections: Arc<AtomicUsize>,
    bodies: Arc<Mutex<Vec<String>>>,
}

impl RobotServer {
    fn url(&self) -> String {
        format!(
            "http://127.0.0.1:{}/cgi-bin/webhook/send?key=test",
            self.port
        )
    }

    fn set(&self, mode: Robot) {
        *self.mode.lock().unwrap() = mode;
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    fn bodies(&self) -> Vec<String> {
        self.bodies.lock().unwrap().clone()
    }
}

fn start_robot(mode: Robot) -> RobotServer {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = RobotServer {
        port,
        mode: Arc::new(Mutex::new(mode)),
        connections: Arc::new(AtomicUsize::new(0)),
        bodies: Arc::new(Mutex::new(Vec::new())),
    };
    let (mode, connections, bodies) = (
        server.mode.clone(),
        server.connections.clone(),
        server.bodies.clone(),
    );
    std::thread::spawn(move || {
        // Hanging connections are held open here for the test's lifetime.
        let mut held = Vec::new();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            connections.fetch_add(1, Ordering::SeqCst);
            let errcode = match *mode.lock().unwrap() {
                Robot::Hang => {
                    held.push(stream);
                    continue;
                }
                Robot::Errcode(code) => code,
            };
            let bodies = bodies.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = value.trim().parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                bodies
                    .lock()
                    .unwrap()
                    .push(String::from_utf8(body).unwrap());
                let reply = if errcode == 0 {
                    "{\"errcode\":0,\"errmsg\":\"ok\"}".to_string()
                } else {
                    format!("{{\"errcode\":{errcode},\"errmsg\":\"api freq out of limit\"}}")
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                    reply.len()
                );
            });
        }
    });
    server
}

/// A complaints log of `n` severity-1 complaints received on 2026-11-20
/// (answered within one working day: due 11-23, not overdue on 11-23).
fn severity_one_complaints(n: usize) -> Vec<u8> {
    severity_one_complaints_on(n, "2026-11-20")
}

fn severity_one_complaints_on(n: usize, received: &str) -> Vec<u8> {
    let mut csv = "投诉编号,受理日期,严重等级,原因类别,责任部门,问题描述,处理状态\n".to_string();
    for i in 1..=n {
        csv.push_str(&format!(
            "K-{i},{received},1,产品质量,技术质量中心,床垫弹簧断裂第{i}例,处理中\n"
        ));
    }
    csv.into_bytes()
}

/// The real clock `minutes` from now, for a run after a retry's wait.
fn later(minutes: u64) -> SystemTime {
    SystemTime::now() + Duration::from_secs(3600 + minutes * 60)
}

/// Every recorded alert delivery: (key, ok, attempt, minutes until the next
/// attempt, error), in key and attempt order.
fn deliveries(data_dir: &DataDir) -> Vec<(String, bool, i64, Option<i64>, String)> {
    let store = pipeline::open_store(data_dir).unwrap();
    store
        .query(
            "test deliveries",
            "SELECT alert_key, ok, attempt, date_diff('minute', sent_at, next_attempt_at), \
             coalesce(error, '') FROM alert_deliveries ORDER BY alert_key, attempt",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| {
            (
                r[0].as_text().unwrap(),
                r[1].as_bool().unwrap(),
                r[2].as_i64().unwrap(),
                r[3].as_i64(),
                r[4].as_text().unwrap_or_default(),
            )
        })
        .collect()
}

/// The shipped configuration with these `[alerts]` lines added.
fn config_text(extra_alert_lines: &str) -> String {
    let text = csat::config::DEFAULT_CONFIG_TOML;
    assert!(text.contains("[alerts]\n"));
    text.replace("[alerts]\n", &format!("[alerts]\n{extra_alert_lines}\n"))
        .replace("webhooks = []", "")
}

fn touch_an_hour_ago(data_dir: &DataDir) {
    for entry in std::fs::read_dir(data_dir.inbox()).unwrap() {
        let status = Command::new("touch")
            .args(["-d", "1 hour ago"])
            .arg(entry.unwrap().path())
            .status()
            .unwrap();
        assert!(status.success());
    }
}

/// `csat run ingest` against a webhook that accepts and never answers:
/// three severity-1 alerts cost one connection and one timeout (3 s
/// configured), not three, and the command returns; every alert is
/// recorded failed (attempt 1, next attempt in 5 minutes). A run right
/// after tries nothing (the wait is not over); a run ten minutes later,
/// with the robot answering again, delivers all three.
#[test]
fn a_webhook_that_never_answers_times_out_and_is_retried_later() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let robot = start_robot(Robot::Hang);
    std::fs::write(
        temp.path().join("csat.toml"),
        config_text(&format!(
            "webhooks = [\"{}\"]\nconnect_timeout_seconds = 2\ntimeout_seconds = 3",
            robot.url()
        )),
    )
    .unwrap();
    drop_into_inbox(
        &data_dir,
        &[("投诉登记_11月.csv".into(), severity_one_complaints(3))],
    );
    touch_an_hour_ago(&data_dir);
    let dir = temp.path().to_str().unwrap();

    let started = Instant::now();
    let first = csat(&["--data-dir", dir, "--today", "2026-11-23", "run", "ingest"]);
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&first.stdout).to_string();
    eprintln!("csat run ingest against a hanging webhook returned after {elapsed:?}");
    assert!(elapsed < Duration::from_secs(60), "took {elapsed:?}");
    assert!(
        elapsed >= Duration::from_secs(3),
        "returned after {elapsed:?}: before the 3 s timeout, so it did not wait for an answer"
    );
    assert_eq!(first.status.code(), Some(1), "partial: {stdout}");
    assert!(stdout.contains("3 failed (retried later)"), "{stdout}");
    assert_eq!(robot.connections(), 1, "one timeout per target and run");
    let recorded = deliveries(&data_dir);
    assert_eq!(recorded.len(), 3, "{recorded:?}");
    for (key, ok, attempt, wait, _) in &recorded {
        assert!(key.starts_with("complaint-severity-1/"), "{key}");
        assert!(!ok);
        assert_eq!((*attempt, *wait), (1, Some(5)));
    }
    let errors: Vec<&str> = recorded.iter().map(|r| r.4.as_str()).collect();
    assert_eq!(
        errors
            .iter()
            .filter(|e| e.starts_with("no answer within 3 s"))
            .count(),
        1,
        "{errors:?}"
    );
    assert_eq!(
        errors
            .iter()
            .filter(|e| e.starts_with("not tried after an earlier failure: no answer within 3 s"))
            .count(),
        2,
        "{errors:?}"
    );

    let second = csat(&["--data-dir", dir, "--today", "2026-11-23", "run", "ingest"]);
    let stdout = String::from_utf8_lossy(&second.stdout).to_string();
    assert!(
        stdout.contains("alerts: 0 raised, 0 deliveries, 3 waiting to be retried"),
        "{stdout}"
    );
    assert_eq!(robot.connections(), 1);

    robot.set(Robot::Errcode(0));
    let config = Config::load(Some(&temp.path().join("csat.toml"))).unwrap();
    let third = pipeline::run_job(
        "ingest".parse().unwrap(),
        &config,
        &data_dir,
        run_date(),
        later(10),
    );
    assert!(
        third.message.ends_with("alerts: 3 raised, 3 deliveries"),
        "{}",
        third.message
    );
    assert_eq!(robot.bodies().len(), 3);
    let delivered: Vec<(bool, i64, Option<i64>)> = deliveries(&data_dir)
        .into_iter()
        .filter(|r| r.1)
        .map(|r| (r.1, r.2, r.3))
        .collect();
    assert_eq!(delivered, vec![(true, 2, None); 3]);
}

/// `csat serve` with a webhook that never answers: SIGTERM during the
/// pass that waits on it still ends the process, within the configured
/// timeout (5 s) of the call, cleanly.
#[test]
fn serve_stops_on_sigterm_while_a_webhook_hangs() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path().join("data"));
    let robot = start_robot(Robot::Hang);
    std::fs::create_dir_all(data_dir.root()).unwrap();
    std::fs::write(
        data_dir.root().join("csat.toml"),
        config_text(&format!(
            "webhooks = [\"{}\"]\nconnect_timeout_seconds = 2\ntimeout_seconds = 5",
            robot.url()
        )),
    )
    .unwrap();
    let jobs = temp.path().join("jobs");
    std::fs::create_dir_all(&jobs).unwrap();
    std::fs::write(
        jobs.join("ingest.toml"),
        "job = \"ingest\"\ncron = \"* * * * * *\"\ntimezone = \"UTC\"\n",
    )
    .unwrap();
    // `serve` reads the real clock: a complaint from yesterday is within
    // the alerts' 30 days whatever the date.
    let yesterday = (chrono::Local::now().date_naive() - chrono::Duration::days(1)).to_string();
    drop_into_inbox(
        &data_dir,
        &[(
            "投诉登记.csv".into(),
            severity_one_complaints_on(1, &yesterday),
        )],
    );
    touch_an_hour_ago(&data_dir);
    let mut child = spawn_serve(&data_dir, &jobs);
    let deadline = Instant::now() + Duration::from_secs(30);
    while robot.connections() == 0 {
        assert!(
            Instant::now() < deadline,
            "no alert reached the webhook within 30 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let signalled = Instant::now();
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    let took = signalled.elapsed();
    eprintln!("serve exited {took:?} after SIGTERM");
    assert_eq!(status.code(), Some(0), "serve exits cleanly on SIGTERM");
    assert!(
        took < Duration::from_secs(20),
        "SIGTERM took {took:?} with a 5 s network timeout"
    );
}

/// A group robot answering HTTP 200 with `{"errcode":45009}` (企业微信's
/// rate limit) has not taken the message: the delivery is recorded failed
/// with the robot's reason and retried after 5, then 10 minutes; once the
/// robot answers errcode 0 it is delivered, and never again.
#[test]
fn a_robot_errcode_is_a_failure_retried_with_backoff_until_it_succeeds() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let robot = start_robot(Robot::Errcode(45009));
    let mut config = Config::load(None).unwrap();
    config.alerts.webhooks = vec![robot.url()];
    drop_into_inbox(
        &data_dir,
        &[("投诉登记_11月.csv".into(), severity_one_complaints(1))],
    );
    let run = |now: SystemTime| {
        pipeline::run_job(
            "ingest".parse().unwrap(),
            &config,
            &data_dir,
            run_date(),
            now,
        )
    };

    let first = run(later(0));
    assert_eq!(first.outcome, "partial", "{}", first.message);
    assert!(
        first.message.contains(
            "complaint-severity-1/complaint:K-1 → webhook: the robot answered errcode 45009: api freq out of limit"
        ),
        "{}",
        first.message
    );
    assert_eq!(
        deliveries(&data_dir),
        vec![(
            "complaint-severity-1/complaint:K-1".to_string(),
            false,
            1,
            Some(5),
            "the robot answered errcode 45009: api freq out of limit".to_string()
        )]
    );
    // Within the wait: nothing is posted.
    let waiting = run(later(3));
    assert!(
        waiting.message.ends_with("1 waiting to be retried"),
        "{}",
        waiting.message
    );
    assert_eq!(robot.bodies().len(), 1);
    // After 5 minutes: the second attempt, still refused; next in 10.
    let second = run(later(6));
    assert_eq!(second.outcome, "partial");
    assert_eq!(robot.bodies().len(), 2);
    let retried = &deliveries(&data_dir)[1];
    assert_eq!((retried.1, retried.2, retried.3), (false, 2, Some(10)));
    robot.set(Robot::Errcode(0));
    let early = run(later(12));
    assert_eq!(robot.bodies().len(), 2, "{}", early.message);
    let third = run(later(17));
    assert_eq!(third.outcome, "ok", "{}", third.message);
    assert!(
        third.message.ends_with("alerts: 1 raised, 1 deliveries"),
        "{}",
        third.message
    );
    assert_eq!(robot.bodies().len(), 3);
    let last = deliveries(&data_dir).pop().unwrap();
    assert_eq!((last.1, last.2, last.3), (true, 3, None));
    let after = run(later(60));
    assert!(
        after.message.ends_with("alerts: 0 raised, 0 deliveries"),
        "{}",
        after.message
    );
    assert_eq!(robot.bodies().len(), 3);
}

/// A mail server that refuses connections: the alert is recorded failed
/// with the refusal and retried; once a real SMTP server listens on that
/// port, the retry delivers it.
#[test]
fn a_refusing_smtp_port_fails_and_the_retry_delivers() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let port = free_port();
    let mut config = Config::load(None).unwrap();
    config.alerts.recipients = vec!["president@example.com".into()];
    config.alerts.smtp = Some(csat::config::SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        security: csat::config::SmtpSecurity::None,
        from: "csat@example.com".into(),
        username: None,
        password_env: None,
    });
    drop_into_inbox(
        &data_dir,
        &[("投诉登记_11月.csv".into(), severity_one_complaints(1))],
    );
    let started = Instant::now();
    let first = pipeline::run_job(
        "ingest".parse().unwrap(),
        &config,
        &data_dir,
        run_date(),
        later(0),
    );
    assert!(started.elapsed() < Duration::from_secs(60));
    assert_eq!(first.outcome, "partial", "{}", first.message);
    let recorded = deliveries(&data_dir);
    assert_eq!(recorded.len(), 1);
    assert_eq!((recorded[0].1, recorded[0].2), (false, 1));
    assert!(
        recorded[0].4.to_lowercase().contains("connection refused"),
        "{recorded:?}"
    );

    // A real server now listens on that port.
    let python = test_python();
    let maildir = temp.path().join("maildir");
    let child = Command::new(&python)
        .args(["-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&maildir)
        .spawn()
        .unwrap();
    wait_for_port(port);
    let smtp = SmtpServer {
        child,
        port,
        maildir,
        python,
    };
    let second = pipeline::run_job(
        "ingest".parse().unwrap(),
        &config,
        &data_dir,
        run_date(),
        later(10),
    );
    assert_eq!(second.outcome, "ok", "{}", second.message);
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].0, "【一级投诉】K-1 产品质量");
    let last = deliveries(&data_dir).pop().unwrap();
    assert_eq!((last.1, last.2), (true, 2));
}

/// Twenty-five severity-1 complaints in one run (more than `digest_over`
/// = 10): one digest e-mail (to both recipients at once) and one robot
/// message, each with the count by kind and the first ten listed; all 25
/// alerts recorded delivered on both channels, so the next run sends
/// nothing.
#[test]
fn twenty_five_alerts_go_out_as_one_digest_per_channel() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let smtp = start_smtp_server(temp.path());
    let robot = start_robot(Robot::Errcode(0));
    let mut config = Config::load(None).unwrap();
    config.alerts.recipients = vec![
        "president@example.com".into(),
        "chairman@example.com".into(),
    ];
    config.alerts.smtp = Some(smtp.settings());
    config.alerts.webhooks = vec![robot.url()];
    assert_eq!(config.alerts.digest_over, 10, "the default");
    drop_into_inbox(
        &data_dir,
        &[("投诉登记_11月.csv".into(), severity_one_complaints(25))],
    );
    let first = pipeline::run_job(
        "ingest".parse().unwrap(),
        &config,
        &data_dir,
        run_date(),
        later(0),
    );
    assert_eq!(first.outcome, "ok", "{}", first.message);
    assert!(
        first
            .message
            .ends_with("alerts: 25 raised, 2 deliveries (2 as digests)"),
        "{}",
        first.message
    );
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].0, "【告警汇总】本次 25 条告警");
    assert_eq!(messages[0].2, "president@example.com, chairman@example.com");
    let posted = robot.bodies();
    assert_eq!(posted.len(), 1);
    let json: serde_json::Value = serde_json::from_str(&posted[0]).unwrap();
    let content = json["text"]["content"].as_str().unwrap().to_string();
    for text in [messages[0].1.clone(), content] {
        assert!(
            text.contains("本次共 25 条告警：一级投诉 25 条。"),
            "{text}"
        );
        let listed = text
            .lines()
            .filter(|l| l.contains(". 【一级投诉】K-"))
            .count();
        assert_eq!(listed, 10, "{text}");
        assert!(text.contains("其余 15 条"), "{text}");
    }
    let recorded = deliveries(&data_dir);
    assert_eq!(recorded.len(), 50);
    assert!(recorded.iter().all(|r| r.1 && r.2 == 1));

    let second = pipeline::run_job(
        "ingest".parse().unwrap(),
        &config,
        &data_dir,
        run_date(),
        later(1),
    );
    assert!(
        second.message.ends_with("alerts: 0 raised, 0 deliveries"),
        "{}",
        second.message
    );
    assert_eq!(smtp.messages().len(), 1);
    assert_eq!(robot.bodies().len(), 1);
}

/// The monthly report held back all week (the call-centre file never
/// came): tried at 06:00 on 12-01, retried, last on 12-07; at 06:00:30 on
/// 12-08, 168 hours after the tick, its retry window has closed and one
/// final alert says November's report was not produced, how often it was
/// tried and the last reason. Later passes do not repeat it.
#[test]
fn a_closed_retry_window_raises_one_final_alert() {
    use chrono::TimeZone;
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let robot = start_robot(Robot::Errcode(0));
    let mut config = Config::load(None).unwrap();
    config.alerts.webhooks = vec![robot.url()];
    config.delivery.recipients = vec!["ceo@example.com".into()];
    config.delivery.expected_sources = vec!["callcenter_callbacks".into()];
    let jobs: Vec<_> = csat::scheduler::load_jobs(None)
        .unwrap()
        .into_iter()
        .filter(|j| j.job == "monthly_report")
        .collect();
    let shanghai = |d: u32, h: u32, m: u32, s: u32| {
        chrono_tz::Asia::Shanghai
            .with_ymd_and_hms(2026, 12, d, h, m, s)
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    let pass = |at: chrono::DateTime<chrono::Utc>| {
        csat::scheduler::scheduler_pass(&config, &data_dir, &jobs, at, settled(), &|| at).unwrap()
    };
    let final_alerts = || -> Vec<String> {
        robot
            .bodies()
            .iter()
            .map(|b| {
                let json: serde_json::Value = serde_json::from_str(b).unwrap();
                json["text"]["content"].as_str().unwrap().to_string()
            })
            .filter(|c| c.starts_with("【月报未生成】"))
            .collect()
    };

    for at in [
        shanghai(1, 6, 0, 30),
        shanghai(1, 6, 31, 0),
        shanghai(7, 21, 0, 0),
    ] {
        let outcome = pass(at);
        assert_eq!(outcome.runs.len(), 1, "{at}");
        assert_eq!(outcome.runs[0].outcome.outcome, "failed");
        assert!(outcome.given_up.is_empty());
    }
    assert!(final_alerts().is_empty());
    let closed = pass(shanghai(8, 6, 0, 30));
    assert!(closed.runs.is_empty(), "no retry after the window");
    assert_eq!(
        closed.given_up,
        vec!["【月报未生成】2026-11 月报未能生成并送达，重试期已结束".to_string()]
    );
    let sent = final_alerts();
    assert_eq!(sent.len(), 1);
    let text = &sent[0];
    assert!(
        text.contains("2026-11 客户满意度月报未能生成并送达。自 2026-12-01 06:00 起共尝试 3 次均未成功，重试期已于 2026-12-08 06:00 结束"),
        "{text}"
    );
    assert!(
        text.contains("最后一次（2026-12-07 21:00）失败原因：")
            && text.contains("report 2026-11 not sent: no data yet from callcenter_callbacks"),
        "{text}"
    );
    assert!(pass(shanghai(8, 9, 0, 0)).given_up.is_empty());
    assert!(pass(shanghai(9, 9, 0, 0)).given_up.is_empty());
    assert_eq!(final_alerts().len(), 1, "sent once");
}
