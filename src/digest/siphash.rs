//! SipHash-1-2: a keyed hash whose outputs do not let an attacker choose
//! colliding inputs without the key. Redis hashes its dictionaries with it; here
//! every hash table that client data reaches (hash and set values, sorted-set
//! members) uses it with one random key per process ([`process_key`]).
//!
//! SipHash-c-d (Aumasson and Bernstein, 2012) keeps a 256-bit state `v0..v3`
//! initialised from a 128-bit key, absorbs the message in 64-bit little-endian
//! words with `c` rounds each, pads the last word with the length in its top
//! byte, and finishes with `d` rounds. 1-2 is the variant Redis uses: one
//! compression round, two finalization rounds.
//!
//! Invariant: for a given key the output depends on every byte of the input
//! (there is no sampling), so the cost of a lookup is linear in the key's length
//! and the number of colliding entries stays what chance gives.
use std::sync::OnceLock;

/// A 128-bit SipHash key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key(pub u64, pub u64);

/// The process's random key, drawn once from std's randomly seeded hasher
/// (std reads the operating system's entropy for it).
pub fn process_key() -> Key {
    static KEY: OnceLock<Key> = OnceLock::new();
    *KEY.get_or_init(|| {
        use std::hash::BuildHasher;
        let s = std::collections::hash_map::RandomState::new();
        Key(s.hash_one(0x5119_u64), s.hash_one(0x4a5e_u64))
    })
}

#[inline(always)]
fn round(v: &mut [u64; 4]) {
    v[0] = v[0].wrapping_add(v[1]);
    v[1] = v[1].rotate_left(13);
    v[1] ^= v[0];
    v[0] = v[0].rotate_left(32);
    v[2] = v[2].wrapping_add(v[3]);
    v[3] = v[3].rotate_left(16);
    v[3] ^= v[2];
    v[0] = v[0].wrapping_add(v[3]);
    v[3] = v[3].rotate_left(21);
    v[3] ^= v[0];
    v[2] = v[2].wrapping_add(v[1]);
    v[1] = v[1].rotate_left(17);
    v[1] ^= v[2];
    v[2] = v[2].rotate_left(32);
}

/// SipHash-1-2 of `data` under `key`.
#[inline]
pub fn siphash12(key: Key, data: &[u8]) -> u64 {
    let mut v = [
        key.0 ^ 0x736f_6d65_7073_6575,
        key.1 ^ 0x646f_7261_6e64_6f6d,
        key.0 ^ 0x6c79_6765_6e65_7261,
        key.1 ^ 0x7465_6462_7974_6573,
    ];
    let mut words = data.chunks_exact(8);
    for w in &mut words {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        let m = u64::from_le_bytes(b);
        v[3] ^= m;
        round(&mut v);
        v[0] ^= m;
    }
    let rest = words.remainder();
    let mut b = [0u8; 8];
    b[..rest.len()].copy_from_slice(rest);
    let m = u64::from_le_bytes(b) | ((data.len() as u64) << 56);
    v[3] ^= m;
    round(&mut v);
    v[0] ^= m;
    v[2] ^= 0xff;
    round(&mut v);
    round(&mut v);
    v[0] ^ v[1] ^ v[2] ^ v[3]
}

/// SipHash-1-2 of `data` under the process's key.
#[inline]
pub fn hash(data: &[u8]) -> u64 {
    siphash12(process_key(), data)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SipHash-2-4 with the same code shape, to check the round and padding
    /// against the reference vectors of the SipHash paper (key 00..0f, message
    /// 00..n-1); 1-2 differs only in the number of rounds.
    fn siphash24(key: Key, data: &[u8]) -> u64 {
        let mut v = [
            key.0 ^ 0x736f_6d65_7073_6575,
            key.1 ^ 0x646f_7261_6e64_6f6d,
            key.0 ^ 0x6c79_6765_6e65_7261,
            key.1 ^ 0x7465_6462_7974_6573,
        ];
        let mut words = data.chunks_exact(8);
        let absorb = |v: &mut [u64; 4], m: u64| {
            v[3] ^= m;
            round(v);
            round(v);
            v[0] ^= m;
        };
        for w in &mut words {
            absorb(&mut v, u64::from_le_bytes(w.try_into().unwrap_or([0; 8])));
        }
        let rest = words.remainder();
        let mut b = [0u8; 8];
        b[..rest.len()].copy_from_slice(rest);
        absorb(&mut v, u64::from_le_bytes(b) | ((data.len() as u64) << 56));
        v[2] ^= 0xff;
        for _ in 0..4 {
            round(&mut v);
        }
        v[0] ^ v[1] ^ v[2] ^ v[3]
    }

    fn paper_key() -> Key {
        Key(0x0706_0504_0302_0100, 0x0f0e_0d0c_0b0a_0908)
    }

    #[test]
    fn rounds_and_padding_match_the_reference_vectors() {
        let msg: Vec<u8> = (0..16).collect();
        // The SipHash paper's test vectors for 2-4.
        assert_eq!(siphash24(paper_key(), &msg[..0]), 0x726f_db47_dd0e_0e31);
        assert_eq!(siphash24(paper_key(), &msg[..1]), 0x74f8_39c5_93dc_67fd);
        assert_eq!(siphash24(paper_key(), &msg[..8]), 0x93f5_f579_9a93_2462);
        assert_eq!(siphash24(paper_key(), &msg[..15]), 0xa129_ca61_49be_45e5);
    }

    #[test]
    fn siphash12_depends_on_the_key_and_every_byte() {
        let k = paper_key();
        let a = siphash12(k, b"abcdefghijklmnopqrstuvwxyz0123456789");
        let mut m = b"abcdefghijklmnopqrstuvwxyz0123456789".to_vec();
        for i in 0..m.len() {
            m[i] ^= 1;
            assert_ne!(siphash12(k, &m), a, "byte {i}");
            m[i] ^= 1;
        }
        assert_ne!(siphash12(Key(k.0 ^ 1, k.1), &m), a);
        // Lengths are part of the hash: zero padding does not collide.
        assert_ne!(siphash12(k, b"a"), siphash12(k, b"a\0"));
        assert_eq!(hash(b"x"), hash(b"x"));
    }
}
