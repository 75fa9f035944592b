//! Miner routes (contract §5): register, heartbeat, poll (FIFO by constraints), result, fail.

use serde_json::{json, Map, Value};

use super::reply::{optional_int, required_object, required_string, Call, Handled, Reply};
use super::state::{Coordinator, Job, JobState, Miner, Role};
use crate::clock;

/// `POST /v1/miners/register`: upsert, reset inflight, ONLINE.
pub fn register(state: &mut Coordinator, call: &Call) -> Handled {
    let id = state.authorize(call, Role::Miner)?;
    let body = call.json_object()?;
    let capabilities = match required_object(&body, "capabilities")? {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let concurrency = optional_int(&body, "concurrency", 1)?.max(1);
    let region = body.get("region").and_then(Value::as_str).map(String::from);
    let now = clock::now_micros();
    let token = state.ids.hex(32);
    match state.miner_mut(&id) {
        Some(miner) => {
            miner.capabilities = capabilities;
            miner.concurrency = concurrency;
            miner.region = region;
            miner.status = "ONLINE".to_string();
            miner.inflight = 0;
            miner.last_heartbeat = now;
        }
        None => state.miners.push(Miner {
            id,
            capabilities,
            concurrency,
            region,
            status: "ONLINE".to_string(),
            inflight: 0,
            last_heartbeat: now,
            jobs_completed: 0,
            jobs_failed: 0,
            total_duration_ms: 0.0,
            last_receipt_id: None,
        }),
    }
    Ok(Reply::ok(json!({ "status": "ok", "session_token": token })))
}

fn registered<'s>(state: &'s mut Coordinator, call: &Call) -> Result<&'s mut Miner, Reply> {
    let id = state.authorize(call, Role::Miner)?;
    state
        .miner_mut(&id)
        .ok_or_else(|| Reply::detail(404, "miner not registered"))
}

/// `POST /v1/miners/heartbeat`.
pub fn heartbeat(state: &mut Coordinator, call: &Call) -> Handled {
    let body = call.json_object().unwrap_or_default();
    let miner = registered(state, call)?;
    if let Some(inflight) = body.get("inflight").and_then(Value::as_i64) {
        miner.inflight = inflight.max(0);
    }
    if let Some(status) = body.get("status").and_then(Value::as_str) {
        miner.status = status.to_string();
    }
    miner.last_heartbeat = clock::now_micros();
    Ok(Reply::ok(json!({ "status": "ok" })))
}

/// `POST /v1/miners/poll`: the oldest QUEUED job the miner can take, or 204.
pub fn poll(state: &mut Coordinator, call: &Call) -> Handled {
    state.expire_jobs();
    let miner = registered(state, call)?.clone();
    if miner.inflight >= miner.concurrency {
        return Ok(Reply::empty(204));
    }
    let Some(job) = state
        .jobs
        .iter_mut()
        .filter(|j| j.state == JobState::Queued && fits(&miner, &j.constraints))
        .min_by_key(|j| j.requested_at)
    else {
        return Ok(Reply::empty(204));
    };
    job.state = JobState::Running;
    job.miner = Some(miner.id.clone());
    job.started_at = Some(clock::now_micros());
    let offer = json!({
        "job_id": job.id,
        "payload": job.payload,
        "constraints": full_constraints(&job.constraints),
    });
    if let Some(m) = state.miner_mut(&miner.id) {
        m.inflight += 1;
    }
    Ok(Reply::ok(offer))
}

/// Constraints as the poll answer spells them: every key present, `null` when unset.
fn full_constraints(c: &Map<String, Value>) -> Value {
    let get = |k: &str| c.get(k).cloned().unwrap_or(Value::Null);
    json!({
        "gpu": get("gpu"), "cuda": get("cuda"), "min_vram_gb": get("min_vram_gb"),
        "models": c.get("models").cloned().unwrap_or_else(|| json!([])),
        "region": get("region"), "max_price": get("max_price"),
    })
}

/// Whether a miner's capabilities meet a job's constraints.
pub fn fits(miner: &Miner, c: &Map<String, Value>) -> bool {
    let caps = &miner.capabilities;
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_lowercase);
    let number = |v: Option<&Value>| v.and_then(Value::as_f64);
    let gpu_ok = match text(c.get("gpu")) {
        None => true,
        Some(want) => text(caps.get("gpu")).is_some_and(|have| have.contains(&want)),
    };
    let vram_ok = match number(c.get("min_vram_gb")) {
        None => true,
        Some(min) => number(caps.get("vram_gb")).is_some_and(|have| have >= min),
    };
    let region_ok = match text(c.get("region")) {
        None => true,
        Some(want) => miner.region.as_deref().map(str::to_lowercase) == Some(want),
    };
    let models_ok = match c.get("models").and_then(Value::as_array) {
        None => true,
        Some(want) => {
            let have = caps.get("models").and_then(Value::as_array);
            want.iter()
                .all(|m| have.is_some_and(|have| have.contains(m)))
        }
    };
    let price_ok = match (number(c.get("max_price")), number(caps.get("price"))) {
        (Some(max), Some(price)) => price <= max,
        _ => true,
    };
    gpu_ok && vram_ok && region_ok && models_ok && price_ok
}

/// The running job assigned to the calling miner, else 404 `job not found`.
fn assigned_job<'s>(
    state: &'s mut Coordinator,
    call: &Call,
) -> Result<(String, &'s mut Job), Reply> {
    let miner = registered(state, call)?.id.clone();
    let id = call.param("job_id");
    let job = state
        .jobs
        .iter_mut()
        .find(|j| j.id == id && j.miner.as_deref() == Some(miner.as_str()))
        .ok_or_else(|| Reply::detail(404, "job not found"))?;
    if job.state != JobState::Running {
        return Err(Reply::detail(409, "job not running"));
    }
    Ok((miner, job))
}

/// `POST /v1/miners/{job_id}/result`: COMPLETED, with a receipt when the double signs.
pub fn result(state: &mut Coordinator, call: &Call) -> Handled {
    let body = call.json_object()?;
    let result = required_object(&body, "result")?;
    let metrics = body.get("metrics").cloned().unwrap_or_else(|| json!({}));
    let signing = state.seed.signing_key;
    let receipt_id = state.ids.hex(32);
    let key_id = state.ids.hex(43);
    let sig = state.ids.hex(86);
    let (miner_id, job) = assigned_job(state, call)?;
    let now = clock::now_micros();
    let started = job.started_at.unwrap_or(now);
    let duration_ms = (now - started) as f64 / 1000.0;
    job.state = JobState::Completed;
    job.result = Some(result.clone());
    let receipt = signing.then(|| {
        let units = ((duration_ms / 1000.0).max(0.001) * 1000.0).round() / 1000.0;
        json!({
            "version": "1.0", "receipt_id": receipt_id, "job_id": job.id,
            "provider": miner_id, "client": job.client, "status": "COMPLETED",
            "units": units, "unit_type": "gpu_seconds", "unit_price": 0.02,
            "price": ((units * 0.02) * 1e6).round() / 1e6,
            "started_at": started / 1_000_000, "completed_at": now / 1_000_000,
            "metadata": { "job_payload": job.payload, "job_constraints": job.constraints,
                          "result": result, "metrics": metrics },
            "signature": { "alg": "Ed25519", "key_id": key_id, "sig": sig },
        })
    });
    job.receipt = receipt.clone();
    if let Some(m) = state.miner_mut(&miner_id) {
        m.inflight = (m.inflight - 1).max(0);
        m.jobs_completed += 1;
        m.total_duration_ms += duration_ms;
        m.last_receipt_id = receipt.as_ref().map(|_| receipt_id);
    }
    Ok(Reply::ok(json!({ "status": "ok", "receipt": receipt })))
}

/// `POST /v1/miners/{job_id}/fail`: FAILED with `error = "<code>: <message>"`.
pub fn fail(state: &mut Coordinator, call: &Call) -> Handled {
    let body = call.json_object()?;
    let code = required_string(&body, "error_code")?;
    let message = required_string(&body, "error_message")?;
    let (miner_id, job) = assigned_job(state, call)?;
    job.state = JobState::Failed;
    job.error = Some(format!("{code}: {message}"));
    if let Some(m) = state.miner_mut(&miner_id) {
        m.inflight = (m.inflight - 1).max(0);
        m.jobs_failed += 1;
    }
    Ok(Reply::ok(json!({ "status": "ok" })))
}
