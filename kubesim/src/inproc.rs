//! In-process object operations for tests and demo loading: the same admission and store path
//! as HTTP requests, without HTTP, authentication or counters.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::objects::{self, Part, WriteOpts, gr};
use crate::state::{Catalog, Shared};
use crate::status::ApiError;

/// Errors of the in-process API.
#[derive(Debug, thiserror::Error)]
pub enum KubeSimError {
    #[error("{0}")]
    Api(#[from] ApiError),
    #[error("invalid YAML: {0}")]
    Yaml(String),
    #[error("no resource serves apiVersion {api_version} kind {kind}")]
    UnknownKind { api_version: String, kind: String },
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

/// The catalog snapshot and the index of the resource serving (apiVersion, kind) in it; the
/// caller borrows the `ResourceInfo` from the snapshot instead of cloning it (with its schema).
fn lookup(
    shared: &Shared,
    api_version: &str,
    kind: &str,
) -> Result<(Arc<Catalog>, usize), KubeSimError> {
    let catalog = shared.catalog();
    let idx = catalog
        .registry
        .all()
        .iter()
        .position(|r| r.api_version() == api_version && r.kind == kind)
        .ok_or_else(|| KubeSimError::UnknownKind {
            api_version: api_version.into(),
            kind: kind.into(),
        })?;
    Ok((catalog, idx))
}

fn loader_opts() -> WriteOpts {
    WriteOpts {
        field_manager: Some("kubesim-load".into()),
        no_managed_fields: true,
        user: crate::identity::UserInfo {
            username: crate::authn::ADMIN_USER.into(),
            groups: vec!["system:masters".into()],
            ..Default::default()
        },
        ..Default::default()
    }
}

/// Creates the object, or replaces it when it exists; a `status` is written too (through the
/// status subresource where there is one), so fixtures can carry their status.
pub fn apply_object(shared: &Shared, obj: Value) -> Result<Value, KubeSimError> {
    let api_version = obj
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let kind = obj
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let (catalog, idx) = lookup(shared, &api_version, &kind)?;
    let info = &catalog.registry.all()[idx];
    let ns = if info.namespaced {
        obj.pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or("default")
            .to_string()
    } else {
        String::new()
    };
    let name = objects::name_of(&obj).to_string();
    let mut opts = loader_opts();
    let exists = !name.is_empty() && shared.store.get(&gr(info), &ns, &name).is_some();
    let mut stored = if exists {
        let mut body = obj.clone();
        if let Some(m) = body.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("resourceVersion");
        }
        objects::update(shared, info, &ns, &name, Part::Main, body, &opts)?
    } else {
        // One write with the status included: fixtures carry their status and bulk loads
        // should not pay for a second admission through /status.
        opts.keep_status = true;
        let created = objects::create(shared, info, &ns, obj, &opts)?;
        return Ok(created);
    };
    if objects::status_enabled(info)
        && let Some(status) = obj.get("status")
        && stored.get("status") != Some(status)
        && info.group != "apiextensions.k8s.io"
    {
        let name = objects::name_of(&stored).to_string();
        let mut body = stored.clone();
        body["status"] = status.clone();
        stored = objects::update(shared, info, &ns, &name, Part::Status, body, &opts)?;
    }
    Ok(stored)
}

/// Loads every document of a multi-document YAML string (and the items of `kind: List`),
/// CustomResourceDefinitions first. Returns how many objects were written.
pub fn load_yaml(shared: &Shared, text: &str) -> Result<usize, KubeSimError> {
    use serde::Deserialize;
    let mut docs = Vec::new();
    for de in serde_yaml::Deserializer::from_str(text) {
        let v = Value::deserialize(de).map_err(|e| KubeSimError::Yaml(e.to_string()))?;
        if v.is_null() {
            continue;
        }
        if v.get("kind")
            .and_then(Value::as_str)
            .is_some_and(|k| k.ends_with("List"))
            && let Some(items) = v.get("items").and_then(Value::as_array)
        {
            docs.extend(items.iter().cloned());
        } else {
            docs.push(v);
        }
    }
    load_values(shared, docs)
}

/// As [`load_yaml`], over parsed objects.
pub fn load_values(shared: &Shared, mut docs: Vec<Value>) -> Result<usize, KubeSimError> {
    let rank = |v: &Value| match v.get("kind").and_then(Value::as_str) {
        Some("CustomResourceDefinition") => 0,
        Some("Namespace") => 1,
        _ => 2,
    };
    docs.sort_by_key(rank);
    let n = docs.len();
    let split = docs.partition_point(|d| rank(d) < 2);
    let rest = docs.split_off(split);
    for d in docs {
        apply_object(shared, d)?;
    }
    load_parallel(shared, rest)?;
    Ok(n)
}

/// Admission is CPU work done before the store's short per-table lock, so independent objects
/// load on every core. Objects that name the same key are kept on one worker, in order.
fn load_parallel(shared: &Shared, docs: Vec<Value>) -> Result<(), KubeSimError> {
    const MIN_PER_WORKER: usize = 256;
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(docs.len() / MIN_PER_WORKER)
        .max(1);
    if workers == 1 {
        return docs
            .into_iter()
            .try_for_each(|d| apply_object(shared, d).map(|_| ()));
    }
    let mut shards: Vec<Vec<Value>> = (0..workers).map(|_| Vec::new()).collect();
    for d in docs {
        let key = (
            d.pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .unwrap_or(""),
            objects::name_of(&d),
        );
        let shard = {
            use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
            BuildHasherDefault::<DefaultHasher>::default().hash_one(key) as usize % workers
        };
        shards[shard].push(d);
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = shards
            .into_iter()
            .map(|shard| {
                scope.spawn(move || {
                    shard
                        .into_iter()
                        .try_for_each(|d| apply_object(shared, d).map(|_| ()))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(KubeSimError::Yaml("a loader thread panicked".into())))
            })
            .collect::<Result<Vec<()>, _>>()
            .map(|_| ())
    })
}

pub fn get_object(
    shared: &Shared,
    api_version: &str,
    kind: &str,
    ns: &str,
    name: &str,
) -> Option<Value> {
    let (catalog, idx) = lookup(shared, api_version, kind).ok()?;
    let info = &catalog.registry.all()[idx];
    shared
        .store
        .get(&gr(info), if info.namespaced { ns } else { "" }, name)
        .map(|v| objects::render(info, &v))
}

/// Deletes like an API DELETE (finalizers honoured); `Ok(None)` when absent.
pub fn delete_object(
    shared: &Shared,
    api_version: &str,
    kind: &str,
    ns: &str,
    name: &str,
) -> Result<Option<Value>, KubeSimError> {
    let (catalog, idx) = lookup(shared, api_version, kind)?;
    let info = &catalog.registry.all()[idx];
    let ns = if info.namespaced { ns } else { "" };
    let res = if info.group.is_empty() && info.plural == "namespaces" {
        objects::delete_namespace(shared, name, &loader_opts())
    } else {
        objects::delete(shared, info, ns, name, &loader_opts(), &json!(null))
    };
    match res {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.code == 404 => Ok(None),
        Err(e) => Err(e.into()),
    }
}
