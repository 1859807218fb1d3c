//! A registered cluster deleted through one replica stops its watches on every replica: the
//! deletion travels on the store change bus (LISTEN/NOTIFY between replicas on PostgreSQL).

mod common;

use std::time::Duration;

use common::TestDb;
use common::sim::eventually_async;
use common::tenancy::{start_on, workload_cluster};
use kubesim::KubeSim;
use serde_json::json;

/// List and watch requests for what the registered-cluster caches reflect.
fn cache_requests(sim: &KubeSim) -> u64 {
    let counters = sim.counters();
    ["list", "watch"]
        .iter()
        .map(|verb| {
            counters.get(verb, "core.oam.dev", "applications")
                + counters.get(verb, "", "namespaces")
        })
        .sum()
}

/// Drops every open watch and says whether anybody came back for them within 3 s.
async fn someone_watches(sim: &KubeSim) -> bool {
    sim.reset_counters();
    sim.drop_watches();
    tokio::time::sleep(Duration::from_secs(3)).await;
    cache_requests(sim) > 0
}

#[tokio::test]
async fn a_cluster_deleted_through_one_replica_stops_its_watches_on_every_replica() {
    let Some(db) = TestDb::postgres().await else {
        eprintln!("skipped: set FLEETGRAPH_TEST_DATABASE_URL to run against PostgreSQL");
        return;
    };
    let world = start_on(db).await;
    let sim = workload_cluster(true).await;
    let cluster = world.register(&sim, "east").await;
    // Started after the registration, the replica watches the stored cluster from its start.
    let replica = world.replica().await;
    eventually_async(20, "both replicas watching", || async {
        sim.counters().get("watch", "core.oam.dev", "applications") >= 2
    })
    .await;
    assert!(
        someone_watches(&sim).await,
        "the caches come back after their watches drop"
    );

    world
        .admin_ok(
            "mutation($id: ID!) { deleteCluster(input: {id: $id}) { deletedClusterId } }",
            json!({ "id": cluster }),
        )
        .await;
    // The deleting replica stops its own watches at once; the other hears of it on the bus.
    eventually_async(30, "no replica watching the deleted cluster", || async {
        !someone_watches(&sim).await
    })
    .await;

    replica.shutdown().await;
    world.shutdown().await;
    sim.shutdown().await;
}
