//! The one code path used by the CLI, the scheduler and the end-to-end tests:
//! inbox → ingest → store → analysis → report → `reports/` → delivery.
//!
//! - [`ingest`](mod@ingest): the inbox loop, one file at a time;
//! - [`report`](mod@report): a month's workbook and its problem details;
//! - [`deliver`](mod@deliver): the readiness check and the e-mailed report;
//! - [`jobs`]: the jobs the scheduler (or `csat run`) runs, and their records.
//!
//! This module opens the store (with its key) and holds the data
//! directory's lock. Nothing here reads the clock: the run date is a
//! parameter. The scheduler sits on top of this module, never below it.

use std::fs;
use std::path::PathBuf;
use std::time::SystemTime;

use crate::config::Config;
use crate::inbox::{self, DataDir};
use crate::store::Store;

pub mod deliver;
pub mod ingest;
pub mod jobs;

pub mod report;

pub use deliver::{deliver, readiness, DeliveryOutcome};
pub use ingest::{
    ingest, ingest_with_progress, loading_files, FileOutcome, IngestProgress, IngestSummary,
    MAX_INTERRUPTED_READS,
};
pub use jobs::{
    last_runs, record_job_run, regrade, run_job, JobKind, JobOutcome, LastRun, RegradeOutcome,
    RunOutcome, UnknownJob,
};
pub use report::{report, ReportOutcome};

/// A pipeline failure that stops the run (file-level problems never do).
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// Rendering failed.
    #[error(transparent)]
    Render(#[from] crate::report::RenderError),
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

/// `now` as local wall time, for records (the CLI passes the clock in).
pub fn local_time(now: SystemTime) -> chrono::NaiveDateTime {
    chrono::DateTime::<chrono::Local>::from(now).naive_local()
}

/// The company's time zone (`[company] timezone`, checked when the
/// configuration is loaded), in which jobs see their dates.
pub fn company_timezone(config: &Config) -> chrono_tz::Tz {
    config.company.zone()
}
