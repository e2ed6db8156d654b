//! RESP, the Redis serialization protocol, both directions.
//!
//! - [`parse`]: the incremental request parser (multibulk `*N\r\n$L\r\n...` and inline
//!   `PING\r\n`; requests look the same in RESP2 and RESP3). Running out of bytes
//!   is not an error: the parser says "incomplete" and the caller reads more.
//! - [`reply`]: the reply writer. Every handler writes its reply through these typed
//!   helpers, never by hand, so the wire format lives in one place; the writer
//!   knows the connection's protocol (HELLO 2 or 3) and writes each reply type
//!   the way Redis 7.0 writes it in that protocol.
pub mod parse;
pub mod reply;

pub use reply::Reply;
