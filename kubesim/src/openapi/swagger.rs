//! `/openapi/v2`: the v3 documents of every group-version folded into one Swagger 2.0
//! document (body parameters in place of request bodies, `#/definitions/` refs).

use serde_json::{Map, Value, json};

use super::documents::{served_gvs, v3_document};
use crate::registry::Registry;

fn rewrite_refs(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if k == "$ref" {
                    if let Some(s) = x.as_str() {
                        *x = json!(s.replace("#/components/schemas/", "#/definitions/"));
                    }
                } else {
                    rewrite_refs(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

fn v2_param(p: &Value) -> Value {
    let mut out = Map::new();
    if let Value::Object(m) = p {
        for (k, v) in m {
            if k == "schema" {
                if let Value::Object(s) = v {
                    out.extend(s.clone());
                }
            } else {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(out)
}

fn v2_operation(op: &Value) -> Value {
    let mut out = op.clone();
    let Some(m) = out.as_object_mut() else {
        return out;
    };
    let mut params: Vec<Value> = m
        .remove("parameters")
        .and_then(|p| p.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .map(v2_param)
        .collect();
    if let Some(body) = m.remove("requestBody") {
        let content = body["content"].as_object().cloned().unwrap_or_default();
        let consumes: Vec<&String> = content.keys().collect();
        let schema = content
            .values()
            .next()
            .map(|c| c["schema"].clone())
            .unwrap_or(json!({}));
        params.insert(
            0,
            json!({"name": "body", "in": "body", "required": true, "schema": schema}),
        );
        m.insert("consumes".into(), json!(consumes));
    }
    if !params.is_empty() {
        m.insert("parameters".into(), Value::Array(params));
    }
    if let Some(Value::Object(resps)) = m.get_mut("responses") {
        for r in resps.values_mut() {
            if let Some(schema) = r
                .get("content")
                .and_then(|c| c.get("application/json"))
                .and_then(|c| c.get("schema"))
                .cloned()
            {
                r["schema"] = schema;
            }
            if let Some(o) = r.as_object_mut() {
                o.remove("content");
            }
        }
    }
    m.insert(
        "produces".into(),
        json!([
            "application/json",
            "application/yaml",
            "application/vnd.kubernetes.protobuf"
        ]),
    );
    m.insert("schemes".into(), json!(["https"]));
    out
}

/// The Swagger 2.0 document of everything served.
pub fn v2_document(registry: &Registry) -> Value {
    let mut paths = Map::new();
    let mut definitions = Map::new();
    for gv in served_gvs(registry) {
        let Some(mut doc) = v3_document(registry, &gv) else {
            continue;
        };
        rewrite_refs(&mut doc);
        if let Some(Value::Object(defs)) = doc.pointer_mut("/components/schemas").map(Value::take) {
            definitions.extend(defs);
        }
        if let Value::Object(ps) = doc["paths"].take() {
            for (path, item) in ps {
                let mut item_out = Map::new();
                for (k, v) in item.as_object().cloned().unwrap_or_default() {
                    let v = if k == "parameters" {
                        Value::Array(
                            v.as_array()
                                .cloned()
                                .unwrap_or_default()
                                .iter()
                                .map(v2_param)
                                .collect(),
                        )
                    } else {
                        v2_operation(&v)
                    };
                    item_out.insert(k, v);
                }
                paths.insert(path, Value::Object(item_out));
            }
        }
    }
    let mut sorted: Vec<(String, Value)> = definitions.into_iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    json!({
        "swagger": "2.0",
        "info": {"title": "Kubernetes", "version": "unversioned"},
        "paths": paths,
        "definitions": Map::from_iter(sorted),
        "securityDefinitions": {"BearerToken": {"description": "Bearer Token authentication", "type": "apiKey", "name": "authorization", "in": "header"}},
        "security": [{"BearerToken": []}],
    })
}
