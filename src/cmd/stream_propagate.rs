//! How changes to a consumer group reach the append-only file, in the forms
//! Redis 7.0 writes (`streamPropagateXCLAIM`, `streamPropagateGroupID`,
//! `streamPropagateConsumerCreation`). XREADGROUP, XCLAIM and XAUTOCLAIM are
//! never written as they were sent, since replaying them would depend on the
//! time and on what else was pending; instead each NACK (pending entry) they
//! created, moved or dropped is written as an idempotent
//!
//! `XCLAIM <key> <group> <consumer> 0 <id> TIME <ms> RETRYCOUNT <n> FORCE JUSTID LASTID <group's last id>`
//!
//! (FORCE creates the NACK if it is missing; on an entry no longer in the
//! stream it drops the NACK, which is how a deletion is written). A group
//! moved on without NACKs (XREADGROUP ... NOACK, XCLAIM ... LASTID alone) is
//! written as `XGROUP SETID <key> <group> <last id> ENTRIESREAD <n>`, and a
//! consumer XREADGROUP ... NOACK created as `XGROUP CREATECONSUMER`.
//!
//! The handlers collect these (they hold the stream while they work) and
//! hand them to `propagate::also`; the command itself is then not written.
use super::propagate;
use super::Ctx;
use crate::store::stream::group::{Group, Nack};
use crate::store::stream::StreamId;

/// The XCLAIM that reproduces `nack` of entry `id` (as `id_text`).
pub fn xclaim(key: &[u8], group: &[u8], id_text: &[u8], nack: &Nack, g: &Group) -> Vec<Vec<u8>> {
    vec![
        b"XCLAIM".to_vec(),
        key.to_vec(),
        group.to_vec(),
        nack.consumer.to_vec(),
        b"0".to_vec(),
        id_text.to_vec(),
        b"TIME".to_vec(),
        nack.delivery_time.to_string().into_bytes(),
        b"RETRYCOUNT".to_vec(),
        nack.delivery_count.to_string().into_bytes(),
        b"FORCE".to_vec(),
        b"JUSTID".to_vec(),
        b"LASTID".to_vec(),
        g.last_id.text().into_bytes(),
    ]
}

/// The XCLAIM for the NACK of `id` in `g`, if there is one.
pub fn xclaim_of(key: &[u8], group: &[u8], id: StreamId, g: &Group) -> Option<Vec<Vec<u8>>> {
    let nack = g.pel.get(&id)?;
    Some(xclaim(key, group, id.text().as_bytes(), nack, g))
}

/// `XGROUP SETID <key> <group> <last id> ENTRIESREAD <n>`.
pub fn group_id(key: &[u8], group: &[u8], g: &Group) -> Vec<Vec<u8>> {
    vec![
        b"XGROUP".to_vec(),
        b"SETID".to_vec(),
        key.to_vec(),
        group.to_vec(),
        g.last_id.text().into_bytes(),
        b"ENTRIESREAD".to_vec(),
        g.entries_read.to_string().into_bytes(),
    ]
}

/// `XGROUP CREATECONSUMER <key> <group> <consumer>`.
pub fn consumer_creation(key: &[u8], group: &[u8], consumer: &[u8]) -> Vec<Vec<u8>> {
    vec![
        b"XGROUP".to_vec(),
        b"CREATECONSUMER".to_vec(),
        key.to_vec(),
        group.to_vec(),
        consumer.to_vec(),
    ]
}

/// Hands `ops` to the propagation in order, and keeps the running command
/// itself from being written.
pub fn emit(ctx: &Ctx<'_>, ops: Vec<Vec<Vec<u8>>>) {
    if !propagate::is_on(ctx) {
        return;
    }
    for argv in ops {
        propagate::also(ctx, argv);
    }
    propagate::prevent(ctx);
}
