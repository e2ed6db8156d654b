//! The differential fuzzer: the same random requests to redis-server 7.0.15 and
//! to Ferrous, replies compared byte for byte.
//!
//! It starts a redis-server child process and an in-process Ferrous, each on a
//! free loopback port, sends both the requests of `differential_gen.rs` (strings,
//! keys, expiry, hashes, lists, sets, sorted sets, SORT, and bad arguments of
//! every kind), one at a time on one connection each, and compares the replies.
//! At the first difference it shrinks the history to a minimal reproducer and
//! prints it as a transcript session (`tests/transcripts/`, see `transcript.rs`)
//! with redis-server's replies, ready to paste into a transcript file, and
//! Ferrous's differing reply as a comment.
//!
//! Runs:
//! - `cargo test` runs `differential_short`: a few thousand requests from fixed
//!   seeds (a couple of seconds). It passes without doing anything when
//!   `redis-server` is not on `PATH` (CI has only Rust).
//! - `cargo test --release --test integration differential_long -- --ignored
//!   --nocapture` runs long: `FERROUS_DIFF_COMMANDS` requests (default 200000)
//!   from seed `FERROUS_DIFF_SEED` (default: the clock), reporting progress.
//! - `FERROUS_RECORD=requests.txt cargo test --release --test integration
//!   record_transcript -- --ignored --nocapture` sends the `>` lines of a file to
//!   a fresh redis-server and prints them as a transcript session with its
//!   replies: how a new recorded session is made.
//!
//! Only what Redis 7.0 leaves undefined is normalised before comparing:
//! - the order of hashtable members: SMEMBERS, SINTER/SUNION/SDIFF, HKEYS, HVALS,
//!   HGETALL (as pairs), KEYS, SORT of a set where ties keep the set's order
//!   (a BY pattern without `*`, or ALPHA with BY; with LIMIT, compared by
//!   length), the elements of SCAN/HSCAN/SSCAN/ZSCAN
//!   replies from cursor 0 (whose cursors are compared only for being 0 or
//!   not; scans are asked with COUNT 1000, which covers the whole small
//!   keyspace); a scan from another cursor (where it points depends on the
//!   hash function) is compared by shape;
//! - random picks: SRANDMEMBER, HRANDFIELD, ZRANDMEMBER and RANDOMKEY are
//!   compared by shape (the kind of reply and its length); SPOP, whose pick
//!   changes the data, is compared the same way and followed by a DEL of its
//!   key on both servers;
//! - lex ranges over a sorted set whose scores differ (undefined in Redis's
//!   documentation) are not sent at all;
//! - clocks: TTL/EXPIRETIME may differ by 1 second and PTTL/PEXPIRETIME by 1000
//!   ms between the two servers;
//! - redis-server's stale `errno`: its SORT tests `errno == ERANGE` without
//!   clearing it first, so any earlier ERANGE (a range end of 1e400...) makes
//!   later numeric SORTs fail there; before each SORT the fuzzer clears it with
//!   a request that resets `errno` and changes nothing (`BLPOP` with a negative
//!   timeout on a key the generator never uses), sent to redis-server only.

use super::differential_gen::{command, Rng};
use super::support::{start_server, Conn, Resp};
use super::transcript::write_exchange;
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A redis-server child process; killed when dropped.
struct RedisServer {
    child: Child,
    port: u16,
    _dir: TempDir,
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl RedisServer {
    /// Starts `redis-server` on a free port, or `None` when it is not installed.
    fn start() -> Option<RedisServer> {
        let version = Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .output()
            .ok()?;
        if !String::from_utf8_lossy(&version.stdout).contains("v=7.0.") {
            eprintln!("differential: redis-server is not 7.0.x; skipped");
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let dir = std::env::temp_dir().join(format!("ferrous-diff-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).ok()?;
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .args(["--loglevel", "warning", "--logfile", ""])
            .arg("--dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let server = RedisServer {
            child,
            port,
            _dir: TempDir(dir),
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(server);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        eprintln!("differential: redis-server did not start; skipped");
        None
    }

    fn connect(&self) -> Conn {
        let s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to redis-server");
        Conn::from_stream(s)
    }
}

/// The two connections under comparison.
struct Pair {
    redis: Conn,
    ferrous: Conn,
    /// The last SORT read a set (whose ties come out in hashtable order).
    sorting_a_set: bool,
}

/// Requests sent to both servers before a run: small encoding limits, so
/// conversions between encodings happen with few elements.
const SETUP: &[&[&str]] = &[
    &["FLUSHALL"],
    &["CONFIG", "SET", "hash-max-listpack-entries", "4"],
    &["CONFIG", "SET", "zset-max-listpack-entries", "4"],
    &["CONFIG", "SET", "set-max-intset-entries", "4"],
    &["CONFIG", "SET", "list-max-listpack-size", "4"],
];

impl Pair {
    fn reset(&mut self) {
        for req in SETUP {
            let args: Vec<Vec<u8>> = req.iter().map(|a| a.as_bytes().to_vec()).collect();
            let (r, f) = self.send(&args);
            assert_eq!(r, f, "setup request {req:?}");
        }
    }

    /// Sends `args` to both; returns (redis-server's reply, Ferrous's reply).
    fn send(&mut self, args: &[Vec<u8>]) -> (Vec<u8>, Vec<u8>) {
        let refs: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
        if is_sort(args) {
            // Clear redis-server's stale errno (see the module header).
            let r = self
                .redis
                .cmd(&[b"BLPOP", b"__ferrous_diff_errno__", b"-1"]);
            assert_eq!(r, b"-ERR timeout is negative\r\n".to_vec());
            self.sorting_a_set =
                args.len() > 1 && self.redis.cmd(&[b"TYPE", &args[1]]) == b"+set\r\n";
        }
        let request = super::support::multibulk(&refs);
        self.redis.send(&request);
        self.ferrous.send(&request);
        let limit = Duration::from_secs(10);
        let r = self.redis.try_read_reply(limit);
        let f = self.ferrous.try_read_reply(limit);
        match (r, f) {
            (Some(r), Some(f)) => (r, f),
            (r, f) => panic!(
                "no reply within {limit:?} to {} (redis-server: {}, Ferrous: {})",
                super::transcript::write_request(args),
                if r.is_some() { "answered" } else { "silent" },
                if f.is_some() { "answered" } else { "silent" },
            ),
        }
    }
}

fn is_sort(args: &[Vec<u8>]) -> bool {
    let name = args[0].to_ascii_uppercase();
    name == b"SORT" || name == b"SORT_RO"
}

/// Whether two replies to `args` count as the same (see the module header).
fn same(args: &[Vec<u8>], redis: &[u8], ferrous: &[u8], sorting_a_set: bool) -> bool {
    if redis == ferrous {
        return true;
    }
    let (Ok(Some((r, _))), Ok(Some((f, _)))) = (Resp::decode(redis), Resp::decode(ferrous)) else {
        return false;
    };
    let name = String::from_utf8_lossy(&args[0]).to_ascii_uppercase();
    match name.as_str() {
        "SMEMBERS" | "SINTER" | "SUNION" | "SDIFF" | "HKEYS" | "HVALS" | "KEYS" => {
            sorted(&r, 1) == sorted(&f, 1)
        }
        "HGETALL" => sorted(&r, 2) == sorted(&f, 2),
        "SORT" | "SORT_RO"
            if sorting_a_set
                && sort_ties_keep_set_order(args)
                && args.iter().any(|a| a.eq_ignore_ascii_case(b"LIMIT")) =>
        {
            // Which elements a LIMIT keeps depends on the set's order too.
            same_shape(&r, &f)
        }
        "SORT" | "SORT_RO" if sorting_a_set && sort_ties_keep_set_order(args) => {
            let gets = args
                .iter()
                .filter(|a| a.eq_ignore_ascii_case(b"GET"))
                .count();
            sorted(&r, gets.max(1)) == sorted(&f, gets.max(1))
        }
        "SCAN" | "SSCAN" | "HSCAN" | "ZSCAN" => {
            let group = if matches!(name.as_str(), "HSCAN" | "ZSCAN") {
                2
            } else {
                1
            };
            let cursor = &args[if name == "SCAN" { 1 } else { 2 }];
            if cursor.iter().all(|&b| b == b'0') {
                scan_same(&r, &f, group)
            } else {
                // Where a later cursor points depends on the hash function.
                r.as_array().map(<[Resp]>::len) == Some(2)
                    && f.as_array().map(<[Resp]>::len) == Some(2)
            }
        }
        "SRANDMEMBER" | "HRANDFIELD" | "ZRANDMEMBER" | "RANDOMKEY" | "SPOP" => same_shape(&r, &f),
        "TTL" | "EXPIRETIME" => close_ints(&r, &f, 1),
        "PTTL" | "PEXPIRETIME" => close_ints(&r, &f, 1000),
        _ => false,
    }
}

/// True when the order SORT gives a set depends on the set's own (hashtable)
/// order: a BY pattern without `*` (no sorting at all; Redis keeps it in force
/// even when a later BY has one), or ALPHA with a BY pattern (equal or missing
/// weights are not ordered further). A numeric SORT breaks ties by the element.
fn sort_ties_keep_set_order(args: &[Vec<u8>]) -> bool {
    let by: Vec<&Vec<u8>> = args
        .windows(2)
        .filter(|w| w[0].eq_ignore_ascii_case(b"BY"))
        .map(|w| &w[1])
        .collect();
    let alpha = args.iter().any(|a| a.eq_ignore_ascii_case(b"ALPHA"));
    by.iter().any(|p| !p.contains(&b'*')) || (alpha && !by.is_empty())
}

/// An array's elements in groups of `group`, sorted (others as they are).
fn sorted(v: &Resp, group: usize) -> Resp {
    match v {
        Resp::Agg(kind, Some(items)) => {
            let mut chunks: Vec<Vec<Resp>> = items.chunks(group).map(<[Resp]>::to_vec).collect();
            chunks.sort_by_key(|c| {
                let mut b = Vec::new();
                c.iter().for_each(|x| x.encode(&mut b));
                b
            });
            Resp::Agg(*kind, Some(chunks.concat()))
        }
        other => other.clone(),
    }
}

/// SCAN-family replies: both cursors 0 or both not, the same elements.
fn scan_same(r: &Resp, f: &Resp, group: usize) -> bool {
    let (Some([rc, re]), Some([fc, fe])) = (r.as_array(), f.as_array()) else {
        return false;
    };
    (rc.as_bulk() == Some(b"0")) == (fc.as_bulk() == Some(b"0"))
        && sorted(re, group) == sorted(fe, group)
}

/// Random picks: the same kind of reply with as many elements.
fn same_shape(r: &Resp, f: &Resp) -> bool {
    match (r, f) {
        (Resp::Agg(a, Some(x)), Resp::Agg(b, Some(y))) => a == b && x.len() == y.len(),
        (Resp::Blob(a, Some(_)), Resp::Blob(b, Some(_))) => a == b,
        _ => r == f,
    }
}

fn close_ints(r: &Resp, f: &Resp, slack: i64) -> bool {
    match (r.as_int(), f.as_int()) {
        (Some(a), Some(b)) => a >= 0 && b >= 0 && (a - b).abs() <= slack,
        _ => false,
    }
}

/// Requests after which the two servers' data may differ for an allowed reason
/// (a random pick that changes data): the key is deleted on both.
fn resync(args: &[Vec<u8>]) -> Option<Vec<Vec<u8>>> {
    let name = args[0].to_ascii_uppercase();
    (name == b"SPOP" && args.len() >= 2).then(|| vec![b"DEL".to_vec(), args[1].clone()])
}

/// What a run found: the history up to the first difference.
struct Found {
    history: Vec<Vec<Vec<u8>>>,
}

/// Runs `n` random requests from `seed` on `pair`; the history at the first
/// difference, or `None`.
fn run(pair: &mut Pair, seed: u64, n: usize, progress: bool) -> Option<Found> {
    let mut rng = Rng::new(seed);
    let mut history: Vec<Vec<Vec<u8>>> = Vec::new();
    let started = Instant::now();
    for i in 0..n {
        let args = command(&mut rng);
        if undefined_lex_range(pair, &args) {
            continue;
        }
        let (r, f) = pair.send(&args);
        history.push(args.clone());
        if !same(&args, &r, &f, pair.sorting_a_set) {
            return Some(Found { history });
        }
        if let Some(fix) = resync(&args) {
            let (r, f) = pair.send(&fix);
            history.push(fix);
            if r != f {
                return Some(Found { history });
            }
        }
        if progress && i % 20000 == 0 && i > 0 {
            eprintln!("differential: {i} requests, {:?}", started.elapsed());
        }
    }
    None
}

/// True for a lex-range request on a sorted set whose scores are not all equal:
/// Redis leaves its answer undefined, so it is sent to neither server.
fn undefined_lex_range(pair: &mut Pair, args: &[Vec<u8>]) -> bool {
    let name = args[0].to_ascii_uppercase();
    let lex = matches!(
        name.as_slice(),
        b"ZRANGEBYLEX" | b"ZREVRANGEBYLEX" | b"ZLEXCOUNT" | b"ZREMRANGEBYLEX"
    ) || (name == b"ZRANGE" && args.iter().any(|a| a.eq_ignore_ascii_case(b"BYLEX")));
    if !lex || args.len() < 2 {
        return false;
    }
    let reply = pair
        .redis
        .cmd(&[b"ZRANGE", &args[1], b"0", b"-1", b"WITHSCORES"]);
    let Ok(Some((Resp::Agg(b'*', Some(items)), _))) = Resp::decode(&reply) else {
        return false; // not a sorted set: the request's error is defined
    };
    let scores: Vec<&Resp> = items.iter().skip(1).step_by(2).collect();
    scores.windows(2).any(|w| w[0] != w[1])
}

/// Replays `history` on fresh data; true when its last request still differs.
fn still_differs(pair: &mut Pair, history: &[Vec<Vec<u8>>]) -> bool {
    pair.reset();
    let Some((last, before)) = history.split_last() else {
        return false;
    };
    for args in before {
        pair.send(args);
    }
    let (r, f) = pair.send(last);
    !same(last, &r, &f, pair.sorting_a_set)
}

/// Removes requests (in halving chunks, then one by one) while the last one
/// still differs.
fn shrink(pair: &mut Pair, mut history: Vec<Vec<Vec<u8>>>) -> Vec<Vec<Vec<u8>>> {
    let mut chunk = history.len() / 2;
    while chunk >= 1 {
        let mut start = 0;
        while start + 1 < history.len() {
            let end = (start + chunk).min(history.len() - 1);
            let mut trial = history[..start].to_vec();
            trial.extend_from_slice(&history[end..]);
            if still_differs(pair, &trial) {
                history = trial;
            } else {
                start = end;
            }
        }
        chunk /= 2;
    }
    history
}

/// The reproducer as a transcript session: redis-server's replies as `<` lines,
/// Ferrous's different last reply as comments.
fn reproducer(pair: &mut Pair, history: &[Vec<Vec<u8>>], seed: u64) -> String {
    pair.reset();
    let mut out = format!("=== differential_seed_{seed}\n");
    for (i, args) in history.iter().enumerate() {
        let (r, f) = pair.send(args);
        let replies = decode_all(&r);
        write_exchange(args, &replies, &mut out);
        if i + 1 == history.len() {
            let mut ours = String::new();
            for v in decode_all(&f) {
                super::transcript::write_reply(&v, &mut ours);
            }
            out.push_str("# Ferrous answered:\n");
            for line in ours.lines() {
                out.push_str("# ");
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

fn decode_all(mut b: &[u8]) -> Vec<Resp> {
    let mut out = Vec::new();
    while let Ok(Some((v, used))) = Resp::decode(b) {
        out.push(v);
        b = &b[used..];
    }
    out
}

/// Runs the fuzzer; panics with a reproducer at the first difference.
fn fuzz(seeds: &[u64], per_seed: usize, progress: bool) {
    let Some(redis) = RedisServer::start() else {
        eprintln!("differential: redis-server 7.0 not found on PATH; skipped");
        return;
    };
    let ferrous = start_server();
    let mut pair = Pair {
        redis: redis.connect(),
        ferrous: ferrous.connect(),
        sorting_a_set: false,
    };
    for &seed in seeds {
        pair.reset();
        if let Some(found) = run(&mut pair, seed, per_seed, progress) {
            let at = found.history.len();
            if !still_differs(&mut pair, &found.history) {
                panic!(
                    "redis-server and Ferrous differed (seed {seed}, request {at}: {}), \
                     but not when the history was replayed (timing?)",
                    super::transcript::write_request(&found.history[at - 1])
                );
            }
            let small = shrink(&mut pair, found.history);
            let text = reproducer(&mut pair, &small, seed);
            panic!(
                "redis-server and Ferrous differ (seed {seed}, request {at}); minimal \
                 reproducer:\n{text}"
            );
        }
    }
}

#[test]
fn differential_short() {
    fuzz(&[1, 2, 3, 4], 3000, false);
}

#[test]
#[ignore]
fn differential_long() {
    let n = std::env::var("FERROUS_DIFF_COMMANDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let seed = std::env::var("FERROUS_DIFF_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_secs())
        });
    eprintln!("differential: seed {seed}, {n} requests");
    fuzz(&[seed], n, true);
}

#[test]
#[ignore]
fn record_transcript() {
    let Ok(path) = std::env::var("FERROUS_RECORD") else {
        eprintln!("record_transcript: set FERROUS_RECORD to a file of '>' lines");
        return;
    };
    let text = std::fs::read_to_string(&path).expect("read FERROUS_RECORD");
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let mut c = redis.connect();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let Some(rest) = line.strip_prefix('>') else {
            out.push_str(line);
            out.push('\n');
            continue;
        };
        let args = super::transcript::read_args(rest.as_bytes())
            .unwrap_or_else(|e| panic!("line {}: {e}", i + 1));
        let refs: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
        let reply = c.cmd(&refs);
        write_exchange(&args, &decode_all(&reply), &mut out);
    }
    print!("{out}");
}
