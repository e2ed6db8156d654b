//! Server commands: COMMAND, INFO, CONFIG, TIME, DEBUG SLEEP, SHUTDOWN.
//!
//! INFO prints Redis's field names for the sections this server can fill (server,
//! clients, memory, persistence, stats, replication, keyspace, commandstats);
//! memory figures come from the process's resident set (`/proc/self/statm`) since
//! safe Rust cannot hook the allocator.
use super::{
    c_str, error_bytes, flags, flags::*, unknown_subcommand, wrong_arity, CommandSpec, Ctx,
};
use crate::resp::Reply;
use crate::server::config::{Config, SetError};
use crate::server::{unix_micros, REDIS_VERSION};
use crate::store::glob::glob_match;
use std::fmt::Write as _;
use std::sync::atomic::Ordering;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::keyless("command", -1, LOADING | STALE, command),
    CommandSpec::keyless("info", -1, LOADING | STALE, info),
    CommandSpec::keyless("config", -2, ADMIN | NOSCRIPT | LOADING | STALE, config),
    CommandSpec::keyless("time", 1, LOADING | STALE | FAST, time),
    CommandSpec::keyless("debug", -2, ADMIN | NOSCRIPT | LOADING | STALE, debug),
    CommandSpec::keyless(
        "shutdown",
        -1,
        ADMIN | NOSCRIPT | LOADING | STALE | NO_MULTI | ALLOW_BUSY,
        shutdown,
    ),
];

// ---------------------------------------------------------------- COMMAND

/// Flag names as COMMAND INFO prints them, in Redis's order.
const FLAG_NAMES: &[(u32, &str)] = &[
    (flags::WRITE, "write"),
    (flags::READONLY, "readonly"),
    (flags::DENYOOM, "denyoom"),
    (flags::ADMIN, "admin"),
    (flags::PUBSUB, "pubsub"),
    (flags::NOSCRIPT, "noscript"),
    (flags::BLOCKING, "blocking"),
    (flags::LOADING, "loading"),
    (flags::STALE, "stale"),
    (flags::FAST, "fast"),
    (flags::NO_AUTH, "no_auth"),
    (flags::MAY_REPLICATE, "may_replicate"),
    (flags::NO_MULTI, "no_multi"),
    (flags::ALLOW_BUSY, "allow_busy"),
];

/// The 10-element COMMAND INFO entry. ACL categories are derived from the flags;
/// key specs and tips are not modelled (empty).
fn command_entry(out: &mut Reply, s: &CommandSpec) {
    out.array(10);
    out.bulk(s.name.as_bytes());
    out.integer(s.arity as i64);
    let names: Vec<&str> = FLAG_NAMES
        .iter()
        .filter(|(f, _)| s.flags & f != 0)
        .map(|(_, n)| *n)
        .collect();
    out.array(names.len());
    for n in names {
        out.simple(n);
    }
    out.integer(s.first_key as i64);
    out.integer(s.last_key as i64);
    out.integer(s.step as i64);
    let cats = categories(s);
    out.array(cats.len());
    for c in cats {
        out.simple(c);
    }
    out.array(0);
    out.array(0);
    out.array(0);
}

/// ACL categories derived from the flags (Redis keeps a hand-made list per command).
fn categories(s: &CommandSpec) -> Vec<&'static str> {
    let mut cats = Vec::new();
    if s.flags & flags::WRITE != 0 {
        cats.push("@write");
    }
    if s.flags & flags::READONLY != 0 {
        cats.push("@read");
    }
    if s.flags & flags::ADMIN != 0 {
        cats.push("@admin");
        cats.push("@dangerous");
    }
    cats.push(if s.flags & flags::FAST != 0 {
        "@fast"
    } else {
        "@slow"
    });
    cats
}

fn command(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let specs = &ctx.shared.commands.specs;
    if args.len() == 1 {
        ctx.out.array(specs.len());
        for s in specs {
            command_entry(ctx.out, s);
        }
        return;
    }
    let sub = args[1].to_ascii_lowercase();
    let n = args.len();
    let ok = match sub.as_slice() {
        b"count" | b"help" => n == 2,
        b"info" | b"docs" | b"list" => n >= 2,
        b"getkeys" => n >= 4,
        _ => {
            unknown_subcommand(ctx.out, &args[1], "command");
            return;
        }
    };
    if !ok {
        wrong_arity(
            ctx.out,
            &format!("command|{}", String::from_utf8_lossy(&sub)),
        );
        return;
    }
    let find = |name: &[u8]| ctx.shared.commands.lookup(name).map(|i| specs[i]);
    match sub.as_slice() {
        b"count" => ctx.out.integer(specs.len() as i64),
        b"info" => {
            if n == 2 {
                ctx.out.array(specs.len());
                for s in specs {
                    command_entry(ctx.out, s);
                }
            } else {
                ctx.out.array(n - 2);
                for a in &args[2..] {
                    match find(a) {
                        Some(s) => command_entry(ctx.out, s),
                        None => ctx.out.null_array(),
                    }
                }
            }
        }
        b"docs" => {
            // Summary documentation is not carried; each known command gets its group.
            let chosen: Vec<_> = if n == 2 {
                specs.clone()
            } else {
                args[2..].iter().filter_map(|a| find(a)).collect()
            };
            ctx.out.array(chosen.len() * 2);
            for s in chosen {
                ctx.out.bulk(s.name.as_bytes());
                ctx.out.array(6);
                ctx.out.bulk(b"summary");
                ctx.out.bulk(b"");
                ctx.out.bulk(b"since");
                ctx.out.bulk(b"1.0.0");
                ctx.out.bulk(b"group");
                ctx.out.bulk(b"generic");
            }
        }
        b"list" => {
            if n == 5 && args[2].eq_ignore_ascii_case(b"filterby") {
                // FILTERBY PATTERN matches subcommands too (`config|get`); there are
                // no modules; ACLCAT uses the categories derived from the flags.
                let c = &ctx.shared.commands;
                let (kind, value) = (args[3].to_ascii_lowercase(), &args[4]);
                let names: Vec<&str> = match kind.as_slice() {
                    b"pattern" => specs
                        .iter()
                        .map(|s| s.name)
                        .chain(c.subs.iter().map(|(n, _)| n.as_str()))
                        .filter(|n| glob_match(value, n.as_bytes(), true))
                        .collect(),
                    b"module" => Vec::new(),
                    b"aclcat" => specs
                        .iter()
                        .filter(|s| {
                            categories(s)
                                .iter()
                                .any(|cat| cat.as_bytes()[1..].eq_ignore_ascii_case(value))
                        })
                        .map(|s| s.name)
                        .collect(),
                    _ => {
                        ctx.out.error(super::errors::SYNTAX);
                        return;
                    }
                };
                ctx.out.array(names.len());
                for name in names {
                    ctx.out.bulk(name.as_bytes());
                }
            } else if n == 2 {
                ctx.out.array(specs.len());
                for s in specs {
                    ctx.out.bulk(s.name.as_bytes());
                }
            } else {
                ctx.out.error(super::errors::SYNTAX);
            }
        }
        b"getkeys" => match find(&args[2]) {
            None => ctx.out.error("ERR Invalid command specified"),
            Some(s) => {
                let argc = (n - 2) as i32;
                if (s.arity > 0 && argc != s.arity) || argc < -s.arity {
                    ctx.out
                        .error("ERR Invalid number of arguments specified for command");
                    return;
                }
                if s.first_key == 0 {
                    ctx.out.error("ERR The command has no key arguments");
                    return;
                }
                let last = if s.last_key < 0 {
                    argc + s.last_key
                } else {
                    s.last_key
                };
                let step = s.step.max(1) as usize;
                let keys: Vec<&Vec<u8>> = (s.first_key as usize..=last.max(0) as usize)
                    .step_by(step)
                    .filter_map(|i| args.get(i + 2))
                    .collect();
                ctx.out.array(keys.len());
                for k in keys {
                    ctx.out.bulk(k);
                }
            }
        },
        _ => help(
            ctx.out,
            &[
                "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "(no subcommand)",
                "    Return details about all Redis commands.",
                "COUNT",
                "    Return the total number of commands in this Redis server.",
                "LIST",
                "    Return a list of all commands in this Redis server.",
                "INFO [<command-name> ...]",
                "    Return details about multiple Redis commands.",
                "    If no command names are given, documentation details for all",
                "    commands are returned.",
                "DOCS [<command-name> ...]",
                "    Return documentation details about multiple Redis commands.",
                "    If no command names are given, documentation details for all",
                "    commands are returned.",
                "GETKEYS <full-command>",
                "    Return the keys from a full Redis command.",
                "HELP",
                "    Prints this help.",
            ],
        ),
    }
}

fn help(out: &mut Reply, lines: &[&str]) {
    out.array(lines.len());
    for l in lines {
        out.simple(l);
    }
}

// ---------------------------------------------------------------- INFO

/// Sections INFO prints with no argument (or `default`), in order.
const DEFAULT_SECTIONS: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "modules",
    "errorstats",
    "cluster",
    "keyspace",
];

/// Every section, in the order INFO prints them.
const ALL_SECTIONS: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "modules",
    "commandstats",
    "errorstats",
    "cluster",
    "keyspace",
];

fn info(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let mut wanted: Vec<&str> = Vec::new();
    let all = ALL_SECTIONS.iter().copied();
    if args.len() == 1 {
        wanted.extend(DEFAULT_SECTIONS);
    }
    for a in &args[1..] {
        let a = String::from_utf8_lossy(a).to_ascii_lowercase();
        match a.as_str() {
            "default" => wanted.extend(DEFAULT_SECTIONS),
            "all" | "everything" => wanted.extend(all.clone()),
            s => {
                if let Some(known) = all.clone().find(|k| *k == s) {
                    wanted.push(known);
                }
            }
        }
    }
    let mut text = String::new();
    let mut seen = Vec::new();
    for s in all {
        if !wanted.contains(&s) || seen.contains(&s) {
            continue;
        }
        seen.push(s);
        if !text.is_empty() {
            text.push_str("\r\n");
        }
        section(ctx, s, &mut text);
    }
    ctx.out.bulk(text.as_bytes());
}

/// Resident memory of this process in bytes, from /proc (0 where unavailable).
fn resident_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|p| p.parse::<u64>().ok())
        })
        .map_or(0, |pages| pages * 4096)
}

/// User and system CPU seconds of this process, from /proc (zeros elsewhere).
/// Assumes the usual 100 clock ticks per second.
fn cpu_seconds() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0) / 100.0;
    (tick(11), tick(12))
}

/// Redis's `bytesToHuman`: `991.03K`, `7.13M`, `123B`.
fn human(n: u64) -> String {
    let f = n as f64;
    if n < 1024 {
        format!("{n}B")
    } else if f < 1024.0 * 1024.0 {
        format!("{:.2}K", f / 1024.0)
    } else if f < 1024.0 * 1024.0 * 1024.0 {
        format!("{:.2}M", f / (1024.0 * 1024.0))
    } else {
        format!("{:.2}G", f / (1024.0 * 1024.0 * 1024.0))
    }
}

fn section(ctx: &Ctx<'_>, name: &str, t: &mut String) {
    let sh = ctx.shared;
    let st = &sh.stats;
    let get = |c: &std::sync::atomic::AtomicU64| c.load(Ordering::Relaxed);
    let uptime = sh.started.elapsed().as_secs();
    match name {
        "server" => {
            let c = sh.config();
            let _ = write!(
                t,
                "# Server\r\nredis_version:{REDIS_VERSION}\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\n\
                 redis_build_id:0\r\nredis_mode:standalone\r\nos:{} {}\r\narch_bits:64\r\n\
                 multiplexing_api:threads\r\nferrous_version:{}\r\nprocess_id:{}\r\nprocess_supervised:no\r\n\
                 run_id:{}\r\ntcp_port:{}\r\nserver_time_usec:{}\r\nuptime_in_seconds:{}\r\nuptime_in_days:{}\r\n\
                 hz:{}\r\nconfigured_hz:{}\r\nexecutable:{}\r\nconfig_file:{}\r\nio_threads_active:0\r\n",
                std::env::consts::OS,
                std::env::consts::ARCH,
                env!("CARGO_PKG_VERSION"),
                std::process::id(),
                sh.run_id,
                sh.port,
                unix_micros(),
                uptime,
                uptime / 86400,
                c.hz,
                c.hz,
                std::env::current_exe().map(|p| p.display().to_string()).unwrap_or_default(),
                c.config_file
            );
        }
        "clients" => {
            let _ = write!(
                t,
                "# Clients\r\nconnected_clients:{}\r\ncluster_connections:0\r\nmaxclients:{}\r\n\
                 client_recent_max_input_buffer:0\r\nclient_recent_max_output_buffer:0\r\nblocked_clients:{}\r\n\
                 tracking_clients:0\r\nclients_in_timeout_table:0\r\n",
                sh.clients().len(),
                sh.config().maxclients,
                ctx.store.blocked.count()
            );
        }
        "memory" => {
            let rss = resident_bytes();
            let lua = ctx.store.scripts.memory() as u64;
            let c = sh.config();
            let _ = write!(
                t,
                "# Memory\r\nused_memory:{rss}\r\nused_memory_human:{}\r\nused_memory_rss:{rss}\r\n\
                 used_memory_rss_human:{}\r\nmaxmemory:{}\r\nmaxmemory_human:{}\r\nmaxmemory_policy:{}\r\n\
                 mem_allocator:libc\r\nused_memory_lua:{lua}\r\nused_memory_lua_human:{}\r\n\
                 number_of_cached_scripts:{}\r\n",
                human(rss),
                human(rss),
                c.maxmemory,
                human(c.maxmemory),
                c.maxmemory_policy,
                human(lua),
                ctx.store.scripts.len(),
            );
        }
        "persistence" => {
            let _ = write!(
                t,
                "# Persistence\r\nloading:0\r\nrdb_changes_since_last_save:{}\r\nrdb_bgsave_in_progress:0\r\n\
                 aof_enabled:0\r\naof_rewrite_in_progress:0\r\n",
                ctx.store.dirty
            );
        }
        "stats" => {
            let _ = write!(
                t,
                "# Stats\r\ntotal_connections_received:{}\r\ntotal_commands_processed:{}\r\n\
                 instantaneous_ops_per_sec:{}\r\ntotal_net_input_bytes:{}\r\ntotal_net_output_bytes:{}\r\n\
                 rejected_connections:{}\r\nexpired_keys:{}\r\nevicted_keys:0\r\nkeyspace_hits:{}\r\n\
                 keyspace_misses:{}\r\npubsub_channels:0\r\npubsub_patterns:0\r\ntotal_error_replies:{}\r\n\
                 total_reads_processed:{}\r\ntotal_writes_processed:{}\r\n",
                get(&st.total_connections_received),
                get(&st.total_commands_processed),
                get(&st.instantaneous_ops_per_sec),
                get(&st.total_net_input_bytes),
                get(&st.total_net_output_bytes),
                get(&st.rejected_connections),
                ctx.store.expired_keys() + get(&st.expired_keys),
                get(&st.keyspace_hits),
                get(&st.keyspace_misses),
                get(&st.total_error_replies),
                get(&st.total_reads_processed),
                get(&st.total_writes_processed),
            );
        }
        "cpu" => {
            let (user, sys) = cpu_seconds();
            let _ = write!(
                t,
                "# CPU\r\nused_cpu_sys:{sys:.6}\r\nused_cpu_user:{user:.6}\r\nused_cpu_sys_children:0.000000\r\n\
                 used_cpu_user_children:0.000000\r\n"
            );
        }
        "modules" => t.push_str("# Modules\r\n"),
        "errorstats" => {
            t.push_str("# Errorstats\r\n");
            for (code, n) in sh.errors.lock().unwrap_or_else(|e| e.into_inner()).iter() {
                let _ = write!(t, "errorstat_{code}:count={n}\r\n");
            }
        }
        "cluster" => t.push_str("# Cluster\r\ncluster_enabled:0\r\n"),
        "replication" => {
            t.push_str("# Replication\r\nrole:master\r\nconnected_slaves:0\r\n");
        }
        "keyspace" => {
            t.push_str("# Keyspace\r\n");
            for db in 0..ctx.store.db_count() {
                let keys = ctx.store.dbsize(db);
                if keys > 0 {
                    let _ = write!(
                        t,
                        "db{db}:keys={keys},expires={},avg_ttl=0\r\n",
                        ctx.store.expires_count(db)
                    );
                }
            }
        }
        "commandstats" => {
            t.push_str("# Commandstats\r\n");
            let c = &sh.commands;
            let rows = c
                .specs
                .iter()
                .zip(&c.stats)
                .enumerate()
                .flat_map(|(i, (s, cs))| {
                    let subs = &c.subs[c.sub_ranges[i].clone()];
                    std::iter::once((s.name, cs)).chain(subs.iter().map(|(n, cs)| (n.as_str(), cs)))
                });
            for (name, cs) in rows {
                let calls = get(&cs.calls);
                let (rej, fail) = (get(&cs.rejected_calls), get(&cs.failed_calls));
                if calls == 0 && rej == 0 && fail == 0 {
                    continue;
                }
                let usec = get(&cs.usec);
                let per = if calls == 0 {
                    0.0
                } else {
                    usec as f64 / calls as f64
                };
                let _ = write!(
                    t,
                    "cmdstat_{}:calls={calls},usec={usec},usec_per_call={per:.2},rejected_calls={rej},failed_calls={fail}\r\n",
                    name
                );
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------- CONFIG

fn config(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let sub = args[1].to_ascii_lowercase();
    let n = args.len();
    let ok = match sub.as_slice() {
        b"get" => n >= 3,
        b"set" => n >= 4 && n.is_multiple_of(2),
        b"resetstat" | b"help" => n == 2,
        _ => {
            unknown_subcommand(ctx.out, &args[1], "config");
            return;
        }
    };
    if !ok {
        wrong_arity(
            ctx.out,
            &format!("config|{}", String::from_utf8_lossy(&sub)),
        );
        return;
    }
    match sub.as_slice() {
        b"get" => {
            let c = ctx.shared.config();
            let mut names: Vec<&str> = Vec::new();
            for pat in &args[2..] {
                for name in Config::names() {
                    if glob_match(pat, name.as_bytes(), true) && !names.contains(&name) {
                        names.push(name);
                    }
                }
            }
            ctx.out.array(names.len() * 2);
            for name in names {
                ctx.out.bulk(name.as_bytes());
                ctx.out.bulk(c.get(name).unwrap_or_default().as_bytes());
            }
        }
        b"set" => config_set(ctx, args),
        b"resetstat" => {
            ctx.shared.stats.reset();
            ctx.shared.commands.reset_stats();
            ctx.shared
                .errors
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clear();
            ctx.out.ok();
        }
        _ => help(
            ctx.out,
            &[
                "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "GET <pattern>",
                "    Return parameters matching the glob-like <pattern> and their values.",
                "SET <directive> <value>",
                "    Set the configuration <directive> to <value>.",
                "RESETSTAT",
                "    Reset statistics reported by the INFO command.",
                "HELP",
                "    Prints this help.",
            ],
        ),
    }
}

/// CONFIG SET name value [name value ...]: all or nothing, like Redis 7.
fn config_set(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let pairs: Vec<(String, String)> = args[2..]
        .chunks(2)
        .map(|p| {
            (
                String::from_utf8_lossy(&p[0]).to_ascii_lowercase(),
                String::from_utf8_lossy(&p[1]).into_owned(),
            )
        })
        .collect();
    let fail = |out: &mut Reply, name: &str, why: &str| {
        let mut msg = b"ERR CONFIG SET failed (possibly related to argument '".to_vec();
        msg.extend_from_slice(c_str(name.as_bytes(), 128));
        msg.extend_from_slice(b"') - ");
        msg.extend_from_slice(why.as_bytes());
        error_bytes(out, &msg);
    };
    for (i, (name, _)) in pairs.iter().enumerate() {
        if !Config::is_param(name) {
            let mut msg = b"ERR Unknown option or number of arguments for CONFIG SET - '".to_vec();
            msg.extend_from_slice(c_str(name.as_bytes(), 128));
            msg.push(b'\'');
            error_bytes(ctx.out, &msg);
            return;
        }
        if pairs[..i].iter().any(|(m, _)| m == name) {
            fail(ctx.out, name, "duplicate parameter");
            return;
        }
    }
    // Validate on a copy, then commit the whole copy.
    let mut next = ctx.shared.config().clone();
    for (name, value) in &pairs {
        match next.set(name, value, true) {
            Ok(()) => {}
            Err(SetError::Immutable) => return fail(ctx.out, name, "can't set immutable config"),
            Err(SetError::Invalid(why)) => return fail(ctx.out, name, &why),
            Err(SetError::Unknown) => return fail(ctx.out, name, "unknown"),
        }
    }
    *ctx.shared.config.write().unwrap_or_else(|e| e.into_inner()) = next;
    ctx.shared.config_changed();
    ctx.out.ok();
}

// ---------------------------------------------------------------- the rest

fn time(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    let us = unix_micros();
    ctx.out.array(2);
    ctx.out.bulk((us / 1_000_000).to_string().as_bytes());
    ctx.out.bulk((us % 1_000_000).to_string().as_bytes());
}

/// DEBUG SLEEP <seconds>: blocks the whole server (it holds the keyspace lock),
/// which is what tests use it for. Redis 7 refuses DEBUG unless
/// `enable-debug-command` allows it; here SLEEP is always allowed.
fn debug(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let sub = args[1].to_ascii_lowercase();
    match sub.as_slice() {
        b"sleep" => {
            if args.len() != 3 {
                wrong_arity(ctx.out, "debug");
                return;
            }
            // Redis reads it with a bare strtod: the number at the start, or 0.
            let secs = crate::num::strtod(&args[2]).value;
            if secs.is_finite() && secs > 0.0 {
                std::thread::sleep(std::time::Duration::from_secs_f64(secs.min(1e9)));
            }
            ctx.out.ok();
        }
        b"help" => help(
            ctx.out,
            &[
                "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "SLEEP <seconds>",
                "    Stop the server for <seconds>. Decimals allowed.",
                "HELP",
                "    Prints this help.",
            ],
        ),
        _ => unknown_subcommand(ctx.out, &args[1], "debug"),
    }
}

/// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE]: stops the server; the caller gets no reply
/// (its connection closes). There is no persistence yet, so SAVE saves nothing.
fn shutdown(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let (mut save, mut nosave, mut abort, mut other) = (false, false, false, false);
    for a in &args[1..] {
        let a = a.to_ascii_lowercase();
        match a.as_slice() {
            b"save" => save = true,
            b"nosave" => nosave = true,
            b"abort" => abort = true,
            b"now" | b"force" => other = true,
            _ => {
                ctx.out.error(super::errors::SYNTAX);
                return;
            }
        }
    }
    if (save && nosave) || (abort && (save || nosave || other)) {
        ctx.out.error(super::errors::SYNTAX);
        return;
    }
    if abort {
        // Shutdown here is immediate, so there is never one to abort.
        ctx.out.error("ERR No shutdown in progress.");
        return;
    }
    let log = &ctx.shared.logger;
    log.warning("User requested shutdown...");
    if save {
        log.notice("SAVE requested, but this server has no persistence yet: nothing saved.");
    }
    ctx.client.close_after_reply = true;
    ctx.shared.request_shutdown();
}
