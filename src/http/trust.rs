//! Which servers TLS trusts, decided on the first handshake rather than at start-up: a
//! command that makes no `https://` connection (`dumpcreds` from environment keys,
//! `--version`, anything against IMDS or a loopback endpoint) reads no certificate.
//!
//! The roots are the bundled Mozilla set (`webpki-roots`), the system's, and the extra
//! bundle (`AWS_CA_BUNDLE`, the profile's `ca_bundle`). The system's are read from one
//! bundle file (`SSL_CERT_FILE`, else the first of the distributions' usual paths), not
//! the bundle and then every file of the certificate directory as `rustls-native-certs`
//! does; the directory is scanned only when no bundle file exists.

use std::fmt;
use std::sync::{Arc, OnceLock};

use rustls::DigitallySignedStruct;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

/// The distributions' CA bundle files, in the order openssl-probe tries them: Debian and
/// Ubuntu, Fedora and RHEL, openSUSE, older RHEL, Alpine and macOS-like layouts.
const BUNDLE_FILES: [&str; 5] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/tls/cacert.pem",
    "/etc/ssl/cert.pem",
];

/// The system's trusted certificates: the bundle file `ssl_cert_file` names, else the
/// first of the distributions' usual bundle files that holds any (Debian's
/// `/etc/ssl/certs/ca-certificates.crt` first); a directory scan only when none does.
/// Unreadable or broken certificates are skipped (the bundled roots still apply).
pub fn system_roots(ssl_cert_file: Option<&str>) -> Vec<CertificateDer<'static>> {
    let named = ssl_cert_file.filter(|p| !p.is_empty());
    for path in named.into_iter().chain(BUNDLE_FILES) {
        let Ok(pem) = std::fs::read(path) else {
            continue;
        };
        let certs: Vec<_> = CertificateDer::pem_slice_iter(&pem)
            .filter_map(Result::ok)
            .collect();
        if !certs.is_empty() {
            return certs;
        }
    }
    rustls_native_certs::load_native_certs().certs
}

/// What the trust store is made of, kept until the first handshake needs it.
#[derive(Clone)]
pub struct Roots {
    /// Whether to add the system's certificates.
    pub system: bool,
    /// `SSL_CERT_FILE`, when set.
    pub ssl_cert_file: Option<String>,
    /// The extra bundle's certificates (parsed, and so checked, up front).
    pub extra: Vec<CertificateDer<'static>>,
}

/// A server certificate verifier that builds the WebPKI verifier from [`Roots`] on the
/// first handshake, then delegates to it. The signature checks need no roots and are
/// done at once with the provider's algorithms.
pub struct LazyVerifier {
    roots: Roots,
    provider: Arc<CryptoProvider>,
    built: OnceLock<Result<Arc<WebPkiServerVerifier>, String>>,
}

impl fmt::Debug for LazyVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LazyVerifier")
            .field("system", &self.roots.system)
            .field("extra", &self.roots.extra.len())
            .field("built", &self.built.get().is_some())
            .finish()
    }
}

impl LazyVerifier {
    /// A verifier over `roots`, checking signatures with `provider`.
    pub fn new(roots: Roots, provider: Arc<CryptoProvider>) -> Self {
        Self {
            roots,
            provider,
            built: OnceLock::new(),
        }
    }

    /// Whether the trust store has been built (the first handshake happened).
    pub fn is_built(&self) -> bool {
        self.built.get().is_some()
    }

    fn verifier(&self) -> Result<&Arc<WebPkiServerVerifier>, rustls::Error> {
        self.built
            .get_or_init(|| {
                let mut store = rustls::RootCertStore::empty();
                store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
                if self.roots.system {
                    for cert in system_roots(self.roots.ssl_cert_file.as_deref()) {
                        let _ = store.add(cert);
                    }
                }
                // The extra bundle was named by the user: a certificate in it that cannot
                // be used is an error, not skipped.
                for cert in &self.roots.extra {
                    store.add(cert.clone()).map_err(|e| {
                        format!("a certificate in the CA bundle (AWS_CA_BUNDLE, ca_bundle) cannot be used: {e}")
                    })?;
                }
                WebPkiServerVerifier::builder_with_provider(
                    Arc::new(store),
                    self.provider.clone(),
                )
                .build()
                .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|e| rustls::Error::General(format!("cannot build the trust store: {e}")))
    }
}

impl ServerCertVerifier for LazyVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.verifier()?.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_named_bundle_file_is_read_and_a_missing_one_skipped() {
        let dir = std::env::temp_dir().join(format!("aws-login-trust-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bundle = dir.join("bundle.pem");
        std::fs::write(&bundle, include_bytes!("../../tests/fixtures/tls/ca.pem")).unwrap();
        let certs = system_roots(bundle.to_str());
        assert_eq!(certs.len(), 1);
        // A named file that is missing falls back to the system's usual places.
        let missing = dir.join("missing.pem");
        assert_ne!(system_roots(missing.to_str()).len(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_unusable_certificate_in_the_extra_bundle_is_an_error() {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = LazyVerifier::new(
            Roots {
                system: false,
                ssl_cert_file: None,
                extra: vec![CertificateDer::from(b"not DER at all".to_vec())],
            },
            provider,
        );
        let err = verifier.verifier().unwrap_err().to_string();
        assert!(err.contains("a certificate in the CA bundle"), "{err}");
    }

    #[test]
    fn nothing_is_read_until_the_first_handshake() {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = LazyVerifier::new(
            Roots {
                system: true,
                ssl_cert_file: None,
                extra: Vec::new(),
            },
            provider,
        );
        assert!(!verifier.is_built());
        assert!(!verifier.supported_verify_schemes().is_empty());
        assert!(!verifier.is_built());
        assert!(verifier.verifier().is_ok());
        assert!(verifier.is_built());
    }
}
