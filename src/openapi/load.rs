//! Loading a service's document: a file (JSON or YAML) or a URL (normally the service's own
//! `/openapi.json`). Every way it can fail is a value, said in one line; nothing panics.

use std::path::PathBuf;
use std::time::Duration;

use super::document::{Document, DocumentError};
use crate::exchange::body::BodyError;

/// The largest document read (the current coordinator's is ~740 KB).
pub(crate) const MAX_DOCUMENT: usize = 16 * 1024 * 1024;

/// Where a document comes from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Source {
    File(PathBuf),
    Url(String),
}

impl Source {
    /// `http(s)://…` is a URL, anything else a file.
    pub(crate) fn parse(text: &str) -> Self {
        if text.starts_with("http://") || text.starts_with("https://") {
            Source::Url(text.to_string())
        } else {
            Source::File(PathBuf::from(text))
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::File(path) => write!(f, "{}", path.display()),
            Source::Url(url) => f.write_str(url),
        }
    }
}

/// Why a document could not be had.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum LoadError {
    #[error("{origin}: cannot be read: {message}")]
    File { origin: String, message: String },
    #[error("{origin}: nothing answers there ({message})")]
    Unreachable { origin: String, message: String },
    #[error("{origin}: no complete answer ({message})")]
    NoAnswer { origin: String, message: String },
    #[error("{origin}: answered {status} {brief}")]
    Status {
        origin: String,
        status: u16,
        brief: String,
    },
    #[error("{origin}: not JSON ({message})")]
    NotJson { origin: String, message: String },
    #[error("{origin}: {error}")]
    Invalid {
        origin: String,
        error: DocumentError,
    },
}

/// Reads and parses a document.
pub(crate) async fn load(
    client: &reqwest::Client,
    source: &Source,
    timeout: Duration,
) -> Result<Document, LoadError> {
    let name = source.to_string();
    let (bytes, yaml) = match source {
        Source::File(path) => {
            let bytes = std::fs::read(path).map_err(|e| LoadError::File {
                origin: name.clone(),
                message: e.to_string(),
            })?;
            let yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
            (bytes, yaml)
        }
        Source::Url(url) => (fetch(client, url, timeout).await?, false),
    };
    let root: serde_json::Value = if yaml {
        let text = String::from_utf8_lossy(&bytes);
        serde_saphyr::from_str(&text).map_err(|e| LoadError::NotJson {
            origin: name.clone(),
            message: e.to_string(),
        })?
    } else {
        serde_json::from_slice(&bytes).map_err(|e| LoadError::NotJson {
            origin: name.clone(),
            message: e.to_string(),
        })?
    };
    Document::parse(root).map_err(|error| LoadError::Invalid {
        origin: name,
        error,
    })
}

async fn fetch(
    client: &reqwest::Client,
    url: &str,
    timeout: Duration,
) -> Result<Vec<u8>, LoadError> {
    let unreachable = |e: reqwest::Error| {
        let message =
            crate::tls::untrusted(&e).unwrap_or_else(|| crate::exchange::body::error_chain(&e));
        let origin = url.to_string();
        if e.is_connect() {
            LoadError::Unreachable { origin, message }
        } else {
            LoadError::NoAnswer { origin, message }
        }
    };
    let response = client
        .get(url)
        .timeout(timeout)
        .send()
        .await
        .map_err(unreachable)?;
    let status = response.status().as_u16();
    let bytes = crate::exchange::body::read_body(response, MAX_DOCUMENT)
        .await
        .map_err(|e| match e {
            BodyError::Transport(e) => unreachable(e),
            BodyError::TooLarge { .. } => LoadError::NotJson {
                origin: url.to_string(),
                message: format!("larger than {} MB", MAX_DOCUMENT / (1024 * 1024)),
            },
        })?;
    if !(200..300).contains(&status) {
        let body: String = String::from_utf8_lossy(&bytes).chars().take(160).collect();
        return Err(LoadError::Status {
            origin: url.to_string(),
            status,
            brief: body,
        });
    }
    Ok(bytes)
}
