//! How `clusters` (and cluster subscriptions) are filtered and ordered.

use async_graphql::{Enum, InputObject};

use super::ClusterKind;
use crate::fleet::query::clusters::ClusterQuery;
use crate::fleet::query::labels::Selector;

#[derive(InputObject, Default)]
pub struct ClusterFilter {
    /// Case-insensitive substring of the namespace.
    pub namespace: Option<String>,
    /// Case-insensitive substring of the name.
    pub name: Option<String>,
    /// Kubernetes label selector, e.g. `env=prod,tier in (gold,silver),!legacy`.
    pub label_selector: Option<String>,
    pub kind: Option<ClusterKind>,
    pub ready: Option<bool>,
    pub has_issues: Option<bool>,
    pub is_provisioning: Option<bool>,
    pub has_outdated_helm_charts: Option<bool>,
}

#[derive(Enum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClusterOrderField {
    /// Namespace, then name, then kind (CAPI first).
    #[default]
    NamespaceName,
    /// Name, then namespace, then kind.
    Name,
    /// Kubernetes version compared numerically (unknown versions last), then namespace/name.
    Version,
    /// Ready clusters first, then namespace/name.
    Ready,
}

#[derive(Enum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OrderDirection {
    #[default]
    Asc,
    Desc,
}

#[derive(InputObject, Default)]
pub struct ClusterOrderBy {
    #[graphql(default)]
    pub field: ClusterOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

pub(crate) fn cluster_query(filter: ClusterFilter) -> crate::error::Result<ClusterQuery> {
    let selector = filter
        .label_selector
        .as_deref()
        .map(|s| Selector::parse("filter.labelSelector", s))
        .transpose()?;
    Ok(ClusterQuery {
        namespace: filter.namespace,
        name: filter.name,
        selector,
        cluster_type: filter.kind.map(Into::into),
        ready: filter.ready,
        has_issues: filter.has_issues,
        is_provisioning: filter.is_provisioning,
        has_outdated_helm_charts: filter.has_outdated_helm_charts,
    })
}
