//! A generated world loaded into kubesim and read back through `kube::Api<T>` with the typed
//! kinds: both with the upstream CRDs (what integration tests use) and with the CRDs generated
//! from the types (what demo mode installs).

mod fleet_support;

use fleet_support::{crd_dir, yaml_documents};
use fleetgraph::fleet::generator::{FleetSpec, generate};
use fleetgraph::fleet::kinds::*;
use kube::api::{Api, ListParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kubesim::KubeSim;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Debug;

async fn client(sim: &KubeSim) -> kube::Client {
    let kubeconfig = Kubeconfig::from_yaml(&sim.kubeconfig_yaml(&sim.admin_token())).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .unwrap();
    kube::Client::try_from(config).unwrap()
}

fn upstream_crds() -> Vec<Value> {
    let dir = crd_dir();
    let files = [
        "cluster-api/cluster.x-k8s.io_clusters.yaml",
        "sveltos/lib.projectsveltos.io_sveltosclusters.yaml",
        "sveltos/config.projectsveltos.io_clusterprofiles.yaml",
        "sveltos/config.projectsveltos.io_profiles.yaml",
        "sveltos/config.projectsveltos.io_clustersummaries.yaml",
        "sveltos/config.projectsveltos.io_clusterconfigurations.yaml",
        "sveltos/config.projectsveltos.io_clusterreports.yaml",
        "sveltos/lib.projectsveltos.io_eventsources.yaml",
        "sveltos/lib.projectsveltos.io_eventtriggers.yaml",
        "sveltos/lib.projectsveltos.io_eventreports.yaml",
        "sveltos/lib.projectsveltos.io_classifiers.yaml",
        "sveltos/lib.projectsveltos.io_classifierreports.yaml",
        "sveltos/lib.projectsveltos.io_managementclusterclassifiers.yaml",
        "sveltos/lib.projectsveltos.io_managementclusterclassifierreports.yaml",
    ];
    files
        .iter()
        .flat_map(|f| yaml_documents(&dir.join(f)))
        .collect()
}

fn generated_crds() -> Vec<Value> {
    crds()
        .iter()
        .map(|crd| serde_json::to_value(crd).unwrap())
        .collect()
}

async fn list<T>(client: &kube::Client) -> Vec<T>
where
    T: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>
        + Clone
        + Debug
        + DeserializeOwned,
{
    Api::<T>::all(client.clone())
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
}

async fn list_cluster_scoped<T>(client: &kube::Client) -> Vec<T>
where
    T: kube::Resource<Scope = k8s_openapi::ClusterResourceScope, DynamicType = ()>
        + Clone
        + Debug
        + DeserializeOwned,
{
    Api::<T>::all(client.clone())
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
}

async fn load_and_read_back(crds: Vec<Value>) {
    let spec = FleetSpec::small(21);
    let world = generate(&spec);
    let mut expected: BTreeMap<String, usize> = BTreeMap::new();
    for object in &world {
        *expected
            .entry(object["kind"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }

    let sim = KubeSim::builder().start().await.unwrap();
    sim.load_objects(crds).unwrap();
    sim.load_objects(world).unwrap();
    let client = client(&sim).await;

    let capi: Vec<CapiCluster> = list(&client).await;
    assert_eq!(capi.len(), expected["Cluster"]);
    assert!(capi.iter().all(|c| c.status.is_some()), "status written");
    let sveltos: Vec<SveltosCluster> = list(&client).await;
    assert_eq!(sveltos.len(), expected["SveltosCluster"]);
    assert!(sveltos.iter().any(|c| !c.cluster_info().ready));

    let summaries: Vec<ClusterSummary> = list(&client).await;
    assert_eq!(summaries.len(), spec.summaries);
    assert!(summaries.iter().all(ClusterSummary::is_tracked));
    assert!(summaries.iter().any(ClusterSummary::has_issues));
    assert!(summaries.iter().any(ClusterSummary::is_provisioning));
    assert!(
        summaries
            .iter()
            .any(ClusterSummary::has_outdated_helm_charts)
    );

    let cluster_profiles: Vec<ClusterProfile> = list_cluster_scoped(&client).await;
    let profiles: Vec<Profile> = list(&client).await;
    assert_eq!(cluster_profiles.len(), expected["ClusterProfile"]);
    assert_eq!(profiles.len(), expected["Profile"]);
    let matched: usize = cluster_profiles
        .iter()
        .filter_map(|p| p.status.as_ref())
        .chain(profiles.iter().filter_map(|p| p.status.as_ref()))
        .map(|s| s.matching_clusters.len())
        .sum();
    assert_eq!(matched, spec.summaries);

    let configurations: Vec<ClusterConfiguration> = list(&client).await;
    assert_eq!(configurations.len(), spec.configurations);
    assert!(
        configurations
            .iter()
            .all(|c| c.status.as_ref().is_some_and(|s| s.sections().count() > 0))
    );
    assert_eq!(
        list::<ClusterReport>(&client).await.len(),
        expected["ClusterReport"]
    );
    assert_eq!(
        list::<EventReport>(&client).await.len(),
        expected["EventReport"]
    );
    assert_eq!(
        list::<ClassifierReport>(&client).await.len(),
        expected["ClassifierReport"]
    );
    assert_eq!(
        list::<ManagementClusterClassifierReport>(&client)
            .await
            .len(),
        expected["ManagementClusterClassifierReport"]
    );
    assert_eq!(
        list_cluster_scoped::<EventSource>(&client).await.len(),
        expected["EventSource"]
    );
    assert_eq!(
        list_cluster_scoped::<EventTrigger>(&client).await.len(),
        expected["EventTrigger"]
    );
    let classifiers: Vec<Classifier> = list_cluster_scoped(&client).await;
    assert_eq!(classifiers.len(), expected["Classifier"]);
    assert!(classifiers.iter().any(|c| {
        c.status
            .as_ref()
            .is_some_and(|s| !s.matching_cluster_statuses.is_empty())
    }));
    assert_eq!(
        list_cluster_scoped::<ManagementClusterClassifier>(&client)
            .await
            .len(),
        expected["ManagementClusterClassifier"]
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn world_loads_under_upstream_crds_and_reads_back_typed() {
    load_and_read_back(upstream_crds()).await;
}

#[tokio::test]
async fn world_loads_under_generated_crds_and_reads_back_typed() {
    load_and_read_back(generated_crds()).await;
}
