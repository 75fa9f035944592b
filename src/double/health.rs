//! Health routes of both services (contract §13): no auth, what the AITBC end-to-end tests
//! call first.

use serde_json::json;

use super::node::Chain;
use super::quirks::Quirk;
use super::reply::{Call, Handled, Reply};
use super::state::Coordinator;

/// `GET /v1/health` and `GET /health` on the coordinator.
pub(crate) fn coordinator(_state: &mut Coordinator, _call: &Call) -> Handled {
    Ok(Reply::ok(
        json!({ "status": "ok", "env": "dev", "python_version": "3.13.0" }),
    ))
}

/// `GET /health/live`.
pub(crate) fn live(_state: &mut Coordinator, _call: &Call) -> Handled {
    Ok(Reply::ok(
        json!({ "status": "alive", "python_version": "3.13.0" }),
    ))
}

/// `GET /health/ready`: ready, or the 503 of quirk `health-ready-503`.
pub(crate) fn ready(state: &mut Coordinator, _call: &Call) -> Handled {
    if state.quirk(Quirk::HealthReady503) {
        return Err(Reply::json(
            503,
            json!({ "status": "not ready",
                    "error": "cannot import name 'get_engine' from 'app.storage' \
                              (<repo>/apps/coordinator-api/src/app/storage/__init__.py)" }),
        ));
    }
    Ok(Reply::ok(
        json!({ "status": "ready", "python_version": "3.13.0" }),
    ))
}

/// `GET /health` on the node.
pub(crate) fn node(chain: &mut Chain, _call: &Call) -> Handled {
    Ok(Reply::ok(json!({
        "status": "ok",
        "supported_chains": [chain.chain_id],
        "proposer_id": format!("{}-proposer", chain.chain_id),
    })))
}
