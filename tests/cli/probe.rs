//! `run --probe`: the healthy double gives no finding in either era, the planted-bug profile
//! gives each planted bug by its own check, a fixed seed gives the same findings twice, and a
//! baseline's known findings pass `--fail-on-new-findings`.

use std::path::Path;

use super::{bin, summary};

/// `run --probe-only` against the embedded double: exit code, summary.json, stdout.
fn probe(reports: &Path, extra: &[&str]) -> (i32, serde_json::Value, String) {
    let out = bin()
        .args(["run", "--probe-only", "--report-dir"])
        .arg(reports)
        .args(extra)
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    (out.status.code().unwrap_or(-1), summary(reports), stdout)
}

/// Each finding as (check, operation).
fn findings(summary: &serde_json::Value) -> Vec<(String, String)> {
    summary["probe"]["findings"]
        .as_array()
        .expect("summary.json has probe findings")
        .iter()
        .map(|f| {
            (
                f["check"].as_str().unwrap_or_default().to_string(),
                format!(
                    "{} {}",
                    f["method"].as_str().unwrap_or_default(),
                    f["route"].as_str().unwrap_or_default()
                ),
            )
        })
        .collect()
}

#[test]
fn the_healthy_double_gives_no_finding_in_either_era() {
    for era in ["api-key", "jwt"] {
        let dir = tempfile::tempdir().unwrap();
        let (code, summary, stdout) = probe(dir.path(), &["--era", era]);
        let probe = &summary["probe"];
        assert!(probe["requests"].as_u64().unwrap() > 300, "{era}: {probe}");
        assert_eq!(findings(&summary), Vec::<(String, String)>::new(), "{era}");
        assert_eq!(probe["rate_limited"], 0, "{era}");
        assert_eq!(code, 0, "{era}: no scenario ran, no finding: {stdout}");
        assert!(stdout.contains("probe: 0 finding(s)"), "{era}: {stdout}");
    }
}

#[test]
fn every_planted_bug_is_found_by_its_own_check_and_fails_the_run() {
    for era in ["api-key", "jwt"] {
        let dir = tempfile::tempdir().unwrap();
        let (code, summary, stdout) = probe(dir.path(), &["--era", era, "--profile", "probe-bugs"]);
        let found = findings(&summary);
        for planted in [
            ("server_error", "POST /v1/agents/workflows"),
            ("invalid_accepted", "GET /v1/marketplace/gpu/list"),
            ("ignored_auth", "GET /v1/jobs/{job_id}"),
        ] {
            let planted = (planted.0.to_string(), planted.1.to_string());
            assert!(
                found.contains(&planted),
                "{era}: {planted:?} not in {found:?}"
            );
        }
        assert_eq!(found.len(), 3, "{era}: only the planted bugs: {found:?}");
        assert_eq!(code, 1, "{era}: findings fail the run");
        assert!(stdout.contains("probe findings"), "{era}: {stdout}");
        let junit = std::fs::read_to_string(dir.path().join("junit.xml")).unwrap();
        assert!(
            junit.contains("GET /v1/jobs/{job_id} ignored_auth"),
            "{era}"
        );
        let markdown = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
        assert!(
            markdown.contains("| ignored_auth | 200 | `GET /v1/jobs/{job_id}`"),
            "{era}: {markdown}"
        );
        let page = std::fs::read_to_string(dir.path().join("index.html")).unwrap();
        assert!(page.contains("<table id=\"probe\">"), "{era}");
        for f in summary["probe"]["findings"].as_array().unwrap() {
            let curl = f["curl"].as_str().unwrap();
            assert!(curl.starts_with("curl -sS -X "), "{curl}");
        }
    }
}

#[test]
fn a_fixed_seed_gives_the_same_findings_twice() {
    let run = |seed: &str| {
        let dir = tempfile::tempdir().unwrap();
        let (_, summary, _) = probe(
            dir.path(),
            &["--profile", "probe-bugs", "--probe-seed", seed],
        );
        let keys: Vec<String> = summary["probe"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                format!(
                    "{} {} {} {} {}",
                    f["method"], f["route"], f["check"], f["signature"], f["input"]
                )
            })
            .collect();
        (keys, summary["probe"]["requests"].as_u64().unwrap())
    };
    let (first, requests) = run("7");
    let (second, again) = run("7");
    assert_eq!(first, second);
    assert_eq!(requests, again);
    assert!(!first.is_empty());
}

#[test]
fn known_findings_of_a_baseline_pass_and_only_new_ones_fail() {
    let base = tempfile::tempdir().unwrap();
    let (code, _, _) = probe(base.path(), &["--profile", "probe-bugs"]);
    assert_eq!(code, 1);
    let baseline = base.path().join("summary.json");
    let now = tempfile::tempdir().unwrap();
    let (code, summary, stdout) = probe(
        now.path(),
        &[
            "--profile",
            "probe-bugs",
            "--baseline",
            baseline.to_str().unwrap(),
            "--fail-on-new-findings",
        ],
    );
    assert_eq!(summary["probe"]["new_findings"], serde_json::json!([]));
    assert_eq!(code, 0, "the same findings as the baseline: {stdout}");
    // Against a baseline of the healthy double every finding is new.
    let healthy = tempfile::tempdir().unwrap();
    probe(healthy.path(), &[]);
    let again = tempfile::tempdir().unwrap();
    let (code, summary, _) = probe(
        again.path(),
        &[
            "--profile",
            "probe-bugs",
            "--baseline",
            healthy.path().join("summary.json").to_str().unwrap(),
            "--fail-on-new-findings",
        ],
    );
    assert_eq!(
        summary["probe"]["new_findings"].as_array().unwrap().len(),
        3
    );
    assert_eq!(code, 1);
}

#[test]
fn the_current_release_profile_plays_its_probe_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let (code, summary, _) = probe(
        dir.path(),
        &["--era", "jwt", "--profile", "aitbc-c27c6545b"],
    );
    let found = findings(&summary);
    for expected in [
        ("server_error", "GET /v1/admin/stats"),
        ("server_error", "GET /v1/jobs/{job_id}/receipts"),
        ("server_error", "GET /rpc/head"),
    ] {
        let expected = (expected.0.to_string(), expected.1.to_string());
        assert!(found.contains(&expected), "{expected:?} not in {found:?}");
    }
    assert_eq!(code, 1);
}
