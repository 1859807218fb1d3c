//! Structural pruning: what the apiserver drops from a custom resource before storing it.
//!
//! Unknown fields go unless the schema node has `x-kubernetes-preserve-unknown-fields: true`
//! (or an `additionalProperties` schema/`true`). At the object root and at every
//! `x-kubernetes-embedded-resource` node `apiVersion`, `kind` and `metadata` are kept whatever
//! the schema says, and `metadata` is left alone (the server handles ObjectMeta itself).

use serde_json::Value;

use super::validate::flag;

const RESOURCE_KEYS: [&str; 3] = ["apiVersion", "kind", "metadata"];

pub(crate) fn prune_node(s: &Value, v: &mut Value, resource_root: bool) {
    match v {
        Value::Object(map) => {
            let props = s.get("properties").and_then(Value::as_object);
            let addl = s.get("additionalProperties");
            let keep_unknown = flag(s, "x-kubernetes-preserve-unknown-fields")
                || matches!(addl, Some(Value::Bool(true)) | Some(Value::Object(_)));
            let is_meta = |k: &str| resource_root && RESOURCE_KEYS.contains(&k);
            map.retain(|k, _| {
                keep_unknown || is_meta(k) || props.is_some_and(|p| p.contains_key(k))
            });
            for (k, child) in map.iter_mut() {
                if is_meta(k) {
                    continue;
                }
                if let Some(sub) = props.and_then(|p| p.get(k)) {
                    prune_node(sub, child, flag(sub, "x-kubernetes-embedded-resource"));
                } else if let Some(sub @ Value::Object(_)) = addl {
                    prune_node(sub, child, flag(sub, "x-kubernetes-embedded-resource"));
                }
            }
        }
        Value::Array(items) => {
            if let Some(sub) = s.get("items").filter(|i| i.is_object()) {
                let embedded = flag(sub, "x-kubernetes-embedded-resource");
                for item in items {
                    prune_node(sub, item, embedded);
                }
            }
        }
        _ => {}
    }
}
