//! `--format cucumber-json`: cucumber-rs' own Cucumber JSON, read back by a report tool of the
//! BDD world (multiple-cucumber-html-reporter, which .ci/run installs from npm), which renders a
//! page per feature from it and refuses a file that is not Cucumber JSON.

use std::process::Command;

use super::{bin, root};

/// Where .ci/run installs the reporter (`npm install --prefix .ci/npm …`).
fn reporter_modules() -> std::path::PathBuf {
    root().join(".ci/npm/node_modules")
}

/// Renders every Cucumber JSON file of `json_dir` into `out`; whether the reporter succeeded.
fn render(json_dir: &std::path::Path, out: &std::path::Path) -> std::process::Output {
    let script = "require('multiple-cucumber-html-reporter').generate({jsonDir: process.argv[1], \
                  reportPath: process.argv[2], disableLog: true, metadata: {device: 'harness', \
                  browser: {name: 'none', version: '-'}, platform: {name: 'linux', version: '-'}}})";
    Command::new("node")
        .args(["-e", script])
        .arg(json_dir)
        .arg(out)
        .env("NODE_PATH", reporter_modules())
        .output()
        .expect("node runs")
}

#[test]
fn cucumber_json_is_read_back_by_a_cucumber_report_tool() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .args([
            "run",
            "-q",
            "--format",
            "json,cucumber-json",
            "--report-dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(dir.path().join("cucumber.json")).unwrap();
    let features: serde_json::Value = serde_json::from_str(&text).unwrap();
    let features = features.as_array().expect("a list of features");
    assert!(features.len() >= 15);
    let scenarios: usize = features
        .iter()
        .map(|f| f["elements"].as_array().map_or(0, Vec::len))
        .sum();
    assert!(scenarios > 100, "{scenarios}");
    let required = std::env::var("AITBC_CONFORMANCE_CUCUMBER_TESTS").is_ok_and(|v| v == "require");
    let available = reporter_modules()
        .join("multiple-cucumber-html-reporter")
        .exists()
        && Command::new("node").arg("--version").output().is_ok();
    assert!(
        available || !required,
        "the reporter is required here and not installed"
    );
    if !available {
        return;
    }
    let json_dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        dir.path().join("cucumber.json"),
        json_dir.path().join("cucumber.json"),
    )
    .unwrap();
    let pages = tempfile::tempdir().unwrap();
    let rendered = render(json_dir.path(), pages.path());
    assert!(
        rendered.status.success(),
        "{}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    let feature_pages = std::fs::read_dir(pages.path().join("features"))
        .unwrap()
        .count();
    assert_eq!(feature_pages, features.len());
    // The reader is not a no-op: what is not Cucumber JSON makes it fail.
    std::fs::write(json_dir.path().join("cucumber.json"), r#"[{"bogus": 1}]"#).unwrap();
    let refused = render(json_dir.path(), tempfile::tempdir().unwrap().path());
    assert!(!refused.status.success());
}
