//! Key and keyspace commands over TCP: scripted sessions whose replies were
//! recorded from redis-server 7.0.15, the SCAN guarantee under concurrent writes,
//! and the commands whose answers are unordered or random (checked by property).
use super::support::{eventually, run_cases, Cases};
use super::support::{start_server, Conn};
use std::collections::BTreeSet;
use std::time::Duration;

#[test]
fn generic_key_commands() {
    run_cases(KEYS_GENERIC);
}

#[test]
fn expire_family() {
    run_cases(EXPIRE);
}

#[test]
fn scan_keys_and_select_errors() {
    run_cases(SCAN_KEYS_SELECT);
}

#[test]
fn glob_patterns() {
    run_cases(GLOB);
}

#[test]
fn scan_cursors_parse_alike_in_all_four_scans() {
    run_cases(SCAN_CURSORS);
}

/// Parses a flat array of bulk strings (KEYS) or SCAN's `[cursor, [keys]]`.
fn bulks(reply: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < reply.len() {
        let end = i + reply[i..].windows(2).position(|w| w == b"\r\n").unwrap();
        let head = &reply[i..end];
        i = end + 2;
        if head[0] == b'$' {
            let n: usize = std::str::from_utf8(&head[1..]).unwrap().parse().unwrap();
            out.push(reply[i..i + n].to_vec());
            i += n + 2;
        }
    }
    out
}

/// One SCAN call: the next cursor and the keys.
fn scan(c: &mut Conn, cursor: &[u8], extra: &[&[u8]]) -> (Vec<u8>, Vec<Vec<u8>>) {
    let mut args: Vec<&[u8]> = vec![b"SCAN", cursor];
    args.extend_from_slice(extra);
    let mut items = bulks(&c.cmd(&args));
    let cursor = items.remove(0);
    (cursor, items)
}

fn scan_all(c: &mut Conn, extra: &[&[u8]]) -> BTreeSet<Vec<u8>> {
    let mut cursor = b"0".to_vec();
    let mut seen = BTreeSet::new();
    loop {
        let (next, keys) = scan(c, &cursor, extra);
        seen.extend(keys);
        if next == b"0" {
            return seen;
        }
        cursor = next;
    }
}

fn set_of(keys: &[&str]) -> BTreeSet<Vec<u8>> {
    keys.iter().map(|k| k.as_bytes().to_vec()).collect()
}

#[test]
fn scan_filters_by_match_and_type() {
    let srv = start_server();
    let mut c = srv.connect();
    for k in ["user:1", "user:2", "user:10", "item:1", "x"] {
        assert_eq!(c.q(&format!("SET {k} v")), "+OK\r\n");
    }
    assert_eq!(c.q("SET gone v PX 1"), "+OK\r\n");
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(
        scan_all(&mut c, &[]),
        set_of(&["user:1", "user:2", "user:10", "item:1", "x"])
    );
    assert_eq!(
        scan_all(&mut c, &[b"MATCH", b"user:?"]),
        set_of(&["user:1", "user:2"])
    );
    assert_eq!(
        scan_all(&mut c, &[b"match", b"user:*", b"COUNT", b"1"]),
        set_of(&["user:1", "user:2", "user:10"])
    );
    assert_eq!(
        scan_all(&mut c, &[b"TYPE", b"string", b"MATCH", b"i*"]),
        set_of(&["item:1"])
    );
    assert_eq!(scan_all(&mut c, &[b"TYPE", b"hash"]), set_of(&[]));
    // A COUNT larger than the keyspace finishes in one call.
    let (cursor, keys) = scan(&mut c, b"0", &[b"COUNT", b"1000"]);
    assert_eq!(cursor, b"0");
    assert_eq!(keys.len(), 5);
}

/// Every key present for the whole iteration is returned, while other keys are
/// added and removed between the calls (forcing the table to grow and shrink).
#[test]
fn scan_returns_every_stable_key_under_concurrent_writes() {
    let srv = start_server();
    let mut c = srv.connect();
    let mut writer = srv.connect();
    let stable: BTreeSet<Vec<u8>> = (0..300)
        .map(|i| format!("stable:{i}").into_bytes())
        .collect();
    for k in &stable {
        assert_eq!(c.cmd(&[b"SET", k, b"1"]), b"+OK\r\n");
    }
    let mut cursor = b"0".to_vec();
    let mut seen = BTreeSet::new();
    let mut round = 0;
    loop {
        let (next, keys) = scan(&mut c, &cursor, &[b"COUNT", b"7"]);
        seen.extend(keys);
        // Grow for a while, then delete everything added, then grow again.
        let phase = (round / 10) % 2;
        let mut batch = Vec::new();
        for j in 0..200 {
            let k = format!("churn:{}:{j}", round / 20);
            let cmd: &[&[u8]] = if phase == 0 {
                &[b"SET", k.as_bytes(), b"2"]
            } else {
                &[b"DEL", k.as_bytes()]
            };
            batch.extend_from_slice(&super::support::multibulk(cmd));
        }
        writer.send(&batch);
        for _ in 0..200 {
            writer.read_reply();
        }
        round += 1;
        if next == b"0" {
            break;
        }
        cursor = next;
    }
    assert!(round > 5, "the scan should take several calls");
    let missing: Vec<_> = stable.difference(&seen).collect();
    assert!(missing.is_empty(), "missing {} stable keys", missing.len());
}

#[test]
fn keys_lists_matching_live_keys() {
    let srv = start_server();
    let mut c = srv.connect();
    for k in ["one", "two", "three", "four"] {
        assert_eq!(c.q(&format!("SET {k} v")), "+OK\r\n");
    }
    assert_eq!(c.q("SET expired v PX 1"), "+OK\r\n");
    std::thread::sleep(Duration::from_millis(20));
    let all: BTreeSet<_> = bulks(&c.cmd(&[b"KEYS", b"*"])).into_iter().collect();
    assert_eq!(all, set_of(&["one", "two", "three", "four"]));
    let t: BTreeSet<_> = bulks(&c.cmd(&[b"KEYS", b"t*"])).into_iter().collect();
    assert_eq!(t, set_of(&["two", "three"]));
    let o: BTreeSet<_> = bulks(&c.cmd(&[b"KEYS", b"*o*"])).into_iter().collect();
    assert_eq!(o, set_of(&["one", "two", "four"]));
    assert_eq!(c.q("KEYS nomatch*"), "*0\r\n");
}

#[test]
fn randomkey_picks_live_keys() {
    let srv = start_server();
    let mut c = srv.connect();
    assert_eq!(c.q("RANDOMKEY"), "$-1\r\n");
    for k in ["a", "b", "c"] {
        assert_eq!(c.q(&format!("SET {k} v")), "+OK\r\n");
    }
    assert_eq!(c.q("SET gone v PX 1"), "+OK\r\n");
    std::thread::sleep(Duration::from_millis(20));
    let mut seen = BTreeSet::new();
    for _ in 0..200 {
        let k = bulks(&c.cmd(&[b"RANDOMKEY"])).remove(0);
        seen.insert(k);
    }
    assert_eq!(seen, set_of(&["a", "b", "c"]));
}

#[test]
fn object_idletime_counts_seconds_since_access() {
    let srv = start_server();
    let mut c = srv.connect();
    assert_eq!(c.q("SET k v"), "+OK\r\n");
    assert_eq!(c.q("OBJECT IDLETIME nokey"), "$-1\r\n");
    // Idle time only grows while nobody reads the key (OBJECT itself does not count)...
    assert!(eventually(Duration::from_secs(5), || c
        .q("OBJECT IDLETIME k")
        == ":2\r\n"));
    // ...and a read resets it (the clock ticks in whole seconds, hence the retry).
    assert!(eventually(Duration::from_secs(2), || {
        c.q("GET k") == "$1\r\nv\r\n" && c.q("OBJECT IDLETIME k") == ":0\r\n"
    }));
}

#[test]
fn expired_keys_are_invisible_everywhere() {
    let srv = start_server();
    let mut c = srv.connect();
    assert_eq!(c.q("SET k v PX 30"), "+OK\r\n");
    assert_eq!(c.q("SET d v PX 30"), "+OK\r\n");
    std::thread::sleep(Duration::from_millis(60));
    assert_eq!(c.q("EXISTS k"), ":0\r\n");
    assert_eq!(c.q("TTL d"), ":-2\r\n");
    assert_eq!(c.q("TYPE d"), "+none\r\n");
    assert_eq!(c.q("RENAME d x"), "-ERR no such key\r\n");
    assert_eq!(c.q("SETNX d new"), ":1\r\n");
    assert_eq!(c.q("TTL d"), ":-1\r\n");
}

#[test]
fn each_connection_has_its_own_database() {
    let srv = start_server();
    let mut a = srv.connect();
    let mut b = srv.connect();
    assert_eq!(a.q("SELECT 3"), "+OK\r\n");
    assert_eq!(a.q("SET k in3"), "+OK\r\n");
    assert_eq!(b.q("GET k"), "$-1\r\n");
    assert_eq!(b.q("SELECT 3"), "+OK\r\n");
    assert_eq!(b.q("GET k"), "$3\r\nin3\r\n");
    assert_eq!(b.q("SWAPDB 3 0"), "+OK\r\n");
    assert_eq!(a.q("GET k"), "$-1\r\n");
    assert_eq!(a.q("SELECT 0"), "+OK\r\n");
    assert_eq!(a.q("GET k"), "$3\r\nin3\r\n");
    let info = a.q("INFO keyspace");
    assert!(info.contains("db0:keys=1,expires=0"), "{info}");
}

#[test]
fn flushall_async_frees_many_keys() {
    let srv = start_server();
    let mut c = srv.connect();
    let mut args: Vec<Vec<u8>> = vec![b"MSET".to_vec()];
    for i in 0..5000 {
        args.push(format!("key:{i}").into_bytes());
        args.push(b"v".to_vec());
    }
    let refs: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
    assert_eq!(c.cmd(&refs), b"+OK\r\n");
    assert_eq!(c.q("SELECT 1"), "+OK\r\n");
    assert_eq!(c.cmd(&refs), b"+OK\r\n");
    assert_eq!(c.q("DBSIZE"), ":5000\r\n");
    assert_eq!(c.q("FLUSHDB ASYNC"), "+OK\r\n");
    assert_eq!(c.q("DBSIZE"), ":0\r\n");
    assert_eq!(c.q("SELECT 0"), "+OK\r\n");
    assert_eq!(c.q("DBSIZE"), ":5000\r\n");
    assert_eq!(c.q("FLUSHALL ASYNC"), "+OK\r\n");
    assert_eq!(c.q("DBSIZE"), ":0\r\n");
    assert_eq!(c.q("GET key:1"), "$-1\r\n");
}

/// Reading commands count INFO's keyspace hits and misses; writes do not.
/// (The totals are what redis-server 7.0 reports for the same sequence.)
#[test]
fn reads_count_keyspace_hits_and_misses() {
    let srv = start_server();
    let mut c = srv.connect();
    for cmd in [
        "SET a 1",
        "GET a",
        "GET nokey",
        "EXISTS a nokey",
        "TYPE a",
        "TTL a",
        "STRLEN a",
        "OBJECT ENCODING a",
        "GETRANGE a 0 1",
        "MGET a nokey",
        "INCR a",
        "LCS a b",
        "BITOP OR d a b",
        "BITCOUNT a",
        "GETBIT nokey 1",
        "KEYS *",
        "SCAN 0",
        "EXPIRE a 100",
        "GETDEL a",
    ] {
        assert!(!c.q(cmd).starts_with('-'), "{cmd}");
    }
    let info = c.q("INFO stats");
    assert!(info.contains("keyspace_hits:12\r\n"), "{info}");
    assert!(info.contains("keyspace_misses:6\r\n"), "{info}");
}

#[test]
fn expiry_times_near_the_end_of_time() {
    let srv = start_server();
    let mut c = srv.connect();
    assert_eq!(c.q("SET k v"), "+OK\r\n");
    assert_eq!(c.q("PEXPIREAT k 9223372036854775807"), ":1\r\n");
    assert_eq!(c.q("EXPIRETIME k"), ":9223372036854776\r\n");
    assert_eq!(c.q("PEXPIRETIME k"), ":9223372036854775807\r\n");
    assert_eq!(c.q("PEXPIREAT k 9223372036854775000"), ":1\r\n");
    assert_eq!(c.q("EXPIRETIME k"), ":9223372036854775\r\n");
    assert_eq!(
        c.q("EXPIRE k 9223372036854775"),
        "-ERR invalid expire time in 'expire' command\r\n"
    );
    assert_eq!(
        c.q("PEXPIRE k 9223372036854775807"),
        "-ERR invalid expire time in 'pexpire' command\r\n"
    );
}

#[rustfmt::skip]
const KEYS_GENERIC: Cases = &[
    (&[b"flushall"], b"+OK\r\n"),
    (&[b"set", b"a", b"1"], b"+OK\r\n"),
    (&[b"set", b"b", b"2"], b"+OK\r\n"),
    (&[b"del", b"a", b"b", b"c"], b":2\r\n"),
    (&[b"del", b"a"], b":0\r\n"),
    (&[b"exists", b"a", b"b", b"b", b"nokey"], b":0\r\n"),
    (&[b"set", b"a", b"1"], b"+OK\r\n"),
    (&[b"exists", b"a", b"a", b"a"], b":3\r\n"),
    (&[b"type", b"a"], b"+string\r\n"),
    (&[b"type", b"nokey"], b"+none\r\n"),
    (&[b"unlink", b"a"], b":1\r\n"),
    (&[b"set", b"a", b"1"], b"+OK\r\n"),
    (&[b"rename", b"a", b"a"], b"+OK\r\n"),
    (&[b"rename", b"nokey", b"nokey"], b"-ERR no such key\r\n"),
    (&[b"rename", b"nokey", b"x"], b"-ERR no such key\r\n"),
    (&[b"renamenx", b"a", b"a"], b":0\r\n"),
    (&[b"set", b"b", b"2"], b"+OK\r\n"),
    (&[b"expire", b"a", b"100"], b":1\r\n"),
    (&[b"rename", b"a", b"b"], b"+OK\r\n"),
    (&[b"ttl", b"b"], b":100\r\n"),
    (&[b"get", b"b"], b"$1\r\n1\r\n"),
    (&[b"exists", b"a"], b":0\r\n"),
    (&[b"set", b"a", b"1"], b"+OK\r\n"),
    (&[b"renamenx", b"a", b"b"], b":0\r\n"),
    (&[b"renamenx", b"a", b"c"], b":1\r\n"),
    (&[b"get", b"c"], b"$1\r\n1\r\n"),
    (&[b"copy", b"c", b"c"], b"-ERR source and destination objects are the same\r\n"),
    (&[b"copy", b"c", b"d"], b":1\r\n"),
    (&[b"get", b"d"], b"$1\r\n1\r\n"),
    (&[b"ttl", b"d"], b":-1\r\n"),
    (&[b"copy", b"c", b"d"], b":0\r\n"),
    (&[b"copy", b"c", b"d", b"replace"], b":1\r\n"),
    (&[b"copy", b"c", b"d", b"db", b"1"], b":1\r\n"),
    (&[b"copy", b"c", b"d", b"db", b"1", b"replace"], b":1\r\n"),
    (&[b"copy", b"c", b"c", b"db", b"1"], b":1\r\n"),
    (&[b"copy", b"c", b"d", b"db", b"16"], b"-ERR DB index is out of range\r\n"),
    (&[b"copy", b"c", b"d", b"db", b"-1"], b"-ERR DB index is out of range\r\n"),
    (&[b"copy", b"c", b"d", b"db", b"x"], b"-ERR value is not an integer or out of range\r\n"),
    (&[b"copy", b"c", b"d", b"foo"], b"-ERR syntax error\r\n"),
    (&[b"copy", b"nokey", b"d"], b":0\r\n"),
    (&[b"select", b"1"], b"+OK\r\n"),
    (&[b"get", b"d"], b"$1\r\n1\r\n"),
    (&[b"get", b"c"], b"$1\r\n1\r\n"),
    (&[b"ttl", b"d"], b":-1\r\n"),
    (&[b"select", b"0"], b"+OK\r\n"),
    (&[b"move", b"d", b"1"], b":0\r\n"),
    (&[b"move", b"c", b"1"], b":0\r\n"),
    (&[b"move", b"c", b"1"], b":0\r\n"),
    (&[b"move", b"nokey", b"1"], b":0\r\n"),
    (&[b"move", b"c", b"0"], b"-ERR source and destination objects are the same\r\n"),
    (&[b"move", b"c", b"16"], b"-ERR DB index is out of range\r\n"),
    (&[b"move", b"c", b"x"], b"-ERR value is not an integer or out of range\r\n"),
    (&[b"select", b"1"], b"+OK\r\n"),
    (&[b"ttl", b"c"], b":-1\r\n"),
    (&[b"exists", b"c", b"d"], b":2\r\n"),
    (&[b"select", b"0"], b"+OK\r\n"),
    (&[b"swapdb", b"0", b"1"], b"+OK\r\n"),
    (&[b"get", b"c"], b"$1\r\n1\r\n"),
    (&[b"get", b"d"], b"$1\r\n1\r\n"),
    (&[b"swapdb", b"0", b"1"], b"+OK\r\n"),
    (&[b"swapdb", b"0", b"0"], b"+OK\r\n"),
    (&[b"swapdb", b"x", b"1"], b"-ERR invalid first DB index\r\n"),
    (&[b"swapdb", b"0", b"x"], b"-ERR invalid second DB index\r\n"),
    (&[b"swapdb", b"0", b"-1"], b"-ERR DB index is out of range\r\n"),
    (&[b"swapdb", b"0", b"16"], b"-ERR DB index is out of range\r\n"),
    (&[b"dbsize"], b":3\r\n"),
    (&[b"select", b"1"], b"+OK\r\n"),
    (&[b"dbsize"], b":2\r\n"),
    (&[b"flushdb"], b"+OK\r\n"),
    (&[b"dbsize"], b":0\r\n"),
    (&[b"select", b"0"], b"+OK\r\n"),
    (&[b"dbsize"], b":3\r\n"),
    (&[b"flushall", b"async"], b"+OK\r\n"),
    (&[b"flushall", b"sync"], b"+OK\r\n"),
    (&[b"flushall", b"foo"], b"-ERR syntax error\r\n"),
    (&[b"flushdb", b"async"], b"+OK\r\n"),
    (&[b"flushdb", b"sync", b"foo"], b"-ERR syntax error\r\n"),
];

#[rustfmt::skip]
const EXPIRE: Cases = &[
    (&[b"flushall"], b"+OK\r\n"),
    (&[b"set", b"k", b"v"], b"+OK\r\n"),
    (&[b"expire", b"k", b"10", b"foo"], b"-ERR Unsupported option foo\r\n"),
    (&[b"expire", b"k", b"10", b"nx", b"xx"], b"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n"),
    (&[b"expire", b"k", b"10", b"gt", b"lt"], b"-ERR GT and LT options at the same time are not compatible\r\n"),
    (&[b"expire", b"k", b"10", b"nx", b"gt"], b"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n"),
    (&[b"expire", b"k", b"x", b"foo"], b"-ERR Unsupported option foo\r\n"),
    (&[b"expire", b"k", b"x"], b"-ERR value is not an integer or out of range\r\n"),
    (&[b"expire", b"k", b"9223372036854775807"], b"-ERR invalid expire time in 'expire' command\r\n"),
    (&[b"expire", b"k", b"9223372036854775"], b"-ERR invalid expire time in 'expire' command\r\n"),
    (&[b"expire", b"k", b"-9223372036854775"], b":1\r\n"),
    (&[b"expire", b"nokey", b"10"], b":0\r\n"),
    (&[b"ttl", b"k"], b":-2\r\n"),
    (&[b"expire", b"k", b"100", b"xx"], b":0\r\n"),
    (&[b"expire", b"k", b"100", b"gt"], b":0\r\n"),
    (&[b"expire", b"k", b"100", b"lt"], b":0\r\n"),
    (&[b"expire", b"k", b"200", b"nx"], b":0\r\n"),
    (&[b"expire", b"k", b"200"], b":0\r\n"),
    (&[b"ttl", b"k"], b":-2\r\n"),
    (&[b"expire", b"k", b"100", b"nx"], b":0\r\n"),
    (&[b"expire", b"k", b"50", b"gt"], b":0\r\n"),
    (&[b"expire", b"k", b"300", b"gt"], b":0\r\n"),
    (&[b"ttl", b"k"], b":-2\r\n"),
    (&[b"expire", b"k", b"400", b"lt"], b":0\r\n"),
    (&[b"expire", b"k", b"100", b"lt"], b":0\r\n"),
    (&[b"ttl", b"k"], b":-2\r\n"),
    (&[b"persist", b"k"], b":0\r\n"),
    (&[b"persist", b"k"], b":0\r\n"),
    (&[b"ttl", b"k"], b":-2\r\n"),
    (&[b"persist", b"nokey"], b":0\r\n"),
    (&[b"ttl", b"nokey"], b":-2\r\n"),
    (&[b"pttl", b"nokey"], b":-2\r\n"),
    (&[b"expiretime", b"nokey"], b":-2\r\n"),
    (&[b"expiretime", b"k"], b":-2\r\n"),
    (&[b"pexpiretime", b"k"], b":-2\r\n"),
    (&[b"expireat", b"k", b"99999999999"], b":0\r\n"),
    (&[b"expiretime", b"k"], b":-2\r\n"),
    (&[b"pexpireat", b"k", b"99999999999000"], b":0\r\n"),
    (&[b"pexpiretime", b"k"], b":-2\r\n"),
    (&[b"pexpire", b"k", b"9223372036854775807"], b"-ERR invalid expire time in 'pexpire' command\r\n"),
    (&[b"pexpire", b"k", b"100000"], b":0\r\n"),
    (&[b"ttl", b"k"], b":-2\r\n"),
    (&[b"pexpireat", b"k", b"9223372036854775807"], b":0\r\n"),
    (&[b"pexpiretime", b"k"], b":-2\r\n"),
    (&[b"expire", b"k", b"-1"], b":0\r\n"),
    (&[b"exists", b"k"], b":0\r\n"),
    (&[b"set", b"k", b"v"], b"+OK\r\n"),
    (&[b"expireat", b"k", b"1"], b":1\r\n"),
    (&[b"exists", b"k"], b":0\r\n"),
    (&[b"set", b"k", b"v"], b"+OK\r\n"),
    (&[b"pexpire", b"k", b"0"], b":1\r\n"),
    (&[b"exists", b"k"], b":0\r\n"),
    (&[b"set", b"k", b"v"], b"+OK\r\n"),
    (&[b"expire", b"k", b"0", b"gt"], b":0\r\n"),
    (&[b"set", b"k", b"v"], b"+OK\r\n"),
    (&[b"expire", b"k", b"-5", b"lt"], b":1\r\n"),
    (&[b"exists", b"k"], b":0\r\n"),
    (&[b"set", b"k", b"v"], b"+OK\r\n"),
    (&[b"touch", b"k", b"k", b"nokey"], b":2\r\n"),
    (&[b"object", b"encoding", b"k"], b"$6\r\nembstr\r\n"),
    (&[b"object", b"encoding", b"nokey"], b"$-1\r\n"),
    (&[b"object", b"refcount", b"k"], b":1\r\n"),
    (&[b"object", b"freq", b"k"], b"-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n"),
    (&[b"object", b"freq", b"nokey"], b"$-1\r\n"),
    (&[b"object", b"foo", b"k"], b"-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n"),
    (&[b"object", b"encoding"], b"-ERR wrong number of arguments for 'object|encoding' command\r\n"),
    (&[b"object", b"help"], b"*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+ENCODING <key>\r\n+    Return the kind of internal representation used in order to store the value\r\n+    associated with a <key>.\r\n+FREQ <key>\r\n+    Return the access frequency index of the <key>. The returned integer is\r\n+    proportional to the logarithm of the recent access frequency of the key.\r\n+IDLETIME <key>\r\n+    Return the idle time of the <key>, that is the approximated number of\r\n+    seconds elapsed since the last access to the key.\r\n+REFCOUNT <key>\r\n+    Return the number of references of the value associated with the specified\r\n+    <key>.\r\n+HELP\r\n+    Prints this help.\r\n"),
    (&[b"object", b"help", b"x"], b"-ERR wrong number of arguments for 'object|help' command\r\n"),
    (&[b"object", b"HELP"], b"*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+ENCODING <key>\r\n+    Return the kind of internal representation used in order to store the value\r\n+    associated with a <key>.\r\n+FREQ <key>\r\n+    Return the access frequency index of the <key>. The returned integer is\r\n+    proportional to the logarithm of the recent access frequency of the key.\r\n+IDLETIME <key>\r\n+    Return the idle time of the <key>, that is the approximated number of\r\n+    seconds elapsed since the last access to the key.\r\n+REFCOUNT <key>\r\n+    Return the number of references of the value associated with the specified\r\n+    <key>.\r\n+HELP\r\n+    Prints this help.\r\n"),
    (&[b"object", b"Encoding", b"k"], b"$6\r\nembstr\r\n"),
    (&[b"randomkey"], b"$1\r\nk\r\n"),
];

#[rustfmt::skip]
const SCAN_KEYS_SELECT: Cases = &[
    (&[b"flushall"], b"+OK\r\n"),
    (&[b"flushall"], b"+OK\r\n"),
    (&[b"randomkey"], b"$-1\r\n"),
    (&[b"keys", b"*"], b"*0\r\n"),
    (&[b"set", b"", b"e"], b"+OK\r\n"),
    (&[b"keys", b"*"], b"*1\r\n$0\r\n\r\n"),
    (&[b"keys", b"**"], b"*0\r\n"),
    (&[b"keys", b"?"], b"*0\r\n"),
    (&[b"scan", b"0", b"count", b"0"], b"-ERR syntax error\r\n"),
    (&[b"scan", b"0", b"count", b"-1"], b"-ERR syntax error\r\n"),
    (&[b"scan", b"0", b"count", b"x"], b"-ERR value is not an integer or out of range\r\n"),
    (&[b"scan", b"x"], b"-ERR invalid cursor\r\n"),
    (&[b"scan", b"18446744073709551616"], b"-ERR invalid cursor\r\n"),
    (&[b"scan", b"0", b"match"], b"-ERR syntax error\r\n"),
    (&[b"scan", b"0", b"foo", b"bar"], b"-ERR syntax error\r\n"),
    (&[b"scan", b"", b"count", b"100"], b"*2\r\n$1\r\n0\r\n*1\r\n$0\r\n\r\n"),
    (&[b"scan", b"0", b"match", b"*", b"count", b"100"], b"*2\r\n$1\r\n0\r\n*1\r\n$0\r\n\r\n"),
    (&[b"scan", b"0", b"type", b"list"], b"*2\r\n$1\r\n0\r\n*0\r\n"),
    (&[b"dbsize"], b":1\r\n"),
    (&[b"select", b"x"], b"-ERR value is not an integer or out of range\r\n"),
    (&[b"select", b"16"], b"-ERR DB index is out of range\r\n"),
    (&[b"select", b"-1"], b"-ERR DB index is out of range\r\n"),
    (&[b"select", b"15"], b"+OK\r\n"),
    (&[b"select", b"0"], b"+OK\r\n"),
];

#[rustfmt::skip]
const GLOB: Cases = &[
    (&[b"flushall"], b"+OK\r\n"),
    (&[b"set", b"k1", b"a\x00b"], b"+OK\r\n"),
    (&[b"keys", b"a*"], b"*0\r\n"),
    (&[b"set", b"h\x00llo", b"v"], b"+OK\r\n"),
    (&[b"keys", b"h?llo"], b"*1\r\n$5\r\nh\x00llo\r\n"),
    (&[b"keys", b"h[^a]llo"], b"*1\r\n$5\r\nh\x00llo\r\n"),
    (&[b"flushall"], b"+OK\r\n"),
    (&[b"set", b"hello", b"1"], b"+OK\r\n"),
    (&[b"keys", b"h[a-z]llo"], b"*1\r\n$5\r\nhello\r\n"),
    (&[b"keys", b"h[z-a]llo"], b"*1\r\n$5\r\nhello\r\n"),
    (&[b"keys", b"h[^e]llo"], b"*0\r\n"),
    (&[b"keys", b"h[e"], b"*0\r\n"),
    (&[b"keys", b"h\\ello"], b"*1\r\n$5\r\nhello\r\n"),
    (&[b"keys", b"["], b"*0\r\n"),
    (&[b"keys", b"hello["], b"*0\r\n"),
    (&[b"keys", b"*["], b"*0\r\n"),
    (&[b"keys", b"h*o"], b"*1\r\n$5\r\nhello\r\n"),
    (&[b"keys", b"*l*l*"], b"*1\r\n$5\r\nhello\r\n"),
    (&[b"keys", b"????"], b"*0\r\n"),
    (&[b"keys", b"?????"], b"*1\r\n$5\r\nhello\r\n"),
    (&[b"keys", b"[h]ell[o-]"], b"*1\r\n$5\r\nhello\r\n"),
    (&[b"keys", b"[\\h]*"], b"*1\r\n$5\r\nhello\r\n"),
    (&[b"keys", b"*\\"], b"*0\r\n"),
    (&[b"set", b"a]", b"1"], b"+OK\r\n"),
    (&[b"keys", b"a[]]"], b"*0\r\n"),
    (&[b"keys", b"a[\\]]"], b"*1\r\n$2\r\na]\r\n"),
    (&[b"keys", b"a[]"], b"*0\r\n"),
    (&[b"set", b"a-", b"1"], b"+OK\r\n"),
    (&[b"keys", b"a[a-]"], b"*1\r\n$2\r\na]\r\n"),
    (&[b"keys", b"a[-a]"], b"*1\r\n$2\r\na-\r\n"),
    (&[b"keys", b"a[\\-]"], b"*1\r\n$2\r\na-\r\n"),
];

/// Cursors as redis-server 7.0.15's parseScanCursorOrReply reads them, the same
/// for SCAN, HSCAN, SSCAN and ZSCAN (C's strtoul: "" is 0, "-1" is 2^64 - 1,
/// "+7" and "1\0abc" are fine; leading space, "0x10", 2^64 are errors). The
/// database is empty for SCAN and the values are small, so every reply is whole.
const SCAN_CURSORS: Cases = &[
    (&[b"SCAN", b"-1"], b"*2\r\n$1\r\n0\r\n*0\r\n"),
    (
        &[b"SCAN", b"18446744073709551615"],
        b"*2\r\n$1\r\n0\r\n*0\r\n",
    ),
    (
        &[b"SCAN", b"18446744073709551616"],
        b"-ERR invalid cursor\r\n",
    ),
    (
        &[b"SCAN", b"-18446744073709551616"],
        b"-ERR invalid cursor\r\n",
    ),
    (&[b"SCAN", b"0x10"], b"-ERR invalid cursor\r\n"),
    (&[b"SCAN", b" 1"], b"-ERR invalid cursor\r\n"),
    (&[b"SCAN", b"1 "], b"-ERR invalid cursor\r\n"),
    (&[b"SCAN", b"+1"], b"*2\r\n$1\r\n0\r\n*0\r\n"),
    (&[b"SCAN", b""], b"*2\r\n$1\r\n0\r\n*0\r\n"),
    (&[b"SCAN", b"-"], b"-ERR invalid cursor\r\n"),
    (&[b"SCAN", b"007"], b"*2\r\n$1\r\n0\r\n*0\r\n"),
    (&[b"SCAN", b"1\0abc"], b"*2\r\n$1\r\n0\r\n*0\r\n"),
    (&[b"SCAN", b"1.5"], b"-ERR invalid cursor\r\n"),
    (&[b"HSET", b"h", b"f", b"v"], b":1\r\n"),
    (&[b"SADD", b"s", b"1", b"2"], b":2\r\n"),
    (&[b"ZADD", b"z", b"1", b"a"], b":1\r\n"),
    (
        &[b"HSCAN", b"h", b"-1"],
        b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n",
    ),
    (&[b"HSCAN", b"h", b" 1"], b"-ERR invalid cursor\r\n"),
    (
        &[b"HSCAN", b"h", b""],
        b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n",
    ),
    (
        &[b"HSCAN", b"h", b"1\0abc"],
        b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n",
    ),
    (
        &[b"HSCAN", b"h", b"18446744073709551616"],
        b"-ERR invalid cursor\r\n",
    ),
    (&[b"HSCAN", b"nokey", b"-1"], b"*2\r\n$1\r\n0\r\n*0\r\n"),
    (&[b"HSCAN", b"nokey", b"x"], b"-ERR invalid cursor\r\n"),
    (&[b"HSCAN", b"s", b"x"], b"-ERR invalid cursor\r\n"),
    (
        &[b"SSCAN", b"s", b"-1"],
        b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n",
    ),
    (
        &[b"SSCAN", b"s", b"+7"],
        b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n",
    ),
    (&[b"SSCAN", b"s", b"\t1"], b"-ERR invalid cursor\r\n"),
    (
        &[b"SSCAN", b"s", b""],
        b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n",
    ),
    (
        &[b"ZSCAN", b"z", b"-1"],
        b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n",
    ),
    (&[b"ZSCAN", b"z", b"0x10"], b"-ERR invalid cursor\r\n"),
    (
        &[b"ZSCAN", b"z", b""],
        b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n",
    ),
    (
        &[b"ZSCAN", b"z", b"-18446744073709551615"],
        b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n",
    ),
];
