//! Objects of one kubesim instance, one table per (group, resource), with a single
//! resourceVersion counter (as etcd's revision) and a bounded event history per table for watch.
//!
//! Locks are `parking_lot` locks held only for the in-memory work of one call, never across an
//! `await`; readers copy out `Arc`s so serialisation happens outside the lock.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::ops::Bound;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::RwLock;
use serde_json::Value;

/// (namespace, name); namespace is "" for cluster-scoped objects.
pub type Key = (String, String);

/// (group, plural resource): the storage identity, shared by every served version of a kind.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupResource {
    pub group: String,
    pub resource: String,
}

impl GroupResource {
    pub fn new(group: &str, resource: &str) -> Self {
        Self {
            group: group.to_string(),
            resource: resource.to_string(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change, as a watcher receives it; `prev` lets selectors turn a change into ADDED/DELETED.
#[derive(Clone, Debug)]
pub struct Event {
    pub rv: u64,
    pub kind: EventType,
    pub object: Arc<Value>,
    pub prev: Option<Arc<Value>>,
}

/// What a mutation closure decided.
pub enum Change {
    Put(Value),
    Delete,
    /// Delete, reporting this final state (e.g. with its finalizers removed) to watchers.
    Remove(Value),
    /// Nothing to store (e.g. an update that changes nothing); the current object is returned.
    Keep,
}

#[derive(Default)]
struct Table {
    objects: BTreeMap<Key, Arc<Value>>,
    history: VecDeque<Event>,
    /// Every event with rv > floor is still in `history`.
    floor: u64,
}

struct Cell {
    table: RwLock<Table>,
    notify: tokio::sync::watch::Sender<u64>,
}

/// Watch history asked for a resourceVersion that was compacted away.
#[derive(Debug, Clone, Copy)]
pub struct TooOld {
    pub oldest: u64,
}

pub struct Store {
    rv: AtomicU64,
    tables: RwLock<HashMap<GroupResource, Arc<Cell>>>,
    history_limit: usize,
}

/// A page of a list and where to go on from.
pub struct Page {
    pub items: Vec<Arc<Value>>,
    pub next: Option<Key>,
    pub rv: u64,
}

pub fn set_rv(obj: &mut Value, rv: u64) {
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert("resourceVersion".into(), Value::String(rv.to_string()));
    }
}

impl Store {
    pub fn new(history_limit: usize) -> Self {
        Self {
            rv: AtomicU64::new(1),
            tables: RwLock::new(HashMap::new()),
            history_limit,
        }
    }

    pub fn current_rv(&self) -> u64 {
        self.rv.load(Ordering::SeqCst)
    }

    fn cell(&self, gr: &GroupResource) -> Arc<Cell> {
        if let Some(c) = self.tables.read().get(gr) {
            return c.clone();
        }
        self.tables
            .write()
            .entry(gr.clone())
            .or_insert_with(|| {
                Arc::new(Cell {
                    table: RwLock::new(Table::default()),
                    notify: tokio::sync::watch::channel(0).0,
                })
            })
            .clone()
    }

    pub fn get(&self, gr: &GroupResource, ns: &str, name: &str) -> Option<Arc<Value>> {
        let cell = self.cell(gr);
        let t = cell.table.read();
        t.objects.get(&(ns.to_string(), name.to_string())).cloned()
    }

    /// Objects in key order after `after`, in namespace `ns` (all when `None`), that pass
    /// `filter`, at most `limit` (0 = all).
    pub fn list_page(
        &self,
        gr: &GroupResource,
        ns: Option<&str>,
        after: Option<&Key>,
        limit: usize,
        filter: &dyn Fn(&Value) -> bool,
    ) -> Page {
        let cell = self.cell(gr);
        let t = cell.table.read();
        let rv = self.current_rv();
        let lower = match (after, ns) {
            (Some(k), _) => Bound::Excluded(k.clone()),
            (None, Some(ns)) => Bound::Included((ns.to_string(), String::new())),
            (None, None) => Bound::Unbounded,
        };
        let mut items = Vec::new();
        let mut last: Option<&Key> = None;
        let mut more = false;
        for (k, v) in t.objects.range((lower, Bound::Unbounded)) {
            if let Some(ns) = ns
                && k.0 != ns
            {
                break;
            }
            if !filter(v) {
                continue;
            }
            if limit > 0 && items.len() == limit {
                more = true;
                break;
            }
            items.push(v.clone());
            last = Some(k);
        }
        let next = if more { last.cloned() } else { None };
        Page { items, next, rv }
    }

    /// Read-modify-write of one object under the table lock. The closure sees the current
    /// object and returns the change; a stored object gets the new resourceVersion.
    /// With `dry_run`, nothing is stored and no version is used.
    pub fn mutate<E>(
        &self,
        gr: &GroupResource,
        ns: &str,
        name: &str,
        dry_run: bool,
        f: impl FnOnce(Option<&Arc<Value>>) -> Result<Change, E>,
    ) -> Result<(Option<Arc<Value>>, EventTypeOrKeep), E> {
        let cell = self.cell(gr);
        let key = (ns.to_string(), name.to_string());
        let mut t = cell.table.write();
        let current = t.objects.get(&key).cloned();
        let change = f(current.as_ref())?;
        if dry_run {
            return Ok(match change {
                Change::Put(v) => (
                    Some(Arc::new(v)),
                    if current.is_some() {
                        EventTypeOrKeep::Event(EventType::Modified)
                    } else {
                        EventTypeOrKeep::Event(EventType::Added)
                    },
                ),
                Change::Delete => (current, EventTypeOrKeep::Event(EventType::Deleted)),
                Change::Remove(v) => (
                    Some(Arc::new(v)),
                    EventTypeOrKeep::Event(EventType::Deleted),
                ),
                Change::Keep => (current, EventTypeOrKeep::Keep),
            });
        }
        let (obj, kind) = match change {
            Change::Keep => return Ok((current, EventTypeOrKeep::Keep)),
            Change::Put(mut v) => {
                let rv = self.rv.fetch_add(1, Ordering::SeqCst) + 1;
                set_rv(&mut v, rv);
                let v = Arc::new(v);
                t.objects.insert(key, v.clone());
                let kind = if current.is_some() {
                    EventType::Modified
                } else {
                    EventType::Added
                };
                self.record(&mut t, rv, kind, v.clone(), current);
                (Some(v), kind)
            }
            Change::Delete | Change::Remove(_) => {
                let Some(old) = t.objects.remove(&key) else {
                    return Ok((None, EventTypeOrKeep::Keep));
                };
                let rv = self.rv.fetch_add(1, Ordering::SeqCst) + 1;
                let mut gone = match change {
                    Change::Remove(v) => v,
                    _ => (*old).clone(),
                };
                set_rv(&mut gone, rv);
                let gone = Arc::new(gone);
                self.record(&mut t, rv, EventType::Deleted, gone.clone(), Some(old));
                (Some(gone), EventType::Deleted)
            }
        };
        drop(t);
        cell.notify.send_replace(self.current_rv());
        Ok((obj, EventTypeOrKeep::Event(kind)))
    }

    fn record(
        &self,
        t: &mut Table,
        rv: u64,
        kind: EventType,
        object: Arc<Value>,
        prev: Option<Arc<Value>>,
    ) {
        t.history.push_back(Event {
            rv,
            kind,
            object,
            prev,
        });
        while t.history.len() > self.history_limit {
            if let Some(e) = t.history.pop_front() {
                t.floor = e.rv;
            }
        }
    }

    /// Removes every object of a table (emitting DELETED events), e.g. when its CRD goes away.
    pub fn clear(&self, gr: &GroupResource, ns: Option<&str>) -> usize {
        let keys: Vec<Key> = {
            let cell = self.cell(gr);
            let t = cell.table.read();
            t.objects
                .keys()
                .filter(|k| ns.is_none_or(|ns| k.0 == ns))
                .cloned()
                .collect()
        };
        for k in &keys {
            let _ = self.mutate::<()>(gr, &k.0, &k.1, false, |_| Ok(Change::Delete));
        }
        keys.len()
    }

    /// Every table that has held objects.
    pub fn resources(&self) -> Vec<GroupResource> {
        self.tables.read().keys().cloned().collect()
    }

    /// Current objects and the resourceVersion they are consistent with, for a watch from "0".
    pub fn snapshot(&self, gr: &GroupResource) -> (Vec<Arc<Value>>, u64) {
        let cell = self.cell(gr);
        let t = cell.table.read();
        (t.objects.values().cloned().collect(), self.current_rv())
    }

    /// Events after `rv`, and the resourceVersion up to which they are complete; `TooOld`
    /// when some of them were compacted away.
    pub fn events_after(&self, gr: &GroupResource, rv: u64) -> Result<(Vec<Event>, u64), TooOld> {
        let cell = self.cell(gr);
        let t = cell.table.read();
        if rv < t.floor {
            return Err(TooOld { oldest: t.floor });
        }
        let start = t.history.partition_point(|e| e.rv <= rv);
        Ok((
            t.history.range(start..).cloned().collect(),
            self.current_rv(),
        ))
    }

    pub fn subscribe(&self, gr: &GroupResource) -> tokio::sync::watch::Receiver<u64> {
        self.cell(gr).notify.subscribe()
    }

    /// Forgets all history: every resourceVersion issued so far is now too old to watch from
    /// (410 Gone). The counter moves on by one so that a list made right after still returns a
    /// resourceVersion that can be watched; open watches are woken to notice.
    pub fn compact(&self) {
        let cells: Vec<Arc<Cell>> = self.tables.read().values().cloned().collect();
        let floor = self.rv.fetch_add(1, Ordering::SeqCst) + 1;
        for cell in &cells {
            let mut t = cell.table.write();
            t.history.clear();
            t.floor = floor;
        }
        for cell in cells {
            cell.notify.send_replace(floor);
        }
    }

    pub fn count(&self, gr: &GroupResource) -> usize {
        self.cell(gr).table.read().objects.len()
    }
}

/// Whether a mutation stored something, and what.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventTypeOrKeep {
    Event(EventType),
    Keep,
}
