//! Access frequency for the LFU eviction policies, in Redis's 24 bits.
//!
//! Under `allkeys-lfu` and `volatile-lfu` an entry's 32-bit access stamp
//! (`Entry::lru`) holds, as in Redis, two fields instead of a time in seconds:
//! the high 16 bits are the minute (modulo 2^16) of the last decrement, the low
//! 8 bits a logarithmic counter. A read or write of the key first decays the
//! counter (minus one per `lfu-decay-time` minutes elapsed since), then bumps
//! it with probability `1 / ((counter - 5) * lfu-log-factor + 1)`, so it
//! saturates at 255 only after about a million hits with the default factor 10.
//! New keys start at 5 (`LFU_INIT_VAL`), so they are not evicted at once.
//!
//! Invariant: the functions are pure but for the random draw passed in; they
//! never fail.

/// The counter a new key starts with.
pub const INIT_VAL: u8 = 5;

/// The two LFU settings, `lfu-log-factor` and `lfu-decay-time` (minutes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lfu {
    pub log_factor: u32,
    pub decay_time: u32,
}

/// The current minute, modulo 2^16.
pub fn minutes(now_ms: u64) -> u32 {
    ((now_ms / 60_000) & 0xFFFF) as u32
}

/// The stamp a new key gets.
pub fn fresh(now_ms: u64) -> u32 {
    (minutes(now_ms) << 8) | u32::from(INIT_VAL)
}

/// Minutes since the stamp's minute, with the 16-bit wrap.
fn elapsed(stamp: u32, now_ms: u64) -> u32 {
    let then = stamp >> 8;
    let now = minutes(now_ms);
    if now >= then {
        now - then
    } else {
        65_535 - then + now
    }
}

/// The counter after decay (what OBJECT FREQ reports).
pub fn decayed(stamp: u32, lfu: Lfu, now_ms: u64) -> u8 {
    let counter = (stamp & 0xFF) as u8;
    if lfu.decay_time == 0 {
        return counter;
    }
    let periods = elapsed(stamp, now_ms) / lfu.decay_time;
    counter.saturating_sub(periods.min(255) as u8)
}

/// The stamp after one access; `draw` is a uniform random number in [0, 1).
pub fn touch(stamp: u32, lfu: Lfu, now_ms: u64, draw: f64) -> u32 {
    let mut counter = decayed(stamp, lfu, now_ms);
    if counter < 255 {
        let base = f64::from(counter.saturating_sub(INIT_VAL));
        let p = 1.0 / (base * f64::from(lfu.log_factor) + 1.0);
        if draw < p {
            counter += 1;
        }
    }
    (minutes(now_ms) << 8) | u32::from(counter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_grows_logarithmically_and_decays_per_minute() {
        let lfu = Lfu {
            log_factor: 10,
            decay_time: 1,
        };
        let t0 = 1_000 * 60_000;
        let mut s = fresh(t0);
        assert_eq!(decayed(s, lfu, t0), 5);
        // the first hits past the initial value always count
        s = touch(s, lfu, t0, 0.99);
        assert_eq!(decayed(s, lfu, t0), 6);
        let mut x = 7u64;
        for _ in 0..10_000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
            s = touch(s, lfu, t0, (x >> 11) as f64 / (1u64 << 53) as f64);
        }
        let c = decayed(s, lfu, t0);
        assert!((15..60).contains(&c), "counter {c}");
        // three minutes later, three less
        assert_eq!(decayed(s, lfu, t0 + 3 * 60_000), c - 3);
        // with decay off, time does nothing
        let off = Lfu {
            log_factor: 10,
            decay_time: 0,
        };
        assert_eq!(decayed(s, off, t0 + 600 * 60_000), c);
    }
}
