//! C's `strtod`, as glibc implements it: the one reader of floating-point text
//! in the crate. Lua's `tonumber` and numerals, cjson's decoder, Redis's score and
//! range arguments and SORT's weights all start here and add their own rules
//! about what may come before and after the number.
//!
//! What glibc's `strtod(s, &end)` accepts, in order:
//! 1. any C white space (`isspace`: space, `\t`, `\n`, `\v`, `\f`, `\r`);
//! 2. an optional `+` or `-`;
//! 3. one of: `inf` or `infinity`; `nan`, optionally followed by `(chars)` where
//!    the chars are letters, digits and `_`; `0x`/`0X` and hexadecimal digits with
//!    an optional `.` and fraction, then optionally `p`, a sign and decimal digits
//!    (a power of two); decimal digits with an optional `.` and fraction (at least
//!    one digit in all), then optionally `e`, a sign and digits (a power of ten).
//!    Letters match in any case. An exponent marker not followed by a digit is not
//!    part of the number; neither is `0x` without a hex digit after it (then only
//!    the `0` is read).
//!
//! The end pointer is [`Strtod::end`]: how many bytes were read, `0` when no
//! number starts the text (C then sets `end = s` and returns 0). A NUL byte is not
//! in the grammar, so the number always stops before one, as in C where the
//! string ends there.
//!
//! Invariants: the value is correctly rounded (round to nearest, ties to even), in
//! decimal through Rust's exact `f64` parser and in hexadecimal by our own
//! rounding; [`Strtod::erange`] is C's `errno == ERANGE`: set on overflow (the
//! value is then ±infinity, C's `±HUGE_VAL`) and on underflow, which glibc on
//! x86-64 reports when the result is inexact and *tiny after rounding* (the value
//! rounded to 53 bits with an unbounded exponent is below 2^-1022). Every
//! function is total: no panic and no work beyond linear in the input for any bytes.

use super::big::Big;
use super::is_c_space;

/// What `strtod` returns: the value, the end pointer as an offset, and `errno`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Strtod {
    /// The number read (0.0 when none was).
    pub value: f64,
    /// Bytes used from the start of the text, white space and sign included;
    /// 0 when no number was read.
    pub end: usize,
    /// C's `errno == ERANGE`: overflow to ±infinity, or underflow.
    pub erange: bool,
}

impl Strtod {
    /// True when nothing follows the number in C's view of `s` (the text it was
    /// read from): `*end == '\0'`, i.e. the end of `s` or a NUL byte. True for an
    /// empty `s` (C reads nothing and stops on the terminator).
    pub fn at_c_end(&self, s: &[u8]) -> bool {
        s.get(self.end).is_none_or(|&b| b == 0)
    }
}

/// C's `strtod(s, &end)`: see the module header for the grammar.
///
/// ```
/// use ferrous::num::strtod;
/// let r = strtod(b"  -0x1.8p1xyz");
/// assert_eq!((r.value, r.end, r.erange), (-3.0, 10, false));
/// assert!(strtod(b"1e999").erange);
/// assert_eq!(strtod(b"e5").end, 0);
/// ```
pub fn strtod(s: &[u8]) -> Strtod {
    let mut i = 0;
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    let neg = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let rest = &s[i..];
    let (mag, used, erange) = match rest.first().map(|b| b | 0x20) {
        Some(b'i') if starts_with_ci(rest, b"inf") => {
            let n = if starts_with_ci(rest, b"infinity") {
                8
            } else {
                3
            };
            (f64::INFINITY, n, false)
        }
        Some(b'n') if starts_with_ci(rest, b"nan") => (f64::NAN, nan_len(rest), false),
        Some(b'0') if rest.len() > 2 && rest[1] | 0x20 == b'x' && hex_has_digits(&rest[2..]) => {
            let (v, n, erange) = hex(&rest[2..]);
            (v, n + 2, erange)
        }
        _ => match decimal(rest) {
            Some(r) => r,
            None => {
                return Strtod {
                    value: 0.0,
                    end: 0,
                    erange: false,
                }
            }
        },
    };
    Strtod {
        value: if neg { -mag } else { mag },
        end: i + used,
        erange,
    }
}

fn starts_with_ci(s: &[u8], word: &[u8]) -> bool {
    s.len() >= word.len() && s[..word.len()].eq_ignore_ascii_case(word)
}

/// Length of `nan` or `nan(chars)` at the start of `s` (which starts with "nan").
fn nan_len(s: &[u8]) -> usize {
    if s.get(3) == Some(&b'(') {
        let mut j = 4;
        while j < s.len() && (s[j].is_ascii_alphanumeric() || s[j] == b'_') {
            j += 1;
        }
        if s.get(j) == Some(&b')') {
            return j + 1;
        }
    }
    3
}

/// True when a hex mantissa starts here: a hex digit, or `.` then a hex digit.
fn hex_has_digits(s: &[u8]) -> bool {
    match s.first() {
        Some(b) if b.is_ascii_hexdigit() => true,
        Some(b'.') => s.get(1).is_some_and(|b| b.is_ascii_hexdigit()),
        _ => false,
    }
}

/// Reads an exponent's optional sign and digits at `s[j..]` (after the `e` or
/// `p`). Returns the exponent (clamped far beyond any finite result) and where it
/// ends, or `None` when no digit follows (the marker is then not part of the number).
fn exponent(s: &[u8], mut j: usize) -> Option<(i64, usize)> {
    let neg = match s.get(j) {
        Some(b'-') => {
            j += 1;
            true
        }
        Some(b'+') => {
            j += 1;
            false
        }
        _ => false,
    };
    if !s.get(j).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let mut e: i64 = 0;
    while let Some(&d) = s.get(j).filter(|d| d.is_ascii_digit()) {
        e = (e * 10 + i64::from(d - b'0')).min(1 << 40);
        j += 1;
    }
    Some((if neg { -e } else { e }, j))
}

/// The decimal form (sign already read): the magnitude, bytes used, ERANGE.
/// `None` when no digit starts here.
fn decimal(s: &[u8]) -> Option<(f64, usize, bool)> {
    let mut i = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i;
    if i < s.len() && s[i] == b'.' {
        i += 1;
        while i < s.len() && s[i].is_ascii_digit() {
            i += 1;
        }
    }
    let mant_end = i;
    // At least one digit before or after the point.
    if int_digits == 0 && mant_end <= 1 {
        return None;
    }
    let mut exp10 = 0;
    if i < s.len() && s[i] | 0x20 == b'e' {
        if let Some((e, j)) = exponent(s, i + 1) {
            exp10 = e;
            i = j;
        }
    }
    // Every byte of s[..i] is a digit, '.', 'e', 'E' or a sign: ASCII, and a form
    // Rust's exact parser accepts ("5." and ".5" included). Its exponent may be
    // long; Rust saturates it as we do.
    let text = std::str::from_utf8(&s[..i]).ok()?;
    let v: f64 = text.parse().ok()?;
    let erange = if v.is_infinite() {
        true
    } else if v.abs() <= f64::MIN_POSITIVE {
        decimal_underflows(&s[..mant_end], exp10, v.abs())
    } else {
        false
    };
    Some((v, i, erange))
}

/// Whether glibc reports ERANGE for a decimal numeral whose correctly rounded
/// magnitude `r` is zero, subnormal or exactly 2^-1022: the result must be inexact
/// and tiny after rounding. `mant` is the digits-and-point part, `exp10` the
/// exponent after it.
fn decimal_underflows(mant: &[u8], exp10: i64, r: f64) -> bool {
    if r == 0.0 {
        // Zero: an underflow unless every digit is zero.
        return mant.iter().any(|b| (b'1'..=b'9').contains(b));
    }
    let digits = Significand::new(mant, exp10);
    if r < f64::MIN_POSITIVE {
        // Subnormal: tiny for sure (it stays below 2^-1022 at any precision);
        // ERANGE unless the text is exactly the result, m * 2^-1074.
        let m = r.to_bits() & ((1 << 52) - 1);
        return digits.cmp_binary(m, -1074) != std::cmp::Ordering::Equal;
    }
    // Rounded to exactly 2^-1022: tiny when, with 53 bits and no exponent limit,
    // it would have stayed below, i.e. below the midpoint 2^-1022 - 2^-1076
    // (which itself rounds up, to even).
    digits.cmp_binary((1 << 54) - 1, -1076) == std::cmp::Ordering::Less
}

/// A decimal numeral as an integer of significant digits times a power of ten,
/// kept to the first [`Significand::KEEP`] significant digits plus whether any
/// nonzero digit was dropped: enough to compare it exactly with any value near
/// the bottom of the `f64` range, whose decimal expansions have under 800
/// significant digits.
struct Significand {
    /// The significant digits (ASCII, no point, no leading zeros), at most KEEP.
    digits: Vec<u8>,
    /// A nonzero digit beyond the kept ones.
    sticky: bool,
    /// value = digits * 10^exp10 (+ a little when sticky).
    exp10: i64,
}

impl Significand {
    const KEEP: usize = 800;

    fn new(mant: &[u8], exp10: i64) -> Self {
        let mut digits = Vec::new();
        let mut sticky = false;
        let mut exp = exp10;
        let mut after_point = false;
        for &b in mant {
            if b == b'.' {
                after_point = true;
                continue;
            }
            if digits.is_empty() && b == b'0' {
                if after_point {
                    exp -= 1;
                }
                continue;
            }
            if digits.len() < Self::KEEP {
                digits.push(b);
                if after_point {
                    exp -= 1;
                }
            } else {
                sticky |= b != b'0';
                if !after_point {
                    exp += 1;
                }
            }
        }
        Significand {
            digits,
            sticky,
            exp10: exp,
        }
    }

    /// Compares the numeral (not zero: the caller has a nonzero result) with `m * 2^e` for `m > 0` and
    /// `-1100 < e < 0` (a value in the subnormal range or just above it).
    fn cmp_binary(&self, m: u64, e: i64) -> std::cmp::Ordering {
        use std::cmp::Ordering::*;
        // The numeral lies in [10^lead, 10^(lead+1)); the target lies within
        // [2^-1100, 2^-1021], i.e. between 10^-332 and 10^-307.
        let lead = self.exp10 + self.digits.len() as i64 - 1;
        if lead < -340 {
            return Less;
        }
        if lead > -300 {
            return Greater;
        }
        // Both sides times 2^-e * 10^-exp10 (exp10 < 0 here: at most 800 digits
        // and a leading digit below 10^-299): digits * 2^-e vs m * 10^-exp10.
        // With the target's last digit at 10^e >= 10^-1100 and the kept digits
        // reaching down to 10^exp10 < 10^-1099 when they are KEEP long, a dropped
        // tail only matters when the kept part equals the target.
        let scale = match usize::try_from(-self.exp10) {
            Ok(s) => s,
            Err(_) => return Greater,
        };
        let mut n = Big::zero();
        for &d in &self.digits {
            n = n.mul_small(10).add_small(u32::from(d - b'0'));
        }
        let lhs = n.shl((-e) as usize);
        let rhs = Big::from_u64(m).mul(&Big::pow10(scale));
        match lhs.cmp(&rhs) {
            Equal if self.sticky => Greater,
            o => o,
        }
    }
}

/// The hexadecimal form after `0x` (a digit is known to follow): the magnitude,
/// bytes used, ERANGE.
fn hex(s: &[u8]) -> (f64, usize, bool) {
    let mut i = 0;
    let mut mant: u64 = 0; // the first 16 significant hex digits
    let mut sticky = false; // a nonzero digit beyond them
    let mut exp2: i64 = 0; // value = mant * 2^exp2 (+ sticky)
    let mut sig = 0;
    let mut seen_point = false;
    while i < s.len() {
        let b = s[i];
        if b == b'.' && !seen_point {
            seen_point = true;
            i += 1;
            continue;
        }
        let Some(d) = (b as char).to_digit(16) else {
            break;
        };
        if sig < 16 {
            if mant != 0 || d != 0 {
                mant = mant * 16 + u64::from(d);
                sig += 1;
            }
            if seen_point {
                exp2 -= 4;
            }
        } else {
            sticky |= d != 0;
            if !seen_point {
                exp2 += 4;
            }
        }
        i += 1;
    }
    if i < s.len() && s[i] | 0x20 == b'p' {
        if let Some((e, j)) = exponent(s, i + 1) {
            exp2 += e;
            i = j;
        }
    }
    let (v, erange) = round_binary(mant, sticky, exp2);
    (v, i, erange)
}

/// `mant * 2^exp2` (plus a little more when `sticky`) rounded to the nearest
/// `f64`, ties to even, with gradual underflow and overflow to infinity; and
/// whether C reports ERANGE for it (overflow, or inexact and tiny after rounding).
fn round_binary(mant: u64, sticky: bool, exp2: i64) -> (f64, bool) {
    if mant == 0 {
        return (0.0, false);
    }
    let lz = i64::from(mant.leading_zeros());
    let m = mant << lz; // top bit set
    let top = 63 + exp2 - lz; // exponent of the leading bit
    if top > 1023 {
        return (f64::INFINITY, true);
    }
    // Rounded to 53 bits as if the exponent had no lower limit: is it tiny?
    let tiny = {
        let rem = m & 0x7ff;
        let up = rem > 0x400 || (rem == 0x400 && (sticky || (m >> 11) & 1 == 1));
        let carries = up && m >> 11 == (1 << 53) - 1;
        top + i64::from(carries) < -1022
    };
    // Low bits of m to drop: 11 for a normal number, more when subnormal.
    let shift = if top >= -1022 { 11 } else { 11 + (-1022 - top) };
    if shift > 64 {
        return (0.0, true); // below half the smallest subnormal
    }
    let m128 = u128::from(m);
    let shift = shift as u32;
    let mut kept = (m128 >> shift) as u64;
    let rem = m128 & ((1u128 << shift) - 1);
    let half = 1u128 << (shift - 1);
    let inexact = rem != 0 || sticky;
    if rem > half || (rem == half && (sticky || kept & 1 == 1)) {
        kept += 1;
    }
    let erange = inexact && tiny;
    if top >= -1022 {
        let mut top = top;
        if kept == 1 << 53 {
            kept >>= 1;
            top += 1;
            if top > 1023 {
                return (f64::INFINITY, true);
            }
        }
        let bits = (((top + 1023) as u64) << 52) | (kept & ((1 << 52) - 1));
        (f64::from_bits(bits), erange)
    } else {
        // Subnormal: the biased exponent field is 0; a carry into bit 52 turns it
        // into the smallest normal number, which is exactly what the bits say.
        (f64::from_bits(kept), erange)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (text, value (subnormals by their bits, as C's `%a` shows them), end, ERANGE): every row printed by
    /// glibc 2.36's strtod on x86-64.
    #[test]
    fn matches_glibc() {
        let rows: &[(&[u8], f64, usize, bool)] = &[
            (b"1e-310", f64::from_bits(0x0_1268_8b70_e62b), 6, true),
            (b"0x1p-1074", 5e-324, 9, false),
            (b"0x1.8p-1074", 1e-323, 11, true),
            (
                b"2.2250738585072011e-308",
                f64::from_bits(0xf_ffff_ffff_ffff),
                23,
                true,
            ),
            (b"2.2250738585072012e-308", f64::MIN_POSITIVE, 23, true),
            (
                b"2.2250738585072009e-308",
                f64::from_bits(0xf_ffff_ffff_ffff),
                23,
                true,
            ),
            (b"4.9406564584124654e-324", 5e-324, 23, true),
            (b"2.4703282292062327e-324", 0.0, 23, true),
            (b"2.4703282292062328e-324", 5e-324, 23, true),
            (b"1e-400", 0.0, 6, true),
            (b"0e-400", 0.0, 6, false),
            (b"1e400", f64::INFINITY, 5, true),
            (b"-1e400", f64::NEG_INFINITY, 6, true),
            (b"inf", f64::INFINITY, 3, false),
            (b"infinity", f64::INFINITY, 8, false),
            (b"infinit", f64::INFINITY, 3, false),
            (b"INFINITYx", f64::INFINITY, 8, false),
            (b"0x", 0.0, 1, false),
            (b"0x.", 0.0, 1, false),
            (b"0x.p1", 0.0, 1, false),
            (b"0x1p", 1.0, 3, false),
            (b"0x1p+", 1.0, 3, false),
            (b"1e", 1.0, 1, false),
            (b"1e+", 1.0, 1, false),
            (b".", 0.0, 0, false),
            (b"-.", 0.0, 0, false),
            (b"+.5", 0.5, 3, false),
            (b" \t1", 1.0, 3, false),
            (b"", 0.0, 0, false),
            (b"0x1.fffffffffffff8p1023", f64::INFINITY, 23, true),
            (b"1.7976931348623158e308", f64::MAX, 22, false),
            (b"1.7976931348623159e308", f64::INFINITY, 22, true),
            (b"0x1p-1075", 0.0, 9, true),
            (b"0x1.0000000000001p-1075", 5e-324, 23, true),
            (b"0x0.0000000000001p-1022", 5e-324, 23, false),
            (b"0x3p-1076", 5e-324, 9, true),
            (b"1e-320", f64::from_bits(0x7e8), 6, true),
            (
                b"0x1.ffffffffffffp-1023",
                2.2250738585071974e-308,
                22,
                false,
            ),
            (b"0x1.fffffffffffffp-1023", f64::MIN_POSITIVE, 23, true),
            (b"0x1.fffffffffffff8p-1023", f64::MIN_POSITIVE, 24, false),
            (b"0x1.fffffffffffffcp-1023", f64::MIN_POSITIVE, 24, false),
            (b"0x10", 16.0, 4, false),
            (b"1x", 1.0, 1, false),
            (b"00x1", 0.0, 2, false),
            (b"0X1P4", 16.0, 5, false),
            (b"1e99999999999999999999", f64::INFINITY, 22, true),
            (b"1e-99999999999999999999", 0.0, 23, true),
            (b"0.000000000000000000000000000000001e-300", 0.0, 40, true),
            (b"0x1.8", 1.5, 5, false),
            (b"0x.8", 0.5, 4, false),
            (b"0x20000000000001", 9007199254740992.0, 16, false),
            (b"0x20000000000003", 9007199254740996.0, 16, false),
            (b"0x200000000000010001", 590295810358705782784.0, 20, false),
            (b"0xffffffffffffffffff", 4722366482869645213696.0, 20, false),
            (b"1\x002", 1.0, 1, false),
            (b"- 1", 0.0, 0, false),
            (b"\x0b\x0c\r\n-0.5e-3z", -0.0005, 11, false),
        ];
        for &(text, value, end, erange) in rows {
            let r = strtod(text);
            assert_eq!(
                (r.value.to_bits(), r.end, r.erange),
                (value.to_bits(), end, erange),
                "strtod({:?}) = {:?}",
                String::from_utf8_lossy(text),
                r
            );
        }
    }

    #[test]
    fn nan_forms_and_signs() {
        // glibc: "nan(abc)" reads 8 bytes, "nan(a-b)" and "nan(" only the "nan".
        for (text, end) in [
            (&b"nan"[..], 3),
            (b"NaN", 3),
            (b"nan(", 3),
            (b"nan(abc)", 8),
            (b"nan(a-b)", 3),
            (b"-nan", 4),
        ] {
            let r = strtod(text);
            assert!(r.value.is_nan() && r.end == end && !r.erange, "{text:?}");
        }
        assert!(strtod(b"-nan").value.is_sign_negative());
        assert!(strtod(b"-0").value.is_sign_negative());
        assert!(strtod(b" -0").value.is_sign_negative());
    }

    #[test]
    fn exact_subnormals_in_decimal_are_not_erange() {
        // The full decimal expansion of 2^-1074 is exact: no ERANGE (glibc agrees),
        // while one more nonzero digit at the end makes it inexact.
        let exact = format!("{:.1074e}", 5e-324_f64);
        let exact = exact.trim_end_matches(|c| c != 'e').to_string();
        let (mant, _) = exact.split_at(exact.len() - 1);
        let mant = mant.trim_end_matches('0');
        let text = format!("{mant}e-324");
        let r = strtod(text.as_bytes());
        assert_eq!((r.value, r.erange), (5e-324, false));
        let text = format!("{mant}1e-324");
        let r = strtod(text.as_bytes());
        assert_eq!((r.value, r.erange), (5e-324, true));
        // A huge run of digits does not make the check slow or wrong.
        let long = format!("0.{}1", "0".repeat(100_000));
        assert_eq!(strtod(long.as_bytes()).value, 0.0);
        assert!(strtod(long.as_bytes()).erange);
        let long = format!("2.2250738585072012{}e-308", "0".repeat(100_000));
        assert!(strtod(long.as_bytes()).erange);
    }

    /// The exact decimal text of `m * 2^-e` (for `0 < e`), as `0.000...ddd`.
    fn exact_decimal(m: u64, e: usize) -> String {
        // m * 2^-e = m * 5^e / 10^e, and 5^e = 10^e / 2^e exactly.
        let five = Big::pow10(e).shr(e);
        let digits = String::from_utf8(Big::from_u64(m).mul(&five).to_decimal()).unwrap();
        format!("0.{}{}", "0".repeat(e - digits.len()), digits)
    }

    #[test]
    fn tininess_is_after_rounding_as_on_x86() {
        // 2^-1022 - 2^-1076, the midpoint below the smallest normal number: glibc
        // rounds it up to 2^-1022 without ERANGE; a hair less is ERANGE, a hair
        // more is not.
        let mid = exact_decimal((1 << 54) - 1, 1076);
        let r = strtod(mid.as_bytes());
        assert_eq!((r.value, r.erange), (f64::MIN_POSITIVE, false));
        let below = format!("{}{}", &mid[..mid.len() - 1], "4");
        assert!(mid.ends_with('5'));
        let r = strtod(below.as_bytes());
        assert_eq!((r.value, r.erange), (f64::MIN_POSITIVE, true));
        let r = strtod(format!("{mid}0001").as_bytes());
        assert_eq!((r.value, r.erange), (f64::MIN_POSITIVE, false));
        // The largest subnormal, written out exactly: no ERANGE.
        let top = exact_decimal((1 << 52) - 1, 1074);
        let r = strtod(top.as_bytes());
        assert_eq!((r.value.to_bits(), r.erange), ((1 << 52) - 1, false));
    }

    #[test]
    fn at_c_end_is_the_c_terminator() {
        let s = b"1.5\0junk";
        assert!(strtod(s).at_c_end(s));
        assert!(!strtod(b"1.5x").at_c_end(b"1.5x"));
        assert!(strtod(b"").at_c_end(b""));
    }
}
