//! `double --tls`: the standalone double over HTTPS. A CA and a certificate for 127.0.0.1 and
//! localhost are generated at start (rcgen, ring); each service's TLS is terminated with
//! tokio-rustls and its bytes forwarded to the double's own plain port on loopback.

use std::path::PathBuf;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::{TcpListener, TcpStream};

/// The generated material: the CA's PEM (for clients) and the server's TLS configuration.
pub(crate) struct Certificates {
    pub(crate) ca_pem: String,
    pub(crate) server: Arc<rustls::ServerConfig>,
}

/// A fresh CA, and a certificate it signs for `127.0.0.1` and `localhost`.
pub(crate) fn generate() -> Result<Certificates, String> {
    crate::tls::install_provider();
    let failed = |e: rcgen::Error| format!("cannot generate the certificates: {e}");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(failed)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "aitbc-conformance test CA");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().map_err(failed)?)
        .map_err(failed)?;
    let key = KeyPair::generate().map_err(failed)?;
    let mut params = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
        .map_err(failed)?;
    params
        .distinguished_name
        .push(DnType::CommonName, "aitbc-conformance double");
    let leaf = params.signed_by(&key, &ca).map_err(failed)?;
    let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let server = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone()], private)
        .map_err(|e| format!("cannot configure TLS: {e}"))?;
    Ok(Certificates {
        ca_pem: ca.pem(),
        server: Arc::new(server),
    })
}

/// The CA's PEM file in a folder of its own under the system's temporary directory, removed
/// with it when the double stops (a stopped double's CA verifies nothing any more).
pub(crate) struct CaFile {
    folder: PathBuf,
    path: PathBuf,
}

impl CaFile {
    /// Writes the CA's PEM into a fresh folder named after this process.
    pub(crate) fn write(pem: &str) -> std::io::Result<CaFile> {
        let folder =
            std::env::temp_dir().join(format!("aitbc-conformance-tls-{}", std::process::id()));
        std::fs::create_dir_all(&folder)?;
        let path = folder.join("ca.pem");
        crate::atomic::write_atomic(&path, pem.as_bytes())?;
        Ok(CaFile { folder, path })
    }

    pub(crate) fn path(&self) -> &std::path::Path {
        &self.path
    }
}

impl Drop for CaFile {
    /// Only what `write` made goes: the file, then the folder if nothing else was put in it.
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        let _ = std::fs::remove_dir(&self.folder);
    }
}

/// Accepts TLS on `front` for ever, forwarding each connection to `127.0.0.1:backend`.
pub(crate) async fn terminate(front: TcpListener, backend: u16, config: Arc<rustls::ServerConfig>) {
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    loop {
        let Ok((client, _)) = front.accept().await else {
            continue;
        };
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            // A client that fails the handshake (e.g. one that does not trust the CA) just
            // goes away; the double serves the next.
            let Ok(mut tls) = acceptor.accept(client).await else {
                return;
            };
            let Ok(mut plain) = TcpStream::connect(("127.0.0.1", backend)).await else {
                return;
            };
            let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
        });
    }
}

/// The port of a URL such as `http://127.0.0.1:41234`.
pub(crate) fn port_of(url: &str) -> Option<u16> {
    url.rsplit(':').next()?.trim_end_matches('/').parse().ok()
}
