//! More list cases over TCP, from a second recorded session (argument errors,
//! the order in which Redis checks key, type and arguments, LPOS's edges,
//! hexadecimal timeouts, CLIENT UNBLOCK's arity), each reply byte for byte what
//! redis-server 7.0.15 answered; and blocking pops served from the key that
//! filled, in MULTI, pipelined behind a wait, and their keyspace events.
use super::support::{start_server, Conn, TestServer};
use super::transcript::run_transcript;
use std::time::{Duration, Instant};

/// The recorded sessions of this file (see `transcript.rs` for the format).
const TRANSCRIPT: &str = include_str!("../transcripts/list.txt");

#[test]
fn replies_match_redis() {
    run_transcript(TRANSCRIPT, "replies_match_redis");
}

/// Waits until the server reports `n` blocked clients.
fn wait_blocked(srv: &TestServer, n: usize) {
    super::list::until_blocked(&mut srv.connect(), n);
}

/// Sends a command without waiting for its reply.
fn send(c: &mut Conn, line: &str) {
    let args: Vec<&[u8]> = line.split_whitespace().map(str::as_bytes).collect();
    c.send(&super::support::multibulk(&args));
}

fn text(c: &mut Conn) -> String {
    String::from_utf8_lossy(&c.read_reply()).into_owned()
}

#[test]
fn blpop_is_woken_by_a_push_from_another_client() {
    let srv = start_server();
    let mut a = srv.connect();
    let mut b = srv.connect();
    send(&mut a, "BLPOP k 0");
    wait_blocked(&srv, 1);
    assert!(b.q("CLIENT LIST").contains("flags=b"));
    assert_eq!(b.q("RPUSH k v1 v2"), ":2\r\n");
    assert_eq!(text(&mut a), "*2\r\n$1\r\nk\r\n$2\r\nv1\r\n");
    assert_eq!(b.q("LRANGE k 0 -1"), "*1\r\n$2\r\nv2\r\n");
    assert!(b.q("INFO clients").contains("blocked_clients:0\r\n"));
    // The connection goes on normally afterwards.
    assert_eq!(a.q("PING"), "+PONG\r\n");
}

#[test]
fn brpop_served_by_exec_takes_the_first_key_made_ready() {
    let srv = start_server();
    let mut a = srv.connect();
    let mut b = srv.connect();
    send(&mut a, "BRPOP k1 k2 0");
    wait_blocked(&srv, 1);
    b.q("MULTI");
    b.q("RPUSH k2 x");
    b.q("RPUSH k1 y");
    assert_eq!(b.q("EXEC"), "*2\r\n:1\r\n:1\r\n");
    assert_eq!(text(&mut a), "*2\r\n$2\r\nk2\r\n$1\r\nx\r\n");
    assert_eq!(b.q("EXISTS k1 k2"), ":1\r\n");
}

#[test]
fn lmove_into_a_waited_key_wakes_and_blmove_chains() {
    let srv = start_server();
    let (mut a, mut b, mut c) = (srv.connect(), srv.connect(), srv.connect());
    send(&mut a, "BLPOP d 0");
    wait_blocked(&srv, 1);
    c.q("RPUSH s v");
    assert_eq!(c.q("LMOVE s d LEFT LEFT"), "$1\r\nv\r\n");
    assert_eq!(text(&mut a), "*2\r\n$1\r\nd\r\n$1\r\nv\r\n");
    // BLMOVE a -> b wakes a BLPOP on b in the same round.
    send(&mut a, "BLMOVE x y LEFT RIGHT 0");
    wait_blocked(&srv, 1);
    send(&mut b, "BLPOP y 0");
    wait_blocked(&srv, 2);
    assert_eq!(c.q("RPUSH x 1"), ":1\r\n");
    assert_eq!(text(&mut a), "$1\r\n1\r\n");
    assert_eq!(text(&mut b), "*2\r\n$1\r\ny\r\n$1\r\n1\r\n");
    assert_eq!(c.q("EXISTS x y"), ":0\r\n");
    // A destination of another type: the blocked BLMOVE answers WRONGTYPE and the
    // element stays in the source.
    c.q("SET ws 1");
    send(&mut a, "BRPOPLPUSH wa ws 0");
    wait_blocked(&srv, 1);
    c.q("RPUSH wa e");
    assert_eq!(
        text(&mut a),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(c.q("LRANGE wa 0 -1"), "*1\r\n$1\r\ne\r\n");
}

#[test]
fn blmpop_served_with_count() {
    let srv = start_server();
    let (mut a, mut b) = (srv.connect(), srv.connect());
    send(&mut a, "BLMPOP 0 2 m1 m2 RIGHT COUNT 2");
    wait_blocked(&srv, 1);
    b.q("RPUSH m2 a b c");
    assert_eq!(
        text(&mut a),
        "*2\r\n$2\r\nm2\r\n*2\r\n$1\r\nc\r\n$1\r\nb\r\n"
    );
    assert_eq!(b.q("LRANGE m2 0 -1"), "*1\r\n$1\r\na\r\n");
}

#[test]
fn fractional_timeouts_answer_a_null_array() {
    let srv = start_server();
    let mut a = srv.connect();
    let t = Instant::now();
    assert_eq!(a.q("BLPOP k 0.25"), "*-1\r\n");
    let took = t.elapsed();
    assert!(took >= Duration::from_millis(240), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert_eq!(a.q("BLMOVE k d LEFT LEFT 0.05"), "*-1\r\n");
    assert!(a.q("INFO clients").contains("blocked_clients:0\r\n"));
}

#[test]
fn client_unblock_with_timeout_or_error() {
    let srv = start_server();
    let (mut a, mut b) = (srv.connect(), srv.connect());
    let id = a.q("CLIENT ID");
    let id = id.trim_start_matches(':').trim();
    send(&mut a, "BLPOP k 0");
    wait_blocked(&srv, 1);
    assert_eq!(b.q(&format!("CLIENT UNBLOCK {id}")), ":1\r\n");
    assert_eq!(text(&mut a), "*-1\r\n");
    assert_eq!(b.q(&format!("CLIENT UNBLOCK {id}")), ":0\r\n");
    send(&mut a, "BRPOPLPUSH k d 0");
    wait_blocked(&srv, 1);
    assert_eq!(b.q(&format!("CLIENT UNBLOCK {id} ERROR")), ":1\r\n");
    assert_eq!(
        text(&mut a),
        "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"
    );
    assert!(b.q("INFO clients").contains("blocked_clients:0\r\n"));
}

#[test]
fn requests_pipelined_behind_a_blocked_one_run_after_it() {
    let srv = start_server();
    let (mut a, mut b) = (srv.connect(), srv.connect());
    a.send(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nk\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n");
    wait_blocked(&srv, 1);
    // More input while blocked is kept for later.
    send(&mut a, "ECHO later");
    std::thread::sleep(Duration::from_millis(150));
    b.q("RPUSH k v");
    assert_eq!(text(&mut a), "*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
    assert_eq!(text(&mut a), "+PONG\r\n");
    assert_eq!(text(&mut a), "$5\r\nlater\r\n");
}

#[test]
fn keyspace_events_of_list_commands() {
    let srv = start_server();
    let (mut c, mut sub) = (srv.connect(), srv.connect());
    c.q("CONFIG SET notify-keyspace-events KEA");
    sub.q("PSUBSCRIBE __keyevent@0__:*");
    for line in [
        "RPUSH src a b",
        "LMOVE src dst LEFT RIGHT",
        "LMOVE src dst RIGHT LEFT",
        "RPOPLPUSH dst dst",
        "LPUSHX dst z",
        "LINSERT dst BEFORE z y",
        "LSET dst 0 q",
        "LREM dst 1 q",
        "LTRIM dst 0 0",
        "LMPOP 1 dst LEFT",
        "RPUSH m 1 2 3",
        "LPOP m 3",
    ] {
        c.q(line);
    }
    let want = [
        "rpush", "rpush", "lpop", "lpush", "rpop", "del", "lpush", "rpop", "lpush", "linsert",
        "lset", "lrem", "ltrim", "lpop", "del", "rpush", "lpop", "del",
    ];
    for ev in want {
        let msg = text(&mut sub);
        let tail = format!("__keyevent@0__:{ev}\r\n");
        assert!(msg.contains(&tail), "want {ev}, got {msg:?}");
    }
}

#[test]
fn blocking_commands_in_multi_answer_at_once() {
    let srv = start_server();
    let mut a = srv.connect();
    a.q("MULTI");
    a.q("BLPOP e 0");
    a.q("BRPOPLPUSH e f 0");
    a.q("BLMPOP 0 1 e LEFT");
    assert_eq!(a.q("EXEC"), "*3\r\n*-1\r\n$-1\r\n*-1\r\n");
    assert!(a.q("INFO clients").contains("blocked_clients:0\r\n"));
}

/// Plain nodes (DEBUG QUICKLIST-PACKED-THRESHOLD makes every element of at
/// least that many bytes one): popping one removes its node, so the next pop
/// reads the next element and a list emptied this way is gone. Replies are
/// redis-server 7.0.15's to the same requests. The threshold is process-wide,
/// so this runs in a server process of its own.
#[test]
fn plain_nodes_pop_and_move_as_redis() {
    let server = super::support::ServerProcess::start("", "--enable-debug-command yes");
    let stream = std::net::TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    let mut c = Conn::from_stream(stream);
    assert_eq!(c.q("debug quicklist-packed-threshold 1b"), "+OK\r\n");
    c.q("rpush l aa bb");
    c.q("lset l 0 xxxxxxxxxxx");
    c.q("rpush l cc dd");
    assert_eq!(c.q("lmove l m right left"), "$2\r\ndd\r\n");
    assert_eq!(c.q("lmove l m left right"), "$11\r\nxxxxxxxxxxx\r\n");
    assert_eq!(c.q("llen l"), ":2\r\n");
    assert_eq!(c.q("llen m"), ":2\r\n");
    assert_eq!(c.q("lpop l"), "$2\r\nbb\r\n");
    assert_eq!(c.q("lpop l"), "$2\r\ncc\r\n");
    assert_eq!(c.q("exists l"), ":0\r\n");
    assert_eq!(c.q("rpop m"), "$11\r\nxxxxxxxxxxx\r\n");
    assert_eq!(c.q("rpop m"), "$2\r\ndd\r\n");
    assert_eq!(c.q("exists m"), ":0\r\n");
    // A packed node split by a large LSET in its middle.
    c.q("debug quicklist-packed-threshold 5b");
    c.q("rpush s aa bb cc dd ee");
    c.q("lset s 2 eeeeeeeeee");
    assert_eq!(
        c.q("lpop s 5"),
        "*5\r\n$2\r\naa\r\n$2\r\nbb\r\n$10\r\neeeeeeeeee\r\n$2\r\ndd\r\n$2\r\nee\r\n"
    );
    assert_eq!(c.q("exists s"), ":0\r\n");
}
