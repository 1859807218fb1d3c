//! DELETE semantics: finalizers and `deletionTimestamp`, preconditions, and what goes with an
//! object (a namespace's contents, a CRD's custom resources, a ServiceAccount's tokens).

use std::sync::Arc;

use serde_json::{Value, json};

use crate::objects::{WriteOpts, after_write, gr, is_crd, meta, name_of, render};
use crate::registry::ResourceInfo;
use crate::state::{Shared, now_rfc3339};
use crate::status::{ApiError, ApiResult};
use crate::store::{Change, EventType, EventTypeOrKeep, GroupResource};

/// DELETE of one object: marks it when finalizers remain, removes it otherwise.
pub fn delete(
    shared: &Shared,
    info: &ResourceInfo,
    ns: &str,
    name: &str,
    opts: &WriteOpts,
    preconditions: &Value,
) -> ApiResult<Value> {
    let now = now_rfc3339();
    let (obj, what) = shared
        .store
        .mutate(&gr(info), ns, name, opts.dry_run, |cur| {
            let Some(cur) = cur else {
                return Err(ApiError::not_found(&info.group, &info.plural, name));
            };
            for (field, ptr) in [("uid", "/metadata/uid"), ("resourceVersion", "/metadata/resourceVersion")] {
                if let Some(want) = preconditions.get(field).and_then(Value::as_str)
                    && cur.pointer(ptr).and_then(Value::as_str) != Some(want)
                {
                    return Err(ApiError::conflict_msg(
                        &info.group,
                        &info.plural,
                        name,
                        format!(
                            "Operation cannot be fulfilled on {} \"{name}\": Precondition failed: {field} in precondition: {want}, {field} in object meta: {}",
                            crate::status::qualified(&info.group, &info.plural),
                            cur.pointer(ptr).and_then(Value::as_str).unwrap_or("")
                        ),
                    ));
                }
            }
            let has_finalizers = cur
                .pointer("/metadata/finalizers")
                .and_then(Value::as_array)
                .is_some_and(|f| !f.is_empty());
            if has_finalizers {
                if cur.pointer("/metadata/deletionTimestamp").is_some() {
                    return Ok(Change::Keep);
                }
                let mut marked = (**cur).clone();
                let m = meta(&mut marked);
                m.insert("deletionTimestamp".into(), json!(now));
                m.insert("deletionGracePeriodSeconds".into(), json!(0));
                if info.group.is_empty() && info.plural == "namespaces" {
                    marked["status"] = json!({"phase": "Terminating"});
                }
                Ok(Change::Put(marked))
            } else {
                Ok(Change::Delete)
            }
        })?;
    let obj = obj.ok_or_else(|| ApiError::not_found(&info.group, &info.plural, name))?;
    if !opts.dry_run && what == EventTypeOrKeep::Event(EventType::Deleted) {
        cascade(shared, info, ns, name);
    }
    after_write(shared, info, opts.dry_run);
    Ok(render(info, &obj))
}

/// What goes away with an object: a namespace's contents, a CRD's custom resources.
fn cascade(shared: &Shared, info: &ResourceInfo, ns: &str, name: &str) {
    if info.group.is_empty() && info.plural == "namespaces" {
        delete_namespace_contents(shared, name);
    }
    if info.group.is_empty() && info.plural == "serviceaccounts" {
        shared.access.authn.revoke_service_account(ns, name);
    }
    if is_crd(info)
        && let Some((plural, group)) = name.split_once('.')
    {
        shared.store.clear(&GroupResource::new(group, plural), None);
    }
}

fn delete_namespace_contents(shared: &Shared, ns: &str) {
    let sa_gr = GroupResource::new("", "serviceaccounts");
    let page = shared.store.list_page(&sa_gr, Some(ns), None, 0, &|_| true);
    for sa in &page.items {
        shared.access.authn.revoke_service_account(ns, name_of(sa));
    }
    let catalog = shared.catalog();
    let mut seen = std::collections::HashSet::new();
    for info in catalog.registry.all().iter().filter(|r| r.namespaced) {
        if !seen.insert((info.group.clone(), info.plural.clone())) {
            continue;
        }
        shared.store.clear(&gr(info), Some(ns));
    }
}

/// Namespace deletion: the real namespace controller empties the namespace and then removes
/// the `kubernetes` finalizer; kubesim does both at once.
pub fn delete_namespace(shared: &Shared, name: &str, opts: &WriteOpts) -> ApiResult<Value> {
    let ns_gr = GroupResource::new("", "namespaces");
    let current: Arc<Value> = shared
        .store
        .get(&ns_gr, "", name)
        .ok_or_else(|| ApiError::not_found("", "namespaces", name))?;
    let mut shown = (*current).clone();
    meta(&mut shown).insert("deletionTimestamp".into(), json!(now_rfc3339()));
    shown["status"] = json!({"phase": "Terminating"});
    if opts.dry_run {
        return Ok(shown);
    }
    delete_namespace_contents(shared, name);
    let only_kubernetes = current
        .pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .is_none_or(|f| f.is_empty());
    if only_kubernetes {
        let _ = shared
            .store
            .mutate::<ApiError>(&ns_gr, "", name, false, |_| Ok(Change::Delete));
    } else {
        let catalog = shared.catalog();
        if let Some(info) = catalog.registry.lookup("", "v1", "namespaces") {
            return delete(shared, info, "", name, opts, &Value::Null);
        }
    }
    Ok(shown)
}
