//! Keyed hashing that resists chosen collisions (hash flooding).
//!
//! Whatever a client sends can become a Lua string (ARGV, replies of
//! `redis.call`, cjson/cmsgpack input) or a number used as a table key. With an
//! unkeyed hash, a client can pick thousands of values that all land in one
//! chain and make every insertion walk it: quadratic time under the keyspace
//! lock from a single request. So the hashes client data reaches are keyed
//! with a random key drawn once per process:
//!
//! - [`hash_bytes`]: SipHash-1-2 (`digest::siphash`, the variant Redis uses
//!   for its dicts, shared with the store's tables) over the whole string. Without the key the outputs cannot be predicted, so
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

/// The process's secret for number keys: the multiply-shift multipliers.
/// (Strings use `digest::siphash`'s key.)
struct Keys {
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
            m_lo: draw(3) | 1,
            m_hi: draw(4),
        }
    })
}

/// The keyed hash of a string's bytes (see the module docs).
#[inline]
pub fn hash_bytes(b: &[u8]) -> u32 {
    let h = crate::digest::siphash::hash(b);
    (h ^ (h >> 32)) as u32
}

/// The keyed hash of a 64-bit word (a number key's bits), as a 32-bit value
/// whose every bit is usable as a bucket index: the high 64 bits of
/// `a * x mod 2^128` for the secret 128-bit odd `a` (multiply-shift), then a
/// xor-shift-multiply finalizer so that the *low* bits a table masks with
/// depend on all of those high bits (alone, bits 96..105 of the product were
/// too few for structured keys: 4096 of them filled under 900 of 1024 buckets).
#[inline(always)]
pub fn hash_u64(x: u64) -> u32 {
    let k = keys();
    let lo = (x as u128 * k.m_lo as u128) >> 64;
    let mut h = (lo as u64).wrapping_add(x.wrapping_mul(k.m_hi));
    h ^= h >> 31;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^= h >> 29;
    (h ^ (h >> 32)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

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
