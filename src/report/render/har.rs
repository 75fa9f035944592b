//! `exchanges/<scenario>.har`: a failed scenario's HTTP exchanges as HAR 1.2, for a browser's
//! network panel or any HAR viewer. Credentials are masked when an exchange is captured; the
//! file is redacted again before it is written. The fields written are HAR 1.2's required ones
//! plus the bodies; the `har` crate (a dev-dependency) reads every file back in the tests.

use serde::Serialize;

use crate::exchange::Exchange;
use crate::report::summary::ScenarioReport;

/// The file name of a scenario's HAR: `<feature file stem>-<line>-<name>.har`, safe anywhere.
pub(crate) fn file_name(scenario: &ScenarioReport) -> String {
    let stem = std::path::Path::new(&scenario.file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("scenario");
    let name: String = scenario
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let name: Vec<&str> = name.split('-').filter(|p| !p.is_empty()).collect();
    let name: String = name.join("-").chars().take(60).collect();
    format!(
        "{}-{}-{}.har",
        slug(stem),
        scenario.line,
        name.trim_end_matches('-')
    )
}

fn slug(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// HAR 1.2's document: one log.
#[derive(Serialize)]
struct Har {
    log: Log,
}

#[derive(Serialize)]
struct Log {
    version: &'static str,
    creator: Creator,
    entries: Vec<Entry>,
    comment: String,
}

#[derive(Serialize)]
struct Creator {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    started_date_time: String,
    time: f64,
    request: Request,
    response: Response,
    cache: serde_json::Map<String, serde_json::Value>,
    timings: Timings,
}

/// A header or a query parameter.
#[derive(Serialize)]
struct Pair {
    name: String,
    value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Request {
    method: String,
    url: String,
    http_version: &'static str,
    cookies: Vec<Pair>,
    headers: Vec<Pair>,
    query_string: Vec<Pair>,
    #[serde(skip_serializing_if = "Option::is_none")]
    post_data: Option<PostData>,
    headers_size: i64,
    body_size: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PostData {
    mime_type: &'static str,
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Response {
    status: u16,
    status_text: &'static str,
    http_version: String,
    cookies: Vec<Pair>,
    headers: Vec<Pair>,
    content: Content,
    #[serde(rename = "redirectURL")]
    redirect_url: &'static str,
    headers_size: i64,
    body_size: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Content {
    size: usize,
    mime_type: String,
    text: String,
}

#[derive(Serialize)]
struct Timings {
    send: f64,
    wait: f64,
    receive: f64,
}

/// The HAR document of one scenario's exchanges, as JSON.
pub(crate) fn render(scenario: &ScenarioReport, exchanges: &[Exchange]) -> String {
    let har = Har {
        log: Log {
            version: "1.2",
            creator: Creator {
                name: "aitbc-conformance",
                version: env!("CARGO_PKG_VERSION"),
            },
            entries: exchanges.iter().map(entry).collect(),
            comment: format!(
                "{}:{} {} ({})",
                scenario.file, scenario.line, scenario.name, scenario.command
            ),
        },
    };
    serde_json::to_string_pretty(&har).unwrap_or_default()
}

fn pairs(pairs: &[(String, String)]) -> Vec<Pair> {
    pairs
        .iter()
        .map(|(name, value)| Pair {
            name: name.clone(),
            value: value.clone(),
        })
        .collect()
}

/// `?a=1&b=2` as HAR's query string.
fn query_string(path: &str) -> Vec<Pair> {
    let query = path.split_once('?').map_or("", |(_, query)| query);
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            Pair {
                name: name.into(),
                value: value.into(),
            }
        })
        .collect()
}

fn entry(exchange: &Exchange) -> Entry {
    let trace = &exchange.trace;
    let request_body = trace.request_body.as_deref();
    let answered = exchange.status != 0;
    let mime_type = trace.response_header("content-type").unwrap_or("");
    Entry {
        started_date_time: crate::clock::iso_utc(trace.started_at),
        time: trace.elapsed_ms,
        request: Request {
            method: exchange.method.clone(),
            url: trace.url.clone(),
            http_version: "HTTP/1.1",
            cookies: Vec::new(),
            headers: pairs(&trace.request_headers),
            query_string: query_string(&exchange.path),
            post_data: request_body.map(|body| PostData {
                mime_type: "application/json",
                text: body.to_string(),
            }),
            headers_size: -1,
            body_size: request_body.map_or(0, |b| b.len() as i64),
        },
        response: Response {
            status: exchange.status,
            status_text: status_text(exchange.status),
            http_version: trace.http_version.clone(),
            cookies: Vec::new(),
            headers: pairs(&trace.response_headers),
            content: Content {
                size: exchange.body.len(),
                mime_type: mime_type.to_string(),
                text: String::from_utf8_lossy(&exchange.body).into_owned(),
            },
            redirect_url: "",
            headers_size: -1,
            body_size: if answered {
                exchange.body.len() as i64
            } else {
                -1
            },
            comment: (!answered).then_some("no answer: the body is why"),
        },
        cache: serde_json::Map::new(),
        timings: Timings {
            send: 0.0,
            wait: trace.elapsed_ms,
            receive: 0.0,
        },
    }
}

fn status_text(status: u16) -> &'static str {
    match status {
        0 => "",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        422 => "Unprocessable Entity",
        425 => "Too Early",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::Trace;
    use crate::report::summary::Status;

    fn scenario() -> ScenarioReport {
        ScenarioReport {
            feature: "Jobs".into(),
            file: "features/jobs/submit.feature".into(),
            line: 12,
            name: "A client submits a job (201)".into(),
            command: "client submit".into(),
            status: Status::Failed,
            duration_ms: 3.0,
            failure: None,
            direct: false,
            cli: false,
        }
    }

    #[test]
    fn a_har_file_is_har_1_2_with_the_exchange_and_a_masked_credential() {
        let exchange = Exchange {
            method: "POST".into(),
            path: "/v1/jobs?x=1".into(),
            status: 500,
            body: br#"{"detail":"boom"}"#.to_vec(),
            json: None,
            trace: Trace {
                url: "http://127.0.0.1:1/v1/jobs?x=1".into(),
                started_at: crate::clock::parse_iso("2026-11-25T12:00:00.000000Z").unwrap(),
                elapsed_ms: 4.5,
                request_headers: vec![("X-Api-Key".into(), crate::redact::MASK.into())],
                request_body: Some("{}".into()),
                response_headers: vec![("content-type".into(), "application/json".into())],
                http_version: "HTTP/1.1".into(),
            },
        };
        let text = render(&scenario(), &[exchange]);
        let parsed = har::from_str(&text).expect("the har crate reads it back");
        let har::Spec::V1_2(log) = parsed.log else {
            panic!("not HAR 1.2")
        };
        let entry = &log.entries[0];
        assert_eq!(
            (entry.request.method.as_str(), entry.response.status),
            ("POST", 500)
        );
        assert_eq!(entry.request.query_string[0].name, "x");
        assert_eq!(entry.request.headers[0].value, "***");
        assert_eq!(
            entry.response.content.text.as_deref(),
            Some(r#"{"detail":"boom"}"#)
        );
        assert_eq!(
            file_name(&scenario()),
            "submit-12-a-client-submits-a-job-201.har"
        );
    }
}
