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
pub(crate) struct Collector {
    running: HashMap<RunKey, Running>,
    pub(crate) outcomes: Vec<Outcome>,
    /// A copy of each outcome, shared with the run (see `Finished`).
    finished: Finished,
    /// Feature files cucumber itself could not parse (should not happen after `Suite::load`).
    pub(crate) parse_errors: Vec<String>,
    expected: usize,
    progress: bool,
}

impl Collector {
    /// `expected` scenarios will run; progress shows on stderr only when it is a terminal.
    pub(crate) fn new(expected: usize, finished: Finished) -> Self {
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
    pub(crate) fn clear_progress(&self) {
        if self.progress && !self.outcomes.is_empty() {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}

fn step_failure(step: &gherkin::Step, event: event::Step<ConformanceWorld>) -> Option<StepFailure> {
    let text = format!("{} {}", step.keyword.trim(), step.value);
    let failure = |class: FailureClass, message: String| StepFailure {
        step: text.clone(),
        class,
        message,
    };
    match event {
        // A step's own failure travels typed on the World (`steps::judged!`); cucumber's
        // rendering of it is not read back.
        event::Step::Failed(_, _, Some(world), StepError::Panic(_)) if world.failure.is_some() => {
            let typed = world.failure.clone()?;
            Some(failure(typed.class, typed.message))
        }
        event::Step::Failed(_, _, _, StepError::Panic(info)) => Some(failure(
            FailureClass::Harness,
            format!(
                "the step panicked (a bug of the harness): {}",
                panic_text(&info)
            ),
        )),
        event::Step::Failed(_, _, _, StepError::NotFound) | event::Step::Skipped => Some(failure(
            FailureClass::Harness,
            "no step definition matches this step".to_string(),
        )),
        event::Step::Failed(_, _, _, StepError::AmbiguousMatch(e)) => {
            Some(failure(FailureClass::Harness, e.to_string()))
        }
        _ => None,
    }
}

/// What a panic said, for a harness bug's message.
fn panic_text(info: &event::Info) -> String {
    info.downcast_ref::<String>()
        .cloned()
        .or_else(|| info.downcast_ref::<&str>().map(|s| (*s).to_string()))
        .unwrap_or_default()
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
