//! Cells of the built-in printers that take more than a path: pod readiness and status,
//! quota usage, label selectors, binding subjects (`pkg/printers/internalversion`).

use serde_json::Value;

use super::builtin::str_at;

/// (ready containers, status reason, restarts) as `printPod` computes them.
pub(super) fn pod_summary(pod: &Value) -> (usize, String, i64) {
    let status = &pod["status"];
    let mut reason = str_at(pod, "/status/phase").to_string();
    if let Some(r) = status["reason"].as_str().filter(|r| !r.is_empty()) {
        reason = r.to_string();
    }
    let mut ready = 0;
    let mut restarts = 0;
    let mut has_running = false;
    let statuses = status["containerStatuses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for c in statuses.iter().rev() {
        restarts += c["restartCount"].as_i64().unwrap_or(0);
        let state = &c["state"];
        let waiting = state["waiting"]["reason"].as_str().unwrap_or("");
        let terminated = &state["terminated"];
        if !waiting.is_empty() {
            reason = waiting.to_string();
        } else if terminated.is_object() {
            reason = match terminated["reason"].as_str().filter(|r| !r.is_empty()) {
                Some(r) => r.to_string(),
                None => match terminated["signal"].as_i64().filter(|s| *s != 0) {
                    Some(sig) => format!("Signal:{sig}"),
                    None => format!("ExitCode:{}", terminated["exitCode"].as_i64().unwrap_or(0)),
                },
            };
        } else if c["ready"].as_bool() == Some(true) && state["running"].is_object() {
            has_running = true;
            ready += 1;
        }
    }
    if reason == "Completed" && has_running {
        let pod_ready = status["conditions"].as_array().is_some_and(|cs| {
            cs.iter()
                .any(|c| c["type"] == "Ready" && c["status"] == "True")
        });
        reason = if pod_ready { "Running" } else { "NotReady" }.into();
    }
    let phase = str_at(pod, "/status/phase");
    if pod["metadata"]["deletionTimestamp"].is_string() {
        if status["reason"] == "NodeLost" {
            reason = "Unknown".into();
        } else if phase != "Succeeded" && phase != "Failed" {
            reason = "Terminating".into();
        }
    }
    (ready, reason, restarts)
}

pub(super) fn quota(obj: &Value, limits: bool) -> String {
    let hard = obj["status"]["hard"]
        .as_object()
        .or(obj["spec"]["hard"].as_object());
    let used = &obj["status"]["used"];
    let mut keys: Vec<&String> = hard.map(|h| h.keys().collect()).unwrap_or_default();
    keys.sort();
    let parts: Vec<String> = keys
        .into_iter()
        .filter(|k| k.starts_with("limits.") == limits)
        .map(|k| {
            let h = hard
                .and_then(|h| h.get(k))
                .and_then(Value::as_str)
                .unwrap_or("0");
            let u = used[k.as_str()].as_str().unwrap_or("0");
            format!("{k}: {u}/{h}")
        })
        .collect();
    parts.join(", ")
}

/// metav1 `FormatLabelSelector`.
pub(super) fn label_selector(sel: &Value) -> String {
    let mut parts = Vec::new();
    if let Some(m) = sel["matchLabels"].as_object() {
        let mut kv: Vec<String> = m
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
            .collect();
        kv.sort();
        parts.extend(kv);
    }
    for e in sel["matchExpressions"].as_array().into_iter().flatten() {
        let key = e["key"].as_str().unwrap_or("");
        let values: Vec<&str> = e["values"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        parts.push(match e["operator"].as_str().unwrap_or("") {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.to_string(),
            "DoesNotExist" => format!("!{key}"),
            op => format!("{key} {op} ({})", values.join(",")),
        });
    }
    if parts.is_empty() {
        "<none>".into()
    } else {
        parts.join(",")
    }
}

pub(super) fn subjects(obj: &Value, kind: &str) -> Value {
    let names: Vec<String> = obj["subjects"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["kind"] == kind)
        .map(|s| {
            let name = s["name"].as_str().unwrap_or("");
            match s["namespace"].as_str() {
                Some(ns) if kind == "ServiceAccount" => format!("{ns}/{name}"),
                _ => name.to_string(),
            }
        })
        .collect();
    Value::String(names.join(", "))
}
