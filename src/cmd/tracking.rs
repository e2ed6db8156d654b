//! Client-side caching: CLIENT TRACKING and the invalidation messages it sends.
//!
//! A client that turns tracking on is told when a key it may have cached
//! changes. Two modes, as in Redis 7.0:
//! - *default*: the server remembers which keys each tracking client read (the
//!   keys of every read-only command it ran, with OPTIN/OPTOUT and CLIENT
//!   CACHING deciding per command) in one table, key name -> client ids; when
//!   such a key changes, each client in its entry gets one invalidation and the
//!   entry goes (a client that reads the key again is remembered again);
//! - *BCAST*: nothing is remembered; a client subscribes to key prefixes, and
//!   every changed key under a prefix is collected and sent, one message per
//!   prefix, after the command that changed it.
//!
//! Where changes come from: the store logs every key a database touches (see
//! `store::watch`, the one place a modification is signalled, WATCH included),
//! while tracking is active; [`after_command`] takes that log after each command
//! and the cron's expiry cycle, so no command signals tracking itself. FLUSHDB
//! and FLUSHALL send every tracking client a null invalidation ([`flush`]).
//!
//! Messages: to a RESP3 client a push `>2 invalidate [keys]`; to a redirect
//! target (REDIRECT id) in RESP2 that is subscribed, a pub/sub message on
//! `__redis__:invalidate`; nothing to a RESP2 client without redirection. A
//! redirect target that went away makes the tracking client's next invalidation
//! a `tracking-redir-broken` push instead (RESP3 only).
//!
//! Order: an invalidation for the client whose command is running (the
//! *current* client, set by [`begin`]) waits until after that command's reply
//! (Redis's pending keys), so it never interleaves with a reply or a
//! transaction's replies; [`end`] writes it. Keys evicted to make room for a
//! command are the exception: their messages precede its reply
//! ([`after_evictions`]), as in Redis. Messages to other clients go to their
//! outbox at once.
//!
//! Invariants:
//! - `modes` holds exactly the clients with tracking on; `Shared::tracking_on`
//!   is true while `modes` or `table` is non-empty, and the store's change log
//!   is on exactly then;
//! - `items` is the number of (key, client) pairs in `table`;
//! - a BCAST client is in the `clients` of each of its prefixes and nowhere in
//!   `table` as a reader after it switched (entries left from before are
//!   skipped, as Redis skips them).
//!
//! Lock order: keyspace, then this state (`Shared::tracking`), then the
//! client registry, then an outbox.
use super::{ClientHandle, Ctx, Shared};
use crate::resp::Reply;
use crate::store::Store;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::Ordering;
use std::sync::{Arc, MutexGuard};

/// The pub/sub channel of RESP2 redirected invalidations.
pub const CHANNEL: &[u8] = b"__redis__:invalidate";

/// How one client tracks (CLIENT TRACKING ON's options).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mode {
    pub bcast: bool,
    pub optin: bool,
    pub optout: bool,
    pub noloop: bool,
    /// Its redirect target went away (TRACKINGINFO `broken_redirect`).
    pub broken: bool,
    /// Client id its invalidations go to; 0: itself.
    pub redirect: u64,
    /// BCAST prefixes, sorted ("" matches every key).
    pub prefixes: BTreeSet<Vec<u8>>,
}

/// One BCAST prefix: its subscribers, and the keys under it changed since the
/// last broadcast with the client that changed each (None: an expiry).
#[derive(Debug, Default)]
struct Prefix {
    clients: BTreeSet<u64>,
    keys: BTreeMap<Vec<u8>, Option<u64>>,
}

/// What an invalidation carries.
#[derive(Clone, Copy)]
enum Payload<'a> {
    /// One key: `*1 $key`.
    Key(&'a [u8]),
    /// Every key (a flush): a null, in the tracking client's protocol.
    Null,
    /// A prebuilt array of keys (BCAST).
    Keys(&'a [u8]),
}

/// The tracking state of the server (in `Shared::tracking`).
#[derive(Debug, Default)]
pub struct Tracking {
    modes: HashMap<u64, Mode>,
    table: HashMap<Vec<u8>, BTreeSet<u64>>,
    items: u64,
    prefixes: BTreeMap<Vec<u8>, Prefix>,
    /// The client whose top-level command runs now.
    current: Option<u64>,
    /// Invalidations for `current`, sent after its reply (None: a flush).
    pending: Vec<Option<Vec<u8>>>,
    /// A script run by `current` has called a read-only command.
    script_read: bool,
    /// Rounds in a row the table was still over its limit after an eviction.
    evict_rounds: u64,
}

impl Tracking {
    /// Figures for INFO: (keys in the table, items, BCAST prefixes).
    pub fn totals(&self) -> (usize, u64, usize) {
        (self.table.len(), self.items, self.prefixes.len())
    }

    /// The mode of client `id`, if it tracks.
    pub fn mode(&self, id: u64) -> Option<&Mode> {
        self.modes.get(&id)
    }
}

/// The state, locked.
pub fn state(shared: &Shared) -> MutexGuard<'_, Tracking> {
    shared.tracking.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether anything about tracking is going on (one atomic load).
#[inline]
pub fn is_on(shared: &Shared) -> bool {
    shared.tracking_on.load(Ordering::Relaxed)
}

/// Recomputes `tracking_on` and turns the store's change log on or off with it.
fn sync(shared: &Shared, t: &Tracking, store: &mut Store) {
    let on = !t.modes.is_empty() || !t.table.is_empty();
    shared.tracking_on.store(on, Ordering::Relaxed);
    shared
        .tracking_clients
        .store(t.modes.len(), Ordering::Relaxed);
    if store.db_count() > 0 && store.change_log_on() != on {
        store.set_change_log(on);
    }
}

/// CLIENT TRACKING ON with `mode` (already checked), for client `id`.
pub fn enable(ctx: &mut Ctx<'_>, mut mode: Mode, new_prefixes: &[Vec<u8>]) {
    let id = ctx.client.id;
    let bcast = mode.bcast;
    let mut t = state(ctx.shared);
    if bcast {
        let mut wanted: Vec<Vec<u8>> = new_prefixes.to_vec();
        if wanted.is_empty() {
            wanted.push(Vec::new());
        }
        // Prefixes add up across calls, as in Redis.
        if let Some(old) = t.modes.get(&id) {
            mode.prefixes = old.prefixes.clone();
        }
        for p in wanted {
            t.prefixes.entry(p.clone()).or_default().clients.insert(id);
            mode.prefixes.insert(p);
        }
    }
    t.modes.insert(id, mode);
    sync(ctx.shared, &t, ctx.store);
    drop(t);
    ctx.client.tracking = true;
    ctx.client.tracking_bcast = bcast;
    // Invalidations may now come from other clients at any time.
    if let Some(h) = &ctx.client.handle {
        h.attach_outbox();
    }
}

/// CLIENT TRACKING OFF (and RESET, and a disconnect): forgets the client's mode
/// and prefixes (its ids in the key table go lazily, as in Redis).
pub fn disable(shared: &Shared, store: &mut Store, id: u64) {
    let mut t = state(shared);
    let Some(mode) = t.modes.remove(&id) else {
        return;
    };
    for p in &mode.prefixes {
        if let Some(pre) = t.prefixes.get_mut(p) {
            pre.clients.remove(&id);
            if pre.clients.is_empty() {
                t.prefixes.remove(p);
            }
        }
    }
    sync(shared, &t, store);
}

/// The first prefix of `mine` or `new` (before index `i` of `new`) that overlaps
/// `new[i]`, with the error text 7.0 sends.
pub fn prefix_collision(mine: Option<&Mode>, new: &[Vec<u8>]) -> Option<Vec<u8>> {
    let overlap = |a: &[u8], b: &[u8]| {
        let n = a.len().min(b.len());
        a[..n] == b[..n]
    };
    for (i, p) in new.iter().enumerate() {
        if let Some(m) = mine {
            if let Some(old) = m.prefixes.iter().find(|o| overlap(o, p)) {
                return Some(collision_text(p, old, "an existing prefix"));
            }
        }
        if let Some(q) = new[i + 1..].iter().find(|q| overlap(p, q)) {
            return Some(collision_text(p, q, "another provided prefix"));
        }
    }
    None
}

fn collision_text(p: &[u8], q: &[u8], what: &str) -> Vec<u8> {
    let mut m = b"ERR Prefix '".to_vec();
    m.extend_from_slice(super::c_str(p, usize::MAX));
    m.extend_from_slice(format!("' overlaps with {what} '").as_bytes());
    m.extend_from_slice(super::c_str(q, usize::MAX));
    m.extend_from_slice(b"'. Prefixes for a single client must not overlap.");
    m
}

/// Before a top-level command of `ctx.client` (a connection's request, or a
/// blocked client served): it becomes the current client; the table is
/// brought under `tracking-table-max-keys` first (invalidations for this
/// client then go out before its reply, as in Redis). Returns the previous
/// current client, for [`end`].
pub fn begin(ctx: &mut Ctx<'_>) -> Option<u64> {
    let mut t = state(ctx.shared);
    let prev = t.current.take();
    let max = ctx.shared.config().tracking_table_max_keys;
    if max > 0 && t.table.len() as u64 > max {
        limit_table(
            ctx.shared,
            &mut t,
            max,
            Some((ctx.client.id, &mut *ctx.out)),
        );
        sync(ctx.shared, &t, ctx.store);
    }
    t.current = Some(ctx.client.id);
    t.script_read = false;
    prev
}

/// After a top-level command: the current client's pending invalidations go
/// after its reply (into `ctx.out`, or to its redirect target), then the BCAST
/// keys collected are broadcast.
pub fn end(ctx: &mut Ctx<'_>, prev: Option<u64>) {
    let mut t = state(ctx.shared);
    let id = ctx.client.id;
    deliver_pending(ctx.shared, &mut t, id, ctx.out);
    broadcast(ctx.shared, &mut t, Some((id, &mut *ctx.out)));
    t.current = prev;
    t.script_read = false;
}

/// Writes the current client's pending invalidations into its output `out`
/// (or sends them to its redirect target).
fn deliver_pending(shared: &Shared, t: &mut Tracking, id: u64, out: &mut Reply) {
    let pending = std::mem::take(&mut t.pending);
    for key in &pending {
        let payload = match key {
            Some(k) => Payload::Key(k),
            None => Payload::Null,
        };
        deliver(shared, t, id, payload, Some((id, &mut *out)));
    }
}

/// Right after evictions made room for a command, before it runs: the
/// evicted keys' invalidations go out at once, the current client's into its
/// output ahead of the command's reply (Redis evicts before it calls the
/// command, so its message comes first).
pub fn after_evictions(ctx: &mut Ctx<'_>) {
    let changes = ctx.store.take_changes();
    if changes.is_empty() {
        return;
    }
    let mut t = state(ctx.shared);
    for (key, _) in changes {
        invalidate_key(ctx.shared, &mut t, &key, None, true);
    }
    let id = ctx.client.id;
    deliver_pending(ctx.shared, &mut t, id, ctx.out);
    sync(ctx.shared, &t, ctx.store);
}

/// After every command (nested ones too) and the expiry cycle: turns the keys
/// the store logged into invalidations. `by`: the client that ran the command
/// (None for the cron).
pub fn after_command(shared: &Shared, store: &mut Store, by: Option<u64>) {
    let changes = store.take_changes();
    if changes.is_empty() {
        return;
    }
    let mut t = state(shared);
    for (key, expired) in changes {
        let by = if expired { None } else { by };
        invalidate_key(shared, &mut t, &key, by, true);
    }
    sync(shared, &t, store);
}

/// The cron's share: invalidations for keys the expiry cycle removed, the BCAST
/// broadcast, and the table's size limit.
pub fn cron(shared: &Shared, store: &mut Store) {
    if !is_on(shared) {
        return;
    }
    after_command(shared, store, None);
    let mut t = state(shared);
    broadcast(shared, &mut t, None);
    let max = shared.config().tracking_table_max_keys;
    if max > 0 && t.table.len() as u64 > max {
        limit_table(shared, &mut t, max, None);
        sync(shared, &t, store);
    }
}

/// Remembers the keys a read-only command of a tracking client read (default
/// mode). `keys`: the key arguments. OPTIN clients are remembered only after
/// CLIENT CACHING YES, OPTOUT ones unless after CLIENT CACHING NO.
pub fn remember(shared: &Shared, store: &mut Store, id: u64, caching: bool, keys: &[&[u8]]) {
    let mut t = state(shared);
    let Some(m) = t.modes.get(&id) else {
        return;
    };
    if m.bcast || (m.optin && !caching) || (m.optout && caching) {
        return;
    }
    for k in keys {
        if t.table.entry(k.to_vec()).or_default().insert(id) {
            t.items += 1;
        }
    }
    sync(shared, &t, store);
}

/// A script run by the current client called a read-only command: its
/// declared keys are remembered when it ends ([`take_script_read`]).
pub fn note_script_read(shared: &Shared) {
    state(shared).script_read = true;
}

/// Whether the script just run called a read-only command (and forget it).
pub fn take_script_read(shared: &Shared) -> bool {
    std::mem::take(&mut state(shared).script_read)
}

/// FLUSHDB / FLUSHALL: every tracking client learns that every key changed (a
/// null invalidation; the current client's after its reply), and the table
/// empties.
pub fn flush(shared: &Shared, store: &mut Store) {
    let mut t = state(shared);
    let ids: Vec<u64> = t.modes.keys().copied().collect();
    let current = t.current;
    for id in ids {
        if Some(id) == current {
            t.pending.push(None);
        } else {
            deliver(shared, &mut t, id, Payload::Null, None);
        }
    }
    t.table.clear();
    t.items = 0;
    sync(shared, &t, store);
}

/// One changed key: BCAST prefixes collect it; each client that read it is
/// told (or, for the current client, told after its reply).
fn invalidate_key(shared: &Shared, t: &mut Tracking, key: &[u8], by: Option<u64>, bcast: bool) {
    if bcast && !t.prefixes.is_empty() {
        for (p, pre) in t.prefixes.iter_mut() {
            if key.starts_with(p) {
                pre.keys.insert(key.to_vec(), by);
            }
        }
    }
    let Some(ids) = t.table.remove(key) else {
        return;
    };
    t.items -= ids.len() as u64;
    for id in ids {
        let Some(m) = t.modes.get(&id) else {
            continue;
        };
        // Keys read before a switch to BCAST are not reported.
        if m.bcast {
            continue;
        }
        if m.noloop && t.current == Some(id) {
            continue;
        }
        if t.current == Some(id) {
            t.pending.push(Some(key.to_vec()));
        } else {
            deliver(shared, t, id, Payload::Key(key), None);
        }
    }
}

/// Sends what BCAST prefixes collected: one message per prefix to each of its
/// clients (a NOLOOP client does not hear of its own changes).
fn broadcast(shared: &Shared, t: &mut Tracking, mut own: Option<(u64, &mut Reply)>) {
    let mut sends: Vec<(u64, Vec<u8>)> = Vec::new();
    for pre in t.prefixes.values_mut() {
        if pre.keys.is_empty() {
            continue;
        }
        let keys = std::mem::take(&mut pre.keys);
        let all = keys_array(keys.keys().map(|k| k.as_slice()));
        for &id in &pre.clients {
            if t.modes.get(&id).is_some_and(|m| m.noloop) {
                let mine: Vec<&[u8]> = keys
                    .iter()
                    .filter(|(_, by)| **by != Some(id))
                    .map(|(k, _)| k.as_slice())
                    .collect();
                if !mine.is_empty() {
                    sends.push((id, keys_array(mine.into_iter())));
                }
            } else {
                sends.push((id, all.clone()));
            }
        }
    }
    for (id, array) in sends {
        let own = own.as_mut().map(|(i, o)| (*i, &mut **o));
        deliver(shared, t, id, Payload::Keys(&array), own);
    }
}

/// `*N $key ...`
fn keys_array<'a>(keys: impl Iterator<Item = &'a [u8]>) -> Vec<u8> {
    let keys: Vec<&[u8]> = keys.collect();
    let mut r = Reply::new();
    r.array(keys.len());
    for k in keys {
        r.bulk(k);
    }
    r.buf
}

/// Evicts keys (each an invalidation) until the table is within `max` keys,
/// with an effort that grows while it stays over (100 keys a round, then 200...).
fn limit_table(shared: &Shared, t: &mut Tracking, max: u64, mut own: Option<(u64, &mut Reply)>) {
    let effort = 100 * (t.evict_rounds + 1);
    for _ in 0..effort {
        let Some(key) = t.table.keys().next().cloned() else {
            break;
        };
        let ids = t.table.remove(&key).unwrap_or_default();
        t.items -= ids.len() as u64;
        for id in ids {
            if t.modes.get(&id).is_some_and(|m| !m.bcast) {
                let own = own.as_mut().map(|(i, o)| (*i, &mut **o));
                deliver(shared, t, id, Payload::Key(&key), own);
            }
        }
        if t.table.len() as u64 <= max {
            t.evict_rounds = 0;
            return;
        }
    }
    t.evict_rounds += 1;
}

/// Sends one invalidation for tracking client `id`: to its redirect target, or
/// to itself. `own`: a client whose output is at hand (its bytes go there
/// rather than through its outbox: the current client after its reply).
fn deliver(
    shared: &Shared,
    t: &mut Tracking,
    id: u64,
    payload: Payload<'_>,
    own: Option<(u64, &mut Reply)>,
) {
    let Some(mode) = t.modes.get_mut(&id) else {
        return;
    };
    let redirect = mode.redirect;
    let clients = shared.clients();
    let me = clients.get(&id).cloned();
    // A flush's null is in the tracking client's protocol, wherever it goes.
    let null: &[u8] = match &me {
        Some(h) if h.resp.load(Ordering::Relaxed) >= 3 => b"_\r\n",
        _ => b"$-1\r\n",
    };
    let (dest, redirected) = if redirect == 0 {
        match me {
            Some(h) => (h, false),
            None => return,
        }
    } else {
        match clients.get(&redirect) {
            Some(r) => (r.clone(), true),
            None => {
                mode.broken = true;
                drop(clients);
                // Tell the tracking client its redirection is broken (RESP3).
                if let Some(h) = me.filter(|h| h.resp.load(Ordering::Relaxed) >= 3) {
                    let mut r = Reply::new();
                    r.proto = 3;
                    r.push(2);
                    r.bulk(b"tracking-redir-broken");
                    r.integer(redirect as i64);
                    send(shared, &h, &r.buf, own);
                }
                return;
            }
        }
    };
    drop(clients);
    let mut r = Reply::new();
    r.proto = dest.resp.load(Ordering::Relaxed);
    if r.proto >= 3 {
        r.push(2);
        r.bulk(b"invalidate");
    } else if redirected && dest.subscribed.load(Ordering::Relaxed) {
        r.array(3);
        r.bulk(b"message");
        r.bulk(CHANNEL);
    } else {
        // RESP2 without redirection: nothing can carry it.
        return;
    }
    match payload {
        Payload::Key(k) => {
            r.array(1);
            r.bulk(k);
        }
        Payload::Null => r.buf.extend_from_slice(null),
        Payload::Keys(a) => r.buf.extend_from_slice(a),
    }
    send(shared, &dest, &r.buf, own);
}

/// Puts a framed message in `dest`'s output: `own`'s buffer when that is the
/// destination, else its outbox (attached for the occasion).
fn send(shared: &Shared, dest: &Arc<ClientHandle>, frame: &[u8], own: Option<(u64, &mut Reply)>) {
    if let Some((id, out)) = own {
        if id == dest.id {
            out.buf.extend_from_slice(frame);
            return;
        }
    }
    dest.attach_outbox();
    if !dest.outbox.push(frame) {
        super::pubsub::drop_overflowed(shared, dest);
    }
}

// ---------------------------------------------------------------- CLIENT subcommands

/// CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX prefix ...] [BCAST] [OPTIN]
/// [OPTOUT] [NOLOOP], with 7.0's checks in 7.0's order.
pub fn client_tracking(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let mut mode = Mode::default();
    let mut prefixes: Vec<Vec<u8>> = Vec::new();
    let mut j = 3;
    while j < args.len() {
        let more = j + 1 < args.len();
        let opt = args[j].to_ascii_lowercase();
        match opt.as_slice() {
            b"redirect" if more => {
                j += 1;
                if mode.redirect != 0 {
                    return ctx
                        .out
                        .error("ERR A client can only redirect to a single other client");
                }
                let Some(id) = crate::num::string2ll(&args[j]) else {
                    return ctx.out.error(super::errors::NOT_INTEGER);
                };
                let exists = id > 0
                    && (id as u64 == ctx.client.id
                        || ctx.shared.clients().contains_key(&(id as u64)));
                if !exists {
                    return ctx
                        .out
                        .error("ERR The client ID you want redirect to does not exist");
                }
                mode.redirect = id as u64;
            }
            b"bcast" => mode.bcast = true,
            b"optin" => mode.optin = true,
            b"optout" => mode.optout = true,
            b"noloop" => mode.noloop = true,
            b"prefix" if more => {
                j += 1;
                prefixes.push(args[j].clone());
            }
            _ => return ctx.out.error(super::errors::SYNTAX),
        }
        j += 1;
    }
    if args[2].eq_ignore_ascii_case(b"off") {
        if ctx.client.tracking {
            disable(ctx.shared, ctx.store, ctx.client.id);
        }
        ctx.client.tracking = false;
        ctx.client.tracking_bcast = false;
        ctx.client.caching = false;
        return ctx.out.ok();
    }
    if !args[2].eq_ignore_ascii_case(b"on") {
        return ctx.out.error(super::errors::SYNTAX);
    }
    if !mode.bcast && !prefixes.is_empty() {
        return ctx
            .out
            .error("ERR PREFIX option requires BCAST mode to be enabled");
    }
    let old = state(ctx.shared).mode(ctx.client.id).cloned();
    if old.as_ref().is_some_and(|o| o.bcast != mode.bcast) {
        return ctx.out.error(
            "ERR You can't switch BCAST mode on/off before disabling tracking for this client, \
             and then re-enabling it with a different mode.",
        );
    }
    if mode.bcast && (mode.optin || mode.optout) {
        return ctx
            .out
            .error("ERR OPTIN and OPTOUT are not compatible with BCAST");
    }
    if mode.optin && mode.optout {
        return ctx
            .out
            .error("ERR You can't specify both OPTIN mode and OPTOUT mode");
    }
    if old
        .as_ref()
        .is_some_and(|o| (mode.optin && o.optout) || (mode.optout && o.optin))
    {
        return ctx.out.error(
            "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, \
             and then re-enabling it with a different mode.",
        );
    }
    if mode.bcast {
        if let Some(msg) = prefix_collision(old.as_ref(), &prefixes) {
            return super::error_bytes(ctx.out, &msg);
        }
    }
    enable(ctx, mode, &prefixes);
    ctx.out.ok();
}

/// CLIENT CACHING YES|NO: whether the next command's keys are remembered
/// (OPTIN: only after YES; OPTOUT: not after NO).
pub fn client_caching(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let mode = state(ctx.shared).mode(ctx.client.id).cloned();
    let Some(mode) = mode else {
        return ctx.out.error(
            "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN \
             or OPTOUT mode enabled",
        );
    };
    if args[2].eq_ignore_ascii_case(b"yes") {
        if !mode.optin {
            return ctx.out.error(
                "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.",
            );
        }
    } else if args[2].eq_ignore_ascii_case(b"no") {
        if !mode.optout {
            return ctx.out.error(
                "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.",
            );
        }
    } else {
        return ctx.out.error(super::errors::SYNTAX);
    }
    ctx.client.caching = true;
    ctx.out.ok();
}

/// CLIENT GETREDIR: the redirect target (0: none), -1 when not tracking.
pub fn client_getredir(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    let redirect = state(ctx.shared)
        .mode(ctx.client.id)
        .map_or(-1, |m| m.redirect as i64);
    ctx.out.integer(redirect);
}

/// CLIENT TRACKINGINFO: a map of flags (a set), redirect and prefixes.
pub fn client_trackinginfo(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    let mode = state(ctx.shared).mode(ctx.client.id).cloned();
    let mut flags: Vec<&str> = vec![if mode.is_some() { "on" } else { "off" }];
    if let Some(m) = &mode {
        let caching = ctx.client.caching;
        for (on, name) in [
            (m.bcast, "bcast"),
            (m.optin, "optin"),
            (m.optin && caching, "caching-yes"),
            (m.optout, "optout"),
            (m.optout && caching, "caching-no"),
            (m.noloop, "noloop"),
            (m.broken, "broken_redirect"),
        ] {
            if on {
                flags.push(name);
            }
        }
    }
    let out = &mut *ctx.out;
    out.map(3);
    out.bulk(b"flags");
    out.set(flags.len());
    for f in flags {
        out.bulk(f.as_bytes());
    }
    out.bulk(b"redirect");
    out.integer(mode.as_ref().map_or(-1, |m| m.redirect as i64));
    out.bulk(b"prefixes");
    let prefixes = mode.map(|m| m.prefixes).unwrap_or_default();
    out.array(prefixes.len());
    for p in prefixes {
        out.bulk(&p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_may_not_overlap() {
        let v = |w: &[&str]| w.iter().map(|s| s.as_bytes().to_vec()).collect::<Vec<_>>();
        // Texts as redis-server 7.0.15 sends them.
        assert_eq!(
            prefix_collision(None, &v(&["FOOBAR", "FOO"])).map(String::from_utf8),
            Some(Ok(
                "ERR Prefix 'FOOBAR' overlaps with another provided prefix 'FOO'. \
                     Prefixes for a single client must not overlap."
                    .to_string()
            ))
        );
        let mine = Mode {
            prefixes: v(&["FOO", "BAR"]).into_iter().collect(),
            ..Mode::default()
        };
        assert_eq!(
            prefix_collision(Some(&mine), &v(&["BARB"])).map(String::from_utf8),
            Some(Ok(
                "ERR Prefix 'BARB' overlaps with an existing prefix 'BAR'. \
                     Prefixes for a single client must not overlap."
                    .to_string()
            ))
        );
        assert_eq!(prefix_collision(Some(&mine), &v(&["BAZ", "QU"])), None);
    }

    #[test]
    fn keys_arrays_are_resp_arrays() {
        assert_eq!(
            keys_array([&b"a"[..], b"bc"].into_iter()),
            b"*2\r\n$1\r\na\r\n$2\r\nbc\r\n".to_vec()
        );
    }
}
