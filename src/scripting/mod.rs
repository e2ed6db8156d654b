//! Scripting: EVAL/EVALSHA/SCRIPT and FUNCTION on the crate's own Lua engine.
//!
//! - [`env`]: the Lua environment scripts see (globals, protection, `redis.*` helpers).
pub mod env;
