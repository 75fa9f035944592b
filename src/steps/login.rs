//! JWT-era login steps (contract §12): a wallet asks for a nonce, signs the login message, logs
//! in; the scenario can then call as that wallet. Each scenario uses fresh wallets of its own.

use cucumber::{given, when};
use serde_json::json;

use crate::auth::wallet::{login_message, Wallet};
use crate::auth::Credential;
use crate::failure::Failure;
use crate::world::{Caller, ConformanceWorld as World, StepResult};

/// The scenario's wallet, or a harness failure when no step made one.
fn wallet(world: &World) -> Result<Wallet, Failure> {
    world
        .wallet
        .clone()
        .ok_or_else(|| Failure::harness("no wallet asked for a nonce before this step"))
}

#[when("a fresh wallet asks for a login nonce")]
async fn ask_nonce(world: &mut World) -> StepResult {
    judged!(world, {
        let wallet = Wallet::random();
        let body = json!({ "wallet_address": wallet.address() });
        world.wallet = Some(wallet);
        world
            .send_as(Caller::NoKey, "POST", "/v1/auth/nonce", Some(body))
            .await?;
        if world.last()?.status == 200 {
            world.save_string("nonce", "nonce")?;
        }
        Ok(())
    })
}

/// Logs in as the scenario's wallet with `nonce`, signed by `signer` over `message`.
async fn log_in(world: &mut World, signer: &Wallet, message: &str) -> StepResult {
    let address = wallet(world)?.address();
    let nonce = world
        .vars
        .get("nonce")
        .cloned()
        .ok_or_else(|| Failure::harness("no nonce was saved before this step"))?;
    let body = json!({
        "wallet_address": address,
        "nonce": nonce,
        "signature": signer.sign(message),
    });
    world
        .send_as(Caller::NoKey, "POST", "/v1/login", Some(body))
        .await?;
    let last = world.last()?;
    if let (200, Some(token)) = (
        last.status,
        last.json
            .as_ref()
            .and_then(|j| j.get("session_token"))
            .and_then(|t| t.as_str()),
    ) {
        let token = token.to_string();
        world.redact(&token);
        world.own_token = Some(Credential::Bearer {
            token,
            subject: String::new(),
        });
    }
    Ok(())
}

#[when("the wallet signs the nonce and logs in")]
async fn sign_and_log_in(world: &mut World) -> StepResult {
    judged!(world, {
        let wallet = wallet(world)?;
        let nonce = world.vars.get("nonce").cloned().unwrap_or_default();
        let message = login_message(&wallet.address(), &nonce);
        log_in(world, &wallet, &message).await
    })
}

#[when("the wallet logs in with a signature of another message")]
async fn wrong_message(world: &mut World) -> StepResult {
    judged!(world, {
        let wallet = wallet(world)?;
        let message = login_message(&wallet.address(), "not-the-nonce-it-was-given");
        log_in(world, &wallet, &message).await
    })
}

#[when("another wallet signs the nonce and the first one logs in with it")]
async fn other_signer(world: &mut World) -> StepResult {
    judged!(world, {
        let wallet = wallet(world)?;
        let nonce = world.vars.get("nonce").cloned().unwrap_or_default();
        let message = login_message(&wallet.address(), &nonce);
        log_in(world, &Wallet::random(), &message).await
    })
}

#[given("I authenticate with the session token of that login")]
async fn use_own_token(world: &mut World) -> StepResult {
    judged!(world, {
        if world.own_token.is_none() {
            return Err(Failure::harness(
                "no login of this scenario gave a session token",
            ));
        }
        world.caller = Caller::Own;
        Ok(())
    })
}
