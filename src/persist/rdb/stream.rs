//! Streams in RDB files and DUMP payloads, both directions, as redis-server
//! 7.0 writes them (type 19, `STREAM_LISTPACKS_2`) and as older versions
//! wrote them (type 15, `STREAM_LISTPACKS`, read only).
//!
//! ```text
//! <nodes: len>  then per node, in ID order:
//!     <master ID: string of 16 bytes, ms and seq big-endian>  <the node's listpack: string>
//! <length: len> <last ID: len ms, len seq>
//! (type 19 only) <first ID: len, len> <max deleted ID: len, len> <entries added: len>
//! <groups: len>  then per group, in name order:
//!     <name: string> <last delivered ID: len, len>
//!     (type 19 only) <entries read: len; -1 ("unknown") as 2^64-1>
//!     <group PEL: len>  per pending entry, in ID order:
//!         <ID: 16 raw bytes> <delivery time: ms, u64 LE> <delivery count: len>
//!     <consumers: len>  per consumer, in name order:
//!         <name: string> <seen time: ms, u64 LE>
//!         <its PEL: len>  per entry: <ID: 16 raw bytes>   (each one in the group PEL)
//! ```
//!
//! A node's listpack is carried as it is in memory (the store keeps Redis's
//! layout, see `store/stream/node.rs`), so it is LZF-compressed like any
//! string when that pays. A consumer's PEL holds IDs only: the NACK is the
//! group's, and loading gives it to the consumer that lists it.
//!
//! Type 15 lacks the first ID, the max deleted ID, the added counter and the
//! groups' read counters; they are derived as Redis derives them: the first
//! live entry's ID (the largest ID when there is none), zero, the length, and
//! the estimate from the group's last ID.
//!
//! Loading checks more than Redis does without `sanitize-dump-payload`, since
//! the store's stream type relies on it: every node fully (see
//! `node::validate`), nodes and entries in ID order, the length against the
//! live entries, the last ID against the last entry, every pending entry
//! owned by exactly one consumer. Damage is an [`RdbError`] at the offset of
//! the item, in Redis's words where Redis has words for it.
use super::read::Reader;
use super::write::{put_len, StringWriter};
use super::{types, RdbError};
use crate::store::stream::group::{Consumer, Group, Nack};
use crate::store::stream::{Stream, StreamId};
use crate::store::value::Value;
use std::collections::btree_map::Entry as MapEntry;
use std::collections::BTreeSet;
use std::sync::Arc;

type Result<T> = std::result::Result<T, RdbError>;

fn put_id(out: &mut Vec<u8>, id: StreamId) {
    put_len(out, id.ms);
    put_len(out, id.seq);
}

/// Appends a stream (without its type byte, [`types::STREAM_LISTPACKS_2`]).
pub fn put_stream(strings: &mut StringWriter, out: &mut Vec<u8>, s: &Stream) {
    put_len(out, s.node_count() as u64);
    for (master, lp) in s.nodes() {
        strings.put(out, &master.key());
        strings.put(out, lp);
    }
    put_len(out, s.length);
    put_id(out, s.last_id);
    put_id(out, s.first_id);
    put_id(out, s.max_deleted_id);
    put_len(out, s.entries_added);
    put_len(out, s.groups.len() as u64);
    for (name, g) in &s.groups {
        strings.put(out, name);
        put_id(out, g.last_id);
        put_len(out, g.entries_read as u64);
        put_len(out, g.pel.len() as u64);
        for (id, nack) in &g.pel {
            out.extend_from_slice(&id.key());
            out.extend_from_slice(&nack.delivery_time.to_le_bytes());
            put_len(out, nack.delivery_count);
        }
        put_len(out, g.consumers.len() as u64);
        for (name, c) in &g.consumers {
            strings.put(out, name);
            out.extend_from_slice(&c.seen_time.to_le_bytes());
            put_len(out, c.pel.len() as u64);
            for id in &c.pel {
                out.extend_from_slice(&id.key());
            }
        }
    }
}

fn id(r: &mut Reader<'_>) -> Result<StreamId> {
    let ms = r.length()?;
    let seq = r.length()?;
    Ok(StreamId::new(ms, seq))
}

fn raw_id(r: &mut Reader<'_>) -> Result<StreamId> {
    let b = r.take(16, "a stream ID")?;
    let mut k = [0u8; 16];
    k.copy_from_slice(b);
    Ok(StreamId::from_key(&k))
}

fn millis(r: &mut Reader<'_>) -> Result<u64> {
    Ok(r.millis()? as u64)
}

/// Reads a stream of type `t` (15 or 19).
pub fn load_stream(r: &mut Reader<'_>, t: u8) -> Result<Value> {
    let v2 = t == types::STREAM_LISTPACKS_2;
    let mut s = Stream::new();
    let nodes = r.count("stream listpacks")?;
    for _ in 0..nodes {
        let at = r.offset();
        let key = r.string_vec()?;
        let key: [u8; 16] = key
            .as_slice()
            .try_into()
            .map_err(|_| r.error_at(at, "Stream node key entry is not the size of a stream ID"))?;
        let lp_at = r.offset();
        let lp = r.string_vec()?;
        s.load_node(StreamId::from_key(&key), lp)
            .map_err(|e| r.error_at(lp_at, e))?;
    }
    let meta_at = r.offset();
    s.length = r.length()?;
    s.last_id = id(r)?;
    if v2 {
        s.first_id = id(r)?;
        s.max_deleted_id = id(r)?;
        s.entries_added = r.length()?;
    } else {
        s.max_deleted_id = StreamId::MIN;
        s.entries_added = s.length;
        s.first_id = s.edge_id(true);
    }
    if s.length != 0 && s.node_count() == 0 {
        return Err(r.error_at(meta_at, "Stream length inconsistent with rax entries"));
    }
    s.check().map_err(|e| r.error_at(meta_at, e))?;
    let groups = r.count("stream consumer groups")?;
    for _ in 0..groups {
        let at = r.offset();
        let name = r.string_vec()?;
        let last_id = id(r)?;
        let entries_read = if v2 {
            r.length()? as i64
        } else {
            s.entries_read_at(last_id)
        };
        let mut g = Group::new(last_id, entries_read);
        let pel = r.count("stream PEL")?;
        for _ in 0..pel {
            let at = r.offset();
            let id = raw_id(r)?;
            let delivery_time = millis(r)?;
            let delivery_count = r.length()?;
            let nack = Nack {
                delivery_time,
                delivery_count,
                consumer: Arc::from(&b""[..]),
            };
            if g.pel.insert(id, nack).is_some() {
                return Err(r.error_at(
                    at,
                    "Duplicated global PEL entry loading stream consumer group",
                ));
            }
        }
        let mut owned: BTreeSet<StreamId> = BTreeSet::new();
        let consumers = r.count("stream consumers")?;
        for _ in 0..consumers {
            let at = r.offset();
            let cname = r.string_vec()?;
            let seen_time = millis(r)?;
            let shared: Arc<[u8]> = Arc::from(cname.as_slice());
            let mut cpel = BTreeSet::new();
            let n = r.count("stream consumer PEL")?;
            for _ in 0..n {
                let id_at = r.offset();
                let id = raw_id(r)?;
                let Some(nack) = g.pel.get_mut(&id) else {
                    return Err(r.error_at(id_at, "Consumer entry not found in group global PEL"));
                };
                if !owned.insert(id) || !cpel.insert(id) {
                    return Err(r.error_at(
                        id_at,
                        "Duplicated consumer PEL entry loading a stream consumer group",
                    ));
                }
                nack.consumer = shared.clone();
            }
            match g.consumers.entry(cname) {
                MapEntry::Occupied(_) => {
                    return Err(r.error_at(at, "Duplicate stream consumer detected."))
                }
                MapEntry::Vacant(v) => {
                    v.insert(Consumer {
                        name: shared,
                        seen_time,
                        pel: cpel,
                    });
                }
            }
        }
        if owned.len() != g.pel.len() {
            return Err(r.error_at(at, "Stream CG PEL entry without consumer"));
        }
        match s.groups.entry(name) {
            MapEntry::Occupied(o) => {
                let shown = String::from_utf8_lossy(o.key()).into_owned();
                return Err(r.error_at(at, format!("Duplicated consumer group name {shown}")));
            }
            MapEntry::Vacant(v) => {
                v.insert(g);
            }
        }
    }
    Ok(Value::Stream(Arc::new(s)))
}
