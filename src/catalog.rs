//! The command catalog of an era: the commands of that era's `aitbc` CLI, their tag ids and the
//! endpoints they call, and the contract's routes no command of it calls, in groups of their own.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::auth::Era;
use crate::error::InputError;
use crate::yaml;

/// The catalog file of each era, in the fixtures folder.
pub(crate) const FILES: [(Era, &str); 2] = [
    (Era::ApiKey, "commands.yaml"),
    (Era::Jwt, "commands-jwt.yaml"),
];

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
    /// Whether a person types it (`cli`, counted in the headline) or only its routes are
    /// covered: spoken by miner software (`miner-protocol`), or called by no command (`api`).
    #[serde(default)]
    pub(crate) group: Group,
}

/// Who calls a catalog entry's routes: only commands a person types count in the headline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Group {
    /// A command of the era's `aitbc` CLI.
    #[default]
    Cli,
    /// Routes spoken by miner software (register, heartbeat, poll, result), not by the CLI.
    MinerProtocol,
    /// Contract routes that no command of the era's CLI calls.
    Api,
}

impl Group {
    /// The heading its rows are shown under.
    pub(crate) fn heading(self, cli: &str) -> String {
        match self {
            Group::Cli => format!("commands of {cli}"),
            Group::MinerProtocol => "miner protocol (spoken by miner software, not the CLI)".into(),
            Group::Api => format!("contract routes no command of {cli} calls"),
        }
    }

    pub(crate) fn is_cli(self) -> bool {
        self == Group::Cli
    }

    /// For serde's `skip_serializing_if`.
    pub(crate) fn is_cli_ref(group: &Group) -> bool {
        group.is_cli()
    }
}

/// The CLI a catalog was read from.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct CliRelease {
    /// `aitbc`.
    pub(crate) name: String,
    /// What `aitbc --version` prints of it: `0.10.18`.
    pub(crate) version: String,
    /// The repository commit the catalog was read at.
    pub(crate) commit: String,
}

impl CliRelease {
    /// `aitbc 0.10.18`.
    pub(crate) fn label(&self) -> String {
        format!("{} {}", self.name, self.version)
    }
}

/// A command of the CLI that calls none of the contract's routes, and why it is not counted.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct Excluded {
    pub(crate) cli: String,
    /// What it calls instead.
    pub(crate) calls: String,
    pub(crate) why: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    #[serde(default)]
    era: Option<Era>,
    #[serde(default)]
    cli: Option<CliRelease>,
    commands: Vec<Command>,
    #[serde(default)]
    excluded: Vec<Excluded>,
}

/// The catalog, in file order.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// The era it is written for (`era:`), when it says.
    pub(crate) era: Option<Era>,
    /// The CLI whose commands it lists (`cli:`), when it says.
    pub(crate) cli: Option<CliRelease>,
    pub commands: Vec<Command>,
    pub(crate) excluded: Vec<Excluded>,
}

/// Both eras' catalogs: the scenarios name commands of each, the run judges one. A fixtures
/// folder with `commands.yaml` alone judges both eras by it.
#[derive(Debug, Clone)]
pub(crate) struct Catalogs {
    pub(crate) api_key: Catalog,
    pub(crate) jwt: Option<Catalog>,
}

impl Catalogs {
    /// Loads each era's catalog from `fixtures` (the JWT era's file may be absent).
    pub(crate) fn load(fixtures: &Path) -> Result<Self, InputError> {
        let [(key_era, key_file), (jwt_era, jwt_file)] = FILES;
        let api_key = Catalog::load_era(&fixtures.join(key_file), key_era)?;
        let jwt_path = fixtures.join(jwt_file);
        let jwt = jwt_path
            .exists()
            .then(|| Catalog::load_era(&jwt_path, jwt_era))
            .transpose()?;
        Ok(Self { api_key, jwt })
    }

    /// The catalog the run judges in `era`.
    pub(crate) fn of(&self, era: Era) -> &Catalog {
        match (era, &self.jwt) {
            (Era::Jwt, Some(jwt)) => jwt,
            _ => &self.api_key,
        }
    }

    /// Each era with its catalog.
    pub(crate) fn each(&self) -> [(Era, &Catalog); 2] {
        [
            (Era::ApiKey, self.of(Era::ApiKey)),
            (Era::Jwt, self.of(Era::Jwt)),
        ]
    }
}

impl Catalog {
    /// Loads a catalog file, rejecting duplicate ids and empty entries with file and line.
    pub fn load(path: &Path) -> Result<Self, InputError> {
        let text = crate::error::read_input(path)?;
        Self::parse(path, &text)
    }

    /// Loads the catalog file of `era` (one that names another era is refused).
    fn load_era(path: &Path, era: Era) -> Result<Self, InputError> {
        let catalog = Self::load(path)?;
        if catalog.era.is_some_and(|e| e != era) {
            return Err(InputError::Invalid {
                path: path.to_path_buf(),
                line: line_of(&crate::error::read_input(path)?, "era:", 1),
                message: format!("this file holds the {era} era's catalog: `era: {era}`"),
            });
        }
        Ok(catalog)
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
            era: file.era,
            cli: file.cli,
            commands: file.commands,
            excluded: file.excluded,
        })
    }

    /// `aitbc 0.10.18`, or `""` when the file names no CLI.
    pub(crate) fn cli_label(&self) -> String {
        self.cli.as_ref().map(CliRelease::label).unwrap_or_default()
    }

    /// The commands a person types (the headline's), then the miner protocol, then the rest.
    pub(crate) fn in_group(&self, group: Group) -> impl Iterator<Item = &Command> {
        self.commands.iter().filter(move |c| c.group == group)
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

    const GOOD: &str = "era: api-key\ncli: {name: aitbc, version: 0.1.0, commit: 35a546ee0}\ncommands:\n  - id: client-submit\n    cli: client submit\n    endpoints: [POST /v1/jobs]\n";

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
            "c.yaml:7: command id \"client-submit\" appears twice"
        );
    }

    #[test]
    fn a_bad_id_or_missing_endpoints_is_rejected() {
        let bad_id = "era: jwt\ncli: {name: a, version: b, commit: c}\ncommands:\n  - id: Client_Submit\n    cli: x\n    endpoints: [GET /]\n";
        assert!(Catalog::parse(Path::new("c.yaml"), bad_id).is_err());
        let no_endpoints = "era: jwt\ncli: {name: a, version: b, commit: c}\ncommands:\n  - id: a\n    cli: a\n    endpoints: []\n";
        assert!(Catalog::parse(Path::new("c.yaml"), no_endpoints).is_err());
    }

    #[test]
    fn one_catalog_without_era_or_cli_judges_both_eras() {
        let dir = tempfile::tempdir().unwrap();
        let plain = "commands:\n  - id: a\n    cli: a\n    endpoints: [GET /a]\n";
        std::fs::write(dir.path().join("commands.yaml"), plain).unwrap();
        let catalogs = Catalogs::load(dir.path()).unwrap();
        assert!(catalogs.jwt.is_none());
        assert_eq!(catalogs.of(Era::Jwt).commands[0].id, "a");
        assert_eq!(catalogs.of(Era::Jwt).cli_label(), "");
        let jwt = "era: api-key\ncommands:\n  - id: b\n    cli: b\n    endpoints: [GET /b]\n";
        std::fs::write(dir.path().join("commands-jwt.yaml"), jwt).unwrap();
        let err = Catalogs::load(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("commands-jwt.yaml:1: this file holds the jwt era's catalog"),
            "{err}"
        );
    }

    #[test]
    fn an_unknown_field_is_a_yaml_error_with_a_line() {
        let text = "era: jwt\ncli: {name: a, version: b, commit: c}\ncommands:\n  - id: a\n    cli: a\n    endpoint: [GET /]\n";
        let err = Catalog::parse(Path::new("c.yaml"), text).unwrap_err();
        assert!(err.to_string().starts_with("c.yaml:"), "{err}");
    }
}
