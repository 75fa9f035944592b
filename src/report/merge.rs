//! `report merge`: the summaries of `run --shard 1/N … N/N` joined into the summary one
//! unsharded run would have written (verdicts judged over all scenarios together).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use super::summary::{RunFacts, SnapshotReport, Summary};
use crate::error::InputError;
use crate::exchange::endpoints::EndpointReport;

/// Joins shard summaries; they must come from one suite and one era, and no scenario may be in
/// two of them.
pub(crate) fn merge(shards: Vec<(PathBuf, Summary)>) -> Result<Summary, InputError> {
    let Some((first_path, first)) = shards.first() else {
        return Err(invalid(Path::new("-"), "no summary to merge".into()));
    };
    let mut seen = HashSet::new();
    let mut scenarios = Vec::new();
    let mut endpoints: BTreeMap<String, EndpointReport> = BTreeMap::new();
    for (path, shard) in &shards {
        belongs_with((path, shard), (first_path, first))?;
        for s in &shard.scenarios {
            if !seen.insert((s.file.clone(), s.line)) {
                return Err(invalid(
                    path,
                    format!("{}:{} is in two of the summaries", s.file, s.line),
                ));
            }
            scenarios.push(s.clone());
        }
        add_endpoints(&mut endpoints, &shard.endpoints);
    }
    scenarios.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    let facts = RunFacts {
        target: first.target.clone(),
        // The shards ran side by side: the slowest is the matrix's time.
        duration_ms: shards
            .iter()
            .map(|(_, s)| s.duration_ms)
            .fold(0.0, f64::max),
        endpoints: endpoints.into_values().collect(),
        flaky: HashSet::new(),
        cli: first.headline.cli.clone(),
    };
    let mut merged = Summary::assemble(first.command_specs(), scenarios, facts);
    merged.interrupted = shards.iter().any(|(_, s)| s.interrupted);
    let revisions: HashSet<_> = shards.iter().map(|(_, s)| s.revision.clone()).collect();
    merged.revision = if revisions.len() == 1 {
        first.revision.clone()
    } else {
        None
    };
    merged.snapshots = merged_snapshots(&shards);
    let mut unknown: Vec<String> = shards
        .iter()
        .flat_map(|(_, s)| s.cli_unknown_routes.iter().cloned())
        .collect();
    unknown.sort();
    unknown.dedup();
    merged.cli_unknown_routes = unknown;
    merged.cli_drift = merged_drift(&shards);
    merged.rate_limit_waits = shards
        .iter()
        .flat_map(|(_, s)| s.rate_limit_waits.iter().cloned())
        .collect();
    // A probe probes the whole target, so one shard's (the first that ran one) is the run's.
    merged.probe = shards.iter().find_map(|(_, s)| s.probe.clone());
    Ok(merged)
}

/// A shard belongs with the first one: the same era and the same command catalog.
fn belongs_with(shard: (&Path, &Summary), first: (&Path, &Summary)) -> Result<(), InputError> {
    let ((path, shard), (first_path, first)) = (shard, first);
    if shard.target.era != first.target.era {
        return Err(invalid(
            path,
            format!(
                "judged the {} era, {} the {} era: shards of one run share an era",
                shard.target.era,
                first_path.display(),
                first.target.era
            ),
        ));
    }
    let names = |s: &Summary| {
        s.commands
            .iter()
            .map(|c| c.command.clone())
            .collect::<Vec<_>>()
    };
    if names(shard) != names(first) {
        return Err(invalid(
            path,
            format!("has another command catalog than {}", first_path.display()),
        ));
    }
    Ok(())
}

/// Adds a shard's endpoint rows: counts summed, the worst class kept, each latency percentile
/// the largest of the shards' (percentiles do not add up: the merged one is an upper bound).
fn add_endpoints(endpoints: &mut BTreeMap<String, EndpointReport>, rows: &[EndpointReport]) {
    for e in rows {
        let row = endpoints
            .entry(e.endpoint.clone())
            .or_insert_with(|| EndpointReport {
                endpoint: e.endpoint.clone(),
                ..EndpointReport::default()
            });
        row.exchanges += e.exchanges;
        row.successes += e.successes;
        row.class = row.class.max(e.class);
        for (kind, n) in &e.answers {
            *row.answers.entry(kind.clone()).or_default() += n;
        }
        row.latency = match (row.latency, e.latency) {
            (Some(a), Some(b)) => Some(crate::exchange::endpoints::Latency {
                p50_ms: a.p50_ms.max(b.p50_ms),
                p95_ms: a.p95_ms.max(b.p95_ms),
                max_ms: a.max_ms.max(b.max_ms),
            }),
            (a, b) => a.or(b),
        };
    }
}

/// The shards' CLI drift, each list joined (a route one shard never called may have been called
/// by another: the shard's own view, as it saw it).
fn merged_drift(shards: &[(PathBuf, Summary)]) -> Option<crate::report::summary::CliDrift> {
    let drifts: Vec<&crate::report::summary::CliDrift> = shards
        .iter()
        .filter_map(|(_, s)| s.cli_drift.as_ref())
        .collect();
    if drifts.is_empty() {
        return None;
    }
    let join = |pick: fn(&crate::report::summary::CliDrift) -> &Vec<String>| {
        let mut all: Vec<String> = drifts
            .iter()
            .flat_map(|d| pick(d).iter().cloned())
            .collect();
        all.sort();
        all.dedup();
        all
    };
    Some(crate::report::summary::CliDrift {
        called_not_served: join(|d| &d.called_not_served),
        served_not_called: join(|d| &d.served_not_called),
    })
}

/// Snapshot bookkeeping summed; unreferenced files are judged by every shard alike (from the
/// whole suite's step names), so the first shard's list stands.
fn merged_snapshots(shards: &[(PathBuf, Summary)]) -> Option<SnapshotReport> {
    let mut reports = shards.iter().filter_map(|(_, s)| s.snapshots.as_ref());
    let mut merged = reports.next()?.clone();
    for report in reports {
        merged.referenced += report.referenced;
        merged.pending.extend(report.pending.iter().cloned());
    }
    merged.pending.sort();
    merged.pending.dedup();
    Some(merged)
}

fn invalid(path: &Path, message: String) -> InputError {
    InputError::Invalid {
        path: path.to_path_buf(),
        line: 1,
        message,
    }
}
