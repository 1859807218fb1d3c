//! Bulk in-process loading and a reflector listing many objects must stay fast (no O(n²)):
//! fleetgraph's benchmark loads 10,000 clusters and 50,000 ClusterSummaries.

mod common;

use std::time::Instant;

use common::{admin, crd_text, start, within};
use futures::StreamExt;
use kube::api::Api;
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use kube::runtime::{WatchStreamExt, reflector, watcher};
use serde_json::{Value, json};

fn n_objects() -> usize {
    std::env::var("KUBESIM_SCALE_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

#[tokio::test]
async fn bulk_load_and_reflector_list() {
    let sim = start().await;
    sim.load_yaml(&crd_text(
        "sveltos/config.projectsveltos.io_clustersummaries.yaml",
    ))
    .unwrap();
    let fixture: Value = serde_yaml::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/valid/config.projectsveltos.io_clustersummaries.yaml"
        ))
        .unwrap(),
    )
    .unwrap();
    let n = n_objects();
    let namespaces: Vec<Value> = (0..10)
        .map(|i| json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": format!("ns{i}")}}))
        .collect();
    sim.load_objects(namespaces).unwrap();
    let objs: Vec<Value> = (0..n)
        .map(|i| {
            let mut o = fixture.clone();
            o["metadata"]["name"] = json!(format!("cs-{i:06}"));
            o["metadata"]["namespace"] = json!(format!("ns{}", i % 10));
            o
        })
        .collect();
    let t = Instant::now();
    sim.load_objects(objs).unwrap();
    let load = t.elapsed();
    eprintln!("loaded {n} ClusterSummaries in {load:?}");

    // the server side of paginated listing alone (bytes, no client decoding)
    let http = reqwest::Client::new();
    let t = Instant::now();
    let mut token = String::new();
    let mut pages = 0;
    loop {
        let mut url = format!(
            "{}/apis/config.projectsveltos.io/v1beta1/clustersummaries?limit=500&resourceVersion=0",
            sim.url()
        );
        if !token.is_empty() {
            url.push_str(&format!("&continue={token}"));
        }
        let body: Value = http
            .get(url)
            .bearer_auth(sim.admin_token())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        pages += 1;
        match body["metadata"]["continue"].as_str() {
            Some(c) if !c.is_empty() => token = c.to_string(),
            _ => break,
        }
    }
    eprintln!("raw HTTP pagination: {pages} pages in {:?}", t.elapsed());
    assert_eq!(pages, n.div_ceil(500));

    let client = admin(&sim).await;
    let ar = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("config.projectsveltos.io", "v1beta1", "ClusterSummary"),
        "clustersummaries",
    );
    let api: Api<DynamicObject> = Api::all_with(client, &ar);
    let writer = reflector::store::Writer::<DynamicObject>::new(ar.clone());
    let reader = writer.as_reader();
    let t = Instant::now();
    let stream = reflector(writer, watcher(api, watcher::Config::default())).applied_objects();
    let task = tokio::spawn(async move {
        let mut s = std::pin::pin!(stream);
        while s.next().await.is_some() {}
    });
    within(120, reader.wait_until_ready()).await.unwrap();
    let listed = t.elapsed();
    eprintln!("reflector listed {} objects in {listed:?}", reader.len());
    assert_eq!(reader.len(), n);
    task.abort();
    // debug builds on a 2-core machine: generous bounds that still catch quadratic behaviour
    assert!(load.as_secs() < 60, "bulk load took {load:?}");
    assert!(listed.as_secs() < 60, "reflector list took {listed:?}");
}
