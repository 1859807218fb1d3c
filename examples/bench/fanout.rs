//! Subscription fan-out: `subscribers` graphql-transport-ws subscriptions on one cluster
//! (`per_connection` per socket, admin JWT in `connection_init`); each round writes one object in
//! kubesim and times, per subscriber, the kubesim write to the event's arrival. Two scenarios:
//! a label of the SveltosCluster (`clusterChanged`), and a feature status in one of its
//! ClusterSummaries (`clusterStatusChanged`): the status change graph.md §6 talks about, which
//! also rebuilds the summary-derived indexes over all 50,000 summaries.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use fleetgraph::fleet::kinds::{CONFIG_API_VERSION, LIB_API_VERSION};
use futures::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::world::World;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    /// A label of the SveltosCluster changes; `clusterChanged(filter)` subscribers.
    ClusterLabel,
    /// A feature's `failureMessage` in one of its ClusterSummaries changes;
    /// `clusterStatusChanged(cluster)` subscribers.
    SummaryStatus,
}

impl Scenario {
    pub fn describe(self) -> &'static str {
        match self {
            Scenario::ClusterLabel => "SveltosCluster label → `clusterChanged`",
            Scenario::SummaryStatus => "ClusterSummary status → `clusterStatusChanged`",
        }
    }

    fn query(self) -> &'static str {
        match self {
            Scenario::ClusterLabel => {
                "subscription F($filter: ClusterFilter) { clusterChanged(filter: $filter) \
                 { change cluster { name labels { key value } } } }"
            }
            Scenario::SummaryStatus => {
                "subscription S($id: ID!) { clusterStatusChanged(cluster: $id) \
                 { cluster { name profileStatuses(first: 50) \
                 { edges { node { clusterSummaryName failureMessage } } } } } }"
            }
        }
    }

    /// The round a `next` payload reports, if it is about `target`.
    fn round_of(self, data: &Value, target: &str) -> Option<usize> {
        let cluster = match self {
            Scenario::ClusterLabel => &data["clusterChanged"]["cluster"],
            Scenario::SummaryStatus => &data["clusterStatusChanged"]["cluster"],
        };
        if cluster["name"] != target {
            return None;
        }
        match self {
            Scenario::ClusterLabel => cluster["labels"]
                .as_array()?
                .iter()
                .find(|l| l["key"] == "bench-round")?["value"]
                .as_str()?
                .parse()
                .ok(),
            Scenario::SummaryStatus => cluster["profileStatuses"]["edges"]
                .as_array()?
                .iter()
                .find_map(|e| {
                    e["node"]["failureMessage"]
                        .as_str()?
                        .strip_prefix("bench-round-")?
                        .parse()
                        .ok()
                }),
        }
    }
}

pub struct FanoutResult {
    pub scenario: Scenario,
    pub subscribers: usize,
    pub rounds: usize,
    pub latency_us: Histogram<u64>,
    /// Events expected but not received within 30 s.
    pub missing: u64,
    /// `error` messages and `next` payloads with GraphQL errors.
    pub errors: u64,
}

/// The cluster every subscription watches and the object each round writes.
struct Target {
    name: String,
    variables: Value,
    object: Value,
}

/// A Sveltos cluster with at least one ClusterSummary, and what `scenario` writes each round.
async fn target(world: &World, http: &reqwest::Client, scenario: Scenario) -> Result<Target> {
    let page = world
        .admin(
            http,
            "{ clusters(first: 50, filter: { kind: SVELTOS }) { edges { node { id namespace name \
             profileStatuses(first: 1) { edges { node { clusterSummaryName } } } } } } }",
            json!({}),
        )
        .await?;
    let edges = page["clusters"]["edges"]
        .as_array()
        .context("cluster page")?;
    let node = edges
        .iter()
        .map(|e| &e["node"])
        .find(|n| n["profileStatuses"]["edges"][0]["node"]["clusterSummaryName"].is_string())
        .context("no Sveltos cluster among the first 50 has a ClusterSummary")?;
    let namespace = node["namespace"].as_str().context("namespace")?.to_string();
    let name = node["name"].as_str().context("name")?.to_string();
    let (variables, object) = match scenario {
        Scenario::ClusterLabel => (
            json!({ "filter": { "namespace": namespace, "name": name } }),
            world
                .management
                .get_object(LIB_API_VERSION, "SveltosCluster", &namespace, &name)
                .context("target cluster")?,
        ),
        Scenario::SummaryStatus => {
            let summary = node["profileStatuses"]["edges"][0]["node"]["clusterSummaryName"]
                .as_str()
                .context("summary name")?;
            (
                json!({ "id": node["id"] }),
                world
                    .management
                    .get_object(CONFIG_API_VERSION, "ClusterSummary", &namespace, summary)
                    .context("target ClusterSummary")?,
            )
        }
    };
    Ok(Target {
        name,
        variables,
        object,
    })
}

/// The object `scenario` writes in `round`.
fn changed(scenario: Scenario, template: &Value, round: usize) -> Result<Value> {
    let mut object = template.clone();
    match scenario {
        Scenario::ClusterLabel => {
            object["metadata"]["labels"]["bench-round"] = json!(round.to_string());
        }
        Scenario::SummaryStatus => {
            let feature = object
                .pointer_mut("/status/featureSummaries/0")
                .context("the ClusterSummary has no feature summary")?;
            feature["failureMessage"] = json!(format!("bench-round-{round}"));
        }
    }
    if let Some(meta) = object["metadata"].as_object_mut() {
        meta.remove("resourceVersion");
    }
    Ok(object)
}

pub async fn run(
    world: &World,
    http: &reqwest::Client,
    scenario: Scenario,
    subscribers: usize,
    per_connection: usize,
    rounds: usize,
) -> Result<FanoutResult> {
    let target = target(world, http, scenario).await?;
    let name = target.name.clone();
    let mut readers = Vec::new();

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
                    "query": scenario.query(), "variables": target.variables } }),
                ))
                .await?;
        }
        let receipts = receipts.clone();
        let watched = name.clone();
        readers.push(tokio::spawn(async move {
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
                if let Some(round) = scenario.round_of(&value["payload"]["data"], &watched) {
                    let _ = receipts.send(Ok((round, at)));
                }
            }
        }));
    }
    wait_active(world, http, |active| active >= subscribers).await?;

    let mut result = FanoutResult {
        scenario,
        subscribers,
        rounds,
        latency_us: Histogram::new_with_bounds(1, 120_000_000, 3)?,
        missing: 0,
        errors: 0,
    };
    for round in 0..rounds {
        let object = changed(scenario, &target.object, round)?;
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
    // Close the sockets so that the next scenario starts from no subscriptions.
    for reader in readers {
        reader.abort();
    }
    wait_active(world, http, |active| active == 0).await?;
    Ok(result)
}

/// Waits until the server's `fleetgraph_subscriptions_active` gauge satisfies `done`.
async fn wait_active(
    world: &World,
    http: &reqwest::Client,
    done: impl Fn(usize) -> bool,
) -> Result<()> {
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
        if done(active as usize) {
            return Ok(());
        }
        if Instant::now() > deadline {
            anyhow::bail!("{active} subscriptions active after 120 s, not the number expected");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
