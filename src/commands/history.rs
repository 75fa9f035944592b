//! `history`: the recorded runs, one line each, and the verdicts that flipped between them.

use std::io::IsTerminal as _;

use super::say;
use crate::cli::HistoryArgs;
use crate::error::RunError;
use crate::exit;
use crate::report::history;

/// `history [--history FILE] [--last N]`.
pub(crate) fn history(args: &HistoryArgs) -> Result<u8, RunError> {
    let path = args.place.history_path();
    let record = history::read(&path)?;
    say(&render(&record, args.last, std::io::stdout().is_terminal()));
    Ok(exit::SUCCESS)
}

/// The text `history` prints; the sparkline only on a terminal (it is decoration).
pub(crate) fn render(record: &history::Record, last: usize, terminal: bool) -> String {
    let skip = record.entries.len().saturating_sub(last.max(1));
    let entries = &record.entries[skip..];
    if entries.is_empty() {
        return "no recorded runs yet\n".to_string();
    }
    let mut out = String::new();
    if terminal {
        let rates: Vec<f64> = entries.iter().map(|e| e.headline.rate).collect();
        out.push_str(&format!(
            "trend of the last {} runs: {}\n",
            entries.len(),
            history::sparkline(&rates)
        ));
    }
    for e in entries {
        let h = &e.headline;
        out.push_str(&format!(
            "{:<27} {:<12} {:>2}/{:<2} commands{} working ({:>5.1}%)  {}{}{}\n",
            e.finished_at,
            e.revision.as_deref().unwrap_or("-"),
            h.commands_working,
            h.commands_total,
            if h.cli.is_empty() {
                String::new()
            } else {
                format!(" of {}", h.cli)
            },
            h.rate,
            e.target(),
            e.shard
                .as_deref()
                .map_or(String::new(), |s| format!(" [shard {s}]")),
            if e.interrupted { " (interrupted)" } else { "" }
        ));
    }
    let flips = history::flips(entries);
    if !flips.is_empty() {
        out.push_str("\nverdicts that flipped:\n");
        for flip in flips {
            let when = &entries[flip.run];
            out.push_str(&format!(
                "  {} {}: {} → {}{}\n",
                when.finished_at,
                flip.command,
                flip.before.as_str(),
                flip.after.as_str(),
                when.revision
                    .as_deref()
                    .map_or(String::new(), |r| format!(" (at {r})"))
            ));
        }
    }
    if !record.unreadable.is_empty() {
        let lines: Vec<String> = record.unreadable.iter().map(usize::to_string).collect();
        out.push_str(&format!(
            "\n{} line(s) of the history are not runs and were skipped: {}\n",
            lines.len(),
            lines.join(", ")
        ));
    }
    out
}
