//! Bad input gets exit 2 and a message naming the file and line; `list` and `--help` explain.

use super::{bin, root};

fn stderr_of(args: &[&str]) -> String {
    let out = bin()
        .args(args)
        .arg("--report-dir")
        .arg(std::env::temp_dir().join("aitbc-unused"))
        .assert()
        .code(2);
    String::from_utf8(out.get_output().stderr.clone()).unwrap()
}

#[test]
fn a_malformed_feature_exits_2_with_file_and_line() {
    let err = stderr_of(&["run", "--features", "tests/features/malformed"]);
    assert!(
        err.contains("tests/features/malformed/bad.feature:5:"),
        "{err}"
    );
    assert!(err.contains("malformed feature file"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn an_unknown_command_tag_exits_2_with_file_and_line() {
    let err = stderr_of(&["run", "--features", "tests/features/unknown_tag"]);
    assert!(
        err.contains(
            "tests/features/unknown_tag/x.feature:8: @command:client-teleport names no command"
        ),
        "{err}"
    );
}

#[test]
fn a_scenario_without_a_command_tag_exits_2() {
    let err = stderr_of(&["run", "--features", "tests/features/untagged"]);
    assert!(
        err.contains("x.feature:3: scenario \"forgot the tag\" has no @command:<id> tag"),
        "{err}"
    );
}

#[test]
fn a_malformed_fixture_exits_2_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("fixtures/double.yaml"),
        dir.path().join("double.yaml"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("commands.yaml"),
        "commands:\n  - id: a\n    cli: [unclosed\n",
    )
    .unwrap();
    let err = stderr_of(&["run", "--fixtures", dir.path().to_str().unwrap()]);
    assert!(err.contains("commands.yaml:3:"), "{err}");
}

#[test]
fn a_missing_features_folder_and_bad_flags_exit_2() {
    let err = stderr_of(&["run", "--features", "no/such/folder"]);
    assert!(err.contains("no/such/folder: cannot read"), "{err}");
    let err = stderr_of(&["run", "--tags", "@a and"]);
    assert!(err.contains("--tags"), "{err}");
    let err = stderr_of(&["run", "--tags", "@command:nothing-matches"]);
    assert!(err.contains("selects no scenario"), "{err}");
    let err = stderr_of(&["run", "--concurrency", "0"]);
    assert!(err.contains("--concurrency"), "{err}");
}

#[test]
fn a_malformed_profile_exits_2_with_file_and_line() {
    let profile = tempfile::NamedTempFile::with_suffix(".yaml").unwrap();
    std::fs::write(
        profile.path(),
        "rules:\n  - routes: [admin.stats]\n    status: five hundred\n",
    )
    .unwrap();
    let err = stderr_of(&["run", "--profile", profile.path().to_str().unwrap()]);
    let name = profile.path().display().to_string();
    assert!(err.contains(&format!("{name}:3:")), "{err}");
}

#[test]
fn list_prints_each_command_with_endpoints_and_scenario_counts() {
    let out = bin()
        .arg("list")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("blockchain block"), "{text}");
    assert!(text.contains("GET /rpc/blocks/by_hash/{hash}"), "{text}");
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("client submit"))
        .unwrap();
    assert!(line.contains("6 scenarios"), "{line}");
    assert!(text.contains("api-key era — aitbc 0.1.0"), "{text}");
    assert!(text.contains("19 commands counted"), "{text}");
    assert!(
        text.contains("jwt era — aitbc 0.10.18"),
        "both eras by default: {text}"
    );
}

#[test]
fn list_of_the_jwt_era_prints_todays_commands_their_routes_and_the_other_groups() {
    let out = bin()
        .args(["list", "--era", "jwt"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(!text.contains("client submit"), "{text}");
    let after = |heading: &str| text.split(heading).nth(1).unwrap_or_default().to_string();
    let commands = after("commands of aitbc 0.10.18:");
    let commands = commands.split("miner protocol").next().unwrap();
    for (command, route) in [
        ("ai submit", "POST /v1/jobs"),
        ("ai jobs", "GET /v1/jobs"),
        ("auth login", "POST /v1/login"),
        (
            "workflow stop",
            "POST /v1/agents/workflows/{workflow_id}/cancel",
        ),
        ("chain sync-status", "GET /rpc/network-info"),
    ] {
        assert!(commands.contains(command), "{command}: {text}");
        assert!(commands.contains(route), "{route}: {text}");
    }
    assert!(after("miner protocol").contains("miner register"), "{text}");
    assert!(after("no command of aitbc 0.10.18 calls").contains("admin stats"));
    assert!(after("not counted").contains("ai stats — GET /v1/stats"));
    assert!(text.contains("10 commands counted"), "{text}");
}

#[test]
fn help_explains_the_exit_codes_and_env_vars() {
    let out = bin()
        .args(["run", "--help"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    for needle in [
        "AITBC_CONFORMANCE_TAGS",
        "AITBC_CONFORMANCE_REPORT_DIR",
        "--fail-fast",
        "--concurrency",
    ] {
        assert!(text.contains(needle), "{needle} missing from: {text}");
    }
    let out = bin()
        .arg("--help")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(out).unwrap().contains("Exit codes"));
}

#[test]
fn a_json_docstring_runs_and_snapshots_off_needs_no_snapshot_fixture() {
    let fixtures = tempfile::tempdir().unwrap();
    for file in ["commands.yaml", "double.yaml"] {
        std::fs::copy(
            root().join("fixtures").join(file),
            fixtures.path().join(file),
        )
        .unwrap();
    }
    let reports = tempfile::tempdir().unwrap();
    bin()
        .args([
            "run",
            "--features",
            "tests/features/media_type",
            "--snapshots",
            "off",
        ])
        .arg("--fixtures")
        .arg(fixtures.path())
        .arg("--report-dir")
        .arg(reports.path())
        .assert()
        .code(0);
}

#[test]
fn a_bad_rate_limit_spec_exits_2_naming_the_flag_and_the_classes() {
    let err = stderr_of(&["run", "--rate-limits", "nodes=5/1s"]);
    assert!(err.contains("--rate-limits"), "{err}");
    assert!(err.contains("classes: submit, register"), "{err}");
}

#[test]
fn a_credential_too_short_to_mask_is_refused_with_its_flag() {
    let err = stderr_of(&[
        "run",
        "--coordinator-url",
        "http://127.0.0.1:9",
        "--client-token",
        "x",
    ]);
    assert!(
        err.contains("--client-token: 1 character(s) is too short for a credential"),
        "{err}"
    );
}
