//! Set algebra over sorted sets: ZUNION ZINTER ZDIFF, their STORE forms, and
//! ZINTERCARD.
//!
//! Inputs may be sorted sets or plain sets (whose members count with score 1);
//! [`gather_inputs`] is the one place that decides which value types are
//! accepted, and turns each key into an [`Input`].
//!
//! As in Redis: union and intersection visit the inputs from the smallest to the
//! largest (weights travel with their input); a weighted score that is NaN
//! (`0 * inf`) counts as 0, and so does a SUM of `inf` and `-inf`; the difference
//! keeps the first input's scores and takes no WEIGHTS or AGGREGATE; results are
//! replied in sorted-set order, and stored in the encoding their size calls for.
//!
//! Invariants: every input key is looked up (and type-checked) before the
//! options are parsed, so WRONGTYPE wins over a bad option, as in Redis.
use super::lookup::count_read;
use super::zset::Replied;
use super::zset_range::store_result;
use super::{errors, Ctx};
use crate::num::string2d;
use crate::store::zset::ZSet;
use crate::store::Value;
use std::collections::HashMap;

/// One input of a set operation.
pub enum Input {
    /// The key does not exist: an empty input.
    Missing,
    ZSet(ZSet),
    /// Members with their scores, e.g. a plain set's members with score 1.
    Members(HashMap<Vec<u8>, f64>),
}

impl Input {
    fn len(&self) -> usize {
        match self {
            Input::Missing => 0,
            Input::ZSet(z) => z.len(),
            Input::Members(m) => m.len(),
        }
    }

    fn score(&self, member: &[u8]) -> Option<f64> {
        match self {
            Input::Missing => None,
            Input::ZSet(z) => z.score(member),
            Input::Members(m) => m.get(member).copied(),
        }
    }

    fn for_each(&self, mut f: impl FnMut(&[u8], f64) -> bool) {
        match self {
            Input::Missing => {}
            Input::ZSet(z) => {
                for (m, s) in z.iter() {
                    if !f(&m, s) {
                        return;
                    }
                }
            }
            Input::Members(map) => {
                for (m, s) in map {
                    if !f(m, *s) {
                        return;
                    }
                }
            }
        }
    }
}

/// Looks up every input key (counting hits and misses) and checks its type;
/// `Err(Replied)` after replying WRONGTYPE.
/// A plain set counts as a sorted set whose scores are all 1.
pub fn gather_inputs(ctx: &mut Ctx<'_>, keys: &[Vec<u8>]) -> Result<Vec<Input>, Replied> {
    let db = ctx.store.db(ctx.client.db);
    let mut inputs = Vec::with_capacity(keys.len());
    for k in keys {
        let found = db.lookup(k);
        count_read(ctx.shared, found.is_some());
        let input = match found.map(|i| &db.entry(i).value) {
            None => Input::Missing,
            Some(Value::ZSet(z)) => Input::ZSet(z.clone()),
            Some(Value::Set(s)) => {
                Input::Members(s.members().into_iter().map(|m| (m, 1.0)).collect())
            }
            Some(_) => {
                ctx.out.error(errors::WRONGTYPE);
                return Err(Replied);
            }
        };
        inputs.push(input);
    }
    Ok(inputs)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Union,
    Inter,
    Diff,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

#[inline]
fn aggregate(target: &mut f64, v: f64, how: Aggregate) {
    match how {
        Aggregate::Sum => {
            *target += v;
            if target.is_nan() {
                *target = 0.0;
            }
        }
        Aggregate::Min => {
            if v < *target {
                *target = v;
            }
        }
        Aggregate::Max => {
            if v > *target {
                *target = v;
            }
        }
    }
}

#[inline]
fn weighted(score: f64, weight: f64) -> f64 {
    let s = score * weight;
    if s.is_nan() {
        0.0
    } else {
        s
    }
}

/// The shared body. `numkeys_at`: position of numkeys; `dst`: the STORE forms'
/// destination; `card`: ZINTERCARD.
fn generic(
    ctx: &mut Ctx<'_>,
    args: &[Vec<u8>],
    numkeys_at: usize,
    dst: Option<&[u8]>,
    op: Op,
    card: bool,
) {
    let Some(setnum) = crate::num::string2ll(&args[numkeys_at]) else {
        return ctx.out.error(errors::NOT_INTEGER);
    };
    if setnum < 1 {
        let name = String::from_utf8_lossy(&args[0]).to_ascii_lowercase();
        return ctx.out.error(&format!(
            "ERR at least 1 input key is needed for '{name}' command"
        ));
    }
    if setnum > (args.len() - numkeys_at - 1) as i64 {
        return ctx.out.error(errors::SYNTAX);
    }
    let setnum = setnum as usize;
    let keys = &args[numkeys_at + 1..numkeys_at + 1 + setnum];
    let Ok(inputs) = gather_inputs(ctx, keys) else {
        return;
    };
    let mut weights = vec![1.0f64; setnum];
    let mut how = Aggregate::Sum;
    let mut with_scores = false;
    let mut limit: u64 = 0;
    let mut j = numkeys_at + 1 + setnum;
    while j < args.len() {
        let remaining = args.len() - j;
        let word = args[j].to_ascii_uppercase();
        if op != Op::Diff && !card && remaining > setnum && word == b"WEIGHTS" {
            j += 1;
            for w in weights.iter_mut() {
                match string2d(&args[j]) {
                    Some(v) => *w = v,
                    None => return ctx.out.error("ERR weight value is not a float"),
                }
                j += 1;
            }
        } else if op != Op::Diff && !card && remaining >= 2 && word == b"AGGREGATE" {
            how = match args[j + 1].to_ascii_uppercase().as_slice() {
                b"SUM" => Aggregate::Sum,
                b"MIN" => Aggregate::Min,
                b"MAX" => Aggregate::Max,
                _ => return ctx.out.error(errors::SYNTAX),
            };
            j += 2;
        } else if dst.is_none() && !card && word == b"WITHSCORES" {
            with_scores = true;
            j += 1;
        } else if card && remaining >= 2 && word == b"LIMIT" {
            match crate::num::string2ll(&args[j + 1]) {
                Some(n) if n >= 0 => limit = n as u64,
                _ => return ctx.out.error("ERR LIMIT can't be negative"),
            }
            j += 2;
        } else {
            return ctx.out.error(errors::SYNTAX);
        }
    }
    // Smallest input first (not for the difference, whose first input is special).
    let mut order: Vec<usize> = (0..setnum).collect();
    if op != Op::Diff {
        order.sort_by_key(|&i| inputs[i].len());
    }
    let mut result: Vec<(Vec<u8>, f64)> = Vec::new();
    match op {
        Op::Inter => {
            let first = order[0];
            let mut count: u64 = 0;
            inputs[first].for_each(|m, s| {
                let mut score = weighted(s, weights[first]);
                for &k in &order[1..] {
                    match inputs[k].score(m) {
                        Some(v) => aggregate(&mut score, weighted(v, weights[k]), how),
                        None => return true,
                    }
                }
                if card {
                    count += 1;
                    return limit == 0 || count < limit;
                }
                result.push((m.to_vec(), score));
                true
            });
            if card {
                return ctx.out.integer(count as i64);
            }
        }
        Op::Union => {
            let mut acc: HashMap<Vec<u8>, f64> = HashMap::new();
            for &k in &order {
                inputs[k].for_each(|m, s| {
                    let score = weighted(s, weights[k]);
                    match acc.get_mut(m) {
                        Some(t) => aggregate(t, score, how),
                        None => {
                            acc.insert(m.to_vec(), score);
                        }
                    }
                    true
                });
            }
            result = acc.into_iter().collect();
        }
        Op::Diff => {
            inputs[0].for_each(|m, s| {
                if !inputs[1..].iter().any(|x| x.score(m).is_some()) {
                    result.push((m.to_vec(), s));
                }
                true
            });
        }
    }
    if let Some(dst) = dst {
        let event = match op {
            Op::Union => "zunionstore",
            Op::Inter => "zinterstore",
            Op::Diff => "zdiffstore",
        };
        return store_result(ctx, dst, result, event);
    }
    result.sort_by(|a, b| {
        a.1.partial_cmp(&b.1)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.0.cmp(&b.0))
    });
    super::zset::reply_pairs_header(ctx.out, result.len(), with_scores);
    for (m, s) in &result {
        if with_scores {
            super::zset::reply_pair(ctx.out, m, *s);
        } else {
            ctx.out.bulk(m);
        }
    }
}

pub fn zunion(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    generic(ctx, args, 1, None, Op::Union, false);
}

pub fn zinter(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    generic(ctx, args, 1, None, Op::Inter, false);
}

pub fn zdiff(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    generic(ctx, args, 1, None, Op::Diff, false);
}

pub fn zunionstore(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let dst = args[1].clone();
    generic(ctx, args, 2, Some(&dst), Op::Union, false);
}

pub fn zinterstore(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let dst = args[1].clone();
    generic(ctx, args, 2, Some(&dst), Op::Inter, false);
}

pub fn zdiffstore(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let dst = args[1].clone();
    generic(ctx, args, 2, Some(&dst), Op::Diff, false);
}

pub fn zintercard(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    generic(ctx, args, 1, None, Op::Inter, true);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_inputs_answer_like_sorted_sets() {
        let mut map = HashMap::new();
        map.insert(b"a".to_vec(), 1.0);
        map.insert(b"b".to_vec(), 1.0);
        let set = Input::Members(map);
        let z = Input::ZSet(ZSet::from_pairs(
            vec![(b"a".to_vec(), 1.0), (b"b".to_vec(), 1.0)],
            crate::store::zset::Limits::default(),
        ));
        assert_eq!(set.len(), z.len());
        assert_eq!(set.score(b"a"), z.score(b"a"));
        assert_eq!(set.score(b"zz"), None);
        let mut seen = Vec::new();
        set.for_each(|m, s| {
            seen.push((m.to_vec(), s));
            true
        });
        seen.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(seen, vec![(b"a".to_vec(), 1.0), (b"b".to_vec(), 1.0)]);
    }
}
