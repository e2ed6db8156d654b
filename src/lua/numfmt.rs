//! Lua 5.1's rules for numbers and text, on top of the crate's C-style number
//! module ([`crate::num`], which does the reading and printing itself).
//!
//! * [`str2number`] is the string-to-number rule used by `tonumber(s)`, by the
//!   automatic coercion of strings in arithmetic, and by the lexer for numerals:
//!   C's `strtod` (glibc flavour: decimal, hexadecimal with optional fraction and
//!   `p` exponent, `inf`, `infinity`, `nan`) with C-`isspace` white space around
//!   it and nothing else left over. [`str2number_base`] is `tonumber(s, base)`.
//! * [`fmt_number`] is `tostring` of a number: C's `printf("%.14g")`.
//! * [`fmt_float`] (re-exported from [`crate::num::fmt`]) is the core of printf's
//!   `%e %E %f %F %g %G`, used by `string.format` (see `stdlib/format.rs`) and cjson.
//!
//! Invariants: every function is total (no panics for any input bytes or any
//! `f64`); conversions are correctly rounded in both directions, and the output
//! bytes are what glibc's printf prints, including `-nan` for a NaN whose sign
//! bit is set (which is what `0/0` produces on x86).

pub use crate::num::fmt_float;
use crate::num::{is_c_space, strtod, strtoul};

/// Parses `s` the way Lua 5.1's `luaO_str2d` does, returning `None` where Lua
/// would fail (where `tonumber(s)` gives `nil`).
///
/// Lua's rule on top of C's `strtod` ([`crate::num::strtod`], which reads
/// optional white space, a sign, and a decimal, hexadecimal, `inf` or `nan`
/// number): at least one byte must be read, and only white space may follow, up
/// to the end of the C string. Like the C original, the text ends at the first
/// NUL byte: `"1\0x"` reads as 1.
///
/// ```
/// use ferrous::lua::numfmt::str2number;
/// assert_eq!(str2number(b"  0x10  "), Some(16.0));
/// assert_eq!(str2number(b"1e"), None);
/// assert_eq!(str2number(b".5"), Some(0.5));
/// ```
pub fn str2number(s: &[u8]) -> Option<f64> {
    let r = strtod(s);
    if r.end == 0 {
        return None;
    }
    only_spaces_follow(s, r.end).then_some(r.value)
}

/// True when nothing but C white space follows `s[end..]` up to the end of the
/// C string (the end of `s` or its first NUL byte).
fn only_spaces_follow(s: &[u8], end: usize) -> bool {
    s[end..]
        .iter()
        .take_while(|&&b| b != 0)
        .all(|&b| is_c_space(b))
}

/// `tonumber(s, base)` for a base other than 10 (`2 <= base <= 36`; the caller
/// checks the range and raises `base out of range`). Lua 5.1 uses C's `strtoul`
/// ([`crate::num::strtoul`]: optional white space, an optional sign, for base 16
/// an optional `0x`, digits of the base in either case; `"-ff"` wraps to
/// 2^64 - 255, an overflow saturates at 2^64 - 1), and then, like
/// [`str2number`], wants at least one digit and only white space after it, up to
/// the first NUL byte. Base 10 goes through [`str2number`] in 5.1, not through here.
pub fn str2number_base(s: &[u8], base: u32) -> Option<f64> {
    let r = strtoul(s, base);
    if r.end == 0 {
        return None;
    }
    only_spaces_follow(s, r.end).then_some(r.value as f64)
}

/// Appends `tostring(x)` for a number: C's `%.14g` (Lua 5.1's `LUA_NUMBER_FMT`),
/// through the crate's one printf ([`crate::num::fmt_g`]).
#[inline]
pub fn fmt_number(x: f64, out: &mut Vec<u8>) {
    crate::num::fmt_g(x, 14, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(x: f64) -> String {
        let mut v = Vec::new();
        fmt_number(x, &mut v);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn str2number_matches_lua51() {
        // Expected values from lua5.1's tonumber().
        let cases: &[(&[u8], Option<f64>)] = &[
            (b"inf", Some(f64::INFINITY)),
            (b"  0x10  ", Some(16.0)),
            (b"1e", None),
            (b"", None),
            (b"0x", None),
            (b"1 2", None),
            (b"-0x10", Some(-16.0)),
            (b"-inf", Some(f64::NEG_INFINITY)),
            (b"infinity", Some(f64::INFINITY)),
            (b"INF", Some(f64::INFINITY)),
            (b" 1.5 ", Some(1.5)),
            (b"0x1p4", Some(16.0)),
            (b"1e+", None),
            (b"  ", None),
            (b".5", Some(0.5)),
            (b"5.", Some(5.0)),
            (b".", None),
            (b" -.5e-3 ", Some(-0.0005)),
            (b"0X1f", Some(31.0)),
            (b"0x-1", None),
            (b"+5", Some(5.0)),
            (b"+0x10", Some(16.0)),
            (b"1\0", Some(1.0)),
            (b"0xffffffffffffffffff", Some(4722366482869645213696.0)),
            (b"0x100000000", Some(4294967296.0)),
            (b"  inf  ", Some(f64::INFINITY)),
            (b"1e400", Some(f64::INFINITY)),
            (b"0x1.8", Some(1.5)),
            (b"\t\n12\x0b\x0c\r", Some(12.0)),
            (b"1e-400", Some(0.0)),
            (b"00012", Some(12.0)),
            (b"0.1", Some(0.1)),
            (b"1e308", Some(1e308)),
            (b"4.9406564584124654e-324", Some(5e-324)),
            (b"0x1p-1074", Some(5e-324)),
            (b"0x1p-1075", Some(0.0)),
            (b"0x1.8p-1074", Some(1e-323)),
            (b"0x1p1024", Some(f64::INFINITY)),
            (b"0x1.fffffffffffff8p1023", Some(f64::INFINITY)),
            (b"0x1.fffffffffffff7p1023", Some(f64::MAX)),
            (b"0x20000000000001", Some(9007199254740992.0)),
            (b"0x20000000000003", Some(9007199254740996.0)),
            (b"0x200000000000010001", Some(590295810358705782784.0)),
            (b"1x", None),
            (b"abc", None),
            (b"- 1", None),
            (b"1e5x", None),
            (b"0x.8", Some(0.5)),
            (b"0x.", None),
        ];
        for (s, want) in cases {
            let got = str2number(s);
            assert_eq!(got, *want, "input {:?}", String::from_utf8_lossy(s));
        }
        assert!(str2number(b"nan").unwrap().is_nan());
        assert!(str2number(b"NaN").unwrap().is_nan());
        assert!(str2number(b"-nan").unwrap().is_sign_negative());
        assert!(str2number(b"nan(123)").unwrap().is_nan());
        assert!(str2number(b"-0").unwrap().is_sign_negative());
    }

    #[test]
    fn tonumber_with_base_matches_lua51() {
        // Expected values from lua5.1's tonumber(s, base).
        let wrap = 18446744073709551615.0; // 2^64 - 1 and its neighbours round to 2^64
        let cases: &[(&[u8], u32, Option<f64>)] = &[
            (b"ff", 16, Some(255.0)),
            (b"FF", 16, Some(255.0)),
            (b"0x10", 16, Some(16.0)),
            (b"0x", 16, None),
            (b"0xg", 16, None),
            (b" 10 ", 2, Some(2.0)),
            (b"-ff", 16, Some(wrap)),
            (b"zz", 36, Some(1295.0)),
            (b"8", 8, None),
            (b"", 16, None),
            (b"-", 16, None),
            (b"ffffffffffffffffff", 16, Some(wrap)),
            (b"-1", 16, Some(wrap)),
            (b"1\0 2", 16, Some(1.0)),
            (b"+7", 8, Some(7.0)),
            (b"10", 36, Some(36.0)),
            (b"1 1", 2, None),
            (b"  -0x1f  ", 16, Some(wrap)),
            (b"z", 35, None),
        ];
        for (s, base, want) in cases {
            assert_eq!(
                str2number_base(s, *base),
                *want,
                "{:?} base {base}",
                String::from_utf8_lossy(s)
            );
        }
        assert_eq!(str2number_base(b"1", 1), None);
        assert_eq!(str2number_base(b"1", 37), None);
    }

    #[test]
    fn tostring_matches_lua51() {
        // Expected strings from lua5.1's print().
        let cases: &[(f64, &str)] = &[
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (-0.0, "-0"),
            (0.0, "0"),
            (1e15, "1e+15"),
            (1e14, "1e+14"),
            (0.1, "0.1"),
            (1e100, "1e+100"),
            (123456789012345.0, "1.2345678901234e+14"),
            (1234567890123456.0, "1.2345678901235e+15"),
            (9007199254740992.0, "9.007199254741e+15"),
            (9223372036854775808.0, "9.2233720368548e+18"),
            (-9223372036854775808.0, "-9.2233720368548e+18"),
            (1e-5, "1e-05"),
            (123.456, "123.456"),
            (1.0 / 3.0, "0.33333333333333"),
            (100.0, "100"),
            (-100.0, "-100"),
            (5e-324, "4.9406564584125e-324"),
            (99999999999999.0, "99999999999999"),
            (-99999999999999.0, "-99999999999999"),
            (0.0001, "0.0001"),
            (0.00001234, "1.234e-05"),
            (2.5, "2.5"),
            (1e300 * 1e10, "inf"),
            (2.71, "2.71"),
            (-1.5, "-1.5"),
            (12345678901234.5, "12345678901234"),
            (12345678901235.5, "12345678901236"),
        ];
        for (x, want) in cases {
            assert_eq!(num(*x), *want, "value {x:e}");
        }
        // NaN prints with glibc's sign: 0/0 on x86 has its sign bit set.
        assert_eq!(num(-f64::NAN), "-nan");
        assert_eq!(num(f64::NAN), "nan");
    }
}
