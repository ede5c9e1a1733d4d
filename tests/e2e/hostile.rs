//! A shared inbox is hostile: every case of `tests/fixtures/hostile/README.md`
//! is dropped **beside a good file** into a real data directory and the real
//! binary runs on it (ingest, report, status). Whatever the case, csat exits
//! 0 or 1 within a minute, the good file loads, the month's report is
//! written, nothing outside the data directory changes, and nothing csat
//! created is readable by other users.

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use crate::util::*;

/// The good file of every case: six October respondents (hand-counted).
const GOOD_NAME: &str = "问卷星_满意度_2026-10.csv";
const GOOD_RESPONDENTS: i64 = 6;

fn good_survey() -> Vec<u8> {
    survey_csv(&[
        (
            "1",
            "2026/10/3 14:05:09",
            "深圳福田店",
            "很满意",
            "满意",
            "10",
        ),
        ("2", "2026/10/4 10:00:00", "深圳福田店", "满意", "满意", "9"),
        (
            "3",
            "2026/10/5 11:00:00",
            "深圳福田店",
            "满意",
            "不满意",
            "8",
        ),
        (
            "4",
            "2026/10/6 12:00:00",
            "深圳福田店",
            "一般",
            "(跳过)",
            "6",
        ),
        (
            "5",
            "2026/10/7 13:00:00",
            "深圳南山店",
            "不满意",
            "一般",
            "3",
        ),
        (
            "6",
            "2026/10/8 14:00:00",
            "深圳南山店",
            "很满意",
            "很满意",
            "10",
        ),
    ])
}

fn hostile_fixture(name: &str) -> Vec<u8> {
    std::fs::read(manifest_dir().join("tests/fixtures/hostile").join(name)).unwrap()
}

/// Sets a path's modification time without following a link (so the
/// inbox's settle time has passed for it).
fn age(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    let seconds = an_hour_ago
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as libc::time_t;
    let times = [
        libc::timespec {
            tv_sec: seconds,
            tv_nsec: 0,
        },
        libc::timespec {
            tv_sec: seconds,
            tv_nsec: 0,
        },
    ];
    // SAFETY: a valid C path and two timespecs.
    let status = unsafe {
        libc::utimensat(
            libc::AT_FDCWD,
            c_path.as_ptr(),
            times.as_ptr(),
            libc::AT_SYMLINK_NOFOLLOW,
        )
    };
    assert_eq!(status, 0, "utimensat {}", path.display());
}

fn write_world_readable(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).unwrap();
}

/// Everything under `root` (links not followed): path → (mode, size, mtime,
/// content hash of regular files).
fn snapshot(root: &Path) -> BTreeMap<PathBuf, (u32, u64, i64, String)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let metadata = std::fs::symlink_metadata(&path).unwrap();
            let hash = if metadata.is_file() {
                csat::inbox::content_hash(&std::fs::read(&path).unwrap())
            } else {
                String::new()
            };
            out.insert(
                path.clone(),
                (metadata.mode(), metadata.len(), metadata.mtime(), hash),
            );
            if metadata.is_dir() {
                stack.push(path);
            }
        }
    }
    out
}

/// Paths under the data directory, the inbox's content excepted, that users
/// other than the owner can read, write or enter.
fn exposed_paths(data_root: &Path) -> Vec<(PathBuf, u32)> {
    snapshot(data_root)
        .into_iter()
        .filter(|(path, (mode, ..))| {
            let in_inbox = path.starts_with(data_root.join("inbox"));
            let is_link = mode & 0o170000 == 0o120000;
            !in_inbox && !is_link && mode & 0o077 != 0
        })
        .map(|(path, (mode, ..))| (path, mode & 0o7777))
        .collect()
}

struct Case {
    name: &'static str,
    /// Puts the hostile file(s) into the inbox; `outside` is a folder
    /// outside the data directory that must not change.
    drop: fn(inbox: &Path, data_root: &Path, outside: &Path),
    /// Checks after the runs, with the runs' combined output.
    check: fn(data_root: &Path, output: &str),
}

fn rejected_names(data_root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(data_root.join("rejected"))
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn inbox_names(data_root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(data_root.join("inbox"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "a link named like the note of a junk file",
            drop: |inbox, _, outside| {
                std::os::unix::fs::symlink(
                    outside.join("victim.txt"),
                    inbox.join("x.csv.reasons.txt"),
                )
                .unwrap();
                std::fs::write(inbox.join("x.csv"), "hello,world\n1,2\n").unwrap();
            },
            check: |root, _| {
                let rejected = rejected_names(root);
                assert!(rejected.contains(&"x.csv".to_string()), "{rejected:?}");
                // The link was quarantined as a link, the note written
                // beside it under another name.
                let link = root.join("rejected/x.csv.reasons.txt");
                assert!(std::fs::symlink_metadata(&link)
                    .unwrap()
                    .file_type()
                    .is_symlink());
                let notes: Vec<_> = rejected
                    .iter()
                    .filter(|n| n.starts_with("x.csv.") && n.ends_with("reasons.txt"))
                    .collect();
                assert_eq!(notes.len(), 3, "{rejected:?}");
            },
        },
        Case {
            name: "a call-centre CSV with only three columns and one row",
            drop: |inbox, _, _| {
                std::fs::write(
                    inbox.join("short_callback_2026-10.csv"),
                    hostile_fixture("short_callback_2026-10.csv"),
                )
                .unwrap();
            },
            check: |root, output| {
                assert!(
                    output.contains("short_callback_2026-10.csv"),
                    "{output}"
                );
                assert!(!output.contains("panicked"), "{output}");
                assert!(!inbox_names(root).contains(&"short_callback_2026-10.csv".into()));
            },
        },
        Case {
            name: "a workbook with one cell at A1 and one at XFD1048576, and one spanning 11 million cells",
            drop: |inbox, _, _| {
                let mut workbook = rust_xlsxwriter::Workbook::new();
                let sheet = workbook.add_worksheet();
                sheet.write_string(0, 0, "客户编号").unwrap();
                sheet.write_string(1_048_575, 16_383, "x").unwrap();
                workbook.save(inbox.join("sparse_2026-10.xlsx")).unwrap();
                let mut workbook = rust_xlsxwriter::Workbook::new();
                let sheet = workbook.add_worksheet();
                for row in 0..700 {
                    sheet.write_string(row, 16_383, "x").unwrap();
                }
                workbook.save(inbox.join("wide_2026-10.xlsx")).unwrap();
            },
            check: |root, output| {
                // Read cell by cell (no dense grid), then not recognised.
                assert!(output.contains("sparse_2026-10.xlsx: csat does not recognise"), "{output}");
                // Streamed row by row (never a grid of the whole sheet): not
                // recognised; a whole-sheet read refuses it by its span.
                assert!(
                    output.contains("wide_2026-10.xlsx: csat does not recognise")
                        || output.contains("span more than 10000000 cells"),
                    "{output}"
                );
                let rejected = rejected_names(root);
                assert!(rejected.contains(&"sparse_2026-10.xlsx".into()), "{rejected:?}");
                assert!(rejected.contains(&"wide_2026-10.xlsx".into()), "{rejected:?}");
            },
        },
        Case {
            name: "an answer and a refused cell of 40,000 characters",
            drop: |inbox, _, _| {
                let long_answer = "很".repeat(40_000);
                let csv = format!(
                    "序号,提交答卷时间,1、您购买产品的门店：,2、您对床垫整体质量的满意程度：,5、其他意见或建议：\n\
                     1,2026/10/9 09:00:00,深圳福田店,{long_answer},{long_answer}\n\
                     2,2026/10/9 10:00:00,深圳福田店,满意,{long_answer}\n"
                );
                std::fs::write(inbox.join("问卷星_长文本_2026-10.csv"), csv).unwrap();
            },
            check: |root, _| {
                let path = root.join("reports/2026-10/csat-report-2026-10.xlsx");
                let mut workbook = open_workbook_auto(&path).unwrap();
                let mut marked = 0;
                for name in workbook.sheet_names() {
                    let range = workbook.worksheet_range(&name).unwrap();
                    for cell in range.used_cells() {
                        let text = cell.2.to_string();
                        assert!(text.chars().count() <= 32_767, "{name}");
                        if text.contains("截断 truncated: 40000 characters") {
                            marked += 1;
                        }
                    }
                }
                assert!(marked >= 1, "no truncated cell marked");
            },
        },
        Case {
            name: "a file name too long for the quarantine suffix",
            drop: |inbox, root, _| {
                let name = format!("{}_2026-10.csv", "很长的文件名".repeat(13));
                assert!(name.len() > 240 && name.len() <= 255, "{}", name.len());
                // The same name already sits in quarantine.
                let rejected = root.join("rejected");
                std::fs::create_dir_all(&rejected).unwrap();
                std::fs::write(rejected.join(&name), "older").unwrap();
                std::fs::set_permissions(&rejected, std::fs::Permissions::from_mode(0o700))
                    .unwrap();
                std::fs::set_permissions(
                    rejected.join(&name),
                    std::fs::Permissions::from_mode(0o600),
                )
                .unwrap();
                std::fs::write(inbox.join(&name), "hello,world\n1,2\n").unwrap();
            },
            check: |root, _| {
                assert_eq!(inbox_names(root), Vec::<String>::new());
                // The older file, the new one under a shortened name, its note.
                assert_eq!(rejected_names(root).len(), 3, "{:?}", rejected_names(root));
            },
        },
        Case {
            name: "a FIFO named like an export",
            drop: |inbox, _, _| {
                let path = std::ffi::CString::new(
                    inbox.join("管道_2026-10.csv").to_str().unwrap(),
                )
                .unwrap();
                // SAFETY: a valid C path.
                assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o644) }, 0);
            },
            check: |root, output| {
                assert!(output.contains("not a regular file"), "{output}");
                assert!(rejected_names(root).contains(&"管道_2026-10.csv".into()));
            },
        },
        Case {
            name: "a link to /dev/zero and a link to a file outside",
            drop: |inbox, _, outside| {
                std::os::unix::fs::symlink("/dev/zero", inbox.join("zero_2026-10.csv")).unwrap();
                std::os::unix::fs::symlink(
                    outside.join("victim.txt"),
                    inbox.join("victim_2026-10.csv"),
                )
                .unwrap();
            },
            check: |root, output| {
                assert!(output.contains("symbolic link"), "{output}");
                let rejected = rejected_names(root);
                assert!(rejected.contains(&"zero_2026-10.csv".into()), "{rejected:?}");
                assert!(rejected.contains(&"victim_2026-10.csv".into()), "{rejected:?}");
            },
        },
        Case {
            name: "a ZIP64 zip bomb and a zip bomb with bytes prepended",
            drop: |inbox, _, _| {
                let mut prefixed = vec![b'#'; 4096];
                prefixed.extend(
                    std::fs::read(manifest_dir().join("tests/fixtures/bad/zip_bomb.xlsx"))
                        .unwrap(),
                );
                std::fs::write(inbox.join("prefixed_bomb.xlsx"), prefixed).unwrap();
                std::fs::write(inbox.join("zip64_bomb.xlsx"), csat::fuzz::zip64_bomb(5 << 30, 0)).unwrap();
            },
            check: |root, output| {
                let rejected = rejected_names(root);
                assert!(rejected.contains(&"prefixed_bomb.xlsx".into()), "{rejected:?}");
                assert!(rejected.contains(&"zip64_bomb.xlsx".into()), "{rejected:?}");
                for name in ["prefixed_bomb.xlsx", "zip64_bomb.xlsx"] {
                    let line = output
                        .lines()
                        .find(|l| l.contains(&format!("rejected   {name}")))
                        .unwrap_or_else(|| panic!("{name}: {output}"));
                    assert!(line.contains("zip bomb"), "{line}");
                }
            },
        },
        Case {
            name: "the inbox on another file system (rename fails with EXDEV)",
            drop: |inbox, _, _| {
                let shm = Path::new("/dev/shm");
                let device = |p: &Path| std::fs::metadata(p).unwrap().dev();
                assert!(
                    shm.is_dir() && device(shm) != device(inbox),
                    "this case needs /dev/shm on its own file system"
                );
                let other = shm.join(format!("csat-inbox-{}", std::process::id()));
                let _ = std::fs::remove_dir_all(&other);
                std::fs::create_dir_all(&other).unwrap();
                for entry in std::fs::read_dir(inbox).unwrap() {
                    let path = entry.unwrap().path();
                    let target = other.join(path.file_name().unwrap());
                    std::fs::copy(&path, &target).unwrap();
                    std::fs::remove_file(&path).unwrap();
                }
                std::fs::remove_dir(inbox).unwrap();
                std::os::unix::fs::symlink(&other, inbox).unwrap();
            },
            check: |root, _| {
                let archived = root.join("archive/2026-11").join(GOOD_NAME);
                let mode = std::fs::symlink_metadata(&archived).unwrap().mode();
                assert_eq!(mode & 0o777, 0o600);
                let other = std::fs::read_link(root.join("inbox")).unwrap();
                assert_eq!(std::fs::read_dir(&other).unwrap().count(), 0);
                std::fs::remove_dir_all(other).unwrap();
            },
        },
        Case {
            name: "editor lock files, partial copies and OS litter",
            drop: |inbox, _, _| {
                for name in [
                    "Thumbs.db",
                    "desktop.ini",
                    "~$问卷星_2026-10.xlsx",
                    "问卷星_2026-10.xlsx.part",
                    ".~lock.问卷星_2026-10.xlsx#",
                ] {
                    std::fs::write(inbox.join(name), hostile_fixture(name)).unwrap();
                }
            },
            check: |root, output| {
                // Left alone: not loaded, not quarantined, not waited for.
                assert_eq!(inbox_names(root).len(), 5, "{:?}", inbox_names(root));
                assert_eq!(rejected_names(root), Vec::<String>::new());
                assert!(
                    output.contains("Files waiting in") && output.contains(": 0\n"),
                    "{output}"
                );
                assert!(!output.contains("files waiting in the inbox"), "{output}");
            },
        },
    ]
}

fn run_csat(data_root: &Path, args: &[&str]) -> (Option<i32>, String, Duration) {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_csat"))
        .arg("--data-dir")
        .arg(data_root)
        .args(["--today", "2026-11-23"])
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code(), text, started.elapsed())
}

#[test]
fn every_hostile_case_beside_a_good_file_leaves_csat_working() {
    // The in-process reads below create files as the binary would (it sets
    // this umask itself at start).
    // SAFETY: umask only changes the file-creation mask.
    unsafe {
        libc::umask(0o077);
    }
    for case in cases() {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path().join("data");
        let outside = temp.path().join("outside");
        std::fs::create_dir_all(root.join("inbox")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("victim.txt"), "untouched").unwrap();
        let inbox = root.join("inbox");
        // Dropped from a shared folder: readable by everyone.
        write_world_readable(&inbox.join(GOOD_NAME), &good_survey());
        (case.drop)(&inbox, &root, &outside);
        for entry in std::fs::read_dir(&inbox).unwrap() {
            age(&entry.unwrap().path());
        }
        let outside_before = snapshot(&outside);

        let mut output = String::new();
        for args in [
            &["ingest"][..],
            &["run", "ingest"],
            &["report", "--month", "2026-10"],
            &["status"],
        ] {
            let (code, text, took) = run_csat(&root, args);
            assert!(
                matches!(code, Some(0 | 1)),
                "{}: csat {args:?} exited {code:?}\n{text}",
                case.name
            );
            assert!(
                took < Duration::from_secs(60),
                "{}: csat {args:?} took {took:?}",
                case.name
            );
            output.push_str(&text);
        }
        assert_eq!(snapshot(&outside), outside_before, "{}", case.name);
        assert_eq!(
            std::fs::read_to_string(outside.join("victim.txt")).unwrap(),
            "untouched",
            "{}",
            case.name
        );
        // The good file loaded and the month's report counts it.
        let data_dir = DataDir::new(&root);
        let config = Config::load(None).unwrap();
        let mut store = pipeline::open_store(&data_dir).unwrap();
        let responses = store
            .query(
                "good file",
                "SELECT count(*) FROM responses r JOIN files f USING (file_id) WHERE f.file_name = $1",
                &[csat::store::Param::Text(GOOD_NAME.to_string())],
            )
            .unwrap();
        assert_eq!(
            responses[0][0].as_i64(),
            Some(GOOD_RESPONDENTS),
            "{}\n{output}",
            case.name
        );
        let report = pipeline::report(
            &config,
            &data_dir,
            &mut store,
            REPORT_MONTH.parse().unwrap(),
        )
        .unwrap();
        assert!(report.path.exists(), "{}", case.name);
        drop(store);
        (case.check)(&root, &output);
        let exposed = exposed_paths(&root);
        assert!(
            exposed.is_empty(),
            "{}: readable by other users: {exposed:?}",
            case.name
        );
    }
}

/// The crash-loop breaker: csat is aborted (SIGABRT, what a failed
/// allocation or a crash in a reader raises) while it reads a large file.
/// The next start sets that file aside with its reason instead of reading
/// it again, and loads the good file beside it.
#[test]
fn a_file_that_killed_csat_is_quarantined_at_the_next_start() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("data");
    let inbox = root.join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    let (_, big) = demo::bench_survey(7, "2026-09".parse().unwrap(), 150_000).unwrap();
    std::fs::write(inbox.join("a_big_2026-09.csv"), big).unwrap();
    std::fs::write(inbox.join(GOOD_NAME), good_survey()).unwrap();
    for entry in std::fs::read_dir(&inbox).unwrap() {
        age(&entry.unwrap().path());
    }
    let crash_note = csat::crash_guard::note_path(&root);
    let mut aborted = false;
    let big_size = std::fs::metadata(inbox.join("a_big_2026-09.csv"))
        .unwrap()
        .len();
    // Bytes the process has read so far (monotonic, so no moment is missed).
    let bytes_read = |pid: u32| -> u64 {
        std::fs::read_to_string(format!("/proc/{pid}/io"))
            .ok()
            .and_then(|io| {
                io.lines()
                    .find_map(|l| l.strip_prefix("rchar: ").map(|n| n.trim().parse().ok()))
                    .flatten()
            })
            .unwrap_or(0)
    };
    for delay_ms in [300, 800, 1500, 3000, 5000, 8000, 12000] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_csat"))
            .arg("--data-dir")
            .arg(&root)
            .args(["--today", "2026-11-23", "ingest"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // The file is read whole, hashed, then parsed: wait until it has
        // been read, so the abort lands in the parse.
        let started = Instant::now();
        while bytes_read(child.id()) < big_size && started.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(delay_ms));
        // SAFETY: signalling our own child.
        unsafe {
            libc::kill(child.id() as libc::pid_t, libc::SIGABRT);
        }
        let status = child.wait().unwrap();
        if crash_note.exists() {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(status.signal(), Some(libc::SIGABRT));
            aborted = true;
            break;
        }
        assert!(
            inbox.join("a_big_2026-09.csv").exists(),
            "the large file was read before any abort landed in it; make it larger"
        );
    }
    assert!(aborted, "no abort landed while the large file was read");

    let (code, output, _) = run_csat(&root, &["ingest"]);
    assert_eq!(code, Some(1), "{output}");
    assert!(
        output.contains("a_big_2026-09.csv: csat stopped abnormally while reading this file"),
        "{output}"
    );
    assert!(rejected_names(&root).contains(&"a_big_2026-09.csv".to_string()));
    assert!(!crash_note.exists());
    assert_eq!(inbox_names(&root), Vec::<String>::new());
    let data_dir = DataDir::new(&root);
    let store = pipeline::open_store(&data_dir).unwrap();
    let loaded = store
        .query(
            "files",
            "SELECT file_name, (SELECT count(*) FROM responses r WHERE r.file_id = f.file_id) FROM files f ORDER BY file_name",
            &[],
        )
        .unwrap();
    assert_eq!(loaded.len(), 1, "{loaded:?}");
    assert_eq!(loaded[0][0].as_text().as_deref(), Some(GOOD_NAME));
    assert_eq!(loaded[0][1].as_i64(), Some(GOOD_RESPONDENTS));
    let pending = store
        .query("attempts", "SELECT count(*) FROM ingest_attempts", &[])
        .unwrap();
    assert_eq!(pending[0][0].as_i64(), Some(0));
}

/// Subjects of the messages a maildir holds (the report's e-mails carry an
/// attachment, so only the subject is decoded).
fn subjects(maildir: &Path) -> Vec<String> {
    let script = "import email.header, mailbox, sys, json\n\
                  print(json.dumps(sorted(str(email.header.make_header(email.header.decode_header(m['Subject']))) for m in mailbox.Maildir(sys.argv[1], create=False)), ensure_ascii=False))\n";
    python_json(&test_python(), script, &[maildir])
}

/// Messages the SMTP server has stored so far (one file each).
fn n_messages(maildir: &Path) -> usize {
    ["new", "cur"]
        .iter()
        .filter_map(|sub| std::fs::read_dir(maildir.join(sub)).ok())
        .map(|entries| entries.count())
        .sum()
}

/// October's close, pass by pass from 1 to 9 November (every two hours on
/// the first three days, twice a day after), with
/// every source kind the demo company exports listed as expected (the
/// response-rate file 问卷发放统计 among them) and October's complaints log
/// arriving late, on Monday 2 November at 10:00. The deadline is Friday
/// 6 November (the 8th is a Sunday). The report is held back until the late
/// file is in, then e-mailed exactly once, in the pass that loads it.
#[test]
fn a_month_close_with_every_source_expected_delivers_once_after_the_late_file() {
    use chrono::TimeZone;
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path().join("data"));
    let smtp = start_smtp_server(temp.path());
    let mut config = Config::load(None).unwrap();
    config.alerts.smtp = Some(smtp.settings());
    config.delivery.recipients = vec!["ceo@example.com".into()];
    config.delivery.expected_sources = [
        "wjx_survey|wjx_survey_ordinal",
        "callcenter_callbacks",
        "survey_dispatch",
        "complaints_log",
        "proposals",
        "customer_master",
        "monthly_sales",
        "invoice_payments",
        "action_plan",
    ]
    .map(String::from)
    .to_vec();
    let jobs = csat::scheduler::load_jobs(None).unwrap();
    let company = demo::generate(1, NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()).unwrap();
    let late_name = "客户投诉登记表_2026-10.xlsx";
    let (late, on_time): (Vec<_>, Vec<_>) = company_files(&company)
        .into_iter()
        .partition(|(name, _)| name == late_name);
    assert_eq!(late.len(), 1);
    drop_into_inbox(&data_dir, &on_time);
    let shanghai = |d: u32, h: u32| {
        chrono_tz::Asia::Shanghai
            .with_ymd_and_hms(2026, 11, d, h, 0, 0)
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    let mut delivered_at = Vec::new();
    let mut held_back_reasons = Vec::new();
    // Every two hours around the late file, twice a day after it.
    let passes = (1..=9).flat_map(|day| {
        let step = if day <= 3 { 2 } else { 12 };
        (0..24).step_by(step).map(move |hour| (day, hour))
    });
    for (day, hour) in passes {
        {
            if (day, hour) == (2, 10) {
                drop_into_inbox(&data_dir, &late);
            }
            let at = shanghai(day, hour);
            let before = n_messages(&smtp.maildir);
            let outcome =
                csat::scheduler::scheduler_pass(&config, &data_dir, &jobs, at, settled(), &|| at)
                    .unwrap();
            for run in &outcome.runs {
                if run.job == "monthly_report" {
                    held_back_reasons.push(run.outcome.message.clone());
                }
            }
            let after = n_messages(&smtp.maildir);
            if after > before {
                delivered_at.push((day, hour, after - before));
            }
        }
    }
    assert_eq!(
        delivered_at,
        vec![(2, 10, 1)],
        "held back: {held_back_reasons:#?}"
    );
    assert_eq!(
        subjects(&smtp.maildir),
        vec![format!("{} 客户满意度月报 2026-10", config.company.name)]
    );
    // Before the late file, it waited for the complaints log only.
    assert!(
        held_back_reasons[0].contains("complaints_log")
            && !held_back_reasons[0].contains("survey_dispatch"),
        "{held_back_reasons:#?}"
    );
}
