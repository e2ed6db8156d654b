//! RDB files and DUMP payloads against redis-server 7.0.15.
//!
//! - Committed fixtures (`tests/fixtures/rdb/`, made by redis-server 7.0.15,
//!   see the README there) load with exactly the dataset redis-server printed
//!   for them (the `.expected` files): these run everywhere.
//! - With `redis-server` installed, both directions on a dataset covering every
//!   type and encoding, expiries, several databases, function libraries,
//!   compressed and uncompressed files: a file redis-server saves loads in
//!   Ferrous with the same dataset; a file Ferrous saves passes
//!   `redis-check-rdb` and loads in redis-server with the same dataset; DUMP
//!   payloads restore both ways (byte-identical where the encoding is
//!   deterministic). Without it these tests return early.
//! - Redis's own test assets (old encodings from Redis 2.x to 6.x), when the
//!   Tcl suite is extracted (`REDIS_TESTS_DIR` or `.redis-tests/`) and
//!   redis-server is installed: each loads in Ferrous as it loads in redis-server.
use crate::rdb_support::*;
use crate::support::start_server;
use crate::transcript::run_transcript;
use ferrous::persist::rdb::load::{load, FileOptions};
use ferrous::persist::rdb::save::SaveOptions;
use std::path::{Path, PathBuf};

const TRANSCRIPT: &str = include_str!("../transcripts/rdb.txt");

fn args(parts: &[&[u8]]) -> Vec<Vec<u8>> {
    parts.iter().map(|p| p.to_vec()).collect()
}

fn numbers(range: std::ops::Range<i64>, f: impl Fn(i64) -> Vec<u8>) -> Vec<Vec<u8>> {
    range.map(f).collect()
}

/// Commands building a dataset with every type in every encoding 7.0 has.
pub fn dataset_script() -> Vec<Vec<Vec<u8>>> {
    let mut s: Vec<Vec<Vec<u8>>> = Vec::new();
    let noise: Vec<u8> = (0..100u32).map(|i| (i * 37 % 251) as u8).collect();
    let x100 = vec![b'x'; 100];
    let long_key = b"k".repeat(300);
    let long_member = b"m".repeat(70);
    let big_elem: Vec<u8> = (0..10000u32).map(|i| b'a' + (i % 26) as u8).collect();
    // strings
    s.push(args(&[b"SET", b"s:int", b"12345"]));
    s.push(args(&[b"SET", b"s:int64", b"-9223372036854775808"]));
    s.push(args(&[b"SET", b"s:emb", b"hello world"]));
    s.push(args(&[b"SET", b"s:raw", &noise]));
    s.push(args(&[b"SET", b"s:lzf", &b"abc".repeat(400)]));
    s.push(args(&[b"SET", b"s:bin", b"\x00\xff\r\n\x01"]));
    s.push(args(&[b"SET", b"s:empty", b""]));
    s.push(args(&[b"SET", b"s:zeropad", b"007"]));
    s.push(args(&[b"SET", b"s:float", b"3.14"]));
    s.push(args(&[b"SET", b"12345", b"an integer key"]));
    s.push(args(&[b"SET", &long_key, b"a long, compressible key"]));
    s.push(args(&[b"SET", b"s:appended", b"x"]));
    s.push(args(&[b"APPEND", b"s:appended", b"yz"]));
    // lists
    s.push(args(&[
        b"RPUSH",
        b"l:small",
        b"a",
        b"b",
        b"1",
        b"-2",
        b"300",
        b"70000",
        b"5000000000",
        b"",
    ]));
    let mut cmd = args(&[b"RPUSH", b"l:nodes"]);
    cmd.extend((0..1000).map(|_| x100.clone()));
    s.push(cmd);
    s.push(args(&[b"RPUSH", b"l:bigelem", b"head", &big_elem, b"tail"]));
    let mut cmd = args(&[b"LPUSH", b"l:lpushed"]);
    cmd.extend(numbers(0..3000, |i| {
        (i * 7919 - 1_000_000).to_string().into_bytes()
    }));
    s.push(cmd);
    // sets
    s.push(args(&[
        b"SADD",
        b"st:ints",
        b"1",
        b"2",
        b"3",
        b"-5",
        b"70000",
        b"5000000000",
    ]));
    s.push(args(&[b"SADD", b"st:strs", b"a", b"b", b"c"]));
    s.push(args(&[b"SADD", b"st:mixed", b"1", b"a"]));
    let mut cmd = args(&[b"SADD", b"st:512"]);
    cmd.extend(numbers(0..512, |i| i.to_string().into_bytes()));
    s.push(cmd);
    let mut cmd = args(&[b"SADD", b"st:600"]);
    cmd.extend(numbers(0..600, |i| (i * 3).to_string().into_bytes()));
    s.push(cmd);
    // sorted sets
    s.push(args(&[
        b"ZADD",
        b"z:small",
        b"1",
        b"a",
        b"2.5",
        b"b",
        b"-inf",
        b"c",
        b"inf",
        b"d",
        b"0",
        b"e",
        b"1e-300",
        b"f",
        b"4611686018427387904",
        b"g",
        b"1e19",
        b"h",
        b"-0.1",
        b"i",
    ]));
    s.push(args(&[b"ZADD", b"z:neg0", b"-0", b"x", b"5", b"y"]));
    let mut cmd = args(&[b"ZADD", b"z:big"]);
    for i in 0..200i64 {
        cmd.push(format!("{}", i as f64 * 1.5 - 17.25).into_bytes());
        cmd.push(format!("member:{i}").into_bytes());
    }
    s.push(cmd);
    s.push(args(&[
        b"ZADD",
        b"z:longmember",
        b"1",
        &long_member,
        b"2",
        b"short",
    ]));
    s.push(args(&[b"ZADD", b"z:skip-neg0", b"-0", &long_member]));
    // hashes
    s.push(args(&[
        b"HSET", b"h:small", b"f1", b"v1", b"f2", b"12", b"f3", b"", b"n", b"-100000",
    ]));
    s.push(args(&[b"HSET", b"h:intfields", b"1", b"a", b"2", b"b"]));
    s.push(args(&[b"HSET", b"h:longval", b"f", &noise, b"g", b"small"]));
    let mut cmd = args(&[b"HSET", b"h:big"]);
    for i in 0..600 {
        cmd.push(format!("field:{i}").into_bytes());
        cmd.push(format!("value:{}", i * i).into_bytes());
    }
    s.push(cmd);
    // streams: deleted entries, an empty stream with metadata, several nodes
    // with entries flagged deleted by an exact trim, consumer groups with
    // pending entries (delivery times set in the past with XCLAIM's TIME, so
    // the dataset is deterministic)
    for line in [
        "XADD x:small 1-1 a 1 b 2",
        "XADD x:small 1-2 a 3 b 4",
        "XADD x:small 2-0 c 5",
        "XADD x:small 3-0 a 1 b 2",
        "XDEL x:small 1-2",
        "XADD x:empty 5-5 f v",
        "XDEL x:empty 5-5",
        "XSETID x:empty 10-0 ENTRIESADDED 7 MAXDELETEDID 5-5",
    ] {
        s.push(line.split(' ').map(|w| w.as_bytes().to_vec()).collect());
    }
    for i in 0..300 {
        s.push(
            format!(
                "XADD x:nodes {}-0 field{} value{i} other {}",
                1000 + i,
                i % 3,
                i * 7
            )
            .split(' ')
            .map(|w| w.as_bytes().to_vec())
            .collect(),
        );
    }
    for line in [
        "XTRIM x:nodes MAXLEN 250",
        "XADD x:g 1-0 k v1",
        "XADD x:g 2-0 k v2",
        "XADD x:g 3-0 k v3",
        "XADD x:g 4-0 k v4",
        "XGROUP CREATE x:g g1 0",
        "XGROUP CREATE x:g g2 $ ENTRIESREAD 3",
        "XGROUP CREATE x:g g3 0",
        "XREADGROUP GROUP g1 alice COUNT 2 STREAMS x:g >",
        "XREADGROUP GROUP g1 bob COUNT 1 STREAMS x:g >",
        "XGROUP CREATECONSUMER x:g g2 carol",
        "XCLAIM x:g g1 alice 0 1-0 2-0 TIME 1000000000000 RETRYCOUNT 2",
        "XCLAIM x:g g1 bob 0 3-0 TIME 1000000001000 RETRYCOUNT 7",
        "XACK x:g g1 2-0",
        "XGROUP CREATE x:nodes gg 1100-0",
        "XREADGROUP GROUP gg c1 COUNT 10 STREAMS x:nodes >",
        "XCLAIM x:nodes gg c2 0 1105-0 1106-0 TIME 1000000002000",
        "XCLAIM x:nodes gg c1 0 1101-0 1102-0 1103-0 1104-0 1107-0 1108-0 1109-0 1110-0 TIME 1000000003000",
    ] {
        s.push(line.split(' ').map(|w| w.as_bytes().to_vec()).collect());
    }
    // expiries (absolute, far in the future, so the dataset is deterministic)
    for (k, at) in [
        (&b"s:emb"[..], &b"4102444800123"[..]),
        (b"l:small", b"4102444800456"),
        (b"h:small", b"4102444800789"),
        (b"z:big", b"4102444801000"),
        (b"st:600", b"4102444801001"),
    ] {
        s.push(args(&[b"PEXPIREAT", k, at]));
    }
    // other databases
    s.push(args(&[b"SELECT", b"1"]));
    s.push(args(&[b"SET", b"db1:key", b"one"]));
    s.push(args(&[b"RPUSH", b"db1:list", b"a", b"b"]));
    s.push(args(&[b"SELECT", b"15"]));
    s.push(args(&[b"SADD", b"db15:set", b"x", b"y"]));
    s.push(args(&[b"PEXPIREAT", b"db15:set", b"4102444802000"]));
    s.push(args(&[b"SELECT", b"0"]));
    // function libraries (the second long and repetitive: LZF in the file)
    s.push(args(&[
        b"FUNCTION",
        b"LOAD",
        b"#!lua name=lib1\nredis.register_function('f1', function() return 1 end)",
    ]));
    let mut code = b"#!lua name=lib2\n".to_vec();
    for i in 0..20 {
        code.extend_from_slice(
            format!("local padding_{i} = 'padding padding padding'\n").as_bytes(),
        );
    }
    code.extend_from_slice(
        b"redis.register_function('f2', function(keys, args) return args[1] end)",
    );
    s.push(args(&[b"FUNCTION", b"LOAD", &code]));
    s
}

/// Extra keys only redis-server can build: plain quicklist nodes (elements
/// over `DEBUG QUICKLIST-PACKED-THRESHOLD`) and nodes cut by a count fill.
fn redis_only_script() -> Vec<Vec<Vec<u8>>> {
    let big: Vec<u8> = (0..3000u32).map(|i| (i % 200) as u8 + 20).collect();
    vec![
        args(&[b"DEBUG", b"QUICKLIST-PACKED-THRESHOLD", b"1000"]),
        args(&[b"RPUSH", b"l:plain", b"a", &big, b"b", &big]),
        args(&[b"DEBUG", b"QUICKLIST-PACKED-THRESHOLD", b"0"]),
        args(&[b"CONFIG", b"SET", b"list-max-listpack-size", b"3"]),
        args(&[
            b"RPUSH", b"l:fill3", b"1", b"2", b"3", b"4", b"5", b"6", b"7",
        ]),
        args(&[b"CONFIG", b"SET", b"list-max-listpack-size", b"-2"]),
    ]
}

/// Redis and Ferrous agree on the dataset the script builds (so comparing
/// what a file loads into with either is meaningful).
#[test]
fn the_dataset_script_builds_the_same_data_in_both() {
    let dir = temp_dir("rdb-same");
    let Some(redis) = RedisProc::start(&dir, "dump.rdb", &[]) else {
        return;
    };
    let srv = start_server();
    let script = dataset_script();
    run_script(&mut redis.connect(), &script);
    run_script(&mut srv.connect(), &script);
    assert_same(
        &dataset(&mut srv.connect()),
        &dataset(&mut redis.connect()),
        "dataset",
    );
}

#[test]
fn a_file_saved_by_redis_loads_with_the_same_dataset() {
    let dir = temp_dir("rdb-from-redis");
    let Some(redis) = RedisProc::start(&dir, "dump.rdb", &[]) else {
        return;
    };
    let mut rc = redis.connect();
    run_script(&mut rc, &dataset_script());
    run_script(&mut rc, &redis_only_script());
    for compression in ["yes", "no"] {
        assert_eq!(
            callw(&mut rc, &format!("CONFIG SET rdbcompression {compression}")),
            R::Simple("OK".into())
        );
        // saves, then loads its own file: what a load gives (a string's
        // "raw" encoding, say, does not survive it)
        assert_eq!(callw(&mut rc, "DEBUG RELOAD"), R::Simple("OK".into()));
        let want = dataset(&mut rc);
        let bytes = std::fs::read(dir.join("dump.rdb")).expect("redis wrote its file");
        let srv = start_server();
        let loaded = load_into(&srv, &bytes);
        assert_eq!(loaded.version, 10);
        assert_eq!(
            loaded.checksum,
            ferrous::persist::rdb::load::Checksum::Verified
        );
        let aux: Vec<String> = loaded
            .aux
            .iter()
            .map(|(k, _)| String::from_utf8_lossy(k).into_owned())
            .collect();
        assert_eq!(
            aux,
            ["redis-ver", "redis-bits", "ctime", "used-mem", "aof-base"]
        );
        assert_same(
            &dataset(&mut srv.connect()),
            &want,
            &format!("rdbcompression {compression}"),
        );
    }
}

/// The thresholds in force when a file loads decide the encodings, as in
/// Redis: with small ones, packed values past the entry counts convert, and a
/// packed hash or sorted set with long elements but few entries stays packed
/// (Redis looks at the count only there).
#[test]
fn encodings_on_load_follow_the_thresholds_in_force() {
    let dir = temp_dir("rdb-thresholds");
    let fixture = fixtures_dir().join("types.rdb");
    std::fs::copy(&fixture, dir.join("types.rdb")).expect("copy the fixture");
    let small = [
        "--hash-max-listpack-entries",
        "4",
        "--hash-max-listpack-value",
        "8",
        "--set-max-intset-entries",
        "4",
        "--zset-max-listpack-entries",
        "4",
        "--zset-max-listpack-value",
        "8",
        "--list-max-listpack-size",
        "2",
    ];
    let Some(redis) = RedisProc::start(&dir, "types.rdb", &small) else {
        return;
    };
    let opts = FileOptions {
        values: ferrous::persist::rdb::value_load::LoadOptions {
            encodings: ferrous::persist::rdb::Encodings {
                hash_max_listpack_entries: 4,
                hash_max_listpack_value: 8,
                set_max_intset_entries: 4,
                zset_max_listpack_entries: 4,
                zset_max_listpack_value: 8,
                list_max_listpack_size: 2,
            },
            deep: false,
        },
        ..FileOptions::default()
    };
    let srv = start_server();
    load_into_with(&srv, &std::fs::read(&fixture).expect("fixture"), &opts);
    assert_same(
        &dataset(&mut srv.connect()),
        &dataset(&mut redis.connect()),
        "small thresholds",
    );
}

/// RESTORE of a packed hash and sorted set whose elements are longer than the
/// `*-max-listpack-value` now in force: they stay packed (redis-server 7.0.15
/// answers "listpack" for both).
#[test]
fn restored_packed_values_keep_their_encoding() {
    let srv = start_server();
    let mut c = srv.connect();
    let long = vec![b'v'; 60];
    call(&mut c, &[b"HSET", b"h", b"f", &long]);
    call(&mut c, &[b"ZADD", b"z", b"1", &long]);
    let (ph, pz) = (
        call(&mut c, &[b"DUMP", b"h"]).bytes(),
        call(&mut c, &[b"DUMP", b"z"]).bytes(),
    );
    callw(&mut c, "CONFIG SET hash-max-listpack-value 8");
    callw(&mut c, "CONFIG SET zset-max-listpack-value 8");
    assert_eq!(
        call(&mut c, &[b"RESTORE", b"h2", b"0", &ph]),
        R::Simple("OK".into())
    );
    assert_eq!(
        call(&mut c, &[b"RESTORE", b"z2", b"0", &pz]),
        R::Simple("OK".into())
    );
    assert_eq!(callw(&mut c, "OBJECT ENCODING h2").bytes(), b"listpack");
    assert_eq!(callw(&mut c, "OBJECT ENCODING z2").bytes(), b"listpack");
}

/// Ferrous's file for the dataset: checked by redis-check-rdb, then loaded by
/// redis-server, which must print the same dataset as Ferrous loading it.
fn check_in_redis(dir: &Path, name: &str, bytes: &[u8]) {
    let again = start_server();
    load_into(&again, bytes);
    let want = dataset(&mut again.connect());
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write the file");
    if let Some(check) = redis_bin("redis-check-rdb") {
        let out = std::process::Command::new(check)
            .arg(&path)
            .output()
            .expect("run redis-check-rdb");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("RDB looks OK"),
            "{name}: {text}"
        );
    }
    let redis = RedisProc::start(dir, name, &[]).expect("redis-server loads the file");
    assert_same(&dataset(&mut redis.connect()), &want, name);
}

#[test]
fn a_file_saved_by_ferrous_loads_in_redis_with_the_same_dataset() {
    let dir = temp_dir("rdb-to-redis");
    if redis_bin("redis-server").is_none() {
        return;
    }
    let srv = start_server();
    run_script(&mut srv.connect(), &dataset_script());
    for (compress, checksum) in [(true, true), (false, true), (true, false)] {
        let opts = SaveOptions {
            compress,
            checksum,
            ..SaveOptions::default()
        };
        let bytes = save_from(&srv, &opts);
        check_in_redis(&dir, &format!("ferrous-{compress}-{checksum}.rdb"), &bytes);
    }
}

/// DUMP payloads restore both ways; the bytes are Redis's own except where
/// Redis's hash table order decides them (hashtable sets and hashes).
#[test]
fn dump_payloads_restore_both_ways() {
    let dir = temp_dir("rdb-dump");
    let Some(redis) = RedisProc::start(&dir, "dump.rdb", &[]) else {
        return;
    };
    let srv = start_server();
    let (mut rc, mut fc) = (redis.connect(), srv.connect());
    run_script(&mut rc, &dataset_script());
    run_script(&mut fc, &dataset_script());
    let keys = call(&mut rc, &[b"KEYS", b"*"]).items();
    let mut identical = 0;
    for k in keys.iter().map(R::bytes) {
        let pr = call(&mut rc, &[b"DUMP", &k]).bytes();
        let pf = call(&mut fc, &[b"DUMP", &k]).bytes();
        let enc = call(&mut rc, &[b"OBJECT", b"ENCODING", &k]).bytes();
        // The bytes depend on Redis's hash table order (hashtable sets and
        // hashes), or on the order elements were pushed in (a list of many
        // nodes built at its head: Redis cuts nodes as they fill, from
        // whichever end grows, Ferrous cuts them from the head when saving).
        // Streams with consumers hold each consumer's seen time, which is
        // the moment the commands ran on each server.
        if enc != b"hashtable" && k != b"l:lpushed" && k != b"x:g" && k != b"x:nodes" {
            assert_eq!(pf, pr, "DUMP of {}", String::from_utf8_lossy(&k));
            identical += 1;
        }
        for (c, payload) in [(&mut fc, &pr), (&mut rc, &pf)] {
            call(c, &[b"SELECT", b"9"]);
            assert_eq!(
                call(c, &[b"RESTORE", &k, b"0", payload]),
                R::Simple("OK".into())
            );
            call(c, &[b"SELECT", b"0"]);
        }
    }
    assert!(identical > 20);
    assert_same(&dataset(&mut fc), &dataset(&mut rc), "restored");
}

/// LZF output is redis-server's, byte for byte: DUMP payloads of strings of
/// every length from 21 bytes to 6 KB and every kind of redundancy (runs,
/// repeated words, near-noise) are identical, compressed or not.
#[test]
fn lzf_output_matches_redis_on_many_strings() {
    let dir = temp_dir("rdb-lzf");
    let Some(redis) = RedisProc::start(&dir, "dump.rdb", &[]) else {
        return;
    };
    let srv = start_server();
    let (mut rc, mut fc) = (redis.connect(), srv.connect());
    let mut x = 0x1234_5678_9abc_def1u64;
    let mut next = move || {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (x >> 33) as usize
    };
    let words: [&[u8]; 6] = [
        b"alpha",
        b"beta ",
        b"x",
        b"value:",
        b"\x00\xff",
        b"0123456789",
    ];
    let mut compressed = 0;
    for n in 0..400 {
        let len = 21 + next() % (if n < 300 { 300 } else { 6000 });
        let mut v = Vec::with_capacity(len);
        let style = next() % 4;
        while v.len() < len {
            match style {
                0 => v.push(b'a' + (next() % 3) as u8),
                1 => v.extend_from_slice(words[next() % words.len()]),
                2 => v.push((next() % 256) as u8),
                _ => {
                    let run = 1 + next() % 40;
                    let b = (next() % 256) as u8;
                    v.extend(std::iter::repeat_n(b, run));
                }
            }
        }
        v.truncate(len);
        let key = format!("s{n}");
        for c in [&mut rc, &mut fc] {
            assert_eq!(
                call(c, &[b"SET", key.as_bytes(), &v]),
                R::Simple("OK".into())
            );
        }
        let pr = call(&mut rc, &[b"DUMP", key.as_bytes()]).bytes();
        let pf = call(&mut fc, &[b"DUMP", key.as_bytes()]).bytes();
        assert_eq!(pf, pr, "DUMP of a {len}-byte string (style {style})");
        compressed += usize::from(pr.get(1) == Some(&0xC3));
    }
    assert!(compressed > 100, "{compressed} of 400 compressed");
}

#[test]
fn restore_checks_and_errors_match_redis() {
    run_transcript(TRANSCRIPT, "restore_cases");
}

/// Streams: a type 19 payload restores and dumps back byte for byte; the
/// Tcl suite's type 15 payload (Redis 6.2) loads with Redis's derived
/// counters; damaged payloads are refused as redis-server refuses them.
#[test]
fn stream_payloads_restore_as_in_redis() {
    run_transcript(TRANSCRIPT, "stream_payloads");
}

/// A relative TTL counts from now; IDLETIME sets the access time (within a
/// clock tick of the value given), FREQ the LFU counter.
#[test]
fn restore_ttl_and_idle_time() {
    let srv = start_server();
    let mut c = srv.connect();
    let payload = b"\x00\x01v\n\x00\x91\x08\xce\xb2\x198\x8a\xce";
    assert_eq!(
        call(&mut c, &[b"RESTORE", b"a", b"100000", payload]),
        R::Simple("OK".into())
    );
    let pttl = callw(&mut c, "PTTL a").int();
    assert!((99_000..=100_000).contains(&pttl), "{pttl}");
    assert_eq!(
        call(
            &mut c,
            &[b"RESTORE", b"b", b"0", payload, b"IDLETIME", b"1000"]
        ),
        R::Simple("OK".into())
    );
    let idle = callw(&mut c, "OBJECT IDLETIME b").int();
    assert!((1000..=1001).contains(&idle), "{idle}");
    // a replaced key that a past TTL deletes
    assert_eq!(
        call(
            &mut c,
            &[b"RESTORE", b"b", b"1", payload, b"REPLACE", b"ABSTTL"]
        ),
        R::Simple("OK".into())
    );
    assert_eq!(callw(&mut c, "EXISTS b").int(), 0);
    // Under an LFU policy FREQ sets the counter (redis-server 7.0.15: OBJECT
    // FREQ then answers 100), and IDLETIME is ignored.
    callw(&mut c, "CONFIG SET maxmemory-policy allkeys-lfu");
    assert_eq!(
        call(&mut c, &[b"RESTORE", b"f", b"0", payload, b"FREQ", b"100"]),
        R::Simple("OK".into())
    );
    assert_eq!(callw(&mut c, "OBJECT FREQ f").int(), 100);
    assert_eq!(
        call(
            &mut c,
            &[b"RESTORE", b"i", b"0", payload, b"IDLETIME", b"1000"]
        ),
        R::Simple("OK".into())
    );
    assert_eq!(callw(&mut c, "OBJECT FREQ i").int(), 5);
}

/// The committed fixtures and the datasets redis-server printed for them.
fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rdb")
}

#[test]
fn committed_fixtures_load_with_the_dataset_redis_printed() {
    let dir = fixtures_dir();
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures directory") {
        let path = entry.expect("directory entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("rdb") {
            continue;
        }
        let bytes = std::fs::read(&path).expect("read fixture");
        let want =
            std::fs::read_to_string(path.with_extension("expected")).expect("expected dataset");
        let srv = start_server();
        load_into(&srv, &bytes);
        assert_same(
            &dataset(&mut srv.connect()),
            &want,
            &path.display().to_string(),
        );
        seen += 1;
    }
    assert!(seen >= 3, "fixtures missing from {}", dir.display());
}

/// A fixture file truncated anywhere, or with its checksum wrong, is refused
/// with an error naming an offset inside the file; nothing panics.
#[test]
fn damaged_fixtures_are_refused_with_an_offset() {
    let bytes = std::fs::read(fixtures_dir().join("types.rdb")).expect("fixture");
    let opts = FileOptions::default();
    for cut in (0..bytes.len() - 1).step_by(13) {
        let e = load(&bytes[..cut], &opts).expect_err("a truncated file");
        assert!(e.offset <= cut, "{e} for a cut at {cut}");
    }
    let mut bad = bytes.clone();
    let n = bad.len();
    bad[n - 1] ^= 1;
    let e = load(&bad, &opts).unwrap_err();
    assert!(e.message.contains("CRC"), "{e}");
    assert_eq!(e.offset, n - 8);
}

/// Regenerates the committed fixtures with redis-server 7.0.15. Run by hand:
/// `cargo test --release --test integration rdb::make_fixtures -- --ignored`.
#[test]
#[ignore]
fn make_fixtures() {
    let out = fixtures_dir();
    let dir = temp_dir("rdb-fixtures");
    let redis = RedisProc::start(&dir, "dump.rdb", &[]).expect("redis-server installed");
    let mut c = redis.connect();
    let save = |c: &mut crate::support::Conn, name: &str| {
        assert_eq!(callw(c, "DEBUG RELOAD"), R::Simple("OK".into()));
        std::fs::copy(dir.join("dump.rdb"), out.join(format!("{name}.rdb"))).expect("copy");
        std::fs::write(out.join(format!("{name}.expected")), dataset(c)).expect("write expected");
    };
    // every type and encoding, with compression
    run_script(&mut c, &dataset_script());
    run_script(&mut c, &redis_only_script());
    save(&mut c, "types");
    // the same without compression or checksum, in other databases
    callw(&mut c, "FLUSHALL");
    callw(&mut c, "FUNCTION FLUSH");
    callw(&mut c, "CONFIG SET rdbcompression no");
    callw(&mut c, "CONFIG SET rdbchecksum no");
    for db in ["3", "7"] {
        callw(&mut c, &format!("SELECT {db}"));
        callw(&mut c, &format!("SET plain:{db} {}", "y".repeat(200)));
        callw(&mut c, &format!("HSET hash:{db} a 1 b 2"));
        callw(&mut c, &format!("ZADD zset:{db} 1.5 a"));
    }
    callw(&mut c, "SELECT 0");
    save(&mut c, "uncompressed");
    // a key that expired before the save (dropped on load), an LRU idle time
    callw(&mut c, "FLUSHALL");
    callw(&mut c, "CONFIG SET rdbcompression yes");
    callw(&mut c, "CONFIG SET rdbchecksum yes");
    callw(&mut c, "CONFIG SET maxmemory-policy allkeys-lru");
    callw(&mut c, "DEBUG SET-ACTIVE-EXPIRE 0");
    callw(&mut c, "SET gone soon PX 300");
    callw(&mut c, "SET stays here");
    let payload = call(&mut c, &[b"DUMP", b"stays"]).bytes();
    call(
        &mut c,
        &[b"RESTORE", b"idle", b"0", &payload, b"IDLETIME", b"5000"],
    );
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_eq!(callw(&mut c, "SAVE"), R::Simple("OK".into()));
    std::fs::copy(dir.join("dump.rdb"), out.join("expired.rdb")).expect("copy");
    callw(&mut c, "DEBUG RELOAD");
    std::fs::write(out.join("expired.expected"), dataset(&mut c)).expect("write expected");
}

/// Redis's own test assets: files from older versions (zipmap, ziplists, the
/// first quicklist, intsets, text scores), loaded by redis-server and by
/// Ferrous.
#[test]
fn redis_test_assets_load_as_in_redis() {
    let tests_dir = std::env::var_os("REDIS_TESTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".redis-tests"));
    let assets = tests_dir.join("tests/assets");
    if !assets.is_dir() || redis_bin("redis-server").is_none() {
        return;
    }
    let mut seen = 0;
    for name in [
        "encodings.rdb",
        "hash-zipmap.rdb",
        "hash-ziplist.rdb",
        "list-quicklist.rdb",
        "zset-ziplist.rdb",
        "scriptbackup.rdb",
    ] {
        let path = assets.join(name);
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let dir = temp_dir(&format!("asset-{name}"));
        std::fs::write(dir.join(name), &bytes).expect("copy asset");
        let redis = RedisProc::start(&dir, name, &[]).expect("redis-server loads its asset");
        let want = dataset(&mut redis.connect());
        let srv = start_server();
        load_into(&srv, &bytes);
        assert_same(&dataset(&mut srv.connect()), &want, name);
        seen += 1;
    }
    assert!(seen >= 5, "Redis's assets in {}", assets.display());
}

/// The fixture saved with an expired key and an LRU policy: the key whose
/// TTL passed is not loaded, and idle times come back.
#[test]
fn expired_keys_are_dropped_and_idle_times_kept() {
    let bytes = std::fs::read(fixtures_dir().join("expired.rdb")).expect("fixture");
    let srv = start_server();
    let loaded = load_into(&srv, &bytes);
    assert_eq!((loaded.keys_loaded, loaded.keys_expired), (2, 1));
    let idle = callw(&mut srv.connect(), "OBJECT IDLETIME idle").int();
    assert!(idle >= 5000, "{idle}");
    // kept when the caller loads an AOF preamble
    let opts = FileOptions {
        drop_expired_before: None,
        ..FileOptions::default()
    };
    assert_eq!(load(&bytes, &opts).expect("loads").keys_loaded, 3);
}
