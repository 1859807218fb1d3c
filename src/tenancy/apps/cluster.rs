//! The apps' reads and writes in a registered cluster: the Application itself (server-side
//! apply, so repeating a write converges), its workflow status, its ApplicationRevisions and
//! its pods' logs.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::{DeleteParams, ListParams, LogParams, Patch, PatchParams};
use serde_json::{Value, json};

use super::vela::{
    APP_NAME_LABEL, Application, ApplicationRevision, COMPONENT_LABEL, GROUP_VERSION,
    WorkflowStatus,
};
use crate::error::{Error, Result};

/// The field manager fleetgraph applies with.
pub const FIELD_MANAGER: &str = "fleetgraph";

/// Maps a kube error to the caller's error: what the cluster refused stays the caller's
/// problem, everything else means the cluster is unavailable.
pub fn kube_error(what: &str, e: kube::Error) -> Error {
    match e {
        kube::Error::Api(status) => match status.code {
            404 => Error::NotFound(format!("{what}: {}", status.message)),
            409 => Error::Conflict(format!("{what}: {}", status.message)),
            400 | 422 => Error::bad_input(format!(
                "{what}: the cluster rejected it: {}",
                status.message
            )),
            401 | 403 => Error::Unavailable(format!(
                "{what}: fleetgraph's credentials for this cluster are not allowed to do this: {}",
                status.message
            )),
            _ => Error::Unavailable(format!(
                "{what}: the cluster answered {} {}; retry later",
                status.code, status.message
            )),
        },
        other => Error::Unavailable(format!(
            "{what}: the cluster cannot be reached ({other}); retry later"
        )),
    }
}

fn is_not_found(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.code == 404)
}

pub async fn get_application(
    client: &kube::Client,
    namespace: &str,
    name: &str,
) -> Result<Option<Application>> {
    let api: Api<Application> = Api::namespaced(client.clone(), namespace);
    api.get_opt(name)
        .await
        .map_err(|e| kube_error(&format!("reading Application {namespace}/{name}"), e))
}

/// Applies the whole Application fleetgraph owns: labels, annotations and spec. Fields this
/// manager set before and no longer sends are removed (components dropped, policies cleared).
pub async fn apply_application(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    labels: &BTreeMap<String, String>,
    annotations: &BTreeMap<String, String>,
    spec: &Value,
) -> Result<Application> {
    let api: Api<Application> = Api::namespaced(client.clone(), namespace);
    let object = json!({
        "apiVersion": GROUP_VERSION,
        "kind": "Application",
        "metadata": {"name": name, "namespace": namespace, "labels": labels, "annotations": annotations},
        "spec": spec,
    });
    api.patch(
        name,
        &PatchParams::apply(FIELD_MANAGER).force(),
        &Patch::Apply(&object),
    )
    .await
    .map_err(|e| kube_error(&format!("writing Application {namespace}/{name}"), e))
}

/// Deletes the Application; an Application already gone is not an error.
pub async fn delete_application(client: &kube::Client, namespace: &str, name: &str) -> Result<()> {
    let api: Api<Application> = Api::namespaced(client.clone(), namespace);
    match api.delete(name, &DeleteParams::background()).await {
        Ok(_) => Ok(()),
        Err(e) if is_not_found(&e) => Ok(()),
        Err(e) => Err(kube_error(
            &format!("deleting Application {namespace}/{name}"),
            e,
        )),
    }
}

/// Writes `status.workflow` through the status subresource, guarded by the resourceVersion the
/// change was computed from (a concurrent controller update makes this a CONFLICT).
pub async fn patch_workflow_status(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    resource_version: Option<String>,
    workflow: &WorkflowStatus,
) -> Result<Application> {
    let api: Api<Application> = Api::namespaced(client.clone(), namespace);
    let patch = json!({
        "metadata": {"resourceVersion": resource_version},
        "status": {"workflow": workflow},
    });
    api.patch_status(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .map_err(|e| {
            kube_error(
                &format!("updating the workflow of Application {namespace}/{name}"),
                e,
            )
        })
}

/// The ApplicationRevisions KubeVela made for an app. A cluster without KubeVela's CRDs has
/// none.
pub async fn application_revisions(
    client: &kube::Client,
    namespace: &str,
    app: &str,
) -> Result<Vec<ApplicationRevision>> {
    let api: Api<ApplicationRevision> = Api::namespaced(client.clone(), namespace);
    match api
        .list(&ListParams::default().labels(&format!("{APP_NAME_LABEL}={app}")))
        .await
    {
        Ok(list) => Ok(list.items),
        Err(e) if is_not_found(&e) => Ok(Vec::new()),
        Err(e) => Err(kube_error(
            &format!("listing ApplicationRevisions of {namespace}/{app}"),
            e,
        )),
    }
}

/// The pods of an app's component (or of the whole app), ordered by name.
pub async fn component_pods(
    client: &kube::Client,
    namespace: &str,
    app: &str,
    component: Option<&str>,
) -> Result<Vec<Pod>> {
    let api: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let mut selector = format!("{APP_NAME_LABEL}={app}");
    if let Some(c) = component {
        selector.push_str(&format!(",{COMPONENT_LABEL}={c}"));
    }
    let mut pods = api
        .list(&ListParams::default().labels(&selector))
        .await
        .map_err(|e| kube_error(&format!("listing the pods of {namespace}/{app}"), e))?
        .items;
    pods.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    Ok(pods)
}

/// One container's log through the pod log API, with timestamps.
pub async fn container_log(
    client: &kube::Client,
    namespace: &str,
    pod: &str,
    container: &str,
    tail: i64,
    since_seconds: Option<i64>,
) -> Result<String> {
    let api: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let params = LogParams {
        container: Some(container.to_string()),
        tail_lines: Some(tail),
        since_seconds,
        timestamps: true,
        ..Default::default()
    };
    api.logs(pod, &params).await.map_err(|e| {
        kube_error(
            &format!("reading the log of {namespace}/{pod} container {container}"),
            e,
        )
    })
}
