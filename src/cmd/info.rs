//! INFO: the server's state as `name:value` lines, by section.
//!
//! Prints every section and field redis-server 7.0.15 prints, in its order
//! (`INFO everything`; `default` leaves out commandstats and latencystats), with
//! true values where this server has them and a standalone master's values
//! otherwise (no replicas, no fork). Memory figures come from the structures'
//! own byte accounting (see `memory.rs`), the resident set from
//! `/proc/self/statm`; the allocator's own figures are those same numbers.
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
    "latencystats",
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

/// Appends `name:value` lines (Redis's order) to `t`.
fn lines(t: &mut String, fields: &[(&str, String)]) {
    for (k, v) in fields {
        let _ = write!(t, "{k}:{v}\r\n");
    }
}

/// The kernel release (`uname -r`), from /proc.
fn os_release() -> String {
    std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// Total physical memory in bytes, from /proc/meminfo (0 where unavailable).
fn total_system_memory() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

fn section(ctx: &Ctx<'_>, name: &str, t: &mut String) {
    let sh = ctx.shared;
    let st = &sh.stats;
    let get = |c: &std::sync::atomic::AtomicU64| c.load(Ordering::Relaxed);
    let uptime = sh.started.elapsed().as_secs();
    let s = |v: &dyn std::fmt::Display| v.to_string();
    match name {
        "server" => {
            let c = sh.config();
            let now = unix_micros();
            t.push_str("# Server\r\n");
            lines(
                t,
                &[
                    ("redis_version", s(&REDIS_VERSION)),
                    ("redis_git_sha1", s(&"00000000")),
                    ("redis_git_dirty", s(&0)),
                    ("redis_build_id", s(&"0")),
                    ("redis_mode", s(&"standalone")),
                    (
                        "os",
                        format!(
                            "{} {} {}",
                            if std::env::consts::OS == "linux" {
                                "Linux"
                            } else {
                                std::env::consts::OS
                            },
                            os_release(),
                            std::env::consts::ARCH
                        ),
                    ),
                    ("arch_bits", s(&(usize::BITS))),
                    ("monotonic_clock", s(&"POSIX clock_gettime")),
                    ("multiplexing_api", s(&"threads")),
                    ("atomicvar_api", s(&"c11-builtin")),
                    ("gcc_version", s(&"0.0.0")),
                    ("ferrous_version", s(&env!("CARGO_PKG_VERSION"))),
                    ("process_id", s(&std::process::id())),
                    ("process_supervised", s(&"no")),
                    ("run_id", sh.run_id.clone()),
                    ("tcp_port", s(&sh.port.load(Ordering::Relaxed))),
                    ("server_time_usec", s(&now)),
                    ("uptime_in_seconds", s(&uptime)),
                    ("uptime_in_days", s(&(uptime / 86400))),
                    ("hz", s(&c.hz)),
                    ("configured_hz", s(&c.hz)),
                    // Redis's LRU clock: seconds, 24 bits.
                    ("lru_clock", s(&((now / 1_000_000) & ((1 << 24) - 1)))),
                    (
                        "executable",
                        std::env::current_exe()
                            .map(|p| p.display().to_string())
                            .unwrap_or_default(),
                    ),
                    ("config_file", c.config_file.clone()),
                    ("io_threads_active", s(&0)),
                ],
            );
        }
        "clients" => {
            t.push_str("# Clients\r\n");
            lines(
                t,
                &[
                    (
                        "connected_clients",
                        // Killed clients are gone at once, as in Redis.
                        s(&sh.clients().values().filter(|h| !h.is_killed()).count()),
                    ),
                    ("cluster_connections", s(&0)),
                    ("maxclients", s(&sh.config().maxclients)),
                    ("client_recent_max_input_buffer", s(&0)),
                    ("client_recent_max_output_buffer", s(&0)),
                    (
                        "blocked_clients",
                        s(&(ctx.blocked.count() + sh.pause.waiting.load(Ordering::Relaxed))),
                    ),
                    (
                        "tracking_clients",
                        s(&sh.tracking_clients.load(Ordering::Relaxed)),
                    ),
                    ("clients_in_timeout_table", s(&ctx.blocked.count())),
                ],
            );
        }
        "memory" => {
            let (f, _) = super::memory::figures(ctx);
            let sh = ctx.shared;
            let peak = f.peak;
            let lua = sh.scripts_memory.load(Ordering::Relaxed);
            let c = sh.config();
            let sys = total_system_memory();
            let perc = |a: u64, b: u64| format!("{:.2}%", 100.0 * super::memory::ratio(a, b));
            let frag = format!("{:.2}", super::memory::ratio(f.rss, f.used));
            let frag_bytes = f.rss as i64 - f.used as i64;
            t.push_str("# Memory\r\n");
            lines(
                t,
                &[
                    ("used_memory", s(&f.used)),
                    ("used_memory_human", human(f.used)),
                    ("used_memory_rss", s(&f.rss)),
                    ("used_memory_rss_human", human(f.rss)),
                    ("used_memory_peak", s(&peak)),
                    ("used_memory_peak_human", human(peak)),
                    ("used_memory_peak_perc", perc(f.used, peak)),
                    ("used_memory_overhead", s(&f.overhead)),
                    ("used_memory_startup", s(&f.startup)),
                    ("used_memory_dataset", s(&f.dataset)),
                    ("used_memory_dataset_perc", perc(f.dataset, f.used)),
                    ("allocator_allocated", s(&f.used)),
                    ("allocator_active", s(&f.used)),
                    ("allocator_resident", s(&f.rss)),
                    ("total_system_memory", s(&sys)),
                    ("total_system_memory_human", human(sys)),
                    ("used_memory_lua", s(&lua)),
                    ("used_memory_vm_eval", s(&lua)),
                    ("used_memory_lua_human", human(lua)),
                    ("used_memory_scripts_eval", s(&0)),
                    (
                        "number_of_cached_scripts",
                        s(&sh.scripts_cached.load(Ordering::Relaxed)),
                    ),
                    ("number_of_functions", s(&0)),
                    ("number_of_libraries", s(&0)),
                    ("used_memory_vm_functions", s(&0)),
                    ("used_memory_vm_total", s(&lua)),
                    ("used_memory_vm_total_human", human(lua)),
                    ("used_memory_functions", s(&0)),
                    ("used_memory_scripts", s(&0)),
                    ("used_memory_scripts_human", human(0)),
                    ("maxmemory", s(&c.maxmemory)),
                    ("maxmemory_human", human(c.maxmemory)),
                    ("maxmemory_policy", c.maxmemory_policy.clone()),
                    ("allocator_frag_ratio", s(&"1.00")),
                    ("allocator_frag_bytes", s(&0)),
                    ("allocator_rss_ratio", frag.clone()),
                    ("allocator_rss_bytes", s(&frag_bytes)),
                    ("rss_overhead_ratio", s(&"1.00")),
                    ("rss_overhead_bytes", s(&0)),
                    ("mem_fragmentation_ratio", frag),
                    ("mem_fragmentation_bytes", s(&frag_bytes)),
                    ("mem_not_counted_for_evict", s(&0)),
                    ("mem_replication_backlog", s(&0)),
                    ("mem_total_replication_buffers", s(&0)),
                    ("mem_clients_slaves", s(&0)),
                    ("mem_clients_normal", s(&0)),
                    ("mem_cluster_links", s(&0)),
                    ("mem_aof_buffer", s(&0)),
                    ("mem_allocator", s(&"libc")),
                    ("active_defrag_running", s(&0)),
                    (
                        "lazyfree_pending_objects",
                        s(&sh.lazyfree.pending.load(Ordering::Relaxed)),
                    ),
                    (
                        "lazyfreed_objects",
                        s(&sh.lazyfree.freed.load(Ordering::Relaxed)),
                    ),
                ],
            );
        }
        "persistence" => {
            let aof = match sh.persistence.hooks.aof_info.get() {
                Some(f) => f(sh),
                None => super::persistence::AOF_OFF_INFO.to_string(),
            };
            t.push_str(&sh.persistence.info(ctx.store.dirty, &aof))
        }
        "stats" => {
            let tracked = super::tracking::state(sh).totals();
            let (channels, patterns) = sh.pubsub.lock().unwrap_or_else(|e| e.into_inner()).counts();
            let migrate_sockets = sh
                .migrate_sockets
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .len();
            t.push_str("# Stats\r\n");
            lines(
                t,
                &[
                    (
                        "total_connections_received",
                        s(&get(&st.total_connections_received)),
                    ),
                    (
                        "total_commands_processed",
                        s(&get(&st.total_commands_processed)),
                    ),
                    (
                        "instantaneous_ops_per_sec",
                        s(&get(&st.instantaneous_ops_per_sec)),
                    ),
                    ("total_net_input_bytes", s(&get(&st.total_net_input_bytes))),
                    (
                        "total_net_output_bytes",
                        s(&get(&st.total_net_output_bytes)),
                    ),
                    ("total_net_repl_input_bytes", s(&0)),
                    ("total_net_repl_output_bytes", s(&0)),
                    ("instantaneous_input_kbps", s(&"0.00")),
                    ("instantaneous_output_kbps", s(&"0.00")),
                    ("instantaneous_input_repl_kbps", s(&"0.00")),
                    ("instantaneous_output_repl_kbps", s(&"0.00")),
                    ("rejected_connections", s(&get(&st.rejected_connections))),
                    ("sync_full", s(&0)),
                    ("sync_partial_ok", s(&0)),
                    ("sync_partial_err", s(&0)),
                    (
                        "expired_keys",
                        s(&(ctx.store.expired_keys() + get(&st.expired_keys))),
                    ),
                    ("expired_stale_perc", s(&"0.00")),
                    ("expired_time_cap_reached_count", s(&0)),
                    ("expire_cycle_cpu_milliseconds", s(&0)),
                    ("evicted_keys", s(&get(&st.evicted_keys))),
                    ("evicted_clients", s(&0)),
                    ("total_eviction_exceeded_time", s(&0)),
                    ("current_eviction_exceeded_time", s(&0)),
                    ("keyspace_hits", s(&get(&st.keyspace_hits))),
                    ("keyspace_misses", s(&get(&st.keyspace_misses))),
                    ("pubsub_channels", s(&channels)),
                    ("pubsub_patterns", s(&patterns)),
                    ("pubsubshard_channels", s(&0)),
                    // The background snapshots, Ferrous's forks (see
                    // `Persistence::forks`).
                    ("latest_fork_usec", s(&get(&sh.persistence.latest_fork_us))),
                    ("total_forks", s(&get(&sh.persistence.forks))),
                    ("migrate_cached_sockets", s(&migrate_sockets)),
                    ("slave_expires_tracked_keys", s(&0)),
                    ("active_defrag_hits", s(&0)),
                    ("active_defrag_misses", s(&0)),
                    ("active_defrag_key_hits", s(&0)),
                    ("active_defrag_key_misses", s(&0)),
                    ("total_active_defrag_time", s(&0)),
                    ("current_active_defrag_time", s(&0)),
                    ("tracking_total_keys", s(&tracked.0)),
                    ("tracking_total_items", s(&tracked.1)),
                    ("tracking_total_prefixes", s(&tracked.2)),
                    ("unexpected_error_replies", s(&0)),
                    ("total_error_replies", s(&get(&st.total_error_replies))),
                    ("dump_payload_sanitizations", s(&0)),
                    ("total_reads_processed", s(&get(&st.total_reads_processed))),
                    (
                        "total_writes_processed",
                        s(&get(&st.total_writes_processed)),
                    ),
                    ("io_threaded_reads_processed", s(&0)),
                    ("io_threaded_writes_processed", s(&0)),
                    ("reply_buffer_shrinks", s(&0)),
                    ("reply_buffer_expands", s(&0)),
                ],
            );
        }
        "replication" => {
            t.push_str("# Replication\r\n");
            lines(
                t,
                &[
                    ("role", s(&"master")),
                    ("connected_slaves", s(&0)),
                    ("master_failover_state", s(&"no-failover")),
                    (
                        "master_replid",
                        sh.replid.lock().unwrap_or_else(|e| e.into_inner()).clone(),
                    ),
                    ("master_replid2", "0".repeat(40)),
                    ("master_repl_offset", s(&0)),
                    ("second_repl_offset", s(&-1)),
                    ("repl_backlog_active", s(&0)),
                    ("repl_backlog_size", s(&sh.config().repl_backlog_size)),
                    ("repl_backlog_first_byte_offset", s(&0)),
                    ("repl_backlog_histlen", s(&0)),
                ],
            );
        }
        "cpu" => {
            let (user, sys) = cpu_seconds();
            let f = |v: f64| format!("{v:.6}");
            t.push_str("# CPU\r\n");
            lines(
                t,
                &[
                    ("used_cpu_sys", f(sys)),
                    ("used_cpu_user", f(user)),
                    ("used_cpu_sys_children", f(0.0)),
                    ("used_cpu_user_children", f(0.0)),
                    ("used_cpu_sys_main_thread", f(sys)),
                    ("used_cpu_user_main_thread", f(user)),
                ],
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
        "latencystats" => {
            t.push_str("# Latencystats\r\n");
            let percentiles = sh.config().latency_tracking_info_percentiles.clone();
            for row in &sh.commands.rows {
                let h = &row.stats.latency;
                if h.total() == 0 {
                    continue;
                }
                let values: Vec<String> = percentiles
                    .iter()
                    .map(|&p| {
                        format!(
                            "p{}={:.3}",
                            super::config::value::render_percentile(p),
                            h.value_at(p) as f64 / 1000.0
                        )
                    })
                    .collect();
                let _ = write!(
                    t,
                    "latency_percentiles_usec_{}:{}\r\n",
                    row.full_name,
                    values.join(",")
                );
            }
        }
        _ => {}
    }
}
