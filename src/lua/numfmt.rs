//! Converting between Lua numbers (`f64`) and their text, exactly as Lua 5.1 does.
//!
//! * [`str2number`] is the string-to-number rule used by `tonumber(s)`, by the
//!   automatic coercion of strings in arithmetic, and by the lexer for numerals.
//!   Lua 5.1 hands the text to C's `strtod` (glibc flavour: decimal, hexadecimal
//!   with optional fraction and `p` exponent, `inf`, `infinity`, `nan`), allows
//!   C-`isspace` white space around it, and rejects anything else left over.
//! * [`fmt_number`] is `tostring` of a number: C's `printf("%.14g")`.
//! * [`fmt_float`] is the shared core of printf's `%e %E %f %F %g %G`, also used by
//!   `string.format` (see `stdlib/format.rs`).
//!
//! Invariants: every function is total (no panics for any input bytes or any `f64`),
//! decimal conversions are correctly rounded in both directions (we lean on Rust's
//! `f64::from_str` and `{:e}`/`{:.N}` formatting, which are exact, like glibc), and the
//! output bytes are what glibc's printf prints, including `-nan` for a NaN whose sign
//! bit is set (which is what `0/0` produces on x86).

use std::io::Write;

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

/// Appends `tostring(x)` for a number: C's `%.14g`.
///
/// Integral values below 10^14 in magnitude (the common case) take a fast path that
/// prints the integer directly; everything else goes through [`fmt_float`].
pub fn fmt_number(x: f64, out: &mut Vec<u8>) {
    if x == x.trunc() && x.abs() < 1e14 {
        let n = x as i64;
        if n == 0 && x.is_sign_negative() {
            out.extend_from_slice(b"-0");
            return;
        }
        push_i64(n, out);
        return;
    }
    if x.is_sign_negative() {
        out.push(b'-');
    }
    fmt_float(x.abs(), b'g', 14, false, out);
}

/// Appends the decimal digits of `n` (with a `-` when negative).
pub fn push_i64(n: i64, out: &mut Vec<u8>) {
    let mut buf = [0u8; 20];
    let mut pos = buf.len();
    let mut u = n.unsigned_abs();
    loop {
        pos -= 1;
        buf[pos] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    if n < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&buf[pos..]);
}

/// Appends the body of a C printf floating conversion of `x`, *without its sign*
/// (the caller prints `-`, `+` or space, looking at `x.is_sign_negative()`), and
/// without padding. `conv` is one of `e E f F g G`; `prec` is the precision
/// (C's default is 6; for `g`, 0 means 1); `alt` is the `#` flag (keep the decimal
/// point, and for `g` keep trailing zeros). Infinities print `inf`/`INF`, NaNs
/// `nan`/`NAN`. Any other `conv` byte is treated as `g`.
pub fn fmt_float(x: f64, conv: u8, prec: usize, alt: bool, out: &mut Vec<u8>) {
    let upper = conv.is_ascii_uppercase();
    let x = x.abs();
    if !x.is_finite() {
        let word: &[u8] = match (x.is_nan(), upper) {
            (true, false) => b"nan",
            (true, true) => b"NAN",
            (false, false) => b"inf",
            (false, true) => b"INF",
        };
        out.extend_from_slice(word);
        return;
    }
    match conv | 0x20 {
        b'f' => {
            // Rust prints the exact decimal expansion, rounded half-to-even like glibc.
            let _ = write!(out, "{:.*}", prec, x);
            if alt && prec == 0 {
                out.push(b'.');
            }
        }
        b'e' => {
            let start = out.len();
            let _ = write!(out, "{:.*e}", prec, x);
            fix_exponent(out, start, upper, alt && prec == 0);
        }
        _ => fmt_g(x, prec.max(1), upper, alt, out),
    }
}

/// Rewrites Rust's exponent form at `out[start..]` ("1.5e-7", "1e21") into C's
/// ("1.5e-07", "1e+21"), optionally adding a `.` after a lone leading digit.
fn fix_exponent(out: &mut Vec<u8>, start: usize, upper: bool, add_point: bool) {
    let epos = match out[start..].iter().position(|&b| b == b'e') {
        Some(p) => start + p,
        None => return,
    };
    let exp: i32 = parse_small_int(&out[epos + 1..]);
    out.truncate(epos);
    if add_point {
        out.push(b'.');
    }
    push_c_exponent(exp, upper, out);
}

/// Appends `e+XX` / `e-XX` (at least two exponent digits), as C prints them.
fn push_c_exponent(exp: i32, upper: bool, out: &mut Vec<u8>) {
    out.push(if upper { b'E' } else { b'e' });
    out.push(if exp < 0 { b'-' } else { b'+' });
    let a = exp.unsigned_abs();
    if a < 10 {
        out.push(b'0');
    }
    push_i64(a as i64, out);
}

fn parse_small_int(s: &[u8]) -> i32 {
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let mut v: i32 = 0;
    for &b in digits {
        v = v.saturating_mul(10).saturating_add((b - b'0') as i32);
    }
    if neg {
        -v
    } else {
        v
    }
}

/// `%g`: `prec` significant digits; `%e` style when the exponent X is < -4 or
/// >= prec, else `%f` style; trailing zeros (and a bare point) removed unless `alt`.
fn fmt_g(x: f64, prec: usize, upper: bool, alt: bool, out: &mut Vec<u8>) {
    let start = out.len();
    let exp = match shortest_digits(x, prec, out) {
        Some(exp) => exp,
        None => {
            let _ = write!(out, "{:.*e}", prec - 1, x);
            let epos = match out[start..].iter().position(|&b| b == b'e') {
                Some(p) => start + p,
                None => return,
            };
            let exp = parse_small_int(&out[epos + 1..]);
            out.truncate(epos);
            exp
        }
    };
    // out[start..] is now "d" or "d.ddd": the `prec` significant digits, rounded.
    if exp < -4 || exp >= prec as i32 {
        if !alt {
            strip_zeros(out, start);
        } else if prec == 1 {
            out.push(b'.');
        }
        push_c_exponent(exp, upper, out);
        return;
    }
    // Re-place the decimal point: same digits, fixed notation.
    let mut digits = [0u8; 800];
    let mut nd = 0;
    for &b in &out[start..] {
        if b != b'.' && nd < digits.len() {
            digits[nd] = b;
            nd += 1;
        }
    }
    out.truncate(start);
    if exp >= 0 {
        let int_len = exp as usize + 1; // <= prec = nd
        out.extend_from_slice(&digits[..int_len.min(nd)]);
        if int_len < nd || alt {
            out.push(b'.');
            out.extend_from_slice(&digits[int_len.min(nd)..nd]);
        }
    } else {
        out.extend_from_slice(b"0.");
        for _ in 0..(-exp - 1) {
            out.push(b'0');
        }
        out.extend_from_slice(&digits[..nd]);
    }
    if !alt {
        strip_zeros(out, start);
    }
}

/// Fast path of `%g` for a normal `x` and `prec <= 15`, built on Rust's shortest
/// round-trip digits D (k of them) instead of slow exact formatting. Why it is
/// exact: D and x both lie in x's rounding interval, which is under 2.3e-16
/// relative wide, while numbers of 15 significant digits are over 1e-15 relative
/// apart, so that interval holds at most one number of <= 15 digits, and if it
/// holds one, D is it.
/// * k <= prec: D itself is the correctly rounded result (padded with zeros).
/// * k > prec (needs prec <= 14): the rounding boundaries (prec+1 digits ending
///   in 5) can only be in the interval as D itself; unless D is one, rounding D
///   to `prec` digits gives what rounding x does. If D is one, we give up.
///
/// Appends "d.ddd" (exactly `prec` digits) and returns the decimal exponent, or
/// appends nothing and returns `None` (the caller formats exactly).
fn shortest_digits(x: f64, prec: usize, out: &mut Vec<u8>) -> Option<i32> {
    // Subnormals carry fewer bits: the width argument does not hold for them.
    if prec > 15 || !(x.is_normal() || x == 0.0) {
        return None;
    }
    let start = out.len();
    let _ = write!(out, "{:e}", x);
    let epos = start + out[start..].iter().position(|&b| b == b'e')?;
    let mut exp = parse_small_int(&out[epos + 1..]);
    let mut d = [b'0'; 24];
    let mut k = 0;
    for &b in &out[start..epos] {
        if b.is_ascii_digit() && k < d.len() {
            d[k] = b;
            k += 1;
        }
    }
    out.truncate(start);
    if k > prec {
        if prec > 14 {
            return None;
        }
        let next = d[prec];
        let rest_nonzero = d[prec + 1..k].iter().any(|&b| b != b'0');
        if next == b'5' && !rest_nonzero {
            return None;
        }
        if next >= b'5' {
            // (A 5 here has nonzero digits after it: the exact tie returned above.)
            // Round up with carry.
            let mut i = prec;
            loop {
                if i == 0 {
                    // 99..9 became 100..0: one more digit before the point.
                    d[0] = b'1';
                    exp += 1;
                    break;
                }
                i -= 1;
                if d[i] == b'9' {
                    d[i] = b'0';
                } else {
                    d[i] += 1;
                    break;
                }
            }
        }
        k = prec;
    }
    out.push(d[0]);
    if prec > 1 {
        out.push(b'.');
        out.extend_from_slice(&d[1..k]);
        for _ in k.max(1)..prec {
            out.push(b'0');
        }
    }
    Some(exp)
}

/// Removes trailing zeros after a decimal point in `out[start..]`, and the point
/// itself when nothing follows it.
fn strip_zeros(out: &mut Vec<u8>, start: usize) {
    if !out[start..].contains(&b'.') {
        return;
    }
    while out.len() > start && out[out.len() - 1] == b'0' {
        out.pop();
    }
    if out.len() > start && out[out.len() - 1] == b'.' {
        out.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(x: f64) -> String {
        let mut v = Vec::new();
        fmt_number(x, &mut v);
        String::from_utf8(v).unwrap()
    }

    fn ff(x: f64, conv: u8, prec: usize, alt: bool) -> String {
        let mut v = Vec::new();
        fmt_float(x, conv, prec, alt, &mut v);
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

    #[test]
    fn printf_float_forms() {
        // Expected values from lua5.1's string.format (glibc printf).
        assert_eq!(ff(0.5, b'f', 0, false), "0");
        assert_eq!(ff(1.5, b'f', 0, false), "2");
        assert_eq!(ff(2.5, b'f', 0, false), "2");
        assert_eq!(ff(0.125, b'f', 2, false), "0.12");
        assert_eq!(ff(0.375, b'f', 2, false), "0.38");
        assert_eq!(ff(0.5, b'e', 0, false), "5e-01");
        assert_eq!(ff(2.5, b'e', 1, false), "2.5e+00");
        assert_eq!(ff(1e21, b'f', 0, false), "1000000000000000000000");
        assert_eq!(ff(2f64.powi(70), b'g', 6, false), "1.18059e+21");
        assert_eq!(ff(2f64.powi(70), b'g', 3, false), "1.18e+21");
        assert_eq!(ff(0.375, b'g', 3, false), "0.375");
        assert_eq!(ff(1.0, b'e', 0, true), "1.e+00");
        assert_eq!(ff(1.0, b'g', 6, true), "1.00000");
        assert_eq!(ff(100000.0, b'g', 6, false), "100000");
        assert_eq!(ff(1000000.0, b'g', 6, false), "1e+06");
        assert_eq!(ff(1e-300, b'E', 3, false), "1.000E-300");
        assert_eq!(ff(f64::INFINITY, b'G', 6, false), "INF");
        assert_eq!(ff(9.9999, b'g', 3, false), "10");
        assert_eq!(ff(0.00099999, b'g', 2, false), "0.001");
    }
}
