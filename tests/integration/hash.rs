//! Hash commands over TCP: replies compared byte for byte with what redis-server
//! 7.0 answered to the same requests (recorded in `tests/transcripts/`), plus a
//! randomized test against a `HashMap` model.
use super::support::{bulks, start_server};
use super::transcript::run_transcript;
use std::collections::{HashMap, HashSet};

/// The recorded sessions of this file (see `transcript.rs` for the format).
const TRANSCRIPT: &str = include_str!("../transcripts/hash.txt");

#[test]
fn hrandfield_checks_its_count_before_the_key() {
    run_transcript(TRANSCRIPT, "hrandfield_checks_its_count_before_the_key");
}

#[test]
fn hash_replies_match_redis() {
    run_transcript(TRANSCRIPT, "hash_replies_match_redis");
}

/// A small xorshift generator, so the test is reproducible.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn random_ops_match_a_hashmap_model() {
    let srv = start_server();
    let mut c = srv.connect();
    let mut model: HashMap<String, String> = HashMap::new();
    let mut rng = 0x9e3779b97f4a7c15u64;
    for step in 0..3000 {
        // Few fields early (listpack), many later (hashtable conversion).
        let span = if step < 1500 { 20 } else { 300 };
        let f = format!("f{}", next(&mut rng) % span);
        let v = format!("v{}", next(&mut rng) % 1000);
        match next(&mut rng) % 5 {
            0 | 1 => {
                let new = model.insert(f.clone(), v.clone()).is_none();
                let want = format!(":{}\r\n", i64::from(new));
                assert_eq!(c.q(&format!("HSET h {f} {v}")), want);
            }
            2 => {
                let had = model.remove(&f).is_some();
                assert_eq!(
                    c.q(&format!("HDEL h {f}")),
                    format!(":{}\r\n", i64::from(had))
                );
            }
            3 => {
                let want = match model.get(&f) {
                    Some(v) => format!("${}\r\n{v}\r\n", v.len()),
                    None => "$-1\r\n".to_string(),
                };
                assert_eq!(c.q(&format!("HGET h {f}")), want);
            }
            _ => {
                assert_eq!(c.q("HLEN h"), format!(":{}\r\n", model.len()));
                let exists = if model.is_empty() { ":0\r\n" } else { ":1\r\n" };
                assert_eq!(c.q("EXISTS h"), exists);
            }
        }
    }
    // Every pair, whatever the order.
    let all = c.q("HGETALL h");
    let mut lines: Vec<&str> = all.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.remove(0), format!("*{}", model.len() * 2));
    let items: Vec<&str> = lines
        .iter()
        .filter(|l| !l.starts_with('$'))
        .copied()
        .collect();
    let pairs: HashMap<String, String> = items
        .chunks(2)
        .map(|p| (p[0].to_string(), p[1].to_string()))
        .collect();
    assert_eq!(pairs, model);
}

#[test]
fn hash_listpack_limits_follow_config() {
    run_transcript(TRANSCRIPT, "hash_listpack_limits_follow_config");
}

/// The HSCAN guarantee on a hashtable-encoded hash: a field present for the whole
/// scan is returned (with its value) at least once, while other fields are added
/// (enough to grow the table) and deleted (enough to shrink it) between calls.
#[test]
fn hscan_returns_every_surviving_field_under_writes() {
    let srv = start_server();
    let mut c = srv.connect();
    let mut live: Vec<String> = (0..2000).map(|i| format!("f{i}")).collect();
    let values: Vec<String> = (0..2000).map(|i| format!("v{i}")).collect();
    for (fs, vs) in live.chunks(500).zip(values.chunks(500)) {
        let mut hset: Vec<&[u8]> = vec![b"HSET", b"h"];
        for (f, v) in fs.iter().zip(vs) {
            hset.push(f.as_bytes());
            hset.push(v.as_bytes());
        }
        assert_eq!(c.cmd(&hset), b":500\r\n".to_vec());
    }
    assert_eq!(
        c.cmd(&[b"OBJECT", b"ENCODING", b"h"]),
        b"$9\r\nhashtable\r\n".to_vec()
    );
    let mut deleted: HashSet<String> = HashSet::new();
    let mut seen: HashMap<Vec<u8>, Vec<u8>> = HashMap::new();
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut cursor = b"0".to_vec();
    for step in 0.. {
        let items = bulks(&c.cmd(&[b"HSCAN", b"h", &cursor, b"COUNT", b"10"]));
        assert_eq!(items.len() % 2, 1);
        cursor = items[0].clone();
        for pair in items[1..].chunks(2) {
            seen.insert(pair[0].clone(), pair[1].clone());
        }
        if cursor == b"0" {
            break;
        }
        if step < 25 {
            for j in 0..60 {
                let f = format!("g{step}:{j}");
                assert_eq!(
                    c.cmd(&[b"HSET", b"h", f.as_bytes(), b"x"]),
                    b":1\r\n".to_vec()
                );
                live.push(f);
            }
        } else if live.len() > 100 {
            for _ in 0..(live.len() - 100).min(200) {
                let f = live.swap_remove((next(&mut rng) % live.len() as u64) as usize);
                assert_eq!(c.cmd(&[b"HDEL", b"h", f.as_bytes()]), b":1\r\n".to_vec());
                deleted.insert(f);
            }
        }
    }
    for (i, v) in values.iter().enumerate() {
        let f = format!("f{i}");
        if !deleted.contains(&f) {
            assert_eq!(seen.get(f.as_bytes()), Some(&v.as_bytes().to_vec()), "{f}");
        }
    }
    assert!(live.len() <= 100, "the scan ended before the shrink phase");
}
