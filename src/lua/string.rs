//! Lua strings: immutable byte strings, interned by content.
//!
//! Every string the VM creates goes through [`Interner::intern`], so two strings
//! with the same bytes are the same heap object: string equality and table
//! lookup by a string key compare handles, never bytes. Bytes are arbitrary
//! (Redis payloads are binary); nothing assumes UTF-8.
//!
//! Two hashes are computed once at creation and cached:
//!
//! - [`LuaStr::hash`], keyed and covering every byte
//!   ([`super::siphash::hash_bytes`]). The intern table always uses it: Lua
//!   5.1's hash samples at most ~32 bytes of a long string and has no key, so
//!   a client could send thousands of strings differing only in unsampled
//!   bytes, all in one chain, and make interning quadratic (hash flooding).
//!   The order of the intern chains is never visible to scripts.
//! - [`LuaStr::h51`], Lua's own unkeyed hash ([`lua51_hash`]). Tables place
//!   string keys with it, so their nodes, and therefore the order
//!   `next`/`pairs` walk them, are exactly those of the reference Lua. Two
//!   references differ here: lua5.1 samples about 32 bytes of a longer
//!   string, while the Lua inside redis-server 7.0 folds in every byte
//!   ([`Interner::set_every_byte`]; for strings under 32 bytes the two agree).
//!   `cjson.encode` writes object keys in this order, so EVAL's replies
//!   depend on it. A table that sees a suspiciously long chain switches to
//!   the keyed hash (see `table.rs`).
//!
//! Invariants: the intern table's length is a power of two and it is at most
//! half full; every live string has exactly one cell, reachable by probing
//! forward from `hash & mask` without meeting a free cell; the collector takes
//! each string it frees out of the table first ([`Interner::unlink`]).

use super::heap::arena::Arena;
use super::siphash::hash_bytes;
use super::value::StrRef;
use std::sync::Arc;

/// A heap string.
pub struct LuaStr {
    /// The bytes, shared cheaply with native code that needs them across calls.
    pub bytes: Arc<[u8]>,
    /// Keyed content hash (the intern table's; a table's under attack).
    pub hash: u32,
    /// Lua's unkeyed hash (a table's normal placement of this key).
    pub h51: u32,
}

impl LuaStr {
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// Lua 5.1's string hash: seeded with the length, it folds in one byte in
/// every `step = len / 32 + 1`, walking from the last byte towards the first
/// (so a string longer than 32 bytes contributes only about 32 of its bytes),
/// each time as `h ^= (h << 5) + (h >> 2) + byte`. With `every_byte` the step
/// is 1, as in the Lua redis-server embeds. Unkeyed (and, in 5.1's form,
/// sampling): never the only defence against chosen collisions.
pub fn lua51_hash(b: &[u8], every_byte: bool) -> u32 {
    let len = b.len();
    let mut h = len as u32;
    let step = if every_byte { 1 } else { (len >> 5) + 1 };
    let mut i = len;
    while i >= step {
        let byte = b.get(i - 1).copied().unwrap_or(0);
        h ^= (h << 5).wrapping_add(h >> 2).wrapping_add(byte as u32);
        i -= step;
    }
    h
}

/// One cell of the intern table: a string's keyed hash beside its arena
/// slot, so a probe compares hashes without touching the string itself.
#[derive(Clone, Copy)]
struct Cell {
    hash: u32,
    /// Arena slot of the string; [`EMPTY`] for a free cell.
    idx: u32,
}

const EMPTY: u32 = u32::MAX;
const FREE: Cell = Cell {
    hash: 0,
    idx: EMPTY,
};
/// The smallest cell count (a power of two).
const MIN_CELLS: usize = 512;

/// The intern table: open addressing with linear probing over the string
/// arena, at most half full. A lookup usually costs one cache line of the
/// table (plus the string's bytes when the hash matches); a miss never
/// touches another string.
pub struct Interner {
    cells: Vec<Cell>,
    count: usize,
    /// [`LuaStr::h51`] folds in every byte (Redis's Lua) rather than 5.1's
    /// sample; see [`Interner::set_every_byte`].
    every_byte: bool,
}

impl Default for Interner {
    fn default() -> Self {
        Interner {
            cells: vec![FREE; MIN_CELLS],
            count: 0,
            every_byte: false,
        }
    }
}

impl Interner {
    /// Finds the string with these bytes, or creates it. Returns the handle and
    /// whether it was newly allocated.
    pub fn intern(&mut self, arena: &mut Arena<LuaStr>, b: &[u8]) -> (StrRef, bool) {
        let hash = hash_bytes(b);
        let mask = self.cells.len() - 1;
        let mut i = hash as usize & mask;
        loop {
            let c = self.cells[i];
            if c.idx == EMPTY {
                break;
            }
            if c.hash == hash {
                if let Some((h, s)) = arena.live_at(c.idx) {
                    if *s.bytes == *b {
                        return (h, false);
                    }
                }
            }
            i = (i + 1) & mask;
        }
        let h = arena.insert(LuaStr {
            bytes: Arc::from(b),
            hash,
            h51: lua51_hash(b, self.every_byte),
        });
        self.cells[i] = Cell { hash, idx: h.idx };
        self.count += 1;
        if self.count * 2 > self.cells.len() {
            self.resize(arena, self.cells.len() * 2);
        }
        (h, true)
    }

    /// Chooses the unkeyed hash's variant and recomputes it for the strings
    /// that exist (tables holding them must then rehash their string keys).
    pub fn set_every_byte(&mut self, arena: &mut Arena<LuaStr>, on: bool) {
        self.every_byte = on;
        let all: Vec<StrRef> = arena.handles().collect();
        for h in all {
            let s = arena.get_mut(h);
            s.h51 = lua51_hash(&s.bytes, on);
        }
    }

    /// Rebuilds the table with `n` cells (a power of two, at least twice the
    /// number of strings) from the arena's live strings.
    fn resize(&mut self, arena: &Arena<LuaStr>, n: usize) {
        self.cells = vec![FREE; n];
        self.count = 0;
        let mask = n - 1;
        for h in arena.handles() {
            let hash = arena.get(h).hash;
            let mut i = hash as usize & mask;
            while self.cells[i].idx != EMPTY {
                i = (i + 1) & mask;
            }
            self.cells[i] = Cell { hash, idx: h.idx };
            self.count += 1;
        }
    }

    /// Takes string `h` (about to be freed by the collector) out of the table.
    pub fn unlink(&mut self, arena: &mut Arena<LuaStr>, h: StrRef) {
        let mask = self.cells.len() - 1;
        let mut i = arena.get(h).hash as usize & mask;
        loop {
            let c = self.cells[i];
            if c.idx == EMPTY {
                return;
            }
            if c.idx == h.idx {
                break;
            }
            i = (i + 1) & mask;
        }
        self.count -= 1;
        // backward-shift deletion: every later cell of the same run that may
        // live in the hole moves into it, so no probe ever stops early
        let mut hole = i;
        let mut j = i;
        loop {
            j = (j + 1) & mask;
            let c = self.cells[j];
            if c.idx == EMPTY {
                break;
            }
            let home = c.hash as usize & mask;
            // `c` may move back to `hole` when `hole` lies on its probe path
            if (j.wrapping_sub(home) & mask) >= (j.wrapping_sub(hole) & mask) {
                self.cells[hole] = c;
                hole = j;
            }
        }
        self.cells[hole] = FREE;
    }

    /// Shrinks the table when it became sparse (after a sweep).
    pub fn shrink_if_sparse(&mut self, arena: &mut Arena<LuaStr>) {
        let mut n = self.cells.len();
        while n > MIN_CELLS && arena.len() < n / 8 {
            n /= 2;
        }
        if n != self.cells.len() {
            self.resize(arena, n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_gives_one_object_per_content() {
        let mut arena = Arena::default();
        let mut it = Interner::default();
        let (a, new_a) = it.intern(&mut arena, b"hello");
        let (b, new_b) = it.intern(&mut arena, b"hello");
        let (c, _) = it.intern(&mut arena, b"hellO");
        assert!(new_a && !new_b);
        assert_eq!(a, b);
        assert_ne!(a, c);
        for i in 0..2000 {
            it.intern(&mut arena, format!("k{i}").as_bytes());
        }
        let (d, new_d) = it.intern(&mut arena, b"k1999");
        assert!(!new_d);
        assert_eq!(arena.get(d).as_bytes(), b"k1999");
        assert_eq!(it.intern(&mut arena, b"").0, it.intern(&mut arena, b"").0);
    }

    /// Strings taken out (as the collector does before freeing them) leave
    /// every other string findable, through growth and shrinking.
    #[test]
    fn unlink_keeps_the_others_findable() {
        let mut arena = Arena::default();
        let mut it = Interner::default();
        let keys: Vec<String> = (0..5000).map(|i| format!("s{i}")).collect();
        let hs: Vec<StrRef> = keys
            .iter()
            .map(|k| it.intern(&mut arena, k.as_bytes()).0)
            .collect();
        for (i, h) in hs.iter().enumerate() {
            if i % 3 != 0 {
                it.unlink(&mut arena, *h);
                arena.free(*h);
            }
        }
        it.shrink_if_sparse(&mut arena);
        for (i, k) in keys.iter().enumerate() {
            let (h, new) = it.intern(&mut arena, k.as_bytes());
            assert_eq!(new, i % 3 != 0, "{k}");
            if i % 3 == 0 {
                assert_eq!(h, hs[i]);
            }
        }
        assert_eq!(it.count, 5000);
    }
}

/// Hash flooding: inputs that all collide under the old unkeyed, sampling
/// hash must intern in time linear in their number.
#[cfg(test)]
pub(crate) mod flooding_tests {

    /// The hash this interner used before (5.1's: unkeyed, sampling about 32
    /// bytes of a long string), kept to build colliding inputs.
    fn old_hash(b: &[u8]) -> u32 {
        let len = b.len();
        let mut h: u32 = (len as u32) ^ 0x9e37_79b9;
        let step = (len >> 5) + 1;
        let mut i = len;
        while i >= step {
            h ^= h
                .wrapping_shl(5)
                .wrapping_add(h >> 2)
                .wrapping_add(b[i - 1] as u32);
            i -= step;
        }
        h
    }

    /// `n` distinct 64-byte strings differing only in bytes 1, 2 and 4,
    /// which the old hash skips: all of them have one old hash.
    pub(crate) fn colliding(n: usize) -> Vec<Vec<u8>> {
        (0..n)
            .map(|i| {
                let mut s = vec![b'x'; 64];
                s[1] = i as u8;
                s[2] = (i >> 8) as u8;
                s[4] = (i >> 16) as u8;
                s
            })
            .collect()
    }

    /// Inputs built to collide under the old hash get distinct hashes under the
    /// keyed one (under the old hash, interning 40,000 of them took 3.2 s
    /// against 0.04 s for random strings; now 0.053 s).
    #[test]
    fn colliding_strings_spread_over_the_interner() {
        let bad = colliding(40_000);
        let h = old_hash(&bad[0]);
        assert!(
            bad.iter().all(|s| old_hash(s) == h),
            "inputs collide under the old hash"
        );
        // They spread like any strings: (almost) all hashes distinct, so the
        // interner's chains stay as short as chance makes them. (Counting
        // hashes, not seconds: tests run in parallel on a shared machine.)
        let distinct: std::collections::HashSet<u32> = bad
            .iter()
            .map(|s| crate::lua::siphash::hash_bytes(s))
            .collect();
        assert!(
            distinct.len() > 39_000,
            "{} distinct hashes",
            distinct.len()
        );
    }

    /// Number keys whose two 32-bit halves xor to one value (all one hash in
    /// tables before) insert as fast as ordinary ones.
    #[test]
    fn colliding_number_keys_spread_over_tables() {
        let n = 40_000u64;
        let bad: Vec<f64> = (0..n)
            .map(|i| f64::from_bits(((0x4100_0000 + i) << 32) | ((0x4100_0000 + i) ^ 0x5555)))
            .collect();
        let distinct: std::collections::HashSet<u32> = bad
            .iter()
            .map(|k| crate::lua::siphash::hash_u64(k.to_bits()))
            .collect();
        assert!(
            distinct.len() > 39_000,
            "{} distinct hashes",
            distinct.len()
        );
    }
}
