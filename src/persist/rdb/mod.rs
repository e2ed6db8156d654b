//! RDB, Redis's snapshot format, version 10 as redis-server 7.0 writes it, in
//! both directions; also the value encoding inside DUMP payloads.
//!
//! A file is:
//!
//! ```text
//! "REDIS0010"
//! AUX redis-ver 7.0.15, AUX redis-bits 64, AUX ctime <unix s>, AUX used-mem <bytes>, AUX aof-base 0
//! FUNCTION2 <library source> ...                    (one per function library)
//! SELECTDB <n> RESIZEDB <keys> <keys with a TTL>    (per non-empty database)
//!   [EXPIRETIME_MS <u64 LE>] [IDLE <len> | FREQ <u8>] <type> <key> <value>   (per key)
//! EOF <CRC-64 of everything before it, LE; 0 with rdbchecksum no>
//! ```
//!
//! Lengths are RDB "lengths": `00xxxxxx` (6 bits), `01xxxxxx xxxxxxxx` (14
//! bits, big-endian), `0x80` + u32 BE, `0x81` + u64 BE. A string is a length and
//! its bytes, or `11xxxxxx` for a special encoding: an 8/16/32-bit integer
//! (little-endian) standing for its decimal form, or LZF (`0xC3`, compressed
//! length, original length, data; see `digest/lzf.rs`).
//!
//! Value types, and which Redis writes them (7.0 writes the ones marked *):
//!
//! | type | value |
//! | --- | --- |
//! | 0 STRING* | a string |
//! | 1 LIST | count, strings (Redis < 3.2) |
//! | 2 SET* | count, members (hashtable sets) |
//! | 3 ZSET | count, (member, score as text) (Redis < 5) |
//! | 4 HASH* | count, (field, value) (hashtable hashes) |
//! | 5 ZSET_2* | count, (member, score as binary f64 LE), greatest first (skiplist sets) |
//! | 9 HASH_ZIPMAP | a zipmap (Redis < 2.6) |
//! | 10 LIST_ZIPLIST | a ziplist (Redis < 3.2) |
//! | 11 SET_INTSET* | an intset |
//! | 12 ZSET_ZIPLIST, 13 HASH_ZIPLIST | a ziplist of pairs (Redis < 7.0) |
//! | 14 LIST_QUICKLIST | count, ziplists (Redis 3.2 to 6.2) |
//! | 16 HASH_LISTPACK*, 17 ZSET_LISTPACK* | a listpack of pairs |
//! | 18 LIST_QUICKLIST_2* | count, (container 1 = one plain element, 2 = a listpack) |
//! | 15 STREAM_LISTPACKS | nodes, length, last ID, groups without read counters (Redis 5 and 6; read only) |
//! | 19 STREAM_LISTPACKS_2* | nodes, metadata, consumer groups (see `stream.rs`) |
//! | 6, 7 module | refused: Ferrous does not hold modules |
//!
//! | file | job |
//! | --- | --- |
//! | `read.rs` | the byte-level reader: lengths, strings, doubles, with offsets in errors |
//! | `write.rs` | the byte-level writer: lengths, strings (integer-encoded, LZF) |
//! | `value_load.rs` | one value from its type byte, for files and RESTORE |
//! | `value_save.rs` | one value in the encoding 7.0 picks for it, for files and DUMP |
//! | `stream.rs` | streams, both directions |
//! | `load.rs` | a whole file into a fresh [`Store`](crate::store::Store) |
//! | `save.rs` | a whole file from the databases and function libraries |
//! | `tests.rs` | every encoding across its thresholds, the legacy encodings, fuzzing |
//!
//! Invariants: loading never panics and never allocates more than the input
//! can back (every length is checked against the bytes that remain); any
//! damage is an [`RdbError`] naming the offset, and a file loads whole or not
//! at all (it is loaded into a fresh store the caller swaps in).
pub mod load;
pub mod read;
pub mod save;
pub mod stream;
#[cfg(test)]
mod tests;
pub mod value_load;
pub mod value_save;
pub mod write;

/// The RDB version this code writes, and the newest it reads (Redis 7.0's).
pub const RDB_VERSION: u16 = 10;

/// Value type bytes.
pub mod types {
    pub const STRING: u8 = 0;
    pub const LIST: u8 = 1;
    pub const SET: u8 = 2;
    pub const ZSET: u8 = 3;
    pub const HASH: u8 = 4;
    pub const ZSET_2: u8 = 5;
    pub const MODULE: u8 = 6;
    pub const MODULE_2: u8 = 7;
    pub const HASH_ZIPMAP: u8 = 9;
    pub const LIST_ZIPLIST: u8 = 10;
    pub const SET_INTSET: u8 = 11;
    pub const ZSET_ZIPLIST: u8 = 12;
    pub const HASH_ZIPLIST: u8 = 13;
    pub const LIST_QUICKLIST: u8 = 14;
    pub const STREAM_LISTPACKS: u8 = 15;
    pub const HASH_LISTPACK: u8 = 16;
    pub const ZSET_LISTPACK: u8 = 17;
    pub const LIST_QUICKLIST_2: u8 = 18;
    pub const STREAM_LISTPACKS_2: u8 = 19;
    /// Redis 7.2 (RDB 11): sets as a listpack, streams v3.
    pub const SET_LISTPACK: u8 = 20;
    pub const STREAM_LISTPACKS_3: u8 = 21;

    /// Whether Redis 7.0 knows `t` as a value type (`rdbIsObjectType`).
    pub fn is_value_type(t: u8) -> bool {
        t <= 7 || (9..=19).contains(&t)
    }
}

/// Opcodes between keys.
pub mod opcodes {
    pub const FUNCTION2: u8 = 245;
    /// Function libraries as 7.0's release candidates wrote them.
    pub const FUNCTION_PRE_GA: u8 = 246;
    pub const MODULE_AUX: u8 = 247;
    pub const IDLE: u8 = 248;
    pub const FREQ: u8 = 249;
    pub const AUX: u8 = 250;
    pub const RESIZEDB: u8 = 251;
    pub const EXPIRETIME_MS: u8 = 252;
    pub const EXPIRETIME: u8 = 253;
    pub const SELECTDB: u8 = 254;
    pub const EOF: u8 = 255;
}

/// The thresholds that decide a value's encoding (Redis's `*-max-listpack-*`
/// and `set-max-intset-entries` configs), used when loading (to pick the
/// encoding of what is loaded, as Redis does) and saving (list node sizes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encodings {
    pub hash_max_listpack_entries: usize,
    pub hash_max_listpack_value: usize,
    pub set_max_intset_entries: usize,
    pub zset_max_listpack_entries: usize,
    pub zset_max_listpack_value: usize,
    pub list_max_listpack_size: i32,
}

impl Default for Encodings {
    /// Redis 7.0's defaults.
    fn default() -> Self {
        Encodings {
            hash_max_listpack_entries: crate::store::hash::MAX_LISTPACK_ENTRIES,
            hash_max_listpack_value: crate::store::hash::MAX_LISTPACK_VALUE,
            set_max_intset_entries: crate::store::set::MAX_INTSET_ENTRIES,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
            list_max_listpack_size: crate::store::list::DEFAULT_FILL,
        }
    }
}

/// What went wrong, for callers that answer differently (RESTORE).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Damaged, truncated or inconsistent data.
    Corrupt,
    /// Well-formed data of a kind Ferrous does not hold (modules).
    Unsupported,
}

/// A loading error: what, and at which byte offset of the file or payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RdbError {
    pub kind: ErrorKind,
    pub offset: usize,
    pub message: String,
}

impl RdbError {
    pub fn corrupt(offset: usize, message: impl Into<String>) -> RdbError {
        RdbError {
            kind: ErrorKind::Corrupt,
            offset,
            message: message.into(),
        }
    }

    pub fn unsupported(offset: usize, message: impl Into<String>) -> RdbError {
        RdbError {
            kind: ErrorKind::Unsupported,
            offset,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for RdbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at offset {})", self.message, self.offset)
    }
}

impl std::error::Error for RdbError {}

/// The name of a value type byte, for messages.
pub fn type_name(t: u8) -> &'static str {
    use types::*;
    match t {
        STRING => "string",
        LIST | LIST_ZIPLIST | LIST_QUICKLIST | LIST_QUICKLIST_2 => "list",
        SET | SET_INTSET => "set",
        ZSET | ZSET_2 | ZSET_ZIPLIST | ZSET_LISTPACK => "zset",
        HASH | HASH_ZIPMAP | HASH_ZIPLIST | HASH_LISTPACK => "hash",
        MODULE | MODULE_2 => "module",
        STREAM_LISTPACKS | STREAM_LISTPACKS_2 | STREAM_LISTPACKS_3 => "stream",
        SET_LISTPACK => "set (listpack, Redis 7.2)",
        _ => "unknown",
    }
}
