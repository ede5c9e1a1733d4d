//! The one code path used by the CLI, the scheduler and the end-to-end tests:
//! inbox → ingest → store → analysis → report → `reports/`.
//!
//! Nothing here reads the clock: the run date is a parameter.

use std::fs;
use std::path::PathBuf;

use std::time::{Duration, SystemTime};

use chrono::NaiveDate;
use serde::Serialize;
use tracing::{info, info_span, warn};

use crate::analysis::{self, MonthlyResults};
use crate::config::{Config, Reexport};
use crate::delivery;
use crate::inbox::{self, DataDir};
use crate::ingest::{self, RejectedCell};
use crate::report::{self, SummaryContext};
use crate::store::{FileMeta, Store, Superseded};

/// What happened to one inbox file.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum FileOutcome {
    /// Stored (possibly with some rows rejected).
    Loaded {
        /// File name.
        file: String,
        /// Source definition used.
        source: String,
        /// Rows stored (responses or records).
        rows_loaded: usize,
        /// Answers stored (surveys and callbacks).
        answers_loaded: usize,
        /// Cells or rows refused.
        rejected: Vec<RejectedCell>,
        /// Question columns no question of the configuration matches.
        unmapped_questions: Vec<String>,
        /// Columns holding data that are neither a field nor a question.
        columns_not_loaded: Vec<String>,
        /// Older exports of the same source and months this file replaced.
        replaced: Vec<Superseded>,
    },
    /// The same bytes were stored before.
    Duplicate {
        /// File name.
        file: String,
        /// Name it was stored under.
        original: String,
        /// When.
        loaded_on: String,
    },
    /// Not loaded; moved to `rejected/` with the reason beside it.
    Rejected {
        /// File name.
        file: String,
        /// Why.
        reason: String,
    },
    /// Could not be processed in this pass (a file-system or database
    /// failure on this file); left where it was for the next pass.
    Failed {
        /// File name.
        file: String,
        /// What failed.
        reason: String,
    },
}

/// The result of one ingest pass.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IngestSummary {
    /// One entry per inbox file, in name order.
    pub files: Vec<FileOutcome>,
    /// Files left in the inbox because they changed within the settle time.
    pub settling: Vec<String>,
}

impl IngestSummary {
    /// True when a file or a row was refused.
    pub fn is_partial(&self) -> bool {
        self.files.iter().any(|f| match f {
            FileOutcome::Rejected { .. } | FileOutcome::Failed { .. } => true,
            FileOutcome::Loaded { rejected, .. } => !rejected.is_empty(),
            FileOutcome::Duplicate { .. } => false,
        })
    }
}

/// A pipeline failure that stops the run (file-level problems never do).
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// Rendering failed.
    #[error(transparent)]
    Render(#[from] report::RenderError),
    /// A file-system operation failed.
    /// The cause is part of the message (and not also returned as the
    /// error's source, so the CLI prints it once).
    #[error("{context}: {cause}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        cause: std::io::Error,
    },
}

fn io_context(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> PipelineError {
    let context = context.into();
    move |cause| PipelineError::Io { context, cause }
}

/// Opens the data directory's store, creating folders and database as needed.
///
/// # Errors
/// Folders cannot be created or the database cannot be opened.
pub fn open_store(data_dir: &DataDir) -> Result<Store, PipelineError> {
    data_dir.create().map_err(io_context(format!(
        "creating {}",
        data_dir.root().display()
    )))?;
    let store = match encryption_key()? {
        None => Store::open(&data_dir.database())?,
        Some(key) => Store::open_encrypted(&data_dir.database(), &key)?,
    };
    // Customers' evaluations are confidential: the database is the owner's.
    inbox::owner_only(&data_dir.database()).map_err(io_context(format!(
        "protecting {}",
        data_dir.database().display()
    )))?;
    Ok(store)
}

/// The database key, when the operator set one: `CSAT_DB_KEY_FILE` (a file
/// holding the key, preferred) or `CSAT_DB_KEY`; never a command-line
/// argument, which every user can see in the process list.
fn encryption_key() -> Result<Option<String>, PipelineError> {
    if let Some(path) = std::env::var_os("CSAT_DB_KEY_FILE") {
        let key = fs::read_to_string(&path).map_err(io_context(format!(
            "reading the key file {}",
            PathBuf::from(&path).display()
        )))?;
        return Ok(Some(key.trim().to_string()).filter(|k| !k.is_empty()));
    }
    Ok(std::env::var("CSAT_DB_KEY").ok().filter(|k| !k.is_empty()))
}

/// Processes every ready inbox file once; `now` is the caller's clock, used
/// only to tell files that have settled from copies still being written.
///
/// Each file is parsed, stored in one transaction, then moved to
/// `archive/<YYYY-MM>/` (the month of `today`). Duplicates (same bytes) are
/// archived under `archive/duplicates/` without loading. Files that cannot be
/// loaded go to `rejected/` with a `.reasons.txt`; the run goes on.
///
/// # Errors
/// Only failures of the store or the data directory itself.
pub fn ingest(
    config: &Config,
    data_dir: &DataDir,
    store: &mut Store,
    today: NaiveDate,
    now: SystemTime,
) -> Result<IngestSummary, PipelineError> {
    ingest_with_progress(config, data_dir, store, today, now, &|_| {})
}

/// Where an ingest pass is, for a progress display.
#[derive(Debug, Clone, Copy)]
pub struct IngestProgress<'a> {
    /// Files finished so far.
    pub done: usize,
    /// Files ready in this pass.
    pub total: usize,
    /// The file about to be processed (`None` when all are done).
    pub file: Option<&'a str>,
}

/// [`ingest`], calling `progress` before each file and once at the end.
///
/// # Errors
/// As [`ingest`].
pub fn ingest_with_progress(
    config: &Config,
    data_dir: &DataDir,
    store: &mut Store,
    today: NaiveDate,
    now: SystemTime,
    progress: &dyn Fn(IngestProgress<'_>),
) -> Result<IngestSummary, PipelineError> {
    let mut summary = IngestSummary::default();
    let settle = Duration::from_secs(config.inbox.settle_seconds);
    let scan =
        inbox::scan(&data_dir.inbox(), now, settle).map_err(io_context("reading the inbox"))?;
    summary.settling = scan
        .settling
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    // The crash-loop breaker: a note left by a process that died on a file.
    crate::crash_guard::install(data_dir.root());
    if let Some(sha256) = crate::crash_guard::take_note(data_dir.root()) {
        store.mark_crashed(&sha256)?;
    }
    let refused = scan
        .links
        .iter()
        .map(|path| (path, inbox::LINK_REASON))
        .chain(
            scan.special
                .iter()
                .map(|path| (path, inbox::SPECIAL_REASON)),
        );
    for (link, reason) in refused {
        let file_name = display_name(link);
        let reason = reason.to_string();
        warn!(file = %file_name, %reason, "rejected");
        let outcome = match inbox::quarantine(
            link,
            &data_dir.rejected(),
            &inbox::content_hash(file_name.as_bytes()),
            &[format!("{file_name}: {reason}")],
        ) {
            Ok(_) => FileOutcome::Rejected {
                file: file_name,
                reason,
            },
            Err(error) => failed(file_name, "quarantining it", &error),
        };
        summary.files.push(outcome);
    }
    let files = scan.ready;
    let archive_dir = data_dir.archive().join(today.format("%Y-%m").to_string());
    let total = files.len();
    for (done, path) in files.into_iter().enumerate() {
        let file_name = display_name(&path);
        progress(IngestProgress {
            done,
            total,
            file: Some(&file_name),
        });
        let _span = info_span!("ingest", file = %file_name).entered();
        match ingest_file(
            config,
            data_dir,
            store,
            &path,
            &file_name,
            &archive_dir,
            today,
            now,
        ) {
            Ok(Some(outcome)) => summary.files.push(outcome),
            Ok(None) => summary.settling.push(file_name),
            Err(FileFailure::Store(error)) => {
                warn!(error = %report::mask::mask_personal(&error.to_string()), "not processed");
                summary.files.push(FileOutcome::Failed {
                    file: file_name,
                    reason: format!("the database refused it ({error}); it stays in the inbox and is tried again at the next run"),
                });
            }
            Err(FileFailure::Io { doing, error }) => {
                summary.files.push(failed(file_name, &doing, &error));
            }
        }
    }
    progress(IngestProgress {
        done: total,
        total,
        file: None,
    });
    Ok(summary)
}

/// Text files up to this size are read whole; larger ones are parsed from
/// disk as they are read.
const TEXT_IN_MEMORY_BYTES: u64 = 1024 * 1024;

/// Answers parsed before they are appended to the store (an Arrow batch).
const STREAM_CHUNK_ANSWERS: usize = 65_536;

/// How many interrupted readings of one file (the process killed while
/// reading it, not by the file: an operator, a shutdown, the OOM killer)
/// csat tolerates before it sets the file aside.
pub const MAX_INTERRUPTED_READS: i64 = 20;

/// Why one file could not be processed in this pass (the pass goes on).
enum FileFailure {
    /// A file-system operation on it failed.
    Io {
        /// What was being done.
        doing: String,
        /// The cause.
        error: std::io::Error,
    },
    /// The store refused it.
    Store(crate::store::StoreError),
}

impl From<crate::store::StoreError> for FileFailure {
    fn from(error: crate::store::StoreError) -> FileFailure {
        FileFailure::Store(error)
    }
}

fn file_io(doing: impl Into<String>) -> impl FnOnce(std::io::Error) -> FileFailure {
    let doing = doing.into();
    move |error| FileFailure::Io { doing, error }
}

fn display_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn failed(file: String, doing: &str, error: &std::io::Error) -> FileOutcome {
    let reason =
        format!("{doing} failed: {error}; it stays where it is and is tried again at the next run");
    warn!(file = %file, reason = %report::mask::mask_personal(&reason), "not processed");
    FileOutcome::Failed { file, reason }
}

/// Quarantines `path` with `reason`, as an outcome.
fn reject(
    data_dir: &DataDir,
    path: &std::path::Path,
    file_name: String,
    sha256: &str,
    reason: String,
) -> Result<FileOutcome, FileFailure> {
    warn!(reason = %report::mask::mask_personal(&reason), "rejected");
    inbox::quarantine(
        path,
        &data_dir.rejected(),
        sha256,
        &[format!("{file_name}: {reason}")],
    )
    .map_err(file_io("quarantining it"))?;
    Ok(FileOutcome::Rejected {
        file: file_name,
        reason,
    })
}

/// One inbox file: read through one checked handle, parsed in isolation
/// (a panic quarantines the file; a fatal signal leaves a crash note),
/// stored in one transaction, moved out of the inbox. `None` when it turned
/// out to be still changing.
#[allow(clippy::too_many_arguments)]
fn ingest_file(
    config: &Config,
    data_dir: &DataDir,
    store: &mut Store,
    path: &std::path::Path,
    file_name: &str,
    archive_dir: &std::path::Path,
    today: NaiveDate,
    now: SystemTime,
) -> Result<Option<FileOutcome>, FileFailure> {
    let file_name = file_name.to_string();
    let max_bytes = config.inbox.max_file_mb.saturating_mul(1024 * 1024);
    let settle = Duration::from_secs(config.inbox.settle_seconds);
    // One checked open (no link followed, non-blocking, a regular file
    // within the size limit); everything after reads through this handle.
    let (file, len) =
        match inbox::open_checked(path, max_bytes, now, settle).map_err(file_io("reading it"))? {
            inbox::InboxOpen::Settling => return Ok(None),
            inbox::InboxOpen::Refused(reason) => {
                let tag = inbox::content_hash(file_name.as_bytes());
                return reject(data_dir, path, file_name, &tag, reason).map(Some);
            }
            inbox::InboxOpen::Opened { file, len } => (file, len),
        };
    // A large text file is hashed and parsed from disk, block by block,
    // through the same handle; anything else is read whole (a workbook is a
    // ZIP or OLE archive).
    let from_disk = ingest::is_text_file(&file_name) && len > TEXT_IN_MEMORY_BYTES;
    let (bytes, sha256, disk) = if from_disk {
        match inbox::hash_opened(&file, max_bytes).map_err(file_io("reading it"))? {
            Err(reason) => {
                let tag = inbox::content_hash(file_name.as_bytes());
                return reject(data_dir, path, file_name, &tag, reason).map(Some);
            }
            Ok((sha256, read)) => (Vec::new(), sha256, Some((file, read))),
        }
    } else {
        match inbox::read_opened(file, len, max_bytes).map_err(file_io("reading it"))? {
            inbox::InboxFile::Settling => return Ok(None),
            inbox::InboxFile::Refused(reason) => {
                let tag = inbox::content_hash(file_name.as_bytes());
                return reject(data_dir, path, file_name, &tag, reason).map(Some);
            }
            inbox::InboxFile::Read { bytes, sha256 } => (bytes, sha256, None),
        }
    };
    if let Some(stored) = store.find_file(&sha256)? {
        inbox::move_into(path, &data_dir.archive().join("duplicates"), &sha256)
            .map_err(file_io("archiving it"))?;
        store.end_attempt(&sha256)?;
        info!(original = %stored.file_name, "duplicate, skipped");
        return Ok(Some(FileOutcome::Duplicate {
            file: file_name,
            original: stored.file_name,
            loaded_on: stored.loaded_on,
        }));
    }
    let attempt = store.begin_attempt(&sha256, &file_name)?;
    if attempt.crashed || attempt.interrupted >= MAX_INTERRUPTED_READS {
        let reason = if attempt.crashed {
            "csat stopped abnormally while reading this file (the process crashed), so it was set aside instead of being read again; the other files load as usual. Open it in Excel, save it again (or export it again), and drop the new file; if it keeps happening, send the file to the administrator".to_string()
        } else {
            format!("csat was stopped {} times while reading this file, so it was set aside; the other files load as usual. Export it again or split it, and drop the new file", attempt.interrupted)
        };
        let outcome = reject(data_dir, path, file_name, &sha256, reason)?;
        store.end_attempt(&sha256)?;
        return Ok(Some(outcome));
    }
    // Rows go to the store in chunks as they are parsed, inside the file's
    // one transaction: memory does not grow with the file. Whatever was
    // appended is rolled back unless the file loads.
    let mut load = store.begin_file(&file_name)?;
    crate::crash_guard::arm(&sha256);
    let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match disk {
        Some((file, read)) => ingest::parse_text_file_with(
            config,
            &file_name,
            file,
            read,
            Some(today),
            STREAM_CHUNK_ANSWERS,
            &mut |chunk| load.append(chunk),
        ),
        None => ingest::parse_file_with(
            config,
            &file_name,
            &bytes,
            Some(today),
            STREAM_CHUNK_ANSWERS,
            &mut |chunk| load.append(chunk),
        ),
    }));
    crate::crash_guard::disarm();
    let parsed = match parsed {
        Ok(Ok(Ok(parsed))) => parsed,
        Ok(Err(error)) => {
            drop(load);
            return Err(FileFailure::Store(error));
        }
        Ok(Ok(Err(error))) => {
            drop(load);
            let mut reason = error.to_string();
            // A file no source matches gets a first draft of its layout,
            // when the draft loads it (only that is worth a person's time).
            let suggestion = match error {
                // (A large text file parsed from disk is not held whole.)
                ingest::IngestError::UnknownSource { .. } if !bytes.is_empty() => {
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        ingest::suggest::suggest(config, &file_name, &bytes, Some(today))
                    }))
                    .ok()
                    .and_then(Result::ok)
                    .filter(|s| s.loads)
                }
                _ => None,
            };
            if suggestion.is_some() {
                reason.push_str(&format!(
                    "; a suggested [[sources]] entry for it is in {file_name}.suggested.toml beside this file"
                ));
            }
            warn!(reason = %report::mask::mask_personal(&reason), "rejected");
            let target = inbox::quarantine(
                path,
                &data_dir.rejected(),
                &sha256,
                &[format!("{file_name}: {reason}")],
            )
            .map_err(file_io("quarantining it"))?;
            if let Some(suggestion) = suggestion {
                write_suggestion(&target, &suggestion.toml);
            }
            store.end_attempt(&sha256)?;
            return Ok(Some(FileOutcome::Rejected {
                file: file_name,
                reason,
            }));
        }
        Err(panic) => {
            drop(load);
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let reason = format!("csat failed on this file (an internal error, reported to the administrator: {message}); it was set aside and the other files load as usual");
            let outcome = reject(data_dir, path, file_name, &sha256, reason)?;
            store.end_attempt(&sha256)?;
            return Ok(Some(outcome));
        }
    };
    let replaces_periods = config
        .sources
        .iter()
        .find(|s| s.name == parsed.source)
        .is_some_and(|s| s.reexport == Reexport::Replace);
    let meta = FileMeta {
        sha256: sha256.clone(),
        file_name: file_name.clone(),
        loaded_on: today,
        replaces_periods,
    };
    let (_, replaced) = load.finish(&meta, &parsed)?;
    // Stored: from here on the file is a duplicate for any later pass, so a
    // failed move is retried as an archive of a duplicate.
    store.end_attempt(&sha256)?;
    inbox::move_into(path, archive_dir, &sha256)
        .map_err(file_io("archiving it (its rows are stored)"))?;
    drop(bytes);
    let rows_loaded = parsed.n_loaded();
    let answers_loaded = parsed.n_answers();
    let columns_not_loaded = parsed.not_loaded();
    info!(
        source = %parsed.source,
        rows = rows_loaded,
        answers = answers_loaded,
        rejected = parsed.rejected.len(),
        "loaded"
    );
    Ok(Some(FileOutcome::Loaded {
        file: file_name,
        source: parsed.source,
        rows_loaded,
        answers_loaded,
        rejected: parsed.rejected,
        columns_not_loaded,
        unmapped_questions: parsed.unmapped_questions,
        replaced,
    }))
}

/// Writes `<quarantined file>.suggested.toml`: owner-only, created
/// exclusively and never through a link (a stale file of that name, or a
/// link planted there, is removed first, never followed). A failure is
/// logged; the file stays quarantined with its reasons either way.
fn write_suggestion(quarantined: &std::path::Path, text: &str) {
    use std::io::Write;
    let mut path = quarantined.as_os_str().to_owned();
    path.push(".suggested.toml");
    let path = PathBuf::from(path);
    if fs::symlink_metadata(&path).is_ok() {
        let _ = fs::remove_file(&path);
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options
        .open(&path)
        .and_then(|mut file| file.write_all(text.as_bytes()));
    if let Err(error) = written {
        warn!(file = %path.display(), %error, "the suggested configuration could not be written");
    }
}

/// A written monthly report.
#[derive(Debug, Clone)]
pub struct ReportOutcome {
    /// Where the workbook is.
    pub path: PathBuf,
    /// The figures in it.
    pub results: MonthlyResults,
    /// The one-screen text summary.
    pub summary: String,
}

/// Builds `month`'s workbook from what is stored and writes it atomically to
/// `reports/<month>/`.
///
/// # Errors
/// A query, the rendering or the write fails.
pub fn report(
    config: &Config,
    data_dir: &DataDir,
    store: &mut Store,
    month: &str,
) -> Result<ReportOutcome, PipelineError> {
    let _span = info_span!("report", month = %month).entered();
    let results = analysis::monthly(store, config, month)?;
    let bytes = report::render_workbook(&results, config.report.lang)?;
    let path = delivery::report_path(&data_dir.reports(), month);
    delivery::write_atomically(&path, &bytes)
        .map_err(io_context(format!("writing {}", path.display())))?;
    drop(bytes);
    write_problem_details(config, store, month, &results, &path)?;
    let summary = report::console_summary(&SummaryContext::new(&results))?;
    info!(path = %path.display(), "report written");
    Ok(ReportOutcome {
        path,
        results,
        summary,
    })
}

/// Writes the detail workbooks of 问题清单 (the problems it does not list
/// one by one) to `reports/<month>/details/`, one per department with
/// more problems than `[report] problem_items_per_department`, streaming
/// the rows from the store into constant-memory sheets; removes this
/// month's detail workbooks of an earlier run that are no longer wanted.
fn write_problem_details(
    config: &Config,
    store: &Store,
    month: &str,
    results: &MonthlyResults,
    report_path: &std::path::Path,
) -> Result<(), PipelineError> {
    let reports_month = report_path
        .parent()
        .unwrap_or_else(|| std::path::Path::new("."));
    let wanted: Vec<(String, String, std::path::PathBuf)> = results
        .closed_loop
        .problem_departments
        .iter()
        .filter_map(|d| {
            d.detail_file.as_ref().map(|file| {
                (
                    d.key.clone(),
                    d.department.clone(),
                    reports_month.join(file),
                )
            })
        })
        .collect();
    let details_dir = reports_month.join("details");
    let prefix = format!("csat-problems-{month}-");
    if let Ok(entries) = std::fs::read_dir(&details_dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let stale = name.starts_with(&prefix)
                && name.ends_with(".xlsx")
                && !wanted.iter().any(|(_, _, path)| path.ends_with(&name));
            if stale {
                std::fs::remove_file(entry.path())
                    .map_err(io_context(format!("removing {}", entry.path().display())))?;
            }
        }
    }
    if wanted.is_empty() {
        return Ok(());
    }
    let month_end = analysis::parse_month(month)
        .and_then(|(year, m)| NaiveDate::from_ymd_opt(year, m, 1))
        .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
        .and_then(|d| d.pred_opt())
        .expect("valid month");
    let lang = config.report.lang;
    let rows_per_sheet = config.report.detail_rows_per_sheet;
    let finish = |key: &str, details: report::ProblemDetails| -> Result<(), PipelineError> {
        let Some((_, _, path)) = wanted.iter().find(|(k, _, _)| k == key) else {
            return Ok(());
        };
        let context = format!("writing {}", path.display());
        let mut file = delivery::AtomicFile::create(path).map_err(io_context(context.clone()))?;
        {
            let mut buffered = std::io::BufWriter::new(&mut file);
            details.finish(&mut buffered)?;
            std::io::Write::flush(&mut buffered).map_err(io_context(context.clone()))?;
        }
        file.commit().map_err(io_context(context))
    };
    let mut current: Option<(String, report::ProblemDetails)> = None;
    analysis::closed_loop::for_each_problem_detail(
        store,
        config,
        month,
        month_end,
        |key, problem| -> Result<(), PipelineError> {
            if current.as_ref().is_none_or(|(k, _)| k != key) {
                if let Some((done_key, done)) = current.take() {
                    finish(&done_key, done)?;
                }
                current = Some((
                    key.to_string(),
                    report::ProblemDetails::new(&problem.department, month, lang, rows_per_sheet)?,
                ));
            }
            if let Some((_, details)) = current.as_mut() {
                details.push(problem)?;
            }
            Ok(())
        },
    )?;
    if let Some((done_key, done)) = current.take() {
        finish(&done_key, done)?;
    }
    info!(workbooks = wanted.len(), "problem details written");
    Ok(())
}

/// One job run by a scheduling pass.
#[derive(Debug, Clone, Serialize)]
pub struct PassRun {
    /// The job.
    pub job: String,
    /// The tick it ran for (UTC).
    pub scheduled_for: String,
    /// Why it ran.
    pub reason: String,
    /// How it ended.
    pub outcome: JobOutcome,
}

/// What one scheduling pass did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PassOutcome {
    /// Jobs run.
    pub runs: Vec<PassRun>,
    /// Deadline warnings and overdue notices raised (also sent as alerts).
    pub deadline_notices: Vec<String>,
    /// Jobs whose retry window closed without a successful run, as raised
    /// now (each once, as an alert).
    pub given_up: Vec<String>,
}

/// Takes the data directory's scheduler lock (`csat.lock`): only one csat
/// process runs jobs on a data directory. The lock is the operating system's
/// (flock), so it is released when the holder exits or dies; keep the file
/// for as long as jobs may run.
///
/// # Errors
/// Another process holds the lock, or the file cannot be opened.
pub fn lock_data_dir(data_dir: &DataDir) -> Result<fs::File, PipelineError> {
    use std::io::{Read, Seek, Write};
    data_dir.create().map_err(io_context(format!(
        "creating {}",
        data_dir.root().display()
    )))?;
    let path = data_dir.root().join("csat.lock");
    let mut file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io_context(format!("opening {}", path.display())))?;
    if let Err(error) = file.try_lock() {
        let mut holder = String::new();
        let _ = file.read_to_string(&mut holder);
        return Err(PipelineError::Io {
            context: format!(
                "another csat process runs the jobs of {} (pid {} in {}); stop it first",
                data_dir.root().display(),
                holder.trim(),
                path.display()
            ),
            cause: std::io::Error::new(std::io::ErrorKind::WouldBlock, error.to_string()),
        });
    }
    file.set_len(0)
        .map_err(io_context(format!("writing {}", path.display())))?;
    file.rewind()
        .map_err(io_context(format!("writing {}", path.display())))?;
    write!(file, "{}", std::process::id())
        .map_err(io_context(format!("writing {}", path.display())))?;
    Ok(file)
}

/// One scheduling pass as if it were `at`: runs the jobs due (their latest
/// tick, once; catch-up after downtime; retries of failed runs) and the
/// ingest whenever a settled file waits in the inbox; records every run
/// with its tick; then checks the deadlines (an alert each day after one
/// passes undelivered, a warning before it while inputs are missing).
/// `wall` is the real clock for the inbox's settle time, `clock` the time
/// recorded as a run's start and end.
///
/// # Errors
/// The store cannot be read or a run cannot be recorded.
pub fn scheduler_pass(
    config: &Config,
    data_dir: &DataDir,
    jobs: &[crate::scheduler::JobSpec],
    at: chrono::DateTime<chrono::Utc>,
    wall: SystemTime,
    clock: &dyn Fn() -> chrono::DateTime<chrono::Utc>,
) -> Result<PassOutcome, PipelineError> {
    use crate::scheduler::{deadline_state, due_jobs, DeadlineState, DueJob, DueReason, RunRecord};
    let timezone: chrono_tz::Tz = config
        .company
        .timezone
        .parse()
        .unwrap_or(chrono_tz::Asia::Shanghai);
    let local = at.with_timezone(&timezone);
    let today = local.date_naive();
    let history: Vec<RunRecord> = {
        let store = open_store(data_dir)?;
        store
            .query(
                "job history",
                "SELECT job, strftime(scheduled_for, '%Y-%m-%d %H:%M:%S'), \
                 strftime(finished_at, '%Y-%m-%d %H:%M:%S'), outcome FROM job_runs \
                 WHERE scheduled_for IS NOT NULL AND scheduled_for >= $1",
                &[crate::store::Param::Date(
                    today - chrono::Duration::days(10),
                )],
            )?
            .iter()
            .filter_map(|r| {
                let time = |i: usize| {
                    chrono::NaiveDateTime::parse_from_str(&r[i].as_text()?, "%Y-%m-%d %H:%M:%S")
                        .ok()
                        .map(|t| t.and_utc())
                };
                Some(RunRecord {
                    job: r[0].as_text()?,
                    scheduled_for: time(1)?,
                    finished_at: time(2)?,
                    outcome: r[3].as_text()?,
                })
            })
            .collect()
    };
    let mut due: Vec<DueJob> = due_jobs(jobs, &history, at);
    if !due.iter().any(|d| d.spec.job == "ingest") {
        let settle = Duration::from_secs(config.inbox.settle_seconds);
        let waiting = inbox::scan(&data_dir.inbox(), wall, settle)
            .map(|scan| !scan.ready.is_empty())
            .unwrap_or(false);
        if let (true, Some(spec)) = (waiting, jobs.iter().find(|j| j.job == "ingest")) {
            due.push(DueJob {
                spec: spec.clone(),
                scheduled_for: at.with_timezone(&chrono::Utc),
                reason: DueReason::OnTime,
            });
        }
    }
    let mut outcome = PassOutcome::default();
    for job in due {
        let started = clock();
        let result = run_job(&job.spec.job, config, data_dir, today, wall);
        let finished = clock();
        info!(job = %job.spec.job, reason = ?job.reason, outcome = result.outcome, message = %result.message, "job finished");
        record_job_run(
            data_dir,
            &job.spec.job,
            Some(job.scheduled_for.naive_utc()),
            started.naive_utc(),
            finished.naive_utc(),
            &result,
        )?;
        outcome.runs.push(PassRun {
            job: job.spec.job.clone(),
            scheduled_for: job
                .scheduled_for
                .format("%Y-%m-%d %H:%M:%S UTC")
                .to_string(),
            reason: format!("{:?}", job.reason),
            outcome: result,
        });
    }

    let mut store = open_store(data_dir)?;
    outcome.given_up = retry_windows_closed(config, &mut store, jobs, at, &timezone)?;
    let month = analysis::previous_month(today);
    for spec in jobs.iter().filter(|j| j.deadline_day.is_some()) {
        let delivered = if config.delivery.recipients.is_empty() {
            delivery::report_path(&data_dir.reports(), &month).exists()
        } else {
            store
                .query(
                    "delivered",
                    "SELECT count(*) FROM deliveries WHERE month = $1 AND kind = 'full' AND ok",
                    &[crate::store::Param::Text(month.clone())],
                )?
                .first()
                .and_then(|r| r[0].as_i64())
                .unwrap_or(0)
                > 0
        };
        let ready = readiness(config, data_dir, &store, &month)?.is_ready();
        let (subject, body) = match deadline_state(spec, &config.calendar, today, delivered, ready)
        {
            DeadlineState::Fine => continue,
            DeadlineState::Overdue { deadline } => (
                format!("【月报逾期】{month} 月报未在 {deadline} 前送达"),
                format!(
                    "{} {month} 客户满意度月报应于 {deadline} 前送达，今天 {today} 仍未送达。{}",
                    config.company.name,
                    readiness(config, data_dir, &store, &month)?.describe()
                ),
            ),
            DeadlineState::EarlyWarning {
                deadline,
                working_days_left,
            } => (
                format!(
                    "【月报预警】{month} 月报输入不全，距截止还有 {working_days_left} 个工作日"
                ),
                format!(
                    "{month} 月报应于 {deadline} 前送达，目前：{}",
                    readiness(config, data_dir, &store, &month)?.describe()
                ),
            ),
        };
        outcome.deadline_notices.push(subject.clone());
        // One alert a day: the day is part of its key.
        let alert = crate::alerts::alert(
            "deadline",
            &format!("{}/{month}/{today}", spec.job),
            subject,
            body,
        );
        crate::alerts::send(&mut store, config, &[alert], local.naive_local())?;
    }
    Ok(outcome)
}

/// The final alert for every tick of a job with retries whose retry window
/// has closed at `at` without a successful run: the monthly report of
/// month M was not produced (or not delivered), how often it was tried and
/// the last error. Sent once (the alert's key is the job and tick); returns
/// the subjects raised now.
///
/// # Errors
/// A query or recording an alert fails.
fn retry_windows_closed(
    config: &Config,
    store: &mut Store,
    jobs: &[crate::scheduler::JobSpec],
    at: chrono::DateTime<chrono::Utc>,
    timezone: &chrono_tz::Tz,
) -> Result<Vec<String>, PipelineError> {
    let mut raised = Vec::new();
    for spec in jobs {
        for (tick, closed_at) in crate::scheduler::closed_retry_windows(spec, at) {
            let attempts = store.query(
                "attempts of a tick",
                "SELECT outcome, message, strftime(started_at, '%Y-%m-%d %H:%M:%S'), \
                 strftime(finished_at, '%Y-%m-%d %H:%M:%S') FROM job_runs \
                 WHERE job = $1 AND strftime(scheduled_for, '%Y-%m-%d %H:%M:%S') = $2 \
                 ORDER BY finished_at",
                &[
                    crate::store::Param::Text(spec.job.clone()),
                    crate::store::Param::Text(tick.format("%Y-%m-%d %H:%M:%S").to_string()),
                ],
            )?;
            let failed =
                |r: &crate::store::Row| r[0].as_text().as_deref() == Some("failed");
            let (Some(first), Some(last)) = (attempts.first(), attempts.last()) else {
                continue;
            };
            if !attempts.iter().all(failed) {
                continue;
            }
            // Recorded times are UTC; people read local time.
            let local = |text: Option<String>| {
                text.and_then(|t| {
                    chrono::NaiveDateTime::parse_from_str(&t, "%Y-%m-%d %H:%M:%S").ok()
                })
                .map(|t| {
                    t.and_utc()
                        .with_timezone(timezone)
                        .format("%Y-%m-%d %H:%M")
                        .to_string()
                })
                .unwrap_or_default()
            };
            let last_error = report::mask::mask_personal(&last[1].as_text().unwrap_or_default());
            let closed = closed_at.with_timezone(timezone).format("%Y-%m-%d %H:%M");
            let tried = format!(
                "自 {} 起共尝试 {} 次均未成功，重试期已于 {closed} 结束，不再自动重试。\n最后一次（{}）失败原因：{last_error}",
                local(first[2].as_text()),
                attempts.len(),
                local(last[3].as_text()),
            );
            let (subject, body) = if spec.job == "monthly_report" {
                let month = analysis::previous_month(tick.with_timezone(timezone).date_naive());
                (
                    format!("【月报未生成】{month} 月报未能生成并送达，重试期已结束"),
                    format!(
                        "{} {month} 客户满意度月报未能生成并送达。{tried}\n处理原因后可运行 csat run monthly_report（或 csat deliver --month {month}）补发。",
                        config.company.name
                    ),
                )
            } else {
                (
                    format!("【任务未完成】{} 重试期已结束", spec.job),
                    format!(
                        "任务 {}（计划于 {}）未能完成。{tried}",
                        spec.job,
                        tick.with_timezone(timezone).format("%Y-%m-%d %H:%M")
                    ),
                )
            };
            let alert = crate::alerts::alert(
                "job-given-up",
                &format!("{}/{}", spec.job, tick.format("%Y-%m-%dT%H:%M:%SZ")),
                subject.clone(),
                body,
            );
            let sent = crate::alerts::send(
                store,
                config,
                &[alert],
                at.with_timezone(timezone).naive_local(),
            )?;
            if !sent.raised.is_empty() {
                tracing::error!(job = %spec.job, tick = %tick, error = %last_error, "retry window closed without success");
                raised.push(subject);
            }
        }
    }
    Ok(raised)
}

/// What `deliver` did.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryOutcome {
    /// The month.
    pub month: String,
    /// The readiness check.
    pub readiness: crate::delivery::Readiness,
    /// Held back: inputs missing and not forced.
    pub blocked: bool,
    /// Sent now (or attempted: see `error`).
    pub sent: Vec<crate::delivery::Delivery>,
    /// Recipients who already had this month's report.
    pub already_delivered: Vec<String>,
}

impl DeliveryOutcome {
    /// One line for the logs and `csat status`.
    pub fn one_line(&self) -> String {
        if self.blocked {
            return format!(
                "report {} not sent: {}",
                self.month,
                self.readiness.describe()
            );
        }
        let failed = self.sent.iter().filter(|d| d.error.is_some()).count();
        format!(
            "report {} sent to {} recipient(s){}{}",
            self.month,
            self.sent.len() - failed,
            if failed > 0 {
                format!(", {failed} failed (retried next run)")
            } else {
                String::new()
            },
            if self.already_delivered.is_empty() {
                String::new()
            } else {
                format!(", {} already had it", self.already_delivered.len())
            }
        )
    }
}

/// The readiness of `month`: expected sources present, nothing waiting in
/// the inbox, no rejected file left in `rejected/`.
///
/// # Errors
/// A query or reading a folder fails.
pub fn readiness(
    config: &Config,
    data_dir: &DataDir,
    store: &Store,
    month: &str,
) -> Result<crate::delivery::Readiness, PipelineError> {
    let present: Vec<String> = store
        .query(
            "sources_in_month",
            analysis::sql("sources_in_month"),
            &[crate::store::Param::Text(month.to_string())],
        )?
        .iter()
        .filter_map(|r| r[0].as_text())
        .collect();
    let missing_sources = config
        .delivery
        .expected_sources
        .iter()
        .filter(|wanted| {
            !wanted
                .split('|')
                .any(|s| present.iter().any(|p| p == s.trim()))
        })
        .cloned()
        .collect();
    let list = |dir: PathBuf| -> Result<Vec<String>, PipelineError> {
        let mut names = Vec::new();
        if dir.exists() {
            for entry in
                std::fs::read_dir(&dir).map_err(io_context(format!("reading {}", dir.display())))?
            {
                let entry = entry.map_err(io_context(format!("reading {}", dir.display())))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                // Never followed: a link counts as the file it is.
                let is_file = entry
                    .file_type()
                    .map(|t| t.is_file() || t.is_symlink())
                    .unwrap_or(false);
                if is_file && !inbox::is_ignored_name(&name) && !inbox::is_note_name(&name) {
                    names.push(name);
                }
            }
        }
        names.sort();
        Ok(names)
    };
    Ok(crate::delivery::Readiness {
        missing_sources,
        waiting_files: list(data_dir.inbox())?,
        // Files quarantined since the month began are pending fixes; older
        // ones are history and must not hold every later report back.
        rejected_files: list(data_dir.rejected())?
            .into_iter()
            .filter(|name| {
                let since = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
                    .ok()
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map(|d| d.and_utc());
                // The sidecar is written when the file is quarantined (the
                // file itself keeps the time it was made).
                let sidecar = data_dir.rejected().join(format!("{name}.reasons.txt"));
                let modified = fs::metadata(&sidecar)
                    .or_else(|_| fs::metadata(data_dir.rejected().join(name)))
                    .and_then(|m| m.modified())
                    .ok()
                    .map(chrono::DateTime::<chrono::Utc>::from);
                match (since, modified) {
                    (Some(since), Some(modified)) => modified >= since,
                    _ => true,
                }
            })
            .collect(),
    })
}

/// Writes `month`'s workbook and e-mails it: the whole to the configured
/// executives, each department with an `email` its slice. Held back while
/// the readiness check finds inputs missing, unless `force`; a recipient
/// who already had the month's report gets it again only with `resend`.
/// Every attempt is recorded; `now` is its time.
///
/// # Errors
/// A query, the rendering or a write fails (a refused e-mail is recorded
/// and reported, not an error).
pub fn deliver(
    config: &Config,
    data_dir: &DataDir,
    store: &mut Store,
    month: &str,
    now: chrono::NaiveDateTime,
    force: bool,
    resend: bool,
) -> Result<DeliveryOutcome, PipelineError> {
    let _span = info_span!("deliver", month = %month).entered();
    let outcome = report(config, data_dir, store, month)?;
    let readiness = readiness(config, data_dir, store, month)?;
    let mut result = DeliveryOutcome {
        month: month.to_string(),
        blocked: !readiness.is_ready() && !force,
        readiness,
        sent: Vec::new(),
        already_delivered: Vec::new(),
    };
    if result.blocked {
        info!(missing = %result.readiness.describe(), "report held back");
        return Ok(result);
    }
    let Some(smtp) = config.alerts.smtp.as_ref() else {
        info!("no [alerts.smtp] configured: the report is written, not e-mailed");
        return Ok(result);
    };
    let bytes = std::fs::read(&outcome.path)
        .map_err(io_context(format!("reading {}", outcome.path.display())))?;
    let file_name = outcome
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let subject = format!("{} 客户满意度月报 {}", config.company.name, month);
    let body = report::narrative(&SummaryContext::new(&outcome.results))?;
    let mut parcels: Vec<(String, Option<String>, String, Vec<u8>, String)> = config
        .delivery
        .recipients
        .iter()
        .map(|r| {
            (
                "full".to_string(),
                None,
                r.clone(),
                bytes.clone(),
                file_name.clone(),
            )
        })
        .collect();
    if config.delivery.department_slices {
        for department in &config.departments {
            let Some(email) = &department.email else {
                continue;
            };
            let slice = outcome
                .results
                .department_slice(&department.key, &department.name);
            parcels.push((
                "department".to_string(),
                Some(department.key.clone()),
                email.clone(),
                report::render_workbook(&slice, config.report.lang)?,
                format!("csat-report-{month}-{}.xlsx", department.key),
            ));
        }
    }
    // A mail server that does not answer costs one timeout, not one per
    // recipient: the rest are recorded as failed and retried with the job.
    let limits = crate::alerts::NetLimits::of(&config.alerts);
    let mut unreachable: Option<String> = None;
    for (kind, department, recipient, attachment, name) in parcels {
        let already = store.query(
            "delivered",
            "SELECT count(*) FROM deliveries WHERE month = $1 AND recipient = $2 AND kind = $3 \
             AND coalesce(department, '') = $4 AND ok",
            &[
                crate::store::Param::Text(month.to_string()),
                crate::store::Param::Text(recipient.clone()),
                crate::store::Param::Text(kind.clone()),
                crate::store::Param::Text(department.clone().unwrap_or_default()),
            ],
        )?;
        if !resend && already.first().and_then(|r| r[0].as_i64()).unwrap_or(0) > 0 {
            result.already_delivered.push(recipient);
            continue;
        }
        let sha256 = crate::inbox::content_hash(&attachment);
        let error = match unreachable.clone() {
            Some(error) => Some(format!("not tried after an earlier failure: {error}")),
            None => crate::delivery::send_report(
                smtp, &recipient, &subject, &body, &name, attachment, limits,
            )
            .err()
            .map(|e| {
                if e.unreachable {
                    unreachable = Some(e.message.clone());
                }
                e.message
            }),
        };
        if let Some(e) = &error {
            warn!(error = %report::mask::mask_personal(e), "report e-mail not delivered");
        }
        let delivery = crate::delivery::Delivery {
            month: month.to_string(),
            kind,
            department,
            recipient,
            file_name: name,
            sha256,
            sent_at: now,
            error,
            forced: force && !result.readiness.is_ready(),
        };
        store.record_delivery(&delivery)?;
        result.sent.push(delivery);
    }
    info!(line = %result.one_line(), "delivery");
    Ok(result)
}

/// What `regrade` did.
#[derive(Debug, Clone)]
pub struct RegradeOutcome {
    /// The grading.
    pub grading: crate::analysis::grading::Grading,
    /// Its run id in the history.
    pub run_id: i64,
    /// Where its workbook is.
    pub path: PathBuf,
}

/// Grades every customer as of `as_of`, records the run (rules, results,
/// criterion points) in the history and writes the grading workbook to
/// `reports/grading/`.
///
/// # Errors
/// A query, the rendering or the write fails.
pub fn regrade(
    config: &Config,
    data_dir: &DataDir,
    store: &mut Store,
    as_of: NaiveDate,
) -> Result<RegradeOutcome, PipelineError> {
    let _span = info_span!("regrade", as_of = %as_of).entered();
    let grading = analysis::grading::grade(store, config, as_of)?;
    let rules = serde_json::to_string(&config.grading).unwrap_or_default();
    let run_id = store.record_grading(&grading.to_record(), &rules)?;
    let bytes = report::render_grading_workbook(&grading, &config.grading)?;
    let path = delivery::grading_path(&data_dir.reports(), as_of);
    delivery::write_atomically(&path, &bytes)
        .map_err(io_context(format!("writing {}", path.display())))?;
    info!(path = %path.display(), customers = grading.customers.len(), run_id, "grading written");
    Ok(RegradeOutcome {
        grading,
        run_id,
        path,
    })
}

/// `now` as local wall time, for records (the CLI passes the clock in).
pub fn local_time(now: SystemTime) -> chrono::NaiveDateTime {
    chrono::DateTime::<chrono::Local>::from(now).naive_local()
}

/// One line about an alert run.
pub fn alerts_line(run: &crate::alerts::AlertRun) -> String {
    let mut line = format!(
        "alerts: {} raised, {} deliveries",
        run.raised.len(),
        run.delivered
    );
    if run.digests > 0 {
        line.push_str(&format!(" ({} as digests)", run.digests));
    }
    if !run.failed.is_empty() {
        line.push_str(&format!(
            ", {} failed (retried later): {}",
            run.failed.len(),
            run.failed.join("; ")
        ));
    }
    if run.waiting > 0 {
        line.push_str(&format!(", {} waiting to be retried", run.waiting));
    }
    if !run.given_up.is_empty() {
        line.push_str(&format!(", given up: {}", run.given_up.join("; ")));
    }
    line
}

/// How a job run ended.
#[derive(Debug, Clone, Serialize)]
pub struct JobOutcome {
    /// `ok`, `partial` or `failed`.
    pub outcome: &'static str,
    /// One line for `csat status`.
    pub message: String,
}

/// Runs one job as of `today`: `ingest`; `monthly_report` (ingest, then the
/// workbook of the month before `today`); `regrade` (grading as of `today`).
pub fn run_job(
    job: &str,
    config: &Config,
    data_dir: &DataDir,
    today: NaiveDate,
    now: SystemTime,
) -> JobOutcome {
    let _span = info_span!("job", job = %job).entered();
    let result = (|| -> Result<JobOutcome, PipelineError> {
        let mut store = open_store(data_dir)?;
        match job {
            "ingest" => {
                // Alerts go out at once: in the same run as the files that
                // raise them.
                let summary = ingest(config, data_dir, &mut store, today, now)?;
                let alerts = crate::alerts::run(&mut store, config, today, local_time(now))?;
                Ok(JobOutcome {
                    outcome: if summary.is_partial() || !alerts.failed.is_empty() {
                        "partial"
                    } else {
                        "ok"
                    },
                    message: format!("{}; {}", summary.one_line(), alerts_line(&alerts)),
                })
            }
            "alerts" => {
                let alerts = crate::alerts::run(&mut store, config, today, local_time(now))?;
                Ok(JobOutcome {
                    outcome: if alerts.failed.is_empty() {
                        "ok"
                    } else {
                        "partial"
                    },
                    message: alerts_line(&alerts),
                })
            }
            "monthly_report" => {
                let summary = ingest(config, data_dir, &mut store, today, now)?;
                let month = analysis::previous_month(today);
                let delivery = deliver(
                    config,
                    data_dir,
                    &mut store,
                    &month,
                    local_time(now),
                    false,
                    false,
                )?;
                // Held back only matters when there is someone to send to.
                let held = delivery.blocked && !config.delivery.recipients.is_empty();
                let failed = held || delivery.sent.iter().any(|d| d.error.is_some());
                Ok(JobOutcome {
                    outcome: if failed {
                        "failed"
                    } else if summary.is_partial() {
                        "partial"
                    } else {
                        "ok"
                    },
                    message: format!("{}; {}", summary.one_line(), delivery.one_line()),
                })
            }
            "regrade" => {
                // Scheduled on several days (25–30 December) so downtime
                // cannot skip it; the first run of the month is the grading.
                let month = today.format("%Y-%m").to_string();
                let done = store.query(
                    "grading this month",
                    "SELECT strftime(max(as_of), '%Y-%m-%d') FROM grading_runs \
                     WHERE strftime(as_of, '%Y-%m') = $1",
                    &[crate::store::Param::Text(month)],
                )?;
                if let Some(on) = done.first().and_then(|r| r[0].as_text()) {
                    return Ok(JobOutcome {
                        outcome: "ok",
                        message: format!("customers already graded this month (as of {on})"),
                    });
                }
                let outcome = regrade(config, data_dir, &mut store, today)?;
                Ok(JobOutcome {
                    outcome: "ok",
                    message: format!(
                        "graded {} customers as of {today} (run {}); {}",
                        outcome.grading.customers.len(),
                        outcome.run_id,
                        outcome.path.display()
                    ),
                })
            }
            other => Ok(JobOutcome {
                outcome: "failed",
                message: format!("unknown job '{other}'"),
            }),
        }
    })();
    result.unwrap_or_else(|error| JobOutcome {
        outcome: "failed",
        message: error.to_string(),
    })
}

/// Records a job run in the store.
///
/// # Errors
/// The store cannot be opened or written.
pub fn record_job_run(
    data_dir: &DataDir,
    job: &str,
    scheduled_for: Option<chrono::NaiveDateTime>,
    started_at: chrono::NaiveDateTime,
    finished_at: chrono::NaiveDateTime,
    outcome: &JobOutcome,
) -> Result<(), PipelineError> {
    let store = open_store(data_dir)?;
    store.record_job_run(
        job,
        scheduled_for,
        started_at,
        finished_at,
        outcome.outcome,
        &outcome.message,
    )?;
    Ok(())
}

impl FileOutcome {
    /// The file's name.
    pub fn file(&self) -> &str {
        match self {
            FileOutcome::Loaded { file, .. }
            | FileOutcome::Duplicate { file, .. }
            | FileOutcome::Rejected { file, .. }
            | FileOutcome::Failed { file, .. } => file,
        }
    }
}

impl IngestSummary {
    /// Counts, in one line.
    pub fn one_line(&self) -> String {
        let mut loaded = 0;
        let mut duplicates = 0;
        let mut rejected = 0;
        let mut rows = 0;
        let mut answers = 0;
        let mut rejected_cells = 0;
        let mut failed = 0;
        for file in &self.files {
            match file {
                FileOutcome::Loaded {
                    rows_loaded,
                    answers_loaded,
                    rejected,
                    ..
                } => {
                    loaded += 1;
                    rows += rows_loaded;
                    answers += answers_loaded;
                    rejected_cells += rejected.len();
                }
                FileOutcome::Duplicate { .. } => duplicates += 1,
                FileOutcome::Rejected { .. } => rejected += 1,
                FileOutcome::Failed { .. } => failed += 1,
            }
        }
        format!(
            "{} files: {loaded} loaded ({rows} rows, {answers} answers, {rejected_cells} cells rejected), {duplicates} duplicates skipped, {rejected} rejected{}",
            self.files.len(),
            if failed > 0 {
                format!(", {failed} failed (tried again next run)")
            } else {
                String::new()
            }
        )
    }
}

/// One job's latest run.
#[derive(Debug, Clone, Serialize)]
pub struct LastRun {
    /// Job.
    pub job: String,
    /// The tick it ran for (UTC); empty for runs by hand (`csat run`).
    pub scheduled_for: String,
    /// Start (UTC).
    pub started_at: String,
    /// End.
    pub finished_at: String,
    /// `ok`, `partial`, `failed`.
    pub outcome: String,
    /// Its one-line message.
    pub message: String,
}

/// The latest run of every job.
///
/// # Errors
/// The store cannot be opened or read.
pub fn last_runs(data_dir: &DataDir) -> Result<Vec<LastRun>, PipelineError> {
    let store = open_store(data_dir)?;
    Ok(store
        .query(
            "last_runs",
            include_str!("../sql/status/last_runs.sql"),
            &[],
        )?
        .into_iter()
        .map(|row| LastRun {
            job: row[0].as_text().unwrap_or_default(),
            started_at: row[1].as_text().unwrap_or_default(),
            finished_at: row[2].as_text().unwrap_or_default(),
            outcome: row[3].as_text().unwrap_or_default(),
            message: row[4].as_text().unwrap_or_default(),
            scheduled_for: row[5].as_text().unwrap_or_default(),
        })
        .collect())
}
