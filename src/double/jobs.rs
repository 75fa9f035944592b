//! Client job routes (contract §4): submit, status, result, cancel, receipts.

use serde_json::{json, Value};

use super::quirks::Quirk;
use super::reply::{optional_int, required_object, typed_fields, Call, Handled, Reply};
use super::state::{Coordinator, Job, JobState, Role};
use crate::auth::Era;
use crate::clock;

/// 9999-12-31T23:59:59 in microseconds: the last instant an ISO-8601 date of four digits
/// writes (a job given a time to live of 10^18 s expires then).
const LAST_INSTANT: i64 = 253_402_300_799_000_000;

/// The JobView body; the JWT era's adds the payload, the result and its (unused here)
/// zero-knowledge, TEE and reinvestment fields (recorded from it).
pub(crate) fn job_view(job: &Job, era: Era) -> Value {
    let mut view = json!({
        "job_id": job.id,
        "state": job.state.as_str(),
        "assigned_miner_id": job.miner,
        "requested_at": clock::iso_naive(job.requested_at),
        "expires_at": clock::iso_naive(job.expires_at),
        "error": job.error,
        "payment_id": null,
        "payment_status": null,
    });
    if era == Era::Jwt {
        view["payload"] = job.payload.clone();
        view["result"] = job.result.clone().unwrap_or(Value::Null);
        for field in [
            "zk_status",
            "zk_proof_id",
            "tee_status",
            "tee_attestation_id",
            "auto_reinvest_pct",
            "reinvest_status",
            "reinvest_stake_id",
        ] {
            view[field] = Value::Null;
        }
    }
    view
}

/// `POST /v1/jobs`.
pub(crate) fn submit(state: &mut Coordinator, call: &Call) -> Handled {
    let client = state.authorize(call, Role::Client)?;
    let body = call.json_object()?;
    let payload = required_object(&body, "payload")?;
    typed_fields(
        &body,
        &[
            ("payment_amount", "number?"),
            ("payment_currency", "string"),
        ],
    )?;
    let constraints = match body.get("constraints") {
        None => serde_json::Map::new(),
        Some(Value::Object(map)) => map.clone(),
        Some(_) => {
            return Err(Reply::validation(
                "body.constraints",
                "Input should be a valid dictionary",
                "dict_type",
            ))
        }
    };
    // Every release raises a time to live to at least a second (`max(req.ttl_seconds, 1)`).
    let ttl = optional_int(&body, "ttl_seconds", 900)?.max(1);
    let now = clock::now_micros();
    let job = Job {
        id: state.ids.hex(32),
        client,
        payload,
        constraints,
        requested_at: now,
        expires_at: now
            .saturating_add(ttl.saturating_mul(1_000_000))
            .min(LAST_INSTANT),
        state: JobState::Queued,
        miner: None,
        taken_by: None,
        error: None,
        result: None,
        receipts: Vec::new(),
        read_while_running: false,
        reads_after_result: 0,
    };
    let view = job_view(&job, state.era);
    state.jobs.push(job);
    Ok(Reply::json(201, view))
}

/// `GET /v1/jobs` (JWT era): the caller's jobs, newest first.
pub(crate) fn list(state: &mut Coordinator, call: &Call) -> Handled {
    let client = state.authorize(call, Role::Client)?;
    state.expire_jobs();
    // Any integer, as the coordinator takes it (`limit: int = 20`, no bound): a negative one
    // lists nothing here.
    let limit = query_bound(call, "limit", 20, i64::MIN..=i64::MAX)?;
    let offset = query_bound(call, "offset", 0, i64::MIN..=i64::MAX)?;
    // `status=queued` filters by state; a status that names no state filters nothing (as the
    // coordinator does).
    let state_filter = call
        .query("status")
        .map(|s| s.to_ascii_uppercase())
        .filter(|s| {
            [
                "QUEUED",
                "RUNNING",
                "COMPLETED",
                "FAILED",
                "CANCELED",
                "EXPIRED",
            ]
            .contains(&s.as_str())
        });
    let mine: Vec<&Job> = state
        .jobs
        .iter()
        .rev()
        .filter(|j| j.client == client)
        .filter(|j| {
            state_filter
                .as_deref()
                .is_none_or(|s| j.state.as_str() == s)
        })
        .collect();
    let items: Vec<Value> = mine
        .iter()
        .skip(usize::try_from(offset.max(0)).unwrap_or(usize::MAX))
        .take(usize::try_from(limit.clamp(0, 1000)).unwrap_or(0))
        .map(|j| job_view(j, state.era))
        .collect();
    Ok(Reply::ok(
        json!({ "items": items, "total": mine.len(), "limit": limit, "offset": offset }),
    ))
}

/// The caller's own job, after applying expiry; 404 `job not found` otherwise.
fn own_job<'s>(state: &'s mut Coordinator, call: &Call) -> Result<&'s mut Job, Reply> {
    let client = state.authorize(call, Role::Client)?;
    own_job_of(state, call, &client)
}

fn own_job_of<'s>(
    state: &'s mut Coordinator,
    call: &Call,
    client: &str,
) -> Result<&'s mut Job, Reply> {
    state.expire_jobs();
    let id = call.param("job_id");
    state
        .jobs
        .iter_mut()
        .find(|j| j.id == id && j.client == client)
        .ok_or_else(|| Reply::detail(404, "job not found"))
}

/// A request without any credential header.
fn anonymous(call: &Call) -> bool {
    call.api_key().is_none() && call.request.headers.get("authorization").is_none()
}

/// `GET /v1/jobs/{job_id}`.
pub(crate) fn status(state: &mut Coordinator, call: &Call) -> Handled {
    let (stale_cache, era) = (state.quirk(Quirk::StaleStatusCache), state.era);
    let job = match state.authorize(call, Role::Client) {
        Err(_) if state.quirk(Quirk::StatusIgnoresAuth) && anonymous(call) => {
            let id = call.param("job_id");
            let owner = state
                .jobs
                .iter()
                .find(|j| j.id == id)
                .map(|j| j.client.clone());
            own_job_of(state, call, &owner.unwrap_or_default())?
        }
        Err(refused) => return Err(refused),
        Ok(client) => own_job_of(state, call, &client)?,
    };
    if !stale_cache {
        return Ok(Reply::ok(job_view(job, era)));
    }
    Ok(Reply::ok(cached_view(job, era)))
}

/// Quirk `stale-status-cache`: a job read while RUNNING is cached; after its result every
/// other read serves the cached RUNNING view (as 35a546ee0's per-session cache key does).
fn cached_view(job: &mut Job, era: Era) -> Value {
    match job.state {
        JobState::Running => job.read_while_running = true,
        JobState::Completed if job.read_while_running => {
            job.reads_after_result += 1;
            if job.reads_after_result % 2 == 1 {
                let mut stale = job.clone();
                stale.state = JobState::Running;
                return job_view(&stale, era);
            }
        }
        _ => {}
    }
    job_view(job, era)
}

/// `GET /v1/jobs/{job_id}/result`.
pub(crate) fn result(state: &mut Coordinator, call: &Call) -> Handled {
    let job = own_job(state, call)?;
    if job.state != JobState::Completed || (job.result.is_none() && job.receipts.is_empty()) {
        return Err(Reply::detail(425, "job not ready"));
    }
    Ok(Reply::ok(
        json!({ "result": job.result, "receipt": job.receipt() }),
    ))
}

/// `POST /v1/jobs/{job_id}/cancel`: CANCELED, `assigned_miner_id` cleared. The miner's
/// inflight count is left alone: it frees the slot itself (heartbeat) or by registering again
/// (contract §13).
pub(crate) fn cancel(state: &mut Coordinator, call: &Call) -> Handled {
    let era = state.era;
    let job = own_job(state, call)?;
    if !job.state.is_active() {
        return Err(Reply::detail(409, "job not cancelable"));
    }
    job.state = JobState::Canceled;
    job.error = Some("canceled by client".to_string());
    job.miner = None;
    Ok(Reply::ok(job_view(job, era)))
}

/// `GET /v1/jobs/{job_id}/receipt`.
pub(crate) fn receipt(state: &mut Coordinator, call: &Call) -> Handled {
    let job = own_job(state, call)?;
    job.receipt()
        .cloned()
        .map(Reply::ok)
        .ok_or_else(|| Reply::detail(404, "receipt not available"))
}

/// `GET /v1/jobs/{job_id}/receipts`.
pub(crate) fn receipts(state: &mut Coordinator, call: &Call) -> Handled {
    let key_error = state.quirk(Quirk::ReceiptsUnknown500);
    let crash = state.crash(call, "KeyError", "'job not found'");
    match own_job(state, call) {
        Ok(job) => Ok(Reply::ok(json!({ "items": job.receipts }))),
        Err(reply) if key_error && reply.status == 404 => Err(crash),
        Err(reply) => Err(reply),
    }
}

/// `GET /v1/explorer/receipts?job_id=&limit=&offset=` (no auth), the route the released
/// `aitbc client receipts` reads: every receipt, newest first, in the explorer's spelling.
pub(crate) fn explorer_receipts(state: &mut Coordinator, call: &Call) -> Handled {
    let limit = query_bound(call, "limit", 10, 1..=200)?;
    let offset = query_bound(call, "offset", 0, 0..=i64::MAX)?;
    let job_id = call.query("job_id");
    let mut items: Vec<Value> = state
        .jobs
        .iter()
        .filter(|j| job_id.as_deref().is_none_or(|id| j.id == id))
        .flat_map(|j| j.receipts.iter())
        .map(explorer_item)
        .collect();
    items.reverse();
    let items: Vec<Value> = items
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(0))
        .collect();
    Ok(Reply::ok(
        json!({ "jobId": job_id.as_deref().unwrap_or("all"), "items": items }),
    ))
}

fn explorer_item(receipt: &Value) -> Value {
    json!({
        "receiptId": receipt["receipt_id"], "jobId": receipt["job_id"],
        "miner": receipt["provider"], "coordinator": "aitbc-coordinator",
        "issuedAt": receipt["completed_at"], "status": receipt["status"], "payload": receipt,
    })
}

/// An integer query parameter within `bounds`, else the contract's 422 naming it.
fn query_bound(
    call: &Call,
    name: &str,
    default: i64,
    bounds: std::ops::RangeInclusive<i64>,
) -> Result<i64, Reply> {
    let Some(text) = call.query(name) else {
        return Ok(default);
    };
    let field = format!("query.{name}");
    let value: i64 = text.parse().map_err(|_| {
        Reply::validation(
            &field,
            "Input should be a valid integer, unable to parse string as an integer",
            "int_parsing",
        )
    })?;
    if value < *bounds.start() {
        let message = format!(
            "Input should be greater than or equal to {}",
            bounds.start()
        );
        return Err(Reply::validation(&field, &message, "greater_than_equal"));
    }
    if value > *bounds.end() {
        let message = format!("Input should be less than or equal to {}", bounds.end());
        return Err(Reply::validation(&field, &message, "less_than_equal"));
    }
    Ok(value)
}
