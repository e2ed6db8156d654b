//! Sorted-set commands: the command table of the family, the shared helpers
//! (typed lookups, limits, score replies), and the single-member commands
//! ZADD ZINCRBY ZREM ZSCORE ZMSCORE ZCARD ZCOUNT ZLEXCOUNT ZRANK ZREVRANK ZSCAN.
//!
//! The rest of the family lives beside this file:
//! | file | commands |
//! | --- | --- |
//! | `zset_range.rs` | ZRANGE and its older forms, ZRANGESTORE, ZREMRANGEBY* |
//! | `zset_pop.rs` | ZPOPMIN ZPOPMAX ZMPOP ZRANDMEMBER, and the pop functions the blocking forms share |
//! | `zset_ops.rs` | ZUNION ZINTER ZDIFF (+STORE), ZINTERCARD |
//!
//! Invariants: replies and error texts are redis-server 7.0's; argument errors are
//! reported before the key is looked up, as Redis does; a sorted set that loses its
//! last member is removed from the keyspace (with a `del` event after the
//! command's own); every write goes through `Arc::make_mut`, so a snapshot
//! holding the old value keeps it (see `store::value`).
pub use super::lookup::Replied;
use super::lookup::{value_mut, write_existing};
use super::notify::{notify, GENERIC, ZSET};
use super::{errors, flags, zset_ops, zset_pop, zset_range, CommandSpec, Ctx, Keys};
use crate::num::string2d;
use crate::read;
use crate::resp::Reply;
use crate::store::zset::{LexRange, Limits, ScoreRange, ZSet};
use crate::store::{glob_match, Db, Value};

const W: u32 = flags::WRITE;
const R: u32 = flags::READONLY;
const M: u32 = flags::DENYOOM;
const F: u32 = flags::FAST;
/// Blocking pops: may wait, and scripts may not call them.
const BLOCK: u32 = flags::BLOCKING | flags::NOSCRIPT | flags::OWN_THREAD;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "zadd",
        arity: -4,
        flags: W | M | F,
        keys: Keys::ONE,
        handler: zadd,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zincrby",
        arity: 4,
        flags: W | M | F,
        keys: Keys::ONE,
        handler: zincrby,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zrem",
        arity: -3,
        flags: W | F,
        keys: Keys::ONE,
        handler: zrem,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zscore",
        arity: 3,
        flags: R | F,
        keys: Keys::ONE,
        handler: zscore,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zmscore",
        arity: -3,
        flags: R | F,
        keys: Keys::ONE,
        handler: zmscore,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zcard",
        arity: 2,
        flags: R | F,
        keys: Keys::ONE,
        handler: zcard,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zcount",
        arity: 4,
        flags: R | F,
        keys: Keys::ONE,
        handler: zcount,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zlexcount",
        arity: 4,
        flags: R | F,
        keys: Keys::ONE,
        handler: zlexcount,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zrank",
        arity: 3,
        flags: R | F,
        keys: Keys::ONE,
        handler: zrank,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zrevrank",
        arity: 3,
        flags: R | F,
        keys: Keys::ONE,
        handler: zrevrank,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zscan",
        arity: -3,
        flags: R,
        keys: Keys::ONE,
        handler: zscan,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zrange",
        arity: -4,
        flags: R,
        keys: Keys::ONE,
        handler: zset_range::zrange,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zrangestore",
        arity: -5,
        flags: W | M,
        keys: Keys::range(1, 2, 1),
        handler: zset_range::zrangestore,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zrevrange",
        arity: -4,
        flags: R,
        keys: Keys::ONE,
        handler: zset_range::zrevrange,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zrangebyscore",
        arity: -4,
        flags: R,
        keys: Keys::ONE,
        handler: zset_range::zrangebyscore,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zrevrangebyscore",
        arity: -4,
        flags: R,
        keys: Keys::ONE,
        handler: zset_range::zrevrangebyscore,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zrangebylex",
        arity: -4,
        flags: R,
        keys: Keys::ONE,
        handler: zset_range::zrangebylex,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zrevrangebylex",
        arity: -4,
        flags: R,
        keys: Keys::ONE,
        handler: zset_range::zrevrangebylex,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zremrangebyrank",
        arity: 4,
        flags: W,
        keys: Keys::ONE,
        handler: zset_range::zremrangebyrank,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zremrangebyscore",
        arity: 4,
        flags: W,
        keys: Keys::ONE,
        handler: zset_range::zremrangebyscore,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zremrangebylex",
        arity: 4,
        flags: W,
        keys: Keys::ONE,
        handler: zset_range::zremrangebylex,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zpopmin",
        arity: -2,
        flags: W | F,
        keys: Keys::ONE,
        handler: zset_pop::zpopmin,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zpopmax",
        arity: -2,
        flags: W | F,
        keys: Keys::ONE,
        handler: zset_pop::zpopmax,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zmpop",
        arity: -4,
        flags: W,
        keys: Keys::NONE,
        handler: zset_pop::zmpop,
        ..CommandSpec::DEFAULT
    },
    // BZPOPMIN key [key ...] timeout
    CommandSpec {
        name: "bzpopmin",
        arity: -3,
        flags: W | BLOCK | flags::FAST,
        keys: Keys::range(1, -2, 1),
        handler: zset_pop::bzpopmin,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "bzpopmax",
        arity: -3,
        flags: W | BLOCK | flags::FAST,
        keys: Keys::range(1, -2, 1),
        handler: zset_pop::bzpopmax,
        ..CommandSpec::DEFAULT
    },
    // BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
    CommandSpec {
        name: "bzmpop",
        arity: -5,
        // 7.0 lets scripts call BZMPOP (it does not block there).
        flags: W | flags::BLOCKING | flags::OWN_THREAD,
        keys: Keys::NONE,
        handler: zset_pop::bzmpop,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zrandmember",
        arity: -2,
        flags: R,
        keys: Keys::ONE,
        handler: zset_pop::zrandmember,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zunion",
        arity: -3,
        flags: R,
        keys: Keys::NONE,
        handler: zset_ops::zunion,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zinter",
        arity: -3,
        flags: R,
        keys: Keys::NONE,
        handler: zset_ops::zinter,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zdiff",
        arity: -3,
        flags: R,
        keys: Keys::NONE,
        handler: zset_ops::zdiff,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zunionstore",
        arity: -4,
        flags: W | M,
        keys: Keys::ONE,
        handler: zset_ops::zunionstore,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zinterstore",
        arity: -4,
        flags: W | M,
        keys: Keys::ONE,
        handler: zset_ops::zinterstore,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zdiffstore",
        arity: -4,
        flags: W | M,
        keys: Keys::ONE,
        handler: zset_ops::zdiffstore,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "zintercard",
        arity: -3,
        flags: R,
        keys: Keys::NONE,
        handler: zset_ops::zintercard,
        ..CommandSpec::DEFAULT
    },
];

/// The listpack thresholds from the configuration.
pub fn limits(ctx: &Ctx<'_>) -> Limits {
    let c = ctx.shared.config();
    Limits {
        entries: c.zset_max_listpack_entries,
        value: c.zset_max_listpack_value,
    }
}

/// Removes the key at entry `i` when its set is empty; true if it did.
pub fn remove_if_empty(db: &mut Db, i: usize) -> bool {
    let empty = matches!(&db.entry(i).value, Value::ZSet(z) if z.is_empty());
    if empty {
        db.remove_at(i);
    }
    empty
}

/// Sends the events of a command that removed members: its own, then `del` if
/// the key went away.
pub fn notify_removal(ctx: &mut Ctx<'_>, event: &str, key: &[u8], deleted_key: bool) {
    notify(ctx, ZSET, event, key);
    if deleted_key {
        notify(ctx, GENERIC, "del", key);
    }
}

/// A member with its score as one element of a WITHSCORES-style reply: two
/// bulk strings in RESP2, a pair array in RESP3.
pub fn reply_pair(out: &mut Reply, member: &[u8], score: f64) {
    if out.proto >= 3 {
        out.array(2);
    }
    out.bulk(member);
    out.double(score);
}

/// Header of a reply of `n` members, with or without scores.
pub fn reply_pairs_header(out: &mut Reply, n: usize, with_scores: bool) {
    if with_scores && out.proto < 3 {
        out.array(n * 2);
    } else {
        out.array(n);
    }
}

/// A rank argument (`ERR value is not an integer or out of range`).
pub fn long_arg(out: &mut Reply, b: &[u8]) -> Option<i64> {
    let n = crate::num::string2ll(b);
    if n.is_none() {
        out.error(errors::NOT_INTEGER);
    }
    n
}

pub(crate) fn zadd(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let (mut nx, mut xx, mut gt, mut lt, mut ch, mut incr) =
        (false, false, false, false, false, false);
    let mut i = 2;
    while i < args.len() {
        match args[i].to_ascii_uppercase().as_slice() {
            b"NX" => nx = true,
            b"XX" => xx = true,
            b"GT" => gt = true,
            b"LT" => lt = true,
            b"CH" => ch = true,
            b"INCR" => incr = true,
            _ => break,
        }
        i += 1;
    }
    let elements = args.len() - i;
    if elements == 0 || !elements.is_multiple_of(2) {
        return ctx.out.error(errors::SYNTAX);
    }
    if nx && xx {
        return ctx
            .out
            .error("ERR XX and NX options at the same time are not compatible");
    }
    if (nx && (gt || lt)) || (gt && lt) {
        return ctx
            .out
            .error("ERR GT, LT, and/or NX options at the same time are not compatible");
    }
    if incr && elements > 2 {
        return ctx
            .out
            .error("ERR INCR option supports a single increment-element pair");
    }
    let mut pairs = Vec::with_capacity(elements / 2);
    for p in args[i..].chunks_exact(2) {
        let Some(s) = string2d(&p[0]) else {
            return ctx.out.error(errors::NOT_FLOAT);
        };
        pairs.push((s, &p[1][..]));
    }
    let opts = AddOpts {
        nx,
        xx,
        gt,
        lt,
        incr,
    };
    let Some(outcome) = add_pairs(ctx, &args[1], &pairs, opts) else {
        return;
    };
    if incr {
        match outcome.last_score {
            Some(s) => ctx.out.double(s),
            None => ctx.out.null(),
        }
    } else {
        let n = if ch {
            outcome.added + outcome.updated
        } else {
            outcome.added
        };
        ctx.out.integer(n as i64);
    }
}

fn zincrby(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let Some(by) = string2d(&args[2]) else {
        return ctx.out.error(errors::NOT_FLOAT);
    };
    let opts = AddOpts {
        incr: true,
        ..AddOpts::default()
    };
    if let Some(o) = add_pairs(ctx, &args[1], &[(by, &args[3][..])], opts) {
        match o.last_score {
            Some(s) => ctx.out.double(s),
            None => ctx.out.null(),
        }
    }
}

/// ZADD's options.
#[derive(Default, Clone, Copy)]
struct AddOpts {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
    incr: bool,
}

/// What ZADD did.
struct AddOutcome {
    added: usize,
    updated: usize,
    /// With INCR: the new score, or `None` when the option set skipped it.
    last_score: Option<f64>,
}

/// The body of ZADD and ZINCRBY: applies `pairs` to the set under `key`
/// (creating it unless XX), sends the notification, and returns the counts;
/// `None` after replying an error (WRONGTYPE, NaN).
fn add_pairs(
    ctx: &mut Ctx<'_>,
    key: &[u8],
    pairs: &[(f64, &[u8])],
    o: AddOpts,
) -> Option<AddOutcome> {
    let limits = limits(ctx);
    let db = ctx.store.db(ctx.client.db);
    let mut out = AddOutcome {
        added: 0,
        updated: 0,
        last_score: None,
    };
    let i = match write_existing::<ZSet>(db, key, ctx.out).ok()? {
        Some(i) => i,
        None if o.xx => return Some(out),
        None => db.insert_new(key, Value::ZSet(ZSet::new())),
    };
    let z = value_mut::<ZSet>(db, i);
    let mut nan = false;
    for &(score, member) in pairs {
        match z.find(member) {
            Some((at, cur)) => {
                if o.nx {
                    continue;
                }
                let new = if o.incr { cur + score } else { score };
                if new.is_nan() {
                    nan = true;
                    break;
                }
                if (o.lt && new >= cur) || (o.gt && new <= cur) {
                    continue;
                }
                if new != cur {
                    z.update_found(at, member, new);
                    out.updated += 1;
                }
                out.last_score = Some(new);
            }
            None => {
                if o.xx {
                    continue;
                }
                z.insert(member, score, limits);
                out.added += 1;
                out.last_score = Some(score);
            }
        }
    }
    remove_if_empty(db, i);
    let changed = out.added + out.updated;
    ctx.store.dirty += changed as u64;
    if changed > 0 {
        ctx.blocked.signal(ctx.client.db, key);
        notify(ctx, ZSET, if o.incr { "zincr" } else { "zadd" }, key);
    }
    if nan {
        ctx.out.error("ERR resulting score is not a number (NaN)");
        return None;
    }
    Some(out)
}

fn zrem(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let db = ctx.store.db(ctx.client.db);
    let i = match write_existing::<ZSet>(db, &args[1], ctx.out) {
        Err(_) => return,
        Ok(None) => return ctx.out.integer(0),
        Ok(Some(i)) => i,
    };
    let z = value_mut::<ZSet>(db, i);
    let mut removed = 0;
    for m in &args[2..] {
        removed += i64::from(z.remove(m).is_some());
        if z.is_empty() {
            break;
        }
    }
    let gone = remove_if_empty(db, i);
    if removed > 0 {
        ctx.store.dirty += removed as u64;
        notify_removal(ctx, "zrem", &args[1], gone);
    }
    ctx.out.integer(removed);
}

fn zscore(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if let Ok(z) = read!(ctx, ZSet, &args[1]) {
        match z.and_then(|z| z.score(&args[2])) {
            Some(s) => ctx.out.double(s),
            None => ctx.out.null(),
        }
    }
}

fn zmscore(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if let Ok(z) = read!(ctx, ZSet, &args[1]) {
        ctx.out.array(args.len() - 2);
        for m in &args[2..] {
            match z.and_then(|z| z.score(m)) {
                Some(s) => ctx.out.double(s),
                None => ctx.out.null(),
            }
        }
    }
}

fn zcard(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if let Ok(z) = read!(ctx, ZSet, &args[1]) {
        ctx.out.integer(z.map_or(0, ZSet::len) as i64);
    }
}

fn zcount(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let Some(r) = ScoreRange::parse(&args[2], &args[3]) else {
        return ctx.out.error("ERR min or max is not a float");
    };
    if let Ok(z) = read!(ctx, ZSet, &args[1]) {
        let (lo, hi) = z.map_or((0, 0), |z| z.score_ranks(&r));
        ctx.out.integer((hi - lo) as i64);
    }
}

fn zlexcount(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let Some(r) = LexRange::parse(&args[2], &args[3]) else {
        return ctx.out.error("ERR min or max not valid string range item");
    };
    if let Ok(z) = read!(ctx, ZSet, &args[1]) {
        let (lo, hi) = z.map_or((0, 0), |z| z.lex_ranks(&r));
        ctx.out.integer((hi - lo) as i64);
    }
}

fn rank_generic(ctx: &mut Ctx<'_>, args: &[Vec<u8>], rev: bool) {
    if let Ok(z) = read!(ctx, ZSet, &args[1]) {
        match z.and_then(|z| z.rank(&args[2]).map(|(r, _)| (r, z.len()))) {
            Some((r, len)) => ctx.out.integer(if rev { len - 1 - r } else { r } as i64),
            None => ctx.out.null(),
        }
    }
}

fn zrank(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    rank_generic(ctx, args, false);
}

fn zrevrank(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    rank_generic(ctx, args, true);
}

/// A score as Redis's listpack stores it in text (what ZSCAN of a small set
/// shows): an integral value within +-2^62 as an integer, others as `%.17g`.
pub fn listpack_text(s: f64) -> Vec<u8> {
    const LIMIT: f64 = 4_611_686_018_427_387_904.0; // 2^62
    let mut out = Vec::with_capacity(24);
    if s.is_finite() && s.fract() == 0.0 && (-LIMIT..=LIMIT).contains(&s) {
        crate::num::push_i64(&mut out, s as i64);
    } else {
        crate::num::fmt_g(s, 17, &mut out);
    }
    out
}

/// ZSCAN key cursor [MATCH pattern] [COUNT count]. A small ("listpack") set is
/// returned whole with cursor 0, as Redis does. A skiplist set is walked by
/// member slot: a member keeps its slot for as long as it stays in the set (a
/// score change moves it in the order, not in the slots), so every member
/// present for the whole scan is returned exactly once.
fn zscan(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let Some(cursor) = crate::num::scan_cursor(&args[2]) else {
        return ctx.out.error("ERR invalid cursor");
    };
    let Ok(z) = read!(ctx, ZSet, &args[1]) else {
        return;
    };
    let (count, pattern) = match z.map_or(Ok((10, None)), |_| super::args::scan_options(&args[3..]))
    {
        Ok(o) => o,
        Err(e) => return ctx.out.error(e),
    };
    let keep = |m: &[u8]| pattern.is_none_or(|p| glob_match(p, m, false));
    let mut found: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    let mut next = 0u64;
    match z.map(|z| (z, z.as_skiplist())) {
        None => {}
        Some((z, None)) => {
            for (m, s) in z.iter() {
                if keep(&m) {
                    found.push((m.to_vec(), listpack_text(s)));
                }
            }
        }
        Some((_, Some(sl))) => {
            let start = usize::try_from(cursor).unwrap_or(usize::MAX);
            let (items, after) = sl.scan_slots(start, count);
            for (m, s) in items {
                if keep(m) {
                    let mut text = Vec::with_capacity(24);
                    crate::num::fmt_g(s, 17, &mut text);
                    found.push((m.to_vec(), text));
                }
            }
            next = after as u64;
        }
    }
    ctx.out.array(2);
    ctx.out.bulk(next.to_string().as_bytes());
    ctx.out.array(found.len() * 2);
    for (m, s) in found {
        ctx.out.bulk(&m);
        ctx.out.bulk(&s);
    }
}
