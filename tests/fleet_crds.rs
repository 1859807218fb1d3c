//! The CRDs generated from the types (`T::crd()`, installed by demo mode): same identity as the
//! upstream files, structural, and accepting real objects with nothing pruned.

mod fleet_support;

use fleet_support::{UpstreamCrds, check_admitted, version_schema, yaml_documents};
use fleetgraph::fleet::generator::{FleetSpec, generate};
use fleetgraph::fleet::kinds::crds;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

fn generated_crds() -> BTreeMap<(String, String), Value> {
    crds()
        .into_iter()
        .map(|crd| {
            let value = serde_json::to_value(&crd).unwrap();
            let key = (
                value["spec"]["group"].as_str().unwrap().to_owned(),
                value["spec"]["names"]["kind"].as_str().unwrap().to_owned(),
            );
            (key, value)
        })
        .collect()
}

/// (name, served, storage, deprecated, has status subresource) per version, sorted.
fn versions(crd: &Value) -> Vec<(String, bool, bool, bool, bool)> {
    let mut out: Vec<_> = crd["spec"]["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["name"].as_str().unwrap().to_owned(),
                v["served"].as_bool().unwrap_or(false),
                v["storage"].as_bool().unwrap_or(false),
                v["deprecated"].as_bool().unwrap_or(false),
                v["subresources"].get("status").is_some(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn generated_crds_match_the_upstream_identity() {
    let upstream = UpstreamCrds::load();
    let generated = generated_crds();
    assert_eq!(generated.len(), 14);
    for ((group, kind), crd) in &generated {
        let original = upstream.crd(group, kind);
        assert_eq!(crd["apiVersion"], "apiextensions.k8s.io/v1");
        assert_eq!(crd["kind"], "CustomResourceDefinition");
        assert_eq!(
            crd["metadata"]["name"], original["metadata"]["name"],
            "{kind}"
        );
        assert_eq!(
            crd["spec"]["scope"], original["spec"]["scope"],
            "{kind} scope"
        );
        for field in ["kind", "plural", "singular", "listKind"] {
            assert_eq!(
                crd["spec"]["names"][field], original["spec"]["names"][field],
                "{kind} names.{field}"
            );
        }
        let short = |c: &Value| c["spec"]["names"]["shortNames"].clone();
        assert_eq!(short(crd), short(original), "{kind} shortNames");
        assert_eq!(versions(crd), versions(original), "{kind} versions");
    }
}

fn structural_problems(schema: &Value, path: &str, out: &mut Vec<String>) {
    let Some(node) = schema.as_object() else {
        out.push(format!("{path}: not an object schema"));
        return;
    };
    let typed = node.contains_key("type")
        || node.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true))
        || node.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true));
    if !typed {
        out.push(format!("{path}: no type"));
    }
    if node.contains_key("properties") && node.contains_key("additionalProperties") {
        out.push(format!("{path}: properties and additionalProperties"));
    }
    for forbidden in ["$ref", "anyOf", "oneOf", "allOf", "definitions", "$defs"] {
        if node.contains_key(forbidden) {
            out.push(format!("{path}: {forbidden}"));
        }
    }
    if let Some(properties) = node.get("properties").and_then(Value::as_object) {
        for (name, sub) in properties {
            structural_problems(sub, &format!("{path}.{name}"), out);
        }
    }
    if let Some(items) = node.get("items") {
        structural_problems(items, &format!("{path}[]"), out);
    }
    if let Some(extra) = node.get("additionalProperties").filter(|v| v.is_object()) {
        structural_problems(extra, &format!("{path}{{}}"), out);
    }
}

#[test]
fn generated_schemas_are_structural() {
    let mut problems = Vec::new();
    for ((_, kind), crd) in generated_crds() {
        for version in crd["spec"]["versions"].as_array().unwrap() {
            let schema = &version["schema"]["openAPIV3Schema"];
            structural_problems(
                schema,
                &format!("{kind}/{}", version["name"]),
                &mut problems,
            );
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

fn generated_schema_for<'a>(
    generated: &'a BTreeMap<(String, String), Value>,
    object: &Value,
) -> &'a Value {
    let (group, version) = object["apiVersion"]
        .as_str()
        .unwrap()
        .rsplit_once('/')
        .unwrap();
    let kind = object["kind"].as_str().unwrap();
    let crd = &generated[&(group.to_owned(), kind.to_owned())];
    version_schema(crd, version).unwrap()
}

#[test]
fn generated_schemas_accept_generated_objects_unpruned() {
    let generated = generated_crds();
    let mut failures = Vec::new();
    for object in generate(&FleetSpec::small(11)) {
        if object["kind"] == "Namespace" {
            continue;
        }
        if let Err(e) = check_admitted(generated_schema_for(&generated, &object), &object) {
            failures.push(format!(
                "{} {}: {e}",
                object["kind"], object["metadata"]["name"]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn generated_schemas_accept_kubesim_valid_fixtures_unpruned() {
    let generated = generated_crds();
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/kubesim/tests/fixtures/valid"
    ));
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("kubesim fixtures missing at {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for path in paths {
        for object in yaml_documents(&path) {
            let Some((group, version)) = object["apiVersion"]
                .as_str()
                .and_then(|a| a.rsplit_once('/'))
            else {
                continue;
            };
            let key = (
                group.to_owned(),
                object["kind"].as_str().unwrap_or_default().to_owned(),
            );
            let Some(schema) = generated
                .get(&key)
                .and_then(|crd| version_schema(crd, version))
            else {
                continue;
            };
            checked += 1;
            if let Err(e) = check_admitted(schema, &object) {
                failures.push(format!("{}: {e}", path.display()));
            }
        }
    }
    assert!(checked >= 14, "only {checked} fixtures checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
