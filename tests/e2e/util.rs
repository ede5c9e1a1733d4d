//! Helpers shared by the test modules: the run date, the inbox, reading the
//! workbook back, the `csat` binary, stored answers, and a real SMTP server.
//! `use crate::util::*;` also brings the imports every module needs.

pub use std::collections::BTreeMap;
pub use std::path::Path;
pub use std::process::Command;

pub use calamine::{open_workbook_auto, Data, Reader};
pub use chrono::NaiveDate;

pub use csat::config::{Config, Scale};
pub use csat::demo::{self, DemoCompany};
pub use csat::inbox::DataDir;
pub use csat::pipeline::{self, FileOutcome};

pub const RUN_DATE: (i32, u32, u32) = (2026, 11, 23);
pub const REPORT_MONTH: &str = "2026-10";

/// The checkout's root, read at run time: a test binary cached from another checkout
/// (CI shares the target directory) would otherwise point at that checkout.
pub fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(Into::into)
        .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into())
}

pub fn run_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(RUN_DATE.0, RUN_DATE.1, RUN_DATE.2).unwrap()
}

/// A clock reading late enough that every file written by the test has settled.
pub fn settled() -> std::time::SystemTime {
    std::time::SystemTime::now() + std::time::Duration::from_secs(3600)
}

pub fn drop_into_inbox(data_dir: &DataDir, files: &[(String, Vec<u8>)]) {
    std::fs::create_dir_all(data_dir.inbox()).unwrap();
    for (name, bytes) in files {
        std::fs::write(data_dir.inbox().join(name), bytes).unwrap();
    }
}

pub fn company_files(company: &DemoCompany) -> Vec<(String, Vec<u8>)> {
    company
        .files
        .iter()
        .map(|f| (f.name.clone(), f.bytes.clone()))
        .collect()
}

/// Maximum of a scale, by the rulebook (5-point, 0–10).
pub fn scale_max(scale: Scale) -> f64 {
    match scale {
        Scale::Likert5 | Scale::Stars5 => 5.0,
        Scale::Tier10 | Scale::Nps10 => 10.0,
    }
}

/// M = Σ q_i / Σ max_i × 100 over the questions in `keys`, from the
/// generator's true values for `month`.
pub fn expected_m(
    company: &DemoCompany,
    config: &Config,
    month: &str,
    keep: impl Fn(&str) -> bool,
) -> Option<f64> {
    let mut sums: BTreeMap<&str, (f64, usize)> = BTreeMap::new();
    for response in company.responses.iter().filter(|r| r.month == month) {
        for (key, value) in &response.answers {
            if let (Some(value), true) = (value, keep(key)) {
                let entry = sums.entry(key).or_insert((0.0, 0));
                entry.0 += value;
                entry.1 += 1;
            }
        }
    }
    if sums.is_empty() {
        return None;
    }
    let mut sum_means = 0.0;
    let mut sum_max = 0.0;
    for (key, (sum, n)) in sums {
        let question = config
            .questions
            .iter()
            .find(|q| q.key == key)
            .expect("generated key is configured");
        sum_means += sum / n as f64;
        sum_max += scale_max(question.scale);
    }
    Some(sum_means / sum_max * 100.0)
}

pub fn read_sheet(path: &Path, sheet: &str) -> calamine::Range<Data> {
    let mut workbook = open_workbook_auto(path).unwrap();
    workbook.worksheet_range(sheet).unwrap()
}

pub fn number(range: &calamine::Range<Data>, row: u32, column: u32) -> f64 {
    match range.get_value((row, column)) {
        Some(Data::Float(f)) => *f,
        Some(Data::Int(i)) => *i as f64,
        other => panic!("cell ({row}, {column}) is not a number: {other:?}"),
    }
}

pub fn text(range: &calamine::Range<Data>, row: u32, column: u32) -> String {
    match range.get_value((row, column)) {
        Some(Data::String(s)) => s.clone(),
        other => panic!("cell ({row}, {column}) is not text: {other:?}"),
    }
}

pub fn csat(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_csat"))
        .args(args)
        .output()
        .unwrap()
}

/// The standard output of a csat run that must succeed (exit 0); fails
/// with both streams otherwise.
pub fn succeeded(output: std::process::Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// `csat serve` on `data_dir` with the job files of `jobs`, in the
/// background (stderr discarded): the caller stops it.
pub fn spawn_serve(data_dir: &DataDir, jobs: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_csat"))
        .arg("--data-dir")
        .arg(data_dir.root())
        .arg("serve")
        .arg("--jobs-dir")
        .arg(jobs)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

/// Answers of one small survey, as `(respondent, question key, value)`.
pub fn stored_answers(store: &csat::store::Store) -> Vec<(String, String, f64)> {
    store
        .query(
            "answers",
            "SELECT r.response_id, a.question_key, a.value FROM answers AS a \
             JOIN responses AS r ON r.file_id = a.file_id AND r.row_number = a.response_row \
             WHERE a.question_key IS NOT NULL AND a.value IS NOT NULL ORDER BY 1, 2",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| {
            (
                r[0].as_text().unwrap(),
                r[1].as_text().unwrap(),
                r[2].as_f64().unwrap(),
            )
        })
        .collect()
}

/// `(respondent, submitted at, seconds taken)` of every stored response.
pub fn stored_responses(store: &csat::store::Store) -> Vec<(String, String, Option<i64>)> {
    store
        .query(
            "responses",
            "SELECT response_id, strftime(submitted_at, '%Y-%m-%d %H:%M:%S'), duration_seconds \
             FROM responses ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| {
            (
                r[0].as_text().unwrap(),
                r[1].as_text().unwrap(),
                r[2].as_i64(),
            )
        })
        .collect()
}

pub fn survey_csv(rows: &[(&str, &str, &str, &str, &str, &str)]) -> Vec<u8> {
    let mut csv = "序号,提交答卷时间,1、您购买产品的门店：,2、您对床垫整体质量的满意程度：,3、送货是否准时：,4、您有多大可能向亲友推荐我们的品牌？\n".to_string();
    for (id, at, dealer, p, d, r) in rows {
        csv.push_str(&format!("{id},{at},{dealer},{p},{d},{r}\n"));
    }
    csv.into_bytes()
}

/// A real SMTP server (aiosmtpd from PyPI, in a venv the harness creates
/// once under ~/.cache/csat-venv) that stores every message in a Maildir.
pub struct SmtpServer {
    pub child: std::process::Child,
    pub port: u16,
    pub maildir: std::path::PathBuf,
    pub python: std::path::PathBuf,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn wait_for_port(port: u16) {
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("nothing listens on port {port}");
}

/// The test venv's packages: aiosmtpd (the SMTP server of the delivery
/// tests) and the pandas peer's (`csat bench --peer`).
const TEST_PACKAGES: [&str; 4] = ["aiosmtpd", "pandas", "python-calamine", "xlsxwriter"];

/// The venv's python with [`TEST_PACKAGES`] installed (created and
/// installed on first use, as `.ci/run` does).
pub fn test_python() -> std::path::PathBuf {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK.lock().unwrap();
    let venv = std::env::var_os("CSAT_TEST_VENV")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/csat-venv")
        });
    let python = venv.join("bin/python");
    let installed = || {
        Command::new(&python)
            .args(["-c", "import aiosmtpd, pandas, python_calamine, xlsxwriter"])
            .status()
            .is_ok_and(|s| s.success())
    };
    if !installed() {
        let status = Command::new("python3")
            .arg("-m")
            .arg("venv")
            .arg(&venv)
            .status()
            .unwrap();
        assert!(status.success(), "python3 -m venv {}", venv.display());
        let status = Command::new(&python)
            .args(["-m", "pip", "install", "--quiet"])
            .args(TEST_PACKAGES)
            .status()
            .unwrap();
        assert!(status.success(), "pip install {TEST_PACKAGES:?}");
    }
    python
}

impl SmtpServer {
    /// How csat reaches this server: plain SMTP on localhost.
    pub fn settings(&self) -> csat::config::SmtpSettings {
        csat::config::SmtpSettings {
            host: "127.0.0.1".into(),
            port: self.port,
            security: csat::config::SmtpSecurity::None,
            from: "csat@example.com".into(),
            username: None,
            password_env: None,
        }
    }
}

/// Runs `script` with `python` and `args`; what it prints is JSON.
pub fn python_json<T: serde::de::DeserializeOwned>(
    python: &Path,
    script: &str,
    args: &[&Path],
) -> T {
    let output = Command::new(python)
        .args(["-c", script])
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

pub fn start_smtp_server(dir: &Path) -> SmtpServer {
    let python = test_python();
    let port = free_port();
    let maildir = dir.join("maildir");
    let child = Command::new(&python)
        .args(["-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&maildir)
        .spawn()
        .unwrap();
    wait_for_port(port);
    SmtpServer {
        child,
        port,
        maildir,
        python,
    }
}

impl SmtpServer {
    /// (subject, text body) of every stored message, decoded by Python's
    /// email package.
    pub fn messages(&self) -> Vec<(String, String, String)> {
        let script = "import email, email.header, mailbox, sys, json\n\
                      out = []\n\
                      for m in mailbox.Maildir(sys.argv[1], create=False):\n\
                      \x20   subject = str(email.header.make_header(email.header.decode_header(m['Subject'])))\n\
                      \x20   out.append([subject, m.get_payload(decode=True).decode('utf-8'), m['To']])\n\
                      print(json.dumps(sorted(out), ensure_ascii=False))\n";
        python_json(&self.python, script, &[&self.maildir])
    }
}

impl SmtpServer {
    /// Every message's recipient, subject, text body and attachment (saved
    /// under `out`), sorted, decoded by Python's email package.
    pub fn reports(&self, out: &Path) -> Vec<(String, String, String, String)> {
        std::fs::create_dir_all(out).unwrap();
        let script = "import email, email.header, mailbox, sys, json, os\n\
                      out = []\n\
                      for key, m in mailbox.Maildir(sys.argv[1], create=False).items():\n\
                      \x20   subject = str(email.header.make_header(email.header.decode_header(m['Subject'])))\n\
                      \x20   body, name = '', ''\n\
                      \x20   for part in m.walk():\n\
                      \x20       if part.get_filename():\n\
                      \x20           name = part.get_filename()\n\
                      \x20           path = os.path.join(sys.argv[2], key + '-' + name)\n\
                      \x20           open(path, 'wb').write(part.get_payload(decode=True))\n\
                      \x20       elif part.get_content_type() == 'text/plain':\n\
                      \x20           body = part.get_payload(decode=True).decode('utf-8')\n\
                      \x20   out.append([m['To'], subject, body, path if name else ''])\n\
                      print(json.dumps(sorted(out), ensure_ascii=False))\n";
        python_json(&self.python, script, &[&self.maildir, out])
    }
}

/// A 问卷星 survey CSV of October 2026 with two respondents from `first_id`
/// answering the one question 床垫整体质量.
pub fn two_answer_survey(first_id: u32, answers: [&str; 2]) -> Vec<u8> {
    format!(
        "序号,提交答卷时间,1、您购买产品的门店：,2、您对床垫整体质量的满意程度：\n\
         {},2026/10/3 14:05:09,深圳福田店,{}\n\
         {},2026/10/4 10:00:00,深圳南山店,{}\n",
        first_id,
        answers[0],
        first_id + 1,
        answers[1]
    )
    .into_bytes()
}

/// [`REPORT_MONTH`] as a [`csat::month::Month`].
pub fn report_month() -> csat::month::Month {
    REPORT_MONTH.parse().unwrap()
}
