//! Defaulting as the apiserver does it after pruning: a property that is absent (or null while
//! not `nullable`) takes a deep copy of its schema's `default`; a null non-nullable property
//! without a default is dropped first; then the walk goes into every present value, defaults
//! included, so nested defaults inside a defaulted object apply too.

use serde_json::Value;

use super::node::Node;

pub(crate) fn default_node(s: &Node, v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, sub) in &s.properties {
                let missing = match map.get(k) {
                    None => sub.default.is_some(),
                    Some(Value::Null) => !sub.nullable,
                    Some(_) => false,
                };
                if !missing {
                    continue;
                }
                match &sub.default {
                    Some(d) => {
                        map.insert(k.clone(), d.clone());
                    }
                    None => {
                        map.remove(k);
                    }
                }
            }
            for (k, child) in map.iter_mut() {
                if let Some(sub) = s.child(k) {
                    default_node(sub, child);
                }
            }
        }
        Value::Array(items) => {
            if let Some(sub) = &s.items {
                for item in items {
                    default_node(sub, item);
                }
            }
        }
        _ => {}
    }
}
