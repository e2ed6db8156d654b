//! Consumer groups of a stream: the group's last delivered ID, its read
//! counter, its pending entries list (PEL) and its consumers.
//!
//! - A *NACK* (pending entry) records that an entry was delivered to a
//!   consumer and not yet acknowledged: when (ms), how many times, and to whom.
//! - The group's PEL holds every NACK, ordered by entry ID; each consumer's
//!   PEL holds the IDs of the NACKs that are its own.
//! - Groups and consumers are ordered by name (bytewise), as Redis's radix
//!   trees order them, which is the order XINFO lists them in.
//!
//! Invariant: an ID is in a consumer's PEL iff the group's PEL holds a NACK
//! for it naming that consumer; every NACK names an existing consumer.
use super::StreamId;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// `entries_read` when the group's position in the stream's history is not
/// known.
pub const ENTRIES_READ_UNKNOWN: i64 = -1;

/// A pending entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nack {
    /// Last delivery, in ms since the epoch.
    pub delivery_time: u64,
    pub delivery_count: u64,
    pub consumer: Arc<[u8]>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumer {
    /// The consumer's name, shared by its NACKs.
    pub name: Arc<[u8]>,
    /// Last time the consumer read or claimed, in ms since the epoch.
    pub seen_time: u64,
    pub pel: BTreeSet<StreamId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub last_id: StreamId,
    /// Entries the group has read (logically), or [`ENTRIES_READ_UNKNOWN`].
    pub entries_read: i64,
    pub pel: BTreeMap<StreamId, Nack>,
    pub consumers: BTreeMap<Vec<u8>, Consumer>,
}

impl Group {
    pub fn new(last_id: StreamId, entries_read: i64) -> Group {
        Group {
            last_id,
            entries_read,
            pel: BTreeMap::new(),
            consumers: BTreeMap::new(),
        }
    }

    /// Looks up a consumer, refreshing its seen time when `now` is given.
    pub fn consumer(&mut self, name: &[u8], now: Option<u64>) -> Option<&mut Consumer> {
        let c = self.consumers.get_mut(name)?;
        if let Some(t) = now {
            c.seen_time = t;
        }
        Some(c)
    }

    /// Creates a consumer; false if it already exists.
    pub fn create_consumer(&mut self, name: &[u8], now: u64) -> bool {
        if self.consumers.contains_key(name) {
            return false;
        }
        self.consumers.insert(
            name.to_vec(),
            Consumer {
                name: Arc::from(name),
                seen_time: now,
                pel: BTreeSet::new(),
            },
        );
        true
    }

    /// Deletes a consumer and its pending entries; returns how many it had.
    pub fn delete_consumer(&mut self, name: &[u8]) -> Option<usize> {
        let c = self.consumers.remove(name)?;
        for id in &c.pel {
            self.pel.remove(id);
        }
        Some(c.pel.len())
    }

    /// Records a delivery of `id` to `consumer` (which must exist) at `now`:
    /// a new NACK, or one taken over from whoever had it, with its count
    /// reset to 1.
    pub fn deliver(&mut self, id: StreamId, consumer: &[u8], now: u64) {
        let Some(c) = self.consumers.get_mut(consumer) else {
            return;
        };
        c.pel.insert(id);
        let nack = Nack {
            delivery_time: now,
            delivery_count: 1,
            consumer: c.name.clone(),
        };
        if let Some(old) = self.pel.insert(id, nack) {
            if &*old.consumer != consumer {
                if let Some(prev) = self.consumers.get_mut(&*old.consumer) {
                    prev.pel.remove(&id);
                }
            }
        }
    }

    /// Removes the NACK of `id`; true if there was one.
    pub fn ack(&mut self, id: StreamId) -> bool {
        match self.pel.remove(&id) {
            Some(n) => {
                if let Some(c) = self.consumers.get_mut(&*n.consumer) {
                    c.pel.remove(&id);
                }
                true
            }
            None => false,
        }
    }

    /// Gives the NACK of `id` to `consumer` (which must exist).
    pub fn move_nack(&mut self, id: StreamId, consumer: &[u8]) {
        let Some(n) = self.pel.get_mut(&id) else {
            return;
        };
        if &*n.consumer == consumer {
            return;
        }
        let Some(c) = self.consumers.get_mut(consumer) else {
            return;
        };
        c.pel.insert(id);
        let old = std::mem::replace(&mut n.consumer, c.name.clone());
        if let Some(prev) = self.consumers.get_mut(&*old) {
            prev.pel.remove(&id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(ms: u64) -> StreamId {
        StreamId { ms, seq: 0 }
    }

    #[test]
    fn pels_stay_consistent() {
        let mut g = Group::new(id(0), ENTRIES_READ_UNKNOWN);
        g.create_consumer(b"a", 1);
        g.create_consumer(b"b", 1);
        g.deliver(id(1), b"a", 10);
        g.deliver(id(2), b"a", 10);
        g.deliver(id(1), b"b", 20);
        assert_eq!(g.consumers[&b"a"[..]].pel.len(), 1);
        assert_eq!(g.consumers[&b"b"[..]].pel.len(), 1);
        assert_eq!(g.pel[&id(1)].delivery_count, 1);
        g.move_nack(id(2), b"b");
        assert!(g.consumers[&b"a"[..]].pel.is_empty());
        assert!(g.ack(id(1)));
        assert!(!g.ack(id(1)));
        assert_eq!(g.delete_consumer(b"b"), Some(1));
        assert!(g.pel.is_empty());
    }
}
