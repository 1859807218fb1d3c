//! `clusterInfo`: the fields every managed cluster shows, whatever its kind.

use std::collections::BTreeMap;

/// Derived per `decisions.md` §5 (CAPI) and `sveltos-ui-backend.md` §3.1 (SveltosCluster).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClusterInfo {
    pub labels: BTreeMap<String, String>,
    /// `""` when unknown.
    pub version: String,
    pub ready: bool,
    pub paused: bool,
    /// Always false for CAPI clusters.
    pub pull_mode: bool,
    pub failure_message: Option<String>,
    /// SveltosCluster `status.connectionStatus` (`Healthy` / `Down`); `None` for CAPI clusters.
    pub connection_status: Option<String>,
}
