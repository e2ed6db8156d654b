//! Range specifications of sorted-set commands, and the number parsers they use.
//!
//! - score ranges (`ZRANGEBYSCORE z (1 +inf`): each end is a number as C's
//!   `strtod` reads it, optionally preceded by `(` for an exclusive bound;
//! - lex ranges (`ZRANGEBYLEX z [a (c`): `[x` inclusive, `(x` exclusive, `-` the
//!   smallest and `+` the largest possible member;
//! - [`parse_score`]: a score argument (ZADD, ZINCRBY, WEIGHTS), which Redis reads
//!   more strictly than a range end (no leading space, no trailing bytes, no
//!   overflow to infinity, no underflow to zero, no NaN).
//!
//! Each range turns into two predicates over (score, member) that hold for a
//! prefix of the sorted order ("before the range starts", "not after the range
//! ends"), so every range query is a pair of rank lookups.
use crate::lua::numfmt::{is_c_space, str2number};

/// `[min, max]` of scores, either end possibly exclusive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreRange {
    pub min: f64,
    pub max: f64,
    pub min_ex: bool,
    pub max_ex: bool,
}

/// Reads a number as C's `strtod` does, where the whole text must be used:
/// leading white space allowed, the empty text reads as 0 (strtod reads nothing
/// and stops at the end), and the text ends at a NUL byte.
pub(crate) fn strtod_whole(b: &[u8]) -> Option<f64> {
    let b = match b.iter().position(|&c| c == 0) {
        Some(n) => &b[..n],
        None => b,
    };
    if b.is_empty() {
        return Some(0.0);
    }
    if b.last().is_some_and(|&c| is_c_space(c)) {
        return None;
    }
    str2number(b)
}

impl ScoreRange {
    /// Parses the two ends; `None` is Redis's "min or max is not a float".
    pub fn parse(min: &[u8], max: &[u8]) -> Option<ScoreRange> {
        let end = |b: &[u8]| -> Option<(f64, bool)> {
            let (ex, text) = match b.first() {
                Some(b'(') => (true, &b[1..]),
                _ => (false, b),
            };
            let v = strtod_whole(text)?;
            (!v.is_nan()).then_some((v, ex))
        };
        let (min, min_ex) = end(min)?;
        let (max, max_ex) = end(max)?;
        Some(ScoreRange {
            min,
            max,
            min_ex,
            max_ex,
        })
    }

    /// True when no score can be in the range.
    pub fn is_empty(&self) -> bool {
        self.min > self.max || (self.min == self.max && (self.min_ex || self.max_ex))
    }

    /// Whether a score lies before the start of the range.
    #[inline]
    pub fn below_min(&self, s: f64) -> bool {
        if self.min_ex {
            s <= self.min
        } else {
            s < self.min
        }
    }

    /// Whether a score lies at or before the end of the range.
    #[inline]
    pub fn within_max(&self, s: f64) -> bool {
        if self.max_ex {
            s < self.max
        } else {
            s <= self.max
        }
    }
}

/// One end of a lex range.
#[derive(Debug, Clone, PartialEq)]
pub enum LexBound {
    /// `-`: before every member.
    Min,
    /// `+`: after every member.
    Max,
    /// `[x` (inclusive = true) or `(x`.
    At(Vec<u8>, bool),
}

/// A lex range `[min, max]`.
#[derive(Debug, Clone, PartialEq)]
pub struct LexRange {
    pub min: LexBound,
    pub max: LexBound,
}

impl LexBound {
    fn parse(b: &[u8]) -> Option<LexBound> {
        // Redis checks the byte after `+`/`-` against the string's NUL terminator.
        let alone = b.len() == 1 || b.get(1) == Some(&0);
        match b.first()? {
            b'+' if alone => Some(LexBound::Max),
            b'-' if alone => Some(LexBound::Min),
            b'[' => Some(LexBound::At(b[1..].to_vec(), true)),
            b'(' => Some(LexBound::At(b[1..].to_vec(), false)),
            _ => None,
        }
    }
}

impl LexRange {
    /// Parses the two ends; `None` is Redis's "min or max not valid string range item".
    pub fn parse(min: &[u8], max: &[u8]) -> Option<LexRange> {
        Some(LexRange {
            min: LexBound::parse(min)?,
            max: LexBound::parse(max)?,
        })
    }

    /// True when no member can be in the range.
    pub fn is_empty(&self) -> bool {
        match (&self.min, &self.max) {
            (LexBound::Max, _) | (_, LexBound::Min) => true,
            (LexBound::At(a, ai), LexBound::At(b, bi)) => a > b || (a == b && !(*ai && *bi)),
            _ => false,
        }
    }

    /// Whether a member lies before the start of the range.
    #[inline]
    pub fn below_min(&self, m: &[u8]) -> bool {
        match &self.min {
            LexBound::Min => false,
            LexBound::Max => true,
            LexBound::At(x, incl) => {
                if *incl {
                    m < x.as_slice()
                } else {
                    m <= x.as_slice()
                }
            }
        }
    }

    /// Whether a member lies at or before the end of the range.
    #[inline]
    pub fn within_max(&self, m: &[u8]) -> bool {
        match &self.max {
            LexBound::Min => false,
            LexBound::Max => true,
            LexBound::At(x, incl) => {
                if *incl {
                    m <= x.as_slice()
                } else {
                    m < x.as_slice()
                }
            }
        }
    }
}

/// Parses a score argument as Redis's `string2d` does; `None` is
/// "value is not a valid float" (or the caller's own text).
pub fn parse_score(b: &[u8]) -> Option<f64> {
    if b.is_empty() || is_c_space(b[0]) || b.contains(&0) || is_c_space(b[b.len() - 1]) {
        return None;
    }
    let v = str2number(b)?;
    if v.is_nan() {
        return None;
    }
    // strtod's ERANGE: overflow to +-HUGE_VAL, or underflow all the way to zero.
    let lower: Vec<u8> = b.to_ascii_lowercase();
    if v.is_infinite() && !lower.windows(3).any(|w| w == b"inf") {
        return None;
    }
    if v == 0.0 && has_nonzero_mantissa(&lower) {
        return None;
    }
    Some(v)
}

/// Whether the mantissa of a numeral (before its `e`/`p` exponent) has a nonzero
/// digit, i.e. a zero result is an underflow.
fn has_nonzero_mantissa(lower: &[u8]) -> bool {
    let body = lower
        .strip_prefix(b"-")
        .or_else(|| lower.strip_prefix(b"+"))
        .unwrap_or(lower);
    if let Some(hex) = body.strip_prefix(b"0x") {
        let end = hex.iter().position(|&c| c == b'p').unwrap_or(hex.len());
        hex[..end]
            .iter()
            .any(|c| c.is_ascii_hexdigit() && *c != b'0')
    } else {
        let end = body.iter().position(|&c| c == b'e').unwrap_or(body.len());
        body[..end].iter().any(|c| (b'1'..=b'9').contains(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_arguments_follow_string2d() {
        assert_eq!(parse_score(b"1.5"), Some(1.5));
        assert_eq!(parse_score(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_score(b"+Infinity"), Some(f64::INFINITY));
        assert_eq!(parse_score(b"0x10"), Some(16.0));
        assert_eq!(parse_score(b"1e-310"), Some(1e-310));
        assert_eq!(parse_score(b"0e5"), Some(0.0));
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
            assert_eq!(parse_score(bad), None, "{:?}", bad);
        }
    }

    #[test]
    fn range_ends_follow_strtod() {
        let r = ScoreRange::parse(b"(1", b"+inf").unwrap();
        assert!(r.min_ex && !r.max_ex && r.min == 1.0);
        assert_eq!(
            ScoreRange::parse(b"", b"(").map(|r| (r.min, r.max)),
            Some((0.0, 0.0))
        );
        assert_eq!(
            ScoreRange::parse(b" 5", b"1e400").map(|r| r.max),
            Some(f64::INFINITY)
        );
        assert!(ScoreRange::parse(b"1 ", b"2").is_none());
        assert!(ScoreRange::parse(b"nan", b"2").is_none());
        assert!(ScoreRange::parse(b"a", b"2").is_none());
    }

    #[test]
    fn lex_ends() {
        assert!(LexRange::parse(b"-", b"+").is_some());
        assert!(LexRange::parse(b"a", b"+").is_none());
        assert!(LexRange::parse(b"+x", b"+").is_none());
        let r = LexRange::parse(b"[b", b"(d").unwrap();
        assert!(r.below_min(b"a") && !r.below_min(b"b"));
        assert!(r.within_max(b"c") && !r.within_max(b"d"));
        assert!(LexRange::parse(b"(a", b"[a").unwrap().is_empty());
    }
}
