//! Command propagation: what a command that changed the dataset hands to the
//! append-only file, in Redis 7.0's terms (`call`, `alsoPropagate`,
//! `propagatePendingCommands`).
//!
//! - A command propagates when it changed the dataset (the store's change
//!   counter, Redis's `server.dirty`, moved while it ran). By default it
//!   propagates as it was sent; a command whose effect depends on when or where
//!   it runs names what to propagate instead with [`replace`] (Redis's
//!   `rewriteClientCommandVector`): EXPIRE as PEXPIREAT, SET EX as SET PXAT,
//!   INCRBYFLOAT as SET KEEPTTL, BLPOP as LPOP, SPOP as SREMs, a script as
//!   nothing (its own calls propagate, "effects replication"). A command can
//!   also hand over commands of its own with [`also`] (Redis's
//!   `alsoPropagate`), e.g. XREADGROUP's XCLAIMs.
//! - An *execution unit* is one top-level command with everything it runs
//!   inside (EXEC's queue, a script's `redis.call`s, which nest through
//!   `dispatch`). Its commands collect in a pending list; when the unit ends,
//!   one command goes out as it is, several go out wrapped in MULTI ... EXEC.
//! - A key found expired is deleted and propagated as `DEL` (or `UNLINK` under
//!   `lazyfree-lazy-expire yes`) on its own, ahead of the unit that found it
//!   (the store logs such keys, see `Db::expired_log`, and [`take_expired`]
//!   collects them).
//! - Commands are written in RESP (`*<n>\r\n$<len>\r\n<arg>\r\n`...), with a
//!   `SELECT <db>` first whenever the database differs from the last one
//!   written, into [`AofFeed::buf`]. With `aof-timestamp-enabled yes`, a
//!   command written in a later second than the last annotation gets a
//!   `#TS:<unix seconds>\r\n` line first (ahead of its SELECT), as 7.0's
//!   `feedAppendOnlyFile` writes it. The persistence layer writes that buffer
//!   to the file (and fsyncs it under `appendfsync always`) before any reply of
//!   the unit leaves the server.
//!
//! Invariants: with propagation off (no AOF) the cost is one relaxed atomic load
//! per command; the pending list is empty between units; the feed's lock is a
//! leaf (nothing else is taken while it is held) and is only taken under the
//! keyspace lock or by the persistence layer's writer.
use super::shared::Shared;
use super::Ctx;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

/// A command to propagate: its database and its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Op {
    pub db: usize,
    pub argv: Vec<Vec<u8>>,
}

/// The bytes on their way to the append-only file, and the units being built.
#[derive(Debug, Default)]
pub struct AofFeed {
    /// RESP not yet written to the file.
    pub buf: Vec<u8>,
    /// The database the last written command ran in (`None`: a SELECT is due).
    pub selected: Option<usize>,
    /// Bytes taken out of `buf` by the writer so far (with `buf.len()`, the
    /// offset a thread waits for the file to reach).
    pub taken: u64,
    /// The second of the last `#TS:` annotation (Redis's
    /// `aof_cur_timestamp`); a command-form base written at startup sets it.
    pub ts_last: u64,
    depth: u32,
    /// What the running command asked to propagate as instead of itself.
    replaced: Option<Vec<Vec<Vec<u8>>>>,
    /// The running command propagates even if it changed nothing.
    forced: bool,
    expired: Vec<Op>,
    ops: Vec<Op>,
}

/// Propagation's switch and feed, in [`Shared`].
#[derive(Debug, Default)]
pub struct Propagation {
    /// Something takes propagated commands (the AOF is on or being turned on).
    pub on: AtomicBool,
    feed: Mutex<AofFeed>,
}

impl Propagation {
    /// Whether commands are being propagated.
    pub fn is_on(&self) -> bool {
        self.on.load(Ordering::Relaxed)
    }

    /// The feed (a leaf lock).
    pub fn feed(&self) -> MutexGuard<'_, AofFeed> {
        self.feed.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What [`begin`] saved for [`end`]: the change counter before the command and
/// the outer command's replacement.
pub struct Frame {
    dirty: u64,
    outer: Option<Vec<Vec<Vec<u8>>>>,
    outer_forced: bool,
}

/// Commands never propagated themselves: what they run is.
fn runs_others(name: &str) -> bool {
    matches!(
        name,
        "exec" | "eval" | "evalsha" | "eval_ro" | "evalsha_ro" | "fcall" | "fcall_ro"
    )
}

/// Before a command's handler: `None` when nothing is propagated.
pub fn begin(ctx: &mut Ctx<'_>) -> Option<Frame> {
    if !ctx.shared.propagation.is_on() {
        return None;
    }
    let mut f = ctx.shared.propagation.feed();
    f.depth += 1;
    Some(Frame {
        dirty: ctx.store.dirty,
        outer: f.replaced.take(),
        outer_forced: std::mem::take(&mut f.forced),
    })
}

/// After a command's handler: records what it propagates; at the end of the
/// execution unit, writes the unit into the feed.
pub fn end(ctx: &mut Ctx<'_>, frame: Option<Frame>, name: &str, args: &[Vec<u8>]) {
    let Some(frame) = frame else {
        return;
    };
    super::notify::flush_expired(ctx.store, ctx.shared);
    let db = ctx.client.db;
    // Grown, as Redis clamps `server.dirty - dirty_before` at 0: SAVE, DEBUG
    // RELOAD/LOADAOF reset the counter and are not written.
    let (mut replaced, forced) = {
        let mut f = ctx.shared.propagation.feed();
        let forced = std::mem::replace(&mut f.forced, frame.outer_forced);
        (std::mem::replace(&mut f.replaced, frame.outer), forced)
    };
    let changed = (ctx.store.dirty > frame.dirty || forced) && !runs_others(name);
    if changed && replaced.is_none() {
        replaced = by_state(ctx, name, args);
    }
    let ts = stamp(ctx.shared);
    let mut f = ctx.shared.propagation.feed();
    if changed {
        match replaced {
            Some(cmds) => f.ops.extend(cmds.into_iter().map(|argv| Op { db, argv })),
            None => f.ops.push(Op {
                db,
                argv: args.to_vec(),
            }),
        }
    }
    f.depth = f.depth.saturating_sub(1);
    if f.depth == 0 {
        emit_pending(&mut f, ts);
    }
}

/// The second to annotate with (`aof-timestamp-enabled yes`), or `None`.
/// (Read before the feed's lock is taken: that lock is a leaf.)
fn stamp(shared: &Shared) -> Option<u64> {
    if !shared.config().aof_timestamp_enabled {
        return None;
    }
    Some((super::shared::unix_micros() / 1_000_000) as u64)
}

/// Writes the pending expired deletions (each alone) and the unit's commands
/// (wrapped in MULTI/EXEC when more than one) into the feed; `ts`: see
/// [`annotate`].
fn emit_pending(f: &mut AofFeed, ts: Option<u64>) {
    for op in std::mem::take(&mut f.expired) {
        write_op(f, &op, ts);
    }
    let ops = std::mem::take(&mut f.ops);
    let wrap = ops.len() > 1;
    if let (true, Some(first)) = (wrap, ops.first()) {
        let multi = Op {
            db: first.db,
            argv: vec![b"MULTI".to_vec()],
        };
        write_op(f, &multi, ts);
    }
    for op in &ops {
        write_op(f, op, ts);
    }
    if wrap {
        annotate(f, ts);
        append_command(&mut f.buf, &[b"EXEC".as_slice()]);
    }
}

/// A `#TS:<seconds>` line when `ts` is a later second than the last one
/// written.
fn annotate(f: &mut AofFeed, ts: Option<u64>) {
    if let Some(now) = ts.filter(|&now| now > f.ts_last) {
        f.buf.extend_from_slice(format!("#TS:{now}\r\n").as_bytes());
        f.ts_last = now;
    }
}

/// One command into the feed, after a SELECT when its database is not the
/// last (and the annotation before both).
fn write_op(f: &mut AofFeed, op: &Op, ts: Option<u64>) {
    annotate(f, ts);
    if f.selected != Some(op.db) {
        let n = op.db.to_string();
        append_command(&mut f.buf, &[b"SELECT".as_slice(), n.as_bytes()]);
        f.selected = Some(op.db);
    }
    let argv: Vec<&[u8]> = op.argv.iter().map(Vec::as_slice).collect();
    append_command(&mut f.buf, &argv);
}

/// A command in RESP, as a client sends it.
pub fn append_command(buf: &mut Vec<u8>, argv: &[&[u8]]) {
    buf.push(b'*');
    buf.extend_from_slice(argv.len().to_string().as_bytes());
    buf.extend_from_slice(b"\r\n");
    for a in argv {
        buf.push(b'$');
        buf.extend_from_slice(a.len().to_string().as_bytes());
        buf.extend_from_slice(b"\r\n");
        buf.extend_from_slice(a);
        buf.extend_from_slice(b"\r\n");
    }
}

/// The running command propagates as `cmds` instead of itself (none: nothing).
/// Only while propagation is on; a later call replaces an earlier one.
pub fn replace(ctx: &Ctx<'_>, cmds: Vec<Vec<Vec<u8>>>) {
    if !ctx.shared.propagation.is_on() {
        return;
    }
    ctx.shared.propagation.feed().replaced = Some(cmds);
}

/// Propagates `argv` alongside the running command, in the order of the
/// calls and ahead of the command itself (Redis's `alsoPropagate`), whether
/// or not the change counter moved. Outside a unit it goes out at once.
pub fn also(ctx: &Ctx<'_>, argv: Vec<Vec<u8>>) {
    if !ctx.shared.propagation.is_on() {
        return;
    }
    let ts = stamp(ctx.shared);
    let mut f = ctx.shared.propagation.feed();
    f.ops.push(Op {
        db: ctx.client.db,
        argv,
    });
    if f.depth == 0 {
        emit_pending(&mut f, ts);
    }
}

/// The running command is propagated even when it changed nothing (Redis's
/// `forceCommandPropagation`: FLUSHDB and FLUSHALL on empty databases).
pub fn force(ctx: &Ctx<'_>) {
    if ctx.shared.propagation.is_on() {
        ctx.shared.propagation.feed().forced = true;
    }
}

/// The running command is not propagated itself (Redis's
/// `preventCommandPropagation`): what it handed to [`also`] is.
pub fn prevent(ctx: &Ctx<'_>) {
    replace(ctx, Vec::new());
}

/// Whether commands are propagated now (a handler skips building a
/// replacement otherwise).
pub fn is_on(ctx: &Ctx<'_>) -> bool {
    ctx.shared.propagation.is_on()
}

/// Propagates the keys the store expired (its logs, already taken) as `DEL`s
/// (`UNLINK` under `lazyfree-lazy-expire yes`). Outside an execution unit
/// (the cron's active expiry) they go to the feed at once.
pub fn expired(shared: &Shared, db: usize, keys: &[Vec<u8>]) {
    if !shared.propagation.is_on() || keys.is_empty() {
        return;
    }
    let name: &[u8] = if shared.config().lazyfree_lazy_expire {
        b"UNLINK"
    } else {
        b"DEL"
    };
    let ts = stamp(shared);
    let mut f = shared.propagation.feed();
    for k in keys {
        f.expired.push(Op {
            db,
            argv: vec![name.to_vec(), k.clone()],
        });
    }
    if f.depth == 0 {
        emit_pending(&mut f, ts);
    }
}

/// Whether the store must log the keys it expires for propagation.
pub fn wants_expired_log(shared: &Shared) -> bool {
    shared.propagation.is_on()
}

/// Drops what a unit collected (the AOF was turned off mid-way).
pub fn reset(shared: &Shared) {
    let mut f = shared.propagation.feed();
    f.ops.clear();
    f.expired.clear();
    f.replaced = None;
    f.forced = false;
    f.taken += f.buf.len() as u64;
    f.buf.clear();
    f.selected = None;
}

/// Whether `args[from..]` holds one of `words` (case-insensitive).
fn has_word(args: &[Vec<u8>], from: usize, words: &[&[u8]]) -> bool {
    args.iter()
        .skip(from)
        .any(|a| words.iter().any(|w| a.eq_ignore_ascii_case(w)))
}

/// The forms 7.0 propagates that follow from the key's state after the
/// command (Redis rewrites them in each command; here they are read back in
/// one place): relative and second-based expiries as absolute milliseconds,
/// float increments as the value they produced, deletions as DEL.
fn by_state(ctx: &mut Ctx<'_>, name: &str, args: &[Vec<u8>]) -> Option<Vec<Vec<Vec<u8>>>> {
    let key = args.get(1)?;
    let (lazy_expire, lazy_user, lazy_server) = {
        let c = ctx.shared.config();
        (
            c.lazyfree_lazy_expire,
            c.lazyfree_lazy_user_del,
            c.lazyfree_lazy_server_del,
        )
    };
    let del = |lazy: bool| -> Vec<Vec<u8>> {
        let n: &[u8] = if lazy { b"UNLINK" } else { b"DEL" };
        vec![n.to_vec(), key.clone()]
    };
    let db = ctx.store.db(ctx.client.db);
    let found = db.table.find(key);
    let expire_at = found.map(|i| db.expire_at(i));
    let ms = |at: u64| at.to_string().into_bytes();
    match name {
        "set" | "setex" | "psetex" => {
            let timed = name != "set" || has_word(args, 3, &[b"ex", b"px", b"exat"]);
            let at = expire_at.filter(|&a| a != 0)?;
            if !timed {
                return None;
            }
            let val = if name == "set" {
                &args[2]
            } else {
                args.get(3)?
            };
            Some(vec![vec![
                b"SET".to_vec(),
                key.clone(),
                val.clone(),
                b"PXAT".to_vec(),
                ms(at),
            ]])
        }
        "expire" | "pexpire" | "expireat" | "pexpireat" => match expire_at {
            None => Some(vec![del(lazy_expire)]),
            Some(_) if name == "pexpireat" => None,
            Some(at) => {
                let mut argv = vec![b"PEXPIREAT".to_vec(), key.clone(), ms(at)];
                argv.extend(args.iter().skip(3).cloned());
                Some(vec![argv])
            }
        },
        "getex" => {
            if has_word(args, 2, &[b"persist"]) {
                return Some(vec![vec![b"PERSIST".to_vec(), key.clone()]]);
            }
            match expire_at {
                None => Some(vec![del(lazy_expire)]),
                Some(at) => Some(vec![vec![b"PEXPIREAT".to_vec(), key.clone(), ms(at)]]),
            }
        }
        "getdel" => Some(vec![del(lazy_user)]),
        "incrbyfloat" => {
            let i = found?;
            let mut tmp = [0u8; 20];
            let v = db.entry(i).value.str_bytes(&mut tmp)?.to_vec();
            Some(vec![vec![
                b"SET".to_vec(),
                key.clone(),
                v,
                b"KEEPTTL".to_vec(),
            ]])
        }
        "hincrbyfloat" => {
            let i = found?;
            let field = args.get(2)?;
            let crate::store::Value::Hash(h) = &db.entry(i).value else {
                return None;
            };
            let v = h.get(field)?.to_vec();
            Some(vec![vec![b"HSET".to_vec(), key.clone(), field.clone(), v]])
        }
        "restore" => {
            let absttl = has_word(args, 4, &[b"absttl"]);
            let ttl = args.get(2)?;
            if ttl.as_slice() == b"0" || absttl {
                return None;
            }
            match expire_at {
                None => Some(vec![del(lazy_server)]),
                Some(at) => {
                    let mut argv = args.to_vec();
                    argv[2] = ms(at);
                    argv.push(b"ABSTTL".to_vec());
                    Some(vec![argv])
                }
            }
        }
        _ => None,
    }
}
