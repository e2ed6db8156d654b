//! Set commands over TCP: replies compared byte for byte with what
//! redis-server 7.0.15 answered (recorded below, in order, on one connection of
//! a fresh server; members of hashtable-encoded sets are sorted by a script,
//! since their order is the table's), plus random-pick properties and a
//! randomized test against a `BTreeSet` model.
use super::support::{run_cases, start_server, Cases};
use std::collections::BTreeSet;

const CASES: Cases = &[
    (&[b"FLUSHALL"], b"+OK\x0d\x0a"),
    (&[b"SADD", b"i", b"3", b"1", b"2", b"1"], b":3\x0d\x0a"),
    (&[b"SMEMBERS", b"i"], b"*3\x0d\x0a$1\x0d\x0a1\x0d\x0a$1\x0d\x0a2\x0d\x0a$1\x0d\x0a3\x0d\x0a"),
    (&[b"OBJECT", b"ENCODING", b"i"], b"$6\x0d\x0aintset\x0d\x0a"),
    (&[b"TYPE", b"i"], b"+set\x0d\x0a"),
    (&[b"SCARD", b"i"], b":3\x0d\x0a"),
    (&[b"SCARD", b"nos"], b":0\x0d\x0a"),
    (&[b"SISMEMBER", b"i", b"2"], b":1\x0d\x0a"),
    (&[b"SISMEMBER", b"i", b"9"], b":0\x0d\x0a"),
    (&[b"SISMEMBER", b"nos", b"1"], b":0\x0d\x0a"),
    (&[b"SMISMEMBER", b"i", b"1", b"9", b"3"], b"*3\x0d\x0a:1\x0d\x0a:0\x0d\x0a:1\x0d\x0a"),
    (&[b"SMISMEMBER", b"nos", b"1"], b"*1\x0d\x0a:0\x0d\x0a"),
    (&[b"SADD", b"i", b"-5", b"10"], b":2\x0d\x0a"),
    (&[b"SMEMBERS", b"i"], b"*5\x0d\x0a$2\x0d\x0a-5\x0d\x0a$1\x0d\x0a1\x0d\x0a$1\x0d\x0a2\x0d\x0a$1\x0d\x0a3\x0d\x0a$2\x0d\x0a10\x0d\x0a"),
    (&[b"SADD", b"i", b"abc"], b":1\x0d\x0a"),
    (&[b"OBJECT", b"ENCODING", b"i"], b"$9\x0d\x0ahashtable\x0d\x0a"),
    (&[b"EVAL", b"local r = redis.call('smembers', KEYS[1]) table.sort(r) return r", b"1", b"i"], b"*6\x0d\x0a$2\x0d\x0a-5\x0d\x0a$1\x0d\x0a1\x0d\x0a$2\x0d\x0a10\x0d\x0a$1\x0d\x0a2\x0d\x0a$1\x0d\x0a3\x0d\x0a$3\x0d\x0aabc\x0d\x0a"),
    (&[b"SREM", b"i", b"abc", b"zz", b"1"], b":2\x0d\x0a"),
    (&[b"SREM", b"nos", b"a"], b":0\x0d\x0a"),
    (&[b"SCARD", b"i"], b":4\x0d\x0a"),
    (&[b"SMEMBERS", b"nos"], b"*0\x0d\x0a"),
    (&[b"SADD", b"s", b"a", b"b", b"c"], b":3\x0d\x0a"),
    (&[b"EVAL", b"local r = redis.call('sunion', KEYS[1], KEYS[2]) table.sort(r) return r", b"2", b"s", b"i"], b"*7\x0d\x0a$2\x0d\x0a-5\x0d\x0a$2\x0d\x0a10\x0d\x0a$1\x0d\x0a2\x0d\x0a$1\x0d\x0a3\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0ab\x0d\x0a$1\x0d\x0ac\x0d\x0a"),
    (&[b"EVAL", b"local r = redis.call('sinter', KEYS[1], KEYS[2]) table.sort(r) return r", b"2", b"s", b"s"], b"*3\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0ab\x0d\x0a$1\x0d\x0ac\x0d\x0a"),
    (&[b"SINTER", b"s", b"nos"], b"*0\x0d\x0a"),
    (&[b"EVAL", b"local r = redis.call('sdiff', KEYS[1], KEYS[2]) table.sort(r) return r", b"2", b"s", b"nos"], b"*3\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0ab\x0d\x0a$1\x0d\x0ac\x0d\x0a"),
    (&[b"SDIFF", b"nos", b"s"], b"*0\x0d\x0a"),
    (&[b"SADD", b"t", b"b", b"c", b"d"], b":3\x0d\x0a"),
    (&[b"EVAL", b"local r = redis.call('sinter', KEYS[1], KEYS[2]) table.sort(r) return r", b"2", b"s", b"t"], b"*2\x0d\x0a$1\x0d\x0ab\x0d\x0a$1\x0d\x0ac\x0d\x0a"),
    (&[b"EVAL", b"local r = redis.call('sdiff', KEYS[1], KEYS[2]) table.sort(r) return r", b"2", b"s", b"t"], b"*1\x0d\x0a$1\x0d\x0aa\x0d\x0a"),
    (&[b"EVAL", b"local r = redis.call('sunion', KEYS[1], KEYS[2]) table.sort(r) return r", b"2", b"s", b"t"], b"*4\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0ab\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0ad\x0d\x0a"),
    (&[b"SUNIONSTORE", b"u", b"s", b"t"], b":4\x0d\x0a"),
    (&[b"EVAL", b"local r = redis.call('smembers', KEYS[1]) table.sort(r) return r", b"1", b"u"], b"*4\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0ab\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0ad\x0d\x0a"),
    (&[b"SINTERSTORE", b"u", b"s", b"t"], b":2\x0d\x0a"),
    (&[b"EVAL", b"local r = redis.call('smembers', KEYS[1]) table.sort(r) return r", b"1", b"u"], b"*2\x0d\x0a$1\x0d\x0ab\x0d\x0a$1\x0d\x0ac\x0d\x0a"),
    (&[b"SDIFFSTORE", b"u", b"s", b"t"], b":1\x0d\x0a"),
    (&[b"SMEMBERS", b"u"], b"*1\x0d\x0a$1\x0d\x0aa\x0d\x0a"),
    (&[b"SINTERSTORE", b"u", b"s", b"nos"], b":0\x0d\x0a"),
    (&[b"EXISTS", b"u"], b":0\x0d\x0a"),
    (&[b"SUNIONSTORE", b"u", b"nos", b"nos2"], b":0\x0d\x0a"),
    (&[b"EXISTS", b"u"], b":0\x0d\x0a"),
    (&[b"SADD", b"n1", b"1", b"2", b"3"], b":3\x0d\x0a"),
    (&[b"SADD", b"n2", b"2", b"3", b"4"], b":3\x0d\x0a"),
    (&[b"SINTERSTORE", b"n3", b"n1", b"n2"], b":2\x0d\x0a"),
    (&[b"SMEMBERS", b"n3"], b"*2\x0d\x0a$1\x0d\x0a2\x0d\x0a$1\x0d\x0a3\x0d\x0a"),
    (&[b"OBJECT", b"ENCODING", b"n3"], b"$6\x0d\x0aintset\x0d\x0a"),
    (&[b"SINTERCARD", b"2", b"s", b"t"], b":2\x0d\x0a"),
    (&[b"SINTERCARD", b"2", b"s", b"t", b"LIMIT", b"1"], b":1\x0d\x0a"),
    (&[b"SINTERCARD", b"1", b"nos"], b":0\x0d\x0a"),
    (&[b"SINTERCARD", b"0", b"s"], b"-ERR numkeys should be greater than 0\x0d\x0a"),
    (&[b"SINTERCARD", b"5", b"s"], b"-ERR Number of keys can't be greater than number of args\x0d\x0a"),
    (&[b"SINTERCARD", b"2", b"s", b"t", b"LIMIT", b"-1"], b"-ERR LIMIT can't be negative\x0d\x0a"),
    (&[b"SINTERCARD", b"2", b"s", b"t", b"FOO", b"1"], b"-ERR syntax error\x0d\x0a"),
    (&[b"SINTERCARD", b"x", b"s"], b"-ERR numkeys should be greater than 0\x0d\x0a"),
    (&[b"SMOVE", b"s", b"t", b"a"], b":1\x0d\x0a"),
    (&[b"SISMEMBER", b"t", b"a"], b":1\x0d\x0a"),
    (&[b"SISMEMBER", b"s", b"a"], b":0\x0d\x0a"),
    (&[b"SMOVE", b"s", b"t", b"zz"], b":0\x0d\x0a"),
    (&[b"SMOVE", b"nos", b"t", b"a"], b":0\x0d\x0a"),
    (&[b"SMOVE", b"s", b"s", b"b"], b":1\x0d\x0a"),
    (&[b"SMOVE", b"s", b"t", b"b"], b":1\x0d\x0a"),
    (&[b"SMOVE", b"s", b"t", b"c"], b":1\x0d\x0a"),
    (&[b"EXISTS", b"s"], b":0\x0d\x0a"),
    (&[b"SCARD", b"t"], b":4\x0d\x0a"),
    (&[b"SET", b"str", b"x"], b"+OK\x0d\x0a"),
    (&[b"SADD", b"str", b"a"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"SMEMBERS", b"str"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"SCARD", b"str"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"SISMEMBER", b"str", b"a"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"SUNION", b"str", b"t"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"SINTER", b"t", b"str"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"SMOVE", b"t", b"str", b"a"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"SMOVE", b"str", b"t", b"a"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"SPOP", b"str"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"SRANDMEMBER", b"str"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"SPOP", b"nos"], b"$-1\x0d\x0a"),
    (&[b"SPOP", b"nos", b"2"], b"*0\x0d\x0a"),
    (&[b"SPOP", b"t", b"-1"], b"-ERR value is out of range, must be positive\x0d\x0a"),
    (&[b"SPOP", b"t", b"x"], b"-ERR value is out of range, must be positive\x0d\x0a"),
    (&[b"SPOP", b"t", b"0"], b"*0\x0d\x0a"),
    (&[b"SRANDMEMBER", b"nos"], b"$-1\x0d\x0a"),
    (&[b"SRANDMEMBER", b"nos", b"3"], b"*0\x0d\x0a"),
    (&[b"SRANDMEMBER", b"t", b"x"], b"-ERR value is not an integer or out of range\x0d\x0a"),
    (&[b"SRANDMEMBER", b"t", b"0"], b"*0\x0d\x0a"),
    (&[b"SADD", b"one", b"only"], b":1\x0d\x0a"),
    (&[b"SPOP", b"one"], b"$4\x0d\x0aonly\x0d\x0a"),
    (&[b"EXISTS", b"one"], b":0\x0d\x0a"),
    (&[b"SADD", b"one", b"only"], b":1\x0d\x0a"),
    (&[b"SRANDMEMBER", b"one"], b"$4\x0d\x0aonly\x0d\x0a"),
    (&[b"SRANDMEMBER", b"one", b"3"], b"*1\x0d\x0a$4\x0d\x0aonly\x0d\x0a"),
    (&[b"SRANDMEMBER", b"one", b"-3"], b"*3\x0d\x0a$4\x0d\x0aonly\x0d\x0a$4\x0d\x0aonly\x0d\x0a$4\x0d\x0aonly\x0d\x0a"),
    (&[b"SPOP", b"one", b"5"], b"*1\x0d\x0a$4\x0d\x0aonly\x0d\x0a"),
    (&[b"EXISTS", b"one"], b":0\x0d\x0a"),
    (&[b"SADD", b"sc", b"1", b"2", b"3"], b":3\x0d\x0a"),
    (&[b"SSCAN", b"sc", b"0"], b"*2\x0d\x0a$1\x0d\x0a0\x0d\x0a*3\x0d\x0a$1\x0d\x0a1\x0d\x0a$1\x0d\x0a2\x0d\x0a$1\x0d\x0a3\x0d\x0a"),
    (&[b"SSCAN", b"sc", b"0", b"MATCH", b"2*"], b"*2\x0d\x0a$1\x0d\x0a0\x0d\x0a*1\x0d\x0a$1\x0d\x0a2\x0d\x0a"),
    (&[b"SSCAN", b"nos", b"0"], b"*2\x0d\x0a$1\x0d\x0a0\x0d\x0a*0\x0d\x0a"),
    (&[b"SSCAN", b"sc", b"x"], b"-ERR invalid cursor\x0d\x0a"),
    (&[b"SSCAN", b"sc", b"0", b"COUNT", b"0"], b"-ERR syntax error\x0d\x0a"),
    (&[b"SSCAN", b"sc", b"0", b"FOO", b"1"], b"-ERR syntax error\x0d\x0a"),
    (&[b"CONFIG", b"SET", b"set-max-intset-entries", b"2"], b"+OK\x0d\x0a"),
    (&[b"SADD", b"lim", b"1", b"2"], b":2\x0d\x0a"),
    (&[b"OBJECT", b"ENCODING", b"lim"], b"$6\x0d\x0aintset\x0d\x0a"),
    (&[b"SADD", b"lim", b"3"], b":1\x0d\x0a"),
    (&[b"OBJECT", b"ENCODING", b"lim"], b"$9\x0d\x0ahashtable\x0d\x0a"),
    (&[b"CONFIG", b"GET", b"set-max-intset-entries"], b"*2\x0d\x0a$22\x0d\x0aset-max-intset-entries\x0d\x0a$1\x0d\x0a2\x0d\x0a"),
    (&[b"CONFIG", b"SET", b"set-max-intset-entries", b"512"], b"+OK\x0d\x0a"),
    (&[b"SADD", b"bin", b"a\x00b", b"\xff"], b":2\x0d\x0a"),
    (&[b"SISMEMBER", b"bin", b"a\x00b"], b":1\x0d\x0a"),
    (&[b"SADD", b"zs", b"1"], b":1\x0d\x0a"),
    (&[b"ZADD", b"zz", b"5", b"x"], b":1\x0d\x0a"),
    (&[b"ZUNIONSTORE", b"zout", b"2", b"zs", b"zz"], b":2\x0d\x0a"),
    (&[b"ZRANGE", b"zout", b"0", b"-1", b"WITHSCORES"], b"*4\x0d\x0a$1\x0d\x0a1\x0d\x0a$1\x0d\x0a1\x0d\x0a$1\x0d\x0ax\x0d\x0a$1\x0d\x0a5\x0d\x0a"),
    (&[b"MULTI"], b"+OK\x0d\x0a"),
    (&[b"SADD", b"tx", b"1"], b"+QUEUED\x0d\x0a"),
    (&[b"SCARD", b"tx"], b"+QUEUED\x0d\x0a"),
    (&[b"EXEC"], b"*2\x0d\x0a:1\x0d\x0a:1\x0d\x0a"),
];

#[test]
fn set_replies_match_redis() {
    run_cases(CASES);
}

/// The bulk strings of a flat array reply.
fn bulks(reply: &[u8]) -> Vec<Vec<u8>> {
    let text = String::from_utf8_lossy(reply).into_owned();
    let mut out = Vec::new();
    let mut lines = text.split("\r\n");
    lines.next();
    while let Some(l) = lines.next() {
        if l.starts_with('$') {
            out.push(lines.next().unwrap_or_default().as_bytes().to_vec());
        }
    }
    out
}

#[test]
fn random_picks_have_the_documented_shapes() {
    let srv = start_server();
    let mut c = srv.connect();
    let members: Vec<String> = (0..20).map(|i| format!("m{i}")).collect();
    let mut sadd: Vec<&[u8]> = vec![b"SADD", b"k"];
    sadd.extend(members.iter().map(|m| m.as_bytes()));
    assert_eq!(c.cmd(&sadd), b":20\r\n".to_vec());
    let all: BTreeSet<Vec<u8>> = members.iter().map(|m| m.as_bytes().to_vec()).collect();
    // distinct members for a positive count, capped at the set's size
    let r = bulks(&c.cmd(&[b"SRANDMEMBER", b"k", b"7"]));
    assert_eq!(r.len(), 7);
    assert_eq!(r.iter().collect::<BTreeSet<_>>().len(), 7);
    assert!(r.iter().all(|m| all.contains(m)));
    assert_eq!(bulks(&c.cmd(&[b"SRANDMEMBER", b"k", b"50"])).len(), 20);
    // a negative count may repeat and gives exactly |count|
    let r = bulks(&c.cmd(&[b"SRANDMEMBER", b"k", b"-50"]));
    assert_eq!(r.len(), 50);
    assert!(r.iter().all(|m| all.contains(m)));
    // SPOP removes what it returns
    let popped = bulks(&c.cmd(&[b"SPOP", b"k", b"5"]));
    assert_eq!(popped.len(), 5);
    assert_eq!(c.cmd(&[b"SCARD", b"k"]), b":15\r\n".to_vec());
    for m in &popped {
        assert!(all.contains(m));
        assert_eq!(c.cmd(&[b"SISMEMBER", b"k", m]), b":0\r\n".to_vec());
    }
    assert_eq!(bulks(&c.cmd(&[b"SPOP", b"k", b"100"])).len(), 15);
    assert_eq!(c.cmd(&[b"EXISTS", b"k"]), b":0\r\n".to_vec());
}

#[test]
fn random_set_operations_match_a_btreeset_model() {
    let srv = start_server();
    let mut c = srv.connect();
    let mut model = BTreeSet::new();
    let mut x = 5u64;
    for step in 0..3000 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let r = x >> 33;
        // ints keep the intset encoding until a string arrives
        let m = if r.is_multiple_of(5) {
            format!("s{}", r % 40)
        } else {
            (r % 600).to_string()
        };
        match r % 4 {
            0 | 1 => {
                let want = format!(":{}\r\n", model.insert(m.clone()) as i64);
                assert_eq!(
                    c.cmd(&[b"SADD", b"k", m.as_bytes()]).as_slice(),
                    want.as_bytes(),
                    "step {step}"
                );
            }
            2 => {
                let want = format!(":{}\r\n", model.remove(&m) as i64);
                assert_eq!(
                    c.cmd(&[b"SREM", b"k", m.as_bytes()]).as_slice(),
                    want.as_bytes(),
                    "step {step}"
                );
            }
            _ => {
                let want = format!(":{}\r\n", model.contains(&m) as i64);
                assert_eq!(
                    c.cmd(&[b"SISMEMBER", b"k", m.as_bytes()]).as_slice(),
                    want.as_bytes(),
                    "step {step}"
                );
            }
        }
    }
    let mut got = bulks(&c.cmd(&[b"SMEMBERS", b"k"]));
    got.sort();
    let want: Vec<Vec<u8>> = model.iter().map(|m| m.as_bytes().to_vec()).collect();
    assert_eq!(got, want);
}

/// The SSCAN guarantee on a hashtable-encoded set: a member present for the whole
/// scan is returned at least once, while other members are added (enough to grow
/// the table) and removed (enough to shrink it) between calls.
#[test]
fn sscan_returns_every_surviving_member_under_writes() {
    let srv = start_server();
    let mut c = srv.connect();
    let mut live: Vec<String> = (0..2000).map(|i| format!("m{i}")).collect();
    for chunk in live.chunks(500) {
        let mut sadd: Vec<&[u8]> = vec![b"SADD", b"s"];
        sadd.extend(chunk.iter().map(|m| m.as_bytes()));
        assert_eq!(c.cmd(&sadd), b":500\r\n".to_vec());
    }
    assert_eq!(
        c.cmd(&[b"OBJECT", b"ENCODING", b"s"]),
        b"$9\r\nhashtable\r\n".to_vec()
    );
    let mut removed: BTreeSet<String> = BTreeSet::new();
    let mut seen: BTreeSet<Vec<u8>> = BTreeSet::new();
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut cursor = b"0".to_vec();
    for step in 0.. {
        let mut items = bulks(&c.cmd(&[b"SSCAN", b"s", &cursor, b"COUNT", b"10"]));
        cursor = items.remove(0);
        seen.extend(items);
        if cursor == b"0" {
            break;
        }
        if step < 25 {
            // grow past 2048 buckets
            for j in 0..60 {
                let m = format!("n{step}:{j}");
                assert_eq!(c.cmd(&[b"SADD", b"s", m.as_bytes()]), b":1\r\n".to_vec());
                live.push(m);
            }
        } else if live.len() > 100 {
            // then shrink well under 1/8 full
            for _ in 0..(live.len() - 100).min(200) {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                let m = live.swap_remove((rng % live.len() as u64) as usize);
                assert_eq!(c.cmd(&[b"SREM", b"s", m.as_bytes()]), b":1\r\n".to_vec());
                removed.insert(m);
            }
        }
    }
    for i in 0..2000 {
        let m = format!("m{i}");
        if !removed.contains(&m) {
            assert!(seen.contains(m.as_bytes()), "{m} was never returned");
        }
    }
    assert!(live.len() <= 100, "the scan ended before the shrink phase");
}
