//! Readiness: the store must answer, and every registered gate (e.g. "fleet cache synced")
//! must be open, before `/readyz` says ready.

use std::collections::BTreeMap;
use std::sync::Arc;

use parking_lot::RwLock;

/// Named gates that components open once they can serve.
#[derive(Clone, Debug, Default)]
pub struct Readiness {
    gates: Arc<RwLock<BTreeMap<String, bool>>>,
}

impl Readiness {
    /// Registers a gate, closed until [`Readiness::open`] is called.
    pub fn register(&self, name: &str) {
        self.gates.write().entry(name.to_string()).or_insert(false);
    }

    pub fn open(&self, name: &str) {
        self.gates.write().insert(name.to_string(), true);
    }

    pub fn close(&self, name: &str) {
        self.gates.write().insert(name.to_string(), false);
    }

    /// Every gate and whether it is open, sorted by name.
    pub fn snapshot(&self) -> BTreeMap<String, bool> {
        self.gates.read().clone()
    }
}
