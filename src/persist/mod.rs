//! Persistence: Redis's own formats, so data moves between redis-server and
//! Ferrous in both directions.
//!
//! | file | job |
//! | --- | --- |
//! | `legacy.rs` | ziplist and zipmap, the packed encodings of older Redis versions (read only) |
//! | `rdb/` | RDB version 10: files and the value encoding, both directions |
//! | `dump.rs` | DUMP payloads: a value, the RDB version, a CRC-64 |
//! | `save_commands.rs` | SAVE, BGSAVE, LASTSAVE |
//! | `rdbfile.rs` | the RDB file on disk: SAVE, BGSAVE (a snapshot written by a thread), save points, loading at startup, DEBUG RELOAD |
//! | `commands.rs` | DUMP and RESTORE |
//! | `aof/` | the append-only file: manifest, writing, fsync, rewrite, loading |
//! | `aof_commands.rs` | BGREWRITEAOF |
//!
//! The in-memory listpack and intset types these formats share live in
//! `store` (`store/listpack/`, `store/intset.rs`), since values will be kept
//! in them too; LZF is in `digest` (`digest/lzf.rs`), since FUNCTION DUMP
//! payloads, below this layer, compress library code with it. Persistence
//! sits above the scripting layer: RDB files carry the function libraries,
//! read and loaded through `scripting::function`.
pub mod aof;
pub mod aof_commands;
pub mod commands;
pub use crate::digest::crc64;
pub mod dump;
pub mod legacy;
pub mod migrate;
/// LZF lives in the lowest layer (`digest`), since FUNCTION DUMP uses it too.
pub use crate::digest::lzf;
pub mod rdb;
pub mod rdbfile;
pub mod save_commands;

/// The command families of this layer, added to the server's table.
pub const FAMILIES: &[&[crate::cmd::CommandSpec]] = &[
    commands::COMMANDS,
    save_commands::COMMANDS,
    migrate::COMMANDS,
    aof_commands::COMMANDS,
];
