//! The JWT era's wallet login on the coordinator double (contract §12): nonces, EIP-191
//! signatures recovered to their address, the session tokens it issues, `/v1/users/me`.

use serde_json::{json, Value};

use super::gate::{Nonce, User};
use super::reply::{Call, Handled, Reply};
use super::seed::JwtSeed;
use super::state::Coordinator;
use crate::auth::wallet::{self, Wallet};
use crate::clock;

/// `GET /v1/users/me`: the caller's user, as its login answered (any role that logged in).
pub(crate) fn me(state: &mut Coordinator, call: &Call) -> Handled {
    let gate = state
        .gate()
        .ok_or_else(|| Reply::detail(404, "Not Found"))?;
    let principal = gate.resolve(call.request)?;
    let user = state
        .users
        .iter()
        .find(|u| u.id == principal.id)
        .cloned()
        .ok_or_else(|| Reply::detail(404, "User not found"))?;
    let token = call
        .request
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    Ok(Reply::ok(user_body(&user, token)))
}

/// A user as the login and `/v1/users/me` spell it.
fn user_body(user: &User, token: &str) -> Value {
    let address = &user.address;
    json!({
        "user_id": user.id,
        "email": format!("{address}@aitbc.local"),
        "username": format!("user_{}", &address[address.len().saturating_sub(8)..]),
        "created_at": clock::iso_naive(user.created_at),
        "session_token": token,
    })
}

/// `POST /v1/auth/nonce {"wallet_address"}`: a single-use nonce, valid five minutes.
pub(crate) fn nonce(state: &mut Coordinator, call: &Call) -> Handled {
    let body = call.json_object()?;
    let address = required_text(&body, "wallet_address")?;
    if !wallet::is_address(&address) {
        return Err(Reply::detail(400, "Invalid wallet address"));
    }
    let address = address.to_lowercase();
    let value = state.ids.urlsafe(22);
    let expires_at = clock::now_micros() / 1_000_000 + 300;
    state.nonces.push(Nonce {
        value: value.clone(),
        address: address.clone(),
        expires_at,
    });
    Ok(Reply::ok(
        json!({ "wallet_address": address, "nonce": value, "expires_at": expires_at }),
    ))
}

/// `POST /v1/login {"wallet_address","nonce","signature"}`: the nonce is consumed whatever
/// follows; the signature must recover the wallet's address; an unknown wallet is registered.
pub(crate) fn login(state: &mut Coordinator, call: &Call) -> Handled {
    let body = call.json_object()?;
    let fields = ["wallet_address", "nonce", "signature"];
    let missing: Vec<Value> = fields
        .iter()
        .filter(|f| !body.get(**f).is_some_and(Value::is_string))
        .map(|f| json!({ "field": format!("body.{f}"), "message": "Field required", "code": "missing" }))
        .collect();
    if !missing.is_empty() {
        return Err(Reply::validation_many(missing));
    }
    let text = |f: &str| body[f].as_str().unwrap_or_default().to_string();
    let (address, nonce, signature) = (
        text("wallet_address").to_lowercase(),
        text("nonce"),
        text("signature"),
    );
    let now = clock::now_micros() / 1_000_000;
    let position = state
        .nonces
        .iter()
        .position(|n| n.value == nonce && n.address == address && n.expires_at > now)
        .ok_or_else(|| Reply::detail(401, "Invalid or expired nonce"))?;
    state.nonces.remove(position);
    let signer = wallet::recover(&wallet::login_message(&address, &nonce), &signature);
    if signer.as_deref() != Ok(address.as_str()) {
        return Err(Reply::detail(401, "Invalid wallet signature"));
    }
    let user = state.user_for(&address);
    let jwt = state.seed.jwt.clone();
    let role = if jwt.admin_addresses().contains(&address) {
        "admin"
    } else {
        "client"
    };
    let token = state
        .gate()
        .map(|g| g.issue(&user.id, role, now, jwt.token_ttl_seconds))
        .unwrap_or_default();
    Ok(Reply::ok(user_body(&user, &token)))
}

fn required_text(body: &serde_json::Map<String, Value>, field: &str) -> Result<String, Reply> {
    body.get(field)
        .and_then(Value::as_str)
        .map(String::from)
        .ok_or_else(|| Reply::validation(&format!("body.{field}"), "Field required", "missing"))
}

/// The seed's wallet for a role as callers spell it (`client`, `other-client`, `admin`,
/// `other-admin`; the seed file writes `other_client`).
pub fn seed_wallet(jwt: &JwtSeed, role: &str) -> Option<Wallet> {
    jwt.wallets
        .get(&role.replace('-', "_"))
        .and_then(|key| Wallet::from_hex(key).ok())
}
