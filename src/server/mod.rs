//! The server: TCP and Unix-socket listeners, connection threads, the poller, the keyspace lock
//! and its policy, the cron. This is the only layer that owns sockets and starts
//! threads; everything a command sees lives in `cmd`.
//!
//! # Thread design
//!
//! **Every connection has its own thread; every command runs under one lock around
//! the keyspace** (`Core::ks`, a `Mutex<Keyspace>` whose waiters can give up, see
//! `lock.rs`); **busy connections are lent to one poller thread** (`hot.rs`). A
//! connection thread blocks in `read`, parses every whole request in what
//! arrived, takes the lock *once* for the whole batch, executes it, releases the
//! lock and writes all the replies with one `write`. So a pipeline of 16 commands
//! costs one read, one lock and one write.
//!
//! While the server is busy (a client's request comes within 100 ms of its
//! previous one, with at least 16 commands run meanwhile at 20,000 a second or
//! more), the client's thread hands the whole connection state to the poller and
//! sleeps until the poller gives it back: after 10 ms without a request while the
//! server is quiet, 100 ms in any case, all of them when the server's rate falls
//! under 10,000 a second, or before a request the poller must not run (commands
//! flagged `OWN_THREAD`: blocking commands, subscriptions). The poller sweeps its
//! connections with nonblocking reads and runs what arrived through the same
//! `conn::execute`.
//!
//! Why (std only: no epoll, no `unsafe`, no libc):
//! - *Single executor thread fed by channels* adds two thread hand-offs (wake-ups)
//!   per request on top of the socket wake-up; on the 2-core machine a hand-off
//!   costs as much as the command itself.
//! - *Thread per connection alone* lets the kernel do the readiness work (a thread
//!   sleeping in `read` is exactly an epoll registration) and costs nothing for
//!   idle clients, but each request of an unpipelined client wakes a sleeping
//!   thread: the client's `write` pays the scheduler's wake-up and we pay two
//!   context switches; redis-benchmark itself then spent ~35 % more CPU per
//!   request against us than against Redis.
//! - *Nonblocking sockets polled by one thread* never sleeps while requests flow
//!   (so no wake-ups), but burns a core spinning over idle clients.
//! - The mix keeps the strengths of both: on a quiet or moderately loaded server
//!   every client sleeps in its own thread; on a busy one the poller serves them,
//!   spinning only while the load lasts and yielding the CPU between empty sweeps.
//!   The figures behind these choices are in `docs/measurements.md`.
//!
//! Atomicity: a command holds the lock from start to finish, so every command (and
//! a Lua script or a MULTI/EXEC block, which simply run under the same guard) is
//! atomic with respect to all others, as in single-threaded Redis.
//!
//! # Threads and locks
//!
//! | thread | how many | what it does | waits on |
//! | --- | --- | --- | --- |
//! | main (`Server::run`) | 1 | accepts on the first listener and queues the connection for the pool, then disconnects everyone at shutdown | `accept` |
//! | accept | one per further listener, and one for the Unix socket | accepts on its listener | `accept` |
//! | connection (`conn.rs`, `pool.rs`) | one per client, plus up to 16 parked | reads, parses, runs batches, writes; waits for blocked commands (`wait.rs`); then parks for the next connection | `read`, the keyspace lock, its lent-out channel, a blocked client's mailbox; parked: the pool's condition variable |
//! | spawner (`pool.rs`) | 1 | starts connection threads when accepted connections outnumber parked threads | the pool's condition variable |
//! | poller (`hot.rs`) | 1, started on first use | serves busy connections with nonblocking reads | its inbox when idle; never blocks while it holds connections |
//! | cron | 1 | active expiry, ops/sec sample, idle-client timeouts, `hz` times a second | a sleep |
//! | outbox writer (`conn.rs`) | one per client with an attached outbox (pub/sub) | writes what publishers queue | the outbox's condition variable |
//! | lazy free | 1 | frees what commands hand it (`FLUSHALL ASYNC`), off the request path | its channel |
//!
//! | lock | guards | taken by | order |
//! | --- | --- | --- | --- |
//! | keyspace (`KeyspaceLock`) | data, blocked clients, the scripting state | every command batch, the cron, a blocked client's timeout | first: nothing else is held when it is taken |
//! | `Shared::pubsub` | channel and pattern subscriptions | SUBSCRIBE, PUBLISH, a client's exit | after the keyspace |
//! | `Shared::clients` | the client registry | accept, exit, CLIENT LIST/KILL, the cron | after the keyspace and `pubsub` |
//! | an outbox's state | one client's queued output | publishers, the client's thread, its writer | after all the above |
//! | leaves: `Shared::config` (read-write), `Shared::errors`, a client's name, a blocked client's mailbox, the log file, the poller's inbox, the pool's queue | their one value | anyone | never held while taking another lock |
//!
//! Waiting for the keyspace lock costs no CPU: a waiter sleeps on the lock's gate
//! until a release or a poke (a script past the busy threshold pokes everyone,
//! who then answer `BUSY`; see `lock.rs`).
//!
//! # Shutdown and signals
//!
//! SHUTDOWN saves (with save points set, or SAVE), stops the listeners, closes
//! every client and makes [`Server::run`] return; the binary then exits. Without
//! `unsafe`/libc there is no way to install a signal handler, so SIGTERM and
//! ctrl-c (SIGINT) keep their default action: the kernel ends the process at once,
//! and changes since the last save are lost. An operator should use `SHUTDOWN`
//! (or `redis-cli shutdown`) to get the final save; `docs/persistence.md` says
//! why and sketches a two-process design that would catch them.
//!
//! # Persistence
//!
//! The RDB file is loaded in [`Server::bind`], before any client is accepted;
//! the cron runs `persist::rdbfile::cron` (finished BGSAVEs, save points).
pub mod conn;
pub mod hot;
mod listen;
pub mod lock;
mod pool;
mod stream;
mod wait;

pub use crate::cmd::shared::Stats;
pub use crate::cmd::{config, log};
pub use crate::cmd::{Shared, REDIS_VERSION};

use crate::cmd::{Commands, Keyspace};
use config::Config;
use lock::{KeyspaceGuard, KeyspaceLock};
use log::Logger;
use std::io;
use std::net::TcpListener;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The command table of a server: this crate's families, cmd's and scripting's.
pub fn command_table() -> Commands {
    let mut families: Vec<&'static [crate::cmd::CommandSpec]> =
        crate::cmd::table::FAMILIES.to_vec();
    families.extend_from_slice(crate::scripting::FAMILIES);
    families.extend_from_slice(crate::persist::FAMILIES);
    Commands::new(&families)
}

/// Everything the threads share: the keyspace behind its lock, and the rest.
pub struct Core {
    /// The one lock that makes commands atomic (see the module doc).
    pub ks: KeyspaceLock,
    pub shared: Arc<Shared>,
    /// The way in to the poller that serves busy connections (see `hot.rs`).
    pub hot: hot::Hot,
    /// The connection threads (see `pool.rs`).
    pool: pool::Pool,
    /// The listening sockets and their accept threads (see `listen.rs`).
    listen: listen::Listeners,
}

impl Core {
    /// Locks the keyspace. A panic in a handler poisons the mutex; the keyspace is
    /// still consistent at command granularity, so later commands go on.
    pub fn lock(&self) -> KeyspaceGuard<'_> {
        self.ks.lock()
    }
}

/// A bound, not yet running server.
pub struct Server {
    listeners: Vec<TcpListener>,
    /// The Unix socket (`unixsocket`), if configured.
    unix: Option<std::os::unix::net::UnixListener>,
    core: Arc<Core>,
}

/// A handle to stop a running server from another thread (tests, the binary).
#[derive(Clone)]
pub struct ServerHandle {
    core: Arc<Core>,
}

impl ServerHandle {
    pub fn shutdown(&self) {
        self.core.shared.request_shutdown();
    }
    pub fn core(&self) -> &Arc<Core> {
        &self.core
    }
}

impl Server {
    /// Binds every `bind` address on `port` (0: an ephemeral port, the same one on
    /// every address), prepares the shared state and loads the RDB file (a
    /// damaged one is an `InvalidData` error, already logged, naming the offset).
    pub fn bind(config: Config) -> io::Result<Server> {
        let logger = Logger::new(config.loglevel, &config.logfile)?;
        Server::bind_with_logger(config, logger)
    }

    /// As [`Server::bind`], with a given logger (tests pass [`Logger::quiet`]).
    pub fn bind_with_logger(mut config: Config, logger: Logger) -> io::Result<Server> {
        fit_descriptor_limit(&mut config, &logger);
        // `port 0` with a Unix socket: no TCP at all, as in Redis. (Without one,
        // port 0 means an ephemeral port, which tests and embedders use.)
        let (listeners, port) = if config.port == 0 && !config.unixsocket.is_empty() {
            (Vec::new(), 0)
        } else {
            listen::bind_all(&config.bind, config.port)?
        };
        let unix = match config.unixsocket.as_str() {
            "" => None,
            path => Some(listen::bind_unix(path, config.unixsocketperm).map_err(|e| {
                logger.warning(&format!("Failed opening Unix socket: {e}"));
                io::Error::other(e)
            })?),
        };
        let databases = config.databases;
        let shared = Arc::new(Shared::new(config, logger, command_table(), port));
        // The config file's `user` lines, or the ACL file.
        {
            let c = shared.config().clone();
            let all = c.acl_pubsub_default == "allchannels";
            crate::cmd::acl::file::load_at_startup(
                &shared.acl,
                &c.users,
                (&c.dir, &c.aclfile),
                all,
            )
            .map_err(|e| {
                shared.logger.warning(&e);
                io::Error::new(io::ErrorKind::InvalidInput, e)
            })?;
        }
        let core = Arc::new(Core {
            ks: KeyspaceLock::new(Keyspace::new(databases)),
            shared,
            hot: hot::Hot::default(),
            pool: pool::Pool::default(),
            listen: listen::Listeners::default(),
        });
        install_hooks(&core);
        listen::install_rebind(&core);
        crate::persist::rdbfile::install_hooks(&core.shared);
        crate::persist::aof::install(&core.shared);
        {
            let sh = core.shared.clone();
            let flush = move || crate::persist::aof::flush(&sh);
            let _ = core.ks.after_release.set(Box::new(flush));
        }
        // The dataset is loaded before any client is accepted; a damaged file
        // stops the server rather than serving half a dataset. With
        // `appendonly yes` the AOF is the dataset (the RDB file is not read).
        {
            let mut guard = core.lock();
            let ks = &mut *guard;
            let aof = core.shared.config().appendonly;
            let loaded = if aof {
                crate::persist::aof::start(ks, &core.shared)
            } else {
                crate::persist::rdbfile::load_at_startup(
                    &mut ks.store,
                    &mut ks.scripts,
                    &core.shared,
                )
            };
            if let Err(e) = loaded {
                core.shared.logger.warning(&e);
                return Err(io::Error::new(io::ErrorKind::InvalidData, e));
            }
        }
        Ok(Server {
            listeners,
            unix,
            core,
        })
    }

    /// The TCP port the server listens on.
    pub fn port(&self) -> u16 {
        self.core.shared.port.load(Ordering::Relaxed)
    }

    pub fn handle(&self) -> ServerHandle {
        ServerHandle {
            core: self.core.clone(),
        }
    }

    /// Serves until SHUTDOWN (or [`ServerHandle::shutdown`]): accepts connections,
    /// runs the cron, then disconnects every client and returns.
    pub fn run(self) {
        let core = self.core;
        let sh = &core.shared;
        let port = sh.port.load(Ordering::Relaxed);
        // The banner, where Redis shows its logo: with `always-show-logo
        // yes`, or logging to a terminal. Its `PID:` line is what test
        // harnesses wait for.
        let show_banner = {
            use std::io::IsTerminal;
            let c = sh.config();
            c.always_show_logo || (c.logfile.is_empty() && std::io::stdout().is_terminal())
        };
        if show_banner {
            sh.logger.raw(
                config::LogLevel::Notice,
                &format!(
                    "\n    Ferrous {} (Redis {} compatible) {} bit\n    Running in standalone mode\n    \
                     Port: {port}\n    PID: {}\n\n",
                    env!("CARGO_PKG_VERSION"),
                    REDIS_VERSION,
                    usize::BITS,
                    std::process::id()
                ),
            );
        } else {
            sh.logger
                .notice(&format!("Running mode=standalone, port={port}."));
        }
        sh.logger.notice("Server initialized");
        if !self.listeners.is_empty() {
            sh.logger.notice("Ready to accept connections tcp");
        }
        let unix_path = sh.config().unixsocket.clone();
        if self.unix.is_some() {
            sh.logger.notice(&format!(
                "The server is now ready to accept connections at {unix_path}"
            ));
        }
        let cron = {
            let core = core.clone();
            std::thread::Builder::new()
                .name("cron".into())
                .spawn(move || cron(&core))
                .ok()
        };
        let spawner = {
            let core = core.clone();
            std::thread::Builder::new()
                .name("spawner".into())
                .spawn(move || pool::spawner(core))
                .ok()
        };
        // One accept thread per listening socket (see `listen.rs`); this
        // thread waits until they have all ended, which they do at shutdown.
        core.listen.start(&core, self.listeners, &sh.config().bind);
        if let Some(l) = self.unix {
            core.listen.start_unix(&core, l, unix_path.into());
        }
        core.listen
            .run_until_shutdown(&core, || sh.is_shutting_down());
        core.pool.close();
        if let Some(s) = spawner {
            let _ = s.join();
        }
        for client in sh.clients().values() {
            client.kill();
        }
        crate::persist::rdbfile::bgsave_cancel(sh);
        crate::persist::aof::shutdown(sh);
        if let Some(c) = cron {
            let _ = c.join();
        }
        sh.logger.notice("Ferrous is now ready to exit, bye bye...");
    }
}

/// Background work, `hz` times a second: active expiry, the ops/sec sample, idle
/// client timeouts.
fn cron(core: &Arc<Core>) {
    let sh = &core.shared;
    let mut last_ops = (
        Instant::now(),
        sh.stats.total_commands_processed.load(Ordering::Relaxed),
    );
    while !sh.is_shutting_down() {
        let (hz, timeout) = {
            let c = sh.config();
            (c.hz.max(1), c.timeout)
        };
        std::thread::sleep(Duration::from_millis(1000 / hz));
        if sh.cron_paused.load(Ordering::Relaxed) {
            continue;
        }
        {
            let mut ks = core.lock();
            if sh.active_expire.load(Ordering::Relaxed) {
                let began = Instant::now();
                ks.store.active_expire_cycle(crate::store::now_ms());
                // LATENCY's `expire-cycle` event.
                sh.latency
                    .sample("expire-cycle", began.elapsed().as_millis() as u64);
            }
            crate::cmd::notify::flush_expired(&mut ks.store, &core.shared);
            crate::cmd::tracking::cron(&core.shared, &mut ks.store);
            let ks = &mut *ks;
            crate::persist::rdbfile::cron(&mut ks.store, &mut ks.scripts, &core.shared);
            crate::persist::migrate::cron(&core.shared);
            crate::persist::aof::cron(&mut ks.store, &mut ks.scripts, &core.shared);
        }
        let elapsed = last_ops.0.elapsed();
        if elapsed >= Duration::from_secs(1) {
            let now_ops = sh.stats.total_commands_processed.load(Ordering::Relaxed);
            let rate = (now_ops.saturating_sub(last_ops.1)) as f64 / elapsed.as_secs_f64();
            sh.stats
                .instantaneous_ops_per_sec
                .store(rate as u64, Ordering::Relaxed);
            last_ops = (Instant::now(), now_ops);
        }
        if timeout > 0 {
            let now = sh.now_ms();
            for c in sh.clients().values() {
                if now.saturating_sub(c.last_active_ms.load(Ordering::Relaxed)) > timeout * 1000 {
                    sh.logger.verbose("Closing idle client");
                    c.kill();
                }
            }
        }
    }
}

/// Makes `maxclients` honest about the descriptor limit, as Redis does at
/// startup: each client takes one descriptor and the server keeps
/// `RESERVED_FDS` for itself, so with `ulimit -n` below `maxclients + 32`,
/// `maxclients` is lowered (with Redis's warnings) and the clients past it get
/// `-ERR max number of clients reached` instead of connections that are never
/// answered. (Redis first tries to raise the limit; std has no `setrlimit`.)
///
/// Then it grows the process's descriptor table to what the clients may need,
/// by opening and closing that many descriptors now, while the process has one
/// thread: the kernel grows the table by doubling, and in a multi-threaded
/// process every growth waits for an RCU grace period, which stalled `accept`
/// long enough for the listen queue to overflow (a one-second SYN retransmit
/// for the client) when thousands connected at once.
fn fit_descriptor_limit(config: &mut Config, logger: &Logger) {
    use crate::cmd::config::{open_files_limit, RESERVED_FDS};
    let Some(limit) = open_files_limit() else {
        return;
    };
    let wanted = config.maxclients.saturating_add(RESERVED_FDS);
    if limit < wanted {
        let lowered = limit.saturating_sub(RESERVED_FDS).max(1);
        logger.warning(&format!(
            "You requested maxclients of {} requiring at least {wanted} max file descriptors.",
            config.maxclients
        ));
        logger.warning(&format!(
            "Server can't set maximum open files to {wanted} because of OS error: \
             raising the limit needs setrlimit, which std does not offer."
        ));
        logger.warning(&format!(
            "Current maximum open files is {limit}. maxclients has been reduced to {lowered} \
             to compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'."
        ));
        config.maxclients = lowered;
    }
    // The table never shrinks: once per process is enough (tests start many
    // servers in one process).
    static RESERVED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let reserve = wanted.min(limit).min(1 << 20);
    if RESERVED.fetch_max(reserve, Ordering::Relaxed) >= reserve {
        return;
    }
    let held: Vec<std::fs::File> = (0..reserve)
        .map_while(|_| std::fs::File::open("/dev/null").ok())
        .collect();
    drop(held);
}

/// Gives the lower layers their ways to reach the server (see
/// `cmd::shared::ServerHooks`): waking the accept loops at shutdown; while a
/// script is busy, sending the poller's other connections home and waking the
/// connections waiting for the lock so they answer `BUSY`; freeing big values
/// on the lazy-free thread.
fn install_hooks(core: &Arc<Core>) {
    let weak = Arc::downgrade(core);
    let wake = move || {
        // Wake each accept loop blocked in `accept` with a throwaway connection.
        if let Some(core) = weak.upgrade() {
            core.listen.wake_all();
        }
    };
    let _ = core.shared.hooks.wake_listeners.set(Box::new(wake));
    let weak = Arc::downgrade(core);
    let busy = move || {
        hot::release_aside();
        if let Some(core) = weak.upgrade() {
            core.ks.poke_waiters();
        }
    };
    let _ = core.shared.hooks.script_busy.set(Box::new(busy));
    // The lazy-free thread: drops what it is sent, one thing at a time.
    let (tx, rx) = std::sync::mpsc::channel::<Box<dyn Send>>();
    let started = std::thread::Builder::new()
        .name("lazyfree".into())
        .spawn(move || {
            for garbage in rx {
                drop(garbage);
            }
        });
    if started.is_ok() {
        let free = move |garbage: Box<dyn Send>| {
            // If the thread is gone, the garbage comes back and is dropped here.
            let _ = tx.send(garbage);
        };
        let _ = core.shared.hooks.free_later.set(Box::new(free));
    }
}
