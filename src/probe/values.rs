//! Values from a JSON Schema: one that the schema accepts, and the boundary and invalid values
//! around it, each labelled and marked valid or not by the schema itself.

use serde_json::{json, Value};

use crate::openapi::document::{required, resolve};

/// How deep nested objects and arrays are generated.
const DEPTH: usize = 6;

/// The label of an integer past the signed 64-bit range (what a database column holds).
pub(crate) const BEYOND_I64: &str = "beyond 64-bit signed";

/// An over-long string: longer than any field of the contract needs.
pub(crate) const LONG: usize = 10_000;

/// One value to send, and whether the schema accepts it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Variant {
    /// What it is, for the finding: `over-long string`, `below minimum`.
    pub(crate) label: &'static str,
    pub(crate) value: Value,
    /// The schema accepts it (a rejection with 422 is then the server's disagreement).
    pub(crate) valid: bool,
}

/// The schema with its `$ref`s followed and its first non-null `anyOf`/`oneOf`/`allOf`
/// alternative taken (FastAPI writes `Optional[int]` as `anyOf: [{type: integer}, {type: null}]`).
pub(crate) fn effective<'v>(root: &'v Value, schema: &'v Value) -> &'v Value {
    let schema = resolve(root, schema);
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(first) = schema.get(key).and_then(Value::as_array).and_then(|all| {
            all.iter()
                .map(|s| resolve(root, s))
                .find(|s| s.get("type").and_then(Value::as_str) != Some("null"))
        }) {
            return effective(root, first);
        }
    }
    schema
}

/// Whether the schema allows `null` (`nullable`, a `null` type, a null alternative).
pub(crate) fn nullable(root: &Value, schema: &Value) -> bool {
    let schema = resolve(root, schema);
    schema.get("nullable").and_then(Value::as_bool) == Some(true)
        || schema
            .get("type")
            .and_then(Value::as_array)
            .is_some_and(|t| t.iter().any(|t| t.as_str() == Some("null")))
        || ["anyOf", "oneOf"].iter().any(|key| {
            schema
                .get(*key)
                .and_then(Value::as_array)
                .is_some_and(|all| {
                    all.iter().any(|s| {
                        resolve(root, s).get("type").and_then(Value::as_str) == Some("null")
                    })
                })
        })
}

/// The schema's type: its `type` (the first non-null of a list), else guessed from its keywords.
pub(crate) fn type_of(schema: &Value) -> &str {
    match schema.get("type") {
        Some(Value::String(t)) => t,
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ if schema.get("properties").is_some() => "object",
        _ if schema.get("items").is_some() => "array",
        _ => "any",
    }
}

/// A value the schema accepts: its example, default or first enum member when it has one, else
/// the smallest thing of its type (required properties only).
pub(crate) fn valid(root: &Value, schema: &Value) -> Value {
    valid_at(root, schema, 0)
}

fn valid_at(root: &Value, schema: &Value, depth: usize) -> Value {
    let schema = effective(root, schema);
    for key in ["const", "example", "default"] {
        if let Some(v) = schema.get(key) {
            return v.clone();
        }
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    if let Some(first) = schema
        .get("examples")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    match type_of(schema) {
        "string" => valid_string(schema),
        "integer" => json!(number_in(schema, 1.0) as i64),
        "number" => json!(number_in(schema, 1.5)),
        "boolean" => json!(true),
        "array" => {
            let n = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
            let items = schema.get("items").cloned().unwrap_or(json!({}));
            let one = if depth < DEPTH {
                valid_at(root, &items, depth + 1)
            } else {
                Value::Null
            };
            Value::Array(vec![one; n as usize])
        }
        "object" => {
            let mut out = serde_json::Map::new();
            if depth < DEPTH {
                for name in required(schema) {
                    let property = schema
                        .get("properties")
                        .and_then(|p| p.get(&name))
                        .cloned()
                        .unwrap_or(json!({}));
                    out.insert(name, valid_at(root, &property, depth + 1));
                }
            }
            Value::Object(out)
        }
        _ => json!("probe"),
    }
}

fn valid_string(schema: &Value) -> Value {
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(1) as usize;
    match schema.get("format").and_then(Value::as_str) {
        Some("date-time") => json!("2026-01-01T00:00:00Z"),
        Some("date") => json!("2026-01-01"),
        Some("uuid") => json!("00000000-0000-4000-8000-000000000000"),
        Some("email") => json!("probe@example.com"),
        Some("uri") => json!("http://127.0.0.1/"),
        _ => json!("p".repeat(min.max(1))),
    }
}

/// A number inside the schema's bounds, `preferred` when it fits.
fn number_in(schema: &Value, preferred: f64) -> f64 {
    let (low, high) = bounds(schema);
    match (low, high) {
        (Some(l), _) if preferred < l => l,
        (_, Some(h)) if preferred > h => h,
        _ => preferred,
    }
}

/// The inclusive bounds of a number schema (an exclusive bound moved in by one).
fn bounds(schema: &Value) -> (Option<f64>, Option<f64>) {
    let get = |k: &str| schema.get(k).and_then(Value::as_f64);
    let low = get("minimum").or_else(|| get("exclusiveMinimum").map(|v| v + 1.0));
    let high = get("maximum").or_else(|| get("exclusiveMaximum").map(|v| v - 1.0));
    (low, high)
}

/// The boundary and invalid values of a schema, in a fixed order.
pub(crate) fn variants(root: &Value, schema: &Value) -> Vec<Variant> {
    let null_ok = nullable(root, schema);
    let schema = effective(root, schema);
    let mut out = vec![Variant {
        label: "null",
        value: Value::Null,
        valid: null_ok,
    }];
    if let Some(members) = schema.get("enum").and_then(Value::as_array) {
        out.push(Variant {
            label: "not one of the enum",
            value: json!("probe-not-a-member"),
            valid: members.contains(&json!("probe-not-a-member")),
        });
        return out;
    }
    match type_of(schema) {
        "string" => out.extend(string_variants(schema)),
        t @ ("integer" | "number") => out.extend(number_variants(schema, t == "integer")),
        "boolean" => out.push(wrong_type(json!("maybe"))),
        "array" => out.push(wrong_type(json!({"probe": 1}))),
        "object" => out.push(wrong_type(json!(["probe"]))),
        _ => {}
    }
    out
}

fn wrong_type(value: Value) -> Variant {
    Variant {
        label: "wrong type",
        value,
        valid: false,
    }
}

fn string_variants(schema: &Value) -> Vec<Variant> {
    let min = schema.get("minLength").and_then(Value::as_u64);
    let max = schema.get("maxLength").and_then(Value::as_u64);
    let fits = |n: usize| min.is_none_or(|m| n as u64 >= m) && max.is_none_or(|m| n as u64 <= m);
    let free = schema.get("pattern").is_none() && schema.get("format").is_none();
    let text = |label, s: String| Variant {
        label,
        valid: free && fits(s.chars().count()),
        value: Value::String(s),
    };
    let mut out = vec![
        wrong_type(json!(12345)),
        text("empty string", String::new()),
        text("over-long string", "A".repeat(LONG)),
        text("unicode", "ünïcødé ☃ 𝄞 \u{202e}".into()),
        text("NUL byte", "probe\u{0}nul".into()),
    ];
    if let Some(m) = max.filter(|m| *m < LONG as u64) {
        out.push(text("just over maxLength", "a".repeat(m as usize + 1)));
    }
    if let Some(m) = min.filter(|m| *m > 0) {
        out.push(text("just under minLength", "a".repeat(m as usize - 1)));
    }
    out
}

fn number_variants(schema: &Value, integer: bool) -> Vec<Variant> {
    let (low, high) = bounds(schema);
    let inside = |v: f64| low.is_none_or(|l| v >= l) && high.is_none_or(|h| v <= h);
    let number = |label, v: f64| Variant {
        label,
        value: if integer { json!(v as i64) } else { json!(v) },
        valid: inside(v),
    };
    let mut out = vec![
        wrong_type(json!("abc")),
        number("negative", -1.0),
        number("zero", 0.0),
        number("huge", 9.2e18),
    ];
    if integer {
        out.push(Variant {
            label: "fraction",
            value: json!(1.5),
            valid: false,
        });
        out.push(Variant {
            label: BEYOND_I64,
            value: json!(u64::MAX),
            valid: high.is_none(),
        });
    }
    if let Some(l) = low {
        out.push(number("just under minimum", l - 1.0));
        out.push(number("at minimum", l));
    }
    if let Some(h) = high {
        out.push(number("just over maximum", h + 1.0));
        out.push(number("at maximum", h));
    }
    out
}

/// Whether a string schema takes `text`: its length within bounds; a pattern, format or enum
/// is not evaluated, so such a schema is taken not to.
pub(crate) fn accepts_text(schema: &Value, text: &str) -> bool {
    let n = text.chars().count() as u64;
    let get = |k: &str| schema.get(k).and_then(Value::as_u64);
    ["pattern", "format", "enum", "const"]
        .iter()
        .all(|k| schema.get(*k).is_none())
        && get("minLength").is_none_or(|m| n >= m)
        && get("maxLength").is_none_or(|m| n <= m)
}

/// Whether a number schema takes `n` (its bounds; an enum or const is taken not to).
pub(crate) fn accepts_number(schema: &Value, n: f64) -> bool {
    let (low, high) = bounds(schema);
    schema.get("enum").is_none()
        && schema.get("const").is_none()
        && low.is_none_or(|l| n >= l)
        && high.is_none_or(|h| n <= h)
}

/// A value as it goes in a URL: strings bare, the rest as JSON text.
pub(crate) fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_value_keeps_every_bound_and_the_required_properties() {
        let root = json!({"components": {"schemas": {"N": {"type": "integer", "minimum": 5}}}});
        let schema = json!({"type": "object", "required": ["n", "s"], "properties": {
            "n": {"$ref": "#/components/schemas/N"},
            "s": {"type": "string", "minLength": 3},
            "o": {"type": "string"}}});
        assert_eq!(valid(&root, &schema), json!({"n": 5, "s": "ppp"}));
        let optional = json!({"anyOf": [{"type": "integer", "maximum": 0}, {"type": "null"}]});
        assert_eq!(valid(&root, &optional), json!(0));
        assert!(nullable(&root, &optional));
    }

    #[test]
    fn variants_are_judged_by_the_schema_itself() {
        let root = json!({});
        let limit = json!({"type": "integer", "minimum": 1, "maximum": 200});
        let by_label: Vec<(&str, bool)> = variants(&root, &limit)
            .iter()
            .map(|v| (v.label, v.valid))
            .collect();
        for expected in [
            ("null", false),
            ("wrong type", false),
            ("negative", false),
            ("huge", false),
            ("just under minimum", false),
            ("at minimum", true),
            ("just over maximum", false),
            ("at maximum", true),
        ] {
            assert!(by_label.contains(&expected), "{expected:?} in {by_label:?}");
        }
        let free = variants(&root, &json!({"type": "string"}));
        assert!(free
            .iter()
            .any(|v| v.label == "over-long string" && v.valid));
        let bounded = variants(&root, &json!({"type": "string", "maxLength": 8}));
        assert!(bounded
            .iter()
            .any(|v| v.label == "over-long string" && !v.valid));
    }
}
