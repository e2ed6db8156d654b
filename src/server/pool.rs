//! The connection threads: a pool of parked threads that are handed accepted
//! connections, serve each until it closes, and park again.
//!
//! Why: a thread per connection is the design (see the module doc of `server`),
//! but starting a thread for every new connection put the thread's creation on
//! the accept path. Clients that connect quickly (10,000 at once, or
//! `redis-benchmark -k 0` opening a connection per request) then filled the
//! listen backlog, which std leaves at 128, and the kernel dropped their SYNs:
//! connects stalled for the one-second retransmit, 10,000 connections took 51 s
//! (redis-server: 0.9 s). Now the accept loop only accepts and hands over; a
//! parked thread takes the connection, and when none is parked it is queued
//! and the *spawner* thread starts more, off the accept path.
//!
//! A parked thread waits on a slot of its own, and a new connection goes to the
//! thread that parked *last*: under a steady churn of connections (`-k 0`) the
//! same few threads take them all while the others time out and exit. (With
//! one condition variable for all, every notification woke the longest
//! sleeper, which found the connection already taken by a thread just back
//! from serving, and went back to sleep with a fresh timeout: the pool never
//! shrank, and each connection cost an extra wake-up.)
//!
//! Invariants:
//! - `idle` holds the slots of parked threads, most recent last; a slot taken
//!   out of it by `submit` receives exactly one connection (or the order to
//!   exit at shutdown), and its thread waits for it however long it takes.
//! - `queue` holds accepted connections no thread has taken yet; it is
//!   non-empty only while `idle` is empty. `starting` counts threads the
//!   spawner has started that have not yet taken one; the spawner starts
//!   threads while `queue.len() > starting`.
//! - A parked thread that waited [`IDLE_EXIT`] takes its slot back and exits,
//!   unless it is among the last [`KEEP_IDLE`] parked: the pool shrinks back
//!   after a burst and its stacks are given back.
//! - At shutdown every parked thread is told to exit; queued connections are
//!   closed.
use super::stream::Stream;
use super::Core;
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// Parked threads kept however long they wait.
const KEEP_IDLE: usize = 16;
/// A parked thread beyond those exits after waiting this long.
const IDLE_EXIT: Duration = Duration::from_secs(30);

/// An accepted connection and the client id it was given at accept.
type Job = (Stream, u64);

/// What a parked thread is handed.
enum Handed {
    Nothing,
    Job(Job),
    Exit,
}

/// A parked thread's own place to be handed work.
struct Slot {
    handed: Mutex<Handed>,
    cv: Condvar,
}

impl Slot {
    fn lock(&self) -> MutexGuard<'_, Handed> {
        self.handed.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn hand(&self, h: Handed) {
        *self.lock() = h;
        self.cv.notify_one();
    }
}

#[derive(Default)]
struct State {
    queue: VecDeque<Job>,
    idle: Vec<Arc<Slot>>,
    starting: usize,
    closed: bool,
}

/// The pool of connection threads.
#[derive(Default)]
pub struct Pool {
    state: Mutex<State>,
    /// Wakes the spawner: connections are queued that no thread will take.
    spawn: Condvar,
}

impl Pool {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Hands an accepted connection (client `id`) to the thread parked last,
    /// or queues it for a thread the spawner starts.
    pub fn submit(&self, stream: Stream, id: u64) {
        let mut st = self.lock();
        if st.closed {
            return;
        }
        if let Some(slot) = st.idle.pop() {
            drop(st);
            slot.hand(Handed::Job((stream, id)));
            return;
        }
        st.queue.push_back((stream, id));
        if st.queue.len() > st.starting {
            self.spawn.notify_one();
        }
    }

    /// Stops the pool: parked threads and the spawner exit; queued connections
    /// are dropped (closed).
    pub fn close(&self) {
        let mut st = self.lock();
        st.closed = true;
        st.queue.clear();
        let idle = std::mem::take(&mut st.idle);
        drop(st);
        for slot in idle {
            slot.hand(Handed::Exit);
        }
        self.spawn.notify_all();
    }

    /// The next connection for a pool thread, or `None` when it should exit.
    fn next(&self, first: bool) -> Option<Job> {
        let slot = {
            let mut st = self.lock();
            if first {
                st.starting -= 1;
            }
            if st.closed {
                return None;
            }
            if let Some(job) = st.queue.pop_front() {
                return Some(job);
            }
            let slot = Arc::new(Slot {
                handed: Mutex::new(Handed::Nothing),
                cv: Condvar::new(),
            });
            st.idle.push(slot.clone());
            slot
        };
        let mut handed = slot.lock();
        loop {
            match std::mem::replace(&mut *handed, Handed::Nothing) {
                Handed::Job(job) => return Some(job),
                Handed::Exit => return None,
                Handed::Nothing => {}
            }
            let (g, timeout) = slot
                .cv
                .wait_timeout(handed, IDLE_EXIT)
                .unwrap_or_else(|e| e.into_inner());
            handed = g;
            if timeout.timed_out() && matches!(*handed, Handed::Nothing) {
                // Take the slot back, unless a submit has just taken it (its
                // connection is on the way: wait for it).
                drop(handed);
                let mut st = self.lock();
                let mine = st.idle.iter().position(|s| Arc::ptr_eq(s, &slot));
                if let Some(i) = mine {
                    if st.idle.len() > KEEP_IDLE {
                        st.idle.remove(i);
                        return None;
                    }
                }
                drop(st);
                handed = slot.lock();
            }
        }
    }

    /// A connection thread: serve connections until told to exit or idle for long.
    fn work(core: &Arc<Core>, mut first: bool) {
        while let Some((stream, id)) = core.pool.next(first) {
            first = false;
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
            while !st.closed && st.queue.len() <= st.starting {
                st = self.spawn.wait(st).unwrap_or_else(|e| e.into_inner());
            }
            if st.closed {
                return;
            }
            let wanted = st.queue.len() - st.starting;
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
    fn a_connection_goes_to_the_thread_parked_last_or_to_a_new_thread() {
        let pool = Arc::new(Pool::default());
        let (started, starts) = channel();
        let p = pool.clone();
        let spawner = std::thread::spawn(move || {
            p.spawn_while_open(|| started.send(()).is_ok());
        });
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        // Two parked threads: the one parked last gets the first connection.
        let parked: Vec<_> = (0..2)
            .map(|n| {
                let p = pool.clone();
                let t = std::thread::spawn(move || p.next(false).map(|(_, id)| (n, id)));
                while pool.lock().idle.len() <= n {
                    std::thread::yield_now();
                }
                t
            })
            .collect();
        pool.submit(
            Stream::Tcp(std::net::TcpStream::connect(addr).expect("connect")),
            7,
        );
        let mut parked = parked.into_iter();
        let first = parked.next().expect("first");
        let last = parked.next().expect("last");
        assert_eq!(last.join().expect("last parked"), Some((1, 7)));
        assert_eq!(pool.lock().idle.len(), 1);
        pool.submit(
            Stream::Tcp(std::net::TcpStream::connect(addr).expect("connect")),
            8,
        );
        assert_eq!(first.join().expect("first parked"), Some((0, 8)));
        // Nobody parked: the connection waits in the queue and a thread is started.
        pool.submit(
            Stream::Tcp(std::net::TcpStream::connect(addr).expect("connect")),
            9,
        );
        assert!(starts.recv_timeout(Duration::from_secs(5)).is_ok());
        assert_eq!(pool.lock().starting, 1);
        assert_eq!(pool.next(true).map(|(_, id)| id), Some(9));
        pool.close();
        spawner.join().expect("spawner");
        assert!(pool.next(false).is_none());
    }
}
