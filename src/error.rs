//! Typed errors per area; only the binary's edge turns them into a message and an exit code.

use std::path::PathBuf;

use crate::exit;

/// A problem with what the user gave us: files, flags, fixtures. Always names where.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: malformed YAML: {message}")]
    Yaml {
        path: PathBuf,
        line: u64,
        column: u64,
        message: String,
    },
    #[error("{path}:{line}: {message}")]
    Invalid {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{path}:{line}:{column}: malformed feature file: {message}")]
    Gherkin {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: no .feature files found (point --features at a folder of Gherkin files)")]
    NoFeatures { path: PathBuf },
    #[error("{flag}: {message}")]
    Flag { flag: &'static str, message: String },
}

/// Reads an input file; failure names it.
pub(crate) fn read_input(path: &std::path::Path) -> Result<String, InputError> {
    std::fs::read_to_string(path).map_err(|source| InputError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Anything that stops a run before it can report a verdict.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RunError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("{path}: a configured secret reached this report (masked in it now); this is a bug of the harness, please report it")]
    SecretInReport { path: PathBuf },
    #[error("cannot write report {path}: {source}")]
    Report {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot start the runtime: {0}")]
    Runtime(#[source] std::io::Error),
    #[error("cannot start the double: {0}")]
    Double(String),
    #[error(transparent)]
    Unreachable(#[from] Unreachable),
}

/// A base URL nothing answers on, or nothing answers complete HTTP on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("the {what} at {url} {}: {reason}", if *.answered { "does not answer with complete HTTP" } else { "is unreachable" })]
pub(crate) struct Unreachable {
    pub(crate) what: &'static str,
    pub(crate) url: String,
    pub(crate) reason: String,
    /// Something answered, but not with a complete HTTP answer (reset, cut short, not HTTP).
    pub(crate) answered: bool,
}

impl RunError {
    /// The documented exit code for this error.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            RunError::Input(_) => exit::INPUT_ERROR,
            RunError::Unreachable(_) => exit::UNREACHABLE,
            RunError::Report { .. }
            | RunError::SecretInReport { .. }
            | RunError::Runtime(_)
            | RunError::Double(_) => exit::RUNTIME_ERROR,
        }
    }
}
