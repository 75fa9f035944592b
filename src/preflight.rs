//! Before any scenario on a live target: is each base URL reachable, and is each configured
//! key accepted by a route of its role? Unreachable ends the run (exit 3); a refused or missing
//! key blocks the commands that need that role.

use std::collections::BTreeMap;

use serde_json::json;

use crate::failure::FailureClass;
use crate::http::{self, Request};
use crate::target::{Credential, RunContext};

/// A base URL nothing answers on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("the {what} at {url} is unreachable: {reason}")]
pub struct Unreachable {
    pub what: &'static str,
    pub url: String,
    pub reason: String,
}

/// Roles whose commands cannot be tested, with the reason.
pub type Blocked = BTreeMap<&'static str, String>;

/// A route of each role that a valid key passes (any answer but 401) without changing state.
fn probe(role: &str) -> (&'static str, &'static str, Option<serde_json::Value>) {
    match role {
        "client" => ("GET", "/v1/jobs/00000000000000000000000000000000", None),
        "miner" => ("POST", "/v1/miners/heartbeat", Some(json!({}))),
        _ => ("GET", "/v1/admin/stats", None),
    }
}

/// Runs the checks on a session of the target (for the embedded double, a double of its own
/// with the run's profile); `Ok` lists the blocked roles.
pub async fn check(ctx: &RunContext) -> Result<Blocked, Unreachable> {
    let session = ctx.session().await;
    let (coordinator, node) = (&session.coordinator_url, &session.node_url);
    let credentials = &session.credentials;
    reachable(
        ctx,
        "coordinator",
        coordinator,
        "/v1/marketplace/gpu/list?limit=1",
    )
    .await?;
    reachable(ctx, "node", node, "/rpc/head").await?;
    let mut blocked = Blocked::new();
    let roles = [
        (
            "client",
            &credentials.client,
            "--client-key / AITBC_CLIENT_KEY",
        ),
        ("miner", &credentials.miner, "--miner-key / AITBC_MINER_KEY"),
        ("admin", &credentials.admin, "--admin-key / AITBC_ADMIN_KEY"),
    ];
    for (role, credential, flag) in roles {
        if let Some(reason) = refusal(ctx, coordinator, role, credential.as_ref(), flag).await {
            blocked.insert(role, reason);
        }
    }
    let others = [
        (
            "other-client",
            &credentials.other_client,
            "--other-client-key",
        ),
        ("other-admin", &credentials.other_admin, "--other-admin-key"),
    ];
    for (caller, credential, flag) in others {
        if credential.is_none() {
            blocked.insert(
                caller,
                format!(
                    "no second key for {caller} configured ({flag} or a second key in --env-file)"
                ),
            );
        }
    }
    Ok(blocked)
}

async fn reachable(
    ctx: &RunContext,
    what: &'static str,
    base: &str,
    path: &str,
) -> Result<(), Unreachable> {
    let request = Request {
        base,
        method: "GET",
        path,
        key: None,
        body: None,
        record: false,
        fresh: false,
    };
    match http::send(ctx, request).await {
        Ok(_) => Ok(()),
        Err(f) if matches!(f.class, FailureClass::Unreachable | FailureClass::Timeout) => {
            Err(Unreachable {
                what,
                url: base.to_string(),
                // The innermost cause ("Connection refused (os error 111)") says it best.
                reason: f
                    .message
                    .rsplit(": ")
                    .next()
                    .unwrap_or(&f.message)
                    .to_string(),
            })
        }
        Err(_) => Ok(()),
    }
}

/// Why a role's key cannot be used, or `None` when the coordinator accepts it.
async fn refusal(
    ctx: &RunContext,
    base: &str,
    role: &str,
    credential: Option<&Credential>,
    flag: &str,
) -> Option<String> {
    let Some(credential) = credential else {
        return Some(format!("no {role} key configured ({flag} or --env-file)"));
    };
    let (method, path, body) = probe(role);
    let request = Request {
        base,
        method,
        path,
        key: Some(credential.secret()),
        body: body.as_ref(),
        record: false,
        fresh: false,
    };
    match http::send(ctx, request).await {
        Ok((exchange, _)) if exchange.status == 401 => Some(format!(
            "the {role} key was refused: {method} {path} → 401 {}",
            exchange.json.map_or_else(String::new, |j| j.to_string())
        )),
        _ => None,
    }
}
