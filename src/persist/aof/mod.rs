//! The append-only file, as Redis 7.0 keeps it: a directory (`appenddirname`
//! in `dir`) holding a manifest, one base file and incremental files (see
//! `manifest.rs`). This file is the running part: opening the files at
//! startup, writing what commands propagate, fsync, BGREWRITEAOF and its
//! automatic trigger, turning the AOF on and off with CONFIG SET, and INFO.
//!
//! - **Upgrade.** A single `appendonly.aof` in `dir` from a Redis before 7.0
//!   (commands, or an RDB preamble and commands) becomes base 1 of a new
//!   directory under its own name, as 7.0 does it at startup.
//! - **Writing.** Commands that changed the dataset are put in RESP into the
//!   propagation feed (`cmd::propagate`) under the keyspace lock. Right after
//!   a thread releases that lock and before it sends anything ([`flush`],
//!   called by the lock guard), the feed's bytes are written to the current
//!   incremental file, so no reply leaves before its command is in the file
//!   (the kernel's page cache survives `kill -9`). With `appendfsync always`
//!   the file is also fsynced there, before any reply; threads releasing the
//!   lock meanwhile share that write and fsync (group commit). With
//!   `everysec` a thread (`aof-fsync`) fsyncs once a second; with `no` the
//!   kernel decides.
//! - **Rewrite.** BGREWRITEAOF (or growth past `auto-aof-rewrite-percentage`
//!   of the base, once over `auto-aof-rewrite-min-size`) opens the next
//!   incremental file at once (new writes go there, and the manifest lists
//!   it), takes the BGSAVE snapshot of the dataset (`rdbfile.rs`), and writes
//!   a new base from it on a thread (`rewrite.rs`). When it is done the cron
//!   renames it into the directory, makes the old base and the older
//!   incremental files history in a manifest written to a temp file and
//!   renamed over the old one (atomic), then deletes the history files.
//! - **Turning on at runtime** (`CONFIG SET appendonly yes`): a rewrite as
//!   above; 7.0's "wait rewrite" state: appending starts with it, and the
//!   manifest on disk changes only when the new base is in place.
//!
//! Invariants: lock order keyspace -> this state -> the feed (the fsync
//! thread holds the state only to clone the file handle); the feed's bytes
//! are written in the order they were fed (one writer at a time takes the
//! whole buffer, see [`flush`]); `feed.selected` is reset whenever a new incremental file starts
//! (under the keyspace lock, after the old file got every byte fed), so each
//! file begins with a SELECT.
pub mod load;
pub mod manifest;
pub mod rewrite;

use crate::cmd::config::Config;
use crate::cmd::{Ctx, Keyspace, ScriptSlot, Shared};
use crate::persist::rdbfile;
use crate::store::Store;
use manifest::{FileEntry, Kind, Manifest};
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// A rewrite in progress.
struct Running {
    started: Instant,
    /// The base's sequence number when done.
    base_seq: u64,
    rdb: bool,
    result: Arc<Mutex<Option<Result<(), String>>>>,
    cancel: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// The AOF's state (Redis's `server.aof_*`).
#[derive(Default)]
struct State {
    /// `aof_state`: appending (`on`), or waiting for the first rewrite.
    on: bool,
    wait_rewrite: bool,
    /// `dir`/`appenddirname`, as opened.
    dir: PathBuf,
    manifest: Manifest,
    incr: Option<Arc<File>>,
    /// Written since the last fsync.
    unsynced: bool,
    current_size: u64,
    base_size: u64,
    /// Bytes in the current incremental file (a partial write is cut back
    /// to it).
    incr_len: u64,
    /// The last write failed: why (`aof_last_write_status:err`, MISCONF).
    write_err: Option<String>,
    /// The last `everysec` fsync failed: why (also `err`, also MISCONF).
    fsync_err: Option<String>,
    /// When a write error was last logged.
    last_error_log: Option<Instant>,
    /// A thread is writing the feed's bytes (see [`flush`]).
    writing: bool,
    /// Feed offset up to which the bytes are in the file (synced under
    /// `appendfsync always`).
    durable: u64,
    running: Option<Running>,
    scheduled: bool,
    last_rewrite_secs: i64,
    last_rewrite_ok: bool,
    rewrites: u64,
    failures: u64,
}

/// The AOF, in `Persistence::aof`.
pub struct Aof {
    state: Mutex<State>,
    /// Signalled when a writer is done (see [`flush`]).
    written: std::sync::Condvar,
}

fn aof(sh: &Shared) -> Option<&Aof> {
    sh.persistence.aof.get()?.downcast_ref::<Aof>()
}

impl Aof {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn aof_dir(c: &Config) -> PathBuf {
    Path::new(&c.dir).join(&c.appenddirname)
}

fn temp_name() -> String {
    format!("temp-rewriteaof-bg-{}.aof", std::process::id())
}

/// Writes the manifest to a temp file, syncs it and renames it into place.
fn persist_manifest(dir: &Path, c: &Config, m: &Manifest) -> io::Result<()> {
    let name = manifest::manifest_name(&c.appendfilename);
    let tmp = dir.join(format!("temp-{name}"));
    {
        let mut f = File::create(&tmp)?;
        f.write_all(m.to_text().as_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, dir.join(&name))?;
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

/// Installs the state and the hooks, and starts the fsync thread. Called once
/// at startup, whatever `appendonly` says (it may be turned on later).
pub fn install(sh: &Arc<Shared>) {
    let _ = sh.persistence.aof.set(Box::new(Aof {
        state: Mutex::new(State {
            last_rewrite_ok: true,
            last_rewrite_secs: -1,
            ..State::default()
        }),
        written: std::sync::Condvar::new(),
    }));
    let _ = sh.persistence.hooks.aof_info.set(info);
    let _ = sh.persistence.hooks.aof_switch.set(switch);
    let _ = sh.persistence.hooks.aof_load.set(debug_loadaof);
    let weak = Arc::downgrade(sh);
    let _ = std::thread::Builder::new()
        .name("aof-fsync".into())
        .spawn(move || fsync_loop(weak));
}

/// `everysec`: fsyncs what was written, once a second (it wakes every
/// 100 ms so that a shutdown is seen quickly).
fn fsync_loop(weak: std::sync::Weak<Shared>) {
    let mut last = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let Some(sh) = weak.upgrade() else {
            return;
        };
        if sh.is_shutting_down() {
            return;
        }
        if last.elapsed() < Duration::from_secs(1) || sh.config().appendfsync != "everysec" {
            continue;
        }
        last = Instant::now();
        let Some(a) = aof(&sh) else {
            return;
        };
        let file = {
            let mut st = a.lock();
            if !st.unsynced {
                continue;
            }
            st.unsynced = false;
            st.incr.clone()
        };
        let Some(f) = file else {
            continue;
        };
        let synced = f.sync_data();
        let mut st = a.lock();
        match synced {
            Err(e) => {
                let why = crate::cmd::io_error_text(&e);
                if st.fsync_err.is_none() {
                    sh.logger
                        .warning(&format!("Fail to fsync the AOF file: {why}"));
                }
                st.fsync_err = Some(why);
                st.unsynced = true;
                publish_status(&st, &sh);
            }
            Ok(()) if st.fsync_err.is_some() => {
                st.fsync_err = None;
                publish_status(&st, &sh);
            }
            Ok(()) => {}
        }
    }
}

/// Writes the feed's bytes to the current incremental file (and fsyncs it
/// under `appendfsync always`), returning once every byte fed before the call
/// is there. Called after each release of the keyspace lock, before the
/// releasing thread sends anything.
///
/// Group commit: one thread at a time is the writer; it takes everything fed
/// so far, writes (and syncs) it without holding the state's mutex, then
/// wakes the others. A thread whose bytes a writer already took waits for that
/// writer only; one with newer bytes becomes the next writer. The bytes reach
/// the file in the order they were fed (one writer at a time, each taking the
/// whole buffer).
///
/// A failed write (Redis's `flushAppendOnlyFile`): part of it written is cut
/// off the file again; under `appendfsync always` the server exits, as a
/// reply may not leave without its command on disk; otherwise the bytes stay
/// in the feed for the next writer (every release of the lock and the cron
/// try again), and writes get MISCONF until a write succeeds.
pub fn flush(sh: &Shared) {
    if !sh.propagation.is_on() {
        return;
    }
    let Some(a) = aof(sh) else {
        return;
    };
    let mut st = a.lock();
    let target = {
        let f = sh.propagation.feed();
        f.taken + f.buf.len() as u64
    };
    loop {
        if st.durable >= target {
            return;
        }
        if !st.writing {
            break;
        }
        st = a.written.wait(st).unwrap_or_else(|e| e.into_inner());
    }
    st.writing = true;
    let (data, end) = {
        let mut f = sh.propagation.feed();
        let data = std::mem::take(&mut f.buf);
        f.taken += data.len() as u64;
        (data, f.taken)
    };
    let file = st.incr.clone();
    let incr_len = st.incr_len;
    drop(st);
    let always = sh.config().appendfsync == "always";
    let pause = sh.persistence.aof_flush_sleep_us.load(Ordering::Relaxed);
    if pause > 0 && !data.is_empty() {
        std::thread::sleep(Duration::from_micros(pause));
    }
    let (written, err) = match &file {
        Some(file) => write_some(file, &data),
        None => (data.len(), None),
    };
    let mut st = a.lock();
    st.writing = false;
    match err {
        None => {
            if always {
                if let Some(Err(e)) = file.as_ref().map(|f| f.sync_data()) {
                    sh.logger.warning(&format!(
                        "Can't persist AOF for fsync error when the AOF fsync policy is 'always': {}. Exiting...",
                        crate::cmd::io_error_text(&e)
                    ));
                    std::process::exit(1);
                }
            }
            st.durable = end;
            st.current_size += data.len() as u64;
            st.incr_len += data.len() as u64;
            st.unsynced |= !always;
            if st.write_err.is_some() {
                sh.logger
                    .warning("AOF write error looks solved, Redis can write again.");
                st.write_err = None;
                publish_status(&st, sh);
            }
        }
        Some(e) => {
            let kept = write_failed(
                &mut st,
                sh,
                file.as_deref(),
                incr_len,
                written,
                data.len(),
                &e,
            );
            if always {
                sh.logger.warning(
                    "Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...",
                );
                std::process::exit(1);
            }
            // What could not be cut off stays written; the rest is kept for
            // the next writer, ahead of what came since.
            st.current_size += kept as u64;
            st.incr_len += kept as u64;
            let mut f = sh.propagation.feed();
            let back = data.len() - kept;
            f.taken -= back as u64;
            let mut again = data.get(kept..).unwrap_or_default().to_vec();
            again.extend_from_slice(&f.buf);
            f.buf = again;
        }
    }
    a.written.notify_all();
}

/// Writes `data` as Redis's `aofWrite` does: on until all is written or a
/// write fails. Returns how much was written and the error, if any.
fn write_some(file: &File, data: &[u8]) -> (usize, Option<io::Error>) {
    let mut done = 0;
    while done < data.len() {
        match (&*file).write(&data[done..]) {
            Ok(0) => return (done, Some(io::ErrorKind::WriteZero.into())),
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return (done, Some(e)),
        }
    }
    (done, None)
}

/// Seconds between two logs of a failing write (`AOF_WRITE_LOG_ERROR_RATE`).
const WRITE_ERROR_LOG_RATE: Duration = Duration::from_secs(30);

/// Records a failed write: the log lines (at most one each 30 seconds), a
/// partial write cut off the file, the reason writes are refused with.
/// Returns the bytes that stay in the file (a partial write that could not
/// be cut off).
fn write_failed(
    st: &mut State,
    sh: &Shared,
    file: Option<&File>,
    incr_len: u64,
    written: usize,
    expected: usize,
    e: &io::Error,
) -> usize {
    let can_log = st
        .last_error_log
        .is_none_or(|t| t.elapsed() > WRITE_ERROR_LOG_RATE);
    if can_log {
        st.last_error_log = Some(Instant::now());
    }
    let mut kept = 0;
    let reason = if written == 0 {
        if can_log {
            sh.logger.warning(&format!(
                "Error writing to the AOF file: {}",
                crate::cmd::io_error_text(e)
            ));
        }
        crate::cmd::io_error_text(e)
    } else {
        if can_log {
            sh.logger.warning(&format!(
                "Short write while writing to the AOF file: (nwritten={written}, expected={expected})"
            ));
        }
        if let Some(Err(te)) = file.map(|f| f.set_len(incr_len)) {
            if can_log {
                sh.logger.warning(&format!(
                    "Could not remove short write from the append-only file.  Redis may refuse \
                     to load the AOF the next time it starts.  ftruncate: {}",
                    crate::cmd::io_error_text(&te)
                ));
            }
            kept = written;
        }
        // Redis reports a short write as ENOSPC whatever stopped it.
        crate::cmd::io_error_text(&io::Error::from_raw_os_error(ENOSPC))
    };
    st.write_err = Some(reason);
    publish_status(st, sh);
    kept
}

/// `ENOSPC` on Linux (and the BSDs): "No space left on device".
const ENOSPC: i32 = 28;

/// Tells the dispatcher whether writes are refused, and why: a failed write
/// first, then a failed background fsync, while the AOF is on.
fn publish_status(st: &State, sh: &Shared) {
    let reason = if st.on || st.wait_rewrite {
        st.write_err.clone().or_else(|| st.fsync_err.clone())
    } else {
        None
    };
    sh.persistence.set_aof_error(reason);
}

/// Opens the next incremental file; the feed starts it with a SELECT.
fn open_next_incr(st: &mut State, sh: &Shared, c: &Config, why: &str) -> io::Result<()> {
    let seq = st.manifest.incr_seq + 1;
    let name = manifest::incr_name(&c.appendfilename, seq);
    let f = open_append(&st.dir.join(&name))?;
    sh.logger
        .notice(&format!("Creating AOF incr file {name} on {why}"));
    st.manifest.incr_seq = seq;
    st.manifest.incrs.push(FileEntry {
        name,
        seq,
        kind: Kind::Incr,
    });
    st.incr_len = f.metadata().map_or(0, |m| m.len());
    st.incr = Some(Arc::new(f));
    st.unsynced = false;
    sh.propagation.feed().selected = None;
    Ok(())
}

/// At startup with `appendonly yes`: loads the dataset from the AOF (which
/// then wins over the RDB file, as in 7.0), creates a base and an incremental
/// file where there are none, and starts appending.
pub fn start(ks: &mut Keyspace, sh: &Arc<Shared>) -> Result<(), String> {
    let c = sh.config().clone();
    let Some(a) = aof(sh) else {
        return Ok(());
    };
    let dir = aof_dir(&c);
    let dir_existed = dir.is_dir();
    if let Err(e) = std::fs::create_dir_all(&dir) {
        return Err(format!(
            "Can't open or create append-only dir {}: {}",
            c.appenddirname,
            crate::cmd::io_error_text(&e)
        ));
    }
    let mpath = dir.join(manifest::manifest_name(&c.appendfilename));
    let mut m = match std::fs::read(&mpath) {
        Ok(text) => Manifest::parse(&text)?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => Manifest::default(),
        Err(e) => return Err(format!("Can't open the AOF manifest file: {e}")),
    };
    if needs_upgrade(&c, &dir, dir_existed, &m) {
        m = upgrade(sh, &c, &dir)?;
    }
    let mut loaded = load::Loaded::default();
    if !m.data_files().is_empty() {
        loaded = load::load_files(&mut load::Target::of(ks), sh, &dir, &m)?;
    }
    let mut st = a.lock();
    st.dir = dir.clone();
    if m.base.is_none() && m.incrs.is_empty() {
        // No AOF yet: a base of what is there now, so the manifest starts
        // with one. (Incremental files without a base stay as they are, as
        // in 7.0.)
        let seq = m.base_seq + 1;
        let name = manifest::base_name(&c.appendfilename, seq, c.aof_use_rdb_preamble);
        let snap = snapshot(&ks.store, &mut ks.scripts);
        let ts = base_timestamp(&c);
        write_base_file(&dir.join(&name), &snap, &c, ts, &mut || Ok(()))
            .map_err(|e| format!("Can't create the AOF base file {name}: {e}"))?;
        // Written here, not by a rewrite's thread: the next command is
        // annotated only in a later second (as 7.0's main process).
        if let Some(t) = ts {
            sh.propagation.feed().ts_last = t;
        }
        sh.logger
            .notice(&format!("Creating AOF base file {name} on server start"));
        m.base_seq = seq;
        m.base = Some(FileEntry {
            name,
            seq,
            kind: Kind::Base,
        });
    }
    st.manifest = m;
    if st.manifest.incrs.is_empty() {
        open_next_incr(&mut st, sh, &c, "server start").map_err(|e| e.to_string())?;
    } else if let Some(last) = st.manifest.incrs.last() {
        let f = open_append(&dir.join(&last.name)).map_err(|e| e.to_string())?;
        sh.logger.notice(&format!(
            "Opening AOF incr file {} on server start",
            last.name
        ));
        st.incr_len = f.metadata().map_or(0, |m| m.len());
        st.incr = Some(Arc::new(f));
    }
    persist_manifest(&dir, &c, &st.manifest)
        .map_err(|e| format!("Can't persist the AOF manifest: {e}"))?;
    delete_history(&mut st, sh, &c);
    st.current_size = loaded.total_size;
    st.base_size = loaded.base_size;
    st.on = true;
    drop(st);
    sh.propagation.feed().selected = None;
    sh.propagation.on.store(true, Ordering::Relaxed);
    crate::cmd::notify::flush_expired(&mut ks.store, sh);
    Ok(())
}

/// Whether `appendfilename` in `dir` is a single append-only file of a
/// Redis before 7.0 to be taken in as the base (7.0's three cases): there is
/// no AOF directory, or no file in its manifest, or the manifest names only
/// it as the base and it is not in the directory yet (a crash between the
/// manifest and the move).
fn needs_upgrade(c: &Config, dir: &Path, dir_existed: bool, m: &Manifest) -> bool {
    if !Path::new(&c.dir).join(&c.appendfilename).is_file() {
        return false;
    }
    let only_old_base = m.incrs.is_empty()
        && m.base.as_ref().is_some_and(|b| b.name == c.appendfilename)
        && !dir.join(&c.appendfilename).exists();
    !dir_existed || (m.base.is_none() && m.incrs.is_empty()) || only_old_base
}

/// Takes in an old single file (Redis's `aofUpgradePrepare`): a manifest
/// naming it as base 1 is written first, then the file is moved into the
/// directory, so a crash in between is finished at the next start.
fn upgrade(sh: &Shared, c: &Config, dir: &Path) -> Result<Manifest, String> {
    let m = Manifest {
        base: Some(FileEntry {
            name: c.appendfilename.clone(),
            seq: 1,
            kind: Kind::Base,
        }),
        base_seq: 1,
        ..Manifest::default()
    };
    persist_manifest(dir, c, &m).map_err(|e| {
        format!(
            "Can't persist the AOF manifest: {}",
            crate::cmd::io_error_text(&e)
        )
    })?;
    let old = Path::new(&c.dir).join(&c.appendfilename);
    if let Err(e) = std::fs::rename(&old, dir.join(&c.appendfilename)) {
        return Err(format!(
            "Error trying to move the old AOF file {} into dir {}: {}",
            c.appendfilename,
            c.appenddirname,
            crate::cmd::io_error_text(&e)
        ));
    }
    sh.logger.notice(&format!(
        "Successfully migrated an old-style AOF file ({}) into the AOF directory ({}).",
        c.appendfilename, c.appenddirname
    ));
    Ok(m)
}

/// Deletes the history files and drops them from the manifest (unless
/// `aof-disable-auto-gc yes`).
fn delete_history(st: &mut State, sh: &Shared, c: &Config) {
    if c.aof_disable_auto_gc || st.manifest.history.is_empty() {
        return;
    }
    for h in std::mem::take(&mut st.manifest.history) {
        sh.logger.notice(&format!(
            "Removing the history file {} in the background",
            h.name
        ));
        let _ = std::fs::remove_file(st.dir.join(&h.name));
    }
    let _ = persist_manifest(&st.dir, c, &st.manifest);
}

/// The BGSAVE snapshot: entry arrays (values shared) and library codes.
fn snapshot(store: &Store, scripts: &mut ScriptSlot) -> rewrite::Snapshot {
    rewrite::Snapshot {
        dbs: store.dbs().iter().map(|d| d.table.freeze()).collect(),
        functions: rdbfile::library_codes(scripts),
    }
}

/// The `#TS:` a command-form base starts with (`aof-timestamp-enabled yes`
/// and `aof-use-rdb-preamble no`): the time it is written.
fn base_timestamp(c: &Config) -> Option<u64> {
    (c.aof_timestamp_enabled && !c.aof_use_rdb_preamble)
        .then(|| (crate::cmd::shared::unix_micros() / 1_000_000) as u64)
}

/// Writes a base file (RDB or commands by `aof-use-rdb-preamble`) and syncs it.
fn write_base_file(
    path: &Path,
    snap: &rewrite::Snapshot,
    c: &Config,
    timestamp: Option<u64>,
    on_key: &mut dyn FnMut() -> io::Result<()>,
) -> io::Result<()> {
    let mut rdb = rdbfile::save_options(c);
    rdb.aof_base = true;
    let opts = rewrite::BaseOptions {
        rdb: c.aof_use_rdb_preamble.then_some(rdb),
        timestamp,
        compress: c.rdbcompression,
        encodings: rdbfile::encodings(c),
    };
    let file = File::create(path)?;
    let mut w = BufWriter::with_capacity(1 << 16, file);
    let r = rewrite::write_base(&mut w, snap, &opts, on_key)
        .and_then(|_| w.flush())
        .and_then(|_| w.get_ref().sync_all());
    if r.is_err() {
        let _ = std::fs::remove_file(path);
    }
    r
}

/// Whether a rewrite is running.
pub fn rewrite_running(sh: &Shared) -> bool {
    sh.persistence.aof_rewriting.load(Ordering::Relaxed)
}

/// BGREWRITEAOF's start (Redis's `rewriteAppendOnlyFileBackground`), under
/// the keyspace lock: the next incremental file, the snapshot, the thread.
pub fn rewrite_start(
    store: &Store,
    scripts: &mut ScriptSlot,
    sh: &Arc<Shared>,
) -> Result<(), String> {
    let Some(a) = aof(sh) else {
        return Err("no AOF state".into());
    };
    let c = sh.config().clone();
    flush(sh);
    let mut st = a.lock();
    if st.running.is_some() {
        return Err("Background append only file rewriting already in progress".into());
    }
    if !st.on && !st.wait_rewrite {
        // BGREWRITEAOF with the AOF off: a base (and manifest) only.
        st.dir = aof_dir(&c);
        if let Ok(text) = std::fs::read(st.dir.join(manifest::manifest_name(&c.appendfilename))) {
            if let Ok(m) = Manifest::parse(&text) {
                st.manifest = m;
            }
        }
    }
    std::fs::create_dir_all(&st.dir).map_err(|e| e.to_string())?;
    if let Some(f) = &st.incr {
        let _ = f.sync_data();
    }
    if st.on || st.wait_rewrite {
        open_next_incr(&mut st, sh, &c, "background rewrite").map_err(|e| {
            format!(
                "Can't open new incr AOF file: {}",
                crate::cmd::io_error_text(&e)
            )
        })?;
        if st.on {
            persist_manifest(&st.dir, &c, &st.manifest).map_err(|e| e.to_string())?;
        } else {
            // Appending starts now, into the new file.
            sh.propagation.on.store(true, Ordering::Relaxed);
        }
    }
    let taken = std::time::Instant::now();
    let snap = snapshot(store, scripts);
    sh.persistence
        .snapshot_taken(taken.elapsed().as_micros() as u64);
    let result = Arc::new(Mutex::new(None));
    let cancel = Arc::new(AtomicBool::new(false));
    let tmp = Path::new(&c.dir).join(temp_name());
    let thread = {
        let (result, cancel, sh2, c2) = (result.clone(), cancel.clone(), sh.clone(), c.clone());
        std::thread::Builder::new()
            .name("aof-rewrite".into())
            .spawn(move || {
                let delay = rdbfile::key_delay(&c2);
                let mut on_key = || {
                    if let Some(d) = delay {
                        std::thread::sleep(d);
                    }
                    if cancel.load(Ordering::Relaxed) {
                        return Err(io::Error::new(
                            io::ErrorKind::Interrupted,
                            "rewrite cancelled",
                        ));
                    }
                    Ok(())
                };
                let ts = base_timestamp(&c2);
                let r =
                    write_base_file(&tmp, &snap, &c2, ts, &mut on_key).map_err(|e| e.to_string());
                if r.is_ok() {
                    sh2.logger.notice(&format!(
                        "Successfully created the temporary AOF base file {}",
                        temp_name()
                    ));
                }
                drop(snap);
                *result.lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
            })
            .map_err(|e| format!("Can't rewrite append only file in background: {e}"))?
    };
    st.running = Some(Running {
        started: Instant::now(),
        base_seq: st.manifest.base_seq + 1,
        rdb: c.aof_use_rdb_preamble,
        result,
        cancel,
        thread: Some(thread),
    });
    st.scheduled = false;
    sh.persistence.aof_rewriting.store(true, Ordering::Relaxed);
    sh.logger.notice(&format!(
        "Background append only file rewriting started by pid {}",
        std::process::id()
    ));
    Ok(())
}

/// Stops a running rewrite and waits for its thread (CONFIG SET appendonly
/// no, SHUTDOWN); its temp file is removed.
pub fn rewrite_cancel(sh: &Shared) {
    let Some(a) = aof(sh) else {
        return;
    };
    let run = a.lock().running.take();
    let Some(mut run) = run else {
        return;
    };
    sh.logger.notice("Killing running AOF rewrite child");
    run.cancel.store(true, Ordering::Relaxed);
    if let Some(t) = run.thread.take() {
        let _ = t.join();
    }
    let _ = std::fs::remove_file(Path::new(&sh.config().dir).join(temp_name()));
    sh.persistence.aof_rewriting.store(false, Ordering::Relaxed);
}

/// The AOF part of the cron, under the keyspace lock: writes what the active
/// expiry propagated, takes in a finished rewrite, starts a scheduled or
/// automatic one.
pub fn cron(store: &mut Store, scripts: &mut ScriptSlot, sh: &Arc<Shared>) {
    let Some(a) = aof(sh) else {
        return;
    };
    flush(sh);
    let done = {
        let mut st = a.lock();
        let finished = st
            .running
            .as_ref()
            .and_then(|r| r.result.lock().unwrap_or_else(|e| e.into_inner()).take());
        finished.map(|r| (r, st.running.take()))
    };
    if let Some((result, Some(run))) = done {
        rewrite_done(a, sh, result, run);
    }
    let c = sh.config().clone();
    let (scheduled, growth) = {
        let st = a.lock();
        let idle = st.running.is_none() && !sh.persistence.bgsave_running();
        let growth = (st.current_size * 100 / st.base_size.max(1)).saturating_sub(100);
        let auto = st.on
            && c.auto_aof_rewrite_percentage > 0
            && st.current_size > c.auto_aof_rewrite_min_size as u64
            && growth >= c.auto_aof_rewrite_percentage as u64;
        (idle && st.scheduled, (idle && auto).then_some(growth))
    };
    if scheduled {
        let _ = rewrite_start(store, scripts, sh);
    } else if let Some(growth) = growth {
        sh.logger.notice(&format!(
            "Starting automatic rewriting of AOF on {growth}% growth"
        ));
        let _ = rewrite_start(store, scripts, sh);
    }
}

/// Takes in a finished rewrite (Redis's `backgroundRewriteDoneHandler`).
fn rewrite_done(a: &Aof, sh: &Shared, result: Result<(), String>, mut run: Running) {
    if let Some(t) = run.thread.take() {
        let _ = t.join();
    }
    sh.persistence.aof_rewriting.store(false, Ordering::Relaxed);
    let c = sh.config().clone();
    let mut st = a.lock();
    st.last_rewrite_secs = run.started.elapsed().as_secs() as i64;
    let tmp = Path::new(&c.dir).join(temp_name());
    if let Err(e) = result {
        sh.logger.warning(&format!(
            "Background AOF rewrite terminated with error: {e}"
        ));
        let _ = std::fs::remove_file(&tmp);
        st.last_rewrite_ok = false;
        st.failures += 1;
        return;
    }
    sh.logger
        .notice("Background AOF rewrite terminated with success");
    let name = manifest::base_name(&c.appendfilename, run.base_seq, run.rdb);
    if let Err(e) = std::fs::rename(&tmp, st.dir.join(&name)) {
        sh.logger.warning(&format!(
            "Error trying to rename the temporary AOF base file {} into {name}: {}",
            temp_name(),
            crate::cmd::io_error_text(&e)
        ));
        let _ = std::fs::remove_file(&tmp);
        st.last_rewrite_ok = false;
        st.failures += 1;
        return;
    }
    sh.logger.notice(&format!(
        "Successfully renamed the temporary AOF base file {} into {name}",
        temp_name()
    ));
    let base_size = std::fs::metadata(st.dir.join(&name)).map_or(0, |m| m.len());
    // The old base and every incremental file but the newest become history,
    // ahead of older history in 7.0's order: the incremental files, then the
    // base (it puts the base at the head of its list, then each file from
    // the newest back).
    let mut m = st.manifest.clone();
    let mut history = Vec::new();
    let keep = usize::from(st.on || st.wait_rewrite);
    let older = m.incrs.len().saturating_sub(keep);
    for mut e in m.incrs.drain(..older) {
        e.kind = Kind::History;
        history.push(e);
    }
    if let Some(mut old) = m.base.take() {
        old.kind = Kind::History;
        history.push(old);
    }
    history.append(&mut m.history);
    m.history = history;
    m.base = Some(FileEntry {
        name,
        seq: run.base_seq,
        kind: Kind::Base,
    });
    m.base_seq = run.base_seq;
    if let Err(e) = persist_manifest(&st.dir, &c, &m) {
        sh.logger.warning(&format!(
            "Can't persist the AOF manifest after the rewrite: {e}"
        ));
        st.last_rewrite_ok = false;
        st.failures += 1;
        return;
    }
    st.manifest = m;
    let incr_size = st
        .manifest
        .incrs
        .last()
        .and_then(|e| std::fs::metadata(st.dir.join(&e.name)).ok())
        .map_or(0, |m| m.len());
    st.base_size = base_size;
    st.current_size = base_size + incr_size;
    if st.wait_rewrite {
        st.wait_rewrite = false;
        st.on = true;
    }
    delete_history(&mut st, sh, &c);
    st.last_rewrite_ok = true;
    st.failures = 0;
    st.rewrites += 1;
    sh.logger
        .notice("Background AOF rewrite finished successfully");
}

/// Asks for a rewrite as soon as nothing else runs (BGREWRITEAOF while a
/// BGSAVE runs, or inside MULTI).
pub fn schedule(sh: &Shared) {
    if let Some(a) = aof(sh) {
        a.lock().scheduled = true;
    }
}

/// CONFIG SET appendonly yes|no (Redis's `startAppendOnly`/`stopAppendOnly`).
fn switch(ctx: &mut Ctx<'_>, on: bool) -> Result<(), String> {
    let sh = ctx.shared.clone();
    let Some(a) = aof(&sh) else {
        return Ok(());
    };
    if on {
        {
            let mut st = a.lock();
            if st.on || st.wait_rewrite {
                return Ok(());
            }
            let c = sh.config().clone();
            st.dir = aof_dir(&c);
            std::fs::create_dir_all(&st.dir).map_err(|e| e.to_string())?;
            st.manifest = std::fs::read(st.dir.join(manifest::manifest_name(&c.appendfilename)))
                .ok()
                .and_then(|t| Manifest::parse(&t).ok())
                .unwrap_or_default();
            st.wait_rewrite = true;
            st.incr = None;
            if st.fsync_err.take().is_some() {
                sh.logger
                    .warning("AOF reopen, just ignore the AOF fsync error in bio job");
            }
            if st.write_err.take().is_some() {
                sh.logger.warning("AOF reopen, just ignore the last error.");
            }
            publish_status(&st, &sh);
        }
        // Later, from the cron, as 7.0 decides (with its words).
        let busy = if sh.persistence.bgsave_running() {
            Some("AOF was enabled but there is already another background operation")
        } else if ctx.client.tx.running {
            Some("AOF was enabled during a transaction")
        } else {
            None
        };
        if let Some(why) = busy {
            sh.logger.warning(&format!(
                "{why}. An AOF background was scheduled to start when possible."
            ));
            schedule(&sh);
            return Ok(());
        }
        if let Err(e) = rewrite_start(ctx.store, ctx.scripts, &sh) {
            a.lock().wait_rewrite = false;
            sh.propagation.on.store(false, Ordering::Relaxed);
            sh.logger.warning(&format!(
                "Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. ({e})"
            ));
            return Err("Failed to enable AOF".into());
        }
        crate::cmd::notify::flush_expired(ctx.store, &sh);
        return Ok(());
    }
    flush(&sh);
    rewrite_cancel(&sh);
    sh.propagation.on.store(false, Ordering::Relaxed);
    crate::cmd::propagate::reset(&sh);
    let mut st = a.lock();
    if let Some(f) = st.incr.take() {
        let _ = f.sync_data();
    }
    st.on = false;
    st.wait_rewrite = false;
    st.scheduled = false;
    publish_status(&st, &sh);
    Ok(())
}

/// DEBUG LOADAOF (7.0): the AOF written and synced, the keyspace emptied and
/// loaded again from the files the manifest on disk names (history files
/// deleted first, an old single file taken in as at startup). As in 7.0, the
/// server exits (status 1) when that load does not end cleanly: no AOF to
/// load (also with `appendonly no`), a bad manifest, a damaged file, or a
/// torn last command even when `aof-load-truncated yes` cut it.
fn debug_loadaof(ctx: &mut Ctx<'_>) -> Result<(), String> {
    let sh = ctx.shared.clone();
    flush(&sh);
    let Some(a) = aof(&sh) else {
        return Ok(());
    };
    if let Some(f) = a.lock().incr.clone() {
        let _ = f.sync_data();
    }
    let _old = ctx.store.flush_all();
    let fail = |why: Option<String>| -> ! {
        if let Some(why) = why {
            sh.logger.warning(&why);
        }
        std::process::exit(1)
    };
    let c = sh.config().clone();
    let dir = aof_dir(&c);
    let dir_existed = dir.is_dir();
    let mut m = match std::fs::read(dir.join(manifest::manifest_name(&c.appendfilename))) {
        Ok(text) => Manifest::parse(&text).unwrap_or_else(|e| fail(Some(e))),
        Err(_) => Manifest::default(),
    };
    if needs_upgrade(&c, &dir, dir_existed, &m) {
        m = upgrade(&sh, &c, &dir).unwrap_or_else(|e| fail(Some(e)));
    }
    if !c.aof_disable_auto_gc && !m.history.is_empty() {
        let mut st = a.lock();
        if st.on && st.dir == dir {
            st.manifest.history.clear();
        }
        for h in std::mem::take(&mut m.history) {
            sh.logger.notice(&format!(
                "Removing the history file {} in the background",
                h.name
            ));
            let _ = std::fs::remove_file(dir.join(&h.name));
        }
        let _ = persist_manifest(&dir, &c, &m);
    }
    if m.data_files().is_empty() {
        fail(None);
    }
    // Replayed commands are not written again.
    let was = sh.propagation.on.swap(false, Ordering::Relaxed);
    let mut target = load::Target {
        store: &mut *ctx.store,
        blocked: &mut *ctx.blocked,
        scripts: &mut *ctx.scripts,
    };
    let r = load::load_files(&mut target, &sh, &dir, &m);
    sh.propagation.on.store(was, Ordering::Relaxed);
    match r {
        Ok(loaded) if !loaded.truncated => {}
        Ok(_) => fail(None),
        Err(e) => fail(Some(e)),
    }
    ctx.store.dirty = 0;
    sh.logger
        .warning("Append Only File loaded by DEBUG LOADAOF");
    Ok(())
}

/// At shutdown: the last bytes written and synced, a rewrite stopped.
pub fn shutdown(sh: &Shared) {
    flush(sh);
    rewrite_cancel(sh);
    if let Some(a) = aof(sh) {
        if let Some(f) = a.lock().incr.clone() {
            sh.logger.notice("Calling fsync() on the AOF file.");
            let _ = f.sync_data();
        }
    }
}

/// INFO's `aof_*` lines, as 7.0 prints them.
fn info(sh: &Shared) -> String {
    let Some(a) = aof(sh) else {
        return crate::cmd::persistence::AOF_OFF_INFO.to_string();
    };
    let st = a.lock();
    let enabled = st.on || st.wait_rewrite;
    let current = st
        .running
        .as_ref()
        .map_or(-1, |r| r.started.elapsed().as_secs() as i64);
    let mut s = format!(
        "aof_enabled:{}\r\naof_rewrite_in_progress:{}\r\naof_rewrite_scheduled:{}\r\n\
         aof_last_rewrite_time_sec:{}\r\naof_current_rewrite_time_sec:{current}\r\n\
         aof_last_bgrewrite_status:{}\r\naof_rewrites:{}\r\n\
         aof_rewrites_consecutive_failures:{}\r\naof_last_write_status:{}\r\n\
         aof_last_cow_size:0\r\nmodule_fork_in_progress:0\r\nmodule_fork_last_cow_size:0\r\n",
        u8::from(enabled),
        u8::from(st.running.is_some()),
        u8::from(st.scheduled),
        st.last_rewrite_secs,
        if st.last_rewrite_ok { "ok" } else { "err" },
        st.rewrites,
        st.failures,
        if st.write_err.is_none() && st.fsync_err.is_none() {
            "ok"
        } else {
            "err"
        },
    );
    if enabled {
        let pending = sh.propagation.feed().buf.len();
        s.push_str(&format!(
            "aof_current_size:{}\r\naof_base_size:{}\r\naof_pending_rewrite:{}\r\n\
             aof_buffer_length:{pending}\r\naof_pending_bio_fsync:0\r\naof_delayed_fsync:0\r\n",
            st.current_size,
            st.base_size,
            u8::from(st.scheduled),
        ));
    }
    s
}
