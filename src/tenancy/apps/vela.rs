//! Typed KubeVela `Application` and `ApplicationRevision` (core.oam.dev/v1beta1).
//!
//! Only what fleetgraph writes or reads is typed; everything else is kept in `extra` so objects
//! written by newer KubeVela versions (or by hand) still parse.

use kube::CustomResource;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub const GROUP_VERSION: &str = "core.oam.dev/v1beta1";
/// KubeVela reruns an Application's workflow only when this annotation changes.
pub const PUBLISH_VERSION: &str = "app.oam.dev/publishVersion";
/// Labels KubeVela puts on the workloads (and so the pods) of a component.
pub const APP_NAME_LABEL: &str = "app.oam.dev/name";
pub const COMPONENT_LABEL: &str = "app.oam.dev/component";

#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[kube(
    group = "core.oam.dev",
    version = "v1beta1",
    kind = "Application",
    namespaced,
    status = "ApplicationStatus",
    schema = "disabled"
)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSpec {
    pub components: Vec<ApplicationComponent>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<AppPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationComponent {
    pub name: String,
    #[serde(rename = "type")]
    pub type_: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub traits: Vec<ApplicationTrait>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct ApplicationTrait {
    #[serde(rename = "type")]
    pub type_: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<Value>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct AppPolicy {
    pub name: String,
    #[serde(rename = "type")]
    pub type_: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<Value>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationStatus {
    /// The application phase, e.g. `running`, `runningWorkflow`, `workflowSuspending`.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub workflow: Option<WorkflowStatus>,
    #[serde(default)]
    pub services: Vec<ServiceStatus>,
    #[serde(default)]
    pub latest_revision: Option<LatestRevision>,
    #[serde(default)]
    pub conditions: Vec<Value>,
    #[serde(default)]
    pub observed_generation: Option<i64>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowStatus {
    #[serde(default)]
    pub app_revision: Option<String>,
    #[serde(default)]
    pub mode: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub suspend: bool,
    #[serde(default)]
    pub terminated: bool,
    #[serde(default)]
    pub finished: bool,
    #[serde(default)]
    pub steps: Vec<StepStatus>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct StepStatus {
    #[serde(default)]
    pub name: String,
    #[serde(default, rename = "type")]
    pub type_: String,
    #[serde(default)]
    pub phase: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sub_steps: Vec<StepStatus>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct ServiceStatus {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub cluster: Option<String>,
    #[serde(default)]
    pub healthy: bool,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub traits: Vec<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct LatestRevision {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub revision: i64,
    #[serde(default)]
    pub revision_hash: Option<String>,
}

/// An `ApplicationRevision`: KubeVela's snapshot of an Application it ran.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[kube(
    group = "core.oam.dev",
    version = "v1beta1",
    kind = "ApplicationRevision",
    namespaced,
    schema = "disabled"
)]
pub struct ApplicationRevisionSpec {
    /// The Application as KubeVela saw it (metadata with annotations, spec).
    #[serde(default)]
    pub application: Value,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ApplicationRevision {
    /// The publishVersion this revision was made for: the revision's own annotation, else the
    /// one recorded on the embedded Application.
    pub fn publish_version(&self) -> Option<String> {
        self.metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(PUBLISH_VERSION).cloned())
            .or_else(|| {
                self.spec
                    .application
                    .pointer("/metadata/annotations")
                    .and_then(|a| a.get(PUBLISH_VERSION))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_fields_are_kept() {
        let app: Application = serde_json::from_value(json!({
            "apiVersion": "core.oam.dev/v1beta1", "kind": "Application",
            "metadata": {"name": "web", "namespace": "ns"},
            "spec": {"components": [{"name": "web", "type": "webservice",
                "properties": {"image": "nginx"}, "scopes": {"x": "y"}}],
                "futureField": 1},
            "status": {"status": "running", "workflow": {"mode": "StepByStep", "suspend": false,
                "terminated": false, "finished": true, "contextBackend": {"name": "c"}},
                "appliedResources": [{"kind": "Deployment"}]}
        }))
        .expect("parses");
        assert_eq!(app.spec.components[0].extra["scopes"], json!({"x": "y"}));
        assert_eq!(app.spec.extra["futureField"], json!(1));
        let status = app.status.expect("status");
        assert!(status.workflow.expect("workflow").finished);
        assert!(status.extra.contains_key("appliedResources"));
    }

    #[test]
    fn revision_publish_version_from_either_place() {
        let rev: ApplicationRevision = serde_json::from_value(json!({
            "apiVersion": "core.oam.dev/v1beta1", "kind": "ApplicationRevision",
            "metadata": {"name": "web-v1", "namespace": "ns"},
            "spec": {"application": {"metadata": {"annotations": {PUBLISH_VERSION: "3"}},
                "spec": {"components": []}}}
        }))
        .expect("parses");
        assert_eq!(rev.publish_version().as_deref(), Some("3"));
    }
}
