//! The kube client for the management cluster (where Sveltos and Cluster API live).

use kube::config::{KubeConfigOptions, Kubeconfig};

use crate::config::KubeConfig;
use crate::error::{Error, Result};

/// The management cluster: fleetgraph's own client, and the connection settings it came from
/// (to reach the same API server with a caller's token).
#[derive(Clone)]
pub struct Management {
    pub client: kube::Client,
    pub config: kube::Config,
}

/// Builds the management-cluster client. With an explicit `--kubeconfig` a failure is an error;
/// otherwise the usual inference (`KUBECONFIG`, `~/.kube/config`, in-cluster) is tried and
/// `Ok(None)` means "no management cluster": the Sveltos side of the graph is then unavailable.
pub async fn management_client(config: &KubeConfig) -> Result<Option<Management>> {
    let options = KubeConfigOptions {
        context: config.kube_context.clone(),
        ..Default::default()
    };
    let kube_config = match &config.kubeconfig {
        Some(path) => {
            let kubeconfig = Kubeconfig::read_from(path).map_err(|e| {
                Error::bad_field(
                    "kubeconfig",
                    format!("cannot read kubeconfig {}: {e}", path.display()),
                )
            })?;
            kube::Config::from_custom_kubeconfig(kubeconfig, &options)
                .await
                .map_err(|e| {
                    Error::bad_field(
                        "kubeconfig",
                        format!("kubeconfig {} is not usable: {e}", path.display()),
                    )
                })?
        }
        None => match kube::Config::infer().await {
            Ok(inferred) if config.kube_context.is_none() => inferred,
            Ok(_) => kube::Config::from_kubeconfig(&options).await.map_err(|e| {
                Error::bad_field("kube-context", format!("context not usable: {e}"))
            })?,
            Err(e) => {
                tracing::warn!(
                    reason = %e,
                    "no management cluster configured: the Sveltos side of the graph is \
                     unavailable. Pass --kubeconfig, or run `fleetgraph demo` for a playground \
                     with a generated fleet"
                );
                return Ok(None);
            }
        },
    };
    let client = kube::Client::try_from(kube_config.clone())
        .map_err(|e| Error::Unavailable(format!("cannot build a kube client: {e}")))?;
    Ok(Some(Management {
        client,
        config: kube_config,
    }))
}
