//! The hash value type: field -> value pairs.
//!
//! Two encodings, as Redis 7.0 reports them in `OBJECT ENCODING`:
//! - "listpack": at most `hash-max-listpack-entries` pairs, each field and value
//!   at most `hash-max-listpack-value` bytes. The pairs are one Redis listpack
//!   (field, value, field, value... in insertion order; a deleted pair closes
//!   the gap), in one shared block ([`Shared`]): the bytes Redis keeps, found by
//!   a linear scan, so replies list fields in Redis's order and RDB/DUMP write
//!   the bytes as they are.
//! - "hashtable": past either limit the hash converts once and never converts
//!   back. Pairs sit in a [`Dict`] (see `dict.rs`): densely packed, so a random
//!   pair is O(1) to pick, chained by field hash, and scanned with a bucket
//!   cursor that keeps HSCAN's guarantee across deletions and resizes. A pair is
//!   one allocation ([`Packed`]): the field's length, the field, the value.
//!
//! Redis's rules for converting (7.0's `hashTypeTryConversion` and
//! `hashTypeSet`): a field or value longer than the value limit converts before
//! it is stored; a pair that makes the count exceed the entries limit converts
//! after; so does a listpack that would pass 1 GB.
//!
//! Snapshots: the representation holds its data behind `Arc`s (the listpack
//! block, the table), and every change copies shared data first, so a clone of a
//! `Hash` (a snapshot's) never sees later writes.
//!
//! Invariant: fields are distinct; each pair is stored once (the dict's index
//! holds no copy of the field).
use super::dict::{Dict, DictEntry};
use super::listpack::{self, Elem, Entry, Lp, Shared};
use super::mem::{alloc_size, ARC_HEADER};
use std::sync::Arc;

/// Redis 7.0's default `hash-max-listpack-entries`.
pub const MAX_LISTPACK_ENTRIES: usize = 512;
/// Redis's default `hash-max-listpack-value`.
pub const MAX_LISTPACK_VALUE: usize = 64;

/// One field and its value, in one allocation: the field's length (one byte
/// when below 255, else 255 and four bytes, little-endian), the field, the value.
#[derive(Debug, Clone, PartialEq)]
pub struct Packed(Box<[u8]>);

impl Packed {
    fn new(field: &[u8], value: &[u8]) -> Packed {
        let n = field.len();
        let mut b = Vec::with_capacity(5 + n + value.len());
        if n < 255 {
            b.push(n as u8);
        } else {
            b.push(255);
            b.extend_from_slice(&(n as u32).to_le_bytes());
        }
        b.extend_from_slice(field);
        b.extend_from_slice(value);
        Packed(b.into_boxed_slice())
    }

    /// (field, value).
    #[inline]
    fn split(&self) -> (&[u8], &[u8]) {
        let b = &self.0;
        let (start, n) = match b.first() {
            Some(255) if b.len() >= 5 => (5, u32::from_le_bytes([b[1], b[2], b[3], b[4]]) as usize),
            Some(&n) => (1, n as usize),
            None => (0, 0),
        };
        let end = (start + n).min(b.len());
        (&b[start..end], &b[end..])
    }

    #[inline]
    fn field(&self) -> &[u8] {
        self.split().0
    }

    #[inline]
    fn value(&self) -> &[u8] {
        self.split().1
    }
}

impl DictEntry for Packed {
    fn key(&self) -> &[u8] {
        self.field()
    }
    fn heap_bytes(&self) -> usize {
        alloc_size(self.0.len())
    }
}

#[derive(Debug, Clone)]
enum Repr {
    Listpack(Shared),
    Table(Arc<Dict<Packed>>),
}

/// A hash value (two words: the representation holds its data behind `Arc`s).
#[derive(Debug, Clone)]
pub struct Hash {
    repr: Repr,
}

impl Default for Hash {
    fn default() -> Self {
        Hash {
            repr: Repr::Listpack(Shared::new()),
        }
    }
}

impl PartialEq for Hash {
    /// The same pairs (in any order, in any encoding).
    fn eq(&self, other: &Hash) -> bool {
        self.len() == other.len()
            && self
                .pairs()
                .all(|(f, v)| other.get(&f).is_some_and(|w| *w == *v))
    }
}

/// Position of the pair whose field is `field`: (field, value) positions.
fn lp_find(lp: Lp<'_>, field: &[u8]) -> Option<(usize, usize)> {
    let f = lp.find(field, 1)?;
    Some((f, lp.next(f)?))
}

impl Hash {
    pub fn new() -> Hash {
        Hash::default()
    }

    /// A "listpack" hash holding the listpack `lp` (field, value pairs with
    /// distinct fields, already validated: what RDB loading checked).
    pub fn from_listpack(lp: &listpack::Listpack) -> Hash {
        Hash {
            repr: Repr::Listpack(Shared::from_listpack(lp)),
        }
    }

    /// Number of pairs.
    /// The size and fill of the hash table when the hash is one (DEBUG
    /// HTSTATS-KEY); `None` for a listpack.
    pub fn table_stats(&self) -> Option<crate::store::htstats::TableStats> {
        match &self.repr {
            Repr::Table(d) => Some(d.stats()),
            Repr::Listpack(_) => None,
        }
    }

    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Listpack(lp) => lp.len() / 2,
            Repr::Table(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The name OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        match &self.repr {
            Repr::Listpack(_) => "listpack",
            Repr::Table(_) => "hashtable",
        }
    }

    /// The listpack bytes, when the hash is encoded as one (RDB and DUMP write
    /// them as they are).
    pub fn listpack_bytes(&self) -> Option<&[u8]> {
        match &self.repr {
            Repr::Listpack(lp) => Some(lp.as_bytes()),
            Repr::Table(_) => None,
        }
    }

    /// Heap bytes the value owns (MEMORY USAGE, `used_memory`).
    pub fn heap_bytes(&self) -> usize {
        match &self.repr {
            Repr::Listpack(lp) => alloc_size(lp.heap_bytes()),
            Repr::Table(d) => {
                alloc_size(ARC_HEADER + std::mem::size_of::<Dict<Packed>>()) + d.heap_bytes()
            }
        }
    }

    /// The value stored under `field`.
    pub fn get(&self, field: &[u8]) -> Option<Elem<'_>> {
        match &self.repr {
            Repr::Listpack(lp) => {
                let v = lp.view();
                let (_, at) = lp_find(v, field)?;
                v.entry(at).map(Elem::from)
            }
            Repr::Table(d) => d.get(field).map(|p| Elem::Str(p.value())),
        }
    }

    /// Whether `field` is there.
    pub fn contains(&self, field: &[u8]) -> bool {
        match &self.repr {
            Repr::Listpack(lp) => lp.view().find(field, 1).is_some(),
            Repr::Table(d) => d.contains(field),
        }
    }

    /// Converts to the "hashtable" encoding.
    fn convert(&mut self) {
        if let Repr::Listpack(lp) = &self.repr {
            let v = lp.view();
            let mut d = Dict::with_capacity(v.len() / 2);
            let mut it = v.iter();
            let mut tmp = [0u8; 20];
            let mut tmp2 = [0u8; 20];
            while let (Some(f), Some(val)) = (it.next(), it.next()) {
                let _ = d.insert(Packed::new(f.bytes(&mut tmp), val.bytes(&mut tmp2)));
            }
            self.repr = Repr::Table(Arc::new(d));
        }
    }

    /// Converts to the "hashtable" encoding when a field or value of `len`
    /// bytes is longer than `max_value` allows in a listpack (Redis checks
    /// every argument of HSET this way before storing any).
    pub fn convert_for_length(&mut self, len: usize, max_value: usize) {
        if len > max_value {
            self.convert();
        }
    }

    /// Sets `field` to `value` with the default listpack limits; true when the
    /// field is new.
    pub fn set(&mut self, field: &[u8], value: &[u8]) -> bool {
        self.set_within(field, value, (MAX_LISTPACK_ENTRIES, MAX_LISTPACK_VALUE))
    }

    /// Sets `field` to `value`, converting to "hashtable" past `limits`
    /// (`hash-max-listpack-entries`, `hash-max-listpack-value`); true when the
    /// field is new.
    pub fn set_within(&mut self, field: &[u8], value: &[u8], limits: (usize, usize)) -> bool {
        let (max_entries, max_value) = limits;
        if let Repr::Listpack(lp) = &self.repr {
            let add = listpack::entry_size(field) + listpack::entry_size(value);
            if field.len() > max_value
                || value.len() > max_value
                || lp.as_bytes().len().saturating_add(add) > listpack::MAX_SAFE_BYTES
            {
                self.convert();
            }
        }
        match &mut self.repr {
            Repr::Listpack(lp) => {
                match lp_find(lp.view(), field) {
                    Some((_, at)) => {
                        lp.replace(at, Entry::Str(value));
                        return false;
                    }
                    None => lp.push_back(&[Entry::Str(field), Entry::Str(value)]),
                }
                if lp.len() / 2 > max_entries {
                    self.convert();
                }
                true
            }
            Repr::Table(d) => {
                let d = Arc::make_mut(d);
                let (i, added) = d.find_or_insert_with(field, || Packed::new(field, value));
                if !added {
                    d.replace_at(i, Packed::new(field, value));
                }
                added
            }
        }
    }

    /// Removes `field`; true when it was there.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        match &mut self.repr {
            Repr::Listpack(lp) => match lp.view().find(field, 1) {
                Some(at) => {
                    lp.delete(at, 2);
                    true
                }
                None => false,
            },
            Repr::Table(d) => {
                if !d.contains(field) {
                    return false;
                }
                Arc::make_mut(d).remove(field).is_some()
            }
        }
    }

    /// All pairs, in the order replies list them.
    pub fn pairs(&self) -> Pairs<'_> {
        match &self.repr {
            Repr::Listpack(lp) => Pairs::Lp(lp.view().iter()),
            Repr::Table(d) => Pairs::Table(d, 0),
        }
    }

    /// The pair at position `i` (`i < len()`), for random picks: O(1) in a
    /// hashtable, a walk in a listpack (HRANDFIELD collects a listpack's pairs
    /// once instead, see [`Hash::is_listpack`]).
    pub fn pair_at(&self, i: usize) -> (Elem<'_>, Elem<'_>) {
        match &self.repr {
            Repr::Listpack(_) => self
                .pairs()
                .nth(i)
                .unwrap_or((Elem::Str(b""), Elem::Str(b""))),
            Repr::Table(d) => {
                let (f, v) = d.at(i).split();
                (Elem::Str(f), Elem::Str(v))
            }
        }
    }

    /// True in the "listpack" encoding.
    pub fn is_listpack(&self) -> bool {
        matches!(self.repr, Repr::Listpack(_))
    }

    /// One HSCAN call: calls `f` with the pairs the step returns and answers the
    /// next cursor. A listpack is returned whole with cursor 0, as Redis does; a
    /// hashtable walks buckets from `cursor` until about `count` pairs were
    /// returned (see [`Dict::scan`]).
    pub fn scan<'a>(
        &'a self,
        cursor: u64,
        count: usize,
        mut f: impl FnMut(Elem<'a>, Elem<'a>),
    ) -> u64 {
        match &self.repr {
            Repr::Listpack(_) => {
                for (k, v) in self.pairs() {
                    f(k, v);
                }
                0
            }
            Repr::Table(d) => d.scan(cursor, count, |p| {
                let (k, v) = p.split();
                f(Elem::Str(k), Elem::Str(v))
            }),
        }
    }
}

/// Iterator over the (field, value) pairs of a [`Hash`].
pub enum Pairs<'a> {
    Lp(listpack::Iter<'a>),
    Table(&'a Dict<Packed>, usize),
}

impl<'a> Iterator for Pairs<'a> {
    type Item = (Elem<'a>, Elem<'a>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Pairs::Lp(it) => {
                let f = it.next()?;
                let v = it.next()?;
                Some((f.into(), v.into()))
            }
            Pairs::Table(d, i) => {
                if *i >= d.len() {
                    return None;
                }
                let (f, v) = d.at(*i).split();
                *i += 1;
                Some((Elem::Str(f), Elem::Str(v)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(h: &Hash) -> Vec<(Vec<u8>, Vec<u8>)> {
        h.pairs().map(|(f, v)| (f.to_vec(), v.to_vec())).collect()
    }

    #[test]
    fn packed_pairs_split_back_into_field_and_value() {
        for (f, v) in [
            (&b""[..], &b""[..]),
            (b"f", b""),
            (b"", b"v"),
            (b"field", b"value"),
        ] {
            assert_eq!(Packed::new(f, v).split(), (f, v));
        }
        for n in [254, 255, 256, 70_000] {
            let f = vec![b'f'; n];
            let p = Packed::new(&f, b"tail");
            assert_eq!(p.split(), (&f[..], &b"tail"[..]), "field of {n} bytes");
        }
    }

    #[test]
    fn listpack_keeps_insertion_order_and_converts_past_limits() {
        let mut h = Hash::new();
        assert!(h.set(b"b", b"1"));
        assert!(h.set(b"a", b"2"));
        assert!(!h.set(b"b", b"3"));
        assert!(h.remove(b"b"));
        assert!(h.set(b"b", b"4"));
        assert_eq!(
            pairs(&h),
            vec![
                (b"a".to_vec(), b"2".to_vec()),
                (b"b".to_vec(), b"4".to_vec())
            ]
        );
        assert_eq!(h.encoding(), "listpack");
        h.set(b"big", &[b'x'; 65]);
        assert_eq!(h.encoding(), "hashtable");
        assert!(h.remove(b"a"));
        assert_eq!(h.get(b"b").as_deref(), Some(&b"4"[..]));
        assert_eq!(h.get(b"big").map(|v| v.len()), Some(65));
        assert_eq!(h.len(), 2);
        let mut h = Hash::new();
        for i in 0..512 {
            h.set(i.to_string().as_bytes(), b"v");
        }
        assert_eq!(h.encoding(), "listpack");
        h.set(b"512", b"v");
        assert_eq!(h.encoding(), "hashtable");
        for i in 0..513 {
            assert!(h.remove(i.to_string().as_bytes()));
        }
        assert!(h.is_empty());
    }

    #[test]
    fn listpack_bytes_are_redis_bytes() {
        // DUMP of `HSET h f0 v0 n 12` in redis-server 7.0.15 holds this listpack:
        // "f0", "v0", "n" as strings, 12 as a 7-bit integer.
        let mut h = Hash::new();
        h.set(b"f0", b"v0");
        h.set(b"n", b"12");
        let want: &[u8] = &[
            20, 0, 0, 0, 4, 0, 0x82, b'f', b'0', 3, 0x82, b'v', b'0', 3, 0x81, b'n', 2, 12, 1, 0xFF,
        ];
        assert_eq!(h.listpack_bytes(), Some(want));
        assert_eq!(h.get(b"n").as_deref(), Some(&b"12"[..]));
        assert!(h.contains(b"f0") && !h.contains(b"v0"));
        // a field equal to a stored value is not found (values are skipped)
        assert_eq!(h.get(b"v0"), None);
    }

    #[test]
    fn a_clone_is_a_snapshot() {
        for big in [false, true] {
            let mut h = Hash::new();
            if big {
                h.set(b"huge", &[b'h'; 100]);
            }
            h.set(b"f", b"old");
            let snap = h.clone();
            h.set(b"f", b"new");
            h.set(b"g", b"1");
            h.remove(b"huge");
            assert_eq!(snap.get(b"f").as_deref(), Some(&b"old"[..]));
            assert_eq!(snap.get(b"g"), None);
            assert_eq!(snap.len(), 1 + usize::from(big));
            assert_eq!(h.get(b"f").as_deref(), Some(&b"new"[..]));
        }
    }

    #[test]
    fn random_operations_match_a_map_in_both_encodings() {
        let mut model = std::collections::BTreeMap::new();
        let mut h = Hash::new();
        let mut x = 5u64;
        for step in 0..6000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
            let f = format!("{}", (x >> 33) % 2000).into_bytes();
            let v = format!("v{}", x >> 50).into_bytes();
            if (x >> 20).is_multiple_of(3) {
                assert_eq!(h.remove(&f), model.remove(&f).is_some());
            } else {
                assert_eq!(h.set(&f, &v), model.insert(f.clone(), v).is_none());
            }
            if step % 500 == 0 {
                assert_eq!(h.len(), model.len());
                let mut got = pairs(&h);
                got.sort();
                let want: Vec<_> = model.iter().map(|(a, b)| (a.clone(), b.clone())).collect();
                assert_eq!(got, want);
            }
        }
        assert_eq!(h.encoding(), "hashtable");
    }
}
