//! The "skiplist" encoding of a sorted set: a skiplist with spans, for rank
//! queries in O(log n), plus a member index ([`super::index::MemberIndex`]) for
//! O(1) score lookups.
//!
//! Layout (no `unsafe`, no pointers): every node lives in one `Vec<Node>` arena and
//! is named by its `u32` position. Slot 0 is the header, a node without a member
//! whose tower is [`MAX_LEVEL`] high; since nothing ever links *to* the header,
//! `0` doubles as "no node" in forward and backward links. Freed slots go on a
//! free list and are reused by later insertions.
//!
//! A node's tower: level 0 sits in the node itself (every node has it); the levels
//! above (a quarter of the nodes have any) sit in one flat arena of [`Level`]s,
//! each tower a run of cells: a cell recording its height, then levels 1 and
//! up. A step of a search reads the tower cell directly (no box to follow), and
//! a node costs 40 bytes plus its member's bytes. Freed towers go on a free list
//! per height and are reused by towers of the same height.
//!
//! Invariants (checked by [`SkipList::check`] in tests):
//! - level 0 links all nodes in order of (score, member bytes), and `back` links
//!   them in reverse (the first node's `back` is 0);
//! - every level `i < height` is a sub-chain of level `i - 1`;
//! - span: for a link from `x` to `y` at any level, `span = rank(y) - rank(x)`,
//!   where the header has rank 0, nodes have ranks `1..=len`, and "no node" has
//!   rank `len`. So summing spans along a search path gives a node's rank.
//! - the member index maps exactly the live nodes' members to their slots.
use super::index::MemberIndex;

/// Highest tower (enough for 2^64 elements at p = 1/4).
pub const MAX_LEVEL: usize = 32;
/// The header's slot, and "no node" in links.
const NIL: u32 = 0;
/// `up` of a node whose tower is one level high.
const NO_UP: u32 = u32::MAX;
/// `back` of a free slot.
const FREED: u32 = u32::MAX;

/// One link of a tower: the next node at this level and how many level-0 steps
/// away it is.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Level {
    pub next: u32,
    pub span: u32,
}

/// One element (or the header).
#[derive(Debug, Clone)]
struct Node {
    score: f64,
    back: u32,
    l0: Level,
    /// Index in `SkipList::uppers` of this node's level 1 (its height is in
    /// the cell before), or `NO_UP`.
    up: u32,
}

/// A sorted set in the skiplist encoding.
#[derive(Debug, Clone)]
pub struct SkipList {
    nodes: Vec<Node>,
    /// Each node's member (by slot), apart from the nodes so that a node is
    /// 24 bytes: a search reads members only to break ties of scores.
    members: Vec<Box<[u8]>>,
    free: Vec<u32>,
    /// Towers taller than one: per tower a cell whose `next` is its height,
    /// then its levels 1..height.
    uppers: Vec<Level>,
    /// Freed towers by height (index `h - 2` for height `h`), as `up` values.
    free_uppers: Vec<Vec<u32>>,
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

impl SkipList {
    pub fn new() -> SkipList {
        let mut header_up = vec![Level::default(); MAX_LEVEL];
        header_up[0].next = MAX_LEVEL as u32;
        SkipList {
            members: vec![Box::default()],
            nodes: vec![Node {
                score: 0.0,
                back: NIL,
                l0: Level::default(),
                up: 1,
            }],
            free: Vec::new(),
            uppers: header_up,
            free_uppers: vec![Vec::new(); MAX_LEVEL - 1],
            tail: NIL,
            len: 0,
            height: 1,
            index: MemberIndex::new(),
            rng: 0x9E37_79B9_7F4A_7C15 ^ (super::index::seed() | 1),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes of heap this set holds, roughly (for MEMORY-style estimates).
    pub fn heap_bytes(&self) -> usize {
        self.nodes.capacity() * std::mem::size_of::<Node>()
            + self.members.capacity() * std::mem::size_of::<Box<[u8]>>()
            + self.index.heap_bytes()
            + self.uppers.capacity() * std::mem::size_of::<Level>()
    }

    #[inline]
    fn level(&self, x: u32, i: usize) -> Level {
        let n = &self.nodes[x as usize];
        if i == 0 {
            n.l0
        } else {
            self.uppers[n.up as usize + i - 1]
        }
    }

    #[inline]
    fn level_mut(&mut self, x: u32, i: usize) -> &mut Level {
        let n = &mut self.nodes[x as usize];
        if i == 0 {
            &mut n.l0
        } else {
            &mut self.uppers[n.up as usize + i - 1]
        }
    }

    fn node_height(&self, x: u32) -> usize {
        let up = self.nodes[x as usize].up;
        if up == NO_UP {
            1
        } else {
            self.uppers[up as usize - 1].next as usize
        }
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
        Some(self.nodes[x as usize].score)
    }

    fn nodes_view(&self) -> NodesView<'_> {
        NodesView(&self.members)
    }

    /// Walks down from the header keeping to nodes for which `before` is true
    /// (a prefix of the order). Fills `update[i]` with the last such node at
    /// level `i` and `rank[i]` with its rank; returns the number of such nodes.
    fn descend(
        &self,
        update: &mut [u32; MAX_LEVEL],
        rank: &mut [u32; MAX_LEVEL],
        mut before: impl FnMut(f64, &[u8]) -> bool,
    ) -> usize {
        let mut x = NIL;
        let mut r: u32 = 0;
        for i in (0..self.height).rev() {
            loop {
                let l = self.level(x, i);
                if l.next == NIL {
                    break;
                }
                let score = self.nodes[l.next as usize].score;
                if !before(score, &self.members[l.next as usize]) {
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

    /// Number of elements for which `before` holds; `before` must be true for a
    /// prefix of the order and false after it. O(log n).
    pub fn count_before(&self, before: impl FnMut(f64, &[u8]) -> bool) -> usize {
        let mut update = [NIL; MAX_LEVEL];
        let mut rank = [0; MAX_LEVEL];
        self.descend(&mut update, &mut rank, before)
    }

    /// Inserts `member` (which must be absent) with `score`.
    pub fn insert(&mut self, member: &[u8], score: f64) {
        let h = self.random_height();
        let up = if h > 1 {
            match self.free_uppers[h - 2].pop() {
                Some(u) => {
                    let cells = &mut self.uppers[u as usize..u as usize + h - 1];
                    cells.fill(Level::default());
                    u
                }
                None => {
                    self.uppers.push(Level {
                        next: h as u32,
                        span: 0,
                    });
                    let u = self.uppers.len() as u32;
                    self.uppers
                        .resize(self.uppers.len() + h - 1, Level::default());
                    u
                }
            }
        } else {
            NO_UP
        };
        let node = Node {
            score,
            back: NIL,
            l0: Level::default(),
            up,
        };
        let x = match self.free.pop() {
            Some(x) => {
                self.nodes[x as usize] = node;
                self.members[x as usize] = member.into();
                x
            }
            None => {
                self.nodes.push(node);
                self.members.push(member.into());
                (self.nodes.len() - 1) as u32
            }
        };
        self.link(x);
        let hash = self.index.hash(member);
        self.index.insert(&NodesView(&self.members), x, hash);
    }

    /// Links node `x` (member, score and tower set; not linked) into its place.
    fn link(&mut self, x: u32) {
        let mut update = [NIL; MAX_LEVEL];
        let mut rank = [0; MAX_LEVEL];
        {
            let (score, member) = (self.nodes[x as usize].score, &self.members[x as usize]);
            self.descend(&mut update, &mut rank, |s, m| less(s, m, score, member));
        }
        let h = self.node_height(x);
        if h > self.height {
            for i in self.height..h {
                update[i] = NIL;
                rank[i] = 0;
                *self.level_mut(NIL, i) = Level {
                    next: NIL,
                    span: self.len as u32,
                };
            }
            self.height = h;
        }
        self.nodes[x as usize].back = update[0];
        for i in 0..h {
            let prev = self.level(update[i], i);
            let before_x = rank[0] - rank[i];
            *self.level_mut(x, i) = Level {
                next: prev.next,
                span: prev.span - before_x,
            };
            *self.level_mut(update[i], i) = Level {
                next: x,
                span: before_x + 1,
            };
        }
        // Links above x's tower now pass over one more node.
        for (i, &u) in update.iter().enumerate().take(self.height).skip(h) {
            self.level_mut(u, i).span += 1;
        }
        let next0 = self.level(x, 0).next;
        if next0 == NIL {
            self.tail = x;
        } else {
            self.nodes[next0 as usize].back = x;
        }
        self.len += 1;
    }

    /// Unlinks node `x` given its predecessors `update` (from a descent that
    /// stopped just before it). The node keeps its slot, member and tower.
    fn unlink(&mut self, x: u32, update: &[u32; MAX_LEVEL]) {
        for (i, &u) in update.iter().enumerate().take(self.height) {
            let ul = self.level(u, i);
            if ul.next == x {
                let xl = self.level(x, i);
                *self.level_mut(u, i) = Level {
                    next: xl.next,
                    span: ul.span + xl.span - 1,
                };
            } else {
                self.level_mut(u, i).span -= 1;
            }
        }
        let next0 = self.level(x, 0).next;
        let back = self.nodes[x as usize].back;
        if next0 == NIL {
            self.tail = back;
        } else {
            self.nodes[next0 as usize].back = back;
        }
        while self.height > 1 && self.level(NIL, self.height - 1).next == NIL {
            self.height -= 1;
        }
        self.len -= 1;
    }

    /// Frees the slot of an unlinked node; returns its member and score.
    fn free_node(&mut self, x: u32) -> (Box<[u8]>, f64) {
        let member = std::mem::take(&mut self.members[x as usize]);
        let node = &mut self.nodes[x as usize];
        let score = node.score;
        node.back = FREED;
        if node.up != NO_UP {
            let u = node.up;
            node.up = NO_UP;
            let h = self.uppers[u as usize - 1].next as usize;
            self.free_uppers[h - 2].push(u);
        }
        self.free.push(x);
        (member, score)
    }

    /// The predecessors of node `x` at every level.
    fn predecessors(&self, x: u32) -> [u32; MAX_LEVEL] {
        let mut update = [NIL; MAX_LEVEL];
        let mut rank = [0; MAX_LEVEL];
        let (score, member) = (self.nodes[x as usize].score, &self.members[x as usize]);
        self.descend(&mut update, &mut rank, |s, m| less(s, m, score, member));
        update
    }

    /// Removes `member`; answers its score.
    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let hash = self.index.hash(member);
        let x = self.index.remove(&NodesView(&self.members), member, hash)?;
        let update = self.predecessors(x);
        self.unlink(x, &update);
        Some(self.free_node(x).1)
    }

    /// Changes the score of `member` (present) to `new`. The node keeps its slot.
    pub fn update_score(&mut self, member: &[u8], new: f64) {
        let Some(x) = self.index.find(&NodesView(&self.members), member) else {
            return;
        };
        // Still in place when the neighbours stay on the right sides: just rewrite.
        let n = &self.nodes[x as usize];
        let back_ok = n.back == NIL || {
            let b = n.back as usize;
            less(self.nodes[b].score, &self.members[b], new, member)
        };
        let next = n.l0.next;
        let next_ok = next == NIL || {
            let f = next as usize;
            less(new, member, self.nodes[f].score, &self.members[f])
        };
        if !(back_ok && next_ok) {
            let update = self.predecessors(x);
            self.unlink(x, &update);
            self.nodes[x as usize].score = new;
            self.link(x);
        } else {
            self.nodes[x as usize].score = new;
        }
    }

    /// Live elements in arena slots `start..`, visiting slots until `count`
    /// elements are found; returns them and the slot to continue from (0: done).
    pub fn scan_slots(&self, start: usize, count: usize) -> (Vec<(&[u8], f64)>, usize) {
        let mut out = Vec::new();
        let mut i = start.max(1);
        while i < self.nodes.len() && out.len() < count {
            let n = &self.nodes[i];
            if n.back != FREED {
                out.push((&*self.members[i], n.score));
            }
            i += 1;
        }
        (out, if i >= self.nodes.len() { 0 } else { i })
    }

    /// 0-based rank of `member` in ascending order, with its score.
    pub fn rank(&self, member: &[u8]) -> Option<(usize, f64)> {
        let score = self.score(member)?;
        Some((self.count_before(|s, m| less(s, m, score, member)), score))
    }

    /// Slot of the node at 0-based rank `r` (`r < len`).
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
        let x = self.node_at(r) as usize;
        Some((&self.members[x], self.nodes[x].score))
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
            let member = &self.members[cur as usize];
            let hash = self.index.hash(member);
            self.index.remove(&NodesView(&self.members), member, hash);
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
            let n = &self.nodes[x as usize];
            assert_eq!(n.back, prev, "back link of rank {r}");
            if prev != NIL {
                let p = &self.nodes[prev as usize];
                assert!(
                    less(
                        p.score,
                        &self.members[prev as usize],
                        n.score,
                        &self.members[x as usize]
                    ),
                    "order at rank {r}"
                );
            }
            assert_eq!(
                self.index
                    .find(&NodesView(&self.members), &self.members[x as usize]),
                Some(x)
            );
            ranks.insert(x, r);
            prev = x;
            x = n.l0.next;
        }
        assert_eq!(r as usize, self.len, "length");
        assert_eq!(self.tail, prev, "tail");
        assert_eq!(self.index.len(), self.len, "index size");
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
pub struct NodesView<'a>(&'a [Box<[u8]>]);

impl NodesView<'_> {
    #[inline]
    pub fn member(&self, x: u32) -> &[u8] {
        &self.0[x as usize]
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
        let x = self.x as usize;
        let n = &self.list.nodes[x];
        self.x = if self.rev { n.back } else { n.l0.next };
        Some((&self.list.members[x], n.score))
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
