//! `csat check`: configuration, SQL, templates and job files validated
//! without touching data.

use anyhow::Result;

use super::{jobs_dir, load_config, Outcome};
use crate::cli::args::Cli;
use csat::analysis;
use csat::inbox::DataDir;
use csat::report;
use csat::scheduler;
use csat::store::Store;

/// Validates everything csat reads, and warns about data others can read.
pub fn check(cli: &Cli, data_dir: &DataDir) -> Result<Outcome> {
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
    for (name, sql) in csat::store::job_queries::ALL {
        store.prepare_only(name, sql)?;
    }
    // The templates render against a month with nothing in it.
    let empty = analysis::MonthlyResults {
        month: "2026-01".into(),
        company_name: config.company.name.clone(),
        company_target: config.company.target,
        problem_items_per_department: config.report.problem_items_per_department,
        min_n: config.scores.min_n,
        ..Default::default()
    };
    report::narrative(&report::SummaryContext::new(&empty))?;
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
