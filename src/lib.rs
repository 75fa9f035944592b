//! aitbc-conformance: parse `features/` (Gherkin, one `@command:<id>` tag per scenario) →
//! run each scenario with cucumber against a fresh embedded double of the AITBC coordinator
//! and node (or a live target) → collect one outcome per scenario → report pass rates per CLI
//! command in the terminal and under `reports/`, and exit with a documented code.

pub mod atomic;
pub mod auth;
pub mod catalog;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod consumer;
pub mod double;
pub mod envfile;
pub mod error;
pub mod exchange;
pub mod exit;
pub mod failure;
pub mod http;
pub mod ids;
pub mod json_path;
pub mod login;
pub mod openapi;
pub mod pacing;
pub mod preflight;
pub mod redact;
pub mod report;
pub mod runner;
pub mod snapshot;
pub mod steps;
pub mod suite;
pub mod target;
pub mod templates;
pub mod tls;
pub mod units;
pub mod world;
pub mod yaml;

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
