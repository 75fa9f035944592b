//! What a responder returns, the contract's error envelopes, and the request it reads from.

use serde_json::{json, Value};
use wiremock::{Request, ResponseTemplate};

use crate::clock;

/// What a handler returns: `Err` carries the error reply so handlers can use `?`.
pub(crate) type Handled = Result<Reply, Reply>;

/// One HTTP answer of the double.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Option<Value>,
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl Reply {
    /// A JSON body with this status.
    pub(crate) fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            body: Some(body),
            headers: Vec::new(),
        }
    }

    /// `200` with a JSON body.
    pub(crate) fn ok(body: Value) -> Self {
        Self::json(200, body)
    }

    /// No body at all (e.g. `204`).
    pub(crate) fn empty(status: u16) -> Self {
        Self {
            status,
            body: None,
            headers: Vec::new(),
        }
    }

    /// `{"detail": message}`: FastAPI's `HTTPException`.
    pub(crate) fn detail(status: u16, message: &str) -> Self {
        Self::json(status, json!({ "detail": message }))
    }

    /// The coordinator's 422 envelope for one invalid field.
    pub(crate) fn validation(field: &str, message: &str, code: &str) -> Self {
        Self::json(
            422,
            envelope(
                "VALIDATION_ERROR",
                "Request validation failed",
                422,
                json!({ "field": field, "message": message, "code": code }),
            ),
        )
    }

    /// The coordinator's 422 envelope for several invalid fields.
    pub(crate) fn validation_many(details: Vec<Value>) -> Self {
        let mut body = envelope(
            "VALIDATION_ERROR",
            "Request validation failed",
            422,
            Value::Null,
        );
        body["error"]["details"] = Value::Array(details);
        Self::json(422, body)
    }

    /// The coordinator's 500 envelope.
    pub(crate) fn internal(exception: &str, text: &str) -> Self {
        Self::json(
            500,
            envelope(
                "INTERNAL_SERVER_ERROR",
                "An unexpected error occurred",
                500,
                json!({ "field": "internal", "message": text, "code": exception }),
            ),
        )
    }

    /// FastAPI's own 422 shape (the node has no custom handler).
    pub(crate) fn fastapi_422(kind: &str, loc: [&str; 2], msg: &str, input: Value) -> Self {
        Self::json(
            422,
            json!({ "detail": [{ "type": kind, "loc": loc, "msg": msg, "input": input }] }),
        )
    }

    /// Adds a response header.
    pub(crate) fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The wiremock template for this reply.
    pub(crate) fn into_template(self) -> ResponseTemplate {
        let mut template = ResponseTemplate::new(self.status);
        for (name, value) in self.headers {
            template = template.insert_header(name, value.as_str());
        }
        match self.body {
            Some(body) => template.set_body_raw(body.to_string().into_bytes(), "application/json"),
            None => template,
        }
    }
}

/// `{"error":{code,message,status,details:[detail]},"timestamp","request_id":null}`.
pub(crate) fn envelope(code: &str, message: &str, status: u16, detail: Value) -> Value {
    json!({
        "error": { "code": code, "message": message, "status": status, "details": [detail] },
        "timestamp": clock::iso_utc(clock::now_micros()),
        "request_id": null,
    })
}

/// A request as a handler sees it: path parameters by name, query, key header, JSON body.
#[derive(Debug)]
pub(crate) struct Call<'r> {
    pub(crate) request: &'r Request,
    params: Vec<(&'static str, String)>,
}

impl<'r> Call<'r> {
    /// Binds `template` (`/v1/jobs/{job_id}`) to the request path.
    pub(crate) fn new(request: &'r Request, template: &'static str) -> Self {
        let params = template
            .split('/')
            .zip(request.url.path().split('/'))
            .filter_map(|(t, actual)| {
                let name = t.strip_prefix('{')?.strip_suffix('}')?;
                Some((name, percent_decode(actual)))
            })
            .collect();
        Self { request, params }
    }

    /// A path parameter, or `""` if the template has none of that name.
    pub(crate) fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// A query parameter, if present.
    pub(crate) fn query(&self, name: &str) -> Option<String> {
        self.request
            .url
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// The `X-Api-Key` header, if present and UTF-8.
    pub(crate) fn api_key(&self) -> Option<&str> {
        self.request
            .headers
            .get("x-api-key")
            .and_then(|v| v.to_str().ok())
    }

    /// The body as a JSON object, or the contract's 422 when it is not one. As FastAPI: a body
    /// sent with a content type other than JSON is not parsed (422, not a dictionary).
    pub(crate) fn json_object(&self) -> Result<serde_json::Map<String, Value>, Reply> {
        if self.request.body.is_empty() {
            return Err(Reply::validation("body", "Field required", "missing"));
        }
        let content_type = self
            .request
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok());
        if content_type.is_some_and(|t| {
            let media = t.split(';').next().unwrap_or(t).trim();
            media != "application/json" && !media.ends_with("+json")
        }) {
            return Err(Reply::validation(
                "body",
                "Input should be a valid dictionary or object to extract fields from",
                "model_attributes_type",
            ));
        }
        match serde_json::from_slice::<Value>(&self.request.body) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(Reply::validation(
                "body",
                "Input should be a valid dictionary or object to extract fields from",
                "model_attributes_type",
            )),
            Err(_) => Err(Reply::validation(
                "body",
                "JSON decode error",
                "json_invalid",
            )),
        }
    }
}

impl Call<'_> {
    /// An optional body (`{}` when none is sent); one that is sent must be a JSON object.
    pub(crate) fn optional_json_object(&self) -> Result<serde_json::Map<String, Value>, Reply> {
        if self.request.body.is_empty() {
            return Ok(serde_json::Map::new());
        }
        self.json_object()
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| {
            std::str::from_utf8(h)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        });
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A required object field of a body, or the contract's 422 naming `body.<field>`.
pub(crate) fn required_object(
    body: &serde_json::Map<String, Value>,
    field: &str,
) -> Result<Value, Reply> {
    match body.get(field) {
        None | Some(Value::Null) => Err(Reply::validation(
            &format!("body.{field}"),
            "Field required",
            "missing",
        )),
        Some(value @ Value::Object(_)) => Ok(value.clone()),
        Some(_) => Err(Reply::validation(
            &format!("body.{field}"),
            "Input should be a valid dictionary",
            "dict_type",
        )),
    }
}

/// An optional integer field at or above `min`, or the contract's 422.
pub(crate) fn optional_int_at_least(
    body: &serde_json::Map<String, Value>,
    field: &str,
    default: i64,
    min: i64,
) -> Result<i64, Reply> {
    let value = optional_int(body, field, default)?;
    if value < min {
        return Err(Reply::validation(
            &format!("body.{field}"),
            &format!("Input should be greater than or equal to {min}"),
            "greater_than_equal",
        ));
    }
    Ok(value)
}

/// Each optional field given must be of its JSON type (`"object"`, `"string"`, …; `"string?"`
/// also takes null), as pydantic checks a model's fields; else the contract's 422.
pub(crate) fn typed_fields(
    body: &serde_json::Map<String, Value>,
    fields: &[(&str, &str)],
) -> Result<(), Reply> {
    for (field, kind) in fields {
        let Some(value) = body.get(*field) else {
            continue;
        };
        let (kind, nullable) = match kind.strip_suffix('?') {
            Some(k) => (k, true),
            None => (*kind, false),
        };
        let fits = match value {
            Value::Null => nullable,
            Value::Object(_) => kind == "object",
            Value::String(_) => kind == "string",
            Value::Bool(_) => kind == "boolean",
            Value::Array(_) => kind == "array",
            Value::Number(n) => kind == "number" || (kind == "integer" && n.is_i64()),
        };
        if !fits {
            return Err(Reply::validation(
                &format!("body.{field}"),
                &format!("Input should be a valid {kind}"),
                &format!("{kind}_type"),
            ));
        }
    }
    Ok(())
}

/// A required string field of a body, or the contract's 422.
pub(crate) fn required_string(
    body: &serde_json::Map<String, Value>,
    field: &str,
) -> Result<String, Reply> {
    match body.get(field) {
        None | Some(Value::Null) => Err(Reply::validation(
            &format!("body.{field}"),
            "Field required",
            "missing",
        )),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(Reply::validation(
            &format!("body.{field}"),
            "Input should be a valid string",
            "string_type",
        )),
    }
}

/// An optional integer field with a default, or the contract's 422 (null is not an integer:
/// pydantic refuses it for a field with a default).
pub(crate) fn optional_int(
    body: &serde_json::Map<String, Value>,
    field: &str,
    default: i64,
) -> Result<i64, Reply> {
    match body.get(field) {
        None => Ok(default),
        Some(v) => v.as_i64().ok_or_else(|| {
            Reply::validation(
                &format!("body.{field}"),
                "Input should be a valid integer",
                "int_type",
            )
        }),
    }
}
