//! Bit commands on strings: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP.
//!
//! Bit 0 is the most significant bit of byte 0, as in Redis. Ranges are in bytes,
//! or in bits with the `BIT` option (Redis 7). A string grown by SETBIT is padded
//! with zero bytes and becomes "raw"; BITOP's result is always "raw".
use super::args::{int_arg, max_bulk_len};
use super::lookup::count_read;
use super::notify::{notify, GENERIC, STRING};
use super::{errors, flags, CommandSpec, Ctx, Keys};
use crate::num::string2ll;
use crate::store::Value;

const BIT_OFFSET: &str = "ERR bit offset is not an integer or out of range";

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "setbit",
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM,
        keys: Keys::ONE,
        handler: setbit,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "getbit",
        arity: 3,
        flags: flags::READONLY | flags::FAST,
        keys: Keys::ONE,
        handler: getbit,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "bitcount",
        arity: -2,
        flags: flags::READONLY,
        keys: Keys::ONE,
        handler: bitcount,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "bitpos",
        arity: -3,
        flags: flags::READONLY,
        keys: Keys::ONE,
        handler: bitpos,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "bitop",
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM,
        keys: Keys::range(2, -1, 1),
        handler: bitop,
        ..CommandSpec::DEFAULT
    },
];

/// A bit offset argument: from 0 up to the bits of `proto-max-bulk-len` bytes.
fn bit_offset(ctx: &mut Ctx<'_>, arg: &[u8]) -> Option<u64> {
    let limit = max_bulk_len(ctx);
    match string2ll(arg) {
        Some(n) if n >= 0 && ((n as u64) >> 3) < limit => Some(n as u64),
        _ => {
            ctx.out.error(BIT_OFFSET);
            None
        }
    }
}

fn setbit(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let Some(offset) = bit_offset(ctx, &args[2]) else {
        return;
    };
    let on = match string2ll(&args[3]) {
        Some(b @ (0 | 1)) => b == 1,
        _ => return ctx.out.error("ERR bit is not an integer or out of range"),
    };
    let db = ctx.db();
    let mut changed = false;
    let i = match db.lookup(&args[1]) {
        Some(i) => {
            if !db.entry(i).value.is_string() {
                return ctx.out.error(errors::WRONGTYPE);
            }
            i
        }
        None => {
            changed = true;
            db.insert_new(&args[1], Value::raw(Vec::new()))
        }
    };
    let byte = (offset >> 3) as usize;
    let mask = 0x80u8 >> (offset & 7);
    let Some(buf) = db.entry_mut(i).value.make_raw_mut() else {
        return;
    };
    if buf.len() <= byte {
        buf.resize(byte + 1, 0);
        changed = true;
    }
    let old = buf[byte] & mask != 0;
    if on {
        buf[byte] |= mask;
    } else {
        buf[byte] &= !mask;
    }
    // As Redis 7.0: a change (and an event) only when the key was created,
    // grew, or the bit flipped.
    if changed || old != on {
        ctx.store.dirty += 1;
        notify(ctx, STRING, "setbit", &args[1]);
    }
    ctx.out.integer(i64::from(old));
}

fn getbit(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let Some(offset) = bit_offset(ctx, &args[2]) else {
        return;
    };
    let v = ctx.store.db(ctx.client.db).get(&args[1]);
    count_read(ctx.shared, v.is_some());
    let Some(v) = v else {
        return ctx.out.integer(0);
    };
    let mut tmp = [0u8; 20];
    let Some(s) = v.str_bytes(&mut tmp) else {
        return ctx.out.error(errors::WRONGTYPE);
    };
    let byte = (offset >> 3) as usize;
    let bit = s.get(byte).is_some_and(|b| b & (0x80 >> (offset & 7)) != 0);
    ctx.out.integer(i64::from(bit));
}

/// Resolves a Redis range (negative = from the end) over `total` units.
/// Returns `None` when empty.
fn resolve(mut start: i64, mut end: i64, total: i64) -> Option<(i64, i64)> {
    if start < 0 {
        start = start.saturating_add(total);
    }
    if end < 0 {
        end = end.saturating_add(total);
    }
    start = start.max(0);
    end = end.max(0);
    if end >= total {
        end = total - 1;
    }
    (start <= end).then_some((start, end))
}

/// Parses `[BYTE|BIT]` at `args[i]` if present: `Some(is_bit)` or `None` on a syntax error.
fn unit_arg(args: &[Vec<u8>], i: usize) -> Option<bool> {
    match args.get(i).map(|a| a.to_ascii_uppercase()) {
        None => Some(false),
        Some(a) if a == b"BYTE" => Some(false),
        Some(a) if a == b"BIT" => Some(true),
        Some(_) => None,
    }
}

fn bit_at(s: &[u8], i: i64) -> bool {
    s[(i >> 3) as usize] & (0x80 >> (i & 7)) != 0
}

/// Set bits among bit positions `first..=last` of `s`: whole bytes counted with
/// `count_ones`, the partial bytes at both ends masked.
fn count_bits(s: &[u8], first: i64, last: i64) -> i64 {
    let (fb, lb) = ((first >> 3) as usize, (last >> 3) as usize);
    let head_mask = 0xffu8 >> (first & 7);
    let tail_mask = 0xffu8 << (7 - (last & 7));
    if fb == lb {
        return i64::from((s[fb] & head_mask & tail_mask).count_ones());
    }
    let middle: u32 = s[fb + 1..lb].iter().map(|b| b.count_ones()).sum();
    i64::from((s[fb] & head_mask).count_ones() + middle + (s[lb] & tail_mask).count_ones())
}

fn bitcount(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let db = ctx.store.db(ctx.client.db);
    let v = db.get(&args[1]);
    count_read(ctx.shared, v.is_some());
    let Some(v) = v else {
        return ctx.out.integer(0);
    };
    let mut tmp = [0u8; 20];
    let Some(s) = v.str_bytes(&mut tmp) else {
        return ctx.out.error(errors::WRONGTYPE);
    };
    let count = match args.len() {
        2 => s.iter().map(|b| b.count_ones() as i64).sum(),
        4 | 5 => {
            let (Some(start), Some(end)) = (string2ll(&args[2]), string2ll(&args[3])) else {
                return ctx.out.error(errors::NOT_INTEGER);
            };
            // An empty negative range answers 0 before the unit is even looked at.
            if start < 0 && end < 0 && start > end {
                return ctx.out.integer(0);
            }
            let Some(is_bit) = unit_arg(args, 4) else {
                return ctx.out.error(errors::SYNTAX);
            };
            let total = if is_bit {
                s.len() as i64 * 8
            } else {
                s.len() as i64
            };
            match resolve(start, end, total) {
                None => 0,
                Some((a, b)) if is_bit => count_bits(s, a, b),
                Some((a, b)) => s[a as usize..=b as usize]
                    .iter()
                    .map(|b| b.count_ones() as i64)
                    .sum(),
            }
        }
        _ => return ctx.out.error(errors::SYNTAX),
    };
    ctx.out.integer(count);
}

fn bitpos(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let Some(bit) = int_arg(ctx, &args[2]) else {
        return;
    };
    if bit != 0 && bit != 1 {
        return ctx.out.error("ERR The bit argument must be 1 or 0.");
    }
    let want = bit == 1;
    let db = ctx.store.db(ctx.client.db);
    let v = db.get(&args[1]);
    count_read(ctx.shared, v.is_some());
    let Some(v) = v else {
        return ctx.out.integer(if want { -1 } else { 0 });
    };
    let mut tmp = [0u8; 20];
    let Some(s) = v.str_bytes(&mut tmp) else {
        return ctx.out.error(errors::WRONGTYPE);
    };
    if args.len() > 6 {
        return ctx.out.error(errors::SYNTAX);
    }
    let start = match args.get(3) {
        None => 0,
        Some(a) => match string2ll(a) {
            Some(n) => n,
            None => return ctx.out.error(errors::NOT_INTEGER),
        },
    };
    // Redis 7.0 checks BIT|BYTE before it reads the end.
    let Some(is_bit) = unit_arg(args, 5) else {
        return ctx.out.error(errors::SYNTAX);
    };
    let end_given = args.len() >= 5;
    let end = match args.get(4) {
        None => -1,
        Some(a) => match string2ll(a) {
            Some(n) => n,
            None => return ctx.out.error(errors::NOT_INTEGER),
        },
    };
    let total = if is_bit {
        s.len() as i64 * 8
    } else {
        s.len() as i64
    };
    let Some((a, b)) = resolve(start, end, total) else {
        return ctx.out.integer(-1);
    };
    let (first, last) = if is_bit { (a, b) } else { (a * 8, b * 8 + 7) };
    let mut i = first;
    while i <= last {
        // Skip whole bytes that cannot hold the bit we want.
        if i & 7 == 0 && i + 7 <= last {
            let byte = s[(i >> 3) as usize];
            if (want && byte == 0) || (!want && byte == 0xff) {
                i += 8;
                continue;
            }
        }
        if bit_at(s, i) == want {
            return ctx.out.integer(i);
        }
        i += 1;
    }
    // No clear bit in the range: without an explicit end, the string is treated
    // as padded with zeros to the right, so the answer is the first bit after it.
    if !want && !end_given {
        return ctx.out.integer(last + 1);
    }
    ctx.out.integer(-1);
}

fn bitop(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    #[derive(PartialEq)]
    enum Op {
        And,
        Or,
        Xor,
        Not,
    }
    let op = match args[1].to_ascii_uppercase().as_slice() {
        b"AND" => Op::And,
        b"OR" => Op::Or,
        b"XOR" => Op::Xor,
        b"NOT" => Op::Not,
        _ => return ctx.out.error(errors::SYNTAX),
    };
    if op == Op::Not && args.len() != 4 {
        return ctx
            .out
            .error("ERR BITOP NOT must be called with a single source key.");
    }
    let db = ctx.store.db(ctx.client.db);
    let mut sources: Vec<Vec<u8>> = Vec::with_capacity(args.len() - 3);
    for k in &args[3..] {
        let v = db.get(k);
        count_read(ctx.shared, v.is_some());
        match v {
            None => sources.push(Vec::new()),
            Some(v) => {
                let mut tmp = [0u8; 20];
                match v.str_bytes(&mut tmp) {
                    Some(b) => sources.push(b.to_vec()),
                    None => return ctx.out.error(errors::WRONGTYPE),
                }
            }
        }
    }
    let maxlen = sources.iter().map(Vec::len).max().unwrap_or(0);
    if maxlen == 0 {
        if db.remove(&args[2]).is_some() {
            ctx.store.dirty += 1;
            notify(ctx, GENERIC, "del", &args[2]);
        }
        return ctx.out.integer(0);
    }
    let mut res = vec![0u8; maxlen];
    for (j, r) in res.iter_mut().enumerate() {
        let byte = |s: &Vec<u8>| s.get(j).copied().unwrap_or(0);
        *r = match op {
            Op::Not => !byte(&sources[0]),
            Op::And => sources.iter().fold(0xff, |acc, s| acc & byte(s)),
            Op::Or => sources.iter().fold(0, |acc, s| acc | byte(s)),
            Op::Xor => sources.iter().fold(0, |acc, s| acc ^ byte(s)),
        };
    }
    db.set(&args[2], Value::raw(res), false);
    ctx.store.dirty += 1;
    notify(ctx, STRING, "set", &args[2]);
    ctx.out.integer(maxlen as i64);
}

#[cfg(test)]
mod tests {
    use super::{bit_at, count_bits};

    #[test]
    fn masked_bit_counts_match_a_bit_by_bit_count() {
        let s = [0xff, 0xf0, 0x00, 0x5a, 0x81];
        for a in 0..40 {
            for b in a..40 {
                let slow = (a..=b).filter(|&i| bit_at(&s, i)).count() as i64;
                assert_eq!(count_bits(&s, a, b), slow, "{a}..={b}");
            }
        }
    }
}
