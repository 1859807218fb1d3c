//! Defaulting as the apiserver does it after pruning: a property that is absent (or null while
//! not `nullable`) takes a deep copy of its schema's `default`; a null non-nullable property
//! without a default is dropped first; then the walk goes into every present value, defaults
//! included, so nested defaults inside a defaulted object apply too.

use serde_json::Value;

use super::validate::flag;

pub(crate) fn default_node(s: &Value, v: &mut Value) {
    match v {
        Value::Object(map) => {
            let props = s.get("properties").and_then(Value::as_object);
            if let Some(props) = props {
                for (k, sub) in props {
                    let nullable = flag(sub, "nullable");
                    let missing = match map.get(k) {
                        None => true,
                        Some(Value::Null) => !nullable,
                        Some(_) => false,
                    };
                    if !missing {
                        continue;
                    }
                    match sub.get("default") {
                        Some(d) => {
                            map.insert(k.clone(), d.clone());
                        }
                        None if map.get(k).is_some_and(Value::is_null) => {
                            map.remove(k);
                        }
                        None => {}
                    }
                }
            }
            let addl = s.get("additionalProperties").filter(|a| a.is_object());
            for (k, child) in map.iter_mut() {
                if let Some(sub) = props.and_then(|p| p.get(k)).or(addl) {
                    default_node(sub, child);
                }
            }
        }
        Value::Array(items) => {
            if let Some(sub) = s.get("items").filter(|i| i.is_object()) {
                for item in items {
                    default_node(sub, item);
                }
            }
        }
        _ => {}
    }
}
