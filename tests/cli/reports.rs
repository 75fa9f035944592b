//! What a run leaves for people and CI readers: junit.xml read by an XML parser, summary.json
//! against the README, summary.md as a golden file, index.html in a real browser, the history
//! under concurrent runs and the `history` command, `report --from`, and shards merged.

use std::io::{BufRead as _, Read as _, Write as _};
use std::path::{Path, PathBuf};

use super::{bin, root, summary};

/// Runs `run` with `args` into `reports`; the exit code.
fn run(reports: &Path, args: &[&str]) -> i32 {
    let out = bin()
        .arg("run")
        .arg("--report-dir")
        .arg(reports)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.status.code().unwrap_or(-1)
}

/// Heartbeats crash (failures) and admin stats time out (errors).
const MIXED: [&str; 6] = [
    "--profile",
    "tests/fixtures/profiles/mixed-breakage.yaml",
    "--timeout",
    "150ms",
    "--tags",
    "@command:admin-stats or @command:miner-heartbeat or @command:blockchain-head",
];

/// (element name, attributes) of every element of an XML document, by quick-xml.
fn elements(xml: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event().expect("junit.xml is well-formed XML") {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let attributes = e
                    .attributes()
                    .map(|a| {
                        let a = a.expect("a well-formed attribute");
                        let value = a
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .expect("an escaped value")
                            .into_owned();
                        (String::from_utf8_lossy(a.key.as_ref()).into_owned(), value)
                    })
                    .collect();
                out.push((name, attributes));
            }
            quick_xml::events::Event::Eof => return out,
            _ => {}
        }
    }
}

fn attribute<'a>(element: &'a (String, Vec<(String, String)>), name: &str) -> &'a str {
    element
        .1
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

#[test]
fn junit_is_one_suite_per_command_with_failures_told_from_errors() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run(dir.path(), &MIXED), 1);
    let xml = std::fs::read_to_string(dir.path().join("junit.xml")).unwrap();
    let elements = elements(&xml);
    let count = |name: &str| elements.iter().filter(|(n, _)| n == name).count();
    let s = summary(dir.path());
    let suites: Vec<&str> = elements
        .iter()
        .filter(|(n, _)| n == "testsuite")
        .map(|e| attribute(e, "name"))
        .collect();
    assert_eq!(
        suites,
        ["miner heartbeat", "admin stats", "blockchain head"]
    );
    assert_eq!(
        count("testcase"),
        s["scenarios_total"].as_u64().unwrap() as usize
    );
    let failed = s["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["status"] == "failed");
    let (mut timeouts, mut others) = (0, 0);
    for scenario in failed {
        if scenario["failure"]["class"] == "timeout" {
            timeouts += 1;
        } else {
            others += 1;
        }
    }
    assert!(timeouts > 0 && others > 0, "both kinds happened");
    assert_eq!(count("error"), timeouts, "a timeout is an error");
    assert_eq!(
        count("failure"),
        others,
        "a broken expectation is a failure"
    );
    let root = &elements[0];
    assert_eq!(attribute(root, "errors"), timeouts.to_string());
    assert_eq!(attribute(root, "failures"), others.to_string());
    let failure = elements.iter().find(|(n, _)| n == "failure").unwrap();
    assert_eq!(attribute(failure, "type"), "server_error");
    let case = elements.iter().find(|(n, _)| n == "testcase").unwrap();
    assert!(attribute(case, "file").ends_with(".feature"));
    assert!(attribute(case, "line").parse::<u32>().is_ok());
}

/// Every key of an object anywhere in `value`.
fn keys(value: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                out.insert(k.clone());
                keys(v, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

#[test]
fn summary_json_holds_exactly_the_fields_the_readme_documents() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = MIXED.to_vec();
    args.extend([
        "--min-pass-rate",
        "10",
        "--shard",
        "1/1",
        "--revision",
        "r1",
        "--probe",
        "--probe-random",
        "20",
    ]);
    run(dir.path(), &args);
    let mut found = std::collections::BTreeSet::new();
    keys(&summary(dir.path()), &mut found);
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("- **`summary.json`**")
        .expect("the README documents it");
    let end = start + readme[start..].find("- **`junit.xml`**").unwrap();
    let documented = &readme[start..end];
    let words: std::collections::BTreeSet<&str> = documented
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .collect();
    let undocumented: Vec<&String> = found
        .iter()
        .filter(|k| !words.contains(k.as_str()))
        .collect();
    assert!(
        undocumented.is_empty(),
        "fields the README does not name: {undocumented:?}"
    );
}

/// The volatile parts of a report: ids, hashes, ports, times.
fn normalised(text: &str) -> String {
    let rules = [
        (r"0x[0-9a-f]{64}", "[hash]"),
        (r"\b[0-9a-f]{32}\b", "[id]"),
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[port]"),
        (r"\d{4}-\d\d-\d\dT[0-9:.]+Z?", "[time]"),
        (r"\b\d+\.\d ms\b", "[ms]"),
    ];
    rules.iter().fold(text.to_string(), |acc, (pattern, with)| {
        regex::Regex::new(pattern)
            .unwrap()
            .replace_all(&acc, *with)
            .into_owned()
    })
}

#[test]
fn summary_md_of_the_released_backend_is_the_reviewed_one() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run(dir.path(), &["--profile", "aitbc-35a546ee0"]), 1);
    let markdown = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    insta::assert_snapshot!("summary_md_35a546ee0", normalised(&markdown));
    // Every failed scenario's HAR file is HAR 1.2 as the har crate reads it.
    let hars: Vec<_> = std::fs::read_dir(dir.path().join("exchanges"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(hars.len() > 10, "{hars:?}");
    for path in hars {
        let text = std::fs::read_to_string(&path).unwrap();
        let parsed = har::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let har::Spec::V1_2(log) = parsed.log else {
            panic!("{}: not HAR 1.2", path.display())
        };
        assert!(!log.entries.is_empty(), "{}", path.display());
    }
}

/// A tiny HTTP server on loopback serving `page` at `/index.html`; every request it got, as
/// its request line and its `Referer` (a request the page made names the page; the browser's
/// own housekeeping, such as its network-time query, names none).
type Seen = std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>;

fn serve(page: String) -> (u16, Seen) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = std::sync::Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = std::io::BufReader::new(stream);
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let mut referer = String::new();
            let mut header = String::new();
            while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                if header.to_ascii_lowercase().starts_with("referer:") {
                    referer = header[8..].trim().to_string();
                }
                header.clear();
            }
            log.lock().unwrap().push((line.trim().to_string(), referer));
            let (status, body) = if line.starts_with("GET /index.html ") {
                ("200 OK", page.as_str())
            } else {
                ("404 Not Found", "")
            };
            let mut stream = reader.into_inner();
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (port, seen)
}

fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

#[test]
fn index_html_renders_tables_and_charts_in_a_real_browser_without_a_network_request() {
    let Some(browser) = chromium() else {
        let required = std::env::var("AITBC_CONFORMANCE_BROWSER_TESTS").as_deref() == Ok("require");
        assert!(
            !required,
            "chromium is required here (.ci/run installs it) but not installed"
        );
        eprintln!("skipped: no chromium here (apt-get install chromium; .ci/run does)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &[]);
    run(dir.path(), &["--profile", "aitbc-35a546ee0"]);
    let page = std::fs::read_to_string(dir.path().join("index.html")).unwrap();
    let (port, seen) = serve(page);
    let profile = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-features=NetworkTimeServiceQuerying",
            // Every host name leads to our server: a request anywhere would be seen.
            &format!("--host-resolver-rules=MAP * 127.0.0.1:{port}"),
            "--virtual-time-budget=2000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("http://127.0.0.1:{port}/index.html"))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("<table id=\"commands\">"),
        "the browser built no command table: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = &dom[dom.find("<table id=\"commands\">").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert_eq!(
        table.matches("<tr>").count(),
        1 + 19,
        "a header and a row per command"
    );
    assert!(table.contains("class=\"partial\""), "verdict colours");
    let chart = &dom[dom
        .find("<svg id=\"headline-trend\"")
        .expect("the trend chart")..];
    let chart = &chart[..chart.find("</svg>").unwrap()];
    assert!(chart.contains("<polyline"));
    assert_eq!(
        chart.matches("<circle").count(),
        2,
        "one dot per recorded run"
    );
    assert!(dom.contains("exchanges/"), "failures link their HAR files");
    let requests = seen.lock().unwrap().clone();
    assert!(requests
        .iter()
        .any(|(line, _)| line == "GET /index.html HTTP/1.1"));
    let by_the_page: Vec<_> = requests
        .iter()
        .filter(|(_, referer)| !referer.is_empty())
        .collect();
    assert!(
        by_the_page.is_empty(),
        "the page loaded more: {by_the_page:?}"
    );
}

#[test]
fn two_runs_at_once_both_land_whole_in_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history.jsonl");
    let spawn = |name: &str| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_aitbc-conformance"));
        cmd.current_dir(root())
            .env_remove("AITBC_CONFORMANCE_HISTORY");
        cmd.args(["run", "-q", "--format", "json", "--history"])
            .arg(&history)
            .arg("--report-dir")
            .arg(dir.path().join(name))
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let (mut a, mut b) = (spawn("a"), spawn("b"));
    assert!(a.wait().unwrap().success() && b.wait().unwrap().success());
    let mut text = String::new();
    std::fs::File::open(&history)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("an intact line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines
        .iter()
        .all(|l| l["headline"]["commands_working"] == 19));
}

#[test]
fn history_lists_the_runs_and_the_verdicts_that_flipped() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &["--format", "json"]);
    run(
        dir.path(),
        &["--format", "json", "--profile", "routes-missing"],
    );
    let out = bin()
        .args(["history", "--report-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text.contains("19/19 commands of aitbc 0.1.0 working"),
        "{text}"
    );
    assert!(text.contains("routes-missing"), "{text}");
    assert!(text.contains("verdicts that flipped:"), "{text}");
    assert!(text.contains("client submit: working → broken"), "{text}");
    let out = bin()
        .args(["history", "--last", "1", "--report-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 1, "{text}");
}

#[test]
fn report_from_a_summary_renders_the_same_reports_and_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("run");
    run(&first, &["--profile", "aitbc-35a546ee0"]);
    let again = dir.path().join("again");
    let out = bin()
        .args(["report", "--from"])
        .arg(first.join("summary.json"))
        .arg("--report-dir")
        .arg(&again)
        .arg("--history")
        .arg(first.join("history.jsonl"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for file in ["summary.json", "summary.md", "junit.xml"] {
        assert_eq!(
            std::fs::read_to_string(first.join(file)).unwrap(),
            std::fs::read_to_string(again.join(file)).unwrap(),
            "{file}"
        );
    }
    let page = std::fs::read_to_string(again.join("index.html")).unwrap();
    assert!(page.contains("9/19 commands of aitbc 0.1.0 (api-key era) working"));
    let history = std::fs::read_to_string(first.join("history.jsonl")).unwrap();
    assert_eq!(history.lines().count(), 1, "a re-render is not a run");
    assert!(!again.join("history.jsonl").exists());
}

/// (command, verdict) rows and (file, line, status and class) rows of a summary.
type Verdicts = (Vec<(String, String)>, Vec<(String, u64, String)>);

fn verdicts(s: &serde_json::Value) -> Verdicts {
    let commands = s["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["command"].to_string(), c["verdict"].to_string()))
        .collect();
    let mut scenarios: Vec<(String, u64, String)> = s["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            let class = x["failure"]["class"].to_string();
            (
                x["file"].to_string(),
                x["line"].as_u64().unwrap(),
                format!("{} {class}", x["status"]),
            )
        })
        .collect();
    scenarios.sort();
    (commands, scenarios)
}

#[test]
fn shards_merged_judge_exactly_as_the_unsharded_run() {
    let dir = tempfile::tempdir().unwrap();
    let profile = ["--profile", "aitbc-35a546ee0", "--format", "json"];
    run(&dir.path().join("whole"), &profile);
    let mut parts = Vec::new();
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let folder = dir.path().join(format!("shard{k}"));
        let mut args = profile.to_vec();
        args.extend(["--shard", shard.as_str()]);
        run(&folder, &args);
        parts.push(folder.join("summary.json"));
    }
    let sizes: Vec<usize> = parts
        .iter()
        .map(|p| {
            summary(p.parent().unwrap())["scenarios"]
                .as_array()
                .unwrap()
                .len()
        })
        .collect();
    assert!(
        sizes.iter().all(|n| *n > 10),
        "three real slices: {sizes:?}"
    );
    let merged = dir.path().join("merged");
    let out = bin()
        .args(["report", "merge"])
        .args(&parts)
        .arg("--report-dir")
        .arg(&merged)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "the release's failures fail the merge too"
    );
    let (whole, joined) = (summary(&dir.path().join("whole")), summary(&merged));
    assert_eq!(verdicts(&whole), verdicts(&joined));
    assert_eq!(whole["headline"], joined["headline"]);
    assert_eq!(
        summary(&dir.path().join("whole"))["scenarios"]
            .as_array()
            .unwrap()
            .len(),
        sizes.iter().sum::<usize>()
    );
    let out = bin()
        .args(["report", "merge"])
        .arg(&parts[0])
        .arg(&parts[0])
        .arg("--report-dir")
        .arg(dir.path().join("twice"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "a scenario in two shards is bad input"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("is in two of the summaries"));
}
