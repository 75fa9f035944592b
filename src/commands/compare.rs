//! `compare`: two summary.json files side by side; exit 1 on any regression.

use super::say;
use crate::cli::CompareArgs;
use crate::error::RunError;
use crate::exit;
use crate::report::gate::{self, Change, Recorded};

/// `compare OLD NEW`.
pub(crate) fn compare(args: &CompareArgs) -> Result<u8, RunError> {
    let (old, new) = (Recorded::load(&args.old)?, Recorded::load(&args.new)?);
    let comparison = gate::compare(&old, &new);
    say(&gate::render_comparison(&comparison));
    let regressed = comparison
        .commands
        .iter()
        .any(|(_, change, _, _)| *change == Change::Regressed)
        || !comparison.newly_failing.is_empty();
    Ok(if regressed {
        exit::SCENARIO_FAILED
    } else {
        exit::SUCCESS
    })
}
