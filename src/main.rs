//! The `ferrous` server binary: reads flags and an optional redis.conf-style file,
//! then runs the server.
fn main() {}
