//! Benchmark (not a test): one cluster change in the embedded management cluster fanned out to
//! N subscribers (default 1,000) over graphql-transport-ws; prints p50 / p99 delivery latency,
//! measured from the kubesim write to each subscriber's receipt of the event.
//!
//! `cargo run --release --example subscription_fanout -- [subscribers] [rounds]`

use std::time::{Duration, Instant};

use fleetgraph::demo::{self, DemoConfig};
use fleetgraph::fleet::kinds::LIB_API_VERSION;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

const PER_CONNECTION: usize = 50;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let subscribers: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let rounds: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(20);
    let mut config = DemoConfig::ephemeral(100);
    config.limits.max_subscriptions_per_connection = PER_CONNECTION;
    config.limits.subscription_buffer = 4096;
    config.limits.ws_keepalive_secs = 3600;
    let demo = demo::start(&config, &|_| {}).await.expect("demo starts");
    let http = reqwest::Client::new();
    let page: Value = http
        .post(demo.graphql_url())
        .json(&json!({ "query": "{ clusters(first: 1, filter: { kind: SVELTOS }) { edges { node { namespace name } } } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let node = &page["data"]["clusters"]["edges"][0]["node"];
    let (namespace, name) = (
        node["namespace"].as_str().unwrap().to_string(),
        node["name"].as_str().unwrap().to_string(),
    );
    let template = demo
        .management
        .get_object(LIB_API_VERSION, "SveltosCluster", &namespace, &name)
        .expect("target cluster");

    let (receipts, mut received) = mpsc::unbounded_channel::<(usize, Instant)>();
    let url = format!("{}/graphql/ws", demo.url().replacen("http://", "ws://", 1));
    let query = "subscription F($filter: ClusterFilter) { clusterChanged(filter: $filter) { change cluster { name labels { key value } } } }";
    let mut remaining = subscribers;
    while remaining > 0 {
        let here = remaining.min(PER_CONNECTION);
        remaining -= here;
        let mut request = url.as_str().into_client_request().unwrap();
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static("graphql-transport-ws"),
        );
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        let send = |v: Value| Message::Text(v.to_string().into());
        socket
            .send(send(json!({ "type": "connection_init", "payload": {} })))
            .await
            .unwrap();
        for i in 0..here {
            socket
                .send(send(
                    json!({ "type": "subscribe", "id": i.to_string(), "payload": {
                    "query": query,
                    "variables": { "filter": { "namespace": namespace, "name": name } } } }),
                ))
                .await
                .unwrap();
        }
        let receipts = receipts.clone();
        let target_name = name.clone();
        tokio::spawn(async move {
            while let Some(Ok(Message::Text(text))) = socket.next().await {
                let at = Instant::now();
                let value: Value = serde_json::from_str(&text).unwrap_or_default();
                let cluster = &value["payload"]["data"]["clusterChanged"]["cluster"];
                if value["type"] != "next" || cluster["name"] != target_name.as_str() {
                    continue;
                }
                let round = cluster["labels"]
                    .as_array()
                    .and_then(|l| l.iter().find(|l| l["key"] == "bench-round"))
                    .and_then(|l| l["value"].as_str())
                    .and_then(|v| v.parse().ok());
                if let Some(round) = round {
                    let _ = receipts.send((round, at));
                }
            }
        });
    }
    // Wait until the server runs every subscription.
    loop {
        let metrics = http
            .get(format!("{}/metrics", demo.url()))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let active = metrics
            .lines()
            .find_map(|l| l.strip_prefix("fleetgraph_subscriptions_active "))
            .and_then(|v| v.trim().parse::<f64>().ok())
            .unwrap_or(0.0);
        if active as usize >= subscribers {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let mut latencies = Vec::with_capacity(subscribers * rounds);
    for round in 0..rounds {
        let mut object = template.clone();
        object["metadata"]["labels"]["bench-round"] = json!(round.to_string());
        if let Some(meta) = object["metadata"].as_object_mut() {
            meta.remove("resourceVersion");
        }
        let started = Instant::now();
        demo.management
            .apply_object(object)
            .expect("change applied");
        let mut got = 0;
        while got < subscribers {
            let Ok(Some((r, at))) =
                tokio::time::timeout(Duration::from_secs(30), received.recv()).await
            else {
                eprintln!("round {round}: only {got} of {subscribers} subscribers got the event");
                break;
            };
            if r == round {
                latencies.push(at - started);
                got += 1;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    println!(
        "{} subscribers x {} rounds: p50 {:?}  p99 {:?}  max {:?}  ({} deliveries)",
        subscribers,
        rounds,
        at(0.50),
        at(0.99),
        latencies.last().copied().unwrap_or_default(),
        latencies.len()
    );
    demo.shutdown().await;
}
