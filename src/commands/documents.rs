//! The services' OpenAPI documents for a run's schema checks: fetched from the target as a
//! client would (`/openapi.json`, or the files and URLs the flags name); the embedded double's
//! come from one throwaway double of the run's era and profile, so that a profile whose document
//! is broken is as broken here as against the standalone double.

use std::sync::Arc;
use std::time::Duration;

use crate::cli::OpenApiArgs;
use crate::double::Double;
use crate::openapi::load::{self, Source};
use crate::openapi::validate::Spec;
use crate::openapi::Service;
use crate::target::{RunContext, Target};

/// How long a document may take to arrive.
const DOCUMENT_TIMEOUT: Duration = Duration::from_secs(10);

/// Every document that could be had; the others are named with the reason (one line each).
pub(crate) async fn load(ctx: &RunContext, sources: &OpenApiArgs) -> Spec {
    let (coordinator, node, _double) = urls(&ctx.target).await;
    let client = ctx.http.pooled();
    let sources = [(Service::Coordinator, coordinator), (Service::Node, node)]
        .map(|(service, base)| (service, sources.source(service, &base)));
    // Both documents at once; the spec takes them in the same order either way.
    let [coordinator, node] = &sources;
    let (first, second) = futures::join!(
        load::load(&client, &coordinator.1, DOCUMENT_TIMEOUT),
        load::load(&client, &node.1, DOCUMENT_TIMEOUT)
    );
    let mut spec = Spec::default();
    for ((service, source), loaded) in sources.iter().zip([first, second]) {
        spec = match loaded {
            Ok(document) => spec.with(*service, Arc::new(document), describe(source, &ctx.target)),
            Err(e) => spec.without(format!("the {}: {e}", service.name())),
        };
    }
    spec
}

/// The services' base URLs; the embedded double (of the target's era and profile) is started
/// for the purpose and returned, to live as long as it is needed.
pub(crate) async fn urls(target: &Target) -> (String, String, Option<Double>) {
    match target {
        Target::Live {
            coordinator, node, ..
        } => (coordinator.clone(), node.clone(), None),
        Target::Double {
            seed, profile, era, ..
        } => {
            let double = Double::start(seed, 0, profile, *era).await;
            (double.coordinator_url(), double.node_url(), Some(double))
        }
    }
}

/// A source as the reports name it: the embedded double's ports change every run.
pub(crate) fn describe(source: &Source, target: &Target) -> String {
    match (source, target) {
        (Source::Url(_), Target::Double { .. }) => "the embedded double's /openapi.json".into(),
        (source, _) => source.to_string(),
    }
}
