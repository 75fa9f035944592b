//! The terminal report: one row per command, the endpoints with problems, the failed
//! scenarios, then the headline.

use super::summary::{CommandReport, Status, Summary, Verdict};
use crate::catalog::Group;
use crate::failure::FailureClass;

/// Renders the whole report.
pub(crate) fn render(summary: &Summary) -> String {
    let mut out = commands_table(summary);
    out.push_str(&endpoints_section(summary));
    if !summary.cli_unknown_routes.is_empty() {
        out.push_str(&format!(
            "\nthe CLI called routes the contract does not know: {}\n",
            summary.cli_unknown_routes.join(", ")
        ));
    }
    if let Some(drift) = &summary.cli_drift {
        out.push_str(&format!("\n{}\n", drift.line()));
    }
    out.push_str(&scenarios_section(summary));
    out.push_str(&not_applicable_section(summary));
    out.push_str(&untested_section(summary));
    out.push_str(&gate_section(summary));
    out.push_str(&probe_section(summary));
    out.push_str(&snapshots_section(summary));
    if let Some(coverage) = &summary.spec_coverage {
        out.push_str(&format!("\n{}\n", clip(&coverage.line(), 400)));
    }
    let count = |s: Status| summary.scenarios.iter().filter(|x| x.status == s).count();
    let mut tally = format!(
        "{} scenarios, {} passed, {} failed",
        summary.scenarios_total,
        summary.scenarios_passed,
        count(Status::Failed)
    );
    for (status, name) in [
        (Status::NotRun, "not run"),
        (Status::Flaky, "flaky"),
        (Status::Blocked, "blocked"),
        (Status::Skipped, "skipped"),
    ] {
        if count(status) > 0 {
            tally.push_str(&format!(", {} {name}", count(status)));
        }
    }
    if summary.interrupted {
        tally.push_str(" — interrupted, the rest not run");
    }
    out.push_str(&format!(
        "\n{tally} in {:.0} ms against the {}\n{}\n",
        summary.duration_ms,
        summary.target.description,
        summary.headline_text()
    ));
    if let Some(line) = summary.cli_headline_text() {
        out.push_str(&format!("{line}\n"));
    }
    if let Some(probe) = &summary.probe {
        out.push_str(&format!("{}\n", probe.line()));
    }
    out
}

/// How many probe findings the terminal lists (all are in summary.json).
const PROBE_ROWS: usize = 40;

/// The probe's findings, one row each, and the operations it could not reach.
fn probe_section(summary: &Summary) -> String {
    let Some(probe) = &summary.probe else {
        return String::new();
    };
    let mut out = String::new();
    if !probe.findings.is_empty() {
        let rows: Vec<Vec<String>> = probe
            .findings
            .iter()
            .take(PROBE_ROWS)
            .map(|f| {
                vec![
                    f.check.name().to_string(),
                    f.status.to_string(),
                    f.operation(),
                    f.command.clone().unwrap_or_else(|| "-".into()),
                    clip(&f.input, 48),
                ]
            })
            .collect();
        out.push_str("\nprobe findings (each with a curl line in summary.json):\n");
        out.push_str(&table(
            &["check", "status", "operation", "command", "input"],
            &rows,
            &[1],
        ));
        if probe.findings.len() > PROBE_ROWS {
            out.push_str(&format!(
                "… and {} more in summary.json\n",
                probe.findings.len() - PROBE_ROWS
            ));
        }
    }
    for u in &probe.untested {
        out.push_str(&format!(
            "probe: {} {} untested: {}\n",
            u.method, u.route, u.reason
        ));
    }
    out
}

/// The commands table; routes no typed command calls (the miner protocol, the API-only
/// routes) in tables of their own under their headings.
fn commands_table(summary: &Summary) -> String {
    let groups = [Group::Cli, Group::MinerProtocol, Group::Api];
    let present: Vec<Group> = groups
        .into_iter()
        .filter(|g| summary.commands.iter().any(|c| c.group == *g))
        .collect();
    if present.len() <= 1 {
        return group_table(summary, &summary.commands.iter().collect::<Vec<_>>());
    }
    let cli = if summary.headline.cli.is_empty() {
        "the CLI"
    } else {
        summary.headline.cli.as_str()
    };
    let mut out = String::new();
    for group in present {
        let rows: Vec<&CommandReport> = summary
            .commands
            .iter()
            .filter(|c| c.group == group)
            .collect();
        let counted = if group.is_cli() {
            " — the headline's"
        } else {
            " — not in the headline"
        };
        out.push_str(&format!(
            "{}{counted}:
",
            group.heading(cli)
        ));
        out.push_str(&group_table(summary, &rows));
        out.push('\n');
    }
    out
}

fn group_table(summary: &Summary, commands: &[&CommandReport]) -> String {
    // With CLI scenarios run, each command's CLI verdict stands beside its API verdict.
    let with_cli = summary.cli_headline.is_some();
    let rows: Vec<Vec<String>> = commands
        .iter()
        .map(|c| {
            let rate = match c.verdict {
                Verdict::Untested | Verdict::Blocked => "-".to_string(),
                _ => format!("{:.0}%", c.pass_rate * 100.0),
            };
            let classes: Vec<&str> = c.classes.iter().map(|k| k.as_str()).collect();
            let mut row = vec![
                c.command.clone(),
                format!("{}/{}", c.scenarios_passed, c.scenarios_total),
                rate,
                c.verdict.as_str().to_string(),
            ];
            let mut first = c.first_failure.clone();
            if with_cli {
                let (verdict, classes, why) = match &c.cli {
                    Some(cli) if cli.scenarios_total == 0 => {
                        ("no command".to_string(), String::new(), cli.note.clone())
                    }
                    Some(cli) => {
                        let names: Vec<&str> = cli.classes.iter().map(|k| k.as_str()).collect();
                        (
                            cli.verdict.as_str().to_string(),
                            names.join(","),
                            cli.first_failure.clone(),
                        )
                    }
                    None => ("untested".to_string(), String::new(), None),
                };
                row.push(verdict);
                row.push(classes);
                first = why.or(first);
            }
            row.push(classes.join(","));
            row.push(first.as_deref().map(|f| clip(f, 90)).unwrap_or_default());
            row
        })
        .collect();
    let mut headers = vec!["command", "passed", "rate", "verdict"];
    if with_cli {
        headers.extend(["CLI", "CLI classes"]);
    }
    headers.extend(["classes", "first failure"]);
    table(&headers, &rows, &[1, 2])
}

/// Every endpoint exercised: its exchanges, its 2xx answers, how long they took (p50, p95,
/// max) and its route-level problem.
fn endpoints_section(summary: &Summary) -> String {
    let ms = |v: f64| {
        if v >= 1000.0 {
            format!("{:.2} s", v / 1000.0)
        } else {
            format!("{v:.1} ms")
        }
    };
    let rows: Vec<Vec<String>> = summary
        .endpoints
        .iter()
        .map(|e| {
            let (p50, p95, max) = e.latency.map_or_else(
                || ("-".into(), "-".into(), "-".into()),
                |l| (ms(l.p50_ms), ms(l.p95_ms), ms(l.max_ms)),
            );
            vec![
                e.endpoint.clone(),
                e.exchanges.to_string(),
                e.successes.to_string(),
                p50,
                p95,
                max,
                e.class.map(|c| c.as_str().to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    let troubled = summary
        .endpoints
        .iter()
        .filter(|e| e.class.is_some())
        .count();
    format!(
        "\nendpoints ({} exercised, {troubled} with route-level problems):\n{}",
        summary.endpoints.len(),
        table(
            &["endpoint", "exchanges", "2xx", "p50", "p95", "max", "class"],
            &rows,
            &[1, 2, 3, 4, 5]
        )
    )
}

fn scenarios_section(summary: &Summary) -> String {
    let failed: Vec<_> = summary
        .scenarios
        .iter()
        .filter(|s| matches!(s.status, Status::Failed | Status::NotRun))
        .collect();
    if failed.is_empty() {
        return String::new();
    }
    let mut out = String::from("\nfailed scenarios:\n");
    for s in failed {
        let reason = s.failure.as_ref().map_or_else(
            || "not run".to_string(),
            |f| format!("{}\n      [{}] {}", f.step, f.class, clip(&f.message, 300)),
        );
        out.push_str(&format!(
            "  {}:{} {} ({})\n      {reason}\n",
            s.file, s.line, s.name, s.command
        ));
    }
    out
}

/// The gate's conclusion: each reason it fails, then what changed.
fn gate_section(summary: &Summary) -> String {
    let Some(gate) = &summary.gate else {
        return String::new();
    };
    let mut out = format!(
        "\ngate: {}\n",
        if gate.passed { "passed" } else { "FAILED" }
    );
    for failure in &gate.failures {
        out.push_str(&format!("  fails: {failure}\n"));
    }
    for note in &gate.notes {
        out.push_str(&format!("  note: {note}\n"));
    }
    out
}

/// Scenarios the target itself ruled out, grouped by reason: what this run could not judge.
fn not_applicable_section(summary: &Summary) -> String {
    let mut reasons: Vec<(&str, Vec<String>)> = Vec::new();
    let skipped = summary
        .scenarios
        .iter()
        .filter(|s| s.status == Status::Skipped);
    // Only what the target itself ruled out; tags (`@double-only`, `@era:`) skip by design.
    for s in skipped {
        let Some(f) = s
            .failure
            .as_ref()
            .filter(|f| f.class == FailureClass::NotApplicable && f.step != "(not run here)")
        else {
            continue;
        };
        let at = format!("{}:{}", s.file, s.line);
        match reasons.iter_mut().find(|(r, _)| *r == f.message) {
            Some((_, places)) => places.push(at),
            None => reasons.push((&f.message, vec![at])),
        }
    }
    let mut out = String::new();
    for (reason, places) in reasons {
        out.push_str(&format!(
            "
not applicable here ({}): {reason}
  {}
",
            places.len(),
            places.join(", ")
        ));
    }
    out
}

/// Scenarios blocked for lack of a credential, by reason (which says how to unblock them):
/// untested, not failed, and worth a line of their own.
fn untested_section(summary: &Summary) -> String {
    let mut reasons: Vec<(&str, Vec<String>)> = Vec::new();
    for s in summary
        .scenarios
        .iter()
        .filter(|s| s.status == Status::Blocked)
    {
        let reason = s.failure.as_ref().map_or("", |f| f.message.as_str());
        let at = format!("{}:{}", s.file, s.line);
        match reasons.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, places)) => places.push(at),
            None => reasons.push((reason, vec![at])),
        }
    }
    let mut out = String::new();
    for (reason, places) in reasons {
        out.push_str(&format!(
            "\nuntested, no credential ({}): {reason}\n  {}\n",
            places.len(),
            clip(&places.join(", "), 400)
        ));
    }
    out
}

fn snapshots_section(summary: &Summary) -> String {
    let Some(s) = &summary.snapshots else {
        return String::new();
    };
    let mut out = format!("\nsnapshots ({}): {} referenced", s.mode, s.referenced);
    if !s.pending.is_empty() {
        out.push_str(&format!(
            ", {} new pending review (`cargo insta review`, or run with --snapshots update):",
            s.pending.len()
        ));
        for p in &s.pending {
            out.push_str(&format!("\n  {p}"));
        }
    }
    if !s.unreferenced.is_empty() {
        out.push_str(&format!(
            "\nunreferenced snapshots ({}), referenced by no scenario:",
            s.unreferenced.len()
        ));
        for p in &s.unreferenced {
            out.push_str(&format!("\n  {p}"));
        }
    }
    out.push('\n');
    out
}

/// A plain-text table; columns in `right` are right-aligned, the last one is never padded.
fn table(header: &[&str], rows: &[Vec<String>], right: &[usize]) -> String {
    let columns = header.len();
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<&str>| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let pad = " ".repeat(widths[i].saturating_sub(cell.chars().count()));
            if i + 1 == columns {
                text.push_str(cell);
            } else if right.contains(&i) {
                text.push_str(&format!("{pad}{cell}  "));
            } else {
                text.push_str(&format!("{cell}{pad}  "));
            }
        }
        format!("{}\n", text.trim_end())
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

pub(crate) fn clip(text: &str, max: usize) -> String {
    let one_line = text.replace('\n', " ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        format!("{}…", one_line.chars().take(max).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_and_right_align_numbers() {
        let rows = vec![
            vec!["a".into(), "1".into(), "x".into()],
            vec!["long".into(), "10".into(), "y".into()],
        ];
        assert_eq!(
            table(&["name", "n", "note"], &rows, &[1]),
            "name   n  note\na      1  x\nlong  10  y\n"
        );
    }
}
