//! What the server knows of its RDB saves: the status the persistence layer
//! (`persist::rdbfile`) keeps and the lower layers read: INFO's persistence
//! section, LASTSAVE, and the dispatcher's MISCONF refusal (for a failed
//! background save, or an append-only file that cannot be written, whose
//! reason `persist::aof` reports here).
//!
//! Redis keeps these in `server.*` (`lastsave`, `lastbgsave_status`,
//! `dirty_before_bgsave`, `rdb_child_pid`, ...). Here they live behind one small
//! mutex (a leaf lock: nothing else is taken while it is held), except the one
//! flag every command reads, [`Persistence::refuse_writes`], which is a mirror
//! kept in an atomic.
//!
//! Commands of this layer that must save (FLUSHALL with save points set,
//! SHUTDOWN, DEBUG RELOAD) call the persistence layer through [`SaveHooks`],
//! which the server fills at startup, so `cmd` never imports `persist`.
use super::Ctx;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Instant;

/// A background save in progress.
#[derive(Debug)]
pub struct Running {
    /// When it started (for `rdb_current_bgsave_time_sec`).
    pub started: Instant,
    /// Keys in the snapshot and keys written so far
    /// (`current_save_keys_total` / `_processed`).
    pub keys_total: u64,
    pub keys_done: Arc<AtomicU64>,
    /// Set by the writing thread when it is done: `Err` holds the log text.
    pub result: Arc<Mutex<Option<Result<(), String>>>>,
    /// Asks the writing thread to stop (FLUSHALL, SHUTDOWN).
    pub cancel: Arc<AtomicBool>,
    pub thread: Option<std::thread::JoinHandle<()>>,
}

/// The save status (Redis's `server.lastsave` and friends).
#[derive(Debug)]
pub struct SaveState {
    /// Unix seconds of the last successful save (LASTSAVE); the start time
    /// until then.
    pub lastsave: u64,
    /// Whether the last background save (or SAVE) succeeded.
    pub last_bgsave_ok: bool,
    /// Seconds the last background save took; -1 before the first.
    pub last_bgsave_time_sec: i64,
    /// Unix seconds of the last BGSAVE attempt (a failed one is retried by the
    /// save points only after 5 seconds).
    pub last_bgsave_try: u64,
    /// The store's change counter when the running save took its snapshot.
    pub dirty_before_bgsave: u64,
    /// Saves done (`rdb_saves`).
    pub rdb_saves: u64,
    /// BGSAVE SCHEDULE asked for one while another was running.
    pub scheduled: bool,
    pub running: Option<Running>,
    /// The last load: keys loaded, keys skipped as expired.
    pub last_load_keys_loaded: u64,
    pub last_load_keys_expired: u64,
}

/// Saves the dataset now (see [`SaveHooks::save`]).
pub type SaveFn = fn(&mut Ctx<'_>) -> Result<(), String>;
/// See [`SaveHooks::serialized_len`].
pub type SerializedLenFn = fn(&crate::store::Value, &super::config::Config) -> usize;
/// DEBUG RELOAD (see [`SaveHooks::reload`]).
pub type ReloadFn = fn(&mut Ctx<'_>, ReloadOptions) -> Result<(), String>;

/// The persistence layer's entry points for commands of lower layers.
#[derive(Default)]
pub struct SaveHooks {
    /// Saves the dataset now, holding the keyspace (Redis's `rdbSave`). `Err`
    /// carries the reason, already logged.
    pub save: OnceLock<SaveFn>,
    /// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE], the options already checked.
    pub reload: OnceLock<ReloadFn>,
    /// The bytes a value takes in an RDB file, as the configuration would
    /// write it (DEBUG OBJECT's `serializedlength`).
    pub serialized_len: OnceLock<SerializedLenFn>,
    /// CONFIG SET appendonly yes|no took effect: start (a rewrite, then
    /// appending) or stop the append-only file.
    pub aof_switch: OnceLock<AofSwitchFn>,
    /// INFO's `aof_*` lines.
    pub aof_info: OnceLock<AofInfoFn>,
    /// DEBUG LOADAOF: the keyspace loaded again from the AOF.
    pub aof_load: OnceLock<SaveFn>,
}

/// Turns the append-only file on (`true`) or off (see [`SaveHooks::aof_switch`]).
pub type AofSwitchFn = fn(&mut Ctx<'_>, bool) -> Result<(), String>;
/// INFO's `aof_*` lines (see [`SaveHooks::aof_info`]).
pub type AofInfoFn = fn(&super::Shared) -> String;

/// DEBUG RELOAD's options.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReloadOptions {
    pub merge: bool,
    pub noflush: bool,
    pub nosave: bool,
}

/// The status and the hooks, in [`super::Shared`].
pub struct Persistence {
    state: Mutex<SaveState>,
    /// Commands that write get MISCONF: the RDB condition below, or the
    /// append-only file cannot be written (Redis's
    /// `writeCommandsDeniedByDiskError`). The one flag every command reads.
    pub refuse_writes: AtomicBool,
    /// `stop-writes-on-bgsave-error yes`, save points set and the last
    /// background save failed.
    rdb_refuses: AtomicBool,
    /// The append-only file is on and its last write (or background fsync)
    /// failed: the reason, as `strerror` words it. Set and cleared by the
    /// persistence layer (a leaf lock).
    aof_error: Mutex<Option<String>>,
    pub hooks: SaveHooks,
    /// The append-only file's state, owned by the persistence layer (opened
    /// only there, as the scripting state is in `ScriptSlot`).
    pub aof: OnceLock<Box<dyn std::any::Any + Send + Sync>>,
    /// An AOF rewrite is running (BGSAVE waits for it, as for Redis's child).
    pub aof_rewriting: AtomicBool,
    /// DEBUG AOF-FLUSH-SLEEP: microseconds to sleep before each AOF write.
    pub aof_flush_sleep_us: AtomicU64,
    /// Snapshots taken for a background save or rewrite, and how long the
    /// last one held the keyspace: INFO's `total_forks` and
    /// `latest_fork_usec`, since the snapshot is what Redis's fork gives its
    /// child (see [`Persistence::snapshot_taken`]).
    pub forks: AtomicU64,
    pub latest_fork_us: AtomicU64,
    /// The dataset is being loaded from the AOF (Redis's `server.loading`):
    /// connections that give up waiting for the keyspace (a slow script in
    /// the file) answer LOADING.
    pub loading: AtomicBool,
}

/// The error Redis gives writes while saves fail.
pub const MISCONF: &str = "MISCONF Redis is configured to save RDB snapshots, but it's currently \
     unable to persist to disk. Commands that may modify the data set are disabled, because this \
     instance is configured to report errors during writes if RDB snapshotting fails \
     (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB \
     error.";

impl Default for Persistence {
    fn default() -> Self {
        Persistence {
            state: Mutex::new(SaveState {
                lastsave: (super::shared::unix_micros() / 1_000_000) as u64,
                last_bgsave_ok: true,
                last_bgsave_time_sec: -1,
                last_bgsave_try: 0,
                dirty_before_bgsave: 0,
                rdb_saves: 0,
                scheduled: false,
                running: None,
                last_load_keys_loaded: 0,
                last_load_keys_expired: 0,
            }),
            refuse_writes: AtomicBool::new(false),
            rdb_refuses: AtomicBool::new(false),
            aof_error: Mutex::new(None),
            hooks: SaveHooks::default(),
            aof: OnceLock::new(),
            aof_rewriting: AtomicBool::new(false),
            aof_flush_sleep_us: AtomicU64::new(0),
            forks: AtomicU64::new(0),
            latest_fork_us: AtomicU64::new(0),
            loading: AtomicBool::new(false),
        }
    }
}

impl Persistence {
    /// A background save or rewrite took its snapshot in `us` microseconds
    /// (Ferrous's counterpart of Redis's fork: the pause clients see).
    pub fn snapshot_taken(&self, us: u64) {
        self.forks.fetch_add(1, Ordering::Relaxed);
        self.latest_fork_us.store(us, Ordering::Relaxed);
    }

    /// The status (a leaf lock).
    pub fn state(&self) -> MutexGuard<'_, SaveState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Recomputes [`Persistence::refuse_writes`] from the status and the
    /// configuration (Redis's `writeCommandsDeniedByDiskError`).
    pub fn update_refusal(&self, config: &super::config::Config) {
        let failed = !self.state().last_bgsave_ok;
        let on = failed && config.stop_writes_on_bgsave_error && !config.save.trim().is_empty();
        self.rdb_refuses.store(on, Ordering::Relaxed);
        self.mirror_refusal();
    }

    fn aof_error(&self) -> MutexGuard<'_, Option<String>> {
        self.aof_error.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn mirror_refusal(&self) {
        let on = self.rdb_refuses.load(Ordering::Relaxed) || self.aof_error().is_some();
        self.refuse_writes.store(on, Ordering::Relaxed);
    }

    /// The append-only file's write status changed: `Some(reason)` while it
    /// cannot be written, `None` once a write succeeds again or it is off.
    pub fn set_aof_error(&self, reason: Option<String>) {
        *self.aof_error() = reason;
        self.mirror_refusal();
    }

    /// The error a write gets while [`Persistence::refuse_writes`] is set:
    /// the RDB text first, as Redis checks that condition first.
    pub fn misconf_error(&self) -> String {
        if self.rdb_refuses.load(Ordering::Relaxed) {
            return MISCONF.to_string();
        }
        match &*self.aof_error() {
            Some(reason) => format!("MISCONF Errors writing to the AOF file: {reason}"),
            None => MISCONF.to_string(),
        }
    }

    /// Whether a background save is running.
    pub fn bgsave_running(&self) -> bool {
        self.state().running.is_some()
    }

    /// INFO's `# Persistence` section, as 7.0 writes it (`dirty`: changes since
    /// the last save; `aof`: the `aof_*` lines from the persistence layer).
    pub fn info(&self, dirty: u64, aof: &str) -> String {
        let st = self.state();
        let (current, total, done) = match &st.running {
            Some(r) => (
                r.started.elapsed().as_secs() as i64,
                r.keys_total,
                r.keys_done.load(Ordering::Relaxed),
            ),
            None => (-1, 0, 0),
        };
        format!(
            "# Persistence\r\nloading:0\r\nasync_loading:0\r\ncurrent_cow_peak:0\r\n\
             current_cow_size:0\r\ncurrent_cow_size_age:0\r\ncurrent_fork_perc:0.00\r\n\
             current_save_keys_processed:{done}\r\ncurrent_save_keys_total:{total}\r\n\
             rdb_changes_since_last_save:{dirty}\r\nrdb_bgsave_in_progress:{}\r\n\
             rdb_last_save_time:{}\r\nrdb_last_bgsave_status:{}\r\n\
             rdb_last_bgsave_time_sec:{}\r\nrdb_current_bgsave_time_sec:{current}\r\n\
             rdb_saves:{}\r\nrdb_last_cow_size:0\r\nrdb_last_load_keys_expired:{}\r\n\
             rdb_last_load_keys_loaded:{}\r\n{aof}",
            u8::from(st.running.is_some()),
            st.lastsave,
            if st.last_bgsave_ok { "ok" } else { "err" },
            st.last_bgsave_time_sec,
            st.rdb_saves,
            st.last_load_keys_expired,
            st.last_load_keys_loaded,
        )
    }
}

/// INFO's `aof_*` lines while the append-only file was never set up (7.0's
/// values with `appendonly no`).
pub const AOF_OFF_INFO: &str = "aof_enabled:0\r\naof_rewrite_in_progress:0\r\n\
     aof_rewrite_scheduled:0\r\naof_last_rewrite_time_sec:-1\r\n\
     aof_current_rewrite_time_sec:-1\r\naof_last_bgrewrite_status:ok\r\naof_rewrites:0\r\n\
     aof_rewrites_consecutive_failures:0\r\naof_last_write_status:ok\r\n\
     aof_last_cow_size:0\r\nmodule_fork_in_progress:0\r\nmodule_fork_last_cow_size:0\r\n";
