//! Unit tests of the coordinator double's state machine, calling handlers directly.

use serde_json::{json, Value};
use wiremock::http::{HeaderMap, HeaderValue, Method, Url};
use wiremock::Request;

use super::reply::{Call, Reply};
use super::seed::Seed;
use super::state::Coordinator;
use super::COORDINATOR_ROUTES;

const CLIENT: &str = "client_dev_key_1_valid";
const OTHER_CLIENT: &str = "client_dev_key_2_valid";
const MINER: &str = "miner_dev_key_1_valid";
const ADMIN: &str = "admin_dev_key_1_valid";

fn coordinator() -> Coordinator {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/double.yaml");
    Coordinator::new(
        Seed::load(&path).expect("the committed seed loads"),
        1,
        Default::default(),
        crate::auth::Era::ApiKey,
    )
}

/// Routes `method path` through the route table, as wiremock would.
fn call(
    state: &mut Coordinator,
    key: Option<&str>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Reply {
    let (path_only, _) = path.split_once('?').unwrap_or((path, ""));
    let route = COORDINATOR_ROUTES
        .iter()
        .find(|r| r.method == method && crate::templates::template_matches(r.template, path_only))
        .unwrap_or_else(|| panic!("no route for {method} {path}"));
    let mut headers = HeaderMap::new();
    if let Some(key) = key {
        headers.insert("x-api-key", HeaderValue::from_str(key).unwrap());
    }
    let request = Request {
        url: Url::parse(&format!("http://127.0.0.1{path}")).unwrap(),
        method: Method::from_bytes(method.as_bytes()).unwrap(),
        headers,
        body: body.map(|b| b.to_string().into_bytes()).unwrap_or_default(),
    };
    (route.handler)(state, &Call::new(&request, route.template)).unwrap_or_else(|r| r)
}

fn submit(state: &mut Coordinator, prompt: &str) -> String {
    let reply = call(
        state,
        Some(CLIENT),
        "POST",
        "/v1/jobs",
        Some(json!({"payload": {"prompt": prompt}})),
    );
    assert_eq!(reply.status, 201);
    reply.body.unwrap()["job_id"].as_str().unwrap().to_string()
}

fn register(state: &mut Coordinator, concurrency: i64) {
    let body = json!({"capabilities": {"gpus": [{"name": "RTX 4090", "memory_mb": 24576}]}, "concurrency": concurrency});
    assert_eq!(
        call(
            state,
            Some(MINER),
            "POST",
            "/v1/miners/register",
            Some(body)
        )
        .status,
        200
    );
}

fn poll(state: &mut Coordinator) -> Reply {
    call(
        state,
        Some(MINER),
        "POST",
        "/v1/miners/poll",
        Some(json!({"max_wait_seconds": 0})),
    )
}

fn job_state(state: &mut Coordinator, id: &str) -> String {
    let reply = call(state, Some(CLIENT), "GET", &format!("/v1/jobs/{id}"), None);
    reply.body.unwrap()["state"].as_str().unwrap().to_string()
}

#[test]
fn a_job_runs_queued_running_completed_with_a_receipt() {
    let mut s = coordinator();
    let id = submit(&mut s, "a");
    assert_eq!(job_state(&mut s, &id), "QUEUED");
    register(&mut s, 1);
    assert_eq!(poll(&mut s).body.unwrap()["job_id"], json!(id));
    assert_eq!(job_state(&mut s, &id), "RUNNING");
    let done = call(
        &mut s,
        Some(MINER),
        "POST",
        &format!("/v1/miners/{id}/result"),
        Some(json!({"result": {"x": 1}})),
    );
    assert_eq!(done.status, 200);
    assert_eq!(done.body.unwrap()["receipt"]["job_id"], json!(id));
    assert_eq!(job_state(&mut s, &id), "COMPLETED");
    let result = call(
        &mut s,
        Some(CLIENT),
        "GET",
        &format!("/v1/jobs/{id}/result"),
        None,
    );
    assert_eq!(result.body.unwrap()["result"], json!({"x": 1}));
}

#[test]
fn polls_are_fifo_and_respect_concurrency() {
    let mut s = coordinator();
    let first = submit(&mut s, "1");
    let second = submit(&mut s, "2");
    register(&mut s, 1);
    assert_eq!(poll(&mut s).body.unwrap()["job_id"], json!(first));
    let busy = poll(&mut s);
    assert_eq!((busy.status, busy.body), (204, None));
    register(&mut s, 2);
    assert_eq!(poll(&mut s).body.unwrap()["job_id"], json!(second));
}

fn cancel(state: &mut Coordinator, id: &str) -> Reply {
    let path = format!("/v1/jobs/{id}/cancel");
    call(state, Some(CLIENT), "POST", &path, None)
}

fn post_result(state: &mut Coordinator, id: &str) -> Reply {
    let path = format!("/v1/miners/{id}/result");
    call(
        state,
        Some(MINER),
        "POST",
        &path,
        Some(json!({"result": {"x": 1}})),
    )
}

fn heartbeat(state: &mut Coordinator, body: Value) -> Reply {
    call(
        state,
        Some(MINER),
        "POST",
        "/v1/miners/heartbeat",
        Some(body),
    )
}

#[test]
fn cancel_clears_the_miner_keeps_its_slot_and_is_refused_twice() {
    let mut s = coordinator();
    let id = submit(&mut s, "a");
    let next = submit(&mut s, "b");
    register(&mut s, 1);
    poll(&mut s);
    let canceled = cancel(&mut s, &id);
    assert_eq!(canceled.status, 200);
    assert_eq!(canceled.body.unwrap()["assigned_miner_id"], Value::Null);
    assert_eq!(
        cancel(&mut s, &id),
        Reply::detail(409, "job not cancelable")
    );
    assert_eq!(s.miners[0].inflight, 1, "the miner still counts the job");
    assert_eq!(poll(&mut s).status, 204);
    assert_eq!(heartbeat(&mut s, json!({})).status, 200);
    assert_eq!(
        s.miners[0].inflight, 0,
        "an empty heartbeat frees every slot"
    );
    assert_eq!(poll(&mut s).body.unwrap()["job_id"], json!(next));
}

#[test]
fn a_result_cannot_complete_a_cancelled_job_but_a_second_result_is_accepted() {
    let mut s = coordinator();
    let id = submit(&mut s, "a");
    register(&mut s, 2);
    poll(&mut s);
    cancel(&mut s, &id);
    assert_eq!(
        post_result(&mut s, &id),
        Reply::detail(409, "job not running")
    );
    assert_eq!(job_state(&mut s, &id), "CANCELED");
    let done = submit(&mut s, "b");
    poll(&mut s);
    assert_eq!(post_result(&mut s, &done).status, 200);
    assert_eq!(post_result(&mut s, &done).status, 200, "contract §13");
    let receipts = call(
        &mut s,
        Some(CLIENT),
        "GET",
        &format!("/v1/jobs/{done}/receipts"),
        None,
    );
    assert_eq!(receipts.body.unwrap()["items"].as_array().unwrap().len(), 2);
}

#[test]
fn the_release_quirks_reproduce_its_bugs() {
    use super::quirks::{Quirk, Quirks};
    let mut s = coordinator();
    s.quirks = Quirks::new(&[
        Quirk::ResultCompletesCanceled,
        Quirk::StaleStatusCache,
        Quirk::Heartbeat500,
        Quirk::ReceiptsUnknown500,
    ]);
    let id = submit(&mut s, "a");
    register(&mut s, 2);
    poll(&mut s);
    cancel(&mut s, &id);
    assert_eq!(post_result(&mut s, &id).status, 200);
    assert_eq!(job_state(&mut s, &id), "COMPLETED");
    let read = submit(&mut s, "b");
    poll(&mut s);
    assert_eq!(job_state(&mut s, &read), "RUNNING");
    post_result(&mut s, &read);
    let reads: Vec<String> = (0..4).map(|_| job_state(&mut s, &read)).collect();
    assert_eq!(reads, ["RUNNING", "COMPLETED", "RUNNING", "COMPLETED"]);
    assert_eq!(heartbeat(&mut s, json!({})).status, 500);
    assert_eq!(
        s.miners[0].inflight, 1,
        "the failed heartbeat changed nothing"
    );
    let unknown = call(&mut s, Some(CLIENT), "GET", "/v1/jobs/00/receipts", None);
    assert_eq!(unknown.status, 500);
}

#[test]
fn constraints_not_given_are_offered_as_null() {
    let mut s = coordinator();
    submit(&mut s, "a");
    register(&mut s, 1);
    let offer = poll(&mut s).body.unwrap();
    assert_eq!(offer["constraints"]["models"], Value::Null);
    assert_eq!(offer["constraints"]["gpu"], Value::Null);
}

#[test]
fn a_zero_ttl_is_raised_to_a_second_and_the_job_expires_when_read_after_it() {
    let mut s = coordinator();
    let body = json!({"payload": {}, "ttl_seconds": 0});
    let reply = call(&mut s, Some(CLIENT), "POST", "/v1/jobs", Some(body));
    let id = reply.body.unwrap()["job_id"].as_str().unwrap().to_string();
    assert_eq!(
        job_state(&mut s, &id),
        "QUEUED",
        "max(ttl, 1), as every release"
    );
    s.time_passed += 1_100_000;
    assert_eq!(job_state(&mut s, &id), "EXPIRED");
}

#[test]
fn keys_are_per_role_and_jobs_per_client() {
    let mut s = coordinator();
    let id = submit(&mut s, "a");
    for key in [None, Some(""), Some(MINER), Some(ADMIN), Some("nope")] {
        let reply = call(&mut s, key, "GET", &format!("/v1/jobs/{id}"), None);
        assert_eq!(reply, Reply::detail(401, "invalid api key"), "{key:?}");
    }
    let other = call(
        &mut s,
        Some(OTHER_CLIENT),
        "GET",
        &format!("/v1/jobs/{id}"),
        None,
    );
    assert_eq!(other, Reply::detail(404, "job not found"));
}

#[test]
fn a_bad_key_on_a_bad_body_is_401_not_422() {
    let mut s = coordinator();
    let reply = call(
        &mut s,
        Some(MINER),
        "POST",
        "/v1/jobs",
        Some(json!({"prompt": "x"})),
    );
    assert_eq!(reply.status, 401);
    let reply = call(
        &mut s,
        Some(CLIENT),
        "POST",
        "/v1/jobs",
        Some(json!({"prompt": "x"})),
    );
    assert_eq!(reply.status, 422);
    assert_eq!(
        reply.body.unwrap()["error"]["details"][0]["field"],
        json!("body.payload")
    );
}

#[test]
fn executions_advance_one_step_per_status_read() {
    let mut s = coordinator();
    let body = json!({"name": "w", "steps": {"a": {}, "b": {}}});
    let w = call(
        &mut s,
        Some(ADMIN),
        "POST",
        "/v1/agents/workflows",
        Some(body),
    )
    .body
    .unwrap();
    let path = format!("/v1/agents/workflows/{}/execute", w["id"].as_str().unwrap());
    let e = call(&mut s, Some(ADMIN), "POST", &path, Some(json!({})))
        .body
        .unwrap();
    assert_eq!(e["status"], json!("pending"));
    let status = format!(
        "/v1/agents/executions/{}/status",
        e["execution_id"].as_str().unwrap()
    );
    let seen: Vec<Value> = (0..4)
        .map(|_| {
            call(&mut s, Some(ADMIN), "GET", &status, None)
                .body
                .unwrap()["status"]
                .clone()
        })
        .collect();
    assert_eq!(
        seen,
        [
            json!("running"),
            json!("running"),
            json!("completed"),
            json!("completed")
        ]
    );
}

/// The probe's double answers thousands of requests: it keeps no record of them, where a
/// scenario's (pooled) double does.
#[test]
fn the_probe_double_keeps_no_record_of_requests_and_a_scenario_double_does() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/double.yaml");
        let seed = Seed::load(&path).unwrap();
        let profile = super::profile::Profile::default();
        let era = crate::auth::Era::ApiKey;
        let scenario = super::Double::start(&seed, 1, &profile, era).await;
        let probe = super::Double::start_own(&seed, 2, &profile, era, false).await;
        for (double, kept) in [(&scenario, 1), (&probe, 0)] {
            let address = double.node_url().trim_start_matches("http://").to_string();
            let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
            let request = "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
            stream.write_all(request.as_bytes()).await.unwrap();
            let mut answer = String::new();
            stream.read_to_string(&mut answer).await.unwrap();
            assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
            assert_eq!(double.received().await.len(), kept);
        }
    });
}
