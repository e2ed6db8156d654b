//! The "listpack" encoding of a sorted set: one Redis listpack holding
//! `member, score, member, score, ...` in ascending order of (score, member
//! bytes), as Redis 7.0 keeps small sorted sets (its `zzl*` functions).
//!
//! A score is stored as Redis stores it: a whole number within ±2^62 as a
//! listpack integer, anything else as its `%.17g` text (so `-0` is stored as
//! the integer 0). Reading a score back parses the entry; members that are
//! canonical integers are stored as integers too, and compare as their decimal
//! text, as Redis compares them.
//!
//! Every operation walks the listpack (at most `zset-max-listpack-entries`
//! pairs), as Redis's does; positions come from [`Lp`] and stay valid until
//! the next edit. Invariant kept by every edit here: the pairs stay in order and
//! members stay distinct.
use crate::store::listpack::{Elem, Entry, Iter, Lp, Pos, Shared};

/// Scores that are whole numbers within ±2^62 are stored as integers.
const INT_LIMIT: f64 = 4_611_686_018_427_387_904.0;

/// The score an entry holds (`zzlGetScore`: integers as they are, text as
/// `strtod` reads it).
#[inline]
pub fn score_of(e: Entry<'_>) -> f64 {
    match e {
        Entry::Int(n) => n as f64,
        Entry::Str(s) => crate::num::strtod(s).value,
    }
}

/// The text Redis stores for `score` when it is not stored as an integer.
fn score_text(score: f64, out: &mut Vec<u8>) {
    crate::num::fmt_g(score, 17, out);
}

/// The entry Redis stores for `score`; `text` holds the digits when needed.
pub fn score_entry(score: f64, text: &mut Vec<u8>) -> Entry<'_> {
    if (-INT_LIMIT..=INT_LIMIT).contains(&score) && score.fract() == 0.0 {
        Entry::Int(score as i64)
    } else {
        text.clear();
        score_text(score, text);
        Entry::Str(text)
    }
}

/// Position of `member`'s entry, with its score.
pub fn find(lp: Lp<'_>, member: &[u8]) -> Option<(Pos, f64)> {
    let at = lp.find(member, 1)?;
    let s = lp.entry(lp.next(at)?)?;
    Some((at, score_of(s)))
}

/// `(score, member)` of the pair at `at` is before `(score, member)` given.
#[inline]
fn pair_less(e_score: f64, e_member: Entry<'_>, score: f64, member: &[u8]) -> bool {
    if e_score != score {
        return e_score < score;
    }
    let mut tmp = [0u8; 20];
    e_member.bytes(&mut tmp) < member
}

/// Inserts `member` (absent) with `score` at its place in the order.
pub fn insert(lp: &mut Shared, member: &[u8], score: f64) {
    let mut text = Vec::new();
    let view = lp.view();
    let mut pos = view.first();
    let mut at = view.eof_pos();
    while let Some(p) = pos {
        let (Some(m), Some(sp)) = (view.entry(p), view.next(p)) else {
            break;
        };
        let s = view.entry(sp).map_or(0.0, score_of);
        if !pair_less(s, m, score, member) {
            at = p;
            break;
        }
        pos = view.next(sp);
    }
    let e = score_entry(score, &mut text);
    lp.splice(at, at, &[Entry::Str(member), e], 2);
}

/// Removes the pair whose member entry is at `at`.
pub fn delete_at(lp: &mut Shared, at: Pos) {
    lp.delete(at, 2);
}

/// Number of leading pairs for which `before(score, member)` holds (it must
/// hold for a prefix of the order).
pub fn count_before(lp: Lp<'_>, mut before: impl FnMut(f64, &[u8]) -> bool) -> usize {
    let mut n = 0;
    let mut tmp = [0u8; 20];
    let mut it = lp.iter();
    while let (Some(m), Some(s)) = (it.next(), it.next()) {
        if !before(score_of(s), m.bytes(&mut tmp)) {
            break;
        }
        n += 1;
    }
    n
}

/// 0-based rank of `member`, with its score.
pub fn rank(lp: Lp<'_>, member: &[u8]) -> Option<(usize, f64)> {
    let mut it = lp.iter();
    let mut r = 0;
    while let (Some(m), Some(s)) = (it.next(), it.next()) {
        if m.eq_bytes(member) {
            return Some((r, score_of(s)));
        }
        r += 1;
    }
    None
}

/// Position of the member entry of the pair at rank `r`.
pub fn seek_rank(lp: Lp<'_>, r: usize) -> Option<Pos> {
    let index = i64::try_from(r.checked_mul(2)?).ok()?;
    lp.seek(index)
}

/// Pairs in ascending order from a member entry's position.
pub struct Asc<'a>(pub(super) Iter<'a>);

impl<'a> Iterator for Asc<'a> {
    type Item = (Elem<'a>, f64);
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let m = self.0.next()?;
        let s = self.0.next()?;
        Some((m.into(), score_of(s)))
    }
}

/// Pairs in descending order, from the pair that ends where the iterator's
/// back is.
pub struct Desc<'a>(pub(super) Iter<'a>);

impl<'a> Iterator for Desc<'a> {
    type Item = (Elem<'a>, f64);
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let s = self.0.next_back()?;
        let m = self.0.next_back()?;
        Some((m.into(), score_of(s)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_stored_as_redis_stores_them() {
        let mut lp = Shared::new();
        for (i, s) in [1.0, -0.0, 1.5, INT_LIMIT, 1e19, f64::INFINITY]
            .into_iter()
            .enumerate()
        {
            insert(&mut lp, format!("m{i}").as_bytes(), s);
        }
        let got: Vec<Vec<u8>> = lp
            .view()
            .iter()
            .skip(1)
            .step_by(2)
            .map(|e| e.to_vec())
            .collect();
        assert_eq!(
            got,
            [
                &b"0"[..],
                b"1",
                b"1.5",
                b"4611686018427387904",
                b"1e+19",
                b"inf"
            ]
            .map(|s| s.to_vec())
        );
        assert_eq!(
            find(lp.view(), b"m2"),
            Some((find(lp.view(), b"m2").unwrap().0, 1.5))
        );
        assert!(find(lp.view(), b"m9").is_none());
    }

    #[test]
    fn integer_members_order_as_text() {
        // "10" < "9" as bytes: Redis compares members as strings
        let mut lp = Shared::new();
        for m in [&b"9"[..], b"10", b"a", b"1"] {
            insert(&mut lp, m, 1.0);
        }
        let order: Vec<Vec<u8>> = Asc(lp.view().iter()).map(|(m, _)| m.to_vec()).collect();
        assert_eq!(order, [&b"1"[..], b"10", b"9", b"a"].map(|s| s.to_vec()));
        let back: Vec<Vec<u8>> = Desc(lp.view().iter()).map(|(m, _)| m.to_vec()).collect();
        assert_eq!(back, [&b"a"[..], b"9", b"10", b"1"].map(|s| s.to_vec()));
        assert_eq!(rank(lp.view(), b"9"), Some((2, 1.0)));
        assert_eq!(count_before(lp.view(), |_, m| m < &b"9"[..]), 2);
        let at = seek_rank(lp.view(), 1).unwrap();
        delete_at(&mut lp, at);
        assert_eq!(rank(lp.view(), b"9"), Some((1, 1.0)));
        assert_eq!(lp.len(), 6);
    }
}
