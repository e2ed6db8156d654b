//! List commands over TCP: replies compared byte for byte with what redis-server
//! 7.0.15 answered to the same requests (recorded in `tests/transcripts/`, in
//! order, on one connection of a fresh server), plus a randomized test against a
//! `Vec` model.
use super::support::{eventually, multibulk, start_server, Conn};
use super::transcript::run_transcript;
use std::time::{Duration, Instant};

/// The recorded sessions of this file (see `transcript.rs` for the format).
const TRANSCRIPT: &str = include_str!("../transcripts/list.txt");

#[test]
fn lmpop_reads_options_left_to_right() {
    run_transcript(TRANSCRIPT, "lmpop_reads_options_left_to_right");
}

#[test]
fn list_replies_match_redis() {
    run_transcript(TRANSCRIPT, "list_replies_match_redis");
}

/// A small deterministic generator for the model test.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn bulk(v: &[u8]) -> Vec<u8> {
    let mut out = format!("${}\r\n", v.len()).into_bytes();
    out.extend_from_slice(v);
    out.extend_from_slice(b"\r\n");
    out
}

fn array(items: &[Vec<u8>]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", items.len()).into_bytes();
    for i in items {
        out.extend_from_slice(&bulk(i));
    }
    out
}

#[test]
fn random_list_operations_match_a_vec_model() {
    let srv = start_server();
    let mut c = srv.connect();
    let mut model: Vec<Vec<u8>> = Vec::new();
    let mut rng = Lcg(7);
    for step in 0..3000 {
        let v = format!("v{}", rng.below(20)).into_bytes();
        let len = model.len() as i64;
        match rng.below(8) {
            0 => {
                model.insert(0, v.clone());
                let want = format!(":{}\r\n", model.len()).into_bytes();
                assert_eq!(c.cmd(&[b"LPUSH", b"k", &v]), want, "step {step}");
            }
            1 => {
                model.push(v.clone());
                let want = format!(":{}\r\n", model.len()).into_bytes();
                assert_eq!(c.cmd(&[b"RPUSH", b"k", &v]), want, "step {step}");
            }
            2 => {
                let want = if model.is_empty() {
                    b"$-1\r\n".to_vec()
                } else {
                    bulk(&model.remove(0))
                };
                assert_eq!(c.cmd(&[b"LPOP", b"k"]), want, "step {step}");
            }
            3 => {
                let want = match model.pop() {
                    Some(x) => bulk(&x),
                    None => b"$-1\r\n".to_vec(),
                };
                assert_eq!(c.cmd(&[b"RPOP", b"k"]), want, "step {step}");
            }
            4 => {
                let a = rng.below(40) as i64 - 20;
                let b = rng.below(40) as i64 - 20;
                let s = if a < 0 { (len + a).max(0) } else { a };
                let e = if b < 0 { len + b } else { b.min(len - 1) };
                let want: Vec<Vec<u8>> = if s > e || s >= len {
                    Vec::new()
                } else {
                    model[s as usize..=e as usize].to_vec()
                };
                let (sa, sb) = (a.to_string(), b.to_string());
                let got = c.cmd(&[b"LRANGE", b"k", sa.as_bytes(), sb.as_bytes()]);
                assert_eq!(got, array(&want), "step {step}: LRANGE {a} {b}");
            }
            5 if !model.is_empty() => {
                let i = rng.below(model.len() as u64) as usize;
                model[i] = v.clone();
                let si = i.to_string();
                assert_eq!(
                    c.cmd(&[b"LSET", b"k", si.as_bytes(), &v]),
                    b"+OK\r\n".to_vec()
                );
            }
            6 => {
                let n = model.iter().filter(|x| **x == v).count().min(1);
                if let Some(p) = model.iter().position(|x| *x == v) {
                    model.remove(p);
                }
                let want = format!(":{n}\r\n").into_bytes();
                assert_eq!(c.cmd(&[b"LREM", b"k", b"1", &v]), want, "step {step}");
            }
            _ => {
                let want = format!(":{}\r\n", model.len()).into_bytes();
                assert_eq!(c.cmd(&[b"LLEN", b"k"]), want, "step {step}");
            }
        }
    }
    let all = c.cmd(&[b"LRANGE", b"k", b"0", b"-1"]);
    assert_eq!(all, array(&model));
}

fn blocked_clients(c: &mut Conn) -> usize {
    let info = String::from_utf8_lossy(&c.cmd(&[b"INFO", b"clients"])).into_owned();
    info.lines()
        .find_map(|l| l.strip_prefix("blocked_clients:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(usize::MAX)
}

/// Waits until `n` clients are blocked.
pub(super) fn until_blocked(c: &mut Conn, n: usize) {
    assert!(
        eventually(Duration::from_secs(5), || blocked_clients(c) == n),
        "expected {n} blocked clients"
    );
}

#[test]
fn blocked_clients_are_served_first_come_first_served() {
    let srv = start_server();
    let mut a = srv.connect();
    let mut b = srv.connect();
    let mut p = srv.connect();
    a.send(&multibulk(&[b"BLPOP", b"q1", b"q2", b"0"]));
    until_blocked(&mut p, 1);
    b.send(&multibulk(&[b"BLPOP", b"q2", b"0"]));
    until_blocked(&mut p, 2);
    assert_eq!(
        p.cmd(&[b"RPUSH", b"q2", b"x", b"y", b"z"]),
        b":3\r\n".to_vec()
    );
    assert_eq!(a.read_reply(), b"*2\r\n$2\r\nq2\r\n$1\r\nx\r\n".to_vec());
    assert_eq!(b.read_reply(), b"*2\r\n$2\r\nq2\r\n$1\r\ny\r\n".to_vec());
    assert_eq!(
        p.cmd(&[b"LRANGE", b"q2", b"0", b"-1"]),
        b"*1\r\n$1\r\nz\r\n".to_vec()
    );
    assert_eq!(blocked_clients(&mut p), 0);
}

#[test]
fn pushes_from_exec_lmove_and_scripts_wake_blocked_clients() {
    let srv = start_server();
    let mut w = srv.connect();
    let mut p = srv.connect();
    // MULTI/EXEC: served after the transaction, with the last state
    w.send(&multibulk(&[b"BRPOP", b"k", b"0"]));
    until_blocked(&mut p, 1);
    assert_eq!(p.cmd(&[b"MULTI"]), b"+OK\r\n".to_vec());
    assert_eq!(
        p.cmd(&[b"RPUSH", b"k", b"1", b"2"]),
        b"+QUEUED\r\n".to_vec()
    );
    assert_eq!(p.cmd(&[b"RPOP", b"k"]), b"+QUEUED\r\n".to_vec());
    assert_eq!(p.cmd(&[b"EXEC"]), b"*2\r\n:2\r\n$1\r\n2\r\n".to_vec());
    assert_eq!(w.read_reply(), b"*2\r\n$1\r\nk\r\n$1\r\n1\r\n".to_vec());
    // LMOVE into the key a client waits on
    w.send(&multibulk(&[
        b"BLMOVE", b"dst", b"final", b"LEFT", b"RIGHT", b"0",
    ]));
    until_blocked(&mut p, 1);
    assert_eq!(p.cmd(&[b"RPUSH", b"src", b"m"]), b":1\r\n".to_vec());
    assert_eq!(
        p.cmd(&[b"LMOVE", b"src", b"dst", b"LEFT", b"LEFT"]),
        b"$1\r\nm\r\n".to_vec()
    );
    assert_eq!(w.read_reply(), b"$1\r\nm\r\n".to_vec());
    assert_eq!(
        p.cmd(&[b"LRANGE", b"final", b"0", b"-1"]),
        b"*1\r\n$1\r\nm\r\n".to_vec()
    );
    assert_eq!(p.cmd(&[b"EXISTS", b"dst", b"src"]), b":0\r\n".to_vec());
    // a script's push
    w.send(&multibulk(&[
        b"BLMPOP", b"0", b"1", b"s", b"LEFT", b"COUNT", b"2",
    ]));
    until_blocked(&mut p, 1);
    let script = b"return redis.call('rpush', KEYS[1], 'a', 'b', 'c')";
    assert_eq!(p.cmd(&[b"EVAL", script, b"1", b"s"]), b":3\r\n".to_vec());
    assert_eq!(
        w.read_reply(),
        b"*2\r\n$1\r\ns\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n".to_vec()
    );
}

#[test]
fn blocking_pops_time_out_and_can_be_unblocked() {
    let srv = start_server();
    let mut w = srv.connect();
    let mut p = srv.connect();
    let start = Instant::now();
    assert_eq!(w.cmd(&[b"BLPOP", b"none", b"0.2"]), b"*-1\r\n".to_vec());
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(190) && took < Duration::from_secs(3),
        "{took:?}"
    );
    let id = String::from_utf8_lossy(&w.cmd(&[b"CLIENT", b"ID"]))
        .trim_start_matches(':')
        .trim()
        .to_string();
    w.send(&multibulk(&[b"BLPOP", b"none", b"0"]));
    until_blocked(&mut p, 1);
    assert_eq!(
        p.cmd(&[b"CLIENT", b"UNBLOCK", id.as_bytes()]),
        b":1\r\n".to_vec()
    );
    assert_eq!(w.read_reply(), b"*-1\r\n".to_vec());
    w.send(&multibulk(&[
        b"BLMOVE", b"none", b"x", b"LEFT", b"LEFT", b"0",
    ]));
    until_blocked(&mut p, 1);
    assert_eq!(
        p.cmd(&[b"CLIENT", b"UNBLOCK", id.as_bytes(), b"ERROR"]),
        b":1\r\n".to_vec()
    );
    assert_eq!(
        w.read_reply(),
        b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n".to_vec()
    );
    // The error counts as the blocked command's failure (redis-server 7.0.15).
    let stats = String::from_utf8_lossy(&p.cmd(&[b"INFO", b"everything"])).into_owned();
    assert!(stats.contains("errorstat_UNBLOCKED:count=1\r\n"), "{stats}");
    assert!(stats.contains("total_error_replies:1\r\n"), "{stats}");
    let blmove = stats.lines().find(|l| l.starts_with("cmdstat_blmove:"));
    assert!(
        blmove.is_some_and(|l| l.ends_with(",rejected_calls=0,failed_calls=1")),
        "{stats}"
    );
    assert_eq!(
        p.cmd(&[b"CLIENT", b"UNBLOCK", id.as_bytes()]),
        b":0\r\n".to_vec()
    );
    // the connection goes on normally afterwards
    assert_eq!(w.cmd(&[b"PING"]), b"+PONG\r\n".to_vec());
}

#[test]
fn a_blocked_client_that_disconnects_leaves_nothing_behind() {
    let srv = start_server();
    let mut p = srv.connect();
    {
        let mut w = srv.connect();
        w.send(&multibulk(&[b"BLPOP", b"gone", b"0"]));
        until_blocked(&mut p, 1);
    }
    until_blocked(&mut p, 0);
    // nothing is popped for the departed client
    assert_eq!(p.cmd(&[b"RPUSH", b"gone", b"v"]), b":1\r\n".to_vec());
    assert_eq!(p.cmd(&[b"LLEN", b"gone"]), b":1\r\n".to_vec());
}

#[test]
fn zset_blocking_pop_replies_match_redis() {
    run_transcript(TRANSCRIPT, "zset_blocking_pop_replies_match_redis");
}

#[test]
fn zadd_wakes_a_blocked_bzpopmin() {
    let srv = start_server();
    let mut w = srv.connect();
    let mut p = srv.connect();
    w.send(&multibulk(&[b"BZPOPMIN", b"zz", b"0"]));
    until_blocked(&mut p, 1);
    assert_eq!(
        p.cmd(&[b"ZADD", b"zz", b"2", b"b", b"1", b"a"]),
        b":2\r\n".to_vec()
    );
    assert_eq!(
        w.read_reply(),
        b"*3\r\n$2\r\nzz\r\n$1\r\na\r\n$1\r\n1\r\n".to_vec()
    );
    assert_eq!(p.cmd(&[b"ZCARD", b"zz"]), b":1\r\n".to_vec());
}

#[test]
fn a_key_renamed_or_moved_into_place_wakes_waiters() {
    let srv = start_server();
    let mut w = srv.connect();
    let mut p = srv.connect();
    w.send(&multibulk(&[b"BLPOP", b"dst", b"0"]));
    until_blocked(&mut p, 1);
    assert_eq!(p.cmd(&[b"RPUSH", b"src", b"a", b"b"]), b":2\r\n".to_vec());
    assert_eq!(p.cmd(&[b"RENAME", b"src", b"dst"]), b"+OK\r\n".to_vec());
    assert_eq!(w.read_reply(), b"*2\r\n$3\r\ndst\r\n$1\r\na\r\n".to_vec());
    // MOVE from another database
    w.send(&multibulk(&[b"BRPOP", b"moved", b"0"]));
    until_blocked(&mut p, 1);
    assert_eq!(p.cmd(&[b"SELECT", b"1"]), b"+OK\r\n".to_vec());
    assert_eq!(p.cmd(&[b"RPUSH", b"moved", b"m"]), b":1\r\n".to_vec());
    assert_eq!(p.cmd(&[b"MOVE", b"moved", b"0"]), b":1\r\n".to_vec());
    assert_eq!(w.read_reply(), b"*2\r\n$5\r\nmoved\r\n$1\r\nm\r\n".to_vec());
}

/// SWAPDB brings in a whole database: waiters whose keys it fills are served
/// (as 7.0 does). A key that fills with the wrong type for a waiter (a sorted
/// set under BLPOP) leaves it blocked rather than failing it with WRONGTYPE.
#[test]
fn swapdb_wakes_waiters_and_a_wrong_type_does_not() {
    let srv = start_server();
    let mut w = srv.connect();
    let mut p = srv.connect();
    w.send(&multibulk(&[b"BLPOP", b"sk", b"0"]));
    until_blocked(&mut p, 1);
    // CLIENT LIST shows the waiter with flag `b`, the other without.
    let list = String::from_utf8_lossy(&p.cmd(&[b"CLIENT", b"LIST"])).into_owned();
    let blocked: Vec<&str> = list.lines().filter(|l| l.contains(" flags=b ")).collect();
    assert_eq!(blocked.len(), 1, "{list}");
    assert!(blocked[0].contains(" cmd=blpop "), "{list}");
    assert_eq!(list.matches(" flags=N ").count(), 1, "{list}");
    assert_eq!(p.cmd(&[b"SELECT", b"1"]), b"+OK\r\n".to_vec());
    assert_eq!(p.cmd(&[b"RPUSH", b"sk", b"v1"]), b":1\r\n".to_vec());
    assert_eq!(p.cmd(&[b"SWAPDB", b"0", b"1"]), b"+OK\r\n".to_vec());
    assert_eq!(w.read_reply(), b"*2\r\n$2\r\nsk\r\n$2\r\nv1\r\n".to_vec());

    assert_eq!(p.cmd(&[b"SELECT", b"0"]), b"+OK\r\n".to_vec());
    w.send(&multibulk(&[b"BLPOP", b"zk", b"0"]));
    until_blocked(&mut p, 1);
    assert_eq!(p.cmd(&[b"ZADD", b"zk", b"1", b"a"]), b":1\r\n".to_vec());
    until_blocked(&mut p, 1);
    assert_eq!(p.cmd(&[b"DEL", b"zk"]), b":1\r\n".to_vec());
    assert_eq!(p.cmd(&[b"RPUSH", b"zk", b"l"]), b":1\r\n".to_vec());
    assert_eq!(w.read_reply(), b"*2\r\n$2\r\nzk\r\n$1\r\nl\r\n".to_vec());
}
