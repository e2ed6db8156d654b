//! The expiry times of a table's keys that have one: Redis's `expires` dict.
//!
//! Redis keeps a key's TTL out of the key's own dict entry, in a second dict
//! holding only the keys that have one, so a key without a TTL pays nothing for
//! it. Same here: a keyspace entry (see `table.rs`) carries one bit saying "I
//! have a TTL", and the time itself lives in [`Ttls`]:
//! - `list`: (entry index, expiry time in Unix milliseconds) for every entry
//!   with a TTL, densely packed, so a random key with a TTL is a random
//!   position (eviction's `volatile-*` sampling) and the active expiry cycle
//!   walks it with a cursor;
//! - `pos`: entry index -> position in `list`, to find, change or remove one
//!   entry's TTL in O(1).
//!
//! Entry indices change when the table moves its last entry into a freed slot;
//! the table then calls [`Ttls::moved`].
//!
//! Invariants: `pos[list[j].0] == j` for every `j`, and `pos` has no other
//! keys; every time in `list` is non-zero.
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Hashes an entry index (a small dense integer, not chosen by clients:
/// indices are positions in the table's array) by one multiplication, which
/// spreads consecutive indices over both the low bits (bucket) and the high
/// bits (the map's tag byte).
#[derive(Default)]
pub struct IndexHasher(u64);

impl Hasher for IndexHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = (u64::from(n) + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// The TTLs of one table; see the module documentation.
#[derive(Debug, Clone, Default)]
pub struct Ttls {
    list: Vec<(u32, u64)>,
    pos: HashMap<u32, u32, BuildHasherDefault<IndexHasher>>,
}

impl Ttls {
    /// Number of entries with a TTL.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The expiry time of entry `i` (0 when it has none).
    #[inline]
    pub fn get(&self, i: usize) -> u64 {
        self.pos
            .get(&(i as u32))
            .and_then(|&p| self.list.get(p as usize))
            .map_or(0, |&(_, at)| at)
    }

    /// Sets entry `i`'s expiry time to `at` (non-zero).
    pub fn set(&mut self, i: usize, at: u64) {
        debug_assert!(at != 0);
        match self.pos.get(&(i as u32)) {
            Some(&p) => {
                if let Some(slot) = self.list.get_mut(p as usize) {
                    slot.1 = at;
                }
            }
            None => {
                self.pos.insert(i as u32, self.list.len() as u32);
                self.list.push((i as u32, at));
            }
        }
    }

    /// Forgets entry `i`'s TTL; returns it (0 when it had none).
    pub fn remove(&mut self, i: usize) -> u64 {
        let Some(p) = self.pos.remove(&(i as u32)) else {
            return 0;
        };
        let p = p as usize;
        let at = self.list.swap_remove(p).1;
        if let Some(&(moved, _)) = self.list.get(p) {
            self.pos.insert(moved, p as u32);
        }
        if self.list.is_empty() {
            // give the map's and list's blocks back once no key has a TTL
            *self = Ttls::default();
        }
        at
    }

    /// Entry `from` (which has a TTL) is now entry `to`.
    pub fn moved(&mut self, from: usize, to: usize) {
        if let Some(p) = self.pos.remove(&(from as u32)) {
            self.pos.insert(to as u32, p);
            if let Some(slot) = self.list.get_mut(p as usize) {
                slot.0 = to as u32;
            }
        }
    }

    /// The `n`-th (entry index, expiry time) (`n < len()`).
    pub fn at(&self, n: usize) -> (usize, u64) {
        let (i, at) = self.list[n];
        (i as usize, at)
    }

    /// Heap bytes of the list and the map, as the allocator sizes them
    /// (`overhead.hashtable.expires`). The map is an open-addressing table:
    /// a power of two of slots (at least 8/7 of its capacity), each holding a
    /// pair of `u32`s and one control byte, plus one group (16) of control
    /// bytes more.
    pub fn heap_bytes(&self) -> usize {
        use super::mem::{alloc_size, vec_bytes};
        let cap = self.pos.capacity();
        let map = if cap == 0 {
            0
        } else {
            let slots = if cap < 8 { cap + 1 } else { cap * 8 / 7 }.next_power_of_two();
            alloc_size(slots * (8 + 1) + 16)
        };
        vec_bytes::<(u32, u64)>(self.list.capacity()) + map
    }

    /// Checks the invariants (tests).
    #[cfg(test)]
    pub fn check(&self) {
        assert_eq!(self.pos.len(), self.list.len());
        for (j, &(i, at)) in self.list.iter().enumerate() {
            assert_eq!(self.pos.get(&i), Some(&(j as u32)));
            assert_ne!(at, 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_move_remove_keep_list_and_map_in_step() {
        let mut t = Ttls::default();
        for i in 0..100 {
            t.set(i, 1000 + i as u64);
        }
        t.set(5, 7);
        assert_eq!(t.get(5), 7);
        assert_eq!(t.get(100), 0);
        t.check();
        for i in (0..100).step_by(3) {
            assert_eq!(t.remove(i), if i == 5 { 7 } else { 1000 + i as u64 });
        }
        assert_eq!(t.remove(0), 0);
        t.moved(98, 0);
        assert_eq!(t.get(0), 1098);
        assert_eq!(t.get(98), 0);
        t.check();
        assert_eq!(t.len(), 66);
        assert!(t.heap_bytes() > 66 * 16);
        for i in 0..100 {
            t.remove(i);
        }
        assert!(t.is_empty());
        assert_eq!(t.heap_bytes(), 0);
    }
}
