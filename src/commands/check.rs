//! `check`: the pre-deploy question — does the build still serve every endpoint each command
//! needs? From the services' documents, or by probing; a table, `check.json` and `check.md`.

use std::time::Instant;

use super::{say, tell};
use crate::catalog::Catalogs;
use crate::cli::CheckArgs;
use crate::error::{InputError, RunError, Unreachable};
use crate::exit;
use crate::openapi::discovery::{self, CheckReport, Keeps};
use crate::openapi::load::{self, LoadError, Source};
use crate::openapi::probe::Presence;
use crate::openapi::Service;

/// `check`.
pub(crate) fn check(args: &CheckArgs) -> Result<u8, RunError> {
    let started = Instant::now();
    let catalogs = Catalogs::load(&args.suite.fixtures)?;
    let target = crate::config::target_of(
        &args.suite.fixtures,
        &args.live,
        &args.judge.profile,
        args.judge.era,
    )?;
    // The era's commands: the double's, or the one given; a live `auto` target is judged by
    // the API-key era's catalog unless --era says otherwise.
    let catalog = catalogs.of(target.era_hint());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(RunError::Runtime)?;
    let trust = target.trust();
    if trust.insecure {
        tell("WARNING: --insecure: the target's TLS certificate is not verified\n");
    }
    let builder = reqwest::Client::builder()
        .pool_max_idle_per_host(32)
        .no_proxy();
    let client = trust
        .build()?
        .apply(builder)
        .build()
        .map_err(|e| RunError::Double(format!("cannot build the HTTP client: {e}")))?;
    let outcome = runtime.block_on(async {
        let (coordinator, node, double) = super::documents::urls(&target).await;
        let mut targets = Vec::new();
        for (service, base) in [(Service::Coordinator, &coordinator), (Service::Node, &node)] {
            let source = args.openapi.source(service, base);
            let document = match load::load(&client, &source, args.judge.timeout).await {
                Ok(document) => Ok(document),
                // A file the user named that is not a document is bad input.
                Err(e) if matches!(source, Source::File(_)) => {
                    return Err(RunError::Input(InputError::Flag {
                        flag: flag_of(service),
                        message: e.to_string(),
                    }));
                }
                Err(LoadError::Unreachable { message, .. }) => {
                    return Err(RunError::Unreachable(Unreachable {
                        what: service.name(),
                        url: base.clone(),
                        reason: message,
                        answered: false,
                    }));
                }
                Err(e) => {
                    tell(&format!(
                        "the {} publishes no usable document ({e}): probing each endpoint instead\n",
                        service.name()
                    ));
                    Err(e.to_string())
                }
            };
            targets.push(discovery::Target {
                service,
                url: Some(base.as_str()),
                document_source: super::documents::describe(&source, &target),
                document,
            });
        }
        let report = discovery::discover(catalog, &targets, &client, args.judge.timeout).await;
        drop(double);
        Ok(report)
    });
    let report = outcome?;
    say(&render(&report, started.elapsed().as_secs_f64()));
    write(args, &report)?;
    Ok(if report.loses() {
        exit::SCENARIO_FAILED
    } else {
        exit::SUCCESS
    })
}

fn flag_of(service: Service) -> &'static str {
    match service {
        Service::Coordinator => "--openapi-coordinator",
        Service::Node => "--openapi-node",
    }
}

/// The terminal table: one line per command, then what is missing, unknown or new.
pub(crate) fn render(report: &CheckReport, seconds: f64) -> String {
    let mut out = render_services(report);
    out.push_str(&render_commands(report));
    out.push_str(&render_unknown(report));
    out.push_str(&render_tally(report, seconds));
    out
}

/// One line per service: what judged it (a document, or probes and why).
fn render_services(report: &CheckReport) -> String {
    let clip = crate::report::terminal::clip;
    let mut out = String::new();
    for s in &report.services {
        let judged = match (&s.operations, &s.document_error) {
            (Some(n), _) => format!("document ({n} operations) from {}", s.document_source),
            (None, Some(e)) if s.denies_unknown_routes => format!(
                "probes — no usable document ({}); it denies unknown routes, so a 401/403 decides nothing",
                clip(e, 120)
            ),
            (None, Some(e)) => format!("probes — no usable document ({})", clip(e, 120)),
            (None, None) => "nothing".into(),
        };
        out.push_str(&format!("{:<11} {judged}\n", s.service.name()));
    }
    out
}

/// One row per command: whether it keeps what it needs, and the endpoints that say why.
fn render_commands(report: &CheckReport) -> String {
    let width = report
        .commands
        .iter()
        .map(|c| c.command.len())
        .max()
        .unwrap_or(0)
        .max(7);
    let mut out = format!(
        "\n{:<width$} {:<20} endpoints\n",
        "command", "keeps what it needs"
    );
    for c in &report.commands {
        let endpoints: Vec<String> = c
            .endpoints
            .iter()
            .filter(|e| e.presence != Presence::Declared || !e.added_required.is_empty())
            .map(|e| {
                let mut text = format!("{} {} ({})", e.endpoint, presence(e.presence), e.evidence);
                if !e.added_required.is_empty() {
                    text.push_str(&format!(" now requires {}", e.added_required.join(", ")));
                }
                text
            })
            .collect();
        let rest = if endpoints.is_empty() {
            format!("all {} declared", c.endpoints.len())
        } else {
            endpoints.join("; ")
        };
        out.push_str(&format!(
            "{:<width$} {:<20} {rest}\n",
            c.command,
            c.keeps.as_str()
        ));
    }
    out
}

/// The declared operations the contract does not know, the first eight named.
fn render_unknown(report: &CheckReport) -> String {
    if report.unknown_to_contract.is_empty() {
        return String::new();
    }
    let n = report.unknown_to_contract.len();
    let first: Vec<&str> = report
        .unknown_to_contract
        .iter()
        .take(8)
        .map(String::as_str)
        .collect();
    format!(
        "\n{n} declared operation(s) the contract does not know (all in check.json): {}{}\n",
        first.join(", "),
        if n > 8 { ", …" } else { "" }
    )
}

/// The count of typed commands that keep what they need, then the other routes that lose one.
fn render_tally(report: &CheckReport, seconds: f64) -> String {
    let typed = |c: &&crate::openapi::discovery::CommandReport| c.group.is_cli();
    let count = |k: Keeps| {
        report
            .commands
            .iter()
            .filter(typed)
            .filter(|c| c.keeps == k)
            .count()
    };
    let mut out = format!(
        "\n{}/{} commands keep what they need ({} via fallback), {} lose an endpoint, {} unknown — in {:.2} s\n",
        count(Keeps::Yes) + count(Keeps::CoveredByFallback),
        report.commands.iter().filter(typed).count(),
        count(Keeps::CoveredByFallback),
        count(Keeps::No),
        count(Keeps::Unknown),
        seconds
    );
    let others: Vec<&str> = report
        .commands
        .iter()
        .filter(|c| !c.group.is_cli() && c.keeps == Keeps::No)
        .map(|c| c.command.as_str())
        .collect();
    if !others.is_empty() {
        out.push_str(&format!(
            "routes no command calls that lose an endpoint (not counted above): {}\n",
            others.join(", ")
        ));
    }
    out
}

fn presence(p: Presence) -> &'static str {
    match p {
        Presence::Declared => "declared",
        Presence::Missing => "MISSING",
        Presence::Unknown => "unknown",
    }
}

/// `check.json` and `check.md`, atomically.
fn write(args: &CheckArgs, report: &CheckReport) -> Result<(), RunError> {
    use crate::report::files::io;
    std::fs::create_dir_all(&args.report_dir).map_err(io(&args.report_dir))?;
    let json = args.report_dir.join("check.json");
    let mut text = serde_json::to_string_pretty(report).unwrap_or_default();
    text.push('\n');
    crate::atomic::write_atomic(&json, text.as_bytes()).map_err(io(&json))?;
    let md = args.report_dir.join("check.md");
    crate::atomic::write_atomic(&md, markdown(report).as_bytes()).map_err(io(&md))?;
    say(&format!("reports: {}, {}\n", json.display(), md.display()));
    Ok(())
}

fn markdown(report: &CheckReport) -> String {
    let mut out =
        String::from("## AITBC pre-deploy check\n\n| service | judged from |\n|---|---|\n");
    for s in &report.services {
        let from = match (&s.operations, &s.document_error) {
            (Some(n), _) => format!("its document ({n} operations)"),
            (None, Some(e)) => format!("probes (no usable document: {})", e.replace('|', "\\|")),
            (None, None) => "nothing".into(),
        };
        out.push_str(&format!("| {} | {from} |\n", s.service.name()));
    }
    out.push_str("\n| command | keeps what it needs | missing or unknown |\n|---|---|---|\n");
    for c in &report.commands {
        let odd: Vec<String> = c
            .endpoints
            .iter()
            .filter(|e| e.presence != Presence::Declared)
            .map(|e| format!("`{}` {}", e.endpoint, presence(e.presence)))
            .collect();
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            c.command,
            c.keeps.as_str(),
            odd.join(", ")
        ));
    }
    out
}
