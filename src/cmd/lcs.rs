//! LCS: the longest common subsequence of two string values.
//!
//! The classic dynamic-programming table `T[i][j]` = LCS length of the first `i`
//! bytes of `a` and the first `j` bytes of `b`, then a walk back from the corner
//! that takes a byte when both match and otherwise moves towards the larger
//! neighbour (preferring to drop a byte of `a` only when that side is strictly
//! larger). That walk fixes which subsequence is reported when several exist;
//! it is the same one redis-server reports. With IDX, the walk also yields the
//! matching ranges, last ones first, each `[a_start, a_end] [b_start, b_end]`.
use super::args::max_bulk_len;
use super::lookup::count_read;
use super::{errors, flags, CommandSpec, Ctx, Keys};
use crate::num::string2ll;

pub static COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "lcs",
    arity: -3,
    flags: flags::READONLY,
    keys: Keys::range(1, 2, 1),
    handler: lcs,
    ..CommandSpec::DEFAULT
}];

fn lcs(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let db = ctx.store.db(ctx.client.db);
    let mut strings: [Vec<u8>; 2] = [Vec::new(), Vec::new()];
    for (slot, key) in strings.iter_mut().zip(&args[1..3]) {
        let v = db.get(key);
        count_read(ctx.shared, v.is_some());
        if let Some(v) = v {
            let mut tmp = [0u8; 20];
            match v.str_bytes(&mut tmp) {
                Some(b) => *slot = b.to_vec(),
                None => {
                    return ctx
                        .out
                        .error("ERR The specified keys must contain string values")
                }
            }
        }
    }
    let (mut want_idx, mut want_len, mut with_len, mut min_len) = (false, false, false, 0i64);
    let mut j = 3;
    while j < args.len() {
        match args[j].to_ascii_uppercase().as_slice() {
            b"IDX" => want_idx = true,
            b"LEN" => want_len = true,
            b"WITHMATCHLEN" => with_len = true,
            b"MINMATCHLEN" if j + 1 < args.len() => {
                match string2ll(&args[j + 1]) {
                    Some(n) => min_len = n.max(0),
                    None => return ctx.out.error(errors::NOT_INTEGER),
                }
                j += 1;
            }
            _ => return ctx.out.error(errors::SYNTAX),
        }
        j += 1;
    }
    if want_idx && want_len {
        return ctx
            .out
            .error("ERR If you want both the length and indexes, please just use IDX.");
    }
    let [a, b] = &strings;
    let (alen, blen) = (a.len(), b.len());
    let cells = (alen as u64 + 1) * (blen as u64 + 1);
    if cells.saturating_mul(4) > max_bulk_len(ctx) {
        return ctx
            .out
            .error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    }
    let w = blen + 1;
    let mut t = vec![0u32; cells as usize];
    for i in 1..=alen {
        for jj in 1..=blen {
            t[i * w + jj] = if a[i - 1] == b[jj - 1] {
                t[(i - 1) * w + jj - 1] + 1
            } else {
                t[(i - 1) * w + jj].max(t[i * w + jj - 1])
            };
        }
    }
    let total = t[alen * w + blen] as usize;
    if want_len {
        return ctx.out.integer(total as i64);
    }
    // Walk back, collecting the subsequence (reversed) and the ranges.
    let mut seq = Vec::with_capacity(total);
    let mut ranges: Vec<[usize; 4]> = Vec::new();
    let mut cur: Option<[usize; 4]> = None; // a_start, a_end, b_start, b_end
    let (mut i, mut jj) = (alen, blen);
    while i > 0 && jj > 0 {
        let mut emit = false;
        if a[i - 1] == b[jj - 1] {
            seq.push(a[i - 1]);
            match &mut cur {
                None => cur = Some([i - 1, i - 1, jj - 1, jj - 1]),
                Some(r) => {
                    r[0] = i - 1;
                    r[2] = jj - 1;
                }
            }
            if let Some(r) = cur {
                if r[0] == 0 || r[2] == 0 {
                    emit = true;
                }
            }
            i -= 1;
            jj -= 1;
        } else {
            if t[(i - 1) * w + jj] > t[i * w + jj - 1] {
                i -= 1;
            } else {
                jj -= 1;
            }
            emit = cur.is_some();
        }
        if emit {
            if let Some(r) = cur.take() {
                if (r[1] - r[0] + 1) as i64 >= min_len {
                    ranges.push(r);
                }
            }
        }
    }
    if !want_idx {
        seq.reverse();
        return ctx.out.bulk(&seq);
    }
    ctx.out.map(2);
    ctx.out.bulk(b"matches");
    ctx.out.array(ranges.len());
    for r in &ranges {
        ctx.out.array(if with_len { 3 } else { 2 });
        ctx.out.array(2);
        ctx.out.integer(r[0] as i64);
        ctx.out.integer(r[1] as i64);
        ctx.out.array(2);
        ctx.out.integer(r[2] as i64);
        ctx.out.integer(r[3] as i64);
        if with_len {
            ctx.out.integer((r[1] - r[0] + 1) as i64);
        }
    }
    ctx.out.bulk(b"len");
    ctx.out.integer(total as i64);
}
