//! What a run talks to: the embedded double (default) or a live coordinator + node.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::auth::wallet::Wallet;
use crate::auth::{Era, EraChoice};
use crate::double::profile::Profile;
use crate::double::seed::Seed;
use crate::double::Double;
use crate::redact::Redactor;
use crate::snapshot::SnapshotRun;

pub(crate) use crate::auth::{Credential, Credentials};

/// The double's own credentials in the API-key era: the first (and second) key of each role.
pub(crate) fn seed_keys(seed: &Seed) -> Credentials {
    let key = |keys: &[String], i: usize| keys.get(i).cloned().map(Credential::ApiKey);
    Credentials {
        client: key(&seed.keys.client, 0),
        other_client: key(&seed.keys.client, 1),
        miner: key(&seed.keys.miner, 0),
        admin: key(&seed.keys.admin, 0),
        other_admin: key(&seed.keys.admin, 1),
    }
}

/// Where scenarios send their requests.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    /// A fresh embedded double of `era` per scenario, degraded as `profile` says.
    Double {
        seed: Seed,
        profile: Arc<Profile>,
        profile_name: String,
        era: Era,
    },
    /// A running coordinator and node, shared by every scenario.
    Live {
        coordinator: String,
        node: String,
        /// Keys and ready tokens given by flags or the `.env`.
        credentials: Credentials,
        /// Wallets to log in with (JWT era), by role.
        wallets: Vec<(&'static str, Wallet)>,
        /// `--era`: one era, or `auto` to tell from the target.
        era: EraChoice,
        /// How an https target's certificate is trusted.
        trust: crate::tls::Trust,
    },
}

/// Endpoint → whether the backend served it (any answer but "no such route"), by the scenario
/// that ran the CLI.
pub(crate) type CliCalls =
    std::collections::BTreeMap<(PathBuf, usize), std::collections::BTreeMap<String, bool>>;

impl Target {
    /// The era known before any request: the double's, or the one `--era` gives (API-key for
    /// `auto`, which only the preflight settles).
    pub(crate) fn era_hint(&self) -> Era {
        match self {
            Target::Double { era, .. } => *era,
            Target::Live { era, .. } => match era {
                EraChoice::Jwt => Era::Jwt,
                EraChoice::ApiKey | EraChoice::Auto => Era::ApiKey,
            },
        }
    }

    /// Every secret this target's credentials hold, for redaction (tokens earned by logging
    /// in are added when they are).
    pub(crate) fn secrets(&self) -> Vec<String> {
        match self {
            Target::Double { seed, .. } => {
                let keys = &seed.keys;
                let wallets = seed.jwt.wallets.values();
                keys.client
                    .iter()
                    .chain(&keys.miner)
                    .chain(&keys.admin)
                    .chain(wallets)
                    .chain([&seed.jwt.secret])
                    .cloned()
                    .collect()
            }
            Target::Live {
                credentials,
                wallets,
                ..
            } => {
                let mut secrets = credentials.secrets();
                secrets.extend(wallets.iter().map(|(_, w)| w.secret_hex()));
                secrets
            }
        }
    }

    /// A one-word description for reports.
    pub(crate) fn describe(&self) -> String {
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

    pub(crate) fn is_live(&self) -> bool {
        matches!(self, Target::Live { .. })
    }

    /// How the target's certificate is trusted (the embedded double speaks plain http).
    pub(crate) fn trust(&self) -> crate::tls::Trust {
        match self {
            Target::Live { trust, .. } => trust.clone(),
            Target::Double { .. } => crate::tls::Trust::default(),
        }
    }
}

/// Shared by every scenario of a run: the pooled HTTP client and the target.
#[derive(Debug)]
pub(crate) struct RunContext {
    /// What every request goes through (connections, retries, pacing, tallies).
    pub(crate) http: crate::http::Client,
    pub(crate) target: Target,
    /// Scenarios (file, line) that needed a retry: reported `flaky`.
    pub(crate) flaky: Mutex<HashSet<(PathBuf, usize)>>,
    /// Response snapshots, when the run takes them.
    pub(crate) snapshots: Option<SnapshotRun>,
    /// Masks the target's keys in anything written.
    pub(crate) redactor: Redactor,
    /// Held by the running `@live-serial` scenario: cucumber starts the next serial scenario
    /// whenever any running one ends, so behind a long wait (a 429) two could overlap; this
    /// makes them exclusive of each other always.
    pub(crate) serial: Arc<tokio::sync::Mutex<()>>,
    /// A live run's one QUEUED job for the scenarios that only read one.
    pub(crate) shared_job: tokio::sync::Mutex<Option<String>>,
    /// Every job this run queued (a 201 to `POST /v1/jobs`), to tell a foreign queue apart.
    pub(crate) own_jobs: Mutex<HashSet<String>>,
    /// The era and each role's credential, settled by the preflight; tokens renewed here.
    pub(crate) auth: tokio::sync::Mutex<RunAuth>,
    /// The user's CLI, for the `@cli` scenarios (`--cli`).
    pub(crate) cli: Option<crate::consumer::UserCli>,
    /// Routes the CLI called that the contract does not know (`GET /api/v1/agents/workflows`).
    pub(crate) cli_unknown_routes: Mutex<std::collections::BTreeSet<String>>,
    /// Every endpoint the CLI called, with the statuses it got, by the scenario (file, line)
    /// that ran it (for its drift).
    pub(crate) cli_called: Mutex<CliCalls>,
    /// The services' OpenAPI documents, when schema checks are on and they could be had.
    pub(crate) spec: Option<Arc<crate::openapi::validate::Spec>>,
    /// `--read-only`: the preflight sends no write either.
    pub(crate) read_only: bool,
    salt: AtomicU64,
}

/// Builds a `RunContext` once, from what the flags decide before the preflight.
#[derive(Debug)]
pub(crate) struct RunContextBuilder {
    target: Target,
    http: crate::http::Client,
    redactor: Redactor,
    snapshots: Option<SnapshotRun>,
    cli: Option<crate::consumer::UserCli>,
    read_only: bool,
}

impl RunContextBuilder {
    /// A read-only run: the preflight sends no write.
    pub(crate) fn read_only(mut self, read_only: bool) -> Self {
        self.read_only = read_only;
        self
    }

    /// Masks the target's secrets in anything written.
    pub(crate) fn redactor(mut self, redactor: Redactor) -> Self {
        self.redactor = redactor;
        self
    }

    /// Takes response snapshots.
    pub(crate) fn snapshots(mut self, snapshots: SnapshotRun) -> Self {
        self.snapshots = Some(snapshots);
        self
    }

    /// Runs the `@cli` scenarios with the user's CLI.
    pub(crate) fn cli(mut self, cli: Option<crate::consumer::UserCli>) -> Self {
        self.cli = cli;
        self
    }

    pub(crate) fn build(self) -> RunContext {
        RunContext {
            http: self.http,
            target: self.target,
            flaky: Mutex::new(HashSet::new()),
            snapshots: self.snapshots,
            spec: None,
            read_only: self.read_only,
            cli: self.cli,
            cli_unknown_routes: Mutex::new(std::collections::BTreeSet::new()),
            cli_called: Mutex::new(CliCalls::new()),
            redactor: self.redactor,
            shared_job: tokio::sync::Mutex::new(None),
            own_jobs: Mutex::new(HashSet::new()),
            serial: Arc::new(tokio::sync::Mutex::new(())),
            auth: tokio::sync::Mutex::new(RunAuth {
                era: Era::ApiKey,
                credentials: Credentials::default(),
                logins: Vec::new(),
            }),
            salt: AtomicU64::new(1),
        }
    }
}

/// What the preflight settled about who the harness is on this target.
#[derive(Debug, Clone)]
pub(crate) struct RunAuth {
    pub(crate) era: Era,
    pub(crate) credentials: Credentials,
    /// JWT era: the wallet each logged-in role renews its token with, and its token's expiry.
    pub(crate) logins: Vec<(&'static str, Wallet, Option<i64>)>,
}

/// The base URLs and credentials one scenario uses; owns its double, if any.
#[derive(Debug)]
pub(crate) struct Session {
    /// Unique per scenario and run: names what the scenario creates on a shared target.
    pub(crate) tag: String,
    pub(crate) coordinator_url: String,
    pub(crate) node_url: String,
    pub(crate) credentials: Credentials,
    pub(crate) double: Option<Double>,
    /// The era the run judges.
    pub(crate) era: Era,
}

impl RunContext {
    /// A context for `target` whose requests go through `http`; the rest is set on the builder.
    pub(crate) fn builder(target: Target, http: crate::http::Client) -> RunContextBuilder {
        RunContextBuilder {
            target,
            http,
            redactor: Redactor::default(),
            snapshots: None,
            cli: None,
            read_only: false,
        }
    }

    /// A session for one scenario: a fresh double when the target is the double; credentials
    /// as the preflight settled them, a token renewed first when it is about to expire.
    pub(crate) async fn session(&self) -> Session {
        self.open_session(false).await
    }

    /// A session that sends many requests (the probe's): its double, if any, keeps no record
    /// of them.
    pub(crate) async fn long_session(&self) -> Session {
        self.open_session(true).await
    }

    async fn open_session(&self, long: bool) -> Session {
        let salt = self.salt.fetch_add(1, Ordering::Relaxed);
        let tag = format!("conf-{:06x}-{salt}", crate::clock::now_micros() & 0xff_ffff);
        let (double, coordinator_url, node_url) = match &self.target {
            Target::Double {
                seed, profile, era, ..
            } => {
                let double = if long {
                    Double::start_own(seed, salt, profile, *era, false).await
                } else {
                    Double::start(seed, salt, profile, *era).await
                };
                let urls = (double.coordinator_url(), double.node_url());
                (Some(double), urls.0, urls.1)
            }
            Target::Live {
                coordinator, node, ..
            } => (None, coordinator.clone(), node.clone()),
        };
        let (era, credentials) = self.fresh_credentials(&coordinator_url).await;
        Session {
            tag,
            coordinator_url,
            node_url,
            credentials,
            double,
            era,
        }
    }

    /// The settled credentials, each token renewed when it expires within a minute.
    async fn fresh_credentials(&self, coordinator: &str) -> (Era, Credentials) {
        let mut auth = self.auth.lock().await;
        let now = crate::clock::now_micros() / 1_000_000;
        let stale: Vec<usize> = (0..auth.logins.len())
            .filter(|&i| auth.logins[i].2.is_some_and(|exp| exp - 60 <= now))
            .collect();
        for i in stale {
            let (role, wallet) = (auth.logins[i].0, auth.logins[i].1.clone());
            if let Ok(token) = crate::login::login(&self.http, coordinator, &wallet).await {
                self.redactor.add(token.credential.secret());
                auth.logins[i].2 = token.expires_at;
                if let Some(slot) = auth.credentials.slot(role) {
                    *slot = Some(token.credential);
                }
            }
        }
        (auth.era, auth.credentials.clone())
    }
}
