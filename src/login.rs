//! The JWT era's wallet login as the harness performs it (contract §12): `POST /v1/auth/nonce`,
//! an EIP-191 signature of the login message, `POST /v1/login` → a session token. One login per
//! role per run, renewed when the token nears its expiry.

use serde_json::{json, Value};

use crate::auth::token::Token;
use crate::auth::wallet::{login_message, Wallet};
use crate::http::{self, Client, Request};

/// A login that did not give a token: the exchange that refused it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub(crate) struct LoginError(pub String);

/// Logs `wallet` in at the coordinator `base`.
pub(crate) async fn login(
    client: &Client,
    base: &str,
    wallet: &Wallet,
) -> Result<Token, LoginError> {
    let address = wallet.address();
    let nonce_body = json!({ "wallet_address": address });
    let answer = post(client, base, "/v1/auth/nonce", &nonce_body).await?;
    let nonce = text_field(&answer, "/v1/auth/nonce", "nonce")?;
    let signature = wallet.sign(&login_message(&address, &nonce));
    let login_body = json!({ "wallet_address": address, "nonce": nonce, "signature": signature });
    let answer = post(client, base, "/v1/login", &login_body).await?;
    let token = text_field(&answer, "/v1/login", "session_token")?;
    Ok(Token::given(&token))
}

async fn post(client: &Client, base: &str, path: &str, body: &Value) -> Result<Value, LoginError> {
    let request = Request {
        base,
        method: "POST",
        path,
        credential: None,
        body: crate::http::Body::Json(body),
        record: false,
        fresh: false,
    };
    let (exchange, _) = http::send(client, request)
        .await
        .map_err(|f| LoginError(f.message))?;
    match (exchange.status, &exchange.json) {
        (200, Some(json)) => Ok(json.clone()),
        _ => Err(LoginError(exchange.describe())),
    }
}

fn text_field(answer: &Value, path: &str, field: &str) -> Result<String, LoginError> {
    answer
        .get(field)
        .and_then(Value::as_str)
        .map(String::from)
        .ok_or_else(|| LoginError(format!("POST {path} answered without {field:?}: {answer}")))
}
