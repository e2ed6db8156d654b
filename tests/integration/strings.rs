//! String commands over TCP: every reply compared byte for byte with what
//! redis-server 7.0.15 answered to the same requests (the sessions in
//! `tests/transcripts/` were recorded from it), plus binary-safety, limits and
//! expiry timing.
use super::support::{eventually, start_server};
use super::transcript::run_transcript;
use std::time::Duration;

/// The recorded sessions of this file (see `transcript.rs` for the format).
const TRANSCRIPT: &str = include_str!("../transcripts/strings.txt");

#[test]
fn bitpos_reads_its_unit_before_its_end() {
    run_transcript(TRANSCRIPT, "bitpos_reads_its_unit_before_its_end");
}

#[test]
fn set_and_its_options() {
    run_transcript(TRANSCRIPT, "set_and_its_options");
}

#[test]
fn integer_counters() {
    run_transcript(TRANSCRIPT, "integer_counters");
}

#[test]
fn encodings_ranges_and_multi_key_forms() {
    run_transcript(TRANSCRIPT, "encodings_ranges_and_multi_key_forms");
}

#[test]
fn lcs_forms() {
    run_transcript(TRANSCRIPT, "lcs_forms");
}

#[test]
fn incrbyfloat_parses_and_prints_like_long_double() {
    run_transcript(TRANSCRIPT, "incrbyfloat_parses_and_prints_like_long_double");
}

#[test]
fn bit_commands() {
    run_transcript(TRANSCRIPT, "bit_commands");
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
