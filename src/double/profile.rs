//! Degraded profiles for the double (`fixtures/profiles/*.yaml`): routes removed, answers
//! overridden, delayed, made flaky or drifted, to prove the harness catches each breakage.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use super::quirks::Quirk;
use super::reply::Reply;
use crate::error::InputError;
use crate::ids::IdGen;
use crate::yaml;

/// One change to the answers of the routes it names.
#[derive(Debug, Clone, Deserialize, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct Rule {
    /// Route names (`jobs.submit`), a prefix with `*` (`jobs.*`), or `*` for all.
    pub(crate) routes: Vec<String>,
    /// Answer this status instead of the contract's.
    #[serde(default)]
    pub(crate) status: Option<u16>,
    /// With this body (default: the contract's 500 envelope for 5xx, else `{"detail": …}`).
    #[serde(default)]
    pub(crate) body: Option<Value>,
    /// Delay every answer by this much.
    #[serde(default)]
    pub(crate) delay_ms: u64,
    /// Apply the rule to this fraction of answers only (seeded, reproducible).
    #[serde(default)]
    pub(crate) ratio: Option<f64>,
    /// Rename top-level fields of the JSON body: `{old: new}`.
    #[serde(default)]
    pub(crate) rename: BTreeMap<String, String>,
    /// Top-level fields whose number is sent as a string.
    #[serde(default)]
    pub(crate) stringify: Vec<String>,
}

/// A whole profile.
#[derive(Debug, Clone, Deserialize, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    #[serde(default)]
    pub(crate) description: String,
    /// The coordinator has no keys configured: every protected route answers 401.
    #[serde(default)]
    pub(crate) keys_unset: bool,
    /// Routes the server does not have: FastAPI's 404 `Not Found`.
    #[serde(default)]
    pub(crate) remove: Vec<String>,
    #[serde(default)]
    pub(crate) rules: Vec<Rule>,
    /// Release bugs tied to state or auth (see `quirks.rs`), e.g. `stale-status-cache`.
    #[serde(default)]
    pub(crate) quirks: Vec<Quirk>,
    /// Overrides the seed's `signing_key`: `false` plays a coordinator without one.
    #[serde(default)]
    pub(crate) signing_key: Option<bool>,
    /// Seeds the draws of rules with a `ratio`.
    #[serde(default = "default_seed")]
    pub(crate) seed: u64,
}

fn default_seed() -> u64 {
    1
}

/// Whether a route name matches a pattern (`*`, `prefix.*`, or the exact name).
pub(crate) fn matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => pattern == name,
    }
}

impl Profile {
    /// `healthy`: the contract as written.
    pub(crate) fn healthy() -> Self {
        Self {
            seed: default_seed(),
            ..Self::default()
        }
    }

    /// Loads `NAME` from `dir/NAME.yaml`, or a path to a YAML file.
    pub fn load(dir: &Path, name_or_path: &str) -> Result<Self, InputError> {
        let as_path = PathBuf::from(name_or_path);
        let path = if as_path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml")
        {
            as_path
        } else {
            dir.join(format!("{name_or_path}.yaml"))
        };
        if !path.is_file() {
            let known = Self::names(dir).join(", ");
            return Err(InputError::Flag {
                flag: "--profile",
                message: format!(
                    "no profile {name_or_path:?} ({} does not exist); known: {known}",
                    path.display()
                ),
            });
        }
        let profile: Profile = yaml::load(&path)?;
        profile.check(&path)?;
        Ok(profile)
    }

    /// Profile names found in `dir`, sorted.
    pub(crate) fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let path = e.path();
                (path.extension()? == "yaml")
                    .then(|| path.file_stem()?.to_str().map(String::from))?
            })
            .collect();
        names.sort();
        names
    }

    fn check(&self, path: &Path) -> Result<(), InputError> {
        let invalid = |message: String| InputError::Invalid {
            path: path.to_path_buf(),
            line: 1,
            message,
        };
        for (i, rule) in self.rules.iter().enumerate() {
            if rule.routes.is_empty() {
                return Err(invalid(format!("rules[{i}]: `routes` is empty")));
            }
            if let Some(ratio) = rule.ratio.filter(|r| !(0.0..=1.0).contains(r)) {
                return Err(invalid(format!(
                    "rules[{i}]: ratio {ratio} is not within 0..1"
                )));
            }
            if let Some(status) = rule.status.filter(|s| !(100..=599).contains(s)) {
                return Err(invalid(format!(
                    "rules[{i}]: status {status} is not an HTTP status"
                )));
            }
        }
        Ok(())
    }

    /// Whether the server lacks this route.
    pub(crate) fn removes(&self, route: &str) -> bool {
        self.remove.iter().any(|p| matches(p, route))
    }

    /// The rules that touch this route.
    pub(crate) fn rules_for(&self, route: &str) -> Vec<Rule> {
        self.rules
            .iter()
            .filter(|r| r.routes.iter().any(|p| matches(p, route)))
            .cloned()
            .collect()
    }
}

/// The rules of one route and the draw that decides the ratio ones.
#[derive(Debug)]
pub(crate) struct Degrade {
    rules: Vec<Rule>,
}

impl Degrade {
    pub(crate) fn new(rules: Vec<Rule>) -> Self {
        Self { rules }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rules that fire for one answer; `draw` decides those with a ratio.
    pub(crate) fn firing(&self, draw: &mut IdGen) -> Vec<&Rule> {
        self.rules
            .iter()
            .filter(|r| r.ratio.is_none_or(|ratio| draw.unit() < ratio))
            .collect()
    }
}

/// Applies the firing rules: an override replaces the reply, then drift rewrites the body.
/// Returns the reply and the delay.
pub(crate) fn apply(rules: &[&Rule], contract: impl FnOnce() -> Reply) -> (Reply, u64) {
    let delay = rules.iter().map(|r| r.delay_ms).max().unwrap_or(0);
    let mut reply = match rules.iter().find_map(|r| r.status.map(|s| (s, r))) {
        Some((status, rule)) => override_reply(status, rule.body.clone()),
        None => contract(),
    };
    if let Some(Value::Object(body)) = reply.body.as_mut() {
        for rule in rules {
            for (old, new) in &rule.rename {
                if let Some(value) = body.remove(old) {
                    body.insert(new.clone(), value);
                }
            }
            for field in &rule.stringify {
                if let Some(value @ Value::Number(_)) = body.get_mut(field) {
                    *value = Value::String(value.to_string());
                }
            }
        }
    }
    (reply, delay)
}

fn override_reply(status: u16, body: Option<Value>) -> Reply {
    match (body, status) {
        (Some(body), _) => Reply::json(status, body),
        (None, 500..=599) if status != 503 => Reply::internal("RuntimeError", "degraded by profile"),
        (None, 503) => Reply::detail(503, "Service Unavailable"),
        (None, 401) => Reply::detail(401, "invalid api key"),
        (None, 404) => Reply::detail(404, "Not Found"),
        (None, 429) => Reply::json(
            429,
            super::reply::envelope(
                "RATE_LIMIT_EXCEEDED",
                "Too many requests. Please try again later.",
                429,
                serde_json::json!({"field": "rate_limit", "message": "100 per 1 minute", "code": "too_many_requests", "retry_after": 60}),
            ),
        )
        .with_header("Retry-After", "60"),
        (None, _) => Reply::detail(status, "degraded by profile"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patterns_match_names_prefixes_and_all() {
        assert!(matches("*", "jobs.submit"));
        assert!(matches("jobs.*", "jobs.submit"));
        assert!(!matches("jobs.*", "miners.poll"));
        assert!(matches("admin.stats", "admin.stats"));
        assert!(!matches("admin.stats", "admin.statsx"));
    }

    #[test]
    fn an_override_replaces_and_drift_rewrites() {
        let rule = Rule {
            routes: vec!["*".into()],
            rename: BTreeMap::from([("state".into(), "status".into())]),
            stringify: vec!["height".into()],
            ..Rule::default()
        };
        let (reply, _) = apply(&[&rule], || {
            Reply::ok(json!({"state": "QUEUED", "height": 3}))
        });
        assert_eq!(reply.body, Some(json!({"status": "QUEUED", "height": "3"})));
        let error = Rule {
            routes: vec!["*".into()],
            status: Some(500),
            delay_ms: 7,
            ..Rule::default()
        };
        let (reply, delay) = apply(&[&error], || unreachable!("the override answers"));
        assert_eq!((reply.status, delay), (500, 7));
        assert_eq!(
            reply.body.unwrap()["error"]["code"],
            json!("INTERNAL_SERVER_ERROR")
        );
    }

    #[test]
    fn a_ratio_fires_for_about_that_fraction_reproducibly() {
        let rule = Rule {
            routes: vec!["*".into()],
            ratio: Some(0.3),
            ..Rule::default()
        };
        let degrade = Degrade::new(vec![rule]);
        let count = |seed| {
            let mut draw = IdGen::new(seed);
            (0..1000)
                .filter(|_| !degrade.firing(&mut draw).is_empty())
                .count()
        };
        assert_eq!(count(5), count(5));
        assert!((250..350).contains(&count(5)), "{}", count(5));
    }
}
