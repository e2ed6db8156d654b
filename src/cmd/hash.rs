//! Hash commands: HSET ... HSCAN.
//!
//! Invariants: replies and error texts are redis-server 7.0's; a hash whose last
//! field is deleted is removed from the keyspace; every command on a key of another
//! type answers WRONGTYPE; writes copy data a snapshot shares first, so the
//! snapshot keeps the old value (see `store::value`).
use super::args::{int_arg, RepeatBudget};
use super::lookup::{count_read, value_mut, write_existing, write_or_create};
use super::notify::{self, notify};
use super::{errors, flags, CommandSpec, Ctx, Keys};
use crate::num::string2ll;
use crate::num::F80;
use crate::read;
use crate::store::hash::Hash;
use crate::store::listpack::Elem;
use crate::store::{glob_match, Value};

const W: u32 = flags::WRITE;
const R: u32 = flags::READONLY;
const M: u32 = flags::DENYOOM;
const F: u32 = flags::FAST;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "hset",
        arity: -4,
        flags: W | M | F,
        keys: Keys::ONE,
        handler: hset,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "hmset",
        arity: -4,
        flags: W | M | F,
        keys: Keys::ONE,
        handler: hmset,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "hsetnx",
        arity: 4,
        flags: W | M | F,
        keys: Keys::ONE,
        handler: hsetnx,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "hget",
        arity: 3,
        flags: R | F,
        keys: Keys::ONE,
        handler: hget,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "hmget",
        arity: -3,
        flags: R | F,
        keys: Keys::ONE,
        handler: hmget,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "hgetall",
        arity: 2,
        flags: R,
        keys: Keys::ONE,
        handler: hgetall,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "hkeys",
        arity: 2,
        flags: R,
        keys: Keys::ONE,
        handler: hkeys,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "hvals",
        arity: 2,
        flags: R,
        keys: Keys::ONE,
        handler: hvals,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "hdel",
        arity: -3,
        flags: W | F,
        keys: Keys::ONE,
        handler: hdel,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "hlen",
        arity: 2,
        flags: R | F,
        keys: Keys::ONE,
        handler: hlen,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "hexists",
        arity: 3,
        flags: R | F,
        keys: Keys::ONE,
        handler: hexists,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "hstrlen",
        arity: 3,
        flags: R | F,
        keys: Keys::ONE,
        handler: hstrlen,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "hincrby",
        arity: 4,
        flags: W | M | F,
        keys: Keys::ONE,
        handler: hincrby,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "hincrbyfloat",
        arity: 4,
        flags: W | M | F,
        keys: Keys::ONE,
        handler: hincrbyfloat,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "hrandfield",
        arity: -2,
        flags: R,
        keys: Keys::ONE,
        handler: hrandfield,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "hscan",
        arity: -3,
        flags: R,
        keys: Keys::ONE,
        handler: hscan,
        ..CommandSpec::DEFAULT
    },
];

/// `hash-max-listpack-entries` and `hash-max-listpack-value`.
fn listpack_limits(ctx: &Ctx<'_>) -> (usize, usize) {
    let c = ctx.shared.config();
    (c.hash_max_listpack_entries, c.hash_max_listpack_value)
}

/// Shared body of HSET and HMSET; returns the number of new fields, or `None`
/// after replying an error.
fn set_pairs(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) -> Option<i64> {
    let limits = listpack_limits(ctx);
    if !args.len().is_multiple_of(2) {
        let name = String::from_utf8_lossy(&args[0]).to_ascii_lowercase();
        ctx.out.error(&format!(
            "ERR wrong number of arguments for '{name}' command"
        ));
        return None;
    }
    let db = ctx.store.db(ctx.client.db);
    let i = write_or_create(db, &args[1], ctx.out, Hash::new).ok()?;
    let h = value_mut::<Hash>(db, i);
    let mut added = 0;
    for pair in args[2..].chunks_exact(2) {
        added += i64::from(h.set_within(&pair[0], &pair[1], limits));
    }
    ctx.store.dirty += 1;
    notify(ctx, notify::HASH, "hset", &args[1]);
    Some(added)
}

fn hset(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if let Some(n) = set_pairs(ctx, args) {
        ctx.out.integer(n);
    }
}

fn hmset(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if set_pairs(ctx, args).is_some() {
        ctx.out.ok();
    }
}

fn hsetnx(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let limits = listpack_limits(ctx);
    let db = ctx.store.db(ctx.client.db);
    let Ok(i) = write_or_create(db, &args[1], ctx.out, Hash::new) else {
        return;
    };
    let exists = matches!(&db.entry(i).value, Value::Hash(h) if h.contains(&args[2]));
    if exists {
        return ctx.out.integer(0);
    }
    value_mut::<Hash>(db, i).set_within(&args[2], &args[3], limits);
    ctx.store.dirty += 1;
    notify(ctx, notify::HASH, "hset", &args[1]);
    ctx.out.integer(1);
}

fn hget(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if let Ok(h) = read!(ctx, Hash, &args[1]) {
        match h.and_then(|h| h.get(&args[2])) {
            Some(v) => ctx.out.bulk(&v),
            None => ctx.out.null(),
        }
    }
}

fn hmget(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let db = ctx.store.db(ctx.client.db);
    let found = db.lookup(&args[1]);
    count_read(ctx.shared, found.is_some());
    let h = match found.map(|i| &db.entry(i).value) {
        None => None,
        Some(Value::Hash(h)) => Some(h),
        Some(_) => return ctx.out.error(errors::WRONGTYPE),
    };
    ctx.out.array(args.len() - 2);
    for f in &args[2..] {
        match h.and_then(|h| h.get(f)) {
            Some(v) => ctx.out.bulk(&v),
            None => ctx.out.null(),
        }
    }
}

/// HGETALL, HKEYS, HVALS: which halves of each pair to send.
fn list_pairs(ctx: &mut Ctx<'_>, key: &[u8], keys: bool, vals: bool) {
    let db = ctx.store.db(ctx.client.db);
    let found = db.lookup(key);
    count_read(ctx.shared, found.is_some());
    let h = match found.map(|i| &db.entry(i).value) {
        None => {
            return if keys && vals {
                ctx.out.map(0)
            } else {
                ctx.out.array(0)
            }
        }
        Some(Value::Hash(h)) => h,
        Some(_) => return ctx.out.error(errors::WRONGTYPE),
    };
    if keys && vals {
        ctx.out.map(h.len());
    } else {
        ctx.out.array(h.len());
    }
    for (f, v) in h.pairs() {
        if keys {
            ctx.out.bulk(&f);
        }
        if vals {
            ctx.out.bulk(&v);
        }
    }
}

fn hgetall(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    list_pairs(ctx, &args[1], true, true);
}

fn hkeys(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    list_pairs(ctx, &args[1], true, false);
}

fn hvals(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    list_pairs(ctx, &args[1], false, true);
}

fn hdel(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let db = ctx.store.db(ctx.client.db);
    let i = match write_existing::<Hash>(db, &args[1], ctx.out) {
        Err(_) => return,
        Ok(None) => return ctx.out.integer(0),
        Ok(Some(i)) => i,
    };
    let h = value_mut::<Hash>(db, i);
    let mut removed = 0;
    for f in &args[2..] {
        removed += i64::from(h.remove(f));
        if h.is_empty() {
            break;
        }
    }
    let emptied = h.is_empty();
    if emptied {
        db.remove_at(i);
    }
    if removed > 0 {
        ctx.store.dirty += 1;
        notify(ctx, notify::HASH, "hdel", &args[1]);
        if emptied {
            notify(ctx, notify::GENERIC, "del", &args[1]);
        }
    }
    ctx.out.integer(removed);
}

fn hlen(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if let Ok(h) = read!(ctx, Hash, &args[1]) {
        let n = h.map_or(0, Hash::len);
        ctx.out.integer(n as i64);
    }
}

fn hexists(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if let Ok(h) = read!(ctx, Hash, &args[1]) {
        let n = h.is_some_and(|h| h.contains(&args[2]));
        ctx.out.integer(i64::from(n));
    }
}

fn hstrlen(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if let Ok(h) = read!(ctx, Hash, &args[1]) {
        let n = h.and_then(|h| h.get(&args[2])).map_or(0, |v| v.len());
        ctx.out.integer(n as i64);
    }
}

fn hincrby(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let limits = listpack_limits(ctx);
    let Some(by) = int_arg(ctx, &args[3]) else {
        return;
    };
    let db = ctx.store.db(ctx.client.db);
    let Ok(i) = write_or_create(db, &args[1], ctx.out, Hash::new) else {
        return;
    };
    let old = match &db.entry(i).value {
        Value::Hash(h) => h.get(&args[2]).map(|v| string2ll(&v)),
        _ => None,
    };
    let old = match old {
        None => 0,
        Some(Some(n)) => n,
        Some(None) => return ctx.out.error("ERR hash value is not an integer"),
    };
    let Some(new) = old.checked_add(by) else {
        return ctx.out.error("ERR increment or decrement would overflow");
    };
    let text = new.to_string();
    value_mut::<Hash>(db, i).set_within(&args[2], text.as_bytes(), limits);
    ctx.store.dirty += 1;
    notify(ctx, notify::HASH, "hincrby", &args[1]);
    ctx.out.integer(new);
}

fn hincrbyfloat(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let limits = listpack_limits(ctx);
    let Some(by) = F80::parse(&args[3]) else {
        return ctx.out.error(errors::NOT_FLOAT);
    };
    if !by.is_finite() {
        return ctx.out.error("ERR value is NaN or Infinity");
    }
    let db = ctx.store.db(ctx.client.db);
    let Ok(i) = write_or_create(db, &args[1], ctx.out, Hash::new) else {
        return;
    };
    let old = match &db.entry(i).value {
        Value::Hash(h) => h.get(&args[2]).map(|v| F80::parse(&v)),
        _ => None,
    };
    let old = match old {
        None => F80::ZERO,
        Some(Some(n)) => n,
        Some(None) => return ctx.out.error("ERR hash value is not a float"),
    };
    let sum = old.plus(by);
    if !sum.is_finite() {
        return ctx.out.error("ERR increment would produce NaN or Infinity");
    }
    let text = sum.to_human_string();
    value_mut::<Hash>(db, i).set_within(&args[2], &text, limits);
    ctx.store.dirty += 1;
    notify(ctx, notify::HASH, "hincrbyfloat", &args[1]);
    ctx.out.bulk(&text);
}

fn hrandfield(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    // As Redis 7.0: the count first (a range-checked integer), then the rest of
    // the arguments, then WITHVALUES's tighter range, all before the key.
    let mut with_values = false;
    let count = match args.get(2) {
        None => None,
        Some(a) => {
            let Some(n) = int_arg(ctx, a) else {
                return;
            };
            if n == i64::MIN {
                return ctx.out.error(
                    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
                );
            }
            if args.len() > 4 || (args.len() == 4 && !args[3].eq_ignore_ascii_case(b"WITHVALUES")) {
                return ctx.out.error(errors::SYNTAX);
            }
            if args.len() == 4 {
                with_values = true;
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
    let h = match found.map(|i| db.entry(i).value.clone()) {
        None => {
            return match count {
                None => ctx.out.null(),
                Some(_) => ctx.out.array(0),
            }
        }
        Some(Value::Hash(h)) => h,
        Some(_) => return ctx.out.error(errors::WRONGTYPE),
    };
    let len = h.len();
    // A listpack's pairs are read once (a pick by position would walk it).
    let small: Vec<(Elem<'_>, Elem<'_>)> = if h.is_listpack() {
        h.pairs().collect()
    } else {
        Vec::new()
    };
    let pick = |p: usize| match small.get(p) {
        Some(&pair) => pair,
        None => h.pair_at(p),
    };
    let Some(count) = count else {
        let (f, _) = pick(db.rng.below(len));
        return ctx.out.bulk(&f);
    };
    // RESP2: fields and values flat; RESP3: a [field, value] pair each.
    let pairs = with_values && ctx.out.proto >= 3;
    let per = if with_values && !pairs { 2 } else { 1 };
    if count < 0 {
        // Repeats allowed: each pick independent, streamed (no list of picks).
        let n = count.unsigned_abs();
        let Some(budget) = RepeatBudget::new(ctx, n, per as u64) else {
            return;
        };
        let db = ctx.store.db(ctx.client.db);
        ctx.out.array(n as usize * per);
        for _ in 0..n {
            let (f, v) = pick(db.rng.below(len));
            if pairs {
                ctx.out.array(2);
            }
            ctx.out.bulk(&f);
            if with_values {
                ctx.out.bulk(&v);
            }
            if budget.spent(ctx.out) {
                return;
            }
        }
        return;
    }
    // Distinct positions.
    let picks: Vec<usize> = if count as u64 >= len as u64 {
        (0..len).collect()
    } else {
        // Partial Fisher-Yates over the positions: `count` distinct picks.
        let mut pos: Vec<usize> = (0..len).collect();
        let n = count as usize;
        for k in 0..n {
            let j = k + db.rng.below(len - k);
            pos.swap(k, j);
        }
        pos.truncate(n);
        pos
    };
    ctx.out.array(picks.len() * per);
    for p in picks {
        let (f, v) = pick(p);
        if pairs {
            ctx.out.array(2);
        }
        ctx.out.bulk(&f);
        if with_values {
            ctx.out.bulk(&v);
        }
    }
}

/// HSCAN key cursor [MATCH pattern] [COUNT count]. On a "hashtable" hash the
/// cursor is Redis's reverse-binary bucket cursor (see `store::dict`), so a field
/// present for the whole scan is returned at least once; a small ("listpack")
/// hash is returned whole with cursor 0, as Redis does.
fn hscan(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let Some(cursor) = crate::num::scan_cursor(&args[2]) else {
        return ctx.out.error("ERR invalid cursor");
    };
    let Ok(h) = read!(ctx, Hash, &args[1]) else {
        return;
    };
    let Some(h) = h else {
        ctx.out.array(2);
        ctx.out.bulk(b"0");
        return ctx.out.array(0);
    };
    let (count, pattern) = match super::args::scan_options(&args[3..]) {
        Ok(o) => o,
        Err(e) => return ctx.out.error(e),
    };
    let mut found: Vec<(Elem<'_>, Elem<'_>)> = Vec::new();
    let next = h.scan(cursor, count, |f, v| {
        if pattern.is_none_or(|pat| glob_match(pat, &f, false)) {
            found.push((f, v));
        }
    });
    ctx.out.array(2);
    ctx.out.bulk(next.to_string().as_bytes());
    ctx.out.array(found.len() * 2);
    for (f, v) in found {
        ctx.out.bulk(&f);
        ctx.out.bulk(&v);
    }
}
