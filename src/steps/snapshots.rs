//! The snapshot step: the last response, normalised, against `snapshots/<feature>/<name>.snap`.

use cucumber::then;

use crate::failure::Failure;
use crate::snapshot;
use crate::world::{ConformanceWorld as World, StepResult};

#[then(regex = r#"^the response matches the snapshot "([^"]*)"$"#)]
async fn matches_snapshot(world: &mut World, name: String) -> StepResult {
    judged!(world, {
        let ctx = world.context()?;
        let Some(run) = ctx.snapshots.as_ref() else {
            return Ok(());
        };
        let last = world.last()?.clone();
        let feature = world
            .feature_path()
            .ok_or_else(|| Failure::harness("the scenario has no feature file"))?
            .to_path_buf();
        let tag = world.tag();
        let text = snapshot::render(
            &last,
            &mut world.placeholders,
            &run.fields,
            &ctx.redactor,
            &tag,
        );
        let path = world.placeholders.in_path(&last.path);
        let request = ctx.redactor.apply(&format!("{} {path}", last.method));
        let request = if tag.is_empty() {
            request
        } else {
            request.replace(&tag, "[tag]")
        };
        snapshot::assert_in_era(run, &feature, &name, &text, &request).map(|_| ())
    })
}
