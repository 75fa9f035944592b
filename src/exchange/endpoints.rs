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
}

/// Counts exchanges per endpoint template; shared by every scenario of a run.
#[derive(Debug, Default)]
pub(crate) struct EndpointLog {
    /// (method, template segments, `METHOD /template`), split once.
    templates: Vec<(String, Vec<String>, String)>,
    rows: Mutex<BTreeMap<String, EndpointReport>>,
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

    /// Counts one exchange.
    pub(crate) fn record(&self, method: &str, path: &str, answer: Answer) {
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
        if matches!(answer, Answer::Status(200..=299, _)) {
            row.successes += 1;
        }
        row.class = row.class.max(class);
    }

    /// The rows, sorted by endpoint.
    pub(crate) fn rows(&self) -> Vec<EndpointReport> {
        let rows = self
            .rows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        rows.values().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn exchanges_are_counted_per_template_with_the_worst_class() {
        let log = EndpointLog::new(["GET /rpc/blocks/{height}", "GET /rpc/blocks/by_hash/{hash}"]);
        let not_found = json!({"detail": "Not Found"});
        let block_not_found = json!({"detail": "block not found"});
        log.record("GET", "/rpc/blocks/5", Answer::Status(200, None));
        log.record(
            "GET",
            "/rpc/blocks/99",
            Answer::Status(404, Some(&block_not_found)),
        );
        log.record(
            "GET",
            "/rpc/blocks/by_hash/0xab",
            Answer::Status(404, Some(&not_found)),
        );
        log.record(
            "GET",
            "/elsewhere?x=1",
            Answer::Transport(FailureClass::Timeout),
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
