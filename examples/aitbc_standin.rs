//! A stand-in for the user's `aitbc` CLI, for the harness's own tests of `run --cli` (the real
//! CLI is on no registry). It behaves as the released one does for a few commands (shared/cli.md):
//! configuration from `~/.aitbc/config.yaml` and `multichain_config.yaml`, `--output json`, errors
//! printed with exit 0. Like the release, `agent list` calls the wrong prefix (`/api/v1/…`) and
//! `miner mine` polls for ever on an empty queue. Anything else is click's usage error (exit 2).
//! Where `./.aitbc.yaml` exists it plays today's CLI (JWT era) instead: `--api-key` sent as a
//! Bearer token by `ai submit|status|jobs`, `workflow run` sending COORDINATOR_API_KEY as
//! X-Api-Key (as the real one does), `chain sync-status --node-url`.

use std::io::{Read, Write};
use std::net::TcpStream;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--version") {
        println!("aitbc, version 0.1.0");
        return;
    }
    if let Ok(config) = std::fs::read_to_string(".aitbc.yaml") {
        return today(&config, args);
    }
    if args.first().map(String::as_str) == Some("--output") {
        args.drain(..2.min(args.len()));
    }
    let home = std::env::var("HOME").unwrap_or_default();
    let read =
        |name: &str| std::fs::read_to_string(format!("{home}/.aitbc/{name}")).unwrap_or_default();
    let config = read("config.yaml");
    let field = |text: &str, key: &str| {
        text.lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix(&format!("{key}:"))
                    .map(|v| v.trim().to_string())
            })
            .unwrap_or_default()
    };
    let coordinator = field(&config, "coordinator_url");
    let key = field(&config, "api_key");
    let node = field(&read("multichain_config.yaml"), "endpoint");
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let option = |name: &str| option_value(&words, name);
    let answer = match words.as_slice() {
        ["client", "submit", ..] => {
            let body = format!(
                r#"{{"payload":{{"type":"{}","prompt":"{}","model":"{}"}}}}"#,
                option("--type"),
                option("--prompt"),
                option("--model")
            );
            send(&coordinator, "POST", "/v1/jobs", &key, Some(&body))
        }
        ["client", "status", id] => {
            send(&coordinator, "GET", &format!("/v1/jobs/{id}"), &key, None)
        }
        ["client", "cancel", id] => send(
            &coordinator,
            "POST",
            &format!("/v1/jobs/{id}/cancel"),
            &key,
            None,
        ),
        ["agent", "list", ..] => send(&coordinator, "GET", "/api/v1/agents/workflows", &key, None),
        ["blockchain", "head", ..] => {
            let path = format!("/rpc/head?chain_id={}", option("--chain-id"));
            send(&node, "GET", &path, "", None)
        }
        ["miner", "mine", ..] => mine(&coordinator, &key),
        _ => {
            eprintln!("Usage: aitbc [OPTIONS] COMMAND [ARGS]...\nError: No such command.");
            std::process::exit(2);
        }
    };
    print(answer);
}

/// The word after `--name` (`""` when absent).
fn option_value<'a>(words: &[&'a str], name: &str) -> &'a str {
    words
        .iter()
        .position(|w| *w == name)
        .and_then(|i| words.get(i + 1))
        .copied()
        .unwrap_or("")
}

fn print(answer: std::io::Result<(u16, String)>) {
    match answer {
        Ok((status, body)) if status < 400 => println!("{body}"),
        Ok((status, body)) => println!("Error: HTTP {status}: {body}"),
        Err(e) => println!("Error: Network error: {e}"),
    }
}

/// Today's CLI (JWT era): global options first, then the command.
fn today(config: &str, mut args: Vec<String>) {
    let coordinator = config
        .lines()
        .find_map(|l| l.trim().strip_prefix("coordinator_api_url:"))
        .map(|v| v.trim().to_string())
        .unwrap_or_default();
    let mut token = String::new();
    while let Some(first) = args.first().cloned() {
        match first.as_str() {
            "--api-key" if args.len() > 1 => token = args[1].clone(),
            "--output" if args.len() > 1 => {}
            _ => break,
        }
        args.drain(..2);
    }
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let option = |name: &str| option_value(&words, name);
    let bearer = format!("Authorization: Bearer {token}");
    let answer = match words.as_slice() {
        ["ai", "submit", ..] => {
            let body = format!(
                r#"{{"payload":{{"type":"{}","prompt":"{}","model":"{}"}},"constraints":{{}},"ttl_seconds":900}}"#,
                option("--type"),
                option("--prompt"),
                option("--model")
            );
            send_with(&coordinator, "POST", "/v1/jobs", &bearer, Some(&body))
        }
        ["ai", "status", ..] => {
            let path = format!("/v1/jobs/{}", option("--job-id"));
            send_with(&coordinator, "GET", &path, &bearer, None)
        }
        ["ai", "jobs", ..] => {
            let path = format!("/v1/jobs?limit={}", option("--limit"));
            send_with(&coordinator, "GET", &path, &bearer, None)
        }
        ["workflow", "run", name] => {
            let key = std::env::var("COORDINATOR_API_KEY").unwrap_or_default();
            let path = format!("/v1/agents/workflows/{name}/execute");
            let body = format!(r#"{{"workflow_id":"{name}","inputs":{{}}}}"#);
            send_with(
                &coordinator,
                "POST",
                &path,
                &format!("X-API-Key: {key}"),
                Some(&body),
            )
        }
        ["chain", "sync-status", ..] => sync_status(option("--node-url")),
        _ => {
            eprintln!("Usage: aitbc [OPTIONS] COMMAND [ARGS]...\nError: No such command.");
            std::process::exit(2);
        }
    };
    print(answer);
}

/// The node's chains, then the head of the first.
fn sync_status(node: &str) -> std::io::Result<(u16, String)> {
    let (status, info) = send_with(node, "GET", "/rpc/network-info", "", None)?;
    if status >= 400 {
        return Ok((status, info));
    }
    let chain = info
        .split("\"supported_chains\":[\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or("");
    send_with(
        node,
        "GET",
        &format!("/rpc/head?chain_id={chain}"),
        "",
        None,
    )
}

/// Polls until a job comes (for ever on an empty queue), then posts its result.
fn mine(coordinator: &str, key: &str) -> std::io::Result<(u16, String)> {
    loop {
        let (status, body) = send(
            coordinator,
            "POST",
            "/v1/miners/poll",
            key,
            Some("{\"max_wait_seconds\":1}"),
        )?;
        if status == 200 {
            let id = body
                .split("\"job_id\":\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .unwrap_or("");
            let path = format!("/v1/miners/{id}/result");
            return send(
                coordinator,
                "POST",
                &path,
                key,
                Some("{\"result\":{\"output\":\"ok\"}}"),
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// One HTTP/1.1 request with the released CLI's `X-Api-Key`; (status, body).
fn send(
    base: &str,
    method: &str,
    path: &str,
    key: &str,
    body: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let header = if key.is_empty() {
        String::new()
    } else {
        format!("X-Api-Key: {key}")
    };
    send_with(base, method, path, &header, body)
}

/// One HTTP/1.1 request on a connection of its own, with one extra header line; (status, body).
fn send_with(
    base: &str,
    method: &str,
    path: &str,
    header: &str,
    body: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let host = base.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(host)?;
    let body = body.unwrap_or("");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !header.is_empty() {
        request.push_str(&format!("{header}\r\n"));
    }
    if !body.is_empty() {
        request.push_str("Content-Type: application/json\r\n");
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes())?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    Ok((status, body))
}
