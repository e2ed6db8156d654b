//! The command table: one row per command (Redis's `redisCommand`), gathered from
//! the family files into [`Commands`], the indexed table with per-command statistics.
//!
//! The table is the only place a command's properties live. A row says:
//! - its name, arity and key positions, as COMMAND INFO reports them;
//! - its flags: Redis's own (`write`, `readonly`, `noscript`, ...), which COMMAND
//!   INFO prints, and Ferrous's own (`OWN_THREAD`, `RUNS_SCRIPT`, `NOT_QUEUED`,
//!   `SUBSCRIBED_OK`), which say where and when the server may run it;
//! - its handler, and for SET-like commands a second handler that may take the
//!   request's buffers instead of copying them;
//! - for EVAL-like commands, how a request's flags follow from its arguments
//!   (the script's declared flags), as Redis's `getflags`;
//! - its subcommands, for a container command such as CONFIG or CLIENT: rows of
//!   their own with their own arity, flags, handler and statistics (`config|get`),
//!   as in Redis 7's table. The dispatcher resolves `CONFIG GET` to the `get` row
//!   before any check, so the arity error names `config|get`.
//!
//! Each family (a file of `cmd/`, and `scripting`'s files) exports a `COMMANDS`
//! slice of [`CommandSpec`] rows written as struct literals; the server builds one
//! [`Commands`] from all of them ([`FAMILIES`] lists this layer's) and puts it in
//! `Shared::commands`.
//!
//! Invariants of [`Commands`]: `rows` holds every top-level row, each followed by
//! its subcommands (`rows[i].subs` is the range of those); `index` maps the
//! lower-case name of each top-level row to its position; every row has its own
//! statistics.
use super::Ctx;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// A command handler. `args[0]` is the command name (for a subcommand, `args[1]`
/// is the subcommand's); the arity has been checked.
pub type Handler = fn(&mut Ctx<'_>, &[Vec<u8>]);

/// A handler that may take ownership of argument buffers (`std::mem::take`), used
/// instead of [`Handler`] when the caller owns the request (`dispatch_owned`):
/// SET stores a large value without copying it.
pub type OwningHandler = fn(&mut Ctx<'_>, &mut [Vec<u8>]);

/// The flags a command really has for one request, when they depend on its
/// arguments (Redis's `getflags`): EVAL and FCALL take the flags their script
/// declares. Gets the table's flags and returns the request's.
pub type GetFlags = fn(&mut Ctx<'_>, &[Vec<u8>], u32) -> u32;

/// Where a command's key arguments are, as COMMAND INFO reports them: the first
/// (0: none), the last (negative counts from the end), and the step between keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keys {
    pub first: i32,
    pub last: i32,
    pub step: i32,
}

impl Keys {
    /// No key arguments.
    pub const NONE: Keys = Keys::range(0, 0, 0);
    /// One key, the first argument.
    pub const ONE: Keys = Keys::range(1, 1, 1);
    /// Every argument is a key.
    pub const ALL: Keys = Keys::range(1, -1, 1);

    pub const fn range(first: i32, last: i32, step: i32) -> Keys {
        Keys { first, last, step }
    }

    /// The positions of the keys in a request of `argc` arguments (none when the
    /// request is too short for them).
    pub fn positions(&self, argc: usize) -> impl Iterator<Item = usize> {
        let argc = argc as i64;
        let last = if self.last < 0 {
            argc + self.last as i64
        } else {
            self.last as i64
        };
        let (first, step) = (self.first as i64, self.step.max(1) as usize);
        let end = if first == 0 || last >= argc {
            0
        } else {
            last + 1
        };
        (first.max(1)..end.max(first.max(1)))
            .step_by(step)
            .map(|i| i as usize)
    }
}

/// One row of the command table.
#[derive(Clone, Copy)]
pub struct CommandSpec {
    /// Lower-case name, as COMMAND reports it (a subcommand's own name: `get`).
    pub name: &'static str,
    /// `N` = exactly N arguments including the name(s); `-N` = at least N.
    pub arity: i32,
    /// Bit set of the [`flags`] constants.
    pub flags: u32,
    pub keys: Keys,
    pub handler: Handler,
    /// A handler taking the request's buffers, when the caller owns them.
    pub owning: Option<OwningHandler>,
    /// A container's subcommands (empty for a plain command).
    pub subcommands: &'static [CommandSpec],
    /// The request's flags, when they depend on its arguments (see [`GetFlags`]).
    pub getflags: Option<GetFlags>,
}

impl CommandSpec {
    /// The fields a row leaves out: no flags, no keys, no subcommands, a handler
    /// that should not be reached (a container run without a subcommand fails its
    /// arity check first).
    pub const DEFAULT: CommandSpec = CommandSpec {
        name: "",
        arity: -1,
        flags: 0,
        keys: Keys::NONE,
        handler: unreachable_handler,
        owning: None,
        subcommands: &[],
        getflags: None,
    };
}

fn unreachable_handler(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    super::unknown_command(ctx.out, args);
}

/// Command flags. The first group are Redis's, named as COMMAND INFO names them;
/// the second are Ferrous's own (not reported), saying where the server may run a
/// command and how it treats it in special client states.
pub mod flags {
    pub const WRITE: u32 = 1 << 0;
    pub const READONLY: u32 = 1 << 1;
    pub const DENYOOM: u32 = 1 << 2;
    pub const ADMIN: u32 = 1 << 3;
    pub const PUBSUB: u32 = 1 << 4;
    pub const NOSCRIPT: u32 = 1 << 5;
    pub const BLOCKING: u32 = 1 << 6;
    pub const LOADING: u32 = 1 << 7;
    pub const STALE: u32 = 1 << 8;
    pub const FAST: u32 = 1 << 9;
    pub const NO_AUTH: u32 = 1 << 10;
    pub const MAY_REPLICATE: u32 = 1 << 11;
    pub const NO_MULTI: u32 = 1 << 12;
    pub const ALLOW_BUSY: u32 = 1 << 13;
    pub const SKIP_MONITOR: u32 = 1 << 14;
    pub const SKIP_SLOWLOG: u32 = 1 << 15;
    pub const ASKING: u32 = 1 << 16;
    pub const NO_MANDATORY_KEYS: u32 = 1 << 17;
    pub const NO_ASYNC_LOADING: u32 = 1 << 18;

    /// Runs on the connection's own thread, never on the poller: it may wait
    /// (blocking pops, DEBUG SLEEP, WAIT) or turn the connection into one that
    /// receives pushed messages (SUBSCRIBE, MONITOR).
    pub const OWN_THREAD: u32 = 1 << 24;
    /// May run Lua for long (EVAL, FCALL, FUNCTION LOAD, EXEC of queued scripts):
    /// the poller runs it with its other connections set aside.
    pub const RUNS_SCRIPT: u32 = 1 << 25;
    /// Runs at once inside MULTI instead of being queued (EXEC, DISCARD, MULTI,
    /// WATCH, QUIT, RESET).
    pub const NOT_QUEUED: u32 = 1 << 26;
    /// Waits only when its BLOCK option is given (XREAD, XREADGROUP): without
    /// it the poller may run it.
    pub const BLOCK_OPTION: u32 = 1 << 28;
    /// Allowed while a RESP2 client is subscribed ((P|S)SUBSCRIBE,
    /// (P|S)UNSUBSCRIBE, PING, QUIT, RESET).
    pub const SUBSCRIBED_OK: u32 = 1 << 27;

    /// Redis's flags with the names COMMAND INFO prints, in its order
    /// (`may_replicate` is never printed; `movablekeys`, which follows from the
    /// key specifications, goes between `no_multi` and `allow_busy`).
    pub const NAMES: &[(u32, &str)] = &[
        (WRITE, "write"),
        (READONLY, "readonly"),
        (DENYOOM, "denyoom"),
        (ADMIN, "admin"),
        (PUBSUB, "pubsub"),
        (NOSCRIPT, "noscript"),
        (BLOCKING, "blocking"),
        (LOADING, "loading"),
        (STALE, "stale"),
        (SKIP_MONITOR, "skip_monitor"),
        (SKIP_SLOWLOG, "skip_slowlog"),
        (ASKING, "asking"),
        (FAST, "fast"),
        (NO_AUTH, "no_auth"),
        (MAY_REPLICATE, "may_replicate"),
        (NO_MANDATORY_KEYS, "no_mandatory_keys"),
        (NO_ASYNC_LOADING, "no_async_loading"),
        (NO_MULTI, "no_multi"),
        (ALLOW_BUSY, "allow_busy"),
    ];
}

/// The command families of this layer. Higher layers add their own (scripting's
/// EVAL and FUNCTION) when the server builds its table.
pub const FAMILIES: &[&[CommandSpec]] = &[
    super::acl::command::COMMANDS,
    super::bitfield::COMMANDS,
    super::bitops::COMMANDS,
    super::cluster::COMMANDS,
    super::command::COMMANDS,
    super::config::command::COMMANDS,
    super::connection::COMMANDS,
    super::geo::COMMANDS,
    super::hash::COMMANDS,
    super::hll::COMMANDS,
    super::info::COMMANDS,
    super::keys::COMMANDS,
    super::lcs::COMMANDS,
    super::memory::COMMANDS,
    super::list::COMMANDS,
    super::lolwut::COMMANDS,
    super::pubsub::COMMANDS,
    super::server::COMMANDS,
    super::latency::COMMANDS,
    super::replication::COMMANDS,
    super::monitor::COMMANDS,
    super::slowlog::COMMANDS,
    super::set::COMMANDS,
    super::sort::COMMANDS,
    super::stream::COMMANDS,
    super::string::COMMANDS,
    super::tx::COMMANDS,
    super::zset::COMMANDS,
];

/// Calls and time of one command (INFO commandstats).
#[derive(Debug, Default)]
pub struct CommandStats {
    pub calls: AtomicU64,
    pub usec: AtomicU64,
    /// Refused before running (arity, NOAUTH).
    pub rejected_calls: AtomicU64,
    /// Ran and replied with an error.
    pub failed_calls: AtomicU64,
    /// Durations (INFO latencystats), while `latency-tracking` is on.
    pub latency: super::histogram::Histogram,
}

/// One row of the indexed table.
pub struct Row {
    pub spec: &'static CommandSpec,
    /// `get`, or `config|get` for a subcommand (INFO, CLIENT LIST `cmd=`, errors).
    pub full_name: String,
    /// The top-level row of a subcommand.
    pub parent: Option<usize>,
    /// The positions of a container's subcommand rows.
    pub subs: std::ops::Range<usize>,
    pub stats: CommandStats,
}

impl Row {
    /// Whether this row is a container (it has subcommands).
    pub fn is_container(&self) -> bool {
        !self.subs.is_empty()
    }
}

/// FNV-1a: a fast hash for the command-name index (short, trusted keys: the
/// table's own names; a client's lookup string only selects a bucket).
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FnvMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

/// What a request names: a row of the table, or why it names none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    Found(usize),
    UnknownCommand,
    /// A container with a subcommand it does not have (the container's row).
    UnknownSubcommand(usize),
}

/// The command table indexed for lookup, with statistics per row.
pub struct Commands {
    pub rows: Vec<Row>,
    index: FnvMap<Box<[u8]>, usize>,
    /// Number of top-level commands (COMMAND COUNT).
    top_level: usize,
    /// [`Commands::heap_bytes`], computed once (the table never changes).
    heap: usize,
}

impl Commands {
    /// Heap bytes of the table: its rows, their names, the name index
    /// (part of `used_memory_startup`, see `memory.rs`).
    pub fn heap_bytes(&self) -> usize {
        self.heap
    }

    fn count_heap_bytes(&self) -> usize {
        use crate::store::mem::{alloc_size, vec_bytes};
        vec_bytes::<Row>(self.rows.capacity())
            + self
                .rows
                .iter()
                .map(|r| alloc_size(r.full_name.capacity()))
                .sum::<usize>()
            + self
                .index
                .keys()
                .map(|k| alloc_size(k.len()) + 2 * std::mem::size_of::<usize>())
                .sum::<usize>()
    }

    pub fn new(families: &[&'static [CommandSpec]]) -> Commands {
        let mut rows = Vec::new();
        let mut index = FnvMap::default();
        let mut top_level = 0;
        for spec in families.iter().flat_map(|f| f.iter()) {
            let at = rows.len();
            index.insert(spec.name.as_bytes().to_vec().into_boxed_slice(), at);
            top_level += 1;
            rows.push(Row {
                spec,
                full_name: spec.name.to_string(),
                parent: None,
                subs: at + 1..at + 1 + spec.subcommands.len(),
                stats: CommandStats::default(),
            });
            for sub in spec.subcommands {
                rows.push(Row {
                    spec: sub,
                    full_name: format!("{}|{}", spec.name, sub.name),
                    parent: Some(at),
                    subs: 0..0,
                    stats: CommandStats::default(),
                });
            }
        }
        let mut c = Commands {
            rows,
            index,
            top_level,
            heap: 0,
        };
        c.heap = c.count_heap_bytes();
        c
    }

    /// Position of the top-level command called `name`, ignoring ASCII case.
    pub fn lookup(&self, name: &[u8]) -> Option<usize> {
        let mut lower = [0u8; 32];
        if name.len() > lower.len() {
            // Only a name given by `rename-command` can be this long.
            return self.index.get(&name.to_ascii_lowercase()[..]).copied();
        }
        for (d, s) in lower.iter_mut().zip(name) {
            *d = s.to_ascii_lowercase();
        }
        self.index.get(&lower[..name.len()]).copied()
    }

    /// `rename-command old new` (the config directive): the command is found
    /// under `new` from then on and no longer under `old`; an empty `new`
    /// removes it. Its own name (COMMAND's replies, INFO commandstats) stays,
    /// as in Redis. Errors are 7.0's texts.
    pub fn rename(&mut self, old: &str, new: &str) -> Result<(), &'static str> {
        let old_key = old.to_ascii_lowercase().into_bytes();
        let Some(at) = self.index.get(&old_key[..]).copied() else {
            return Err("No such command in rename-command");
        };
        let new_key = new.to_ascii_lowercase().into_bytes();
        if !new.is_empty() && self.index.contains_key(&new_key[..]) {
            return Err("Target command name already exists");
        }
        self.index.remove(&old_key[..]);
        if !new.is_empty() {
            self.index.insert(new_key.into_boxed_slice(), at);
        }
        Ok(())
    }

    /// The row a request names: a container with at least one more argument
    /// resolves to its subcommand (as Redis's `lookupCommand` does); a container
    /// alone resolves to itself (whose arity then decides).
    pub fn resolve(&self, args: &[Vec<u8>]) -> Lookup {
        let Some(i) = args.first().and_then(|n| self.lookup(n)) else {
            return Lookup::UnknownCommand;
        };
        let row = &self.rows[i];
        match args.get(1) {
            Some(sub) if row.is_container() => self.rows[row.subs.clone()]
                .iter()
                .position(|r| r.spec.name.as_bytes().eq_ignore_ascii_case(sub))
                .map_or(Lookup::UnknownSubcommand(i), |k| {
                    Lookup::Found(row.subs.start + k)
                }),
            _ => Lookup::Found(i),
        }
    }

    /// The top-level rows, in table order.
    pub fn top_level(&self) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(|r| r.parent.is_none())
    }

    /// Number of top-level commands (COMMAND COUNT).
    pub fn count(&self) -> usize {
        self.top_level
    }

    /// The subcommand rows of row `i`.
    pub fn subcommands(&self, i: usize) -> &[Row] {
        &self.rows[self.rows[i].subs.clone()]
    }

    /// CONFIG RESETSTAT.
    pub fn reset_stats(&self) {
        for s in self.rows.iter().map(|r| &r.stats) {
            s.calls.store(0, Ordering::Relaxed);
            s.usec.store(0, Ordering::Relaxed);
            s.rejected_calls.store(0, Ordering::Relaxed);
            s.failed_calls.store(0, Ordering::Relaxed);
            s.latency.reset();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_positions_follow_first_last_step() {
        let p = |k: Keys, argc| k.positions(argc).collect::<Vec<_>>();
        assert_eq!(p(Keys::ONE, 2), vec![1]);
        assert_eq!(p(Keys::NONE, 3), Vec::<usize>::new());
        assert_eq!(p(Keys::ALL, 4), vec![1, 2, 3]);
        // MSET k v k v: first 1, last -1, step 2.
        assert_eq!(p(Keys::range(1, -1, 2), 5), vec![1, 3]);
        // BLPOP a b 0: the keys stop before the timeout.
        assert_eq!(p(Keys::range(1, -2, 1), 4), vec![1, 2]);
        // Too short for its keys: none.
        assert_eq!(p(Keys::range(2, 2, 1), 2), Vec::<usize>::new());
    }

    #[test]
    fn containers_resolve_to_their_subcommands() {
        static SUBS: &[CommandSpec] = &[CommandSpec {
            name: "get",
            arity: -3,
            ..CommandSpec::DEFAULT
        }];
        static FAMILY: &[CommandSpec] = &[
            CommandSpec {
                name: "config",
                arity: -2,
                subcommands: SUBS,
                ..CommandSpec::DEFAULT
            },
            CommandSpec {
                name: "ping",
                ..CommandSpec::DEFAULT
            },
        ];
        let c = Commands::new(&[FAMILY]);
        let a = |w: &[&str]| w.iter().map(|s| s.as_bytes().to_vec()).collect::<Vec<_>>();
        assert_eq!(c.count(), 2);
        assert_eq!(c.resolve(&a(&["CONFIG", "Get", "x"])), Lookup::Found(1));
        assert_eq!(c.rows[1].full_name, "config|get");
        assert_eq!(c.resolve(&a(&["config"])), Lookup::Found(0));
        assert_eq!(
            c.resolve(&a(&["config", "nope"])),
            Lookup::UnknownSubcommand(0)
        );
        assert_eq!(c.resolve(&a(&["ping", "x"])), Lookup::Found(2));
        assert_eq!(c.resolve(&a(&["nope"])), Lookup::UnknownCommand);
        // rename-command, with redis-server 7.0.15's errors.
        let mut c = c;
        let long = "p".repeat(40);
        assert_eq!(c.rename("PING", &long), Ok(()));
        assert_eq!(c.lookup(b"ping"), None);
        assert_eq!(c.lookup(long.to_uppercase().as_bytes()), Some(2));
        assert_eq!(
            c.rename("nope", "x"),
            Err("No such command in rename-command")
        );
        assert_eq!(
            c.rename("config", &long),
            Err("Target command name already exists")
        );
        assert_eq!(c.rename("config", ""), Ok(()));
        assert_eq!(c.lookup(b"config"), None);
        assert_eq!(c.rows[2].full_name, "ping");
    }
}
