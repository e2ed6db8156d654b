//! A latency histogram with the resolution Redis's HdrHistogram gives INFO
//! latencystats (`latency-tracking`): durations in nanoseconds, two significant
//! figures.
//!
//! Buckets, as HdrHistogram lays them out with 256 sub-buckets: values below
//! 256 are counted exactly; above, each power of two `[2^(k+7), 2^(k+8))` is cut
//! into 128 equal steps of `2^k`. A percentile is the *highest* value its bucket
//! stands for (HdrHistogram's "highest equivalent value"), so 1000 ns reads as
//! `1.003` microseconds, as redis-server 7.0 prints it.
//!
//! Invariants: the counters are allocated on the first record (a command never
//! run costs nothing); recording is lock-free (relaxed atomics); values past
//! 2^40 ns (about 18 minutes) are counted in the last bucket.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// Sub-buckets per power of two above the exact range (HdrHistogram's half count).
const HALF: u64 = 128;
/// The largest shift: values up to 2^(MAX_SHIFT + 8) ns have their own bucket.
const MAX_SHIFT: u32 = 32;
const BUCKETS: usize = (2 * HALF + MAX_SHIFT as u64 * HALF) as usize;

/// A histogram of durations in nanoseconds.
#[derive(Debug, Default)]
pub struct Histogram {
    counts: OnceLock<Box<[AtomicU64]>>,
    total: AtomicU64,
}

/// The bucket of a value.
fn index(v: u64) -> usize {
    if v < 2 * HALF {
        return v as usize;
    }
    let shift = (63 - v.leading_zeros()).saturating_sub(7).min(MAX_SHIFT);
    let sub = (v >> shift).min(2 * HALF - 1) - HALF;
    (2 * HALF + (shift as u64 - 1) * HALF + sub) as usize
}

/// The highest value bucket `i` stands for.
fn highest(i: usize) -> u64 {
    let i = i as u64;
    if i < 2 * HALF {
        return i;
    }
    let shift = (i - 2 * HALF) / HALF + 1;
    let sub = (i - 2 * HALF) % HALF + HALF;
    ((sub + 1) << shift) - 1
}

impl Histogram {
    pub fn record(&self, nanos: u64) {
        let counts = self
            .counts
            .get_or_init(|| (0..BUCKETS).map(|_| AtomicU64::new(0)).collect());
        if let Some(c) = counts.get(index(nanos).min(BUCKETS - 1)) {
            c.fetch_add(1, Ordering::Relaxed);
        }
        self.total.fetch_add(1, Ordering::Relaxed);
    }

    pub fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    pub fn reset(&self) {
        if let Some(counts) = self.counts.get() {
            for c in counts.iter() {
                c.store(0, Ordering::Relaxed);
            }
        }
        self.total.store(0, Ordering::Relaxed);
    }

    /// LATENCY HISTOGRAM's view (HdrHistogram's logarithmic iteration from
    /// 1024 ns, doubling): at each level, the level in whole microseconds (1, 2,
    /// 4, ... 32, 65, 131) and the count of values up to the end of the level's
    /// bucket, where that count grew.
    pub fn log2_buckets(&self) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        let Some(counts) = self.counts.get() else {
            return out;
        };
        let total = self.total();
        let (mut seen, mut next, mut prev) = (0u64, 0usize, 0u64);
        for shift in 0..=(MAX_SHIFT + 8) {
            let top = index(1024u64 << shift).min(BUCKETS - 1);
            while next <= top {
                seen += counts[next].load(Ordering::Relaxed);
                next += 1;
            }
            if seen > prev {
                out.push(((1024u64 << shift) / 1000, seen));
                prev = seen;
            }
            if seen >= total {
                break;
            }
        }
        out
    }

    /// The value at `percentile` (0..=100), in nanoseconds; 0 when empty.
    pub fn value_at(&self, percentile: f64) -> u64 {
        let Some(counts) = self.counts.get() else {
            return 0;
        };
        let total = self.total();
        let wanted = ((percentile.clamp(0.0, 100.0) / 100.0 * total as f64 + 0.5) as u64).max(1);
        let mut seen = 0;
        for (i, c) in counts.iter().enumerate() {
            seen += c.load(Ordering::Relaxed);
            if seen >= wanted {
                return highest(i);
            }
        }
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_have_two_significant_figures() {
        assert_eq!(highest(index(5)), 5);
        assert_eq!(highest(index(255)), 255);
        assert_eq!(highest(index(256)), 257);
        assert_eq!(highest(index(1000)), 1003);
        assert_eq!(highest(index(1003)), 1003);
        assert_eq!(highest(index(1004)), 1007);
        for v in [300u64, 5_000, 123_456, 9_999_999, 1 << 39] {
            let h = highest(index(v));
            assert!(h >= v && (h - v) as f64 / v as f64 <= 0.01, "{v} {h}");
        }
        assert!(index(u64::MAX) < BUCKETS);
    }

    #[test]
    fn percentiles_as_hdr_reports_them() {
        let h = Histogram::default();
        assert_eq!(h.value_at(50.0), 0);
        for v in 1..=100u64 {
            h.record(v * 1000);
        }
        assert_eq!(h.value_at(50.0), highest(index(50_000)));
        assert_eq!(h.value_at(100.0), highest(index(100_000)));
        // 1, 3 and 30 microseconds, as Redis records them (in nanoseconds).
        let g = Histogram::default();
        for us in [1u64, 3, 30] {
            g.record(us * 1000);
        }
        assert_eq!(g.log2_buckets(), [(1, 1), (4, 2), (32, 3)]);
        h.reset();
        assert_eq!(h.total(), 0);
    }
}
