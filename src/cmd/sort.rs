//! SORT and SORT_RO: the elements of a list, set or sorted set, sorted by
//! their own value or by weights found through a pattern, optionally mapped
//! through GET patterns and stored as a list.
//!
//! SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC]
//!      [ALPHA] [STORE destination]
//!
//! Rules, as in Redis 7.0: a pattern's first `*` is replaced by the element; a
//! `->field` suffix reads a hash field instead of a string; `#` in GET is the
//! element itself; a BY pattern without `*` means "do not sort". Numeric sorts
//! parse each weight as a double (a missing one is 0) and break ties by
//! comparing the elements' bytes; ALPHA compares bytes. DESC reverses the
//! comparison. LIMIT applies after sorting.
use super::notify::{self, notify};
use super::{errors, flags, CommandSpec, Ctx, Keys};
use crate::store::list::List;
use crate::store::{Db, Value};
use std::cmp::Ordering;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "sort",
        arity: -2,
        flags: flags::WRITE | flags::DENYOOM,
        keys: Keys::ONE,
        handler: sort,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "sort_ro",
        arity: -2,
        flags: flags::READONLY,
        keys: Keys::ONE,
        handler: sort_ro,
        ..CommandSpec::DEFAULT
    },
];

fn sort(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    sort_generic(ctx, args, false);
}

fn sort_ro(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    sort_generic(ctx, args, true);
}

/// The parsed options.
struct Options<'a> {
    by: Option<&'a [u8]>,
    /// A BY pattern without `*` was given: no sorting, even if a later BY has a
    /// `*` (Redis's `dontsort` is never cleared by the parser).
    dont_sort: bool,
    limit: Option<(i64, i64)>,
    gets: Vec<&'a [u8]>,
    desc: bool,
    alpha: bool,
    store: Option<&'a [u8]>,
}

/// Parses SORT's options. `full_key_read`: the client's ACL user may read
/// every key (BY with a pattern and GET are refused otherwise, as in 7.0).
fn parse<'a>(
    args: &'a [Vec<u8>],
    read_only: bool,
    full_key_read: bool,
) -> Result<Options<'a>, &'static str> {
    let mut o = Options {
        by: None,
        dont_sort: false,
        limit: None,
        gets: Vec::new(),
        desc: false,
        alpha: false,
        store: None,
    };
    let mut i = 2;
    while i < args.len() {
        let word = args[i].to_ascii_lowercase();
        let left = args.len() - i - 1;
        match word.as_slice() {
            b"asc" => o.desc = false,
            b"desc" => o.desc = true,
            b"alpha" => o.alpha = true,
            b"limit" if left >= 2 => {
                let num = |b: &[u8]| crate::num::string2ll(b).ok_or(errors::NOT_INTEGER);
                o.limit = Some((num(&args[i + 1])?, num(&args[i + 2])?));
                i += 2;
            }
            b"store" if left >= 1 && !read_only => {
                o.store = Some(&args[i + 1]);
                i += 1;
            }
            b"by" if left >= 1 => {
                o.by = Some(&args[i + 1]);
                let pattern = args[i + 1].contains(&b'*');
                if pattern && !full_key_read {
                    return Err(
                        "ERR BY option of SORT denied due to insufficient ACL permissions.",
                    );
                }
                o.dont_sort |= !pattern;
                i += 1;
            }
            b"get" if left >= 1 && !full_key_read => {
                return Err("ERR GET option of SORT denied due to insufficient ACL permissions.");
            }
            b"get" if left >= 1 => {
                o.gets.push(&args[i + 1]);
                i += 1;
            }
            _ => return Err(errors::SYNTAX),
        }
        i += 1;
    }
    Ok(o)
}

/// The value a pattern points at for `elem`: the string under the key made by
/// replacing the first `*`, or a field of the hash there (`key->field`).
/// `#` is the element itself. None when there is nothing (or a pattern
/// without `*`).
fn lookup(db: &mut Db, pattern: &[u8], elem: &[u8]) -> Option<Vec<u8>> {
    if pattern == b"#" {
        return Some(elem.to_vec());
    }
    let star = pattern.iter().position(|&c| c == b'*')?;
    let (key_pat, field) = match pattern.windows(2).rposition(|w| w == b"->") {
        Some(p) if p > star && p + 2 < pattern.len() => (&pattern[..p], Some(&pattern[p + 2..])),
        _ => (pattern, None),
    };
    let mut key = key_pat[..star].to_vec();
    key.extend_from_slice(elem);
    key.extend_from_slice(&key_pat[star + 1..]);
    let i = db.lookup(&key)?;
    let mut tmp = [0u8; 20];
    match (&db.entry(i).value, field) {
        (Value::Hash(h), Some(f)) => h.get(f).map(|v| v.to_vec()),
        (v, None) => v.str_bytes(&mut tmp).map(|b| b.to_vec()),
        _ => None,
    }
}

/// The elements of the value under `key`: `Ok(None)` when missing, `Err(())`
/// after WRONGTYPE.
fn elements(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<Option<Vec<Vec<u8>>>, ()> {
    let db = ctx.store.db(ctx.client.db);
    let Some(i) = db.lookup(key) else {
        return Ok(None);
    };
    // Redis's SORT (SORT_RO too) destructively converts a sorted set it reads
    // to the skiplist encoding, which OBJECT ENCODING then shows.
    if let Value::ZSet(z) = &mut db.entry_mut(i).value {
        if z.encoding() == "listpack" {
            z.convert();
        }
    }
    let items = match &db.entry(i).value {
        Value::List(l) => l.iter().map(|v| v.to_vec()).collect(),
        Value::Set(s) => s.members(),
        Value::ZSet(z) => z.iter().map(|(m, _)| m.to_vec()).collect(),
        _ => {
            ctx.out.error(errors::WRONGTYPE);
            return Err(());
        }
    };
    Ok(Some(items))
}

/// A sort weight as Redis reads it: C's `strtod` ([`crate::num::strtod`]) with
/// nothing after the number in the C string (leading white space allowed, the
/// empty text is 0), refusing NaN and whatever strtod flags ERANGE (overflow to
/// infinity; underflow: an inexact result below the normal range, zero included).
fn parse_score(b: &[u8]) -> Option<f64> {
    let r = crate::num::strtod(b);
    (r.at_c_end(b) && !r.erange && !r.value.is_nan()).then_some(r.value)
}

fn sort_generic(ctx: &mut Ctx<'_>, args: &[Vec<u8>], read_only: bool) {
    let full = match ctx.shared.commands.resolve(args) {
        super::table::Lookup::Found(row) => super::acl::check::full_key_read(ctx, row, args),
        _ => true,
    };
    let o = match parse(args, read_only, full) {
        Ok(o) => o,
        Err(e) => return ctx.out.error(e),
    };
    let Ok(found) = elements(ctx, &args[1]) else {
        return;
    };
    let db = ctx.store.db(ctx.client.db);
    let is_set = db
        .lookup_no_touch(&args[1])
        .is_some_and(|i| matches!(db.entry(i).value, Value::Set(_)));
    let mut items = found.unwrap_or_default();
    let mut dont_sort = o.dont_sort;
    let mut o = o;
    if dont_sort && is_set && (o.store.is_some() || ctx.client.in_script) {
        // Redis sorts a set it would leave unsorted when it stores the result
        // or answers a script, so neither depends on the set's hashtable
        // order: ALPHA, by the elements themselves.
        dont_sort = false;
        o.alpha = true;
        o.by = None;
    }
    if !dont_sort {
        let db = ctx.store.db(ctx.client.db);
        // (element, numeric weight, alpha weight)
        let mut keyed: Vec<(Vec<u8>, f64, Option<Vec<u8>>)> = Vec::with_capacity(items.len());
        for e in items {
            let w = match o.by {
                Some(p) => lookup(db, p, &e),
                None => Some(e.clone()),
            };
            let score = if o.alpha {
                0.0
            } else {
                match &w {
                    None => 0.0,
                    Some(b) => match parse_score(b) {
                        Some(x) => x,
                        None => {
                            return ctx
                                .out
                                .error("ERR One or more scores can't be converted into double")
                        }
                    },
                }
            };
            keyed.push((e, score, if o.alpha { w } else { None }));
        }
        keyed.sort_by(|a, b| {
            let c = if o.alpha {
                match (&a.2, &b.2) {
                    (None, None) => Ordering::Equal,
                    (None, Some(_)) => Ordering::Less,
                    (Some(_), None) => Ordering::Greater,
                    (Some(x), Some(y)) => x.cmp(y),
                }
            } else {
                a.1.partial_cmp(&b.1)
                    .unwrap_or(Ordering::Equal)
                    .then_with(|| a.0.cmp(&b.0))
            };
            if o.desc {
                c.reverse()
            } else {
                c
            }
        });
        items = keyed.into_iter().map(|k| k.0).collect();
    } else if o.desc && !is_set {
        // Unsorted, a list or a sorted set still honours DESC: its own order
        // backwards (a set has no order of its own to reverse).
        items.reverse();
    }
    if let Some((offset, count)) = o.limit {
        let len = items.len() as i64;
        let start = offset.clamp(0, len) as usize;
        let end = if count < 0 {
            len
        } else {
            (start as i64).saturating_add(count).min(len)
        } as usize;
        items = items[start..end.max(start)].to_vec();
    }
    // GET patterns map each element to one or more values (None: nil)
    let db = ctx.store.db(ctx.client.db);
    let out_vals: Vec<Option<Vec<u8>>> = if o.gets.is_empty() {
        items.into_iter().map(Some).collect()
    } else {
        let mut v = Vec::with_capacity(items.len() * o.gets.len());
        for e in &items {
            for g in &o.gets {
                v.push(lookup(db, g, e));
            }
        }
        v
    };
    match o.store {
        None => {
            ctx.out.array(out_vals.len());
            for v in &out_vals {
                match v {
                    Some(b) => ctx.out.bulk(b),
                    None => ctx.out.null(),
                }
            }
        }
        Some(dst) => {
            let n = out_vals.len();
            let db = ctx.store.db(ctx.client.db);
            if n == 0 {
                if db.remove(dst).is_some() {
                    notify(ctx, notify::GENERIC, "del", dst);
                }
            } else {
                let list = List::from_items(out_vals.iter().map(|v| v.as_deref().unwrap_or(b"")));
                db.set(dst, Value::List(list), false);
                ctx.blocked.signal(ctx.client.db, dst);
                notify(ctx, notify::LIST, "sortstore", dst);
            }
            ctx.store.dirty += 1;
            ctx.out.integer(n as i64);
        }
    }
}
