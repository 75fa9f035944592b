//! Before any scenario: is each base URL reachable, which era does the coordinator speak (a live
//! target tells it by its own answers), which credential does each role use (the JWT era logs
//! wallets in), and is each accepted by a route of its role? Unreachable ends the run (exit 3),
//! an era that contradicts `--era` too (exit 2); a refused or missing credential blocks the
//! commands that need that role.

use std::collections::BTreeMap;

use serde_json::json;

use crate::auth::token::Token;
use crate::auth::wallet::Wallet;
use crate::auth::{era, Credential, Credentials, Era, EraChoice};
use crate::double::jwt::seed_wallet;
use crate::error::{RunError, Unreachable};
use crate::failure::FailureClass;
use crate::http::{self, Request};
use crate::login;
use crate::target::{seed_keys, RunAuth, RunContext, Target};

/// Roles whose commands cannot be tested, with the reason.
pub(crate) type Blocked = BTreeMap<&'static str, String>;

/// A route of each role that a valid credential passes (any answer but 401/403) without
/// changing state.
fn probe(role: &str) -> (&'static str, &'static str, Option<serde_json::Value>) {
    match role {
        "client" => ("GET", "/v1/jobs/00000000000000000000000000000000", None),
        "miner" => ("POST", "/v1/miners/heartbeat", Some(json!({}))),
        _ => ("GET", "/v1/admin/stats", None),
    }
}

/// Runs the checks on a session of the target (for the embedded double, a double of its own
/// with the run's profile), settles the era and credentials in `ctx.auth`, and lists the
/// blocked roles.
pub(crate) async fn check(ctx: &RunContext) -> Result<Settled, RunError> {
    let session = ctx.session().await;
    let (coordinator, node) = (&session.coordinator_url, &session.node_url);
    // Both asked at once; an unreachable coordinator is told first, as it is the first asked.
    let (coordinator_up, node_up) = futures::join!(
        reachable(
            ctx,
            "coordinator",
            coordinator,
            "/v1/marketplace/gpu/list?limit=1"
        ),
        reachable(ctx, "node", node, "/rpc/head")
    );
    coordinator_up?;
    node_up?;
    let seen = Seen::ask(ctx, coordinator).await;
    let (era, evidence, warning) = settle_era(ctx, &seen);
    let wallet_login = seen.has_wallet_login();
    let (credentials, logins, mut blocked) =
        settle_credentials(ctx, coordinator, era, wallet_login).await;
    for (role, credential) in [
        ("client", &credentials.client),
        ("miner", &credentials.miner),
        ("admin", &credentials.admin),
    ] {
        if let Some(reason) = refusal(ctx, coordinator, role, credential.as_ref()).await {
            blocked.entry(role).or_insert(reason);
        }
    }
    for (caller, credential) in [
        ("other-client", &credentials.other_client),
        ("other-admin", &credentials.other_admin),
    ] {
        if credential.is_none() {
            let role = &caller[6..];
            blocked.entry(caller).or_insert_with(|| {
                format!(
                    "no second {role} credential configured (--{caller}-key or a second key in \
                     --env-file; JWT era: --{caller}-wallet-key or --{caller}-token)"
                )
            });
        }
    }
    *ctx.auth.lock().await = RunAuth {
        era,
        credentials,
        logins,
    };
    Ok(Settled {
        era,
        evidence,
        warning,
        wallet_login,
        blocked,
    })
}

/// What the preflight settled.
#[derive(Debug)]
pub(crate) struct Settled {
    pub(crate) era: Era,
    /// How a live target's era was told (its own answers), for the one line that says so.
    pub(crate) evidence: Option<String>,
    /// The era given (by `--era` or by the credentials) disagrees with the target's answers:
    /// the given one is judged, and the evidence is told.
    pub(crate) warning: Option<String>,
    /// The coordinator serves wallet login (`POST /v1/auth/nonce` answers as a route does).
    pub(crate) wallet_login: bool,
    pub(crate) blocked: Blocked,
}

/// What the coordinator answers, without credentials, to the two requests that tell the eras
/// apart.
struct Seen {
    jobs: (u16, Option<serde_json::Value>),
    /// Not asked in a read-only run (it is a POST).
    nonce: Option<u16>,
}

impl Seen {
    async fn ask(ctx: &RunContext, coordinator: &str) -> Self {
        let jobs = "/v1/jobs/00000000000000000000000000000000";
        let body = json!({});
        let nonce = async {
            match ctx.read_only {
                true => None,
                false => Some(
                    answer(ctx, coordinator, "POST", "/v1/auth/nonce", Some(&body))
                        .await
                        .0,
                ),
            }
        };
        let (jobs, nonce) = futures::join!(answer(ctx, coordinator, "GET", jobs, None), nonce);
        Self { jobs, nonce }
    }

    fn judged(&self) -> Result<(Era, String), String> {
        let detail = self
            .jobs
            .1
            .as_ref()
            .and_then(|j| j.get("detail"))
            .and_then(|d| d.as_str());
        match self.nonce {
            Some(nonce) => era::judge(self.jobs.0, detail, nonce),
            None => era::judge_from_jobs(self.jobs.0, detail),
        }
    }

    /// A nonce route answers a body without an address as a route does (422, or 200/400);
    /// absent, it is 404/405, or 401/403 where unknown routes are denied.
    fn has_wallet_login(&self) -> bool {
        matches!(self.nonce, Some(200..=299 | 400 | 422))
    }
}

/// The era the run judges: the double's own; on a live target an explicit `--era`, else the
/// era the given credentials imply (Bearer tokens or wallet keys for clients or admins: jwt),
/// else the one its answers show. What is given wins over what is seen; a disagreement is a
/// warning with the evidence, never a refusal.
fn settle_era(ctx: &RunContext, seen: &Seen) -> (Era, Option<String>, Option<String>) {
    let (choice, implied) = match &ctx.target {
        Target::Double { era, .. } => return (*era, None, None),
        Target::Live {
            era,
            credentials,
            wallets,
            ..
        } => (*era, implied_era(credentials, wallets)),
    };
    let given = explicit(choice)
        .map(|era| (era, format!("--era {era}")))
        .or(implied);
    match (given, seen.judged()) {
        (None, Ok((era, evidence))) => (era, Some(evidence), None),
        // Nothing decisive (e.g. every answer too large or a 5xx): judge the API-key era, and say so.
        (None, Err(evidence)) => (
            Era::ApiKey,
            Some(format!(
                "{evidence}; neither era's answer, so judged as api-key (say --era jwt otherwise)"
            )),
            None,
        ),
        (Some((era, why)), Ok((judged, evidence))) if judged != era => (
            era,
            Some(evidence.clone()),
            Some(format!(
                "{why} says the {era} era, but the coordinator answers as the {judged} era \
                 ({evidence}); judging the {era} era as given"
            )),
        ),
        (Some((era, _)), judged) => (era, judged.ok().map(|(_, evidence)| evidence), None),
    }
}

/// The era the credentials given for clients and admins imply: a Bearer token or a wallet key
/// is the JWT era's.
fn implied_era(
    credentials: &Credentials,
    wallets: &[(&'static str, Wallet)],
) -> Option<(Era, String)> {
    let bearer = credentials
        .by_role()
        .into_iter()
        .find(|(role, c)| *role != "miner" && matches!(c, Some(Credential::Bearer { .. })));
    if let Some((role, _)) = bearer {
        return Some((Era::Jwt, format!("--{role}-token")));
    }
    wallets
        .first()
        .map(|(role, _)| (Era::Jwt, format!("--{role}-wallet-key")))
}

fn explicit(choice: EraChoice) -> Option<Era> {
    match choice {
        EraChoice::ApiKey => Some(Era::ApiKey),
        EraChoice::Jwt => Some(Era::Jwt),
        EraChoice::Auto => None,
    }
}

/// Each role's credential for `era`, the wallets that logged in, and the roles that could not.
async fn settle_credentials(
    ctx: &RunContext,
    coordinator: &str,
    era: Era,
    wallet_login: bool,
) -> (Credentials, Vec<Login>, Blocked) {
    let (given, wallets) = given_credentials(&ctx.target);
    let mut blocked = Blocked::new();
    if era == Era::ApiKey {
        // Every credential given is used as it is: a ready token too, never dropped.
        return (given, Vec::new(), blocked);
    }
    let mut credentials = Credentials {
        miner: given
            .miner
            .clone()
            .filter(|c| matches!(c, Credential::ApiKey(_))),
        ..Credentials::default()
    };
    let mut logins = Vec::new();
    for role in ["client", "other-client", "admin", "other-admin"] {
        let given_one = given.get(role).cloned();
        let wallet = wallets
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, w)| w.clone());
        let (credential, login, refused) =
            role_credential(ctx, coordinator, role, given_one, wallet, wallet_login).await;
        *credentials.slot(role).expect("a known role") = credential;
        logins.extend(login);
        if let Some(why) = refused {
            blocked.insert(role, why);
        }
    }
    (credentials, logins, blocked)
}

/// A role that logged in: its wallet (to renew with) and its token's expiry.
type Login = (&'static str, Wallet, Option<i64>);

/// The credentials and wallets the target was given: the double's own, or the flags'.
fn given_credentials(target: &Target) -> (Credentials, Vec<(&'static str, Wallet)>) {
    match target {
        Target::Double { seed, .. } => {
            let wallets = ["client", "other-client", "admin", "other-admin"]
                .into_iter()
                .filter_map(|r| seed_wallet(&seed.jwt, r).map(|w| (r, w)))
                .collect();
            (seed_keys(seed), wallets)
        }
        Target::Live {
            credentials,
            wallets,
            ..
        } => (credentials.clone(), wallets.clone()),
    }
}

/// One JWT-era role's credential: a ready token as it is; else a wallet's login (the one given,
/// or a fresh one for a client where the coordinator has wallet login); else, where it has
/// none, a key given for the role as it is. With it, the login made, or why the role has none.
async fn role_credential(
    ctx: &RunContext,
    coordinator: &str,
    role: &'static str,
    given: Option<Credential>,
    wallet: Option<Wallet>,
    wallet_login: bool,
) -> (Option<Credential>, Option<Login>, Option<String>) {
    if let Some(Credential::Bearer { token, .. }) = &given {
        return (Some(Token::given(token).credential), None, None);
    }
    // Any wallet logs in as a client: a fresh one serves when none is given.
    let fresh = (wallet_login && role.ends_with("client")).then(Wallet::random);
    let Some(wallet) = wallet.or(fresh) else {
        let key = given.filter(|_| !wallet_login);
        let why = (key.is_none() && !wallet_login).then(|| {
            format!(
                "no {role} token given, and the coordinator has no wallet login \
                 (POST /v1/auth/nonce answers as no route does): give --{role}-token"
            )
        });
        return (key, None, why);
    };
    match login::login(&ctx.http, coordinator, &wallet).await {
        Ok(token) => {
            ctx.redactor.add(token.credential.secret());
            let login = (role, wallet, token.expires_at);
            (Some(token.credential), Some(login), None)
        }
        Err(why) => (
            None,
            None,
            Some(format!("the {role} wallet could not log in: {why}")),
        ),
    }
}

async fn answer(
    ctx: &RunContext,
    base: &str,
    method: &'static str,
    path: &str,
    body: Option<&serde_json::Value>,
) -> (u16, Option<serde_json::Value>) {
    let request = Request {
        base,
        method,
        path,
        credential: None,
        body: body.into(),
        record: false,
        fresh: false,
    };
    match http::send(&ctx.http, request).await {
        Ok((exchange, _)) => (exchange.status, exchange.json),
        Err(_) => (0, None),
    }
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
        credential: None,
        body: crate::http::Body::None,
        record: false,
        fresh: false,
    };
    match http::send(&ctx.http, request).await {
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
                answered: false,
            })
        }
        // Something answers, but not with complete HTTP: not a backend with 99 server errors.
        Err(f) if f.class == FailureClass::Transport => Err(Unreachable {
            what,
            url: base.to_string(),
            reason: f
                .message
                .split_once(": ")
                .map_or(f.message.as_str(), |(_, rest)| rest)
                .split(" (")
                .next()
                .unwrap_or_default()
                .to_string(),
            answered: true,
        }),
        Err(_) => Ok(()),
    }
}

/// Why a role's credential cannot be used, or `None` when the coordinator accepts it.
async fn refusal(
    ctx: &RunContext,
    base: &str,
    role: &str,
    credential: Option<&Credential>,
) -> Option<String> {
    let Some(credential) = credential else {
        let how = match role {
            "miner" => "--miner-key / AITBC_MINER_KEY or --env-file",
            "admin" => "--admin-key or --env-file (API-key era), --admin-wallet-key or --admin-token (JWT era)",
            _ => "--client-key or --env-file (API-key era), --client-wallet-key or --client-token (JWT era)",
        };
        return Some(format!("no {role} credential configured ({how})"));
    };
    let (method, path, body) = probe(role);
    if ctx.read_only && method != "GET" {
        // The miner's only check is a heartbeat (a write); no read-only scenario needs a miner.
        return None;
    }
    let request = Request {
        base,
        method,
        path,
        credential: Some(credential),
        body: body.as_ref().into(),
        record: false,
        fresh: false,
    };
    match http::send(&ctx.http, request).await {
        Ok((exchange, _)) if matches!(exchange.status, 401 | 403) => Some(format!(
            "the {role} {} was refused: {method} {path} → {} {}",
            match credential {
                Credential::ApiKey(_) => "key",
                Credential::Bearer { .. } => "token",
            },
            exchange.status,
            exchange.json.map_or_else(String::new, |j| j.to_string())
        )),
        _ => None,
    }
}
