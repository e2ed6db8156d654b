//! The key of an entry: a byte string in 16 bytes, stored inline when short.
//!
//! Most keys are short ("user:1000", "key:12345"). Keeping up to [`INLINE`]
//! bytes inside the entry itself saves an allocation per key and, more
//! importantly, a pointer chase (a likely cache miss) on every lookup, which
//! compares the key bytes.
//!
//! Longer keys live in one heap block reached through a *thin* pointer (one
//! word), so that the whole `Key` stays 16 bytes: a `Box<[u8]>` would be two
//! words (pointer and length) and, next to the inline form's tag, make the key
//! 24 bytes, 8 more in every keyspace entry. Safe Rust has no thin pointer to a
//! block of run-time length, so a long key takes the smallest of a few
//! fixed-size blocks ([`Key::H24`] ... [`Key::H120`], sized to what glibc's
//! malloc hands out anyway: a chunk of 32, 48, 64, 96 or 128 bytes) whose first
//! byte is the key's length. A key of 120 bytes or more is a boxed `Box<[u8]>`
//! (two blocks; such keys are rare and the extra 32 bytes small next to them).
//!
//! The 16 bytes: the inline form's length is a [`Len`] (a one-byte enum whose
//! values are 0..=15), so the compiler keeps the other forms' tags in that
//! byte's unused values and puts their pointer in the second word.
//!
//! Invariants: a key of at most [`INLINE`] bytes is always inline, and inline
//! uses exactly `bytes[..len]`; a block form holds `len` in its first byte and
//! the key in the `len` bytes after it, and is the smallest form that fits, so
//! equal keys always have the same representation (not needed for equality,
//! which compares bytes).

/// Longest key stored inline.
pub const INLINE: usize = 15;

/// The length of an inline key (0..=15), a byte with unused values that hold
/// the other forms' tags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Len {
    L0,
    L1,
    L2,
    L3,
    L4,
    L5,
    L6,
    L7,
    L8,
    L9,
    L10,
    L11,
    L12,
    L13,
    L14,
    L15,
}

const LENS: [Len; INLINE + 1] = [
    Len::L0,
    Len::L1,
    Len::L2,
    Len::L3,
    Len::L4,
    Len::L5,
    Len::L6,
    Len::L7,
    Len::L8,
    Len::L9,
    Len::L10,
    Len::L11,
    Len::L12,
    Len::L13,
    Len::L14,
    Len::L15,
];

/// A binary key; dereferences to its bytes.
#[derive(Clone)]
pub enum Key {
    Inline { len: Len, bytes: [u8; INLINE] },
    H24(Box<[u8; 24]>),
    H40(Box<[u8; 40]>),
    H56(Box<[u8; 56]>),
    H88(Box<[u8; 88]>),
    H120(Box<[u8; 120]>),
    Big(Box<Box<[u8]>>),
}

/// A block of `N` bytes: the length of `b`, then `b` (`b.len() < N`).
fn block<const N: usize>(b: &[u8]) -> Box<[u8; N]> {
    let mut a = Box::new([0u8; N]);
    a[0] = b.len() as u8;
    a[1..=b.len()].copy_from_slice(b);
    a
}

/// The key in a block made by [`block`].
#[inline]
fn in_block(a: &[u8]) -> &[u8] {
    let n = a.first().map_or(0, |&n| n as usize);
    a.get(1..=n).unwrap_or(&[])
}

impl Key {
    pub fn new(b: &[u8]) -> Key {
        match b.len() {
            n @ 0..=INLINE => {
                let mut bytes = [0u8; INLINE];
                bytes[..n].copy_from_slice(b);
                Key::Inline {
                    len: LENS[n],
                    bytes,
                }
            }
            16..=23 => Key::H24(block(b)),
            24..=39 => Key::H40(block(b)),
            40..=55 => Key::H56(block(b)),
            56..=87 => Key::H88(block(b)),
            88..=119 => Key::H120(block(b)),
            _ => Key::Big(Box::new(b.into())),
        }
    }

    /// Heap bytes the key owns (0 inline), as the allocator sizes them.
    pub fn heap_bytes(&self) -> usize {
        use crate::store::mem::alloc_size;
        match self {
            Key::Inline { .. } => 0,
            Key::H24(_) => alloc_size(24),
            Key::H40(_) => alloc_size(40),
            Key::H56(_) => alloc_size(56),
            Key::H88(_) => alloc_size(88),
            Key::H120(_) => alloc_size(120),
            Key::Big(b) => alloc_size(std::mem::size_of::<Box<[u8]>>()) + alloc_size(b.len()),
        }
    }
}

impl std::ops::Deref for Key {
    type Target = [u8];

    #[inline]
    fn deref(&self) -> &[u8] {
        match self {
            Key::Inline { len, bytes } => bytes.get(..*len as usize).unwrap_or(&[]),
            Key::H24(a) => in_block(&a[..]),
            Key::H40(a) => in_block(&a[..]),
            Key::H56(a) => in_block(&a[..]),
            Key::H88(a) => in_block(&a[..]),
            Key::H120(a) => in_block(&a[..]),
            Key::Big(b) => b,
        }
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self))
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        **self == **other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_length_round_trips_in_the_smallest_form() {
        assert_eq!(std::mem::size_of::<Key>(), 16);
        for n in 0..300usize {
            let b: Vec<u8> = (0..n).map(|i| (i * 7) as u8).collect();
            let k = Key::new(&b);
            assert_eq!(&k[..], &b[..]);
            assert_eq!(matches!(k, Key::Inline { .. }), n <= INLINE);
            let (form, heap) = match &k {
                Key::Inline { .. } => (0, 0),
                Key::H24(_) => (24, 32),
                Key::H40(_) => (40, 48),
                Key::H56(_) => (56, 64),
                Key::H88(_) => (88, 96),
                Key::H120(_) => (120, 128),
                Key::Big(_) => (usize::MAX, 32 + crate::store::mem::alloc_size(n)),
            };
            // the smallest form that holds the length byte and the key
            assert!(n <= INLINE || n < form, "{n} in {form}");
            for smaller in [24, 40, 56, 88, 120] {
                assert!(smaller >= form || n >= smaller, "{n} fits {smaller}");
            }
            assert_eq!(k.heap_bytes(), heap);
            assert_eq!(k.clone(), k);
        }
    }
}
