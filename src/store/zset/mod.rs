//! The sorted-set value type: members (binary strings) ordered by a score (`f64`,
//! never NaN), then by member bytes (memcmp order).
//!
//! Two encodings, as Redis 7.0 reports them in `OBJECT ENCODING`:
//! - "listpack": while the set has at most `zset-max-listpack-entries` members,
//!   each at most `zset-max-listpack-value` bytes: one Redis listpack of
//!   (member, score) pairs in order, in one shared block (see `packed.rs`);
//!   lookups walk it, as Redis's do. Redis stores scores there as integers or
//!   text, which turns `-0` into `0`; so does this one.
//! - "skiplist": past either limit the set converts once (and never back, except
//!   that the *STORE commands build their result in whichever encoding its size
//!   calls for): see `skiplist.rs` (ordered, with ranks) and `index.rs` (member ->
//!   node).
//!
//! | file | job |
//! | --- | --- |
//! | `packed.rs` | the listpack encoding: find, insert, walks in both directions |
//! | `skiplist.rs` | the skiplist with spans, in an arena of `u32`-linked nodes |
//! | `index.rs` | member -> node hash index that borrows the nodes' member bytes |
//! | `range.rs` | score and lex range specs, score parsing |
//!
//! Every query is phrased in ranks (0-based positions in ascending order):
//! a score or lex range is the rank interval `[count_before(start), count_before(end))`,
//! so ZCOUNT, ZRANGEBYSCORE, ZREMRANGEBYLEX ... are rank arithmetic plus a walk.
//!
//! Snapshots: both encodings keep their data behind `Arc`s, and every change
//! copies shared data first, so a clone (a snapshot's) never sees later writes.
pub mod index;
pub mod packed;
pub mod range;
pub mod skiplist;

use crate::store::listpack::{Elem, Listpack, Shared, MAX_SAFE_BYTES};
use crate::store::mem::{alloc_size, ARC_HEADER};
pub use range::{LexRange, ScoreRange};
use skiplist::SkipList;
use std::sync::Arc;

/// The listpack thresholds in force (`zset-max-listpack-entries` / `-value`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub entries: usize,
    pub value: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            entries: 128,
            value: 64,
        }
    }
}

/// Where an element is (see [`ZSet::find`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found(u64);

#[derive(Debug, Clone)]
enum Repr {
    Listpack(Shared),
    Skiplist(Arc<SkipList>),
}

/// A sorted set (two words: the representation keeps its data behind `Arc`s).
#[derive(Debug, Clone)]
pub struct ZSet {
    repr: Repr,
}

impl Default for ZSet {
    fn default() -> Self {
        ZSet {
            repr: Repr::Listpack(Shared::new()),
        }
    }
}

impl PartialEq for ZSet {
    fn eq(&self, other: &ZSet) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

/// Listpack scores go through text in Redis, where `-0` becomes `0`.
#[inline]
fn lp_score(s: f64) -> f64 {
    if s == 0.0 {
        0.0
    } else {
        s
    }
}

impl ZSet {
    /// An empty set in the listpack encoding.
    pub fn new() -> ZSet {
        ZSet::default()
    }

    /// An empty set in the skiplist encoding.
    pub fn new_skiplist() -> ZSet {
        ZSet {
            repr: Repr::Skiplist(Arc::default()),
        }
    }

    /// A set holding `pairs` (distinct members), in the encoding its size calls for.
    pub fn from_pairs(pairs: Vec<(Vec<u8>, f64)>, limits: Limits) -> ZSet {
        let small =
            pairs.len() <= limits.entries && pairs.iter().all(|(m, _)| m.len() <= limits.value);
        if small {
            let mut v: Vec<(Vec<u8>, f64)> =
                pairs.into_iter().map(|(m, s)| (m, lp_score(s))).collect();
            // total_cmp orders -0 before 0; listpack scores are never -0.
            v.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
            let mut lp = Listpack::new();
            let mut text = Vec::new();
            for (m, s) in &v {
                lp.push_back(m);
                lp.push_back_entry(packed::score_entry(*s, &mut text));
            }
            ZSet {
                repr: Repr::Listpack(Shared::from_listpack(&lp)),
            }
        } else {
            let mut sl = SkipList::new();
            for (m, s) in pairs {
                sl.insert(&m, s);
            }
            ZSet {
                repr: Repr::Skiplist(Arc::new(sl)),
            }
        }
    }

    /// The size and fill of the member index when the set is a skiplist
    /// (DEBUG HTSTATS-KEY); `None` for a listpack.
    pub fn table_stats(&self) -> Option<crate::store::htstats::TableStats> {
        match &self.repr {
            Repr::Listpack(_) => None,
            Repr::Skiplist(s) => {
                let (size, len) = s.index_stats();
                Some(crate::store::htstats::TableStats::open(size, len))
            }
        }
    }

    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Listpack(lp) => lp.len() / 2,
            Repr::Skiplist(s) => s.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The name OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        match &self.repr {
            Repr::Listpack(_) => "listpack",
            Repr::Skiplist(_) => "skiplist",
        }
    }

    /// The listpack bytes, in the "listpack" encoding (RDB and DUMP write them
    /// as they are).
    pub fn listpack_bytes(&self) -> Option<&[u8]> {
        match &self.repr {
            Repr::Listpack(lp) => Some(lp.as_bytes()),
            Repr::Skiplist(_) => None,
        }
    }

    /// The skiplist, in the "skiplist" encoding (ZSCAN walks its slots).
    pub fn as_skiplist(&self) -> Option<&SkipList> {
        match &self.repr {
            Repr::Listpack(_) => None,
            Repr::Skiplist(s) => Some(s),
        }
    }

    /// Heap bytes the value owns (MEMORY USAGE, `used_memory`).
    pub fn heap_bytes(&self) -> usize {
        match &self.repr {
            Repr::Listpack(lp) => alloc_size(lp.heap_bytes()),
            Repr::Skiplist(s) => {
                alloc_size(ARC_HEADER + std::mem::size_of::<SkipList>()) + s.heap_bytes()
            }
        }
    }

    /// The score of `member`.
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        match &self.repr {
            Repr::Listpack(lp) => packed::find(lp.view(), member).map(|(_, s)| s),
            Repr::Skiplist(s) => s.score(member),
        }
    }

    /// Converts a listpack set to a skiplist (SORT does this to the set it
    /// sorts, as Redis's does).
    pub fn convert(&mut self) {
        if let Repr::Listpack(_) = &self.repr {
            let mut sl = SkipList::new();
            for (m, s) in self.iter() {
                sl.insert(&m, s);
            }
            self.repr = Repr::Skiplist(Arc::new(sl));
        }
    }

    /// Inserts `member`, which must be absent, converting to the skiplist first
    /// when the listpack limits would be broken.
    pub fn insert(&mut self, member: &[u8], score: f64, limits: Limits) {
        if let Repr::Listpack(lp) = &self.repr {
            if lp.len() / 2 + 1 > limits.entries
                || member.len() > limits.value
                || lp.as_bytes().len().saturating_add(member.len() + 32) > MAX_SAFE_BYTES
            {
                self.convert();
            }
        }
        match &mut self.repr {
            Repr::Listpack(lp) => packed::insert(lp, member, lp_score(score)),
            Repr::Skiplist(s) => Arc::make_mut(s).insert(member, score),
        }
    }

    /// Where `member` is, with its score: a handle for [`ZSet::update_found`],
    /// valid until the set next changes. Saves the second lookup of a
    /// read-then-update (ZADD, ZINCRBY).
    pub fn find(&self, member: &[u8]) -> Option<(Found, f64)> {
        match &self.repr {
            Repr::Listpack(lp) => {
                packed::find(lp.view(), member).map(|(at, s)| (Found(at as u64), s))
            }
            Repr::Skiplist(s) => s.find(member).map(|(x, sc)| (Found(x as u64), sc)),
        }
    }

    /// Changes the score of the element `at` (from [`ZSet::find`] for
    /// `member`, with no change since) to `new`.
    pub fn update_found(&mut self, at: Found, member: &[u8], new: f64) {
        match &mut self.repr {
            Repr::Listpack(lp) => {
                // Redis deletes the pair and inserts it again at its new place
                packed::delete_at(lp, at.0 as usize);
                packed::insert(lp, member, lp_score(new));
            }
            Repr::Skiplist(s) => Arc::make_mut(s).update_node(at.0 as u32, new),
        }
    }

    /// Changes the score of `member` (present) to `new`.
    pub fn update(&mut self, member: &[u8], new: f64) {
        if let Some((at, _)) = self.find(member) {
            self.update_found(at, member, new);
        }
    }

    /// Sets the score of `member`, adding it if absent; answers the old score.
    pub fn set(&mut self, member: &[u8], score: f64, limits: Limits) -> Option<f64> {
        if let Repr::Skiplist(s) = &mut self.repr {
            return Arc::make_mut(s).set(member, score);
        }
        match self.find(member) {
            Some((at, old)) => {
                if old != score {
                    self.update_found(at, member, score);
                }
                Some(old)
            }
            None => {
                self.insert(member, score, limits);
                None
            }
        }
    }

    /// Removes `member`; answers its score.
    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        match &mut self.repr {
            Repr::Listpack(lp) => {
                let (at, s) = packed::find(lp.view(), member)?;
                packed::delete_at(lp, at);
                Some(s)
            }
            Repr::Skiplist(s) => {
                s.score(member)?;
                Arc::make_mut(s).remove(member)
            }
        }
    }

    /// 0-based ascending rank of `member`, with its score.
    pub fn rank(&self, member: &[u8]) -> Option<(usize, f64)> {
        match &self.repr {
            Repr::Listpack(lp) => packed::rank(lp.view(), member),
            Repr::Skiplist(s) => s.rank(member),
        }
    }

    /// The element at 0-based rank `r`.
    pub fn get(&self, r: usize) -> Option<(Elem<'_>, f64)> {
        match &self.repr {
            Repr::Listpack(_) => self.iter_from(r).next(),
            Repr::Skiplist(s) => s.get(r).map(|(m, sc)| (Elem::Str(m), sc)),
        }
    }

    /// Number of leading elements (in ascending order) for which `before` holds;
    /// `before` must hold for a prefix of the order.
    pub fn count_before(&self, before: impl FnMut(f64, &[u8]) -> bool) -> usize {
        match &self.repr {
            Repr::Listpack(lp) => packed::count_before(lp.view(), before),
            Repr::Skiplist(s) => s.count_before(before),
        }
    }

    /// The rank interval `[lo, hi)` of the elements whose scores are in `r`.
    pub fn score_ranks(&self, r: &ScoreRange) -> (usize, usize) {
        if r.is_empty() {
            return (0, 0);
        }
        let lo = self.count_before(|s, _| r.below_min(s));
        let hi = self.count_before(|s, _| r.within_max(s));
        (lo, hi.max(lo))
    }

    /// The rank interval `[lo, hi)` of the members in lex range `r` (meaningful
    /// when all scores are equal, as Redis documents).
    pub fn lex_ranks(&self, r: &LexRange) -> (usize, usize) {
        if r.is_empty() {
            return (0, 0);
        }
        let lo = self.count_before(|_, m| r.below_min(m));
        let hi = self.count_before(|_, m| r.within_max(m));
        (lo, hi.max(lo))
    }

    /// Elements in ascending order from rank `r`.
    pub fn iter_from(&self, r: usize) -> Iter<'_> {
        match &self.repr {
            Repr::Listpack(lp) => {
                let v = lp.view();
                let it = match packed::seek_rank(v, r) {
                    Some(at) => v.iter_from(at),
                    None => v.iter_from(v.eof_pos()),
                };
                Iter::Asc(packed::Asc(it))
            }
            Repr::Skiplist(s) => Iter::Sk(s.iter_from(r)),
        }
    }

    /// Elements in descending order from rank `r` (`r < len`) down to rank 0.
    pub fn iter_rev_from(&self, r: usize) -> Iter<'_> {
        match &self.repr {
            Repr::Listpack(lp) => {
                let v = lp.view();
                // the pair at rank r ends where the pair at r + 1 begins
                let end = match r.checked_add(1).and_then(|n| packed::seek_rank(v, n)) {
                    Some(at) => at,
                    None if r < self.len() => v.eof_pos(),
                    None => 0,
                };
                Iter::Desc(packed::Desc(v.iter_before(end)))
            }
            Repr::Skiplist(s) => Iter::Sk(s.iter_rev_from(r)),
        }
    }

    /// All elements in ascending order.
    pub fn iter(&self) -> Iter<'_> {
        self.iter_from(0)
    }

    /// Removes `count` elements from rank `start`, handing each to `each` in
    /// ascending order.
    pub fn remove_ranks(&mut self, start: usize, count: usize, mut each: impl FnMut(&[u8], f64)) {
        match &mut self.repr {
            Repr::Listpack(lp) => {
                let v = lp.view();
                let Some(at) = packed::seek_rank(v, start) else {
                    return;
                };
                let mut n = 0;
                for (m, s) in packed::Asc(v.iter_from(at)).take(count) {
                    each(&m, s);
                    n += 1;
                }
                lp.delete(at, n * 2);
            }
            Repr::Skiplist(s) => Arc::make_mut(s).remove_ranks(start, count, each),
        }
    }

    /// Removes and returns up to `count` elements from the low end (`max` false)
    /// or the high end (`max` true), in pop order.
    pub fn pop(&mut self, count: usize, max: bool) -> Vec<(Vec<u8>, f64)> {
        let n = count.min(self.len());
        let mut out = Vec::with_capacity(n);
        let start = if max { self.len() - n } else { 0 };
        self.remove_ranks(start, n, |m, s| out.push((m.to_vec(), s)));
        if max {
            out.reverse();
        }
        out
    }
}

/// Iterator over (member, score) of a [`ZSet`].
pub enum Iter<'a> {
    Asc(packed::Asc<'a>),
    Desc(packed::Desc<'a>),
    Sk(skiplist::Iter<'a>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (Elem<'a>, f64);
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Asc(i) => i.next(),
            Iter::Desc(i) => i.next(),
            Iter::Sk(i) => i.next().map(|(m, s)| (Elem::Str(m), s)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_encodings_answer_alike() {
        let small = Limits {
            entries: 4,
            value: 8,
        };
        let mut a = ZSet::new();
        let mut b = ZSet::new_skiplist();
        for (i, m) in ["d", "a", "c", "b", "e", "f"].iter().enumerate() {
            a.insert(m.as_bytes(), (i % 3) as f64, small);
            b.insert(m.as_bytes(), (i % 3) as f64, small);
        }
        assert_eq!(a.encoding(), "skiplist");
        assert!(a == b);
        let r = ScoreRange::parse(b"(0", b"2").unwrap();
        assert_eq!(a.score_ranks(&r), (2, 6));
        let got: Vec<_> = a.iter_rev_from(5).map(|(m, _)| m.to_vec()).collect();
        assert_eq!(
            got,
            vec![
                b"f".to_vec(),
                b"c".to_vec(),
                b"e".to_vec(),
                b"a".to_vec(),
                b"d".to_vec(),
                b"b".to_vec()
            ]
        );
        let popped = a.pop(2, true);
        assert_eq!(popped, vec![(b"f".to_vec(), 2.0), (b"c".to_vec(), 2.0)]);
        let mut lp = ZSet::new();
        lp.insert(b"z", -0.0, Limits::default());
        assert!(lp.score(b"z").is_some_and(|s| s.is_sign_positive()));
        assert_eq!(
            ZSet::from_pairs(vec![(vec![b'x'; 65], 1.0)], Limits::default()).encoding(),
            "skiplist"
        );
    }

    #[test]
    fn random_operations_agree_between_encodings() {
        let big = Limits {
            entries: usize::MAX,
            value: usize::MAX,
        };
        let mut lp = ZSet::new();
        let mut sk = ZSet::new_skiplist();
        let mut x = 11u64;
        for step in 0..3000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
            let m = match (x >> 40) % 3 {
                0 => ((x >> 20) % 50).to_string().into_bytes(),
                _ => format!("m{}", (x >> 20) % 50).into_bytes(),
            };
            let score = ((x >> 8) % 7) as f64 * 0.5 - 1.0;
            match (x >> 50) % 4 {
                0 => assert_eq!(lp.remove(&m), sk.remove(&m)),
                _ => assert_eq!(lp.set(&m, score, big), sk.set(&m, score, big)),
            }
            if step % 100 == 0 {
                assert!(lp == sk, "step {step}");
                let n = lp.len();
                if n > 0 {
                    let r = (x as usize) % n;
                    let a: Vec<_> = lp.iter_rev_from(r).map(|(m, s)| (m.to_vec(), s)).collect();
                    let b: Vec<_> = sk.iter_rev_from(r).map(|(m, s)| (m.to_vec(), s)).collect();
                    assert_eq!(a, b);
                    assert_eq!(lp.get(r), sk.get(r));
                    let probe = lp.get(r).map(|(m, _)| m.to_vec()).unwrap_or_default();
                    assert_eq!(lp.rank(&probe), sk.rank(&probe));
                }
                let r = ScoreRange::parse(b"(-0.5", b"1").unwrap();
                assert_eq!(lp.score_ranks(&r), sk.score_ranks(&r));
            }
        }
        assert_eq!(lp.encoding(), "listpack");
        let (mut a, mut b) = (lp.clone(), sk.clone());
        let n = a.len();
        a.remove_ranks(1, 3, |_, _| {});
        b.remove_ranks(1, 3, |_, _| {});
        assert!(a == b && a.len() == n - 3);
        assert_eq!(a.pop(2, true), b.pop(2, true));
        assert_eq!(a.pop(2, false), b.pop(2, false));
        // the clones taken before are untouched
        assert_eq!(lp.len(), n);
    }
}
