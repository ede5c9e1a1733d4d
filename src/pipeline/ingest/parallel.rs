//! The files of one ingest pass, loaded two at once in name order's outcome.

use std::path::PathBuf;
use std::time::SystemTime;

use chrono::NaiveDate;
use tracing::{info_span, warn};

use super::{display_name, ingest_file, FileFailure, FileOutcome, IngestProgress};
use crate::config::Config;
use crate::inbox::DataDir;
use crate::store::Store;

/// Files loaded at once, each with its own transaction on its own
/// connection: one file's reader and the other's appends keep two cores
/// busy (the 2M-answer bench month's survey workbook and call-centre CSV
/// took 3.9–4.5 s one after the other; two processes loading one each,
/// 2.7 s).
pub(super) const PARALLEL_LOADS: usize = crate::crash_guard::SLOTS;

/// The files of one pass being loaded at once, by their place in the
/// pass: what is known of each so far.
#[derive(Debug, Default)]
pub(super) struct LoadOrder {
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
pub(super) struct LoadSlot<'a> {
    order: &'a LoadOrder,
    index: usize,
}

impl LoadOrder {
    /// Enters the file at `index` of the pass.
    pub(super) fn start(&self, index: usize) -> LoadSlot<'_> {
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
    pub(super) fn hashed(&self, sha256: &str) {
        self.order.note_and_wait(
            self.index,
            |own| own.sha256 = Some(sha256.to_string()),
            |earlier, own| earlier.sha256.is_none() || earlier.sha256 == own.sha256,
        );
    }

    /// The file's source is known: waits while an earlier file loading
    /// beside it has not begun its transaction or is of the same source.
    pub(super) fn source_known(&self, source: &str) {
        self.order.note_and_wait(
            self.index,
            |own| own.source = Some(source.to_string()),
            |earlier, own| !earlier.began || earlier.source == own.source,
        );
    }

    /// The file's transaction is begun (its file id taken).
    pub(super) fn began(&self) {
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
pub(super) fn load_files(
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

#[cfg(test)]
mod tests {
    use super::*;

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
