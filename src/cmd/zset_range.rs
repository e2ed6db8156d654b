//! Range reads and removals of sorted sets: ZRANGE (BYSCORE BYLEX REV LIMIT
//! WITHSCORES), ZRANGESTORE, the older ZREVRANGE / Z[REV]RANGEBYSCORE /
//! Z[REV]RANGEBYLEX, and ZREMRANGEBYRANK / -SCORE / -LEX.
//!
//! As in Redis, every reading form is one routine ([`range_generic`]) called
//! with some options preset: the older commands are ZRANGE with the range type
//! and direction fixed, so they accept and refuse the same option words.
//! Each query becomes a rank interval (see `store::zset`), then a walk of at
//! most the requested number of elements: O(log n + m).
//!
//! Invariants: errors come in Redis's order (options, then the range ends, then
//! the key's type); ZRANGESTORE writes its result in the encoding its size calls
//! for, deletes the destination when the result is empty, and reports
//! `zrangestore` (or `del`).
use super::lookup::{value_mut, write_existing};
use super::notify::{notify, GENERIC, ZSET};
use super::zset::{
    limits, long_arg, notify_removal, remove_if_empty, reply_pair, reply_pairs_header,
};
use super::{errors, Ctx};
use crate::read;
use crate::store::zset::{LexRange, ScoreRange, ZSet};
use crate::store::Value;

/// How the two range arguments are read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Auto,
    Rank,
    Score,
    Lex,
}

/// Direction of the reply.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dir {
    Auto,
    Forward,
    Reverse,
}

/// The shared body of the range commands. `key_at` is the position of the source
/// key (the range ends follow it); `store` names the destination of ZRANGESTORE.
fn range_generic(
    ctx: &mut Ctx<'_>,
    args: &[Vec<u8>],
    key_at: usize,
    store: Option<&[u8]>,
    mut kind: Kind,
    mut dir: Dir,
) {
    let mut with_scores = false;
    let mut offset: i64 = 0;
    let mut limit: i64 = -1;
    let mut j = key_at + 3;
    while j < args.len() {
        let left = args.len() - j - 1;
        let word = args[j].to_ascii_uppercase();
        match word.as_slice() {
            b"WITHSCORES" if store.is_none() => with_scores = true,
            b"LIMIT" if left >= 2 => {
                let Some(o) = long_arg(ctx.out, &args[j + 1]) else {
                    return;
                };
                let Some(l) = long_arg(ctx.out, &args[j + 2]) else {
                    return;
                };
                offset = o;
                limit = l;
                j += 2;
            }
            b"REV" if dir == Dir::Auto => dir = Dir::Reverse,
            b"BYLEX" if kind == Kind::Auto => kind = Kind::Lex,
            b"BYSCORE" if kind == Kind::Auto => kind = Kind::Score,
            _ => return ctx.out.error(errors::SYNTAX),
        }
        j += 1;
    }
    if dir == Dir::Auto {
        dir = Dir::Forward;
    }
    if kind == Kind::Auto {
        kind = Kind::Rank;
    }
    if limit != -1 && kind == Kind::Rank {
        return ctx.out.error(
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
        );
    }
    if with_scores && kind == Kind::Lex {
        return ctx
            .out
            .error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    }
    let (mut min_at, mut max_at) = (key_at + 1, key_at + 2);
    if dir == Dir::Reverse && kind != Kind::Rank {
        std::mem::swap(&mut min_at, &mut max_at);
    }
    let rev = dir == Dir::Reverse;
    // The range as a rank interval is computed once the set is known.
    enum Spec {
        Rank(i64, i64),
        Score(ScoreRange),
        Lex(LexRange),
    }
    let spec = match kind {
        Kind::Score => match ScoreRange::parse(&args[min_at], &args[max_at]) {
            Some(r) => Spec::Score(r),
            None => return ctx.out.error("ERR min or max is not a float"),
        },
        Kind::Lex => match LexRange::parse(&args[min_at], &args[max_at]) {
            Some(r) => Spec::Lex(r),
            None => return ctx.out.error("ERR min or max not valid string range item"),
        },
        _ => {
            let Some(s) = long_arg(ctx.out, &args[min_at]) else {
                return;
            };
            let Some(e) = long_arg(ctx.out, &args[max_at]) else {
                return;
            };
            Spec::Rank(s, e)
        }
    };
    let key = &args[key_at];
    let Ok(z) = read!(ctx, ZSet, key) else {
        return;
    };
    // Select (first rank, count) in the walk's direction.
    let selection = z.map(|z| {
        let len = z.len() as i64;
        let (first, n) = match &spec {
            Spec::Rank(s, e) => {
                let (mut s, mut e) = (*s, *e);
                if s < 0 {
                    s += len;
                }
                if e < 0 {
                    e += len;
                }
                s = s.max(0);
                if s > e || s >= len {
                    (0, 0)
                } else {
                    e = e.min(len - 1);
                    let n = (e - s + 1) as usize;
                    if rev {
                        ((len - 1 - s) as usize, n)
                    } else {
                        (s as usize, n)
                    }
                }
            }
            Spec::Score(_) | Spec::Lex(_) => {
                let (lo, hi) = match &spec {
                    Spec::Score(r) => z.score_ranks(r),
                    Spec::Lex(r) => z.lex_ranks(r),
                    Spec::Rank(..) => (0, 0),
                };
                let total = hi - lo;
                let skip = if offset < 0 {
                    total
                } else {
                    (offset as u64).min(total as u64) as usize
                };
                let mut n = total - skip;
                if limit >= 0 {
                    n = n.min(limit as usize);
                }
                if n == 0 {
                    (0, 0)
                } else if rev {
                    (hi - 1 - skip, n)
                } else {
                    (lo + skip, n)
                }
            }
        };
        (z, first, n)
    });
    match store {
        None => {
            let Some((z, first, n)) = selection else {
                return ctx.out.array(0);
            };
            reply_pairs_header(ctx.out, n, with_scores);
            if n == 0 {
                return;
            }
            let walk = if rev {
                z.iter_rev_from(first)
            } else {
                z.iter_from(first)
            };
            for (m, s) in walk.take(n) {
                if with_scores {
                    reply_pair(ctx.out, &m, s);
                } else {
                    ctx.out.bulk(&m);
                }
            }
        }
        Some(dst) => {
            let pairs: Vec<(Vec<u8>, f64)> = match selection {
                Some((z, first, n)) if n > 0 => {
                    let walk = if rev {
                        z.iter_rev_from(first)
                    } else {
                        z.iter_from(first)
                    };
                    walk.take(n).map(|(m, s)| (m.to_vec(), s)).collect()
                }
                _ => Vec::new(),
            };
            store_result(ctx, dst, pairs, "zrangestore");
        }
    }
}

/// Stores `pairs` under `dst` as a new sorted set (replacing any value and TTL),
/// or deletes `dst` when empty; replies the count and sends `event` (or `del`).
pub fn store_result(ctx: &mut Ctx<'_>, dst: &[u8], pairs: Vec<(Vec<u8>, f64)>, event: &str) {
    let n = pairs.len();
    let db = ctx.store.db(ctx.client.db);
    if n > 0 {
        let z = ZSet::from_pairs(pairs, limits(ctx));
        let db = ctx.store.db(ctx.client.db);
        db.set(dst, Value::ZSet(z), false);
        ctx.blocked.signal(ctx.client.db, dst);
        ctx.store.dirty += 1;
        ctx.out.integer(n as i64);
        notify(ctx, ZSET, event, dst);
    } else {
        let deleted = db.remove(dst).is_some();
        ctx.out.integer(0);
        if deleted {
            ctx.store.dirty += 1;
            notify(ctx, GENERIC, "del", dst);
        }
    }
}

pub fn zrange(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    range_generic(ctx, args, 1, None, Kind::Auto, Dir::Auto);
}

pub fn zrangestore(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let dst = args[1].clone();
    range_generic(ctx, args, 2, Some(&dst), Kind::Auto, Dir::Auto);
}

pub fn zrevrange(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    range_generic(ctx, args, 1, None, Kind::Rank, Dir::Reverse);
}

pub fn zrangebyscore(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    range_generic(ctx, args, 1, None, Kind::Score, Dir::Forward);
}

pub fn zrevrangebyscore(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    range_generic(ctx, args, 1, None, Kind::Score, Dir::Reverse);
}

pub fn zrangebylex(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    range_generic(ctx, args, 1, None, Kind::Lex, Dir::Forward);
}

pub fn zrevrangebylex(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    range_generic(ctx, args, 1, None, Kind::Lex, Dir::Reverse);
}

/// ZREMRANGEBY*: removes the rank interval the range selects.
fn remrange(ctx: &mut Ctx<'_>, args: &[Vec<u8>], kind: Kind) {
    enum Spec {
        Rank(i64, i64),
        Score(ScoreRange),
        Lex(LexRange),
    }
    let spec = match kind {
        Kind::Score => match ScoreRange::parse(&args[2], &args[3]) {
            Some(r) => Spec::Score(r),
            None => return ctx.out.error("ERR min or max is not a float"),
        },
        Kind::Lex => match LexRange::parse(&args[2], &args[3]) {
            Some(r) => Spec::Lex(r),
            None => return ctx.out.error("ERR min or max not valid string range item"),
        },
        _ => {
            let Some(s) = long_arg(ctx.out, &args[2]) else {
                return;
            };
            let Some(e) = long_arg(ctx.out, &args[3]) else {
                return;
            };
            Spec::Rank(s, e)
        }
    };
    let key = &args[1];
    let db = ctx.store.db(ctx.client.db);
    let i = match write_existing::<ZSet>(db, key, ctx.out) {
        Err(_) => return,
        Ok(None) => return ctx.out.integer(0),
        Ok(Some(i)) => i,
    };
    let (lo, hi) = match (&spec, &db.entry(i).value) {
        (Spec::Rank(s, e), Value::ZSet(z)) => {
            let len = z.len() as i64;
            let (mut s, mut e) = (*s, *e);
            if s < 0 {
                s += len;
            }
            if e < 0 {
                e += len;
            }
            s = s.max(0);
            if s > e || s >= len {
                (0, 0)
            } else {
                (s as usize, (e.min(len - 1) + 1) as usize)
            }
        }
        (Spec::Score(r), Value::ZSet(z)) => z.score_ranks(r),
        (Spec::Lex(r), Value::ZSet(z)) => z.lex_ranks(r),
        _ => (0, 0),
    };
    let removed = hi - lo;
    if removed == 0 {
        return ctx.out.integer(0);
    }
    value_mut::<ZSet>(db, i).remove_ranks(lo, removed, |_, _| {});
    let gone = remove_if_empty(db, i);
    ctx.store.dirty += removed as u64;
    let event = match kind {
        Kind::Score => "zremrangebyscore",
        Kind::Lex => "zremrangebylex",
        _ => "zremrangebyrank",
    };
    notify_removal(ctx, event, key, gone);
    ctx.out.integer(removed as i64);
}

pub fn zremrangebyrank(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    remrange(ctx, args, Kind::Rank);
}

pub fn zremrangebyscore(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    remrange(ctx, args, Kind::Score);
}

pub fn zremrangebylex(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    remrange(ctx, args, Kind::Lex);
}
