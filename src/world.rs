//! The cucumber World: one per scenario, holding its session, the last exchange and saved values.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;

use crate::auth::token;
pub(crate) use crate::exchange::Exchange;
use crate::failure::{Failure, FailureClass};
use crate::http;
use crate::json_path;
use crate::target::{Credential, RunContext, Session, Target};

/// What a step returns; `Err` fails the step with a classified message.
pub(crate) type StepResult = Result<(), Failure>;

/// The role a request authenticates as (`Given I authenticate as "…"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Caller {
    Client,
    OtherClient,
    Miner,
    Admin,
    OtherAdmin,
    NoKey,
    EmptyKey,
    UnknownKey,
    /// JWT era: a well-formed token signed with a secret the target does not use.
    BadToken,
    /// JWT era: the client's own token with its signature altered.
    TamperedToken,
    /// JWT era, embedded double only: a token signed with the double's secret, expired.
    ExpiredToken,
    /// The token this scenario's own wallet login earned.
    Own,
}

impl Caller {
    pub(crate) fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "client" => Caller::Client,
            "other-client" => Caller::OtherClient,
            "miner" => Caller::Miner,
            "admin" => Caller::Admin,
            "other-admin" => Caller::OtherAdmin,
            "none" => Caller::NoKey,
            "empty" => Caller::EmptyKey,
            "unknown" => Caller::UnknownKey,
            "bad-token" => Caller::BadToken,
            "tampered-token" => Caller::TamperedToken,
            "expired-token" => Caller::ExpiredToken,
            _ => return None,
        })
    }
}

/// How a CLI-style lookup found its block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    ByHash,
    ByHeight,
    HeadScan,
}

/// The outcome of `aitbc blockchain block <id>` replayed over HTTP.
#[derive(Debug, Clone)]
pub(crate) struct Lookup {
    /// Each request made, `GET /rpc/... → status`.
    pub(crate) trail: Vec<String>,
    pub(crate) found: Option<Value>,
    pub(crate) via: Option<Via>,
    /// `by_hash` answered FastAPI's route-level 404: the node lacks the route.
    pub(crate) by_hash_missing: bool,
}

/// How many exchanges a scenario keeps for its HAR file (a chain walk sends dozens).
pub(crate) const EXCHANGES_KEPT: usize = 64;

/// The per-scenario state.
#[derive(Debug, cucumber::World)]
#[world(init = Self::blank)]
pub(crate) struct ConformanceWorld {
    ctx: Option<Arc<RunContext>>,
    session: Option<Session>,
    pub(crate) caller: Caller,
    pub(crate) last: Option<Exchange>,
    /// Every exchange of the scenario, oldest first (the last `EXCHANGES_KEPT`): the HAR file
    /// written when it fails.
    pub(crate) exchanges: Vec<Exchange>,
    pub(crate) vars: HashMap<String, String>,
    /// Blocks fetched by a chain walk, in height order.
    pub(crate) blocks: Vec<Value>,
    /// The scenario degraded its own double on purpose: its exchanges stay out of the endpoint table.
    pub(crate) degraded: bool,
    /// Snapshot placeholders, shared by every snapshot of the scenario.
    pub(crate) placeholders: crate::snapshot::Placeholders,
    /// Admin stats noted by `Given I note the admin stats`.
    pub(crate) noted_stats: Option<Value>,
    /// This scenario's (file, line), as the report keys it.
    scenario: Option<(PathBuf, usize)>,
    /// A job a miner poll was handed that this run did not queue.
    pub(crate) foreign_job: Option<String>,
    /// The outcome of a CLI-style block lookup.
    pub(crate) lookup: Option<Lookup>,
    /// The `receipt` of the last result the miner posted: `null` means the target signs none.
    pub(crate) result_receipt: Option<Value>,
    /// The last invocation of the user's CLI (`When I run aitbc …`).
    pub(crate) ran: Option<crate::consumer::Ran>,
    /// JWT era: the wallet this scenario logs in with, and the token its login earned.
    pub(crate) wallet: Option<crate::auth::wallet::Wallet>,
    pub(crate) own_token: Option<Credential>,
    /// The failure of the step that failed, typed (see `steps::judged!`).
    pub(crate) failure: Option<Failure>,
    /// A `@live-serial` scenario's turn: held from its start to its end, so no other such
    /// scenario (they share the one miner identity of the target) runs meanwhile.
    pub(crate) serial_turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl ConformanceWorld {
    fn blank() -> Self {
        Self {
            ctx: None,
            session: None,
            caller: Caller::NoKey,
            last: None,
            exchanges: Vec::new(),
            vars: HashMap::new(),
            blocks: Vec::new(),
            lookup: None,
            result_receipt: None,
            ran: None,
            wallet: None,
            own_token: None,
            scenario: None,
            foreign_job: None,
            noted_stats: None,
            placeholders: crate::snapshot::Placeholders::default(),
            degraded: false,
            serial_turn: None,
            failure: None,
        }
    }

    /// Keeps a step's failure, typed, for the collector. A body check that failed on FastAPI's
    /// route-level `404 Not Found` (or a 405) is a missing endpoint, not a contract mismatch:
    /// the route is not there at all.
    pub(crate) fn settle(&mut self, outcome: StepResult) -> StepResult {
        let Err(mut failure) = outcome else {
            return Ok(());
        };
        // A poll handed a job this run never queued: the queue is someone else's, and what
        // follows says nothing about the backend.
        if let (Some(job), FailureClass::State | FailureClass::Contract) =
            (&self.foreign_job, failure.class)
        {
            failure = Failure::new(
                FailureClass::NotApplicable,
                format!(
                    "the miner was handed job {job}, which this run did not queue (someone else's, or an earlier run's): the miner scenarios need a queue holding only the run's own jobs (on a shared coordinator, --tags \"not @live-serial\"); the step said: {}",
                    failure.message
                ),
            );
        }
        if let (FailureClass::Contract, Some(last)) = (failure.class, &self.last) {
            if FailureClass::of_status(last.status, last.json.as_ref())
                == FailureClass::MissingEndpoint
            {
                failure.class = FailureClass::MissingEndpoint;
            }
        }
        self.failure = Some(failure.clone());
        Err(failure)
    }

    /// Called by the runner's before-hook: binds the run context and opens a session; a
    /// serial scenario first waits for its turn.
    pub(crate) async fn attach(
        &mut self,
        ctx: Arc<RunContext>,
        scenario: (PathBuf, usize),
        serial: bool,
    ) {
        if serial {
            self.serial_turn = Some(Arc::clone(&ctx.serial).lock_owned().await);
        }
        let session = ctx.session().await;
        self.vars.insert("tag".into(), session.tag.clone());
        // Snapshots name each role's identity (a key, or a token's subject) by the role.
        for (role, credential) in session.credentials.by_role() {
            if let Some(credential) = credential {
                self.placeholders
                    .name(credential.identity(), format!("[identity:{role}]"));
            }
        }
        self.session = Some(session);
        self.ctx = Some(ctx);
        self.scenario = Some(scenario);
    }

    fn parts(&self) -> Result<(&RunContext, &Session), Failure> {
        match (&self.ctx, &self.session) {
            (Some(ctx), Some(session)) => Ok((ctx, session)),
            _ => Err(Failure::harness("the scenario has no target session")),
        }
    }

    /// The run context (for steps that need run-wide settings).
    pub(crate) fn context(&self) -> Result<Arc<RunContext>, Failure> {
        self.ctx
            .clone()
            .ok_or_else(|| Failure::harness("the scenario has no run context"))
    }

    /// This scenario's unique tag (`{tag}` in steps), or `""` before the session opens.
    pub(crate) fn tag(&self) -> String {
        self.vars.get("tag").cloned().unwrap_or_default()
    }

    /// This scenario's (file, line), as the report keys it.
    pub(crate) fn scenario_key(&self) -> Option<(PathBuf, usize)> {
        self.scenario.clone()
    }

    /// This scenario's feature file.
    pub(crate) fn feature_path(&self) -> Option<&std::path::Path> {
        self.scenario.as_ref().map(|(p, _)| p.as_path())
    }

    /// The scenario's session (URLs, credentials, double).
    pub(crate) fn session(&self) -> Result<&Session, Failure> {
        self.parts().map(|(_, s)| s)
    }

    /// The credential the caller sends, `None` for no header.
    pub(crate) fn credential_for(&self, caller: Caller) -> Result<Option<Credential>, Failure> {
        let creds = &self.session()?.credentials;
        let pick = |c: &Option<Credential>, role: &str| {
            c.clone()
                .map(Some)
                .ok_or_else(|| Failure::harness(format!("no {role} credential is configured")))
        };
        let bearer = |token: String| {
            Some(Credential::Bearer {
                token,
                subject: String::new(),
            })
        };
        let now = crate::clock::now_micros() / 1_000_000;
        match caller {
            Caller::Client => pick(&creds.client, "client"),
            Caller::OtherClient => pick(&creds.other_client, "second client"),
            Caller::Miner => pick(&creds.miner, "miner"),
            Caller::Admin => pick(&creds.admin, "admin"),
            Caller::OtherAdmin => pick(&creds.other_admin, "second admin"),
            Caller::NoKey => Ok(None),
            Caller::EmptyKey => Ok(Some(Credential::ApiKey(String::new()))),
            Caller::UnknownKey => Ok(Some(Credential::ApiKey(
                "unknown_key_not_configured_0000".to_string(),
            ))),
            Caller::BadToken => {
                let claims = token::Claims::access("nobody", "client", now, 3600);
                Ok(bearer(token::sign("not-the-coordinator-secret", &claims)))
            }
            Caller::TamperedToken => match pick(&creds.client, "client")? {
                Some(Credential::Bearer { token, .. }) => Ok(bearer(token::tampered(&token))),
                _ => Err(Failure::harness(
                    "a tampered token needs the JWT era's client token",
                )),
            },
            Caller::Own => Ok(self.own_token.clone()),
            Caller::ExpiredToken => {
                let Target::Double { seed, .. } = &self.context()?.target else {
                    return Err(Failure::harness(
                        "an expired token can only be made for the embedded double (tag the scenario @double-only)",
                    ));
                };
                let subject = creds.client.as_ref().map_or("nobody", |c| c.identity());
                let claims = token::Claims::access(subject, "client", now - 7200, 3600);
                Ok(bearer(token::sign(&seed.jwt.secret, &claims)))
            }
        }
    }

    /// Masks a secret this scenario came by (a token its own login earned) in everything the
    /// run writes.
    pub(crate) fn redact(&self, secret: &str) {
        if let Some(ctx) = &self.ctx {
            ctx.redactor.add(secret);
        }
    }

    /// Replaces `{NAME}` with saved values; unknown names are left as they are.
    pub(crate) fn expand(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let tail = &rest[open + 1..];
            let close = tail.find('}');
            let name = close.map(|c| &tail[..c]);
            match name.and_then(|n| self.vars.get(n)) {
                Some(value) => {
                    out.push_str(value);
                    rest = &tail[close.unwrap_or(0) + 1..];
                }
                None => {
                    out.push('{');
                    rest = tail;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// Sends a request as the current caller and records the exchange.
    pub(crate) async fn send(
        &mut self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> StepResult {
        let caller = self.caller;
        self.send_as(caller, method, path, body).await
    }

    /// Sends a request as `caller`; `/rpc…` paths go to the node, the rest to the coordinator.
    pub(crate) async fn send_as(
        &mut self,
        caller: Caller,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> StepResult {
        self.send_over(caller, method, path, body, false).await
    }

    /// Sends a request as `caller`, on a connection of its own when `fresh` (never pooled).
    pub(crate) async fn send_over(
        &mut self,
        caller: Caller,
        method: &str,
        path: &str,
        body: Option<Value>,
        fresh: bool,
    ) -> StepResult {
        let path = self.resolved(path)?;
        let credential = self.credential_for(caller)?;
        let exchange = self
            .exchange(method, &path, credential.as_ref(), body.as_ref(), fresh)
            .await?;
        self.observe(&exchange);
        let schema = self.schema_check(method, &path, &exchange);
        self.keep(exchange.clone());
        self.last = Some(exchange);
        schema
    }

    /// `path` with its saved values filled in; a name never saved is the scenario's mistake.
    fn resolved(&self, path: &str) -> Result<String, Failure> {
        let path = self.expand(path);
        match unresolved_name(&path) {
            Some(name) => Err(Failure::harness(format!(
                "no saved value named {name:?} in {path}"
            ))),
            None => Ok(path),
        }
    }

    /// One request to the service the path belongs to; a request that got no answer is kept
    /// for the HAR file and fails; one that passed only on a retry marks the scenario flaky.
    async fn exchange(
        &mut self,
        method: &str,
        path: &str,
        credential: Option<&Credential>,
        body: Option<&Value>,
        fresh: bool,
    ) -> Result<Exchange, Failure> {
        let (ctx, session) = self.parts()?;
        let base = match crate::openapi::Service::of_path(path) {
            crate::openapi::Service::Node => &session.node_url,
            crate::openapi::Service::Coordinator => &session.coordinator_url,
        };
        let request = http::Request {
            base,
            method,
            path,
            credential,
            body: body.into(),
            record: !self.degraded,
            fresh,
        };
        let started = std::time::Instant::now();
        match http::send(&ctx.http, request).await {
            Ok((exchange, retried)) => {
                if retried {
                    self.mark_flaky(ctx);
                }
                Ok(exchange)
            }
            Err(failure) => {
                let unanswered = http::unanswered(&request, &failure, started.elapsed());
                self.keep(unanswered);
                Err(failure)
            }
        }
    }

    /// This scenario passed a request only on a retry: reported `flaky`, never `passed`.
    fn mark_flaky(&self, ctx: &RunContext) {
        if let Some(scenario) = &self.scenario {
            ctx.flaky
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(scenario.clone());
        }
    }

    /// Volatile values of an answer, numbered for the scenario's snapshots.
    fn observe(&mut self, exchange: &Exchange) {
        let Some(ctx) = self.ctx.clone() else {
            return;
        };
        if let (Some(run), Some(json)) = (ctx.snapshots.as_ref(), exchange.json.as_ref()) {
            self.placeholders.observe(&run.fields, json);
        }
        // The jobs this run queued: a miner handed any other job met someone else's queue.
        let route = (
            exchange.method.as_str(),
            exchange.path.split('?').next(),
            exchange.status,
        );
        let job = exchange
            .json
            .as_ref()
            .and_then(|json| json.get("job_id")?.as_str());
        let mut own = ctx
            .own_jobs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match (route, job) {
            (("POST", Some("/v1/jobs"), 201), Some(id)) => {
                own.insert(id.to_string());
            }
            (("POST", Some("/v1/miners/poll"), 200), Some(id)) if !own.contains(id) => {
                self.foreign_job = Some(id.to_string());
            }
            _ => {}
        }
    }

    /// A 2xx answer against the schema its document declares (not for a scenario that degraded
    /// its own double on purpose).
    fn schema_check(&self, method: &str, path: &str, exchange: &Exchange) -> StepResult {
        let Some(spec) = self.ctx.as_ref().and_then(|c| c.spec.as_ref()) else {
            return Ok(());
        };
        if self.degraded {
            return Ok(());
        }
        spec.check(
            crate::openapi::Service::of_path(path),
            method,
            path,
            exchange.status,
            exchange.json.as_ref(),
        )
        .map_err(|violation| Failure::new(FailureClass::Contract, violation.to_string()))
    }

    /// Logs an exchange for the scenario's HAR file, keeping the last `EXCHANGES_KEPT`.
    pub(crate) fn keep(&mut self, exchange: Exchange) {
        if self.exchanges.len() == EXCHANGES_KEPT {
            self.exchanges.remove(0);
        }
        self.exchanges.push(exchange);
    }

    /// The last exchange, or a harness failure if the scenario sent nothing yet.
    pub(crate) fn last(&self) -> Result<&Exchange, Failure> {
        self.last
            .as_ref()
            .ok_or_else(|| Failure::harness("no request was sent before this check"))
    }

    /// Fails unless the last status is `expected`, classifying the surprise.
    pub(crate) fn expect_status(&self, expected: u16) -> StepResult {
        let last = self.last()?;
        if last.status == expected {
            return Ok(());
        }
        Err(Failure::new(
            FailureClass::of_status(last.status, last.json.as_ref()),
            format!("expected status {expected}, got {}", last.describe()),
        ))
    }

    /// Saves the string at `field` of the last body as `{name}`; a non-string is a contract failure.
    pub(crate) fn save_string(&mut self, field: &str, name: &str) -> StepResult {
        let value = self.field(field)?;
        let text = value
            .as_str()
            .ok_or_else(|| Failure::contract(format!("field {field:?} is not a string: {value}")))?
            .to_string();
        self.vars.insert(name.to_string(), text);
        Ok(())
    }

    /// The JSON value at `field` of the last body.
    pub(crate) fn field(&self, field: &str) -> Result<&Value, Failure> {
        let last = self.last()?;
        let json = last.json.as_ref().ok_or_else(|| {
            Failure::contract(format!("the body is not JSON: {}", last.describe()))
        })?;
        json_path::lookup(json, field).ok_or_else(|| {
            Failure::contract(format!(
                "the body has no field {field:?}: {}",
                json_path::brief(json, 300)
            ))
        })
    }
}

fn unresolved_name(path: &str) -> Option<&str> {
    let open = path.find('{')?;
    let close = path[open..].find('}')?;
    Some(&path[open + 1..open + close])
}
