//! The append-only file when the disk refuses a write, as redis-server 7.0.15
//! handles it: under `appendfsync everysec` the command that could not be
//! written is still answered, its bytes are kept and written again later,
//! and meanwhile writes (and PING) get
//! `-MISCONF Errors writing to the AOF file: <strerror>` and INFO says
//! `aof_last_write_status:err`; once a write succeeds, all is well again.
//! Under `appendfsync always` the server exits instead, without answering.
//!
//! The error is a real one: the server runs in a mount namespace of its own
//! (`unshare -rm`, no root needed) with `dir` on a 256 KB tmpfs mostly taken
//! by a filler file, and a 100 KB SET does not fit; deleting the filler
//! (through `/proc/<pid>/root`) makes room. Where such namespaces are not
//! allowed, the tests have nothing to run on and pass.
//!
//! Every reply, INFO value, log line and file byte below is what
//! redis-server 7.0.15 gave in the same setup (the same tmpfs size and
//! filler, so the same short write of 73,678 bytes).
use super::aof_proc::{info_field, Proc};
use super::support::{temp_dir, Conn};
use std::time::{Duration, Instant};

/// 256 KB of tmpfs, 180,000 bytes of it taken (44 pages).
const SIZE: &str = "256k";
const FILLER: usize = 180_000;

const NO_SPACE: &str = "-MISCONF Errors writing to the AOF file: No space left on device\r\n";

/// The warnings about the AOF in the log.
fn log_lines(log: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(|l| l.split_once(" # ").map_or("", |(_, m)| m).to_string())
        .filter(|m| m.contains("AOF"))
        .collect()
}

fn set_big(c: &mut Conn) -> Vec<u8> {
    let big = vec![b'x'; 100_000];
    c.cmd(&[b"set", b"big", &big])
}

#[test]
fn write_error_refuses_writes_until_a_write_succeeds_again() {
    let dir = temp_dir("aof-enospc");
    let data = dir.join("data");
    std::fs::create_dir_all(&data).expect("mkdir");
    let log = dir.join("log.txt");
    let args = ["--appendonly", "yes", "--appendfsync", "everysec"];
    let Some(p) = Proc::start_on_tmpfs(&data, &log, SIZE, FILLER, &args) else {
        return;
    };
    let mut c = p.connect();
    assert_eq!(c.q("set a 1"), "+OK\r\n");
    // Answered: the reply was due before the write was tried.
    assert_eq!(set_big(&mut c), b"+OK\r\n");
    assert_eq!(c.q("set b 2"), NO_SPACE);
    assert_eq!(c.q("get a"), "$1\r\n1\r\n");
    assert_eq!(c.q("ping"), NO_SPACE);
    assert_eq!(c.q("multi"), "+OK\r\n");
    assert_eq!(c.q("set b 2"), NO_SPACE);
    assert_eq!(
        c.q("exec"),
        "-EXECABORT Transaction discarded because of previous errors.\r\n"
    );
    assert_eq!(info_field(&mut c, "aof_last_write_status"), "err");
    // The part written was cut off again; the command waits whole.
    assert_eq!(info_field(&mut c, "aof_current_size"), "50");
    assert_eq!(info_field(&mut c, "aof_buffer_length"), "100033");
    assert_eq!(
        log_lines(&log),
        ["Short write while writing to the AOF file: (nwritten=73678, expected=100033)"]
    );

    std::fs::remove_file(p.in_ns(&data.join("filler"))).expect("rm filler");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = c.q("set b 2");
        if r == "+OK\r\n" {
            break;
        }
        assert_eq!(r, NO_SPACE);
        assert!(Instant::now() < deadline, "still refused");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(info_field(&mut c, "aof_last_write_status"), "ok");
    assert_eq!(info_field(&mut c, "aof_buffer_length"), "0");
    assert_eq!(info_field(&mut c, "aof_current_size"), "100110");
    assert_eq!(
        log_lines(&log)[1],
        "AOF write error looks solved, Redis can write again."
    );
    let incr = p.in_ns(&data.join("appendonlydir/appendonly.aof.1.incr.aof"));
    let mut want = b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\n1\r\n\
                     *3\r\n$3\r\nset\r\n$3\r\nbig\r\n$100000\r\n"
        .to_vec();
    want.extend_from_slice(&[b'x'; 100_000]);
    want.extend_from_slice(b"\r\n*3\r\n$3\r\nset\r\n$1\r\nb\r\n$1\r\n2\r\n");
    assert!(std::fs::read(incr).expect("incr file") == want);
    drop(p);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn write_error_under_appendfsync_always_exits() {
    let dir = temp_dir("aof-enospc-always");
    let data = dir.join("data");
    std::fs::create_dir_all(&data).expect("mkdir");
    let log = dir.join("log.txt");
    let args = ["--appendonly", "yes", "--appendfsync", "always"];
    let Some(mut p) = Proc::start_on_tmpfs(&data, &log, SIZE, FILLER, &args) else {
        return;
    };
    let mut c = p.connect();
    assert_eq!(c.q("set a 1"), "+OK\r\n");
    c.send(b"*3\r\n$3\r\nset\r\n$3\r\nbig\r\n$100000\r\n");
    c.send(&[b'x'; 100_000]);
    c.send(b"\r\n");
    // No reply: the server is gone before it answers.
    assert!(c.is_closed());
    let status = p.child.wait().expect("wait");
    assert_eq!(status.code(), Some(1));
    assert_eq!(
        log_lines(&log),
        [
            "Short write while writing to the AOF file: (nwritten=73678, expected=100033)",
            "Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting..."
        ]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// DEBUG LOADAOF exits (status 1) when the load does not end cleanly, as
/// 7.0 does: a torn last command (even though `aof-load-truncated yes` cut
/// it, with its log lines first), or no AOF at all (`appendonly no`).
#[test]
fn debug_loadaof_exits_when_the_load_fails() {
    let dir = temp_dir("aof-loadaof-torn");
    let args = ["--appendonly", "yes", "--enable-debug-command", "yes"];
    let mut p = Proc::start(&dir, &args);
    let mut c = p.connect();
    assert_eq!(c.q("set a 1"), "+OK\r\n");
    let incr = dir.join("appendonlydir/appendonly.aof.1.incr.aof");
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&incr)
        .expect("incr");
    std::io::Write::write_all(&mut f, b"*2\r\n$3\r\nset\r\n").expect("append");
    c.send(b"debug loadaof\r\n");
    assert!(c.is_closed());
    assert_eq!(p.child.wait().expect("wait").code(), Some(1));
    let log = std::fs::read_to_string(dir.join("log.txt")).unwrap_or_default();
    assert!(log.contains("# !!! Truncating the AOF appendonly.aof.1.incr.aof at offset 50 !!!"));
    assert!(log.contains(
        "# AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled"
    ));
    assert!(!log.contains("Append Only File loaded by DEBUG LOADAOF"));
    let _ = std::fs::remove_dir_all(&dir);

    let dir = temp_dir("aof-loadaof-none");
    let mut p = Proc::start(&dir, &["--enable-debug-command", "yes"]);
    let mut c = p.connect();
    assert_eq!(c.q("set a 1"), "+OK\r\n");
    c.send(b"debug loadaof\r\n");
    assert!(c.is_closed());
    assert_eq!(p.child.wait().expect("wait").code(), Some(1));
    let _ = std::fs::remove_dir_all(&dir);
}
