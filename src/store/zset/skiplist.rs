//! The "skiplist" encoding of a sorted set: a skiplist with spans, for rank
//! queries in O(log n), plus a member index ([`super::index::MemberIndex`]) for
//! O(1) score lookups.
//!
//! Layout (no `unsafe`, no pointers): every node is a *record* of 64-bit words
//! in one arena, `cells`, and is named by the `u32` offset of its record. A
//! record holds, in order:
//!
//! | word | contents |
//! | --- | --- |
//! | 0 | the score (`f64` bits) |
//! | 1 | `back` (low half), the member's slot (high half) |
//! | 2 | level 0's `next` (low half), the tower's height (high half) |
//! | 2 + i | level `i` (1 ≤ i < height): `next` (low half), `span` (high half) |
//!
//! So a node and its whole tower are contiguous, as in Redis's C layout: a step
//! of a search reads the score and the level it follows from one place. Level
//! 0 needs no stored span: it is 1, or 0 on the link to "no node" (see the
//! span rule below). The record at offset 0 is the header, a tower of
//! [`MAX_LEVEL`] levels; since nothing ever links *to* the header, `0` doubles
//! as "no node" in forward and backward links. Freed records go on a free list
//! per height and are reused by towers of the same height.
//!
//! Members live apart, in `members`, by *slot* (a node's record names its
//! slot; `slot_node` maps back): a search reads a member only to break a tie
//! of scores. A member keeps its slot for as long as it stays in the set, even
//! when its score changes, which is what ZSCAN's cursor counts in.
//!
//! Invariants (checked by [`SkipList::check`] in tests):
//! - level 0 links all nodes in order of (score, member bytes), and `back` links
//!   them in reverse (the first node's `back` is 0);
//! - every level `i < height` is a sub-chain of level `i - 1`;
//! - span: for a link from `x` to `y` at any level, `span = rank(y) - rank(x)`,
//!   where the header has rank 0, nodes have ranks `1..=len`, and "no node" has
//!   rank `len`. So summing spans along a search path gives a node's rank.
//! - `slot_node[s]` is the node whose record names slot `s`, or [`FREED`];
//! - the member index maps exactly the live nodes' members to their nodes.
use super::index::MemberIndex;

/// Highest tower (enough for 2^64 elements at p = 1/4).
pub const MAX_LEVEL: usize = 32;
/// The header's record, and "no node" in links.
const NIL: u32 = 0;
/// `slot_node` of a free member slot.
const FREED: u32 = u32::MAX;
/// Words of a record before its level 1.
const HEAD_WORDS: usize = 2;

/// One link of a tower: the next node at this level and how many level-0 steps
/// away it is.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Level {
    pub next: u32,
    pub span: u32,
}

/// A sorted set in the skiplist encoding.
#[derive(Debug, Clone)]
pub struct SkipList {
    /// The node records (see the module doc).
    cells: Vec<u64>,
    /// Freed records by height (index `h - 1` for height `h`).
    free_records: Vec<Vec<u32>>,
    /// Member bytes by slot (slot 0 unused, so that a ZSCAN cursor of 0 means
    /// "from the start").
    members: Vec<Box<[u8]>>,
    /// The node of each slot, or `FREED`.
    slot_node: Vec<u32>,
    free_slots: Vec<u32>,
    /// Last node (0 when empty).
    tail: u32,
    len: usize,
    /// Number of levels in use (1..=MAX_LEVEL).
    height: usize,
    index: MemberIndex,
    rng: u64,
}

impl Default for SkipList {
    fn default() -> Self {
        SkipList::new()
    }
}

/// Ordering of elements: by score, then by member bytes.
#[inline]
fn less(s1: f64, m1: &[u8], s2: f64, m2: &[u8]) -> bool {
    s1 < s2 || (s1 == s2 && m1 < m2)
}

#[inline]
fn low(w: u64) -> u32 {
    w as u32
}

#[inline]
fn high(w: u64) -> u32 {
    (w >> 32) as u32
}

#[inline]
fn pack(low: u32, high: u32) -> u64 {
    (low as u64) | ((high as u64) << 32)
}

impl SkipList {
    pub fn new() -> SkipList {
        let mut cells = vec![0u64; HEAD_WORDS + MAX_LEVEL];
        cells[2] = pack(NIL, MAX_LEVEL as u32);
        SkipList {
            cells,
            free_records: vec![Vec::new(); MAX_LEVEL],
            members: vec![Box::default()],
            slot_node: vec![FREED],
            free_slots: Vec::new(),
            tail: NIL,
            len: 0,
            height: 1,
            index: MemberIndex::new(),
            rng: 0x9E37_79B9_7F4A_7C15 ^ (crate::digest::siphash::process_key().0 | 1),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// The member index's slots and members (DEBUG HTSTATS-KEY).
    pub fn index_stats(&self) -> (usize, usize) {
        (self.index.capacity(), self.index.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes of heap this set holds, roughly (for MEMORY-style estimates).
    pub fn heap_bytes(&self) -> usize {
        self.cells.capacity() * 8
            + self.members.capacity() * std::mem::size_of::<Box<[u8]>>()
            + self.slot_node.capacity() * 4
            + self.index.heap_bytes()
    }

    #[inline]
    fn score_of(&self, x: u32) -> f64 {
        f64::from_bits(self.cells[x as usize])
    }

    #[inline]
    fn set_score(&mut self, x: u32, score: f64) {
        self.cells[x as usize] = score.to_bits();
    }

    #[inline]
    fn back(&self, x: u32) -> u32 {
        low(self.cells[x as usize + 1])
    }

    #[inline]
    fn set_back(&mut self, x: u32, back: u32) {
        let w = &mut self.cells[x as usize + 1];
        *w = pack(back, high(*w));
    }

    #[inline]
    fn slot(&self, x: u32) -> u32 {
        high(self.cells[x as usize + 1])
    }

    #[inline]
    fn member_of(&self, x: u32) -> &[u8] {
        &self.members[self.slot(x) as usize]
    }

    fn node_height(&self, x: u32) -> usize {
        high(self.cells[x as usize + 2]) as usize
    }

    #[inline]
    fn level(&self, x: u32, i: usize) -> Level {
        let w = self.cells[x as usize + HEAD_WORDS + i];
        if i == 0 {
            let next = low(w);
            Level {
                next,
                span: u32::from(next != NIL),
            }
        } else {
            Level {
                next: low(w),
                span: high(w),
            }
        }
    }

    /// Sets level `i` of `x` (at level 0 only `next`: its span is implied).
    #[inline]
    fn set_level(&mut self, x: u32, i: usize, l: Level) {
        let w = &mut self.cells[x as usize + HEAD_WORDS + i];
        *w = if i == 0 {
            pack(l.next, high(*w))
        } else {
            pack(l.next, l.span)
        };
    }

    /// Adds `delta` (wrapping, so -1 is `u32::MAX`) to the span of level `i >= 1`.
    #[inline]
    fn add_span(&mut self, x: u32, i: usize, delta: u32) {
        let w = &mut self.cells[x as usize + HEAD_WORDS + i];
        *w = pack(low(*w), high(*w).wrapping_add(delta));
    }

    /// A tower height with P(h > k) = 4^-k.
    fn random_height(&mut self) -> usize {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        let r = self.rng;
        // Two bits per level: each pair being 0 (probability 1/4) adds a level.
        let mut h = 1;
        while h < MAX_LEVEL && (r >> (2 * (h - 1))) & 3 == 0 {
            h += 1;
        }
        h
    }

    /// The score of `member`, if present.
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        let x = self.index.find(&self.nodes_view(), member)?;
        Some(self.score_of(x))
    }

    fn nodes_view(&self) -> NodesView<'_> {
        NodesView {
            cells: &self.cells,
            members: &self.members,
        }
    }

    /// Walks down from the header keeping to nodes for which `before(score,
    /// node)` is true (a prefix of the order). Fills `update[i]` with the last
    /// such node at level `i` and `rank[i]` with its rank; returns the number of
    /// such nodes. The predicate gets the node, not its member, so that a
    /// search by score reads a member only when it needs one.
    fn descend(
        &self,
        update: &mut [u32; MAX_LEVEL],
        rank: &mut [u32; MAX_LEVEL],
        mut before: impl FnMut(f64, u32) -> bool,
    ) -> usize {
        let mut x = NIL;
        let mut r: u32 = 0;
        for i in (0..self.height).rev() {
            loop {
                let l = self.level(x, i);
                if l.next == NIL || !before(self.score_of(l.next), l.next) {
                    break;
                }
                r += l.span;
                x = l.next;
            }
            update[i] = x;
            rank[i] = r;
        }
        r as usize
    }

    /// [`descend`](Self::descend) to the place of (`score`, `member`), keeping
    /// to the elements ordered before it; reads a member only on a tie of
    /// scores.
    fn descend_to(
        &self,
        update: &mut [u32; MAX_LEVEL],
        rank: &mut [u32; MAX_LEVEL],
        score: f64,
        member: &[u8],
    ) -> usize {
        self.descend(update, rank, |s, x| {
            s < score || (s == score && self.member_of(x) < member)
        })
    }

    /// Number of elements for which `before` holds; `before` must be true for a
    /// prefix of the order and false after it. O(log n).
    pub fn count_before(&self, mut before: impl FnMut(f64, &[u8]) -> bool) -> usize {
        let mut update = [NIL; MAX_LEVEL];
        let mut rank = [0; MAX_LEVEL];
        self.descend(&mut update, &mut rank, |s, x| before(s, self.member_of(x)))
    }

    /// Inserts `member` (which must be absent) with `score`.
    pub fn insert(&mut self, member: &[u8], score: f64) {
        let slot = match self.free_slots.pop() {
            Some(s) => {
                self.members[s as usize] = member.into();
                s
            }
            None => {
                self.members.push(member.into());
                self.slot_node.push(FREED);
                (self.members.len() - 1) as u32
            }
        };
        let h = self.random_height();
        // Offsets stay below 2^32 words (32 GB of records, ~1.3e9 nodes).
        let x = match self.free_records[h - 1].pop() {
            Some(x) => {
                let r = x as usize;
                self.cells[r + HEAD_WORDS + 1..r + HEAD_WORDS + h].fill(0);
                x
            }
            None => {
                let x = self.cells.len() as u32;
                self.cells.resize(self.cells.len() + HEAD_WORDS + h, 0);
                x
            }
        };
        let r = x as usize;
        self.cells[r] = score.to_bits();
        self.cells[r + 1] = pack(NIL, slot);
        self.cells[r + 2] = pack(NIL, h as u32);
        self.slot_node[slot as usize] = x;
        self.link(x);
        let hash = self.index.hash(member);
        let view = NodesView {
            cells: &self.cells,
            members: &self.members,
        };
        self.index.insert(&view, x, hash);
    }

    /// Links node `x` (member, score and tower set; not linked) into its place.
    fn link(&mut self, x: u32) {
        let mut update = [NIL; MAX_LEVEL];
        let mut rank = [0; MAX_LEVEL];
        let score = self.score_of(x);
        self.descend_to(&mut update, &mut rank, score, self.member_of(x));
        let h = self.node_height(x);
        if h > self.height {
            for i in self.height..h {
                update[i] = NIL;
                rank[i] = 0;
                let span = self.len as u32;
                self.set_level(NIL, i, Level { next: NIL, span });
            }
            self.height = h;
        }
        self.set_back(x, update[0]);
        for i in 0..h {
            let prev = self.level(update[i], i);
            let before_x = rank[0] - rank[i];
            self.set_level(
                x,
                i,
                Level {
                    next: prev.next,
                    span: prev.span - before_x,
                },
            );
            self.set_level(
                update[i],
                i,
                Level {
                    next: x,
                    span: before_x + 1,
                },
            );
        }
        // Links above x's tower now pass over one more node.
        for (i, &u) in update.iter().enumerate().take(self.height).skip(h) {
            self.add_span(u, i, 1);
        }
        let next0 = self.level(x, 0).next;
        if next0 == NIL {
            self.tail = x;
        } else {
            self.set_back(next0, x);
        }
        self.len += 1;
    }

    /// Unlinks node `x` given its predecessors `update` (from a descent that
    /// stopped just before it). The node keeps its record, member and slot.
    fn unlink(&mut self, x: u32, update: &[u32; MAX_LEVEL]) {
        for (i, &u) in update.iter().enumerate().take(self.height) {
            let ul = self.level(u, i);
            if ul.next == x {
                let xl = self.level(x, i);
                self.set_level(
                    u,
                    i,
                    Level {
                        next: xl.next,
                        span: ul.span + xl.span - 1,
                    },
                );
            } else {
                // Only above x's tower (at level 0 the predecessor links to x).
                self.add_span(u, i, u32::MAX);
            }
        }
        let next0 = self.level(x, 0).next;
        let back = self.back(x);
        if next0 == NIL {
            self.tail = back;
        } else {
            self.set_back(next0, back);
        }
        while self.height > 1 && self.level(NIL, self.height - 1).next == NIL {
            self.height -= 1;
        }
        self.len -= 1;
    }

    /// Frees the record and slot of an unlinked node; returns its member and
    /// score.
    fn free_node(&mut self, x: u32) -> (Box<[u8]>, f64) {
        let slot = self.slot(x);
        let member = std::mem::take(&mut self.members[slot as usize]);
        self.slot_node[slot as usize] = FREED;
        self.free_slots.push(slot);
        let h = self.node_height(x);
        self.free_records[h - 1].push(x);
        (member, self.score_of(x))
    }

    /// The predecessors of node `x` at every level.
    fn predecessors(&self, x: u32) -> [u32; MAX_LEVEL] {
        let mut update = [NIL; MAX_LEVEL];
        let mut rank = [0; MAX_LEVEL];
        self.descend_to(&mut update, &mut rank, self.score_of(x), self.member_of(x));
        update
    }

    /// Removes `member`; answers its score.
    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let hash = self.index.hash(member);
        let view = NodesView {
            cells: &self.cells,
            members: &self.members,
        };
        let x = self.index.remove(&view, member, hash)?;
        let update = self.predecessors(x);
        self.unlink(x, &update);
        Some(self.free_node(x).1)
    }

    /// Changes the score of `member` (present) to `new`. The node keeps its
    /// record and slot.
    pub fn update_score(&mut self, member: &[u8], new: f64) {
        if let Some(x) = self.index.find(&self.nodes_view(), member) {
            self.update_node(x, new);
        }
    }

    /// Sets the score of `member`, adding it if absent; answers the old score.
    /// One index lookup either way.
    pub fn set(&mut self, member: &[u8], score: f64) -> Option<f64> {
        match self.index.find(&self.nodes_view(), member) {
            Some(x) => {
                let old = self.score_of(x);
                if old != score {
                    self.update_node(x, score);
                }
                Some(old)
            }
            None => {
                self.insert(member, score);
                None
            }
        }
    }

    /// The node of `member` and its score, if present (a handle for
    /// [`update_node`](Self::update_node), valid until the next change).
    pub fn find(&self, member: &[u8]) -> Option<(u32, f64)> {
        let x = self.index.find(&self.nodes_view(), member)?;
        Some((x, self.score_of(x)))
    }

    /// Changes the score of node `x` (from [`find`](Self::find)) to `new`.
    pub fn update_node(&mut self, x: u32, new: f64) {
        let member = &self.members[self.slot(x) as usize];
        // Still in place when the neighbours stay on the right sides: just rewrite.
        let back = self.back(x);
        let back_ok = back == NIL || less(self.score_of(back), self.member_of(back), new, member);
        let next = self.level(x, 0).next;
        let next_ok = next == NIL || less(new, member, self.score_of(next), self.member_of(next));
        if !(back_ok && next_ok) {
            let update = self.predecessors(x);
            self.unlink(x, &update);
            self.set_score(x, new);
            self.link(x);
        } else {
            self.set_score(x, new);
        }
    }

    /// Live elements in member slots `start..`, visiting slots until `count`
    /// elements are found; returns them and the slot to continue from (0: done).
    pub fn scan_slots(&self, start: usize, count: usize) -> (Vec<(&[u8], f64)>, usize) {
        let mut out = Vec::new();
        let mut i = start.max(1);
        while i < self.members.len() && out.len() < count {
            let x = self.slot_node[i];
            if x != FREED {
                out.push((&*self.members[i], self.score_of(x)));
            }
            i += 1;
        }
        (out, if i >= self.members.len() { 0 } else { i })
    }

    /// 0-based rank of `member` in ascending order, with its score.
    pub fn rank(&self, member: &[u8]) -> Option<(usize, f64)> {
        let score = self.score(member)?;
        let mut update = [NIL; MAX_LEVEL];
        let mut rank = [0; MAX_LEVEL];
        Some((
            self.descend_to(&mut update, &mut rank, score, member),
            score,
        ))
    }

    /// The node at 0-based rank `r` (`r < len`).
    fn node_at(&self, r: usize) -> u32 {
        let want = r as u32 + 1;
        let mut x = NIL;
        let mut traversed = 0u32;
        for i in (0..self.height).rev() {
            loop {
                let l = self.level(x, i);
                if l.next == NIL || traversed + l.span > want {
                    break;
                }
                traversed += l.span;
                x = l.next;
            }
            if traversed == want {
                return x;
            }
        }
        x
    }

    /// The element at 0-based rank `r`, if `r < len`.
    pub fn get(&self, r: usize) -> Option<(&[u8], f64)> {
        if r >= self.len {
            return None;
        }
        let x = self.node_at(r);
        Some((self.member_of(x), self.score_of(x)))
    }

    /// Elements from rank `r` upwards (ascending order).
    pub fn iter_from(&self, r: usize) -> Iter<'_> {
        let x = if r < self.len { self.node_at(r) } else { NIL };
        Iter {
            list: self,
            x,
            rev: false,
        }
    }

    /// Elements from rank `r` downwards (descending order).
    pub fn iter_rev_from(&self, r: usize) -> Iter<'_> {
        let x = if r < self.len { self.node_at(r) } else { NIL };
        Iter {
            list: self,
            x,
            rev: true,
        }
    }

    /// Removes `count` elements starting at 0-based rank `start`, handing each
    /// (member, score) to `each` in ascending order. O(log n + count).
    pub fn remove_ranks(&mut self, start: usize, count: usize, mut each: impl FnMut(&[u8], f64)) {
        let count = count.min(self.len.saturating_sub(start));
        if count == 0 {
            return;
        }
        let mut update = [NIL; MAX_LEVEL];
        // A rank-guided descent: keep going while the next node's rank <= start.
        let mut x = NIL;
        let mut traversed = 0usize;
        for i in (0..self.height).rev() {
            loop {
                let l = self.level(x, i);
                if l.next == NIL || traversed + l.span as usize > start {
                    break;
                }
                traversed += l.span as usize;
                x = l.next;
            }
            update[i] = x;
        }
        let mut next = self.level(x, 0).next;
        for _ in 0..count {
            let cur = next;
            next = self.level(cur, 0).next;
            let member = &self.members[self.slot(cur) as usize];
            let hash = self.index.hash(member);
            let view = NodesView {
                cells: &self.cells,
                members: &self.members,
            };
            self.index.remove(&view, member, hash);
            self.unlink(cur, &update);
            let (m, s) = self.free_node(cur);
            each(&m, s);
        }
    }

    /// Checks every invariant in the header comment; panics with a message if one
    /// fails. For tests.
    pub fn check(&self) {
        // Level 0: order, back links, count, tail.
        let mut ranks = std::collections::HashMap::new();
        ranks.insert(NIL, 0u32);
        let mut x = self.level(NIL, 0).next;
        let mut prev = NIL;
        let mut r = 0u32;
        while x != NIL {
            r += 1;
            assert_eq!(self.back(x), prev, "back link of rank {r}");
            if prev != NIL {
                assert!(
                    less(
                        self.score_of(prev),
                        self.member_of(prev),
                        self.score_of(x),
                        self.member_of(x)
                    ),
                    "order at rank {r}"
                );
            }
            assert_eq!(self.slot_node[self.slot(x) as usize], x, "slot of rank {r}");
            assert_eq!(
                self.index.find(&self.nodes_view(), self.member_of(x)),
                Some(x)
            );
            ranks.insert(x, r);
            prev = x;
            x = self.level(x, 0).next;
        }
        assert_eq!(r as usize, self.len, "length");
        assert_eq!(self.tail, prev, "tail");
        assert_eq!(self.index.len(), self.len, "index size");
        let live = self.slot_node.iter().filter(|&&x| x != FREED).count();
        assert_eq!(live, self.len, "live slots");
        let rank_of = |y: u32| -> u32 {
            if y == NIL {
                self.len as u32
            } else {
                ranks[&y]
            }
        };
        for i in 0..self.height {
            let mut x = NIL;
            loop {
                let l = self.level(x, i);
                let from = if x == NIL { 0 } else { rank_of(x) };
                assert_eq!(l.span, rank_of(l.next) - from, "span at level {i}");
                if l.next == NIL {
                    break;
                }
                assert!(self.node_height(l.next) > i, "tower height");
                x = l.next;
            }
        }
        if self.height > 1 {
            assert_ne!(
                self.level(NIL, self.height - 1).next,
                NIL,
                "empty top level"
            );
        }
    }
}

/// Read access to the arena's members, for the member index.
pub struct NodesView<'a> {
    cells: &'a [u64],
    members: &'a [Box<[u8]>],
}

impl NodesView<'_> {
    /// The member of node `x`.
    #[inline]
    pub fn member(&self, x: u32) -> &[u8] {
        &self.members[high(self.cells[x as usize + 1]) as usize]
    }
}

/// Iterator over (member, score) along level 0, either way.
pub struct Iter<'a> {
    list: &'a SkipList,
    x: u32,
    rev: bool,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a [u8], f64);
    fn next(&mut self) -> Option<Self::Item> {
        if self.x == NIL {
            return None;
        }
        let (list, x) = (self.list, self.x);
        self.x = if self.rev {
            list.back(x)
        } else {
            list.level(x, 0).next
        };
        Some((list.member_of(x), list.score_of(x)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Model: the set of (score bits order-preserving, member).
    fn key(score: f64, m: &[u8]) -> (i64, Vec<u8>) {
        // Scores in the test are small integers, so this keeps their order.
        (score as i64, m.to_vec())
    }

    #[test]
    fn random_operations_keep_spans_and_ranks_right() {
        let mut sl = SkipList::new();
        let mut model: BTreeSet<(i64, Vec<u8>)> = BTreeSet::new();
        let mut scores = std::collections::HashMap::new();
        let mut seed = 12345u64;
        let mut rnd = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for step in 0..6000 {
            let m = format!("m{}", rnd(400)).into_bytes();
            let op = rnd(10);
            match op {
                0..=4 => {
                    let s = rnd(50) as f64;
                    match scores.get(&m).copied() {
                        Some(old) => {
                            sl.update_score(&m, s);
                            model.remove(&key(old, &m));
                        }
                        None => sl.insert(&m, s),
                    }
                    scores.insert(m.clone(), s);
                    model.insert(key(s, &m));
                }
                5..=6 => {
                    let got = sl.remove(&m);
                    let want = scores.remove(&m);
                    assert_eq!(got, want);
                    if let Some(s) = want {
                        model.remove(&key(s, &m));
                    }
                }
                7 => {
                    let start = rnd(sl.len() as u64 + 2) as usize;
                    let count = rnd(4) as usize;
                    let mut removed = Vec::new();
                    sl.remove_ranks(start, count, |m, s| removed.push(key(s, m)));
                    let want: Vec<_> = model.iter().skip(start).take(count).cloned().collect();
                    assert_eq!(removed, want);
                    for (s, m) in want {
                        model.remove(&(s, m.clone()));
                        scores.remove(&m);
                    }
                }
                _ => {
                    if let Some(&s) = scores.get(&m) {
                        let r = model.iter().position(|e| *e == key(s, &m)).unwrap();
                        assert_eq!(sl.rank(&m), Some((r, s)));
                        let (gm, gs) = sl.get(r).unwrap();
                        assert_eq!((gm, gs), (&m[..], s));
                    } else {
                        assert_eq!(sl.rank(&m), None);
                    }
                }
            }
            if step % 97 == 0 {
                sl.check();
                let all: Vec<_> = sl.iter_from(0).map(|(m, s)| key(s, m)).collect();
                let want: Vec<_> = model.iter().cloned().collect();
                assert_eq!(all, want);
                let back: Vec<_> = sl
                    .iter_rev_from(sl.len().wrapping_sub(1))
                    .map(|(m, s)| key(s, m))
                    .collect();
                let want_rev: Vec<_> = model.iter().rev().cloned().collect();
                assert_eq!(back, want_rev);
            }
        }
        sl.check();
        let n = sl.len();
        sl.remove_ranks(0, n, |_, _| {});
        assert!(sl.is_empty());
        sl.check();
    }

    #[test]
    fn count_before_finds_bounds() {
        let mut sl = SkipList::new();
        for i in 0..100 {
            sl.insert(format!("{i:03}").as_bytes(), (i / 10) as f64);
        }
        assert_eq!(sl.count_before(|s, _| s < 3.0), 30);
        assert_eq!(sl.count_before(|s, _| s <= 3.0), 40);
        assert_eq!(sl.count_before(|_, _| true), 100);
        assert_eq!(sl.count_before(|_, m| m < &b"050"[..]), 50);
        sl.check();
    }
}
