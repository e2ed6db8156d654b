//! A listpack behind an `Arc`: how a small hash, sorted set or one-node list
//! sits in the keyspace, one allocation holding Redis's listpack bytes.
//!
//! Why not a `Vec`: a value is reached through the keyspace entry, and a `Vec`
//! behind an `Arc` is two allocations (the `Arc`'s box holding the `Vec`, then
//! the bytes) where Redis has one. `Arc<[u8]>` puts the two reference counts and
//! the bytes in a single block, so a small hash costs its listpack plus 16 bytes.
//!
//! The price is that the block cannot grow in place: every edit builds the new
//! bytes (in a per-thread scratch buffer, reused) and copies them into a fresh
//! block, or back into the same block when it is not shared and the size did
//! not change. Redis's own listpack edits `realloc` and `memmove` the whole
//! buffer too, so the cost is of the same order: linear in the listpack's size,
//! which the `*-max-listpack-*` limits keep small.
//!
//! Snapshots (DESIGN.md §3): cloning a [`Shared`] bumps a reference count; an
//! edit never writes into a block another clone can see (it writes in place
//! only through `Arc::get_mut`, which refuses when the block is shared).
//!
//! Invariant: the bytes are always a well-formed listpack (the constructors
//! take only what [`Listpack`] built or validated, and [`Shared::splice`] keeps
//! the header's byte count and entry count right).
use super::{counted, entry_len, put_entry, Entry, Listpack, Lp, Pos, EMPTY, HEADER_SIZE};
use crate::store::mem::build_block;
use std::sync::Arc;

/// A listpack in one shared block; see the module documentation.
#[derive(Clone, PartialEq, Eq)]
pub struct Shared(Arc<[u8]>);

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.view().iter()).finish()
    }
}

impl Default for Shared {
    fn default() -> Self {
        Shared::new()
    }
}

impl Shared {
    /// An empty listpack.
    pub fn new() -> Shared {
        Shared(Arc::from(&EMPTY[..]))
    }

    /// The listpack `lp` (its bytes are copied into one block).
    pub fn from_listpack(lp: &Listpack) -> Shared {
        Shared(Arc::from(lp.as_bytes()))
    }

    /// A listpack of `entries`, in order.
    pub fn from_entries<'e>(entries: impl IntoIterator<Item = Entry<'e>>) -> Shared {
        let mut lp = Listpack::new();
        for e in entries {
            lp.push_back_entry(e);
        }
        Shared::from_listpack(&lp)
    }

    /// The same listpack as a [`Listpack`] (its bytes copied).
    pub fn to_listpack(&self) -> Listpack {
        Listpack {
            buf: self.0.to_vec(),
        }
    }

    /// The read-only view.
    #[inline]
    pub fn view(&self) -> Lp<'_> {
        Lp::of(&self.0)
    }

    /// The bytes, exactly as Redis keeps them (and writes them in RDB files).
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.view().len()
    }

    pub fn is_empty(&self) -> bool {
        self.view().is_empty()
    }

    /// Bytes of the block: the listpack and the two reference counts.
    pub fn heap_bytes(&self) -> usize {
        self.0.len() + 16
    }

    /// Replaces the bytes `from..to` (entry boundaries, as positions from the
    /// view) by the encodings of `new`, and changes the header's entry count by
    /// `delta` (the caller's count of entries added minus entries removed).
    /// Positions out of range are clamped to the entries.
    pub fn splice(&mut self, from: Pos, to: Pos, new: &[Entry<'_>], delta: i64) {
        let eof = self.view().eof_pos();
        let to = to.clamp(HEADER_SIZE, eof);
        let from = from.clamp(HEADER_SIZE, to);
        let count = counted(self.view().header_count(), delta);
        // Same size and not shared: rewrite the block in place (HINCRBY,
        // ZINCRBY and LSET often keep the size).
        if new.iter().map(|e| entry_len(*e)).sum::<usize>() == to - from {
            if let Some(block) = Arc::get_mut(&mut self.0) {
                let mut enc = Vec::with_capacity(to - from);
                for e in new {
                    put_entry(&mut enc, *e);
                }
                block[from..to].copy_from_slice(&enc);
                block[4..6].copy_from_slice(&count.to_le_bytes());
                return;
            }
        }
        let old = &self.0;
        let fill = |s: &mut Vec<u8>| {
            s.extend_from_slice(&old[..from]);
            for e in new {
                put_entry(s, *e);
            }
            s.extend_from_slice(&old[to..]);
            let total = s.len() as u32;
            s[..4].copy_from_slice(&total.to_le_bytes());
            s[4..6].copy_from_slice(&count.to_le_bytes());
        };
        self.0 = build_block(fill);
    }

    /// Appends `new` at the tail.
    pub fn push_back(&mut self, new: &[Entry<'_>]) {
        let eof = self.view().eof_pos();
        self.splice(eof, eof, new, new.len() as i64);
    }

    /// Prepends `new` at the head.
    pub fn push_front(&mut self, new: &[Entry<'_>]) {
        self.splice(HEADER_SIZE, HEADER_SIZE, new, new.len() as i64);
    }

    /// Removes `n` entries from `pos` on (fewer if the listpack ends first);
    /// answers how many went.
    pub fn delete(&mut self, pos: Pos, n: usize) -> usize {
        let (end, k) = self.view().skip_entries(pos, n);
        if k > 0 {
            self.splice(pos, end, &[], -(k as i64));
        }
        k
    }

    /// Replaces the entry at `pos` by `e`; false if `pos` is not an entry.
    pub fn replace(&mut self, pos: Pos, e: Entry<'_>) -> bool {
        match self.view().end_of(pos) {
            Some(end) => {
                self.splice(pos, end, &[e], 0);
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(s: &Shared) -> Vec<Vec<u8>> {
        s.view().iter().map(|e| e.to_vec()).collect()
    }

    #[test]
    fn edits_match_the_vec_listpack_byte_for_byte() {
        let mut lp = Listpack::new();
        let mut sh = Shared::new();
        for i in 0..200i64 {
            let s = if i % 3 == 0 {
                (i * 997).to_string().into_bytes()
            } else {
                vec![b'a' + (i % 26) as u8; (i % 70) as usize]
            };
            if i % 2 == 0 {
                lp.push_back(&s);
                sh.push_back(&[Entry::Str(&s)]);
            } else {
                lp.push_front(&s);
                sh.push_front(&[Entry::Str(&s)]);
            }
            assert_eq!(lp.as_bytes(), sh.as_bytes(), "after {i}");
        }
        Listpack::validate_bytes(sh.as_bytes()).unwrap();
        let pos = sh.view().seek(10).unwrap();
        assert_eq!(sh.delete(pos, 5), 5);
        lp.delete_range(10, 5);
        assert_eq!(lp.as_bytes(), sh.as_bytes());
        let pos = sh.view().seek(-1).unwrap();
        assert!(sh.replace(pos, Entry::Int(-70000)));
        let lpos = lp.seek(-1).unwrap();
        lp.replace_entry(lpos, Entry::Int(-70000));
        assert_eq!(lp.as_bytes(), sh.as_bytes());
        assert_eq!(items(&sh).len(), 195);
        let last = sh.view().last().unwrap();
        assert_eq!(sh.delete(last, 10), 1);
        assert_eq!(sh.len(), 194);
        Listpack::validate_bytes(sh.as_bytes()).unwrap();
    }

    #[test]
    fn a_clone_keeps_the_old_bytes() {
        let mut a = Shared::from_entries([Entry::Str(b"x"), Entry::Int(7)]);
        let snapshot = a.clone();
        let first = a.view().first().unwrap();
        // same size, but shared: must not write in place
        a.replace(first, Entry::Str(b"y"));
        assert_eq!(items(&snapshot), vec![b"x".to_vec(), b"7".to_vec()]);
        assert_eq!(items(&a), vec![b"y".to_vec(), b"7".to_vec()]);
        drop(snapshot);
        a.replace(first, Entry::Str(b"z"));
        assert_eq!(items(&a), vec![b"z".to_vec(), b"7".to_vec()]);
        assert_eq!(a.heap_bytes(), a.as_bytes().len() + 16);
    }
}
