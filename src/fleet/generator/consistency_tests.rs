//! Cross-object consistency of generated worlds: selectors against matches, reports against
//! the clusters and sources they name.

use super::tests::{Key, key, kind, of_kind};
use super::{FleetSpec, generate};
use serde_json::Value;
use std::collections::BTreeSet;

/// A label selector's verdict on a label set (matchLabels; In / NotIn / Exists / DoesNotExist).
fn selects(selector: &Value, labels: &Value) -> bool {
    let label = |key: &str| labels.get(key).and_then(Value::as_str);
    let by_labels = selector["matchLabels"]
        .as_object()
        .into_iter()
        .flatten()
        .all(|(k, v)| label(k) == v.as_str());
    let by_expressions = selector["matchExpressions"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|e| {
            let key = e["key"].as_str().unwrap();
            let values: Vec<&str> = e["values"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            match e["operator"].as_str().unwrap() {
                "In" => label(key).is_some_and(|v| values.contains(&v)),
                "NotIn" => label(key).is_none_or(|v| !values.contains(&v)),
                "Exists" => label(key).is_some(),
                "DoesNotExist" => label(key).is_none(),
                other => panic!("operator {other}"),
            }
        });
    by_labels && by_expressions
}

fn reference_key(r: &Value) -> Key {
    (
        r["kind"].as_str().unwrap().to_owned(),
        r["namespace"].as_str().unwrap().to_owned(),
        r["name"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn matching_clusters_are_what_selectors_and_cluster_refs_select() {
    // The small world needs clusterRefs to reach its summary target; the demo one does not.
    let small = generate(&FleetSpec::small(12));
    assert!(
        of_kind(&small, "ClusterProfile")
            .iter()
            .any(|p| p["spec"]["clusterRefs"].is_array())
    );
    check_matching(&small);
    check_matching(&generate(&FleetSpec::demo(12)));
}

fn check_matching(world: &[Value]) {
    let clusters: Vec<&Value> = world
        .iter()
        .filter(|o| matches!(kind(o), "Cluster" | "SveltosCluster"))
        .collect();
    let mut checked = 0;
    for p in of_kind(world, "ClusterProfile")
        .into_iter()
        .chain(of_kind(world, "Profile"))
    {
        let namespace = p["metadata"]["namespace"].as_str();
        let mut expected: BTreeSet<Key> = clusters
            .iter()
            .filter(|c| namespace.is_none_or(|ns| c["metadata"]["namespace"] == ns))
            .filter(|c| selects(&p["spec"]["clusterSelector"], &c["metadata"]["labels"]))
            .map(|c| key(c))
            .collect();
        for r in p["spec"]["clusterRefs"].as_array().into_iter().flatten() {
            expected.insert(reference_key(r));
        }
        let actual: BTreeSet<Key> = p["status"]["matchingClusters"]
            .as_array()
            .unwrap()
            .iter()
            .map(reference_key)
            .collect();
        assert_eq!(actual, expected, "{}", p["metadata"]["name"]);
        checked += 1;
    }
    for t in of_kind(world, "EventTrigger") {
        let expected: BTreeSet<Key> = clusters
            .iter()
            .filter(|c| {
                selects(
                    &t["spec"]["sourceClusterSelector"],
                    &c["metadata"]["labels"],
                )
            })
            .map(|c| key(c))
            .collect();
        let actual: BTreeSet<Key> = t["status"]["matchingClusters"]
            .as_array()
            .unwrap()
            .iter()
            .map(reference_key)
            .collect();
        assert_eq!(actual, expected, "{}", t["metadata"]["name"]);
        checked += 1;
    }
    assert!(checked > 10);
}

#[test]
fn reports_point_at_existing_clusters_and_sources() {
    let world = generate(&FleetSpec::demo(13));
    let existing: BTreeSet<Key> = world.iter().map(key).collect();
    let cluster_key = |spec: &Value| {
        let kind = if spec["clusterType"] == "Capi" {
            "Cluster"
        } else {
            "SveltosCluster"
        };
        (
            kind.to_owned(),
            spec["clusterNamespace"].as_str().unwrap().to_owned(),
            spec["clusterName"].as_str().unwrap().to_owned(),
        )
    };
    for r in of_kind(&world, "EventReport") {
        assert!(existing.contains(&cluster_key(&r["spec"])));
        let source = r["spec"]["eventSourceName"].as_str().unwrap().to_owned();
        assert!(existing.contains(&("EventSource".to_owned(), String::new(), source)));
    }
    for r in of_kind(&world, "ClassifierReport")
        .into_iter()
        .chain(of_kind(&world, "ManagementClusterClassifierReport"))
    {
        if r["spec"]["clusterName"] != "" {
            assert!(existing.contains(&cluster_key(&r["spec"])), "{r}");
        }
    }
    for r in of_kind(&world, "ClusterReport") {
        let labels = &r["metadata"]["labels"];
        let kind = if labels[crate::fleet::kinds::CLUSTER_TYPE_LABEL] == "Capi" {
            "Cluster"
        } else {
            "SveltosCluster"
        };
        let cluster = (
            kind.to_owned(),
            r["spec"]["clusterNamespace"].as_str().unwrap().to_owned(),
            r["spec"]["clusterName"].as_str().unwrap().to_owned(),
        );
        assert!(existing.contains(&cluster));
    }
}

#[test]
fn generated_dependencies_resolve_with_one_unresolved_name() {
    use crate::fleet::kinds::{ClusterProfile, Profile, ProfileDependencies, ProfileId};
    let world = generate(&FleetSpec::demo(14));
    let mut entries: Vec<(ProfileId, Vec<String>)> = Vec::new();
    for p in of_kind(&world, "ClusterProfile") {
        let typed: ClusterProfile = serde_json::from_value(p.clone()).unwrap();
        entries.push((typed.id(), typed.spec.depends_on().to_vec()));
    }
    for p in of_kind(&world, "Profile") {
        let typed: Profile = serde_json::from_value(p.clone()).unwrap();
        entries.push((typed.id(), typed.spec.depends_on().to_vec()));
    }
    let graph =
        ProfileDependencies::resolve(entries.iter().map(|(id, d)| (id.clone(), d.as_slice())));
    let unresolved: Vec<&ProfileId> = graph.unresolved.values().flatten().collect();
    assert_eq!(
        unresolved,
        [&ProfileId::cluster_profile(super::MISSING_DEPENDENCY)]
    );
    // Chains: some profile both depends on one and is depended on.
    assert!(
        graph
            .dependencies
            .keys()
            .any(|id| !graph.dependents_of(id).is_empty())
    );
    assert!(
        graph.dependencies.keys().any(|id| id.namespace.is_some()),
        "no Profile dependency"
    );
}
