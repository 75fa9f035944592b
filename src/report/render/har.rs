//! `exchanges/<scenario>.har`: a failed scenario's HTTP exchanges as HAR 1.2 (the `har` crate's
//! types), for a browser's network panel or any HAR viewer. Credentials are masked when an
//! exchange is captured; the file is redacted again before it is written.

use har::v1_2::{
    Content, Creator, Entries, Headers, Log, PostData, QueryString, Request, Response, Timings,
};
use har::{Har, Spec};

use crate::exchange::Exchange;
use crate::report::summary::ScenarioReport;

/// The file name of a scenario's HAR: `<feature file stem>-<line>-<name>.har`, safe anywhere.
pub fn file_name(scenario: &ScenarioReport) -> String {
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

/// The HAR document of one scenario's exchanges, as JSON.
pub fn render(scenario: &ScenarioReport, exchanges: &[Exchange]) -> String {
    let log = Log {
        creator: Creator {
            name: "aitbc-conformance".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            comment: None,
        },
        entries: exchanges.iter().map(entry).collect(),
        comment: Some(format!(
            "{}:{} {} ({})",
            scenario.file, scenario.line, scenario.name, scenario.command
        )),
        ..Log::default()
    };
    har::to_json(&Har {
        log: Spec::V1_2(log),
    })
    .unwrap_or_default()
}

fn entry(exchange: &Exchange) -> Entries {
    let trace = &exchange.trace;
    let headers = |pairs: &[(String, String)]| -> Vec<Headers> {
        pairs
            .iter()
            .map(|(name, value)| Headers {
                name: name.clone(),
                value: value.clone(),
                comment: None,
            })
            .collect()
    };
    let query_string = exchange
        .path
        .split_once('?')
        .map(|(_, query)| query)
        .unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            QueryString {
                name: name.into(),
                value: value.into(),
                comment: None,
            }
        })
        .collect();
    let request_body = trace.request_body.as_deref();
    let answered = exchange.status != 0;
    let mime_type = trace
        .response_headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
        .map_or("", |(_, value)| value.as_str());
    let text = String::from_utf8_lossy(&exchange.body).into_owned();
    Entries {
        started_date_time: crate::clock::iso_utc(trace.started_at),
        time: trace.elapsed_ms,
        request: Request {
            method: exchange.method.clone(),
            url: trace.url.clone(),
            http_version: "HTTP/1.1".into(),
            headers: headers(&trace.request_headers),
            query_string,
            post_data: request_body.map(|body| PostData {
                mime_type: "application/json".into(),
                text: Some(body.to_string()),
                ..PostData::default()
            }),
            headers_size: -1,
            body_size: request_body.map_or(0, |b| b.len() as i64),
            ..Request::default()
        },
        response: Response {
            status: i64::from(exchange.status),
            status_text: status_text(exchange.status).into(),
            http_version: trace.http_version.clone(),
            headers: headers(&trace.response_headers),
            content: Content {
                size: exchange.body.len() as i64,
                mime_type: Some(mime_type.into()),
                text: Some(text),
                ..Content::default()
            },
            redirect_url: Some(String::new()),
            headers_size: -1,
            body_size: if answered {
                exchange.body.len() as i64
            } else {
                -1
            },
            comment: (!answered).then(|| "no answer: the body is why".to_string()),
            ..Response::default()
        },
        timings: Timings {
            send: 0.0,
            wait: trace.elapsed_ms,
            receive: 0.0,
            ..Timings::default()
        },
        ..Entries::default()
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
        let Spec::V1_2(log) = parsed.log else {
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
