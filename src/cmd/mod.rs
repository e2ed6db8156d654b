//! The command table, as data, and the types every command handler sees.
//!
//! Each command family lives in its own file and exports a `COMMANDS` slice of
//! [`CommandSpec`]; [`table`] gathers them into one lookup table. A handler gets a
//! [`Ctx`] (the store, the calling client, the reply buffer, the shared server
//! state) and the request's arguments (`args[0]` is the command name as sent), and
//! writes exactly one reply. Arity is checked before the handler runs, as Redis
//! does: a positive arity is exact, a negative one is a minimum.
//!
//! [`dispatch`] is the one entry point for running a request: lookup
//! (case-insensitive), the unknown-command and arity errors, the NOAUTH gate, the
//! handler, and the per-command statistics INFO commandstats reports. Its checks
//! come in Redis's order: unknown command, then arity, then authentication.
pub mod bitops;
pub mod connection;
pub mod hash;
pub mod keys;
pub mod lcs;
pub mod list;
pub mod notify;
pub mod pubsub;
pub mod server;
pub mod set;
pub mod sort;
pub mod string;
pub mod tx;
pub mod zset;
pub mod zset_ops;
pub mod zset_pop;
pub mod zset_range;

use crate::resp::Reply;
use crate::server::client::ClientState;
use crate::server::Shared;
use crate::store::Store;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// A command handler. `args[0]` is the command name; the arity has been checked.
pub type Handler = fn(&mut Ctx<'_>, &[Vec<u8>]);

/// A handler that may take ownership of argument buffers (`std::mem::take`), used
/// instead of [`Handler`] when the caller owns the request ([`dispatch_owned`]):
/// SET stores a large value without copying it.
pub type OwningHandler = fn(&mut Ctx<'_>, &mut [Vec<u8>]);

/// Everything a handler may touch while it runs. The caller holds whatever makes
/// the command atomic (see `server`) for as long as the `Ctx` lives.
pub struct Ctx<'a> {
    pub store: &'a mut Store,
    pub client: &'a mut ClientState,
    pub out: &'a mut Reply,
    pub shared: &'a Shared,
}

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

/// Error texts shared by many commands, exactly as redis-server 7.0 sends them.
pub mod errors {
    pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
    pub const SYNTAX: &str = "ERR syntax error";
    pub const NOT_INTEGER: &str = "ERR value is not an integer or out of range";
    pub const NOT_FLOAT: &str = "ERR value is not a valid float";
    pub const NO_SUCH_KEY: &str = "ERR no such key";
    pub const DB_INDEX: &str = "ERR DB index is out of range";
}

/// Every command this server knows, gathered from the family files.
pub fn table() -> Vec<&'static CommandSpec> {
    let families: &[&'static [CommandSpec]] = &[
        bitops::COMMANDS,
        connection::COMMANDS,
        hash::COMMANDS,
        keys::COMMANDS,
        lcs::COMMANDS,
        list::COMMANDS,
        pubsub::COMMANDS,
        server::COMMANDS,
        set::COMMANDS,
        sort::COMMANDS,
        string::COMMANDS,
        tx::COMMANDS,
        crate::scripting::commands::COMMANDS,
        crate::scripting::function::COMMANDS,
        zset::COMMANDS,
    ];
    families.iter().flat_map(|f| f.iter()).collect()
}

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
    /// For each spec, its [`OwningHandler`] if it has one (from `string::OWNING`).
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

impl Default for Commands {
    fn default() -> Self {
        Commands::new()
    }
}

impl Commands {
    pub fn new() -> Commands {
        let specs = table();
        let index = specs
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.as_bytes().to_vec().into_boxed_slice(), i))
            .collect();
        let stats = specs.iter().map(|_| CommandStats::default()).collect();
        let owning = specs
            .iter()
            .map(|s| {
                string::OWNING
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
    fn stats_for(&self, i: usize, args: &[Vec<u8>]) -> Option<&CommandStats> {
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

/// Writes an error reply from bytes, replacing CR and LF with spaces (a reply line
/// cannot contain them), as Redis does for errors that echo client input.
pub fn error_bytes(out: &mut Reply, msg: &[u8]) {
    out.buf.push(b'-');
    out.buf.extend(
        msg.iter()
            .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }),
    );
    out.buf.extend_from_slice(b"\r\n");
}

/// Bytes of `s` up to its first NUL, at most `max` of them (C's `%.*s`).
pub fn c_str(s: &[u8], max: usize) -> &[u8] {
    let s = &s[..s.len().min(max)];
    match s.iter().position(|&b| b == 0) {
        Some(n) => &s[..n],
        None => s,
    }
}

/// `ERR unknown command 'foo', with args beginning with: 'a' 'b' `: the name (up to
/// 128 bytes) and the arguments while the list is shorter than 128 bytes.
pub fn unknown_command(out: &mut Reply, args: &[Vec<u8>]) {
    let mut msg = b"ERR unknown command '".to_vec();
    msg.extend_from_slice(c_str(&args[0], 128));
    msg.extend_from_slice(b"', with args beginning with: ");
    let mut list: Vec<u8> = Vec::new();
    for a in &args[1..] {
        if list.len() >= 128 {
            break;
        }
        let room = 128 - list.len();
        list.push(b'\'');
        list.extend_from_slice(c_str(a, room));
        list.extend_from_slice(b"' ");
    }
    msg.extend_from_slice(&list);
    error_bytes(out, &msg);
}

/// `ERR wrong number of arguments for 'get' command` (`name` as Redis spells it,
/// e.g. `config|set` for a subcommand).
pub fn wrong_arity(out: &mut Reply, name: &str) {
    out.error(&format!(
        "ERR wrong number of arguments for '{name}' command"
    ));
}

/// `ERR unknown subcommand 'foo'. Try CONFIG HELP.`
pub fn unknown_subcommand(out: &mut Reply, sub: &[u8], command: &str) {
    let mut msg = b"ERR unknown subcommand '".to_vec();
    msg.extend_from_slice(c_str(sub, 128));
    msg.extend_from_slice(format!("'. Try {} HELP.", command.to_ascii_uppercase()).as_bytes());
    error_bytes(out, &msg);
}

/// A request as the dispatcher gets it: borrowed, or owned by the caller (whose
/// argument buffers a command's [`OwningHandler`] may then take).
enum Args<'a> {
    Borrowed(&'a [Vec<u8>]),
    Owned(&'a mut [Vec<u8>]),
}

/// Runs one request: lookup, checks, handler, statistics.
/// The `[MATCH pattern] [COUNT count]` options of HSCAN, SSCAN and ZSCAN:
/// (count, pattern; `None` for none or `*`), or the error text. Redis parses
/// them after looking up the key, so a missing key answers an empty scan and a
/// key of another type WRONGTYPE whatever the options say.
pub fn scan_options(opts: &[Vec<u8>]) -> Result<(usize, Option<&[u8]>), &'static str> {
    let mut count = 10usize;
    let mut pattern = None;
    for pair in opts.chunks(2) {
        let [name, value] = pair else {
            return Err(errors::SYNTAX);
        };
        if name.eq_ignore_ascii_case(b"count") {
            match crate::num::string2ll(value) {
                Some(n) if n >= 1 => count = usize::try_from(n).unwrap_or(usize::MAX),
                Some(_) => return Err(errors::SYNTAX),
                None => return Err(errors::NOT_INTEGER),
            }
        } else if name.eq_ignore_ascii_case(b"match") {
            pattern = (value.as_slice() != b"*").then_some(value.as_slice());
        } else {
            return Err(errors::SYNTAX);
        }
    }
    Ok((count, pattern))
}

pub fn dispatch(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    run(ctx, Args::Borrowed(args));
}

/// As [`dispatch`], for a caller that owns the request and no longer needs its
/// arguments: a command may take their buffers (they are left empty).
pub fn dispatch_owned(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) {
    run(ctx, Args::Owned(args));
}

fn run(ctx: &mut Ctx<'_>, request: Args<'_>) {
    let args: &[Vec<u8>] = match &request {
        Args::Borrowed(a) => a,
        Args::Owned(a) => a,
    };
    let shared = ctx.shared;
    let stats = &shared.stats;
    if args.is_empty() {
        // The wire never yields an empty request; internal callers might.
        ctx.out.error("ERR empty command");
        return;
    }
    let Some(i) = shared.commands.lookup(&args[0]) else {
        unknown_command(ctx.out, args);
        shared.count_error(b"ERR");
        ctx.client.tx.aborted |= ctx.client.tx.in_multi();
        return;
    };
    let spec = shared.commands.specs[i];
    let argc = args.len() as i32;
    if (spec.arity > 0 && argc != spec.arity) || argc < -spec.arity {
        wrong_arity(ctx.out, spec.name);
        ctx.client.tx.aborted |= ctx.client.tx.in_multi();
        shared.commands.stats[i]
            .rejected_calls
            .fetch_add(1, Ordering::Relaxed);
        shared.count_error(b"ERR");
        return;
    }
    let cstats = shared.commands.stats_for(i, args);
    if !ctx.client.authenticated && spec.flags & flags::NO_AUTH == 0 {
        ctx.out.error("NOAUTH Authentication required.");
        if let Some(c) = cstats {
            c.rejected_calls.fetch_add(1, Ordering::Relaxed);
        }
        shared.count_error(b"NOAUTH");
        return;
    }
    if ctx.client.subs.count() > 0
        && ctx.client.resp == 2
        && !pubsub::allowed_in_subscribe_mode(spec.name)
    {
        let why = pubsub::subscribe_mode_refusal(spec.name);
        if ctx.client.tx.in_multi() && spec.name == "exec" {
            tx::discard_transaction(ctx);
            ctx.out.error(&format!(
                "EXECABORT Transaction discarded because of: {why}"
            ));
            shared.count_error(b"EXECABORT");
        } else {
            ctx.out.error(&format!("ERR {why}"));
            shared.count_error(b"ERR");
            ctx.client.tx.aborted |= ctx.client.tx.in_multi();
        }
        if let Some(c) = cstats {
            c.rejected_calls.fetch_add(1, Ordering::Relaxed);
        }
        return;
    }
    if ctx.client.tx.in_multi() && !tx::runs_inside_multi(spec.name) {
        if spec.flags & flags::NO_MULTI != 0 {
            ctx.out
                .error("ERR Command not allowed inside a transaction");
            shared.count_error(b"ERR");
            ctx.client.tx.aborted = true;
        } else if let Some(q) = ctx.client.tx.queue.as_mut() {
            q.push(args.to_vec());
            ctx.out.simple("QUEUED");
        }
        return;
    }
    let before = ctx.out.buf.len();
    let start = Instant::now();
    match request {
        Args::Owned(a) => match shared.commands.owning[i] {
            Some(h) => h(ctx, a),
            None => (spec.handler)(ctx, a),
        },
        Args::Borrowed(a) => (spec.handler)(ctx, a),
    }
    let usec = start.elapsed().as_micros() as u64;
    notify::after_command(ctx);
    let reply = &ctx.out.buf[before..];
    if reply.first() == Some(&b'-') {
        shared.count_error(&reply[1..]);
    }
    // A container's handler checks its subcommand's name and arity itself; Redis
    // refuses those before running anything, so they count as rejected (or, for
    // an unknown subcommand, not at all) rather than as calls.
    let Some(cstats) = cstats else { return };
    if !sub_ranges_empty(shared, i) && reply.starts_with(b"-ERR wrong number of arguments") {
        cstats.rejected_calls.fetch_add(1, Ordering::Relaxed);
        return;
    }
    cstats.calls.fetch_add(1, Ordering::Relaxed);
    cstats.usec.fetch_add(usec, Ordering::Relaxed);
    if reply.first() == Some(&b'-') {
        cstats.failed_calls.fetch_add(1, Ordering::Relaxed);
    }
    stats
        .total_commands_processed
        .fetch_add(1, Ordering::Relaxed);
    if let Some(h) = &ctx.client.handle {
        h.last_cmd.store(i + 1, Ordering::Relaxed);
    }
}

fn sub_ranges_empty(shared: &Shared, i: usize) -> bool {
    shared.commands.sub_ranges[i].is_empty()
}
