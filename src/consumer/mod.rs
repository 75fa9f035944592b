//! The user's real `aitbc` CLI as the consumer of the backend (`run --cli`): each invocation in a
//! private HOME whose configuration is written from `fixtures/cli/`, pointed at recording proxies
//! in front of the target, killed after a timeout; what it sent and printed kept for the steps.
//! The API-key era's CLI reads `~/.aitbc/config.yaml` and its key from there; today's CLI (JWT
//! era) reads `./.aitbc.yaml` and takes the role's token as `--api-key`, as its users pass it.

pub(crate) mod proxy;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use self::proxy::{Recorder, Seen};
use crate::auth::Era;

/// How to start the user's CLI: a program and its leading arguments (`python -m aitbc_cli`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct UserCli {
    pub(crate) program: String,
    pub(crate) leading: Vec<String>,
    /// Where the configuration templates live (`fixtures/cli`).
    pub(crate) templates: std::path::PathBuf,
    pub(crate) timeout: Duration,
}

impl UserCli {
    /// `aitbc`, `python3 -m aitbc_cli`, `/path/to/aitbc` (split on whitespace).
    pub(crate) fn parse(command: &str, templates: &Path, timeout: Duration) -> Option<Self> {
        let mut words = command.split_whitespace().map(String::from);
        let program = words.next()?;
        // A relative path is the user's, from here: the CLI runs in its private HOME.
        let program = if program.contains('/') && Path::new(&program).is_relative() {
            std::env::current_dir()
                .map(|cwd| cwd.join(&program).display().to_string())
                .unwrap_or(program)
        } else {
            program
        };
        Some(Self {
            program,
            leading: words.collect(),
            templates: templates.to_path_buf(),
            timeout,
        })
    }
}

/// One finished invocation.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ran {
    /// The arguments given (after the leading ones).
    pub(crate) args: String,
    pub(crate) exit: Option<i32>,
    /// It did not return within the timeout and was killed.
    pub(crate) timed_out: bool,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    /// Its exchanges with the coordinator and the node, in order.
    pub(crate) sent: Vec<Seen>,
    pub(crate) elapsed: Duration,
}

impl Ran {
    /// The JSON the CLI printed: the whole stdout, else the first object or array in it that
    /// parses (a CLI may print a status line first, itself holding brackets).
    pub(crate) fn output(&self) -> Option<serde_json::Value> {
        let text = self.stdout.trim();
        serde_json::from_str(text).ok().or_else(|| {
            text.match_indices(['{', '['])
                .take(64)
                .find_map(|(start, _)| {
                    serde_json::Deserializer::from_str(&text[start..])
                        .into_iter::<serde_json::Value>()
                        .next()?
                        .ok()
                        .filter(|v| v.is_object() || v.as_array().is_some_and(|a| !a.is_empty()))
                })
        })
    }

    /// The tail of what it printed, for messages.
    pub(crate) fn printed(&self) -> String {
        let all = format!("{}{}", self.stdout, self.stderr);
        let all = all.trim();
        let tail: String = all
            .chars()
            .rev()
            .take(300)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if tail.is_empty() {
            "nothing".into()
        } else {
            format!("{tail:?}")
        }
    }
}

/// Where one invocation sends its requests, and the credential it uses.
#[derive(Debug, Clone)]
pub(crate) struct Endpoints<'a> {
    pub(crate) coordinator: &'a str,
    pub(crate) node: &'a str,
    /// The role's API key, or its session token in the JWT era (empty: none).
    pub(crate) api_key: &'a str,
    /// Which CLI generation is run: how it is configured and given its credential.
    pub(crate) era: Era,
    /// A wallet's private key, written to `{wallet_key_file}` when the arguments name it.
    pub(crate) wallet_key: Option<&'a str>,
}

/// The placeholders an invocation's arguments may hold, filled once the proxies listen.
const COORDINATOR_URL: &str = "{coordinator_url}";
const NODE_URL: &str = "{node_url}";
const WALLET_KEY_FILE: &str = "{wallet_key_file}";

/// Why an invocation could not even start.
#[derive(Debug, thiserror::Error)]
pub(crate) enum InvocationError {
    #[error("cannot prepare the CLI's private HOME: {0}")]
    Home(std::io::Error),
    #[error("cannot read the configuration template {path}: {source}")]
    Template {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("cannot start a recording proxy: {0}")]
    Proxy(std::io::Error),
    #[error("cannot start {program:?}: {source} (see --cli)")]
    Spawn {
        program: String,
        source: std::io::Error,
    },
    #[error("{program:?} did not run (exit {code}): {printed} (see --cli)")]
    NotRunnable {
        program: String,
        code: i32,
        printed: String,
    },
}

/// What `aitbc --version` says of itself (`aitbc, version 0.10.18` → `0.10.18`), run once in a
/// private HOME before the scenarios; a CLI that cannot start at all is bad input, not a verdict.
pub(crate) async fn version(cli: &UserCli) -> Result<Option<String>, InvocationError> {
    let home = tempfile_dir().map_err(InvocationError::Home)?;
    let mut command = tokio::process::Command::new(&cli.program);
    command
        .args(&cli.leading)
        .arg("--version")
        .current_dir(home.path())
        .env("HOME", home.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = command.spawn().map_err(|source| InvocationError::Spawn {
        program: cli.program.clone(),
        source,
    })?;
    let Ok(Ok(out)) = tokio::time::timeout(cli.timeout, child.wait_with_output()).await else {
        return Ok(None);
    };
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // 126/127: the shell found nothing it could execute (a wrapper pointing nowhere).
    if let Some(code @ (126 | 127)) = out.status.code() {
        return Err(InvocationError::NotRunnable {
            program: cli.program.clone(),
            code,
            printed: printed.trim().chars().take(300).collect(),
        });
    }
    Ok(version_in(&printed))
}

/// The version in `--version` output: the word after `version`.
fn version_in(printed: &str) -> Option<String> {
    let mut words = printed.split_whitespace();
    words.find(|w| w.eq_ignore_ascii_case("version"))?;
    let word = words.next()?.trim_start_matches('v');
    word.starts_with(|c: char| c.is_ascii_digit())
        .then(|| word.trim_end_matches([',', ')']).to_string())
}

/// Runs the CLI once with `args` against `endpoints` through recording proxies.
pub(crate) async fn invoke(
    cli: &UserCli,
    args: &str,
    endpoints: &Endpoints<'_>,
    client: &reqwest::Client,
) -> Result<Ran, InvocationError> {
    let home = tempfile_dir().map_err(InvocationError::Home)?;
    let coordinator = Recorder::start(endpoints.coordinator, client.clone())
        .await
        .map_err(InvocationError::Proxy)?;
    let node = Recorder::start(endpoints.node, client.clone())
        .await
        .map_err(InvocationError::Proxy)?;
    let urls = (coordinator.url(), node.url());
    write_config(cli, home.path(), urls, endpoints)?;
    let key_file = home.path().join(".aitbc").join("wallet.key");
    if args.contains(WALLET_KEY_FILE) {
        let key = endpoints.wallet_key.unwrap_or_default();
        write_private(&key_file, key).map_err(InvocationError::Home)?;
    }
    let filled = args
        .replace(COORDINATOR_URL, urls.0)
        .replace(NODE_URL, urls.1)
        .replace(WALLET_KEY_FILE, &key_file.display().to_string());
    let mut command = tokio::process::Command::new(&cli.program);
    command.args(&cli.leading);
    if endpoints.era == Era::Jwt && !endpoints.api_key.is_empty() {
        // Today's CLI: `--api-key` is sent as a Bearer token by the ai commands; its workflow
        // commands read COORDINATOR_API_KEY instead.
        command
            .args(["--api-key", endpoints.api_key])
            .env("COORDINATOR_API_KEY", endpoints.api_key);
    }
    command
        .args(split(&filled))
        .current_dir(home.path())
        .env("HOME", home.path())
        // The released CLI keeps keys in the OS keyring: a file keyring in the private HOME.
        .env(
            "PYTHON_KEYRING_BACKEND",
            "keyrings.alt.file.PlaintextKeyring",
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("AITBC_")) {
        command.env_remove(key);
    }
    let started = Instant::now();
    let child = command.spawn().map_err(|source| InvocationError::Spawn {
        program: cli.program.clone(),
        source,
    })?;
    let (exit, timed_out, stdout, stderr) =
        match tokio::time::timeout(cli.timeout, child.wait_with_output()).await {
            Ok(Ok(out)) => (
                out.status.code(),
                false,
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            ),
            Ok(Err(e)) => (None, false, String::new(), e.to_string()),
            // The child is killed as it is dropped with the timed-out future.
            Err(_) => (None, true, String::new(), String::new()),
        };
    let mut sent = coordinator.seen();
    sent.extend(node.seen());
    Ok(Ran {
        args: args.to_string(),
        exit,
        timed_out,
        stdout,
        stderr,
        sent,
        elapsed: started.elapsed(),
    })
}

/// Arguments as a shell would split them: whitespace, with "double" or 'single' quotes.
pub(crate) fn split(args: &str) -> Vec<String> {
    let (mut out, mut word, mut quote, mut any) = (Vec::new(), String::new(), None, false);
    for c in args.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
                any = false;
            }
            (None, c) => word.push(c),
        }
    }
    if any || !word.is_empty() {
        out.push(word);
    }
    out
}

fn tempfile_dir() -> std::io::Result<TempHome> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("aitbc-cli-home-{}-{n}", std::process::id()));
    std::fs::create_dir_all(path.join(".aitbc"))?;
    Ok(TempHome { path })
}

/// A private HOME, removed when dropped.
struct TempHome {
    path: std::path::PathBuf,
}

impl TempHome {
    fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempHome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// The era's configuration files from their templates: `(template, where in HOME)`.
fn config_files(era: Era) -> &'static [(&'static str, &'static str)] {
    match era {
        Era::ApiKey => &[
            ("config.yaml", ".aitbc/config.yaml"),
            ("multichain_config.yaml", ".aitbc/multichain_config.yaml"),
        ],
        // Today's CLI reads `.aitbc.yaml` in the working directory (the private HOME).
        Era::Jwt => &[("jwt.aitbc.yaml", ".aitbc.yaml")],
    }
}

fn write_config(
    cli: &UserCli,
    home: &Path,
    (coordinator, node): (&str, &str),
    endpoints: &Endpoints<'_>,
) -> Result<(), InvocationError> {
    for (name, place) in config_files(endpoints.era) {
        let path = cli.templates.join(name);
        let template =
            std::fs::read_to_string(&path).map_err(|source| InvocationError::Template {
                path: path.clone(),
                source,
            })?;
        let text = template
            .replace(COORDINATOR_URL, coordinator)
            .replace(NODE_URL, node)
            .replace("{api_key}", endpoints.api_key);
        write_private(&home.join(place), &text).map_err(InvocationError::Home)?;
    }
    Ok(())
}

/// Writes a file only its owner can read (it may hold a key).
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_split_as_a_shell_would() {
        assert_eq!(
            split(r#"--output json client submit --prompt "hello world" --model ''"#),
            [
                "--output",
                "json",
                "client",
                "submit",
                "--prompt",
                "hello world",
                "--model",
                ""
            ]
        );
    }

    #[test]
    fn the_version_is_the_word_after_version() {
        assert_eq!(
            version_in("aitbc, version 0.10.18\n").as_deref(),
            Some("0.10.18")
        );
        assert_eq!(version_in("aitbc version v0.1.0").as_deref(), Some("0.1.0"));
        assert_eq!(version_in("Usage: aitbc [OPTIONS]"), None);
        assert_eq!(version_in("version unknown"), None);
    }

    #[test]
    fn the_printed_json_is_found_after_log_lines() {
        let ran = Ran {
            stdout: "Submitting [1/1]…\n{\"job_id\": \"ab\"}\n".into(),
            ..Ran::default()
        };
        assert_eq!(ran.output().unwrap()["job_id"], "ab");
    }
}
