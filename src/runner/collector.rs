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

/// The bytes cucumber-rs' JSON writer writes, kept for the report files.
#[derive(Debug, Clone, Default)]
pub(crate) struct SharedBuffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl SharedBuffer {
    /// What was written so far.
    pub(crate) fn bytes(&self) -> Vec<u8> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

impl Write for SharedBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// cucumber-rs' own Cucumber JSON writer, fed the same events as the collector.
type JsonWriter = writer::Normalize<ConformanceWorld, writer::Json<SharedBuffer>>;

/// Collects outcomes; prints a progress line on a terminal.
pub(crate) struct Collector {
    running: HashMap<RunKey, Running>,
    pub(crate) outcomes: Vec<Outcome>,
    /// A copy of each outcome, shared with the run (see `Finished`).
    finished: Finished,
    /// Feature files cucumber itself could not parse (should not happen after `Suite::load`).
    pub(crate) parse_errors: Vec<String>,
    expected: usize,
    progress: bool,
    /// `--format cucumber-json`: the writer and what it wrote.
    json: Option<(Box<JsonWriter>, SharedBuffer)>,
}

impl std::fmt::Debug for Collector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Collector")
            .field("outcomes", &self.outcomes.len())
            .field("expected", &self.expected)
            .finish_non_exhaustive()
    }
}

impl Collector {
    /// Also writes cucumber-rs' Cucumber JSON (read back with `cucumber_json`).
    pub(crate) fn with_cucumber_json(mut self) -> Self {
        let buffer = SharedBuffer::default();
        self.json = Some((Box::new(writer::Json::new(buffer.clone())), buffer));
        self
    }

    /// The Cucumber JSON written, once the run finished (nothing for an interrupted one).
    pub(crate) fn cucumber_json(&self) -> Option<Vec<u8>> {
        self.json
            .as_ref()
            .map(|(_, buffer)| buffer.bytes())
            .filter(|bytes| !bytes.is_empty())
    }

    /// `expected` scenarios will run; progress shows on stderr only when it is a terminal.
    pub(crate) fn new(expected: usize, finished: Finished) -> Self {
        Self {
            running: HashMap::new(),
            outcomes: Vec::new(),
            finished,
            parse_errors: Vec::new(),
            expected,
            progress: std::io::stderr().is_terminal(),
            json: None,
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
        // Every worker's collector counts into the one list, so the progress line is the run's.
        let done = match self.finished.lock() {
            Ok(mut finished) => {
                finished.push(outcome.clone());
                finished.len()
            }
            Err(_) => self.outcomes.len() + 1,
        };
        self.outcomes.push(outcome);
        if self.progress {
            let mut err = std::io::stderr();
            let _ = write!(err, "\r  {done}/{} scenarios", self.expected);
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
        if let Some((json, _)) = self.json.as_mut() {
            json.handle_event(event.clone(), &cli::Empty).await;
        }
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
