//! `clusterInfo` derivation (decisions.md §5, sveltos-ui-backend.md §3.1), case by case, on
//! objects that the upstream schemas accept.

mod fleet_support;

use fleet_support::{UpstreamCrds, check_admitted};
use fleetgraph::fleet::kinds::{
    CapiCluster, CapiClusterV1beta1, ClusterInfo, Condition, FAILURE_CONDITION_TYPES,
    SveltosCluster, false_condition_messages,
};
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn admitted(object: Value) -> Value {
    let crds = UpstreamCrds::load();
    check_admitted(crds.schema_for(&object), &object).unwrap();
    object
}

fn condition(type_: &str, status: &str, message: &str) -> Value {
    json!({
        "type": type_, "status": status, "reason": "Reason", "message": message,
        "lastTransitionTime": "2026-01-01T00:00:00Z",
    })
}

fn v1beta2(spec: Value, status: Value) -> ClusterInfo {
    let object = admitted(json!({
        "apiVersion": "cluster.x-k8s.io/v1beta2",
        "kind": "Cluster",
        "metadata": {"name": "c1", "namespace": "ns", "labels": {"env": "prod"}},
        "spec": spec,
        "status": status,
    }));
    serde_json::from_value::<CapiCluster>(object)
        .unwrap()
        .cluster_info()
}

fn v1beta1(spec: Value, status: Value) -> ClusterInfo {
    let object = admitted(json!({
        "apiVersion": "cluster.x-k8s.io/v1beta1",
        "kind": "Cluster",
        "metadata": {"name": "c1", "namespace": "ns"},
        "spec": spec,
        "status": status,
    }));
    serde_json::from_value::<CapiClusterV1beta1>(object)
        .unwrap()
        .cluster_info()
}

#[test]
fn capi_v1beta2_topology_version_ready_and_labels() {
    let info = v1beta2(
        json!({"topology": {"classRef": {"name": "quick-start"}, "version": "v1.31.2"}}),
        json!({"initialization": {"controlPlaneInitialized": true}}),
    );
    assert_eq!(
        info,
        ClusterInfo {
            labels: BTreeMap::from([("env".to_owned(), "prod".to_owned())]),
            version: "v1.31.2".into(),
            ready: true,
            paused: false,
            pull_mode: false,
            failure_message: None,
            connection_status: None,
        }
    );
}

#[test]
fn capi_v1beta2_version_falls_back_to_the_control_plane() {
    let status = json!({
        "initialization": {"infrastructureProvisioned": true},
        "controlPlane": {"versions": [
            {"version": "v1.30.4", "replicas": 1},
            {"version": "v1.31.2", "replicas": 2}
        ]},
    });
    let info = v1beta2(json!({"paused": true}), status);
    assert_eq!(info.version, "v1.31.2");
    // controlPlaneInitialized absent: not ready.
    assert!(!info.ready);
    assert!(info.paused);
    assert!(info.labels.contains_key("env"));
}

#[test]
fn capi_v1beta2_without_version_anywhere_is_empty() {
    let info = v1beta2(json!({"paused": false}), json!({"phase": "Pending"}));
    assert_eq!(info.version, "");
    assert!(!info.ready);
}

#[test]
fn capi_failure_message_joins_false_ready_and_available_messages() {
    let status = json!({
        "initialization": {"controlPlaneInitialized": true},
        "conditions": [
            condition("Available", "False", "* WorkersAvailable: 1 of 3 not available"),
            condition("ControlPlaneInitialized", "False", "ignored: not Ready/Available"),
            condition("Ready", "False", "control plane unreachable"),
            condition("Paused", "False", "ignored: not Ready/Available"),
        ],
    });
    let info = v1beta2(json!({"paused": false}), status);
    assert_eq!(
        info.failure_message.as_deref(),
        Some("* WorkersAvailable: 1 of 3 not available; control plane unreachable")
    );
    assert!(info.ready);
}

#[test]
fn failure_messages_skip_true_unknown_and_repeated_messages() {
    // v1beta2 conditions are a list-map keyed by type, so repeats only happen across lists.
    let conditions: Vec<Condition> = serde_json::from_value(json!([
        condition("Ready", "True", "ignored: True"),
        condition("Available", "Unknown", "ignored: Unknown"),
        condition("Available", "False", "same"),
        condition("Ready", "False", " same "),
    ]))
    .unwrap();
    assert_eq!(
        false_condition_messages(&conditions, &FAILURE_CONDITION_TYPES).as_deref(),
        Some("same")
    );
}

#[test]
fn capi_failure_message_is_none_when_conditions_are_true_or_silent() {
    let status = json!({
        "conditions": [
            condition("Available", "True", ""),
            condition("Ready", "False", ""),
        ],
    });
    assert_eq!(
        v1beta2(json!({"paused": false}), status).failure_message,
        None
    );
}

#[test]
fn capi_v1beta1_uses_control_plane_ready_and_both_condition_lists() {
    let status = json!({
        "controlPlaneReady": true,
        "conditions": [{
            "type": "Ready", "status": "False", "reason": "WaitingForWorkers",
            "severity": "Info", "message": "waiting for workers",
            "lastTransitionTime": "2026-01-01T00:00:00Z",
        }],
        "v1beta2": {"conditions": [condition("Available", "False", "not available yet")]},
    });
    let info = v1beta1(
        json!({"topology": {"class": "quick-start", "version": "v1.29.8"}}),
        status,
    );
    assert_eq!(info.version, "v1.29.8");
    assert!(info.ready);
    assert_eq!(
        info.failure_message.as_deref(),
        Some("waiting for workers; not available yet")
    );
    let not_ready = v1beta1(json!({"paused": true}), json!({"controlPlaneReady": false}));
    assert!(!not_ready.ready);
    assert!(not_ready.paused);
    assert_eq!(not_ready.version, "");
}

fn sveltos(spec: Value, status: Value) -> ClusterInfo {
    let object = admitted(json!({
        "apiVersion": "lib.projectsveltos.io/v1beta1",
        "kind": "SveltosCluster",
        "metadata": {"name": "s1", "namespace": "ns", "labels": {"tier": "gold"}},
        "spec": spec,
        "status": status,
    }));
    serde_json::from_value::<SveltosCluster>(object)
        .unwrap()
        .cluster_info()
}

#[test]
fn sveltos_cluster_fields_come_from_status_and_spec() {
    let info = sveltos(
        json!({"kubeconfigName": "s1-kubeconfig", "paused": true, "pullMode": false}),
        json!({"version": "v1.30.4", "ready": true, "connectionStatus": "Healthy"}),
    );
    assert_eq!(
        info,
        ClusterInfo {
            labels: BTreeMap::from([("tier".to_owned(), "gold".to_owned())]),
            version: "v1.30.4".into(),
            ready: true,
            paused: true,
            pull_mode: false,
            failure_message: None,
            connection_status: Some("Healthy".into()),
        }
    );
}

#[test]
fn sveltos_cluster_down_in_pull_mode() {
    let info = sveltos(
        json!({"pullMode": true}),
        json!({"ready": false, "connectionStatus": "Down", "failureMessage": "i/o timeout"}),
    );
    assert!(info.pull_mode);
    assert!(!info.ready);
    assert!(!info.paused);
    assert_eq!(info.version, "");
    assert_eq!(info.failure_message.as_deref(), Some("i/o timeout"));
    assert_eq!(info.connection_status.as_deref(), Some("Down"));
}

#[test]
fn sveltos_cluster_without_status_is_not_ready() {
    let object = admitted(json!({
        "apiVersion": "lib.projectsveltos.io/v1beta1",
        "kind": "SveltosCluster",
        "metadata": {"name": "s2", "namespace": "ns"},
        "spec": {"kubeconfigName": "s2-kubeconfig"},
    }));
    let info = serde_json::from_value::<SveltosCluster>(object)
        .unwrap()
        .cluster_info();
    assert_eq!(info, ClusterInfo::default());
}
