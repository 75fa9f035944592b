//! Agent workflow routes (contract §7): workflows CRUD, execute, execution status and cancel.

use serde_json::{json, Map, Value};

use super::quirks::Quirk;
use super::reply::{required_object, typed_fields, Call, Handled, Reply};
use super::state::{Coordinator, Execution, Role, Workflow};

/// The agents router's word for a caller of another role in the JWT era (contract §12).
const ROLE_REQUIRED: &str = "Role required";
use crate::clock;

const LEVELS: [&str; 3] = ["basic", "full", "zero-knowledge"];

/// The calling admin; in the JWT era another role is refused 403 `Role required`, and under
/// quirk `agents-422` an admin gets the release's 422 (`query.args`, `query.kwargs`).
fn caller(state: &Coordinator, call: &Call) -> Result<String, Reply> {
    let admin = state.authorize_or(call, Role::Admin, ROLE_REQUIRED)?;
    if state.quirk(Quirk::Agents422) {
        let missing =
            |field: &str| json!({ "field": field, "message": "Field required", "code": "missing" });
        return Err(Reply::validation_many(vec![
            missing("query.args"),
            missing("query.kwargs"),
        ]));
    }
    Ok(admin)
}

/// A workflow's optional fields and their types (the contract's `WorkflowCreate`).
const OPTIONAL_FIELDS: &[(&str, &str)] = &[
    ("description", "string?"),
    ("dependencies", "object"),
    ("max_execution_time", "integer"),
    ("max_cost_budget", "number"),
    ("requires_verification", "boolean"),
    ("tags", "array?"),
    ("is_public", "boolean"),
    ("verification_level", "string"),
];

/// `POST /v1/agents/workflows`.
pub(crate) fn create(state: &mut Coordinator, call: &Call) -> Handled {
    let owner = caller(state, call)?;
    let body = call.json_object()?;
    let name = valid_name(&body, state.quirk(Quirk::LongName500))?;
    let steps = required_object(&body, "steps")?;
    typed_fields(&body, OPTIONAL_FIELDS)?;
    let level = body
        .get("verification_level")
        .and_then(Value::as_str)
        .unwrap_or("basic");
    if !LEVELS.contains(&level) {
        return Err(Reply::validation(
            "body.verification_level",
            "Input should be 'basic', 'full' or 'zero-knowledge'",
            "enum",
        ));
    }
    let now = clock::iso_naive(clock::now_micros());
    let field = |k: &str, default: Value| body.get(k).cloned().unwrap_or(default);
    let workflow = json!({
        "id": format!("agent_{}", state.ids.hex(8)),
        "owner_id": owner,
        "name": name,
        "description": field("description", json!("")),
        "steps": steps,
        "dependencies": field("dependencies", json!({})),
        "max_execution_time": field("max_execution_time", json!(3600)),
        "max_cost_budget": field("max_cost_budget", json!(0.0)),
        "requires_verification": field("requires_verification", json!(true)),
        "verification_level": level,
        "tags": field("tags", json!([])),
        "version": "1.0.0",
        "is_public": field("is_public", json!(false)),
        "created_at": now,
        "updated_at": now,
    });
    state.workflows.push(Workflow {
        id: workflow["id"].as_str().unwrap_or_default().to_string(),
        owner: owner.clone(),
        body: workflow.clone(),
    });
    Ok(Reply::ok(workflow))
}

/// The workflow's name (at most 100 characters); `planted_crash`: a longer one is a 500.
fn valid_name(body: &Map<String, Value>, planted_crash: bool) -> Result<String, Reply> {
    match body.get("name") {
        Some(Value::String(name)) if name.chars().count() <= 100 => Ok(name.clone()),
        Some(Value::String(_)) if planted_crash => Err(Reply::json(
            500,
            json!({"error": {"code": "INTERNAL_SERVER_ERROR", "message": "An unexpected error occurred",
                   "status": 500, "details": [{"field": "internal", "message": "value too long for type character varying(100)",
                   "code": "StringDataRightTruncation"}]}}),
        )),
        Some(Value::String(_)) => Err(Reply::validation(
            "body.name",
            "String should have at most 100 characters",
            "string_too_long",
        )),
        _ => Err(Reply::validation("body.name", "Field required", "missing")),
    }
}

/// `GET /v1/agents/workflows`: own and public.
pub(crate) fn list(state: &mut Coordinator, call: &Call) -> Handled {
    let caller = caller(state, call)?;
    let items: Vec<Value> = state
        .workflows
        .iter()
        .filter(|w| w.owner == caller || w.body["is_public"] == json!(true))
        .map(|w| w.body.clone())
        .collect();
    Ok(Reply::ok(Value::Array(items)))
}

/// The workflow `{workflow_id}`: 404 if absent, 403 unless owned (or public and `read_only`).
fn workflow_index(
    state: &Coordinator,
    call: &Call,
    caller: &str,
    read_only: bool,
) -> Result<usize, Reply> {
    let id = call.param("workflow_id");
    let index = state
        .workflows
        .iter()
        .position(|w| w.id == id)
        .ok_or_else(|| Reply::detail(404, "Workflow not found"))?;
    let w = &state.workflows[index];
    let public = read_only && w.body["is_public"] == json!(true);
    if w.owner != caller && !public {
        return Err(Reply::detail(403, "Access denied"));
    }
    Ok(index)
}

/// `GET /v1/agents/workflows/{workflow_id}`.
pub(crate) fn get(state: &mut Coordinator, call: &Call) -> Handled {
    let caller = caller(state, call)?;
    let index = workflow_index(state, call, &caller, true)?;
    Ok(Reply::ok(state.workflows[index].body.clone()))
}

/// `PUT /v1/agents/workflows/{workflow_id}`: updates the given fields.
pub(crate) fn update(state: &mut Coordinator, call: &Call) -> Handled {
    let caller = caller(state, call)?;
    let index = workflow_index(state, call, &caller, false)?;
    let body = call.json_object()?;
    let workflow = &mut state.workflows[index].body;
    for key in [
        "name",
        "description",
        "steps",
        "dependencies",
        "tags",
        "is_public",
    ] {
        if let Some(value) = body.get(key) {
            workflow[key] = value.clone();
        }
    }
    workflow["updated_at"] = json!(clock::iso_naive(clock::now_micros()));
    Ok(Reply::ok(workflow.clone()))
}

/// `DELETE /v1/agents/workflows/{workflow_id}`.
pub(crate) fn delete(state: &mut Coordinator, call: &Call) -> Handled {
    let caller = caller(state, call)?;
    let index = workflow_index(state, call, &caller, false)?;
    let removed = state.workflows.remove(index);
    Ok(Reply::ok(
        json!({ "message": "Workflow deleted successfully", "workflow_id": removed.id }),
    ))
}

/// `POST /v1/agents/workflows/{workflow_id}/execute`.
pub(crate) fn execute(state: &mut Coordinator, call: &Call) -> Handled {
    let caller = caller(state, call)?;
    let index = workflow_index(state, call, &caller, true)?;
    let workflow = state.workflows[index].clone();
    let total_steps = workflow.body["steps"].as_object().map_or(0, Map::len) as u64;
    let max_time = workflow.body["max_execution_time"].as_i64().unwrap_or(3600);
    let now = clock::now_micros();
    let execution = Execution {
        id: format!("exec_{}", state.ids.hex(10)),
        workflow_id: workflow.id,
        owner: caller,
        status: "pending",
        current_step: 0,
        total_steps,
        started_at: now,
        completed_at: None,
    };
    let body = json!({
        "execution_id": execution.id, "workflow_id": execution.workflow_id,
        "status": execution.status, "current_step": 0, "total_steps": total_steps,
        "started_at": clock::iso_naive(now),
        "estimated_completion": clock::iso_naive(now + max_time * 1_000_000),
        "current_cost": 0.0, "estimated_total_cost": 0.0,
    });
    state.executions.push(execution);
    Ok(Reply::ok(body))
}

fn own_execution<'s>(state: &'s mut Coordinator, call: &Call) -> Result<&'s mut Execution, Reply> {
    let caller = caller(state, call)?;
    let id = call.param("execution_id");
    let execution = state
        .executions
        .iter_mut()
        .find(|e| e.id == id)
        .ok_or_else(|| Reply::detail(404, "Execution not found"))?;
    if execution.owner != caller {
        return Err(Reply::detail(403, "Access denied"));
    }
    Ok(execution)
}

/// Each status read moves an execution one step: pending → running (step by step) → completed.
fn advance(e: &mut Execution) {
    match e.status {
        "pending" => e.status = "running",
        "running" if e.current_step < e.total_steps => e.current_step += 1,
        _ => {}
    }
    if e.status == "running" && e.current_step >= e.total_steps {
        e.status = "completed";
        e.completed_at = Some(clock::now_micros());
    }
}

/// `GET /v1/agents/executions/{execution_id}/status`.
pub(crate) fn execution_status(state: &mut Coordinator, call: &Call) -> Handled {
    let e = own_execution(state, call)?;
    advance(e);
    let step_states: Map<String, Value> = (0..e.total_steps)
        .map(|i| {
            let s = if i < e.current_step {
                "completed"
            } else {
                "pending"
            };
            (format!("step_{}", i + 1), json!({ "status": s }))
        })
        .collect();
    let done = e.status == "completed";
    let elapsed = e.completed_at.map(|c| (c - e.started_at) as f64 / 1e6);
    Ok(Reply::ok(json!({
        "execution_id": e.id, "workflow_id": e.workflow_id, "status": e.status,
        "current_step": e.current_step, "total_steps": e.total_steps,
        "step_states": step_states,
        "final_result": if done { json!({ "steps_completed": e.total_steps }) } else { Value::Null },
        "error_message": null, "started_at": clock::iso_naive(e.started_at),
        "completed_at": e.completed_at.map(clock::iso_naive),
        "total_execution_time": elapsed, "total_cost": 0.0, "verification_proof": null,
    })))
}

/// `POST /v1/agents/executions/{execution_id}/cancel`.
pub(crate) fn cancel_execution(state: &mut Coordinator, call: &Call) -> Handled {
    let e = own_execution(state, call)?;
    cancel(e)
}

/// `POST /v1/agents/workflows/{workflow_id}/cancel?execution_id=` (what `aitbc workflow stop`
/// calls): the workflow must be the caller's, the execution one of its own.
pub(crate) fn cancel_workflow(state: &mut Coordinator, call: &Call) -> Handled {
    let caller = caller(state, call)?;
    let Some(execution_id) = call.query("execution_id") else {
        return Err(Reply::fastapi_422(
            "missing",
            ["query", "execution_id"],
            "Field required",
            Value::Null,
        ));
    };
    let index = workflow_index(state, call, &caller, false)?;
    let workflow_id = state.workflows[index].id.clone();
    let e = state
        .executions
        .iter_mut()
        .find(|e| e.id == execution_id && e.workflow_id == workflow_id)
        .ok_or_else(|| Reply::detail(404, "Execution not found"))?;
    cancel(e)
}

/// A pending or running execution becomes cancelled; anything else is 400.
fn cancel(e: &mut Execution) -> Handled {
    if !matches!(e.status, "pending" | "running") {
        return Err(Reply::detail(400, "Execution cannot be cancelled"));
    }
    e.status = "cancelled";
    Ok(Reply::ok(
        json!({ "execution_id": e.id, "status": "cancelled", "message": "Execution cancelled" }),
    ))
}
