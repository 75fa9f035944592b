//! End-to-end tests of the `aitbc-conformance` binary through assert_cmd.

mod check;
mod consumer;
mod cucumber_json;
mod gate;
mod hostile;
mod inputs;
pub mod live;
mod metrics;
mod probe;
mod replay;
mod reports;
mod run;
mod snapshots;
mod tls;
mod watch;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The binary, run from the crate root (where `features/` and `fixtures/` live).
pub fn bin() -> Command {
    let mut cmd = assert_cmd::cargo_bin_cmd!("aitbc-conformance");
    cmd.current_dir(root());
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("AITBC_")) {
        cmd.env_remove(key);
    }
    cmd
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Sends a signal (`TERM`, `INT`) to a process the test started, as a person's `kill` would.
pub fn signal(pid: u32, name: &str) {
    let status = std::process::Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -{name} {pid}");
}

/// Parses `summary.json` from a report folder.
pub fn summary(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("summary.json")).expect("summary.json was written");
    serde_json::from_str(&text).expect("summary.json is JSON")
}

/// Each scenario's status, in report order.
pub fn statuses(summary: &serde_json::Value) -> Vec<&str> {
    summary["scenarios"]
        .as_array()
        .expect("summary.json lists scenarios")
        .iter()
        .map(|x| x["status"].as_str().expect("a status is a string"))
        .collect()
}

/// The command row of `summary.json` with this CLI spelling.
pub fn command<'s>(summary: &'s serde_json::Value, cli: &str) -> &'s serde_json::Value {
    summary["commands"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["command"] == cli))
        .unwrap_or_else(|| panic!("no command {cli:?} in summary.json"))
}
