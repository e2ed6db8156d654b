//! Resources under load: as many clients as `maxclients` allows, the next one
//! refused with Redis's error, and `maxclients` lowered to what the descriptor
//! limit can hold, as redis-server 7.0 does at startup.
//!
//! The big test runs the `ferrous` binary as its own process (so its
//! descriptors are not this process's) and scales the client count down when
//! this process may not open 10,000 sockets.
use super::support::{own_fd_limit, start_server_with, Conn, ServerProcess as Process};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Sends a raw inline request and asserts that the reply is `want`.
fn ask(s: &mut TcpStream, req: &[u8], want: &[u8]) {
    s.set_read_timeout(Some(Duration::from_secs(30))).ok();
    s.write_all(req).expect("send");
    let mut buf = vec![0; want.len()];
    s.read_exact(&mut buf).expect("reply");
    assert_eq!(
        String::from_utf8_lossy(&buf),
        String::from_utf8_lossy(want),
        "{}",
        String::from_utf8_lossy(req)
    );
}

#[test]
fn the_client_past_maxclients_is_refused() {
    let srv = start_server_with(&["--maxclients", "20"]);
    let mut clients: Vec<Conn> = (0..20).map(|_| srv.connect()).collect();
    for c in &mut clients {
        assert_eq!(c.q("ping"), "+PONG\r\n");
    }
    let mut extra = srv.connect();
    assert_eq!(
        String::from_utf8_lossy(&extra.read_reply()),
        "-ERR max number of clients reached\r\n"
    );
    assert!(extra.is_closed());
    // A place frees up when a client leaves.
    drop(clients.pop());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut c = srv.connect();
        c.send(b"PING\r\n");
        if String::from_utf8_lossy(&c.read_reply()) == "+PONG\r\n" {
            break;
        }
        assert!(Instant::now() < deadline, "the freed place was not reused");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Redis's default `maxclients` of 10,000 clients, each running a few commands,
/// then the next one refused (fewer when this process may not hold that many
/// sockets; the server runs in its own process).
#[test]
fn ten_thousand_clients_then_one_refused() {
    let n = 10_000u64.min(own_fd_limit().saturating_sub(200)).max(50);
    let server = Process::start("", &format!("--maxclients {n}"));
    let start = Instant::now();
    let mut clients: Vec<TcpStream> = (0..n).map(|_| server.connect()).collect();
    for (i, c) in clients.iter_mut().enumerate() {
        c.write_all(format!("SET k{i} v\r\nGET k{i}\r\nINCR total\r\n").as_bytes())
            .expect("send");
    }
    for c in &mut clients {
        c.set_read_timeout(Some(Duration::from_secs(60))).ok();
        let mut got = Vec::new();
        let mut chunk = [0u8; 256];
        while got.iter().filter(|&&b| b == b'\n').count() < 3 {
            let k = c.read(&mut chunk).expect("replies");
            assert!(k > 0, "a client was closed");
            got.extend_from_slice(&chunk[..k]);
        }
        assert!(got.starts_with(b"+OK\r\n$1\r\nv\r\n:"), "{got:?}");
    }
    // Every client's INCR counted once.
    let total = n.to_string();
    let want = format!("${}\r\n{total}\r\n", total.len());
    ask(&mut clients[0], b"GET total\r\n", want.as_bytes());
    // The next client is refused, in Redis's words, and closed.
    let mut last = server.connect();
    let refusal = b"-ERR max number of clients reached\r\n";
    let mut got = vec![0; refusal.len()];
    last.set_read_timeout(Some(Duration::from_secs(30))).ok();
    last.read_exact(&mut got).expect("the refusal");
    assert_eq!(got, refusal);
    assert_eq!(last.read(&mut [0u8; 16]).unwrap_or(0), 0);
    drop(last);
    let elapsed = start.elapsed();
    assert!(
        elapsed < Duration::from_secs(120),
        "{n} clients took {elapsed:?}"
    );
}

/// With `ulimit -n 1024`, `maxclients` 10000 cannot be honoured: the server
/// lowers it to 1024 - 32 = 992 with Redis's warning, and the 993rd client gets
/// the refusal instead of a connection that is never answered.
#[test]
fn a_low_descriptor_limit_lowers_maxclients() {
    if own_fd_limit() < 1100 {
        return; // this process could not hold the clients
    }
    let mut server = Process::start("ulimit -n 1024 &&", "");
    let log = server.log_until("maxclients has been reduced");
    let text = log.concat();
    assert!(
        text.contains(
            "You requested maxclients of 10000 requiring at least 10032 max file descriptors."
        ),
        "{text}"
    );
    assert!(
        text.contains("Current maximum open files is 1024. maxclients has been reduced to 992 to compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'."),
        "{text}"
    );
    let mut first = server.connect();
    ask(
        &mut first,
        b"CONFIG GET maxclients\r\n",
        b"*2\r\n$10\r\nmaxclients\r\n$3\r\n992\r\n",
    );
    // 991 more fill it up; each is answered.
    let mut clients: Vec<TcpStream> = (0..991).map(|_| server.connect()).collect();
    for c in &mut clients {
        ask(c, b"PING\r\n", b"+PONG\r\n");
    }
    let mut extra = server.connect();
    let refusal = b"-ERR max number of clients reached\r\n";
    let mut got = vec![0; refusal.len()];
    extra.set_read_timeout(Some(Duration::from_secs(30))).ok();
    extra.read_exact(&mut got).expect("the refusal");
    assert_eq!(got, refusal);
    // CONFIG SET cannot raise it past the limit either (7.0's text).
    ask(
        &mut first,
        b"CONFIG SET maxclients 5000\r\n",
        b"-ERR CONFIG SET failed (possibly related to argument 'maxclients') - The operating system is not able to handle the specified number of clients, try with 992\r\n",
    );
}

/// SRANDMEMBER, HRANDFIELD and ZRANDMEMBER with a huge negative count ask for
/// a reply of exabytes (Redis 7.0 builds it until memory runs out); here the
/// reply may not pass proto-max-bulk-len: refused at once when even empty
/// elements would pass it, abandoned when the real ones do. Smaller counts
/// answer as Redis does.
#[test]
fn replies_that_repeat_elements_are_bounded() {
    let srv = start_server_with(&["--proto-max-bulk-len", "1mb"]);
    let mut c = srv.connect();
    let refused =
        "-ERR count is out of range: the reply would be larger than proto-max-bulk-len\r\n";
    assert_eq!(c.q("sadd s a b c"), ":3\r\n");
    assert_eq!(c.q("hset h f v"), ":1\r\n");
    assert_eq!(c.q("zadd z 1 m"), ":1\r\n");
    let start = Instant::now();
    for req in [
        "srandmember s -9223372036854775807",
        "hrandfield h -9223372036854775807",
        "zrandmember z -9223372036854775807",
        "hrandfield h -4000000000000000000 withvalues",
    ] {
        assert_eq!(c.q(req), refused, "{req}");
    }
    assert!(start.elapsed() < Duration::from_secs(2));
    // Within the frame budget, but the elements are big: abandoned.
    let big = vec![b'x'; 100_000];
    assert_eq!(
        String::from_utf8_lossy(&c.cmd(&[b"SADD", b"big", &big])),
        ":1\r\n"
    );
    assert_eq!(c.q("srandmember big -20"), refused);
    let five = c.cmd(&[b"SRANDMEMBER", b"big", b"-5"]);
    assert!(five.starts_with(b"*5\r\n$100000\r\n"));
    assert_eq!(five.len(), 4 + 5 * (9 + 100_000 + 2));
    assert_eq!(c.q("ping"), "+PONG\r\n");
}
