//! The server-wide state that command handlers may read and change: configuration,
//! statistics, the command table, the client registry, the pub/sub registry, the
//! log, and the state of the running script.
//!
//! [`Shared`] is built once by the server and handed to every handler as
//! `ctx.shared` (an `Arc`, so scripting can keep a handle for the length of a
//! run). It holds no sockets and starts no threads: what only the server can do
//! (wake its accept loops at shutdown, send busy connections home while a script
//! runs, free big values on another thread) reaches it through the hooks the
//! server installs ([`ServerHooks`]).
//!
//! Invariants:
//! - everything here is safe to read without the keyspace lock: atomics, or small
//!   mutexes that are never held while taking the keyspace lock (lock order:
//!   keyspace, then `tracking`, then `pubsub`, then `clients`, then an outbox;
//!   `config` and `errors` are leaves);
//! - the mirrors (`max_bulk_len`, `notify_flags`, ...) always equal the config
//!   values they mirror once [`Shared::config_changed`] has run after a change.
use super::client::ClientHandle;
use super::config::{self, Config};
use super::log::Logger;
use super::outbox;
use super::table::Commands;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// The version this server reports (INFO `redis_version`, HELLO): the Redis
/// version whose behaviour it follows, so clients enable the right features.
pub const REDIS_VERSION: &str = "7.0.15";

/// Server-wide counters (INFO stats). Relaxed atomics: exact totals, no ordering.
#[derive(Debug, Default)]
pub struct Stats {
    pub total_connections_received: AtomicU64,
    pub total_commands_processed: AtomicU64,
    pub rejected_connections: AtomicU64,
    pub total_net_input_bytes: AtomicU64,
    pub total_net_output_bytes: AtomicU64,
    pub total_error_replies: AtomicU64,
    pub total_reads_processed: AtomicU64,
    pub total_writes_processed: AtomicU64,
    pub keyspace_hits: AtomicU64,
    pub keyspace_misses: AtomicU64,
    pub expired_keys: AtomicU64,
    /// Keys removed to stay under `maxmemory`.
    pub evicted_keys: AtomicU64,
    /// Commands per second over the last second, sampled by the cron.
    pub instantaneous_ops_per_sec: AtomicU64,
    /// The largest `used_memory` INFO has seen (`used_memory_peak`).
    pub used_memory_peak: AtomicU64,
}

impl Stats {
    /// Notes a `used_memory` reading; answers the peak so far.
    pub fn note_memory_peak(&self, used: u64) -> u64 {
        self.used_memory_peak
            .fetch_max(used, Ordering::Relaxed)
            .max(used)
    }

    /// CONFIG RESETSTAT: zero the counters (not the gauges).
    pub fn reset(&self) {
        for c in [
            &self.total_connections_received,
            &self.total_commands_processed,
            &self.rejected_connections,
            &self.total_net_input_bytes,
            &self.total_net_output_bytes,
            &self.total_error_replies,
            &self.total_reads_processed,
            &self.total_writes_processed,
            &self.keyspace_hits,
            &self.keyspace_misses,
            &self.expired_keys,
            &self.evicted_keys,
        ] {
            c.store(0, Ordering::Relaxed);
        }
    }
}

/// The running script, as other connections see it: when it started, whether it
/// wrote, whether a kill was asked for. Scripting writes it; the server reads it
/// to answer `BUSY` without the keyspace lock; the VM's hook polls the kill flag.
#[derive(Debug, Default)]
pub struct RunState {
    /// Milliseconds since the Unix epoch when the running script started; 0 when
    /// none runs.
    started_ms: AtomicU64,
    /// The running script has called a write command (it cannot be killed).
    wrote: AtomicBool,
    /// SCRIPT KILL was accepted; the hook stops the script at its next check.
    kill: AtomicBool,
    /// The running script is a function (FCALL), not an EVAL script: the
    /// BUSY text names FUNCTION KILL, and only FUNCTION KILL stops it.
    function: AtomicBool,
    /// The running function, for FUNCTION STATS while it is busy (set before
    /// each FCALL; the registry cannot change while a function runs).
    call: std::sync::Mutex<FunctionCall>,
}

/// What FUNCTION STATS tells of a running function.
#[derive(Debug, Default, Clone)]
pub struct FunctionCall {
    /// The function's name as registered.
    pub name: String,
    /// The caller's command (FCALL and its arguments).
    pub argv: Vec<Vec<u8>>,
    /// Libraries and functions loaded.
    pub libraries: usize,
    pub functions: usize,
}

impl RunState {
    pub fn begin(&self, now_ms: u64, function: bool) {
        self.wrote.store(false, Ordering::Relaxed);
        self.function.store(function, Ordering::Relaxed);
        self.kill.store(false, Ordering::Relaxed);
        self.started_ms.store(now_ms.max(1), Ordering::Release);
    }

    pub fn end(&self) {
        self.started_ms.store(0, Ordering::Release);
        self.kill.store(false, Ordering::Relaxed);
    }

    pub fn set_wrote(&self) {
        self.wrote.store(true, Ordering::Relaxed);
    }

    pub fn wrote(&self) -> bool {
        self.wrote.load(Ordering::Relaxed)
    }

    pub fn is_function(&self) -> bool {
        self.function.load(Ordering::Relaxed)
    }

    pub fn request_kill(&self) {
        self.kill.store(true, Ordering::Relaxed);
    }

    pub fn kill_requested(&self) -> bool {
        self.kill.load(Ordering::Relaxed)
    }

    /// Records the function about to run (see [`FunctionCall`]).
    pub fn set_function_call(&self, call: FunctionCall) {
        *self.call.lock().unwrap_or_else(|e| e.into_inner()) = call;
    }

    /// The function last started by FCALL.
    pub fn function_call(&self) -> FunctionCall {
        self.call.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Start time of the running script, if one runs.
    pub fn running_since(&self) -> Option<u64> {
        match self.started_ms.load(Ordering::Acquire) {
            0 => None,
            t => Some(t),
        }
    }
}

/// Something to free off the request path (a flushed keyspace, a big value).
pub type Garbage = Box<dyn Send>;

/// INFO's `lazyfree_pending_objects` and `lazyfreed_objects`.
#[derive(Debug, Default)]
pub struct LazyfreeStats {
    pub pending: AtomicU64,
    pub freed: AtomicU64,
}

/// Garbage on its way to the lazy-free thread, as so many objects (a value
/// is one, a flushed keyspace one per key): counted pending until dropped.
struct Counted(Option<Garbage>, Arc<LazyfreeStats>, u64);

impl Drop for Counted {
    fn drop(&mut self) {
        // the garbage first, then the counts (the figures follow the freeing)
        drop(self.0.take());
        self.1.pending.fetch_sub(self.2, Ordering::Relaxed);
        self.1.freed.fetch_add(self.2, Ordering::Relaxed);
    }
}

/// What the server lets the lower layers ask of it, installed once at bind time.
/// They are plain callbacks so that nothing below `server` names its types.
#[derive(Default)]
pub struct ServerHooks {
    /// Wakes the accept loops so they see the shutdown flag.
    pub wake_listeners: OnceLock<Box<dyn Fn() + Send + Sync>>,
    /// Called by a script's hook on the thread running it once the script is past
    /// the busy threshold (the poller sends its other connections home).
    pub script_busy: OnceLock<Box<dyn Fn() + Send + Sync>>,
    /// Drops what it is given on the server's lazy-free thread.
    pub free_later: OnceLock<Box<dyn Fn(Garbage) + Send + Sync>>,
    /// Listens on new addresses (`bind`) and port (CONFIG SET): the error is
    /// CONFIG SET's reason, and then the old listeners stay.
    pub rebind: OnceLock<RebindHook>,
}

/// See [`ServerHooks::rebind`].
pub type RebindHook = Box<dyn Fn(&[String], u16) -> Result<(), String> + Send + Sync>;

/// A connection MIGRATE keeps open to a target instance.
#[derive(Debug)]
pub struct MigrateSocket {
    pub stream: std::net::TcpStream,
    /// The database last selected on it (-1: none yet).
    pub last_db: i64,
    pub last_use: Instant,
}

/// State shared by every connection and readable by command handlers.
pub struct Shared {
    pub config: RwLock<Config>,
    pub stats: Stats,
    /// The command table with per-command statistics.
    pub commands: Commands,
    /// Every connected client by id (ids increase, so this is connection order).
    pub clients: Mutex<BTreeMap<u64, Arc<ClientHandle>>>,
    pub logger: Logger,
    /// Error replies by their first word (`ERR`, `WRONGTYPE`, ...): INFO errorstats.
    pub errors: Mutex<BTreeMap<String, u64>>,
    /// Pub/sub subscriptions of all clients (see `cmd::pubsub`).
    pub pubsub: Mutex<super::pubsub::Registry>,
    pub started: Instant,
    /// 40 hex digits, random per start (INFO `run_id`).
    pub run_id: String,
    /// The replication ID (INFO `master_replid`): random per start, and
    /// again after DEBUG CHANGE-REPL-ID.
    pub replid: Mutex<String>,
    /// The TCP port actually bound (useful when configured as 0); CONFIG SET
    /// port changes it.
    pub port: std::sync::atomic::AtomicU16,
    /// Mirror of `proto-max-bulk-len`, read by parsers without the config lock.
    pub max_bulk_len: AtomicU64,
    /// Mirror of `notify-keyspace-events` (flag bits), read on every write.
    pub notify_flags: AtomicU32,
    /// Mirror of `client-query-buffer-limit`.
    pub query_buffer_limit: AtomicU64,
    /// Mirror of `maxmemory` (0: no limit), read before every command.
    pub maxmemory: AtomicU64,
    /// Mirror of the LFU settings when the policy is an LFU one
    /// (`cmd::evict::encode_lfu`).
    pub lfu_mode: AtomicU64,
    /// Mirror of the `lazyfree-lazy-*` settings (`cmd::lazyfree`'s bits).
    pub lazyfree_mode: AtomicU32,
    /// Whether `used_memory` was over `maxmemory` (after eviction) when the
    /// command now running started (Redis's `pre_command_oom_state`): a
    /// script's first write is refused on it, not on what the script itself
    /// allocated since. Set by the dispatcher for commands from clients only.
    pub oom_at_start: AtomicBool,
    /// The running script, read by connections that find the lock taken.
    pub script: RunState,
    /// Script statistics for INFO, kept by scripting: cached EVAL scripts and the
    /// bytes of the EVAL state's Lua heap.
    pub scripts_cached: AtomicU64,
    pub scripts_memory: AtomicU64,
    /// Objects handed to the lazy-free thread (see [`Shared::free_later`]).
    pub lazyfree: Arc<LazyfreeStats>,
    /// The largest `used_memory` seen (INFO's `used_memory_peak`), raised
    /// whenever the figure is computed (see `cmd::memory`).
    pub memory_peak: AtomicU64,
    /// Mirror of `client-output-buffer-limit`'s pubsub class, read by every outbox.
    pub pubsub_limits: Arc<outbox::Limits>,
    /// Mirror of its normal class: the replies of one batch of a normal client
    /// past its hard limit are dropped and the client closed (`server::conn`).
    pub normal_limits: outbox::Limits,
    pub hooks: ServerHooks,
    /// CLIENT PAUSE (see `cmd::pause`).
    pub pause: super::pause::Pause,
    /// Client-side caching (see `cmd::tracking`); taken under the keyspace lock.
    pub tracking: Mutex<super::tracking::Tracking>,
    /// Tracking is going on (clients track, or the key table is not empty).
    pub tracking_on: AtomicBool,
    /// Clients with tracking on (INFO `tracking_clients`).
    pub tracking_clients: AtomicUsize,
    /// DEBUG SET-DISABLE-DENY-SCRIPTS: scripts may call `noscript` commands.
    pub scripts_may_call_noscript: AtomicBool,
    /// Clients in MONITOR mode (see `cmd::monitor`).
    pub monitors: super::monitor::Monitors,
    /// Mirror of `latency-tracking` (per-command latency histograms).
    pub latency_tracking: AtomicBool,
    /// The latency monitor's events (see `cmd::latency`).
    pub latency: super::latency::Monitor,
    /// DEBUG SET-ACTIVE-EXPIRE: the cron expires keys in the background.
    pub active_expire: AtomicBool,
    /// DEBUG PAUSE-CRON: the cron does nothing while set.
    pub cron_paused: AtomicBool,
    /// DEBUG SET-SKIP-CHECKSUM-VALIDATION: RESTORE payloads and RDB files
    /// load without their CRC-64 being checked.
    pub skip_checksum: AtomicBool,
    /// MIGRATE's connections to target instances, by `host:port`, kept for
    /// reuse until idle for 10 seconds (INFO `migrate_cached_sockets`).
    pub migrate_sockets: Mutex<std::collections::HashMap<String, MigrateSocket>>,
    /// Users, permissions and the ACL LOG (see `cmd::acl`).
    pub acl: super::acl::Acl,
    /// SLOWLOG's entries (see `cmd::slowlog`).
    pub slowlog: super::slowlog::SlowLog,
    /// RDB save status and the persistence layer's hooks (see `cmd::persistence`).
    pub persistence: super::persistence::Persistence,
    /// Commands on their way to the append-only file (see `cmd::propagate`).
    pub propagation: super::propagate::Propagation,
    next_client_id: AtomicU64,
    shutting_down: AtomicBool,
}

impl Default for Shared {
    fn default() -> Self {
        Shared::new(Config::default(), Logger::quiet(), Commands::new(&[]), 0)
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("port", &self.port.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Shared {
    /// The shared state of a server bound to `port`, answering the commands of
    /// `commands`.
    pub fn new(config: Config, logger: Logger, commands: Commands, port: u16) -> Shared {
        Shared {
            max_bulk_len: AtomicU64::new(config.proto_max_bulk_len),
            maxmemory: AtomicU64::new(config.maxmemory),
            lazyfree_mode: AtomicU32::new(lazyfree_bits(&config)),
            lfu_mode: AtomicU64::new(super::evict::encode_lfu(super::evict::lfu_settings(
                &config.maxmemory_policy,
                config.lfu_log_factor.max(0) as u64,
                config.lfu_decay_time.max(0) as u64,
            ))),
            oom_at_start: AtomicBool::new(false),
            notify_flags: AtomicU32::new(config.notify_keyspace_events),
            query_buffer_limit: AtomicU64::new(config.client_query_buffer_limit),
            pubsub_limits: Arc::new(outbox::Limits::new(
                config.client_output_buffer_limit[config::ObufClass::Pubsub as usize],
            )),
            normal_limits: outbox::Limits::new(
                config.client_output_buffer_limit[config::ObufClass::Normal as usize],
            ),
            slowlog: super::slowlog::SlowLog::new(
                config.slowlog_log_slower_than,
                config.slowlog_max_len,
            ),
            monitors: Default::default(),
            active_expire: AtomicBool::new(true),
            cron_paused: AtomicBool::new(false),
            skip_checksum: AtomicBool::new(false),
            migrate_sockets: Mutex::default(),
            latency: super::latency::Monitor::new(config.latency_monitor_threshold.max(0) as u64),
            latency_tracking: AtomicBool::new(config.latency_tracking),
            acl: super::acl::Acl::new(&commands, config.requirepass.as_deref()),
            config: RwLock::new(config),
            stats: Stats::default(),
            commands,
            clients: Mutex::new(BTreeMap::new()),
            logger,
            errors: Mutex::new(BTreeMap::new()),
            pubsub: Mutex::default(),
            started: Instant::now(),
            run_id: make_run_id(),
            replid: Mutex::new(make_run_id()),
            port: std::sync::atomic::AtomicU16::new(port),
            script: RunState::default(),
            scripts_cached: AtomicU64::new(0),
            scripts_memory: AtomicU64::new(0),
            memory_peak: AtomicU64::new(0),
            lazyfree: Arc::default(),
            hooks: ServerHooks::default(),
            scripts_may_call_noscript: AtomicBool::new(false),
            pause: super::pause::Pause::default(),
            persistence: super::persistence::Persistence::default(),
            propagation: super::propagate::Propagation::default(),
            tracking: Mutex::default(),
            tracking_on: AtomicBool::new(false),
            tracking_clients: AtomicUsize::new(0),
            next_client_id: AtomicU64::new(1),
            shutting_down: AtomicBool::new(false),
        }
    }

    /// A read view of the configuration.
    pub fn config(&self) -> std::sync::RwLockReadGuard<'_, Config> {
        self.config.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Applies CONFIG SET's already-validated changes to the mirrors others read.
    pub fn config_changed(&self) {
        let c = self.config();
        self.max_bulk_len
            .store(c.proto_max_bulk_len, Ordering::Relaxed);
        self.maxmemory.store(c.maxmemory, Ordering::Relaxed);
        self.lfu_mode.store(
            super::evict::encode_lfu(super::evict::lfu_settings(
                &c.maxmemory_policy,
                c.lfu_log_factor.max(0) as u64,
                c.lfu_decay_time.max(0) as u64,
            )),
            Ordering::Relaxed,
        );
        self.lazyfree_mode
            .store(lazyfree_bits(&c), Ordering::Relaxed);
        self.query_buffer_limit
            .store(c.client_query_buffer_limit, Ordering::Relaxed);
        self.logger.set_level(c.loglevel);
        self.notify_flags
            .store(c.notify_keyspace_events, Ordering::Relaxed);
        self.pubsub_limits
            .store(c.client_output_buffer_limit[config::ObufClass::Pubsub as usize]);
        self.normal_limits
            .store(c.client_output_buffer_limit[config::ObufClass::Normal as usize]);
        self.latency_tracking
            .store(c.latency_tracking, Ordering::Relaxed);
        self.latency
            .threshold
            .store(c.latency_monitor_threshold.max(0) as u64, Ordering::Relaxed);
        self.slowlog
            .slower_than
            .store(c.slowlog_log_slower_than, Ordering::Relaxed);
        self.slowlog
            .max_len
            .store(c.slowlog_max_len, Ordering::Relaxed);
        self.persistence.update_refusal(&c);
    }

    /// CONFIG RESETSTAT: the INFO counters, the per-command statistics and the
    /// error counts start again from zero.
    pub fn reset_stats(&self) {
        self.stats.reset();
        self.lazyfree.freed.store(0, Ordering::Relaxed);
        self.commands.reset_stats();
        self.errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// The `user <name> <rules>` lines describing the ACL users (CONFIG REWRITE).
    pub fn acl_user_lines(&self) -> Vec<String> {
        super::acl::command::user_lines(&self.acl)
            .into_iter()
            .map(|l| String::from_utf8_lossy(&l).into_owned())
            .collect()
    }

    /// Counts one error reply whose text (after the `-`) is `msg`, under its first
    /// word, as INFO errorstats reports. Distinct codes are capped at 128, as in Redis.
    pub fn count_error(&self, msg: &[u8]) {
        self.stats
            .total_error_replies
            .fetch_add(1, Ordering::Relaxed);
        let code = msg
            .split(|&b| b == b' ' || b == b'\r')
            .next()
            .unwrap_or(b"ERR");
        let code = String::from_utf8_lossy(code).into_owned();
        let mut errors = self.errors.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = errors.get_mut(&code) {
            *n += 1;
        } else if errors.len() < 128 {
            errors.insert(code, 1);
        }
    }

    /// Milliseconds since the server started.
    pub fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// The registry, locked.
    pub fn clients(&self) -> MutexGuard<'_, BTreeMap<u64, Arc<ClientHandle>>> {
        self.clients.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A fresh client id (CLIENT ID): ids increase and are never reused.
    pub fn new_client_id(&self) -> u64 {
        self.next_client_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Asks the server to stop: listeners close, clients are disconnected and the
    /// server's run loop returns. Safe to call from a command handler.
    pub fn request_shutdown(&self) {
        if self.shutting_down.swap(true, Ordering::SeqCst) {
            return;
        }
        if let Some(wake) = self.hooks.wake_listeners.get() {
            wake();
        }
    }

    /// Frees `garbage` off the request path (FLUSHALL ASYNC, UNLINK of a big
    /// value): on the server's lazy-free thread, or here when there is none.
    pub fn free_later(&self, garbage: Garbage) {
        self.free_later_counted(garbage, 1);
    }

    /// [`free_later`](Self::free_later) for garbage that counts as `objects`
    /// objects in INFO (a flushed keyspace: its keys).
    pub fn free_later_counted(&self, garbage: Garbage, objects: u64) {
        match self.hooks.free_later.get() {
            Some(free) => {
                self.lazyfree.pending.fetch_add(objects, Ordering::Relaxed);
                free(Box::new(Counted(
                    Some(garbage),
                    self.lazyfree.clone(),
                    objects,
                )))
            }
            None => drop(garbage),
        }
    }

    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::SeqCst)
    }
}

/// The `lazyfree-lazy-*` settings as `cmd::lazyfree`'s bits.
fn lazyfree_bits(c: &Config) -> u32 {
    super::lazyfree::encode(
        c.lazyfree_lazy_eviction,
        c.lazyfree_lazy_expire,
        c.lazyfree_lazy_server_del,
        c.lazyfree_lazy_user_del,
        c.lazyfree_lazy_user_flush,
    )
}

/// Unix time in microseconds.
pub fn unix_micros() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros())
        .unwrap_or(0)
}

/// A run id: 40 hex digits from std's randomly seeded hasher, the clock and the pid.
pub fn make_run_id() -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    let mut out = String::new();
    for i in 0..3u64 {
        let mut h = RandomState::new().build_hasher();
        h.write_u128(unix_micros());
        h.write_u32(std::process::id());
        h.write_u64(i);
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out.truncate(40);
    out
}
