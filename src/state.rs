//! What every HTTP handler shares.

use std::sync::Arc;

use crate::auth::Authenticator;
use crate::auth::rate_limit::RateLimiter;
use crate::auth::sar::SveltosAccess;
use crate::config::LimitsConfig;
use crate::fleet::cache::FleetCache;
use crate::live::Live;
use crate::metrics::Metrics;
use crate::readiness::Readiness;
use crate::schema::Instrumented;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    /// The schema with error codes and request metrics around it.
    pub schema: Instrumented,
    pub store: Store,
    pub metrics: Arc<Metrics>,
    pub readiness: Readiness,
    pub limits: LimitsConfig,
    pub auth: Arc<Authenticator>,
    pub rate_limiter: Arc<RateLimiter>,
    /// The management cluster, when one is configured.
    pub management: Option<kube::Client>,
    /// Mirror of the management cluster's Sveltos / Cluster API objects.
    pub fleet: FleetCache,
    /// SubjectAccessReviews for Sveltos data, cached per principal.
    pub access: Arc<SveltosAccess>,
    /// Subscriptions: the live feed and the open WebSocket connections.
    pub live: Arc<Live>,
    /// The tenancy side (the usage sampler runs on it).
    pub tenancy: crate::tenancy::Tenancy,
}
