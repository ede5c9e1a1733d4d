//! The ingest loop: every ready inbox file once, each parsed in isolation,
//! stored in one transaction and moved to `archive/` (or quarantined in
//! `rejected/` with its reasons, and a suggested `[[sources]]` entry when
//! one loads it). One bad file never stops the run.

use std::fs;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use chrono::NaiveDate;
use serde::Serialize;
use tracing::{debug, info, info_span, warn};

use super::{io_context, PipelineError};
use crate::config::{Config, Reexport};
use crate::inbox::{self, DataDir};
use crate::ingest::{self, RejectedCell};
use crate::report;
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
        /// Cells or rows refused (the first
        /// [`REJECTED_KEPT`](ingest::REJECTED_KEPT); all are stored).
        rejected: Vec<RejectedCell>,
        /// How many cells or rows were refused.
        n_rejected: usize,
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

/// The appending side stopped (it failed): the parser stops at its next
/// chunk.
struct AppendStopped;

/// A file's transaction, begun when its source is known (at its first
/// chunk, or at the end of a file that fits in one), once every file before
/// it in the pass that loads beside it has begun its own and is of another
/// source, or is done: a re-export then sees, and supersedes, the export
/// before it, and file ids (which "the latest file" and tie orders use) come
/// in name order, as when the files are loaded one after the other.
struct Load<'s> {
    /// The store, until the transaction begins.
    store: Option<&'s mut Store>,
    /// The transaction.
    load: Option<crate::store::FileLoad<'s>>,
}

impl<'s> Load<'s> {
    fn new(store: &'s mut Store) -> Load<'s> {
        Load {
            store: Some(store),
            load: None,
        }
    }

    /// The file's transaction, begun first if need be.
    fn begun(
        &mut self,
        file_name: &str,
        source: &str,
        order: &LoadSlot<'_>,
    ) -> Result<&mut crate::store::FileLoad<'s>, crate::store::StoreError> {
        if let Some(store) = self.store.take() {
            order.source_known(source);
            let load = store.begin_file(file_name);
            // (Failed, the file is done soon: later files go on either way.)
            order.began();
            self.load = Some(load?);
        }
        self.load
            .as_mut()
            .ok_or_else(|| crate::store::StoreError::Shape {
                query: format!("storing {file_name}"),
                message: "its transaction could not be begun".to_string(),
            })
    }

    /// The file's transaction, begun first if need be, to finish it.
    fn into_begun(
        mut self,
        file_name: &str,
        source: &str,
        order: &LoadSlot<'_>,
    ) -> Result<crate::store::FileLoad<'s>, crate::store::StoreError> {
        self.begun(file_name, source, order)?;
        self.load
            .take()
            .ok_or_else(|| crate::store::StoreError::Shape {
                query: format!("storing {file_name}"),
                message: "its transaction could not be begun".to_string(),
            })
    }
}

/// What parsing a file gave: its result (or the parser's panic), and its
/// transaction holding the chunks appended so far.
type ParseResult<'s> = (
    std::thread::Result<Result<ingest::ParsedFile, ingest::IngestError>>,
    Load<'s>,
);

/// Runs `parse` on a thread of its own while this one appends the chunks
/// it hands over to the file's transaction (begun at the first chunk, see
/// [`Load`]): parsing and DuckDB's appends overlap on two cores. One chunk
/// waits at most, so memory stays bounded as before. Returns the first
/// append failure (the parser is then stopped at its next chunk), else what
/// `parse` returned, or a panic of either side, as `catch_unwind` would,
/// with the transaction. The parser's thread is enlisted in `armed`.
fn parse_and_append<'s>(
    store: &'s mut Store,
    file_name: &str,
    order: &LoadSlot<'_>,
    armed: &crate::crash_guard::Armed,
    parse: impl FnOnce(
            &mut dyn FnMut(&mut ingest::ParsedFile) -> Result<(), AppendStopped>,
        ) -> Result<Result<ingest::ParsedFile, ingest::IngestError>, AppendStopped>
        + Send,
) -> Result<ParseResult<'s>, FileFailure> {
    let span = tracing::Span::current();
    let mut load = Load::new(store);
    let parsed = std::thread::scope(|scope| -> Result<_, FileFailure> {
        // A rendezvous: the parser fills the next chunk while this thread
        // appends one, and waits to hand it over (no third chunk queued).
        let (sender, chunks) = std::sync::mpsc::sync_channel::<ingest::ParsedFile>(0);
        // Appended chunks go back to the parser, which empties them and
        // fills them again: their rows are freed by the thread that
        // allocated them (across threads, glibc's allocator contends and
        // spent a third of the appending thread's time), and their
        // vectors' room is reused.
        let (recycle, recycled) = std::sync::mpsc::sync_channel::<ingest::ParsedFile>(1);
        // No thread to be had (the system's limit): the file is not
        // processed this pass and is read again at the next, not set aside.
        let parser = std::thread::Builder::new()
            .name("csat-parse".into())
            .spawn_scoped(scope, move || {
                let _entered = span.enter();
                armed.enlist();
                let mut hand_over = |parsed: &mut ingest::ParsedFile| {
                    let chunk = parsed.take_rows();
                    if let Ok(mut empty) = recycled.try_recv() {
                        empty.responses.clear();
                        empty.answers.clear();
                        empty.records.clear();
                        empty.record_rows.clear();
                        parsed.responses = empty.responses;
                        parsed.answers = empty.answers;
                        parsed.records = empty.records;
                        parsed.record_rows = empty.record_rows;
                    }
                    sender.send(chunk).map_err(|_| AppendStopped)
                };
                parse(&mut hand_over)
            })
            .map_err(file_io("starting a thread to read it"))?;
        let mut appended = Ok(());
        let mut append_panic = None;
        for chunk in chunks.iter() {
            let append = || load.begun(file_name, &chunk.source, order)?.append(&chunk);
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(append)) {
                Ok(Ok(())) => {
                    // Full (the parser has not taken the last one back
                    // yet), it is dropped here.
                    let _ = recycle.try_send(chunk);
                    continue;
                }
                Ok(Err(error)) => appended = Err(error),
                Err(panic) => append_panic = Some(panic),
            }
            break;
        }
        // Gone, the parser's next hand-over fails and it stops.
        drop(chunks);
        let parsed = parser.join();
        appended?;
        if let Some(panic) = append_panic {
            return Ok(Err(panic));
        }
        Ok(match parsed {
            Ok(Ok(parsed)) => Ok(parsed),
            // The chunks are read until the parser ends unless appending
            // failed, so this does not happen; an internal error if it does.
            Ok(Err(AppendStopped)) => Err(Box::new(
                "the file's reader stopped before its end".to_string(),
            ) as Box<dyn std::any::Any + Send>),
            Err(panic) => Err(panic),
        })
    })?;
    Ok((parsed, load))
}

/// Files loaded at once, each with its own transaction on its own
/// connection: one file's reader and the other's appends keep two cores
/// busy (the 2M-answer bench month's survey workbook and call-centre CSV
/// took 3.9–4.5 s one after the other; two processes loading one each,
/// 2.7 s).
const PARALLEL_LOADS: usize = crate::crash_guard::SLOTS;

/// The files of one pass being loaded at once, by their place in the
/// pass: what is known of each so far.
#[derive(Debug, Default)]
struct LoadOrder {
    loading: std::sync::Mutex<Vec<InFlight>>,
    changed: std::sync::Condvar,
}

/// A file being loaded.
#[derive(Debug)]
struct InFlight {
    /// Its place in the pass (name order).
    index: usize,
    /// Its bytes' SHA-256, once read.
    sha256: Option<String>,
    /// Its source, once its header is read.
    source: Option<String>,
    /// Whether its transaction (and file id) is taken.
    began: bool,
}

/// One file's place in a [`LoadOrder`]; leaves it when dropped.
struct LoadSlot<'a> {
    order: &'a LoadOrder,
    index: usize,
}

impl LoadOrder {
    /// Enters the file at `index` of the pass.
    fn start(&self, index: usize) -> LoadSlot<'_> {
        self.lock().push(InFlight {
            index,
            sha256: None,
            source: None,
            began: false,
        });
        LoadSlot { order: self, index }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<InFlight>> {
        // A worker that panicked holding the lock left the list whole.
        self.loading
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Notes what `index` now knows (`note`), then waits while a file
    /// before it is still loading and `blocks` it.
    fn note_and_wait(
        &self,
        index: usize,
        note: impl FnOnce(&mut InFlight),
        blocks: impl Fn(&InFlight, &InFlight) -> bool,
    ) {
        let mut loading = self.lock();
        if let Some(own) = loading.iter_mut().find(|f| f.index == index) {
            note(own);
        }
        self.changed.notify_all();
        loop {
            let Some(own) = loading.iter().find(|f| f.index == index) else {
                return;
            };
            if !loading.iter().any(|f| f.index < index && blocks(f, own)) {
                return;
            }
            loading = self
                .changed
                .wait(loading)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }
}

impl LoadSlot<'_> {
    /// The file's bytes are read: waits while an earlier file loading
    /// beside it may have the same bytes.
    fn hashed(&self, sha256: &str) {
        self.order.note_and_wait(
            self.index,
            |own| own.sha256 = Some(sha256.to_string()),
            |earlier, own| earlier.sha256.is_none() || earlier.sha256 == own.sha256,
        );
    }

    /// The file's source is known: waits while an earlier file loading
    /// beside it has not begun its transaction or is of the same source.
    fn source_known(&self, source: &str) {
        self.order.note_and_wait(
            self.index,
            |own| own.source = Some(source.to_string()),
            |earlier, own| !earlier.began || earlier.source == own.source,
        );
    }

    /// The file's transaction is begun (its file id taken).
    fn began(&self) {
        self.order
            .note_and_wait(self.index, |own| own.began = true, |_, _| false);
    }
}

impl Drop for LoadSlot<'_> {
    fn drop(&mut self) {
        self.order.lock().retain(|f| f.index != self.index);
        self.order.changed.notify_all();
    }
}

/// What became of one file of the pass.
type Loaded = Result<Option<FileOutcome>, FileFailure>;

/// Loads `files` in name order, [`PARALLEL_LOADS`] at once (each on a
/// connection of its own), calling `progress` as each starts; a file the
/// database refused while another loaded beside it is tried again alone.
/// Returns each file's result, in order.
fn load_files(
    config: &Config,
    data_dir: &DataDir,
    store: &mut Store,
    files: &[PathBuf],
    archive_dir: &std::path::Path,
    (today, now): (NaiveDate, SystemTime),
    progress: &dyn Fn(IngestProgress<'_>),
) -> Vec<Loaded> {
    let total = files.len();
    let order = LoadOrder::default();
    let load = |store: &mut Store, index: usize, path: &PathBuf| -> Loaded {
        let file_name = display_name(path);
        let _span = info_span!("ingest", file = %file_name).entered();
        let slot = order.start(index);
        ingest_file(
            config,
            data_dir,
            store,
            path,
            &file_name,
            archive_dir,
            today,
            now,
            &slot,
        )
    };
    // A second connection (none to be had: one file at a time).
    let mut others: Vec<Store> = (1..PARALLEL_LOADS.min(total))
        .map_while(|_| {
            store
                .try_clone()
                .inspect_err(|error| warn!(%error, "files are loaded one at a time"))
                .ok()
        })
        .collect();
    let mut results: Vec<Option<Loaded>> = (0..total).map(|_| None).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let parent = tracing::Span::current();
    let work = |store: &mut Store, events: std::sync::mpsc::Sender<(usize, Option<Loaded>)>| {
        let _entered = parent.enter();
        loop {
            let index = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let Some(path) = files.get(index) else {
                return;
            };
            let _ = events.send((index, None));
            let _ = events.send((index, Some(load(store, index, path))));
        }
    };
    let work = &work;
    std::thread::scope(|scope| {
        let (events, received) = std::sync::mpsc::channel::<(usize, Option<Loaded>)>();
        for store in std::iter::once(&mut *store).chain(others.iter_mut()) {
            let events = events.clone();
            scope.spawn(move || work(store, events));
        }
        drop(events);
        // Progress is told here, on the caller's thread.
        let mut done = 0;
        for (index, result) in received {
            match result {
                None => progress(IngestProgress {
                    done,
                    total,
                    file: Some(&display_name(&files[index])),
                }),
                Some(result) => {
                    done += 1;
                    results[index] = Some(result);
                }
            }
        }
    });
    let parallel = !others.is_empty();
    drop(others);
    results
        .into_iter()
        .zip(files)
        .enumerate()
        .map(|(index, (result, path))| match result {
            Some(Err(FileFailure::Store(error))) if parallel => {
                warn!(file = %display_name(path), %error, "the database refused it beside another file; tried again alone");
                load(store, index, path)
            }
            Some(result) => result,
            // Not reached: every file's worker sends its result (a panic in
            // a file's reading is caught; one elsewhere in a worker is
            // raised again by the scope, as it would be without workers).
            // Should it be, the file stays for the next pass.
            None => Err(FileFailure::Io {
                doing: "loading it".to_string(),
                error: std::io::Error::other("an internal error of csat stopped its loading"),
            }),
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::ingest::{FieldValue, ParsedFile};
    use crate::store::test_files::{meta, sale, sales_file_from};

    /// A sales file's rows: one per amount (`None`: a NULL where the table
    /// wants a number, which fails the append), numbered from `first_row`.
    fn sales(amounts: &[Option<f64>], first_row: usize) -> ParsedFile {
        let records = amounts
            .iter()
            .enumerate()
            .map(|(i, amount)| {
                sale(
                    &format!("C{}", first_row + i),
                    amount.map_or(FieldValue::Null, FieldValue::Float),
                    FieldValue::Int(1),
                )
            })
            .collect();
        sales_file_from(first_row, records)
    }

    fn n_sales(store: &Store) -> i64 {
        store
            .query("count", "SELECT count(*) AS n FROM sales", &[])
            .unwrap()[0]
            .i64("n")
            .unwrap()
    }

    /// The parser thread hands its chunks over while this thread appends
    /// them: every row arrives. When an append fails, the parser's next
    /// hand-over fails, so it stops long before its end, and the store's
    /// error is returned (the file's rows are rolled back with its
    /// transaction). A panic of the parser comes back as a panic, for the
    /// file's quarantine, not as an abort.
    #[test]
    fn appending_beside_the_parser_keeps_every_row_and_stops_it_on_failure() {
        let mut store = Store::open_in_memory().unwrap();
        let order = LoadOrder::default();
        let slot = order.start(0);
        let armed = crate::crash_guard::arm(&"0".repeat(64));
        let (parsed, load) = parse_and_append(&mut store, "good.csv", &slot, &armed, |flush| {
            for chunk in 0..5 {
                let mut parsed = sales(&[Some(1.0), Some(2.0)], 2 + chunk * 2);
                flush(&mut parsed)?;
                // The rows went with the chunk.
                assert!(parsed.records.is_empty());
            }
            Ok(Ok(sales(&[Some(3.0)], 12)))
        })
        .unwrap();
        let parsed = parsed.unwrap().unwrap();
        load.into_begun("good.csv", &parsed.source, &slot)
            .unwrap()
            .finish(&meta("good"), &parsed)
            .unwrap();
        assert_eq!(n_sales(&store), 11);

        let handed_over = AtomicUsize::new(0);
        let stopped = AtomicUsize::new(0);
        let result = parse_and_append(&mut store, "bad.csv", &slot, &armed, |flush| {
            for chunk in 0..1000 {
                let amount = (chunk != 1).then_some(1.0);
                let mut parsed = sales(&[amount], 100 + chunk);
                if flush(&mut parsed).is_err() {
                    stopped.fetch_add(1, Ordering::SeqCst);
                    return Err(AppendStopped);
                }
                handed_over.fetch_add(1, Ordering::SeqCst);
            }
            Ok(Ok(sales(&[], 0)))
        });
        assert!(
            matches!(result, Err(FileFailure::Store(_))),
            "the failed append is returned as the store's error"
        );
        drop(result);
        assert_eq!(stopped.load(Ordering::SeqCst), 1);
        // Chunk 1 failed; at most one more waited in the channel and one
        // more was being handed over when the appending side went away.
        assert!(handed_over.load(Ordering::SeqCst) <= 4, "{handed_over:?}");
        assert_eq!(n_sales(&store), 11);

        let (result, load) = parse_and_append(&mut store, "panics.csv", &slot, &armed, |flush| {
            flush(&mut sales(&[Some(1.0)], 2))?;
            panic!("a reader bug");
        })
        .unwrap();
        let panic = result.unwrap_err();
        assert_eq!(panic_message(&*panic), "a reader bug");
        drop(load);
        assert_eq!(n_sales(&store), 11);
    }

    /// A file waits, before its transaction, while an earlier file loading
    /// beside it has not begun its own or has the same source, and only
    /// then; the earlier file never waits for it.
    #[test]
    fn a_later_file_waits_only_for_an_earlier_one_of_its_source() {
        use std::sync::mpsc::channel;
        use std::time::Duration;

        let order = LoadOrder::default();
        // `steps` release the earlier file; the later one waits until the
        // last of them.
        let later_waits_for = |later_index: usize, steps: Vec<Box<dyn FnOnce() + '_>>| {
            std::thread::scope(|scope| {
                let (went_on, gone_on) = channel();
                let order = &order;
                scope.spawn(move || {
                    let later = order.start(later_index);
                    later.source_known("survey");
                    went_on.send(()).unwrap();
                });
                for step in steps {
                    assert!(gone_on.recv_timeout(Duration::from_millis(200)).is_err());
                    step();
                }
                gone_on.recv_timeout(Duration::from_secs(30)).unwrap();
            });
        };
        // Another source: it goes on once the earlier file has begun.
        let earlier = order.start(0);
        later_waits_for(
            1,
            vec![
                Box::new(|| earlier.source_known("callbacks")),
                Box::new(|| earlier.began()),
            ],
        );
        drop(earlier);
        // The same source: it goes on when the earlier file is done.
        let earlier = order.start(2);
        earlier.source_known("survey");
        earlier.began();
        let earlier = std::cell::Cell::new(Some(earlier));
        later_waits_for(3, vec![Box::new(|| drop(earlier.take()))]);
        // The earlier file never waits for a later one.
        let later = order.start(5);
        later.source_known("survey");
        let earlier = order.start(4);
        earlier.source_known("survey");
        earlier.hashed("same");
        drop((earlier, later));
        assert!(order.lock().is_empty());
    }
}
