//! Field ownership (`metadata.managedFields`, FieldsV1) as structured-merge-diff records it:
//! field sets as sets of leaf paths, built from objects with list-map knowledge.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

/// One path segment in FieldsV1 spelling: `f:name`, `k:{"name":"x"}`.
pub type Path = Vec<String>;
pub type FieldSet = BTreeSet<Path>;

/// How lists are keyed: from a CRD schema (`x-kubernetes-list-type: map`) or, for built-ins,
/// the `patchMergeKey`s of the common Kubernetes types.
#[derive(Clone, Copy, Default)]
pub struct Shape<'a> {
    pub schema: Option<&'a Value>,
}

pub fn builtin_merge_key(field: &str) -> Option<Vec<String>> {
    let k = match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "volumes"
        | "env"
        | "imagePullSecrets"
        | "secrets" => "name",
        "ports" => "containerPort",
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "conditions" => "type",
        "ownerReferences" => "uid",
        "hostAliases" => "ip",
        "topologySpreadConstraints" => "topologyKey",
        _ => return None,
    };
    Some(vec![k.to_string()])
}

impl Shape<'_> {
    /// Whether the list at `fields` merges as a set of scalars (each value owned on its own).
    pub fn is_set(&self, fields: &[String]) -> bool {
        match self.schema {
            Some(s) => crate::crd::is_list_set(s, fields),
            None => fields.last().is_some_and(|f| f == "finalizers"),
        }
    }

    /// List-map keys for the list at `fields` (field names only, from the root).
    pub fn keys(&self, fields: &[String]) -> Option<Vec<String>> {
        match self.schema {
            Some(s) => crate::crd::list_map_keys(s, fields),
            None => fields.last().and_then(|f| builtin_merge_key(f)),
        }
    }
}

const STRIPPED_META: &[&str] = &[
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "managedFields",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "selfLink",
];

pub fn item_key(item: &Value, keys: &[String]) -> Option<String> {
    let mut m = Map::new();
    for k in keys {
        m.insert(k.clone(), item.get(k)?.clone());
    }
    Some(format!("k:{}", Value::Object(m)))
}

fn walk(v: &Value, shape: Shape, path: &mut Path, fields: &mut Vec<String>, out: &mut FieldSet) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, child) in m {
                if path.is_empty() && (k == "apiVersion" || k == "kind") {
                    continue;
                }
                if path.len() == 1 && path[0] == "f:metadata" && STRIPPED_META.contains(&k.as_str())
                {
                    continue;
                }
                path.push(format!("f:{k}"));
                fields.push(k.clone());
                walk(child, shape, path, fields, out);
                fields.pop();
                path.pop();
            }
        }
        Value::Array(items) if !items.is_empty() => match shape.keys(fields) {
            Some(keys) if items.iter().all(|i| item_key(i, &keys).is_some()) => {
                for item in items {
                    let Some(k) = item_key(item, &keys) else {
                        continue;
                    };
                    path.push(k);
                    out.insert(path.clone());
                    walk(item, shape, path, fields, out);
                    path.pop();
                }
            }
            _ if shape.is_set(fields) && items.iter().all(|i| !i.is_object() && !i.is_array()) => {
                for item in items {
                    path.push(format!("v:{item}"));
                    out.insert(path.clone());
                    path.pop();
                }
            }
            _ => {
                out.insert(path.clone());
            }
        },
        _ => {
            if !path.is_empty() {
                out.insert(path.clone());
            }
        }
    }
}

/// Leaf paths of an object (identity metadata stripped; `status` too when `skip_status`).
pub fn field_set(obj: &Value, shape: Shape, skip_status: bool) -> FieldSet {
    let mut out = FieldSet::new();
    let mut o = obj.clone();
    if skip_status && let Some(m) = o.as_object_mut() {
        m.remove("status");
    }
    walk(&o, shape, &mut Vec::new(), &mut Vec::new(), &mut out);
    out
}

/// The value at a path, if present.
pub fn get_at<'a>(v: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut cur = v;
    for seg in path {
        cur = if let Some(f) = seg.strip_prefix("f:") {
            cur.get(f)?
        } else if let Some(k) = seg.strip_prefix("k:") {
            let want: Map<String, Value> = serde_json::from_str(k).ok()?;
            cur.as_array()?
                .iter()
                .find(|i| want.iter().all(|(kk, vv)| i.get(kk) == Some(vv)))?
        } else if let Some(v) = seg.strip_prefix("v:") {
            let want: Value = serde_json::from_str(v).ok()?;
            cur.as_array()?.iter().find(|i| **i == want)?
        } else {
            return None;
        };
    }
    Some(cur)
}

/// Removes the value at a path; true when something was removed.
pub fn remove_at(v: &mut Value, path: &[String]) -> bool {
    let Some((last, parent)) = path.split_last() else {
        return false;
    };
    let mut cur = v;
    for seg in parent {
        let next = if let Some(f) = seg.strip_prefix("f:") {
            cur.get_mut(f)
        } else if let Some(k) = seg.strip_prefix("k:") {
            let Ok(want) = serde_json::from_str::<Map<String, Value>>(k) else {
                return false;
            };
            cur.as_array_mut().and_then(|a| {
                a.iter_mut()
                    .find(|i| want.iter().all(|(kk, vv)| i.get(kk) == Some(vv)))
            })
        } else {
            None
        };
        match next {
            Some(n) => cur = n,
            None => return false,
        }
    }
    if let Some(f) = last.strip_prefix("f:") {
        cur.as_object_mut().and_then(|m| m.remove(f)).is_some()
    } else if let Some(k) = last.strip_prefix("k:") {
        let Ok(want) = serde_json::from_str::<Map<String, Value>>(k) else {
            return false;
        };
        match cur.as_array_mut() {
            Some(a) => {
                let before = a.len();
                a.retain(|i| !want.iter().all(|(kk, vv)| i.get(kk) == Some(vv)));
                a.len() != before
            }
            None => false,
        }
    } else if let Some(v) = last.strip_prefix("v:") {
        let Ok(want) = serde_json::from_str::<Value>(v) else {
            return false;
        };
        match cur.as_array_mut() {
            Some(a) => {
                let before = a.len();
                a.retain(|i| *i != want);
                a.len() != before
            }
            None => false,
        }
    } else {
        false
    }
}

/// FieldsV1 JSON for a set.
pub fn to_fields_v1(set: &FieldSet) -> Value {
    let mut root = json!({});
    for path in set {
        let mut cur = &mut root;
        for seg in path {
            cur = cur
                .as_object_mut()
                .expect("fields nodes are objects")
                .entry(seg.clone())
                .or_insert_with(|| json!({}));
        }
        if path.last().is_some_and(|s| s.starts_with("k:"))
            && let Some(m) = cur.as_object_mut()
        {
            m.insert(".".into(), json!({}));
        }
    }
    root
}

/// Parses FieldsV1 JSON back into leaf paths.
pub fn from_fields_v1(v: &Value) -> FieldSet {
    fn go(v: &Value, path: &mut Path, out: &mut FieldSet) {
        let Some(m) = v.as_object() else { return };
        let children: Vec<_> = m.iter().filter(|(k, _)| *k != ".").collect();
        if m.contains_key(".") || (children.is_empty() && !path.is_empty()) {
            out.insert(path.clone());
        }
        for (k, child) in children {
            path.push(k.clone());
            go(child, path, out);
            path.pop();
        }
    }
    let mut out = FieldSet::new();
    go(v, &mut Vec::new(), &mut out);
    out
}

/// One `managedFields` entry, parsed.
#[derive(Clone, Debug)]
pub struct Entry {
    pub manager: String,
    pub operation: String,
    pub api_version: String,
    pub subresource: String,
    pub time: String,
    pub fields: FieldSet,
}

pub fn read_entries(obj: &Value) -> Vec<Entry> {
    obj.pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|e| Entry {
                    manager: e["manager"].as_str().unwrap_or("").into(),
                    operation: e["operation"].as_str().unwrap_or("").into(),
                    api_version: e["apiVersion"].as_str().unwrap_or("").into(),
                    subresource: e["subresource"].as_str().unwrap_or("").into(),
                    time: e["time"].as_str().unwrap_or("").into(),
                    fields: from_fields_v1(&e["fieldsV1"]),
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn write_entries(obj: &mut Value, entries: &[Entry]) {
    let list: Vec<Value> = entries
        .iter()
        .filter(|e| !e.fields.is_empty())
        .map(|e| {
            let mut v = json!({
                "manager": e.manager,
                "operation": e.operation,
                "apiVersion": e.api_version,
                "time": e.time,
                "fieldsType": "FieldsV1",
                "fieldsV1": to_fields_v1(&e.fields),
            });
            if !e.subresource.is_empty() {
                v["subresource"] = json!(e.subresource);
            }
            v
        })
        .collect();
    if let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        if list.is_empty() {
            m.remove("managedFields");
        } else {
            m.insert("managedFields".into(), Value::Array(list));
        }
    }
}

/// Records a non-apply write: fields it changed become `manager`'s and leave other managers.
pub fn record_write(
    old: Option<&Value>,
    new: &mut Value,
    manager: &str,
    operation: &str,
    now: &str,
    shape: Shape,
    subresource: &str,
) {
    let new_set = field_set(new, shape, false);
    let changed: FieldSet = match old {
        None => new_set.clone(),
        Some(o) => new_set
            .iter()
            .filter(|p| get_at(o, p) != get_at(new, p))
            .cloned()
            .collect(),
    };
    let mut entries = old.map(read_entries).unwrap_or_default();
    let api_version = new["apiVersion"].as_str().unwrap_or("").to_string();
    for e in &mut entries {
        e.fields
            .retain(|p| new_set.contains(p) && !changed.contains(p));
    }
    if !changed.is_empty() {
        match entries.iter_mut().find(|e| {
            e.manager == manager && e.operation == operation && e.subresource == subresource
        }) {
            Some(e) => {
                e.fields.extend(changed);
                e.time = now.into();
                e.api_version = api_version;
            }
            None => entries.push(Entry {
                manager: manager.into(),
                operation: operation.into(),
                api_version,
                subresource: subresource.into(),
                time: now.into(),
                fields: changed,
            }),
        }
    }
    write_entries(new, &entries);
}
