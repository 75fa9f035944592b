//! `check`: what each command keeps, judged from the services' documents or by probing, and
//! the schema checks and spec coverage of `run`.

use std::collections::BTreeSet;

use super::{bin, root, summary};

/// Runs `check` with `args`; (exit code, check.json, stdout, stderr).
fn check(args: &[&str]) -> (i32, serde_json::Value, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .arg("check")
        .args(args)
        .arg("--report-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    let text = std::fs::read_to_string(dir.path().join("check.json")).unwrap_or_default();
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_str(&text).unwrap_or_default(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn keeps<'r>(report: &'r serde_json::Value, command: &str) -> &'r str {
    report["commands"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["command"] == command)
        .and_then(|c| c["keeps"].as_str())
        .unwrap()
}

/// Every (endpoint) judged `presence`.
fn judged(report: &serde_json::Value, presence: &str) -> BTreeSet<String> {
    report["commands"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["endpoints"].as_array().unwrap())
        .filter(|e| e["presence"] == presence)
        .map(|e| e["endpoint"].as_str().unwrap().to_string())
        .collect()
}

const AGENTS: [&str; 4] = [
    "agent create",
    "agent list",
    "agent execute",
    "agent status",
];

#[test]
fn the_healthy_double_keeps_every_endpoint_by_its_own_document() {
    let (code, report, stdout, _) = check(&[]);
    assert_eq!(code, 0, "{stdout}");
    assert!(judged(&report, "missing").is_empty() && judged(&report, "unknown").is_empty());
    assert!(report["services"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["operations"].as_u64() > Some(0)));
    assert!(
        stdout.contains("19/19 commands keep what they need"),
        "{stdout}"
    );
}

#[test]
fn removed_routes_are_exactly_the_missing_endpoints() {
    let (code, report, _, _) = check(&["--profile", "routes-missing"]);
    assert_eq!(code, 1);
    // The profile removes the job and agent routers (jobs.*, agents.*).
    let catalog = std::fs::read_to_string(root().join("fixtures/commands.yaml")).unwrap();
    let expected: BTreeSet<String> =
        regex::Regex::new(r#""((?:GET|POST|PUT|DELETE) /v1/(?:jobs|agents)[^"]*)""#)
            .unwrap()
            .captures_iter(&catalog)
            .map(|c| c[1].to_string())
            .collect();
    assert!(expected.len() >= 10, "{expected:?}");
    assert_eq!(judged(&report, "missing"), expected);
}

#[test]
fn a_node_without_by_hash_leaves_blockchain_block_to_its_fallback() {
    let (code, report, _, _) = check(&["--profile", "no-by-hash"]);
    assert_eq!(code, 0, "a fallback keeps the command");
    assert_eq!(keeps(&report, "blockchain block"), "covered_by_fallback");
    assert_eq!(
        judged(&report, "missing"),
        BTreeSet::from(["GET /rpc/blocks/by_hash/{hash}".to_string()])
    );
}

/// The released backend: its coordinator's document is a 500 (probed instead), its node's
/// document is the real one recorded from it.
#[test]
fn the_released_backend_loses_the_agent_commands_and_keeps_block_by_fallback() {
    let (code, report, stdout, stderr) = check(&[
        "--profile",
        "aitbc-35a546ee0",
        "--openapi-node",
        "tests/recordings/openapi/35a5-node.json",
    ]);
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(
        stderr.lines().count(),
        1,
        "the document failure in one line: {stderr}"
    );
    assert!(
        stderr.contains("answered 500") && stderr.contains("probing"),
        "{stderr}"
    );
    let coordinator = &report["services"][0];
    assert!(coordinator["operations"].is_null() && coordinator["document_error"].is_string());
    let losing: Vec<&str> = report["commands"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["keeps"] == "no")
        .map(|c| c["command"].as_str().unwrap())
        .collect();
    assert_eq!(losing, AGENTS);
    assert_eq!(keeps(&report, "blockchain block"), "covered_by_fallback");
    assert!(
        judged(&report, "unknown").is_empty(),
        "404 vs 401 decide every endpoint here"
    );
    let probed = report["commands"][1]["endpoints"][0]["evidence"]
        .as_str()
        .unwrap();
    assert!(probed.starts_with("probe: 401"), "{probed}");
}

/// The current release's real documents, as recorded.
#[test]
fn the_current_release_documents_show_what_moved() {
    let (code, report, stdout, _) = check(&[
        "--era",
        "jwt",
        "--openapi-coordinator",
        "tests/recordings/openapi/head-coordinator.json",
        "--openapi-node",
        "tests/recordings/openapi/head-node.json",
    ]);
    assert_eq!(code, 1, "{stdout}");
    // Execution cancel moved to /v1/agents/workflows/{id}/cancel?execution_id= (the recordings'
    // agents.workflows.cancel); by_hash is absent (node.block.by_hash 404).
    assert_eq!(
        judged(&report, "missing"),
        BTreeSet::from([
            "POST /v1/agents/executions/{execution_id}/cancel".to_string(),
            "GET /rpc/blocks/by_hash/{hash}".to_string()
        ])
    );
    // In the JWT era no command calls either: `workflow stop` calls the route that moved.
    assert_eq!(keeps(&report, "agent execution cancel"), "no");
    assert_eq!(
        keeps(&report, "block by height or hash"),
        "covered_by_fallback"
    );
    assert_eq!(keeps(&report, "workflow stop"), "yes");
    assert!(
        stdout.contains("10/10 commands keep what they need")
            && stdout.contains("not counted above): agent execution cancel"),
        "today's commands keep theirs; a route no command calls is lost: {stdout}"
    );
    let execute = report["commands"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["command"] == "workflow run")
        .unwrap();
    assert_eq!(
        execute["endpoints"][0]["added_required"],
        serde_json::json!(["workflow_id", "inputs"])
    );
    let new_routes = report["unknown_to_contract"].as_array().unwrap();
    assert!(
        new_routes.len() > 400,
        "routes added since the contract: {}",
        new_routes.len()
    );
    assert!(new_routes
        .iter()
        .any(|r| r == "coordinator GET /v1/jobs/history"));
}

#[test]
fn where_a_denial_decides_nothing_the_answer_is_unknown_not_a_guess() {
    let (code, report, stdout, _) = check(&[
        "--era",
        "jwt",
        "--profile",
        "tests/fixtures/profiles/no-coordinator-document.yaml",
    ]);
    assert_eq!(code, 0, "nothing is known to be lost: {stdout}");
    assert_eq!(report["services"][0]["denies_unknown_routes"], true);
    assert_eq!(keeps(&report, "ai submit"), "unknown");
    assert!(judged(&report, "missing").is_empty());
    assert!(stdout.contains("a 401/403 decides nothing"), "{stdout}");
}

#[test]
fn an_unreachable_service_is_exit_3_and_a_bad_document_file_exit_2() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let (code, _, _, stderr) = check(&["--coordinator-url", &url, "--node-url", &url]);
    assert_eq!(code, 3);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("is unreachable"), "{stderr}");
    let (code, _, _, stderr) = check(&["--openapi-node", "fixtures/commands.yaml"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("--openapi-node") && stderr.contains("not an OpenAPI document"),
        "{stderr}"
    );
}

#[test]
fn a_run_whose_document_cannot_be_had_warns_once_and_completes() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = bin()
        .args([
            "run",
            "-q",
            "--tags",
            "@command:client-submit",
            "--openapi-coordinator",
        ])
        .arg(format!("http://127.0.0.1:{port}/openapi.json"))
        .arg("--report-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("schema checks off for the coordinator"),
        "{stderr}"
    );
    let s = summary(dir.path());
    assert_eq!(
        s["spec_coverage"]["unavailable"].as_array().unwrap().len(),
        1
    );
}

#[test]
fn coverage_counts_what_a_known_mini_suite_exercised() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .args([
            "run",
            "-q",
            "--tags",
            "@command:blockchain-head",
            "--report-dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let coverage = &summary(dir.path())["spec_coverage"];
    assert_eq!(
        coverage["exercised"],
        serde_json::json!([
            {"service": "node", "operation": "GET /rpc/blocks/{height}", "statuses": [200]},
            {"service": "node", "operation": "GET /rpc/head", "statuses": [200, 404]}
        ])
    );
    let declared = coverage["declared"].as_u64().unwrap() as usize;
    assert_eq!(
        coverage["untouched"].as_array().unwrap().len(),
        declared - 2
    );
}
