//! Values derived from one snapshot, computed on first read and shared by every later reader of
//! that snapshot. Rebuilds start a fresh memo only when an input kind changed, so publishing a
//! snapshot costs nothing here; readers pay once per snapshot instead of once per request.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;

use parking_lot::RwLock;

#[derive(Debug)]
pub struct Memo<K, V> {
    values: RwLock<HashMap<K, Arc<V>>>,
}

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Self {
            values: RwLock::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash + Clone, V> Memo<K, V> {
    /// The value for `key`, computed by `compute` if no reader has asked before. `compute` runs
    /// outside the lock (two first readers may both compute; the first stored value wins, and
    /// both are equal since the snapshot is immutable).
    pub fn get_or_compute(&self, key: &K, compute: impl FnOnce() -> V) -> Arc<V> {
        if let Some(value) = self.values.read().get(key) {
            return value.clone();
        }
        let value = Arc::new(compute());
        self.values
            .write()
            .entry(key.clone())
            .or_insert(value)
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computes_once_per_key() {
        let memo: Memo<&str, usize> = Memo::default();
        let mut calls = 0;
        assert_eq!(
            *memo.get_or_compute(&"a", || {
                calls += 1;
                1
            }),
            1
        );
        assert_eq!(
            *memo.get_or_compute(&"a", || {
                calls += 1;
                2
            }),
            1
        );
        assert_eq!(*memo.get_or_compute(&"b", || 3), 3);
        assert_eq!(calls, 1);
    }
}
