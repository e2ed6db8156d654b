//! XREAD and XREADGROUP, and serving them after they blocked.
//!
//! - XREAD returns, for each stream that has entries after the given ID,
//!   `[key, [entry, ...]]` (RESP3: a map from key to entries); `$` stands for
//!   the stream's last ID at the time of the call.
//! - XREADGROUP with `>` delivers entries after the group's last delivered
//!   ID, moving it forward and (unless NOACK) adding each entry to the
//!   consumer's pending list; with any other ID it replays the consumer's own
//!   pending entries after that ID (`[id, nil]` for an entry deleted since).
//!   The consumer is created on first use (event `xgroup-createconsumer`).
//! - With BLOCK and nothing to return, the client waits (`server::blocking`)
//!   with its `$` resolved, and is served by [`serve_blocked`] when an XADD
//!   (or XGROUP DESTROY, RENAME, ...) signals one of its keys: only that key
//!   is answered, from the ID it waited for (for a group: from the group's
//!   last ID at that moment), up to COUNT or 1000 entries. A group waiter
//!   whose key was deleted or replaced is answered with an error
//!   ([`group_key_gone`]), one whose group was destroyed with NOGROUP.
//!   Inside MULTI/EXEC and scripts nothing blocks (nil at once), and scripts
//!   may not use BLOCK at all.
use super::blocking;
use super::lookup::count_read;
use super::notify::{notify, STREAM};
use super::stream::{
    lookup, parse_strict_id, reply_entry, reply_id, stream_at, stream_mut_quiet, INVALID_ID,
};
use super::{errors, stream_propagate, Ctx};
use crate::resp::Reply;
use crate::store::stream::{Stream, StreamId};
use crate::store::{now_ms, Value};
use std::time::{Duration, Instant};

/// Entries a blocked XREAD without COUNT is served at most.
const BLOCKED_DEFAULT_COUNT: i64 = 1000;

/// A parsed XREAD / XREADGROUP request.
struct Request<'a> {
    count: i64,
    /// None: no BLOCK; Some(None): wait forever; Some(Some(t)): until t.
    block: Option<Option<Instant>>,
    noack: bool,
    group: Option<(&'a [u8], &'a [u8])>,
    keys: &'a [Vec<u8>],
    id_args: &'a [Vec<u8>],
}

/// The lower-case name of an option word, if it is one of XREAD's (without
/// allocating: this is the path of every XREADGROUP).
fn option_name(arg: &[u8]) -> &'static [u8] {
    for name in [&b"block"[..], b"count", b"streams", b"group", b"noack"] {
        if arg.eq_ignore_ascii_case(name) {
            return name;
        }
    }
    b""
}

/// The client is a script's (Redis refuses BLOCK there).
fn in_script(ctx: &Ctx<'_>) -> bool {
    ctx.client.id == u64::MAX
}

fn parse<'a>(ctx: &Ctx<'_>, args: &'a [Vec<u8>], group_cmd: bool) -> Result<Request<'a>, String> {
    let mut req = Request {
        count: 0,
        block: None,
        noack: false,
        group: None,
        keys: &[],
        id_args: &[],
    };
    let mut streams_at = 0;
    let mut i = 1;
    while i < args.len() {
        let more = args.len() - i - 1;
        let opt = option_name(&args[i]);
        match opt {
            b"block" if more > 0 => {
                if in_script(ctx) {
                    return Err(format!(
                        "ERR {} command is not allowed with BLOCK option from scripts",
                        String::from_utf8_lossy(&args[0])
                    ));
                }
                i += 1;
                let ms = crate::num::string2ll(&args[i])
                    .ok_or("ERR timeout is not an integer or out of range")?;
                if ms < 0 {
                    return Err("ERR timeout is negative".into());
                }
                req.block = Some(if ms == 0 {
                    None
                } else {
                    Instant::now().checked_add(Duration::from_millis(ms as u64))
                });
            }
            b"count" if more > 0 => {
                i += 1;
                req.count = super::stream::int_arg(&args[i])?.max(0);
            }
            b"streams" if more > 0 => {
                streams_at = i + 1;
                let n = args.len() - streams_at;
                if !n.is_multiple_of(2) {
                    return Err("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.".into());
                }
                req.keys = &args[streams_at..streams_at + n / 2];
                req.id_args = &args[streams_at + n / 2..];
                break;
            }
            b"group" if more >= 2 => {
                if !group_cmd {
                    return Err("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.".into());
                }
                req.group = Some((&args[i + 1], &args[i + 2]));
                i += 2;
            }
            b"noack" => {
                if !group_cmd {
                    return Err("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.".into());
                }
                req.noack = true;
            }
            _ => return Err(errors::SYNTAX.into()),
        }
        i += 1;
    }
    if streams_at == 0 {
        return Err(errors::SYNTAX.into());
    }
    if group_cmd && req.group.is_none() {
        return Err("ERR Missing GROUP option for XREADGROUP".into());
    }
    Ok(req)
}

pub(crate) fn xread(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    read(ctx, args, false);
}

pub(crate) fn xreadgroup(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    read(ctx, args, true);
}

fn read(ctx: &mut Ctx<'_>, args: &[Vec<u8>], group_cmd: bool) {
    let req = match parse(ctx, args, group_cmd) {
        Ok(r) => r,
        Err(e) => return ctx.out.error(&e),
    };
    // Resolve the IDs (and check keys and groups), in argument order.
    let mut ids = Vec::with_capacity(req.keys.len());
    for (key, arg) in req.keys.iter().zip(req.id_args) {
        let db = ctx.store.db(ctx.client.db);
        let Ok(found) = lookup(db, key, ctx.out) else {
            return;
        };
        count_read(ctx.shared, found.is_some());
        if let Some((g, _)) = req.group {
            let exists = found.is_some_and(|i| stream_at(db, i).groups.contains_key(g));
            if !exists {
                let mut msg = b"NOGROUP No such key '".to_vec();
                msg.extend_from_slice(key);
                msg.extend_from_slice(b"' or consumer group '");
                msg.extend_from_slice(g);
                msg.extend_from_slice(b"' in XREADGROUP with GROUP option");
                return super::error_bytes(ctx.out, &msg);
            }
        }
        let id = match arg.as_slice() {
            b"$" if group_cmd => return ctx.out.error(
                "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.",
            ),
            b"$" => found.map_or(StreamId::MIN, |i| stream_at(db, i).last_id),
            b">" if !group_cmd => return ctx.out.error(
                "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.",
            ),
            b">" => StreamId::MAX,
            _ => match parse_strict_id(arg) {
                Some(id) => id,
                None => return ctx.out.error(INVALID_ID),
            },
        };
        ids.push(id);
    }
    // Serve at once what can be served.
    let mut props = Vec::new();
    let mut body = Reply::new();
    body.proto = ctx.out.proto;
    let mut served = 0;
    for (key, &gt) in req.keys.iter().zip(&ids) {
        let db = ctx.store.db(ctx.client.db);
        let found = db.lookup(key);
        count_read(ctx.shared, found.is_some());
        let Some(i) = found else { continue };
        let s = stream_at(db, i);
        let (start, history) = match req.group {
            Some(_) if gt != StreamId::MAX => (gt, true),
            Some((g, _)) => {
                let last = s.groups.get(g).map_or(StreamId::MAX, |grp| grp.last_id);
                if s.length == 0 || s.last_valid_id().is_none_or(|top| top <= last) {
                    continue;
                }
                (last, false)
            }
            None => {
                if s.length == 0 || s.last_valid_id().is_none_or(|top| top <= gt) {
                    continue;
                }
                (gt, false)
            }
        };
        served += 1;
        if body.proto < 3 {
            body.array(2);
        }
        body.bulk(key);
        let start = start.incr().unwrap_or(StreamId::MIN);
        match req.group {
            None => {
                let entries: Vec<_> =
                    limited(s.range(start, StreamId::MAX, false), req.count).collect();
                body.array(entries.len());
                for e in &entries {
                    reply_entry(&mut body, e);
                }
            }
            Some((g, c)) => {
                if ensure_consumer(ctx, i, key, g, c) && req.noack {
                    props.push(stream_propagate::consumer_creation(key, g, c));
                }
                let db = ctx.store.db(ctx.client.db);
                let s = stream_mut_quiet(db, i);
                if history {
                    reply_history(&mut body, s, g, c, start, req.count);
                } else {
                    let to = Delivery {
                        key,
                        group: g,
                        consumer: c,
                        noack: req.noack,
                    };
                    props.extend(deliver(&mut body, s, &to, start, req.count));
                }
                ctx.store.dirty += 1;
            }
        }
    }
    if req.group.is_some() {
        stream_propagate::emit(ctx, props);
    }
    if served > 0 {
        if ctx.out.proto >= 3 {
            ctx.out.map(served);
        } else {
            ctx.out.array(served);
        }
        ctx.out.buf.extend_from_slice(&body.buf);
        return;
    }
    let Some(deadline) = req.block else {
        return ctx.out.null_array();
    };
    // Wait: remember the request with `$` resolved and the count to serve.
    let count = if req.count > 0 {
        req.count
    } else {
        BLOCKED_DEFAULT_COUNT
    };
    let mut waiter: Vec<Vec<u8>> = vec![args[0].clone()];
    if let Some((g, c)) = req.group {
        waiter.extend([b"GROUP".to_vec(), g.to_vec(), c.to_vec()]);
        if req.noack {
            waiter.push(b"NOACK".to_vec());
        }
    }
    waiter.extend([
        b"COUNT".to_vec(),
        count.to_string().into_bytes(),
        b"STREAMS".to_vec(),
    ]);
    waiter.extend(req.keys.iter().cloned());
    waiter.extend(ids.iter().map(|id| match id {
        &StreamId::MAX if req.group.is_some() => b">".to_vec(),
        id => id.text().into_bytes(),
    }));
    let mut keys: Vec<Vec<u8>> = Vec::with_capacity(req.keys.len());
    for k in req.keys {
        if !keys.contains(k) {
            keys.push(k.clone());
        }
    }
    blocking::block_or_reply(ctx, &keys, &waiter, deadline, Reply::null_array);
}

/// At most `count` items (0: all).
fn limited<I: Iterator>(it: I, count: i64) -> std::iter::Take<I> {
    it.take(if count > 0 {
        count as usize
    } else {
        usize::MAX
    })
}

/// Looks the consumer up (refreshing its seen time), creating it if needed
/// with Redis's event; returns whether it was created.
fn ensure_consumer(ctx: &mut Ctx<'_>, i: usize, key: &[u8], group: &[u8], consumer: &[u8]) -> bool {
    let now = now_ms();
    let db = ctx.store.db(ctx.client.db);
    let s = stream_mut_quiet(db, i);
    let Some(g) = s.groups.get_mut(group) else {
        return false;
    };
    if g.consumer(consumer, Some(now)).is_some() {
        return false;
    }
    g.create_consumer(consumer, now);
    db.touch_at(i);
    ctx.store.dirty += 1;
    notify(ctx, STREAM, "xgroup-createconsumer", key);
    true
}

/// Who new entries are delivered to.
struct Delivery<'a> {
    key: &'a [u8],
    group: &'a [u8],
    consumer: &'a [u8],
    noack: bool,
}

/// Replies the entries after the group's position (from `start`, up to
/// `count`), moving the group on and recording the deliveries; returns what
/// 7.0 propagates for them (see `stream_propagate`): an XCLAIM per new
/// NACK, or with NOACK an XGROUP SETID when the group moved.
fn deliver(
    out: &mut Reply,
    s: &mut Stream,
    to: &Delivery<'_>,
    start: StreamId,
    count: i64,
) -> Vec<Vec<Vec<u8>>> {
    let ids: Vec<StreamId> = {
        let entries: Vec<_> = limited(s.range(start, StreamId::MAX, false), count).collect();
        out.array(entries.len());
        for e in &entries {
            reply_entry(out, e);
        }
        entries.iter().map(|e| e.id).collect()
    };
    let now = now_ms();
    let mut props = Vec::new();
    let before = s.groups.get(to.group).map(|g| g.last_id);
    for id in ids {
        s.advance_group(to.group, id);
        if to.noack {
            continue;
        }
        if let Some(g) = s.groups.get_mut(to.group) {
            g.deliver(id, to.consumer, now);
            props.extend(stream_propagate::xclaim_of(to.key, to.group, id, g));
        }
    }
    if let Some(g) = s.groups.get(to.group) {
        if to.noack && before.is_some_and(|b| g.last_id > b) {
            props.push(stream_propagate::group_id(to.key, to.group, g));
        }
    }
    props
}

/// Replies the consumer's pending entries from `start` (up to `count`),
/// counting a new delivery of each one still in the stream.
fn reply_history(
    out: &mut Reply,
    s: &mut Stream,
    group: &[u8],
    consumer: &[u8],
    start: StreamId,
    count: i64,
) {
    let pending: Vec<StreamId> = s
        .groups
        .get(group)
        .and_then(|g| g.consumers.get(consumer))
        .map(|c| limited(c.pel.range(start..).copied(), count).collect())
        .unwrap_or_default();
    out.array(pending.len());
    let mut redelivered = Vec::new();
    for id in pending {
        match s.get(id) {
            Some(e) => {
                reply_entry(out, &e);
                redelivered.push(id);
            }
            None => {
                out.array(2);
                reply_id(out, id);
                out.null_array();
            }
        }
    }
    let now = now_ms();
    if let Some(g) = s.groups.get_mut(group) {
        for id in redelivered {
            if let Some(n) = g.pel.get_mut(&id) {
                n.delivery_time = now;
                n.delivery_count += 1;
            }
        }
    }
}

/// A blocked XREAD/XREADGROUP (`args` as [`read`] stored them, run with the
/// waiter's client) whose `key` was signalled: replies and returns true if
/// there is something for it (or its group is gone), false to keep waiting.
pub fn serve_blocked(ctx: &mut Ctx<'_>, args: &[Vec<u8>], key: &[u8]) -> bool {
    let group_cmd = args
        .first()
        .is_some_and(|a| a.eq_ignore_ascii_case(b"xreadgroup"));
    let Ok(req) = parse(ctx, args, group_cmd) else {
        return false;
    };
    let Some(pos) = req.keys.iter().position(|k| k.as_slice() == key) else {
        return false;
    };
    let db = ctx.store.db(ctx.client.db);
    let Some(i) = db.lookup_no_touch(key) else {
        return false;
    };
    let Value::Stream(s) = &db.entry(i).value else {
        return false;
    };
    let gt = match req.group {
        Some((g, _)) => match s.groups.get(g) {
            Some(grp) => grp.last_id,
            None => {
                ctx.out.error(
                    "NOGROUP the consumer group this client was blocked on no longer exists",
                );
                return true;
            }
        },
        None => req
            .id_args
            .get(pos)
            .and_then(|a| parse_strict_id(a))
            .unwrap_or(StreamId::MAX),
    };
    if s.last_id <= gt {
        return false;
    }
    let start = gt.incr().unwrap_or(StreamId::MIN);
    if ctx.out.proto >= 3 {
        ctx.out.map(1);
    } else {
        ctx.out.array(1);
        ctx.out.array(2);
    }
    ctx.out.bulk(key);
    match req.group {
        None => {
            let entries: Vec<_> =
                limited(s.range(start, StreamId::MAX, false), req.count).collect();
            ctx.out.array(entries.len());
            for e in &entries {
                reply_entry(ctx.out, e);
            }
        }
        Some((g, c)) => {
            let mut props = Vec::new();
            if ensure_consumer(ctx, i, key, g, c) && req.noack {
                props.push(stream_propagate::consumer_creation(key, g, c));
            }
            let db = ctx.store.db(ctx.client.db);
            let s = stream_mut_quiet(db, i);
            let to = Delivery {
                key,
                group: g,
                consumer: c,
                noack: req.noack,
            };
            props.extend(deliver(ctx.out, s, &to, start, req.count));
            stream_propagate::emit(ctx, props);
        }
    }
    true
}

/// For a blocked XREADGROUP (`args` as stored): the error to end its wait
/// with when one of its keys no longer holds a stream.
pub fn group_key_gone(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) -> Option<&'static str> {
    let Ok(req) = parse(ctx, args, true) else {
        return None;
    };
    let db = ctx.store.db(ctx.client.db);
    let gone = req.keys.iter().any(|k| match db.lookup_no_touch(k) {
        Some(i) => !matches!(db.entry(i).value, Value::Stream(_)),
        None => true,
    });
    gone.then_some("UNBLOCKED the stream key no longer exists")
}
