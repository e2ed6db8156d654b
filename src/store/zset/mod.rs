//! The sorted-set value type: members (binary strings) ordered by a score (`f64`,
//! never NaN), then by member bytes (memcmp order).
//!
//! Two encodings, as Redis 7.0 reports them in `OBJECT ENCODING`:
//! - "listpack": while the set has at most `zset-max-listpack-entries` members,
//!   each at most `zset-max-listpack-value` bytes: one sorted `Vec` of
//!   (member, score); lookups by member scan it, lookups by rank or score
//!   binary-search it. Redis's listpack stores scores as text, which turns `-0`
//!   into `0`; so does this one.
//! - "skiplist": past either limit the set converts once (and never back, except
//!   that the *STORE commands build their result in whichever encoding its size
//!   calls for): see `skiplist.rs` (ordered, with ranks) and `index.rs` (member ->
//!   node).
//!
//! | file | job |
//! | --- | --- |
//! | `skiplist.rs` | the skiplist with spans, in an arena of `u32`-linked nodes |
//! | `index.rs` | member -> node hash index that borrows the nodes' member bytes |
//! | `range.rs` | score and lex range specs, score parsing |
//!
//! Every query is phrased in ranks (0-based positions in ascending order):
//! a score or lex range is the rank interval `[count_before(start), count_before(end))`,
//! so ZCOUNT, ZRANGEBYSCORE, ZREMRANGEBYLEX ... are rank arithmetic plus a walk.
pub mod index;
pub mod range;
pub mod skiplist;

pub use range::{LexRange, ScoreRange};
use skiplist::SkipList;

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

/// A sorted set.
#[derive(Debug, Clone)]
pub enum ZSet {
    Listpack(Vec<(Box<[u8]>, f64)>),
    Skiplist(Box<SkipList>),
}

impl Default for ZSet {
    fn default() -> Self {
        ZSet::Listpack(Vec::new())
    }
}

impl PartialEq for ZSet {
    fn eq(&self, other: &ZSet) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

#[inline]
fn less(s1: f64, m1: &[u8], s2: f64, m2: &[u8]) -> bool {
    s1 < s2 || (s1 == s2 && m1 < m2)
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

    /// A set holding `pairs` (distinct members), in the encoding its size calls for.
    pub fn from_pairs(pairs: Vec<(Vec<u8>, f64)>, limits: Limits) -> ZSet {
        let small =
            pairs.len() <= limits.entries && pairs.iter().all(|(m, _)| m.len() <= limits.value);
        if small {
            let mut v: Vec<(Box<[u8]>, f64)> = pairs
                .into_iter()
                .map(|(m, s)| (m.into_boxed_slice(), lp_score(s)))
                .collect();
            v.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
            // total_cmp orders -0 before 0; listpack scores are never -0.
            ZSet::Listpack(v)
        } else {
            let mut sl = SkipList::new();
            for (m, s) in pairs {
                sl.insert(&m, s);
            }
            ZSet::Skiplist(Box::new(sl))
        }
    }

    pub fn len(&self) -> usize {
        match self {
            ZSet::Listpack(v) => v.len(),
            ZSet::Skiplist(s) => s.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The name OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        match self {
            ZSet::Listpack(_) => "listpack",
            ZSet::Skiplist(_) => "skiplist",
        }
    }

    /// The score of `member`.
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        match self {
            ZSet::Listpack(v) => v.iter().find(|(m, _)| &**m == member).map(|e| e.1),
            ZSet::Skiplist(s) => s.score(member),
        }
    }

    /// Converts a listpack set to a skiplist (SORT does this to the set it
    /// sorts, as Redis's does).
    pub fn convert(&mut self) {
        if let ZSet::Listpack(v) = self {
            let mut sl = SkipList::new();
            for (m, s) in v.iter() {
                sl.insert(m, *s);
            }
            *self = ZSet::Skiplist(Box::new(sl));
        }
    }

    /// Inserts `member`, which must be absent, converting to the skiplist first
    /// when the listpack limits would be broken.
    pub fn insert(&mut self, member: &[u8], score: f64, limits: Limits) {
        if let ZSet::Listpack(v) = self {
            if v.len() + 1 > limits.entries || member.len() > limits.value {
                self.convert();
            }
        }
        match self {
            ZSet::Listpack(v) => {
                let score = lp_score(score);
                let at = v.partition_point(|(m, s)| less(*s, m, score, member));
                v.insert(at, (member.into(), score));
            }
            ZSet::Skiplist(s) => s.insert(member, score),
        }
    }

    /// Where `member` is, with its score: a handle for [`ZSet::update_found`],
    /// valid until the set next changes. Saves the second lookup of a
    /// read-then-update (ZADD, ZINCRBY).
    pub fn find(&self, member: &[u8]) -> Option<(Found, f64)> {
        match self {
            ZSet::Listpack(v) => {
                let i = v.iter().position(|(m, _)| &**m == member)?;
                Some((Found(i as u64), v[i].1))
            }
            ZSet::Skiplist(s) => s.find(member).map(|(x, sc)| (Found(x as u64), sc)),
        }
    }

    /// Changes the score of the element `at` (from [`ZSet::find`] for
    /// `member`, with no change since) to `new`.
    pub fn update_found(&mut self, at: Found, member: &[u8], new: f64) {
        match self {
            ZSet::Listpack(v) => {
                let new = lp_score(new);
                let (m, _) = v.remove(at.0 as usize);
                let at = v.partition_point(|(x, s)| less(*s, x, new, member));
                v.insert(at, (m, new));
            }
            ZSet::Skiplist(s) => s.update_node(at.0 as u32, new),
        }
    }

    /// Changes the score of `member` (present) to `new`.
    pub fn update(&mut self, member: &[u8], new: f64) {
        match self {
            ZSet::Listpack(v) => {
                let new = lp_score(new);
                let Some(i) = v.iter().position(|(m, _)| &**m == member) else {
                    return;
                };
                let (m, _) = v.remove(i);
                let at = v.partition_point(|(x, s)| less(*s, x, new, member));
                v.insert(at, (m, new));
            }
            ZSet::Skiplist(s) => s.update_score(member, new),
        }
    }

    /// Sets the score of `member`, adding it if absent; answers the old score.
    pub fn set(&mut self, member: &[u8], score: f64, limits: Limits) -> Option<f64> {
        if let ZSet::Skiplist(s) = self {
            return s.set(member, score);
        }
        match self.score(member) {
            Some(old) => {
                if old != score {
                    self.update(member, score);
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
        match self {
            ZSet::Listpack(v) => {
                let i = v.iter().position(|(m, _)| &**m == member)?;
                Some(v.remove(i).1)
            }
            ZSet::Skiplist(s) => s.remove(member),
        }
    }

    /// 0-based ascending rank of `member`, with its score.
    pub fn rank(&self, member: &[u8]) -> Option<(usize, f64)> {
        match self {
            ZSet::Listpack(v) => v
                .iter()
                .position(|(m, _)| &**m == member)
                .map(|i| (i, v[i].1)),
            ZSet::Skiplist(s) => s.rank(member),
        }
    }

    /// The element at 0-based rank `r`.
    pub fn get(&self, r: usize) -> Option<(&[u8], f64)> {
        match self {
            ZSet::Listpack(v) => v.get(r).map(|(m, s)| (&**m, *s)),
            ZSet::Skiplist(s) => s.get(r),
        }
    }

    /// Number of leading elements (in ascending order) for which `before` holds;
    /// `before` must hold for a prefix of the order.
    pub fn count_before(&self, mut before: impl FnMut(f64, &[u8]) -> bool) -> usize {
        match self {
            ZSet::Listpack(v) => v.partition_point(|(m, s)| before(*s, m)),
            ZSet::Skiplist(s) => s.count_before(before),
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
        match self {
            ZSet::Listpack(v) => Iter::Lp(v[r.min(v.len())..].iter()),
            ZSet::Skiplist(s) => Iter::Sk(s.iter_from(r)),
        }
    }

    /// Elements in descending order from rank `r` (`r < len`) down to rank 0.
    pub fn iter_rev_from(&self, r: usize) -> Iter<'_> {
        match self {
            ZSet::Listpack(v) => {
                let end = if r < v.len() { r + 1 } else { 0 };
                Iter::LpRev(v[..end].iter().rev())
            }
            ZSet::Skiplist(s) => Iter::Sk(s.iter_rev_from(r)),
        }
    }

    /// All elements in ascending order.
    pub fn iter(&self) -> Iter<'_> {
        self.iter_from(0)
    }

    /// Removes `count` elements from rank `start`, handing each to `each` in
    /// ascending order.
    pub fn remove_ranks(&mut self, start: usize, count: usize, mut each: impl FnMut(&[u8], f64)) {
        match self {
            ZSet::Listpack(v) => {
                let start = start.min(v.len());
                let end = start.saturating_add(count).min(v.len());
                for (m, s) in v.drain(start..end) {
                    each(&m, s);
                }
            }
            ZSet::Skiplist(s) => s.remove_ranks(start, count, each),
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
    Lp(std::slice::Iter<'a, (Box<[u8]>, f64)>),
    LpRev(std::iter::Rev<std::slice::Iter<'a, (Box<[u8]>, f64)>>),
    Sk(skiplist::Iter<'a>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a [u8], f64);
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Lp(i) => i.next().map(|(m, s)| (&**m, *s)),
            Iter::LpRev(i) => i.next().map(|(m, s)| (&**m, *s)),
            Iter::Sk(i) => i.next(),
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
        let mut b = ZSet::Skiplist(Box::default());
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
}
