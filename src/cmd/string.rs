//! String commands: GET, SET and its variants, MGET/MSET, APPEND, ranges, and the
//! counters (INCR ... INCRBYFLOAT). Bit commands are in `bitops.rs`, LCS in `lcs.rs`.
//!
//! Invariants: every reply and error text is redis-server 7.0's; a value stored by
//! SET-like commands takes Redis's encoding ("int" when it is a canonical integer,
//! see `store::value`); commands that modify a string in place leave it "raw";
//! a write that replaces the value clears the TTL only where Redis does (SET,
//! GETSET, MSET), counters and APPEND/SETRANGE keep it.
use super::args::{clamp_range, int_arg, max_bulk_len};
use super::lookup::count_read;
use super::notify::{notify, GENERIC, STRING};
use super::{errors, flags, CommandSpec, Ctx, Keys};
use crate::num::string2ll;
use crate::num::F80;
use crate::store::{now_ms, Value};

pub const STRING_TOO_LONG: &str = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

const W: u32 = flags::WRITE;
const R: u32 = flags::READONLY;
const M: u32 = flags::DENYOOM;
const F: u32 = flags::FAST;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "get",
        arity: 2,
        flags: R | F,
        keys: Keys::ONE,
        handler: get,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "set",
        arity: -3,
        flags: W | M,
        keys: Keys::ONE,
        handler: set,
        owning: Some(set_owning),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "setnx",
        arity: 3,
        flags: W | M | F,
        keys: Keys::ONE,
        handler: setnx,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "setex",
        arity: 4,
        flags: W | M,
        keys: Keys::ONE,
        handler: setex,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "psetex",
        arity: 4,
        flags: W | M,
        keys: Keys::ONE,
        handler: psetex,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "getset",
        arity: 3,
        flags: W | M | F,
        keys: Keys::ONE,
        handler: getset,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "getdel",
        arity: 2,
        flags: W | F,
        keys: Keys::ONE,
        handler: getdel,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "getex",
        arity: -2,
        flags: W | F,
        keys: Keys::ONE,
        handler: getex,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "mget",
        arity: -2,
        flags: R | F,
        keys: Keys::ALL,
        handler: mget,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "mset",
        arity: -3,
        flags: W | M,
        keys: Keys::range(1, -1, 2),
        handler: mset,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "msetnx",
        arity: -3,
        flags: W | M,
        keys: Keys::range(1, -1, 2),
        handler: msetnx,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "append",
        arity: 3,
        flags: W | M | F,
        keys: Keys::ONE,
        handler: append,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "strlen",
        arity: 2,
        flags: R | F,
        keys: Keys::ONE,
        handler: strlen,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "getrange",
        arity: 4,
        flags: R,
        keys: Keys::ONE,
        handler: getrange,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "substr",
        arity: 4,
        flags: R,
        keys: Keys::ONE,
        handler: getrange,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "setrange",
        arity: 4,
        flags: W | M,
        keys: Keys::ONE,
        handler: setrange,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "incr",
        arity: 2,
        flags: W | M | F,
        keys: Keys::ONE,
        handler: incr,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "decr",
        arity: 2,
        flags: W | M | F,
        keys: Keys::ONE,
        handler: decr,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "incrby",
        arity: 3,
        flags: W | M | F,
        keys: Keys::ONE,
        handler: incrby,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "decrby",
        arity: 3,
        flags: W | M | F,
        keys: Keys::ONE,
        handler: decrby,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "incrbyfloat",
        arity: 3,
        flags: W | M | F,
        keys: Keys::ONE,
        handler: incrbyfloat,
        ..CommandSpec::DEFAULT
    },
];

/// Replies with a string value, or WRONGTYPE.
fn reply_string(ctx_out: &mut crate::resp::Reply, v: &Value) {
    let mut tmp = [0u8; 20];
    match v.str_bytes(&mut tmp) {
        Some(b) => ctx_out.bulk(b),
        None => ctx_out.error(errors::WRONGTYPE),
    }
}

/// GET-like reply for `key`: nil, the string, or WRONGTYPE. Returns false on WRONGTYPE.
fn reply_get(ctx: &mut Ctx<'_>, key: &[u8]) -> bool {
    let db = ctx.store.db(ctx.client.db);
    let v = db.get(key);
    count_read(ctx.shared, v.is_some());
    match v {
        None => {
            ctx.out.null();
            true
        }
        Some(v) => {
            let ok = v.is_string();
            reply_string(ctx.out, v);
            ok
        }
    }
}

fn get(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    reply_get(ctx, &args[1]);
}

/// How a SET-family command says when the key expires.
#[derive(Clone, Copy, PartialEq)]
enum ExpireArg {
    None,
    Ex,
    Px,
    ExAt,
    PxAt,
}

/// Options of SET (and, restricted, GETEX), parsed as Redis parses them.
struct SetOpts {
    nx: bool,
    xx: bool,
    get: bool,
    keep_ttl: bool,
    persist: bool,
    expire: ExpireArg,
    expire_arg: usize,
}

/// Parses SET (`is_set`) or GETEX options from `args[first..]`. `None` on a syntax error.
fn parse_set_opts(args: &[Vec<u8>], first: usize, is_set: bool) -> Option<SetOpts> {
    let mut o = SetOpts {
        nx: false,
        xx: false,
        get: false,
        keep_ttl: false,
        persist: false,
        expire: ExpireArg::None,
        expire_arg: 0,
    };
    let mut j = first;
    while j < args.len() {
        let a = args[j].to_ascii_uppercase();
        let has_next = j + 1 < args.len();
        let no_expire = o.expire == ExpireArg::None;
        let expire_kind = match a.as_slice() {
            b"EX" => Some(ExpireArg::Ex),
            b"PX" => Some(ExpireArg::Px),
            b"EXAT" => Some(ExpireArg::ExAt),
            b"PXAT" => Some(ExpireArg::PxAt),
            _ => None,
        };
        match a.as_slice() {
            b"NX" if is_set && !o.xx => o.nx = true,
            b"XX" if is_set && !o.nx => o.xx = true,
            b"GET" if is_set => o.get = true,
            b"KEEPTTL" if is_set && !o.persist && no_expire => o.keep_ttl = true,
            b"PERSIST" if !is_set && !o.keep_ttl && no_expire => o.persist = true,
            _ => match expire_kind {
                Some(k)
                    if has_next
                        && !o.keep_ttl
                        && !o.persist
                        && (o.expire == ExpireArg::None || o.expire == k) =>
                {
                    o.expire = k;
                    o.expire_arg = j + 1;
                    j += 1;
                }
                _ => return None,
            },
        }
        j += 1;
    }
    Some(o)
}

/// Turns an expire argument into an absolute time in ms, as Redis validates it.
/// `Err(true)`: not an integer; `Err(false)`: invalid expire time.
fn expire_at_ms(arg: &[u8], kind: ExpireArg) -> Result<u64, bool> {
    let n = string2ll(arg).ok_or(true)?;
    if n <= 0 {
        return Err(false);
    }
    let seconds = matches!(kind, ExpireArg::Ex | ExpireArg::ExAt);
    if seconds && n > i64::MAX / 1000 {
        return Err(false);
    }
    let mut ms = if seconds { n * 1000 } else { n };
    if matches!(kind, ExpireArg::Ex | ExpireArg::Px) {
        let now = now_ms() as i64;
        if ms > i64::MAX - now {
            return Err(false);
        }
        ms += now;
    }
    Ok(ms as u64)
}

fn reply_expire_error(ctx: &mut Ctx<'_>, not_int: bool, cmd: &str) {
    if not_int {
        ctx.out.error(errors::NOT_INTEGER);
    } else {
        ctx.out
            .error(&format!("ERR invalid expire time in '{cmd}' command"));
    }
}

/// Parses an expire argument or replies the error.
fn expire_or_reply(ctx: &mut Ctx<'_>, arg: &[u8], kind: ExpireArg, cmd: &str) -> Option<u64> {
    match expire_at_ms(arg, kind) {
        Ok(at) => Some(at),
        Err(not_int) => {
            reply_expire_error(ctx, not_int, cmd);
            None
        }
    }
}

/// Values at least this long are taken from the request rather than copied (the
/// parser gives them buffers of their exact size; smaller ones come from its
/// pool of reused buffers, whose capacity may exceed their length).
const TAKE_MIN: usize = 4096;

fn set(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    set_value(ctx, args, None);
}

/// SET, taking a large value's buffer from the request.
fn set_owning(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) {
    let value = (args[2].len() >= TAKE_MIN).then(|| std::mem::take(&mut args[2]));
    set_value(ctx, args, value);
}

/// SET with its value either in `args[2]` or, already taken out, in `taken`.
fn set_value(ctx: &mut Ctx<'_>, args: &[Vec<u8>], taken: Option<Vec<u8>>) {
    let Some(o) = parse_set_opts(args, 3, true) else {
        return ctx.out.error(errors::SYNTAX);
    };
    let mut at = 0;
    if o.expire != ExpireArg::None {
        match expire_or_reply(ctx, &args[o.expire_arg], o.expire, "set") {
            Some(t) => at = t,
            None => return,
        }
    }
    if o.get && !reply_get(ctx, &args[1]) {
        return;
    }
    let db = ctx.store.db(ctx.client.db);
    if o.nx || o.xx {
        let found = db.lookup(&args[1]).is_some();
        if (o.nx && found) || (o.xx && !found) {
            if !o.get {
                ctx.out.null();
            }
            return;
        }
    }
    let value = match taken {
        Some(v) => Value::raw(v),
        None => Value::from_bytes_try_int(&args[2]),
    };
    let i = db.set(&args[1], value, o.keep_ttl);
    if at != 0 {
        db.set_expire(i, at);
    }
    ctx.store.dirty += 1;
    notify(ctx, STRING, "set", &args[1]);
    if at != 0 {
        notify(ctx, GENERIC, "expire", &args[1]);
    }
    if !o.get {
        ctx.out.ok();
    }
}

fn setnx(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let db = ctx.db();
    if db.lookup(&args[1]).is_some() {
        return ctx.out.integer(0);
    }
    db.insert_new(&args[1], Value::from_bytes_try_int(&args[2]));
    ctx.store.dirty += 1;
    notify(ctx, STRING, "set", &args[1]);
    ctx.out.integer(1);
}

fn setex_generic(ctx: &mut Ctx<'_>, args: &[Vec<u8>], kind: ExpireArg, cmd: &str) {
    let Some(at) = expire_or_reply(ctx, &args[2], kind, cmd) else {
        return;
    };
    let db = ctx.db();
    let i = db.set(&args[1], Value::from_bytes_try_int(&args[3]), false);
    db.set_expire(i, at);
    ctx.store.dirty += 1;
    notify(ctx, STRING, "set", &args[1]);
    notify(ctx, GENERIC, "expire", &args[1]);
    ctx.out.ok();
}

fn setex(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    setex_generic(ctx, args, ExpireArg::Ex, "setex");
}

fn psetex(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    setex_generic(ctx, args, ExpireArg::Px, "psetex");
}

fn getset(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if !reply_get(ctx, &args[1]) {
        return;
    }
    ctx.db()
        .set(&args[1], Value::from_bytes_try_int(&args[2]), false);
    ctx.store.dirty += 1;
    notify(ctx, STRING, "set", &args[1]);
}

fn getdel(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let db = ctx.store.db(ctx.client.db);
    let found = db.lookup(&args[1]);
    count_read(ctx.shared, found.is_some());
    let Some(i) = found else {
        return ctx.out.null();
    };
    if !db.entry(i).value.is_string() {
        return ctx.out.error(errors::WRONGTYPE);
    }
    let e = db.remove_at(i);
    reply_string(ctx.out, &e.value);
    ctx.store.dirty += 1;
    notify(ctx, GENERIC, "del", &args[1]);
}

fn getex(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let Some(o) = parse_set_opts(args, 2, false) else {
        return ctx.out.error(errors::SYNTAX);
    };
    // Unlike SET, GETEX looks the key up before it validates the expire time.
    let db = ctx.store.db(ctx.client.db);
    let found = db.lookup(&args[1]);
    count_read(ctx.shared, found.is_some());
    let Some(i) = found else {
        return ctx.out.null();
    };
    if !db.entry(i).value.is_string() {
        return ctx.out.error(errors::WRONGTYPE);
    }
    let mut at = 0;
    if o.expire != ExpireArg::None {
        match expire_or_reply(ctx, &args[o.expire_arg], o.expire, "getex") {
            Some(t) => at = t,
            None => return,
        }
    }
    let db = ctx.store.db(ctx.client.db);
    reply_string(ctx.out, &db.entry(i).value);
    if at != 0 {
        let event = if at <= now_ms() {
            db.remove_at(i);
            "del"
        } else {
            db.set_expire(i, at);
            "expire"
        };
        ctx.store.dirty += 1;
        notify(ctx, GENERIC, event, &args[1]);
    } else if o.persist && db.entry(i).has_ttl() {
        db.set_expire(i, 0);
        ctx.store.dirty += 1;
        notify(ctx, GENERIC, "persist", &args[1]);
    }
}

fn mget(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    ctx.out.array(args.len() - 1);
    let db = ctx.store.db(ctx.client.db);
    for k in &args[1..] {
        let mut tmp = [0u8; 20];
        let v = db.get(k);
        count_read(ctx.shared, v.is_some());
        match v.and_then(|v| v.str_bytes(&mut tmp)) {
            Some(b) => ctx.out.bulk(b),
            None => ctx.out.null(),
        }
    }
}

fn arity_error(ctx: &mut Ctx<'_>, cmd: &str) {
    ctx.out.error(&format!(
        "ERR wrong number of arguments for '{cmd}' command"
    ));
}

fn mset(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if args.len().is_multiple_of(2) {
        return arity_error(ctx, "mset");
    }
    for kv in args[1..].chunks(2) {
        ctx.db()
            .set(&kv[0], Value::from_bytes_try_int(&kv[1]), false);
        notify(ctx, STRING, "set", &kv[0]);
    }
    ctx.store.dirty += (args.len() / 2) as u64;
    ctx.out.ok();
}

fn msetnx(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if args.len().is_multiple_of(2) {
        return arity_error(ctx, "msetnx");
    }
    let db = ctx.db();
    if args[1..].chunks(2).any(|kv| db.lookup(&kv[0]).is_some()) {
        return ctx.out.integer(0);
    }
    for kv in args[1..].chunks(2) {
        ctx.db()
            .set(&kv[0], Value::from_bytes_try_int(&kv[1]), false);
        notify(ctx, STRING, "set", &kv[0]);
    }
    ctx.store.dirty += (args.len() / 2) as u64;
    ctx.out.integer(1);
}

fn append(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let limit = max_bulk_len(ctx);
    let db = ctx.store.db(ctx.client.db);
    let Some(i) = db.lookup(&args[1]) else {
        db.insert_new(&args[1], Value::from_bytes_try_int(&args[2]));
        ctx.store.dirty += 1;
        notify(ctx, STRING, "append", &args[1]);
        return ctx.out.integer(args[2].len() as i64);
    };
    let Some(len) = db.entry(i).value.str_len() else {
        return ctx.out.error(errors::WRONGTYPE);
    };
    if (len + args[2].len()) as u64 > limit {
        return ctx.out.error(STRING_TOO_LONG);
    }
    if let Some(buf) = db.entry_mut(i).value.make_raw_mut() {
        buf.extend_from_slice(&args[2]);
        ctx.out.integer(buf.len() as i64);
    }
    ctx.store.dirty += 1;
    notify(ctx, STRING, "append", &args[1]);
}

fn strlen(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let v = ctx.store.db(ctx.client.db).get(&args[1]);
    count_read(ctx.shared, v.is_some());
    match v.map(|v| v.str_len()) {
        None => ctx.out.integer(0),
        Some(Some(n)) => ctx.out.integer(n as i64),
        Some(None) => ctx.out.error(errors::WRONGTYPE),
    }
}

fn getrange(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let Some(start) = int_arg(ctx, &args[2]) else {
        return;
    };
    let Some(end) = int_arg(ctx, &args[3]) else {
        return;
    };
    let db = ctx.store.db(ctx.client.db);
    let v = db.get(&args[1]);
    count_read(ctx.shared, v.is_some());
    let Some(v) = v else {
        return ctx.out.bulk(b"");
    };
    let mut tmp = [0u8; 20];
    let Some(s) = v.str_bytes(&mut tmp) else {
        return ctx.out.error(errors::WRONGTYPE);
    };
    match clamp_range(start, end, s.len() as i64) {
        Some((a, b)) => ctx.out.bulk(&s[a..=b]),
        None => ctx.out.bulk(b""),
    }
}

fn setrange(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let Some(offset) = int_arg(ctx, &args[2]) else {
        return;
    };
    if offset < 0 {
        return ctx.out.error("ERR offset is out of range");
    }
    let value = &args[3];
    let limit = max_bulk_len(ctx);
    let db = ctx.store.db(ctx.client.db);
    let found = db.lookup(&args[1]);
    if let Some(i) = found {
        let Some(len) = db.entry(i).value.str_len() else {
            return ctx.out.error(errors::WRONGTYPE);
        };
        if value.is_empty() {
            return ctx.out.integer(len as i64);
        }
    } else if value.is_empty() {
        return ctx.out.integer(0);
    }
    let total = offset as u64 + value.len() as u64;
    if total > limit {
        return ctx.out.error(STRING_TOO_LONG);
    }
    let i = match found {
        Some(i) => i,
        None => db.insert_new(&args[1], Value::raw(Vec::new())),
    };
    if let Some(buf) = db.entry_mut(i).value.make_raw_mut() {
        let (off, end) = (offset as usize, total as usize);
        if buf.len() < end {
            buf.resize(end, 0);
        }
        buf[off..end].copy_from_slice(value);
        ctx.out.integer(buf.len() as i64);
    }
    ctx.store.dirty += 1;
    notify(ctx, STRING, "setrange", &args[1]);
}

fn incr_by(ctx: &mut Ctx<'_>, key: &[u8], by: i64) {
    let db = ctx.store.db(ctx.client.db);
    let found = db.lookup(key);
    let old = match found {
        None => 0,
        Some(i) => match &db.entry(i).value {
            Value::Int(n) => *n,
            v => {
                let mut tmp = [0u8; 20];
                match v.str_bytes(&mut tmp) {
                    None => return ctx.out.error(errors::WRONGTYPE),
                    Some(b) => match string2ll(b) {
                        Some(n) => n,
                        None => return ctx.out.error(errors::NOT_INTEGER),
                    },
                }
            }
        },
    };
    let Some(new) = old.checked_add(by) else {
        return ctx.out.error("ERR increment or decrement would overflow");
    };
    match found {
        Some(i) => db.entry_mut(i).value = Value::Int(new),
        None => {
            db.insert_new(key, Value::Int(new));
        }
    }
    ctx.store.dirty += 1;
    notify(ctx, STRING, "incrby", key);
    ctx.out.integer(new);
}

fn incr(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    incr_by(ctx, &args[1], 1);
}

fn decr(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    incr_by(ctx, &args[1], -1);
}

fn incrby(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if let Some(by) = int_arg(ctx, &args[2]) {
        incr_by(ctx, &args[1], by);
    }
}

fn decrby(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let Some(by) = int_arg(ctx, &args[2]) else {
        return;
    };
    if by == i64::MIN {
        return ctx.out.error("ERR decrement would overflow");
    }
    incr_by(ctx, &args[1], -by);
}

fn incrbyfloat(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let db = ctx.store.db(ctx.client.db);
    let found = db.lookup(&args[1]);
    let old = match found {
        None => Some(F80::ZERO),
        Some(i) => {
            let mut tmp = [0u8; 20];
            match db.entry(i).value.str_bytes(&mut tmp) {
                None => return ctx.out.error(errors::WRONGTYPE),
                Some(b) => F80::parse(b),
            }
        }
    };
    let (Some(old), Some(by)) = (old, F80::parse(&args[2])) else {
        return ctx.out.error(errors::NOT_FLOAT);
    };
    let sum = old.plus(by);
    if !sum.is_finite() {
        return ctx.out.error("ERR increment would produce NaN or Infinity");
    }
    let text = sum.to_human_string();
    let value = Value::from_bytes(&text);
    match found {
        Some(i) => db.entry_mut(i).value = value,
        None => {
            db.insert_new(&args[1], value);
        }
    }
    ctx.store.dirty += 1;
    notify(ctx, STRING, "incrbyfloat", &args[1]);
    ctx.out.bulk(&text);
}
