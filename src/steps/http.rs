//! Generic steps: who calls, what is sent, and what the answer must look like.

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use serde_json::Value;

use super::{docstring, parse_json};
use crate::auth::Era;
use crate::failure::{Failure, FailureClass};
use crate::json_path;
use crate::world::{Caller, ConformanceWorld as World, StepResult};

#[given(regex = r#"^I authenticate as "([^"]*)"$"#)]
async fn authenticate(world: &mut World, role: String) -> StepResult {
    judged!(world, {
        world.caller = Caller::parse(&role).ok_or_else(|| {
        Failure::harness(format!(
            "unknown role {role:?}: use client, other-client, miner, admin, other-admin, none, empty or unknown"
        ))
    })?;
        Ok(())
    })
}

#[when(regex = r"^I send (GET|POST|PUT|DELETE|PATCH) (\S+)$")]
async fn send(world: &mut World, method: String, path: String) -> StepResult {
    judged!(world, {
        world.send(&method, path.trim_matches('"'), None).await
    })
}

#[when(regex = r"^I send (GET|POST|PUT|DELETE|PATCH) (\S+) with body:$")]
async fn send_with_body(
    world: &mut World,
    step: &Step,
    method: String,
    path: String,
) -> StepResult {
    judged!(world, {
        let body = parse_json(&world.expand(docstring(step)?))?;
        world
            .send(&method, path.trim_matches('"'), Some(body))
            .await
    })
}

#[then(regex = r#"^the response status is (-?[0-9]+)$"#)]
async fn status_is(world: &mut World, status: u16) -> StepResult {
    judged!(world, { world.expect_status(status) })
}

/// The credential got past auth: any answer but 401/403. The route's own health (a 500 behind
/// the check) belongs to the command that owns the route, not to `auth login`.
#[then("the credential is accepted")]
async fn key_accepted(world: &mut World) -> StepResult {
    judged!(world, {
        let last = world.last()?;
        if !matches!(last.status, 401 | 403) {
            return Ok(());
        }
        Err(Failure::new(
            FailureClass::Auth,
            format!("the credential was refused: {}", last.describe()),
        ))
    })
}

#[then("the response body is empty")]
async fn body_is_empty(world: &mut World) -> StepResult {
    judged!(world, {
        let last = world.last()?;
        if last.body.is_empty() {
            return Ok(());
        }
        Err(Failure::contract(format!(
            "expected an empty body, got {}",
            last.describe()
        )))
    })
}

#[then("the response body is:")]
async fn body_is(world: &mut World, step: &Step) -> StepResult {
    judged!(world, {
        let expected = parse_json(&world.expand(docstring(step)?))?;
        let actual = world.field("")?;
        if json_path::equals(actual, &expected) {
            return Ok(());
        }
        Err(Failure::contract(format!(
            "the body differs: expected {}, got {}",
            json_path::brief(&expected, 300),
            json_path::brief(actual, 300)
        )))
    })
}

#[then("the response body contains:")]
async fn body_contains(world: &mut World, step: &Step) -> StepResult {
    judged!(world, {
        let expected = parse_json(&world.expand(docstring(step)?))?;
        let actual = world.field("")?;
        if json_path::contains(actual, &expected) {
            return Ok(());
        }
        Err(Failure::contract(format!(
            "the body does not contain {}: got {}",
            json_path::brief(&expected, 300),
            json_path::brief(actual, 300)
        )))
    })
}

/// `the response field "state" is "QUEUED"` — the right side is a JSON literal.
#[then(regex = r#"^the response field "([^"]*)" is (.+)$"#)]
async fn field_is(world: &mut World, field: String, literal: String) -> StepResult {
    judged!(world, {
        let expected = parse_json(&world.expand(&literal))?;
        let actual = world.field(&field)?;
        if json_path::equals(actual, &expected) {
            return Ok(());
        }
        let class = if matches!(field.rsplit('.').next(), Some("state" | "status")) {
            FailureClass::State
        } else {
            FailureClass::Contract
        };
        Err(Failure::new(
            class,
            format!(
                "field {field:?} is {}, expected {}",
                json_path::brief(actual, 200),
                expected
            ),
        ))
    })
}

/// `the listed GPU "0" keeps its registered capabilities ["inference"]`: what a register call
/// gave, read back from a list, named in the failure as a person would say it.
#[then(regex = r#"^the listed GPU "([^"]*)" keeps its registered (\w+) (.+)$"#)]
async fn listed_keeps(
    world: &mut World,
    index: String,
    name: String,
    literal: String,
) -> StepResult {
    judged!(world, {
        let expected = parse_json(&world.expand(&literal))?;
        let actual = world.field(&format!("{index}.{name}"))?;
        if json_path::equals(actual, &expected) {
            return Ok(());
        }
        Err(Failure::contract(format!(
            "the GPU was registered with {name} {expected}; the list shows {}",
            json_path::brief(actual, 200)
        )))
    })
}

/// A field whose text the eras spell differently (a failed job's `error`: `CODE: message` in
/// the API-key era, the message alone in the JWT era), one table row per era.
#[then(regex = r#"^the response field "([^"]*)" is, by era:$"#)]
async fn field_is_by_era(world: &mut World, step: &Step, field: String) -> StepResult {
    judged!(world, {
        let era = world.session()?.era;
        let rows = step
            .table
            .as_ref()
            .map(|t| t.rows.clone())
            .unwrap_or_default();
        let expected = rows
            .iter()
            .find(|row| row.first().map(String::as_str) == Some(era.name()))
            .and_then(|row| row.get(1))
            .ok_or_else(|| {
                Failure::harness(format!("the step's table has no row for the {era} era"))
            })?;
        let expected = Value::String(world.expand(expected));
        let actual = world.field(&field)?;
        if json_path::equals(actual, &expected) {
            return Ok(());
        }
        Err(Failure::contract(format!(
            "field {field:?} is {}, expected {expected} in the {era} era",
            json_path::brief(actual, 200)
        )))
    })
}

/// `When 1.2 seconds have passed` (a job's time to live, which every release raises to at
/// least a second, runs out): a live target is waited for; the double's clock is moved ahead.
#[when(regex = r"^([0-9]+(?:\.[0-9]+)?) seconds? (?:have|has) passed$")]
async fn time_passes(world: &mut World, seconds: String) -> StepResult {
    judged!(world, {
        let seconds: f64 = seconds
            .parse()
            .map_err(|_| Failure::harness(format!("{seconds:?} is not a number of seconds")))?;
        let by = std::time::Duration::from_secs_f64(seconds);
        match &world.session()?.double {
            Some(double) => double.let_time_pass(by),
            None => tokio::time::sleep(by).await,
        }
        Ok(())
    })
}

/// `the response field "constraints" includes {"gpu": null}` — every key given, with its value
/// (a later era may add keys of its own).
#[then(regex = r#"^the response field "([^"]*)" includes (.+)$"#)]
async fn field_includes(world: &mut World, field: String, literal: String) -> StepResult {
    judged!(world, {
        let expected = parse_json(&world.expand(&literal))?;
        let actual = world.field(&field)?;
        if json_path::contains(actual, &expected) {
            return Ok(());
        }
        Err(Failure::contract(format!(
            "field {field:?} does not include {}: it is {}",
            json_path::brief(&expected, 200),
            json_path::brief(actual, 300)
        )))
    })
}

#[then(regex = r#"^the response field "([^"]*)" matches "([^"]*)"$"#)]
async fn field_matches(world: &mut World, field: String, pattern: String) -> StepResult {
    judged!(world, {
        let re = regex::Regex::new(&pattern)
            .map_err(|e| Failure::harness(format!("bad pattern {pattern:?}: {e}")))?;
        let actual = world.field(&field)?;
        match actual.as_str() {
            Some(text) if re.is_match(text) => Ok(()),
            _ => Err(Failure::contract(format!(
                "field {field:?} is {}, which does not match /{pattern}/",
                json_path::brief(actual, 200)
            ))),
        }
    })
}

#[then(regex = r#"^the response field "([^"]*)" matches "([^"]*)" or is null$"#)]
async fn field_null_or_matches(world: &mut World, field: String, pattern: String) -> StepResult {
    judged!(world, {
        if world.field(&field)?.is_null() {
            return Ok(());
        }
        field_matches(world, field, pattern).await
    })
}

#[then(regex = r#"^the response field "([^"]*)" has (-?[0-9]+) item(?:s)?$"#)]
async fn field_has_items(world: &mut World, field: String, count: usize) -> StepResult {
    judged!(world, {
        let actual = world.field(&field)?;
        match actual.as_array() {
            Some(items) if items.len() == count => Ok(()),
            Some(items) => Err(Failure::contract(format!(
                "field {field:?} has {} items, expected {count}",
                items.len()
            ))),
            None => Err(Failure::contract(format!(
                "field {field:?} is not a list: {}",
                json_path::brief(actual, 200)
            ))),
        }
    })
}

#[then(regex = r#"^the response field "([^"]*)" holds at most (-?[0-9]+) item(?:s)?$"#)]
async fn field_has_at_most(world: &mut World, field: String, max: usize) -> StepResult {
    judged!(world, {
        let actual = world.field(&field)?;
        match actual.as_array() {
            Some(items) if items.len() <= max => Ok(()),
            _ => Err(Failure::contract(format!(
                "field {field:?} is not a list of at most {max} items: {}",
                json_path::brief(actual, 200)
            ))),
        }
    })
}

/// `each item of "" has "status" equal to "available"` — the right side is a JSON literal.
#[then(regex = r#"^each item of "([^"]*)" has "([^"]*)" equal to (.+)$"#)]
async fn each_item_equals(
    world: &mut World,
    field: String,
    key: String,
    literal: String,
) -> StepResult {
    judged!(world, {
        let expected = parse_json(&world.expand(&literal))?;
        each_item(
            world,
            &field,
            &key,
            |v| json_path::equals(v, &expected),
            &format!("= {expected}"),
        )
    })
}

#[then(regex = r#"^each item of "([^"]*)" has "([^"]*)" at most (-?[0-9.]+)$"#)]
async fn each_item_at_most(world: &mut World, field: String, key: String, max: f64) -> StepResult {
    judged!(world, {
        // The JWT era spells money as decimal strings (contract §12); the API-key era as numbers.
        let text_money = world.session()?.era == Era::Jwt;
        let amount = move |v: &Value| match v {
            Value::String(s) if text_money => s.parse::<f64>().ok(),
            other => other.as_f64(),
        };
        each_item(
            world,
            &field,
            &key,
            |v| amount(v).is_some_and(|n| n <= max),
            &format!("≤ {max}"),
        )
    })
}

fn each_item(
    world: &World,
    field: &str,
    key: &str,
    ok: impl Fn(&Value) -> bool,
    wanted: &str,
) -> StepResult {
    let list = world.field(field)?;
    let items = list
        .as_array()
        .ok_or_else(|| Failure::contract(format!("field {field:?} is not a list")))?;
    match items
        .iter()
        .position(|item| !item.get(key).is_some_and(&ok))
    {
        None => Ok(()),
        Some(i) => Err(Failure::contract(format!(
            "item {i} of {field:?} has {key:?} = {}, expected {wanted}",
            items[i]
                .get(key)
                .map_or("(absent)".to_string(), |v| v.to_string())
        ))),
    }
}

#[then(regex = r#"^I save the response field "([^"]*)" as "([^"]*)"$"#)]
async fn save_field(world: &mut World, field: String, name: String) -> StepResult {
    judged!(world, {
        let value = world.field(&field)?;
        let text = value
            .as_str()
            .map_or_else(|| value.to_string(), String::from);
        world.vars.insert(name, text);
        Ok(())
    })
}

#[then(regex = r#"^"([^"]*)" is (-?[0-9]+) seconds after "([^"]*)"$"#)]
async fn seconds_after(
    world: &mut World,
    later: String,
    seconds: i64,
    earlier: String,
) -> StepResult {
    judged!(world, {
        let time = |field: &str| -> Result<i64, Failure> {
            let value = world.field(field)?;
            value
                .as_str()
                .and_then(crate::clock::parse_iso)
                .ok_or_else(|| {
                    Failure::contract(format!("field {field:?} is not an ISO-8601 time: {value}"))
                })
        };
        let (a, b) = (time(&later)?, time(&earlier)?);
        if a - b == seconds * 1_000_000 {
            return Ok(());
        }
        Err(Failure::contract(format!(
            "{later:?} is {:.6} s after {earlier:?}, expected {seconds} s",
            (a - b) as f64 / 1e6
        )))
    })
}

#[then(regex = r#"^the response field "([^"]*)" holds a whole number$"#)]
async fn field_is_integer(world: &mut World, field: String) -> StepResult {
    judged!(world, {
        let actual = world.field(&field)?;
        if actual.is_u64() || actual.is_i64() {
            return Ok(());
        }
        Err(Failure::contract(format!(
            "field {field:?} is {actual}, expected a whole number"
        )))
    })
}

/// Finds the list at `field` and whether an item has `key` equal to the JSON literal.
fn list_has_item(world: &World, field: &str, key: &str, literal: &str) -> Result<bool, Failure> {
    let expected = parse_json(&world.expand(literal))?;
    let list = world.field(field)?;
    let items = list
        .as_array()
        .ok_or_else(|| Failure::contract(format!("field {field:?} is not a list")))?;
    Ok(items.iter().any(|item| {
        item.get(key)
            .is_some_and(|v| json_path::equals(v, &expected))
    }))
}

#[then(regex = r#"^the list "([^"]*)" has an item with "([^"]*)" equal to (.+)$"#)]
async fn list_contains(
    world: &mut World,
    field: String,
    key: String,
    literal: String,
) -> StepResult {
    judged!(world, {
        if list_has_item(world, &field, &key, &literal)? {
            return Ok(());
        }
        Err(Failure::contract(format!(
            "no item of {field:?} has {key:?} = {}",
            world.expand(&literal)
        )))
    })
}

#[then(regex = r#"^the list "([^"]*)" has no item with "([^"]*)" equal to (.+)$"#)]
async fn list_lacks(world: &mut World, field: String, key: String, literal: String) -> StepResult {
    judged!(world, {
        if !list_has_item(world, &field, &key, &literal)? {
            return Ok(());
        }
        Err(Failure::contract(format!(
            "an item of {field:?} has {key:?} = {}",
            world.expand(&literal)
        )))
    })
}
