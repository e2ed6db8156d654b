//! `ferrous-lua`: a `lua5.1`-like command-line interpreter on Ferrous's Lua engine.
fn main() {}
