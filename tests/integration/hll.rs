//! HyperLogLog commands over TCP: replies compared byte for byte with what
//! redis-server 7.0.15 answered (recorded below), sketches recorded from it
//! (`tests/data/hll-*.hex`) that Ferrous must build to the byte and count the
//! same, and, when redis-server is installed, sketches carried both ways
//! between a live redis-server and Ferrous.
use super::support::{event_listener, expect_events, start_server, Conn};
use super::transcript::run_transcript;

const TRANSCRIPT: &str = include_str!("../transcripts/hll.txt");

#[test]
fn replies_match_redis() {
    run_transcript(TRANSCRIPT, "hll_replies_match_redis");
}

#[test]
fn pfcount_may_replicate() {
    run_transcript(TRANSCRIPT, "pfcount_may_replicate");
}

fn hex(s: &str) -> Vec<u8> {
    let s = s.trim();
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

fn bulk_of(reply: &[u8]) -> Vec<u8> {
    let at = reply.windows(2).position(|w| w == b"\r\n").expect("header") + 2;
    reply[at..reply.len() - 2].to_vec()
}

/// PFADDs `e<from>` .. `e<to-1>`, a hundred per request.
fn add_elements(c: &mut Conn, key: &str, from: usize, to: usize) {
    for start in (from..to).step_by(100) {
        let names: Vec<String> = (start..to.min(start + 100))
            .map(|j| format!("e{j}"))
            .collect();
        let mut args: Vec<&[u8]> = vec![b"PFADD", key.as_bytes()];
        args.extend(names.iter().map(|n| n.as_bytes()));
        c.cmd(&args);
    }
}

/// redis-server 7.0.15 built these from `e0`..`e199` (sparse, count 200) and
/// `e0`..`e9999` (dense, count 9973); Ferrous must build the same bytes and
/// count a copy SET from them the same.
#[test]
fn sketches_are_redis_sketches_to_the_byte() {
    let srv = start_server();
    let mut c = srv.connect();
    for (file, n, count) in [
        (include_str!("../data/hll-sparse-200.hex"), 200, 200),
        (include_str!("../data/hll-dense-10000.hex"), 10000, 9973),
    ] {
        let theirs = hex(file);
        c.q("DEL ours");
        add_elements(&mut c, "ours", 0, n);
        assert_eq!(bulk_of(&c.cmd(&[b"GET", b"ours"])), theirs, "{n} elements");
        c.cmd(&[b"SET", b"theirs", &theirs]);
        assert_eq!(c.q("PFCOUNT theirs"), format!(":{count}\r\n"));
        assert_eq!(c.q("PFCOUNT ours"), format!(":{count}\r\n"));
        assert_eq!(c.q("PFCOUNT ours theirs"), format!(":{count}\r\n"));
    }
}

/// Where a redis-server binary is installed, carries sketches both ways: each
/// side's GET, SET into the other, counts the same; both then PFADD the same
/// elements and their bytes stay equal.
#[test]
fn sketches_travel_between_redis_and_ferrous() {
    let Some(reference) = super::support::start_reference() else {
        eprintln!("redis-server not installed: skipped");
        return;
    };
    let srv = start_server();
    let mut ours = srv.connect();
    let mut theirs = reference.connect();
    for (n, key) in [(50, "small"), (1500, "mid"), (20000, "big")] {
        add_elements(&mut ours, key, 0, n);
        add_elements(&mut theirs, key, 0, n);
        let a = bulk_of(&ours.cmd(&[b"GET", key.as_bytes()]));
        let b = bulk_of(&theirs.cmd(&[b"GET", key.as_bytes()]));
        assert_eq!(a, b, "{key}");
        ours.cmd(&[b"SET", b"copy", &b]);
        theirs.cmd(&[b"SET", b"copy", &a]);
        let count = theirs.q(&format!("PFCOUNT {key}"));
        assert_eq!(ours.q("PFCOUNT copy"), count);
        assert_eq!(theirs.q("PFCOUNT copy"), count);
        add_elements(&mut ours, "copy", n, n + 300);
        add_elements(&mut theirs, "copy", n, n + 300);
        assert_eq!(ours.q("PFCOUNT copy"), theirs.q("PFCOUNT copy"));
        assert_eq!(ours.cmd(&[b"GET", b"copy"]), theirs.cmd(&[b"GET", b"copy"]));
        assert_eq!(
            ours.q("PFCOUNT copy small mid"),
            theirs.q("PFCOUNT copy small mid")
        );
        ours.q("PFMERGE m copy small");
        theirs.q("PFMERGE m copy small");
        assert_eq!(ours.cmd(&[b"GET", b"m"]), theirs.cmd(&[b"GET", b"m"]));
    }
}

#[test]
fn events_as_redis_fires_them() {
    let srv = start_server();
    let (mut c, mut s) = event_listener(&srv);
    for line in [
        "PFADD h",
        "PFADD h",
        "PFADD h a",
        "PFADD h a",
        "PFCOUNT h",
        "PFMERGE h",
        "PFMERGE d h",
        "PFDEBUG TODENSE d",
        "SET marker x",
    ] {
        c.q(line);
    }
    // Recorded from redis-server 7.0.15.
    expect_events(
        &mut s,
        &[
            ("pfadd", "h"),
            ("pfadd", "h"),
            ("pfadd", "h"),
            ("pfadd", "d"),
            ("set", "marker"),
        ],
    );
}

/// Where redis-server is installed: sketches corrupted at random bytes get
/// the same replies (count, INVALIDOBJ, WRONGTYPE) and the same bytes after a
/// PFADD on both servers.
#[test]
fn corrupted_sketches_behave_as_in_redis() {
    let Some(reference) = super::support::start_reference() else {
        eprintln!("redis-server not installed: skipped");
        return;
    };
    let srv = start_server();
    let mut ours = srv.connect();
    let mut theirs = reference.connect();
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    for round in 0..400 {
        let n = (next() % 400) as usize;
        theirs.q("DEL h");
        theirs.q("PFADD h");
        add_elements(&mut theirs, "h", round * 1000, round * 1000 + n);
        let mut v = bulk_of(&theirs.cmd(&[b"GET", b"h"]));
        for _ in 0..1 + next() % 3 {
            let at = (next() as usize) % v.len();
            v[at] = next() as u8;
        }
        for c in [&mut ours, &mut theirs] {
            c.cmd(&[b"SET", b"h", &v]);
        }
        for cmd in [
            &[&b"PFCOUNT"[..], b"h"][..],
            &[b"PFADD", b"h", b"x", b"y", b"z"],
            &[b"GET", b"h"],
            &[b"PFCOUNT", b"h", b"h"],
            &[b"PFMERGE", b"h2", b"h"],
            &[b"GET", b"h2"],
        ] {
            assert_eq!(ours.cmd(cmd), theirs.cmd(cmd), "round {round}, {v:?}");
        }
    }
}
