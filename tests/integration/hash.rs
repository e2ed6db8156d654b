//! Hash commands over TCP: replies compared byte for byte with what redis-server
//! 7.0 answered to the same requests (recorded below), plus a randomized test
//! against a `HashMap` model.
use super::support::start_server;
use super::support::{run_cases, Cases};
use std::collections::{HashMap, HashSet};

const CASES: Cases = &[
    (&[b"DEL", b"h", b"s"], b":0\x0d\x0a"),
    (&[b"HSET", b"h", b"a", b"1", b"b", b"2", b"c", b"3"], b":3\x0d\x0a"),
    (&[b"HSET", b"h", b"a", b"9"], b":0\x0d\x0a"),
    (&[b"HSET", b"h", b"x"], b"-ERR wrong number of arguments for 'hset' command\x0d\x0a"),
    (&[b"HMSET", b"h", b"d", b"4"], b"+OK\x0d\x0a"),
    (&[b"HGET", b"h", b"a"], b"$1\x0d\x0a9\x0d\x0a"),
    (&[b"HGET", b"h", b"zz"], b"$-1\x0d\x0a"),
    (&[b"HGET", b"nokey", b"a"], b"$-1\x0d\x0a"),
    (&[b"HMGET", b"h", b"a", b"zz", b"b"], b"*3\x0d\x0a$1\x0d\x0a9\x0d\x0a$-1\x0d\x0a$1\x0d\x0a2\x0d\x0a"),
    (&[b"HMGET", b"nokey", b"a"], b"*1\x0d\x0a$-1\x0d\x0a"),
    (&[b"HGETALL", b"h"], b"*8\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0a9\x0d\x0a$1\x0d\x0ab\x0d\x0a$1\x0d\x0a2\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0a3\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0a4\x0d\x0a"),
    (&[b"HGETALL", b"nokey"], b"*0\x0d\x0a"),
    (&[b"HKEYS", b"h"], b"*4\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0ab\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0ad\x0d\x0a"),
    (&[b"HVALS", b"h"], b"*4\x0d\x0a$1\x0d\x0a9\x0d\x0a$1\x0d\x0a2\x0d\x0a$1\x0d\x0a3\x0d\x0a$1\x0d\x0a4\x0d\x0a"),
    (&[b"HLEN", b"h"], b":4\x0d\x0a"),
    (&[b"HLEN", b"nokey"], b":0\x0d\x0a"),
    (&[b"HEXISTS", b"h", b"a"], b":1\x0d\x0a"),
    (&[b"HEXISTS", b"h", b"q"], b":0\x0d\x0a"),
    (&[b"HSTRLEN", b"h", b"a"], b":1\x0d\x0a"),
    (&[b"HSTRLEN", b"h", b"q"], b":0\x0d\x0a"),
    (&[b"HSETNX", b"h", b"a", b"5"], b":0\x0d\x0a"),
    (&[b"HSETNX", b"h", b"n", b"5"], b":1\x0d\x0a"),
    (&[b"HDEL", b"h", b"a", b"q"], b":1\x0d\x0a"),
    (&[b"HDEL", b"nokey", b"a"], b":0\x0d\x0a"),
    (&[b"HKEYS", b"h"], b"*4\x0d\x0a$1\x0d\x0ab\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0an\x0d\x0a"),
    (&[b"HINCRBY", b"h", b"b", b"10"], b":12\x0d\x0a"),
    (&[b"HINCRBY", b"h", b"new", b"-3"], b":-3\x0d\x0a"),
    (&[b"HINCRBY", b"h", b"b", b"x"], b"-ERR value is not an integer or out of range\x0d\x0a"),
    (&[b"HSET", b"h", b"s", b"abc"], b":1\x0d\x0a"),
    (&[b"HINCRBY", b"h", b"s", b"1"], b"-ERR hash value is not an integer\x0d\x0a"),
    (&[b"HSET", b"h", b"big", b"9223372036854775807"], b":1\x0d\x0a"),
    (&[b"HINCRBY", b"h", b"big", b"1"], b"-ERR increment or decrement would overflow\x0d\x0a"),
    (&[b"HINCRBYFLOAT", b"h", b"f", b"1.5"], b"$3\x0d\x0a1.5\x0d\x0a"),
    (&[b"HINCRBYFLOAT", b"h", b"f", b"0.1"], b"$3\x0d\x0a1.6\x0d\x0a"),
    (&[b"HINCRBYFLOAT", b"h", b"s", b"1"], b"-ERR hash value is not a float\x0d\x0a"),
    (&[b"HINCRBYFLOAT", b"h", b"f", b"abc"], b"-ERR value is not a valid float\x0d\x0a"),
    (&[b"HINCRBYFLOAT", b"h", b"f", b"inf"], b"-ERR value is NaN or Infinity\x0d\x0a"),
    (&[b"HINCRBYFLOAT", b"h", b"b", b"3.0e3"], b"$4\x0d\x0a3012\x0d\x0a"),
    (&[b"SET", b"s", b"str"], b"+OK\x0d\x0a"),
    (&[b"HGET", b"s", b"a"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"HSET", b"s", b"a", b"1"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"HLEN", b"s"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"HRANDFIELD", b"nokey"], b"$-1\x0d\x0a"),
    (&[b"HRANDFIELD", b"nokey", b"3"], b"*0\x0d\x0a"),
    (&[b"HRANDFIELD", b"h", b"0"], b"*0\x0d\x0a"),
    (&[b"HRANDFIELD", b"h", b"1", b"x"], b"-ERR syntax error\x0d\x0a"),
    (&[b"HRANDFIELD", b"h", b"x"], b"-ERR value is not an integer or out of range\x0d\x0a"),
    (&[b"HRANDFIELD", b"h", b"1", b"withvalues", b"extra"], b"-ERR syntax error\x0d\x0a"),
    (&[b"HSCAN", b"h", b"0"], b"*2\x0d\x0a$1\x0d\x0a0\x0d\x0a*16\x0d\x0a$1\x0d\x0ab\x0d\x0a$4\x0d\x0a3012\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0a3\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0a4\x0d\x0a$1\x0d\x0an\x0d\x0a$1\x0d\x0a5\x0d\x0a$3\x0d\x0anew\x0d\x0a$2\x0d\x0a-3\x0d\x0a$1\x0d\x0as\x0d\x0a$3\x0d\x0aabc\x0d\x0a$3\x0d\x0abig\x0d\x0a$19\x0d\x0a9223372036854775807\x0d\x0a$1\x0d\x0af\x0d\x0a$3\x0d\x0a1.6\x0d\x0a"),
    (&[b"HSCAN", b"h", b"0", b"MATCH", b"b*"], b"*2\x0d\x0a$1\x0d\x0a0\x0d\x0a*4\x0d\x0a$1\x0d\x0ab\x0d\x0a$4\x0d\x0a3012\x0d\x0a$3\x0d\x0abig\x0d\x0a$19\x0d\x0a9223372036854775807\x0d\x0a"),
    (&[b"HSCAN", b"h", b"x"], b"-ERR invalid cursor\x0d\x0a"),
    (&[b"HSCAN", b"h", b"0", b"COUNT", b"0"], b"-ERR syntax error\x0d\x0a"),
    (&[b"HSCAN", b"nokey", b"0"], b"*2\x0d\x0a$1\x0d\x0a0\x0d\x0a*0\x0d\x0a"),
    (&[b"OBJECT", b"ENCODING", b"h"], b"$8\x0d\x0alistpack\x0d\x0a"),
    (&[b"TYPE", b"h"], b"+hash\x0d\x0a"),
    (&[b"HDEL", b"h", b"b", b"n", b"new", b"big", b"f", b"s", b"d"], b":7\x0d\x0a"),
    (&[b"EXISTS", b"h"], b":1\x0d\x0a"),
    (&[b"HGET", b"h"], b"-ERR wrong number of arguments for 'hget' command\x0d\x0a"),
    (&[b"HSET", b"h", b"a", b"1", b"b"], b"-ERR wrong number of arguments for 'hset' command\x0d\x0a"),
    (&[b"HRANDFIELD", b"h", b"-9223372036854775808", b"WITHVALUES"], b"-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\x0d\x0a"),
    (&[b"HSET", b"h2", b"a", b"1"], b":1\x0d\x0a"),
    (&[b"HRANDFIELD", b"h2", b"-9223372036854775807", b"WITHVALUES"], b"-ERR value is out of range\x0d\x0a"),
    (&[b"HRANDFIELD", b"h2", b"-4611686018427387904", b"WITHVALUES"], b"-ERR value is out of range\x0d\x0a"),
    (&[b"HRANDFIELD", b"h2", b"-9223372036854775808"], b"-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\x0d\x0a"),
    (&[b"HRANDFIELD", b"h2", b"-3"], b"*3\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0aa\x0d\x0a"),
    (&[b"HRANDFIELD", b"h2", b"-2", b"withvalues"], b"*4\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0a1\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0a1\x0d\x0a"),
    (&[b"HRANDFIELD", b"h2", b"5", b"withvalues"], b"*2\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0a1\x0d\x0a"),
    (&[b"HINCRBYFLOAT", b"h2", b"f", b"nan"], b"-ERR value is not a valid float\x0d\x0a"),
    (&[b"HINCRBYFLOAT", b"h2", b"f", b"-inf"], b"-ERR value is NaN or Infinity\x0d\x0a"),
    (&[b"HINCRBYFLOAT", b"h2", b"f", b"1e400"], b"$401\x0d\x0a10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880\x0d\x0a"),
    (&[b"HINCRBYFLOAT", b"h2", b"a", b"1e308"], b"$308\x0d\x0a99999999999999999996685879655845645660560099847415567207797047994921734868838061872100126921888539320446747225054013223152134749593960583597420814430196418767959100019603190778663109604507106667939153395788938914560543563061268364901618630217086589253444881623791300855757318142424510452728255046343928578048\x0d\x0a"),
    (&[b"HINCRBYFLOAT", b"h2", b"a", b"1e308"], b"$309\x0d\x0a199999999999999999993371759311691291321120199694831134415594095989843469737676123744200253843777078640893494450108026446304269499187921167194841628860392837535918200039206381557326219209014213335878306791577877829121087126122536729803237260434173178506889763247582601711514636284849020905456510092687857156096\x0d\x0a"),
];

#[test]
fn hash_replies_match_redis() {
    run_cases(CASES);
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

/// The listpack limits are CONFIG-settable (and default to 7.0's 512 entries,
/// 64 bytes), recorded from redis-server 7.0.15.
const LIMIT_CASES: Cases = &[
    (&[b"FLUSHALL"], b"+OK\x0d\x0a"),
    (&[b"CONFIG", b"GET", b"hash-max-listpack-entries"], b"*2\x0d\x0a$25\x0d\x0ahash-max-listpack-entries\x0d\x0a$3\x0d\x0a512\x0d\x0a"),
    (&[b"CONFIG", b"GET", b"hash-max-ziplist-value"], b"*2\x0d\x0a$22\x0d\x0ahash-max-ziplist-value\x0d\x0a$2\x0d\x0a64\x0d\x0a"),
    (&[b"CONFIG", b"SET", b"hash-max-listpack-entries", b"2"], b"+OK\x0d\x0a"),
    (&[b"HSET", b"h", b"a", b"1", b"b", b"2"], b":2\x0d\x0a"),
    (&[b"OBJECT", b"ENCODING", b"h"], b"$8\x0d\x0alistpack\x0d\x0a"),
    (&[b"HSET", b"h", b"c", b"3"], b":1\x0d\x0a"),
    (&[b"OBJECT", b"ENCODING", b"h"], b"$9\x0d\x0ahashtable\x0d\x0a"),
    (&[b"CONFIG", b"SET", b"hash-max-ziplist-value", b"3"], b"+OK\x0d\x0a"),
    (&[b"HSET", b"h2", b"a", b"1234"], b":1\x0d\x0a"),
    (&[b"OBJECT", b"ENCODING", b"h2"], b"$9\x0d\x0ahashtable\x0d\x0a"),
    (&[b"CONFIG", b"GET", b"hash-max-listpack-value"], b"*2\x0d\x0a$23\x0d\x0ahash-max-listpack-value\x0d\x0a$1\x0d\x0a3\x0d\x0a"),
    (&[b"CONFIG", b"SET", b"hash-max-listpack-entries", b"128"], b"+OK\x0d\x0a"),
    (&[b"CONFIG", b"SET", b"hash-max-listpack-value", b"64"], b"+OK\x0d\x0a"),
    (&[b"CONFIG", b"SET", b"hash-max-listpack-value", b"x"], b"-ERR CONFIG SET failed (possibly related to argument 'hash-max-listpack-value') - argument must be a memory value\x0d\x0a"),
];

#[test]
fn hash_listpack_limits_follow_config() {
    run_cases(LIMIT_CASES);
}

/// The bulk strings of an HSCAN reply: the cursor, then field, value, ...
fn bulks(reply: &[u8]) -> Vec<Vec<u8>> {
    let text = String::from_utf8_lossy(reply).into_owned();
    let mut out = Vec::new();
    let mut lines = text.split("\r\n");
    while let Some(l) = lines.next() {
        if l.starts_with('$') {
            out.push(lines.next().unwrap_or_default().as_bytes().to_vec());
        }
    }
    out
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
