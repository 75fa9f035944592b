//! `list`: the command catalog with its endpoints and scenario counts.

use super::{load_inputs, say};
use crate::cli::ListArgs;
use crate::error::RunError;
use crate::{catalog, exit};

/// `list`: the catalog with endpoints and scenario counts.
pub(crate) fn list(args: &ListArgs) -> Result<u8, RunError> {
    let (catalog, suite) = load_inputs(&args.suite)?;
    let width = catalog
        .commands
        .iter()
        .map(|c| c.cli.len())
        .max()
        .unwrap_or(0);
    let mut text = String::new();
    for command in &catalog.commands {
        let mine = || suite.scenarios.iter().filter(|s| s.command == command.id);
        let through_cli = mine().filter(|s| s.has_tag(crate::suite::CLI_TAG)).count();
        let count = mine().count() - through_cli;
        let cli = match (&command.no_cli, through_cli) {
            (Some(_), _) => "  (no CLI command)".to_string(),
            (None, 0) => String::new(),
            (None, n) => format!("  + {n} through the CLI"),
        };
        text.push_str(&format!(
            "{:width$}  {count:>3} scenarios  @{}{}{cli}\n",
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
