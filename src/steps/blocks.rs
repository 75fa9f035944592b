//! Block steps: the CLI's documented lookup fallback (contract §9) and chain invariants.

use cucumber::{given, then, when};
use serde_json::Value;

use crate::failure::{Failure, FailureClass};
use crate::world::{Caller, ConformanceWorld as World, Lookup, StepResult, Via};

/// A lookup route as a step names it (`by_hash`, `by height`, `head scan`).
fn via_named(text: &str) -> Option<Via> {
    Some(match text {
        "by_hash" => Via::ByHash,
        "by height" => Via::ByHeight,
        "head scan" => Via::HeadScan,
        _ => return None,
    })
}

/// A failed expectation about a lookup: a missing endpoint when by_hash is absent.
fn lookup_failure(lookup: &Lookup, message: String) -> Failure {
    let class = if lookup.by_hash_missing {
        FailureClass::MissingEndpoint
    } else {
        FailureClass::Contract
    };
    Failure::new(class, message)
}

async fn get(world: &mut World, path: &str) -> Result<(u16, Option<Value>), Failure> {
    world.send_as(Caller::NoKey, "GET", path, None).await?;
    let last = world.last()?;
    Ok((last.status, last.json.clone()))
}

/// Contract §9: by_hash; else an integer id by height; else scan head-10..=head.
pub(crate) async fn cli_lookup(world: &mut World, id: &str) -> Result<Lookup, Failure> {
    let mut trail = Vec::new();
    let mut step = |path: String, status: u16| trail.push(format!("GET {path} → {status}"));
    let path = format!("/rpc/blocks/by_hash/{id}");
    let (status, body) = get(world, &path).await?;
    step(path, status);
    let by_hash_missing =
        FailureClass::of_status(status, body.as_ref()) == FailureClass::MissingEndpoint;
    if status == 200 {
        return Ok(Lookup {
            trail,
            found: body,
            via: Some(Via::ByHash),
            by_hash_missing,
        });
    }
    if let Ok(height) = id.parse::<u64>() {
        let path = format!("/rpc/blocks/{height}");
        let (status, body) = get(world, &path).await?;
        step(path, status);
        let found = body.filter(|_| status == 200);
        let via = found.as_ref().map(|_| Via::ByHeight);
        return Ok(Lookup {
            trail,
            found,
            via,
            by_hash_missing,
        });
    }
    let (status, head) = get(world, "/rpc/head").await?;
    step("/rpc/head".to_string(), status);
    let head_height = head
        .as_ref()
        .and_then(|h| h.get("height"))
        .and_then(Value::as_u64)
        .filter(|_| status == 200);
    if let Some(top) = head_height {
        for height in top.saturating_sub(10)..=top {
            let path = format!("/rpc/blocks/{height}");
            let (status, body) = get(world, &path).await?;
            step(path, status);
            let hit =
                body.filter(|b| status == 200 && b.get("hash").and_then(Value::as_str) == Some(id));
            if hit.is_some() {
                return Ok(Lookup {
                    trail,
                    found: hit,
                    via: Some(Via::HeadScan),
                    by_hash_missing,
                });
            }
        }
    }
    Ok(Lookup {
        trail,
        found: None,
        via: None,
        by_hash_missing,
    })
}

#[given(regex = r#"^I note the hash of block (-?[0-9]+) as "([^"]*)"$"#)]
async fn note_hash(world: &mut World, height: u64, name: String) -> StepResult {
    judged!(world, {
        world
            .send_as(Caller::NoKey, "GET", &format!("/rpc/blocks/{height}"), None)
            .await?;
        world.expect_status(200)?;
        world.save_string("hash", &name)
    })
}

#[given(regex = r#"^I note the head as "([^"]*)"$"#)]
async fn note_head(world: &mut World, name: String) -> StepResult {
    judged!(world, {
        world
            .send_as(Caller::NoKey, "GET", "/rpc/head", None)
            .await?;
        world.expect_status(200)?;
        let height = world.field("height")?.to_string();
        world.vars.insert(format!("{name}_height"), height);
        world.save_string("hash", &name)
    })
}

#[given(regex = r#"^the node does not serve "([^"]*)"$"#)]
async fn node_lacks(world: &mut World, route: String) -> StepResult {
    judged!(world, {
        let session = world.session()?;
        let double = session.double.as_ref().ok_or_else(|| {
            Failure::harness(
                "this step degrades the embedded double; tag the scenario @double-only",
            )
        })?;
        if double.remove_route(&route).await {
            world.degraded = true;
            Ok(())
        } else {
            Err(Failure::harness(format!(
                "the double has no route named {route:?}"
            )))
        }
    })
}

#[when(regex = r#"^I look up block "([^"]*)" the way the CLI does$"#)]
async fn look_up(world: &mut World, id: String) -> StepResult {
    judged!(world, {
        let id = world.expand(&id);
        let lookup = cli_lookup(world, &id).await?;
        world.lookup = Some(lookup);
        Ok(())
    })
}

fn lookup(world: &World) -> Result<&Lookup, Failure> {
    world
        .lookup
        .as_ref()
        .ok_or_else(|| Failure::harness("no block lookup was made before this check"))
}

#[then(regex = r#"^the lookup found the block at height (\S+)$"#)]
async fn lookup_found(world: &mut World, height: String) -> StepResult {
    judged!(world, {
        let height: u64 = world
            .expand(&height)
            .parse()
            .map_err(|_| Failure::harness(format!("{height:?} is not a height")))?;
        let lookup = lookup(world)?;
        let got = lookup
            .found
            .as_ref()
            .and_then(|b| b.get("height"))
            .and_then(Value::as_u64);
        if got == Some(height) {
            return Ok(());
        }
        Err(lookup_failure(
            lookup,
            format!(
                "the lookup found {}, expected height {height}; requests: {}",
                got.map_or("no block".to_string(), |h| format!("height {h}")),
                lookup.trail.join(", ")
            ),
        ))
    })
}

#[then("the lookup reports \"Block not found\"")]
async fn lookup_missed(world: &mut World) -> StepResult {
    judged!(world, {
        let lookup = lookup(world)?;
        match &lookup.found {
            None => Ok(()),
            Some(block) => Err(Failure::contract(format!(
                "the lookup found a block: {block}"
            ))),
        }
    })
}

#[then(regex = r#"^the lookup went through "([^"]*)"$"#)]
async fn lookup_via(world: &mut World, via: String) -> StepResult {
    judged!(world, {
        let want = via_named(&via).ok_or_else(|| {
            Failure::harness(format!("{via:?}: use by_hash, by height or head scan"))
        })?;
        let lookup = lookup(world)?;
        if lookup.via == Some(want) {
            return Ok(());
        }
        Err(lookup_failure(
            lookup,
            format!(
                "the lookup went through {:?}, expected {via}; requests: {}",
                lookup.via,
                lookup.trail.join(", ")
            ),
        ))
    })
}

#[then(regex = r#"^the lookup made (-?[0-9]+) request(?:s)?$"#)]
async fn lookup_requests(world: &mut World, count: usize) -> StepResult {
    judged!(world, {
        let lookup = lookup(world)?;
        if lookup.trail.len() == count {
            return Ok(());
        }
        Err(lookup_failure(
            lookup,
            format!(
                "the lookup made {} requests, expected {count}: {}",
                lookup.trail.len(),
                lookup.trail.join(", ")
            ),
        ))
    })
}

/// The heights a bounded walk reads: the first `first` and the last `last` of `0..=top`.
pub(crate) fn walk_heights(top: u64, first: u64, last: u64) -> Vec<u64> {
    let head_window = top.saturating_add(1).saturating_sub(last)..=top;
    let mut heights: Vec<u64> = (0..first.min(top + 1)).chain(head_window).collect();
    heights.sort_unstable();
    heights.dedup();
    heights
}

/// Reads the chain's first and last blocks one by one: the chain invariants where they matter
/// (genesis, head) in a bounded number of requests, whatever the chain's height.
#[when(regex = r#"^I walk the first (-?[0-9]+) and the last (-?[0-9]+) blocks of the chain$"#)]
async fn walk_chain(world: &mut World, first: u64, last: u64) -> StepResult {
    judged!(world, {
        world
            .send_as(Caller::NoKey, "GET", "/rpc/head", None)
            .await?;
        world.expect_status(200)?;
        let head = world.field("")?.clone();
        let top = head
            .get("height")
            .and_then(Value::as_u64)
            .ok_or_else(|| Failure::contract(format!("head has no integer height: {head}")))?;
        let mut blocks = Vec::new();
        for height in walk_heights(top, first, last) {
            world
                .send_as(Caller::NoKey, "GET", &format!("/rpc/blocks/{height}"), None)
                .await?;
            world.expect_status(200)?;
            blocks.push(world.field("")?.clone());
        }
        world.vars.insert(
            "head_hash".into(),
            head["hash"].as_str().unwrap_or_default().into(),
        );
        world.blocks = blocks;
        Ok(())
    })
}

/// Checks heights are contiguous from `first` and each `parent_hash` is the previous `hash`.
pub(crate) fn check_linked(blocks: &[Value], first: u64) -> Result<(), String> {
    for (i, block) in blocks.iter().enumerate() {
        let height = block.get("height").and_then(Value::as_u64);
        if height != Some(first + i as u64) {
            return Err(format!(
                "block {i} has height {height:?}, expected {}",
                first + i as u64
            ));
        }
        let Some(prev) = i.checked_sub(1).map(|p| &blocks[p]) else {
            continue;
        };
        if block.get("parent_hash") != prev.get("hash") {
            return Err(format!(
                "block {} has parent_hash {}, but block {} has hash {}",
                first + i as u64,
                block.get("parent_hash").unwrap_or(&Value::Null),
                first + i as u64 - 1,
                prev.get("hash").unwrap_or(&Value::Null)
            ));
        }
    }
    Ok(())
}

#[then("the walked blocks are contiguous and linked by parent_hash")]
async fn walked_linked(world: &mut World) -> StepResult {
    judged!(world, {
        if world.blocks.is_empty() {
            return Err(Failure::harness("no chain walk was made before this check"));
        }
        check_windows(&world.blocks).map_err(|m| Failure::new(FailureClass::State, m))
    })
}

/// `check_linked` on each run of consecutive heights (a bounded walk reads two windows).
pub(crate) fn check_windows(blocks: &[Value]) -> Result<(), String> {
    let height = |b: &Value| b.get("height").and_then(Value::as_u64);
    let mut start = 0;
    for i in 1..=blocks.len() {
        let run_ends = i == blocks.len()
            || matches!((height(&blocks[i - 1]), height(&blocks[i])), (Some(a), Some(b)) if b > a + 1);
        if run_ends {
            let first = height(&blocks[start]).ok_or("a walked block has no integer height")?;
            check_linked(&blocks[start..i], first)?;
            start = i;
        }
    }
    Ok(())
}

#[then(regex = r#"^the genesis block's parent_hash is "([^"]*)"$"#)]
async fn genesis_parent(world: &mut World, expected: String) -> StepResult {
    judged!(world, {
        let parent = world
            .blocks
            .first()
            .and_then(|b| b.get("parent_hash"))
            .and_then(Value::as_str);
        if parent == Some(expected.as_str()) {
            return Ok(());
        }
        Err(Failure::contract(format!(
            "genesis parent_hash is {parent:?}, expected {expected:?}"
        )))
    })
}

#[then("the last walked block is the head")]
async fn last_is_head(world: &mut World) -> StepResult {
    judged!(world, {
        let last = world
            .blocks
            .last()
            .and_then(|b| b.get("hash"))
            .and_then(Value::as_str);
        let head = world.vars.get("head_hash").map(String::as_str);
        if last.is_some() && last == head {
            return Ok(());
        }
        Err(Failure::new(
            FailureClass::State,
            format!("the highest block is {last:?} but the head is {head:?}"),
        ))
    })
}

#[then(
    regex = r#"^the blocks in "([^"]*)" are contiguous from height (-?[0-9]+) and linked by parent_hash$"#
)]
async fn range_linked(world: &mut World, field: String, first: u64) -> StepResult {
    judged!(world, {
        let blocks = world.field(&field)?.as_array().cloned().unwrap_or_default();
        check_linked(&blocks, first).map_err(|m| Failure::new(FailureClass::State, m))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_walk_is_bounded_whatever_the_height() {
        assert_eq!(
            walk_heights(1_000_000, 3, 2),
            vec![0, 1, 2, 999_999, 1_000_000]
        );
        assert_eq!(walk_heights(3, 3, 3), vec![0, 1, 2, 3]);
        assert_eq!(walk_heights(0, 5, 5), vec![0]);
    }

    #[test]
    fn windows_are_checked_apart() {
        let blocks = vec![
            json!({"height": 0, "hash": "a", "parent_hash": "0x00"}),
            json!({"height": 1, "hash": "b", "parent_hash": "a"}),
            json!({"height": 7, "hash": "h", "parent_hash": "g"}),
            json!({"height": 8, "hash": "i", "parent_hash": "h"}),
        ];
        assert!(check_windows(&blocks).is_ok());
        let mut broken = blocks.clone();
        broken[3]["parent_hash"] = json!("x");
        assert!(check_windows(&broken).unwrap_err().contains("block 8"));
    }

    #[test]
    fn a_broken_link_is_named() {
        let good = vec![
            json!({"height": 3, "hash": "a", "parent_hash": "z"}),
            json!({"height": 4, "hash": "b", "parent_hash": "a"}),
        ];
        assert!(check_linked(&good, 3).is_ok());
        let mut broken = good.clone();
        broken[1]["parent_hash"] = json!("q");
        assert!(check_linked(&broken, 3)
            .unwrap_err()
            .contains("block 4 has parent_hash \"q\""));
        assert!(check_linked(&good, 0).is_err());
    }
}
