//! A blocked client's wait (BLPOP and friends): on the connection's own thread,
//! without the keyspace lock, until its reply is posted, its timeout passes, it
//! is unblocked, or the client goes away; and a client held by CLIENT PAUSE
//! ([`wait_pause`]).
//!
//! The registry and the serving of waiters are `cmd::blocking`'s; this is the
//! part that needs the socket: a waiting client that hangs up is noticed here
//! (a peek every [`SLICE`]) and taken out of the registry.
//!
//! Invariant: when this returns, the client is no longer in the registry (it was
//! served, unblocked, or removed here under the lock); a reply posted between
//! the timeout and the removal is the one returned.
use super::stream::Stream;
use super::Core;
use crate::cmd::blocking::BlockRequest;
use crate::cmd::ClientState;
use std::time::{Duration, Instant};

/// How often a waiter looks at its deadline and its peer.
const SLICE: Duration = Duration::from_millis(50);

/// Waits for the reply of `req`; the reply to send (empty when the client is
/// gone).
pub fn wait(core: &Core, client: &ClientState, peer: &Stream, req: BlockRequest) -> Vec<u8> {
    loop {
        let slice = match req.deadline {
            Some(d) => d.saturating_duration_since(Instant::now()).min(SLICE),
            None => SLICE,
        };
        if let Some(r) = req.mailbox.wait_for(slice) {
            return r;
        }
        let timed_out = req.deadline.is_some_and(|d| Instant::now() >= d);
        let gone = client.handle.as_ref().is_some_and(|h| h.is_killed())
            || peer.peek_closed()
            || core.shared.is_shutting_down();
        if timed_out || gone {
            let mut ks = core.lock();
            if let Some(r) = req.mailbox.take() {
                return r;
            }
            ks.blocked.forget(client.id);
            return if gone {
                Vec::new()
            } else {
                req.timeout_reply.to_vec()
            };
        }
    }
}

/// Waits while a CLIENT PAUSE may hold the client's request (the caller asks
/// again under the lock after each return). False when the client went away.
pub fn wait_pause(core: &Core, client: &ClientState, peer: &Stream) -> bool {
    let sh = &core.shared;
    sh.pause.wait(SLICE);
    let gone = client.handle.as_ref().is_some_and(|h| h.is_killed())
        || sh.is_shutting_down()
        || (sh.pause.maybe_active() && peer.peek_closed());
    !gone
}
