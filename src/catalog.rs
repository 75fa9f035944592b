//! The command catalog: each `aitbc` CLI command, its tag id and the endpoints it calls.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::InputError;
use crate::yaml;

/// The tag prefix that ties a scenario to a command: `@command:client-submit`.
pub(crate) const TAG_PREFIX: &str = "command:";

/// The roles a coordinator key can have.
pub(crate) const ROLES: [&str; 3] = ["client", "miner", "admin"];

/// One CLI command whose pass rate is reported.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Command {
    /// Tag id, as in `@command:<id>`.
    pub(crate) id: String,
    /// The CLI spelling, e.g. `client submit`.
    pub cli: String,
    /// `METHOD /path/{param}` templates this command calls.
    pub endpoints: Vec<String>,
    #[serde(default)]
    pub(crate) description: String,
    /// Endpoints among `endpoints` the command can do without: its documented fallback serves
    /// it when they are missing (`blockchain block` without `by_hash`, contract §9).
    #[serde(default)]
    pub(crate) optional: Vec<String>,
    /// Why the user's `aitbc` CLI has no command for it, when it has none.
    #[serde(default)]
    pub(crate) no_cli: Option<String>,
    /// Roles whose keys the command needs (`client`, `miner`, `admin`); a refused key blocks it.
    #[serde(default)]
    pub(crate) roles: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    commands: Vec<Command>,
}

/// The catalog, in file order.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub commands: Vec<Command>,
}

impl Catalog {
    /// Loads `commands.yaml`, rejecting duplicate ids and empty entries with file and line.
    pub fn load(path: &Path) -> Result<Self, InputError> {
        let text = crate::error::read_input(path)?;
        Self::parse(path, &text)
    }

    /// Parses catalog text that came from `path`.
    pub(crate) fn parse(path: &Path, text: &str) -> Result<Self, InputError> {
        let file: CatalogFile = yaml::parse(path, text)?;
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for command in &file.commands {
            let occurrence = seen.entry(command.id.as_str()).or_insert(0);
            *occurrence += 1;
            let line = line_of(text, &format!("id: {}", command.id), *occurrence);
            let invalid = |message: String| InputError::Invalid {
                path: path.to_path_buf(),
                line,
                message,
            };
            if !is_tag_id(&command.id) {
                return Err(invalid(format!(
                    "command id {:?} must be lower-case words joined by '-'",
                    command.id
                )));
            }
            if *occurrence > 1 {
                return Err(invalid(format!(
                    "command id {:?} appears twice",
                    command.id
                )));
            }
            if let Some(role) = command.roles.iter().find(|r| !ROLES.contains(&r.as_str())) {
                return Err(invalid(format!(
                    "command {:?}: role {role:?} is not one of client, miner, admin",
                    command.id
                )));
            }
            if command.cli.trim().is_empty() || command.endpoints.is_empty() {
                return Err(invalid(format!(
                    "command {:?} needs a `cli` spelling and at least one endpoint",
                    command.id
                )));
            }
        }
        Ok(Self {
            commands: file.commands,
        })
    }

    /// The command with this tag id.
    pub(crate) fn get(&self, id: &str) -> Option<&Command> {
        self.commands.iter().find(|c| c.id == id)
    }
}

fn is_tag_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// 1-based line of the `nth` (1-based) line containing `needle`, or 1.
fn line_of(text: &str, needle: &str, nth: usize) -> u64 {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start_matches([' ', '-']).starts_with(needle))
        .nth(nth.saturating_sub(1))
        .map_or(1, |(i, _)| i as u64 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "commands:\n  - id: client-submit\n    cli: client submit\n    endpoints: [POST /v1/jobs]\n";

    #[test]
    fn loads_commands_in_order() {
        let catalog = Catalog::parse(Path::new("c.yaml"), GOOD).unwrap();
        assert_eq!(catalog.commands.len(), 1);
        assert_eq!(catalog.get("client-submit").unwrap().cli, "client submit");
        assert!(catalog.get("client-status").is_none());
    }

    #[test]
    fn a_duplicate_id_names_its_line() {
        let text =
            format!("{GOOD}  - id: client-submit\n    cli: again\n    endpoints: [GET /x]\n");
        let err = Catalog::parse(Path::new("c.yaml"), &text).unwrap_err();
        assert_eq!(
            err.to_string(),
            "c.yaml:5: command id \"client-submit\" appears twice"
        );
    }

    #[test]
    fn a_bad_id_or_missing_endpoints_is_rejected() {
        let bad_id = "commands:\n  - id: Client_Submit\n    cli: x\n    endpoints: [GET /]\n";
        assert!(Catalog::parse(Path::new("c.yaml"), bad_id).is_err());
        let no_endpoints = "commands:\n  - id: a\n    cli: a\n    endpoints: []\n";
        assert!(Catalog::parse(Path::new("c.yaml"), no_endpoints).is_err());
    }

    #[test]
    fn an_unknown_field_is_a_yaml_error_with_a_line() {
        let text = "commands:\n  - id: a\n    cli: a\n    endpoint: [GET /]\n";
        let err = Catalog::parse(Path::new("c.yaml"), text).unwrap_err();
        assert!(err.to_string().starts_with("c.yaml:"), "{err}");
    }
}
