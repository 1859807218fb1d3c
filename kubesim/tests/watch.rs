//! Watch semantics and a kube-runtime reflector that must stay correct across dropped watches
//! and a compacted history (410 Gone, then relist).

mod common;

use std::time::Duration;

use common::{admin, start, within};
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams};
use kube::runtime::{WatchStreamExt, reflector, watcher};
use serde_json::json;

fn cm(name: &str, app: &str) -> ConfigMap {
    serde_json::from_value(
        json!({"metadata": {"name": name, "labels": {"app": app}}, "data": {"v": "0"}}),
    )
    .unwrap()
}

async fn wait_for(reader: &reflector::Store<ConfigMap>, want: &[&str]) {
    let want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
    let mut last = Vec::new();
    for _ in 0..200 {
        let mut have: Vec<String> = reader
            .state()
            .iter()
            .map(|c| c.metadata.name.clone().unwrap())
            .collect();
        have.sort();
        if have == want {
            return;
        }
        last = have;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("store has {last:?}, want {want:?}");
}

#[tokio::test]
async fn reflector_survives_dropped_watches_and_compaction() {
    let sim = start().await;
    let client = admin(&sim).await;
    within(60, async {
        let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
        for i in 1..=5 {
            cms.create(&PostParams::default(), &cm(&format!("c{i}"), "web"))
                .await
                .unwrap();
        }
        let (reader, writer) = reflector::store::<ConfigMap>();
        let stream = reflector(
            writer,
            watcher(cms.clone(), watcher::Config::default().page_size(2)),
        )
        .default_backoff()
        .applied_objects();
        let task = tokio::spawn(async move {
            let mut s = std::pin::pin!(stream);
            while s.next().await.is_some() {}
        });
        wait_for(&reader, &["c1", "c2", "c3", "c4", "c5"]).await;

        sim.drop_watches();
        cms.create(&PostParams::default(), &cm("c6", "web"))
            .await
            .unwrap();
        cms.delete("c2", &DeleteParams::default()).await.unwrap();
        cms.patch(
            "c1",
            &PatchParams::default(),
            &Patch::Merge(json!({"data": {"v": "1"}})),
        )
        .await
        .unwrap();
        wait_for(&reader, &["c1", "c3", "c4", "c5", "c6"]).await;
        for _ in 0..100 {
            if reader
                .get(&reflector::ObjectRef::new("c1").within("default"))
                .is_some_and(|c| c.data.as_ref().unwrap()["v"] == "1")
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(
            reader
                .get(&reflector::ObjectRef::new("c1").within("default"))
                .unwrap()
                .data
                .as_ref()
                .unwrap()["v"],
            "1"
        );

        let lists_before = sim.counters().get("list", "", "configmaps");
        sim.compact();
        cms.create(&PostParams::default(), &cm("c7", "web"))
            .await
            .unwrap();
        cms.delete("c3", &DeleteParams::default()).await.unwrap();
        sim.drop_watches();
        wait_for(&reader, &["c1", "c4", "c5", "c6", "c7"]).await;
        assert!(
            sim.counters().get("list", "", "configmaps") > lists_before,
            "the 410 made the watcher relist"
        );
        task.abort();
    })
    .await;
}

#[tokio::test]
async fn watch_selectors_bookmarks_timeout_and_gone() {
    let sim = start().await;
    let client = admin(&sim).await;
    within(60, async {
        let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
        cms.create(&PostParams::default(), &cm("pre", "web"))
            .await
            .unwrap();
        let wp = WatchParams::default().labels("app=web").timeout(20);
        let mut events = cms.watch(&wp, "0").await.unwrap().boxed();
        // "0": current state first
        match events.try_next().await.unwrap().unwrap() {
            WatchEvent::Added(c) => assert_eq!(c.metadata.name.as_deref(), Some("pre")),
            e => panic!("{e:?}"),
        }
        cms.create(&PostParams::default(), &cm("w", "web"))
            .await
            .unwrap();
        cms.create(&PostParams::default(), &cm("other", "db"))
            .await
            .unwrap();
        match events.try_next().await.unwrap().unwrap() {
            WatchEvent::Added(c) => assert_eq!(c.metadata.name.as_deref(), Some("w")),
            e => panic!("{e:?}"),
        }
        // leaves the selector: DELETED; enters it: ADDED
        cms.patch(
            "w",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"app": "db"}}})),
        )
        .await
        .unwrap();
        match events.try_next().await.unwrap().unwrap() {
            WatchEvent::Deleted(c) => assert_eq!(c.metadata.name.as_deref(), Some("w")),
            e => panic!("{e:?}"),
        }
        cms.patch(
            "other",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"app": "web"}}})),
        )
        .await
        .unwrap();
        match events.try_next().await.unwrap().unwrap() {
            WatchEvent::Added(c) => assert_eq!(c.metadata.name.as_deref(), Some("other")),
            e => panic!("{e:?}"),
        }

        // bookmarks carry the current resourceVersion
        let rv = cms
            .get("other")
            .await
            .unwrap()
            .metadata
            .resource_version
            .unwrap();
        let mut bm = cms
            .watch(
                &WatchParams {
                    bookmarks: true,
                    ..Default::default()
                }
                .timeout(20),
                &rv,
            )
            .await
            .unwrap()
            .boxed();
        match bm.try_next().await.unwrap().unwrap() {
            WatchEvent::Bookmark(b) => assert!(
                b.metadata.resource_version.parse::<u64>().unwrap() >= rv.parse::<u64>().unwrap()
            ),
            e => panic!("{e:?}"),
        }

        // timeoutSeconds ends the stream
        let started = std::time::Instant::now();
        let mut short = cms
            .watch(&WatchParams::default().timeout(1), &rv)
            .await
            .unwrap()
            .boxed();
        while short.try_next().await.unwrap().is_some() {}
        assert!(started.elapsed() < Duration::from_secs(5));

        // metadata-only lists and the deprecated /watch/ path
        let meta = cms.list_metadata(&Default::default()).await.unwrap();
        assert_eq!(meta.items.len(), 3);
        let http = reqwest::Client::new();
        let mut resp = http
            .get(format!(
                "{}/api/v1/watch/namespaces/default/configmaps?resourceVersion=0&timeoutSeconds=5",
                sim.url()
            ))
            .bearer_auth(sim.admin_token())
            .send()
            .await
            .unwrap();
        let chunk = resp.chunk().await.unwrap().unwrap();
        let first: serde_json::Value =
            serde_json::from_slice(chunk.split(|b| *b == b'\n').next().unwrap()).unwrap();
        assert_eq!(first["type"], "ADDED");

        // a compacted resourceVersion: 410 Expired as an ERROR event
        sim.compact();
        let mut gone = cms
            .watch(&WatchParams::default(), "1")
            .await
            .unwrap()
            .boxed();
        match gone.try_next().await.unwrap().unwrap() {
            WatchEvent::Error(e) => assert_eq!((e.code, e.reason.as_str()), (410, "Expired")),
            e => panic!("{e:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn streaming_list_watcher_gets_initial_events_then_bookmark() {
    let sim = start().await;
    let client = admin(&sim).await;
    within(30, async {
        let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
        for i in 1..=3 {
            cms.create(&PostParams::default(), &cm(&format!("s{i}"), "web"))
                .await
                .unwrap();
        }
        let (reader, writer) = reflector::store::<ConfigMap>();
        let stream = reflector(
            writer,
            watcher(cms.clone(), watcher::Config::default().streaming_lists()),
        )
        .default_backoff()
        .applied_objects();
        let task = tokio::spawn(async move {
            let mut s = std::pin::pin!(stream);
            while s.next().await.is_some() {}
        });
        reader.wait_until_ready().await.unwrap();
        wait_for(&reader, &["s1", "s2", "s3"]).await;
        cms.delete("s2", &DeleteParams::default()).await.unwrap();
        wait_for(&reader, &["s1", "s3"]).await;
        assert_eq!(
            sim.counters().get("list", "", "configmaps"),
            0,
            "no list call with streaming lists"
        );
        task.abort();
    })
    .await;
}
