//! Fuzzers against the `ferrous` binary (in its own process, so a crash or a
//! runaway allocation is seen from outside): RESP frames and Lua programs.
//!
//! - [`resp_frames_never_hurt_the_server`]: random and mutated frames, huge
//!   counts and lengths, and every command of the table with random arguments
//!   of every kind (integers at their limits, floats, binary strings, glob
//!   patterns, option words), each burst on a fresh connection;
//! - [`lua_programs_never_hurt_the_server`]: random programs from a small
//!   grammar and mutated lines of the crate's own `lua-tests/`, run by EVAL
//!   under a 50 ms busy threshold (a long one is stopped with SCRIPT KILL).
//!
//! After every burst they check what must always hold: the process runs,
//! nothing was written to its stderr (a panic prints there), it answers PING
//! on a new connection, and its resident memory stays under 1 GiB.
//!
//! `cargo test` runs each for a few seconds (`FERROUS_FUZZ_SECS`, default 3);
//! by hand: `FERROUS_FUZZ_SECS=600 FERROUS_FUZZ_SEED=7 cargo test --release
//! --test integration fuzz::`. A failure prints the seed and the last input;
//! every input that ever failed becomes a case in `REGRESSIONS`.
use super::support::{Rand, ServerProcess};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Inputs that once hurt the server (none so far), replayed first every run.
const REGRESSIONS: &[&[u8]] = &[];

/// Resident memory the server may not pass.
const RSS_CAP: u64 = 1 << 30;

fn budget() -> Duration {
    let secs = std::env::var("FERROUS_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    Duration::from_secs(secs)
}

fn seed() -> u64 {
    std::env::var("FERROUS_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                | 1
        })
}

/// Sends `bytes` on a fresh connection and reads what comes back for a moment.
fn burst(server: &ServerProcess, bytes: &[u8]) {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", server.port)) else {
        return;
    };
    s.set_read_timeout(Some(Duration::from_millis(20))).ok();
    s.set_write_timeout(Some(Duration::from_millis(500))).ok();
    let _ = s.write_all(bytes);
    let mut sink = [0u8; 65536];
    let until = Instant::now() + Duration::from_millis(40);
    while Instant::now() < until {
        match s.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
}

/// The invariants after a burst; `what` describes the input for the message.
fn check(server: &mut ServerProcess, seed: u64, what: &dyn Fn() -> String) {
    let fail = |why: String| panic!("seed {seed}: {why}\nlast input: {}", what());
    if !server.is_running() {
        fail(format!("the server exited; stderr: {}", server.stderr()));
    }
    let err = server.stderr();
    if !err.is_empty() {
        fail(format!("the server wrote to stderr: {err}"));
    }
    let rss = server.rss();
    if rss > RSS_CAP {
        fail(format!("resident memory {rss} bytes"));
    }
    let mut c = server.connect();
    c.set_read_timeout(Some(Duration::from_secs(10))).ok();
    for _ in 0..50 {
        let _ = c.write_all(b"PING\r\n");
        let mut buf = [0u8; 256];
        let n = c.read(&mut buf).unwrap_or(0);
        let reply = &buf[..n];
        if reply.starts_with(b"+PONG") || reply.starts_with(b"-NOAUTH") {
            return;
        }
        if reply.starts_with(b"-BUSY") {
            // A script of the input runs past the threshold: stop it (one that
            // wrote cannot be stopped, as in Redis: it is given time to end).
            let mut k = server.connect();
            k.set_read_timeout(Some(Duration::from_secs(5))).ok();
            let _ = k.write_all(b"SCRIPT KILL\r\n");
            let mut kbuf = [0u8; 256];
            let kn = k.read(&mut kbuf).unwrap_or(0);
            let wait = if kbuf[..kn].starts_with(b"-UNKILLABLE") {
                Duration::from_secs(2)
            } else {
                Duration::from_millis(100)
            };
            std::thread::sleep(wait);
            continue;
        }
        fail(format!("PING got {:?}", String::from_utf8_lossy(reply)));
    }
    fail("the server stayed busy".to_string());
}

/// Owned arguments as one RESP multibulk request (see `support::multibulk`).
fn multibulk(args: &[Vec<u8>]) -> Vec<u8> {
    let refs: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
    super::support::multibulk(&refs)
}

/// Every command name of the table (from the server itself), minus the ones
/// that end the test's premise (SHUTDOWN stops the server; MONITOR and
/// SUBSCRIBE only change what the connection receives).
fn command_names(server: &ServerProcess) -> Vec<Vec<u8>> {
    let mut c = server.connect();
    c.write_all(b"COMMAND LIST\r\n").expect("send");
    c.set_read_timeout(Some(Duration::from_secs(5))).ok();
    let mut text = Vec::new();
    let mut buf = [0u8; 65536];
    while !text.ends_with(b"\r\n") || text.iter().filter(|&&b| b == b'$').count() < 100 {
        match c.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => text.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&text)
        .split("\r\n")
        .filter(|l| !l.is_empty() && !l.starts_with('*') && !l.starts_with('$'))
        .filter(|n| !matches!(*n, "shutdown" | "monitor"))
        .map(|n| n.as_bytes().to_vec())
        .collect()
}

/// One argument of a random kind.
fn arg(r: &mut Rand) -> Vec<u8> {
    const WORDS: &[&str] = &[
        "k",
        "k2",
        "0",
        "-1",
        "1",
        "+1",
        "1.5",
        "-inf",
        "inf",
        "nan",
        "(1",
        "[a",
        "-",
        "+",
        "*",
        "*a*",
        "?",
        "[",
        "\\",
        "WITHSCORES",
        "LIMIT",
        "COUNT",
        "MATCH",
        "TYPE",
        "BY",
        "GET",
        "STORE",
        "NX",
        "XX",
        "GT",
        "LT",
        "CH",
        "INCR",
        "EX",
        "PX",
        "KEEPTTL",
        "LEFT",
        "RIGHT",
        "BEFORE",
        "AFTER",
        "REV",
        "BYSCORE",
        "BYLEX",
        "STREAMS",
        "BLOCK",
        "MAXLEN",
        "~",
        "=",
        "$",
        ">",
        "ID",
        "WEIGHTS",
        "AGGREGATE",
        "SUM",
        "ALPHA",
        "DESC",
        "ASYNC",
        "REPLACE",
        "ABSTTL",
        "IDLETIME",
        "FREQ",
        "SCHEDULE",
        "SAMPLES",
        "FULL",
        "JUSTID",
        "9223372036854775807",
        "-9223372036854775808",
        "18446744073709551615",
        "4294967296",
        "1e308",
        "1e-320",
        "0x10",
        " 1",
        "1 ",
        "",
    ];
    match r.below(6) {
        0 | 1 => WORDS[r.below(WORDS.len() as u64) as usize]
            .as_bytes()
            .to_vec(),
        2 => (r.next() as i64 >> r.below(64)).to_string().into_bytes(),
        3 => format!("{}", r.range(-1e6, 1e6)).into_bytes(),
        4 => (0..r.below(16)).map(|_| r.below(256) as u8).collect(),
        _ => vec![b'x'; r.below(2000) as usize],
    }
}

/// A random frame: a command with random arguments, raw bytes, a mutated
/// valid frame, or a header announcing more than will ever come.
fn frame(r: &mut Rand, names: &[Vec<u8>]) -> Vec<u8> {
    let command = |r: &mut Rand| {
        let mut args = vec![names[r.below(names.len() as u64) as usize].clone()];
        for _ in 0..r.below(8) {
            args.push(arg(r));
        }
        args
    };
    match r.below(10) {
        0..=4 => multibulk(&command(r)),
        5 => (0..r.below(64)).map(|_| r.below(256) as u8).collect(),
        6 => {
            let mut f = multibulk(&command(r));
            for _ in 0..1 + r.below(4) {
                if f.is_empty() {
                    break;
                }
                let at = r.below(f.len() as u64) as usize;
                match r.below(3) {
                    0 => f[at] = r.below(256) as u8,
                    1 => {
                        f.remove(at);
                    }
                    _ => f.truncate(at),
                }
            }
            f
        }
        7 => format!("*{}\r\n", r.next() as i64).into_bytes(),
        8 => format!("*1\r\n${}\r\nab", r.next() >> r.below(64)).into_bytes(),
        _ => {
            // inline request with odd quoting
            let mut line = b"set \"a\\x".to_vec();
            line.extend(arg(r));
            line.extend_from_slice(b"' \"b\r\n");
            line
        }
    }
}

#[test]
fn resp_frames_never_hurt_the_server() {
    let seed = seed();
    let mut server = ServerProcess::start("", "--lua-time-limit 50");
    for bytes in REGRESSIONS {
        burst(&server, bytes);
        check(&mut server, seed, &|| format!("{bytes:?}"));
    }
    let names = command_names(&server);
    assert!(names.len() > 150, "{} commands", names.len());
    let mut r = Rand(seed);
    let end = Instant::now() + budget();
    let mut n = 0u64;
    while Instant::now() < end {
        let mut bytes = Vec::new();
        for _ in 0..1 + r.below(8) {
            bytes.extend(frame(&mut r, &names));
        }
        burst(&server, &bytes);
        n += 1;
        if n.is_multiple_of(16) {
            check(&mut server, seed, &|| {
                String::from_utf8_lossy(&bytes).into_owned()
            });
        }
    }
    check(&mut server, seed, &|| "(end)".to_string());
    eprintln!("resp fuzz: {n} bursts, seed {seed}");
}

/// A random Lua expression of the grammar's small language.
fn expr(r: &mut Rand, depth: u32) -> String {
    if depth > 3 {
        return ["1", "'s'", "nil", "true", "x", "t", "#t", "-0.5"][r.below(8) as usize].into();
    }
    let e = |r: &mut Rand| expr(r, depth + 1);
    match r.below(14) {
        0 => format!("({} + {})", e(r), e(r)),
        1 => format!("({} .. {})", e(r), e(r)),
        2 => format!("{{{}, {}, k = {}}}", e(r), e(r), e(r)),
        3 => format!("t[{}]", e(r)),
        4 => format!("string.rep({}, {})", e(r), r.below(500)),
        5 => format!("tostring({})", e(r)),
        6 => format!("tonumber({})", e(r)),
        7 => format!("redis.pcall('SET', 'k', {})", e(r)),
        8 => format!("redis.pcall('GET', {})", e(r)),
        9 => format!("cjson.encode({})", e(r)),
        10 => format!("pcall(error, {})", e(r)),
        11 => format!("string.format('%d %s', {}, {})", e(r), e(r)),
        12 => format!("select('#', {}, {})", e(r), e(r)),
        _ => format!("(function(...) return {} end)({})", e(r), e(r)),
    }
}

/// A random statement (loops are bounded so most programs end on their own).
fn stat(r: &mut Rand, depth: u32) -> String {
    let e = |r: &mut Rand| expr(r, 0);
    match r.below(9) {
        0 => format!("x = {}", e(r)),
        1 => format!("t[{}] = {}", e(r), e(r)),
        2 if depth < 2 => format!("for i = 1, {} do {} end", r.below(200), stat(r, depth + 1)),
        3 if depth < 2 => format!(
            "if {} then {} else {} end",
            e(r),
            stat(r, depth + 1),
            stat(r, depth + 1)
        ),
        4 => format!("pcall(function() {} end)", stat(r, depth + 1)),
        5 => format!("table.insert(t, {})", e(r)),
        6 => "collectgarbage()".into(),
        7 => format!("local ok = pcall(string.find, {}, {})", e(r), e(r)),
        _ => format!("return {}", e(r)),
    }
}

/// A random program, or a mutated line of the crate's own Lua tests.
fn program(r: &mut Rand, corpus: &[Vec<u8>]) -> Vec<u8> {
    if r.chance(30) && !corpus.is_empty() {
        let mut p = corpus[r.below(corpus.len() as u64) as usize].clone();
        for _ in 0..r.below(3) {
            if p.is_empty() {
                break;
            }
            let at = r.below(p.len() as u64) as usize;
            p[at] = b"()[]{}.,;=+-*/\"'x1 \n"[r.below(20) as usize];
        }
        return p;
    }
    let mut src = String::from("local x, t = 0, {} ");
    for _ in 0..1 + r.below(6) {
        src.push_str(&stat(r, 0));
        src.push(' ');
        if src.contains("return") {
            break;
        }
    }
    src.into_bytes()
}

/// Lines of `lua-tests/*.lua` grouped in chunks of a few lines.
fn lua_corpus() -> Vec<Vec<u8>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/lua-tests");
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if e.path().extension().is_some_and(|x| x == "lua") {
            let text = std::fs::read(e.path()).unwrap_or_default();
            let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
            for chunk in lines.chunks(6) {
                out.push(chunk.join(&b'\n'));
            }
        }
    }
    out
}

#[test]
fn lua_programs_never_hurt_the_server() {
    let seed = seed();
    let mut server = ServerProcess::start("", "--lua-time-limit 50");
    let corpus = lua_corpus();
    let mut r = Rand(seed ^ 0x5eed);
    let end = Instant::now() + budget();
    let mut n = 0u64;
    let mut recent: Vec<Vec<u8>> = Vec::new();
    while Instant::now() < end {
        let body = program(&mut r, &corpus);
        let req = multibulk(&[b"EVAL".to_vec(), body.clone(), b"0".to_vec()]);
        burst(&server, &req);
        recent.push(body);
        n += 1;
        if n.is_multiple_of(8) {
            check(&mut server, seed, &|| {
                let shown: Vec<String> = recent
                    .iter()
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .collect();
                shown.join("\n---\n")
            });
            recent.clear();
        }
    }
    check(&mut server, seed, &|| "(end)".to_string());
    eprintln!("lua fuzz: {n} programs, seed {seed}");
}
