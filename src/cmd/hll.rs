//! HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST.
//!
//! A HyperLogLog is an ordinary string value in Redis's byte format (see
//! `store::hll`): GET, SET, DUMP and friends see its bytes, and every PF
//! command first checks that the string is a sketch (`WRONGTYPE Key is not a
//! valid HyperLogLog string value.`), then reads its opcodes carefully
//! (`INVALIDOBJ Corrupted HLL object detected` for a broken sparse form).
//!
//! Invariants, as in Redis: PFADD creates the key (sparse) and fires `pfadd`
//! when a register rose or the key was created; PFMERGE always fires `pfadd`;
//! a changed sketch's cached cardinality is marked stale; PFCOUNT of one key
//! answers the cache when valid and otherwise stores the fresh count in it
//! (a write, so it counts as a change of the key for WATCH, but is no event);
//! PFCOUNT of several keys merges them in a scratch array and stores nothing.
use super::lookup::count_read;
use super::notify::{notify, STRING};
use super::{errors, flags, CommandSpec, Ctx, Keys};
use crate::store::hll;
use crate::store::{Db, Value};

pub static COMMANDS: &[CommandSpec] = &[
    // PFADD key [element ...]
    CommandSpec {
        name: "pfadd",
        arity: -2,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        keys: Keys::ONE,
        handler: pfadd,
        ..CommandSpec::DEFAULT
    },
    // PFCOUNT key [key ...]
    CommandSpec {
        name: "pfcount",
        arity: -2,
        // May write back the cached cardinality: paused by CLIENT PAUSE WRITE,
        // refused to read-only scripts, as in 7.0.
        flags: flags::READONLY | flags::MAY_REPLICATE,
        keys: Keys::ALL,
        handler: pfcount,
        ..CommandSpec::DEFAULT
    },
    // PFMERGE destkey [sourcekey ...]
    CommandSpec {
        name: "pfmerge",
        arity: -2,
        flags: flags::WRITE | flags::DENYOOM,
        keys: Keys::ALL,
        handler: pfmerge,
        ..CommandSpec::DEFAULT
    },
    // PFDEBUG subcommand key
    CommandSpec {
        name: "pfdebug",
        arity: 3,
        flags: flags::WRITE | flags::DENYOOM | flags::ADMIN,
        keys: Keys::range(2, 2, 1),
        handler: pfdebug,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "pfselftest",
        arity: 1,
        flags: flags::ADMIN,
        keys: Keys::NONE,
        handler: pfselftest,
        ..CommandSpec::DEFAULT
    },
];

const NOT_HLL: &str = "WRONGTYPE Key is not a valid HyperLogLog string value.";
const CORRUPT: &str = "INVALIDOBJ Corrupted HLL object detected";

/// The sketch's bytes, or the error text for a value that is not one.
fn sketch_of(v: &Value) -> Result<&[u8], &'static str> {
    match v {
        Value::Emb(b) if hll::looks_valid(b) => Ok(b),
        Value::Raw(b) if hll::looks_valid(b) => Ok(b),
        Value::Emb(_) | Value::Raw(_) | Value::Int(_) => Err(NOT_HLL),
        _ => Err(errors::WRONGTYPE),
    }
}

/// Entry `i`'s sketch for modification ("raw", unshared from any snapshot),
/// without counting as a change of the key: the caller decides that.
fn sketch_mut(db: &mut Db, i: usize) -> &mut Vec<u8> {
    let v = &mut db.table.entry_mut(i).value;
    if !matches!(v, Value::Raw(_)) {
        let bytes = sketch_of(v).map(<[u8]>::to_vec).unwrap_or_default();
        *v = Value::raw(bytes);
    }
    match v {
        Value::Raw(b) => std::sync::Arc::make_mut(b),
        _ => unreachable!("just made raw"),
    }
}

/// Looks up `key` as a sketch for writing: `Ok(Some(i))`, `Ok(None)` when
/// missing, or the error text.
fn lookup_sketch(db: &mut Db, key: &[u8]) -> Result<Option<usize>, &'static str> {
    match db.lookup(key) {
        None => Ok(None),
        Some(i) => sketch_of(&db.entry(i).value).map(|_| Some(i)),
    }
}

fn sparse_max(ctx: &Ctx<'_>) -> usize {
    ctx.shared.config().hll_sparse_max_bytes
}

fn pfadd(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let sparse_max = sparse_max(ctx);
    let db = ctx.store.db(ctx.client.db);
    let key = &args[1];
    let mut updated = 0u64;
    let i = match lookup_sketch(db, key) {
        Err(e) => return ctx.out.error(e),
        Ok(Some(i)) => i,
        Ok(None) => {
            updated += 1;
            db.insert_new(key, Value::raw(hll::new_sparse()))
        }
    };
    let v = sketch_mut(db, i);
    for e in &args[2..] {
        let (index, count) = hll::pattern(e);
        match hll::set_register(v, index, count, sparse_max) {
            Ok(true) => updated += 1,
            Ok(false) => {}
            Err(hll::Corrupt) => return ctx.out.error(CORRUPT),
        }
    }
    if updated > 0 {
        hll::invalidate_cache(v);
        db.touch_at(i);
        ctx.store.dirty += updated;
        notify(ctx, STRING, "pfadd", key);
    }
    ctx.out.integer(i64::from(updated > 0));
}

/// Merges the sketches under `keys` into `max` (missing keys are empty);
/// returns whether any was dense, or the error text.
fn merge_keys(
    ctx: &mut Ctx<'_>,
    keys: &[Vec<u8>],
    max: &mut [u8; hll::REGISTERS],
) -> Result<bool, &'static str> {
    let db = ctx.store.db(ctx.client.db);
    let mut any_dense = false;
    for k in keys {
        let found = db.lookup(k);
        count_read(ctx.shared, found.is_some());
        let Some(i) = found else { continue };
        let v = sketch_of(&db.entry(i).value)?;
        any_dense |= !hll::is_sparse(v);
        hll::merge_into(max, v).map_err(|_| CORRUPT)?;
    }
    Ok(any_dense)
}

fn pfcount(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if args.len() > 2 {
        let mut max = Box::new([0u8; hll::REGISTERS]);
        return match merge_keys(ctx, &args[1..], &mut max) {
            Err(e) => ctx.out.error(e),
            Ok(_) => {
                let card = hll::estimate(&hll::histogram_of_bytes(&max));
                ctx.out.integer(card as i64)
            }
        };
    }
    let db = ctx.store.db(ctx.client.db);
    let found = db.lookup(&args[1]);
    count_read(ctx.shared, found.is_some());
    let Some(i) = found else {
        return ctx.out.integer(0);
    };
    if let Err(e) = sketch_of(&db.entry(i).value) {
        return ctx.out.error(e);
    }
    let v = sketch_mut(db, i);
    if let Some(card) = hll::cached(v) {
        return ctx.out.integer(card as i64);
    }
    let Ok(h) = hll::histogram(v) else {
        return ctx.out.error(CORRUPT);
    };
    let card = hll::estimate(&h);
    hll::set_cache(v, card);
    db.touch_at(i);
    ctx.store.dirty += 1;
    ctx.out.integer(card as i64);
}

fn pfmerge(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let mut max = Box::new([0u8; hll::REGISTERS]);
    let any_dense = match merge_keys(ctx, &args[1..], &mut max) {
        Ok(d) => d,
        Err(e) => return ctx.out.error(e),
    };
    let sparse_max = sparse_max(ctx);
    let db = ctx.store.db(ctx.client.db);
    let key = &args[1];
    // (the destination was checked as a source above)
    let i = match db.lookup(key) {
        Some(i) => i,
        None => db.insert_new(key, Value::raw(hll::new_sparse())),
    };
    let v = sketch_mut(db, i);
    if any_dense && hll::to_dense(v).is_err() {
        return ctx.out.error(CORRUPT);
    }
    for (index, &count) in max.iter().enumerate() {
        if count > 0 {
            // (a malformed destination was refused by the merge above)
            let _ = hll::set_register(v, index, count, sparse_max);
        }
    }
    hll::invalidate_cache(v);
    db.touch_at(i);
    ctx.store.dirty += 1;
    notify(ctx, STRING, "pfadd", key);
    ctx.out.ok();
}

/// PFDEBUG GETREG|DECODE|ENCODING|TODENSE key
fn pfdebug(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let db = ctx.store.db(ctx.client.db);
    let Some(i) = db.lookup(&args[2]) else {
        return ctx.out.error("ERR The specified key does not exist");
    };
    if let Err(e) = sketch_of(&db.entry(i).value) {
        return ctx.out.error(e);
    }
    let v = sketch_mut(db, i);
    let sub = args[1].to_ascii_lowercase();
    // Turning the sketch dense is a write (Redis counts it, to propagate it).
    let converted = matches!(sub.as_slice(), b"getreg" | b"todense") && hll::is_sparse(v);
    if converted && hll::to_dense(v).is_err() {
        return ctx.out.error(CORRUPT);
    }
    match sub.as_slice() {
        b"getreg" => {
            let regs = &v[hll::HDR..];
            ctx.out.array(hll::REGISTERS);
            for r in 0..hll::REGISTERS {
                ctx.out.integer(i64::from(hll::dense_get(regs, r)));
            }
        }
        b"decode" => {
            if !hll::is_sparse(v) {
                return ctx.out.error("ERR HLL encoding is not sparse");
            }
            let text = hll::decode(v);
            ctx.out.bulk(text.as_bytes());
        }
        b"encoding" => ctx
            .out
            .simple(if hll::is_sparse(v) { "sparse" } else { "dense" }),
        b"todense" => ctx.out.integer(i64::from(converted)),
        _ => {
            let mut msg = b"ERR Unknown PFDEBUG subcommand '".to_vec();
            msg.extend_from_slice(&args[1]);
            msg.push(b'\'');
            super::error_bytes(ctx.out, &msg);
        }
    }
    ctx.store.dirty += u64::from(converted);
}

fn pfselftest(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    let sparse_max = sparse_max(ctx);
    let rng = &mut ctx.store.db(ctx.client.db).rng;
    match hll::self_test(rng, sparse_max) {
        Ok(()) => ctx.out.ok(),
        Err(e) => ctx.out.error(&e),
    }
}
