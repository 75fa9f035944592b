//! The endpoint table: every exchange counted against its `METHOD /template`, with the
//! route-level class of what went wrong (a missing route, a 5xx, a timeout…).

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::failure::FailureClass;

/// One row of the table.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub(crate) struct EndpointReport {
    pub(crate) endpoint: String,
    pub(crate) exchanges: u64,
    /// 2xx answers.
    pub(crate) successes: u64,
    /// The worst route-level problem seen, if any.
    pub(crate) class: Option<FailureClass>,
    /// How long its answers took (a request that timed out counts with its wait).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) latency: Option<Latency>,
    /// Its exchanges by what came back: `2xx`, `4xx`, `5xx`, … or the class of no answer
    /// (`timeout`, `unreachable`, `transport`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) answers: BTreeMap<String, u64>,
}

/// Percentiles of an endpoint's answer times, in milliseconds (nearest rank).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
pub(crate) struct Latency {
    pub(crate) p50_ms: f64,
    pub(crate) p95_ms: f64,
    pub(crate) max_ms: f64,
}

impl Latency {
    /// Of these samples (any order); `None` for none.
    pub(crate) fn of(samples: &[f64]) -> Option<Self> {
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let rank = |p: f64| {
            let index = ((p * sorted.len() as f64).ceil() as usize).max(1) - 1;
            round(sorted[index.min(sorted.len() - 1)])
        };
        (!sorted.is_empty()).then(|| Self {
            p50_ms: rank(0.50),
            p95_ms: rank(0.95),
            max_ms: round(sorted[sorted.len() - 1]),
        })
    }
}

/// To a tenth of a millisecond.
fn round(ms: f64) -> f64 {
    (ms * 10.0).round() / 10.0
}

/// Counts exchanges per endpoint template; shared by every scenario of a run.
#[derive(Debug, Default)]
pub(crate) struct EndpointLog {
    /// (method, template segments, `METHOD /template`), split once.
    templates: Vec<(String, Vec<String>, String)>,
    rows: Mutex<BTreeMap<String, EndpointReport>>,
    /// Each endpoint's answer times, in milliseconds.
    samples: Mutex<BTreeMap<String, Vec<f64>>>,
}

/// What one exchange came to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Answer<'a> {
    Status(u16, Option<&'a serde_json::Value>),
    Transport(FailureClass),
}

impl EndpointLog {
    /// `endpoints` are `METHOD /template` strings (the catalog's and the contract's).
    pub(crate) fn new<'e>(endpoints: impl IntoIterator<Item = &'e str>) -> Self {
        let mut templates: Vec<(String, Vec<String>, String)> = endpoints
            .into_iter()
            .filter_map(|e| e.split_once(' '))
            .map(|(m, t)| {
                let segments = t.split('/').map(String::from).collect();
                (m.to_string(), segments, format!("{m} {t}"))
            })
            .collect();
        templates.sort();
        templates.dedup();
        Self {
            templates,
            rows: Mutex::new(BTreeMap::new()),
            samples: Mutex::new(BTreeMap::new()),
        }
    }

    /// `METHOD /template` for a request, or `METHOD (unlisted)`.
    pub(crate) fn endpoint_of(&self, method: &str, path: &str) -> String {
        let path = path.split('?').next().unwrap_or(path);
        let fits = |segments: &[String]| {
            crate::templates::segments_match(segments.iter().map(String::as_str), path)
        };
        self.templates
            .iter()
            .find(|(m, segments, _)| m == method && fits(segments))
            .map_or_else(
                || format!("{method} (unlisted)"),
                |(_, _, name)| name.clone(),
            )
    }

    /// Counts one exchange, with how long it took when that is known.
    pub(crate) fn record(&self, method: &str, path: &str, answer: Answer, elapsed_ms: Option<f64>) {
        let endpoint = self.endpoint_of(method, path);
        // Paths outside the contract are deliberate probes (e.g. an unknown route's 404).
        let listed = !endpoint.ends_with("(unlisted)");
        let class = match answer {
            _ if !listed => None,
            Answer::Transport(class) => Some(class),
            Answer::Status(status, body) => match FailureClass::of_status(status, body) {
                c @ (FailureClass::MissingEndpoint
                | FailureClass::ServerError
                | FailureClass::RateLimited) => Some(c),
                _ => None,
            },
        };
        if let Some(ms) = elapsed_ms {
            self.samples
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .entry(endpoint.clone())
                .or_default()
                .push(ms);
        }
        let mut rows = self
            .rows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let row = rows
            .entry(endpoint.clone())
            .or_insert_with(|| EndpointReport {
                endpoint,
                ..EndpointReport::default()
            });
        row.exchanges += 1;
        let kind = match answer {
            Answer::Status(status, _) => format!("{}xx", status / 100),
            Answer::Transport(class) => class.as_str().to_string(),
        };
        *row.answers.entry(kind).or_default() += 1;
        if matches!(answer, Answer::Status(200..=299, _)) {
            row.successes += 1;
        }
        row.class = row.class.max(class);
    }

    /// The rows, sorted by endpoint, each with its latency.
    pub(crate) fn rows(&self) -> Vec<EndpointReport> {
        let rows = self
            .rows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let samples = self.samples();
        rows.values()
            .cloned()
            .map(|mut row| {
                row.latency = samples.get(&row.endpoint).and_then(|s| Latency::of(s));
                row
            })
            .collect()
    }

    /// Each endpoint's answer times so far, in milliseconds.
    pub(crate) fn samples(&self) -> BTreeMap<String, Vec<f64>> {
        self.samples
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn percentiles_are_nearest_rank() {
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        let latency = Latency::of(&samples).unwrap();
        assert_eq!(
            (latency.p50_ms, latency.p95_ms, latency.max_ms),
            (50.0, 95.0, 100.0)
        );
        assert_eq!(Latency::of(&[]), None);
        assert_eq!(Latency::of(&[7.25]).unwrap().p95_ms, 7.3);
    }

    #[test]
    fn exchanges_are_counted_per_template_with_the_worst_class() {
        let log = EndpointLog::new(["GET /rpc/blocks/{height}", "GET /rpc/blocks/by_hash/{hash}"]);
        let not_found = json!({"detail": "Not Found"});
        let block_not_found = json!({"detail": "block not found"});
        log.record("GET", "/rpc/blocks/5", Answer::Status(200, None), Some(3.0));
        log.record(
            "GET",
            "/rpc/blocks/99",
            Answer::Status(404, Some(&block_not_found)),
            Some(1.0),
        );
        log.record(
            "GET",
            "/rpc/blocks/by_hash/0xab",
            Answer::Status(404, Some(&not_found)),
            None,
        );
        log.record(
            "GET",
            "/elsewhere?x=1",
            Answer::Transport(FailureClass::Timeout),
            Some(5000.0),
        );
        let rows = log.rows();
        assert_eq!(rows.len(), 3);
        let by_height = rows
            .iter()
            .find(|r| r.endpoint == "GET /rpc/blocks/{height}")
            .unwrap();
        assert_eq!(
            (by_height.exchanges, by_height.successes, by_height.class),
            (2, 1, None)
        );
        assert_eq!(
            by_height.answers,
            BTreeMap::from([("2xx".to_string(), 1), ("4xx".to_string(), 1)])
        );
        let latency = by_height.latency.unwrap();
        assert_eq!(
            (latency.p50_ms, latency.p95_ms, latency.max_ms),
            (1.0, 3.0, 3.0)
        );
        let by_hash = rows
            .iter()
            .find(|r| r.endpoint.contains("by_hash"))
            .unwrap();
        assert_eq!(by_hash.class, Some(FailureClass::MissingEndpoint));
        assert!(rows
            .iter()
            .any(|r| r.endpoint == "GET (unlisted)" && r.class.is_none()));
    }
}
