//! XINFO STREAM [FULL [COUNT n]], XINFO GROUPS, XINFO CONSUMERS, XINFO HELP.
//!
//! Replies are maps (flat arrays in RESP2) with Redis 7.0's fields in its
//! order. A group's `entries-read` and `lag` are nil when they cannot be
//! known (deletions after the group's position make the count uncertain);
//! `radix-tree-nodes` is the node count of the radix tree Redis would hold
//! for the same nodes; times are wall-clock milliseconds (idle times are
//! measured now).
use super::lookup::count_read;
use super::stream::{reply_entry, reply_id};
use super::stream_group::{subcommand_arity, subcommand_syntax_error};
use super::{errors, Ctx};
use crate::resp::Reply;
use crate::store::now_ms;
use crate::store::stream::group::{Group, ENTRIES_READ_UNKNOWN};
use crate::store::stream::{Stream, StreamId};
use crate::store::Value;

const XINFO_HELP: &[&str] = &[
    "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CONSUMERS <key> <groupname>",
    "    Show consumers of <groupname>.",
    "GROUPS <key>",
    "    Show the stream consumer groups.",
    "STREAM <key> [FULL [COUNT <count>]",
    "    Show information about the stream.",
    "HELP",
    "    Prints this help.",
];

pub(crate) fn xinfo(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    const SUBS: &[(&str, i32)] = &[("consumers", 4), ("groups", 3), ("stream", -3), ("help", 2)];
    let Some(sub) = subcommand_arity(ctx.out, args, SUBS, "xinfo") else {
        return;
    };
    if sub == "help" {
        ctx.out.array(XINFO_HELP.len());
        for l in XINFO_HELP {
            ctx.out.simple(l);
        }
        return;
    }
    let db = ctx.store.db(ctx.client.db);
    let found = db.lookup(&args[2]);
    count_read(ctx.shared, found.is_some());
    let Some(i) = found else {
        return ctx.out.error(errors::NO_SUCH_KEY);
    };
    let Value::Stream(s) = &db.entry(i).value else {
        return ctx.out.error(errors::WRONGTYPE);
    };
    match sub.as_str() {
        "consumers" => {
            let Some(g) = s.groups.get(args[3].as_slice()) else {
                let mut msg = b"NOGROUP No such consumer group '".to_vec();
                msg.extend_from_slice(&args[3]);
                msg.extend_from_slice(b"' for key name '");
                msg.extend_from_slice(&args[2]);
                msg.push(b'\'');
                return super::error_bytes(ctx.out, &msg);
            };
            let now = now_ms() as i64;
            ctx.out.array(g.consumers.len());
            for (name, c) in &g.consumers {
                ctx.out.map(3);
                ctx.out.bulk(b"name");
                ctx.out.bulk(name);
                ctx.out.bulk(b"pending");
                ctx.out.integer(c.pel.len() as i64);
                ctx.out.bulk(b"idle");
                ctx.out.integer((now - c.seen_time as i64).max(0));
            }
        }
        "groups" => {
            ctx.out.array(s.groups.len());
            for (name, g) in &s.groups {
                ctx.out.map(6);
                ctx.out.bulk(b"name");
                ctx.out.bulk(name);
                ctx.out.bulk(b"consumers");
                ctx.out.integer(g.consumers.len() as i64);
                ctx.out.bulk(b"pending");
                ctx.out.integer(g.pel.len() as i64);
                ctx.out.bulk(b"last-delivered-id");
                reply_id(ctx.out, g.last_id);
                reply_counters(ctx.out, s, g);
            }
        }
        _ => stream_info(ctx.out, s, args),
    }
}

/// `entries-read` and `lag` of a group.
fn reply_counters(out: &mut Reply, s: &Stream, g: &Group) {
    out.bulk(b"entries-read");
    if g.entries_read == ENTRIES_READ_UNKNOWN {
        out.null();
    } else {
        out.integer(g.entries_read);
    }
    out.bulk(b"lag");
    match s.lag(g) {
        Some(l) => out.integer(l),
        None => out.null(),
    }
}

/// XINFO STREAM key [FULL [COUNT n]]
fn stream_info(out: &mut Reply, s: &Stream, args: &[Vec<u8>]) {
    let opts = &args[3..];
    let mut count: i64 = 10;
    let full = !opts.is_empty();
    if full {
        if (opts.len() != 1 && opts.len() != 3) || !opts[0].eq_ignore_ascii_case(b"full") {
            return subcommand_syntax_error(out, args);
        }
        if opts.len() == 3 {
            if !opts[1].eq_ignore_ascii_case(b"count") {
                return subcommand_syntax_error(out, args);
            }
            count = match crate::num::string2ll(&opts[2]) {
                Some(n) if n < 0 => 10,
                Some(n) => n,
                None => return out.error(errors::NOT_INTEGER),
            };
        }
    }
    out.map(if full { 9 } else { 10 });
    out.bulk(b"length");
    out.integer(s.length as i64);
    out.bulk(b"radix-tree-keys");
    out.integer(s.node_count() as i64);
    out.bulk(b"radix-tree-nodes");
    out.integer(s.radix_tree_nodes() as i64);
    out.bulk(b"last-generated-id");
    reply_id(out, s.last_id);
    out.bulk(b"max-deleted-entry-id");
    reply_id(out, s.max_deleted_id);
    out.bulk(b"entries-added");
    out.integer(s.entries_added as i64);
    out.bulk(b"recorded-first-entry-id");
    reply_id(out, s.first_id);
    if !full {
        out.bulk(b"groups");
        out.integer(s.groups.len() as i64);
        for (name, rev) in [(&b"first-entry"[..], false), (b"last-entry", true)] {
            out.bulk(name);
            match s.range(StreamId::MIN, StreamId::MAX, rev).next() {
                Some(e) => reply_entry(out, &e),
                None => out.null(),
            }
        }
        return;
    }
    let limit = if count == 0 {
        usize::MAX
    } else {
        count as usize
    };
    out.bulk(b"entries");
    let entries: Vec<_> = s
        .range(StreamId::MIN, StreamId::MAX, false)
        .take(limit)
        .collect();
    out.array(entries.len());
    for e in &entries {
        reply_entry(out, e);
    }
    out.bulk(b"groups");
    out.array(s.groups.len());
    for (name, g) in &s.groups {
        out.map(7);
        out.bulk(b"name");
        out.bulk(name);
        out.bulk(b"last-delivered-id");
        reply_id(out, g.last_id);
        reply_counters(out, s, g);
        out.bulk(b"pel-count");
        out.integer(g.pel.len() as i64);
        out.bulk(b"pending");
        let pel: Vec<_> = g.pel.iter().take(limit).collect();
        out.array(pel.len());
        for (id, n) in pel {
            out.array(4);
            reply_id(out, *id);
            out.bulk(&n.consumer);
            out.integer(n.delivery_time as i64);
            out.integer(n.delivery_count as i64);
        }
        out.bulk(b"consumers");
        out.array(g.consumers.len());
        for (cname, c) in &g.consumers {
            out.map(4);
            out.bulk(b"name");
            out.bulk(cname);
            out.bulk(b"seen-time");
            out.integer(c.seen_time as i64);
            out.bulk(b"pel-count");
            out.integer(c.pel.len() as i64);
            out.bulk(b"pending");
            let pel: Vec<_> = c.pel.iter().take(limit).collect();
            out.array(pel.len());
            for id in pel {
                let (time, deliveries) = g
                    .pel
                    .get(id)
                    .map_or((0, 0), |n| (n.delivery_time, n.delivery_count));
                out.array(3);
                reply_id(out, *id);
                out.integer(time as i64);
                out.integer(deliveries as i64);
            }
        }
    }
}
