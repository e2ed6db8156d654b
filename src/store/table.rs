//! The hash table behind one database: keys to entries, with a SCAN cursor that
//! survives resizes, O(1) random keys and O(1) random keys-with-a-TTL.
//!
//! Layout:
//! - `entries`: every entry, densely packed in a `Vec` (no holes). A random key is
//!   a random index; removing an entry moves the last one into its slot.
//! - `buckets`: a power-of-two array of chain heads; entry `i` lives in the chain
//!   of bucket `hash & mask`, linked through `Entry::next` (links are indices into
//!   `entries` plus one, 0 ending a chain).
//! - `old`: while a resize is in progress, the previous bucket array. Resizing is
//!   incremental, as in Redis: every insertion and removal (and the server cron)
//!   moves a few chains from `old` to `buckets`, so no single command pays for
//!   rehashing the whole table. Old buckets below `migrated` are already moved.
//! - `ttls`: the expiry times of the entries that have a TTL (see `ttl.rs`, as
//!   Redis's `expires` dict): a key without a TTL pays one bit for it. The
//!   active expiry cycle walks them with a cursor.
//! - `heap`: the heap bytes of all keys and values (see `store/mem.rs`), kept as
//!   entries come and go, so `used_memory` costs no pass over the keys (maxmemory
//!   reads it before every command). A value changes in place only through
//!   [`Table::entry_mut`], which remembers the entry it handed out and its bytes
//!   then (`pending`); the difference is added at the next `entry_mut` or
//!   removal, or on reading ([`Table::heap_bytes`]). Nothing else can reach a
//!   value mutably, so the sum stays exact.
//!
//! Invariants:
//! - every entry is in exactly one chain: while rehashing, in `old[hash & old_mask]`
//!   if that old bucket is at or after `migrated`, otherwise (and when not
//!   rehashing) in `buckets[hash & mask]` (see `home`);
//! - an entry's TTL bit is set exactly when `ttls` holds a time for its index;
//! - an entry is 48 bytes: key (16, inline up to 15 bytes), value (24), access
//!   stamp with 8 bits of the key's hash (4), and chain link with the TTL bit
//!   (4). The chain walk compares those 8 bits before the key bytes, so other
//!   keys of the chain are skipped without reading a long key's block; moving
//!   an entry to another chain (rehashing, removal) hashes its key again, as
//!   Redis's dict does;
//! - an entry's hash tag is the top 8 bits of its key's hash;
//! - `heap_bytes()` equals the sum of every entry's key and value heap bytes;
//! - `buckets.len()` is 0 or a power of two, and grows (doubling) before the table
//!   holds more entries than buckets, and shrinks when under 1/8 full; a resize
//!   requested while one is in progress first finishes the one in progress.
//!
//! SCAN (the reverse-binary cursor). A cursor names a bucket by its low bits. After
//! visiting bucket `c & mask`, the next cursor is found by incrementing `c` *from
//! its high bit downwards*: set the bits above the mask, reverse the bits, add one,
//! reverse again. With a table of 2^n buckets, bucket `b` holds exactly the keys
//! whose hash ends in the n bits of `b`. When the table doubles, bucket `b` splits
//! into `b` and `b | 2^n`; when it halves, `b` and `b | 2^(n-1)` merge. Because
//! the cursor increments its high bits first, the buckets already visited at any
//! size are always exactly the hash-suffixes "below" the cursor in reversed order,
//! at every other size too: after a resize, the cursor continues with the buckets
//! whose suffixes were not covered yet. So a key present for the whole scan is
//! returned at least once (a shrink may return some keys twice, as in Redis).
//! While rehashing, a step visits the smaller table's bucket and every bucket of
//! the larger table that expands it (they hold exactly the keys with that hash
//! suffix, wherever they currently live), and advances the cursor on the smaller
//! table's mask, as Redis's `dictScan` does.
use super::key::Key;
use super::ttl::Ttls;
use super::value::Value;

/// Chain links (bucket heads and `Entry::next`) store an entry index plus one, so
/// that 0 means "none" and a fresh bucket array is all zeros: the allocator hands
/// out zeroed pages without touching them, and a large resize costs no up-front
/// pass over memory (the incremental rehash touches it bit by bit).
const NONE: u32 = 0;

/// In `Entry::next`, the bit saying the entry has a TTL (the rest is the link).
const TTL_BIT: u32 = 1 << 31;

/// In `Entry::stamp`, the access stamp's bits (24, as Redis's `lru` field);
/// the top 8 bits are the key's hash tag.
const STAMP_MASK: u32 = (1 << 24) - 1;

/// The 8 bits of a key's hash an entry keeps (the top ones: bucket indices
/// use the low ones), so a chain walk skips most other keys without reading
/// their bytes (for a key longer than 15 bytes, in a block of its own).
#[inline]
fn tag(hash: u32) -> u32 {
    hash >> 24
}

fn link(i: usize) -> u32 {
    i as u32 + 1
}

fn index(l: u32) -> usize {
    (l - 1) as usize
}

/// One key with its value and metadata (the key's TTL, if any, is in the
/// table's [`Ttls`]).
#[derive(Debug, Clone)]
pub struct Entry {
    pub key: Key,
    pub value: Value,
    /// Low 24 bits: the last access stamp, seconds of the store's 24-bit LRU
    /// clock (OBJECT IDLETIME), or under an LFU policy the stamp of `lfu.rs`.
    /// High 8 bits: the key's hash tag ([`tag`]).
    stamp: u32,
    /// The next entry in the chain (a link), and [`TTL_BIT`].
    next: u32,
}

impl Entry {
    /// The access stamp (24 bits).
    #[inline]
    pub fn lru(&self) -> u32 {
        self.stamp & STAMP_MASK
    }

    #[inline]
    fn tag(&self) -> u32 {
        self.stamp >> 24
    }

    #[inline]
    fn next(&self) -> u32 {
        self.next & !TTL_BIT
    }

    #[inline]
    fn set_next(&mut self, l: u32) {
        self.next = (self.next & TTL_BIT) | l;
    }

    /// Whether the key has a TTL.
    #[inline]
    pub fn has_ttl(&self) -> bool {
        self.next & TTL_BIT != 0
    }
}

/// An entry taken out of the table, with its TTL (RENAME and MOVE carry it
/// over).
#[derive(Debug)]
pub struct Removed {
    pub key: Key,
    pub value: Value,
    pub lru: u32,
    /// Absolute expiry time in Unix milliseconds; 0 = no TTL.
    pub expire_at: u64,
}

/// Heap bytes of an entry's key and value.
#[inline]
fn entry_heap(e: &Entry) -> usize {
    e.key.heap_bytes() + e.value.heap_bytes()
}

/// A hash table from binary keys to [`Entry`].
#[derive(Debug, Clone)]
pub struct Table {
    entries: Vec<Entry>,
    buckets: Vec<u32>,
    old: Vec<u32>,
    migrated: usize,
    ttls: Ttls,
    /// Heap bytes of all keys and values, but for the change of `pending`'s.
    heap: usize,
    /// The entry last handed out by `entry_mut`, with its heap bytes then.
    pending: Option<(usize, usize)>,
}

impl Default for Table {
    fn default() -> Table {
        Table::new()
    }
}

impl Entry {
    /// What the key costs (MEMORY USAGE): the entry itself, its bucket
    /// link, the key's and the value's heap bytes.
    pub fn usage_bytes(&self) -> usize {
        std::mem::size_of::<Entry>()
            + std::mem::size_of::<u32>()
            + self.key.heap_bytes()
            + self.value.heap_bytes()
    }
}

/// A read-only view of a table's entries and their TTLs, from a live table
/// ([`Table::view`]) or a snapshot ([`Frozen::view`]): what SAVE, BGSAVE and
/// the AOF rewrite walk.
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    /// The entries, in storage order.
    pub entries: &'a [Entry],
    ttls: &'a Ttls,
}

impl<'a> View<'a> {
    /// Number of entries with a TTL.
    pub fn volatile_len(&self) -> usize {
        self.ttls.len()
    }

    /// Every entry with its expiry time (0 = none), in storage order.
    pub fn iter(&self) -> impl Iterator<Item = (&'a Entry, u64)> + 'a {
        let ttls = self.ttls;
        self.entries.iter().enumerate().map(move |(i, e)| {
            let at = if e.has_ttl() { ttls.get(i) } else { 0 };
            (e, at)
        })
    }
}

/// A point-in-time copy of a table's entries and TTLs (BGSAVE, AOF rewrite):
/// the values are shared with the live table (cloning a `Value` copies no
/// payload; see `value.rs`), so taking one is a pass of pointer copies.
#[derive(Debug, Clone, Default)]
pub struct Frozen {
    entries: Vec<Entry>,
    ttls: Ttls,
}

impl Frozen {
    pub fn view(&self) -> View<'_> {
        View {
            entries: &self.entries,
            ttls: &self.ttls,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Table {
    pub fn new() -> Table {
        Table {
            entries: Vec::new(),
            buckets: Vec::new(),
            old: Vec::new(),
            migrated: 0,
            ttls: Ttls::default(),
            heap: 0,
            pending: None,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Number of entries with a TTL.
    pub fn volatile_len(&self) -> usize {
        self.ttls.len()
    }

    /// Number of buckets (a power of two, or 0 when never used).
    pub fn bucket_count(&self) -> usize {
        self.buckets.len()
    }

    /// Size, elements and chain lengths of the bucket array (DEBUG HTSTATS),
    /// and while a resize is in progress first those of the array it empties
    /// (Redis's table 0; the new one is its "rehashing target").
    pub fn stats(&self) -> Vec<crate::store::htstats::TableStats> {
        let walk = |heads: &[u32]| {
            let mut s = crate::store::htstats::TableStats::chained(heads, self.len(), |link| {
                self.entries.get(link as usize - 1).map_or(NONE, |e| e.next)
            });
            if let Some(c) = &s.chains {
                s.elements = c.total_len;
            }
            s
        };
        if self.old.is_empty() {
            vec![walk(&self.buckets)]
        } else {
            vec![walk(&self.old), walk(&self.buckets)]
        }
    }

    /// The key's hash (SipHash-1-2 under the process's random key, as the
    /// other tables), truncated to 32 bits (enough for 2^32 buckets).
    pub fn hash(&self, key: &[u8]) -> u32 {
        crate::store::dict::hash_bytes(key)
    }

    /// Index of `key`'s entry.
    pub fn find(&self, key: &[u8]) -> Option<usize> {
        self.find_hashed(key, self.hash(key))
    }

    /// Index of `key`'s entry, given `hash == self.hash(key)`.
    pub fn find_hashed(&self, key: &[u8], hash: u32) -> Option<usize> {
        if self.buckets.is_empty() {
            return None;
        }
        let mut l = self.head(hash);
        while l != NONE {
            let e = &self.entries[index(l)];
            if e.tag() == tag(hash) && *e.key == *key {
                return Some(index(l));
            }
            l = e.next();
        }
        None
    }

    pub fn entry(&self, i: usize) -> &Entry {
        &self.entries[i]
    }

    /// Entry `i`'s expiry time in Unix milliseconds (0 = no TTL).
    #[inline]
    pub fn expire_at(&self, i: usize) -> u64 {
        if self.entries[i].has_ttl() {
            self.ttls.get(i)
        } else {
            0
        }
    }

    /// Entry `i` for modification (its value may change size: see `heap`).
    pub fn entry_mut(&mut self, i: usize) -> &mut Entry {
        if !matches!(self.pending, Some((j, _)) if j == i) {
            self.settle();
            self.pending = Some((i, entry_heap(&self.entries[i])));
        }
        &mut self.entries[i]
    }

    /// Stamps entry `i`'s access time (its value is left alone).
    pub fn set_lru(&mut self, i: usize, stamp: u32) {
        let e = &mut self.entries[i];
        e.stamp = (e.stamp & !STAMP_MASK) | (stamp & STAMP_MASK);
    }

    /// Heap bytes of all keys and values (what `MEMORY USAGE` would add up
    /// over every key, less the entries themselves). O(1).
    pub fn heap_bytes(&self) -> usize {
        match self.pending {
            Some((j, before)) => self.heap - before + entry_heap(&self.entries[j]),
            None => self.heap,
        }
    }

    /// Adds the change of the entry last handed out to `heap`.
    fn settle(&mut self) {
        if let Some((j, before)) = self.pending.take() {
            self.heap = self.heap - before + entry_heap(&self.entries[j]);
        }
    }

    /// All entries, in storage order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entries with their TTLs, read-only (SAVE).
    pub fn view(&self) -> View<'_> {
        View {
            entries: &self.entries,
            ttls: &self.ttls,
        }
    }

    /// A snapshot of the entries with their TTLs (BGSAVE, AOF rewrite).
    pub fn freeze(&self) -> Frozen {
        Frozen {
            entries: self.entries.clone(),
            ttls: self.ttls.clone(),
        }
    }

    /// Heap bytes of the table's own arrays beyond the entries in use (both
    /// bucket arrays; the TTL side table), as the allocator sizes them: the
    /// keyspace's overhead in MEMORY STATS (`overhead.hashtable.main`,
    /// `.expires`). The entries array counts only the entries it holds (the
    /// keys' part of the dataset): the room it reserves when it doubles is
    /// address space the program has not written, so not resident memory, and
    /// counting it would make `used_memory` jump by the array's whole size at
    /// each doubling (under maxmemory, evicting that much at once).
    pub fn overhead_bytes(&self) -> (usize, usize) {
        use super::mem::vec_bytes;
        (
            vec_bytes::<u32>(self.buckets.capacity()) + vec_bytes::<u32>(self.old.capacity()),
            self.ttls.heap_bytes(),
        )
    }

    /// Adds a key known to be absent (no TTL) and returns its index.
    pub fn insert_new(&mut self, key: &[u8], value: Value, lru: u32) -> usize {
        self.insert_hashed(key, self.hash(key), value, lru)
    }

    /// [`insert_new`](Self::insert_new) with `hash == self.hash(key)` already known.
    pub fn insert_hashed(&mut self, key: &[u8], hash: u32, value: Value, lru: u32) -> usize {
        debug_assert!(self.find_hashed(key, hash).is_none());
        self.rehash_step(1);
        if self.entries.len() >= self.buckets.len() {
            self.start_resize((self.buckets.len() * 2).max(4));
        }
        let i = self.entries.len();
        let slot = self.home_mut(hash);
        let next = *slot;
        *slot = link(i);
        let e = Entry {
            key: Key::new(key),
            value,
            stamp: (tag(hash) << 24) | (lru & STAMP_MASK),
            next,
        };
        self.heap += entry_heap(&e);
        self.entries.push(e);
        i
    }

    /// Makes room for `n` entries in all, so that inserting them resizes
    /// nothing (RDB loading's RESIZEDB hint, as Redis's `dictExpand`).
    pub fn reserve(&mut self, n: usize) {
        if n > self.buckets.len() {
            self.start_resize(n.next_power_of_two());
        }
        self.entries.reserve(n.saturating_sub(self.entries.len()));
    }

    /// Removes entry `i` and returns it with its TTL. The last entry moves into
    /// slot `i`, so indices held by the caller are invalid afterwards.
    pub fn remove_at(&mut self, i: usize) -> Removed {
        // indices move below: the entry handed out last is settled first
        self.settle();
        self.rehash_step(1);
        let expire_at = self.expire_at(i);
        self.set_expire(i, 0);
        let hash = self.hash(&self.entries[i].key);
        self.relink(hash, link(i), self.entries[i].next());
        let last = self.entries.len() - 1;
        if i != last {
            let moved_hash = self.hash(&self.entries[last].key);
            self.relink(moved_hash, link(last), link(i));
            if self.entries[last].has_ttl() {
                self.ttls.moved(last, i);
            }
        }
        let e = self.entries.swap_remove(i);
        self.heap -= entry_heap(&e);
        if self.buckets.len() > 4 && self.entries.len() * 8 < self.buckets.len() {
            self.start_resize(self.entries.len().next_power_of_two().max(4));
        }
        Removed {
            lru: e.lru(),
            key: e.key,
            value: e.value,
            expire_at,
        }
    }

    /// In the chain of `hash`, replaces the link that points to `from` by `to`.
    fn relink(&mut self, hash: u32, from: u32, to: u32) {
        let slot = self.home_mut(hash);
        if *slot == from {
            *slot = to;
            return;
        }
        let mut j = *slot;
        while j != NONE {
            let next = self.entries[index(j)].next();
            if next == from {
                self.entries[index(j)].set_next(to);
                return;
            }
            j = next;
        }
        debug_assert!(false, "entry missing from its chain");
    }

    /// Sets (or with 0, clears) the TTL of entry `i`.
    pub fn set_expire(&mut self, i: usize, at: u64) {
        let e = &mut self.entries[i];
        if at != 0 {
            e.next |= TTL_BIT;
            self.ttls.set(i, at);
        } else if e.has_ttl() {
            e.next &= !TTL_BIT;
            self.ttls.remove(i);
        }
    }

    /// The `n`-th entry with a TTL (`n < volatile_len()`): its index and expiry time.
    pub fn volatile_at(&self, n: usize) -> (usize, u64) {
        self.ttls.at(n)
    }

    /// Where the chain holding `hash` starts: `(in_old, bucket)`.
    fn home(&self, hash: u32) -> (bool, usize) {
        if !self.old.is_empty() {
            let ob = (hash as usize) & (self.old.len() - 1);
            if ob >= self.migrated {
                return (true, ob);
            }
        }
        (false, (hash as usize) & (self.buckets.len() - 1))
    }

    fn head(&self, hash: u32) -> u32 {
        match self.home(hash) {
            (true, b) => self.old[b],
            (false, b) => self.buckets[b],
        }
    }

    fn home_mut(&mut self, hash: u32) -> &mut u32 {
        match self.home(hash) {
            (true, b) => &mut self.old[b],
            (false, b) => &mut self.buckets[b],
        }
    }

    /// True while entries are being moved to a resized bucket array.
    pub fn is_rehashing(&self) -> bool {
        !self.old.is_empty()
    }

    /// Begins moving to `size` buckets (finishing any resize in progress first).
    fn start_resize(&mut self, size: usize) {
        debug_assert!(size.is_power_of_two());
        self.rehash_all();
        if self.buckets.is_empty() {
            self.buckets = vec![NONE; size];
            return;
        }
        self.old = std::mem::replace(&mut self.buckets, vec![NONE; size]);
        self.migrated = 0;
    }

    /// Moves up to `n` non-empty old chains (looking at no more than `10 * n`
    /// empty old buckets) into the current buckets. Returns true when done.
    pub fn rehash_step(&mut self, n: usize) -> bool {
        let mut moves = n;
        let mut empty_visits = n.saturating_mul(10);
        while moves > 0 && self.migrated < self.old.len() {
            let head = std::mem::replace(&mut self.old[self.migrated], NONE);
            self.migrated += 1;
            if head == NONE {
                empty_visits -= 1;
                if empty_visits == 0 {
                    break;
                }
                continue;
            }
            let mask = self.buckets.len() - 1;
            let mut l = head;
            while l != NONE {
                let e = &mut self.entries[index(l)];
                let next = e.next();
                let b = (crate::store::dict::hash_bytes(&e.key) as usize) & mask;
                e.set_next(self.buckets[b]);
                self.buckets[b] = l;
                l = next;
            }
            moves -= 1;
        }
        if !self.old.is_empty() && self.migrated >= self.old.len() {
            self.old = Vec::new();
            self.migrated = 0;
        }
        self.old.is_empty()
    }

    /// Finishes any resize in progress.
    fn rehash_all(&mut self) {
        while !self.rehash_step(usize::MAX) {}
    }

    /// Visits every entry whose chain starts at `head`.
    fn visit_chain(&self, head: u32, f: &mut impl FnMut(&Entry)) {
        let mut l = head;
        while l != NONE {
            let e = &self.entries[index(l)];
            f(e);
            l = e.next();
        }
    }

    /// Visits the bucket named by `cursor`, calling `f` with each of its entries,
    /// and returns the next cursor (0 when the scan is complete).
    pub fn scan_step(&self, cursor: u64, mut f: impl FnMut(&Entry)) -> u64 {
        if self.buckets.is_empty() {
            return 0;
        }
        let next = |v: u64, mask: u64| (v | !mask).reverse_bits().wrapping_add(1).reverse_bits();
        if self.old.is_empty() {
            let mask = (self.buckets.len() - 1) as u64;
            self.visit_chain(self.buckets[(cursor & mask) as usize], &mut f);
            return next(cursor, mask);
        }
        let (small, big) = if self.old.len() <= self.buckets.len() {
            (&self.old, &self.buckets)
        } else {
            (&self.buckets, &self.old)
        };
        let (m0, m1) = ((small.len() - 1) as u64, (big.len() - 1) as u64);
        self.visit_chain(small[(cursor & m0) as usize], &mut f);
        // Every bucket of the larger table whose low bits are the small bucket's,
        // in reverse-binary order; the carry out of the extra bits advances the
        // cursor on the smaller table.
        let mut v = cursor;
        loop {
            self.visit_chain(big[(v & m1) as usize], &mut f);
            v = next(v, m1);
            if v & (m0 ^ m1) == 0 {
                return v;
            }
        }
    }

    /// Drops everything.
    pub fn clear(&mut self) {
        *self = Table::new();
    }

    /// Checks every structural invariant (tests).
    #[cfg(test)]
    pub fn check(&self) {
        let mut seen = 0;
        for (in_old, table) in [(false, &self.buckets), (true, &self.old)] {
            for (b, &head) in table.iter().enumerate() {
                if in_old && b < self.migrated {
                    assert_eq!(head, NONE, "migrated old bucket not empty");
                }
                let mut l = head;
                while l != NONE {
                    let e = &self.entries[index(l)];
                    assert_eq!(self.home(self.hash(&e.key)), (in_old, b));
                    seen += 1;
                    l = e.next();
                }
            }
        }
        assert_eq!(seen, self.entries.len());
        self.ttls.check();
        for (i, e) in self.entries.iter().enumerate() {
            assert_eq!(e.has_ttl(), self.ttls.get(i) != 0);
        }
        let with_ttl = self.entries.iter().filter(|e| e.has_ttl()).count();
        assert_eq!(with_ttl, self.ttls.len());
        let heap: usize = self.entries.iter().map(entry_heap).sum();
        assert_eq!(heap, self.heap_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn key(n: u64) -> Vec<u8> {
        format!("key:{n}").into_bytes()
    }

    #[test]
    fn heap_sum_follows_inserts_changes_and_removals() {
        let mut t = Table::new();
        let long = |n: usize| Value::Raw(std::sync::Arc::new(vec![b'x'; n]));
        for n in 0..300u64 {
            // long keys (heap) and short ones (inline), values of every size
            let k = if n % 3 == 0 {
                format!("a-key-long-enough-to-leave-the-entry:{n}").into_bytes()
            } else {
                key(n)
            };
            t.insert_new(&k, long(n as usize * 7), 0);
        }
        t.check();
        let mut rng = 12345u64;
        for step in 0..3000u64 {
            rng = rng
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let i = (rng >> 33) as usize % t.len();
            match step % 5 {
                // the same entry changed twice in a row, then another
                0 | 1 => t.entry_mut(i).value = long((rng >> 20) as usize % 900),
                2 => t.entry_mut(i).value = Value::Int(step as i64),
                3 => {
                    let e = t.remove_at(i);
                    t.insert_new(&e.key, long(step as usize % 500), 0);
                }
                _ => t.set_lru(i, step as u32),
            }
            if step % 97 == 0 {
                t.check();
            }
        }
        t.check();
        while !t.is_empty() {
            t.entry_mut(0).value = long(10);
            t.remove_at(0);
        }
        assert_eq!(t.heap_bytes(), 0);
    }

    #[test]
    fn incremental_resize_moves_everything_and_keeps_lookups_working() {
        let mut t = Table::new();
        for n in 0..5000 {
            t.insert_new(&key(n), Value::Int(n as i64), 0);
            if n % 97 == 0 {
                t.check();
            }
            if n % 499 == 0 {
                let probe = n / 2;
                assert_eq!(
                    t.find(&key(probe)).map(|i| t.entry(i).value.clone()),
                    Some(Value::Int(probe as i64))
                );
            }
        }
        while !t.rehash_step(10) {
            t.check();
        }
        assert!(!t.is_rehashing());
        t.check();
        for n in 0..5000 {
            assert!(t.find(&key(n)).is_some());
        }
    }

    #[test]
    fn insert_find_remove_keep_invariants() {
        assert_eq!(std::mem::size_of::<Entry>(), 48);
        let mut t = Table::new();
        for n in 0..1000 {
            let i = t.insert_new(&key(n), Value::Int(n as i64), 0);
            if n % 3 == 0 {
                t.set_expire(i, 1000 + n);
            }
        }
        t.check();
        assert_eq!(t.len(), 1000);
        assert_eq!(t.volatile_len(), 334);
        for n in (0..1000).step_by(2) {
            let i = t.find(&key(n)).unwrap();
            let e = t.remove_at(i);
            assert_eq!(e.value, Value::Int(n as i64));
        }
        t.check();
        for n in 0..1000 {
            let found = t.find(&key(n)).map(|i| t.entry(i).value.clone());
            let want = (n % 2 == 1).then_some(Value::Int(n as i64));
            assert_eq!(found, want);
        }
        for n in (1..1000).step_by(2) {
            let i = t.find(&key(n)).unwrap();
            t.remove_at(i);
        }
        t.check();
        assert!(t.is_empty());
        assert!(t.bucket_count() <= 4);
    }

    /// A full SCAN on a quiet table returns every key exactly once.
    #[test]
    fn scan_quiet_table_returns_each_key_once() {
        let mut t = Table::new();
        for n in 0..777 {
            t.insert_new(&key(n), Value::Int(0), 0);
        }
        let mut seen = Vec::new();
        let mut cursor = 0;
        loop {
            cursor = t.scan_step(cursor, |e| seen.push(e.key.to_vec()));
            if cursor == 0 {
                break;
            }
        }
        assert_eq!(seen.len(), 777);
        assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 777);
    }

    /// The SCAN guarantee: keys present for the whole iteration are all returned,
    /// while other keys are inserted and deleted between steps so that the table
    /// grows and shrinks several times, and many steps run in the middle of an
    /// incremental resize (in both directions).
    #[test]
    fn scan_guarantee_under_inserts_deletes_and_resizes() {
        let mut rng = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let (mut rehashing_up, mut rehashing_down) = (0, 0);
        for round in 0..20 {
            let mut t = Table::new();
            let stable: Vec<Vec<u8>> = (0..50)
                .map(|n| format!("stable:{round}:{n}").into_bytes())
                .collect();
            for k in &stable {
                t.insert_new(k, Value::Int(1), 0);
            }
            let mut churn: Vec<Vec<u8>> = Vec::new();
            let mut churn_id = 0u64;
            let mut seen = HashSet::new();
            let mut cursor = 0;
            let mut sizes = HashSet::new();
            let mut steps = 0;
            loop {
                cursor = t.scan_step(cursor, |e| {
                    seen.insert(e.key.to_vec());
                });
                steps += 1;
                // Phases: grow a lot, then delete every churn key (shrinking), and again.
                let phase = (steps / 25) % 2;
                let ops = (next() % 40) as usize;
                for _ in 0..ops {
                    if phase == 0 {
                        churn_id += 1;
                        let k = format!("churn:{churn_id}").into_bytes();
                        t.insert_new(&k, Value::Int(2), 0);
                        churn.push(k);
                    } else if !churn.is_empty() {
                        let j = (next() as usize) % churn.len();
                        let k = churn.swap_remove(j);
                        let i = t.find(&k).unwrap();
                        t.remove_at(i);
                    }
                }
                sizes.insert(t.bucket_count());
                if t.is_rehashing() {
                    if t.old.len() < t.buckets.len() {
                        rehashing_up += 1;
                    } else {
                        rehashing_down += 1;
                    }
                }
                if steps % 50 == 0 {
                    t.check();
                }
                if cursor == 0 || steps > 100_000 {
                    break;
                }
            }
            t.check();
            assert_eq!(cursor, 0, "the scan should complete");
            assert!(sizes.len() > 3, "the table should have resized: {sizes:?}");
            for k in &stable {
                assert!(
                    seen.contains(k),
                    "round {round}: missing {:?}",
                    String::from_utf8_lossy(k)
                );
            }
        }
        assert!(
            rehashing_up > 0 && rehashing_down > 0,
            "scans should meet both rehash kinds: {rehashing_up} up, {rehashing_down} down"
        );
    }
}
