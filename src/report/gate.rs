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

/// The gate's rules (`--baseline`, `--fail-on-regression`, `--min-pass-rate`, `--allow-failing`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Rules {
    pub(crate) baseline: Option<Recorded>,
    pub(crate) fail_on_regression: bool,
    /// Percent of commands working, like the headline.
    pub(crate) min_pass_rate: Option<f64>,
    /// Commands known to be broken (CLI spelling).
    pub(crate) allow_failing: Vec<String>,
}

impl Rules {
    /// Whether any gate flag was given: without one, exit codes stay as they always were.
    pub(crate) fn active(&self) -> bool {
        self.fail_on_regression || self.min_pass_rate.is_some() || !self.allow_failing.is_empty()
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
}
