//! TLS for `https://` targets: rustls with the ring provider. Roots are the system's trust
//! store; `--cacert` adds a private CA; `--insecure` verifies nothing (said loudly, recorded).

use std::path::{Path, PathBuf};

use crate::error::InputError;

/// How the harness trusts an https target.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Trust {
    /// PEM file of a CA to trust besides the system's.
    pub(crate) cacert: Option<PathBuf>,
    /// Accept any certificate (a self-signed staging server).
    pub(crate) insecure: bool,
}

/// Makes ring the process's rustls provider (once; later calls are no-ops).
pub fn install_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl Trust {
    /// Applies the trust to a client builder; an unreadable or non-PEM `--cacert` is bad input.
    pub(crate) fn apply(
        &self,
        builder: reqwest::ClientBuilder,
    ) -> Result<reqwest::ClientBuilder, InputError> {
        install_provider();
        let mut builder = builder.tls_backend_rustls();
        if let Some(path) = &self.cacert {
            for certificate in read_pem(path)? {
                builder = builder.add_root_certificate(certificate);
            }
        }
        if self.insecure {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        Ok(builder)
    }
}

/// Says what to do when a request failed because the target's certificate is not trusted
/// (the innermost cause alone, e.g. `UnknownIssuer`, tells a person little).
pub(crate) fn untrusted(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut source = Some(err);
    while let Some(e) = source {
        if let Some(rustls::Error::InvalidCertificate(why)) = rustls_error(e) {
            return Some(format!(
                "its TLS certificate is not trusted ({why:?}); give its CA with --cacert FILE, or --insecure for a self-signed server"
            ));
        }
        source = e.source();
    }
    None
}

/// rustls's error, also where the TLS stream wrapped it in io::Errors (which do not list what
/// they wrap as their source).
fn rustls_error<'e>(mut e: &'e (dyn std::error::Error + 'static)) -> Option<&'e rustls::Error> {
    loop {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        e = e.downcast_ref::<std::io::Error>()?.get_ref()?;
    }
}

fn read_pem(path: &Path) -> Result<Vec<reqwest::Certificate>, InputError> {
    let bad = |message: String| InputError::Flag {
        flag: "--cacert",
        message: format!("{}: {message}", path.display()),
    };
    let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot be read: {e}")))?;
    let certificates =
        reqwest::Certificate::from_pem_bundle(&bytes).map_err(|e| bad(format!("not PEM: {e}")))?;
    if certificates.is_empty() {
        return Err(bad("holds no PEM certificate".into()));
    }
    Ok(certificates)
}
