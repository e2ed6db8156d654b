//! List commands: LPUSH ... LMPOP, and the blocking BLPOP BRPOP BLMOVE
//! BRPOPLPUSH BLMPOP (waiting itself is `server::blocking`'s business).
//!
//! Invariants: replies and error texts are redis-server 7.0's; a list whose last
//! element goes is removed from the keyspace (with a `del` event); every command
//! on a key of another type answers WRONGTYPE; writes go through
//! `Arc::make_mut`, so a snapshot holding the old value keeps it.
use super::blocking;
use super::lookup::{count_read, read, value_mut, write_existing, write_or_create, Replied};
use super::notify::{self, notify};
use super::{errors, flags, CommandSpec, Ctx, Keys};
use crate::num::string2ll;
use crate::read;
use crate::resp::Reply;
use crate::store::list::List;
use crate::store::Value;

const W: u32 = flags::WRITE;
const R: u32 = flags::READONLY;
const M: u32 = flags::DENYOOM;
const F: u32 = flags::FAST;
/// Blocking commands: may wait, and scripts may not call them.
const B: u32 = flags::BLOCKING | flags::NOSCRIPT | flags::OWN_THREAD;

pub static COMMANDS: &[CommandSpec] = &[
    // LPUSH key element [element ...]
    CommandSpec {
        name: "lpush",
        arity: -3,
        flags: W | M | F,
        keys: Keys::ONE,
        handler: lpush,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "rpush",
        arity: -3,
        flags: W | M | F,
        keys: Keys::ONE,
        handler: rpush,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "lpushx",
        arity: -3,
        flags: W | M | F,
        keys: Keys::ONE,
        handler: lpushx,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "rpushx",
        arity: -3,
        flags: W | M | F,
        keys: Keys::ONE,
        handler: rpushx,
        ..CommandSpec::DEFAULT
    },
    // LPOP key [count]
    CommandSpec {
        name: "lpop",
        arity: -2,
        flags: W | F,
        keys: Keys::ONE,
        handler: lpop,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "rpop",
        arity: -2,
        flags: W | F,
        keys: Keys::ONE,
        handler: rpop,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "llen",
        arity: 2,
        flags: R | F,
        keys: Keys::ONE,
        handler: llen,
        ..CommandSpec::DEFAULT
    },
    // LRANGE key start stop
    CommandSpec {
        name: "lrange",
        arity: 4,
        flags: R,
        keys: Keys::ONE,
        handler: lrange,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "lindex",
        arity: 3,
        flags: R,
        keys: Keys::ONE,
        handler: lindex,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "lset",
        arity: 4,
        flags: W | M,
        keys: Keys::ONE,
        handler: lset,
        ..CommandSpec::DEFAULT
    },
    // LINSERT key BEFORE|AFTER pivot element
    CommandSpec {
        name: "linsert",
        arity: 5,
        flags: W | M,
        keys: Keys::ONE,
        handler: linsert,
        ..CommandSpec::DEFAULT
    },
    // LREM key count element
    CommandSpec {
        name: "lrem",
        arity: 4,
        flags: W,
        keys: Keys::ONE,
        handler: lrem,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "ltrim",
        arity: 4,
        flags: W,
        keys: Keys::ONE,
        handler: ltrim,
        ..CommandSpec::DEFAULT
    },
    // LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
    CommandSpec {
        name: "lpos",
        arity: -3,
        flags: R,
        keys: Keys::ONE,
        handler: lpos,
        ..CommandSpec::DEFAULT
    },
    // LMOVE source destination LEFT|RIGHT LEFT|RIGHT
    CommandSpec {
        name: "lmove",
        arity: 5,
        flags: W | M,
        keys: Keys::range(1, 2, 1),
        handler: lmove,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "rpoplpush",
        arity: 3,
        flags: W | M,
        keys: Keys::range(1, 2, 1),
        handler: rpoplpush,
        ..CommandSpec::DEFAULT
    },
    // LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
    CommandSpec {
        name: "lmpop",
        arity: -4,
        flags: W,
        keys: Keys::NONE,
        handler: lmpop,
        ..CommandSpec::DEFAULT
    },
    // BLPOP key [key ...] timeout
    CommandSpec {
        name: "blpop",
        arity: -3,
        flags: W | B,
        keys: Keys::range(1, -2, 1),
        handler: blpop,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "brpop",
        arity: -3,
        flags: W | B,
        keys: Keys::range(1, -2, 1),
        handler: brpop,
        ..CommandSpec::DEFAULT
    },
    // BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
    CommandSpec {
        name: "blmove",
        arity: 6,
        flags: W | M | B,
        keys: Keys::range(1, 2, 1),
        handler: blmove,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "brpoplpush",
        arity: 4,
        flags: W | M | B,
        keys: Keys::range(1, 2, 1),
        handler: brpoplpush,
        ..CommandSpec::DEFAULT
    },
    // BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
    CommandSpec {
        name: "blmpop",
        arity: -5,
        // 7.0 lets scripts call BLMPOP (it does not block there).
        flags: W | flags::BLOCKING | flags::OWN_THREAD,
        keys: Keys::NONE,
        handler: blmpop,
        ..CommandSpec::DEFAULT
    },
];

/// Removes the key when its list became empty, with the `del` event.
fn drop_if_empty(ctx: &mut Ctx<'_>, key: &[u8]) {
    let db = ctx.store.db(ctx.client.db);
    if let Some(i) = db.lookup_no_touch(key) {
        if matches!(&db.entry(i).value, Value::List(l) if l.is_empty()) {
            db.remove_at(i);
            notify(ctx, notify::GENERIC, "del", key);
        }
    }
}

/// LEFT or RIGHT.
fn side(arg: &[u8]) -> Option<bool> {
    if arg.eq_ignore_ascii_case(b"left") {
        Some(true)
    } else if arg.eq_ignore_ascii_case(b"right") {
        Some(false)
    } else {
        None
    }
}

fn push_generic(ctx: &mut Ctx<'_>, args: &[Vec<u8>], left: bool, only_existing: bool) {
    let fill = ctx.shared.config().list_max_listpack_size;
    let db = ctx.store.db(ctx.client.db);
    let found = match only_existing {
        false => write_or_create(db, &args[1], ctx.out, List::new).map(Some),
        true => write_existing::<List>(db, &args[1], ctx.out),
    };
    let Ok(found) = found else {
        return;
    };
    let Some(i) = found else {
        return ctx.out.integer(0);
    };
    let l = value_mut::<List>(db, i);
    for v in &args[2..] {
        if left {
            l.push_front(v, fill);
        } else {
            l.push_back(v, fill);
        }
    }
    let n = l.len();
    ctx.store.dirty += (args.len() - 2) as u64;
    ctx.blocked.signal(ctx.client.db, &args[1]);
    notify(
        ctx,
        notify::LIST,
        if left { "lpush" } else { "rpush" },
        &args[1],
    );
    ctx.out.integer(n as i64);
}

fn lpush(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    push_generic(ctx, args, true, false);
}

fn rpush(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    push_generic(ctx, args, false, false);
}

fn lpushx(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    push_generic(ctx, args, true, true);
}

fn rpushx(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    push_generic(ctx, args, false, true);
}

/// Pops up to `count` elements from one end of the list under `key` (which
/// must exist and be a list); emits the pop event and removes an emptied key.
pub(crate) fn pop_n(ctx: &mut Ctx<'_>, key: &[u8], left: bool, count: usize) -> Vec<Vec<u8>> {
    let db = ctx.store.db(ctx.client.db);
    let Some(i) = db.lookup(key) else {
        return Vec::new();
    };
    let l = value_mut::<List>(db, i);
    let mut out = Vec::with_capacity(count.min(l.len()));
    for _ in 0..count {
        match if left { l.pop_front() } else { l.pop_back() } {
            Some(v) => out.push(v),
            None => break,
        }
    }
    if !out.is_empty() {
        ctx.store.dirty += out.len() as u64;
        notify(ctx, notify::LIST, if left { "lpop" } else { "rpop" }, key);
        drop_if_empty(ctx, key);
    }
    out
}

/// LPOP/RPOP key [count]
fn pop_generic(ctx: &mut Ctx<'_>, args: &[Vec<u8>], left: bool) {
    if args.len() > 3 {
        let name = String::from_utf8_lossy(&args[0]).to_ascii_lowercase();
        return super::wrong_arity(ctx.out, &name);
    }
    let count = match args.get(2) {
        None => None,
        Some(a) => match string2ll(a) {
            Some(n) if n >= 0 => Some(n as usize),
            _ => return ctx.out.error("ERR value is out of range, must be positive"),
        },
    };
    match read!(ctx, List, &args[1]) {
        Err(Replied) => return,
        Ok(None) => {
            return if count.is_some() {
                ctx.out.null_array()
            } else {
                ctx.out.null()
            }
        }
        Ok(Some(_)) => {}
    }
    match count {
        None => {
            let v = pop_n(ctx, &args[1], left, 1);
            match v.first() {
                Some(v) => ctx.out.bulk(v),
                None => ctx.out.null(),
            }
        }
        Some(n) => {
            let vals = pop_n(ctx, &args[1], left, n);
            ctx.out.array(vals.len());
            for v in &vals {
                ctx.out.bulk(v);
            }
        }
    }
}

fn lpop(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    pop_generic(ctx, args, true);
}

fn rpop(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    pop_generic(ctx, args, false);
}

fn llen(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if let Ok(l) = read!(ctx, List, &args[1]) {
        let n = l.map_or(0, |l| l.len());
        ctx.out.integer(n as i64);
    }
}

/// A start/stop pair resolved against `len` as Redis does: negative counts
/// from the end; None when the range is empty.
fn clamp_range(start: i64, stop: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let mut start = if start < 0 { len + start } else { start };
    let mut stop = if stop < 0 { len + stop } else { stop };
    if start < 0 {
        start = 0;
    }
    if start > stop || start >= len {
        return None;
    }
    if stop >= len {
        stop = len - 1;
    }
    Some((start as usize, stop as usize))
}

fn lrange(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let (Some(start), Some(stop)) = (string2ll(&args[2]), string2ll(&args[3])) else {
        return ctx.out.error(errors::NOT_INTEGER);
    };
    let db = ctx.store.db(ctx.client.db);
    let Ok(l) = read::<List>(db, ctx.shared, ctx.out, &args[1]) else {
        return;
    };
    let Some(l) = l else {
        return ctx.out.array(0);
    };
    match clamp_range(start, stop, l.len()) {
        None => ctx.out.array(0),
        Some((a, b)) => {
            let items = l.range(a, b);
            ctx.out.array(items.len());
            for v in items {
                ctx.out.bulk(&v);
            }
        }
    }
}

/// LINDEX key index. As in Redis, the key is looked up (and its type checked)
/// before the index is parsed: a missing key answers nil whatever the index.
fn lindex(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let db = ctx.store.db(ctx.client.db);
    let found = db.lookup(&args[1]);
    count_read(ctx.shared, found.is_some());
    let Some(i) = found else {
        return ctx.out.null();
    };
    let Value::List(l) = &db.entry(i).value else {
        return ctx.out.error(errors::WRONGTYPE);
    };
    let Some(idx) = string2ll(&args[2]) else {
        return ctx.out.error(errors::NOT_INTEGER);
    };
    let len = l.len() as i64;
    let at = if idx < 0 { len + idx } else { idx };
    match (at >= 0).then(|| l.get(at as usize)).flatten() {
        Some(v) => ctx.out.bulk(&v),
        None => ctx.out.null(),
    }
}

/// LSET key index element. The key (missing: "no such key") and its type
/// are checked before the index is parsed, as in Redis.
fn lset(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let db = ctx.store.db(ctx.client.db);
    let Ok(found) = write_existing::<List>(db, &args[1], ctx.out) else {
        return;
    };
    let Some(i) = found else {
        return ctx.out.error(errors::NO_SUCH_KEY);
    };
    let Some(idx) = string2ll(&args[2]) else {
        return ctx.out.error(errors::NOT_INTEGER);
    };
    let len = match &db.entry(i).value {
        Value::List(l) => l.len() as i64,
        _ => 0,
    };
    let at = if idx < 0 { len + idx } else { idx };
    if at < 0 || at >= len {
        return ctx.out.error("ERR index out of range");
    }
    let fill = ctx.shared.config().list_max_listpack_size;
    let db = ctx.store.db(ctx.client.db);
    value_mut::<List>(db, i).set(at as usize, &args[3], fill);
    ctx.store.dirty += 1;
    notify(ctx, notify::LIST, "lset", &args[1]);
    ctx.out.ok();
}

fn linsert(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let after = if args[2].eq_ignore_ascii_case(b"after") {
        true
    } else if args[2].eq_ignore_ascii_case(b"before") {
        false
    } else {
        return ctx.out.error(errors::SYNTAX);
    };
    let db = ctx.store.db(ctx.client.db);
    let Ok(found) = write_existing::<List>(db, &args[1], ctx.out) else {
        return;
    };
    let Some(i) = found else {
        return ctx.out.integer(0);
    };
    let has_pivot =
        matches!(&db.entry(i).value, Value::List(l) if l.iter().any(|e| *e == *args[3]));
    if !has_pivot {
        return ctx.out.integer(-1);
    }
    let l = value_mut::<List>(db, i);
    l.insert(
        &args[3],
        after,
        &args[4],
        ctx.shared.config().list_max_listpack_size,
    );
    let n = l.len();
    ctx.store.dirty += 1;
    notify(ctx, notify::LIST, "linsert", &args[1]);
    ctx.out.integer(n as i64);
}

fn lrem(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let Some(count) = string2ll(&args[2]) else {
        return ctx.out.error(errors::NOT_INTEGER);
    };
    let db = ctx.store.db(ctx.client.db);
    let Ok(found) = write_existing::<List>(db, &args[1], ctx.out) else {
        return;
    };
    let Some(i) = found else {
        return ctx.out.integer(0);
    };
    let removed = value_mut::<List>(db, i).remove(&args[3], count);
    if removed > 0 {
        ctx.store.dirty += removed as u64;
        notify(ctx, notify::LIST, "lrem", &args[1]);
        drop_if_empty(ctx, &args[1]);
    }
    ctx.out.integer(removed as i64);
}

fn ltrim(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let (Some(start), Some(stop)) = (string2ll(&args[2]), string2ll(&args[3])) else {
        return ctx.out.error(errors::NOT_INTEGER);
    };
    let db = ctx.store.db(ctx.client.db);
    let Ok(found) = write_existing::<List>(db, &args[1], ctx.out) else {
        return;
    };
    let Some(i) = found else {
        return ctx.out.ok();
    };
    let l = value_mut::<List>(db, i);
    match clamp_range(start, stop, l.len()) {
        Some((a, b)) => l.trim(a, b),
        None => *l = List::new(),
    }
    ctx.store.dirty += 1;
    notify(ctx, notify::LIST, "ltrim", &args[1]);
    drop_if_empty(ctx, &args[1]);
    ctx.out.ok();
}

/// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
fn lpos(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let mut rank = 1i64;
    let mut wrapped = false;
    let mut count = None;
    let mut maxlen = 0usize;
    let mut i = 3;
    while i < args.len() {
        let opt = args[i].to_ascii_lowercase();
        let Some(val) = args.get(i + 1) else {
            return ctx.out.error(errors::SYNTAX);
        };
        // As in 7.0: RANK must be an integer; COUNT and MAXLEN answer their
        // "can't be negative" text for anything but a non-negative integer.
        let n = string2ll(val);
        match opt.as_slice() {
            b"rank" => {
                let Some(n) = n else {
                    return ctx.out.error(errors::NOT_INTEGER);
                };
                if n == 0 {
                    return ctx.out.error("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list");
                }
                // 7.0 negates the rank in a C long: the lowest one wraps, then
                // acts as -1 (from the tail) and makes COUNT's stop test
                // overflow, so every match is listed.
                wrapped = n == i64::MIN;
                rank = if wrapped { -1 } else { n };
            }
            b"count" => match n {
                Some(n) if n >= 0 => count = Some(n as usize),
                _ => return ctx.out.error("ERR COUNT can't be negative"),
            },
            b"maxlen" => match n {
                Some(n) if n >= 0 => maxlen = n as usize,
                _ => return ctx.out.error("ERR MAXLEN can't be negative"),
            },
            _ => return ctx.out.error(errors::SYNTAX),
        }
        i += 2;
    }
    if wrapped {
        count = count.map(|_| 0);
    }
    let Ok(l) = read!(ctx, List, &args[1]) else {
        return;
    };
    let found = l
        .map(|l| l.positions(&args[2], rank, count.unwrap_or(1), maxlen))
        .unwrap_or_default();
    match count {
        None => match found.first() {
            Some(&p) => ctx.out.integer(p as i64),
            None => ctx.out.null(),
        },
        Some(_) => {
            ctx.out.array(found.len());
            for p in found {
                ctx.out.integer(p as i64);
            }
        }
    }
}

/// Moves one element from `src` (its `from_left` end) to `dst` (its `to_left`
/// end); replies with the element, or nil when `src` is missing.
fn move_generic(ctx: &mut Ctx<'_>, src: &[u8], dst: &[u8], from_left: bool, to_left: bool) {
    let fill = ctx.shared.config().list_max_listpack_size;
    let db = ctx.store.db(ctx.client.db);
    let Ok(found) = write_existing::<List>(db, src, ctx.out) else {
        return;
    };
    if found.is_none() {
        count_read(ctx.shared, false);
        return ctx.out.null();
    }
    if write_existing::<List>(db, dst, ctx.out).is_err() {
        return;
    }
    // Redis's order: the push (and its event) first, then the pop's event and
    // the source's removal if it emptied (it may be the destination too).
    let Some(i) = found else {
        return ctx.out.null();
    };
    let popped = {
        let l = value_mut::<List>(db, i);
        if from_left {
            l.pop_front()
        } else {
            l.pop_back()
        }
    };
    let Some(v) = popped else {
        return ctx.out.null();
    };
    let Ok(j) = write_or_create(db, dst, ctx.out, List::new) else {
        return;
    };
    let l = value_mut::<List>(db, j);
    if to_left {
        l.push_front(&v, fill);
    } else {
        l.push_back(&v, fill);
    }
    ctx.store.dirty += 1;
    ctx.blocked.signal(ctx.client.db, dst);
    notify(
        ctx,
        notify::LIST,
        if to_left { "lpush" } else { "rpush" },
        dst,
    );
    notify(
        ctx,
        notify::LIST,
        if from_left { "lpop" } else { "rpop" },
        src,
    );
    drop_if_empty(ctx, src);
    ctx.out.bulk(&v);
}

fn lmove(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let (Some(from), Some(to)) = (side(&args[3]), side(&args[4])) else {
        return ctx.out.error(errors::SYNTAX);
    };
    move_generic(ctx, &args[1], &args[2], from, to);
}

fn rpoplpush(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    move_generic(ctx, &args[1], &args[2], false, true);
}

/// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
fn lmpop(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    mpop_generic(ctx, args, 1, None);
}

/// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
fn blmpop(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    mpop_generic(ctx, args, 2, Some(&args[1]));
}

/// LMPOP and BLMPOP from their `numkeys` argument (at `at`) on; `timeout`:
/// BLMPOP's, read after the other arguments, as 7.0 does.
fn mpop_generic(ctx: &mut Ctx<'_>, args: &[Vec<u8>], at: usize, timeout: Option<&[u8]>) {
    let Some(numkeys) = string2ll(&args[at]) else {
        return ctx.out.error("ERR numkeys should be greater than 0");
    };
    if numkeys <= 0 {
        return ctx.out.error("ERR numkeys should be greater than 0");
    }
    let numkeys = numkeys as usize;
    if numkeys > args.len() - at - 1 {
        return ctx.out.error(errors::SYNTAX);
    }
    let keys = &args[at + 1..at + 1 + numkeys];
    let rest = &args[at + 1 + numkeys..];
    let Some(left) = rest.first().and_then(|a| side(a)) else {
        return ctx.out.error(errors::SYNTAX);
    };
    // Options left to right, as Redis 7.0 reads them: one COUNT, a bad value is
    // an error before what follows is looked at.
    let mut count: Option<usize> = None;
    let mut j = 1;
    while j < rest.len() {
        if count.is_none() && rest[j].eq_ignore_ascii_case(b"count") && j + 1 < rest.len() {
            match string2ll(&rest[j + 1]) {
                Some(n) if n > 0 => count = Some(n as usize),
                _ => return ctx.out.error("ERR count should be greater than 0"),
            }
            j += 2;
        } else {
            return ctx.out.error(errors::SYNTAX);
        }
    }
    let count = count.unwrap_or(1);
    let block = match timeout.map(blocking::parse_timeout) {
        None => None,
        Some(Ok(deadline)) => Some(deadline),
        Some(Err(e)) => return ctx.out.error(e),
    };
    for key in keys {
        match read!(ctx, List, key) {
            Err(Replied) => return,
            Ok(None) => continue,
            Ok(Some(_)) => {
                let vals = pop_n(ctx, key, left, count);
                // [B]LMPOP propagates as LPOP/RPOP key count, as 7.0 rewrites it.
                let name: &[u8] = if left { b"LPOP" } else { b"RPOP" };
                let n = vals.len().to_string().into_bytes();
                super::propagate::replace(ctx, vec![vec![name.to_vec(), key.to_vec(), n]]);
                ctx.out.array(2);
                ctx.out.bulk(key);
                ctx.out.array(vals.len());
                for v in &vals {
                    ctx.out.bulk(v);
                }
                return;
            }
        }
    }
    match block {
        Some(deadline) => blocking::block_or_reply(ctx, keys, args, deadline, Reply::null_array),
        None => ctx.out.null_array(),
    }
}

/// BLPOP/BRPOP key [key ...] timeout
fn bpop(ctx: &mut Ctx<'_>, args: &[Vec<u8>], left: bool) {
    let deadline = match blocking::parse_timeout(&args[args.len() - 1]) {
        Ok(d) => d,
        Err(e) => return ctx.out.error(e),
    };
    let keys = &args[1..args.len() - 1];
    for key in keys {
        match read!(ctx, List, key) {
            Err(Replied) => return,
            Ok(None) => continue,
            Ok(Some(_)) => {
                let vals = pop_n(ctx, key, left, 1);
                // BLPOP/BRPOP propagate as LPOP/RPOP, as 7.0 rewrites them.
                let name: &[u8] = if left { b"LPOP" } else { b"RPOP" };
                super::propagate::replace(ctx, vec![vec![name.to_vec(), key.to_vec()]]);
                if let Some(v) = vals.first() {
                    ctx.out.array(2);
                    ctx.out.bulk(key);
                    ctx.out.bulk(v);
                    return;
                }
            }
        }
    }
    blocking::block_or_reply(ctx, keys, args, deadline, Reply::null_array);
}

fn blpop(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    bpop(ctx, args, true);
}

fn brpop(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    bpop(ctx, args, false);
}

/// BLMOVE/BRPOPLPUSH once the arguments are parsed.
fn bmove(ctx: &mut Ctx<'_>, args: &[Vec<u8>], from_left: bool, to_left: bool, timeout: &[u8]) {
    let deadline = match blocking::parse_timeout(timeout) {
        Ok(d) => d,
        Err(e) => return ctx.out.error(e),
    };
    match read!(ctx, List, &args[1]) {
        Err(Replied) => {}
        Ok(Some(_)) => {
            move_generic(ctx, &args[1], &args[2], from_left, to_left);
            // BLMOVE propagates as LMOVE, BRPOPLPUSH as RPOPLPUSH (7.0).
            let argv: Vec<Vec<u8>> = if args.len() == 6 {
                let mut v = vec![b"LMOVE".to_vec()];
                v.extend_from_slice(&args[1..5]);
                v
            } else {
                vec![b"RPOPLPUSH".to_vec(), args[1].clone(), args[2].clone()]
            };
            super::propagate::replace(ctx, vec![argv]);
        }
        Ok(None) => blocking::block_or_reply(ctx, &args[1..2], args, deadline, Reply::null),
    }
}

/// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
fn blmove(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let (Some(from), Some(to)) = (side(&args[3]), side(&args[4])) else {
        return ctx.out.error(errors::SYNTAX);
    };
    bmove(ctx, args, from, to, &args[5]);
}

/// BRPOPLPUSH source destination timeout
fn brpoplpush(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    bmove(ctx, args, false, true, &args[3]);
}
