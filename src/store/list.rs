//! The list value type: a sequence of byte strings, packed.
//!
//! Redis 7.0 keeps a list as a "quicklist": a doubly linked list of nodes, each
//! a listpack of about 8 KB (`list-max-listpack-size -2`), or, for an element
//! of `packed_threshold` bytes or more (1 GB unless DEBUG
//! QUICKLIST-PACKED-THRESHOLD changes it), a "plain" node holding that one
//! element as it is. OBJECT ENCODING always says "quicklist". The nodes here
//! are the same: Redis's listpack bytes ([`Listpack`]) or a plain element, cut by
//! Redis's rule for when a node takes one more element (`node_takes`, Redis's
//! `_quicklistNodeAllowInsert`), so RDB and DUMP write them as they are.
//!
//! Two representations, one encoding:
//! - a list that fits one packed node is that node alone, in one shared block
//!   ([`Shared`]): a list of ten short strings costs its listpack plus the
//!   `Arc`'s counts, one allocation;
//! - past one node it is a [`Quicklist`]: a `VecDeque` of nodes behind an `Arc`.
//!   Pushes edit the end node in place (for LPUSH one memmove of at most a
//!   node), or start a new node when it is full.
//!
//! A quicklist that shrinks back to one small packed node (at most
//! [`BACK_TO_ONE`] bytes) becomes a single block again; the margin below a
//! node's limit keeps a list hovering at the boundary from flipping.
//!
//! Node limits come from `list-max-listpack-size` (`fill`): -1 to -5 cap a node
//! at 4, 8, 16, 32 or 64 KB; a positive value caps the entry count, with nodes
//! still kept within 8 KB. A quicklist keeps the fill it was made with (as
//! Redis keeps the one in force when the list was created); a one-node list is
//! told the fill in force by the command that grows it.
//!
//! Byte accounting: a quicklist keeps the sum of its nodes' allocations up to
//! date at every edit, so [`List::heap_bytes`] is O(1).
//!
//! Snapshots: both representations keep their data behind `Arc`s, and every
//! change copies shared data first, so a clone (a snapshot's) never sees later
//! writes.
//!
//! Invariants: no node is empty; `len` is the sum of the nodes' counts; a plain
//! node holds exactly one element; `heap` is the sum of the nodes' blocks.
use super::listpack::{self, Elem, Entry, Listpack, Shared};
use super::mem::{alloc_size, vec_bytes, ARC_HEADER};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Redis 7.0's default `list-max-listpack-size`.
pub const DEFAULT_FILL: i32 = -2;

/// Byte limits of a node for fills -1..=-5.
const NODE_LIMITS: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
/// A node never grows past this with a positive (count) fill.
const SIZE_SAFETY_LIMIT: usize = 8192;
/// Bytes assumed per element on top of its length when deciding.
const SIZE_ESTIMATE_OVERHEAD: usize = 8;
/// A quicklist down to one packed node of at most this many bytes becomes a
/// single block again.
pub const BACK_TO_ONE: usize = 2048;

/// Elements this large or larger go into plain nodes (Redis's
/// `packed_threshold`, 1 GB; DEBUG QUICKLIST-PACKED-THRESHOLD sets it).
static PACKED_THRESHOLD: AtomicUsize = AtomicUsize::new(1 << 30);

/// Sets the plain-node threshold (DEBUG QUICKLIST-PACKED-THRESHOLD); Redis
/// refuses 0 and anything above 4 GB. Answers whether it was taken.
pub fn set_packed_threshold(bytes: u64) -> bool {
    if bytes == 0 || bytes > (1 << 32) {
        return false;
    }
    PACKED_THRESHOLD.store(bytes as usize, Ordering::Relaxed);
    true
}

/// Whether an element of `len` bytes goes into a plain node.
fn is_large(len: usize) -> bool {
    len >= PACKED_THRESHOLD.load(Ordering::Relaxed)
}

/// Whether a packed node of `node_bytes` bytes and `count` entries takes one
/// more element of `len` bytes under `fill` (Redis's `_quicklistNodeAllowInsert`).
pub fn node_takes(node_bytes: usize, count: usize, fill: i32, len: usize) -> bool {
    if is_large(len) {
        return false;
    }
    let new_size = node_bytes + len + SIZE_ESTIMATE_OVERHEAD;
    if fill < 0 {
        let level = (-(fill as i64) - 1) as usize;
        if NODE_LIMITS
            .get(level)
            .is_some_and(|&limit| new_size <= limit)
        {
            return true;
        }
    }
    if new_size > SIZE_SAFETY_LIMIT {
        return false;
    }
    (count as i64) < fill as i64
}

/// One node of a quicklist.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Packed(Listpack),
    Plain(Box<[u8]>),
}

impl Node {
    fn of(v: &[u8]) -> Node {
        if is_large(v.len()) {
            Node::Plain(v.into())
        } else {
            Node::Packed(Listpack::from_items([v]))
        }
    }

    fn count(&self) -> usize {
        match self {
            Node::Packed(lp) => lp.len(),
            Node::Plain(_) => 1,
        }
    }

    /// Bytes of the node's block.
    fn heap(&self) -> usize {
        match self {
            Node::Packed(lp) => alloc_size(lp.capacity()),
            Node::Plain(b) => alloc_size(b.len()),
        }
    }

    fn takes(&self, len: usize, fill: i32) -> bool {
        match self {
            Node::Packed(lp) => node_takes(lp.bytes_len(), lp.len(), fill, len),
            Node::Plain(_) => false,
        }
    }

    fn elems(&self) -> NodeIter<'_> {
        match self {
            Node::Packed(lp) => NodeIter::Lp(lp.iter()),
            Node::Plain(b) => NodeIter::Plain(Some(b)),
        }
    }
}

/// The elements of one node, both ways.
enum NodeIter<'a> {
    Lp(listpack::Iter<'a>),
    Plain(Option<&'a [u8]>),
}

impl<'a> Iterator for NodeIter<'a> {
    type Item = Elem<'a>;
    #[inline]
    fn next(&mut self) -> Option<Elem<'a>> {
        match self {
            NodeIter::Lp(it) => it.next().map(Elem::from),
            NodeIter::Plain(b) => b.take().map(Elem::Str),
        }
    }
}

impl DoubleEndedIterator for NodeIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        match self {
            NodeIter::Lp(it) => it.next_back().map(Elem::from),
            NodeIter::Plain(b) => b.take().map(Elem::Str),
        }
    }
}

/// A node as RDB and DUMP write it.
pub enum NodeBytes<'a> {
    /// A listpack's bytes.
    Packed(&'a [u8]),
    /// A plain node's one element.
    Plain(&'a [u8]),
}

impl NodeBytes<'_> {
    /// The node's size in bytes.
    pub fn len(&self) -> usize {
        match self {
            NodeBytes::Packed(b) | NodeBytes::Plain(b) => b.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Packs `items` into nodes within the limits of `fill`, as pushing them at
/// the tail would.
fn pack<'a>(items: impl IntoIterator<Item = &'a [u8]>, fill: i32) -> VecDeque<Node> {
    let mut nodes: VecDeque<Node> = VecDeque::new();
    for v in items {
        match nodes.back_mut() {
            Some(Node::Packed(lp)) if node_takes(lp.bytes_len(), lp.len(), fill, v.len()) => {
                lp.push_back(v)
            }
            _ => {
                if let Some(Node::Packed(lp)) = nodes.back_mut() {
                    lp.shrink_to_fit();
                }
                nodes.push_back(Node::of(v));
            }
        }
    }
    nodes
}

/// A list of more than one node.
#[derive(Debug, Clone, PartialEq)]
pub struct Quicklist {
    nodes: VecDeque<Node>,
    len: usize,
    /// `list-max-listpack-size` when the quicklist was made.
    fill: i32,
    /// Sum of the nodes' blocks.
    heap: usize,
}

impl Quicklist {
    fn from_nodes(nodes: VecDeque<Node>, fill: i32) -> Quicklist {
        let len = nodes.iter().map(Node::count).sum();
        let heap = nodes.iter().map(Node::heap).sum();
        Quicklist {
            nodes,
            len,
            fill,
            heap,
        }
    }

    /// Runs `f` on node `k` and keeps `len` and `heap` right; removes the node
    /// if `f` emptied it.
    fn edit<R>(&mut self, k: usize, f: impl FnOnce(&mut Node) -> R) -> R {
        let Some(n) = self.nodes.get_mut(k) else {
            return f(&mut Node::Plain(Box::default()));
        };
        let (count, heap) = (n.count(), n.heap());
        let r = f(n);
        let (count2, heap2) = (n.count(), n.heap());
        self.len = self.len + count2 - count;
        self.heap = self.heap + heap2 - heap;
        if count2 == 0 {
            self.heap -= heap2;
            self.nodes.remove(k);
        }
        r
    }

    fn push(&mut self, v: &[u8], front: bool) {
        let fill = self.fill;
        let end = if front {
            0
        } else {
            self.nodes.len().wrapping_sub(1)
        };
        if self.nodes.get(end).is_some_and(|n| n.takes(v.len(), fill)) {
            self.edit(end, |n| {
                if let Node::Packed(lp) = n {
                    if front {
                        lp.push_front(v)
                    } else {
                        lp.push_back(v)
                    }
                }
            });
            return;
        }
        // the end node is full: give back its growth slack
        if self.nodes.get(end).is_some() {
            self.edit(end, |n| {
                if let Node::Packed(lp) = n {
                    lp.shrink_to_fit();
                }
            });
        }
        let node = Node::of(v);
        self.len += 1;
        self.heap += node.heap();
        if front {
            self.nodes.push_front(node);
        } else {
            self.nodes.push_back(node);
        }
    }

    fn pop(&mut self, front: bool) -> Option<Vec<u8>> {
        let k = if front {
            0
        } else {
            self.nodes.len().checked_sub(1)?
        };
        self.edit(k, |n| match n {
            Node::Packed(lp) => {
                let pos = if front { lp.first()? } else { lp.last()? };
                let v = lp.entry(pos)?.to_vec();
                lp.delete(pos);
                Some(v)
            }
            // A plain node always counts one: leave an empty packed node in its
            // place, which `edit` removes.
            Node::Plain(_) => match std::mem::replace(n, Node::Packed(Listpack::new())) {
                Node::Plain(b) => Some(b.into_vec()),
                Node::Packed(_) => None,
            },
        })
    }

    /// Index of the node holding element `i`, and `i` within it.
    fn locate(&self, i: usize) -> Option<(usize, usize)> {
        if i >= self.len {
            return None;
        }
        if i < self.len / 2 {
            let mut i = i;
            for (k, n) in self.nodes.iter().enumerate() {
                if i < n.count() {
                    return Some((k, i));
                }
                i -= n.count();
            }
        } else {
            let mut from_end = self.len - 1 - i;
            for (k, n) in self.nodes.iter().enumerate().rev() {
                if from_end < n.count() {
                    return Some((k, n.count() - 1 - from_end));
                }
                from_end -= n.count();
            }
        }
        None
    }

    /// Replaces node `k` by the nodes packing `items` (none when empty).
    fn rebuild_node(&mut self, k: usize, items: Vec<Vec<u8>>) {
        let Some(old) = self.nodes.remove(k) else {
            return;
        };
        self.len -= old.count();
        self.heap -= old.heap();
        let new_nodes = pack(items.iter().map(|v| v.as_slice()), self.fill);
        for (off, n) in new_nodes.into_iter().enumerate() {
            self.len += n.count();
            self.heap += n.heap();
            self.nodes.insert(k + off, n);
        }
    }

    fn node_items(&self, k: usize) -> Vec<Vec<u8>> {
        self.nodes
            .get(k)
            .map(|n| n.elems().map(|e| e.to_vec()).collect())
            .unwrap_or_default()
    }

    fn set(&mut self, i: usize, v: &[u8]) -> bool {
        let Some((k, j)) = self.locate(i) else {
            return false;
        };
        // As Redis: a packed node takes the new element in place whatever its
        // size (unless it is large), a plain one takes a large one.
        let in_place = match &self.nodes[k] {
            Node::Packed(_) => !is_large(v.len()),
            Node::Plain(_) => is_large(v.len()),
        };
        if in_place {
            return self.edit(k, |n| match n {
                Node::Packed(lp) => lp
                    .seek(j as i64)
                    .is_some_and(|pos| lp.replace_entry(pos, Entry::Str(v))),
                Node::Plain(b) => {
                    *b = v.into();
                    true
                }
            });
        }
        let mut items = self.node_items(k);
        if let Some(slot) = items.get_mut(j) {
            *slot = v.to_vec();
        }
        self.rebuild_node(k, items);
        true
    }

    fn insert(&mut self, pivot: &[u8], after: bool, v: &[u8]) -> bool {
        for k in 0..self.nodes.len() {
            let Some(j) = self.nodes[k].elems().position(|e| *e == *pivot) else {
                continue;
            };
            let mut items = self.node_items(k);
            items.insert(if after { j + 1 } else { j }, v.to_vec());
            self.rebuild_node(k, items);
            return true;
        }
        false
    }

    fn remove(&mut self, v: &[u8], count: i64) -> usize {
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
            if !self.nodes[k].elems().any(|e| *e == *v) {
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

    /// Keeps elements `start..=end` (clamped, non-empty): drops whole nodes
    /// outside the range and cuts the two end nodes.
    fn trim(&mut self, start: usize, end: usize) {
        let end = end.min(self.len.saturating_sub(1));
        // from the tail first, so that `start` stays meaningful
        let drop_tail = self.len - 1 - end;
        self.drop_from(false, drop_tail);
        self.drop_from(true, start);
    }

    /// Removes `n` elements at the front (or back).
    fn drop_from(&mut self, front: bool, mut n: usize) {
        while n > 0 {
            let k = if front {
                0
            } else {
                match self.nodes.len().checked_sub(1) {
                    Some(k) => k,
                    None => return,
                }
            };
            let Some(c) = self.nodes.get(k).map(Node::count) else {
                return;
            };
            if c <= n {
                self.edit(k, |node| *node = Node::Packed(Listpack::new()));
                n -= c;
                continue;
            }
            self.edit(k, |node| {
                if let Node::Packed(lp) = node {
                    if front {
                        lp.delete_range(0, n);
                    } else {
                        lp.delete_range(-(n as i64), n);
                    }
                }
            });
            n = 0;
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Repr {
    /// At most one packed node.
    One(Shared),
    Quick(Arc<Quicklist>),
}

/// A list value (two words: the representation keeps its data behind `Arc`s).
#[derive(Debug, Clone, PartialEq)]
pub struct List {
    repr: Repr,
}

impl Default for List {
    fn default() -> List {
        List {
            repr: Repr::One(Shared::new()),
        }
    }
}

impl List {
    pub fn new() -> List {
        List::default()
    }

    /// A list of `items`, in order, with nodes that follow the default fill.
    pub fn from_items<'a>(items: impl IntoIterator<Item = &'a [u8]>) -> List {
        List::from_items_with_fill(items, DEFAULT_FILL)
    }

    /// A list of `items`, in order, with nodes that follow `fill`.
    pub fn from_items_with_fill<'a>(items: impl IntoIterator<Item = &'a [u8]>, fill: i32) -> List {
        List::from_quick(Quicklist::from_nodes(pack(items, fill), fill), usize::MAX)
    }

    /// The representation a quicklist calls for: one block when it is at most
    /// one packed node of at most `one_max` bytes.
    fn from_quick(q: Quicklist, one_max: usize) -> List {
        let one = match q.nodes.len() {
            0 => Some(Shared::new()),
            1 => match q.nodes.front() {
                Some(Node::Packed(lp)) if lp.bytes_len() <= one_max => {
                    Some(Shared::from_listpack(lp))
                }
                _ => None,
            },
            _ => None,
        };
        List {
            repr: match one {
                Some(s) => Repr::One(s),
                None => Repr::Quick(Arc::new(q)),
            },
        }
    }

    /// Runs `f` on the list as a quicklist (a one-block list is turned into
    /// one, `fill` being the fill in force), then settles the representation.
    fn with_quick<R>(&mut self, fill: i32, f: impl FnOnce(&mut Quicklist) -> R) -> R {
        match &mut self.repr {
            Repr::Quick(q) => {
                let q = Arc::make_mut(q);
                let r = f(q);
                if q.nodes.len() <= 1 {
                    let q = std::mem::replace(q, Quicklist::from_nodes(VecDeque::new(), fill));
                    *self = List::from_quick(q, BACK_TO_ONE);
                }
                r
            }
            Repr::One(s) => {
                let mut nodes = VecDeque::new();
                if !s.is_empty() {
                    nodes.push_back(Node::Packed(s.to_listpack()));
                }
                let mut q = Quicklist::from_nodes(nodes, fill);
                let r = f(&mut q);
                *self = List::from_quick(q, usize::MAX);
                r
            }
        }
    }

    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::One(s) => s.len(),
            Repr::Quick(q) => q.len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The name OBJECT ENCODING reports (Redis 7.0: always "quicklist").
    pub fn encoding(&self) -> &'static str {
        "quicklist"
    }

    /// Heap bytes the value owns (MEMORY USAGE, `used_memory`); O(1).
    pub fn heap_bytes(&self) -> usize {
        match &self.repr {
            Repr::One(s) => alloc_size(s.heap_bytes()),
            Repr::Quick(q) => {
                alloc_size(ARC_HEADER + std::mem::size_of::<Quicklist>())
                    + vec_bytes::<Node>(q.nodes.capacity())
                    + q.heap
            }
        }
    }

    /// The nodes, as RDB and DUMP write them.
    pub fn nodes(&self) -> Vec<NodeBytes<'_>> {
        match &self.repr {
            Repr::One(s) if s.is_empty() => Vec::new(),
            Repr::One(s) => vec![NodeBytes::Packed(s.as_bytes())],
            Repr::Quick(q) => q
                .nodes
                .iter()
                .map(|n| match n {
                    Node::Packed(lp) => NodeBytes::Packed(lp.as_bytes()),
                    Node::Plain(b) => NodeBytes::Plain(b),
                })
                .collect(),
        }
    }

    /// Pushes `v` at the tail; `fill` is `list-max-listpack-size` in force.
    pub fn push_back(&mut self, v: &[u8], fill: i32) {
        self.push(v, false, fill)
    }

    /// Pushes `v` at the head; `fill` is `list-max-listpack-size` in force.
    pub fn push_front(&mut self, v: &[u8], fill: i32) {
        self.push(v, true, fill)
    }

    fn push(&mut self, v: &[u8], front: bool, fill: i32) {
        match &mut self.repr {
            Repr::One(s)
                if s.is_empty() || node_takes(s.as_bytes().len(), s.len(), fill, v.len()) =>
            {
                if s.is_empty() && is_large(v.len()) {
                    self.with_quick(fill, |q| q.push(v, front));
                } else if front {
                    s.push_front(&[Entry::Str(v)]);
                } else {
                    s.push_back(&[Entry::Str(v)]);
                }
            }
            Repr::One(_) => self.with_quick(fill, |q| q.push(v, front)),
            Repr::Quick(q) => Arc::make_mut(q).push(v, front),
        }
    }

    pub fn pop_front(&mut self) -> Option<Vec<u8>> {
        self.pop(true)
    }

    pub fn pop_back(&mut self) -> Option<Vec<u8>> {
        self.pop(false)
    }

    fn pop(&mut self, front: bool) -> Option<Vec<u8>> {
        match &mut self.repr {
            Repr::One(s) => {
                let v = s.view();
                let pos = if front { v.first()? } else { v.last()? };
                let out = v.entry(pos)?.to_vec();
                s.delete(pos, 1);
                Some(out)
            }
            Repr::Quick(q) => {
                let fill = q.fill;
                let back_to_one = q.nodes.len() == 2;
                let out = Arc::make_mut(q).pop(front);
                if back_to_one {
                    self.with_quick(fill, |_| {});
                }
                out
            }
        }
    }

    /// All elements, head to tail (and back, with `.rev()`).
    pub fn iter(&self) -> Iter<'_> {
        match &self.repr {
            Repr::One(s) => Iter {
                nodes: NO_NODES.iter(),
                front: Some(NodeIter::Lp(s.view().iter())),
                back: None,
            },
            Repr::Quick(q) => Iter {
                nodes: q.nodes.iter(),
                front: None,
                back: None,
            },
        }
    }

    /// Elements `start..=end` (already clamped to the list), head to tail; skips
    /// whole nodes before `start`.
    pub fn range(&self, start: usize, end: usize) -> Vec<Elem<'_>> {
        let want = end.saturating_add(1).saturating_sub(start);
        let mut out = Vec::with_capacity(want.min(self.len()));
        match &self.repr {
            Repr::One(s) => out.extend(s.view().iter().skip(start).take(want).map(Elem::from)),
            Repr::Quick(q) => {
                let mut skip = start;
                for n in &q.nodes {
                    if out.len() == want {
                        break;
                    }
                    if skip >= n.count() {
                        skip -= n.count();
                        continue;
                    }
                    let left = want - out.len();
                    out.extend(n.elems().skip(skip).take(left));
                    skip = 0;
                }
            }
        }
        out
    }

    /// Element `i` (0-based from the head).
    pub fn get(&self, i: usize) -> Option<Elem<'_>> {
        match &self.repr {
            Repr::One(s) => s.view().get(i64::try_from(i).ok()?).map(Elem::from),
            Repr::Quick(q) => {
                let (k, j) = q.locate(i)?;
                q.nodes.get(k)?.elems().nth(j)
            }
        }
    }

    /// LSET: replaces element `i`; false when out of range.
    pub fn set(&mut self, i: usize, v: &[u8], fill: i32) -> bool {
        if i >= self.len() {
            return false;
        }
        self.with_quick(fill, |q| q.set(i, v))
    }

    /// LINSERT: puts `v` before (or after) the first element equal to `pivot`;
    /// false when there is none.
    pub fn insert(&mut self, pivot: &[u8], after: bool, v: &[u8], fill: i32) -> bool {
        self.with_quick(fill, |q| q.insert(pivot, after, v))
    }

    /// LREM: removes up to `count` elements equal to `v` (count > 0: from the
    /// head, < 0: from the tail, 0: all); the number removed.
    pub fn remove(&mut self, v: &[u8], count: i64) -> usize {
        if !self.iter().any(|e| *e == *v) {
            return 0;
        }
        self.with_quick(DEFAULT_FILL, |q| q.remove(v, count))
    }

    /// LTRIM with a clamped, non-empty range: keeps elements `start..=end`.
    pub fn trim(&mut self, start: usize, end: usize) {
        self.with_quick(DEFAULT_FILL, |q| q.trim(start, end))
    }

    /// LPOS: positions of elements equal to `v`, scanning from the head
    /// (`rank` > 0) or the tail (`rank` < 0), skipping the first |rank|-1
    /// matches, at most `count` (0: all) of them, comparing at most `maxlen`
    /// elements (0: all).
    pub fn positions(&self, v: &[u8], rank: i64, count: usize, maxlen: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut skip = (rank.unsigned_abs() as usize).saturating_sub(1);
        let limit = if maxlen == 0 { usize::MAX } else { maxlen };
        let n = self.len();
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
                if !check(i, &e, &mut out) {
                    break;
                }
            }
        } else {
            for (i, e) in self.iter().rev().enumerate().take(limit) {
                if !check(n - 1 - i, &e, &mut out) {
                    break;
                }
            }
        }
        out
    }
}

/// No nodes (the node walk of a one-block list).
static NO_NODES: VecDeque<Node> = VecDeque::new();

/// Iterator over a list's elements, both ways: the elements of the node at
/// each end being read, and the nodes between.
pub struct Iter<'a> {
    nodes: std::collections::vec_deque::Iter<'a, Node>,
    front: Option<NodeIter<'a>>,
    back: Option<NodeIter<'a>>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = Elem<'a>;
    fn next(&mut self) -> Option<Elem<'a>> {
        loop {
            if let Some(it) = &mut self.front {
                if let Some(e) = it.next() {
                    return Some(e);
                }
            }
            match self.nodes.next() {
                Some(n) => self.front = Some(n.elems()),
                None => return self.back.as_mut()?.next(),
            }
        }
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(it) = &mut self.back {
                if let Some(e) = it.next_back() {
                    return Some(e);
                }
            }
            match self.nodes.next_back() {
                Some(n) => self.back = Some(n.elems()),
                None => return self.front.as_mut()?.next_back(),
            }
        }
    }
}
