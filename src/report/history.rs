//! `history.jsonl`: one line per run (appended by `atomic::append_line`, under a lock, so that
//! concurrent runs each land whole); read back for the trend charts and the `history` command.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::json;

use super::summary::{Summary, Verdict};
use crate::error::InputError;

/// One compact JSON line: when, what, the headline and each command's pass rate.
pub(crate) fn line(summary: &Summary) -> String {
    let commands: serde_json::Map<String, serde_json::Value> = summary
        .commands
        .iter()
        .map(|c| {
            let row = json!({ "passed": c.scenarios_passed, "total": c.scenarios_total,
                              "pass_rate": c.pass_rate, "verdict": c.verdict });
            (c.command.clone(), row)
        })
        .collect();
    let p95: serde_json::Map<String, serde_json::Value> = summary
        .endpoints
        .iter()
        .filter_map(|e| Some((e.endpoint.clone(), json!(e.latency?.p95_ms))))
        .collect();
    json!({
        "schema_version": summary.schema_version,
        "started_at": started_at(summary),
        "finished_at": summary.finished_at,
        "duration_ms": summary.duration_ms.round(),
        "target": summary.target,
        "revision": summary.revision,
        "harness_version": summary.harness_version,
        "shard": summary.shard,
        "headline": summary.headline,
        "scenarios_total": summary.scenarios_total,
        "scenarios_passed": summary.scenarios_passed,
        "interrupted": summary.interrupted,
        "commands": commands,
        "endpoints_p95_ms": p95,
    })
    .to_string()
}

/// When the run started: its finish less its duration.
fn started_at(summary: &Summary) -> Option<String> {
    let finished = crate::clock::parse_iso(&summary.finished_at)?;
    Some(crate::clock::iso_utc(
        finished - (summary.duration_ms * 1000.0) as i64,
    ))
}

/// What the record keeps of one run (older lines lack some fields: they default).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub(crate) struct Entry {
    #[serde(default)]
    pub(crate) finished_at: String,
    #[serde(default)]
    pub(crate) duration_ms: f64,
    #[serde(default)]
    pub(crate) revision: Option<String>,
    #[serde(default)]
    pub(crate) target: Option<serde_json::Value>,
    pub(crate) headline: Headline,
    #[serde(default)]
    pub(crate) commands: BTreeMap<String, CommandEntry>,
    #[serde(default)]
    pub(crate) interrupted: bool,
    #[serde(default)]
    pub(crate) shard: Option<String>,
    /// Each endpoint's p95 latency in that run, in milliseconds (older lines have none).
    #[serde(default)]
    pub(crate) endpoints_p95_ms: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub(crate) struct Headline {
    pub(crate) commands_working: usize,
    pub(crate) commands_total: usize,
    pub(crate) rate: f64,
    /// Whose commands: `aitbc 0.10.18` (older lines have none).
    #[serde(default)]
    pub(crate) cli: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub(crate) struct CommandEntry {
    pub(crate) pass_rate: f64,
    pub(crate) verdict: Verdict,
}

impl Entry {
    /// The target's description, as the line names it (schema 1 wrote a plain string).
    pub(crate) fn target(&self) -> String {
        match &self.target {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(value) => {
                let description = value.get("description").and_then(|d| d.as_str());
                let era = value.get("era").and_then(|d| d.as_str());
                match (description, era) {
                    (Some(d), Some(e)) => format!("{d} ({e} era)"),
                    (Some(d), None) => d.to_string(),
                    _ => String::new(),
                }
            }
            None => String::new(),
        }
    }
}

/// The record, oldest first, and the lines that could not be read (1-based line numbers).
#[derive(Debug, Clone, Default)]
pub(crate) struct Record {
    pub(crate) entries: Vec<Entry>,
    pub(crate) unreadable: Vec<usize>,
}

/// Reads `history.jsonl`; a missing file is an empty record, a line that is not a run is
/// counted and skipped (an interrupted writer or a hand edit must not hide the rest).
pub(crate) fn read(path: &Path) -> Result<Record, InputError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Record::default()),
        Err(_) => crate::error::read_input(path)?,
    };
    Ok(parse(&text))
}

/// How many of the latest runs the page charts.
pub(crate) const PAGE_RUNS: usize = 100;

/// The last `runs` lines of `history.jsonl` (all of a shorter one), read from the file's end:
/// a page of a record that grows with every run costs the same on its thousandth run.
pub(crate) fn read_last(path: &Path, runs: usize) -> Record {
    use std::io::{Read as _, Seek as _, SeekFrom};
    const CHUNK: u64 = 64 * 1024;
    let Ok(mut file) = std::fs::File::open(path) else {
        return Record::default();
    };
    let Ok(len) = file.seek(SeekFrom::End(0)) else {
        return Record::default();
    };
    let (mut tail, mut start, mut newlines): (Vec<u8>, u64, usize) = (Vec::new(), len, 0);
    // One more line than wanted: the first one read may be cut in the middle.
    while start > 0 && newlines <= runs + 1 {
        let from = start.saturating_sub(CHUNK);
        let mut chunk = vec![0; (start - from) as usize];
        if file.seek(SeekFrom::Start(from)).is_err() || file.read_exact(&mut chunk).is_err() {
            return Record::default();
        }
        newlines += chunk.iter().filter(|&&b| b == b'\n').count();
        chunk.extend_from_slice(&tail);
        (tail, start) = (chunk, from);
    }
    let text = String::from_utf8_lossy(&tail);
    let whole = match start {
        0 => &text[..],
        _ => text.split_once('\n').map_or("", |(_, rest)| rest),
    };
    let lines: Vec<&str> = whole.lines().filter(|l| !l.trim().is_empty()).collect();
    parse(&lines[lines.len().saturating_sub(runs)..].join("\n"))
}

/// Parses the lines of a record.
pub(crate) fn parse(text: &str) -> Record {
    let mut record = Record::default();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Entry>(line) {
            Ok(entry) => record.entries.push(entry),
            Err(_) => record.unreadable.push(index + 1),
        }
    }
    record
}

/// A command whose verdict changed between two consecutive runs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Flip {
    /// Index of the later run in the record.
    pub(crate) run: usize,
    pub(crate) command: String,
    pub(crate) before: Verdict,
    pub(crate) after: Verdict,
}

/// Every verdict that changed from one run to the next.
pub(crate) fn flips(entries: &[Entry]) -> Vec<Flip> {
    let mut out = Vec::new();
    for (run, pair) in entries.windows(2).enumerate() {
        let (before, after) = (&pair[0], &pair[1]);
        for (command, now) in &after.commands {
            if let Some(then) = before.commands.get(command) {
                if then.verdict != now.verdict {
                    out.push(Flip {
                        run: run + 1,
                        command: command.clone(),
                        before: then.verdict,
                        after: now.verdict,
                    });
                }
            }
        }
    }
    out
}

/// A sparkline of percentages (0–100): `▁▂▃▄▅▆▇█`.
pub(crate) fn sparkline(rates: &[f64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    rates
        .iter()
        .map(|r| BARS[((r.clamp(0.0, 100.0) / 100.0) * 7.0).round() as usize])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_of(rate: f64, verdict: &str) -> String {
        format!(
            r#"{{"finished_at":"t{rate}","headline":{{"commands_working":1,"commands_total":2,"rate":{rate}}},"commands":{{"client submit":{{"pass_rate":1.0,"verdict":"{verdict}"}}}}}}"#
        )
    }

    #[test]
    fn the_record_skips_what_it_cannot_read_and_finds_the_flips() {
        let text = format!(
            "{}\nnot json\n{}\n{}\n",
            line_of(50.0, "working"),
            line_of(0.0, "broken"),
            line_of(50.0, "broken")
        );
        let record = parse(&text);
        assert_eq!(
            (record.entries.len(), record.unreadable.clone()),
            (3, vec![2])
        );
        assert_eq!(
            flips(&record.entries),
            vec![Flip {
                run: 1,
                command: "client submit".into(),
                before: Verdict::Working,
                after: Verdict::Broken
            }]
        );
        assert_eq!(sparkline(&[0.0, 50.0, 100.0]), "▁▅█");
    }

    #[test]
    fn the_last_runs_are_read_from_the_end_of_a_long_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.jsonl");
        let lines: Vec<String> = (0..3000)
            .map(|i| line_of(f64::from(i % 100), "working"))
            .collect();
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        let all = read(&path).unwrap().entries;
        for runs in [0, 1, 100, 2999, 3000, 5000] {
            let last = read_last(&path, runs).entries;
            assert_eq!(last, all[all.len().saturating_sub(runs)..], "{runs}");
        }
        assert!(read_last(&dir.path().join("none.jsonl"), 10)
            .entries
            .is_empty());
    }

    #[test]
    fn concurrent_appends_each_land_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.jsonl");
        let long = "x".repeat(64 * 1024);
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let path = path.clone();
                let line = format!("{{\"n\":{i},\"pad\":\"{long}\"}}");
                std::thread::spawn(move || crate::atomic::append_line(&path, &line).unwrap())
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let mut seen: Vec<i64> = text
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["n"]
                    .as_i64()
                    .unwrap()
            })
            .collect();
        seen.sort();
        assert_eq!(seen, (0..8).collect::<Vec<_>>());
    }
}
