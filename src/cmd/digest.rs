//! DEBUG DIGEST and DEBUG DIGEST-VALUE: a SHA-1 based fingerprint of the whole
//! dataset or of single values, computed as redis-server 7.0 computes it
//! (`computeDatasetDigest`, `xorObjectDigest`), so the same data gives the same
//! 40 hex digits on both servers. Tests use it to check that a save and a
//! reload (or a DUMP and RESTORE) kept everything.
//!
//! Two ways to fold bytes into a 20-byte digest: *xor* (`digest ^= sha1(bytes)`,
//! order does not matter: set members, hash fields, keys of a database) and
//! *mix* (xor, then `digest = sha1(digest)`: order matters, list elements, a
//! string). A hash field and its value (a sorted set member and its score as
//! `%.17g`) are mixed into a digest of their own, which is then xored in.
//! Each key's digest starts at zero, mixes the key, the type number
//! (big-endian u32), the value, and `!!expire!!` is xored in when it has a TTL;
//! the dataset's digest mixes each non-empty database's number (big-endian u32)
//! and xors in each key's digest. All zero (an empty dataset) prints as 40 zeros.
use crate::digest::sha1::sha1;
use crate::store::value::Value;
use crate::store::Db;

type Digest = [u8; 20];

fn xor(d: &mut Digest, bytes: &[u8]) {
    for (a, b) in d.iter_mut().zip(sha1(bytes)) {
        *a ^= b;
    }
}

fn mix(d: &mut Digest, bytes: &[u8]) {
    xor(d, bytes);
    *d = sha1(d.as_slice());
}

/// Redis's type numbers (`OBJ_STRING` ...).
fn type_number(v: &Value) -> u32 {
    match v {
        Value::Int(_) | Value::Emb(_) | Value::Raw(_) => 0,
        Value::List(_) => 1,
        Value::Set(_) => 2,
        Value::ZSet(_) => 3,
        Value::Hash(_) => 4,
        Value::Stream(_) => 6,
    }
}

/// Folds a value (and whether its key has a TTL) into `d`.
fn value_digest(d: &mut Digest, v: &Value, has_ttl: bool) {
    mix(d, &type_number(v).to_be_bytes());
    let mut tmp = [0u8; 20];
    match v {
        Value::Int(_) | Value::Emb(_) | Value::Raw(_) => {
            mix(d, v.str_bytes(&mut tmp).unwrap_or_default());
        }
        Value::List(l) => {
            for e in l.iter() {
                mix(d, &e);
            }
        }
        Value::Set(s) => {
            for i in 0..s.len() {
                xor(d, &s.at(i).to_vec());
            }
        }
        Value::ZSet(z) => {
            for (member, score) in z.iter() {
                let mut e = [0u8; 20];
                mix(&mut e, &member);
                let mut text = Vec::new();
                crate::num::fmt::fmt_g(score, 17, &mut text);
                mix(&mut e, &text);
                xor(d, &e);
            }
        }
        Value::Hash(h) => {
            for (field, value) in h.pairs() {
                let mut e = [0u8; 20];
                mix(&mut e, &field);
                mix(&mut e, &value);
                xor(d, &e);
            }
        }
        Value::Stream(s) => {
            use crate::store::stream::StreamId;
            for entry in s.range(StreamId::MIN, StreamId::MAX, false) {
                mix(d, format!("{}.{}", entry.id.ms, entry.id.seq).as_bytes());
                for (field, value) in entry.fields() {
                    let mut b = Vec::new();
                    field.write_to(&mut b);
                    mix(d, &b);
                    b.clear();
                    value.write_to(&mut b);
                    mix(d, &b);
                }
            }
        }
    }
    if has_ttl {
        xor(d, b"!!expire!!");
    }
}

fn hex(d: &Digest) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// DEBUG DIGEST: the dataset's digest, in hex.
pub fn dataset(dbs: &[Db]) -> String {
    let mut all = [0u8; 20];
    for (n, db) in dbs.iter().enumerate() {
        if db.table.is_empty() {
            continue;
        }
        mix(&mut all, &(n as u32).to_be_bytes());
        for e in db.table.entries() {
            let mut d = [0u8; 20];
            mix(&mut d, &e.key);
            value_digest(&mut d, &e.value, e.has_ttl());
            xor(&mut all, &d);
        }
    }
    hex(&all)
}

/// DEBUG DIGEST-VALUE: one key's value digest (the key itself not mixed in;
/// 40 zeros for a missing key).
pub fn value(db: &Db, key: &[u8]) -> String {
    let mut d = [0u8; 20];
    if let Some(i) = db.table.find(key) {
        let e = db.table.entry(i);
        value_digest(&mut d, &e.value, e.has_ttl());
    }
    hex(&d)
}
