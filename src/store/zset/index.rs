//! The member index of a skiplist-encoded sorted set: member bytes -> node (the
//! offset of its record in the skiplist's arena).
//!
//! An open-addressing hash table (linear probing) of `(node, hash)` pairs. It does
//! not hold the member bytes itself: the skiplist's nodes own them, and a probe
//! compares against `nodes.member(node)` (only when the stored 32-bit hash
//! matches). That saves a second copy of every member, which is most of the
//! memory a sorted set of short members would otherwise spend.
//!
//! Invariants: `slots.len()` is a power of two (or zero); slot value 0 means empty
//! (node 0 is the skiplist header, never indexed); the load stays at or below
//! 3/4; every entry is reachable from its home position `hash & mask` without
//! crossing an empty slot (deletion shifts later entries back to keep this).
use super::skiplist::NodesView;

#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Slot {
    node: u32,
    hash: u32,
}

/// Member -> node.
#[derive(Debug, Clone, Default)]
pub struct MemberIndex {
    slots: Vec<Slot>,
    len: usize,
}

impl MemberIndex {
    pub fn new() -> MemberIndex {
        MemberIndex::default()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// The number of slots (DEBUG HTSTATS-KEY's table size).
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn heap_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Slot>()
    }

    /// The keyed hash of `member` (the one the hash and set tables use).
    #[inline]
    pub fn hash(&self, member: &[u8]) -> u32 {
        crate::store::dict::hash_bytes(member)
    }

    #[inline]
    fn mask(&self) -> usize {
        self.slots.len().wrapping_sub(1)
    }

    /// Position in `slots` of `member`, if present.
    fn position(&self, nodes: &NodesView<'_>, member: &[u8], hash: u32) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.mask();
        let mut i = hash as usize & mask;
        loop {
            let s = self.slots[i];
            if s.node == 0 {
                return None;
            }
            if s.hash == hash && nodes.member(s.node) == member {
                return Some(i);
            }
            i = (i + 1) & mask;
        }
    }

    /// The node slot of `member`.
    pub fn find(&self, nodes: &NodesView<'_>, member: &[u8]) -> Option<u32> {
        let h = self.hash(member);
        self.position(nodes, member, h).map(|i| self.slots[i].node)
    }

    /// Adds `node` (whose member is not yet indexed) under `hash`.
    pub fn insert(&mut self, _nodes: &NodesView<'_>, node: u32, hash: u32) {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.resize((self.slots.len() * 2).max(8));
        }
        self.place(Slot { node, hash });
        self.len += 1;
    }

    fn place(&mut self, s: Slot) {
        let mask = self.mask();
        let mut i = s.hash as usize & mask;
        while self.slots[i].node != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = s;
    }

    fn resize(&mut self, cap: usize) {
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); cap]);
        for s in old {
            if s.node != 0 {
                self.place(s);
            }
        }
    }

    /// Removes `member`; answers its node slot.
    pub fn remove(&mut self, nodes: &NodesView<'_>, member: &[u8], hash: u32) -> Option<u32> {
        let mut hole = self.position(nodes, member, hash)?;
        let node = self.slots[hole].node;
        let mask = self.mask();
        let mut j = hole;
        loop {
            j = (j + 1) & mask;
            let s = self.slots[j];
            if s.node == 0 {
                break;
            }
            let home = s.hash as usize & mask;
            // The entry at j may move back into the hole unless its home lies
            // cyclically within (hole, j].
            let stays = if hole <= j {
                hole < home && home <= j
            } else {
                hole < home || home <= j
            };
            if !stays {
                self.slots[hole] = s;
                hole = j;
            }
        }
        self.slots[hole] = Slot::default();
        self.len -= 1;
        if self.len == 0 {
            self.slots = Vec::new();
        } else if self.slots.len() > 64 && self.len * 8 < self.slots.len() {
            self.resize(self.slots.len() / 2);
        }
        Some(node)
    }
}
