//! The data directory's folders and the file moves around ingest: which inbox
//! files are ready, their content hash, and archiving or quarantining them
//! once the store has (or has not) taken them.
//!
//! `files`: owner-only permissions, content hashes, moves that never
//! overwrite, and files opened once, checked, without following links.

mod files;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

pub use files::*;

/// The layout of a data directory.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// A data directory rooted at `root` (not created until [`DataDir::create`]).
    pub fn new(root: impl Into<PathBuf>) -> DataDir {
        DataDir { root: root.into() }
    }

    /// The root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where quality teams drop files.
    pub fn inbox(&self) -> PathBuf {
        self.root.join("inbox")
    }

    /// Processed originals, by month of processing.
    pub fn archive(&self) -> PathBuf {
        self.root.join("archive")
    }

    /// Files that could not be loaded, each with a `.reasons.txt` sidecar.
    pub fn rejected(&self) -> PathBuf {
        self.root.join("rejected")
    }

    /// Monthly workbooks, `reports/<YYYY-MM>/`.
    pub fn reports(&self) -> PathBuf {
        self.root.join("reports")
    }

    /// The DuckDB database file.
    pub fn database(&self) -> PathBuf {
        self.root.join("csat.duckdb")
    }

    /// The configuration file, when the data directory has one.
    pub fn config_file(&self) -> PathBuf {
        self.root.join("csat.toml")
    }

    /// Creates the folders.
    ///
    /// # Errors
    /// A folder cannot be created.
    pub fn create(&self) -> io::Result<()> {
        // The inbox is the shared drop folder: created owner-only when csat
        // creates it, then left as the administrator sets it.
        create_private_dir(&self.inbox())?;
        // csat's own folders are owner-only whatever they were before.
        for dir in [self.archive(), self.rejected(), self.reports()] {
            create_private_dir(&dir)?;
            // A folder the operator moved elsewhere with a link is theirs.
            if !fs::symlink_metadata(&dir)?.file_type().is_symlink() {
                owner_only(&dir)?;
            }
        }
        Ok(())
    }
}

/// True for names that are not exports: files still being written, editor
/// and office lock files, and operating-system litter. They are never loaded,
/// never quarantined and never counted as waiting (readiness):
/// hidden files (`.x`, `.~lock.x.xlsx#`), Office owner files (`~$x.xlsx`),
/// partial downloads and copies (`.tmp`, `.part`, `.crdownload`, …), editor
/// backups (`x~`, `#x#`), `Thumbs.db`, `desktop.ini`, `.DS_Store`.
pub fn is_ignored_name(name: &str) -> bool {
    let lower = name.to_lowercase();
    name.starts_with('.')
        || name.starts_with("~$")
        || name.ends_with('~')
        || (name.starts_with('#') && name.ends_with('#'))
        || matches!(
            lower.as_str(),
            "thumbs.db" | "ehthumbs.db" | "desktop.ini" | "icon\r"
        )
        || [
            ".tmp",
            ".temp",
            ".part",
            ".crdownload",
            ".partial",
            ".download",
            ".swp",
            ".lock",
            ".lnk",
        ]
        .iter()
        .any(|suffix| lower.ends_with(suffix))
}

/// True for the notes csat writes beside a quarantined file
/// (`<name>.reasons.txt`, `<name>.suggested.toml`).
pub fn is_note_name(name: &str) -> bool {
    name.ends_with(".reasons.txt") || name.ends_with(".suggested.toml")
}

/// The inbox, split into files ready for ingest and files still settling.
#[derive(Debug, Clone, Default)]
pub struct InboxScan {
    /// Files unchanged for the settle time, sorted by name (runs are repeatable).
    pub ready: Vec<PathBuf>,
    /// Files modified within the settle time: probably still being copied.
    pub settling: Vec<PathBuf>,
    /// Symbolic links: never followed (they could point anywhere on the
    /// server), quarantined with a reason.
    pub links: Vec<PathBuf>,
    /// Pipes, sockets and devices: never opened (a pipe would block the
    /// read), quarantined with a reason.
    pub special: Vec<PathBuf>,
}

/// Lists the inbox. A file is ready when its modification time is at least
/// `settle` before `now` (the caller's clock), so a copy still being written
/// is left for the next run; temporary names are never taken.
///
/// # Errors
/// The inbox cannot be read.
pub fn scan(inbox: &Path, now: SystemTime, settle: Duration) -> io::Result<InboxScan> {
    let mut scan = InboxScan::default();
    if !inbox.exists() {
        return Ok(scan);
    }
    for entry in fs::read_dir(inbox)? {
        // An entry that vanishes or cannot be examined is left for the next
        // pass; it never stops this one.
        let Ok(entry) = entry else { continue };
        let Ok(file_type) = entry.file_type() else {
            continue;
        };
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_ignored_name(&name) || file_type.is_dir() {
            continue;
        }
        if file_type.is_symlink() {
            scan.links.push(entry.path());
            continue;
        }
        if !file_type.is_file() {
            scan.special.push(entry.path());
            continue;
        }
        let Ok(modified) = entry.metadata().and_then(|m| m.modified()) else {
            continue;
        };
        let settled = now
            .duration_since(modified)
            .map(|age| age >= settle)
            .unwrap_or(false);
        if settled {
            scan.ready.push(entry.path());
        } else {
            scan.settling.push(entry.path());
        }
    }
    scan.ready.sort();
    scan.settling.sort();
    scan.links.sort();
    scan.special.sort();
    Ok(scan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_lock_and_os_names_are_ignored() {
        for name in [
            "~$survey.xlsx",
            "survey.xlsx.part",
            ".hidden.csv",
            ".~lock.问卷.xlsx#",
            "Thumbs.db",
            "desktop.ini",
            "Desktop.INI",
            ".DS_Store",
            "survey.csv~",
            "#survey.csv#",
            "x.crdownload",
        ] {
            assert!(is_ignored_name(name), "{name}");
        }
        for name in ["问卷星_2026-10.xlsx", "thumbs.csv", "lock_2026-10.csv"] {
            assert!(!is_ignored_name(name), "{name}");
        }
    }

    #[test]
    fn files_still_changing_are_left_to_settle() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old.csv");
        let fresh = dir.path().join("fresh.csv");
        fs::write(&old, "a").unwrap();
        fs::write(&fresh, "b").unwrap();
        fs::write(dir.path().join("~$old.xlsx"), "lock").unwrap();
        let modified = fs::metadata(&fresh).unwrap().modified().unwrap();
        fs::File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(modified - Duration::from_secs(60))
            .unwrap();
        let scan = scan(
            dir.path(),
            modified + Duration::from_secs(5),
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(scan.ready, vec![old]);
        assert_eq!(scan.settling, vec![fresh]);
    }

    #[test]
    fn hash_is_sha256_hex() {
        assert_eq!(
            content_hash(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
