//! The JWT era's session tokens (contract §12): HS256, claims `sub`, `role`, `type`, `iat`, `exp`.
//! The double signs and verifies them; the harness only reads whom a token names and until when.

use super::credentials::Credential;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// The claims of a session token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub(crate) sub: String,
    pub(crate) role: String,
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) iat: i64,
    pub(crate) exp: i64,
}

impl Claims {
    /// An access token's claims for `sub` in `role`, valid `ttl` seconds from `iat`.
    pub fn access(sub: &str, role: &str, iat: i64, ttl: i64) -> Self {
        Self {
            sub: sub.to_string(),
            role: role.to_string(),
            kind: "access".to_string(),
            iat,
            exp: iat + ttl,
        }
    }
}

/// `claims` signed with `secret`.
pub fn sign(secret: &str, claims: &Claims) -> String {
    super::hs256::install();
    let key = EncodingKey::from_secret(secret.as_bytes());
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &key)
        .expect("HS256 encoding of plain claims cannot fail")
}

/// The claims of a token signed with `secret`, unexpired and of type `access`.
pub(crate) fn verify(secret: &str, token: &str) -> Option<Claims> {
    super::hs256::install();
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.set_required_spec_claims(&["exp", "sub"]);
    let key = DecodingKey::from_secret(secret.as_bytes());
    let data = jsonwebtoken::decode::<Claims>(token, &key, &validation).ok()?;
    (data.claims.kind == "access").then_some(data.claims)
}

/// Whom a token names and until when, read without checking its signature (the target checks
/// it; the harness needs the subject for its reports and the expiry to renew in time).
pub(crate) fn read(token: &str) -> (Option<String>, Option<i64>) {
    #[derive(Default, Deserialize)]
    struct Loose {
        sub: Option<String>,
        exp: Option<i64>,
    }
    let claims = jsonwebtoken::dangerous::insecure_decode::<Loose>(token)
        .map(|d| d.claims)
        .unwrap_or_default();
    (claims.sub, claims.exp)
}

/// `token` with its signature's first character changed: well-formed, but no longer genuine.
/// Not the last character: of a 32-byte signature's 43 base64url characters, the last one
/// carries two padding bits, and a lenient decoder (PyJWT's) reads `…A` and `…B` as the same
/// signature. The first character's six bits are all signature.
pub(crate) fn tampered(token: &str) -> String {
    let Some(dot) = token.rfind('.') else {
        return format!("{token}A");
    };
    let (head, signature) = token.split_at(dot + 1);
    let mut chars = signature.chars();
    let first = chars.next().unwrap_or('A');
    let changed = if first == 'A' { 'Q' } else { 'A' };
    format!("{head}{changed}{}", chars.as_str())
}

/// A session token and when it stops being accepted.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub(crate) credential: Credential,
    /// Unix seconds (`exp`), when the token says.
    pub(crate) expires_at: Option<i64>,
}

impl Token {
    /// A token given ready-made (`--client-token`): its subject and expiry read from its claims.
    pub(crate) fn given(token: &str) -> Self {
        let (subject, expires_at) = read(token);
        Self {
            credential: Credential::Bearer {
                token: token.to_string(),
                subject: subject.unwrap_or_default(),
            },
            expires_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_with_its_secret_only_and_until_it_expires() {
        let now = crate::clock::now_micros() / 1_000_000;
        let token = sign("s", &Claims::access("u1", "client", now, 60));
        assert_eq!(verify("s", &token).unwrap().sub, "u1");
        assert_eq!(verify("other", &token), None);
        assert_eq!(verify("s", &tampered(&token)), None);
        // Its first signature character changed (six data bits), the rest as it was: the
        // signature's bytes differ, not only its encoding's padding bits.
        let sig = |t: &str| t.rsplit('.').next().unwrap().to_string();
        let (before, after) = (sig(&token), sig(&tampered(&token)));
        assert_ne!(before[..1], after[..1]);
        assert_eq!(before[1..], after[1..]);
        let expired = sign("s", &Claims::access("u1", "client", now - 120, 60));
        assert_eq!(verify("s", &expired), None);
        assert_eq!(read(&token), (Some("u1".to_string()), Some(now + 60)));
        assert_eq!(read("not a token"), (None, None));
    }
}
