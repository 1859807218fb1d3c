//! The few Kubernetes calls tenancy makes on registered clusters: server-side apply (field
//! manager `fleetgraph`, forced, so writes are idempotent and converge on retry), get, delete,
//! list by label, and API discovery.

use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams};
use kube::discovery::ApiResource;
use serde_json::Value;

/// The field manager of everything fleetgraph writes.
pub const FIELD_MANAGER: &str = "fleetgraph";
/// Label on every object fleetgraph creates.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "fleetgraph");

pub fn capsule_tenant() -> ApiResource {
    ApiResource {
        group: "capsule.clastix.io".into(),
        version: "v1beta2".into(),
        api_version: "capsule.clastix.io/v1beta2".into(),
        kind: "Tenant".into(),
        plural: "tenants".into(),
    }
}

pub fn core(kind: &str, plural: &str) -> ApiResource {
    ApiResource {
        group: String::new(),
        version: "v1".into(),
        api_version: "v1".into(),
        kind: kind.into(),
        plural: plural.into(),
    }
}

pub fn rbac(kind: &str, plural: &str) -> ApiResource {
    ApiResource {
        group: "rbac.authorization.k8s.io".into(),
        version: "v1".into(),
        api_version: "rbac.authorization.k8s.io/v1".into(),
        kind: kind.into(),
        plural: plural.into(),
    }
}

fn api(client: &kube::Client, ar: &ApiResource, namespace: Option<&str>) -> Api<DynamicObject> {
    match namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, ar),
        None => Api::all_with(client.clone(), ar),
    }
}

/// Server-side applies `object` (which carries apiVersion, kind and metadata.name).
pub async fn apply(
    client: &kube::Client,
    ar: &ApiResource,
    namespace: Option<&str>,
    object: Value,
) -> Result<DynamicObject, kube::Error> {
    let name = object["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let params = PatchParams::apply(FIELD_MANAGER).force();
    api(client, ar, namespace)
        .patch(&name, &params, &Patch::Apply(object))
        .await
}

pub async fn get(
    client: &kube::Client,
    ar: &ApiResource,
    namespace: Option<&str>,
    name: &str,
) -> Result<Option<DynamicObject>, kube::Error> {
    api(client, ar, namespace).get_opt(name).await
}

/// Deletes an object; `Ok(false)` when it was already gone.
pub async fn delete(
    client: &kube::Client,
    ar: &ApiResource,
    namespace: Option<&str>,
    name: &str,
) -> Result<bool, kube::Error> {
    match api(client, ar, namespace)
        .delete(name, &DeleteParams::background())
        .await
    {
        Ok(_) => Ok(true),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(false),
        Err(e) => Err(e),
    }
}

pub async fn list(
    client: &kube::Client,
    ar: &ApiResource,
    namespace: Option<&str>,
    label_selector: &str,
) -> Result<Vec<DynamicObject>, kube::Error> {
    let params = ListParams::default().labels(label_selector);
    Ok(api(client, ar, namespace).list(&params).await?.items)
}

/// Which tenancy APIs a cluster serves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ServedApis {
    /// `capsule.clastix.io/v1beta2` (Tenant).
    pub capsule: bool,
    /// `core.oam.dev/v1beta1` (Application).
    pub kube_vela: bool,
}

/// Reads the API groups of a cluster (one discovery call).
pub async fn served_apis(client: &kube::Client) -> Result<ServedApis, kube::Error> {
    let groups = client.list_api_groups().await?;
    let serves = |group: &str, version: &str| {
        groups
            .groups
            .iter()
            .any(|g| g.name == group && g.versions.iter().any(|v| v.version == version))
    };
    Ok(ServedApis {
        capsule: serves("capsule.clastix.io", "v1beta2"),
        kube_vela: serves("core.oam.dev", "v1beta1"),
    })
}
