//! What went over the wire, as data: a request and its answer (for steps, snapshots and the
//! HAR file), the endpoint table they are counted in, and reading a body within its bound.

pub(crate) mod body;
pub(crate) mod endpoints;

use serde_json::Value;

/// One request and its answer.
#[derive(Debug, Clone)]
pub(crate) struct Exchange {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
    pub(crate) json: Option<Value>,
    /// What went over the wire besides, for the HAR file of a failed scenario.
    pub(crate) trace: Trace,
}

/// The parts of an exchange only its HAR record needs. Credentials are masked when captured.
#[derive(Debug, Clone, Default)]
pub(crate) struct Trace {
    pub(crate) url: String,
    /// When the request started, in microseconds since the epoch (formatted only if a HAR
    /// file is written).
    pub(crate) started_at: i64,
    pub(crate) elapsed_ms: f64,
    pub(crate) request_headers: Vec<(String, String)>,
    pub(crate) request_body: Option<String>,
    pub(crate) response_headers: Vec<(String, String)>,
    /// `HTTP/1.1`; empty when no answer came.
    pub(crate) http_version: String,
}

impl Trace {
    /// An answer header's value, by its name in any case.
    pub(crate) fn response_header(&self, name: &str) -> Option<&str> {
        self.response_headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl Exchange {
    /// `GET /v1/jobs/… → 404 {"detail":"job not found"}`, for messages.
    pub(crate) fn describe(&self) -> String {
        let body = match (&self.json, self.body.is_empty()) {
            (Some(json), _) => crate::json_path::brief(json, 200),
            (None, true) => "(empty body)".to_string(),
            (None, false) => String::from_utf8_lossy(&self.body)
                .chars()
                .take(200)
                .collect(),
        };
        format!("{} {} → {} {}", self.method, self.path, self.status, body)
    }
}
