//! Domain steps for jobs and miners: set-up that reads like the CLI session it stands for.

use cucumber::gherkin::Step;
use cucumber::{given, then};
use serde_json::{json, Value};

use super::{docstring, parse_json};
use crate::failure::{Failure, FailureClass};
use crate::world::{Caller, ConformanceWorld as World, StepResult};

/// The body `aitbc client submit` sends. The region is the scenario's own tag, so that on a
/// shared target only this scenario's miner (registered in that region) can take the job.
pub(crate) fn default_job(tag: &str) -> Value {
    json!({ "payload": { "type": "inference", "prompt": "hello", "model": "llama3" },
            "constraints": { "region": tag }, "ttl_seconds": 900 })
}

/// A miner's registration in the shape every AITBC release's matcher reads
/// (`capabilities.gpus[].name`/`memory_mb`, `cuda`, `models`, `price`), in the scenario's own
/// region.
pub(crate) fn default_miner(tag: &str) -> Value {
    json!({ "capabilities": { "gpus": [{ "name": "RTX 4090", "memory_mb": 24576 }],
                              "models": ["llama3"], "cuda": "12.2" },
            "concurrency": 1, "region": tag })
}

async fn submit(world: &mut World, name: &str, body: Value) -> StepResult {
    world
        .send_as(Caller::Client, "POST", "/v1/jobs", Some(body))
        .await?;
    world.expect_status(201)?;
    world.save_string("job_id", name)
}

#[given(regex = r#"^a job "([^"]*)" submitted by the client$"#)]
async fn job_submitted(world: &mut World, name: String) -> StepResult {
    judged!(world, {
        let body = default_job(&world.tag());
        submit(world, &name, body).await
    })
}

/// `Given the client's queued job "A"`: a QUEUED job of the client that the scenario only
/// reads. On a live target one job serves every such scenario of the run, so the target's
/// budget of submissions (50 a minute in the JWT era) goes to the scenarios that change jobs;
/// it asks for a region no miner serves, so it stays queued. The double is fresh per scenario.
#[given(regex = r#"^the client's queued job "([^"]*)"$"#)]
async fn shared_queued_job(world: &mut World, name: String) -> StepResult {
    judged!(world, {
        let ctx = world.context()?;
        if !ctx.target.is_live() {
            return job_submitted(world, name).await;
        }
        let mut shared = ctx.shared_job.lock().await;
        if let Some(id) = shared.as_ref() {
            world.vars.insert(name, id.clone());
            return Ok(());
        }
        let tag = world.tag();
        let run = tag.rsplit_once('-').map_or(tag.as_str(), |(run, _)| run);
        let body = json!({ "payload": { "type": "inference", "prompt": "hello", "model": "llama3" },
                       "constraints": { "region": format!("{run}-unserved") }, "ttl_seconds": 900 });
        submit(world, &name, body).await?;
        *shared = world.vars.get(&name).cloned();
        Ok(())
    })
}

#[given(regex = r#"^a job "([^"]*)" submitted by the client with body:$"#)]
async fn job_submitted_with(world: &mut World, step: &Step, name: String) -> StepResult {
    judged!(world, {
        let body = parse_json(&world.expand(docstring(step)?))?;
        submit(world, &name, body).await
    })
}

#[given("the miner is registered")]
async fn miner_registered(world: &mut World) -> StepResult {
    judged!(world, {
        let body = default_miner(&world.tag());
        register(world, body).await
    })
}

#[given("the miner is registered with body:")]
async fn miner_registered_with(world: &mut World, step: &Step) -> StepResult {
    judged!(world, {
        let body = parse_json(&world.expand(docstring(step)?))?;
        register(world, body).await
    })
}

async fn register(world: &mut World, body: Value) -> StepResult {
    world
        .send_as(Caller::Miner, "POST", "/v1/miners/register", Some(body))
        .await?;
    world.expect_status(200)
}

#[given(regex = r#"^the miner has taken job "([^"]*)"$"#)]
async fn miner_took(world: &mut World, name: String) -> StepResult {
    judged!(world, { take(world, &name).await })
}

#[then(regex = r#"^the miner is handed job "([^"]*)"$"#)]
async fn miner_is_handed(world: &mut World, name: String) -> StepResult {
    judged!(world, { take(world, &name).await })
}

/// The miner polls and must be handed job `name`; no job at all (204) is a state failure.
async fn take(world: &mut World, name: &str) -> StepResult {
    let body = json!({ "max_wait_seconds": 0 });
    world
        .send_as(Caller::Miner, "POST", "/v1/miners/poll", Some(body))
        .await?;
    let expected = world.expand(&format!("{{{name}}}"));
    if world.last()?.status == 204 {
        return Err(Failure::new(
            FailureClass::State,
            format!(
                "the miner was handed no job (204), expected job {name} ({expected}): it is still \
                 counted busy, or the job is not queued"
            ),
        ));
    }
    world.expect_status(200)?;
    let got = world
        .field("job_id")?
        .as_str()
        .unwrap_or_default()
        .to_string();
    if got == expected {
        return Ok(());
    }
    Err(Failure::new(
        FailureClass::State,
        format!("the miner was handed job {got}, expected job {name} ({expected})"),
    ))
}

#[given(regex = r#"^the miner has completed job "([^"]*)"$"#)]
async fn miner_completed(world: &mut World, name: String) -> StepResult {
    judged!(world, {
        let body = json!({ "result": { "output": "hi there", "tokens": 3 }, "metrics": { "duration_ms": 12 } });
        let path = format!("/v1/miners/{{{name}}}/result");
        world
            .send_as(Caller::Miner, "POST", &path, Some(body))
            .await?;
        world.expect_status(200)?;
        world.result_receipt = Some(world.field("receipt")?.clone());
        Ok(())
    })
}

/// Receipt checks apply only to a coordinator with a signing key, which its own result answer
/// tells: `"receipt": null` there means none (contract §4), and the scenario does not apply.
#[given("the coordinator signs receipts")]
async fn signs_receipts(world: &mut World) -> StepResult {
    judged!(world, {
        let receipt = match world.result_receipt.clone() {
            Some(receipt) => receipt,
            None => world.field("receipt")?.clone(),
        };
        match receipt {
        Value::Object(_) => Ok(()),
        Value::Null => Err(Failure::not_applicable(
            "this coordinator issues no receipts (its result answer said \"receipt\": null: no \
             signing key is configured), so receipt checks do not apply",
        )),
        other => Err(Failure::contract(format!(
            "\"receipt\" is neither a receipt nor null: {other}"
        ))),
    }
    })
}

/// The miner says it is idle (`{}`: no job in flight), as after a job of its was cancelled. The
/// answer is not judged here: `miner heartbeat` scenarios judge it.
#[given("the miner reports it is idle")]
async fn miner_idle(world: &mut World) -> StepResult {
    judged!(world, {
        world
            .send_as(
                Caller::Miner,
                "POST",
                "/v1/miners/heartbeat",
                Some(json!({})),
            )
            .await
    })
}

/// Reads a job's status `times` times, each on a new connection (as separate CLI calls do);
/// every read must give `state`. A mix means stale answers, e.g. from a response cache.
#[then(
    regex = r#"^job "([^"]*)" reads "([^"]*)" on each of (-?[0-9]+) reads over fresh connections$"#
)]
async fn reads_fresh(world: &mut World, name: String, state: String, times: usize) -> StepResult {
    judged!(world, {
        let path = format!("/v1/jobs/{{{name}}}");
        let mut seen = Vec::with_capacity(times);
        for _ in 0..times {
            world
                .send_over(Caller::Client, "GET", &path, None, true)
                .await?;
            world.expect_status(200)?;
            seen.push(
                world
                    .field("state")?
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            );
        }
        match seen.iter().position(|s| *s != state) {
            None => Ok(()),
            Some(i) => Err(Failure::new(
                FailureClass::State,
                format!(
                "read {} of {times} said {}, expected {state} (reads: {}): the job's status is \
                 served stale (a response cache?)",
                i + 1,
                seen[i],
                seen.join(", ")
            ),
            )),
        }
    })
}

#[given(regex = r#"^the miner has failed job "([^"]*)"$"#)]
async fn miner_failed(world: &mut World, name: String) -> StepResult {
    judged!(world, {
        let body = json!({ "error_code": "OOM", "error_message": "out of memory" });
        let path = format!("/v1/miners/{{{name}}}/fail");
        world
            .send_as(Caller::Miner, "POST", &path, Some(body))
            .await?;
        world.expect_status(200)
    })
}
