//! What went over the wire, as data: a request and its answer (for steps, snapshots and the
//! HAR file), the endpoint table they are counted in, and reading a body within its bound.

pub mod body;
pub mod endpoints;

use serde_json::Value;

/// One request and its answer.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub body: Vec<u8>,
    pub json: Option<Value>,
    /// What went over the wire besides, for the HAR file of a failed scenario.
    pub trace: Trace,
}

/// The parts of an exchange only its HAR record needs. Credentials are masked when captured.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    pub url: String,
    /// When the request started, in microseconds since the epoch (formatted only if a HAR
    /// file is written).
    pub started_at: i64,
    pub elapsed_ms: f64,
    pub request_headers: Vec<(String, String)>,
    pub request_body: Option<String>,
    pub response_headers: Vec<(String, String)>,
    /// `HTTP/1.1`; empty when no answer came.
    pub http_version: String,
}

impl Exchange {
    /// `GET /v1/jobs/… → 404 {"detail":"job not found"}`, for messages.
    pub fn describe(&self) -> String {
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
