//! Consumer groups in the append-only file, as redis-server 7.0.15 writes
//! them: XREADGROUP, XCLAIM and XAUTOCLAIM never as sent, but as one
//! `XCLAIM <key> <group> <consumer> 0 <id> TIME <ms> RETRYCOUNT <n> FORCE
//! JUSTID LASTID <id>` per pending entry they created, moved or dropped
//! (several wrapped in MULTI/EXEC), `XGROUP SETID ... ENTRIESREAD` when a
//! group moved without one, `XGROUP CREATECONSUMER` for a NOACK reader; a
//! blocked XREADGROUP served by an XADD writes its own unit after the XADD.
//!
//! The session below was run against redis-server 7.0.15 with `appendonly
//! yes` and its incremental file is written into the test (times as `T`,
//! each checked to lie in the session's window); where redis-server is
//! installed the test runs the session on it too and compares the files.
use super::aof_proc::{Proc, Redis};
use super::support::{temp_dir, Conn};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

const SESSION: &[&str] = &[
    "XADD s 1-1 f v",
    "XADD s 2-1 f v",
    "XADD s 3-1 f v",
    "XADD s 4-1 f v",
    "XADD s 5-1 f v",
    "XGROUP CREATE s g 0",
    "XREADGROUP GROUP g alice COUNT 2 STREAMS s >",
    "XREADGROUP GROUP g bob NOACK COUNT 1 STREAMS s >",
    "XREADGROUP GROUP g alice STREAMS s 0",
    "XREADGROUP GROUP g carol COUNT 1 STREAMS s >",
    "XCLAIM s g bob 0 1-1",
    "XCLAIM s g bob 0 2-1 JUSTID",
    "XCLAIM s g dave 0 1-1 IDLE 5000 RETRYCOUNT 7",
    "XCLAIM s g dave 0 2-1 TIME 1000 FORCE",
    "XCLAIM s g dave 0 9-1 FORCE",
    "XCLAIM s g dave 0 3-1 FORCE LASTID 8-0",
    "XCLAIM s g dave 0 4-1 IDLE 0",
    "XDEL s 2-1",
    "XAUTOCLAIM s g erin 0 0-0 COUNT 10",
    "XAUTOCLAIM s g erin 0 0-0 COUNT 1 JUSTID",
    "XACK s g 1-1 3-1",
    "XACK s g 99-0",
    "XGROUP SETID s g 4-1",
    "XGROUP SETID s g $ ENTRIESREAD 3",
    "XGROUP CREATECONSUMER s g frank",
    "XGROUP CREATECONSUMER s g frank",
    "XGROUP DELCONSUMER s g frank",
    "XGROUP CREATE s g2 $ MKSTREAM",
    "XGROUP CREATE s2 g $ MKSTREAM",
    "XREADGROUP GROUP g2 x STREAMS s >",
    "XADD s 6-1 f v",
    "XREADGROUP GROUP g2 x STREAMS s >",
    "XREADGROUP GROUP g2 y COUNT 5 STREAMS s 0",
    "XGROUP DESTROY s g2",
    "XSETID s 10-0",
    "XTRIM s MAXLEN 2",
    "XADD s 20-0 f v",
    "XCLAIM s g zed 0 20 FORCE",
    "XCLAIM s g dave 0 30-0 LASTID 25-0",
    "XCLAIM s g dave 0 20-0 IDLE 99999999",
    "XGROUP CREATE b g $ MKSTREAM",
];

/// redis-server 7.0.15's incremental file for [`SESSION`] and the blocked
/// readers of [`blocked_readers`], a command a line.
const WANT: &[&str] = &[
    "SELECT 0",
    "XADD s 1-1 f v",
    "XADD s 2-1 f v",
    "XADD s 3-1 f v",
    "XADD s 4-1 f v",
    "XADD s 5-1 f v",
    "XGROUP CREATE s g 0",
    "MULTI",
    "XCLAIM s g alice 0 1-1 TIME T RETRYCOUNT 1 FORCE JUSTID LASTID 1-1",
    "XCLAIM s g alice 0 2-1 TIME T RETRYCOUNT 1 FORCE JUSTID LASTID 2-1",
    "EXEC",
    "MULTI",
    "XGROUP CREATECONSUMER s g bob",
    "XGROUP SETID s g 3-1 ENTRIESREAD 3",
    "EXEC",
    "XCLAIM s g carol 0 4-1 TIME T RETRYCOUNT 1 FORCE JUSTID LASTID 4-1",
    "XCLAIM s g bob 0 1-1 TIME T RETRYCOUNT 3 FORCE JUSTID LASTID 4-1",
    "XCLAIM s g bob 0 2-1 TIME T RETRYCOUNT 2 FORCE JUSTID LASTID 4-1",
    "XCLAIM s g dave 0 1-1 TIME T RETRYCOUNT 7 FORCE JUSTID LASTID 4-1",
    "XCLAIM s g dave 0 2-1 TIME 1000 RETRYCOUNT 3 FORCE JUSTID LASTID 4-1",
    "XCLAIM s g dave 0 3-1 TIME T RETRYCOUNT 2 FORCE JUSTID LASTID 8-0",
    "XCLAIM s g dave 0 4-1 TIME T RETRYCOUNT 2 FORCE JUSTID LASTID 8-0",
    "XDEL s 2-1",
    "MULTI",
    "XCLAIM s g erin 0 1-1 TIME T RETRYCOUNT 8 FORCE JUSTID LASTID 8-0",
    "XCLAIM s g dave 0 2-1 TIME 1000 RETRYCOUNT 3 FORCE JUSTID LASTID 8-0",
    "XCLAIM s g erin 0 3-1 TIME T RETRYCOUNT 3 FORCE JUSTID LASTID 8-0",
    "XCLAIM s g erin 0 4-1 TIME T RETRYCOUNT 3 FORCE JUSTID LASTID 8-0",
    "EXEC",
    "XCLAIM s g erin 0 1-1 TIME T RETRYCOUNT 8 FORCE JUSTID LASTID 8-0",
    "XACK s g 1-1 3-1",
    "XGROUP SETID s g 4-1",
    "XGROUP SETID s g $ ENTRIESREAD 3",
    "XGROUP CREATECONSUMER s g frank",
    "XGROUP DELCONSUMER s g frank",
    "XGROUP CREATE s g2 $ MKSTREAM",
    "XGROUP CREATE s2 g $ MKSTREAM",
    "XADD s 6-1 f v",
    "XCLAIM s g2 x 0 6-1 TIME T RETRYCOUNT 1 FORCE JUSTID LASTID 6-1",
    "XGROUP DESTROY s g2",
    "XSETID s 10-0",
    "XTRIM s MAXLEN 2",
    "XADD s 20-0 f v",
    "XCLAIM s g zed 0 20 TIME T RETRYCOUNT 2 FORCE JUSTID LASTID 5-1",
    "XGROUP SETID s g 25-0 ENTRIESREAD 3",
    "XCLAIM s g dave 0 20-0 TIME T RETRYCOUNT 3 FORCE JUSTID LASTID 25-0",
    "XGROUP CREATE b g $ MKSTREAM",
    "XADD b 1-1 f v",
    "XCLAIM b g c1 0 1-1 TIME T RETRYCOUNT 1 FORCE JUSTID LASTID 1-1",
    "XADD b 2-1 f v",
    "MULTI",
    "XGROUP CREATECONSUMER b g c2",
    "XGROUP SETID b g 2-1 ENTRIESREAD 2",
    "EXEC",
];

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn run(c: &mut Conn, line: &str) -> Vec<u8> {
    let args: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
    c.cmd(&args)
}

/// Waits until `n` clients are blocked.
fn wait_blocked(c: &mut Conn, n: usize) {
    let want = format!("blocked_clients:{n}\r\n");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !c.q("info clients").contains(&want) {
        assert!(std::time::Instant::now() < deadline, "not blocked");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// Two readers blocked on `b`, one with NOACK, served by two XADDs.
fn blocked_readers(c: &mut Conn, r1: &mut Conn, r2: &mut Conn) {
    r1.send(b"XREADGROUP GROUP g c1 BLOCK 0 COUNT 5 STREAMS b >\r\n");
    wait_blocked(c, 1);
    r2.send(b"XREADGROUP GROUP g c2 NOACK BLOCK 0 STREAMS b >\r\n");
    wait_blocked(c, 2);
    assert_eq!(run(c, "XADD b 1-1 f v"), b"$3\r\n1-1\r\n");
    assert_eq!(
        r1.read_reply(),
        b"*1\r\n*2\r\n$1\r\nb\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"
    );
    assert_eq!(run(c, "XADD b 2-1 f v"), b"$3\r\n2-1\r\n");
    assert_eq!(
        r2.read_reply(),
        b"*1\r\n*2\r\n$1\r\nb\r\n*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"
    );
}

/// The incremental file's commands, one a line, each TIME in
/// `[from, to]` (allowing for IDLE) written as `T`.
fn commands(path: &Path, from: u64, to: u64) -> Vec<String> {
    let data = std::fs::read(path).expect("incr file");
    let mut out = Vec::new();
    let mut i = 0;
    let num = |at: &mut usize| -> usize {
        let end = data[*at..]
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("line")
            + *at;
        let n = std::str::from_utf8(&data[*at + 1..end])
            .expect("digits")
            .parse()
            .expect("count");
        *at = end + 2;
        n
    };
    while i < data.len() {
        let argc = num(&mut i);
        let mut args = Vec::new();
        for _ in 0..argc {
            let len = num(&mut i);
            args.push(String::from_utf8_lossy(&data[i..i + len]).into_owned());
            i += len + 2;
        }
        for k in 1..args.len() {
            if args[k - 1] == "TIME" {
                if let Ok(t) = args[k].parse::<u64>() {
                    if t > 1_000_000_000_000 {
                        assert!(t + 100_000_000 >= from && t <= to, "TIME {t}");
                        args[k] = "T".into();
                    }
                }
            }
        }
        out.push(args.join(" "));
    }
    out
}

/// Runs the session on a connection factory; returns the file's commands.
fn session(connect: &dyn Fn() -> Conn, incr: &Path) -> (Vec<Vec<u8>>, Vec<String>) {
    let from = now_ms();
    let mut c = connect();
    let replies = SESSION.iter().map(|l| run(&mut c, l)).collect();
    let (mut r1, mut r2) = (connect(), connect());
    blocked_readers(&mut c, &mut r1, &mut r2);
    (replies, commands(incr, from, now_ms()))
}

#[test]
fn consumer_groups_are_written_as_redis_70_writes_them() {
    let dir = temp_dir("aof-streams");
    let p = Proc::start(&dir, &["--appendonly", "yes"]);
    let incr = dir.join("appendonlydir/appendonly.aof.1.incr.aof");
    let (replies, ours) = session(&|| p.connect(), &incr);
    assert_eq!(ours, WANT);
    drop(p);
    let rdir = temp_dir("aof-streams-redis");
    if let Some(r) = Redis::start(&rdir, &["--appendonly", "yes"]) {
        let rincr = rdir.join("appendonlydir/appendonly.aof.1.incr.aof");
        let (their_replies, theirs) = session(&|| r.connect(), &rincr);
        assert_eq!(ours, theirs, "redis-server wrote otherwise");
        assert!(
            replies == their_replies,
            "replies differ from redis-server's"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&rdir);
}
