//! The data directory's folders and the file moves around ingest: which inbox
//! files are ready, their content hash, and archiving or quarantining them
//! once the store has (or has not) taken them.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

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
        for dir in [
            self.inbox(),
            self.archive(),
            self.rejected(),
            self.reports(),
        ] {
            fs::create_dir_all(dir)?;
        }
        Ok(())
    }
}

/// True for names that are still being written or are editor leftovers:
/// hidden files, Office lock files (`~$…`) and temporary suffixes.
pub fn is_temporary_name(name: &str) -> bool {
    let lower = name.to_lowercase();
    name.starts_with('.')
        || name.starts_with("~$")
        || [".tmp", ".part", ".crdownload", ".partial", ".swp"]
            .iter()
            .any(|suffix| lower.ends_with(suffix))
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
        let entry = entry?;
        let file_type = entry.file_type()?;
        if file_type.is_symlink() {
            scan.links.push(entry.path());
            continue;
        }
        if !file_type.is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_temporary_name(&name) {
            continue;
        }
        let modified = entry.metadata()?.modified()?;
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
    Ok(scan)
}

/// Makes `path` readable and writable by its owner only (reports and the
/// database hold customers' evaluations: 保密).
///
/// # Errors
/// The permissions cannot be set.
pub fn owner_only(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if path.is_dir() { 0o700 } else { 0o600 };
        fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Paths under the data directory that every user of the server can read
/// (for `csat check`): the directory itself, the database, reports.
pub fn world_readable(paths: &[PathBuf]) -> Vec<(PathBuf, u32)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        paths
            .iter()
            .filter_map(|p| {
                let mode = fs::metadata(p).ok()?.permissions().mode() & 0o777;
                (mode & 0o004 != 0).then(|| (p.clone(), mode))
            })
            .collect()
    }
    #[cfg(not(unix))]
    {
        let _ = paths;
        Vec::new()
    }
}

/// SHA-256 of `bytes`, lower-case hex.
pub fn content_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of a file's content as lowercase hex, read in blocks (the same
/// as [`content_hash`] of its bytes, without holding them).
///
/// # Errors
/// The file cannot be read.
pub fn content_hash_file(path: &Path) -> std::io::Result<String> {
    use sha2::Digest;
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Moves `file` into `dir`, keeping its name unless taken, in which case the
/// first 8 hex digits of its hash are added before the extension.
///
/// # Errors
/// The move fails.
pub fn move_into(file: &Path, dir: &Path, sha256: &str) -> io::Result<PathBuf> {
    fs::create_dir_all(dir)?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut target = dir.join(&name);
    if target.exists() {
        let (stem, extension) = match name.rsplit_once('.') {
            Some((stem, extension)) => (stem.to_string(), format!(".{extension}")),
            None => (name.clone(), String::new()),
        };
        target = dir.join(format!("{stem}.{}{extension}", &sha256[..8]));
    }
    fs::rename(file, &target)?;
    Ok(target)
}

/// Moves a file to quarantine with a sidecar listing the reasons.
///
/// # Errors
/// The move or the sidecar write fails.
pub fn quarantine(
    file: &Path,
    rejected_dir: &Path,
    sha256: &str,
    reasons: &[String],
) -> io::Result<PathBuf> {
    let target = move_into(file, rejected_dir, sha256)?;
    let mut sidecar = target.clone().into_os_string();
    sidecar.push(".reasons.txt");
    let mut text = String::new();
    for reason in reasons {
        text.push_str(reason);
        text.push('\n');
    }
    fs::write(PathBuf::from(sidecar), text)?;
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_are_skipped() {
        assert!(is_temporary_name("~$survey.xlsx"));
        assert!(is_temporary_name("survey.xlsx.part"));
        assert!(is_temporary_name(".hidden.csv"));
        assert!(!is_temporary_name("问卷星_2026-10.xlsx"));
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
