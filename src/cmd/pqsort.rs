//! Redis's partial quicksort (`pqsort`), so that results sorted only in part
//! come out exactly as Redis orders them, ties included.
//!
//! GEORADIUS ... COUNT n ASC sorts just enough of the matches for the first
//! n to be in place. Redis does that with a Bentley-McIlroy three-way
//! quicksort (the BSD `qsort`: median of three, or "ninther" past 40
//! elements; insertion sort below 7) that only descends into the parts that
//! overlap the wanted positions. It is not stable, so among equal keys the
//! order depends on every swap; following the same steps gives the same
//! order. Invariant: on return, positions `keep_lo..=keep_hi` hold what a
//! full sort would put there, up to the order of equal elements.
use std::cmp::Ordering;

/// Sorts `v` by `cmp` enough for positions `keep_lo..=keep_hi` to be final.
pub fn pqsort<T>(v: &mut [T], cmp: &impl Fn(&T, &T) -> Ordering, keep_lo: usize, keep_hi: usize) {
    let (mut lo, mut n) = (0usize, v.len());
    // `overlaps(start, len)`: the part `start..start+len` holds a wanted position.
    let overlaps = |start: usize, len: usize| !(keep_hi < start || keep_lo >= start + len);
    loop {
        if n < 7 {
            for m in lo + 1..lo + n {
                let mut l = m;
                while l > lo && cmp(&v[l - 1], &v[l]) == Ordering::Greater {
                    v.swap(l, l - 1);
                    l -= 1;
                }
            }
            return;
        }
        let mut pm = lo + n / 2;
        if n > 7 {
            let mut pl = lo;
            let mut pn = lo + n - 1;
            if n > 40 {
                let d = n / 8;
                pl = med3(v, cmp, pl, pl + d, pl + 2 * d);
                pm = med3(v, cmp, pm - d, pm, pm + d);
                pn = med3(v, cmp, pn - 2 * d, pn - d, pn);
            }
            pm = med3(v, cmp, pl, pm, pn);
        }
        v.swap(lo, pm);
        // Three-way partition around v[lo]: equal keys gather at both ends
        // (lo+1..pa and pd+1..), then move to the middle.
        let (mut pa, mut pb) = (lo + 1, lo + 1);
        let (mut pc, mut pd) = (lo + n - 1, lo + n - 1);
        loop {
            while pb <= pc {
                let r = cmp(&v[pb], &v[lo]);
                if r == Ordering::Greater {
                    break;
                }
                if r == Ordering::Equal {
                    v.swap(pa, pb);
                    pa += 1;
                }
                pb += 1;
            }
            while pb <= pc {
                let r = cmp(&v[pc], &v[lo]);
                if r == Ordering::Less {
                    break;
                }
                if r == Ordering::Equal {
                    v.swap(pc, pd);
                    pd -= 1;
                }
                pc -= 1;
            }
            if pb > pc {
                break;
            }
            v.swap(pb, pc);
            pb += 1;
            pc -= 1;
        }
        let end = lo + n;
        let r = (pa - lo).min(pb - pa);
        swap_runs(v, lo, pb - r, r);
        let r = (pd - pc).min(end - pd - 1);
        swap_runs(v, pb, end - r, r);
        let r = pb - pa;
        if r > 1 && overlaps(lo, r) {
            pqsort_part(v, cmp, lo, r, keep_lo, keep_hi);
        }
        let r = pd - pc;
        if r > 1 && overlaps(end - r, r) {
            lo = end - r;
            n = r;
            continue;
        }
        return;
    }
}

/// [`pqsort`] on the part `lo..lo+n` of `v`.
fn pqsort_part<T>(
    v: &mut [T],
    cmp: &impl Fn(&T, &T) -> Ordering,
    lo: usize,
    n: usize,
    keep_lo: usize,
    keep_hi: usize,
) {
    if let Some(part) = v.get_mut(lo..lo + n) {
        pqsort(
            part,
            cmp,
            keep_lo.saturating_sub(lo),
            keep_hi.saturating_sub(lo).min(n - 1),
        );
    }
}

/// Index of the median of three.
fn med3<T>(v: &[T], cmp: &impl Fn(&T, &T) -> Ordering, a: usize, b: usize, c: usize) -> usize {
    let less = |x: usize, y: usize| cmp(&v[x], &v[y]) == Ordering::Less;
    let more = |x: usize, y: usize| cmp(&v[x], &v[y]) == Ordering::Greater;
    if less(a, b) {
        if less(b, c) {
            b
        } else if less(a, c) {
            c
        } else {
            a
        }
    } else if more(b, c) {
        b
    } else if less(a, c) {
        a
    } else {
        c
    }
}

/// Swaps the runs `a..a+n` and `b..b+n` element by element.
fn swap_runs<T>(v: &mut [T], a: usize, b: usize, n: usize) {
    for i in 0..n {
        v.swap(a + i, b + i);
    }
}

#[cfg(test)]
mod tests {
    use super::pqsort;

    #[test]
    fn the_wanted_positions_are_in_place() {
        let mut seed = 7u64;
        for len in [0usize, 1, 5, 7, 8, 40, 41, 100, 1000] {
            for _ in 0..20 {
                let mut v: Vec<u64> = (0..len)
                    .map(|_| {
                        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                        (seed >> 33) % 50
                    })
                    .collect();
                let mut sorted = v.clone();
                sorted.sort();
                let keep = len / 3;
                pqsort(
                    &mut v,
                    &|a, b| a.cmp(b),
                    0,
                    keep.saturating_sub(1).min(len.saturating_sub(1)),
                );
                assert_eq!(v[..keep], sorted[..keep]);
            }
        }
    }
}
