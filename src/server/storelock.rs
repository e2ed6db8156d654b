//! The keyspace lock: a `Mutex<Store>` whose waiters can give up.
//!
//! Every command runs holding this lock (see the module doc of `server`). A
//! plain `Mutex::lock` cannot be interrupted, and that matters for one case: a
//! connection that started waiting for the lock just before a long script took
//! it must still answer `BUSY` once the script passes the busy threshold
//! (`scripting::lock_or_busy`), instead of waiting for the script to end.
//!
//! So a thread that finds the lock taken does not park on the mutex itself but
//! on a gate (a condition variable), for at most [`RECHECK`] at a time, and
//! asks its `give_up` test at every wake-up. Releasing the lock opens the gate
//! for one waiter when there are any; with none (the common case) a release
//! costs one atomic load more than a plain mutex.
//!
//! Invariants:
//! - `waiters` counts the threads between registering at the gate and leaving
//!   it; a release that sees it non-zero notifies one of them, holding the gate
//!   mutex, so a waiter cannot miss a release that happens after its last
//!   `try_lock` (it holds the gate mutex from that `try_lock` until it sleeps);
//! - a poisoned lock is still handed out: the keyspace is consistent at command
//!   granularity, so later commands go on after a panicking handler.
use crate::store::Store;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, TryLockError};
use std::time::Duration;

/// A waiter re-checks `give_up` at least this often.
pub const RECHECK: Duration = Duration::from_millis(5);

/// The keyspace behind its lock.
pub struct StoreLock {
    store: Mutex<Store>,
    waiters: AtomicUsize,
    gate: Mutex<()>,
    released: Condvar,
}

/// The keyspace, locked; releasing it (dropping the guard) wakes a waiter.
pub struct StoreGuard<'a> {
    guard: Option<MutexGuard<'a, Store>>,
    lock: &'a StoreLock,
}

impl StoreLock {
    pub fn new(store: Store) -> StoreLock {
        StoreLock {
            store: Mutex::new(store),
            waiters: AtomicUsize::new(0),
            gate: Mutex::new(()),
            released: Condvar::new(),
        }
    }

    /// The lock if it is free now.
    pub fn try_lock(&self) -> Option<StoreGuard<'_>> {
        let guard = match self.store.try_lock() {
            Ok(g) => g,
            Err(TryLockError::Poisoned(e)) => e.into_inner(),
            Err(TryLockError::WouldBlock) => return None,
        };
        Some(StoreGuard {
            guard: Some(guard),
            lock: self,
        })
    }

    /// Waits for the lock.
    pub fn lock(&self) -> StoreGuard<'_> {
        loop {
            if let Some(g) = self.lock_or_give_up(|| false) {
                return g;
            }
        }
    }

    /// Waits for the lock, asking `give_up` whenever the lock is found taken
    /// and at least every [`RECHECK`]; `None` once it says so.
    pub fn lock_or_give_up(&self, mut give_up: impl FnMut() -> bool) -> Option<StoreGuard<'_>> {
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
            gate = match self.released.wait_timeout(gate, RECHECK) {
                Ok((g, _)) => g,
                Err(e) => e.into_inner().0,
            };
        };
        self.waiters.fetch_sub(1, Ordering::SeqCst);
        got
    }
}

impl Drop for StoreGuard<'_> {
    fn drop(&mut self) {
        drop(self.guard.take());
        if self.lock.waiters.load(Ordering::SeqCst) > 0 {
            let _gate = self.lock.gate.lock().unwrap_or_else(|e| e.into_inner());
            self.lock.released.notify_one();
        }
    }
}

impl Deref for StoreGuard<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        // Some until drop.
        self.guard.as_deref().unwrap_or_else(|| unreachable!())
    }
}

impl DerefMut for StoreGuard<'_> {
    fn deref_mut(&mut self) -> &mut Store {
        self.guard.as_deref_mut().unwrap_or_else(|| unreachable!())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Instant;

    #[test]
    fn waiters_get_the_lock_when_it_is_released() {
        let lock = Arc::new(StoreLock::new(Store::new(1)));
        let held = lock.lock();
        let mut threads = Vec::new();
        for _ in 0..4 {
            let l = lock.clone();
            threads.push(std::thread::spawn(move || {
                let mut g = l.lock();
                g.dirty += 1;
            }));
        }
        std::thread::sleep(Duration::from_millis(20));
        drop(held);
        for t in threads {
            t.join().expect("waiter");
        }
        assert_eq!(lock.lock().dirty, 4);
    }

    #[test]
    fn a_waiter_gives_up_while_the_lock_stays_taken() {
        let lock = Arc::new(StoreLock::new(Store::new(1)));
        let held = lock.lock();
        let l = lock.clone();
        let start = Instant::now();
        let waiter = std::thread::spawn(move || {
            l.lock_or_give_up(|| start.elapsed() > Duration::from_millis(50))
                .is_none()
        });
        assert!(waiter.join().expect("waiter"));
        assert!(start.elapsed() >= Duration::from_millis(50));
        drop(held);
        assert!(lock.try_lock().is_some());
    }
}
