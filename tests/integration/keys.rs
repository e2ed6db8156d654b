//! Key and keyspace commands over TCP: scripted sessions whose replies were
//! recorded from redis-server 7.0.15, the SCAN guarantee under concurrent writes,
//! and the commands whose answers are unordered or random (checked by property).
use super::support::eventually;
use super::support::{bulks, start_server, Conn};
use super::transcript::run_transcript;
use std::collections::BTreeSet;
use std::time::Duration;

/// The recorded sessions of this file (see `transcript.rs` for the format).
const TRANSCRIPT: &str = include_str!("../transcripts/keys.txt");

#[test]
fn error_texts_are_c_strings() {
    run_transcript(TRANSCRIPT, "error_texts_are_c_strings");
}

#[test]
fn generic_key_commands() {
    run_transcript(TRANSCRIPT, "generic_key_commands");
}

#[test]
fn expire_family() {
    run_transcript(TRANSCRIPT, "expire_family");
}

#[test]
fn scan_keys_and_select_errors() {
    run_transcript(TRANSCRIPT, "scan_keys_and_select_errors");
}

#[test]
fn glob_patterns() {
    run_transcript(TRANSCRIPT, "glob_patterns");
}

#[test]
fn scan_cursors_parse_alike_in_all_four_scans() {
    run_transcript(TRANSCRIPT, "scan_cursors_parse_alike_in_all_four_scans");
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
