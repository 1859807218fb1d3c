//! Kubeconfigs given at registration: decoding (base64 or inline YAML), checks, and the kube
//! client configuration built from them.
//!
//! A registered kubeconfig runs inside the server, so anything that would make the server run
//! a command (`exec`, `auth-provider`) or read its own files (paths instead of inline data) is
//! refused. Error messages never quote the kubeconfig.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use kube::config::{KubeConfigOptions, Kubeconfig};

use crate::error::{Error, Result};

/// A checked kubeconfig: its YAML (to be sealed) and the API server it points at.
pub struct CheckedKubeconfig {
    pub yaml: String,
    pub api_server: String,
    parsed: Kubeconfig,
}

impl std::fmt::Debug for CheckedKubeconfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckedKubeconfig")
            .field("api_server", &self.api_server)
            .finish_non_exhaustive()
    }
}

fn bad(message: impl Into<String>) -> Error {
    Error::bad_field("input.kubeconfig", message)
}

/// Decodes and checks a kubeconfig given as base64 or as inline YAML.
pub fn check(input: &str) -> Result<CheckedKubeconfig> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(bad("kubeconfig is required (base64 or inline YAML)"));
    }
    let compact: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
    let yaml = match STANDARD.decode(compact.as_bytes()) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) if text.contains("clusters") => text,
            _ => trimmed.to_string(),
        },
        Err(_) => trimmed.to_string(),
    };
    let parsed = Kubeconfig::from_yaml(&yaml)
        .map_err(|_| bad("kubeconfig is neither valid YAML nor base64 of a kubeconfig"))?;
    let context_name = parsed
        .current_context
        .clone()
        .or_else(|| parsed.contexts.first().map(|c| c.name.clone()))
        .ok_or_else(|| bad("kubeconfig has no context"))?;
    let context = parsed
        .contexts
        .iter()
        .find(|c| c.name == context_name)
        .and_then(|c| c.context.as_ref())
        .ok_or_else(|| {
            bad(format!(
                "kubeconfig context {context_name:?} is not defined"
            ))
        })?;
    let cluster = parsed
        .clusters
        .iter()
        .find(|c| c.name == context.cluster)
        .and_then(|c| c.cluster.as_ref())
        .ok_or_else(|| {
            bad(format!(
                "kubeconfig cluster {:?} is not defined",
                context.cluster
            ))
        })?;
    let server = cluster
        .server
        .clone()
        .ok_or_else(|| bad("kubeconfig cluster has no server URL"))?;
    let url = url::Url::parse(&server).map_err(|_| bad("kubeconfig server is not a valid URL"))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(bad("kubeconfig server must be an http(s) URL"));
    }
    if cluster.certificate_authority.is_some() {
        return Err(bad(
            "kubeconfig refers to a CA file; inline it as certificate-authority-data",
        ));
    }
    if let Some(user_name) = &context.user
        && let Some(user) = parsed
            .auth_infos
            .iter()
            .find(|a| &a.name == user_name)
            .and_then(|a| a.auth_info.as_ref())
    {
        if user.exec.is_some() || user.auth_provider.is_some() {
            return Err(bad(
                "kubeconfig users with exec or auth-provider plugins are not accepted; use a token or client certificate",
            ));
        }
        if user.client_certificate.is_some()
            || user.client_key.is_some()
            || user.token_file.is_some()
        {
            return Err(bad(
                "kubeconfig refers to files; inline them (client-certificate-data, client-key-data, token)",
            ));
        }
    }
    Ok(CheckedKubeconfig {
        yaml,
        api_server: server,
        parsed,
    })
}

impl CheckedKubeconfig {
    /// The current context's cluster entry (server, CA, TLS settings; no credentials).
    pub fn cluster(&self) -> Option<kube::config::Cluster> {
        let context_name = self
            .parsed
            .current_context
            .clone()
            .or_else(|| self.parsed.contexts.first().map(|c| c.name.clone()))?;
        let context = self
            .parsed
            .contexts
            .iter()
            .find(|c| c.name == context_name)
            .and_then(|c| c.context.as_ref())?;
        self.parsed
            .clusters
            .iter()
            .find(|c| c.name == context.cluster)
            .and_then(|c| c.cluster.clone())
    }

    /// The kube client configuration, with the upstream timeout on connect, read and write.
    pub async fn client_config(&self, timeout: Duration) -> Result<kube::Config> {
        client_config(self.parsed.clone(), timeout).await
    }
}

/// Rebuilds a checked kubeconfig from stored (opened) YAML.
pub fn from_stored(yaml: &str) -> Result<CheckedKubeconfig> {
    check(yaml).map_err(|_| Error::Internal("a stored kubeconfig no longer parses".to_string()))
}

async fn client_config(parsed: Kubeconfig, timeout: Duration) -> Result<kube::Config> {
    let mut config = kube::Config::from_custom_kubeconfig(parsed, &KubeConfigOptions::default())
        .await
        .map_err(|e| {
            bad(format!(
                "kubeconfig is not usable: {}",
                short(&e.to_string())
            ))
        })?;
    config.connect_timeout = Some(timeout);
    config.read_timeout = Some(timeout);
    config.write_timeout = Some(timeout);
    Ok(config)
}

/// Library messages can quote input; keep only the first line and cut it short.
fn short(message: &str) -> String {
    let line = message.lines().next().unwrap_or_default();
    line.chars().take(160).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = "apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: https://10.0.0.1:6443
contexts:
- name: ctx
  context:
    cluster: c
    user: u
current-context: ctx
users:
- name: u
  user:
    token: secret-token
";

    #[test]
    fn inline_and_base64_are_accepted() {
        let inline = check(YAML).unwrap();
        assert_eq!(inline.api_server, "https://10.0.0.1:6443");
        let encoded = check(&STANDARD.encode(YAML)).unwrap();
        assert_eq!(encoded.yaml, YAML);
    }

    #[test]
    fn dangerous_or_broken_kubeconfigs_are_refused_without_echoing_them() {
        let exec = YAML.replace(
            "token: secret-token",
            "exec:\n      command: /bin/sh\n      apiVersion: client.authentication.k8s.io/v1",
        );
        let token_file = YAML.replace("token: secret-token", "tokenFile: /etc/passwd");
        for input in [
            "",
            "not: [valid",
            "aGVsbG8=",
            exec.as_str(),
            token_file.as_str(),
            &YAML.replace("server: https://10.0.0.1:6443", "server: ftp://x"),
            &YAML.replace("current-context: ctx", "current-context: other"),
        ] {
            let err = check(input).unwrap_err();
            assert_eq!(err.code().as_str(), "BAD_USER_INPUT", "{input}");
            assert!(!err.to_string().contains("secret-token"));
        }
    }
}
