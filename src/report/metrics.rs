//! The run as Prometheus metrics (prometheus-client, text format 0.0.4): what node_exporter's
//! textfile collector reads (`--metrics FILE`) and what a Pushgateway takes (`--pushgateway`).

use std::collections::BTreeMap;

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::{Registry, Unit};

use super::summary::{Summary, Verdict};

/// Every metric's name starts with it.
pub(crate) const PREFIX: &str = "aitbc_conformance";

/// The media type of the text (for a Pushgateway's `Content-Type`).
pub(crate) const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

type Labels = Vec<(String, String)>;
type Ratio = Gauge<f64, std::sync::atomic::AtomicU64>;

/// The run's metrics as text. `samples` are each endpoint's answer times in milliseconds
/// (a run has them; a summary read back has only their percentiles: no histogram then).
pub(crate) fn render(summary: &Summary, samples: &BTreeMap<String, Vec<f64>>) -> String {
    let identity = [
        ("era", summary.target.era.name().to_string()),
        ("target", summary.target.description.clone()),
        (
            "revision",
            summary.revision.clone().unwrap_or_else(|| "unknown".into()),
        ),
    ];
    let mut root = Registry::with_prefix(PREFIX);
    let registry = root.sub_registry_with_labels(
        identity
            .into_iter()
            .map(|(k, v)| (std::borrow::Cow::Borrowed(k), std::borrow::Cow::Owned(v))),
    );
    commands(registry, summary);
    endpoints(registry, summary, samples);
    run(registry, summary);
    let mut text = String::new();
    // Writing to a String cannot fail.
    let _ = prometheus_client::encoding::prometheus_text::encode(&mut text, &root);
    text
}

/// Per command: working (0/1) and its pass ratio; the headline's counts and rate.
fn commands(registry: &mut Registry, summary: &Summary) {
    let working = Family::<Labels, Gauge>::default();
    let ratio = Family::<Labels, Ratio>::default();
    for c in &summary.commands {
        let labels = vec![
            ("command".to_string(), c.command.clone()),
            ("group".to_string(), group_name(c.group).to_string()),
        ];
        let works = matches!(c.verdict, Verdict::Working);
        working.get_or_create(&labels).set(i64::from(works));
        if c.scenarios_total > 0 {
            ratio.get_or_create(&labels).set(c.pass_rate);
        }
    }
    registry.register(
        "command_working",
        "Whether the command works (1) or not (0): every scenario of it passed",
        working,
    );
    registry.register(
        "command_pass_ratio",
        "Passed scenarios of the command over those that ran",
        ratio,
    );
    let headline = &summary.headline;
    gauge(
        registry,
        "commands_working",
        "Commands of the headline that work",
        headline.commands_working as i64,
    );
    gauge(
        registry,
        "commands",
        "Commands the headline counts",
        headline.commands_total as i64,
    );
    let rate = Ratio::default();
    rate.set(headline.rate / 100.0);
    registry.register(
        "commands_working_ratio",
        "The headline: commands working over commands counted",
        rate,
    );
}

fn gauge(registry: &mut Registry, name: &str, help: &str, value: i64) {
    let metric = Gauge::<i64>::default();
    metric.set(value);
    registry.register(name, help, metric);
}

fn group_name(group: crate::catalog::Group) -> &'static str {
    match group {
        crate::catalog::Group::Cli => "cli",
        crate::catalog::Group::MinerProtocol => "miner-protocol",
        crate::catalog::Group::Api => "api",
    }
}

/// Per endpoint: exchanges, 2xx answers, its route-level problem, its p95 and the histogram
/// of its answer times.
fn endpoints(registry: &mut Registry, summary: &Summary, samples: &BTreeMap<String, Vec<f64>>) {
    let exchanges = Family::<Labels, Counter>::default();
    let successes = Family::<Labels, Counter>::default();
    let answers = Family::<Labels, Counter>::default();
    let problem = Family::<Labels, Gauge>::default();
    let p95 = Family::<Labels, Ratio>::default();
    let durations = Family::<Labels, Histogram>::new_with_constructor(|| {
        Histogram::new(exponential_buckets(0.001, 2.0, 14))
    });
    for e in &summary.endpoints {
        let labels = vec![("endpoint".to_string(), e.endpoint.clone())];
        exchanges.get_or_create(&labels).inc_by(e.exchanges);
        successes.get_or_create(&labels).inc_by(e.successes);
        for (kind, n) in &e.answers {
            let mut by_class = labels.clone();
            by_class.push(("class".to_string(), kind.clone()));
            answers.get_or_create(&by_class).inc_by(*n);
        }
        if let Some(class) = e.class {
            let mut with_class = labels.clone();
            with_class.push(("class".to_string(), class.as_str().to_string()));
            problem.get_or_create(&with_class).set(1);
        }
        if let Some(latency) = e.latency {
            p95.get_or_create(&labels).set(latency.p95_ms / 1000.0);
        }
        for ms in samples.get(&e.endpoint).into_iter().flatten() {
            durations.get_or_create(&labels).observe(ms / 1000.0);
        }
    }
    registry.register(
        "endpoint_exchanges",
        "Requests sent to the endpoint in the run",
        exchanges,
    );
    registry.register(
        "endpoint_successes",
        "2xx answers of the endpoint in the run",
        successes,
    );
    registry.register(
        "endpoint_answers",
        "The endpoint's exchanges by what came back: 2xx, 4xx, 5xx, … or timeout, unreachable, transport",
        answers,
    );
    registry.register(
        "endpoint_problem",
        "The endpoint's worst route-level problem in the run (missing_endpoint, server_error, timeout, …)",
        problem,
    );
    registry.register_with_unit(
        "endpoint_latency_p95",
        "The 95th percentile of the endpoint's answer times in the run",
        Unit::Seconds,
        p95,
    );
    registry.register_with_unit(
        "request_duration",
        "Answer times of the endpoint's requests (a timeout counts with its wait)",
        Unit::Seconds,
        durations,
    );
}

/// The run itself: how long it took, when it finished, what the probe found.
fn run(registry: &mut Registry, summary: &Summary) {
    let duration = Ratio::default();
    duration.set(summary.duration_ms / 1000.0);
    registry.register_with_unit(
        "run_duration",
        "How long the run took",
        Unit::Seconds,
        duration,
    );
    let finished = Ratio::default();
    let micros = crate::clock::parse_iso(&summary.finished_at).unwrap_or_default();
    finished.set(micros as f64 / 1e6);
    registry.register_with_unit(
        "run_finished_timestamp",
        "When the run finished (Unix time): alert when it grows stale",
        Unit::Seconds,
        finished,
    );
    gauge(
        registry,
        "scenarios",
        "Scenarios that ran",
        summary.scenarios_total as i64,
    );
    gauge(
        registry,
        "scenarios_passed",
        "Scenarios that passed",
        summary.scenarios_passed as i64,
    );
    if let Some(probe) = &summary.probe {
        let findings = Family::<Labels, Gauge>::default();
        for (check, n) in probe.by_check() {
            findings
                .get_or_create(&vec![("check".to_string(), check.name().to_string())])
                .set(n as i64);
        }
        registry.register(
            "probe_findings",
            "Findings of `run --probe`, per check",
            findings,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_names_every_family_once_with_the_run_identity() {
        let catalogs = crate::catalog::Catalogs::load(std::path::Path::new("fixtures")).unwrap();
        let facts = crate::report::summary::RunFacts {
            endpoints: vec![crate::exchange::endpoints::EndpointReport {
                endpoint: "GET /rpc/head".into(),
                exchanges: 3,
                successes: 2,
                class: Some(crate::failure::FailureClass::ServerError),
                latency: crate::exchange::endpoints::Latency::of(&[4.0, 8.0, 12.0]),
                answers: BTreeMap::from([("2xx".to_string(), 2), ("5xx".to_string(), 1)]),
            }],
            ..crate::report::summary::RunFacts::default()
        };
        let summary = Summary::build(catalogs.of(crate::auth::Era::ApiKey), &[], &[], facts);
        let samples = BTreeMap::from([("GET /rpc/head".to_string(), vec![4.0, 8.0, 12.0])]);
        let text = render(&summary, &samples);
        for family in [
            "# TYPE aitbc_conformance_command_working gauge",
            "# TYPE aitbc_conformance_commands_working_ratio gauge",
            "# TYPE aitbc_conformance_endpoint_exchanges_total counter",
            "# TYPE aitbc_conformance_endpoint_answers_total counter",
            "# TYPE aitbc_conformance_request_duration_seconds histogram",
            "# TYPE aitbc_conformance_endpoint_latency_p95_seconds gauge",
            "# TYPE aitbc_conformance_run_duration_seconds gauge",
        ] {
            assert_eq!(text.matches(family).count(), 1, "{family} in\n{text}");
        }
        assert!(text.contains(
            "aitbc_conformance_request_duration_seconds_count{era=\"api-key\",target=\"\",revision=\"unknown\",endpoint=\"GET /rpc/head\"} 3"
        ), "{text}");
        assert!(
            text.contains("endpoint=\"GET /rpc/head\",class=\"5xx\"} 1"),
            "{text}"
        );
        assert!(!text.contains("# EOF"), "Prometheus text, not OpenMetrics");
    }
}
