//! One connection's thread: read, parse, execute the batch under the keyspace lock,
//! write the replies.
//!
//! Invariants:
//! - Replies are written in request order, all replies of one read in one `write`.
//! - The keyspace lock is held only while commands execute, never during I/O.
//! - The input buffer holds at most one partial request beyond what was parsed, and
//!   never more than `client-query-buffer-limit` bytes; past that the client is
//!   closed, as Redis does.
//! - After a protocol error the replies to the requests before it are sent, then the
//!   error, then the connection is closed.
//! - Until a client is authenticated its requests are parsed and executed one at a
//!   time with Redis's small unauthenticated limits (10 arguments, 16 KB bulks), so
//!   an AUTH lifts the limits for the very next request.
//! - The connection's state is one value, [`Conn`]. While the client sends requests
//!   back to back, the thread lends it to the poller (`hot.rs`) and sleeps until it
//!   comes back; the poller returns it on idleness, on EOF or errors, and before any
//!   request it must not run itself (see `hot.rs`). Whoever holds the `Conn` is the
//!   only reader and writer of the socket, so requests and replies keep their order.
use super::stream::Stream;
use super::Core;
use crate::cmd::client::{Connection, Peer};
use crate::cmd::outbox::{HandOver, Outbox};
use crate::cmd::{self, ClientHandle, ClientState};
use crate::resp::parse::{ProtocolError, Request, RequestParser};
use crate::resp::Reply;
use std::io::{ErrorKind, Read, Write};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Initial size of a connection's input buffer: enough for the requests most
/// clients send; it doubles when a read fills it (pipelines, big values).
const INPUT_START: usize = 1024;
/// A buffer grown past this is given back once it is empty again.
const INPUT_KEEP: usize = 64 * 1024;
/// Bulks at least this long are read into their own buffer (see `serve`).
pub(super) const BIG_BULK: usize = 64 * 1024;
/// A connection is lent to the poller (see `hot.rs`) when its request comes less
/// than this after its previous one...
pub(super) const BUSY_GAP: Duration = Duration::from_millis(100);
/// ... while the server ran at least this many commands in between...
pub(super) const BUSY_OPS: u64 = 16;
/// ... at a rate of at least this many per second: below it, a thread's wake-up
/// per request costs less CPU than a poller spinning for every request.
pub(super) const BUSY_RATE: u64 = 20_000;
/// Output buffers bigger than this are released after each flush.
const OUT_KEEP: usize = 64 * 1024;
/// Thread stack size for connection threads: they run Lua scripts, whose native
/// re-entry (pcall, metamethods) recurses in Rust (see `LUA_THREAD_STACK`).
pub(super) const STACK: usize = crate::lua::state::LUA_THREAD_STACK;

/// The socket as the client registry sees it: something to close, and to start
/// the outbox's writer thread on.
#[derive(Debug)]
struct Socket {
    stream: Arc<Stream>,
    writer: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Connection for Socket {
    fn close(&self) {
        self.stream.shutdown();
    }

    fn start_writer(&self, outbox: Arc<Outbox>) -> bool {
        let mut slot = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_some() {
            return true;
        }
        let stream = self.stream.clone();
        *slot = std::thread::Builder::new()
            .name("outbox".into())
            .stack_size(64 * 1024)
            .spawn(move || outbox.drain_into(&*stream))
            .ok();
        slot.is_some()
    }

    fn join_writer(&self) {
        let w = self.writer.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(w) = w {
            let _ = w.join();
        }
    }
}

/// Registers the client and serves it on this thread (a pool thread) until it
/// closes, or refuses it over `maxclients`.
pub(super) fn serve_new(core: &Arc<Core>, stream: Stream, id: u64) {
    let sh = &core.shared;
    stream.set_nodelay();
    let maxclients = sh.config().maxclients;
    let fd = stream.fd();
    let (addr, laddr) = match &stream {
        Stream::Tcp(s) => match (s.peer_addr(), s.local_addr()) {
            (Ok(a), Ok(l)) => (Peer::Tcp(a), Peer::Tcp(l)),
            _ => return,
        },
        Stream::Unix { .. } => {
            let path: Arc<str> = sh.config().unixsocket.as_str().into();
            (Peer::Unix(path.clone()), Peer::Unix(path))
        }
    };
    let stream = Arc::new(stream);
    let handle = Arc::new(ClientHandle::new(
        id,
        (addr, laddr),
        fd,
        sh.now_ms(),
        Box::new(Socket {
            stream: stream.clone(),
            writer: Mutex::new(None),
        }),
        Arc::new(Outbox::with_limits(sh.pubsub_limits.clone())),
    ));
    {
        let mut clients = sh.clients();
        if clients.len() as u64 >= maxclients {
            drop(clients);
            sh.stats
                .rejected_connections
                .fetch_add(1, Ordering::Relaxed);
            let _ = (&*stream).write_all(b"-ERR max number of clients reached\r\n");
            return;
        }
        clients.insert(id, handle.clone());
    }
    sh.stats
        .total_connections_received
        .fetch_add(1, Ordering::Relaxed);
    sh.logger.verbose(&format!("Accepted {}", handle.addr));
    serve(core, stream, handle);
}

/// The connection's input buffer: `buf[start..end]` holds unparsed bytes.
pub(super) struct Input {
    pub(super) buf: Vec<u8>,
    pub(super) start: usize,
    pub(super) end: usize,
}

impl Input {
    /// Makes room to read more, compacting or growing (up to `limit` bytes).
    /// `wanted`: bytes the parser needs from `start` (a large bulk's size), grown to
    /// in one step instead of by doubling. False when pending data fills `limit`.
    pub(super) fn make_room(&mut self, limit: usize, wanted: Option<usize>) -> bool {
        if self.end < self.buf.len() {
            return true;
        }
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
            return true;
        }
        if self.buf.len() >= limit {
            return false;
        }
        let mut new_len = (self.buf.len() * 2).max(INPUT_START);
        if let Some(w) = wanted {
            new_len = new_len.max(w);
        }
        let new_len = new_len.min(limit.max(INPUT_START));
        self.buf.resize(new_len, 0);
        true
    }
}

/// Everything one connection owns: the socket, its buffers, the client state.
/// Moves between the connection's thread and the poller (see the module doc).
pub(super) struct Conn {
    /// The socket, shared only with the client's registry entry (to close it)
    /// and its outbox's writer thread: one descriptor per client.
    pub(super) stream: Arc<Stream>,
    /// `out` holds replies this connection writes itself while its outbox is
    /// held for them (see `cmd/outbox.rs`): released once they are written.
    pub(super) holding: bool,
    pub(super) handle: Arc<ClientHandle>,
    pub(super) client: ClientState,
    pub(super) input: Input,
    pub(super) parser: RequestParser,
    pub(super) out: Reply,
    /// Parsed requests not yet executed.
    pub(super) batch: Vec<Request>,
    /// A protocol error met after the requests in `batch`.
    pub(super) fatal: Option<ProtocolError>,
    /// When the last read returned data.
    pub(super) last_read: Instant,
    /// The server's command count (INFO `total_commands_processed`) then.
    pub(super) ops_at_read: u64,
    /// The poller sent this connection back for a command it does not run
    /// (scripts, blocking commands...): not lent again before this time, so a
    /// client sending such commands back to back is not passed to and fro.
    pub(super) stay_until: Option<Instant>,
    /// Where the poller sends the `Conn` back: the connection's thread waits there.
    pub(super) home: Sender<Box<Conn>>,
}

impl Conn {
    /// Accounts `n` bytes just read into the input buffer.
    pub(super) fn got_input(&mut self, core: &Core, n: usize, now: Instant) {
        let sh = &core.shared;
        self.input.end += n;
        self.last_read = now;
        self.ops_at_read = sh.stats.total_commands_processed.load(Ordering::Relaxed);
        // Any input counts as activity for the idle `timeout`, as in Redis.
        let now_ms = now.saturating_duration_since(sh.started).as_millis() as u64;
        self.handle.last_active_ms.store(now_ms, Ordering::Relaxed);
        sh.stats
            .total_net_input_bytes
            .fetch_add(n as u64, Ordering::Relaxed);
        sh.stats
            .total_reads_processed
            .fetch_add(1, Ordering::Relaxed);
    }

    /// Parses what the input buffer holds into `batch`: every whole request when
    /// authenticated, else at most one. Stops at a protocol error (kept in `fatal`).
    pub(super) fn parse_batch(&mut self, core: &Core) {
        let sh = &core.shared;
        self.parser.max_bulk_len = sh.max_bulk_len.load(Ordering::Relaxed) as usize;
        self.parser.unauthenticated = !self.client.authenticated;
        let one_at_a_time = !self.client.authenticated;
        let mut pos = self.input.start;
        while self.fatal.is_none() {
            match self
                .parser
                .next(&self.input.buf[..self.input.end], &mut pos)
            {
                Ok(Some(req)) => {
                    self.batch.push(req);
                    if one_at_a_time {
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => self.fatal = Some(e),
            }
        }
        self.input.start = pos;
        if self.input.start == self.input.end {
            self.input.start = 0;
            self.input.end = 0;
        }
    }

    /// Executes `batch` (if any), then answers a pending protocol error.
    /// `can_wait`: this is the connection's own thread, which may wait for a
    /// CLIENT PAUSE (the poller may not; what must wait stays in `batch`).
    pub(super) fn run_batch(&mut self, core: &Core, can_wait: bool) {
        let sh = &core.shared;
        if !self.batch.is_empty() {
            let (holding, done) = execute(
                core,
                &mut self.client,
                &mut self.out,
                &mut self.batch,
                (&self.stream, can_wait),
            );
            self.holding |= holding;
            for req in self.batch.drain(..done) {
                self.parser.recycle(req);
            }
            if !self.batch.is_empty() {
                // Held for a CLIENT PAUSE: the connection's thread runs the rest.
                return;
            }
        }
        if let Some(e) = &self.fatal {
            if !self.client.close_after_reply {
                sh.logger.verbose(&format!(
                    "Protocol error ({}) from client: id={} addr={}",
                    e.0.trim_start_matches("ERR Protocol error: "),
                    self.handle.id,
                    self.handle.addr
                ));
                self.out.error(&e.0);
                sh.count_error(e.0.as_bytes());
            }
            self.client.close_after_reply = true;
            self.hand_over();
        }
    }

    /// Hands what `out` holds to the outbox (see `cmd/outbox.rs`): queued if the
    /// outbox is attached, else written by this connection, holding the queue.
    pub(super) fn hand_over(&mut self) {
        match self.handle.outbox.hand_over(&mut self.out.buf) {
            HandOver::Queued => {}
            HandOver::Direct => self.holding |= !self.out.buf.is_empty(),
            HandOver::Refused => self.handle.kill(),
        }
    }

    /// `out` was written whole: the outbox may go on.
    pub(super) fn written(&mut self) {
        if std::mem::take(&mut self.holding) {
            self.handle.outbox.release();
        }
    }

    /// Counts a write of `n` bytes in the statistics.
    pub(super) fn wrote(&self, core: &Core, n: usize) {
        let stats = &core.shared.stats;
        stats
            .total_net_output_bytes
            .fetch_add(n as u64, Ordering::Relaxed);
        stats.total_writes_processed.fetch_add(1, Ordering::Relaxed);
    }

    /// Whether the poller may take this connection now: the client sends requests
    /// back to back (or while the server is busy), and is in a plain
    /// request/reply state. `ops`: commands the server ran since the last read.
    fn wants_poller(&self, gap: Duration, ops: u64, eager: bool) -> bool {
        let busy = gap < BUSY_GAP
            && ops >= BUSY_OPS
            && ops.saturating_mul(1_000_000) >= BUSY_RATE.saturating_mul(gap.as_micros() as u64);
        (busy || (eager && gap < BUSY_GAP))
            && self.stay_until.is_none_or(|t| self.last_read >= t)
            && self.client.authenticated
            && !self.client.close_after_reply
            && !self.client.subs.any()
            && self.batch.is_empty()
            && self.out.buf.is_empty()
            && self.fatal.is_none()
            && !self.handle.outbox.is_attached()
            && self.parser.wanted().is_none_or(|w| w < BIG_BULK)
    }
}

fn serve(core: &Arc<Core>, stream: Arc<Stream>, handle: Arc<ClientHandle>) {
    let sh = &core.shared;
    let (home, back) = channel();
    let id = handle.id;
    let mut conn = Box::new(Conn {
        stream,
        holding: false,
        client: ClientState {
            id: handle.id,
            resp: 2,
            authenticated: sh.acl.open(),
            user: Some(sh.acl.default_user()),
            handle: Some(handle.clone()),
            ..ClientState::default()
        },
        handle,
        input: Input {
            buf: vec![0; INPUT_START],
            start: 0,
            end: 0,
        },
        parser: RequestParser::default(),
        out: Reply::new(),
        batch: Vec::new(),
        fatal: None,
        last_read: Instant::now(),
        // As if read now: a new client is not "busy" until it sends back to back.
        ops_at_read: sh.stats.total_commands_processed.load(Ordering::Relaxed),
        stay_until: None,
        home,
    });
    'conn: while !conn.handle.is_killed() {
        // A large bulk whose header has been parsed is read straight into a buffer
        // of its exact size, which then becomes the argument (no copy, no zeroing).
        if let Some(wanted) = conn.parser.wanted().filter(|&w| w >= BIG_BULK) {
            let have = conn.input.end - conn.input.start;
            if have < wanted && conn.batch.is_empty() && conn.fatal.is_none() {
                let mut bulk = Vec::with_capacity(wanted);
                bulk.extend_from_slice(&conn.input.buf[conn.input.start..conn.input.end]);
                conn.input.start = 0;
                conn.input.end = 0;
                let need = (wanted - have) as u64;
                let got = (&*conn.stream).take(need).read_to_end(&mut bulk);
                if got.is_err() || bulk.len() < wanted {
                    break;
                }
                conn.handle
                    .last_active_ms
                    .store(sh.now_ms(), Ordering::Relaxed);
                sh.stats
                    .total_net_input_bytes
                    .fetch_add(need, Ordering::Relaxed);
                if let Some(req) = conn.parser.complete_bulk(bulk) {
                    conn.batch.push(req);
                }
            }
        }
        let limit = sh.query_buffer_limit.load(Ordering::Relaxed) as usize;
        let mut gap = Duration::MAX;
        let mut ops = 0;
        if !conn.batch.is_empty() || conn.fatal.is_some() {
            // A request completed by a large bulk, or requests (or a protocol
            // error) handed back by the poller: deal with them before reading more.
        } else if !conn.input.make_room(limit, conn.parser.wanted()) {
            sh.logger.warning(&format!(
                "Closing client that reached max query buffer length: id={} addr={}",
                conn.handle.id, conn.handle.addr
            ));
            break;
        } else {
            let n = match (&*conn.stream).read(&mut conn.input.buf[conn.input.end..]) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(_) => break,
            };
            let now = Instant::now();
            gap = now.duration_since(conn.last_read);
            let ops_before = conn.ops_at_read;
            conn.got_input(core, n, now);
            ops = conn.ops_at_read.wrapping_sub(ops_before);
        }

        loop {
            let one_at_a_time = !conn.client.authenticated;
            conn.parse_batch(core);
            let parsed_any = !conn.batch.is_empty();
            conn.run_batch(core, true);
            // One at a time (unauthenticated): go on while whole requests remain.
            if !one_at_a_time || !parsed_any || conn.client.close_after_reply {
                break;
            }
        }

        if !flush(core, &mut conn) {
            break 'conn;
        }
        if conn.client.close_after_reply || sh.is_shutting_down() {
            break;
        }
        // Give back memory a big request left behind.
        if conn.input.end == 0 && conn.input.buf.len() > INPUT_KEEP {
            conn.input.buf = vec![0; INPUT_START];
        }
        // A busy client: lend the connection to the poller until it is idle again.
        if conn.wants_poller(gap, ops, core.hot.eager()) && !sh.pause.maybe_active() {
            conn = match super::hot::lend(core, conn, &back) {
                Some(c) => c,
                None => {
                    // The poller is gone (it panicked) and the state with it.
                    sh.clients().remove(&id);
                    return;
                }
            };
            // Back from the poller: finish what it left (output, a batch to run).
            if !flush(core, &mut conn) || conn.client.close_after_reply {
                break 'conn;
            }
        }
    }
    let Conn {
        stream,
        handle,
        mut client,
        ..
    } = *conn;
    if client.handle.is_some() {
        detach(sh, &mut core.lock().store, &mut client);
    }
    // Lets the writer thread (if any) send what is queued, e.g. QUIT's +OK.
    handle.outbox.close();
    handle.join_writer();
    stream.shutdown();
    sh.logger.verbose(&format!(
        "Client closed connection id={} addr={}",
        handle.id, handle.addr
    ));
}

/// Writes the pending replies with one blocking `write`; false if the peer is gone.
fn flush(core: &Core, conn: &mut Conn) -> bool {
    if conn.out.buf.is_empty() {
        conn.written();
        return true;
    }
    if (&*conn.stream).write_all(&conn.out.buf).is_err() {
        return false;
    }
    conn.wrote(core, conn.out.buf.len());
    conn.out.buf.clear();
    if conn.out.buf.capacity() > OUT_KEEP {
        conn.out.buf = Vec::new();
    }
    conn.written();
    true
}

/// Runs a batch of requests under one acquisition of the keyspace lock. The
/// replies are handed to the client's outbox before the lock is released (see
/// `cmd/outbox.rs`). Returns whether they stay in `out` for the connection to
/// write with the outbox held, and how many requests ran: all of them, unless
/// one must wait for a CLIENT PAUSE and this thread may not wait (`can_wait`
/// false: the poller), which leaves it and the ones after it for the
/// connection's own thread.
pub(super) fn execute(
    core: &Core,
    client: &mut ClientState,
    out: &mut Reply,
    batch: &mut [Request],
    (peer, can_wait): (&Stream, bool),
) -> (bool, usize) {
    let sh = &core.shared;
    let mut holding = false;
    let mut done = 0;
    let mut paused = false;
    {
        let Some(mut ks) = super::lock::lock_or_busy(&core.ks, sh, client, out, batch) else {
            return (hand_over(client, out), batch.len());
        };
        if !client.tx.unwatch_later.is_empty() {
            cmd::tx::unwatch_dropped(&mut ks.store, &mut client.tx);
        }
        while let Some(req) = batch.get_mut(done) {
            // A client that receives pushes (its outbox attached) hands its
            // replies over before each command, so a message pushed to it
            // during the command follows the replies before it.
            if client
                .handle
                .as_ref()
                .is_some_and(|h| h.outbox.is_attached())
            {
                holding |= hand_over(client, out);
            }
            // CLIENT PAUSE: wait, without the lock, until this request may run.
            if sh.pause.maybe_active() && cmd::pause::must_wait(&mut ks.ctx(client, out, sh), req) {
                if !can_wait {
                    break;
                }
                if !paused {
                    paused = true;
                    sh.pause.waiting.fetch_add(1, Ordering::Relaxed);
                }
                holding |= hand_over(client, out);
                drop(ks);
                write_held(client, out, peer, &mut holding);
                let here = super::wait::wait_pause(core, client, peer);
                ks = core.lock();
                if !here {
                    client.close_after_reply = true;
                    break;
                }
                continue;
            }
            if std::mem::take(&mut paused) {
                sh.pause.waiting.fetch_sub(1, Ordering::Relaxed);
            }
            let mut ctx = ks.ctx(client, out, sh);
            // CLIENT REPLY OFF / SKIP: the command runs, its reply is dropped
            // (push messages it wrote are kept). A SKIP asked for by the
            // previous command applies to this one; CLIENT REPLY ON clears it
            // while it runs, so its +OK is sent.
            let before = ctx.out.buf.len();
            ctx.client.reply_skip = std::mem::take(&mut ctx.client.reply_skip_next);
            let tracking = cmd::tracking::is_on(sh);
            let prev = tracking.then(|| cmd::tracking::begin(&mut ctx));
            let keeps_caching = req
                .first()
                .is_some_and(|n| n.eq_ignore_ascii_case(b"client"))
                || ctx.client.tx.in_multi();
            cmd::dispatch_owned(&mut ctx, req);
            if tracking || cmd::tracking::is_on(sh) {
                cmd::tracking::end(&mut ctx, prev.flatten());
            }
            // CLIENT CACHING lasts for the next command (or transaction).
            if !keeps_caching {
                ctx.client.caching = false;
            }
            if ctx.blocked.has_ready() {
                cmd::blocking::serve_ready(&mut ctx);
            }
            // A blocking command with nothing to pop: wait without the lock,
            // after sending the replies before it (as Redis does before it
            // sleeps).
            if let Some(block) = client.block.take() {
                holding |= hand_over(client, out);
                drop(ks);
                write_held(client, out, peer, &mut holding);
                let reply = super::wait::wait(core, client, peer, block);
                if reply.is_empty() {
                    client.close_after_reply = true;
                }
                out.buf.extend_from_slice(&reply);
                ks = core.lock();
            }
            if client.reply_off || std::mem::take(&mut client.reply_skip) {
                out.keep_pushes_only(before);
            }
            out.pushes.clear();
            done += 1;
            if client.close_after_reply {
                done = batch.len();
                break;
            }
        }
        if paused {
            sh.pause.waiting.fetch_sub(1, Ordering::Relaxed);
        }
        // Handed over before the lock is released, so that replies and the
        // messages other clients push keep the order in which they were produced.
        holding |= hand_over(client, out);
        if client.close_after_reply {
            detach(sh, &mut ks.store, client);
        }
        drop(ks);
    }
    client.mirror();
    if let Some(h) = &client.handle {
        h.last_active_ms.store(sh.now_ms(), Ordering::Relaxed);
    }
    (holding, done)
}

/// Before a wait without the lock: writes the replies so far (which the
/// outbox is held for), so the client has them while this one waits.
fn write_held(client: &mut ClientState, out: &mut Reply, peer: &Stream, holding: &mut bool) {
    if !std::mem::take(holding) {
        return;
    }
    let sent = (&*peer).write_all(&out.buf).is_ok();
    out.buf.clear();
    if let Some(h) = &client.handle {
        h.outbox.release();
    }
    if !sent {
        client.close_after_reply = true;
    }
}

/// Takes a departing client out of everything others can reach it through: the
/// registry (so a redirection to it is broken from now on), its watched keys,
/// subscriptions and tracking. Under the keyspace lock, as soon as the client is
/// known to be leaving (QUIT, or its connection's end), so nobody pushes to it
/// while its last replies drain. Idempotent; it drops `client.handle`.
fn detach(sh: &cmd::Shared, store: &mut crate::store::Store, client: &mut ClientState) {
    let Some(handle) = client.handle.take() else {
        return;
    };
    cmd::tx::unwatch_all(store, &mut client.tx);
    if std::mem::take(&mut client.tracking) {
        cmd::tracking::disable(sh, store, handle.id);
    }
    cmd::pubsub::forget_client(sh, handle.id, &mut client.subs);
    if std::mem::take(&mut client.monitor) {
        sh.monitors.remove(handle.id);
    }
    sh.clients().remove(&handle.id);
}

/// [`Conn::hand_over`] for a client state and its output: true when the
/// connection must write `out` itself and then release the outbox.
fn hand_over(client: &ClientState, out: &mut Reply) -> bool {
    let Some(h) = &client.handle else {
        return false;
    };
    match h.outbox.hand_over(&mut out.buf) {
        HandOver::Queued => false,
        HandOver::Direct => !out.buf.is_empty(),
        HandOver::Refused => {
            h.kill();
            out.buf.clear();
            false
        }
    }
}
