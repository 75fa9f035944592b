//! `run --cli`: the user's CLI as the consumer, here the project's stand-in
//! (examples/aitbc_standin.rs), against the embedded double and, through the recording proxy,
//! against a live one.

use std::path::PathBuf;

use super::live::serve_with;
use super::{bin, command, summary};

/// The stand-in CLI, which `cargo test` builds with the examples.
fn standin() -> String {
    let exe = std::env::current_exe().unwrap();
    let debug = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let path: PathBuf = debug.join("examples").join("aitbc_standin");
    assert!(
        path.exists(),
        "cargo test builds the examples: {}",
        path.display()
    );
    path.display().to_string()
}

const SOME: &str = "@cli and (@command:client-submit or @command:client-status or @command:agent-list or @command:blockchain-head or @command:miner-register)";

fn cli_verdict(s: &serde_json::Value, cli: &str) -> (String, Vec<String>) {
    let row = &command(s, cli)["cli"];
    (
        row["verdict"].as_str().unwrap_or_default().to_string(),
        serde_json::from_value(row["classes"].clone()).unwrap_or_default(),
    )
}

/// (exit code, summary.json, stdout) of a run with `extra` flags.
fn run(extra: &[&str]) -> (i32, serde_json::Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let (code, s, stdout) = run_into(dir.path(), extra);
    (code, s, stdout)
}

fn run_into(dir: &std::path::Path, extra: &[&str]) -> (i32, serde_json::Value, String) {
    let out = bin()
        .arg("run")
        .args(extra)
        .arg("--report-dir")
        .arg(dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    (out.status.code().unwrap_or(-1), summary(dir), stdout)
}

fn assert_cli_verdicts(s: &serde_json::Value) {
    for working in ["client submit", "client status", "blockchain head"] {
        assert_eq!(
            cli_verdict(s, working),
            ("working".into(), vec![]),
            "{working}"
        );
    }
    assert_eq!(
        cli_verdict(s, "agent list"),
        ("broken".into(), vec!["cli_drift".into()])
    );
    assert_eq!(
        cli_verdict(s, "miner register"),
        ("broken".into(), vec!["cli_error".into()]),
        "the stand-in has no `miner register`: click's usage error"
    );
    assert_eq!(s["cli_headline"]["commands_working"], 3);
    assert_eq!(
        s["cli_unknown_routes"],
        serde_json::json!(["GET /api/v1/agents/workflows"])
    );
    let admin = &command(s, "admin stats")["cli"];
    assert!(admin["note"]
        .as_str()
        .unwrap()
        .contains("no command for GET /v1/admin/stats"));
}

#[test]
fn without_cli_the_cli_scenarios_are_not_applicable_and_change_no_verdict() {
    let (code, s, _) = run(&["--tags", "@cli"]);
    assert_eq!(code, 0);
    let reasons: Vec<&str> = s["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            assert_eq!(x["status"], "skipped");
            x["failure"]["message"].as_str().unwrap()
        })
        .collect();
    assert!(reasons.len() >= 18 && reasons.iter().all(|r| r.contains("--cli")));
    assert!(s.get("cli_headline").is_none());
}

#[test]
fn each_command_gets_a_cli_verdict_beside_its_api_one() {
    let cli = standin();
    let dir = tempfile::tempdir().unwrap();
    let (code, s, stdout) = run_into(dir.path(), &["--tags", SOME, "--cli", &cli]);
    assert_eq!(code, 1, "{stdout}");
    assert_cli_verdicts(&s);
    // The failed CLI scenario's HAR file holds what the CLI sent.
    let har = std::fs::read_dir(dir.path().join("exchanges"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .find(|text| text.contains("aitbc agent list lists the workflows"))
        .expect("a HAR file for the agent list scenario");
    assert!(har.contains("/api/v1/agents/workflows"), "{har}");
    assert!(
        stdout.contains("CLI: 3/19 commands of aitbc 0.1.0 (api-key era) work end to end"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "called GET /api/v1/agents/workflows → 404, a route the contract does not know"
        ),
        "{stdout}"
    );
    // Both ways of missing each other: what it calls that is not served, and the reverse.
    let drift = &s["cli_drift"];
    assert_eq!(
        drift["called_not_served"],
        serde_json::json!(["GET /api/v1/agents/workflows"])
    );
    let never: Vec<&str> = drift["served_not_called"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e.as_str())
        .collect();
    assert!(never.contains(&"GET /v1/agents/workflows"), "{never:?}");
    assert!(
        !never.contains(&"POST /v1/jobs"),
        "submit called it: {never:?}"
    );
}

#[test]
fn through_the_proxy_a_live_target_gives_the_same_cli_verdicts() {
    let cli = standin();
    let served = serve_with("healthy", &[]);
    let (_, s, stdout) = run(&[
        "--tags",
        SOME,
        "--cli",
        &cli,
        "--coordinator-url",
        &served.coordinator,
        "--node-url",
        &served.node,
        "--env-file",
        "tests/fixtures/coordinator.env",
        "--rate-limits",
        "off",
    ]);
    assert_cli_verdicts(&s);
    assert!(stdout.contains("against the live coordinator"), "{stdout}");
}

#[test]
fn a_command_that_never_returns_is_killed_at_the_timeout() {
    let cli = standin();
    let (code, s, stdout) = run(&[
        "--features",
        "tests/features/cli_hang",
        "--snapshots",
        "off",
        "--cli",
        &cli,
        "--cli-timeout",
        "1s",
    ]);
    assert_eq!(code, 1, "{stdout}");
    let failure = &s["scenarios"][0]["failure"];
    assert_eq!(failure["class"], "timeout");
    assert!(failure["message"]
        .as_str()
        .unwrap()
        .contains("did not return within 1 s and was killed"));
}

/// Today's CLI (JWT era), played by the stand-in in a folder with `.aitbc.yaml`: its commands
/// are the JWT catalog's, logged in with the role's token; `workflow run` earns a CLI verdict
/// of its own making (the token sent as X-Api-Key).
#[test]
fn in_the_jwt_era_todays_commands_get_cli_verdicts_and_the_headline_names_the_cli() {
    let some = "@cli and (@command:ai-submit or @command:ai-status or @command:ai-jobs or @command:workflow-run or @command:chain-sync-status)";
    let (code, s, stdout) = run(&[
        "--era",
        "jwt",
        "--cli",
        &standin(),
        "--cli-version",
        "0.10.18",
        "--tags",
        some,
    ]);
    assert_eq!(code, 1, "workflow run fails: {stdout}");
    for working in ["ai submit", "ai status", "ai jobs", "chain sync-status"] {
        assert_eq!(
            cli_verdict(&s, working),
            ("working".into(), vec![]),
            "{working}: {stdout}"
        );
    }
    assert_eq!(
        cli_verdict(&s, "workflow run"),
        ("broken".into(), vec!["cli_error".into()])
    );
    let why = command(&s, "workflow run")["cli"]["first_failure"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(why.contains("sent its credential as X-Api-Key"), "{why}");
    assert_eq!(s["headline"]["cli"], "aitbc 0.10.18");
    assert!(
        stdout.contains("CLI: 4/10 commands of aitbc 0.10.18 (jwt era) work end to end"),
        "{stdout}"
    );
    assert!(!stdout.contains("eyJ"), "no token is printed: {stdout}");
}

#[test]
fn the_cli_version_comes_from_its_own_answer_and_a_cli_that_cannot_start_is_exit_2() {
    let (code, s, stdout) = run(&[
        "--cli",
        &standin(),
        "--tags",
        "@command:client-submit and @cli",
    ]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(
        s["headline"]["cli"], "aitbc 0.1.0",
        "from `aitbc_standin --version`"
    );
    let out = bin()
        .args(["run", "--cli", "/no/such/aitbc", "--report-dir"])
        .arg(tempfile::tempdir().unwrap().path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--cli: cannot start \"/no/such/aitbc\""),
        "{stderr}"
    );
}
