//! aitbc-conformance: parse `features/` (Gherkin, one `@command:<id>` tag per scenario) →
//! run each scenario with cucumber against a fresh embedded double of the AITBC coordinator
//! and node (or a live target) → collect one outcome per scenario → report pass rates per CLI
//! command in the terminal and under `reports/`, and exit with a documented code.

pub mod catalog;
pub mod cli;
pub mod clock;
pub mod double;
pub mod error;
pub mod exit;
pub mod failure;
pub mod ids;
pub mod json_path;
pub mod redact;
pub mod report;
pub mod runner;
pub mod steps;
pub mod suite;
pub mod target;
pub mod world;
pub mod yaml;

use std::sync::Arc;
use std::time::Instant;

use clap::Parser as _;

use crate::catalog::Catalog;
use crate::cli::{Cli, Command, ListArgs, RunArgs, SuiteArgs};
use crate::double::seed::Seed;
use crate::error::{InputError, RunError};
use crate::report::summary::Summary;
use crate::suite::Suite;
use crate::target::{RunContext, Target};

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
        Command::Run(args) => run(&args),
        Command::List(args) => list(&args),
    };
    result.unwrap_or_else(|err| {
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), "aitbc-conformance: error: {err}");
        err.exit_code()
    })
}

fn load_inputs(args: &SuiteArgs) -> Result<(Catalog, Suite), InputError> {
    let catalog = Catalog::load(&args.fixtures.join("commands.yaml"))?;
    let suite = Suite::load(&args.features, &catalog)?;
    Ok((catalog, suite))
}

/// `run`: load, execute, report. Exit 0 only when every selected scenario passed.
pub fn run(args: &RunArgs) -> Result<u8, RunError> {
    let started = Instant::now();
    let (catalog, suite) = load_inputs(&args.suite)?;
    let seed = Seed::load(&args.suite.fixtures.join("double.yaml"))?;
    let selected: Vec<_> = suite.select(args.tags.as_ref()).collect();
    if selected.is_empty() {
        return Err(InputError::Flag {
            flag: "--tags",
            message: "the expression selects no scenario (see `aitbc-conformance list`)".into(),
        }
        .into());
    }
    let target = Target::Double { seed };
    let description = target.describe();
    let redactor = redact::Redactor::new(target.secrets());
    let ctx = RunContext::new(target, args.timeout)
        .map_err(|e| RunError::Double(format!("cannot build the HTTP client: {e}")))?;
    let options = runner::ExecOptions {
        tags: args.tags.clone(),
        concurrency: usize::from(args.concurrency),
        fail_fast: args.fail_fast,
        expected: selected.len(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(RunError::Runtime)?;
    let (mut outcomes, parse_errors) = runtime.block_on(runner::execute(
        suite.features.clone(),
        Arc::new(ctx),
        &options,
    ));
    for failure in outcomes.iter_mut().filter_map(|o| o.failure.as_mut()) {
        failure.message = redactor.apply(&failure.message);
        failure.step = redactor.apply(&failure.step);
    }
    if let Some(first) = parse_errors.first() {
        return Err(InputError::Flag {
            flag: "--features",
            message: first.clone(),
        }
        .into());
    }
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    let summary = Summary::build(&catalog, &selected, &outcomes, description, elapsed_ms);
    // Reports first: a closed stdout (`| head`) must not cost the files.
    let written = report::files::write_all(&args.report_dir, &summary)?;
    if args.quiet {
        say(&format!("{}\n", summary.headline_text()));
    } else {
        let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        say(&report::terminal::render(&summary));
        say(&format!("reports: {}\n", names.join(", ")));
    }
    Ok(if summary.all_passed() {
        exit::SUCCESS
    } else {
        exit::SCENARIO_FAILED
    })
}

/// Writes to stdout; a closed pipe is not an error worth a panic.
fn say(text: &str) {
    use std::io::Write as _;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// `list`: the catalog with endpoints and scenario counts.
pub fn list(args: &ListArgs) -> Result<u8, RunError> {
    let (catalog, suite) = load_inputs(&args.suite)?;
    let width = catalog
        .commands
        .iter()
        .map(|c| c.cli.len())
        .max()
        .unwrap_or(0);
    let mut text = String::new();
    for command in &catalog.commands {
        let count = suite
            .scenarios
            .iter()
            .filter(|s| s.command == command.id)
            .count();
        text.push_str(&format!(
            "{:width$}  {count:>3} scenarios  @{}{}\n",
            command.cli,
            catalog::TAG_PREFIX,
            command.id
        ));
        for endpoint in &command.endpoints {
            text.push_str(&format!("{:width$}    {endpoint}\n", ""));
        }
    }
    text.push_str(&format!(
        "\n{} commands, {} scenarios in {}\n",
        catalog.commands.len(),
        suite.scenarios.len(),
        args.suite.features.display()
    ));
    say(&text);
    Ok(exit::SUCCESS)
}
