//! Subscriptions fed by kubesim through the fleet cache, spoken to with a real WebSocket client
//! in both protocols: changes arrive as events, hidden objects never do (even when rights
//! change mid-stream), dropped and compacted watches resume without loss or duplicates, and a
//! reader that stops reading is closed while the server's buffer stays bounded.

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::fleet::{self, FleetWorld};
use common::sim::eventually_async;
use common::ws::{Protocol, WsClient};
use fleetgraph::fleet::generator::{FleetSpec, generate};
use serde_json::{Value, json};

const CHANGED: &str = r#"subscription Changed($filter: ClusterFilter) {
  clusterChanged(filter: $filter) {
    change
    cluster { id namespace name labels { key value } health { hasIssues isProvisioning hasOutdatedHelmCharts } }
    previousHealth { hasIssues }
  }
}"#;

fn path(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::TransportWs => "/graphql/ws",
        Protocol::Legacy => "/graphql",
    }
}

fn tag(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::TransportWs => "tws",
        Protocol::Legacy => "legacy",
    }
}

fn node_id(parts: &[&str]) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(parts).unwrap())
}

async fn world() -> FleetWorld {
    world_with(|_| {}).await
}

async fn world_with(configure: impl FnOnce(&mut fleetgraph::config::ServeConfig)) -> FleetWorld {
    // Reviews are not cached, so a change of rights shows in the next event batch.
    let world = fleet::start(generate(&FleetSpec::small(7)), |c| {
        c.auth.auth_cache_ttl_secs = 0;
        configure(c);
    })
    .await;
    world.sim.add_token("ops-token", "ops-user", &["platform"]);
    world
        .sim
        .load_yaml(
            r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: platform-admin }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }
subjects:
- { kind: Group, name: platform, apiGroup: rbac.authorization.k8s.io }
"#,
        )
        .expect("rbac");
    for ns in ["live-a", "live-b", "live-c"] {
        world
            .sim
            .apply_object(
                json!({ "apiVersion": "v1", "kind": "Namespace", "metadata": { "name": ns } }),
            )
            .expect("namespace");
    }
    world
}

/// A SveltosCluster like the world's first one, under a new name, with `labels`.
fn cluster(world: &FleetWorld, namespace: &str, name: &str, labels: Value) -> Value {
    let mut object = world.of_kind("SveltosCluster")[0].clone();
    object["metadata"] = json!({ "name": name, "namespace": namespace, "labels": labels });
    object
}

async fn active_subscriptions(world: &FleetWorld) -> u64 {
    metric(world, "fleetgraph_subscriptions_active ").await
}

async fn metric(world: &FleetWorld, prefix: &str) -> u64 {
    let text = world.server.get("/metrics").await.text().await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(prefix))
        .map(|v| v.trim().parse::<f64>().unwrap() as u64)
        .unwrap_or(0)
}

/// Connects as `token` and subscribes; returns once the server runs the subscription.
async fn subscribe(
    world: &FleetWorld,
    protocol: Protocol,
    token: &str,
    query: &str,
    variables: Value,
) -> WsClient {
    let before = active_subscriptions(world).await;
    let mut client = WsClient::connect(&world.server.url, path(protocol), protocol).await;
    client
        .init(json!({ "Authorization": format!("Bearer {token}") }))
        .await
        .expect("acknowledged");
    client.subscribe("s", query, variables).await;
    eventually_async(30, "the subscription runs", || async {
        active_subscriptions(world).await > before
    })
    .await;
    client
}

fn changed(data: &Value) -> (String, String, String) {
    let event = &data["clusterChanged"];
    (
        event["change"].as_str().unwrap().to_string(),
        event["cluster"]["namespace"].as_str().unwrap().to_string(),
        event["cluster"]["name"].as_str().unwrap().to_string(),
    )
}

fn label(data: &Value, key: &str) -> Option<String> {
    data["clusterChanged"]["cluster"]["labels"]
        .as_array()?
        .iter()
        .find(|l| l["key"] == key)
        .and_then(|l| l["value"].as_str().map(str::to_string))
}

#[tokio::test]
async fn kubesim_changes_arrive_as_events() {
    let world = world().await;
    let summary = world.of_kind("ClusterSummary")[0].clone();
    let spec = &summary["spec"];
    let cluster_ns = spec["clusterNamespace"]
        .as_str()
        .filter(|s| !s.is_empty())
        .or(summary["metadata"]["namespace"].as_str())
        .unwrap()
        .to_string();
    let cluster_type = if spec["clusterType"] == "Capi" {
        "CapiCluster"
    } else {
        "SveltosCluster"
    };
    let cluster_id = node_id(&[
        cluster_type,
        &cluster_ns,
        spec["clusterName"].as_str().unwrap(),
    ]);
    let owner = summary["metadata"]["ownerReferences"][0].clone();
    let profile_id = match owner["kind"].as_str().unwrap() {
        "ClusterProfile" => node_id(&["ClusterProfile", owner["name"].as_str().unwrap()]),
        _ => node_id(&[
            "NamespacedProfile",
            summary["metadata"]["namespace"].as_str().unwrap(),
            owner["name"].as_str().unwrap(),
        ]),
    };

    for protocol in Protocol::BOTH {
        let name = format!("arrive-{}", tag(protocol));
        let mut client = subscribe(
            &world,
            protocol,
            "ops-token",
            CHANGED,
            json!({ "filter": { "namespace": "live-" } }),
        )
        .await;
        world
            .sim
            .apply_object(cluster(&world, "live-a", &name, json!({ "step": "one" })))
            .unwrap();
        let added = client.next_data("s").await;
        assert_eq!(
            changed(&added),
            ("ADDED".into(), "live-a".into(), name.clone()),
            "{added}"
        );
        assert!(added["clusterChanged"]["previousHealth"].is_null());
        world
            .sim
            .apply_object(cluster(&world, "live-a", &name, json!({ "step": "two" })))
            .unwrap();
        let updated = client.next_data("s").await;
        assert_eq!(changed(&updated).0, "UPDATED");
        assert_eq!(label(&updated, "step").as_deref(), Some("two"));
        assert!(updated["clusterChanged"]["previousHealth"]["hasIssues"].is_boolean());
        world
            .sim
            .delete_object(
                "lib.projectsveltos.io/v1beta1",
                "SveltosCluster",
                "live-a",
                &name,
            )
            .unwrap();
        let removed = client.next_data("s").await;
        assert_eq!(
            changed(&removed),
            ("REMOVED".into(), "live-a".into(), name.clone())
        );

        // A feature status change of a ClusterSummary: the cluster's and the profile's events.
        client.complete("s").await;
        client.subscribe("status", "subscription S($id: ID!) { clusterStatusChanged(cluster: $id) { cluster { id profileStatuses(first: 100) { edges { node { featureId failureMessage } } } } } }", json!({ "id": cluster_id })).await;
        client.subscribe("profile", "subscription P($id: ID!) { profileStatusChanged(profile: $id) { change profile { id name matchingClusters(first: 100) { totalCount } } } }", json!({ "id": profile_id })).await;
        let active = active_subscriptions(&world).await;
        eventually_async(30, "both subscriptions run", || async {
            active_subscriptions(&world).await >= active.max(2)
        })
        .await;
        let message = format!("boom-{}", tag(protocol));
        let mut failing = summary.clone();
        let features = failing["status"]["featureSummaries"]
            .as_array_mut()
            .expect("feature summaries");
        features[0]["status"] = json!("Failed");
        features[0]["failureMessage"] = json!(message);
        world.sim.apply_object(failing).unwrap();
        let status = client.next_data("status").await;
        assert_eq!(
            status["clusterStatusChanged"]["cluster"]["id"],
            cluster_id.as_str()
        );
        assert!(status.to_string().contains(&message), "{status}");
        let profile = client.next_data("profile").await;
        assert_eq!(profile["profileStatusChanged"]["change"], "UPDATED");
        assert_eq!(
            profile["profileStatusChanged"]["profile"]["id"],
            profile_id.as_str()
        );
    }
    world.server.shutdown().await;
}

#[tokio::test]
async fn objects_the_caller_may_not_see_are_never_delivered() {
    let world = world().await;
    // `dev` may read SveltosClusters in live-a and live-b, not in live-c.
    world.sim.add_token("dev-token", "dev", &["devs"]);
    for ns in ["live-a", "live-b"] {
        world
            .sim
            .load_yaml(&format!(
                r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{ name: sveltos-reader, namespace: {ns} }}
rules:
- apiGroups: ["lib.projectsveltos.io"]
  resources: ["sveltosclusters"]
  verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{ name: devs-read, namespace: {ns} }}
roleRef: {{ apiGroup: rbac.authorization.k8s.io, kind: Role, name: sveltos-reader }}
subjects:
- {{ kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io }}
"#
            ))
            .expect("rbac");
    }
    for protocol in Protocol::BOTH {
        let t = tag(protocol);
        let mut client = subscribe(&world, protocol, "dev-token", CHANGED, json!({})).await;
        // Hidden first, then visible: the first event is the visible one.
        world
            .sim
            .apply_object(cluster(&world, "live-c", &format!("hidden-{t}"), json!({})))
            .unwrap();
        world
            .sim
            .apply_object(cluster(&world, "live-a", &format!("a-{t}"), json!({})))
            .unwrap();
        let first = client.next_data("s").await;
        assert_eq!(
            changed(&first),
            ("ADDED".into(), "live-a".into(), format!("a-{t}"))
        );

        // Rights in live-a are withdrawn mid-stream: its next change is withheld.
        world
            .sim
            .delete_object(
                "rbac.authorization.k8s.io/v1",
                "RoleBinding",
                "live-a",
                "devs-read",
            )
            .unwrap();
        world
            .sim
            .apply_object(cluster(
                &world,
                "live-a",
                &format!("a-{t}"),
                json!({ "after": "revoked" }),
            ))
            .unwrap();
        world
            .sim
            .apply_object(cluster(
                &world,
                "live-c",
                &format!("hidden-{t}"),
                json!({ "still": "hidden" }),
            ))
            .unwrap();
        world
            .sim
            .apply_object(cluster(&world, "live-b", &format!("b-{t}"), json!({})))
            .unwrap();
        let next = client.next_data("s").await;
        assert_eq!(
            changed(&next),
            ("ADDED".into(), "live-b".into(), format!("b-{t}")),
            "{next}"
        );
        // Restore for the next protocol.
        world
            .sim
            .load_yaml(
                r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: devs-read, namespace: live-a }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: sveltos-reader }
subjects:
- { kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io }
"#,
            )
            .expect("rbac");
    }
    assert!(metric(&world, "fleetgraph_subscription_events_withheld_total ").await >= 4);
    world.server.shutdown().await;
}

#[tokio::test]
async fn dropped_and_compacted_watches_resume_without_loss_or_duplicates() {
    let world = world().await;
    for protocol in Protocol::BOTH {
        let name = format!("drop-{}", tag(protocol));
        let mut client = subscribe(
            &world,
            protocol,
            "ops-token",
            CHANGED,
            json!({ "filter": { "name": name } }),
        )
        .await;
        world
            .sim
            .apply_object(cluster(&world, "live-a", &name, json!({ "v": "0" })))
            .unwrap();
        assert_eq!(changed(&client.next_data("s").await).0, "ADDED");

        world.sim.drop_watches();
        world
            .sim
            .apply_object(cluster(&world, "live-a", &name, json!({ "v": "1" })))
            .unwrap();
        world.sim.compact();
        world.sim.drop_watches();
        world
            .sim
            .apply_object(cluster(&world, "live-a", &name, json!({ "v": "2" })))
            .unwrap();
        let mut seen = Vec::new();
        while seen.last().map(String::as_str) != Some("2") {
            let data = client.next_data("s").await;
            assert_eq!(changed(&data).0, "UPDATED", "{data}");
            seen.push(label(&data, "v").unwrap());
        }
        // "1" may have been folded into the relist; nothing arrives twice, the final state last.
        assert!(seen == ["1", "2"] || seen == ["2"], "{seen:?}");
        // The next event is the next change, not a replay of the relisted state.
        let sentinel = format!("{name}-sentinel");
        world
            .sim
            .apply_object(cluster(&world, "live-b", &sentinel, json!({})))
            .unwrap();
        let next = client.next_data("s").await;
        assert_eq!(changed(&next), ("ADDED".into(), "live-b".into(), sentinel));
    }
    world.server.shutdown().await;
}

#[tokio::test]
async fn a_reader_that_stops_reading_is_closed_and_the_buffer_stays_bounded() {
    const BUFFER: usize = 4;
    let world = world_with(|c| c.limits.subscription_buffer = BUFFER).await;
    // Each event is large (the labels, many times over), so socket buffers fill quickly.
    let aliases: String = (0..40)
        .map(|i| format!("l{i}: labels {{ key value }} "))
        .collect();
    let query = format!(
        "subscription Big($filter: ClusterFilter) {{ clusterChanged(filter: $filter) {{ change cluster {{ name {aliases} }} }} }}"
    );
    let mut labels = serde_json::Map::new();
    for i in 0..20 {
        labels.insert(format!("padding-{i}"), json!("x".repeat(60)));
    }
    for protocol in Protocol::BOTH {
        let name = format!("slow-{}", tag(protocol));
        let before = metric(
            &world,
            "fleetgraph_websocket_refusals_total{reason=\"slow_consumer\"} ",
        )
        .await;
        let mut client = {
            let before = active_subscriptions(&world).await;
            let mut client = WsClient::connect_with_buffer(
                &world.server.url,
                path(protocol),
                protocol,
                Some(4096),
            )
            .await;
            client
                .init(json!({ "Authorization": "Bearer ops-token" }))
                .await
                .expect("ack");
            client
                .subscribe("s", &query, json!({ "filter": { "name": name } }))
                .await;
            eventually_async(30, "the subscription runs", || async {
                active_subscriptions(&world).await > before
            })
            .await;
            client
        };
        // The client reads nothing while the cluster keeps changing.
        let mut changes = 0;
        loop {
            let mut object = cluster(&world, "live-a", &name, Value::Object(labels.clone()));
            object["metadata"]["labels"]["n"] = json!(changes.to_string());
            world.sim.apply_object(object).unwrap();
            changes += 1;
            if changes % 10 == 0
                && metric(
                    &world,
                    "fleetgraph_websocket_refusals_total{reason=\"slow_consumer\"} ",
                )
                .await
                    > before
            {
                break;
            }
            assert!(changes < 20_000, "the slow reader was never closed");
            tokio::task::yield_now().await;
        }
        // Reading now: what the socket buffers held, then the close; far fewer events than
        // changes were made, because the server dropped the backlog instead of keeping it.
        let (code, delivered) = client.read_to_close().await;
        assert_eq!(code, Some(1008), "{:?}", protocol);
        assert!(
            delivered < changes,
            "{delivered} events for {changes} changes"
        );
    }
    eventually_async(30, "closed connections are released", || async {
        metric(&world, "fleetgraph_websocket_connections ").await == 0
            && active_subscriptions(&world).await == 0
    })
    .await;
    world.server.shutdown().await;
}
