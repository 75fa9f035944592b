//! Negative and boundary probing (`run --probe`): what no scenario asked. Requests derived from
//! each route's OpenAPI document and the live objects the scenarios know how to make, sent with
//! the role the route needs and with the wrong ones, inside the target's rate limits and a time
//! budget, judged by the checks of `judge.rs` and deduplicated into findings.

pub(crate) mod cases;
pub(crate) mod finding;
pub(crate) mod judge;
mod objects;
pub(crate) mod values;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::auth::{Credential, Credentials};
use crate::catalog::Catalog;
use crate::http::{self, Client, Request};
use crate::openapi::document::Operation;
use crate::openapi::validate::Spec;
use crate::openapi::{Document, Service};
use crate::pacing::RouteClass;
use cases::{Caller, Case, Ids, Route};
use finding::{Check, Finding, ProbeReport, Untested};
use judge::Answer;

/// The routes probed: the contract's (its jobs, miners, admin, agents, marketplace and block
/// routes), as the target's document declares them.
const PREFIXES: [&str; 8] = [
    "/v1/jobs",
    "/v1/miners",
    "/v1/admin",
    "/v1/agents",
    "/v1/marketplace/gpu",
    "/rpc/head",
    "/rpc/blocks",
    "/rpc/network-info",
];

/// How much of an answer a finding keeps.
const ANSWER_CHARS: usize = 300;

/// What a probe needs: the client it sends through (no retries: a 5xx is a finding, not a
/// flake), where, as whom, from which documents, and how long.
pub(crate) struct Plan<'a> {
    pub(crate) client: &'a Client,
    pub(crate) coordinator: &'a str,
    pub(crate) node: &'a str,
    pub(crate) credentials: &'a Credentials,
    /// Each service's document and where it came from.
    pub(crate) documents: Vec<(Service, Arc<Document>, String)>,
    pub(crate) catalog: &'a Catalog,
    pub(crate) seed: u64,
    pub(crate) budget: Duration,
    /// Random requests after the deterministic ones (`--probe-random`).
    pub(crate) random: usize,
    /// Unique to this probe (the region of its jobs).
    pub(crate) tag: &'a str,
    /// At most this many requests per route per minute (a live target limits many routes on
    /// their own, 10 a minute the least), and a third of each limited class's; `None` on the
    /// double, which limits nothing.
    pub(crate) per_route: Option<u32>,
    pub(crate) job_body: Value,
    pub(crate) miner_body: Value,
}

/// One probed operation and what happened to it.
struct Target<'a> {
    service: Service,
    /// Its operation's index in its service's document.
    index: usize,
    route: Route<'a>,
    command: Option<String>,
    /// Requests sent with the route's own role that the target did not refuse (401/403/429).
    reached: u32,
    refused: u32,
    rate_limited: u32,
    sent: u32,
}

/// Runs the probe: objects made, every deterministic case, then the seeded random phase, until
/// done or the budget is spent.
pub(crate) async fn probe(plan: &Plan<'_>) -> ProbeReport {
    let started = Instant::now();
    let deadline = started + plan.budget;
    let mut run = Run::new(plan);
    let mut targets = targets(plan);
    let maker = maker(plan);
    let (ids, made) = maker.make().await;
    run.report.requests += made;
    // Round the routes: each route's first case, then each one's second, … — so a route's
    // share of the target's limits goes to its most telling cases and every route is reached
    // early in the budget.
    let lists: Vec<Vec<Case>> = targets.iter().map(|t| t.route.cases(&ids)).collect();
    let longest = lists.iter().map(Vec::len).max().unwrap_or(0);
    'deterministic: for i in 0..longest {
        for (t, list) in lists.iter().enumerate() {
            let Some(case) = list.get(i) else { continue };
            if Instant::now() >= deadline {
                run.report.budget_exhausted = true;
                break 'deterministic;
            }
            run.send(&mut targets[t], case, deadline).await;
        }
    }
    if !run.report.budget_exhausted {
        run.after_delete(&mut targets, &maker, deadline).await;
    }
    let mut rng = fastrand::Rng::with_seed(plan.seed);
    for _ in 0..plan.random {
        if targets.is_empty() || run.report.budget_exhausted {
            break;
        }
        if Instant::now() >= deadline {
            run.report.budget_exhausted = true;
            break;
        }
        let t = rng.usize(..targets.len());
        let case = targets[t].route.random(&ids, &mut rng);
        run.send(&mut targets[t], &case, deadline).await;
    }
    run.report.operations = targets.len();
    run.report.routes = targets.iter().map(|t| t.route.op.endpoint()).collect();
    run.report.untested = targets.iter().filter_map(|t| untested(plan, t)).collect();
    run.report.seconds = started.elapsed().as_secs_f64();
    run.finish()
}

/// The operations to probe, each with its role, the callers it must refuse, its command.
fn targets<'a>(plan: &'a Plan<'a>) -> Vec<Target<'a>> {
    let mut out = Vec::new();
    for (service, document, _) in &plan.documents {
        for (index, op) in document.operations.iter().enumerate() {
            if !PREFIXES.iter().any(|p| op.template.starts_with(p)) {
                continue;
            }
            let command = command_of(plan.catalog, document, op);
            let (role, judged) = role_of(plan.catalog, document, op, *service);
            let known_body = match (op.method.as_str(), op.template.as_str()) {
                ("POST", "/v1/jobs") => Some(plan.job_body.clone()),
                ("POST", "/v1/miners/register") => Some(plan.miner_body.clone()),
                _ => None,
            };
            out.push(Target {
                service: *service,
                index,
                route: Route {
                    op,
                    root: &document.root,
                    role,
                    refuses: if judged { refused_by(role) } else { Vec::new() },
                    tries: if judged { Vec::new() } else { others(role) },
                    known_body,
                },
                command,
                reached: 0,
                refused: 0,
                rate_limited: 0,
                sent: 0,
            });
        }
    }
    out
}

/// The catalog command that calls this operation.
fn command_of(catalog: &Catalog, document: &Document, op: &Operation) -> Option<String> {
    catalog
        .commands
        .iter()
        .find(|c| declares(document, &c.endpoints, op))
        .map(|c| c.id.clone())
}

fn declares(document: &Document, endpoints: &[String], op: &Operation) -> bool {
    endpoints.iter().any(|e| {
        e.split_once(' ')
            .and_then(|(method, template)| document.declared(method, template))
            .is_some_and(|d| d.method == op.method && d.template == op.template)
    })
}

/// Whose routes these are, by the contract (§2, §4–§7, §12): each needs that role's credential
/// and refuses the others'.
const CONTRACT_ROLES: [(&str, &str); 5] = [
    ("/v1/jobs", "client"),
    ("/v1/miners", "miner"),
    ("/v1/admin", "admin"),
    ("/v1/agents/workflows", "admin"),
    ("/v1/agents/executions", "admin"),
];

/// The role a route is sent with, and whether that is known (from the catalog command that
/// calls it, or the contract's prefixes) or a guess (the node and the marketplace are public;
/// other agent routes are guessed admin's, anything else a client's): a guessed route's
/// refusals are not judged, and the other roles are tried too.
fn role_of(
    catalog: &Catalog,
    document: &Document,
    op: &Operation,
    service: Service,
) -> (&'static str, bool) {
    if service == Service::Node || op.template.starts_with("/v1/marketplace") {
        return ("client", false);
    }
    let from_catalog = catalog
        .commands
        .iter()
        .find(|c| declares(document, &c.endpoints, op))
        .and_then(first_role);
    let from_contract = CONTRACT_ROLES
        .iter()
        .find(|(prefix, _)| op.template.starts_with(prefix))
        .map(|(_, role)| *role);
    match from_catalog.or(from_contract) {
        Some(role) => (role, true),
        None if op.template.starts_with("/v1/agents") => ("admin", false),
        None => ("client", false),
    }
}

/// The other roles, tried where a route's role is a guess.
fn others(role: &'static str) -> Vec<Caller> {
    crate::catalog::ROLES
        .iter()
        .filter(|r| **r != role)
        .map(|r| Caller::Role(r))
        .collect()
}

/// Who must be refused by a route of `role`: nobody, and the roles below or beside it (an
/// admin's credential is not sent to client routes: the contract does not say it is refused).
fn refused_by(role: &'static str) -> Vec<Caller> {
    let others: &[&'static str] = match role {
        "admin" => &["client", "miner"],
        "miner" => &["client"],
        _ => &["miner"],
    };
    std::iter::once(Caller::Nobody)
        .chain(others.iter().map(|r| Caller::Role(r)))
        .collect()
}

/// The first role a catalog command needs, as one of the coordinator's roles.
fn first_role(command: &crate::catalog::Command) -> Option<&'static str> {
    let role = command.roles.first()?;
    crate::catalog::ROLES.iter().find(|k| *k == role).copied()
}

/// What makes the live objects, through the probe's client.
fn maker<'a>(plan: &'a Plan<'a>) -> objects::Maker<'a> {
    let agent_role = plan
        .catalog
        .commands
        .iter()
        .find(|c| {
            c.endpoints
                .iter()
                .any(|e| e.starts_with("POST /v1/agents/workflows"))
        })
        .and_then(first_role)
        .unwrap_or("admin");
    objects::Maker {
        client: plan.client,
        coordinator: plan.coordinator,
        node: plan.node,
        credentials: plan.credentials,
        tag: plan.tag,
        agent_role,
        job_body: plan.job_body.clone(),
        miner_body: plan.miner_body.clone(),
    }
}

/// The environment variable a finding's curl line names for a role's credential.
fn variable(role: &str, credential: &Credential) -> String {
    let kind = match credential {
        Credential::ApiKey(_) => "KEY",
        Credential::Bearer { .. } => "TOKEN",
    };
    format!("AITBC_{}_{kind}", role.replace('-', "_").to_uppercase())
}

/// Why an operation counts as untested, if it does.
fn untested(plan: &Plan<'_>, t: &Target<'_>) -> Option<Untested> {
    if t.reached > 0 {
        return None;
    }
    let role = t.route.role;
    let needs_role = !t.route.refuses.is_empty();
    let reason = if needs_role && plan.credentials.get(role).is_none() {
        format!("no {role} credential (give one: see `run --help`)")
    } else if t.sent == 0 {
        "not reached: the budget or its share of the target's rate limit was spent first".into()
    } else if t.rate_limited > 0 && t.refused == 0 {
        format!("every answer was 429 ({} times)", t.rate_limited)
    } else if t.route.tries.is_empty() {
        format!("every answer with the {role} credential was 401/403")
    } else {
        "every answer, with each role's credential, was 401/403".into()
    };
    Some(Untested {
        method: t.route.op.method.clone(),
        route: t.route.op.template.clone(),
        reason,
    })
}

/// The state of one probe: counts per limited route class, the validators, the findings.
struct Run<'a> {
    plan: &'a Plan<'a>,
    report: ProbeReport,
    /// Requests per limited route class so far.
    limited: HashMap<RouteClass, u32>,
    /// Per route: when its current minute began and how many requests went in it.
    per_route: HashMap<String, (Instant, u32)>,
    /// The documents, for the answers' schema checks (their validators compiled once each).
    spec: Spec,
    /// In order of first appearance.
    findings: Vec<Finding>,
    /// A finding's key → its place in `findings`.
    seen: HashMap<String, usize>,
}

impl<'a> Run<'a> {
    fn new(plan: &'a Plan<'a>) -> Self {
        Self {
            plan,
            report: ProbeReport {
                seed: plan.seed,
                budget_s: plan.budget.as_secs_f64(),
                documents: plan
                    .documents
                    .iter()
                    .map(|(s, _, source)| format!("{}: {source}", s.name()))
                    .collect(),
                ..ProbeReport::default()
            },
            limited: HashMap::new(),
            per_route: HashMap::new(),
            spec: plan.documents.iter().fold(
                Spec::default(),
                |spec, (service, document, source)| {
                    spec.with(*service, Arc::clone(document), source.clone())
                },
            ),
            findings: Vec::new(),
            seen: HashMap::new(),
        }
    }

    /// Whether a request may go: a limited route class gets a third of its per-minute limit
    /// over the whole probe (the objects and any scenarios keep the rest).
    fn within_limits(&mut self, endpoint: &str, method: &str, path: &str) -> bool {
        let Some(max) = self.plan.per_route else {
            // The double limits nothing.
            return true;
        };
        let now = Instant::now();
        let (start, used) = self
            .per_route
            .entry(endpoint.to_string())
            .or_insert((now, 0));
        if now.duration_since(*start) >= Duration::from_secs(60) {
            (*start, *used) = (now, 0);
        }
        if *used >= max {
            return false;
        }
        *used += 1;
        // The class's limit as the probe's client paces it (the era's, `--rate-limits`').
        let Some((class, limit)) = RouteClass::of(method, path)
            .and_then(|class| Some((class, self.plan.client.pacer.limit(class)?)))
        else {
            return true;
        };
        let used = self.limited.entry(class).or_insert(0);
        if *used >= limit / 3 {
            return false;
        }
        *used += 1;
        true
    }

    /// Sends one case and judges its answer; the status, when one came.
    async fn send(
        &mut self,
        target: &mut Target<'_>,
        case: &Case,
        deadline: Instant,
    ) -> Option<u16> {
        let method = target.route.op.method.clone();
        if !self.within_limits(&target.route.op.endpoint(), &method, &case.path) {
            return None;
        }
        let base = match target.service {
            Service::Coordinator => self.plan.coordinator,
            Service::Node => self.plan.node,
        };
        let credential = match case.caller {
            Caller::Role(role) => self.plan.credentials.get(role).cloned(),
            Caller::Nobody => None,
        };
        if matches!(case.caller, Caller::Role(_))
            && credential.is_none()
            && !target.route.refuses.is_empty()
        {
            return None;
        }
        let request = Request {
            base,
            method: &method,
            path: &case.path,
            credential: credential.as_ref(),
            body: case.payload.body(),
            record: false,
            fresh: false,
        };
        let sent =
            tokio::time::timeout_at(deadline.into(), http::send(self.plan.client, request)).await;
        self.report.requests += 1;
        target.sent += 1;
        let exchange = match sent {
            Ok(Ok((exchange, _))) => exchange,
            // The connection dropped without an answer (a crashed handler): worse than a 500.
            Ok(Err(failure)) if failure.class == crate::failure::FailureClass::Transport => {
                http::unanswered(&request, &failure, Duration::ZERO)
            }
            Ok(Err(_)) => return None,
            Err(_) => {
                self.report.budget_exhausted = true;
                return None;
            }
        };
        self.tally(target, case, exchange.status);
        let url = format!("{base}{}", case.path);
        self.judge(target, case, &exchange, || {
            curl(&method, &url, case, credential.as_ref())
        });
        Some(exchange.status)
    }

    /// Use after delete: a fresh workflow deleted through each DELETE route that has a GET
    /// twin, then read back — which must not answer 2xx.
    async fn after_delete(
        &mut self,
        targets: &mut [Target<'_>],
        maker: &objects::Maker<'_>,
        deadline: Instant,
    ) {
        let pairs: Vec<(usize, usize)> = (0..targets.len())
            .filter(|&d| targets[d].route.op.method == "DELETE")
            .filter(|&d| targets[d].route.op.template.contains("{workflow_id}"))
            .filter_map(|d| {
                let template = &targets[d].route.op.template;
                let g = targets
                    .iter()
                    .position(|t| t.route.op.method == "GET" && t.route.op.template == *template)?;
                Some((d, g))
            })
            .collect();
        for (d, g) in pairs {
            let Some((id, _)) = maker.workflow().await else {
                continue;
            };
            self.report.requests += 2;
            let mut ids = Ids::new();
            ids.entry("workflow_id".into())
                .or_default()
                .push(cases::LiveId {
                    label: "a workflow it deleted",
                    id,
                    owned: true,
                    gone: false,
                });
            let delete =
                targets[d]
                    .route
                    .with_ids(&ids, "delete a fresh workflow", judge::Expect::Valid);
            let deleted = self.send(&mut targets[d], &delete, deadline).await;
            if deleted.is_some_and(|s| (200..300).contains(&s)) {
                let read = targets[g].route.with_ids(
                    &ids,
                    "read it after its delete",
                    judge::Expect::Gone,
                );
                self.send(&mut targets[g], &read, deadline).await;
            }
        }
    }

    fn tally(&mut self, target: &mut Target<'_>, case: &Case, status: u16) {
        match status {
            429 => {
                target.rate_limited += 1;
                self.report.rate_limited += 1;
            }
            401 | 403 => target.refused += 1,
            0 => {}
            _ if case.expect != judge::Expect::Refused => target.reached += 1,
            _ => {}
        }
    }

    /// Judges an answer; a finding seen before is counted, a new one kept with the `curl`
    /// line that reproduces it (made only then).
    fn judge(
        &mut self,
        target: &Target<'_>,
        case: &Case,
        exchange: &http::Exchange,
        curl: impl FnOnce() -> String,
    ) {
        let op = target.route.op;
        let status = exchange.status;
        let schema_error = match (&exchange.json, (200..300).contains(&status)) {
            (Some(body), true) => self
                .spec
                .violation(target.service, target.index, status, body)
                .map(|(path, rule)| format!("{path}: {rule}")),
            _ => None,
        };
        let content_type = exchange.trace.response_header("content-type");
        let answer = Answer {
            status,
            content_type,
            is_json: exchange.json.is_some(),
            documented_json: op.response_schema(status).is_some(),
            schema_error: schema_error.as_deref(),
        };
        let Some((check, detail)) = judge::judge(case.expect, &answer) else {
            return;
        };
        let text = String::from_utf8_lossy(&exchange.body);
        let signature = match check {
            Check::ServerError => format!("{detail} {}", error_signature(&text)),
            _ => detail,
        };
        let key = Finding::key_of(&op.method, &op.template, check, &signature);
        if let Some(&known) = self.seen.get(&key) {
            self.findings[known].count += 1;
            return;
        }
        self.seen.insert(key, self.findings.len());
        self.findings.push(Finding {
            method: op.method.clone(),
            route: op.template.clone(),
            check,
            status,
            command: target.command.clone(),
            input: case.input.clone(),
            curl: curl(),
            answer: match (check, schema_error) {
                (Check::ResponseSchema, Some(violation)) => violation,
                _ => text.chars().take(ANSWER_CHARS).collect(),
            },
            signature,
            count: 1,
        });
    }

    fn finish(mut self) -> ProbeReport {
        self.report.findings = self.findings;
        self.report
    }
}

/// A `curl` line for a probe request; the credential named by its environment variable.
fn curl(method: &str, url: &str, case: &Case, credential: Option<&Credential>) -> String {
    let header = match (case.caller, credential) {
        (Caller::Role(role), Some(c)) => Some((c.header().0, variable(role, c))),
        _ => None,
    };
    let body = case.payload.body();
    let body = body.parts();
    finding::curl(
        method,
        url,
        header.as_ref().map(|(h, v)| (*h, v.as_str())),
        body.as_ref().map(|(t, b)| (*t, b.as_slice())),
    )
}

/// What tells two server errors of one route apart: the exception's type in the contract's
/// 500 envelope, else the answer's first 60 characters with their digits blanked.
fn error_signature(body: &str) -> String {
    let json: Option<Value> = serde_json::from_str(body).ok();
    if let Some(code) = json
        .as_ref()
        .and_then(|j| j.pointer("/error/details/0/code"))
        .and_then(Value::as_str)
    {
        return code.to_string();
    }
    body.chars()
        .take(60)
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect()
}
