//! One value in the RDB encoding redis-server 7.0 writes for it (Redis's
//! `rdbSaveObjectType` and `rdbSaveObject`): what saving a key to a file and
//! DUMP share.
//!
//! | value (encoding) | written as |
//! | --- | --- |
//! | string | STRING: integer-encoded, LZF or plain (see `write.rs`) |
//! | list | LIST_QUICKLIST_2: listpack nodes cut as Redis's quicklist cuts them when elements are pushed at the tail (`list-max-listpack-size`), an element of 1 GB or more alone in a plain node |
//! | set (intset) | SET_INTSET: the intset, in the narrowest width |
//! | set (hashtable) | SET: count, members |
//! | sorted set (listpack) | ZSET_LISTPACK: member, score pairs, scores that are whole numbers within 2^62 as integers, others as `%.17g` text |
//! | sorted set (skiplist) | ZSET_2: count, then member and binary score from the greatest to the smallest |
//! | hash (listpack) | HASH_LISTPACK: field, value pairs in insertion order |
//! | hash (hashtable) | HASH: count, fields and values |
//! | stream | STREAM_LISTPACKS_2: its nodes as they are, metadata, consumer groups (see `stream.rs`) |
//!
//! Listpacks and intsets are written as strings, so they are LZF-compressed
//! like any string when that pays.
use super::types;
use super::write::{put_int_string, put_len, StringWriter};
use super::Encodings;
use crate::store::intset::Intset;
use crate::store::list::List;
use crate::store::listpack::Listpack;
use crate::store::set::Set;
use crate::store::value::Value;
use crate::store::zset::ZSet;

/// An element this large or larger goes into a plain quicklist node (Redis's
/// `packed_threshold`).
const PLAIN_THRESHOLD: usize = 1 << 30;
/// Node byte limits for `list-max-listpack-size` -1..=-5.
const NODE_LIMITS: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
/// A node never grows past this with a positive (count) fill.
const SIZE_SAFETY_LIMIT: usize = 8192;
/// Bytes assumed per entry on top of its length when deciding.
const SIZE_ESTIMATE_OVERHEAD: usize = 8;

/// The type byte a value is written with.
pub fn rdb_type(v: &Value) -> u8 {
    match v {
        Value::Stream(_) => types::STREAM_LISTPACKS_2,
        Value::Int(_) | Value::Emb(_) | Value::Raw(_) => types::STRING,
        Value::List(_) => types::LIST_QUICKLIST_2,
        Value::Set(s) => match **s {
            Set::Ints(_) => types::SET_INTSET,
            Set::Table(_) => types::SET,
        },
        Value::ZSet(z) => match **z {
            ZSet::Listpack(_) => types::ZSET_LISTPACK,
            ZSet::Skiplist(_) => types::ZSET_2,
        },
        Value::Hash(h) => {
            if h.encoding() == "listpack" {
                types::HASH_LISTPACK
            } else {
                types::HASH
            }
        }
    }
}

/// Whether a quicklist node of `node_bytes` bytes and `count` entries takes
/// one more element of `len` bytes (Redis's `_quicklistNodeAllowInsert`).
fn node_takes(node_bytes: usize, count: usize, fill: i32, len: usize) -> bool {
    let new_size = node_bytes + len + SIZE_ESTIMATE_OVERHEAD;
    if fill < 0 {
        let level = (-(fill as i64) - 1) as usize;
        if NODE_LIMITS
            .get(level)
            .is_some_and(|&limit| new_size <= limit)
        {
            return true;
        }
    }
    if new_size > SIZE_SAFETY_LIMIT {
        return false;
    }
    (count as i64) < fill as i64
}

/// A quicklist node to write.
enum Node<'a> {
    Packed(Listpack),
    Plain(&'a [u8]),
}

/// Cuts a list into nodes as pushing its elements at the tail of an empty
/// Redis quicklist would.
fn quicklist_nodes(list: &List, fill: i32) -> Vec<Node<'_>> {
    let fill = fill.clamp(-5, i16::MAX as i32);
    let mut nodes = Vec::new();
    let mut current: Option<(Listpack, usize)> = None;
    for e in list.iter() {
        if e.len() >= PLAIN_THRESHOLD {
            if let Some((lp, _)) = current.take() {
                nodes.push(Node::Packed(lp));
            }
            nodes.push(Node::Plain(e));
            continue;
        }
        match &mut current {
            Some((lp, count)) if node_takes(lp.bytes_len(), *count, fill, e.len()) => {
                lp.push_back(e);
                *count += 1;
            }
            _ => {
                if let Some((lp, _)) = current.take() {
                    nodes.push(Node::Packed(lp));
                }
                let mut lp = Listpack::new();
                lp.push_back(e);
                current = Some((lp, 1));
            }
        }
    }
    if let Some((lp, _)) = current {
        nodes.push(Node::Packed(lp));
    }
    nodes
}

/// Appends the entry a listpack-encoded sorted set holds for `score`
/// (Redis's `zzlInsertAt`: `double2ll`, else `d2string`).
fn push_score(lp: &mut Listpack, score: f64) {
    const LIMIT: f64 = 4_611_686_018_427_387_904.0; // 2^62, LLONG_MAX/2 as a double
    if (-LIMIT..=LIMIT).contains(&score) && score.fract() == 0.0 {
        lp.push_back_int(score as i64);
    } else {
        let mut text = Vec::new();
        crate::num::fmt_g(score, 17, &mut text);
        lp.push_back(&text);
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
                let nodes = quicklist_nodes(l, self.encodings.list_max_listpack_size);
                put_len(out, nodes.len() as u64);
                for n in &nodes {
                    match n {
                        Node::Plain(e) => {
                            put_len(out, 1);
                            self.put_string(out, e);
                        }
                        Node::Packed(lp) => {
                            put_len(out, 2);
                            self.put_string(out, lp.as_bytes());
                        }
                    }
                }
            }
            Value::Set(s) => match &**s {
                Set::Ints(v) => self.put_string(out, Intset::from_sorted(v).as_bytes()),
                Set::Table(_) => {
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
            Value::ZSet(z) => match &**z {
                ZSet::Listpack(pairs) => {
                    let mut lp = Listpack::new();
                    for (m, s) in pairs {
                        lp.push_back(m);
                        push_score(&mut lp, *s);
                    }
                    self.put_string(out, lp.as_bytes());
                }
                ZSet::Skiplist(_) => {
                    let n = z.len();
                    put_len(out, n as u64);
                    for (m, s) in z.iter_rev_from(n.saturating_sub(1)) {
                        self.put_string(out, m);
                        out.extend_from_slice(&s.to_le_bytes());
                    }
                }
            },
            Value::Hash(h) => {
                if h.encoding() == "listpack" {
                    let mut lp = Listpack::new();
                    for (f, v) in h.pairs() {
                        lp.push_back(f);
                        lp.push_back(v);
                    }
                    self.put_string(out, lp.as_bytes());
                } else {
                    put_len(out, h.len() as u64);
                    for (f, v) in h.pairs() {
                        self.put_string(out, f);
                        self.put_string(out, v);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_are_cut_as_redis_cuts_them() {
        // 1000 elements of 100 bytes pushed at the tail at -2 (8 KB): the
        // DUMP payload of redis-server 7.0.15 holds 13 listpack nodes of
        // 8144 bytes (79 elements) and a last one of 5363 bytes (52).
        let e = [b'x'; 100];
        let list = List::from_items((0..1000).map(|_| &e[..]));
        let nodes = quicklist_nodes(&list, -2);
        let counts: Vec<usize> = nodes
            .iter()
            .map(|n| match n {
                Node::Packed(lp) => lp.len(),
                Node::Plain(_) => 1,
            })
            .collect();
        assert_eq!(counts.len(), 13);
        assert!(counts[..12].iter().all(|&c| c == 79), "{counts:?}");
        assert_eq!(counts[12], 52);
        match &nodes[0] {
            Node::Packed(lp) => assert_eq!(lp.bytes_len(), 8144),
            Node::Plain(_) => unreachable!(),
        }
        // a positive fill caps entries per node
        let nodes = quicklist_nodes(&list, 5);
        assert_eq!(nodes.len(), 200);
    }

    #[test]
    fn scores_in_listpacks() {
        let mut lp = Listpack::new();
        for s in [1.0, -0.0, 1.5, 4611686018427387904.0, 1e19, f64::INFINITY] {
            push_score(&mut lp, s);
        }
        let got: Vec<Vec<u8>> = lp.iter().map(|e| e.to_vec()).collect();
        assert_eq!(
            got,
            [
                &b"1"[..],
                b"0",
                b"1.5",
                b"4611686018427387904",
                b"1e+19",
                b"inf"
            ]
            .map(|s| s.to_vec())
        );
    }
}
