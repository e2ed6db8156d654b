//! Server configuration: the parameter table, redis.conf-style files and flags,
//! and the CONFIG GET/SET/REWRITE view of the same values.
//!
//! One table ([`PARAMS`]), written once in the `parameters!` invocation below,
//! drives everything. A row is one parameter of redis-server 7.0: its typed field
//! in [`Config`], its name and alias (`slave-read-only` for `replica-read-only`),
//! its [`Kind`] (yes/no, integer range, memory size, enumeration, string, or a
//! special syntax), its default as redis-server 7.0.15 prints it (`CONFIG GET *`
//! of `redis-server --port X`), its flags (immutable, protected, sensitive,
//! hidden, multi-argument, ...), and optionally a check of the text, a special
//! get/set pair, a special CONFIG REWRITE form, and how to apply a change to the
//! running server. A config file line `port 6380`, a flag `--port 6380` and
//! `CONFIG SET port 6380` all go through the row's setter, so they can never
//! disagree; [`Config::default`] is the defaults run through the same setters.
//!
//! Adding a parameter is adding one row: the field, its name, kind and default.
//! Code that needs the value reads the typed field (`shared.config().hz`); values
//! read on every request have a lock-free mirror in `Shared` (see
//! `Shared::config_changed`).
//!
//! Many parameters are accepted and reported so that every redis.conf of 7.0
//! loads and CONFIG GET/SET/REWRITE behave as there, without an effect here
//! (replication, cluster, TLS-free networking knobs, active defrag, jemalloc,
//! syslog, ...). Values this server cannot honour are refused with a reason
//! instead of being silently ignored: `daemonize yes` (no fork without
//! `unsafe`), `cluster-enabled yes`, `replicaof`, `activedefrag
//! yes` (the text Redis gives when built without its Jemalloc). Two differences
//! from Redis are deliberate: `dir` is kept as an absolute path and the process
//! never changes its working directory (an embedder's process is not ours), and
//! `bind` defaults to `127.0.0.1` (Redis binds every interface and relies on
//! protected mode).
//!
//! | file | job |
//! | --- | --- |
//! | `mod.rs` | the table, [`Config`], lookup, get and set by name |
//! | `value.rs` | parsing and printing each kind of value |
//! | `file.rs` | config files and the command line, as redis-server reads them |
//! | `rewrite.rs` | CONFIG REWRITE: the file updated in place, comments and order kept |
//! | `command.rs` | the CONFIG command |
pub mod command;
pub mod file;
pub mod rewrite;
pub mod value;

use super::shared::Shared;
pub use value::{Kind, LogLevel, Value};

/// Parameter flags (Redis's `*_CONFIG` flags).
pub mod pflags {
    /// CONFIG SET refuses it: `can't set immutable config`.
    pub const IMMUTABLE: u32 = 1 << 0;
    /// CONFIG SET allowed only by `enable-protected-configs`.
    pub const PROTECTED: u32 = 1 << 1;
    /// Its value is hidden from MONITOR and SLOWLOG.
    pub const SENSITIVE: u32 = 1 << 2;
    /// Not matched by CONFIG GET patterns, only by its exact name.
    pub const HIDDEN: u32 = 1 << 3;
    /// Takes several words (`save 900 1 300 10`).
    pub const MULTI_ARG: u32 = 1 << 4;
    /// Refused while loading data (`-LOADING`).
    pub const DENY_LOADING: u32 = 1 << 5;
    /// An empty value means "unset": CONFIG REWRITE leaves no line for it.
    pub const NULLABLE: u32 = 1 << 6;
}
use pflags::*;

/// What CONFIG REWRITE writes for a parameter.
pub enum Rewrite {
    /// No line: remove the parameter's lines from the file.
    Drop,
    /// These lines; `force`: append them even if the file had none (the value
    /// differs from the default).
    Lines { lines: Vec<String>, force: bool },
    /// These lines, each with its own `force`.
    Each(Vec<(String, bool)>),
}

/// Applies a changed value to the running server after CONFIG SET validated it
/// (on the copy about to be committed); an error undoes the whole CONFIG SET.
pub type Apply = fn(&mut Config, &Shared) -> Result<(), String>;

/// One configuration parameter.
pub struct Param {
    pub name: &'static str,
    /// The old name that also works (`slave-read-only`).
    pub alias: Option<&'static str>,
    pub kind: Kind,
    /// As CONFIG GET prints it on a fresh redis-server 7.0.15.
    pub default: &'static str,
    /// Bits of [`pflags`].
    pub flags: u32,
    /// The value as CONFIG GET prints it.
    pub get: fn(&Config) -> String,
    /// Sets the field from text (checked); the error is Redis's reason.
    pub set: fn(&mut Config, &str) -> Result<(), String>,
    /// A special CONFIG REWRITE form (None: `name value`, by kind).
    pub rewrite: Option<fn(&Config) -> Rewrite>,
    /// How a change reaches the running server (None: readers see the field).
    pub apply: Option<Apply>,
}

impl Param {
    pub fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }
}

/// One client class's output buffer limit: disconnect a client whose pending
/// output reaches `hard` bytes, or stays at `soft` bytes or more for over
/// `soft_seconds` (0 disables a limit).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ObufLimit {
    pub hard: u64,
    pub soft: u64,
    pub soft_seconds: u64,
}

/// The client classes of `client-output-buffer-limit`, in CONFIG GET's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObufClass {
    Normal = 0,
    Replica = 1,
    Pubsub = 2,
}

// Bounds of the C types Redis keeps its parameters in.
const INT_MAX: i128 = i32::MAX as i128;
const INT_MIN: i128 = i32::MIN as i128;
const UINT_MAX: i128 = u32::MAX as i128;
const LONG_MAX: i128 = i64::MAX as i128;
const ULLONG_MAX: i128 = u64::MAX as i128;

const MAXMEMORY_POLICIES: &[&str] = &[
    "volatile-lru",
    "volatile-lfu",
    "volatile-random",
    "volatile-ttl",
    "allkeys-lru",
    "allkeys-lfu",
    "allkeys-random",
    "noeviction",
];
const PROTECTED_ACTION: &[&str] = &["no", "yes", "local"];
const SHUTDOWN_ON_SIG: &[(&str, u32)] = &[
    ("default", 0),
    ("save", 1),
    ("nosave", 2),
    ("now", 4),
    ("force", 8),
];
const SYSLOG_FACILITIES: &[&str] = &[
    "user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
];

/// Builds [`Config`] (one typed field per row), [`PARAMS`] and the defaults from
/// one list of rows:
///
/// `field: Type = "name" [alias "old-name"], Kind, "default", FLAGS
///  [, check fn(&str)] [, custom(get, set)] [, rewrite fn] [, apply fn];`
macro_rules! parameters {
    ($(
        $field:ident : $ty:ty = $name:literal $(alias $alias:literal)?, $kind:expr, $default:literal, $flags:expr
        $(, check $check:expr)?
        $(, custom($get:expr, $set:expr))?
        $(, rewrite $rw:expr)?
        $(, apply $apply:expr)?
        ;
    )*) => {
        /// The server's settings, one typed field per parameter of [`PARAMS`],
        /// plus what a config file holds besides parameters.
        #[derive(Debug, Clone)]
        pub struct Config {
            $(pub $field: $ty,)*
            /// Absolute path of the config file this configuration came from
            /// (INFO's `config_file`, CONFIG REWRITE's target); empty if none.
            pub config_file: String,
            /// `user` directives of the config file: name, then its ACL rules.
            pub users: Vec<Vec<String>>,
            /// `rename-command` directives: old name, new name (empty: removed).
            pub renamed_commands: Vec<(String, String)>,
        }

        /// Every parameter, in the order of redis.conf's sections.
        pub static PARAMS: &[Param] = &[$(
            Param {
                name: $name,
                alias: parameters!(@alias $($alias)?),
                kind: $kind,
                default: $default,
                flags: $flags,
                get: parameters!(@get $field, $ty, $kind $(, $get)?),
                set: parameters!(@set $field, $ty, $kind, ($($check)?) $(, $set)?),
                rewrite: parameters!(@opt $($rw)?),
                apply: parameters!(@opt $($apply)?),
            },
        )*];

        impl Config {
            /// All fields at their type's zero, before the defaults are set.
            fn zero() -> Config {
                Config {
                    $($field: Default::default(),)*
                    config_file: String::new(),
                    users: Vec::new(),
                    renamed_commands: Vec::new(),
                }
            }
        }
    };
    (@alias) => { None };
    (@alias $a:literal) => { Some($a) };
    (@opt) => { None };
    (@opt $f:expr) => { Some($f) };
    (@get $field:ident, $ty:ty, $kind:expr) => {
        |c: &Config| <$ty as Value>::render(&c.$field, &$kind)
    };
    (@get $field:ident, $ty:ty, $kind:expr, $get:expr) => { $get };
    (@set $field:ident, $ty:ty, $kind:expr, ($($check:expr)?)) => {
        |c: &mut Config, v: &str| {
            $( ($check)(v)?; )?
            c.$field = <$ty as Value>::parse(&$kind, v)?;
            Ok(())
        }
    };
    (@set $field:ident, $ty:ty, $kind:expr, ($($check:expr)?), $set:expr) => { $set };
}

parameters! {
    // --- general, network, security
    daemonize: bool = "daemonize", Kind::Bool, "no", IMMUTABLE, check refuse_yes("daemonize yes is not supported by this server: it cannot fork");
    supervised: String = "supervised", Kind::Enum(&["upstart", "systemd", "auto", "no"]), "no", IMMUTABLE;
    pidfile: String = "pidfile", Kind::Str, "", IMMUTABLE | NULLABLE;
    bind: Vec<String> = "bind", Kind::Special, "127.0.0.1", MULTI_ARG, rewrite rewrite_bind, apply apply_bind;
    bind_source_addr: String = "bind-source-addr", Kind::Str, "", NULLABLE;
    protected_mode: bool = "protected-mode", Kind::Bool, "yes", 0;
    port: u16 = "port", Kind::Int(0, 65535), "6379", 0, apply apply_port;
    tcp_backlog: u64 = "tcp-backlog", Kind::Int(0, INT_MAX), "511", IMMUTABLE;
    unixsocket: String = "unixsocket", Kind::Str, "", IMMUTABLE | NULLABLE;
    unixsocketperm: u32 = "unixsocketperm", Kind::Octal(0, 0o777), "0", IMMUTABLE;
    socket_mark_id: u64 = "socket-mark-id", Kind::Int(0, UINT_MAX), "0", IMMUTABLE;
    timeout: u64 = "timeout", Kind::Int(0, INT_MAX), "0", 0;
    tcp_keepalive: u64 = "tcp-keepalive", Kind::Int(0, INT_MAX), "300", 0;
    loglevel: LogLevel = "loglevel", Kind::Enum(value::LOG_LEVELS), "notice", 0;
    logfile: String = "logfile", Kind::Str, "", IMMUTABLE;
    syslog_enabled: bool = "syslog-enabled", Kind::Bool, "no", IMMUTABLE;
    syslog_ident: String = "syslog-ident", Kind::Str, "redis", IMMUTABLE;
    syslog_facility: String = "syslog-facility", Kind::Enum(SYSLOG_FACILITIES), "local0", IMMUTABLE;
    crash_log_enabled: bool = "crash-log-enabled", Kind::Bool, "yes", 0;
    crash_memcheck_enabled: bool = "crash-memcheck-enabled", Kind::Bool, "yes", 0;
    databases: usize = "databases", Kind::Int(1, INT_MAX), "16", IMMUTABLE;
    always_show_logo: bool = "always-show-logo", Kind::Bool, "no", IMMUTABLE;
    set_proc_title: bool = "set-proc-title", Kind::Bool, "yes", IMMUTABLE;
    proc_title_template: String = "proc-title-template", Kind::Str, "{title} {listen-addr} {server-mode}", 0, check check_title_template;
    enable_protected_configs: String = "enable-protected-configs", Kind::Enum(PROTECTED_ACTION), "no", IMMUTABLE;
    enable_debug_command: String = "enable-debug-command", Kind::Enum(PROTECTED_ACTION), "no", IMMUTABLE;
    enable_module_command: String = "enable-module-command", Kind::Enum(PROTECTED_ACTION), "no", IMMUTABLE;
    ignore_warnings: String = "ignore-warnings", Kind::Str, "", 0;
    io_threads: i32 = "io-threads", Kind::Int(1, 128), "1", IMMUTABLE;
    io_threads_do_reads: bool = "io-threads-do-reads", Kind::Bool, "no", IMMUTABLE;
    server_cpulist: String = "server_cpulist", Kind::Str, "", IMMUTABLE | NULLABLE;
    bio_cpulist: String = "bio_cpulist", Kind::Str, "", IMMUTABLE | NULLABLE;
    aof_rewrite_cpulist: String = "aof_rewrite_cpulist", Kind::Str, "", IMMUTABLE | NULLABLE;
    bgsave_cpulist: String = "bgsave_cpulist", Kind::Str, "", IMMUTABLE | NULLABLE;
    oom_score_adj: String = "oom-score-adj", Kind::Enum(&["no", "yes", "relative", "absolute"]), "no", 0, custom(|c| c.oom_score_adj.clone(), set_oom_score_adj);
    oom_score_adj_values: [i32; 3] = "oom-score-adj-values", Kind::Special, "0 200 800", MULTI_ARG,
        custom(|c| c.oom_score_adj_values.map(|v| v.to_string()).join(" "),
               |c, v| { c.oom_score_adj_values = value::parse_oom_values(v)?; Ok(()) }),
        rewrite |c| plain_line("oom-score-adj-values", c, false);
    disable_thp: bool = "disable-thp", Kind::Bool, "yes", IMMUTABLE;
    shutdown_on_sigint: u32 = "shutdown-on-sigint", Kind::Flags(SHUTDOWN_ON_SIG), "default", MULTI_ARG, check check_shutdown_flags;
    shutdown_on_sigterm: u32 = "shutdown-on-sigterm", Kind::Flags(SHUTDOWN_ON_SIG), "default", MULTI_ARG, check check_shutdown_flags;
    shutdown_timeout: u64 = "shutdown-timeout", Kind::Int(0, INT_MAX), "10", 0;
    maxclients: u64 = "maxclients", Kind::Int(1, UINT_MAX), "10000", 0, apply apply_maxclients;
    hz: u64 = "hz", Kind::Int(0, INT_MAX), "10", 0,
        custom(|c| c.hz.to_string(), |c, v| { c.hz = u64::parse(&Kind::Int(0, INT_MAX), v)?.clamp(1, 500); Ok(()) });
    dynamic_hz: bool = "dynamic-hz", Kind::Bool, "yes", 0;
    activerehashing: bool = "activerehashing", Kind::Bool, "yes", 0;
    active_expire_effort: i32 = "active-expire-effort", Kind::Int(1, 10), "1", 0;
    latency_monitor_threshold: i64 = "latency-monitor-threshold", Kind::Int(0, LONG_MAX), "0", 0;
    latency_tracking: bool = "latency-tracking", Kind::Bool, "yes", 0;
    latency_tracking_info_percentiles: Vec<f64> = "latency-tracking-info-percentiles", Kind::Special, "50 99 99.9", MULTI_ARG,
        custom(|c| c.latency_tracking_info_percentiles.iter().map(|p| value::render_percentile(*p)).collect::<Vec<_>>().join(" "),
               |c, v| { c.latency_tracking_info_percentiles = value::parse_percentiles(v)?; Ok(()) }),
        rewrite rewrite_percentiles;
    slowlog_log_slower_than: i64 = "slowlog-log-slower-than", Kind::Int(-1, LONG_MAX), "10000", 0;
    slowlog_max_len: u64 = "slowlog-max-len", Kind::Int(0, LONG_MAX), "128", 0;
    notify_keyspace_events: u32 = "notify-keyspace-events", Kind::Special, "", 0,
        custom(|c| crate::cmd::notify::flags_to_string(c.notify_keyspace_events),
               |c, v| { c.notify_keyspace_events = crate::cmd::notify::parse_flags(v)?; Ok(()) }),
        rewrite |c| Rewrite::Lines {
            lines: vec![format!("notify-keyspace-events {}", super::repr(crate::cmd::notify::flags_to_string(c.notify_keyspace_events).as_bytes()))],
            force: c.notify_keyspace_events != 0,
        };
    propagation_error_behavior: String = "propagation-error-behavior", Kind::Enum(&["ignore", "panic", "panic-on-replicas"]), "ignore", 0;

    // --- security and clients
    requirepass: Option<Vec<u8>> = "requirepass", Kind::Str, "", SENSITIVE | NULLABLE, apply apply_requirepass;
    aclfile: String = "aclfile", Kind::Str, "", IMMUTABLE;
    acllog_max_len: u64 = "acllog-max-len", Kind::Int(0, LONG_MAX), "128", 0;
    acl_pubsub_default: String = "acl-pubsub-default", Kind::Enum(&["allchannels", "resetchannels"]), "resetchannels", 0;
    client_output_buffer_limit: [ObufLimit; 3] = "client-output-buffer-limit", Kind::Special,
        "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", MULTI_ARG,
        custom(|c| value::render_obuf_limits(&c.client_output_buffer_limit),
               |c, v| { c.client_output_buffer_limit = value::parse_obuf_limits(v, c.client_output_buffer_limit)?; Ok(()) }),
        rewrite rewrite::obuf_limits;
    client_query_buffer_limit: u64 = "client-query-buffer-limit", Kind::Mem(1024 * 1024, LONG_MAX), "1073741824", 0;
    proto_max_bulk_len: u64 = "proto-max-bulk-len", Kind::Mem(1024 * 1024, LONG_MAX), "536870912", 0;
    maxmemory_clients: i64 = "maxmemory-clients", Kind::MemPercent(-100, LONG_MAX), "0", 0;
    tracking_table_max_keys: u64 = "tracking-table-max-keys", Kind::Int(0, LONG_MAX), "1000000", 0;

    // --- memory
    maxmemory: u64 = "maxmemory", Kind::Mem(0, ULLONG_MAX), "0", 0;
    maxmemory_policy: String = "maxmemory-policy", Kind::Enum(MAXMEMORY_POLICIES), "noeviction", 0;
    maxmemory_samples: i32 = "maxmemory-samples", Kind::Int(1, INT_MAX), "5", 0;
    maxmemory_eviction_tenacity: i32 = "maxmemory-eviction-tenacity", Kind::Int(0, 100), "10", 0;
    lfu_log_factor: i32 = "lfu-log-factor", Kind::Int(0, INT_MAX), "10", 0;
    lfu_decay_time: i32 = "lfu-decay-time", Kind::Int(0, INT_MAX), "1", 0;
    lazyfree_lazy_eviction: bool = "lazyfree-lazy-eviction", Kind::Bool, "no", 0;
    lazyfree_lazy_expire: bool = "lazyfree-lazy-expire", Kind::Bool, "no", 0;
    lazyfree_lazy_server_del: bool = "lazyfree-lazy-server-del", Kind::Bool, "no", 0;
    lazyfree_lazy_user_del: bool = "lazyfree-lazy-user-del", Kind::Bool, "no", 0;
    lazyfree_lazy_user_flush: bool = "lazyfree-lazy-user-flush", Kind::Bool, "no", 0;
    jemalloc_bg_thread: bool = "jemalloc-bg-thread", Kind::Bool, "yes", 0;
    activedefrag: bool = "activedefrag", Kind::Bool, "no", 0, check refuse_yes("Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution");
    active_defrag_ignore_bytes: u64 = "active-defrag-ignore-bytes", Kind::Mem(1, LONG_MAX), "104857600", 0;
    active_defrag_threshold_lower: i32 = "active-defrag-threshold-lower", Kind::Int(0, 1000), "10", 0;
    active_defrag_threshold_upper: i32 = "active-defrag-threshold-upper", Kind::Int(0, 1000), "100", 0;
    active_defrag_cycle_min: i32 = "active-defrag-cycle-min", Kind::Int(1, 99), "1", 0;
    active_defrag_cycle_max: i32 = "active-defrag-cycle-max", Kind::Int(1, 99), "25", 0;
    active_defrag_max_scan_fields: u64 = "active-defrag-max-scan-fields", Kind::Int(1, LONG_MAX), "1000", 0;

    // --- encodings
    hash_max_listpack_entries: usize = "hash-max-listpack-entries" alias "hash-max-ziplist-entries", Kind::Int(0, LONG_MAX), "512", 0;
    hash_max_listpack_value: usize = "hash-max-listpack-value" alias "hash-max-ziplist-value", Kind::Mem(0, LONG_MAX), "64", 0;
    list_max_listpack_size: i32 = "list-max-listpack-size" alias "list-max-ziplist-size", Kind::Int(INT_MIN, INT_MAX), "-2", 0;
    list_compress_depth: i32 = "list-compress-depth", Kind::Int(0, INT_MAX), "0", 0;
    set_max_intset_entries: usize = "set-max-intset-entries", Kind::Int(0, LONG_MAX), "512", 0;
    zset_max_listpack_entries: usize = "zset-max-listpack-entries" alias "zset-max-ziplist-entries", Kind::Int(0, LONG_MAX), "128", 0;
    zset_max_listpack_value: usize = "zset-max-listpack-value" alias "zset-max-ziplist-value", Kind::Mem(0, LONG_MAX), "64", 0;
    hll_sparse_max_bytes: usize = "hll-sparse-max-bytes", Kind::Mem(0, LONG_MAX), "3000", 0;
    stream_node_max_bytes: usize = "stream-node-max-bytes", Kind::Mem(0, LONG_MAX), "4096", 0;
    stream_node_max_entries: usize = "stream-node-max-entries", Kind::Int(0, LONG_MAX), "100", 0;

    // --- scripting
    lua_time_limit: u64 = "busy-reply-threshold" alias "lua-time-limit", Kind::Int(0, LONG_MAX), "5000", 0;

    // --- persistence
    save: String = "save", Kind::Special, "3600 1 300 100 60 10000", MULTI_ARG,
        custom(|c| c.save.clone(), |c, v| { c.save = value::parse_save(v)?; Ok(()) }),
        rewrite rewrite::save;
    stop_writes_on_bgsave_error: bool = "stop-writes-on-bgsave-error", Kind::Bool, "yes", 0;
    rdbcompression: bool = "rdbcompression", Kind::Bool, "yes", 0;
    rdbchecksum: bool = "rdbchecksum", Kind::Bool, "yes", IMMUTABLE;
    sanitize_dump_payload: String = "sanitize-dump-payload", Kind::Enum(&["no", "yes", "clients"]), "no", 0;
    dbfilename: String = "dbfilename", Kind::Str, "dump.rdb", PROTECTED, check check_basename("dbfilename can't be a path, just a filename", None);
    rdb_del_sync_files: bool = "rdb-del-sync-files", Kind::Bool, "no", 0;
    dir: String = "dir", Kind::Special, ".", PROTECTED | DENY_LOADING,
        custom(|c| c.dir.clone(), set_dir),
        rewrite |c| Rewrite::Lines { lines: vec![format!("dir {}", super::repr(c.dir.as_bytes()))], force: true };
    appendonly: bool = "appendonly", Kind::Bool, "no", DENY_LOADING;
    appendfilename: String = "appendfilename", Kind::Str, "appendonly.aof", IMMUTABLE,
        check check_basename("appendfilename can't be a path, just a filename", Some("appendfilename can't be empty"));
    appenddirname: String = "appenddirname", Kind::Str, "appendonlydir", IMMUTABLE,
        check check_basename("appenddirname can't be a path, just a dirname", Some("appenddirname can't be empty"));
    appendfsync: String = "appendfsync", Kind::Enum(&["everysec", "always", "no"]), "everysec", 0;
    no_appendfsync_on_rewrite: bool = "no-appendfsync-on-rewrite", Kind::Bool, "no", 0;
    auto_aof_rewrite_percentage: i32 = "auto-aof-rewrite-percentage", Kind::Int(0, INT_MAX), "100", 0;
    auto_aof_rewrite_min_size: i64 = "auto-aof-rewrite-min-size", Kind::Mem(0, LONG_MAX), "67108864", 0;
    aof_load_truncated: bool = "aof-load-truncated", Kind::Bool, "yes", 0;
    aof_use_rdb_preamble: bool = "aof-use-rdb-preamble", Kind::Bool, "yes", 0;
    aof_timestamp_enabled: bool = "aof-timestamp-enabled", Kind::Bool, "no", 0;
    aof_rewrite_incremental_fsync: bool = "aof-rewrite-incremental-fsync", Kind::Bool, "yes", 0;
    rdb_save_incremental_fsync: bool = "rdb-save-incremental-fsync", Kind::Bool, "yes", 0;
    aof_disable_auto_gc: bool = "aof-disable-auto-gc", Kind::Bool, "no", 0;

    // --- replication (this server is always a master without replicas)
    replicaof: String = "replicaof" alias "slaveof", Kind::Special, "", IMMUTABLE | MULTI_ARG,
        custom(|c| c.replicaof.clone(), set_replicaof), rewrite |_| Rewrite::Drop;
    masterauth: String = "masterauth", Kind::Str, "", SENSITIVE | NULLABLE;
    masteruser: String = "masteruser", Kind::Str, "", SENSITIVE | NULLABLE;
    replica_serve_stale_data: bool = "replica-serve-stale-data" alias "slave-serve-stale-data", Kind::Bool, "yes", 0;
    replica_read_only: bool = "replica-read-only" alias "slave-read-only", Kind::Bool, "yes", 0;
    repl_diskless_sync: bool = "repl-diskless-sync", Kind::Bool, "yes", 0;
    repl_diskless_sync_delay: i32 = "repl-diskless-sync-delay", Kind::Int(0, INT_MAX), "5", 0;
    repl_diskless_sync_max_replicas: i32 = "repl-diskless-sync-max-replicas", Kind::Int(0, INT_MAX), "0", 0;
    repl_diskless_load: String = "repl-diskless-load", Kind::Enum(&["disabled", "on-empty-db", "swapdb"]), "disabled", DENY_LOADING;
    repl_ping_replica_period: i32 = "repl-ping-replica-period" alias "repl-ping-slave-period", Kind::Int(1, INT_MAX), "10", 0;
    repl_timeout: i32 = "repl-timeout", Kind::Int(1, INT_MAX), "60", 0;
    repl_disable_tcp_nodelay: bool = "repl-disable-tcp-nodelay", Kind::Bool, "no", 0;
    repl_backlog_size: i64 = "repl-backlog-size", Kind::Mem(1, LONG_MAX), "1048576", 0;
    repl_backlog_ttl: i64 = "repl-backlog-ttl", Kind::Int(0, LONG_MAX), "3600", 0;
    replica_priority: i32 = "replica-priority" alias "slave-priority", Kind::Int(0, INT_MAX), "100", 0;
    replica_announced: bool = "replica-announced", Kind::Bool, "yes", 0;
    replica_announce_ip: String = "replica-announce-ip" alias "slave-announce-ip", Kind::Str, "", NULLABLE;
    replica_announce_port: i32 = "replica-announce-port" alias "slave-announce-port", Kind::Int(0, 65535), "0", 0;
    replica_lazy_flush: bool = "replica-lazy-flush" alias "slave-lazy-flush", Kind::Bool, "no", 0;
    replica_ignore_maxmemory: bool = "replica-ignore-maxmemory" alias "slave-ignore-maxmemory", Kind::Bool, "yes", 0;
    replica_ignore_disk_write_errors: bool = "replica-ignore-disk-write-errors", Kind::Bool, "no", 0;
    min_replicas_to_write: i32 = "min-replicas-to-write" alias "min-slaves-to-write", Kind::Int(0, INT_MAX), "0", 0;
    min_replicas_max_lag: i32 = "min-replicas-max-lag" alias "min-slaves-max-lag", Kind::Int(0, INT_MAX), "10", 0;

    // --- cluster (not supported: cluster-enabled stays no)
    cluster_enabled: bool = "cluster-enabled", Kind::Bool, "no", IMMUTABLE, check refuse_yes("cluster mode is not supported by this server");
    cluster_config_file: String = "cluster-config-file", Kind::Str, "nodes.conf", IMMUTABLE;
    cluster_node_timeout: i64 = "cluster-node-timeout", Kind::Int(0, LONG_MAX), "15000", 0;
    cluster_port: i32 = "cluster-port", Kind::Int(0, 65535), "0", IMMUTABLE;
    cluster_replica_validity_factor: i32 = "cluster-replica-validity-factor" alias "cluster-slave-validity-factor", Kind::Int(0, INT_MAX), "10", 0;
    cluster_migration_barrier: i32 = "cluster-migration-barrier", Kind::Int(0, INT_MAX), "1", 0;
    cluster_allow_replica_migration: bool = "cluster-allow-replica-migration", Kind::Bool, "yes", 0;
    cluster_require_full_coverage: bool = "cluster-require-full-coverage", Kind::Bool, "yes", 0;
    cluster_replica_no_failover: bool = "cluster-replica-no-failover" alias "cluster-slave-no-failover", Kind::Bool, "no", 0;
    cluster_allow_reads_when_down: bool = "cluster-allow-reads-when-down", Kind::Bool, "no", 0;
    cluster_allow_pubsubshard_when_down: bool = "cluster-allow-pubsubshard-when-down", Kind::Bool, "yes", 0;
    cluster_link_sendbuf_limit: u64 = "cluster-link-sendbuf-limit", Kind::Mem(0, ULLONG_MAX), "0", 0;
    cluster_announce_ip: String = "cluster-announce-ip", Kind::Str, "", NULLABLE;
    cluster_announce_hostname: String = "cluster-announce-hostname", Kind::Str, "", NULLABLE, check check_hostname;
    cluster_announce_port: i32 = "cluster-announce-port", Kind::Int(0, 65535), "0", 0;
    cluster_announce_bus_port: i32 = "cluster-announce-bus-port", Kind::Int(0, 65535), "0", 0;
    cluster_announce_tls_port: i32 = "cluster-announce-tls-port", Kind::Int(0, 65535), "0", 0;
    cluster_preferred_endpoint_type: String = "cluster-preferred-endpoint-type", Kind::Enum(&["ip", "hostname", "unknown-endpoint"]), "ip", 0;

    // --- hidden (exact CONFIG GET only)
    use_exit_on_panic: bool = "use-exit-on-panic", Kind::Bool, "no", HIDDEN;
    rdb_key_save_delay: i32 = "rdb-key-save-delay", Kind::Int(INT_MIN, INT_MAX), "0", HIDDEN;
    key_load_delay: i32 = "key-load-delay", Kind::Int(INT_MIN, INT_MAX), "0", HIDDEN;
    watchdog_period: i32 = "watchdog-period", Kind::Int(0, INT_MAX), "0", HIDDEN;
    loading_process_events_interval_bytes: i64 = "loading-process-events-interval-bytes", Kind::Int(1024, INT_MAX), "2097152", HIDDEN;
}

// ------------------------------------------------------------ row helpers

/// A check that refuses `yes` with `why` (a mode this server does not have).
fn refuse_yes(why: &'static str) -> impl Fn(&str) -> Result<(), String> {
    move |v: &str| {
        if v.eq_ignore_ascii_case("yes") {
            Err(why.to_string())
        } else {
            Ok(())
        }
    }
}

/// A file name without a directory part (Redis's `pathIsBaseName`).
fn check_basename(
    why: &'static str,
    empty: Option<&'static str>,
) -> impl Fn(&str) -> Result<(), String> {
    move |v: &str| {
        if let (true, Some(e)) = (v.is_empty(), empty) {
            return Err(e.to_string());
        }
        if v.contains('/') {
            return Err(why.to_string());
        }
        Ok(())
    }
}

fn check_shutdown_flags(v: &str) -> Result<(), String> {
    let f = value::parse_flags(SHUTDOWN_ON_SIG, v)?;
    if f & 1 != 0 && f & 2 != 0 {
        return Err("shutdown options SAVE and NOSAVE can't be used simultaneously".into());
    }
    Ok(())
}

/// `proc-title-template`: `{name}` placeholders must be the known ones.
fn check_title_template(v: &str) -> Result<(), String> {
    const VARS: &[&str] = &[
        "title",
        "listen-addr",
        "server-mode",
        "port",
        "tls-port",
        "unixsocket",
        "config-file",
    ];
    let bad = || "template format is invalid or contains unknown variables".to_string();
    let mut rest = v;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or_else(bad)?;
        if !VARS.contains(&&after[..close]) {
            return Err(bad());
        }
        rest = &after[close + 1..];
    }
    if rest.contains('}') || v.trim().is_empty() {
        return Err(bad());
    }
    Ok(())
}

fn check_hostname(v: &str) -> Result<(), String> {
    if v.len() >= 256 {
        return Err("Hostnames must be less than 256 characters".into());
    }
    if !v
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    {
        return Err("Hostnames may only contain alphanumeric characters, hyphens or dots".into());
    }
    Ok(())
}

/// `oom-score-adj`: `relative` is another name of `yes` (CONFIG GET says `yes`).
fn set_oom_score_adj(c: &mut Config, v: &str) -> Result<(), String> {
    let w = value::parse_enum(&["no", "yes", "relative", "absolute"], v)?;
    c.oom_score_adj = if w == "relative" { "yes" } else { w }.to_string();
    Ok(())
}

/// `dir`: an existing directory, kept as an absolute path.
fn set_dir(c: &mut Config, v: &str) -> Result<(), String> {
    let path = std::fs::canonicalize(v).map_err(|e| crate::cmd::io_error_text(&e))?;
    if !path.is_dir() {
        return Err("Not a directory".into());
    }
    c.dir = path.to_string_lossy().into_owned();
    Ok(())
}

/// `replicaof`: the syntax is checked as Redis checks it, then refused: this
/// server has no replication.
fn set_replicaof(c: &mut Config, v: &str) -> Result<(), String> {
    if v.is_empty() {
        c.replicaof.clear();
        return Ok(());
    }
    let master = value::parse_replicaof(v)?;
    if !master.is_empty() {
        return Err("replication is not supported by this server".into());
    }
    c.replicaof = master;
    Ok(())
}

/// `name value` with the value as CONFIG GET prints it, unquoted.
fn plain_line(name: &str, c: &Config, always: bool) -> Rewrite {
    let (now, default) = (get_value(c, name), get_value(defaults(), name));
    Rewrite::Lines {
        force: always || now != default,
        lines: vec![format!("{name} {}", now.unwrap_or_default())],
    }
}

/// `bind` is written unless it is redis-server's own default (`* -::*`): this
/// server's default (`127.0.0.1`) differs from Redis's, and the rewritten file
/// must mean the same to either server.
fn rewrite_bind(c: &Config) -> Rewrite {
    if c.bind == ["*", "-::*"] {
        return Rewrite::Drop;
    }
    let v = if c.bind.is_empty() {
        "\"\"".to_string()
    } else {
        c.bind.join(" ")
    };
    Rewrite::Lines {
        lines: vec![format!("bind {v}")],
        force: true,
    }
}

fn rewrite_percentiles(c: &Config) -> Rewrite {
    let v = &c.latency_tracking_info_percentiles;
    let line = if v.is_empty() {
        "latency-tracking-info-percentiles \"\"".to_string()
    } else {
        let ps: Vec<String> = v.iter().map(|p| value::render_percentile(*p)).collect();
        format!("latency-tracking-info-percentiles {}", ps.join(" "))
    };
    Rewrite::Lines {
        lines: vec![line],
        force: true,
    }
}

// ------------------------------------------------------------ apply hooks

/// `requirepass` is the default user's password (see `cmd::acl`).
fn apply_requirepass(c: &mut Config, sh: &Shared) -> Result<(), String> {
    sh.acl.set_requirepass(c.requirepass.as_deref());
    Ok(())
}

/// `port` and `bind`: the server listens again (the hook the server installs,
/// which logs why it could not); `Err` is 7.0's reason for `what` failing.
fn apply_listeners(c: &mut Config, sh: &Shared, what: &str) -> Result<(), String> {
    match sh.hooks.rebind.get() {
        Some(rebind) => rebind(&c.bind, c.port).map_err(|_| what.to_string()),
        None => Err(what.to_string()),
    }
}

fn apply_port(c: &mut Config, sh: &Shared) -> Result<(), String> {
    apply_listeners(c, sh, "Unable to listen on this port. Check server logs.")
}

fn apply_bind(c: &mut Config, sh: &Shared) -> Result<(), String> {
    apply_listeners(c, sh, "Failed to bind to specified addresses.")
}

/// At run time, `maxclients` cannot exceed what the descriptor limit holds (at
/// startup the server lowers it instead, with a warning).
fn apply_maxclients(c: &mut Config, _sh: &Shared) -> Result<(), String> {
    if let Some(limit) = open_files_limit() {
        if c.maxclients + RESERVED_FDS > limit {
            return Err(format!(
                "The operating system is not able to handle the specified number of clients, try with {}",
                limit.saturating_sub(RESERVED_FDS)
            ));
        }
    }
    Ok(())
}

// ------------------------------------------------------------ lookup

/// Descriptors kept for the server's own use (listeners, files, the log) beside
/// one per client, as Redis's `CONFIG_MIN_RESERVED_FDS`.
pub const RESERVED_FDS: u64 = 32;

/// The process's limit on open file descriptors (the soft `ulimit -n`), read
/// from `/proc/self/limits`; `None` when unlimited or unknown.
pub fn open_files_limit() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max open files"))?;
    line["Max open files".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Why a value was refused; the text is Redis's reason as CONFIG SET and the
/// config file loader print it.
#[derive(Debug, PartialEq, Eq)]
pub enum SetError {
    /// No such parameter.
    Unknown,
    /// Exists but cannot change at run time (only reported by CONFIG SET).
    Immutable,
    /// The value does not parse or is out of range.
    Invalid(String),
}

/// Parses Redis's memory notation (see [`value::memtoull`]); `None` for the
/// empty string too.
pub fn parse_memory(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    value::memtoull(s)
}

/// The row called `name` or aliased so (case-insensitive), with the name matched.
pub fn find(name: &str) -> Option<(&'static Param, &'static str)> {
    PARAMS.iter().find_map(|p| {
        if p.name.eq_ignore_ascii_case(name) {
            Some((p, p.name))
        } else {
            p.alias
                .filter(|a| a.eq_ignore_ascii_case(name))
                .map(|a| (p, a))
        }
    })
}

/// Every name CONFIG GET patterns match, with its row (names and aliases, in
/// table order; hidden rows left out).
pub fn visible_names() -> impl Iterator<Item = (&'static str, &'static Param)> {
    PARAMS
        .iter()
        .filter(|p| !p.has(HIDDEN))
        .flat_map(|p| std::iter::once((p.name, p)).chain(p.alias.map(|a| (a, p))))
}

/// The configuration with every parameter at its default, built once.
pub fn defaults() -> &'static Config {
    static DEFAULTS: std::sync::OnceLock<Config> = std::sync::OnceLock::new();
    DEFAULTS.get_or_init(Config::default)
}

fn get_value(c: &Config, name: &str) -> Option<String> {
    find(name).map(|(p, _)| (p.get)(c))
}

impl Default for Config {
    /// Every parameter at redis-server 7.0.15's default (see the table).
    fn default() -> Config {
        let mut c = Config::zero();
        for p in PARAMS {
            // The table's defaults are checked by a unit test.
            let _ = (p.set)(&mut c, p.default);
        }
        c
    }
}

impl Config {
    /// Whether `name` (case-insensitive) is a parameter or an alias of one.
    pub fn is_param(name: &str) -> bool {
        find(name).is_some()
    }

    /// Names of all parameters (not their aliases).
    pub fn names() -> impl Iterator<Item = &'static str> {
        PARAMS.iter().map(|p| p.name)
    }

    /// Sets `name` from its textual `value`, checking type and range.
    /// `runtime`: called from CONFIG SET (immutable parameters refuse).
    pub fn set(&mut self, name: &str, value: &str, runtime: bool) -> Result<(), SetError> {
        let (param, _) = find(name).ok_or(SetError::Unknown)?;
        if runtime && param.has(IMMUTABLE) {
            return Err(SetError::Immutable);
        }
        (param.set)(self, value).map_err(SetError::Invalid)
    }

    /// The value of `name` as CONFIG GET prints it.
    pub fn get(&self, name: &str) -> Option<String> {
        get_value(self, name)
    }

    /// Builds a configuration the way redis-server does from its command line
    /// (see [`file::from_args`]).
    pub fn from_args(args: &[String]) -> Result<Config, String> {
        file::from_args(args)
    }

    /// Loads redis.conf syntax (see [`file::from_text`]).
    pub fn from_text(text: &str) -> Result<Config, String> {
        file::from_text(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_parses_and_prints_as_recorded() {
        let c = Config::zero();
        for p in PARAMS {
            let mut c = c.clone();
            assert_eq!((p.set)(&mut c, p.default), Ok(()), "{}", p.name);
            if p.name != "dir" {
                assert_eq!((p.get)(&c), p.default, "{}", p.name);
            }
        }
        let names: Vec<&str> = PARAMS
            .iter()
            .flat_map(|p| std::iter::once(p.name).chain(p.alias))
            .collect();
        for (i, n) in names.iter().enumerate() {
            assert!(!names[..i].contains(n), "duplicate parameter {n}");
        }
    }

    /// redis-server 7.0.15 `--port 7311 --save '' --appendonly no`: CONFIG GET *
    /// (the TLS parameters of a TLS build left out; `bind`, `daemonize`, `dir`,
    /// `pidfile`, `port` and `save` set by that command line or by design here).
    #[test]
    fn defaults_match_redis_7_0_15() {
        let recorded = include_str!("../../../tests/data/config-defaults-7.0.15.txt");
        let c = Config::default();
        let mut seen = 0;
        for line in recorded.lines().filter(|l| !l.starts_with('#')) {
            let (name, value) = line.split_once('\t').unwrap_or((line, ""));
            if ["bind", "daemonize", "dir", "pidfile", "port", "save"].contains(&name)
                || name.starts_with("tls-")
            {
                continue;
            }
            assert_eq!(c.get(name).as_deref(), Some(value), "{name}");
            seen += 1;
        }
        let visible = visible_names().count();
        assert_eq!(seen + 6, visible, "parameters missing from the table");
    }

    #[test]
    fn set_checks_ranges() {
        let mut c = Config::default();
        assert_eq!(
            c.set("proto-max-bulk-len", "1", true),
            Err(SetError::Invalid(
                "argument must be between 1048576 and 9223372036854775807 inclusive".into()
            ))
        );
        assert_eq!(c.set("databases", "1", true), Err(SetError::Immutable));
        assert_eq!(c.set("nope", "1", true), Err(SetError::Unknown));
        assert_eq!(c.set("PROTO-MAX-BULK-LEN", "2mb", true), Ok(()));
        assert_eq!(c.get("proto-max-bulk-len").as_deref(), Some("2097152"));
        assert_eq!(c.set("hz", "1000", true), Ok(()));
        assert_eq!(c.get("hz").as_deref(), Some("500"));
        assert_eq!(c.set("slave-read-only", "no", true), Ok(()));
        assert!(!c.replica_read_only);
        assert_eq!(c.set("oom-score-adj", "relative", true), Ok(()));
        assert_eq!(c.get("oom-score-adj").as_deref(), Some("yes"));
        assert_eq!(
            c.set("dbfilename", "a/b", true),
            Err(SetError::Invalid(
                "dbfilename can't be a path, just a filename".into()
            ))
        );
    }
}
