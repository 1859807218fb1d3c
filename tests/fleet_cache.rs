//! The fleet cache against kubesim: initial sync of a generated world, live changes, CAPI
//! appearing later, and dropped watches.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::sim::{self, eventually};
use fleetgraph::fleet::cache::{Change, ClusterRef, FleetCache, FleetKind, READY_GATE};
use fleetgraph::fleet::generator::{FleetSpec, generate};
use fleetgraph::fleet::kinds::ClusterType;
use fleetgraph::readiness::Readiness;
use serde_json::Value;

fn count_kinds(objects: &[Value]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for object in objects {
        *counts
            .entry(object["kind"].as_str().unwrap_or_default().to_string())
            .or_default() += 1;
    }
    counts
}

#[tokio::test]
async fn syncs_a_generated_fleet_and_follows_changes() {
    let sim = sim::management_cluster(true).await;
    let world = generate(&FleetSpec::small(7));
    let counts = count_kinds(&world);
    sim.load_objects(world).expect("world loads");
    let client = sim::client(&sim, sim::ADMIN_TOKEN).await;
    let readiness = Readiness::default();
    let cache = FleetCache::start(client.clone(), readiness.clone());
    assert_eq!(readiness.snapshot().get(READY_GATE), Some(&false));
    assert!(cache.wait_synced(Duration::from_secs(30)).await, "synced");
    assert_eq!(readiness.snapshot().get(READY_GATE), Some(&true));

    let snapshot = cache.snapshot();
    assert!(snapshot.synced);
    let expected_clusters = counts.get("Cluster").copied().unwrap_or(0)
        + counts.get("SveltosCluster").copied().unwrap_or(0);
    assert!(expected_clusters > 0);
    assert_eq!(snapshot.clusters.len(), expected_clusters);
    assert_eq!(
        snapshot.stores.cluster_summaries.len(),
        counts["ClusterSummary"]
    );
    // Clusters are in namespace/name/type order.
    let refs: Vec<&ClusterRef> = snapshot.clusters.iter().map(|c| &c.reference).collect();
    let mut sorted = refs.clone();
    sorted.sort();
    assert_eq!(refs, sorted);
    // Summaries are indexed by the cluster they describe.
    let with_summaries = snapshot
        .clusters
        .iter()
        .filter(|c| !snapshot.summaries_of(&c.reference).is_empty())
        .count();
    assert!(with_summaries > 0);
    for cluster in snapshot.clusters.iter() {
        for summary in snapshot.summaries_of(&cluster.reference) {
            assert_eq!(summary.spec.cluster_name, cluster.reference.name);
            assert_eq!(
                summary.spec.cluster_type,
                cluster.reference.cluster_type.as_str()
            );
        }
    }

    // A deletion in kubesim shows as an event and in the next snapshot.
    let mut events = cache.subscribe();
    let victim = snapshot
        .clusters
        .iter()
        .find(|c| c.reference.cluster_type == ClusterType::Sveltos)
        .expect("a SveltosCluster")
        .reference
        .clone();
    sim.delete_object(
        "lib.projectsveltos.io/v1beta1",
        "SveltosCluster",
        &victim.namespace,
        &victim.name,
    )
    .expect("deleted");
    let event = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let event = events.recv().await.expect("event");
            if event.kind == FleetKind::SveltosCluster {
                return event;
            }
        }
    })
    .await
    .expect("removal event");
    assert_eq!(event.change, Change::Removed);
    assert_eq!(event.key.name, victim.name);
    assert!(event.snapshot.cluster(&victim).is_none());
    assert!(cache.snapshot().cluster(&victim).is_none());

    // Dropped watches: the cache resumes and still sees later changes, without duplicates.
    sim.drop_watches();
    let label_target = cache.snapshot().clusters[0].reference.clone();
    let mut object = match label_target.cluster_type {
        ClusterType::Capi => sim.get_object(
            "cluster.x-k8s.io/v1beta2",
            "Cluster",
            &label_target.namespace,
            &label_target.name,
        ),
        ClusterType::Sveltos => sim.get_object(
            "lib.projectsveltos.io/v1beta1",
            "SveltosCluster",
            &label_target.namespace,
            &label_target.name,
        ),
    }
    .expect("object");
    object["metadata"]["labels"]["fleetgraph-test"] = Value::from("relabelled");
    sim.apply_object(object).expect("relabelled");
    eventually(15, "the new label", || {
        cache.snapshot().cluster(&label_target).is_some_and(|c| {
            c.info.labels.get("fleetgraph-test").map(String::as_str) == Some("relabelled")
        })
    })
    .await;
    cache.shutdown();
}

#[tokio::test]
async fn cluster_api_can_be_absent_and_is_picked_up_when_installed() {
    let sim = sim::management_cluster(false).await;
    let world = generate(&FleetSpec::small(11));
    let (capi, rest): (Vec<Value>, Vec<Value>) = world.into_iter().partition(|o| {
        o["apiVersion"]
            .as_str()
            .is_some_and(|v| v.starts_with("cluster.x-k8s.io/"))
    });
    assert!(!capi.is_empty(), "the small world has CAPI clusters");
    sim.load_objects(rest).expect("world without CAPI");
    let cache = FleetCache::start(
        sim::client(&sim, sim::ADMIN_TOKEN).await,
        Readiness::default(),
    );
    assert!(
        cache.wait_synced(Duration::from_secs(30)).await,
        "synced without CAPI"
    );
    let before = cache.snapshot();
    assert!(
        before
            .clusters
            .iter()
            .all(|c| c.reference.cluster_type == ClusterType::Sveltos)
    );
    assert!(before.stores.capi_clusters.is_empty());

    sim.load_yaml(&sim::crd("cluster-api/cluster.x-k8s.io_clusters.yaml"))
        .expect("CAPI CRD");
    let capi_count = capi.len();
    sim.load_objects(capi).expect("CAPI clusters");
    eventually(15, "CAPI clusters in the cache", || {
        cache.snapshot().stores.capi_clusters.len() == capi_count
    })
    .await;
    let after = cache.snapshot();
    assert_eq!(after.clusters.len(), before.clusters.len() + capi_count);
    cache.shutdown();
}
