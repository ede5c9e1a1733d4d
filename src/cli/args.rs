//! The command line's grammar (clap): commands, options, and the parsers
//! that turn their text into types at the edge (dates, times, months).

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

use csat::month::Month;

/// Customer-satisfaction reporting: inbox files in, monthly workbook out.
#[derive(Parser, Debug)]
#[command(name = "csat", version, about)]
pub struct Cli {
    /// Data directory (inbox, archive, rejected, reports, csat.duckdb).
    #[arg(long, global = true, default_value = "data")]
    pub data_dir: PathBuf,
    /// Configuration file [default: <data-dir>/csat.toml, else the built-in demo configuration].
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Report labels: zh (default) or en [default: the configuration's].
    #[arg(long, global = true, value_enum)]
    pub lang: Option<csat::report::labels::Lang>,
    /// Run as if today were this date (YYYY-MM-DD); default: the system date.
    #[arg(long, global = true, value_parser = parse_date)]
    pub today: Option<NaiveDate>,
    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value = "text")]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum SourcesAction {
    /// Print a ready-to-paste [[sources]] entry and [[questions]] stubs for
    /// files csat does not recognise yet, each guess explained.
    Suggest {
        /// The files (xlsx, xlsm, xls, ods, csv, tsv, txt).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Generate a sample company into the inbox, ingest it, and write last month's report.
    Demo {
        /// Seed of the sample company (another seed, another company).
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Process everything in the inbox once.
    Ingest {
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
        /// Show what the configuration would do with these files (source,
        /// column mapping, counts, refused cells), storing and moving nothing.
        #[arg(long, requires = "files")]
        dry_run: bool,
        /// The files for --dry-run (anywhere, not only in the inbox).
        #[arg(requires = "dry_run")]
        files: Vec<PathBuf>,
    },
    /// Help with the [[sources]] configuration.
    Sources {
        #[command(subcommand)]
        action: SourcesAction,
    },
    /// Build a month's workbook from what is stored.
    Report {
        /// The month, YYYY-MM [default: the month before today].
        #[arg(long, value_parser = parse_month)]
        month: Option<Month>,
    },
    /// Write a month's workbook and e-mail it to the configured executives
    /// (and each department its slice), once.
    Deliver {
        /// The month, YYYY-MM [default: the month before today].
        #[arg(long, value_parser = parse_month)]
        month: Option<Month>,
        /// Send even though the readiness check finds inputs missing.
        #[arg(long)]
        force: bool,
        /// Send again to recipients who already had this month's report.
        #[arg(long)]
        resend: bool,
    },
    /// Grade every customer.
    Regrade {
        /// Grade as of this date (YYYY-MM-DD) [default: today].
        #[arg(long, value_parser = parse_date)]
        as_of: Option<NaiveDate>,
    },
    /// Run the scheduled jobs of jobs/*.toml until stopped (SIGINT/SIGTERM).
    Serve {
        /// Folder of job files [default: <data-dir>/jobs if present, else the shipped jobs].
        #[arg(long)]
        jobs_dir: Option<PathBuf>,
        /// Do one scheduling pass and exit.
        #[arg(long)]
        once: bool,
        /// With --once: as if it were this moment (RFC 3339, e.g.
        /// 2026-12-01T06:00:30+08:00).
        #[arg(long, requires = "once", value_parser = parse_timestamp)]
        at: Option<chrono::DateTime<chrono::FixedOffset>>,
        /// Seconds between scheduling passes.
        #[arg(long, default_value_t = 10, hide = true)]
        tick_seconds: u32,
    },
    /// Run one job now: ingest, monthly_report or regrade.
    Run {
        /// The job.
        #[arg(value_parser = parse_job)]
        job: csat::pipeline::JobKind,
    },
    /// Last job runs, files waiting in the inbox, next scheduled runs.
    Status {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
        /// Folder of job files [default: <data-dir>/jobs if present, else the shipped jobs].
        #[arg(long)]
        jobs_dir: Option<PathBuf>,
    },
    /// Validate configuration, SQL, templates and job files without touching data.
    Check,
    /// Measure ingest and report time and peak memory on generated months
    /// (a 问卷星 xlsx and a call-centre CSV), in <data-dir>/bench (replaced
    /// on every run).
    Bench {
        /// Answers a month to measure, comma-separated (half survey, half
        /// callbacks) [default: 1000000,2000000,4000000,10000000].
        #[arg(long, value_delimiter = ',')]
        sizes: Vec<usize>,
        /// Instead: the comparison of formats (one survey as CSV, as xlsx and
        /// as 200 CSV files; customers graded and the report built).
        #[arg(long)]
        formats: bool,
        /// With --formats: scored answers to generate (12 per respondent).
        #[arg(long, default_value_t = 1_000_000)]
        answers: usize,
        /// With --formats: customers to generate (customer master and 12
        /// months of sales), graded and reported with the answers.
        #[arg(long, default_value_t = 50_000)]
        customers: usize,
        /// Also run the pandas peer (bench/peer_pandas.py, compiled in) on
        /// each month with this Python (one with pandas, python-calamine and
        /// xlsxwriter), and print its time, peak RSS and whether its figures
        /// agree with csat's workbook.
        #[arg(long, value_name = "PYTHON")]
        peer: Option<PathBuf>,
        /// Also measure a store holding this many months before the report
        /// month, each of the first size's answers, ingested in one pass;
        /// its report runs twice: the first computes the company's trend
        /// months, the second reads them kept. At most 120 (ten years).
        #[arg(long, value_name = "MONTHS", default_value_t = 0,
              value_parser = clap::value_parser!(u32).range(0..=120))]
        history: u32,
    },
}

pub fn parse_timestamp(text: &str) -> Result<chrono::DateTime<chrono::FixedOffset>, String> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map_err(|e| format!("'{text}' is not a time like 2026-12-01T06:00:30+08:00: {e}"))
}

pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("'{text}' is not a date like 2026-10-31"))
}

/// A `--month`: `YYYY-MM`.
pub fn parse_month(text: &str) -> Result<Month, String> {
    text.parse()
        .map_err(|_| format!("'{text}' is not a month like 2026-10"))
}

/// A job's name.
pub fn parse_job(text: &str) -> Result<csat::pipeline::JobKind, String> {
    text.parse()
        .map_err(|e: csat::pipeline::UnknownJob| e.to_string())
}
