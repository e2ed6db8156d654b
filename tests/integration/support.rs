//! Test support: an in-process server on a free loopback port, and a raw RESP
//! client that returns reply frames as the exact bytes the server sent.
//!
//! Every test starts its own server (`start_server`), so tests run in parallel
//! without sharing state; dropping the [`TestServer`] shuts it down. [`run_cases`]
//! replays a recorded session (request, exact reply from redis-server 7.0).
#![allow(dead_code)]
use ferrous::server::config::Config;
use ferrous::server::log::Logger;
use ferrous::server::{Server, ServerHandle};
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A running server; dropping it shuts it down and waits for it.
pub struct TestServer {
    pub port: u16,
    handle: ServerHandle,
    thread: Option<JoinHandle<()>>,
}

/// Starts a server with the default configuration on 127.0.0.1 and a free port.
pub fn start_server() -> TestServer {
    start_server_with(&[])
}

/// Starts a server with extra redis-server-style flags, e.g. `["--requirepass", "x"]`.
/// `bind` and `port` are always 127.0.0.1 and a free port. The server logs
/// nothing unless the flags name a `--logfile`.
pub fn start_server_with(args: &[&str]) -> TestServer {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let mut config = Config::from_args(&args).expect("test server flags");
    config.bind = vec!["127.0.0.1".to_string()];
    config.port = 0;
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

/// Length of the whole reply frame at the start of `b`, if complete.
fn frame_len(b: &[u8]) -> Option<usize> {
    let line_end = b.windows(2).position(|w| w == b"\r\n")?;
    let head = std::str::from_utf8(&b[1..line_end]).ok();
    let after = line_end + 2;
    match *b.first()? {
        b'+' | b'-' | b':' | b'_' | b',' | b'#' | b'(' => Some(after),
        b'$' | b'=' | b'!' => {
            let n: i64 = head?.parse().ok()?;
            if n < 0 {
                return Some(after);
            }
            let end = after + n as usize + 2;
            (b.len() >= end).then_some(end)
        }
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let n: i64 = head?.parse().ok()?;
            let items = if matches!(b[0], b'%' | b'|') {
                n * 2
            } else {
                n
            };
            let mut pos = after;
            for _ in 0..items.max(0) {
                pos += frame_len(&b[pos..])?;
            }
            Some(pos)
        }
        _ => panic!("not a RESP frame: {:?}", String::from_utf8_lossy(b)),
    }
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
        let deadline = Instant::now() + limit;
        loop {
            if !self.buf.is_empty() {
                if let Some(n) = frame_len(&self.buf) {
                    return self.buf.drain(..n).collect();
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "no whole reply within {limit:?}; have {:?}",
                String::from_utf8_lossy(&self.buf)
            );
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

/// A scripted session: each request with the exact reply redis-server 7.0 gave.
pub type Cases = &'static [(&'static [&'static [u8]], &'static [u8])];

/// Runs `cases` in order on one connection of a fresh server.
pub fn run_cases(cases: Cases) {
    let srv = start_server();
    let mut c = srv.connect();
    for (args, want) in cases {
        let got = c.cmd(args);
        let shown: Vec<String> = args
            .iter()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(want),
            "reply to {shown:?}"
        );
        assert_eq!(&got[..], *want, "reply bytes to {shown:?}");
    }
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
