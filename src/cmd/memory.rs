//! MEMORY (USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE, HELP) and the figures
//! INFO's memory section prints.
//!
//! Where the numbers come from: Redis asks its allocator (`zmalloc` counts
//! every block). Safe Rust cannot hook the allocator, so here every structure
//! answers for its own blocks (`store::mem`): a key's entry in the table, the
//! key's bytes when they do not fit inline, and the value's blocks (listpack
//! or intset block, dict arrays and pairs, quicklist nodes, skiplist), each
//! rounded as glibc's malloc rounds a request. `used_memory` is the sum over
//! the databases (`dataset`, the keys and values; `overhead`, the tables'
//! bucket arrays and TTL lists) plus the Lua heap and what exists before any
//! data (`startup`: the command table, the databases' structs). Each table keeps
//! the sum of its keys' and values' bytes as they change (`store/table.rs`), so
//! the figure costs O(databases), and maxmemory reads it before every command.
//!
//! What it cannot see: memory malloc holds without handing it out, the
//! program's own code and stacks, connection buffers. The resident size
//! (`used_memory_rss`, from `/proc/self/statm`) includes all of that, and
//! `mem_fragmentation_ratio` is that over `used_memory`, as in Redis.
//!
//! MEMORY USAGE's SAMPLES is validated as Redis validates it but changes
//! nothing: every value here keeps its byte count up to date, so the answer
//! is exact without sampling.
use super::lookup::count_read;
use super::{errors, flags, CommandSpec, Ctx, Keys};
use std::sync::atomic::Ordering;

pub static COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "memory",
    arity: -2,
    subcommands: SUBCOMMANDS,
    ..CommandSpec::DEFAULT
}];

static SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "usage",
        arity: -3,
        flags: flags::READONLY,
        keys: Keys::range(2, 2, 1),
        handler: usage,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "stats",
        arity: 2,
        handler: stats,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "doctor",
        arity: 2,
        handler: doctor,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "malloc-stats",
        arity: 2,
        handler: malloc_stats,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "purge",
        arity: 2,
        handler: purge,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: flags::LOADING | flags::STALE,
        handler: help,
        ..CommandSpec::DEFAULT
    },
];

const HELP: &[&str] = &[
    "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DOCTOR",
    "    Return memory problems reports.",
    "MALLOC-STATS",
    "    Return internal statistics report from the memory allocator.",
    "PURGE",
    "    Attempt to purge dirty pages for reclamation by the allocator.",
    "STATS",
    "    Return information about the memory usage of the server.",
    "USAGE <key> [SAMPLES <count>]",
    "    Return memory in bytes used by <key> and its value. Nested values are",
    "    sampled up to <count> times (default: 5, 0 means sample all).",
    "HELP",
    "    Prints this help.",
];

/// The server's memory figures, in bytes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Figures {
    /// Keys and values.
    pub dataset: u64,
    /// What the server holds with no data: the command table, the
    /// databases' own structs (INFO's `used_memory_startup`).
    pub startup: u64,
    /// `startup`, the tables' arrays beyond the entries in use, the TTL
    /// lists, the Lua heap.
    pub overhead: u64,
    /// `dataset + overhead`: INFO's `used_memory`.
    pub used: u64,
    /// The largest `used` seen so far.
    pub peak: u64,
    /// The process's resident set.
    pub rss: u64,
    /// Keys in all databases.
    pub keys: u64,
}

/// Computes the figures now (O(databases)) and raises the recorded peak; also
/// answers, per database with keys, (index, main table overhead, expires
/// overhead).
pub fn figures(ctx: &Ctx<'_>) -> (Figures, Vec<(usize, u64, u64)>) {
    let mut f = Figures::default();
    let mut dbs = Vec::new();
    for (n, db) in ctx.store.dbs().iter().enumerate() {
        let b = db.bytes();
        f.dataset += b.dataset as u64;
        f.overhead += (b.main + b.expires) as u64;
        f.keys += db.table.len() as u64;
        if !db.table.is_empty() {
            dbs.push((n, b.main as u64, b.expires as u64));
        }
    }
    f.startup = (ctx.shared.commands.heap_bytes() + std::mem::size_of_val(ctx.store.dbs())) as u64;
    f.overhead += f.startup + ctx.shared.scripts_memory.load(Ordering::Relaxed);
    f.used = f.dataset + f.overhead;
    f.peak = ctx
        .shared
        .memory_peak
        .fetch_max(f.used, Ordering::Relaxed)
        .max(f.used);
    f.rss = resident_bytes();
    (f, dbs)
}

/// INFO's `used_memory` alone, as [`figures`] computes it but cheaper (no
/// resident-set read, no per-database list): what maxmemory checks before
/// every command. O(databases).
pub fn used_memory(ctx: &Ctx<'_>) -> u64 {
    let mut used = (ctx.shared.commands.heap_bytes() + std::mem::size_of_val(ctx.store.dbs()))
        as u64
        + ctx.shared.scripts_memory.load(Ordering::Relaxed);
    for db in ctx.store.dbs() {
        let b = db.bytes();
        used += (b.dataset + b.main + b.expires) as u64;
    }
    ctx.shared.memory_peak.fetch_max(used, Ordering::Relaxed);
    used
}

/// The process's resident set in bytes, from `/proc/self/statm` (0 elsewhere).
pub fn resident_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|p| p.parse::<u64>().ok())
        })
        .map_or(0, |pages| pages * 4096)
}

/// `a / b`, 0 when `b` is.
pub fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// MEMORY USAGE key [SAMPLES count]
fn usage(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let mut i = 3;
    while i < args.len() {
        if args[i].eq_ignore_ascii_case(b"samples") && i + 1 < args.len() {
            match crate::num::string2ll(&args[i + 1]) {
                None => return ctx.out.error(errors::NOT_INTEGER),
                Some(n) if n < 0 => return ctx.out.error(errors::SYNTAX),
                Some(_) => {}
            }
            i += 2;
        } else {
            return ctx.out.error(errors::SYNTAX);
        }
    }
    let db = ctx.store.db(ctx.client.db);
    let found = db.lookup_no_touch(&args[2]);
    count_read(ctx.shared, found.is_some());
    match found {
        None => ctx.out.null(),
        Some(i) => {
            let n = db.entry(i).usage_bytes();
            ctx.out.integer(n as i64);
        }
    }
}

/// MEMORY STATS: Redis's fields; the allocator's own figures are the
/// resident set (there is no allocator to ask), so its ratios are 1.
fn stats(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    let (f, dbs) = figures(ctx);
    let lua = ctx.shared.scripts_memory.load(Ordering::Relaxed);
    let out = &mut *ctx.out;
    out.map(27 + dbs.len());
    let int = |out: &mut crate::resp::Reply, name: &str, v: u64| {
        out.bulk(name.as_bytes());
        out.integer(v as i64);
    };
    let dbl = |out: &mut crate::resp::Reply, name: &str, v: f64| {
        out.bulk(name.as_bytes());
        out.double(v);
    };
    int(out, "peak.allocated", f.peak);
    int(out, "total.allocated", f.used);
    int(out, "startup.allocated", f.startup);
    int(out, "replication.backlog", 0);
    int(out, "clients.slaves", 0);
    int(out, "clients.normal", 0);
    int(out, "cluster.links", 0);
    int(out, "aof.buffer", 0);
    int(out, "lua.caches", lua);
    int(out, "functions.caches", 0);
    for (n, main, expires) in &dbs {
        out.bulk(format!("db.{n}").as_bytes());
        out.map(3);
        int(out, "overhead.hashtable.main", *main);
        int(out, "overhead.hashtable.expires", *expires);
        int(out, "overhead.hashtable.slot-to-keys", 0);
    }
    int(out, "overhead.total", f.overhead);
    int(out, "keys.count", f.keys);
    int(
        out,
        "keys.bytes-per-key",
        f.used.checked_div(f.keys).unwrap_or(0),
    );
    int(out, "dataset.bytes", f.dataset);
    dbl(out, "dataset.percentage", 100.0 * ratio(f.dataset, f.used));
    dbl(out, "peak.percentage", 100.0 * ratio(f.used, f.peak));
    int(out, "allocator.allocated", f.used);
    int(out, "allocator.active", f.used);
    int(out, "allocator.resident", f.rss);
    dbl(out, "allocator-fragmentation.ratio", 1.0);
    int(out, "allocator-fragmentation.bytes", 0);
    dbl(out, "allocator-rss.ratio", ratio(f.rss, f.used));
    int(out, "allocator-rss.bytes", f.rss.saturating_sub(f.used));
    dbl(out, "rss-overhead.ratio", 1.0);
    int(out, "rss-overhead.bytes", 0);
    dbl(out, "fragmentation", ratio(f.rss, f.used));
    int(out, "fragmentation.bytes", f.rss.saturating_sub(f.used));
}

/// MEMORY DOCTOR: a short report on what the figures show.
fn doctor(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    let (f, _) = figures(ctx);
    let mut report = String::new();
    if f.used < 5 << 20 {
        report.push_str(
            "This server holds less than 5 MB of data: too little for the figures to \
             say anything useful. Load some data and ask again.\n",
        );
    } else {
        let frag = ratio(f.rss, f.used);
        if f.peak > f.used.saturating_mul(3) / 2 {
            report.push_str(&format!(
                "* Peak usage ({} bytes) is well above current usage ({} bytes): memory \
                 freed since may still be held by the allocator and counted in the \
                 resident size.\n",
                f.peak, f.used
            ));
        }
        if frag > 1.4 {
            report.push_str(&format!(
                "* The resident size is {frag:.2} times the data's bytes: free blocks the \
                 allocator keeps, or many small allocations. MEMORY PURGE cannot return \
                 them here (no allocator control without unsafe code).\n"
            ));
        }
        if report.is_empty() {
            report.push_str("No memory problems found.\n");
        }
    }
    ctx.out.verbatim("txt", report.as_bytes());
}

/// MEMORY MALLOC-STATS: what Redis answers for an allocator it cannot query.
fn malloc_stats(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    ctx.out
        .verbatim("txt", b"Stats not supported for the current allocator");
}

/// MEMORY PURGE: nothing to ask the system allocator to do (as with Redis on
/// libc malloc).
fn purge(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    ctx.out.ok();
}

/// MEMORY HELP
fn help(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    ctx.out.array(HELP.len());
    for line in HELP {
        ctx.out.simple(line);
    }
}
