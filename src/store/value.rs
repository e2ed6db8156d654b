//! The value stored under a key.
//!
//! Strings come in Redis's three encodings, which `OBJECT ENCODING` reports and
//! which follow the same rules as in Redis:
//! - `Int`: a string that is the canonical decimal form of an `i64` (no leading
//!   zeros, no `+`, no `-0`), kept as the number itself; `INCR` works on it in place;
//! - `Emb`: an immutable string of at most 44 bytes (Redis's "embstr"). Redis
//!   puts such a string in the same allocation as its object header; here one of
//!   at most [`EMB_INLINE`] bytes sits inside the `Value` itself (in the keyspace
//!   entry, no allocation at all), a longer one in one `Arc<[u8]>` block;
//! - `Raw`: a string that may be modified in place (`APPEND`, `SETRANGE`, `SETBIT`),
//!   or any string longer than 44 bytes.
//!
//! Invariant (for snapshots without `fork`, DESIGN.md §3): cloning a `Value` never
//! copies its payload. Payloads live behind `Arc`, and every in-place mutation goes
//! through `Arc::make_mut`, so a snapshot holding a clone keeps the old bytes while
//! the live value is copied once on its first write after the snapshot.
//!
//! Later data types (lists, hashes, sets, sorted sets, streams) become more
//! variants, each behind an `Arc` by the same rule.
use crate::num::{ll2string, string2ll};
use std::sync::Arc;

/// Longest string Redis stores as "embstr".
pub const EMBSTR_MAX: usize = 44;

/// Longest "embstr" kept inside the `Value` (which stays 24 bytes).
pub const EMB_INLINE: usize = 22;

/// The bytes of an "embstr": inline when short, else one shared block.
/// Invariant: a string of at most [`EMB_INLINE`] bytes is always inline, and
/// `Inline` uses exactly `bytes[..len]`.
#[derive(Clone)]
pub enum EmbStr {
    Inline { len: u8, bytes: [u8; EMB_INLINE] },
    Shared(Arc<[u8]>),
}

impl EmbStr {
    pub fn new(b: &[u8]) -> EmbStr {
        if b.len() <= EMB_INLINE {
            let mut bytes = [0u8; EMB_INLINE];
            bytes[..b.len()].copy_from_slice(b);
            EmbStr::Inline {
                len: b.len() as u8,
                bytes,
            }
        } else {
            EmbStr::Shared(Arc::from(b))
        }
    }

    /// Heap bytes it owns (0 inline).
    pub fn heap_bytes(&self) -> usize {
        match self {
            EmbStr::Inline { .. } => 0,
            EmbStr::Shared(b) => {
                crate::store::mem::alloc_size(crate::store::mem::ARC_HEADER + b.len())
            }
        }
    }
}

impl std::ops::Deref for EmbStr {
    type Target = [u8];

    #[inline]
    fn deref(&self) -> &[u8] {
        match self {
            EmbStr::Inline { len, bytes } => bytes.get(..*len as usize).unwrap_or(&[]),
            EmbStr::Shared(b) => b,
        }
    }
}

impl std::fmt::Debug for EmbStr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self))
    }
}

impl PartialEq for EmbStr {
    fn eq(&self, other: &EmbStr) -> bool {
        **self == **other
    }
}

/// A stored value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(i64),
    Emb(EmbStr),
    Raw(Arc<Vec<u8>>),
    Hash(crate::store::hash::Hash),
    ZSet(crate::store::zset::ZSet),
    List(crate::store::list::List),
    Set(crate::store::set::Set),
    Stream(Arc<crate::store::stream::Stream>),
}

impl Value {
    /// A string value, encoded "embstr" or "raw" by length (never "int"): what
    /// Redis creates for results such as INCRBYFLOAT's or GETRANGE-built strings.
    pub fn from_bytes(b: &[u8]) -> Value {
        if b.len() <= EMBSTR_MAX {
            Value::Emb(EmbStr::new(b))
        } else {
            Value::Raw(Arc::new(b.to_vec()))
        }
    }

    /// A string value as SET stores its argument: "int" when `b` is the canonical
    /// form of an `i64`, otherwise by length.
    pub fn from_bytes_try_int(b: &[u8]) -> Value {
        if b.len() <= 20 {
            if let Some(n) = string2ll(b) {
                return Value::Int(n);
            }
        }
        Value::from_bytes(b)
    }

    /// A "raw" string owning `v`.
    pub fn raw(v: Vec<u8>) -> Value {
        Value::Raw(Arc::new(v))
    }

    /// The name TYPE reports.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Int(_) | Value::Emb(_) | Value::Raw(_) => "string",
            Value::Hash(_) => "hash",
            Value::ZSet(_) => "zset",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Stream(_) => "stream",
        }
    }

    /// The name OBJECT ENCODING reports.
    /// The size and fill of the value's hash table, for the types that have
    /// one in their big encoding (DEBUG HTSTATS-KEY).
    pub fn table_stats(&self) -> Option<super::htstats::TableStats> {
        match self {
            Value::Hash(h) => h.table_stats(),
            Value::Set(s) => s.table_stats(),
            Value::ZSet(z) => z.table_stats(),
            _ => None,
        }
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            Value::Int(_) => "int",
            Value::Emb(_) => "embstr",
            Value::Raw(_) => "raw",
            Value::Hash(h) => h.encoding(),
            Value::ZSet(z) => z.encoding(),
            Value::List(l) => l.encoding(),
            Value::Set(s) => s.encoding(),
            Value::Stream(_) => "stream",
        }
    }

    /// Heap bytes the value owns beyond its 24 bytes in the keyspace entry
    /// (MEMORY USAGE, `used_memory`): blocks as the allocator sizes them, see
    /// `mem.rs`. O(1) for every type but streams (which walk their maps).
    pub fn heap_bytes(&self) -> usize {
        use crate::store::mem::{alloc_size, ARC_HEADER};
        match self {
            Value::Int(_) => 0,
            Value::Emb(e) => e.heap_bytes(),
            Value::Raw(v) => {
                alloc_size(ARC_HEADER + std::mem::size_of::<Vec<u8>>()) + alloc_size(v.capacity())
            }
            Value::Hash(h) => h.heap_bytes(),
            Value::ZSet(z) => z.heap_bytes(),
            Value::List(l) => l.heap_bytes(),
            Value::Set(s) => s.heap_bytes(),
            Value::Stream(s) => {
                alloc_size(ARC_HEADER + std::mem::size_of::<crate::store::stream::Stream>())
                    + s.heap_bytes()
            }
        }
    }

    /// What freeing the value costs, as Redis's lazy-free counts it: 1 for a
    /// string or a packed (listpack, intset) value, else about the number of
    /// allocations (quicklist nodes, dict pairs, skiplist nodes, stream
    /// nodes and groups). UNLINK frees values above 64 on another thread.
    pub fn free_effort(&self) -> usize {
        match self {
            Value::Int(_) | Value::Emb(_) | Value::Raw(_) => 1,
            Value::Hash(h) => {
                if h.is_listpack() {
                    1
                } else {
                    h.len()
                }
            }
            Value::ZSet(z) => {
                if z.encoding() == "listpack" {
                    1
                } else {
                    z.len()
                }
            }
            Value::List(l) => l.nodes().len(),
            Value::Set(s) => {
                if s.encoding() == "intset" {
                    1
                } else {
                    s.len()
                }
            }
            Value::Stream(s) => s.node_count() + s.groups.len(),
        }
    }

    /// True for the string encodings.
    pub fn is_string(&self) -> bool {
        matches!(self, Value::Int(_) | Value::Emb(_) | Value::Raw(_))
    }

    /// The bytes of a string value (`None` for other types). An `Int` is formatted
    /// into `tmp`, so no allocation happens on this path.
    pub fn str_bytes<'a>(&'a self, tmp: &'a mut [u8; 20]) -> Option<&'a [u8]> {
        match self {
            Value::Int(n) => Some(ll2string(*n, tmp)),
            Value::Emb(b) => Some(b),
            Value::Raw(v) => Some(v.as_slice()),
            Value::Hash(_) | Value::ZSet(_) | Value::List(_) | Value::Set(_) | Value::Stream(_) => {
                None
            }
        }
    }

    /// Length in bytes of a string value (`None` for other types).
    pub fn str_len(&self) -> Option<usize> {
        let mut tmp = [0u8; 20];
        self.str_bytes(&mut tmp).map(|b| b.len())
    }

    /// Turns a string value into the "raw" encoding and returns its bytes for
    /// modification (copying them first if a snapshot shares them).
    /// `None` for other types.
    pub fn make_raw_mut(&mut self) -> Option<&mut Vec<u8>> {
        let bytes = match &*self {
            Value::Raw(_) => None,
            other => {
                let mut tmp = [0u8; 20];
                Some(other.str_bytes(&mut tmp)?.to_vec())
            }
        };
        if let Some(b) = bytes {
            *self = Value::Raw(Arc::new(b));
        }
        match self {
            Value::Raw(v) => Some(Arc::make_mut(v)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_follow_redis_rules() {
        assert_eq!(Value::from_bytes_try_int(b"123").encoding(), "int");
        assert_eq!(Value::from_bytes_try_int(b"0123").encoding(), "embstr");
        assert_eq!(Value::from_bytes_try_int(&[b'a'; 44]).encoding(), "embstr");
        assert_eq!(Value::from_bytes_try_int(&[b'a'; 45]).encoding(), "raw");
        assert_eq!(Value::from_bytes(b"11").encoding(), "embstr");
        let mut v = Value::Int(-5);
        v.make_raw_mut().unwrap().push(b'1');
        assert_eq!(v, Value::raw(b"-51".to_vec()));
    }

    #[test]
    fn short_embstrs_are_inline_and_the_value_stays_small() {
        assert_eq!(std::mem::size_of::<Value>(), 24);
        for n in [0, 1, 22, 23, 44] {
            let b: Vec<u8> = (0..n).map(|i| i as u8).collect();
            let v = Value::from_bytes(&b);
            let mut tmp = [0u8; 20];
            assert_eq!(v.str_bytes(&mut tmp), Some(&b[..]));
            assert_eq!(v.encoding(), "embstr");
            match v {
                Value::Emb(e) => {
                    assert_eq!(matches!(e, EmbStr::Inline { .. }), n <= EMB_INLINE);
                    assert_eq!(e.heap_bytes() == 0, n <= EMB_INLINE);
                }
                _ => panic!("not embstr"),
            }
        }
    }

    #[test]
    fn mutation_after_clone_leaves_the_clone_alone() {
        let mut live = Value::raw(b"abc".to_vec());
        let snapshot = live.clone();
        live.make_raw_mut().unwrap().push(b'd');
        assert_eq!(snapshot, Value::raw(b"abc".to_vec()));
        assert_eq!(live, Value::raw(b"abcd".to_vec()));
    }
}
