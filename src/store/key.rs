//! The key of an entry: a byte string stored inline when short.
//!
//! Most keys are short ("user:1000", "key:000000012345"). Keeping up to
//! [`INLINE`] bytes inside the entry itself saves an allocation per key and, more
//! importantly, a pointer chase (a likely cache miss) on every lookup, which
//! compares the key bytes. Longer keys live in a boxed slice.
//!
//! Invariant: `Inline { len, bytes }` uses exactly `bytes[..len]`, `len <= INLINE`;
//! a key of `INLINE` bytes or fewer is always inline, so two equal keys always have
//! the same representation (not needed for equality, which compares bytes).

/// Longest key stored inline (the whole `Key` is 24 bytes, like a `Vec`).
pub const INLINE: usize = 22;

/// A binary key; dereferences to its bytes.
#[derive(Clone)]
pub enum Key {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<[u8]>),
}

impl Key {
    pub fn new(b: &[u8]) -> Key {
        if b.len() <= INLINE {
            let mut bytes = [0u8; INLINE];
            bytes[..b.len()].copy_from_slice(b);
            Key::Inline {
                len: b.len() as u8,
                bytes,
            }
        } else {
            Key::Heap(b.into())
        }
    }
}

impl Key {
    /// Heap bytes the key owns (0 inline).
    pub fn heap_bytes(&self) -> usize {
        match self {
            Key::Inline { .. } => 0,
            Key::Heap(b) => crate::store::mem::alloc_size(b.len()),
        }
    }
}

impl std::ops::Deref for Key {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Key::Inline { len, bytes } => &bytes[..*len as usize],
            Key::Heap(b) => b,
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
    fn short_keys_are_inline_and_all_round_trip() {
        assert_eq!(std::mem::size_of::<Key>(), 24);
        for n in [0, 1, 21, 22, 23, 100] {
            let b: Vec<u8> = (0..n).map(|i| i as u8).collect();
            let k = Key::new(&b);
            assert_eq!(&k[..], &b[..]);
            assert_eq!(matches!(k, Key::Inline { .. }), n <= INLINE);
            assert_eq!(k.clone(), k);
        }
    }
}
