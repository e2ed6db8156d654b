//! The connection threads: a pool of parked threads that take accepted
//! connections from a queue, serve each until it closes, and park again.
//!
//! Why: a thread per connection is the design (see the module doc of `server`),
//! but starting a thread for every new connection put the thread's creation on
//! the accept path. Clients that connect quickly (10,000 at once, or
//! `redis-benchmark -k 0` opening a connection per request) then filled the
//! listen backlog, which std leaves at 128, and the kernel dropped their SYNs:
//! connects stalled for the one-second retransmit, 10,000 connections took 51 s
//! (redis-server: 0.9 s). Now the accept loop only accepts and queues; a parked
//! thread takes the connection, and when none is parked the *spawner* thread
//! starts more, off the accept path.
//!
//! Invariants:
//! - `queue` holds accepted connections no thread has taken yet; `idle` counts
//!   threads waiting for one, `starting` threads the spawner has started that
//!   have not yet taken one. The spawner starts threads while
//!   `queue.len() > idle + starting`, so every queued connection gets a thread
//!   without the pool growing past what the queue needs.
//! - A thread that has waited [`IDLE_EXIT`] with nothing to do exits, unless it
//!   is among the last [`KEEP_IDLE`]: the pool shrinks back after a burst and
//!   its stacks are given back.
//! - At shutdown every waiting thread wakes and exits; queued connections are
//!   closed.
use super::Core;
use std::collections::VecDeque;
use std::net::TcpStream;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// Parked threads kept however long they wait.
const KEEP_IDLE: usize = 16;
/// A parked thread beyond those exits after waiting this long.
const IDLE_EXIT: Duration = Duration::from_secs(30);

#[derive(Default)]
struct State {
    /// Accepted connections with the client ids they were given at accept.
    queue: VecDeque<(TcpStream, u64)>,
    idle: usize,
    starting: usize,
    closed: bool,
}

/// The pool of connection threads.
#[derive(Default)]
pub struct Pool {
    state: Mutex<State>,
    /// Wakes a parked thread: a connection was queued (or shutdown).
    work: Condvar,
    /// Wakes the spawner: the queue outgrew the parked threads.
    spawn: Condvar,
}

impl Pool {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues an accepted connection (client `id`) for the next free thread.
    pub fn submit(&self, stream: TcpStream, id: u64) {
        let mut st = self.lock();
        if st.closed {
            return;
        }
        st.queue.push_back((stream, id));
        if st.idle > 0 {
            self.work.notify_one();
        }
        // `idle` still counts parked threads already woken for earlier
        // connections but not yet running: when the queue outgrows it, a
        // thread must be started, or the newest connection waits for whoever
        // connects next.
        if st.queue.len() > st.idle {
            self.spawn.notify_one();
        }
    }

    /// Stops the pool: parked threads and the spawner exit; queued connections
    /// are dropped (closed).
    pub fn close(&self) {
        let mut st = self.lock();
        st.closed = true;
        st.queue.clear();
        self.work.notify_all();
        self.spawn.notify_all();
    }

    /// A connection thread: serve queued connections until idle for long.
    fn work(core: &Arc<Core>, mut first: bool) {
        let pool = &core.pool;
        loop {
            let (stream, id) = {
                let mut st = pool.lock();
                if first {
                    st.starting -= 1;
                    first = false;
                }
                loop {
                    if st.closed {
                        return;
                    }
                    if let Some(s) = st.queue.pop_front() {
                        break s;
                    }
                    st.idle += 1;
                    let (g, timeout) = pool
                        .work
                        .wait_timeout(st, IDLE_EXIT)
                        .unwrap_or_else(|e| e.into_inner());
                    st = g;
                    st.idle -= 1;
                    if timeout.timed_out() && st.queue.is_empty() && st.idle >= KEEP_IDLE {
                        return;
                    }
                }
            };
            super::conn::serve_new(core, stream, id);
        }
    }
}

/// The spawner: starts connection threads whenever queued connections outnumber
/// the threads that will take them. It ends when the pool is closed.
pub fn spawner(c: Arc<Core>) {
    c.pool.spawn_while_open(|| {
        let core = c.clone();
        let started = std::thread::Builder::new()
            .name("conn".into())
            .stack_size(super::conn::STACK)
            .spawn(move || Pool::work(&core, true));
        if started.is_err() {
            c.shared
                .logger
                .warning("Error creating a thread for a new client");
        }
        started.is_ok()
    });
}

impl Pool {
    /// The spawner's loop: calls `start` (which starts one thread running
    /// [`Pool::work`], false if it could not) for every queued connection no
    /// parked or starting thread will take, until the pool is closed.
    fn spawn_while_open(&self, mut start: impl FnMut() -> bool) {
        loop {
            let mut st = self.lock();
            while !st.closed && st.queue.len() <= st.idle + st.starting {
                st = self.spawn.wait(st).unwrap_or_else(|e| e.into_inner());
            }
            if st.closed {
                return;
            }
            let wanted = st.queue.len() - st.idle - st.starting;
            st.starting += wanted;
            drop(st);
            for _ in 0..wanted {
                if !start() {
                    // Take back the count, drop a connection no thread can
                    // serve, and wait a little before trying again.
                    let mut st = self.lock();
                    st.starting -= 1;
                    st.queue.pop_front();
                    drop(st);
                    std::thread::sleep(Duration::from_millis(10));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::sync::mpsc::channel;

    #[test]
    fn a_connection_queued_behind_a_woken_thread_gets_a_thread_started() {
        let pool = Arc::new(Pool::default());
        let (started, starts) = channel();
        let p = pool.clone();
        let spawner = std::thread::spawn(move || {
            p.spawn_while_open(|| started.send(()).is_ok());
        });
        // One thread is parked (the count is what matters here: it has been
        // woken for the first connection but has not run yet).
        pool.lock().idle = 1;
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        for id in 0..2 {
            let stream = TcpStream::connect(addr).expect("connect");
            pool.submit(stream, id);
        }
        // The second connection outnumbers the parked threads: one is started.
        assert!(starts.recv_timeout(Duration::from_secs(5)).is_ok());
        assert_eq!(pool.lock().starting, 1);
        pool.close();
        spawner.join().expect("spawner");
        assert!(starts.try_recv().is_err());
    }
}
