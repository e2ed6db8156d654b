//! Generic key commands (DEL, EXISTS, EXPIRE, SCAN, ...) and the keyspace commands
//! (SELECT, SWAPDB, MOVE, DBSIZE, FLUSHDB, FLUSHALL).
//!
//! Invariants: expired keys are invisible to every command here (lookups delete them
//! lazily); a key moved or copied keeps its TTL; TTL replies round as Redis does
//! (`(ms + 500) / 1000`); every reply and error text is redis-server 7.0's.
use super::args::int_arg;
use super::lookup::count_read;
use super::notify::{notify, notify_in, GENERIC};
use super::{errors, flags, CommandSpec, Ctx, Keys};
use crate::num::string2ll;
use crate::store::expire::idle_seconds;
use crate::store::{glob_match, now_ms, Value};

const W: u32 = flags::WRITE;
const R: u32 = flags::READONLY;
const F: u32 = flags::FAST;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "del",
        arity: -2,
        flags: W,
        keys: Keys::ALL,
        handler: del,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "unlink",
        arity: -2,
        flags: W | F,
        keys: Keys::ALL,
        handler: unlink,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "exists",
        arity: -2,
        flags: R | F,
        keys: Keys::ALL,
        handler: exists,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "type",
        arity: 2,
        flags: R | F,
        keys: Keys::ONE,
        handler: type_cmd,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "keys",
        arity: 2,
        flags: R,
        keys: Keys::NONE,
        handler: keys,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "scan",
        arity: -2,
        flags: R,
        keys: Keys::NONE,
        handler: scan,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "randomkey",
        arity: 1,
        flags: R,
        keys: Keys::NONE,
        handler: randomkey,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "rename",
        arity: 3,
        flags: W,
        keys: Keys::range(1, 2, 1),
        handler: rename,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "renamenx",
        arity: 3,
        flags: W | F,
        keys: Keys::range(1, 2, 1),
        handler: renamenx,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "copy",
        arity: -3,
        flags: W | flags::DENYOOM,
        keys: Keys::range(1, 2, 1),
        handler: copy,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "touch",
        arity: -2,
        flags: R | F,
        keys: Keys::ALL,
        handler: touch,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "object",
        arity: -2,
        subcommands: OBJECT_SUBCOMMANDS,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "expire",
        arity: -3,
        flags: W | F,
        keys: Keys::ONE,
        handler: expire,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "pexpire",
        arity: -3,
        flags: W | F,
        keys: Keys::ONE,
        handler: pexpire,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "expireat",
        arity: -3,
        flags: W | F,
        keys: Keys::ONE,
        handler: expireat,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "pexpireat",
        arity: -3,
        flags: W | F,
        keys: Keys::ONE,
        handler: pexpireat,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "ttl",
        arity: 2,
        flags: R | F,
        keys: Keys::ONE,
        handler: ttl,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "pttl",
        arity: 2,
        flags: R | F,
        keys: Keys::ONE,
        handler: pttl,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "expiretime",
        arity: 2,
        flags: R | F,
        keys: Keys::ONE,
        handler: expiretime,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "pexpiretime",
        arity: 2,
        flags: R | F,
        keys: Keys::ONE,
        handler: pexpiretime,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "persist",
        arity: 2,
        flags: W | F,
        keys: Keys::ONE,
        handler: persist,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "select",
        arity: 2,
        flags: flags::LOADING | flags::STALE | F,
        keys: Keys::NONE,
        handler: select,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "swapdb",
        arity: 3,
        flags: W | F,
        keys: Keys::NONE,
        handler: swapdb,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "move",
        arity: 3,
        flags: W | F,
        keys: Keys::ONE,
        handler: move_cmd,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "dbsize",
        arity: 1,
        flags: R | F,
        keys: Keys::NONE,
        handler: dbsize,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "flushdb",
        arity: -1,
        flags: W,
        keys: Keys::NONE,
        handler: flushdb,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "flushall",
        arity: -1,
        flags: W,
        keys: Keys::NONE,
        handler: flushall,
        ..CommandSpec::DEFAULT
    },
];

fn del(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if super::lazyfree::is_on(ctx, super::lazyfree::USER_DEL) {
        return unlink(ctx, args);
    }
    let mut removed = 0;
    for k in &args[1..] {
        if ctx.db().remove(k).is_some() {
            removed += 1;
            notify(ctx, GENERIC, "del", k);
        }
    }
    ctx.store.dirty += removed as u64;
    ctx.out.integer(removed as i64);
}

use crate::store::LAZYFREE_THRESHOLD;

/// UNLINK: DEL, with big values freed off the request path.
fn unlink(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let mut removed = 0;
    for k in &args[1..] {
        if let Some(e) = ctx.db().remove(k) {
            removed += 1;
            notify(ctx, GENERIC, "del", k);
            if e.value.free_effort() > LAZYFREE_THRESHOLD {
                ctx.shared.free_later(Box::new(e));
            }
        }
    }
    ctx.store.dirty += removed as u64;
    ctx.out.integer(removed as i64);
}

/// EXISTS key [key ...]: leaves the keys' access times alone, as 7.0 does.
fn exists(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    count_present(ctx, args, false);
}

/// TOUCH key [key ...]: counts like EXISTS, and stamps each key as accessed.
fn touch(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    count_present(ctx, args, true);
}

/// How many of `args[1..]` exist (each counted as a keyspace hit or miss);
/// `touch`: stamp the ones found as accessed.
fn count_present(ctx: &mut Ctx<'_>, args: &[Vec<u8>], touch: bool) {
    let db = ctx.store.db(ctx.client.db);
    let shared = ctx.shared;
    let n = args[1..]
        .iter()
        .filter(|k| {
            let hit = if touch {
                db.lookup(k).is_some()
            } else {
                db.lookup_no_touch(k).is_some()
            };
            count_read(shared, hit);
            hit
        })
        .count();
    ctx.out.integer(n as i64);
}

/// TYPE key: without touching the key's access time, as 7.0 does.
fn type_cmd(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let db = ctx.store.db(ctx.client.db);
    let found = db.lookup_no_touch(&args[1]);
    count_read(ctx.shared, found.is_some());
    let name = found.map_or("none", |i| db.entry(i).value.type_name());
    ctx.out.simple(name);
}

fn keys(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let pattern = &args[1];
    let all = pattern.as_slice() == b"*";
    let now = crate::store::expiry_now();
    let db = ctx.store.db(ctx.client.db);
    let found: Vec<&[u8]> = db
        .table
        .view()
        .iter()
        .filter(|&(_, at)| at == 0 || at > now)
        .filter(|(e, _)| all || glob_match(pattern, &e.key, false))
        .map(|(e, _)| &e.key[..])
        .collect();
    ctx.out.array(found.len());
    for k in found {
        ctx.out.bulk(k);
    }
}

fn scan(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let Some(mut cursor) = crate::num::scan_cursor(&args[1]) else {
        return ctx.out.error("ERR invalid cursor");
    };
    let mut count: i64 = 10;
    let mut pattern: Option<&[u8]> = None;
    let mut type_name: Option<Vec<u8>> = None;
    let mut i = 2;
    while i < args.len() {
        let has_value = args.len() - i >= 2;
        match args[i].to_ascii_uppercase().as_slice() {
            b"COUNT" if has_value => {
                let Some(n) = int_arg(ctx, &args[i + 1]) else {
                    return;
                };
                if n < 1 {
                    return ctx.out.error(errors::SYNTAX);
                }
                count = n;
            }
            b"MATCH" if has_value => {
                let p = &args[i + 1];
                pattern = (p.as_slice() != b"*").then_some(p.as_slice());
            }
            b"TYPE" if has_value => type_name = Some(args[i + 1].to_ascii_lowercase()),
            _ => return ctx.out.error(errors::SYNTAX),
        }
        i += 2;
    }
    let db = ctx.db();
    let mut visited: i64 = 0;
    let mut found: Vec<Vec<u8>> = Vec::new();
    let mut budget = count.saturating_mul(10);
    loop {
        cursor = db.table.scan_step(cursor, |e| {
            visited += 1;
            if pattern.is_none_or(|p| glob_match(p, &e.key, false)) {
                found.push(e.key.to_vec());
            }
        });
        budget -= 1;
        if cursor == 0 || budget <= 0 || visited >= count {
            break;
        }
    }
    // Drop expired keys (deleting them, as a lookup does) and other types.
    found.retain(|k| match db.lookup_no_touch(k) {
        None => false,
        Some(i) => type_name
            .as_deref()
            .is_none_or(|t| db.entry(i).value.type_name().as_bytes() == t),
    });
    ctx.out.array(2);
    ctx.out.bulk(cursor.to_string().as_bytes());
    ctx.out.array(found.len());
    for k in &found {
        ctx.out.bulk(k);
    }
}

fn randomkey(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    match ctx.db().random_key() {
        Some(k) => ctx.out.bulk(&k),
        None => ctx.out.null(),
    }
}

fn rename_generic(ctx: &mut Ctx<'_>, args: &[Vec<u8>], nx: bool) {
    let (src, dst) = (&args[1], &args[2]);
    let db = ctx.db();
    let Some(i) = db.lookup(src) else {
        return ctx.out.error(errors::NO_SUCH_KEY);
    };
    if src == dst {
        return if nx { ctx.out.integer(0) } else { ctx.out.ok() };
    }
    if db.lookup(dst).is_some() {
        if nx {
            return ctx.out.integer(0);
        }
        db.remove_replaced(dst);
    }
    // Indices move on removal: look the source up again.
    let i = db.table.find(src).unwrap_or(i);
    let e = db.remove_at(i);
    let j = db.insert_new(dst, e.value);
    db.set_expire(j, e.expire_at);
    ctx.store.dirty += 1;
    notify(ctx, GENERIC, "rename_from", src);
    ctx.blocked.signal(ctx.client.db, dst);
    notify(ctx, GENERIC, "rename_to", dst);
    if nx {
        ctx.out.integer(1)
    } else {
        ctx.out.ok()
    }
}

fn rename(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    rename_generic(ctx, args, false);
}

fn renamenx(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    rename_generic(ctx, args, true);
}

/// Parses a database index argument: `Err(())` after replying the error.
fn db_index(ctx: &mut Ctx<'_>, arg: &[u8]) -> Result<usize, ()> {
    match string2ll(arg) {
        Some(n) if n >= i64::from(i32::MIN) && n <= i64::from(i32::MAX) => {
            if n < 0 || n as usize >= ctx.store.db_count() {
                ctx.out.error(errors::DB_INDEX);
                Err(())
            } else {
                Ok(n as usize)
            }
        }
        _ => {
            ctx.out.error(errors::NOT_INTEGER);
            Err(())
        }
    }
}

fn copy(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let (src, dst) = (&args[1], &args[2]);
    let src_db = ctx.client.db;
    let mut dst_db = src_db;
    let mut replace = false;
    let mut j = 3;
    while j < args.len() {
        match args[j].to_ascii_uppercase().as_slice() {
            b"REPLACE" => replace = true,
            b"DB" if j + 1 < args.len() => {
                let Ok(d) = db_index(ctx, &args[j + 1]) else {
                    return;
                };
                dst_db = d;
                j += 1;
            }
            _ => return ctx.out.error(errors::SYNTAX),
        }
        j += 1;
    }
    if src_db == dst_db && src == dst {
        return ctx
            .out
            .error("ERR source and destination objects are the same");
    }
    let db = ctx.store.db(src_db);
    let found = db.lookup(src);
    count_read(ctx.shared, found.is_some());
    let Some(i) = found else {
        return ctx.out.integer(0);
    };
    let (value, at) = (db.entry(i).value.clone(), db.expire_at(i));
    let target = ctx.store.db(dst_db);
    if target.lookup(dst).is_some() {
        if !replace {
            return ctx.out.integer(0);
        }
        target.remove(dst);
    }
    let k = target.insert_new(dst, value);
    target.set_expire(k, at);
    ctx.store.dirty += 1;
    ctx.blocked.signal(dst_db, dst);
    notify_in(ctx, GENERIC, "copy_to", dst, dst_db);
    ctx.out.integer(1);
}

fn move_cmd(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let Ok(dst_db) = db_index(ctx, &args[2]) else {
        return;
    };
    let src_db = ctx.client.db;
    if src_db == dst_db {
        return ctx
            .out
            .error("ERR source and destination objects are the same");
    }
    let key = &args[1];
    let (from, to) = ctx.store.two_dbs(src_db, dst_db);
    let Some(i) = from.lookup(key) else {
        return ctx.out.integer(0);
    };
    if to.lookup(key).is_some() {
        return ctx.out.integer(0);
    }
    let e = from.remove_at(i);
    let j = to.insert_new(key, e.value);
    to.set_expire(j, e.expire_at);
    ctx.store.dirty += 1;
    notify_in(ctx, GENERIC, "move_from", key, src_db);
    ctx.blocked.signal(dst_db, key);
    notify_in(ctx, GENERIC, "move_to", key, dst_db);
    ctx.out.integer(1);
}

const OBJECT_HELP: &[&str] = &[
    "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
    "HELP",
    "    Prints this help.",
];

/// Integers Redis keeps as shared objects (REFCOUNT reports `i32::MAX` for them).
const SHARED_INTEGERS: i64 = 10_000;

/// OBJECT's subcommands: the three that read a key (with the key as argument 2).
const OBJECT_KEY: Keys = Keys::range(2, 2, 1);

static OBJECT_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "encoding",
        arity: 3,
        flags: flags::READONLY,
        keys: OBJECT_KEY,
        handler: object_encoding,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "refcount",
        arity: 3,
        flags: flags::READONLY,
        keys: OBJECT_KEY,
        handler: object_refcount,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "idletime",
        arity: 3,
        flags: flags::READONLY,
        keys: OBJECT_KEY,
        handler: object_idletime,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "freq",
        arity: 3,
        flags: flags::READONLY,
        keys: OBJECT_KEY,
        handler: object_freq,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: flags::LOADING | flags::STALE,
        handler: object_help,
        ..CommandSpec::DEFAULT
    },
];

/// OBJECT HELP
fn object_help(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    ctx.out.array(OBJECT_HELP.len());
    for line in OBJECT_HELP {
        ctx.out.simple(line);
    }
}

/// The entry OBJECT's subcommands look at (without touching it), counted as a
/// keyspace hit or miss; a miss has been answered with a nil.
fn object_entry<'a>(ctx: &'a mut Ctx<'_>, key: &[u8]) -> Option<(&'a crate::store::Entry, u32)> {
    let db = ctx.store.db(ctx.client.db);
    let found = db.lookup_no_touch(key);
    count_read(ctx.shared, found.is_some());
    let Some(i) = found else {
        ctx.out.null();
        return None;
    };
    let clock = db.lru_clock;
    Some((db.entry(i), clock))
}

/// OBJECT ENCODING key
fn object_encoding(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if let Some((e, _)) = object_entry(ctx, &args[2]) {
        let enc = e.value.encoding();
        ctx.out.bulk(enc.as_bytes());
    }
}

/// OBJECT REFCOUNT key: shared integers report Redis's "immortal" count.
/// Redis stops sharing them while a maxmemory limit with an LRU or LFU policy
/// is set (each key then needs its own access stamp); this follows the
/// setting in force when asked.
fn object_refcount(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let config = ctx.shared.config().clone();
    if let Some(n) = object_entry(ctx, &args[2]).map(|(e, _)| refcount(&e.value, &config)) {
        ctx.out.integer(n);
    }
}

/// A value's reference count as OBJECT REFCOUNT and DEBUG OBJECT report it:
/// Redis's shared small integers are "immortal" unless `config` has a
/// maxmemory limit with an LRU or LFU policy; everything else is 1.
pub fn refcount(v: &Value, config: &super::config::Config) -> i64 {
    let shared_ints = config.maxmemory == 0
        || !(config.maxmemory_policy.ends_with("-lru")
            || config.maxmemory_policy.ends_with("-lfu"));
    match *v {
        Value::Int(n) if shared_ints && (0..SHARED_INTEGERS).contains(&n) => i64::from(i32::MAX),
        _ => 1,
    }
}

/// OBJECT IDLETIME key, measured on the same coarse clock that stamps
/// accesses, as Redis does; refused under an LFU policy (the stamp then
/// holds a frequency).
fn object_idletime(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let lfu = ctx.store.lfu().is_some();
    if let Some((e, clock)) = object_entry(ctx, &args[2]) {
        if lfu {
            return ctx.out.error(
                "ERR An LFU maxmemory policy is selected, idle time not tracked. \
                 Please note that when switching between policies at runtime LRU and LFU data \
                 will take some time to adjust.",
            );
        }
        let idle = idle_seconds(e.lru(), clock) as i64;
        ctx.out.integer(idle);
    }
}

/// OBJECT FREQ key: the decayed access-frequency counter under an LFU
/// policy (see `store::lfu`), an error under any other.
fn object_freq(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let lfu = ctx.store.lfu();
    if let Some((e, _)) = object_entry(ctx, &args[2]) {
        match lfu {
            Some(l) => {
                let c = crate::store::lfu::decayed(e.lru(), l, now_ms());
                ctx.out.integer(i64::from(c));
            }
            None => ctx.out.error(
                "ERR An LFU maxmemory policy is not selected, access frequency not tracked. \
                 Please note that when switching between policies at runtime LRU and LFU data \
                 will take some time to adjust.",
            ),
        }
    }
}

/// EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT: `base` is now (relative forms) or 0,
/// `scale` 1000 for seconds.
fn expire_generic(ctx: &mut Ctx<'_>, args: &[Vec<u8>], relative: bool, seconds: bool, cmd: &str) {
    let (mut nx, mut xx, mut gt, mut lt) = (false, false, false, false);
    for opt in &args[3..] {
        // strcasecmp on the C string: "GT\0x" is GT.
        match super::c_str(opt, usize::MAX)
            .to_ascii_uppercase()
            .as_slice()
        {
            b"NX" => nx = true,
            b"XX" => xx = true,
            b"GT" => gt = true,
            b"LT" => lt = true,
            _ => {
                // addReplyErrorFormat's "%s": the option up to a NUL, raw bytes.
                let mut msg = b"ERR Unsupported option ".to_vec();
                msg.extend_from_slice(super::c_str(opt, usize::MAX));
                return super::error_bytes(ctx.out, &msg);
            }
        }
    }
    if nx && (xx || gt || lt) {
        return ctx
            .out
            .error("ERR NX and XX, GT or LT options at the same time are not compatible");
    }
    if gt && lt {
        return ctx
            .out
            .error("ERR GT and LT options at the same time are not compatible");
    }
    let Some(mut when) = int_arg(ctx, &args[2]) else {
        return;
    };
    let invalid = format!("ERR invalid expire time in '{cmd}' command");
    if seconds {
        if !(i64::MIN / 1000..=i64::MAX / 1000).contains(&when) {
            return ctx.out.error(&invalid);
        }
        when *= 1000;
    }
    let now = now_ms() as i64;
    if relative {
        if when > i64::MAX - now {
            return ctx.out.error(&invalid);
        }
        when += now;
    }
    let db = ctx.db();
    let Some(i) = db.lookup(&args[1]) else {
        return ctx.out.integer(0);
    };
    let current = db.expire_at(i);
    let has_ttl = current != 0;
    let refused = (nx && has_ttl)
        || (xx && !has_ttl)
        || (gt && (!has_ttl || when <= current as i64))
        || (lt && has_ttl && when >= current as i64);
    if refused {
        return ctx.out.integer(0);
    }
    // A time already past deletes the key, except while loading (Redis's
    // `checkAlreadyExpired`): the replay keeps it, with that TTL.
    let loading = ctx.store.loading();
    let db = ctx.db();
    let event = if when <= now && !loading {
        db.remove_at(i);
        "del"
    } else {
        db.set_expire(i, when as u64);
        "expire"
    };
    ctx.store.dirty += 1;
    notify(ctx, GENERIC, event, &args[1]);
    ctx.out.integer(1);
}

fn expire(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    expire_generic(ctx, args, true, true, "expire");
}

fn pexpire(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    expire_generic(ctx, args, true, false, "pexpire");
}

fn expireat(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    expire_generic(ctx, args, false, true, "expireat");
}

fn pexpireat(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    expire_generic(ctx, args, false, false, "pexpireat");
}

/// The TTL family: `absolute` answers the expiry time, otherwise the time left;
/// `ms` in milliseconds, otherwise rounded to seconds.
fn ttl_generic(ctx: &mut Ctx<'_>, key: &[u8], absolute: bool, ms: bool) {
    let db = ctx.store.db(ctx.client.db);
    let found = db.lookup_no_touch(key);
    count_read(ctx.shared, found.is_some());
    let Some(i) = found else {
        return ctx.out.integer(-2);
    };
    let at = db.expire_at(i);
    if at == 0 {
        return ctx.out.integer(-1);
    }
    let v = if absolute {
        at as i64
    } else {
        (at as i64 - now_ms() as i64).max(0)
    };
    // Rounded to the nearest second, without overflow for times near i64::MAX.
    ctx.out.integer(if ms {
        v
    } else {
        ((i128::from(v) + 500) / 1000) as i64
    });
}

fn ttl(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    ttl_generic(ctx, &args[1], false, false);
}

fn pttl(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    ttl_generic(ctx, &args[1], false, true);
}

fn expiretime(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    ttl_generic(ctx, &args[1], true, false);
}

fn pexpiretime(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    ttl_generic(ctx, &args[1], true, true);
}

fn persist(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let db = ctx.db();
    match db.lookup(&args[1]) {
        Some(i) if db.entry(i).has_ttl() => {
            db.set_expire(i, 0);
            ctx.store.dirty += 1;
            notify(ctx, GENERIC, "persist", &args[1]);
            ctx.out.integer(1);
        }
        _ => ctx.out.integer(0),
    }
}

fn select(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if let Ok(d) = db_index(ctx, &args[1]) {
        ctx.client.db = d;
        ctx.out.ok();
    }
}

fn swapdb(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let parse = |a: &[u8]| string2ll(a).filter(|n| i32::try_from(*n).is_ok());
    let Some(a) = parse(&args[1]) else {
        return ctx.out.error("ERR invalid first DB index");
    };
    let Some(b) = parse(&args[2]) else {
        return ctx.out.error("ERR invalid second DB index");
    };
    let n = ctx.store.db_count() as i64;
    if a < 0 || b < 0 || a >= n || b >= n {
        return ctx.out.error(errors::DB_INDEX);
    }
    ctx.store.swap_dbs(a as usize, b as usize);
    // Clients blocked in either database may now find their keys filled.
    ctx.blocked.signal_db(a as usize);
    ctx.blocked.signal_db(b as usize);
    ctx.store.dirty += 1;
    ctx.out.ok();
}

fn dbsize(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    let n = ctx.store.dbsize(ctx.client.db);
    ctx.out.integer(n as i64);
}

/// `[ASYNC|SYNC]`: `Some(lazy)` or `None` on a syntax error; without
/// either, `lazyfree-lazy-user-flush` decides.
fn flush_mode(ctx: &Ctx<'_>, args: &[Vec<u8>]) -> Option<bool> {
    match args.len() {
        1 => Some(super::lazyfree::is_on(ctx, super::lazyfree::USER_FLUSH)),
        2 => match args[1].to_ascii_uppercase().as_slice() {
            b"ASYNC" => Some(true),
            b"SYNC" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn flushdb(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let Some(lazy) = flush_mode(ctx, args) else {
        return ctx.out.error(errors::SYNTAX);
    };
    let n = ctx.store.dbsize(ctx.client.db);
    let old = ctx.store.flush_db(ctx.client.db);
    free_flushed(ctx, old, lazy);
    ctx.store.dirty += n as u64;
    // Written to the AOF even when the database was already empty.
    super::propagate::force(ctx);
    ctx.out.ok();
}

/// Frees a flushed keyspace: on the server's lazy-free thread for ASYNC when
/// there is enough of it to be worth it (Redis's threshold is 64 keys), here
/// otherwise.
/// Tracking clients hear that every key changed.
fn free_flushed(ctx: &mut Ctx<'_>, old: Vec<crate::store::Db>, lazy: bool) {
    if super::tracking::is_on(ctx.shared) {
        super::tracking::flush(ctx.shared, ctx.store);
    }
    let keys: usize = old.iter().map(|d| d.table.len()).sum();
    if lazy && keys > 64 {
        // counted per key in `lazyfreed_objects`, as Redis counts it
        ctx.shared.free_later_counted(Box::new(old), keys as u64);
    }
}

fn flushall(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let Some(lazy) = flush_mode(ctx, args) else {
        return ctx.out.error(errors::SYNTAX);
    };
    let keys: usize = (0..ctx.store.db_count()).map(|d| ctx.store.dbsize(d)).sum();
    let old = ctx.store.flush_all();
    free_flushed(ctx, old, lazy);
    // Each key removed is a change; with save points set, the empty dataset
    // is saved at once, which restarts the count (7.0.15's
    // `flushAllDataAndResetRDB`).
    ctx.store.dirty += keys as u64;
    if !ctx.shared.config().save.trim().is_empty() {
        if let Some(save_now) = ctx.shared.persistence.hooks.save.get() {
            let _ = save_now(ctx);
        }
    }
    super::propagate::force(ctx);
    ctx.out.ok();
}
