//! JSON merge patch and JSON patch (the `json-patch` crate) and strategic merge patch (maps
//! merged, lists of named items merged by their `patchMergeKey`, `$patch` directives).

use serde_json::Value;

use crate::fields::builtin_merge_key;
use crate::status::{ApiError, ApiResult};

pub fn merge_patch(target: &mut Value, patch: &Value) {
    json_patch::merge(target, patch);
}

pub fn json_patch(target: &mut Value, patch: &Value) -> ApiResult<()> {
    let p: json_patch::Patch = serde_json::from_value(patch.clone()).map_err(|e| {
        ApiError::bad_request(format!(
            "the server rejected our request due to an error in our request: {e}"
        ))
    })?;
    json_patch::patch(target, &p).map_err(|e| {
        ApiError::new(
            422,
            "Invalid",
            format!("the server rejected our request due to an error in our request: {e}"),
        )
    })
}

/// Fields whose primitive lists merge (union) instead of being replaced.
fn merges_primitives(field: &str) -> bool {
    field == "finalizers"
}

fn directive(v: &Value) -> Option<&str> {
    v.get("$patch").and_then(Value::as_str)
}

pub fn strategic_merge(target: &mut Value, patch: &Value) {
    let Some(pm) = patch.as_object() else {
        *target = patch.clone();
        return;
    };
    if directive(patch) == Some("replace") {
        let mut p = patch.clone();
        if let Some(m) = p.as_object_mut() {
            m.remove("$patch");
        }
        *target = p;
        return;
    }
    if !target.is_object() {
        *target = Value::Object(Default::default());
    }
    if let Some(keep) = pm.get("$retainKeys").and_then(Value::as_array)
        && let Some(tm) = target.as_object_mut()
    {
        tm.retain(|k, _| keep.iter().any(|x| x == k.as_str()));
    }
    for (k, v) in pm {
        if k == "$patch" || k == "$retainKeys" || k.starts_with("$setElementOrder/") {
            continue;
        }
        if let Some(field) = k.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(list), Some(del)) = (
                target.get_mut(field).and_then(Value::as_array_mut),
                v.as_array(),
            ) {
                list.retain(|x| !del.contains(x));
            }
            continue;
        }
        let Some(tm) = target.as_object_mut() else {
            return;
        };
        match v {
            Value::Null => {
                tm.remove(k);
            }
            Value::Object(_) if directive(v) == Some("delete") => {
                tm.remove(k);
            }
            Value::Object(_) => {
                let slot = tm.entry(k.clone()).or_insert(Value::Null);
                strategic_merge(slot, v);
            }
            Value::Array(items) => {
                let slot = tm.entry(k.clone()).or_insert(Value::Null);
                merge_list(slot, items, k);
            }
            other => {
                tm.insert(k.clone(), other.clone());
            }
        }
    }
}

fn merge_list(target: &mut Value, items: &[Value], field: &str) {
    if items.iter().any(|i| directive(i) == Some("replace")) {
        *target = Value::Array(
            items
                .iter()
                .filter(|i| directive(i) != Some("replace"))
                .cloned()
                .collect(),
        );
        return;
    }
    let key = builtin_merge_key(field).and_then(|k| k.into_iter().next());
    let Some(tl) = target.as_array_mut() else {
        *target = Value::Array(
            items
                .iter()
                .filter(|i| directive(i) != Some("delete"))
                .cloned()
                .collect(),
        );
        return;
    };
    match key {
        Some(key) if items.iter().all(Value::is_object) => {
            for item in items {
                let id = item.get(&key);
                let pos = id.and_then(|id| tl.iter().position(|t| t.get(&key) == Some(id)));
                match (directive(item), pos) {
                    (Some("delete"), Some(p)) => {
                        tl.remove(p);
                    }
                    (Some("delete"), None) => {}
                    (_, Some(p)) => strategic_merge(&mut tl[p], item),
                    (_, None) => tl.push(item.clone()),
                }
            }
        }
        _ if merges_primitives(field) => {
            for item in items {
                if !tl.contains(item) {
                    tl.push(item.clone());
                }
            }
        }
        _ => *tl = items.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strategic() {
        let mut t = json!({
            "metadata": {"labels": {"a": "1", "b": "2"}, "finalizers": ["x"]},
            "spec": {"containers": [{"name": "c1", "image": "i1"}, {"name": "c2", "image": "i2"}]}
        });
        strategic_merge(
            &mut t,
            &json!({
                "metadata": {"labels": {"a": null, "c": "3"}, "finalizers": ["y"]},
                "spec": {"containers": [{"name": "c2", "image": "new"}, {"name": "c1", "$patch": "delete"}, {"name": "c3", "image": "i3"}]}
            }),
        );
        assert_eq!(
            t,
            json!({
                "metadata": {"labels": {"b": "2", "c": "3"}, "finalizers": ["x", "y"]},
                "spec": {"containers": [{"name": "c2", "image": "new"}, {"name": "c3", "image": "i3"}]}
            })
        );
        strategic_merge(&mut t, &json!({"spec": {"$patch": "replace", "x": 1}}));
        assert_eq!(t["spec"], json!({"x": 1}));
    }
}
