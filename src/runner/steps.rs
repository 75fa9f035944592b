//! The run's step definitions, compiled on a thread of their own while the run loads its
//! inputs and checks its target, only those whose written pattern could match a step of the
//! loaded suite, then cut to those the run's steps do match: cucumber would compile every
//! pattern on the run's thread and try each of them on every step.

use std::collections::HashSet;
use std::sync::mpsc;
use std::thread::JoinHandle;

use cucumber::codegen::{LazyRegex, StepConstructor, WorldInventory};
use cucumber::gherkin::{self, StepType};
use cucumber::step::{Collection, Location};

use super::patterns;
use crate::world::ConformanceWorld;

/// One step definition: its kind, where it is written, its pattern and its body.
type Definition = (
    StepType,
    Location,
    regex::Regex,
    cucumber::Step<ConformanceWorld>,
);

/// One step definition as registered, its pattern not yet compiled.
type Registered = (
    StepType,
    Location,
    LazyRegex,
    cucumber::Step<ConformanceWorld>,
);

/// The kind and text of a step.
type StepText = (StepType, String);

/// The definitions being compiled; `for_features` waits for them.
pub(crate) struct Compiling {
    texts: mpsc::Sender<Vec<StepText>>,
    compiled: JoinHandle<Collection<ConformanceWorld>>,
}

impl Compiling {
    /// Starts compiling, on a thread of its own, the definitions some step of `loaded` (the
    /// whole loaded suite, of which the run will execute a part) could match.
    pub(crate) fn start(loaded: &[gherkin::Feature]) -> Self {
        let loaded = step_texts(loaded);
        let (texts, wanted) = mpsc::channel();
        let compiled = std::thread::spawn(move || {
            let candidates = definitions(|ty, loc| could_match(ty, loc, &loaded));
            // No texts (the run ended before executing): nothing is kept.
            let texts: Vec<StepText> = wanted.recv().unwrap_or_default();
            matching(candidates, &texts)
        });
        Self { texts, compiled }
    }

    /// The definitions some step of `features` matches, each as cucumber registers it. For every
    /// step of `features` (a part of the loaded suite) cucumber then finds exactly the
    /// definitions it would among all of them.
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

/// Whether some step of `texts` of kind `ty` could match the definition at `loc` (true when
/// its pattern is not written plainly).
fn could_match(ty: StepType, loc: &Location, texts: &[StepText]) -> bool {
    let Some(written) = patterns::written_at(loc) else {
        return true;
    };
    let of_kind = texts.iter().filter(|(kind, _)| *kind == ty);
    written.could_match_any(of_kind.map(|(_, text)| text.as_str()))
}

/// The definitions cucumber's attribute macros registered that `keep` keeps, compiled.
fn definitions(keep: impl Fn(StepType, &Location) -> bool) -> Vec<Definition> {
    registered::<<ConformanceWorld as WorldInventory>::Given>(StepType::Given)
        .chain(registered::<<ConformanceWorld as WorldInventory>::When>(
            StepType::When,
        ))
        .chain(registered::<<ConformanceWorld as WorldInventory>::Then>(
            StepType::Then,
        ))
        .filter(|(ty, loc, _, _)| keep(*ty, loc))
        .map(|(ty, loc, regex, step)| (ty, loc, regex(), step))
        .collect()
}

/// The definitions of one kind (`S`, the inventory cucumber's macros submit that kind to).
fn registered<S>(ty: StepType) -> impl Iterator<Item = Registered>
where
    S: cucumber::codegen::inventory::Collect + StepConstructor<ConformanceWorld>,
{
    cucumber::codegen::inventory::iter::<S>
        .into_iter()
        .map(move |s| {
            let (loc, regex, step) = s.inner();
            (ty, loc, regex, step)
        })
}

/// The kind and text of every step of `features`, backgrounds and rules included, once each.
fn step_texts(features: &[gherkin::Feature]) -> Vec<StepText> {
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
fn matching(all: Vec<Definition>, texts: &[StepText]) -> Collection<ConformanceWorld> {
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
        let kept = matching(definitions(|_, _| true), &texts);
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

    /// Every feature file of the suite (and the peer benchmark's, where it is), parsed and
    /// expanded as a run loads them.
    fn the_suite() -> Vec<gherkin::Feature> {
        let catalogs = crate::catalog::Catalogs::load(std::path::Path::new("fixtures")).unwrap();
        let suite = crate::suite::Suite::load(std::path::Path::new("features"), &catalogs);
        let mut features = suite.unwrap().features.to_vec();
        let bench = std::path::Path::new("../shared/bench/peer-workload/jobs.feature");
        if bench.exists() {
            features.push(crate::suite::parse_feature(bench).unwrap());
        }
        features
    }

    #[test]
    fn every_definition_has_its_pattern_read_from_its_source() {
        let all = definitions(|_, _| true);
        assert!(all.len() > 40, "{}", all.len());
        for (_, loc, regex, _) in &all {
            let written = match patterns::written_at(loc) {
                Some(patterns::Written::Regex(pattern)) => pattern.to_string(),
                Some(patterns::Written::Text(text)) => {
                    let text: String = patterns::unescaped(text).collect();
                    format!("^{}$", regex::escape(&text))
                }
                None => String::new(),
            };
            assert_eq!(
                written,
                regex.as_str(),
                "{loc:?}: pattern not read back (a new file of steps belongs in patterns::SOURCES)"
            );
        }
    }

    #[test]
    fn every_definition_a_step_of_the_suite_matches_is_compiled() {
        let features = the_suite();
        let texts = step_texts(&features);
        let mut used = 0;
        for (ty, loc, regex, _) in definitions(|_, _| true) {
            let matched = texts.iter().any(|(k, t)| *k == ty && regex.is_match(t));
            used += usize::from(matched);
            assert!(!matched || could_match(ty, &loc, &texts), "{loc:?}");
        }
        assert!(used > 40, "{used}");
    }

    #[test]
    fn a_run_of_part_of_the_suite_finds_for_each_step_what_cucumber_finds() {
        let features = the_suite();
        let part: Vec<_> = features.iter().step_by(3).cloned().collect();
        let kept = Compiling::start(&features).for_features(&part);
        let whole = ConformanceWorld::collection();
        let steps = part.iter().flat_map(steps_of);
        for step in steps {
            assert_eq!(
                kept.find(step).unwrap().map(|(_, _, loc, _)| loc),
                whole.find(step).unwrap().map(|(_, _, loc, _)| loc),
                "{}",
                step.value
            );
        }
    }

    #[test]
    fn a_suite_of_one_step_compiles_only_what_it_could_match() {
        let features = [feature(
            "Feature: f\n  Scenario: s\n    Then the response status is 200\n",
        )];
        let texts = step_texts(&features);
        let compiled = definitions(|ty, loc| could_match(ty, loc, &texts));
        assert!(
            !compiled.is_empty() && compiled.len() <= 2,
            "{}",
            compiled.len()
        );
    }

    #[test]
    fn a_step_of_another_kind_keeps_no_definition() {
        // "the response status is 200" is a Then; as a Given it matches nothing.
        let texts = [(StepType::Given, "the response status is 200".to_string())];
        let kept = matching(definitions(|_, _| true), &texts);
        let features = [feature(
            "Feature: f\n  Scenario: s\n    Then the response status is 200\n",
        )];
        assert!(kept
            .find(&features[0].scenarios[0].steps[0])
            .unwrap()
            .is_none());
    }
}
