//! Keyspace notifications, checked against redis-server 7.0's messages.
use super::support::start_server;
use std::time::Duration;

/// The two pmessages (keyspace then keyevent) a `__key*__:*` subscriber gets.
fn events(key: &str, event: &str) -> Vec<String> {
    let pm = |ch: String, msg: &str| {
        format!(
            "*4\r\n$8\r\npmessage\r\n$10\r\n__key*__:*\r\n${}\r\n{ch}\r\n${}\r\n{msg}\r\n",
            ch.len(),
            msg.len()
        )
    };
    vec![
        pm(format!("__keyspace@0__:{key}"), event),
        pm(format!("__keyevent@0__:{event}"), key),
    ]
}

#[test]
fn config_flags_print_as_redis_prints_them() {
    let srv = start_server();
    let mut c = srv.connect();
    assert_eq!(
        c.q("CONFIG SET notify-keyspace-events Q"),
        "-ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'.\r\n"
    );
    for (set, get) in [
        ("KEA", "AKE"),
        ("Ex", "xE"),
        ("nmKgd", "gdnKm"),
        ("EAmn", "AEm"),
    ] {
        assert_eq!(
            c.q(&format!("CONFIG SET notify-keyspace-events {set}")),
            "+OK\r\n"
        );
        let want = format!(
            "*2\r\n$22\r\nnotify-keyspace-events\r\n${}\r\n{get}\r\n",
            get.len()
        );
        assert_eq!(c.q("CONFIG GET notify-keyspace-events"), want);
    }
}

#[test]
fn set_expire_del_rename_and_expired_events() {
    let srv = start_server();
    let mut s = srv.connect();
    let mut p = srv.connect();
    assert_eq!(p.q("CONFIG SET notify-keyspace-events KEA"), "+OK\r\n");
    assert_eq!(
        s.q("PSUBSCRIBE __key*__:*"),
        "*3\r\n$10\r\npsubscribe\r\n$10\r\n__key*__:*\r\n:1\r\n"
    );
    for c in [
        "SET k v",
        "PEXPIRE k 30",
        "DEL k",
        "DEL nothing",
        "SET a 1 EX 100",
        "SETEX b 10 x",
        "SETNX c 1",
        "RENAME c d",
        "EXPIRE d 0",
        "MSET q 1",
    ] {
        p.q(c);
    }
    let mut want = Vec::new();
    for (k, e) in [
        ("k", "set"),
        ("k", "expire"),
        ("k", "del"),
        ("a", "set"),
        ("a", "expire"),
        ("b", "set"),
        ("b", "expire"),
        ("c", "set"),
        ("c", "rename_from"),
        ("d", "rename_to"),
        ("d", "del"),
        ("q", "set"),
    ] {
        want.extend(events(k, e));
    }
    for w in &want {
        assert_eq!(String::from_utf8_lossy(&s.read_reply()), *w);
    }
    // Expired by the active cycle, nobody touching the key.
    assert_eq!(p.q("SET j v PX 10"), "+OK\r\n");
    let mut want = events("j", "set");
    want.extend(events("j", "expire"));
    want.extend(events("j", "expired"));
    for w in &want {
        assert_eq!(String::from_utf8_lossy(&s.read_reply()), *w);
    }
    // Only `x` with `E`: just the keyevent message.
    assert_eq!(p.q("CONFIG SET notify-keyspace-events Ex"), "+OK\r\n");
    assert_eq!(p.q("SET z 1 PX 5"), "+OK\r\n");
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(
        String::from_utf8_lossy(&s.read_reply()),
        events("z", "expired")[1]
    );
}
