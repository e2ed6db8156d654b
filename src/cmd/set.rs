//! Set commands: SADD ... SSCAN.
//!
//! Invariants: replies and error texts are redis-server 7.0's; a set whose last
//! member goes is removed from the keyspace (with a `del` event); every command
//! on a key of another type answers WRONGTYPE; writes go through
//! `Arc::make_mut`, so a snapshot holding the old value keeps it.
//!
//! Order: an intset lists members in increasing order, as Redis does; a
//! hashtable lists them in its own order (Redis's differs: clients must not rely
//! on it). SSCAN walks positions of the dense member array, so members moved by
//! a concurrent removal may be missed (Redis's cursor keeps its guarantee).
use super::args::RepeatBudget;
use super::lookup::{count_read, read, value_mut, write_existing, write_or_create, Replied};
use super::notify::{self, notify};
use super::{errors, flags, CommandSpec, Ctx, Keys};
use crate::num::string2ll;
use crate::read;
use crate::resp::Reply;
use crate::store::set::Set;
use crate::store::{glob_match, Value};
use std::collections::HashSet;

const W: u32 = flags::WRITE;
const R: u32 = flags::READONLY;
const M: u32 = flags::DENYOOM;
const F: u32 = flags::FAST;

pub static COMMANDS: &[CommandSpec] = &[
    // SADD key member [member ...]
    CommandSpec {
        name: "sadd",
        arity: -3,
        flags: W | M | F,
        keys: Keys::ONE,
        handler: sadd,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "srem",
        arity: -3,
        flags: W | F,
        keys: Keys::ONE,
        handler: srem,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "smembers",
        arity: 2,
        flags: R,
        keys: Keys::ONE,
        handler: smembers,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "sismember",
        arity: 3,
        flags: R | F,
        keys: Keys::ONE,
        handler: sismember,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "smismember",
        arity: -3,
        flags: R | F,
        keys: Keys::ONE,
        handler: smismember,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "scard",
        arity: 2,
        flags: R | F,
        keys: Keys::ONE,
        handler: scard,
        ..CommandSpec::DEFAULT
    },
    // SPOP key [count]
    CommandSpec {
        name: "spop",
        arity: -2,
        flags: W | F,
        keys: Keys::ONE,
        handler: spop,
        ..CommandSpec::DEFAULT
    },
    // SRANDMEMBER key [count]
    CommandSpec {
        name: "srandmember",
        arity: -2,
        flags: R,
        keys: Keys::ONE,
        handler: srandmember,
        ..CommandSpec::DEFAULT
    },
    // SMOVE source destination member
    CommandSpec {
        name: "smove",
        arity: 4,
        flags: W | F,
        keys: Keys::range(1, 2, 1),
        handler: smove,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "sunion",
        arity: -2,
        flags: R,
        keys: Keys::ALL,
        handler: sunion,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "sinter",
        arity: -2,
        flags: R,
        keys: Keys::ALL,
        handler: sinter,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "sdiff",
        arity: -2,
        flags: R,
        keys: Keys::ALL,
        handler: sdiff,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "sunionstore",
        arity: -3,
        flags: W | M,
        keys: Keys::ALL,
        handler: sunionstore,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "sinterstore",
        arity: -3,
        flags: W | M,
        keys: Keys::ALL,
        handler: sinterstore,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "sdiffstore",
        arity: -3,
        flags: W | M,
        keys: Keys::ALL,
        handler: sdiffstore,
        ..CommandSpec::DEFAULT
    },
    // SINTERCARD numkeys key [key ...] [LIMIT limit]
    CommandSpec {
        name: "sintercard",
        arity: -3,
        flags: R,
        keys: Keys::NONE,
        handler: sintercard,
        ..CommandSpec::DEFAULT
    },
    // SSCAN key cursor [MATCH pattern] [COUNT count]
    CommandSpec {
        name: "sscan",
        arity: -3,
        flags: R,
        keys: Keys::ONE,
        handler: sscan,
        ..CommandSpec::DEFAULT
    },
];

/// `set-max-intset-entries`.
fn max_ints(ctx: &Ctx<'_>) -> usize {
    ctx.shared.config().set_max_intset_entries
}

/// Removes the key when its set became empty, with the `del` event.
fn drop_if_empty(ctx: &mut Ctx<'_>, key: &[u8]) {
    let db = ctx.store.db(ctx.client.db);
    if let Some(i) = db.lookup_no_touch(key) {
        if matches!(&db.entry(i).value, Value::Set(s) if s.is_empty()) {
            db.remove_at(i);
            notify(ctx, notify::GENERIC, "del", key);
        }
    }
}

fn sadd(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let limit = max_ints(ctx);
    let db = ctx.store.db(ctx.client.db);
    let Ok(i) = write_or_create(db, &args[1], ctx.out, Set::new) else {
        return;
    };
    let s = value_mut::<Set>(db, i);
    let added = args[2..].iter().filter(|m| s.add(m, limit)).count();
    if added > 0 {
        ctx.store.dirty += added as u64;
        notify(ctx, notify::SET, "sadd", &args[1]);
    }
    ctx.out.integer(added as i64);
}

fn srem(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let db = ctx.store.db(ctx.client.db);
    let Ok(found) = write_existing::<Set>(db, &args[1], ctx.out) else {
        return;
    };
    let Some(i) = found else {
        return ctx.out.integer(0);
    };
    let s = value_mut::<Set>(db, i);
    let removed = args[2..].iter().filter(|m| s.remove(m)).count();
    if removed > 0 {
        ctx.store.dirty += removed as u64;
        notify(ctx, notify::SET, "srem", &args[1]);
        drop_if_empty(ctx, &args[1]);
    }
    ctx.out.integer(removed as i64);
}

/// Writes a set's members as a RESP3 set / RESP2 array.
fn reply_members(out: &mut Reply, members: &[Vec<u8>]) {
    out.set(members.len());
    for m in members {
        out.bulk(m);
    }
}

fn smembers(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let db = ctx.store.db(ctx.client.db);
    match read::<Set>(db, ctx.shared, ctx.out, &args[1]) {
        Err(Replied) => {}
        Ok(None) => ctx.out.set(0),
        Ok(Some(s)) => {
            let members = s.members();
            reply_members(ctx.out, &members);
        }
    }
}

fn sismember(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if let Ok(s) = read!(ctx, Set, &args[1]) {
        let yes = s.is_some_and(|s| s.contains(&args[2]));
        ctx.out.integer(yes as i64);
    }
}

fn smismember(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let db = ctx.store.db(ctx.client.db);
    if let Ok(s) = read::<Set>(db, ctx.shared, ctx.out, &args[1]) {
        ctx.out.array(args.len() - 2);
        for m in &args[2..] {
            let yes = s.is_some_and(|s| s.contains(m));
            ctx.out.integer(yes as i64);
        }
    }
}

fn scard(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if let Ok(s) = read!(ctx, Set, &args[1]) {
        let n = s.map_or(0, |s| s.len());
        ctx.out.integer(n as i64);
    }
}

/// SPOP key [count]
fn spop(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if args.len() > 3 {
        return ctx.out.error(errors::SYNTAX);
    }
    let count = match args.get(2) {
        None => None,
        Some(a) => match string2ll(a) {
            Some(n) if n >= 0 => Some(n as usize),
            _ => return ctx.out.error("ERR value is out of range, must be positive"),
        },
    };
    let db = ctx.store.db(ctx.client.db);
    let Ok(found) = write_existing::<Set>(db, &args[1], ctx.out) else {
        return;
    };
    let Some(i) = found else {
        return match count {
            None => ctx.out.null(),
            Some(_) => ctx.out.set(0),
        };
    };
    let want = count.unwrap_or(1);
    let whole = match &db.entry(i).value {
        Value::Set(s) => count.is_some() && want >= s.len(),
        _ => false,
    };
    let mut popped = Vec::new();
    for _ in 0..want {
        let len = match &db.entry(i).value {
            Value::Set(s) => s.len(),
            _ => 0,
        };
        if len == 0 {
            break;
        }
        let pick = db.rng.below(len);
        popped.push(value_mut::<Set>(db, i).take_at(pick));
    }
    if !popped.is_empty() {
        ctx.store.dirty += popped.len() as u64;
        // Propagated as 7.0 does: the whole set as DEL, else one SREM a member.
        if super::propagate::is_on(ctx) {
            let key = &args[1];
            let cmds = if whole {
                let del: &[u8] = if ctx.shared.config().lazyfree_lazy_server_del {
                    b"UNLINK"
                } else {
                    b"DEL"
                };
                vec![vec![del.to_vec(), key.clone()]]
            } else {
                popped
                    .iter()
                    .map(|m| vec![b"SREM".to_vec(), key.clone(), m.clone()])
                    .collect()
            };
            super::propagate::replace(ctx, cmds);
        }
        notify(ctx, notify::SET, "spop", &args[1]);
        drop_if_empty(ctx, &args[1]);
    }
    match count {
        None => match popped.first() {
            Some(m) => ctx.out.bulk(m),
            None => ctx.out.null(),
        },
        Some(_) => reply_members(ctx.out, &popped),
    }
}

/// SRANDMEMBER key [count]: a positive count gives distinct members, a
/// negative one |count| picks that may repeat.
fn srandmember(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if args.len() > 3 {
        return ctx.out.error(errors::SYNTAX);
    }
    let count = match args.get(2) {
        None => None,
        Some(a) => match string2ll(a) {
            Some(i64::MIN) => {
                return ctx.out.error(
                    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
                )
            }
            Some(n) => Some(n),
            None => return ctx.out.error(errors::NOT_INTEGER),
        },
    };
    let db = ctx.store.db(ctx.client.db);
    let found = db.lookup(&args[1]);
    count_read(ctx.shared, found.is_some());
    let Some(i) = found else {
        return match count {
            None => ctx.out.null(),
            Some(_) => ctx.out.array(0),
        };
    };
    let len = match &db.entry(i).value {
        Value::Set(s) => s.len(),
        _ => return ctx.out.error(errors::WRONGTYPE),
    };
    if let Some(n) = count.filter(|&n| n < 0) {
        // Repeats allowed: each pick independent, streamed into the reply.
        let n = n.unsigned_abs();
        let Some(budget) = RepeatBudget::new(ctx, n, 1) else {
            return;
        };
        let db = ctx.store.db(ctx.client.db);
        let Value::Set(s) = db.entry(i).value.clone() else {
            return;
        };
        ctx.out.array(n as usize);
        for _ in 0..n {
            let m = s.at(db.rng.below(len)).to_vec();
            ctx.out.bulk(&m);
            if budget.spent(ctx.out) {
                return;
            }
        }
        return;
    }
    let mut picks: Vec<usize> = Vec::new();
    match count {
        None | Some(i64::MIN..=-1) => picks.push(db.rng.below(len)),
        Some(n) => {
            let n = (n as usize).min(len);
            // a partial Fisher-Yates shuffle of the positions
            let mut pos: Vec<usize> = (0..len).collect();
            for k in 0..n {
                let j = k + db.rng.below(len - k);
                pos.swap(k, j);
            }
            pos.truncate(n);
            picks = pos;
        }
    }
    let Value::Set(s) = &db.entry(i).value else {
        return;
    };
    let members: Vec<Vec<u8>> = picks.iter().map(|&p| s.at(p).to_vec()).collect();
    match count {
        None => ctx.out.bulk(&members[0]),
        Some(_) => {
            ctx.out.array(members.len());
            for m in &members {
                ctx.out.bulk(m);
            }
        }
    }
}

/// SMOVE source destination member
fn smove(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let (src, dst, member) = (&args[1], &args[2], &args[3]);
    let db = ctx.store.db(ctx.client.db);
    // As in Redis: a missing source answers 0 before the destination's type
    // is looked at.
    let Ok(found) = write_existing::<Set>(db, src, ctx.out) else {
        return;
    };
    let Some(i) = found else {
        return ctx.out.integer(0);
    };
    if write_existing::<Set>(db, dst, ctx.out).is_err() {
        return;
    }
    let present = matches!(&db.entry(i).value, Value::Set(s) if s.contains(member));
    if !present {
        return ctx.out.integer(0);
    }
    if src == dst {
        return ctx.out.integer(1);
    }
    value_mut::<Set>(db, i).remove(member);
    notify(ctx, notify::SET, "srem", src);
    drop_if_empty(ctx, src);
    let limit = max_ints(ctx);
    let db = ctx.store.db(ctx.client.db);
    if let Ok(j) = write_or_create(db, dst, ctx.out, Set::new) {
        // Already there: the destination is not modified (nor touched for
        // WATCH), as in Redis.
        let there = matches!(&db.entry(j).value, Value::Set(s) if s.contains(member));
        if !there && value_mut::<Set>(db, j).add(member, limit) {
            notify(ctx, notify::SET, "sadd", dst);
        }
    }
    ctx.store.dirty += 1;
    ctx.out.integer(1);
}

#[derive(Clone, Copy, PartialEq)]
enum Op {
    Union,
    Inter,
    Diff,
}

/// The members of the sets under `keys` (missing keys are empty sets), or
/// `Err(Replied)` after WRONGTYPE.
fn inputs(ctx: &mut Ctx<'_>, keys: &[Vec<u8>]) -> Result<Vec<Option<Vec<Vec<u8>>>>, Replied> {
    let mut out = Vec::with_capacity(keys.len());
    for k in keys {
        let db = ctx.store.db(ctx.client.db);
        let s = read::<Set>(db, ctx.shared, ctx.out, k)?;
        out.push(s.map(|s| s.members()));
    }
    Ok(out)
}

/// The result of SUNION/SINTER/SDIFF over `keys`, in first-seen order.
fn combine(ctx: &mut Ctx<'_>, keys: &[Vec<u8>], op: Op) -> Result<Vec<Vec<u8>>, Replied> {
    let sets = inputs(ctx, keys)?;
    let mut result: Vec<Vec<u8>> = Vec::new();
    match op {
        Op::Union => {
            let mut seen = HashSet::new();
            for m in sets.into_iter().flatten().flatten() {
                if seen.insert(m.clone()) {
                    result.push(m);
                }
            }
        }
        Op::Inter => {
            if sets.iter().any(|s| s.is_none()) {
                return Ok(Vec::new());
            }
            let sets: Vec<Vec<Vec<u8>>> = sets.into_iter().flatten().collect();
            let others: Vec<HashSet<&Vec<u8>>> =
                sets[1..].iter().map(|s| s.iter().collect()).collect();
            for m in &sets[0] {
                if others.iter().all(|o| o.contains(m)) {
                    result.push(m.clone());
                }
            }
        }
        Op::Diff => {
            let mut it = sets.into_iter();
            let first = it.next().flatten().unwrap_or_default();
            let rest: HashSet<Vec<u8>> = it.flatten().flatten().collect();
            result = first.into_iter().filter(|m| !rest.contains(m)).collect();
        }
    }
    Ok(result)
}

fn read_op(ctx: &mut Ctx<'_>, args: &[Vec<u8>], op: Op) {
    if let Ok(r) = combine(ctx, &args[1..], op) {
        reply_members(ctx.out, &r);
    }
}

fn sunion(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    read_op(ctx, args, Op::Union);
}

fn sinter(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    read_op(ctx, args, Op::Inter);
}

fn sdiff(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    read_op(ctx, args, Op::Diff);
}

/// SUNIONSTORE/SINTERSTORE/SDIFFSTORE destination key [key ...]
fn store_op(ctx: &mut Ctx<'_>, args: &[Vec<u8>], op: Op, event: &str) {
    let Ok(r) = combine(ctx, &args[2..], op) else {
        return;
    };
    let dst = &args[1];
    let limit = max_ints(ctx);
    let db = ctx.store.db(ctx.client.db);
    if r.is_empty() {
        if db.remove(dst).is_some() {
            notify(ctx, notify::GENERIC, "del", dst);
        }
        ctx.store.dirty += 1;
        return ctx.out.integer(0);
    }
    let mut s = Set::new();
    for m in &r {
        s.add(m, limit);
    }
    let n = s.len();
    db.set(dst, Value::Set(s), false);
    ctx.store.dirty += 1;
    notify(ctx, notify::SET, event, dst);
    ctx.out.integer(n as i64);
}

fn sunionstore(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    store_op(ctx, args, Op::Union, "sunionstore");
}

fn sinterstore(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    store_op(ctx, args, Op::Inter, "sinterstore");
}

fn sdiffstore(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    store_op(ctx, args, Op::Diff, "sdiffstore");
}

/// SINTERCARD numkeys key [key ...] [LIMIT limit]
fn sintercard(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let numkeys = match string2ll(&args[1]) {
        Some(n) if n > 0 => n as usize,
        Some(_) => return ctx.out.error("ERR numkeys should be greater than 0"),
        None => return ctx.out.error("ERR numkeys should be greater than 0"),
    };
    if numkeys > args.len() - 2 {
        return ctx
            .out
            .error("ERR Number of keys can't be greater than number of args");
    }
    let keys = &args[2..2 + numkeys];
    let rest = &args[2 + numkeys..];
    // Options left to right, as Redis 7.0 reads them: LIMIT may repeat (the
    // last wins), a bad value is an error before what follows is looked at.
    let mut limit = 0usize;
    let mut j = 0;
    while j < rest.len() {
        if rest[j].eq_ignore_ascii_case(b"limit") && j + 1 < rest.len() {
            // Redis reads LIMIT with one message for any bad value.
            match string2ll(&rest[j + 1]) {
                Some(n) if n >= 0 => limit = n as usize,
                _ => return ctx.out.error("ERR LIMIT can't be negative"),
            }
            j += 2;
        } else {
            return ctx.out.error(errors::SYNTAX);
        }
    }
    if let Ok(r) = combine(ctx, keys, Op::Inter) {
        let n = if limit > 0 {
            r.len().min(limit)
        } else {
            r.len()
        };
        ctx.out.integer(n as i64);
    }
}

/// SSCAN key cursor [MATCH pattern] [COUNT count]. On a "hashtable" set the
/// cursor is Redis's reverse-binary bucket cursor (see `store::dict`), so a member
/// present for the whole scan is returned at least once; an intset is returned
/// whole with cursor 0, as Redis does.
fn sscan(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let Some(cursor) = crate::num::scan_cursor(&args[2]) else {
        return ctx.out.error("ERR invalid cursor");
    };
    let db = ctx.store.db(ctx.client.db);
    let Ok(s) = read::<Set>(db, ctx.shared, ctx.out, &args[1]) else {
        return;
    };
    let (count, pattern) = match s.map_or(Ok((10, None)), |_| super::args::scan_options(&args[3..]))
    {
        Ok(o) => o,
        Err(e) => return ctx.out.error(e),
    };
    let mut found: Vec<Vec<u8>> = Vec::new();
    let next = s.map_or(0, |s| s.scan(cursor, count, |m| found.push(m.to_vec())));
    let found: Vec<Vec<u8>> = found
        .into_iter()
        .filter(|m| pattern.is_none_or(|p| glob_match(p, m, false)))
        .collect();
    ctx.out.array(2);
    ctx.out.bulk(next.to_string().as_bytes());
    ctx.out.array(found.len());
    for m in &found {
        ctx.out.bulk(m);
    }
}
