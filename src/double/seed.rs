//! The double's seed data, read from `fixtures/double.yaml`: keys per role, GPUs, chain parameters.

use std::path::Path;

use serde::Deserialize;

use crate::error::InputError;
use crate::yaml;

/// API keys the coordinator double accepts, per role (first key of each role is the default).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Keys {
    pub client: Vec<String>,
    pub miner: Vec<String>,
    pub admin: Vec<String>,
}

/// A GPU offer listed by the marketplace at start.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GpuSeed {
    pub(crate) miner_id: String,
    pub(crate) model: String,
    pub(crate) memory_gb: u32,
    pub(crate) cuda_version: String,
    pub(crate) region: String,
    pub(crate) price_per_hour: f64,
    pub(crate) status: String,
    #[serde(default)]
    pub(crate) capabilities: Vec<String>,
}

/// How the node's chain is generated.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChainSeed {
    /// Number of blocks, heights `0..blocks`.
    pub(crate) blocks: u64,
    /// Genesis timestamp, naive ISO-8601.
    pub(crate) genesis_timestamp: String,
    pub(crate) block_interval_seconds: u64,
    /// The node's chain id (`/rpc/head?chain_id=`, `/health`).
    #[serde(default = "default_chain_id")]
    pub(crate) chain_id: String,
}

fn default_chain_id() -> String {
    "ait-devnet".to_string()
}

/// The JWT era's login (contract §12): the token secret, how long a token lasts, the wallets the
/// harness logs in with against the double (test keys, never used anywhere else), and the
/// addresses the coordinator lists as admins.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JwtSeed {
    pub(crate) secret: String,
    #[serde(default = "default_ttl")]
    pub(crate) token_ttl_seconds: i64,
    /// Private keys by role: `client`, `other_client`, `admin`, `other_admin`.
    pub(crate) wallets: std::collections::BTreeMap<String, String>,
    /// Wallet addresses that log in as admins.
    pub(crate) admins: Vec<String>,
}

fn default_ttl() -> i64 {
    3600
}

impl JwtSeed {
    /// The admin addresses, lower case.
    pub(crate) fn admin_addresses(&self) -> Vec<String> {
        self.admins.iter().map(|a| a.to_lowercase()).collect()
    }
}

/// The whole seed file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    /// Seeds the id generator: runs are reproducible.
    pub(crate) seed: u64,
    /// Whether the coordinator signs receipts (contract §4: receipts exist only with a key).
    pub(crate) signing_key: bool,
    pub keys: Keys,
    pub(crate) gpus: Vec<GpuSeed>,
    pub(crate) chain: ChainSeed,
    pub jwt: JwtSeed,
}

impl Seed {
    /// Loads and checks a seed file; problems name the file and line.
    pub fn load(path: &Path) -> Result<Self, InputError> {
        let seed: Seed = yaml::load(path)?;
        seed.check(path)?;
        Ok(seed)
    }

    fn check(&self, path: &Path) -> Result<(), InputError> {
        let invalid = |message: &str| InputError::Invalid {
            path: path.to_path_buf(),
            line: 1,
            message: message.to_string(),
        };
        if self.keys.client.len() < 2 || self.keys.admin.len() < 2 || self.keys.miner.is_empty() {
            return Err(invalid(
                "keys: the double needs two client keys, two admin keys and a miner key",
            ));
        }
        for (role, key) in &self.jwt.wallets {
            if crate::auth::wallet::Wallet::from_hex(key).is_err() {
                return Err(invalid(&format!(
                    "jwt.wallets.{role}: not a 32-byte hex private key"
                )));
            }
        }
        if crate::clock::parse_iso(&self.chain.genesis_timestamp).is_none() {
            return Err(invalid(
                "chain.genesis_timestamp: not an ISO-8601 timestamp",
            ));
        }
        Ok(())
    }
}
