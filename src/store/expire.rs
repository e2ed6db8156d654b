//! Time and expiry: the wall clock in milliseconds, the coarse access clock, and
//! the active expiry cycle.
//!
//! Expiry times are absolute Unix times in milliseconds (as EXPIREAT and
//! PEXPIRETIME speak them). Lazy expiry lives in `Db::lookup`; this file holds the
//! active half, which frees keys nobody touches.
//!
//! The active cycle follows Redis's adaptive sampling: for each database, examine
//! the next 20 keys among those with a TTL, delete the expired ones, and repeat
//! while more than 10% of a sample had expired (then many more are probably
//! waiting); stop when the time budget is spent and resume with the next database
//! on the following call. Like Redis 7 (which walks its expires table with a
//! cursor), each database keeps a cursor into its list of keys with a TTL
//! (`Db::expire_cursor`), so successive cycles cover every such key instead of
//! sampling the same ones at random: an expired key waits at most one sweep.
use std::cell::Cell;
use std::time::{SystemTime, UNIX_EPOCH};

use super::Store;

/// Keys examined per round.
const SAMPLE: usize = 20;
/// Keep going while more than this percentage of a sample had expired.
const ACCEPTABLE_STALE_PERCENT: usize = 10;
/// Time budget of one cycle, in microseconds (a quarter of a 100 ms cron period).
const BUDGET_US: u128 = 25_000;

/// The current Unix time in milliseconds.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

thread_local! {
    /// See [`expiry_now`]: the time a script on this thread started, or 0.
    static SCRIPT_TIME: Cell<u64> = const { Cell::new(0) };
}

/// The time keys are judged expired against. While a script runs (on this
/// thread) it is the script's start: as in Redis 7.0, a key does not expire in
/// the middle of a script, so its effects replay the same from the AOF.
/// Everything else (new TTLs, TTL replies) uses the real [`now_ms`].
#[inline]
pub fn expiry_now() -> u64 {
    match SCRIPT_TIME.get() {
        0 => now_ms(),
        t => t,
    }
}

/// Holds [`expiry_now`] at `at` on this thread until dropped.
pub struct TimeSnapshot {
    previous: u64,
}

impl TimeSnapshot {
    pub fn take(at: u64) -> TimeSnapshot {
        TimeSnapshot {
            previous: SCRIPT_TIME.replace(at.max(1)),
        }
    }
}

impl Drop for TimeSnapshot {
    fn drop(&mut self) {
        SCRIPT_TIME.set(self.previous);
    }
}

/// Largest value of the access clock: 24 bits, as Redis's `LRU_CLOCK_MAX`
/// (an entry keeps its stamp in 24 bits; the clock wraps after 194 days).
pub const LRU_CLOCK_MAX: u32 = (1 << 24) - 1;

/// The coarse access clock (seconds, wrapping at 24 bits) for a Unix time in
/// milliseconds.
pub fn lru_clock(now_ms: u64) -> u32 {
    ((now_ms / 1000) & u64::from(LRU_CLOCK_MAX)) as u32
}

/// Seconds elapsed from access stamp `lru` to `now_clock` (OBJECT IDLETIME),
/// across one wrap of the clock as Redis's `estimateObjectIdleTime` counts it.
pub fn idle_seconds(lru: u32, now_clock: u32) -> u64 {
    if now_clock >= lru {
        u64::from(now_clock - lru)
    } else {
        u64::from(now_clock) + u64::from(LRU_CLOCK_MAX - lru.min(LRU_CLOCK_MAX))
    }
}

impl Store {
    /// One active expiry cycle at time `now_ms`; call it about ten times a second.
    /// Also refreshes the access clock. Returns the number of keys removed.
    pub fn active_expire_cycle(&mut self, now_ms: u64) -> usize {
        self.set_lru_clock(lru_clock(now_ms));
        let started = std::time::Instant::now();
        // Help resizes in progress along (Redis's cron does the same), so tables
        // that see no writes do not keep two bucket arrays for long.
        for dbi in 0..self.db_count() {
            let table = &mut self.db(dbi).table;
            while table.is_rehashing()
                && !table.rehash_step(100)
                && started.elapsed().as_micros() < 1000
            {}
        }
        let n = self.db_count();
        let mut removed = 0;
        if self.dbs().first().is_some_and(|d| d.expire_hold > now_ms) {
            // CLIENT PAUSE: expired keys stay until the pause ends.
            return 0;
        }
        for step in 0..n {
            let dbi = (self.expire_next_db + step) % n;
            let db = self.db(dbi);
            let mut rounds = 0u32;
            loop {
                let volatile = db.table.volatile_len();
                if volatile == 0 {
                    break;
                }
                let sample = volatile.min(SAMPLE);
                let mut expired = 0;
                for _ in 0..sample {
                    let len = db.table.volatile_len();
                    if len == 0 {
                        break;
                    }
                    if db.expire_cursor >= len {
                        db.expire_cursor = 0;
                    }
                    let (i, at) = db.table.volatile_at(db.expire_cursor);
                    if at <= now_ms {
                        // The last volatile entry moves into this position, so
                        // the cursor stays to examine it next.
                        db.touch_expired_at(i);
                        db.log_expiry(i);
                        db.remove_expired(i);
                        expired += 1;
                    } else {
                        db.expire_cursor += 1;
                    }
                }
                removed += expired;
                rounds += 1;
                if expired * 100 <= sample * ACCEPTABLE_STALE_PERCENT {
                    break;
                }
                if rounds.is_multiple_of(16) && started.elapsed().as_micros() > BUDGET_US {
                    self.expire_next_db = dbi;
                    return removed;
                }
            }
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Value;

    #[test]
    fn active_cycle_removes_expired_keys_only() {
        let mut s = Store::new(2);
        let now = now_ms();
        for n in 0..5000 {
            let db = s.db(n % 2);
            let i = db.insert_new(format!("k{n}").as_bytes(), Value::Int(1));
            if n % 5 != 0 {
                db.set_expire(i, now - 1);
            } else if n % 10 == 0 {
                db.set_expire(i, now + 100_000);
            }
        }
        assert_eq!(s.expires_count(0) + s.expires_count(1), 4000 + 500);
        let mut total = 0;
        for _ in 0..1000 {
            total += s.active_expire_cycle(now);
            if s.dbsize(0) + s.dbsize(1) <= 1000 {
                break;
            }
        }
        // Each cycle continues the sweep where the last one stopped, so every
        // expired key is found.
        assert_eq!(total, 4000);
        assert_eq!(s.expired_keys(), total as u64);
        for n in (0..5000).step_by(5) {
            assert!(s.db(n % 2).lookup(format!("k{n}").as_bytes()).is_some());
        }
        assert_eq!(
            s.expires_count(0) + s.expires_count(1),
            500 + (4000 - total)
        );
        for d in s.dbs() {
            d.table.check();
        }
    }

    #[test]
    fn lazy_expiry_on_lookup() {
        let mut s = Store::new(1);
        let db = s.db(0);
        let i = db.insert_new(b"gone", Value::Int(1));
        db.set_expire(i, now_ms() - 1);
        let i = db.insert_new(b"kept", Value::Int(2));
        db.set_expire(i, now_ms() + 60_000);
        assert_eq!(db.len(), 2);
        assert!(db.get(b"gone").is_none());
        assert_eq!(db.len(), 1);
        assert_eq!(db.get(b"kept"), Some(&Value::Int(2)));
        assert_eq!(db.expired_keys, 1);
    }

    #[test]
    fn idle_time_wraps() {
        assert_eq!(idle_seconds(10, 15), 5);
        // the clock is 24 bits; across its wrap Redis's estimateObjectIdleTime
        // counts clock + (LRU_CLOCK_MAX - stamp), one second short
        assert_eq!(lru_clock((1u64 << 24) * 1000 + 1500), 1);
        assert_eq!(idle_seconds(LRU_CLOCK_MAX, 1), 1);
        assert_eq!(idle_seconds(LRU_CLOCK_MAX - 9, 3), 12);
    }
}
