//! Doubles printed as glibc's `printf` prints them: the one formatter behind
//! Redis's `%.17g` replies (ZSCORE, ZINCRBY, RESP3 doubles, listpack scores),
//! Lua's `tostring` (`%.14g`), Lua's `string.format("%e %f %g ...")` and cjson.
//!
//! - [`fmt_g`]: `printf("%.<prec>g", x)`, sign included.
//! - [`fmt_float`]: the body of a `%e %E %f %F %g %G` conversion without its sign,
//!   for callers that add flags and padding themselves (`string.format`).
//!
//! Invariants: every function is total (no panic for any `f64` or precision) and
//! appends to its buffer. Output is byte for byte glibc's: correctly rounded
//! decimal digits (ties to even on the exact binary value), at least two exponent
//! digits (`1e+21`, `1e-05`), `inf`/`nan` in the conversion's case, and `-nan`
//! for a NaN whose sign bit is set (x86's `0/0` is one). Exact digits come from
//! Rust's `{:e}` and `{:.N}` formatting, which are exact; the fast paths are
//! proven to agree with them (see [`shortest_digits`]).

use std::io::Write;

use super::int::push_i64;

/// Powers of ten that are exact in both `f64` and `i64` (10^0 ..= 10^18).
const POW10: [f64; 19] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18,
];

/// Appends C's `printf("%.<prec>g", x)`, sign included (`%.17g` is Redis's
/// double reply, `%.14g` Lua's `tostring`). A precision of 0 means 1, as in C.
///
/// An integral `x` below `10^prec` in magnitude (the common case: scores and Lua
/// numbers that are integers) is printed straight from its `i64` value: `%g`
/// shows such a number in full, without a point.
///
/// ```
/// use ferrous::num::fmt_g;
/// let mut out = Vec::new();
/// fmt_g(0.1, 17, &mut out);
/// out.push(b' ');
/// fmt_g(1e15, 14, &mut out);
/// assert_eq!(out, b"0.10000000000000001 1e+15");
/// ```
pub fn fmt_g(x: f64, prec: usize, out: &mut Vec<u8>) {
    let prec = prec.max(1);
    if x == x.trunc() && x.abs() < POW10[prec.min(18)] {
        // |x| < 10^18 < 2^63: the cast is exact.
        let n = x as i64;
        if n == 0 && x.is_sign_negative() {
            out.extend_from_slice(b"-0");
        } else {
            push_i64(out, n);
        }
        return;
    }
    if x.is_sign_negative() {
        out.push(b'-');
    }
    fmt_float(x, b'g', prec, false, out);
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
        _ => fmt_g_body(x, prec.max(1), upper, alt, out),
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
    push_i64(out, i64::from(a));
}

/// The exponent Rust printed after its `e` (an optional `-` and digits).
fn parse_small_int(s: &[u8]) -> i32 {
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let mut v: i32 = 0;
    for &b in digits {
        v = v
            .saturating_mul(10)
            .saturating_add(i32::from(b.wrapping_sub(b'0')));
    }
    if neg {
        -v
    } else {
        v
    }
}

/// `%g`: `prec` significant digits; `%e` style when the exponent X is < -4 or
/// >= prec, else `%f` style; trailing zeros (and a bare point) removed unless `alt`.
fn fmt_g_body(x: f64, prec: usize, upper: bool, alt: bool, out: &mut Vec<u8>) {
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
    // Re-place the decimal point: same digits, fixed notation. Here exp < prec,
    // and prec is at most what fits the buffer when exp >= 0 (fixed notation
    // needs exp + 1 <= prec digits before the point).
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

    fn g(x: f64, prec: usize) -> String {
        let mut v = Vec::new();
        fmt_g(x, prec, &mut v);
        String::from_utf8(v).unwrap_or_default()
    }

    fn ff(x: f64, conv: u8, prec: usize, alt: bool) -> String {
        let mut v = Vec::new();
        fmt_float(x, conv, prec, alt, &mut v);
        String::from_utf8(v).unwrap_or_default()
    }

    #[test]
    fn g17_matches_glibc() {
        // Expected strings from glibc's printf("%.17g").
        let cases: &[(f64, &str)] = &[
            (1.5, "1.5"),
            (0.1, "0.10000000000000001"),
            (3.0, "3"),
            (-2.25, "-2.25"),
            (1e17, "1e+17"),
            (1e16, "10000000000000000"),
            (1.5e17, "1.5e+17"),
            (12345678901234567.0, "12345678901234568"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (0.0001, "0.0001"),
            (0.00001, "1.0000000000000001e-05"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (1e300, "1.0000000000000001e+300"),
            (0.0, "0"),
            (-0.0, "-0"),
            (5e-324, "4.9406564584124654e-324"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (0.30000000000000004, "0.30000000000000004"),
            (4.35, "4.3499999999999996"),
            (0.00012345678901234567, "0.00012345678901234567"),
            (123456.78901234567, "123456.78901234567"),
            (1e23, "9.9999999999999992e+22"),
            (9007199254740993.0, "9007199254740992"),
        ];
        for &(x, want) in cases {
            assert_eq!(g(x, 17), want, "{x:e}");
        }
        // NaN keeps its sign bit, as glibc prints it.
        assert_eq!(g(f64::NAN, 17), "nan");
        assert_eq!(g(-f64::NAN, 17), "-nan");
    }

    #[test]
    fn g14_matches_lua51_tostring() {
        // Expected strings from lua5.1's print() (C's %.14g).
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
            (2.71, "2.71"),
            (-1.5, "-1.5"),
            (12345678901234.5, "12345678901234"),
            (12345678901235.5, "12345678901236"),
            (0.00012345678901234567, "0.00012345678901235"),
            (123456.78901234567, "123456.78901235"),
        ];
        for &(x, want) in cases {
            assert_eq!(g(x, 14), want, "{x:e}");
        }
        assert_eq!(g(-f64::NAN, 14), "-nan");
        assert_eq!(g(f64::NAN, 14), "nan");
    }

    #[test]
    fn other_precisions_match_glibc() {
        // printf("%g"), "%.20g", "%.1g", "%.0g" from glibc.
        assert_eq!(g(0.1, 6), "0.1");
        assert_eq!(g(123456789012345678.0, 6), "1.23457e+17");
        assert_eq!(g(123456.78901234567, 6), "123457");
        assert_eq!(g(0.1, 20), "0.10000000000000000555");
        assert_eq!(g(123456789012345678.0, 20), "123456789012345680");
        assert_eq!(g(1e21, 20), "1e+21");
        assert_eq!(g(2.5, 1), "2");
        assert_eq!(g(2.5, 0), "2");
        assert_eq!(g(35.0, 1), "4e+01");
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
        // "%#.3g" and "%.3e" from glibc.
        assert_eq!(ff(0.1, b'g', 3, true), "0.100");
        assert_eq!(ff(100.0, b'g', 3, true), "100.");
        assert_eq!(ff(0.0001, b'g', 3, true), "0.000100");
        assert_eq!(ff(123456789012345678.0, b'e', 3, false), "1.235e+17");
        assert_eq!(ff(5e-324, b'e', 3, false), "4.941e-324");
    }
}
