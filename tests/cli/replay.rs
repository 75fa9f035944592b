//! Replays the exchanges recorded from the real coordinator and node of both eras (35a546ee0,
//! API-key era, and c27c6545b, JWT era; `tests/recordings/`, copied from `shared/real/`) against
//! the embedded double of that era, in order,
//! carrying ids from earlier answers into later requests, and compares each answer's status
//! and body shape (plus the values that carry meaning: `detail`, `state`, `status`, `error`,
//! `code`). Every difference must be a listed, deliberate one with its reason, so the double
//! can never silently drift from the real backend again.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use aitbc_conformance::auth::token;
use aitbc_conformance::auth::wallet::{login_message, Wallet};
use aitbc_conformance::auth::Era;
use aitbc_conformance::double::jwt::seed_wallet;
use aitbc_conformance::double::profile::Profile;
use aitbc_conformance::double::seed::Seed;
use aitbc_conformance::double::Double;
use aitbc_conformance::snapshot::map_path_tokens;
use serde_json::{json, Value};

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

/// Where the JWT-era double differs from the current (JWT-era, c27c6545b) backend on purpose:
/// that release's bugs, its routes no command uses, and what the double does not play.
const JWT_DIFFERS: &[(&str, &str)] = &[
    ("admin.stats", "release bug: admin stats is 500"),
    ("auth.admin.stats.ok", "release bug: admin stats is 500"),
    (
        "jobs.receipts.unknown",
        "release bug: 500 instead of 404 (as in 35a546ee0)",
    ),
    ("agents.workflows.create", JWT_AGENTS),
    ("agents.workflows.list", JWT_AGENTS),
    ("agents.workflows.list.tags", JWT_AGENTS),
    ("agents.workflows.get", JWT_AGENTS),
    ("agents.workflows.get.unknown", JWT_AGENTS),
    ("agents.workflows.execute", JWT_AGENTS),
    ("agents.executions.status", JWT_AGENTS),
    ("agents.executions.list", JWT_AGENTS),
    ("agents.workflows.cancel", JWT_AGENTS),
    ("miner.poll.job-c", JWT_FAIL),
    ("miner.poll.job-c.after-reregister", JWT_FAIL),
    ("miner.poll.after-cancel-running", JWT_FAIL),
    ("miner.poll.after-reregister", JWT_FAIL),
    (
        "miner.result.after-client-cancel",
        "release bug: a result completes a cancelled job",
    ),
    (
        "jobs.status.after-result-on-canceled",
        "release bug: the cancelled job reads COMPLETED",
    ),
    (
        "node.block.by_hash",
        "release bug: the node has no block-by-hash route",
    ),
    (
        "node.head.chain-unknown",
        "release bug: 503 (a database error) for an unknown chain; the double answers 404",
    ),
    ("miner.result", SIGNS),
    ("miner.result.again", SIGNS),
    ("miner.result.fourth", SIGNS),
    ("jobs.result.completed", SIGNS),
    ("jobs.receipt.completed", SIGNS),
    ("admin.miners", SIGNS),
    ("admin.miners.after-cancel-running", SIGNS),
    ("admin.miners.end-of-miner-section", SIGNS),
    ("admin.status", NO_COMMAND),
    ("admin.debug-settings", NO_COMMAND),
    ("admin.test-key.jwt-only", NO_COMMAND),
    ("admin.test-key.jwt-and-key", NO_COMMAND),
    ("coord.blocks.height", NO_COMMAND),
    ("coord.blocks.hash", NO_COMMAND),
    ("coord.explorer.blocks", NO_COMMAND),
    ("coord.status", NO_COMMAND),
    ("register.bad-wallet", NO_COMMAND),
    (
        "ratelimit.register.429",
        "the double does not rate-limit; /v1/register belongs to no command",
    ),
    (
        "node.range.span-2000",
        "the recording cut this body (over 20 KB): `_truncated`, `_list_lengths`",
    ),
];

/// Where the `aitbc-c27c6545b` profile differs from its own release: only what the double does
/// not play at all.
const CURRENT_RELEASE_DIFFERS: &[(&str, &str)] = &[
    ("admin.status", NO_COMMAND),
    ("admin.debug-settings", NO_COMMAND),
    ("admin.test-key.jwt-only", NO_COMMAND),
    ("admin.test-key.jwt-and-key", NO_COMMAND),
    ("agents.executions.list", NO_COMMAND),
    ("coord.blocks.height", NO_COMMAND),
    ("coord.blocks.hash", NO_COMMAND),
    ("coord.explorer.blocks", NO_COMMAND),
    ("coord.status", NO_COMMAND),
    ("register.bad-wallet", NO_COMMAND),
    (
        "ratelimit.register.429",
        "the double does not rate-limit; /v1/register belongs to no command",
    ),
    (
        "node.range.span-2000",
        "the recording cut this body (over 20 KB): `_truncated`, `_list_lengths`",
    ),
];

const JWT_AGENTS: &str = "release bug: every agents call of an admin is 422 (query.args/kwargs)";
const JWT_FAIL: &str =
    "release bug: a miner's fail keeps it busy (204 for the next job); the polls after it follow";
const SIGNS: &str = "the double signs receipts (fixtures/double.yaml); the release has no key";
const NO_COMMAND: &str = "a route no command of the catalog uses; the double leaves it out";

/// Requests the recording sent after a pause that the double's state depends on.
const PAUSE_BEFORE: &[(&str, Duration)] = &[(
    "jobs.status.ttl-expired",
    Duration::from_millis(1100), // the job was submitted with ttl_seconds 1
)];

/// Keys of values the double makes up itself, carried from answers into later requests.
const CARRIED: &[&str] = &[
    "job_id",
    "gpu_id",
    "id",
    "hash",
    "parent_hash",
    "height",
    "nonce",
];

/// Values compared as they are (the rest only by type).
const MEANINGFUL: &[&str] = &["detail", "state", "status", "error", "code"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_healthy_double_differs_from_the_released_backend_only_where_listed() {
    let differences = replay("exchanges-35a5.jsonl", "healthy", Era::ApiKey).await;
    assert_only_listed(&differences, HEALTHY_DIFFERS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_release_profile_answers_as_the_released_backend_did() {
    let differences = replay("exchanges-35a5.jsonl", "aitbc-35a546ee0", Era::ApiKey).await;
    assert_only_listed(&differences, RELEASE_DIFFERS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_current_release_profile_answers_as_the_current_backend_did() {
    let differences = replay("exchanges-head.jsonl", "aitbc-c27c6545b", Era::Jwt).await;
    assert_only_listed(&differences, CURRENT_RELEASE_DIFFERS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_jwt_double_differs_from_the_current_backend_only_where_listed() {
    let differences = replay("exchanges-head.jsonl", "healthy", Era::Jwt).await;
    assert_only_listed(&differences, JWT_DIFFERS);
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
async fn replay(recording: &str, profile: &str, era: Era) -> BTreeMap<String, String> {
    let fixtures = root().join("fixtures");
    let seed = Seed::load(&fixtures.join("double.yaml")).unwrap();
    let profile = Profile::load(&fixtures.join("profiles"), profile).unwrap();
    let double = Double::start(&seed, 1, &profile, era).await;
    aitbc_conformance::tls::install_provider();
    let http = reqwest::Client::new();
    let text = std::fs::read_to_string(root().join("tests/recordings").join(recording))
        .expect("the recording is committed");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let auth = match era {
        Era::Jwt => Auth::logged_in(&http, &double.coordinator_url(), &seed, &lines).await,
        Era::ApiKey => Auth::keys(&seed),
    };
    let mut carried: HashMap<String, String> = HashMap::new();
    let mut differences = BTreeMap::new();
    for recorded in &lines {
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
        for (name, value) in auth.headers(request["auth"].as_str().unwrap()) {
            builder = builder.header(name, value);
        }
        if let Some(headers) = request["headers"].as_object() {
            for (name, value) in headers.iter().filter(|(n, _)| n.starts_with("X-")) {
                builder = builder.header(name.as_str(), value.as_str().unwrap_or_default());
            }
        }
        match &request["body"] {
            Value::Null => {}
            Value::Object(o) if o.contains_key("_raw") => {
                builder = builder.body(o["_raw"].as_str().unwrap().to_string());
            }
            body => {
                let body = auth.sign(&case, substitute_json(body, &carried));
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

/// Who the recording's `auth` names, on the double: its keys, and in the JWT era the tokens of
/// its own wallets (logged in first), standing in for the recording's wallets.
struct Auth {
    keys: BTreeMap<&'static str, String>,
    tokens: BTreeMap<&'static str, String>,
    /// Recorded wallet address → the double's wallet of the same role.
    wallets: HashMap<String, Wallet>,
}

impl Auth {
    fn keys(seed: &Seed) -> Self {
        let keys = &seed.keys;
        Self {
            keys: [
                ("client", keys.client[0].clone()),
                ("other-client", keys.client[1].clone()),
                ("miner", keys.miner[0].clone()),
                ("admin", keys.admin[0].clone()),
            ]
            .into_iter()
            .collect(),
            tokens: BTreeMap::new(),
            wallets: HashMap::new(),
        }
    }

    /// The seed's wallets logged in, and the recording's wallets mapped to them by the role
    /// their `login.nonce.<role>` case names.
    async fn logged_in(http: &reqwest::Client, base: &str, seed: &Seed, lines: &[Value]) -> Self {
        let mut auth = Self::keys(seed);
        for role in ["client", "other-client", "admin"] {
            let wallet = seed_wallet(&seed.jwt, role).unwrap();
            let token = log_in(http, base, &wallet).await;
            auth.tokens.insert(role, token);
            for line in lines {
                let case = line["case"].as_str().unwrap();
                let named = case
                    .strip_prefix("login.nonce.")
                    .map(|r| r.trim_end_matches(".2"));
                if named == Some(role) {
                    let address = line["request"]["body"]["wallet_address"].as_str().unwrap();
                    auth.wallets.insert(address.to_string(), wallet.clone());
                }
            }
        }
        auth
    }

    /// The headers for the recording's `auth` (`wrong-role:` only says why it was sent).
    fn headers(&self, auth: &str) -> Vec<(&'static str, String)> {
        let auth = auth.strip_prefix("wrong-role:").unwrap_or(auth);
        let key = |role: &str| {
            (
                "X-Api-Key",
                self.keys.get(role).cloned().unwrap_or_default(),
            )
        };
        let bearer = |role: &str| {
            let token = self.tokens.get(role).cloned().unwrap_or_default();
            ("Authorization", format!("Bearer {token}"))
        };
        match auth {
            "none" => vec![],
            "empty-key" => vec![("X-Api-Key", String::new())],
            "unknown-key" => vec![("X-Api-Key", "unknown_key_not_configured_0000".into())],
            "bad-jwt" => {
                let claims = token::Claims::access("nobody", "client", 1_795_000_000, 1 << 30);
                let forged = token::sign("not-the-secret", &claims);
                vec![("Authorization", format!("Bearer {forged}"))]
            }
            "admin-jwt+admin" => vec![bearer("admin"), key("admin")],
            role => match role.strip_suffix("-jwt") {
                Some(role) => vec![bearer(role)],
                None => vec![key(role)],
            },
        }
    }

    /// A login body made anew for the double's wallet standing in for the recorded one: its
    /// address, and its signature over the same nonce (over another message where the case
    /// sent a bad signature on purpose).
    fn sign(&self, case: &str, mut body: Value) -> Value {
        let Some(recorded) = body["wallet_address"].as_str().map(String::from) else {
            return body;
        };
        let Some(wallet) = self.wallets.get(&recorded) else {
            return body;
        };
        body["wallet_address"] = json!(wallet.address());
        if body.get("signature").is_some() {
            let nonce = body["nonce"].as_str().unwrap_or_default();
            let nonce = if case == "login.bad-signature" {
                "another"
            } else {
                nonce
            };
            body["signature"] = json!(wallet.sign(&login_message(&wallet.address(), nonce)));
        }
        body
    }
}

async fn log_in(http: &reqwest::Client, base: &str, wallet: &Wallet) -> String {
    let post = |path: &str, body: Value| {
        let request = http
            .post(format!("{base}{path}"))
            .header("Content-Type", "application/json")
            .body(body.to_string());
        async move {
            let bytes = request.send().await.unwrap().bytes().await.unwrap();
            serde_json::from_slice::<Value>(&bytes).unwrap()
        }
    };
    let nonce = post(
        "/v1/auth/nonce",
        json!({ "wallet_address": wallet.address() }),
    )
    .await;
    let nonce = nonce["nonce"].as_str().unwrap().to_string();
    let signature = wallet.sign(&login_message(&wallet.address(), &nonce));
    let body =
        json!({ "wallet_address": wallet.address(), "nonce": nonce, "signature": signature });
    let answer = post("/v1/login", body).await;
    answer["session_token"].as_str().unwrap().to_string()
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
    map_path_tokens(path, |token| carried.get(token).cloned())
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
