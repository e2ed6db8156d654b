//! DEBUG's subcommands that look inside the keyspace or steer the server for
//! tests (the rest — SLEEP, RELOAD, PROTOCOL, DIGEST, ... — are in
//! `server.rs`), as redis-server 7.0 answers them where Ferrous has the
//! same thing to show:
//!
//! - OBJECT key: the value's address, reference count, encoding, RDB size,
//!   access clock and idle time (plus the quicklist's node figures for lists);
//! - LISTPACK / QUICKLIST key: the encoding's layout, printed on the server's
//!   standard output as Redis prints it (the reply only says so);
//! - HTSTATS dbid / HTSTATS-KEY key: the size, fill and chain lengths of a
//!   hash table (the keyspace's, both arrays while it resizes, or a big set's
//!   or hash's), in 7.0's text (see `store/htstats.rs`); a big sorted set's
//!   member index is open addressing and the keyspace's expiries a list, so
//!   those two show their size and elements only;
//! - SDSLEN key: a string key's and value's lengths, unused room and
//!   allocations (7.0's line, with Ferrous's figures);
//! - STRUCTSIZE: the pointer width and the sizes of a value and of a keyspace
//!   entry (7.0's `robj` and `dictentry`; its `sdshdr` sizes have no
//!   counterpart here, strings having no header);
//! - POPULATE count [prefix] [size]: `count` string keys `prefix:N` holding
//!   `value:N` (or exactly `size` bytes of it, zero-padded), skipping keys that
//!   exist;
//! - QUICKLIST-PACKED-THRESHOLD bytes: the size from which a list element
//!   gets a plain node of its own;
//! - PAUSE-CRON 0|1: stops and restarts the server's periodic work;
//! - SET-SKIP-CHECKSUM-VALIDATION 0|1: RESTORE payloads and RDB files load
//!   without their CRC-64 being checked;
//! - CHANGE-REPL-ID: a new replication ID (INFO `master_replid`);
//! - SEGFAULT, PANIC, OOM, ASSERT, CRASH-AND-RECOVER, RESTART: refused with a
//!   reason (Redis crashes or restarts the process; this server never does).
//!
//! Invariant: nothing here allocates by a client's number beyond what the
//! request itself asks to store (POPULATE creates what it is told to, one key
//! at a time, as Redis does).
use super::Ctx;
use crate::store::expire::idle_seconds;
use crate::store::htstats::TableStats;
use crate::store::Value;
use std::sync::atomic::Ordering;

/// Runs DEBUG `args[1]` if it is one of this file's; false if it is not.
pub fn run(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) -> bool {
    let sub = args[1].to_ascii_lowercase();
    match (sub.as_slice(), args.len()) {
        (b"object", 3) => object(ctx, &args[2]),
        (b"listpack", 3) => layout(ctx, &args[2], "listpack"),
        (b"quicklist", 3 | 4) => layout(ctx, &args[2], "quicklist"),
        (b"htstats", 3) => htstats(ctx, &args[2]),
        (b"htstats-key", 3) => htstats_key(ctx, &args[2]),
        (b"sdslen", 3) => sdslen(ctx, &args[2]),
        (b"structsize", 2) => {
            // Redis's robj and dictEntry are, here, a value and a keyspace
            // entry; strings have no header in front of their bytes (a
            // string's length and capacity live in the value), so 7.0's
            // sdshdr fields have no counterpart and are left out.
            let sizes = format!(
                "bits:{} robj:{} dictentry:{} ",
                usize::BITS,
                std::mem::size_of::<Value>(),
                std::mem::size_of::<crate::store::table::Entry>(),
            );
            ctx.out.bulk(sizes.as_bytes());
        }
        (b"populate", 3..=5) => populate(ctx, &args[2..]),
        (b"quicklist-packed-threshold", 3) => packed_threshold(ctx, &args[2]),
        (b"pause-cron", 3) => {
            let on = super::server::atoi_nonzero(&args[2]);
            ctx.shared.cron_paused.store(on, Ordering::Relaxed);
            ctx.out.ok();
        }
        (b"change-repl-id", 2) => {
            let id = super::shared::make_run_id();
            *ctx.shared.replid.lock().unwrap_or_else(|e| e.into_inner()) = id;
            ctx.out.ok();
        }
        (b"segfault" | b"panic" | b"oom" | b"assert" | b"crash-and-recover" | b"restart", _) => {
            let mut msg = b"ERR DEBUG ".to_vec();
            msg.extend_from_slice(&args[1].to_ascii_uppercase());
            msg.extend_from_slice(
                b" is not supported: this server does not crash or restart on request",
            );
            super::error_bytes(ctx.out, &msg);
        }
        (b"set-skip-checksum-validation", 3) => {
            let on = super::server::atoi_nonzero(&args[2]);
            ctx.shared.skip_checksum.store(on, Ordering::Relaxed);
            ctx.out.ok();
        }
        _ => return false,
    }
    true
}

/// DEBUG OBJECT key
fn object(ctx: &mut Ctx<'_>, key: &[u8]) {
    let len = ctx.shared.persistence.hooks.serialized_len.get().copied();
    let config = ctx.shared.config().clone();
    let fill = config.list_max_listpack_size;
    let compress = config.list_compress_depth;
    let lfu = ctx.store.lfu().is_some();
    let db = ctx.store.db(ctx.client.db);
    // The table as it is: a key past its expiry is still shown (7.0 looks in
    // the dictionary directly, without expiring).
    let Some(i) = db.table.find(key) else {
        return ctx.out.error("ERR no such key");
    };
    let clock = db.lru_clock;
    let e = db.entry(i);
    let refcount = super::keys::refcount(&e.value, &config);
    let serialized = len.map_or(0, |f| f(&e.value, &config));
    let idle = if lfu { 0 } else { idle_seconds(e.lru(), clock) };
    let mut text = format!(
        "Value at:{:p} refcount:{refcount} encoding:{} serializedlength:{serialized} lru:{} \
         lru_seconds_idle:{idle}",
        &e.value,
        e.value.encoding(),
        e.lru(),
    );
    if let Value::List(l) = &e.value {
        if l.encoding() == "quicklist" {
            let nodes = l.nodes();
            let bytes: usize = nodes.iter().map(|n| n.len()).sum();
            let avg = l.len() as f64 / nodes.len().max(1) as f64;
            text.push_str(&format!(
                " ql_nodes:{} ql_avg_node:{avg:.2} ql_listpack_max:{fill} ql_compressed:{} \
                 ql_uncompressed_size:{bytes}",
                nodes.len(),
                i32::from(compress != 0),
            ));
        }
    }
    ctx.out.simple(&text);
}

/// DEBUG LISTPACK key / DEBUG QUICKLIST key [verbose]: the layout goes to
/// standard output; `want` is the encoding the subcommand is about.
fn layout(ctx: &mut Ctx<'_>, key: &[u8], want: &str) {
    let db = ctx.store.db(ctx.client.db);
    let Some(i) = db.lookup_no_touch(key) else {
        return ctx.out.error("ERR no such key");
    };
    let value = &db.entry(i).value;
    if value.encoding() != want {
        let article = if want == "listpack" {
            "a listpack"
        } else {
            "a quicklist"
        };
        return ctx.out.error(&format!("ERR Not {article} encoded object."));
    }
    let mut report = format!("{{{want}}} {{key}} {}\n", String::from_utf8_lossy(key));
    if let Value::List(l) = value {
        for (n, node) in l.nodes().iter().enumerate() {
            report.push_str(&format!("{{node {n}}} {{bytes {}}}\n", node.len()));
        }
    }
    report.push_str(&format!("{{entries}} {}\n", value_len(value)));
    print!("{report}");
    let what = if want == "listpack" {
        "Listpack"
    } else {
        "Quicklist"
    };
    ctx.out
        .simple(&format!("{what} structure printed on stdout"));
}

/// The number of elements of a collection (1 for a string).
fn value_len(v: &Value) -> usize {
    match v {
        Value::List(l) => l.len(),
        Value::Hash(h) => h.len(),
        Value::Set(s) => s.len(),
        Value::ZSet(z) => z.len(),
        _ => 1,
    }
}

/// DEBUG HTSTATS dbid
fn htstats(ctx: &mut Ctx<'_>, db: &[u8]) {
    let Some(n) = crate::num::string2ll(db) else {
        return ctx.out.error(super::errors::NOT_INTEGER);
    };
    if n < 0 || n as usize >= ctx.store.dbs().len() {
        return ctx.out.error("ERR Out of range database");
    }
    let table = &ctx.store.db(n as usize).table;
    let mut text = String::from("[Dictionary HT]\n");
    for (i, t) in table.stats().iter().enumerate() {
        text.push_str(&t.describe(i));
    }
    // Expiries live in the same table (a list of the entries with a TTL), so
    // the expires "table" has no chains of its own: its size and elements only.
    let volatile = table.volatile_len();
    text.push_str("[Expires HT]\n");
    text.push_str(&TableStats::open(volatile.next_power_of_two(), volatile).describe(0));
    ctx.out.verbatim("txt", text.as_bytes());
}

/// DEBUG HTSTATS-KEY key
fn htstats_key(ctx: &mut Ctx<'_>, key: &[u8]) {
    let db = ctx.store.db(ctx.client.db);
    let Some(i) = db.lookup_no_touch(key) else {
        return ctx.out.error("ERR no such key");
    };
    let value = &db.entry(i).value;
    let Some(stats) = value.table_stats() else {
        return ctx.out.error(
            "ERR The value stored at the specified key is not represented using an hash table",
        );
    };
    ctx.out.verbatim("txt", stats.describe(0).as_bytes());
}

/// DEBUG SDSLEN key: a string's length, its unused room and its allocation,
/// for the key and the value, in 7.0's line. A key of up to 22 bytes, and a
/// short embstr value, live inside the keyspace entry: no allocation (0).
fn sdslen(ctx: &mut Ctx<'_>, key: &[u8]) {
    let db = ctx.store.db(ctx.client.db);
    let Some(i) = db.lookup_no_touch(key) else {
        return ctx.out.error("ERR no such key");
    };
    let entry = db.entry(i);
    let (len, avail) = match &entry.value {
        Value::Emb(e) => (e.len(), 0),
        Value::Raw(v) => (v.len(), v.capacity() - v.len()),
        _ => return ctx.out.error("ERR Not an sds encoded string."),
    };
    let line = format!(
        "key_sds_len:{}, key_sds_avail:0, key_zmalloc: {}, val_sds_len:{len}, \
         val_sds_avail:{avail}, val_zmalloc: {}",
        entry.key.len(),
        entry.key.heap_bytes(),
        entry.value.heap_bytes(),
    );
    ctx.out.simple(&line);
}

/// DEBUG POPULATE count [prefix] [size]
fn populate(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    const NOT_POSITIVE: &str = "ERR value is out of range, must be positive";
    let Some(count) = crate::num::string2ll(&args[0]).filter(|n| *n >= 0) else {
        return ctx.out.error(NOT_POSITIVE);
    };
    let prefix = args.get(1).map_or(&b"key"[..], |p| p.as_slice());
    let size = match args.get(2) {
        None => None,
        Some(s) => match crate::num::string2ll(s) {
            Some(n) if n >= 0 => Some(n as usize),
            _ => return ctx.out.error(NOT_POSITIVE),
        },
    };
    let db = ctx.client.db;
    for j in 0..count {
        let mut key = prefix.to_vec();
        key.push(b':');
        key.extend_from_slice(j.to_string().as_bytes());
        if ctx.store.db(db).lookup_no_touch(&key).is_some() {
            continue;
        }
        let mut val = format!("value:{j}").into_bytes();
        if let Some(size) = size {
            val.resize(size, 0);
        }
        ctx.store.db(db).set(&key, Value::from_bytes(&val), false);
    }
    ctx.out.ok();
}

/// DEBUG QUICKLIST-PACKED-THRESHOLD bytes (with a unit: `1kb`, `1gb`, ...)
fn packed_threshold(ctx: &mut Ctx<'_>, arg: &[u8]) {
    let bytes = std::str::from_utf8(arg)
        .ok()
        .and_then(super::config::parse_memory);
    // 0 restores the default, 1 GB.
    let bytes = bytes.map(|b| if b == 0 { 1 << 30 } else { b });
    match bytes {
        Some(b) if crate::store::list::set_packed_threshold(b) => ctx.out.ok(),
        _ => ctx
            .out
            .error("ERR argument must be a memory value bigger than 1 and smaller than 4gb"),
    }
}
