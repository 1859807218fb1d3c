//! The tenancy side (KubeNova parity): registered clusters, Capsule tenants, project
//! namespaces with per-member RBAC, policy sets, plans, kubeconfigs and tokens.
//!
//! fleetgraph writes the real objects itself (no operator, no Nova CRDs). Each operation
//! validates everything first, then writes so that store and cluster agree afterwards: a
//! failure either undoes what was written or leaves a state a retry converges from.

pub mod access;
pub mod apps;
pub mod audit;
pub mod catalog;
pub mod cleanup;
pub mod cluster_cache;
pub mod cluster_pool;
pub mod clusters;
pub mod crypto;
pub mod errors;
pub mod kube_ops;
pub mod kubeconfig;
pub mod plans;
pub mod policy_sets;
pub mod project_access;
pub mod project_kubeconfig;
pub mod projects;
pub mod tenants;
pub mod tokens;
pub mod usage;
pub mod usage_sampler;
pub mod validate;

use std::sync::Arc;

use crate::auth::jwt::JwtKeys;
use crate::config::TenancyConfig;
use crate::error::Result;
use crate::store::Store;

pub use access::{Access, ProjectRole, TenantRef};
pub use cluster_pool::ClusterPool;

/// Everything tenancy operations need; one per server, cheap to clone, in the schema's data.
#[derive(Clone)]
pub struct Tenancy {
    pub store: Store,
    pub pool: ClusterPool,
    /// Signs tokens issued through the API (None: this server cannot issue tokens).
    pub jwt: Option<Arc<JwtKeys>>,
}

impl Tenancy {
    pub fn from_config(
        config: &TenancyConfig,
        store: Store,
        jwt: Option<Arc<JwtKeys>>,
    ) -> Result<Self> {
        let sealer = crypto::Sealer::from_config(config)?;
        if sealer.is_none() {
            tracing::warn!(
                "no encryption key (FLEETGRAPH_ENCRYPTION_KEY_FILE): clusters cannot be registered"
            );
        }
        let timeout = std::time::Duration::from_secs(config.cluster_timeout_secs.max(1));
        Ok(Self {
            store,
            pool: ClusterPool::new(sealer, timeout),
            jwt,
        })
    }
}
