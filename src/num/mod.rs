//! Numbers as C reads and prints them, once for the whole crate: the lowest
//! layer, which imports nothing else of the crate.
//!
//! Redis and Lua 5.1 are C programs, and much of what a client or a script sees
//! of numbers is C's library: `strtod` and `strtoul` decide what text is a
//! number, `printf("%.17g")` and `printf("%.14g")` decide how a double looks.
//! Every layer above (RESP lengths, string and score arguments, SCAN cursors,
//! INCRBYFLOAT, Lua's `tonumber`/`tostring`, cjson) reads and prints numbers
//! through this module, adding its own rules on top (what may surround the
//! number, which results count as errors).
//!
//! | file | what | C / Redis counterpart |
//! | --- | --- | --- |
//! | [`float80`] | x86's 80-bit `long double`: parse, add, print (INCRBYFLOAT, HINCRBYFLOAT) | `strtold`, `%.17Lf`, Redis's `string2ld` |
//! | `big` | a small unsigned big integer for exact decimal <-> binary steps | — |
//!
//! Invariants: every function is total (no panic for any bytes or any `f64`),
//! allocates nothing sized by its input beyond what it returns, and matches
//! glibc on x86-64 byte for byte; the tests pin values printed by glibc,
//! redis-server 7.0.15 and lua5.1.

mod big;
pub mod float80;

pub use float80::F80;
