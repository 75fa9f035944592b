//! `check`: for every catalog command, whether each endpoint it needs is there — from the
//! service's document when it has a usable one, else by probing — and whether the command keeps
//! working (a missing endpoint it can do without is covered by its fallback). Also the operations
//! a document declares that the contract does not know, and request bodies that now require more.

use std::time::Duration;

use serde::Serialize;

use super::document::Document;
use super::probe::{self, Presence};
use super::Service;
use crate::catalog::Catalog;

/// How one service was judged.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ServiceReport {
    pub(crate) service: Service,
    /// The base URL, when the service was asked.
    pub(crate) url: Option<String>,
    /// Where its document was looked for.
    pub(crate) document_source: String,
    /// Operations in its document, when it had a usable one.
    pub(crate) operations: Option<usize>,
    /// Why it had none (one line), when it had none.
    pub(crate) document_error: Option<String>,
    /// With no document: whether a path that exists nowhere is denied (401/403) rather than 404,
    /// so that a denial decides nothing.
    pub(crate) denies_unknown_routes: bool,
}

/// One endpoint of a command.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct EndpointReport {
    pub(crate) endpoint: String,
    pub(crate) service: Service,
    pub(crate) presence: Presence,
    /// `document`, or `probe: 401` (the probe's status), or `probe: unreachable (…)`.
    pub(crate) evidence: String,
    /// The command can do without it (its documented fallback).
    pub(crate) optional: bool,
    /// Request-body fields the service's document requires and the contract does not.
    pub(crate) added_required: Vec<String>,
}

/// Whether a command keeps what it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Keeps {
    /// Every endpoint it needs is there.
    Yes,
    /// Only endpoints it can do without are missing: its fallback serves it.
    CoveredByFallback,
    /// An endpoint it needs is missing.
    No,
    /// Some endpoint could not be judged.
    Unknown,
}

impl Keeps {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Keeps::Yes => "keeps",
            Keeps::CoveredByFallback => "covered by fallback",
            Keeps::No => "LOSES AN ENDPOINT",
            Keeps::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct CommandReport {
    pub(crate) command: String,
    pub(crate) id: String,
    pub(crate) keeps: Keeps,
    pub(crate) endpoints: Vec<EndpointReport>,
    /// `miner-protocol` or `api` for routes no typed command calls; absent for a command.
    #[serde(skip_serializing_if = "crate::catalog::Group::is_cli_ref")]
    pub(crate) group: crate::catalog::Group,
}

/// What `check` found.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CheckReport {
    pub(crate) services: Vec<ServiceReport>,
    pub(crate) commands: Vec<CommandReport>,
    /// Operations a service's document declares that the contract does not know
    /// (`service METHOD /template`): routes added since the contract.
    pub(crate) unknown_to_contract: Vec<String>,
}

impl CheckReport {
    /// Whether any command loses an endpoint it needs.
    pub(crate) fn loses(&self) -> bool {
        self.commands.iter().any(|c| c.keeps == Keeps::No)
    }
}

/// One service as `check` sees it.
#[derive(Debug)]
pub(crate) struct Target<'a> {
    pub(crate) service: Service,
    pub(crate) url: Option<&'a str>,
    pub(crate) document_source: String,
    pub(crate) document: Result<Document, String>,
}

/// Judges every catalog endpoint; probes (concurrently, `timeout` each) only services without a
/// usable document.
pub(crate) async fn discover(
    catalog: &Catalog,
    targets: &[Target<'_>],
    client: &reqwest::Client,
    timeout: Duration,
) -> CheckReport {
    let mut services = Vec::new();
    let mut denies = std::collections::HashMap::new();
    for t in targets {
        let mut denies_unknown = false;
        if let (Err(_), Some(url)) = (&t.document, t.url) {
            if let Ok(answer) = probe::send(client, url, "GET", probe::CONTROL_PATH, timeout).await
            {
                denies_unknown = matches!(answer.status, 401 | 403);
            }
        }
        denies.insert(t.service, denies_unknown);
        services.push(ServiceReport {
            service: t.service,
            url: t.url.map(String::from),
            document_source: t.document_source.clone(),
            operations: t.document.as_ref().ok().map(|d| d.operations.len()),
            document_error: t.document.as_ref().err().cloned(),
            denies_unknown_routes: denies_unknown,
        });
    }
    let target_of = |service: Service| targets.iter().find(|t| t.service == service);
    let mut commands = Vec::new();
    for command in &catalog.commands {
        let judged = command.endpoints.iter().map(|endpoint| {
            let (method, template) = endpoint.split_once(' ').unwrap_or(("GET", endpoint));
            let service = Service::of_path(template);
            let optional = command.optional.contains(endpoint);
            let target = target_of(service);
            let denies_unknown = denies.get(&service).copied().unwrap_or(false);
            async move {
                let (presence, evidence, added_required) =
                    judge_endpoint(target, method, template, denies_unknown, client, timeout).await;
                EndpointReport {
                    endpoint: endpoint.clone(),
                    service,
                    presence,
                    evidence,
                    optional,
                    added_required,
                }
            }
        });
        let endpoints = futures::future::join_all(judged).await;
        commands.push(CommandReport {
            command: command.cli.clone(),
            id: command.id.clone(),
            keeps: keeps(&endpoints),
            endpoints,
            group: command.group,
        });
    }
    CheckReport {
        services,
        commands,
        unknown_to_contract: unknown_to_contract(targets),
    }
}

async fn judge_endpoint(
    target: Option<&Target<'_>>,
    method: &str,
    template: &str,
    denies_unknown: bool,
    client: &reqwest::Client,
    timeout: Duration,
) -> (Presence, String, Vec<String>) {
    let Some(target) = target else {
        return (
            Presence::Unknown,
            "no such service given".into(),
            Vec::new(),
        );
    };
    if let Ok(doc) = &target.document {
        return match doc.declared(method, template) {
            Some(op) => {
                let contract = Document::contract(target.service);
                let before = contract
                    .declared(method, template)
                    .map(|c| contract.required_fields(c))
                    .unwrap_or_default();
                let added = doc
                    .required_fields(op)
                    .into_iter()
                    .filter(|f| !before.contains(f))
                    .collect();
                (Presence::Declared, "document".into(), added)
            }
            None => (Presence::Missing, "document".into(), Vec::new()),
        };
    }
    let Some(url) = target.url else {
        return (
            Presence::Unknown,
            "no document, no URL to probe".into(),
            Vec::new(),
        );
    };
    let path = probe::concrete(template);
    match probe::send(client, url, method, &path, timeout).await {
        Ok(answer) => (
            probe::judge(&answer, denies_unknown),
            format!("probe: {}", answer.status),
            Vec::new(),
        ),
        Err(e) => (
            Presence::Unknown,
            format!(
                "probe: no answer ({})",
                crate::exchange::body::error_chain(&e)
            ),
            Vec::new(),
        ),
    }
}

/// A command loses what it needs when a required endpoint is missing; a missing optional one
/// is its fallback's to cover.
fn keeps(endpoints: &[EndpointReport]) -> Keeps {
    let required = || endpoints.iter().filter(|e| !e.optional);
    if required().any(|e| e.presence == Presence::Missing) {
        Keeps::No
    } else if required().any(|e| e.presence == Presence::Unknown) {
        Keeps::Unknown
    } else if endpoints
        .iter()
        .any(|e| e.optional && e.presence == Presence::Missing)
    {
        Keeps::CoveredByFallback
    } else {
        Keeps::Yes
    }
}

fn unknown_to_contract(targets: &[Target<'_>]) -> Vec<String> {
    let mut out = Vec::new();
    for t in targets {
        let Ok(doc) = &t.document else { continue };
        let contract = Document::contract(t.service);
        for op in &doc.operations {
            if contract.declared(&op.method, &op.template).is_none()
                && op.template != "/openapi.json"
            {
                out.push(format!("{} {}", t.service.name(), op.endpoint()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(presence: Presence, optional: bool) -> EndpointReport {
        EndpointReport {
            endpoint: "GET /x".into(),
            service: Service::Node,
            presence,
            evidence: "document".into(),
            optional,
            added_required: Vec::new(),
        }
    }

    #[test]
    fn a_missing_optional_endpoint_is_the_fallback_s_to_cover() {
        use Presence::*;
        assert_eq!(keeps(&[endpoint(Declared, false)]), Keeps::Yes);
        assert_eq!(
            keeps(&[endpoint(Missing, true), endpoint(Declared, false)]),
            Keeps::CoveredByFallback
        );
        assert_eq!(
            keeps(&[endpoint(Missing, false), endpoint(Unknown, false)]),
            Keeps::No
        );
        assert_eq!(
            keeps(&[endpoint(Unknown, false), endpoint(Missing, true)]),
            Keeps::Unknown
        );
    }
}
