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
            if b[0] == b'|' {
                // An attribute comes with the reply that follows it.
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
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if !self.buf.is_empty() {
                if let Some(n) = frame_len(&self.buf) {
                    return self.buf.drain(..n).collect();
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "no whole reply within 5 s; have {:?}",
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
    replay(&mut c, cases);
}

/// Runs `cases` in order on the connection `c`.
pub fn replay(c: &mut Conn, cases: Cases) {
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
