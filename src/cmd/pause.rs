//! CLIENT PAUSE and CLIENT UNPAUSE: holding clients' commands for a while.
//!
//! `CLIENT PAUSE timeout [WRITE|ALL]` stops the server from running commands of
//! ordinary clients until `timeout` milliseconds have passed or CLIENT UNPAUSE:
//! every command (ALL), or only those that may change data or be replicated
//! (WRITE: the command's flags, as 7.0 computes them for the request, include
//! `write` or `may_replicate`; EXEC counts its queued commands'; EVAL and FCALL
//! count their script's declared flags). Reads, and commands refused before they
//! run (unknown command, wrong arity, NOAUTH), are not held. Successive pauses
//! combine: the later end and the stricter kind win, as in Redis.
//!
//! While paused, keys are not expired: a key past its TTL reads as missing but
//! stays in the database, and the active expiry cycle does nothing (so a
//! replica would see no DELs); see `store::Db::expire_hold`.
//!
//! How a held client waits is the server's business (`server/conn.rs`): it
//! asks [`must_wait`] under the keyspace lock before running a request and, if
//! so, releases the lock and sleeps on [`Pause::wait`] until the pause changes,
//! then asks again. Waiting clients count as blocked (INFO `blocked_clients`).
//!
//! Invariant: `active` is false whenever no pause is set; it may stay true for
//! a moment after a pause's end time passes, until [`Pause::kind`] notices.
use super::table::Lookup;
use super::{flags, Ctx};
use crate::store::now_ms;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// What is paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Kind {
    #[default]
    Off,
    Write,
    All,
}

/// The server's pause (in `Shared::pause`).
#[derive(Debug, Default)]
pub struct Pause {
    /// The kind and its end (Unix milliseconds).
    state: Mutex<(Kind, u64)>,
    changed: Condvar,
    active: AtomicBool,
    /// Clients waiting for the pause to end.
    pub waiting: AtomicUsize,
}

impl Pause {
    fn lock(&self) -> MutexGuard<'_, (Kind, u64)> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether a pause may be in effect (one atomic load).
    #[inline]
    pub fn maybe_active(&self) -> bool {
        self.active.load(Ordering::Relaxed)
    }

    /// Pauses `kind` until `end` (Unix ms), combined with a pause in effect.
    pub fn pause(&self, kind: Kind, end: u64) {
        let mut st = self.lock();
        if st.0 == Kind::Off || st.1 <= now_ms() {
            *st = (kind, end);
        } else {
            *st = (st.0.max(kind), st.1.max(end));
        }
        self.active.store(true, Ordering::Relaxed);
        drop(st);
        self.changed.notify_all();
    }

    /// CLIENT UNPAUSE: every held client goes on.
    pub fn unpause(&self) {
        *self.lock() = (Kind::Off, 0);
        self.active.store(false, Ordering::Relaxed);
        self.changed.notify_all();
    }

    /// The pause in effect now, with its end.
    pub fn kind(&self) -> (Kind, u64) {
        if !self.maybe_active() {
            return (Kind::Off, 0);
        }
        let mut st = self.lock();
        if st.0 != Kind::Off && st.1 <= now_ms() {
            *st = (Kind::Off, 0);
            self.active.store(false, Ordering::Relaxed);
            self.changed.notify_all();
        }
        *st
    }

    /// Sleeps until the pause changes (or ends), at most `max`.
    pub fn wait(&self, max: Duration) {
        let st = self.lock();
        if st.0 == Kind::Off {
            return;
        }
        let left = Duration::from_millis(st.1.saturating_sub(now_ms()));
        let _ = self
            .changed
            .wait_timeout(st, left.min(max))
            .unwrap_or_else(|e| e.into_inner());
    }
}

/// Whether the request `args` of `ctx.client` must wait for the pause to end.
/// Only a connection's own requests wait; a request that will be refused
/// (unknown, wrong arity, NOAUTH) is not held, so its error comes at once.
pub fn must_wait(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) -> bool {
    let (kind, _) = ctx.shared.pause.kind();
    if kind == Kind::Off || ctx.client.handle.is_none() {
        return false;
    }
    let commands = &ctx.shared.commands;
    let Lookup::Found(i) = commands.resolve(args) else {
        return false;
    };
    let spec = commands.rows[i].spec;
    let argc = args.len() as i32;
    if (spec.arity > 0 && argc != spec.arity) || argc < -spec.arity {
        return false;
    }
    if !ctx.client.authenticated && !ctx.shared.acl.open() && spec.flags & flags::NO_AUTH == 0 {
        return false;
    }
    if kind == Kind::All {
        return true;
    }
    super::request_flags_queued(ctx, i, args) & (flags::WRITE | flags::MAY_REPLICATE) != 0
}

/// The flags of one request to row `i`: the row's, or what its `getflags` says.
pub fn request_flags(ctx: &mut Ctx<'_>, i: usize, args: &[Vec<u8>]) -> u32 {
    let spec = ctx.shared.commands.rows[i].spec;
    match spec.getflags {
        Some(get) => get(ctx, args, spec.flags),
        None => spec.flags,
    }
}

/// CLIENT PAUSE timeout [WRITE|ALL]
pub fn client_pause(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if args.len() > 4 {
        let mut msg = b"ERR unknown subcommand or wrong number of arguments for '".to_vec();
        msg.extend_from_slice(super::c_str(&args[1], 128));
        msg.extend_from_slice(b"'. Try CLIENT HELP.");
        return super::error_bytes(ctx.out, &msg);
    }
    let kind = match args.get(3).map(|a| a.to_ascii_lowercase()) {
        None => Kind::All,
        Some(k) if k == b"write" => Kind::Write,
        Some(k) if k == b"all" => Kind::All,
        Some(_) => return ctx.out.error("ERR CLIENT PAUSE mode must be WRITE or ALL"),
    };
    let Some(ms) = crate::num::string2ll(&args[2]) else {
        return ctx
            .out
            .error("ERR timeout is not an integer or out of range");
    };
    if ms < 0 {
        return ctx.out.error("ERR timeout is negative");
    }
    let end = now_ms().saturating_add(ms as u64);
    ctx.shared.pause.pause(kind, end);
    let (_, until) = ctx.shared.pause.kind();
    ctx.store.set_expire_hold(until);
    ctx.out.ok();
}

/// CLIENT UNPAUSE
pub fn client_unpause(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    ctx.shared.pause.unpause();
    ctx.store.set_expire_hold(0);
    ctx.out.ok();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_combine_and_end() {
        let p = Pause::default();
        assert_eq!(p.kind(), (Kind::Off, 0));
        let soon = now_ms() + 60_000;
        p.pause(Kind::All, soon);
        p.pause(Kind::Write, soon + 1000);
        assert_eq!(p.kind(), (Kind::All, soon + 1000));
        p.unpause();
        assert!(!p.maybe_active());
        p.pause(Kind::Write, now_ms() + 20);
        p.wait(Duration::from_secs(2));
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(p.kind().0, Kind::Off);
        assert!(!p.maybe_active());
    }
}
