//! The set value type: unordered distinct byte strings.
//!
//! Two encodings, as Redis 7.0 reports them in OBJECT ENCODING:
//! - "intset": every member is the canonical decimal form of an `i64` and there
//!   are at most `set-max-intset-entries` (512) of them: Redis's intset, in one
//!   shared block ([`Compact`]: the sorted values in the narrowest width that
//!   holds them all), so SMEMBERS lists them in increasing order, as Redis does;
//! - "hashtable": past either limit the set converts once and never converts
//!   back. Members sit in a [`Dict`] (see `dict.rs`): densely packed, so a random
//!   member is O(1) to pick (SPOP, SRANDMEMBER), chained by hash, and scanned with
//!   a bucket cursor that keeps SSCAN's guarantee across removals and resizes.
//!
//! Snapshots: both encodings keep their data behind `Arc`s, and every change
//! copies shared data first, so a clone (a snapshot's) never sees later writes.
//!
//! Invariant: members are distinct, and each is stored once.
use super::dict::Dict;
use super::intset::{Compact, Intset};
use super::mem::{alloc_size, ARC_HEADER};
use crate::num::string2ll;
use std::sync::Arc;

/// Redis's default `set-max-intset-entries`.
pub const MAX_INTSET_ENTRIES: usize = 512;

#[derive(Debug, Clone, PartialEq)]
enum Repr {
    Ints(Compact),
    Table(Arc<Dict<Box<[u8]>>>),
}

/// A set value (two words: the representation keeps its data behind `Arc`s).
#[derive(Debug, Clone, PartialEq)]
pub struct Set {
    repr: Repr,
}

impl Default for Set {
    fn default() -> Self {
        Set {
            repr: Repr::Ints(Compact::new()),
        }
    }
}

/// A member's bytes, borrowed or formatted from an integer.
pub enum Member<'a> {
    Int(i64),
    Bytes(&'a [u8]),
}

impl Member<'_> {
    pub fn to_vec(&self) -> Vec<u8> {
        match self {
            Member::Int(n) => n.to_string().into_bytes(),
            Member::Bytes(b) => b.to_vec(),
        }
    }
}

impl Set {
    pub fn new() -> Set {
        Set::default()
    }

    /// An "intset" set holding the values of `set` (RDB loading).
    pub fn from_intset(set: &Intset) -> Set {
        Set {
            repr: Repr::Ints(Compact::from_intset(set)),
        }
    }

    /// Redis's intset of the members, in the "intset" encoding (RDB and DUMP).
    pub fn to_intset(&self) -> Option<Intset> {
        match &self.repr {
            Repr::Ints(c) => Some(c.to_intset()),
            Repr::Table(_) => None,
        }
    }

    /// The size and fill of the hash table when the set is one (DEBUG
    /// HTSTATS-KEY); `None` for an intset or listpack.
    pub fn table_stats(&self) -> Option<crate::store::htstats::TableStats> {
        match &self.repr {
            Repr::Table(d) => Some(d.stats()),
            _ => None,
        }
    }

    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Ints(v) => v.len(),
            Repr::Table(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The name OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        match &self.repr {
            Repr::Ints(_) => "intset",
            Repr::Table(_) => "hashtable",
        }
    }

    /// Heap bytes the value owns (MEMORY USAGE, `used_memory`).
    pub fn heap_bytes(&self) -> usize {
        match &self.repr {
            Repr::Ints(c) => alloc_size(c.heap_bytes()),
            Repr::Table(d) => {
                alloc_size(ARC_HEADER + std::mem::size_of::<Dict<Box<[u8]>>>()) + d.heap_bytes()
            }
        }
    }

    pub fn contains(&self, m: &[u8]) -> bool {
        match &self.repr {
            Repr::Ints(v) => string2ll(m).is_some_and(|n| v.contains(n)),
            Repr::Table(d) => d.contains(m),
        }
    }

    /// Converts to the hashtable form.
    fn convert_to_table(&mut self) {
        if let Repr::Ints(v) = &self.repr {
            let d = v
                .iter()
                .map(|n| n.to_string().into_bytes().into())
                .collect();
            self.repr = Repr::Table(Arc::new(d));
        }
    }

    /// Adds `m`; false when already there. `max_ints`: set-max-intset-entries.
    pub fn add(&mut self, m: &[u8], max_ints: usize) -> bool {
        if let Repr::Ints(v) = &mut self.repr {
            match string2ll(m) {
                Some(n) if v.contains(n) => return false,
                Some(n) if v.len() < max_ints => return v.insert(n),
                _ => self.convert_to_table(),
            }
        }
        match &mut self.repr {
            Repr::Table(d) => {
                if d.contains(m) {
                    return false;
                }
                Arc::make_mut(d).find_or_insert_with(m, || m.into()).1
            }
            Repr::Ints(_) => false,
        }
    }

    /// Removes `m`; false when it was not there.
    pub fn remove(&mut self, m: &[u8]) -> bool {
        match &mut self.repr {
            Repr::Ints(v) => string2ll(m).is_some_and(|n| v.remove(n)),
            Repr::Table(d) => {
                if !d.contains(m) {
                    return false;
                }
                Arc::make_mut(d).remove(m).is_some()
            }
        }
    }

    /// Member at position `i` (`0..len`): the `i`-th smallest for an intset.
    pub fn at(&self, i: usize) -> Member<'_> {
        match &self.repr {
            Repr::Ints(v) => Member::Int(v.get(i).unwrap_or(0)),
            Repr::Table(d) => Member::Bytes(d.at(i)),
        }
    }

    /// Every member, as bytes.
    pub fn members(&self) -> Vec<Vec<u8>> {
        (0..self.len()).map(|i| self.at(i).to_vec()).collect()
    }

    /// Removes and returns the member at position `i`.
    pub fn take_at(&mut self, i: usize) -> Vec<u8> {
        match &mut self.repr {
            Repr::Ints(v) => v.remove_at(i).unwrap_or(0).to_string().into_bytes(),
            Repr::Table(d) => Arc::make_mut(d).remove_at(i).into_vec(),
        }
    }

    /// One SSCAN call: calls `f` with the members the step returns and answers
    /// the next cursor. An intset is returned whole with cursor 0, as Redis does;
    /// a hashtable walks buckets from `cursor` until about `count` members were
    /// returned (see [`Dict::scan`]).
    pub fn scan<'a>(&'a self, cursor: u64, count: usize, mut f: impl FnMut(Member<'a>)) -> u64 {
        match &self.repr {
            Repr::Ints(v) => {
                for n in v.iter() {
                    f(Member::Int(n));
                }
                0
            }
            Repr::Table(d) => d.scan(cursor, count, |m| f(Member::Bytes(m))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn intset_converts_on_a_string_or_past_the_limit() {
        let mut s = Set::new();
        assert!(s.add(b"3", 4));
        assert!(s.add(b"-1", 4));
        assert!(!s.add(b"3", 4));
        assert_eq!(s.encoding(), "intset");
        assert_eq!(s.members(), vec![b"-1".to_vec(), b"3".to_vec()]);
        assert!(s.add(b"07", 4)); // not canonical: a string
        assert_eq!(s.encoding(), "hashtable");
        let mut t = Set::new();
        for n in 0..4 {
            t.add(n.to_string().as_bytes(), 4);
        }
        assert_eq!(t.encoding(), "intset");
        t.add(b"9", 4);
        assert_eq!(t.encoding(), "hashtable");
        assert!(t.contains(b"9") && t.contains(b"0") && !t.contains(b"5"));
    }

    #[test]
    fn random_operations_match_a_btreeset() {
        let mut s = Set::new();
        let mut m = BTreeSet::new();
        let mut x = 99u64;
        for _ in 0..20000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
            let r = x >> 33;
            let v = if r.is_multiple_of(7) {
                format!("s{}", r % 50).into_bytes()
            } else {
                (r % 300).to_string().into_bytes()
            };
            if r.is_multiple_of(3) {
                assert_eq!(s.remove(&v), m.remove(&v));
            } else {
                assert_eq!(s.add(&v, 512), m.insert(v.clone()));
            }
            assert_eq!(s.len(), m.len());
        }
        let mut got = s.members();
        got.sort();
        assert_eq!(got, m.into_iter().collect::<Vec<_>>());
    }
}
