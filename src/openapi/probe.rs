//! Probing an endpoint when its service publishes no usable document: one harmless request
//! (no credentials; a body that cannot validate), judged by FastAPI's routing answers.

use std::time::Duration;

use serde_json::Value;

/// What a probe or a document says of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Presence {
    Declared,
    Missing,
    /// Neither the document nor a probe can tell.
    Unknown,
}

/// A path no service serves, asked first: if it is denied (401/403) rather than 404, the
/// service denies unknown routes (the JWT era's security matrix), so a 401/403 decides nothing.
pub(crate) const CONTROL_PATH: &str = "/__aitbc_conformance_no_such_route__";

/// How one probe went.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Option<Value>,
}

/// The concrete path probed for a template: parameters filled with a value no real id has.
pub(crate) fn concrete(template: &str) -> String {
    template
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "00000000000000000000000000000000"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Sends the probe: no credential; POST/PUT/PATCH carry `[]`, which no endpoint accepts as its
/// body, so nothing is created or changed. `Err` is a transport error's text.
pub(crate) async fn send(
    client: &reqwest::Client,
    base: &str,
    method: &str,
    path: &str,
    timeout: Duration,
) -> Result<Answer, reqwest::Error> {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET);
    let mut request = client
        .request(method.clone(), format!("{base}{path}"))
        .timeout(timeout);
    if matches!(
        method,
        reqwest::Method::POST | reqwest::Method::PUT | reqwest::Method::PATCH
    ) {
        request = request
            .header("Content-Type", "application/json")
            .body("[]");
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    let bytes = response.bytes().await?;
    Ok(Answer {
        status,
        body: serde_json::from_slice(&bytes).ok(),
    })
}

/// What a probe's answer says: FastAPI's route-level 404 `{"detail":"Not Found"}` (or an empty
/// 404) and 405 (the path serves other methods only) mean missing; 401/403 (unless the control
/// probe showed they are given to unknown routes too), 400, 409, 422, 425, a domain 404 and 2xx
/// mean the route exists; 5xx and 429 decide nothing.
pub(crate) fn judge(answer: &Answer, denies_unknown_routes: bool) -> Presence {
    let detail = answer
        .body
        .as_ref()
        .and_then(|b| b.get("detail"))
        .and_then(Value::as_str);
    match answer.status {
        404 if detail == Some("Not Found") || answer.body.is_none() => Presence::Missing,
        405 => Presence::Missing,
        401 | 403 if denies_unknown_routes => Presence::Unknown,
        200..=299 | 400 | 401 | 403 | 404 | 409 | 422 | 425 => Presence::Declared,
        _ => Presence::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answer(status: u16, body: Option<Value>) -> Answer {
        Answer { status, body }
    }

    #[test]
    fn routing_answers_are_read_as_fastapi_gives_them() {
        let not_found = Some(json!({"detail": "Not Found"}));
        assert_eq!(
            judge(&answer(404, not_found.clone()), false),
            Presence::Missing
        );
        assert_eq!(judge(&answer(404, None), false), Presence::Missing);
        assert_eq!(judge(&answer(405, None), false), Presence::Missing);
        let domain = Some(json!({"detail": "job not found"}));
        assert_eq!(judge(&answer(404, domain), false), Presence::Declared);
        assert_eq!(judge(&answer(401, None), false), Presence::Declared);
        assert_eq!(judge(&answer(422, None), false), Presence::Declared);
        assert_eq!(judge(&answer(401, None), true), Presence::Unknown);
        assert_eq!(judge(&answer(404, not_found), true), Presence::Missing);
        assert_eq!(judge(&answer(500, None), false), Presence::Unknown);
        assert_eq!(
            concrete("/v1/jobs/{job_id}/cancel"),
            "/v1/jobs/00000000000000000000000000000000/cancel"
        );
    }
}
