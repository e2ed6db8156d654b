//! The command table: one row per command (Redis's `redisCommand`), gathered from
//! the family files into [`Commands`], the indexed table with per-command statistics.
//!
//! Each family (a file of `cmd/`, and `scripting`'s files) exports a `COMMANDS`
//! slice of [`CommandSpec`] rows; the server builds one [`Commands`] from all of
//! them ([`FAMILIES`] lists this layer's) and puts it in `Shared::commands`.
use super::Ctx;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// A command handler. `args[0]` is the command name; the arity has been checked.
pub type Handler = fn(&mut Ctx<'_>, &[Vec<u8>]);

/// A handler that may take ownership of argument buffers (`std::mem::take`), used
/// instead of [`Handler`] when the caller owns the request ([`dispatch_owned`]):
/// SET stores a large value without copying it.
pub type OwningHandler = fn(&mut Ctx<'_>, &mut [Vec<u8>]);

/// One row of the command table (Redis's `redisCommand`, trimmed).
#[derive(Clone, Copy)]
pub struct CommandSpec {
    /// Lower-case name, as COMMAND reports it.
    pub name: &'static str,
    /// `N` = exactly N arguments including the name; `-N` = at least N.
    pub arity: i32,
    /// Bit set of the `flags::*` constants.
    pub flags: u32,
    /// Position of the first key argument (0: none), of the last (negative counts
    /// from the end), and the step between keys, as COMMAND INFO reports them.
    pub first_key: i32,
    pub last_key: i32,
    pub step: i32,
    pub handler: Handler,
}

impl CommandSpec {
    /// A row whose key arguments are `first_key..=last_key` by `step`.
    pub const fn new(
        name: &'static str,
        arity: i32,
        flags: u32,
        first_key: i32,
        last_key: i32,
        step: i32,
        handler: Handler,
    ) -> CommandSpec {
        CommandSpec {
            name,
            arity,
            flags,
            first_key,
            last_key,
            step,
            handler,
        }
    }

    /// A row for a command that takes no key arguments.
    pub const fn keyless(
        name: &'static str,
        arity: i32,
        flags: u32,
        handler: Handler,
    ) -> CommandSpec {
        CommandSpec::new(name, arity, flags, 0, 0, 0, handler)
    }

    /// A row for a command whose only key is its first argument.
    pub const fn one_key(
        name: &'static str,
        arity: i32,
        flags: u32,
        handler: Handler,
    ) -> CommandSpec {
        CommandSpec::new(name, arity, flags, 1, 1, 1, handler)
    }
}

/// Command flags, named as COMMAND INFO names them.
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
}

/// The command families of this layer. Higher layers add their own (scripting's
/// EVAL and FUNCTION) when the server builds its table.
pub const FAMILIES: &[&[CommandSpec]] = &[
    super::bitops::COMMANDS,
    super::connection::COMMANDS,
    super::hash::COMMANDS,
    super::keys::COMMANDS,
    super::lcs::COMMANDS,
    super::list::COMMANDS,
    super::pubsub::COMMANDS,
    super::server::COMMANDS,
    super::set::COMMANDS,
    super::sort::COMMANDS,
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

/// The command table indexed for lookup, with statistics per command.
pub struct Commands {
    pub specs: Vec<&'static CommandSpec>,
    index: FnvMap<Box<[u8]>, usize>,
    pub stats: Vec<CommandStats>,
    /// For each spec, its [`OwningHandler`] if it has one (from `super::string::OWNING`).
    pub owning: Vec<Option<OwningHandler>>,
    /// For each spec, the range of its subcommands in `subs` (empty: none).
    pub sub_ranges: Vec<std::ops::Range<usize>>,
    /// Subcommand names as INFO prints them (`config|get`), with their statistics.
    pub subs: Vec<(String, CommandStats)>,
}

/// Container commands and their subcommands. Redis keeps statistics per
/// subcommand (`cmdstat_config|get`); this list gives the dispatcher the names.
const SUBCOMMANDS: &[(&str, &[&str])] = &[
    (
        "client",
        &[
            "id", "setname", "getname", "list", "info", "kill", "reply", "no-evict", "unblock",
            "help",
        ],
    ),
    ("config", &["get", "set", "resetstat", "help"]),
    (
        "command",
        &["count", "info", "docs", "list", "getkeys", "help"],
    ),
    ("debug", &["sleep", "help"]),
    ("script", &["load", "exists", "flush", "kill", "help"]),
    (
        "function",
        &[
            "load", "delete", "flush", "list", "stats", "kill", "dump", "restore", "help",
        ],
    ),
    (
        "object",
        &["encoding", "refcount", "idletime", "freq", "help"],
    ),
];

impl Commands {
    pub fn new(families: &[&'static [CommandSpec]]) -> Commands {
        let specs: Vec<&'static CommandSpec> = families.iter().flat_map(|f| f.iter()).collect();
        let index = specs
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.as_bytes().to_vec().into_boxed_slice(), i))
            .collect();
        let stats = specs.iter().map(|_| CommandStats::default()).collect();
        let owning = specs
            .iter()
            .map(|s| {
                super::string::OWNING
                    .iter()
                    .find(|(name, _)| *name == s.name)
                    .map(|(_, h)| *h)
            })
            .collect();
        let mut subs = Vec::new();
        let mut sub_ranges = Vec::new();
        for s in &specs {
            let start = subs.len();
            if let Some((_, names)) = SUBCOMMANDS.iter().find(|(c, _)| *c == s.name) {
                for n in names.iter() {
                    subs.push((format!("{}|{}", s.name, n), CommandStats::default()));
                }
            }
            sub_ranges.push(start..subs.len());
        }
        Commands {
            specs,
            index,
            stats,
            owning,
            sub_ranges,
            subs,
        }
    }

    /// The statistics slot for a request of command `i`: the command's own, or for
    /// a container command its subcommand's (None: an unknown subcommand, which
    /// Redis does not count).
    pub(super) fn stats_for(&self, i: usize, args: &[Vec<u8>]) -> Option<&CommandStats> {
        let range = self.sub_ranges[i].clone();
        if range.is_empty() {
            return Some(&self.stats[i]);
        }
        let name_len = self.specs[i].name.len() + 1;
        let sub = args.get(1)?;
        self.subs[range]
            .iter()
            .find(|(n, _)| n.as_bytes()[name_len..].eq_ignore_ascii_case(sub))
            .map(|(_, s)| s)
    }

    /// Index of the command called `name`, ignoring ASCII case.
    pub fn lookup(&self, name: &[u8]) -> Option<usize> {
        let mut lower = [0u8; 32];
        if name.len() > lower.len() {
            return None;
        }
        for (d, s) in lower.iter_mut().zip(name) {
            *d = s.to_ascii_lowercase();
        }
        self.index.get(&lower[..name.len()]).copied()
    }

    /// CONFIG RESETSTAT.
    pub fn reset_stats(&self) {
        for s in self.stats.iter().chain(self.subs.iter().map(|(_, s)| s)) {
            s.calls.store(0, Ordering::Relaxed);
            s.usec.store(0, Ordering::Relaxed);
            s.rejected_calls.store(0, Ordering::Relaxed);
            s.failed_calls.store(0, Ordering::Relaxed);
        }
    }
}
