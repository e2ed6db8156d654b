//! A client's outbound queue, for clients that receive pushed messages (pub/sub
//! messages, client-side caching invalidations).
//!
//! Why: a subscriber's connection thread sleeps in `read`, so it cannot notice a
//! message published by another client. The publisher must not write to the
//! subscriber's socket itself either: a slow subscriber would then stall the
//! publisher (and, since publishing runs under the keyspace lock, everyone). So
//! the outbox is *attached* when a client may receive pushes (its first
//! SUBSCRIBE, CLIENT TRACKING, or a push from another client addressed to it);
//! attaching starts a writer thread (through the registry entry, see
//! `ClientHandle::attach_outbox`); pushers append framed messages to this queue
//! and signal a condition variable; the writer takes everything queued and writes
//! it with one `write_all` ([`Outbox::drain_into`]).
//!
//! Invariants:
//! - once the outbox is attached, *all* output of the client goes through the queue:
//!   the connection thread hands its replies over ([`Outbox::hand_over`]) while it
//!   still holds the keyspace lock, so replies and messages leave in the order they
//!   were produced (a SUBSCRIBE confirmation always precedes the first message it
//!   enables);
//! - before the outbox is attached, the connection writes its replies itself; a
//!   hand-over with bytes to write then *holds* the queue until the connection has
//!   written them and [`Outbox::release`]s it: the writer never writes while the
//!   connection does, and a message queued meanwhile (the outbox was attached by
//!   another client after the replies were produced) follows them;
//! - `pending` counts bytes queued plus bytes being written; a push that would pass
//!   the hard limit, or that finds the queue above the soft limit for longer than
//!   the soft period, is refused and the caller disconnects the client
//!   (`client-output-buffer-limit pubsub 32mb 8mb 60` by default; the limits are
//!   read from [`Limits`], which CONFIG SET updates, at every push); the server
//!   goes on;
//! - `close` lets the writer drain what is queued and stop; the connection thread
//!   joins it before closing the socket, so a final reply (QUIT's `+OK`) is sent.
use super::config::ObufLimit;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Redis's default `client-output-buffer-limit pubsub 32mb 8mb 60`.
pub const PUBSUB_HARD_LIMIT: usize = 32 * 1024 * 1024;
pub const PUBSUB_SOFT_LIMIT: usize = 8 * 1024 * 1024;
pub const PUBSUB_SOFT_SECONDS: u64 = 60;

/// The pubsub class's `client-output-buffer-limit`, shared by every outbox of a
/// server and updated in place by CONFIG SET (relaxed atomics: a push sees the old
/// or the new value of each field).
#[derive(Debug)]
pub struct Limits {
    hard: AtomicU64,
    soft: AtomicU64,
    soft_seconds: AtomicU64,
}

impl Limits {
    pub fn new(l: ObufLimit) -> Limits {
        Limits {
            hard: AtomicU64::new(l.hard),
            soft: AtomicU64::new(l.soft),
            soft_seconds: AtomicU64::new(l.soft_seconds),
        }
    }

    pub fn store(&self, l: ObufLimit) {
        self.hard.store(l.hard, Ordering::Relaxed);
        self.soft.store(l.soft, Ordering::Relaxed);
        self.soft_seconds.store(l.soft_seconds, Ordering::Relaxed);
    }

    pub fn load(&self) -> ObufLimit {
        ObufLimit {
            hard: self.hard.load(Ordering::Relaxed),
            soft: self.soft.load(Ordering::Relaxed),
            soft_seconds: self.soft_seconds.load(Ordering::Relaxed),
        }
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::new(ObufLimit {
            hard: PUBSUB_HARD_LIMIT as u64,
            soft: PUBSUB_SOFT_LIMIT as u64,
            soft_seconds: PUBSUB_SOFT_SECONDS,
        })
    }
}

#[derive(Debug, Default)]
struct State {
    buf: Vec<u8>,
    pending: usize,
    closed: bool,
    attached: bool,
    /// The connection writes replies of its own: the writer waits.
    held: bool,
    soft_since: Option<Instant>,
}

/// Where the connection's replies went ([`Outbox::hand_over`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandOver {
    /// Into the queue (the outbox is attached); nothing is left to write.
    Queued,
    /// The connection writes them itself; when there were any, the queue is held
    /// until [`Outbox::release`].
    Direct,
    /// The queue refused them (output limit): the client must be disconnected.
    Refused,
}

/// The queue; lives in the client's registry entry.
#[derive(Debug, Default)]
pub struct Outbox {
    state: Mutex<State>,
    ready: Condvar,
    limits: Arc<Limits>,
    /// `state.attached`, readable without the mutex (it only ever turns true).
    attached: AtomicBool,
}

impl Outbox {
    /// An outbox that enforces `limits` (the server's, shared by all clients).
    pub fn with_limits(limits: Arc<Limits>) -> Outbox {
        Outbox {
            state: Mutex::default(),
            ready: Condvar::new(),
            limits,
            attached: AtomicBool::new(false),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether all output of the client goes through this queue.
    #[inline]
    pub fn is_attached(&self) -> bool {
        self.attached.load(Ordering::Acquire)
    }

    /// From now on all output of the client goes through this queue. True when
    /// it was not attached before (the caller then starts the writer thread).
    pub fn attach(&self) -> bool {
        let mut st = self.lock();
        self.attached.store(true, Ordering::Release);
        !std::mem::replace(&mut st.attached, true)
    }

    /// The connection's replies in `out`, produced under the keyspace lock (and
    /// handed over before it is released): queued when the outbox is attached
    /// and not held, else left for the connection to write (holding the queue
    /// until [`Outbox::release`] when there are any).
    pub fn hand_over(&self, out: &mut Vec<u8>) -> HandOver {
        if out.is_empty() {
            return HandOver::Direct;
        }
        let mut st = self.lock();
        if st.attached && !st.held {
            drop(st);
            let queued = self.push(out);
            out.clear();
            return if queued {
                HandOver::Queued
            } else {
                HandOver::Refused
            };
        }
        st.held = true;
        HandOver::Direct
    }

    /// The connection has written the replies it held the queue for: the writer
    /// may go on.
    pub fn release(&self) {
        let mut st = self.lock();
        st.held = false;
        let wake = !st.buf.is_empty();
        drop(st);
        if wake {
            self.ready.notify_one();
        }
    }

    /// Queues `bytes`; false when the output buffer limit is passed (the caller
    /// then disconnects the client and the bytes are dropped).
    pub fn push(&self, bytes: &[u8]) -> bool {
        let l = self.limits.load();
        let size = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        self.push_limited(
            bytes,
            size(l.hard),
            size(l.soft),
            Duration::from_secs(l.soft_seconds),
        )
    }

    fn push_limited(&self, bytes: &[u8], hard: usize, soft: usize, soft_period: Duration) -> bool {
        let mut st = self.lock();
        if st.closed {
            return false;
        }
        // As Redis: the limits are reached at, not past, their size.
        let after = st.pending + bytes.len();
        if hard > 0 && after >= hard {
            return false;
        }
        if soft > 0 && after >= soft {
            // The first time over it starts the clock (and is allowed).
            match st.soft_since {
                None => st.soft_since = Some(Instant::now()),
                Some(since) if since.elapsed() > soft_period => return false,
                Some(_) => {}
            }
        } else {
            st.soft_since = None;
        }
        // The writer waits only while the queue is empty (or held), so only the
        // push that makes it non-empty needs to wake it (a wake-up is a system
        // call); `release` wakes it for what was queued while held.
        let was_empty = st.buf.is_empty() && !st.held;
        st.buf.extend_from_slice(bytes);
        st.pending = after;
        drop(st);
        if was_empty {
            self.ready.notify_one();
        }
        true
    }

    /// Bytes queued or being written (what the output limits count).
    /// Whether the queue has stayed at or above the soft limit for longer than
    /// the soft period. The cron asks, so that a client stuck over the soft
    /// limit is dropped even when nothing more is pushed to it (as Redis's
    /// `clientsCron` does).
    pub fn soft_overdue(&self) -> bool {
        let l = self.limits.load();
        let mut st = self.lock();
        if l.soft == 0 || (st.pending as u64) < l.soft {
            st.soft_since = None;
            return false;
        }
        st.soft_since
            .is_some_and(|t| t.elapsed() > Duration::from_secs(l.soft_seconds))
    }

    pub fn pending(&self) -> usize {
        self.lock().pending
    }

    /// Bytes queued and not yet handed to the socket (CLIENT LIST `omem`). The
    /// chunk the writer thread is writing is left out: its client may already
    /// have read it (and sent the CLIENT LIST) before the write call returns.
    pub fn queued(&self) -> usize {
        self.lock().buf.len()
    }

    /// Stops the writer once it has written what is queued (the server joins it).
    pub fn close(&self) {
        let mut st = self.lock();
        st.closed = true;
        st.held = false;
        drop(st);
        self.ready.notify_one();
    }

    /// The writer's loop: wait for bytes, write them to `w`, repeat until closed
    /// or until a write fails (the peer is gone; the queue is then closed).
    pub fn drain_into(&self, mut w: impl Write) {
        let mut chunk = Vec::new();
        loop {
            {
                let mut st = self.lock();
                while (st.buf.is_empty() || st.held) && !st.closed {
                    st = self.ready.wait(st).unwrap_or_else(|e| e.into_inner());
                }
                if st.buf.is_empty() {
                    return;
                }
                std::mem::swap(&mut chunk, &mut st.buf);
            }
            let ok = w.write_all(&chunk).is_ok();
            let n = chunk.len();
            chunk.clear();
            if chunk.capacity() > 1024 * 1024 {
                chunk = Vec::new();
            }
            let mut st = self.lock();
            st.pending = st.pending.saturating_sub(n);
            if !ok {
                st.closed = true;
                st.buf = Vec::new();
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_refuse_pushes() {
        let o = Outbox::default();
        let soon = Duration::from_millis(50);
        assert!(o.push_limited(b"12345", 10, 0, soon));
        assert!(!o.push_limited(b"12345", 10, 0, soon));
        assert_eq!(o.pending(), 5);
        // At the soft limit: allowed until the period has passed.
        assert!(o.push_limited(b"1", 0, 4, soon));
        assert!(o.push_limited(b"1", 0, 4, soon));
        std::thread::sleep(Duration::from_millis(80));
        assert!(!o.push_limited(b"1", 0, 4, soon));
        assert_eq!(o.pending(), 7);
        // The shared limits are read at every push.
        let limits = Arc::new(Limits::default());
        let o = Outbox::with_limits(limits.clone());
        assert!(o.push(&[0; 100]));
        limits.store(ObufLimit {
            hard: 150,
            soft: 0,
            soft_seconds: 0,
        });
        assert!(!o.push(&[0; 50]));
        assert!(o.push(&[0; 49]));
    }

    #[test]
    fn the_soft_limit_expires_without_further_pushes() {
        let limits = Arc::new(Limits::default());
        limits.store(ObufLimit {
            hard: 0,
            soft: 10,
            soft_seconds: 0,
        });
        let o = Outbox::with_limits(limits.clone());
        assert!(o.push(&[0; 5]));
        assert!(!o.soft_overdue(), "under the soft limit");
        assert!(o.push(&[0; 6]));
        std::thread::sleep(Duration::from_millis(5));
        assert!(o.soft_overdue(), "over it for longer than 0 s");
        limits.store(ObufLimit {
            hard: 0,
            soft: 100,
            soft_seconds: 0,
        });
        assert!(!o.soft_overdue(), "the limit was raised");
    }

    #[test]
    fn a_hand_over_holds_the_queue_until_released() {
        let o = Arc::new(Outbox::default());
        // Not attached: the connection writes its replies, holding the queue.
        let mut out = b"+first\r\n".to_vec();
        assert_eq!(o.hand_over(&mut out), HandOver::Direct);
        assert_eq!(out, b"+first\r\n");
        // Another client attaches the outbox and pushes a message meanwhile.
        assert!(o.attach());
        assert!(!o.attach());
        assert!(o.push(b">1\r\n+msg\r\n"));
        let o2 = o.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        let writer = std::thread::spawn(move || {
            let mut sink = Vec::new();
            o2.drain_into(&mut sink);
            let _ = tx.send(sink);
        });
        std::thread::sleep(Duration::from_millis(30));
        // Still held: the writer wrote nothing; after release it writes.
        let mut more = b"+second\r\n".to_vec();
        assert_eq!(o.hand_over(&mut more), HandOver::Direct);
        o.release();
        let mut later = b"+third\r\n".to_vec();
        assert_eq!(o.hand_over(&mut later), HandOver::Queued);
        assert!(later.is_empty());
        o.close();
        let _ = writer.join();
        assert_eq!(
            rx.recv().unwrap_or_default(),
            b">1\r\n+msg\r\n+third\r\n".to_vec()
        );
    }
}
