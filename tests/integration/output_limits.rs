//! `client-output-buffer-limit`: CONFIG GET/SET and config-file forms (replies
//! recorded from redis-server 7.0.15), the pubsub class enforced on a
//! subscriber that does not read, and the normal class's hard limit.
use crate::support::*;

const DEFAULT: &str = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60";

fn get(c: &mut Conn) -> String {
    let r = c.q("config get client-output-buffer-limit");
    let want = "*2\r\n$26\r\nclient-output-buffer-limit\r\n";
    assert!(r.starts_with(want), "{r}");
    let bulk = &r[want.len()..];
    let (_, body) = bulk.split_once("\r\n").unwrap();
    body.trim_end_matches("\r\n").to_string()
}

fn set(c: &mut Conn, v: &str) -> String {
    String::from_utf8_lossy(&c.cmd(&[
        b"config",
        b"set",
        b"client-output-buffer-limit",
        v.as_bytes(),
    ]))
    .into_owned()
}

#[test]
fn config_get_and_set_by_class() {
    let srv = start_server();
    let mut c = srv.connect();
    assert_eq!(get(&mut c), DEFAULT);
    assert_eq!(set(&mut c, "pubsub 1mb 512kb 10"), "+OK\r\n");
    assert_eq!(
        get(&mut c),
        "normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 524288 10"
    );
    assert_eq!(set(&mut c, "replica 1mb 512kb 10 normal 1 2 3"), "+OK\r\n");
    assert_eq!(
        get(&mut c),
        "normal 1 2 3 slave 1048576 524288 10 pubsub 1048576 524288 10"
    );
    assert_eq!(set(&mut c, "PUBSUB 1K 2 3"), "+OK\r\n");
    assert_eq!(set(&mut c, ""), "+OK\r\n");
    assert_eq!(
        get(&mut c),
        "normal 1 2 3 slave 1048576 524288 10 pubsub 1000 2 3"
    );
    let fail = |why: &str| {
        format!(
            "-ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - {why}\r\n"
        )
    };
    let class = fail("Invalid client class specified in buffer limit configuration.");
    let count = fail("Wrong number of arguments in buffer limit configuration.");
    let value = fail("Error in hard, soft or soft_seconds setting in buffer limit configuration.");
    assert_eq!(set(&mut c, "foo 1 2 3"), class);
    assert_eq!(set(&mut c, "master 1 2 3"), class);
    assert_eq!(set(&mut c, "pubsub 1 2"), count);
    assert_eq!(set(&mut c, "pubsub 1 2 3 pubsub 4 5"), count);
    assert_eq!(set(&mut c, "pubsub x 2 3"), value);
    assert_eq!(set(&mut c, "pubsub 1 2 -3"), value);
    assert_eq!(set(&mut c, "pubsub 1 2 x"), value);
    // A refused value changes nothing, not even its valid groups.
    assert_eq!(set(&mut c, "normal 9 9 9 pubsub x 2 3"), value);
    assert_eq!(
        get(&mut c),
        "normal 1 2 3 slave 1048576 524288 10 pubsub 1000 2 3"
    );
}

#[test]
fn config_file_form() {
    let srv = start_server_with(&[
        "--client-output-buffer-limit",
        "pubsub",
        "1mb",
        "512kb",
        "10",
        "--client-output-buffer-limit",
        "normal 1 2 3",
    ]);
    assert_eq!(
        get(&mut srv.connect()),
        "normal 1 2 3 slave 268435456 67108864 60 pubsub 1048576 524288 10"
    );
}

#[test]
fn lowered_pubsub_limit_drops_a_subscriber_that_does_not_read() {
    let srv = start_server();
    let mut p = srv.connect();
    assert_eq!(set(&mut p, "pubsub 256kb 0 0"), "+OK\r\n");
    let mut slow = srv.connect();
    assert_eq!(
        slow.q("subscribe big"),
        "*3\r\n$9\r\nsubscribe\r\n$3\r\nbig\r\n:1\r\n"
    );
    let payload = vec![b'x'; 64 * 1024];
    let mut delivered_to = 0;
    // 19 MB in all: what the socket buffers absorb plus 256 KB, well below the
    // default 32 MB hard limit.
    for _ in 0..300 {
        match p.cmd(&[b"publish", b"big", &payload]).as_slice() {
            b":1\r\n" => delivered_to += 1,
            r => {
                assert_eq!(r, b":0\r\n");
                break;
            }
        }
    }
    assert!(delivered_to < 300, "the subscriber was never dropped");
    assert_eq!(p.q("pubsub numsub big"), "*2\r\n$3\r\nbig\r\n:0\r\n");
}

/// A normal client's replies past the hard limit of its class: the client is
/// closed and gets none of them, the commands after it in the same read do not
/// run, and a transaction still runs whole (redis-server 7.0.15's unit/obuf-limits).
#[test]
fn a_normal_client_past_its_hard_limit_gets_nothing_and_is_closed() {
    use std::io::Read;
    let srv = start_server();
    let mut c = srv.connect();
    assert_eq!(set(&mut c, "normal 100000 0 0"), "+OK\r\n");
    let item = "x".repeat(1000);
    for _ in 0..150 {
        c.cmd(&[b"LPUSH", b"mylist", item.as_bytes()]);
    }
    let read_all = |d: &mut Conn| {
        d.stream
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .ok();
        let mut got = Vec::new();
        let _ = d.stream.read_to_end(&mut got);
        got
    };
    // One big reply.
    let mut d = srv.connect();
    assert_eq!(d.q("CLIENT SETNAME mybiglist"), "+OK\r\n");
    d.send(b"LRANGE mylist 0 -1\r\n");
    assert_eq!(read_all(&mut d), b"");
    assert!(!c.q("CLIENT LIST").contains("name=mybiglist"));
    // A pipeline whose replies add up past the limit; the SET after them
    // never runs.
    let mut d = srv.connect();
    let mut pipeline = String::new();
    for _ in 0..3 {
        pipeline.push_str("LRANGE mylist 0 49\r\n");
    }
    pipeline.push_str("SET after 1\r\n");
    d.send(pipeline.as_bytes());
    assert_eq!(read_all(&mut d), b"");
    assert_eq!(c.q("EXISTS after"), ":0\r\n");
    // A transaction runs whole; only its reply is lost.
    let mut d = srv.connect();
    d.send(b"MULTI\r\nSET k2 v2\r\nLRANGE mylist 0 -1\r\nSET k3 v3\r\nEXEC\r\n");
    let got = read_all(&mut d);
    assert!(
        got.is_empty() || got.starts_with(b"+OK\r\n+QUEUED"),
        "{got:?}"
    );
    assert!(got.len() < 1000, "the transaction's reply is not sent");
    assert_eq!(c.q("MGET k2 k3"), "*2\r\n$2\r\nv2\r\n$2\r\nv3\r\n");
    // Limits off again: the big reply goes through.
    assert_eq!(set(&mut c, "normal 0 0 0"), "+OK\r\n");
    assert!(c.q("LRANGE mylist 0 -1").starts_with("*150\r\n"));
}
