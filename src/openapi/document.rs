//! One OpenAPI 3.0/3.1 document: its operations (method + path template), their request and
//! response schemas, and local `$ref` resolution.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::Value;

use super::Service;

/// HTTP methods an OpenAPI path item may hold.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// A parsed document.
#[derive(Debug, Clone)]
pub(crate) struct Document {
    pub(crate) root: Value,
    /// `3.0.3`, `3.1.0`.
    pub(crate) version: String,
    pub(crate) operations: Vec<Operation>,
}

/// One operation of a document.
#[derive(Debug, Clone)]
pub(crate) struct Operation {
    /// Upper case.
    pub(crate) method: String,
    pub(crate) template: String,
    pub(crate) operation_id: Option<String>,
    /// The JSON request body's schema, if one is declared.
    pub(crate) request: Option<Value>,
    /// The request body is required (`requestBody.required`).
    pub(crate) request_required: bool,
    /// Status code (`"200"`, `"2XX"`, `"default"`) → the JSON body's schema (`None`: no body).
    pub(crate) responses: BTreeMap<String, Option<Value>>,
    /// `x-aitbc-era` (our own documents only).
    pub(crate) era: Option<String>,
    /// Its path and query parameters (path-item parameters included, `$ref`s resolved).
    pub(crate) parameters: Vec<Parameter>,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Location {
    Path,
    Query,
}

/// One path or query parameter of an operation.
#[derive(Debug, Clone)]
pub(crate) struct Parameter {
    pub(crate) name: String,
    pub(crate) location: Location,
    pub(crate) required: bool,
    /// Its schema (`{}` when none is given).
    pub(crate) schema: Value,
}

impl Operation {
    /// `GET /v1/jobs/{job_id}`.
    pub(crate) fn endpoint(&self) -> String {
        format!("{} {}", self.method, self.template)
    }

    /// The schema of the answer with this status: the exact code, then `2XX`, then `default`.
    pub(crate) fn response_schema(&self, status: u16) -> Option<&Value> {
        let exact = status.to_string();
        let range = format!("{}XX", status / 100);
        [exact.as_str(), range.as_str(), "default"]
            .iter()
            .find_map(|key| self.responses.get(*key))
            .and_then(Option::as_ref)
    }
}

/// Why a document cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum DocumentError {
    #[error("not an OpenAPI document: {0}")]
    NotOpenApi(String),
}

impl Document {
    /// Reads the operations of a document; anything but an object with `openapi` and `paths`
    /// is refused.
    pub(crate) fn parse(root: Value) -> Result<Self, DocumentError> {
        let version = root
            .get("openapi")
            .and_then(Value::as_str)
            .ok_or_else(|| DocumentError::NotOpenApi("no \"openapi\" version field".into()))?
            .to_string();
        if !version.starts_with("3.") {
            return Err(DocumentError::NotOpenApi(format!(
                "version {version}: only OpenAPI 3.0 and 3.1 are read"
            )));
        }
        let paths = root
            .get("paths")
            .and_then(Value::as_object)
            .ok_or_else(|| DocumentError::NotOpenApi("no \"paths\" object".into()))?;
        let mut operations = Vec::new();
        for (template, item) in paths {
            let item = resolve(&root, item);
            for method in METHODS {
                if let Some(op) = item.get(method) {
                    let mut op = operation(&root, method, template, op);
                    op.parameters = parameters(&root, item, item.get(method));
                    operations.push(op);
                }
            }
        }
        Ok(Self {
            root,
            version,
            operations,
        })
    }

    /// The operation a catalog endpoint (`METHOD /template`) names: same method, same number of
    /// segments, literals equal, a parameter only where the other has one.
    pub(crate) fn declared(&self, method: &str, template: &str) -> Option<&Operation> {
        let wanted: Vec<&str> = template.split('/').collect();
        self.operations.iter().find(|op| {
            op.method.eq_ignore_ascii_case(method) && {
                let have: Vec<&str> = op.template.split('/').collect();
                have.len() == wanted.len()
                    && have.iter().zip(&wanted).all(|(h, w)| {
                        let (hp, wp) = (is_param(h), is_param(w));
                        (hp && wp) || (!hp && !wp && h == w)
                    })
            }
        })
    }

    /// The operation that serves a concrete request path (query ignored), with its index in
    /// `operations`: the one with the most literal segments among those that fit, so
    /// `/gpu/list` wins over `/gpu/{gpu_id}`.
    pub(crate) fn serving(&self, method: &str, path: &str) -> Option<(usize, &Operation)> {
        let path = path.split('?').next().unwrap_or(path);
        self.operations
            .iter()
            .enumerate()
            .filter(|(_, op)| op.method.eq_ignore_ascii_case(method))
            .filter(|(_, op)| crate::templates::template_matches(&op.template, path))
            .max_by_key(|(_, op)| op.template.split('/').filter(|s| !is_param(s)).count())
    }

    /// The contract's own document of a service (fixtures/openapi/*.yaml, built in).
    pub(crate) fn contract(service: Service) -> &'static Document {
        static COORDINATOR: OnceLock<Document> = OnceLock::new();
        static NODE: OnceLock<Document> = OnceLock::new();
        let (cell, text) = match service {
            Service::Coordinator => (
                &COORDINATOR,
                include_str!("../../fixtures/openapi/coordinator.yaml"),
            ),
            Service::Node => (&NODE, include_str!("../../fixtures/openapi/node.yaml")),
        };
        cell.get_or_init(|| {
            let root: Value = serde_saphyr::from_str(text)
                .unwrap_or_else(|e| panic!("fixtures/openapi/{}.yaml: {e}", service.name()));
            Document::parse(root)
                .unwrap_or_else(|e| panic!("fixtures/openapi/{}.yaml: {e}", service.name()))
        })
    }

    /// This document without the operations another era serves (`x-aitbc-era`).
    pub(crate) fn of_era(&self, era: &str) -> Document {
        let mut out = self.clone();
        out.operations
            .retain(|op| op.era.as_deref().is_none_or(|e| e == era));
        out
    }

    /// This document with only the operations `keep` accepts (by operationId), as JSON: what a
    /// server that mounts just those routes would publish.
    pub(crate) fn restricted(&self, keep: impl Fn(&Operation) -> bool) -> Value {
        let mut root = self.root.clone();
        let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) else {
            return root;
        };
        for op in &self.operations {
            if keep(op) {
                continue;
            }
            if let Some(item) = paths.get_mut(&op.template).and_then(Value::as_object_mut) {
                item.remove(&op.method.to_ascii_lowercase());
            }
        }
        paths.retain(|_, item| {
            item.as_object()
                .is_some_and(|item| METHODS.iter().any(|m| item.contains_key(*m)))
        });
        root
    }

    /// This document as the given era serves it: each operation's `x-aitbc-<era>` object
    /// (our own documents only) replaces the operation's fields it names, e.g. `responses`;
    /// other eras' variants go.
    pub(crate) fn for_era(root: &mut Value, era: &str) {
        let key = format!("x-aitbc-{era}");
        let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) else {
            return;
        };
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for method in METHODS {
                let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) else {
                    continue;
                };
                let variants: Vec<String> = op
                    .keys()
                    .filter(|k| k.starts_with("x-aitbc-") && *k != "x-aitbc-era")
                    .cloned()
                    .collect();
                for variant in variants {
                    if let (Some(Value::Object(overrides)), true) =
                        (op.remove(&variant), variant == key)
                    {
                        op.extend(overrides);
                    }
                }
            }
        }
    }

    /// The required top-level fields of an operation's JSON request body.
    pub(crate) fn required_fields(&self, op: &Operation) -> Vec<String> {
        let Some(schema) = &op.request else {
            return Vec::new();
        };
        required(resolve(&self.root, schema))
    }
}

/// An object schema's required property names.
pub(crate) fn required(schema: &Value) -> Vec<String> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(String::from))
        .collect()
}

fn is_param(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

fn operation(root: &Value, method: &str, template: &str, op: &Value) -> Operation {
    let json_schema = |holder: &Value| -> Option<Value> {
        let holder = resolve(root, holder);
        let content = holder.get("content")?.as_object()?;
        let media = content
            .iter()
            .find(|(media, _)| media.starts_with("application/json") || media.ends_with("+json"))
            .map(|(_, m)| m)?;
        media.get("schema").cloned()
    };
    let responses = op
        .get("responses")
        .and_then(Value::as_object)
        .map(|all| {
            all.iter()
                .map(|(status, response)| (status.to_ascii_uppercase(), json_schema(response)))
                .collect()
        })
        .unwrap_or_default();
    Operation {
        method: method.to_ascii_uppercase(),
        template: template.to_string(),
        operation_id: op
            .get("operationId")
            .and_then(Value::as_str)
            .map(String::from),
        request: op.get("requestBody").and_then(json_schema),
        request_required: op
            .get("requestBody")
            .map(|b| resolve(root, b))
            .and_then(|b| b.get("required"))
            .and_then(Value::as_bool)
            .unwrap_or(false),
        responses,
        era: op
            .get("x-aitbc-era")
            .and_then(Value::as_str)
            .map(String::from),
        parameters: Vec::new(),
    }
}

/// The path and query parameters of an operation: its own, then its path item's that it does
/// not override (header and cookie parameters are not probed).
fn parameters(root: &Value, item: &Value, op: Option<&Value>) -> Vec<Parameter> {
    let listed = |holder: Option<&Value>| -> Vec<Parameter> {
        holder
            .and_then(|h| h.get("parameters"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| parameter(root, resolve(root, p)))
            .collect()
    };
    let mut own = listed(op);
    for inherited in listed(Some(item)) {
        if !own
            .iter()
            .any(|p| p.name == inherited.name && p.location == inherited.location)
        {
            own.push(inherited);
        }
    }
    own
}

fn parameter(root: &Value, p: &Value) -> Option<Parameter> {
    let location = match p.get("in")?.as_str()? {
        "path" => Location::Path,
        "query" => Location::Query,
        _ => return None,
    };
    Some(Parameter {
        name: p.get("name")?.as_str()?.to_string(),
        location,
        required: location == Location::Path
            || p.get("required").and_then(Value::as_bool).unwrap_or(false),
        schema: p
            .get("schema")
            .map(|s| resolve(root, s).clone())
            .unwrap_or_else(|| Value::Object(Default::default())),
    })
}

/// Follows local `$ref`s (`#/components/…`) from `value`, at most 32 deep; an unresolvable one
/// is returned as it is.
pub(crate) fn resolve<'v>(root: &'v Value, mut value: &'v Value) -> &'v Value {
    for _ in 0..32 {
        let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
            return value;
        };
        match reference
            .strip_prefix('#')
            .and_then(|pointer| root.pointer(pointer))
        {
            Some(target) => value = target,
            None => return value,
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contract_documents_declare_every_catalog_endpoint() {
        let catalogs = crate::catalog::Catalogs::load(std::path::Path::new("fixtures")).unwrap();
        for command in catalogs.each().iter().flat_map(|(_, c)| &c.commands) {
            for endpoint in &command.endpoints {
                let (method, template) = endpoint.split_once(' ').unwrap();
                let doc = Document::contract(Service::of_path(template));
                assert!(doc.declared(method, template).is_some(), "{endpoint}");
            }
        }
    }

    #[test]
    fn templates_match_by_shape_and_paths_by_the_most_literal_operation() {
        let doc = Document::contract(Service::Coordinator);
        let op = doc.declared("get", "/v1/jobs/{id}").unwrap();
        assert_eq!(op.operation_id.as_deref(), Some("jobs.status"));
        assert!(
            doc.declared("GET", "/v1/jobs/history").is_none(),
            "a literal is not a parameter"
        );
        let (_, list) = doc
            .serving("GET", "/v1/marketplace/gpu/list?limit=3")
            .unwrap();
        assert_eq!(list.operation_id.as_deref(), Some("marketplace.list"));
        assert_eq!(
            doc.required_fields(doc.declared("POST", "/v1/jobs").unwrap()),
            ["payload"]
        );
        assert!(op.response_schema(200).is_some() && op.response_schema(404).is_none());
    }

    #[test]
    fn a_restricted_document_keeps_only_what_is_mounted() {
        let doc = Document::contract(Service::Node);
        let kept = doc.restricted(|op| op.operation_id.as_deref() != Some("blocks.by_hash"));
        let again = Document::parse(kept).unwrap();
        assert!(again
            .declared("GET", "/rpc/blocks/by_hash/{hash}")
            .is_none());
        assert!(again.declared("GET", "/rpc/blocks/{height}").is_some());
    }
}
