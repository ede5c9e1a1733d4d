//! `csat ingest` (with its progress bar and per-file report), `csat ingest
//! --dry-run FILE…` and `csat sources suggest FILE…`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;

use super::Outcome;
use csat::config::Config;
use csat::inbox::DataDir;
use csat::pipeline::{self, FileOutcome, IngestSummary};
use csat::store::Store;

/// `csat ingest [--json]`: every ready inbox file once, then the alerts.
pub fn ingest(
    config: &Config,
    data_dir: &DataDir,
    today: NaiveDate,
    json: bool,
) -> Result<Outcome> {
    let mut store = pipeline::open_store(data_dir)?;
    let now = SystemTime::now();
    let summary = ingest_on_terminal(config, data_dir, &mut store, today, now)?;
    let alerts = csat::alerts::run(&mut store, config, today, pipeline::local_time(now))?;
    if json {
        let mut value = serde_json::to_value(&summary)?;
        value["alerts"] = serde_json::to_value(&alerts)?;
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        print_ingest(&summary, true);
        println!("{}", alerts.one_line());
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

/// `csat sources suggest FILE…`: a draft `[[sources]]` entry per file, each
/// knowing the drafts before it.
pub fn suggest(mut config: Config, files: &[PathBuf], today: NaiveDate) -> Result<Outcome> {
    for (index, path) in files.iter().enumerate() {
        let (name, bytes) = read_named_file(&config, path)?;
        let suggestion = csat::ingest::suggest::suggest(&config, &name, &bytes, Some(today))
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

/// What an ingest did, file by file (`per_file`), or only what went wrong.
pub fn print_ingest(summary: &IngestSummary, per_file: bool) {
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
                n_rejected,
                unmapped_questions,
                columns_not_loaded,
                replaced,
            } => {
                if per_file {
                    println!(
                        "  loaded     {file} ({source}): {rows_loaded} rows, {answers_loaded} answers, {n_rejected} cells rejected"
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
    // The inbox's one checked read: no link followed, no FIFO or device
    // waited on, never more than the limit read (a file named here is not
    // waiting to settle).
    let max_bytes = config.inbox.max_file_mb.saturating_mul(1024 * 1024);
    let far_future = std::time::SystemTime::now() + std::time::Duration::from_secs(86_400);
    let checked = csat::inbox::read_checked(path, max_bytes, far_future, std::time::Duration::ZERO)
        .with_context(|| format!("reading {}", path.display()))?;
    let bytes = match checked {
        csat::inbox::InboxFile::Read { bytes, .. } => bytes,
        csat::inbox::InboxFile::Refused(reason) => bail!("{}: {reason}", path.display()),
        csat::inbox::InboxFile::Settling => bail!("{} is still being written", path.display()),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok((name, bytes))
}

/// `csat ingest --dry-run FILE…`: what the configuration would do with each
/// file; nothing is stored or moved (the database is not even opened).
pub fn dry_run(config: &Config, files: &[PathBuf], today: NaiveDate) -> Result<Outcome> {
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

/// Ingest with a progress bar on stderr when it is a terminal (never in logs).
pub fn ingest_on_terminal(
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
