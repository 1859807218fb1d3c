//! Closed-loop load at fixed concurrency: `concurrency` tasks each send the same POST, wait for
//! the whole body, record the latency in an HDR histogram, and send again until the time is up.
//! GraphQL errors come with HTTP 200, so every body is checked for an `errors` member.
//!
//! The floor: a bare axum handler that reads the body and answers the very bytes fleetgraph
//! answered, on the same runtime, measured by the same loop in the same run.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::post;
use hdrhistogram::Histogram;

/// Where to send and with which credentials.
#[derive(Clone)]
pub struct Target {
    pub url: String,
    pub bearer: Option<String>,
}

pub struct LoadResult {
    pub latency_us: Histogram<u64>,
    pub requests: u64,
    /// Responses with a non-200 status or a body with GraphQL `errors`.
    pub errors: u64,
    pub first_error: Option<String>,
    pub elapsed: Duration,
    /// Requests of the unrecorded warm-up before the measured window.
    pub warmup_requests: u64,
}

impl LoadResult {
    pub fn rps(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    /// Quantile in milliseconds.
    pub fn ms(&self, q: f64) -> f64 {
        self.latency_us.value_at_quantile(q) as f64 / 1000.0
    }
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 120_000_000, 3).expect("valid histogram bounds")
}

/// True when a GraphQL response body carries errors (checked on the raw bytes with the standard
/// substring search, so the check costs the same for fleetgraph and the floor and no JSON parse
/// skews the client side; a byte-window scan cost a fifth of the client's CPU).
pub fn has_errors(body: &[u8]) -> bool {
    match std::str::from_utf8(body) {
        Ok(text) => text.contains("\"errors\":"),
        Err(_) => true,
    }
}

/// One request, outside the timed loop: the body fleetgraph answers.
pub async fn fetch(client: &reqwest::Client, target: &Target, body: &Bytes) -> Result<Bytes> {
    let mut request = client
        .post(&target.url)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = &target.bearer {
        request = request.bearer_auth(token);
    }
    Ok(request.body(body.clone()).send().await?.bytes().await?)
}

pub async fn run(
    client: &reqwest::Client,
    target: &Target,
    body: &Bytes,
    concurrency: usize,
    duration: Duration,
    warmup: Duration,
) -> LoadResult {
    // Warm-up: connections opened, caches and allocators in steady state; not recorded.
    let warm = drive(client, target, body, concurrency, warmup).await;
    let mut measured = drive(client, target, body, concurrency, duration).await;
    measured.warmup_requests = warm.requests;
    measured.errors += warm.errors;
    if measured.first_error.is_none() {
        measured.first_error = warm.first_error;
    }
    measured
}

async fn drive(
    client: &reqwest::Client,
    target: &Target,
    body: &Bytes,
    concurrency: usize,
    duration: Duration,
) -> LoadResult {
    let started = Instant::now();
    let deadline = started + duration;
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, target, body) = (client.clone(), target.clone(), body.clone());
            tokio::spawn(async move {
                let mut result = LoadResult {
                    latency_us: histogram(),
                    requests: 0,
                    errors: 0,
                    first_error: None,
                    elapsed: Duration::ZERO,
                    warmup_requests: 0,
                };
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    let outcome = fetch_checked(&client, &target, &body).await;
                    let took = sent.elapsed().as_micros() as u64;
                    result.latency_us.saturating_record(took.max(1));
                    result.requests += 1;
                    if let Err(e) = outcome {
                        result.errors += 1;
                        result.first_error.get_or_insert(e);
                    }
                }
                result
            })
        })
        .collect();
    let mut total = LoadResult {
        latency_us: histogram(),
        requests: 0,
        errors: 0,
        first_error: None,
        elapsed: Duration::ZERO,
        warmup_requests: 0,
    };
    for task in tasks {
        if let Ok(part) = task.await {
            let _ = total.latency_us.add(&part.latency_us);
            total.requests += part.requests;
            total.errors += part.errors;
            if total.first_error.is_none() {
                total.first_error = part.first_error;
            }
        }
    }
    total.elapsed = started.elapsed();
    total
}

async fn fetch_checked(
    client: &reqwest::Client,
    target: &Target,
    body: &Bytes,
) -> Result<(), String> {
    let mut request = client
        .post(&target.url)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = &target.bearer {
        request = request.bearer_auth(token);
    }
    let response = request
        .body(body.clone())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(|e| e.to_string())?;
    if status != StatusCode::OK || has_errors(&bytes) {
        let text = String::from_utf8_lossy(&bytes);
        return Err(format!(
            "HTTP {status}: {}",
            text.chars().take(300).collect::<String>()
        ));
    }
    Ok(())
}

/// Starts the floor server answering `POST /floor/{name}` with `answers[name]`.
pub async fn start_floor(answers: HashMap<String, Bytes>) -> Result<SocketAddr> {
    let app = Router::new()
        .route("/floor/{name}", post(floor))
        .with_state(Arc::new(answers));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(addr)
}

async fn floor(
    State(answers): State<Arc<HashMap<String, Bytes>>>,
    Path(name): Path<String>,
    _body: Bytes,
) -> impl IntoResponse {
    match answers.get(&name) {
        Some(bytes) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            bytes.clone(),
        ),
        None => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "application/json")],
            Bytes::new(),
        ),
    }
}
