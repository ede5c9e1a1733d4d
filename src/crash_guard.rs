//! The process side of the crash-loop breaker.
//!
//! While an inbox file is being read, the guard is *armed* with its SHA-256.
//! If the process then dies by a fatal signal (an abort on a failed
//! allocation, a crash in a reader), the signal handler writes that SHA-256
//! into a crash note (`<data-dir>/ingest.crash`) before the process ends, so
//! the next ingest quarantines the file instead of reading it again (and
//! dying again). A process killed from outside (SIGKILL, SIGTERM) writes no
//! note: its file is simply read again at the next start.
//!
//! The handler only uses async-signal-safe calls (`open`, `write`, `close`,
//! `sigaction`, `raise`) on data prepared before arming.

use std::ffi::CString;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU8, Ordering};
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
static ARMED: AtomicBool = AtomicBool::new(false);
static NOTE_PATH: AtomicPtr<libc::c_char> = AtomicPtr::new(std::ptr::null_mut());
static SHA256: [AtomicU8; 64] = [const { AtomicU8::new(b'0') }; 64];
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

/// Arms the guard for the file with this SHA-256 (64 hex digits).
pub fn arm(sha256: &str) {
    for (slot, byte) in SHA256.iter().zip(sha256.bytes()) {
        slot.store(byte, Ordering::SeqCst);
    }
    ARMED.store(true, Ordering::SeqCst);
}

/// Disarms the guard: the file was read without dying.
pub fn disarm() {
    ARMED.store(false, Ordering::SeqCst);
}

/// Takes the crash note of `data_root`, if the last process left one: the
/// SHA-256 of the file it died on. The note is removed.
pub fn take_note(data_root: &Path) -> Option<String> {
    let path = note_path(data_root);
    let metadata = std::fs::symlink_metadata(&path).ok()?;
    let text = if metadata.is_file() {
        std::fs::read_to_string(&path).unwrap_or_default()
    } else {
        String::new()
    };
    let _ = std::fs::remove_file(&path);
    let sha256 = text.trim();
    (sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| sha256.to_string())
}

extern "C" fn handler(signal: libc::c_int) {
    // SAFETY: only async-signal-safe calls on data prepared before arming.
    unsafe {
        let path = NOTE_PATH.load(Ordering::SeqCst);
        if ARMED.load(Ordering::SeqCst) && !path.is_null() {
            let fd = libc::open(
                path,
                libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC | libc::O_NOFOLLOW,
                0o600 as libc::c_uint,
            );
            if fd >= 0 {
                let mut buffer = [0u8; 65];
                for (byte, slot) in buffer.iter_mut().zip(SHA256.iter()) {
                    *byte = slot.load(Ordering::SeqCst);
                }
                buffer[64] = b'\n';
                let _ = libc::write(fd, buffer.as_ptr().cast(), buffer.len());
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
