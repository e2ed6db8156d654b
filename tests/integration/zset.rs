//! Sorted-set commands over TCP: replies compared byte for byte with what
//! redis-server 7.0.15 answered to the same requests (recorded in
//! `tests/transcripts/`), the listpack -> skiplist conversion, ZSCAN's guarantee,
//! keyspace events, and a randomized test against a model kept in the test.
use super::support::{multibulk, start_server, Conn};
use super::transcript::run_transcript;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The recorded sessions of this file (see `transcript.rs` for the format).
const TRANSCRIPT: &str = include_str!("../transcripts/zset.txt");

#[test]
fn replies_match_redis_basic() {
    run_transcript(TRANSCRIPT, "replies_match_redis_basic");
}

#[test]
fn replies_match_redis_ops() {
    run_transcript(TRANSCRIPT, "replies_match_redis_ops");
}

#[test]
fn replies_match_redis_encodings() {
    run_transcript(TRANSCRIPT, "replies_match_redis_encodings");
}

/// Splits a reply that is an array of bulk strings (or one bulk / integer) into
/// its items; nested arrays are flattened.
fn items(reply: &[u8]) -> Vec<Vec<u8>> {
    fn walk(b: &[u8], pos: &mut usize, out: &mut Vec<Vec<u8>>) {
        let end = *pos + b[*pos..].windows(2).position(|w| w == b"\r\n").unwrap();
        let head = std::str::from_utf8(&b[*pos + 1..end]).unwrap();
        let kind = b[*pos];
        *pos = end + 2;
        match kind {
            b'*' => {
                for _ in 0..head.parse::<i64>().unwrap().max(0) {
                    walk(b, pos, out);
                }
            }
            b'$' => {
                let n: i64 = head.parse().unwrap();
                if n >= 0 {
                    out.push(b[*pos..*pos + n as usize].to_vec());
                    *pos += n as usize + 2;
                }
            }
            _ => out.push(head.as_bytes().to_vec()),
        }
    }
    let mut out = Vec::new();
    walk(reply, &mut 0, &mut out);
    out
}

fn cmd(c: &mut Conn, args: &[&[u8]]) -> Vec<u8> {
    c.cmd(args)
}

/// How Redis prints the scores this test uses (integers and halves).
fn fmt_score(s: f64) -> Vec<u8> {
    if s.fract() == 0.0 {
        format!("{}", s as i64).into_bytes()
    } else {
        format!("{s}").into_bytes()
    }
}

/// The model: member -> score, sorted on demand by (score, member).
fn sorted(model: &HashMap<Vec<u8>, f64>) -> Vec<(Vec<u8>, f64)> {
    let mut v: Vec<(Vec<u8>, f64)> = model.iter().map(|(m, s)| (m.clone(), *s)).collect();
    v.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap().then_with(|| a.0.cmp(&b.0)));
    v
}

/// A few thousand random commands on one key, each reply checked against the
/// model. The member space (300) is larger than the listpack limit, so the key
/// crosses into the skiplist encoding and back through deletion of the key.
#[test]
fn random_operations_match_a_model() {
    let srv = start_server();
    let mut c = srv.connect();
    let mut model: HashMap<Vec<u8>, f64> = HashMap::new();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut rnd = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let mut saw_skiplist = false;
    for step in 0..4000 {
        let m = format!("m{:03}", rnd(300)).into_bytes();
        let s = (rnd(41) as f64 - 20.0) / 2.0;
        let sb = fmt_score(s);
        // Even phases of 500 steps mostly grow the set (past the listpack limit),
        // odd ones let range removals and pops shrink it.
        let mut op = rnd(12);
        if matches!(op, 5 | 9 | 10) && (step / 500) % 2 == 0 && rnd(8) != 0 {
            op = 0;
        }
        match op {
            0..=3 => {
                let got = cmd(&mut c, &[b"ZADD", b"k", &sb, &m]);
                let new = model.insert(m.clone(), s).is_none();
                assert_eq!(got, format!(":{}\r\n", u8::from(new)).into_bytes());
            }
            4 => {
                let got = cmd(&mut c, &[b"ZINCRBY", b"k", &sb, &m]);
                let v = model.entry(m.clone()).or_insert(0.0);
                *v += s;
                assert_eq!(items(&got), vec![fmt_score(*v)]);
            }
            5 => {
                let got = cmd(&mut c, &[b"ZREM", b"k", &m]);
                let was = model.remove(&m).is_some();
                assert_eq!(got, format!(":{}\r\n", u8::from(was)).into_bytes());
            }
            6 => {
                let (a, b) = (rnd(40) as i64 - 20, rnd(40) as i64 - 20);
                let (ab, bb) = (a.to_string(), b.to_string());
                let got = items(&cmd(
                    &mut c,
                    &[b"ZRANGE", b"k", ab.as_bytes(), bb.as_bytes(), b"WITHSCORES"],
                ));
                let all = sorted(&model);
                let len = all.len() as i64;
                let (mut lo, mut hi) = (
                    if a < 0 { a + len } else { a },
                    if b < 0 { b + len } else { b },
                );
                lo = lo.max(0);
                hi = hi.min(len - 1);
                let mut want = Vec::new();
                if lo <= hi {
                    for (m, s) in &all[lo as usize..=hi as usize] {
                        want.push(m.clone());
                        want.push(fmt_score(*s));
                    }
                }
                assert_eq!(got, want, "step {step} ZRANGE {a} {b}");
            }
            7 => {
                let (a, b) = ((rnd(41) as f64 - 20.0) / 2.0, (rnd(41) as f64 - 20.0) / 2.0);
                let (ax, bx) = (rnd(2) == 0, rnd(2) == 0);
                let bound = |v: f64, ex: bool| {
                    let mut t = if ex { b"(".to_vec() } else { Vec::new() };
                    t.extend(fmt_score(v));
                    t
                };
                let (ab, bb) = (bound(a, ax), bound(b, bx));
                let rev = rnd(2) == 0;
                let got = if rev {
                    items(&cmd(&mut c, &[b"ZREVRANGEBYSCORE", b"k", &bb, &ab]))
                } else {
                    items(&cmd(&mut c, &[b"ZRANGEBYSCORE", b"k", &ab, &bb]))
                };
                let mut want: Vec<Vec<u8>> = sorted(&model)
                    .into_iter()
                    .filter(|(_, s)| {
                        (if ax { *s > a } else { *s >= a }) && (if bx { *s < b } else { *s <= b })
                    })
                    .map(|(m, _)| m)
                    .collect();
                if rev {
                    want.reverse();
                }
                assert_eq!(got, want, "step {step}");
                let count = cmd(&mut c, &[b"ZCOUNT", b"k", &ab, &bb]);
                assert_eq!(count, format!(":{}\r\n", want.len()).into_bytes());
            }
            8 => {
                let got = cmd(&mut c, &[b"ZRANK", b"k", &m]);
                let want = match sorted(&model).iter().position(|(x, _)| *x == m) {
                    Some(r) => format!(":{r}\r\n").into_bytes(),
                    None => b"$-1\r\n".to_vec(),
                };
                assert_eq!(got, want);
                let got = cmd(&mut c, &[b"ZSCORE", b"k", &m]);
                let want: Vec<Vec<u8>> = model.get(&m).map(|s| fmt_score(*s)).into_iter().collect();
                assert_eq!(items(&got), want);
            }
            9 => {
                let (a, b) = (rnd(10) as i64 - 3, rnd(10) as i64 - 3);
                let (ab, bb) = (a.to_string(), b.to_string());
                let got = cmd(
                    &mut c,
                    &[b"ZREMRANGEBYRANK", b"k", ab.as_bytes(), bb.as_bytes()],
                );
                let all = sorted(&model);
                let len = all.len() as i64;
                let (mut lo, mut hi) = (
                    if a < 0 { a + len } else { a },
                    if b < 0 { b + len } else { b },
                );
                lo = lo.max(0);
                hi = hi.min(len - 1);
                let mut n = 0;
                if lo <= hi {
                    for (m, _) in &all[lo as usize..=hi as usize] {
                        model.remove(m);
                        n += 1;
                    }
                }
                assert_eq!(got, format!(":{n}\r\n").into_bytes());
            }
            10 => {
                let max = rnd(2) == 0;
                let n = rnd(3) + 1;
                let nb = n.to_string();
                let name: &[u8] = if max { b"ZPOPMAX" } else { b"ZPOPMIN" };
                let got = items(&cmd(&mut c, &[name, b"k", nb.as_bytes()]));
                let mut all = sorted(&model);
                if max {
                    all.reverse();
                }
                let mut want = Vec::new();
                for (m, s) in all.into_iter().take(n as usize) {
                    model.remove(&m);
                    want.push(m);
                    want.push(fmt_score(s));
                }
                assert_eq!(got, want);
            }
            _ => {
                let got = cmd(&mut c, &[b"ZCARD", b"k"]);
                assert_eq!(got, format!(":{}\r\n", model.len()).into_bytes());
                let enc = items(&cmd(&mut c, &[b"OBJECT", b"ENCODING", b"k"]));
                if model.len() > 128 {
                    assert_eq!(enc, vec![b"skiplist".to_vec()]);
                    saw_skiplist = true;
                }
            }
        }
        let exists = cmd(&mut c, &[b"EXISTS", b"k"]);
        assert_eq!(
            exists,
            format!(":{}\r\n", u8::from(!model.is_empty())).into_bytes()
        );
    }
    assert!(
        saw_skiplist,
        "the test never grew the set past the listpack limit"
    );
}

/// Lex ranges against a model on a set whose scores are all equal, with binary
/// members.
#[test]
fn random_lex_ranges_match_a_model() {
    let srv = start_server();
    let mut c = srv.connect();
    let mut members: Vec<Vec<u8>> = Vec::new();
    let mut seed = 77u64;
    let mut rnd = move |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    for _ in 0..200 {
        let len = rnd(4) as usize;
        let m: Vec<u8> = (0..len)
            .map(|_| [0u8, b'a', b'b', 0xff][rnd(4) as usize])
            .collect();
        cmd(&mut c, &[b"ZADD", b"lex", b"0", &m]);
        members.push(m);
    }
    let set: BTreeMap<Vec<u8>, ()> = members.into_iter().map(|m| (m, ())).collect();
    let pick = |r: u64, m: &[u8]| -> Vec<u8> {
        match r {
            0 => b"-".to_vec(),
            1 => b"+".to_vec(),
            2 => [b"(".as_slice(), m].concat(),
            _ => [b"[".as_slice(), m].concat(),
        }
    };
    let inside = |b: &[u8], m: &[u8], low: bool| -> bool {
        match b[0] {
            b'-' => low,
            b'+' => !low,
            b'(' => {
                if low {
                    m > &b[1..]
                } else {
                    m < &b[1..]
                }
            }
            _ => {
                if low {
                    m >= &b[1..]
                } else {
                    m <= &b[1..]
                }
            }
        }
    };
    let keys: Vec<Vec<u8>> = set.keys().cloned().collect();
    for _ in 0..500 {
        let a = pick(rnd(5), &keys[rnd(keys.len() as u64) as usize]);
        let b = pick(rnd(5), &keys[rnd(keys.len() as u64) as usize]);
        let want: Vec<Vec<u8>> = keys
            .iter()
            .filter(|m| inside(&a, m, true) && inside(&b, m, false))
            .cloned()
            .collect();
        assert_eq!(items(&cmd(&mut c, &[b"ZRANGEBYLEX", b"lex", &a, &b])), want);
        let mut rev = want.clone();
        rev.reverse();
        assert_eq!(
            items(&cmd(&mut c, &[b"ZREVRANGEBYLEX", b"lex", &b, &a])),
            rev
        );
        assert_eq!(
            cmd(&mut c, &[b"ZLEXCOUNT", b"lex", &a, &b]),
            format!(":{}\r\n", want.len()).into_bytes()
        );
    }
}

#[test]
fn converts_to_skiplist_past_the_limits() {
    let srv = start_server();
    let mut c = srv.connect();
    for i in 0..128 {
        let m = format!("m{i}");
        cmd(&mut c, &[b"ZADD", b"z", b"1", m.as_bytes()]);
    }
    assert_eq!(c.q("OBJECT ENCODING z"), "$8\r\nlistpack\r\n");
    assert_eq!(c.q("ZADD z 1 m0"), ":0\r\n");
    assert_eq!(c.q("OBJECT ENCODING z"), "$8\r\nlistpack\r\n");
    assert_eq!(c.q("ZADD z 2 one-more"), ":1\r\n");
    assert_eq!(c.q("OBJECT ENCODING z"), "$8\r\nskiplist\r\n");
    // Removing members does not convert back.
    assert_eq!(c.q("ZREMRANGEBYRANK z 0 100"), ":101\r\n");
    assert_eq!(c.q("OBJECT ENCODING z"), "$8\r\nskiplist\r\n");
    assert_eq!(
        c.q("ZRANGE z -1 -1 WITHSCORES"),
        "*2\r\n$8\r\none-more\r\n$1\r\n2\r\n"
    );
    let long = "x".repeat(65);
    assert_eq!(c.q(&format!("ZADD w 1 {long}")), ":1\r\n");
    assert_eq!(c.q("OBJECT ENCODING w"), "$8\r\nskiplist\r\n");
    assert_eq!(c.q("ZADD w2 1 a"), ":1\r\n");
    assert_eq!(c.q(&format!("ZADD w2 1 {long}")), ":1\r\n");
    assert_eq!(c.q("OBJECT ENCODING w2"), "$8\r\nskiplist\r\n");
}

/// A full ZSCAN of a skiplist set returns every member present for the whole scan
/// exactly once, even while other members come and go and scores change.
#[test]
fn zscan_keeps_its_guarantee_under_writes() {
    let srv = start_server();
    let mut c = srv.connect();
    let mut w = srv.connect();
    for i in 0..1000 {
        let m = format!("keep{i}");
        let s = i.to_string();
        cmd(&mut c, &[b"ZADD", b"z", s.as_bytes(), m.as_bytes()]);
    }
    let mut seen: Vec<Vec<u8>> = Vec::new();
    let mut cursor = b"0".to_vec();
    let mut round = 0;
    loop {
        let r = items(&cmd(&mut c, &[b"ZSCAN", b"z", &cursor, b"COUNT", b"37"]));
        for pair in r[1..].chunks(2) {
            seen.push(pair[0].clone());
        }
        // Writes between calls: new members, removed transient members, moved scores.
        let t = format!("temp{round}");
        cmd(&mut w, &[b"ZADD", b"z", b"-5", t.as_bytes()]);
        if round % 2 == 1 {
            let old = format!("temp{}", round - 1);
            cmd(&mut w, &[b"ZREM", b"z", old.as_bytes()]);
        }
        let mv = format!("keep{}", (round * 7) % 1000);
        cmd(&mut w, &[b"ZINCRBY", b"z", b"5000", mv.as_bytes()]);
        round += 1;
        cursor = r[0].clone();
        if cursor == b"0" {
            break;
        }
        assert!(round < 1000, "scan does not end");
    }
    let keep: Vec<&Vec<u8>> = seen.iter().filter(|m| m.starts_with(b"keep")).collect();
    let distinct: HashSet<&Vec<u8>> = keep.iter().copied().collect();
    assert_eq!(keep.len(), 1000, "each kept member exactly once");
    assert_eq!(distinct.len(), 1000);
}

#[test]
fn zrandmember_picks_members() {
    let srv = start_server();
    let mut c = srv.connect();
    for i in 0..200 {
        let m = format!("m{i}");
        let s = i.to_string();
        cmd(&mut c, &[b"ZADD", b"z", s.as_bytes(), m.as_bytes()]);
    }
    for n in [1usize, 5, 60, 150, 199] {
        let ns = n.to_string();
        let got = items(&cmd(
            &mut c,
            &[b"ZRANDMEMBER", b"z", ns.as_bytes(), b"WITHSCORES"],
        ));
        assert_eq!(got.len(), n * 2);
        let distinct: HashSet<&Vec<u8>> = got.iter().step_by(2).collect();
        assert_eq!(distinct.len(), n, "distinct picks");
        for p in got.chunks(2) {
            assert_eq!(&p[0][1..], &p[1][..], "score of {:?}", p[0]);
        }
    }
    let got = items(&cmd(&mut c, &[b"ZRANDMEMBER", b"z", b"-500"]));
    assert_eq!(got.len(), 500);
    assert!(got.iter().all(|m| m[0] == b'm'));
    let one = items(&cmd(&mut c, &[b"ZRANDMEMBER", b"z"]));
    assert_eq!(one.len(), 1);
}

#[test]
fn keyspace_events_are_redis_events() {
    let srv = start_server();
    let mut s = srv.connect();
    let mut c = srv.connect();
    assert_eq!(c.q("CONFIG SET notify-keyspace-events KEA"), "+OK\r\n");
    s.send(&multibulk(&[b"PSUBSCRIBE", b"__keyevent*"]));
    s.read_reply();
    for line in [
        "ZADD z 1 a 2 b 3 c",
        "ZADD z 1 a",
        "ZADD z NX 5 a",
        "ZINCRBY z 1 a",
        "ZREM z nope",
        "ZREM z a",
        "ZREMRANGEBYRANK z 0 0",
        "ZADD z 4 d",
        "ZREMRANGEBYSCORE z 3 3",
        "ZREMRANGEBYLEX z - +",
        "ZADD z 1 a 2 b",
        "ZPOPMIN z",
        "ZPOPMAX z 5",
        "ZADD z 1 a",
        "ZUNIONSTORE d 1 z",
        "ZINTERSTORE d 1 z",
        "ZDIFFSTORE d 1 z",
        "ZRANGESTORE d z 0 -1",
        "ZRANGESTORE d z 5 6",
        "ZMPOP 1 z MAX",
    ] {
        c.q(line);
    }
    // Recorded from redis-server 7.0.15 (event, key).
    let want = [
        ("zadd", "z"),
        ("zincr", "z"),
        ("zrem", "z"),
        ("zremrangebyrank", "z"),
        ("zadd", "z"),
        ("zremrangebyscore", "z"),
        ("zremrangebylex", "z"),
        ("del", "z"),
        ("zadd", "z"),
        ("zpopmin", "z"),
        ("zpopmax", "z"),
        ("del", "z"),
        ("zadd", "z"),
        ("zunionstore", "d"),
        ("zinterstore", "d"),
        ("zdiffstore", "d"),
        ("zrangestore", "d"),
        ("del", "d"),
        ("zpopmax", "z"),
        ("del", "z"),
    ];
    for (ev, key) in want {
        let got = items(&s.read_reply());
        assert_eq!(
            got,
            vec![
                b"pmessage".to_vec(),
                b"__keyevent*".to_vec(),
                format!("__keyevent@0__:{ev}").into_bytes(),
                key.as_bytes().to_vec()
            ]
        );
    }
}
