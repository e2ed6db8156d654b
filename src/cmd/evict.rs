//! maxmemory: before a client's command runs, keep `used_memory` under the
//! limit by evicting keys under `maxmemory-policy`, or refuse the command
//! with `-OOM`.
//!
//! Who is refused, as Redis 7.0 decides ([`admit`]): a command flagged
//! `denyoom`; EVAL/FCALL by the flags their script declares (a script with a
//! shebang and neither `no-writes` nor `allow-oom` is `denyoom`, one without
//! a shebang is not); EXEC when a command it queued was `denyoom` (as
//! `EXECABORT`); inside MULTI every command but EXEC, DISCARD, QUIT and
//! RESET. Commands a script or EXEC runs are not checked here: a script's
//! first `denyoom` call is refused by scripting (`bridge.rs`) when memory
//! was over the limit as the script's command started
//! (`Shared::oom_at_start`), unless the script already wrote or declared
//! `allow-oom`.
//!
//! The figure: `used_memory` (see `memory.rs`), exact and O(databases), is
//! read before every command while a limit is set.
//!
//! The policies, as in Redis 7.0:
//! - `noeviction`: nothing is evicted; commands flagged `denyoom` get
//!   `-OOM command not allowed when used memory > 'maxmemory'.`;
//! - `allkeys-*` pick among all keys, `volatile-*` among keys with a TTL;
//! - `*-random` takes a random key; `*-lru` the key idle longest, `*-lfu` the
//!   one with the lowest access-frequency counter, `volatile-ttl` the nearest
//!   expiry: `maxmemory-samples` keys sampled from every database are offered
//!   to the eviction pool, which keeps the best 16 candidates between picks
//!   (Redis's approximation, `store/evict_pool.rs`); `*-random` takes the
//!   databases in turn.
//!
//! Each evicted key is removed as DEL would (WATCH and client tracking see
//! it), counted in INFO's `evicted_keys` and announced as an `evicted`
//! keyspace event. When nothing is left to evict and the limit is still
//! passed, a `denyoom` command gets `-OOM`. `maxmemory-eviction-tenacity`
//! bounds the time one command spends evicting (500 µs at 10, growing
//! steeply towards 100, unbounded at 100, as in Redis); a command that runs
//! out of that time runs anyway, and the next one goes on evicting (Redis
//! goes on in a timer instead).
use super::notify::{notify_in, EVICTED};
use super::{flags, Ctx};
use crate::store::expire::idle_seconds;
use crate::store::lfu::{self, Lfu};
use crate::store::now_ms;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Redis's OOM error text.
pub const OOM: &str = "OOM command not allowed when used memory > 'maxmemory'.";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pick {
    Random,
    Lru,
    Lfu,
    Ttl,
}

/// The policy's (volatile only, how to pick), `None` for noeviction.
fn policy(name: &str) -> Option<(bool, Pick)> {
    Some(match name {
        "allkeys-random" => (false, Pick::Random),
        "allkeys-lru" => (false, Pick::Lru),
        "allkeys-lfu" => (false, Pick::Lfu),
        "volatile-random" => (true, Pick::Random),
        "volatile-lru" => (true, Pick::Lru),
        "volatile-lfu" => (true, Pick::Lfu),
        "volatile-ttl" => (true, Pick::Ttl),
        _ => return None,
    })
}

/// The LFU settings when the policy is an LFU one.
pub fn lfu_settings(policy_name: &str, log_factor: u64, decay_time: u64) -> Option<Lfu> {
    policy_name.ends_with("-lfu").then(|| Lfu {
        log_factor: log_factor.min(u64::from(u32::MAX)) as u32,
        decay_time: decay_time.min(u64::from(u32::MAX)) as u32,
    })
}

/// `Shared::lfu_mode`'s encoding of the LFU settings: 0 for none, else the
/// top bit set, the decay time in bits 32..63 and the log factor below.
pub fn encode_lfu(lfu: Option<Lfu>) -> u64 {
    lfu.map_or(0, |l| {
        (1 << 63) | (u64::from(l.decay_time.min(i32::MAX as u32)) << 32) | u64::from(l.log_factor)
    })
}

/// The inverse of [`encode_lfu`].
pub fn decode_lfu(m: u64) -> Option<Lfu> {
    (m >> 63 == 1).then_some(Lfu {
        log_factor: m as u32,
        decay_time: ((m >> 32) as u32) & (i32::MAX as u32),
    })
}

/// How long one command may evict at `tenacity` (`None`: no bound).
fn time_budget(tenacity: u64) -> Option<Duration> {
    if tenacity >= 100 {
        return None;
    }
    let us = if tenacity <= 10 {
        50 * tenacity
    } else {
        // 500 µs at 10, times 1.15 per step above
        (500.0 * 1.15f64.powi((tenacity - 10) as i32)) as u64
    };
    Some(Duration::from_micros(us.max(1)))
}

/// Redis's maxmemory step of `processCommand`, before a client's command
/// runs (or is queued in MULTI): evicts under the policy, records whether
/// memory is still over the limit (`Shared::oom_at_start`, which scripts
/// consult for their first write), and refuses the command when it is and
/// the command may grow memory. Answers false after writing the refusal:
/// - a command flagged `denyoom` (EVAL and FCALL by their script's flags,
///   EXEC by what it queued) gets `-OOM ...`, EXEC as `-EXECABORT
///   Transaction discarded because of: OOM ...`;
/// - inside MULTI every command but EXEC, DISCARD, QUIT and RESET gets
///   `-OOM` (queueing costs memory too) and flags the transaction.
///
/// Commands run by EXEC or by a script are not checked here: they run
/// under the check their EXEC or EVAL passed, as in Redis.
#[inline]
pub fn admit(ctx: &mut Ctx<'_>, i: usize, args: &[Vec<u8>]) -> bool {
    let lfu = decode_lfu(ctx.shared.lfu_mode.load(Ordering::Relaxed));
    if ctx.store.lfu() != lfu {
        ctx.store.set_lfu(lfu);
    }
    let limit = ctx.shared.maxmemory.load(Ordering::Relaxed);
    if limit == 0 || ctx.client.in_script || ctx.client.tx.running {
        return true;
    }
    let out_of_memory = perform_evictions(ctx, limit);
    if super::tracking::is_on(ctx.shared) {
        super::tracking::after_evictions(ctx);
    }
    ctx.shared
        .oom_at_start
        .store(out_of_memory, Ordering::Relaxed);
    if !out_of_memory {
        return true;
    }
    let name = ctx.shared.commands.rows[i].full_name.as_str();
    let exec = name == "exec";
    let refuse =
        if ctx.client.tx.in_multi() && !matches!(name, "exec" | "discard" | "quit" | "reset") {
            true
        } else {
            super::request_flags_queued(ctx, i, args) & flags::DENYOOM != 0
        };
    if !refuse {
        return true;
    }
    if exec {
        super::tx::discard_transaction(ctx);
        ctx.out.error(&format!(
            "EXECABORT Transaction discarded because of: {OOM}"
        ));
        ctx.shared.count_error(b"EXECABORT");
    } else {
        ctx.out.error(OOM);
        ctx.shared.count_error(b"OOM");
        ctx.client.tx.aborted |= ctx.client.tx.in_multi();
    }
    false
}

/// Redis's `performEvictions`: evicts under the policy until `used_memory`
/// is under `limit`, no key is left to evict, or the tenacity's time is up.
/// Answers whether memory is still over the limit.
fn perform_evictions(ctx: &mut Ctx<'_>, limit: u64) -> bool {
    let (name, samples, tenacity) = {
        let c = ctx.shared.config();
        (
            c.maxmemory_policy.clone(),
            c.maxmemory_samples.max(1) as usize,
            c.maxmemory_eviction_tenacity.max(0) as u64,
        )
    };
    let sh = ctx.shared;
    let mut used = super::memory::used_memory(ctx);
    if used <= limit {
        return false;
    }
    if let Some((volatile, pick)) = policy(&name) {
        let start = Instant::now();
        let budget = time_budget(tenacity);
        let mut evicted = 0u64;
        while used > limit {
            let Some((db, i)) = choose(ctx, volatile, pick, samples) else {
                break;
            };
            let e = ctx.store.db(db).remove_at(i);
            used = super::memory::used_memory(ctx);
            sh.stats.evicted_keys.fetch_add(1, Ordering::Relaxed);
            notify_in(ctx, EVICTED, "evicted", &e.key, db);
            // lazyfree-lazy-eviction: a big value is freed off the request path
            if super::lazyfree::is_on(ctx, super::lazyfree::EVICTION)
                && e.value.free_effort() > crate::store::LAZYFREE_THRESHOLD
            {
                ctx.shared.free_later(Box::new(e));
            }
            evicted += 1;
            // the clock is read every 16 evictions, as Redis does
            if evicted.is_multiple_of(16) && budget.is_some_and(|b| start.elapsed() > b) {
                // out of time, not of keys: the next command goes on evicting
                return false;
            }
        }
    }
    used > limit
}

/// The victim under the policy: (database, entry index), or `None` when no
/// key qualifies. `*-random` takes a random key of a database taken in turn;
/// the others go through the eviction pool (`store/evict_pool.rs`), as
/// Redis's `performEvictions` does: each round offers `samples` keys sampled
/// from every database, then takes the best candidate that still exists
/// (and, for `volatile-*`, still has a TTL).
fn choose(ctx: &mut Ctx<'_>, volatile: bool, pick: Pick, samples: usize) -> Option<(usize, usize)> {
    if pick == Pick::Random {
        return choose_random(ctx, volatile);
    }
    let now = now_ms();
    let lfu = ctx.store.lfu();
    ctx.store
        .evict_pool
        .use_kind(pick as u8 * 2 + u8::from(volatile));
    // every round samples keys that exist, so the pool's best of a round is
    // found; the cap is a guard, not a limit that is ever reached
    let mut sampled: Vec<(u64, Vec<u8>)> = Vec::new();
    for _ in 0..64 {
        let mut keys = 0;
        for db in 0..ctx.store.db_count() {
            let d = ctx.store.db(db);
            let n = if volatile {
                d.table.volatile_len()
            } else {
                d.table.len()
            };
            keys += n;
            // as Redis's `dictGetSomeKeys`: no more samples than keys
            for _ in 0..samples.min(n) {
                let r = d.rng.below(n);
                let i = if volatile {
                    d.table.volatile_at(r).0
                } else {
                    r
                };
                let at = d.expire_at(i);
                let e = d.entry(i);
                // higher score: better to evict
                let score = match pick {
                    Pick::Lru => idle_seconds(e.lru(), d.lru_clock),
                    Pick::Lfu => 255 - u64::from(lfu.map_or(0, |l| lfu::decayed(e.lru(), l, now))),
                    Pick::Ttl | Pick::Random => u64::MAX - at,
                };
                sampled.push((score, e.key.to_vec()));
            }
            for (score, key) in sampled.drain(..) {
                ctx.store.evict_pool.offer(score, db, &key);
            }
        }
        if keys == 0 {
            return None;
        }
        while let Some(c) = ctx.store.evict_pool.pop_best() {
            if c.db >= ctx.store.db_count() {
                continue;
            }
            let table = &ctx.store.dbs()[c.db].table;
            if let Some(i) = table.find(&c.key) {
                if !volatile || table.entry(i).has_ttl() {
                    return Some((c.db, i));
                }
            }
        }
    }
    None
}

/// `*-random`: a random key (with a TTL for `volatile-random`) of the next
/// database that has one, taking the databases in turn.
fn choose_random(ctx: &mut Ctx<'_>, volatile: bool) -> Option<(usize, usize)> {
    let count = ctx.store.db_count();
    for _ in 0..count {
        let db = ctx.store.evict_pool.next_db(count);
        let d = ctx.store.db(db);
        let n = if volatile {
            d.table.volatile_len()
        } else {
            d.table.len()
        };
        if n > 0 {
            let r = d.rng.below(n);
            return Some((
                db,
                if volatile {
                    d.table.volatile_at(r).0
                } else {
                    r
                },
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenacity_bounds_grow_as_redis_does() {
        assert_eq!(time_budget(0), Some(Duration::from_micros(1)));
        assert_eq!(time_budget(10), Some(Duration::from_micros(500)));
        assert!(time_budget(50).is_some_and(|d| d > Duration::from_millis(100)));
        assert_eq!(time_budget(100), None);
        assert_eq!(policy("noeviction"), None);
        assert_eq!(policy("volatile-ttl"), Some((true, Pick::Ttl)));
        assert!(lfu_settings("allkeys-lfu", 10, 1).is_some());
        assert!(lfu_settings("allkeys-lru", 10, 1).is_none());
        for l in [
            None,
            lfu_settings("volatile-lfu", 10, 1),
            lfu_settings("allkeys-lfu", 0, 0),
            lfu_settings("allkeys-lfu", u32::MAX as u64, i32::MAX as u64),
        ] {
            assert_eq!(decode_lfu(encode_lfu(l)), l);
        }
    }
}
