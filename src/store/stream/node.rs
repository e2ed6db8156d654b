//! A stream node: one listpack holding a run of consecutive entries, laid out
//! as Redis lays it out, so its size (and so `stream-node-max-bytes`) and its
//! bytes match Redis's.
//!
//! ```text
//! master entry: count | deleted | num-fields | field_1 ... field_N | 0
//! each entry:   flags | ms-diff | seq-diff | num-fields | field_1 | value_1 ... | lp-count
//!   or, when its fields are the master's (flag SAMEFIELDS):
//!               flags | ms-diff | seq-diff | value_1 ... value_N | lp-count
//! ```
//! - The node's key in the stream's ordered map is its *master ID*: the ID of
//!   the first entry ever added to it. Entry IDs are stored as differences from
//!   it (two small integers instead of sixteen bytes).
//! - The master fields are the first entry's field names; later entries with
//!   the very same names store only their values.
//! - `count` is the number of live entries, `deleted` the number flagged
//!   DELETED (XDEL and trimming only flag an entry; a node goes away when its
//!   last live entry does). `lp-count` lets the node be walked backwards.
//!
//! Invariant: the node always holds at least one entry after its master entry,
//! and `count + deleted` is the number of entries.
use super::listpack::{self as lp, Elem};
use super::StreamId;

pub const FLAG_DELETED: i64 = 1;
pub const FLAG_SAMEFIELDS: i64 = 2;

/// Starts a node whose master entry takes the field names of `pairs`
/// (`field, value, field, value, ...`), holding that one entry.
pub fn create(master: StreamId, id: StreamId, pairs: &[Vec<u8>]) -> Vec<u8> {
    let mut node = lp::new();
    let nfields = (pairs.len() / 2) as i64;
    lp::append_int(&mut node, 1);
    lp::append_int(&mut node, 0);
    lp::append_int(&mut node, nfields);
    for f in pairs.iter().step_by(2) {
        lp::append_str(&mut node, f);
    }
    lp::append_int(&mut node, 0);
    push_entry(&mut node, master, id, pairs, true);
    node
}

/// Appends the entry `id` to a node whose master ID is `master`.
pub fn append(node: &mut Vec<u8>, master: StreamId, id: StreamId, pairs: &[Vec<u8>]) {
    let count = lp::get_int(node, lp::HDR);
    lp::replace_int(node, lp::HDR, count + 1);
    let same = {
        let n = Node::new(node, master);
        n.master_nfields == pairs.len() / 2 && {
            let mut p = n.master_fields_at;
            pairs.iter().step_by(2).all(|f| {
                let eq = lp::get(node, p).eq_bytes(f);
                p = lp::skip(node, p);
                eq
            })
        }
    };
    push_entry(node, master, id, pairs, same);
}

fn push_entry(node: &mut Vec<u8>, master: StreamId, id: StreamId, pairs: &[Vec<u8>], same: bool) {
    let nfields = pairs.len() / 2;
    lp::append_int(node, if same { FLAG_SAMEFIELDS } else { 0 });
    lp::append_int(node, id.ms.wrapping_sub(master.ms) as i64);
    lp::append_int(node, id.seq.wrapping_sub(master.seq) as i64);
    if !same {
        lp::append_int(node, nfields as i64);
    }
    for (i, x) in pairs.iter().enumerate() {
        if same && i % 2 == 0 {
            continue;
        }
        lp::append_str(node, x);
    }
    let lp_count = if same { nfields + 3 } else { 2 * nfields + 4 };
    lp::append_int(node, lp_count as i64);
}

/// Live entries of a node.
pub fn live(node: &[u8]) -> i64 {
    lp::get_int(node, lp::HDR)
}

/// Live plus deleted entries of a node.
pub fn total(node: &[u8]) -> i64 {
    live(node) + lp::get_int(node, lp::skip(node, lp::HDR))
}

/// Moves `n` entries of a node from live to deleted.
pub fn count_deleted(node: &mut Vec<u8>, n: i64) {
    let live = lp::get_int(node, lp::HDR);
    lp::replace_int(node, lp::HDR, live - n);
    let p = lp::skip(node, lp::HDR);
    let deleted = lp::get_int(node, p);
    lp::replace_int(node, p, deleted + n);
}

/// Flags the entry whose flags element is at `at` as deleted.
pub fn flag_deleted(node: &mut Vec<u8>, at: usize) {
    let flags = lp::get_int(node, at);
    lp::replace_int(node, at, flags | FLAG_DELETED);
}

/// What [`validate`] learned of a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Its first entry's ID (live or deleted).
    pub first: StreamId,
    /// Live entries.
    pub live: i64,
}

/// Checks a node from outside (Redis's deep `streamValidateListpackIntegrity`,
/// plus what this module relies on): a well-formed listpack; a master entry of
/// integers (count, deleted, field count, fields, 0); then exactly `count +
/// deleted` entries, each of integer flags, ID deltas and field count, its
/// fields and values, and an `lp-count` matching its size; nothing after them;
/// entry IDs strictly increasing from at least `master`. Field counts must not
/// be negative.
pub fn validate(node: &[u8], master: StreamId) -> Result<Summary, &'static str> {
    use crate::store::listpack::{Entry as LpEntry, Listpack};
    const BAD: &str = "Stream listpack integrity check failed";
    Listpack::validate_bytes(node).map_err(|_| BAD)?;
    let mut it = Listpack::entries_of(node);
    // An element that must be an integer (or a string holding one, as
    // Redis's `lpGetIntegerIfValid` accepts).
    fn int(it: &mut crate::store::listpack::Iter<'_>) -> Result<i64, &'static str> {
        match it.next() {
            Some(LpEntry::Int(n)) => Ok(n),
            Some(LpEntry::Str(s)) => crate::num::string2ll(s).ok_or(BAD),
            None => Err(BAD),
        }
    }
    let count = int(&mut it)?;
    let deleted = int(&mut it)?;
    let master_fields = int(&mut it)?;
    if count < 0 || deleted < 0 || master_fields < 0 {
        return Err(BAD);
    }
    for _ in 0..master_fields {
        it.next().ok_or(BAD)?;
    }
    if int(&mut it)? != 0 {
        return Err(BAD);
    }
    let entries = count.checked_add(deleted).ok_or(BAD)?;
    let (mut first, mut prev): (Option<StreamId>, Option<StreamId>) = (None, None);
    let mut live = 0i64;
    for _ in 0..entries {
        let flags = int(&mut it)?;
        let id = StreamId {
            ms: master.ms.wrapping_add(int(&mut it)? as u64),
            seq: master.seq.wrapping_add(int(&mut it)? as u64),
        };
        let (fields, elems, extra) = if flags & FLAG_SAMEFIELDS != 0 {
            (master_fields, master_fields, 3)
        } else {
            let n = int(&mut it)?;
            if n < 0 {
                return Err(BAD);
            }
            (n, n.checked_mul(2).ok_or(BAD)?, n + 4)
        };
        for _ in 0..elems {
            it.next().ok_or(BAD)?;
        }
        if int(&mut it)? != fields + extra {
            return Err(BAD);
        }
        if id < master || prev.is_some_and(|p| id <= p) {
            return Err("stream entries out of order");
        }
        prev = Some(id);
        first.get_or_insert(id);
        if flags & FLAG_DELETED == 0 {
            live += 1;
        }
    }
    if it.next().is_some() {
        return Err(BAD);
    }
    let first = first.ok_or("Empty listpack inside stream")?;
    if live != count {
        return Err(BAD);
    }
    Ok(Summary { first, live })
}

/// A node parsed enough to walk its entries.
#[derive(Clone, Copy)]
pub struct Node<'a> {
    pub lp: &'a [u8],
    pub master: StreamId,
    master_nfields: usize,
    master_fields_at: usize,
    /// Offset of the first entry's flags.
    first_at: usize,
}

/// Where one entry sits in its node.
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    pub id: StreamId,
    pub deleted: bool,
    /// Offset of the flags element.
    pub at: usize,
    same: bool,
    pub nfields: usize,
    /// Offset of the first field (or value, for SAMEFIELDS entries).
    fields_at: usize,
    /// Offset just past the entry (its lp-count included).
    pub end: usize,
}

impl<'a> Node<'a> {
    pub fn new(lp: &'a [u8], master: StreamId) -> Node<'a> {
        let mut p = lp::skip(lp, lp::HDR); // deleted
        p = lp::skip(lp, p); // num-fields
        let master_nfields = lp::get_int(lp, p).max(0) as usize;
        p = lp::skip(lp, p);
        let master_fields_at = p;
        for _ in 0..master_nfields {
            p = lp::skip(lp, p);
        }
        p = lp::skip(lp, p); // the master entry's 0 terminator
        Node {
            lp,
            master,
            master_nfields,
            master_fields_at,
            first_at: p,
        }
    }

    /// The entry whose flags are at `p`.
    pub fn entry_at(&self, p: usize) -> Entry {
        let lp = self.lp;
        let flags = lp::get_int(lp, p);
        let mut q = lp::skip(lp, p);
        let ms = self.master.ms.wrapping_add(lp::get_int(lp, q) as u64);
        q = lp::skip(lp, q);
        let seq = self.master.seq.wrapping_add(lp::get_int(lp, q) as u64);
        q = lp::skip(lp, q);
        let same = flags & FLAG_SAMEFIELDS != 0;
        let nfields = if same {
            self.master_nfields
        } else {
            let n = lp::get_int(lp, q).max(0) as usize;
            q = lp::skip(lp, q);
            n
        };
        let fields_at = q;
        let elems = if same { nfields } else { 2 * nfields };
        for _ in 0..elems {
            q = lp::skip(lp, q);
        }
        Entry {
            id: StreamId { ms, seq },
            deleted: flags & FLAG_DELETED != 0,
            at: p,
            same,
            nfields,
            fields_at,
            end: lp::skip(lp, q),
        }
    }

    /// The first entry.
    pub fn first(&self) -> Entry {
        self.entry_at(self.first_at)
    }

    /// The entry after `e`, if any.
    pub fn after(&self, e: &Entry) -> Option<Entry> {
        (e.end < lp::end(self.lp)).then(|| self.entry_at(e.end))
    }

    /// The last entry (live or deleted).
    pub fn last(&self) -> Entry {
        let count_at = lp::prev(self.lp, lp::end(self.lp)).unwrap_or(self.first_at);
        let mut p = count_at;
        for _ in 0..lp::get_int(self.lp, count_at) {
            p = lp::prev(self.lp, p).unwrap_or(self.first_at);
        }
        self.entry_at(p)
    }

    /// The entry before `e`, if any.
    pub fn before(&self, e: &Entry) -> Option<Entry> {
        if e.at <= self.first_at {
            return None;
        }
        let count_at = lp::prev(self.lp, e.at)?;
        let mut p = count_at;
        for _ in 0..lp::get_int(self.lp, count_at) {
            p = lp::prev(self.lp, p)?;
        }
        Some(self.entry_at(p))
    }

    /// The first entry with an ID at least `start` (live or deleted), or
    /// None if every entry is below it. Walks from whichever end of the node
    /// `start` lies nearer to, as the IDs go.
    pub fn seek(&self, start: StreamId) -> Option<Entry> {
        let first = self.first();
        if first.id >= start {
            return Some(first);
        }
        let last = self.last();
        if last.id < start {
            return None;
        }
        if wide(start) - wide(first.id) <= wide(last.id) - wide(start) {
            let mut e = first;
            while e.id < start {
                e = self.after(&e)?;
            }
            Some(e)
        } else {
            let mut e = last;
            while let Some(p) = self.before(&e) {
                if p.id < start {
                    break;
                }
                e = p;
            }
            Some(e)
        }
    }

    /// The last entry with an ID at most `end` (live or deleted), or None
    /// if every entry is above it.
    pub fn seek_back(&self, end: StreamId) -> Option<Entry> {
        let last = self.last();
        if last.id <= end {
            return Some(last);
        }
        let first = self.first();
        if first.id > end {
            return None;
        }
        if wide(last.id) - wide(end) <= wide(end) - wide(first.id) {
            let mut e = last;
            while e.id > end {
                e = self.before(&e)?;
            }
            Some(e)
        } else {
            let mut e = first;
            while let Some(n) = self.after(&e) {
                if n.id > end {
                    break;
                }
                e = n;
            }
            Some(e)
        }
    }

    /// The field/value pairs of an entry.
    pub fn fields(&self, e: &Entry) -> Fields<'a> {
        Fields {
            lp: self.lp,
            field_at: if e.same {
                self.master_fields_at
            } else {
                e.fields_at
            },
            value_at: e.fields_at,
            same: e.same,
            left: e.nfields,
        }
    }
}

/// An ID as one 128-bit number (for distances between IDs).
fn wide(id: StreamId) -> u128 {
    (u128::from(id.ms) << 64) | u128::from(id.seq)
}

/// Iterator over the (field, value) pairs of one entry.
pub struct Fields<'a> {
    lp: &'a [u8],
    field_at: usize,
    value_at: usize,
    same: bool,
    left: usize,
}

impl<'a> Iterator for Fields<'a> {
    type Item = (Elem<'a>, Elem<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let lp = self.lp;
        if self.same {
            let f = lp::get(lp, self.field_at);
            let v = lp::get(lp, self.value_at);
            self.field_at = lp::skip(lp, self.field_at);
            self.value_at = lp::skip(lp, self.value_at);
            Some((f, v))
        } else {
            let f = lp::get(lp, self.field_at);
            let vat = lp::skip(lp, self.field_at);
            let v = lp::get(lp, vat);
            self.field_at = lp::skip(lp, vat);
            Some((f, v))
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    fn id(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }

    #[test]
    fn entries_share_the_master_fields_and_walk_both_ways() {
        let m = id(100, 5);
        let mut node = create(m, m, &v(&["a", "1", "b", "2"]));
        append(&mut node, m, id(100, 6), &v(&["a", "3", "b", "4"]));
        append(&mut node, m, id(130, 0), &v(&["x", "y"]));
        let n = Node::new(&node, m);
        let e1 = n.first();
        assert_eq!(e1.id, m);
        let e2 = n.after(&e1).unwrap();
        let e3 = n.after(&e2).unwrap();
        assert!(n.after(&e3).is_none());
        assert_eq!(e3.id, id(130, 0));
        let text = |e: &Entry| {
            let mut out = Vec::new();
            for (f, v) in n.fields(e) {
                f.write_to(&mut out);
                v.write_to(&mut out);
            }
            String::from_utf8(out).unwrap()
        };
        assert_eq!(text(&e2), "a3b4");
        assert_eq!(text(&e3), "xy");
        assert_eq!(n.last().id, e3.id);
        assert_eq!(n.before(&e3).unwrap().id, e2.id);
        assert_eq!(n.before(&e2).unwrap().id, e1.id);
        assert!(n.before(&e1).is_none());
        assert_eq!(n.seek(id(100, 6)).map(|e| e.id), Some(e2.id));
        assert_eq!(n.seek(id(100, 7)).map(|e| e.id), Some(e3.id));
        assert_eq!(n.seek(id(129, 9)).map(|e| e.id), Some(e3.id));
        assert!(n.seek(id(130, 1)).is_none());
        assert_eq!(n.seek_back(id(129, 0)).map(|e| e.id), Some(e2.id));
        assert_eq!(n.seek_back(id(100, 5)).map(|e| e.id), Some(e1.id));
        assert!(n.seek_back(id(100, 4)).is_none());
        assert_eq!((live(&node), total(&node)), (3, 3));
        let at = e2.at;
        flag_deleted(&mut node, at);
        count_deleted(&mut node, 1);
        assert_eq!((live(&node), total(&node)), (2, 3));
        assert!(Node::new(&node, m).entry_at(at).deleted);
    }
}
