//! What a run talks to: the embedded double (default) or a live coordinator + node.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::double::profile::Profile;
use crate::double::seed::Seed;
use crate::double::Double;
use crate::pacing::{Pacer, RateLimits};
use crate::redact::Redactor;
use crate::report::endpoints::EndpointLog;
use crate::snapshot::SnapshotRun;

/// The credential for one role. An API key today; a bearer token is the JWT era's variant.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    ApiKey(String),
}

impl Credential {
    /// The secret itself (for redaction lists; never print it).
    pub fn secret(&self) -> &str {
        match self {
            Credential::ApiKey(key) => key,
        }
    }
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credential(***)")
    }
}

/// Credentials per role; `other_*` serve the isolation scenarios.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    pub client: Option<Credential>,
    pub other_client: Option<Credential>,
    pub miner: Option<Credential>,
    pub admin: Option<Credential>,
    pub other_admin: Option<Credential>,
}

impl Credentials {
    /// The double's own keys: the first (and second) of each role in the seed.
    pub fn of_seed(seed: &Seed) -> Self {
        let key = |keys: &[String], i: usize| keys.get(i).cloned().map(Credential::ApiKey);
        Self {
            client: key(&seed.keys.client, 0),
            other_client: key(&seed.keys.client, 1),
            miner: key(&seed.keys.miner, 0),
            admin: key(&seed.keys.admin, 0),
            other_admin: key(&seed.keys.admin, 1),
        }
    }

    /// Each configured credential with its role's name (`client`, `other-client`, …).
    pub fn by_role(&self) -> [(&'static str, Option<&Credential>); 5] {
        [
            ("client", self.client.as_ref()),
            ("other-client", self.other_client.as_ref()),
            ("miner", self.miner.as_ref()),
            ("admin", self.admin.as_ref()),
            ("other-admin", self.other_admin.as_ref()),
        ]
    }

    /// Every configured secret, for redaction.
    pub fn secrets(&self) -> Vec<String> {
        [
            &self.client,
            &self.other_client,
            &self.miner,
            &self.admin,
            &self.other_admin,
        ]
        .into_iter()
        .flatten()
        .map(|c| c.secret().to_string())
        .collect()
    }
}

/// Where scenarios send their requests.
#[derive(Debug, Clone)]
pub enum Target {
    /// A fresh embedded double per scenario, degraded as `profile` says.
    Double {
        seed: Seed,
        profile: Arc<Profile>,
        profile_name: String,
    },
    /// A running coordinator and node, shared by every scenario.
    Live {
        coordinator: String,
        node: String,
        credentials: Credentials,
    },
}

impl Target {
    /// Every secret this target's credentials hold, for redaction.
    pub fn secrets(&self) -> Vec<String> {
        match self {
            Target::Double { seed, .. } => {
                let keys = &seed.keys;
                keys.client
                    .iter()
                    .chain(&keys.miner)
                    .chain(&keys.admin)
                    .cloned()
                    .collect()
            }
            Target::Live { credentials, .. } => credentials.secrets(),
        }
    }

    /// A one-word description for reports.
    pub fn describe(&self) -> String {
        match self {
            Target::Double { profile_name, .. } if profile_name == "healthy" => {
                "embedded double".to_string()
            }
            Target::Double { profile_name, .. } => format!("embedded double ({profile_name})"),
            Target::Live {
                coordinator, node, ..
            } => format!("live coordinator {coordinator} + node {node}"),
        }
    }

    pub fn is_live(&self) -> bool {
        matches!(self, Target::Live { .. })
    }
}

/// Shared by every scenario of a run: the pooled HTTP client and the target.
#[derive(Debug)]
pub struct RunContext {
    pub http: reqwest::Client,
    /// A client that keeps no connection: each request on a new one.
    pub fresh_http: reqwest::Client,
    pub target: Target,
    /// Retries after a transport error, 429 or 503.
    pub retries: u32,
    /// Every exchange, per endpoint.
    pub endpoints: EndpointLog,
    /// Scenarios (file, line) that needed a retry: reported `flaky`.
    pub flaky: Mutex<HashSet<(PathBuf, usize)>>,
    /// Response snapshots, when the run takes them.
    pub snapshots: Option<SnapshotRun>,
    /// Masks the target's keys in anything written.
    pub redactor: Redactor,
    /// Keeps a live run under the target's rate limits.
    pub pacer: Pacer,
    salt: AtomicU64,
}

/// How long a pooled connection may idle before it is dropped: under uvicorn's 5 s keep-alive,
/// so the harness never sends on a connection the server is about to close.
pub const POOL_IDLE: Duration = Duration::from_secs(3);

/// The base URLs and credentials one scenario uses; owns its double, if any.
#[derive(Debug)]
pub struct Session {
    /// Unique per scenario and run: names what the scenario creates on a shared target.
    pub tag: String,
    pub coordinator_url: String,
    pub node_url: String,
    pub credentials: Credentials,
    pub double: Option<Double>,
}

impl RunContext {
    /// One pooled client for the whole run (keep-alive, per-request timeout), keeping up to
    /// `in_flight` idle connections per host: one per scenario that may run at once.
    pub fn new(
        target: Target,
        timeout: Duration,
        retries: u32,
        endpoints: EndpointLog,
        in_flight: usize,
    ) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .pool_max_idle_per_host(in_flight)
            .pool_idle_timeout(POOL_IDLE)
            .no_proxy()
            .build()?;
        let fresh_http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .pool_max_idle_per_host(0)
            .no_proxy()
            .build()?;
        Ok(Self {
            http,
            fresh_http,
            target,
            retries,
            endpoints,
            flaky: Mutex::new(HashSet::new()),
            snapshots: None,
            redactor: Redactor::default(),
            pacer: Pacer::new(&RateLimits::none()),
            salt: AtomicU64::new(1),
        })
    }

    /// A session for one scenario: a fresh double when the target is the double.
    pub async fn session(&self) -> Session {
        let salt = self.salt.fetch_add(1, Ordering::Relaxed);
        let tag = format!("conf-{:06x}-{salt}", crate::clock::now_micros() & 0xff_ffff);
        match &self.target {
            Target::Double { seed, profile, .. } => {
                let double = Double::start(seed, salt, profile).await;
                Session {
                    tag,
                    coordinator_url: double.coordinator_url(),
                    node_url: double.node_url(),
                    credentials: Credentials::of_seed(seed),
                    double: Some(double),
                }
            }
            Target::Live {
                coordinator,
                node,
                credentials,
            } => Session {
                tag,
                coordinator_url: coordinator.clone(),
                node_url: node.clone(),
                credentials: credentials.clone(),
                double: None,
            },
        }
    }
}
