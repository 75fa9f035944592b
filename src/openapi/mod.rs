//! OpenAPI documents of the two services: the contract's own (fixtures/openapi/, served by the
//! double), loading a target's, response-schema validation during a run, spec coverage, and the
//! endpoint discovery of `check` (from a document, or by probing when there is none).

pub(crate) mod discovery;
pub(crate) mod document;
pub(crate) mod load;
pub(crate) mod probe;
pub(crate) mod validate;

pub(crate) use document::Document;

/// Which service a document describes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Service {
    Coordinator,
    Node,
}

impl Service {
    /// The service a catalog path belongs to: the node's routes start `/rpc`.
    pub(crate) fn of_path(path: &str) -> Self {
        if path.starts_with("/rpc") {
            Service::Node
        } else {
            Service::Coordinator
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Service::Coordinator => "coordinator",
            Service::Node => "node",
        }
    }
}
