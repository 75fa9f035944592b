//! Report files under `--report-dir`, each written atomically and checked for secrets first:
//! the formats `--format` chooses (see `render`), and the history line appended.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::render::{self, Format};
use super::summary::{Status, Summary};
use crate::atomic::{append_line, write_atomic};
use crate::error::RunError;
use crate::exchange::Exchange;
use crate::redact::Redactor;

/// Where and what to write.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Output<'a> {
    pub(crate) dir: &'a Path,
    pub(crate) formats: &'a [Format],
    /// The history file (by default `history.jsonl` in `dir`).
    pub(crate) history: &'a Path,
    /// Append this summary to the history: a run does, a re-render does not.
    pub(crate) record: bool,
    /// Failed scenarios' exchanges by (file, line): a run has them, a re-render does not.
    pub(crate) exchanges: Option<&'a HashMap<(String, usize), Vec<Exchange>>>,
    /// cucumber-rs' Cucumber JSON of the run (a run that finished has it).
    pub(crate) cucumber_json: Option<&'a [u8]>,
}

/// Writes the chosen report files for `summary`, creating `dir` if needed. Every text is
/// checked for the run's secrets before it is written: one found is masked, and the run then
/// fails (exit 4) naming the file — redaction upstream should have caught it.
pub(crate) fn write_all(
    out: &Output,
    summary: &Summary,
    redactor: &Redactor,
) -> Result<Vec<PathBuf>, RunError> {
    std::fs::create_dir_all(out.dir).map_err(io(out.dir))?;
    let mut writer = Writer {
        redactor,
        leaked: None,
        written: Vec::new(),
    };
    let wants = |format: Format| out.formats.contains(&format);
    // Answers may carry a key on purpose (an API-key-era miner's id is its key) or a token a
    // login earned: exchanges are masked by design before any file shows them.
    let exchanges = out.exchanges.map(|all| masked(all, redactor));
    if out.record {
        // Before the page, so that its trend includes this run.
        if let Some(parent) = out.history.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        let line = writer.checked(out.history, super::history::line(summary));
        append_line(out.history, &line).map_err(io(out.history))?;
        writer.written.push(out.history.to_path_buf());
    }
    if wants(Format::Json) {
        let mut text = serde_json::to_string_pretty(summary).unwrap_or_default();
        text.push('\n');
        writer.write(&out.dir.join("summary.json"), text)?;
    }
    if let (true, Some(bytes)) = (wants(Format::CucumberJson), out.cucumber_json) {
        // cucumber's report carries each failed step's message as the step panicked with it,
        // answers included (an API-key-era job names its client by key): masked like the
        // failures of every other report.
        let text = redactor.apply(&String::from_utf8_lossy(bytes));
        writer.write(&out.dir.join("cucumber.json"), text)?;
    }
    if wants(Format::Junit) {
        writer.write(&out.dir.join("junit.xml"), render::junit::render(summary))?;
    }
    if wants(Format::Md) {
        let path = out.dir.join("summary.md");
        let markdown = writer.write(&path, render::markdown::render(summary))?;
        // GitHub Actions shows this file on the run's page.
        if let Some(step) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
            let step = PathBuf::from(step);
            append_line(&step, &markdown).map_err(io(&step))?;
        }
    }
    let har_files = match (wants(Format::Har), &exchanges) {
        (true, Some(exchanges)) => Some(writer.har_files(out.dir, summary, exchanges)?),
        _ => None,
    };
    if wants(Format::Html) {
        let history = super::history::read_last(out.history, super::history::PAGE_RUNS);
        let context = render::html::Context {
            history: &history.entries,
            exchanges: exchanges.as_ref(),
            har_files: har_files.as_ref(),
        };
        writer.write(
            &out.dir.join("index.html"),
            render::html::render(summary, &context),
        )?;
    }
    match writer.leaked {
        Some(path) => Err(RunError::SecretInReport { path }),
        None => Ok(writer.written),
    }
}

/// Scans files the run wrote elsewhere (its snapshots) for the run's secrets: one found is
/// masked in place and fails the run (exit 4) naming the file. Unreadable files are skipped
/// (a snapshot the run only referenced may have been removed meanwhile).
pub(crate) fn check_written<'p>(
    paths: impl IntoIterator<Item = &'p Path>,
    redactor: &Redactor,
) -> Result<(), RunError> {
    let mut leaked = None;
    for path in paths {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        if redactor.finds(&text) {
            write_atomic(path, redactor.apply(&text).as_bytes()).map_err(io(path))?;
            leaked.get_or_insert_with(|| path.to_path_buf());
        }
    }
    match leaked {
        Some(path) => Err(RunError::SecretInReport { path }),
        None => Ok(()),
    }
}

/// The exchanges with every secret masked in their URL, headers and bodies.
fn masked(
    all: &HashMap<(String, usize), Vec<Exchange>>,
    redactor: &Redactor,
) -> HashMap<(String, usize), Vec<Exchange>> {
    let mask = |exchange: &Exchange| {
        let mut e = exchange.clone();
        e.path = redactor.apply(&e.path);
        e.body = redactor
            .apply(&String::from_utf8_lossy(&e.body))
            .into_bytes();
        let t = &mut e.trace;
        t.url = redactor.apply(&t.url);
        t.request_body = t.request_body.as_deref().map(|b| redactor.apply(b));
        for (_, value) in t
            .request_headers
            .iter_mut()
            .chain(t.response_headers.iter_mut())
        {
            *value = redactor.apply(value);
        }
        e
    };
    all.iter()
        .map(|(key, exchanges)| (key.clone(), exchanges.iter().map(mask).collect()))
        .collect()
}

/// Turns an I/O error on `path` into the report error that names it.
pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> RunError {
    let path = path.to_path_buf();
    move |source| RunError::Report { path, source }
}

/// Writes files, masking and remembering any secret found in them.
struct Writer<'r> {
    redactor: &'r Redactor,
    leaked: Option<PathBuf>,
    written: Vec<PathBuf>,
}

impl Writer<'_> {
    fn checked(&mut self, path: &Path, text: String) -> String {
        if self.redactor.finds(&text) {
            self.leaked.get_or_insert_with(|| path.to_path_buf());
            return self.redactor.apply(&text);
        }
        text
    }

    /// Checks and writes `text` atomically; returns what was written.
    fn write(&mut self, path: &Path, text: String) -> Result<String, RunError> {
        let text = self.checked(path, text);
        write_atomic(path, text.as_bytes()).map_err(io(path))?;
        self.written.push(path.to_path_buf());
        Ok(text)
    }

    /// `exchanges/<scenario>.har` for every failed scenario with exchanges; the folder's HAR
    /// files of earlier runs go first (a scenario that passes now has none).
    fn har_files(
        &mut self,
        dir: &Path,
        summary: &Summary,
        exchanges: &HashMap<(String, usize), Vec<Exchange>>,
    ) -> Result<HashMap<(String, usize), String>, RunError> {
        let folder = dir.join("exchanges");
        if let Ok(entries) = std::fs::read_dir(&folder) {
            for entry in entries.flatten() {
                if entry.path().extension().is_some_and(|e| e == "har") {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        let mut names = HashMap::new();
        for s in summary
            .scenarios
            .iter()
            .filter(|s| s.status == Status::Failed)
        {
            let key = (s.file.clone(), s.line);
            let Some(mine) = exchanges.get(&key).filter(|e| !e.is_empty()) else {
                continue;
            };
            std::fs::create_dir_all(&folder).map_err(io(&folder))?;
            let name = render::har::file_name(s);
            self.write(&folder.join(&name), render::har::render(s, mine))?;
            names.insert(key, format!("exchanges/{name}"));
        }
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_in_a_file_the_run_wrote_is_masked_there_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let (clean, dirty) = (dir.path().join("a.snap"), dir.path().join("b.snap"));
        std::fs::write(&clean, "miner: [identity:miner]").unwrap();
        std::fs::write(&dirty, "miner: miner_dev_key_1_valid").unwrap();
        let redactor = Redactor::new(["miner_dev_key_1_valid".to_string()]);
        let missing = dir.path().join("gone.snap");
        let err = check_written(
            [clean.as_path(), dirty.as_path(), missing.as_path()],
            &redactor,
        )
        .unwrap_err();
        assert!(matches!(err, RunError::SecretInReport { ref path } if path == &dirty));
        assert_eq!(std::fs::read_to_string(&dirty).unwrap(), "miner: ***");
        assert!(check_written([clean.as_path()], &redactor).is_ok());
    }
}
