//! Test support: an in-process server on a free loopback port, a raw RESP
//! client that returns reply frames as the exact bytes the server sent, and the
//! one RESP reply decoder of the tests ([`Resp`]).
//!
//! Every test starts its own server (`start_server`), so tests run in parallel
//! without sharing state; dropping the [`TestServer`] shuts it down. Recorded
//! redis-server sessions live in `tests/transcripts/` and are replayed by
//! `transcript::run_transcript` (see `transcript.rs` for their format).
#![allow(dead_code)]
use ferrous::server::config::Config;
use ferrous::server::log::Logger;
use ferrous::server::{Server, ServerHandle};
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A running server; dropping it shuts it down and waits for it.
pub struct TestServer {
    pub port: u16,
    handle: ServerHandle,
    thread: Option<JoinHandle<()>>,
    /// The server's own `dir` (its RDB file goes there), removed on drop
    /// unless the flags named one.
    pub dir: std::path::PathBuf,
    own_dir: bool,
}

/// A fresh empty directory under the system's temp dir.
pub fn temp_dir(tag: &str) -> std::path::PathBuf {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("ferrous-{tag}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a temp dir");
    dir
}

/// Starts a server with the default configuration on 127.0.0.1 and a free port.
pub fn start_server() -> TestServer {
    start_server_with(&[])
}

/// Starts a server with extra redis-server-style flags, e.g. `["--requirepass", "x"]`.
/// `bind` and `port` are always 127.0.0.1 and a free port. The server logs
/// nothing unless the flags name a `--logfile`. Unless the flags name a
/// `--dir`, it works in a fresh temp dir (Redis's default save points are on,
/// so files it saves never land in the repository).
pub fn start_server_with(args: &[&str]) -> TestServer {
    let own_dir = !args.contains(&"--dir");
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let mut config = Config::from_args(&args).expect("test server flags");
    config.bind = vec!["127.0.0.1".to_string()];
    // Port 0 is an ephemeral port, except with a Unix socket, where it means
    // no TCP at all (as in Redis): then a free port is picked here.
    config.port = if config.unixsocket.is_empty() {
        0
    } else {
        free_port()
    };
    if own_dir {
        config.dir = temp_dir("srv").to_string_lossy().into_owned();
    }
    let dir = std::path::PathBuf::from(&config.dir);
    let logger = if config.logfile.is_empty() {
        Logger::quiet()
    } else {
        Logger::new(config.loglevel, &config.logfile).expect("open the test log file")
    };
    let server = Server::bind_with_logger(config, logger).expect("bind test server");
    let port = server.port();
    let handle = server.handle();
    let thread = std::thread::spawn(move || server.run());
    TestServer {
        port,
        handle,
        thread: Some(thread),
        dir,
        own_dir,
    }
}

impl TestServer {
    /// The running server's handle (e.g. to reach its `Core`).
    pub fn handle(&self) -> &ServerHandle {
        &self.handle
    }

    /// A new client connection.
    pub fn connect(&self) -> Conn {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to test server");
        stream.set_nodelay(true).ok();
        Conn {
            stream,
            buf: Vec::new(),
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.handle.shutdown();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        if self.own_dir {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// A raw client connection with its read buffer.
pub struct Conn {
    pub stream: TcpStream,
    buf: Vec<u8>,
}

/// Encodes `args` as one multibulk request.
pub fn multibulk(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// One RESP2/RESP3 value, kept exactly as sent so it encodes back to the same
/// bytes. Binary-safe: string payloads are raw bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resp {
    /// A one-line value: `+` status, `-` error, `:` integer, `_` null, `,`
    /// double, `#` boolean, `(` big number; the bytes after the type byte.
    Line(u8, Vec<u8>),
    /// A length-prefixed string: `$` bulk, `=` verbatim, `!` blob error;
    /// `None` is the null bulk `$-1`.
    Blob(u8, Option<Vec<u8>>),
    /// An aggregate: `*` array, `%` map, `~` set, `>` push, `|` attribute; `None`
    /// is the null array `*-1`. A map's or attribute's keys and values alternate.
    Agg(u8, Option<Vec<Resp>>),
}

impl Resp {
    /// Decodes the value at the start of `b`: `Ok(Some((value, bytes used)))`,
    /// `Ok(None)` when more bytes are needed, `Err` when it is not RESP.
    pub fn decode(b: &[u8]) -> Result<Option<(Resp, usize)>, String> {
        let Some(line_end) = b.windows(2).position(|w| w == b"\r\n") else {
            return Ok(None);
        };
        let kind = b[0];
        let head = &b[1..line_end];
        let after = line_end + 2;
        let count = || -> Result<i64, String> {
            std::str::from_utf8(head)
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| format!("bad length {:?}", String::from_utf8_lossy(head)))
        };
        match kind {
            b'+' | b'-' | b':' | b'_' | b',' | b'#' | b'(' => {
                Ok(Some((Resp::Line(kind, head.to_vec()), after)))
            }
            b'$' | b'=' | b'!' => {
                let n = count()?;
                if n < 0 {
                    return Ok(Some((Resp::Blob(kind, None), after)));
                }
                let end = after + n as usize;
                if b.len() < end + 2 {
                    return Ok(None);
                }
                if &b[end..end + 2] != b"\r\n" {
                    return Err(format!("bulk of {n} bytes not followed by CRLF"));
                }
                Ok(Some((
                    Resp::Blob(kind, Some(b[after..end].to_vec())),
                    end + 2,
                )))
            }
            b'*' | b'%' | b'~' | b'>' | b'|' => {
                let n = count()?;
                if n < 0 {
                    return Ok(Some((Resp::Agg(kind, None), after)));
                }
                let items = if matches!(kind, b'%' | b'|') {
                    n * 2
                } else {
                    n
                };
                let mut pos = after;
                let mut out = Vec::new();
                for _ in 0..items {
                    match Resp::decode(&b[pos..])? {
                        Some((v, used)) => {
                            out.push(v);
                            pos += used;
                        }
                        None => return Ok(None),
                    }
                }
                Ok(Some((Resp::Agg(kind, Some(out)), pos)))
            }
            _ => Err(format!(
                "not a RESP value: {:?}",
                String::from_utf8_lossy(&b[..b.len().min(64)])
            )),
        }
    }

    /// Decodes `b`, which must hold exactly one whole value.
    pub fn parse(b: &[u8]) -> Resp {
        match Resp::decode(b) {
            Ok(Some((v, used))) if used == b.len() => v,
            other => panic!(
                "not one whole RESP value ({other:?}): {:?}",
                String::from_utf8_lossy(b)
            ),
        }
    }

    /// The exact wire bytes of this value.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Resp::Line(kind, text) => {
                out.push(*kind);
                out.extend_from_slice(text);
            }
            Resp::Blob(kind, None) | Resp::Agg(kind, None) => {
                out.push(*kind);
                out.extend_from_slice(b"-1");
            }
            Resp::Blob(kind, Some(data)) => {
                out.push(*kind);
                out.extend_from_slice(data.len().to_string().as_bytes());
                out.extend_from_slice(b"\r\n");
                out.extend_from_slice(data);
            }
            Resp::Agg(kind, Some(items)) => {
                let n = if matches!(kind, b'%' | b'|') {
                    items.len() / 2
                } else {
                    items.len()
                };
                out.push(*kind);
                out.extend_from_slice(n.to_string().as_bytes());
                out.extend_from_slice(b"\r\n");
                for item in items {
                    item.encode(out);
                }
                return;
            }
        }
        out.extend_from_slice(b"\r\n");
    }

    /// The payload of a bulk string (`None` for anything else, the null bulk included).
    pub fn as_bulk(&self) -> Option<&[u8]> {
        match self {
            Resp::Blob(b'$', Some(data)) => Some(data),
            _ => None,
        }
    }

    /// The elements of an array (`None` for anything else, the null array included).
    pub fn as_array(&self) -> Option<&[Resp]> {
        match self {
            Resp::Agg(b'*', Some(items)) => Some(items),
            _ => None,
        }
    }

    /// The value of an integer reply.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Resp::Line(b':', text) => std::str::from_utf8(text).ok()?.parse().ok(),
            _ => None,
        }
    }

    /// Every string payload in the value, depth first (for KEYS: the keys; for
    /// SCAN's `[cursor, [keys]]`: the cursor, then the keys).
    pub fn bulks(&self) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        self.collect_bulks(&mut out);
        out
    }

    fn collect_bulks(&self, out: &mut Vec<Vec<u8>>) {
        match self {
            Resp::Blob(_, Some(data)) => out.push(data.clone()),
            Resp::Agg(_, Some(items)) => items.iter().for_each(|i| i.collect_bulks(out)),
            _ => {}
        }
    }
}

/// Every string payload of the reply `reply` (one whole RESP value), depth first.
pub fn bulks(reply: &[u8]) -> Vec<Vec<u8>> {
    Resp::parse(reply).bulks()
}

impl Conn {
    /// Wraps an already connected stream (e.g. to a server started as a process).
    pub fn from_stream(stream: TcpStream) -> Conn {
        stream.set_nodelay(true).ok();
        Conn {
            stream,
            buf: Vec::new(),
        }
    }

    /// Writes raw bytes.
    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("send to test server");
    }

    /// Sends one multibulk command and returns the raw bytes of its reply.
    pub fn cmd(&mut self, args: &[&[u8]]) -> Vec<u8> {
        self.send(&multibulk(args));
        self.read_reply()
    }

    /// Splits `line` on whitespace, sends it as multibulk, returns the reply (lossy UTF-8).
    pub fn q(&mut self, line: &str) -> String {
        let args: Vec<&[u8]> = line.split_whitespace().map(str::as_bytes).collect();
        String::from_utf8_lossy(&self.cmd(&args)).into_owned()
    }

    /// One whole reply frame (nested arrays included). Panics after 5 s.
    pub fn read_reply(&mut self) -> Vec<u8> {
        self.read_reply_within(Duration::from_secs(5))
    }

    /// One whole reply frame; panics after `limit` (for commands that take long).
    pub fn read_reply_within(&mut self, limit: Duration) -> Vec<u8> {
        match self.try_read_reply(limit) {
            Some(reply) => reply,
            None => panic!(
                "no whole reply within {limit:?}; have {:?}",
                String::from_utf8_lossy(&self.buf)
            ),
        }
    }

    /// One whole reply frame, or `None` when none came within `limit`.
    pub fn try_read_reply(&mut self, limit: Duration) -> Option<Vec<u8>> {
        let deadline = Instant::now() + limit;
        loop {
            match Resp::decode(&self.buf) {
                Ok(Some((_, n))) => return Some(self.buf.drain(..n).collect()),
                Ok(None) => {}
                Err(e) => panic!("{e}"),
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            self.stream.set_read_timeout(Some(left)).ok();
            let mut chunk = [0u8; 65536];
            match self.stream.read(&mut chunk) {
                Ok(0) => panic!(
                    "connection closed; have {:?}",
                    String::from_utf8_lossy(&self.buf)
                ),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                    ) => {}
                Err(e) => panic!("read error: {e}"),
            }
        }
    }

    /// True when the server closed the connection (EOF within about 1 s). Bytes that
    /// arrive meanwhile are kept for `read_reply`.
    pub fn is_closed(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(1);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            self.stream.set_read_timeout(Some(left)).ok();
            let mut chunk = [0u8; 65536];
            match self.stream.read(&mut chunk) {
                Ok(0) => return true,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    return false
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return true,
            }
        }
    }
}

/// The `run_id:` line of the server behind `c` (from INFO server).
pub fn run_id(c: &mut Conn) -> String {
    let info = c.q("info server");
    let line = info.lines().find(|l| l.starts_with("run_id:"));
    let id = line.unwrap_or_default().to_string();
    assert!(id.len() > "run_id:".len(), "{info}");
    id
}

/// Waits (up to 5 s) until no server with `run_id` listens on `port`.
/// Tests run in parallel, so a port one server frees may be taken by another
/// test's server at once: a listener that answers with another run_id (or
/// not at all) counts as closed.
pub fn wait_port_released(port: u16, run_id: &str) -> bool {
    let answers_as = |mut s: TcpStream| {
        s.set_read_timeout(Some(Duration::from_millis(500))).ok();
        if s.write_all(b"INFO server\r\n").is_err() {
            return false;
        }
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        while !got.ends_with(b"\r\n\r\n") {
            match s.read(&mut buf) {
                Ok(n) if n > 0 => got.extend_from_slice(&buf[..n]),
                _ => break,
            }
        }
        String::from_utf8_lossy(&got).contains(run_id)
    };
    eventually(Duration::from_secs(5), || {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => !answers_as(s),
            Err(_) => true,
        }
    })
}

/// Polls `f` every 10 ms until it is true or `limit` passes.
pub fn eventually(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if f() {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A client with `notify-keyspace-events KEA` set, and a second connection
/// subscribed to every `__keyevent@*__` channel.
pub fn event_listener(srv: &TestServer) -> (Conn, Conn) {
    let mut c = srv.connect();
    let mut s = srv.connect();
    assert_eq!(c.q("CONFIG SET notify-keyspace-events KEA"), "+OK\r\n");
    s.send(&multibulk(&[b"PSUBSCRIBE", b"__keyevent*"]));
    s.read_reply();
    (c, s)
}

/// Reads the next key events from a subscriber of [`event_listener`] and
/// checks them against `want` (event, key), in order.
pub fn expect_events(s: &mut Conn, want: &[(&str, &str)]) {
    for (ev, key) in want {
        let got = String::from_utf8_lossy(&s.read_reply()).into_owned();
        let tail = format!("__keyevent@0__:{ev}\r\n${}\r\n{key}\r\n", key.len());
        assert!(got.ends_with(&tail), "want {ev} {key}, got {got:?}");
    }
}

/// A redis-server 7.0 process started by a test, as the reference to compare
/// with; killed when dropped.
pub struct Reference {
    pub port: u16,
    child: std::process::Child,
}

/// Starts `redis-server` on a free port (no persistence), or `None` when it
/// is not installed, so tests that need it skip cleanly (CI has only Rust).
pub fn start_reference() -> Option<Reference> {
    use std::process::{Command, Stdio};
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no", "--dir", "/tmp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let reference = Reference { port, child };
    let up = eventually(Duration::from_secs(5), || {
        TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    up.then_some(reference)
}

impl Reference {
    pub fn connect(&self) -> Conn {
        Conn::from_stream(
            TcpStream::connect(("127.0.0.1", self.port)).expect("connect to redis-server"),
        )
    }
}

impl Drop for Reference {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A small xorshift generator for randomized tests (seeded, reproducible).
pub struct Rand(pub u64);

impl Rand {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// A float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A float in `[lo, hi)`.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
}

/// This process's soft limit on open descriptors.
pub fn own_fd_limit() -> u64 {
    std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| {
                    l["Max open files".len()..]
                        .split_whitespace()
                        .next()?
                        .parse()
                        .ok()
                })
        })
        .unwrap_or(1024)
}

/// A free loopback port (bound, then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The `ferrous` binary started through `sh -c` (so a `ulimit` can come first),
/// with its log on a pipe and its stderr collected (a panic prints there);
/// killed when dropped.
pub struct ServerProcess {
    child: Child,
    /// Its working directory and `dir` (a fresh temp dir, removed on drop), so
    /// a SAVE it is sent writes nothing into the repository.
    dir: std::path::PathBuf,
    pub port: u16,
    log: BufReader<std::process::ChildStdout>,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl ServerProcess {
    pub fn start(shell_prefix: &str, args: &str) -> ServerProcess {
        let port = free_port();
        let bin = env!("CARGO_BIN_EXE_ferrous");
        let dir = temp_dir("proc");
        let mut child = Command::new("sh")
            .current_dir(&dir)
            .arg("-c")
            .arg(format!(
                "{shell_prefix} exec '{bin}' --port {port} --bind 127.0.0.1 --save '' {args}"
            ))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start ferrous");
        let log = BufReader::new(child.stdout.take().expect("its stdout"));
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        if let Some(mut e) = child.stderr.take() {
            let sink = stderr.clone();
            std::thread::spawn(move || {
                let mut text = String::new();
                let _ = e.read_to_string(&mut text);
                sink.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push_str(&text);
            });
        }
        let p = ServerProcess {
            child,
            dir,
            port,
            log,
            stderr,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "ferrous did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        p
    }

    /// What the server wrote to stderr so far (panic messages).
    pub fn stderr(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Whether the process still runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Resident memory of the process in bytes (Linux; 0 when unknown).
    pub fn rss(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/statm", self.child.id()))
            .ok()
            .and_then(|t| t.split_whitespace().nth(1)?.parse::<u64>().ok())
            .map_or(0, |pages| pages * 4096)
    }

    /// Log lines until one contains `needle` (or the log ends).
    pub fn log_until(&mut self, needle: &str) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        while self.log.read_line(&mut line).unwrap_or(0) > 0 {
            let done = line.contains(needle);
            lines.push(std::mem::take(&mut line));
            if done {
                break;
            }
        }
        lines
    }

    pub fn connect(&self) -> TcpStream {
        TcpStream::connect(("127.0.0.1", self.port)).expect("connect")
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
