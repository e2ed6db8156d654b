//! Commands: the table as data, the context a handler sees, and one file per
//! command family.
//!
//! Each command family lives in its own file and exports a `COMMANDS` slice of
//! [`CommandSpec`] rows (`table.rs`). A handler gets a [`Ctx`] (the keyspace
//! parts, the calling client, the reply buffer, the shared server state) and the
//! request's arguments (`args[0]` is the command name as sent), and writes exactly
//! one reply. Arity is checked before the handler runs, as Redis does: a positive
//! arity is exact, a negative one is a minimum.
//!
//! [`dispatch`] is the one entry point for running a request: lookup
//! (case-insensitive), the unknown-command and arity errors, the NOAUTH gate, the
//! handler, and the per-command statistics INFO commandstats reports. Its checks
//! come in Redis's order: unknown command, then arity, then authentication.
//!
//! This layer sits above `store` and below `scripting`: it holds everything a
//! command may see (client state, shared server state, the blocked-client and
//! pub/sub registries), but no sockets and no threads, which are the server's.
//!
//! | file | job |
//! | --- | --- |
//! | `table.rs` | the row type, flags, the indexed table with statistics |
//! | `ctx.rs` | [`Keyspace`] (what the keyspace lock guards) and [`Ctx`] |
//! | `shared.rs` | [`Shared`]: config, stats, the client registry, the running script's state |
//! | `client.rs` | one client's state ([`ClientState`]) and its registry entry ([`ClientHandle`]) |
//! | `config.rs` | the configuration parameters: files, flags, CONFIG GET/SET |
//! | `log.rs` | the server log in redis-server's format |
//! | `blocking.rs` | clients blocked on keys, served when a key fills |
//! | `outbox.rs` | the outbound queue of clients that receive pushed messages |
//! | `notify.rs` | keyspace notifications |
//! | `lookup.rs` | the value of one type under a key, or WRONGTYPE ([`lookup::read`], `read!`) |
//! | `args.rs` | argument helpers: integers, ranges, SCAN options, the bulk length bound |
//! | `string.rs`, `bitops.rs`, `lcs.rs` | strings and bits |
//! | `keys.rs` | keys, expiry, databases |
//! | `hash.rs`, `list.rs`, `set.rs`, `zset*.rs`, `sort.rs` | the collection types |
//! | `connection.rs`, `server.rs` | connection and server commands (HELLO, CLIENT, CONFIG, DEBUG, SHUTDOWN) |
//! | `clients.rs` | CLIENT LIST, INFO and KILL: every client as 7.0 describes it |
//! | `command.rs`, `info.rs`, `memory.rs` | COMMAND (the table as clients see it), INFO, MEMORY |
//! | `docs/` | Redis 7.0's command documentation as data (COMMAND DOCS, key specs), generated |
//! | `acl/` | users, permissions and their check, ACL LOG, the ACL command |
//! | `tx.rs`, `pubsub.rs` | MULTI/EXEC/WATCH, pub/sub |
//! | `digest.rs` | DEBUG DIGEST and DIGEST-VALUE, as Redis computes them |
//! | `persistence.rs` | the RDB save status (INFO, LASTSAVE, MISCONF) and the hooks to the persistence layer |
//! | `tracking.rs` | client-side caching: CLIENT TRACKING's key table, invalidation messages |
//! | `pause.rs` | CLIENT PAUSE/UNPAUSE: which requests wait, the pause's state |
pub mod acl;
pub mod args;
pub mod bitfield;
pub mod bitops;
pub mod blocking;
pub mod client;
pub mod clients;
pub mod cluster;
pub mod command;
pub mod config;
pub mod connection;
pub mod ctx;
pub mod debug;
pub mod digest;
pub mod docs;
pub mod evict;
pub mod geo;
pub mod hash;
pub mod histogram;
pub mod hll;
pub mod info;
pub mod keys;
pub mod latency;
pub mod lazyfree;
pub mod lcs;
pub mod list;
pub mod log;
pub mod lolwut;
pub mod lookup;
pub mod memory;
pub mod monitor;
pub mod notify;
pub mod outbox;
pub mod pause;
pub mod persistence;
pub mod pqsort;
pub mod propagate;
pub mod pubsub;
pub mod replication;
pub mod server;
pub mod set;
pub mod shared;
pub mod slowlog;
pub mod sort;
pub mod sparkline;
pub mod stream;
pub mod stream_group;
pub mod stream_info;
pub mod stream_propagate;
pub mod stream_read;
pub mod string;
pub mod table;
pub mod tracking;
pub mod tx;
pub mod zset;
pub mod zset_ops;
pub mod zset_pop;
pub mod zset_range;

pub use client::{ClientHandle, ClientState};
pub use ctx::{Ctx, Keyspace, ScriptSlot};
pub use shared::{Shared, REDIS_VERSION};
pub use table::{flags, CommandSpec, Commands, GetFlags, Handler, Keys, OwningHandler};

use crate::resp::Reply;
use std::sync::atomic::Ordering;
use std::time::Instant;

/// Error texts shared by many commands, exactly as redis-server 7.0 sends them.
pub mod errors {
    pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
    pub const SYNTAX: &str = "ERR syntax error";
    pub const NOT_INTEGER: &str = "ERR value is not an integer or out of range";
    pub const NOT_FLOAT: &str = "ERR value is not a valid float";
    pub const NO_SUCH_KEY: &str = "ERR no such key";
    pub const DB_INDEX: &str = "ERR DB index is out of range";
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

/// Redis's `sdscatrepr`: the bytes between double quotes, with `\\`, `\"`, `\n`,
/// `\r`, `\t`, `\a`, `\b` escapes, other non-printable bytes as `\xHH`.
pub fn repr(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for &b in s {
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

/// An I/O error as C's `strerror` words it (`No such file or directory`), without
/// Rust's ` (os error 2)` suffix.
pub fn io_error_text(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
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

/// Client-side caching after a command: invalidations for the keys it changed,
/// then the keys a read-only command of a tracking client read (a script's
/// read-only calls make its caller's declared keys remembered when it ends), as
/// Redis's `call` does.
fn track_command(ctx: &mut Ctx<'_>, i: usize, args: &[Vec<u8>]) {
    let shared = ctx.shared;
    let spec = shared.commands.rows[i].spec;
    tracking::after_command(shared, ctx.store, Some(ctx.client.id));
    let script = matches!(
        spec.name,
        "eval" | "evalsha" | "eval_ro" | "evalsha_ro" | "fcall" | "fcall_ro"
    );
    if ctx.client.id == u64::MAX {
        // A script's own call: its caller decides (after the script).
        if spec.flags & flags::READONLY != 0 {
            tracking::note_script_read(shared);
        }
        return;
    }
    if !ctx.client.tracking || ctx.client.tracking_bcast {
        return;
    }
    if script {
        // A script that called a read-only command: its declared keys.
        if !tracking::take_script_read(shared) {
            return;
        }
    } else if spec.flags & flags::READONLY == 0 {
        return;
    }
    let positions = command::request_keys(ctx, i, args);
    let keys: Vec<&[u8]> = positions
        .iter()
        .filter_map(|&(k, _)| args.get(k))
        .map(|k| k.as_slice())
        .collect();
    if !keys.is_empty() {
        tracking::remember(shared, ctx.store, ctx.client.id, ctx.client.caching, &keys);
    }
}

/// A request as the dispatcher gets it: borrowed, or owned by the caller (whose
/// argument buffers a command's [`OwningHandler`] may then take).
enum Args<'a> {
    Borrowed(&'a [Vec<u8>]),
    Owned(&'a mut [Vec<u8>]),
}

/// Whether a request is refused while RDB saves fail (7.0's
/// `writeCommandsDeniedByDiskError` check): commands that write (EVAL and
/// FCALL by their script's flags, EXEC by what it queued), and PING.
fn misconf_refuses(ctx: &mut Ctx<'_>, i: usize, args: &[Vec<u8>]) -> bool {
    let spec = ctx.shared.commands.rows[i].spec;
    if spec.name == "ping" {
        return true;
    }
    request_flags_queued(ctx, i, args) & flags::WRITE != 0
}

/// The flags of one request to row `i` (its script's for EVAL and FCALL,
/// see [`pause::request_flags`]), and for EXEC those of everything it queued
/// as well, as they were when queued (Redis's `mstate.cmd_flags`).
pub(crate) fn request_flags_queued(ctx: &mut Ctx<'_>, i: usize, args: &[Vec<u8>]) -> u32 {
    let f = pause::request_flags(ctx, i, args);
    if ctx.shared.commands.rows[i].spec.name == "exec" && ctx.client.tx.in_multi() {
        return f | ctx.client.tx.flags;
    }
    f
}

/// The ACL check of a request by a restricted user: on a refusal, the
/// `NOPERM` error (EXEC's own text for a queued command), the ACL LOG entry,
/// and false.
#[cold]
fn acl_allows(ctx: &mut Ctx<'_>, i: usize, args: &[Vec<u8>]) -> bool {
    let Some(user) = ctx.client.user.clone() else {
        return true;
    };
    let Err(denied) = acl::check::check(ctx, &user, i, args) else {
        return true;
    };
    let shared = ctx.shared;
    let multi = ctx.client.tx.in_multi() || ctx.client.tx.running;
    acl::command::log_denial(
        ctx,
        denied,
        if multi { "multi" } else { "toplevel" },
        i,
        args,
    );
    if ctx.client.tx.running {
        ctx.out.error(&format!(
            "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: {}",
            denied.exec_text()
        ));
    } else {
        ctx.out
            .error(&denied.error(&shared.commands.rows[i].full_name));
        ctx.client.tx.aborted |= ctx.client.tx.in_multi();
    }
    shared.count_error(b"NOPERM");
    false
}

/// Runs one request: lookup, checks, handler, statistics.
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
    let commands = &shared.commands;
    // The reply goes out in the protocol the client chose (HELLO).
    ctx.out.proto = ctx.client.resp;
    if args.is_empty() {
        // The wire never yields an empty request; internal callers might.
        ctx.out.error("ERR empty command");
        return;
    }
    let found = commands.resolve(args);
    // CLIENT LIST's `cmd=`: the command last looked up, queued or refused too
    // (NULL after an unknown one), as Redis's `lastcmd`.
    if let Some(h) = &ctx.client.handle {
        let last = match found {
            table::Lookup::Found(i) => i + 1,
            _ => 0,
        };
        h.last_cmd.store(last, Ordering::Relaxed);
    }
    let i = match found {
        table::Lookup::Found(i) => i,
        table::Lookup::UnknownCommand => {
            unknown_command(ctx.out, args);
            shared.count_error(b"ERR");
            ctx.client.tx.aborted |= ctx.client.tx.in_multi();
            return;
        }
        table::Lookup::UnknownSubcommand(i) => {
            unknown_subcommand(ctx.out, &args[1], commands.rows[i].spec.name);
            shared.count_error(b"ERR");
            ctx.client.tx.aborted |= ctx.client.tx.in_multi();
            return;
        }
    };
    let row = &commands.rows[i];
    let spec = row.spec;
    let argc = args.len() as i32;
    if (spec.arity > 0 && argc != spec.arity) || argc < -spec.arity {
        wrong_arity(ctx.out, &row.full_name);
        ctx.client.tx.aborted |= ctx.client.tx.in_multi();
        row.stats.rejected_calls.fetch_add(1, Ordering::Relaxed);
        shared.count_error(b"ERR");
        return;
    }
    if !ctx.client.authenticated && !shared.acl.open() && spec.flags & flags::NO_AUTH == 0 {
        ctx.out.error("NOAUTH Authentication required.");
        row.stats.rejected_calls.fetch_add(1, Ordering::Relaxed);
        shared.count_error(b"NOAUTH");
        return;
    }
    // The ACL: one flag for a user who may run everything (the default user
    // out of the box); a script's calls are checked by scripting, with its
    // own error texts.
    if let Some(user) = &ctx.client.user {
        // A command refused in MULTI for its `no_multi` flag is answered below.
        let skip = user.unrestricted()
            || ctx.client.in_script
            || (ctx.client.tx.in_multi()
                && spec.flags & (flags::NO_MULTI | flags::NOT_QUEUED) == flags::NO_MULTI);
        if !skip && !acl_allows(ctx, i, args) {
            row.stats.rejected_calls.fetch_add(1, Ordering::Relaxed);
            return;
        }
    }
    if ctx.client.monitor
        && spec.flags & (flags::WRITE | flags::READONLY | flags::MAY_REPLICATE) != 0
    {
        // A monitor is a replica to Redis, and replicas do not use the keyspace.
        ctx.out
            .error("ERR Replica can't interact with the keyspace");
        row.stats.rejected_calls.fetch_add(1, Ordering::Relaxed);
        shared.count_error(b"ERR");
        return;
    }
    if !evict::admit(ctx, i, args) {
        row.stats.rejected_calls.fetch_add(1, Ordering::Relaxed);
        return;
    }
    if ctx.client.subs.any() && ctx.client.resp == 2 && spec.flags & flags::SUBSCRIBED_OK == 0 {
        let why = pubsub::subscribe_mode_refusal(&row.full_name);
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
        row.stats.rejected_calls.fetch_add(1, Ordering::Relaxed);
        return;
    }
    if shared.persistence.refuse_writes.load(Ordering::Relaxed) && misconf_refuses(ctx, i, args) {
        let misconf = shared.persistence.misconf_error();
        if ctx.client.tx.in_multi() && spec.name == "exec" {
            tx::discard_transaction(ctx);
            ctx.out.error(&format!(
                "EXECABORT Transaction discarded because of: {misconf}"
            ));
            shared.count_error(b"EXECABORT");
        } else {
            ctx.out.error(&misconf);
            shared.count_error(b"MISCONF");
            ctx.client.tx.aborted |= ctx.client.tx.in_multi();
        }
        row.stats.rejected_calls.fetch_add(1, Ordering::Relaxed);
        return;
    }
    if ctx.client.tx.in_multi() && spec.flags & flags::NOT_QUEUED == 0 {
        if spec.flags & flags::NO_MULTI != 0 {
            ctx.out
                .error("ERR Command not allowed inside a transaction");
            shared.count_error(b"ERR");
            ctx.client.tx.aborted = true;
        } else if ctx.client.tx.queue.is_some() {
            let f = pause::request_flags(ctx, i, args);
            ctx.client.tx.flags |= f;
            if let Some(q) = ctx.client.tx.queue.as_mut() {
                q.push(args.to_vec());
            }
            ctx.out.simple("QUEUED");
        }
        return;
    }
    lazyfree::before_command(ctx);
    let before = ctx.out.buf.len();
    ctx.out.error_counted = false;
    ctx.client.redacted.clear();
    let frame = propagate::begin(ctx);
    let start = Instant::now();
    let args: &[Vec<u8>] = match (request, spec.owning) {
        // A command that takes its arguments' buffers cannot be propagated
        // from them.
        (Args::Owned(a), Some(h)) if frame.is_none() => {
            h(ctx, a);
            a
        }
        (Args::Owned(a), _) => {
            (spec.handler)(ctx, a);
            a
        }
        (Args::Borrowed(a), _) => {
            (spec.handler)(ctx, a);
            a
        }
    };
    let usec = start.elapsed().as_micros() as u64;
    propagate::end(ctx, frame, spec.name, args);
    slowlog::after_command(ctx, spec.flags, args, usec);
    monitor::after_command(ctx, spec.flags, args);
    latency::after_command(ctx, spec.flags, usec);
    notify::after_command(ctx);
    lazyfree::after_command(ctx);
    if tracking::is_on(shared) {
        track_command(ctx, i, args);
    }
    let reply = &ctx.out.buf[before..];
    let failed = reply.first() == Some(&b'-');
    if failed && !ctx.out.error_counted {
        shared.count_error(&reply[1..]);
    }
    row.stats.calls.fetch_add(1, Ordering::Relaxed);
    row.stats.usec.fetch_add(usec, Ordering::Relaxed);
    if shared.latency_tracking.load(Ordering::Relaxed) && ctx.client.block.is_none() {
        // Whole microseconds, in nanoseconds, as Redis records them.
        row.stats.latency.record(usec.saturating_mul(1000));
    }
    if failed {
        row.stats.failed_calls.fetch_add(1, Ordering::Relaxed);
    }
    shared
        .stats
        .total_commands_processed
        .fetch_add(1, Ordering::Relaxed);
}
