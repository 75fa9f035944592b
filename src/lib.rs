//! aitbc-conformance: parse `features/` (Gherkin, one `@command:<id>` tag per scenario) →
//! run each scenario with cucumber against a fresh embedded double of the AITBC coordinator
//! and node (or a live target) → collect one outcome per scenario → report pass rates per CLI
//! command in the terminal and under `reports/`, and exit with a documented code.

pub(crate) mod atomic;
pub mod auth;
pub mod catalog;
pub(crate) mod cli;
pub(crate) mod clock;
pub(crate) mod commands;
pub(crate) mod config;
pub(crate) mod consumer;
pub mod double;
pub(crate) mod envfile;
pub mod error;
pub(crate) mod exchange;
pub(crate) mod exit;
pub(crate) mod failure;
pub(crate) mod http;
pub(crate) mod ids;
pub(crate) mod json_path;
pub(crate) mod login;
pub(crate) mod openapi;
pub(crate) mod pacing;
pub(crate) mod preflight;
pub(crate) mod probe;
pub(crate) mod redact;
pub(crate) mod report;
pub(crate) mod revision;
pub(crate) mod runner;
pub mod snapshot;
pub(crate) mod steps;
pub(crate) mod suite;
pub(crate) mod target;
pub(crate) mod templates;
pub mod tls;
pub(crate) mod units;
pub(crate) mod world;
pub(crate) mod yaml;

use clap::Parser as _;

use crate::cli::{Cli, Command};

/// Parses `args` (including the program name) and runs the chosen command; returns the exit code.
pub fn main_with<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                exit::INPUT_ERROR
            } else {
                exit::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Run(args) => commands::run(&args),
        Command::List(args) => commands::list(&args),
        Command::Double(args) => commands::serve_double(&args),
        Command::Compare(args) => commands::compare(&args),
        Command::History(args) => commands::history(&args),
        Command::Check(args) => commands::check(&args),
        Command::Report(args) => commands::report(&args),
    };
    result.unwrap_or_else(|err| {
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), "aitbc-conformance: error: {err}");
        err.exit_code()
    })
}
