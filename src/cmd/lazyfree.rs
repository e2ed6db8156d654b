//! The `lazyfree-lazy-*` settings: which frees of big values happen off the
//! request path, on the server's lazy-free thread (`Shared::free_later`), as
//! Redis 7.0 decides them (all `no` by default; UNLINK and `FLUSHALL ASYNC`
//! are lazy whatever they say):
//! - `lazyfree-lazy-eviction`: keys evicted under maxmemory (`evict.rs`);
//! - `lazyfree-lazy-expire`: keys removed because their TTL passed;
//! - `lazyfree-lazy-server-del`: values a write replaces (SET over a key,
//!   the destination of RENAME...);
//! - `lazyfree-lazy-user-del`: DEL behaves as UNLINK;
//! - `lazyfree-lazy-user-flush`: FLUSHALL and FLUSHDB without SYNC or ASYNC
//!   are ASYNC.
//!
//! "Big" is Redis's rule: a value whose freeing takes more than 64
//! allocations (`Value::free_effort`); smaller ones are freed at once, which
//! costs less than handing them over. Expiry and replacement happen inside
//! the store, which knows nothing of threads: it keeps such values aside
//! (`Db::garbage`), and [`after_command`] hands them to the thread.
//!
//! The settings are mirrored in `Shared::lazyfree_mode` (bits below) so the
//! dispatcher reads them without the config lock.
use super::Ctx;
use crate::store::Lazy;
use std::sync::atomic::Ordering;

pub const EVICTION: u32 = 1;
pub const EXPIRE: u32 = 2;
pub const SERVER_DEL: u32 = 4;
pub const USER_DEL: u32 = 8;
pub const USER_FLUSH: u32 = 16;

/// The mirror's bits for these settings.
pub fn encode(
    eviction: bool,
    expire: bool,
    server_del: bool,
    user_del: bool,
    user_flush: bool,
) -> u32 {
    [
        (eviction, EVICTION),
        (expire, EXPIRE),
        (server_del, SERVER_DEL),
        (user_del, USER_DEL),
        (user_flush, USER_FLUSH),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .fold(0, |bits, (_, bit)| bits | bit)
}

/// Whether the setting `bit` is on.
#[inline]
pub fn is_on(ctx: &Ctx<'_>, bit: u32) -> bool {
    ctx.shared.lazyfree_mode.load(Ordering::Relaxed) & bit != 0
}

/// Before a command: the store learns which of its drops are lazy.
#[inline]
pub fn before_command(ctx: &mut Ctx<'_>) {
    let mode = ctx.shared.lazyfree_mode.load(Ordering::Relaxed);
    let lazy = Lazy {
        expire: mode & EXPIRE != 0,
        server_del: mode & SERVER_DEL != 0,
    };
    if ctx.store.lazy() != lazy {
        ctx.store.set_lazy(lazy);
    }
}

/// After a command: what the store kept aside goes to the lazy-free thread.
#[inline]
pub fn after_command(ctx: &mut Ctx<'_>) {
    if ctx.shared.lazyfree_mode.load(Ordering::Relaxed) & (EXPIRE | SERVER_DEL) == 0 {
        return;
    }
    for v in ctx.store.take_garbage() {
        ctx.shared.free_later(Box::new(v));
    }
}
