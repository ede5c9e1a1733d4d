//! Pure renderers: analysis results → workbook bytes, and text through the
//! handlebars templates in `report_templates/`. No I/O here; `delivery`
//! writes the bytes (the detail workbooks are written to a writer it opens).

mod comments;
mod company;
mod details;
mod drivers;
mod grading;
pub mod labels;
pub mod mask;
mod text;
mod workbook;

pub use comments::SHEET_COMMENTS;
pub use details::ProblemDetails;
pub use drivers::SHEET_DRIVERS;
pub use grading::render_grading_workbook;
pub use text::{console_summary, narrative, narrative_en, SummaryContext, TEMPLATES};
pub use workbook::{render_workbook, SHEET_DEPARTMENTS, SHEET_PARETO, SHEET_SUMMARY};

/// A rendering failure.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// rust_xlsxwriter refused something.
    #[error("writing the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// A template failed to compile or render.
    #[error("template {name}: {message}")]
    Template {
        /// Template name.
        name: String,
        /// What handlebars said.
        message: String,
    },
}
