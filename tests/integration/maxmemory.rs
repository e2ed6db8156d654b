//! maxmemory and eviction: a server filled past its limit under each policy
//! keeps the keys the policy protects, and under noeviction refuses writes
//! with `-OOM` while reads go on. Every check runs against Ferrous and, when
//! it is installed, against redis-server 7.0.15 (the reference must pass it
//! too: the checks are the policies' contract, not our figures).
use super::support::{start_reference, start_server, Conn};
use std::time::Duration;

fn used_memory(c: &mut Conn) -> u64 {
    let info = c.q("info memory");
    info.lines()
        .find_map(|l| l.strip_prefix("used_memory:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("used_memory in INFO")
}

fn exists(c: &mut Conn, key: &str) -> bool {
    c.q(&format!("exists {key}")) == ":1\r\n"
}

/// Sets the limit to what is used now plus `room` bytes, under `policy`.
fn limit(c: &mut Conn, policy: &str, room: u64) -> u64 {
    assert_eq!(c.q("flushall"), "+OK\r\n");
    assert_eq!(c.q("config set maxmemory 0"), "+OK\r\n");
    let l = used_memory(c) + room;
    assert_eq!(
        c.q(&format!("config set maxmemory-policy {policy}")),
        "+OK\r\n"
    );
    assert_eq!(c.q(&format!("config set maxmemory {l}")), "+OK\r\n");
    l
}

fn value() -> String {
    "v".repeat(500)
}

/// Writes `n` keys `prefix:i` (with a TTL when `ttl` > 0, `ttl + i` seconds).
fn fill(c: &mut Conn, prefix: &str, n: usize, ttl: u64) {
    let v = value();
    for i in 0..n {
        let r = if ttl > 0 {
            c.q(&format!("setex {prefix}:{i} {} {v}", ttl + i as u64))
        } else {
            c.q(&format!("set {prefix}:{i} {v}"))
        };
        assert!(r == "+OK\r\n" || r.starts_with("-OOM"), "{r}");
    }
}

fn check_all(c: &mut Conn) {
    // noeviction: writes refused past the limit, reads and deletes go on
    limit(c, "noeviction", 64 * 1024);
    let v = value();
    let mut refused = false;
    for i in 0..1000 {
        let r = c.q(&format!("set k:{i} {v}"));
        if r.starts_with('-') {
            assert_eq!(
                r,
                "-OOM command not allowed when used memory > 'maxmemory'.\r\n"
            );
            refused = true;
            break;
        }
    }
    assert!(refused, "noeviction never refused a write");
    assert_eq!(c.q("get k:0"), format!("${}\r\n{v}\r\n", v.len()));
    assert_eq!(c.q("del k:0"), ":1\r\n");

    // every evicting policy honours the limit
    for policy in [
        "allkeys-random",
        "allkeys-lru",
        "allkeys-lfu",
        "volatile-lru",
        "volatile-lfu",
        "volatile-random",
        "volatile-ttl",
    ] {
        let l = limit(c, policy, 128 * 1024);
        fill(c, "k", 1000, 10_000);
        assert!(used_memory(c) < l + 4096, "{policy}: limit passed");
        let info = c.q("info stats");
        assert!(
            !info.contains("evicted_keys:0\r"),
            "{policy}: nothing evicted"
        );
    }

    // volatile-*: keys without a TTL are never evicted; once only they are
    // left, writes get -OOM
    for policy in [
        "volatile-lru",
        "volatile-lfu",
        "volatile-random",
        "volatile-ttl",
    ] {
        limit(c, policy, 128 * 1024);
        fill(c, "keep", 60, 0);
        fill(c, "tmp", 1000, 10_000);
        for i in 0..60 {
            assert!(exists(c, &format!("keep:{i}")), "{policy} evicted keep:{i}");
        }
    }

    // volatile-ttl: the nearest expiries go first, the farthest stay
    assert_eq!(c.q("config set maxmemory-samples 10"), "+OK\r\n");
    limit(c, "volatile-ttl", 128 * 1024);
    fill(c, "t", 1000, 10_000); // t:i expires in 10000 + i seconds
    let kept: Vec<usize> = (0..1000).filter(|i| exists(c, &format!("t:{i}"))).collect();
    assert!(kept.len() < 1000);
    assert!((990..1000).all(|i| kept.contains(&i)), "kept {kept:?}");
    assert!(!kept.contains(&0));

    // allkeys-lru: keys read after the others were written stay
    limit(c, "allkeys-lru", 128 * 1024);
    fill(c, "old", 150, 0);
    std::thread::sleep(Duration::from_millis(2100));
    for i in 0..20 {
        assert!(c.q(&format!("get old:{i}")).starts_with('$'));
    }
    fill(c, "new", 100, 0);
    for i in 0..20 {
        assert!(
            exists(c, &format!("old:{i}")),
            "allkeys-lru evicted old:{i}"
        );
    }
    assert!((20..150).any(|i| !exists(c, &format!("old:{i}"))));

    // allkeys-lru with the eviction pool: the evicted keys are the ones idle
    // longest (written first, never read), seldom a key written later, never
    // one read since. Redis 7.0.15 keeps all 50 read keys and, over runs, 280
    // to 300 of the 300 later ones, as Ferrous does.
    assert_eq!(c.q("flushall"), "+OK\r\n");
    assert_eq!(c.q("config set maxmemory 0"), "+OK\r\n");
    assert_eq!(c.q("config set maxmemory-policy allkeys-lru"), "+OK\r\n");
    assert_eq!(c.q("config set maxmemory-samples 5"), "+OK\r\n");
    fill(c, "a", 300, 0);
    std::thread::sleep(Duration::from_millis(2100));
    fill(c, "b", 300, 0);
    std::thread::sleep(Duration::from_millis(2100));
    for i in 0..50 {
        assert!(c.q(&format!("get a:{i}")).starts_with('$'));
    }
    let l = used_memory(c) + 20_000;
    assert_eq!(c.q(&format!("config set maxmemory {l}")), "+OK\r\n");
    fill(c, "c", 200, 0);
    let kept = |c: &mut Conn, p: &str, r: std::ops::Range<usize>| {
        r.filter(|i| exists(c, &format!("{p}:{i}"))).count()
    };
    assert_eq!(
        kept(c, "a", 0..50),
        50,
        "allkeys-lru evicted a key read since"
    );
    assert!(kept(c, "a", 50..300) < 200, "too little evicted");
    let later = kept(c, "b", 0..300);
    assert!(
        later >= 270,
        "allkeys-lru evicted {} later keys",
        300 - later
    );

    // allkeys-lfu: often-read keys stay
    limit(c, "allkeys-lfu", 128 * 1024);
    fill(c, "cold", 150, 0);
    for _ in 0..30 {
        for i in 0..20 {
            c.q(&format!("get cold:{i}"));
        }
    }
    fill(c, "new", 100, 0);
    for i in 0..20 {
        assert!(
            exists(c, &format!("cold:{i}")),
            "allkeys-lfu evicted cold:{i}"
        );
    }
    assert_eq!(c.q("config set maxmemory 0"), "+OK\r\n");
}

#[test]
fn eviction_policies_keep_what_they_promise() {
    let srv = start_server();
    check_all(&mut srv.connect());
}

#[test]
fn eviction_policies_hold_for_the_reference_too() {
    let Some(r) = start_reference() else {
        return;
    };
    check_all(&mut r.connect());
}

#[test]
fn memory_usage_and_stats_answer_like_redis() {
    let srv = start_server();
    let mut c = srv.connect();
    assert_eq!(c.q("memory usage nokey"), "$-1\r\n");
    c.q("set foo bar");
    assert!(c.q("memory usage foo").starts_with(':'));
    // replies and errors checked against redis-server 7.0.15
    assert!(c.q("memory usage foo samples 0").starts_with(':'));
    assert_eq!(c.q("memory usage foo samples"), "-ERR syntax error\r\n");
    assert_eq!(c.q("memory usage foo samples -1"), "-ERR syntax error\r\n");
    assert_eq!(
        c.q("memory usage foo samples x"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(c.q("memory purge"), "+OK\r\n");
    assert_eq!(
        c.q("memory foo"),
        "-ERR unknown subcommand 'foo'. Try MEMORY HELP.\r\n"
    );
    // a hash of 10 small fields is one listpack: far below 10 separate pairs
    c.q("hset h f0 v0 f1 v1 f2 v2 f3 v3 f4 v4 f5 v5 f6 v6 f7 v7 f8 v8 f9 v9");
    let n: i64 = c.q("memory usage h")[1..].trim().parse().unwrap_or(0);
    assert!((80..300).contains(&n), "memory usage of a small hash: {n}");
    let stats = c.q("memory stats");
    assert!(stats.starts_with("*56\r\n"), "{stats}");
    assert!(stats.contains("keys.count"));
}

/// UNLINK hands a big value to the lazy-free thread (counted in INFO as
/// redis-server 7.0.15 counts it: `lazyfreed_objects` 1 after unlinking a set
/// of 1000 members, 0 after a small one), and `used_memory` falls back.
#[test]
fn unlink_frees_big_values_in_the_background() {
    let srv = start_server();
    let mut c = srv.connect();
    let before = used_memory(&mut c);
    let members: Vec<String> = (0..1000).map(|i| format!("m{i}")).collect();
    c.q(&format!("sadd big {}", members.join(" ")));
    c.q("sadd small 1 2 3");
    assert!(used_memory(&mut c) > before + 20_000);
    assert_eq!(c.q("unlink small"), ":1\r\n");
    assert_eq!(c.q("unlink big nokey"), ":1\r\n");
    let freed = |c: &mut Conn| c.q("info memory").contains("lazyfreed_objects:1\r\n");
    assert!(super::support::eventually(
        Duration::from_secs(5),
        || freed(&mut c)
    ));
    assert!(used_memory(&mut c) < before + 4096);
}
