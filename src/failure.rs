//! Why a step failed, classified the way a person reading the report would put it.

use serde::{Deserialize, Serialize};

/// The class of a failure (README: "Failure classes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub(crate) enum FailureClass {
    /// 401/403 where success was expected.
    Auth,
    /// A route-level 404/405 (`{"detail":"Not Found"}`), not a domain 404.
    MissingEndpoint,
    /// A 5xx answer.
    ServerError,
    /// Status right (or a 4xx of the wrong kind), body or fields wrong.
    Contract,
    /// A wrong job or execution state.
    State,
    /// 429.
    RateLimited,
    /// No answer within the per-request timeout.
    Timeout,
    /// Connection refused or timed out while connecting: nothing answers there.
    Unreachable,
    /// Something answered, but not with a complete HTTP answer: the connection was reset, the
    /// answer was cut short, or it was not HTTP at all (the cause is in the message).
    Transport,
    /// The answer's body was larger than `--max-body`: reading stopped there.
    TooLarge,
    /// The scenario itself is wrong: a step with no definition, a name never saved.
    Harness,
    /// The user's CLI called a route the contract does not know (e.g. `/api/v1/…`): the CLI
    /// drifted from the backend, not the backend from the contract.
    CliDrift,
    /// The user's CLI crashed, printed an error, made no request, or printed not what it should.
    CliError,
    /// Not a failure: the scenario does not apply to this target, which said so itself (e.g. a
    /// coordinator without a signing key issues no receipts). Reported `skipped` with the reason.
    NotApplicable,
}

impl FailureClass {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            FailureClass::Auth => "auth",
            FailureClass::MissingEndpoint => "missing_endpoint",
            FailureClass::ServerError => "server_error",
            FailureClass::Contract => "contract",
            FailureClass::State => "state",
            FailureClass::RateLimited => "rate_limited",
            FailureClass::Timeout => "timeout",
            FailureClass::Unreachable => "unreachable",
            FailureClass::Transport => "transport",
            FailureClass::TooLarge => "too_large",
            FailureClass::Harness => "harness",
            FailureClass::CliDrift => "cli_drift",
            FailureClass::CliError => "cli_error",
            FailureClass::NotApplicable => "not_applicable",
        }
    }

    /// The class of an unexpected status with this body, when the status itself says why.
    pub(crate) fn of_status(status: u16, body: Option<&serde_json::Value>) -> FailureClass {
        let detail = body
            .and_then(|b| b.get("detail"))
            .and_then(serde_json::Value::as_str);
        match status {
            401 | 403 => FailureClass::Auth,
            404 if detail == Some("Not Found") || body.is_none() => FailureClass::MissingEndpoint,
            405 => FailureClass::MissingEndpoint,
            429 => FailureClass::RateLimited,
            500..=599 => FailureClass::ServerError,
            _ => FailureClass::Contract,
        }
    }
}

impl std::fmt::Display for FailureClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A step failure: its class and a one-paragraph message.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Failure {
    pub(crate) class: FailureClass,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn new(class: FailureClass, message: impl Into<String>) -> Self {
        Self {
            class,
            message: message.into(),
        }
    }

    pub(crate) fn contract(message: impl Into<String>) -> Self {
        Self::new(FailureClass::Contract, message)
    }

    pub(crate) fn harness(message: impl Into<String>) -> Self {
        Self::new(FailureClass::Harness, message)
    }

    /// Ends the scenario as not applicable to this target (reported `skipped`, not failed).
    pub(crate) fn not_applicable(reason: impl Into<String>) -> Self {
        Self::new(FailureClass::NotApplicable, reason)
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}] {}", self.class, self.message)
    }
}

impl std::error::Error for Failure {}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn statuses_map_to_the_classes_a_person_would_use() {
        let not_found = json!({"detail": "Not Found"});
        let job_not_found = json!({"detail": "job not found"});
        assert_eq!(FailureClass::of_status(401, None), FailureClass::Auth);
        assert_eq!(
            FailureClass::of_status(404, Some(&not_found)),
            FailureClass::MissingEndpoint
        );
        assert_eq!(
            FailureClass::of_status(404, Some(&job_not_found)),
            FailureClass::Contract
        );
        assert_eq!(
            FailureClass::of_status(503, None),
            FailureClass::ServerError
        );
        assert_eq!(
            FailureClass::of_status(429, None),
            FailureClass::RateLimited
        );
        assert_eq!(FailureClass::of_status(422, None), FailureClass::Contract);
    }

    #[test]
    fn the_message_carries_its_class() {
        assert_eq!(Failure::contract("x").to_string(), "[contract] x");
    }
}
