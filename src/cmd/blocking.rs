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
//! Invariant: a client id is in `waiters` iff it is in the queue of each of its
//! keys.
use super::ClientState;
use super::Ctx;
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
    /// UNBLOCKED error; false when the client is not blocked.
    pub fn unblock(&mut self, id: u64, with_error: bool) -> bool {
        let Some(w) = self.remove(id) else {
            return false;
        };
        let reply = if with_error {
            b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n".to_vec()
        } else {
            w.timeout_reply.to_vec()
        };
        w.mailbox.post(reply);
        true
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

    /// Whether some key was signalled since the last [`serve_ready`].
    #[inline]
    pub fn has_ready(&self) -> bool {
        !self.ready.is_empty()
    }
}

/// Serves the clients waiting on keys that filled, first come first served,
/// running each one's command again in non-blocking form on its behalf.
pub fn serve_ready(ctx: &mut Ctx<'_>) {
    let mut rounds = 0;
    while ctx.blocked.has_ready() && rounds < 10_000 {
        rounds += 1;
        let ready = std::mem::take(&mut ctx.blocked.ready);
        for (db, key) in ready {
            let slot = (db, key);
            while let Some(&id) = ctx.blocked.queues.get(&slot).and_then(|q| q.front()) {
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

/// A C99 hexadecimal float (`0x10`, `-0x1.8p3`), which Redis's `strtold`
/// accepts where Rust's parser does not; the whole text must be the number.
fn hex_float(s: &str) -> Option<f64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let body = body
        .strip_prefix("0x")
        .or_else(|| body.strip_prefix("0X"))?;
    let (mant, exp) = match body.find(['p', 'P']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in int.chars() {
        v = v * 16.0 + f64::from(c.to_digit(16)?);
    }
    let mut scale = 1.0 / 16.0;
    for c in frac.chars() {
        v += f64::from(c.to_digit(16)?) * scale;
        scale /= 16.0;
    }
    if let Some(e) = exp {
        let e: i32 = e.parse().ok()?;
        v *= 2f64.powi(e);
    }
    Some(if neg { -v } else { v })
}

/// Parses a blocking command's timeout (seconds, fractional) into a deadline
/// (None: forever), with Redis 7.0's errors.
pub fn parse_timeout(arg: &[u8]) -> Result<Option<Instant>, &'static str> {
    let secs: f64 = std::str::from_utf8(arg)
        .ok()
        .filter(|s| !s.is_empty() && !s.starts_with(char::is_whitespace))
        .and_then(|s| s.parse().ok().or_else(|| hex_float(s)))
        .filter(|x: &f64| !x.is_nan())
        .ok_or("ERR timeout is not a float or out of range")?;
    let ms = secs * 1000.0;
    // Redis casts to a 64-bit integer: infinities and overflows come out negative.
    if !(0.0..9_223_372_036_854_775_808.0).contains(&ms) {
        return Err("ERR timeout is negative");
    }
    if ms == 0.0 {
        return Ok(None);
    }
    // (a deadline past what the clock can hold is as good as forever)
    Ok(Instant::now().checked_add(Duration::from_micros((ms * 1000.0) as u64)))
}

#[cfg(test)]
mod tests {
    use super::key_first;

    fn v(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn hex_float_timeouts_read_as_strtold_reads_them() {
        use super::hex_float;
        assert_eq!(hex_float("0x10"), Some(16.0));
        assert_eq!(hex_float("-0X1.8p1"), Some(-3.0));
        assert_eq!(hex_float("0x.8"), Some(0.5));
        assert_eq!(hex_float("0x"), None);
        assert_eq!(hex_float("0x1g"), None);
        assert_eq!(hex_float("10"), None);
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
