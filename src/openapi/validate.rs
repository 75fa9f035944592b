//! Response-schema validation during a run, with the `boon` crate: every 2xx JSON answer
//! is checked against the schema its operation declares for that status (local `$ref`s resolved
//! against the document, OpenAPI 3.0's `nullable` read as JSON Schema's `null` type). Also the
//! spec coverage: which declared operations the run exercised, with the statuses seen.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::document::Document;
use super::Service;

/// A 2xx answer that breaks its declared schema.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Violation {
    /// `GET /v1/jobs/{job_id}`.
    pub(crate) operation: String,
    pub(crate) status: u16,
    /// `$.items[0].state`.
    pub(crate) path: String,
    /// What the schema wanted, as the validator says it.
    pub(crate) rule: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the {} answer breaks the schema the document declares for {}: at {}: {}",
            self.status, self.operation, self.path, self.rule
        )
    }
}

/// A validator, shared by the scenarios that check the same operation and status.
type Compiled = Arc<Validator>;

/// One compiled schema (boon keeps compiled schemas in a collection, addressed by index).
pub(crate) struct Validator {
    schemas: boon::Schemas,
    index: boon::SchemaIndex,
}

impl std::fmt::Debug for Validator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Validator")
    }
}

impl Validator {
    /// The first rule `body` breaks: (JSON path, what the schema wanted, with what it got).
    pub(crate) fn first_error(&self, body: &Value) -> Option<(String, String)> {
        let error = self.schemas.validate(body, self.index).err()?;
        // The innermost first cause names the rule; the outer ones only say "failed".
        let mut leaf = &error;
        while let Some(first) = leaf.causes.first() {
            leaf = first;
        }
        let pointer = leaf.instance_location.to_string();
        // A wrong scalar is quoted after the rule; an object or list is named by the path.
        let rule = match body.pointer(&pointer) {
            Some(got @ (Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null)) => {
                format!("{}: {}", leaf.kind, crate::json_path::brief(got, 80))
            }
            _ => leaf.kind.to_string(),
        };
        Some((json_path(&pointer), rule))
    }
}

/// One service's document and the validators compiled from it so far.
#[derive(Debug)]
struct Checked {
    document: Arc<Document>,
    /// Where it came from (a URL, a file, `the embedded double`).
    source: String,
    /// (operation index, status) → validator (`None`: no schema, or one that does not compile).
    compiled: Mutex<HashMap<(usize, u16), Option<Compiled>>>,
}

/// The documents of a run: validation and coverage.
#[derive(Debug, Default)]
pub(crate) struct Spec {
    services: BTreeMap<Service, Checked>,
    /// A document operation (by its index) → the statuses seen.
    seen: Mutex<BTreeMap<(Service, usize), BTreeSet<u16>>>,
    /// Why a service's document could not be had.
    unavailable: Vec<String>,
}

impl Spec {
    /// Adds a service's document.
    pub(crate) fn with(
        mut self,
        service: Service,
        document: Arc<Document>,
        source: String,
    ) -> Self {
        self.services.insert(
            service,
            Checked {
                document,
                source,
                compiled: Mutex::new(HashMap::new()),
            },
        );
        self
    }

    /// A service's document and where it came from, if it could be had.
    pub(crate) fn document(&self, service: Service) -> Option<(Arc<Document>, String)> {
        self.services
            .get(&service)
            .map(|c| (Arc::clone(&c.document), c.source.clone()))
    }

    /// Notes a service whose document could not be had.
    pub(crate) fn without(mut self, why: String) -> Self {
        self.unavailable.push(why);
        self
    }

    /// Counts the answer for coverage, then checks a 2xx JSON body against its schema.
    pub(crate) fn check(
        &self,
        service: Service,
        method: &str,
        path: &str,
        status: u16,
        body: Option<&Value>,
    ) -> Result<(), Violation> {
        let Some(checked) = self.services.get(&service) else {
            return Ok(());
        };
        let doc = &checked.document;
        let Some((index, op)) = doc.serving(method, path) else {
            return Ok(());
        };
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry((service, index))
            .or_default()
            .insert(status);
        let Some(body) = body.filter(|_| (200..300).contains(&status)) else {
            return Ok(());
        };
        match self.violation(service, index, status, body) {
            None => Ok(()),
            Some((path, rule)) => Err(Violation {
                operation: op.endpoint(),
                status,
                path,
                rule,
            }),
        }
    }

    /// The first rule `body` breaks of the schema the document's operation at `index` declares
    /// for `status` (JSON path, rule), if any; counts nothing for coverage.
    pub(crate) fn violation(
        &self,
        service: Service,
        index: usize,
        status: u16,
        body: &Value,
    ) -> Option<(String, String)> {
        self.services
            .get(&service)?
            .validator(index, status)?
            .first_error(body)
    }

    /// What the run exercised of each document.
    pub(crate) fn coverage(&self) -> Coverage {
        let seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let mut coverage = Coverage::default();
        for (service, checked) in &self.services {
            coverage.documents.push(DocumentCoverage {
                service: *service,
                source: checked.source.clone(),
                operations: checked.document.operations.len(),
            });
            for (index, op) in checked.document.operations.iter().enumerate() {
                let endpoint = op.endpoint();
                match seen.get(&(*service, index)) {
                    Some(statuses) => coverage.exercised.push(OperationCoverage {
                        service: *service,
                        operation: endpoint,
                        statuses: statuses.iter().copied().collect(),
                    }),
                    None => coverage
                        .untouched
                        .push(format!("{} {endpoint}", service.name())),
                }
            }
        }
        coverage.declared = coverage.exercised.len() + coverage.untouched.len();
        coverage.unavailable = self.unavailable.clone();
        coverage
    }
}

impl Checked {
    fn validator(&self, index: usize, status: u16) -> Option<Compiled> {
        let mut compiled = self.compiled.lock().unwrap_or_else(PoisonError::into_inner);
        compiled
            .entry((index, status))
            .or_insert_with(|| {
                let op = &self.document.operations[index];
                let schema = op.response_schema(status)?;
                compile(&self.document, schema).map(Arc::new)
            })
            .clone()
    }
}

/// A validator for `schema`, `$ref`s resolved against the document's `components` (3.0's
/// `nullable` rewritten); `None` when the schema does not compile (it is then not checked).
pub(crate) fn compile(document: &Document, schema: &Value) -> Option<Validator> {
    let mut resource = schema.clone();
    if let (Some(object), Some(components)) =
        (resource.as_object_mut(), document.root.get("components"))
    {
        object.insert("components".into(), components.clone());
    }
    if document.version.starts_with("3.0") {
        rewrite_openapi_30(&mut resource);
    }
    // Format assertions are off by default in boon, as they are annotations in 2020-12.
    const LOCATION: &str = "urn:aitbc-conformance:response-schema";
    let mut compiler = boon::Compiler::new();
    compiler.set_default_draft(boon::Draft::V2020_12);
    compiler.add_resource(LOCATION, resource).ok()?;
    let mut schemas = boon::Schemas::new();
    let index = compiler.compile(LOCATION, &mut schemas).ok()?;
    Some(Validator { schemas, index })
}

/// OpenAPI 3.0 → JSON Schema 2020-12: `nullable: true` adds `null` to the type, and boolean
/// `exclusiveMinimum`/`exclusiveMaximum` become the numeric form.
fn rewrite_openapi_30(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.remove("nullable") == Some(Value::Bool(true)) {
                match map.get("type").cloned() {
                    Some(Value::String(t)) => {
                        map.insert("type".into(), serde_json::json!([t, "null"]));
                    }
                    _ => {
                        let inner = Value::Object(std::mem::take(map));
                        map.insert("anyOf".into(), serde_json::json!([inner, {"type": "null"}]));
                    }
                }
            }
            for (flag, bound) in [
                ("exclusiveMinimum", "minimum"),
                ("exclusiveMaximum", "maximum"),
            ] {
                if let Some(Value::Bool(exclusive)) = map.get(flag).cloned() {
                    map.remove(flag);
                    if exclusive {
                        if let Some(limit) = map.remove(bound) {
                            map.insert(flag.into(), limit);
                        }
                    }
                }
            }
            map.values_mut().for_each(rewrite_openapi_30);
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_openapi_30),
        _ => {}
    }
}

/// `/items/0/state` → `$.items[0].state`.
fn json_path(pointer: &str) -> String {
    let mut out = String::from("$");
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if segment.parse::<usize>().is_ok() {
            out.push_str(&format!("[{segment}]"));
        } else {
            out.push('.');
            out.push_str(&segment);
        }
    }
    out
}

/// Spec coverage in `summary.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub(crate) struct Coverage {
    pub(crate) documents: Vec<DocumentCoverage>,
    /// Operations the documents declare.
    pub(crate) declared: usize,
    /// Those the run exercised, with the statuses seen.
    pub(crate) exercised: Vec<OperationCoverage>,
    /// Those it never touched (`service METHOD /template`).
    pub(crate) untouched: Vec<String>,
    /// Services whose document could not be had, and why (their answers were not checked).
    pub(crate) unavailable: Vec<String>,
}

impl Coverage {
    /// `spec coverage: 29 of 35 declared operations exercised (6 never touched)`, and the
    /// services without a document.
    pub(crate) fn line(&self) -> String {
        let mut text = format!(
            "spec coverage: {} of {} declared operations exercised ({} never touched)",
            self.exercised.len(),
            self.declared,
            self.untouched.len()
        );
        for why in &self.unavailable {
            text.push_str(&format!("; no schema checks for {why}"));
        }
        text
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct DocumentCoverage {
    pub(crate) service: Service,
    pub(crate) source: String,
    pub(crate) operations: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct OperationCoverage {
    pub(crate) service: Service,
    pub(crate) operation: String,
    pub(crate) statuses: Vec<u16>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> Spec {
        let doc = Arc::new(Document::contract(Service::Coordinator).clone());
        Spec::default().with(Service::Coordinator, doc, "contract".into())
    }

    #[test]
    fn a_drifted_answer_is_named_by_its_json_path_and_rule() {
        let spec = spec();
        let good = json!({"job_id": "0123456789abcdef0123456789abcdef", "state": "QUEUED",
            "assigned_miner_id": null, "requested_at": "2026-11-24T21:04:09.989672",
            "expires_at": "2026-11-24T21:19:09.989672", "error": null, "payment_id": null,
            "payment_status": null});
        assert_eq!(
            spec.check(Service::Coordinator, "POST", "/v1/jobs", 201, Some(&good)),
            Ok(())
        );
        let mut bad = good.clone();
        bad["state"] = json!("queued");
        let violation = spec
            .check(
                Service::Coordinator,
                "GET",
                "/v1/jobs/0123456789abcdef0123456789abcdef",
                200,
                Some(&bad),
            )
            .unwrap_err();
        assert_eq!(violation.path, "$.state");
        assert_eq!(violation.operation, "GET /v1/jobs/{job_id}");
        assert!(violation.rule.contains("queued"), "{}", violation.rule);
        let coverage = spec.coverage();
        let seen: Vec<&str> = coverage
            .exercised
            .iter()
            .map(|o| o.operation.as_str())
            .collect();
        assert_eq!(seen, ["POST /v1/jobs", "GET /v1/jobs/{job_id}"]);
        assert_eq!(
            coverage.declared,
            Document::contract(Service::Coordinator).operations.len()
        );
    }

    #[test]
    fn an_error_answer_or_an_undeclared_path_is_not_checked() {
        let spec = spec();
        let body = json!({"detail": "job not found"});
        assert!(spec
            .check(Service::Coordinator, "GET", "/v1/jobs/x", 404, Some(&body))
            .is_ok());
        assert!(spec
            .check(Service::Coordinator, "GET", "/v2/else", 200, Some(&body))
            .is_ok());
    }

    #[test]
    fn openapi_30_nullable_is_read_as_a_null_type() {
        let root = json!({"openapi": "3.0.3", "paths": {"/x": {"get": {"responses": {"200": {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/X"}}}}}}}},
            "components": {"schemas": {"X": {"type": "object", "required": ["a"], "properties": {
                "a": {"type": "integer", "nullable": true, "minimum": 0, "exclusiveMinimum": true}}}}}});
        let spec = Spec::default().with(
            Service::Node,
            Arc::new(Document::parse(root).unwrap()),
            "t".into(),
        );
        assert!(spec
            .check(Service::Node, "GET", "/x", 200, Some(&json!({"a": null})))
            .is_ok());
        assert!(spec
            .check(Service::Node, "GET", "/x", 200, Some(&json!({"a": 3})))
            .is_ok());
        let err = spec
            .check(Service::Node, "GET", "/x", 200, Some(&json!({"a": 0})))
            .unwrap_err();
        assert_eq!(err.path, "$.a");
        assert!(spec
            .check(Service::Node, "GET", "/x", 200, Some(&json!({"a": "1"})))
            .is_err());
    }

    #[test]
    fn pointers_read_as_json_paths() {
        assert_eq!(json_path(""), "$");
        assert_eq!(json_path("/items/0/state"), "$.items[0].state");
    }
}
