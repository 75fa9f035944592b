//! Report files under `reports/`: `summary.json` and `junit.xml` written atomically,
//! `history.jsonl` appended one line per run.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::summary::{Status, Summary};
use crate::error::RunError;
use crate::redact::Redactor;

/// Writes every report file for `summary` into `dir`, creating it if needed. Every text is
/// checked for the run's secrets before it is written: one found is masked, and the run then
/// fails (exit 4) naming the file — redaction upstream should have caught it.
pub fn write_all(
    dir: &Path,
    summary: &Summary,
    redactor: &Redactor,
) -> Result<Vec<PathBuf>, RunError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| RunError::Report { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut leaked: Option<PathBuf> = None;
    let mut checked = |path: &Path, text: String| {
        if redactor.finds(&text) {
            leaked.get_or_insert_with(|| path.to_path_buf());
            return redactor.apply(&text);
        }
        text
    };
    let summary_path = dir.join("summary.json");
    let mut text = serde_json::to_string_pretty(summary).unwrap_or_default();
    text.push('\n');
    let text = checked(&summary_path, text);
    write_atomic(&summary_path, text.as_bytes()).map_err(io(&summary_path))?;
    let junit_path = dir.join("junit.xml");
    let text = checked(&junit_path, junit(summary));
    write_atomic(&junit_path, text.as_bytes()).map_err(io(&junit_path))?;
    let markdown_path = dir.join("summary.md");
    let markdown = checked(&markdown_path, markdown(summary));
    write_atomic(&markdown_path, markdown.as_bytes()).map_err(io(&markdown_path))?;
    // GitHub Actions shows this file on the run's page.
    if let Some(step) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        let step = PathBuf::from(step);
        append_line(&step, &markdown).map_err(io(&step))?;
    }
    let history_path = dir.join("history.jsonl");
    let line = checked(&history_path, history_line(summary));
    append_line(&history_path, &line).map_err(io(&history_path))?;
    match leaked {
        Some(path) => Err(RunError::SecretInReport { path }),
        None => Ok(vec![summary_path, junit_path, markdown_path, history_path]),
    }
}

/// How many failed scenarios `summary.md` lists (it must stay short enough for a PR comment).
const MARKDOWN_FAILURES: usize = 30;

/// `summary.md`: the headline, one row per command, the gate, and the failures.
pub fn markdown(summary: &Summary) -> String {
    let cell = |text: &str| text.replace('|', "\\|").replace('\n', " ");
    let mut out = format!(
        "## AITBC conformance: {}\n\nAgainst the {}.\n\n| command | passed | verdict | classes |\n|---|---:|---|---|\n",
        summary.headline_text(),
        summary.target.description
    );
    for c in &summary.commands {
        let classes: Vec<&str> = c.classes.iter().map(|k| k.as_str()).collect();
        out.push_str(&format!(
            "| {} | {}/{} | {} | {} |\n",
            c.command,
            c.scenarios_passed,
            c.scenarios_total,
            c.verdict.as_str(),
            classes.join(", ")
        ));
    }
    if let Some(gate) = &summary.gate {
        let state = if gate.passed { "passed" } else { "**failed**" };
        out.push_str(&format!("\n**Gate:** {state}\n"));
        for failure in &gate.failures {
            out.push_str(&format!("- fails: {}\n", cell(failure)));
        }
        for note in &gate.notes {
            out.push_str(&format!("- {}\n", cell(note)));
        }
    }
    let failed: Vec<_> = summary
        .scenarios
        .iter()
        .filter(|s| s.status == Status::Failed)
        .collect();
    if !failed.is_empty() {
        out.push_str(&format!("\n**Failed scenarios ({}):**\n\n", failed.len()));
        for s in failed.iter().take(MARKDOWN_FAILURES) {
            let (class, message) = s
                .failure
                .as_ref()
                .map_or(("", ""), |f| (f.class.as_str(), f.message.as_str()));
            let message: String = cell(message).chars().take(200).collect();
            out.push_str(&format!(
                "- `{}:{}` {} ({}): **{class}** {message}\n",
                s.file, s.line, s.name, s.command
            ));
        }
        if failed.len() > MARKDOWN_FAILURES {
            out.push_str(&format!(
                "- … and {} more in `summary.json`\n",
                failed.len() - MARKDOWN_FAILURES
            ));
        }
    }
    out
}

/// Writes to a temporary file beside `path`, syncs it, then renames it over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("report");
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Appends one line with a single `write` on an append-only handle (never rewrites history).
pub fn append_line(path: &Path, line: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(format!("{line}\n").as_bytes())?;
    file.sync_data()
}

/// One compact JSON line: when, what, the headline and each command's pass rate.
pub fn history_line(summary: &Summary) -> String {
    let commands: serde_json::Map<String, serde_json::Value> = summary
        .commands
        .iter()
        .map(|c| {
            let row = json!({ "passed": c.scenarios_passed, "total": c.scenarios_total,
                              "pass_rate": c.pass_rate, "verdict": c.verdict });
            (c.command.clone(), row)
        })
        .collect();
    json!({
        "schema_version": summary.schema_version,
        "finished_at": summary.finished_at,
        "duration_ms": summary.duration_ms.round(),
        "target": summary.target,
        "revision": summary.revision,
        "harness_version": summary.harness_version,
        "headline": summary.headline,
        "scenarios_total": summary.scenarios_total,
        "scenarios_passed": summary.scenarios_passed,
        "interrupted": summary.interrupted,
        "commands": commands,
    })
    .to_string()
}

/// JUnit XML: one testsuite per command, one testcase per scenario.
pub fn junit(summary: &Summary) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let failures = summary.scenarios_total - summary.scenarios_passed;
    out.push_str(&format!(
        "<testsuites name=\"aitbc-conformance ({} era)\" tests=\"{}\" failures=\"{failures}\" time=\"{:.3}\">\n",
        summary.target.era,
        summary.scenarios_total,
        summary.duration_ms / 1000.0
    ));
    for command in summary.commands.iter().filter(|c| c.scenarios_total > 0) {
        let mine: Vec<_> = summary
            .scenarios
            .iter()
            .filter(|s| s.command == command.command)
            .collect();
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\">\n",
            xml(&command.command),
            command.scenarios_total,
            command.scenarios_total - command.scenarios_passed
        ));
        for s in mine {
            out.push_str(&format!(
                "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{}\" time=\"{:.3}\"",
                xml(&command.command),
                xml(&s.name),
                xml(&s.file),
                s.line,
                s.duration_ms / 1000.0
            ));
            let reason = s.failure.as_ref().map_or("not run", |f| f.message.as_str());
            match (s.status, &s.failure) {
                (Status::Failed, Some(f)) => out.push_str(&format!(
                    ">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>\n",
                    f.class,
                    xml(&f.message),
                    xml(&f.step)
                )),
                (Status::Passed, _) => out.push_str("/>\n"),
                (Status::Flaky, _) => out.push_str(
                    ">\n      <system-out>flaky: passed only after a retry</system-out>\n    </testcase>\n",
                ),
                _ => out.push_str(&format!(
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>\n",
                    xml(reason)
                )),
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn xml(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&apos;".to_string(),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => " ".to_string(),
            c => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("summary.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn history_only_grows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.jsonl");
        append_line(&path, "{\"a\":1}").unwrap();
        append_line(&path, "{\"a\":2}").unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\"a\":1}\n{\"a\":2}\n"
        );
    }

    #[test]
    fn xml_escapes_markup_and_control_characters() {
        assert_eq!(xml("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot; ");
    }
}
