//! Marketplace routes (contract §8, no auth): GPU list with filters, GPU register. In the JWT
//! era registering takes a miner's key and money fields are decimal strings (contract §12).

use serde_json::{json, Value};

use super::quirks::Quirk;
use super::reply::{Call, Handled, Reply};
use super::state::{Coordinator, Role};
use crate::auth::Era;
use crate::clock;

/// `GET /v1/marketplace/gpu/list?available=&price_max=&region=&model=&limit=`.
pub(crate) fn list(state: &mut Coordinator, call: &Call) -> Handled {
    let limit = match call.query("limit") {
        None => 100,
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=500).contains(&n) => n,
            _ if state.quirk(Quirk::NegativeLimitAccepted)
                && text.parse::<i64>().is_ok_and(|n| n < 1) =>
            {
                100
            }
            Ok(n) if n < 1 => {
                return Err(bad_limit(
                    "greater than or equal to 1",
                    "greater_than_equal",
                ))
            }
            Ok(_) => return Err(bad_limit("less than or equal to 500", "less_than_equal")),
            Err(_) => return Err(bad_limit("a valid integer", "int_parsing")),
        },
    };
    let available = match call.query("available").as_deref() {
        None => None,
        Some("true" | "1") => Some(true),
        Some("false" | "0") => Some(false),
        Some(_) => {
            return Err(query_error(
                "available",
                "Input should be a valid boolean",
                "bool_parsing",
            ))
        }
    };
    let price_max = match call.query("price_max") {
        None => None,
        Some(text) => Some(text.parse::<f64>().map_err(|_| {
            query_error(
                "price_max",
                "Input should be a valid number",
                "float_parsing",
            )
        })?),
    };
    let region = call.query("region");
    let model = call.query("model").map(|m| m.to_lowercase());
    let items: Vec<Value> = state
        .gpus
        .iter()
        .filter(|g| available.is_none_or(|a| (g["status"] == "available") == a))
        .filter(|g| price_max.is_none_or(|p| g["price_per_hour"].as_f64().unwrap_or(f64::MAX) <= p))
        .filter(|g| region.as_ref().is_none_or(|r| g["region"] == r.as_str()))
        .filter(|g| {
            model.as_ref().is_none_or(|m| {
                g["model"]
                    .as_str()
                    .is_some_and(|have| have.to_lowercase().contains(m))
            })
        })
        .take(limit)
        .cloned()
        .collect();
    let items = if state.era == Era::Jwt {
        items.into_iter().map(price_as_text).collect()
    } else {
        items
    };
    Ok(Reply::ok(Value::Array(items)))
}

fn query_error(field: &str, message: &str, code: &str) -> Reply {
    Reply::validation(&format!("query.{field}"), message, code)
}

fn bad_limit(bound: &str, code: &str) -> Reply {
    query_error("limit", &format!("Input should be {bound}"), code)
}

/// The hourly price of a GPU registered without one.
const DEFAULT_PRICE: f64 = 0.05;

/// `POST /v1/marketplace/gpu/register` with `{"gpu":{…}}`.
pub(crate) fn register(state: &mut Coordinator, call: &Call) -> Handled {
    if state.era == Era::Jwt {
        state.authorize(call, Role::Miner)?;
    }
    let body = call.json_object()?;
    let gpu = body
        .get("gpu")
        .and_then(Value::as_object)
        .ok_or_else(|| Reply::validation("body.gpu", "Field required", "missing"))?;
    let get = |k: &str| gpu.get(k).cloned().unwrap_or(Value::Null);
    // As the coordinator: a GPU registered without a name is an "Unknown GPU".
    let name = gpu
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("Unknown GPU")
        .to_string();
    // …priced at 0.05 an hour when no price is given.
    let price = gpu
        .get("price_per_hour")
        .cloned()
        .unwrap_or(json!(DEFAULT_PRICE));
    let id = format!("gpu_{}", state.ids.hex(8));
    let drops = state.quirk(Quirk::GpuRegisterDropsRegion);
    let (region, capabilities) = if drops {
        (json!("default"), json!([]))
    } else {
        (
            get("region"),
            gpu.get("capabilities")
                .cloned()
                .unwrap_or_else(|| json!([])),
        )
    };
    state.gpus.push(json!({
        "id": id, "miner_id": get("miner_id"), "model": name, "memory_gb": get("memory"),
        "cuda_version": get("cuda_version"), "region": region,
        "price_per_hour": price, "status": "available",
        "capabilities": capabilities,
        "created_at": clock::iso_utc(clock::now_micros()),
        "average_rating": 0.0, "total_reviews": 0,
    }));
    let message = format!("GPU {name} registered successfully");
    let answer = match state.era {
        Era::ApiKey => json!({
            "gpu_id": id, "status": "registered", "message": message,
            "base_price": price, "dynamic_price": price, "pricing_strategy": "market_balance",
        }),
        Era::Jwt => json!({
            "gpu_id": id, "status": "registered", "message": message,
            "price_per_hour": text_of(&price),
        }),
    };
    Ok(Reply::ok(answer))
}

/// A listed GPU with its hourly price as the JWT era spells money: a decimal string.
fn price_as_text(mut gpu: Value) -> Value {
    if let Some(price) = gpu.get("price_per_hour").and_then(Value::as_f64) {
        gpu["price_per_hour"] = json!(format!("{price:.8}"));
    }
    gpu
}

fn text_of(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), String::from)
}

/// `GET /v1/marketplace/gpu/{gpu_id}`.
pub(crate) fn get(state: &mut Coordinator, call: &Call) -> Handled {
    let id = call.param("gpu_id");
    state
        .gpus
        .iter()
        .find(|g| g["id"] == id)
        .cloned()
        .map(Reply::ok)
        .ok_or_else(|| Reply::detail(404, &format!("GPU {id} not found")))
}
