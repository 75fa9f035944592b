//! Live runs over real TCP: `double --profile X` in its own process, `run --coordinator-url …`
//! against it, and the verdicts and classes a person would expect for each breakage.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::{bin, command, root, statuses, summary};

/// A standalone double process, stopped with SIGTERM when dropped (as a person stops it, so
/// that it cleans up after itself), killed if it is not gone within 10 s.
pub struct Served {
    child: Child,
    pub coordinator: String,
    pub node: String,
    /// `double --tls`: the CA's PEM file.
    pub ca: Option<String>,
}

impl Served {
    /// Stops the double with SIGTERM; its exit status, or `None` if it had to be killed.
    pub fn stop(&mut self) -> Option<std::process::ExitStatus> {
        if let Ok(Some(status)) = self.child.try_wait() {
            return Some(status);
        }
        // Not `super::signal`: this runs in `drop`, where a panic during a panic aborts.
        let _ = StdCommand::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        None
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.stop();
    }
}

fn serve(profile: &str) -> Served {
    serve_with(profile, &[])
}

pub fn serve_with(profile: &str, extra: &[&str]) -> Served {
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin!("aitbc-conformance"))
        .current_dir(root())
        .args([
            "double",
            "--port",
            "0",
            "--node-port",
            "0",
            "--profile",
            profile,
        ])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the double starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut url = |prefix: &str| {
        let line = lines.next().expect("the double prints its URLs").unwrap();
        line.strip_prefix(prefix)
            .unwrap_or_else(|| panic!("{line:?}"))
            .trim()
            .to_string()
    };
    let coordinator = url("coordinator ");
    let node = url("node ");
    let next = lines.next().expect("the double goes on").unwrap();
    let ca = next.strip_prefix("ca ").map(String::from);
    Served {
        child,
        coordinator,
        node,
        ca,
    }
}

/// The keys as the coordinator's own `.env` lists them.
pub const ENV_FILE: [&str; 2] = ["--env-file", "tests/fixtures/coordinator.env"];

/// Runs the whole suite against a served double with these credential flags; returns
/// (exit code, summary.json, stdout).
fn run_against(served: &Served, credentials: &[&str], extra: &[&str]) -> (i32, Value, String) {
    let reports = tempfile::tempdir().unwrap();
    let out = bin()
        .args(["run", "--coordinator-url", &served.coordinator])
        .args(["--node-url", &served.node])
        // The double has no rate limits; pacing under the contract's would only add waiting.
        .args(["--rate-limits", "off"])
        .args(credentials)
        .arg("--report-dir")
        .arg(reports.path())
        .args(extra)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1,
        "exit {code}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code, summary(reports.path()), stdout)
}

/// Serves `profile` and runs the whole suite against it with the `.env` keys.
fn run_live(profile: &str, extra: &[&str]) -> (i32, Value, String) {
    run_against(&serve(profile), &ENV_FILE, extra)
}

fn verdict<'s>(s: &'s Value, cli: &str) -> &'s str {
    command(s, cli)["verdict"].as_str().unwrap()
}

/// How many scenarios of a summary carry a reason that starts so.
fn reasons_starting(s: &Value, prefix: &str) -> usize {
    s["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| {
            x["failure"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with(prefix))
        })
        .count()
}

fn classes(s: &Value, cli: &str) -> Vec<String> {
    serde_json::from_value(command(s, cli)["classes"].clone()).unwrap()
}

const CLIENT: [&str; 5] = [
    "client submit",
    "client status",
    "client result",
    "client cancel",
    "client receipts",
];
const AGENT: [&str; 4] = [
    "agent create",
    "agent list",
    "agent execute",
    "agent status",
];
const MINER: [&str; 4] = [
    "miner register",
    "miner heartbeat",
    "miner poll",
    "miner result",
];
const OPEN: [&str; 4] = [
    "marketplace gpu list",
    "blockchain head",
    "blockchain block",
    "blockchain blocks",
];

#[test]
fn healthy_every_command_works_and_double_only_scenarios_are_skipped() {
    let (code, s, stdout) = run_live("healthy", &[]);
    assert_eq!(code, 0, "{stdout}");
    for row in s["commands"].as_array().unwrap() {
        assert_eq!(row["verdict"], "working", "{row}");
    }
    assert!(s["target"]["description"]
        .as_str()
        .unwrap()
        .starts_with("live coordinator http://127.0.0.1:"));
    assert_eq!(
        s["target"]["era"], "api-key",
        "told from the target's own answers"
    );
    assert!(stdout.contains("(api-key era) working"), "{stdout}");
    let skipped = s["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["status"] == "skipped")
        .count();
    assert!(
        skipped > 0,
        "@double-only scenarios are skipped on a live target"
    );
}

#[test]
fn keys_unset_blocks_every_keyed_command_and_leaves_the_open_ones_working() {
    let (code, s, stdout) = run_live("keys-unset", &[]);
    assert_eq!(code, 1);
    for cli in CLIENT
        .iter()
        .chain(&AGENT)
        .chain(&MINER)
        .chain(&["admin stats"])
    {
        assert_eq!(verdict(&s, cli), "blocked", "{cli}");
        assert_eq!(classes(&s, cli), ["auth"], "{cli}");
    }
    for cli in OPEN {
        assert_eq!(verdict(&s, cli), "working", "{cli}");
    }
    assert!(classes(&s, "auth login").contains(&"auth".to_string()));
    assert!(stdout.contains("the client key was refused"), "{stdout}");
    for key in [
        "client_dev_key_1_valid",
        "miner_dev_key_1_valid",
        "admin_dev_key_1_valid",
    ] {
        assert!(
            !stdout.contains(key) && !s.to_string().contains(key),
            "{key} leaked"
        );
    }
}

#[test]
fn routes_missing_shows_client_and_agent_commands_as_missing_endpoints() {
    let (code, s, _) = run_live("routes-missing", &[]);
    assert_eq!(code, 1);
    for cli in CLIENT.iter().chain(&AGENT) {
        assert_eq!(verdict(&s, cli), "broken", "{cli}");
        assert_eq!(classes(&s, cli), ["missing_endpoint"], "{cli}");
    }
    assert_eq!(verdict(&s, "blockchain head"), "working");
    let endpoints = s["endpoints"].as_array().unwrap();
    let submit = endpoints
        .iter()
        .find(|e| e["endpoint"] == "POST /v1/jobs")
        .unwrap();
    assert_eq!(submit["class"], "missing_endpoint");
    assert_eq!(submit["successes"], 0);
}

#[test]
fn no_by_hash_keeps_blockchain_block_working_via_the_fallback() {
    let (code, s, stdout) = run_live("no-by-hash", &[]);
    assert_eq!(code, 1, "the missing route still fails the gate");
    let block = command(&s, "blockchain block");
    assert_eq!(block["verdict"], "working");
    assert_eq!(block["via_fallback"], true);
    assert!(block["scenarios_passed"].as_u64() < block["scenarios_total"].as_u64());
    let by_hash = s["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["endpoint"] == "GET /rpc/blocks/by_hash/{hash}")
        .unwrap();
    assert_eq!(by_hash["class"], "missing_endpoint");
    assert!(stdout.contains("works via fallback"), "{stdout}");
    assert_eq!(
        s["headline"]["commands_working"],
        s["headline"]["commands_total"]
    );
}

#[test]
fn server_errors_are_classed_as_such() {
    let (code, s, _) = run_live("server-errors", &[]);
    assert_eq!(code, 1);
    for cli in ["miner heartbeat", "admin stats"] {
        assert_ne!(verdict(&s, cli), "working", "{cli}");
        assert!(
            classes(&s, cli).contains(&"server_error".to_string()),
            "{cli}"
        );
    }
    assert_eq!(verdict(&s, "client submit"), "working");
}

#[test]
fn flaky_answers_fail_without_retries_and_are_reported_flaky_with_them() {
    let (code, s, _) = run_live("flaky", &["--concurrency", "1", "--retries", "0"]);
    assert_eq!(code, 1);
    let failed = s["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["status"] == "failed")
        .count();
    assert!(failed > 0);
    assert!(s["commands"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["classes"] == json!(["server_error"])));

    let (code, s, stdout) = run_live("flaky", &["--concurrency", "1", "--retries", "6"]);
    assert_eq!(code, 0, "{stdout}");
    let statuses = statuses(&s);
    assert!(statuses.contains(&"flaky"));
    assert!(!statuses.contains(&"failed"));
    assert!(s["commands"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["verdict"] == "flaky"));
}

#[test]
fn slow_routes_time_out() {
    let (code, s, _) = run_live("slow", &["--timeout", "300ms"]);
    assert_eq!(code, 1);
    for cli in ["admin stats", "blockchain blocks"] {
        assert!(classes(&s, cli).contains(&"timeout".to_string()), "{cli}");
    }
    assert_eq!(verdict(&s, "blockchain head"), "working");
}

#[test]
fn drift_is_a_contract_failure() {
    let (code, s, stdout) = run_live("drift", &[]);
    assert_eq!(code, 1);
    for cli in ["client submit", "blockchain head"] {
        assert_ne!(verdict(&s, cli), "working", "{cli}");
        assert!(classes(&s, cli).contains(&"contract".to_string()), "{cli}");
    }
    // The live target's own /openapi.json names the broken field by its JSON path.
    assert!(
        stdout.contains("breaks the schema the document declares for POST /v1/jobs: at $: missing properties 'state'"),
        "{stdout}"
    );
    assert!(
        stdout.contains("GET /rpc/head: at $.height: want integer, but got string: \"23\"")
            || stdout.contains("at $.height:"),
        "{stdout}"
    );
    assert_eq!(s["spec_coverage"]["unavailable"], serde_json::json!([]));
    // Without schema checks the scenarios' own field checks catch it.
    let (code, _, stdout) = run_live("drift", &["--no-schema"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("the body has no field \"state\""),
        "{stdout}"
    );
}

#[test]
fn a_closed_port_exits_3_in_one_line() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // How long it takes is measured by scripts/bench.py, not asserted here; the timeouts
    // themselves are tested on routes that never answer (slow_routes_time_out, hostile.rs).
    let out = bin()
        .args(["run", "--timeout", "2s", "--coordinator-url"])
        .arg(format!("http://127.0.0.1:{port}"))
        .arg("--report-dir")
        .arg(std::env::temp_dir().join("aitbc-unused"))
        .assert()
        .code(3)
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "the coordinator at http://127.0.0.1:{port} is unreachable"
        )),
        "{stderr}"
    );
}

#[test]
fn bad_live_input_exits_2_naming_the_flag_or_file() {
    for (args, needle) in [
        (
            vec!["--coordinator-url", "127.0.0.1:8000"],
            "--coordinator-url",
        ),
        (vec!["--node-url", "ftp://x"], "--node-url"),
        (
            vec![
                "--coordinator-url",
                "http://127.0.0.1:9",
                "--env-file",
                "tests/fixtures/bad.env",
            ],
            "tests/fixtures/bad.env:2: MINER_API_KEYS",
        ),
        (
            vec!["--profile", "no-such-profile"],
            "--profile: no profile \"no-such-profile\"",
        ),
    ] {
        let out = bin()
            .arg("run")
            .args(&args)
            .assert()
            .code(2)
            .get_output()
            .stderr
            .clone();
        let stderr = String::from_utf8(out).unwrap();
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
}

#[test]
fn with_one_credential_per_role_every_command_works_and_the_untested_scenarios_are_listed() {
    let one_each = [
        "--client-key",
        "client_dev_key_1_valid",
        "--miner-key",
        "miner_dev_key_1_valid",
        "--admin-key",
        "admin_dev_key_1_valid",
    ];
    let served = serve("healthy");
    let (code, s, stdout) = run_against(&served, &one_each, &[]);
    assert_eq!(code, 0, "nothing on the target failed: {stdout}");
    let scenarios = s["scenarios"].as_array().unwrap();
    let blocked: Vec<&Value> = scenarios
        .iter()
        .filter(|x| x["status"] == "blocked")
        .collect();
    assert!(!blocked.is_empty());
    for b in &blocked {
        let message = b["failure"]["message"].as_str().unwrap();
        assert!(message.starts_with("no second "), "{message}");
        assert!(message.contains("--other-"), "names the flag: {message}");
    }
    assert!(
        !scenarios.iter().any(|x| x["status"] == "failed"),
        "nothing fails for want of a key"
    );
    for c in s["commands"].as_array().unwrap() {
        assert_eq!(c["verdict"], "working", "{c}");
    }
    let untested = |cli: &str| command(&s, cli)["scenarios_untested"].as_u64().unwrap_or(0);
    assert!(
        untested("auth login") > 0 && untested("client receipts") > 0,
        "{stdout}"
    );
    assert_eq!(
        s["scenarios_untested"].as_u64().unwrap(),
        blocked.len() as u64
    );
    assert!(
        stdout.contains("untested, no credential")
            && stdout.contains("no second client credential configured"),
        "reported with how to unblock: {stdout}"
    );
    // --strict turns the untested scenarios into a failure.
    let (code, _, _) = run_against(&served, &one_each, &["--strict"]);
    assert_eq!(code, 1);
}

/// The verdicts the real 35a546ee0 backend earns (issue 7, contract §13), as
/// (command, verdict, classes); a `partial|broken` verdict accepts either.
const RELEASED: &[(&str, &str, &[&str])] = &[
    ("auth login", "working", &[]),
    ("client submit", "working", &[]),
    ("client status", "partial", &["state"]),
    ("client result", "working", &[]),
    ("client cancel", "working", &[]),
    ("client receipts", "partial|broken", &["server_error"]),
    ("miner register", "working", &[]),
    ("miner heartbeat", "partial|broken", &["server_error"]),
    ("miner poll", "partial", &["state"]),
    ("miner result", "partial", &["state"]),
    ("admin stats", "partial|broken", &["server_error"]),
    ("agent create", "broken", &["missing_endpoint"]),
    ("agent list", "broken", &["missing_endpoint"]),
    ("agent execute", "broken", &["missing_endpoint"]),
    ("agent status", "broken", &["missing_endpoint"]),
    ("marketplace gpu list", "working", &[]),
    ("blockchain head", "working", &[]),
    ("blockchain block", "working", &["missing_endpoint"]),
    ("blockchain blocks", "working", &[]),
];

/// Each command's verdict (one of `a|b`) and classes as `table` says.
fn assert_verdicts(s: &Value, table: &[(&str, &str, &[&str])], stdout: &str) {
    for (cli, verdicts, want) in table {
        let got = verdict(s, cli);
        assert!(
            verdicts.split('|').any(|v| v == got),
            "{cli}: {got}\n{stdout}"
        );
        assert_eq!(classes(s, cli), *want, "{cli}\n{stdout}");
    }
}

fn assert_released_verdicts(s: &Value, stdout: &str) {
    assert_verdicts(s, RELEASED, stdout);
    assert_eq!(s["headline"]["commands_working"], 9, "{stdout}");
    let receipts_skipped = s["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["status"] == "skipped" && x["failure"]["class"] == "not_applicable")
        .count();
    assert!(receipts_skipped > 0, "receipt checks are not applicable");
}

#[test]
fn the_release_profile_earns_the_released_backends_verdicts_live() {
    let (code, s, stdout) = run_live("aitbc-35a546ee0", &[]);
    assert_eq!(code, 1);
    assert_released_verdicts(&s, &stdout);
    assert!(
        stdout.contains("9/19 commands of aitbc 0.1.0 (api-key era) working"),
        "{stdout}"
    );
}

#[test]
fn the_release_profile_earns_the_released_backends_verdicts_embedded() {
    let reports = tempfile::tempdir().unwrap();
    let out = bin()
        .args(["run", "--profile", "aitbc-35a546ee0", "--report-dir"])
        .arg(reports.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert_released_verdicts(&summary(reports.path()), &stdout);
}

/// The JWT-era double's admin wallets and miner key (fixtures/double.yaml); clients log in with
/// fresh wallets of the harness's own.
const JWT_CREDENTIALS: [&str; 6] = [
    "--admin-wallet-key",
    "0x3333333333333333333333333333333333333333333333333333333333333333",
    "--other-admin-wallet-key",
    "0x4444444444444444444444444444444444444444444444444444444444444444",
    "--miner-key",
    "miner_dev_key_1_valid",
];

/// Every report file of a run, as text.
fn report_texts(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect()
}

#[test]
fn the_jwt_era_is_told_from_the_target_and_every_command_works_with_wallet_logins() {
    let served = serve_with("healthy", &["--era", "jwt"]);
    let reports = tempfile::tempdir().unwrap();
    let out = bin()
        .args(["run", "--coordinator-url", &served.coordinator])
        .args(["--node-url", &served.node, "--rate-limits", "off"])
        .args(JWT_CREDENTIALS)
        .arg("--report-dir")
        .arg(reports.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let s = summary(reports.path());
    assert_eq!(s["target"]["era"], "jwt");
    for row in s["commands"].as_array().unwrap() {
        assert_eq!(row["verdict"], "working", "{row}");
    }
    assert!(
        stdout.contains("10/10 commands of aitbc 0.10.18 (jwt era) working (100.0%)"),
        "{stdout}"
    );
    assert!(
        s["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .all(|row| !row["file"].as_str().unwrap().ends_with("api_keys.feature")),
        "the API-key era's own scenarios are not this era's"
    );
    let mut texts = report_texts(reports.path());
    texts.push(stdout);
    texts.push(String::from_utf8_lossy(&out.stderr).into_owned());
    for text in &texts {
        assert!(
            !text.contains("3333333333333333"),
            "a wallet key leaked: {text}"
        );
        assert!(!text.contains("eyJ"), "a token leaked: {text}");
    }
}

#[test]
fn an_explicit_era_the_target_contradicts_is_judged_with_a_warning_never_refused() {
    let served = serve_with("healthy", &["--era", "jwt"]);
    let reports = tempfile::tempdir().unwrap();
    let out = bin()
        .args(["run", "--era", "api-key", "--rate-limits", "off"])
        .args(["--coordinator-url", &served.coordinator])
        .args(["--node-url", &served.node])
        .args(ENV_FILE)
        .arg("--report-dir")
        .arg(reports.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(2), "never refused: {stderr}");
    assert!(
        stderr.contains(
            "WARNING: --era api-key says the api-key era, but the coordinator answers as the jwt era"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("POST /v1/auth/nonce"),
        "the evidence: {stderr}"
    );
    assert_eq!(summary(reports.path())["target"]["era"], "api-key");
}

/// A token for the double's secret (fixtures/double.yaml), as a backend's own issuer would.
fn double_token(sub: &str, role: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let claims = aitbc_conformance::auth::token::Claims::access(sub, role, now, 3600);
    aitbc_conformance::auth::token::sign("aitbc-conformance-double-hs256-secret", &claims)
}

#[test]
fn ready_tokens_on_a_coordinator_without_wallet_login_are_used_and_no_command_is_blocked() {
    let served = serve_with("tokens-only", &["--era", "jwt"]);
    let (client, admin) = (
        double_token("client-of-elsewhere", "client"),
        double_token("admin-of-elsewhere", "admin"),
    );
    let given = [
        "--client-token",
        &client,
        "--admin-token",
        &admin,
        "--miner-key",
        "miner_dev_key_1_valid",
    ];
    for era in [&[][..], &["--era", "jwt"][..]] {
        let (code, s, stdout) = run_against(&served, &given, era);
        assert_eq!(code, 0, "{stdout}");
        assert_eq!(s["target"]["era"], "jwt", "the tokens imply the JWT era");
        for c in s["commands"].as_array().unwrap() {
            assert_ne!(c["verdict"], "blocked", "{c}");
            assert_ne!(c["verdict"], "partial", "{c}");
        }
        let not_applicable = reasons_starting(&s, "needs wallet login");
        assert_eq!(not_applicable, 5, "the wallet-login scenarios: {stdout}");
        assert!(!stdout.contains(&client) && !stdout.contains(&admin));
    }
}

#[test]
fn an_admin_wallet_the_coordinator_does_not_list_blocks_the_admin_commands() {
    let served = serve_with("healthy", &["--era", "jwt"]);
    let unlisted = [
        "--admin-wallet-key",
        "0x5555555555555555555555555555555555555555555555555555555555555555",
        "--miner-key",
        "miner_dev_key_1_valid",
    ];
    let (code, s, stdout) = run_against(&served, &unlisted, &["--era", "jwt"]);
    assert_eq!(code, 0, "blocked is untested, not failed: {stdout}");
    assert_eq!(verdict(&s, "admin stats"), "blocked", "{stdout}");
    assert!(
        stdout.contains("the admin token was refused: GET /v1/admin/stats → 403"),
        "{stdout}"
    );
    assert_eq!(
        verdict(&s, "ai submit"),
        "working",
        "a fresh client wallet logs in"
    );
}

/// The verdicts the current c27c6545b backend earns in the JWT era, as its profile plays them.
const CURRENT: &[(&str, &str, &[&str])] = &[
    ("auth login", "working", &[]),
    ("ai submit", "working", &[]),
    ("ai status", "working", &[]),
    ("ai results", "working", &[]),
    ("ai cancel", "working", &[]),
    ("ai jobs", "working", &[]),
    ("workflow run", "broken", &["contract"]),
    ("workflow status", "broken", &["contract"]),
    ("workflow stop", "broken", &["contract"]),
    ("chain sync-status", "partial", &["server_error"]),
    ("miner register", "working", &[]),
    ("miner heartbeat", "working", &[]),
    ("miner poll", "partial", &["state"]),
    ("miner result", "partial", &["state"]),
    ("job receipts", "partial", &["server_error"]),
    ("admin stats", "partial", &["server_error"]),
    ("agent create", "partial", &["contract"]),
    ("agent list", "broken", &["contract"]),
    ("agent execution cancel", "broken", &["contract"]),
    ("marketplace gpu list", "partial", &["contract"]),
    ("block by height or hash", "working", &["missing_endpoint"]),
    ("blocks range", "working", &[]),
];

#[test]
fn the_current_release_profile_earns_its_verdicts_in_the_jwt_era() {
    let reports = tempfile::tempdir().unwrap();
    let out = bin()
        .args([
            "run",
            "--era",
            "jwt",
            "--profile",
            "aitbc-c27c6545b",
            "--report-dir",
        ])
        .arg(reports.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert_verdicts(&summary(reports.path()), CURRENT, &stdout);
    assert!(
        stdout.contains("6/10 commands of aitbc 0.10.18 (jwt era) working (60.0%)"),
        "{stdout}"
    );
}

/// One request on a connection of its own: (status, body).
fn raw(base: &str, method: &str, path: &str, key: &str, body: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let host = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nX-Api-Key: {key}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, answer.split_once("\r\n\r\n").unwrap().1.to_string())
}

/// A job someone else queued before the run is not the backend's defect: the miner scenarios
/// it gets in the way of are not applicable (with the reason), never failed.
#[test]
fn a_foreign_job_in_the_queue_makes_the_miner_scenarios_not_applicable_not_failed() {
    let served = serve("healthy");
    let job =
        r#"{"payload": {"type": "inference", "prompt": "not the harness's"}, "ttl_seconds": 900}"#;
    let (status, _) = raw(
        &served.coordinator,
        "POST",
        "/v1/jobs",
        "client_dev_key_2_valid",
        job,
    );
    assert_eq!(status, 201);
    let (code, s, stdout) = run_against(&served, &ENV_FILE, &["--tags", "@command:miner-poll"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        reasons_starting(&s, "the miner was handed job") >= 1,
        "the foreign job is met and named: {stdout}"
    );
    assert!(stdout.contains("which this run did not queue"), "{stdout}");
}
