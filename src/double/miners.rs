//! Miner routes (contract §5): register, heartbeat, poll (FIFO by constraints), result, fail.

use serde_json::{json, Map, Value};

use super::quirks::{Quirk, Quirks};
use super::reply::{
    optional_int, optional_int_at_least, required_object, required_string, typed_fields, Call,
    Handled, Reply,
};
use super::state::{Coordinator, Job, JobState, Miner, Role};
use crate::auth::Era;
use crate::clock;

/// `POST /v1/miners/register`: upsert, reset inflight, ONLINE.
pub(crate) fn register(state: &mut Coordinator, call: &Call) -> Handled {
    let id = state.authorize(call, Role::Miner)?;
    let body = call.json_object()?;
    let capabilities = match required_object(&body, "capabilities")? {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let concurrency = optional_int(&body, "concurrency", 1)?.max(1);
    typed_fields(&body, &[("region", "string?")])?;
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

/// `POST /v1/miners/heartbeat`: sets the miner's inflight and status to what it reports
/// (defaults 0 and ONLINE, so `{}` frees every slot) and its last heartbeat to now.
pub(crate) fn heartbeat(state: &mut Coordinator, call: &Call) -> Handled {
    let body = call.optional_json_object()?;
    typed_fields(&body, &[("metadata", "object")])?;
    let inflight = optional_int_at_least(&body, "inflight", 0, 0)?;
    let status = match body.get("status") {
        None => "ONLINE".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            return Err(Reply::validation(
                "body.status",
                "Input should be a valid string",
                "string_type",
            ))
        }
    };
    let crash = state.quirk(Quirk::Heartbeat500).then(|| {
        state.crash(
            call,
            "ValueError",
            "\"Miner\" object has no field \"extra_metadata\"",
        )
    });
    let miner = registered(state, call)?;
    if let Some(crash) = crash {
        return Err(crash);
    }
    miner.inflight = inflight.max(0);
    miner.status = status;
    miner.last_heartbeat = clock::now_micros();
    Ok(Reply::ok(json!({ "status": "ok" })))
}

/// `POST /v1/miners/poll`: the oldest QUEUED job the miner can take, or 204.
pub(crate) fn poll(state: &mut Coordinator, call: &Call) -> Handled {
    state.expire_jobs();
    let era = state.era;
    let miner = registered(state, call)?.clone();
    optional_int_at_least(&call.optional_json_object()?, "max_wait_seconds", 0, 0)?;
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
    job.taken_by = Some(miner.id.clone());
    let mut constraints = full_constraints(&job.constraints);
    if era == Era::Jwt {
        // The JWT era's constraints add proof, enclave and bond requirements (recorded).
        for (field, unset) in [
            ("zk_proof_required", json!(false)),
            ("tee_attestation_required", json!(false)),
            ("tee_enclave_id", Value::Null),
            ("min_reputation", Value::Null),
            ("auto_reinvest_pct", Value::Null),
            ("bond_required", json!(false)),
            ("min_bond_amount", Value::Null),
            ("confidential", json!(false)),
            ("required_enclave_measurement", Value::Null),
        ] {
            constraints[field] = job.constraints.get(field).cloned().unwrap_or(unset);
        }
    }
    let offer = json!({
        "job_id": job.id,
        "payload": job.payload,
        "constraints": constraints,
    });
    if let Some(m) = state.miner_mut(&miner.id) {
        m.inflight += 1;
    }
    Ok(Reply::ok(offer))
}

/// Constraints as the poll answer spells them: every key present, `null` when unset
/// (`"models": null`, not `[]`: contract §13).
fn full_constraints(c: &Map<String, Value>) -> Value {
    let get = |k: &str| c.get(k).cloned().unwrap_or(Value::Null);
    json!({
        "gpu": get("gpu"), "cuda": get("cuda"), "min_vram_gb": get("min_vram_gb"),
        "models": get("models"), "region": get("region"), "max_price": get("max_price"),
    })
}

/// Whether a miner's capabilities meet a job's constraints, as every AITBC release's matcher
/// reads them: `capabilities.gpus[].name` (exact) and `.memory_mb`, `cuda` (a substring),
/// `models` (a superset), `price` (needed when the job sets `max_price`), and the region.
pub(crate) fn fits(miner: &Miner, c: &Map<String, Value>) -> bool {
    let caps = &miner.capabilities;
    let gpus: &[Value] = caps
        .get("gpus")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    fn text(v: Option<&Value>) -> Option<&str> {
        v.and_then(Value::as_str)
    }
    let number = |v: Option<&Value>| v.and_then(Value::as_f64);
    let gpu_ok = text(c.get("gpu"))
        .is_none_or(|want| gpus.iter().any(|g| text(g.get("name")) == Some(want)));
    let vram_ok = number(c.get("min_vram_gb")).is_none_or(|min| {
        gpus.iter()
            .any(|g| number(g.get("memory_mb")).unwrap_or(0.0) >= min * 1024.0)
    });
    let region_ok = text(c.get("region")).is_none_or(|want| miner.region.as_deref() == Some(want));
    let cuda_ok = text(c.get("cuda")).is_none_or(|want| {
        caps.get("cuda").is_some_and(|have| {
            have.as_str()
                .map_or_else(|| have.to_string(), String::from)
                .contains(want)
        })
    });
    let models_ok = match c.get("models").and_then(Value::as_array) {
        None => true,
        Some(want) => {
            let have = caps.get("models").and_then(Value::as_array);
            want.iter()
                .all(|m| have.is_some_and(|have| have.contains(m)))
        }
    };
    let price_ok = number(c.get("max_price"))
        .is_none_or(|max| number(caps.get("price")).is_some_and(|price| price <= max));
    gpu_ok && vram_ok && region_ok && cuda_ok && models_ok && price_ok
}

/// The job the calling miner took, else 404 `job not found`.
fn taken_job<'s>(state: &'s mut Coordinator, call: &Call) -> Result<(String, &'s mut Job), Reply> {
    let miner = registered(state, call)?.id.clone();
    let id = call.param("job_id");
    let job = state
        .jobs
        .iter_mut()
        .find(|j| j.id == id && j.taken_by.as_deref() == Some(miner.as_str()))
        .ok_or_else(|| Reply::detail(404, "job not found"))?;
    Ok((miner, job))
}

/// 409 `job not running` unless the job may take this miner's answer: RUNNING; COMPLETED for
/// a result (a second result is accepted, contract §13); CANCELED under the quirk that lets a
/// result complete it.
fn accepts_outcome(job: &Job, result: bool, quirks: &Quirks) -> Result<(), Reply> {
    let accepted = match job.state {
        JobState::Running => true,
        JobState::Completed => result,
        JobState::Canceled => result && quirks.has(Quirk::ResultCompletesCanceled),
        _ => false,
    };
    if accepted {
        Ok(())
    } else {
        Err(Reply::detail(409, "job not running"))
    }
}

/// `POST /v1/miners/{job_id}/result`: COMPLETED, with a receipt when the double signs.
/// Without `metrics.duration_ms` the time since the job was requested is recorded (§13).
pub(crate) fn result(state: &mut Coordinator, call: &Call) -> Handled {
    let body = call.json_object()?;
    let result = required_object(&body, "result")?;
    typed_fields(&body, &[("metrics", "object")])?;
    let mut metrics = match body.get("metrics") {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    };
    let signing = state.seed.signing_key;
    let quirks = state.quirks.clone();
    let (receipt_id, key_id, sig) = (state.ids.hex(32), state.ids.hex(43), state.ids.hex(86));
    let (miner_id, job) = taken_job(state, call)?;
    accepts_outcome(job, true, &quirks)?;
    let now = clock::now_micros();
    let duration_ms = metrics
        .get("duration_ms")
        .and_then(Value::as_f64)
        .unwrap_or(((now - job.requested_at) / 1000) as f64);
    metrics
        .entry("duration_ms")
        .or_insert_with(|| json!(duration_ms as i64));
    let was_running = job.state == JobState::Running;
    job.state = JobState::Completed;
    job.error = None;
    job.result = Some(result.clone());
    let receipt = signing.then(|| {
        let units = metrics
            .get("units")
            .or_else(|| result.get("units"))
            .and_then(Value::as_f64)
            .unwrap_or(duration_ms / 1000.0);
        json!({
            "version": "1.0", "receipt_id": receipt_id, "job_id": job.id,
            "provider": miner_id, "client": job.client, "status": "COMPLETED",
            "units": units, "unit_type": "gpu_seconds", "unit_price": 0.02,
            "price": ((units * 0.02) * 1e6).round() / 1e6,
            "started_at": job.requested_at / 1_000_000, "completed_at": now / 1_000_000,
            "metadata": { "job_payload": job.payload, "job_constraints": job.constraints,
                          "result": result, "metrics": metrics },
            "signature": { "alg": "Ed25519", "key_id": key_id, "sig": sig },
        })
    });
    job.receipts.extend(receipt.clone());
    if let Some(m) = state.miner_mut(&miner_id) {
        if was_running {
            m.inflight = (m.inflight - 1).max(0);
            m.jobs_completed += 1;
            m.total_duration_ms += duration_ms;
        }
        m.last_receipt_id = receipt.as_ref().map(|_| receipt_id);
    }
    Ok(Reply::ok(json!({ "status": "ok", "receipt": receipt })))
}

/// `POST /v1/miners/{job_id}/fail`: FAILED with `error = "<code>: <message>"` in the API-key
/// era, the message alone in the JWT era (its miner router stores `error_message` as it is).
pub(crate) fn fail(state: &mut Coordinator, call: &Call) -> Handled {
    let body = call.json_object()?;
    let code = required_string(&body, "error_code")?;
    let message = required_string(&body, "error_message")?;
    let quirks = state.quirks.clone();
    let message_alone = state.era == Era::Jwt;
    let (miner_id, job) = taken_job(state, call)?;
    accepts_outcome(job, false, &quirks)?;
    job.state = JobState::Failed;
    let frees_slot = !quirks.has(Quirk::FailKeepsMinerBusy);
    job.error = Some(if message_alone {
        message
    } else {
        format!("{code}: {message}")
    });
    if let Some(m) = state.miner_mut(&miner_id) {
        if frees_slot {
            m.inflight = (m.inflight - 1).max(0);
        }
        m.jobs_failed += 1;
    }
    Ok(Reply::ok(json!({ "status": "ok" })))
}
