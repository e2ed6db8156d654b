//! The `lazyfree-lazy-*` settings: which frees of big values go to the
//! lazy-free thread, as INFO's `lazyfreed_objects` counts them. Every figure
//! was recorded from redis-server 7.0.15, and the check runs against it too
//! when it is installed.
use super::support::{eventually, start_reference, start_server, Conn};
use std::time::Duration;

/// Waits until `lazyfreed_objects` is `n` (the thread frees in its time).
fn freed(c: &mut Conn, n: u64) {
    let want = format!("lazyfreed_objects:{n}\r\n");
    let ok = eventually(Duration::from_secs(5), || {
        c.q("info memory").contains(&want)
    });
    assert!(ok, "lazyfreed_objects never {n}");
}

/// A set of 1000 members: freeing it is 1000 allocations, over Redis's 64.
fn big(c: &mut Conn, key: &str) {
    let members: Vec<String> = (0..1000).map(|i| format!("m{i}")).collect();
    assert_eq!(
        c.q(&format!("sadd {key} {}", members.join(" "))),
        ":1000\r\n"
    );
}

fn check(c: &mut Conn) {
    assert_eq!(c.q("flushall"), "+OK\r\n");
    assert_eq!(c.q("config resetstat"), "+OK\r\n");
    // defaults: DEL and SET over a value free at once
    big(c, "a");
    assert_eq!(c.q("del a"), ":1\r\n");
    big(c, "a");
    assert_eq!(c.q("set a x"), "+OK\r\n");
    freed(c, 0);
    // lazyfree-lazy-user-del: DEL is UNLINK (small values still free at once)
    assert_eq!(c.q("config set lazyfree-lazy-user-del yes"), "+OK\r\n");
    big(c, "s");
    c.q("sadd small 1");
    assert_eq!(c.q("del s small"), ":2\r\n");
    freed(c, 1);
    assert_eq!(c.q("config set lazyfree-lazy-user-del no"), "+OK\r\n");
    // lazyfree-lazy-server-del: a value replaced by SET or RENAME
    assert_eq!(c.q("config set lazyfree-lazy-server-del yes"), "+OK\r\n");
    big(c, "s");
    assert_eq!(c.q("set s x"), "+OK\r\n");
    freed(c, 2);
    big(c, "b");
    assert_eq!(c.q("rename a b"), "+OK\r\n");
    freed(c, 3);
    assert_eq!(c.q("config set lazyfree-lazy-server-del no"), "+OK\r\n");
    // lazyfree-lazy-expire
    assert_eq!(c.q("config set lazyfree-lazy-expire yes"), "+OK\r\n");
    big(c, "e");
    assert_eq!(c.q("pexpire e 1"), ":1\r\n");
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(c.q("exists e"), ":0\r\n");
    freed(c, 4);
    assert_eq!(c.q("config set lazyfree-lazy-expire no"), "+OK\r\n");
    // lazyfree-lazy-user-flush: FLUSHALL is ASYNC, counted per key
    for i in 0..100 {
        c.q(&format!("set k{i} v"));
    }
    assert_eq!(c.q("config set lazyfree-lazy-user-flush yes"), "+OK\r\n");
    assert_eq!(c.q("flushall"), "+OK\r\n"); // 100 keys, "b" and "s"
    freed(c, 106);
    for i in 0..100 {
        c.q(&format!("set k{i} v"));
    }
    assert_eq!(c.q("flushall sync"), "+OK\r\n");
    freed(c, 106);
    assert_eq!(c.q("config set lazyfree-lazy-user-flush no"), "+OK\r\n");
    // lazyfree-lazy-eviction
    assert_eq!(c.q("config set lazyfree-lazy-eviction yes"), "+OK\r\n");
    big(c, "z");
    assert_eq!(c.q("config set maxmemory-policy allkeys-random"), "+OK\r\n");
    assert_eq!(c.q("config set maxmemory 1"), "+OK\r\n");
    assert_eq!(c.q("dbsize"), ":0\r\n");
    freed(c, 107);
    assert_eq!(c.q("config set maxmemory 0"), "+OK\r\n");
    assert_eq!(c.q("config set maxmemory-policy noeviction"), "+OK\r\n");
    assert_eq!(c.q("config set lazyfree-lazy-eviction no"), "+OK\r\n");
}

#[test]
fn lazyfree_settings_free_big_values_off_the_request_path() {
    let srv = start_server();
    check(&mut srv.connect());
}

#[test]
fn lazyfree_settings_count_as_in_the_reference() {
    let Some(r) = start_reference() else {
        return;
    };
    check(&mut r.connect());
}
