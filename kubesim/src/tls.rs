//! A TLS front for a kubesim instance, so `kubectl` can talk to it with a bearer token.
//!
//! client-go reads a kubeconfig's credentials only when the transport is TLS
//! (`clientcmd/client_config.go`: "only try to read the auth information if we are secure"),
//! so against `http://` every kubectl request is anonymous and gets 401. The front terminates
//! TLS with a fresh certificate for `127.0.0.1` and `localhost`, signed by a fresh CA, and
//! relays the plaintext HTTP/1.1 bytes to the instance's loopback port; the kubeconfig pins
//! that CA.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use base64::Engine;
use rcgen::{
    BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
    SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("generating the certificate: {0}")]
    Cert(#[from] rcgen::Error),
    #[error("configuring TLS: {0}")]
    Rustls(#[from] rustls::Error),
    #[error("binding the TLS port: {0}")]
    Io(#[from] std::io::Error),
}

/// A self-signed server certificate and the rustls configuration serving it.
pub struct SelfSigned {
    pub cert_pem: String,
    pub config: Arc<rustls::ServerConfig>,
}

/// A fresh CA and a server certificate it signs for `127.0.0.1`/`localhost`; clients trust the
/// CA (`cert_pem`). A separate CA, rather than one certificate that is its own CA, because
/// rustls (kube-rs, reqwest) refuses a CA certificate presented as the server's own, while Go
/// accepts both. ALPN offers HTTP/1.1 only, since the relay passes bytes through unchanged to a
/// plaintext HTTP/1.1 server.
pub fn self_signed() -> Result<SelfSigned, TlsError> {
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "kubesim CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyCertSign,
    ];
    let ca_key = KeyPair::generate()?;
    let ca_cert = ca_params.self_signed(&ca_key)?;
    let issuer = rcgen::Issuer::new(ca_params, ca_key);

    let mut params = CertificateParams::new(vec!["localhost".to_string()])?;
    params
        .subject_alt_names
        .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    params.is_ca = IsCa::NoCa;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate()?;
    let cert = params.signed_by(&key, &issuer)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(
            vec![
                CertificateDer::from(cert.der().to_vec()),
                CertificateDer::from(ca_cert.der().to_vec()),
            ],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(SelfSigned {
        cert_pem: ca_cert.pem(),
        config: Arc::new(config),
    })
}

/// A running TLS relay in front of one backend address; stops when dropped.
pub struct TlsFront {
    addr: SocketAddr,
    cert_pem: String,
    task: JoinHandle<()>,
}

impl TlsFront {
    /// Listens on a free loopback port and relays every TLS connection to `backend`.
    pub async fn start(backend: SocketAddr) -> Result<Self, TlsError> {
        let material = self_signed()?;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let acceptor = TlsAcceptor::from(material.config);
        let task = tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let mut tls = match acceptor.accept(tcp).await {
                        Ok(s) => s,
                        Err(e) => {
                            tracing::debug!(error = %e, "TLS handshake failed");
                            return;
                        }
                    };
                    let Ok(mut upstream) = TcpStream::connect(backend).await else {
                        tracing::warn!(%backend, "kubesim backend refused the relay");
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut upstream).await;
                });
            }
        });
        Ok(Self {
            addr,
            cert_pem: material.cert_pem,
            task,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `https://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// The PEM CA certificate clients must trust.
    pub fn ca_pem(&self) -> &str {
        &self.cert_pem
    }

    /// A kubeconfig for this front with a bearer `token`, pinning the certificate.
    pub fn kubeconfig_yaml(&self, token: &str) -> String {
        kubeconfig_yaml_tls(&self.url(), &self.cert_pem, token)
    }
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Kubeconfig YAML for an `https` `url` whose server certificate is `ca_pem`.
pub fn kubeconfig_yaml_tls(url: &str, ca_pem: &str, token: &str) -> String {
    let ca = base64::engine::general_purpose::STANDARD.encode(ca_pem);
    let doc = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "kubesim", "cluster": {"server": url, "certificate-authority-data": ca}}],
        "users": [{"name": "kubesim-user", "user": {"token": token}}],
        "contexts": [{"name": "kubesim", "context": {"cluster": "kubesim", "user": "kubesim-user", "namespace": "default"}}],
        "current-context": "kubesim",
        "preferences": {},
    });
    serde_yaml::to_string(&doc).unwrap_or_default()
}
