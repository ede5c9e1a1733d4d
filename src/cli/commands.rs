//! The commands that run one pipeline step and print what it did: `demo`,
//! `report`, `deliver`, `regrade`, `serve` and `run`.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;

use super::args::Cli;
use super::{load_config, Outcome};
use csat::config::{Config, DEFAULT_CONFIG_TOML};
use csat::inbox::DataDir;
use csat::month::Month;
use csat::pipeline::{self, JobKind, RunOutcome};
use csat::scheduler;

pub fn demo(cli: &Cli, data_dir: &DataDir, seed: u64, today: NaiveDate) -> Result<Outcome> {
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
        // A leftover of an interrupted demo is removed (never followed); the
        // file is created new, no-follow and owner-only.
        if std::fs::symlink_metadata(&temp).is_ok() {
            std::fs::remove_file(&temp).with_context(|| format!("removing {}", temp.display()))?;
        }
        {
            use std::io::Write;
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .custom_flags(libc::O_NOFOLLOW)
                .open(&temp)
                .and_then(|mut out| out.write_all(&file.bytes))
                .with_context(|| format!("writing {}", temp.display()))?;
        }
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
    let summary = super::ingest::ingest_on_terminal(&config, data_dir, &mut store, today, settled)?;
    super::ingest::print_ingest(&summary, false);
    let month = Month::before(today);
    let outcome = pipeline::report(&config, data_dir, &mut store, month)?;
    println!("\n{}\n", outcome.summary);
    println!("Workbook: {}", outcome.path.display());
    Ok(if summary.is_partial() {
        Outcome::Partial
    } else {
        Outcome::Ok
    })
}

/// `csat report`: `month`'s workbook and its one-screen summary.
pub fn report(config: &Config, data_dir: &DataDir, month: Month) -> Result<Outcome> {
    let mut store = pipeline::open_store(data_dir)?;
    let outcome = pipeline::report(config, data_dir, &mut store, month)?;
    println!("{}\n", outcome.summary);
    println!("Workbook: {}", outcome.path.display());
    Ok(Outcome::Ok)
}

/// `csat deliver`: `month`'s workbook e-mailed, recipient by recipient.
pub fn deliver(
    config: &Config,
    data_dir: &DataDir,
    month: Month,
    force: bool,
    resend: bool,
) -> Result<Outcome> {
    let mut store = pipeline::open_store(data_dir)?;
    let outcome = pipeline::deliver(
        config,
        data_dir,
        &mut store,
        month,
        pipeline::local_time(SystemTime::now()),
        force,
        resend,
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

/// `csat regrade`: every customer graded as of `as_of`, listed.
pub fn regrade(config: &Config, data_dir: &DataDir, as_of: NaiveDate) -> Result<Outcome> {
    let mut store = pipeline::open_store(data_dir)?;
    let outcome = pipeline::regrade(config, data_dir, &mut store, as_of)?;
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

/// `csat serve`: the scheduled jobs until SIGINT/SIGTERM, or one pass
/// (`once`, as if it were `at`) printed as JSON.
pub fn serve(
    config: Config,
    data_dir: &DataDir,
    jobs: Vec<scheduler::JobSpec>,
    once: bool,
    at: Option<chrono::DateTime<chrono::FixedOffset>>,
    tick_seconds: u32,
) -> Result<Outcome> {
    // One process runs the jobs of a data directory; the lock goes with the
    // process, however it ends.
    let _lock = pipeline::lock_data_dir(data_dir)?;
    if once {
        let at = at
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_else(chrono::Utc::now);
        let outcome =
            scheduler::scheduler_pass(&config, data_dir, &jobs, at, SystemTime::now(), &|| at)?;
        println!("{}", serde_json::to_string_pretty(&outcome)?);
        let failed = outcome
            .runs
            .iter()
            .any(|r| r.outcome.outcome == RunOutcome::Failed);
        return Ok(if failed { Outcome::Failed } else { Outcome::Ok });
    }
    let runner_data_dir = data_dir.clone();
    let pass: scheduler::Pass = Arc::new(move || {
        if let Err(e) = scheduler::scheduler_pass(
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
    runtime.block_on(scheduler::serve(pass, tick_seconds))?;
    Ok(Outcome::Ok)
}

/// `csat run JOB`: one job now, recorded as a run by hand.
pub fn run(config: &Config, data_dir: &DataDir, job: JobKind, today: NaiveDate) -> Result<Outcome> {
    let started = chrono::Utc::now().naive_utc();
    let outcome = pipeline::run_job(job, config, data_dir, today, SystemTime::now());
    let finished = chrono::Utc::now().naive_utc();
    pipeline::record_job_run(data_dir, job, None, started, finished, &outcome)?;
    println!("{job}: {} — {}", outcome.outcome, outcome.message);
    match outcome.outcome {
        RunOutcome::Ok => Ok(Outcome::Ok),
        RunOutcome::Partial => Ok(Outcome::Partial),
        RunOutcome::Failed => bail!("job {job} failed: {}", outcome.message),
    }
}
