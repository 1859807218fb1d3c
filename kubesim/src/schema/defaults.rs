//! Defaulting as the apiserver does it after pruning (which has already dropped null
//! non-nullable fields without a default): a property that is absent, or null while not
//! `nullable`, takes a deep copy of its schema's `default`; then the walk goes into every
//! present value, defaults included, so nested defaults inside a defaulted object apply too.
//! Subtrees without any default are skipped.

use serde_json::Value;

use super::node::Node;

pub(crate) fn default_node(s: &Node, v: &mut Value) {
    if !s.defaults_below {
        return;
    }
    match v {
        Value::Object(map) => {
            for &i in &s.defaulted {
                let (k, sub) = &s.properties[i];
                let missing = match map.get(k) {
                    None => true,
                    Some(Value::Null) => !sub.nullable,
                    Some(_) => false,
                };
                if let (true, Some(d)) = (missing, &sub.default) {
                    map.insert(k.clone(), d.clone());
                }
            }
            if let Some(addl) = s.additional_schema()
                && let (false, Some(d)) = (addl.nullable, &addl.default)
            {
                for (k, v) in map.iter_mut() {
                    if v.is_null() && !s.has_property(k) {
                        *v = d.clone();
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
