//! Connections lent to the poller (`src/server/hot.rs`): a client that sends
//! requests back to back is served by the poller thread; these tests make a client
//! busy that way, then check the hand-backs to its own thread (subscribe, protocol
//! error, large bulk, QUIT, kill, idleness, a write that would block) keep every
//! reply in order and nothing lost.
use crate::support::*;
use std::io::Read;
use std::time::Duration;

/// A server that lends connections to the poller whatever its load.
fn start_server() -> TestServer {
    let srv = crate::support::start_server();
    srv.handle().core().hot.set_eager(true);
    srv
}

/// Sends enough quick round trips that the connection is lent to the poller.
fn make_busy(c: &mut Conn) {
    for i in 0..200 {
        assert_eq!(
            c.q(&format!("echo {i}")),
            format!("${}\r\n{i}\r\n", i.to_string().len())
        );
    }
}

#[test]
fn busy_client_subscribes_and_receives() {
    let srv = start_server();
    let mut c = srv.connect();
    make_busy(&mut c);
    assert_eq!(
        c.q("subscribe ch"),
        "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n"
    );
    assert_eq!(srv.connect().q("publish ch hi"), ":1\r\n");
    assert_eq!(
        String::from_utf8_lossy(&c.read_reply()),
        "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n"
    );
}

#[test]
fn busy_client_protocol_error_after_good_requests() {
    let srv = start_server();
    let mut c = srv.connect();
    make_busy(&mut c);
    c.send(b"PING\r\n*1\r\n$x\r\n");
    assert_eq!(String::from_utf8_lossy(&c.read_reply()), "+PONG\r\n");
    assert_eq!(
        String::from_utf8_lossy(&c.read_reply()),
        "-ERR Protocol error: invalid bulk length\r\n"
    );
    assert!(c.is_closed());
}

#[test]
fn busy_client_large_bulk_and_quit() {
    let srv = start_server();
    let mut c = srv.connect();
    make_busy(&mut c);
    let big = vec![b'v'; 300_000];
    assert_eq!(c.cmd(&[b"set", b"k", &big]), b"+OK\r\n");
    assert_eq!(c.q("strlen k"), ":300000\r\n");
    make_busy(&mut c);
    assert_eq!(c.q("quit"), "+OK\r\n");
    assert!(c.is_closed());
}

#[test]
fn busy_client_killed_by_another() {
    let srv = start_server();
    let mut c = srv.connect();
    make_busy(&mut c);
    let id = String::from_utf8_lossy(&c.cmd(&[b"client", b"id"]))
        .trim_start_matches(':')
        .trim()
        .to_string();
    let mut admin = srv.connect();
    assert_eq!(admin.q(&format!("client kill id {id}")), ":1\r\n");
    assert!(c.is_closed());
    assert!(eventually(Duration::from_secs(2), || {
        !admin.q("client list").contains(&format!("id={id} "))
    }));
}

#[test]
fn busy_client_goes_idle_and_comes_back() {
    let srv = start_server();
    let mut c = srv.connect();
    make_busy(&mut c);
    std::thread::sleep(Duration::from_millis(60));
    assert_eq!(c.q("set a 1"), "+OK\r\n");
    make_busy(&mut c);
    assert_eq!(c.q("get a"), "$1\r\n1\r\n");
}

#[test]
fn busy_client_reply_larger_than_socket_buffers() {
    let srv = start_server();
    let mut c = srv.connect();
    let big = vec![b'x'; 1 << 20];
    assert_eq!(c.cmd(&[b"set", b"big", &big]), b"+OK\r\n");
    make_busy(&mut c);
    // 32 MB of replies before the client reads any: the writes must wait.
    let mut req = Vec::new();
    for _ in 0..32 {
        req.extend_from_slice(&multibulk(&[b"get", b"big"]));
    }
    req.extend_from_slice(&multibulk(&[b"ping"]));
    c.send(&req);
    std::thread::sleep(Duration::from_millis(100));
    let frame = (1 << 20) + "$1048576\r\n\r\n".len();
    let mut all = vec![0u8; 32 * frame + 7];
    c.stream.read_exact(&mut all).unwrap();
    assert!(all.ends_with(b"\r\n+PONG\r\n"));
    assert!(all.starts_with(b"$1048576\r\nxxx"));
    assert_eq!(c.q("dbsize"), ":1\r\n");
}

#[test]
fn busy_client_transactions_and_reply_modes() {
    let srv = start_server();
    let mut c = srv.connect();
    make_busy(&mut c);
    assert_eq!(c.q("multi"), "+OK\r\n");
    assert_eq!(c.q("set t 1"), "+QUEUED\r\n");
    assert_eq!(c.q("incr t"), "+QUEUED\r\n");
    assert_eq!(c.q("exec"), "*2\r\n+OK\r\n:2\r\n");
    make_busy(&mut c);
    // CLIENT REPLY SKIP drops the next reply only; the order of the rest holds.
    c.send(b"client reply skip\r\nping\r\necho after\r\n");
    assert_eq!(String::from_utf8_lossy(&c.read_reply()), "$5\r\nafter\r\n");
    make_busy(&mut c);
    assert_eq!(c.q("select 3"), "+OK\r\n");
    assert_eq!(c.q("get t"), "$-1\r\n");
    make_busy(&mut c);
    assert_eq!(c.q("select 0"), "+OK\r\n");
    assert_eq!(c.q("get t"), "$1\r\n2\r\n");
}

/// A script run by the poller that passes the busy threshold sends the poller's
/// other clients back to their threads: they get BUSY, and one of them stops the
/// script with SCRIPT KILL, as they would with the script on a thread.
#[test]
fn busy_script_on_the_poller_releases_the_other_clients() {
    let srv = crate::support::start_server_with(&["--lua-time-limit", "100"]);
    srv.handle().core().hot.set_eager(true);
    let mut runner = srv.connect();
    let mut other = srv.connect();
    make_busy(&mut runner);
    make_busy(&mut other);
    // Both are on the poller now; keep `other` there while the script starts.
    runner.send(&multibulk(&[
        b"EVAL",
        b"local i = 0 while true do i = i + 1 end",
        b"0",
    ]));
    std::thread::sleep(Duration::from_millis(300));
    let start = std::time::Instant::now();
    assert_eq!(
        String::from_utf8_lossy(&other.cmd(&[b"GET", b"x"])),
        "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n"
    );
    assert!(start.elapsed() < Duration::from_secs(3));
    assert_eq!(other.cmd(&[b"SCRIPT", b"KILL"]), b"+OK\r\n".to_vec());
    assert_eq!(
        String::from_utf8_lossy(&runner.read_reply()),
        "-ERR Script killed by user with SCRIPT KILL... script: \
         3fcf51a9b854b8f66cb8685600b0d7df968f4398, on @user_script:1.\r\n"
    );
    // Both go on, and back on the poller.
    make_busy(&mut runner);
    make_busy(&mut other);
    assert_eq!(
        runner.cmd(&[b"EVAL", b"return redis.call('incr', KEYS[1])", b"1", b"n"]),
        b":1\r\n".to_vec()
    );
    assert_eq!(
        other.q("evalsha 2bab3b661081db58bd2341920e0ba7cf5dc77b25 1 n"),
        ":2\r\n"
    );
}
