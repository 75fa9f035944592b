//! Step definitions, registered on the World by cucumber's attribute macros.

/// A step's body, its failure kept typed on the World (cucumber itself carries only its text):
/// the collector reads the class and message from there, never from the text.
macro_rules! judged {
    ($world:ident, $body:block) => {{
        let outcome: $crate::world::StepResult = async $body.await;
        match $world.settle(outcome) {
            Ok(()) => Ok(()),
            Err(failure) => $crate::steps::fail_quietly(failure),
        }
    }};
}

/// Ends a failed step by unwinding with the failure's text, without the panic hook: cucumber
/// silences the hook around each runner with a take-then-set, and a step failing on another
/// worker between the two would print its panic and backtrace to stderr (cucumber's codegen
/// panics with `panic!` on an `Err`). The unwind is what cucumber catches to mark the step
/// failed; the failure itself was kept, typed, on the World.
pub(crate) fn fail_quietly(failure: crate::failure::Failure) -> ! {
    std::panic::resume_unwind(Box::new(failure.to_string()))
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

    /// The race it closes: cucumber's runners take the hook and set a silent one, and a step
    /// failing on another worker in between reached the default hook, which printed it.
    #[test]
    fn a_failed_step_unwinds_without_calling_the_panic_hook() {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::Arc;
        static CALLED: AtomicBool = AtomicBool::new(false);
        const MARK: &str = "a failure only this test raises";
        let previous: Arc<dyn Fn(&std::panic::PanicHookInfo<'_>) + Sync + Send> =
            Arc::from(std::panic::take_hook());
        let others = previous.clone();
        std::panic::set_hook(Box::new(move |info| {
            match info.payload().downcast_ref::<String>() {
                Some(text) if text.contains(MARK) => CALLED.store(true, Ordering::SeqCst),
                _ => others(info),
            }
        }));
        let failure = crate::failure::Failure::contract(MARK);
        let caught = std::panic::catch_unwind(|| super::fail_quietly(failure));
        std::panic::set_hook(Box::new(move |info| previous(info)));
        let payload = caught.expect_err("a failed step unwinds");
        assert_eq!(
            payload.downcast_ref::<String>().map(String::as_str),
            Some(format!("[contract] {MARK}").as_str()),
            "cucumber reports the failure's text"
        );
        assert!(
            !CALLED.load(Ordering::SeqCst),
            "the panic hook saw the failure"
        );
    }
}
