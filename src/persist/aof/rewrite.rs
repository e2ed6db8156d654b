//! The new base file of an AOF rewrite, written from a snapshot (Redis's
//! `rewriteAppendOnlyFile`, run by its fork child; here by a thread, from the
//! same value-level copy-on-write snapshot BGSAVE takes, see `rdbfile.rs`).
//!
//! With `aof-use-rdb-preamble yes` (the default) the base is an RDB file
//! (`aof-base` AUX set to 1), named `.base.rdb`. With `no` it is commands
//! (`.base.aof`), as 7.0 writes them: per database a `SELECT`, then per key the
//! commands that rebuild it, collections in batches of at most 64 items per
//! command (`AOF_REWRITE_ITEMS_PER_CMD`): `SET`, `RPUSH`, `SADD`, `ZADD` (scores
//! as `%.17g`), `HSET`; then `PEXPIREAT` for a key with a TTL. A stream has no
//! such form here yet: it is written as `RESTORE key 0 <DUMP payload>`, which
//! redis-server also replays. Function libraries come first, as
//! `FUNCTION LOAD <code>`. With `aof-timestamp-enabled yes` it starts with
//! a `#TS:<unix seconds>` annotation line.
//!
//! The file is written to `temp-rewriteaof-bg-<pid>.aof` in `dir`, synced, and
//! renamed into `appenddirname` by the server when the thread reports success.
use crate::cmd::propagate::append_command;
use crate::persist::rdb::save::{save_entries, SaveOptions};
use crate::persist::rdb::Encodings;
use crate::store::table::{Entry, Frozen, View};
use crate::store::Value;
use std::io::{self, Write};

/// Items per command in a command-form base.
const ITEMS_PER_CMD: usize = 64;

/// A point-in-time copy of the dataset (entry arrays share their values).
pub struct Snapshot {
    pub dbs: Vec<Frozen>,
    pub functions: Vec<Vec<u8>>,
}

/// How to write the base.
pub struct BaseOptions {
    pub rdb: Option<SaveOptions>,
    /// `aof-timestamp-enabled yes`: a command-form base starts with
    /// `#TS:<this second>`.
    pub timestamp: Option<u64>,
    pub compress: bool,
    pub encodings: Encodings,
}

/// Writes the base for `snap` to `w`; `on_key` runs after each key (the
/// rewrite's cancel check and `rdb-key-save-delay`).
pub fn write_base<W: Write>(
    w: &mut W,
    snap: &Snapshot,
    opts: &BaseOptions,
    on_key: &mut dyn FnMut() -> io::Result<()>,
) -> io::Result<()> {
    if let Some(rdb) = &opts.rdb {
        let dbs: Vec<View<'_>> = snap.dbs.iter().map(Frozen::view).collect();
        let fns: Vec<&[u8]> = snap.functions.iter().map(Vec::as_slice).collect();
        save_entries(w, &dbs, &fns, rdb, on_key)?;
        return Ok(());
    }
    let mut buf = Vec::with_capacity(1 << 16);
    if let Some(t) = opts.timestamp {
        buf.extend_from_slice(format!("#TS:{t}\r\n").as_bytes());
    }
    for code in &snap.functions {
        append_command(&mut buf, &[b"FUNCTION", b"LOAD", code]);
    }
    for (n, db) in snap.dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        let n = n.to_string();
        append_command(&mut buf, &[b"SELECT", n.as_bytes()]);
        for (e, at) in db.view().iter() {
            key_commands(&mut buf, e, at, opts);
            if buf.len() >= 1 << 16 {
                w.write_all(&buf)?;
                buf.clear();
            }
            on_key()?;
        }
    }
    w.write_all(&buf)
}

/// The commands that rebuild one key.
fn key_commands(buf: &mut Vec<u8>, e: &Entry, expire_at: u64, opts: &BaseOptions) {
    let key: &[u8] = &e.key;
    match &e.value {
        Value::Hash(h) => {
            let pairs: Vec<(Vec<u8>, Vec<u8>)> =
                h.pairs().map(|(f, v)| (f.to_vec(), v.to_vec())).collect();
            for chunk in pairs.chunks(ITEMS_PER_CMD) {
                let mut argv: Vec<&[u8]> = vec![b"HSET", key];
                for (f, v) in chunk {
                    argv.push(f);
                    argv.push(v);
                }
                append_command(buf, &argv);
            }
        }
        Value::List(l) => {
            let items: Vec<Vec<u8>> = l.iter().map(|x| x.to_vec()).collect();
            batches(buf, b"RPUSH", key, &items);
        }
        Value::Set(s) => batches(buf, b"SADD", key, &s.members()),
        Value::ZSet(z) => {
            let items: Vec<(Vec<u8>, Vec<u8>)> = z
                .iter()
                .map(|(m, score)| {
                    let mut s = Vec::new();
                    crate::num::fmt_g(score, 17, &mut s);
                    (s, m.to_vec())
                })
                .collect();
            for chunk in items.chunks(ITEMS_PER_CMD) {
                let mut argv: Vec<&[u8]> = vec![b"ZADD", key];
                for (s, m) in chunk {
                    argv.push(s);
                    argv.push(m);
                }
                append_command(buf, &argv);
            }
        }
        Value::Stream(_) => {
            let payload = crate::persist::dump::dump(&e.value, opts.compress, opts.encodings);
            append_command(buf, &[b"RESTORE", key, b"0", &payload]);
        }
        v => {
            let mut tmp = [0u8; 20];
            let bytes = v.str_bytes(&mut tmp).unwrap_or_default();
            append_command(buf, &[b"SET", key, bytes]);
        }
    }
    if expire_at != 0 {
        let at = expire_at.to_string();
        append_command(buf, &[b"PEXPIREAT", key, at.as_bytes()]);
    }
}

/// `cmd key item...` in batches of [`ITEMS_PER_CMD`].
fn batches(buf: &mut Vec<u8>, cmd: &[u8], key: &[u8], items: &[Vec<u8>]) {
    for chunk in items.chunks(ITEMS_PER_CMD) {
        let mut argv: Vec<&[u8]> = vec![cmd, key];
        argv.extend(chunk.iter().map(Vec::as_slice));
        append_command(buf, &argv);
    }
}
