//! What a run collected per scenario, as the reports read it: how each ended, the first
//! failing step (typed), the exchanges of a failed one.

use std::path::PathBuf;
use std::time::Duration;

use crate::failure::FailureClass;

/// How one scenario ended.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub(crate) path: PathBuf,
    pub(crate) line: usize,
    pub(crate) duration: Duration,
    /// `None` when every step passed.
    pub(crate) failure: Option<StepFailure>,
    /// Whether it passed only on a retry.
    pub(crate) retried: bool,
    /// The failed scenario's exchanges, for its HAR file (empty when it passed).
    pub(crate) exchanges: Vec<crate::exchange::Exchange>,
}

/// The first failing step of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StepFailure {
    /// `When I send GET "/v1/jobs/{A}"`.
    pub(crate) step: String,
    pub(crate) class: FailureClass,
    pub(crate) message: String,
}

/// Outcomes as they finish, readable by the run even when it is interrupted mid-way.
pub(crate) type Finished = std::sync::Arc<std::sync::Mutex<Vec<Outcome>>>;
