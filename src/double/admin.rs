//! Admin routes (contract §6): stats, jobs, miners — computed from the double's state.

use serde_json::{json, Value};

use super::quirks::Quirk;
use super::reply::{Call, Handled, Reply};
use super::state::{Coordinator, Role};
use crate::clock;

/// `GET /v1/admin/stats`.
pub(crate) fn stats(state: &mut Coordinator, call: &Call) -> Handled {
    state.authorize(call, Role::Admin)?;
    if state.quirk(Quirk::AdminStats500) {
        return Err(state.crash(call, "AttributeError", "average_job_duration_ms"));
    }
    state.expire_jobs();
    let completed: u64 = state.miners.iter().map(|m| m.jobs_completed).sum();
    let total_ms: f64 = state.miners.iter().map(|m| m.total_duration_ms).sum();
    let avg = if completed == 0 {
        0.0
    } else {
        total_ms / completed as f64
    };
    Ok(Reply::ok(json!({
        "total_jobs": state.jobs.len(),
        "active_jobs": state.jobs.iter().filter(|j| j.state.is_active()).count(),
        "online_miners": state.miners.iter().filter(|m| m.status == "ONLINE").count(),
        "avg_miner_job_duration_ms": avg,
    })))
}

/// `GET /v1/admin/jobs`: newest first, at most 100.
pub(crate) fn jobs(state: &mut Coordinator, call: &Call) -> Handled {
    state.authorize(call, Role::Admin)?;
    list_bug(state, call, state.jobs.is_empty())?;
    state.expire_jobs();
    let items: Vec<Value> = state
        .jobs
        .iter()
        .rev()
        .take(100)
        .map(|j| {
            json!({
                "job_id": j.id, "state": j.state.as_str(), "client_id": j.client,
                "assigned_miner_id": j.miner, "requested_at": clock::iso_naive(j.requested_at),
            })
        })
        .collect();
    Ok(Reply::ok(json!({ "items": items })))
}

/// `GET /v1/admin/miners`.
pub(crate) fn miners(state: &mut Coordinator, call: &Call) -> Handled {
    state.authorize(call, Role::Admin)?;
    list_bug(state, call, state.miners.is_empty())?;
    let items: Vec<Value> = state
        .miners
        .iter()
        .map(|m| {
            let done = m.jobs_completed.max(1) as f64;
            json!({
                "miner_id": m.id, "status": m.status, "inflight": m.inflight,
                "concurrency": m.concurrency, "region": m.region,
                "last_heartbeat": clock::iso_naive(m.last_heartbeat),
                "average_job_duration_ms": m.total_duration_ms / done,
                "jobs_completed": m.jobs_completed, "jobs_failed": m.jobs_failed,
                "last_receipt_id": m.last_receipt_id,
            })
        })
        .collect();
    Ok(Reply::ok(json!({ "items": items })))
}

/// Quirk `admin-lists-500`: the admin lists crash on their first row.
fn list_bug(state: &Coordinator, call: &Call, empty: bool) -> Result<(), Reply> {
    if state.quirk(Quirk::AdminLists500) && !empty {
        return Err(state.crash(call, "AttributeError", "id"));
    }
    Ok(())
}
