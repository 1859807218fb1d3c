//! `issueProjectKubeconfig`: a real kubeconfig for a project namespace (decisions.md §6,
//! kubenova.md B3). A ServiceAccount `kubenova-<t>-<p>-<role>` in the project namespace is bound
//! to the role's Role (the same Role `setProjectAccess` uses), a TokenRequest gives it a token
//! with the asked lifetime, and the kubeconfig points at the cluster's capsule-proxy (with its
//! CA) when one was registered, else at the cluster's API server.
//!
//! The ServiceAccount's binding is its own RoleBinding (`…-kubeconfig`), so `setProjectAccess`
//! replacing the members' binding never takes a kubeconfig's rights away, and vice versa.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::Api;
use kube::api::PostParams;
use serde_json::{Value, json};

use super::cluster_pool::kube_error;
use super::kube_ops::{self, MANAGED_BY};
use super::project_access::{rbac_name, role_object};
use super::tenants::tenant_ref;
use super::{Access, ProjectRole, Tenancy};
use crate::error::{Error, Result};
use crate::store::tenancy::clusters::Model as ClusterRow;
use crate::store::tenancy::projects::Model as ProjectRow;
use crate::store::tenancy::tenants::Model as TenantRow;

/// The shortest lifetime the Kubernetes API server grants a requested token.
pub const MIN_TTL_SECONDS: i64 = 600;
/// One year: longer-lived credentials should be re-issued, not requested.
pub const MAX_TTL_SECONDS: i64 = 365 * 24 * 3600;
pub const DEFAULT_TTL_SECONDS: i64 = 3600;

pub struct IssueKubeconfig {
    pub role: ProjectRole,
    pub ttl_seconds: Option<i64>,
}

/// An issued kubeconfig. `yaml` holds a bearer token: it goes to the caller only.
pub struct IssuedKubeconfig {
    pub yaml: String,
    pub expires_at: DateTime<Utc>,
    pub namespace: String,
    pub service_account: String,
    pub server: String,
    pub role: ProjectRole,
}

impl std::fmt::Debug for IssuedKubeconfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedKubeconfig")
            .field("namespace", &self.namespace)
            .field("service_account", &self.service_account)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

pub fn check_ttl(ttl: Option<i64>) -> Result<i64> {
    let ttl = ttl.unwrap_or(DEFAULT_TTL_SECONDS);
    if !(MIN_TTL_SECONDS..=MAX_TTL_SECONDS).contains(&ttl) {
        return Err(Error::bad_field(
            "input.ttlSeconds",
            format!(
                "input.ttlSeconds: {ttl} is out of bounds; use {MIN_TTL_SECONDS} to {MAX_TTL_SECONDS} seconds"
            ),
        ));
    }
    Ok(ttl)
}

fn service_account_object(name: &str, namespace: &str, role: ProjectRole) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": name, "namespace": namespace,
                     "labels": {MANAGED_BY.0: MANAGED_BY.1, "kubenova.role": role.as_claim()}},
    })
}

/// The name of the ServiceAccount's RoleBinding.
pub fn binding_name(rbac: &str) -> String {
    format!("{rbac}-kubeconfig")
}

fn binding_object(rbac: &str, namespace: &str) -> Value {
    json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": {"name": binding_name(rbac), "namespace": namespace,
                     "labels": {MANAGED_BY.0: MANAGED_BY.1}},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": rbac},
        "subjects": [{"kind": "ServiceAccount", "name": rbac, "namespace": namespace}],
    })
}

/// Where the kubeconfig points: the capsule-proxy with its CA, else the registered API server
/// with the registered kubeconfig's CA (or its insecure flag).
struct Endpoint {
    server: String,
    ca_data: Option<String>,
    insecure: bool,
}

fn endpoint(t: &Tenancy, cluster: &ClusterRow) -> Result<Endpoint> {
    if let Some(proxy) = &cluster.capsule_proxy_url {
        return Ok(Endpoint {
            server: proxy.clone(),
            ca_data: cluster
                .capsule_proxy_ca
                .as_ref()
                .map(|pem| STANDARD.encode(pem.as_bytes())),
            insecure: false,
        });
    }
    let registered = t.pool.kubeconfig(cluster)?;
    let entry = registered.cluster().unwrap_or_default();
    Ok(Endpoint {
        server: cluster.api_server.clone(),
        ca_data: entry.certificate_authority_data,
        insecure: entry.insecure_skip_tls_verify.unwrap_or(false),
    })
}

/// The kubeconfig YAML (clientcmd shape; cluster `kubenova`, context and user named after the
/// ServiceAccount, default namespace the project's).
pub fn render(
    server: &str,
    ca_data: Option<&str>,
    insecure: bool,
    context: &str,
    namespace: &str,
    token: &str,
) -> Result<String> {
    let mut cluster = serde_yaml::Mapping::new();
    cluster.insert("server".into(), server.into());
    if let Some(ca) = ca_data {
        cluster.insert("certificate-authority-data".into(), ca.into());
    } else if insecure {
        cluster.insert("insecure-skip-tls-verify".into(), true.into());
    }
    let doc = json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "kubenova", "cluster": cluster}],
        "users": [{"name": context, "user": {"token": token}}],
        "contexts": [{"name": context,
                      "context": {"cluster": "kubenova", "user": context, "namespace": namespace}}],
        "current-context": context,
    });
    serde_yaml::to_string(&doc)
        .map_err(|e| Error::Internal(format!("could not write the kubeconfig: {e}")))
}

/// Issues a kubeconfig for `role` in the project namespace. Re-issuing reuses the
/// ServiceAccount (applies are idempotent); earlier tokens stay valid until they expire.
pub async fn issue(
    t: &Tenancy,
    access: &Access<'_>,
    tenant: &TenantRow,
    project: &ProjectRow,
    input: IssueKubeconfig,
) -> Result<IssuedKubeconfig> {
    let tref = tenant_ref(tenant);
    access.require_visible_project(tref, &project.name, project.id)?;
    if !access.may_issue_kubeconfig(tref, &project.name, input.role) {
        return Err(Error::Forbidden(format!(
            "issuing a {} kubeconfig for project {} needs admin, ops, tenantOwner of its tenant, or projectDev of the project for projectDev and readOnly",
            input.role.as_claim(),
            project.name
        )));
    }
    let ttl = check_ttl(input.ttl_seconds)?;
    let cluster = t.store.cluster_required(project.cluster_id).await?;
    let endpoint = endpoint(t, &cluster)?;
    let client = t.pool.client(&cluster).await?;
    let failed = |e| kube_error(&cluster.name, e);
    let ns = project.namespace.as_str();
    let name = rbac_name(&tenant.name, &project.name, input.role);

    let sa = service_account_object(&name, ns, input.role);
    kube_ops::apply(
        &client,
        &kube_ops::core("ServiceAccount", "serviceaccounts"),
        Some(ns),
        sa,
    )
    .await
    .map_err(failed)?;
    let role = role_object(&name, ns, input.role);
    kube_ops::apply(&client, &kube_ops::rbac("Role", "roles"), Some(ns), role)
        .await
        .map_err(failed)?;
    let binding = binding_object(&name, ns);
    kube_ops::apply(
        &client,
        &kube_ops::rbac("RoleBinding", "rolebindings"),
        Some(ns),
        binding,
    )
    .await
    .map_err(failed)?;

    let request = TokenRequest {
        spec: Some(TokenRequestSpec {
            expiration_seconds: Some(ttl),
            ..TokenRequestSpec::default()
        }),
        ..TokenRequest::default()
    };
    let api: Api<ServiceAccount> = Api::namespaced(client, ns);
    let answer = api
        .create_token_request(&name, &PostParams::default(), &request)
        .await
        .map_err(failed)?;
    let status = answer.status.unwrap_or_default();
    let Some(token) = status.token.filter(|t| !t.is_empty()) else {
        return Err(Error::Unavailable(format!(
            "cluster {} answered the TokenRequest without a token; retry",
            cluster.name
        )));
    };
    let yaml = render(
        &endpoint.server,
        endpoint.ca_data.as_deref(),
        endpoint.insecure,
        &name,
        ns,
        &token,
    )?;
    Ok(IssuedKubeconfig {
        yaml,
        expires_at: status
            .expiration_timestamp
            .and_then(|t| DateTime::from_timestamp(t.0.as_second(), t.0.subsec_nanosecond() as u32))
            .unwrap_or_else(|| Utc::now() + chrono::Duration::seconds(ttl)),
        namespace: ns.to_string(),
        service_account: name,
        server: endpoint.server,
        role: input.role,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_bounds() {
        assert_eq!(check_ttl(None).expect("default"), 3600);
        assert_eq!(check_ttl(Some(600)).expect("min"), 600);
        for bad in [0, 599, MAX_TTL_SECONDS + 1, -1] {
            let e = check_ttl(Some(bad)).expect_err("out of bounds");
            assert_eq!(e.code().as_str(), "BAD_USER_INPUT");
        }
    }

    #[test]
    fn the_rendered_kubeconfig_loads() {
        let yaml = render(
            "https://proxy.example:9001",
            Some("Q0E="),
            false,
            "kubenova-acme-web-readonly",
            "tn-acme-app-web",
            "tok",
        )
        .expect("yaml");
        let parsed = kube::config::Kubeconfig::from_yaml(&yaml).expect("parses");
        let cluster = parsed.clusters[0].cluster.as_ref().expect("cluster");
        assert_eq!(
            cluster.server.as_deref(),
            Some("https://proxy.example:9001")
        );
        assert_eq!(cluster.certificate_authority_data.as_deref(), Some("Q0E="));
        let context = parsed.contexts[0].context.as_ref().expect("context");
        assert_eq!(context.namespace.as_deref(), Some("tn-acme-app-web"));
        assert_eq!(
            parsed.current_context.as_deref(),
            Some("kubenova-acme-web-readonly")
        );
    }
}
