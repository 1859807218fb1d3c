//! `x-kubernetes-list-type` invariants (`structurallisttype.ValidateListSetsAndMaps`): a `set`
//! holds no value twice, a `map` holds no two items with the same `x-kubernetes-list-map-keys`.
//! Only the first repeat of each value is reported, at its index.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::errors::{FieldError, go_json};
use super::node::{ListType, Node};
use super::path::Path;

pub(crate) fn check(s: &Node, v: &Value, path: &Path<'_>, out: &mut Vec<FieldError>) {
    if !s.list_types_below {
        return;
    }
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                if let Some(sub) = s.property(k) {
                    check(sub, child, &Path::Field(path, k), out);
                } else if let Some(sub) = s.additional_schema() {
                    check(sub, child, &Path::Key(path, k), out);
                }
            }
        }
        Value::Array(items) => {
            match s.list_type {
                Some(ListType::Set) => {
                    for i in repeats(items) {
                        out.push(FieldError::duplicate(
                            &Path::Index(path, i).to_string(),
                            &items[i],
                        ));
                    }
                }
                Some(ListType::Map) => map_list(s, items, path, out),
                _ => {}
            }
            if let Some(sub) = &s.items {
                for (i, item) in items.iter().enumerate() {
                    check(sub, item, &Path::Index(path, i), out);
                }
            }
        }
        _ => {}
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

fn map_list(s: &Node, items: &[Value], path: &Path<'_>, out: &mut Vec<FieldError>) {
    if let Some((i, bad)) = items
        .iter()
        .enumerate()
        .find(|(_, x)| !x.is_null() && !x.is_object())
    {
        let detail = "must be an object for an array of list-type map";
        out.push(FieldError::invalid(
            &Path::Index(path, i).to_string(),
            bad,
            detail,
        ));
        return;
    }
    let key_fields = &s.list_map_keys;
    let keys: Vec<Value> = items
        .iter()
        .map(|x| {
            let mut key = Map::new();
            if let Some(obj) = x.as_object() {
                for f in key_fields {
                    if let Some(v) = obj.get(f) {
                        key.insert(f.clone(), v.clone());
                    }
                }
            }
            Value::Object(key)
        })
        .collect();
    for i in repeats(&keys) {
        out.push(FieldError::duplicate(
            &Path::Index(path, i).to_string(),
            &keys[i],
        ));
    }
}
