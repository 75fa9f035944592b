//! One request as the harness sends it: pooled client, retries with backoff for transport
//! errors, 429 and 503 (honouring `Retry-After` up to a cap), every attempt counted per endpoint.

use std::time::Duration;

use serde_json::Value;

use crate::exchange::body::{error_chain, read_body, BodyError};
use crate::exchange::endpoints::Answer;
pub(crate) use crate::exchange::{Exchange, Trace};
use crate::failure::{Failure, FailureClass};

/// The longest `Retry-After` we wait for before a retry (the coordinator's windows are a minute).
pub(crate) const RETRY_AFTER_CAP: Duration = Duration::from_secs(60);

/// The request as it is about to go: its URL, masked credential and JSON body.
fn trace_of(r: &Request<'_>) -> Trace {
    let mut request_headers = Vec::new();
    if let Some(credential) = r.credential {
        let (name, _) = credential.header();
        request_headers.push((name.to_string(), crate::redact::MASK.to_string()));
    }
    let body = r.body.parts();
    if let Some((content_type, _)) = &body {
        request_headers.push(("Content-Type".into(), (*content_type).to_string()));
    }
    Trace {
        url: format!("{}{}", r.base, r.path),
        started_at: crate::clock::now_micros(),
        request_headers,
        request_body: body.map(|(_, bytes)| String::from_utf8_lossy(&bytes).into_owned()),
        ..Trace::default()
    }
}

/// A request that got no answer, as the HAR of its scenario shows it (status 0, the reason as
/// the body).
pub(crate) fn unanswered(r: &Request<'_>, failure: &Failure, elapsed: Duration) -> Exchange {
    let mut trace = trace_of(r);
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

/// The body of a request: JSON as scenarios send it, or any bytes with any content type (the
/// probe's malformed and mistyped bodies).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Body<'a> {
    None,
    Json(&'a Value),
    Raw {
        content_type: &'a str,
        bytes: &'a [u8],
    },
}

impl<'a> From<Option<&'a Value>> for Body<'a> {
    fn from(body: Option<&'a Value>) -> Self {
        body.map_or(Body::None, Body::Json)
    }
}

impl Body<'_> {
    /// Its content type and bytes, if it has any.
    pub(crate) fn parts(&self) -> Option<(&str, Vec<u8>)> {
        match self {
            Body::None => None,
            Body::Json(value) => Some(("application/json", value.to_string().into_bytes())),
            Body::Raw {
                content_type,
                bytes,
            } => Some((content_type, bytes.to_vec())),
        }
    }
}

/// What to send.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Request<'a> {
    pub(crate) base: &'a str,
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    /// The credential header to send, if any.
    pub(crate) credential: Option<&'a crate::auth::Credential>,
    pub(crate) body: Body<'a>,
    /// Count this exchange in the endpoint table (not when the scenario degraded its double).
    pub(crate) record: bool,
    /// Send it on a new connection, closed afterwards (as a fresh CLI process would).
    pub(crate) fresh: bool,
}

/// How long a pooled connection may idle before it is dropped: under uvicorn's 5 s keep-alive,
/// so the harness never sends on a connection the server is about to close.
pub(crate) const POOL_IDLE: Duration = Duration::from_secs(3);

/// `--max-body`'s default: the largest real AITBC answer is a ~740 KB OpenAPI document.
pub(crate) const DEFAULT_MAX_BODY: usize = 2 * 1024 * 1024;

/// What every request of a run goes through: the pooled and the fresh connections, retries,
/// the pacer that keeps a live run under the target's limits, the body bound, and the tallies
/// (the endpoint table, the waits the target imposed). Transport and login take this, not the
/// run's whole context.
#[derive(Debug)]
pub(crate) struct Client {
    pool: Pool,
    /// A client that keeps no connection: each request on a new one.
    fresh: reqwest::Client,
    /// Retries after a transport error, 429 or 503.
    pub(crate) retries: u32,
    /// Keeps a live run under the target's rate limits.
    pub(crate) pacer: crate::pacing::Pacer,
    /// The largest answer body read, in bytes (`--max-body`).
    pub(crate) max_body: usize,
    /// Every exchange, per endpoint.
    pub(crate) endpoints: crate::exchange::endpoints::EndpointLog,
    /// The waits the target imposed (429s), for the summary.
    pub(crate) rate_waits: std::sync::Mutex<Vec<crate::pacing::RateWait>>,
}

impl Client {
    /// One pooled client for the whole run (keep-alive, per-request timeout), keeping up to
    /// `in_flight` idle connections per host: one per scenario that may run at once.
    pub(crate) fn new(
        trust: &crate::tls::Trust,
        timeout: Duration,
        retries: u32,
        endpoints: crate::exchange::endpoints::EndpointLog,
        in_flight: usize,
    ) -> Result<Self, crate::error::RunError> {
        // Built once: every client of the run (and each one a 5xx replaces) shares it.
        let tls = trust.build()?;
        let build = move |idle: usize| -> Result<reqwest::Client, crate::error::RunError> {
            let builder = reqwest::Client::builder()
                .timeout(timeout)
                .connect_timeout(timeout)
                .pool_max_idle_per_host(idle)
                .pool_idle_timeout(POOL_IDLE)
                .no_proxy();
            tls.apply(builder).build().map_err(|e| {
                crate::error::RunError::Double(format!("cannot build the HTTP client: {e}"))
            })
        };
        let (pooled, fresh) = (build(in_flight)?, build(0)?);
        Ok(Self {
            pool: Pool::new(pooled, move || build(in_flight).ok()),
            fresh,
            retries,
            pacer: crate::pacing::Pacer::new(&crate::pacing::RateLimits::none()),
            max_body: DEFAULT_MAX_BODY,
            endpoints,
            rate_waits: std::sync::Mutex::new(Vec::new()),
        })
    }

    /// Paces requests under `limits`.
    pub(crate) fn paced(mut self, limits: &crate::pacing::RateLimits) -> Self {
        self.pacer = crate::pacing::Pacer::new(limits);
        self
    }

    /// Reads no answer body beyond `bytes`.
    pub(crate) fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// The pooled client as it is now (for loading documents and the CLI's proxies).
    pub(crate) fn pooled(&self) -> reqwest::Client {
        self.pool.client()
    }
}

/// The run's kept-alive connections, one pool per thread: a connection is driven by the
/// runtime that opened it, and each worker thread runs a runtime of its own (a connection
/// another thread's runtime drives would stall once that runtime stops). A server may close a
/// connection right after a 5xx answer without saying `Connection: close` (uvicorn after an
/// unhandled exception): after any 5xx the thread's pool is replaced, so no later request is
/// sent on that connection.
pub(crate) struct Pool {
    by_thread: std::sync::RwLock<Vec<(std::thread::ThreadId, reqwest::Client)>>,
    build: Box<dyn Fn() -> Option<reqwest::Client> + Send + Sync>,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pool")
    }
}

impl Pool {
    /// `first` serves the thread that builds the pool; `build` makes another thread's, or a
    /// replacement.
    pub(crate) fn new(
        first: reqwest::Client,
        build: impl Fn() -> Option<reqwest::Client> + Send + Sync + 'static,
    ) -> Self {
        Self {
            by_thread: std::sync::RwLock::new(vec![(std::thread::current().id(), first)]),
            build: Box::new(build),
        }
    }

    /// The client to send on now from this thread (a cheap handle).
    pub(crate) fn client(&self) -> reqwest::Client {
        let me = std::thread::current().id();
        let mine = |pools: &[(std::thread::ThreadId, reqwest::Client)]| {
            pools
                .iter()
                .find(|(id, _)| *id == me)
                .map(|(_, c)| c.clone())
        };
        let read = self.by_thread.read();
        if let Some(client) = mine(&read.unwrap_or_else(std::sync::PoisonError::into_inner)) {
            return client;
        }
        let mut pools = self
            .by_thread
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(client) = mine(&pools) {
            return client;
        }
        // A thread's first request; without a client of its own (cannot happen: the
        // configuration already built once), it shares the first thread's.
        let client = (self.build)().unwrap_or_else(|| pools[0].1.clone());
        pools.push((me, client.clone()));
        client
    }

    /// Leaves every idle connection of this thread's pool behind: later requests open new ones.
    pub(crate) fn renew(&self) {
        let me = std::thread::current().id();
        if let Some(next) = (self.build)() {
            let mut pools = self
                .by_thread
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match pools.iter_mut().find(|(id, _)| *id == me) {
                Some((_, client)) => *client = next,
                None => pools.push((me, next)),
            }
        }
    }
}

/// Sends `request`, retrying up to `client.retries` times; `Ok((exchange, flaky))`, where `flaky`
/// says a transport error or a 503 was retried. A 429 retried after its `Retry-After` is pacing,
/// not flakiness. A request on a kept-alive connection that failed before any byte of its
/// answer arrived (reset, closed: the server had given that connection up) is sent again once,
/// at once, on a fresh connection, whatever its method: the harness's problem, not the
/// target's, so neither a retry nor flaky. The same on a fresh connection is the target's.
pub(crate) async fn send(
    client: &Client,
    request: Request<'_>,
) -> Result<(Exchange, bool), Failure> {
    let (mut attempt, mut flaky, mut request) = (0, false, request);
    loop {
        let started = std::time::Instant::now();
        let outcome = match send_once(client, request).await {
            Err(t) if t.unanswered && !request.fresh => {
                request.fresh = true;
                continue;
            }
            Err(t) => {
                if request.record {
                    // A timeout's wait is its latency; a refused connection has none.
                    let waited = (t.failure.class == FailureClass::Timeout)
                        .then(|| started.elapsed().as_secs_f64() * 1000.0);
                    client.endpoints.record(
                        request.method,
                        request.path,
                        Answer::Transport(t.failure.class),
                        waited,
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
            Ok((exchange, retry_after)) if exchange.status == 429 => {
                let wait = retry_after
                    .unwrap_or(Duration::from_secs(1))
                    .min(RETRY_AFTER_CAP);
                if attempt < client.retries {
                    hold_for_the_window(client, &request, wait, *retry_after);
                }
                (Some(wait), false)
            }
            _ => (None, false),
        };
        match wait {
            Some(wait) if attempt < client.retries => {
                attempt += 1;
                flaky |= counts_as_flaky;
                tokio::time::sleep(wait).await;
            }
            _ => return outcome.map(|(exchange, _)| (exchange, flaky)),
        }
    }
}

/// After a 429: every request like this one waits for the target's window to end; the first
/// to see it says so on the terminal and in the run's record.
fn hold_for_the_window(
    client: &Client,
    r: &Request<'_>,
    wait: Duration,
    retry_after: Option<Duration>,
) {
    let until = tokio::time::Instant::now() + wait;
    if !client.pacer.hold(r.method, r.path, until) {
        return;
    }
    let wait = crate::pacing::RateWait {
        service: crate::openapi::Service::of_path(r.path).name().to_string(),
        endpoint: client.endpoints.endpoint_of(r.method, r.path),
        retry_after_s: retry_after.map(|d| d.as_secs()),
        waited_s: wait.as_secs_f64(),
    };
    eprintln!("{}", wait.line());
    client
        .rate_waits
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push(wait);
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
    /// The connection was reset or closed before any byte of the answer arrived.
    unanswered: bool,
}

async fn send_once(
    client: &Client,
    r: Request<'_>,
) -> Result<(Exchange, Option<Duration>), Transport> {
    let method = reqwest::Method::from_bytes(r.method.as_bytes()).map_err(|_| Transport {
        failure: Failure::harness(format!("{:?} is not an HTTP method", r.method)),
        unanswered: false,
    })?;
    client.pacer.wait(r.method, r.path).await;
    let mut trace = trace_of(&r);
    let started = std::time::Instant::now();
    let http = if r.fresh {
        client.fresh.clone()
    } else {
        client.pool.client()
    };
    let mut builder = http.request(method, format!("{}{}", r.base, r.path));
    if let Some(credential) = r.credential {
        let (name, value) = credential.header();
        builder = builder.header(name, value);
    }
    if let Some((content_type, bytes)) = r.body.parts() {
        builder = builder.header("Content-Type", content_type).body(bytes);
    }
    let transport = |e: reqwest::Error| Transport {
        unanswered: closed_before_answer(&e),
        failure: transport_failure(r.method, r.path, &e),
    };
    let response = builder.send().await.map_err(transport)?;
    let status = response.status().as_u16();
    if status >= 500 && !r.fresh {
        client.pool.renew();
    }
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
    let body = read_body(response, client.max_body)
        .await
        .map_err(|failure| Transport {
            unanswered: false,
            failure: body_failure(failure, r.method, r.path),
        })?;
    let json: Option<Value> = serde_json::from_slice(&body).ok();
    trace.elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    if r.record {
        client.endpoints.record(
            r.method,
            r.path,
            Answer::Status(status, json.as_ref()),
            Some(trace.elapsed_ms),
        );
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

/// A body that could not be read whole, as the exchange's failure.
fn body_failure(error: BodyError, method: &str, path: &str) -> Failure {
    match error {
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

/// Whether the connection was closed or reset before any byte of the answer arrived (hyper's
/// incomplete message, or a reset or broken pipe, while sending or awaiting the head): what a
/// kept-alive connection the server has given up looks like. A connect error is not one.
fn closed_before_answer(err: &reqwest::Error) -> bool {
    if err.is_connect() || err.is_timeout() {
        return false;
    }
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        if let Some(h) = s.downcast_ref::<hyper::Error>() {
            if h.is_incomplete_message() {
                return true;
            }
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::BrokenPipe
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::UnexpectedEof
            ) {
                return true;
            }
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
pub(crate) fn transport_cause(err: &reqwest::Error) -> &'static str {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::endpoints::EndpointLog;
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    /// A client as a run makes one: plain http, a 2 s timeout, four idle connections.
    fn ctx(retries: u32) -> Client {
        let trust = crate::tls::Trust::default();
        Client::new(
            &trust,
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
            body: Body::None,
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

    /// Reads one request head; its path, or None when the connection ended.
    fn read_head(reader: &mut std::io::BufReader<std::net::TcpStream>) -> Option<String> {
        use std::io::BufRead;
        let mut first = String::new();
        reader.read_line(&mut first).ok().filter(|n| *n > 0)?;
        let mut line = String::new();
        while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
            line.clear();
        }
        first.split_whitespace().nth(1).map(String::from)
    }

    /// Like uvicorn after an unhandled exception: `/boom` is answered 500 without
    /// `Connection: close`, and the next request sent on that connection is reset (closed
    /// unread); anything else is 200, kept alive. With `reset_after_200`, the second request
    /// of every connection is reset instead. Counts the requests reset.
    fn resetting_server(
        reset_after_200: bool,
    ) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        use std::io::Write;
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let resets = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = resets.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let counter = counter.clone();
                std::thread::spawn(move || {
                    let mut reader = std::io::BufReader::new(stream);
                    let mut given_up = false;
                    loop {
                        if given_up {
                            let mut byte = [0u8; 1];
                            if reader.get_ref().peek(&mut byte).is_ok_and(|n| n > 0) {
                                counter.fetch_add(1, Ordering::SeqCst);
                            }
                            return; // dropped with the request unread: a reset
                        }
                        let Some(path) = read_head(&mut reader) else {
                            return;
                        };
                        let reply: &[u8] = if path == "/boom" {
                            b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 2\r\n\r\n{}"
                        } else {
                            b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"
                        };
                        let _ = reader.get_mut().write_all(reply);
                        given_up = path == "/boom" || reset_after_200;
                    }
                });
            }
        });
        (url, resets)
    }

    fn get_path<'a>(base: &'a str, path: &'a str) -> Request<'a> {
        Request { path, ..get(base) }
    }

    #[tokio::test]
    async fn after_a_500_the_next_request_is_not_sent_on_that_connection() {
        let (base, resets) = resetting_server(false);
        let c = ctx(0);
        for _ in 0..3 {
            let (exchange, _) = send(&c, get_path(&base, "/boom")).await.unwrap();
            assert_eq!(exchange.status, 500);
            let (exchange, flaky) = send(&c, get_path(&base, "/ok")).await.unwrap();
            assert_eq!((exchange.status, flaky), (200, false));
        }
        assert_eq!(
            resets.load(std::sync::atomic::Ordering::SeqCst),
            0,
            "no request went on a connection after its 500"
        );
    }

    #[tokio::test]
    async fn a_reset_on_a_reused_connection_is_resent_on_a_fresh_one_and_is_not_flaky() {
        let (base, resets) = resetting_server(true);
        let c = ctx(0);
        for _ in 0..4 {
            let (exchange, flaky) = send(&c, get_path(&base, "/ok")).await.unwrap();
            assert_eq!((exchange.status, flaky), (200, false));
        }
        assert!(
            resets.load(std::sync::atomic::Ordering::SeqCst) > 0,
            "the server did reset reused connections"
        );
        assert!(
            c.endpoints.rows().iter().all(|r| r.class.is_none()),
            "no transport error recorded"
        );
    }

    #[tokio::test]
    async fn a_reset_on_a_fresh_connection_stays_a_transport_failure() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        crate::double::hostile::serve(listener, crate::double::hostile::Hostile::Reset);
        let c = ctx(0);
        let failure = send(&c, get(&base)).await.unwrap_err();
        assert_eq!(failure.class, FailureClass::Transport);
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
