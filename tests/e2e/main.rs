//! End-to-end tests: real files through the real pipeline into a real DuckDB
//! file, the workbook read back with calamine. One test binary, so DuckDB is
//! linked once.
//!
//! Expected figures are computed here from the generator's own answer values
//! (or worked by hand), never read from the program's tables.
//!
//! Shared helpers live in `util` (every module starts with
//! `use crate::util::*;`); each other module holds the tests of one topic.

mod cli;
mod closed_loop;
mod delivery;
mod drivers;
mod formats;
mod grading;
mod hardening;
mod hostile;
mod layouts;
mod network;
mod pareto;
mod pin;
mod scale;
mod scheduler;
mod scores;
mod tidy;
mod util;

/// `pin` reaches the binary as `super::csat`.
use util::{csat, succeeded};
