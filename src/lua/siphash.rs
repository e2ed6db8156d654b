//! Keyed hashing that resists chosen collisions (hash flooding).
//!
//! Whatever a client sends can become a Lua string (ARGV, replies of
//! `redis.call`, cjson/cmsgpack input) or a number used as a table key. With an
//! unkeyed hash, a client can pick thousands of values that all land in one
//! chain and make every insertion walk it: quadratic time under the keyspace
//! lock from a single request. So the hashes client data reaches are keyed
//! with a random key drawn once per process:
//!
//! - [`hash_bytes`]: SipHash-1-2 (one compression round per 8-byte block,
//!   two finalization rounds; the variant Redis uses for its dicts) over the
//!   whole string. Without the key the outputs cannot be predicted, so
//!   inputs cannot be chosen to collide; every byte counts, so no two strings
//!   collide by differing only in bytes a sampling hash skips.
//! - [`hash_u64`]: for number keys of tables, a keyed multiply-shift
//!   (Dietzfelbinger's universal family: for any two distinct keys, the chance
//!   over the random key that they collide in `2^l` buckets is about `2^-l`).
//!
//! The key comes from std's `RandomState` (seeded by the operating system);
//! it is the same for every `Vm` of the process, so it costs nothing per
//! state. Hash values are never shown to scripts (`next` order follows the
//! table's slots, which depend on handle indexes, not on these values).

use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;

/// The process's secret: the SipHash key and the multiply-shift multipliers.
struct Keys {
    k0: u64,
    k1: u64,
    /// Odd multipliers of [`hash_u64`] (the low and high words of a 128-bit `a`).
    m_lo: u64,
    m_hi: u64,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let draw = |salt: u64| {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u64(salt);
            h.finish()
        };
        Keys {
            k0: draw(1),
            k1: draw(2),
            m_lo: draw(3) | 1,
            m_hi: draw(4),
        }
    })
}

#[inline(always)]
fn sip_round(v: &mut [u64; 4]) {
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

/// SipHash-1-2 of `data` under key (`k0`, `k1`).
#[inline]
pub fn siphash12(k0: u64, k1: u64, data: &[u8]) -> u64 {
    siphash::<1, 2>(k0, k1, data)
}

/// SipHash-c-d: `C` compression rounds per 8-byte block, `D` finalization
/// rounds (SipHash-2-4 is the paper's default; 1-2 is the fast variant).
fn siphash<const C: usize, const D: usize>(k0: u64, k1: u64, data: &[u8]) -> u64 {
    let mut v = [
        k0 ^ 0x736f_6d65_7073_6575,
        k1 ^ 0x646f_7261_6e64_6f6d,
        k0 ^ 0x6c79_6765_6e65_7261,
        k1 ^ 0x7465_6462_7974_6573,
    ];
    let compress = |v: &mut [u64; 4], m: u64| {
        v[3] ^= m;
        for _ in 0..C {
            sip_round(v);
        }
        v[0] ^= m;
    };
    let mut blocks = data.chunks_exact(8);
    for b in &mut blocks {
        let mut w = [0u8; 8];
        w.copy_from_slice(b);
        compress(&mut v, u64::from_le_bytes(w));
    }
    // the last block: the remaining bytes, the length's low byte on top
    let rest = blocks.remainder();
    let mut w = [0u8; 8];
    w[..rest.len()].copy_from_slice(rest);
    compress(&mut v, u64::from_le_bytes(w) | ((data.len() as u64) << 56));
    v[2] ^= 0xff;
    for _ in 0..D {
        sip_round(&mut v);
    }
    v[0] ^ v[1] ^ v[2] ^ v[3]
}

/// The keyed hash of a string's bytes (see the module docs).
#[inline]
pub fn hash_bytes(b: &[u8]) -> u32 {
    let k = keys();
    let h = siphash12(k.k0, k.k1, b);
    (h ^ (h >> 32)) as u32
}

/// The keyed hash of a 64-bit word (a number key's bits), as a 32-bit value
/// whose every bit is usable as a bucket index: the top 32 bits of
/// `a * x mod 2^128` for the secret 128-bit odd `a`.
#[inline(always)]
pub fn hash_u64(x: u64) -> u32 {
    let k = keys();
    let lo = (x as u128 * k.m_lo as u128) >> 64;
    let top = (lo as u64).wrapping_add(x.wrapping_mul(k.m_hi));
    (top >> 32) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference vectors of the SipHash paper (SipHash-2-4, key
    /// 00 01 .. 0f, messages 00 01 .. of each length) check the round
    /// function, padding and finalization that SipHash-1-2 shares.
    #[test]
    fn siphash24_reference_vectors() {
        let k0 = u64::from_le_bytes([0, 1, 2, 3, 4, 5, 6, 7]);
        let k1 = u64::from_le_bytes([8, 9, 10, 11, 12, 13, 14, 15]);
        let msg: Vec<u8> = (0u8..64).collect();
        assert_eq!(siphash::<2, 4>(k0, k1, &msg[..0]), 0x726f_db47_dd0e_0e31);
        assert_eq!(siphash::<2, 4>(k0, k1, &msg[..1]), 0x74f8_39c5_93dc_67fd);
        assert_eq!(siphash::<2, 4>(k0, k1, &msg[..15]), 0xa129_ca61_49be_45e5);
        assert_eq!(siphash::<2, 4>(k0, k1, &msg[..8]), 0x93f5_f579_9a93_2462);
        // the fast variant differs and depends on every byte and the length
        let a = siphash12(k0, k1, &msg[..15]);
        assert_ne!(a, siphash::<2, 4>(k0, k1, &msg[..15]));
        let mut flipped = msg[..15].to_vec();
        flipped[7] ^= 1;
        assert_ne!(a, siphash12(k0, k1, &flipped));
        assert_ne!(
            siphash12(k0, k1, &msg[..7]),
            siphash12(k0, k1, &[&msg[..7], &[0][..]].concat())
        );
    }

    #[test]
    fn multiply_shift_spreads_colliding_folds() {
        // doubles whose two halves xor to the same word collided in the old
        // table hash; here they spread over 1024 buckets
        let mut used = std::collections::HashSet::new();
        for hi in 0u64..4096 {
            let bits = (hi << 32) | (hi ^ 0x1234_5678);
            used.insert(hash_u64(bits) & 1023);
        }
        assert!(used.len() > 900, "{}", used.len());
    }
}
