//! Release bugs the double can reproduce on demand (a profile's `quirks:`): behaviour the
//! contract does not accept, but a real release has, tied to state or auth so that a plain
//! status override cannot express it. Each quirk names its real answer (contract §13).

use serde::Deserialize;

/// One reproducible bug of a real release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Quirk {
    /// `POST /v1/miners/heartbeat` of a registered miner answers 500 (`"Miner" object has no
    /// field "extra_metadata"`) and changes nothing.
    #[serde(rename = "heartbeat-500")]
    Heartbeat500,
    /// `GET /v1/admin/stats` answers 500 (AttributeError `average_job_duration_ms`) after auth.
    #[serde(rename = "admin-stats-500")]
    AdminStats500,
    /// `GET /v1/admin/jobs` and `/v1/admin/miners` answer 500 (AttributeError `id`) once any
    /// job or miner exists.
    #[serde(rename = "admin-lists-500")]
    AdminLists500,
    /// `GET /v1/jobs/{unknown}/receipts` answers 500 (KeyError `'job not found'`), not 404.
    #[serde(rename = "receipts-unknown-500")]
    ReceiptsUnknown500,
    /// `GET /v1/jobs/{id}` is cached: after a result, a job read while it ran alternates
    /// between a stale `RUNNING` view and the fresh one.
    StaleStatusCache,
    /// A miner's result for a job the client cancelled is accepted and turns it `COMPLETED`.
    ResultCompletesCanceled,
    /// `GET /health/ready` answers 503 (`cannot import name 'get_engine'`).
    #[serde(rename = "health-ready-503")]
    HealthReady503,
    /// JWT era (c27c6545b): every agents call of an admin answers 422, `query.args` and
    /// `query.kwargs` required (a misdeclared dependency).
    #[serde(rename = "agents-422")]
    Agents422,
    /// JWT era (c27c6545b): a miner's fail does not free its slot; it polls 204 until it
    /// registers again.
    FailKeepsMinerBusy,
    /// JWT era (c27c6545b): a registered GPU's region and capabilities are dropped (stored as
    /// `default` and `[]`).
    GpuRegisterDropsRegion,
    /// JWT era (c27c6545b): `/rpc/head?chain_id=` of an unknown chain answers 503 (a database
    /// error), not 404.
    #[serde(rename = "unknown-chain-503")]
    UnknownChain503,
    /// Planted for the probe (profile `probe-bugs`), no release's: a workflow name over 100
    /// characters crashes (500) instead of the contract's 422.
    #[serde(rename = "long-name-500")]
    LongName500,
    /// Planted: the marketplace list takes a limit below 1 (the contract: 422).
    NegativeLimitAccepted,
    /// Planted: `GET /v1/jobs/{job_id}` serves a job to a caller without any credential.
    StatusIgnoresAuth,
}

/// The quirks one double has switched on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Quirks(Vec<Quirk>);

impl Quirks {
    pub(crate) fn new(quirks: &[Quirk]) -> Self {
        Self(quirks.to_vec())
    }

    /// Whether this bug is reproduced.
    pub(crate) fn has(&self, quirk: Quirk) -> bool {
        self.0.contains(&quirk)
    }
}
