//! WATCH support: version counters for the keys some client watches.
//!
//! Each database keeps a [`WatchedKeys`] map holding only keys that at least one
//! client WATCHes: for each, a version number and how many clients watch it. Every
//! change a [`Db`](super::Db) makes to a key (write, delete, TTL change, lazy or
//! active expiry) goes through [`WatchedKeys::touch`], which bumps the version;
//! FLUSHDB/FLUSHALL/SWAPDB touch every watched key present in the databases they
//! replace. A client remembers the version it saw at WATCH time; EXEC compares.
//!
//! Invariants:
//! - the map is empty when nobody watches, so `touch` costs one `is_empty` test on
//!   the write path of a server that does not use WATCH;
//! - an entry's `watchers` counts the clients watching it; the entry is removed when
//!   the last one unwatches (EXEC, DISCARD, UNWATCH, RESET, disconnect);
//! - versions only grow; a touch is conservative (a write that turns out to change
//!   nothing may still bump the version, which can only make EXEC fail, never let a
//!   changed key pass unnoticed).
use std::collections::HashMap;

/// One watched key: its version and number of watchers.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    version: u64,
    watchers: usize,
}

/// The watched keys of one database.
#[derive(Debug, Clone, Default)]
pub struct WatchedKeys {
    map: HashMap<Vec<u8>, Slot>,
}

impl WatchedKeys {
    /// Whether no key of this database is watched.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Records that `key` changed.
    #[inline]
    pub fn touch(&mut self, key: &[u8]) {
        if self.map.is_empty() {
            return;
        }
        if let Some(s) = self.map.get_mut(key) {
            s.version += 1;
        }
    }

    /// Touches every watched key for which `present` answers true.
    pub fn touch_where(&mut self, mut present: impl FnMut(&[u8]) -> bool) {
        for (k, s) in self.map.iter_mut() {
            if present(k) {
                s.version += 1;
            }
        }
    }

    /// Adds a watcher of `key`; returns the key's current version.
    pub fn watch(&mut self, key: &[u8]) -> u64 {
        let s = self.map.entry(key.to_vec()).or_default();
        s.watchers += 1;
        s.version
    }

    /// The current version of `key` (None: nobody watches it).
    pub fn version(&self, key: &[u8]) -> Option<u64> {
        self.map.get(key).map(|s| s.version)
    }

    /// Removes one watcher of `key`, dropping the entry with its last watcher.
    pub fn unwatch(&mut self, key: &[u8]) {
        if let Some(s) = self.map.get_mut(key) {
            s.watchers = s.watchers.saturating_sub(1);
            if s.watchers == 0 {
                self.map.remove(key);
            }
        }
    }

    /// Keys watched here (for tests and introspection).
    pub fn len(&self) -> usize {
        self.map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_count_touches_of_watched_keys_only() {
        let mut w = WatchedKeys::default();
        w.touch(b"a");
        assert!(w.is_empty());
        assert_eq!(w.watch(b"a"), 0);
        assert_eq!(w.watch(b"a"), 0);
        w.touch(b"a");
        w.touch(b"b");
        assert_eq!(w.version(b"a"), Some(1));
        assert_eq!(w.version(b"b"), None);
        w.unwatch(b"a");
        assert_eq!(w.len(), 1);
        w.unwatch(b"a");
        assert!(w.is_empty());
    }
}
