//! Classifiers, ManagementClusterClassifiers and their reports.

use super::support::{hash, section_rng};
use super::{FleetSpec, PlannedCluster, group_members};
use crate::fleet::kinds::{ClusterType, LIB_API_VERSION, classifier_report_name};
use serde_json::{Value, json};

fn classifier_group(spec: &FleetSpec, i: usize) -> usize {
    (i * 5 + 2) % spec.groups()
}

fn mcc_group(spec: &FleetSpec, i: usize) -> usize {
    (i * 11 + 3) % spec.groups()
}

/// Whether cluster `c` is classified by classifier `i` (the others get `match: false`).
fn classified(i: usize, c: usize) -> bool {
    !(c + i).is_multiple_of(3)
}

/// Whether another classifier already manages this classifier's label on cluster `c`.
fn conflicted(i: usize, c: usize) -> bool {
    (c + i) % 4 == 1
}

fn labels_of(i: usize) -> Value {
    json!([
        {"key": "sveltos.io/classified-by", "value": format!("cl-{i:03}")},
        {"key": "sveltos.io/gpu", "value": if i.is_multiple_of(2) { "true" } else { "false" }},
    ])
}

/// Write every Classifier (with status consistent with its reports) and every
/// ManagementClusterClassifier.
pub(super) fn write_classifiers(
    spec: &FleetSpec,
    clusters: &[PlannedCluster],
    out: &mut Vec<Value>,
) {
    let members = group_members(spec, clusters);
    for i in 0..spec.classifiers {
        let statuses: Vec<Value> = members[classifier_group(spec, i)]
            .iter()
            .filter(|&&c| classified(i, c))
            .map(|&c| {
                let mut status = json!({
                    "clusterRef": clusters[c].reference(),
                    "managedLabels": ["sveltos.io/classified-by"],
                });
                if conflicted(i, c) {
                    status["unManagedLabels"] = json!([{
                        "key": "sveltos.io/gpu",
                        "failureMessage": "label sveltos.io/gpu is already managed by another classifier",
                    }]);
                } else {
                    status["managedLabels"] = json!(["sveltos.io/classified-by", "sveltos.io/gpu"]);
                }
                status
            })
            .collect();
        let mut classifier_spec = json!({
            "classifierLabels": labels_of(i),
            "kubernetesVersionConstraints": [{"version": "1.29.0", "comparison": "GreaterThanOrEqualTo"}],
        });
        if i.is_multiple_of(2) {
            classifier_spec["deployedResourceConstraint"] = json!({
                "resourceSelectors": [{
                    "group": "apps", "version": "v1", "kind": "Deployment", "namespace": "gpu-operator",
                }],
                "aggregatedClassification": "function evaluate()\n  return {matching = true}\nend\n",
            });
        }
        out.push(json!({
            "apiVersion": LIB_API_VERSION,
            "kind": "Classifier",
            "metadata": {"name": format!("cl-{i:03}")},
            "spec": classifier_spec,
            "status": {"machingClusterStatuses": statuses, "clusterInfo": []},
        }));
    }
    for i in 0..spec.management_classifiers {
        out.push(json!({
            "apiVersion": LIB_API_VERSION,
            "kind": "ManagementClusterClassifier",
            "metadata": {"name": format!("mcc-{i:03}")},
            "spec": {
                "matchResources": [{"group": "", "version": "v1", "kind": "ConfigMap", "namespace": "fleet-inventory"}],
                "classificationLua": "function evaluate()\n  return {matching = true}\nend\n",
                "classifierLabels": [{"key": "sveltos.io/inventory", "value": format!("mcc-{i:03}")}],
            },
            "status": {},
        }));
    }
}

/// Write a ClassifierReport per classifier and cluster of its group (`match` true or false), one
/// report without a cluster name, and ManagementClusterClassifierReports likewise.
pub(super) fn write_reports(spec: &FleetSpec, clusters: &[PlannedCluster], out: &mut Vec<Value>) {
    let members = group_members(spec, clusters);
    let mut rng = section_rng(spec.seed, "classifier-reports");
    let phantom_namespace = clusters
        .first()
        .map(|c| c.namespace.as_str())
        .unwrap_or("default");
    for i in 0..spec.classifiers {
        let name = format!("cl-{i:03}");
        for &c in &members[classifier_group(spec, i)] {
            let cluster = &clusters[c];
            let matches = classified(i, c);
            let mut status = json!({"phase": "Processed", "hash": hash(&mut rng)});
            if matches {
                if conflicted(i, c) {
                    status["managedLabels"] = json!(["sveltos.io/classified-by"]);
                    status["unmanagedLabels"] = json!([{
                        "key": "sveltos.io/gpu",
                        "failureMessage": "label sveltos.io/gpu is already managed by another classifier",
                    }]);
                } else {
                    status["managedLabels"] = json!(["sveltos.io/classified-by", "sveltos.io/gpu"]);
                }
            }
            out.push(classifier_report(
                &name,
                cluster.cluster_type,
                &cluster.namespace,
                &cluster.name,
                matches,
                status,
            ));
        }
        if i == 0 {
            out.push(classifier_report(
                &name,
                ClusterType::Sveltos,
                phantom_namespace,
                "",
                true,
                json!({}),
            ));
        }
    }
    for i in 0..spec.management_classifiers {
        let name = format!("mcc-{i:03}");
        for &c in &members[mcc_group(spec, i)] {
            let cluster = &clusters[c];
            out.push(mcc_report(
                &name,
                cluster.cluster_type,
                &cluster.namespace,
                &cluster.name,
            ));
        }
        if i == 0 {
            out.push(mcc_report(
                &name,
                ClusterType::Sveltos,
                phantom_namespace,
                "",
            ));
        }
    }
}

fn report_name(classifier: &str, cluster_type: ClusterType, cluster: &str) -> String {
    if cluster.is_empty() {
        format!("{classifier}--phantom")
    } else {
        classifier_report_name(cluster_type, classifier, cluster)
    }
}

fn classifier_report(
    classifier: &str,
    cluster_type: ClusterType,
    namespace: &str,
    cluster: &str,
    matches: bool,
    status: Value,
) -> Value {
    json!({
        "apiVersion": LIB_API_VERSION,
        "kind": "ClassifierReport",
        "metadata": {"name": report_name(classifier, cluster_type, cluster), "namespace": namespace},
        "spec": {
            "classifierName": classifier,
            "clusterNamespace": namespace,
            "clusterName": cluster,
            "clusterType": cluster_type.as_str(),
            "match": matches,
        },
        "status": status,
    })
}

fn mcc_report(
    classifier: &str,
    cluster_type: ClusterType,
    namespace: &str,
    cluster: &str,
) -> Value {
    let mut status = json!({});
    if !cluster.is_empty() {
        status["managedLabels"] = json!(["sveltos.io/inventory"]);
    }
    json!({
        "apiVersion": LIB_API_VERSION,
        "kind": "ManagementClusterClassifierReport",
        "metadata": {"name": report_name(classifier, cluster_type, cluster), "namespace": namespace},
        "spec": {
            "classifierName": classifier,
            "clusterNamespace": namespace,
            "clusterName": cluster,
            "clusterType": cluster_type.as_str(),
        },
        "status": status,
    })
}
