//! Argument helpers shared by the command families: integer arguments with
//! Redis's error, the `proto-max-bulk-len` bound, Redis's index ranges, and the
//! `[MATCH pattern] [COUNT count]` options of the SCAN family.
//!
//! Invariant: a helper that refuses an argument has written Redis's error reply
//! (the `Option` or `Result` says so), so a handler just returns.
use super::{errors, Ctx};
use crate::num::string2ll;

/// Parses an integer argument, replying Redis's error when it is not one.
pub fn int_arg(ctx: &mut Ctx<'_>, arg: &[u8]) -> Option<i64> {
    let n = string2ll(arg);
    if n.is_none() {
        ctx.out.error(errors::NOT_INTEGER);
    }
    n
}

/// Longest string a command may build: the `proto-max-bulk-len` setting.
pub fn max_bulk_len(ctx: &Ctx<'_>) -> u64 {
    ctx.shared
        .max_bulk_len
        .load(std::sync::atomic::Ordering::Relaxed)
}

/// Normalises a Redis `start..=end` range (negative counts from the end) over
/// `len` items; `None` when it selects nothing.
pub fn clamp_range(mut start: i64, mut end: i64, len: i64) -> Option<(usize, usize)> {
    if start < 0 && end < 0 && start > end {
        return None;
    }
    if start < 0 {
        start = start.saturating_add(len);
    }
    if end < 0 {
        end = end.saturating_add(len);
    }
    start = start.max(0);
    end = end.max(0);
    if end >= len {
        end = len - 1;
    }
    if start > end || len == 0 {
        return None;
    }
    Some((start as usize, end as usize))
}

/// The budget of a reply that repeats elements: SRANDMEMBER, HRANDFIELD and
/// ZRANDMEMBER with a negative count pick with repetition, so their reply is not
/// bounded by the data it reads (a count of -9223372036854775807 asks for
/// exabytes; Redis 7.0 builds it until memory runs out). Here such a reply may
/// be at most `proto-max-bulk-len` bytes, the largest value a client may store:
/// the count is refused at once when even the smallest frames would pass it,
/// and the reply is abandoned if its real elements do.
pub struct RepeatBudget {
    start: usize,
    limit: usize,
}

/// The refusal of a reply past its budget.
pub const REPLY_TOO_LARGE: &str =
    "ERR count is out of range: the reply would be larger than proto-max-bulk-len";

/// The smallest RESP frame of an element: an empty bulk, `$0\r\n\r\n`.
const MIN_FRAME: u64 = 6;

impl RepeatBudget {
    /// The budget for `picks` picks of `frames` frames each, or `None` after
    /// replying the refusal.
    pub fn new(ctx: &mut Ctx<'_>, picks: u64, frames: u64) -> Option<RepeatBudget> {
        let limit = max_bulk_len(ctx);
        if picks.saturating_mul(frames).saturating_mul(MIN_FRAME) > limit {
            ctx.out.error(REPLY_TOO_LARGE);
            return None;
        }
        Some(RepeatBudget {
            start: ctx.out.buf.len(),
            limit: usize::try_from(limit).unwrap_or(usize::MAX),
        })
    }

    /// Whether the reply written since the budget began has passed it; if so
    /// the reply is replaced by the refusal.
    pub fn spent(&self, out: &mut crate::resp::Reply) -> bool {
        if out.buf.len() - self.start <= self.limit {
            return false;
        }
        out.buf.truncate(self.start);
        out.error(REPLY_TOO_LARGE);
        true
    }
}

/// The `[MATCH pattern] [COUNT count]` options of HSCAN, SSCAN and ZSCAN:
/// (count, pattern; `None` for none or `*`), or the error text. Redis parses
/// them after looking up the key, so a missing key answers an empty scan and a
/// key of another type WRONGTYPE whatever the options say.
pub fn scan_options(opts: &[Vec<u8>]) -> Result<(usize, Option<&[u8]>), &'static str> {
    let mut count = 10usize;
    let mut pattern = None;
    for pair in opts.chunks(2) {
        let [name, value] = pair else {
            return Err(errors::SYNTAX);
        };
        if name.eq_ignore_ascii_case(b"count") {
            match string2ll(value) {
                Some(n) if n >= 1 => count = usize::try_from(n).unwrap_or(usize::MAX),
                Some(_) => return Err(errors::SYNTAX),
                None => return Err(errors::NOT_INTEGER),
            }
        } else if name.eq_ignore_ascii_case(b"match") {
            pattern = (value.as_slice() != b"*").then_some(value.as_slice());
        } else {
            return Err(errors::SYNTAX);
        }
    }
    Ok((count, pattern))
}

#[cfg(test)]
mod tests {
    use super::clamp_range;

    #[test]
    fn ranges_clamp_as_redis_does() {
        assert_eq!(clamp_range(0, -1, 5), Some((0, 4)));
        assert_eq!(clamp_range(-2, -1, 5), Some((3, 4)));
        assert_eq!(clamp_range(-1, -2, 5), None);
        assert_eq!(clamp_range(3, 100, 5), Some((3, 4)));
        assert_eq!(clamp_range(5, 9, 5), None);
        assert_eq!(clamp_range(0, 0, 0), None);
        assert_eq!(clamp_range(i64::MIN, i64::MAX, 3), Some((0, 2)));
    }
}
