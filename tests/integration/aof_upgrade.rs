//! Starting 7.0-style on the single `appendonly.aof` of a Redis before 7.0:
//! the file becomes base 1 of a new `appendonlydir` under its own name
//! (`file appendonly.aof seq 1 type b`), an incremental file is opened next to
//! it, and the data loads; with an RDB preamble, the commands after it load
//! too. The manifest, the files, the log lines and the replies are what
//! redis-server 7.0.15 gave for the same files (and, where it is installed,
//! the test runs it on a copy and compares).
//!
//! The RDB-preamble file is a committed fixture: a dump redis-server 7.0.15
//! saved (`pre` = 1, hash `h`), with `SELECT 0` and `SET tail t` appended, as
//! Redis 4 to 6 wrote an AOF after a rewrite with `aof-use-rdb-preamble yes`.
use super::aof_proc::{files, read, Proc, Redis};
use super::support::temp_dir;
use std::path::Path;

/// Commands only, as Redis 6 wrote them (one database switch).
const COMMANDS_ONLY: &[u8] = b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n\
    *3\r\n$3\r\nSET\r\n$3\r\nfoo\r\n$3\r\nbar\r\n\
    *3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\na\r\n\
    *2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n\
    *3\r\n$3\r\nSET\r\n$2\r\nk3\r\n$1\r\nv\r\n";

const MANIFEST: &str = "file appendonly.aof seq 1 type b\n\
                        file appendonly.aof.1.incr.aof seq 1 type i\n";

fn preamble_fixture() -> Vec<u8> {
    let f = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/aof/pre70-preamble/appendonly.aof");
    std::fs::read(f).expect("fixture")
}

/// The notices from the migration to the incremental file, with the
/// seconds a load took as `N`.
fn startup_lines(log: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let msgs: Vec<String> = text
        .lines()
        .filter_map(|l| l.split_once(" * ").map(|(_, m)| m.to_string()))
        .map(|m| match m.rsplit_once(": ") {
            Some((head, t)) if t.ends_with(" seconds") => format!("{head}: N seconds"),
            _ => m,
        })
        .collect();
    let from = msgs
        .iter()
        .position(|m| m.starts_with("Successfully migrated"))
        .unwrap_or(msgs.len());
    let to = msgs
        .iter()
        .position(|m| m.starts_with("Creating AOF incr file"))
        .map_or(msgs.len(), |i| i + 1);
    msgs.get(from..to).unwrap_or_default().to_vec()
}

/// With `redis-server` installed: what it leaves in `appendonlydir` for the
/// same old file (the manifest and each file's bytes).
fn redis_upgrade(old: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let dir = temp_dir("aof-upgrade-redis");
    std::fs::write(dir.join("appendonly.aof"), old).ok()?;
    Redis::start(&dir, &["--appendonly", "yes"])?.shutdown();
    let aof = dir.join("appendonlydir");
    let out = files(&aof)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(aof.join(&f)).unwrap_or_default();
            (f, bytes)
        })
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    Some(out)
}

/// Starts Ferrous on `old` as `dir/appendonly.aof`; checks what 7.0 does to
/// the files; returns the running server.
fn upgrade(tag: &str, old: &[u8]) -> (Proc, std::path::PathBuf) {
    let dir = temp_dir(tag);
    std::fs::write(dir.join("appendonly.aof"), old).expect("write old file");
    let p = Proc::start(&dir, &["--appendonly", "yes"]);
    let aof = dir.join("appendonlydir");
    assert!(!dir.join("appendonly.aof").exists());
    assert_eq!(
        files(&aof),
        [
            "appendonly.aof",
            "appendonly.aof.1.incr.aof",
            "appendonly.aof.manifest"
        ]
    );
    assert_eq!(read(aof.join("appendonly.aof.manifest")), MANIFEST);
    assert_eq!(
        std::fs::read(aof.join("appendonly.aof")).expect("base"),
        old
    );
    if let Some(theirs) = redis_upgrade(old) {
        let ours: Vec<(String, Vec<u8>)> = files(&aof)
            .into_iter()
            .map(|f| {
                let bytes = std::fs::read(aof.join(&f)).unwrap_or_default();
                (f, bytes)
            })
            .collect();
        assert!(ours == theirs, "redis-server upgraded it otherwise");
    }
    (p, dir)
}

#[test]
fn old_single_file_of_commands_becomes_the_base() {
    let (p, dir) = upgrade("aof-upgrade-cmds", COMMANDS_ONLY);
    assert_eq!(
        startup_lines(&dir.join("log.txt")),
        [
            "Successfully migrated an old-style AOF file (appendonly.aof) into the AOF directory (appendonlydir).",
            "DB loaded from base file appendonly.aof: N seconds",
            "DB loaded from append only file: N seconds",
            "Creating AOF incr file appendonly.aof.1.incr.aof on server start",
        ]
    );
    let mut c = p.connect();
    assert_eq!(c.q("get foo"), "$3\r\nbar\r\n");
    assert_eq!(c.q("lrange l 0 -1"), "*1\r\n$1\r\na\r\n");
    assert_eq!(c.q("set x 1"), "+OK\r\n");
    assert_eq!(c.q("select 3"), "+OK\r\n");
    assert_eq!(c.q("get k3"), "$1\r\nv\r\n");
    p.shutdown(c);
    // The next start reads the directory as it is now.
    let p = Proc::start(&dir, &["--appendonly", "yes"]);
    let mut c = p.connect();
    assert_eq!(c.q("mget foo x"), "*2\r\n$3\r\nbar\r\n$1\r\n1\r\n");
    assert_eq!(
        read(dir.join("appendonlydir/appendonly.aof.manifest")),
        MANIFEST
    );
    // A rewrite replaces the old base with a 7.0 one and deletes it.
    assert_eq!(
        c.q("bgrewriteaof"),
        "+Background append only file rewriting started\r\n"
    );
    super::aof_proc::wait_for_rewrite(&mut c);
    assert_eq!(
        read(dir.join("appendonlydir/appendonly.aof.manifest")),
        "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n"
    );
    assert_eq!(
        files(&dir.join("appendonlydir")),
        [
            "appendonly.aof.2.base.rdb",
            "appendonly.aof.2.incr.aof",
            "appendonly.aof.manifest"
        ]
    );
    drop(p);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn old_single_file_with_rdb_preamble_becomes_the_base() {
    let (p, dir) = upgrade("aof-upgrade-preamble", &preamble_fixture());
    let lines = startup_lines(&dir.join("log.txt"));
    assert_eq!(
        lines.first().map(String::as_str),
        Some("Successfully migrated an old-style AOF file (appendonly.aof) into the AOF directory (appendonlydir).")
    );
    assert_eq!(lines[1], "Reading RDB preamble from AOF file...");
    assert!(lines
        .iter()
        .any(|l| l == "Reading the remaining AOF tail..."));
    assert_eq!(
        lines.last().map(String::as_str),
        Some("Creating AOF incr file appendonly.aof.1.incr.aof on server start")
    );
    let mut c = p.connect();
    assert_eq!(c.q("mget pre tail"), "*2\r\n$1\r\n1\r\n$1\r\nt\r\n");
    assert_eq!(c.q("hget h f"), "$1\r\nv\r\n");
    drop(p);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A crash after the manifest was written but before the file was moved: the
/// next start finishes the move.
#[test]
fn interrupted_upgrade_is_finished_at_the_next_start() {
    let dir = temp_dir("aof-upgrade-crash");
    std::fs::write(dir.join("appendonly.aof"), COMMANDS_ONLY).expect("write");
    let aof = dir.join("appendonlydir");
    std::fs::create_dir_all(&aof).expect("mkdir");
    std::fs::write(
        aof.join("appendonly.aof.manifest"),
        "file appendonly.aof seq 1 type b\n",
    )
    .expect("manifest");
    let p = Proc::start(&dir, &["--appendonly", "yes"]);
    let mut c = p.connect();
    assert_eq!(c.q("get foo"), "$3\r\nbar\r\n");
    assert_eq!(read(aof.join("appendonly.aof.manifest")), MANIFEST);
    assert!(!dir.join("appendonly.aof").exists());
    drop(p);
    let _ = std::fs::remove_dir_all(&dir);
}
