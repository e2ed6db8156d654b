//! Redis's intset: a sorted set of integers packed into one byte buffer, as
//! Redis keeps small all-integer sets in memory and writes them to RDB files
//! and DUMP payloads (`RDB_TYPE_SET_INTSET`).
//!
//! Layout (little-endian):
//!
//! ```text
//! <encoding: u32> <length: u32> <value> <value> ...
//! ```
//!
//! `encoding` is the width of every value in bytes: 2, 4 or 8 (Redis's
//! `INTSET_ENC_INT16/32/64`). Values are signed, strictly increasing, all of the
//! same width: the smallest that holds every value that was ever added (adding
//! a wider value "upgrades" the whole set; removing one never downgrades).
//!
//! Invariants of an [`Intset`]: the buffer is always well-formed (known
//! encoding, length field matching the buffer, values strictly increasing).
//! Buffers from outside go through [`Intset::from_bytes`] (all checks, Redis's
//! deep `intsetValidateIntegrity`) or [`Intset::from_bytes_sorting`] (structure
//! only, then sorted and deduplicated: what a shallow check lets through must
//! still never break a binary search).

/// Bytes of the header.
pub const HEADER_SIZE: usize = 8;

/// Why a buffer is not an intset (the listpack's error type, shared).
pub use super::listpack::Corrupt;

/// An intset; see the module documentation.
#[derive(Clone, PartialEq, Eq)]
pub struct Intset {
    buf: Vec<u8>,
}

impl std::fmt::Debug for Intset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl Default for Intset {
    fn default() -> Self {
        Intset::new()
    }
}

/// The narrowest width (2, 4 or 8 bytes) that holds `v`.
pub fn width_for(v: i64) -> usize {
    if i16::try_from(v).is_ok() {
        2
    } else if i32::try_from(v).is_ok() {
        4
    } else {
        8
    }
}

/// Reads the value of width `w` at byte offset `at`.
fn read(buf: &[u8], w: usize, at: usize) -> Option<i64> {
    let b = buf.get(at..at.checked_add(w)?)?;
    Some(match w {
        2 => i16::from_le_bytes([b[0], b[1]]) as i64,
        4 => i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as i64,
        _ => i64::from_le_bytes(b.try_into().ok()?),
    })
}

fn put(out: &mut Vec<u8>, w: usize, v: i64) {
    match w {
        2 => out.extend_from_slice(&(v as i16).to_le_bytes()),
        4 => out.extend_from_slice(&(v as i32).to_le_bytes()),
        _ => out.extend_from_slice(&v.to_le_bytes()),
    }
}

/// Checks the header and size of `buf`: (width, count).
fn check_structure(buf: &[u8]) -> Result<(usize, usize), Corrupt> {
    if buf.len() < HEADER_SIZE {
        return Err(Corrupt("intset shorter than its header"));
    }
    let w = u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
    if !matches!(w, 2 | 4 | 8) {
        return Err(Corrupt("intset has an unknown encoding"));
    }
    let n = u32::from_le_bytes([buf[4], buf[5], buf[6], buf[7]]) as usize;
    if n.checked_mul(w).and_then(|b| b.checked_add(HEADER_SIZE)) != Some(buf.len()) {
        return Err(Corrupt("intset length does not match its size"));
    }
    Ok((w, n))
}

impl Intset {
    /// An empty intset (16-bit encoding, as Redis's `intsetNew`).
    pub fn new() -> Intset {
        Intset::build(2, &[])
    }

    /// An intset of `values` (strictly increasing) in the narrowest encoding
    /// that holds them all.
    pub fn from_sorted(values: &[i64]) -> Intset {
        let w = match (values.first(), values.last()) {
            (Some(&lo), Some(&hi)) => width_for(lo).max(width_for(hi)),
            _ => 2,
        };
        Intset::build(w, values)
    }

    fn build(w: usize, values: &[i64]) -> Intset {
        let mut buf = Vec::with_capacity(HEADER_SIZE + w * values.len());
        buf.extend_from_slice(&(w as u32).to_le_bytes());
        buf.extend_from_slice(&(values.len() as u32).to_le_bytes());
        for &v in values {
            put(&mut buf, w, v);
        }
        Intset { buf }
    }

    /// Takes a buffer from outside after checking its structure and that the
    /// values strictly increase.
    pub fn from_bytes(buf: Vec<u8>) -> Result<Intset, Corrupt> {
        let (w, n) = check_structure(&buf)?;
        let mut prev: Option<i64> = None;
        for i in 0..n {
            let v = read(&buf, w, HEADER_SIZE + i * w).ok_or(Corrupt("intset truncated"))?;
            if prev.is_some_and(|p| v <= p) {
                return Err(Corrupt("intset values are not strictly increasing"));
            }
            prev = Some(v);
        }
        Ok(Intset { buf })
    }

    /// Takes a buffer from outside after checking its structure only; values
    /// out of order or repeated are sorted and deduplicated (the encoding is
    /// kept).
    pub fn from_bytes_sorting(buf: Vec<u8>) -> Result<Intset, Corrupt> {
        let (w, n) = check_structure(&buf)?;
        let mut values: Vec<i64> = (0..n)
            .filter_map(|i| read(&buf, w, HEADER_SIZE + i * w))
            .collect();
        if values.windows(2).all(|p| p[0] < p[1]) {
            return Ok(Intset { buf });
        }
        values.sort_unstable();
        values.dedup();
        Ok(Intset::build(w, &values))
    }

    /// The bytes, as stored in RDB files.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// Width of each value in bytes (2, 4 or 8).
    pub fn encoding(&self) -> usize {
        u32::from_le_bytes([self.buf[0], self.buf[1], self.buf[2], self.buf[3]]) as usize
    }

    pub fn len(&self) -> usize {
        (self.buf.len() - HEADER_SIZE) / self.encoding()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.len() == HEADER_SIZE
    }

    /// The `i`-th smallest value.
    pub fn get(&self, i: usize) -> Option<i64> {
        if i >= self.len() {
            return None;
        }
        let w = self.encoding();
        read(&self.buf, w, HEADER_SIZE + i * w)
    }

    pub fn min(&self) -> Option<i64> {
        self.get(0)
    }

    pub fn max(&self) -> Option<i64> {
        self.len().checked_sub(1).and_then(|i| self.get(i))
    }

    /// `Ok(i)`: `v` is the `i`-th value; `Err(i)`: it would go at `i`.
    fn search(&self, v: i64) -> Result<usize, usize> {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.get(mid) {
                Some(m) if m < v => lo = mid + 1,
                Some(m) if m > v => hi = mid,
                Some(_) => return Ok(mid),
                None => break,
            }
        }
        Err(lo)
    }

    pub fn contains(&self, v: i64) -> bool {
        width_for(v) <= self.encoding() && self.search(v).is_ok()
    }

    /// Adds `v`; false when it was already there. A value wider than the
    /// encoding upgrades every value first.
    pub fn insert(&mut self, v: i64) -> bool {
        let w = self.encoding();
        if width_for(v) > w {
            let mut values: Vec<i64> = self.iter().collect();
            // wider than every stored value: it goes at one end
            if v < 0 {
                values.insert(0, v);
            } else {
                values.push(v);
            }
            *self = Intset::build(width_for(v), &values);
            return true;
        }
        match self.search(v) {
            Ok(_) => false,
            Err(i) => {
                let mut enc = Vec::with_capacity(w);
                put(&mut enc, w, v);
                let at = HEADER_SIZE + i * w;
                self.buf.splice(at..at, enc);
                self.set_len(self.len());
                true
            }
        }
    }

    /// Removes `v`; false when it was not there.
    pub fn remove(&mut self, v: i64) -> bool {
        if !self.contains(v) {
            return false;
        }
        let Ok(i) = self.search(v) else {
            return false;
        };
        let w = self.encoding();
        let at = HEADER_SIZE + i * w;
        self.buf.drain(at..at + w);
        self.set_len(self.len());
        true
    }

    fn set_len(&mut self, n: usize) {
        self.buf[4..8].copy_from_slice(&(n as u32).to_le_bytes());
    }

    /// The values, smallest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = i64> + ExactSizeIterator + '_ {
        let w = self.encoding();
        (0..self.len()).map(move |i| read(&self.buf, w, HEADER_SIZE + i * w).unwrap_or(0))
    }
}

/// An intset as a set value keeps it in the keyspace: one shared block of
/// `<width: u8> <value> <value> ...` (little-endian, strictly increasing).
///
/// The same values as an [`Intset`], without Redis's 8-byte header: the count
/// is the block's length over the width, and one byte says the width. Ten
/// small integers then fit, with the `Arc`'s two counts, in the allocator's
/// 48-byte block instead of its 64-byte one. RDB and DUMP write the
/// [`Intset`] form ([`Compact::to_intset`]); OBJECT ENCODING says "intset"
/// either way.
///
/// Every change builds the next block (a set value is at most
/// `set-max-intset-entries` values, 512 by default), so a clone (a snapshot's)
/// never sees it; a change that keeps the size rewrites an unshared block in
/// place.
#[derive(Clone, PartialEq, Eq)]
pub struct Compact(std::sync::Arc<[u8]>);

impl std::fmt::Debug for Compact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl Default for Compact {
    fn default() -> Self {
        Compact::new()
    }
}

impl Compact {
    /// An empty set (16-bit width).
    pub fn new() -> Compact {
        Compact(std::sync::Arc::from(&[2u8][..]))
    }

    /// The values of `values` (strictly increasing), in the narrowest width
    /// that holds them all.
    pub fn from_sorted(values: &[i64]) -> Compact {
        let w = match (values.first(), values.last()) {
            (Some(&lo), Some(&hi)) => width_for(lo).max(width_for(hi)),
            _ => 2,
        };
        Compact::build(w, values.iter().copied())
    }

    /// The values of an intset, in its width.
    pub fn from_intset(set: &Intset) -> Compact {
        Compact::build(set.encoding(), set.iter())
    }

    fn build(w: usize, values: impl Iterator<Item = i64>) -> Compact {
        Compact(super::mem::build_block(|out| {
            out.push(w as u8);
            for v in values {
                put(out, w, v);
            }
        }))
    }

    /// Redis's intset of the same values and width (for RDB and DUMP).
    pub fn to_intset(&self) -> Intset {
        Intset::build(self.width(), &self.iter().collect::<Vec<_>>())
    }

    /// Width of each value in bytes (2, 4 or 8).
    pub fn width(&self) -> usize {
        match self.0.first() {
            Some(&w) if matches!(w, 2 | 4 | 8) => w as usize,
            _ => 8,
        }
    }

    pub fn len(&self) -> usize {
        (self.0.len().saturating_sub(1)) / self.width()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes of the block (the `Arc`'s counts included).
    pub fn heap_bytes(&self) -> usize {
        self.0.len() + super::mem::ARC_HEADER
    }

    /// The `i`-th smallest value.
    pub fn get(&self, i: usize) -> Option<i64> {
        if i >= self.len() {
            return None;
        }
        let w = self.width();
        read(&self.0, w, 1 + i * w)
    }

    /// `Ok(i)`: `v` is the `i`-th value; `Err(i)`: it would go at `i`.
    fn search(&self, v: i64) -> Result<usize, usize> {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.get(mid) {
                Some(m) if m < v => lo = mid + 1,
                Some(m) if m > v => hi = mid,
                Some(_) => return Ok(mid),
                None => break,
            }
        }
        Err(lo)
    }

    pub fn contains(&self, v: i64) -> bool {
        width_for(v) <= self.width() && self.search(v).is_ok()
    }

    /// Adds `v`; false when it was already there. A value wider than the
    /// width upgrades every value first (Redis's rule; it never downgrades).
    pub fn insert(&mut self, v: i64) -> bool {
        let w = self.width();
        if width_for(v) > w {
            let wider = width_for(v);
            let old = self.0.clone();
            let n = self.len();
            let values = (0..n).filter_map(|i| read(&old, w, 1 + i * w));
            // wider than every stored value: it goes at one end
            *self = if v < 0 {
                Compact::build(wider, std::iter::once(v).chain(values))
            } else {
                Compact::build(wider, values.chain(std::iter::once(v)))
            };
            return true;
        }
        match self.search(v) {
            Ok(_) => false,
            Err(i) => {
                let at = 1 + i * w;
                let old = &self.0;
                self.0 = super::mem::build_block(|out| {
                    out.extend_from_slice(&old[..at]);
                    put(out, w, v);
                    out.extend_from_slice(&old[at..]);
                });
                true
            }
        }
    }

    /// Removes `v`; false when it was not there.
    pub fn remove(&mut self, v: i64) -> bool {
        if width_for(v) > self.width() {
            return false;
        }
        let Ok(i) = self.search(v) else {
            return false;
        };
        self.remove_at(i);
        true
    }

    /// Removes and answers the `i`-th smallest value.
    pub fn remove_at(&mut self, i: usize) -> Option<i64> {
        let v = self.get(i)?;
        let w = self.width();
        let at = 1 + i * w;
        let old = &self.0;
        self.0 = super::mem::build_block(|out| {
            out.extend_from_slice(&old[..at]);
            out.extend_from_slice(&old[at + w..]);
        });
        Some(v)
    }

    /// The values, smallest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = i64> + ExactSizeIterator + '_ {
        let w = self.width();
        (0..self.len()).map(move |i| read(&self.0, w, 1 + i * w).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_match_redis_layout() {
        // DUMP of `SADD s 3 1 2` in redis-server 7.0.15 holds this intset.
        let s = Intset::from_sorted(&[1, 2, 3]);
        assert_eq!(s.as_bytes(), &[2, 0, 0, 0, 3, 0, 0, 0, 1, 0, 2, 0, 3, 0]);
        let s = Intset::from_sorted(&[-70000, 5]);
        assert_eq!(s.encoding(), 4);
        let s = Intset::from_sorted(&[5, i64::MAX]);
        assert_eq!(s.encoding(), 8);
        assert_eq!(Intset::new().as_bytes(), &[2, 0, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn insert_upgrades_and_keeps_order() {
        let mut s = Intset::new();
        assert!(s.insert(5) && s.insert(-3) && !s.insert(5));
        assert_eq!(s.encoding(), 2);
        assert!(s.insert(100_000));
        assert_eq!(s.encoding(), 4);
        assert!(s.insert(-(1 << 40)));
        assert_eq!(s.encoding(), 8);
        assert_eq!(
            s.iter().collect::<Vec<_>>(),
            vec![-(1 << 40), -3, 5, 100_000]
        );
        assert!(s.contains(100_000) && !s.contains(4));
        assert!(s.remove(-(1 << 40)) && !s.remove(-(1 << 40)));
        assert_eq!(s.encoding(), 8); // never downgrades
        assert_eq!(s.min(), Some(-3));
        assert_eq!(s.max(), Some(100_000));
        assert!(!Intset::from_sorted(&[1, 2]).contains(1 << 20));
        Intset::from_bytes(s.as_bytes().to_vec()).unwrap();
    }

    #[test]
    fn random_operations_match_a_btreeset() {
        let mut s = Intset::new();
        let mut m = std::collections::BTreeSet::new();
        let mut x = 7u64;
        for _ in 0..5000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let v = match x >> 62 {
                0 => (x >> 40) as i64 % 300,
                1 => -((x >> 20) as i64 % 100_000),
                _ => (x >> 33) as i64 % 50,
            };
            if x & 1 == 0 {
                assert_eq!(s.insert(v), m.insert(v));
            } else {
                assert_eq!(s.remove(v), m.remove(&v));
            }
        }
        assert_eq!(
            s.iter().collect::<Vec<_>>(),
            m.into_iter().collect::<Vec<_>>()
        );
    }

    #[test]
    fn validation() {
        let good = Intset::from_sorted(&[1, 2, 3]).into_bytes();
        let mut b = good.clone();
        b[0] = 3;
        assert!(Intset::from_bytes(b).is_err());
        let mut b = good.clone();
        b[4] = 4;
        assert!(Intset::from_bytes(b).is_err());
        let mut b = good.clone();
        b[8] = 9; // 9, 2, 3: out of order
        assert!(Intset::from_bytes(b.clone()).is_err());
        let fixed = Intset::from_bytes_sorting(b).unwrap();
        assert_eq!(fixed.iter().collect::<Vec<_>>(), vec![2, 3, 9]);
        let mut b = good;
        b[8] = 2; // 2, 2, 3: repeated
        let fixed = Intset::from_bytes_sorting(b).unwrap();
        assert_eq!(fixed.iter().collect::<Vec<_>>(), vec![2, 3]);
        assert!(Intset::from_bytes(vec![2, 0, 0]).is_err());
        assert!(Intset::from_bytes(vec![8, 0, 0, 0, 1, 0, 0, 0]).is_err());
    }

    #[test]
    fn compact_form_matches_the_intset() {
        let mut c = Compact::new();
        let mut s = Intset::new();
        let mut x = 3u64;
        for step in 0..4000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let v = match x >> 61 {
                0 => -((x >> 20) as i64 % 100_000),
                1 if step > 3000 => (x >> 1) as i64,
                _ => (x >> 33) as i64 % 400,
            };
            if (x >> 10).is_multiple_of(3) {
                assert_eq!(c.remove(v), s.remove(v));
            } else {
                assert_eq!(c.insert(v), s.insert(v));
            }
            assert_eq!(c.len(), s.len());
            assert_eq!(c.width(), s.encoding());
        }
        assert!(c.iter().eq(s.iter()));
        assert_eq!(c.to_intset(), s);
        assert_eq!(Compact::from_intset(&s), c);
        assert!(c.contains(s.max().unwrap()) && !c.contains(i64::MIN));
        // ten small values: 1 + 20 bytes, a 48-byte block with the Arc's counts
        let ten = Compact::from_sorted(&(0..10).collect::<Vec<_>>());
        assert_eq!(ten.heap_bytes(), 37);
        assert_eq!(crate::store::mem::alloc_size(ten.heap_bytes()), 48);
        let snap = ten.clone();
        let mut t = ten;
        assert_eq!(t.remove_at(0), Some(0));
        assert!(t.insert(-1));
        assert_eq!(snap.iter().collect::<Vec<_>>(), (0..10).collect::<Vec<_>>());
    }
}
