//! Byte accounting: what the keyspace's structures cost, computed from their own
//! sizes, for `MEMORY USAGE`, INFO's `used_memory` and maxmemory.
//!
//! Redis learns how much memory it uses from its allocator (`zmalloc` counts
//! every block it hands out). A hook into Rust's allocator needs `unsafe`, which
//! this crate forbids, so here each structure answers for itself: a value knows
//! the blocks it owns and their sizes, and the keyspace adds the cost of its
//! entries and bucket arrays. Every size goes through [`alloc_size`], which
//! turns a request into the block the system allocator (glibc's malloc, which
//! the Rust standard library uses on Linux) really sets aside for it: the request
//! plus an 8-byte header, rounded up to 16, at least 32 bytes. So the figures are
//! what the allocator holds for the data, not what `size_of` says; what they
//! cannot see is memory the allocator keeps without handing it out (free blocks
//! not yet returned to the system, which is what `mem_fragmentation_ratio`, the
//! resident size over this figure, shows).
//!
//! Invariant: the size functions here are pure arithmetic; they allocate
//! nothing and cannot fail.

/// Bytes glibc's malloc uses for a request of `n` bytes (0 for none).
#[inline]
pub const fn alloc_size(n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    let chunk = n.saturating_add(8 + 15) & !15;
    if chunk < 32 {
        32
    } else {
        chunk
    }
}

/// Bytes of a `Vec<T>` buffer with room for `cap` items.
#[inline]
pub const fn vec_bytes<T>(cap: usize) -> usize {
    alloc_size(cap.saturating_mul(std::mem::size_of::<T>()))
}

/// The reference counts an `Arc` keeps in front of its data.
pub const ARC_HEADER: usize = 16;

thread_local! {
    /// Where [`build_block`] writes before copying into the block.
    static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Scratch buffers larger than this are given back after use.
const SCRATCH_KEEP: usize = 1 << 16;

/// A new shared block holding what `fill` writes into an empty buffer: one
/// allocation of exactly the bytes written (the buffer it is first written to
/// is a per-thread scratch, reused). How packed values (listpacks, intsets)
/// build their next version.
pub fn build_block(fill: impl FnOnce(&mut Vec<u8>)) -> std::sync::Arc<[u8]> {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut s) => {
            s.clear();
            fill(&mut s);
            let block = std::sync::Arc::from(&s[..]);
            if s.capacity() > SCRATCH_KEEP {
                *s = Vec::new();
            }
            block
        }
        // only if `fill` itself builds a block: use a buffer of its own
        Err(_) => {
            let mut v = Vec::new();
            fill(&mut v);
            std::sync::Arc::from(v)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_rounded_as_glibc_rounds_them() {
        assert_eq!(alloc_size(0), 0);
        assert_eq!(alloc_size(1), 32);
        assert_eq!(alloc_size(24), 32);
        assert_eq!(alloc_size(25), 48);
        assert_eq!(alloc_size(40), 48);
        assert_eq!(alloc_size(41), 64);
        assert_eq!(alloc_size(103), 112);
        assert_eq!(vec_bytes::<u32>(4), 32);
        assert_eq!(alloc_size(usize::MAX), usize::MAX & !15);
    }
}
