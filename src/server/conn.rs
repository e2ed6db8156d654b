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
use super::client::{ClientHandle, ClientState};
use super::Core;
use crate::cmd::{self, Ctx};
use crate::resp::parse::{ProtocolError, Request, RequestParser};
use crate::resp::Reply;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Initial size of a connection's input buffer.
const READ_CHUNK: usize = 16 * 1024;
/// Bulks at least this long are read into their own buffer (see `serve`).
const BIG_BULK: usize = 64 * 1024;
/// Output buffers bigger than this are released after each flush.
const OUT_KEEP: usize = 64 * 1024;
/// Thread stack size for connection threads: they run Lua scripts, whose native
/// re-entry (pcall, metamethods) recurses in Rust (see `LUA_THREAD_STACK`).
const STACK: usize = crate::lua::state::LUA_THREAD_STACK;

/// Registers the client and starts its thread (or refuses it over `maxclients`).
pub(super) fn spawn(core: Arc<Core>, mut stream: TcpStream) {
    let sh = &core.shared;
    let _ = stream.set_nodelay(true);
    let maxclients = sh.config().maxclients;
    let id = sh.next_client_id.fetch_add(1, Ordering::Relaxed);
    #[cfg(unix)]
    let fd = {
        use std::os::fd::AsRawFd;
        stream.as_raw_fd() as i64
    };
    #[cfg(not(unix))]
    let fd = -1i64;
    let handle = match ClientHandle::new(id, &stream, fd, sh.now_ms()) {
        Ok(h) => Arc::new(h),
        Err(_) => return,
    };
    {
        let mut clients = sh.clients();
        if clients.len() as u64 >= maxclients {
            drop(clients);
            sh.stats
                .rejected_connections
                .fetch_add(1, Ordering::Relaxed);
            let _ = stream.write_all(b"-ERR max number of clients reached\r\n");
            return;
        }
        clients.insert(id, handle.clone());
    }
    sh.stats
        .total_connections_received
        .fetch_add(1, Ordering::Relaxed);
    sh.logger.verbose(&format!("Accepted {}", handle.addr));
    let core2 = core.clone();
    let h2 = handle.clone();
    let spawned = std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || serve(&core2, stream, &h2));
    if spawned.is_err() {
        sh.logger
            .warning("Error creating a thread for a new client");
        sh.clients().remove(&id);
    }
}

/// The connection's input buffer: `buf[start..end]` holds unparsed bytes.
struct Input {
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

impl Input {
    /// Makes room to read more, compacting or growing (up to `limit` bytes).
    /// `wanted`: bytes the parser needs from `start` (a large bulk's size), grown to
    /// in one step instead of by doubling. False when pending data fills `limit`.
    fn make_room(&mut self, limit: usize, wanted: Option<usize>) -> bool {
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
        let mut new_len = (self.buf.len() * 2).max(READ_CHUNK);
        if let Some(w) = wanted {
            new_len = new_len.max(w);
        }
        let new_len = new_len.min(limit.max(READ_CHUNK));
        self.buf.resize(new_len, 0);
        true
    }
}

fn serve(core: &Core, mut stream: TcpStream, handle: &Arc<ClientHandle>) {
    let sh = &core.shared;
    let mut client = ClientState {
        id: handle.id,
        resp: 2,
        authenticated: sh.config().requirepass.is_none(),
        handle: Some(handle.clone()),
        ..ClientState::default()
    };
    let mut input = Input {
        buf: vec![0; READ_CHUNK],
        start: 0,
        end: 0,
    };
    let mut parser = RequestParser::default();
    let mut out = Reply::new();
    let mut batch: Vec<Request> = Vec::new();
    let mut fatal: Option<ProtocolError> = None;
    'conn: while !handle.is_killed() {
        // A large bulk whose header has been parsed is read straight into a buffer
        // of its exact size, which then becomes the argument (no copy, no zeroing).
        if let Some(wanted) = parser.wanted().filter(|&w| w >= BIG_BULK) {
            let have = input.end - input.start;
            if have < wanted {
                let mut bulk = Vec::with_capacity(wanted);
                bulk.extend_from_slice(&input.buf[input.start..input.end]);
                input.start = 0;
                input.end = 0;
                let need = (wanted - have) as u64;
                let got = (&stream).take(need).read_to_end(&mut bulk);
                if got.is_err() || bulk.len() < wanted {
                    break;
                }
                handle.last_active_ms.store(sh.now_ms(), Ordering::Relaxed);
                sh.stats
                    .total_net_input_bytes
                    .fetch_add(need, Ordering::Relaxed);
                if let Some(req) = parser.complete_bulk(bulk) {
                    batch.push(req);
                }
            }
        }
        let limit = sh.query_buffer_limit.load(Ordering::Relaxed) as usize;
        if !batch.is_empty() {
            // A request completed by a large bulk: run it before reading more.
        } else if !input.make_room(limit, parser.wanted()) {
            sh.logger.warning(&format!(
                "Closing client that reached max query buffer length: id={} addr={}",
                handle.id, handle.addr
            ));
            break;
        }
        if batch.is_empty() {
            let n = match stream.read(&mut input.buf[input.end..]) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(_) => break,
            };
            input.end += n;
            // Any input counts as activity for the idle `timeout`, as in Redis.
            handle.last_active_ms.store(sh.now_ms(), Ordering::Relaxed);
            sh.stats
                .total_net_input_bytes
                .fetch_add(n as u64, Ordering::Relaxed);
            sh.stats
                .total_reads_processed
                .fetch_add(1, Ordering::Relaxed);
        }

        loop {
            // Parse what is there: everything when authenticated, else one request.
            parser.max_bulk_len = sh.max_bulk_len.load(Ordering::Relaxed) as usize;
            parser.unauthenticated = !client.authenticated;
            let one_at_a_time = !client.authenticated;
            let mut pos = input.start;
            loop {
                match parser.next(&input.buf[..input.end], &mut pos) {
                    Ok(Some(req)) => {
                        batch.push(req);
                        if one_at_a_time {
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        fatal = Some(e);
                        break;
                    }
                }
            }
            input.start = pos;
            if input.start == input.end {
                input.start = 0;
                input.end = 0;
            }
            let parsed_any = !batch.is_empty();
            if parsed_any {
                execute(core, &mut client, &mut out, &batch);
                for req in batch.drain(..) {
                    parser.recycle(req);
                }
            }
            if let Some(e) = &fatal {
                if !client.close_after_reply {
                    sh.logger.verbose(&format!(
                        "Protocol error ({}) from client: id={} addr={}",
                        e.0.trim_start_matches("ERR Protocol error: "),
                        handle.id,
                        handle.addr
                    ));
                    out.error(&e.0);
                    sh.count_error(e.0.as_bytes());
                }
                client.close_after_reply = true;
            }
            // One at a time (unauthenticated): go on while whole requests remain.
            if !one_at_a_time || !parsed_any || client.close_after_reply {
                break;
            }
        }

        if !out.buf.is_empty() && handle.outbox.is_started() {
            // Left over after the batch (a protocol error): the writer thread owns
            // the socket's output now.
            if !handle.outbox.push(&out.buf) {
                break 'conn;
            }
            out.buf.clear();
        }
        if !out.buf.is_empty() {
            if stream.write_all(&out.buf).is_err() {
                break 'conn;
            }
            sh.stats
                .total_net_output_bytes
                .fetch_add(out.buf.len() as u64, Ordering::Relaxed);
            sh.stats
                .total_writes_processed
                .fetch_add(1, Ordering::Relaxed);
            out.buf.clear();
            if out.buf.capacity() > OUT_KEEP {
                out.buf = Vec::new();
            }
        }
        if client.close_after_reply || sh.is_shutting_down() {
            break;
        }
        // Give back memory a big request left behind.
        if input.end == 0 && input.buf.len() > 4 * READ_CHUNK {
            input.buf = vec![0; READ_CHUNK];
        }
    }
    if !client.tx.watched.is_empty() {
        cmd::tx::unwatch_all(&mut core.lock(), &mut client.tx);
    }
    cmd::pubsub::forget_client(sh, handle.id, &mut client.subs);
    // Lets the writer thread (if any) send what is queued, e.g. QUIT's +OK.
    handle.outbox.close();
    let _ = stream.shutdown(std::net::Shutdown::Both);
    sh.clients().remove(&handle.id);
    sh.logger.verbose(&format!(
        "Client closed connection id={} addr={}",
        handle.id, handle.addr
    ));
}

/// Runs a batch of requests under one acquisition of the keyspace lock.
fn execute(core: &Core, client: &mut ClientState, out: &mut Reply, batch: &[Request]) {
    let sh = &core.shared;
    {
        let Some(mut store) = crate::scripting::lock_or_busy(core, out, batch) else {
            return;
        };
        let mut ctx = Ctx {
            store: &mut store,
            client,
            out,
            shared: sh,
        };
        for req in batch.iter() {
            // CLIENT REPLY OFF / SKIP: the command runs, its reply is dropped.
            let before = ctx.out.buf.len();
            let skip_this = std::mem::take(&mut ctx.client.reply_skip);
            cmd::dispatch(&mut ctx, req);
            if ctx.client.reply_off || skip_this {
                ctx.out.buf.truncate(before);
            }
            if std::mem::take(&mut ctx.client.reply_skip_next) {
                ctx.client.reply_skip = true;
            }
            if ctx.client.close_after_reply {
                break;
            }
        }
        // A client with a writer thread (pub/sub) sends everything through its
        // outbox, queued before the lock is released so that replies and published
        // messages keep the order in which they were produced.
        if let Some(h) = &ctx.client.handle {
            if !ctx.out.buf.is_empty() && h.outbox.is_started() {
                if !h.outbox.push(&ctx.out.buf) {
                    h.kill();
                }
                ctx.out.buf.clear();
            }
        }
    }
    if let Some(h) = &client.handle {
        h.db.store(client.db, Ordering::Relaxed);
        h.resp.store(client.resp, Ordering::Relaxed);
        h.last_active_ms.store(sh.now_ms(), Ordering::Relaxed);
    }
}
