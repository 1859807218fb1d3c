//! The measured requests: the Sveltos dashboard's cluster page, one profile's matching clusters,
//! and the KubeNova tenant page, each in ONE query (graph.md §1).

use serde_json::json;

/// A measured request: its name and the exact POST body sent every time.
pub struct Request {
    pub name: &'static str,
    pub body: axum::body::Bytes,
}

fn request(name: &'static str, query: String) -> Request {
    Request {
        name,
        body: json!({ "query": query }).to_string().into(),
    }
}

/// 100 clusters with health flags and helm-release counts.
pub fn cluster_page() -> Request {
    request(
        "cluster page (100 clusters)",
        "query ClusterPage { clusters(first: 100) { totalCount pageInfo { hasNextPage endCursor } \
         edges { cursor node { id kind namespace name version ready paused labels { key value } \
         health { hasIssues isProvisioning hasOutdatedHelmCharts } \
         helmReleases { totalCount } } } } }"
            .to_string(),
    )
}

/// The widened ClusterProfile: 100 (the maximum page) of its matching clusters, with features
/// and each cluster's health, and the total.
pub fn profile_page(profile: &str) -> Request {
    let name = serde_json::to_string(profile).unwrap_or_default();
    request(
        "profile page (1 of N matching)",
        format!(
            "query ProfilePage {{ profile(kind: CLUSTER_PROFILE, name: {name}) {{ id name tier \
             syncMode matchingClusters(first: 100) {{ totalCount edges {{ node {{ clusterKind \
             clusterNamespace clusterName listedInStatus clusterSummaryName \
             features {{ featureId status failureMessage }} \
             cluster {{ health {{ hasIssues isProvisioning hasOutdatedHelmCharts }} }} }} }} }} }} }}"
        ),
    )
}

/// A tenant with its projects, their apps (`Project.apps`) and each app's status, as the
/// KubeNova tenant page shows them.
pub fn tenant_page(tenant: &str) -> Request {
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_default();
    request(
        "tenant page (deep)",
        format!(
            "query TenantPage {{ tenant(id: {}) {{ id name owners labels {{ key value }} plan \
             quotas {{ resource quantity }} limits {{ resource quantity }} \
             summary {{ namespaces projectCount }} policySets {{ id name }} \
             projects(first: 100) {{ totalCount edges {{ node {{ id name namespace \
             labels {{ key value }} members {{ subject role }} \
             apps(first: 100) {{ totalCount edges {{ node {{ id name revision \
             components {{ name type image }} \
             status {{ present phase healthy suspended publishVersion }} }} }} }} }} }} }} }} }}",
            quote(tenant)
        ),
    )
}
