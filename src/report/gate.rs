//! The CI gate: a run judged against an earlier `summary.json` (the baseline) and the team's
//! rules — regressions, a minimum rate of working commands, commands known to be broken — and
//! the comparison of two summaries that `compare` prints.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::summary::{Status, Summary, Verdict};
use crate::error::InputError;

/// What a summary file holds that a comparison needs (schema 1 and 2 alike).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub(crate) struct Recorded {
    pub(crate) commands: Vec<RecordedCommand>,
    pub(crate) scenarios: Vec<RecordedScenario>,
    /// What its probe found (`run --probe`), for `--fail-on-new-findings`.
    #[serde(default)]
    pub(crate) probe: Option<crate::probe::finding::ProbeReport>,
    /// Its endpoints, for the latency regression check.
    #[serde(default)]
    pub(crate) endpoints: Vec<crate::exchange::endpoints::EndpointReport>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub(crate) struct RecordedCommand {
    pub(crate) command: String,
    pub(crate) verdict: Verdict,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub(crate) struct RecordedScenario {
    pub(crate) file: String,
    pub(crate) line: usize,
    pub(crate) name: String,
    pub(crate) command: String,
    pub(crate) status: Status,
}

impl Recorded {
    /// Reads a `summary.json`; a missing or malformed file names itself.
    pub(crate) fn load(path: &Path) -> Result<Self, InputError> {
        super::summary::load_json(path)
    }

    /// The same view of a run just made.
    pub(crate) fn of(summary: &Summary) -> Self {
        Self {
            commands: summary
                .commands
                .iter()
                .map(|c| RecordedCommand {
                    command: c.command.clone(),
                    verdict: c.verdict,
                })
                .collect(),
            scenarios: summary
                .scenarios
                .iter()
                .map(|s| RecordedScenario {
                    file: s.file.clone(),
                    line: s.line,
                    name: s.name.clone(),
                    command: s.command.clone(),
                    status: s.status,
                })
                .collect(),
            probe: summary.probe.clone(),
            endpoints: summary.endpoints.clone(),
        }
    }
}

/// How one command moved between two runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    Fixed,
    Regressed,
    Unchanged,
    New,
    Removed,
}

impl Change {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Change::Fixed => "fixed",
            Change::Regressed => "regressed",
            Change::Unchanged => "unchanged",
            Change::New => "new",
            Change::Removed => "removed",
        }
    }
}

/// Two runs side by side.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Comparison {
    /// Per command (CLI spelling): its change, and the verdicts before and after.
    pub(crate) commands: Vec<(String, Change, Option<Verdict>, Option<Verdict>)>,
    /// Scenarios that passed before and fail now: (command, `file:line name`).
    pub(crate) newly_failing: Vec<(String, String)>,
    /// Scenarios that failed before and pass now.
    pub(crate) newly_passing: Vec<(String, String)>,
}

fn works(verdict: Verdict) -> bool {
    matches!(verdict, Verdict::Working | Verdict::Flaky)
}

/// Compares `old` with `new`.
pub(crate) fn compare(old: &Recorded, new: &Recorded) -> Comparison {
    let before: BTreeMap<&str, Verdict> = old
        .commands
        .iter()
        .map(|c| (c.command.as_str(), c.verdict))
        .collect();
    let after: BTreeMap<&str, Verdict> = new
        .commands
        .iter()
        .map(|c| (c.command.as_str(), c.verdict))
        .collect();
    let mut names: Vec<&str> = before.keys().chain(after.keys()).copied().collect();
    names.sort_unstable();
    names.dedup();
    let commands = names
        .into_iter()
        .map(|name| {
            let (was, is) = (before.get(name).copied(), after.get(name).copied());
            let change = match (was, is) {
                (None, _) => Change::New,
                (_, None) => Change::Removed,
                (Some(w), Some(i)) if works(w) && !works(i) => Change::Regressed,
                (Some(w), Some(i)) if !works(w) && works(i) => Change::Fixed,
                _ => Change::Unchanged,
            };
            (name.to_string(), change, was, is)
        })
        .collect();
    let key = |s: &RecordedScenario| format!("{}:{} {}", s.file, s.line, s.name);
    let old_status: BTreeMap<String, Status> =
        old.scenarios.iter().map(|s| (key(s), s.status)).collect();
    let mut newly_failing = Vec::new();
    let mut newly_passing = Vec::new();
    for s in &new.scenarios {
        match (old_status.get(&key(s)), s.status) {
            (Some(was), Status::Failed) if was.is_pass() => {
                newly_failing.push((s.command.clone(), key(s)));
            }
            (Some(Status::Failed), now) if now.is_pass() => {
                newly_passing.push((s.command.clone(), key(s)));
            }
            _ => {}
        }
    }
    Comparison {
        commands,
        newly_failing,
        newly_passing,
    }
}

/// The gate's rules (`--baseline`, `--fail-on-regression`, `--min-pass-rate`, `--allow-failing`,
/// `--max-p95`, `--p95-tolerance`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Rules {
    pub(crate) baseline: Option<Recorded>,
    pub(crate) fail_on_regression: bool,
    /// Percent of commands working, like the headline.
    pub(crate) min_pass_rate: Option<f64>,
    /// Commands known to be broken (CLI spelling).
    pub(crate) allow_failing: Vec<String>,
    pub(crate) max_p95: Option<MaxP95>,
    /// With a baseline: how many percent an endpoint's p95 may rise over the baseline's.
    pub(crate) p95_tolerance: Option<f64>,
}

/// `--max-p95`: the longest p95 latency allowed, per endpoint or for every one.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct MaxP95 {
    /// For endpoints not named: milliseconds.
    pub(crate) default_ms: Option<f64>,
    /// `METHOD /template` → milliseconds.
    pub(crate) per_endpoint: Vec<(String, f64)>,
}

impl MaxP95 {
    /// `500ms` (every endpoint), or `GET /rpc/head=200ms,POST /v1/jobs=1s` (a bare duration
    /// among them is the default for the others).
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let mut out = Self::default();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let ms =
                |d: &str| crate::units::parse_duration(d.trim()).map(|d| d.as_secs_f64() * 1000.0);
            match part.rsplit_once('=') {
                Some((endpoint, limit)) => {
                    let endpoint = endpoint.trim();
                    if !endpoint.contains(" /") {
                        return Err(format!(
                            "{endpoint:?} is not an endpoint: write METHOD /template, e.g. \"GET /rpc/head=200ms\""
                        ));
                    }
                    out.per_endpoint.push((endpoint.to_string(), ms(limit)?));
                }
                None => out.default_ms = Some(ms(part)?),
            }
        }
        if out.default_ms.is_none() && out.per_endpoint.is_empty() {
            return Err("give a duration (500ms) or ENDPOINT=DURATION pairs".into());
        }
        Ok(out)
    }

    /// The limit of one endpoint, in milliseconds.
    fn limit(&self, endpoint: &str) -> Option<f64> {
        self.per_endpoint
            .iter()
            .find(|(e, _)| e == endpoint)
            .map(|(_, ms)| *ms)
            .or(self.default_ms)
    }
}

/// A rise of p95 smaller than this is noise, whatever the tolerance says.
const P95_NOISE_MS: f64 = 10.0;

impl Rules {
    /// Whether any gate flag was given: without one, exit codes stay as they always were.
    pub(crate) fn active(&self) -> bool {
        self.fail_on_regression
            || self.min_pass_rate.is_some()
            || !self.allow_failing.is_empty()
            || self.max_p95.is_some()
            || self.p95_tolerance.is_some()
    }

    fn allowed(&self, command: &str) -> bool {
        self.allow_failing.iter().any(|a| a == command)
    }
}

/// What the gate concluded: why it fails (empty: it passes) and what a person should know.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Verdicts {
    pub(crate) failures: Vec<String>,
    pub(crate) notes: Vec<String>,
    pub(crate) comparison: Option<Comparison>,
}

/// Endpoints whose p95 is over `--max-p95`, or rose past `--p95-tolerance` over the baseline.
fn latency_failures(summary: &Summary, rules: &Rules) -> Vec<String> {
    let mut out = Vec::new();
    for e in &summary.endpoints {
        let Some(latency) = e.latency else { continue };
        let p95 = latency.p95_ms;
        if let Some(limit) = rules.max_p95.as_ref().and_then(|m| m.limit(&e.endpoint)) {
            if p95 > limit {
                out.push(format!(
                    "{}: p95 {p95:.1} ms, over --max-p95 {limit:.0} ms",
                    e.endpoint
                ));
            }
        }
        let before = rules
            .baseline
            .as_ref()
            .and_then(|b| b.endpoints.iter().find(|b| b.endpoint == e.endpoint))
            .and_then(|b| b.latency);
        if let (Some(tolerance), Some(before)) = (rules.p95_tolerance, before) {
            let allowed = before.p95_ms * (1.0 + tolerance / 100.0);
            if p95 > allowed && p95 - before.p95_ms > P95_NOISE_MS {
                out.push(format!(
                    "{}: p95 {p95:.1} ms, up from {:.1} ms in the baseline (more than {tolerance}%)",
                    e.endpoint, before.p95_ms
                ));
            }
        }
    }
    out
}

/// Judges `summary` by `rules`.
pub(crate) fn judge(summary: &Summary, rules: &Rules) -> Verdicts {
    let mut out = Verdicts::default();
    let now = Recorded::of(summary);
    if let Some(baseline) = &rules.baseline {
        let comparison = compare(baseline, &now);
        for (command, change, _, _) in &comparison.commands {
            match change {
                Change::Regressed if rules.allowed(command) => out
                    .notes
                    .push(format!("{command}: regressed, but allowed to fail")),
                Change::Regressed if rules.fail_on_regression => out
                    .failures
                    .push(format!("{command}: worked in the baseline, does not now")),
                Change::Regressed => out.notes.push(format!("{command}: regressed")),
                Change::Fixed => out
                    .notes
                    .push(format!("{command}: fixed since the baseline")),
                _ => {}
            }
        }
        for (command, scenario) in &comparison.newly_failing {
            let line = format!("{scenario} ({command}): passed in the baseline, fails now");
            if rules.fail_on_regression && !rules.allowed(command) {
                out.failures.push(line);
            } else {
                out.notes.push(line);
            }
        }
        out.comparison = Some(comparison);
    }
    out.failures.extend(latency_failures(summary, rules));
    if let Some(min) = rules.min_pass_rate {
        if summary.headline.rate < min {
            out.failures.push(format!(
                "{:.1}% of commands work, under --min-pass-rate {min}",
                summary.headline.rate
            ));
        }
    }
    if !rules.allow_failing.is_empty() && !rules.fail_on_regression {
        for s in summary
            .scenarios
            .iter()
            .filter(|s| s.status == Status::Failed)
        {
            if !rules.allowed(&s.command) {
                out.failures.push(format!(
                    "{}:{} {} ({}): fails, and its command is not allowed to",
                    s.file, s.line, s.name, s.command
                ));
            }
        }
    }
    for allowed in &rules.allow_failing {
        match summary.commands.iter().find(|c| &c.command == allowed) {
            Some(c) if works(c.verdict) => out.notes.push(format!(
                "{allowed}: now working — remove it from the allowed-to-fail list"
            )),
            None => out.notes.push(format!(
                "{allowed}: allowed to fail, but no command is spelled so (see `aitbc-conformance list`)"
            )),
            _ => {}
        }
    }
    out
}

/// The comparison as a person reads it: one row per command, then the scenarios that changed.
pub(crate) fn render_comparison(c: &Comparison) -> String {
    let verdict = |v: &Option<Verdict>| v.map_or("-", Verdict::as_str);
    let width = c
        .commands
        .iter()
        .map(|(n, ..)| n.len())
        .max()
        .unwrap_or(7)
        .max(7);
    let mut out = format!(
        "{:width$}  {:9}  {:9}  change\n",
        "command", "before", "after"
    );
    for (name, change, was, is) in &c.commands {
        out.push_str(&format!(
            "{name:width$}  {:9}  {:9}  {}\n",
            verdict(was),
            verdict(is),
            change.as_str()
        ));
    }
    for (title, list) in [
        ("scenarios that passed and fail now", &c.newly_failing),
        ("scenarios that failed and pass now", &c.newly_passing),
    ] {
        if !list.is_empty() {
            out.push_str(&format!("\n{title}:\n"));
            for (command, scenario) in list {
                out.push_str(&format!("  {scenario} ({command})\n"));
            }
        }
    }
    out
}

/// `--allow-failing-file`: one command a line, `#` starts a comment.
pub(crate) fn read_allowed(path: &Path) -> Result<Vec<String>, InputError> {
    let text = crate::error::read_input(path)?;
    Ok(text
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim().to_string())
        .filter(|l| !l.is_empty())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded(verdicts: &[(&str, Verdict)], scenarios: &[(&str, Status)]) -> Recorded {
        Recorded {
            commands: verdicts
                .iter()
                .map(|(c, v)| RecordedCommand {
                    command: (*c).into(),
                    verdict: *v,
                })
                .collect(),
            scenarios: scenarios
                .iter()
                .enumerate()
                .map(|(i, (c, s))| RecordedScenario {
                    file: "f.feature".into(),
                    line: i + 1,
                    name: format!("s{i}"),
                    command: (*c).into(),
                    status: *s,
                })
                .collect(),
            probe: None,
            endpoints: Vec::new(),
        }
    }

    #[test]
    fn changes_are_named_per_command_and_per_scenario() {
        let old = recorded(
            &[
                ("a", Verdict::Working),
                ("b", Verdict::Broken),
                ("c", Verdict::Working),
            ],
            &[("a", Status::Passed), ("b", Status::Failed)],
        );
        let new = recorded(
            &[
                ("a", Verdict::Partial),
                ("b", Verdict::Working),
                ("d", Verdict::Working),
            ],
            &[("a", Status::Failed), ("b", Status::Passed)],
        );
        let c = compare(&old, &new);
        let changes: Vec<(&str, Change)> = c
            .commands
            .iter()
            .map(|(n, ch, _, _)| (n.as_str(), *ch))
            .collect();
        assert_eq!(
            changes,
            [
                ("a", Change::Regressed),
                ("b", Change::Fixed),
                ("c", Change::Removed),
                ("d", Change::New)
            ]
        );
        assert_eq!(c.newly_failing, [("a".into(), "f.feature:1 s0".into())]);
        assert_eq!(c.newly_passing, [("b".into(), "f.feature:2 s1".into())]);
    }

    #[test]
    fn max_p95_reads_a_default_and_per_endpoint_limits() {
        assert_eq!(
            MaxP95::parse("500ms").unwrap(),
            MaxP95 {
                default_ms: Some(500.0),
                per_endpoint: Vec::new()
            }
        );
        let spec = MaxP95::parse("GET /rpc/head=200ms, 1s").unwrap();
        assert_eq!(spec.limit("GET /rpc/head"), Some(200.0));
        assert_eq!(spec.limit("POST /v1/jobs"), Some(1000.0));
        assert!(MaxP95::parse("head=2s").is_err());
        assert!(MaxP95::parse("").is_err());
    }

    #[test]
    fn an_endpoint_over_its_p95_limit_or_its_baseline_fails_the_gate() {
        use crate::exchange::endpoints::{EndpointReport, Latency};
        let catalogs = crate::catalog::Catalogs::load(Path::new("fixtures")).unwrap();
        let endpoint = |name: &str, p95_ms: f64| EndpointReport {
            endpoint: name.into(),
            exchanges: 10,
            successes: 10,
            class: None,
            latency: Some(Latency {
                p50_ms: 1.0,
                p95_ms,
                max_ms: p95_ms,
            }),
            answers: std::collections::BTreeMap::new(),
        };
        let facts = crate::report::summary::RunFacts {
            endpoints: vec![
                endpoint("GET /rpc/head", 250.0),
                endpoint("POST /v1/jobs", 40.0),
            ],
            ..crate::report::summary::RunFacts::default()
        };
        let summary = Summary::build(catalogs.of(crate::auth::Era::ApiKey), &[], &[], facts);
        let rules = Rules {
            max_p95: Some(MaxP95::parse("GET /rpc/head=200ms,1s").unwrap()),
            ..Rules::default()
        };
        assert!(rules.active());
        let failures = judge(&summary, &rules).failures;
        assert_eq!(
            failures,
            ["GET /rpc/head: p95 250.0 ms, over --max-p95 200 ms"]
        );
        let mut baseline = Recorded::of(&summary);
        baseline.endpoints = vec![
            endpoint("GET /rpc/head", 240.0),
            endpoint("POST /v1/jobs", 20.0),
        ];
        let rules = Rules {
            baseline: Some(baseline),
            p95_tolerance: Some(50.0),
            ..Rules::default()
        };
        // 250 is within 50 % of 240; 40 is twice 20, but a rise of 20 ms (over the noise floor).
        assert_eq!(
            judge(&summary, &rules).failures,
            ["POST /v1/jobs: p95 40.0 ms, up from 20.0 ms in the baseline (more than 50%)"]
        );
    }
}
