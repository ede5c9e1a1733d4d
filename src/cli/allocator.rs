//! The process's allocators: mimalloc for Rust's allocations while files
//! load, glibc's malloc (one arena) otherwise and for DuckDB.

/// Rust's allocations go to mimalloc while files load, to glibc's malloc
/// otherwise (each block is freed by the allocator that holds it).
/// mimalloc has a heap per thread, so the four threads loading two files
/// at once do not queue for one allocator lock (glibc's malloc, held to one
/// arena for memory, was most of the parsers' waiting), and spends less
/// time allocating; outside loading it held a report's memory 10–25 MB
/// higher (a 4M-answer report 287–304 MB, against 280 MB). DuckDB's C++
/// always uses glibc's malloc.
struct Allocator;

impl Allocator {
    /// The allocator new blocks come from now.
    fn now() -> &'static dyn std::alloc::GlobalAlloc {
        if csat::pipeline::loading_files() {
            &mimalloc::MiMalloc
        } else {
            &std::alloc::System
        }
    }

    /// The allocator holding `block`.
    fn holding(block: *mut u8) -> &'static dyn std::alloc::GlobalAlloc {
        // SAFETY: a lookup in mimalloc's own page map, for any pointer.
        if unsafe { libmimalloc_sys::mi_is_in_heap_region(block.cast()) } {
            &mimalloc::MiMalloc
        } else {
            &std::alloc::System
        }
    }
}

// SAFETY: every block is allocated by one of the two allocators and given
// back (freed, reallocated) to the one that holds it.
unsafe impl std::alloc::GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        unsafe { Allocator::now().alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        unsafe { Allocator::now().alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: std::alloc::Layout) {
        // SAFETY: the caller's contract, passed on to the block's allocator.
        unsafe { Allocator::holding(block).dealloc(block, layout) }
    }

    unsafe fn realloc(
        &self,
        block: *mut u8,
        layout: std::alloc::Layout,
        new_size: usize,
    ) -> *mut u8 {
        // SAFETY: the caller's contract, passed on to the block's allocator.
        unsafe { Allocator::holding(block).realloc(block, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Allocator = Allocator;

/// Memory mimalloc no longer uses goes back to the system at once, and its
/// arenas are committed as they are used, not ahead: the peak resident
/// memory then follows what is in use (the 2M-answer bench month's ingest
/// 330–340 MB with mimalloc's defaults, 250–275 MB so).
fn return_freed_memory() {
    // mimalloc 3's `mi_option_e` (its mimalloc.h; the crate names only
    // some of them).
    const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: setting two of the allocator's options, before any thread starts.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
    }
}

/// Sets both allocators up; called first thing in `main`, before any thread
/// starts.
pub fn tune() {
    return_freed_memory();
    // One malloc arena (for what does not go through Rust's allocator too:
    // DuckDB's C++): its threads otherwise each keep an arena of freed
    // memory, and the process's resident memory stays ~50 MB above what it
    // uses (336 → 280 MB for a 4M-answer report, same time).
    // SAFETY: mallopt only tunes this process's allocator, before any thread starts.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}
