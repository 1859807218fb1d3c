//! What the RBAC snapshot reports besides decisions: rules for a rules review, the bootstrap
//! policy objects, and ClusterRole aggregation written back into the objects.

mod rbac_fixture;

use kubesim::rbac::{aggregate_cluster_roles, bootstrap_rbac_objects};
use rbac_fixture::{fixture, who};
use serde_json::json;

#[test]
fn rules_for_lists_cluster_and_namespace_rules() {
    let rbac = fixture();
    let (resource, non_resource) = rbac.rules_for(&who("bob", &[]), "team-a");
    let json = serde_json::to_value(&resource).unwrap();
    assert!(
        json.as_array().unwrap().contains(&json!({
            "verbs": ["get", "list", "watch"], "apiGroups": [""], "resources": ["pods"]
        })),
        "bob's RoleBinding rules missing: {json}"
    );
    assert!(
        json.as_array()
            .unwrap()
            .iter()
            .any(|r| r["resources"]
                == json!(["selfsubjectaccessreviews", "selfsubjectrulesreviews"])),
        "basic-user rules missing: {json}"
    );
    assert!(
        non_resource
            .iter()
            .any(|r| r.non_resource_urls.contains(&"/api/*".to_string())),
        "discovery rules missing: {non_resource:?}"
    );
    // Nothing from team-a elsewhere.
    let (elsewhere, _) = rbac.rules_for(&who("bob", &[]), "team-b");
    assert!(
        !elsewhere
            .iter()
            .any(|r| r.resources == vec!["pods".to_string()]),
        "{elsewhere:?}"
    );
    // A dangling reference makes the answer incomplete.
    let (_, _, errors) = rbac.rules_review(&who("dave", &[]), "x");
    assert_eq!(
        errors,
        vec!["clusterrole.rbac.authorization.k8s.io \"no-such-role\" not found".to_string()]
    );
}

#[test]
fn bootstrap_objects_are_what_a_cluster_has() {
    let objects = bootstrap_rbac_objects();
    let find = |kind: &str, name: &str| {
        objects
            .iter()
            .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
            .unwrap_or_else(|| panic!("{kind} {name} missing"))
    };
    for name in [
        "cluster-admin",
        "admin",
        "edit",
        "view",
        "system:discovery",
        "system:basic-user",
        "system:public-info-viewer",
    ] {
        let role = find("ClusterRole", name);
        assert_eq!(role["apiVersion"], "rbac.authorization.k8s.io/v1");
        assert!(
            !role["rules"].as_array().unwrap().is_empty(),
            "{name} has no rules"
        );
    }
    // The aggregation is visible in the stored objects, as after the controller ran.
    let view_rules = find("ClusterRole", "view")["rules"]
        .as_array()
        .unwrap()
        .len();
    let edit_rules = find("ClusterRole", "edit")["rules"]
        .as_array()
        .unwrap()
        .len();
    let admin_rules = find("ClusterRole", "admin")["rules"]
        .as_array()
        .unwrap()
        .len();
    assert!(view_rules < edit_rules && edit_rules < admin_rules);
    assert_eq!(
        find("ClusterRoleBinding", "cluster-admin")["subjects"][0]["name"],
        "system:masters"
    );
    assert_eq!(
        find("ClusterRoleBinding", "system:discovery")["subjects"][0]["name"],
        "system:authenticated"
    );
}

#[test]
fn aggregation_is_recomputed_not_accumulated() {
    let mut roles = vec![
        json!({"kind": "ClusterRole", "metadata": {"name": "agg"},
               "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"x": "true"}}]},
               "rules": [{"apiGroups": [""], "resources": ["stale"], "verbs": ["get"]}]}),
        json!({"kind": "ClusterRole", "metadata": {"name": "part", "labels": {"x": "true"}},
               "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]}),
    ];
    aggregate_cluster_roles(&mut roles);
    assert_eq!(
        roles[0]["rules"],
        json!([{"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}])
    );
    // The labelled role goes away: its rules leave the aggregate.
    roles.truncate(1);
    aggregate_cluster_roles(&mut roles);
    assert_eq!(roles[0]["rules"], json!([]));
}
