//! One request as the harness sends it: pooled client, retries with backoff for transport
//! errors, 429 and 503 (honouring `Retry-After` up to a cap), every attempt counted per endpoint.

use std::time::Duration;

use serde_json::Value;

use crate::failure::{Failure, FailureClass};
use crate::report::endpoints::Answer;
use crate::target::RunContext;

/// The longest `Retry-After` we wait for before a retry (the coordinator's windows are a minute).
pub const RETRY_AFTER_CAP: Duration = Duration::from_secs(60);

/// One request and its answer.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub body: Vec<u8>,
    pub json: Option<Value>,
    /// What went over the wire besides, for the HAR file of a failed scenario.
    pub trace: Trace,
}

/// The parts of an exchange only its HAR record needs. Credentials are masked when captured.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    pub url: String,
    /// When the request started, in microseconds since the epoch (formatted only if a HAR
    /// file is written).
    pub started_at: i64,
    pub elapsed_ms: f64,
    pub request_headers: Vec<(String, String)>,
    pub request_body: Option<String>,
    pub response_headers: Vec<(String, String)>,
    /// `HTTP/1.1`; empty when no answer came.
    pub http_version: String,
}

impl Trace {
    /// The request as it is about to go: its URL, masked credential and JSON body.
    fn of_request(r: &Request<'_>) -> Self {
        let mut request_headers = Vec::new();
        if let Some(credential) = r.credential {
            let (name, _) = credential.header();
            request_headers.push((name.to_string(), crate::redact::MASK.to_string()));
        }
        if r.body.is_some() {
            request_headers.push(("Content-Type".into(), "application/json".into()));
        }
        Self {
            url: format!("{}{}", r.base, r.path),
            started_at: crate::clock::now_micros(),
            request_headers,
            request_body: r.body.map(Value::to_string),
            ..Self::default()
        }
    }
}

/// A request that got no answer, as the HAR of its scenario shows it (status 0, the reason as
/// the body).
pub fn unanswered(r: &Request<'_>, failure: &Failure, elapsed: Duration) -> Exchange {
    let mut trace = Trace::of_request(r);
    trace.elapsed_ms = elapsed.as_secs_f64() * 1000.0;
    Exchange {
        method: r.method.to_string(),
        path: r.path.to_string(),
        status: 0,
        body: failure.message.clone().into_bytes(),
        json: None,
        trace,
    }
}

impl Exchange {
    /// `GET /v1/jobs/… → 404 {"detail":"job not found"}`, for messages.
    pub fn describe(&self) -> String {
        let body = match (&self.json, self.body.is_empty()) {
            (Some(json), _) => crate::json_path::brief(json, 200),
            (None, true) => "(empty body)".to_string(),
            (None, false) => String::from_utf8_lossy(&self.body)
                .chars()
                .take(200)
                .collect(),
        };
        format!("{} {} → {} {}", self.method, self.path, self.status, body)
    }
}

/// What to send.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub base: &'a str,
    pub method: &'a str,
    pub path: &'a str,
    /// The credential header to send, if any.
    pub credential: Option<&'a crate::auth::Credential>,
    pub body: Option<&'a Value>,
    /// Count this exchange in the endpoint table (not when the scenario degraded its double).
    pub record: bool,
    /// Send it on a new connection, closed afterwards (as a fresh CLI process would).
    pub fresh: bool,
}

/// Sends `request`, retrying up to `ctx.retries` times; `Ok((exchange, flaky))`, where `flaky`
/// says a transport error or a 503 was retried. A 429 retried after its `Retry-After` is pacing,
/// not flakiness. A request the server never read because it closed the pooled connection
/// first (a stale keep-alive) is sent again once at once: the harness's problem, not the
/// target's, so neither a retry nor flaky.
pub async fn send(ctx: &RunContext, request: Request<'_>) -> Result<(Exchange, bool), Failure> {
    let (mut attempt, mut flaky, mut resent_stale) = (0, false, false);
    loop {
        let outcome = match send_once(ctx, request).await {
            Err(t) if t.stale && !resent_stale => {
                resent_stale = true;
                continue;
            }
            Err(t) => {
                if request.record {
                    ctx.endpoints.record(
                        request.method,
                        request.path,
                        Answer::Transport(t.failure.class),
                    );
                }
                Err(t.failure)
            }
            Ok(answer) => Ok(answer),
        };
        let (wait, counts_as_flaky) = match &outcome {
            Err(f) if matches!(f.class, FailureClass::Timeout | FailureClass::Unreachable) => {
                (Some(backoff(attempt, None)), true)
            }
            Ok((exchange, retry_after)) if exchange.status == 503 => {
                (Some(backoff(attempt, *retry_after)), true)
            }
            Ok((exchange, retry_after)) if exchange.status == 429 => (
                Some(
                    retry_after
                        .unwrap_or(Duration::from_secs(1))
                        .min(RETRY_AFTER_CAP),
                ),
                false,
            ),
            _ => (None, false),
        };
        match wait {
            Some(wait) if attempt < ctx.retries => {
                attempt += 1;
                flaky |= counts_as_flaky;
                tokio::time::sleep(wait).await;
            }
            _ => return outcome.map(|(exchange, _)| (exchange, flaky)),
        }
    }
}

/// 25 ms doubling per attempt, or the server's `Retry-After`, capped.
fn backoff(attempt: u32, retry_after: Option<Duration>) -> Duration {
    retry_after
        .unwrap_or_else(|| Duration::from_millis(25u64 << attempt.min(6)))
        .min(RETRY_AFTER_CAP)
}

/// A request that got no HTTP answer.
struct Transport {
    failure: Failure,
    /// The server closed a pooled connection before answering (hyper's "connection closed
    /// before message completed"): the request was never processed.
    stale: bool,
}

async fn send_once(
    ctx: &RunContext,
    r: Request<'_>,
) -> Result<(Exchange, Option<Duration>), Transport> {
    let method = reqwest::Method::from_bytes(r.method.as_bytes()).map_err(|_| Transport {
        failure: Failure::harness(format!("{:?} is not an HTTP method", r.method)),
        stale: false,
    })?;
    ctx.pacer.wait(r.method, r.path).await;
    let mut trace = Trace::of_request(&r);
    let started = std::time::Instant::now();
    let client = if r.fresh { &ctx.fresh_http } else { &ctx.http };
    let mut builder = client.request(method, format!("{}{}", r.base, r.path));
    if let Some(credential) = r.credential {
        let (name, value) = credential.header();
        builder = builder.header(name, value);
    }
    if let Some(body) = r.body {
        builder = builder
            .header("Content-Type", "application/json")
            .body(body.to_string());
    }
    let transport = |e: reqwest::Error| Transport {
        stale: closed_before_answer(&e),
        failure: transport_failure(r.method, r.path, &e),
    };
    let response = builder.send().await.map_err(transport)?;
    let status = response.status().as_u16();
    trace.http_version = format!("{:?}", response.version());
    trace.response_headers = response
        .headers()
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.as_str().to_string(), value)
        })
        .collect();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let body = read_body(response, ctx.max_body)
        .await
        .map_err(|failure| Transport {
            stale: false,
            failure: failure.within(r.method, r.path),
        })?;
    let json: Option<Value> = serde_json::from_slice(&body).ok();
    trace.elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    if r.record {
        ctx.endpoints
            .record(r.method, r.path, Answer::Status(status, json.as_ref()));
    }
    let exchange = Exchange {
        method: r.method.to_string(),
        path: r.path.to_string(),
        status,
        body,
        json,
        trace,
    };
    Ok((exchange, retry_after))
}

/// Why a body could not be read whole.
pub enum BodyError {
    Transport(reqwest::Error),
    TooLarge {
        limit: usize,
        announced: Option<u64>,
    },
}

impl BodyError {
    fn within(self, method: &str, path: &str) -> Failure {
        match self {
            BodyError::Transport(e) => transport_failure(method, path, &e),
            BodyError::TooLarge { limit, announced } => Failure::new(
                FailureClass::TooLarge,
                format!(
                    "{method} {path}: the answer's body is larger than --max-body ({limit} bytes{}); reading stopped there",
                    announced.map_or_else(String::new, |n| format!(", it announced {n}"))
                ),
            ),
        }
    }
}

/// The body, read chunk by chunk and never beyond `limit` bytes (memory stays bounded whatever
/// the target sends; the client's timeout covers the whole body).
pub async fn read_body(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, BodyError> {
    let announced = response.content_length();
    if announced.is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge { limit, announced });
    }
    let mut body = Vec::with_capacity(announced.map_or(0, |n| n as usize));
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Transport)? {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge { limit, announced });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Whether the server closed the connection before any answer began (hyper's incomplete
/// message on sending): what a stale pooled keep-alive connection looks like.
fn closed_before_answer(err: &reqwest::Error) -> bool {
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        if let Some(h) = s.downcast_ref::<hyper::Error>() {
            return h.is_incomplete_message();
        }
        source = s.source();
    }
    false
}

fn transport_failure(method: &str, path: &str, err: &reqwest::Error) -> Failure {
    // A connect that times out is as unreachable as one refused.
    if err.is_connect() {
        let why = crate::tls::untrusted(err).unwrap_or_else(|| error_chain(err));
        return Failure::new(FailureClass::Unreachable, format!("{method} {path}: {why}"));
    }
    if err.is_timeout() {
        return Failure::new(
            FailureClass::Timeout,
            format!("{method} {path}: no complete answer within the timeout"),
        );
    }
    Failure::new(
        FailureClass::Transport,
        format!(
            "{method} {path}: {} ({})",
            transport_cause(err),
            error_chain(err)
        ),
    )
}

/// What a person would call an answer that is not a complete HTTP answer.
pub fn transport_cause(err: &reqwest::Error) -> &'static str {
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
            ) {
                return "the connection was reset";
            }
        }
        if let Some(h) = s.downcast_ref::<hyper::Error>() {
            if h.is_parse() || h.is_parse_status() {
                return "the answer is not HTTP";
            }
            if h.is_incomplete_message() {
                return "the connection closed before the answer was complete";
            }
        }
        source = s.source();
    }
    if err.is_body() || err.is_decode() {
        "the answer was cut short"
    } else {
        "no complete HTTP answer"
    }
}

/// An error and its sources, joined: reqwest's own message alone hides the cause.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::endpoints::EndpointLog;
    use crate::target::Target;
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn ctx(retries: u32) -> RunContext {
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let target: Target =
            crate::config::double(&fixtures, "healthy", crate::auth::Era::ApiKey).unwrap();
        RunContext::new(
            target,
            Duration::from_secs(2),
            retries,
            EndpointLog::new(["GET /x"]),
            4,
        )
        .unwrap()
    }

    async fn server(first: u16, retry_after: &str) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(first).insert_header("Retry-After", retry_after))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200))
            .mount(&server)
            .await;
        server
    }

    fn get(base: &str) -> Request<'_> {
        Request {
            base,
            method: "GET",
            path: "/x",
            credential: None,
            body: None,
            record: true,
            fresh: false,
        }
    }

    #[tokio::test]
    async fn a_429_is_retried_after_retry_after_and_is_not_flaky() {
        let server = server(429, "0").await;
        let (exchange, flaky) = send(&ctx(1), get(&server.uri())).await.unwrap();
        assert_eq!((exchange.status, flaky), (200, false));
    }

    #[tokio::test]
    async fn a_503_retried_into_a_pass_is_flaky_and_without_retries_it_stays_503() {
        let server = server(503, "0").await;
        let (exchange, flaky) = send(&ctx(2), get(&server.uri())).await.unwrap();
        assert_eq!((exchange.status, flaky), (200, true));
        let server = self::server(503, "0").await;
        let c = ctx(0);
        let (exchange, flaky) = send(&c, get(&server.uri())).await.unwrap();
        assert_eq!((exchange.status, flaky), (503, false));
        assert_eq!(c.endpoints.rows()[0].class, Some(FailureClass::ServerError));
    }

    /// Answers the first request of each connection, then reads the next one and closes the
    /// connection without answering: a keep-alive connection the server dropped mid-request.
    fn closing_server() -> String {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream);
                for answered in [true, false] {
                    let mut line = String::new();
                    while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                        line.clear();
                    }
                    if answered {
                        let reply = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}";
                        let _ = reader.get_mut().write_all(reply);
                    }
                }
            }
        });
        url
    }

    #[tokio::test]
    async fn a_request_on_a_connection_the_server_closed_is_sent_again_and_is_not_flaky() {
        let base = closing_server();
        let c = ctx(0);
        for _ in 0..3 {
            let (exchange, flaky) = send(&c, get(&base)).await.unwrap();
            assert_eq!((exchange.status, flaky), (200, false));
        }
        assert_eq!(
            c.endpoints.rows()[0].class,
            None,
            "no transport error recorded"
        );
    }

    #[test]
    fn backoff_doubles_and_respects_the_cap() {
        assert_eq!(backoff(0, None), Duration::from_millis(25));
        assert_eq!(backoff(2, None), Duration::from_millis(100));
        assert_eq!(backoff(0, Some(Duration::from_secs(600))), RETRY_AFTER_CAP);
        assert_eq!(
            backoff(0, Some(Duration::from_secs(1))),
            Duration::from_secs(1)
        );
    }
}
