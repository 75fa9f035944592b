//! TLS for `https://` targets: rustls with the ring provider. Roots are the system's trust
//! store; `--cacert` adds a private CA; `--insecure` verifies nothing (said loudly, recorded).
//! The configuration is built once per run and shared by every client (reading the system's
//! roots costs milliseconds); a run whose targets are all plain http reads none.

use std::path::{Path, PathBuf};

use crate::error::InputError;

/// How the harness trusts an https target.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Trust {
    /// PEM file of a CA to trust besides the system's.
    pub(crate) cacert: Option<PathBuf>,
    /// Accept any certificate (a self-signed staging server).
    pub(crate) insecure: bool,
    /// A target URL is https: the system's roots are needed.
    pub(crate) https: bool,
}

/// A TLS configuration built once, for every client of a run.
#[derive(Clone)]
pub(crate) struct Tls {
    /// `None`: `--insecure`, left to reqwest's own accept-anything verifier.
    config: Option<rustls::ClientConfig>,
    trust: Trust,
}

/// Makes ring the process's rustls provider (once; later calls are no-ops).
pub fn install_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl Trust {
    /// The run's TLS configuration: the system's roots (and `--cacert`'s) behind the platform
    /// verifier for https targets; no roots at all when every target is plain http (an https
    /// redirect then fails verification, never passes unchecked). An unreadable or non-PEM
    /// `--cacert` is bad input.
    pub(crate) fn build(&self) -> Result<Tls, InputError> {
        install_provider();
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let config = if self.insecure {
            None
        } else {
            Some(self.verified_config(provider)?)
        };
        Ok(Tls {
            config,
            trust: self.clone(),
        })
    }

    fn verified_config(
        &self,
        provider: std::sync::Arc<rustls::crypto::CryptoProvider>,
    ) -> Result<rustls::ClientConfig, InputError> {
        let bad = |message: String| InputError::Flag {
            flag: "--cacert",
            message,
        };
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| bad(format!("no TLS version to offer: {e}")))?;
        let extra = match &self.cacert {
            Some(path) => read_der(path)?,
            None => Vec::new(),
        };
        if !self.https && extra.is_empty() {
            let roots = rustls::RootCertStore::empty();
            return Ok(builder.with_root_certificates(roots).with_no_client_auth());
        }
        let verifier = rustls_platform_verifier::Verifier::new_with_extra_roots(extra, provider)
            .map_err(|e| bad(format!("the trust store cannot be read: {e}")))?;
        Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(std::sync::Arc::new(verifier))
            .with_no_client_auth())
    }
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls").field("trust", &self.trust).finish()
    }
}

impl Tls {
    /// Gives a client builder this TLS.
    pub(crate) fn apply(&self, builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        match &self.config {
            Some(config) => builder.tls_backend_preconfigured(config.clone()),
            None => builder
                .tls_backend_rustls()
                .tls_danger_accept_invalid_certs(true),
        }
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

/// The certificates of a PEM file, as rustls takes them.
fn read_der(path: &Path) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, InputError> {
    use rustls::pki_types::pem::PemObject as _;
    let bad = |message: String| InputError::Flag {
        flag: "--cacert",
        message: format!("{}: {message}", path.display()),
    };
    let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot be read: {e}")))?;
    let certificates: Vec<_> = rustls::pki_types::CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| bad(format!("not PEM: {e}")))?;
    if certificates.is_empty() {
        return Err(bad("holds no PEM certificate".into()));
    }
    Ok(certificates)
}
