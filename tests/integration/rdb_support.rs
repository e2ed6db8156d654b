//! Support for the persistence tests: redis-server 7.0.15 as an oracle process
//! (when installed), a RESP reply parser, and a canonical text dump of a
//! server's whole dataset (every key of every database with its type,
//! encoding, absolute expiry time and value, and the function libraries), so
//! that two servers holding the same data print the same text.
#![allow(dead_code)]
use crate::support::{Conn, TestServer};
use ferrous::persist::rdb::load::{load, load_functions, FileOptions, Loaded};
use ferrous::persist::rdb::save::{save_to_vec, SaveOptions};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A parsed RESP2 reply.
#[derive(Debug, Clone, PartialEq)]
pub enum R {
    Simple(String),
    Err(String),
    Int(i64),
    Bulk(Option<Vec<u8>>),
    Array(Option<Vec<R>>),
}

impl R {
    pub fn bytes(&self) -> Vec<u8> {
        match self {
            R::Bulk(Some(b)) => b.clone(),
            R::Simple(s) => s.as_bytes().to_vec(),
            R::Int(n) => n.to_string().into_bytes(),
            other => panic!("not a string reply: {other:?}"),
        }
    }

    pub fn int(&self) -> i64 {
        match self {
            R::Int(n) => *n,
            other => panic!("not an integer reply: {other:?}"),
        }
    }

    pub fn items(&self) -> Vec<R> {
        match self {
            R::Array(Some(v)) => v.clone(),
            other => panic!("not an array reply: {other:?}"),
        }
    }
}

/// Parses one reply frame starting at `b[*pos]`.
pub fn parse(b: &[u8], pos: &mut usize) -> R {
    let end = *pos
        + b[*pos..]
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("CRLF");
    let line = &b[*pos + 1..end];
    let kind = b[*pos];
    *pos = end + 2;
    let text = String::from_utf8_lossy(line).into_owned();
    match kind {
        b'+' => R::Simple(text),
        b'-' => R::Err(text),
        b':' => R::Int(text.parse().expect("integer reply")),
        b'$' => {
            let n: i64 = text.parse().expect("bulk length");
            if n < 0 {
                return R::Bulk(None);
            }
            let v = b[*pos..*pos + n as usize].to_vec();
            *pos += n as usize + 2;
            R::Bulk(Some(v))
        }
        b'*' => {
            let n: i64 = text.parse().expect("array length");
            if n < 0 {
                return R::Array(None);
            }
            R::Array(Some((0..n).map(|_| parse(b, pos)).collect()))
        }
        other => panic!("unknown reply type {:?}", other as char),
    }
}

/// Sends a command and parses its reply.
pub fn call(c: &mut Conn, args: &[&[u8]]) -> R {
    let raw = c.cmd(args);
    let mut pos = 0;
    parse(&raw, &mut pos)
}

/// Like [`call`] with whitespace-separated words.
pub fn callw(c: &mut Conn, line: &str) -> R {
    let args: Vec<&[u8]> = line.split_whitespace().map(str::as_bytes).collect();
    call(c, &args)
}

fn esc(b: &[u8]) -> String {
    b.escape_ascii().to_string()
}

/// The whole dataset of the server behind `c`, as canonical text.
pub fn dataset(c: &mut Conn) -> String {
    let mut out = String::new();
    let dbs = match call(c, &[b"CONFIG", b"GET", b"databases"]) {
        R::Array(Some(v)) if v.len() == 2 => {
            String::from_utf8_lossy(&v[1].bytes()).parse().unwrap_or(16)
        }
        _ => 16,
    };
    for db in 0..dbs {
        call(c, &[b"SELECT", db.to_string().as_bytes()]);
        let mut keys: Vec<Vec<u8>> = call(c, &[b"KEYS", b"*"])
            .items()
            .iter()
            .map(R::bytes)
            .collect();
        keys.sort();
        for k in keys {
            let t = String::from_utf8(call(c, &[b"TYPE", &k]).bytes()).unwrap();
            let enc = String::from_utf8(call(c, &[b"OBJECT", b"ENCODING", &k]).bytes()).unwrap();
            let at = call(c, &[b"PEXPIRETIME", &k]).int();
            let value = match t.as_str() {
                "string" => esc(&call(c, &[b"GET", &k]).bytes()),
                "list" => join(call(c, &[b"LRANGE", &k, b"0", b"-1"]).items()),
                "set" => {
                    let mut m: Vec<Vec<u8>> = call(c, &[b"SMEMBERS", &k])
                        .items()
                        .iter()
                        .map(R::bytes)
                        .collect();
                    m.sort();
                    m.iter().map(|x| esc(x)).collect::<Vec<_>>().join(",")
                }
                "zset" => join(call(c, &[b"ZRANGE", &k, b"0", b"-1", b"WITHSCORES"]).items()),
                "hash" => {
                    let items = call(c, &[b"HGETALL", &k]).items();
                    let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = items
                        .chunks(2)
                        .map(|p| (p[0].bytes(), p[1].bytes()))
                        .collect();
                    pairs.sort();
                    pairs
                        .iter()
                        .map(|(f, v)| format!("{}={}", esc(f), esc(v)))
                        .collect::<Vec<_>>()
                        .join(",")
                }
                "stream" => stream_text(c, &k),
                other => format!("<{other}>"),
            };
            // long values by length and SHA-1, to keep expected files small
            let value = if value.len() > 200 {
                format!(
                    "<{} bytes, sha1 {}>",
                    value.len(),
                    ferrous::digest::sha1::sha1_hex(value.as_bytes())
                )
            } else {
                value
            };
            out.push_str(&format!("{db} {} {t} {enc} {at} {value}\n", esc(&k)));
        }
    }
    call(c, &[b"SELECT", b"0"]);
    let libs = call(c, &[b"FUNCTION", b"LIST", b"WITHCODE"]).items();
    let mut lines: Vec<String> = libs
        .iter()
        .map(|lib| {
            let f = lib.items();
            let field = |name: &str| {
                f.chunks(2)
                    .find(|p| p[0].bytes() == name.as_bytes())
                    .map(|p| p[1].clone())
                    .expect("library field")
            };
            format!(
                "function {} {}",
                esc(&field("library_name").bytes()),
                esc(&field("library_code").bytes())
            )
        })
        .collect();
    lines.sort();
    for l in lines {
        out.push_str(&l);
        out.push('\n');
    }
    out
}

/// A stream as text: its metadata, entries and consumer groups (with
/// their pending entries' delivery times and counts, but not the consumers'
/// seen times, which are the moment a command ran).
fn stream_text(c: &mut Conn, k: &[u8]) -> String {
    fn text(r: &R) -> String {
        match r {
            R::Array(Some(v)) => format!("[{}]", v.iter().map(text).collect::<Vec<_>>().join(" ")),
            R::Array(None) | R::Bulk(None) => "nil".into(),
            other => esc(&other.bytes()),
        }
    }
    let info = call(c, &[b"XINFO", b"STREAM", k, b"FULL", b"COUNT", b"0"]).items();
    let mut out = Vec::new();
    for pair in info.chunks(2) {
        let name = pair[0].bytes();
        if name != b"groups" {
            out.push(format!("{}={}", esc(&name), text(&pair[1])));
            continue;
        }
        for g in pair[1].items() {
            let mut fields = Vec::new();
            for f in g.items().chunks(2) {
                if f[0].bytes() != b"consumers" {
                    fields.push(format!("{}={}", esc(&f[0].bytes()), text(&f[1])));
                    continue;
                }
                for cons in f[1].items() {
                    let kept: Vec<String> = cons
                        .items()
                        .chunks(2)
                        .filter(|p| p[0].bytes() != b"seen-time")
                        .map(|p| format!("{}={}", esc(&p[0].bytes()), text(&p[1])))
                        .collect();
                    fields.push(format!("consumer{{{}}}", kept.join(",")));
                }
            }
            out.push(format!("group{{{}}}", fields.join(",")));
        }
    }
    out.join(",")
}

/// Asserts two dataset dumps are equal, showing the first lines that differ.
pub fn assert_same(got: &str, want: &str, what: &str) {
    if got == want {
        return;
    }
    let (g, w): (Vec<&str>, Vec<&str>) = (got.lines().collect(), want.lines().collect());
    let cut = |l: &str| l.chars().take(300).collect::<String>();
    for i in 0..g.len().max(w.len()) {
        let (a, b) = (
            g.get(i).copied().unwrap_or("<none>"),
            w.get(i).copied().unwrap_or("<none>"),
        );
        if a != b {
            panic!(
                "{what}: datasets differ at line {i}:\n got: {}\nwant: {}",
                cut(a),
                cut(b)
            );
        }
    }
}

fn join(items: Vec<R>) -> String {
    items
        .iter()
        .map(|r| esc(&r.bytes()))
        .collect::<Vec<_>>()
        .join(",")
}

/// Where `redis-server` (and its friends) are, if installed.
pub fn redis_bin(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// A redis-server process of our own; killed when dropped.
pub struct RedisProc {
    child: Child,
    pub port: u16,
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    l.local_addr().expect("local address").port()
}

impl RedisProc {
    /// Starts redis-server with its data directory `dir` and file `dbfilename`
    /// (loaded at start if present), plus `extra` arguments. `None` when
    /// redis-server is not installed.
    pub fn start(dir: &Path, dbfilename: &str, extra: &[&str]) -> Option<RedisProc> {
        let bin = redis_bin("redis-server")?;
        let port = free_port();
        let mut args: Vec<String> = vec![
            "--port".into(),
            port.to_string(),
            "--bind".into(),
            "127.0.0.1".into(),
            "--dir".into(),
            dir.to_str().expect("utf-8 path").into(),
            "--dbfilename".into(),
            dbfilename.into(),
            "--save".into(),
            "".into(),
            "--appendonly".into(),
            "no".into(),
            "--enable-debug-command".into(),
            "yes".into(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let child = Command::new(bin)
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let mut p = RedisProc { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(s) = TcpStream::connect(("127.0.0.1", port)) {
                let mut c = Conn::from_stream(s);
                // ready once loading is over
                if c.cmd(&[b"PING"]) == b"+PONG\r\n" {
                    break;
                }
            }
            if let Ok(Some(_)) = p.child.try_wait() {
                return None; // exited (e.g. refused the file)
            }
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(p)
    }

    pub fn connect(&self) -> Conn {
        Conn::from_stream(
            TcpStream::connect(("127.0.0.1", self.port)).expect("connect to redis-server"),
        )
    }

    /// Whether the process has exited (e.g. it refused the file it was given).
    pub fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }
}

impl Drop for RedisProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A temporary directory, removed when dropped.
pub struct TempDir(PathBuf);

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh temporary directory for one test (declare it before the servers
/// that use it, so that they stop first).
pub fn temp_dir(name: &str) -> TempDir {
    let d = std::env::temp_dir().join(format!("ferrous-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create a temp dir");
    TempDir(d)
}

/// Loads an RDB file's bytes into the running test server `srv` (replacing
/// its keys and function libraries); panics if the file does not load.
pub fn load_into(srv: &TestServer, bytes: &[u8]) -> Loaded {
    load_into_with(srv, bytes, &FileOptions::default())
}

/// [`load_into`] with loading options (encoding thresholds...).
pub fn load_into_with(srv: &TestServer, bytes: &[u8], opts: &FileOptions) -> Loaded {
    let loaded = load(bytes, opts).expect("the file loads");
    let functions = load_functions(&loaded.functions).expect("the libraries load");
    let core = srv.handle().core();
    let mut ks = core.lock();
    for db in 0..ks.store.db_count() {
        drop(ks.store.flush_db(db));
    }
    for (n, d) in loaded.store.dbs().iter().enumerate() {
        for (e, at) in d.table.view().iter() {
            let target = ks.store.db(n);
            let i = target.insert_new(&e.key, e.value.clone());
            target.set_expire(i, at);
            target.table.set_lru(i, e.lru());
        }
    }
    *ferrous::scripting::engine::state(&mut ks.scripts).functions() = functions;
    loaded
}

/// The RDB file the running test server `srv` would save.
pub fn save_from(srv: &TestServer, opts: &SaveOptions) -> Vec<u8> {
    let core = srv.handle().core();
    let mut ks = core.lock();
    let codes: Vec<Vec<u8>> = ferrous::scripting::engine::state(&mut ks.scripts)
        .functions()
        .library_codes()
        .into_iter()
        .map(<[u8]>::to_vec)
        .collect();
    let refs: Vec<&[u8]> = codes.iter().map(Vec::as_slice).collect();
    save_to_vec(ks.store.dbs(), &refs, opts)
}

/// Sends every command of `script` (one per line, words separated by
/// spaces; `\xNN` escapes allowed) and checks none fails.
pub fn run_script(c: &mut Conn, script: &[Vec<Vec<u8>>]) {
    for cmd in script {
        let args: Vec<&[u8]> = cmd.iter().map(Vec::as_slice).collect();
        let r = call(c, &args);
        assert!(
            !matches!(r, R::Err(_)),
            "{:?} failed: {r:?}",
            String::from_utf8_lossy(&cmd.concat())
        );
    }
}
