//! The run summary: per-scenario results, per-command pass rates and verdicts, the headline.

use serde::{Deserialize, Serialize};

use crate::auth::Era;
use crate::catalog::{Catalog, Group};
use crate::exchange::endpoints::EndpointReport;
use crate::failure::FailureClass;
use crate::runner::outcome::Outcome;
use crate::suite::{ScenarioMeta, DIRECT_TAG};

/// Bumped when a field of `summary.json` changes meaning or goes away.
pub(crate) const SCHEMA_VERSION: u32 = 2;

/// What a user of one CLI command would experience.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Verdict {
    /// Every scenario of the command passed.
    Working,
    /// Some passed, some failed.
    Partial,
    /// None passed.
    Broken,
    /// Every scenario passed, some only after a retry.
    Flaky,
    /// Its role's key was refused or missing: nothing could be tested.
    Blocked,
    /// No scenario of the command ran (filtered out, or none written).
    Untested,
}

impl Verdict {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Verdict::Working => "working",
            Verdict::Partial => "partial",
            Verdict::Broken => "broken",
            Verdict::Flaky => "flaky",
            Verdict::Blocked => "blocked",
            Verdict::Untested => "untested",
        }
    }

    /// From counts: all passed → working, none → broken, no scenarios → untested.
    pub(crate) fn of(passed: usize, total: usize) -> Self {
        match (passed, total) {
            (_, 0) => Verdict::Untested,
            (p, t) if p == t => Verdict::Working,
            (0, _) => Verdict::Broken,
            _ => Verdict::Partial,
        }
    }

    /// From a command's scenario statuses (skipped ones excluded by the caller). A blocked
    /// scenario (no credential for it) is untested, not failed: the verdict is judged on what
    /// ran, and a command with nothing runnable is `blocked`.
    pub(crate) fn of_statuses(statuses: &[Status]) -> Self {
        let count = |s: Status| statuses.iter().filter(|x| **x == s).count();
        let (flaky, blocked) = (count(Status::Flaky), count(Status::Blocked));
        if !statuses.is_empty() && blocked == statuses.len() {
            return Verdict::Blocked;
        }
        let passed = count(Status::Passed) + flaky;
        match Self::of(passed, statuses.len() - blocked) {
            Verdict::Working if flaky > 0 => Verdict::Flaky,
            verdict => verdict,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Status {
    Passed,
    /// Passed, but only after a retry.
    Flaky,
    Failed,
    /// Not run: its role's key was refused or missing (see the failure's message).
    Blocked,
    /// Not run on this target by design (e.g. `@double-only` on a live run); not counted.
    Skipped,
    /// Selected but never started (e.g. after `--fail-fast` stopped the run).
    NotRun,
}

impl Status {
    /// Whether the scenario counts as a pass.
    pub(crate) fn is_pass(self) -> bool {
        matches!(self, Status::Passed | Status::Flaky)
    }
}

/// Why a selected scenario was not handed to the runner.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Disposition {
    Run,
    Blocked(String),
    Skipped(String),
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct FailureReport {
    pub(crate) step: String,
    pub(crate) class: FailureClass,
    pub(crate) message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct ScenarioReport {
    pub(crate) feature: String,
    pub(crate) file: String,
    pub(crate) line: usize,
    pub(crate) name: String,
    /// CLI spelling, e.g. `client submit`.
    pub(crate) command: String,
    pub(crate) status: Status,
    pub(crate) duration_ms: f64,
    pub(crate) failure: Option<FailureReport>,
    /// Tagged `@direct`: checks one endpoint the command can do without (see `via_fallback`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) direct: bool,
    /// Tagged `@cli`: runs the user's `aitbc` CLI; it counts for the command's CLI verdict only.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) cli: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct CommandReport {
    pub(crate) command: String,
    pub(crate) id: String,
    /// Scenarios that ran (or should have): blocked ones are not among them.
    pub(crate) scenarios_total: usize,
    pub(crate) scenarios_passed: usize,
    /// Scenarios that could not run for lack of a credential (`blocked`): untested, not failed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub(crate) scenarios_untested: usize,
    /// Passed / total, 0.0 when no scenario ran.
    pub(crate) pass_rate: f64,
    pub(crate) verdict: Verdict,
    pub(crate) endpoints: Vec<String>,
    /// Failure classes seen, sorted and deduplicated.
    pub(crate) classes: Vec<FailureClass>,
    /// The first failure's reason, for the table.
    pub(crate) first_failure: Option<String>,
    /// Working for its user only through a documented fallback (an endpoint it can do without is missing).
    pub(crate) via_fallback: bool,
    /// What the user's CLI made of the command (`run --cli`), when a CLI scenario of it ran or
    /// the CLI has no command for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) cli: Option<CliReport>,
    /// `miner-protocol` or `api` for routes no command a person types calls (not in the
    /// headline); absent for a command of the CLI.
    #[serde(default, skip_serializing_if = "Group::is_cli_ref")]
    pub(crate) group: Group,
}

/// A command's verdict through the user's `aitbc` CLI.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct CliReport {
    pub(crate) verdict: Verdict,
    pub(crate) scenarios_total: usize,
    pub(crate) scenarios_passed: usize,
    pub(crate) classes: Vec<FailureClass>,
    pub(crate) first_failure: Option<String>,
    /// Why the CLI has no command for it, when it has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct Headline {
    pub(crate) commands_working: usize,
    pub(crate) commands_total: usize,
    /// Percentage, one decimal.
    pub(crate) rate: f64,
    /// Whose commands are counted: `aitbc 0.10.18` (empty in summaries of older versions).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub(crate) cli: String,
}

/// What the run was judged against: part of its identity (schema 2: was a plain string).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub(crate) struct TargetReport {
    /// `embedded double`, `live coordinator URL + node URL`.
    pub(crate) description: String,
    /// The era judged: `api-key` or `jwt`.
    pub(crate) era: Era,
    /// The target's TLS certificate was not verified (`--insecure`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) insecure: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct Summary {
    pub(crate) schema_version: u32,
    pub(crate) target: TargetReport,
    /// When the run finished, ISO-8601 UTC.
    pub(crate) finished_at: String,
    pub(crate) duration_ms: f64,
    pub(crate) headline: Headline,
    /// `CLI: N/M commands work end to end`, when CLI scenarios ran (`run --cli`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) cli_headline: Option<Headline>,
    pub(crate) scenarios_total: usize,
    pub(crate) scenarios_passed: usize,
    /// Scenarios that could not run for lack of a credential: not in `scenarios_total`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub(crate) scenarios_untested: usize,
    /// `--strict`: untested (blocked) scenarios fail the run.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) strict: bool,
    pub(crate) commands: Vec<CommandReport>,
    pub(crate) endpoints: Vec<EndpointReport>,
    /// Routes the user's CLI called that the contract does not know (`run --cli`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) cli_unknown_routes: Vec<String>,
    /// Where the CLI and the backend miss each other (`run --cli`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) cli_drift: Option<CliDrift>,
    /// Snapshot bookkeeping, when the run took snapshots.
    pub(crate) snapshots: Option<SnapshotReport>,
    pub(crate) scenarios: Vec<ScenarioReport>,
    /// The run was stopped by SIGINT or SIGTERM: the scenarios it did not finish are `not_run`.
    pub(crate) interrupted: bool,
    /// The waits the target imposed with a 429 (another run had used its window).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) rate_limit_waits: Vec<crate::pacing::RateWait>,
    /// The revision the run is filed under (`--revision`, `GITHUB_SHA`, or the working
    /// directory's git commit), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) revision: Option<String>,
    /// This harness's version.
    pub(crate) harness_version: String,
    /// What the run exercised of the services' OpenAPI documents (when schema checks were on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) spec_coverage: Option<crate::openapi::validate::Coverage>,
    /// `K/N` when this run was one shard of a suite split N ways (`run --shard`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) shard: Option<String>,
    /// The CI gate's conclusion, when a gate flag was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) gate: Option<GateReport>,
    /// What `run --probe` found beyond the scenarios.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) probe: Option<crate::probe::finding::ProbeReport>,
}

/// Where the user's CLI and the backend miss each other, from the exchanges of a `run --cli`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub(crate) struct CliDrift {
    /// What the CLI calls that the backend does not serve: routes the contract does not know,
    /// or that answered only 404/405.
    pub(crate) called_not_served: Vec<String>,
    /// The reverse: endpoints the catalog's commands use that the CLI never called while their
    /// CLI scenarios ran (what it calls instead is above).
    pub(crate) served_not_called: Vec<String>,
}

impl CliDrift {
    pub(crate) fn is_empty(&self) -> bool {
        self.called_not_served.is_empty() && self.served_not_called.is_empty()
    }

    /// `the CLI calls … that this backend does not serve; it never calls …`.
    pub(crate) fn line(&self) -> String {
        let mut parts = Vec::new();
        if !self.called_not_served.is_empty() {
            parts.push(format!(
                "the CLI calls {} that this backend does not serve",
                self.called_not_served.join(", ")
            ));
        }
        if !self.served_not_called.is_empty() {
            parts.push(format!(
                "it never calls {}, which its commands are catalogued with",
                self.served_not_called.join(", ")
            ));
        }
        format!("CLI drift: {}", parts.join("; "))
    }
}

/// The gate in `summary.json`: why it failed (empty: it passed) and what changed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub(crate) struct GateReport {
    pub(crate) passed: bool,
    pub(crate) failures: Vec<String>,
    pub(crate) notes: Vec<String>,
}

/// What the snapshot steps came to.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub(crate) struct SnapshotReport {
    /// `check`, `update` or `off`.
    pub(crate) mode: String,
    /// Snapshot files the run's scenarios referenced.
    pub(crate) referenced: usize,
    /// New snapshots written as `.snap.new`, waiting for review.
    pub(crate) pending: Vec<String>,
    /// Snapshot files no scenario referenced (only judged after a full run).
    pub(crate) unreferenced: Vec<String>,
    /// Whether the run was full, so `unreferenced` means something.
    pub(crate) unreferenced_checked: bool,
}

/// One selected scenario and what happened to it, as `Summary::build` takes them.
#[derive(Debug, Clone)]
pub(crate) struct Planned<'m> {
    pub(crate) meta: &'m ScenarioMeta,
    pub(crate) disposition: Disposition,
}

/// What a run knew besides its scenarios.
#[derive(Debug, Clone, Default)]
pub(crate) struct RunFacts {
    pub(crate) target: TargetReport,
    pub(crate) duration_ms: f64,
    pub(crate) endpoints: Vec<EndpointReport>,
    /// Scenarios (file, line) that passed only after a retry.
    pub(crate) flaky: std::collections::HashSet<(std::path::PathBuf, usize)>,
    /// The CLI whose commands the headline counts: `aitbc 0.10.18`.
    pub(crate) cli: String,
}

/// What a command row needs of the catalog: its CLI spelling, id and endpoints.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CommandSpec<'a> {
    pub(crate) cli: &'a str,
    pub(crate) id: &'a str,
    pub(crate) endpoints: &'a [String],
    /// Why the user's CLI has no command for it.
    pub(crate) no_cli: Option<&'a str>,
    /// Whether a person types it (only those count in the headline).
    pub(crate) group: Group,
}

impl Summary {
    /// Joins what was selected with what ran; every catalog command gets a row.
    pub(crate) fn build(
        catalog: &Catalog,
        planned: &[Planned],
        outcomes: &[Outcome],
        facts: RunFacts,
    ) -> Self {
        let by_key: std::collections::HashMap<(&std::path::Path, usize), &Outcome> = outcomes
            .iter()
            .map(|o| ((o.path.as_path(), o.line), o))
            .collect();
        let scenarios: Vec<ScenarioReport> = planned
            .iter()
            .map(|p| {
                let outcome = by_key.get(&(p.meta.path.as_path(), p.meta.line)).copied();
                scenario_report(catalog, p, outcome, &facts)
            })
            .collect();
        let specs = catalog.commands.iter().map(|c| CommandSpec {
            cli: &c.cli,
            id: &c.id,
            endpoints: &c.endpoints,
            no_cli: c.no_cli.as_deref(),
            group: c.group,
        });
        Self::assemble(specs, scenarios, facts)
    }

    /// Command rows and the headline, computed from scenario rows alone: a run's, or the
    /// scenarios of several shards merged (which therefore judge exactly as one run would).
    pub(crate) fn assemble<'a>(
        specs: impl IntoIterator<Item = CommandSpec<'a>>,
        scenarios: Vec<ScenarioReport>,
        facts: RunFacts,
    ) -> Self {
        let commands: Vec<CommandReport> = specs
            .into_iter()
            .map(|spec| command_report(spec, &scenarios))
            .collect();
        // The headline counts the commands a person types.
        let counted_commands = || commands.iter().filter(|c| c.group.is_cli());
        let total = counted_commands().count();
        let working = counted_commands()
            .filter(|c| c.verdict == Verdict::Working)
            .count();
        let counted: Vec<&ScenarioReport> = scenarios
            .iter()
            .filter(|s| !matches!(s.status, Status::Skipped | Status::Blocked))
            .collect();
        let untested = scenarios
            .iter()
            .filter(|s| s.status == Status::Blocked)
            .count();
        let cli_ran = counted.iter().any(|s| s.cli);
        let cli_headline = cli_ran.then(|| {
            let working = counted_commands()
                .filter(|c| {
                    c.cli
                        .as_ref()
                        .is_some_and(|r| r.verdict == Verdict::Working)
                })
                .count();
            Headline::of(working, total, &facts.cli)
        });
        Self {
            schema_version: SCHEMA_VERSION,
            target: facts.target,
            finished_at: crate::clock::iso_utc(crate::clock::now_micros()),
            duration_ms: facts.duration_ms,
            headline: Headline::of(working, total, &facts.cli),
            cli_headline,
            scenarios_total: counted.len(),
            scenarios_passed: counted.iter().filter(|s| s.status.is_pass()).count(),
            scenarios_untested: untested,
            strict: false,
            commands,
            endpoints: facts.endpoints,
            cli_unknown_routes: Vec::new(),
            cli_drift: None,
            snapshots: None,
            scenarios,
            interrupted: false,
            rate_limit_waits: Vec::new(),
            revision: None,
            harness_version: env!("CARGO_PKG_VERSION").to_string(),
            shard: None,
            spec_coverage: None,
            gate: None,
            probe: None,
        }
    }

    /// The catalog as this summary's command rows name it (for re-assembling merged shards).
    pub(crate) fn command_specs(&self) -> impl Iterator<Item = CommandSpec<'_>> {
        self.commands.iter().map(|c| CommandSpec {
            cli: &c.command,
            id: &c.id,
            endpoints: &c.endpoints,
            no_cli: c.cli.as_ref().and_then(|r| r.note.as_deref()),
            group: c.group,
        })
    }

    /// Whether every counted scenario passed (flaky ones included: they are reported, not
    /// failed). Scenarios blocked for lack of a credential are untested, not failed, unless
    /// the run is `--strict`.
    pub(crate) fn all_passed(&self) -> bool {
        self.scenarios_passed == self.scenarios_total
            && !(self.strict && self.scenarios_untested > 0)
    }

    /// `13/15 commands working (86.7%)`.
    pub(crate) fn headline_text(&self) -> String {
        let h = &self.headline;
        let count = |v: Verdict| self.commands.iter().filter(|c| c.verdict == v).count();
        let notes: Vec<String> = [
            (Verdict::Flaky, "flaky"),
            (Verdict::Blocked, "blocked"),
            (Verdict::Untested, "untested"),
        ]
        .into_iter()
        .filter(|(v, _)| count(*v) > 0)
        .map(|(v, name)| format!("{} {name}", count(v)))
        .collect();
        let note = if notes.is_empty() {
            String::new()
        } else {
            format!(", {}", notes.join(", "))
        };
        format!(
            "{}/{} {} working ({:.1}%{note})",
            h.commands_working,
            h.commands_total,
            self.whose_commands(),
            h.rate
        )
    }

    /// The heading a command row starts, where the rows change group (only when the catalog
    /// has more than one group: the miner protocol and the API-only routes are not counted).
    pub(crate) fn group_heading(&self, index: usize) -> Option<String> {
        let group = self.commands.get(index)?.group;
        let first = index == 0 || self.commands[index - 1].group != group;
        let grouped = self.commands.iter().any(|c| c.group != group);
        let cli = match self.headline.cli.as_str() {
            "" => "the CLI",
            cli => cli,
        };
        let counted = if group.is_cli() {
            "the headline's"
        } else {
            "not in the headline"
        };
        (first && grouped).then(|| format!("{} — {counted}", group.heading(cli)))
    }

    /// `commands of aitbc 0.10.18 (jwt era)`; `commands (api-key era)` in older summaries.
    fn whose_commands(&self) -> String {
        match self.headline.cli.as_str() {
            "" => format!("commands ({} era)", self.target.era),
            cli => format!("commands of {cli} ({} era)", self.target.era),
        }
    }
}

/// Reads a `summary.json` (all of it, or the view `T` takes of it); a missing or malformed
/// file names itself and the line.
pub(crate) fn load_json<T: serde::de::DeserializeOwned>(
    path: &std::path::Path,
) -> Result<T, crate::error::InputError> {
    let text = crate::error::read_input(path)?;
    serde_json::from_str(&text).map_err(|e| crate::error::InputError::Invalid {
        path: path.to_path_buf(),
        line: e.line() as u64,
        message: format!("not a summary.json of this harness: {e}"),
    })
}

impl Summary {
    /// `CLI: 8/19 commands work end to end against the embedded double`, when CLI scenarios ran.
    pub(crate) fn cli_headline_text(&self) -> Option<String> {
        let h = self.cli_headline.as_ref()?;
        Some(format!(
            "CLI: {}/{} {} work end to end ({:.1}%) against the {}",
            h.commands_working,
            h.commands_total,
            self.whose_commands(),
            h.rate,
            self.target.description
        ))
    }
}

impl Headline {
    /// `working` of `total` commands of `cli`, the rate a percentage with one decimal.
    pub(crate) fn of(working: usize, total: usize, cli: &str) -> Self {
        Self {
            commands_working: working,
            commands_total: total,
            rate: (rate(working, total) * 1000.0).round() / 10.0,
            cli: cli.to_string(),
        }
    }
}

/// `passed / total` as a fraction in `[0, 1]`, 0 when `total` is 0.
pub(crate) fn rate(passed: usize, total: usize) -> f64 {
    if total == 0 {
        0.0
    } else {
        passed as f64 / total as f64
    }
}

/// `2 scenarios untested: no second client credential configured (…)`.
fn untested_note(untested: usize, reason: &str) -> String {
    let plural = if untested == 1 { "" } else { "s" };
    format!("{untested} scenario{plural} untested: {reason}")
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn command_report(spec: CommandSpec, scenarios: &[ScenarioReport]) -> CommandReport {
    let all_mine: Vec<&ScenarioReport> = scenarios
        .iter()
        .filter(|s| s.command == spec.cli && s.status != Status::Skipped && !s.cli)
        .collect();
    let untested = all_mine
        .iter()
        .filter(|s| s.status == Status::Blocked)
        .count();
    let everything_blocked = untested > 0 && untested == all_mine.len();
    let blocked_reason = all_mine
        .iter()
        .filter(|s| s.status == Status::Blocked)
        .find_map(|s| s.failure.as_ref().map(|f| f.message.clone()))
        .unwrap_or_default();
    // What ran decides; a command with nothing runnable keeps its blocked rows for the reason.
    let mine: Vec<&ScenarioReport> = if everything_blocked {
        all_mine
    } else {
        all_mine
            .into_iter()
            .filter(|s| s.status != Status::Blocked)
            .collect()
    };
    let through_cli: Vec<&ScenarioReport> = scenarios
        .iter()
        .filter(|s| s.command == spec.cli && s.status != Status::Skipped && s.cli)
        .collect();
    let statuses: Vec<Status> = mine.iter().map(|s| s.status).collect();
    let passed = statuses.iter().filter(|s| s.is_pass()).count();
    let mut classes: Vec<FailureClass> = mine
        .iter()
        .filter_map(|s| s.failure.as_ref().map(|f| f.class))
        .collect();
    classes.sort();
    classes.dedup();
    let first_failure = mine.iter().find_map(|s| {
        s.failure
            .as_ref()
            .map(|f| format!("[{}] {}", f.class, f.message))
            .or_else(|| (s.status == Status::NotRun).then(|| "not run".to_string()))
    });
    // Only direct checks failed, each on a missing endpoint, and the rest passed:
    // the command works for its user through its documented fallback.
    let via_fallback = passed > 0
        && passed < mine.len()
        && mine.iter().all(|s| {
            s.status.is_pass()
                || (s.direct
                    && s.failure
                        .as_ref()
                        .is_some_and(|f| f.class == FailureClass::MissingEndpoint))
        });
    let verdict = if via_fallback {
        Verdict::Working
    } else {
        Verdict::of_statuses(&statuses)
    };
    let ran = if everything_blocked { 0 } else { mine.len() };
    CommandReport {
        command: spec.cli.to_string(),
        id: spec.id.to_string(),
        scenarios_total: ran,
        scenarios_passed: passed,
        scenarios_untested: untested,
        pass_rate: rate(passed, ran),
        verdict,
        endpoints: spec.endpoints.to_vec(),
        classes,
        first_failure: match (via_fallback, first_failure) {
            (true, f) => f.map(|f| format!("works via fallback; {f}")),
            (false, None) if untested > 0 => Some(untested_note(untested, &blocked_reason)),
            (false, f) => f,
        },
        via_fallback,
        cli: cli_report(&through_cli, spec.no_cli),
        group: spec.group,
    }
}

/// The CLI verdict from the command's `@cli` scenarios; a command the CLI lacks says why.
fn cli_report(scenarios: &[&ScenarioReport], no_cli: Option<&str>) -> Option<CliReport> {
    if scenarios.is_empty() && no_cli.is_none() {
        return None;
    }
    let statuses: Vec<Status> = scenarios.iter().map(|s| s.status).collect();
    let mut classes: Vec<FailureClass> = scenarios
        .iter()
        .filter_map(|s| s.failure.as_ref().map(|f| f.class))
        .collect();
    classes.sort();
    classes.dedup();
    Some(CliReport {
        verdict: Verdict::of_statuses(&statuses),
        scenarios_total: scenarios.len(),
        scenarios_passed: statuses.iter().filter(|s| s.is_pass()).count(),
        classes,
        first_failure: scenarios.iter().find_map(|s| {
            s.failure
                .as_ref()
                .map(|f| format!("[{}] {}", f.class, f.message))
        }),
        note: no_cli.map(String::from),
    })
}

fn scenario_report(
    catalog: &Catalog,
    planned: &Planned,
    outcome: Option<&Outcome>,
    facts: &RunFacts,
) -> ScenarioReport {
    let meta = planned.meta;
    let reason = |step: &str, class: FailureClass, message: &str| FailureReport {
        step: step.to_string(),
        class,
        message: message.to_string(),
    };
    let (status, failure) = match (&planned.disposition, outcome) {
        (Disposition::Blocked(why), _) => (
            Status::Blocked,
            Some(reason("(preflight)", FailureClass::Auth, why)),
        ),
        (Disposition::Skipped(why), _) => (
            Status::Skipped,
            Some(reason("(not run here)", FailureClass::NotApplicable, why)),
        ),
        (Disposition::Run, None) => (Status::NotRun, None),
        (Disposition::Run, Some(o)) => match &o.failure {
            Some(f) if f.class == FailureClass::NotApplicable => {
                (Status::Skipped, Some(reason(&f.step, f.class, &f.message)))
            }
            Some(f) => (Status::Failed, Some(reason(&f.step, f.class, &f.message))),
            None if o.retried || facts.flaky.contains(&meta.key()) => (Status::Flaky, None),
            None => (Status::Passed, None),
        },
    };
    ScenarioReport {
        feature: meta.feature.clone(),
        file: meta.path.display().to_string(),
        line: meta.line,
        name: meta.name.clone(),
        command: catalog
            .get(&meta.command)
            .map_or_else(|| meta.command.clone(), |c| c.cli.clone()),
        status,
        duration_ms: outcome.map_or(0.0, |o| o.duration.as_secs_f64() * 1000.0),
        failure,
        direct: meta.has_tag(DIRECT_TAG),
        cli: meta.has_tag(crate::suite::CLI_TAG),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::outcome::StepFailure;
    use std::path::{Path, PathBuf};
    use std::time::Duration;

    fn catalog() -> Catalog {
        let text = "era: api-key\ncli: {name: aitbc, version: 0.1.0, commit: c}\ncommands:\n  - {id: a, cli: cmd a, endpoints: [GET /a]}\n  - {id: b, cli: cmd b, endpoints: [GET /b]}\n  - {id: c, cli: cmd c, endpoints: [GET /c]}\n";
        Catalog::parse(Path::new("c.yaml"), text).unwrap()
    }

    fn meta(line: usize, command: &str) -> ScenarioMeta {
        ScenarioMeta {
            path: PathBuf::from("f.feature"),
            feature: "F".into(),
            name: format!("s{line}"),
            line,
            command: command.into(),
            commands: vec![(Era::ApiKey, command.into())],
            tags: vec![],
            callers: vec![],
            snapshots: vec![],
            writes: None,
        }
    }

    fn outcome(line: usize, failed: bool) -> Outcome {
        Outcome {
            path: PathBuf::from("f.feature"),
            line,
            duration: Duration::from_millis(2),
            failure: failed.then(|| StepFailure {
                step: "Then x".into(),
                class: FailureClass::Auth,
                message: "expected status 201, got 401".into(),
            }),
            retried: false,
            exchanges: Vec::new(),
        }
    }

    fn run_all(metas: &[ScenarioMeta]) -> Vec<Planned<'_>> {
        metas
            .iter()
            .map(|meta| Planned {
                meta,
                disposition: Disposition::Run,
            })
            .collect()
    }

    #[test]
    fn flaky_blocked_and_skipped_scenarios_are_told_apart() {
        let metas = [meta(1, "a"), meta(2, "a"), meta(3, "b"), meta(4, "c")];
        let mut planned = run_all(&metas);
        planned[2].disposition = Disposition::Blocked("the admin key was refused".into());
        planned[3].disposition = Disposition::Skipped("needs the double".into());
        let facts = RunFacts {
            flaky: [(PathBuf::from("f.feature"), 2)].into_iter().collect(),
            ..RunFacts::default()
        };
        let summary = Summary::build(
            &catalog(),
            &planned,
            &[outcome(1, false), outcome(2, false)],
            facts,
        );
        let statuses: Vec<Status> = summary.scenarios.iter().map(|s| s.status).collect();
        assert_eq!(
            statuses,
            [
                Status::Passed,
                Status::Flaky,
                Status::Blocked,
                Status::Skipped
            ]
        );
        let verdicts: Vec<Verdict> = summary.commands.iter().map(|c| c.verdict).collect();
        assert_eq!(
            verdicts,
            [Verdict::Flaky, Verdict::Blocked, Verdict::Untested]
        );
        assert_eq!((summary.scenarios_total, summary.scenarios_passed), (2, 2));
        assert_eq!(summary.scenarios_untested, 1, "the blocked one is untested");
        assert_eq!(
            summary.headline_text(),
            "0/3 commands (api-key era) working (0.0%, 1 flaky, 1 blocked, 1 untested)"
        );
    }

    #[test]
    fn a_blocked_scenario_is_untested_and_the_command_is_judged_on_what_ran() {
        let metas = [meta(1, "a"), meta(2, "a")];
        let mut planned = run_all(&metas);
        planned[1].disposition = Disposition::Blocked("no second client credential".into());
        let mut summary = Summary::build(
            &catalog(),
            &planned,
            &[outcome(1, false)],
            RunFacts::default(),
        );
        let a = &summary.commands[0];
        assert_eq!(
            (
                a.verdict,
                a.scenarios_passed,
                a.scenarios_total,
                a.scenarios_untested
            ),
            (Verdict::Working, 1, 1, 1)
        );
        assert!(a.classes.is_empty(), "no failure class: nothing failed");
        assert_eq!(
            a.first_failure.as_deref(),
            Some("1 scenario untested: no second client credential")
        );
        assert!(summary.all_passed(), "what ran passed");
        summary.strict = true;
        assert!(!summary.all_passed(), "--strict counts the untested one");
    }

    #[test]
    fn a_command_whose_only_failures_are_missing_direct_endpoints_works_via_fallback() {
        let mut direct = meta(2, "a");
        direct.tags.push(DIRECT_TAG.into());
        let metas = [meta(1, "a"), direct];
        let mut missing = outcome(2, true);
        if let Some(f) = missing.failure.as_mut() {
            f.class = FailureClass::MissingEndpoint;
        }
        let summary = Summary::build(
            &catalog(),
            &run_all(&metas),
            &[outcome(1, false), missing],
            RunFacts::default(),
        );
        let a = &summary.commands[0];
        assert_eq!((a.verdict, a.via_fallback), (Verdict::Working, true));
        assert!(a
            .first_failure
            .as_deref()
            .unwrap()
            .starts_with("works via fallback"));
        assert!(
            !summary.all_passed(),
            "the missing endpoint still fails the run"
        );
        let mut other = outcome(2, true);
        if let Some(f) = other.failure.as_mut() {
            f.class = FailureClass::ServerError;
        }
        let summary = Summary::build(
            &catalog(),
            &run_all(&metas),
            &[outcome(1, false), other],
            RunFacts::default(),
        );
        assert_eq!(summary.commands[0].verdict, Verdict::Partial);
    }

    #[test]
    fn only_commands_a_person_types_count_in_the_headline() {
        let text = "era: jwt\ncli: {name: aitbc, version: 0.10.18, commit: c}\ncommands:\n  - {id: a, cli: ai submit, endpoints: [POST /v1/jobs]}\n  - {id: b, cli: miner poll, group: miner-protocol, endpoints: [POST /v1/miners/poll]}\n  - {id: c, cli: admin stats, group: api, endpoints: [GET /v1/admin/stats]}\n";
        let catalog = Catalog::parse(Path::new("c.yaml"), text).unwrap();
        let metas = [meta(1, "a"), meta(2, "b"), meta(3, "c")];
        let facts = RunFacts {
            cli: catalog.cli_label(),
            target: TargetReport {
                era: Era::Jwt,
                ..TargetReport::default()
            },
            ..RunFacts::default()
        };
        let outcomes = [outcome(1, false), outcome(2, true), outcome(3, false)];
        let summary = Summary::build(&catalog, &run_all(&metas), &outcomes, facts);
        assert_eq!(
            (
                summary.headline.commands_working,
                summary.headline.commands_total
            ),
            (1, 1),
            "the failing miner route is reported, not counted"
        );
        assert_eq!(summary.commands[1].verdict, Verdict::Broken);
        assert_eq!(summary.commands[1].group, Group::MinerProtocol);
        assert_eq!(
            summary.headline_text(),
            "1/1 commands of aitbc 0.10.18 (jwt era) working (100.0%)"
        );
        assert_eq!(
            summary.group_heading(0).as_deref(),
            Some("commands of aitbc 0.10.18 — the headline's")
        );
        assert!(summary
            .group_heading(1)
            .unwrap()
            .starts_with("miner protocol"));
        let md = crate::report::render::markdown::render(&summary);
        assert!(
            md.contains(
                "| *contract routes no command of aitbc 0.10.18 calls — not in the headline* |"
            ),
            "{md}"
        );
        let json = serde_json::to_value(&summary).unwrap();
        assert_eq!(json["headline"]["cli"], "aitbc 0.10.18");
        assert_eq!(json["commands"][2]["group"], "api");
        assert!(json["commands"][0].get("group").is_none());
    }

    #[test]
    fn verdicts_follow_the_counts() {
        assert_eq!(Verdict::of(3, 3), Verdict::Working);
        assert_eq!(Verdict::of(1, 3), Verdict::Partial);
        assert_eq!(Verdict::of(0, 3), Verdict::Broken);
        assert_eq!(Verdict::of(0, 0), Verdict::Untested);
    }

    #[test]
    fn pass_rates_and_the_headline_are_computed_not_assumed() {
        let metas = [meta(1, "a"), meta(2, "a"), meta(3, "b"), meta(4, "b")];
        let outcomes = [
            outcome(1, false),
            outcome(2, false),
            outcome(3, false),
            outcome(4, true),
        ];
        let summary = Summary::build(&catalog(), &run_all(&metas), &outcomes, RunFacts::default());
        let a = &summary.commands[0];
        assert_eq!(
            (a.scenarios_passed, a.scenarios_total, a.verdict),
            (2, 2, Verdict::Working)
        );
        let b = &summary.commands[1];
        assert_eq!(b.pass_rate, 0.5);
        assert_eq!(b.verdict, Verdict::Partial);
        assert_eq!(b.classes, vec![FailureClass::Auth]);
        assert_eq!(
            b.first_failure.as_deref(),
            Some("[auth] expected status 201, got 401")
        );
        assert_eq!(summary.commands[2].verdict, Verdict::Untested);
        assert_eq!(summary.headline.commands_working, 1);
        assert_eq!(summary.headline.rate, 33.3);
        assert_eq!(
            summary.headline_text(),
            "1/3 commands (api-key era) working (33.3%, 1 untested)"
        );
        assert!(!summary.all_passed());
    }

    #[test]
    fn a_selected_scenario_that_never_ran_is_not_a_pass() {
        let metas = [meta(1, "a")];
        let summary = Summary::build(&catalog(), &run_all(&metas), &[], RunFacts::default());
        assert_eq!(summary.scenarios[0].status, Status::NotRun);
        assert_eq!(summary.commands[0].verdict, Verdict::Broken);
        assert!(!summary.all_passed());
    }
}
