//! Every operation the guide shows (`docs/operations/*.graphql`) runs green against the demo
//! world, started in-process as `fleetgraph demo` starts it, so the docs never rot.
//!
//! A file may carry directives in leading comments:
//! - `# variables: {...}` — the variables it is run with (JSON); a string `"$name"` stands for
//!   a value captured by an earlier file (files run in name order);
//! - `# expect-nonempty: a.b.c` — a path in `data` that must hold a non-empty list, object or
//!   string (several lines allowed; list indices are numbers, e.g. `clusters.nodes.0.name`);
//! - `# capture: name = a.b.c` — keeps the value at that path for later files.
//!
//! Subscriptions run over WebSocket (graphql-transport-ws); their first event is checked.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::ws::{Protocol, WsClient};
use fleetgraph::demo::{self, DemoConfig};
use serde_json::{Value, json};

/// One documented operation and what it must show.
struct Operation {
    file: PathBuf,
    text: String,
    variables: Value,
    nonempty: Vec<String>,
    captures: Vec<(String, String)>,
}

impl Operation {
    fn is_subscription(&self) -> bool {
        self.text.lines().any(|l| l.starts_with("subscription"))
    }
}

fn operations() -> Vec<Operation> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/operations");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "graphql"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file).expect("readable");
            let mut variables = json!({});
            let mut nonempty = Vec::new();
            let mut captures = Vec::new();
            for line in text.lines().take_while(|l| l.starts_with('#')) {
                let line = line.trim_start_matches('#').trim();
                if let Some(v) = line.strip_prefix("variables:") {
                    variables = serde_json::from_str(v.trim())
                        .unwrap_or_else(|e| panic!("{}: variables: {e}", file.display()));
                } else if let Some(p) = line.strip_prefix("expect-nonempty:") {
                    nonempty.push(p.trim().to_string());
                } else if let Some(c) = line.strip_prefix("capture:") {
                    let (name, path) = c
                        .split_once('=')
                        .unwrap_or_else(|| panic!("{}: capture: name = path", file.display()));
                    captures.push((name.trim().to_string(), path.trim().to_string()));
                }
            }
            Operation {
                file,
                text,
                variables,
                nonempty,
                captures,
            }
        })
        .collect()
}

fn at<'a>(data: &'a Value, path: &str) -> &'a Value {
    path.split('.')
        .fold(data, |v, part| match part.parse::<usize>() {
            Ok(i) => &v[i],
            Err(_) => &v[part],
        })
}

fn is_nonempty(v: &Value) -> bool {
    match v {
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        Value::String(s) => !s.is_empty(),
        Value::Null => false,
        _ => true,
    }
}

#[test]
fn every_operation_declares_what_it_shows() {
    let ops = operations();
    assert!(ops.len() >= 5, "the guide keeps its operations here");
    for op in &ops {
        assert!(
            !op.nonempty.is_empty(),
            "{} has no `# expect-nonempty:` line: say what a reader should see",
            op.file.display()
        );
    }
}

/// `"$name"` strings replaced by captured values; Err names what was not captured.
fn substitute(value: &Value, captured: &BTreeMap<String, Value>) -> Result<Value, String> {
    Ok(match value {
        Value::String(s) if s.starts_with('$') => captured
            .get(&s[1..])
            .cloned()
            .ok_or_else(|| format!("nothing captured as {s} (an earlier file failed?)"))?,
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| substitute(v, captured))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), substitute(v, captured)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

async fn run_query(url: &str, text: &str, variables: &Value) -> Value {
    reqwest::Client::new()
        .post(url)
        .json(&json!({"query": text, "variables": variables}))
        .send()
        .await
        .expect("request sent")
        .json()
        .await
        .expect("JSON body")
}

/// Subscribes over WebSocket and returns the first event's payload.
async fn run_subscription(base: &str, text: &str, variables: &Value) -> Value {
    let mut client = WsClient::connect(base, "/graphql/ws", Protocol::TransportWs).await;
    client.init(json!({})).await.expect("acknowledged");
    client.subscribe("doc", text, variables.clone()).await;
    loop {
        let message = client.next_message().await;
        if message["id"] == "doc" {
            return message["payload"].clone();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documented_operations_run_green_against_the_demo_world() {
    let mut config = DemoConfig::ephemeral(120);
    // Statuses change every second, so a subscription sees an event soon.
    config.pulse_secs = 1;
    let world = demo::start(&config, &|_| {})
        .await
        .expect("the demo world starts");
    let mut failures = Vec::new();
    let mut captured = BTreeMap::new();
    for op in operations() {
        let name = op.file.file_name().unwrap().to_string_lossy().to_string();
        let variables = match substitute(&op.variables, &captured) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let body = if op.is_subscription() {
            run_subscription(&world.url(), &op.text, &variables).await
        } else {
            run_query(&world.graphql_url(), &op.text, &variables).await
        };
        if let Some(errors) = body.get("errors") {
            failures.push(format!("{name}: errors {errors}"));
            continue;
        }
        for path in &op.nonempty {
            if !is_nonempty(at(&body["data"], path)) {
                failures.push(format!("{name}: `{path}` is empty in {}", body["data"]));
            }
        }
        for (var, path) in &op.captures {
            let value = at(&body["data"], path);
            if value.is_null() {
                failures.push(format!("{name}: nothing at `{path}` to capture"));
            }
            captured.insert(var.clone(), value.clone());
        }
    }
    world.shutdown().await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every endpoint of the Sveltos UI backend's endpoint table (sveltos-ui-backend.md §1.1, in the
/// shared specs beside the project) has a row in docs/endpoint-mapping.md.
#[test]
fn the_mapping_lists_every_sveltos_endpoint() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let spec = std::fs::read_to_string(root.join("../shared/spec/sveltos-ui-backend.md"))
        .expect("the shared specs beside the project");
    let mapping = std::fs::read_to_string(root.join("docs/endpoint-mapping.md")).expect("mapping");
    let table = spec
        .split("### 1.1 Endpoint table")
        .nth(1)
        .and_then(|rest| rest.split("\n### ").next())
        .expect("endpoint table");
    let mut endpoints = Vec::new();
    for row in table.lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        if cells.len() > 2 && cells[1].parse::<u32>().is_ok() {
            let path = cells[2].trim_matches('`');
            endpoints.push(path.to_string());
        }
    }
    assert_eq!(endpoints.len(), 18, "{endpoints:?}");
    let missing: Vec<&String> = endpoints
        .iter()
        .filter(|path| !mapping.contains(&format!("`GET {path}`")))
        .collect();
    assert!(missing.is_empty(), "not in the mapping: {missing:?}");
}

/// Every operation file linked from the mapping and the guide exists.
#[test]
fn linked_operation_files_exist() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    for doc in ["endpoint-mapping.md", "guide.md"] {
        let text = std::fs::read_to_string(root.join(doc)).expect("doc");
        for (i, _) in text.match_indices("(operations/") {
            let link: String = text[i + 1..].chars().take_while(|c| *c != ')').collect();
            assert!(
                root.join(&link).exists(),
                "{doc} links {link}, which is missing"
            );
        }
    }
}
