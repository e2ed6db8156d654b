//! The hash value type: field -> value pairs.
//!
//! Two encodings, as Redis 7.0 reports them in `OBJECT ENCODING`:
//! - "listpack": at most [`MAX_LISTPACK_ENTRIES`] pairs, each field and value at most
//!   [`MAX_LISTPACK_VALUE`] bytes. Pairs sit in one `Vec` in insertion order (a deleted
//!   pair closes the gap), found by a linear scan, so replies list fields in the
//!   order Redis's listpack would.
//! - "hashtable": past either limit the hash converts once and never converts back.
//!   Pairs still sit in a dense `Vec` (so a random pair is O(1) to pick), plus an
//!   index from field to position; a deletion moves the last pair into the hole.
//!
//! Invariant: when `index` is `Some`, it maps every field in `pairs` to its position.
use std::collections::HashMap;

/// Redis 7.0's default `hash-max-listpack-entries`.
pub const MAX_LISTPACK_ENTRIES: usize = 512;
/// Redis's default `hash-max-listpack-value`.
pub const MAX_LISTPACK_VALUE: usize = 64;

/// One field and its value.
type Pair = (Box<[u8]>, Box<[u8]>);

/// A hash value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hash {
    pairs: Vec<Pair>,
    index: Option<HashMap<Box<[u8]>, usize>>,
}

impl Hash {
    pub fn new() -> Hash {
        Hash::default()
    }

    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The name OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        if self.index.is_some() {
            "hashtable"
        } else {
            "listpack"
        }
    }

    /// Position of `field`, if present.
    fn position(&self, field: &[u8]) -> Option<usize> {
        match &self.index {
            Some(ix) => ix.get(field).copied(),
            None => self.pairs.iter().position(|(f, _)| &**f == field),
        }
    }

    /// The value stored under `field`.
    pub fn get(&self, field: &[u8]) -> Option<&[u8]> {
        self.position(field).map(|i| &*self.pairs[i].1)
    }

    /// Converts to the "hashtable" encoding when a pair of these lengths, or one
    /// more pair, would break the listpack limits.
    fn grow_check(&mut self, flen: usize, vlen: usize, adding: bool, limits: (usize, usize)) {
        if self.index.is_some() {
            return;
        }
        let (max_entries, max_value) = limits;
        let n = self.pairs.len() + usize::from(adding);
        if n > max_entries || flen > max_value || vlen > max_value {
            let ix = self
                .pairs
                .iter()
                .enumerate()
                .map(|(i, (f, _))| (f.clone(), i))
                .collect();
            self.index = Some(ix);
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
        match self.position(field) {
            Some(i) => {
                self.grow_check(field.len(), value.len(), false, limits);
                self.pairs[i].1 = value.into();
                false
            }
            None => {
                self.grow_check(field.len(), value.len(), true, limits);
                let f: Box<[u8]> = field.into();
                if let Some(ix) = &mut self.index {
                    ix.insert(f.clone(), self.pairs.len());
                }
                self.pairs.push((f, value.into()));
                true
            }
        }
    }

    /// Removes `field`; true when it was there.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        let Some(i) = self.position(field) else {
            return false;
        };
        match &mut self.index {
            None => {
                self.pairs.remove(i);
            }
            Some(ix) => {
                ix.remove(field);
                self.pairs.swap_remove(i);
                if let Some((moved, _)) = self.pairs.get(i) {
                    ix.insert(moved.clone(), i);
                }
            }
        }
        true
    }

    /// All pairs, in the order replies list them.
    pub fn pairs(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.pairs.iter().map(|(f, v)| (&**f, &**v))
    }

    /// The pair at position `i` (`i < len()`), for random picks and cursors.
    pub fn pair_at(&self, i: usize) -> (&[u8], &[u8]) {
        let (f, v) = &self.pairs[i];
        (f, v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
