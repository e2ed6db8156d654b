//! Range specifications of sorted-set commands.
//!
//! - score ranges (`ZRANGEBYSCORE z (1 +inf`): each end is a number as C's
//!   `strtod` reads it ([`crate::num::strtod`]), optionally preceded by `(` for an
//!   exclusive bound; a score argument (ZADD, ZINCRBY, WEIGHTS) is read more
//!   strictly, by [`crate::num::string2d`];
//! - lex ranges (`ZRANGEBYLEX z [a (c`): `[x` inclusive, `(x` exclusive, `-` the
//!   smallest and `+` the largest possible member.
//!
//! Each range turns into two predicates over (score, member) that hold for a
//! prefix of the sorted order ("before the range starts", "not after the range
//! ends"), so every range query is a pair of rank lookups.

/// `[min, max]` of scores, either end possibly exclusive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreRange {
    pub min: f64,
    pub max: f64,
    pub min_ex: bool,
    pub max_ex: bool,
}

/// A range end as Redis's `zslParseRange` reads it: C's `strtod`, and nothing may
/// follow the number in the C string (so leading white space is allowed, the
/// empty text reads as 0, and a NUL byte ends the text); ERANGE is ignored.
fn strtod_whole(b: &[u8]) -> Option<f64> {
    let r = crate::num::strtod(b);
    r.at_c_end(b).then_some(r.value)
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

#[cfg(test)]
mod tests {
    use super::*;

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
