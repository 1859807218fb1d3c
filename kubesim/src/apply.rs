//! Server-side apply: merge an applied configuration into the live object, detect conflicts
//! with other managers, remove fields the manager stopped applying, record ownership.

use serde_json::{Map, Value};

use crate::fields::{self, Entry, FieldSet, Path, Shape, get_at, item_key, remove_at};

/// A field another manager owns with a different value.
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    pub manager: String,
    pub api_version: String,
    pub path: Path,
}

/// `.spec.containers[name="x"].image`, as apply conflict messages spell paths.
pub fn render_path(path: &[String]) -> String {
    let mut s = String::new();
    for seg in path {
        if let Some(f) = seg.strip_prefix("f:") {
            s.push('.');
            s.push_str(f);
        } else if let Some(k) = seg.strip_prefix("k:") {
            let m: Map<String, Value> = serde_json::from_str(k).unwrap_or_default();
            let parts: Vec<String> = m.iter().map(|(k, v)| format!("{k}={v}")).collect();
            s.push_str(&format!("[{}]", parts.join(",")));
        } else if let Some(v) = seg.strip_prefix("v:") {
            s.push_str(&format!("[{v}]"));
        }
    }
    s
}

pub fn conflict_message(conflicts: &[Conflict]) -> String {
    let n = conflicts.len();
    let first = &conflicts[0];
    let same_manager = conflicts.iter().all(|c| c.manager == first.manager);
    if n == 1 {
        return format!(
            "Apply failed with 1 conflict: conflict with \"{}\" using {}: {}",
            first.manager,
            first.api_version,
            render_path(&first.path)
        );
    }
    if same_manager {
        let lines: Vec<String> = conflicts
            .iter()
            .map(|c| format!("- {}", render_path(&c.path)))
            .collect();
        return format!(
            "Apply failed with {n} conflicts: conflicts with \"{}\" using {}:\n{}",
            first.manager,
            first.api_version,
            lines.join("\n")
        );
    }
    let lines: Vec<String> = conflicts
        .iter()
        .map(|c| {
            format!(
                "conflict with \"{}\" using {}: {}",
                c.manager,
                c.api_version,
                render_path(&c.path)
            )
        })
        .collect();
    format!("Apply failed with {n} conflicts: {}", lines.join("\n"))
}

fn merge(live: &mut Value, applied: &Value, shape: Shape, fields_path: &mut Vec<String>) {
    match (live, applied) {
        (Value::Object(lm), Value::Object(am)) => {
            for (k, av) in am {
                fields_path.push(k.clone());
                match lm.get_mut(k) {
                    Some(lv) => merge(lv, av, shape, fields_path),
                    None => {
                        lm.insert(k.clone(), av.clone());
                    }
                }
                fields_path.pop();
            }
        }
        (Value::Array(ll), Value::Array(al)) => match shape.keys(fields_path) {
            Some(keys) => {
                for item in al {
                    let id = item_key(item, &keys);
                    match ll
                        .iter_mut()
                        .find(|l| id.is_some() && item_key(l, &keys) == id)
                    {
                        Some(l) => merge(l, item, shape, fields_path),
                        None => ll.push(item.clone()),
                    }
                }
            }
            None if shape.is_set(fields_path) => {
                for item in al {
                    if !ll.contains(item) {
                        ll.push(item.clone());
                    }
                }
            }
            None => *ll = al.clone(),
        },
        (live, applied) => *live = applied.clone(),
    }
}

/// A list-map item's key field (`k:{"name":"x"}` then `f:name`): it stays while the item does.
fn is_key_field(path: &[String]) -> bool {
    let [.., parent, last] = path else {
        return false;
    };
    match (parent.strip_prefix("k:"), last.strip_prefix("f:")) {
        (Some(keys), Some(field)) => {
            serde_json::from_str::<Map<String, Value>>(keys).is_ok_and(|m| m.contains_key(field))
        }
        _ => false,
    }
}

fn is_prefix(prefix: &[String], path: &[String]) -> bool {
    path.len() >= prefix.len() && path[..prefix.len()] == *prefix
}

/// Applies `applied` by `manager` onto `live`. Returns the merged object with managedFields,
/// or the conflicts when `force` is false.
#[allow(clippy::too_many_arguments)]
pub fn apply(
    live: &Value,
    applied: &Value,
    manager: &str,
    force: bool,
    shape: Shape,
    skip_status: bool,
    subresource: &str,
    now: &str,
) -> Result<Value, Vec<Conflict>> {
    let applied_set: FieldSet = fields::field_set(applied, shape, skip_status);
    let mut entries = fields::read_entries(live);
    let api_version = applied["apiVersion"].as_str().unwrap_or("").to_string();
    let mine =
        |e: &Entry| e.manager == manager && e.operation == "Apply" && e.subresource == subresource;
    let mut conflicts = Vec::new();
    for e in entries.iter().filter(|e| !mine(e)) {
        for p in e.fields.intersection(&applied_set) {
            if get_at(live, p) != get_at(applied, p) {
                conflicts.push(Conflict {
                    manager: e.manager.clone(),
                    api_version: e.api_version.clone(),
                    path: p.clone(),
                });
            }
        }
    }
    if !conflicts.is_empty() && !force {
        return Err(conflicts);
    }
    for e in entries.iter_mut().filter(|e| !mine(e)) {
        for c in &conflicts {
            if c.manager == e.manager {
                e.fields.remove(&c.path);
            }
        }
    }
    let previous: FieldSet = entries
        .iter()
        .filter(|e| mine(e))
        .flat_map(|e| e.fields.clone())
        .collect();
    let mut out = live.clone();
    let mut applied_body = applied.clone();
    if let Some(m) = applied_body
        .get_mut("metadata")
        .and_then(Value::as_object_mut)
    {
        m.remove("managedFields");
        m.remove("resourceVersion");
    }
    if skip_status && let Some(m) = applied_body.as_object_mut() {
        m.remove("status");
    }
    merge(&mut out, &applied_body, shape, &mut Vec::new());
    let others: Vec<&Path> = entries
        .iter()
        .filter(|e| !mine(e))
        .flat_map(|e| e.fields.iter())
        .collect();
    let mut dropped: Vec<&Path> = previous.difference(&applied_set).collect();
    // Shallow first: a dropped list item goes whole, before its own fields are visited.
    dropped.sort_by_key(|p| p.len());
    for p in dropped {
        let owned_elsewhere = others.iter().any(|o| is_prefix(p, o));
        let still_applied = applied_set.iter().any(|a| is_prefix(p, a));
        if !owned_elsewhere && !still_applied && !is_key_field(p) {
            remove_at(&mut out, p);
        }
    }
    entries.retain(|e| !mine(e));
    entries.push(Entry {
        manager: manager.into(),
        operation: "Apply".into(),
        api_version,
        subresource: subresource.into(),
        time: now.into(),
        fields: applied_set,
    });
    fields::write_entries(&mut out, &entries);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finalizers_merge_as_a_set() {
        let s = Shape::default();
        let live = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}});
        let a = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "finalizers": ["a.io/f"]}});
        let b = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "finalizers": ["b.io/f"]}});
        let v1 = apply(&live, &a, "a", false, s, false, "", "t").unwrap();
        let v2 = apply(&v1, &b, "b", false, s, false, "", "t").unwrap();
        assert_eq!(v2["metadata"]["finalizers"], json!(["a.io/f", "b.io/f"]));
        let none = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}});
        let v3 = apply(&v2, &none, "a", false, s, false, "", "t").unwrap();
        assert_eq!(v3["metadata"]["finalizers"], json!(["b.io/f"]));
    }

    #[test]
    fn conflicts_force_and_removal() {
        let live =
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {}});
        let a1 = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"k": "1", "j": "1"}});
        let s = Shape::default();
        let v1 = apply(&live, &a1, "a", false, s, false, "", "t").unwrap();
        assert_eq!(v1["data"], json!({"k": "1", "j": "1"}));
        let b = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"k": "2"}});
        let err = apply(&v1, &b, "b", false, s, false, "", "t").unwrap_err();
        assert_eq!(
            conflict_message(&err),
            "Apply failed with 1 conflict: conflict with \"a\" using v1: .data.k"
        );
        let v2 = apply(&v1, &b, "b", true, s, false, "", "t").unwrap();
        assert_eq!(v2["data"]["k"], "2");
        // a stops applying j: it is removed; k now belongs to b only and stays.
        let a2 =
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {}});
        let v3 = apply(&v2, &a2, "a", false, s, false, "", "t").unwrap();
        assert_eq!(v3["data"], json!({"k": "2"}));
    }
}
