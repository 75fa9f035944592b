//! `summary.md`: short enough for a pull-request comment and GitHub's step summary.

use crate::report::summary::{Status, Summary};

/// How many failed scenarios `summary.md` lists (it must stay short enough for a PR comment).
const MARKDOWN_FAILURES: usize = 30;

/// Text for a table cell: no pipe or line break of its own.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// `summary.md`: the headline, one row per command, the gate, and the failures.
pub(crate) fn render(summary: &Summary) -> String {
    let mut out = format!(
        "## AITBC conformance: {}\n\nAgainst the {}.\n\n| command | passed | verdict | classes |\n|---|---:|---|---|\n",
        summary.headline_text(),
        summary.target.description
    );
    if let Some(line) = summary.cli_headline_text() {
        let drift = summary
            .cli_drift
            .as_ref()
            .map_or(String::new(), |d| format!("{}\n\n", d.line()));
        out.insert_str(
            out.find("\n\n").map_or(0, |i| i + 2),
            &format!("**{line}**\n\n{drift}"),
        );
    }
    for (index, c) in summary.commands.iter().enumerate() {
        if let Some(heading) = summary.group_heading(index) {
            out.push_str(&format!("| *{}* | | | |\n", cell(&heading)));
        }
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
    out.push_str(&endpoints_section(summary));
    if let Some(coverage) = &summary.spec_coverage {
        out.push_str(&format!("\n{}\n", cell(&coverage.line())));
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
    out.push_str(&probe_section(summary));
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

/// The probe's line and its findings, one row each (the first thirty).
fn probe_section(summary: &Summary) -> String {
    let mut out = String::new();
    let Some(probe) = &summary.probe else {
        return out;
    };
    out.push_str(&format!("\n**{}**\n", cell(&probe.line())));
    if !probe.findings.is_empty() {
        out.push_str(
            "\n| check | status | operation | command | input |\n|---|---:|---|---|---|\n",
        );
    }
    for f in probe.findings.iter().take(MARKDOWN_FAILURES) {
        out.push_str(&format!(
            "| {} | {} | `{}` | {} | {} |\n",
            f.check.name(),
            f.status,
            cell(&f.operation()),
            f.command.as_deref().unwrap_or("-"),
            cell(&f.input)
        ));
    }
    if probe.findings.len() > MARKDOWN_FAILURES {
        out.push_str(&format!(
            "\n… and {} more findings in `summary.json`\n",
            probe.findings.len() - MARKDOWN_FAILURES
        ));
    }
    out
}

/// The endpoints, folded (GitHub shows a `<details>` block closed): exchanges, 2xx answers,
/// latency percentiles and route-level class.
fn endpoints_section(summary: &Summary) -> String {
    if summary.endpoints.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "\n<details><summary>Endpoints ({} exercised)</summary>\n\n| endpoint | exchanges | 2xx | p50 | p95 | max | class |\n|---|---:|---:|---:|---:|---:|---|\n",
        summary.endpoints.len()
    );
    for e in &summary.endpoints {
        let (p50, p95, max) = e.latency.map_or_else(
            || ("-".to_string(), "-".to_string(), "-".to_string()),
            |l| {
                (
                    format!("{:.1} ms", l.p50_ms),
                    format!("{:.1} ms", l.p95_ms),
                    format!("{:.1} ms", l.max_ms),
                )
            },
        );
        out.push_str(&format!(
            "| `{}` | {} | {} | {p50} | {p95} | {max} | {} |\n",
            cell(&e.endpoint),
            e.exchanges,
            e.successes,
            e.class.map_or("", |c| c.as_str())
        ));
    }
    out.push_str("\n</details>\n");
    out
}
