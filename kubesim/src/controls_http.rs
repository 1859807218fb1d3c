//! `/_kubesim/*`: the test controls over HTTP, for the binary (admin token only).

use std::time::Duration;

use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

use crate::controls::FailureRule;
use crate::server::{Ctx, ok_json};
use crate::status::{ApiError, ApiResult};

#[derive(Deserialize)]
struct Latency {
    #[serde(default)]
    millis: u64,
}

#[derive(Deserialize)]
struct LogLine {
    #[serde(default)]
    time: Option<DateTime<Utc>>,
    line: String,
}

#[derive(Deserialize)]
struct PodLogs {
    namespace: String,
    pod: String,
    #[serde(default)]
    container: String,
    lines: Vec<LogLine>,
}

fn parse<T: for<'de> Deserialize<'de>>(ctx: &Ctx) -> ApiResult<T> {
    serde_json::from_slice(&ctx.body)
        .map_err(|e| ApiError::bad_request(format!("invalid body: {e}")))
}

pub fn handle(ctx: &Ctx, rest: &str) -> ApiResult<Response> {
    if !ctx.user.groups.iter().any(|g| g == "system:masters") {
        return Err(ApiError::new(
            403,
            "Forbidden",
            format!(
                "forbidden: User \"{}\" cannot use kubesim controls",
                ctx.user.username
            ),
        ));
    }
    let sh = &ctx.shared;
    let post = ctx.method == http::Method::POST;
    let done = || ok_json(&json!({"ok": true}));
    match (rest, post) {
        ("counters", false) => Ok(ok_json(&sh.controls.counters().to_json())),
        ("counters/reset", true) | ("reset-counters", true) => {
            sh.controls.reset_counters();
            Ok(done())
        }
        ("drop-watches", true) => {
            sh.drop_watches.send_modify(|n| *n += 1);
            Ok(done())
        }
        ("compact", true) => {
            sh.store.compact();
            Ok(done())
        }
        ("latency", true) => {
            let l: Latency = parse(ctx)?;
            sh.controls.set_latency(Duration::from_millis(l.millis));
            Ok(done())
        }
        ("failures", true) => {
            let r: FailureRule = parse(ctx)?;
            sh.controls.add_failure(r);
            Ok(done())
        }
        ("pod-logs", true) => {
            let p: PodLogs = parse(ctx)?;
            let lines = p
                .lines
                .into_iter()
                .map(|l| (l.time.unwrap_or_else(Utc::now), l.line))
                .collect();
            sh.logs
                .write()
                .insert((p.namespace, p.pod, p.container), lines);
            Ok(done())
        }
        _ => Err(ApiError::no_route(&format!("/_kubesim/{rest}"))),
    }
}
