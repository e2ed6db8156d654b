//! A Lua 5.1 engine, usable on its own.
//!
//! Follows the shape of PUC-Rio Lua 5.1: source text goes through the lexer
//! ([`lex`]) and the one-pass compiler ([`parse`], [`code`]) to a [`proto::Proto`]
//! of register bytecode ([`opcode`]), which the VM runs over a heap of
//! generational arenas with a mark-and-sweep collector.
pub mod api;
pub mod bit;
pub mod call;
pub mod cjson;
pub mod cjson_decode;
pub mod cmsgpack;
pub mod code;
pub mod debug;
pub mod dump;
pub mod func;
pub mod heap;
pub mod lex;
pub mod listing;
pub mod meta;
pub mod numfmt;
pub mod opcode;
pub mod parse;
pub mod proto;
pub mod state;
pub mod stdlib;
pub mod string;
pub mod struct_;
pub mod table;
pub mod value;
pub mod vm;
pub use state::{LuaError, Vm};
pub use value::Value;
