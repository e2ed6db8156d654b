//! One value from its RDB type byte and bytes: what loading a key of a file
//! and RESTORE share (Redis's `rdbLoadObject`).
//!
//! Each encoding is read into the store's own value types through their public
//! API, and takes the encoding Redis 7.0 would give it with the thresholds in
//! force ([`Encodings`]):
//! - a hashtable hash or set, or a skiplist sorted set, that is small enough
//!   loads as listpack / intset / listpack (sorted sets after loading all
//!   members, since their order is not stored);
//! - a packed hash, sorted set or intset loads packed unless it has more
//!   entries than the threshold (Redis looks at the count only there);
//! - old encodings (zipmap, ziplists, the first quicklist, linked lists, text
//!   scores) load as their 7.0 equivalents.
//!
//! Checks: lengths and counts against the input (see `read.rs`); packed
//! encodings fully (they are converted entry by entry, so a shallow check would
//! not do); duplicate members, fields or set values are refused as Redis
//! refuses them (in the packed encodings Redis checks only with
//! `sanitize-dump-payload yes`; here they are refused always, since the store's
//! types hold each member once, except intsets, which a shallow load sorts and
//! deduplicates instead); NaN scores are refused; a packed sorted set stored
//! out of order is sorted (Redis keeps the damaged order). Otherwise Redis's
//! leniencies are kept: score text is read as `strtod` reads it, a length byte
//! in the special-encoding form counts its low 6 bits. An empty collection is
//! reported as `Ok(None)`: a file skips such a key, RESTORE refuses it.
use super::read::{RdbStr, Reader};
use super::{type_name, types, Encodings, RdbError};
use crate::persist::legacy;
use crate::store::hash::Hash;
use crate::store::intset::Intset;
use crate::store::list::List;
use crate::store::listpack::{Entry, Listpack, MAX_SAFE_BYTES};
use crate::store::set::Set;
use crate::store::value::Value;
use crate::store::zset::{Limits, ZSet};

type Result<T> = std::result::Result<T, RdbError>;

/// How to load values.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    pub encodings: Encodings,
    /// Deep sanitization (`sanitize-dump-payload yes`, or `clients` for
    /// RESTORE): intsets must be sorted and unique instead of being repaired.
    pub deep: bool,
}

/// Reads a value of type `t`; `Ok(None)` for an empty collection.
pub fn load_value(r: &mut Reader<'_>, t: u8, opts: &LoadOptions) -> Result<Option<Value>> {
    let start = r.offset();
    let enc = &opts.encodings;
    let v = match t {
        types::STRING => Some(r.string()?.into_value()),
        types::LIST => load_linked_list(r, enc)?,
        types::SET => load_set(r, enc)?,
        types::ZSET | types::ZSET_2 => load_zset(r, enc, t == types::ZSET_2)?,
        types::HASH => load_hash(r, enc)?,
        types::HASH_ZIPMAP => load_hash_zipmap(r, enc)?,
        types::LIST_ZIPLIST => load_list_ziplist(r, enc)?,
        types::SET_INTSET => load_intset(r, enc, opts.deep)?,
        types::ZSET_ZIPLIST | types::ZSET_LISTPACK => load_packed_zset(r, enc, t)?,
        types::HASH_ZIPLIST | types::HASH_LISTPACK => load_packed_hash(r, enc, t)?,
        types::LIST_QUICKLIST | types::LIST_QUICKLIST_2 => {
            load_quicklist(r, enc, t == types::LIST_QUICKLIST_2)?
        }
        types::MODULE | types::MODULE_2 => {
            return Err(RdbError::unsupported(
                start,
                format!("module values (RDB type {t}) are not supported by this server"),
            ))
        }
        types::STREAM_LISTPACKS | types::STREAM_LISTPACKS_2 => {
            Some(super::stream::load_stream(r, t)?)
        }
        types::SET_LISTPACK | types::STREAM_LISTPACKS_3 => {
            return Err(RdbError::corrupt(
                start,
                format!(
                    "unknown value type {t} ({} in Redis 7.2's RDB version 11; this server reads version 10)",
                    type_name(t)
                ),
            ))
        }
        _ => return Err(RdbError::corrupt(start, format!("unknown value type {t}"))),
    };
    Ok(v)
}

fn dup(r: &Reader<'_>, start: usize, what: &str) -> RdbError {
    r.error_at(start, format!("duplicate {what} detected"))
}

/// An element of a packed encoding as owned bytes.
fn entry_vec(e: &Entry<'_>) -> Vec<u8> {
    e.to_vec()
}

/// A score stored in a packed sorted set, read as Redis reads it
/// (`zzlStrtod`: at most 127 bytes up to a NUL, leading spaces skipped, the
/// longest prefix `strtod` takes, 0 when there is none); only NaN is refused,
/// since the store orders by score.
fn packed_score(e: &Entry<'_>) -> Option<f64> {
    let s = match e {
        Entry::Int(n) => *n as f64,
        Entry::Str(s) => super::read::c_strtod(&s[..s.len().min(127)]).0,
    };
    (!s.is_nan()).then_some(s)
}

fn load_linked_list(r: &mut Reader<'_>, enc: &Encodings) -> Result<Option<Value>> {
    let n = r.count("list")?;
    if n == 0 {
        return Ok(None);
    }
    let mut list = List::new();
    let fill = enc.list_max_listpack_size;
    let mut tmp = [0u8; 20];
    for _ in 0..n {
        let s = r.string()?;
        list.push_back(s.bytes(&mut tmp), fill);
    }
    Ok(Some(Value::List(list)))
}

fn load_set(r: &mut Reader<'_>, enc: &Encodings) -> Result<Option<Value>> {
    let n = r.count("set")?;
    if n == 0 {
        return Ok(None);
    }
    let max = enc.set_max_intset_entries.min(1 << 30);
    // Too many members for an intset: a hashtable from the start.
    let max_ints = if n > max { 0 } else { max };
    let mut set = Set::new();
    let mut tmp = [0u8; 20];
    for _ in 0..n {
        let at = r.offset();
        let s = r.string()?;
        if !set.add(s.bytes(&mut tmp), max_ints) {
            return Err(dup(r, at, "set members"));
        }
    }
    Ok(Some(Value::Set(set)))
}

/// Builds a sorted set from pairs, refusing repeated members; the listpack
/// encoding when there are at most `limits.entries` members of at most
/// `limits.value` bytes.
fn zset_from(
    r: &Reader<'_>,
    start: usize,
    pairs: Vec<(Vec<u8>, f64)>,
    limits: Limits,
) -> Result<Option<Value>> {
    if pairs.is_empty() {
        return Ok(None);
    }
    let mut members: Vec<&[u8]> = pairs.iter().map(|(m, _)| m.as_slice()).collect();
    members.sort_unstable();
    if members.windows(2).any(|w| w[0] == w[1]) {
        return Err(dup(r, start, "zset members"));
    }
    Ok(Some(Value::ZSet(ZSet::from_pairs(pairs, limits))))
}

fn load_zset(r: &mut Reader<'_>, enc: &Encodings, binary: bool) -> Result<Option<Value>> {
    let start = r.offset();
    let n = r.count("zset")?;
    let mut pairs = Vec::with_capacity(n.min(4096));
    let (mut longest, mut total) = (0usize, 0usize);
    for _ in 0..n {
        let m = r.string_vec()?;
        let at = r.offset();
        let score = if binary {
            r.binary_double()?
        } else {
            r.text_double()?
        };
        if score.is_nan() {
            return Err(r.error_at(at, "zset with NAN score detected"));
        }
        longest = longest.max(m.len());
        total = total.saturating_add(m.len());
        pairs.push((m, score));
    }
    // Loaded as a skiplist, then converted if small (Redis's rule).
    let small = n <= enc.zset_max_listpack_entries
        && longest <= enc.zset_max_listpack_value
        && total <= MAX_SAFE_BYTES;
    let limits = if small {
        Limits {
            entries: usize::MAX,
            value: usize::MAX,
        }
    } else {
        Limits {
            entries: 0,
            value: 0,
        }
    };
    zset_from(r, start, pairs, limits)
}

/// Hash limits for `set_within`: (entries, value).
fn hash_limits(n: usize, enc: &Encodings, check_values: bool) -> (usize, usize) {
    if n > enc.hash_max_listpack_entries {
        (0, 0) // a hashtable from the start
    } else if check_values {
        (enc.hash_max_listpack_entries, enc.hash_max_listpack_value)
    } else {
        (enc.hash_max_listpack_entries, usize::MAX)
    }
}

fn load_hash(r: &mut Reader<'_>, enc: &Encodings) -> Result<Option<Value>> {
    let n = r.count("hash")?;
    if n == 0 {
        return Ok(None);
    }
    let mut limits = hash_limits(n, enc, true);
    let mut hash = Hash::new();
    let mut bytes = 0usize;
    let (mut t1, mut t2) = ([0u8; 20], [0u8; 20]);
    for _ in 0..n {
        let at = r.offset();
        let f = r.string()?;
        let v = r.string()?;
        let (f, v) = (f.bytes(&mut t1), v.bytes(&mut t2));
        bytes = bytes.saturating_add(f.len() + v.len());
        if bytes > MAX_SAFE_BYTES {
            limits = (0, 0);
        }
        if !hash.set_within(f, v, limits) {
            return Err(dup(r, at, "hash fields"));
        }
    }
    Ok(Some(Value::Hash(hash)))
}

fn load_hash_zipmap(r: &mut Reader<'_>, enc: &Encodings) -> Result<Option<Value>> {
    let start = r.offset();
    let blob = r.string()?;
    let mut tmp = [0u8; 20];
    let pairs = legacy::zipmap_pairs(blob.bytes(&mut tmp))
        .map_err(|e| r.error_at(start, format!("Zipmap integrity check failed: {e}")))?;
    let limits = hash_limits(pairs.len(), enc, true);
    let mut hash = Hash::new();
    for (f, v) in pairs {
        if !hash.set_within(f, v, limits) {
            return Err(dup(r, start, "hash fields"));
        }
    }
    Ok(Some(Value::Hash(hash)))
}

fn load_list_ziplist(r: &mut Reader<'_>, enc: &Encodings) -> Result<Option<Value>> {
    let start = r.offset();
    let blob = r.string()?;
    let mut tmp = [0u8; 20];
    let entries = legacy::ziplist_entries(blob.bytes(&mut tmp))
        .map_err(|e| r.error_at(start, format!("List ziplist integrity check failed: {e}")))?;
    if entries.is_empty() {
        return Ok(None);
    }
    let mut list = List::new();
    let fill = enc.list_max_listpack_size;
    let mut t2 = [0u8; 20];
    for e in &entries {
        list.push_back(e.bytes(&mut t2), fill);
    }
    Ok(Some(Value::List(list)))
}

fn load_intset(r: &mut Reader<'_>, enc: &Encodings, deep: bool) -> Result<Option<Value>> {
    let start = r.offset();
    let blob = r.string()?.into_vec();
    let set = if deep {
        Intset::from_bytes(blob)
    } else {
        Intset::from_bytes_sorting(blob)
    }
    .map_err(|e| r.error_at(start, format!("Intset integrity check failed: {e}")))?;
    if set.is_empty() {
        return Err(r.error_at(start, "Intset integrity check failed: empty intset"));
    }
    let value = if set.len() > enc.set_max_intset_entries {
        let mut s = Set::new();
        for v in set.iter() {
            s.add(v.to_string().as_bytes(), 0);
        }
        s
    } else {
        Set::from_intset(&set)
    };
    Ok(Some(Value::Set(value)))
}

/// The entries of a packed blob: a listpack (types 16, 17, 18) or a ziplist.
fn packed_entries<'b>(
    r: &Reader<'_>,
    start: usize,
    blob: &'b [u8],
    listpack: bool,
    what: &str,
) -> Result<Vec<Entry<'b>>> {
    if listpack {
        // checked in place, without copying the blob
        listpack_entries(blob).map_err(|e| {
            r.error_at(
                start,
                format!("{what} listpack integrity check failed: {e}"),
            )
        })
    } else {
        legacy::ziplist_entries(blob)
            .map_err(|e| r.error_at(start, format!("{what} ziplist integrity check failed: {e}")))
    }
}

/// Validates a listpack held in a borrowed buffer and lists its entries.
fn listpack_entries(
    blob: &[u8],
) -> std::result::Result<Vec<Entry<'_>>, crate::store::listpack::Corrupt> {
    Listpack::validate_bytes(blob)?;
    Ok(Listpack::entries_of(blob).collect())
}

fn load_packed_zset(r: &mut Reader<'_>, enc: &Encodings, t: u8) -> Result<Option<Value>> {
    let start = r.offset();
    let blob = r.string()?;
    let mut tmp = [0u8; 20];
    let bytes = blob.bytes(&mut tmp);
    let entries = packed_entries(r, start, bytes, t == types::ZSET_LISTPACK, "Zset")?;
    if entries.len() % 2 != 0 {
        return Err(r.error_at(
            start,
            "Zset listpack integrity check failed: odd number of entries",
        ));
    }
    let mut pairs = Vec::with_capacity(entries.len() / 2);
    for p in entries.chunks_exact(2) {
        let score = packed_score(&p[1])
            .ok_or_else(|| r.error_at(start, "zset with an invalid score detected"))?;
        pairs.push((entry_vec(&p[0]), score));
    }
    // Packed sets stay packed unless they have too many members.
    let limits = if pairs.len() > enc.zset_max_listpack_entries {
        Limits {
            entries: 0,
            value: 0,
        }
    } else {
        Limits {
            entries: usize::MAX,
            value: usize::MAX,
        }
    };
    zset_from(r, start, pairs, limits)
}

fn load_packed_hash(r: &mut Reader<'_>, enc: &Encodings, t: u8) -> Result<Option<Value>> {
    let start = r.offset();
    let blob = r.string()?;
    let mut tmp = [0u8; 20];
    let bytes = blob.bytes(&mut tmp);
    let entries = packed_entries(r, start, bytes, t == types::HASH_LISTPACK, "Hash")?;
    if entries.len() % 2 != 0 {
        return Err(r.error_at(
            start,
            "Hash listpack integrity check failed: odd number of entries",
        ));
    }
    if entries.is_empty() {
        return Ok(None);
    }
    let limits = hash_limits(entries.len() / 2, enc, false);
    let mut hash = Hash::new();
    let (mut t1, mut t2) = ([0u8; 20], [0u8; 20]);
    for p in entries.chunks_exact(2) {
        if !hash.set_within(p[0].bytes(&mut t1), p[1].bytes(&mut t2), limits) {
            return Err(dup(r, start, "hash fields"));
        }
    }
    Ok(Some(Value::Hash(hash)))
}

fn load_quicklist(r: &mut Reader<'_>, enc: &Encodings, v2: bool) -> Result<Option<Value>> {
    let n = r.count("quicklist node")?;
    if n == 0 {
        return Ok(None);
    }
    let mut list = List::new();
    let fill = enc.list_max_listpack_size;
    let mut tmp = [0u8; 20];
    for _ in 0..n {
        let at = r.offset();
        let container = if v2 { r.length()? } else { 2 };
        if container != 1 && container != 2 {
            return Err(r.error_at(
                at,
                "Quicklist integrity check failed: unknown node container",
            ));
        }
        let data: RdbStr<'_> = r.string()?;
        if data.is_empty() {
            return Err(r.error_at(at, "Quicklist integrity check failed: empty node"));
        }
        if container == 1 {
            list.push_back(data.bytes(&mut tmp), fill);
            continue;
        }
        let mut t2 = [0u8; 20];
        let bytes = data.bytes(&mut t2);
        let entries = packed_entries(r, at, bytes, v2, "Quicklist")?;
        for e in &entries {
            list.push_back(e.bytes(&mut tmp), fill);
        }
    }
    if list.is_empty() {
        return Ok(None);
    }
    Ok(Some(Value::List(list)))
}
