//! The CI gate: a baseline, regressions, a minimum rate, commands allowed to fail, `compare`,
//! and `summary.md` (also appended to `GITHUB_STEP_SUMMARY`).

use std::path::Path;

use super::{bin, summary};

/// Runs the embedded double with `profile` and `extra` flags; (exit code, summary.json, stdout).
fn run(profile: &str, reports: &Path, extra: &[&str]) -> (i32, serde_json::Value, String) {
    let out = bin()
        .args(["run", "--profile", profile, "--report-dir"])
        .arg(reports)
        .args(extra)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    (out.status.code().unwrap_or(-1), summary(reports), stdout)
}

/// The released backend's summary, as a baseline file.
fn baseline(dir: &Path) -> String {
    let reports = dir.join("baseline");
    let (code, _, _) = run("aitbc-35a546ee0", &reports, &[]);
    assert_eq!(code, 1, "the release has known breakages");
    reports.join("summary.json").display().to_string()
}

#[test]
fn known_breakages_pass_the_regression_gate_and_new_ones_fail_it() {
    let dir = tempfile::tempdir().unwrap();
    let base = baseline(dir.path());
    let gate = ["--baseline", base.as_str(), "--fail-on-regression"];
    let (code, s, stdout) = run("aitbc-35a546ee0", &dir.path().join("same"), &gate);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(s["gate"]["passed"], true);
    assert!(stdout.contains("gate: passed"), "{stdout}");
    let (code, s, stdout) = run("routes-missing", &dir.path().join("worse"), &gate);
    assert_eq!(code, 1, "{stdout}");
    let failures = s["gate"]["failures"].to_string();
    assert!(
        failures.contains("client submit: worked in the baseline, does not now"),
        "{failures}"
    );
    assert!(stdout.contains("gate: FAILED"), "{stdout}");
    assert!(
        s["gate"]["notes"]
            .to_string()
            .contains("miner heartbeat: fixed since the baseline"),
        "a fix is named too: {}",
        s["gate"]["notes"]
    );
}

#[test]
fn a_minimum_pass_rate_fails_below_it_only() {
    let dir = tempfile::tempdir().unwrap();
    let (code, s, _) = run("aitbc-35a546ee0", dir.path(), &["--min-pass-rate", "50"]);
    assert_eq!(code, 1);
    assert!(s["gate"]["failures"][0]
        .as_str()
        .unwrap()
        .contains("47.4% of commands work"));
    let (code, _, _) = run("aitbc-35a546ee0", dir.path(), &["--min-pass-rate", "45"]);
    assert_eq!(
        code, 0,
        "at 47.4% the gate of 45 passes despite the known failures"
    );
}

#[test]
fn allowed_failures_pass_others_fail_and_a_fixed_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("known-broken.txt");
    std::fs::write(
        &list,
        "# the released backend's breakages\nclient status\nclient receipts\nminer heartbeat\n\
         miner poll\nminer result\nadmin stats\nagent create\nagent list\nagent execute\n\
         agent status\nblockchain block   # by_hash is missing\nclient submit\n",
    )
    .unwrap();
    let file = list.display().to_string();
    let (code, s, stdout) = run(
        "aitbc-35a546ee0",
        dir.path(),
        &["--allow-failing-file", file.as_str()],
    );
    assert_eq!(code, 0, "{stdout}");
    let notes = s["gate"]["notes"].to_string();
    assert!(notes.contains("client submit: now working"), "{notes}");
    let short = ["--allow-failing", "agent create,agent list"];
    let (code, s, _) = run("aitbc-35a546ee0", dir.path(), &short);
    assert_eq!(code, 1);
    assert!(s["gate"]["failures"]
        .to_string()
        .contains("(miner heartbeat): fails"));
}

#[test]
fn compare_names_the_changes_and_exits_1_on_a_regression() {
    let dir = tempfile::tempdir().unwrap();
    let base = baseline(dir.path());
    let worse = dir.path().join("worse");
    run("routes-missing", &worse, &[]);
    let worse = worse.join("summary.json").display().to_string();
    let out = bin().args(["compare", &base, &worse]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("client submit         working    broken     regressed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("scenarios that passed and fail now:"),
        "{stdout}"
    );
    let out = bin().args(["compare", &base, &base]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = bin()
        .args(["compare", &base, "no-such.json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "a missing file is an input error"
    );
}

#[test]
fn summary_md_is_written_and_appended_to_the_github_step_summary() {
    let dir = tempfile::tempdir().unwrap();
    let step = dir.path().join("step-summary.md");
    let out = bin()
        .args(["run", "--profile", "aitbc-35a546ee0", "--report-dir"])
        .arg(dir.path().join("reports"))
        .env("GITHUB_STEP_SUMMARY", &step)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let md = std::fs::read_to_string(dir.path().join("reports/summary.md")).unwrap();
    assert!(
        md.starts_with("## AITBC conformance: 9/19 commands of aitbc 0.1.0 (api-key era) working"),
        "{md}"
    );
    assert!(
        md.contains("| agent create | 0/4 | broken | missing_endpoint |"),
        "{md}"
    );
    assert!(md.contains("**Failed scenarios ("), "{md}");
    assert_eq!(std::fs::read_to_string(&step).unwrap().trim(), md.trim());
}

/// The `slow` profile's admin stats answer after 8 s: with the 5 s timeout each waits 5 s, so its
/// p95 is at least 5 s whatever the machine; the healthy double answers the same scenarios far
/// under the 4 s bound.
#[test]
fn max_p95_fails_the_slow_profile_and_passes_a_healthy_double() {
    let tags = ["--tags", "@command:admin-stats", "--max-p95", "4s"];
    let dir = tempfile::tempdir().unwrap();
    let (code, summary, stdout) = run("slow", dir.path(), &tags);
    assert_eq!(code, 1, "{stdout}");
    let failures = summary["gate"]["failures"].to_string();
    assert!(failures.contains("GET /v1/admin/stats: p95"), "{failures}");
    let stats = summary["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["endpoint"] == "GET /v1/admin/stats")
        .unwrap();
    assert!(
        stats["latency"]["p95_ms"].as_f64().unwrap() >= 4000.0,
        "{stats}"
    );
    assert!(
        stdout.contains("p95"),
        "the terminal's endpoint table: {stdout}"
    );
    let healthy = tempfile::tempdir().unwrap();
    let (code, summary, stdout) = run("healthy", healthy.path(), &tags);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(summary["gate"]["passed"], true);
    let markdown = std::fs::read_to_string(healthy.path().join("summary.md")).unwrap();
    assert!(markdown.contains("| endpoint | exchanges | 2xx | p50 | p95 | max | class |"));
    let history = std::fs::read_to_string(healthy.path().join("history.jsonl")).unwrap();
    let line: serde_json::Value = serde_json::from_str(history.trim()).unwrap();
    assert!(
        line["endpoints_p95_ms"]["GET /v1/admin/stats"].is_f64(),
        "{history}"
    );
}
