//! Set commands over TCP: replies compared byte for byte with what redis-server
//! 7.0.15 answered (recorded in `tests/transcripts/`, in order, on one connection
//! of a fresh server; members of hashtable-encoded sets are sorted by a script,
//! since their order is the table's), plus random-pick properties and a randomized
//! test against a `BTreeSet` model.
use super::support::{bulks, start_server};
use super::transcript::run_transcript;
use std::collections::BTreeSet;

/// The recorded sessions of this file (see `transcript.rs` for the format).
const TRANSCRIPT: &str = include_str!("../transcripts/set.txt");

#[test]
fn sintercard_reads_options_left_to_right() {
    run_transcript(TRANSCRIPT, "sintercard_reads_options_left_to_right");
}

#[test]
fn set_replies_match_redis() {
    run_transcript(TRANSCRIPT, "set_replies_match_redis");
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

/// SMOVE of a member the destination already has leaves the destination
/// untouched: a transaction WATCHing it still runs (redis-server 7.0.15 answers
/// EXEC with the queued SADD's 1, and SCARD 2 after).
#[test]
fn smove_to_a_set_holding_the_member_does_not_touch_it() {
    let srv = start_server();
    let mut a = srv.connect();
    let mut b = srv.connect();
    a.q("sadd src{t} a b");
    a.q("sadd dst{t} a");
    assert_eq!(a.q("watch dst{t}"), "+OK\r\n");
    assert_eq!(a.q("multi"), "+OK\r\n");
    assert_eq!(a.q("sadd dst{t} c"), "+QUEUED\r\n");
    assert_eq!(b.q("smove src{t} dst{t} a"), ":1\r\n");
    assert_eq!(a.q("exec"), "*1\r\n:1\r\n");
    assert_eq!(a.q("scard dst{t}"), ":2\r\n");
    assert_eq!(a.q("smembers src{t}"), "*1\r\n$1\r\nb\r\n");
}
