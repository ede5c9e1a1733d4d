//! A month's workbook from what is stored, written atomically to
//! `reports/<month>/`, with the detail workbooks of its problem list.

use std::path::PathBuf;

use tracing::{info, info_span};

use super::{io_context, PipelineError};
use crate::analysis::{self, MonthlyResults};
use crate::config::Config;
use crate::delivery;
use crate::inbox::DataDir;
use crate::month::Month;
use crate::report::{self, SummaryContext};
use crate::store::Store;

/// A written monthly report.
#[derive(Debug, Clone)]
pub struct ReportOutcome {
    /// Where the workbook is.
    pub path: PathBuf,
    /// The figures in it.
    pub results: MonthlyResults,
    /// The one-screen text summary.
    pub summary: String,
}

/// Builds `month`'s workbook from what is stored and writes it atomically to
/// `reports/<month>/`.
///
/// # Errors
/// A query, the rendering or the write fails.
pub fn report(
    config: &Config,
    data_dir: &DataDir,
    store: &mut Store,
    month: Month,
) -> Result<ReportOutcome, PipelineError> {
    let _span = info_span!("report", month = %month).entered();
    store.reporting(true)?;
    let built = build_report(config, data_dir, store, month);
    // The report's own error first, if both fail.
    let reset = store.reporting(false);
    let outcome = built?;
    reset?;
    Ok(outcome)
}

/// [`report`]'s work, with the store set for reporting.
fn build_report(
    config: &Config,
    data_dir: &DataDir,
    store: &mut Store,
    month: Month,
) -> Result<ReportOutcome, PipelineError> {
    let results = analysis::monthly(store, config, month)?;
    let bytes = report::render_workbook(&results, config.report.lang)?;
    let path = delivery::report_path(&data_dir.reports(), month);
    delivery::write_atomically(&path, &bytes)
        .map_err(io_context(format!("writing {}", path.display())))?;
    drop(bytes);
    write_problem_details(config, store, month, &results, &path)?;
    let summary = report::console_summary(&SummaryContext::new(&results))?;
    info!(path = %path.display(), "report written");
    Ok(ReportOutcome {
        path,
        results,
        summary,
    })
}

/// Detail workbooks written at once (one thread each).
const DETAIL_WRITERS: usize = 2;
/// Problems handed to a detail workbook's writer at a time.
const DETAIL_BATCH: usize = 1024;

/// Waits for a detail workbook's writer: its result, or its panic as an
/// internal error.
fn join_writer(
    writer: std::thread::ScopedJoinHandle<'_, Result<(), PipelineError>>,
) -> Result<(), PipelineError> {
    writer.join().unwrap_or_else(|panic| {
        Err(PipelineError::Io {
            context: "writing a problem detail workbook".to_string(),
            cause: std::io::Error::other(format!(
                "an internal error of csat, please report it to the administrator: {}",
                super::ingest::panic_message(&*panic)
            )),
        })
    })
}

/// Writes the detail workbooks of 问题清单 (the problems it does not list
/// one by one) to `reports/<month>/details/`, one per department with
/// more problems than `[report] problem_items_per_department`, streaming
/// the rows from the store into constant-memory sheets; removes this
/// month's detail workbooks of an earlier run that are no longer wanted.
fn write_problem_details(
    config: &Config,
    store: &Store,
    month: Month,
    results: &MonthlyResults,
    report_path: &std::path::Path,
) -> Result<(), PipelineError> {
    let reports_month = report_path
        .parent()
        .unwrap_or_else(|| std::path::Path::new("."));
    let wanted: Vec<(String, String, std::path::PathBuf)> = results
        .closed_loop
        .problem_departments
        .iter()
        .filter_map(|d| {
            d.detail_file.as_ref().map(|file| {
                (
                    d.key.clone(),
                    d.department.clone(),
                    reports_month.join(file),
                )
            })
        })
        .collect();
    let details_dir = reports_month.join("details");
    let prefix = format!("csat-problems-{month}-");
    if let Ok(entries) = std::fs::read_dir(&details_dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let stale = name.starts_with(&prefix)
                && name.ends_with(".xlsx")
                && !wanted.iter().any(|(_, _, path)| path.ends_with(&name));
            if stale {
                std::fs::remove_file(entry.path())
                    .map_err(io_context(format!("removing {}", entry.path().display())))?;
            }
        }
    }
    if wanted.is_empty() {
        return Ok(());
    }
    let month_end = month.last_day();
    write_detail_workbooks(config, month, &wanted, |each| {
        analysis::closed_loop::for_each_problem_detail(store, config, month, month_end, each)
    })?;
    info!(workbooks = wanted.len(), "problem details written");
    Ok(())
}

/// A department's problems in order, row by row, to `each` (the store's
/// stream in a report).
type ProblemStream<'a> =
    &'a mut dyn FnMut(&str, analysis::closed_loop::ProblemItem) -> Result<(), PipelineError>;

/// Writes the `wanted` detail workbooks (department key, name, path) from
/// the rows `stream` gives, department after department. When the stream
/// fails no workbook still receiving rows is written (it would hold a part).
fn write_detail_workbooks(
    config: &Config,
    month: Month,
    wanted: &[(String, String, std::path::PathBuf)],
    stream: impl FnOnce(ProblemStream<'_>) -> Result<(), PipelineError>,
) -> Result<(), PipelineError> {
    let lang = config.report.lang;
    let rows_per_sheet = config.report.detail_rows_per_sheet;
    // Set when streaming the rows failed: a writer then leaves its
    // workbook unwritten rather than write the rows it got (a part).
    let stream_failed = std::sync::atomic::AtomicBool::new(false);
    let write = |key: &str,
                 department: &str,
                 problems: &std::sync::mpsc::Receiver<Vec<analysis::closed_loop::ProblemItem>>|
     -> Result<(), PipelineError> {
        let mut details = report::ProblemDetails::new(department, month, lang, rows_per_sheet)?;
        for batch in problems {
            for problem in &batch {
                details.push(problem)?;
            }
        }
        if stream_failed.load(std::sync::atomic::Ordering::SeqCst) {
            return Ok(());
        }
        let Some((_, _, path)) = wanted.iter().find(|(k, _, _)| k == key) else {
            return Ok(());
        };
        let context = format!("writing {}", path.display());
        let mut file = delivery::AtomicFile::create(path).map_err(io_context(context.clone()))?;
        {
            let mut buffered = std::io::BufWriter::new(&mut file);
            details.finish(&mut buffered)?;
            std::io::Write::flush(&mut buffered).map_err(io_context(context.clone()))?;
        }
        file.commit().map_err(io_context(context))
    };
    // The rows stream from the store on this thread; each department's
    // workbook is written on a thread of its own, DETAIL_WRITERS at a time
    // (writing the cells and compressing the workbook is most of the work:
    // on two cores two workbooks are written at once). Rows go in batches
    // through a bounded channel: memory stays bounded.
    std::thread::scope(|scope| -> Result<(), PipelineError> {
        type Batch = Vec<analysis::closed_loop::ProblemItem>;
        let mut writers: std::collections::VecDeque<
            std::thread::ScopedJoinHandle<'_, Result<(), PipelineError>>,
        > = std::collections::VecDeque::new();
        let mut current: Option<(String, std::sync::mpsc::SyncSender<Batch>, Batch)> = None;
        // Ends the current workbook's rows; its writer finishes on its own.
        let close = |current: &mut Option<(String, std::sync::mpsc::SyncSender<Batch>, Batch)>| {
            if let Some((_, sender, batch)) = current.take() {
                // A writer that failed has gone: its error comes from join.
                let _ = sender.send(batch);
            }
        };
        let streamed = stream(&mut |key, problem| -> Result<(), PipelineError> {
            if current.as_ref().is_none_or(|(k, _, _)| k != key) {
                close(&mut current);
                if writers.len() == DETAIL_WRITERS {
                    if let Some(oldest) = writers.pop_front() {
                        join_writer(oldest)?;
                    }
                }
                let (sender, problems) = std::sync::mpsc::sync_channel::<Batch>(4);
                let (owned_key, department) = (key.to_string(), problem.department.clone());
                let write = &write;
                let writer = std::thread::Builder::new()
                    .name("csat-details".into())
                    .spawn_scoped(scope, move || write(&owned_key, &department, &problems))
                    .map_err(io_context(
                        "starting a thread to write a problem detail workbook",
                    ))?;
                writers.push_back(writer);
                current = Some((key.to_string(), sender, Vec::with_capacity(DETAIL_BATCH)));
            }
            if let Some((_, sender, batch)) = current.as_mut() {
                batch.push(problem);
                if batch.len() == DETAIL_BATCH {
                    let full = std::mem::replace(batch, Vec::with_capacity(DETAIL_BATCH));
                    if sender.send(full).is_err() {
                        // The writer failed: its error, from join.
                        close(&mut current);
                        while let Some(writer) = writers.pop_front() {
                            join_writer(writer)?;
                        }
                    }
                }
            }
            Ok(())
        });
        if streamed.is_err() {
            stream_failed.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        close(&mut current);
        let mut written = Ok(());
        while let Some(writer) = writers.pop_front() {
            if let Err(error) = join_writer(writer) {
                written = written.and(Err(error));
            }
        }
        streamed.and(written)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::closed_loop::ProblemItem;
    use crate::analysis::ProblemOrigin;
    use calamine::Reader;
    use chrono::NaiveDate;

    fn problem(department: &str, n: usize) -> ProblemItem {
        let day = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        ProblemItem {
            origin: ProblemOrigin::Callback,
            item_id: format!("HF{n:08}"),
            happened_on: day,
            severity: None,
            category: "安装服务".to_string(),
            department: department.to_string(),
            owner: "经理".to_string(),
            due_on: day,
            status: "待处理".to_string(),
            days_left: Some(-3),
        }
    }

    /// Data rows (below each sheet's header) of a written workbook.
    fn data_rows(path: &std::path::Path) -> usize {
        let mut workbook = calamine::open_workbook_auto(path).unwrap();
        let names = workbook.sheet_names().to_vec();
        names
            .iter()
            .map(|name| workbook.worksheet_range(name).unwrap().height() - 1)
            .sum()
    }

    /// Three departments' problems stream in; the stream fails while the
    /// third is being written. That workbook is not written (it would hold
    /// a part); the others, if written before the failure was known, are
    /// whole. The same rows streamed without a failure give all three,
    /// whole, split over sheets of `detail_rows_per_sheet` rows.
    #[test]
    fn a_failing_stream_leaves_no_partial_detail_workbook() {
        let mut config = Config::load(None).unwrap();
        config.report.detail_rows_per_sheet = 1000;
        let month = Month::new(2026, 10).unwrap();
        let sizes = [
            ("a", "甲部", 2500),
            ("b", "乙部", 10),
            ("c", "丙部", 3 * DETAIL_BATCH),
        ];
        for fail in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            let wanted: Vec<(String, String, PathBuf)> = sizes
                .iter()
                .map(|(key, name, _)| {
                    (
                        key.to_string(),
                        name.to_string(),
                        dir.path().join(format!("{key}.xlsx")),
                    )
                })
                .collect();
            let written = write_detail_workbooks(&config, month, &wanted, |each| {
                for (key, name, n) in sizes {
                    for i in 0..n {
                        each(key, problem(name, i))?;
                    }
                }
                match fail {
                    true => Err(PipelineError::Io {
                        context: "streaming the problems".to_string(),
                        cause: std::io::Error::other("the database went away"),
                    }),
                    false => Ok(()),
                }
            });
            assert_eq!(written.is_err(), fail);
            for (key, _, n) in sizes {
                let path = dir.path().join(format!("{key}.xlsx"));
                if fail && key == "c" {
                    assert!(!path.exists(), "a part of {key} was written");
                } else if path.exists() {
                    assert_eq!(data_rows(&path), n, "{key}");
                } else {
                    assert!(fail, "{key} was not written");
                }
            }
        }
    }
}
