//! The keyspace lock: a `Mutex<Keyspace>` whose waiters can give up, and the
//! server's policy for taking it (wait, or answer `BUSY` while a script runs long).
//!
//! Every command runs holding this lock (see the module doc of `server`). A
//! plain `Mutex::lock` cannot be interrupted, and that matters for one case: a
//! connection that started waiting for the lock just before a long script took
//! it must still answer `BUSY` once the script passes the busy threshold
//! ([`lock_or_busy`]), instead of waiting for the script to end.
//!
//! So a thread that finds the lock taken does not park on the mutex itself but
//! on a gate (a condition variable), and asks its `give_up` test at every
//! wake-up. Two things wake it: a release of the lock (which opens the gate for
//! one waiter), and [`KeyspaceLock::poke_waiters`], which the running script's
//! hook calls once the script is past the busy threshold (every waiter then
//! asks its test again). Nothing else does: a waiter costs no CPU while it waits.
//!
//! Invariants:
//! - `waiters` counts the threads between registering at the gate and leaving
//!   it; a release or a poke that sees it non-zero notifies while holding the
//!   gate mutex, so a waiter cannot miss one that happens after its last
//!   `try_lock` / `give_up` (it holds the gate mutex from those until it sleeps);
//! - a poisoned lock is still handed out: the keyspace is consistent at command
//!   granularity, so later commands go on after a panicking handler.
use crate::cmd::{ClientState, Keyspace, Shared};
use crate::resp::parse::Request;
use crate::resp::Reply;
use std::cell::Cell;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, TryLockError};

thread_local! {
    /// See [`KeyspaceLock::defer_after_release`].
    static DEFERRED: Cell<bool> = const { Cell::new(false) };
}

/// The keyspace behind its lock.
pub struct KeyspaceLock {
    ks: Mutex<Keyspace>,
    waiters: AtomicUsize,
    gate: Mutex<()>,
    released: Condvar,
    /// Runs after every release, before the releasing thread goes on: the
    /// append-only file's write (and fsync under `appendfsync always`) of
    /// what the commands just run propagated, so that no reply of theirs,
    /// sent after this, gets ahead of it. Outside the lock, so that the
    /// threads releasing it meanwhile share one write and one fsync (group
    /// commit; the writer's own mutex keeps the bytes in order).
    pub after_release: OnceLock<Box<dyn Fn() + Send + Sync>>,
}

/// The keyspace, locked; releasing it (dropping the guard) wakes a waiter.
pub struct KeyspaceGuard<'a> {
    guard: Option<MutexGuard<'a, Keyspace>>,
    lock: &'a KeyspaceLock,
}

impl KeyspaceLock {
    pub fn new(ks: Keyspace) -> KeyspaceLock {
        KeyspaceLock {
            ks: Mutex::new(ks),
            waiters: AtomicUsize::new(0),
            gate: Mutex::new(()),
            released: Condvar::new(),
            after_release: OnceLock::new(),
        }
    }

    /// The lock if it is free now.
    pub fn try_lock(&self) -> Option<KeyspaceGuard<'_>> {
        let guard = match self.ks.try_lock() {
            Ok(g) => g,
            Err(TryLockError::Poisoned(e)) => e.into_inner(),
            Err(TryLockError::WouldBlock) => return None,
        };
        Some(KeyspaceGuard {
            guard: Some(guard),
            lock: self,
        })
    }

    /// Waits for the lock.
    pub fn lock(&self) -> KeyspaceGuard<'_> {
        loop {
            if let Some(g) = self.lock_or_give_up(|| false) {
                return g;
            }
        }
    }

    /// Waits for the lock, asking `give_up` whenever the lock is found taken
    /// and at every poke; `None` once it says so.
    pub fn lock_or_give_up(&self, mut give_up: impl FnMut() -> bool) -> Option<KeyspaceGuard<'_>> {
        if let Some(g) = self.try_lock() {
            return Some(g);
        }
        let mut gate = self.gate.lock().unwrap_or_else(|e| e.into_inner());
        self.waiters.fetch_add(1, Ordering::SeqCst);
        let got = loop {
            if let Some(g) = self.try_lock() {
                break Some(g);
            }
            if give_up() {
                break None;
            }
            gate = self.released.wait(gate).unwrap_or_else(|e| e.into_inner());
        };
        self.waiters.fetch_sub(1, Ordering::SeqCst);
        got
    }

    /// Runs the [`KeyspaceLock::after_release`] hook now.
    pub fn run_after_release(&self) {
        if let Some(f) = self.after_release.get() {
            f();
        }
    }

    /// While `on`, releases made by this thread skip the `after_release`
    /// hook; the thread runs it itself before it sends anything (the poller,
    /// once per sweep: one AOF write and fsync for all its connections).
    pub fn defer_after_release(on: bool) {
        DEFERRED.with(|d| d.set(on));
    }

    /// Wakes every waiter to ask its `give_up` test again (a script has just
    /// become busy). Cheap when nobody waits.
    pub fn poke_waiters(&self) {
        if self.waiters.load(Ordering::SeqCst) > 0 {
            let _gate = self.gate.lock().unwrap_or_else(|e| e.into_inner());
            self.released.notify_all();
        }
    }
}

impl Drop for KeyspaceGuard<'_> {
    fn drop(&mut self) {
        drop(self.guard.take());
        if self.lock.waiters.load(Ordering::SeqCst) > 0 {
            let _gate = self.lock.gate.lock().unwrap_or_else(|e| e.into_inner());
            self.lock.released.notify_one();
        }
        if !DEFERRED.with(Cell::get) {
            self.lock.run_after_release();
        }
    }
}

impl Deref for KeyspaceGuard<'_> {
    type Target = Keyspace;
    fn deref(&self) -> &Keyspace {
        // Some until drop.
        self.guard.as_deref().unwrap_or_else(|| unreachable!())
    }
}

impl DerefMut for KeyspaceGuard<'_> {
    fn deref_mut(&mut self) -> &mut Keyspace {
        self.guard.as_deref_mut().unwrap_or_else(|| unreachable!())
    }
}

/// Takes the keyspace lock for a connection's batch, or, when a script has been
/// running past the busy threshold, answers the batch through
/// `scripting::busy_reply` and returns None. A connection already waiting when
/// the script took the lock is poked by the script's hook once the script is
/// busy, and answers BUSY then instead of waiting for the script to end.
pub fn lock_or_busy<'a>(
    lock: &'a KeyspaceLock,
    shared: &std::sync::Arc<Shared>,
    client: &mut ClientState,
    out: &mut Reply,
    batch: &[Request],
) -> Option<KeyspaceGuard<'a>> {
    let guard = lock.lock_or_give_up(|| crate::scripting::is_busy(shared));
    if guard.is_none() {
        for req in batch {
            crate::scripting::busy_reply(shared, client, req, out);
            if client.close_after_reply {
                break;
            }
        }
    }
    guard
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    #[test]
    fn waiters_get_the_lock_when_it_is_released() {
        let lock = Arc::new(KeyspaceLock::new(Keyspace::new(1)));
        let held = lock.lock();
        let mut threads = Vec::new();
        for _ in 0..4 {
            let l = lock.clone();
            threads.push(std::thread::spawn(move || {
                let mut g = l.lock();
                g.store.dirty += 1;
            }));
        }
        std::thread::sleep(Duration::from_millis(20));
        drop(held);
        for t in threads {
            t.join().expect("waiter");
        }
        assert_eq!(lock.lock().store.dirty, 4);
    }

    #[test]
    fn a_waiter_gives_up_while_the_lock_stays_taken() {
        let lock = Arc::new(KeyspaceLock::new(Keyspace::new(1)));
        let held = lock.lock();
        let l = lock.clone();
        let start = Instant::now();
        let give_up = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let g2 = give_up.clone();
        let waiter =
            std::thread::spawn(move || l.lock_or_give_up(|| g2.load(Ordering::SeqCst)).is_none());
        std::thread::sleep(Duration::from_millis(50));
        // Nothing wakes the waiter until it is poked: then it asks again.
        give_up.store(true, Ordering::SeqCst);
        lock.poke_waiters();
        assert!(waiter.join().expect("waiter"));
        assert!(start.elapsed() >= Duration::from_millis(50));
        drop(held);
        assert!(lock.try_lock().is_some());
    }
}
