//! Client job routes (contract §4): submit, status, result, cancel, receipts.

use serde_json::{json, Value};

use super::reply::{optional_int, required_object, Call, Handled, Reply};
use super::state::{Coordinator, Job, JobState, Role};
use crate::clock;

/// The JobView body.
pub fn job_view(job: &Job) -> Value {
    json!({
        "job_id": job.id,
        "state": job.state.as_str(),
        "assigned_miner_id": job.miner,
        "requested_at": clock::iso_naive(job.requested_at),
        "expires_at": clock::iso_naive(job.expires_at),
        "error": job.error,
        "payment_id": null,
        "payment_status": null,
    })
}

/// `POST /v1/jobs`.
pub fn submit(state: &mut Coordinator, call: &Call) -> Handled {
    let client = state.authorize(call, Role::Client)?;
    let body = call.json_object()?;
    let payload = required_object(&body, "payload")?;
    let constraints = match body.get("constraints") {
        None | Some(Value::Null) => serde_json::Map::new(),
        Some(Value::Object(map)) => map.clone(),
        Some(_) => {
            return Err(Reply::validation(
                "body.constraints",
                "Input should be a valid dictionary",
                "dict_type",
            ))
        }
    };
    let ttl = optional_int(&body, "ttl_seconds", 900)?;
    let now = clock::now_micros();
    let job = Job {
        id: state.ids.hex(32),
        client,
        payload,
        constraints,
        requested_at: now,
        expires_at: now + ttl * 1_000_000,
        state: JobState::Queued,
        miner: None,
        error: None,
        result: None,
        receipt: None,
        started_at: None,
    };
    let view = job_view(&job);
    state.jobs.push(job);
    Ok(Reply::json(201, view))
}

/// The caller's own job, after applying expiry; 404 `job not found` otherwise.
fn own_job<'s>(state: &'s mut Coordinator, call: &Call) -> Result<&'s mut Job, Reply> {
    let client = state.authorize(call, Role::Client)?;
    state.expire_jobs();
    let id = call.param("job_id");
    state
        .jobs
        .iter_mut()
        .find(|j| j.id == id && j.client == client)
        .ok_or_else(|| Reply::detail(404, "job not found"))
}

/// `GET /v1/jobs/{job_id}`.
pub fn status(state: &mut Coordinator, call: &Call) -> Handled {
    Ok(Reply::ok(job_view(own_job(state, call)?)))
}

/// `GET /v1/jobs/{job_id}/result`.
pub fn result(state: &mut Coordinator, call: &Call) -> Handled {
    let job = own_job(state, call)?;
    if job.state.is_active() || (job.result.is_none() && job.receipt.is_none()) {
        return Err(Reply::detail(425, "job not ready"));
    }
    Ok(Reply::ok(
        json!({ "result": job.result, "receipt": job.receipt }),
    ))
}

/// `POST /v1/jobs/{job_id}/cancel`.
pub fn cancel(state: &mut Coordinator, call: &Call) -> Handled {
    let job = own_job(state, call)?;
    if !job.state.is_active() {
        return Err(Reply::detail(409, "job not cancelable"));
    }
    let freed_miner = job.miner.clone().filter(|_| job.state == JobState::Running);
    job.state = JobState::Canceled;
    job.error = Some("canceled by client".to_string());
    let view = job_view(job);
    if let Some(miner) = freed_miner.and_then(|id| state.miner_mut(&id)) {
        miner.inflight = (miner.inflight - 1).max(0);
    }
    Ok(Reply::ok(view))
}

/// `GET /v1/jobs/{job_id}/receipt`.
pub fn receipt(state: &mut Coordinator, call: &Call) -> Handled {
    let job = own_job(state, call)?;
    job.receipt
        .clone()
        .map(Reply::ok)
        .ok_or_else(|| Reply::detail(404, "receipt not available"))
}

/// `GET /v1/jobs/{job_id}/receipts`.
pub fn receipts(state: &mut Coordinator, call: &Call) -> Handled {
    let job = own_job(state, call)?;
    Ok(Reply::ok(
        json!({ "items": job.receipt.iter().collect::<Vec<_>>() }),
    ))
}
