//! Hostile targets (`double --hostile MODE`, real TCP): each breakage ends the way a person would
//! expect — a target that does not speak complete HTTP ends the run like an unreachable one (exit
//! 3, one line naming the service, the URL and what it did); a body beyond `--max-body` fails its exchanges as
//! `too_large` without reading it all. Memory is measured by scripts/bench.py, not here.

use super::{bin, summary};
use crate::live::{serve_with, ENV_FILE};

/// Runs the suite against a hostile double; (exit code, stderr, report folder).
fn run_hostile(mode: &str, extra: &[&str]) -> (i32, String, tempfile::TempDir) {
    let served = serve_with("healthy", &["--hostile", mode]);
    let reports = tempfile::tempdir().unwrap();
    let out = bin()
        .args(["run", "--coordinator-url", &served.coordinator])
        .args(["--node-url", &served.node, "--rate-limits", "off"])
        .args(ENV_FILE)
        .args(extra)
        .arg("--report-dir")
        .arg(reports.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code().unwrap_or(-1), stderr, reports)
}

fn assert_unreachable_because(mode: &str, extra: &[&str], cause: &str) {
    let (code, stderr, _) = run_hostile(mode, extra);
    assert_eq!(code, 3, "{mode}: {stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.contains("the coordinator at http://127.0.0.1:") && stderr.contains(cause),
        "{mode}: {stderr}"
    );
    let how = if mode == "slow-drip" {
        "is unreachable"
    } else {
        "does not answer with complete HTTP"
    };
    assert!(stderr.contains(how), "{mode}: {stderr}");
}

#[test]
fn a_target_that_does_not_speak_http_is_unreachable() {
    assert_unreachable_because("garbage", &[], "the answer is not HTTP");
}

#[test]
fn a_target_that_resets_every_connection_is_unreachable() {
    assert_unreachable_because("reset", &[], "the connection was reset");
}

#[test]
fn a_target_that_cuts_every_answer_short_is_unreachable() {
    assert_unreachable_because("truncated", &[], "the answer was cut short");
}

#[test]
fn a_body_that_never_ends_runs_into_the_timeout() {
    let fast = ["--timeout", "500ms", "--retries", "0"];
    assert_unreachable_because("slow-drip", &fast, "no complete answer within the timeout");
}

#[test]
fn a_huge_body_fails_its_exchanges_as_too_large() {
    let (code, stderr, reports) = run_hostile("huge-body", &["--max-body", "64KB"]);
    assert_eq!(code, 1, "{stderr}");
    let s = summary(reports.path());
    let failed: Vec<&serde_json::Value> = s["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["status"] == "failed")
        .collect();
    assert!(!failed.is_empty());
    for f in failed {
        assert_eq!(f["failure"]["class"], "too_large", "{f}");
        let message = f["failure"]["message"].as_str().unwrap();
        assert!(
            message.contains("larger than --max-body (65536 bytes"),
            "{message}"
        );
    }
}

#[test]
fn an_interrupted_run_writes_the_reports_of_what_ran_and_exits_130() {
    let served = serve_with("tests/fixtures/profiles/stalled-ranges.yaml", &[]);
    let reports = tempfile::tempdir().unwrap();
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("aitbc-conformance"))
        .current_dir(super::root())
        .args(["run", "--coordinator-url", &served.coordinator])
        .args(["--node-url", &served.node, "--timeout", "60s"])
        .args(ENV_FILE)
        .arg("--report-dir")
        .arg(reports.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Every scenario but the block ranges ends in well under a second; those wait 30 s.
    std::thread::sleep(std::time::Duration::from_secs(3));
    super::signal(child.id(), "INT");
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(130), "{stdout}");
    assert!(stdout.contains("interrupted, the rest not run"), "{stdout}");
    let s = summary(reports.path());
    assert_eq!(s["interrupted"], true);
    let statuses = super::statuses(&s);
    assert!(
        statuses.contains(&"not_run") && statuses.contains(&"passed"),
        "{statuses:?}"
    );
    let history = std::fs::read_to_string(reports.path().join("history.jsonl")).unwrap();
    assert_eq!(history.lines().count(), 1);
}
