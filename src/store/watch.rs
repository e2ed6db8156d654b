//! The one place where a key's modification is signalled (Redis's
//! `signalModifiedKey`): WATCH's version counters, and the change log that
//! client-side caching (CLIENT TRACKING, in `cmd::tracking`) reads.
//!
//! Each database keeps a [`WatchedKeys`] map holding only keys that at least one
//! client WATCHes: for each, a version number and how many clients watch it. Every
//! change a [`Db`](super::Db) makes to a key (write, delete, TTL change, lazy or
//! active expiry) goes through [`WatchedKeys::touch`] (or
//! [`WatchedKeys::touch_expired`]), which bumps the version;
//! FLUSHDB/FLUSHALL/SWAPDB touch every watched key present in the databases they
//! replace. A client remembers the [`Stamp`] it saw at WATCH time; EXEC compares.
//!
//! Some touches change nothing a client could observe: a key that was already
//! logically expired is deleted (lazily, by the active cycle, by FLUSHDB), or
//! SWAPDB replaces an expired or missing key with an expired or missing one.
//! They are counted apart as well (`benign`), so that a client that watched a
//! key that was not live can tell them from real changes, as Redis 7.0's
//! `expired` mark on a watched key does.
//!
//! While the change log is on (some client tracks keys), every touch is also
//! appended to it, marked when the change is an expiry (which no client made);
//! the command layer takes the log after each command and sends invalidations.
//!
//! Invariants:
//! - `quiet` is true exactly when the map is empty and the log is off, so `touch`
//!   costs one test on the write path of a server that uses neither WATCH nor
//!   tracking;
//! - an entry's `watchers` counts the clients watching it; the entry is removed when
//!   the last one unwatches (EXEC, DISCARD, UNWATCH, RESET, disconnect);
//! - versions only grow; a touch is conservative (a write that turns out to change
//!   nothing may still bump the version, which can only make EXEC fail, never let a
//!   changed key pass unnoticed).
use std::collections::HashMap;

/// Where a watched key's counters stood (at WATCH time, or now).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stamp {
    /// Touches of the key.
    pub version: u64,
    /// Those of them that left a not-live key not live (see the module doc).
    pub benign: u64,
}

/// One watched key: its counters and number of watchers.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    stamp: Stamp,
    watchers: usize,
}

/// The watched keys of one database, and its change log.
#[derive(Debug, Clone)]
pub struct WatchedKeys {
    map: HashMap<Vec<u8>, Slot>,
    /// Nobody watches and the log is off.
    quiet: bool,
    /// Keys changed since the log was last taken, with `true` for expiries;
    /// `None` while the log is off.
    log: Option<Vec<(Vec<u8>, bool)>>,
}

impl Default for WatchedKeys {
    fn default() -> Self {
        WatchedKeys {
            map: HashMap::new(),
            quiet: true,
            log: None,
        }
    }
}

impl WatchedKeys {
    /// Whether nothing needs to hear of a change (no watcher, no log).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.quiet
    }

    /// Records that `key` changed (a command changed it).
    #[inline]
    pub fn touch(&mut self, key: &[u8]) {
        if !self.quiet {
            self.touch_slow(key, false);
        }
    }

    /// Records that `key` expired (lazily or by the active cycle): a benign
    /// touch, the key was no longer live.
    #[inline]
    pub fn touch_expired(&mut self, key: &[u8]) {
        if !self.quiet {
            self.touch_slow(key, true);
        }
    }

    fn touch_slow(&mut self, key: &[u8], expired: bool) {
        if let Some(s) = self.map.get_mut(key) {
            s.stamp.version += 1;
            s.stamp.benign += u64::from(expired);
        }
        if let Some(log) = &mut self.log {
            log.push((key.to_vec(), expired));
        }
    }

    /// Turns the change log on or off (dropping what it holds when off).
    pub fn set_log(&mut self, on: bool) {
        if on != self.log.is_some() {
            self.log = on.then(Vec::new);
        }
        self.quiet = self.map.is_empty() && self.log.is_none();
    }

    /// Whether the change log is on.
    pub fn logging(&self) -> bool {
        self.log.is_some()
    }

    /// Takes the keys changed since the last call (in order; `true`: expired).
    pub fn take_log(&mut self) -> Vec<(Vec<u8>, bool)> {
        match &mut self.log {
            Some(log) if !log.is_empty() => std::mem::take(log),
            _ => Vec::new(),
        }
    }

    /// Whether the change log holds something.
    #[inline]
    pub fn has_log(&self) -> bool {
        self.log.as_ref().is_some_and(|l| !l.is_empty())
    }

    /// Touches every watched key for which `touched` answers: `Some(benign)`
    /// for a touch (benign or not), `None` to leave the key alone.
    pub fn touch_where(&mut self, mut touched: impl FnMut(&[u8]) -> Option<bool>) {
        for (k, s) in self.map.iter_mut() {
            if let Some(benign) = touched(k) {
                s.stamp.version += 1;
                s.stamp.benign += u64::from(benign);
            }
        }
    }

    /// Adds a watcher of `key`; returns the key's counters now.
    pub fn watch(&mut self, key: &[u8]) -> Stamp {
        self.quiet = false;
        let s = self.map.entry(key.to_vec()).or_default();
        s.watchers += 1;
        s.stamp
    }

    /// The counters of `key` now (None: nobody watches it).
    pub fn stamp(&self, key: &[u8]) -> Option<Stamp> {
        self.map.get(key).map(|s| s.stamp)
    }

    /// Every watched key (SWAPDB looks at each).
    pub fn keys(&self) -> impl Iterator<Item = &[u8]> {
        self.map.keys().map(Vec::as_slice)
    }

    /// Removes one watcher of `key`, dropping the entry with its last watcher.
    pub fn unwatch(&mut self, key: &[u8]) {
        if let Some(s) = self.map.get_mut(key) {
            s.watchers = s.watchers.saturating_sub(1);
            if s.watchers == 0 {
                self.map.remove(key);
                self.quiet = self.map.is_empty() && self.log.is_none();
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
        assert_eq!(w.watch(b"a"), Stamp::default());
        assert_eq!(w.watch(b"a"), Stamp::default());
        w.touch(b"a");
        w.touch(b"b");
        w.touch_expired(b"a");
        let now = Stamp {
            version: 2,
            benign: 1,
        };
        assert_eq!(w.stamp(b"a"), Some(now));
        assert_eq!(w.stamp(b"b"), None);
        w.unwatch(b"a");
        assert_eq!(w.len(), 1);
        w.unwatch(b"a");
        assert!(w.is_empty());
    }

    #[test]
    fn the_change_log_records_touches_while_on() {
        let mut w = WatchedKeys::default();
        w.touch(b"a");
        assert!(w.take_log().is_empty());
        w.set_log(true);
        assert!(!w.is_empty());
        w.touch(b"a");
        w.touch_expired(b"b");
        assert!(w.has_log());
        assert_eq!(
            w.take_log(),
            vec![(b"a".to_vec(), false), (b"b".to_vec(), true)]
        );
        assert!(!w.has_log());
        w.watch(b"a");
        w.set_log(false);
        assert!(!w.is_empty());
        w.unwatch(b"a");
        assert!(w.is_empty());
    }
}
