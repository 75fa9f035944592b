//! The blockchain node double (contract §9): a seeded chain linked by `parent_hash`, and its RPC.

use serde_json::{json, Value};

use super::quirks::{Quirk, Quirks};
use super::reply::{Call, Handled, Reply};
use super::seed::ChainSeed;
use crate::auth::Era;
use crate::clock;
use crate::ids::digest_hex;

/// One block as `/rpc/blocks/{height}` returns it.
#[derive(Debug, Clone)]
pub(crate) struct Block {
    pub(crate) height: u64,
    pub(crate) hash: String,
    pub(crate) parent_hash: String,
    pub(crate) timestamp: String,
    pub(crate) tx_count: u64,
}

impl Block {
    /// The block as the era's node sends it.
    fn body(&self, chain: &Chain) -> Value {
        let mut body = json!({
            "height": self.height, "hash": self.hash, "parent_hash": self.parent_hash,
            "timestamp": self.timestamp, "tx_count": self.tx_count,
            // The API-key-era node computes no state roots (contract §13).
            "state_root": null,
        });
        if chain.era == Era::Jwt {
            // The JWT-era node signs its blocks and names the chain and proposer (contract §12).
            let salt = chain.salt;
            body["chain_id"] = json!(chain.chain_id);
            body["proposer"] = json!(chain.proposer);
            body["state_root"] = json!(format!("0x{}", digest_hex(&[salt, self.height, 0x5747])));
            body["signature"] = json!(format!(
                "0x{}{}",
                digest_hex(&[salt, self.height, 1]),
                digest_hex(&[salt, self.height, 2])
            ));
            body["transactions"] = json!([]);
        }
        body
    }

    /// The block as the JWT-era node lists it in a range: without `chain_id`, with its
    /// `block_metadata` (recorded from it).
    fn range_body(&self, chain: &Chain) -> Value {
        let mut body = self.body(chain);
        if let Some(fields) = body.as_object_mut() {
            fields.remove("chain_id");
            // Genesis carries the initial allocations, as a JSON text.
            let metadata = (self.height == 0).then(|| {
                json!({"allocations": [{"address": chain.proposer, "balance": 3_600_000_000_000u64, "nonce": 0}]})
                    .to_string()
            });
            fields.insert("block_metadata".into(), json!(metadata));
        }
        body
    }
}

/// The chain: heights contiguous from 0, genesis parent `0x00`.
#[derive(Debug, Clone)]
pub(crate) struct Chain {
    /// The node's own chain (`?chain_id=` of `/rpc/head` defaults to it).
    pub(crate) chain_id: String,
    pub(crate) blocks: Vec<Block>,
    /// Which generation of the node it plays (block fields, range defaults).
    pub(crate) era: Era,
    /// The block proposer's address (JWT era).
    pub(crate) proposer: String,
    /// Release bugs of the node this double reproduces.
    pub(crate) quirks: Quirks,
    salt: u64,
}

impl Chain {
    /// Builds the chain the seed describes, deterministically from `salt`.
    pub(crate) fn generate(seed: &ChainSeed, salt: u64, era: Era) -> Self {
        let genesis = clock::parse_iso(&seed.genesis_timestamp).unwrap_or(0);
        let mut blocks: Vec<Block> = Vec::with_capacity(seed.blocks as usize);
        for height in 0..seed.blocks {
            let parent_hash = blocks
                .last()
                .map_or_else(|| "0x00".to_string(), |b| b.hash.clone());
            let hash = format!(
                "0x{}",
                digest_hex(&[salt, height, parent_hash.len() as u64])
            );
            let micros = genesis + (height * seed.block_interval_seconds * 1_000_000) as i64;
            blocks.push(Block {
                height,
                hash,
                parent_hash,
                timestamp: clock::iso_naive(micros),
                tx_count: height % 3,
            });
        }
        Self {
            chain_id: seed.chain_id.clone(),
            blocks,
            era,
            // One proposer per chain, whatever the scenario: its address also sits in the genesis
            // metadata text, which no placeholder reaches.
            proposer: format!("0x{}", &digest_hex(&[seed.blocks, 0x9009])[..40]),
            quirks: Quirks::default(),
            salt,
        }
    }
}

/// `GET /rpc/head?chain_id=`: the node's own chain by default; another chain has no blocks.
pub(crate) fn head(chain: &mut Chain, call: &Call) -> Handled {
    let ours = call.query("chain_id").is_none_or(|id| id == chain.chain_id);
    if !ours && chain.quirks.has(Quirk::UnknownChain503) {
        return Err(Reply::detail(
            503,
            "Internal server error: (sqlite3.OperationalError) unable to open database file\n\
             (Background on this error at: https://sqlalche.me/e/20/e3q8)",
        ));
    }
    let block = chain
        .blocks
        .last()
        .filter(|_| ours)
        .ok_or_else(|| Reply::detail(404, "no blocks yet"))?;
    Ok(Reply::ok(json!({
        "height": block.height, "hash": block.hash,
        "timestamp": block.timestamp, "tx_count": block.tx_count,
    })))
}

/// `GET /rpc/network-info` (JWT era; what `aitbc chain sync-status` reads first): the node's
/// chain and the chains it serves. The API-key era's node has no such route (404).
pub(crate) fn network_info(chain: &mut Chain, _call: &Call) -> Handled {
    if chain.era == Era::ApiKey {
        return Err(Reply::detail(404, "Not Found"));
    }
    Ok(Reply::ok(json!({
        "p2p_endpoint": "127.0.0.1:8200", "p2p_node_id": "unknown",
        "chain_id": chain.chain_id, "network_type": "open_island",
        "supported_chains": [chain.chain_id],
        "rpc_endpoint": "http://127.0.0.1/rpc", "api_gateway": "http://127.0.0.1/api",
        "version": "0.5.4",
    })))
}

/// `GET /rpc/blocks/{height}`.
pub(crate) fn by_height(chain: &mut Chain, call: &Call) -> Handled {
    let raw = call.param("height");
    let height: i64 = raw.parse().map_err(|_| {
        Reply::fastapi_422(
            "int_parsing",
            ["path", "height"],
            "Input should be a valid integer, unable to parse string as an integer",
            json!(raw),
        )
    })?;
    usize::try_from(height)
        .ok()
        .and_then(|h| chain.blocks.get(h))
        .map(|b| Reply::ok(b.body(chain)))
        .ok_or_else(|| Reply::detail(404, "block not found"))
}

/// `GET /rpc/blocks/by_hash/{hash}`.
pub(crate) fn by_hash(chain: &mut Chain, call: &Call) -> Handled {
    let hash = call.param("hash");
    chain
        .blocks
        .iter()
        .find(|b| b.hash == hash)
        .map(|b| Reply::ok(b.body(chain)))
        .ok_or_else(|| Reply::detail(404, "block not found"))
}

/// `GET /rpc/blocks-range?start=&end=`.
pub(crate) fn range(chain: &mut Chain, call: &Call) -> Handled {
    if chain.era == Era::Jwt {
        return jwt_range(chain, call);
    }
    let bound = |name: &'static str| -> Result<i64, Reply> {
        query_int(call, name)?.ok_or_else(|| {
            Reply::fastapi_422("missing", ["query", name], "Field required", Value::Null)
        })
    };
    let (start, end) = (bound("start")?, bound("end")?);
    if start < 0 {
        return Err(Reply::detail(400, "start must be non-negative"));
    }
    if end < start {
        return Err(Reply::detail(
            400,
            "end must be greater than or equal to start",
        ));
    }
    if end - start > 1000 {
        return Err(Reply::detail(400, "range cannot exceed 1000 blocks"));
    }
    let blocks: Vec<Value> = chain
        .blocks
        .iter()
        .filter(|b| (start..=end).contains(&(b.height as i64)))
        .map(|b| b.body(chain))
        .collect();
    Ok(Reply::ok(json!({
        "blocks": blocks, "start": start, "end": end, "count": blocks.len(),
    })))
}

/// An integer query parameter, if given; FastAPI's 422 when it is not an integer.
fn query_int(call: &Call, name: &'static str) -> Result<Option<i64>, Reply> {
    call.query(name)
        .map(|raw| {
            raw.parse().map_err(|_| {
                Reply::fastapi_422(
                    "int_parsing",
                    ["query", name],
                    "Input should be a valid integer, unable to parse string as an integer",
                    json!(raw),
                )
            })
        })
        .transpose()
}

/// The JWT-era node's range (recorded from it): `start` defaults to 0 and `end` to `start + 10`;
/// an end before the start is an empty range; `{"success": true, "blocks", "count"}`.
fn jwt_range(chain: &Chain, call: &Call) -> Handled {
    query_int(call, "limit")?;
    let start = query_int(call, "start")?.unwrap_or(0);
    let end = query_int(call, "end")?.unwrap_or(start + 10);
    let blocks: Vec<Value> = chain
        .blocks
        .iter()
        .filter(|b| (start..=end).contains(&(b.height as i64)))
        .map(|b| b.range_body(chain))
        .collect();
    Ok(Reply::ok(
        json!({ "success": true, "blocks": blocks, "count": blocks.len() }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_chain_is_contiguous_and_linked() {
        let seed = ChainSeed {
            blocks: 25,
            genesis_timestamp: "2026-11-24T20:00:00".into(),
            chain_id: "ait-devnet".into(),
            block_interval_seconds: 2,
        };
        let chain = Chain::generate(&seed, 9, Era::ApiKey);
        assert_eq!(chain.blocks.len(), 25);
        assert_eq!(chain.blocks[0].parent_hash, "0x00");
        for pair in chain.blocks.windows(2) {
            assert_eq!(pair[1].height, pair[0].height + 1);
            assert_eq!(pair[1].parent_hash, pair[0].hash);
            assert_eq!(pair[1].hash.len(), 66);
            assert_ne!(pair[1].hash, pair[0].hash);
        }
    }
}
