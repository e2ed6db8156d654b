//! The command table, as data, and the types every command handler sees.
//!
//! Each command family lives in its own file and exports a `COMMANDS` slice of
//! [`CommandSpec`]; [`table`] gathers them into one lookup table. A handler gets a
//! [`Ctx`] (the store, the calling client, the reply buffer, the shared server
//! state) and the request's arguments (`args[0]` is the command name as sent), and
//! writes exactly one reply. Arity is checked before the handler runs, as Redis
//! does: a positive arity is exact, a negative one is a minimum.
pub mod bitops;
pub mod connection;
pub mod float80;
pub mod keys;
pub mod lcs;
pub mod server;
pub mod string;

use crate::resp::Reply;
use crate::server::client::ClientState;
use crate::server::Shared;
use crate::store::Store;

/// A command handler. `args[0]` is the command name; the arity has been checked.
pub type Handler = fn(&mut Ctx<'_>, &[Vec<u8>]);

/// Everything a handler may touch while it runs. The caller holds whatever makes
/// the command atomic (see `server`) for as long as the `Ctx` lives.
pub struct Ctx<'a> {
    pub store: &'a mut Store,
    pub client: &'a mut ClientState,
    pub out: &'a mut Reply,
    pub shared: &'a Shared,
}

/// One row of the command table (Redis's `redisCommand`, trimmed).
#[derive(Clone, Copy)]
pub struct CommandSpec {
    /// Lower-case name, as COMMAND reports it.
    pub name: &'static str,
    /// `N` = exactly N arguments including the name; `-N` = at least N.
    pub arity: i32,
    /// Bit set of the `flags::*` constants.
    pub flags: u32,
    /// Position of the first key argument (0: none), of the last (negative counts
    /// from the end), and the step between keys, as COMMAND INFO reports them.
    pub first_key: i32,
    pub last_key: i32,
    pub step: i32,
    pub handler: Handler,
}

/// Command flags, named as COMMAND INFO names them.
pub mod flags {
    pub const WRITE: u32 = 1 << 0;
    pub const READONLY: u32 = 1 << 1;
    pub const DENYOOM: u32 = 1 << 2;
    pub const ADMIN: u32 = 1 << 3;
    pub const PUBSUB: u32 = 1 << 4;
    pub const NOSCRIPT: u32 = 1 << 5;
    pub const BLOCKING: u32 = 1 << 6;
    pub const LOADING: u32 = 1 << 7;
    pub const STALE: u32 = 1 << 8;
    pub const FAST: u32 = 1 << 9;
    pub const NO_AUTH: u32 = 1 << 10;
    pub const MAY_REPLICATE: u32 = 1 << 11;
    pub const NO_MULTI: u32 = 1 << 12;
    pub const ALLOW_BUSY: u32 = 1 << 13;
}

/// Error texts shared by many commands, exactly as redis-server 7.0 sends them.
pub mod errors {
    pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
    pub const SYNTAX: &str = "ERR syntax error";
    pub const NOT_INTEGER: &str = "ERR value is not an integer or out of range";
    pub const NOT_FLOAT: &str = "ERR value is not a valid float";
    pub const NO_SUCH_KEY: &str = "ERR no such key";
    pub const DB_INDEX: &str = "ERR DB index is out of range";
}

/// Every command this server knows, gathered from the family files.
pub fn table() -> Vec<&'static CommandSpec> {
    let families: [&'static [CommandSpec]; 6] = [
        bitops::COMMANDS,
        connection::COMMANDS,
        keys::COMMANDS,
        lcs::COMMANDS,
        server::COMMANDS,
        string::COMMANDS,
    ];
    families.iter().flat_map(|f| f.iter()).collect()
}
