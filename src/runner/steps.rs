//! The run's step definitions, compiled on a thread of their own while the run loads its
//! inputs and checks its target, then cut to those the run's steps can match: cucumber would
//! compile every pattern on the run's thread and try each of them on every step.

use std::collections::HashSet;
use std::sync::mpsc;
use std::thread::JoinHandle;

use cucumber::codegen::{StepConstructor, WorldInventory};
use cucumber::gherkin::{self, StepType};
use cucumber::step::{Collection, Location};

use crate::world::ConformanceWorld;

/// One step definition: its kind, where it is written, its pattern and its body.
type Definition = (
    StepType,
    Location,
    regex::Regex,
    cucumber::Step<ConformanceWorld>,
);

/// The definitions being compiled; `for_features` waits for them.
pub(crate) struct Compiling {
    texts: mpsc::Sender<Vec<(StepType, String)>>,
    compiled: JoinHandle<Collection<ConformanceWorld>>,
}

impl Compiling {
    /// Starts compiling every definition on a thread of its own.
    pub(crate) fn start() -> Self {
        let (texts, wanted) = mpsc::channel();
        let compiled = std::thread::spawn(move || {
            let all = definitions();
            // No texts (the run ended before executing): nothing is kept.
            let texts: Vec<(StepType, String)> = wanted.recv().unwrap_or_default();
            matching(all, &texts)
        });
        Self { texts, compiled }
    }

    /// The definitions some step of `features` matches, each as cucumber registers it. For every
    /// step of `features` cucumber then finds exactly the definitions it would among all of them.
    pub(crate) fn for_features(
        self,
        features: &[gherkin::Feature],
    ) -> Collection<ConformanceWorld> {
        let texts = step_texts(features);
        // A failed send means the thread is gone; joining says how.
        let _ = self.texts.send(texts);
        self.compiled
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }
}

/// Every definition cucumber's attribute macros registered, its pattern compiled.
fn definitions() -> Vec<Definition> {
    registered::<<ConformanceWorld as WorldInventory>::Given>(StepType::Given)
        .chain(registered::<<ConformanceWorld as WorldInventory>::When>(
            StepType::When,
        ))
        .chain(registered::<<ConformanceWorld as WorldInventory>::Then>(
            StepType::Then,
        ))
        .collect()
}

/// The definitions of one kind (`S`, the inventory cucumber's macros submit that kind to).
fn registered<S>(ty: StepType) -> impl Iterator<Item = Definition>
where
    S: cucumber::codegen::inventory::Collect + StepConstructor<ConformanceWorld>,
{
    cucumber::codegen::inventory::iter::<S>
        .into_iter()
        .map(move |s| {
            let (loc, regex, step) = s.inner();
            (ty, loc, regex(), step)
        })
}

/// The kind and text of every step of `features`, backgrounds and rules included, once each.
fn step_texts(features: &[gherkin::Feature]) -> Vec<(StepType, String)> {
    let mut seen = HashSet::new();
    features
        .iter()
        .flat_map(steps_of)
        .filter(|s| seen.insert((s.ty, s.value.as_str())))
        .map(|s| (s.ty, s.value.clone()))
        .collect()
}

/// A feature's steps: its backgrounds' and its scenarios', in and out of rules.
fn steps_of(feature: &gherkin::Feature) -> impl Iterator<Item = &gherkin::Step> {
    let rules = || feature.rules.iter();
    let backgrounds = (feature.background.iter())
        .chain(rules().filter_map(|r| r.background.as_ref()))
        .flat_map(|b| &b.steps);
    let scenarios = (feature.scenarios.iter())
        .chain(rules().flat_map(|r| &r.scenarios))
        .flat_map(|s| &s.steps);
    backgrounds.chain(scenarios)
}

/// A collection of the definitions at least one of `texts` (of the same kind) matches.
fn matching(all: Vec<Definition>, texts: &[(StepType, String)]) -> Collection<ConformanceWorld> {
    all.into_iter()
        .filter(|(ty, _, regex, _)| {
            texts
                .iter()
                .any(|(kind, text)| kind == ty && regex.is_match(text))
        })
        .fold(Collection::new(), |kept, (ty, loc, regex, step)| match ty {
            StepType::Given => kept.given(Some(loc), regex, step),
            StepType::When => kept.when(Some(loc), regex, step),
            StepType::Then => kept.then(Some(loc), regex, step),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cucumber::World as _;

    fn feature(text: &str) -> gherkin::Feature {
        gherkin::Feature::parse(text, gherkin::GherkinEnv::default()).unwrap()
    }

    #[test]
    fn only_the_definitions_the_steps_match_are_kept_and_each_step_finds_its_own() {
        let features = [feature(
            "Feature: f\n  Background:\n    Given I authenticate as \"client\"\n  Scenario: s\n    When I send GET /v1/jobs\n    Then the response status is 200\n    And the response status is 201\n    Then no definition has this text\n",
        )];
        let texts = step_texts(&features);
        assert_eq!(texts.len(), 5, "{texts:?}");
        let kept = matching(definitions(), &texts);
        let steps: Vec<_> = features[0]
            .background
            .iter()
            .flat_map(|b| &b.steps)
            .chain(&features[0].scenarios[0].steps)
            .collect();
        let found: Vec<bool> = steps
            .iter()
            .map(|s| kept.find(s).unwrap().is_some())
            .collect();
        assert_eq!(found, [true, true, true, true, false]);
        // The same answers as cucumber's whole collection.
        let whole = ConformanceWorld::collection();
        for step in steps {
            assert_eq!(
                kept.find(step).unwrap().map(|(_, _, loc, _)| loc),
                whole.find(step).unwrap().map(|(_, _, loc, _)| loc)
            );
        }
    }

    #[test]
    fn a_step_of_another_kind_keeps_no_definition() {
        // "the response status is 200" is a Then; as a Given it matches nothing.
        let texts = [(StepType::Given, "the response status is 200".to_string())];
        let kept = matching(definitions(), &texts);
        let features = [feature(
            "Feature: f\n  Scenario: s\n    Then the response status is 200\n",
        )];
        assert!(kept
            .find(&features[0].scenarios[0].steps[0])
            .unwrap()
            .is_none());
    }
}
