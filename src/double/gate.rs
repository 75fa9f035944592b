//! Who a request is in the JWT era (contract §12): a verified HS256 bearer token for clients
//! and admins, `X-Api-Key` for miners only, and the era's refusals; the logins' records.

use wiremock::Request;

use super::reply::{Call, Reply};
use super::seed::JwtSeed;
use crate::auth::token::{self, Claims};

/// Which key a route requires (contract §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Client,
    Miner,
    Admin,
}

/// Routes of the API-key era that the JWT-era coordinator does not mount, though its security
/// matrix lets their path through: FastAPI's 404 `Not Found`.
pub(crate) const ABSENT: &[&str] = &["health.v1"];
/// Routes of the JWT era only.
pub(crate) const JWT_ONLY: &[&str] = &[
    "auth.nonce",
    "auth.login",
    "auth.me",
    "jobs.list",
    "agents.stop",
];
/// Routes that exist but lie outside the security matrix: denied to everyone (401 without a
/// credential, 403 with one), as the current coordinator does.
pub(crate) const DENIED: &[&str] = &["marketplace.get", "health.live", "health.ready"];

/// What the gate needs: the token secret and the miner keys.
#[derive(Debug, Clone)]
pub(crate) struct Gate {
    secret: String,
    miner_keys: Vec<String>,
}

/// Who a request is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Principal {
    pub(crate) role: Role,
    pub(crate) id: String,
}

impl Gate {
    pub(crate) fn new(jwt: &JwtSeed, miner_keys: &[String]) -> Self {
        Self {
            secret: jwt.secret.clone(),
            miner_keys: miner_keys.to_vec(),
        }
    }

    /// Who sent `request`: a bearer token first, else a miner's key (identified by `X-Miner-ID`
    /// when sent), else nobody (an empty key counts as none).
    pub(crate) fn resolve(&self, request: &Request) -> Result<Principal, Reply> {
        let header = |name: &str| {
            request
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .filter(|v| !v.is_empty())
        };
        if let Some(token) = header("authorization").and_then(|a| a.strip_prefix("Bearer ")) {
            let claims = self
                .verify(token)
                .ok_or_else(|| Reply::detail(401, "Invalid token"))?;
            let role = match claims.role.as_str() {
                "admin" => Role::Admin,
                "miner" => Role::Miner,
                _ => Role::Client,
            };
            return Ok(Principal {
                role,
                id: claims.sub,
            });
        }
        match header("x-api-key") {
            Some(key) if self.miner_keys.iter().any(|k| k == key) => Ok(Principal {
                role: Role::Miner,
                id: header("x-miner-id").unwrap_or(key).to_string(),
            }),
            Some(_) => Err(Reply::detail(401, "Invalid API key")),
            None => Err(Reply::detail(401, "Authentication required")),
        }
    }

    /// The caller's id if it holds `role`; else the era's 401, or 403 with `forbidden`.
    pub(crate) fn authorize(
        &self,
        call: &Call,
        role: Role,
        forbidden: &str,
    ) -> Result<String, Reply> {
        let principal = self.resolve(call.request)?;
        if principal.role == role {
            Ok(principal.id)
        } else {
            Err(Reply::detail(403, forbidden))
        }
    }

    /// A path outside the security matrix: 401 without a (valid) credential, 403 with one.
    pub(crate) fn deny(&self, request: &Request) -> Reply {
        match self.resolve(request) {
            Ok(_) => Reply::detail(403, "Forbidden"),
            Err(refusal) => refusal,
        }
    }

    /// A signed session token for `sub` in `role`, valid for `ttl` seconds from `iat`.
    pub(crate) fn issue(&self, sub: &str, role: &str, iat: i64, ttl: i64) -> String {
        token::sign(&self.secret, &Claims::access(sub, role, iat, ttl))
    }

    fn verify(&self, token: &str) -> Option<Claims> {
        token::verify(&self.secret, token)
    }
}

/// A login nonce the double handed out.
#[derive(Debug, Clone)]
pub(crate) struct Nonce {
    pub(crate) value: String,
    pub(crate) address: String,
    pub(crate) expires_at: i64,
}

/// A user the login registered (any wallet logs in; admins by the seed's list).
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub(crate) id: String,
    pub(crate) address: String,
    pub(crate) created_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock;
    use serde_json::json;

    fn gate() -> Gate {
        Gate {
            secret: "s".into(),
            miner_keys: vec!["m1".into()],
        }
    }

    fn request(headers: &[(&str, &str)]) -> Request {
        let mut map = wiremock::http::HeaderMap::new();
        for (k, v) in headers {
            map.insert(
                wiremock::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                wiremock::http::HeaderValue::from_str(v).unwrap(),
            );
        }
        Request {
            url: wiremock::http::Url::parse("http://127.0.0.1/v1/jobs").unwrap(),
            method: wiremock::http::Method::GET,
            headers: map,
            body: Vec::new(),
        }
    }

    #[test]
    fn the_gate_tells_tokens_keys_and_nobody_apart() {
        let g = gate();
        let now = clock::now_micros() / 1_000_000;
        let token = format!("Bearer {}", g.issue("u1", "client", now, 60));
        assert_eq!(
            g.resolve(&request(&[("authorization", &token)])),
            Ok(Principal {
                role: Role::Client,
                id: "u1".into()
            })
        );
        let expired = format!("Bearer {}", g.issue("u1", "client", now - 120, 60));
        let refused = |h: &[(&str, &str)]| g.resolve(&request(h)).unwrap_err().body.unwrap();
        assert_eq!(
            refused(&[("authorization", &expired)]),
            json!({"detail": "Invalid token"})
        );
        assert_eq!(
            refused(&[("x-api-key", "c1")]),
            json!({"detail": "Invalid API key"})
        );
        assert_eq!(
            refused(&[("x-api-key", "")]),
            json!({"detail": "Authentication required"})
        );
        let miner = g
            .resolve(&request(&[("x-api-key", "m1"), ("x-miner-id", "rig-7")]))
            .unwrap();
        assert_eq!((miner.role, miner.id.as_str()), (Role::Miner, "rig-7"));
        assert_eq!(g.deny(&request(&[("x-api-key", "m1")])).status, 403);
    }
}
