//! `--metrics` and `--pushgateway`: the text Prometheus' own parser accepts (`promtool check
//! metrics`), a push a real Pushgateway serves back (a stand-in server where none is installed),
//! and a failed push that is a warning, not a lost run.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::bin;

/// `require` (set by .ci/run after installing Debian's prometheus and prometheus-pushgateway):
/// a missing tool fails the test instead of falling back; `stand-in`: the tools are not used.
fn mode() -> String {
    std::env::var("AITBC_CONFORMANCE_PROMETHEUS_TESTS").unwrap_or_default()
}

fn required() -> bool {
    mode() == "require"
}

fn installed(tool: &str) -> bool {
    if mode() == "stand-in" {
        return false;
    }
    let found = Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    assert!(
        found || !required(),
        "{tool} is required here and not installed"
    );
    found
}

#[test]
fn the_metrics_file_is_what_prometheus_parses() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("aitbc.prom");
    let out = bin()
        .args(["run", "-q", "--report-dir"])
        .arg(dir.path())
        .arg("--metrics")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(&file).unwrap();
    // Each family is declared once and every sample belongs to a declared family.
    let families: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split(' ').next())
        .collect();
    for name in [
        "aitbc_conformance_command_working",
        "aitbc_conformance_commands_working_ratio",
        "aitbc_conformance_endpoint_exchanges_total",
        "aitbc_conformance_request_duration_seconds",
        "aitbc_conformance_run_duration_seconds",
    ] {
        assert_eq!(families.iter().filter(|f| **f == name).count(), 1, "{name}");
    }
    assert!(text.contains("command=\"client submit\""));
    if installed("promtool") {
        let mut check = Command::new("promtool")
            .args(["check", "metrics"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        check
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let result = check.wait_with_output().unwrap();
        assert!(
            result.status.success(),
            "promtool: {}{}",
            String::from_utf8_lossy(&result.stdout),
            String::from_utf8_lossy(&result.stderr)
        );
    }
}

/// A quiet run against the embedded double that pushes to 127.0.0.1:`port`.
fn run_pushing_to(reports: &std::path::Path, port: u16) -> std::process::Output {
    bin()
        .args(["run", "-q", "--report-dir"])
        .arg(reports)
        .arg("--pushgateway")
        .arg(format!("http://127.0.0.1:{port}"))
        .output()
        .unwrap()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// GETs `path` from 127.0.0.1:`port`, once it answers (up to 10 s).
fn get(port: u16, path: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let request =
                format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            stream.write_all(request.as_bytes()).unwrap();
            let mut answer = String::new();
            stream.read_to_string(&mut answer).unwrap();
            return answer;
        }
        assert!(Instant::now() < deadline, "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_run_pushes_its_metrics_to_a_pushgateway() {
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    if installed("prometheus-pushgateway") {
        let mut gateway = Command::new("prometheus-pushgateway")
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        get(port, "/-/ready");
        let out = run_pushing_to(dir.path(), port);
        let served = get(port, "/metrics");
        let _ = gateway.kill();
        let _ = gateway.wait();
        assert_eq!(out.status.code(), Some(0));
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let ratio = served
            .lines()
            .find(|l| l.starts_with("aitbc_conformance_commands_working_ratio{"))
            .unwrap_or_else(|| panic!("the gateway serves the run's metrics:\n{served}"));
        assert!(ratio.contains("job=\"aitbc_conformance\"") && ratio.contains("era=\"api-key\""));
        assert!(ratio.ends_with(" 1"), "{ratio}");
        return;
    }
    // A stand-in: one request read whole, answered 200.
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut seen = Vec::new();
        let mut buffer = [0u8; 65536];
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        while let Ok(n) = stream.read(&mut buffer) {
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buffer[..n]);
            let text = String::from_utf8_lossy(&seen);
            if text.contains("aitbc_conformance_run_duration_seconds") && text.ends_with('\n') {
                break;
            }
        }
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
        String::from_utf8_lossy(&seen).into_owned()
    });
    let out = run_pushing_to(dir.path(), port);
    let request = server.join().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        request.starts_with(
            "PUT /metrics/job@base64/YWl0YmNfY29uZm9ybWFuY2U/era/api-key/target@base64/"
        ),
        "{request}"
    );
    assert!(request.contains("text/plain; version=0.0.4"), "{request}");
}

#[test]
fn a_push_that_fails_is_a_warning_and_the_run_stands() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let out = run_pushing_to(dir.path(), port);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("WARNING: the metrics could not be pushed"),
        "{stderr}"
    );
    assert!(dir.path().join("summary.json").exists());
}
