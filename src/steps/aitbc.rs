//! Steps that run the user's `aitbc` CLI (`run --cli`) and judge it by the exchanges it made,
//! not by its exit code: the released CLI prints errors and exits 0.

use cucumber::{then, when};

use crate::auth::wallet::Wallet;
use crate::auth::Era;
use crate::consumer::{self, Endpoints, Ran};
use crate::failure::{Failure, FailureClass};
use crate::target::Credential;
use crate::world::{Caller, ConformanceWorld as World, StepResult};

#[when(regex = r#"^I run aitbc "([^"]*)" as "([^"]*)"$"#)]
async fn run_aitbc(world: &mut World, args: String, role: String) -> StepResult {
    judged!(world, {
        let ctx = world.context()?;
        let Some(cli) = ctx.cli.clone() else {
            return Err(Failure::new(
                FailureClass::NotApplicable,
                "no --cli given: the user's aitbc CLI is not run",
            ));
        };
        let caller = Caller::parse(&role)
            .ok_or_else(|| Failure::harness(format!("no role named {role:?}")))?;
        let session = world.session()?;
        let era = session.era;
        let api_key = match (world.credential_for(caller)?, era) {
            (Some(Credential::ApiKey(key)), _) => key,
            // Today's CLI takes a session token as `--api-key`.
            (Some(Credential::Bearer { token, .. }), Era::Jwt) => token,
            // The released CLI sends API keys only; a role without one runs with none.
            _ => String::new(),
        };
        // `auth login --private-key-file {wallet_key_file}`: the scenario's wallet, else a
        // fresh one.
        let wallet_key = args.contains("{wallet_key_file}").then(|| {
            let wallet = world.wallet.clone().unwrap_or_else(Wallet::random);
            let key = wallet.secret_hex();
            world.redact(&key);
            key
        });
        let args = world.expand(&args);
        let session = world.session()?;
        let endpoints = Endpoints {
            coordinator: &session.coordinator_url,
            node: &session.node_url,
            api_key: &api_key,
            era,
            wallet_key: wallet_key.as_deref(),
        };
        let ran = consumer::invoke(&cli, &args, &endpoints, &ctx.http.pooled())
            .await
            .map_err(|e| Failure::harness(e.to_string()))?;
        note_exchanges(&ctx, world.scenario_key().unwrap_or_default(), &ran);
        for seen in &ran.sent {
            note_own_job(&ctx, seen);
            world.keep(exchange_of(seen));
        }
        world.ran = Some(redacted(ran, &ctx.redactor));
        Ok(())
    })
}

/// A job the CLI queued is this run's own (a miner handed it met no foreign queue).
fn note_own_job(ctx: &crate::target::RunContext, seen: &consumer::proxy::Seen) {
    let queued = seen.method == "POST"
        && seen.path.split('?').next() == Some("/v1/jobs")
        && seen.status == 201;
    let body: Option<serde_json::Value> = serde_json::from_slice(&seen.body).ok();
    if let Some(id) = body
        .as_ref()
        .and_then(|b| b.get("job_id")?.as_str())
        .filter(|_| queued)
    {
        ctx.own_jobs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(id.to_string());
    }
}

/// The CLI's exchange as the scenario's log keeps it, so a failed CLI scenario's HAR file
/// shows what the CLI sent (the proxy logs no header: the CLI's credential stays out).
fn exchange_of(seen: &consumer::proxy::Seen) -> crate::exchange::Exchange {
    let request_body = (!seen.request_body.is_empty())
        .then(|| String::from_utf8_lossy(&seen.request_body).into_owned());
    crate::exchange::Exchange {
        method: seen.method.clone(),
        path: seen.path.clone(),
        status: seen.status,
        body: seen.body.clone(),
        json: serde_json::from_slice(&seen.body).ok(),
        trace: crate::exchange::Trace {
            url: seen.url.clone(),
            started_at: seen.started_at,
            elapsed_ms: seen.elapsed_ms,
            request_headers: Vec::new(),
            request_body,
            response_headers: Vec::new(),
            http_version: "HTTP/1.1".into(),
        },
    }
}

/// The CLI's exchanges count in the endpoint table like the harness's own; a route the contract
/// does not know is listed apart.
fn note_exchanges(
    ctx: &crate::target::RunContext,
    scenario: (std::path::PathBuf, usize),
    ran: &Ran,
) {
    // A CLI run that sent nothing still counts: its command was tried.
    ctx.cli_called
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .entry(scenario.clone())
        .or_default();
    for seen in &ran.sent {
        let body: Option<serde_json::Value> = serde_json::from_slice(&seen.body).ok();
        let answer = crate::exchange::endpoints::Answer::Status(seen.status, body.as_ref());
        // Through the CLI's proxy: its times are the CLI's, not the endpoint's.
        ctx.http
            .endpoints
            .record(&seen.method, &seen.path, answer, None);
        let endpoint = ctx.http.endpoints.endpoint_of(&seen.method, &seen.path);
        let route_missing =
            FailureClass::of_status(seen.status, body.as_ref()) == FailureClass::MissingEndpoint;
        *ctx.cli_called
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(scenario.clone())
            .or_default()
            .entry(endpoint.clone())
            .or_default() |= !route_missing;
        if endpoint.ends_with("(unlisted)") {
            let path = seen.path.split('?').next().unwrap_or(&seen.path);
            ctx.cli_unknown_routes
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(format!("{} {path}", seen.method));
        }
    }
}

/// What the CLI printed, with the run's secrets masked (it may echo a key).
fn redacted(mut ran: Ran, redactor: &crate::redact::Redactor) -> Ran {
    ran.stdout = redactor.apply(&ran.stdout);
    ran.stderr = redactor.apply(&ran.stderr);
    ran
}

fn ran(world: &World) -> Result<&Ran, Failure> {
    world
        .ran
        .as_ref()
        .ok_or_else(|| Failure::harness("the scenario ran no aitbc command yet"))
}

/// Why an invocation is not judged further: it never returned.
fn finished(ran: &Ran) -> Result<&Ran, Failure> {
    if ran.timed_out {
        return Err(Failure::new(
            FailureClass::Timeout,
            format!(
                "aitbc {} did not return within {:.0} s and was killed; it sent: {}",
                ran.args,
                ran.elapsed.as_secs_f64(),
                sent_list(ran)
            ),
        ));
    }
    Ok(ran)
}

fn sent_list(ran: &Ran) -> String {
    if ran.sent.is_empty() {
        return "nothing".into();
    }
    let all: Vec<String> = ran.sent.iter().map(consumer::proxy::Seen::brief).collect();
    all.join(", ")
}

#[then(regex = r#"^aitbc sent "([^"]*)" and got (-?[0-9]+)$"#)]
async fn sent_and_got(world: &mut World, endpoint: String, status: u16) -> StepResult {
    judged!(world, {
        let ctx = world.context()?;
        let ran = finished(ran(world)?)?;
        let (method, template) = endpoint
            .split_once(' ')
            .ok_or_else(|| Failure::harness(format!("{endpoint:?} is not \"METHOD /path\"")))?;
        let path_of = |p: &str| p.split('?').next().unwrap_or(p).to_string();
        let hit = ran.sent.iter().find(|s| {
            s.method.eq_ignore_ascii_case(method)
                && crate::templates::template_matches(template, &path_of(&s.path))
        });
        if let Some(seen) = hit {
            if seen.status == status {
                return Ok(());
            }
            if let Some(failure) = wrong_credential_header(world, ran, seen)? {
                return Err(failure);
            }
            let body: Option<serde_json::Value> = serde_json::from_slice(&seen.body).ok();
            // The right route, the wrong answer: classed by what the backend answered.
            let class = FailureClass::of_status(seen.status, body.as_ref());
            return Err(Failure::new(
                class,
                format!(
                    "aitbc {} sent {} {} and got {}, expected {status}: {}",
                    ran.args,
                    seen.method,
                    seen.path,
                    seen.status,
                    String::from_utf8_lossy(&seen.body)
                        .chars()
                        .take(200)
                        .collect::<String>()
                ),
            ));
        }
        // Requests to routes the contract does not know are the CLI's drift, not the backend's.
        let drift: Vec<String> = ran
            .sent
            .iter()
            .filter(|s| {
                ctx.http
                    .endpoints
                    .endpoint_of(&s.method, &s.path)
                    .ends_with("(unlisted)")
            })
            .map(consumer::proxy::Seen::brief)
            .collect();
        if !drift.is_empty() {
            return Err(Failure::new(
                FailureClass::CliDrift,
                format!(
                    "aitbc {} called {}, a route the contract does not know, instead of {endpoint}",
                    ran.args,
                    drift.join(", ")
                ),
            ));
        }
        Err(Failure::new(
            FailureClass::CliError,
            format!(
                "aitbc {} never sent {endpoint} (it sent: {}; exit {}); it printed {}",
                ran.args,
                sent_list(ran),
                ran.exit.map_or("none".into(), |c| c.to_string()),
                ran.printed()
            ),
        ))
    })
}

/// A refusal the CLI earned itself: in the JWT era it sent a client's or an admin's session
/// token as `X-Api-Key`, which that coordinator takes from miners only (contract §12).
fn wrong_credential_header(
    world: &World,
    ran: &Ran,
    seen: &consumer::proxy::Seen,
) -> Result<Option<Failure>, Failure> {
    let miner_route = seen.path.starts_with("/v1/miners");
    let refused = matches!(seen.status, 401 | 403);
    if world.session()?.era != Era::Jwt
        || !refused
        || miner_route
        || seen.credential != Some(consumer::proxy::CredentialHeader::ApiKey)
    {
        return Ok(None);
    }
    Ok(Some(Failure::new(
        FailureClass::CliError,
        format!(
            "aitbc {} sent its credential as {} on {} {} and got {}: this coordinator takes {} from miners only, a session token as Authorization: Bearer",
            ran.args,
            consumer::proxy::CredentialHeader::ApiKey.name(),
            seen.method,
            seen.path,
            seen.status,
            consumer::proxy::CredentialHeader::ApiKey.name(),
        ),
    )))
}

#[then(regex = r#"^aitbc's output has field "([^"]*)"$"#)]
async fn output_has_field(world: &mut World, field: String) -> StepResult {
    judged!(world, { output_field(ran(world)?, &field).map(|_| ()) })
}

#[then(regex = r#"^I save aitbc's output field "([^"]*)" as "([^"]*)"$"#)]
async fn save_output_field(world: &mut World, field: String, name: String) -> StepResult {
    judged!(world, {
        let value = output_field(ran(world)?, &field)?;
        let text = value
            .as_str()
            .map_or_else(|| value.to_string(), String::from);
        world.vars.insert(name, text);
        Ok(())
    })
}

fn output_field(ran: &Ran, field: &str) -> Result<serde_json::Value, Failure> {
    let ran = finished(ran)?;
    let output = ran.output().ok_or_else(|| {
        Failure::new(
            FailureClass::CliError,
            format!(
                "aitbc {} printed no JSON; it printed {}",
                ran.args,
                ran.printed()
            ),
        )
    })?;
    crate::json_path::lookup(&output, field)
        .cloned()
        .ok_or_else(|| {
            Failure::new(
                FailureClass::CliError,
                format!(
                    "aitbc {} printed JSON without the field {field:?}: {}",
                    ran.args,
                    crate::json_path::brief(&output, 200)
                ),
            )
        })
}

#[then(regex = r#"^aitbc exited (-?[0-9]+)$"#)]
async fn exited(world: &mut World, code: i32) -> StepResult {
    judged!(world, {
        let ran = finished(ran(world)?)?;
        if ran.exit == Some(code) {
            return Ok(());
        }
        Err(Failure::new(
            FailureClass::CliError,
            format!(
                "aitbc {} exited {}, expected {code}; it printed {}",
                ran.args,
                ran.exit.map_or("without a code".into(), |c| c.to_string()),
                ran.printed()
            ),
        ))
    })
}
