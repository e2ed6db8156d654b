//! The list value type: a sequence of byte strings, packed.
//!
//! Redis 7.0 keeps a list as a "quicklist": a doubly linked list of listpack
//! nodes of about 8 KB each (`list-max-listpack-size -2`), and OBJECT ENCODING
//! always says "quicklist". We keep the same shape for the same reasons (a few
//! bytes of overhead per element, O(1) push and pop at both ends):
//!
//! - a `VecDeque` of [`Node`]s, each one byte buffer holding its entries back to
//!   back, plus the entry count;
//! - an entry is `len | bytes | len`: the length before the bytes (to walk
//!   forwards) and after them (to walk backwards, for pops at the tail); a
//!   length below 255 takes one byte, a longer one 0xFF and four bytes;
//! - pushes add to the end node's buffer (at its front for LPUSH, one memmove of
//!   at most a node) or start a new node when it is full; a value larger than a
//!   node gets a node of its own.
//!
//! Node size follows `list-max-listpack-size` (its value when the list was
//! created, as in Redis): -1 to -5 cap a node at 4, 8, 16, 32 or 64 KB; a
//! positive value caps the entry count, with nodes still kept within 8 KB.
//!
//! Invariants: no node is empty; `len` is the sum of the nodes' counts. Edits in
//! the middle (LSET, LINSERT, LREM, LTRIM) rebuild only the nodes they touch.
use std::collections::VecDeque;

/// Bytes a node may hold before a push starts a new one (Redis's -2: 8 KB).
pub const NODE_BYTES: usize = 8192;

/// Redis 7.0's default `list-max-listpack-size`.
pub const DEFAULT_FILL: i32 = -2;

/// The node limits a `list-max-listpack-size` value stands for: (bytes, entries).
fn node_limits(fill: i32) -> (usize, usize) {
    match fill {
        f if f >= 0 => (NODE_BYTES, (f as usize).max(1)),
        -1 => (4096, usize::MAX),
        -2 => (NODE_BYTES, usize::MAX),
        -3 => (16384, usize::MAX),
        -4 => (32768, usize::MAX),
        _ => (65536, usize::MAX),
    }
}

/// One packed node.
#[derive(Debug, Clone, Default, PartialEq)]
struct Node {
    buf: Vec<u8>,
    count: usize,
}

/// Appends the encoded entry for `v` to `out`.
fn encode(out: &mut Vec<u8>, v: &[u8]) {
    let n = v.len();
    if n < 255 {
        out.push(n as u8);
        out.extend_from_slice(v);
        out.push(n as u8);
    } else {
        out.push(0xFF);
        out.extend_from_slice(&(n as u32).to_le_bytes());
        out.extend_from_slice(v);
        out.extend_from_slice(&(n as u32).to_le_bytes());
        out.push(0xFF);
    }
}

fn encoded_len(n: usize) -> usize {
    if n < 255 {
        n + 2
    } else {
        n + 10
    }
}

/// The entry starting at `pos`: (start of bytes, length, start of next entry).
fn entry_at(buf: &[u8], pos: usize) -> (usize, usize, usize) {
    let b = buf[pos];
    if b != 0xFF {
        let n = b as usize;
        (pos + 1, n, pos + 1 + n + 1)
    } else {
        let mut l = [0u8; 4];
        l.copy_from_slice(&buf[pos + 1..pos + 5]);
        let n = u32::from_le_bytes(l) as usize;
        (pos + 5, n, pos + 5 + n + 5)
    }
}

/// The entry ending at `end` (exclusive): (start of entry, start of bytes, length).
fn entry_before(buf: &[u8], end: usize) -> (usize, usize, usize) {
    let b = buf[end - 1];
    if b != 0xFF {
        let n = b as usize;
        let data = end - 1 - n;
        (data - 1, data, n)
    } else {
        let mut l = [0u8; 4];
        l.copy_from_slice(&buf[end - 5..end - 1]);
        let n = u32::from_le_bytes(l) as usize;
        let data = end - 5 - n;
        (data - 5, data, n)
    }
}

impl Node {
    fn from_entry(v: &[u8]) -> Node {
        let mut buf = Vec::with_capacity(encoded_len(v.len()));
        encode(&mut buf, v);
        Node { buf, count: 1 }
    }

    fn entries(&self) -> NodeIter<'_> {
        NodeIter {
            buf: &self.buf,
            pos: 0,
        }
    }

    fn has_room(&self, n: usize, fill: i32) -> bool {
        let (bytes, entries) = node_limits(fill);
        self.count < entries && self.buf.len() + encoded_len(n) <= bytes
    }
}

struct NodeIter<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for NodeIter<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        if self.pos >= self.buf.len() {
            return None;
        }
        let (start, n, next) = entry_at(self.buf, self.pos);
        self.pos = next;
        Some(&self.buf[start..start + n])
    }
}

/// Packs `items` into nodes within the limits of `fill` (a bigger item alone).
fn pack<'a>(items: impl IntoIterator<Item = &'a [u8]>, fill: i32) -> Vec<Node> {
    let mut nodes: Vec<Node> = Vec::new();
    for v in items {
        match nodes.last_mut() {
            Some(n) if n.has_room(v.len(), fill) => {
                encode(&mut n.buf, v);
                n.count += 1;
            }
            _ => {
                if let Some(n) = nodes.last_mut() {
                    n.buf.shrink_to_fit();
                }
                nodes.push(Node::from_entry(v));
            }
        }
    }
    nodes
}

/// A list value.
#[derive(Debug, Clone, PartialEq)]
pub struct List {
    nodes: VecDeque<Node>,
    len: usize,
    /// `list-max-listpack-size` when the list was created.
    fill: i32,
}

impl Default for List {
    fn default() -> List {
        List::with_fill(DEFAULT_FILL)
    }
}

impl List {
    pub fn new() -> List {
        List::default()
    }

    /// An empty list whose nodes follow `list-max-listpack-size` = `fill`.
    pub fn with_fill(fill: i32) -> List {
        List {
            nodes: VecDeque::new(),
            len: 0,
            fill,
        }
    }

    /// A list of `items`, in order.
    pub fn from_items<'a>(items: impl IntoIterator<Item = &'a [u8]>) -> List {
        List::from_items_with_fill(items, DEFAULT_FILL)
    }

    /// A list of `items`, in order, with nodes that follow `fill`.
    pub fn from_items_with_fill<'a>(items: impl IntoIterator<Item = &'a [u8]>, fill: i32) -> List {
        let nodes: VecDeque<Node> = pack(items, fill).into();
        let len = nodes.iter().map(|n| n.count).sum();
        List { nodes, len, fill }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The name OBJECT ENCODING reports (Redis 7.0: always "quicklist").
    pub fn encoding(&self) -> &'static str {
        "quicklist"
    }

    /// Approximate heap bytes (MEMORY USAGE-style estimates).
    pub fn mem_size(&self) -> usize {
        self.nodes.iter().map(|n| n.buf.capacity() + 32).sum()
    }

    pub fn push_back(&mut self, v: &[u8]) {
        let fill = self.fill;
        match self.nodes.back_mut() {
            Some(n) if n.has_room(v.len(), fill) => {
                encode(&mut n.buf, v);
                n.count += 1;
            }
            _ => {
                // the end node is full: give back its growth slack
                if let Some(n) = self.nodes.back_mut() {
                    n.buf.shrink_to_fit();
                }
                self.nodes.push_back(Node::from_entry(v));
            }
        }
        self.len += 1;
    }

    pub fn push_front(&mut self, v: &[u8]) {
        let fill = self.fill;
        match self.nodes.front_mut() {
            Some(n) if n.has_room(v.len(), fill) => {
                let mut e = Vec::with_capacity(encoded_len(v.len()));
                encode(&mut e, v);
                n.buf.splice(0..0, e);
                n.count += 1;
            }
            _ => {
                if let Some(n) = self.nodes.front_mut() {
                    n.buf.shrink_to_fit();
                }
                self.nodes.push_front(Node::from_entry(v));
            }
        }
        self.len += 1;
    }

    pub fn pop_front(&mut self) -> Option<Vec<u8>> {
        let n = self.nodes.front_mut()?;
        let (start, len, next) = entry_at(&n.buf, 0);
        let v = n.buf[start..start + len].to_vec();
        n.count -= 1;
        if n.count == 0 {
            self.nodes.pop_front();
        } else {
            n.buf.drain(..next);
        }
        self.len -= 1;
        Some(v)
    }

    pub fn pop_back(&mut self) -> Option<Vec<u8>> {
        let n = self.nodes.back_mut()?;
        let end = n.buf.len();
        let (entry, data, len) = entry_before(&n.buf, end);
        let v = n.buf[data..data + len].to_vec();
        n.count -= 1;
        if n.count == 0 {
            self.nodes.pop_back();
        } else {
            n.buf.truncate(entry);
        }
        self.len -= 1;
        Some(v)
    }

    /// All elements, head to tail.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &[u8]> + '_ {
        self.nodes
            .iter()
            .flat_map(|n| n.entries().collect::<Vec<_>>())
    }

    /// Elements `start..=end` (already clamped to the list), head to tail; skips
    /// whole nodes before `start`.
    pub fn range(&self, start: usize, end: usize) -> Vec<&[u8]> {
        let mut out = Vec::with_capacity(end + 1 - start);
        let mut skip = start;
        let mut left = end + 1 - start;
        for n in &self.nodes {
            if left == 0 {
                break;
            }
            if skip >= n.count {
                skip -= n.count;
                continue;
            }
            for v in n.entries().skip(skip) {
                if left == 0 {
                    break;
                }
                out.push(v);
                left -= 1;
            }
            skip = 0;
        }
        out
    }

    /// Index of the node holding element `i`, and `i` within it.
    fn locate(&self, i: usize) -> Option<(usize, usize)> {
        if i >= self.len {
            return None;
        }
        if i < self.len / 2 {
            let mut i = i;
            for (k, n) in self.nodes.iter().enumerate() {
                if i < n.count {
                    return Some((k, i));
                }
                i -= n.count;
            }
        } else {
            let mut from_end = self.len - 1 - i;
            for (k, n) in self.nodes.iter().enumerate().rev() {
                if from_end < n.count {
                    return Some((k, n.count - 1 - from_end));
                }
                from_end -= n.count;
            }
        }
        None
    }

    /// Element `i` (0-based from the head).
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        let (k, j) = self.locate(i)?;
        self.nodes[k].entries().nth(j)
    }

    /// Replaces node `k` by the nodes packing `items` (none when empty).
    fn rebuild_node(&mut self, k: usize, items: Vec<Vec<u8>>) {
        let old = self.nodes[k].count;
        let new_nodes = pack(items.iter().map(|v| v.as_slice()), self.fill);
        let added: usize = new_nodes.iter().map(|n| n.count).sum();
        self.nodes.remove(k);
        for (off, n) in new_nodes.into_iter().enumerate() {
            self.nodes.insert(k + off, n);
        }
        self.len = self.len + added - old;
    }

    fn node_items(&self, k: usize) -> Vec<Vec<u8>> {
        self.nodes[k].entries().map(|v| v.to_vec()).collect()
    }

    /// LSET: replaces element `i`; false when out of range.
    pub fn set(&mut self, i: usize, v: &[u8]) -> bool {
        let Some((k, j)) = self.locate(i) else {
            return false;
        };
        let mut items = self.node_items(k);
        items[j] = v.to_vec();
        self.rebuild_node(k, items);
        true
    }

    /// LINSERT: puts `v` before (or after) the first element equal to `pivot`;
    /// false when there is none.
    pub fn insert(&mut self, pivot: &[u8], after: bool, v: &[u8]) -> bool {
        for k in 0..self.nodes.len() {
            let Some(j) = self.nodes[k].entries().position(|e| e == pivot) else {
                continue;
            };
            let mut items = self.node_items(k);
            items.insert(if after { j + 1 } else { j }, v.to_vec());
            self.rebuild_node(k, items);
            return true;
        }
        false
    }

    /// LREM: removes up to `count` elements equal to `v` (count > 0: from the
    /// head, < 0: from the tail, 0: all); the number removed.
    pub fn remove(&mut self, v: &[u8], count: i64) -> usize {
        let limit = if count == 0 {
            usize::MAX
        } else {
            count.unsigned_abs() as usize
        };
        let mut removed = 0;
        let order: Vec<usize> = if count < 0 {
            (0..self.nodes.len()).rev().collect()
        } else {
            (0..self.nodes.len()).collect()
        };
        // nodes are rebuilt from the far end first, so indexes stay valid
        let mut edits: Vec<(usize, Vec<Vec<u8>>)> = Vec::new();
        for k in order {
            if removed == limit {
                break;
            }
            if !self.nodes[k].entries().any(|e| e == v) {
                continue;
            }
            let mut items = self.node_items(k);
            if count < 0 {
                let mut i = items.len();
                while i > 0 && removed < limit {
                    i -= 1;
                    if items[i] == v {
                        items.remove(i);
                        removed += 1;
                    }
                }
            } else {
                let mut i = 0;
                while i < items.len() && removed < limit {
                    if items[i] == v {
                        items.remove(i);
                        removed += 1;
                    } else {
                        i += 1;
                    }
                }
            }
            edits.push((k, items));
        }
        edits.sort_by_key(|e| std::cmp::Reverse(e.0));
        for (k, items) in edits {
            self.rebuild_node(k, items);
        }
        removed
    }

    /// LTRIM with a clamped, non-empty range: keeps elements `start..=end`.
    pub fn trim(&mut self, start: usize, end: usize) {
        let kept: Vec<Vec<u8>> = self
            .range(start, end)
            .into_iter()
            .map(|v| v.to_vec())
            .collect();
        *self = List::from_items_with_fill(kept.iter().map(|v| v.as_slice()), self.fill);
    }

    /// LPOS: positions of elements equal to `v`, scanning from the head
    /// (`rank` > 0) or the tail (`rank` < 0), skipping the first |rank|-1
    /// matches, at most `count` (0: all) of them, comparing at most `maxlen`
    /// elements (0: all).
    pub fn positions(&self, v: &[u8], rank: i64, count: usize, maxlen: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut skip = rank.unsigned_abs() as usize - 1;
        let limit = if maxlen == 0 { usize::MAX } else { maxlen };
        let n = self.len;
        let mut check = |i: usize, e: &[u8], out: &mut Vec<usize>| -> bool {
            if e == v {
                if skip > 0 {
                    skip -= 1;
                } else {
                    out.push(i);
                    if count != 0 && out.len() >= count {
                        return false;
                    }
                }
            }
            true
        };
        if rank > 0 {
            for (i, e) in self.iter().enumerate().take(limit) {
                if !check(i, e, &mut out) {
                    break;
                }
            }
        } else {
            for (i, e) in self.iter().rev().enumerate().take(limit) {
                if !check(n - 1 - i, e, &mut out) {
                    break;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `list-max-listpack-size`: a positive fill caps entries per node, a
    /// negative one bytes per node; pushes at both ends, LINSERT's rebuild and
    /// LTRIM all keep to the list's own fill.
    #[test]
    fn nodes_follow_the_fill() {
        let mut l = List::with_fill(5);
        for i in 0..12u8 {
            l.push_back(&[i]);
            l.push_front(&[i]);
        }
        assert_eq!(l.len(), 24);
        assert!(l.nodes.iter().all(|n| n.count <= 5), "{:?}", l.nodes);
        assert!(l.insert(&[3], true, b"x"));
        assert!(l.nodes.iter().all(|n| n.count <= 5));
        l.trim(1, 20);
        assert_eq!(l.len(), 20);
        assert!(l.nodes.iter().all(|n| n.count <= 5));
        assert_eq!(l.nodes.len(), 4);

        let v = [b'v'; 100];
        for (fill, bytes) in [(-1, 4096), (-2, 8192), (-5, 65536)] {
            let mut l = List::with_fill(fill);
            for _ in 0..2000 {
                l.push_back(&v);
            }
            let per_node = bytes / encoded_len(v.len());
            assert_eq!(l.nodes.len(), 2000usize.div_ceil(per_node), "fill {fill}");
        }
    }

    fn model_check(l: &List, m: &[Vec<u8>]) {
        assert_eq!(l.len(), m.len());
        let got: Vec<Vec<u8>> = l.iter().map(|v| v.to_vec()).collect();
        assert_eq!(got, m);
        assert!(l.nodes.iter().all(|n| n.count > 0));
        assert_eq!(l.nodes.iter().map(|n| n.count).sum::<usize>(), l.len());
    }

    #[test]
    fn random_operations_match_a_vec() {
        let mut l = List::new();
        let mut m: Vec<Vec<u8>> = Vec::new();
        let mut seed = 12345u64;
        let mut rnd = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for step in 0..20000 {
            let len = match rnd(10) {
                0 => 300 + rnd(600) as usize,
                _ => rnd(12) as usize,
            };
            let v: Vec<u8> = (0..len)
                .map(|i| (i as u8).wrapping_add(rnd(3) as u8))
                .collect();
            match rnd(9) {
                0 | 1 => {
                    l.push_back(&v);
                    m.push(v);
                }
                2 | 3 => {
                    l.push_front(&v);
                    m.insert(0, v);
                }
                4 => assert_eq!(
                    l.pop_front(),
                    if m.is_empty() {
                        None
                    } else {
                        Some(m.remove(0))
                    }
                ),
                5 => assert_eq!(l.pop_back(), m.pop()),
                6 if !m.is_empty() => {
                    let i = rnd(m.len() as u64) as usize;
                    assert!(l.set(i, &v));
                    m[i] = v;
                }
                7 if !m.is_empty() => {
                    let i = rnd(m.len() as u64) as usize;
                    let pivot = m[i].clone();
                    let j = m.iter().position(|e| *e == pivot).unwrap_or(0);
                    assert!(l.insert(&pivot, step % 2 == 0, &v));
                    m.insert(if step % 2 == 0 { j + 1 } else { j }, v);
                }
                8 if !m.is_empty() => {
                    let target = m[rnd(m.len() as u64) as usize].clone();
                    let count = rnd(5) as i64 - 2;
                    let removed = l.remove(&target, count);
                    let mut want = 0;
                    let limit = if count == 0 {
                        usize::MAX
                    } else {
                        count.unsigned_abs() as usize
                    };
                    if count < 0 {
                        let mut i = m.len();
                        while i > 0 && want < limit {
                            i -= 1;
                            if m[i] == target {
                                m.remove(i);
                                want += 1;
                            }
                        }
                    } else {
                        let mut i = 0;
                        while i < m.len() && want < limit {
                            if m[i] == target {
                                m.remove(i);
                                want += 1;
                            } else {
                                i += 1;
                            }
                        }
                    }
                    assert_eq!(removed, want);
                }
                _ => {}
            }
            if step % 500 == 0 {
                model_check(&l, &m);
            }
        }
        model_check(&l, &m);
        for (i, want) in m.iter().enumerate() {
            assert_eq!(l.get(i), Some(want.as_slice()));
        }
        if m.len() > 4 {
            let r: Vec<Vec<u8>> = l
                .range(1, m.len() - 2)
                .into_iter()
                .map(|v| v.to_vec())
                .collect();
            assert_eq!(r, m[1..m.len() - 1].to_vec());
            l.trim(2, m.len() - 3);
            model_check(&l, &m[2..m.len() - 2]);
        }
    }

    #[test]
    fn small_strings_are_packed() {
        let mut l = List::new();
        for i in 0..100_000u32 {
            l.push_back(i.to_string().as_bytes());
        }
        // about 7 bytes per element plus node overhead
        assert!(l.mem_size() < 1_000_000, "{}", l.mem_size());
        assert_eq!(l.get(54321), Some(b"54321".as_slice()));
    }

    #[test]
    fn lpos_ranks_and_counts() {
        let l = List::from_items([b"a".as_slice(), b"b", b"a", b"c", b"a"]);
        assert_eq!(l.positions(b"a", 1, 0, 0), vec![0, 2, 4]);
        assert_eq!(l.positions(b"a", 2, 1, 0), vec![2]);
        assert_eq!(l.positions(b"a", -1, 2, 0), vec![4, 2]);
        assert_eq!(l.positions(b"a", 1, 0, 2), vec![0]);
    }
}
