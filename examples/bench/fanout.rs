//! Subscription fan-out: `subscribers` graphql-transport-ws subscriptions to `clusterChanged` on
//! one cluster (`per_connection` per socket, admin JWT in `connection_init`); each round changes
//! a label of that cluster in kubesim and times, per subscriber, the kubesim write to the
//! event's arrival.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use fleetgraph::fleet::kinds::LIB_API_VERSION;
use futures::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::world::World;

pub struct FanoutResult {
    pub subscribers: usize,
    pub rounds: usize,
    pub latency_us: Histogram<u64>,
    /// Events expected but not received within 30 s.
    pub missing: u64,
    /// `error` messages and `next` payloads with GraphQL errors.
    pub errors: u64,
}

const QUERY: &str = "subscription F($filter: ClusterFilter) { clusterChanged(filter: $filter) \
                     { change cluster { name labels { key value } } } }";

pub async fn run(
    world: &World,
    http: &reqwest::Client,
    subscribers: usize,
    per_connection: usize,
    rounds: usize,
) -> Result<FanoutResult> {
    let page = world
        .admin(
            http,
            "{ clusters(first: 1, filter: { kind: SVELTOS }) { edges { node { namespace name } } } }",
            json!({}),
        )
        .await?;
    let node = &page["clusters"]["edges"][0]["node"];
    let namespace = node["namespace"].as_str().context("namespace")?.to_string();
    let name = node["name"].as_str().context("name")?.to_string();
    let template = world
        .management
        .get_object(LIB_API_VERSION, "SveltosCluster", &namespace, &name)
        .context("target cluster")?;

    let (receipts, mut received) = mpsc::unbounded_channel::<Result<(usize, Instant), ()>>();
    let url = format!(
        "{}/graphql/ws",
        world.server.url().replacen("http://", "ws://", 1)
    );
    let mut remaining = subscribers;
    while remaining > 0 {
        let here = remaining.min(per_connection);
        remaining -= here;
        let mut request = url.as_str().into_client_request()?;
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static("graphql-transport-ws"),
        );
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
        let send = |v: Value| Message::Text(v.to_string().into());
        socket
            .send(send(json!({ "type": "connection_init",
                "payload": { "Authorization": format!("Bearer {}", world.admin_token) } })))
            .await?;
        for i in 0..here {
            socket
                .send(send(
                    json!({ "type": "subscribe", "id": i.to_string(), "payload": {
                    "query": QUERY,
                    "variables": { "filter": { "namespace": namespace, "name": name } } } }),
                ))
                .await?;
        }
        let receipts = receipts.clone();
        let target = name.clone();
        tokio::spawn(async move {
            while let Some(Ok(message)) = socket.next().await {
                let Message::Text(text) = message else {
                    continue;
                };
                let at = Instant::now();
                let value: Value = serde_json::from_str(&text).unwrap_or_default();
                match value["type"].as_str() {
                    Some("error") => {
                        let _ = receipts.send(Err(()));
                        continue;
                    }
                    Some("next") if value["payload"].get("errors").is_some() => {
                        let _ = receipts.send(Err(()));
                        continue;
                    }
                    Some("next") => {}
                    _ => continue,
                }
                let cluster = &value["payload"]["data"]["clusterChanged"]["cluster"];
                if cluster["name"] != target.as_str() {
                    continue;
                }
                let round = cluster["labels"]
                    .as_array()
                    .and_then(|l| l.iter().find(|l| l["key"] == "bench-round"))
                    .and_then(|l| l["value"].as_str())
                    .and_then(|v| v.parse().ok());
                if let Some(round) = round {
                    let _ = receipts.send(Ok((round, at)));
                }
            }
        });
    }
    wait_active(world, http, subscribers).await?;

    let mut result = FanoutResult {
        subscribers,
        rounds,
        latency_us: Histogram::new_with_bounds(1, 120_000_000, 3)?,
        missing: 0,
        errors: 0,
    };
    for round in 0..rounds {
        let mut object = template.clone();
        object["metadata"]["labels"]["bench-round"] = json!(round.to_string());
        if let Some(meta) = object["metadata"].as_object_mut() {
            meta.remove("resourceVersion");
        }
        let started = Instant::now();
        world.management.apply_object(object)?;
        let mut got = 0;
        while got < subscribers {
            match tokio::time::timeout(Duration::from_secs(30), received.recv()).await {
                Ok(Some(Ok((r, at)))) if r == round => {
                    result
                        .latency_us
                        .saturating_record(((at - started).as_micros() as u64).max(1));
                    got += 1;
                }
                Ok(Some(Ok(_))) => {}
                Ok(Some(Err(()))) => result.errors += 1,
                _ => {
                    eprintln!(
                        "round {round}: only {got} of {subscribers} subscribers got the event"
                    );
                    result.missing += (subscribers - got) as u64;
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(result)
}

/// Waits until the server runs every subscription (its `fleetgraph_subscriptions_active` gauge).
async fn wait_active(world: &World, http: &reqwest::Client, subscribers: usize) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let metrics = http
            .get(format!("{}/metrics", world.server.url()))
            .send()
            .await?
            .text()
            .await?;
        let active = metrics
            .lines()
            .find_map(|l| l.strip_prefix("fleetgraph_subscriptions_active "))
            .and_then(|v| v.trim().parse::<f64>().ok())
            .unwrap_or(0.0);
        if active as usize >= subscribers {
            return Ok(());
        }
        if Instant::now() > deadline {
            anyhow::bail!("only {active} of {subscribers} subscriptions became active in 120 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
