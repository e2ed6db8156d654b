//! A generic chained hash table for the "hashtable" encodings of hashes and sets,
//! with O(1) random picks and a SCAN cursor that survives resizes.
//!
//! Layout (the keyspace table in `table.rs` does the same, minus TTLs and the
//! incremental rehash):
//! - `slots`: every entry with its 32-bit hash and chain link, densely packed in a
//!   `Vec` (no holes), so a random entry is a random index. Removing an entry moves
//!   the last one into the hole and fixes the one link that pointed to it.
//! - `buckets`: a power-of-two array of chain heads; entry `i` lives in the chain
//!   of bucket `hash & mask`. Links (bucket heads and `Slot::next`) are an index
//!   into `slots` plus one; 0 ends a chain.
//! - The entry owns its key (the [`DictEntry::key`] bytes): nothing is copied into
//!   an index, so a member is stored once.
//!
//! Resizing: the bucket array doubles when the table would hold more entries than
//! buckets, and shrinks (to the next power of two of the length, at least
//! [`MIN_BUCKETS`]) when under 1/8 full. A resize relinks every entry at once.
//!
//! SCAN uses Redis's reverse-binary cursor (see the long comment at the top of
//! `table.rs`): a cursor names a bucket by its low bits; after visiting bucket
//! `c & mask` the next cursor sets the bits above the mask, reverses the bits,
//! adds one and reverses again. Since bucket `b` of a 2^n table holds exactly the
//! entries whose hash ends in the n bits of `b`, the buckets visited before the
//! cursor cover the same hash suffixes at every table size, so an entry present
//! for the whole scan is returned at least once across grows and shrinks (a shrink
//! may return some twice).
//!
//! Hashing: SipHash-1-2 under a random per-process key ([`hash_bytes`]), as Redis
//! hashes its dictionaries, so clients cannot choose keys that collide.
//!
//! Invariants:
//! - `buckets.len()` is 0 (never used, or emptied) or a power of two `>= MIN_BUCKETS`,
//!   and `slots.len() <= buckets.len()`;
//! - every slot `i` is in exactly one chain, that of bucket `slots[i].hash & mask`,
//!   and `slots[i].hash == hash_bytes(slots[i].entry.key())`;
//! - no two entries have equal keys; `slots.len() < u32::MAX`.

/// The smallest non-empty bucket array.
pub const MIN_BUCKETS: usize = 4;

/// An entry of a [`Dict`]: something that owns its key bytes.
pub trait DictEntry {
    fn key(&self) -> &[u8];
    /// Heap bytes the entry owns (for MEMORY USAGE and `used_memory`).
    fn heap_bytes(&self) -> usize {
        0
    }
}

impl DictEntry for Box<[u8]> {
    fn key(&self) -> &[u8] {
        self
    }
    fn heap_bytes(&self) -> usize {
        crate::store::mem::alloc_size(self.len())
    }
}

/// A hash field and its value.
impl DictEntry for (Box<[u8]>, Box<[u8]>) {
    fn key(&self) -> &[u8] {
        &self.0
    }
    fn heap_bytes(&self) -> usize {
        crate::store::mem::alloc_size(self.0.len()) + crate::store::mem::alloc_size(self.1.len())
    }
}

/// The hash of `bytes`: SipHash-1-2 under the process's random key (see
/// `digest/siphash.rs`), truncated to the 32 bits an entry keeps.
#[inline]
pub fn hash_bytes(bytes: &[u8]) -> u32 {
    let h = crate::digest::siphash::hash(bytes);
    (h ^ (h >> 32)) as u32
}

const NONE: u32 = 0;

#[inline]
fn link(i: usize) -> u32 {
    i as u32 + 1
}

#[inline]
fn index(l: u32) -> usize {
    (l - 1) as usize
}

/// The reverse-binary successor of cursor `v` over a table of `mask + 1` buckets.
#[inline]
fn next_cursor(v: u64, mask: u64) -> u64 {
    (v | !mask).reverse_bits().wrapping_add(1).reverse_bits()
}

#[derive(Debug, Clone)]
struct Slot<E> {
    entry: E,
    hash: u32,
    next: u32,
}

/// A hash table of entries keyed by their [`DictEntry::key`] bytes.
#[derive(Debug, Clone)]
pub struct Dict<E> {
    slots: Vec<Slot<E>>,
    buckets: Vec<u32>,
    /// Sum of the entries' [`DictEntry::heap_bytes`].
    entry_bytes: usize,
}

impl<E> Default for Dict<E> {
    fn default() -> Self {
        Dict {
            slots: Vec::new(),
            buckets: Vec::new(),
            entry_bytes: 0,
        }
    }
}

/// Equal when both hold the same keys with equal entries (order is irrelevant).
impl<E: DictEntry + PartialEq> PartialEq for Dict<E> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|e| other.get(e.key()) == Some(e))
    }
}

impl<E: DictEntry> FromIterator<E> for Dict<E> {
    /// Builds a dict from entries with distinct keys (a repeated key keeps the first).
    fn from_iter<I: IntoIterator<Item = E>>(iter: I) -> Self {
        let iter = iter.into_iter();
        let mut d = Dict::with_capacity(iter.size_hint().0);
        for e in iter {
            let _ = d.insert(e);
        }
        d
    }
}

impl<E: DictEntry> Dict<E> {
    pub fn new() -> Self {
        Dict::default()
    }

    /// An empty dict with room for `n` entries before its first resize.
    pub fn with_capacity(n: usize) -> Self {
        let mut d = Dict {
            slots: Vec::with_capacity(n),
            buckets: Vec::new(),
            entry_bytes: 0,
        };
        if n > 0 {
            d.rebuild(n.next_power_of_two().max(MIN_BUCKETS));
        }
        d
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Number of buckets (0 or a power of two).
    pub fn bucket_count(&self) -> usize {
        self.buckets.len()
    }

    /// Size, elements and chain lengths (DEBUG HTSTATS-KEY).
    pub fn stats(&self) -> crate::store::htstats::TableStats {
        crate::store::htstats::TableStats::chained(&self.buckets, self.len(), |link| {
            self.slots.get(link as usize - 1).map_or(NONE, |s| s.next)
        })
    }

    /// Heap bytes of the table itself (not what entries point to).
    pub fn table_bytes(&self) -> usize {
        use crate::store::mem::alloc_size;
        alloc_size(self.slots.capacity() * std::mem::size_of::<Slot<E>>())
            + alloc_size(self.buckets.capacity() * std::mem::size_of::<u32>())
    }

    /// Heap bytes of the table and of everything its entries own.
    pub fn heap_bytes(&self) -> usize {
        self.table_bytes() + self.entry_bytes
    }

    #[inline]
    fn mask(&self) -> usize {
        self.buckets.len().wrapping_sub(1)
    }

    /// Position of the entry whose key is `key`.
    pub fn find(&self, key: &[u8]) -> Option<usize> {
        if self.buckets.is_empty() {
            return None;
        }
        self.find_hashed(key, hash_bytes(key))
    }

    fn find_hashed(&self, key: &[u8], hash: u32) -> Option<usize> {
        let mut l = self.buckets[hash as usize & self.mask()];
        while l != NONE {
            let s = &self.slots[index(l)];
            if s.hash == hash && s.entry.key() == key {
                return Some(index(l));
            }
            l = s.next;
        }
        None
    }

    pub fn contains(&self, key: &[u8]) -> bool {
        self.find(key).is_some()
    }

    pub fn get(&self, key: &[u8]) -> Option<&E> {
        self.find(key).map(|i| &self.slots[i].entry)
    }

    /// The entry under `key`, to change anything but its key.
    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut E> {
        self.find(key).map(|i| &mut self.slots[i].entry)
    }

    /// The entry at position `i` (`i < len()`): for random picks.
    pub fn at(&self, i: usize) -> &E {
        &self.slots[i].entry
    }

    /// All entries, in storage order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &E> {
        self.slots.iter().map(|s| &s.entry)
    }

    /// Adds `e`, answering its position; when an entry with the same key is
    /// already there, changes nothing and answers `Err` with that entry's
    /// position and `e` back.
    pub fn insert(&mut self, e: E) -> Result<usize, (usize, E)> {
        let hash = hash_bytes(e.key());
        if !self.buckets.is_empty() {
            if let Some(i) = self.find_hashed(e.key(), hash) {
                return Err((i, e));
            }
        }
        Ok(self.insert_hashed(hash, e))
    }

    /// Adds `e`, known to be absent, whose key hashes to `hash`.
    fn insert_hashed(&mut self, hash: u32, e: E) -> usize {
        if self.slots.len() >= self.buckets.len() {
            self.rebuild((self.buckets.len() * 2).max(MIN_BUCKETS));
        }
        let i = self.slots.len();
        let b = hash as usize & self.mask();
        let next = self.buckets[b];
        self.buckets[b] = link(i);
        self.entry_bytes += e.heap_bytes();
        self.slots.push(Slot {
            entry: e,
            hash,
            next,
        });
        i
    }

    /// The position of the entry under `key`, adding `make()` (whose key must be
    /// `key`) when there is none; true when it was added. Hashes `key` once.
    pub fn find_or_insert_with(&mut self, key: &[u8], make: impl FnOnce() -> E) -> (usize, bool) {
        let hash = hash_bytes(key);
        if !self.buckets.is_empty() {
            if let Some(i) = self.find_hashed(key, hash) {
                return (i, false);
            }
        }
        let e = make();
        debug_assert!(e.key() == key);
        (self.insert_hashed(hash, e), true)
    }

    /// Puts `e` (whose key must be the same) in place of the entry at
    /// position `i`, and answers the old one.
    pub fn replace_at(&mut self, i: usize, e: E) -> E {
        debug_assert!(e.key() == self.slots[i].entry.key());
        self.entry_bytes += e.heap_bytes();
        let old = std::mem::replace(&mut self.slots[i].entry, e);
        self.entry_bytes -= old.heap_bytes();
        old
    }

    /// Removes the entry under `key` and returns it.
    pub fn remove(&mut self, key: &[u8]) -> Option<E> {
        let i = self.find(key)?;
        Some(self.remove_at(i))
    }

    /// Removes the entry at position `i` (`i < len()`) and returns it. The last
    /// entry moves into position `i`.
    pub fn remove_at(&mut self, i: usize) -> E {
        let (hash, next) = (self.slots[i].hash, self.slots[i].next);
        self.relink(hash, link(i), next);
        let last = self.slots.len() - 1;
        if i != last {
            self.relink(self.slots[last].hash, link(last), link(i));
        }
        let s = self.slots.swap_remove(i);
        self.entry_bytes -= s.entry.heap_bytes();
        if self.slots.is_empty() {
            // an emptied value is normally deleted; give the memory back anyway
            *self = Dict::new();
        } else if self.buckets.len() > MIN_BUCKETS && self.slots.len() * 8 < self.buckets.len() {
            self.rebuild(self.slots.len().next_power_of_two().max(MIN_BUCKETS));
            self.slots.shrink_to(self.slots.len() * 2);
        }
        s.entry
    }

    /// In the chain of `hash`, replaces the link that points to `from` by `to`.
    fn relink(&mut self, hash: u32, from: u32, to: u32) {
        let b = hash as usize & self.mask();
        if self.buckets[b] == from {
            self.buckets[b] = to;
            return;
        }
        let mut j = self.buckets[b];
        while j != NONE {
            let next = self.slots[index(j)].next;
            if next == from {
                self.slots[index(j)].next = to;
                return;
            }
            j = next;
        }
        debug_assert!(false, "entry missing from its chain");
    }

    /// Relinks every entry into a fresh array of `size` buckets (a power of two).
    fn rebuild(&mut self, size: usize) {
        debug_assert!(size.is_power_of_two() && size >= self.slots.len());
        self.buckets = vec![NONE; size];
        let mask = size - 1;
        for (i, s) in self.slots.iter_mut().enumerate() {
            let b = s.hash as usize & mask;
            s.next = self.buckets[b];
            self.buckets[b] = link(i);
        }
    }

    /// Visits the bucket named by `cursor`, calling `f` with each of its entries,
    /// and returns the next cursor (0 when the scan is complete).
    pub fn scan_step<'a>(&'a self, cursor: u64, f: &mut impl FnMut(&'a E)) -> u64 {
        if self.buckets.is_empty() {
            return 0;
        }
        let mask = self.mask() as u64;
        let mut l = self.buckets[(cursor & mask) as usize];
        while l != NONE {
            let s = &self.slots[index(l)];
            f(&s.entry);
            l = s.next;
        }
        next_cursor(cursor, mask)
    }

    /// One HSCAN/SSCAN call: visits buckets from `cursor` until `count` entries
    /// were passed to `f`, `10 * count` buckets were visited (as Redis bounds a
    /// sparse table's walk) or the scan completed; returns the next cursor.
    pub fn scan<'a>(&'a self, mut cursor: u64, count: usize, mut f: impl FnMut(&'a E)) -> u64 {
        let mut seen = 0usize;
        let mut visits = count.max(1).saturating_mul(10);
        loop {
            cursor = self.scan_step(cursor, &mut |e| {
                seen += 1;
                f(e)
            });
            visits -= 1;
            if cursor == 0 || seen >= count || visits == 0 {
                return cursor;
            }
        }
    }

    /// Checks every structural invariant (tests).
    #[cfg(test)]
    pub fn check(&self) {
        assert!(self.slots.len() <= self.buckets.len());
        if !self.buckets.is_empty() {
            assert!(self.buckets.len().is_power_of_two() && self.buckets.len() >= MIN_BUCKETS);
        }
        let mut seen = vec![false; self.slots.len()];
        for (b, &head) in self.buckets.iter().enumerate() {
            let mut l = head;
            while l != NONE {
                let s = &self.slots[index(l)];
                assert_eq!(s.hash as usize & self.mask(), b);
                assert_eq!(s.hash, hash_bytes(s.entry.key()));
                assert!(!seen[index(l)], "entry in two chains");
                seen[index(l)] = true;
                l = s.next;
            }
        }
        assert!(seen.iter().all(|&s| s), "entry in no chain");
        let owned: usize = self.slots.iter().map(|s| s.entry.heap_bytes()).sum();
        assert_eq!(owned, self.entry_bytes, "entry byte count");
    }
}

#[cfg(test)]
mod tests {

    /// The multiply-fold hash these tables used before, with the seed an
    /// attacker would assume (0): the function an attack is built against.
    fn old_unkeyed(bytes: &[u8]) -> u32 {
        const K1: u64 = 0xa076_1d64_78bd_642f;
        const K2: u64 = 0xe703_7ed1_a0b4_28db;
        let fold = |a: u64, b: u64| {
            let m = (a as u128) * (b as u128);
            (m as u64) ^ ((m >> 64) as u64)
        };
        let mut h = (bytes.len() as u64).wrapping_mul(K1);
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
            h = fold(h ^ w, K2 ^ h.rotate_left(17));
        }
        let mut w = [0u8; 8];
        w[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        h = fold(h ^ u64::from_le_bytes(w) ^ K1, K2);
        let h = fold(h, K1);
        (h ^ (h >> 32)) as u32
    }

    /// 24-byte keys whose second word cancels the state after the first: under
    /// the unkeyed function every one hashes the same, whatever its first word.
    fn flood(n: u64) -> Vec<Vec<u8>> {
        const K1: u64 = 0xa076_1d64_78bd_642f;
        const K2: u64 = 0xe703_7ed1_a0b4_28db;
        let fold = |a: u64, b: u64| {
            let m = (a as u128) * (b as u128);
            (m as u64) ^ ((m >> 64) as u64)
        };
        (0..n)
            .map(|i| {
                let h0 = 24u64.wrapping_mul(K1);
                let h1 = fold(h0 ^ i, K2 ^ h0.rotate_left(17));
                let mut k = i.to_le_bytes().to_vec();
                k.extend_from_slice(&h1.to_le_bytes());
                k.extend_from_slice(b"constant");
                k
            })
            .collect()
    }

    #[test]
    fn keys_built_to_collide_do_not_collide_under_the_keyed_hash() {
        let keys = flood(40_000);
        let old: std::collections::HashSet<u32> = keys.iter().map(|k| old_unkeyed(k)).collect();
        assert_eq!(old.len(), 1, "the attack collides under the unkeyed hash");
        let new: std::collections::HashSet<u32> = keys.iter().map(|k| hash_bytes(k)).collect();
        assert!(new.len() > 39_000, "{} distinct hashes", new.len());
        // And so a table of them costs what random keys cost: no bucket of
        // the grown table holds more than a handful.
        let mut d: Dict<Box<[u8]>> = Dict::new();
        for k in &keys {
            assert!(d.insert(k.clone().into_boxed_slice()).is_ok());
        }
        let mask = d.bucket_count() as u32 - 1;
        let mut per_bucket = std::collections::HashMap::new();
        for k in &keys {
            *per_bucket.entry(hash_bytes(k) & mask).or_insert(0u32) += 1;
        }
        let longest = per_bucket.values().max().copied().unwrap_or(0);
        assert!(longest < 16, "longest chain {longest}");
    }
    use super::*;
    use std::collections::{HashMap, HashSet};

    type Pair = (Box<[u8]>, Box<[u8]>);

    fn pair(k: &[u8], v: &[u8]) -> Pair {
        (k.into(), v.into())
    }

    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn random_operations_match_a_hashmap() {
        let mut d: Dict<Pair> = Dict::new();
        let mut m: HashMap<Vec<u8>, Vec<u8>> = HashMap::new();
        let mut rng = Rng(0x1234_5678_9abc_def1);
        for step in 0..20_000 {
            // a key space that drifts so the table grows and shrinks
            let span = if (step / 4000) % 2 == 0 { 3000 } else { 40 };
            let k = format!("k{}", rng.below(span)).into_bytes();
            match rng.below(4) {
                0 => {
                    let v = step.to_string().into_bytes();
                    let new = m.insert(k.clone(), v.clone()).is_none();
                    match d.insert(pair(&k, &v)) {
                        Ok(_) => assert!(new),
                        Err((i, _)) => {
                            assert!(!new);
                            d.replace_at(i, pair(&k, &v));
                        }
                    }
                }
                1 => {
                    let v = step.to_string().into_bytes();
                    let new = m.insert(k.clone(), v.clone()).is_none();
                    let (i, added) = d.find_or_insert_with(&k, || pair(&k, &v));
                    assert_eq!(added, new);
                    d.replace_at(i, pair(&k, &v));
                    assert_eq!(d.at(i).0.as_ref(), &k[..]);
                }
                2 => {
                    let got = d.remove(&k).map(|(_, v)| v.to_vec());
                    assert_eq!(got, m.remove(&k));
                }
                _ => {
                    let got = d.get(&k).map(|(_, v)| v.to_vec());
                    assert_eq!(got.as_ref(), m.get(&k));
                }
            }
            assert_eq!(d.len(), m.len());
            if step % 997 == 0 {
                d.check();
            }
        }
        d.check();
        for (k, v) in &m {
            assert_eq!(d.get(k).map(|(_, v)| &**v), Some(&v[..]));
        }
        let keys: HashSet<Vec<u8>> = d.iter().map(|(k, _)| k.to_vec()).collect();
        assert_eq!(keys.len(), m.len());
        // remove_at by position, down to empty
        while !d.is_empty() {
            let i = rng.below(d.len());
            let (k, _) = d.remove_at(i);
            assert!(m.remove(&k[..]).is_some());
            d.check();
        }
        assert!(m.is_empty());
        assert_eq!(d.bucket_count(), 0);
    }

    #[test]
    fn grows_and_shrinks_within_bounds() {
        let mut d: Dict<Box<[u8]>> = Dict::new();
        for n in 0..1000 {
            d.insert(n.to_string().into_bytes().into()).unwrap();
            assert!(d.len() <= d.bucket_count());
        }
        assert_eq!(d.bucket_count(), 1024);
        for n in 0..990 {
            assert!(d.remove(n.to_string().as_bytes()).is_some());
            assert!(d.len() * 8 >= d.bucket_count() || d.bucket_count() == MIN_BUCKETS);
        }
        assert_eq!(d.bucket_count(), 16);
        d.check();
        let other: Dict<Box<[u8]>> = (990..1000)
            .rev()
            .map(|n: i32| n.to_string().into_bytes().into())
            .collect();
        assert_eq!(d, other);
    }

    fn full_scan(d: &Dict<Box<[u8]>>, count: usize) -> Vec<Vec<u8>> {
        let mut seen = Vec::new();
        let mut cursor = 0;
        loop {
            cursor = d.scan(cursor, count, |e| seen.push(e.to_vec()));
            if cursor == 0 {
                return seen;
            }
        }
    }

    #[test]
    fn scan_of_a_static_table_returns_each_entry_once() {
        for n in [0usize, 1, 5, 777, 4096] {
            let d: Dict<Box<[u8]>> = (0..n)
                .map(|i| format!("m{i}").into_bytes().into())
                .collect();
            for count in [1, 10, 1000] {
                let seen = full_scan(&d, count);
                assert_eq!(seen.len(), n);
                assert_eq!(seen.iter().collect::<HashSet<_>>().len(), n);
            }
        }
    }

    /// The SCAN guarantee: entries present for the whole scan are all returned,
    /// while other entries are added and removed between steps so that the table
    /// grows and shrinks several times during one scan.
    #[test]
    fn scan_guarantee_under_inserts_removes_and_resizes() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let (mut grew, mut shrank) = (0, 0);
        for round in 0..30 {
            let mut d: Dict<Box<[u8]>> = Dict::new();
            let stable: Vec<Vec<u8>> = (0..60)
                .map(|n| format!("stable:{round}:{n}").into_bytes())
                .collect();
            for k in &stable {
                d.insert(k.clone().into()).unwrap();
            }
            let mut churn: Vec<Vec<u8>> = Vec::new();
            let mut churn_id = 0u64;
            let mut seen = HashSet::new();
            let mut cursor = 0;
            let mut steps = 0;
            loop {
                let before = d.bucket_count();
                cursor = d.scan(cursor, 1 + rng.below(8), |e| {
                    seen.insert(e.to_vec());
                });
                if cursor == 0 {
                    break;
                }
                steps += 1;
                // phases: add a lot (growing), then remove churn (shrinking)
                let adding = (steps / 6) % 2 == 0;
                for _ in 0..rng.below(300) {
                    if adding {
                        churn_id += 1;
                        let k = format!("churn:{round}:{churn_id}").into_bytes();
                        d.insert(k.clone().into()).unwrap();
                        churn.push(k);
                    } else if !churn.is_empty() {
                        let k = churn.swap_remove(rng.below(churn.len()));
                        assert!(d.remove(&k).is_some());
                    }
                }
                match d.bucket_count().cmp(&before) {
                    std::cmp::Ordering::Greater => grew += 1,
                    std::cmp::Ordering::Less => shrank += 1,
                    std::cmp::Ordering::Equal => {}
                }
            }
            d.check();
            for k in &stable {
                assert!(seen.contains(k), "round {round}: {k:?} never returned");
            }
        }
        assert!(grew > 20 && shrank > 20, "grew {grew}, shrank {shrank}");
    }

    #[test]
    fn scan_bounds_empty_bucket_visits() {
        let mut d: Dict<Box<[u8]>> = Dict::new();
        for n in 0..4096 {
            d.insert(n.to_string().into_bytes().into()).unwrap();
        }
        for n in 1..4096 {
            d.remove(n.to_string().as_bytes());
        }
        // one entry left in few buckets: a scan still finishes
        assert_eq!(full_scan(&d, 1), vec![b"0".to_vec()]);
    }
}
