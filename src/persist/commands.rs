//! DUMP and RESTORE, as redis-server 7.0 answers them.
//!
//! - `DUMP key`: the key's DUMP payload (see `dump.rs`), or nil. Strings in it
//!   are LZF-compressed under `rdbcompression yes`, as Redis does.
//! - `RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f]`: checks
//!   in Redis's order: the options (IDLETIME and FREQ exclude each other: the
//!   second is a syntax error), the key (BUSYKEY unless REPLACE), the TTL, the
//!   payload's footer, then its value. A TTL of 0 means none; a relative TTL is
//!   added to the current time, and a time already past answers OK without
//!   creating the key (deleting the old one under REPLACE). IDLETIME sets the
//!   access time under an LRU policy, FREQ the access counter under an LFU
//!   one (the other is ignored, as in 7.0).
//!
//! `sanitize-dump-payload`: `yes` and `clients` check a payload deeply (an
//! intset must be sorted without repeats; see `rdb/value_load.rs` for what is
//! checked always). Ferrous has no replication link and no ACL flag to skip
//! it, so `clients` means every RESTORE.
use super::dump;
use super::rdb::value_load::LoadOptions;
use super::rdb::Encodings;
use crate::cmd::errors;
use crate::cmd::notify::{notify, GENERIC};
use crate::cmd::{flags, CommandSpec, Ctx, Keys};
use crate::num::string2ll;
use crate::store::now_ms;
use std::sync::atomic::Ordering;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "dump",
        arity: 2,
        flags: flags::READONLY,
        keys: Keys::ONE,
        handler: dump_cmd,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "restore",
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM,
        keys: Keys::ONE,
        handler: restore,
        ..CommandSpec::DEFAULT
    },
    // What a cluster node's MIGRATE sends to a slot being imported; on a
    // standalone server, RESTORE.
    CommandSpec {
        name: "restore-asking",
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM | flags::ASKING,
        keys: Keys::ONE,
        handler: restore,
        ..CommandSpec::DEFAULT
    },
];

/// The encoding thresholds in the configuration.
fn encodings(ctx: &Ctx<'_>) -> Encodings {
    super::rdbfile::encodings(&ctx.shared.config())
}

fn dump_cmd(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let enc = encodings(ctx);
    let compress = ctx.shared.config().rdbcompression;
    let db = ctx.store.db(ctx.client.db);
    let found = db.lookup(&args[1]);
    crate::cmd::lookup::count_read(ctx.shared, found.is_some());
    let Some(i) = found else {
        return ctx.out.null();
    };
    let payload = dump::dump(&db.entry(i).value, compress, enc);
    ctx.out.bulk(&payload);
}

fn restore(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let (mut replace, mut absttl) = (false, false);
    let (mut idle, mut freq): (Option<i64>, Option<i64>) = (None, None);
    let mut j = 4;
    while j < args.len() {
        let more = args.len() - j - 1;
        let opt = args[j].to_ascii_lowercase();
        match opt.as_slice() {
            b"replace" => replace = true,
            b"absttl" => absttl = true,
            b"idletime" if more >= 1 && freq.is_none() => {
                let Some(v) = string2ll(&args[j + 1]) else {
                    return ctx.out.error(errors::NOT_INTEGER);
                };
                if v < 0 {
                    return ctx.out.error("ERR Invalid IDLETIME value, must be >= 0");
                }
                idle = Some(v);
                j += 1;
            }
            b"freq" if more >= 1 && idle.is_none() => {
                let Some(v) = string2ll(&args[j + 1]) else {
                    return ctx.out.error(errors::NOT_INTEGER);
                };
                if !(0..=255).contains(&v) {
                    return ctx
                        .out
                        .error("ERR Invalid FREQ value, must be >= 0 and <= 255");
                }
                freq = Some(v);
                j += 1;
            }
            _ => return ctx.out.error(errors::SYNTAX),
        }
        j += 1;
    }
    let key = &args[1];
    let dbi = ctx.client.db;
    if !replace && ctx.store.db(dbi).lookup(key).is_some() {
        return ctx.out.error("BUSYKEY Target key name already exists.");
    }
    let Some(ttl) = string2ll(&args[2]) else {
        return ctx.out.error(errors::NOT_INTEGER);
    };
    if ttl < 0 {
        return ctx.out.error("ERR Invalid TTL value, must be >= 0");
    }
    let opts = LoadOptions {
        encodings: encodings(ctx),
        deep: ctx.shared.config().sanitize_dump_payload != "no",
    };
    let check_crc = !ctx.shared.skip_checksum.load(Ordering::Relaxed);
    let value = match dump::parse_checked(&args[3], &opts, check_crc) {
        Ok(v) => v,
        Err(e) => return ctx.out.error(&e.reply_text()),
    };
    let now = now_ms();
    let lfu = ctx.store.lfu().is_some();
    let db = ctx.store.db(dbi);
    let deleted = replace && db.remove(key).is_some();
    // A relative TTL overflowing i64 wraps into the past, as in Redis.
    let at = if ttl != 0 && !absttl {
        ttl.wrapping_add(now as i64)
    } else {
        ttl
    };
    if ttl != 0 && at <= now as i64 {
        if deleted {
            ctx.store.dirty += 1;
            notify(ctx, GENERIC, "del", key);
        }
        return ctx.out.ok();
    }
    let i = db.insert_new(key, value);
    if ttl != 0 {
        db.set_expire(i, at as u64);
    }
    // Under an LFU policy FREQ sets the counter, otherwise IDLETIME the
    // access time (7.0's `objectSetLRUOrLFU`): the other is ignored.
    if lfu {
        if let Some(f) = freq {
            db.table
                .set_lru(i, (crate::store::lfu::minutes(now) << 8) | f as u32);
        }
    } else if let Some(idle) = idle {
        let clock = db.lru_clock;
        db.table
            .set_lru(i, clock.wrapping_sub(idle.min(clock as i64) as u32));
    }
    ctx.blocked.signal(dbi, key);
    notify(ctx, GENERIC, "restore", key);
    ctx.store.dirty += 1;
    ctx.out.ok();
}
