//! Blocking XREAD / XREADGROUP: who is woken by what, with which reply.
//!
//! Each scenario runs against Ferrous and, when redis-server is installed,
//! against a live redis-server 7.0.15 too, with the same expected replies
//! (written down from redis-server's answers).
use super::support::{start_reference, start_server, Conn};
use std::time::{Duration, Instant};

/// Runs `scenario` against Ferrous, then against redis-server if present.
fn on_both(scenario: fn(&dyn Fn() -> Conn)) {
    let srv = start_server();
    scenario(&|| srv.connect());
    if let Some(reference) = start_reference() {
        scenario(&|| reference.connect());
    }
}

/// Sends a command without waiting for its reply.
fn send(c: &mut Conn, line: &str) {
    let args: Vec<&[u8]> = line.split_whitespace().map(str::as_bytes).collect();
    c.send(&super::support::multibulk(&args));
}

/// Waits until `n` clients are blocked (INFO `blocked_clients`).
fn wait_blocked(c: &mut Conn, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(5);
    let want = format!("blocked_clients:{n}\r");
    while !c.q("INFO clients").contains(&want) {
        assert!(Instant::now() < deadline, "never saw {n} blocked clients");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn entry(id: &str, f: &str, v: &str) -> String {
    format!(
        "*2\r\n${}\r\n{id}\r\n*2\r\n${}\r\n{f}\r\n${}\r\n{v}\r\n",
        id.len(),
        f.len(),
        v.len()
    )
}

fn one_key(key: &str, entries: &[String]) -> String {
    format!(
        "*1\r\n*2\r\n${}\r\n{key}\r\n*{}\r\n{}",
        key.len(),
        entries.len(),
        entries.concat()
    )
}

#[test]
fn xadd_wakes_every_reader_of_the_key_and_only_with_that_key() {
    on_both(|connect| {
        let (mut c, mut a, mut b) = (connect(), connect(), connect());
        c.q("FLUSHALL");
        c.q("XADD s 1-0 old x");
        c.q("XGROUP CREATE s g $");
        send(&mut a, "XREAD BLOCK 0 STREAMS other s $ $");
        wait_blocked(&mut c, 1);
        send(&mut b, "XREADGROUP GROUP g bob BLOCK 0 STREAMS s >");
        wait_blocked(&mut c, 2);
        c.q("XADD other2 1-0 f v");
        c.q("XADD s 2-0 f v");
        let want = one_key("s", &[entry("2-0", "f", "v")]);
        assert_eq!(String::from_utf8_lossy(&a.read_reply()), want);
        assert_eq!(String::from_utf8_lossy(&b.read_reply()), want);
        assert_eq!(c.q("XPENDING s g - + 10 bob").matches("2-0").count(), 1);
    });
}

#[test]
fn group_readers_share_new_entries_in_arrival_order() {
    on_both(|connect| {
        let (mut c, mut a, mut b) = (connect(), connect(), connect());
        c.q("FLUSHALL");
        c.q("XGROUP CREATE s g $ MKSTREAM");
        send(
            &mut a,
            "XREADGROUP GROUP g alice COUNT 1 BLOCK 0 STREAMS s >",
        );
        wait_blocked(&mut c, 1);
        send(&mut b, "XREADGROUP GROUP g bob COUNT 5 BLOCK 0 STREAMS s >");
        wait_blocked(&mut c, 2);
        c.q("MULTI");
        c.q("XADD s 1-0 f 1");
        c.q("XADD s 2-0 f 2");
        c.q("XADD s 3-0 f 3");
        c.q("EXEC");
        let a_got = String::from_utf8_lossy(&a.read_reply()).into_owned();
        let b_got = String::from_utf8_lossy(&b.read_reply()).into_owned();
        assert_eq!(a_got, one_key("s", &[entry("1-0", "f", "1")]));
        assert_eq!(
            b_got,
            one_key("s", &[entry("2-0", "f", "2"), entry("3-0", "f", "3")])
        );
    });
}

#[test]
fn timeouts_multi_and_explicit_ids() {
    on_both(|connect| {
        let mut c = connect();
        c.q("FLUSHALL");
        let t = Instant::now();
        assert_eq!(c.q("XREAD BLOCK 100 STREAMS s $"), "*-1\r\n");
        assert!(t.elapsed() >= Duration::from_millis(90));
        c.q("MULTI");
        c.q("XREAD BLOCK 0 STREAMS s $");
        assert_eq!(c.q("EXEC"), "*1\r\n*-1\r\n");
        // An ID below the last entry answers at once, even with BLOCK.
        c.q("XADD s 5-0 f v");
        assert_eq!(
            c.q("XREAD BLOCK 0 STREAMS s 4"),
            one_key("s", &[entry("5-0", "f", "v")])
        );
        // A deleted last entry does not count as something to read.
        c.q("XADD s 6-0 f v");
        c.q("XDEL s 6-0");
        assert_eq!(c.q("XREAD BLOCK 50 STREAMS s 5"), "*-1\r\n");
    });
}

#[test]
fn group_readers_end_when_key_or_group_goes() {
    on_both(|connect| {
        let (mut c, mut a, mut b, mut x) = (connect(), connect(), connect(), connect());
        c.q("FLUSHALL");
        c.q("XGROUP CREATE s g $ MKSTREAM");
        c.q("XGROUP CREATE t g $ MKSTREAM");
        send(&mut a, "XREADGROUP GROUP g alice BLOCK 0 STREAMS s >");
        send(&mut b, "XREADGROUP GROUP g bob BLOCK 0 STREAMS t >");
        send(&mut x, "XREAD BLOCK 0 STREAMS s $");
        wait_blocked(&mut c, 3);
        c.q("DEL s");
        assert_eq!(
            String::from_utf8_lossy(&a.read_reply()),
            "-UNBLOCKED the stream key no longer exists\r\n"
        );
        c.q("XGROUP DESTROY t g");
        assert_eq!(
            String::from_utf8_lossy(&b.read_reply()),
            "-NOGROUP the consumer group this client was blocked on no longer exists\r\n"
        );
        // A plain XREAD keeps waiting through the deletion.
        wait_blocked(&mut c, 1);
        c.q("XADD s 1-0 f v");
        assert_eq!(
            String::from_utf8_lossy(&x.read_reply()),
            one_key("s", &[entry("1-0", "f", "v")])
        );
    });
}

#[test]
fn a_key_replaced_by_another_type_ends_group_waits() {
    on_both(|connect| {
        let (mut c, mut a) = (connect(), connect());
        c.q("FLUSHALL");
        c.q("XGROUP CREATE s g $ MKSTREAM");
        send(&mut a, "XREADGROUP GROUP g alice BLOCK 0 STREAMS s >");
        wait_blocked(&mut c, 1);
        c.q("MULTI");
        c.q("DEL s");
        c.q("SADD s e");
        c.q("EXEC");
        assert_eq!(
            String::from_utf8_lossy(&a.read_reply()),
            "-UNBLOCKED the stream key no longer exists\r\n"
        );
        assert!(c.q("INFO clients").contains("blocked_clients:0\r"));
    });
}
