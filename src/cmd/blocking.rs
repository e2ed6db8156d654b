//! Blocking pops: clients waiting on keys, and serving them when a key fills.
//!
//! The registry ([`Blocked`]) lives in the keyspace (`Keyspace::blocked`), so it
//! changes only under the keyspace lock, in the same critical section as the data:
//!
//! 1. a blocking command (BLPOP, BLMOVE, ...) that finds nothing registers its
//!    client as a waiter on each of its keys (FIFO per key) and leaves a
//!    [`BlockRequest`] in the client state instead of a reply;
//! 2. the connection thread then gives up the lock and waits on the waiter's
//!    mailbox (`server/wait.rs`), with the timeout, and watching for the client
//!    going away;
//! 3. every write that may fill a key (a push, a move into it) calls
//!    [`Blocked::signal`]; after each command, still under the lock,
//!    [`serve_ready`] runs the first waiter's command again, in its non-blocking
//!    form and on its behalf, and posts the reply to its mailbox — as Redis's
//!    `handleClientsBlockedOnKeys` does, so the waiter is served before any
//!    other client can take the element, and in arrival order.
//!
//! The blocking core knows nothing of lists: a waiter is its keys and the
//! command to run again; sorted sets' blocking pops plug in the same way.
//! Stream readers (XREAD, XREADGROUP) differ in two ways, as in Redis: they
//! do not consume what they read, so every stream waiter of a signalled key
//! is offered the new entries in turn (`cmd::stream_read::serve_blocked`
//! answers for that one key); and an XREADGROUP waiter ends with an error
//! when its key is deleted or replaced by another type, which is checked
//! after every command while such waiters exist.
//! Invariant: a client id is in `waiters` iff it is in the queue of each of its
//! keys.
use super::ClientState;
use super::{Ctx, Shared};
use crate::resp::Reply;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Where a blocked client's reply is posted.
#[derive(Debug, Default)]
pub struct Mailbox {
    reply: Mutex<Option<Vec<u8>>>,
    ready: Condvar,
}

impl Mailbox {
    pub fn post(&self, reply: Vec<u8>) {
        let mut slot = self.reply.lock().unwrap_or_else(|e| e.into_inner());
        *slot = Some(reply);
        self.ready.notify_one();
    }

    pub fn take(&self) -> Option<Vec<u8>> {
        self.reply.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// Waits up to `slice` for a reply; the reply if one was posted.
    pub fn wait_for(&self, slice: Duration) -> Option<Vec<u8>> {
        let mut slot = self.reply.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(r) = slot.take() {
            return Some(r);
        }
        let (mut slot, _) = self
            .ready
            .wait_timeout(slot, slice)
            .unwrap_or_else(|e| e.into_inner());
        slot.take()
    }
}

/// What a blocking command leaves in the client state when it must wait.
#[derive(Debug)]
pub struct BlockRequest {
    pub mailbox: Arc<Mailbox>,
    /// None: wait forever (timeout 0).
    pub deadline: Option<Instant>,
    /// The reply when the timeout passes.
    pub timeout_reply: &'static [u8],
}

/// One waiting client.
#[derive(Debug)]
struct Waiter {
    db: usize,
    keys: Vec<Vec<u8>>,
    /// The command to run again when a key fills.
    args: Vec<Vec<u8>>,
    resp: u8,
    mailbox: Arc<Mailbox>,
    timeout_reply: &'static [u8],
}

/// The registry of blocked clients.
#[derive(Debug, Default)]
pub struct Blocked {
    waiters: HashMap<u64, Waiter>,
    queues: HashMap<(usize, Vec<u8>), VecDeque<u64>>,
    ready: Vec<(usize, Vec<u8>)>,
    /// Waiters in XREADGROUP: while there are any, every command ends with
    /// a check of their keys (see [`serve_ready`]).
    stream_groups: usize,
}

impl Blocked {
    /// Number of blocked clients (INFO `blocked_clients`).
    pub fn count(&self) -> usize {
        self.waiters.len()
    }

    /// Whether client `id` waits in a blocking command (CLIENT LIST flag `b`).
    pub fn is_blocked(&self, id: u64) -> bool {
        self.waiters.contains_key(&id)
    }

    /// Registers `client_id` as waiting on `keys` of database `db`; `args` is
    /// the command to run again when one fills.
    pub fn block(
        &mut self,
        client: &ClientState,
        keys: &[Vec<u8>],
        args: &[Vec<u8>],
        deadline: Option<Instant>,
        timeout_reply: &'static [u8],
    ) -> BlockRequest {
        let mailbox = Arc::new(Mailbox::default());
        for k in keys {
            self.queues
                .entry((client.db, k.clone()))
                .or_default()
                .push_back(client.id);
        }
        self.stream_groups += usize::from(is_xreadgroup(args));
        self.waiters.insert(
            client.id,
            Waiter {
                db: client.db,
                keys: keys.to_vec(),
                args: args.to_vec(),
                resp: client.resp,
                mailbox: mailbox.clone(),
                timeout_reply,
            },
        );
        BlockRequest {
            mailbox,
            deadline,
            timeout_reply,
        }
    }

    /// Takes client `id` out of the registry (its wait ended without a reply:
    /// timeout, or the client went away).
    pub fn forget(&mut self, id: u64) {
        self.remove(id);
    }

    /// Removes a waiter from the registry.
    fn remove(&mut self, id: u64) -> Option<Waiter> {
        let w = self.waiters.remove(&id)?;
        self.stream_groups -= usize::from(is_xreadgroup(&w.args));
        for k in &w.keys {
            let slot = (w.db, k.clone());
            if let Some(q) = self.queues.get_mut(&slot) {
                q.retain(|&c| c != id);
                if q.is_empty() {
                    self.queues.remove(&slot);
                }
            }
        }
        Some(w)
    }

    /// CLIENT UNBLOCK: ends a wait with its timeout reply, or with the
    /// UNBLOCKED error; the waiting command's name, None when the client is
    /// not blocked.
    pub fn unblock(&mut self, id: u64, with_error: bool) -> Option<Vec<u8>> {
        let mut w = self.remove(id)?;
        let reply = if with_error {
            b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n".to_vec()
        } else {
            w.timeout_reply.to_vec()
        };
        w.mailbox.post(reply);
        Some(std::mem::take(w.args.first_mut()?))
    }

    /// A write may have filled `key`: remember it if someone waits on it.
    #[inline]
    pub fn signal(&mut self, db: usize, key: &[u8]) {
        if self.queues.is_empty() {
            return;
        }
        let slot = (db, key.to_vec());
        if self.queues.contains_key(&slot) && !self.ready.contains(&slot) {
            self.ready.push(slot);
        }
    }

    /// Every key of `db` may have filled (SWAPDB brought in a whole database):
    /// remember each one someone waits on.
    pub fn signal_db(&mut self, db: usize) {
        for slot in self.queues.keys() {
            if slot.0 == db && !self.ready.contains(slot) {
                self.ready.push(slot.clone());
            }
        }
    }

    /// Whether some key was signalled since the last [`serve_ready`] (or
    /// XREADGROUP waiters need their keys checked).
    #[inline]
    pub fn has_ready(&self) -> bool {
        !self.ready.is_empty() || self.stream_groups > 0
    }
}

/// A waiter in XREAD or XREADGROUP (served by `cmd::stream_read`).
fn is_stream_waiter(args: &[Vec<u8>]) -> bool {
    args.first()
        .is_some_and(|n| n.eq_ignore_ascii_case(b"xread") || n.eq_ignore_ascii_case(b"xreadgroup"))
}

fn is_xreadgroup(args: &[Vec<u8>]) -> bool {
    args.first()
        .is_some_and(|n| n.eq_ignore_ascii_case(b"xreadgroup"))
}

/// The client a waiter's command runs as when it is served.
fn waiter_client(id: u64, w: &Waiter) -> ClientState {
    ClientState {
        id,
        db: w.db,
        resp: w.resp,
        authenticated: true,
        no_block: true,
        ..ClientState::default()
    }
}

/// Runs `serve` as the waiter `id`'s client; when it replies, the waiter
/// leaves the registry with that reply (counted as its command's failure if
/// it is an error, as Redis counts a blocked command when it ends).
fn serve_as(ctx: &mut Ctx<'_>, id: u64, serve: impl FnOnce(&mut Ctx<'_>, &[Vec<u8>]) -> bool) {
    let Some(w) = ctx.blocked.waiters.get(&id) else {
        return;
    };
    let args = w.args.clone();
    let mut client = waiter_client(id, w);
    let mut out = Reply::new();
    out.proto = w.resp;
    let mut sub = Ctx {
        store: &mut *ctx.store,
        blocked: &mut *ctx.blocked,
        scripts: &mut *ctx.scripts,
        client: &mut client,
        out: &mut out,
        shared: ctx.shared,
    };
    // What serving changes (a group's deliveries) is its own unit, after
    // the command that woke the waiter.
    let frame = super::propagate::begin(&mut sub);
    let served = serve(&mut sub, &args);
    if frame.is_some() {
        let name = args
            .first()
            .map(|a| String::from_utf8_lossy(a).to_ascii_lowercase())
            .unwrap_or_default();
        super::propagate::end(&mut sub, frame, &name, &args);
    }
    if !served {
        return;
    }
    let Some(w) = ctx.blocked.remove(id) else {
        return;
    };
    if let Some(msg) = out.buf.strip_prefix(b"-") {
        count_failure(ctx.shared, &args, msg);
    }
    w.mailbox.post(out.buf);
}

/// A blocked command ended with the error `msg`: counted in the error
/// statistics and as a failed call of the command (INFO errorstats and
/// commandstats), when its reply is decided rather than when it blocked.
fn count_failure(shared: &Shared, args: &[Vec<u8>], msg: &[u8]) {
    shared.count_error(msg);
    let cmd = args.first().and_then(|name| shared.commands.lookup(name));
    if let Some(stats) = cmd
        .and_then(|i| shared.commands.rows.get(i))
        .map(|r| &r.stats)
    {
        stats
            .failed_calls
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Ends with an error the XREADGROUP waits whose keys were deleted or
/// replaced by another type (Redis signals those keys when they go).
fn unblock_gone_stream_groups(ctx: &mut Ctx<'_>) {
    let ids: Vec<u64> = ctx
        .blocked
        .waiters
        .iter()
        .filter(|(_, w)| is_xreadgroup(&w.args))
        .map(|(id, _)| *id)
        .collect();
    for id in ids {
        serve_as(
            ctx,
            id,
            |sub, args| match crate::cmd::stream_read::group_key_gone(sub, args) {
                Some(e) => {
                    sub.out.error(e);
                    true
                }
                None => false,
            },
        );
    }
}

/// Serves the clients waiting on keys that filled, first come first served,
/// running each one's command again in non-blocking form on its behalf.
pub fn serve_ready(ctx: &mut Ctx<'_>) {
    if ctx.blocked.stream_groups > 0 {
        unblock_gone_stream_groups(ctx);
    }
    let mut rounds = 0;
    while !ctx.blocked.ready.is_empty() && rounds < 10_000 {
        rounds += 1;
        let ready = std::mem::take(&mut ctx.blocked.ready);
        for (db, key) in ready {
            let slot = (db, key);
            // Stream waiters do not consume the key: each one in line is
            // served if there is something after the ID it waits for.
            let queue: Vec<u64> = ctx
                .blocked
                .queues
                .get(&slot)
                .map(|q| q.iter().copied().collect())
                .unwrap_or_default();
            for id in queue {
                let stream = ctx
                    .blocked
                    .waiters
                    .get(&id)
                    .is_some_and(|w| is_stream_waiter(&w.args));
                if stream {
                    let key = slot.1.clone();
                    serve_as(ctx, id, |sub, args| {
                        crate::cmd::stream_read::serve_blocked(sub, args, &key)
                    });
                }
            }
            while let Some(&id) = ctx.blocked.queues.get(&slot).and_then(|q| {
                q.iter().find(|id| {
                    ctx.blocked
                        .waiters
                        .get(id)
                        .is_some_and(|w| !is_stream_waiter(&w.args))
                })
            }) {
                let wants_zset = ctx.blocked.waiters.get(&id).is_some_and(|w| {
                    w.args
                        .first()
                        .is_some_and(|n| n.len() > 2 && n[..2].eq_ignore_ascii_case(b"bz"))
                });
                if !key_has_elements(ctx, slot.0, &slot.1, wants_zset) {
                    break;
                }
                let Some(w) = ctx.blocked.remove(id) else {
                    break;
                };
                let mut client = ClientState {
                    id,
                    db: w.db,
                    resp: w.resp,
                    authenticated: true,
                    no_block: true,
                    ..ClientState::default()
                };
                let mut out = Reply::new();
                out.proto = w.resp;
                let mut sub = Ctx {
                    store: &mut *ctx.store,
                    blocked: &mut *ctx.blocked,
                    scripts: &mut *ctx.scripts,
                    client: &mut client,
                    out: &mut out,
                    shared: ctx.shared,
                };
                // The served client is the current one while its command
                // runs: its invalidations follow its reply.
                let tracking = super::tracking::is_on(sub.shared);
                let prev = tracking.then(|| super::tracking::begin(&mut sub));
                super::dispatch(&mut sub, &key_first(&w.args, &w.keys, &slot.1));
                if tracking || super::tracking::is_on(sub.shared) {
                    super::tracking::end(&mut sub, prev.flatten());
                }
                w.mailbox.post(out.buf);
            }
        }
    }
}

/// The waiter's command with `key` moved to the front of its keys, so that
/// running it again pops from the key that filled, as Redis serves a waiter
/// from the ready key (BRPOP a b, with b filled before a in one transaction,
/// answers from b). The keys sit in the command, in order, as one run.
fn key_first(args: &[Vec<u8>], keys: &[Vec<u8>], key: &[u8]) -> Vec<Vec<u8>> {
    let mut args = args.to_vec();
    let n = keys.len();
    let start = (1..=args.len().saturating_sub(n)).find(|&s| args.get(s..s + n) == Some(keys));
    if let (Some(s), Some(pos)) = (start, keys.iter().position(|k| k.as_slice() == key)) {
        args[s..=s + pos].rotate_right(1);
    }
    args
}

/// Whether `key` in `db` holds a non-empty collection of the type the waiter
/// pops (a sorted set for BZPOP*/BZMPOP, else a list). A key of another type
/// leaves the waiter blocked, as in Redis (its command would fail WRONGTYPE).
fn key_has_elements(ctx: &mut Ctx<'_>, db: usize, key: &[u8], zset: bool) -> bool {
    let d = ctx.store.db(db);
    match d.lookup_no_touch(key) {
        Some(i) => match &d.entry(i).value {
            crate::store::Value::List(l) => !zset && !l.is_empty(),
            crate::store::Value::ZSet(z) => zset && !z.is_empty(),
            _ => false,
        },
        None => false,
    }
}

/// The reply of a blocking command that times out: the nil array (`*-1` in
/// RESP2, `_` in RESP3), whatever the command, as in 7.0.
fn timeout_reply(resp: u8) -> &'static [u8] {
    if resp >= 3 {
        b"_\r\n"
    } else {
        b"*-1\r\n"
    }
}

/// A blocking command found nothing: wait for `keys` (the connection thread
/// does, after the command returns), or, where waiting is not possible (inside
/// EXEC, in a script, while serving a waiter), reply `immediate` at once.
pub fn block_or_reply(
    ctx: &mut Ctx<'_>,
    keys: &[Vec<u8>],
    args: &[Vec<u8>],
    deadline: Option<Instant>,
    immediate: fn(&mut Reply),
) {
    if ctx.client.no_block || ctx.client.tx.in_multi() {
        return immediate(ctx.out);
    }
    let req = ctx.blocked.block(
        ctx.client,
        keys,
        args,
        deadline,
        timeout_reply(ctx.client.resp),
    );
    ctx.client.block = Some(req);
}

/// Parses a blocking command's timeout (seconds, fractional) into a deadline
/// (None: forever), as Redis 7.0's `getTimeoutFromObjectOrReply` does: the text
/// is read as a `long double` (`string2ld`, [`crate::num::F80`]), times 1000 in
/// `long double`, rounded up (`ceill`) and cast to a 64-bit integer of
/// milliseconds (out of range is negative); negative is an error, 0 is forever.
pub fn parse_timeout(arg: &[u8]) -> Result<Option<Instant>, &'static str> {
    let secs = crate::num::F80::parse(arg).ok_or("ERR timeout is not a float or out of range")?;
    let ms = secs.times(1000).ceil_to_i64();
    if ms < 0 {
        return Err("ERR timeout is negative");
    }
    if ms == 0 {
        return Ok(None);
    }
    // (a deadline past what the clock can hold is as good as forever)
    Ok(Instant::now().checked_add(Duration::from_millis(ms as u64)))
}

#[cfg(test)]
mod tests {
    use super::key_first;

    fn v(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn hex_float_timeouts_read_as_strtold_reads_them() {
        // What redis-server 7.0.15 answers for BLPOP's timeout (Ok: it waits).
        use super::parse_timeout;
        let not_float = Err("ERR timeout is not a float or out of range");
        let negative = Err("ERR timeout is negative");
        assert!(matches!(parse_timeout(b"0x10"), Ok(Some(_))));
        assert_eq!(parse_timeout(b"-0X1.8p1"), negative);
        assert!(matches!(parse_timeout(b"0x.8"), Ok(Some(_))));
        assert_eq!(parse_timeout(b"0x"), not_float);
        assert_eq!(parse_timeout(b"0x1g"), not_float);
        assert!(matches!(parse_timeout(b"10"), Ok(Some(_))));
        for bad in [
            &b"1e5000"[..],
            b"1e-5000",
            b"0x1p-20000",
            b" 1",
            b"1 ",
            b"nan",
            b"",
        ] {
            assert_eq!(parse_timeout(bad), not_float, "{bad:?}");
        }
        assert!(matches!(parse_timeout(b"0.0004"), Ok(Some(_))));
        assert!(matches!(parse_timeout(b"1e-400"), Ok(Some(_))));
        for forever in [&b"0"[..], b"-0", b"-0.0001", b"-1e-400"] {
            assert_eq!(parse_timeout(forever), Ok(None), "{forever:?}");
        }
        for neg in [
            &b"-1"[..],
            b"inf",
            b"1e400",
            b"1e18",
            b"9223372036854775.808",
        ] {
            assert_eq!(parse_timeout(neg), negative, "{neg:?}");
        }
        assert!(matches!(
            parse_timeout(b"9223372036854775.807"),
            Ok(Some(_))
        ));
    }

    #[test]
    fn the_ready_key_moves_to_the_front_of_the_keys() {
        let keys = v(&["a", "b", "c"]);
        assert_eq!(
            key_first(&v(&["BRPOP", "a", "b", "c", "0"]), &keys, b"c"),
            v(&["BRPOP", "c", "a", "b", "0"])
        );
        assert_eq!(
            key_first(
                &v(&["BLMPOP", "0", "3", "a", "b", "c", "LEFT"]),
                &keys,
                b"b"
            ),
            v(&["BLMPOP", "0", "3", "b", "a", "c", "LEFT"])
        );
        let one = v(&["a"]);
        assert_eq!(
            key_first(&v(&["BLMOVE", "a", "a", "LEFT", "RIGHT", "0"]), &one, b"a"),
            v(&["BLMOVE", "a", "a", "LEFT", "RIGHT", "0"])
        );
        assert_eq!(key_first(&v(&["X"]), &[], b"a"), v(&["X"]));
    }
}
