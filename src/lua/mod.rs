//! A Lua 5.1 engine, usable on its own.
//!
//! Follows the shape of PUC-Rio Lua 5.1: source text goes through the lexer
//! and the one-pass compiler to a prototype of register bytecode, which the VM
//! runs over a heap of generational arenas with a mark-and-sweep collector.
//!
//! **The public surface is [`Vm`]'s methods** (see [`api`] for the embedding
//! calls and [`state`] for the toolbox native functions use), the [`Value`]
//! type with its handle types, the standard libraries' `open` functions
//! ([`stdlib`]) and Redis's script libraries ([`redislibs`], written on that
//! surface alone). The heap, tables, frames and bytecode are the engine's own
//! (`pub(crate)`): an embedder edits environments, tables and userdata through
//! `Vm` methods (`set_fenv`, `raw_next`, `set_readonly`, `userdata_mut`, ...),
//! never through the heap.
//!
//! | file | job | Lua 5.1 counterpart |
//! | --- | --- | --- |
//! | `api.rs` | the embedding API: load, call (with a handler), globals, hooks and interrupts, budgets, memory limit, raw table access, environments, userdata, error messages | lapi.c, lauxlib.c |
//! | `state.rs` | the `Vm` struct, frames, coroutine state, the native-function toolbox (`arg`, `check_*`, `push`, ...) | lstate.c, lauxlib.c |
//! | `value.rs` | the 16-byte `Copy` value and its handle types | lobject.h |
//! | `lex.rs` | tokens, long strings/comments, escapes, numbers | llex.c |
//! | `parse.rs`, `parse/` | the one-pass parser (statements, expressions), its tests and error cases | lparser.c |
//! | `code.rs`, `code/` | the code generator: expression descriptors, jump lists, registers | lcode.c |
//! | `opcode.rs` | the instruction set and its 32-bit encoding | lopcodes.h/.c |
//! | `proto.rs` | compiled prototypes (plain data), chunk names | lfunc.h, ldebug.c (`luaO_chunkid`) |
//! | `listing.rs` | `luac -l -l` style listings | luac's print.c |
//! | `dump.rs` | `string.dump` and loading binary chunks | ldump.c, lundump.c |
//! | `vm.rs` | the dispatch loop | lvm.c |
//! | `call.rs` | call/return/tailcall, varargs, protected calls, the hook | ldo.c |
//! | `meta.rs` | metamethods and the operators' slow paths | lvm.c, ltm.c |
//! | `debug.rs` | positions, variable names for errors, tracebacks | ldebug.c |
//! | `func.rs` | loaded prototypes, closures, upvalue cells | lfunc.c |
//! | `table.rs` | array + hash tables, 5.1's `#` borders, stable `next` | ltable.c |
//! | `string.rs` | interned byte strings | lstring.c |
//! | `siphash.rs` | the keyed hashes (SipHash-1-2, multiply-shift) of strings and number keys, against hash flooding | lstring.c's `luaS_hash`, ltable.c's `hashnum` |
//! | `heap/` | typed generational arenas, accounting, the collector | lmem.c, lgc.c |
//! | `numfmt.rs` | number <-> text (`%.14g`, `lua_str2number`) | lobject.c, luaconf.h |
//! | `stdlib/` | base, coroutine, string (+ patterns, format), table, math, os, io, debug, package | lbaselib.c, lstrlib.c, ltablib.c, lmathlib.c, loslib.c, liolib.c, ldblib.c, loadlib.c |
//! | `redislibs/` | cjson, cmsgpack, bit, struct, on the public API only | lua_cjson.c, lua_cmsgpack.c, lua_bit.c, lua_struct.c |
//!
//! Invariants every file keeps: no input (source text, binary chunk, library
//! argument) makes the engine panic; Lua-to-Lua calls never recurse in Rust;
//! natives that re-enter Lua count against the C-call limit (200); every
//! collectable object is owned by one arena of the heap and named by handles.
pub mod api;
pub(crate) mod call;
pub(crate) mod code;
pub(crate) mod debug;
pub(crate) mod dump;
pub(crate) mod func;
pub(crate) mod heap;
#[cfg(test)]
mod interrupt_tests;
pub(crate) mod lex;
pub mod listing;
pub(crate) mod meta;
pub mod numfmt;
pub(crate) mod opcode;
pub mod parse;
pub(crate) mod proto;
pub mod redislibs;
pub mod siphash;
pub mod state;
pub mod stdlib;
pub(crate) mod string;
pub(crate) mod table;
pub mod value;
pub(crate) mod vm;
pub use api::InvalidKey;
pub use func::NativeFn;
pub use state::{Hook, LuaError, Vm, LUA_THREAD_STACK};
pub use value::{FuncRef, StrRef, TableRef, Type, Value};
