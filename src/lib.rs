//! # Ferrous
//!
//! A Redis-compatible server with its own Lua 5.1 interpreter for `EVAL`
//! scripting, in one crate that depends on nothing but `std`.
//!
//! # Layers
//!
//! The modules form layers, and a layer only ever uses the ones below it
//! (checked by grep: `src/store` names no `crate::cmd`, `src/cmd` no
//! `crate::scripting` or `crate::server`, and so on):
//!
//! ```text
//! server       sockets, threads, the keyspace lock and its policy, the poller, cron
//!   persist    RDB files, the AOF, DUMP payloads (reads and writes the store)
//!   scripting  EVAL and FUNCTION on the Lua engine: sandbox, script cache, redis.call
//!   cmd        the command table, the context a handler sees (client state, shared
//!              server state, config, log), one file per family, blocked clients,
//!              pub/sub registry, notifications
//!   store      the databases: keys to typed values and their encodings, expiry, SCAN
//!   num  digest  resp  lua
//!              numbers as C reads and prints them; SHA-1 and CRC-64; the RESP wire
//!              format; a Lua 5.1 engine that stands alone
//! ```
//!
//! Why this order: a command needs the data (`store`) and the state every
//! command may see (`cmd`); a script runs commands (`scripting` above `cmd`);
//! persistence saves data and functions (`persist` above `scripting`); only the
//! server owns sockets and threads, and decides how the keyspace lock is taken.
//! Where a lower layer must hold something of a higher one, it holds it opaquely:
//! the scripting state sits in the keyspace as a `cmd::ScriptSlot` (a box only
//! `scripting` opens), and the two things the server lets lower layers ask of it
//! (wake the listeners at shutdown, send busy connections home while a script
//! runs) are callbacks in `cmd::shared::ServerHooks`.
//!
//! # A request's path
//!
//! ```text
//! socket ─> server::conn        read, split into whole requests, batch per read
//!        ─> resp::parse         RESP2 multibulk and inline requests, limits, protocol errors
//!        ─> server::lock        the keyspace lock, once per batch (or BUSY while a script runs)
//!        ─> cmd::dispatch       table lookup, arity, auth gate, MULTI queueing, stats
//!        ─> cmd::<family>       the handler, on the Ctx: store, blocked, client, shared
//!        ─> store               databases, typed values, expiry
//!        ─> resp::reply         typed reply helpers into the connection's output buffer
//! socket <─ one write per batch of pipelined replies
//! ```
//!
//! | module | job |
//! | --- | --- |
//! | [`num`] | numbers as C reads and prints them (`strtod`, `strtoul`, Redis's `string2ll`, `%.17g`/`%.14g`, the 80-bit `long double`): the lowest layer, used by all others |
//! | [`digest`] | SHA-1 (script ids), SHA-256 (ACL password hashes), CRC-64 (RDB and DUMP trailers) |
//! | [`resp`] | the RESP wire format: an incremental request parser and the reply writer |
//! | [`lua`] | a Lua 5.1 engine usable on its own: lexer, compiler, register VM, arena heap with a GC, standard library, Redis's script libraries |
//! | [`store`] | the databases: keys to typed values, expiry (lazy and active), glob matching, SCAN cursors |
//! | [`cmd`] | the command table as data and one file per command family, with the state commands see |
//! | [`scripting`] | EVAL and FUNCTION on the engine: Redis 7.0's sandbox, the script cache, `redis.call`, reply<->Lua conversions |
//! | [`persist`] | Redis's persistence formats: RDB version 10 both ways, DUMP/RESTORE, LZF |
//! | [`server`] | listener, connection threads, the poller, the keyspace lock, the cron |
//!
//! The `ferrous` binary (`src/main.rs`) reads flags and a redis.conf-style file and
//! runs the server; `ferrous-lua` (`src/bin/ferrous-lua.rs`) is a `lua5.1`-like
//! command-line interpreter on the same engine.
#![forbid(unsafe_code)]

pub mod cmd;
pub mod digest;
pub mod lua;
pub mod num;
pub mod persist;
pub mod resp;
pub mod scripting;
pub mod server;
pub mod store;
