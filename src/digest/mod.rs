//! Digests, checksums and compression, written from their specifications: the
//! lowest layer, used by scripting (script ids, FUNCTION DUMP payloads) and
//! persistence (RDB files, DUMP payloads). Nothing here depends on the rest of
//! the crate.
//!
//! | file | job |
//! | --- | --- |
//! | `sha1.rs` | SHA-1: script ids (`EVALSHA`), `redis.sha1hex` |
//! | `sha256.rs` | SHA-256: ACL passwords (stored and compared as hashes) |
//! | `block.rs` | the 64-byte block framing and padding SHA-1 and SHA-256 share |
//! | `crc64.rs` | CRC-64/Jones as Redis computes it: the trailer of RDB files and DUMP payloads |
//! | `siphash.rs` | SipHash-1-2 with a per-process random key: the hash of every table client data reaches |
//! | `lzf.rs` | LZF, byte-compatible with the liblzf Redis ships: strings in RDB files, DUMP and FUNCTION DUMP payloads |
mod block;
pub mod crc64;
pub mod lzf;
pub mod sha1;
pub mod sha256;
pub mod siphash;
