//! MONITOR: a client that asks to watch the server receives one line for each
//! command the server runs, as redis-server 7.0 streams them:
//!
//! `+1339518083.107412 [0 127.0.0.1:60866] "set" "foo" "bar"`
//!
//! (Unix time with microseconds, the database after the command ran, the client's
//! `ip:port` or `lua` for a script's calls, the arguments quoted with C escapes.)
//!
//! Invariants, as in 7.0:
//! - a command is shown after it ran (so a transaction's commands come before its
//!   EXEC, and SELECT shows its new database); commands flagged `SKIP_MONITOR`
//!   (EVAL, FCALL, ...) are shown by their handler before the script runs, so the
//!   script's own calls follow them; `ADMIN` commands (CONFIG, DEBUG, ...) are
//!   never shown, nor commands refused before they ran;
//! - secret arguments (`ClientState::redacted`) are shown as `(redacted)`;
//! - a monitor is a kind of replica: it may not run commands that read or write
//!   the keyspace (`Replica can't interact with the keyspace`); RESET or closing
//!   the connection ends the monitoring (CLIENT LIST's flag `O`).
use super::client::ClientHandle;
use super::{flags::*, CommandSpec, Ctx};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

pub static COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "monitor",
    arity: 1,
    flags: ADMIN | NOSCRIPT | LOADING | STALE,
    handler: monitor,
    ..CommandSpec::DEFAULT
}];

/// The clients in MONITOR mode.
#[derive(Debug, Default)]
pub struct Monitors {
    list: Mutex<Vec<Arc<ClientHandle>>>,
    /// Some client monitors: the one check every command pays.
    on: AtomicBool,
}

impl Monitors {
    fn add(&self, h: Arc<ClientHandle>) {
        let mut l = self.list.lock().unwrap_or_else(|e| e.into_inner());
        l.push(h);
        self.on.store(true, Ordering::Relaxed);
    }

    /// Ends monitoring for client `id` (RESET, disconnection).
    pub fn remove(&self, id: u64) {
        let mut l = self.list.lock().unwrap_or_else(|e| e.into_inner());
        l.retain(|h| h.id != id);
        self.on.store(!l.is_empty(), Ordering::Relaxed);
    }

    pub fn is_on(&self) -> bool {
        self.on.load(Ordering::Relaxed)
    }

    /// Sends one line to every monitor but client `me`; a monitor whose output
    /// buffer overflows is closed, as a pub/sub client is. True when `me` is a
    /// monitor too (its line follows its own reply).
    fn send(&self, line: &[u8], me: u64) -> bool {
        let mut mine = false;
        let mut l = self.list.lock().unwrap_or_else(|e| e.into_inner());
        l.retain(|h| {
            if h.killed.load(Ordering::Relaxed) {
                return false;
            }
            if h.id == me {
                mine = true;
                return true;
            }
            if !h.outbox.push(line) {
                h.kill();
                return false;
            }
            true
        });
        self.on.store(!l.is_empty(), Ordering::Relaxed);
        mine
    }
}

/// MONITOR
fn monitor(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    if ctx.client.no_block || ctx.client.tx.in_multi() {
        return ctx
            .out
            .error("ERR MONITOR isn't allowed for DENY BLOCKING client");
    }
    // Already monitoring: no reply at all, as in Redis.
    if ctx.client.monitor {
        return;
    }
    let Some(h) = ctx.client.handle.clone() else {
        return ctx
            .out
            .error("ERR MONITOR isn't allowed for DENY BLOCKING client");
    };
    // Lines arrive while the connection sleeps in `read`: a writer sends them.
    h.attach_outbox();
    ctx.client.monitor = true;
    h.monitor.store(true, Ordering::Relaxed);
    ctx.shared.monitors.add(h);
    ctx.out.ok();
}

/// Ends this client's monitoring (RESET).
pub fn stop(ctx: &mut Ctx<'_>) {
    if std::mem::take(&mut ctx.client.monitor) {
        ctx.shared.monitors.remove(ctx.client.id);
        if let Some(h) = &ctx.client.handle {
            h.monitor.store(false, Ordering::Relaxed);
        }
    }
}

/// After a command ran: shows it to the monitors unless its flags say not to.
pub fn after_command(ctx: &mut Ctx<'_>, spec_flags: u32, args: &[Vec<u8>]) {
    if !ctx.shared.monitors.is_on() || spec_flags & (SKIP_MONITOR | ADMIN) != 0 {
        return;
    }
    feed(ctx, args);
}

/// Shows a command to the monitors now (a script command, before its script
/// runs; see the module's invariants).
pub fn feed(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let monitors = &ctx.shared.monitors;
    if !monitors.is_on() {
        return;
    }
    let us = super::shared::unix_micros();
    let unix = ctx.client.handle.as_ref().and_then(|h| match &h.addr {
        super::client::Peer::Unix(path) => Some(path.clone()),
        super::client::Peer::Tcp(_) => None,
    });
    let who = if ctx.client.id == u64::MAX {
        "lua".to_string()
    } else if let Some(path) = unix {
        format!("unix:{path}")
    } else {
        super::slowlog::client_identity(ctx).0
    };
    let mut line = format!(
        "+{}.{:06} [{} {who}]",
        us / 1_000_000,
        us % 1_000_000,
        ctx.client.db
    );
    for (i, a) in args.iter().enumerate() {
        line.push(' ');
        if ctx.client.redacted.contains(&i) {
            line.push_str("\"(redacted)\"");
        } else {
            line.push_str(&super::repr(a));
        }
    }
    line.push_str("\r\n");
    if monitors.send(line.as_bytes(), ctx.client.id) {
        ctx.out.buf.extend_from_slice(line.as_bytes());
    }
}
