//! # Ferrous
//!
//! A Redis-compatible server with its own Lua 5.1 interpreter for `EVAL`
//! scripting, in one crate that depends on nothing but `std`.
//!
//! # Layout
//!
//! The server is a stack of layers; a request travels down them and its reply
//! travels back up:
//!
//! ```text
//! socket ──> resp (parse a frame) ──> cmd (look up the command table, check arity,
//!            dispatch to a handler) ──> store (keyspace per database, typed values,
//!            expiry) ──> resp (typed reply helpers) ──> socket
//! ```
//!
//! | module | job |
//! | --- | --- |
//! | [`num`] | numbers as C reads and prints them (`strtod`, `strtoul`, Redis's `string2ll`, `%.17g`/`%.14g`, the 80-bit `long double`): the lowest layer, used by all others |
//! | [`resp`] | RESP2 wire format: an incremental request parser (multibulk and inline) and the reply writer |
//! | [`server`] | listener, connections, client state, blocked clients, configuration, the thread design |
//! | [`cmd`] | the command table as data (name, arity, flags, keys, handler) and one file per command family |
//! | [`store`] | the databases: keys to typed values, expiry (lazy and active), glob matching, SCAN cursors |
//! | [`lua`] | a Lua 5.1 engine usable on its own: lexer, compiler, register VM, arena heap with a GC, standard library |
//! | [`scripting`] | EVAL and FUNCTION on that engine: Redis 7.0's sandbox, the script cache, `redis.call`, reply<->Lua conversions |
//! | [`persist`] | persistence building blocks (today the CRC-64 of RDB and DUMP payloads) |
//! | [`sha1`] | SHA-1, for script ids and `redis.sha1hex` |
//!
//! The `ferrous` binary (`src/main.rs`) reads flags and a redis.conf-style file and
//! runs the server; `ferrous-lua` (`src/bin/ferrous-lua.rs`) is a `lua5.1`-like
//! command-line interpreter on the same engine.
#![forbid(unsafe_code)]

pub mod cmd;
pub mod lua;
pub mod num;
pub mod persist;
pub mod resp;
pub mod scripting;
pub mod server;
pub mod sha1;
pub mod store;
