//! Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
//!
//! A client inside MULTI has `client.tx.queue = Some(..)`; [`super::dispatch`]
//! then queues every command except the ones that steer the transaction itself
//! (EXEC, DISCARD, MULTI, WATCH, QUIT, RESET) and answers `+QUEUED`. An unknown
//! command or a wrong arity while queueing is answered with its usual error and
//! flags the transaction (`tx.aborted`), so EXEC answers EXECABORT.
//!
//! EXEC runs the queue inside the one call of `dispatch` that runs EXEC, so under
//! the single keyspace lock the connection thread took for its batch: nothing else
//! runs in between, which is what makes a transaction atomic. Runtime errors are
//! per-command replies inside EXEC's array; later commands still run.
//!
//! WATCH records, per key, the [`Stamp`] the database's [`WatchedKeys`] holds (see
//! `store/watch.rs`: every change a `Db` makes bumps it) and whether the key was
//! live. EXEC fails with a nil array when a key that was live at WATCH time was
//! touched or has logically expired since, or when a key that was not live (missing
//! or already expired) had a touch that was not benign: deleting an expired key,
//! or SWAPDB putting an expired or no key where one was, is no change for it
//! (Redis 7.0's `expired` mark on watched keys).
//!
//! Invariants: every watch this client registered is unregistered exactly once
//! (EXEC, DISCARD, UNWATCH, RESET or disconnect: [`unwatch_all`]; after a
//! DISCARD or EXEC answered while a script was busy, at the client's next
//! command: [`unwatch_dropped`]).
//!
//! [`WatchedKeys`]: crate::store::watch::WatchedKeys
//! [`Stamp`]: crate::store::watch::Stamp
use super::{flags::*, CommandSpec, Ctx, Keys};
use crate::store::{now_ms, Store};
use std::sync::atomic::Ordering::Relaxed;

const TX: u32 = NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "multi",
        arity: 1,
        flags: TX | NOT_QUEUED,
        keys: Keys::NONE,
        handler: multi,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "exec",
        arity: 1,
        flags: NOSCRIPT | LOADING | STALE | SKIP_SLOWLOG | RUNS_SCRIPT | NOT_QUEUED,
        keys: Keys::NONE,
        handler: exec,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "discard",
        arity: 1,
        flags: TX | NOT_QUEUED,
        keys: Keys::NONE,
        handler: discard,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "watch",
        arity: -2,
        flags: TX | NOT_QUEUED,
        keys: Keys::ALL,
        handler: watch,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "unwatch",
        arity: 1,
        flags: TX,
        keys: Keys::NONE,
        handler: unwatch,
        ..CommandSpec::DEFAULT
    },
];

/// One WATCHed key of a client.
#[derive(Debug, Clone)]
pub struct Watch {
    pub db: usize,
    pub key: Vec<u8>,
    /// The key's counters in its database's watch map at WATCH time.
    pub stamp: crate::store::watch::Stamp,
    /// Whether the key existed (and had not expired) at WATCH time.
    pub live: bool,
}

/// A client's transaction state.
#[derive(Debug, Default)]
pub struct TxState {
    /// Inside MULTI: the queued commands (arguments, name first).
    pub queue: Option<Vec<Vec<Vec<u8>>>>,
    /// A command was refused while queueing: EXEC must answer EXECABORT.
    pub aborted: bool,
    /// The flags of the queued requests, or-ed as each was queued (EVAL and
    /// FCALL by their script's flags then; Redis's `mstate.cmd_flags`): EXEC
    /// is refused under MISCONF or OOM on them.
    pub flags: u32,
    pub watched: Vec<Watch>,
    /// Watches dropped while a busy script held the keyspace (DISCARD or EXEC
    /// answered without the lock): unregistered at the client's next command
    /// under the lock, or when it disconnects.
    pub unwatch_later: Vec<Watch>,
    /// EXEC is running the queued commands (they skip the maxmemory check
    /// EXEC itself passed, see `cmd::evict::admit`, and a denied ACL check
    /// answers as 7.0's EXEC does).
    pub running: bool,
}

impl TxState {
    pub fn in_multi(&self) -> bool {
        self.queue.is_some()
    }

    /// Leaves MULTI and drops the watches without the keyspace (a busy script
    /// holds it); the watches are unregistered later (`unwatch_later`).
    pub fn discard_while_busy(&mut self) {
        self.queue = None;
        self.aborted = false;
        self.flags = 0;
        let dropped = std::mem::take(&mut self.watched);
        self.unwatch_later.extend(dropped);
    }
}

/// Unregisters every key this client watches (and the watches it dropped while
/// the keyspace was busy).
pub fn unwatch_all(store: &mut Store, tx: &mut TxState) {
    for w in tx.watched.drain(..).chain(tx.unwatch_later.drain(..)) {
        if w.db < store.db_count() {
            store.db(w.db).watched.unwatch(&w.key);
        }
    }
}

/// Unregisters the watches the client dropped while the keyspace was busy.
pub fn unwatch_dropped(store: &mut Store, tx: &mut TxState) {
    for w in tx.unwatch_later.drain(..) {
        if w.db < store.db_count() {
            store.db(w.db).watched.unwatch(&w.key);
        }
    }
}

/// Leaves MULTI (if inside) and unwatches: DISCARD, RESET, EXEC's epilogue.
pub fn discard_transaction(ctx: &mut Ctx<'_>) {
    ctx.client.tx.queue = None;
    ctx.client.tx.aborted = false;
    ctx.client.tx.flags = 0;
    unwatch_all(ctx.store, &mut ctx.client.tx);
}

/// Whether `key` is stored in `db` and not past its expiry (no side effects).
fn is_live(store: &Store, db: usize, key: &[u8]) -> bool {
    let table = &store.dbs()[db].table;
    match table.find(key) {
        None => false,
        Some(i) => {
            let at = table.expire_at(i);
            at == 0 || at > now_ms()
        }
    }
}

/// Whether any watched key changed since it was watched (EXEC would fail;
/// CLIENT LIST's `d` flag).
pub fn watch_broken(store: &Store, tx: &TxState) -> bool {
    tx.watched.iter().any(|w| {
        let Some(now) = store.dbs()[w.db].watched.stamp(&w.key) else {
            return true;
        };
        if w.live {
            now.version != w.stamp.version || !is_live(store, w.db, &w.key)
        } else {
            now.version - w.stamp.version != now.benign - w.stamp.benign
        }
    })
}

fn multi(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    if ctx.client.tx.in_multi() {
        ctx.out.error("ERR MULTI calls can not be nested");
        return;
    }
    ctx.client.tx.queue = Some(Vec::new());
    ctx.client.tx.aborted = false;
    ctx.client.tx.flags = 0;
    ctx.out.ok();
}

fn discard(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    if !ctx.client.tx.in_multi() {
        ctx.out.error("ERR DISCARD without MULTI");
        return;
    }
    discard_transaction(ctx);
    ctx.out.ok();
}

fn exec(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    let Some(queue) = ctx.client.tx.queue.take() else {
        ctx.out.error("ERR EXEC without MULTI");
        return;
    };
    if ctx.client.tx.aborted {
        discard_transaction(ctx);
        ctx.out
            .error("EXECABORT Transaction discarded because of previous errors.");
        return;
    }
    let broken = watch_broken(ctx.store, &ctx.client.tx);
    discard_transaction(ctx);
    if broken {
        ctx.out.null_array();
        return;
    }
    ctx.out.array(queue.len());
    let was = std::mem::replace(&mut ctx.client.no_block, true);
    // CLIENT LIST keeps showing `cmd=exec`, as Redis does.
    let last = ctx.client.handle.as_ref().map(|h| h.last_cmd.load(Relaxed));
    let running = std::mem::replace(&mut ctx.client.tx.running, true);
    for args in &queue {
        super::dispatch(ctx, args);
    }
    ctx.client.tx.running = running;
    if let (Some(h), Some(last)) = (&ctx.client.handle, last) {
        h.last_cmd.store(last, Relaxed);
    }
    ctx.client.no_block = was;
}

fn watch(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if ctx.client.tx.in_multi() {
        ctx.out.error("ERR WATCH inside MULTI is not allowed");
        return;
    }
    let db = ctx.client.db;
    for key in &args[1..] {
        let tx = &ctx.client.tx;
        if tx.watched.iter().any(|w| w.db == db && w.key == *key) {
            continue;
        }
        let live = is_live(ctx.store, db, key);
        let stamp = ctx.store.db(db).watched.watch(key);
        ctx.client.tx.watched.push(Watch {
            db,
            key: key.clone(),
            stamp,
            live,
        });
    }
    ctx.out.ok();
}

fn unwatch(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    unwatch_all(ctx.store, &mut ctx.client.tx);
    ctx.out.ok();
}
