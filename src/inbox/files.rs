//! Files in and out of the data directory: owner-only permissions, content
//! hashes, moves that never overwrite, files opened once and checked (no
//! link followed), and quarantine with a note of the reasons.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

/// Makes `path` readable and writable by its owner only (reports and the
/// database hold customers' evaluations: 保密).
///
/// # Errors
/// The permissions cannot be set.
pub fn owner_only(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let metadata = fs::symlink_metadata(path)?;
        if metadata.file_type().is_symlink() {
            // chmod would change the link's target, wherever it points.
            return Err(io::Error::other(format!(
                "{} is a symbolic link; csat does not follow links in its data directory",
                path.display()
            )));
        }
        let mode = if metadata.is_dir() { 0o700 } else { 0o600 };
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

/// Creates `dir` and its missing parents owner-only (0700), whatever the
/// process's umask.
///
/// # Errors
/// A folder cannot be created.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Creates a new file owner-only (0600) and writes `bytes` into it. Never
/// follows or replaces anything already at `path` (a link planted there
/// included): the file is created exclusively.
///
/// # Errors
/// Something exists at `path`, or the write fails.
pub fn write_new_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut file = new_private_file(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Opens `path` as a new, exclusive, owner-only file (never through a link).
fn new_private_file(path: &Path) -> io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path)
}

/// True when something (a file, a folder, a link, even a dangling one) is
/// at `path`; links are not followed.
fn occupied(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// The longest file name most file systems accept, in bytes.
const MAX_NAME_BYTES: usize = 255;

/// `name` with `tag` added before its extension (`a.csv` → `a.<tag>.csv`),
/// shortened at a character boundary so the result fits a file name.
fn tagged_name(name: &str, tag: &str) -> String {
    let (stem, extension) = match name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() && extension.len() <= 16 => {
            (stem, format!(".{extension}"))
        }
        _ => (name, String::new()),
    };
    let tag = if tag.is_empty() {
        String::new()
    } else {
        format!(".{tag}")
    };
    // Room for the tag, the extension and a `.reasons.txt` note beside it.
    let room = MAX_NAME_BYTES.saturating_sub(tag.len() + extension.len() + ".reasons.txt".len());
    let mut cut = stem.len().min(room);
    while !stem.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{tag}{extension}", &stem[..cut])
}

/// A free name for `name` in `dir`: the name itself (shortened if too long),
/// else with the first 8 hex digits of `sha256`, else with a counter.
fn free_target(dir: &Path, name: &str, sha256: &str) -> io::Result<PathBuf> {
    let short = sha256.get(..8).unwrap_or(sha256);
    let mut candidates = vec![tagged_name(name, ""), tagged_name(name, short)];
    candidates.extend((2..1000).map(|n| tagged_name(name, &format!("{short}-{n}"))));
    candidates
        .into_iter()
        .map(|candidate| dir.join(candidate))
        .find(|target| !occupied(target))
        .ok_or_else(|| io::Error::new(io::ErrorKind::AlreadyExists, "no free name"))
}

/// Moves `file` into `dir` (created owner-only), keeping its name unless
/// taken, in which case the first 8 hex digits of its hash are added before
/// the extension; names too long for the file system are shortened. The
/// moved file is owner-only: when csat cannot change the mode of the
/// original (another user's file on a shared inbox) or the folders are on
/// different devices (the inbox as its own mounted share), the file is
/// copied into a new owner-only file, flushed to disk, then the original
/// removed. Nothing is written through a link: a link is moved as a link.
///
/// # Errors
/// The move fails.
pub fn move_into(file: &Path, dir: &Path, sha256: &str) -> io::Result<PathBuf> {
    create_private_dir(dir)?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let target = free_target(dir, &name, sha256)?;
    if !fs::symlink_metadata(file)?.file_type().is_file() {
        // A link or a pipe is moved as it is, never followed or opened;
        // across devices it is removed (it holds no data of its own).
        return match fs::rename(file, &target) {
            Err(error) if error.raw_os_error() == Some(libc::EXDEV) => {
                fs::remove_file(file).map(|()| target)
            }
            other => other.map(|()| target),
        };
    }
    if restrict_in_place(file).is_ok() {
        match fs::rename(file, &target) {
            Ok(()) => return Ok(target),
            Err(error) if error.raw_os_error() == Some(libc::EXDEV) => {}
            Err(error) => return Err(error),
        }
    }
    copy_then_remove(file, &target)?;
    Ok(target)
}

/// Makes a regular file owner-only through a handle opened without
/// following links.
fn restrict_in_place(file: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let handle = fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(file)?;
        if !handle.metadata()?.is_file() {
            return Err(io::Error::other("not a regular file"));
        }
        handle.set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

/// Copies `file` into a new owner-only `target`, syncs it, removes `file`.
fn copy_then_remove(file: &Path, target: &Path) -> io::Result<()> {
    let mut source = open_no_follow(file)?;
    if !source.metadata()?.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    let mut copy = new_private_file(target)?;
    let copied = io::copy(&mut source, &mut copy).and_then(|_| copy.sync_all());
    if let Err(error) = copied {
        let _ = fs::remove_file(target);
        return Err(error);
    }
    fs::remove_file(file)
}

/// Opens `path` for reading without following a link and without blocking
/// (a FIFO planted in the inbox does not hang the read).
fn open_no_follow(path: &Path) -> io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    options.open(path)
}

/// An inbox file as read for ingest: checked and read through one handle.
#[derive(Debug)]
pub enum InboxFile {
    /// A settled regular file within the size limit, read whole.
    Read {
        /// The content.
        bytes: Vec<u8>,
        /// Its SHA-256.
        sha256: String,
    },
    /// Changed within the settle time: left for the next pass.
    Settling,
    /// Not to be read; the reason, for the `.reasons.txt` note.
    Refused(String),
}

/// An inbox file opened for ingest: checked through its one handle.
#[derive(Debug)]
pub enum InboxOpen {
    /// A settled regular file within the size limit, open for reading.
    Opened {
        /// The handle (opened without following links, non-blocking).
        file: fs::File,
        /// Its size when checked.
        len: u64,
    },
    /// Changed within the settle time: left for the next pass.
    Settling,
    /// Not to be read; the reason, for the `.reasons.txt` note.
    Refused(String),
}

/// Opens an inbox file once, without following links and without blocking,
/// and checks the open handle: a regular file, at most `max_bytes`,
/// unchanged for `settle` before `now`. A file swapped for a link, a FIFO
/// or a device after the scan is refused.
///
/// # Errors
/// The file cannot be opened (it vanished, permission denied).
pub fn open_checked(
    path: &Path,
    max_bytes: u64,
    now: SystemTime,
    settle: Duration,
) -> io::Result<InboxOpen> {
    let file = match open_no_follow(path) {
        Ok(file) => file,
        Err(error) if error.raw_os_error() == Some(libc::ELOOP) => {
            return Ok(InboxOpen::Refused(LINK_REASON.to_string()))
        }
        Err(error) => return Err(error),
    };
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Ok(InboxOpen::Refused(SPECIAL_REASON.to_string()));
    }
    let settled = now
        .duration_since(metadata.modified()?)
        .map(|age| age >= settle)
        .unwrap_or(false);
    if !settled {
        return Ok(InboxOpen::Settling);
    }
    if metadata.len() > max_bytes {
        return Ok(InboxOpen::Refused(too_large(metadata.len(), max_bytes)));
    }
    Ok(InboxOpen::Opened {
        file,
        len: metadata.len(),
    })
}

/// Reads a file opened by [`open_checked`] whole, never past `max_bytes`
/// (a file that grows while being read is refused).
///
/// # Errors
/// The read fails.
pub fn read_opened(file: fs::File, len: u64, max_bytes: u64) -> io::Result<InboxFile> {
    use std::io::Read;
    let mut bytes = Vec::with_capacity(usize::try_from(len.min(max_bytes)).unwrap_or(0));
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Ok(InboxFile::Refused(too_large(bytes.len() as u64, max_bytes)));
    }
    let sha256 = content_hash(&bytes);
    Ok(InboxFile::Read { bytes, sha256 })
}

/// SHA-256 (lowercase hex) and length of a file opened by [`open_checked`],
/// read from its start in blocks through the same handle without holding
/// it, never past `max_bytes`: `Err(reason)` when it grew past the limit.
/// The handle is left at the start of the file.
///
/// # Errors
/// The read fails.
pub fn hash_opened(file: &fs::File, max_bytes: u64) -> io::Result<Result<(String, u64), String>> {
    use std::io::{Read, Seek};
    let mut handle = file;
    handle.seek(io::SeekFrom::Start(0))?;
    let mut limited = handle.take(max_bytes.saturating_add(1));
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    let mut total: u64 = 0;
    loop {
        let n = limited.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        total += n as u64;
        hasher.update(&buffer[..n]);
    }
    let mut handle = file;
    handle.seek(io::SeekFrom::Start(0))?;
    if total > max_bytes {
        return Ok(Err(too_large(total, max_bytes)));
    }
    let sha256 = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Ok((sha256, total)))
}

/// Opens an inbox file once, without following links and without blocking,
/// checks the open handle (a regular file, at most `max_bytes`, unchanged
/// for `settle` before `now`) and reads it with that bound, so a file
/// swapped for a link, a FIFO or a device after the scan is refused, and a
/// file that grows while being read is not read past the limit.
///
/// # Errors
/// The file cannot be opened or read (it vanished, permission denied).
pub fn read_checked(
    path: &Path,
    max_bytes: u64,
    now: SystemTime,
    settle: Duration,
) -> io::Result<InboxFile> {
    match open_checked(path, max_bytes, now, settle)? {
        InboxOpen::Settling => Ok(InboxFile::Settling),
        InboxOpen::Refused(reason) => Ok(InboxFile::Refused(reason)),
        InboxOpen::Opened { file, len } => read_opened(file, len, max_bytes),
    }
}

/// Why a file over the size limit is refused.
pub fn too_large(size: u64, max_bytes: u64) -> String {
    format!(
        "the file is {:.1} MB; the limit is {} MB ([inbox] max_file_mb in the configuration)",
        size as f64 / (1024.0 * 1024.0),
        max_bytes / (1024 * 1024)
    )
}

/// Why a pipe, socket or device in the inbox is refused.
pub const SPECIAL_REASON: &str =
    "not a regular file (a pipe, socket or device): csat reads only files copied into the inbox";

/// Why a link in the inbox is refused.
pub const LINK_REASON: &str = "a symbolic link: csat reads only files placed in the inbox itself and never follows links (copy the file in)";

/// Moves a file to quarantine with a note listing the reasons beside it
/// (`<name>.reasons.txt`, created exclusively and owner-only).
///
/// # Errors
/// The move or the note's write fails.
pub fn quarantine(
    file: &Path,
    rejected_dir: &Path,
    sha256: &str,
    reasons: &[String],
) -> io::Result<PathBuf> {
    let target = move_into(file, rejected_dir, sha256)?;
    write_note(&target, "reasons.txt", &reasons.join("\n"))?;
    Ok(target)
}

/// Writes `text` into a new owner-only note `<file>.<suffix>` beside `file`
/// (`<file>.<n>.<suffix>` when that name is taken: never through a link).
///
/// # Errors
/// The note cannot be created.
pub fn write_note(file: &Path, suffix: &str, text: &str) -> io::Result<PathBuf> {
    let mut text = text.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let base = file.as_os_str().to_string_lossy().into_owned();
    let mut last_error = None;
    for n in 0..100 {
        let path = if n == 0 {
            PathBuf::from(format!("{base}.{suffix}"))
        } else {
            PathBuf::from(format!("{base}.{n}.{suffix}"))
        };
        match write_new_private(&path, text.as_bytes()) {
            Ok(()) => return Ok(path),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => last_error = Some(error),
            Err(error) => return Err(error),
        }
    }
    Err(last_error.unwrap_or_else(|| io::Error::other("no free name for the note")))
}
