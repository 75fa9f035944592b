//! A recording pass-through HTTP/1.1 proxy on loopback, put in front of a service for one CLI
//! invocation: the CLI is given its URL instead of the service's, and every exchange it makes is
//! forwarded (over the run's own client, so an https service is reached over TLS while the CLI
//! speaks plain http to the proxy) and logged: method, path, status, answer body. Bodies are
//! bounded; keep-alive is honoured; request bodies may be sized or chunked.

use std::sync::{Arc, Mutex, PoisonError};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// The largest request or answer body passed through.
const MAX_BODY: usize = 8 * 1024 * 1024;

/// One exchange the CLI made.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Seen {
    pub(crate) method: String,
    /// Path and query, as the CLI sent them.
    pub(crate) path: String,
    /// The request's body, as the CLI sent it.
    pub(crate) request_body: Vec<u8>,
    /// The service's status; 502 when it could not be reached.
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
    /// The service's URL the request went to (the proxy's upstream and the path).
    pub(crate) url: String,
    /// When it was received (microseconds since the epoch), and how long the service took.
    pub(crate) started_at: i64,
    pub(crate) elapsed_ms: f64,
    /// How the CLI sent a credential, if it sent one (the header's name, never its value).
    pub(crate) credential: Option<CredentialHeader>,
}

/// The header a CLI carried its credential in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CredentialHeader {
    /// `X-Api-Key`.
    ApiKey,
    /// `Authorization: Bearer …`.
    Bearer,
}

impl CredentialHeader {
    /// Which credential header `headers` carry (a bearer token wins, as on the coordinator).
    fn of(headers: &Headers) -> Option<Self> {
        let has = |name: &str, ok: &dyn Fn(&str) -> bool| {
            headers
                .iter()
                .any(|(n, v)| n.eq_ignore_ascii_case(name) && ok(v))
        };
        if has("authorization", &|v| v.starts_with("Bearer ")) {
            Some(Self::Bearer)
        } else if has("x-api-key", &|v| !v.is_empty()) {
            Some(Self::ApiKey)
        } else {
            None
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::ApiKey => "X-Api-Key",
            Self::Bearer => "Authorization: Bearer",
        }
    }
}

impl Seen {
    /// `GET /api/v1/agents/workflows → 404`, for messages.
    pub(crate) fn brief(&self) -> String {
        format!("{} {} → {}", self.method, self.path, self.status)
    }
}

/// A running proxy; it stops when dropped.
#[derive(Debug)]
pub(crate) struct Recorder {
    url: String,
    log: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Recorder {
    /// Starts a proxy on 127.0.0.1 forwarding to `upstream` (a base URL) with `client`.
    pub(crate) async fn start(upstream: &str, client: reqwest::Client) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let log = Arc::new(Mutex::new(Vec::new()));
        let upstream = upstream.trim_end_matches('/').to_string();
        let shared = Arc::clone(&log);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (upstream, client, log) =
                    (upstream.clone(), client.clone(), Arc::clone(&shared));
                tokio::spawn(async move {
                    let _ = serve(stream, &upstream, &client, &log).await;
                });
            }
        });
        Ok(Self { url, log, task })
    }

    /// The URL to hand the CLI.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// What was seen so far, in order.
    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Serves one connection's requests until the client closes it.
async fn serve(
    stream: TcpStream,
    upstream: &str,
    client: &reqwest::Client,
    log: &Mutex<Vec<Seen>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let mut parts = line.split_whitespace();
        let (Some(method), Some(path)) = (parts.next(), parts.next()) else {
            return Ok(());
        };
        let (method, path) = (method.to_string(), path.to_string());
        let (headers, length, chunked, close) = read_headers(&mut reader).await?;
        let body = if chunked {
            read_chunked(&mut reader).await?
        } else {
            let mut body = vec![0; length.min(MAX_BODY)];
            reader.read_exact(&mut body).await?;
            body
        };
        let started_at = crate::clock::now_micros();
        let started = std::time::Instant::now();
        let credential = CredentialHeader::of(&headers);
        let (status, content_type, answer) =
            forward(client, upstream, &method, &path, &headers, body.clone()).await;
        log.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Seen {
                url: format!("{upstream}{path}"),
                method,
                path,
                request_body: body,
                status,
                body: answer.clone(),
                started_at,
                elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
                credential,
            });
        let head = format!(
            "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: {}\r\n\r\n",
            reason(status),
            answer.len(),
            if close { "close" } else { "keep-alive" }
        );
        let stream = reader.get_mut();
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(&answer).await?;
        stream.flush().await?;
        if close {
            return Ok(());
        }
    }
}

type Headers = Vec<(String, String)>;

/// The request's headers (hop-by-hop ones left out), its body length, whether it is chunked,
/// and whether the client asked to close the connection.
async fn read_headers(
    reader: &mut BufReader<TcpStream>,
) -> std::io::Result<(Headers, usize, bool, bool)> {
    let (mut headers, mut length, mut chunked, mut close) = (Vec::new(), 0, false, false);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await? == 0 || line.trim().is_empty() {
            return Ok((headers, length, chunked, close));
        }
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let (name, value) = (name.trim().to_string(), value.trim().to_string());
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.parse().unwrap_or(0),
            "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
            "connection" => close = value.eq_ignore_ascii_case("close"),
            // The recorder asks for bodies as they are: a gzipped answer (uvicorn's GZip
            // middleware, over 500 bytes) would be recorded unreadable and passed on without
            // its Content-Encoding.
            "host" | "keep-alive" | "proxy-connection" | "upgrade" | "accept-encoding" => {}
            _ => headers.push((name, value)),
        }
    }
}

async fn read_chunked(reader: &mut BufReader<TcpStream>) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut size = String::new();
        reader.read_line(&mut size).await?;
        let size =
            usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16).unwrap_or(0);
        if size == 0 || body.len() + size > MAX_BODY {
            let mut trailer = String::new();
            reader.read_line(&mut trailer).await?;
            return Ok(body);
        }
        let mut chunk = vec![0; size + 2];
        reader.read_exact(&mut chunk).await?;
        body.extend_from_slice(&chunk[..size]);
    }
}

/// Sends the request on; (status, content type, body) of the answer, or a 502 saying why.
async fn forward(
    client: &reqwest::Client,
    upstream: &str,
    method: &str,
    path: &str,
    headers: &Headers,
    body: Vec<u8>,
) -> (u16, String, Vec<u8>) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET);
    let mut request = client.request(method, format!("{upstream}{path}"));
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str());
    }
    // 502, as a gateway answers when the service gave it nothing it can pass on.
    let bad_gateway = |why: String| {
        let text = format!(
            "{{\"detail\":\"the conformance proxy could not reach the service: {}\"}}",
            why.replace('"', "'")
        );
        (502, "application/json".to_string(), text.into_bytes())
    };
    let response = match request.body(body).send().await {
        Ok(response) => response,
        Err(e) => return bad_gateway(crate::exchange::body::error_chain(&e)),
    };
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_string();
    // Bounded as the harness's own reads are: an answer over the bound is not passed on cut.
    match crate::exchange::body::read_body(response, MAX_BODY).await {
        Ok(answer) => (status, content_type, answer),
        Err(crate::exchange::body::BodyError::Transport(e)) => {
            bad_gateway(crate::exchange::body::error_chain(&e))
        }
        Err(crate::exchange::body::BodyError::TooLarge { .. }) => bad_gateway(format!(
            "its answer is larger than {} MB",
            MAX_BODY / (1024 * 1024)
        )),
    }
}

fn reason(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Status")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An upstream that answers `gzip` when asked for it, `plain` otherwise.
    async fn picky_upstream() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let mut reader = BufReader::new(stream);
                let mut asked_gzip = false;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).await.unwrap_or(0) == 0 || line.trim().is_empty()
                    {
                        break;
                    }
                    asked_gzip |= line.to_ascii_lowercase().starts_with("accept-encoding");
                }
                let body = if asked_gzip { "gzip" } else { "plain" };
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = reader.get_mut().write_all(answer.as_bytes()).await;
            }
        });
        url
    }

    #[tokio::test]
    async fn the_recorder_asks_for_plain_bodies_whatever_the_cli_accepts() {
        let upstream = picky_upstream().await;
        crate::tls::install_provider();
        let recorder = Recorder::start(&upstream, reqwest::Client::new())
            .await
            .unwrap();
        let mut stream = TcpStream::connect(recorder.url().trim_start_matches("http://"))
            .await
            .unwrap();
        stream
            .write_all(b"GET /rpc/network-info HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip, deflate\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        assert!(answer.ends_with("plain"), "{answer}");
        assert_eq!(recorder.seen()[0].body, b"plain");
    }
}
