//! String commands over TCP: every reply compared byte for byte with what
//! redis-server 7.0.15 answered to the same requests (the tables below were
//! recorded from it), plus binary-safety, limits and expiry timing.
use super::support::{eventually, run_cases, start_server, Cases};
use std::time::Duration;

#[test]
fn set_and_its_options() {
    run_cases(SET_OPTIONS);
}

#[test]
fn integer_counters() {
    run_cases(COUNTERS);
}

#[test]
fn encodings_ranges_and_multi_key_forms() {
    run_cases(ENCODINGS_RANGES_MULTI);
}

#[test]
fn lcs_forms() {
    run_cases(LCS);
}

#[test]
fn incrbyfloat_parses_and_prints_like_long_double() {
    run_cases(INCRBYFLOAT);
}

#[test]
fn bit_commands() {
    run_cases(BITS);
}

#[test]
fn binary_keys_and_values() {
    let srv = start_server();
    let mut c = srv.connect();
    let key: &[u8] = b"k\r\n\0ey";
    let val: &[u8] = b"v\0\r\n$3\r\nx";
    assert_eq!(c.cmd(&[b"SET", key, val]), b"+OK\r\n");
    assert_eq!(c.cmd(&[b"GET", key]), b"$9\r\nv\0\r\n$3\r\nx\r\n");
    assert_eq!(c.cmd(&[b"STRLEN", key]), b":9\r\n");
    assert_eq!(c.cmd(&[b"APPEND", key, b"\0"]), b":10\r\n");
    assert_eq!(c.cmd(&[b"GETRANGE", key, b"1", b"3"]), b"$3\r\n\0\r\n\r\n");
    assert_eq!(
        c.cmd(&[b"MGET", key, b"k"]),
        b"*2\r\n$10\r\nv\0\r\n$3\r\nx\0\r\n$-1\r\n"
    );
    assert_eq!(c.cmd(&[b"KEYS", b"k?\n*"]), b"*1\r\n$6\r\nk\r\n\0ey\r\n");
    assert_eq!(c.cmd(&[b"EXISTS", b"k\r\n\0e"]), b":0\r\n");
    assert_eq!(c.cmd(&[b"SETRANGE", key, b"0", b"\xff\xfe"]), b":10\r\n");
    assert_eq!(
        c.cmd(&[b"GETDEL", key]),
        b"$10\r\n\xff\xfe\r\n$3\r\nx\0\r\n"
    );
    assert_eq!(c.cmd(&[b"EXISTS", key]), b":0\r\n");
}

#[test]
fn limits_follow_proto_max_bulk_len() {
    let srv = start_server();
    let mut c = srv.connect();
    assert_eq!(c.q("CONFIG SET proto-max-bulk-len 1mb"), "+OK\r\n");
    let too_long = "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n";
    assert_eq!(c.q("SETRANGE k 1048576 x"), too_long);
    assert_eq!(c.q("SETRANGE k 1048575 x"), ":1048576\r\n");
    assert_eq!(c.q("APPEND k x"), too_long);
    assert_eq!(
        c.q("SETBIT b 8388608 1"),
        "-ERR bit offset is not an integer or out of range\r\n"
    );
    assert_eq!(c.q("SETBIT b 8388607 1"), ":0\r\n");
    assert_eq!(c.q("STRLEN b"), ":1048576\r\n");
}

#[test]
fn modifications_keep_the_ttl_where_redis_does() {
    let srv = start_server();
    let mut c = srv.connect();
    assert_eq!(c.q("SET n 5 EX 100"), "+OK\r\n");
    assert_eq!(c.q("INCR n"), ":6\r\n");
    assert_eq!(c.q("INCRBYFLOAT n 1.5"), "$3\r\n7.5\r\n");
    assert_eq!(c.q("APPEND n 1"), ":4\r\n");
    assert_eq!(c.q("SETRANGE n 0 9"), ":4\r\n");
    assert_eq!(c.q("SETBIT n 0 1"), ":0\r\n");
    assert_eq!(c.q("TTL n"), ":100\r\n");
    assert_eq!(c.q("SET n x KEEPTTL"), "+OK\r\n");
    assert_eq!(c.q("TTL n"), ":100\r\n");
    assert_eq!(c.q("GETSET n y"), "$1\r\nx\r\n");
    assert_eq!(c.q("TTL n"), ":-1\r\n");
    assert_eq!(c.q("SET n x EX 100"), "+OK\r\n");
    assert_eq!(c.q("MSET n z"), "+OK\r\n");
    assert_eq!(c.q("TTL n"), ":-1\r\n");
    assert_eq!(c.q("SET n x EX 100"), "+OK\r\n");
    assert_eq!(c.q("SET n x"), "+OK\r\n");
    assert_eq!(c.q("TTL n"), ":-1\r\n");
}

/// A key set with PX 50 is gone after 100 ms when read; another one, never read,
/// is removed by the active expiry cycle (DBSIZE drops).
#[test]
fn px_50_expires_lazily_and_actively() {
    let srv = start_server();
    let mut c = srv.connect();
    assert_eq!(c.q("SET keep v"), "+OK\r\n");
    assert_eq!(c.q("SET read v PX 50"), "+OK\r\n");
    assert_eq!(c.q("SET untouched v PX 50"), "+OK\r\n");
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(c.q("GET read"), "$-1\r\n");
    assert!(
        eventually(Duration::from_secs(5), || c.q("DBSIZE") == ":1\r\n"),
        "the active cycle should remove the untouched key"
    );
    assert_eq!(c.q("KEYS *"), "*1\r\n$4\r\nkeep\r\n");
    let info = c.q("INFO stats");
    assert!(info.contains("expired_keys:2\r\n"), "{info}");
}

/// Many keys expiring at once are all reclaimed without being touched.
#[test]
fn active_expiry_reclaims_many_keys() {
    let srv = start_server();
    let mut c = srv.connect();
    let mut batch = Vec::new();
    for i in 0..2000 {
        batch.extend_from_slice(&super::support::multibulk(&[
            b"SET",
            format!("k{i}").as_bytes(),
            b"v",
            b"PX",
            if i % 4 == 0 { b"600000" } else { b"30" },
        ]));
    }
    c.send(&batch);
    for _ in 0..2000 {
        assert_eq!(c.read_reply(), b"+OK\r\n");
    }
    assert!(
        eventually(Duration::from_secs(10), || c.q("DBSIZE") == ":500\r\n"),
        "1500 short-lived keys should be reclaimed, have {}",
        c.q("DBSIZE")
    );
}

#[rustfmt::skip]
const SET_OPTIONS: Cases = &[
    (&[b"flushall"], b"+OK\r\n"),
    (&[b"set", b"k", b"v", b"ex", b"0"], b"-ERR invalid expire time in 'set' command\r\n"),
    (&[b"set", b"k", b"v", b"ex", b"-1"], b"-ERR invalid expire time in 'set' command\r\n"),
    (&[b"set", b"k", b"v", b"px", b"0"], b"-ERR invalid expire time in 'set' command\r\n"),
    (&[b"set", b"k", b"v", b"exat", b"0"], b"-ERR invalid expire time in 'set' command\r\n"),
    (&[b"set", b"k", b"v", b"ex", b"abc"], b"-ERR value is not an integer or out of range\r\n"),
    (&[b"set", b"k", b"v", b"ex", b"10", b"px", b"10"], b"-ERR syntax error\r\n"),
    (&[b"set", b"k", b"v", b"ex", b"10", b"ex", b"20"], b"+OK\r\n"),
    (&[b"ttl", b"k"], b":20\r\n"),
    (&[b"set", b"k", b"v", b"nx", b"xx"], b"-ERR syntax error\r\n"),
    (&[b"set", b"k", b"v", b"ex"], b"-ERR syntax error\r\n"),
    (&[b"set", b"k", b"v", b"keepttl", b"ex", b"10"], b"-ERR syntax error\r\n"),
    (&[b"set", b"k", b"v", b"ex", b"10", b"keepttl"], b"-ERR syntax error\r\n"),
    (&[b"set", b"k", b"v", b"keepttl"], b"+OK\r\n"),
    (&[b"ttl", b"k"], b":20\r\n"),
    (&[b"set", b"k", b"v", b"get"], b"$1\r\nv\r\n"),
    (&[b"set", b"k", b"v2", b"get"], b"$1\r\nv\r\n"),
    (&[b"set", b"k", b"v3", b"nx", b"get"], b"$2\r\nv2\r\n"),
    (&[b"set", b"k", b"v3", b"xx", b"get"], b"$2\r\nv2\r\n"),
    (&[b"set", b"nk", b"v3", b"xx", b"get"], b"$-1\r\n"),
    (&[b"set", b"nk2", b"v3", b"nx", b"get"], b"$-1\r\n"),
    (&[b"set", b"nk2", b"v3", b"nx"], b"$-1\r\n"),
    (&[b"set", b"nk2", b"v3", b"xx"], b"+OK\r\n"),
    (&[b"set", b"k", b"v", b"ex", b"9223372036854775807"], b"-ERR invalid expire time in 'set' command\r\n"),
    (&[b"set", b"k", b"v", b"ex", b"9223372036854775"], b"-ERR invalid expire time in 'set' command\r\n"),
    (&[b"set", b"k", b"v", b"ex", b"922337203685477"], b"+OK\r\n"),
    (&[b"ttl", b"k"], b":922337203685477\r\n"),
    (&[b"set", b"k", b"1", b"EX", b"100", b"keepttl"], b"-ERR syntax error\r\n"),
    (&[b"set", b"k", b"v", b"exat", b"1"], b"+OK\r\n"),
    (&[b"get", b"k"], b"$-1\r\n"),
    (&[b"set", b"k", b"v", b"pxat", b"99999999999999"], b"+OK\r\n"),
    (&[b"pexpiretime", b"k"], b":99999999999999\r\n"),
    (&[b"expiretime", b"k"], b":100000000000\r\n"),
    (&[b"setex", b"k", b"0", b"v"], b"-ERR invalid expire time in 'setex' command\r\n"),
    (&[b"setex", b"k", b"-1", b"v"], b"-ERR invalid expire time in 'setex' command\r\n"),
    (&[b"setex", b"k", b"x", b"v"], b"-ERR value is not an integer or out of range\r\n"),
    (&[b"setex", b"k", b"100", b"v"], b"+OK\r\n"),
    (&[b"ttl", b"k"], b":100\r\n"),
    (&[b"psetex", b"k", b"0", b"v"], b"-ERR invalid expire time in 'psetex' command\r\n"),
    (&[b"psetex", b"k", b"100000", b"v"], b"+OK\r\n"),
    (&[b"getex", b"k", b"ex", b"0"], b"-ERR invalid expire time in 'getex' command\r\n"),
    (&[b"getex", b"k", b"persist", b"ex", b"10"], b"-ERR syntax error\r\n"),
    (&[b"getex", b"k", b"persist"], b"$1\r\nv\r\n"),
    (&[b"ttl", b"k"], b":-1\r\n"),
    (&[b"getex", b"k", b"ex", b"50"], b"$1\r\nv\r\n"),
    (&[b"ttl", b"k"], b":50\r\n"),
    (&[b"getex", b"k", b"foo"], b"-ERR syntax error\r\n"),
    (&[b"getex", b"nokey", b"ex", b"10"], b"$-1\r\n"),
    (&[b"getex", b"k", b"exat", b"-1"], b"-ERR invalid expire time in 'getex' command\r\n"),
    (&[b"getex", b"k", b"exat", b"1"], b"$1\r\nv\r\n"),
    (&[b"exists", b"k"], b":0\r\n"),
    (&[b"del", b"nokey"], b":0\r\n"),
    (&[b"getex", b"nokey", b"foo"], b"-ERR syntax error\r\n"),
    (&[b"getex", b"nokey", b"ex", b"0"], b"$-1\r\n"),
    (&[b"getex", b"nokey", b"ex", b"x"], b"$-1\r\n"),
    (&[b"set", b"s", b"v"], b"+OK\r\n"),
    (&[b"getex", b"s", b"ex", b"x"], b"-ERR value is not an integer or out of range\r\n"),
    (&[b"getex", b"s", b"ex", b"0"], b"-ERR invalid expire time in 'getex' command\r\n"),
];

#[rustfmt::skip]
const COUNTERS: Cases = &[
    (&[b"flushall"], b"+OK\r\n"),
    (&[b"set", b"i", b"9223372036854775807"], b"+OK\r\n"),
    (&[b"incr", b"i"], b"-ERR increment or decrement would overflow\r\n"),
    (&[b"incrby", b"i", b"-1"], b":9223372036854775806\r\n"),
    (&[b"decrby", b"i", b"-9223372036854775808"], b"-ERR decrement would overflow\r\n"),
    (&[b"decrby", b"i", b"9223372036854775807"], b":-1\r\n"),
    (&[b"decrby", b"i", b"1"], b":-2\r\n"),
    (&[b"decr", b"i"], b":-3\r\n"),
    (&[b"set", b"i", b"10"], b"+OK\r\n"),
    (&[b"incrby", b"i", b"abc"], b"-ERR value is not an integer or out of range\r\n"),
    (&[b"incrby", b"i", b" 1"], b"-ERR value is not an integer or out of range\r\n"),
    (&[b"incrby", b"i", b"01"], b"-ERR value is not an integer or out of range\r\n"),
    (&[b"incrby", b"i", b"-0"], b"-ERR value is not an integer or out of range\r\n"),
    (&[b"set", b"s", b"abc"], b"+OK\r\n"),
    (&[b"incr", b"s"], b"-ERR value is not an integer or out of range\r\n"),
    (&[b"set", b"s", b" 1"], b"+OK\r\n"),
    (&[b"incr", b"s"], b"-ERR value is not an integer or out of range\r\n"),
    (&[b"set", b"s", b"01"], b"+OK\r\n"),
    (&[b"incr", b"s"], b"-ERR value is not an integer or out of range\r\n"),
    (&[b"object", b"encoding", b"s"], b"$6\r\nembstr\r\n"),
];

#[rustfmt::skip]
const ENCODINGS_RANGES_MULTI: Cases = &[
    (&[b"flushall"], b"+OK\r\n"),
    (&[b"set", b"e", b"123"], b"+OK\r\n"),
    (&[b"object", b"encoding", b"e"], b"$3\r\nint\r\n"),
    (&[b"object", b"refcount", b"e"], b":2147483647\r\n"),
    (&[b"set", b"e", b"-123"], b"+OK\r\n"),
    (&[b"object", b"encoding", b"e"], b"$3\r\nint\r\n"),
    (&[b"set", b"e", b"12345678"], b"+OK\r\n"),
    (&[b"object", b"refcount", b"e"], b":1\r\n"),
    (&[b"set", b"e", b"9223372036854775808"], b"+OK\r\n"),
    (&[b"object", b"encoding", b"e"], b"$6\r\nembstr\r\n"),
    (&[b"set", b"e", b"123456789012345678901234567890123456789012345"], b"+OK\r\n"),
    (&[b"object", b"encoding", b"e"], b"$3\r\nraw\r\n"),
    (&[b"set", b"e", b"12345678901234567890123456789012345678901234"], b"+OK\r\n"),
    (&[b"object", b"encoding", b"e"], b"$6\r\nembstr\r\n"),
    (&[b"append", b"e", b"x"], b":45\r\n"),
    (&[b"object", b"encoding", b"e"], b"$3\r\nraw\r\n"),
    (&[b"append", b"new", b"123"], b":3\r\n"),
    (&[b"object", b"encoding", b"new"], b"$3\r\nint\r\n"),
    (&[b"append", b"new", b"4"], b":4\r\n"),
    (&[b"object", b"encoding", b"new"], b"$3\r\nraw\r\n"),
    (&[b"get", b"new"], b"$4\r\n1234\r\n"),
    (&[b"strlen", b"new"], b":4\r\n"),
    (&[b"strlen", b"nokey"], b":0\r\n"),
    (&[b"incr", b"new"], b":1235\r\n"),
    (&[b"object", b"encoding", b"new"], b"$3\r\nint\r\n"),
    (&[b"incr", b"nn"], b":1\r\n"),
    (&[b"object", b"encoding", b"nn"], b"$3\r\nint\r\n"),
    (&[b"incrbyfloat", b"fl", b"1.5"], b"$3\r\n1.5\r\n"),
    (&[b"object", b"encoding", b"fl"], b"$6\r\nembstr\r\n"),
    (&[b"setrange", b"fl", b"0", b""], b":3\r\n"),
    (&[b"setrange", b"nr", b"0", b""], b":0\r\n"),
    (&[b"exists", b"nr"], b":0\r\n"),
    (&[b"setrange", b"nr", b"3", b"ab"], b":5\r\n"),
    (&[b"get", b"nr"], b"$5\r\n\x00\x00\x00ab\r\n"),
    (&[b"setrange", b"nr", b"1", b"X"], b":5\r\n"),
    (&[b"get", b"nr"], b"$5\r\n\x00X\x00ab\r\n"),
    (&[b"setrange", b"nr", b"10", b""], b":5\r\n"),
    (&[b"object", b"encoding", b"nr"], b"$3\r\nraw\r\n"),
    (&[b"set", b"ni", b"100"], b"+OK\r\n"),
    (&[b"setrange", b"ni", b"0", b"2"], b":3\r\n"),
    (&[b"get", b"ni"], b"$3\r\n200\r\n"),
    (&[b"object", b"encoding", b"ni"], b"$3\r\nraw\r\n"),
    (&[b"getrange", b"ni", b"0", b"-1"], b"$3\r\n200\r\n"),
    (&[b"getrange", b"ni", b"-100", b"100"], b"$3\r\n200\r\n"),
    (&[b"getrange", b"ni", b"5", b"1"], b"$0\r\n\r\n"),
    (&[b"getrange", b"ni", b"-1", b"-5"], b"$0\r\n\r\n"),
    (&[b"getrange", b"ni", b"2", b"2"], b"$1\r\n0\r\n"),
    (&[b"getrange", b"nokey", b"0", b"-1"], b"$0\r\n\r\n"),
    (&[b"substr", b"ni", b"0", b"1"], b"$2\r\n20\r\n"),
    (&[b"getset", b"gs", b"a"], b"$-1\r\n"),
    (&[b"getset", b"gs", b"b"], b"$1\r\na\r\n"),
    (&[b"ttl", b"gs"], b":-1\r\n"),
    (&[b"set", b"gs", b"x", b"ex", b"100"], b"+OK\r\n"),
    (&[b"getset", b"gs", b"y"], b"$1\r\nx\r\n"),
    (&[b"ttl", b"gs"], b":-1\r\n"),
    (&[b"getdel", b"gs"], b"$1\r\ny\r\n"),
    (&[b"getdel", b"gs"], b"$-1\r\n"),
    (&[b"mset", b"a", b"1", b"b", b"2", b"c"], b"-ERR wrong number of arguments for 'mset' command\r\n"),
    (&[b"mset", b"a", b"1", b"b", b"2"], b"+OK\r\n"),
    (&[b"mget", b"a", b"b", b"nokey"], b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n"),
    (&[b"msetnx", b"a", b"1", b"x", b"2"], b":0\r\n"),
    (&[b"msetnx", b"x", b"1", b"y", b"2"], b":1\r\n"),
    (&[b"mget", b"x", b"y"], b"*2\r\n$1\r\n1\r\n$1\r\n2\r\n"),
    (&[b"msetnx", b"x"], b"-ERR wrong number of arguments for 'msetnx' command\r\n"),
    (&[b"setnx", b"a", b"5"], b":0\r\n"),
    (&[b"setnx", b"zz", b"5"], b":1\r\n"),
    (&[b"get", b"zz"], b"$1\r\n5\r\n"),
];

#[rustfmt::skip]
const LCS: Cases = &[
    (&[b"flushall"], b"+OK\r\n"),
    (&[b"lcs", b"a", b"b"], b"$0\r\n\r\n"),
    (&[b"lcs", b"s1", b"s2"], b"$0\r\n\r\n"),
    (&[b"set", b"s1", b"ohmytext"], b"+OK\r\n"),
    (&[b"set", b"s2", b"mynewtext"], b"+OK\r\n"),
    (&[b"lcs", b"s1", b"s2"], b"$6\r\nmytext\r\n"),
    (&[b"lcs", b"s1", b"s2", b"len"], b":6\r\n"),
    (&[b"lcs", b"s1", b"s2", b"idx"], b"*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n"),
    (&[b"lcs", b"s1", b"s2", b"idx", b"minmatchlen", b"4", b"withmatchlen"], b"*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n"),
    (&[b"lcs", b"s1", b"s2", b"idx", b"withmatchlen"], b"*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n"),
    (&[b"lcs", b"s2", b"s1", b"idx", b"withmatchlen"], b"*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:5\r\n:8\r\n*2\r\n:4\r\n:7\r\n:4\r\n*3\r\n*2\r\n:0\r\n:1\r\n*2\r\n:2\r\n:3\r\n:2\r\n$3\r\nlen\r\n:6\r\n"),
    (&[b"lcs", b"s1", b"s2", b"IDX", b"MINMATCHLEN", b"-5"], b"*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n"),
    (&[b"set", b"x1", b"aaaaaaa"], b"+OK\r\n"),
    (&[b"set", b"x2", b"aabaaba"], b"+OK\r\n"),
    (&[b"lcs", b"x1", b"x2", b"idx", b"withmatchlen"], b"*4\r\n$7\r\nmatches\r\n*3\r\n*3\r\n*2\r\n:6\r\n:6\r\n*2\r\n:6\r\n:6\r\n:1\r\n*3\r\n*2\r\n:4\r\n:5\r\n*2\r\n:3\r\n:4\r\n:2\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:5\r\n"),
    (&[b"lcs", b"x1", b"x2"], b"$5\r\naaaaa\r\n"),
];

#[rustfmt::skip]
const INCRBYFLOAT: Cases = &[
    (&[b"flushall"], b"+OK\r\n"),
    (&[b"set", b"f", b"10.5"], b"+OK\r\n"),
    (&[b"incrbyfloat", b"f", b"0.1"], b"$4\r\n10.6\r\n"),
    (&[b"incrbyfloat", b"f", b"3.0e3"], b"$22\r\n3010.60000000000000009\r\n"),
    (&[b"set", b"g", b"0"], b"+OK\r\n"),
    (&[b"incrbyfloat", b"g", b"1e-5"], b"$7\r\n0.00001\r\n"),
    (&[b"incrbyfloat", b"g", b"1e300"], b"$301\r\n1000000000000000000008997324079559193870523944273290747938260082321265646596180935755849152083750497190350372508614274835903592556184672983913096260520748646287327135641843653294084255107606016789726652932370030551382947620994540294772781889620606179267611627097410650567187386105690089424915104006144\r\n"),
    (&[b"incrbyfloat", b"g", b"1.7e308"], b"$309\r\n170000000999999999998659720021912942754218056024732994234759542463900466725683161068941631244693129929556595124305048005189515678273011025580850547797522279229141008734810923588573871389033928668701721279422094047072327465755068093146680811769887410592747127104024329570056583199529850541478273463025550753792\r\n"),
    (&[b"incrbyfloat", b"g", b"-1.7e308"], b"$300\r\n999999999995522941996715345958947842135038860501715956700698010674477340074879761655792829592578071282419416292528112179355010232100121910387505582681690350134804111187268435131411021606321449816639849608801883774419615331827612102267984821410719101089657049063724177434614332979466594153248149471232\r\n"),
    (&[b"incrbyfloat", b"h", b"inf"], b"-ERR increment would produce NaN or Infinity\r\n"),
    (&[b"incrbyfloat", b"h", b"-inf"], b"-ERR increment would produce NaN or Infinity\r\n"),
    (&[b"incrbyfloat", b"h", b"nan"], b"-ERR value is not a valid float\r\n"),
    (&[b"incrbyfloat", b"h", b"abc"], b"-ERR value is not a valid float\r\n"),
    (&[b"incrbyfloat", b"h", b" 1"], b"-ERR value is not a valid float\r\n"),
    (&[b"incrbyfloat", b"h", b"1 "], b"-ERR value is not a valid float\r\n"),
    (&[b"incrbyfloat", b"h", b"0x10"], b"$2\r\n16\r\n"),
    (&[b"incrbyfloat", b"h", b"0X1p-3"], b"$6\r\n16.125\r\n"),
    (&[b"incrbyfloat", b"h", b"1.5e"], b"-ERR value is not a valid float\r\n"),
    (&[b"incrbyfloat", b"h", b".5"], b"$6\r\n16.625\r\n"),
    (&[b"incrbyfloat", b"h", b"-.5"], b"$6\r\n16.125\r\n"),
    (&[b"incrbyfloat", b"h", b"5."], b"$6\r\n21.125\r\n"),
    (&[b"incrbyfloat", b"h", b"+3"], b"$6\r\n24.125\r\n"),
    (&[b"incrbyfloat", b"h", b"0.1"], b"$6\r\n24.225\r\n"),
    (&[b"incrbyfloat", b"h", b"0.2"], b"$6\r\n24.425\r\n"),
    (&[b"incrbyfloat", b"h", b"1e4000"], b"$4000\r\n9999999999999999999965463873099623784932492583506957631301508333043261943306342355481821641865509279862764452073123673540217602217367592344172125881950527999961428582434354754501870958214290741301143014670445026260849443456275333742340822559146220440774502699147116818307775566773571206492036312963397368761826079538161612036724681027980418945071857333802019573184376407974737742100582963439581302474746605828071068162266095350249109360981931695942123253872362355720717867859931997116967823535175344886417435948827492668424224514931596965124928426557313007272003654181606637829648718026332623445964659599411688673612401217012598120557489288735334437118479345590827013160426634334036145971611294094499267930097645158316924242084444005046275789316854264698962537519604804648202558831813320199082274810678546966662106272497006996186529202046612197927965030663016053612055682060855170989021069998476304668166868798327849305544516958630545705436267868123963090419840720786295093297923233166989307185493468005963513556052273926524815064535863034951177115665985606171666708242756198962303861871354719181381961379671761938984704505073921618907144272449828915839083978037993280452559586965504199368256134650271468844247174823646278663567437132739306516943311285144568895817811521270234335023202809923439313537168685792314272771667847310402459453149183490692769538329516243242927105447175974956565949859259880257266623432431660986751258600816348320837727852352371818896648343700947852991058969433541705132345122524048434688325138322933085183721655672137865396358471035067214167360617119527605272354771447437560932908789355181041081978971762346557568230767574027302293460544968752081768656824879994376355163920300385095919688678670907760987187661793434717175760350651419537956103182910121364884637262102263204295329279620360536203761315194554053188934218409316246410738656203852138992492444404026342210499619140876855921277988778676947892152806854950785068014727125536739702656962611964401436187934885803420611286745134838665415365691409110464038694668899344879845822942763373039719688602810444439928037135468898274565353630059446256169978689065593420848456038274366567225299549352683650770160551908116011723880315176381390821744087191159014840466408422036463264182928434780181167746977398743042449413105215463884123801578726746967721334558724520471115335862516435283282393832140500259762370795907195418122260308331006030210104962511689458912869480521025430134047382228141350554394390210188326863538753083190329578149617392735325345607293804019789613107204439729055324106921126322671020066709317012835936925695594694910121291991133040352454029415895421330627924576068200470892536792435143079137382774440346196002593999683669353176553680054317921648423581639781664231716459539510456753265337998256664529200852939049468855419289097785303294946449752258791882954794558753338748235175173730073178466259683916437044889075282877916869627991289792183586849679291189074136405526988632104737613205959150473631599616592564842952439858033179702368199753306698362201401506479407699236396521519654661597132309737381973903141889548031713181771968965861360007055846791276712592611475612847974647898601585527666227738929689128212619681144409905588974943980927948431950098268346459649230305689978542029932792436486452896735925004194782587516473457624352639480090109507295735020460456725638145957022317397784209033998721254961060890916634094880983552750508881669349308347772834504388303087113341878104141612215788330206835981183895501665502020020640589210848902416003156361626873160836225566347750269512599746786860171326806831029087653660341164708808802454022881699049392139574016756146192644415820839590797897050551922334947406004738872332042844089285302334417905996381190171610168845316435533461235902086067935935005063001450522174581772443096538389199989128731679326545348278957788061762018807017602515186853205589875909910708079333605047010115738478105476750550150020629864357825543441956972190272729951206648276349901340672\r\n"),
    (&[b"incrbyfloat", b"h", b"-1e4000"], b"$1\r\n0\r\n"),
    (&[b"incrbyfloat", b"h", b"1e5000"], b"-ERR value is not a valid float\r\n"),
    (&[b"incrbyfloat", b"h", b"1e-5000"], b"-ERR value is not a valid float\r\n"),
    (&[b"incrbyfloat", b"h", b"1e-4940"], b"$1\r\n0\r\n"),
    (&[b"get", b"h"], b"$1\r\n0\r\n"),
    (&[b"incrbyfloat", b"z", b"1e-20"], b"$1\r\n0\r\n"),
    (&[b"incrbyfloat", b"y", b"123456789012345678901234567890"], b"$30\r\n123456789012345678899921813504\r\n"),
    (&[b"incrbyfloat", b"y2", b"-0.0"], b"$1\r\n0\r\n"),
    (&[b"incrbyfloat", b"y3", b"-0.000000000000000001"], b"$1\r\n0\r\n"),
    (&[b"incrbyfloat", b"y4", b"-0.000000000000000006"], b"$20\r\n-0.00000000000000001\r\n"),
    (&[b"incrbyfloat", b"y5", b"0.000000000000000005"], b"$1\r\n0\r\n"),
    (&[b"incrbyfloat", b"y6", b"0.000000000000000015"], b"$19\r\n0.00000000000000002\r\n"),
    (&[b"incrbyfloat", b"y7", b"0.000000000000000025"], b"$19\r\n0.00000000000000002\r\n"),
    (&[b"set", b"s", b"1 "], b"+OK\r\n"),
    (&[b"incrbyfloat", b"s", b"1"], b"-ERR value is not a valid float\r\n"),
    (&[b"set", b"s", b"1.5e3"], b"+OK\r\n"),
    (&[b"incrbyfloat", b"s", b"1"], b"$4\r\n1501\r\n"),
    (&[b"incrbyfloat", b"s", b"-1501"], b"$1\r\n0\r\n"),
    (&[b"set", b"s", b"5"], b"+OK\r\n"),
    (&[b"incrbyfloat", b"s", b"2"], b"$1\r\n7\r\n"),
    (&[b"object", b"encoding", b"s"], b"$6\r\nembstr\r\n"),
    (&[b"incrbyfloat", b"x", b"1.0000000000000001"], b"$18\r\n1.0000000000000001\r\n"),
    (&[b"incrbyfloat", b"x2", b"3.141592653589793238"], b"$19\r\n3.14159265358979324\r\n"),
    (&[b"incrbyfloat", b"x3", b"1e17"], b"$18\r\n100000000000000000\r\n"),
    (&[b"incrbyfloat", b"x4", b"0.1"], b"$3\r\n0.1\r\n"),
    (&[b"incrbyfloat", b"x4", b"0.1"], b"$3\r\n0.2\r\n"),
    (&[b"incrbyfloat", b"x4", b"0.1"], b"$3\r\n0.3\r\n"),
    (&[b"incrbyfloat", b"x4", b"-0.3"], b"$1\r\n0\r\n"),
    (&[b"incrbyfloat", b"x5", b"9223372036854775807"], b"$19\r\n9223372036854775807\r\n"),
    (&[b"incrbyfloat", b"x5", b"1"], b"$19\r\n9223372036854775808\r\n"),
    (&[b"incrbyfloat", b"x6", b"1.23456789012345678901234567890"], b"$19\r\n1.23456789012345679\r\n"),
    (&[b"incrbyfloat", b"x7", b"99999999999999999999.99999"], b"$21\r\n100000000000000000000\r\n"),
    (&[b"incrbyfloat", b"x8", b"1e-17"], b"$19\r\n0.00000000000000001\r\n"),
    (&[b"incrbyfloat", b"x9", b"4.9e-18"], b"$1\r\n0\r\n"),
    (&[b"incrbyfloat", b"x10", b"5e-18"], b"$1\r\n0\r\n"),
    (&[b"incrbyfloat", b"x11", b"5.1e-18"], b"$19\r\n0.00000000000000001\r\n"),
    (&[b"incrbyfloat", b"x12", b"1.5e-17"], b"$19\r\n0.00000000000000002\r\n"),
    (&[b"incrbyfloat", b"x13", b"2.5e-17"], b"$19\r\n0.00000000000000002\r\n"),
    (&[b"incrbyfloat", b"x14", b"0x1.fffffffffffffffep16383"], b"$4933\r\n1189731495357231765021263853030970205169063322294624200440323733891737005522970722616410290336528882853545697807495577314427443153670288434198125573853743678673593200706973263201915918282961524365529510646791086614311790632169778838896134786560600399148753433211454911160088679845154866512852340149773037600009125479393966223151383622417838542743917838138717805889487540575168226347659235576974805113725649020884855222494791399377585026011773549180099796226026859508558883608159846900235645132346594476384939859276456284579661772930407806609229102715046085388087959327781622986827547830768080040150694942303411728957777100335714010559775242124057347007386251660110828379119623008469277200965153500208474470792443848545912886723000619085126472111951361467527633519562927597957250278002980795904193139603021470997035276467445530922022679656280991498232083329641241038509239184734786121921697210543484287048353408113042573002216421348917347174234800714880751002064390517234247656004721768096486107994943415703476320643558624207443504424380566136017608837478165389027809576975977286860071487028287955567141404632615832623602762896316173978484254486860609948270867968048078702511858930838546584223040908805996294594586201903766048446790926002225410530775901065760671347200125846406957030257138960983757998926954553052368560758683179223113639519468850880771872104705203957587480013143131444254943919940175753169339392366881856189129931729104252921236835159922322050998001677102784035360140829296398115122877768135706045789343535451696539561254048846447169786893211671087229088082778350518228857646062218739702851655083720992349483334435228984751232753726636066213902281264706234075352071724058665079518217303463782631353393706774901950197841690441824738063162828586857741432581165364040218402724913393320949219498422442730427019873044536620350262386957804682003601447291997123095530057206141866974852846856186514832715974481203121946751686379343096189615107330065552421485195201762858595091051839472502863871632494167613804996319791441870254302706758495192008837915169401581740046711477877201459644461175204059453504764721807975761111720846273639279600339670470037613374509553184150073796412605047923251661354841291884211340823015473304754067072818763503617332908005951896325207071673904547777129682265206225651439919376804400292380903112437912614776255964694221981375146967079446870358004392507659451618379811859392049544036114915310782251072691486979809240946772142727012404377187409216756613634938900451232351668146089322400697993176017805338191849981933008410985993938760292601390911414526003720284872132411955424282101831204216104467404621635336900583664606591156298764745525068145003932941404131495400677602951005962253022823003631473824681059648442441324864573137437595096416168048024129351876204668135636877532814675538798871771836512893947195335061885003267607354388673368002074387849657014576090349857571243045102038730494854256702479339322809110526041538528994849203991091946129912491633289917998094380337879522093131466946149705939664152375949285890960489916121944989986384837022486672249148924678410206183364627416969576307632480235587975245253737035433882960862753427740016333434055083537048507374544819754722228975281083020898682633020285259923084168054539687911418297629988964576482765287504562854924265165217750799516259669229114977788962356670956627138482018191348321687995863652637620978285070099337294396784639879024914514222742527006363942327998483976739987154418554201562244154926653014515504685489258620276085761837129763358761215382565129633538141663949516556000264159186554850057052611431952919918807954522394649627635630178580896692226406235382898535867595990647008385687123810329591926494846250768992258419305480763620215089022149220528069842018350840586938493815498909445461977893029113576516775406232278298314033473276603952231603422824717528181818844304880921321933550869873395861276073670866652375555675803171490108477320096424318780070008797346032906278943553743564448851907191616455141155761939399690767415156402826543664026760095087523945507341556135867933066031744720924446513532366647649735400851967040771103640538150073486891798364049570606189535005089840913826869535090066783324472578712196604415284924840041850932811908963634175739897166596000759487800619164094854338758520657116541072260996288150123144377944008749301944744330784388995701842710004808305012177123560622895076269042856800047718893158089358515593863176652948089031267747029662545110861548958395087796755464137944895960527975209874813839762578592105756284401759349324162148339565350189196811389091843795734703269406342890087805846940352453479398080674273236297887100867175802531561302356064878709259865288416350972529537091114317204887747405539054009425375424119317944175137064689643861517718849867010341532542385911089624710885385808688837777258648564145934262121086647588489260031762345960769508849149662444156604419552086811989770240\r\n"),
    (&[b"incrbyfloat", b"x15", b"0x1.fffffffffffffffep16384"], b"-ERR value is not a valid float\r\n"),
    (&[b"incrbyfloat", b"x16", b"00012.50"], b"$4\r\n12.5\r\n"),
    (&[b"incrbyfloat", b"x17", b"1_0"], b"-ERR value is not a valid float\r\n"),
    (&[b"incrbyfloat", b"x18", b"infinity"], b"-ERR increment would produce NaN or Infinity\r\n"),
    (&[b"incrbyfloat", b"x19", b"INF"], b"-ERR increment would produce NaN or Infinity\r\n"),
    (&[b"incrbyfloat", b"l", b"1"], b"$1\r\n1\r\n"),
    (&[b"incrbyfloat", b"l", b"x"], b"-ERR value is not a valid float\r\n"),
    (&[b"set", b"bad", b"x"], b"+OK\r\n"),
    (&[b"incrbyfloat", b"bad", b"1"], b"-ERR value is not a valid float\r\n"),
];

#[rustfmt::skip]
const BITS: Cases = &[
    (&[b"flushall"], b"+OK\r\n"),
    (&[b"set", b"f", b"\xff\xf0\x00"], b"+OK\r\n"),
    (&[b"bitpos", b"f", b"0"], b":12\r\n"),
    (&[b"bitpos", b"f", b"1"], b":0\r\n"),
    (&[b"bitpos", b"f", b"1", b"2"], b":-1\r\n"),
    (&[b"bitpos", b"f", b"0", b"1"], b":12\r\n"),
    (&[b"bitpos", b"f", b"0", b"2"], b":16\r\n"),
    (&[b"bitpos", b"f", b"0", b"-1"], b":16\r\n"),
    (&[b"bitpos", b"f", b"0", b"1", b"1"], b":12\r\n"),
    (&[b"bitpos", b"f", b"0", b"0", b"-1", b"bit"], b":12\r\n"),
    (&[b"bitpos", b"f", b"0", b"0", b"11", b"bit"], b":-1\r\n"),
    (&[b"bitpos", b"f", b"0", b"0", b"12", b"bit"], b":12\r\n"),
    (&[b"bitpos", b"f", b"1", b"5", b"6", b"bit"], b":5\r\n"),
    (&[b"bitpos", b"f", b"1", b"-1", b"-2"], b":-1\r\n"),
    (&[b"bitpos", b"f", b"0", b"-1", b"-2"], b":-1\r\n"),
    (&[b"bitpos", b"f", b"0", b"-2", b"-1", b"byte"], b":12\r\n"),
    (&[b"bitpos", b"f", b"0", b"3"], b":-1\r\n"),
    (&[b"bitpos", b"f", b"0", b"100"], b":-1\r\n"),
    (&[b"bitpos", b"f", b"1", b"-100"], b":0\r\n"),
    (&[b"bitpos", b"f", b"0", b"5", b"bit"], b"-ERR value is not an integer or out of range\r\n"),
    (&[b"bitpos", b"f", b"1", b"20", b"bit"], b"-ERR value is not an integer or out of range\r\n"),
    (&[b"bitpos", b"f", b"0", b"20", b"bit"], b"-ERR value is not an integer or out of range\r\n"),
    (&[b"bitpos", b"f", b"0", b"0", b"-1", b"foo"], b"-ERR syntax error\r\n"),
    (&[b"bitpos", b"f", b"1", b"0", b"-1", b"bit"], b":0\r\n"),
    (&[b"set", b"ones", b"\xff\xff"], b"+OK\r\n"),
    (&[b"bitpos", b"ones", b"0"], b":16\r\n"),
    (&[b"bitpos", b"ones", b"0", b"0", b"-1"], b":-1\r\n"),
    (&[b"bitpos", b"ones", b"0", b"0", b"-1", b"bit"], b":-1\r\n"),
    (&[b"bitpos", b"ones", b"0", b"0", b"bit"], b"-ERR value is not an integer or out of range\r\n"),
    (&[b"bitpos", b"ones", b"0", b"1", b"bit"], b"-ERR value is not an integer or out of range\r\n"),
    (&[b"bitpos", b"ones", b"1"], b":0\r\n"),
    (&[b"set", b"zeros", b"\x00\x00"], b"+OK\r\n"),
    (&[b"bitpos", b"zeros", b"1"], b":-1\r\n"),
    (&[b"bitpos", b"zeros", b"0"], b":0\r\n"),
    (&[b"bitpos", b"zeros", b"1", b"0", b"-1", b"bit"], b":-1\r\n"),
    (&[b"set", b"e", b""], b"+OK\r\n"),
    (&[b"bitpos", b"e", b"0"], b":-1\r\n"),
    (&[b"bitpos", b"e", b"1"], b":-1\r\n"),
    (&[b"bitpos", b"e", b"0", b"0", b"-1"], b":-1\r\n"),
    (&[b"bitcount", b"e"], b":0\r\n"),
    (&[b"bitcount", b"f"], b":12\r\n"),
    (&[b"bitcount", b"f", b"-1", b"-2"], b":0\r\n"),
    (&[b"bitcount", b"f", b"1", b"1", b"bit"], b":1\r\n"),
    (&[b"bitcount", b"f", b"0", b"-1", b"bit"], b":12\r\n"),
    (&[b"bitcount", b"f", b"3", b"10", b"bit"], b":8\r\n"),
    (&[b"bitcount", b"f", b"-5", b"-1", b"bit"], b":0\r\n"),
    (&[b"bitcount", b"f", b"0", b"0"], b":8\r\n"),
    (&[b"bitcount", b"f", b"1", b"2"], b":4\r\n"),
    (&[b"bitcount", b"f", b"-2", b"-1"], b":4\r\n"),
    (&[b"bitcount", b"f", b"5", b"100"], b":0\r\n"),
    (&[b"bitcount", b"f", b"-100", b"100"], b":12\r\n"),
    (&[b"bitcount", b"f", b"0", b"1", b"byte"], b":12\r\n"),
    (&[b"bitcount", b"f", b"0", b"1", b"BIT"], b":2\r\n"),
    (&[b"bitcount", b"f", b"a", b"b"], b"-ERR value is not an integer or out of range\r\n"),
    (&[b"bitcount", b"f", b"0"], b"-ERR syntax error\r\n"),
    (&[b"bitcount", b"f", b"0", b"1", b"2", b"3"], b"-ERR syntax error\r\n"),
    (&[b"setbit", b"b", b"7", b"1"], b":0\r\n"),
    (&[b"get", b"b"], b"$1\r\n\x01\r\n"),
    (&[b"setbit", b"b", b"7", b"0"], b":1\r\n"),
    (&[b"setbit", b"b", b"7", b"1"], b":0\r\n"),
    (&[b"setbit", b"b", b"100", b"1"], b":0\r\n"),
    (&[b"strlen", b"b"], b":13\r\n"),
    (&[b"getbit", b"b", b"100"], b":1\r\n"),
    (&[b"getbit", b"b", b"101"], b":0\r\n"),
    (&[b"getbit", b"b", b"100000"], b":0\r\n"),
    (&[b"getbit", b"nokey", b"5"], b":0\r\n"),
    (&[b"object", b"encoding", b"b"], b"$3\r\nraw\r\n"),
    (&[b"set", b"num", b"12"], b"+OK\r\n"),
    (&[b"setbit", b"num", b"7", b"1"], b":1\r\n"),
    (&[b"get", b"num"], b"$2\r\n12\r\n"),
    (&[b"set", b"intv", b"5"], b"+OK\r\n"),
    (&[b"getbit", b"intv", b"5"], b":1\r\n"),
    (&[b"getbit", b"intv", b"6"], b":0\r\n"),
    (&[b"bitcount", b"intv"], b":4\r\n"),
    (&[b"bitop", b"and", b"d", b"f", b"ones"], b":3\r\n"),
    (&[b"get", b"d"], b"$3\r\n\xff\xf0\x00\r\n"),
    (&[b"bitop", b"or", b"d", b"f", b"zeros", b"e"], b":3\r\n"),
    (&[b"get", b"d"], b"$3\r\n\xff\xf0\x00\r\n"),
    (&[b"bitop", b"xor", b"d", b"f", b"ones"], b":3\r\n"),
    (&[b"get", b"d"], b"$3\r\n\x00\x0f\x00\r\n"),
    (&[b"bitop", b"not", b"d", b"f"], b":3\r\n"),
    (&[b"get", b"d"], b"$3\r\n\x00\x0f\xff\r\n"),
    (&[b"bitop", b"NOT", b"d", b"nokey"], b":0\r\n"),
    (&[b"exists", b"d"], b":0\r\n"),
    (&[b"bitop", b"and", b"d", b"f", b"nokey"], b":3\r\n"),
    (&[b"get", b"d"], b"$3\r\n\x00\x00\x00\r\n"),
    (&[b"bitop", b"or", b"d", b"intv"], b":1\r\n"),
    (&[b"get", b"d"], b"$1\r\n5\r\n"),
    (&[b"object", b"encoding", b"d"], b"$3\r\nraw\r\n"),
    (&[b"bitop", b"foo", b"d", b"f"], b"-ERR syntax error\r\n"),
    (&[b"bitop", b"not", b"d", b"f", b"f"], b"-ERR BITOP NOT must be called with a single source key.\r\n"),
    (&[b"set", b"t", b"x"], b"+OK\r\n"),
    (&[b"expire", b"t", b"100"], b":1\r\n"),
    (&[b"bitop", b"or", b"t", b"f"], b":3\r\n"),
    (&[b"ttl", b"t"], b":-1\r\n"),
    (&[b"bitcount", b"f", b"-2", b"-5", b"x"], b":0\r\n"),
];

#[test]
fn large_values_are_stored_whole_with_every_set_option() {
    let srv = start_server();
    let mut c = srv.connect();
    let a = vec![b'a'; 200_000];
    let b = vec![b'b'; 5_000];
    assert_eq!(c.cmd(&[b"set", b"k", &a]), b"+OK\r\n");
    // GET returns the old value; NX refuses and leaves the value in place.
    let mut old = b"$200000\r\n".to_vec();
    old.extend_from_slice(&a);
    old.extend_from_slice(b"\r\n");
    assert_eq!(c.cmd(&[b"set", b"k", &b, b"get"]), old);
    assert_eq!(c.cmd(&[b"set", b"k", &a, b"nx"]), b"$-1\r\n");
    assert_eq!(c.q("strlen k"), ":5000\r\n");
    // Inside MULTI the queued SET keeps its value until EXEC.
    assert_eq!(c.q("multi"), "+OK\r\n");
    assert_eq!(c.cmd(&[b"set", b"k", &a, b"xx"]), b"+QUEUED\r\n");
    assert_eq!(c.q("exec"), "*1\r\n+OK\r\n");
    assert_eq!(c.cmd(&[b"get", b"k"]), old);
    assert_eq!(c.q("object encoding k"), "$3\r\nraw\r\n");
}
