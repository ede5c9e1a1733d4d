//! The `csat` command line: parses arguments, reads the clock once, calls the
//! library, prints results and the error chain, and sets the exit code
//! (0 ok, 1 partial: something was rejected, 2 failed).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anyhow::{bail, Context, Result};
use chrono::{Local, NaiveDate};
use clap::{Parser, Subcommand, ValueEnum};

use csat::analysis;
use csat::config::{Config, DEFAULT_CONFIG_TOML};
use csat::inbox::{self, DataDir};
use csat::pipeline::{self, FileOutcome, IngestSummary};
use csat::report;
use csat::scheduler;
use csat::store::Store;

/// Customer-satisfaction reporting: inbox files in, monthly workbook out.
#[derive(Parser, Debug)]
#[command(name = "csat", version, about)]
struct Cli {
    /// Data directory (inbox, archive, rejected, reports, csat.duckdb).
    #[arg(long, global = true, default_value = "data")]
    data_dir: PathBuf,
    /// Configuration file [default: <data-dir>/csat.toml, else the built-in demo configuration].
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Report labels: zh (default) or en [default: the configuration's].
    #[arg(long, global = true, value_enum)]
    lang: Option<csat::report::labels::Lang>,
    /// Run as if today were this date (YYYY-MM-DD); default: the system date.
    #[arg(long, global = true, value_parser = parse_date)]
    today: Option<NaiveDate>,
    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value = "text")]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
enum SourcesAction {
    /// Print a ready-to-paste [[sources]] entry and [[questions]] stubs for
    /// files csat does not recognise yet, each guess explained.
    Suggest {
        /// The files (xlsx, xlsm, xls, ods, csv, tsv, txt).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Generate a sample company into the inbox, ingest it, and write last month's report.
    Demo {
        /// Seed of the sample company (another seed, another company).
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Process everything in the inbox once.
    Ingest {
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
        /// Show what the configuration would do with these files (source,
        /// column mapping, counts, refused cells), storing and moving nothing.
        #[arg(long, requires = "files")]
        dry_run: bool,
        /// The files for --dry-run (anywhere, not only in the inbox).
        #[arg(requires = "dry_run")]
        files: Vec<PathBuf>,
    },
    /// Help with the [[sources]] configuration.
    Sources {
        #[command(subcommand)]
        action: SourcesAction,
    },
    /// Build a month's workbook from what is stored.
    Report {
        /// The month, YYYY-MM [default: the month before today].
        #[arg(long)]
        month: Option<String>,
    },
    /// Write a month's workbook and e-mail it to the configured executives
    /// (and each department its slice), once.
    Deliver {
        /// The month, YYYY-MM [default: the month before today].
        #[arg(long)]
        month: Option<String>,
        /// Send even though the readiness check finds inputs missing.
        #[arg(long)]
        force: bool,
        /// Send again to recipients who already had this month's report.
        #[arg(long)]
        resend: bool,
    },
    /// Grade every customer.
    Regrade {
        /// Grade as of this date (YYYY-MM-DD) [default: today].
        #[arg(long, value_parser = parse_date)]
        as_of: Option<NaiveDate>,
    },
    /// Run the scheduled jobs of jobs/*.toml until stopped (SIGINT/SIGTERM).
    Serve {
        /// Folder of job files [default: <data-dir>/jobs if present, else the shipped jobs].
        #[arg(long)]
        jobs_dir: Option<PathBuf>,
        /// Do one scheduling pass and exit.
        #[arg(long)]
        once: bool,
        /// With --once: as if it were this moment (RFC 3339, e.g.
        /// 2026-12-01T06:00:30+08:00).
        #[arg(long, requires = "once", value_parser = parse_timestamp)]
        at: Option<chrono::DateTime<chrono::FixedOffset>>,
        /// Seconds between scheduling passes.
        #[arg(long, default_value_t = 10, hide = true)]
        tick_seconds: u32,
    },
    /// Run one job now: ingest, monthly_report or regrade.
    Run {
        /// The job.
        job: String,
    },
    /// Last job runs, files waiting in the inbox, next scheduled runs.
    Status {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
        /// Folder of job files [default: <data-dir>/jobs if present, else the shipped jobs].
        #[arg(long)]
        jobs_dir: Option<PathBuf>,
    },
    /// Validate configuration, SQL, templates and job files without touching data.
    Check,
    /// Measure ingest and report time and peak memory on generated months
    /// (a 问卷星 xlsx and a call-centre CSV), in <data-dir>/bench (replaced
    /// on every run).
    Bench {
        /// Answers a month to measure, comma-separated (half survey, half
        /// callbacks) [default: 1000000,2000000,4000000,10000000].
        #[arg(long, value_delimiter = ',')]
        sizes: Vec<usize>,
        /// Instead: the comparison of formats (one survey as CSV, as xlsx and
        /// as 200 CSV files; customers graded and the report built).
        #[arg(long)]
        formats: bool,
        /// With --formats: scored answers to generate (12 per respondent).
        #[arg(long, default_value_t = 1_000_000)]
        answers: usize,
        /// With --formats: customers to generate (customer master and 12
        /// months of sales), graded and reported with the answers.
        #[arg(long, default_value_t = 50_000)]
        customers: usize,
    },
}

/// `--month`, checked, or the month before `today`.
fn report_month(month: Option<&str>, today: NaiveDate) -> Result<String> {
    match month {
        Some(m) if analysis::parse_month(m).is_some() => Ok(m.to_string()),
        Some(m) => bail!("--month '{m}' is not a month like 2026-10"),
        None => Ok(analysis::previous_month(today)),
    }
}

fn parse_timestamp(text: &str) -> Result<chrono::DateTime<chrono::FixedOffset>, String> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map_err(|e| format!("'{text}' is not a time like 2026-12-01T06:00:30+08:00: {e}"))
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("'{text}' is not a date like 2026-10-31"))
}

/// Exit status of a command that ran to the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Ok,
    Partial,
    /// Nothing crashed, but the command did not do its job (exit 2).
    Failed,
}

fn main() -> ExitCode {
    // Everything csat creates is its owner's alone (customers' evaluations
    // are confidential), whatever umask the caller had.
    // SAFETY: umask only changes this process's file-creation mask.
    unsafe {
        libc::umask(0o077);
    }
    // `csat status | head`: a reader that goes away is not an error.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info.to_string();
        if message.contains("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default_hook(info);
    }));
    let cli = Cli::parse();
    init_logging(&cli);
    let result = run(cli);
    if std::env::var_os(PEAK_MEMORY_ENV).is_some() {
        if let Some(kb) = peak_rss_kb() {
            eprintln!("peak_rss_kb={kb}");
        }
    }
    match result {
        Ok(Outcome::Ok) => ExitCode::from(0),
        Ok(Outcome::Partial) => ExitCode::from(1),
        Ok(Outcome::Failed) => ExitCode::from(2),
        Err(error) => {
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}

fn init_logging(cli: &Cli) {
    let default_level = if matches!(cli.command, Command::Serve { .. }) {
        "info"
    } else {
        "warn"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

fn load_config(cli: &Cli, data_dir: &DataDir) -> Result<Config> {
    let path = cli.config.clone().or_else(|| {
        let candidate = data_dir.config_file();
        candidate.exists().then_some(candidate)
    });
    let mut config = Config::load(path.as_deref())?;
    if let Some(lang) = cli.lang {
        config.report.lang = lang;
    }
    Ok(config)
}

fn jobs_dir(data_dir: &DataDir, jobs_dir: Option<&Path>) -> PathBuf {
    jobs_dir
        .map(Path::to_path_buf)
        .unwrap_or_else(|| data_dir.root().join("jobs"))
}

fn run(cli: Cli) -> Result<Outcome> {
    let data_dir = DataDir::new(&cli.data_dir);
    // The only place the wall clock is read.
    let today = cli.today.unwrap_or_else(|| Local::now().date_naive());
    match &cli.command {
        Command::Demo { seed } => demo(&cli, &data_dir, *seed, today),
        Command::Ingest {
            dry_run: true,
            files,
            ..
        } => {
            let config = load_config(&cli, &data_dir)?;
            dry_run(&config, files, today)
        }
        Command::Sources {
            action: SourcesAction::Suggest { files },
        } => {
            let mut config = load_config(&cli, &data_dir)?;
            for (index, path) in files.iter().enumerate() {
                let (name, bytes) = read_named_file(&config, path)?;
                let suggestion =
                    csat::ingest::suggest::suggest(&config, &name, &bytes, Some(today))
                        .with_context(|| format!("{}", path.display()))?;
                if index > 0 {
                    println!();
                }
                print!("{}", suggestion.toml);
                // The next file's draft knows this one's names and layout.
                suggestion.add_to(&mut config);
            }
            Ok(Outcome::Ok)
        }
        Command::Ingest { json, .. } => {
            let config = load_config(&cli, &data_dir)?;
            let mut store = pipeline::open_store(&data_dir)?;
            let now = SystemTime::now();
            let summary = ingest_on_terminal(&config, &data_dir, &mut store, today, now)?;
            let alerts = csat::alerts::run(&mut store, &config, today, pipeline::local_time(now))?;
            if *json {
                let mut value = serde_json::to_value(&summary)?;
                value["alerts"] = serde_json::to_value(&alerts)?;
                println!("{}", serde_json::to_string_pretty(&value)?);
            } else {
                print_ingest(&summary, true);
                println!("{}", pipeline::alerts_line(&alerts));
                for alert in &alerts.raised {
                    println!("  {}", alert.subject);
                }
            }
            Ok(if summary.is_partial() || !alerts.failed.is_empty() {
                Outcome::Partial
            } else {
                Outcome::Ok
            })
        }
        Command::Report { month } => {
            let config = load_config(&cli, &data_dir)?;
            let month = report_month(month.as_deref(), today)?;
            let mut store = pipeline::open_store(&data_dir)?;
            let outcome = pipeline::report(&config, &data_dir, &mut store, &month)?;
            println!("{}\n", outcome.summary);
            println!("Workbook: {}", outcome.path.display());
            Ok(Outcome::Ok)
        }
        Command::Deliver {
            month,
            force,
            resend,
        } => {
            let config = load_config(&cli, &data_dir)?;
            let month = report_month(month.as_deref(), today)?;
            let mut store = pipeline::open_store(&data_dir)?;
            let outcome = pipeline::deliver(
                &config,
                &data_dir,
                &mut store,
                &month,
                pipeline::local_time(SystemTime::now()),
                *force,
                *resend,
            )?;
            println!("{}", outcome.one_line());
            for delivery in &outcome.sent {
                match &delivery.error {
                    None => println!("  sent {} to {}", delivery.file_name, delivery.recipient),
                    Some(e) => println!(
                        "  FAILED {} to {}: {e}",
                        delivery.file_name, delivery.recipient
                    ),
                }
            }
            Ok(
                if outcome.blocked || outcome.sent.iter().any(|d| d.error.is_some()) {
                    Outcome::Failed
                } else {
                    Outcome::Ok
                },
            )
        }
        Command::Regrade { as_of } => {
            let as_of = as_of.unwrap_or(today);
            let config = load_config(&cli, &data_dir)?;
            let mut store = pipeline::open_store(&data_dir)?;
            let outcome = pipeline::regrade(&config, &data_dir, &mut store, as_of)?;
            let grading = &outcome.grading;
            println!(
                "Customer grades as of {as_of} (rules {}, run {})",
                grading.rule_version, outcome.run_id
            );
            println!("{}", grading.boundary_rule);
            for c in &grading.customers {
                println!(
                    "  {:<6} {:<14} {:>6}  {} → {}  terms {}  {}",
                    c.customer_id,
                    c.name,
                    c.score.map(|s| format!("{s:.2}")).unwrap_or_default(),
                    c.old_grade.as_deref().unwrap_or("—"),
                    c.grade,
                    c.payment_terms_grade,
                    c.reasons.join("; ")
                );
            }
            println!("Workbook: {}", outcome.path.display());
            Ok(Outcome::Ok)
        }
        Command::Serve {
            jobs_dir: dir,
            once,
            at,
            tick_seconds,
        } => {
            let config = load_config(&cli, &data_dir)?;
            let jobs = scheduler::load_jobs(Some(&jobs_dir(&data_dir, dir.as_deref())))?;
            // One process runs the jobs of a data directory; the lock goes
            // with the process, however it ends.
            let _lock = pipeline::lock_data_dir(&data_dir)?;
            if *once {
                let at = at
                    .map(|t| t.with_timezone(&chrono::Utc))
                    .unwrap_or_else(chrono::Utc::now);
                let outcome = pipeline::scheduler_pass(
                    &config,
                    &data_dir,
                    &jobs,
                    at,
                    SystemTime::now(),
                    &|| at,
                )?;
                println!("{}", serde_json::to_string_pretty(&outcome)?);
                return Ok(
                    if outcome.runs.iter().any(|r| r.outcome.outcome == "failed") {
                        Outcome::Failed
                    } else {
                        Outcome::Ok
                    },
                );
            }
            let runner_data_dir = data_dir.clone();
            let pass: scheduler::Pass = Arc::new(move || {
                if let Err(e) = pipeline::scheduler_pass(
                    &config,
                    &runner_data_dir,
                    &jobs,
                    chrono::Utc::now(),
                    SystemTime::now(),
                    &chrono::Utc::now,
                ) {
                    tracing::error!(error = %e, "scheduling pass failed");
                }
            });
            let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
            runtime.block_on(scheduler::serve(pass, *tick_seconds))?;
            Ok(Outcome::Ok)
        }
        Command::Run { job } => {
            if !scheduler::JOB_NAMES.contains(&job.as_str()) {
                bail!(
                    "unknown job '{job}'; known: {}",
                    scheduler::JOB_NAMES.join(", ")
                );
            }
            let config = load_config(&cli, &data_dir)?;
            let started = chrono::Utc::now().naive_utc();
            let outcome = pipeline::run_job(job, &config, &data_dir, today, SystemTime::now());
            let finished = chrono::Utc::now().naive_utc();
            pipeline::record_job_run(&data_dir, job, None, started, finished, &outcome)?;
            println!("{job}: {} — {}", outcome.outcome, outcome.message);
            match outcome.outcome {
                "ok" => Ok(Outcome::Ok),
                "partial" => Ok(Outcome::Partial),
                _ => bail!("job {job} failed: {}", outcome.message),
            }
        }
        Command::Status {
            json,
            jobs_dir: dir,
        } => {
            let config = load_config(&cli, &data_dir)?;
            status(&config, &data_dir, dir.as_deref(), *json, today)
        }
        Command::Check => check(&cli, &data_dir),
        Command::Bench {
            sizes,
            formats: true,
            answers,
            customers,
        } => {
            if !sizes.is_empty() {
                bail!("--sizes measures months; --formats compares formats: give one of them");
            }
            bench(&data_dir, *answers, *customers, today)
        }
        Command::Bench { sizes, .. } => bench_months(&data_dir, sizes, today),
    }
}

fn demo(cli: &Cli, data_dir: &DataDir, seed: u64, today: NaiveDate) -> Result<Outcome> {
    data_dir
        .create()
        .with_context(|| format!("creating {}", data_dir.root().display()))?;
    if cli.config.is_none() && !data_dir.config_file().exists() {
        std::fs::write(data_dir.config_file(), DEFAULT_CONFIG_TOML)
            .with_context(|| format!("writing {}", data_dir.config_file().display()))?;
    }
    let config = load_config(cli, data_dir)?;
    let company = csat::demo::generate(seed, today).context("generating the sample company")?;
    for file in &company.files {
        // Written under a temporary name and renamed, as a careful copy would.
        let target = data_dir.inbox().join(&file.name);
        let temp = data_dir.inbox().join(format!("{}.part", file.name));
        std::fs::write(&temp, &file.bytes)
            .with_context(|| format!("writing {}", temp.display()))?;
        std::fs::rename(&temp, &target).with_context(|| format!("writing {}", target.display()))?;
    }
    println!(
        "Sample company (seed {seed}): {} files for {} to {} written to {}",
        company.files.len(),
        company.months.first().map(String::as_str).unwrap_or(""),
        company.months.last().map(String::as_str).unwrap_or(""),
        data_dir.inbox().display()
    );
    let mut store = pipeline::open_store(data_dir)?;
    // The demo's files were written whole by this process (temporary name,
    // then rename), so they need no settle time.
    let settled = SystemTime::now() + Duration::from_secs(config.inbox.settle_seconds);
    let summary = ingest_on_terminal(&config, data_dir, &mut store, today, settled)?;
    print_ingest(&summary, false);
    let month = analysis::previous_month(today);
    let outcome = pipeline::report(&config, data_dir, &mut store, &month)?;
    println!("\n{}\n", outcome.summary);
    println!("Workbook: {}", outcome.path.display());
    Ok(if summary.is_partial() {
        Outcome::Partial
    } else {
        Outcome::Ok
    })
}

fn print_ingest(summary: &IngestSummary, per_file: bool) {
    println!("Ingest: {}", summary.one_line());
    for name in &summary.settling {
        println!("  waiting    {name}: changed in the last seconds (still being copied?); taken on the next run");
    }
    for file in &summary.files {
        match file {
            FileOutcome::Loaded {
                file,
                source,
                rows_loaded,
                answers_loaded,
                rejected,
                unmapped_questions,
                columns_not_loaded,
                replaced,
            } => {
                if per_file {
                    println!(
                        "  loaded     {file} ({source}): {rows_loaded} rows, {answers_loaded} answers, {} cells rejected",
                        rejected.len()
                    );
                }
                for cell in rejected.iter().take(if per_file { 20 } else { 3 }) {
                    println!(
                        "    {file}, sheet '{}', row {}, column '{}': '{}' is not {}",
                        cell.sheet, cell.row_number, cell.column, cell.value, cell.expected
                    );
                }
                for old in replaced {
                    println!(
                        "    replaces {} responses of {} for {} (re-export of the same period)",
                        old.n_responses, old.file_name, old.month
                    );
                }
                if per_file && !unmapped_questions.is_empty() {
                    println!(
                        "    not in the question map (stored, not scored): {}",
                        unmapped_questions.join(" | ")
                    );
                }
                if per_file && !columns_not_loaded.is_empty() {
                    println!(
                        "    columns not loaded (neither a field nor a question): {}",
                        columns_not_loaded.join(" | ")
                    );
                }
            }
            FileOutcome::Duplicate {
                file,
                original,
                loaded_on,
            } => {
                if per_file {
                    println!("  duplicate  {file}: same content as {original}, loaded {loaded_on}; skipped");
                }
            }
            FileOutcome::Rejected { file, reason } => {
                println!("  rejected   {file}: {reason}");
            }
            FileOutcome::Failed { file, reason } => {
                println!("  failed     {file}: {reason}");
            }
        }
    }
}

/// Reads a file named on the command line, refusing what the inbox would
/// refuse unread (links, files over `max_file_mb`).
fn read_named_file(config: &Config, path: &Path) -> Result<(String, Vec<u8>)> {
    let metadata =
        std::fs::symlink_metadata(path).with_context(|| format!("reading {}", path.display()))?;
    if metadata.file_type().is_symlink() {
        bail!(
            "{} is a symbolic link: name the file itself",
            path.display()
        );
    }
    let max_bytes = config.inbox.max_file_mb.saturating_mul(1024 * 1024);
    if metadata.len() > max_bytes {
        bail!(
            "{} is {:.1} MB; the limit is {} MB ([inbox] max_file_mb)",
            path.display(),
            metadata.len() as f64 / (1024.0 * 1024.0),
            config.inbox.max_file_mb
        );
    }
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok((name, bytes))
}

/// `csat ingest --dry-run FILE…`: what the configuration would do with each
/// file; nothing is stored or moved (the database is not even opened).
fn dry_run(config: &Config, files: &[PathBuf], today: NaiveDate) -> Result<Outcome> {
    use csat::ingest::ColumnRole;
    let mut partial = false;
    for path in files {
        let (name, bytes) = read_named_file(config, path)?;
        match csat::ingest::parse_file_on(config, &name, &bytes, Some(today)) {
            Err(error) => {
                partial = true;
                println!("would reject {name}: {error}");
                if matches!(error, csat::ingest::IngestError::UnknownSource { .. }) {
                    println!(
                        "  `csat sources suggest {}` drafts a [[sources]] entry for it",
                        path.display()
                    );
                }
            }
            Ok(parsed) => {
                // Counted as `ingest` counts them.
                let rows = parsed.responses.len().max(parsed.records.len());
                println!(
                    "would load {name} as source '{}' ({}), sheet '{}': {} data rows; {rows} rows loaded, {} answers, {} cells refused ({} responses)",
                    parsed.source,
                    parsed.kind.as_str(),
                    parsed.sheet,
                    parsed.n_rows,
                    parsed.answers.len(),
                    parsed.rejected.len(),
                    parsed.responses.len()
                );
                println!("  columns:");
                for column in &parsed.columns {
                    let role = match &column.role {
                        ColumnRole::Field(field) => format!("field {field}"),
                        ColumnRole::Question(key) => format!("question {key}"),
                        ColumnRole::Unmapped => {
                            "unmapped question (stored, not scored)".to_string()
                        }
                        ColumnRole::NotLoaded => "not loaded".to_string(),
                    };
                    println!("    {} → {role}", column.header);
                }
                let mut per_question: std::collections::BTreeMap<&str, usize> = Default::default();
                for answer in &parsed.answers {
                    *per_question
                        .entry(
                            answer
                                .question_key
                                .as_deref()
                                .unwrap_or(&answer.question_text),
                        )
                        .or_default() += 1;
                }
                if !per_question.is_empty() {
                    println!("  answers per question:");
                    for (question, n) in &per_question {
                        println!("    {question}: {n}");
                    }
                }
                if !parsed.rejected.is_empty() {
                    partial = true;
                    println!("  first refused cells:");
                    for cell in parsed.rejected.iter().take(20) {
                        println!(
                            "    sheet '{}', row {}, column '{}': '{}' is not {}",
                            cell.sheet, cell.row_number, cell.column, cell.value, cell.expected
                        );
                    }
                }
            }
        }
    }
    println!("dry run: nothing was stored or moved");
    Ok(if partial {
        Outcome::Partial
    } else {
        Outcome::Ok
    })
}

fn status(
    config: &Config,
    data_dir: &DataDir,
    dir: Option<&Path>,
    json: bool,
    today: NaiveDate,
) -> Result<Outcome> {
    let jobs = scheduler::load_jobs(Some(&jobs_dir(data_dir, dir)))?;
    let now = chrono::Utc::now();
    let runs = pipeline::last_runs(data_dir)?;
    let scan = inbox::scan(&data_dir.inbox(), SystemTime::now(), Duration::ZERO)
        .context("reading the inbox")?;
    let waiting: Vec<String> = scan
        .ready
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    let next: Vec<(String, String)> = jobs
        .iter()
        .map(|j| {
            (
                j.job.clone(),
                j.next_run(now)
                    .map(|t| t.format("%Y-%m-%d %H:%M:%S %Z").to_string())
                    .unwrap_or_default(),
            )
        })
        .collect();
    // What the next monthly report (last month's) is waiting for.
    let report_month = analysis::previous_month(today);
    let readiness = {
        let store = pipeline::open_store(data_dir)?;
        pipeline::readiness(config, data_dir, &store, &report_month)?
    };
    if json {
        let value = serde_json::json!({
            "last_runs": runs,
            "files_waiting": waiting,
            "next_report": {
                "month": report_month,
                "ready": readiness.is_ready(),
                "missing_sources": readiness.missing_sources,
                "waiting_files": readiness.waiting_files,
                "rejected_files": readiness.rejected_files,
            },
            "next_runs": next.iter().map(|(job, at)| serde_json::json!({"job": job, "next_run": at})).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(Outcome::Ok);
    }
    println!("Last runs (UTC; scheduled tick in brackets):");
    if runs.is_empty() {
        println!("  (none yet)");
    }
    for run in &runs {
        println!(
            "  {:<15} [{}] {} → {}  {}: {}",
            run.job,
            if run.scheduled_for.is_empty() {
                "by hand"
            } else {
                &run.scheduled_for
            },
            run.started_at,
            run.finished_at,
            run.outcome,
            run.message
        );
    }
    println!(
        "Files waiting in {}: {}",
        data_dir.inbox().display(),
        waiting.len()
    );
    for name in &waiting {
        println!("  {name}");
    }
    println!(
        "Next report ({report_month}): {}",
        if readiness.is_ready() {
            "ready: all expected inputs are in".to_string()
        } else {
            format!("waiting: {}", readiness.describe())
        }
    );
    println!("Next runs:");
    for (job, at) in &next {
        println!("  {job:<15} {at}");
    }
    Ok(Outcome::Ok)
}

fn check(cli: &Cli, data_dir: &DataDir) -> Result<Outcome> {
    let config = load_config(cli, data_dir)?;
    let exposed = csat::inbox::world_readable(&[
        data_dir.root().to_path_buf(),
        data_dir.database(),
        data_dir.reports(),
        data_dir.archive(),
        data_dir.rejected(),
    ]);
    // Inside a directory others cannot enter, nothing is exposed.
    let root_open = exposed
        .iter()
        .any(|(path, mode)| path == data_dir.root() && mode & 0o001 != 0);
    for (path, mode) in exposed
        .iter()
        .filter(|(path, _)| root_open || path == data_dir.root())
    {
        println!(
            "warning: {} is readable by every user of this server (mode {mode:o}); customer evaluations are confidential: chmod o-rwx {}",
            path.display(),
            path.display()
        );
    }
    println!(
        "configuration: ok ({} departments, {} sources, {} questions)",
        config.departments.len(),
        config.sources.len(),
        config.questions.len()
    );
    let store = Store::open_in_memory()?;
    for query in analysis::QUERIES {
        store.prepare_only(query.key, query.sql)?;
    }
    println!(
        "sql: ok ({} analysis queries prepare against the schema)",
        analysis::QUERIES.len()
    );
    report::narrative(&report::SummaryContext::new(&analysis::MonthlyResults {
        month: "2026-01".into(),
        company_name: config.company.name.clone(),
        company_target: config.company.target,
        company: None,
        trend: Vec::new(),
        departments: Vec::new(),
        pareto: Vec::new(),
        paretos: Vec::new(),
        problem_sources: Vec::new(),
        files: Vec::new(),
        rejected: Vec::new(),
        n_rejected_total: 0,
        problem_items_per_department: config.report.problem_items_per_department,
        groups: Vec::new(),
        nps: Vec::new(),
        response_rates: Vec::new(),
        penalty: 0,
        callbacks: Vec::new(),
        min_n: config.scores.min_n,
        customer_terms: Vec::new(),
        closed_loop: Default::default(),
        band_counts: [0; 4],
        histogram: [0; 10],
        drivers: Default::default(),
        comments: Default::default(),
    }))?;
    println!("templates: ok ({} compiled)", report::TEMPLATES.len());
    let jobs = scheduler::load_jobs(Some(&jobs_dir(data_dir, None)))?;
    println!(
        "jobs: ok ({})",
        jobs.iter()
            .map(|j| j.job.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(Outcome::Ok)
}

/// When set, the process prints its peak resident memory on exit (`csat bench`).
const PEAK_MEMORY_ENV: &str = "CSAT_REPORT_PEAK_MEMORY";

/// Peak resident set size of this process in KiB (Linux `VmHWM`).
fn peak_rss_kb() -> Option<u64> {
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

fn bench(
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
    let month = analysis::previous_month(today);
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
        let summary: serde_json::Value =
            serde_json::from_str(&run.stdout).context("reading the ingest result")?;
        let file = &summary["files"][0];
        if file["status"] != "loaded" {
            bail!("the {format} file was not loaded: {file}");
        }
        let rows = file["rows_loaded"].as_u64().unwrap_or(0);
        let loaded = file["answers_loaded"].as_u64().unwrap_or(0);
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
    let summary: serde_json::Value =
        serde_json::from_str(&run.stdout).context("reading the ingest result")?;
    let files = summary["files"].as_array().cloned().unwrap_or_default();
    let loaded: u64 = files
        .iter()
        .filter_map(|f| f["answers_loaded"].as_u64())
        .sum();
    let rows_loaded: u64 = files.iter().filter_map(|f| f["rows_loaded"].as_u64()).sum();
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
    let summary: serde_json::Value =
        serde_json::from_str(&run.stdout).context("reading the ingest result")?;
    let rows: u64 = summary["files"]
        .as_array()
        .map(|files| files.iter().filter_map(|f| f["rows_loaded"].as_u64()).sum())
        .unwrap_or(0);
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

/// `csat bench`: for each size, a generated month (a 问卷星 xlsx with half
/// the answers, a call-centre CSV with the other half) ingested and
/// reported by child runs of csat, each measured (wall time, peak RSS).
fn bench_months(data_dir: &DataDir, sizes: &[usize], today: NaiveDate) -> Result<Outcome> {
    let sizes = if sizes.is_empty() {
        vec![1_000_000, 2_000_000, 4_000_000, 10_000_000]
    } else {
        sizes.to_vec()
    };
    let root = data_dir.root().join("bench");
    if root.exists() {
        std::fs::remove_dir_all(&root).with_context(|| format!("clearing {}", root.display()))?;
    }
    let month = analysis::previous_month(today);
    let config = csat::demo::bench_config();
    println!("csat bench, month {month}, on {}", machine());
    println!(
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
    for size in sizes {
        let (survey, calls) = csat::demo::bench_month(1, csat::month::Month::before(today), size)
            .context("generating the month")?;
        let dir = root.join(format!("month-{size}"));
        let bench_dir = DataDir::new(&dir);
        bench_dir.create()?;
        std::fs::write(bench_dir.config_file(), &config)?;
        std::fs::write(
            bench_dir.inbox().join(format!("问卷星_bench_{month}.xlsx")),
            &survey,
        )?;
        std::fs::write(
            bench_dir
                .inbox()
                .join(format!("回访记录_bench_{month}.csv")),
            &calls,
        )?;
        drop((survey, calls));
        let ingest = measure(&dir, today, &["ingest", "--json"])?;
        let summary: serde_json::Value =
            serde_json::from_str(&ingest.stdout).context("reading the ingest result")?;
        let files = summary["files"].as_array().cloned().unwrap_or_default();
        if files.len() != 2 || files.iter().any(|f| f["status"] != "loaded") {
            bail!("the generated files did not both load: {summary}");
        }
        let answers: u64 = files
            .iter()
            .filter_map(|f| f["answers_loaded"].as_u64())
            .sum();
        let report = measure(&dir, today, &["report", "--month", &month])?;
        let workbook = csat::delivery::report_path(&bench_dir.reports(), &month);
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
        println!(
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
    }
    Ok(Outcome::Ok)
}

/// Ingest with a progress bar on stderr when it is a terminal (never in logs).
fn ingest_on_terminal(
    config: &Config,
    data_dir: &DataDir,
    store: &mut Store,
    today: NaiveDate,
    now: SystemTime,
) -> Result<IngestSummary> {
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} files  {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let progress = |p: pipeline::IngestProgress<'_>| {
        if let Some(bar) = &bar {
            bar.set_length(p.total as u64);
            bar.set_position(p.done as u64);
            bar.set_message(p.file.unwrap_or("").to_string());
        }
    };
    let summary = pipeline::ingest_with_progress(config, data_dir, store, today, now, &progress)?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(summary)
}
