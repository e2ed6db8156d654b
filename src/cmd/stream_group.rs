//! Consumer-group commands: XGROUP (CREATE, SETID, DESTROY, CREATECONSUMER,
//! DELCONSUMER, HELP), XACK, XPENDING, XCLAIM, XAUTOCLAIM.
//!
//! Invariants, as in redis-server 7.0: arguments are checked in Redis's
//! order with its texts; the changes a group goes through (deliveries,
//! acknowledgements, claims) do not count as changes of the key for WATCH,
//! except creating the stream with MKSTREAM; claiming an entry that was
//! deleted from the stream drops it from the pending lists instead (XCLAIM
//! silently, XAUTOCLAIM listing it); times are wall-clock milliseconds.
use super::notify::{notify, STREAM};
use super::stream::{
    int_arg, lookup, lookup_read, parse_id_arg, parse_range, parse_strict_id, reply_entry,
    reply_id, stream_at, stream_mut_quiet, INVALID_ID,
};
use super::{errors, stream_propagate, Ctx};
use crate::resp::Reply;
use crate::store::stream::group::{Group, ENTRIES_READ_UNKNOWN};
use crate::store::stream::{Stream, StreamId};
use crate::store::{now_ms, Value};
use std::sync::Arc;

const XGROUP_HELP: &[&str] = &[
    "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CREATE <key> <groupname> <id|$> [option]",
    "    Create a new consumer group. Options are:",
    "    * MKSTREAM",
    "      Create the empty stream if it does not exist.",
    "    * ENTRIESREAD entries_read",
    "      Set the group's entries_read counter (internal use).",
    "CREATECONSUMER <key> <groupname> <consumer>",
    "    Create a new consumer in the specified group.",
    "DELCONSUMER <key> <groupname> <consumer>",
    "    Remove the specified consumer.",
    "DESTROY <key> <groupname>",
    "    Remove the specified group.",
    "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
    "    Set the current group ID and entries_read counter.",
    "HELP",
    "    Prints this help.",
];

/// `ERR unknown subcommand or wrong number of arguments for '<sub>'. Try <CMD> HELP.`
pub(crate) fn subcommand_syntax_error(out: &mut Reply, args: &[Vec<u8>]) {
    let mut msg = b"ERR unknown subcommand or wrong number of arguments for '".to_vec();
    msg.extend_from_slice(super::c_str(&args[1], 128));
    msg.extend_from_slice(b"'. Try ");
    msg.extend_from_slice(&args[0].to_ascii_uppercase());
    msg.extend_from_slice(b" HELP.");
    super::error_bytes(out, &msg);
}

/// Checks a container's subcommand against its arity; false after replying.
pub(crate) fn subcommand_arity(
    out: &mut Reply,
    args: &[Vec<u8>],
    table: &[(&str, i32)],
    cmd: &str,
) -> Option<String> {
    let sub = String::from_utf8_lossy(&args[1]).to_ascii_lowercase();
    let Some(&(name, arity)) = table.iter().find(|(n, _)| *n == sub) else {
        super::unknown_subcommand(out, &args[1], cmd);
        return None;
    };
    let n = args.len() as i32;
    if (arity > 0 && n != arity) || (arity < 0 && n < -arity) {
        super::wrong_arity(out, &format!("{cmd}|{name}"));
        return None;
    }
    Some(name.to_string())
}

/// `NOGROUP No such key '<key>' or consumer group '<group>'<tail>`.
pub(crate) fn no_group(out: &mut Reply, key: &[u8], group: &[u8], tail: &[u8]) {
    let mut msg = b"NOGROUP No such key '".to_vec();
    msg.extend_from_slice(key);
    msg.extend_from_slice(b"' or consumer group '");
    msg.extend_from_slice(group);
    msg.push(b'\'');
    msg.extend_from_slice(tail);
    super::error_bytes(out, &msg);
}

pub(crate) fn xgroup(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    const SUBS: &[(&str, i32)] = &[
        ("create", -5),
        ("setid", -5),
        ("destroy", 4),
        ("createconsumer", 5),
        ("delconsumer", 5),
        ("help", 2),
    ];
    let Some(sub) = subcommand_arity(ctx.out, args, SUBS, "xgroup") else {
        return;
    };
    if sub == "help" {
        ctx.out.array(XGROUP_HELP.len());
        for l in XGROUP_HELP {
            ctx.out.simple(l);
        }
        return;
    }
    let (create, setid) = (sub == "create", sub == "setid");
    let mut mkstream = false;
    let mut entries_read = ENTRIES_READ_UNKNOWN;
    let mut i = 5;
    while i < args.len() {
        if create && args[i].eq_ignore_ascii_case(b"mkstream") {
            mkstream = true;
            i += 1;
        } else if (create || setid)
            && args[i].eq_ignore_ascii_case(b"entriesread")
            && i + 1 < args.len()
        {
            entries_read = match int_arg(&args[i + 1]) {
                Ok(n) => n,
                Err(e) => return ctx.out.error(e),
            };
            if entries_read < 0 && entries_read != ENTRIES_READ_UNKNOWN {
                return ctx
                    .out
                    .error("ERR value for ENTRIESREAD must be positive or -1");
            }
            i += 2;
        } else {
            return subcommand_syntax_error(ctx.out, args);
        }
    }
    let (key, group) = (&args[2], &args[3]);
    let db = ctx.store.db(ctx.client.db);
    let Ok(found) = lookup(db, key, ctx.out) else {
        return;
    };
    if !mkstream {
        let Some(i) = found else {
            return ctx.out.error("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.");
        };
        let needs_group = matches!(sub.as_str(), "setid" | "createconsumer" | "delconsumer");
        if needs_group && !stream_at(db, i).groups.contains_key(group.as_slice()) {
            let mut msg = b"NOGROUP No such consumer group '".to_vec();
            msg.extend_from_slice(group);
            msg.extend_from_slice(b"' for key name '");
            msg.extend_from_slice(key);
            msg.push(b'\'');
            return super::error_bytes(ctx.out, &msg);
        }
    }
    match sub.as_str() {
        "create" if args.len() <= 8 => {
            let id = if args[4] == b"$" {
                found.map_or(StreamId::MIN, |i| stream_at(db, i).last_id)
            } else {
                match parse_strict_id(&args[4]) {
                    Some(id) => id,
                    None => return ctx.out.error(INVALID_ID),
                }
            };
            let i = match found {
                Some(i) => i,
                None => {
                    let i = db.insert_new(key, Value::Stream(Arc::new(Stream::new())));
                    ctx.blocked.signal(ctx.client.db, key);
                    i
                }
            };
            let db = ctx.store.db(ctx.client.db);
            if stream_at(db, i).groups.contains_key(group.as_slice()) {
                return ctx
                    .out
                    .error("BUSYGROUP Consumer Group name already exists");
            }
            stream_mut_quiet(db, i)
                .groups
                .insert(group.clone(), Group::new(id, entries_read));
            ctx.out.ok();
            ctx.store.dirty += 1;
            notify(ctx, STREAM, "xgroup-create", key);
        }
        "setid" if args.len() == 5 || args.len() == 7 => {
            let Some(i) = found else { return };
            let s = stream_at(db, i);
            let id = if args[4] == b"$" {
                s.last_id
            } else {
                match parse_id_arg(&args[4], 0, false, false) {
                    Some((id, _)) => id,
                    None => return ctx.out.error(INVALID_ID),
                }
            };
            if let Some(g) = stream_mut_quiet(db, i).groups.get_mut(group.as_slice()) {
                g.last_id = id;
                g.entries_read = entries_read;
            }
            ctx.out.ok();
            ctx.store.dirty += 1;
            notify(ctx, STREAM, "xgroup-setid", key);
        }
        "destroy" => {
            let Some(i) = found else { return };
            if !stream_at(db, i).groups.contains_key(group.as_slice()) {
                return ctx.out.integer(0);
            }
            stream_mut_quiet(db, i).groups.remove(group.as_slice());
            ctx.out.integer(1);
            ctx.store.dirty += 1;
            notify(ctx, STREAM, "xgroup-destroy", key);
            ctx.blocked.signal(ctx.client.db, key);
        }
        "createconsumer" => {
            let Some(i) = found else { return };
            let exists = stream_at(db, i)
                .groups
                .get(group.as_slice())
                .is_some_and(|g| g.consumers.contains_key(args[4].as_slice()));
            if exists {
                return ctx.out.integer(0);
            }
            if let Some(g) = stream_mut_quiet(db, i).groups.get_mut(group.as_slice()) {
                g.create_consumer(&args[4], now_ms());
            }
            ctx.out.integer(1);
            ctx.store.dirty += 1;
            notify(ctx, STREAM, "xgroup-createconsumer", key);
        }
        "delconsumer" => {
            let Some(i) = found else { return };
            let exists = stream_at(db, i)
                .groups
                .get(group.as_slice())
                .is_some_and(|g| g.consumers.contains_key(args[4].as_slice()));
            if !exists {
                return ctx.out.integer(0);
            }
            let pending = stream_mut_quiet(db, i)
                .groups
                .get_mut(group.as_slice())
                .and_then(|g| g.delete_consumer(&args[4]))
                .unwrap_or(0);
            ctx.out.integer(pending as i64);
            ctx.store.dirty += 1;
            notify(ctx, STREAM, "xgroup-delconsumer", key);
        }
        _ => subcommand_syntax_error(ctx.out, args),
    }
}

pub(crate) fn xack(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let Ok(found) = lookup_read(ctx, &args[1]) else {
        return;
    };
    let db = ctx.store.db(ctx.client.db);
    let Some(i) = found.filter(|&i| stream_at(db, i).groups.contains_key(args[2].as_slice()))
    else {
        return ctx.out.integer(0);
    };
    let mut ids = Vec::with_capacity(args.len() - 3);
    for a in &args[3..] {
        match parse_strict_id(a) {
            Some(id) => ids.push(id),
            None => return ctx.out.error(INVALID_ID),
        }
    }
    let pending = stream_at(db, i)
        .groups
        .get(args[2].as_slice())
        .is_some_and(|g| ids.iter().any(|id| g.pel.contains_key(id)));
    let mut acked = 0u64;
    if pending {
        if let Some(g) = stream_mut_quiet(db, i).groups.get_mut(args[2].as_slice()) {
            acked = ids.iter().filter(|&&id| g.ack(id)).count() as u64;
        }
    }
    ctx.store.dirty += acked;
    ctx.out.integer(acked as i64);
}

/// XPENDING key group [[IDLE min-idle] start end count [consumer]]
pub(crate) fn xpending(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let n = args.len();
    if n != 3 && !(6..=9).contains(&n) {
        return ctx.out.error(errors::SYNTAX);
    }
    let mut range = None;
    let mut min_idle = 0i64;
    let mut consumer: Option<&[u8]> = None;
    if n >= 6 {
        let mut at = 3;
        if args[3].eq_ignore_ascii_case(b"idle") {
            min_idle = match int_arg(&args[4]) {
                Ok(v) => v,
                Err(e) => return ctx.out.error(e),
            };
            if n < 8 {
                return ctx.out.error(errors::SYNTAX);
            }
            at += 2;
        }
        let count = match int_arg(&args[at + 2]) {
            Ok(v) => v.max(0),
            Err(e) => return ctx.out.error(e),
        };
        let (start, end) = match parse_range(&args[at], &args[at + 1]) {
            Ok(r) => r,
            Err(e) => return ctx.out.error(e),
        };
        consumer = args.get(at + 3).map(Vec::as_slice);
        range = Some((start, end, count));
    }
    let Ok(found) = lookup_read(ctx, &args[1]) else {
        return;
    };
    let db = ctx.store.db(ctx.client.db);
    let group = found.and_then(|i| stream_at(db, i).groups.get(args[2].as_slice()));
    let Some(g) = group else {
        return no_group(ctx.out, &args[1], &args[2], b"");
    };
    let Some((start, end, count)) = range else {
        ctx.out.array(4);
        ctx.out.integer(g.pel.len() as i64);
        let (Some((&first, _)), Some((&last, _))) =
            (g.pel.first_key_value(), g.pel.last_key_value())
        else {
            ctx.out.null();
            ctx.out.null();
            return ctx.out.null_array();
        };
        reply_id(ctx.out, first);
        reply_id(ctx.out, last);
        let busy: Vec<_> = g
            .consumers
            .iter()
            .filter(|(_, c)| !c.pel.is_empty())
            .collect();
        ctx.out.array(busy.len());
        for (name, c) in busy {
            ctx.out.array(2);
            ctx.out.bulk(name);
            ctx.out.bulk(c.pel.len().to_string().as_bytes());
        }
        return;
    };
    let ids: Vec<StreamId> = match consumer {
        Some(name) => match g.consumers.get(name) {
            Some(c) if start <= end => c.pel.range(start..=end).copied().collect(),
            Some(_) => Vec::new(),
            None => return ctx.out.array(0),
        },
        None if start <= end => g.pel.range(start..=end).map(|(id, _)| *id).collect(),
        None => Vec::new(),
    };
    let now = now_ms() as i64;
    let mut rows = Vec::new();
    for id in ids {
        if rows.len() as i64 >= count {
            break;
        }
        let Some(nack) = g.pel.get(&id) else { continue };
        let idle = now - nack.delivery_time as i64;
        if min_idle != 0 && idle < min_idle {
            continue;
        }
        rows.push((id, nack, idle.max(0)));
    }
    ctx.out.array(rows.len());
    for (id, nack, idle) in rows {
        ctx.out.array(4);
        reply_id(ctx.out, id);
        ctx.out.bulk(&nack.consumer);
        ctx.out.integer(idle);
        ctx.out.integer(nack.delivery_count as i64);
    }
}

/// Gives the NACK of `id` to `consumer`, creating the consumer (with its
/// event) if needed, and records the delivery; returns whether the consumer
/// was created.
fn claim(
    g: &mut Group,
    id: StreamId,
    consumer: &[u8],
    now: u64,
    time: u64,
    count: Option<u64>,
) -> bool {
    let created = match g.consumer(consumer, Some(now)) {
        Some(_) => false,
        None => g.create_consumer(consumer, now),
    };
    g.move_nack(id, consumer);
    if let Some(n) = g.pel.get_mut(&id) {
        n.delivery_time = time;
        if let Some(c) = count {
            n.delivery_count = c;
        }
    }
    created
}

/// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME ms]
/// [RETRYCOUNT n] [FORCE] [JUSTID] [LASTID id]
pub(crate) fn xclaim(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let Ok(found) = lookup_read(ctx, &args[1]) else {
        return;
    };
    let db = ctx.store.db(ctx.client.db);
    let Some(i) = found.filter(|&i| stream_at(db, i).groups.contains_key(args[2].as_slice()))
    else {
        return no_group(ctx.out, &args[1], &args[2], b"");
    };
    let Some(min_idle) = crate::num::string2ll(&args[4]) else {
        return ctx
            .out
            .error("ERR Invalid min-idle-time argument for XCLAIM");
    };
    let min_idle = min_idle.max(0);
    let mut ids = Vec::new();
    let mut j = 5;
    while let Some(id) = args.get(j).and_then(|a| parse_strict_id(a)) {
        ids.push(id);
        j += 1;
    }
    let now = now_ms() as i64;
    let (mut force, mut justid) = (false, false);
    let mut delivery: i64 = -1;
    let mut retry: i64 = -1;
    let mut last_id = StreamId::MIN;
    while j < args.len() {
        let more = j + 1 < args.len();
        let opt = args[j].to_ascii_lowercase();
        let num = |what: &str| -> Result<i64, String> {
            crate::num::string2ll(&args[j + 1])
                .ok_or_else(|| format!("ERR Invalid {what} option argument for XCLAIM"))
        };
        let parsed = match opt.as_slice() {
            b"force" => {
                force = true;
                Ok(())
            }
            b"justid" => {
                justid = true;
                Ok(())
            }
            b"idle" if more => num("IDLE").map(|v| delivery = now.wrapping_sub(v)),
            b"time" if more => num("TIME").map(|v| delivery = v),
            b"retrycount" if more => num("RETRYCOUNT").map(|v| retry = v),
            b"lastid" if more => match parse_strict_id(&args[j + 1]) {
                Some(id) => {
                    last_id = id;
                    Ok(())
                }
                None => Err(INVALID_ID.to_string()),
            },
            _ => {
                let mut msg = b"ERR Unrecognized XCLAIM option '".to_vec();
                msg.extend_from_slice(super::c_str(&args[j], usize::MAX));
                msg.push(b'\'');
                return super::error_bytes(ctx.out, &msg);
            }
        };
        if let Err(e) = parsed {
            return ctx.out.error(&e);
        }
        j += if matches!(opt.as_slice(), b"force" | b"justid") {
            1
        } else {
            2
        };
    }
    if delivery < 0 || delivery > now {
        delivery = now;
    }
    let s = stream_mut_quiet(db, i);
    let mut created = false;
    let mut claimed = Vec::new();
    let mut changes = 0u64;
    let (key, group) = (&args[1], &args[2]);
    let mut props = Vec::new();
    {
        let exists: Vec<bool> = ids.iter().map(|&id| s.get(id).is_some()).collect();
        let Some(g) = s.groups.get_mut(group.as_slice()) else {
            return;
        };
        // A LASTID that moves the group on is written as XGROUP SETID,
        // unless an XCLAIM (which carries it) is written.
        let mut moved = false;
        if last_id > g.last_id {
            g.last_id = last_id;
            changes += 1;
            moved = true;
        }
        // Each ID as it was sent: that is what 7.0 writes.
        for ((&id, exists), text) in ids.iter().zip(exists).zip(&args[5..]) {
            if !exists {
                if let Some(n) = g.pel.get(&id) {
                    props.push(stream_propagate::xclaim(key, group, text, n, g));
                    moved = false;
                }
                if g.ack(id) {
                    changes += 1;
                }
                continue;
            }
            if force && !g.pel.contains_key(&id) {
                // A pending entry from scratch (min-idle does not apply).
                if g.consumer(&args[3], Some(now as u64)).is_none() {
                    created |= g.create_consumer(&args[3], now as u64);
                }
                g.deliver(id, &args[3], now as u64);
            } else if let Some(n) = g.pel.get(&id) {
                if min_idle > 0 && now - (n.delivery_time as i64) < min_idle {
                    continue;
                }
            } else {
                continue;
            }
            let count = if retry >= 0 {
                Some(retry as u64)
            } else if justid {
                None
            } else {
                g.pel.get(&id).map(|n| n.delivery_count + 1)
            };
            created |= claim(g, id, &args[3], now as u64, delivery as u64, count);
            claimed.push(id);
            changes += 1;
            if let Some(n) = g.pel.get(&id) {
                props.push(stream_propagate::xclaim(key, group, text, n, g));
                moved = false;
            }
        }
        if moved {
            props.push(stream_propagate::group_id(key, group, g));
        }
    }
    stream_propagate::emit(ctx, props);
    ctx.out.array(claimed.len());
    let s = stream_at(ctx.store.db(ctx.client.db), i);
    for &id in &claimed {
        if justid {
            reply_id(ctx.out, id);
        } else if let Some(e) = s.get(id) {
            reply_entry(ctx.out, &e);
        }
    }
    ctx.store.dirty += changes;
    if created {
        ctx.store.dirty += 1;
        notify(ctx, STREAM, "xgroup-createconsumer", &args[1]);
    }
}

/// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
pub(crate) fn xautoclaim(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    const MAX_COUNT: i64 = i64::MAX / 16;
    let Some(min_idle) = crate::num::string2ll(&args[4]) else {
        return ctx
            .out
            .error("ERR Invalid min-idle-time argument for XAUTOCLAIM");
    };
    let min_idle = min_idle.max(0);
    let (mut start, start_ex) = match super::stream::parse_interval(&args[5], 0) {
        Some(s) => s,
        None => return ctx.out.error(INVALID_ID),
    };
    if start_ex {
        match start.incr() {
            Some(s) => start = s,
            None => return ctx.out.error("ERR invalid start ID for the interval"),
        }
    }
    let mut count: i64 = 100;
    let mut justid = false;
    let mut j = 6;
    while j < args.len() {
        if args[j].eq_ignore_ascii_case(b"count") && j + 1 < args.len() {
            match crate::num::string2ll(&args[j + 1]) {
                Some(n) if (1..=MAX_COUNT).contains(&n) => count = n,
                _ => return ctx.out.error("ERR COUNT must be > 0"),
            }
            j += 1;
        } else if args[j].eq_ignore_ascii_case(b"justid") {
            justid = true;
        } else {
            return ctx.out.error(errors::SYNTAX);
        }
        j += 1;
    }
    let Ok(found) = lookup_read(ctx, &args[1]) else {
        return;
    };
    let db = ctx.store.db(ctx.client.db);
    let Some(i) = found.filter(|&i| stream_at(db, i).groups.contains_key(args[2].as_slice()))
    else {
        return no_group(ctx.out, &args[1], &args[2], b"");
    };
    let now = now_ms();
    let s = stream_mut_quiet(db, i);
    let candidates: Vec<StreamId> = {
        let Some(g) = s.groups.get(args[2].as_slice()) else {
            return;
        };
        // Enough for `count * 10` attempts plus the cursor after them.
        let want =
            usize::try_from(count.saturating_mul(10).saturating_add(1)).unwrap_or(usize::MAX);
        g.pel.range(start..).take(want).map(|(id, _)| *id).collect()
    };
    let exists: Vec<bool> = candidates.iter().map(|&id| s.get(id).is_some()).collect();
    let Some(g) = s.groups.get_mut(args[2].as_slice()) else {
        return;
    };
    let mut attempts = count.saturating_mul(10);
    let mut claimed = Vec::new();
    let mut deleted = Vec::new();
    let mut created = false;
    let mut next = 0;
    let mut props = Vec::new();
    while attempts > 0 && count > 0 && next < candidates.len() {
        attempts -= 1;
        let id = candidates[next];
        next += 1;
        if !exists[next - 1] {
            props.extend(stream_propagate::xclaim_of(&args[1], &args[2], id, g));
            g.ack(id);
            deleted.push(id);
            count -= 1;
            continue;
        }
        if min_idle > 0 {
            let since = g
                .pel
                .get(&id)
                .map_or(0, |n| now as i64 - n.delivery_time as i64);
            if since < min_idle {
                continue;
            }
        }
        let count_next = if justid {
            None
        } else {
            g.pel.get(&id).map(|n| n.delivery_count + 1)
        };
        created |= claim(g, id, &args[3], now, now, count_next);
        claimed.push(id);
        count -= 1;
        props.extend(stream_propagate::xclaim_of(&args[1], &args[2], id, g));
    }
    stream_propagate::emit(ctx, props);
    let cursor = candidates.get(next).copied().unwrap_or(StreamId::MIN);
    let changes = (claimed.len() + deleted.len()) as u64;
    ctx.out.array(3);
    reply_id(ctx.out, cursor);
    ctx.out.array(claimed.len());
    let s = stream_at(ctx.store.db(ctx.client.db), i);
    for &id in &claimed {
        if justid {
            reply_id(ctx.out, id);
        } else if let Some(e) = s.get(id) {
            reply_entry(ctx.out, &e);
        }
    }
    ctx.out.array(deleted.len());
    for id in deleted {
        reply_id(ctx.out, id);
    }
    ctx.store.dirty += changes;
    if created {
        ctx.store.dirty += 1;
        notify(ctx, STREAM, "xgroup-createconsumer", &args[1]);
    }
}
