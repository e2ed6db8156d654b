//! The libraries Redis gives its scripts, beside Lua's own: `cjson`,
//! `cmsgpack`, `bit` and `struct`.
//!
//! They are written only on the engine's public API ([`crate::lua::Vm`]'s
//! methods: argument checks, raw table access, `raw_next`, `new_str`,
//! `new_table_sized`, native closures with upvalues), as the C libraries Redis
//! bundles use only `lua.h`/`lauxlib.h`. None of them reaches into the heap.
//!
//! | file | library | C counterpart Redis bundles |
//! | --- | --- | --- |
//! | `cjson.rs` | `cjson.encode`, the settings (`encode_max_depth`, `decode_invalid_numbers`, ...) | lua_cjson.c |
//! | `cjson_decode.rs` | `cjson.decode`: tokenizer and an explicit stack of open containers | lua_cjson.c, strbuf.c |
//! | `cmsgpack.rs` | `cmsgpack.pack` / `unpack` / `unpack_one` / `unpack_limit` | lua_cmsgpack.c |
//! | `bit.rs` | `bit.band`, `bor`, `bxor`, `lshift`, `tohex`, ... on 32-bit integers | lua_bit.c (LuaBitOp) |
//! | `struct_.rs` | `struct.pack` / `unpack` / `size` | lua_struct.c |
//!
//! Invariants: no input makes them panic or recurse without bound (nesting is
//! walked with explicit stacks and capped at the depths Redis's builds stop
//! at); each `open(vm)` registers its global table and nothing else.
pub mod bit;
pub mod cjson;
pub mod cjson_decode;
pub mod cmsgpack;
pub mod struct_;
