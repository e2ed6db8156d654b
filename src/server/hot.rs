//! The poller: one thread serving every *busy* connection with nonblocking reads.
//!
//! Why: with a thread per connection, every request of an unpipelined client wakes
//! a sleeping thread. The wake-up is paid by the *sender* (the client's `write`
//! does the scheduler's work) and by us (a context switch in, one out); on a
//! loaded 2-core host this made each request cost more CPU than Redis's event loop
//! spends, for Redis and for its clients. A thread that is already running when the
//! request arrives costs neither. So while clients send requests back to back,
//! their connections are lent to this one thread, which sweeps them with
//! nonblocking reads (as Redis's event loop does after `epoll_wait`, minus the
//! readiness list: a read of an idle socket returns `WouldBlock` at once).
//!
//! Life of a connection (see also `conn.rs`):
//! - its thread serves it alone while the client is slow or idle, sleeping in a
//!   blocking `read` (no CPU is spent on idle clients);
//! - when the server is busy, that is when a request arrives less than `BUSY_GAP`
//!   (100 ms) after the client's previous one while the server ran at least
//!   `BUSY_OPS` (16) commands meanwhile, at `BUSY_RATE` (20,000 a second) or
//!   more, the thread sends its whole [`Conn`] here and waits on its own channel
//!   (below that rate a wake-up per request costs less CPU than a spinning
//!   poller: at 9,000 requests/s from 10 clients the poller alone burnt a core);
//! - the poller reads, parses and executes (through `conn::execute`, the same
//!   path as the thread's) what each connection sent, and at the end of the
//!   sweep writes all the replies, with the sockets in nonblocking mode (as
//!   Redis writes before it sleeps: a client with many connections wakes once
//!   for many replies);
//! - it sends every `Conn` back when the server's rate falls below half of
//!   `BUSY_RATE` over [`RATE_WINDOW`]; and one `Conn`, the socket blocking again,
//!   when the client has sent nothing for [`DEMOTE_IDLE`] while the server ran
//!   fewer than `BUSY_OPS` commands, or for `BUSY_GAP` in any case, on EOF,
//!   errors or a kill, when a write would
//!   block (the thread finishes it), before a request it must not run itself
//!   (blocking commands, subscriptions: they would stall every busy client, or
//!   need the client's own thread), and on a protocol error;
//! - a connection sent back for such a command stays with its thread for a
//!   second ([`STAY_HOME`]), so a client sending them back to back does not
//!   pay two hand-offs per request;
//! - scripts run here, but with the other connections set aside: a script
//!   that passes the busy threshold sends them all home from its hook (see
//!   [`release_aside`]), so their clients are answered `BUSY` by their threads
//!   and can send SCRIPT KILL, as they would if the script ran anywhere else.
//!
//! Invariants:
//! - exactly one party holds a `Conn` and reads or writes its socket;
//! - the poller never waits: nonblocking reads and writes, and when no connection
//!   had anything to do in a sweep it yields the CPU before the next sweep;
//! - when no connection is lent, the poller sleeps on its channel (no CPU).
use super::conn::{Conn, BIG_BULK, BUSY_GAP, BUSY_OPS, BUSY_RATE};
use super::Core;
use crate::cmd::flags;
use std::cell::RefCell;
use std::io::{ErrorKind, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A lent connection that sent nothing for this long goes back to its thread.
pub const DEMOTE_IDLE: Duration = Duration::from_millis(10);
/// A connection sent back for a command the poller does not run is not lent
/// again for this long.
pub const STAY_HOME: Duration = Duration::from_secs(1);
/// The poller measures the server's command rate over windows this long, and
/// gives every connection back when it is below half of `BUSY_RATE`.
const RATE_WINDOW: Duration = Duration::from_millis(20);
/// How often an idle poller looks at the shutdown flag.
const IDLE_WAIT: Duration = Duration::from_millis(250);

thread_local! {
    /// On the poller thread, while it runs a batch with a script: its other
    /// connections and its inbox.
    static ASIDE: RefCell<Option<Aside>> = const { RefCell::new(None) };
}

/// What the poller holds besides the connection whose script runs.
struct Aside {
    #[allow(clippy::vec_box)]
    conns: Vec<Box<Conn>>,
    rx: Receiver<Box<Conn>>,
}

/// Called by a script's hook once the script has run past the busy threshold.
/// On the poller thread, sends every connection it holds besides the script's
/// own back to its thread, and keeps doing so for connections lent meanwhile.
/// Elsewhere it does nothing.
pub fn release_aside() {
    ASIDE.with(|a| {
        let Ok(mut a) = a.try_borrow_mut() else {
            return;
        };
        if let Some(a) = a.as_mut() {
            for c in a.conns.drain(..) {
                send_home(c);
            }
            while let Ok(c) = a.rx.try_recv() {
                send_home(c);
            }
        }
    });
}

/// The way in to the poller, kept in [`Core`]. The thread starts on first use.
#[derive(Default)]
pub struct Hot {
    tx: Mutex<Option<Sender<Box<Conn>>>>,
    /// Lend connections at every chance, whatever the load (for tests).
    eager: AtomicBool,
}

/// Lends `conn` to the poller and waits until it comes back. `None`: the poller
/// dropped it (it panicked outside a command, or the server is stopping).
pub(super) fn lend(
    core: &Arc<Core>,
    conn: Box<Conn>,
    back: &Receiver<Box<Conn>>,
) -> Option<Box<Conn>> {
    match core.hot.send(core, conn) {
        Ok(()) => back.recv().ok(),
        Err(conn) => Some(conn),
    }
}

impl Hot {
    /// With `on`, connections are lent whatever the server's load (tests use it
    /// to drive the poller with a few clients); idle ones still go back.
    pub fn set_eager(&self, on: bool) {
        self.eager.store(on, Ordering::Relaxed);
    }

    pub(super) fn eager(&self) -> bool {
        self.eager.load(Ordering::Relaxed)
    }

    /// Queues `conn` for the poller, starting the poller if needed. `Err` gives the
    /// connection back when no poller can take it.
    fn send(&self, core: &Arc<Core>, conn: Box<Conn>) -> Result<(), Box<Conn>> {
        let mut tx = self.tx.lock().unwrap_or_else(|e| e.into_inner());
        if tx.is_none() {
            let (t, r) = channel();
            let c = core.clone();
            let started = std::thread::Builder::new()
                .name("poller".into())
                .stack_size(crate::lua::state::LUA_THREAD_STACK)
                .spawn(move || run(&c, r));
            if started.is_err() {
                return Err(conn);
            }
            *tx = Some(t);
        }
        match tx.as_ref() {
            Some(t) => t.send(conn).map_err(|e| {
                // The poller has stopped: start a new one next time.
                *tx = None;
                e.0
            }),
            None => Err(conn),
        }
    }
}

/// Where a command runs when its connection is on the poller.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Runs {
    /// On the poller, as part of its sweep.
    Here,
    /// On the poller, with the other connections set aside (flag `RUNS_SCRIPT`).
    Aside,
    /// On the connection's own thread (flag `OWN_THREAD`).
    Thread,
}

/// Where each command runs: per command-table row, plus a filter by (name
/// length, first letter) that spares most requests the name lookup.
struct RunsHere {
    by_spec: Vec<Runs>,
    /// Bit `letter - 'a'` of `maybe[len]`: some command that does not simply
    /// run here has a name of that length and first letter.
    maybe: [u32; 33],
}

impl RunsHere {
    fn new(commands: &crate::cmd::Commands) -> RunsHere {
        let mut maybe = [0u32; 33];
        let by_spec = (0..commands.rows.len())
            .map(|i| {
                let row = &commands.rows[i];
                // A container runs where the most demanding of its subcommands runs.
                let flags = commands
                    .subcommands(i)
                    .iter()
                    .fold(row.spec.flags, |f, sub| f | sub.spec.flags);
                let runs = if flags & (flags::BLOCKING | flags::OWN_THREAD) != 0 {
                    Runs::Thread
                } else if flags & flags::RUNS_SCRIPT != 0 {
                    Runs::Aside
                } else {
                    Runs::Here
                };
                let name = row.spec.name;
                if runs != Runs::Here && row.parent.is_none() {
                    if let Some(bit) = Self::bit(name.as_bytes()) {
                        maybe[name.len()] |= bit;
                    }
                }
                runs
            })
            .collect();
        RunsHere { by_spec, maybe }
    }

    /// The filter bit of `name`, if it has a slot (names of 1 to 32 letters).
    fn bit(name: &[u8]) -> Option<u32> {
        let first = name.first()?.to_ascii_lowercase();
        (name.len() <= 32 && first.is_ascii_lowercase()).then(|| 1 << (first - b'a'))
    }

    fn runs(&self, commands: &crate::cmd::Commands, req: &[Vec<u8>]) -> Runs {
        let Some(name) = req.first() else {
            return Runs::Here;
        };
        match Self::bit(name) {
            Some(bit) if self.maybe[name.len()] & bit == 0 => Runs::Here,
            _ => commands
                .lookup(name)
                .map_or(Runs::Here, |i| match self.by_spec[i] {
                    Runs::Thread
                        if commands.rows[i].spec.flags & flags::BLOCK_OPTION != 0
                            && !has_block_option(req) =>
                    {
                        Runs::Here
                    }
                    r => r,
                }),
        }
    }
}

/// Whether a request of a `BLOCK_OPTION` command (XREAD, XREADGROUP) gives
/// BLOCK: without it, it never waits and the poller may run it. (A BLOCK word
/// anywhere before STREAMS, even a group or consumer name, sends the request
/// home: the safe side.)
fn has_block_option(req: &[Vec<u8>]) -> bool {
    req.iter()
        .skip(1)
        .take_while(|a| !a.eq_ignore_ascii_case(b"streams"))
        .any(|a| a.eq_ignore_ascii_case(b"block"))
}

/// What one look at a connection led to.
enum Step {
    /// Nothing had arrived.
    Idle,
    /// Requests were read and answered.
    Served,
    /// Requests were read; they include a script, to run with the other
    /// connections set aside (see [`finish`]).
    Script,
    /// The connection goes back to its thread.
    Home,
}

fn run(core: &Arc<Core>, mut rx: Receiver<Box<Conn>>) {
    let sh = &core.shared;
    let commands = &sh.commands;
    let runs_here = RunsHere::new(commands);
    let mut conns: Vec<Box<Conn>> = Vec::new();
    let mut window = (Instant::now(), 0u64);
    loop {
        if conns.is_empty() {
            match rx.recv_timeout(IDLE_WAIT) {
                Ok(c) => {
                    adopt(&mut conns, c);
                    let ops = sh.stats.total_commands_processed.load(Ordering::Relaxed);
                    window = (Instant::now(), ops);
                }
                Err(RecvTimeoutError::Timeout) if !sh.is_shutting_down() => continue,
                Err(_) => break,
            }
        }
        while let Ok(c) = rx.try_recv() {
            adopt(&mut conns, c);
        }
        if sh.is_shutting_down() {
            break;
        }
        let now = Instant::now();
        let ops = sh.stats.total_commands_processed.load(Ordering::Relaxed);
        let span = now.duration_since(window.0);
        if span >= RATE_WINDOW {
            let ran = ops.wrapping_sub(window.1);
            window = (now, ops);
            // A quiet server: the threads serve their clients more cheaply.
            let quiet =
                ran.saturating_mul(2_000_000) < BUSY_RATE.saturating_mul(span.as_micros() as u64);
            if quiet && !core.hot.eager() {
                for c in conns.drain(..) {
                    send_home(c);
                }
                continue;
            }
        }
        let mut active = false;
        let mut i = 0;
        // The AOF write (and fsync) of what the sweep's commands propagated
        // happens once, before any of its replies goes out (see
        // `KeyspaceLock::after_release`).
        super::lock::KeyspaceLock::defer_after_release(true);
        while i < conns.len() {
            match step(core, &runs_here, &mut conns[i], now, ops) {
                Step::Idle => i += 1,
                Step::Served => {
                    active = true;
                    i += 1;
                }
                Step::Home => {
                    core.ks.run_after_release();
                    send_home(conns.swap_remove(i));
                }
                Step::Script => {
                    core.ks.run_after_release();
                    super::lock::KeyspaceLock::defer_after_release(false);
                    active = true;
                    let mut c = conns.swap_remove(i);
                    let aside = Aside {
                        conns: std::mem::take(&mut conns),
                        rx,
                    };
                    ASIDE.with(|a| *a.borrow_mut() = Some(aside));
                    let step = finish(core, &mut c);
                    let Some(aside) = ASIDE.with(|a| a.borrow_mut().take()) else {
                        // Cannot happen (only `release_aside` looks, and leaves
                        // it in place); without an inbox the poller must stop.
                        send_home(c);
                        return;
                    };
                    (conns, rx) = (aside.conns, aside.rx);
                    super::lock::KeyspaceLock::defer_after_release(true);
                    match step {
                        Step::Home => send_home(c),
                        _ => conns.push(c),
                    }
                }
            }
        }
        super::lock::KeyspaceLock::defer_after_release(false);
        core.ks.run_after_release();
        // The replies of the whole sweep go out together, as Redis writes
        // them before it sleeps: a client with several connections (like
        // redis-benchmark) then wakes once for many replies, not once for each.
        let mut i = 0;
        while i < conns.len() {
            if conns[i].out.buf.is_empty() || flush(core, &mut conns[i]) {
                i += 1;
            } else {
                send_home(conns.swap_remove(i));
            }
        }
        if !active {
            std::thread::yield_now();
        }
    }
    for c in conns {
        send_home(c);
    }
    while let Ok(c) = rx.try_recv() {
        send_home(c);
    }
}

// Boxes: a connection moves between threads as one pointer, never copied.
#[allow(clippy::vec_box)]
fn adopt(conns: &mut Vec<Box<Conn>>, c: Box<Conn>) {
    if c.stream.set_nonblocking(true).is_ok() {
        conns.push(c);
    } else {
        send_home(c);
    }
}

fn send_home(c: Box<Conn>) {
    let _ = c.stream.set_nonblocking(false);
    let home = c.home.clone();
    let _ = home.send(c);
}

/// Reads what one connection sent, runs it and writes the replies.
fn step(core: &Core, runs_here: &RunsHere, c: &mut Conn, now: Instant, ops: u64) -> Step {
    let sh = &core.shared;
    if c.handle.is_killed() {
        return Step::Home;
    }
    let limit = sh.query_buffer_limit.load(Ordering::Relaxed) as usize;
    let wanted = c.parser.wanted();
    if wanted.is_some_and(|w| w >= BIG_BULK) || !c.input.make_room(limit, wanted) {
        return Step::Home;
    }
    let n = match (&*c.stream).read(&mut c.input.buf[c.input.end..]) {
        Ok(0) => return Step::Home,
        Ok(n) => n,
        Err(e) if e.kind() == ErrorKind::WouldBlock => {
            // Idle for a while, and the server quiet meanwhile (or idle for long).
            let idle = now.duration_since(c.last_read);
            let quiet = ops.wrapping_sub(c.ops_at_read) < BUSY_OPS;
            return if (idle > DEMOTE_IDLE && quiet) || idle > BUSY_GAP {
                Step::Home
            } else {
                Step::Idle
            };
        }
        Err(e) if e.kind() == ErrorKind::Interrupted => return Step::Idle,
        Err(_) => return Step::Home,
    };
    c.got_input(core, n, now);
    c.parse_batch(core);
    if c.fatal.is_some() {
        return Step::Home;
    }
    let runs = c
        .batch
        .iter()
        .map(|req| runs_here.runs(&sh.commands, req))
        .max()
        .unwrap_or(Runs::Here);
    match runs {
        Runs::Here => finish(core, c),
        Runs::Aside => Step::Script,
        Runs::Thread => {
            c.stay_until = Some(now + STAY_HOME);
            Step::Home
        }
    }
}

/// Runs the parsed batch of `c`; the replies wait in its output buffer for
/// the end of the sweep (see [`flush`]).
fn finish(core: &Core, c: &mut Conn) -> Step {
    // A panicking handler ends this client only, as it would end its thread.
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| c.run_batch(core, false)));
    if ran.is_err() {
        c.out.buf.clear();
        c.client.close_after_reply = true;
        return Step::Home;
    }
    if c.client.close_after_reply
        || !c.client.authenticated
        || c.handle.outbox.is_attached()
        || !c.batch.is_empty()
    {
        return Step::Home;
    }
    Step::Served
}

/// Writes what `c` has to send; false when some is left (the socket's buffer
/// is full) or the write failed: the connection's thread then finishes it
/// with a blocking write (or meets the error).
fn flush(core: &Core, c: &mut Conn) -> bool {
    let mut written = 0;
    while written < c.out.buf.len() {
        match (&*c.stream).write(&c.out.buf[written..]) {
            Ok(0) => break,
            Ok(k) => written += k,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    if written > 0 {
        c.wrote(core, written);
    }
    if written < c.out.buf.len() {
        c.out.buf.drain(..written);
        return false;
    }
    c.out.buf.clear();
    c.written();
    true
}
