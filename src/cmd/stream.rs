//! Stream commands, part one: the command table of the whole family, the
//! argument forms they share (entry IDs, trimming options), the reply of an
//! entry, and XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XSETID.
//!
//! | file | commands |
//! | --- | --- |
//! | `stream.rs` | XADD XLEN XRANGE XREVRANGE XDEL XTRIM XSETID |
//! | `stream_read.rs` | XREAD XREADGROUP, and serving them when blocked |
//! | `stream_group.rs` | XGROUP XACK XPENDING XCLAIM XAUTOCLAIM |
//! | `stream_info.rs` | XINFO |
//!
//! Invariants, as in redis-server 7.0: arguments are checked in Redis's
//! order and answered with its texts; an ID argument is `<ms>-<seq>` (or
//! `<ms>` with the sequence implied, `-`/`+` where a range allows them), read
//! as Redis reads numbers there (`strtoull` after a strict attempt); an entry
//! replies as `[id, [field, value, ...]]`; writes go through
//! `Arc::make_mut`; a stream key stays when its last entry goes (streams are
//! never deleted implicitly); XADD wakes clients blocked on the key.
use super::lookup::count_read;
use super::notify::{notify, STREAM};
use super::{errors, flags, CommandSpec, Ctx, Keys};
use crate::num::string2ll;
use crate::resp::Reply;
use crate::store::stream::listpack::Elem;
use crate::store::stream::{EntryRef, Limits, Strategy, Stream, StreamId, Trim};
use crate::store::{now_ms, Db, Value};
use std::sync::Arc;

const W: u32 = flags::WRITE;
const R: u32 = flags::READONLY;
const M: u32 = flags::DENYOOM;
const F: u32 = flags::FAST;

pub static COMMANDS: &[CommandSpec] = &[
    // XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [...]
    CommandSpec {
        name: "xadd",
        arity: -5,
        flags: W | M | F,
        keys: Keys::ONE,
        handler: xadd,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "xlen",
        arity: 2,
        flags: R | F,
        keys: Keys::ONE,
        handler: xlen,
        ..CommandSpec::DEFAULT
    },
    // XRANGE key start end [COUNT count]
    CommandSpec {
        name: "xrange",
        arity: -4,
        flags: R,
        keys: Keys::ONE,
        handler: xrange,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "xrevrange",
        arity: -4,
        flags: R,
        keys: Keys::ONE,
        handler: xrevrange,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "xdel",
        arity: -3,
        flags: W | F,
        keys: Keys::ONE,
        handler: xdel,
        ..CommandSpec::DEFAULT
    },
    // XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
    CommandSpec {
        name: "xtrim",
        arity: -4,
        flags: W,
        keys: Keys::ONE,
        handler: xtrim,
        ..CommandSpec::DEFAULT
    },
    // XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id]
    CommandSpec {
        name: "xsetid",
        arity: -3,
        flags: W | M | F,
        keys: Keys::ONE,
        handler: xsetid,
        ..CommandSpec::DEFAULT
    },
    // XREAD [COUNT n] [BLOCK ms] STREAMS key [...] id [...]
    CommandSpec {
        name: "xread",
        arity: -4,
        flags: R | flags::BLOCKING | flags::BLOCK_OPTION,
        keys: Keys::NONE,
        handler: super::stream_read::xread,
        ..CommandSpec::DEFAULT
    },
    // XREADGROUP GROUP g c [COUNT n] [BLOCK ms] [NOACK] STREAMS key [...] id [...]
    CommandSpec {
        name: "xreadgroup",
        arity: -7,
        flags: W | flags::BLOCKING | flags::BLOCK_OPTION,
        keys: Keys::NONE,
        handler: super::stream_read::xreadgroup,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "xgroup",
        arity: -2,
        subcommands: XGROUP_SUBCOMMANDS,
        ..CommandSpec::DEFAULT
    },
    // XACK key group id [...]
    CommandSpec {
        name: "xack",
        arity: -4,
        flags: W | F,
        keys: Keys::ONE,
        handler: super::stream_group::xack,
        ..CommandSpec::DEFAULT
    },
    // XPENDING key group [[IDLE ms] start end count [consumer]]
    CommandSpec {
        name: "xpending",
        arity: -3,
        flags: R,
        keys: Keys::ONE,
        handler: super::stream_group::xpending,
        ..CommandSpec::DEFAULT
    },
    // XCLAIM key group consumer min-idle id [...] [options]
    CommandSpec {
        name: "xclaim",
        arity: -6,
        flags: W | F,
        keys: Keys::ONE,
        handler: super::stream_group::xclaim,
        ..CommandSpec::DEFAULT
    },
    // XAUTOCLAIM key group consumer min-idle start [COUNT n] [JUSTID]
    CommandSpec {
        name: "xautoclaim",
        arity: -6,
        flags: W | F,
        keys: Keys::ONE,
        handler: super::stream_group::xautoclaim,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "xinfo",
        arity: -2,
        subcommands: XINFO_SUBCOMMANDS,
        ..CommandSpec::DEFAULT
    },
];

/// The key of XGROUP's and XINFO's subcommands: argument 2.
const SUB_KEY: Keys = Keys::range(2, 2, 1);
const HELP_FLAGS: u32 = flags::LOADING | flags::STALE;

/// XGROUP's subcommands, one handler reading the subcommand's name (the
/// dispatcher has checked each one's arity).
static XGROUP_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "create",
        arity: -5,
        flags: W | flags::DENYOOM,
        keys: SUB_KEY,
        handler: super::stream_group::xgroup,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "setid",
        arity: -5,
        flags: W,
        keys: SUB_KEY,
        handler: super::stream_group::xgroup,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "destroy",
        arity: 4,
        flags: W,
        keys: SUB_KEY,
        handler: super::stream_group::xgroup,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "createconsumer",
        arity: 5,
        flags: W | flags::DENYOOM,
        keys: SUB_KEY,
        handler: super::stream_group::xgroup,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "delconsumer",
        arity: 5,
        flags: W,
        keys: SUB_KEY,
        handler: super::stream_group::xgroup,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: HELP_FLAGS,
        handler: super::stream_group::xgroup,
        ..CommandSpec::DEFAULT
    },
];

/// XINFO's subcommands (one handler, as XGROUP's).
static XINFO_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "stream",
        arity: -3,
        flags: flags::READONLY,
        keys: SUB_KEY,
        handler: super::stream_info::xinfo,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "groups",
        arity: 3,
        flags: flags::READONLY,
        keys: SUB_KEY,
        handler: super::stream_info::xinfo,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "consumers",
        arity: 4,
        flags: flags::READONLY,
        keys: SUB_KEY,
        handler: super::stream_info::xinfo,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: HELP_FLAGS,
        handler: super::stream_info::xinfo,
        ..CommandSpec::DEFAULT
    },
];

pub(crate) const INVALID_ID: &str = "ERR Invalid stream ID specified as stream command argument";

/// C's `strtoull(s, &end, 10)` used as Redis's `string2ull` does after a
/// strict attempt fails: leading white space and a sign are allowed (a minus
/// negates modulo 2^64), every byte must be used, overflow is refused.
fn strtoull(s: &[u8]) -> Option<u64> {
    let mut i = 0;
    while s
        .get(i)
        .is_some_and(|&c| matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
    {
        i += 1;
    }
    let neg = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let digits = s.get(i..)?;
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: u64 = 0;
    for &d in digits {
        v = v.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some(if neg { v.wrapping_neg() } else { v })
}

/// Redis's `string2ull`.
fn string2ull(s: &[u8]) -> Option<u64> {
    match string2ll(s) {
        Some(n) if n < 0 => None,
        Some(n) => Some(n as u64),
        None => strtoull(s),
    }
}

/// An ID argument: `-` / `+` (unless `strict`), `<ms>`, `<ms>-<seq>`, and
/// with `star_seq` also `<ms>-*`. Returns the ID and whether the sequence was
/// given (false for `<ms>-*`).
pub(crate) fn parse_id_arg(
    arg: &[u8],
    missing_seq: u64,
    strict: bool,
    star_seq: bool,
) -> Option<(StreamId, bool)> {
    if arg.len() > 127 {
        return None;
    }
    // The argument is read as a C string.
    let s = super::c_str(arg, usize::MAX);
    match s {
        b"-" if !strict => return Some((StreamId::MIN, true)),
        b"+" if !strict => return Some((StreamId::MAX, true)),
        b"-" | b"+" => return None,
        _ => {}
    }
    let (ms_text, seq_text) = match s.iter().position(|&b| b == b'-') {
        Some(d) => (&s[..d], Some(&s[d + 1..])),
        None => (s, None),
    };
    let ms = string2ull(ms_text)?;
    match seq_text {
        None => Some((StreamId::new(ms, missing_seq), true)),
        Some(b"*") if star_seq => Some((StreamId::new(ms, 0), false)),
        Some(t) => Some((StreamId::new(ms, string2ull(t)?), true)),
    }
}

/// A strict ID (no `-`/`+`), missing sequence 0.
pub(crate) fn parse_strict_id(arg: &[u8]) -> Option<StreamId> {
    parse_id_arg(arg, 0, true, false).map(|(id, _)| id)
}

/// One end of a range: an ID, or `(` and a strict ID for an exclusive end.
/// Returns the ID and whether it is exclusive.
pub(crate) fn parse_interval(arg: &[u8], missing_seq: u64) -> Option<(StreamId, bool)> {
    if arg.len() > 1 && arg[0] == b'(' {
        parse_id_arg(&arg[1..], missing_seq, true, false).map(|(id, _)| (id, true))
    } else {
        parse_id_arg(arg, missing_seq, false, false).map(|(id, _)| (id, false))
    }
}

/// The `[start, end]` of a range argument pair, exclusive ends resolved.
pub(crate) fn parse_range(start: &[u8], end: &[u8]) -> Result<(StreamId, StreamId), &'static str> {
    let (mut s, s_ex) = parse_interval(start, 0).ok_or(INVALID_ID)?;
    if s_ex {
        s = s.incr().ok_or("ERR invalid start ID for the interval")?;
    }
    let (mut e, e_ex) = parse_interval(end, u64::MAX).ok_or(INVALID_ID)?;
    if e_ex {
        e = e.decr().ok_or("ERR invalid end ID for the interval")?;
    }
    Ok((s, e))
}

/// An integer argument with Redis's generic error.
pub(crate) fn int_arg(arg: &[u8]) -> Result<i64, &'static str> {
    string2ll(arg).ok_or(errors::NOT_INTEGER)
}

/// The stream node limits from the configuration.
pub(crate) fn limits(ctx: &Ctx<'_>) -> Limits {
    let c = ctx.shared.config();
    Limits {
        node_max_bytes: c.stream_node_max_bytes,
        node_max_entries: c.stream_node_max_entries,
    }
}

/// Replies `<ms>-<seq>` as a bulk string.
pub(crate) fn reply_id(out: &mut Reply, id: StreamId) {
    out.bulk(id.text().as_bytes());
}

fn reply_elem(out: &mut Reply, e: Elem<'_>) {
    match e {
        Elem::Str(s) => out.bulk(s),
        Elem::Int(n) => {
            let mut tmp = [0u8; 20];
            out.bulk(crate::num::ll2string(n, &mut tmp));
        }
    }
}

/// An entry: `[id, [field, value, ...]]`.
pub(crate) fn reply_entry(out: &mut Reply, e: &EntryRef<'_>) {
    out.array(2);
    reply_id(out, e.id);
    out.array(e.nfields() * 2);
    for (f, v) in e.fields() {
        reply_elem(out, f);
        reply_elem(out, v);
    }
}

/// Index of the stream under `key` (`None`: missing), or WRONGTYPE replied.
pub(crate) fn lookup(db: &mut Db, key: &[u8], out: &mut Reply) -> Result<Option<usize>, ()> {
    match db.lookup(key) {
        None => Ok(None),
        Some(i) if matches!(db.entry(i).value, Value::Stream(_)) => Ok(Some(i)),
        Some(_) => {
            out.error(errors::WRONGTYPE);
            Err(())
        }
    }
}

/// As [`lookup`], counting a keyspace hit or miss (Redis's read lookups).
pub(crate) fn lookup_read(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<Option<usize>, ()> {
    let db = ctx.store.db(ctx.client.db);
    let found = lookup(db, key, ctx.out);
    if let Ok(f) = found {
        count_read(ctx.shared, f.is_some());
    }
    found
}

/// The stream at entry `i` (the caller checked the type).
pub(crate) fn stream_at(db: &Db, i: usize) -> &Stream {
    match &db.entry(i).value {
        Value::Stream(s) => s,
        _ => unreachable_stream(),
    }
}

/// The stream at entry `i` for modification (copied first if a snapshot
/// shares it); counts as a change of the key (WATCH).
pub(crate) fn stream_mut(db: &mut Db, i: usize) -> &mut Stream {
    db.touch_at(i);
    stream_mut_quiet(db, i)
}

/// As [`stream_mut`], for a change Redis does not count as one of the key
/// (a no-op trim, a group's delivery bookkeeping): the caller touches the
/// key itself when it did change.
pub(crate) fn stream_mut_quiet(db: &mut Db, i: usize) -> &mut Stream {
    let v = &mut db.table.entry_mut(i).value;
    if !matches!(v, Value::Stream(_)) {
        *v = Value::Stream(Arc::new(Stream::new()));
    }
    match v {
        Value::Stream(s) => Arc::make_mut(s),
        _ => unreachable_stream(),
    }
}

/// Callers look the type up first; an empty stream stands in otherwise.
fn unreachable_stream() -> ! {
    unreachable!("the entry was checked to be a stream")
}

/// What XADD's and XTRIM's options say.
struct AddTrim {
    trim: Option<Trim>,
    /// The ID argument (XADD; None for `*`) and whether its sequence was given.
    id: Option<(StreamId, bool)>,
    no_mkstream: bool,
    /// Position of the ID argument (XADD).
    id_pos: usize,
}

/// Parses the options of XADD (`xadd`) or XTRIM, as Redis does.
fn parse_add_trim(
    args: &[Vec<u8>],
    xadd: bool,
    node_max_entries: usize,
) -> Result<AddTrim, &'static str> {
    const BOTH: &str =
        "ERR syntax error, MAXLEN and MINID options at the same time are not compatible";
    let mut strategy: Option<Strategy> = None;
    let mut approx = false;
    let mut limit: Option<i64> = None;
    let mut out = AddTrim {
        trim: None,
        id: None,
        no_mkstream: false,
        id_pos: args.len(),
    };
    let mut i = 2;
    while i < args.len() {
        let more = args.len() - 1 - i;
        let opt = &args[i];
        if xadd && super::c_str(opt, usize::MAX) == b"*" {
            break;
        }
        let lower = opt.to_ascii_lowercase();
        match lower.as_slice() {
            b"maxlen" | b"minid" if more > 0 => {
                if strategy.is_some() {
                    return Err(BOTH);
                }
                approx = false;
                let next = super::c_str(&args[i + 1], usize::MAX);
                if more >= 2 && next == b"~" {
                    approx = true;
                    i += 1;
                } else if more >= 2 && next == b"=" {
                    i += 1;
                }
                let value = &args[i + 1];
                strategy = Some(if lower == b"maxlen" {
                    let n = int_arg(value)?;
                    if n < 0 {
                        return Err("ERR The MAXLEN argument must be >= 0.");
                    }
                    Strategy::MaxLen(n as u64)
                } else {
                    Strategy::MinId(parse_strict_id(value).ok_or(INVALID_ID)?)
                });
                i += 1;
            }
            b"limit" if more > 0 => {
                let n = int_arg(&args[i + 1])?;
                if n < 0 {
                    return Err("ERR The LIMIT argument must be >= 0.");
                }
                limit = Some(n);
                i += 1;
            }
            b"nomkstream" if xadd => out.no_mkstream = true,
            _ if xadd => {
                let id = parse_id_arg(opt, 0, true, true).ok_or(INVALID_ID)?;
                out.id = Some(id);
                break;
            }
            _ => return Err(errors::SYNTAX),
        }
        i += 1;
    }
    out.id_pos = i;
    if limit.is_some_and(|l| l != 0) && strategy.is_none() {
        return Err(
            "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy",
        );
    }
    if !xadd && strategy.is_none() {
        return Err("ERR syntax error, XTRIM must be called with a trimming strategy");
    }
    let limit = match limit {
        Some(_) if !approx => {
            return Err("ERR syntax error, LIMIT cannot be used without the special ~ option")
        }
        Some(l) => l,
        None if approx => {
            let l = i64::try_from(node_max_entries)
                .unwrap_or(i64::MAX)
                .saturating_mul(100);
            if l <= 0 {
                10_000
            } else {
                l.min(1_000_000)
            }
        }
        None => 0,
    };
    out.trim = strategy.map(|strategy| Trim {
        strategy,
        approx,
        limit,
    });
    Ok(out)
}

fn xadd(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let lim = limits(ctx);
    let opts = match parse_add_trim(args, true, lim.node_max_entries) {
        Ok(o) => o,
        Err(e) => return ctx.out.error(e),
    };
    let fields = args.get(opts.id_pos + 1..).unwrap_or(&[]);
    if fields.len() < 2 || fields.len() % 2 == 1 {
        return super::wrong_arity(ctx.out, "xadd");
    }
    if let Some((id, true)) = opts.id {
        if id.is_zero() {
            return ctx
                .out
                .error("ERR The ID specified in XADD must be greater than 0-0");
        }
    }
    let key = &args[1];
    let db = ctx.store.db(ctx.client.db);
    let i = match lookup(db, key, ctx.out) {
        Err(()) => return,
        Ok(Some(i)) => i,
        Ok(None) if opts.no_mkstream => return ctx.out.null(),
        Ok(None) => db.insert_new(key, Value::Stream(Arc::new(Stream::new()))),
    };
    let last = stream_at(db, i).last_id;
    if last == StreamId::MAX {
        return ctx
            .out
            .error("ERR The stream has exhausted the last possible ID, unable to add more items");
    }
    let id = match opts.id {
        Some((id, true)) => Some(id),
        Some((id, false)) if id.ms == last.ms => {
            if last.seq == u64::MAX {
                // Redis picks this text from a stale errno: on a fresh
                // connection it is this one.
                return ctx.out.error("ERR Elements are too large to be stored");
            }
            last.incr()
        }
        Some((id, false)) => Some(id),
        None => stream_at(db, i).auto_id(now_ms()),
    };
    let Some(id) = id.filter(|&id| id > last) else {
        return ctx.out.error(
            "ERR The ID specified in XADD is equal or smaller than the target stream top item",
        );
    };
    let payload: u64 = fields.iter().map(|f| f.len() as u64).sum();
    if payload > 1 << 30 {
        return ctx.out.error("ERR Elements are too large to be stored");
    }
    let s = stream_mut(db, i);
    s.append(id, fields, lim);
    let trimmed = opts.trim.map_or(0, |t| s.trim(&t));
    reply_id(ctx.out, id);
    ctx.store.dirty += 1;
    // An ID the server chose (`*`, `ms-*`) propagates as the ID it got (7.0).
    if !matches!(opts.id, Some((_, true))) && super::propagate::is_on(ctx) {
        let mut argv = args.to_vec();
        if let Some(a) = argv.get_mut(opts.id_pos) {
            *a = format!("{}-{}", id.ms, id.seq).into_bytes();
        }
        super::propagate::replace(ctx, vec![argv]);
    }
    notify(ctx, STREAM, "xadd", key);
    if trimmed > 0 {
        notify(ctx, STREAM, "xtrim", key);
    }
    ctx.blocked.signal(ctx.client.db, key);
}

fn xlen(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let Ok(found) = lookup_read(ctx, &args[1]) else {
        return;
    };
    let n = found.map_or(0, |i| stream_at(ctx.store.db(ctx.client.db), i).length);
    ctx.out.integer(n as i64);
}

fn xrange(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    range_generic(ctx, args, false);
}

fn xrevrange(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    range_generic(ctx, args, true);
}

/// XRANGE key start end [COUNT n] / XREVRANGE key end start [COUNT n].
fn range_generic(ctx: &mut Ctx<'_>, args: &[Vec<u8>], rev: bool) {
    let (a, b) = if rev {
        (&args[3], &args[2])
    } else {
        (&args[2], &args[3])
    };
    let (start, end) = match parse_range(a, b) {
        Ok(r) => r,
        Err(e) => return ctx.out.error(e),
    };
    let mut count: i64 = -1;
    let mut j = 4;
    while j < args.len() {
        if args[j].eq_ignore_ascii_case(b"count") && j + 1 < args.len() {
            count = match int_arg(&args[j + 1]) {
                Ok(n) => n.max(0),
                Err(e) => return ctx.out.error(e),
            };
            j += 2;
        } else {
            return ctx.out.error(errors::SYNTAX);
        }
    }
    let Ok(found) = lookup_read(ctx, &args[1]) else {
        return;
    };
    let Some(i) = found else {
        return ctx.out.array(0);
    };
    if count == 0 {
        return ctx.out.null_array();
    }
    let s = stream_at(ctx.store.db(ctx.client.db), i);
    let limit = if count < 0 {
        usize::MAX
    } else {
        count as usize
    };
    let entries: Vec<EntryRef<'_>> = s.range(start, end, rev).take(limit).collect();
    ctx.out.array(entries.len());
    for e in &entries {
        reply_entry(ctx.out, e);
    }
}

fn xdel(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let db = ctx.store.db(ctx.client.db);
    let Ok(found) = lookup(db, &args[1], ctx.out) else {
        return;
    };
    let Some(i) = found else {
        return ctx.out.integer(0);
    };
    let mut ids = Vec::with_capacity(args.len() - 2);
    for a in &args[2..] {
        match parse_strict_id(a) {
            Some(id) => ids.push(id),
            None => return ctx.out.error(INVALID_ID),
        }
    }
    let mut deleted = 0u64;
    {
        let exists = ids.iter().any(|&id| stream_at(db, i).get(id).is_some());
        if exists {
            let s = stream_mut(db, i);
            let mut first_gone = false;
            for &id in &ids {
                if s.delete(id) {
                    first_gone |= id == s.first_id;
                    if id > s.max_deleted_id {
                        s.max_deleted_id = id;
                    }
                    deleted += 1;
                }
            }
            if s.length == 0 {
                s.first_id = StreamId::MIN;
            } else if first_gone {
                s.first_id = s.edge_id(true);
            }
        }
    }
    if deleted > 0 {
        ctx.store.dirty += deleted;
        notify(ctx, STREAM, "xdel", &args[1]);
    }
    ctx.out.integer(deleted as i64);
}

fn xtrim(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let lim = limits(ctx);
    let opts = match parse_add_trim(args, false, lim.node_max_entries) {
        Ok(o) => o,
        Err(e) => return ctx.out.error(e),
    };
    let db = ctx.store.db(ctx.client.db);
    let Ok(found) = lookup(db, &args[1], ctx.out) else {
        return;
    };
    let (Some(i), Some(t)) = (found, opts.trim) else {
        return ctx.out.integer(0);
    };
    let removed = stream_mut_quiet(db, i).trim(&t);
    if removed > 0 {
        db.touch_at(i);
        ctx.store.dirty += removed;
        notify(ctx, STREAM, "xtrim", &args[1]);
    }
    ctx.out.integer(removed as i64);
}

fn xsetid(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let Some(id) = parse_strict_id(&args[2]) else {
        return ctx.out.error(INVALID_ID);
    };
    let mut entries_added: i64 = -1;
    let mut max_deleted = StreamId::MIN;
    let mut j = 3;
    while j < args.len() {
        let more = j + 1 < args.len();
        if args[j].eq_ignore_ascii_case(b"entriesadded") && more {
            match int_arg(&args[j + 1]) {
                Ok(n) if n < 0 => return ctx.out.error("ERR entries_added must be positive"),
                Ok(n) => entries_added = n,
                Err(e) => return ctx.out.error(e),
            }
        } else if args[j].eq_ignore_ascii_case(b"maxdeletedid") && more {
            let Some(m) = parse_strict_id(&args[j + 1]) else {
                return ctx.out.error(INVALID_ID);
            };
            if id < m {
                return ctx.out.error(
                    "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
                );
            }
            max_deleted = m;
        } else {
            return ctx.out.error(errors::SYNTAX);
        }
        j += 2;
    }
    let db = ctx.store.db(ctx.client.db);
    let Ok(found) = lookup(db, &args[1], ctx.out) else {
        return;
    };
    let Some(i) = found else {
        return ctx.out.error(errors::NO_SUCH_KEY);
    };
    let s = stream_at(db, i);
    if s.length > 0 {
        if s.last_valid_id().is_some_and(|top| id < top) {
            return ctx.out.error(
                "ERR The ID specified in XSETID is smaller than the target stream top item",
            );
        }
        if entries_added != -1 && s.length > entries_added as u64 {
            return ctx.out.error(
                "ERR The entries_added specified in XSETID is smaller than the target stream length",
            );
        }
    }
    let s = stream_mut(db, i);
    s.last_id = id;
    if entries_added != -1 {
        s.entries_added = entries_added as u64;
    }
    if !max_deleted.is_zero() {
        s.max_deleted_id = max_deleted;
    }
    ctx.out.ok();
    ctx.store.dirty += 1;
    notify(ctx, STREAM, "xsetid", &args[1]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_as_redis_reads_them() {
        let p = |s: &str| parse_id_arg(s.as_bytes(), 7, false, true);
        assert_eq!(p("5"), Some((StreamId::new(5, 7), true)));
        assert_eq!(p("5-3"), Some((StreamId::new(5, 3), true)));
        assert_eq!(p("5-*"), Some((StreamId::new(5, 0), false)));
        assert_eq!(p("-"), Some((StreamId::MIN, true)));
        assert_eq!(p("+"), Some((StreamId::MAX, true)));
        assert_eq!(p(" 5"), Some((StreamId::new(5, 7), true)));
        assert_eq!(p("+5-05"), Some((StreamId::new(5, 5), true)));
        assert_eq!(p("-0"), None);
        assert_eq!(p("1--1"), None);
        assert_eq!(p("1-"), None);
        assert_eq!(
            p("18446744073709551615-18446744073709551615"),
            Some((StreamId::MAX, true))
        );
        assert_eq!(p("18446744073709551616"), None);
        assert_eq!(p("1-2-3"), None);
        assert_eq!(p("abc"), None);
        assert_eq!(parse_strict_id(b"-"), None);
        assert_eq!(parse_strict_id(b"1\x00junk"), Some(StreamId::new(1, 0)));
        assert_eq!(strtoull(b"-1"), Some(u64::MAX));
    }
}
