//! `csat status`: the last job runs, the files waiting in the inbox, what
//! the next monthly report waits for, and the next scheduled runs.

use std::path::Path;
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};
use chrono::NaiveDate;

use super::{jobs_dir, Outcome};
use csat::config::Config;
use csat::inbox::{self, DataDir};
use csat::month::Month;
use csat::pipeline;
use csat::scheduler;

/// Prints the status, as text or JSON.
pub fn status(
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
                j.job.to_string(),
                j.next_run(now)
                    .map(|t| t.format("%Y-%m-%d %H:%M:%S %Z").to_string())
                    .unwrap_or_default(),
            )
        })
        .collect();
    // What the next monthly report (last month's) is waiting for.
    let report_month = Month::before(today);
    let readiness = {
        let store = pipeline::open_store(data_dir)?;
        pipeline::readiness(config, data_dir, &store, report_month)?
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
