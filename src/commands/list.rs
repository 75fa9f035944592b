//! `list`: the command catalog with its endpoints and scenario counts.

use super::{load_inputs, say};
use crate::cli::ListArgs;
use crate::error::RunError;
use crate::{catalog, exit};

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
