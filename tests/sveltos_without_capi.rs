//! decisions.md, Sveltos side, point 10: without Cluster API the graph answers (CAPI parts
//! empty, never an error), and CAPI clusters appear once its CRD is installed, without restart.

mod common;

use std::time::Duration;

use common::{fleet, sim};
use fleetgraph::fleet::generator::{FleetSpec, generate};
use serde_json::Value;

#[tokio::test]
async fn capi_is_optional_and_picked_up_when_installed() {
    let (capi, rest): (Vec<Value>, Vec<Value>) =
        generate(&FleetSpec::small(73)).into_iter().partition(|o| {
            o["apiVersion"]
                .as_str()
                .is_some_and(|v| v.starts_with("cluster.x-k8s.io/"))
        });
    assert!(!capi.is_empty());
    let world = fleet::start_on(sim::management_cluster(false).await, rest, |c| {
        c.auth.auth_disabled = true
    })
    .await;
    let sveltos = world.of_kind("SveltosCluster").len();
    let query = r#"{ capi: clusters(filter: {kind: CAPI}) { totalCount edges { node { name } } }
                     all: clusters { totalCount }
                     stats { capiClusters notReadyCapiClusters sveltosClusters } }"#;
    let body = world.server.gql(query).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["capi"]["totalCount"], 0);
    assert_eq!(body["data"]["capi"]["edges"], serde_json::json!([]));
    assert_eq!(body["data"]["all"]["totalCount"], sveltos);
    assert_eq!(body["data"]["stats"]["capiClusters"], 0);
    assert_eq!(body["data"]["stats"]["sveltosClusters"], sveltos);

    world
        .sim
        .load_yaml(&sim::crd("cluster-api/cluster.x-k8s.io_clusters.yaml"))
        .expect("CAPI CRD");
    let count = capi.len();
    world.sim.load_objects(capi).expect("CAPI clusters");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let body = world.server.gql(query).await;
        assert!(body.get("errors").is_none(), "{body}");
        if body["data"]["capi"]["totalCount"] == count {
            assert_eq!(body["data"]["all"]["totalCount"], sveltos + count);
            assert_eq!(body["data"]["stats"]["capiClusters"], count);
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "CAPI clusters never showed: {body}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    world.server.shutdown().await;
}
