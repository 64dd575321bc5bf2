//! HTTPS for `kith-server serve`: rustls (with the `ring` provider) in front of the router,
//! from PEM files or from a self-signed certificate made for development.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::{AppState, ServerError};

/// File names of the development certificate inside the data directory.
const DEV_CERT_FILE: &str = "dev-tls-cert.pem";
const DEV_KEY_FILE: &str = "dev-tls-key.pem";

/// A certificate and its private key, PEM-encoded. `Debug` shows only the fingerprint.
#[derive(Clone)]
pub struct CertificatePem {
    /// The certificate chain, leaf first.
    pub cert_pem: String,
    /// The private key (PKCS#8, SEC1 or PKCS#1).
    pub key_pem: String,
}

impl std::fmt::Debug for CertificatePem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificatePem")
            .field("sha256", &self.fingerprint().unwrap_or_default())
            .finish_non_exhaustive()
    }
}

impl CertificatePem {
    /// Reads a certificate chain and a key from PEM files.
    pub fn read(cert_path: &Path, key_path: &Path) -> Result<Self, ServerError> {
        let read = |path: &Path, what: &str| {
            std::fs::read_to_string(path).map_err(|error| {
                ServerError::Tls(format!("could not read the {what} {}: {error}", path.display()))
            })
        };
        Ok(Self { cert_pem: read(cert_path, "certificate")?, key_pem: read(key_path, "key")? })
    }

    /// SHA-256 fingerprint of the leaf certificate, as `AB:CD:...` (the form `openssl x509
    /// -fingerprint -sha256` prints), for people to compare.
    pub fn fingerprint(&self) -> Result<String, ServerError> {
        let leaf =
            self.chain()?.into_iter().next().ok_or_else(|| {
                ServerError::Tls("the certificate file holds no certificate".into())
            })?;
        Ok(fingerprint(&leaf))
    }

    fn chain(&self) -> Result<Vec<CertificateDer<'static>>, ServerError> {
        CertificateDer::pem_slice_iter(self.cert_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| ServerError::Tls(format!("the certificate is not valid PEM: {error}")))
    }

    /// A rustls server configuration (TLS 1.2 and 1.3, HTTP/2 and HTTP/1.1 by ALPN).
    pub fn server_config(&self) -> Result<Arc<rustls::ServerConfig>, ServerError> {
        let chain = self.chain()?;
        if chain.is_empty() {
            return Err(ServerError::Tls("the certificate file holds no certificate".into()));
        }
        let key = PrivateKeyDer::from_pem_slice(self.key_pem.as_bytes())
            .map_err(|_| ServerError::Tls("the key file holds no usable private key".into()))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|error| ServerError::Tls(error.to_string()))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|error| {
                ServerError::Tls(format!("the certificate and key do not work together: {error}"))
            })?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

/// SHA-256 of a DER certificate as upper-case hex pairs joined by colons.
pub fn fingerprint(cert_der: &[u8]) -> String {
    Sha256::digest(cert_der).iter().map(|byte| format!("{byte:02X}")).collect::<Vec<_>>().join(":")
}

/// Makes a new self-signed certificate for `localhost`, `127.0.0.1` and `::1`, for
/// development and tests only: clients must be told to trust it explicitly.
pub fn self_signed_dev_certificate() -> Result<CertificatePem, ServerError> {
    let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned(), "::1".to_owned()];
    let mut params = rcgen::CertificateParams::new(names)
        .map_err(|error| ServerError::Tls(format!("certificate parameters: {error}")))?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Kith practice server (self-signed, development only)");
    let key = rcgen::KeyPair::generate()
        .map_err(|error| ServerError::Tls(format!("key generation: {error}")))?;
    let cert = params
        .self_signed(&key)
        .map_err(|error| ServerError::Tls(format!("self-signing: {error}")))?;
    Ok(CertificatePem { cert_pem: cert.pem(), key_pem: key.serialize_pem() })
}

/// Where the development certificate and key live in a data directory.
pub fn dev_certificate_paths(data_dir: &Path) -> (PathBuf, PathBuf) {
    (data_dir.join(DEV_CERT_FILE), data_dir.join(DEV_KEY_FILE))
}

/// The development certificate of `data_dir`: read when it is there, otherwise made and
/// written (the key readable by the owner only) so its fingerprint stays the same across
/// restarts.
pub fn dev_certificate_in(data_dir: &Path) -> Result<CertificatePem, ServerError> {
    let (cert_path, key_path) = dev_certificate_paths(data_dir);
    if cert_path.exists() && key_path.exists() {
        return CertificatePem::read(&cert_path, &key_path);
    }
    std::fs::create_dir_all(data_dir)?;
    let made = self_signed_dev_certificate()?;
    write_new(&key_path, made.key_pem.as_bytes(), 0o600)?;
    write_new(&cert_path, made.cert_pem.as_bytes(), 0o644)?;
    Ok(made)
}

fn write_new(path: &Path, contents: &[u8], mode: u32) -> Result<(), ServerError> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()?;
    Ok(())
}

/// Serves HTTPS on `listener` until the process ends. Each connection is handshaken on its
/// own task (a slow or failed handshake holds up no one, and is dropped after the header
/// timeout), with the same connection limits as [`crate::serve`], and handlers see the client
/// address as `ConnectInfo<SocketAddr>`.
pub async fn serve_tls(
    listener: TcpListener,
    state: AppState,
    config: Arc<rustls::ServerConfig>,
) -> std::io::Result<()> {
    crate::connection::serve_connections(listener, state, Some(TlsAcceptor::from(config))).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_certificate_makes_a_working_config_and_a_stable_fingerprint() {
        let made = self_signed_dev_certificate().unwrap();
        assert!(made.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        made.server_config().unwrap();
        let print = made.fingerprint().unwrap();
        assert_eq!(print.len(), 32 * 3 - 1, "{print}");
        assert_eq!(print, made.fingerprint().unwrap());
        assert_ne!(print, self_signed_dev_certificate().unwrap().fingerprint().unwrap());
        assert!(!format!("{made:?}").contains("PRIVATE KEY"));
    }

    #[test]
    fn a_key_that_does_not_match_the_certificate_is_refused() {
        let one = self_signed_dev_certificate().unwrap();
        let other = self_signed_dev_certificate().unwrap();
        let mixed = CertificatePem { cert_pem: one.cert_pem, key_pem: other.key_pem };
        let error = mixed.server_config().unwrap_err();
        assert!(error.to_string().contains("do not work together"), "{error}");
        let garbage = CertificatePem { cert_pem: "nonsense".into(), key_pem: "nonsense".into() };
        assert!(garbage.server_config().is_err());
    }

    #[test]
    fn dev_certificate_is_kept_in_the_data_dir_with_a_private_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let first = dev_certificate_in(dir.path()).unwrap();
        let again = dev_certificate_in(dir.path()).unwrap();
        assert_eq!(first.fingerprint().unwrap(), again.fingerprint().unwrap());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let (_, key_path) = dev_certificate_paths(dir.path());
            let mode = std::fs::metadata(key_path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "the key file is private: {mode:o}");
        }
    }
}
