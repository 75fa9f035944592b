//! `--metrics FILE` and `--pushgateway URL`: the run's metrics written atomically for
//! node_exporter's textfile collector, and pushed; a push that fails is a warning, not a lost run.

use std::collections::BTreeMap;
use std::time::Duration;

use base64::Engine as _;

use super::tell;
use crate::cli::MetricsArgs;
use crate::error::RunError;
use crate::report::metrics;
use crate::report::summary::Summary;

/// How long a push may take.
const PUSH_TIMEOUT: Duration = Duration::from_secs(10);

/// Writes and pushes the run's metrics, as the flags ask.
pub(crate) fn export(
    args: &MetricsArgs,
    summary: &Summary,
    samples: &BTreeMap<String, Vec<f64>>,
    redactor: &crate::redact::Redactor,
    runtime: &tokio::runtime::Runtime,
    client: reqwest::Client,
) -> Result<(), RunError> {
    if args.metrics.is_none() && args.pushgateway.is_none() {
        return Ok(());
    }
    let text = redactor.apply(&metrics::render(summary, samples));
    if let Some(path) = &args.metrics {
        crate::atomic::write_atomic(path, text.as_bytes()).map_err(|source| RunError::Report {
            path: path.clone(),
            source,
        })?;
    }
    if let Some(base) = &args.pushgateway {
        let url = push_url(base, &args.pushgateway_job, summary);
        if let Err(why) = runtime.block_on(push(&client, &url, text)) {
            tell(&format!(
                "WARNING: the metrics could not be pushed to {base}: {why} (the run and its reports stand)\n"
            ));
        }
    }
    Ok(())
}

/// `<base>/metrics/job/<job>/era/<era>/target@base64/<target>`: one group per job, era and
/// target, so each run replaces the last of its kind (the revision is a label, not a group).
pub(crate) fn push_url(base: &str, job: &str, summary: &Summary) -> String {
    let b64 = |text: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
    format!(
        "{}/metrics/job@base64/{}/era/{}/target@base64/{}",
        base.trim_end_matches('/'),
        b64(job),
        summary.target.era.name(),
        b64(&summary.target.description)
    )
}

async fn push(client: &reqwest::Client, url: &str, text: String) -> Result<(), String> {
    let answer = client
        .put(url)
        .header("Content-Type", metrics::CONTENT_TYPE)
        .timeout(PUSH_TIMEOUT)
        .body(text)
        .send()
        .await
        .map_err(|e| crate::exchange::body::error_chain(&e))?;
    let status = answer.status();
    if status.is_success() {
        return Ok(());
    }
    let body = answer.text().await.unwrap_or_default();
    Err(format!(
        "it answered {status}: {}",
        body.chars().take(200).collect::<String>()
    ))
}
