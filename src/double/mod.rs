//! The embedded double: two wiremock servers (coordinator, node) whose stateful responders
//! implement `shared/contract.md` as written. One fresh pair per scenario.

pub(crate) mod admin;
pub(crate) mod agents;
pub(crate) mod gate;
pub(crate) mod health;
pub(crate) mod hostile;
pub(crate) mod jobs;
pub mod jwt;
pub(crate) mod marketplace;
pub(crate) mod miners;
pub(crate) mod node;
pub mod profile;
pub(crate) mod quirks;
pub(crate) mod reply;
pub mod seed;
pub(crate) mod state;
#[cfg(test)]
mod tests;
pub(crate) mod tls;

use std::sync::{mpsc, Arc, Mutex, OnceLock, PoisonError};

use wiremock::matchers::{any, method, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use self::node::Chain;
use self::profile::{Degrade, Profile};
use self::reply::{Call, Handled, Reply};
use self::seed::Seed;
use self::state::Coordinator;
use crate::auth::Era;
use crate::ids::IdGen;
use crate::openapi::{Document, Service};
use crate::templates::{template_matches, template_regex};

/// One route of a double: its method, path template and handler over the server's state `S`.
pub(crate) struct Route<S: 'static> {
    pub(crate) name: &'static str,
    pub(crate) method: &'static str,
    pub(crate) template: &'static str,
    pub(crate) handler: fn(&mut S, &Call) -> Handled,
}

impl<S> Route<S> {
    /// `METHOD /template`, the spelling the command catalog uses.
    pub(crate) fn endpoint(&self) -> String {
        format!("{} {}", self.method, self.template)
    }
}

macro_rules! route {
    ($name:literal, $method:literal, $template:literal, $handler:path) => {
        Route {
            name: $name,
            method: $method,
            template: $template,
            handler: $handler,
        }
    };
}

/// The coordinator's routes (contract §4–§8 and §13).
pub(crate) static COORDINATOR_ROUTES: &[Route<Coordinator>] = &[
    route!("health.v1", "GET", "/v1/health", health::coordinator),
    route!("health.root", "GET", "/health", health::coordinator),
    route!("health.live", "GET", "/health/live", health::live),
    route!("health.ready", "GET", "/health/ready", health::ready),
    route!("auth.nonce", "POST", "/v1/auth/nonce", jwt::nonce),
    route!("auth.login", "POST", "/v1/login", jwt::login),
    route!("auth.me", "GET", "/v1/users/me", jwt::me),
    route!("jobs.list", "GET", "/v1/jobs", jobs::list),
    route!("jobs.submit", "POST", "/v1/jobs", jobs::submit),
    route!("jobs.status", "GET", "/v1/jobs/{job_id}", jobs::status),
    route!(
        "jobs.result",
        "GET",
        "/v1/jobs/{job_id}/result",
        jobs::result
    ),
    route!(
        "jobs.cancel",
        "POST",
        "/v1/jobs/{job_id}/cancel",
        jobs::cancel
    ),
    route!(
        "jobs.receipt",
        "GET",
        "/v1/jobs/{job_id}/receipt",
        jobs::receipt
    ),
    route!(
        "jobs.receipts",
        "GET",
        "/v1/jobs/{job_id}/receipts",
        jobs::receipts
    ),
    route!(
        "miners.register",
        "POST",
        "/v1/miners/register",
        miners::register
    ),
    route!(
        "miners.heartbeat",
        "POST",
        "/v1/miners/heartbeat",
        miners::heartbeat
    ),
    route!("miners.poll", "POST", "/v1/miners/poll", miners::poll),
    route!(
        "miners.result",
        "POST",
        "/v1/miners/{job_id}/result",
        miners::result
    ),
    route!(
        "miners.fail",
        "POST",
        "/v1/miners/{job_id}/fail",
        miners::fail
    ),
    route!("admin.stats", "GET", "/v1/admin/stats", admin::stats),
    route!("admin.jobs", "GET", "/v1/admin/jobs", admin::jobs),
    route!("admin.miners", "GET", "/v1/admin/miners", admin::miners),
    route!(
        "agents.create",
        "POST",
        "/v1/agents/workflows",
        agents::create
    ),
    route!("agents.list", "GET", "/v1/agents/workflows", agents::list),
    route!(
        "agents.get",
        "GET",
        "/v1/agents/workflows/{workflow_id}",
        agents::get
    ),
    route!(
        "agents.update",
        "PUT",
        "/v1/agents/workflows/{workflow_id}",
        agents::update
    ),
    route!(
        "agents.delete",
        "DELETE",
        "/v1/agents/workflows/{workflow_id}",
        agents::delete
    ),
    route!(
        "agents.execute",
        "POST",
        "/v1/agents/workflows/{workflow_id}/execute",
        agents::execute
    ),
    route!(
        "agents.stop",
        "POST",
        "/v1/agents/workflows/{workflow_id}/cancel",
        agents::cancel_workflow
    ),
    route!(
        "agents.status",
        "GET",
        "/v1/agents/executions/{execution_id}/status",
        agents::execution_status
    ),
    route!(
        "agents.cancel",
        "POST",
        "/v1/agents/executions/{execution_id}/cancel",
        agents::cancel_execution
    ),
    route!(
        "marketplace.list",
        "GET",
        "/v1/marketplace/gpu/list",
        marketplace::list
    ),
    route!(
        "marketplace.register",
        "POST",
        "/v1/marketplace/gpu/register",
        marketplace::register
    ),
    route!(
        "marketplace.get",
        "GET",
        "/v1/marketplace/gpu/{gpu_id}",
        marketplace::get
    ),
    route!(
        "explorer.receipts",
        "GET",
        "/v1/explorer/receipts",
        jobs::explorer_receipts
    ),
];

/// The node's routes (contract §9).
pub(crate) static NODE_ROUTES: &[Route<Chain>] = &[
    route!("node.health", "GET", "/health", health::node),
    route!("blocks.head", "GET", "/rpc/head", node::head),
    route!(
        "blocks.by_height",
        "GET",
        "/rpc/blocks/{height}",
        node::by_height
    ),
    route!(
        "blocks.by_hash",
        "GET",
        "/rpc/blocks/by_hash/{hash}",
        node::by_hash
    ),
    route!("blocks.range", "GET", "/rpc/blocks-range", node::range),
    route!(
        "node.network",
        "GET",
        "/rpc/network-info",
        node::network_info
    ),
];

/// A route outside the JWT era's security matrix: denied to everyone (contract §12).
struct Denied {
    gate: gate::Gate,
}

impl Respond for Denied {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.gate.deny(request).into_template()
    }
}

/// Serves one route from the shared state, degraded as the profile says.
struct Serve<S: 'static> {
    state: Arc<Mutex<S>>,
    route: &'static Route<S>,
    degrade: Degrade,
    draw: Arc<Mutex<IdGen>>,
}

impl<S: Send + 'static> Serve<S> {
    fn contract_reply(&self, request: &Request) -> Reply {
        let call = Call::new(request, self.route.template);
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        (self.route.handler)(&mut state, &call).unwrap_or_else(|reply| reply)
    }
}

impl<S: Send + 'static> Respond for Serve<S> {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        degraded(&self.degrade, &self.draw, || self.contract_reply(request))
    }
}

/// FastAPI's answer for a path no route serves (404) or a known path with another method (405);
/// in the JWT era the security matrix answers first (401 or 403, contract §12).
struct Fallback {
    templates: Vec<&'static str>,
    gate: Option<gate::Gate>,
}

impl Respond for Fallback {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if let Some(gate) = &self.gate {
            return gate.deny(request).into_template();
        }
        let path = request.url.path();
        let known = self.templates.iter().any(|t| template_matches(t, path));
        let reply = if known {
            Reply::detail(405, "Method Not Allowed")
        } else {
            Reply::detail(404, "Not Found")
        };
        reply.into_template()
    }
}

/// Which routes a server of an era mounts, and which it denies (JWT era).
#[derive(Debug, Clone, Default)]
struct Mounting {
    /// The JWT era's server.
    jwt: bool,
    /// Its security matrix (the coordinator of the JWT era).
    gate: Option<gate::Gate>,
}

impl Mounting {
    fn serves(&self, name: &str) -> bool {
        self.jwt || !gate::JWT_ONLY.contains(&name)
    }

    /// A JWT-era path the security matrix passes but no route serves.
    fn absent(&self, name: &str) -> bool {
        self.jwt && gate::ABSENT.contains(&name)
    }

    fn denies(&self, name: &str) -> Option<&gate::Gate> {
        self.gate.as_ref().filter(|_| gate::DENIED.contains(&name))
    }

    /// Whether a route answers as itself (mounted, not absent, not removed by the profile).
    fn publishes(&self, name: &str, profile: &Profile) -> bool {
        !profile.removes(name) && self.serves(name) && !self.absent(name)
    }
}

/// The OpenAPI document a double of this era and profile publishes at `/openapi.json` (both
/// services do, contract §13): the contract's own (fixtures/openapi/), without the operations it
/// does not serve.
pub(crate) fn published_document(
    service: Service,
    profile: &Profile,
    era: Era,
) -> serde_json::Value {
    let mounting = Mounting {
        jwt: era == Era::Jwt && service == Service::Coordinator,
        gate: None,
    };
    let mut document = Document::contract(service).restricted(|op| {
        let name = op.operation_id.as_deref().unwrap_or_default();
        op.era.as_deref().is_none_or(|e| e == era.name()) && mounting.publishes(name, profile)
    });
    Document::for_era(&mut document, era.name());
    document
}

/// The route name a profile degrades a service's `/openapi.json` by (`openapi.coordinator`).
pub(crate) fn document_route(service: Service) -> String {
    format!("openapi.{}", service.name())
}

/// Serves a service's document, degraded as the profile says of its route name.
/// Made on the first request: most doubles (one per scenario) are never asked for it.
struct ServeDocument {
    service: Service,
    profile: Profile,
    era: Era,
    body: OnceLock<serde_json::Value>,
    degrade: Degrade,
    draw: Mutex<IdGen>,
}

impl Respond for ServeDocument {
    fn respond(&self, _request: &Request) -> ResponseTemplate {
        let body = || {
            self.body
                .get_or_init(|| published_document(self.service, &self.profile, self.era))
                .clone()
        };
        degraded(&self.degrade, &self.draw, || Reply::ok(body()))
    }
}

async fn mount_document(server: &MockServer, service: Service, profile: &Profile, era: Era) {
    let route = document_route(service);
    if profile.removes(&route) {
        return;
    }
    Mock::given(method("GET"))
        .and(wiremock::matchers::path("/openapi.json"))
        .respond_with(ServeDocument {
            service,
            profile: profile.clone(),
            era,
            body: OnceLock::new(),
            degrade: Degrade::new(profile.rules_for(&route)),
            draw: Mutex::new(IdGen::new(profile.seed)),
        })
        .with_priority(4)
        .named("openapi")
        .mount(server)
        .await;
}

/// The contract's answer, or what the profile's firing rules make of it.
fn degraded(
    degrade: &Degrade,
    draw: &Mutex<IdGen>,
    contract: impl FnOnce() -> Reply,
) -> ResponseTemplate {
    if degrade.is_empty() {
        return contract().into_template();
    }
    let mut draw = draw.lock().unwrap_or_else(PoisonError::into_inner);
    let firing = degrade.firing(&mut draw);
    drop(draw);
    let (reply, delay_ms) = profile::apply(&firing, contract);
    let template = reply.into_template();
    if delay_ms == 0 {
        template
    } else {
        template.set_delay(std::time::Duration::from_millis(delay_ms))
    }
}

async fn mount<S: Send + 'static>(
    server: &MockServer,
    state: Arc<Mutex<S>>,
    routes: &'static [Route<S>],
    profile: &Profile,
    mounting: &Mounting,
) {
    let draw = Arc::new(Mutex::new(IdGen::new(profile.seed)));
    let served: Vec<&'static Route<S>> = routes
        .iter()
        .filter(|r| !profile.removes(r.name) && mounting.serves(r.name))
        .collect();
    for route in served.iter().copied() {
        if mounting.absent(route.name) {
            Mock::given(method(route.method))
                .and(path_regex(template_regex(route.template)))
                .respond_with(Reply::detail(404, "Not Found").into_template())
                .named(route.name)
                .mount(server)
                .await;
            continue;
        }
        if let Some(gate) = mounting.denies(route.name) {
            Mock::given(method(route.method))
                .and(path_regex(template_regex(route.template)))
                .respond_with(Denied { gate: gate.clone() })
                .named(route.name)
                .mount(server)
                .await;
            continue;
        }
        // A literal path wins over a template that would also match it (`/gpu/list` over
        // `/gpu/{gpu_id}`).
        let priority = if route.template.contains('{') { 6 } else { 5 };
        Mock::given(method(route.method))
            .and(path_regex(template_regex(route.template)))
            .respond_with(Serve {
                state: Arc::clone(&state),
                route,
                degrade: Degrade::new(profile.rules_for(route.name)),
                draw: Arc::clone(&draw),
            })
            .with_priority(priority)
            .named(route.name)
            .mount(server)
            .await;
    }
    let templates = served.iter().map(|r| r.template).collect();
    Mock::given(any())
        .respond_with(Fallback {
            templates,
            gate: mounting.gate.clone(),
        })
        .with_priority(u8::MAX)
        .named("fallback")
        .mount(server)
        .await;
}

/// A running coordinator + node double.
pub struct Double {
    servers: Option<(MockServer, MockServer)>,
    /// The coordinator's state, for the one thing a scenario may do to it: let time pass.
    coordinator: Arc<Mutex<Coordinator>>,
    coordinator_url: String,
    node_url: String,
}

impl Drop for Double {
    fn drop(&mut self) {
        if let Some(servers) = self.servers.take() {
            reap(servers);
        }
    }
}

/// A server outside wiremock's pool, on `listener` or a loopback port of its own, keeping the
/// requests it receives only when `record` (the pool's servers always keep them).
pub(crate) async fn server(listener: Option<std::net::TcpListener>, record: bool) -> MockServer {
    let mut builder = MockServer::builder();
    if let Some(listener) = listener {
        builder = builder.listener(listener);
    }
    if !record {
        builder = builder.disable_request_recording();
    }
    builder.start().await
}

/// wiremock's `MockServer::drop` blocks on an async `verify()`; on a tokio worker whose
/// co-operative budget is spent that `block_on` spins forever. Doubles are therefore dropped
/// on one plain thread of their own, outside any runtime.
fn reap(servers: (MockServer, MockServer)) {
    static REAPER: OnceLock<Mutex<mpsc::Sender<(MockServer, MockServer)>>> = OnceLock::new();
    let sender = REAPER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<(MockServer, MockServer)>();
        std::thread::Builder::new()
            .name("double-reaper".into())
            .spawn(move || rx.into_iter().for_each(drop))
            .map_or_else(|_| Mutex::new(mpsc::channel().0), |_| Mutex::new(tx))
    });
    let sender = sender.lock().unwrap_or_else(PoisonError::into_inner);
    // If the reaper is gone the servers come back in the error and drop here instead.
    let _ = sender.send(servers);
}

impl std::fmt::Debug for Double {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Double")
            .field("coordinator", &self.coordinator_url)
            .field("node", &self.node_url)
            .finish()
    }
}

impl Double {
    /// Every request both servers received so far, `METHOD /path?query` each (coordinator
    /// first, then the node).
    pub async fn received(&self) -> Vec<String> {
        let Some((coordinator, node)) = &self.servers else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for server in [coordinator, node] {
            for request in server.received_requests().await.unwrap_or_default() {
                let query = request
                    .url
                    .query()
                    .map_or_else(String::new, |q| format!("?{q}"));
                out.push(format!("{} {}{query}", request.method, request.url.path()));
            }
        }
        out
    }

    /// Starts a fresh pair of pooled servers of `era` seeded from `seed`; `salt` varies ids per
    /// scenario.
    pub async fn start(seed: &Seed, salt: u64, profile: &Profile, era: Era) -> Self {
        let (coordinator, node) = (MockServer::start().await, MockServer::start().await);
        Self::start_on(coordinator, node, seed, salt, profile, era).await
    }

    /// As `start`, on servers of its own outside the pool, which keep the requests they
    /// receive only when `record`: for a double that answers many (the probe's, a standalone
    /// one), which the pool's recording servers would keep every one of.
    pub(crate) async fn start_own(
        seed: &Seed,
        salt: u64,
        profile: &Profile,
        era: Era,
        record: bool,
    ) -> Self {
        let (coordinator, node) = (server(None, record).await, server(None, record).await);
        Self::start_on(coordinator, node, seed, salt, profile, era).await
    }

    /// Mounts the double on servers the caller started (e.g. on fixed ports).
    pub(crate) async fn start_on(
        coordinator: MockServer,
        node: MockServer,
        seed: &Seed,
        salt: u64,
        profile: &Profile,
        era: Era,
    ) -> Self {
        let mut seed = seed.clone();
        if profile.keys_unset {
            seed.keys.client.clear();
            seed.keys.miner.clear();
            seed.keys.admin.clear();
        }
        if let Some(signing) = profile.signing_key {
            seed.signing_key = signing;
        }
        let quirks = quirks::Quirks::new(&profile.quirks);
        let mut chain = Chain::generate(&seed.chain, seed.seed ^ salt, era);
        chain.quirks = quirks.clone();
        let state = Coordinator::new(seed, salt, quirks, era);
        let mounting = Mounting {
            jwt: era == Era::Jwt,
            gate: state.gate(),
        };
        let state = Arc::new(Mutex::new(state));
        mount(
            &coordinator,
            Arc::clone(&state),
            COORDINATOR_ROUTES,
            profile,
            &mounting,
        )
        .await;
        mount_document(&coordinator, Service::Coordinator, profile, era).await;
        let node_mounting = Mounting::default();
        mount(
            &node,
            Arc::new(Mutex::new(chain)),
            NODE_ROUTES,
            profile,
            &node_mounting,
        )
        .await;
        mount_document(&node, Service::Node, profile, era).await;
        Self {
            coordinator_url: coordinator.uri(),
            node_url: node.uri(),
            servers: Some((coordinator, node)),
            coordinator: state,
        }
    }

    /// Moves the coordinator's clock ahead: what a live target does by waiting, the double
    /// does at once (a job's time to live runs out without the run waiting for it).
    pub(crate) fn let_time_pass(&self, by: std::time::Duration) {
        let mut state = self
            .coordinator
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        state.time_passed += i64::try_from(by.as_micros()).unwrap_or(i64::MAX);
    }

    /// The coordinator's base URL (`http://127.0.0.1:PORT`).
    pub fn coordinator_url(&self) -> String {
        self.coordinator_url.clone()
    }

    /// The node's base URL.
    pub fn node_url(&self) -> String {
        self.node_url.clone()
    }

    /// Makes a named route answer FastAPI's 404 `Not Found`, as on a server without it.
    pub(crate) async fn remove_route(&self, name: &str) -> bool {
        let coordinator = COORDINATOR_ROUTES.iter().find(|r| r.name == name);
        let node = NODE_ROUTES.iter().find(|r| r.name == name);
        let Some((coordinator_server, node_server)) = &self.servers else {
            return false;
        };
        let (server, m, template) = match (coordinator, node) {
            (Some(r), _) => (coordinator_server, r.method, r.template),
            (_, Some(r)) => (node_server, r.method, r.template),
            _ => return false,
        };
        Mock::given(method(m))
            .and(path_regex(template_regex(template)))
            .respond_with(Reply::detail(404, "Not Found").into_template())
            .with_priority(1)
            .named(format!("removed {name}"))
            .mount(server)
            .await;
        true
    }
}

#[cfg(test)]
mod route_tests {
    use super::*;

    #[test]
    fn route_names_are_unique() {
        let mut names: Vec<&str> = COORDINATOR_ROUTES.iter().map(|r| r.name).collect();
        names.extend(NODE_ROUTES.iter().map(|r| r.name));
        let before = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), before);
    }
}
