//! A cucumber `Writer` that turns the event stream into one outcome per scenario.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::SystemTime;

use cucumber::event::{self, Cucumber, HookType, Retries, RetryableScenario, StepError};
use cucumber::gherkin;
use cucumber::{cli, parser, writer, Event, Writer};

use super::outcome::{Finished, Outcome, StepFailure};
use crate::failure::FailureClass;
use crate::world::ConformanceWorld;

#[derive(Debug)]
struct Running {
    path: PathBuf,
    started: SystemTime,
    failure: Option<StepFailure>,
    exchanges: Vec<crate::exchange::Exchange>,
}

/// A running scenario: its feature (by the address of cucumber's shared copy, which every event
/// of the feature points to) and its line. Cheap to hash, unlike a path.
type RunKey = (usize, usize);

/// Collects outcomes; prints a progress line on a terminal.
#[derive(Debug)]
pub struct Collector {
    running: HashMap<RunKey, Running>,
    pub outcomes: Vec<Outcome>,
    /// A copy of each outcome, shared with the run (see `Finished`).
    finished: Finished,
    /// Feature files cucumber itself could not parse (should not happen after `Suite::load`).
    pub parse_errors: Vec<String>,
    expected: usize,
    progress: bool,
}

impl Collector {
    /// `expected` scenarios will run; progress shows on stderr only when it is a terminal.
    pub fn new(expected: usize, finished: Finished) -> Self {
        Self {
            running: HashMap::new(),
            outcomes: Vec::new(),
            finished,
            parse_errors: Vec::new(),
            expected,
            progress: std::io::stderr().is_terminal(),
        }
    }

    fn on_scenario(
        &mut self,
        feature: &gherkin::Feature,
        scenario: &gherkin::Scenario,
        event: RetryableScenario<ConformanceWorld>,
    ) {
        let key = (std::ptr::from_ref(feature) as usize, scenario.position.line);
        match event.event {
            event::Scenario::Started => {
                self.running.insert(
                    key,
                    Running {
                        path: feature.path.clone().unwrap_or_default(),
                        started: SystemTime::now(),
                        failure: None,
                        exchanges: Vec::new(),
                    },
                );
            }
            event::Scenario::Step(step, ev) | event::Scenario::Background(step, ev) => {
                if let event::Step::Failed(_, _, Some(world), _) = &ev {
                    if let Some(run) = self.running.get_mut(&key) {
                        if run.failure.is_none() {
                            run.exchanges = world.exchanges.clone();
                        }
                    }
                }
                if let Some(failure) = step_failure(&step, ev) {
                    if let Some(run) = self.running.get_mut(&key) {
                        run.failure.get_or_insert(failure);
                    }
                }
            }
            event::Scenario::Hook(HookType::Before, event::Hook::Failed(_, info)) => {
                if let Some(run) = self.running.get_mut(&key) {
                    run.failure.get_or_insert(StepFailure {
                        step: "(before scenario)".to_string(),
                        class: FailureClass::Harness,
                        message: panic_text(&info),
                    });
                }
            }
            event::Scenario::Finished => self.finish(key, event.retries),
            _ => {}
        }
    }

    fn finish(&mut self, key: RunKey, retries: Option<Retries>) {
        let Some(run) = self.running.remove(&key) else {
            return;
        };
        let duration = run.started.elapsed().unwrap_or_default();
        let retried = retries.is_some_and(|r| r.current > 0);
        // A failed attempt that will be retried is not final; the next attempt replaces it.
        if run.failure.is_some() && retries.is_some_and(|r| r.left > 0) {
            return;
        }
        let outcome = Outcome {
            path: run.path,
            line: key.1,
            duration,
            failure: run.failure,
            retried,
            exchanges: run.exchanges,
        };
        if let Ok(mut finished) = self.finished.lock() {
            finished.push(outcome.clone());
        }
        self.outcomes.push(outcome);
        if self.progress {
            let mut err = std::io::stderr();
            let _ = write!(
                err,
                "\r  {}/{} scenarios",
                self.outcomes.len(),
                self.expected
            );
            let _ = err.flush();
        }
    }

    /// Clears the progress line, if one was drawn.
    pub fn clear_progress(&self) {
        if self.progress && !self.outcomes.is_empty() {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}

fn step_failure(step: &gherkin::Step, event: event::Step<ConformanceWorld>) -> Option<StepFailure> {
    let text = format!("{} {}", step.keyword.trim(), step.value);
    match event {
        event::Step::Failed(_, _, world, error) => {
            // Steps return `Failure`, which cucumber renders as `[class] message`.
            let (class, message) = match error {
                StepError::Panic(info) => split_class(&panic_text(&info)),
                StepError::NotFound => (
                    FailureClass::Harness,
                    "no step definition matches this step".to_string(),
                ),
                StepError::AmbiguousMatch(e) => (FailureClass::Harness, e.to_string()),
            };
            Some(StepFailure {
                step: text,
                class: refine(class, world.as_deref()),
                message,
            })
        }
        event::Step::Skipped => Some(StepFailure {
            step: text,
            class: FailureClass::Harness,
            message: "no step definition matches this step".to_string(),
        }),
        _ => None,
    }
}

/// A body check that failed on FastAPI's route-level `404 Not Found` (or a 405) is a missing
/// endpoint, not a contract mismatch: the route is not there at all.
fn refine(class: FailureClass, world: Option<&ConformanceWorld>) -> FailureClass {
    let last = world.and_then(|w| w.last.as_ref());
    match (class, last) {
        (FailureClass::Contract, Some(last))
            if FailureClass::of_status(last.status, last.json.as_ref())
                == FailureClass::MissingEndpoint =>
        {
            FailureClass::MissingEndpoint
        }
        _ => class,
    }
}

/// Splits `[class] message` (see `Failure`'s Display) back into its parts.
fn split_class(text: &str) -> (FailureClass, String) {
    let parsed = text.strip_prefix('[').and_then(|rest| {
        let (name, message) = rest.split_once("] ")?;
        let class = FailureClass::parse(name)?;
        Some((class, message.to_string()))
    });
    parsed.unwrap_or_else(|| (FailureClass::Harness, text.to_string()))
}

fn panic_text(info: &event::Info) -> String {
    info.downcast_ref::<String>()
        .cloned()
        .or_else(|| info.downcast_ref::<&str>().map(|s| (*s).to_string()))
        .unwrap_or_else(|| "the step panicked".to_string())
}

impl Writer<ConformanceWorld> for Collector {
    type Cli = cli::Empty;

    async fn handle_event(
        &mut self,
        event: parser::Result<Event<Cucumber<ConformanceWorld>>>,
        _cli: &Self::Cli,
    ) {
        match event.map(Event::into_inner) {
            Err(err) => self.parse_errors.push(err.to_string()),
            Ok(Cucumber::Feature(feature, event::Feature::Scenario(scenario, ev)))
            | Ok(Cucumber::Feature(
                feature,
                event::Feature::Rule(_, event::Rule::Scenario(scenario, ev)),
            )) => self.on_scenario(&feature, &scenario, ev),
            Ok(_) => {}
        }
    }
}

// Outcomes are keyed by scenario, so the order of events does not matter to us.
impl writer::Normalized for Collector {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_classed_message_splits_back() {
        assert_eq!(
            split_class("[missing_endpoint] expected status 201"),
            (
                FailureClass::MissingEndpoint,
                "expected status 201".to_string()
            )
        );
        assert_eq!(split_class("boom").0, FailureClass::Harness);
        assert_eq!(split_class("[nope] x").0, FailureClass::Harness);
    }
}
