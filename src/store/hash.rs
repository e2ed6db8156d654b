//! The hash value type: field -> value pairs.
//!
//! Two encodings, as Redis 7.0 reports them in `OBJECT ENCODING`:
//! - "listpack": at most [`MAX_LISTPACK_ENTRIES`] pairs, each field and value at most
//!   [`MAX_LISTPACK_VALUE`] bytes. Pairs sit in one `Vec` in insertion order (a deleted
//!   pair closes the gap), found by a linear scan, so replies list fields in the
//!   order Redis's listpack would.
//! - "hashtable": past either limit the hash converts once and never converts back.
//!   Pairs sit in a [`Dict`] (see `dict.rs`): densely packed, so a random pair is
//!   O(1) to pick, chained by field hash, and scanned with a bucket cursor that
//!   keeps HSCAN's guarantee across deletions and resizes.
//!
//! In both, a pair is one allocation ([`Packed`]): the field's length, the field,
//! the value. A million small pairs then cost about what Redis's dict entries
//! and strings cost, instead of two allocations and two fat pointers each.
//!
//! Invariant: fields are distinct; each pair is stored once (the dict's index holds
//! no copy of the field).
use super::dict::{Dict, DictEntry};

/// Redis 7.0's default `hash-max-listpack-entries`.
pub const MAX_LISTPACK_ENTRIES: usize = 512;
/// Redis's default `hash-max-listpack-value`.
pub const MAX_LISTPACK_VALUE: usize = 64;

/// One field and its value, in one allocation: the field's length (one byte
/// when below 255, else 255 and four bytes, little-endian), the field, the value.
#[derive(Debug, Clone, PartialEq)]
struct Packed(Box<[u8]>);

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
}

#[derive(Debug, Clone, PartialEq)]
enum Repr {
    Listpack(Vec<Packed>),
    Table(Box<Dict<Packed>>),
}

/// A hash value.
#[derive(Debug, Clone, PartialEq)]
pub struct Hash {
    repr: Repr,
}

impl Default for Hash {
    fn default() -> Self {
        Hash {
            repr: Repr::Listpack(Vec::new()),
        }
    }
}

impl Hash {
    pub fn new() -> Hash {
        Hash::default()
    }

    /// Number of pairs.
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Listpack(v) => v.len(),
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

    /// The value stored under `field`.
    pub fn get(&self, field: &[u8]) -> Option<&[u8]> {
        match &self.repr {
            Repr::Listpack(v) => v.iter().find(|p| p.field() == field).map(Packed::value),
            Repr::Table(d) => d.get(field).map(Packed::value),
        }
    }

    /// Converts to the "hashtable" encoding when a pair of these lengths, or one
    /// more pair, would break the listpack limits.
    fn grow_check(&mut self, flen: usize, vlen: usize, adding: bool, limits: (usize, usize)) {
        let Repr::Listpack(pairs) = &mut self.repr else {
            return;
        };
        let (max_entries, max_value) = limits;
        let n = pairs.len() + usize::from(adding);
        if n > max_entries || flen > max_value || vlen > max_value {
            let d = std::mem::take(pairs).into_iter().collect();
            self.repr = Repr::Table(Box::new(d));
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
        if let Repr::Listpack(pairs) = &mut self.repr {
            let at = pairs.iter().position(|p| p.field() == field);
            self.grow_check(field.len(), value.len(), at.is_none(), limits);
            if let (Repr::Listpack(pairs), Some(i)) = (&mut self.repr, at) {
                pairs[i] = Packed::new(field, value);
                return false;
            }
        }
        match &mut self.repr {
            Repr::Listpack(pairs) => {
                pairs.push(Packed::new(field, value));
                true
            }
            Repr::Table(d) => {
                let (i, added) = d.find_or_insert_with(field, || Packed::new(field, value));
                if !added {
                    *d.at_mut(i) = Packed::new(field, value);
                }
                added
            }
        }
    }

    /// Removes `field`; true when it was there.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        match &mut self.repr {
            Repr::Listpack(pairs) => match pairs.iter().position(|p| p.field() == field) {
                Some(i) => {
                    pairs.remove(i);
                    true
                }
                None => false,
            },
            Repr::Table(d) => d.remove(field).is_some(),
        }
    }

    /// All pairs, in the order replies list them.
    pub fn pairs(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        (0..self.len()).map(|i| self.pair_at(i))
    }

    /// The pair at position `i` (`i < len()`), for random picks.
    pub fn pair_at(&self, i: usize) -> (&[u8], &[u8]) {
        match &self.repr {
            Repr::Listpack(pairs) => pairs[i].split(),
            Repr::Table(d) => d.at(i).split(),
        }
    }

    /// One HSCAN call: calls `f` with the pairs the step returns and answers the
    /// next cursor. A listpack is returned whole with cursor 0, as Redis does; a
    /// hashtable walks buckets from `cursor` until about `count` pairs were
    /// returned (see [`Dict::scan`]).
    pub fn scan<'a>(
        &'a self,
        cursor: u64,
        count: usize,
        mut f: impl FnMut(&'a [u8], &'a [u8]),
    ) -> u64 {
        match &self.repr {
            Repr::Listpack(pairs) => {
                for p in pairs {
                    let (k, v) = p.split();
                    f(k, v);
                }
                0
            }
            Repr::Table(d) => d.scan(cursor, count, |p| {
                let (k, v) = p.split();
                f(k, v)
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let got: Vec<_> = h.pairs().collect();
        assert_eq!(got, vec![(&b"a"[..], &b"2"[..]), (&b"b"[..], &b"4"[..])]);
        assert_eq!(h.encoding(), "listpack");
        h.set(b"big", &[b'x'; 65]);
        assert_eq!(h.encoding(), "hashtable");
        assert!(h.remove(b"a"));
        assert_eq!(h.get(b"b"), Some(&b"4"[..]));
        assert_eq!(h.get(b"big").map(<[u8]>::len), Some(65));
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
}
