//! Integers as C and Redis read and print them.
//!
//! - [`string2ll`]: Redis's strict reader behind every integer argument
//!   (`getLongLongFromObject`), RESP's length headers and the "int" encoding of
//!   strings: an optional `-`, then digits, nothing else; no `+`, no spaces, no
//!   leading zeros (`0` alone is fine, `-0` is not); within `i64`.
//! - [`strtoul`]: C's `strtoul(s, &end, base)` with its end pointer and ERANGE,
//!   which Redis uses for SCAN cursors and Lua for `tonumber(s, base)`.
//! - [`scan_cursor`]: Redis 7.0's `parseScanCursorOrReply`, shared by SCAN,
//!   HSCAN, SSCAN and ZSCAN.
//! - [`ll2string`] and [`push_i64`]: an `i64` in decimal without allocating.
//!
//! Invariants: all functions are total (no panic for any bytes), do no work
//! beyond one pass over their input, and never allocate.

use super::is_c_space;

/// Redis's `string2ll`: the canonical decimal form of an `i64`, or `None`.
///
/// ```
/// use ferrous::num::string2ll;
/// assert_eq!(string2ll(b"-12"), Some(-12));
/// assert_eq!(string2ll(b"+12"), None);
/// assert_eq!(string2ll(b"012"), None);
/// assert_eq!(string2ll(b"-0"), None);
/// ```
pub fn string2ll(s: &[u8]) -> Option<i64> {
    // 20 bytes hold "-9223372036854775808"; anything longer cannot be canonical.
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (neg, digits) = match s[0] {
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    if !digits.first().is_some_and(|d| (b'1'..=b'9').contains(d)) {
        return None;
    }
    let mut v: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    if neg {
        // -2^63 is the one magnitude beyond i64::MAX.
        if v > i64::MAX as u64 + 1 {
            None
        } else {
            Some((v as i64).wrapping_neg())
        }
    } else {
        i64::try_from(v).ok()
    }
}

/// What C's `strtoul` returns: the value, the end pointer as an offset, `errno`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Strtoul {
    /// The number read, wrapped like C's `unsigned long` when negated
    /// (`"-1"` is 2^64 - 1), and 2^64 - 1 when it overflowed.
    pub value: u64,
    /// Bytes used (white space and sign included); 0 when no digit was read.
    pub end: usize,
    /// C's `errno == ERANGE`: the digits overflowed 64 bits.
    pub erange: bool,
}

/// C's `strtoul(s, &end, base)` for `2 <= base <= 36` (other bases read
/// nothing): C white space, an optional sign, for base 16 an optional `0x` or
/// `0X` (taken only when a hex digit follows it), then the longest run of digits
/// of the base (letters in either case). A `-` negates modulo 2^64; overflow
/// gives 2^64 - 1 and ERANGE whatever the sign. Without digits nothing is read.
///
/// ```
/// use ferrous::num::strtoul;
/// let r = strtoul(b" -1x", 10);
/// assert_eq!((r.value, r.end, r.erange), (u64::MAX, 3, false));
/// assert_eq!(strtoul(b"0x1f", 16).value, 31);
/// assert_eq!(strtoul(b"0x", 16).end, 1);
/// ```
pub fn strtoul(s: &[u8], base: u32) -> Strtoul {
    let none = Strtoul {
        value: 0,
        end: 0,
        erange: false,
    };
    if !(2..=36).contains(&base) {
        return none;
    }
    let mut i = 0;
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    let mut neg = false;
    if let Some(&c @ (b'+' | b'-')) = s.get(i) {
        neg = c == b'-';
        i += 1;
    }
    let digit = |b: u8| (b as char).to_digit(base);
    if base == 16
        && s.get(i) == Some(&b'0')
        && s.get(i + 1).is_some_and(|b| b | 0x20 == b'x')
        && s.get(i + 2).is_some_and(|&b| digit(b).is_some())
    {
        i += 2;
    }
    let start = i;
    let mut v: u64 = 0;
    let mut erange = false;
    while let Some(d) = s.get(i).and_then(|&b| digit(b)) {
        match v
            .checked_mul(u64::from(base))
            .and_then(|v| v.checked_add(u64::from(d)))
        {
            Some(n) => v = n,
            None => erange = true,
        }
        i += 1;
    }
    if i == start {
        return none;
    }
    let value = if erange {
        u64::MAX
    } else if neg {
        v.wrapping_neg()
    } else {
        v
    };
    Strtoul {
        value,
        end: i,
        erange,
    }
}

/// Redis 7.0's SCAN/HSCAN/SSCAN/ZSCAN cursor: `strtoul(s, &end, 10)`, refused
/// ("ERR invalid cursor", `None`) when the first byte is white space, when
/// anything but the C string's end follows the digits, or on ERANGE. So `""`,
/// `"+1"`, `"007"` and `"1\0junk"` are accepted, `"-1"` is 2^64 - 1, and
/// `" 1"`, `"0x10"`, `"-"` and 2^64 are refused (checked against redis-server 7.0.15).
pub fn scan_cursor(s: &[u8]) -> Option<u64> {
    if s.first().is_some_and(|&b| is_c_space(b)) {
        return None;
    }
    let r = strtoul(s, 10);
    let at_end = s.get(r.end).is_none_or(|&b| b == 0);
    (at_end && !r.erange).then_some(r.value)
}

/// Redis's `ll2string`: the decimal digits of `n` (with a `-` when negative),
/// written at the end of `buf`; returns the written part.
pub fn ll2string(n: i64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    let mut u = n.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    if n < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

/// Appends the decimal digits of `n` (with a `-` when negative).
#[inline]
pub fn push_i64(out: &mut Vec<u8>, n: i64) {
    let mut buf = [0u8; 20];
    out.extend_from_slice(ll2string(n, &mut buf));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string2ll_is_strict() {
        assert_eq!(string2ll(b"0"), Some(0));
        assert_eq!(string2ll(b"-12"), Some(-12));
        assert_eq!(string2ll(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(string2ll(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [
            &b""[..],
            b"-",
            b"-0",
            b"01",
            b"-01",
            b"+1",
            b" 1",
            b"1 ",
            b"1a",
            b"1.0",
            b"1\0",
            b"9223372036854775808",
            b"-9223372036854775809",
            b"99999999999999999999",
            b"000000000000000000001",
        ] {
            assert_eq!(string2ll(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    /// Every row printed by glibc 2.36's strtoul on x86-64.
    #[test]
    fn strtoul_matches_glibc() {
        let rows: &[(&[u8], u32, u64, usize, bool)] = &[
            (b"-1", 10, u64::MAX, 2, false),
            (b"18446744073709551615", 10, u64::MAX, 20, false),
            (b"18446744073709551616", 10, u64::MAX, 20, true),
            (b"-18446744073709551615", 10, 1, 21, false),
            (b"-18446744073709551616", 10, u64::MAX, 21, true),
            (b"0x10", 10, 0, 1, false),
            (b" 1", 10, 1, 2, false),
            (b"+1", 10, 1, 2, false),
            (b"", 10, 0, 0, false),
            (b"-", 10, 0, 0, false),
            (b"+", 10, 0, 0, false),
            (b"- 1", 10, 0, 0, false),
            (b"1 ", 10, 1, 1, false),
            (b"007", 10, 7, 3, false),
            (b"\t-5", 10, 18446744073709551611, 3, false),
            (b"0x", 16, 0, 1, false),
            (b"0xg", 16, 0, 1, false),
            (b"0x1f", 16, 31, 4, false),
            (b"-0x1f", 16, 18446744073709551585, 5, false),
            (b"0X", 16, 0, 1, false),
            (b"102", 2, 2, 2, false),
            (b"zz", 36, 1295, 2, false),
            (b"ffffffffffffffffff", 16, u64::MAX, 18, true),
            (b"0x7", 8, 0, 1, false),
            (b"0x 1", 16, 0, 1, false),
        ];
        for &(text, base, value, end, erange) in rows {
            let r = strtoul(text, base);
            assert_eq!(
                (r.value, r.end, r.erange),
                (value, end, erange),
                "strtoul({:?}, {base})",
                String::from_utf8_lossy(text)
            );
        }
        assert_eq!(strtoul(b"1", 1).end, 0);
        assert_eq!(strtoul(b"1", 37).end, 0);
    }

    /// What redis-server 7.0.15 answers to SCAN/HSCAN/SSCAN/ZSCAN with each cursor
    /// (an error is "ERR invalid cursor").
    #[test]
    fn scan_cursor_matches_redis_7_0() {
        let rows: &[(&[u8], Option<u64>)] = &[
            (b"0", Some(0)),
            (b"-1", Some(u64::MAX)),
            (b"18446744073709551615", Some(u64::MAX)),
            (b"18446744073709551616", None),
            (b"-18446744073709551615", Some(1)),
            (b"-18446744073709551616", None),
            (b"0x10", None),
            (b" 1", None),
            (b"\t1", None),
            (b"1 ", None),
            (b"+1", Some(1)),
            (b"", Some(0)),
            (b"-", None),
            (b"+", None),
            (b"007", Some(7)),
            (b"1\0abc", Some(1)),
            (b"\0", Some(0)),
            (b"-0", Some(0)),
            (b"1.5", None),
            (b"x", None),
        ];
        for &(text, want) in rows {
            assert_eq!(
                scan_cursor(text),
                want,
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn ll2string_round_trips() {
        let mut buf = [0u8; 20];
        for n in [0, 1, -1, 42, 1000, -1000, i64::MAX, i64::MIN] {
            assert_eq!(ll2string(n, &mut buf), n.to_string().as_bytes());
            let mut v = b"x".to_vec();
            push_i64(&mut v, n);
            assert_eq!(v, format!("x{n}").as_bytes());
        }
    }
}
