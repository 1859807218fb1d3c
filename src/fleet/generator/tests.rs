//! Determinism, sizes and internal consistency of generated worlds.

use super::{FleetSpec, MISSING_DEPENDENCY, MISSING_EVENT_SOURCE, generate};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

pub(super) fn kind(v: &Value) -> &str {
    v["kind"].as_str().unwrap_or_default()
}

pub(super) fn of_kind<'a>(objects: &'a [Value], k: &str) -> Vec<&'a Value> {
    objects.iter().filter(|o| kind(o) == k).collect()
}

/// (kind, namespace, name).
pub(super) type Key = (String, String, String);

pub(super) fn key(o: &Value) -> Key {
    (
        kind(o).to_owned(),
        o["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        o["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

#[test]
fn same_seed_gives_identical_bytes_and_another_seed_does_not() {
    let spec = FleetSpec::demo(7);
    let a = serde_json::to_vec(&generate(&spec)).unwrap();
    let b = serde_json::to_vec(&generate(&spec)).unwrap();
    assert_eq!(a, b);
    let c = serde_json::to_vec(&generate(&FleetSpec::demo(8))).unwrap();
    assert_ne!(a, c);
}

#[test]
fn sizes_are_met() {
    for spec in [FleetSpec::small(1), FleetSpec::demo(2)] {
        let world = generate(&spec);
        let clusters = of_kind(&world, "Cluster").len() + of_kind(&world, "SveltosCluster").len();
        assert_eq!(clusters, spec.clusters);
        let profiles = of_kind(&world, "ClusterProfile").len() + of_kind(&world, "Profile").len();
        assert_eq!(profiles, spec.profiles);
        assert_eq!(of_kind(&world, "ClusterSummary").len(), spec.summaries);
        assert_eq!(
            of_kind(&world, "ClusterConfiguration").len(),
            spec.configurations
        );
        assert_eq!(of_kind(&world, "Namespace").len(), spec.namespaces);
        assert_eq!(of_kind(&world, "EventTrigger").len(), spec.event_triggers);
        assert_eq!(of_kind(&world, "Classifier").len(), spec.classifiers);
    }
}

#[test]
fn names_are_unique() {
    let world = generate(&FleetSpec::demo(3));
    let mut seen = BTreeSet::new();
    for o in &world {
        assert!(seen.insert(key(o)), "duplicate {:?}", key(o));
    }
}

#[test]
fn without_capi_there_are_only_sveltos_clusters() {
    let mut spec = FleetSpec::small(4);
    spec.capi = false;
    let world = generate(&spec);
    assert!(of_kind(&world, "Cluster").is_empty());
    assert_eq!(of_kind(&world, "SveltosCluster").len(), spec.clusters);
}

#[test]
fn small_world_has_every_case() {
    let world = generate(&FleetSpec::small(5));
    for profile_kind in ["ClusterProfile", "Profile"] {
        let modes: BTreeSet<&str> = of_kind(&world, profile_kind)
            .into_iter()
            .filter_map(|p| p["spec"]["syncMode"].as_str())
            .collect();
        assert_eq!(
            modes,
            BTreeSet::from([
                "Continuous",
                "ContinuousWithDriftDetection",
                "DryRun",
                "OneTime"
            ]),
            "{profile_kind}"
        );
    }

    let mut statuses = BTreeSet::new();
    let mut retrying = false;
    let mut outdated = BTreeSet::new();
    let mut waiting_without_features = false;
    for s in of_kind(&world, "ClusterSummary") {
        let features = s["status"]["featureSummaries"].as_array();
        if features.is_none() && s["status"]["dependencies"].is_string() {
            waiting_without_features = true;
        }
        for f in features.into_iter().flatten() {
            let status = f["status"].as_str().unwrap_or_default();
            statuses.insert(status.to_owned());
            retrying |= status == "Provisioning" && f["failureMessage"].is_string();
        }
        for r in s["status"]["helmReleaseSummaries"]
            .as_array()
            .into_iter()
            .flatten()
        {
            for field in [
                "latestVersion",
                "latestPatchVersion",
                "lastCheckedTime",
                "conflictMessage",
            ] {
                if r.get(field).is_some() {
                    outdated.insert(field);
                }
            }
        }
    }
    for status in [
        "Provisioned",
        "Provisioning",
        "Failed",
        "FailedNonRetriable",
        "Removing",
    ] {
        assert!(statuses.contains(status), "no feature {status}");
    }
    assert!(retrying, "no Provisioning with a failure message");
    assert!(
        waiting_without_features,
        "no summary waiting on dependencies"
    );
    assert_eq!(outdated.len(), 4, "helm variants: {outdated:?}");

    let depends: Vec<&Value> = of_kind(&world, "ClusterProfile")
        .into_iter()
        .filter(|p| p["spec"]["dependsOn"].is_array())
        .collect();
    assert!(
        depends
            .iter()
            .any(|p| p["spec"]["dependsOn"][0] == MISSING_DEPENDENCY)
    );
    assert!(depends.len() >= 2);
    assert!(!of_kind(&world, "ClusterReport").is_empty());
    // The same resource deployed by two profiles on one cluster (merged by identity).
    let shared_twice = of_kind(&world, "ClusterConfiguration").iter().any(|c| {
        let sections = c["status"]["clusterProfileResources"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(
                c["status"]["profileResources"]
                    .as_array()
                    .into_iter()
                    .flatten(),
            );
        sections
            .flat_map(|s| s["Features"].as_array().into_iter().flatten())
            .flat_map(|f| f["resources"].as_array().into_iter().flatten())
            .filter(|r| r["name"] == "fleet-settings" && r["namespace"] == "kube-system")
            .count()
            >= 2
    });
    assert!(
        shared_twice,
        "no resource deployed by two profiles on one cluster"
    );
    assert!(!of_kind(&world, "EventReport").is_empty());
    let triggers = of_kind(&world, "EventTrigger");
    assert!(
        triggers
            .iter()
            .any(|t| t["spec"]["eventSourceName"] == MISSING_EVENT_SOURCE)
    );
    assert!(
        of_kind(&world, "ClassifierReport")
            .iter()
            .any(|r| r["spec"]["match"] == false)
    );
    assert!(
        of_kind(&world, "ClassifierReport")
            .iter()
            .any(|r| r["spec"]["clusterName"] == "")
    );
    assert!(!of_kind(&world, "ManagementClusterClassifierReport").is_empty());
}

#[test]
fn summaries_agree_with_profiles_and_clusters() {
    let world = generate(&FleetSpec::demo(6));
    let clusters: BTreeSet<Key> = world
        .iter()
        .filter(|o| matches!(kind(o), "Cluster" | "SveltosCluster"))
        .map(key)
        .collect();
    // (profile kind, profile name) -> matched clusters
    let mut matching: BTreeMap<(String, String), BTreeSet<Key>> = BTreeMap::new();
    for p in of_kind(&world, "ClusterProfile")
        .into_iter()
        .chain(of_kind(&world, "Profile"))
    {
        let refs = p["status"]["matchingClusters"].as_array().unwrap();
        let set: BTreeSet<_> = refs
            .iter()
            .map(|r| {
                let k = (
                    r["kind"].as_str().unwrap().to_owned(),
                    r["namespace"].as_str().unwrap().to_owned(),
                    r["name"].as_str().unwrap().to_owned(),
                );
                assert!(clusters.contains(&k), "dangling match {k:?}");
                if kind(p) == "Profile" {
                    assert_eq!(
                        k.1, p["metadata"]["namespace"],
                        "Profile matched another namespace"
                    );
                }
                k
            })
            .collect();
        assert_eq!(set.len(), refs.len());
        matching.insert(
            (
                kind(p).to_owned(),
                p["metadata"]["name"].as_str().unwrap().to_owned(),
            ),
            set,
        );
    }
    let mut per_profile: BTreeMap<(String, String), usize> = BTreeMap::new();
    for s in of_kind(&world, "ClusterSummary") {
        let owner = &s["metadata"]["ownerReferences"][0];
        let profile = (
            owner["kind"].as_str().unwrap().to_owned(),
            owner["name"].as_str().unwrap().to_owned(),
        );
        let cluster_kind = if s["spec"]["clusterType"] == "Capi" {
            "Cluster"
        } else {
            "SveltosCluster"
        };
        let cluster = (
            cluster_kind.to_owned(),
            s["spec"]["clusterNamespace"].as_str().unwrap().to_owned(),
            s["spec"]["clusterName"].as_str().unwrap().to_owned(),
        );
        assert!(
            matching[&profile].contains(&cluster),
            "summary for unmatched pair"
        );
        assert_eq!(s["metadata"]["namespace"], s["spec"]["clusterNamespace"]);
        *per_profile.entry(profile).or_default() += 1;
    }
    for (profile, set) in &matching {
        assert_eq!(
            per_profile.get(profile).copied().unwrap_or(0),
            set.len(),
            "{profile:?}"
        );
    }
}

#[test]
fn mid_size_generation_is_fast() {
    let mut spec = FleetSpec::benchmark(9);
    spec.clusters /= 5;
    spec.profiles /= 5;
    spec.summaries /= 5;
    spec.configurations /= 5;
    let start = Instant::now();
    let world = generate(&spec);
    println!(
        "generated {} objects (a fifth of the benchmark fleet) in {:?}",
        world.len(),
        start.elapsed()
    );
    assert_eq!(of_kind(&world, "ClusterSummary").len(), spec.summaries);
}

#[test]
fn degenerate_sizes_do_not_panic() {
    let empty = FleetSpec {
        seed: 1,
        namespaces: 0,
        clusters: 0,
        capi: true,
        profiles: 0,
        summaries: 0,
        configurations: 0,
        event_sources: 0,
        event_triggers: 2,
        classifiers: 1,
        management_classifiers: 1,
    };
    let world = generate(&empty);
    assert!(of_kind(&world, "ClusterSummary").is_empty());

    // More summaries than pairs: every pair once, no more.
    let crowded = FleetSpec {
        clusters: 5,
        profiles: 3,
        summaries: 100,
        ..FleetSpec::small(2)
    };
    let world = generate(&crowded);
    let summaries = of_kind(&world, "ClusterSummary").len();
    assert!((5..=15).contains(&summaries), "{summaries}");
}
