//! The process exit codes, one documented constant each (README: "Exit codes").

/// Every selected scenario passed.
pub(crate) const SUCCESS: u8 = 0;
/// The harness ran and at least one scenario failed: the target broke the contract.
pub(crate) const SCENARIO_FAILED: u8 = 1;
/// Usage or input error: a bad flag, or an unreadable or malformed feature file or fixture.
pub(crate) const INPUT_ERROR: u8 = 2;
/// A live target could not be reached (reserved for live runs).
pub(crate) const UNREACHABLE: u8 = 3;
/// The harness itself could not finish, e.g. reports could not be written.
pub(crate) const RUNTIME_ERROR: u8 = 4;
/// The run was interrupted (SIGINT or SIGTERM); the reports hold what ran (the shell's 128 + 2).
pub(crate) const INTERRUPTED: u8 = 130;
