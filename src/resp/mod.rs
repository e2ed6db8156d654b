//! RESP2, the Redis serialization protocol, both directions.
//!
//! - [`parse`]: the incremental request parser (multibulk `*N\r\n$L\r\n...` and inline
//!   `PING\r\n`). Running out of bytes is not an error: the parser says "incomplete"
//!   and the caller reads more.
//! - [`reply`]: the reply writer. Every handler writes its reply through these typed
//!   helpers, never by hand, so the wire format lives in one place.
pub mod parse;
pub mod reply;

pub use reply::Reply;
