//! Response snapshots in insta's `.snap` format (reviewed with `cargo insta review`): a normalised response — status and JSON body with volatile values
//! replaced by placeholders that keep their relations — compared with `snapshots/<feature>/`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::Era;
use crate::error::InputError;
use crate::exchange::Exchange;
use crate::failure::Failure;
use crate::redact::Redactor;

/// `--snapshots`: what a snapshot step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Mode {
    /// Compare; a mismatch fails the step and (outside CI) leaves a `.snap.new` for review.
    Check,
    /// Write the new snapshots in place.
    Update,
    /// Snapshot steps pass without looking.
    Off,
}

impl Mode {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Mode::Check => "check",
            Mode::Update => "update",
            Mode::Off => "off",
        }
    }
}

/// `fixtures/snapshots.yaml`: which fields are volatile, in one place.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct VolatileFields {
    /// Field name → placeholder kind (`job_id: job_id`, `requested_at: time`).
    pub(crate) volatile: BTreeMap<String, String>,
    /// Fields whose values are identities (the API key is the identity): always placeholders.
    #[serde(default)]
    pub(crate) identity: Vec<String>,
    /// Kinds whose equal values mean nothing (two times in the same second): one placeholder
    /// each, `[time]`, never numbered and never matched elsewhere.
    #[serde(default)]
    pub(crate) unnumbered: Vec<String>,
}

impl VolatileFields {
    pub(crate) fn load(path: &Path) -> Result<Self, InputError> {
        crate::yaml::load(path)
    }

    fn is_unnumbered(&self, kind: &str) -> bool {
        self.unnumbered.iter().any(|u| u == kind)
    }

    fn kind_of(&self, field: &str) -> Option<&str> {
        if self.identity.iter().any(|f| f == field) {
            return Some("identity");
        }
        self.volatile.get(field).map(String::as_str)
    }
}

/// Per-scenario placeholders: the same value gets the same placeholder in every snapshot.
#[derive(Debug, Default)]
pub(crate) struct Placeholders {
    by_value: HashMap<String, String>,
    counters: HashMap<String, usize>,
}

impl Placeholders {
    /// The placeholder for `value` of `kind`. Only strings of numbered kinds are related by
    /// value; numbers keep their type in the text so a number turned string shows.
    fn placeholder(&mut self, kind: &str, value: &Value, unnumbered: bool) -> String {
        let suffix = match value {
            Value::Number(_) => ":number",
            Value::Bool(_) => ":bool",
            _ => "",
        };
        if unnumbered || !value.is_string() {
            return format!("[{kind}{suffix}]");
        }
        let key = value.to_string();
        if let Some(existing) = self.by_value.get(&key) {
            return existing.clone();
        }
        let n = self.counters.entry(kind.to_string()).or_insert(0);
        *n += 1;
        let text = format!("[{kind}#{n}]");
        self.by_value.insert(key, text.clone());
        text
    }

    /// Replaces volatile values in `value`: configured fields by their kind, then any other
    /// string equal to a value already numbered (that is how relations are kept).
    pub(crate) fn normalise(&mut self, fields: &VolatileFields, value: &Value) -> Value {
        self.assign(fields, value);
        self.replace(fields, value)
    }

    /// A request path with its volatile segments and query values as placeholders
    /// (`/v1/jobs/[job_id#1]`, `/v1/explorer/receipts?job_id=[job_id#1]`).
    pub(crate) fn in_path(&self, path: &str) -> String {
        map_path_tokens(path, |token| {
            self.by_value
                .get(&Value::String(token.to_string()).to_string())
                .cloned()
        })
    }

    /// Names a known value for the whole scenario, e.g. a role's key (the identity in this era)
    /// as `[identity:miner]`: stable whatever order the responses show it in.
    pub(crate) fn name(&mut self, value: &str, placeholder: String) {
        self.by_value
            .insert(Value::String(value.to_string()).to_string(), placeholder);
    }

    /// Numbers the volatile values of a response the scenario saw, snapshotted or not, so later
    /// snapshots relate to it (`pub` for the world, which calls it on every exchange).
    pub(crate) fn observe(&mut self, fields: &VolatileFields, value: &Value) {
        self.assign(fields, value);
    }

    /// First pass: numbered kinds get their numbers, in document order (keys are sorted).
    fn assign(&mut self, fields: &VolatileFields, value: &Value) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    match (fields.kind_of(key), child) {
                        (Some(kind), Value::String(_)) if !fields.is_unnumbered(kind) => {
                            self.placeholder(kind, child, false);
                        }
                        _ => self.assign(fields, child),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| self.assign(fields, i)),
            _ => {}
        }
    }

    /// Second pass: configured scalars become placeholders; other strings equal to a numbered
    /// value become that value's placeholder.
    fn replace(&mut self, fields: &VolatileFields, value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut out = serde_json::Map::new();
                for (key, child) in map {
                    let replaced = match (fields.kind_of(key), child) {
                        (Some(_), Value::Null | Value::Object(_) | Value::Array(_)) | (None, _) => {
                            self.replace(fields, child)
                        }
                        (Some(kind), scalar) => {
                            let unnumbered = fields.is_unnumbered(kind);
                            Value::String(self.placeholder(kind, scalar, unnumbered))
                        }
                    };
                    out.insert(key.clone(), replaced);
                }
                Value::Object(out)
            }
            Value::Array(items) => {
                Value::Array(items.iter().map(|i| self.replace(fields, i)).collect())
            }
            Value::String(_) => match self.by_value.get(&value.to_string()) {
                Some(placeholder) => Value::String(placeholder.clone()),
                None => value.clone(),
            },
            _ => value.clone(),
        }
    }
}

/// `path` with each segment and query value (split at `/ ? & =`) replaced where `replace`
/// knows a replacement; the separators stay as they are.
pub fn map_path_tokens(path: &str, replace: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    loop {
        let end = rest.find(['/', '?', '&', '=']).unwrap_or(rest.len());
        let token = &rest[..end];
        out.push_str(&replace(token).unwrap_or_else(|| token.to_string()));
        match rest[end..].chars().next() {
            Some(separator) => {
                out.push(separator);
                rest = &rest[end + 1..];
            }
            None => return out,
        }
    }
}

/// Shared by a run: mode, where snapshots live, the volatile fields, what was referenced.
#[derive(Debug)]
pub(crate) struct SnapshotRun {
    pub(crate) mode: Mode,
    /// Absolute `snapshots/` folder.
    pub(crate) dir: PathBuf,
    /// The features root, to name each feature's folder.
    pub(crate) features_root: PathBuf,
    pub(crate) fields: VolatileFields,
    pub(crate) referenced: Mutex<HashSet<PathBuf>>,
    pub(crate) pending: Mutex<Vec<PathBuf>>,
    /// The era the run judges: the JWT era may keep its own snapshot where its answer differs.
    pub(crate) era: Era,
}

impl SnapshotRun {
    /// Where the era keeps the snapshots in which it differs from the shared ones
    /// (`snapshots/jwt/jobs/submit`), or `None` for the API-key era, whose are the shared ones.
    pub(crate) fn override_folder_for(&self, feature: &Path) -> Option<PathBuf> {
        (self.era == Era::Jwt).then(|| {
            let shared = self.folder_for(feature);
            let relative = shared.strip_prefix(&self.dir).unwrap_or(&shared);
            self.dir.join(self.era.name()).join(relative)
        })
    }

    /// `snapshots/jobs/submit` for `features/jobs/submit.feature`.
    pub(crate) fn folder_for(&self, feature: &Path) -> PathBuf {
        let relative = feature
            .strip_prefix(&self.features_root)
            .ok()
            .filter(|r| !r.as_os_str().is_empty())
            .unwrap_or_else(|| Path::new(feature.file_name().unwrap_or_default()));
        self.dir.join(relative.with_extension(""))
    }

    /// The `.snap` files in the folders of these feature files that no snapshot step
    /// referenced, sorted. (Folders of features outside the run are not judged, so running
    /// another feature set against the same folder does not flag the suite's snapshots.)
    /// Snapshot files in the folders of `features` that no scenario names: `named` holds each
    /// scenario's feature file and snapshot names, read from the steps themselves, so the
    /// answer does not depend on which scenarios ran or how far they got.
    pub(crate) fn unreferenced(
        &self,
        features: &[PathBuf],
        named: &[(PathBuf, String)],
    ) -> Vec<PathBuf> {
        let era_folder = |f: &Path| {
            let shared = self.folder_for(f);
            let relative = shared
                .strip_prefix(&self.dir)
                .unwrap_or(&shared)
                .to_path_buf();
            self.dir.join(Era::Jwt.name()).join(relative)
        };
        let referenced: HashSet<PathBuf> = named
            .iter()
            .flat_map(|(feature, name)| {
                let file = format!("{name}.snap");
                [
                    self.folder_for(feature).join(&file),
                    era_folder(feature).join(&file),
                ]
            })
            .collect();
        let mut folders: Vec<PathBuf> = features
            .iter()
            .flat_map(|f| [self.folder_for(f), era_folder(f)])
            .collect();
        folders.sort();
        folders.dedup();
        let mut found: Vec<PathBuf> = folders
            .iter()
            .flat_map(|folder| std::fs::read_dir(folder).into_iter().flatten().flatten())
            .map(|entry| entry.path())
            .filter(|p| p.extension().is_some_and(|e| e == "snap") && !referenced.contains(p))
            .collect();
        found.sort();
        found
    }
}

/// What a snapshot step concluded.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Verdict {
    Matched,
    /// No snapshot existed; a `.snap.new` was left for review (outside CI).
    Pending(PathBuf),
    Written,
    Skipped,
}

/// The text stored for one exchange: status and normalised body, keys sorted, the scenario's
/// `tag` as `[tag]`, secrets masked.
pub(crate) fn render(
    exchange: &Exchange,
    placeholders: &mut Placeholders,
    fields: &VolatileFields,
    redactor: &Redactor,
    tag: &str,
) -> String {
    let body = match (&exchange.json, exchange.body.is_empty()) {
        (Some(json), _) => placeholders.normalise(fields, json),
        (None, true) => Value::Null,
        (None, false) => json!({ "non_json_body": String::from_utf8_lossy(&exchange.body) }),
    };
    let document = json!({ "status": exchange.status, "body": body });
    let text = serde_json::to_string_pretty(&document).unwrap_or_default();
    let text = if tag.is_empty() {
        text
    } else {
        text.replace(tag, "[tag]")
    };
    redactor.apply(&text)
}

/// Checks `text` against the era's snapshot: the JWT era's own file where it has one; else the
/// shared one, which the JWT era may only match — where its answer differs by design, its own
/// file is recorded (`update`, or pending review) and the shared contract stays as it is.
pub(crate) fn assert_in_era(
    run: &SnapshotRun,
    feature: &Path,
    name: &str,
    text: &str,
    description: &str,
) -> Result<Verdict, Failure> {
    let shared = run.folder_for(feature);
    let Some(own) = run.override_folder_for(feature) else {
        return assert(run, &shared, name, text, description);
    };
    let file = format!("{name}.snap");
    if own.join(&file).is_file() || run.mode == Mode::Off {
        return assert(run, &own, name, text, description);
    }
    let stored = std::fs::read_to_string(shared.join(&file)).ok();
    match stored.map(|s| stored_contents(&s)) {
        Some(old) if old == text.trim_end() => assert(run, &shared, name, text, description),
        Some(old) if run.mode == Mode::Check => Err(Failure::contract(format!(
            "the response differs from snapshot {} (if the {} era answers so by design, record \
             its own with --snapshots update):\n{}",
            shared.join(&file).display(),
            run.era,
            diff(&old, text)
        ))),
        _ => assert(run, &own, name, text, description),
    }
}

pub(crate) fn assert(
    run: &SnapshotRun,
    folder: &Path,
    name: &str,
    text: &str,
    description: &str,
) -> Result<Verdict, Failure> {
    if run.mode == Mode::Off {
        return Ok(Verdict::Skipped);
    }
    valid_name(name)?;
    let file = folder.join(format!("{name}.snap"));
    if let Ok(mut referenced) = run.referenced.lock() {
        referenced.insert(file.clone());
    }
    let old = std::fs::read_to_string(&file)
        .ok()
        .map(|s| stored_contents(&s));
    if old.as_deref() == Some(text.trim_end()) {
        return Ok(Verdict::Matched);
    }
    match (run.mode, old) {
        (Mode::Update, _) => {
            write_snap(&file, description, text)?;
            Ok(Verdict::Written)
        }
        (_, None) if !is_ci() => {
            let new = file.with_extension("snap.new");
            write_snap(&new, description, text)?;
            if let Ok(mut pending) = run.pending.lock() {
                pending.push(new.clone());
            }
            Ok(Verdict::Pending(new))
        }
        (_, None) => Err(Failure::contract(format!(
            "no snapshot {} (under CI nothing is written; run `--snapshots update` locally and commit it)",
            file.display()
        ))),
        (_, Some(old)) => {
            // Outside CI the new answer waits beside the old for `cargo insta review`.
            if !is_ci() {
                write_snap(&file.with_extension("snap.new"), description, text)?;
            }
            Err(Failure::contract(format!(
                "the response differs from snapshot {}:\n{}",
                file.display(),
                diff(&old, text)
            )))
        }
    }
}

/// Writes a snapshot in insta's `.snap` format (a YAML header between `---` lines, then the
/// contents), which `cargo insta review` reads: insta's own API writes files only from inside
/// its panicking assertion, which a run must not drive.
fn write_snap(path: &Path, description: &str, text: &str) -> Result<(), Failure> {
    let contents = format!(
        "---\nsource: src/snapshot.rs\ndescription: {}\n---\n{}\n",
        yaml_scalar(description),
        text.trim_end()
    );
    let written = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| crate::atomic::write_atomic(path, contents.as_bytes()));
    written.map_err(|e| Failure::harness(format!("cannot write {}: {e}", path.display())))
}

/// A YAML scalar as insta writes one: plain when YAML reads it back as the same string,
/// double-quoted (JSON escapes are YAML's) otherwise.
fn yaml_scalar(text: &str) -> String {
    let special_start = text
        .chars()
        .next()
        .is_none_or(|c| "&*!|>'\"%@`-?:,[]{}# ".contains(c));
    let special_inside = [": ", " #", "[", "]", "{", "}", ",", "\"", "\\", "\n", "\t"]
        .iter()
        .any(|s| text.contains(s));
    let looks_typed =
        matches!(text, "true" | "false" | "null" | "~") || text.parse::<f64>().is_ok();
    if special_start || special_inside || looks_typed || text.ends_with(' ') {
        serde_json::to_string(text).unwrap_or_default()
    } else {
        text.to_string()
    }
}

fn valid_name(name: &str) -> Result<(), Failure> {
    let ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(Failure::harness(format!(
            "snapshot name {name:?}: use lower-case letters, digits, - and _"
        )))
    }
}

/// The contents of an insta `.snap` file: what follows its second `---` line.
fn stored_contents(file: &str) -> String {
    let mut parts = file.splitn(3, "---\n");
    match (parts.next(), parts.next(), parts.next()) {
        (Some(""), Some(_header), Some(body)) => body.trim_end().to_string(),
        _ => file.trim_end().to_string(),
    }
}

/// A line diff (`-` old, `+` new) with one line of context, for failure messages.
pub(crate) fn diff(old: &str, new: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((' ', a[i]));
            (i, j) = (i + 1, j + 1);
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] > lcs[i + 1][j]) {
            ops.push(('+', b[j]));
            j += 1;
        } else {
            ops.push(('-', a[i]));
            i += 1;
        }
    }
    let near = |k: usize| {
        ops[k.saturating_sub(1)..(k + 2).min(ops.len())]
            .iter()
            .any(|(c, _)| *c != ' ')
    };
    ops.iter()
        .enumerate()
        .filter(|(k, (c, _))| *c != ' ' || near(*k))
        .map(|(_, (c, line))| format!("{c} {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether we run under CI, as insta decides it (`CI` set and not `false`/`0`/empty).
fn is_ci() -> bool {
    match std::env::var("CI").ok().as_deref() {
        Some("false" | "0" | "") => false,
        None => std::env::var("TF_BUILD").is_ok(),
        Some(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_are_quoted_where_yaml_needs_it_as_insta_does() {
        assert_eq!(yaml_scalar("GET /rpc/head"), "GET /rpc/head");
        assert_eq!(
            yaml_scalar("GET /rpc/blocks-range?start=0&end=0"),
            "GET /rpc/blocks-range?start=0&end=0"
        );
        assert_eq!(
            yaml_scalar("GET /v1/jobs/[job_id#1]"),
            "\"GET /v1/jobs/[job_id#1]\""
        );
        assert_eq!(yaml_scalar(""), "\"\"");
        assert_eq!(yaml_scalar("true"), "\"true\"");
    }

    #[test]
    fn a_written_snapshot_reads_back_the_same_and_in_insta_s_format() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x").join("a.snap");
        write_snap(
            &path,
            "GET /v1/jobs/[job_id#1]",
            "{\n  \"status\": 200\n}\n",
        )
        .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(
            "---\nsource: src/snapshot.rs\ndescription: \"GET /v1/jobs/[job_id#1]\"\n---\n"
        ));
        assert_eq!(stored_contents(&text), "{\n  \"status\": 200\n}");
        let parsed = insta::Snapshot::from_file(&path).unwrap();
        assert_eq!(
            parsed.metadata().description(),
            Some("GET /v1/jobs/[job_id#1]")
        );
    }

    fn fields() -> VolatileFields {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/snapshots.yaml");
        VolatileFields::load(&path).unwrap()
    }

    #[test]
    fn the_same_value_gets_the_same_placeholder_across_responses() {
        let mut p = Placeholders::default();
        let f = fields();
        let submitted = p.normalise(
            &f,
            &json!({"job_id": "a1", "requested_at": "2026-01-01T00:00:00"}),
        );
        let receipt = p.normalise(
            &f,
            &json!({"receipt_id": "r9", "job_id": "a1", "units": 1.5}),
        );
        assert_eq!(submitted["job_id"], json!("[job_id#1]"));
        assert_eq!(receipt["job_id"], json!("[job_id#1]"));
        assert_eq!(receipt["receipt_id"], json!("[receipt_id#1]"));
        assert_eq!(receipt["units"], json!("[measure:number]"));
        let other = p.normalise(&f, &json!({"job_id": "b2"}));
        assert_eq!(
            other["job_id"],
            json!("[job_id#2]"),
            "a different job is a different placeholder"
        );
        assert_eq!(
            p.in_path("/v1/explorer/receipts?job_id=a1&limit=10"),
            "/v1/explorer/receipts?job_id=[job_id#1]&limit=10"
        );
        assert_eq!(
            p.in_path("/v1/jobs/b2/result"),
            "/v1/jobs/[job_id#2]/result"
        );
    }

    #[test]
    fn a_volatile_value_elsewhere_keeps_its_relation() {
        let mut p = Placeholders::default();
        let f = fields();
        p.normalise(&f, &json!({"hash": "0xabc"}));
        let block = p.normalise(
            &f,
            &json!({"height": 5, "parent_hash": "0xabc", "note": "0xabc"}),
        );
        assert_eq!(block["parent_hash"], json!("[hash#1]"));
        assert_eq!(block["note"], json!("[hash#1]"));
        assert_eq!(block["height"], json!("[height:number]"));
    }

    #[test]
    fn equal_times_and_counts_are_not_related() {
        let mut p = Placeholders::default();
        let f = fields();
        let v = p.normalise(
            &f,
            &json!({"started_at": 7, "completed_at": 7, "total_steps": 7, "total_jobs": 7}),
        );
        assert_eq!(
            v,
            json!({"started_at": "[time:number]", "completed_at": "[time:number]", "total_steps": 7, "total_jobs": "[count:number]"})
        );
    }

    #[test]
    fn a_type_change_shows_in_the_placeholder() {
        let f = fields();
        let as_number = Placeholders::default().normalise(&f, &json!({"height": 5}));
        let as_string = Placeholders::default().normalise(&f, &json!({"height": "5"}));
        assert_ne!(as_number, as_string);
    }

    #[test]
    fn the_diff_names_the_changed_line() {
        let d = diff(
            "{\n  \"state\": \"QUEUED\",\n  \"x\": 1\n}",
            "{\n  \"status\": \"QUEUED\",\n  \"x\": 1\n}",
        );
        assert!(
            d.contains("-   \"state\": \"QUEUED\",\n+   \"status\": \"QUEUED\","),
            "{d}"
        );
    }

    #[test]
    fn stored_contents_skip_the_insta_header() {
        assert_eq!(stored_contents("---\nsource: x\n---\n{\n}\n"), "{\n}");
    }
}
