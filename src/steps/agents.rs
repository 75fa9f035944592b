//! Domain steps for agent workflows: create one as a given admin.

use cucumber::given;
use serde_json::json;

use crate::world::{Caller, ConformanceWorld as World, StepResult};

async fn create(world: &mut World, caller: Caller, name: &str, public: bool) -> StepResult {
    let body = json!({
        "name": format!("conformance-{name}"),
        "description": "created by aitbc-conformance",
        "steps": { "fetch": { "type": "http" }, "summarise": { "type": "llm" } },
        "is_public": public,
    });
    world
        .send_as(caller, "POST", "/v1/agents/workflows", Some(body))
        .await?;
    world.expect_status(200)?;
    world.save_string("id", name)
}

#[given(regex = r#"^a workflow "([^"]*)" created by the admin$"#)]
async fn created_by_admin(world: &mut World, name: String) -> StepResult {
    judged!(world, { create(world, Caller::Admin, &name, false).await })
}

#[given(regex = r#"^a public workflow "([^"]*)" created by the other admin$"#)]
async fn public_by_other(world: &mut World, name: String) -> StepResult {
    judged!(world, {
        create(world, Caller::OtherAdmin, &name, true).await
    })
}

#[given(regex = r#"^a private workflow "([^"]*)" created by the other admin$"#)]
async fn private_by_other(world: &mut World, name: String) -> StepResult {
    judged!(world, {
        create(world, Caller::OtherAdmin, &name, false).await
    })
}
