//! The process side of the crash-loop breaker.
//!
//! While an inbox file is being read, the guard is *armed* with its SHA-256
//! (one slot per file read at once, [`SLOTS`]), and the threads reading it
//! are enlisted in the slot. If the process then dies by a fatal signal (an
//! abort on a failed allocation, a crash in a reader), the signal handler
//! writes into a crash note (`<data-dir>/ingest.crash`) the SHA-256 of the
//! file whose thread died, or, when the dying thread reads no file, of every
//! file being read, before the process ends; the next ingest quarantines
//! those files instead of reading them again (and dying again). A process
//! killed from outside (SIGKILL, SIGTERM) writes no note: its files are
//! simply read again at the next start.
//!
//! The handler only uses async-signal-safe calls (`open`, `write`, `close`,
//! `sigaction`, `raise`, `gettid`) on data prepared before arming.

use std::ffi::CString;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicPtr, AtomicU8, Ordering};
use std::sync::Once;

/// The signals that mean "this process crashed".
const FATAL_SIGNALS: [libc::c_int; 5] = [
    libc::SIGABRT,
    libc::SIGSEGV,
    libc::SIGBUS,
    libc::SIGILL,
    libc::SIGFPE,
];

static INSTALL: Once = Once::new();
static NOTE_PATH: AtomicPtr<libc::c_char> = AtomicPtr::new(std::ptr::null_mut());

/// Files read at once, at most (the ingest's parallel loads).
pub const SLOTS: usize = 2;
/// Threads reading one file, at most (its reader and its appender).
const THREADS_PER_SLOT: usize = 2;

/// One file being read: its SHA-256 and the threads reading it.
struct Slot {
    /// Taken by an [`Armed`] (its SHA-256 being written, or in use).
    claimed: AtomicBool,
    /// Its SHA-256 and first thread are written: the handler may read it.
    armed: AtomicBool,
    sha256: [AtomicU8; 64],
    threads: [AtomicI32; THREADS_PER_SLOT],
}

static GUARD: [Slot; SLOTS] = [const {
    Slot {
        claimed: AtomicBool::new(false),
        armed: AtomicBool::new(false),
        sha256: [const { AtomicU8::new(b'0') }; 64],
        threads: [const { AtomicI32::new(0) }; THREADS_PER_SLOT],
    }
}; SLOTS];
/// The handlers that were in place before ours, chained to for faults.
static mut PREVIOUS: [Option<libc::sigaction>; 5] = [None; 5];

/// The crash note's path for a data directory.
pub fn note_path(data_root: &Path) -> std::path::PathBuf {
    data_root.join("ingest.crash")
}

/// Prepares the guard for `data_root` (installs the handlers once per
/// process; the note path may change between calls, as in tests).
pub fn install(data_root: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let Ok(path) = CString::new(note_path(data_root).as_os_str().as_bytes()) else {
            return;
        };
        // The previous path is leaked on purpose: a handler may be reading it.
        NOTE_PATH.store(path.into_raw(), Ordering::SeqCst);
        INSTALL.call_once(|| {
            for (index, signal) in FATAL_SIGNALS.iter().enumerate() {
                // SAFETY: a plain sigaction installing an extern "C" handler
                // that only makes async-signal-safe calls; PREVIOUS is
                // written here once, before any handler can run.
                unsafe {
                    let mut action: libc::sigaction = std::mem::zeroed();
                    action.sa_sigaction = handler as extern "C" fn(libc::c_int) as usize;
                    libc::sigemptyset(&mut action.sa_mask);
                    let mut previous: libc::sigaction = std::mem::zeroed();
                    if libc::sigaction(*signal, &action, &mut previous) == 0 {
                        PREVIOUS[index] = Some(previous);
                    }
                }
            }
        });
    }
}

/// The calling thread's id (0 where there is none to be had).
fn thread_id() -> i32 {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: gettid has no preconditions and is async-signal-safe.
        unsafe { libc::syscall(libc::SYS_gettid) as i32 }
    }
    #[cfg(not(target_os = "linux"))]
    {
        0
    }
}

/// The guard armed for one file; disarmed when dropped (the file was read
/// without dying).
#[derive(Debug)]
pub struct Armed {
    slot: Option<usize>,
}

/// Arms the guard for the file with this SHA-256 (64 hex digits), enlisting
/// the calling thread as one that reads it. With every slot taken (more
/// files read at once than [`SLOTS`]) the file is read unguarded.
pub fn arm(sha256: &str) -> Armed {
    let slot = GUARD.iter().position(|slot| {
        slot.claimed
            .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    });
    if let Some(index) = slot {
        let slot = &GUARD[index];
        for (digit, byte) in slot.sha256.iter().zip(sha256.bytes()) {
            digit.store(byte, Ordering::SeqCst);
        }
        for thread in &slot.threads {
            thread.store(0, Ordering::SeqCst);
        }
        slot.threads[0].store(thread_id(), Ordering::SeqCst);
        // Only now: a crash before this names no half-written SHA-256.
        slot.armed.store(true, Ordering::SeqCst);
    }
    Armed { slot }
}

impl Armed {
    /// Enlists the calling thread (the file's reader) as reading this file.
    pub fn enlist(&self) {
        if let Some(index) = self.slot {
            let slot = &GUARD[index];
            let id = thread_id();
            let _ = slot.threads[1..].iter().find(|thread| {
                thread
                    .compare_exchange(0, id, Ordering::SeqCst, Ordering::SeqCst)
                    .is_ok()
            });
        }
    }
}

impl Drop for Armed {
    fn drop(&mut self) {
        if let Some(index) = self.slot {
            GUARD[index].armed.store(false, Ordering::SeqCst);
            GUARD[index].claimed.store(false, Ordering::SeqCst);
        }
    }
}

/// Takes the crash note of `data_root`, if the last process left one: the
/// SHA-256 of each file it may have died on. The note is removed.
pub fn take_note(data_root: &Path) -> Vec<String> {
    let path = note_path(data_root);
    let Ok(metadata) = std::fs::symlink_metadata(&path) else {
        return Vec::new();
    };
    let text = if metadata.is_file() {
        std::fs::read_to_string(&path).unwrap_or_default()
    } else {
        String::new()
    };
    let _ = std::fs::remove_file(&path);
    let mut files: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|sha256| sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_string)
        .collect();
    files.dedup();
    files
}

/// Writes the SHA-256 of `slot` and a line feed to `fd`.
///
/// # Safety
/// Async-signal-safe: reads atomics and calls `write`.
unsafe fn write_slot(fd: libc::c_int, slot: &Slot) {
    let mut buffer = [0u8; 65];
    for (byte, digit) in buffer.iter_mut().zip(slot.sha256.iter()) {
        *byte = digit.load(Ordering::SeqCst);
    }
    buffer[64] = b'\n';
    // SAFETY: a plain write of a stack buffer.
    let _ = unsafe { libc::write(fd, buffer.as_ptr().cast(), buffer.len()) };
}

extern "C" fn handler(signal: libc::c_int) {
    // SAFETY: only async-signal-safe calls on data prepared before arming.
    unsafe {
        let path = NOTE_PATH.load(Ordering::SeqCst);
        let armed = GUARD.iter().any(|slot| slot.armed.load(Ordering::SeqCst));
        if armed && !path.is_null() {
            let fd = libc::open(
                path,
                libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC | libc::O_NOFOLLOW,
                0o600 as libc::c_uint,
            );
            if fd >= 0 {
                // The file whose thread died, else every file being read.
                let id = thread_id();
                let own = GUARD.iter().find(|slot| {
                    slot.armed.load(Ordering::SeqCst)
                        && id != 0
                        && slot.threads.iter().any(|t| t.load(Ordering::SeqCst) == id)
                });
                match own {
                    Some(slot) => write_slot(fd, slot),
                    None => {
                        for slot in GUARD.iter().filter(|s| s.armed.load(Ordering::SeqCst)) {
                            write_slot(fd, slot);
                        }
                    }
                }
                libc::close(fd);
            }
        }
        let index = FATAL_SIGNALS.iter().position(|s| *s == signal);
        let previous = index.and_then(|i| (*std::ptr::addr_of!(PREVIOUS))[i]);
        match previous {
            // A fault: give it back to the handler before ours (Rust's stack
            // overflow report, or the default), which runs when the faulting
            // instruction is retried.
            Some(previous) if matches!(signal, libc::SIGSEGV | libc::SIGBUS) => {
                libc::sigaction(signal, &previous, std::ptr::null_mut());
            }
            _ => {
                libc::signal(signal, libc::SIG_DFL);
                libc::raise(signal);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The note names each file the process may have died on, one SHA-256
    /// a line; anything else in it is ignored, and it is taken only once.
    #[test]
    fn the_crash_note_names_every_file_it_lists() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = ("a".repeat(64), "0123456789abcdef".repeat(4));
        std::fs::write(
            note_path(dir.path()),
            format!("{a}\nnot a hash\n{b}\n{}\n", "f".repeat(63)),
        )
        .unwrap();
        assert_eq!(take_note(dir.path()), vec![a, b]);
        assert!(!note_path(dir.path()).exists());
        assert_eq!(take_note(dir.path()), Vec::<String>::new());
    }
}
