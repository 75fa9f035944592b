//! The terminal report: one row per command, then the headline.

use super::summary::{Status, Summary, Verdict};

/// Renders the per-command table, the failed scenarios and the headline.
pub fn render(summary: &Summary) -> String {
    let header = ["command", "passed", "rate", "verdict", "first failure"];
    let rows: Vec<[String; 5]> = summary
        .commands
        .iter()
        .map(|c| {
            [
                c.command.clone(),
                format!("{}/{}", c.scenarios_passed, c.scenarios_total),
                if c.verdict == Verdict::Untested {
                    "-".to_string()
                } else {
                    format!("{:.0}%", c.pass_rate * 100.0)
                },
                c.verdict.as_str().to_string(),
                c.first_failure
                    .clone()
                    .map(|f| clip(&f, 90))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let width = |i: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .chain([header[i].len()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..4).map(width).collect();
    let line = |cells: [&str; 5]| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate().take(4) {
            let pad = widths[i].saturating_sub(cell.chars().count());
            if i == 1 || i == 2 {
                text.push_str(&" ".repeat(pad));
                text.push_str(cell);
            } else {
                text.push_str(cell);
                text.push_str(&" ".repeat(pad));
            }
            text.push_str("  ");
        }
        text.push_str(cells[4]);
        text.trim_end().to_string()
    };
    let mut out = String::new();
    out.push_str(&line(header));
    out.push('\n');
    for row in &rows {
        out.push_str(&line([&row[0], &row[1], &row[2], &row[3], &row[4]]));
        out.push('\n');
    }
    let failed: Vec<_> = summary
        .scenarios
        .iter()
        .filter(|s| s.status != Status::Passed)
        .collect();
    if !failed.is_empty() {
        out.push_str("\nfailed scenarios:\n");
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
    }
    out.push_str(&format!(
        "\n{} scenarios, {} passed, {} failed in {:.0} ms against the {}\n{}\n",
        summary.scenarios_total,
        summary.scenarios_passed,
        summary.scenarios_total - summary.scenarios_passed,
        summary.duration_ms,
        summary.target,
        summary.headline_text()
    ));
    out
}

fn clip(text: &str, max: usize) -> String {
    let one_line = text.replace('\n', " ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        format!("{}…", one_line.chars().take(max).collect::<String>())
    }
}
