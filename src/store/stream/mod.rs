//! The stream type: an append-only log of entries (an ID and field/value
//! pairs) with consumer groups, stored as Redis stores it.
//!
//! | file | job |
//! | --- | --- |
//! | `listpack.rs` | Redis's listpack byte format |
//! | `node.rs` | the layout of entries inside one listpack (master entry, deltas, flags) |
//! | `group.rs` | consumer groups: last delivered ID, pending entries, consumers |
//!
//! Entries live in *nodes*: listpacks of consecutive entries, kept in an
//! ordered map keyed by each node's master ID (Redis uses a radix tree keyed
//! by the same 128-bit IDs; the order is the same). New entries go to the
//! last node until it reaches `stream-node-max-bytes` or
//! `stream-node-max-entries`, then a new node starts. XDEL and trimming only
//! flag entries deleted; a node is freed when its last live entry goes, and
//! approximate trimming (`~`) removes whole nodes only.
//!
//! Besides its entries a stream keeps: its length; the last ID it generated
//! (which only grows, even when entries are deleted); the first live ID; the
//! largest ID ever deleted (`max-deleted-entry-id`); the number of entries
//! ever added; and its consumer groups, ordered by name.
//!
//! Invariants: entry IDs increase strictly through the nodes; every entry of
//! a node has an ID at least the node's master ID and below the next node's;
//! `length` counts the live entries; `last_id` is at least every entry's ID.
//! The value is behind an `Arc` in the keyspace and changed through
//! `Arc::make_mut`, so a snapshot keeps the version it saw.
pub mod group;
pub mod listpack;
pub mod node;

use group::{Group, ENTRIES_READ_UNKNOWN};
use node::{Entry, Node};
use std::collections::{btree_map, BTreeMap};

/// A stream entry ID: milliseconds and a sequence number.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct StreamId {
    pub ms: u64,
    pub seq: u64,
}

impl StreamId {
    pub const MIN: StreamId = StreamId { ms: 0, seq: 0 };
    pub const MAX: StreamId = StreamId {
        ms: u64::MAX,
        seq: u64::MAX,
    };

    pub fn new(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }

    /// The next ID; None past the largest one.
    pub fn incr(self) -> Option<StreamId> {
        if self.seq < u64::MAX {
            Some(StreamId::new(self.ms, self.seq + 1))
        } else if self.ms < u64::MAX {
            Some(StreamId::new(self.ms + 1, 0))
        } else {
            None
        }
    }

    /// The previous ID; None before the smallest one.
    pub fn decr(self) -> Option<StreamId> {
        if self.seq > 0 {
            Some(StreamId::new(self.ms, self.seq - 1))
        } else if self.ms > 0 {
            Some(StreamId::new(self.ms - 1, u64::MAX))
        } else {
            None
        }
    }

    pub fn is_zero(self) -> bool {
        self == StreamId::MIN
    }

    /// `<ms>-<seq>`.
    pub fn text(self) -> String {
        format!("{}-{}", self.ms, self.seq)
    }

    /// The 16-byte big-endian key Redis's radix tree uses (and RDB files
    /// carry for node keys and pending entries).
    pub fn key(self) -> [u8; 16] {
        let mut k = [0u8; 16];
        k[..8].copy_from_slice(&self.ms.to_be_bytes());
        k[8..].copy_from_slice(&self.seq.to_be_bytes());
        k
    }

    /// The ID a 16-byte radix-tree key stands for.
    pub fn from_key(k: &[u8; 16]) -> StreamId {
        let mut ms = [0u8; 8];
        let mut seq = [0u8; 8];
        ms.copy_from_slice(&k[..8]);
        seq.copy_from_slice(&k[8..]);
        StreamId::new(u64::from_be_bytes(ms), u64::from_be_bytes(seq))
    }
}

/// When XADD starts a new node.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// `stream-node-max-bytes` (0: no limit but Redis's 1 GB ceiling).
    pub node_max_bytes: usize,
    /// `stream-node-max-entries` (0: no limit).
    pub node_max_entries: usize,
}

/// The largest listpack a node may grow to.
const NODE_MAX_SIZE: usize = 1 << 30;

/// What a trim keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// At most this many entries.
    MaxLen(u64),
    /// Entries with an ID at least this one.
    MinId(StreamId),
}

/// A trim request: with `approx`, only whole nodes go; `limit` (0: none)
/// caps the entries removed.
#[derive(Clone, Copy, Debug)]
pub struct Trim {
    pub strategy: Strategy,
    pub approx: bool,
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stream {
    nodes: BTreeMap<StreamId, Vec<u8>>,
    pub length: u64,
    pub last_id: StreamId,
    pub first_id: StreamId,
    pub max_deleted_id: StreamId,
    pub entries_added: u64,
    pub groups: BTreeMap<Vec<u8>, Group>,
}

/// One live entry, as iteration yields it.
#[derive(Clone, Copy)]
pub struct EntryRef<'a> {
    pub id: StreamId,
    node: Node<'a>,
    entry: Entry,
}

impl<'a> EntryRef<'a> {
    pub fn nfields(&self) -> usize {
        self.entry.nfields
    }

    pub fn fields(&self) -> node::Fields<'a> {
        self.node.fields(&self.entry)
    }
}

/// Live entries with IDs in `[start, end]`, in either direction.
pub struct Iter<'a> {
    nodes: btree_map::Range<'a, StreamId, Vec<u8>>,
    cur: Option<(Node<'a>, Entry)>,
    start: StreamId,
    end: StreamId,
    rev: bool,
    done: bool,
    /// No node visited yet.
    fresh: bool,
}

impl<'a> Iterator for Iter<'a> {
    type Item = EntryRef<'a>;

    fn next(&mut self) -> Option<EntryRef<'a>> {
        while !self.done {
            let (node, e) = match self.cur.take() {
                Some(c) => c,
                None => {
                    let next = if self.rev {
                        self.nodes.next_back()
                    } else {
                        self.nodes.next()
                    };
                    let Some((&master, lp)) = next else {
                        self.done = true;
                        return None;
                    };
                    let node = Node::new(lp, master);
                    // Only the first node visited can hold entries outside
                    // the range on its near side: seek into it.
                    let first_node = std::mem::replace(&mut self.fresh, false);
                    let e = match (self.rev, first_node) {
                        (false, false) => Some(node.first()),
                        (true, false) => Some(node.last()),
                        (false, true) => node.seek(self.start),
                        (true, true) => node.seek_back(self.end),
                    };
                    let Some(e) = e else { continue };
                    (node, e)
                }
            };
            let following = if self.rev {
                node.before(&e)
            } else {
                node.after(&e)
            };
            self.cur = following.map(|f| (node, f));
            if self.rev {
                if e.id < self.start {
                    self.done = true;
                    return None;
                }
                if e.id > self.end || e.deleted {
                    continue;
                }
            } else {
                if e.id > self.end {
                    self.done = true;
                    return None;
                }
                if e.id < self.start || e.deleted {
                    continue;
                }
            }
            return Some(EntryRef {
                id: e.id,
                node,
                entry: e,
            });
        }
        None
    }
}

impl Stream {
    pub fn new() -> Stream {
        Stream::default()
    }

    /// The nodes in ID order: each one's master ID and listpack, as RDB files
    /// and DUMP payloads carry them.
    pub fn nodes(&self) -> impl Iterator<Item = (StreamId, &[u8])> + '_ {
        self.nodes.iter().map(|(k, v)| (*k, v.as_slice()))
    }

    /// Adds a node read from outside (an RDB file, a DUMP payload) after the
    /// last one, once its bytes pass [`node::validate`]: a well-formed
    /// listpack laid out as a stream node, its entry IDs increasing from at
    /// least `master`, and `master` above every entry of the nodes before it
    /// (what finding an ID's node by its master relies on). The
    /// stream's length, IDs and groups are the caller's; [`Stream::check`]
    /// then checks them against the nodes.
    pub fn load_node(&mut self, master: StreamId, lp: Vec<u8>) -> Result<(), &'static str> {
        node::validate(&lp, master)?;
        if let Some((&prev_master, prev)) = self.nodes.last_key_value() {
            // (so masters increase too: each is at or below its node's entries)
            if Node::new(prev, prev_master).last().id >= master {
                return Err("stream nodes out of order");
            }
        }
        self.nodes.insert(master, lp);
        Ok(())
    }

    /// Checks what a loaded stream states about itself against its nodes:
    /// `length` is the number of live entries and `last_id` is at least the
    /// last entry's ID (the invariants the commands rely on).
    pub fn check(&self) -> Result<(), &'static str> {
        let live: i64 = self.nodes.values().map(|n| node::live(n)).sum();
        if u64::try_from(live).ok() != Some(self.length) {
            return Err("stream length does not match its entries");
        }
        if let Some((&master, lp)) = self.nodes.last_key_value() {
            if Node::new(lp, master).last().id > self.last_id {
                return Err("stream last ID is below its last entry");
            }
        }
        Ok(())
    }

    /// Number of nodes (XINFO's `radix-tree-keys`).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Bytes of the entries' listpacks (for memory accounting and tests).
    pub fn node_bytes(&self) -> usize {
        self.nodes.values().map(|n| n.len()).sum()
    }

    /// Heap bytes the stream owns, estimated (MEMORY USAGE, `used_memory`):
    /// each node's listpack block plus a share of a B-tree node per map item
    /// (the key, the value and one pointer), the same for the groups, their
    /// pending entries and consumers. O(nodes + groups + pending entries).
    pub fn heap_bytes(&self) -> usize {
        use crate::store::mem::alloc_size;
        use std::mem::size_of;
        let item = |k: usize, v: usize| k + v + size_of::<usize>();
        let mut n: usize = self
            .nodes
            .values()
            .map(|lp| alloc_size(lp.capacity()) + item(size_of::<StreamId>(), size_of::<Vec<u8>>()))
            .sum();
        for (name, g) in &self.groups {
            n += alloc_size(name.capacity()) + item(size_of::<Vec<u8>>(), size_of::<Group>());
            n += g.pel.len() * item(size_of::<StreamId>(), size_of::<group::Nack>());
            for (cname, c) in &g.consumers {
                n += alloc_size(cname.capacity())
                    + alloc_size(crate::store::mem::ARC_HEADER + c.name.len())
                    + item(size_of::<Vec<u8>>(), size_of::<group::Consumer>())
                    + c.pel.len() * item(size_of::<StreamId>(), 0);
            }
        }
        n
    }

    /// Nodes of the radix tree Redis would hold for these node keys
    /// (XINFO's `radix-tree-nodes`): its trees are always fully compressed,
    /// so the count follows from the keys alone.
    pub fn radix_tree_nodes(&self) -> u64 {
        let keys: Vec<[u8; 16]> = self.nodes.keys().map(|k| k.key()).collect();
        if keys.is_empty() {
            return 1;
        }
        rax_nodes(&keys, 0)
    }

    /// The ID `XADD *` would take at time `now_ms` (None: the stream has
    /// used the last possible ID).
    pub fn auto_id(&self, now_ms: u64) -> Option<StreamId> {
        if now_ms > self.last_id.ms {
            Some(StreamId::new(now_ms, 0))
        } else {
            self.last_id.incr()
        }
    }

    /// Appends an entry whose ID is above `last_id` (the caller checks).
    /// `pairs` is `field, value, field, value, ...`.
    pub fn append(&mut self, id: StreamId, pairs: &[Vec<u8>], limits: Limits) {
        let payload: usize = pairs.iter().map(Vec::len).sum();
        let max_bytes = match limits.node_max_bytes {
            0 => NODE_MAX_SIZE,
            n => n.min(NODE_MAX_SIZE),
        };
        let mut added = false;
        if let Some(mut tail) = self.nodes.last_entry() {
            let master = *tail.key();
            let lp = tail.get_mut();
            let full = lp.len() + payload >= max_bytes
                || (limits.node_max_entries > 0
                    && node::total(lp)
                        >= i64::try_from(limits.node_max_entries).unwrap_or(i64::MAX));
            if full {
                lp.shrink_to_fit();
            } else {
                node::append(lp, master, id, pairs);
                added = true;
            }
        }
        if !added {
            self.nodes.insert(id, node::create(id, id, pairs));
        }
        self.length += 1;
        self.entries_added += 1;
        self.last_id = id;
        if self.length == 1 {
            self.first_id = id;
        }
    }

    /// Live entries with IDs in `[start, end]`, ascending or (`rev`)
    /// descending.
    pub fn range(&self, start: StreamId, end: StreamId, rev: bool) -> Iter<'_> {
        let from = self
            .nodes
            .range(..=start)
            .next_back()
            .map_or(start, |(k, _)| *k);
        let nodes = if from <= end {
            self.nodes.range(from..=end)
        } else {
            self.nodes.range(StreamId::MAX..StreamId::MAX)
        };
        Iter {
            nodes,
            cur: None,
            start,
            end,
            rev,
            done: start > end,
            fresh: true,
        }
    }

    /// The live entry `id`, if any.
    pub fn get(&self, id: StreamId) -> Option<EntryRef<'_>> {
        self.range(id, id, false).next()
    }

    /// The first (or last) live entry's ID; with none, the largest (or
    /// smallest) possible ID, as Redis answers.
    pub fn edge_id(&self, first: bool) -> StreamId {
        match self.range(StreamId::MIN, StreamId::MAX, !first).next() {
            Some(e) => e.id,
            None if first => StreamId::MAX,
            None => StreamId::MIN,
        }
    }

    /// The last live entry's ID.
    pub fn last_valid_id(&self) -> Option<StreamId> {
        self.range(StreamId::MIN, StreamId::MAX, true)
            .next()
            .map(|e| e.id)
    }

    /// Deletes the live entry `id`; true if there was one. (`first_id` and
    /// `max_deleted_id` are the caller's, as XDEL keeps them.)
    pub fn delete(&mut self, id: StreamId) -> bool {
        let Some((&master, _)) = self.nodes.range(..=id).next_back() else {
            return false;
        };
        let Some(lp) = self.nodes.get_mut(&master) else {
            return false;
        };
        let found = {
            let n = Node::new(lp, master);
            let mut e = Some(n.first());
            let mut at = None;
            while let Some(x) = e {
                if x.id > id {
                    break;
                }
                if x.id == id && !x.deleted {
                    at = Some(x.at);
                    break;
                }
                e = n.after(&x);
            }
            at
        };
        let Some(at) = found else {
            return false;
        };
        if node::live(lp) == 1 {
            self.nodes.remove(&master);
        } else {
            node::flag_deleted(lp, at);
            node::count_deleted(lp, 1);
        }
        self.length -= 1;
        true
    }

    /// Trims as `t` asks; returns the number of entries removed. Whole nodes
    /// go from the front; then, unless approximate, entries of the next node
    /// are flagged deleted one by one.
    pub fn trim(&mut self, t: &Trim) -> u64 {
        let mut deleted: i64 = 0;
        loop {
            if let Strategy::MaxLen(max) = t.strategy {
                if self.length <= max {
                    break;
                }
            }
            let Some(mut first) = self.nodes.first_entry() else {
                break;
            };
            let master = *first.key();
            let entries = node::live(first.get());
            if t.limit > 0 && deleted + entries > t.limit {
                break;
            }
            let whole = match t.strategy {
                Strategy::MaxLen(max) => self.length.saturating_sub(entries.max(0) as u64) >= max,
                Strategy::MinId(min) => Node::new(first.get(), master).last().id < min,
            };
            if whole {
                first.remove();
                self.length = self.length.saturating_sub(entries.max(0) as u64);
                deleted += entries;
                continue;
            }
            if t.approx {
                break;
            }
            let lp = first.get_mut();
            let mut here = 0i64;
            let mut at = Node::new(lp, master).first().at;
            let end = listpack::end(lp);
            while at < end {
                let e = Node::new(lp, master).entry_at(at);
                let stop = match t.strategy {
                    Strategy::MaxLen(max) => self.length <= max,
                    Strategy::MinId(min) => e.id >= min,
                };
                if stop {
                    break;
                }
                if !e.deleted {
                    // (0/2 -> 1/3: the flags keep their one-byte size)
                    node::flag_deleted(lp, e.at);
                    here += 1;
                    self.length -= 1;
                }
                at = e.end;
            }
            node::count_deleted(lp, here);
            deleted += here;
            break;
        }
        if self.length == 0 {
            self.first_id = StreamId::MIN;
        } else if deleted != 0 {
            self.first_id = self.edge_id(true);
        }
        deleted.max(0) as u64
    }

    /// Whether a deleted entry may lie in `[start, end]` (None: unbounded).
    pub fn range_has_tombstones(&self, start: Option<StreamId>, end: Option<StreamId>) -> bool {
        if self.length == 0 || self.max_deleted_id.is_zero() {
            return false;
        }
        if self.first_id > self.max_deleted_id {
            return false;
        }
        let start = start.unwrap_or(StreamId::MIN);
        let end = end.unwrap_or(StreamId::MAX);
        start <= self.max_deleted_id && self.max_deleted_id <= end
    }

    /// How many entries were added up to and including `id`, when that can
    /// be known (Redis's estimate of a group's read counter), else -1.
    pub fn entries_read_at(&self, id: StreamId) -> i64 {
        if self.entries_added == 0 {
            return 0;
        }
        let added = i64::try_from(self.entries_added).unwrap_or(i64::MAX);
        if self.length == 0 && id <= self.last_id {
            return added;
        }
        if id == self.last_id {
            return added;
        }
        if id > self.last_id {
            return ENTRIES_READ_UNKNOWN;
        }
        if self.max_deleted_id.is_zero() || self.max_deleted_id < self.first_id {
            let before_first = added - self.length as i64;
            if id < self.first_id {
                return before_first;
            }
            if id == self.first_id {
                return before_first + 1;
            }
        }
        ENTRIES_READ_UNKNOWN
    }

    /// A group's lag: entries added that it has not read, when known.
    pub fn lag(&self, g: &Group) -> Option<i64> {
        let added = i64::try_from(self.entries_added).unwrap_or(i64::MAX);
        if self.entries_added == 0 {
            return Some(0);
        }
        if g.entries_read != ENTRIES_READ_UNKNOWN
            && !self.range_has_tombstones(Some(g.last_id), None)
        {
            return Some(added - g.entries_read);
        }
        match self.entries_read_at(g.last_id) {
            ENTRIES_READ_UNKNOWN => None,
            read => Some(added - read),
        }
    }

    /// Moves a group past entry `id` delivered to it, keeping its read
    /// counter as Redis does.
    pub fn advance_group(&mut self, group: &[u8], id: StreamId) {
        let tombstones = self.range_has_tombstones(Some(id), None);
        let estimate = if self.entries_added > 0 {
            Some(self.entries_read_at(id))
        } else {
            None
        };
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        if id <= g.last_id {
            return;
        }
        if g.entries_read != ENTRIES_READ_UNKNOWN && !tombstones {
            g.entries_read += 1;
        } else if let Some(e) = estimate {
            g.entries_read = e;
        }
        g.last_id = id;
    }
}

/// Nodes of a fully compressed radix tree over `keys` (sorted, distinct, all
/// sharing their first `depth` bytes), counting the node at `depth`.
fn rax_nodes(keys: &[[u8; 16]], depth: usize) -> u64 {
    if depth == 16 {
        return 1;
    }
    let (first, last) = (keys[0], keys[keys.len() - 1]);
    let mut common = depth;
    while common < 16 && first[common] == last[common] {
        common += 1;
    }
    if common > depth {
        // A compressed node up to where the keys part, then what follows.
        return 1 + rax_nodes(keys, common);
    }
    let mut n = 1;
    let mut i = 0;
    while i < keys.len() {
        let b = keys[i][depth];
        let j = i + keys[i..].iter().take_while(|k| k[depth] == b).count();
        n += rax_nodes(&keys[i..j], depth + 1);
        i = j;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    const LIMITS: Limits = Limits {
        node_max_bytes: 4096,
        node_max_entries: 3,
    };

    fn ids(s: &Stream, start: StreamId, end: StreamId, rev: bool) -> Vec<u64> {
        s.range(start, end, rev).map(|e| e.id.ms).collect()
    }

    #[test]
    fn nodes_roll_over_and_ranges_cross_them() {
        let mut s = Stream::new();
        for ms in 1..=10 {
            s.append(StreamId::new(ms, 0), &pairs(&["f", "v"]), LIMITS);
        }
        assert_eq!(s.node_count(), 4);
        assert_eq!(
            ids(&s, StreamId::MIN, StreamId::MAX, false),
            (1..=10).collect::<Vec<_>>()
        );
        assert_eq!(
            ids(&s, StreamId::new(3, 1), StreamId::new(8, 0), true),
            vec![8, 7, 6, 5, 4]
        );
        assert!(s.delete(StreamId::new(5, 0)));
        assert!(!s.delete(StreamId::new(5, 0)));
        assert_eq!(
            ids(&s, StreamId::new(4, 0), StreamId::new(6, 0), false),
            vec![4, 6]
        );
        let removed = s.trim(&Trim {
            strategy: Strategy::MaxLen(4),
            approx: true,
            limit: 0,
        });
        assert_eq!((removed, s.length), (5, 4));
        let removed = s.trim(&Trim {
            strategy: Strategy::MinId(StreamId::new(8, 0)),
            approx: false,
            limit: 0,
        });
        assert_eq!((removed, s.length), (1, 3));
        assert_eq!(s.first_id, StreamId::new(8, 0));
        assert_eq!(s.last_valid_id(), Some(StreamId::new(10, 0)));
    }

    #[test]
    fn radix_node_counts() {
        let mut s = Stream::new();
        assert_eq!(s.radix_tree_nodes(), 1);
        s.append(StreamId::new(1, 0), &pairs(&["f", "v"]), LIMITS);
        assert_eq!(s.radix_tree_nodes(), 2);
    }
}
