//! What a probe found, as data the reports read: findings (deduplicated, each with a request
//! that reproduces it) and the operations it could not reach, with why.

use serde::{Deserialize, Serialize};

/// What a finding breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Check {
    /// A 5xx answer, to any input.
    ServerError,
    /// A 2xx answer whose body breaks the documented schema of that status.
    ResponseSchema,
    /// A 2xx answer documented as JSON that is not JSON.
    MediaType,
    /// A request the document says is invalid, answered 2xx.
    InvalidAccepted,
    /// A request the document says is valid, answered 422 (the server's validation disagrees
    /// with its own document).
    ValidRejected,
    /// A route that needs a role answered 2xx without its credential, with another role's, or
    /// on another client's object.
    IgnoredAuth,
    /// A cancelled job or a deleted object taken up again: a route that changes it answered
    /// 2xx (cancel again, a miner's result for it; a deleted workflow read back).
    UseAfterGone,
}

impl Check {
    pub(crate) const ALL: [Check; 7] = [
        Check::ServerError,
        Check::ResponseSchema,
        Check::MediaType,
        Check::InvalidAccepted,
        Check::ValidRejected,
        Check::IgnoredAuth,
        Check::UseAfterGone,
    ];

    /// `server_error`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Check::ServerError => "server_error",
            Check::ResponseSchema => "response_schema",
            Check::MediaType => "media_type",
            Check::InvalidAccepted => "invalid_accepted",
            Check::ValidRejected => "valid_rejected",
            Check::IgnoredAuth => "ignored_auth",
            Check::UseAfterGone => "use_after_gone",
        }
    }
}

/// One finding: the first request that showed it, and how many did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Finding {
    pub(crate) method: String,
    /// The documented path template.
    pub(crate) route: String,
    pub(crate) check: Check,
    pub(crate) status: u16,
    /// The catalog command whose route it is (`None`: a route no command calls).
    pub(crate) command: Option<String>,
    /// What was sent: `query limit: negative`, `body: malformed JSON`, `as nobody`.
    pub(crate) input: String,
    /// A reproducing request, credentials as environment variables.
    pub(crate) curl: String,
    /// The answer's first bytes (or the schema violation).
    pub(crate) answer: String,
    /// What makes two findings the same: the route, the check and this.
    pub(crate) signature: String,
    /// How many requests showed it.
    pub(crate) count: u32,
}

impl Finding {
    /// Route, check and error signature: one finding each.
    pub(crate) fn key(&self) -> String {
        Self::key_of(&self.method, &self.route, self.check, &self.signature)
    }

    /// The key of a finding of this route, check and signature.
    pub(crate) fn key_of(method: &str, route: &str, check: Check, signature: &str) -> String {
        format!("{method} {route} {} {signature}", check.name())
    }
}

/// An operation no request reached with the role it needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Untested {
    pub(crate) method: String,
    pub(crate) route: String,
    pub(crate) reason: String,
}

/// A whole probe.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct ProbeReport {
    pub(crate) seed: u64,
    pub(crate) budget_s: f64,
    pub(crate) seconds: f64,
    pub(crate) requests: u64,
    /// Operations probed (reached or not).
    pub(crate) operations: usize,
    /// Each of them, `METHOD /template`.
    pub(crate) routes: Vec<String>,
    /// Where the operations came from: the target's document, or the contract's.
    pub(crate) documents: Vec<String>,
    /// The budget ended the probe before every planned request was sent.
    pub(crate) budget_exhausted: bool,
    /// 429 answers drawn (the probe keeps under the target's limits: should be 0).
    pub(crate) rate_limited: u64,
    pub(crate) findings: Vec<Finding>,
    pub(crate) untested: Vec<Untested>,
    /// With `--probe-baseline`: the findings the baseline did not have (their keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) new_findings: Option<Vec<String>>,
}

impl ProbeReport {
    /// Findings per check, in the checks' order.
    pub(crate) fn by_check(&self) -> Vec<(Check, usize)> {
        Check::ALL
            .iter()
            .map(|&c| (c, self.findings.iter().filter(|f| f.check == c).count()))
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// One line: `probe: 14 findings on 9 routes (server_error 12, …), 3 untested, 1204 requests in 21.3 s`.
    pub(crate) fn line(&self) -> String {
        let mut routes: Vec<(&str, &str)> = self
            .findings
            .iter()
            .map(|f| (f.method.as_str(), f.route.as_str()))
            .collect();
        routes.sort_unstable();
        routes.dedup();
        let checks: Vec<String> = self
            .by_check()
            .iter()
            .map(|(c, n)| format!("{} {n}", c.name()))
            .collect();
        format!(
            "probe: {} finding(s) on {} operation(s){}, {} of {} operation(s) untested, {} request(s) in {:.1} s (seed {}{})",
            self.findings.len(),
            routes.len(),
            if checks.is_empty() {
                String::new()
            } else {
                format!(" ({})", checks.join(", "))
            },
            self.untested.len(),
            self.operations,
            self.requests,
            self.seconds,
            self.seed,
            if self.budget_exhausted {
                ", stopped by the budget"
            } else {
                ""
            }
        )
    }
}

impl Finding {
    /// `GET /v1/jobs`.
    pub(crate) fn operation(&self) -> String {
        format!("{} {}", self.method, self.route)
    }
}

/// A shell word in single quotes.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// A `curl` line for a request; the credential header names the environment variable that holds
/// it (`"Authorization: Bearer $AITBC_CLIENT_TOKEN"`), never its value.
pub(crate) fn curl(
    method: &str,
    url: &str,
    credential: Option<(&str, &str)>,
    body: Option<(&str, &[u8])>,
) -> String {
    let mut line = format!("curl -sS -X {method} {}", quoted(url));
    if let Some((header, variable)) = credential {
        let value = if header == "Authorization" {
            format!("Bearer ${variable}")
        } else {
            format!("${variable}")
        };
        line.push_str(&format!(" -H \"{header}: {value}\""));
    }
    if let Some((content_type, bytes)) = body {
        line.push_str(&format!(
            " -H {} --data-binary {}",
            quoted(&format!("Content-Type: {content_type}")),
            quoted(&String::from_utf8_lossy(bytes))
        ));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_curl_line_quotes_for_the_shell_and_names_the_credential_by_its_variable() {
        let line = curl(
            "POST",
            "http://127.0.0.1:8000/v1/jobs",
            Some(("Authorization", "AITBC_CLIENT_TOKEN")),
            Some(("application/json", br#"{"name":"it's"}"#)),
        );
        assert_eq!(
            line,
            r#"curl -sS -X POST 'http://127.0.0.1:8000/v1/jobs' -H "Authorization: Bearer $AITBC_CLIENT_TOKEN" -H 'Content-Type: application/json' --data-binary '{"name":"it'\''s"}'"#
        );
    }
}
