//! Saving and loading an RDB file of 1M small keys, Ferrous against
//! redis-server 7.0.15 side by side, interleaved.
//!
//! Run with `cargo bench --bench persist` (redis-server on the PATH for the
//! comparison; without it only Ferrous's times are printed). Environment:
//! `KEYS` (default 1000000), `ROUNDS` (default 3).
//!
//! The data is what `DEBUG POPULATE n` makes in Redis: keys `key:0` ...
//! `key:n-1` holding `value:0` ... in database 0.
//! - save: Redis's `SAVE` round trip (it writes a temporary file, fsyncs it,
//!   renames it, fsyncs the directory; `rdb-save-incremental-fsync no`, so one
//!   fsync at the end); Ferrous does the same steps.
//! - load: Redis's own measure from its log ("DB loaded from disk: X seconds"),
//!   on a restart with the file; Ferrous reads the file and loads it into a
//!   fresh store.
//!
//! Each round runs Ferrous then Redis; the figures are medians, and the
//! ratios Ferrous / Redis (below 1: Ferrous faster).
use ferrous::persist::rdb::load::{load, FileOptions};
use ferrous::persist::rdb::save::{save, SaveOptions};
use ferrous::store::{Store, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn populate(n: usize) -> Store {
    let mut s = Store::new(16);
    let db = s.db(0);
    for i in 0..n {
        let k = format!("key:{i}");
        let v = format!("value:{i}");
        db.set(k.as_bytes(), Value::from_bytes_try_int(v.as_bytes()), false);
    }
    s
}

/// Saves as SAVE will: a temporary file, written, fsynced, renamed over the
/// target, and the directory fsynced.
fn ferrous_save(store: &Store, path: &Path) -> Duration {
    let t = Instant::now();
    let tmp = path.with_extension("tmp");
    let f = std::fs::File::create(&tmp).expect("create the file");
    let mut w = std::io::BufWriter::with_capacity(1 << 16, f);
    save(&mut w, store.dbs(), &[], &SaveOptions::default()).expect("save");
    let f = w.into_inner().expect("flush");
    f.sync_all().expect("fsync");
    std::fs::rename(&tmp, path).expect("rename");
    if let Some(dir) = path.parent() {
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .expect("fsync the directory");
    }
    t.elapsed()
}

fn ferrous_load(path: &Path, n: usize) -> Duration {
    let t = Instant::now();
    let bytes = std::fs::read(path).expect("read the file");
    let loaded = load(&bytes, &FileOptions::default()).expect("load");
    let d = t.elapsed();
    assert_eq!(loaded.keys_loaded as usize, n);
    drop(loaded);
    d
}

/// A one-shot RESP client: sends a command, reads one simple reply line.
fn command(port: u16, args: &[&str]) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let mut req = format!("*{}\r\n", args.len());
    for a in args {
        req.push_str(&format!("${}\r\n{a}\r\n", a.len()));
    }
    s.write_all(req.as_bytes()).expect("send");
    let mut line = String::new();
    BufReader::new(&mut s).read_line(&mut line).expect("reply");
    line
}

struct Redis {
    child: Child,
    log: PathBuf,
}

impl Redis {
    fn start(dir: &Path, port: u16) -> Option<Redis> {
        let log = dir.join("redis.log");
        let _ = std::fs::remove_file(&log);
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--dir", dir.to_str()?, "--dbfilename", "redis.rdb"])
            .args([
                "--save",
                "",
                "--appendonly",
                "no",
                "--enable-debug-command",
                "yes",
            ])
            .args(["--logfile", log.to_str()?])
            .stdout(Stdio::null())
            .spawn()
            .ok()?;
        let r = Redis { child, log };
        let deadline = Instant::now() + Duration::from_secs(120);
        while Instant::now() < deadline {
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
                let _ = s.write_all(b"PING\r\n");
                let mut buf = [0u8; 64];
                if let Ok(n) = s.read(&mut buf) {
                    if buf[..n].starts_with(b"+PONG") {
                        return Some(r);
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }

    /// The load time Redis logged.
    fn logged_load_time(&self) -> Option<Duration> {
        let log = std::fs::read_to_string(&self.log).ok()?;
        let line = log.lines().find(|l| l.contains("DB loaded from disk"))?;
        let secs: f64 = line
            .split(": ")
            .last()?
            .split_whitespace()
            .next()?
            .parse()
            .ok()?;
        Some(Duration::from_secs_f64(secs))
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let n = env_num("KEYS", 1_000_000);
    let rounds = env_num("ROUNDS", 3).max(1);
    let dir = std::env::temp_dir().join(format!("ferrous-persist-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("bench directory");
    let file = dir.join("ferrous.rdb");
    let store = populate(n);
    let have_redis = Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok();
    let port = 7399;
    let (mut fs, mut fl, mut rs, mut rl) = (vec![], vec![], vec![], vec![]);
    for round in 0..rounds {
        fs.push(ferrous_save(&store, &file));
        fl.push(ferrous_load(&file, n));
        if have_redis {
            let redis = Redis::start(&dir, port).expect("redis-server starts");
            let reply = command(port, &["DEBUG", "POPULATE", &n.to_string()]);
            assert!(reply.starts_with("+OK"), "{reply}");
            let t = Instant::now();
            let reply = command(port, &["SAVE"]);
            rs.push(t.elapsed());
            assert!(reply.starts_with("+OK"), "{reply}");
            drop(redis);
            let restarted = Redis::start(&dir, port).expect("redis-server restarts");
            rl.push(restarted.logged_load_time().expect("load time in the log"));
        }
        eprintln!("round {} of {rounds} done", round + 1);
    }
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    let (fs, fl) = (median(&mut fs), median(&mut fl));
    println!(
        "{n} keys, file {:.1} MB, median of {rounds} rounds",
        size as f64 / 1e6
    );
    println!(
        "ferrous: save {:.3} s, load {:.3} s",
        fs.as_secs_f64(),
        fl.as_secs_f64()
    );
    if have_redis {
        let redis_size = std::fs::metadata(dir.join("redis.rdb"))
            .map(|m| m.len())
            .unwrap_or(0);
        let (rs, rl) = (median(&mut rs), median(&mut rl));
        println!(
            "redis:   save {:.3} s, load {:.3} s (file {:.1} MB)",
            rs.as_secs_f64(),
            rl.as_secs_f64(),
            redis_size as f64 / 1e6
        );
        println!(
            "ratio ferrous/redis: save {:.2}, load {:.2}",
            fs.as_secs_f64() / rs.as_secs_f64(),
            fl.as_secs_f64() / rl.as_secs_f64()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
