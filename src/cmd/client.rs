//! Per-connection client state: selected database, name, protocol, ACL user.
//!
//! Two halves:
//! - [`ClientState`] is owned by the connection's thread and handed to command
//!   handlers as `&mut` (no locking: only that thread touches it).
//! - [`ClientHandle`] is the client's entry in the server-wide registry
//!   (`Shared::clients`), read by CLIENT LIST/INFO/KILL and the cron from other
//!   threads. Its fields are atomics or behind small mutexes; the connection thread
//!   mirrors `db` and activity into it after every batch of commands.
//!
//! The handle does not own the socket (the server does); it holds a
//! [`Connection`], the one thing the rest of the program may do to it: close it.
use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// What the server knows about one connected client.
#[derive(Debug, Default)]
pub struct ClientState {
    /// Unique, increasing client id (CLIENT ID).
    pub id: u64,
    /// Index of the selected database (SELECT).
    pub db: usize,
    /// CLIENT SETNAME, empty when unset.
    pub name: Vec<u8>,
    /// Protocol version chosen by HELLO (2 or 3).
    pub resp: u8,
    /// False until AUTH succeeds when `requirepass` is set.
    pub authenticated: bool,
    /// Set by QUIT (and CLIENT KILL of oneself): flush the replies, then close.
    pub close_after_reply: bool,
    /// CLIENT REPLY OFF: replies are dropped until CLIENT REPLY ON.
    pub reply_off: bool,
    /// CLIENT REPLY SKIP was just run: the next command's reply is dropped.
    pub reply_skip_next: bool,
    /// The reply of the command now running is dropped (set from `reply_skip_next`).
    pub reply_skip: bool,
    /// This client's registry entry (None only for clients built outside a server,
    /// e.g. in unit tests).
    pub handle: Option<Arc<ClientHandle>>,
    /// Channels and patterns this client is subscribed to (see `cmd::pubsub`).
    pub subs: super::pubsub::Subs,
    /// MULTI queue and WATCHed keys (see `cmd::tx`).
    pub tx: super::tx::TxState,
    /// Blocking commands answer at once instead of waiting (inside EXEC, in a
    /// script, when serving a blocked client).
    pub no_block: bool,
    /// This is the client a script's `redis.call` runs as (Redis's
    /// `CLIENT_SCRIPT`): e.g. SORT then orders what it would leave unsorted.
    pub in_script: bool,
    /// Set by a blocking command that must wait (see `server::blocking`).
    pub block: Option<super::blocking::BlockRequest>,
    /// Positions of the running command's arguments that must not be shown
    /// (passwords): SLOWLOG and MONITOR print `(redacted)` instead. Cleared by
    /// the dispatcher before each command.
    pub redacted: Vec<usize>,
    /// In MONITOR mode (see `cmd::monitor`).
    pub monitor: bool,
    /// CLIENT TRACKING is on (its mode is in `cmd::tracking`)...
    pub tracking: bool,
    /// ... in BCAST mode (no keys are remembered).
    pub tracking_bcast: bool,
    /// CLIENT CACHING YES/NO was given for the next command (or transaction).
    pub caching: bool,
    /// CLIENT NO-EVICT ON (flag `e` in CLIENT LIST; there is no client eviction).
    pub no_evict: bool,
    /// The ACL user this client is authenticated as (None: a client built
    /// outside a server, treated as the default user).
    pub user: Option<Arc<super::acl::User>>,
    /// For a script's client: the client that runs the script (ACL LOG
    /// shows it).
    pub caller: Option<Arc<ClientHandle>>,
}

impl ClientState {
    /// Marks arguments of the running command as secret (see `redacted`).
    pub fn redact_args(&mut self, positions: &[usize]) {
        self.redacted.extend_from_slice(positions);
    }

    /// Sets the name here and in the registry entry.
    pub fn set_name(&mut self, name: Vec<u8>) {
        if let Some(h) = &self.handle {
            *h.name.lock().unwrap_or_else(|e| e.into_inner()) = name.clone();
        }
        self.name = name;
    }

    /// Bytes of the queued commands' arguments, plus a pointer per argument
    /// (CLIENT LIST `multi-mem`, as Redis counts it).
    pub fn multi_mem(&self) -> u64 {
        self.tx.queue.as_ref().map_or(0, |q| {
            q.iter()
                .map(|c| c.iter().map(|a| a.len() as u64 + 8).sum::<u64>())
                .sum()
        })
    }

    /// Copies what other clients' CLIENT LIST shows of this one into the
    /// registry entry (after each batch of commands, and at once where it
    /// matters: HELLO's protocol, SETNAME).
    pub fn mirror(&self) {
        let Some(h) = &self.handle else {
            return;
        };
        h.db.store(self.db, Ordering::Relaxed);
        h.sub.store(self.subs.channels.len(), Ordering::Relaxed);
        h.psub.store(self.subs.patterns.len(), Ordering::Relaxed);
        h.ssub.store(self.subs.shard.len(), Ordering::Relaxed);
        h.multi.store(
            self.tx.queue.as_ref().map_or(-1, |q| q.len() as i64),
            Ordering::Relaxed,
        );
        h.multi_mem.store(self.multi_mem(), Ordering::Relaxed);
        h.no_evict.store(self.no_evict, Ordering::Relaxed);
    }

    /// Sets the protocol (HELLO, RESET) here and in the registry entry, at once:
    /// messages pushed to this client by others are framed in it.
    pub fn set_resp(&mut self, resp: u8) {
        if let Some(h) = &self.handle {
            h.resp.store(resp, Ordering::Relaxed);
        }
        self.resp = resp;
    }
}

/// How the rest of the program reaches a client's connection, which the server
/// owns: closing it makes the connection's thread stop (its read returns);
/// starting a writer thread on it drains the client's outbox.
pub trait Connection: Send + Sync + std::fmt::Debug {
    fn close(&self);
    /// Starts the thread that writes what `outbox` queues to the socket (once);
    /// false if no thread could start.
    fn start_writer(&self, outbox: Arc<super::outbox::Outbox>) -> bool;
    /// Waits for the writer thread, if one was started (after the outbox closed).
    fn join_writer(&self);
}

/// One end of a client's connection, as CLIENT LIST shows it (`addr=`, `laddr=`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peer {
    Tcp(SocketAddr),
    /// A client of the Unix socket at this path: both ends show as `path:0`,
    /// as in Redis.
    Unix(Arc<str>),
}

impl Peer {
    /// A client that counts as local for `enable-protected-configs local`
    /// and the like: a loopback address or the Unix socket (7.0's rule).
    pub fn is_local(&self) -> bool {
        match self {
            Peer::Tcp(a) => a.ip().is_loopback(),
            Peer::Unix(_) => true,
        }
    }

    pub fn is_unix(&self) -> bool {
        matches!(self, Peer::Unix(_))
    }
}

impl fmt::Display for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Peer::Tcp(a) => write!(f, "{a}"),
            Peer::Unix(path) => write!(f, "{path}:0"),
        }
    }
}

/// A client's entry in the registry, shared between its thread and the rest of the
/// server.
#[derive(Debug)]
pub struct ClientHandle {
    pub id: u64,
    /// Peer address (`addr=` in CLIENT LIST) and our end (`laddr=`).
    pub addr: Peer,
    pub laddr: Peer,
    /// The socket's file descriptor number (`fd=`), for display only.
    pub fd: i64,
    pub created: Instant,
    /// Milliseconds since server start of the last command (idle time).
    pub last_active_ms: AtomicU64,
    pub db: AtomicUsize,
    pub name: Mutex<Vec<u8>>,
    pub resp: AtomicU8,
    /// Index in the command table of the last command run, plus one (0: none).
    pub last_cmd: AtomicUsize,
    /// Set by CLIENT KILL / shutdown; the connection thread then stops.
    pub killed: AtomicBool,
    /// Closes the connection from any thread.
    conn: Box<dyn Connection>,
    /// Outbound queue for pushed messages (see `outbox.rs`).
    pub outbox: Arc<super::outbox::Outbox>,
    /// Subscribed to some channel or pattern (a RESP2 redirect target of
    /// tracking gets its invalidations as pub/sub messages only then).
    pub subscribed: AtomicBool,
    /// Mirrors of the client's state for CLIENT LIST (see `ClientState::mirror`):
    /// channels, patterns, queued commands (-1: not in MULTI), their bytes,
    /// NO-EVICT.
    pub sub: AtomicUsize,
    pub psub: AtomicUsize,
    pub ssub: AtomicUsize,
    pub multi: AtomicI64,
    pub multi_mem: AtomicU64,
    pub no_evict: AtomicBool,
    /// In MONITOR mode (flag `O` in CLIENT LIST).
    pub monitor: AtomicBool,
    /// The ACL user the client is authenticated as (None: `default`), for
    /// CLIENT LIST `user=`, CLIENT KILL USER and ACL DELUSER.
    pub user: Mutex<Option<Arc<super::acl::User>>>,
}

impl ClientHandle {
    /// The entry of client `id` connected from `addr` to `laddr`.
    pub fn new(
        id: u64,
        (addr, laddr): (Peer, Peer),
        fd: i64,
        now_ms: u64,
        conn: Box<dyn Connection>,
        outbox: Arc<super::outbox::Outbox>,
    ) -> ClientHandle {
        ClientHandle {
            id,
            addr,
            laddr,
            fd,
            created: Instant::now(),
            last_active_ms: AtomicU64::new(now_ms),
            db: AtomicUsize::new(0),
            name: Mutex::new(Vec::new()),
            resp: AtomicU8::new(2),
            last_cmd: AtomicUsize::new(0),
            killed: AtomicBool::new(false),
            conn,
            outbox,
            subscribed: AtomicBool::new(false),
            sub: AtomicUsize::new(0),
            psub: AtomicUsize::new(0),
            ssub: AtomicUsize::new(0),
            multi: AtomicI64::new(-1),
            multi_mem: AtomicU64::new(0),
            no_evict: AtomicBool::new(false),
            monitor: AtomicBool::new(false),
            user: Mutex::new(None),
        }
    }

    /// Closes the connection from any thread: the owner's read returns at once.
    pub fn kill(&self) {
        self.killed.store(true, Ordering::SeqCst);
        self.conn.close();
    }

    /// Sends all the client's output through its outbox from now on, starting
    /// the writer thread the first time. Any thread may do it (a client pushing
    /// to another); a client whose writer cannot start is closed.
    pub fn attach_outbox(&self) {
        if self.outbox.attach() && !self.conn.start_writer(self.outbox.clone()) {
            self.kill();
        }
    }

    /// Waits for the writer thread to finish what the closed outbox holds.
    pub fn join_writer(&self) {
        self.conn.join_writer();
    }

    pub fn is_killed(&self) -> bool {
        self.killed.load(Ordering::Relaxed)
    }

    /// The name of the client's user (`default` until it authenticates as another).
    pub fn user_name(&self) -> Vec<u8> {
        self.user
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map_or_else(|| b"default".to_vec(), |u| u.name.clone())
    }

    pub fn name(&self) -> Vec<u8> {
        self.name.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}
