//! The listening sockets: binding `bind` × `port`, one accept thread per
//! socket, and listening again when CONFIG SET changes `port` or `bind`.
//!
//! Each listening socket has its own accept thread, which accepts, gives the
//! connection its client id (so ids follow the order connections arrived on
//! that socket) and hands it to the pool (`pool.rs`). A thread stops when the
//! server shuts down or when its socket is *retired* by a rebind; it is woken
//! from `accept` by a throwaway connection to its own address, and closes
//! its socket as it ends.
//!
//! A rebind closes the current sockets (the new addresses may be the same
//! ones), then binds every new address: if any fails, the old addresses are
//! bound again and CONFIG SET gets Redis's error. Connections already
//! accepted stay, as in Redis.
//!
//! The Unix socket (`unixsocket`, fixed at startup as in Redis) has an accept
//! thread of its own. Its file is removed before binding (a stale one from an
//! earlier run would make the bind fail) and again at shutdown, and gets the
//! `unixsocketperm` mode when that is set.
//!
//! Invariants: `State::active` lists exactly the sockets whose threads are
//! accepting, and is emptied (threads joined, sockets closed) at shutdown;
//! `Shared::port` is the port of the active sockets.
use super::stream::Stream;
use super::Core;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

/// One accepting socket, as the registry sees it.
struct Active {
    addr: SocketAddr,
    retired: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

#[derive(Default)]
struct State {
    active: Vec<Active>,
    /// The `bind` list the active sockets came from.
    binds: Vec<String>,
    /// The Unix socket's path and accept thread.
    unix: Option<(PathBuf, JoinHandle<()>)>,
}

/// The accepting sockets of a server (in `Core`).
#[derive(Default)]
pub struct Listeners {
    state: Mutex<State>,
}

/// Binds every address of `binds` (redis.conf syntax: `*` every IPv4 address,
/// `::*` every IPv6 one, a leading `-` for an address that may be missing) on
/// `port` (0: an ephemeral one, the same on every address). Returns the
/// sockets and the port.
pub fn bind_all(binds: &[String], mut port: u16) -> io::Result<(Vec<TcpListener>, u16)> {
    let mut listeners = Vec::new();
    for addr in binds {
        let optional = addr.starts_with('-');
        let addr = match addr.trim_start_matches('-') {
            "*" => "0.0.0.0",
            "::*" => "::",
            a => a,
        };
        match TcpListener::bind((addr, port)) {
            Ok(l) => {
                port = l.local_addr()?.port();
                listeners.push(l);
            }
            Err(_) if optional => continue,
            Err(e) => return Err(e),
        }
    }
    if listeners.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "no bind address",
        ));
    }
    Ok((listeners, port))
}

impl Listeners {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts an accept thread for each of `listeners`, bound from `binds`.
    pub fn start(&self, core: &Arc<Core>, listeners: Vec<TcpListener>, binds: &[String]) {
        let mut st = self.lock();
        st.binds = binds.to_vec();
        for l in listeners {
            let Ok(addr) = l.local_addr() else { continue };
            let retired = Arc::new(AtomicBool::new(false));
            let (c, r) = (core.clone(), retired.clone());
            let spawned = std::thread::Builder::new()
                .name("accept".into())
                .spawn(move || accept_loop(&c, l, &r));
            match spawned {
                Ok(thread) => st.active.push(Active {
                    addr,
                    retired,
                    thread,
                }),
                Err(e) => core
                    .shared
                    .logger
                    .warning(&format!("Could not start an accept thread: {e}")),
            }
        }
    }

    /// Starts the accept thread of the Unix socket bound at `path`.
    pub fn start_unix(&self, core: &Arc<Core>, listener: UnixListener, path: PathBuf) {
        let c = core.clone();
        let spawned = std::thread::Builder::new()
            .name("accept-unix".into())
            .spawn(move || accept_unix(&c, listener));
        match spawned {
            Ok(thread) => self.lock().unix = Some((path, thread)),
            Err(e) => core
                .shared
                .logger
                .warning(&format!("Could not start an accept thread: {e}")),
        }
    }

    /// Wakes every accept thread (at shutdown: each then sees the flag).
    pub fn wake_all(&self) {
        let (addrs, unix): (Vec<SocketAddr>, Option<PathBuf>) = {
            let st = self.lock();
            (
                st.active.iter().map(|a| a.addr).collect(),
                st.unix.as_ref().map(|(p, _)| p.clone()),
            )
        };
        addrs.iter().for_each(wake);
        if let Some(p) = unix {
            let _ = UnixStream::connect(p);
        }
    }

    /// Waits for the shutdown (looking every 50 ms), then for every accept
    /// thread to end: their sockets are closed when this returns, and the Unix
    /// socket's file is removed.
    pub fn run_until_shutdown(&self, core: &Core, shutting_down: impl Fn() -> bool) {
        while !shutting_down() {
            std::thread::sleep(Duration::from_millis(50));
        }
        let (active, unix) = {
            let mut st = self.lock();
            (std::mem::take(&mut st.active), st.unix.take())
        };
        retire(active);
        if let Some((path, thread)) = unix {
            let _ = UnixStream::connect(&path);
            let _ = thread.join();
            let log = &core.shared.logger;
            log.notice("Removing the unix socket file.");
            if let Err(e) = std::fs::remove_file(&path) {
                log.warning(&format!("Error removing the unix socket file: {e}"));
            }
        }
    }

    /// Listens on `binds` × `port` instead of the current sockets: they are
    /// closed first (the new addresses may include them), then the new ones
    /// bound; if that fails, the old ones are bound again. On an error
    /// (logged) the server listens where it did.
    fn rebind(&self, core: &Arc<Core>, binds: &[String], port: u16) -> Result<(), String> {
        let sh = &core.shared;
        let (old, old_binds) = {
            let mut st = self.lock();
            (
                std::mem::take(&mut st.active),
                std::mem::take(&mut st.binds),
            )
        };
        let old_port = sh.port.load(Ordering::Relaxed);
        retire(old);
        match bind_all(binds, port) {
            Ok((listeners, bound)) => {
                self.start(core, listeners, binds);
                sh.port.store(bound, Ordering::Relaxed);
                Ok(())
            }
            Err(e) => {
                let msg = format!("Failed listening on port {port} (tcp): {e}");
                sh.logger.warning(&msg);
                match bind_all(&old_binds, old_port) {
                    Ok((listeners, _)) => self.start(core, listeners, &old_binds),
                    Err(e) => sh.logger.warning(&format!(
                        "Failed to listen again on port {old_port} (tcp): {e}"
                    )),
                }
                Err(msg)
            }
        }
    }
}

/// Stops the accept threads of `sockets` and waits until they have closed them.
fn retire(sockets: Vec<Active>) {
    for a in &sockets {
        a.retired.store(true, Ordering::Relaxed);
        wake(&a.addr);
    }
    for a in sockets {
        let _ = a.thread.join();
    }
}

/// Connects to `addr` (a wildcard address through loopback) and closes at
/// once, to wake its accept thread.
fn wake(addr: &SocketAddr) {
    let mut a = *addr;
    if a.ip().is_unspecified() {
        a.set_ip(if a.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        });
    }
    let _ = TcpStream::connect_timeout(&a, Duration::from_millis(500));
}

/// Gives `rebind` to CONFIG SET (through `cmd::shared::ServerHooks`).
pub fn install_rebind(core: &Arc<Core>) {
    let weak: Weak<Core> = Arc::downgrade(core);
    let hook = move |binds: &[String], port: u16| match weak.upgrade() {
        Some(core) => core.listen.rebind(&core, binds, port),
        None => Err("the server is gone".to_string()),
    };
    let _ = core.shared.hooks.rebind.set(Box::new(hook));
}

fn accept_loop(core: &Arc<Core>, listener: TcpListener, retired: &AtomicBool) {
    let sh = &core.shared;
    for stream in listener.incoming() {
        if sh.is_shutting_down() || retired.load(Ordering::Relaxed) {
            break;
        }
        let stream = match stream {
            Ok(s) => s,
            Err(e) => {
                sh.logger
                    .warning(&format!("Accepting client connection: {e}"));
                // Out of file descriptors and the like: back off briefly.
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        core.pool.submit(Stream::Tcp(stream), sh.new_client_id());
    }
}

/// Binds the Unix socket at `path` (a file already there is removed first, as
/// Redis does) and gives it mode `perm` unless that is 0.
pub fn bind_unix(path: &str, perm: u32) -> Result<UnixListener, String> {
    // sun_path holds 108 bytes with the terminating zero.
    if path.len() > 107 {
        return Err(format!(
            "unix socket path too long ({}), must be under 108",
            path.len()
        ));
    }
    let _ = std::fs::remove_file(path);
    let listener = UnixListener::bind(path).map_err(|e| e.to_string())?;
    if perm != 0 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(perm))
            .map_err(|e| e.to_string())?;
    }
    Ok(listener)
}

fn accept_unix(core: &Arc<Core>, listener: UnixListener) {
    let sh = &core.shared;
    for stream in listener.incoming() {
        if sh.is_shutting_down() {
            break;
        }
        match stream {
            Ok(s) => core.pool.submit(Stream::unix(s), sh.new_client_id()),
            Err(e) => {
                sh.logger
                    .warning(&format!("Accepting client connection: {e}"));
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}
