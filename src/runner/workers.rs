//! A run's scenarios dealt to worker threads, each with a runtime and a cucumber runner of its
//! own: one thread drives cucumber, the steps and the run's HTTP at a whole core (the runner and
//! its step futures are single-threaded), so a second thread is what a second core gives.

use cucumber::gherkin;

/// `features` as `workers` shares, scenarios dealt in turn (each share keeps the features and
/// rules its scenarios belong to, with their backgrounds); empty shares are left out.
pub(crate) fn deal(features: Vec<gherkin::Feature>, workers: usize) -> Vec<Vec<gherkin::Feature>> {
    let workers = workers.max(1);
    if workers == 1 {
        return vec![features];
    }
    let mut shares: Vec<Vec<gherkin::Feature>> = vec![Vec::new(); workers];
    let mut turn = 0;
    for mut feature in features {
        let scenarios = std::mem::take(&mut feature.scenarios);
        let rules = std::mem::take(&mut feature.rules);
        let mut copies: Vec<gherkin::Feature> = vec![feature; workers];
        for scenario in scenarios {
            copies[turn % workers].scenarios.push(scenario);
            turn += 1;
        }
        for mut rule in rules {
            let scenarios = std::mem::take(&mut rule.scenarios);
            let mut rule_copies = vec![rule; workers];
            for scenario in scenarios {
                rule_copies[turn % workers].scenarios.push(scenario);
                turn += 1;
            }
            for (copy, rule) in copies.iter_mut().zip(rule_copies) {
                if !rule.scenarios.is_empty() {
                    copy.rules.push(rule);
                }
            }
        }
        for (share, copy) in shares.iter_mut().zip(copies) {
            if !copy.scenarios.is_empty() || !copy.rules.is_empty() {
                share.push(copy);
            }
        }
    }
    shares.retain(|share| !share.is_empty());
    shares
}

/// One Cucumber JSON report from the workers' reports: a feature several workers ran is one
/// feature whose elements are all of theirs, in the order of their lines.
pub(crate) fn merge_cucumber_json(parts: Vec<Vec<u8>>) -> Option<Vec<u8>> {
    use serde_json::Value;
    if parts.len() <= 1 {
        return parts.into_iter().next();
    }
    let mut features: Vec<Value> = Vec::new();
    for part in &parts {
        let Ok(Value::Array(list)) = serde_json::from_slice::<Value>(part) else {
            continue;
        };
        for feature in list {
            let same = features
                .iter_mut()
                .find(|f| f.get("uri") == feature.get("uri") && f.get("id") == feature.get("id"));
            let Some(existing) = same else {
                features.push(feature);
                continue;
            };
            if let (Some(Value::Array(all)), Some(Value::Array(more))) =
                (existing.get_mut("elements"), feature.get("elements"))
            {
                all.extend(more.iter().cloned());
                all.sort_by_key(|e| e.get("line").and_then(Value::as_u64));
            }
        }
    }
    serde_json::to_vec(&Value::Array(features)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feature(text: &str) -> gherkin::Feature {
        gherkin::Feature::parse(text, gherkin::GherkinEnv::default()).unwrap()
    }

    fn lines(share: &[gherkin::Feature]) -> Vec<usize> {
        share
            .iter()
            .flat_map(|f| {
                let ruled = f.rules.iter().flat_map(|r| &r.scenarios);
                f.scenarios.iter().chain(ruled).map(|s| s.position.line)
            })
            .collect()
    }

    #[test]
    fn scenarios_are_dealt_in_turn_and_each_keeps_its_feature_rule_and_background() {
        let a = feature(
            "Feature: a\n  Background:\n    Given I authenticate as \"client\"\n  Scenario: one\n    Then x\n  Scenario: two\n    Then x\n  Scenario: three\n    Then x\n",
        );
        let b = feature("Feature: b\n  Rule: r\n    Scenario: four\n      Then x\n    Scenario: five\n      Then x\n");
        let shares = deal(vec![a, b], 2);
        assert_eq!(shares.len(), 2);
        assert_eq!(lines(&shares[0]), [4, 8, 5]);
        assert_eq!(lines(&shares[1]), [6, 3]);
        assert!(shares.iter().all(|s| s[0].background.is_some()));
        assert_eq!(shares[0][1].rules[0].name, "r");
    }

    #[test]
    fn one_worker_or_few_scenarios_leave_no_empty_share() {
        let a = feature("Feature: a\n  Scenario: one\n    Then x\n");
        assert_eq!(deal(vec![a.clone()], 1).len(), 1);
        assert_eq!(deal(vec![a], 4).len(), 1);
    }

    #[test]
    fn the_workers_reports_become_one_feature_list() {
        let one = br#"[{"uri":"f.feature","id":"f","elements":[{"line":3},{"line":9}]}]"#.to_vec();
        let two = br#"[{"uri":"f.feature","id":"f","elements":[{"line":6}]},{"uri":"g.feature","id":"g","elements":[{"line":2}]}]"#.to_vec();
        let merged: serde_json::Value =
            serde_json::from_slice(&merge_cucumber_json(vec![one.clone(), two]).unwrap()).unwrap();
        assert_eq!(
            merged,
            serde_json::json!([
                {"uri":"f.feature","id":"f","elements":[{"line":3},{"line":6},{"line":9}]},
                {"uri":"g.feature","id":"g","elements":[{"line":2}]}
            ])
        );
        assert_eq!(merge_cucumber_json(vec![one.clone()]), Some(one));
    }
}
