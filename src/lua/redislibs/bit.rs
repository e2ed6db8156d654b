//! The `bit` library Redis gives scripts (LuaBitOp 1.0.2): `tobit tohex bnot
//! band bor bxor lshift rshift arshift rol ror bswap`.
//!
//! Every operation works on 32-bit integers and returns a *signed* 32-bit
//! result as a Lua number (`bit.tobit(0xffffffff) == -1`). Arguments are
//! normalised as LuaBitOp does: add 2^52+2^51 to the double and keep the low
//! 32 bits of its representation, which rounds half to even (`tobit(2.5) == 2`)
//! and wraps modulo 2^32 (`tobit(2^40+3) == 3`).

use crate::lua::{LuaError, NativeFn, Value, Vm};

/// The 32-bit pattern of argument `i` (LuaBitOp's `barg`).
fn barg(vm: &mut Vm, i: usize) -> Result<u32, LuaError> {
    let n = vm.check_number(i)?;
    Ok((n + 6_755_399_441_055_744.0).to_bits() as u32)
}

/// Pushes a 32-bit pattern as a signed number.
fn ret(vm: &mut Vm, b: u32) -> Result<usize, LuaError> {
    vm.push(Value::Num(b as i32 as f64));
    Ok(1)
}

fn tobit(vm: &mut Vm) -> Result<usize, LuaError> {
    let b = barg(vm, 1)?;
    ret(vm, b)
}

fn bnot(vm: &mut Vm) -> Result<usize, LuaError> {
    let b = barg(vm, 1)?;
    ret(vm, !b)
}

/// `band`/`bor`/`bxor`: the first argument is required, the rest fold in.
fn fold(vm: &mut Vm, op: fn(u32, u32) -> u32) -> Result<usize, LuaError> {
    let mut b = barg(vm, 1)?;
    for i in 2..=vm.arg_count() {
        b = op(b, barg(vm, i)?);
    }
    ret(vm, b)
}

fn band(vm: &mut Vm) -> Result<usize, LuaError> {
    fold(vm, |a, b| a & b)
}

fn bor(vm: &mut Vm) -> Result<usize, LuaError> {
    fold(vm, |a, b| a | b)
}

fn bxor(vm: &mut Vm) -> Result<usize, LuaError> {
    fold(vm, |a, b| a ^ b)
}

/// Shifts and rotations: the count is taken modulo 32.
fn shift(vm: &mut Vm, op: fn(u32, u32) -> u32) -> Result<usize, LuaError> {
    let b = barg(vm, 1)?;
    let n = barg(vm, 2)? & 31;
    ret(vm, op(b, n))
}

fn lshift(vm: &mut Vm) -> Result<usize, LuaError> {
    shift(vm, |b, n| b << n)
}

fn rshift(vm: &mut Vm) -> Result<usize, LuaError> {
    shift(vm, |b, n| b >> n)
}

fn arshift(vm: &mut Vm) -> Result<usize, LuaError> {
    shift(vm, |b, n| ((b as i32) >> n) as u32)
}

fn rol(vm: &mut Vm) -> Result<usize, LuaError> {
    shift(vm, |b, n| b.rotate_left(n))
}

fn ror(vm: &mut Vm) -> Result<usize, LuaError> {
    shift(vm, |b, n| b.rotate_right(n))
}

fn bswap(vm: &mut Vm) -> Result<usize, LuaError> {
    let b = barg(vm, 1)?;
    ret(vm, b.swap_bytes())
}

/// `tohex(x [, n])`: the low `|n|` hex digits (at most 8, default 8);
/// a negative `n` gives upper-case digits.
fn tohex(vm: &mut Vm) -> Result<usize, LuaError> {
    let mut b = barg(vm, 1)?;
    let mut n: i64 = if vm.arg_count() < 2 {
        8
    } else {
        barg(vm, 2)? as i32 as i64
    };
    let digits: &[u8; 16] = if n < 0 {
        n = -n;
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let n = n.min(8) as usize;
    let mut buf = [0u8; 8];
    for slot in buf[..n].iter_mut().rev() {
        *slot = digits[(b & 15) as usize];
        b >>= 4;
    }
    let s = vm.new_str(&buf[..n]);
    vm.push(s);
    Ok(1)
}

const FUNCS: &[(&str, NativeFn)] = &[
    ("tobit", tobit),
    ("bnot", bnot),
    ("band", band),
    ("bor", bor),
    ("bxor", bxor),
    ("lshift", lshift),
    ("rshift", rshift),
    ("arshift", arshift),
    ("rol", rol),
    ("ror", ror),
    ("bswap", bswap),
    ("tohex", tohex),
];

/// Registers the global table `bit`.
pub fn open(vm: &mut Vm) {
    vm.register_lib("bit", FUNCS);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &str) -> Vec<String> {
        let mut vm = Vm::new();
        open(&mut vm);
        match vm.eval(src) {
            Ok(vals) => vals.into_iter().map(|v| vm.to_string_lossy(v)).collect(),
            Err(e) => vec![vm.error_message(&e)],
        }
    }

    // Values observed on redis-server 7.0.
    #[test]
    fn operations_match_redis() {
        assert_eq!(
            run(
                "return bit.tobit(0xffffffff), bit.tohex(-1), bit.tohex(255,-4), \
                 bit.tohex(255,2), bit.tohex(0x12345678), bit.tobit(1.5), bit.tobit(2.5), \
                 bit.tobit(2^40+3), bit.tobit(-1.5), bit.bnot(0)"
            ),
            ["-1", "ffffffff", "00FF", "ff", "12345678", "2", "2", "3", "-2", "-1"]
        );
        assert_eq!(
            run(
                "return bit.band(0xff, 0x0f, 0x3c), bit.bor(1,2,4), bit.bxor(1,3), \
                 bit.lshift(1,31), bit.rshift(-1,28), bit.arshift(-256,4), \
                 bit.rol(0x12345678,4), bit.ror(0x12345678,4), bit.bswap(0x12345678), \
                 bit.lshift(1,33), bit.tohex(1,0), bit.tohex(0x1234,-20)"
            ),
            [
                "12",
                "7",
                "2",
                "-2147483648",
                "15",
                "-16",
                "591751041",
                "-2128394905",
                "2018915346",
                "2",
                "",
                "00001234"
            ]
        );
        assert_eq!(
            run("return bit.tobit('12'), bit.tohex(1, 9), bit.tobit(2^31), bit.tohex(-1,-9)"),
            ["12", "00000001", "-2147483648", "FFFFFFFF"]
        );
    }

    #[test]
    fn argument_errors_match_redis() {
        assert_eq!(
            run("return bit.tobit('x')"),
            ["[string \"return bit.tobit('x')\"]:1: bad argument #1 to 'tobit' (number expected, got string)"]
        );
        assert_eq!(
            run("return bit.band()"),
            ["[string \"return bit.band()\"]:1: bad argument #1 to 'band' (number expected, got no value)"]
        );
    }
}
