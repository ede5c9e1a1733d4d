//! The binary's side of csat: the command-line grammar ([`args`]) and one
//! module per group of commands, each calling the library and printing
//! what it did. `main.rs` only parses, dispatches and sets the exit code.

use std::path::{Path, PathBuf};

use anyhow::Result;

use csat::config::Config;
use csat::inbox::DataDir;

pub mod allocator;
pub mod args;
pub mod bench;
pub mod check;
pub mod commands;
pub mod ingest;
pub mod status;

use args::Cli;

/// Exit status of a command that ran to the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Partial,
    /// Nothing crashed, but the command did not do its job (exit 2).
    Failed,
}

pub fn load_config(cli: &Cli, data_dir: &DataDir) -> Result<Config> {
    let path = cli.config.clone().or_else(|| {
        let candidate = data_dir.config_file();
        candidate.exists().then_some(candidate)
    });
    let mut config = Config::load(path.as_deref())?;
    if let Some(lang) = cli.lang {
        config.report.lang = lang;
    }
    Ok(config)
}

pub fn jobs_dir(data_dir: &DataDir, jobs_dir: Option<&Path>) -> PathBuf {
    jobs_dir
        .map(Path::to_path_buf)
        .unwrap_or_else(|| data_dir.root().join("jobs"))
}
