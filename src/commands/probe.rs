//! `run --probe`: the probe wired to the run — its own client (no retries, the run's limits),
//! a session on the target, the services' documents, and the baseline's known findings.

use std::collections::HashSet;
use std::sync::Arc;

use super::{say, tell};
use crate::auth::Era;
use crate::catalog::Catalog;
use crate::cli::RunArgs;
use crate::error::RunError;
use crate::http::Client;
use crate::openapi::{Document, Service};
use crate::pacing::RateLimits;
use crate::probe::finding::ProbeReport;
use crate::target::RunContext;

/// Probes the target after the scenarios (or alone).
pub(crate) async fn probe(
    ctx: &RunContext,
    args: &RunArgs,
    catalog: &Catalog,
    era: Era,
) -> Result<ProbeReport, RunError> {
    let live = ctx.target.is_live();
    let limits = super::rate_limits(args, live);
    let endpoints = crate::exchange::endpoints::EndpointLog::new(std::iter::empty());
    let mut client = Client::new(&ctx.target.trust(), args.judge.timeout, 0, endpoints, 1)?
        .paced(&limits)
        .max_body(args.max_body);
    client.pacer.adopt_era(era);
    let session = ctx.long_session().await;
    let documents = documents(ctx, args, era).await;
    if !args.quiet {
        say(&format!(
            "probing for up to {} s (seed {})…\n",
            args.probe.probe_budget.as_secs(),
            args.probe.probe_seed
        ));
    }
    let plan = crate::probe::Plan {
        client: &client,
        coordinator: &session.coordinator_url,
        node: &session.node_url,
        credentials: &session.credentials,
        documents,
        catalog,
        seed: args.probe.probe_seed,
        budget: args.probe.probe_budget,
        random: args.probe.probe_random,
        tag: &session.tag,
        // `--rate-limits off` says the target limits nothing.
        per_route: (live && limits != RateLimits::none()).then_some(args.probe.probe_route_rate),
        job_body: crate::steps::jobs::default_job(&session.tag),
        miner_body: crate::steps::jobs::default_miner(&session.tag),
    };
    let mut report = crate::probe::probe(&plan).await;
    for finding in &mut report.findings {
        finding.answer = ctx.redactor.apply(&finding.answer);
        finding.curl = ctx.redactor.apply(&finding.curl);
    }
    if args.probe.fail_on_new_findings {
        if let Some(path) = &args.gate.baseline {
            report.new_findings = Some(new_findings(&report, path)?);
        }
    }
    Ok(report)
}

/// The document each service is probed from: the one the run loaded for its schema checks (the
/// target's own), else the contract's for the era, which is then told.
async fn documents(
    ctx: &RunContext,
    args: &RunArgs,
    era: Era,
) -> Vec<(Service, Arc<Document>, String)> {
    let loaded = match &ctx.spec {
        Some(spec) => Arc::clone(spec),
        None => Arc::new(super::documents::load(ctx, &args.openapi).await),
    };
    [Service::Coordinator, Service::Node]
        .into_iter()
        .map(|service| match loaded.document(service) {
            Some((document, source)) => (service, document, source),
            None => {
                tell(&format!(
                    "probe: the {}'s own document could not be had; probing the contract's routes\n",
                    service.name()
                ));
                (
                    service,
                    Arc::new(contract_of_era(service, era)),
                    format!("the contract's {}.yaml", service.name()),
                )
            }
        })
        .collect()
}

/// The contract's document of a service as the era serves it.
fn contract_of_era(service: Service, era: Era) -> Document {
    let contract = Document::contract(service);
    let mut root = contract.root.clone();
    Document::for_era(&mut root, era.name());
    Document::parse(root)
        .unwrap_or_else(|_| contract.clone())
        .of_era(era.name())
}

/// The keys of the findings the baseline's probe did not have.
fn new_findings(report: &ProbeReport, baseline: &std::path::Path) -> Result<Vec<String>, RunError> {
    let recorded = crate::report::gate::Recorded::load(baseline)?;
    let known: HashSet<String> = recorded
        .probe
        .map(|p| p.findings.iter().map(|f| f.key()).collect())
        .unwrap_or_default();
    Ok(report
        .findings
        .iter()
        .map(|f| f.key())
        .filter(|k| !known.contains(k))
        .collect())
}

/// Whether the probe's findings fail the run: any, or with a baseline only new ones.
pub(crate) fn failed(report: &ProbeReport) -> bool {
    match &report.new_findings {
        Some(new) => !new.is_empty(),
        None => !report.findings.is_empty(),
    }
}
