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
//! Invariants: `State::active` lists exactly the sockets whose threads are
//! accepting, and is emptied (threads joined, sockets closed) at shutdown;
//! `Shared::port` is the port of the active sockets.
use super::Core;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
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

    /// Wakes every accept thread (at shutdown: each then sees the flag).
    pub fn wake_all(&self) {
        let addrs: Vec<SocketAddr> = self.lock().active.iter().map(|a| a.addr).collect();
        addrs.iter().for_each(wake);
    }

    /// Waits for the shutdown (looking every 50 ms), then for every accept
    /// thread to end: their sockets are closed when this returns.
    pub fn run_until_shutdown(&self, shutting_down: impl Fn() -> bool) {
        while !shutting_down() {
            std::thread::sleep(Duration::from_millis(50));
        }
        let active = std::mem::take(&mut self.lock().active);
        retire(active);
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
        core.pool.submit(stream, sh.new_client_id());
    }
}
