//! The run summary: per-scenario results, per-command pass rates and verdicts, the headline.

use serde::Serialize;

use super::collector::Outcome;
use crate::catalog::Catalog;
use crate::failure::FailureClass;
use crate::suite::ScenarioMeta;

/// Bumped when a field of `summary.json` changes meaning or goes away.
pub const SCHEMA_VERSION: u32 = 1;

/// What a user of one CLI command would experience.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every scenario of the command passed.
    Working,
    /// Some passed, some failed.
    Partial,
    /// None passed.
    Broken,
    /// No scenario of the command ran (filtered out, or none written).
    Untested,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Working => "working",
            Verdict::Partial => "partial",
            Verdict::Broken => "broken",
            Verdict::Untested => "untested",
        }
    }

    /// From counts: all passed → working, none → broken, no scenarios → untested.
    pub fn of(passed: usize, total: usize) -> Self {
        match (passed, total) {
            (_, 0) => Verdict::Untested,
            (p, t) if p == t => Verdict::Working,
            (0, _) => Verdict::Broken,
            _ => Verdict::Partial,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Passed,
    Failed,
    /// Selected but never started (e.g. after `--fail-fast` stopped the run).
    NotRun,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FailureReport {
    pub step: String,
    pub class: FailureClass,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ScenarioReport {
    pub feature: String,
    pub file: String,
    pub line: usize,
    pub name: String,
    /// CLI spelling, e.g. `client submit`.
    pub command: String,
    pub status: Status,
    pub duration_ms: f64,
    pub failure: Option<FailureReport>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CommandReport {
    pub command: String,
    pub id: String,
    pub scenarios_total: usize,
    pub scenarios_passed: usize,
    /// Passed / total, 0.0 when no scenario ran.
    pub pass_rate: f64,
    pub verdict: Verdict,
    pub endpoints: Vec<String>,
    /// Failure classes seen, sorted and deduplicated.
    pub classes: Vec<FailureClass>,
    /// The first failure's reason, for the table.
    pub first_failure: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Headline {
    pub commands_working: usize,
    pub commands_total: usize,
    /// Percentage, one decimal.
    pub rate: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    pub schema_version: u32,
    pub target: String,
    /// When the run finished, ISO-8601 UTC.
    pub finished_at: String,
    pub duration_ms: f64,
    pub headline: Headline,
    pub scenarios_total: usize,
    pub scenarios_passed: usize,
    pub commands: Vec<CommandReport>,
    pub scenarios: Vec<ScenarioReport>,
}

impl Summary {
    /// Joins what was selected with what ran; every catalog command gets a row.
    pub fn build(
        catalog: &Catalog,
        selected: &[&ScenarioMeta],
        outcomes: &[Outcome],
        target: String,
        duration_ms: f64,
    ) -> Self {
        let scenarios: Vec<ScenarioReport> = selected
            .iter()
            .map(|meta| scenario_report(catalog, meta, outcomes))
            .collect();
        let commands: Vec<CommandReport> = catalog
            .commands
            .iter()
            .map(|command| {
                let mine: Vec<&ScenarioReport> = scenarios
                    .iter()
                    .filter(|s| s.command == command.cli)
                    .collect();
                let total = mine.len();
                let passed = mine.iter().filter(|s| s.status == Status::Passed).count();
                let failures = mine.iter().filter_map(|s| s.failure.as_ref());
                let mut classes: Vec<FailureClass> = failures.clone().map(|f| f.class).collect();
                classes.sort();
                classes.dedup();
                CommandReport {
                    command: command.cli.clone(),
                    id: command.id.clone(),
                    scenarios_total: total,
                    scenarios_passed: passed,
                    pass_rate: rate(passed, total),
                    verdict: Verdict::of(passed, total),
                    endpoints: command.endpoints.clone(),
                    classes,
                    first_failure: mine.iter().find_map(|s| {
                        s.failure
                            .as_ref()
                            .map(|f| format!("[{}] {}", f.class, f.message))
                            .or_else(|| (s.status == Status::NotRun).then(|| "not run".to_string()))
                    }),
                }
            })
            .collect();
        let working = commands
            .iter()
            .filter(|c| c.verdict == Verdict::Working)
            .count();
        Self {
            schema_version: SCHEMA_VERSION,
            target,
            finished_at: crate::clock::iso_utc(crate::clock::now_micros()),
            duration_ms,
            headline: Headline {
                commands_working: working,
                commands_total: commands.len(),
                rate: (rate(working, commands.len()) * 1000.0).round() / 10.0,
            },
            scenarios_total: scenarios.len(),
            scenarios_passed: scenarios
                .iter()
                .filter(|s| s.status == Status::Passed)
                .count(),
            commands,
            scenarios,
        }
    }

    /// Whether every selected scenario passed.
    pub fn all_passed(&self) -> bool {
        self.scenarios_passed == self.scenarios_total
    }

    /// `13/15 commands working (86.7%)`.
    pub fn headline_text(&self) -> String {
        let h = &self.headline;
        let untested = self
            .commands
            .iter()
            .filter(|c| c.verdict == Verdict::Untested)
            .count();
        let note = if untested > 0 {
            format!(", {untested} untested")
        } else {
            String::new()
        };
        format!(
            "{}/{} commands working ({:.1}%{note})",
            h.commands_working, h.commands_total, h.rate
        )
    }
}

/// `passed / total` as a fraction in `[0, 1]`, 0 when `total` is 0.
pub fn rate(passed: usize, total: usize) -> f64 {
    if total == 0 {
        0.0
    } else {
        passed as f64 / total as f64
    }
}

fn scenario_report(catalog: &Catalog, meta: &ScenarioMeta, outcomes: &[Outcome]) -> ScenarioReport {
    let outcome = outcomes
        .iter()
        .find(|o| o.path == meta.path && o.line == meta.line);
    let status = match outcome {
        None => Status::NotRun,
        Some(o) if o.failure.is_some() => Status::Failed,
        Some(_) => Status::Passed,
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
        failure: outcome
            .and_then(|o| o.failure.as_ref())
            .map(|f| FailureReport {
                step: f.step.clone(),
                class: f.class,
                message: f.message.clone(),
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::collector::StepFailure;
    use std::path::{Path, PathBuf};
    use std::time::Duration;

    fn catalog() -> Catalog {
        let text = "commands:\n  - {id: a, cli: cmd a, endpoints: [GET /a]}\n  - {id: b, cli: cmd b, endpoints: [GET /b]}\n  - {id: c, cli: cmd c, endpoints: [GET /c]}\n";
        Catalog::parse(Path::new("c.yaml"), text).unwrap()
    }

    fn meta(line: usize, command: &str) -> ScenarioMeta {
        ScenarioMeta {
            path: PathBuf::from("f.feature"),
            feature: "F".into(),
            name: format!("s{line}"),
            line,
            command: command.into(),
            tags: vec![],
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
        }
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
        let selected: Vec<&ScenarioMeta> = metas.iter().collect();
        let outcomes = [
            outcome(1, false),
            outcome(2, false),
            outcome(3, false),
            outcome(4, true),
        ];
        let summary = Summary::build(&catalog(), &selected, &outcomes, "t".into(), 1.0);
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
            "1/3 commands working (33.3%, 1 untested)"
        );
        assert!(!summary.all_passed());
    }

    #[test]
    fn a_selected_scenario_that_never_ran_is_not_a_pass() {
        let metas = [meta(1, "a")];
        let summary = Summary::build(&catalog(), &[&metas[0]], &[], "t".into(), 1.0);
        assert_eq!(summary.scenarios[0].status, Status::NotRun);
        assert_eq!(summary.commands[0].verdict, Verdict::Broken);
        assert!(!summary.all_passed());
    }
}
