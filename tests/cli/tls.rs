//! HTTPS targets: `double --tls` (a generated CA) and `run`/`check` over TLS, with the CA given,
//! a wrong CA (a clear error, exit 3) and `--insecure` (said loudly, recorded).

use super::bin;
use super::live::{serve_with, Served, ENV_FILE};

fn served() -> Served {
    let served = serve_with("healthy", &["--tls"]);
    assert!(
        served.coordinator.starts_with("https://127.0.0.1:"),
        "{}",
        served.coordinator
    );
    assert!(served.ca.is_some(), "the CA's file is printed");
    served
}

/// (exit code, stdout, stderr, summary.json if written) of `command` against the served double.
fn against(
    served: &Served,
    command: &str,
    extra: &[&str],
) -> (i32, String, String, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .args([
            command,
            "--coordinator-url",
            &served.coordinator,
            "--node-url",
            &served.node,
        ])
        .args(if command == "run" {
            &["--rate-limits", "off", "-q"][..]
        } else {
            &[]
        })
        .args(ENV_FILE)
        .args(extra)
        .arg("--report-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    let summary = std::fs::read_to_string(dir.path().join("summary.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        summary,
    )
}

#[test]
fn a_live_run_and_a_check_over_https_with_the_ca() {
    let served = served();
    let ca = served.ca.clone().unwrap();
    let (code, stdout, stderr, summary) = against(&served, "run", &["--cacert", &ca]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("19/19 commands of aitbc 0.1.0 (api-key era) working"),
        "{stdout}"
    );
    assert!(summary["target"]["description"]
        .as_str()
        .unwrap()
        .contains("https://"));
    assert!(
        summary["target"].get("insecure").is_none(),
        "verified: nothing to record"
    );
    let (code, stdout, stderr, _) = against(&served, "check", &["--cacert", &ca]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("19/19 commands keep what they need"),
        "{stdout}"
    );
}

#[test]
fn a_wrong_ca_is_one_clear_line_and_exit_3() {
    let served = served();
    for command in ["run", "check"] {
        let (code, stdout, stderr, _) = against(
            &served,
            command,
            &["--cacert", "tests/fixtures/tls/other-ca.pem"],
        );
        assert_eq!(code, 3, "{command}: {stdout}{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains("its TLS certificate is not trusted (UnknownIssuer)")
                && stderr.contains("--cacert"),
            "{stderr}"
        );
    }
    let (code, _, stderr, _) = against(&served, "run", &["--cacert", "Cargo.toml"]);
    assert_eq!(code, 2, "a --cacert that is not PEM is bad input: {stderr}");
    assert!(stderr.contains("--cacert"), "{stderr}");
}

#[test]
fn insecure_is_said_loudly_and_recorded() {
    let served = served();
    let (code, stdout, stderr, summary) = against(&served, "run", &["--insecure"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stderr.starts_with("WARNING: --insecure"), "{stderr}");
    assert_eq!(summary["target"]["insecure"], true);
}

#[test]
fn the_ca_file_is_removed_when_the_double_stops() {
    let mut served = served();
    let ca = std::path::PathBuf::from(served.ca.clone().unwrap());
    assert!(
        ca.is_file(),
        "{} is there while the double serves",
        ca.display()
    );
    let status = served.stop().expect("the double stops on SIGTERM");
    assert!(status.success(), "{status:?}");
    assert!(!ca.exists(), "{} is left behind", ca.display());
    assert!(!ca.parent().unwrap().exists(), "its folder is left behind");
}
