//! BITFIELD and BITFIELD_RO: integers of any width from 1 to 64 bits, read and
//! written at any bit offset of a string.
//!
//! A request is a list of operations, all parsed (and refused with Redis's
//! error) before any runs:
//! - `GET <type> <offset>`, `SET <type> <offset> <value>`,
//!   `INCRBY <type> <offset> <increment>`, where `<type>` is `i1`..`i64`
//!   (signed, two's complement) or `u1`..`u63` (unsigned), and `<offset>` is a
//!   bit position or `#N`, meaning N times the type's width;
//! - `OVERFLOW WRAP|SAT|FAIL`, which governs the SETs and INCRBYs after it:
//!   wrap around modulo 2^bits, saturate at the type's limits, or leave the
//!   field alone and answer nil.
//!
//! Bit 0 is the most significant bit of byte 0, as for SETBIT. Writes grow the
//! string with zero bytes up to the farthest bit any write touches (before any
//! operation runs, as Redis does); reads past the end see zeros. The reply is
//! one entry per GET/SET/INCRBY: the value read, the old value (SET), the new
//! value (INCRBY), or nil for a refused write under `OVERFLOW FAIL`.
//! BITFIELD_RO accepts only GET. A run that changed some bit (or created or
//! grew the string) fires one `setbit` event.
use super::args::max_bulk_len;
use super::lookup::count_read;
use super::notify::{notify, STRING};
use super::{errors, flags, CommandSpec, Ctx, Keys};
use crate::num::string2ll;
use crate::store::Value;

pub static COMMANDS: &[CommandSpec] = &[
    // BITFIELD key [GET type offset | [OVERFLOW WRAP|SAT|FAIL] SET type offset value | INCRBY type offset increment ...]
    CommandSpec {
        name: "bitfield",
        arity: -2,
        flags: flags::WRITE | flags::DENYOOM,
        keys: Keys::ONE,
        handler: bitfield,
        ..CommandSpec::DEFAULT
    },
    // BITFIELD_RO key [GET type offset ...]
    CommandSpec {
        name: "bitfield_ro",
        arity: -2,
        flags: flags::READONLY | flags::FAST,
        keys: Keys::ONE,
        handler: bitfield_ro,
        ..CommandSpec::DEFAULT
    },
];

const BAD_TYPE: &str =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
const BIT_OFFSET: &str = "ERR bit offset is not an integer or out of range";

/// What a SET or INCRBY does when the result does not fit the type.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Overflow {
    Wrap,
    Sat,
    Fail,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Get,
    Set(i64),
    Incr(i64),
}

/// One parsed operation.
#[derive(Clone, Copy)]
struct Field {
    op: Op,
    signed: bool,
    bits: u32,
    offset: u64,
    overflow: Overflow,
}

/// `i<bits>` (1..=64) or `u<bits>` (1..=63).
fn parse_type(arg: &[u8]) -> Option<(bool, u32)> {
    let signed = match arg.first()? {
        b'i' => true,
        b'u' => false,
        _ => return None,
    };
    let bits = string2ll(super::c_str(&arg[1..], usize::MAX))?;
    let max = if signed { 64 } else { 63 };
    (1..=max).contains(&bits).then_some((signed, bits as u32))
}

/// A bit offset, or `#N` for N fields of `bits` bits; limited, as SETBIT's, to
/// the bits of `proto-max-bulk-len` bytes.
fn parse_offset(arg: &[u8], bits: u32, limit: u64) -> Option<u64> {
    let (hash, digits) = match arg.first() {
        Some(b'#') => (true, &arg[1..]),
        _ => (false, arg),
    };
    let mut n = string2ll(digits)?;
    if hash {
        // (Redis multiplies in a C long long; a product past its range wraps there)
        n = n.wrapping_mul(i64::from(bits));
    }
    (n >= 0 && ((n as u64) >> 3) < limit).then_some(n as u64)
}

/// Parses the operations after the key; the error is Redis's text.
fn parse(args: &[Vec<u8>], limit: u64) -> Result<Vec<Field>, &'static str> {
    let mut fields = Vec::new();
    let mut overflow = Overflow::Wrap;
    let mut j = 2;
    while j < args.len() {
        let left = args.len() - j - 1;
        let name = args[j].to_ascii_lowercase();
        let kind = match name.as_slice() {
            b"get" if left >= 2 => 0,
            b"set" if left >= 3 => 1,
            b"incrby" if left >= 3 => 2,
            b"overflow" if left >= 1 => {
                let how = &args[j + 1];
                overflow = if how.eq_ignore_ascii_case(b"wrap") {
                    Overflow::Wrap
                } else if how.eq_ignore_ascii_case(b"sat") {
                    Overflow::Sat
                } else if how.eq_ignore_ascii_case(b"fail") {
                    Overflow::Fail
                } else {
                    return Err("ERR Invalid OVERFLOW type specified");
                };
                j += 2;
                continue;
            }
            _ => return Err(errors::SYNTAX),
        };
        let (signed, bits) = parse_type(&args[j + 1]).ok_or(BAD_TYPE)?;
        let offset = parse_offset(&args[j + 2], bits, limit).ok_or(BIT_OFFSET)?;
        let op = match kind {
            0 => Op::Get,
            _ => {
                let v = string2ll(&args[j + 3]).ok_or(errors::NOT_INTEGER)?;
                if kind == 1 {
                    Op::Set(v)
                } else {
                    Op::Incr(v)
                }
            }
        };
        fields.push(Field {
            op,
            signed,
            bits,
            offset,
            overflow,
        });
        j += if kind == 0 { 3 } else { 4 };
    }
    Ok(fields)
}

/// The `bits` bits at bit `offset` of `s` as an unsigned number (zeros past the end).
fn read_bits(s: &[u8], offset: u64, bits: u32) -> u64 {
    let mut v = 0u64;
    for k in 0..u64::from(bits) {
        let pos = offset + k;
        let byte = usize::try_from(pos >> 3).unwrap_or(usize::MAX);
        let bit = s.get(byte).is_some_and(|b| b & (0x80 >> (pos & 7)) != 0);
        v = (v << 1) | u64::from(bit);
    }
    v
}

/// Writes the low `bits` bits of `v` at bit `offset` of `s` (long enough).
fn write_bits(s: &mut [u8], offset: u64, bits: u32, v: u64) {
    for k in 0..u64::from(bits) {
        let pos = offset + k;
        let one = (v >> (u64::from(bits) - 1 - k)) & 1 == 1;
        if let Some(b) = usize::try_from(pos >> 3).ok().and_then(|i| s.get_mut(i)) {
            let mask = 0x80u8 >> (pos & 7);
            if one {
                *b |= mask;
            } else {
                *b &= !mask;
            }
        }
    }
}

/// The field read as the type says: sign-extended for signed types.
fn value_of(raw: u64, signed: bool, bits: u32) -> i128 {
    if signed && bits < 64 && raw >> (bits - 1) & 1 == 1 {
        i128::from(raw) - (1i128 << bits)
    } else if signed {
        i128::from(raw as i64)
    } else {
        i128::from(raw)
    }
}

/// The result of storing `want` in a field of the type: `Some(value)` to store
/// (wrapped or saturated as `overflow` says) or `None` for a refused write.
fn fit(want: i128, signed: bool, bits: u32, overflow: Overflow) -> Option<i128> {
    let (min, max) = if signed {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    } else {
        (0, (1i128 << bits) - 1)
    };
    if (min..=max).contains(&want) {
        return Some(want);
    }
    match overflow {
        Overflow::Fail => None,
        Overflow::Sat => Some(if want > max { max } else { min }),
        Overflow::Wrap => {
            let m = want.rem_euclid(1i128 << bits);
            Some(if signed && m > max {
                m - (1i128 << bits)
            } else {
                m
            })
        }
    }
}

fn bitfield(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    run(ctx, args, false);
}

fn bitfield_ro(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    run(ctx, args, true);
}

fn run(ctx: &mut Ctx<'_>, args: &[Vec<u8>], read_only: bool) {
    let limit = max_bulk_len(ctx);
    let fields = match parse(args, limit) {
        Ok(f) => f,
        Err(e) => return ctx.out.error(e),
    };
    let key = &args[1];
    let last_write = fields
        .iter()
        .filter(|f| f.op != Op::Get)
        .map(|f| f.offset + u64::from(f.bits) - 1)
        .max();
    let Some(last_write) = last_write else {
        return reads_only(ctx, key, &fields);
    };
    if read_only {
        return ctx
            .out
            .error("ERR BITFIELD_RO only supports the GET subcommand");
    }
    let db = ctx.store.db(ctx.client.db);
    let (i, mut grown) = match db.lookup(key) {
        Some(i) if !db.entry(i).value.is_string() => return ctx.out.error(errors::WRONGTYPE),
        Some(i) => (i, false),
        None => (db.insert_new(key, Value::raw(Vec::new())), true),
    };
    let Some(buf) = db.entry_mut(i).value.make_raw_mut() else {
        return;
    };
    let need = usize::try_from(last_write >> 3).unwrap_or(usize::MAX) + 1;
    if buf.len() < need {
        buf.resize(need, 0);
        grown = true;
    }
    let mut changes = 0u64;
    ctx.out.array(fields.len());
    for f in &fields {
        let old = value_of(read_bits(buf, f.offset, f.bits), f.signed, f.bits);
        let (want, reply_new) = match f.op {
            Op::Get => {
                ctx.out.integer(old as i64);
                continue;
            }
            // An unsigned SET reads its argument as C's uint64_t does.
            Op::Set(v) if !f.signed => (i128::from(v as u64), false),
            Op::Set(v) => (i128::from(v), false),
            Op::Incr(d) => (old + i128::from(d), true),
        };
        match fit(want, f.signed, f.bits, f.overflow) {
            None => ctx.out.null(),
            Some(new) => {
                ctx.out
                    .integer(if reply_new { new as i64 } else { old as i64 });
                write_bits(buf, f.offset, f.bits, new as u64);
                if grown || new != old {
                    changes += 1;
                }
            }
        }
    }
    if changes > 0 {
        ctx.store.dirty += changes;
        notify(ctx, STRING, "setbit", key);
    }
}

/// A request with no writes: the key may be missing (all zeros) but not of
/// another type.
fn reads_only(ctx: &mut Ctx<'_>, key: &[u8], fields: &[Field]) {
    let v = ctx.store.db(ctx.client.db).get(key);
    count_read(ctx.shared, v.is_some());
    let mut tmp = [0u8; 20];
    let s: &[u8] = match v {
        None => &[],
        Some(v) => match v.str_bytes(&mut tmp) {
            Some(s) => s,
            None => return ctx.out.error(errors::WRONGTYPE),
        },
    };
    ctx.out.array(fields.len());
    for f in fields {
        let v = value_of(read_bits(s, f.offset, f.bits), f.signed, f.bits);
        ctx.out.integer(v as i64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_and_offsets_parse_as_redis_reads_them() {
        assert_eq!(parse_type(b"i64"), Some((true, 64)));
        assert_eq!(parse_type(b"u63"), Some((false, 63)));
        for bad in [&b"u64"[..], b"i0", b"I8", b"i", b"x8", b"i08", b"u-1", b""] {
            assert_eq!(parse_type(bad), None, "{:?}", bad);
        }
        assert_eq!(parse_offset(b"#3", 8, 1 << 29), Some(24));
        assert_eq!(parse_offset(b"17", 8, 1 << 29), Some(17));
        assert_eq!(parse_offset(b"-1", 8, 1 << 29), None);
        assert_eq!(parse_offset(b"4294967296", 8, 1 << 29), None);
    }

    #[test]
    fn overflow_modes() {
        assert_eq!(fit(356, false, 8, Overflow::Wrap), Some(100));
        assert_eq!(fit(356, false, 8, Overflow::Sat), Some(255));
        assert_eq!(fit(-1, false, 8, Overflow::Sat), Some(0));
        assert_eq!(fit(128, true, 8, Overflow::Wrap), Some(-128));
        assert_eq!(fit(-129, true, 8, Overflow::Sat), Some(-128));
        assert_eq!(fit(300, true, 8, Overflow::Fail), None);
        assert_eq!(
            fit(i128::from(i64::MAX) + 1, true, 64, Overflow::Wrap),
            Some(i128::from(i64::MIN))
        );
    }

    #[test]
    fn bits_round_trip_at_odd_offsets() {
        let mut s = vec![0u8; 10];
        write_bits(&mut s, 5, 64, 0x8123_4567_89ab_cdef);
        assert_eq!(read_bits(&s, 5, 64), 0x8123_4567_89ab_cdef);
        assert_eq!(value_of(read_bits(&s, 5, 8), true, 8), -127);
        assert_eq!(read_bits(&s, 69, 11), 0);
        assert_eq!(read_bits(&s, 75, 64), 0);
    }
}
