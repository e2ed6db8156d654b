//! Server configuration: the parameter table, redis.conf-style files and flags,
//! and the CONFIG GET/SET view of the same values.
//!
//! One table ([`PARAMS`]) drives everything: a config file line `port 6380`, a flag
//! `--port 6380` and `CONFIG SET port 6380` all go through [`Config::set`], so the
//! three can never disagree about a parameter's name, type or range. Values are
//! stored typed in [`Config`]; [`Config::get`] renders them the way CONFIG GET does
//! (memory sizes in bytes, booleans as `yes`/`no`).
//!
//! Parameters that only matter to later features (persistence: `save`, `appendonly`,
//! `dir`, ...; `maxmemory` and its policy; `lua-time-limit`) are accepted and
//! reported so that existing redis.conf files load, but nothing reads them yet.
//! `tcp-keepalive` and `protected-mode` have no effect (std cannot set keepalive).
//! `port` and `bind` cannot change at run time here (Redis 7 rebinds its listeners).
use crate::resp::parse::split_args;

/// The server's settings. Field names follow the directive names.
#[derive(Debug, Clone)]
pub struct Config {
    pub bind: Vec<String>,
    pub port: u16,
    pub requirepass: Option<Vec<u8>>,
    pub databases: usize,
    pub loglevel: LogLevel,
    pub logfile: String,
    pub maxclients: u64,
    pub proto_max_bulk_len: u64,
    pub client_query_buffer_limit: u64,
    pub hz: u64,
    pub timeout: u64,
    pub tcp_keepalive: u64,
    pub tcp_backlog: u64,
    pub lua_time_limit: u64,
    pub maxmemory: u64,
    pub maxmemory_policy: String,
    pub save: String,
    pub appendonly: bool,
    pub appendfsync: String,
    pub appendfilename: String,
    pub dir: String,
    pub dbfilename: String,
    /// `rdbcompression`: LZF for strings in RDB files and DUMP payloads.
    pub rdbcompression: bool,
    /// `rdbchecksum`: the CRC-64 trailer of RDB files.
    pub rdbchecksum: bool,
    /// `sanitize-dump-payload`: `no`, `yes` or `clients`.
    pub sanitize_dump_payload: String,
    pub pidfile: String,
    pub protected_mode: bool,
    pub daemonize: bool,
    /// `notify-keyspace-events` as flag bits (see `cmd::notify`).
    pub notify_keyspace_events: u32,
    /// `client-output-buffer-limit`, indexed by [`ObufClass`]. Only the pubsub
    /// class is enforced (by `outbox.rs`); the others are accepted and reported.
    pub client_output_buffer_limit: [ObufLimit; 3],
    /// Path of the config file this configuration came from (INFO's `config_file`).
    pub config_file: String,
    /// `zset-max-listpack-entries` / `-value` (aliases `zset-max-ziplist-*`).
    pub zset_max_listpack_entries: usize,
    /// `set-max-intset-entries`.
    pub set_max_intset_entries: usize,
    /// `list-max-listpack-size` (alias `list-max-ziplist-size`): a list's node
    /// size, taken when the list is created.
    pub list_max_listpack_size: i32,
    /// `list-compress-depth`: accepted and reported; nodes are never compressed.
    pub list_compress_depth: i32,
    /// `hash-max-listpack-entries` and `hash-max-listpack-value`.
    pub hash_max_listpack_entries: usize,
    pub hash_max_listpack_value: usize,
    pub zset_max_listpack_value: usize,
    /// `enable-debug-command`: `no` (the default), `yes`, or `local` (loopback
    /// connections only).
    pub enable_debug_command: String,
    /// `hll-sparse-max-bytes`: the longest a sparse HyperLogLog may grow
    /// before it turns dense.
    pub hll_sparse_max_bytes: usize,
    /// `stream-node-max-bytes` / `-entries`: when a stream starts a new node
    /// (0: no limit of that kind).
    pub stream_node_max_bytes: usize,
    pub stream_node_max_entries: usize,
    /// `tracking-table-max-keys`: keys the client-side caching table may hold
    /// before some are invalidated to make room (0: no limit).
    pub tracking_table_max_keys: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: vec!["127.0.0.1".to_string()],
            port: 6379,
            requirepass: None,
            databases: 16,
            loglevel: LogLevel::Notice,
            logfile: String::new(),
            maxclients: 10000,
            proto_max_bulk_len: 512 * 1024 * 1024,
            client_query_buffer_limit: 1024 * 1024 * 1024,
            hz: 10,
            timeout: 0,
            tcp_keepalive: 300,
            tcp_backlog: 511,
            lua_time_limit: 5000,
            maxmemory: 0,
            maxmemory_policy: "noeviction".to_string(),
            save: "3600 1 300 100 60 10000".to_string(),
            appendonly: false,
            appendfsync: "everysec".to_string(),
            appendfilename: "appendonly.aof".to_string(),
            dir: ".".to_string(),
            dbfilename: "dump.rdb".to_string(),
            rdbcompression: true,
            rdbchecksum: true,
            sanitize_dump_payload: "no".to_string(),
            pidfile: String::new(),
            protected_mode: true,
            daemonize: false,
            notify_keyspace_events: 0,
            client_output_buffer_limit: [
                ObufLimit::default(),
                ObufLimit {
                    hard: 256 * 1024 * 1024,
                    soft: 64 * 1024 * 1024,
                    soft_seconds: 60,
                },
                ObufLimit {
                    hard: 32 * 1024 * 1024,
                    soft: 8 * 1024 * 1024,
                    soft_seconds: 60,
                },
            ],
            config_file: String::new(),
            zset_max_listpack_entries: 128,
            set_max_intset_entries: 512,
            list_max_listpack_size: crate::store::list::DEFAULT_FILL,
            list_compress_depth: 0,
            hash_max_listpack_entries: 512,
            hash_max_listpack_value: 64,
            zset_max_listpack_value: 64,
            enable_debug_command: "no".to_string(),
            hll_sparse_max_bytes: 3000,
            stream_node_max_bytes: 4096,
            stream_node_max_entries: 100,
            tracking_table_max_keys: 1_000_000,
        }
    }
}

/// One class's output buffer limit: disconnect a client whose pending output
/// reaches `hard` bytes, or stays at `soft` bytes or more for over `soft_seconds`
/// (0 disables a limit).
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

/// Parses `client-output-buffer-limit`'s value, `<class> <hard> <soft> <seconds>`
/// repeated, over `current`; all groups are checked before any is applied. Class
/// names: `normal`, `replica` (or `slave`), `pubsub`; sizes in memory notation.
fn parse_obuf_limits(value: &str, current: [ObufLimit; 3]) -> Result<[ObufLimit; 3], SetError> {
    let words: Vec<&str> = value.split_whitespace().collect();
    if !words.len().is_multiple_of(4) {
        return Err(SetError::Invalid(
            "Wrong number of arguments in buffer limit configuration.".into(),
        ));
    }
    let mut limits = current;
    for group in words.chunks(4) {
        let class = match group[0].to_ascii_lowercase().as_str() {
            "normal" => ObufClass::Normal,
            "replica" | "slave" => ObufClass::Replica,
            "pubsub" => ObufClass::Pubsub,
            _ => {
                return Err(SetError::Invalid(
                    "Invalid client class specified in buffer limit configuration.".into(),
                ))
            }
        };
        let bad = || {
            SetError::Invalid(
                "Error in hard, soft or soft_seconds setting in buffer limit configuration.".into(),
            )
        };
        let hard = parse_memory(group[1]).ok_or_else(bad)?;
        let soft = parse_memory(group[2]).ok_or_else(bad)?;
        let seconds: i64 = group[3].parse().map_err(|_| bad())?;
        if seconds < 0 {
            return Err(bad());
        }
        // Redis keeps the seconds in a C int: larger values wrap as they do there.
        let soft_seconds = (seconds as i32).max(0) as u64;
        limits[class as usize] = ObufLimit {
            hard,
            soft,
            soft_seconds,
        };
    }
    Ok(limits)
}

/// redis-server's log levels, least to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    Debug,
    Verbose,
    Notice,
    Warning,
}

impl LogLevel {
    pub fn name(self) -> &'static str {
        match self {
            LogLevel::Debug => "debug",
            LogLevel::Verbose => "verbose",
            LogLevel::Notice => "notice",
            LogLevel::Warning => "warning",
        }
    }
}

/// How a parameter's value is written and checked.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Integer in `min..=max`.
    Int(i64, i64),
    /// Memory size (`1mb`, `512k`, bytes) in `min..=max`.
    Mem(u64, u64),
    Bool,
    /// One of the listed words.
    Enum(&'static [&'static str]),
    Str,
}

/// One configuration parameter.
struct Param {
    name: &'static str,
    kind: Kind,
    /// Whether CONFIG SET may change it at run time.
    mutable: bool,
}

const fn p(name: &'static str, kind: Kind, mutable: bool) -> Param {
    Param {
        name,
        kind,
        mutable,
    }
}

/// Every parameter this server knows, in CONFIG GET's order.
static PARAMS: &[Param] = &[
    p("bind", Kind::Str, false),
    p("port", Kind::Int(0, 65535), false),
    p("requirepass", Kind::Str, true),
    p("databases", Kind::Int(1, i32::MAX as i64), false),
    p(
        "loglevel",
        Kind::Enum(&["debug", "verbose", "notice", "warning"]),
        true,
    ),
    p("logfile", Kind::Str, false),
    p("maxclients", Kind::Int(1, u32::MAX as i64), true),
    p(
        "proto-max-bulk-len",
        Kind::Mem(1024 * 1024, i64::MAX as u64),
        true,
    ),
    p(
        "client-query-buffer-limit",
        Kind::Mem(1024 * 1024, i64::MAX as u64),
        true,
    ),
    p("hz", Kind::Int(0, i32::MAX as i64), true),
    p("timeout", Kind::Int(0, i32::MAX as i64), true),
    p("tcp-keepalive", Kind::Int(0, i32::MAX as i64), true),
    p("tcp-backlog", Kind::Int(0, i32::MAX as i64), false),
    p("lua-time-limit", Kind::Int(0, i64::MAX), true),
    p("maxmemory", Kind::Mem(0, u64::MAX), true),
    p(
        "maxmemory-policy",
        Kind::Enum(&[
            "volatile-lru",
            "volatile-lfu",
            "volatile-random",
            "volatile-ttl",
            "allkeys-lru",
            "allkeys-lfu",
            "allkeys-random",
            "noeviction",
        ]),
        true,
    ),
    p("save", Kind::Str, true),
    p("appendonly", Kind::Bool, true),
    p("notify-keyspace-events", Kind::Str, true),
    p(
        "appendfsync",
        Kind::Enum(&["always", "everysec", "no"]),
        true,
    ),
    p("appendfilename", Kind::Str, false),
    p("dir", Kind::Str, true),
    p("dbfilename", Kind::Str, true),
    p("rdbcompression", Kind::Bool, true),
    p("rdbchecksum", Kind::Bool, true),
    p(
        "sanitize-dump-payload",
        Kind::Enum(&["no", "yes", "clients"]),
        true,
    ),
    p("pidfile", Kind::Str, false),
    p("protected-mode", Kind::Bool, true),
    p("daemonize", Kind::Bool, false),
    p("client-output-buffer-limit", Kind::Str, true),
    p("zset-max-listpack-entries", Kind::Int(0, i64::MAX), true),
    p("set-max-intset-entries", Kind::Int(0, i64::MAX), true),
    p("hash-max-listpack-entries", Kind::Int(0, i64::MAX), true),
    p(
        "hash-max-listpack-value",
        Kind::Mem(0, i64::MAX as u64),
        true,
    ),
    p("hash-max-ziplist-entries", Kind::Int(0, i64::MAX), true),
    p(
        "hash-max-ziplist-value",
        Kind::Mem(0, i64::MAX as u64),
        true,
    ),
    p("zset-max-listpack-value", Kind::Int(0, i64::MAX), true),
    p("zset-max-ziplist-entries", Kind::Int(0, i64::MAX), true),
    p("zset-max-ziplist-value", Kind::Int(0, i64::MAX), true),
    p(
        "list-max-listpack-size",
        Kind::Int(i32::MIN as i64, i32::MAX as i64),
        true,
    ),
    p(
        "list-max-ziplist-size",
        Kind::Int(i32::MIN as i64, i32::MAX as i64),
        true,
    ),
    p("list-compress-depth", Kind::Int(0, i32::MAX as i64), true),
    p(
        "enable-debug-command",
        Kind::Enum(&["no", "yes", "local"]),
        false,
    ),
    p("hll-sparse-max-bytes", Kind::Mem(0, i64::MAX as u64), true),
    p("stream-node-max-bytes", Kind::Mem(0, i64::MAX as u64), true),
    p("stream-node-max-entries", Kind::Int(0, i64::MAX), true),
    p("tracking-table-max-keys", Kind::Int(0, i64::MAX), true),
];

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

/// Parses Redis's memory notation: a plain integer of bytes, or a number with one
/// of `k kb m mb g gb` (case-insensitive; `k` = 1000, `kb` = 1024).
pub fn parse_memory(s: &str) -> Option<u64> {
    let lower = s.to_ascii_lowercase();
    let units: [(&str, u64); 6] = [
        ("kb", 1024),
        ("mb", 1024 * 1024),
        ("gb", 1024 * 1024 * 1024),
        ("k", 1000),
        ("m", 1000 * 1000),
        ("g", 1000 * 1000 * 1000),
    ];
    let (num, mul) = units
        .iter()
        .find(|(u, _)| lower.ends_with(u))
        .map(|(u, m)| (&lower[..lower.len() - u.len()], *m))
        .unwrap_or((&lower[..], 1));
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    num.parse::<u64>().ok()?.checked_mul(mul)
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

impl Config {
    /// Whether `name` (case-insensitive) is a parameter.
    pub fn is_param(name: &str) -> bool {
        find(name).is_some()
    }

    /// Names of all parameters.
    pub fn names() -> impl Iterator<Item = &'static str> {
        PARAMS.iter().map(|p| p.name)
    }

    /// Sets `name` from its textual `value`, checking type and range.
    /// `runtime`: called from CONFIG SET (immutable parameters refuse).
    pub fn set(&mut self, name: &str, value: &str, runtime: bool) -> Result<(), SetError> {
        let param = find(name).ok_or(SetError::Unknown)?;
        if runtime && !param.mutable {
            return Err(SetError::Immutable);
        }
        let int = |v: &str, min: i64, max: i64| -> Result<i64, SetError> {
            let n: i64 = v.parse().map_err(|_| {
                SetError::Invalid("argument couldn't be parsed into an integer".into())
            })?;
            if n < min || n > max {
                return Err(SetError::Invalid(format!(
                    "argument must be between {min} and {max} inclusive"
                )));
            }
            Ok(n)
        };
        let mem = |v: &str, min: u64, max: u64| -> Result<u64, SetError> {
            let n = parse_memory(v)
                .ok_or_else(|| SetError::Invalid("argument must be a memory value".into()))?;
            if n < min || n > max {
                return Err(SetError::Invalid(format!(
                    "argument must be between {min} and {max} inclusive"
                )));
            }
            Ok(n)
        };
        let boolean = |v: &str| -> Result<bool, SetError> {
            parse_bool(v).ok_or_else(|| SetError::Invalid("argument must be 'yes' or 'no'".into()))
        };
        let word = |v: &str, allowed: &[&str]| -> Result<String, SetError> {
            let l = v.to_ascii_lowercase();
            if allowed.contains(&l.as_str()) {
                Ok(l)
            } else {
                Err(SetError::Invalid(format!(
                    "argument(s) must be one of the following: {}",
                    allowed.join(", ")
                )))
            }
        };
        match (param.name, param.kind) {
            ("bind", _) => self.bind = value.split_whitespace().map(str::to_string).collect(),
            ("port", Kind::Int(a, b)) => self.port = int(value, a, b)? as u16,
            ("requirepass", _) => {
                self.requirepass = if value.is_empty() {
                    None
                } else {
                    Some(value.as_bytes().to_vec())
                }
            }
            ("databases", Kind::Int(a, b)) => self.databases = int(value, a, b)? as usize,
            ("loglevel", Kind::Enum(allowed)) => {
                self.loglevel = match word(value, allowed)?.as_str() {
                    "debug" => LogLevel::Debug,
                    "verbose" => LogLevel::Verbose,
                    "notice" => LogLevel::Notice,
                    _ => LogLevel::Warning,
                }
            }
            ("logfile", _) => self.logfile = value.to_string(),
            ("maxclients", Kind::Int(a, b)) => {
                let n = int(value, a, b)? as u64;
                // At run time, refuse what the descriptor limit cannot hold (at
                // startup the server lowers it instead, with a warning).
                if let Some(limit) = open_files_limit().filter(|_| runtime) {
                    if n > self.maxclients && n + RESERVED_FDS > limit {
                        return Err(SetError::Invalid(format!(
                            "The operating system is not able to handle the specified number of clients, try with {}",
                            limit.saturating_sub(RESERVED_FDS)
                        )));
                    }
                }
                self.maxclients = n
            }
            ("proto-max-bulk-len", Kind::Mem(a, b)) => self.proto_max_bulk_len = mem(value, a, b)?,
            ("client-query-buffer-limit", Kind::Mem(a, b)) => {
                self.client_query_buffer_limit = mem(value, a, b)?
            }
            ("hz", Kind::Int(a, b)) => self.hz = int(value, a, b)?.clamp(1, 500) as u64,
            ("timeout", Kind::Int(a, b)) => self.timeout = int(value, a, b)? as u64,
            ("tcp-keepalive", Kind::Int(a, b)) => self.tcp_keepalive = int(value, a, b)? as u64,
            ("tcp-backlog", Kind::Int(a, b)) => self.tcp_backlog = int(value, a, b)? as u64,
            ("lua-time-limit", Kind::Int(a, b)) => self.lua_time_limit = int(value, a, b)? as u64,
            ("maxmemory", Kind::Mem(a, b)) => self.maxmemory = mem(value, a, b)?,
            ("maxmemory-policy", Kind::Enum(allowed)) => {
                self.maxmemory_policy = word(value, allowed)?
            }
            ("save", _) => self.save = value.to_string(),
            ("appendonly", _) => self.appendonly = boolean(value)?,
            ("notify-keyspace-events", _) => {
                self.notify_keyspace_events =
                    crate::cmd::notify::parse_flags(value).map_err(SetError::Invalid)?
            }
            ("appendfsync", Kind::Enum(allowed)) => self.appendfsync = word(value, allowed)?,
            ("appendfilename", _) => self.appendfilename = value.to_string(),
            ("dir", _) => self.dir = value.to_string(),
            ("dbfilename", _) => self.dbfilename = value.to_string(),
            ("rdbcompression", _) => self.rdbcompression = boolean(value)?,
            ("rdbchecksum", _) => self.rdbchecksum = boolean(value)?,
            ("sanitize-dump-payload", Kind::Enum(allowed)) => {
                self.sanitize_dump_payload = word(value, allowed)?
            }
            ("pidfile", _) => self.pidfile = value.to_string(),
            ("protected-mode", _) => self.protected_mode = boolean(value)?,
            ("daemonize", _) => {
                if boolean(value)? {
                    return Err(SetError::Invalid(
                        "daemonize yes is not supported by this server".into(),
                    ));
                }
            }
            ("client-output-buffer-limit", _) => {
                self.client_output_buffer_limit =
                    parse_obuf_limits(value, self.client_output_buffer_limit)?
            }
            ("hash-max-listpack-entries" | "hash-max-ziplist-entries", Kind::Int(a, b)) => {
                self.hash_max_listpack_entries = int(value, a, b)? as usize
            }
            ("hash-max-listpack-value" | "hash-max-ziplist-value", Kind::Mem(a, b)) => {
                self.hash_max_listpack_value = mem(value, a, b)? as usize
            }
            ("set-max-intset-entries", Kind::Int(a, b)) => {
                self.set_max_intset_entries = int(value, a, b)? as usize
            }
            ("zset-max-listpack-entries" | "zset-max-ziplist-entries", Kind::Int(a, b)) => {
                self.zset_max_listpack_entries = int(value, a, b)? as usize
            }
            ("zset-max-listpack-value" | "zset-max-ziplist-value", Kind::Int(a, b)) => {
                self.zset_max_listpack_value = int(value, a, b)? as usize
            }
            ("list-max-listpack-size" | "list-max-ziplist-size", Kind::Int(a, b)) => {
                self.list_max_listpack_size = int(value, a, b)? as i32
            }
            ("list-compress-depth", Kind::Int(a, b)) => {
                self.list_compress_depth = int(value, a, b)? as i32
            }
            ("enable-debug-command", Kind::Enum(allowed)) => {
                self.enable_debug_command = word(value, allowed)?
            }
            ("hll-sparse-max-bytes", Kind::Mem(a, b)) => {
                self.hll_sparse_max_bytes = mem(value, a, b)? as usize
            }
            ("stream-node-max-bytes", Kind::Mem(a, b)) => {
                self.stream_node_max_bytes = mem(value, a, b)? as usize
            }
            ("stream-node-max-entries", Kind::Int(a, b)) => {
                self.stream_node_max_entries = int(value, a, b)? as usize
            }
            ("tracking-table-max-keys", Kind::Int(a, b)) => {
                self.tracking_table_max_keys = int(value, a, b)? as u64
            }
            _ => return Err(SetError::Unknown),
        }
        Ok(())
    }

    /// The value of `name` as CONFIG GET prints it.
    pub fn get(&self, name: &str) -> Option<String> {
        let yn = |b: bool| if b { "yes" } else { "no" }.to_string();
        Some(match find(name)?.name {
            "bind" => self.bind.join(" "),
            "port" => self.port.to_string(),
            "requirepass" => {
                String::from_utf8_lossy(self.requirepass.as_deref().unwrap_or(b"")).into_owned()
            }
            "databases" => self.databases.to_string(),
            "loglevel" => self.loglevel.name().to_string(),
            "logfile" => self.logfile.clone(),
            "maxclients" => self.maxclients.to_string(),
            "proto-max-bulk-len" => self.proto_max_bulk_len.to_string(),
            "client-query-buffer-limit" => self.client_query_buffer_limit.to_string(),
            "hz" => self.hz.to_string(),
            "timeout" => self.timeout.to_string(),
            "tcp-keepalive" => self.tcp_keepalive.to_string(),
            "tcp-backlog" => self.tcp_backlog.to_string(),
            "lua-time-limit" => self.lua_time_limit.to_string(),
            "maxmemory" => self.maxmemory.to_string(),
            "maxmemory-policy" => self.maxmemory_policy.clone(),
            "save" => self.save.clone(),
            "appendonly" => yn(self.appendonly),
            "notify-keyspace-events" => {
                crate::cmd::notify::flags_to_string(self.notify_keyspace_events)
            }
            "appendfsync" => self.appendfsync.clone(),
            "appendfilename" => self.appendfilename.clone(),
            "dir" => self.dir.clone(),
            "dbfilename" => self.dbfilename.clone(),
            "rdbcompression" => yn(self.rdbcompression),
            "rdbchecksum" => yn(self.rdbchecksum),
            "sanitize-dump-payload" => self.sanitize_dump_payload.clone(),
            "pidfile" => self.pidfile.clone(),
            "protected-mode" => yn(self.protected_mode),
            "daemonize" => yn(self.daemonize),
            "client-output-buffer-limit" => {
                let mut parts = Vec::new();
                for (name, l) in ["normal", "slave", "pubsub"]
                    .iter()
                    .zip(&self.client_output_buffer_limit)
                {
                    parts.push(format!("{name} {} {} {}", l.hard, l.soft, l.soft_seconds));
                }
                parts.join(" ")
            }
            "set-max-intset-entries" => self.set_max_intset_entries.to_string(),
            "list-max-listpack-size" | "list-max-ziplist-size" => {
                self.list_max_listpack_size.to_string()
            }
            "list-compress-depth" => self.list_compress_depth.to_string(),
            "hash-max-listpack-entries" | "hash-max-ziplist-entries" => {
                self.hash_max_listpack_entries.to_string()
            }
            "hash-max-listpack-value" | "hash-max-ziplist-value" => {
                self.hash_max_listpack_value.to_string()
            }
            "zset-max-listpack-entries" | "zset-max-ziplist-entries" => {
                self.zset_max_listpack_entries.to_string()
            }
            "zset-max-listpack-value" | "zset-max-ziplist-value" => {
                self.zset_max_listpack_value.to_string()
            }
            "enable-debug-command" => self.enable_debug_command.clone(),
            "hll-sparse-max-bytes" => self.hll_sparse_max_bytes.to_string(),
            "stream-node-max-bytes" => self.stream_node_max_bytes.to_string(),
            "stream-node-max-entries" => self.stream_node_max_entries.to_string(),
            "tracking-table-max-keys" => self.tracking_table_max_keys.to_string(),
            _ => return None,
        })
    }

    /// Builds a configuration the way redis-server does from its command line:
    /// an optional config file path first, then `--name value...` flags, which are
    /// appended to the file's text as extra lines (so a flag overrides the file).
    /// The error is the whole fatal message redis-server prints.
    pub fn from_args(args: &[String]) -> Result<Config, String> {
        let mut text = String::new();
        let mut rest = args;
        let mut file = String::new();
        if let Some(first) = args.first() {
            if !first.starts_with("--") {
                file = first.clone();
                text = std::fs::read_to_string(first)
                    .map_err(|e| format!("Fatal error, can't open config file '{first}': {e}"))?;
                rest = &args[1..];
            }
        }
        // Each `--name` starts a new line; following words are its quoted arguments.
        let mut options = String::new();
        for a in rest {
            if let Some(name) = a.strip_prefix("--") {
                if !options.is_empty() {
                    options.push('\n');
                }
                options.push_str(name);
                options.push(' ');
            } else {
                options.push_str(&quote_repr(a));
                options.push(' ');
            }
        }
        text.push('\n');
        text.push_str(&options);
        let mut config = Config::from_text(&text)?;
        config.config_file = file;
        Ok(config)
    }

    /// Loads redis.conf syntax: one directive per line, `#` comments, quoted values.
    pub fn from_text(text: &str) -> Result<Config, String> {
        let mut config = Config::default();
        for (i, raw) in text.split('\n').enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fail = |reason: &str| {
                format!(
                    "\n*** FATAL CONFIG FILE ERROR (Ferrous {}) ***\nReading the configuration file, at line {}\n>>> '{}'\n{}",
                    env!("CARGO_PKG_VERSION"),
                    i + 1,
                    line,
                    reason
                )
            };
            let Some(argv) = split_args(line.as_bytes()) else {
                return Err(fail("Unbalanced quotes in configuration line"));
            };
            if argv.is_empty() {
                continue;
            }
            let name = String::from_utf8_lossy(&argv[0]).to_ascii_lowercase();
            let values: Vec<String> = argv[1..]
                .iter()
                .map(|v| String::from_utf8_lossy(v).into_owned())
                .collect();
            if !Config::is_param(&name) {
                return Err(fail("Bad directive or wrong number of arguments"));
            }
            // Multi-word values (bind, save) are joined; others take exactly one.
            let value = match (name.as_str(), values.len()) {
                ("bind" | "save" | "client-output-buffer-limit", n) if n >= 1 => values.join(" "),
                (_, 1) => values[0].clone(),
                _ => return Err(fail("wrong number of arguments")),
            };
            match config.set(&name, &value, false) {
                Ok(()) => {}
                Err(SetError::Invalid(reason)) => return Err(fail(&reason)),
                Err(_) => return Err(fail("Bad directive or wrong number of arguments")),
            }
        }
        Ok(config)
    }
}

fn find(name: &str) -> Option<&'static Param> {
    PARAMS.iter().find(|p| p.name.eq_ignore_ascii_case(name))
}

/// Quotes a flag value the way redis-server does before parsing it as a config
/// line (`"..."` with `\n`, `\"`, `\\` and `\xHH` escapes).
fn quote_repr(s: &str) -> String {
    let mut out = String::from("\"");
    for b in s.bytes() {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_notation() {
        assert_eq!(parse_memory("512mb"), Some(512 * 1024 * 1024));
        assert_eq!(parse_memory("1GB"), Some(1 << 30));
        assert_eq!(parse_memory("100k"), Some(100_000));
        assert_eq!(parse_memory("123"), Some(123));
        assert_eq!(parse_memory("abc"), None);
        assert_eq!(parse_memory("mb"), None);
    }

    #[test]
    fn file_and_flags() {
        let c = Config::from_text("# comment\nport 6380\nrequirepass \"a b\"\nsave 900 1 300 10\n")
            .unwrap();
        assert_eq!(c.port, 6380);
        assert_eq!(c.requirepass.as_deref(), Some(&b"a b"[..]));
        assert_eq!(c.save, "900 1 300 10");
        let args: Vec<String> = ["--port", "7000", "--databases", "4"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let c = Config::from_args(&args).unwrap();
        assert_eq!((c.port, c.databases), (7000, 4));
    }

    #[test]
    fn fatal_errors_name_the_line() {
        let e = Config::from_text("port 7002\nfoo bar\n").unwrap_err();
        assert!(
            e.ends_with("at line 2\n>>> 'foo bar'\nBad directive or wrong number of arguments"),
            "{e}"
        );
        let e = Config::from_text("port abc").unwrap_err();
        assert!(
            e.ends_with(">>> 'port abc'\nargument couldn't be parsed into an integer"),
            "{e}"
        );
        let e = Config::from_text("port").unwrap_err();
        assert!(e.ends_with("wrong number of arguments"), "{e}");
        let args: Vec<String> = ["--port", "7002", "--foo", "bar"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let e = Config::from_args(&args).unwrap_err();
        assert!(
            e.ends_with("at line 3\n>>> 'foo \"bar\"'\nBad directive or wrong number of arguments"),
            "{e}"
        );
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
        assert_eq!(c.set("port", "1", true), Err(SetError::Immutable));
        assert_eq!(c.set("nope", "1", true), Err(SetError::Unknown));
        assert_eq!(c.set("PROTO-MAX-BULK-LEN", "2mb", true), Ok(()));
        assert_eq!(c.get("proto-max-bulk-len").as_deref(), Some("2097152"));
    }
}
