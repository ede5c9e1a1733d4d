//! One file parsed on a thread of its own while this one appends its
//! chunks to the file's transaction.

use super::parallel::LoadSlot;
use super::{file_io, FileFailure};
use crate::ingest;
use crate::store::Store;

/// The appending side stopped (it failed): the parser stops at its next
/// chunk.
pub(super) struct AppendStopped;

/// A file's transaction, begun when its source is known (at its first
/// chunk, or at the end of a file that fits in one), once every file before
/// it in the pass that loads beside it has begun its own and is of another
/// source, or is done: a re-export then sees, and supersedes, the export
/// before it, and file ids (which "the latest file" and tie orders use) come
/// in name order, as when the files are loaded one after the other.
pub(super) struct Load<'s> {
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
    pub(super) fn into_begun(
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
pub(super) type ParseResult<'s> = (
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
pub(super) fn parse_and_append<'s>(
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
                    let sizes = (
                        chunk.responses.len(),
                        chunk.answers.len(),
                        chunk.records.len(),
                    );
                    sender.send(chunk).map_err(|_| AppendStopped)?;
                    // Taken once this one is handed over: the appending
                    // side, the slower, has then given the chunk before back.
                    if let Ok(mut empty) = recycled.try_recv() {
                        empty.responses.clear();
                        empty.answers.clear();
                        empty.records.clear();
                        empty.record_rows.clear();
                        parsed.responses = empty.responses;
                        parsed.answers = empty.answers;
                        parsed.records = empty.records;
                        parsed.record_rows = empty.record_rows;
                    } else {
                        // Room for a chunk like the last, so the vectors do
                        // not grow (and copy themselves) while they fill.
                        parsed.responses.reserve(sizes.0);
                        parsed.answers.reserve(sizes.1);
                        parsed.records.reserve(sizes.2);
                        parsed.record_rows.reserve(sizes.2);
                    }
                    Ok(())
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::ingest::{FieldValue, ParsedFile};
    use crate::pipeline::ingest::panic_message;
    use crate::pipeline::ingest::parallel::LoadOrder;
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
}
