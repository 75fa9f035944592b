//! Replays the exchanges recorded from the real 35a546ee0 coordinator and node
//! (`tests/recordings/`, copied from `shared/real/`) against the embedded double, in order,
//! carrying ids from earlier answers into later requests, and compares each answer's status
//! and body shape (plus the values that carry meaning: `detail`, `state`, `status`, `error`,
//! `code`). Every difference must be a listed, deliberate one with its reason, so the double
//! can never silently drift from the real backend again.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use aitbc_conformance::auth::Era;
use aitbc_conformance::double::profile::Profile;
use aitbc_conformance::double::seed::Seed;
use aitbc_conformance::double::Double;
use serde_json::Value;

use super::root;

/// Where the healthy double differs from the recording on purpose: the release's bugs (contract
/// §13), which only the `aitbc-35a546ee0` profile reproduces, and what the double does not play.
const HEALTHY_DIFFERS: &[(&str, &str)] = &[
    (
        "health.coord.ready",
        "release bug: /health/ready is 503 (cannot import get_engine)",
    ),
    ("auth.admin.stats.ok", "release bug: admin stats is 500"),
    ("admin.stats", "release bug: admin stats is 500"),
    (
        "admin.jobs",
        "release bug: the admin lists are 500 once a job exists",
    ),
    (
        "admin.miners",
        "release bug: the admin lists are 500 once a miner exists",
    ),
    (
        "jobs.receipts.unknown",
        "release bug: 500 KeyError instead of 404",
    ),
    (
        "miner.heartbeat.empty",
        "release bug: heartbeat is always 500",
    ),
    (
        "miner.heartbeat.full",
        "release bug: heartbeat is always 500",
    ),
    (
        "miner.result",
        "the double signs receipts (fixtures/double.yaml); the release has no key",
    ),
    ("miner.result.again", "the double signs receipts"),
    ("miner.result.fourth", "the double signs receipts"),
    ("stale.miner.result", "the double signs receipts"),
    ("jobs.result.completed", "the double signs receipts"),
    ("stale.result", "the double signs receipts"),
    (
        "jobs.receipt.completed",
        "the double signs receipts: the receipt exists",
    ),
    (
        "miner.result.after-client-cancel",
        "release bug: a result completes a cancelled job",
    ),
    (
        "jobs.status.after-result-on-canceled",
        "release bug: the cancelled job reads COMPLETED",
    ),
    (
        "stale.status.after-result.1",
        "release bug: stale status cache",
    ),
    (
        "stale.status.after-result.3",
        "release bug: stale status cache",
    ),
    (
        "stale.status.after-result.5",
        "release bug: stale status cache",
    ),
    (
        "stale.status.after-result.7",
        "release bug: stale status cache",
    ),
    (
        "agents.workflows.create",
        "release bug: the agents router is not mounted",
    ),
    (
        "agents.workflows.create.client",
        "release bug: the agents router is not mounted",
    ),
    (
        "agents.workflows.create.none",
        "release bug: the agents router is not mounted",
    ),
    (
        "agents.workflows.list",
        "release bug: the agents router is not mounted",
    ),
    (
        "agents.workflows.list.tags",
        "release bug: the agents router is not mounted",
    ),
    (
        "agents.workflows.get",
        "release bug: the agents router is not mounted",
    ),
    (
        "agents.workflows.get.unknown",
        "release bug: the agents router is not mounted",
    ),
    (
        "agents.workflows.execute",
        "release bug: the agents router is not mounted",
    ),
    (
        "agents.executions.status",
        "release bug: the agents router is not mounted",
    ),
    (
        "node.block.by_hash",
        "release bug: the node has no block-by-hash route",
    ),
    ("auth.bad-json.unknown-key", COMMON[0].1),
    ("coord.explorer.blocks", COMMON[1].1),
    ("ratelimit.admin-stats.429", COMMON[2].1),
];

/// Differences the release profile keeps too.
const COMMON: &[(&str, &str)] = &[
    (
        "auth.bad-json.unknown-key",
        "FastAPI refuses a non-JSON body (422) before the key check; the contract checks the key \
         first (401) and the double follows it: harmless either way",
    ),
    (
        "coord.explorer.blocks",
        "/v1/explorer/blocks belongs to no command of the catalog; the double leaves it out",
    ),
    (
        "ratelimit.admin-stats.429",
        "the double does not rate-limit (the harness paces itself on live targets instead)",
    ),
];

/// Where the `aitbc-35a546ee0` profile differs from its own release.
const RELEASE_DIFFERS: &[(&str, &str)] = &[
    ("auth.bad-json.unknown-key", COMMON[0].1),
    ("coord.explorer.blocks", COMMON[1].1),
    ("ratelimit.admin-stats.429", COMMON[2].1),
    (
        "jobs.status.after-result.1",
        "the real cache answered fresh on one kept-alive connection; the profile alternates \
         whatever the connection (the scenario reads on fresh ones, where the real one alternates)",
    ),
    (
        "jobs.status.after-result.3",
        "as jobs.status.after-result.1",
    ),
    (
        "jobs.status.after-result.5",
        "as jobs.status.after-result.1",
    ),
    (
        "jobs.status.after-result.burst.2",
        "as jobs.status.after-result.1",
    ),
    (
        "jobs.status.after-result.burst.4",
        "as jobs.status.after-result.1",
    ),
    (
        "jobs.status.after-result.burst.6",
        "as jobs.status.after-result.1",
    ),
];

/// Requests the recording sent after a pause that the double's state depends on.
const PAUSE_BEFORE: &[(&str, Duration)] = &[(
    "jobs.status.ttl-expired",
    Duration::from_millis(1100), // the job was submitted with ttl_seconds 1
)];

/// Keys of values the double makes up itself, carried from answers into later requests.
const CARRIED: &[&str] = &["job_id", "gpu_id", "id", "hash", "parent_hash", "height"];

/// Values compared as they are (the rest only by type).
const MEANINGFUL: &[&str] = &["detail", "state", "status", "error", "code"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_healthy_double_differs_from_the_released_backend_only_where_listed() {
    let differences = replay("healthy").await;
    assert_only_listed(&differences, HEALTHY_DIFFERS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_release_profile_answers_as_the_released_backend_did() {
    let differences = replay("aitbc-35a546ee0").await;
    assert_only_listed(&differences, RELEASE_DIFFERS);
}

fn assert_only_listed(differences: &BTreeMap<String, String>, listed: &[(&str, &str)]) {
    let listed: BTreeMap<&str, &str> = listed.iter().copied().collect();
    let unexplained: Vec<String> = differences
        .iter()
        .filter(|(case, _)| !listed.contains_key(case.as_str()))
        .map(|(case, what)| format!("  {case}: {what}"))
        .collect();
    let gone: Vec<&str> = listed
        .keys()
        .filter(|case| !differences.contains_key(**case))
        .copied()
        .collect();
    assert!(
        unexplained.is_empty() && gone.is_empty(),
        "the double drifted from the recording:\n{}\nlisted as different but now the same \
         (remove them from the list): {gone:?}",
        unexplained.join("\n")
    );
}

/// Replays every recorded exchange against a fresh double; returns case → difference.
async fn replay(profile: &str) -> BTreeMap<String, String> {
    let fixtures = root().join("fixtures");
    let seed = Seed::load(&fixtures.join("double.yaml")).unwrap();
    let profile = Profile::load(&fixtures.join("profiles"), profile).unwrap();
    let double = Double::start(&seed, 1, &profile, Era::ApiKey).await;
    let http = reqwest::Client::new();
    let text = std::fs::read_to_string(root().join("tests/recordings/exchanges-35a5.jsonl"))
        .expect("the recording is committed");
    let mut carried: HashMap<String, String> = HashMap::new();
    let mut differences = BTreeMap::new();
    for line in text.lines() {
        let recorded: Value = serde_json::from_str(line).unwrap();
        let case = recorded["case"].as_str().unwrap().to_string();
        if let Some((_, pause)) = PAUSE_BEFORE.iter().find(|(c, _)| *c == case) {
            tokio::time::sleep(*pause).await;
        }
        let request = &recorded["request"];
        let base = match request["server"].as_str() {
            Some("node") => double.node_url(),
            _ => double.coordinator_url(),
        };
        let path = substitute(request["url_path"].as_str().unwrap(), &carried);
        let method = reqwest::Method::from_bytes(request["method"].as_str().unwrap().as_bytes());
        let mut builder = http.request(method.unwrap(), format!("{base}{path}"));
        if let Some(key) = key_for(request["auth"].as_str().unwrap(), &seed) {
            builder = builder.header("X-Api-Key", key);
        }
        match &request["body"] {
            Value::Null => {}
            Value::Object(o) if o.contains_key("_raw") => {
                builder = builder.body(o["_raw"].as_str().unwrap().to_string());
            }
            body => {
                let body = substitute_json(body, &carried);
                builder = builder
                    .header("Content-Type", "application/json")
                    .body(body.to_string());
            }
        }
        let response = builder.send().await.expect("the double answers");
        let status = response.status().as_u16();
        let bytes = response.bytes().await.unwrap();
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let expected = &recorded["response"];
        carry(&expected["body"], &body, &mut carried);
        if let Some(what) = compare(expected, status, &body) {
            differences.insert(case, what);
        }
    }
    differences
}

/// The key the recording's `auth` names, from the double's seed (`None`: no header).
fn key_for(auth: &str, seed: &Seed) -> Option<String> {
    let role = auth.strip_prefix("wrong-role:").unwrap_or(auth);
    let keys = &seed.keys;
    Some(match role {
        "client" => keys.client[0].clone(),
        "other-client" => keys.client[1].clone(),
        "miner" => keys.miner[0].clone(),
        "admin" => keys.admin[0].clone(),
        "empty-key" => String::new(),
        "unknown-key" => "unknown_key_not_configured_0000".to_string(),
        _ => return None,
    })
}

/// Learns recorded → double values of the made-up keys, walking both bodies in step.
fn carry(recorded: &Value, ours: &Value, carried: &mut HashMap<String, String>) {
    match (recorded, ours) {
        (Value::Object(r), Value::Object(o)) => {
            for (key, value) in r {
                let Some(mine) = o.get(key) else { continue };
                if CARRIED.contains(&key.as_str()) && (value.is_string() || value.is_number()) {
                    carried.insert(plain(value), plain(mine));
                } else {
                    carry(value, mine, carried);
                }
            }
        }
        (Value::Array(r), Value::Array(o)) => {
            for (value, mine) in r.iter().zip(o) {
                carry(value, mine, carried);
            }
        }
        _ => {}
    }
}

fn plain(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_string)
}

/// Replaces whole path segments and query values that the double knows by another value.
fn substitute(path: &str, carried: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    loop {
        let end = rest.find(['/', '?', '&', '=']).unwrap_or(rest.len());
        let token = &rest[..end];
        out.push_str(carried.get(token).map_or(token, String::as_str));
        match rest[end..].chars().next() {
            Some(separator) => {
                out.push(separator);
                rest = &rest[end + 1..];
            }
            None => return out,
        }
    }
}

fn substitute_json(value: &Value, carried: &HashMap<String, String>) -> Value {
    match value {
        Value::String(s) => Value::String(carried.get(s).cloned().unwrap_or_else(|| s.clone())),
        Value::Array(items) => items.iter().map(|v| substitute_json(v, carried)).collect(),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), substitute_json(v, carried)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// `None` when the double's answer has the recorded status and shape, else what differs.
fn compare(recorded: &Value, status: u16, body: &Value) -> Option<String> {
    let want = recorded["status"].as_u64().unwrap_or(0);
    if u64::from(status) != want {
        return Some(format!("status {status}, recorded {want}"));
    }
    shape_difference("", &recorded["body"], body)
}

/// The first place where `ours` does not have the recorded shape (or meaningful value).
fn shape_difference(at: &str, recorded: &Value, ours: &Value) -> Option<String> {
    let kind = |v: &Value| match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    if kind(recorded) != kind(ours) {
        return Some(format!(
            "{at}: {} recorded, {} here",
            kind(recorded),
            kind(ours)
        ));
    }
    match (recorded, ours) {
        (Value::Object(r), Value::Object(o)) => {
            let (rk, ok): (Vec<_>, Vec<_>) = (r.keys().collect(), o.keys().collect());
            if rk != ok {
                return Some(format!("{at}: keys {rk:?} recorded, {ok:?} here"));
            }
            r.iter().find_map(|(key, value)| {
                let path = format!("{at}.{key}");
                let meaningful = MEANINGFUL.contains(&key.as_str()) && value.is_string();
                if meaningful && value != &o[key] {
                    return Some(format!("{path}: {value} recorded, {} here", o[key]));
                }
                shape_difference(&path, value, &o[key])
            })
        }
        // Lists hold other users' data on the shared recording: compare one item's shape.
        (Value::Array(r), Value::Array(o)) => match (r.first(), o.first()) {
            (Some(r), Some(o)) => shape_difference(&format!("{at}[0]"), r, o),
            _ => None,
        },
        _ => None,
    }
}
