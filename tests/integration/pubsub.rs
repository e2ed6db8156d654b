//! Pub/sub over TCP with several connections; every expected reply is what
//! redis-server 7.0 sends, byte for byte.
use super::support::{multibulk, start_server};
use std::io::Read;
use std::time::{Duration, Instant};

fn sub_reply(kind: &str, name: &str, count: usize) -> String {
    format!(
        "*3\r\n${}\r\n{kind}\r\n${}\r\n{name}\r\n:{count}\r\n",
        kind.len(),
        name.len()
    )
}

#[test]
fn subscribe_framing_messages_and_unsubscribe_all() {
    let srv = start_server();
    let mut a = srv.connect();
    let mut b = srv.connect();
    assert_eq!(
        a.q("UNSUBSCRIBE"),
        "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n"
    );
    assert_eq!(
        a.q("PUNSUBSCRIBE"),
        "*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n"
    );
    a.send(&multibulk(&[b"SUBSCRIBE", b"ch1", b"ch2", b"ch1"]));
    assert_eq!(a.read_reply(), sub_reply("subscribe", "ch1", 1).as_bytes());
    assert_eq!(a.read_reply(), sub_reply("subscribe", "ch2", 2).as_bytes());
    assert_eq!(a.read_reply(), sub_reply("subscribe", "ch1", 2).as_bytes());
    a.send(&multibulk(&[b"PSUBSCRIBE", b"h?llo", b"news.*"]));
    assert_eq!(
        a.read_reply(),
        sub_reply("psubscribe", "h?llo", 3).as_bytes()
    );
    assert_eq!(
        a.read_reply(),
        sub_reply("psubscribe", "news.*", 4).as_bytes()
    );
    assert_eq!(a.q("PING"), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    assert_eq!(a.q("PING x"), "*2\r\n$4\r\npong\r\n$1\r\nx\r\n");
    assert_eq!(
        a.q("GET x"),
        "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n"
    );
    assert_eq!(
        a.q("PING a b"),
        "-ERR wrong number of arguments for 'ping' command\r\n"
    );
    assert_eq!(b.q("PUBLISH ch1 hi"), ":1\r\n");
    assert_eq!(
        a.read_reply(),
        b"*3\r\n$7\r\nmessage\r\n$3\r\nch1\r\n$2\r\nhi\r\n"
    );
    assert_eq!(b.q("PUBLISH hello world"), ":1\r\n");
    assert_eq!(
        a.read_reply(),
        b"*4\r\n$8\r\npmessage\r\n$5\r\nh?llo\r\n$5\r\nhello\r\n$5\r\nworld\r\n"
    );
    assert_eq!(b.q("PUBLISH nobody x"), ":0\r\n");
    assert_eq!(
        b.q("PUBSUB NUMSUB ch1 ch2 zz"),
        "*6\r\n$3\r\nch1\r\n:1\r\n$3\r\nch2\r\n:1\r\n$2\r\nzz\r\n:0\r\n"
    );
    assert_eq!(b.q("PUBSUB NUMSUB"), "*0\r\n");
    assert_eq!(b.q("PUBSUB NUMPAT"), ":2\r\n");
    assert_eq!(b.q("PUBSUB CHANNELS"), "*2\r\n$3\r\nch1\r\n$3\r\nch2\r\n");
    assert_eq!(b.q("PUBSUB CHANNELS *1"), "*1\r\n$3\r\nch1\r\n");
    assert_eq!(
        b.q("PUBSUB CHANNELS a b"),
        "-ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.\r\n"
    );
    assert_eq!(
        b.q("PUBSUB NUMPAT x"),
        "-ERR wrong number of arguments for 'pubsub|numpat' command\r\n"
    );
    assert_eq!(
        b.q("PUBSUB foo"),
        "-ERR unknown subcommand 'foo'. Try PUBSUB HELP.\r\n"
    );
    a.send(&multibulk(&[b"UNSUBSCRIBE", b"ch1", b"nope"]));
    assert_eq!(
        a.read_reply(),
        sub_reply("unsubscribe", "ch1", 3).as_bytes()
    );
    assert_eq!(
        a.read_reply(),
        sub_reply("unsubscribe", "nope", 3).as_bytes()
    );
    a.send(b"PUNSUBSCRIBE\r\n");
    assert_eq!(
        a.read_reply(),
        sub_reply("punsubscribe", "h?llo", 2).as_bytes()
    );
    assert_eq!(
        a.read_reply(),
        sub_reply("punsubscribe", "news.*", 1).as_bytes()
    );
    assert_eq!(a.q("UNSUBSCRIBE"), sub_reply("unsubscribe", "ch2", 0));
    // Out of subscribe mode: ordinary commands again.
    assert_eq!(a.q("GET x"), "$-1\r\n");
    assert_eq!(a.q("PING"), "+PONG\r\n");
    assert_eq!(b.q("PUBSUB NUMPAT"), ":0\r\n");
    assert_eq!(b.q("PUBSUB CHANNELS"), "*0\r\n");
}

#[test]
fn quit_reset_and_disconnect_leave_subscribe_mode() {
    let srv = start_server();
    let mut p = srv.connect();
    let mut d = srv.connect();
    assert_eq!(d.q("SUBSCRIBE c"), sub_reply("subscribe", "c", 1));
    assert_eq!(d.q("QUIT"), "+OK\r\n");
    assert!(d.is_closed());
    let mut e = srv.connect();
    assert_eq!(e.q("SUBSCRIBE c"), sub_reply("subscribe", "c", 1));
    assert_eq!(e.q("RESET"), "+RESET\r\n");
    assert_eq!(e.q("GET x"), "$-1\r\n");
    assert_eq!(p.q("PUBLISH c m"), ":0\r\n");
    // MULTI while subscribed: the refused EXEC aborts the transaction.
    let mut f = srv.connect();
    assert_eq!(f.q("MULTI"), "+OK\r\n");
    assert_eq!(f.q("SUBSCRIBE a"), "+QUEUED\r\n");
    assert_eq!(
        f.q("EXEC"),
        "*1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n"
    );
    assert_eq!(f.q("MULTI"), "-ERR Can't execute 'multi': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n");
    drop(f);
    let deadline = Instant::now() + Duration::from_secs(5);
    while p.q("PUBSUB NUMSUB a") != "*2\r\n$1\r\na\r\n:0\r\n" {
        assert!(Instant::now() < deadline, "disconnect did not unsubscribe");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn messages_reach_many_subscribers_in_publish_order() {
    let srv = start_server();
    let mut subs: Vec<_> = (0..3).map(|_| srv.connect()).collect();
    for s in subs.iter_mut() {
        assert_eq!(s.q("PSUBSCRIBE n*"), sub_reply("psubscribe", "n*", 1));
    }
    let mut p = srv.connect();
    for i in 0..100 {
        assert_eq!(p.q(&format!("PUBLISH news {i}")), ":3\r\n");
    }
    for s in subs.iter_mut() {
        for i in 0..100 {
            let m = format!("{i}");
            let want = format!(
                "*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n${}\r\n{m}\r\n",
                m.len()
            );
            assert_eq!(s.read_reply(), want.as_bytes());
        }
    }
}

#[test]
fn slow_subscriber_is_disconnected_at_the_output_limit() {
    let srv = start_server();
    let slow = std::net::TcpStream::connect(("127.0.0.1", srv.port)).expect("connect");
    let mut slow_conn = super::support::Conn::from_stream(slow.try_clone().expect("clone"));
    assert_eq!(
        slow_conn.q("SUBSCRIBE big"),
        sub_reply("subscribe", "big", 1)
    );
    let mut p = srv.connect();
    let payload = vec![b'x'; 1024 * 1024];
    let mut delivered_to = 0;
    // 32 MB hard limit plus what the kernel's socket buffers absorb.
    for _ in 0..80 {
        let r = p.cmd(&[b"PUBLISH", b"big", &payload]);
        if r == b":1\r\n" {
            delivered_to += 1;
        } else {
            assert_eq!(r, b":0\r\n");
        }
    }
    assert!(delivered_to < 80, "the subscriber was never dropped");
    assert_eq!(p.q("PUBSUB NUMSUB big"), "*2\r\n$3\r\nbig\r\n:0\r\n");
    assert_eq!(p.q("PING"), "+PONG\r\n");
    // The slow client's socket ends after at most what was queued and buffered.
    let mut got = 0usize;
    let mut buf = vec![0u8; 1 << 20];
    let mut s = slow;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok();
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    assert!(got < 80 * 1024 * 1024, "read {got} bytes");
}

#[test]
fn protocol_error_while_subscribed_follows_the_replies() {
    let srv = start_server();
    let mut a = srv.connect();
    assert_eq!(a.q("SUBSCRIBE c"), sub_reply("subscribe", "c", 1));
    a.send(b"PING\r\n*1\r\n$x\r\n");
    assert_eq!(a.read_reply(), b"*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    assert_eq!(
        a.read_reply(),
        b"-ERR Protocol error: invalid bulk length\r\n"
    );
    assert!(a.is_closed());
}
