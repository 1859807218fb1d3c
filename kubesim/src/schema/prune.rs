//! Structural pruning: what the apiserver drops from a custom resource before storing it.
//!
//! Unknown fields go unless the schema node has `x-kubernetes-preserve-unknown-fields: true`
//! (or an `additionalProperties` schema/`true`). At the object root and at every
//! `x-kubernetes-embedded-resource` node `apiVersion`, `kind` and `metadata` are kept whatever
//! the schema says, and `metadata` is left alone (the server handles ObjectMeta itself).
//!
//! Null values are dropped too where the field's schema (its property, else the
//! `additionalProperties` schema) is not `nullable` and has no `default`, as Go's
//! `PruneNonNullableNullsWithoutDefaults` does between pruning and defaulting.

use serde_json::Value;

use super::node::{Additional, Node};

const RESOURCE_KEYS: [&str; 3] = ["apiVersion", "kind", "metadata"];

pub(crate) fn prune_node(s: &Node, v: &mut Value, resource_root: bool) {
    match v {
        Value::Object(map) => {
            let keep_unknown = s.preserve_unknown
                || matches!(
                    s.additional,
                    Additional::Allows(true) | Additional::Schema(_)
                );
            let is_meta = |k: &str| resource_root && RESOURCE_KEYS.contains(&k);
            map.retain(|k, v| {
                if is_meta(k) {
                    return true;
                }
                let sub = s.child(k);
                if v.is_null() && sub.is_some_and(|c| !c.nullable && c.default.is_none()) {
                    return false;
                }
                keep_unknown || s.has_property(k)
            });
            for (k, child) in map.iter_mut() {
                if is_meta(k) {
                    continue;
                }
                if let Some(sub) = s.child(k) {
                    prune_node(sub, child, sub.embedded);
                }
            }
        }
        Value::Array(items) => {
            if let Some(sub) = &s.items {
                for item in items {
                    prune_node(sub, item, sub.embedded);
                }
            }
        }
        _ => {}
    }
}
