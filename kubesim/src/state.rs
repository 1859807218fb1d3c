//! The state one kubesim instance shares between its HTTP handlers and its Rust handle.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use parking_lot::{Mutex, RwLock};
use serde_json::Value;

use crate::access::Access;
use crate::controls::Controls;
use crate::registry::{Registry, ResourceInfo};
use crate::schema::CompiledSchema;
use crate::store::{GroupResource, Store};

/// What is served right now: the registry plus the compiled schema of every CRD version.
#[derive(Default)]
pub struct Catalog {
    pub registry: Registry,
    pub schemas: HashMap<(String, String, String), Arc<CompiledSchema>>,
}

impl Catalog {
    pub fn schema(&self, info: &ResourceInfo) -> Option<Arc<CompiledSchema>> {
        self.schemas
            .get(&(
                info.group.clone(),
                info.version.clone(),
                info.plural.clone(),
            ))
            .cloned()
    }
}

pub type LogLines = Vec<(DateTime<Utc>, String)>;

pub struct Shared {
    pub store: Store,
    catalog: RwLock<Arc<Catalog>>,
    rebuild: Mutex<()>,
    pub controls: Controls,
    pub access: Access,
    /// (namespace, pod, container) → lines.
    pub logs: RwLock<HashMap<(String, String, String), LogLines>>,
    /// Bumped to close every open watch.
    pub drop_watches: tokio::sync::watch::Sender<u64>,
}

pub fn crd_gr() -> GroupResource {
    GroupResource::new("apiextensions.k8s.io", "customresourcedefinitions")
}

pub fn now_rfc3339() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Shared {
    pub fn new(access: Access) -> Self {
        let s = Self {
            store: Store::new(50_000),
            catalog: RwLock::new(Arc::new(Catalog::default())),
            rebuild: Mutex::new(()),
            controls: Controls::default(),
            access,
            logs: RwLock::new(HashMap::new()),
            drop_watches: tokio::sync::watch::channel(0).0,
        };
        s.rebuild_catalog();
        s
    }

    pub fn catalog(&self) -> Arc<Catalog> {
        self.catalog.read().clone()
    }

    /// Re-reads every stored CRD; called after any CRD change so its kinds are served at once.
    pub fn rebuild_catalog(&self) {
        let _serial = self.rebuild.lock();
        let mut resources = crate::builtin::resources();
        let mut schemas = HashMap::new();
        let (crds, _) = self.store.snapshot(&crd_gr());
        let mut crds: Vec<&Value> = crds.iter().map(|c| c.as_ref()).collect();
        crds.sort_by(|a, b| {
            let g = |v: &Value| {
                v.pointer("/spec/group")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            };
            g(a).cmp(&g(b))
        });
        for crd in crds {
            for info in crate::crd::resources(crd) {
                if let Some(schema) = &info.schema {
                    match CompiledSchema::new(schema) {
                        Ok(c) => {
                            schemas.insert(
                                (
                                    info.group.clone(),
                                    info.version.clone(),
                                    info.plural.clone(),
                                ),
                                Arc::new(c),
                            );
                        }
                        Err(e) => {
                            tracing::warn!(kind = %info.kind, error = %e, "schema not compiled")
                        }
                    }
                }
                resources.push(info);
            }
        }
        *self.catalog.write() = Arc::new(Catalog {
            registry: Registry::new(resources),
            schemas,
        });
    }

    pub fn namespace_exists(&self, ns: &str) -> bool {
        self.store
            .get(&GroupResource::new("", "namespaces"), "", ns)
            .is_some()
    }
}
