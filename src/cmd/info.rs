//! INFO: the server's state as `name:value` lines, by section.
//!
//! Prints Redis's field names for the sections this server can fill (server,
//! clients, memory, persistence, stats, replication, cpu, errorstats, keyspace,
//! commandstats); memory figures come from the process's resident set
//! (`/proc/self/statm`) since safe Rust cannot hook the allocator.
use super::shared::{unix_micros, REDIS_VERSION};
use super::{flags::*, CommandSpec, Ctx, Keys};
use std::fmt::Write as _;
use std::sync::atomic::Ordering;

pub static COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "info",
    arity: -1,
    flags: LOADING | STALE,
    keys: Keys::NONE,
    handler: info,
    ..CommandSpec::DEFAULT
}];

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
    ctx.out.verbatim("txt", text.as_bytes());
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
                 tracking_clients:{}\r\nclients_in_timeout_table:0\r\n",
                sh.clients().len(),
                sh.config().maxclients,
                ctx.blocked.count()
                    + sh.pause.waiting.load(std::sync::atomic::Ordering::Relaxed),
                sh.tracking_clients.load(std::sync::atomic::Ordering::Relaxed),
            );
        }
        "memory" => {
            let rss = resident_bytes();
            let lua = sh.scripts_memory.load(std::sync::atomic::Ordering::Relaxed);
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
                sh.scripts_cached.load(std::sync::atomic::Ordering::Relaxed),
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
            let tracked = super::tracking::state(sh).totals();
            let _ = write!(
                t,
                "# Stats\r\ntotal_connections_received:{}\r\ntotal_commands_processed:{}\r\n\
                 instantaneous_ops_per_sec:{}\r\ntotal_net_input_bytes:{}\r\ntotal_net_output_bytes:{}\r\n\
                 rejected_connections:{}\r\nexpired_keys:{}\r\nevicted_keys:0\r\nkeyspace_hits:{}\r\n\
                 keyspace_misses:{}\r\npubsub_channels:0\r\npubsub_patterns:0\r\n\
                 tracking_total_keys:{}\r\ntracking_total_items:{}\r\ntracking_total_prefixes:{}\r\n\
                 total_error_replies:{}\r\ntotal_reads_processed:{}\r\ntotal_writes_processed:{}\r\n",
                get(&st.total_connections_received),
                get(&st.total_commands_processed),
                get(&st.instantaneous_ops_per_sec),
                get(&st.total_net_input_bytes),
                get(&st.total_net_output_bytes),
                get(&st.rejected_connections),
                ctx.store.expired_keys() + get(&st.expired_keys),
                get(&st.keyspace_hits),
                get(&st.keyspace_misses),
                tracked.0,
                tracked.1,
                tracked.2,
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
            for row in &sh.commands.rows {
                let (name, cs) = (&row.full_name, &row.stats);
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
