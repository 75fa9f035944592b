//! Admin steps: note the statistics, then check how they moved (works on a shared target when
//! the scenario runs alone, `@live-serial`).

use cucumber::{given, then};
use serde_json::Value;

use crate::failure::Failure;
use crate::world::{Caller, ConformanceWorld as World, StepResult};

async fn stats(world: &mut World) -> Result<Value, Failure> {
    world
        .send_as(Caller::Admin, "GET", "/v1/admin/stats", None)
        .await?;
    world.expect_status(200)?;
    Ok(world.field("")?.clone())
}

#[given("I note the admin stats")]
async fn note_stats(world: &mut World) -> StepResult {
    judged!(world, {
        let stats = stats(world).await?;
        world.noted_stats = Some(stats);
        Ok(())
    })
}

#[then(regex = r#"^the admin stat "([^"]*)" grew by (-?[0-9]+) since I noted them$"#)]
async fn stat_grew(world: &mut World, field: String, delta: i64) -> StepResult {
    judged!(world, {
        let before = world
            .noted_stats
            .clone()
            .ok_or_else(|| Failure::harness("no admin stats were noted before this check"))?;
        let after = stats(world).await?;
        let number = |v: &Value| {
            v.get(&field).and_then(Value::as_i64).ok_or_else(|| {
                Failure::contract(format!("admin stats have no whole number {field:?}: {v}"))
            })
        };
        let (was, now) = (number(&before)?, number(&after)?);
        if now - was == delta {
            return Ok(());
        }
        Err(Failure::contract(format!(
            "admin stat {field:?} went from {was} to {now}, expected a change of {delta:+}"
        )))
    })
}
