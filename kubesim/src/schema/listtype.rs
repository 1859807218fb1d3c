//! `x-kubernetes-list-type` invariants (`structurallisttype.ValidateListSetsAndMaps`): a `set`
//! holds no value twice, a `map` holds no two items with the same `x-kubernetes-list-map-keys`.
//! Only the first repeat of each value is reported, at its index.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::errors::{FieldError, go_json};
use super::validate::str_of;

pub(crate) fn check(s: &Value, v: &Value, path: &str, out: &mut Vec<FieldError>) {
    match v {
        Value::Object(map) => {
            let props = s.get("properties").and_then(Value::as_object);
            let addl = s.get("additionalProperties").filter(|a| a.is_object());
            for (k, child) in map {
                if let Some(sub) = props.and_then(|p| p.get(k)) {
                    check(sub, child, &join(path, k), out);
                } else if let Some(sub) = addl {
                    check(sub, child, &format!("{path}[{k}]"), out);
                }
            }
        }
        Value::Array(items) => {
            match str_of(s, "x-kubernetes-list-type") {
                Some("set") => {
                    for i in repeats(items) {
                        out.push(FieldError::duplicate(&format!("{path}[{i}]"), &items[i]));
                    }
                }
                Some("map") => map_list(s, items, path, out),
                _ => {}
            }
            if let Some(sub) = s.get("items").filter(|i| i.is_object()) {
                for (i, item) in items.iter().enumerate() {
                    check(sub, item, &format!("{path}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

fn join(path: &str, k: &str) -> String {
    if path.is_empty() {
        k.to_string()
    } else {
        format!("{path}.{k}")
    }
}

/// Indices of the second appearance of each repeated value.
fn repeats(items: &[Value]) -> Vec<usize> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let n = seen.entry(go_json(item)).or_insert(0);
        *n += 1;
        if *n == 2 {
            out.push(i);
        }
    }
    out
}

fn map_list(s: &Value, items: &[Value], path: &str, out: &mut Vec<FieldError>) {
    if let Some((i, bad)) = items
        .iter()
        .enumerate()
        .find(|(_, x)| !x.is_null() && !x.is_object())
    {
        let detail = "must be an object for an array of list-type map";
        out.push(FieldError::invalid(&format!("{path}[{i}]"), bad, detail));
        return;
    }
    let key_fields: Vec<&str> = s
        .get("x-kubernetes-list-map-keys")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let keys: Vec<Value> = items
        .iter()
        .map(|x| {
            let mut key = Map::new();
            if let Some(obj) = x.as_object() {
                for f in &key_fields {
                    if let Some(v) = obj.get(*f) {
                        key.insert((*f).to_string(), v.clone());
                    }
                }
            }
            Value::Object(key)
        })
        .collect();
    for i in repeats(&keys) {
        out.push(FieldError::duplicate(&format!("{path}[{i}]"), &keys[i]));
    }
}
