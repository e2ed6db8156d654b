//! Pops and random picks of sorted sets: ZPOPMIN ZPOPMAX ZMPOP ZRANDMEMBER, and
//! [`try_pop`], the pop that the blocking forms (BZPOPMIN, BZPOPMAX, BZMPOP)
//! share with them.
//!
//! The blocking commands are a thin layer over [`try_pop`]: on the call (and on
//! every wake-up) they run it over their keys with `count` 1 and
//! [`PopShape::KeyFirst`] (BZPOPMIN/BZPOPMAX) or their COUNT and
//! [`PopShape::Nested`] (BZMPOP); `false` means no key holds a sorted set yet,
//! nothing has been written to the reply, and the client should block (or get a
//! nil array on timeout, or at once inside MULTI or a script).
//!
//! Invariants: a pop takes from the low end (`min`) or the high end, in that
//! end's order; it sends `zpopmin`/`zpopmax` and, when the set empties, deletes the
//! key and sends `del`; `dirty` grows by the number of members popped.
use super::blocking;
use super::lookup::{count_read, value_mut, write_existing};
use super::zset::{notify_removal, remove_if_empty, reply_pair, reply_pairs_header};
use super::{errors, Ctx};
use crate::resp::Reply;
use crate::store::listpack::Elem;
use crate::store::zset::ZSet;
use crate::store::Value;

/// The reply layout of a pop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PopShape {
    /// ZPOPMIN/ZPOPMAX with a count: `[member, score, ...]` (RESP3: a
    /// `[member, score]` pair each).
    Flat,
    /// ZPOPMIN/ZPOPMAX without a count: `[member, score]`, flat in RESP3 too.
    Single,
    /// BZPOPMIN/BZPOPMAX: `[key, member, score]`.
    KeyFirst,
    /// ZMPOP/BZMPOP: `[key, [[member, score], ...]]`.
    Nested,
}

/// Pops up to `count` (at least 1) members from the first of `keys` that holds a
/// sorted set, from the high end when `max`, and writes the reply in `shape`.
/// Returns true when it replied (the pop, or WRONGTYPE for a key of another
/// type met first), false when no key holds a sorted set (nothing written).
pub fn try_pop(
    ctx: &mut Ctx<'_>,
    keys: &[Vec<u8>],
    max: bool,
    count: usize,
    shape: PopShape,
) -> bool {
    let db = ctx.store.db(ctx.client.db);
    let mut found = None;
    for k in keys {
        match write_existing::<ZSet>(db, k, ctx.out) {
            Err(_) => return true,
            Ok(None) => continue,
            Ok(Some(i)) => {
                found = Some((k, i));
                break;
            }
        }
    }
    let Some((key, i)) = found else {
        return false;
    };
    let popped = value_mut::<ZSet>(db, i).pop(count.max(1), max);
    let gone = remove_if_empty(db, i);
    let n = popped.len();
    match shape {
        PopShape::Flat => reply_pairs_header(ctx.out, n, true),
        PopShape::Single => ctx.out.array(n * 2),
        PopShape::KeyFirst => {
            ctx.out.array(n * 2 + 1);
            ctx.out.bulk(key);
        }
        PopShape::Nested => {
            ctx.out.array(2);
            ctx.out.bulk(key);
            ctx.out.array(n);
        }
    }
    for (m, s) in &popped {
        if shape == PopShape::Nested {
            ctx.out.array(2);
            ctx.out.bulk(m);
            ctx.out.double(*s);
        } else if shape == PopShape::Flat {
            reply_pair(ctx.out, m, *s);
        } else {
            ctx.out.bulk(m);
            ctx.out.double(*s);
        }
    }
    ctx.store.dirty += n as u64;
    // BZPOP* and [B]ZMPOP propagate as ZPOPMIN/ZPOPMAX, as 7.0 rewrites them.
    if matches!(shape, PopShape::KeyFirst | PopShape::Nested) && super::propagate::is_on(ctx) {
        let name: &[u8] = if max { b"ZPOPMAX" } else { b"ZPOPMIN" };
        let mut argv = vec![name.to_vec(), key.to_vec()];
        if shape == PopShape::Nested {
            argv.push(n.to_string().into_bytes());
        }
        super::propagate::replace(ctx, vec![argv]);
    }
    notify_removal(ctx, if max { "zpopmax" } else { "zpopmin" }, key, gone);
    true
}

fn zpop(ctx: &mut Ctx<'_>, args: &[Vec<u8>], max: bool) {
    if args.len() > 3 {
        return ctx.out.error(errors::SYNTAX);
    }
    let count = match args.get(2) {
        None => 1,
        Some(a) => match crate::num::string2ll(a) {
            Some(n) if n >= 0 => n as u64,
            _ => return ctx.out.error("ERR value is out of range, must be positive"),
        },
    };
    let db = ctx.store.db(ctx.client.db);
    match write_existing::<ZSet>(db, &args[1], ctx.out) {
        Err(_) => return,
        Ok(None) => return ctx.out.array(0),
        Ok(Some(_)) if count == 0 => return ctx.out.array(0),
        Ok(Some(_)) => {}
    }
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    let shape = if args.len() == 2 {
        PopShape::Single
    } else {
        PopShape::Flat
    };
    try_pop(ctx, &args[1..2], max, count, shape);
}

pub fn zpopmin(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    zpop(ctx, args, false);
}

pub fn zpopmax(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    zpop(ctx, args, true);
}

/// The arguments of ZMPOP/BZMPOP from `numkeys` on: `numkeys key... MIN|MAX
/// [COUNT count]`. Returns (keys range in `args`, max, count), or `None` after
/// replying the error.
pub fn parse_mpop(
    out: &mut crate::resp::Reply,
    args: &[Vec<u8>],
    numkeys_at: usize,
) -> Option<(std::ops::Range<usize>, bool, usize)> {
    let numkeys = match crate::num::string2ll(&args[numkeys_at]) {
        Some(n) if n > 0 => n as usize,
        _ => {
            out.error("ERR numkeys should be greater than 0");
            return None;
        }
    };
    let where_at = match numkeys_at
        .checked_add(numkeys)
        .and_then(|n| n.checked_add(1))
    {
        Some(w) if w < args.len() => w,
        _ => {
            out.error(errors::SYNTAX);
            return None;
        }
    };
    let max = match args[where_at].to_ascii_uppercase().as_slice() {
        b"MIN" => false,
        b"MAX" => true,
        _ => {
            out.error(errors::SYNTAX);
            return None;
        }
    };
    let mut count: Option<usize> = None;
    let mut j = where_at + 1;
    while j < args.len() {
        let more = args.len() - 1 - j;
        if count.is_none() && args[j].eq_ignore_ascii_case(b"COUNT") && more > 0 {
            j += 1;
            match crate::num::string2ll(&args[j]) {
                Some(n) if n > 0 => count = Some(n as usize),
                _ => {
                    out.error("ERR count should be greater than 0");
                    return None;
                }
            }
        } else {
            out.error(errors::SYNTAX);
            return None;
        }
        j += 1;
    }
    Some((numkeys_at + 1..where_at, max, count.unwrap_or(1)))
}

pub fn zmpop(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let Some((keys, max, count)) = parse_mpop(ctx.out, args, 1) else {
        return;
    };
    if !try_pop(ctx, &args[keys], max, count, PopShape::Nested) {
        ctx.out.null_array();
    }
}

pub fn zrandmember(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let mut with_scores = false;
    let count = match args.get(2) {
        None => None,
        Some(a) => {
            let Some(n) = crate::num::string2ll(a) else {
                return ctx.out.error(errors::NOT_INTEGER);
            };
            if n == i64::MIN {
                return ctx.out.error(
                    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
                );
            }
            if args.len() > 4 || (args.len() == 4 && !args[3].eq_ignore_ascii_case(b"WITHSCORES")) {
                return ctx.out.error(errors::SYNTAX);
            }
            if args.len() == 4 {
                with_scores = true;
                if !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&n) {
                    return ctx.out.error("ERR value is out of range");
                }
            }
            Some(n)
        }
    };
    let db = ctx.store.db(ctx.client.db);
    let found = db.lookup(&args[1]);
    count_read(ctx.shared, found.is_some());
    let z = match found.map(|i| db.entry(i).value.clone()) {
        None => {
            return match count {
                None => ctx.out.null(),
                Some(_) => ctx.out.array(0),
            }
        }
        Some(Value::ZSet(z)) => z,
        Some(_) => return ctx.out.error(errors::WRONGTYPE),
    };
    let len = z.len();
    // A listpack's pairs are read once (a pick by rank would walk it).
    let small: Vec<(Elem<'_>, f64)> = if z.as_skiplist().is_none() {
        z.iter().collect()
    } else {
        Vec::new()
    };
    let pick = |r: usize| match small.get(r) {
        Some(&pair) => Some(pair),
        None => z.get(r),
    };
    let Some(count) = count else {
        if let Some((m, _)) = pick(db.rng.below(len)) {
            ctx.out.bulk(&m);
        }
        return;
    };
    if count == 0 {
        return ctx.out.array(0);
    }
    if count < 0 {
        // Repeats allowed: each pick independent.
        let n = count.unsigned_abs();
        let frames = if with_scores { 2 } else { 1 };
        let Some(budget) = super::args::RepeatBudget::new(ctx, n, frames) else {
            return;
        };
        let db = ctx.store.db(ctx.client.db);
        reply_pairs_header(ctx.out, n as usize, with_scores);
        for _ in 0..n {
            if let Some((m, s)) = pick(db.rng.below(len)) {
                emit(ctx.out, &m, s, with_scores);
            }
            if budget.spent(ctx.out) {
                return;
            }
        }
        return;
    }
    let count = count as u64;
    if count >= len as u64 {
        // The whole set, highest first (as Redis walks it).
        reply_pairs_header(ctx.out, len, with_scores);
        for (m, s) in z.iter_rev_from(len - 1) {
            emit(ctx.out, &m, s, with_scores);
        }
        return;
    }
    // Distinct ranks: a partial Fisher-Yates shuffle over the ranks when the
    // pick is a large share of the set, else rejection of repeats.
    let n = count as usize;
    let picks: Vec<usize> = if n * 3 > len {
        let mut pos: Vec<usize> = (0..len).collect();
        for k in 0..n {
            let j = k + db.rng.below(len - k);
            pos.swap(k, j);
        }
        pos.truncate(n);
        pos
    } else {
        let mut seen = std::collections::HashSet::with_capacity(n);
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let r = db.rng.below(len);
            if seen.insert(r) {
                out.push(r);
            }
        }
        out
    };
    reply_pairs_header(ctx.out, n, with_scores);
    for r in picks {
        if let Some((m, s)) = pick(r) {
            emit(ctx.out, &m, s, with_scores);
        }
    }
}

fn emit(out: &mut crate::resp::Reply, m: &[u8], s: f64, with_scores: bool) {
    if with_scores {
        reply_pair(out, m, s);
    } else {
        out.bulk(m);
    }
}

/// BZPOPMIN/BZPOPMAX key [key ...] timeout
fn bzpop(ctx: &mut Ctx<'_>, args: &[Vec<u8>], max: bool) {
    let deadline = match blocking::parse_timeout(&args[args.len() - 1]) {
        Ok(d) => d,
        Err(e) => return ctx.out.error(e),
    };
    let keys = &args[1..args.len() - 1];
    if !try_pop(ctx, keys, max, 1, PopShape::KeyFirst) {
        blocking::block_or_reply(ctx, keys, args, deadline, Reply::null_array);
    }
}

pub fn bzpopmin(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    bzpop(ctx, args, false);
}

pub fn bzpopmax(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    bzpop(ctx, args, true);
}

/// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
pub fn bzmpop(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    // As in 7.0, the timeout is read after the other arguments.
    let Some((keys, max, count)) = parse_mpop(ctx.out, args, 2) else {
        return;
    };
    let deadline = match blocking::parse_timeout(&args[1]) {
        Ok(d) => d,
        Err(e) => return ctx.out.error(e),
    };
    if !try_pop(ctx, &args[keys.clone()], max, count, PopShape::Nested) {
        blocking::block_or_reply(ctx, &args[keys], args, deadline, Reply::null_array);
    }
}
