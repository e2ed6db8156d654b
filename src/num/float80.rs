//! INCRBYFLOAT's number type: an exact software model of x86's 80-bit `long double`.
//!
//! redis-server parses INCRBYFLOAT's operands with `strtold`, adds them in `long
//! double` (64-bit mantissa on x86-64) and prints the sum with `%.17Lf`, trimming
//! trailing zeros. A `f64` gives different digits (10.5 + 0.1 prints `10.6` in Redis,
//! but `10.59999999999999964` if computed in `f64` and printed the same way), so the
//! same arithmetic is reproduced here:
//! - a finite value is `mant * 2^exp` with `mant < 2^64`; every result is rounded to
//!   nearest, ties to even, to 64 significant bits, with the extended format's range
//!   (subnormals below 2^-16382, overflow to infinity above 2^16384);
//! - parsing follows `strtold` (decimal or `0x` hexadecimal, optional exponent,
//!   `inf`/`infinity`/`nan` in any case) with Redis's extra rules: no leading space,
//!   nothing after the number (a NUL byte included), no NaN, no overflow, no
//!   underflow to zero;
//! - formatting is exact (`%.17Lf` rounds the exact binary value, ties to even).
//!
//! A small unsigned big integer ([`super::big::Big`]) does the exact decimal <->
//! binary steps.

use super::big::Big;

/// Lowest exponent of the unit in the last place (subnormals bottom out here).
const MIN_EXP: i64 = -16445;
/// Highest allowed bit position of a finite value.
const MAX_BIT: i64 = 16383;
/// Longest input Redis accepts (its `MAX_LONG_DOUBLE_CHARS`).
const MAX_CHARS: usize = 5 * 1024;

/// An 80-bit extended-precision float.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct F80 {
    neg: bool,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// `mant * 2^exp`; `mant == 0` is zero.
    Finite {
        mant: u64,
        exp: i64,
    },
    Inf,
    Nan,
}

impl F80 {
    pub const ZERO: F80 = F80 {
        neg: false,
        kind: Kind::Finite { mant: 0, exp: 0 },
    };

    pub fn is_finite(&self) -> bool {
        matches!(self.kind, Kind::Finite { .. })
    }

    /// From an integer (exact: 64 bits of mantissa hold any `i64`).
    pub fn from_i64(n: i64) -> F80 {
        F80 {
            neg: n < 0,
            kind: Kind::Finite {
                mant: n.unsigned_abs(),
                exp: 0,
            },
        }
    }

    /// Parses like Redis's `string2ld`; `None` when Redis says "not a valid float".
    pub fn parse(bytes: &[u8]) -> Option<F80> {
        if bytes.is_empty() || bytes.len() >= MAX_CHARS {
            return None;
        }
        // The whole input must be the number: a NUL byte ends the C string
        // early, and Redis then sees unconsumed bytes.
        if bytes.contains(&0) {
            return None;
        }
        let text = bytes;
        if text[0].is_ascii_whitespace() || text[0] == 0x0b {
            return None;
        }
        let (neg, body) = match text[0] {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let lower = body.to_ascii_lowercase();
        if lower == b"inf" || lower == b"infinity" {
            return Some(F80 {
                neg,
                kind: Kind::Inf,
            });
        }
        if lower.starts_with(b"nan") {
            return None;
        }
        let v = if lower.len() > 2 && lower.starts_with(b"0x") {
            parse_hex(&lower[2..])?
        } else {
            parse_dec(&lower)?
        };
        match v.kind {
            Kind::Finite { mant: 0, .. } if v.neg => None,
            Kind::Inf => None,
            _ => Some(F80 { neg, ..v }),
        }
    }

    /// The sum, rounded once.
    pub fn plus(self, other: F80) -> F80 {
        let nan = F80 {
            neg: false,
            kind: Kind::Nan,
        };
        match (self.kind, other.kind) {
            (Kind::Nan, _) | (_, Kind::Nan) => nan,
            (Kind::Inf, Kind::Inf) if self.neg != other.neg => nan,
            (Kind::Inf, _) => self,
            (_, Kind::Inf) => other,
            (Kind::Finite { mant: ma, exp: ea }, Kind::Finite { mant: mb, exp: eb }) => {
                if ma == 0 && mb == 0 {
                    return F80 {
                        neg: self.neg && other.neg,
                        ..F80::ZERO
                    };
                }
                if ma == 0 {
                    return other;
                }
                if mb == 0 {
                    return self;
                }
                let e = ea.min(eb);
                let a = Big::from_u64(ma).shl((ea - e) as usize);
                let b = Big::from_u64(mb).shl((eb - e) as usize);
                if self.neg == other.neg {
                    round(self.neg, a.add(&b), e, false)
                } else if a.cmp(&b) == std::cmp::Ordering::Less {
                    round(other.neg, b.sub(&a), e, false)
                } else {
                    round(self.neg, a.sub(&b), e, false)
                }
            }
        }
    }

    /// The product with a small integer, rounded once (C's `x * 1000.0` in
    /// `long double`, which Redis applies to a timeout in seconds).
    pub fn times(self, m: u32) -> F80 {
        match self.kind {
            Kind::Finite { mant, exp } => {
                let product = Big::from_u64(mant).mul(&Big::from_u64(u64::from(m)));
                round(self.neg, product, exp, false)
            }
            Kind::Inf if m == 0 => F80 {
                neg: false,
                kind: Kind::Nan,
            },
            _ => self,
        }
    }

    /// C's `(long long)ceill(x)` as x86-64 computes it (Redis rounds a timeout
    /// in milliseconds up this way): the smallest integer not below `x`; NaN,
    /// infinities and results outside `i64` give `i64::MIN` (the "integer
    /// indefinite" value of the conversion instruction).
    pub fn ceil_to_i64(&self) -> i64 {
        let Kind::Finite { mant, exp } = self.kind else {
            return i64::MIN;
        };
        // The integer part's magnitude (saturated far above i64) and whether a
        // fraction was dropped.
        let (int, frac) = if exp >= 0 {
            let bits = 64 - i64::from(mant.leading_zeros());
            if mant != 0 && bits + exp > 64 {
                (u128::MAX, false)
            } else {
                (u128::from(mant) << exp, false)
            }
        } else if exp <= -64 {
            (0, mant != 0)
        } else {
            let shift = (-exp) as u32;
            (u128::from(mant >> shift), mant & ((1u64 << shift) - 1) != 0)
        };
        if self.neg {
            // Rounding up moves a negative number toward zero: drop the fraction.
            if int > 1u128 << 63 {
                i64::MIN
            } else {
                (int as i64).wrapping_neg()
            }
        } else {
            let up = int.saturating_add(u128::from(frac));
            i64::try_from(up).unwrap_or(i64::MIN)
        }
    }

    /// `%.17Lf` with trailing zeros (and a trailing `.`) removed; `-0` becomes `0`.
    pub fn to_human_string(&self) -> Vec<u8> {
        let (mant, exp) = match self.kind {
            Kind::Finite { mant, exp } => (mant, exp),
            Kind::Inf => {
                return if self.neg {
                    b"-inf".to_vec()
                } else {
                    b"inf".to_vec()
                }
            }
            Kind::Nan => return b"nan".to_vec(),
        };
        let scaled = Big::from_u64(mant).mul(&Big::pow10(17));
        let fixed = if exp >= 0 {
            scaled.shl(exp as usize)
        } else {
            scaled.shr_round_even((-exp) as usize)
        };
        let mut digits = fixed.to_decimal();
        while digits.len() < 18 {
            digits.insert(0, b'0');
        }
        let point = digits.len() - 17;
        let mut out = Vec::with_capacity(digits.len() + 2);
        if self.neg {
            out.push(b'-');
        }
        out.extend_from_slice(&digits[..point]);
        out.push(b'.');
        out.extend_from_slice(&digits[point..]);
        while out.last() == Some(&b'0') {
            out.pop();
        }
        if out.last() == Some(&b'.') {
            out.pop();
        }
        if out == b"-0" {
            out = b"0".to_vec();
        }
        out
    }
}

/// Rounds `n * 2^exp` (plus a nonzero tail below it when `sticky`) to an `F80`.
fn round(neg: bool, n: Big, exp: i64, sticky: bool) -> F80 {
    let bits = n.bit_len() as i64;
    if bits == 0 {
        return F80 { neg, ..F80::ZERO };
    }
    let mut shift = (bits - 64).max(MIN_EXP - exp);
    let (mut mant, mut e) = if shift > 0 {
        let s = shift as usize;
        let kept = n.shr(s).low_u64();
        let half = n.bit(s - 1);
        let rest = sticky || n.any_below(s - 1);
        let mut m = kept;
        if half && (rest || m & 1 == 1) {
            m = m.wrapping_add(1);
            if m == 0 {
                // Carried out of 64 bits: 2^64 becomes 2^63 with one more exponent.
                m = 1 << 63;
                shift += 1;
            }
        }
        (m, exp + shift)
    } else {
        (n.low_u64() << (-shift) as u32, exp + shift)
    };
    if mant == 0 {
        return F80 { neg, ..F80::ZERO };
    }
    // Normalise so equal values compare equal (not needed for correctness).
    while mant & (1 << 63) == 0 && e > MIN_EXP {
        mant <<= 1;
        e -= 1;
    }
    if e + 63 - i64::from(mant.leading_zeros()) > MAX_BIT {
        return F80 {
            neg,
            kind: Kind::Inf,
        };
    }
    F80 {
        neg,
        kind: Kind::Finite { mant, exp: e },
    }
}

/// Decimal digits with an optional fraction and exponent; the whole input must be used.
fn parse_dec(s: &[u8]) -> Option<F80> {
    let mut digits = Big::zero();
    let mut nonzero_digits = 0usize;
    let mut any = false;
    let mut exp10: i64 = 0;
    let mut i = 0;
    let mut seen_point = false;
    while i < s.len() {
        match s[i] {
            c @ b'0'..=b'9' => {
                any = true;
                if nonzero_digits > 0 || c != b'0' {
                    nonzero_digits += 1;
                }
                // Beyond ~5000 significant digits only the sticky part matters;
                // inputs are limited to 5 KiB anyway.
                digits = digits.mul_small(10).add_small(u32::from(c - b'0'));
                if seen_point {
                    exp10 -= 1;
                }
            }
            b'.' if !seen_point => seen_point = true,
            _ => break,
        }
        i += 1;
    }
    if !any {
        return None;
    }
    if i < s.len() {
        if s[i] != b'e' {
            return None;
        }
        exp10 += parse_exponent(&s[i + 1..])?;
    }
    if digits.is_zero() {
        return Some(F80::ZERO);
    }
    let magnitude = nonzero_digits as i64 + exp10;
    if magnitude > 4934 {
        return Some(F80 {
            neg: false,
            kind: Kind::Inf,
        });
    }
    if magnitude < -4955 {
        return Some(F80 {
            neg: true,
            ..F80::ZERO
        }); // underflow marker
    }
    let v = if exp10 >= 0 {
        round(false, digits.mul(&Big::pow10(exp10 as usize)), 0, false)
    } else {
        let den = Big::pow10((-exp10) as usize);
        let shift = (den.bit_len() as i64 - digits.bit_len() as i64 + 66).max(0) as usize;
        let (q, r) = digits.shl(shift).divrem(&den);
        round(false, q, -(shift as i64), !r.is_zero())
    };
    if let Kind::Finite { mant: 0, .. } = v.kind {
        return Some(F80 {
            neg: true,
            ..F80::ZERO
        });
    }
    Some(v)
}

/// Hexadecimal digits with an optional fraction and binary exponent (`p`).
fn parse_hex(s: &[u8]) -> Option<F80> {
    let mut n = Big::zero();
    let mut exp2: i64 = 0;
    let mut any = false;
    let mut seen_point = false;
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if let Some(d) = (c as char).to_digit(16) {
            any = true;
            n = n.mul_small(16).add_small(d);
            if seen_point {
                exp2 -= 4;
            }
        } else if c == b'.' && !seen_point {
            seen_point = true;
        } else {
            break;
        }
        i += 1;
    }
    if !any {
        return None;
    }
    if i < s.len() {
        if s[i] != b'p' {
            return None;
        }
        exp2 += parse_exponent(&s[i + 1..])?;
    }
    if n.is_zero() {
        return Some(F80::ZERO);
    }
    let v = round(false, n, exp2, false);
    if let Kind::Finite { mant: 0, .. } = v.kind {
        return Some(F80 {
            neg: true,
            ..F80::ZERO
        });
    }
    Some(v)
}

/// The exponent after `e`/`p`: an optional sign and at least one digit, running to
/// the end of the input (clamped at a million, far past any finite result).
fn parse_exponent(s: &[u8]) -> Option<i64> {
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    let mut e: i64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        e = (e * 10 + i64::from(c - b'0')).min(1_000_000);
    }
    Some(if neg { -e } else { e })
}

#[cfg(test)]
mod tests {
    use super::F80;

    /// `INCRBYFLOAT` on a key holding `a` by `b`, as text.
    fn incr(a: &str, b: &str) -> String {
        let x = F80::parse(a.as_bytes()).unwrap();
        let y = F80::parse(b.as_bytes()).unwrap();
        String::from_utf8(x.plus(y).to_human_string()).unwrap()
    }

    // Every expected value below was produced by redis-server 7.0.15.
    #[test]
    fn matches_redis_long_double_results() {
        assert_eq!(incr("10.5", "0.1"), "10.6");
        assert_eq!(incr("10.6", "3.0e3"), "3010.60000000000000009");
        assert_eq!(incr("0", "1e-5"), "0.00001");
        assert_eq!(incr("16", ".5"), "16.5");
        assert_eq!(incr("16.5", "-.5"), "16");
        assert_eq!(incr("24", "0.1"), "24.1");
        assert_eq!(incr("24.1", "0.2"), "24.3");
        assert_eq!(incr("0", "0x10"), "16");
        assert_eq!(incr("0", "1e-20"), "0");
        assert_eq!(incr("0", "-0.0"), "0");
        assert_eq!(incr("0", "-1e-300"), "0");
        assert_eq!(incr("1.5e3", "1"), "1501");
        assert_eq!(incr("0", "1.0000000000000001"), "1.0000000000000001");
        assert_eq!(incr("0", "3.141592653589793238"), "3.14159265358979324");
        assert_eq!(incr("0", "1e17"), "100000000000000000");
        assert_eq!(incr("0", "12345678901234567"), "12345678901234567");
        assert_eq!(
            incr("0", "123456789012345678901234567890"),
            "123456789012345678899921813504"
        );
        assert_eq!(incr("0", "1e22"), "10000000000000000000000");
        let big = incr("0.00001", "1e300");
        assert_eq!(big.len(), 301);
        assert!(
            big.starts_with("1000000000000000000008997324079559193870523944273290747938260082321")
        );
        assert!(big.ends_with("915104006144"));
    }

    #[test]
    fn rejects_what_redis_rejects() {
        for bad in [
            "", " 1", "1 ", "abc", "nan", "-nan", "1.5e", "1e+", ".", "-", "0x", "1e99999",
            "1e-99999",
        ] {
            assert_eq!(F80::parse(bad.as_bytes()), None, "{bad:?}");
        }
        assert!(F80::parse(b"inf").is_some());
        assert!(!F80::parse(b"-Infinity").unwrap().is_finite());
        assert_eq!(F80::parse(b"1\0garbage"), None);
        assert_eq!(F80::parse(b"\0"), None);
        assert_eq!(
            F80::parse(b"0x1.8p1").map(|v| v.to_human_string()),
            Some(b"3".to_vec())
        );
    }

    #[test]
    fn timeouts_scale_and_round_up_as_redis_does() {
        // (long long)ceill(x * 1000.0) in long double, as redis-server 7.0.15
        // computes a blocking timeout in milliseconds (negative results are its
        // errors); values printed by the same expression compiled with gcc on x86-64.
        let ms = |s: &str| F80::parse(s.as_bytes()).map(|x| x.times(1000).ceil_to_i64());
        assert_eq!(ms("9223372036854775.807"), Some(i64::MAX));
        assert_eq!(ms("9223372036854775.806"), Some(9223372036854775806));
        assert_eq!(ms("9223372036854775.808"), Some(i64::MIN));
        assert_eq!(ms("9223372036854775.8075"), Some(i64::MIN));
        assert_eq!(ms("-9223372036854775.808"), Some(-i64::MAX));
        assert_eq!(ms("-9223372036854775.8079"), Some(-i64::MAX));
        assert_eq!(ms("-9223372036854775.8085"), Some(i64::MIN));
        assert_eq!(ms("-0.0001"), Some(0));
        assert_eq!(ms("0.0005"), Some(1));
        assert_eq!(ms("0.0004"), Some(1));
        assert_eq!(ms("1e-400"), Some(1));
        assert_eq!(ms("1.5"), Some(1500));
        assert_eq!(ms("0x10"), Some(16000));
        assert_eq!(ms("-0X1.8p1"), Some(-3000));
        assert_eq!(ms("0x.8"), Some(500));
        assert_eq!(ms("inf"), Some(i64::MIN));
        assert_eq!(ms("-inf"), Some(i64::MIN));
        assert_eq!(ms("-1"), Some(-1000));
        assert_eq!(ms("1e18"), Some(i64::MIN));
        assert_eq!(ms("9.2e15"), Some(9200000000000000000));
        assert_eq!(ms("9.3e15"), Some(i64::MIN));
        assert_eq!(ms("0x"), None);
        assert_eq!(ms("1e-5000"), None);
        assert_eq!(ms("1e5000"), None);
        assert_eq!(ms("0x1g"), None);
    }

    #[test]
    fn sums_round_once() {
        let inf = F80::parse(b"inf").unwrap();
        assert!(!inf.plus(F80::from_i64(1)).is_finite());
        let max = F80::parse(b"1.18e4932").unwrap();
        assert!(!max.plus(max).is_finite());
        assert_eq!(
            F80::from_i64(-5).plus(F80::from_i64(5)).to_human_string(),
            b"0"
        );
        assert_eq!(
            F80::from_i64(i64::MIN).to_human_string(),
            i64::MIN.to_string().as_bytes()
        );
    }
}
