//! Puts a rendered workbook where executives find it: written to a temporary
//! file in the target folder, flushed, then renamed, so no reader ever sees
//! half a workbook; and e-mails it (with the summary in the body) to the
//! configured executives, each department its own slice, once per month.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::mail::{self, NetLimits, SendError};

/// One e-mailed report, as recorded (a record type owned by the store,
/// which writes it).
pub use crate::store::Delivery;

/// Whether a month's inputs are complete enough to send its report.
#[derive(Debug, Clone, Default, serde::Serialize, PartialEq)]
pub struct Readiness {
    /// Expected sources without data for the month.
    pub missing_sources: Vec<String>,
    /// Files waiting in the inbox (not loaded yet).
    pub waiting_files: Vec<String>,
    /// Files in `rejected/` that nobody has dealt with.
    pub rejected_files: Vec<String>,
}

impl Readiness {
    /// Nothing is missing.
    pub fn is_ready(&self) -> bool {
        self.missing_sources.is_empty()
            && self.waiting_files.is_empty()
            && self.rejected_files.is_empty()
    }

    /// What is missing, in one line for the operator and the logs.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.missing_sources.is_empty() {
            parts.push(format!(
                "no data yet from {}",
                self.missing_sources.join(", ")
            ));
        }
        if !self.waiting_files.is_empty() {
            parts.push(format!(
                "files waiting in the inbox: {}",
                self.waiting_files.join(", ")
            ));
        }
        if !self.rejected_files.is_empty() {
            parts.push(format!(
                "rejected files to fix and drop again: {}",
                self.rejected_files.join(", ")
            ));
        }
        if parts.is_empty() {
            "ready".to_string()
        } else {
            parts.join("; ")
        }
    }
}

/// E-mails `attachment` (an xlsx named `file_name`) with `body` as text,
/// within `limits` (connecting and each reply within `limits.connect`, the
/// whole within `limits.total`).
///
/// # Errors
/// Bad addresses, the server refusing, or no answer within the limits.
pub fn send_report(
    smtp: &crate::config::SmtpSettings,
    recipient: &str,
    subject: &str,
    body: &str,
    file_name: &str,
    attachment: Vec<u8>,
    limits: NetLimits,
) -> Result<(), SendError> {
    let attachment = mail::Attachment {
        file_name: file_name.to_string(),
        content_type: mail::XLSX,
        bytes: attachment,
    };
    mail::send_email(
        smtp,
        &[recipient.to_string()],
        subject,
        body,
        Some(attachment),
        limits,
    )
}

/// The path of a month's workbook under `reports`.
pub fn report_path(reports: &Path, month: crate::month::Month) -> PathBuf {
    reports
        .join(month.to_string())
        .join(format!("csat-report-{month}.xlsx"))
}

/// The path of a grading's workbook under `reports`.
pub fn grading_path(reports: &Path, as_of: chrono::NaiveDate) -> PathBuf {
    reports
        .join("grading")
        .join(format!("csat-grading-{as_of}.xlsx"))
}

/// Writes `bytes` to `path` atomically (temp file + rename in the same folder).
///
/// # Errors
/// The folder cannot be created or the write or rename fails.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes)?;
    file.commit()
}

/// A file written under a hidden temporary name in its folder (owner-only)
/// and renamed to its real name by [`AtomicFile::commit`]: readers never see
/// half of it, and one never committed leaves only the hidden name, which
/// the next write of the same file replaces.
pub struct AtomicFile {
    file: fs::File,
    temp: PathBuf,
    path: PathBuf,
}

impl AtomicFile {
    /// Creates the folder (owner-only) and the temporary file.
    ///
    /// # Errors
    /// The folder or the file cannot be created.
    pub fn create(path: &Path) -> io::Result<AtomicFile> {
        let dir = path.parent().unwrap_or_else(|| Path::new("."));
        fs::create_dir_all(dir)?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        crate::inbox::owner_only(dir)?;
        // A temp file left by a crash is overwritten here; readers never see it
        // (hidden name) and never see a half-written workbook under the real one.
        let temp = dir.join(format!(".{file_name}.tmp"));
        // Never write through a link someone planted under the temp name.
        if fs::symlink_metadata(&temp).is_ok() {
            fs::remove_file(&temp)?;
        }
        // Created new (never through a link planted in between), owner-only
        // from the first byte.
        let file = {
            use std::os::unix::fs::OpenOptionsExt;
            fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .custom_flags(libc::O_NOFOLLOW)
                .open(&temp)?
        };
        crate::inbox::owner_only(&temp)?;
        Ok(AtomicFile {
            file,
            temp,
            path: path.to_path_buf(),
        })
    }

    /// Flushes the file to disk and gives it its real name.
    ///
    /// # Errors
    /// The sync or the rename fails.
    pub fn commit(self) -> io::Result<()> {
        self.file.sync_all()?;
        fs::rename(&self.temp, &self.path)
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = report_path(
            dir.path(),
            crate::month::Month::new(2026, 10).expect("a month"),
        );
        write_atomically(&path, b"one").unwrap();
        write_atomically(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["csat-report-2026-10.xlsx".to_string()]);
    }
}
