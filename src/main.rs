//! The `csat` command line: parses arguments, reads the clock once, calls the
//! library, prints results and the error chain, and sets the exit code
//! (0 ok, 1 partial: something was rejected, 2 failed).

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::{bail, Result};
use chrono::Local;
use clap::Parser;

use csat::inbox::DataDir;
use csat::month::Month;
use csat::scheduler;

mod cli;

use cli::args::{Cli, Command, LogFormat, SourcesAction};
use cli::bench::{peak_rss_kb, PEAK_MEMORY_ENV};
use cli::{commands, jobs_dir, load_config, Outcome};

fn main() -> ExitCode {
    // Everything csat creates is its owner's alone (customers' evaluations
    // are confidential), whatever umask the caller had.
    // SAFETY: umask only changes this process's file-creation mask.
    unsafe {
        libc::umask(0o077);
    }
    cli::allocator::tune();
    // `csat status | head`: a reader that goes away is not an error.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info.to_string();
        if message.contains("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default_hook(info);
    }));
    let cli = Cli::parse();
    init_logging(&cli);
    let result = run(cli);
    if std::env::var_os(PEAK_MEMORY_ENV).is_some() {
        if let Some(kb) = peak_rss_kb() {
            eprintln!("peak_rss_kb={kb}");
        }
    }
    match result {
        Ok(Outcome::Ok) => ExitCode::from(0),
        Ok(Outcome::Partial) => ExitCode::from(1),
        Ok(Outcome::Failed) => ExitCode::from(2),
        Err(error) => {
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}

fn init_logging(cli: &Cli) {
    let default_level = if matches!(cli.command, Command::Serve { .. }) {
        "info"
    } else {
        "warn"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

fn run(cli: Cli) -> Result<Outcome> {
    let data_dir = DataDir::new(&cli.data_dir);
    // The only place the wall clock is read.
    let today = cli.today.unwrap_or_else(|| Local::now().date_naive());
    // `--month`, or the month before today.
    let month = |month: &Option<Month>| month.unwrap_or_else(|| Month::before(today));
    match &cli.command {
        Command::Demo { seed } => commands::demo(&cli, &data_dir, *seed, today),
        Command::Ingest {
            dry_run: true,
            files,
            ..
        } => cli::ingest::dry_run(&load_config(&cli, &data_dir)?, files, today),
        Command::Sources {
            action: SourcesAction::Suggest { files },
        } => cli::ingest::suggest(load_config(&cli, &data_dir)?, files, today),
        Command::Ingest { json, .. } => {
            cli::ingest::ingest(&load_config(&cli, &data_dir)?, &data_dir, today, *json)
        }
        Command::Report { month: chosen } => {
            commands::report(&load_config(&cli, &data_dir)?, &data_dir, month(chosen))
        }
        Command::Deliver {
            month: chosen,
            force,
            resend,
        } => commands::deliver(
            &load_config(&cli, &data_dir)?,
            &data_dir,
            month(chosen),
            *force,
            *resend,
        ),
        Command::Regrade { as_of } => commands::regrade(
            &load_config(&cli, &data_dir)?,
            &data_dir,
            as_of.unwrap_or(today),
        ),
        Command::Serve {
            jobs_dir: dir,
            once,
            at,
            tick_seconds,
        } => {
            let config = load_config(&cli, &data_dir)?;
            let jobs = scheduler::load_jobs(Some(&jobs_dir(&data_dir, dir.as_deref())))?;
            commands::serve(config, &data_dir, jobs, *once, *at, *tick_seconds)
        }
        Command::Run { job } => {
            commands::run(&load_config(&cli, &data_dir)?, &data_dir, *job, today)
        }
        Command::Status {
            json,
            jobs_dir: dir,
        } => {
            let config = load_config(&cli, &data_dir)?;
            cli::status::status(&config, &data_dir, dir.as_deref(), *json, today)
        }
        Command::Check => cli::check::check(&cli, &data_dir),
        Command::Bench {
            sizes,
            formats: true,
            answers,
            customers,
            peer,
            history,
        } => {
            if !sizes.is_empty() || peer.is_some() || *history > 0 {
                bail!("--sizes, --peer and --history measure months; --formats compares formats: give one of them");
            }
            cli::bench::bench(&data_dir, *answers, *customers, today)
        }
        Command::Bench {
            sizes,
            peer,
            history,
            ..
        } => cli::bench::bench_months(&data_dir, sizes, peer.as_deref(), *history, today),
    }
}
