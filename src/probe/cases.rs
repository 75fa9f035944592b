//! The requests of one route: a valid one with the role it needs, then each path, query and body
//! value varied alone (boundaries, wrong types, missing, malformed), the live objects of other
//! states and owners, and the wrong callers; and seeded random combinations of the same.

use std::collections::BTreeMap;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Value};

use super::judge::Expect;
use super::values::{self, Variant};
use crate::openapi::document::{Location, Operation, Parameter};

/// Kept as they are in a path segment or a query value.
const KEEP: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The inputs that most often break a backend, sent first.
const SHARP: [&str; 5] = [
    values::BEYOND_I64,
    "NUL byte",
    "over-long string",
    "malformed JSON",
    "huge",
];

/// Who sends a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Caller {
    /// A role's credential (`client`, `other-client`, `miner`, `admin`).
    Role(&'static str),
    Nobody,
}

/// What a request carries.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Payload {
    None,
    Json(Value),
    Raw {
        content_type: &'static str,
        bytes: Vec<u8>,
    },
}

impl Payload {
    /// As the HTTP client sends it.
    pub(crate) fn body(&self) -> crate::http::Body<'_> {
        use crate::http::Body;
        match self {
            Payload::None => Body::None,
            Payload::Json(v) => Body::Json(v),
            Payload::Raw {
                content_type,
                bytes,
            } => Body::Raw {
                content_type,
                bytes,
            },
        }
    }
}

/// One request to send and what the document and roles say of it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Case {
    /// What is unusual about it: `query limit: negative`.
    pub(crate) input: String,
    /// Path and query, encoded.
    pub(crate) path: String,
    pub(crate) payload: Payload,
    pub(crate) caller: Caller,
    pub(crate) expect: Expect,
}

/// A live object a path parameter can name.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LiveId {
    /// `my queued job`, `another client's job`.
    pub(crate) label: &'static str,
    pub(crate) id: String,
    /// The route's role owns it (otherwise the route must refuse it).
    pub(crate) owned: bool,
    /// Cancelled or deleted: a route that changes it must refuse (its reads may answer).
    pub(crate) gone: bool,
}

/// Live objects by path parameter name (`job_id`, `workflow_id`, …).
pub(crate) type Ids = BTreeMap<String, Vec<LiveId>>;

/// One operation as the probe sends it.
#[derive(Debug, Clone)]
pub(crate) struct Route<'a> {
    pub(crate) op: &'a Operation,
    /// Its document's root, for `$ref`s.
    pub(crate) root: &'a Value,
    /// The role it needs; sent with it unless a case says otherwise.
    pub(crate) role: &'static str,
    /// Roles (and nobody) that it must refuse, where the contract or the catalog says whose
    /// route it is.
    pub(crate) refuses: Vec<Caller>,
    /// Other callers to try where its role is only a guess: their answers judge nothing but
    /// a 5xx, and one that gets through counts the route as reached.
    pub(crate) tries: Vec<Caller>,
    /// A body known to be accepted (the scenarios' own), where the schema's smallest is not.
    pub(crate) known_body: Option<Value>,
}

/// The valid request every case varies.
#[derive(Debug, Clone)]
struct Base {
    path: Vec<(String, String)>,
    query: Vec<(String, String)>,
    body: Option<Value>,
}

impl Route<'_> {
    fn base(&self, ids: &Ids) -> Base {
        let mut base = Base {
            path: Vec::new(),
            query: Vec::new(),
            body: None,
        };
        for p in &self.op.parameters {
            match p.location {
                Location::Path => {
                    let live = ids
                        .get(&p.name)
                        .and_then(|l| l.iter().find(|l| l.owned && !l.gone));
                    let value = live.map_or_else(
                        || values::as_text(&values::valid(self.root, &p.schema)),
                        |l| l.id.clone(),
                    );
                    base.path.push((p.name.clone(), value));
                }
                Location::Query if p.required => base.query.push((
                    p.name.clone(),
                    values::as_text(&values::valid(self.root, &p.schema)),
                )),
                Location::Query => {}
            }
        }
        if let Some(schema) = &self.op.request {
            base.body = Some(
                self.known_body
                    .clone()
                    .unwrap_or_else(|| values::valid(self.root, schema)),
            );
        }
        base
    }

    fn case(&self, base: &Base, input: String, expect: Expect) -> Case {
        Case {
            input,
            path: render_path(&self.op.template, &base.path, &base.query),
            payload: base.body.clone().map_or(Payload::None, Payload::Json),
            caller: Caller::Role(self.role),
            expect,
        }
    }

    /// Every deterministic case of the route, in a fixed order: the valid request, the other
    /// live objects, the inputs that break backends most often (a number past 64 bits, a NUL
    /// byte, an over-long string, malformed JSON), the wrong callers, then the rest — so that a
    /// target that allows a route only a few requests a minute still gets the telling ones.
    pub(crate) fn cases(&self, ids: &Ids) -> Vec<Case> {
        let base = self.base(ids);
        let mut out = vec![self.case(&base, "valid, as the route's role".into(), Expect::Valid)];
        out.extend(self.live_cases(&base, ids));
        let mut varied: Vec<Case> = Vec::new();
        for p in &self.op.parameters {
            varied.extend(self.parameter_cases(&base, p));
        }
        varied.extend(self.body_cases(&base));
        let (sharp, rest): (Vec<Case>, Vec<Case>) = varied.into_iter().partition(|c| {
            let label = c.input.rsplit(": ").next().unwrap_or_default();
            SHARP.contains(&label)
        });
        out.extend(sharp);
        for (&caller, expect) in self
            .refuses
            .iter()
            .map(|c| (c, Expect::Refused))
            .chain(self.tries.iter().map(|c| (c, Expect::Either)))
        {
            let mut case = self.case(&base, format!("as {}", caller_name(caller)), expect);
            case.caller = caller;
            out.push(case);
        }
        out.extend(rest);
        out
    }

    /// The other live objects each path parameter can name: other states, other owners.
    fn live_cases(&self, base: &Base, ids: &Ids) -> Vec<Case> {
        let mut out = Vec::new();
        for (i, (name, current)) in base.path.iter().enumerate() {
            for live in ids.get(name).into_iter().flatten() {
                if live.id == *current {
                    continue;
                }
                let mut varied = base.clone();
                varied.path[i].1 = live.id.clone();
                // Ownership is a client's: a miner's routes name jobs of any client.
                let expect = if live.gone && self.op.method != "GET" {
                    Expect::Gone
                } else if live.owned || self.role != "client" {
                    Expect::Valid
                } else {
                    Expect::Refused
                };
                out.push(self.case(&varied, format!("path {name}: {}", live.label), expect));
            }
        }
        out
    }

    fn parameter_cases(&self, base: &Base, p: &Parameter) -> Vec<Case> {
        let mut out = Vec::new();
        if p.location == Location::Query && p.required {
            let mut varied = base.clone();
            varied.query.retain(|(n, _)| *n != p.name);
            out.push(self.case(
                &varied,
                format!("query {}: missing", p.name),
                Expect::Invalid,
            ));
        }
        for v in text_variants(self.root, &p.schema) {
            let where_ = if p.location == Location::Path {
                if v.value == json!("") {
                    continue;
                }
                "path"
            } else {
                "query"
            };
            let varied = with_parameter(base, p, values::as_text(&v.value));
            out.push(self.case(
                &varied,
                format!("{where_} {}: {}", p.name, v.label),
                expect_of(&v),
            ));
        }
        out
    }

    fn body_cases(&self, base: &Base) -> Vec<Case> {
        let (Some(schema), Some(body)) = (&self.op.request, &base.body) else {
            return Vec::new();
        };
        let schema = values::effective(self.root, schema);
        let raw = |content_type, bytes: &[u8]| Payload::Raw {
            content_type,
            bytes: bytes.to_vec(),
        };
        let text = body.to_string();
        let mut out = vec![
            self.with_payload(
                base,
                "body: malformed JSON",
                raw("application/json", b"{\"probe\": "),
                Expect::Invalid,
            ),
            self.with_payload(
                base,
                "body: sent as text/plain",
                raw("text/plain", text.as_bytes()),
                Expect::Invalid,
            ),
        ];
        if self.op.request_required {
            out.push(self.with_payload(base, "body: none", Payload::None, Expect::Invalid));
        }
        let Some(object) = body.as_object() else {
            return out;
        };
        for field in crate::openapi::document::required(schema) {
            let mut varied = object.clone();
            varied.remove(&field);
            out.push(self.with_payload(
                base,
                &format!("body {field}: missing"),
                Payload::Json(Value::Object(varied)),
                Expect::Invalid,
            ));
        }
        let closed = schema.get("additionalProperties") == Some(&json!(false));
        let mut unknown = object.clone();
        unknown.insert("probe_unknown_field".into(), json!(1));
        out.push(self.with_payload(
            base,
            "body: an unknown field",
            Payload::Json(Value::Object(unknown)),
            if closed {
                Expect::Invalid
            } else {
                Expect::Valid
            },
        ));
        let properties = schema.get("properties").and_then(Value::as_object);
        for (field, property) in properties.into_iter().flatten() {
            for v in values::variants(self.root, property) {
                let mut varied = object.clone();
                varied.insert(field.clone(), v.value.clone());
                out.push(self.with_payload(
                    base,
                    &format!("body {field}: {}", v.label),
                    Payload::Json(Value::Object(varied)),
                    expect_of(&v),
                ));
            }
        }
        out
    }

    fn with_payload(&self, base: &Base, input: &str, payload: Payload, expect: Expect) -> Case {
        Case {
            payload,
            ..self.case(base, input.to_string(), expect)
        }
    }

    /// The valid request with these live objects in its path, sent as `input` expecting
    /// `expect`.
    pub(crate) fn with_ids(&self, ids: &Ids, input: &str, expect: Expect) -> Case {
        self.case(&self.base(ids), input.to_string(), expect)
    }

    /// A random combination of one to three variations of the valid request (`rng` seeded).
    pub(crate) fn random(&self, ids: &Ids, rng: &mut fastrand::Rng) -> Case {
        let base = self.base(ids);
        let mut varied = base.clone();
        let mut body = base.body.clone();
        let (mut labels, mut valid, mut either) = (Vec::new(), true, false);
        let mut used = Vec::new();
        for _ in 0..rng.usize(1..=3) {
            let fields = body
                .as_ref()
                .and_then(Value::as_object)
                .map_or(0, serde_json::Map::len);
            let slots = self.op.parameters.len() + fields;
            if slots == 0 {
                break;
            }
            let slot = rng.usize(..slots);
            if used.contains(&slot) {
                continue;
            }
            used.push(slot);
            if let Some(p) = self.op.parameters.get(slot) {
                let v = random_variant(self.root, &p.schema, rng, true);
                valid &= v.valid;
                either |= expect_of(&v) == Expect::Either;
                labels.push(format!(
                    "{} {}: {}",
                    location_name(p.location),
                    p.name,
                    v.label
                ));
                varied = with_parameter(&varied, p, values::as_text(&v.value));
            } else if let Some(object) = body.as_mut().and_then(Value::as_object_mut) {
                let field = object.keys().nth(slot - self.op.parameters.len()).cloned();
                let Some(field) = field else { continue };
                let schema = self.property_schema(&field);
                let v = random_variant(self.root, &schema, rng, false);
                valid &= v.valid;
                either |= expect_of(&v) == Expect::Either;
                labels.push(format!("body {field}: {}", v.label));
                object.insert(field, v.value);
            }
        }
        varied.body = body;
        let expect = match (valid, either) {
            (false, _) => Expect::Invalid,
            (true, true) => Expect::Either,
            (true, false) => Expect::Valid,
        };
        let input = format!("random: {}", labels.join("; "));
        self.case(&varied, input, expect)
    }

    fn property_schema(&self, field: &str) -> Value {
        self.op
            .request
            .as_ref()
            .map(|s| values::effective(self.root, s))
            .and_then(|s| s.get("properties"))
            .and_then(|p| p.get(field))
            .cloned()
            .unwrap_or(json!({}))
    }
}

fn caller_name(caller: Caller) -> &'static str {
    match caller {
        Caller::Role(role) => role,
        Caller::Nobody => "nobody (no credential)",
    }
}

fn location_name(location: Location) -> &'static str {
    match location {
        Location::Path => "path",
        Location::Query => "query",
    }
}

fn expect_of(v: &Variant) -> Expect {
    if v.valid && v.label == values::BEYOND_I64 {
        Expect::Either
    } else if v.valid {
        Expect::Valid
    } else {
        Expect::Invalid
    }
}

/// The variants of a parameter as text: no `null` (a query value cannot be one), and a number in
/// a string parameter is just digits, which the string accepts.
fn text_variants(root: &Value, schema: &Value) -> Vec<Variant> {
    let is_string = values::type_of(values::effective(root, schema)) == "string";
    values::variants(root, schema)
        .into_iter()
        .filter(|v| v.label != "null")
        .map(|v| match v.label {
            "wrong type" if is_string => Variant {
                label: "digits",
                valid: true,
                ..v
            },
            _ => v,
        })
        .collect()
}

/// A seeded random value for a schema: a random variant, or random text or a random number.
fn random_variant(root: &Value, schema: &Value, rng: &mut fastrand::Rng, text: bool) -> Variant {
    let mut pool = if text {
        text_variants(root, schema)
    } else {
        values::variants(root, schema)
    };
    let effective = values::effective(root, schema);
    match values::type_of(effective) {
        "string" => {
            let text = random_text(rng);
            pool.push(Variant {
                label: "random text",
                valid: values::accepts_text(effective, &text),
                value: Value::String(text),
            });
        }
        "integer" => {
            let n = rng.i64(-1_000_000..1_000_000);
            pool.push(Variant {
                label: "random integer",
                valid: values::accepts_number(effective, n as f64),
                value: json!(n),
            });
        }
        _ => {}
    }
    if pool.is_empty() {
        return Variant {
            label: "random text",
            value: Value::String(random_text(rng)),
            valid: false,
        };
    }
    pool.swap_remove(rng.usize(..pool.len()))
}

fn random_text(rng: &mut fastrand::Rng) -> String {
    const ALPHABET: &[char] = &[
        'a', 'Z', '0', '9', ' ', '-', '_', '/', '%', '\'', '"', '\\', '<', '{', 'ü', '☃', '𝄞',
        '\u{0}',
    ];
    (0..rng.usize(0..48))
        .map(|_| ALPHABET[rng.usize(..ALPHABET.len())])
        .collect()
}

fn with_parameter(base: &Base, p: &Parameter, value: String) -> Base {
    let mut varied = base.clone();
    let list = match p.location {
        Location::Path => &mut varied.path,
        Location::Query => &mut varied.query,
    };
    match list.iter_mut().find(|(n, _)| *n == p.name) {
        Some(slot) => slot.1 = value,
        None => list.push((p.name.clone(), value)),
    }
    varied
}

/// The template with its parameters filled in and the query appended, all encoded.
pub(crate) fn render_path(
    template: &str,
    path: &[(String, String)],
    query: &[(String, String)],
) -> String {
    let mut out = template.to_string();
    for (name, value) in path {
        let encoded = utf8_percent_encode(value, KEEP).to_string();
        out = out.replace(&format!("{{{name}}}"), &encoded);
    }
    let pairs: Vec<String> = query
        .iter()
        .map(|(n, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(n, KEEP),
                utf8_percent_encode(v, KEEP)
            )
        })
        .collect();
    if !pairs.is_empty() {
        out.push('?');
        out.push_str(&pairs.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openapi::Document;

    fn document() -> Document {
        Document::parse(
            json!({"openapi": "3.1.0", "paths": {"/v1/jobs/{job_id}/things": {"post": {
            "parameters": [
                {"name": "job_id", "in": "path", "required": true, "schema": {"type": "string"}},
                {"name": "limit", "in": "query", "required": true,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 10}}],
            "requestBody": {"content": {"application/json": {"schema": {
                "type": "object", "required": ["name"],
                "properties": {"name": {"type": "string", "maxLength": 5}}}}}},
            "responses": {"200": {"description": "ok"}}}}}}),
        )
        .unwrap()
    }

    #[test]
    fn the_cases_of_a_route_vary_one_thing_each_and_say_what_they_expect() {
        let doc = document();
        let route = Route {
            op: &doc.operations[0],
            root: &doc.root,
            role: "client",
            refuses: vec![Caller::Nobody, Caller::Role("miner")],
            tries: Vec::new(),
            known_body: None,
        };
        let mut ids = Ids::new();
        ids.insert(
            "job_id".into(),
            vec![
                LiveId {
                    label: "my queued job",
                    id: "j1".into(),
                    owned: true,
                    gone: false,
                },
                LiveId {
                    label: "another client's job",
                    id: "j2".into(),
                    owned: false,
                    gone: false,
                },
            ],
        );
        let cases = route.cases(&ids);
        let find = |input: &str| {
            cases
                .iter()
                .find(|c| c.input == input)
                .unwrap_or_else(|| panic!("{input}"))
        };
        let base = find("valid, as the route's role");
        assert_eq!(base.path, "/v1/jobs/j1/things?limit=1");
        assert_eq!(base.payload, Payload::Json(json!({"name": "p"})));
        assert_eq!(
            find("path job_id: another client's job").expect,
            Expect::Refused
        );
        assert_eq!(find("query limit: missing").path, "/v1/jobs/j1/things");
        assert_eq!(
            find("query limit: just over maximum").path,
            "/v1/jobs/j1/things?limit=11"
        );
        assert_eq!(find("query limit: at maximum").expect, Expect::Valid);
        assert_eq!(
            find("path job_id: NUL byte").path,
            "/v1/jobs/probe%00nul/things?limit=1"
        );
        assert_eq!(find("body name: over-long string").expect, Expect::Invalid);
        assert_eq!(find("body name: missing").payload, Payload::Json(json!({})));
        assert_eq!(find("body: malformed JSON").expect, Expect::Invalid);
        assert_eq!(find("as nobody (no credential)").caller, Caller::Nobody);
        assert_eq!(find("as miner").expect, Expect::Refused);
    }

    #[test]
    fn the_random_phase_is_the_same_for_the_same_seed() {
        let doc = document();
        let route = Route {
            op: &doc.operations[0],
            root: &doc.root,
            role: "client",
            refuses: Vec::new(),
            tries: Vec::new(),
            known_body: None,
        };
        let draw = |seed| {
            let mut rng = fastrand::Rng::with_seed(seed);
            (0..50)
                .map(|_| route.random(&Ids::new(), &mut rng))
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }
}
