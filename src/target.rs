//! What a run talks to: the embedded double (default) or a live coordinator + node.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::double::seed::Seed;
use crate::double::Double;

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
    /// A fresh embedded double per scenario.
    Double { seed: Seed },
}

impl Target {
    /// Every secret this target's credentials hold, for redaction.
    pub fn secrets(&self) -> Vec<String> {
        match self {
            Target::Double { seed } => {
                let keys = &seed.keys;
                keys.client
                    .iter()
                    .chain(&keys.miner)
                    .chain(&keys.admin)
                    .cloned()
                    .collect()
            }
        }
    }

    /// A one-word description for reports.
    pub fn describe(&self) -> String {
        match self {
            Target::Double { .. } => "embedded double".to_string(),
        }
    }
}

/// Shared by every scenario of a run: the pooled HTTP client and the target.
#[derive(Debug)]
pub struct RunContext {
    pub http: reqwest::Client,
    pub target: Target,
    salt: AtomicU64,
}

/// The base URLs and credentials one scenario uses; owns its double, if any.
#[derive(Debug)]
pub struct Session {
    pub coordinator_url: String,
    pub node_url: String,
    pub credentials: Credentials,
    pub double: Option<Double>,
}

impl RunContext {
    /// One pooled client for the whole run (keep-alive, per-request timeout).
    pub fn new(target: Target, timeout: Duration) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .pool_max_idle_per_host(8)
            .no_proxy()
            .build()?;
        Ok(Self {
            http,
            target,
            salt: AtomicU64::new(1),
        })
    }

    /// A session for one scenario: a fresh double when the target is the double.
    pub async fn session(&self) -> Session {
        match &self.target {
            Target::Double { seed } => {
                let salt = self.salt.fetch_add(1, Ordering::Relaxed);
                let double = Double::start(seed, salt).await;
                Session {
                    coordinator_url: double.coordinator_url(),
                    node_url: double.node_url(),
                    credentials: Credentials::of_seed(seed),
                    double: Some(double),
                }
            }
        }
    }
}
