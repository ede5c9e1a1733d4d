//! csat: the customer-satisfaction reporting pipeline.
//!
//! Bird's-eye view: quality teams drop survey and record exports into
//! `<data-dir>/inbox/`. [`pipeline::ingest`] takes each ready file
//! ([`inbox`]), recognises its source and parses it into canonical rows
//! ([`ingest`]), and stores it in DuckDB in one transaction ([`store`]).
//! [`analysis`] runs the SQL in `sql/analysis/` for company and department
//! satisfaction, the Pareto of problems and customer grading;
//! [`report`] renders the results into the monthly workbook, and
//! [`delivery`] writes it atomically to `<data-dir>/reports/<YYYY-MM>/`.
//! [`scheduler`] drives the same [`pipeline`] functions from `jobs/*.toml`.
//!
//! Invariants: only [`store`] talks to DuckDB; nothing below the CLI reads
//! the clock (run dates are parameters); renderers do no I/O.

pub mod alerts;
pub mod analysis;
pub mod calendar;
pub mod config;
pub mod crash_guard;
pub mod delivery;
pub mod demo;
#[doc(hidden)]
pub mod fuzz;
pub mod inbox;
pub mod ingest;
pub mod mail;
pub mod month;
pub mod pipeline;
pub mod report;
pub mod scheduler;
pub mod store;
