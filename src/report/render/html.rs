//! `index.html`: one self-contained page (no script, no external style, font or image; a CSP
//! forbids loading any): the headline, the command and endpoint tables with verdict colours,
//! each failure with its step, message and the exchange that broke it, and inline SVG charts of
//! the headline rate and each command's pass rate over the recorded history.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::exchange::Exchange;
use crate::report::history::Entry;
use crate::report::summary::{Status, Summary};

/// What the page shows besides the summary.
#[derive(Debug, Default)]
pub(crate) struct Context<'a> {
    /// The recorded runs, oldest first (this one last, when it was appended).
    pub(crate) history: &'a [Entry],
    /// A failed scenario's exchanges by (file, line); empty when re-rendered from a summary.
    pub(crate) exchanges: Option<&'a HashMap<(String, usize), Vec<Exchange>>>,
    /// The HAR file of a failed scenario by (file, line), relative to the page.
    pub(crate) har_files: Option<&'a HashMap<(String, usize), String>>,
}

/// How many failures are shown unfolded.
const OPEN_FAILURES: usize = 10;

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;max-width:70em;color:#222;padding:0 1em}\
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}table{border-collapse:collapse;width:100%}\
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f3f3f3}\
td.num{text-align:right;font-variant-numeric:tabular-nums}tr.group th{text-align:left;font-weight:normal;font-style:italic;background:#f3f3f3}.working{background:#d9f2d9}.partial{background:#fff1c2}\
.broken{background:#f8d0d0}.flaky{background:#e7dcf5}.blocked{background:#e0e0e0}.untested{background:#f7f7f7;color:#777}\
.gate-failed{color:#a00;font-weight:bold}.gate-passed{color:#070;font-weight:bold}\
pre{background:#f6f6f6;padding:.6em;overflow:auto;white-space:pre-wrap;word-break:break-all}\
svg{display:block}svg text{font:11px system-ui,sans-serif;fill:#555}.muted{color:#777}\
details{margin:.6em 0;border:1px solid #ddd;padding:.4em .8em}summary{cursor:pointer}";

/// The whole page.
pub(crate) fn render(summary: &Summary, ctx: &Context) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let title = format!("AITBC conformance: {}", summary.headline_text());
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<link rel=\"icon\" href=\"data:,\"><title>{}</title><style>{STYLE}</style></head><body>\n",
        escape(&title)
    );
    header(&mut out, summary);
    trend(&mut out, summary, ctx.history);
    commands(&mut out, summary, ctx.history);
    failures(&mut out, summary, ctx);
    endpoints(&mut out, summary, ctx.history);
    probe(&mut out, summary);
    spec_coverage(&mut out, summary);
    out.push_str("</body></html>\n");
    out
}

fn header(out: &mut String, summary: &Summary) {
    let _ = write!(
        out,
        "<h1 id=\"headline\">{}</h1>\n<p>Against the {} · finished {} · {:.1} s · {} of {} scenarios passed",
        escape(&summary.headline_text()),
        escape(&summary.target.description),
        escape(&summary.finished_at),
        summary.duration_ms / 1000.0,
        summary.scenarios_passed,
        summary.scenarios_total
    );
    if let Some(revision) = &summary.revision {
        let _ = write!(out, " · revision <code>{}</code>", escape(revision));
    }
    if let Some(shard) = &summary.shard {
        let _ = write!(out, " · shard {}", escape(shard));
    }
    let _ = writeln!(out, " · harness {}</p>", escape(&summary.harness_version));
    if let Some(line) = summary.cli_headline_text() {
        let _ = writeln!(out, "<h2 id=\"cli-headline\">{}</h2>", escape(&line));
    }
    if summary.interrupted {
        out.push_str("<p class=\"gate-failed\">The run was interrupted: unfinished scenarios are not run.</p>\n");
    }
    if let Some(gate) = &summary.gate {
        let (class, word) = if gate.passed {
            ("gate-passed", "passed")
        } else {
            ("gate-failed", "failed")
        };
        let _ = write!(
            out,
            "<p id=\"gate\" class=\"{class}\">Gate {word}</p>\n<ul>"
        );
        for failure in &gate.failures {
            let _ = write!(out, "<li>fails: {}</li>", escape(failure));
        }
        for note in &gate.notes {
            let _ = write!(out, "<li>{}</li>", escape(note));
        }
        out.push_str("</ul>\n");
    }
}

/// The headline rate over the recorded runs, as a line chart.
fn trend(out: &mut String, summary: &Summary, history: &[Entry]) {
    out.push_str("<h2>Trend</h2>\n");
    if history.is_empty() {
        out.push_str("<p class=\"muted\">No recorded history yet.</p>\n");
        return;
    }
    let points: Vec<(f64, String)> = history
        .iter()
        .map(|e| {
            let label = format!(
                "{} {}: {}/{} ({:.1}%)",
                e.finished_at,
                e.revision.as_deref().unwrap_or(""),
                e.headline.commands_working,
                e.headline.commands_total,
                e.headline.rate
            );
            (e.headline.rate, label)
        })
        .collect();
    let _ = writeln!(
        out,
        "<p>Commands working, over the last {} recorded runs (now {:.1}%).</p>",
        points.len(),
        summary.headline.rate
    );
    out.push_str(&line_chart(&points, 720.0, 180.0, "headline-trend"));
}

/// A line chart of percentages with a 0/50/100 % axis and a titled dot per run.
fn line_chart(points: &[(f64, String)], width: f64, height: f64, id: &str) -> String {
    let (left, right, top, bottom) = (40.0, 10.0, 10.0, 20.0);
    let (plot_w, plot_h) = (width - left - right, height - top - bottom);
    let x = |i: usize| {
        if points.len() < 2 {
            left + plot_w / 2.0
        } else {
            left + plot_w * i as f64 / (points.len() - 1) as f64
        }
    };
    let y = |rate: f64| top + plot_h * (1.0 - rate.clamp(0.0, 100.0) / 100.0);
    let mut svg = format!(
        "<svg id=\"{id}\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"pass rate over runs\">"
    );
    for tick in [0.0, 50.0, 100.0] {
        let _ = write!(
            svg,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#ddd\"/><text x=\"4\" y=\"{}\">{tick}%</text>",
            width - right,
            y(tick) + 4.0,
            y = y(tick)
        );
    }
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, (rate, _))| format!("{:.1},{:.1}", x(i), y(*rate)))
        .collect();
    let _ = write!(
        svg,
        "<polyline fill=\"none\" stroke=\"#2a6fdb\" stroke-width=\"2\" points=\"{}\"/>",
        path.join(" ")
    );
    for (i, (rate, label)) in points.iter().enumerate() {
        let _ = write!(
            svg,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"#2a6fdb\"><title>{}</title></circle>",
            x(i),
            y(*rate),
            escape(label)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// A small chart of one command's pass rate (0–100) over the recorded runs.
fn sparkline(rates: &[f64]) -> String {
    sparkline_to(rates, 100.0)
}

/// A small chart of values from 0 to `top` over the recorded runs.
fn sparkline_to(rates: &[f64], top: f64) -> String {
    let (width, height) = (120.0, 24.0);
    if rates.is_empty() {
        return String::new();
    }
    let x = |i: usize| {
        if rates.len() < 2 {
            width / 2.0
        } else {
            2.0 + (width - 4.0) * i as f64 / (rates.len() - 1) as f64
        }
    };
    let top = if top > 0.0 { top } else { 1.0 };
    let y = |rate: f64| 2.0 + (height - 4.0) * (1.0 - rate.clamp(0.0, top) / top);
    let points: Vec<String> = rates
        .iter()
        .enumerate()
        .map(|(i, r)| format!("{:.1},{:.1}", x(i), y(*r)))
        .collect();
    let last = rates[rates.len() - 1];
    format!(
        "<svg class=\"spark\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\"><polyline fill=\"none\" stroke=\"#2a6fdb\" stroke-width=\"1.5\" points=\"{}\"/><circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2\" fill=\"#2a6fdb\"/></svg>",
        points.join(" "),
        x(rates.len() - 1),
        y(last)
    )
}

fn commands(out: &mut String, summary: &Summary, history: &[Entry]) {
    out.push_str("<h2>Commands</h2>\n");
    let headers = [
        "command",
        "passed",
        "verdict",
        "classes",
        "first failure",
        "pass rate over runs",
    ];
    table_head(out, "commands", &headers);
    for (index, c) in summary.commands.iter().enumerate() {
        if let Some(heading) = summary.group_heading(index) {
            let _ = writeln!(
                out,
                "<tr class=\"group\"><th colspan=\"{}\">{}</th></tr>",
                headers.len(),
                escape(&heading)
            );
        }
        let classes: Vec<&str> = c.classes.iter().map(|k| k.as_str()).collect();
        let rates: Vec<f64> = history
            .iter()
            .filter_map(|e| e.commands.get(&c.command))
            .map(|row| row.pass_rate * 100.0)
            .collect();
        let verdict = c.verdict.as_str();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}/{}</td><td class=\"{verdict}\">{verdict}{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&c.command),
            c.scenarios_passed,
            c.scenarios_total,
            if c.via_fallback { " (via fallback)" } else { "" },
            escape(&classes.join(", ")),
            escape(c.first_failure.as_deref().unwrap_or("")),
            sparkline(&rates)
        );
    }
    out.push_str("</tbody></table>\n");
}

fn failures(out: &mut String, summary: &Summary, ctx: &Context) {
    let failed: Vec<_> = summary
        .scenarios
        .iter()
        .filter(|s| s.status == Status::Failed)
        .collect();
    let _ = writeln!(out, "<h2>Failures ({})</h2>", failed.len());
    if failed.is_empty() {
        out.push_str("<p class=\"muted\">None.</p>\n");
        return;
    }
    for (index, s) in failed.into_iter().enumerate() {
        let key = (s.file.clone(), s.line);
        // The first few open; a long list stays readable.
        let open = if index < OPEN_FAILURES { " open" } else { "" };
        let (class, step, message) = s.failure.as_ref().map_or(("", "", ""), |f| {
            (f.class.as_str(), f.step.as_str(), f.message.as_str())
        });
        let _ = write!(
            out,
            "<details class=\"failure\"{open}><summary><b>{}</b> — {} <span class=\"muted\">({}:{}, {})</span></summary>\
<p>Step: <code>{}</code></p><pre>{}</pre>",
            escape(class),
            escape(&s.name),
            escape(&s.file),
            s.line,
            escape(&s.command),
            escape(step),
            escape(message)
        );
        let last = ctx
            .exchanges
            .and_then(|all| all.get(&key))
            .and_then(|exchanges| exchanges.last());
        if let Some(exchange) = last {
            let _ = write!(
                out,
                "<p>The exchange that broke it:</p><pre>{}</pre>",
                escape(&exchange_text(exchange))
            );
        }
        if let Some(file) = ctx.har_files.and_then(|files| files.get(&key)) {
            let _ = write!(
                out,
                "<p>All its exchanges: <a href=\"{}\">{}</a> (HAR 1.2)</p>",
                escape(file),
                escape(file)
            );
        }
        out.push_str("</details>\n");
    }
}

/// `POST /v1/jobs` + body, then `→ 500` + body, as a person reads an exchange.
fn exchange_text(exchange: &Exchange) -> String {
    let mut text = format!("{} {}", exchange.method, exchange.trace.url);
    if let Some(body) = &exchange.trace.request_body {
        let _ = write!(text, "\n{}", clip(body, 2000));
    }
    let answer = String::from_utf8_lossy(&exchange.body);
    if exchange.status == 0 {
        let _ = write!(text, "\n→ no answer: {}", clip(&answer, 2000));
    } else {
        let _ = write!(text, "\n→ {}\n{}", exchange.status, clip(&answer, 2000));
    }
    text
}

fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}… ({} bytes in all)", &text[..cut], text.len()),
        None => text.to_string(),
    }
}

fn endpoints(out: &mut String, summary: &Summary, history: &[Entry]) {
    out.push_str("<h2>Endpoints</h2>\n");
    table_head(
        out,
        "endpoints",
        &[
            "endpoint",
            "exchanges",
            "2xx",
            "p50 ms",
            "p95 ms",
            "max ms",
            "problem",
            "p95 over runs",
        ],
    );
    for e in &summary.endpoints {
        let problem = e.class.map_or("", |c| c.as_str());
        let class = if problem.is_empty() { "" } else { "broken" };
        let ms = |pick: fn(&crate::exchange::endpoints::Latency) -> f64| {
            e.latency
                .as_ref()
                .map_or("-".into(), |l| format!("{:.1}", pick(l)))
        };
        let p95s: Vec<f64> = history
            .iter()
            .filter_map(|h| h.endpoints_p95_ms.get(&e.endpoint).copied())
            .collect();
        let top = p95s.iter().copied().fold(0.0, f64::max);
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"{class}\">{}</td><td title=\"p95 up to {top:.1} ms\">{}</td></tr>",
            escape(&e.endpoint),
            e.exchanges,
            e.successes,
            ms(|l| l.p50_ms),
            ms(|l| l.p95_ms),
            ms(|l| l.max_ms),
            problem,
            sparkline_to(&p95s, top)
        );
    }
    out.push_str("</tbody></table>\n");
    if !summary.cli_unknown_routes.is_empty() {
        let _ = writeln!(
            out,
            "<p id=\"cli-unknown-routes\">The CLI called routes the contract does not know: <code>{}</code></p>",
            escape(&summary.cli_unknown_routes.join(", "))
        );
    }
    if let Some(drift) = &summary.cli_drift {
        let _ = writeln!(out, "<p id=\"cli-drift\">{}</p>", escape(&drift.line()));
    }
}

/// The probe's findings (each with its reproducing curl line) and what it could not reach.
fn probe(out: &mut String, summary: &Summary) {
    let Some(probe) = &summary.probe else {
        return;
    };
    let _ = writeln!(out, "<h2>Probe</h2>\n<p>{}</p>", escape(&probe.line()));
    table_head(
        out,
        "probe",
        &[
            "check",
            "status",
            "operation",
            "command",
            "input",
            "reproduce",
            "answer",
        ],
    );
    for f in &probe.findings {
        let _ = writeln!(
            out,
            "<tr><td class=\"broken\">{}</td><td class=\"num\">{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
            f.check.name(),
            f.status,
            escape(&f.operation()),
            escape(f.command.as_deref().unwrap_or("-")),
            escape(&f.input),
            escape(&clip(&f.curl, 400)),
            escape(&clip(&f.answer, 200))
        );
    }
    for u in &probe.untested {
        let _ = writeln!(
            out,
            "<tr><td class=\"untested\">untested</td><td></td><td><code>{} {}</code></td><td></td><td colspan=\"3\">{}</td></tr>",
            escape(&u.method),
            escape(&u.route),
            escape(&u.reason)
        );
    }
    out.push_str("</tbody></table>\n");
}

/// The operations of the services' documents the run exercised, and those it never touched.
fn spec_coverage(out: &mut String, summary: &Summary) {
    let Some(coverage) = &summary.spec_coverage else {
        return;
    };
    let _ = writeln!(
        out,
        "<h2>Spec coverage</h2>\n<p>{}</p>",
        escape(&coverage.line())
    );
    table_head(
        out,
        "spec-coverage",
        &["service", "operation", "statuses seen"],
    );
    for op in &coverage.exercised {
        let statuses: Vec<String> = op.statuses.iter().map(u16::to_string).collect();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
            op.service.name(),
            escape(&op.operation),
            statuses.join(", ")
        );
    }
    for untouched in &coverage.untouched {
        let (service, operation) = untouched.split_once(' ').unwrap_or(("", untouched));
        let _ = writeln!(
            out,
            "<tr><td>{service}</td><td><code>{}</code></td><td class=\"untested\">never touched</td></tr>",
            escape(operation)
        );
    }
    out.push_str("</tbody></table>\n");
}

/// `<table id=…>` with its header row, the body opened.
fn table_head(out: &mut String, id: &str, headers: &[&str]) {
    let _ = write!(out, "<table id=\"{id}\"><thead><tr>");
    for header in headers {
        let _ = write!(out, "<th>{header}</th>");
    }
    out.push_str("</tr></thead><tbody>\n");
}

/// Text for HTML content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_a_message_is_text_not_markup() {
        assert_eq!(escape("<script>\"'&"), "&lt;script&gt;&quot;&#39;&amp;");
    }

    #[test]
    fn a_chart_has_a_dot_per_run_on_a_0_to_100_scale() {
        let points = vec![(0.0, "a".to_string()), (100.0, "b<".to_string())];
        let svg = line_chart(&points, 200.0, 100.0, "t");
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains("<title>b&lt;</title>"));
        assert!(svg.contains("points=\"40.0,80.0 190.0,10.0\""), "{svg}");
    }
}
