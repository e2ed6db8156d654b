//! The RDB file on disk: SAVE, BGSAVE, the `save` points, loading at startup,
//! DEBUG RELOAD and the final save of SHUTDOWN (Redis's `rdbSave`,
//! `rdbSaveBackground`, `rdbLoad` and the save part of `serverCron`).
//!
//! The file is `dir`/`dbfilename`. A save writes `temp-<pid>.rdb` (a
//! background one `temp-<pid>-bg.rdb`) in `dir`, syncs it to the disk, and
//! renames it over the old file, so a crash mid-save leaves the last good file.
//!
//! # BGSAVE without fork
//!
//! Redis forks: the child has a frozen view of memory, and the kernel copies a
//! page when either side writes to it. Ferrous has no `fork` (std only, no
//! `unsafe`), so it takes the point-in-time view itself. Under the keyspace lock
//! it copies each database's entry array (key, value handle, TTL, access time:
//! a pass of pointer copies, no value is copied) and the function libraries'
//! code; the lock is released and a thread writes that snapshot. Every value
//! payload sits behind an `Arc`, and every in-place change of a value goes
//! through `Arc::make_mut` (see `store/value.rs`), so a value the server changes
//! while the snapshot holds it is copied once, at its first change: the
//! copy-on-write of `fork`, at the granularity of a value instead of a page. The
//! snapshot costs the entry arrays (about 64 bytes a key) plus the values
//! changed during the save; the longest pause a client sees is the copy of the
//! arrays. `docs/persistence.md` has the measurements and the alternatives.
//!
//! A finished background save reports to the status (`cmd::persistence`); the
//! server's cron, under the keyspace lock, then takes the result in as Redis's
//! `backgroundSaveDoneHandler` does (changes made since the snapshot stay
//! counted), starts a scheduled BGSAVE, and checks the save points.
use super::rdb::load::{self, FileOptions};
use super::rdb::save::{save_entries, SaveOptions};
use super::rdb::value_load::LoadOptions;
use super::rdb::Encodings;
use crate::cmd::config::Config;
use crate::cmd::io_error_text as os_error_text;
use crate::cmd::persistence::{ReloadOptions, Running};
use crate::cmd::{Ctx, ScriptSlot, Shared};
use crate::scripting::engine;
use crate::store::table::{Frozen, View};
use crate::store::Store;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Seconds before a failed background save is retried by the save points
/// (Redis's `CONFIG_BGSAVE_RETRY_DELAY`).
const RETRY_DELAY: u64 = 5;

/// The encoding thresholds in a configuration.
pub fn encodings(c: &Config) -> Encodings {
    Encodings {
        hash_max_listpack_entries: c.hash_max_listpack_entries,
        hash_max_listpack_value: c.hash_max_listpack_value,
        set_max_intset_entries: c.set_max_intset_entries,
        zset_max_listpack_entries: c.zset_max_listpack_entries,
        zset_max_listpack_value: c.zset_max_listpack_value,
        list_max_listpack_size: c.list_max_listpack_size,
    }
}

/// `dir`/`dbfilename`.
pub fn rdb_path(c: &Config) -> PathBuf {
    Path::new(&c.dir).join(&c.dbfilename)
}

fn unix_now() -> u64 {
    crate::store::now_ms() / 1000
}

/// How this server writes its files now.
pub(crate) fn save_options(c: &Config) -> SaveOptions {
    let now = crate::store::now_ms();
    SaveOptions {
        compress: c.rdbcompression,
        checksum: c.rdbchecksum,
        encodings: encodings(c),
        redis_ver: crate::cmd::REDIS_VERSION.to_string(),
        ctime: now / 1000,
        used_mem: crate::cmd::memory::resident_bytes(),
        aof_base: false,
        lru_clock: c
            .maxmemory_policy
            .contains("lru")
            .then(|| crate::store::expire::lru_clock(now)),
    }
}

/// What a save writes, in the order it writes it.
struct Snapshot<'a> {
    dbs: Vec<View<'a>>,
    functions: Vec<&'a [u8]>,
}

/// The dir a message names: absolute when it can be.
fn shown_dir(dir: &str) -> String {
    std::fs::canonicalize(dir)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| dir.to_string())
}

/// Writes `snap` to `dir`/`tmp_name`, syncs it and renames it to `final_name`.
/// The error is the log line, in Redis's words.
fn write_file(
    c: &Config,
    tmp_name: &str,
    snap: &Snapshot<'_>,
    opts: &SaveOptions,
    on_key: &mut dyn FnMut() -> io::Result<()>,
) -> Result<(), String> {
    let dir = Path::new(&c.dir);
    let tmp = dir.join(tmp_name);
    let file = File::create(&tmp).map_err(|e| {
        format!(
            "Failed opening the temp RDB file {tmp_name} (in server root dir {}) for saving: {}",
            shown_dir(&c.dir),
            os_error_text(&e)
        )
    })?;
    let mut w = BufWriter::with_capacity(1 << 16, file);
    let written = save_entries(&mut w, &snap.dbs, &snap.functions, opts, on_key)
        .and_then(|_| w.flush())
        .and_then(|_| w.get_ref().sync_all());
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!(
            "Write error saving DB on disk: {}",
            os_error_text(&e)
        ));
    }
    drop(w);
    if let Err(e) = std::fs::rename(&tmp, dir.join(&c.dbfilename)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!(
            "Error moving temp DB file {tmp_name} on the final destination {} (in server root dir {}): {}",
            c.dbfilename,
            shown_dir(&c.dir),
            os_error_text(&e)
        ));
    }
    Ok(())
}

/// The per-key pause of `rdb-key-save-delay` (microseconds; negative:
/// nanoseconds... Redis busy-waits; a sleep is as good here).
pub(crate) fn key_delay(c: &Config) -> Option<std::time::Duration> {
    match c.rdb_key_save_delay {
        d if d > 0 => Some(std::time::Duration::from_micros(d as u64)),
        d if d < 0 => Some(std::time::Duration::from_nanos(u64::from(d.unsigned_abs()))),
        _ => None,
    }
}

/// The function libraries' code, to save with the keys.
pub(crate) fn library_codes(scripts: &mut ScriptSlot) -> Vec<Vec<u8>> {
    engine::state(scripts)
        .functions()
        .library_codes()
        .into_iter()
        .map(<[u8]>::to_vec)
        .collect()
}

/// SAVE: writes the dataset now, holding the keyspace (Redis's `rdbSave`).
/// On success the change counter restarts and LASTSAVE moves. The error is
/// logged and returned.
pub fn save_now(store: &mut Store, scripts: &mut ScriptSlot, sh: &Shared) -> Result<(), String> {
    let c = sh.config().clone();
    let codes = library_codes(scripts);
    let snap = Snapshot {
        dbs: store.dbs().iter().map(|d| d.table.view()).collect(),
        functions: codes.iter().map(Vec::as_slice).collect(),
    };
    let delay = key_delay(&c);
    let mut on_key = || {
        if let Some(d) = delay {
            std::thread::sleep(d);
        }
        Ok(())
    };
    let tmp = format!("temp-{}.rdb", std::process::id());
    let result = write_file(&c, &tmp, &snap, &save_options(&c), &mut on_key);
    {
        let mut st = sh.persistence.state();
        st.rdb_saves += 1;
        if result.is_ok() {
            st.lastsave = unix_now();
            st.last_bgsave_ok = true;
        }
    }
    match &result {
        Ok(()) => {
            store.dirty = 0;
            sh.logger.notice("DB saved on disk");
        }
        Err(e) => sh.logger.warning(e),
    }
    sh.persistence.update_refusal(&c);
    result
}

/// BGSAVE: takes the snapshot and starts the thread that writes it (Redis's
/// `rdbSaveBackground`). `Err` when one is already running or the thread
/// cannot start.
pub fn bgsave_start(
    store: &Store,
    scripts: &mut ScriptSlot,
    sh: &Arc<Shared>,
) -> Result<(), String> {
    if sh.persistence.bgsave_running() {
        return Err("Background save already in progress".into());
    }
    let c = sh.config().clone();
    let taken = Instant::now();
    let dbs: Vec<Frozen> = store.dbs().iter().map(|d| d.table.freeze()).collect();
    let codes = library_codes(scripts);
    let copy_us = taken.elapsed().as_micros();
    sh.persistence.snapshot_taken(copy_us as u64);
    let keys_total = dbs.iter().map(|d| d.len() as u64).sum();
    let keys_done = Arc::new(AtomicU64::new(0));
    let result = Arc::new(Mutex::new(None));
    let cancel = Arc::new(AtomicBool::new(false));
    let opts = save_options(&c);
    let thread = {
        let (keys_done, result, cancel, sh) = (
            keys_done.clone(),
            result.clone(),
            cancel.clone(),
            sh.clone(),
        );
        std::thread::Builder::new()
            .name("bgsave".into())
            .spawn(move || {
                let delay = key_delay(&c);
                let mut on_key = || {
                    keys_done.fetch_add(1, Ordering::Relaxed);
                    if let Some(d) = delay {
                        std::thread::sleep(d);
                    }
                    if cancel.load(Ordering::Relaxed) {
                        return Err(io::Error::new(io::ErrorKind::Interrupted, "save cancelled"));
                    }
                    Ok(())
                };
                let snap = Snapshot {
                    dbs: dbs.iter().map(Frozen::view).collect(),
                    functions: codes.iter().map(Vec::as_slice).collect(),
                };
                let tmp = format!("temp-{}-bg.rdb", std::process::id());
                let r = write_file(&c, &tmp, &snap, &opts, &mut on_key);
                match &r {
                    Ok(()) => sh.logger.notice("DB saved on disk"),
                    Err(e) if !cancel.load(Ordering::Relaxed) => sh.logger.warning(e),
                    Err(_) => {}
                }
                // the snapshot's value handles go before the result is seen
                drop(snap);
                drop(dbs);
                *result.lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
            })
            .map_err(|e| format!("Can't save in background: {e}"))?
    };
    let mut st = sh.persistence.state();
    st.rdb_saves += 1;
    st.last_bgsave_try = unix_now();
    st.dirty_before_bgsave = store.dirty;
    st.scheduled = false;
    st.running = Some(Running {
        started: taken,
        keys_total,
        keys_done,
        result,
        cancel,
        thread: Some(thread),
    });
    drop(st);
    sh.logger.notice(&format!(
        "Background saving started by pid {} (snapshot of {keys_total} keys taken in {copy_us} us)",
        std::process::id()
    ));
    Ok(())
}

/// Stops a running background save and waits for its thread (FLUSHALL,
/// SHUTDOWN): its file is not renamed and its result not taken in.
pub fn bgsave_cancel(sh: &Shared) {
    let thread = {
        let mut st = sh.persistence.state();
        let Some(r) = st.running.as_mut() else {
            return;
        };
        r.cancel.store(true, Ordering::Relaxed);
        let t = r.thread.take();
        st.running = None;
        t
    };
    if let Some(t) = thread {
        let _ = t.join();
    }
    let _ = std::fs::remove_file(
        Path::new(&sh.config().dir).join(format!("temp-{}-bg.rdb", std::process::id())),
    );
    sh.logger.notice("Background saving cancelled");
}

/// The save part of the cron (under the keyspace lock): take in a finished
/// background save, start a scheduled one, check the save points.
pub fn cron(store: &mut Store, scripts: &mut ScriptSlot, sh: &Arc<Shared>) {
    let now = unix_now();
    let mut st = sh.persistence.state();
    if let Some(r) = st.running.as_mut() {
        let done = r.result.lock().unwrap_or_else(|e| e.into_inner()).take();
        let Some(result) = done else {
            return;
        };
        let thread = r.thread.take();
        let secs = r.started.elapsed().as_secs() as i64;
        st.running = None;
        st.last_bgsave_time_sec = secs;
        match result {
            Ok(()) => {
                store.dirty = store.dirty.saturating_sub(st.dirty_before_bgsave);
                st.lastsave = now;
                st.last_bgsave_ok = true;
                sh.logger
                    .notice("Background saving terminated with success");
            }
            Err(_) => {
                st.last_bgsave_ok = false;
                sh.logger.warning("Background saving error");
            }
        }
        drop(st);
        if let Some(t) = thread {
            let _ = t.join();
        }
        sh.persistence.update_refusal(&sh.config());
        st = sh.persistence.state();
    }
    // An AOF rewrite is Redis's other child: nothing starts beside it.
    if super::aof::rewrite_running(sh) {
        return;
    }
    let retry_ok = st.last_bgsave_ok || now.saturating_sub(st.last_bgsave_try) > RETRY_DELAY;
    let scheduled = st.scheduled && retry_ok;
    let (lastsave, dirty) = (st.lastsave, store.dirty);
    drop(st);
    if scheduled {
        let _ = bgsave_start(store, scripts, sh);
        return;
    }
    let points = save_points(&sh.config().save);
    for (secs, changes) in points {
        if dirty >= changes && now.saturating_sub(lastsave) > secs && retry_ok {
            sh.logger
                .notice(&format!("{changes} changes in {secs} seconds. Saving..."));
            let _ = bgsave_start(store, scripts, sh);
            break;
        }
    }
}

/// Loads `dir`/`dbfilename` into an empty keyspace at startup (Redis's
/// `loadDataFromDisk`). No file is not an error; a damaged one is, and its
/// text names the file and the offset.
pub fn load_at_startup(
    store: &mut Store,
    scripts: &mut ScriptSlot,
    sh: &Shared,
) -> Result<(), String> {
    let c = sh.config().clone();
    let path = rdb_path(&c);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(format!(
                "Fatal error loading the DB: {}. Exiting.",
                os_error_text(&e)
            ))
        }
    };
    let started = Instant::now();
    load_into(store, scripts, sh, &c, &bytes, ReloadOptions::default()).map_err(|e| {
        format!(
            "Fatal error loading the DB, RDB file '{}': {e}. Exiting.",
            path.display()
        )
    })?;
    sh.logger.notice(&format!(
        "DB loaded from disk: {:.3} seconds",
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}

/// Loads an RDB file's bytes into the keyspace: all or nothing (the file is
/// read into a fresh store first). Without `noflush`, the keyspace and the
/// function libraries are replaced; with it the file's keys are added (a key
/// already present is an error, or replaced under `merge`).
pub(crate) fn load_into(
    store: &mut Store,
    scripts: &mut ScriptSlot,
    sh: &Shared,
    c: &Config,
    bytes: &[u8],
    how: ReloadOptions,
) -> Result<usize, String> {
    load_rdb(store, scripts, sh, c, bytes, how, false)
}

/// [`load_into`], or with `preamble` an AOF base's RDB part (expired keys are
/// kept, as the commands after it may touch them); returns the bytes the RDB
/// took.
pub(crate) fn load_rdb(
    store: &mut Store,
    scripts: &mut ScriptSlot,
    sh: &Shared,
    c: &Config,
    bytes: &[u8],
    how: ReloadOptions,
    preamble: bool,
) -> Result<usize, String> {
    let mut opts = FileOptions {
        values: LoadOptions {
            encodings: encodings(c),
            deep: c.sanitize_dump_payload == "yes",
        },
        databases: c.databases,
        verify_checksum: c.rdbchecksum && !sh.skip_checksum.load(Ordering::Relaxed),
        ..FileOptions::default()
    };
    if preamble {
        opts.drop_expired_before = None;
    }
    let mut loaded = load::load(bytes, &opts).map_err(|e| e.to_string())?;
    for (k, v) in &loaded.aux {
        let v = String::from_utf8_lossy(v);
        match k.as_slice() {
            b"redis-ver" => sh
                .logger
                .notice(&format!("Loading RDB produced by version {v}")),
            b"ctime" => {
                let age = unix_now() as i64 - v.parse::<i64>().unwrap_or(0);
                sh.logger.notice(&format!("RDB age {age} seconds"));
            }
            b"used-mem" => {
                let mb = v.parse::<f64>().unwrap_or(0.0) / (1024.0 * 1024.0);
                sh.logger
                    .notice(&format!("RDB memory usage when created {mb:.2} Mb"));
            }
            _ => {}
        }
    }
    let mut functions = load::load_functions(&loaded.functions)?;
    if how.noflush {
        let old = engine::state(scripts).functions();
        for code in old.library_codes() {
            // the file's libraries win under MERGE, the old ones otherwise
            let _ = functions.load_library(code);
        }
    }
    if how.noflush {
        for n in 0..store.db_count().min(loaded.store.db_count()) {
            for (e, at) in loaded.store.db(n).table.view().iter() {
                let db = store.db(n);
                if !how.merge && db.table.find(&e.key).is_some() {
                    return Err(format!(
                        "duplicated key '{}' in DB {n}",
                        String::from_utf8_lossy(&e.key)
                    ));
                }
                let i = db.set(&e.key, e.value.clone(), false);
                if at != 0 {
                    db.set_expire(i, at);
                }
                db.table.set_lru(i, e.lru());
            }
        }
    } else {
        let _old = store.flush_all();
        for n in 0..store.db_count().min(loaded.store.db_count()) {
            store.db(n).table = std::mem::take(&mut loaded.store.db(n).table);
        }
    }
    *engine::state(scripts).functions() = functions;
    sh.logger.notice(&format!(
        "Done loading RDB, keys loaded: {}, keys expired: {}.",
        loaded.keys_loaded, loaded.keys_expired
    ));
    let mut st = sh.persistence.state();
    st.last_load_keys_loaded = loaded.keys_loaded;
    st.last_load_keys_expired = loaded.keys_expired;
    Ok(loaded.consumed)
}

/// DEBUG RELOAD: save (unless NOSAVE), then load the file back.
pub fn debug_reload(ctx: &mut Ctx<'_>, how: ReloadOptions) -> Result<(), String> {
    let sh = ctx.shared.clone();
    if !how.nosave {
        bgsave_cancel(&sh);
        save_now(ctx.store, ctx.scripts, &sh)
            .map_err(|_| "Error trying to save the DB".to_string())?;
    }
    let c = sh.config().clone();
    let bytes = std::fs::read(rdb_path(&c))
        .map_err(|_| "Error trying to load the RDB dump, check server logs.".to_string())?;
    if let Err(e) = load_into(ctx.store, ctx.scripts, &sh, &c, &bytes, how) {
        sh.logger
            .warning(&format!("Error loading the RDB dump: {e}"));
        return Err("Error trying to load the RDB dump, check server logs.".into());
    }
    sh.logger.notice("DB reloaded by DEBUG RELOAD");
    Ok(())
}

/// The `save` hook of the lower layers: cancels a background save, then
/// saves now (FLUSHALL with save points, SHUTDOWN).
pub fn save_hook(ctx: &mut Ctx<'_>) -> Result<(), String> {
    let sh = ctx.shared.clone();
    bgsave_cancel(&sh);
    save_now(ctx.store, ctx.scripts, &sh)
}

/// The bytes `v` takes in an RDB file under `c`: its DUMP payload without
/// the type byte, the RDB version and the CRC-64 (Redis's `rdbSavedObjectLen`).
fn serialized_len(v: &crate::store::Value, c: &Config) -> usize {
    super::dump::dump(v, c.rdbcompression, encodings(c))
        .len()
        .saturating_sub(11)
}

/// Fills the hooks `cmd` calls (see `cmd::persistence::SaveHooks`).
pub fn install_hooks(sh: &Shared) {
    let _ = sh.persistence.hooks.save.set(save_hook);
    let _ = sh.persistence.hooks.reload.set(debug_reload);
    let _ = sh.persistence.hooks.serialized_len.set(serialized_len);
}

/// The save points of a `save` value as the config table keeps it (pairs of
/// numbers, checked when set): (seconds, changes).
fn save_points(value: &str) -> Vec<(u64, u64)> {
    let nums: Vec<u64> = value.split(' ').filter_map(|w| w.parse().ok()).collect();
    nums.chunks_exact(2).map(|p| (p[0], p[1])).collect()
}
