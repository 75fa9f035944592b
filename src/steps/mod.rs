//! Step definitions, registered on the World by cucumber's attribute macros.

pub mod admin;
pub mod agents;
pub mod blocks;
pub mod http;
pub mod jobs;
pub mod snapshots;

use serde_json::Value;

use crate::failure::Failure;

/// Parses a docstring or literal as JSON, naming the text on failure.
pub fn parse_json(text: &str) -> Result<Value, Failure> {
    serde_json::from_str(text.trim())
        .map_err(|e| Failure::harness(format!("not valid JSON ({e}): {}", text.trim())))
}

/// The docstring of a step, or a harness failure naming the step.
pub fn docstring(step: &cucumber::gherkin::Step) -> Result<&str, Failure> {
    step.docstring
        .as_deref()
        .ok_or_else(|| Failure::harness(format!("step {:?} needs a \"\"\" docstring", step.value)))
}
