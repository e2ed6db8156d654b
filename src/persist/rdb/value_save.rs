//! One value in the RDB encoding redis-server 7.0 writes for it (Redis's
//! `rdbSaveObjectType` and `rdbSaveObject`): what saving a key to a file and
//! DUMP share.
//!
//! | value (encoding) | written as |
//! | --- | --- |
//! | string | STRING: integer-encoded, LZF or plain (see `write.rs`) |
//! | list | LIST_QUICKLIST_2: the list's own nodes as they are (listpack nodes cut by Redis's rule, plain nodes for elements of `packed_threshold` bytes or more) |
//! | set (intset) | SET_INTSET: the intset, in the width the value has (Redis's, which never narrows) |
//! | set (hashtable) | SET: count, members |
//! | sorted set (listpack) | ZSET_LISTPACK: the value's own listpack bytes (member, score pairs, scores that are whole numbers within 2^62 as integers, others as `%.17g` text) |
//! | sorted set (skiplist) | ZSET_2: count, then member and binary score from the greatest to the smallest |
//! | hash (listpack) | HASH_LISTPACK: the value's own listpack bytes (field, value pairs in insertion order) |
//! | hash (hashtable) | HASH: count, fields and values |
//! | stream | STREAM_LISTPACKS_2: its nodes as they are, metadata, consumer groups (see `stream.rs`) |
//!
//! Listpacks and intsets are written as strings, so they are LZF-compressed
//! like any string when that pays.
use super::types;
use super::write::{put_int_string, put_len, StringWriter};
use super::Encodings;
use crate::store::list::NodeBytes;
use crate::store::value::Value;

/// The type byte a value is written with.
pub fn rdb_type(v: &Value) -> u8 {
    match v {
        Value::Stream(_) => types::STREAM_LISTPACKS_2,
        Value::Int(_) | Value::Emb(_) | Value::Raw(_) => types::STRING,
        Value::List(_) => types::LIST_QUICKLIST_2,
        Value::Set(s) => match s.encoding() {
            "intset" => types::SET_INTSET,
            _ => types::SET,
        },
        Value::ZSet(z) => match z.listpack_bytes() {
            Some(_) => types::ZSET_LISTPACK,
            None => types::ZSET_2,
        },
        Value::Hash(h) => match h.listpack_bytes() {
            Some(_) => types::HASH_LISTPACK,
            None => types::HASH,
        },
    }
}

/// Writes values; holds the string writer (and its LZF table) between them.
pub struct ValueWriter {
    pub strings: StringWriter,
    pub encodings: Encodings,
}

impl ValueWriter {
    pub fn new(compress: bool, encodings: Encodings) -> ValueWriter {
        ValueWriter {
            strings: StringWriter::new(compress),
            encodings,
        }
    }

    /// Appends a string.
    pub fn put_string(&mut self, out: &mut Vec<u8>, s: &[u8]) {
        self.strings.put(out, s);
    }

    /// Appends the value (without its type byte).
    pub fn put_value(&mut self, out: &mut Vec<u8>, v: &Value) {
        match v {
            Value::Stream(s) => super::stream::put_stream(&mut self.strings, out, s),
            Value::Int(n) => put_int_string(out, *n),
            Value::Emb(b) => self.put_string(out, b),
            Value::Raw(b) => self.put_string(out, b),
            Value::List(l) => {
                // the list's own nodes, as they are (Redis writes its quicklist's)
                let nodes = l.nodes();
                put_len(out, nodes.len() as u64);
                for n in &nodes {
                    match n {
                        NodeBytes::Plain(e) => {
                            put_len(out, 1);
                            self.put_string(out, e);
                        }
                        NodeBytes::Packed(lp) => {
                            put_len(out, 2);
                            self.put_string(out, lp);
                        }
                    }
                }
            }
            Value::Set(s) => match s.to_intset() {
                Some(ints) => self.put_string(out, ints.as_bytes()),
                None => {
                    put_len(out, s.len() as u64);
                    let mut tmp = [0u8; 20];
                    for i in 0..s.len() {
                        match s.at(i) {
                            crate::store::set::Member::Bytes(b) => self.put_string(out, b),
                            crate::store::set::Member::Int(n) => {
                                let b = crate::num::ll2string(n, &mut tmp);
                                self.strings.put(out, b)
                            }
                        }
                    }
                }
            },
            Value::ZSet(z) => match z.listpack_bytes() {
                // the value is Redis's listpack already: its bytes as they are
                Some(lp) => self.put_string(out, lp),
                None => {
                    let n = z.len();
                    put_len(out, n as u64);
                    for (m, s) in z.iter_rev_from(n.saturating_sub(1)) {
                        self.put_string(out, &m);
                        out.extend_from_slice(&s.to_le_bytes());
                    }
                }
            },
            Value::Hash(h) => match h.listpack_bytes() {
                // the value is Redis's listpack already: its bytes as they are
                Some(lp) => self.put_string(out, lp),
                None => {
                    put_len(out, h.len() as u64);
                    for (f, v) in h.pairs() {
                        self.put_string(out, &f);
                        self.put_string(out, &v);
                    }
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::list::List;

    #[test]
    fn nodes_are_cut_as_redis_cuts_them() {
        // 1000 elements of 100 bytes pushed at the tail at -2 (8 KB): the
        // DUMP payload of redis-server 7.0.15 holds 13 listpack nodes of
        // 8144 bytes (79 elements) and a last one of 5363 bytes (52).
        let e = [b'x'; 100];
        let mut list = List::new();
        for _ in 0..1000 {
            list.push_back(&e, -2);
        }
        let nodes = list.nodes();
        let counts: Vec<usize> = nodes
            .iter()
            .map(|n| match n {
                NodeBytes::Packed(lp) => crate::store::listpack::Lp::of(lp).len(),
                NodeBytes::Plain(_) => 1,
            })
            .collect();
        assert_eq!(counts.len(), 13);
        assert!(counts[..12].iter().all(|&c| c == 79), "{counts:?}");
        assert_eq!(counts[12], 52);
        match &nodes[0] {
            NodeBytes::Packed(lp) => assert_eq!(lp.len(), 8144),
            NodeBytes::Plain(_) => unreachable!(),
        }
        // a positive fill caps entries per node
        let list = List::from_items_with_fill((0..1000).map(|_| &e[..]), 5);
        assert_eq!(list.nodes().len(), 200);
    }
}
