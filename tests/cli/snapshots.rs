//! Snapshots: update writes and check does not, CI writes nothing, drift and broken relations
//! fail with class `contract` and a diff, unreferenced files are listed and can be rejected,
//! and no committed snapshot holds a key.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{bin, root, summary};

const FEATURES: &str = "tests/features/snapshots";

/// Runs the snapshot-only features with snapshots under `dir`; returns (exit, summary, stdout).
fn run(dir: &Path, extra: &[&str], ci: bool) -> (i32, Value, String) {
    let reports = tempfile::tempdir().unwrap();
    let mut cmd = bin();
    cmd.args(["run", "--features", FEATURES, "--snapshots-dir"])
        .arg(dir)
        .arg("--report-dir")
        .arg(reports.path())
        .args(extra);
    if ci {
        cmd.env("CI", "1");
    } else {
        cmd.env_remove("CI").env_remove("TF_BUILD");
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    (
        out.status.code().unwrap_or(-1),
        summary(reports.path()),
        stdout,
    )
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                pending.push(e.path());
            } else {
                found.push(e.path());
            }
        }
    }
    found.sort();
    found
}

fn failures(s: &Value) -> Vec<&Value> {
    s["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["status"] == "failed")
        .collect()
}

/// A folder with the two snapshots written by `--snapshots update`.
fn recorded() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stdout) = run(dir.path(), &["--snapshots", "update"], false);
    assert_eq!(code, 0, "{stdout}");
    dir
}

#[test]
fn update_writes_check_reads_and_ci_writes_nothing() {
    let dir = recorded();
    let written = files(dir.path());
    let names: Vec<String> = written
        .iter()
        .map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string())
        .collect();
    assert_eq!(names, ["jobs/status.snap", "jobs/submitted.snap"]);
    let before: Vec<String> = written
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert!(
        before[0].contains("\"job_id\": \"[job_id#1]\""),
        "{}",
        before[0]
    );

    let (code, s, _) = run(dir.path(), &[], false);
    assert_eq!(code, 0);
    assert_eq!(s["snapshots"]["referenced"], 2);
    let after: Vec<String> = files(dir.path())
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert_eq!(before, after, "check mode leaves matching snapshots alone");

    let path = dir.path().join("jobs/submitted.snap");
    std::fs::write(&path, before[1].replace("QUEUED", "RUNNING")).unwrap();
    let (code, s, _) = run(dir.path(), &[], true);
    assert_eq!(code, 1);
    assert_eq!(failures(&s)[0]["failure"]["class"], "contract");
    assert!(
        !dir.path().join("jobs/submitted.snap.new").exists(),
        "CI writes nothing"
    );
    let (code, _, _) = run(dir.path(), &[], false);
    assert_eq!(code, 1);
    assert!(
        dir.path().join("jobs/submitted.snap.new").exists(),
        "outside CI a .snap.new waits for review"
    );
}

#[test]
fn drift_is_caught_by_the_snapshot_with_a_diff_naming_the_field() {
    let dir = recorded();
    // Schema checks would stop the scenario at the request (see live::drift_is_a_contract_failure).
    let (code, s, stdout) = run(dir.path(), &["--profile", "drift", "--no-schema"], true);
    assert_eq!(code, 1, "{stdout}");
    let failed = failures(&s);
    assert_eq!(failed.len(), 2);
    let failure = &failed[0]["failure"];
    assert_eq!(failure["class"], "contract");
    assert_eq!(
        failure["step"],
        "Then the response matches the snapshot \"submitted\""
    );
    let message = failure["message"].as_str().unwrap();
    assert!(message.contains("-     \"state\": \"QUEUED\""), "{message}");
    assert!(
        message.contains("+     \"status\": \"QUEUED\""),
        "{message}"
    );
}

#[test]
fn a_status_naming_another_job_breaks_the_relation() {
    let dir = recorded();
    let profile = tempfile::NamedTempFile::with_suffix(".yaml").unwrap();
    let other = r#"{"job_id": "ffffffffffffffffffffffffffffffff", "state": "QUEUED", "assigned_miner_id": null,
        "requested_at": "2026-11-24T21:04:09.989672", "expires_at": "2026-11-24T21:19:09.989672",
        "error": null, "payment_id": null, "payment_status": null}"#;
    std::fs::write(
        profile.path(),
        format!("rules:\n  - routes: [jobs.status]\n    status: 200\n    body: {other}\n"),
    )
    .unwrap();
    let (code, s, _) = run(
        dir.path(),
        &["--profile", profile.path().to_str().unwrap()],
        true,
    );
    assert_eq!(code, 1);
    let failed = failures(&s);
    assert_eq!(
        failed.len(),
        1,
        "only the status snapshot relates to another response"
    );
    let message = failed[0]["failure"]["message"].as_str().unwrap();
    assert!(
        message.contains("-     \"job_id\": \"[job_id#1]\""),
        "{message}"
    );
    assert!(
        message.contains("+     \"job_id\": \"[job_id#2]\""),
        "{message}"
    );
}

#[test]
fn a_missing_snapshot_is_pending_locally_and_a_failure_under_ci() {
    let dir = tempfile::tempdir().unwrap();
    let (code, s, _) = run(dir.path(), &[], true);
    assert_eq!(code, 1);
    assert!(files(dir.path()).is_empty(), "CI writes nothing");
    assert!(failures(&s)[0]["failure"]["message"]
        .as_str()
        .unwrap()
        .starts_with("no snapshot "));
    let (code, s, stdout) = run(dir.path(), &[], false);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(s["snapshots"]["pending"].as_array().unwrap().len(), 2);
    assert!(stdout.contains("2 new pending review"), "{stdout}");
    assert!(dir.path().join("jobs/status.snap.new").exists());
}

#[test]
fn unreferenced_snapshots_are_listed_and_can_be_rejected() {
    let dir = recorded();
    std::fs::write(
        dir.path().join("jobs/stray.snap"),
        "---\nsource: x\n---\n{}\n",
    )
    .unwrap();
    let (code, s, stdout) = run(dir.path(), &[], true);
    assert_eq!(code, 0);
    assert!(s["snapshots"]["unreferenced"][0]
        .as_str()
        .unwrap()
        .ends_with("jobs/stray.snap"));
    assert!(stdout.contains("unreferenced snapshots (1)"), "{stdout}");
    let (code, _, _) = run(dir.path(), &["--reject-unreferenced"], true);
    assert_eq!(code, 1);
    // Names come from the steps themselves: a partial run, or one whose scenarios fail before
    // their snapshot step, judges the same files the same way.
    let only_stray = |s: &serde_json::Value| {
        let listed = s["snapshots"]["unreferenced"].as_array().unwrap();
        listed.len() == 1 && listed[0].as_str().unwrap().ends_with("jobs/stray.snap")
    };
    let (code, s, _) = run(
        dir.path(),
        &["--reject-unreferenced", "--tags", "@command:client-submit"],
        true,
    );
    assert_eq!(code, 1);
    assert!(only_stray(&s), "{}", s["snapshots"]);
    let (code, s, _) = run(dir.path(), &["--profile", "routes-missing"], true);
    assert_eq!(code, 1);
    assert!(only_stray(&s), "{}", s["snapshots"]);
}

#[test]
fn no_committed_snapshot_holds_a_key() {
    let seed = std::fs::read_to_string(root().join("fixtures/double.yaml")).unwrap();
    let keys: Vec<&str> = seed
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.ends_with("_valid") || w.contains("_16_"))
        .collect();
    assert!(keys.len() >= 8);
    let snapshots = files(&root().join("snapshots"));
    assert!(snapshots.len() >= 40, "the suite's snapshots are committed");
    for file in snapshots {
        let text = std::fs::read_to_string(&file).unwrap();
        for key in &keys {
            assert!(!text.contains(key), "{key} in {}", file.display());
        }
    }
}
