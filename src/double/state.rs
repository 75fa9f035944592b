//! The coordinator double's in-memory state: jobs, miners, workflows, executions, GPUs.

use serde_json::{json, Map, Value};

use super::gate::{Gate, Nonce, User};
use super::quirks::{Quirk, Quirks};
use super::reply::{Call, Reply};
use super::seed::Seed;
use crate::auth::Era;
use crate::clock;
use crate::ids::IdGen;

pub(crate) use super::gate::Role;

/// Job states (contract §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JobState {
    Queued,
    Running,
    Completed,
    Failed,
    Canceled,
    Expired,
}

impl JobState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "QUEUED",
            JobState::Running => "RUNNING",
            JobState::Completed => "COMPLETED",
            JobState::Failed => "FAILED",
            JobState::Canceled => "CANCELED",
            JobState::Expired => "EXPIRED",
        }
    }

    /// QUEUED or RUNNING: the states a job can still leave.
    pub(crate) fn is_active(self) -> bool {
        matches!(self, JobState::Queued | JobState::Running)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub(crate) id: String,
    pub(crate) client: String,
    pub(crate) payload: Value,
    pub(crate) constraints: Map<String, Value>,
    pub(crate) requested_at: i64,
    pub(crate) expires_at: i64,
    pub(crate) state: JobState,
    /// `assigned_miner_id`: set when a miner takes the job, cleared by a cancel.
    pub(crate) miner: Option<String>,
    /// The miner that took the job (kept after a cancel): the one whose result counts.
    pub(crate) taken_by: Option<String>,
    pub(crate) error: Option<String>,
    pub(crate) result: Option<Value>,
    /// Every receipt issued for the job, oldest first (a second result issues another).
    pub(crate) receipts: Vec<Value>,
    /// The job was read while RUNNING (quirk `stale-status-cache`: the cached view).
    pub(crate) read_while_running: bool,
    /// Reads since the result (quirk `stale-status-cache` alternates on them).
    pub(crate) reads_after_result: u32,
}

impl Job {
    /// The latest receipt, if any.
    pub(crate) fn receipt(&self) -> Option<&Value> {
        self.receipts.last()
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Miner {
    pub(crate) id: String,
    pub(crate) capabilities: Map<String, Value>,
    pub(crate) concurrency: i64,
    pub(crate) region: Option<String>,
    pub(crate) status: String,
    pub(crate) inflight: i64,
    pub(crate) last_heartbeat: i64,
    pub(crate) jobs_completed: u64,
    pub(crate) jobs_failed: u64,
    pub(crate) total_duration_ms: f64,
    pub(crate) last_receipt_id: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Workflow {
    pub(crate) id: String,
    pub(crate) owner: String,
    pub(crate) body: Value,
}

#[derive(Debug, Clone)]
pub(crate) struct Execution {
    pub(crate) id: String,
    pub(crate) workflow_id: String,
    pub(crate) owner: String,
    pub(crate) status: &'static str,
    pub(crate) current_step: u64,
    pub(crate) total_steps: u64,
    pub(crate) started_at: i64,
    pub(crate) completed_at: Option<i64>,
}

/// Everything the coordinator double remembers within one scenario.
#[derive(Debug)]
pub(crate) struct Coordinator {
    pub(crate) seed: Seed,
    pub(crate) ids: IdGen,
    pub(crate) jobs: Vec<Job>,
    pub(crate) miners: Vec<Miner>,
    pub(crate) workflows: Vec<Workflow>,
    pub(crate) executions: Vec<Execution>,
    pub(crate) gpus: Vec<Value>,
    /// Release bugs this double reproduces (empty: the contract as written).
    pub(crate) quirks: Quirks,
    /// Which generation of the coordinator it plays.
    pub(crate) era: Era,
    /// JWT era: login nonces handed out and not yet used.
    pub(crate) nonces: Vec<Nonce>,
    /// JWT era: the wallets that logged in.
    pub(crate) users: Vec<User>,
    /// How far a scenario moved this double's clock ahead (`When 2 seconds have passed`), in
    /// microseconds: expiry is judged at the real time plus this.
    pub(crate) time_passed: i64,
}

impl Coordinator {
    pub(crate) fn new(seed: Seed, salt: u64, quirks: Quirks, era: Era) -> Self {
        let mut ids = IdGen::new(seed.seed ^ salt);
        let created = clock::now_micros();
        let gpus = seed
            .gpus
            .iter()
            .map(|g| {
                json!({
                    "id": format!("gpu_{}", ids.hex(8)),
                    "miner_id": g.miner_id, "model": g.model, "memory_gb": g.memory_gb,
                    "cuda_version": g.cuda_version, "region": g.region,
                    "price_per_hour": g.price_per_hour, "status": g.status,
                    "capabilities": g.capabilities, "created_at": clock::iso_utc(created),
                    "average_rating": 0.0, "total_reviews": 0,
                })
            })
            .collect();
        Self {
            seed,
            ids,
            jobs: Vec::new(),
            miners: Vec::new(),
            workflows: Vec::new(),
            executions: Vec::new(),
            gpus,
            quirks,
            era,
            nonces: Vec::new(),
            users: Vec::new(),
            time_passed: 0,
        }
    }

    /// This double's time: the real time plus what scenarios let pass.
    pub(crate) fn now_micros(&self) -> i64 {
        clock::now_micros() + self.time_passed
    }

    /// The JWT era's gate, in that era.
    pub(crate) fn gate(&self) -> Option<Gate> {
        (self.era == Era::Jwt).then(|| Gate::new(&self.seed.jwt, &self.seed.keys.miner))
    }

    /// The user a wallet logs in as, registered on first login.
    pub(crate) fn user_for(&mut self, address: &str) -> User {
        if let Some(user) = self.users.iter().find(|u| u.address == address) {
            return user.clone();
        }
        let hex = self.ids.hex(32);
        let user = User {
            id: format!(
                "{}-{}-{}-{}-{}",
                &hex[..8],
                &hex[8..12],
                &hex[12..16],
                &hex[16..20],
                &hex[20..]
            ),
            address: address.to_string(),
            created_at: clock::now_micros(),
        };
        self.users.push(user.clone());
        user
    }

    /// Whether this release bug is reproduced.
    pub(crate) fn quirk(&self, quirk: Quirk) -> bool {
        self.quirks.has(quirk)
    }

    /// The era's answer to an unhandled exception: the API-key era's envelope naming it (§3),
    /// or the JWT era's, which names only the path.
    pub(crate) fn crash(&self, call: &Call, exception: &str, text: &str) -> Reply {
        match self.era {
            Era::ApiKey => Reply::internal(exception, text),
            Era::Jwt => Reply::json(
                500,
                serde_json::json!({ "error": {
                    "type": "internal_error",
                    "message": "An internal server error occurred",
                    "status_code": 500,
                    "path": call.request.url.path(),
                }}),
            ),
        }
    }

    /// The caller's identity if it holds `role`: in the API-key era its key (else 401
    /// `invalid api key`), in the JWT era its token's subject or miner id (else the era's 401 or
    /// 403 `Forbidden`).
    pub(crate) fn authorize(&self, call: &Call, role: Role) -> Result<String, Reply> {
        self.authorize_or(call, role, "Forbidden")
    }

    /// As `authorize`, with the route's own word for a JWT-era caller of another role.
    pub(crate) fn authorize_or(
        &self,
        call: &Call,
        role: Role,
        forbidden: &str,
    ) -> Result<String, Reply> {
        if let Some(gate) = self.gate() {
            return gate.authorize(call, role, forbidden);
        }
        let keys = match role {
            Role::Client => &self.seed.keys.client,
            Role::Miner => &self.seed.keys.miner,
            Role::Admin => &self.seed.keys.admin,
        };
        match call.api_key() {
            Some(key) if !key.is_empty() && keys.iter().any(|k| k == key) => Ok(key.to_string()),
            _ => Err(Reply::detail(401, "invalid api key")),
        }
    }

    /// Moves overdue active jobs to EXPIRED (contract: applied when read).
    pub(crate) fn expire_jobs(&mut self) {
        let now = self.now_micros();
        for job in self.jobs.iter_mut() {
            if job.state.is_active() && now >= job.expires_at {
                if let (JobState::Running, Some(miner)) = (job.state, &job.miner) {
                    if let Some(m) = self.miners.iter_mut().find(|m| &m.id == miner) {
                        m.inflight = (m.inflight - 1).max(0);
                    }
                }
                job.state = JobState::Expired;
                job.error = Some("job expired".to_string());
            }
        }
    }

    pub(crate) fn miner_mut(&mut self, id: &str) -> Option<&mut Miner> {
        self.miners.iter_mut().find(|m| m.id == id)
    }
}
