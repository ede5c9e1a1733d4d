//! `csat bench`: ingest and report time and peak memory, measured on
//! generated months by child runs of csat (each reads its own peak memory,
//! [`PEAK_MEMORY_ENV`]), and the comparison of input formats.

use std::path::Path;

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use serde::Deserialize;

use super::Outcome;
use csat::config::DEFAULT_CONFIG_TOML;
use csat::inbox::DataDir;
use csat::month::Month;

/// What `csat ingest --json` prints, as far as the benchmark reads it.
#[derive(Debug, Deserialize)]
struct IngestRun {
    files: Vec<IngestedFile>,
}

/// One file of an ingest run.
#[derive(Debug, Deserialize)]
struct IngestedFile {
    /// `loaded`, `duplicate`, `rejected` or `failed`.
    status: FileStatus,
    /// Rows stored (loaded files only).
    #[serde(default)]
    rows_loaded: u64,
    /// Answers stored (loaded files only).
    #[serde(default)]
    answers_loaded: u64,
}

/// How a file of an ingest run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum FileStatus {
    Loaded,
    Duplicate,
    Rejected,
    Failed,
}

impl IngestRun {
    /// Reads the JSON a measured `ingest --json` printed.
    fn read(stdout: &str) -> Result<IngestRun> {
        serde_json::from_str(stdout).context("reading the ingest result")
    }

    fn rows(&self) -> u64 {
        self.files.iter().map(|f| f.rows_loaded).sum()
    }

    fn answers(&self) -> u64 {
        self.files.iter().map(|f| f.answers_loaded).sum()
    }

    fn all_loaded(&self) -> bool {
        self.files.iter().all(|f| f.status == FileStatus::Loaded)
    }
}

/// When set, the process prints its peak resident memory on exit (`csat bench`).
pub const PEAK_MEMORY_ENV: &str = "CSAT_REPORT_PEAK_MEMORY";

/// Peak resident set size of this process in KiB (Linux `VmHWM`).
pub fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// One measured child run of csat.
struct Measured {
    seconds: f64,
    peak_rss_kb: Option<u64>,
    stdout: String,
}

fn measure(data_dir: &Path, today: NaiveDate, args: &[&str]) -> Result<Measured> {
    let exe = std::env::current_exe().context("finding the csat executable")?;
    let start = std::time::Instant::now();
    let output = std::process::Command::new(exe)
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--today")
        .arg(today.to_string())
        .args(args)
        .env(PEAK_MEMORY_ENV, "1")
        .output()
        .context("running csat")?;
    let seconds = start.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        bail!("csat {} failed: {stderr}", args.join(" "));
    }
    let peak_rss_kb = stderr
        .lines()
        .find_map(|l| l.strip_prefix("peak_rss_kb="))
        .and_then(|v| v.parse().ok());
    Ok(Measured {
        seconds,
        peak_rss_kb,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
    })
}

/// `csat bench --formats`: one survey as CSV, as xlsx and as 200 CSV
/// files; customers graded and the report built.
pub fn bench(
    data_dir: &DataDir,
    answers: usize,
    customers: usize,
    today: NaiveDate,
) -> Result<Outcome> {
    const SCORED_PER_RESPONDENT: usize = 12;
    let root = data_dir.root().join("bench");
    if root.exists() {
        std::fs::remove_dir_all(&root).with_context(|| format!("clearing {}", root.display()))?;
    }
    let month = Month::before(today).to_string();
    let n_respondents = answers.div_ceil(SCORED_PER_RESPONDENT);
    let start = std::time::Instant::now();
    let (xlsx, csv) = csat::demo::bench_survey(1, csat::month::Month::before(today), n_respondents)
        .context("generating the survey")?;
    println!(
        "Generated {n_respondents} respondents ({} scored answers) for {month} in {:.1} s: xlsx {:.1} MB, csv {:.1} MB",
        n_respondents * SCORED_PER_RESPONDENT,
        start.elapsed().as_secs_f64(),
        xlsx.len() as f64 / 1e6,
        csv.len() as f64 / 1e6
    );
    // No settle time: the files are written whole before the measured run.
    let config = DEFAULT_CONFIG_TOML.replace("settle_seconds = 10", "settle_seconds = 0");
    println!(
        "{:<8} {:>10} {:>10} {:>9} {:>14} {:>14}",
        "step", "rows", "answers", "seconds", "answers/s", "peak RSS MB"
    );
    for (format, bytes) in [("csv", &csv), ("xlsx", &xlsx)] {
        let dir = root.join(format);
        let bench_dir = DataDir::new(&dir);
        bench_dir.create()?;
        std::fs::write(bench_dir.config_file(), &config)?;
        std::fs::write(
            bench_dir
                .inbox()
                .join(format!("问卷星_bench_{month}.{format}")),
            bytes,
        )?;
        let run = measure(&dir, today, &["ingest", "--json"])?;
        let summary = IngestRun::read(&run.stdout)?;
        let Some(file) = summary.files.first() else {
            bail!("the {format} file was not ingested: {}", run.stdout);
        };
        if file.status != FileStatus::Loaded {
            bail!("the {format} file was not loaded: {file:?}");
        }
        let rows = file.rows_loaded;
        let loaded = file.answers_loaded;
        println!(
            "{:<8} {:>10} {:>10} {:>9.2} {:>14.0} {:>14.1}",
            format!("ingest {format}"),
            rows,
            loaded,
            run.seconds,
            loaded as f64 / run.seconds,
            run.peak_rss_kb.unwrap_or(0) as f64 / 1024.0
        );
    }
    // The same answers as 200 files dropped at once (a month of exports
    // from many stores): throughput and memory of one ingest run.
    const FILES: usize = 200;
    let text = String::from_utf8_lossy(&csv).into_owned();
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default().to_string();
    let rows: Vec<&str> = lines.collect();
    let per_file = rows.len().div_ceil(FILES).max(1);
    let many = DataDir::new(root.join("files"));
    many.create()?;
    // Separate stores' exports of one questionnaire add up (`append`); the
    // default `replace` would take each as a re-export of the month.
    let append = config.replacen(
        "name = \"wjx_survey\"\n",
        "name = \"wjx_survey\"\nreexport = \"append\"\n",
        1,
    );
    std::fs::write(many.config_file(), &append)?;
    for (index, chunk) in rows.chunks(per_file).enumerate() {
        let mut body = header.clone();
        for row in chunk {
            body.push('\n');
            body.push_str(row);
        }
        body.push('\n');
        std::fs::write(
            many.inbox()
                .join(format!("问卷星_门店{index:03}_{month}.csv")),
            body,
        )?;
    }
    let run = measure(&root.join("files"), today, &["ingest", "--json"])?;
    let summary = IngestRun::read(&run.stdout)?;
    let files = &summary.files;
    let loaded = summary.answers();
    let rows_loaded = summary.rows();
    println!(
        "{:<8} {:>10} {:>10} {:>9.2} {:>14.0} {:>14.1}",
        format!("ingest {} files", files.len()),
        rows_loaded,
        loaded,
        run.seconds,
        loaded as f64 / run.seconds,
        run.peak_rss_kb.unwrap_or(0) as f64 / 1024.0
    );
    // Customers: master and 12 months of sales loaded, graded, reported.
    let (master, sales) = csat::demo::bench_customers(customers, csat::month::Month::before(today));
    let bench_dir = DataDir::new(root.join("xlsx"));
    std::fs::write(bench_dir.inbox().join("客户档案_bench.csv"), master)?;
    std::fs::write(bench_dir.inbox().join("月度销售_bench.csv"), sales)?;
    let run = measure(&root.join("xlsx"), today, &["ingest", "--json"])?;
    let rows = IngestRun::read(&run.stdout)?.rows();
    println!(
        "{:<8} {:>10} {:>10} {:>9.2} {:>14} {:>14.1}",
        "ingest customers+sales",
        rows,
        "",
        run.seconds,
        "",
        run.peak_rss_kb.unwrap_or(0) as f64 / 1024.0
    );
    let regrade = measure(&root.join("xlsx"), today, &["regrade"])?;
    println!(
        "{:<8} {:>10} {:>10} {:>9.2} {:>14} {:>14.1}",
        "regrade",
        customers,
        "",
        regrade.seconds,
        "",
        regrade.peak_rss_kb.unwrap_or(0) as f64 / 1024.0
    );
    let report = measure(&root.join("xlsx"), today, &["report", "--month", &month])?;
    println!(
        "{:<8} {:>10} {:>10} {:>9.2} {:>14} {:>14.1}",
        "report",
        "",
        "",
        report.seconds,
        "",
        report.peak_rss_kb.unwrap_or(0) as f64 / 1024.0
    );
    Ok(Outcome::Ok)
}

/// The machine a benchmark ran on: cores and CPU model (Linux).
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string());
    format!("{cores} cores, {model}")
}

/// Rows of the longest sheet of a workbook, and its name.
fn largest_sheet(path: &Path) -> Result<(String, usize)> {
    use calamine::Reader;
    let mut workbook = calamine::open_workbook_auto(path)
        .with_context(|| format!("reading {}", path.display()))?;
    let mut largest = (String::new(), 0);
    for name in workbook.sheet_names() {
        let range = workbook
            .worksheet_range(&name)
            .with_context(|| format!("reading sheet {name} of {}", path.display()))?;
        let rows = range.end().map_or(0, |(row, _)| row as usize + 1);
        if rows > largest.1 {
            largest = (name, rows);
        }
    }
    Ok(largest)
}

/// The pandas peer (`bench/peer_pandas.py`), written beside the months when
/// `csat bench --peer` runs it.
const PEER_SCRIPT: &str = include_str!("../../bench/peer_pandas.py");

/// One run of the pandas peer on a month's directory.
struct PeerRun {
    /// Wall time of the whole process (interpreter, imports and all), as
    /// csat's steps are measured.
    seconds: f64,
    /// Its peak resident memory (`ru_maxrss`, as it prints it).
    peak_mb: f64,
    /// Whether its figures agree with csat's workbook.
    agrees: bool,
}

/// Runs the peer `script` with `python` on `month_dir` (after csat's
/// report, whose workbook it checks its figures against).
fn run_peer(python: &Path, script: &Path, month_dir: &Path) -> Result<PeerRun> {
    let start = std::time::Instant::now();
    let output = std::process::Command::new(python)
        .arg(script)
        .arg(month_dir)
        .output()
        .with_context(|| format!("running the peer with {}", python.display()))?;
    let seconds = start.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "the peer failed ({}):\n{}\n{}",
            output.status,
            stdout,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    // "peer (pandas + python-calamine): 5.92 s, peak RSS 482.1 MB, …"
    let peak_mb = stdout
        .lines()
        .find_map(|l| l.split("peak RSS ").nth(1))
        .and_then(|rest| rest.split(" MB").next())
        .and_then(|mb| mb.parse().ok())
        .with_context(|| format!("the peer did not print its peak RSS: {stdout}"))?;
    let agrees = stdout.lines().any(|l| l.starts_with("agrees with csat"));
    if !agrees {
        eprintln!(
            "the peer's figures differ from csat's ({}):\n{stdout}",
            month_dir.display()
        );
    }
    Ok(PeerRun {
        seconds,
        peak_mb,
        agrees,
    })
}

/// `csat bench`: for each size, a generated month (a 问卷星 xlsx with half
/// the answers, a call-centre CSV with the other half) ingested and
/// reported by child runs of csat, each measured (wall time, peak RSS);
/// with `peer`, the pandas peer run after them on the same files; with
/// `history`, a store of that many earlier months too ([`bench_history`]).
pub fn bench_months(
    data_dir: &DataDir,
    sizes: &[usize],
    peer: Option<&Path>,
    history: u32,
    today: NaiveDate,
) -> Result<Outcome> {
    let sizes = if sizes.is_empty() {
        vec![1_000_000, 2_000_000, 4_000_000, 10_000_000]
    } else {
        sizes.to_vec()
    };
    let root = data_dir.root().join("bench");
    if root.exists() {
        std::fs::remove_dir_all(&root).with_context(|| format!("clearing {}", root.display()))?;
    }
    let report_month = Month::before(today);
    let month = report_month.to_string();
    let config = csat::demo::bench_config();
    let peer_script = root.join("peer_pandas.py");
    if let Some(python) = peer {
        // Checked before the first month is generated, not minutes later.
        let imports = std::process::Command::new(python)
            .args(["-c", "import tomllib, pandas, python_calamine, xlsxwriter"])
            .output()
            .with_context(|| format!("running {}", python.display()))?;
        if !imports.status.success() {
            bail!(
                "{} cannot run the peer: it needs Python 3.11 or later with pandas, \
                 python-calamine and xlsxwriter ({})",
                python.display(),
                String::from_utf8_lossy(&imports.stderr).trim()
            );
        }
        std::fs::create_dir_all(&root).with_context(|| format!("creating {}", root.display()))?;
        csat::delivery::write_atomically(&peer_script, PEER_SCRIPT.as_bytes())
            .with_context(|| format!("writing {}", peer_script.display()))?;
    }
    let mut all_agree = true;
    println!("csat bench, month {month}, on {}", machine());
    print!(
        "{:>11} {:>9} {:>10} {:>9} {:>10} {:>9} {:>12} {:>13} {:>10} {:>10}",
        "answers",
        "ingest s",
        "ingest MB",
        "report s",
        "report MB",
        "total s",
        "workbook MB",
        "largest sheet",
        "rows",
        "details MB"
    );
    match peer {
        Some(_) => println!(" {:>7} {:>8} {:>7}", "peer s", "peer MB", "agrees"),
        None => println!(),
    }
    for &size in &sizes {
        let (survey, calls) = csat::demo::bench_month(1, csat::month::Month::before(today), size)
            .context("generating the month")?;
        let dir = root.join(format!("month-{size}"));
        let bench_dir = DataDir::new(&dir);
        bench_dir.create()?;
        std::fs::write(bench_dir.config_file(), &config)?;
        drop_month(&bench_dir, &month, survey, calls)?;
        let ingest = measure(&dir, today, &["ingest", "--json"])?;
        let summary = IngestRun::read(&ingest.stdout)?;
        if summary.files.len() != 2 || !summary.all_loaded() {
            bail!("the generated files did not both load: {}", ingest.stdout);
        }
        let answers = summary.answers();
        let report = measure(&dir, today, &["report", "--month", &month])?;
        let workbook = csat::delivery::report_path(&bench_dir.reports(), report_month);
        let workbook_mb = std::fs::metadata(&workbook)
            .with_context(|| format!("reading {}", workbook.display()))?
            .len() as f64
            / 1e6;
        let details_mb: f64 = std::fs::read_dir(workbook.with_file_name("details"))
            .map(|entries| {
                entries
                    .flatten()
                    .filter_map(|e| e.metadata().ok())
                    .map(|m| m.len() as f64 / 1e6)
                    .sum()
            })
            .unwrap_or(0.0);
        let (sheet, rows) = largest_sheet(&workbook)?;
        print!(
            "{:>11} {:>9.2} {:>10.1} {:>9.2} {:>10.1} {:>9.2} {:>12.2} {:>13} {:>10} {:>10.1}",
            answers,
            ingest.seconds,
            ingest.peak_rss_kb.unwrap_or(0) as f64 / 1024.0,
            report.seconds,
            report.peak_rss_kb.unwrap_or(0) as f64 / 1024.0,
            ingest.seconds + report.seconds,
            workbook_mb,
            sheet,
            rows,
            details_mb
        );
        match peer {
            Some(python) => {
                // The row so far shows while the peer runs.
                std::io::Write::flush(&mut std::io::stdout()).context("writing the table")?;
                let run = run_peer(python, &peer_script, &dir)?;
                all_agree &= run.agrees;
                println!(
                    " {:>7.2} {:>8.1} {:>7}",
                    run.seconds,
                    run.peak_mb,
                    if run.agrees { "yes" } else { "NO" }
                );
            }
            None => println!(),
        }
    }
    if history > 0 {
        bench_history(&root, &config, sizes[0], history, today)?;
    }
    if !all_agree {
        bail!("the peer's figures differ from csat's (above)");
    }
    Ok(Outcome::Ok)
}

/// A generated month's two files (the survey xlsx, the callbacks CSV) into
/// the inbox of `bench_dir`.
fn drop_month(bench_dir: &DataDir, month: &str, survey: Vec<u8>, calls: Vec<u8>) -> Result<()> {
    let inbox = bench_dir.inbox();
    std::fs::write(inbox.join(format!("问卷星_bench_{month}.xlsx")), survey)?;
    std::fs::write(inbox.join(format!("回访记录_bench_{month}.csv")), calls)?;
    Ok(())
}

/// A store holding `months` months before the report month and the report
/// month, `size` answers each (all their files ingested in one pass), and
/// the report month reported twice: the first report computes the
/// company's score in the trend months, the second reads them kept (V23).
/// What a company's store holds after a year, where the table above holds
/// one month.
fn bench_history(
    root: &Path,
    config: &str,
    size: usize,
    months: u32,
    today: NaiveDate,
) -> Result<()> {
    let report_month = Month::before(today);
    let dir = root.join(format!("history-{size}"));
    let bench_dir = DataDir::new(&dir);
    bench_dir.create()?;
    std::fs::write(bench_dir.config_file(), config)?;
    // (The argument is at most 120: `Month::shift` stays far from overflow.)
    let back = i32::try_from(months).context("--history: too many months")?;
    for shift in -back..=0 {
        let month = report_month.shift(shift);
        let (survey, calls) =
            csat::demo::bench_month(1, month, size).context("generating a month")?;
        drop_month(&bench_dir, &month.to_string(), survey, calls)?;
    }
    let ingest = measure(&dir, today, &["ingest", "--json"])?;
    let summary = IngestRun::read(&ingest.stdout)?;
    if summary.files.len() != 2 * (months as usize + 1) || !summary.all_loaded() {
        bail!("the generated files did not all load: {}", ingest.stdout);
    }
    let month = report_month.to_string();
    let first = measure(&dir, today, &["report", "--month", &month])?;
    let again = measure(&dir, today, &["report", "--month", &month])?;
    let mb = |m: &Measured| m.peak_rss_kb.unwrap_or(0) as f64 / 1024.0;
    println!(
        "history: {} months of {size} answers, {} answers stored: ingest {:.2} s, {:.1} MB; \
         report {:.2} s, {:.1} MB (computing the trend months), again {:.2} s, {:.1} MB (kept)",
        months + 1,
        summary.answers(),
        ingest.seconds,
        mb(&ingest),
        first.seconds,
        mb(&first),
        again.seconds,
        mb(&again),
    );
    Ok(())
}
