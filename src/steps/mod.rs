//! Step definitions, registered on the World by cucumber's attribute macros.

/// A step's body, its failure kept typed on the World (cucumber itself carries only its text):
/// the collector reads the class and message from there, never from the text.
macro_rules! judged {
    ($world:ident, $body:block) => {{
        let outcome: $crate::world::StepResult = async $body.await;
        $world.settle(outcome)
    }};
}

pub(crate) mod admin;
pub(crate) mod agents;
pub(crate) mod aitbc;
pub(crate) mod blocks;
pub(crate) mod http;
pub(crate) mod jobs;
pub(crate) mod login;
pub(crate) mod snapshots;

use serde_json::Value;

use crate::failure::Failure;

/// Parses a docstring or literal as JSON, naming the text on failure.
pub(crate) fn parse_json(text: &str) -> Result<Value, Failure> {
    serde_json::from_str(text.trim())
        .map_err(|e| Failure::harness(format!("not valid JSON ({e}): {}", text.trim())))
}

/// The docstring of a step, or a harness failure naming the step.
pub(crate) fn docstring(step: &cucumber::gherkin::Step) -> Result<&str, Failure> {
    step.docstring
        .as_deref()
        .map(content)
        .ok_or_else(|| Failure::harness(format!("step {:?} needs a \"\"\" docstring", step.value)))
}

/// A docstring's content without its media type: the gherkin crate keeps whatever follows the
/// opening delimiter (`"""json`) as the first line, where the content itself always starts on
/// the line after it.
fn content(raw: &str) -> &str {
    match raw.split_once('\n') {
        Some((media_type, rest)) if !media_type.trim().is_empty() => rest,
        _ => raw,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_media_type_is_not_part_of_the_content() {
        assert_eq!(super::content("json\n{\"a\": 1}\n"), "{\"a\": 1}\n");
        assert_eq!(super::content("\n{\"a\": 1}\n"), "\n{\"a\": 1}\n");
        assert_eq!(super::content("{}"), "{}");
    }
}
