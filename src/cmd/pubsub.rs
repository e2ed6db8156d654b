//! Pub/sub: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, PUBSUB,
//! and 7.0's shard channels: SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH.
//!
//! Shard channels are a namespace of their own: SPUBLISH reaches only
//! SSUBSCRIBE's subscribers (as `smessage`), PUBLISH only SUBSCRIBE's and
//! PSUBSCRIBE's, and the counts in (un)subscribe replies count each side
//! apart. In a cluster a shard channel lives on the node of its slot; a
//! standalone server is the one node, as a standalone redis-server is. A client
//! with any subscription, shard or not, is in subscribe mode.
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
    CommandSpec {
        name: "spublish",
        arity: 3,
        flags: PUBSUB | LOADING | STALE | FAST | MAY_REPLICATE,
        keys: Keys::ONE,
        handler: spublish,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "ssubscribe",
        arity: -2,
        flags: SUB | OWN_THREAD | SUBSCRIBED_OK,
        keys: Keys::ALL,
        handler: |ctx, args| {
            ssubscribe(ctx, args);
            mark_subscribed(ctx);
        },
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "sunsubscribe",
        arity: -1,
        flags: SUB | SUBSCRIBED_OK,
        keys: Keys::ALL,
        handler: |ctx, args| {
            sunsubscribe(ctx, args);
            mark_subscribed(ctx);
        },
        ..CommandSpec::DEFAULT
    },
];

/// Every client's subscriptions.
#[derive(Debug, Default)]
pub struct Registry {
    channels: HashMap<Vec<u8>, Vec<Arc<ClientHandle>>>,
    /// (pattern, subscriber), in subscription order.
    patterns: Vec<(Vec<u8>, Arc<ClientHandle>)>,
    /// Shard channels and their subscribers.
    shard: HashMap<Vec<u8>, Vec<Arc<ClientHandle>>>,
}

impl Registry {
    /// Every subscription: (channel or pattern, is a pattern, subscriber);
    /// shard channels count as channels.
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
        // A shard channel is a channel for ACL rules.
        for (ch, hs) in &self.shard {
            for h in hs {
                v.push((ch.clone(), false, h.clone()));
            }
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
    /// Shard channels (SSUBSCRIBE).
    pub shard: Vec<Vec<u8>>,
}

impl Subs {
    /// Channels plus patterns: the count (P)(UN)SUBSCRIBE replies carry.
    pub fn count(&self) -> usize {
        self.channels.len() + self.patterns.len()
    }

    /// Whether the client has any subscription (subscribe mode).
    pub fn any(&self) -> bool {
        self.count() > 0 || !self.shard.is_empty()
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
        h.subscribed.store(ctx.client.subs.any(), Ordering::Relaxed);
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

/// Takes client `id` off channel `ch` of `map` (channels or shard channels).
fn drop_channel(map: &mut HashMap<Vec<u8>, Vec<Arc<ClientHandle>>>, id: u64, ch: &[u8]) {
    if let Some(list) = map.get_mut(ch) {
        list.retain(|h| h.id != id);
        if list.is_empty() {
            map.remove(ch);
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
            drop_channel(&mut reg.channels, id, ch);
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
    if !subs.any() {
        return;
    }
    let mut reg = registry(shared);
    for ch in subs.channels.drain(..) {
        drop_channel(&mut reg.channels, id, &ch);
    }
    for ch in subs.shard.drain(..) {
        drop_channel(&mut reg.shard, id, &ch);
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
    let mut overflowed: Vec<Arc<ClientHandle>> = Vec::new();
    let mut receivers = deliver(
        reg.channels.get(channel),
        b"message",
        channel,
        message,
        &mut overflowed,
    );
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

/// Sends `kind channel message` to each of `list`, framed once per protocol
/// (`*3` for RESP2 receivers, `>3` for RESP3); returns how many there were,
/// and adds to `overflowed` those whose output passed its limit.
fn deliver(
    list: Option<&Vec<Arc<ClientHandle>>>,
    kind: &[u8],
    channel: &[u8],
    message: &[u8],
    overflowed: &mut Vec<Arc<ClientHandle>>,
) -> usize {
    let Some(list) = list else {
        return 0;
    };
    let mut frames = Frames::default();
    for h in list {
        let frame = frames.get(h, |f| {
            f.push(3);
            f.bulk(kind);
            f.bulk(channel);
            f.bulk(message);
        });
        if !h.outbox.push(frame) {
            overflowed.push(h.clone());
        }
    }
    list.len()
}

/// SPUBLISH shardchannel message: to the shard channel's subscribers only.
fn spublish(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let reg = registry(ctx.shared);
    let mut overflowed = Vec::new();
    let n = deliver(
        reg.shard.get(&args[1]),
        b"smessage",
        &args[1],
        &args[2],
        &mut overflowed,
    );
    drop(reg);
    for h in overflowed {
        drop_overflowed(ctx.shared, &h);
    }
    ctx.out.integer(n as i64);
}

/// SSUBSCRIBE shardchannel [shardchannel ...]: replies count shard channels
/// only. Refused inside a transaction, as 7.0 refuses it to a client that may
/// not block.
fn ssubscribe(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if ctx.client.no_block || ctx.client.tx.in_multi() {
        return ctx
            .out
            .error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
    }
    ensure_outbox(ctx);
    let mut reg = registry(ctx.shared);
    for ch in &args[1..] {
        if !ctx.client.subs.shard.contains(ch) {
            ctx.client.subs.shard.push(ch.clone());
            if let Some(h) = &ctx.client.handle {
                reg.shard.entry(ch.clone()).or_default().push(h.clone());
            }
        }
        confirm(ctx.out, "ssubscribe", Some(ch), ctx.client.subs.shard.len());
    }
}

/// SUNSUBSCRIBE [shardchannel ...]: all of the client's shard channels when
/// none is named.
fn sunsubscribe(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let id = ctx.client.id;
    let mut reg = registry(ctx.shared);
    let names: Vec<Vec<u8>> = if args.len() > 1 {
        args[1..].to_vec()
    } else {
        ctx.client.subs.shard.clone()
    };
    if names.is_empty() {
        confirm(ctx.out, "sunsubscribe", None, ctx.client.subs.shard.len());
        return;
    }
    for ch in &names {
        if let Some(pos) = ctx.client.subs.shard.iter().position(|c| c == ch) {
            ctx.client.subs.shard.remove(pos);
            drop_channel(&mut reg.shard, id, ch);
        }
        confirm(
            ctx.out,
            "sunsubscribe",
            Some(ch),
            ctx.client.subs.shard.len(),
        );
    }
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
    let reg = &mut *reg;
    for map in [&mut reg.channels, &mut reg.shard] {
        map.retain(|_, list| {
            list.retain(|x| x.id != h.id);
            !list.is_empty()
        });
    }
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
        name: "shardchannels",
        arity: -2,
        flags: INTROSPECT,
        handler: pubsub_shardchannels,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "shardnumsub",
        arity: -2,
        flags: INTROSPECT,
        handler: pubsub_shardnumsub,
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

/// A channel map of the registry: plain or shard channels.
type Pick = fn(&Registry) -> &HashMap<Vec<u8>, Vec<Arc<ClientHandle>>>;

/// PUBSUB CHANNELS [pattern]
fn pubsub_channels(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    list_channels(ctx, args, |r| &r.channels);
}

/// PUBSUB SHARDCHANNELS [pattern]
fn pubsub_shardchannels(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    list_channels(ctx, args, |r| &r.shard);
}

/// The channels of `pick` with subscribers, matching the optional pattern.
fn list_channels(ctx: &mut Ctx<'_>, args: &[Vec<u8>], pick: Pick) {
    if args.len() > 3 {
        // The table's arity (-2) lets this through; the handler refuses it.
        let mut msg = b"ERR unknown subcommand or wrong number of arguments for '".to_vec();
        msg.extend_from_slice(super::c_str(&args[1], 128));
        msg.extend_from_slice(b"'. Try PUBSUB HELP.");
        return super::error_bytes(ctx.out, &msg);
    }
    let reg = registry(ctx.shared);
    let mut names: Vec<&Vec<u8>> = pick(&reg)
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
    count_subscribers(ctx, args, |r| &r.channels);
}

/// PUBSUB SHARDNUMSUB [shardchannel ...]
fn pubsub_shardnumsub(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    count_subscribers(ctx, args, |r| &r.shard);
}

/// Each named channel of `pick` and its number of subscribers.
fn count_subscribers(ctx: &mut Ctx<'_>, args: &[Vec<u8>], pick: Pick) {
    let reg = registry(ctx.shared);
    let map = pick(&reg);
    ctx.out.array((args.len() - 2) * 2);
    for ch in &args[2..] {
        ctx.out.bulk(ch);
        ctx.out.integer(map.get(ch).map_or(0, |l| l.len()) as i64);
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
