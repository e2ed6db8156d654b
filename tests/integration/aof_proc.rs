//! The `ferrous` binary as the AOF tests run it: a process on a directory of
//! the test's own (killed with SIGKILL when dropped), and small readers of
//! INFO and of the files it writes.
use super::support::{free_port, Conn};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `ferrous` binary on a dir of the test's own, killed (SIGKILL) on drop.
pub struct Proc {
    pub child: Child,
    pub port: u16,
}

impl Proc {
    pub fn start(dir: &Path, args: &[&str]) -> Proc {
        Proc::try_start(dir, args).unwrap_or_else(|log| panic!("ferrous did not start: {log}"))
    }

    /// Starts it; `Err` holds its log when it exits instead.
    pub fn try_start(dir: &Path, args: &[&str]) -> Result<Proc, String> {
        Proc::launch(dir, &dir.join("log.txt"), args, None)
    }

    /// Starts it with `dir` on a tmpfs of `size` (e.g. `"256k"`) holding a
    /// file `filler` of `filler` bytes, in a mount namespace of its own made
    /// by `unshare -rm` (no root needed), so that its writes can run out of
    /// space for real and get room again when the test deletes `filler`
    /// through [`Proc::in_ns`]. `None` where such namespaces are not
    /// allowed (the test then has nothing to run on).
    pub fn start_on_tmpfs(
        dir: &Path,
        log: &Path,
        size: &str,
        filler: usize,
        args: &[&str],
    ) -> Option<Proc> {
        let ok = Command::new("unshare")
            .args(["-rm", "true"])
            .stderr(Stdio::null())
            .status();
        if !matches!(ok, Ok(s) if s.success()) {
            return None;
        }
        Some(
            Proc::launch(dir, log, args, Some((size, filler)))
                .unwrap_or_else(|log| panic!("ferrous did not start: {log}")),
        )
    }

    /// `path` as the server sees it (inside its mount namespace).
    pub fn in_ns(&self, path: &Path) -> PathBuf {
        let mut p = PathBuf::from(format!("/proc/{}/root", self.child.id()));
        p.push(path.strip_prefix("/").unwrap_or(path));
        p
    }

    /// A free port can be taken by a server of another test before ours
    /// binds it: then ours exits and the one answering is not ours (its
    /// `process_id` says so), and the start is tried again on another port.
    fn launch(
        dir: &Path,
        log: &Path,
        args: &[&str],
        tmpfs: Option<(&str, usize)>,
    ) -> Result<Proc, String> {
        for _ in 0..5 {
            let mut p = Proc::try_start_once(dir, log, args, tmpfs)?;
            let pid = format!("process_id:{}\r\n", p.child.id());
            if p.connect().q("info server").contains(&pid) {
                return Ok(p);
            }
            p.kill9();
        }
        Err("no free port".into())
    }

    fn try_start_once(
        dir: &Path,
        log: &Path,
        args: &[&str],
        tmpfs: Option<(&str, usize)>,
    ) -> Result<Proc, String> {
        let port = free_port();
        let mut cmd = match tmpfs {
            None => Command::new(env!("CARGO_BIN_EXE_ferrous")),
            Some((size, filler)) => {
                // `exec` keeps the process id: the child is the server.
                let script = "D=$1; S=$2; F=$3; shift 3; \
                    mount -t tmpfs -o size=$S tmpfs \"$D\" && \
                    head -c $F /dev/zero > \"$D/filler\" && exec \"$@\"";
                let mut c = Command::new("unshare");
                c.args(["-rm", "sh", "-c", script, "sh"])
                    .arg(dir)
                    .args([size, &filler.to_string()])
                    .arg(env!("CARGO_BIN_EXE_ferrous"));
                c
            }
        };
        let mut child = cmd
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
            ])
            .args(["--dir", dir.to_str().expect("utf-8 temp path")])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .args(["--logfile", log.to_str().expect("utf-8")])
            .spawn()
            .expect("start ferrous");
        let deadline = Instant::now() + Duration::from_secs(20);
        // The port is bound before the dataset is loaded: ready is when PING
        // is answered.
        loop {
            if let Ok(Some(_)) = child.try_wait() {
                return Err(std::fs::read_to_string(log).unwrap_or_default());
            }
            assert!(Instant::now() < deadline, "ferrous did not start");
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
                use std::io::{Read, Write};
                s.set_read_timeout(Some(Duration::from_millis(200))).ok();
                let mut b = [0u8; 16];
                if s.write_all(b"PING\r\n").is_ok() && matches!(s.read(&mut b), Ok(n) if n > 0) {
                    break;
                }
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(Proc { child, port })
    }

    pub fn connect(&self) -> Conn {
        let s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        s.set_nodelay(true).ok();
        s.set_read_timeout(Some(Duration::from_secs(20))).ok();
        Conn::from_stream(s)
    }

    /// SHUTDOWN NOSAVE, and waits for the process to end.
    pub fn shutdown(mut self, mut c: Conn) {
        c.send(b"shutdown nosave\r\n");
        assert!(c.is_closed());
        let _ = self.child.wait();
    }

    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill9();
    }
}

pub fn info_field(c: &mut Conn, name: &str) -> String {
    let info = c.q("info persistence");
    info.split("\r\n")
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .unwrap_or_else(|| panic!("no {name} in {info}"))
        .to_string()
}

pub fn wait_for_rewrite(c: &mut Conn) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while info_field(c, "aof_rewrite_in_progress") != "0"
        || info_field(c, "aof_rewrite_scheduled") != "0"
    {
        assert!(Instant::now() < deadline, "the rewrite did not end");
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn read(path: PathBuf) -> String {
    String::from_utf8_lossy(&std::fs::read(&path).unwrap_or_default()).into_owned()
}

pub fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|r| {
            r.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// redis-server 7.0.15 on a dir of the test's own, when it is installed
/// (`None` otherwise: the comparison is skipped), killed when dropped.
pub struct Redis {
    child: Child,
    port: u16,
}

impl Redis {
    pub fn start(dir: &Path, args: &[&str]) -> Option<Redis> {
        Command::new("redis-server")
            .arg("--version")
            .output()
            .ok()?;
        let port = free_port();
        let mut child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--dir", dir.to_str()?])
            .args(args)
            .stdout(Stdio::null())
            .spawn()
            .ok()?;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let r = Redis { child, port };
        // It answers LOADING until the dataset is in.
        let mut c = r.connect();
        while c.q("ping").starts_with("-LOADING") {
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(r)
    }

    pub fn connect(&self) -> Conn {
        let s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(20))).ok();
        Conn::from_stream(s)
    }

    /// SHUTDOWN NOSAVE, and waits for the process to end.
    pub fn shutdown(mut self) {
        let mut c = self.connect();
        c.send(b"shutdown nosave\r\n");
        let _ = self.child.wait();
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
