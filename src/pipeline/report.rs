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
    let lang = config.report.lang;
    let rows_per_sheet = config.report.detail_rows_per_sheet;
    let finish = |key: &str, details: report::ProblemDetails| -> Result<(), PipelineError> {
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
    let mut current: Option<(String, report::ProblemDetails)> = None;
    analysis::closed_loop::for_each_problem_detail(
        store,
        config,
        month,
        month_end,
        |key, problem| -> Result<(), PipelineError> {
            if current.as_ref().is_none_or(|(k, _)| k != key) {
                if let Some((done_key, done)) = current.take() {
                    finish(&done_key, done)?;
                }
                current = Some((
                    key.to_string(),
                    report::ProblemDetails::new(&problem.department, month, lang, rows_per_sheet)?,
                ));
            }
            if let Some((_, details)) = current.as_mut() {
                details.push(problem)?;
            }
            Ok(())
        },
    )?;
    if let Some((done_key, done)) = current.take() {
        finish(&done_key, done)?;
    }
    info!(workbooks = wanted.len(), "problem details written");
    Ok(())
}
