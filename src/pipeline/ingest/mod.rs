//! The ingest loop: every ready inbox file once, each parsed in isolation,
//! stored in one transaction and moved to `archive/` (or quarantined in
//! `rejected/` with its reasons, and a suggested `[[sources]]` entry when
//! one loads it). One bad file never stops the run.

use std::fs;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use chrono::NaiveDate;
use tracing::{debug, info, warn};

use super::{io_context, PipelineError};
use crate::config::{Config, Reexport};
use crate::inbox::{self, DataDir};
use crate::ingest;
use crate::report;
use crate::store::{FileMeta, Store};

mod append;
mod outcome;
mod parallel;

use append::parse_and_append;
pub use outcome::{FileOutcome, IngestSummary};
use parallel::{load_files, LoadSlot, PARALLEL_LOADS};

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
    for sha256 in crate::crash_guard::take_note(data_dir.root()) {
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
    store.loading_files(Some(PARALLEL_LOADS.min(total)))?;
    LOADING_FILES.store(true, std::sync::atomic::Ordering::Relaxed);
    let outcomes = load_files(
        config,
        data_dir,
        store,
        &files,
        &archive_dir,
        (today, now),
        progress,
    );
    for (path, outcome) in files.iter().zip(outcomes) {
        let file_name = display_name(path);
        match outcome {
            Ok(Some(outcome)) => summary.files.push(outcome),
            Ok(None) => summary.settling.push(file_name),
            Err(FileFailure::Store(error)) => {
                warn!(file = %file_name, error = %report::mask::mask_personal(&error.to_string()), "not processed");
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
    LOADING_FILES.store(false, std::sync::atomic::Ordering::Relaxed);
    store.loading_files(None)?;
    let loaded = summary
        .files
        .iter()
        .any(|f| matches!(f, FileOutcome::Loaded { .. }));
    if loaded {
        // What the pass stored is checkpointed before what follows reads it
        // (the report of a scheduled job reads through this connection). The
        // files are committed already: a failed checkpoint loses nothing
        // (DuckDB checkpoints again later), so the pass goes on.
        let started = std::time::Instant::now();
        if let Err(error) = store.checkpoint() {
            warn!(error = %error, "the database could not be checkpointed after loading; it will be later");
        }
        tracing::debug!(
            ms = started.elapsed().as_millis() as u64,
            "checkpointed after loading"
        );
    }
    progress(IngestProgress {
        done: total,
        total,
        file: None,
    });
    Ok(summary)
}

/// Set while an ingest pass loads its files (read by the binary's
/// allocator, which then hands Rust's allocations to a per-thread one).
static LOADING_FILES: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether an ingest pass is loading its files.
pub fn loading_files() -> bool {
    LOADING_FILES.load(std::sync::atomic::Ordering::Relaxed)
}

/// Text files up to this size are read whole; larger ones are parsed from
/// disk as they are read.
const TEXT_IN_MEMORY_BYTES: u64 = 1024 * 1024;

/// Answers parsed before they are appended to the store (an Arrow batch).
/// With the parser on its own thread up to four chunks are out at once (one
/// being parsed, one waiting, one being appended, one coming back). 32,768
/// took a 10M-answer month's CSV ingest from 284 to 265 MB peak, as fast,
/// but the month then stored failed its report (the group scores ran out of
/// DuckDB's 192 MB in three runs of three, where the same month stored in
/// chunks of 65,536 passed in four of four). Migration V20 has since bounded
/// the group scores' memory and files now load within two thirds of the cap
/// (`Store::loading_files`: that CSV 254 MB at 65,536); 32,768 is not
/// re-measured since, so 65,536.
const STREAM_CHUNK_ANSWERS: usize = 65_536;

/// How many interrupted readings of one file (the process killed while
/// reading it, not by the file: an operator, a shutdown, the OOM killer)
/// csat tolerates before it sets the file aside.
pub const MAX_INTERRUPTED_READS: i64 = 20;

/// Why one file could not be processed in this pass (the pass goes on).
#[derive(Debug)]
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
    order: &LoadSlot<'_>,
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
    // The same bytes loading beside it are stored (or not) first: this one
    // is then a duplicate, as when read after it.
    order.hashed(&sha256);
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
    let started = std::time::Instant::now();
    let armed = crate::crash_guard::arm(&sha256);
    let parsed = parse_and_append(store, &file_name, order, &armed, |flush| match disk {
        Some((file, read)) => ingest::parse_text_file_with(
            config,
            &file_name,
            file,
            read,
            Some(today),
            STREAM_CHUNK_ANSWERS,
            flush,
        ),
        None => ingest::parse_file_with(
            config,
            &file_name,
            &bytes,
            Some(today),
            STREAM_CHUNK_ANSWERS,
            flush,
        ),
    });
    drop(armed);
    let (parsed, load) = parsed?;
    let parsed = match parsed {
        Ok(Ok(parsed)) => parsed,
        Ok(Err(error)) => {
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
            let message = panic_message(&*panic);
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
    let parsed_ms = started.elapsed().as_millis() as u64;
    let (_, replaced) = load
        .into_begun(&file_name, &parsed.source, order)?
        .finish(&meta, &parsed)?;
    debug!(
        parsed_ms,
        stored_ms = started.elapsed().as_millis() as u64 - parsed_ms,
        "parsed and appended, then stored"
    );
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
        rejected = parsed.n_rejected(),
        "loaded"
    );
    let n_rejected = parsed.n_rejected();
    let mut rejected = parsed.rejected;
    rejected.truncate(ingest::REJECTED_KEPT);
    Ok(Some(FileOutcome::Loaded {
        file: file_name,
        source: parsed.source,
        rows_loaded,
        answers_loaded,
        rejected,
        n_rejected,
        columns_not_loaded,
        unmapped_questions: parsed.unmapped_questions,
        replaced,
    }))
}

/// The text of a panic's payload.
pub(super) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default()
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
