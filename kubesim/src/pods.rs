//! The `pods/log` subresource over log lines set by tests.

use axum::response::Response;
use chrono::{SecondsFormat, Utc};
use http::StatusCode;
use serde_json::Value;

use crate::server::{Ctx, bytes_response};
use crate::state::LogLines;
use crate::status::{ApiError, ApiResult};
use crate::store::GroupResource;

fn containers(pod: &Value) -> Vec<String> {
    pod.pointer("/spec/containers")
        .and_then(Value::as_array)
        .map(|cs| {
            cs.iter()
                .filter_map(|c| c.get("name").and_then(Value::as_str))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The log text for a pod's container after `tailLines` / `sinceSeconds` / `timestamps`.
pub fn render(
    lines: &LogLines,
    tail: Option<usize>,
    since: Option<i64>,
    timestamps: bool,
) -> String {
    let cutoff = since.map(|s| Utc::now() - chrono::Duration::seconds(s));
    let kept: Vec<&(chrono::DateTime<Utc>, String)> = lines
        .iter()
        .filter(|(t, _)| cutoff.is_none_or(|c| *t >= c))
        .collect();
    let start = tail.map(|n| kept.len().saturating_sub(n)).unwrap_or(0);
    let mut out = String::new();
    for (t, l) in &kept[start..] {
        if timestamps {
            out.push_str(&t.to_rfc3339_opts(SecondsFormat::Nanos, true));
            out.push(' ');
        }
        out.push_str(l);
        out.push('\n');
    }
    out
}

pub fn log(ctx: &Ctx, ns: &str, name: &str) -> ApiResult<Response> {
    let pod = ctx
        .shared
        .store
        .get(&GroupResource::new("", "pods"), ns, name)
        .ok_or_else(|| ApiError::not_found("", "pods", name))?;
    let names = containers(&pod);
    let container = match ctx.q("container") {
        Some(c) => {
            if !names.is_empty() && !names.iter().any(|n| n == c) {
                return Err(ApiError::bad_request(format!(
                    "container {c} is not valid for pod {name}"
                )));
            }
            c.to_string()
        }
        None if names.len() == 1 => names[0].clone(),
        None if names.is_empty() => String::new(),
        None => {
            return Err(ApiError::bad_request(format!(
                "a container name must be specified for pod {name}, choose one of: [{}]",
                names.join(" ")
            )));
        }
    };
    let tail = ctx
        .q("tailLines")
        .and_then(|t| t.parse::<i64>().ok())
        .map(|t| t.max(0) as usize);
    let since = ctx.q("sinceSeconds").and_then(|t| t.parse::<i64>().ok());
    let logs = ctx.shared.logs.read();
    let empty = LogLines::new();
    let lines = logs
        .get(&(ns.to_string(), name.to_string(), container.clone()))
        .or_else(|| {
            if container.is_empty() {
                logs.iter()
                    .find(|((n, p, _), _)| n == ns && p == name)
                    .map(|(_, l)| l)
            } else {
                None
            }
        })
        .unwrap_or(&empty);
    let text = render(lines, tail, since, ctx.flag("timestamps"));
    Ok(bytes_response(StatusCode::OK, "text/plain", text.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_since_timestamps() {
        let now = Utc::now();
        let lines = vec![
            (now - chrono::Duration::seconds(100), "old".to_string()),
            (now - chrono::Duration::seconds(5), "a".to_string()),
            (now, "b".to_string()),
        ];
        assert_eq!(render(&lines, None, None, false), "old\na\nb\n");
        assert_eq!(render(&lines, Some(1), None, false), "b\n");
        assert_eq!(render(&lines, None, Some(50), false), "a\nb\n");
        assert!(render(&lines, Some(1), None, true).ends_with("Z b\n"));
    }
}
