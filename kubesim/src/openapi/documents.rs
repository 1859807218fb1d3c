//! The OpenAPI v3 documents: one per served group-version, and the index that lists them.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::builtin::{builtins, definition_name};
use super::paths::resource_paths;
use super::{META, content_hash, schema_ref};
use crate::registry::{Registry, ResourceInfo};

/// `api/v1` for the core group, `apis/{group}/{version}` otherwise (the index's keys).
pub fn gv_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// Definition name the apiextensions server gives a CRD kind: the group reversed.
fn crd_definition_name(group: &str, version: &str, kind: &str) -> String {
    let reversed: Vec<&str> = group.split('.').rev().collect();
    format!("{}.{version}.{kind}", reversed.join("."))
}

/// (object definition name, list definition name) for a resource.
pub(crate) fn definition_names(info: &ResourceInfo) -> (String, String) {
    let name = match (&info.schema, definition_name(&info.group, &info.kind)) {
        (None, Some(n)) => n.to_string(),
        _ => crd_definition_name(&info.group, &info.version, &info.kind),
    };
    let list = format!("{}List", name);
    (name, list)
}

fn gvk(info: &ResourceInfo, kind: &str) -> Value {
    json!([{"group": info.group, "kind": kind, "version": info.version}])
}

/// A CRD version's schema as the apiextensions server publishes it: `apiVersion`, `kind` and
/// `metadata` (a reference to ObjectMeta) filled in, and the kind's GVK attached.
fn crd_definition(info: &ResourceInfo, schema: &Value) -> Value {
    let mut s = match schema {
        Value::Object(m) => m.clone(),
        _ => Map::new(),
    };
    s.entry("type").or_insert(json!("object"));
    let props = s
        .entry("properties")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .map(std::mem::take)
        .unwrap_or_default();
    let mut props_out = props;
    props_out.insert("apiVersion".into(), json!({"type": "string", "description": "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"}));
    props_out.insert("kind".into(), json!({"type": "string", "description": "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"}));
    props_out.insert("metadata".into(), json!({"allOf": [schema_ref(&format!("{META}.ObjectMeta"))], "description": "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"}));
    s.insert("properties".into(), Value::Object(props_out));
    s.insert(
        "x-kubernetes-group-version-kind".into(),
        gvk(info, &info.kind),
    );
    Value::Object(s)
}

fn list_definition(info: &ResourceInfo, item: &str) -> Value {
    json!({
        "description": format!("{} is a list of {}", info.list_kind, info.kind),
        "type": "object",
        "required": ["items"],
        "properties": {
            "apiVersion": {"type": "string", "description": "APIVersion defines the versioned schema of this representation of an object."},
            "items": {"type": "array", "items": schema_ref(item), "description": format!("List of {}.", info.plural)},
            "kind": {"type": "string", "description": "Kind is a string value representing the REST resource this object represents."},
            "metadata": {"allOf": [schema_ref(&format!("{META}.ListMeta"))], "description": "Standard list metadata."},
        },
        "x-kubernetes-group-version-kind": gvk(info, &info.list_kind),
    })
}

fn collect_refs(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "$ref" {
                    if let Some(name) = x
                        .as_str()
                        .and_then(|r| r.strip_prefix("#/components/schemas/"))
                    {
                        out.insert(name.to_string());
                    }
                } else {
                    collect_refs(x, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}

/// Adds every built-in definition `schemas` refers to, transitively (a worklist, so each
/// schema, however large, is walked once).
fn close_over_refs(schemas: &mut Map<String, Value>) {
    let all = &builtins().definitions;
    let mut pending = BTreeSet::new();
    for v in schemas.values() {
        collect_refs(v, &mut pending);
    }
    while let Some(name) = pending.pop_first() {
        if schemas.contains_key(&name) {
            continue;
        }
        if let Some(def) = all.get(&name) {
            collect_refs(def, &mut pending);
            schemas.insert(name, def.clone());
        }
    }
}

/// The OpenAPI v3 document of one group-version (`api/v1`, `apis/{group}/{version}`), or
/// `None` when nothing is served there.
pub fn v3_document(registry: &Registry, gv: &str) -> Option<Value> {
    let (group, version) = match gv.split('/').collect::<Vec<_>>()[..] {
        ["api", v] => ("", v),
        ["apis", g, v] => (g, v),
        _ => return None,
    };
    let resources = registry.in_group_version(group, version);
    if resources.is_empty() {
        return None;
    }
    let mut paths = Map::new();
    let mut schemas = Map::new();
    for info in resources {
        let (name, list_name) = definition_names(info);
        let def = match &info.schema {
            Some(schema) => crd_definition(info, schema),
            None => match builtins().definitions.get(&name) {
                Some(d) => d.clone(),
                None => crd_definition(
                    info,
                    &json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true}),
                ),
            },
        };
        schemas.insert(name.clone(), def);
        schemas.insert(list_name.clone(), list_definition(info, &name));
        for (path, item) in resource_paths(info, &name, &list_name) {
            paths.insert(path, item);
        }
    }
    for extra in ["Status", "DeleteOptions", "Patch"] {
        let name = format!("{META}.{extra}");
        if let Some(d) = builtins().definitions.get(&name) {
            schemas.insert(name, d.clone());
        }
    }
    close_over_refs(&mut schemas);
    let mut sorted: Vec<(String, Value)> = schemas.into_iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "unversioned"},
        "paths": paths,
        "components": {"schemas": Map::from_iter(sorted)},
    }))
}

/// Every served group-version key (`api/v1`, `apis/g/v`), in registry order.
pub(crate) fn served_gvs(registry: &Registry) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in registry.all() {
        let p = gv_path(&r.group, &r.version);
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// The `/openapi/v3` index: each group-version's document URL, with its content hash.
pub fn v3_index(registry: &Registry) -> Value {
    let mut paths = Map::new();
    for gv in served_gvs(registry) {
        if let Some(doc) = v3_document(registry, &gv) {
            let hash = content_hash(&serde_json::to_vec(&doc).unwrap_or_default());
            paths.insert(
                gv.clone(),
                json!({"serverRelativeURL": format!("/openapi/v3/{gv}?hash={hash}")}),
            );
        }
    }
    json!({ "paths": paths })
}
