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
//! | [`int`] | integers: Redis's strict reader, C's `strtoul`, SCAN cursors, decimal output | `string2ll`, `strtoul`, `parseScanCursorOrReply`, `ll2string` |
//! | [`strtod`] | text to double with C's exact acceptance, end pointer and ERANGE | glibc's `strtod`; Redis's `string2d` |
//! | [`fmt`] | double to text as glibc's printf: `%.17g`, `%.14g`, `%e %f %g` | `printf` |
//! | [`float80`] | x86's 80-bit `long double`: parse, add, print (INCRBYFLOAT, HINCRBYFLOAT) | `strtold`, `%.17Lf`, Redis's `string2ld` |
//! | `big` | a small unsigned big integer for exact decimal <-> binary steps | — |
//!
//! Invariants: every function is total (no panic for any bytes or any `f64`),
//! allocates nothing sized by its input beyond what it returns, and matches
//! glibc on x86-64 byte for byte; the tests pin values printed by glibc,
//! redis-server 7.0.15 and lua5.1.

mod big;
pub mod float80;
pub mod fmt;
pub mod int;
pub mod strtod;

pub use float80::F80;
pub use fmt::{fmt_float, fmt_g};
pub use int::{ll2string, push_i64, scan_cursor, string2ll, strtoul, Strtoul};
pub use strtod::{strtod, Strtod};

/// C's `isspace` in the "C" locale: space, `\t`, `\n`, `\v`, `\f`, `\r`.
#[inline]
pub fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Redis's `string2d` (what `getDoubleFromObject` applies to a score, a weight or
/// an increment): the whole text must be one `strtod` number, with no white space
/// first, no NUL inside, not NaN, and no overflow to infinity or underflow all the
/// way to zero (a subnormal result is fine). `None` is Redis's "value is not a
/// valid float" (or the command's own text).
///
/// ```
/// use ferrous::num::string2d;
/// assert_eq!(string2d(b"-inf"), Some(f64::NEG_INFINITY));
/// assert_eq!(string2d(b"1e-310"), Some(1e-310));
/// assert_eq!(string2d(b"1e400"), None);
/// assert_eq!(string2d(b" 1"), None);
/// ```
pub fn string2d(s: &[u8]) -> Option<f64> {
    if s.first().is_none_or(|&b| is_c_space(b)) {
        return None;
    }
    let r = strtod(s);
    let refused = r.end != s.len()
        || r.value.is_nan()
        || (r.erange && (r.value.is_infinite() || r.value == 0.0));
    (!refused).then_some(r.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What redis-server 7.0.15 accepts as a ZADD score / ZINCRBY increment.
    #[test]
    fn string2d_follows_redis() {
        assert_eq!(string2d(b"1.5"), Some(1.5));
        assert_eq!(string2d(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(string2d(b"+Infinity"), Some(f64::INFINITY));
        assert_eq!(string2d(b"0x10"), Some(16.0));
        assert_eq!(string2d(b"1e-310"), Some(1e-310));
        assert_eq!(string2d(b"0e5"), Some(0.0));
        for bad in [
            &b""[..],
            b" 1",
            b"1 ",
            b"nan",
            b"1e400",
            b"-1e-400",
            b"1x",
            b"1\x002",
        ] {
            assert_eq!(string2d(bad), None, "{:?}", bad);
        }
    }
}
