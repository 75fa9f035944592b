//! Production checks: `run --read-only` sends no write (the standalone double's own request log
//! says so) and judges every read-only command; a scenario tagged read-only that writes stops
//! the run before it starts; `run --every` runs on a schedule and stops cleanly on SIGTERM.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::live::{serve_with, ENV_FILE};
use super::{bin, root, summary};

/// `double` with a request log, stopped with SIGTERM; returns the log's lines.
fn with_logged_double(run: impl FnOnce(&str, &str)) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("requests.log");
    let mut served = serve_with("healthy", &["--request-log", log.to_str().unwrap()]);
    run(&served.coordinator, &served.node);
    let status = served.stop();
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
    std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn read_only_sends_no_write_and_judges_every_read_only_command() {
    let reports = tempfile::tempdir().unwrap();
    let log = with_logged_double(|coordinator, node| {
        let out = bin()
            .args(["run", "--read-only", "--rate-limits", "off"])
            .args(["--coordinator-url", coordinator, "--node-url", node])
            .args(ENV_FILE)
            .arg("--report-dir")
            .arg(reports.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{stdout}");
        assert!(stdout.contains("read-only: "), "{stdout}");
    });
    let writes: Vec<&String> = log
        .iter()
        .filter(|l| !l.starts_with("GET ") && !l.starts_with("HEAD "))
        .collect();
    assert!(writes.is_empty(), "writes reached the double: {writes:?}");
    assert!(log.len() > 40, "{log:?}");
    let summary = summary(reports.path());
    let verdicts: Vec<(&str, &str)> = summary["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["command"].as_str().unwrap(),
                c["verdict"].as_str().unwrap(),
            )
        })
        .collect();
    // Nothing the read-only scenarios judge is broken; what only writes can judge is untested.
    let writes_only = [
        "client submit",
        "client cancel",
        "miner register",
        "miner heartbeat",
        "miner poll",
        "miner result",
        "agent create",
        "agent execute",
        "agent status",
    ];
    for (command, verdict) in &verdicts {
        if writes_only.contains(command) {
            assert_eq!(*verdict, "untested", "{command}");
        } else {
            assert!(
                ["working", "untested"].contains(verdict),
                "{command}: {verdict}"
            );
        }
    }
    let working = verdicts.iter().filter(|(_, v)| *v == "working").count();
    assert!(working >= 8, "{verdicts:?}");
}

#[test]
fn a_read_only_scenario_that_writes_stops_the_run_before_it_starts() {
    let reports = tempfile::tempdir().unwrap();
    let out = bin()
        .args([
            "run",
            "--read-only",
            "--features",
            "tests/features/read_only_writes",
        ])
        .arg("--report-dir")
        .arg(reports.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("tests/features/read_only_writes/writes.feature:6: --read-only")
            && stderr.contains("sends a write"),
        "{stderr}"
    );
    assert!(!reports.path().join("summary.json").exists());
}

#[test]
fn every_runs_on_a_schedule_and_stops_between_runs_on_sigterm() {
    let reports = tempfile::tempdir().unwrap();
    let out = bin()
        .args([
            "run",
            "-q",
            "--read-only",
            "--every",
            "10ms",
            "--repeat",
            "3",
        ])
        .arg("--report-dir")
        .arg(reports.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let history = std::fs::read_to_string(reports.path().join("history.jsonl")).unwrap();
    assert_eq!(history.lines().count(), 3);
    // A long wait between runs ends at SIGTERM, with the finished run's reports in place.
    let reports = tempfile::tempdir().unwrap();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin!("aitbc-conformance"))
        .current_dir(root())
        .args([
            "run",
            "-q",
            "--read-only",
            "--every",
            "3600s",
            "--report-dir",
        ])
        .arg(reports.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let history = reports.path().join("history.jsonl");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !std::fs::read_to_string(&history).is_ok_and(|h| h.lines().count() == 1) {
        assert!(Instant::now() < deadline, "the first run did not finish");
        std::thread::sleep(Duration::from_millis(50));
    }
    super::signal(child.id(), "TERM");
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&history).unwrap().lines().count(),
        1
    );
    assert!(summary(reports.path())["scenarios_total"].as_u64().unwrap() > 40);
}
