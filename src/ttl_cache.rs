//! A small bounded cache whose entries expire, for authentication and authorization answers.
//!
//! The answers are few per principal and short-lived, so a map behind a mutex is enough; the
//! bound keeps a flood of distinct tokens from growing memory.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use tokio::sync::OnceCell;

pub struct TtlCache<K, V> {
    ttl: Duration,
    capacity: usize,
    entries: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K: Eq + Hash + Clone, V: Clone> TtlCache<K, V> {
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            ttl,
            capacity: capacity.max(1),
            entries: Mutex::new(HashMap::new()),
        }
    }

    pub fn get(&self, key: &K) -> Option<V> {
        let mut entries = self.entries.lock();
        match entries.get(key) {
            Some((at, value)) if at.elapsed() < self.ttl => Some(value.clone()),
            Some(_) => {
                entries.remove(key);
                None
            }
            None => None,
        }
    }

    pub fn insert(&self, key: K, value: V) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.lock();
        Self::make_room(&mut entries, self.capacity, self.ttl, &key);
        entries.insert(key, (Instant::now(), value));
    }

    /// The live value of `key`, or a new one from `make`, stored — in one step, so concurrent
    /// callers get the same value.
    pub fn get_or_insert_with(&self, key: K, make: impl FnOnce() -> V) -> V {
        let mut entries = self.entries.lock();
        if let Some((at, value)) = entries.get(&key)
            && at.elapsed() < self.ttl
        {
            return value.clone();
        }
        let value = make();
        if !self.ttl.is_zero() {
            Self::make_room(&mut entries, self.capacity, self.ttl, &key);
            entries.insert(key, (Instant::now(), value.clone()));
        }
        value
    }

    fn make_room(entries: &mut HashMap<K, (Instant, V)>, capacity: usize, ttl: Duration, key: &K) {
        if entries.len() >= capacity && !entries.contains_key(key) {
            entries.retain(|_, (at, _)| at.elapsed() < ttl);
            if entries.len() >= capacity {
                // Still full of live entries: drop the oldest rather than grow.
                if let Some(oldest) = entries
                    .iter()
                    .min_by_key(|(_, (at, _))| *at)
                    .map(|(k, _)| k.clone())
                {
                    entries.remove(&oldest);
                }
            }
        }
    }

    pub fn len(&self) -> usize {
        self.entries.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A [`TtlCache`] that fetches each missing key once: concurrent askers of a key share one
/// fetch (a page resolves many fields at once, and each would otherwise ask the API server the
/// same question). A failed fetch is not kept; the next asker tries again.
pub struct FetchOnceCache<K, V> {
    cells: TtlCache<K, Arc<OnceCell<V>>>,
}

impl<K: Eq + Hash + Clone, V: Clone> FetchOnceCache<K, V> {
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            cells: TtlCache::new(ttl, capacity),
        }
    }

    pub async fn get_or_fetch<E, F, Fut>(&self, key: K, fetch: F) -> Result<V, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        let cell = self
            .cells
            .get_or_insert_with(key, || Arc::new(OnceCell::new()));
        cell.get_or_try_init(fetch).await.cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_the_bound_holds() {
        let cache = TtlCache::new(Duration::from_millis(50), 2);
        cache.insert("a", 1);
        cache.insert("b", 2);
        assert_eq!(cache.get(&"a"), Some(1));
        cache.insert("c", 3);
        assert_eq!(cache.len(), 2, "oldest dropped when full");
        assert_eq!(cache.get(&"a"), None);
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(cache.get(&"c"), None, "expired");
    }

    #[test]
    fn zero_ttl_caches_nothing() {
        let cache = TtlCache::new(Duration::ZERO, 10);
        cache.insert(1, 1);
        assert!(cache.is_empty());
    }

    #[tokio::test]
    async fn concurrent_misses_fetch_once_and_failures_are_retried() {
        use std::sync::atomic::{AtomicU32, Ordering};
        let cache = FetchOnceCache::new(Duration::from_secs(60), 10);
        let fetches = AtomicU32::new(0);
        let fetch = || async {
            fetches.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok::<_, ()>(7)
        };
        let (a, b) = tokio::join!(
            cache.get_or_fetch("k", fetch),
            cache.get_or_fetch("k", fetch)
        );
        assert_eq!((a, b), (Ok(7), Ok(7)));
        assert_eq!(fetches.load(Ordering::SeqCst), 1, "one fetch for both");

        let failed = cache
            .get_or_fetch("e", || async { Err::<u32, _>("down") })
            .await;
        assert_eq!(failed, Err("down"));
        let retried = cache.get_or_fetch("e", || async { Ok::<_, &str>(1) }).await;
        assert_eq!(retried, Ok(1), "a failure is not kept");
    }
}
