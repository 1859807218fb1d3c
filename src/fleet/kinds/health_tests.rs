//! The cases of upstream's manager_test.go for the health flags and summary ownership.

use super::HealthFlags;
use crate::fleet::kinds::{
    ClusterSummary, ClusterType, FeatureId, FeatureStatus, FeatureStatusRow, ProfileKind,
    ProfileOwner,
};
use serde_json::{Value, json};

fn summary(name: &str, status: Value) -> ClusterSummary {
    serde_json::from_value(json!({
        "apiVersion": "config.projectsveltos.io/v1beta1",
        "kind": "ClusterSummary",
        "metadata": {
            "name": name,
            "namespace": "ns",
            "labels": {
                "projectsveltos.io/cluster-name": "c1",
                "projectsveltos.io/cluster-type": "Capi"
            },
            "ownerReferences": [{
                "apiVersion": "config.projectsveltos.io/v1beta1",
                "kind": "ClusterProfile",
                "name": "p1",
                "uid": "u1"
            }]
        },
        "spec": {"clusterNamespace": "ns", "clusterName": "c1", "clusterType": "Capi"},
        "status": status
    }))
    .unwrap()
}

fn features(entries: &[(&str, Option<&str>)]) -> Value {
    let list: Vec<Value> = entries
        .iter()
        .enumerate()
        .map(|(i, (status, message))| {
            let id = ["Resources", "Helm", "Kustomize"][i % 3];
            let mut feature = json!({"featureID": id, "status": status});
            if let Some(message) = message {
                feature["failureMessage"] = json!(message);
            }
            feature
        })
        .collect();
    json!({ "featureSummaries": list })
}

fn flags(summaries: &[&ClusterSummary]) -> HealthFlags {
    HealthFlags::from_summaries(summaries.iter().copied())
}

#[test]
fn failed_feature_has_issues() {
    let s = summary("s", features(&[("Failed", Some("boom"))]));
    assert!(flags(&[&s]).has_issues);
}

#[test]
fn failed_non_retriable_has_issues() {
    let s = summary("s", features(&[("FailedNonRetriable", None)]));
    assert!(flags(&[&s]).has_issues);
}

#[test]
fn provisioning_with_message_has_issues_and_is_not_provisioning() {
    let s = summary(
        "s",
        features(&[("Provisioning", Some("retrying: timeout"))]),
    );
    let f = flags(&[&s]);
    assert!(f.has_issues);
    assert!(!f.is_provisioning);
}

#[test]
fn clean_provisioning_is_provisioning_without_issues() {
    let s = summary("s", features(&[("Provisioning", None)]));
    let f = flags(&[&s]);
    assert!(!f.has_issues);
    assert!(f.is_provisioning);
    let empty_message = summary("s", features(&[("Provisioning", Some(""))]));
    assert_eq!(flags(&[&empty_message]), f);
}

#[test]
fn issues_clear_on_recovery_and_removal() {
    let failing = summary("s", features(&[("Failed", Some("boom"))]));
    let recovered = summary("s", features(&[("Provisioned", None)]));
    assert!(flags(&[&failing]).has_issues);
    assert!(!flags(&[&recovered]).has_issues);
    assert_eq!(flags(&[]), HealthFlags::default());
}

#[test]
fn issues_stay_while_another_summary_still_fails() {
    let a_recovered = summary("a", features(&[("Provisioned", None)]));
    let b_failing = summary("b", features(&[("Failed", Some("boom"))]));
    assert!(flags(&[&a_recovered, &b_failing]).has_issues);
}

#[test]
fn waiting_for_dependencies_with_no_features_is_provisioning() {
    let s = summary(
        "s",
        json!({"dependencies": "waiting for ClusterProfile p0"}),
    );
    assert!(flags(&[&s]).is_provisioning);
}

#[test]
fn no_features_and_no_dependencies_is_not_provisioning() {
    let s = summary("s", json!({}));
    assert_eq!(flags(&[&s]), HealthFlags::default());
    let mut no_status = s.clone();
    no_status.status = None;
    assert_eq!(flags(&[&no_status]), HealthFlags::default());
}

#[test]
fn provisioning_is_false_when_issues_present() {
    let provisioning = summary("a", features(&[("Provisioning", None)]));
    let failing = summary("b", features(&[("Failed", Some("boom"))]));
    let f = flags(&[&provisioning, &failing]);
    assert!(f.has_issues);
    assert!(!f.is_provisioning);
    let mixed = summary("c", features(&[("Provisioning", None), ("Failed", None)]));
    assert!(!flags(&[&mixed]).is_provisioning);
}

#[test]
fn all_provisioned_with_dependencies_message_is_not_provisioning() {
    let mut status = features(&[("Provisioned", None), ("Provisioned", None)]);
    status["dependencies"] = json!("All dependencies deployed");
    let s = summary("s", status);
    assert!(!flags(&[&s]).is_provisioning);
}

#[test]
fn provisioning_clears_on_provisioned_and_removal() {
    let provisioning = summary(
        "s",
        features(&[("Provisioned", None), ("Provisioning", None)]),
    );
    let done = summary(
        "s",
        features(&[("Provisioned", None), ("Provisioned", None)]),
    );
    assert!(flags(&[&provisioning]).is_provisioning);
    assert!(!flags(&[&done]).is_provisioning);
    assert!(!flags(&[]).is_provisioning);
}

#[test]
fn removing_features_are_neither_issue_nor_provisioning() {
    let s = summary("s", features(&[("Removing", None), ("Removed", None)]));
    assert_eq!(flags(&[&s]), HealthFlags::default());
}

fn releases(entries: Value) -> Value {
    json!({ "helmReleaseSummaries": entries })
}

#[test]
fn managing_with_latest_version_is_outdated() {
    let s = summary(
        "s",
        releases(
            json!([{"releaseName": "r", "releaseNamespace": "n", "status": "Managing",
            "latestVersion": "2.0.0"}]),
        ),
    );
    assert!(flags(&[&s]).has_outdated_helm_charts);
}

#[test]
fn managing_with_latest_patch_version_is_outdated() {
    let s = summary(
        "s",
        releases(
            json!([{"releaseName": "r", "releaseNamespace": "n", "status": "Managing",
            "latestPatchVersion": "1.0.3"}]),
        ),
    );
    assert!(flags(&[&s]).has_outdated_helm_charts);
}

#[test]
fn only_last_checked_time_is_not_outdated() {
    let s = summary(
        "s",
        releases(
            json!([{"releaseName": "r", "releaseNamespace": "n", "status": "Managing",
            "lastCheckedTime": "2026-01-02T03:04:05Z"}]),
        ),
    );
    assert!(!flags(&[&s]).has_outdated_helm_charts);
}

#[test]
fn conflict_release_is_ignored_for_outdated() {
    let s = summary(
        "s",
        releases(
            json!([{"releaseName": "r", "releaseNamespace": "n", "status": "Conflict",
            "latestVersion": "2.0.0", "conflictMessage": "owned by p2"}]),
        ),
    );
    assert!(!flags(&[&s]).has_outdated_helm_charts);
}

#[test]
fn outdated_clears_on_removal() {
    let s = summary(
        "s",
        releases(
            json!([{"releaseName": "r", "releaseNamespace": "n", "status": "Managing",
            "latestVersion": "2.0.0"}]),
        ),
    );
    let other = summary("o", features(&[("Provisioned", None)]));
    assert!(flags(&[&s, &other]).has_outdated_helm_charts);
    assert!(!flags(&[&other]).has_outdated_helm_charts);
}

#[test]
fn owner_is_the_config_group_profile() {
    let s = summary("s", json!({}));
    assert_eq!(
        s.owner_profile(),
        Some(ProfileOwner {
            kind: ProfileKind::ClusterProfile,
            name: "p1".into()
        })
    );
    assert!(s.is_tracked());

    let mut profile_owned = s.clone();
    let owners = profile_owned.metadata.owner_references.as_mut().unwrap();
    owners[0].kind = "Profile".into();
    owners[0].name = "team".into();
    assert_eq!(
        profile_owned.owner_profile(),
        Some(ProfileOwner {
            kind: ProfileKind::Profile,
            name: "team".into()
        })
    );
}

#[test]
fn foreign_or_non_profile_owners_are_ignored() {
    let mut s = summary("s", json!({}));
    let owners = s.metadata.owner_references.as_mut().unwrap();
    owners[0].api_version = "other.io/v1".into();
    assert_eq!(s.owner_profile(), None);
    assert!(!s.is_tracked());

    let mut t = summary("t", json!({}));
    let owners = t.metadata.owner_references.as_mut().unwrap();
    owners[0].kind = "EventTrigger".into();
    assert_eq!(t.owner_profile(), None);
}

#[test]
fn summaries_without_cluster_labels_are_not_tracked() {
    let mut s = summary("s", json!({}));
    s.metadata.labels = None;
    assert!(!s.is_tracked());
    let mut t = summary("t", json!({}));
    t.metadata
        .labels
        .as_mut()
        .unwrap()
        .insert("projectsveltos.io/cluster-type".into(), String::new());
    assert!(!t.is_tracked());
}

#[test]
fn profile_status_keeps_owner_cluster_and_feature_rows() {
    let s = summary(
        "p1-capi-c1",
        features(&[("Provisioned", None), ("Failed", Some("boom"))]),
    );
    let status = s.profile_status().unwrap();
    assert_eq!(
        status.profile,
        ProfileOwner {
            kind: ProfileKind::ClusterProfile,
            name: "p1".into()
        }
    );
    assert_eq!(status.namespace, "ns");
    assert_eq!(status.cluster_type, ClusterType::Capi);
    assert_eq!(status.cluster_name, "c1");
    assert_eq!(
        status.features,
        vec![
            FeatureStatusRow {
                feature_id: FeatureId::Resources,
                status: Some(FeatureStatus::Provisioned),
                failure_message: None,
            },
            FeatureStatusRow {
                feature_id: FeatureId::Helm,
                status: Some(FeatureStatus::Failed),
                failure_message: Some("boom".into()),
            },
        ]
    );
    let kept: Vec<bool> = status
        .features
        .iter()
        .map(FeatureStatusRow::kept_by_failed_filter)
        .collect();
    assert_eq!(kept, [false, true]);
}

#[test]
fn profile_status_is_none_for_untracked_summaries() {
    let mut unlabeled = summary("s", json!({}));
    unlabeled.metadata.labels = None;
    assert_eq!(unlabeled.profile_status(), None);
    let mut bad_type = summary("s", json!({}));
    bad_type.spec.cluster_type = "Kind".into();
    assert_eq!(bad_type.profile_status(), None);
}

#[test]
fn failed_filter_drops_only_provisioned_and_removed() {
    for (status, kept) in [
        ("Provisioned", false),
        ("Removed", false),
        ("Provisioning", true),
        ("Failed", true),
        ("FailedNonRetriable", true),
        ("Removing", true),
        ("AgentRemoving", true),
        ("SomethingNew", true),
    ] {
        let row = FeatureStatusRow {
            feature_id: FeatureId::Helm,
            status: Some(FeatureStatus::from(status)),
            failure_message: None,
        };
        assert_eq!(row.kept_by_failed_filter(), kept, "{status}");
    }
    let no_status = FeatureStatusRow {
        feature_id: FeatureId::Helm,
        status: None,
        failure_message: None,
    };
    assert!(no_status.kept_by_failed_filter());
}
