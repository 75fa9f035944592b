//! `list`: each era's command catalog, in its groups, with endpoints and scenario counts.

use super::{load_inputs, say};
use crate::auth::{Era, EraChoice};
use crate::catalog::{self, Catalog, Group};
use crate::cli::ListArgs;
use crate::error::RunError;
use crate::exit;
use crate::suite::Suite;

/// `list`: the catalog of the era asked for (both for `auto`), with scenario counts.
pub(crate) fn list(args: &ListArgs) -> Result<u8, RunError> {
    let (catalogs, suite) = load_inputs(&args.suite)?;
    let eras: &[Era] = match args.era {
        EraChoice::ApiKey => &[Era::ApiKey],
        EraChoice::Jwt => &[Era::Jwt],
        EraChoice::Auto => &[Era::ApiKey, Era::Jwt],
    };
    let text: Vec<String> = eras
        .iter()
        .map(|era| era_listing(*era, catalogs.of(*era), &suite.in_era(*era)))
        .collect();
    say(&format!(
        "{}\n{} scenarios in {}\n",
        text.join("\n"),
        suite.scenarios.len(),
        args.suite.features.display()
    ));
    Ok(exit::SUCCESS)
}

/// One era: its CLI, each group's commands with their endpoints, what was left out and why.
fn era_listing(era: Era, catalog: &Catalog, suite: &Suite) -> String {
    let cli = match &catalog.cli {
        Some(release) => release.label(),
        None => "the CLI".to_string(),
    };
    let width = catalog
        .commands
        .iter()
        .map(|c| c.cli.len())
        .max()
        .unwrap_or(0);
    let mut text = match &catalog.cli {
        Some(release) => format!("{era} era — {cli} (AITBC {})\n", release.commit),
        None => format!("{era} era\n"),
    };
    for group in [Group::Cli, Group::MinerProtocol, Group::Api] {
        let commands: Vec<&catalog::Command> = catalog.in_group(group).collect();
        if commands.is_empty() {
            continue;
        }
        text.push_str(&format!("\n{}:\n", group.heading(&cli)));
        for command in commands {
            text.push_str(&command_lines(command, suite, width));
        }
    }
    if !catalog.excluded.is_empty() {
        text.push_str(&format!(
            "\nnot counted ({cli} commands outside the contract):\n"
        ));
        for left in &catalog.excluded {
            text.push_str(&format!("  {} — {}: {}\n", left.cli, left.calls, left.why));
        }
    }
    let counted = catalog.in_group(Group::Cli).count();
    text.push_str(&format!(
        "\n{counted} commands counted, {} catalog entries, {} scenarios in this era\n",
        catalog.commands.len(),
        suite.scenarios.len()
    ));
    text
}

/// A command's line (scenario counts, tag) and one line per endpoint it calls.
fn command_lines(command: &catalog::Command, suite: &Suite, width: usize) -> String {
    let mine = || suite.scenarios.iter().filter(|s| s.command == command.id);
    let through_cli = mine().filter(|s| s.has_tag(crate::suite::CLI_TAG)).count();
    let count = mine().count() - through_cli;
    let cli = match (&command.no_cli, through_cli) {
        (Some(_), _) => "  (no CLI command)".to_string(),
        (None, 0) => String::new(),
        (None, n) => format!("  + {n} through the CLI"),
    };
    let mut text = format!(
        "  {:width$}  {count:>3} scenarios  @{}{}{cli}\n",
        command.cli,
        catalog::TAG_PREFIX,
        command.id
    );
    for endpoint in &command.endpoints {
        text.push_str(&format!("  {:width$}    {endpoint}\n", ""));
    }
    text
}
