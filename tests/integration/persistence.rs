//! The RDB file on disk over TCP: SAVE, BGSAVE (a point-in-time snapshot while
//! the server keeps serving), save points, loading at startup, SHUTDOWN's
//! final save, FLUSHALL, DEBUG RELOAD, MISCONF. Error texts and INFO fields
//! are redis-server 7.0.15's (checked against it by hand: the same requests,
//! the same bytes).
//!
//! Each test works in its own temp dir (`support::temp_dir`), passed as
//! `--dir`, so a second server started on the same dir loads what the first
//! one saved.
use super::support::{start_server_with, temp_dir, Conn, TestServer};
use std::time::{Duration, Instant};

fn info_field(c: &mut Conn, name: &str) -> String {
    let info = c.q("info persistence");
    info.split("\r\n")
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .unwrap_or_else(|| panic!("no {name} in {info}"))
        .to_string()
}

fn server_in(dir: &std::path::Path, extra: &[&str]) -> TestServer {
    let d = dir.to_str().expect("utf-8 temp path");
    let mut args = vec!["--dir", d, "--enable-debug-command", "yes"];
    args.extend_from_slice(extra);
    start_server_with(&args)
}

/// Waits until no background save runs (as the Tcl suite's `waitForBgsave`).
fn wait_for_bgsave(c: &mut Conn) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while info_field(c, "rdb_bgsave_in_progress") != "0" {
        assert!(Instant::now() < deadline, "BGSAVE did not end");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn save_then_restart_loads_keys_ttls_and_functions() {
    let dir = temp_dir("persist-save");
    {
        let srv = server_in(&dir, &[]);
        let mut c = srv.connect();
        assert_eq!(c.q("set s hello"), "+OK\r\n");
        assert_eq!(c.q("set n 12345"), "+OK\r\n");
        assert_eq!(c.q("rpush l a b c"), ":3\r\n");
        assert_eq!(c.q("hset h f v"), ":1\r\n");
        assert_eq!(c.q("zadd z 1.5 m"), ":1\r\n");
        assert_eq!(c.q("sadd st 1 2 3"), ":3\r\n");
        assert_eq!(c.q("xadd x 1-1 f v"), "$3\r\n1-1\r\n");
        assert_eq!(c.q("set ttl v px 100000"), "+OK\r\n");
        assert_eq!(c.q("select 3"), "+OK\r\n");
        assert_eq!(c.q("set in3 x"), "+OK\r\n");
        let lib = b"#!lua name=lib\nredis.register_function('f', function() return 7 end)";
        assert_eq!(c.cmd(&[b"function", b"load", lib]), b"$3\r\nlib\r\n");
        // as redis-server 7.0.15 counts them: one per element added, one for
        // FUNCTION LOAD
        assert_eq!(info_field(&mut c, "rdb_changes_since_last_save"), "14");
        let before = c.q("lastsave");
        std::thread::sleep(Duration::from_millis(1100));
        assert_eq!(c.q("save"), "+OK\r\n");
        assert_ne!(c.q("lastsave"), before);
        assert_eq!(info_field(&mut c, "rdb_changes_since_last_save"), "0");
        assert_eq!(info_field(&mut c, "rdb_last_bgsave_status"), "ok");
        // LASTSAVE takes no argument
        assert_eq!(
            c.q("lastsave x"),
            "-ERR wrong number of arguments for 'lastsave' command\r\n"
        );
    }
    assert!(dir.join("dump.rdb").exists());
    let srv = server_in(&dir, &[]);
    let mut c = srv.connect();
    assert_eq!(c.q("get s"), "$5\r\nhello\r\n");
    assert_eq!(c.q("object encoding n"), "$3\r\nint\r\n");
    assert_eq!(
        c.q("lrange l 0 -1"),
        "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"
    );
    assert_eq!(c.q("hget h f"), "$1\r\nv\r\n");
    assert_eq!(c.q("zscore z m"), "$3\r\n1.5\r\n");
    assert_eq!(c.q("scard st"), ":3\r\n");
    assert_eq!(c.q("xlen x"), ":1\r\n");
    let ttl = c.q("pttl ttl");
    let ms: i64 = ttl[1..ttl.len() - 2].parse().expect("a TTL");
    assert!(ms > 90_000 && ms <= 100_000, "{ttl}");
    assert_eq!(c.q("fcall f 0"), ":7\r\n");
    assert_eq!(c.q("select 3"), "+OK\r\n");
    assert_eq!(c.q("get in3"), "$1\r\nx\r\n");
    assert_eq!(info_field(&mut c, "rdb_last_load_keys_loaded"), "9");
    drop(srv);
    let _ = std::fs::remove_dir_all(&dir);
}

/// BGSAVE writes the dataset as it was when it started, while the server
/// goes on answering and changing it; one at a time.
#[test]
fn bgsave_is_a_point_in_time_snapshot_and_the_server_keeps_serving() {
    let dir = temp_dir("persist-bg");
    {
        let srv = server_in(&dir, &["--save", ""]);
        let mut c = srv.connect();
        for i in 0..2000 {
            let k = format!("k{i}");
            assert_eq!(c.cmd(&[b"set", k.as_bytes(), b"old"]), b"+OK\r\n");
        }
        assert_eq!(c.q("rpush list a"), ":1\r\n");
        // 2000 keys at 1 ms each: the save takes about two seconds
        assert_eq!(c.q("config set rdb-key-save-delay 1000"), "+OK\r\n");
        assert_eq!(c.q("bgsave"), "+Background saving started\r\n");
        assert_eq!(
            c.q("bgsave"),
            "-ERR Background save already in progress\r\n"
        );
        assert_eq!(
            c.q("bgsave schedule"),
            "-ERR Background save already in progress\r\n"
        );
        assert_eq!(c.q("save"), "-ERR Background save already in progress\r\n");
        assert_eq!(info_field(&mut c, "rdb_bgsave_in_progress"), "1");
        assert_eq!(info_field(&mut c, "current_save_keys_total"), "2001");
        // writes during the save: answered at once, not in the file
        let t = Instant::now();
        for i in 0..2000 {
            let k = format!("k{i}");
            assert_eq!(c.cmd(&[b"set", k.as_bytes(), b"new"]), b"+OK\r\n");
        }
        assert_eq!(c.q("rpush list b"), ":2\r\n");
        assert_eq!(c.q("set added x"), "+OK\r\n");
        assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
        assert_eq!(info_field(&mut c, "rdb_bgsave_in_progress"), "1");
        wait_for_bgsave(&mut c);
        assert_eq!(info_field(&mut c, "rdb_last_bgsave_status"), "ok");
        // the changes made during the save are still to be saved
        assert_eq!(info_field(&mut c, "rdb_changes_since_last_save"), "2002");
        assert_eq!(c.q("bgsave x"), "-ERR syntax error\r\n");
    }
    let srv = server_in(&dir, &["--save", ""]);
    let mut c = srv.connect();
    assert_eq!(c.q("dbsize"), ":2001\r\n");
    assert_eq!(c.q("get k0"), "$3\r\nold\r\n");
    assert_eq!(c.q("get k1999"), "$3\r\nold\r\n");
    assert_eq!(c.q("lrange list 0 -1"), "*1\r\n$1\r\na\r\n");
    assert_eq!(c.q("exists added"), ":0\r\n");
    drop(srv);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_save_point_starts_a_bgsave() {
    let dir = temp_dir("persist-points");
    let srv = server_in(&dir, &["--save", "1 2"]);
    let mut c = srv.connect();
    assert_eq!(c.q("config get save"), "*2\r\n$4\r\nsave\r\n$3\r\n1 2\r\n");
    assert_eq!(c.q("set a 1"), "+OK\r\n");
    assert_eq!(c.q("set b 2"), "+OK\r\n");
    let deadline = Instant::now() + Duration::from_secs(10);
    while info_field(&mut c, "rdb_changes_since_last_save") != "0" {
        assert!(Instant::now() < deadline, "no save after 10 s");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(dir.join("dump.rdb").exists());
    assert_eq!(info_field(&mut c, "rdb_saves"), "1");
    for bad in ["1 2 3", "a b", "-1 5", "  ", "100 1   200 2"] {
        assert_eq!(
            c.cmd(&[b"config", b"set", b"save", bad.as_bytes()]),
            b"-ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters\r\n"
        );
    }
    drop(srv);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A failed background save stops writes (and PING) with MISCONF while
/// `stop-writes-on-bgsave-error` is on; a good save lifts it.
#[test]
fn a_failed_bgsave_refuses_writes_until_a_save_succeeds() {
    let dir = temp_dir("persist-misconf");
    std::fs::create_dir_all(dir.join("isdir")).expect("a dir in the way");
    // dbfilename is a protected config in 7.0 (as the Tcl suite's servers run).
    let srv = server_in(&dir, &["--enable-protected-configs", "yes"]);
    let mut c = srv.connect();
    let misconf = "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.\r\n";
    assert_eq!(c.q("set a 1"), "+OK\r\n");
    assert_eq!(c.q("config set dbfilename isdir"), "+OK\r\n");
    assert_eq!(c.q("bgsave"), "+Background saving started\r\n");
    wait_for_bgsave(&mut c);
    assert_eq!(info_field(&mut c, "rdb_last_bgsave_status"), "err");
    assert_eq!(c.q("set a 1"), misconf);
    assert_eq!(c.q("ping"), misconf);
    assert_eq!(c.q("get a"), "$1\r\n1\r\n");
    assert_eq!(c.q("multi"), "+OK\r\n");
    assert_eq!(c.q("set b 1"), misconf);
    assert_eq!(
        c.q("exec"),
        "-EXECABORT Transaction discarded because of previous errors.\r\n"
    );
    assert_eq!(c.q("multi"), "+OK\r\n");
    assert_eq!(c.q("get a"), "+QUEUED\r\n");
    assert_eq!(c.q("exec"), "*1\r\n$1\r\n1\r\n");
    assert_eq!(c.q("save"), "-ERR\r\n");
    assert_eq!(
        c.q("config set dbfilename a/b"),
        "-ERR CONFIG SET failed (possibly related to argument 'dbfilename') - dbfilename can't be a path, just a filename\r\n"
    );
    assert_eq!(
        c.q("config set dir /nonexistent-ferrous-dir"),
        "-ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory\r\n"
    );
    assert_eq!(c.q("config set stop-writes-on-bgsave-error no"), "+OK\r\n");
    assert_eq!(c.q("set a 2"), "+OK\r\n");
    assert_eq!(c.q("config set stop-writes-on-bgsave-error yes"), "+OK\r\n");
    assert_eq!(c.q("set a 2"), misconf);
    assert_eq!(c.q("config set dbfilename d.rdb"), "+OK\r\n");
    assert_eq!(c.q("save"), "+OK\r\n");
    assert_eq!(c.q("set a 3"), "+OK\r\n");
    drop(srv);
    let _ = std::fs::remove_dir_all(&dir);
}

/// SHUTDOWN saves when save points are set (or SAVE is given), not with
/// NOSAVE; FLUSHALL with save points saves the empty dataset at once.
#[test]
fn shutdown_saves_and_flushall_resets_the_file() {
    let dir = temp_dir("persist-shutdown");
    {
        let srv = server_in(&dir, &[]);
        let mut c = srv.connect();
        assert_eq!(c.q("set kept 1"), "+OK\r\n");
        assert_eq!(c.q("shutdown bogus"), "-ERR syntax error\r\n");
        c.send(b"shutdown\r\n");
        assert!(c.is_closed());
    }
    {
        let srv = server_in(&dir, &[]);
        let mut c = srv.connect();
        assert_eq!(c.q("get kept"), "$1\r\n1\r\n");
        assert_eq!(c.q("set lost 1"), "+OK\r\n");
        c.send(b"shutdown nosave\r\n");
        assert!(c.is_closed());
    }
    {
        let srv = server_in(&dir, &["--save", ""]);
        let mut c = srv.connect();
        assert_eq!(c.q("exists lost"), ":0\r\n");
        assert_eq!(c.q("set saved 1"), "+OK\r\n");
        c.send(b"shutdown save\r\n");
        assert!(c.is_closed());
    }
    {
        let srv = server_in(&dir, &[]);
        let mut c = srv.connect();
        assert_eq!(c.q("dbsize"), ":2\r\n");
        assert_eq!(c.q("flushall"), "+OK\r\n");
        // the flush is saved at once
        assert_eq!(info_field(&mut c, "rdb_changes_since_last_save"), "0");
        assert_eq!(c.cmd(&[b"config", b"set", b"save", b""]), b"+OK\r\n");
        assert_eq!(c.q("mset a 1 b 2"), "+OK\r\n");
        assert_eq!(c.q("save"), "+OK\r\n");
        // without save points: one change per key removed
        assert_eq!(c.q("flushall"), "+OK\r\n");
        assert_eq!(info_field(&mut c, "rdb_changes_since_last_save"), "2");
        assert_eq!(c.q("save"), "+OK\r\n");
    }
    let srv = server_in(&dir, &["--save", ""]);
    let mut c = srv.connect();
    assert_eq!(c.q("dbsize"), ":0\r\n");
    drop(srv);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn debug_reload_saves_and_loads_back() {
    let dir = temp_dir("persist-reload");
    let srv = server_in(&dir, &[]);
    let mut c = srv.connect();
    assert_eq!(c.q("set a 1"), "+OK\r\n");
    assert_eq!(c.q("set b 2 ex 1000"), "+OK\r\n");
    assert_eq!(c.q("debug reload"), "+OK\r\n");
    assert_eq!(c.q("get a"), "$1\r\n1\r\n");
    assert_eq!(c.q("ttl b"), ":1000\r\n");
    assert_eq!(
        c.q("debug reload x"),
        "-ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.\r\n"
    );
    // NOSAVE loads the file as it is: the key set since is gone
    assert_eq!(c.q("set c 3"), "+OK\r\n");
    assert_eq!(c.q("debug reload nosave"), "+OK\r\n");
    assert_eq!(c.q("exists c"), ":0\r\n");
    // MERGE NOFLUSH keeps what is not in the file
    assert_eq!(c.q("set c 3"), "+OK\r\n");
    assert_eq!(c.q("set a changed"), "+OK\r\n");
    assert_eq!(c.q("debug reload merge noflush nosave"), "+OK\r\n");
    assert_eq!(c.q("get a"), "$1\r\n1\r\n");
    assert_eq!(c.q("get c"), "$1\r\n3\r\n");
    drop(srv);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A damaged file stops the binary at startup (exit status 1), and the log
/// names the file and the offset; nothing is served.
#[test]
fn a_damaged_rdb_file_stops_startup() {
    let dir = temp_dir("persist-corrupt");
    {
        let srv = server_in(&dir, &["--save", ""]);
        let mut c = srv.connect();
        assert_eq!(c.q("set a 1"), "+OK\r\n");
        assert_eq!(c.q("save"), "+OK\r\n");
    }
    let good = std::fs::read(dir.join("dump.rdb")).expect("the saved file");
    std::fs::write(dir.join("cut.rdb"), &good[..good.len() - 12]).expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ferrous"))
        .args(["--port", "0", "--dir", dir.to_str().expect("utf-8")])
        .args(["--dbfilename", "cut.rdb"])
        .output()
        .expect("run ferrous");
    assert_eq!(out.status.code(), Some(1));
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(
        log.contains("Fatal error loading the DB, RDB file '")
            && log.contains("cut.rdb': ")
            && log.contains("(at offset "),
        "{log}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A file Ferrous writes with BGSAVE passes redis-check-rdb (when installed).
#[test]
fn redis_check_rdb_accepts_a_bgsave_file() {
    let Ok(out) = std::process::Command::new("redis-check-rdb")
        .arg("--version")
        .output()
    else {
        return;
    };
    let _ = out;
    let dir = temp_dir("persist-check");
    let srv = server_in(&dir, &["--save", ""]);
    let mut c = srv.connect();
    for i in 0..300 {
        let k = format!("key:{i}");
        assert_eq!(c.cmd(&[b"hset", k.as_bytes(), b"f", b"v"]), b":1\r\n");
    }
    assert_eq!(c.q("bgsave"), "+Background saving started\r\n");
    wait_for_bgsave(&mut c);
    let out = std::process::Command::new("redis-check-rdb")
        .arg(dir.join("dump.rdb"))
        .output()
        .expect("run redis-check-rdb");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("RDB looks OK!"),
        "{text}"
    );
    drop(srv);
    let _ = std::fs::remove_dir_all(&dir);
}

/// DEBUG DIGEST and DIGEST-VALUE give redis-server 7.0.15's digits
/// (recorded in `tests/transcripts/persistence.txt`).
#[test]
fn debug_digest_matches_redis() {
    const TRANSCRIPT: &str = include_str!("../transcripts/persistence.txt");
    let name = "debug_digest_matches_redis";
    let srv = start_server_with(&["--enable-debug-command", "yes"]);
    let mut c = srv.connect();
    super::transcript::replay(&mut c, &super::transcript::load(TRANSCRIPT, name), name);
}

/// Each background save or rewrite counts in INFO's `total_forks` (the
/// snapshot is Ferrous's fork), as Redis's tests watch for (unit/multi's
/// "MULTI with BGREWRITEAOF").
#[test]
fn background_snapshots_count_as_forks() {
    let dir = temp_dir("forks");
    let srv = start_server_with(&["--dir", dir.to_str().expect("utf-8"), "--save", ""]);
    let mut c = srv.connect();
    let stat = |c: &mut Conn, name: &str| {
        let info = c.q("info stats");
        let line = info
            .split("\r\n")
            .find_map(|l| l.strip_prefix(&format!("{name}:")));
        line.unwrap_or_else(|| panic!("no {name} in {info}"))
            .to_string()
    };
    assert_eq!(stat(&mut c, "total_forks"), "0");
    assert_eq!(c.q("SET k v"), "+OK\r\n");
    assert_eq!(c.q("BGSAVE"), "+Background saving started\r\n");
    wait_for_bgsave(&mut c);
    assert_eq!(stat(&mut c, "total_forks"), "1");
    assert!(stat(&mut c, "latest_fork_usec").parse::<u64>().is_ok());
    assert_eq!(
        c.q("BGREWRITEAOF"),
        "+Background append only file rewriting started\r\n"
    );
    let t = Instant::now();
    while stat(&mut c, "total_forks") != "2" {
        assert!(t.elapsed() < Duration::from_secs(20), "no rewrite counted");
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(srv);
    let _ = std::fs::remove_dir_all(&dir);
}

/// CONFIG SET appendonly yes inside a transaction schedules the rewrite that
/// starts the AOF for after EXEC (7.0's "AOF was enabled during a
/// transaction"); the cron then starts it.
#[test]
fn appendonly_turned_on_inside_exec_starts_its_rewrite_later() {
    let dir = temp_dir("aof-in-exec");
    let srv = start_server_with(&["--dir", dir.to_str().expect("utf-8"), "--save", ""]);
    let mut c = srv.connect();
    assert_eq!(c.q("MULTI"), "+OK\r\n");
    assert_eq!(c.q("SET foo bar"), "+QUEUED\r\n");
    assert_eq!(c.q("CONFIG SET appendonly yes"), "+QUEUED\r\n");
    assert_eq!(c.q("EXEC"), "*2\r\n+OK\r\n+OK\r\n");
    let t = Instant::now();
    while !c.q("INFO stats").contains("total_forks:1\r\n")
        || info_field(&mut c, "aof_rewrite_in_progress") != "0"
    {
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "the rewrite never ran"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(info_field(&mut c, "aof_enabled"), "1");
    drop(srv);
    let _ = std::fs::remove_dir_all(&dir);
}
