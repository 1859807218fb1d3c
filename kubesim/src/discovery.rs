//! Legacy (non-aggregated) discovery documents. Always `application/json`: clients that ask for
//! aggregated discovery first (kubectl) fall back to these when the answer is plain JSON.

use serde_json::{Value, json};

use crate::registry::{Registry, ResourceInfo};
use crate::status::{ApiError, ApiResult};

pub const KUBE_MINOR: &str = "31";

pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": KUBE_MINOR,
        "gitVersion": format!("v1.{KUBE_MINOR}.0-kubesim"),
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.22.0",
        "compiler": "gc",
        "platform": "linux/amd64"
    })
}

pub fn core_versions() -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]
    })
}

fn gv(group: &str, version: &str) -> Value {
    json!({"groupVersion": format!("{group}/{version}"), "version": version})
}

fn group_doc(group: &str, versions: &[String]) -> Value {
    json!({
        "name": group,
        "versions": versions.iter().map(|v| gv(group, v)).collect::<Vec<_>>(),
        "preferredVersion": gv(group, versions.first().map(String::as_str).unwrap_or("v1")),
    })
}

pub fn group_list(reg: &Registry) -> Value {
    let groups: Vec<Value> = reg
        .groups()
        .into_iter()
        .filter(|g| !g.group.is_empty())
        .map(|g| group_doc(&g.group, &g.versions))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

pub fn group(reg: &Registry, name: &str) -> ApiResult<Value> {
    let g = reg
        .groups()
        .into_iter()
        .find(|g| g.group == name && !name.is_empty())
        .ok_or_else(|| ApiError::no_route(&format!("/apis/{name}")))?;
    let mut doc = group_doc(&g.group, &g.versions);
    doc["kind"] = json!("APIGroup");
    doc["apiVersion"] = json!("v1");
    Ok(doc)
}

fn resource_entry(r: &ResourceInfo) -> Value {
    let mut e = json!({
        "name": r.plural,
        "singularName": r.singular,
        "namespaced": r.namespaced,
        "kind": r.kind,
        "verbs": r.verbs,
    });
    if !r.short_names.is_empty() {
        e["shortNames"] = json!(r.short_names);
    }
    if !r.categories.is_empty() {
        e["categories"] = json!(r.categories);
    }
    e
}

fn subresource_entry(r: &ResourceInfo, sub: &str) -> Value {
    let (kind, gv) = crate::builtin::subresource_kind(sub, &r.kind);
    let mut e = json!({
        "name": format!("{}/{sub}", r.plural),
        "singularName": "",
        "namespaced": r.namespaced,
        "kind": kind,
        "verbs": crate::builtin::subresource_verbs(sub),
    });
    if let Some((g, v)) = gv {
        e["group"] = json!(g);
        e["version"] = json!(v);
    }
    e
}

pub fn resource_list(reg: &Registry, group: &str, version: &str) -> ApiResult<Value> {
    let rs = reg.in_group_version(group, version);
    if rs.is_empty() {
        let path = if group.is_empty() {
            format!("/api/{version}")
        } else {
            format!("/apis/{group}/{version}")
        };
        return Err(ApiError::no_route(&path));
    }
    let mut resources = Vec::new();
    for r in rs {
        resources.push(resource_entry(r));
        for sub in &r.subresources {
            resources.push(subresource_entry(r, sub));
        }
    }
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Ok(json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": resources,
    }))
}
