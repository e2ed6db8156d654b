//! Pub/sub: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, PUBSUB.
//!
//! Who knows what:
//! - [`Registry`] (in `Shared::pubsub`) maps each channel to its subscribers and
//!   lists (pattern, subscriber) pairs; PUBLISH reads it;
//! - [`Subs`] (in the client's own state) lists what that client subscribed to, in
//!   subscription order, so unsubscribe-all and the counts in replies need no
//!   registry walk.
//!
//! Delivery: PUBLISH frames the message once per protocol (`*3` for RESP2
//! receivers, a `>3` push for RESP3 ones) and appends it to each receiver's
//! outbox (`cmd/outbox.rs`), whose writer thread sends it. A client's first
//! subscription attaches its outbox (and so starts that writer); from then on all
//! its replies go through the same queue, in the order produced under the
//! keyspace lock. A RESP3 client may run any command while subscribed (its
//! replies and the messages interleave on the one connection); a RESP2 one only
//! the subscribe-mode commands. A receiver whose queue passes the pubsub output
//! limit is disconnected; the publisher goes on.
//!
//! Why a writer thread rather than the publisher writing to the subscriber's
//! socket: the publisher runs under the keyspace lock, and a subscriber that stops
//! reading would block it in `write` once the kernel buffers fill, stalling every
//! client. With the queue the publisher only copies bytes; the limit check makes
//! the queue bounded. (Throughput against Redis: `docs/measurements.md`.)
//!
//! Invariants: a client is in `Registry` for a channel/pattern exactly when it is
//! in its `Subs`; the disconnect path ([`forget_client`]) removes all of them.
//! Lock order: keyspace, then registry, then an outbox.
use super::{flags::*, CommandSpec, Ctx, Keys};
use super::{ClientHandle, Shared};
use crate::resp::Reply;
use crate::store::glob_match;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, MutexGuard};

const SUB: u32 = PUBSUB | NOSCRIPT | LOADING | STALE;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "subscribe",
        arity: -2,
        flags: SUB | OWN_THREAD | SUBSCRIBED_OK,
        keys: Keys::NONE,
        handler: |ctx, args| {
            subscribe(ctx, args);
            mark_subscribed(ctx);
        },
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "unsubscribe",
        arity: -1,
        flags: SUB | SUBSCRIBED_OK,
        keys: Keys::NONE,
        handler: |ctx, args| {
            unsubscribe(ctx, args);
            mark_subscribed(ctx);
        },
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "psubscribe",
        arity: -2,
        flags: SUB | OWN_THREAD | SUBSCRIBED_OK,
        keys: Keys::NONE,
        handler: |ctx, args| {
            psubscribe(ctx, args);
            mark_subscribed(ctx);
        },
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "punsubscribe",
        arity: -1,
        flags: SUB | SUBSCRIBED_OK,
        keys: Keys::NONE,
        handler: |ctx, args| {
            punsubscribe(ctx, args);
            mark_subscribed(ctx);
        },
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "publish",
        arity: 3,
        flags: PUBSUB | LOADING | STALE | FAST | MAY_REPLICATE,
        keys: Keys::NONE,
        handler: publish,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "pubsub",
        arity: -2,
        subcommands: PUBSUB_SUBCOMMANDS,
        ..CommandSpec::DEFAULT
    },
];

/// Every client's subscriptions.
#[derive(Debug, Default)]
pub struct Registry {
    channels: HashMap<Vec<u8>, Vec<Arc<ClientHandle>>>,
    /// (pattern, subscriber), in subscription order.
    patterns: Vec<(Vec<u8>, Arc<ClientHandle>)>,
}

impl Registry {
    /// Every subscription: (channel or pattern, is a pattern, subscriber).
    pub fn subscriptions(&self) -> Vec<(Vec<u8>, bool, Arc<ClientHandle>)> {
        let mut v = Vec::new();
        for (ch, hs) in &self.channels {
            for h in hs {
                v.push((ch.clone(), false, h.clone()));
            }
        }
        for (p, h) in &self.patterns {
            v.push((p.clone(), true, h.clone()));
        }
        v
    }

    /// Channels with subscribers, and distinct patterns (INFO `pubsub_channels`,
    /// `pubsub_patterns`).
    pub fn counts(&self) -> (usize, usize) {
        let mut pats: Vec<&[u8]> = self.patterns.iter().map(|(p, _)| p.as_slice()).collect();
        pats.sort_unstable();
        pats.dedup();
        (self.channels.len(), pats.len())
    }
}

/// One client's subscriptions, in subscription order.
#[derive(Debug, Default)]
pub struct Subs {
    pub channels: Vec<Vec<u8>>,
    pub patterns: Vec<Vec<u8>>,
}

impl Subs {
    /// Channels plus patterns: the count subscribe replies carry.
    pub fn count(&self) -> usize {
        self.channels.len() + self.patterns.len()
    }
}

/// The refusal text for `name` in subscribe mode (without the `ERR ` prefix).
pub fn subscribe_mode_refusal(name: &str) -> String {
    format!(
        "Can't execute '{name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
    )
}

fn registry(shared: &Shared) -> MutexGuard<'_, Registry> {
    shared.pubsub.lock().unwrap_or_else(|e| e.into_inner())
}

/// `*3 $kind $name :count` (a nil name for an unsubscribe with nothing to drop);
/// a push message (`>3`) to a RESP3 client.
fn confirm(out: &mut Reply, kind: &str, name: Option<&[u8]>, count: usize) {
    let start = out.buf.len();
    out.push(3);
    out.bulk(kind.as_bytes());
    match name {
        Some(n) => out.bulk(n),
        None => out.null(),
    }
    out.integer(count as i64);
    // Sent even with CLIENT REPLY OFF, as Redis sends its pushes.
    out.mark_push(start);
}

/// Sends all the client's output through its outbox from now on (its first
/// subscription; the server starts the writer thread).
fn ensure_outbox(ctx: &mut Ctx<'_>) {
    if let Some(h) = &ctx.client.handle {
        h.attach_outbox();
    }
}

/// Mirrors "has subscriptions" into the registry entry (read by tracking).
fn mark_subscribed(ctx: &Ctx<'_>) {
    if let Some(h) = &ctx.client.handle {
        h.subscribed
            .store(ctx.client.subs.count() > 0, Ordering::Relaxed);
    }
}

fn subscribe(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    ensure_outbox(ctx);
    let mut reg = registry(ctx.shared);
    for ch in &args[1..] {
        if !ctx.client.subs.channels.contains(ch) {
            ctx.client.subs.channels.push(ch.clone());
            if let Some(h) = &ctx.client.handle {
                reg.channels.entry(ch.clone()).or_default().push(h.clone());
            }
        }
        confirm(ctx.out, "subscribe", Some(ch), ctx.client.subs.count());
    }
}

fn psubscribe(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    ensure_outbox(ctx);
    let mut reg = registry(ctx.shared);
    for pat in &args[1..] {
        if !ctx.client.subs.patterns.contains(pat) {
            ctx.client.subs.patterns.push(pat.clone());
            if let Some(h) = &ctx.client.handle {
                reg.patterns.push((pat.clone(), h.clone()));
            }
        }
        confirm(ctx.out, "psubscribe", Some(pat), ctx.client.subs.count());
    }
}

fn drop_channel(reg: &mut Registry, id: u64, ch: &[u8]) {
    if let Some(list) = reg.channels.get_mut(ch) {
        list.retain(|h| h.id != id);
        if list.is_empty() {
            reg.channels.remove(ch);
        }
    }
}

fn unsubscribe(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let id = ctx.client.id;
    let mut reg = registry(ctx.shared);
    let names: Vec<Vec<u8>> = if args.len() > 1 {
        args[1..].to_vec()
    } else {
        ctx.client.subs.channels.clone()
    };
    if names.is_empty() {
        confirm(ctx.out, "unsubscribe", None, ctx.client.subs.count());
        return;
    }
    for ch in &names {
        if let Some(pos) = ctx.client.subs.channels.iter().position(|c| c == ch) {
            ctx.client.subs.channels.remove(pos);
            drop_channel(&mut reg, id, ch);
        }
        confirm(ctx.out, "unsubscribe", Some(ch), ctx.client.subs.count());
    }
}

fn punsubscribe(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let id = ctx.client.id;
    let mut reg = registry(ctx.shared);
    let names: Vec<Vec<u8>> = if args.len() > 1 {
        args[1..].to_vec()
    } else {
        ctx.client.subs.patterns.clone()
    };
    if names.is_empty() {
        confirm(ctx.out, "punsubscribe", None, ctx.client.subs.count());
        return;
    }
    for pat in &names {
        if let Some(pos) = ctx.client.subs.patterns.iter().position(|p| p == pat) {
            ctx.client.subs.patterns.remove(pos);
            reg.patterns.retain(|(p, h)| !(h.id == id && p == pat));
        }
        confirm(ctx.out, "punsubscribe", Some(pat), ctx.client.subs.count());
    }
}

/// Drops every subscription of a client (RESET, disconnect), without replies.
pub fn forget_client(shared: &Shared, id: u64, subs: &mut Subs) {
    if subs.count() == 0 {
        return;
    }
    let mut reg = registry(shared);
    for ch in subs.channels.drain(..) {
        drop_channel(&mut reg, id, &ch);
    }
    if !subs.patterns.is_empty() {
        reg.patterns.retain(|(_, h)| h.id != id);
        subs.patterns.clear();
    }
}

/// Sends `message` on `channel` to every subscriber; returns how many received it.
/// Usable by any code holding the keyspace lock (PUBLISH, scripts, keyspace
/// notifications).
pub fn publish_message(shared: &Shared, channel: &[u8], message: &[u8]) -> usize {
    let reg = registry(shared);
    let mut receivers = 0;
    let mut overflowed: Vec<Arc<ClientHandle>> = Vec::new();
    if let Some(list) = reg.channels.get(channel) {
        // Framed once per protocol: `*3` for RESP2 receivers, `>3` for RESP3.
        let mut frames = Frames::default();
        for h in list {
            receivers += 1;
            let frame = frames.get(h, |f| {
                f.push(3);
                f.bulk(b"message");
                f.bulk(channel);
                f.bulk(message);
            });
            if !h.outbox.push(frame) {
                overflowed.push(h.clone());
            }
        }
    }
    for (pat, h) in &reg.patterns {
        if glob_match(pat, channel, false) {
            receivers += 1;
            let mut frame = Reply::new();
            frame.proto = h.resp.load(Ordering::Relaxed);
            frame.push(4);
            frame.bulk(b"pmessage");
            frame.bulk(pat);
            frame.bulk(channel);
            frame.bulk(message);
            if !h.outbox.push(&frame.buf) {
                overflowed.push(h.clone());
            }
        }
    }
    drop(reg);
    for h in overflowed {
        drop_overflowed(shared, &h);
    }
    receivers
}

/// A message framed for each protocol, each written the first time a receiver
/// of that protocol needs it.
#[derive(Default)]
pub struct Frames {
    by_proto: [Option<Reply>; 2],
}

impl Frames {
    /// The frame for `h`'s protocol, written by `write` if not yet done.
    pub fn get(&mut self, h: &ClientHandle, write: impl FnOnce(&mut Reply)) -> &[u8] {
        let proto = h.resp.load(Ordering::Relaxed);
        let slot = &mut self.by_proto[usize::from(proto >= 3)];
        &slot
            .get_or_insert_with(|| {
                let mut r = Reply::new();
                r.proto = proto;
                write(&mut r);
                r
            })
            .buf
    }
}

/// A receiver whose output passed its limit: closed, and fed nothing more.
pub fn drop_overflowed(shared: &Shared, h: &Arc<ClientHandle>) {
    if !h.is_killed() {
        shared.logger.warning(&format!(
            "Client id={} addr={} scheduled to be closed ASAP for overcoming of output buffer limits.",
            h.id, h.addr
        ));
        h.kill();
    }
    // Stop feeding it at once; its own thread's cleanup later finds nothing.
    let mut reg = registry(shared);
    reg.channels.retain(|_, list| {
        list.retain(|x| x.id != h.id);
        !list.is_empty()
    });
    reg.patterns.retain(|(_, x)| x.id != h.id);
}

fn publish(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let n = publish_message(ctx.shared, &args[1], &args[2]);
    ctx.out.integer(n as i64);
}

const INTROSPECT: u32 = PUBSUB | LOADING | STALE;

static PUBSUB_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "channels",
        arity: -2,
        flags: INTROSPECT,
        handler: pubsub_channels,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "numsub",
        arity: -2,
        flags: INTROSPECT,
        handler: pubsub_numsub,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "numpat",
        arity: 2,
        flags: INTROSPECT,
        handler: pubsub_numpat,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: LOADING | STALE,
        handler: pubsub_help,
        ..CommandSpec::DEFAULT
    },
];

/// PUBSUB CHANNELS [pattern]
fn pubsub_channels(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if args.len() > 3 {
        // The table's arity (-2) lets this through; the handler refuses it.
        let mut msg = b"ERR unknown subcommand or wrong number of arguments for '".to_vec();
        msg.extend_from_slice(super::c_str(&args[1], 128));
        msg.extend_from_slice(b"'. Try PUBSUB HELP.");
        return super::error_bytes(ctx.out, &msg);
    }
    let reg = registry(ctx.shared);
    let mut names: Vec<&Vec<u8>> = reg
        .channels
        .keys()
        .filter(|c| args.len() == 2 || glob_match(&args[2], c, false))
        .collect();
    names.sort();
    ctx.out.array(names.len());
    for n in names {
        ctx.out.bulk(n);
    }
}

/// PUBSUB NUMSUB [channel ...]
fn pubsub_numsub(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let reg = registry(ctx.shared);
    ctx.out.array((args.len() - 2) * 2);
    for ch in &args[2..] {
        ctx.out.bulk(ch);
        ctx.out
            .integer(reg.channels.get(ch).map_or(0, |l| l.len()) as i64);
    }
}

/// PUBSUB NUMPAT
fn pubsub_numpat(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    let reg = registry(ctx.shared);
    let mut pats: Vec<&Vec<u8>> = reg.patterns.iter().map(|(p, _)| p).collect();
    pats.sort();
    pats.dedup();
    ctx.out.integer(pats.len() as i64);
}

/// PUBSUB HELP
fn pubsub_help(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    super::command::help_lines(
        ctx.out,
        &[
            "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "CHANNELS [<pattern>]",
            "    Return the currently active channels matching a <pattern> (default: '*').",
            "NUMPAT",
            "    Return number of subscriptions to patterns.",
            "NUMSUB [<channel> ...]",
            "    Return the number of subscribers for the specified channels, excluding",
            "    pattern subscriptions(default: no channels).",
            "SHARDCHANNELS [<pattern>]",
            "    Return the currently active shard level channels matching a <pattern> (default: '*').",
            "SHARDNUMSUB [<shardchannel> ...]",
            "    Return the number of subscribers for the specified shard level channel(s)",
            "HELP",
            "    Prints this help.",
        ],
    );
}
