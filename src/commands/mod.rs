//! The subcommands (`run`, `list`, `double`, `compare`, `history`, `report`) and what they share.

mod check;
mod compare;
mod documents;
mod double;
mod history;
mod interruption;
mod list;
mod metrics;
mod probe;
mod rerender;
mod run;

pub(crate) use self::check::check;
pub(crate) use self::compare::compare;
pub(crate) use self::double::serve_double;
pub(crate) use self::history::history;
pub(crate) use self::list::list;
pub(crate) use self::rerender::report;
pub(crate) use self::run::run;

use crate::catalog::Catalogs;
use crate::cli::SuiteArgs;
use crate::error::{InputError, RunError};
use crate::report;
use crate::report::summary::Summary;
use crate::suite::Suite;

/// Each era's catalog and the parsed suite, its tags checked against both.
fn load_inputs(args: &SuiteArgs) -> Result<(Catalogs, Suite), InputError> {
    let catalogs = Catalogs::load(&args.fixtures)?;
    let suite = Suite::load(&args.features, &catalogs)?;
    Ok((catalogs, suite))
}

/// The client-side rate limits of a run: `--rate-limits`, else the contract's on a live target
/// and none on the double.
fn rate_limits(args: &crate::cli::RunArgs, live: bool) -> crate::pacing::RateLimits {
    args.rate_limits.clone().unwrap_or_else(|| {
        if live {
            crate::pacing::RateLimits::contract()
        } else {
            crate::pacing::RateLimits::none()
        }
    })
}

/// Writes a warning to stderr (never lost in `-q`).
fn tell(text: &str) {
    use std::io::Write as _;
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// Writes to stdout; a closed pipe is not an error worth a panic.
fn say(text: &str) {
    use std::io::Write as _;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// Judges `summary` by the gate flags, recording the conclusion in it; whether a gate rule
/// (not just a baseline to compare with) was given.
fn apply_gate(summary: &mut Summary, args: &crate::cli::GateArgs) -> Result<bool, InputError> {
    summary.strict = args.strict;
    let rules = gate_rules(args)?;
    if rules.active() || rules.baseline.is_some() {
        let verdicts = report::gate::judge(summary, &rules);
        summary.gate = Some(report::summary::GateReport {
            passed: verdicts.failures.is_empty(),
            failures: verdicts.failures,
            notes: verdicts.notes,
        });
    }
    Ok(rules.active())
}

/// With a gate rule the gate decides; without one, any failure fails (as it always did).
fn passed(summary: &Summary, gated: bool) -> bool {
    match (&summary.gate, gated) {
        (Some(gate), true) => gate.passed && !(summary.strict && summary.scenarios_untested > 0),
        _ => summary.all_passed(),
    }
}

/// Writes the reports, then prints the table (or the headline) and where they went. Files
/// first: a closed stdout (`| head`) must not cost them.
fn write_reports(
    output: &report::files::Output,
    summary: &Summary,
    redactor: &crate::redact::Redactor,
    quiet: bool,
) -> Result<(), RunError> {
    let written = report::files::write_all(output, summary, redactor)?;
    if quiet {
        say(&format!("{}\n", summary.headline_text()));
        if let Some(line) = summary.cli_headline_text() {
            say(&format!("{line}\n"));
        }
        if let Some(probe) = &summary.probe {
            say(&format!("{}\n", probe.line()));
        }
    } else {
        let is_har = |p: &&std::path::PathBuf| p.extension().is_some_and(|e| e == "har");
        let mut names: Vec<String> = written
            .iter()
            .filter(|p| !is_har(p))
            .map(|p| p.display().to_string())
            .collect();
        let hars = written.iter().filter(is_har).count();
        if hars > 0 {
            let folder = output.dir.join("exchanges");
            names.push(format!("{hars} HAR file(s) in {}", folder.display()));
        }
        say(&report::terminal::render(summary));
        say(&format!("reports: {}\n", names.join(", ")));
    }
    Ok(())
}

/// The gate's rules from the flags; a baseline or list that cannot be read is an input error.
fn gate_rules(args: &crate::cli::GateArgs) -> Result<report::gate::Rules, InputError> {
    let mut allow_failing: Vec<String> = args
        .allow_failing
        .iter()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    if let Some(path) = &args.allow_failing_file {
        allow_failing.extend(report::gate::read_allowed(path)?);
    }
    Ok(report::gate::Rules {
        baseline: args
            .baseline
            .as_deref()
            .map(report::gate::Recorded::load)
            .transpose()?,
        fail_on_regression: args.fail_on_regression,
        min_pass_rate: args.min_pass_rate,
        allow_failing,
        max_p95: args.max_p95.clone(),
        p95_tolerance: args.p95_tolerance,
    })
}
