//! Loading `features/`: parse every `.feature` file, expand outlines, tie each scenario to a
//! catalog command through its `@command:<id>` tag. Any problem names the file and line.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use cucumber::gherkin::{self, GherkinEnv};
use cucumber::tag::Ext as _;

use crate::auth::Era;
use crate::catalog::{Catalog, Catalogs, TAG_PREFIX};
use crate::error::InputError;

mod outline;

/// Scenarios with this tag only run against the embedded double (they degrade it on purpose,
/// or need a target nobody else uses).
pub(crate) const DOUBLE_ONLY_TAG: &str = "double-only";

/// Scenarios that run the user's `aitbc` CLI (`run --cli`); they give the command's CLI verdict.
pub(crate) const CLI_TAG: &str = "cli";
/// Scenarios that log a wallet in themselves: not applicable where the coordinator has no
/// wallet login (a backend between the eras, whose tokens are issued elsewhere).
pub(crate) const WALLET_LOGIN_TAG: &str = "wallet-login";

/// Scenarios with this tag check an endpoint directly that their command can do without
/// (it has a documented fallback): when only they fail, with a missing endpoint, the command
/// still works for its user, and its verdict says "via fallback".
pub(crate) const DIRECT_TAG: &str = "direct";

/// One scenario (an outline's example row counts as one), as the report names it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ScenarioMeta {
    /// The feature file, as given (relative to where the run started).
    pub(crate) path: PathBuf,
    pub(crate) feature: String,
    pub(crate) name: String,
    pub(crate) line: usize,
    /// The catalog command id it covers in the era judged (`Suite::in_era`).
    pub(crate) command: String,
    /// The command it covers in each era it runs in.
    pub(crate) commands: Vec<(Era, String)>,
    /// All tags that apply: feature, rule and scenario.
    pub(crate) tags: Vec<String>,
    /// The roles its steps authenticate as (`client`, `other-admin`, …): without their
    /// credentials it cannot run.
    pub(crate) callers: Vec<&'static str>,
    /// The snapshots its steps name (`the response matches the snapshot "NAME"`).
    pub(crate) snapshots: Vec<String>,
    /// Its first step (its backgrounds' included) that sends a write, and that step's line: what
    /// `run --read-only` refuses.
    pub(crate) writes: Option<(usize, String)>,
}

impl ScenarioMeta {
    /// Tagged `@read-only`: it changes nothing on the target.
    pub(crate) fn is_read_only(&self) -> bool {
        self.tags.iter().any(|t| t == READ_ONLY_TAG)
    }
}

/// The tag of a scenario that changes nothing on the target (`run --read-only` runs only these).
pub(crate) const READ_ONLY_TAG: &str = "read-only";

/// Steps that send a POST, PUT, PATCH or DELETE (or run the user's CLI, which may): by the step
/// vocabulary of `src/steps/` (a test holds this list to it).
pub(crate) const WRITING_STEPS: [&str; 8] = [
    "I send POST ",
    "I send PUT ",
    "I send PATCH ",
    "I send DELETE ",
    "submitted by the client",
    "the client's queued job ",
    "created by the ",
    "I run aitbc ",
];

/// Steps of the miner that poll or report (POST) or register.
const MINER_WRITES: [&str; 2] = ["the miner is ", "the miner has "];

/// The parsed features plus one `ScenarioMeta` per scenario.
#[derive(Debug, Clone)]
pub(crate) struct Suite {
    /// Shared by each era's view of the suite (`in_era`), not copied.
    pub(crate) features: std::sync::Arc<Vec<gherkin::Feature>>,
    pub(crate) scenarios: Vec<ScenarioMeta>,
}

impl Suite {
    /// Parses every `.feature` under `dir` (or the one file `dir` names) and checks its tags
    /// against each era's catalog.
    pub(crate) fn load(dir: &Path, catalogs: &Catalogs) -> Result<Self, InputError> {
        let files = feature_files(dir)?;
        let mut features = Vec::with_capacity(files.len());
        let mut scenarios = Vec::new();
        for file in files {
            let feature = parse_feature(&file)?;
            scenarios.extend(describe(&feature, &file, catalogs)?);
            features.push(feature);
        }
        Ok(Self {
            features: std::sync::Arc::new(features),
            scenarios,
        })
    }

    /// The suite as `era` sees it: the scenarios that run in it, each tied to its command there.
    pub(crate) fn in_era(&self, era: Era) -> Self {
        let scenarios = self
            .scenarios
            .iter()
            .filter_map(|meta| {
                let command = meta.command_in(era)?;
                Some(ScenarioMeta {
                    command: command.to_string(),
                    ..meta.clone()
                })
            })
            .collect();
        Self {
            features: std::sync::Arc::clone(&self.features),
            scenarios,
        }
    }

    /// The scenarios a tag expression selects (all when `None`).
    pub(crate) fn select<'s>(
        &'s self,
        tags: Option<&'s gherkin::tagexpr::TagOperation>,
    ) -> impl Iterator<Item = &'s ScenarioMeta> + 's {
        self.scenarios
            .iter()
            .filter(move |s| tags.is_none_or(|op| op.eval(s.tags.iter())))
    }
}

impl Suite {
    /// The features cut down to the scenarios in `keep` (by file and line); empty ones dropped.
    pub(crate) fn features_for(&self, keep: &HashSet<(PathBuf, usize)>) -> Vec<gherkin::Feature> {
        self.features
            .iter()
            .cloned()
            .filter_map(|mut feature| {
                let path = feature.path.clone().unwrap_or_default();
                let wanted =
                    |s: &gherkin::Scenario| keep.contains(&(path.clone(), s.position.line));
                feature.scenarios.retain(wanted);
                for rule in &mut feature.rules {
                    rule.scenarios.retain(wanted);
                }
                feature.rules.retain(|r| !r.scenarios.is_empty());
                let any = !feature.scenarios.is_empty() || !feature.rules.is_empty();
                any.then_some(feature)
            })
            .collect()
    }
}

impl ScenarioMeta {
    /// The report's key for this scenario.
    pub(crate) fn key(&self) -> (PathBuf, usize) {
        (self.path.clone(), self.line)
    }

    pub(crate) fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t == tag)
    }

    /// The command it covers in `era`; none when it does not run there (`@era:` of another).
    pub(crate) fn command_in(&self, era: Era) -> Option<&str> {
        self.commands
            .iter()
            .find(|(e, _)| *e == era)
            .map(|(_, id)| id.as_str())
    }
}

/// One of N deterministic slices of a suite (`run --shard K/N`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shard {
    /// 1-based.
    pub(crate) index: u32,
    pub(crate) count: u32,
}

impl Shard {
    /// `K/N` with 1 ≤ K ≤ N.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("{text:?} is not a shard: K/N with 1 <= K <= N, e.g. 2/4");
        let (k, n) = text.trim().split_once('/').ok_or_else(bad)?;
        let (index, count): (u32, u32) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Self { index, count })
    }

    /// Whether the scenario falls in this slice: SHA3 of its file and name, so its slice never
    /// depends on the other scenarios of the suite.
    pub(crate) fn contains(&self, meta: &ScenarioMeta) -> bool {
        use sha3::{Digest, Sha3_256};
        let mut hash = Sha3_256::new();
        hash.update(meta.path.to_string_lossy().as_bytes());
        hash.update([0]);
        hash.update(meta.name.as_bytes());
        let digest = hash.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first) % u64::from(self.count) == u64::from(self.index - 1)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Every `*.feature` under `dir`, sorted, so runs and reports are stable.
fn feature_files(dir: &Path) -> Result<Vec<PathBuf>, InputError> {
    let read_err = |source| InputError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(dir).map_err(read_err)?;
    if meta.is_file() {
        return Ok(vec![dir.to_path_buf()]);
    }
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let entries = std::fs::read_dir(&folder).map_err(|source| InputError::Read {
            path: folder.clone(),
            source,
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "feature") {
                found.push(path);
            }
        }
    }
    found.sort();
    if found.is_empty() {
        return Err(InputError::NoFeatures {
            path: dir.to_path_buf(),
        });
    }
    Ok(found)
}

/// Parses one file and expands its outlines; errors carry `file:line:column`.
pub(crate) fn parse_feature(path: &Path) -> Result<gherkin::Feature, InputError> {
    let feature =
        gherkin::Feature::parse_path(path, GherkinEnv::default()).map_err(|err| match err {
            gherkin::ParseFileError::Reading { source, .. } => InputError::Read {
                path: path.to_path_buf(),
                source,
            },
            gherkin::ParseFileError::Parsing { error, source, .. } => {
                let (line, column) = position_of(&source.to_string());
                let message = match error {
                    Some(env) => env.to_string(),
                    None => expected_tokens(&source.to_string()),
                };
                InputError::Gherkin {
                    path: path.to_path_buf(),
                    line,
                    column,
                    message,
                }
            }
        })?;
    outline::expand(feature).map_err(|err| InputError::Gherkin {
        path: path.to_path_buf(),
        line: err.pos.line,
        column: err.pos.col,
        message: format!(
            "the outline uses <{}> but its Examples have no such column",
            err.name
        ),
    })
}

/// gherkin renders its error as `Error at LINE:COL: {expected…}`; its fields are private.
fn position_of(rendered: &str) -> (usize, usize) {
    let numbers = rendered.strip_prefix("Error at ").and_then(|rest| {
        rest.split(':')
            .take(2)
            .map(|n| n.trim().parse().ok())
            .collect::<Option<Vec<usize>>>()
    });
    match numbers.as_deref() {
        Some([line, col]) => (*line, *col),
        _ => (1, 1),
    }
}

fn expected_tokens(rendered: &str) -> String {
    let expected = rendered.splitn(3, ':').nth(2).unwrap_or("").trim();
    format!("unexpected text here; the parser expected one of {expected}")
}

/// The callers a step can name and how steps name them (a scenario that authenticates as a
/// role needs that role's credential, whatever its command's own roles).
const SECONDARY_CALLERS: [(&str, &[&str]); 5] = [
    ("other-client", &["\"other-client\""]),
    ("other-admin", &["\"other-admin\"", "the other admin"]),
    ("client", &["authenticate as \"client\""]),
    ("miner", &["authenticate as \"miner\""]),
    ("admin", &["authenticate as \"admin\""]),
];

/// Every scenario of a feature, with the rule it is in (if any).
fn scenarios_in(
    feature: &gherkin::Feature,
) -> impl Iterator<Item = (&gherkin::Scenario, Option<&gherkin::Rule>)> {
    let top = feature.scenarios.iter().map(|s| (s, None));
    let in_rules =
        (feature.rules.iter()).flat_map(|r| r.scenarios.iter().map(move |s| (s, Some(r))));
    top.chain(in_rules)
}

/// The steps a scenario runs, in order: its feature's background, its rule's background (for a
/// scenario in a `Rule:`), then its own.
fn steps_run<'f>(
    feature: &'f gherkin::Feature,
    rule: Option<&'f gherkin::Rule>,
    scenario: &'f gherkin::Scenario,
) -> Vec<&'f gherkin::Step> {
    let rule_background = rule.and_then(|r| r.background.as_ref());
    (feature.background.iter().chain(rule_background))
        .flat_map(|b| &b.steps)
        .chain(&scenario.steps)
        .collect()
}

/// Which of the secondary callers a scenario's steps use.
fn secondary_callers(steps: &[&gherkin::Step]) -> Vec<&'static str> {
    SECONDARY_CALLERS
        .iter()
        .filter(|(_, names)| (steps.iter()).any(|s| names.iter().any(|n| s.value.contains(n))))
        .map(|(caller, _)| *caller)
        .collect()
}

/// The first of a scenario's steps that sends a write, with its line.
fn first_write(steps: &[&gherkin::Step]) -> Option<(usize, String)> {
    steps
        .iter()
        .find(|s| {
            WRITING_STEPS.iter().any(|w| s.value.contains(w))
                || MINER_WRITES.iter().any(|w| s.value.starts_with(w))
        })
        .map(|s| (s.position.line, format!("{} {}", s.keyword.trim(), s.value)))
}

/// The snapshot names a scenario's steps use.
fn snapshot_names(steps: &[&gherkin::Step]) -> Vec<String> {
    const STEP: &str = "the response matches the snapshot \"";
    steps
        .iter()
        .filter_map(|s| s.value.strip_prefix(STEP)?.strip_suffix('"'))
        .map(String::from)
        .collect()
}

fn command_tags(tags: &[String]) -> Vec<&str> {
    tags.iter()
        .filter_map(|t| t.strip_prefix(TAG_PREFIX))
        .collect()
}

/// One `ScenarioMeta` per scenario: in each era it runs in, the innermost level with a tag of
/// that era's catalog names its command.
fn describe(
    feature: &gherkin::Feature,
    path: &Path,
    catalogs: &Catalogs,
) -> Result<Vec<ScenarioMeta>, InputError> {
    let no_rule_tags: Vec<String> = Vec::new();
    scenarios_in(feature)
        .map(|(scenario, rule)| {
            let rule_tags = rule.map_or(&no_rule_tags, |r| &r.tags);
            let invalid = |message: String| InputError::Invalid {
                path: path.to_path_buf(),
                line: scenario.position.line as u64,
                message,
            };
            let levels = [&scenario.tags, rule_tags, &feature.tags];
            let tags: Vec<String> = levels.iter().flat_map(|t| t.iter().cloned()).collect();
            let commands =
                commands_by_era(&scenario.name, &levels, &tags, catalogs).map_err(invalid)?;
            let steps = steps_run(feature, rule, scenario);
            Ok(ScenarioMeta {
                path: path.to_path_buf(),
                feature: feature.name.clone(),
                name: scenario.name.clone(),
                line: scenario.position.line,
                command: commands
                    .first()
                    .map(|(_, id)| id.clone())
                    .unwrap_or_default(),
                commands,
                tags,
                callers: secondary_callers(&steps),
                snapshots: snapshot_names(&steps),
                writes: first_write(&steps),
            })
        })
        .collect()
}

/// The command a scenario covers in each era it runs in, or why its tags do not say. A
/// scenario runs in the eras whose catalogs its tags name (and its `@era:` tag allows).
fn commands_by_era(
    name: &str,
    levels: &[&Vec<String>; 3],
    tags: &[String],
    catalogs: &Catalogs,
) -> Result<Vec<(Era, String)>, String> {
    if let Some(unknown) = command_tags(tags)
        .into_iter()
        .find(|id| catalogs.each().iter().all(|(_, c)| c.get(id).is_none()))
    {
        return Err(format!(
            "@{TAG_PREFIX}{unknown} names no command in the catalog (see `aitbc-conformance list`)"
        ));
    }
    let eras: Vec<Era> = tags.iter().filter_map(|t| Era::of_tag(t)).collect();
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for (era, catalog) in catalogs.each() {
        if !eras.is_empty() && !eras.contains(&era) {
            continue;
        }
        match command_of(name, levels, era, catalog)? {
            Some(id) => out.push((era, id)),
            None => missing.push(era),
        }
    }
    match (out.is_empty(), missing.as_slice()) {
        (false, _) => Ok(out),
        (true, [era]) => Err(format!(
            "scenario {name:?} has no @{TAG_PREFIX}<id> tag of the {era} era (`aitbc-conformance list --era {era}`)"
        )),
        (true, _) => Err(format!(
            "scenario {name:?} has no @{TAG_PREFIX}<id> tag; every scenario must name the CLI command it covers"
        )),
    }
}

/// The one command of `catalog` the innermost level naming any of its commands names; none
/// when no level names one (the scenario does not run in that era).
fn command_of(
    name: &str,
    levels: &[&Vec<String>; 3],
    era: Era,
    catalog: &Catalog,
) -> Result<Option<String>, String> {
    let found = levels
        .iter()
        .map(|tags| {
            command_tags(tags)
                .into_iter()
                .filter(|id| catalog.get(id).is_some())
                .collect::<Vec<_>>()
        })
        .find(|found| !found.is_empty());
    match found.as_deref() {
        None => Ok(None),
        Some([id]) => Ok(Some((*id).to_string())),
        Some(found) => Err(format!(
            "scenario {name:?} names {} commands of the {era} era ({}); tag it with exactly one",
            found.len(),
            found.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalogs {
        let era = |era: &str, extra: &str| {
            let text = format!("era: {era}\ncli: {{name: aitbc, version: '1', commit: c}}\ncommands:\n  - id: blockchain-head\n    cli: blockchain head\n    endpoints: [GET /rpc/head]\n{extra}");
            Catalog::parse(Path::new("c.yaml"), &text).unwrap()
        };
        Catalogs {
            api_key: era(
                "api-key",
                "  - id: client-submit\n    cli: client submit\n    endpoints: [POST /v1/jobs]\n",
            ),
            jwt: Some(era(
                "jwt",
                "  - id: ai-submit\n    cli: ai submit\n    endpoints: [POST /v1/jobs]\n",
            )),
        }
    }

    #[test]
    fn a_scenario_names_its_command_in_each_era() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "a.feature",
            "@command:client-submit @command:ai-submit\nFeature: Submit\n\n  Scenario: s\n    When I send GET \"/rpc/head\"\n\n  @command:blockchain-head\n  Scenario: h\n    When I send GET \"/rpc/head\"\n",
        );
        let suite = Suite::load(dir.path(), &catalog()).unwrap();
        let submit = &suite.scenarios[0];
        assert_eq!(submit.command_in(Era::ApiKey), Some("client-submit"));
        assert_eq!(submit.command_in(Era::Jwt), Some("ai-submit"));
        let jwt = suite.in_era(Era::Jwt);
        assert_eq!(jwt.scenarios[0].command, "ai-submit");
        assert_eq!(jwt.scenarios[1].command, "blockchain-head");
    }

    #[test]
    fn a_scenario_runs_in_the_eras_its_tags_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "a.feature",
            "Feature: Submit\n\n  @command:client-submit\n  Scenario: s\n    When I send GET \"/rpc/head\"\n",
        );
        let suite = Suite::load(dir.path(), &catalog()).unwrap();
        assert!(suite.in_era(Era::Jwt).scenarios.is_empty());
        assert_eq!(suite.in_era(Era::ApiKey).scenarios.len(), 1);
        std::fs::write(
            &path,
            "@era:jwt\nFeature: Submit\n\n  @command:client-submit\n  Scenario: s\n    When I send GET \"/rpc/head\"\n",
        )
        .unwrap();
        let err = Suite::load(dir.path(), &catalog()).unwrap_err().to_string();
        assert!(err.starts_with(&format!("{}:5:", path.display())), "{err}");
        assert!(err.contains("no @command:<id> tag of the jwt era"), "{err}");
    }

    #[test]
    fn every_scenario_of_the_suite_counts_in_each_era_it_is_not_tagged_out_of() {
        let catalogs = Catalogs::load(Path::new("fixtures")).unwrap();
        let suite = Suite::load(Path::new("features"), &catalogs).unwrap();
        for meta in &suite.scenarios {
            let eras: Vec<Era> = meta.tags.iter().filter_map(|t| Era::of_tag(t)).collect();
            let wanted = if eras.is_empty() { 2 } else { eras.len() };
            assert_eq!(
                meta.commands.len(),
                wanted,
                "{}:{} {:?} names a command in {:?} only",
                meta.path.display(),
                meta.line,
                meta.name,
                meta.commands
            );
        }
        for (era, catalog) in catalogs.each() {
            let scenarios = suite.in_era(era).scenarios;
            for command in &catalog.commands {
                assert!(
                    scenarios.iter().any(|s| s.command == command.id),
                    "{era}: no scenario covers {}",
                    command.id
                );
            }
        }
    }

    /// A scenario that lets time pass on a live target is tagged `@waits`, so that quick live
    /// runs and the benchmark can leave it out (`--tags "not @waits"`).
    #[test]
    fn every_scenario_that_lets_time_pass_is_tagged_waits() {
        let catalogs = Catalogs::load(Path::new("fixtures")).unwrap();
        let suite = Suite::load(Path::new("features"), &catalogs).unwrap();
        let waiting = |steps: &[&gherkin::Step]| {
            (steps.iter())
                .any(|s| s.value.ends_with(" have passed") || s.value.ends_with(" has passed"))
        };
        let mut checked = 0;
        for feature in suite.features.iter() {
            for (scenario, rule) in scenarios_in(feature) {
                if !waiting(&steps_run(feature, rule, scenario)) {
                    continue;
                }
                checked += 1;
                let tags = (feature.tags.iter())
                    .chain(rule.iter().flat_map(|r| &r.tags))
                    .chain(&scenario.tags);
                assert!(
                    tags.into_iter().any(|t| t == "waits"),
                    "{:?} lets time pass but is not tagged @waits",
                    scenario.name
                );
            }
        }
        assert!(checked > 0, "the suite has a scenario that lets time pass");
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn outlines_expand_and_inherit_the_feature_tag() {
        let suite = loaded(
            "@command:blockchain-head\nFeature: Head\n\n  Scenario Outline: n <n>\n    When I send GET \"/rpc/head\"\n\n    Examples:\n      | n |\n      | 1 |\n      | 2 |\n",
        );
        assert_eq!(suite.scenarios.len(), 2);
        assert_eq!(suite.scenarios[0].name, "n 1");
        assert_eq!(suite.scenarios[1].command, "blockchain-head");
        assert!(suite.scenarios[0].callers.is_empty());
        assert_ne!(suite.scenarios[0].line, suite.scenarios[1].line);
    }

    /// The suite of one feature file with this text.
    fn loaded(text: &str) -> Suite {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "one.feature", text);
        Suite::load(dir.path(), &catalog()).unwrap()
    }

    #[test]
    fn a_rules_background_counts_for_its_scenarios_only() {
        let suite = loaded(
            "@command:blockchain-head\nFeature: Head\n\n  Background:\n    Given I authenticate as \"miner\"\n\n  Scenario: outside\n    When I send GET \"/rpc/head\"\n\n  Rule: writes\n\n    Background:\n      Given I authenticate as \"admin\"\n      And I send POST \"/rpc/x\"\n      Then the response matches the snapshot \"rule-bg\"\n\n    Scenario: in the rule\n      When I send GET \"/rpc/head\"\n",
        );
        let by_name = |n: &str| suite.scenarios.iter().find(|s| s.name == n).unwrap();
        let ruled = by_name("in the rule");
        assert_eq!(ruled.callers, ["miner", "admin"]);
        assert_eq!(ruled.snapshots, ["rule-bg"]);
        assert_eq!(
            ruled.writes,
            Some((14, "And I send POST \"/rpc/x\"".to_string()))
        );
        let outside = by_name("outside");
        assert_eq!(outside.callers, ["miner"]);
        assert!(outside.snapshots.is_empty() && outside.writes.is_none());
    }

    #[test]
    fn an_unknown_command_tag_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "b.feature",
            "Feature: X\n\n  @command:no-such-command\n  Scenario: x\n    When I send GET \"/rpc/head\"\n",
        );
        let err = Suite::load(dir.path(), &catalog()).unwrap_err().to_string();
        assert!(err.starts_with(&format!("{}:4:", path.display())), "{err}");
        assert!(err.contains("no-such-command"), "{err}");
    }

    #[test]
    fn a_missing_command_tag_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "c.feature",
            "Feature: X\n\n  Scenario: x\n    When I send GET \"/rpc/head\"\n",
        );
        let err = Suite::load(dir.path(), &catalog()).unwrap_err().to_string();
        assert!(
            err.contains(":3: scenario \"x\" has no @command:<id> tag; every scenario"),
            "{err}"
        );
    }

    #[test]
    fn malformed_gherkin_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "d.feature",
            "Feature: X\n\n  Scenario: x\n    When I send\n  Bogus line here\n",
        );
        let err = Suite::load(dir.path(), &catalog()).unwrap_err().to_string();
        assert!(err.starts_with(&format!("{}:", path.display())), "{err}");
        assert!(err.contains("malformed feature file"), "{err}");
    }

    #[test]
    fn an_empty_folder_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            Suite::load(dir.path(), &catalog()),
            Err(InputError::NoFeatures { .. })
        ));
    }
}
