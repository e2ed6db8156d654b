//! The `struct` library Redis gives scripts (Roberto Ierusalimschy's struct,
//! the version Redis 7.0 embeds): `pack(fmt, ...)`, `unpack(fmt, s [, pos])`,
//! `size(fmt)`.
//!
//! Format codes: `>` big endian, `<` little endian, `!n` maximum alignment n
//! (a power of 2; `!` alone means 8), `x` a zero byte, `b/B` char, `h/H` short
//! (2), `l/L` long (8), `T` size_t (8), `i/I[n]` an int of n bytes (default 4,
//! at most 32), `f` float, `d` double, `s` a zero-terminated string, `c[n]` n
//! bytes (`c0`: the whole string when packing, the preceding number as length
//! when unpacking), spaces ignored. Lower case integers are signed. The
//! defaults are little endian (the native order of Redis's platforms) and
//! alignment 1. Numbers go through the C conversions struct does: doubles
//! truncated toward zero, then the low bytes of the 64-bit pattern.
//!
//! Invariant: all reads are bounds-checked; oversized counts fail with
//! struct's own errors.

use crate::lua::{LuaError, NativeFn, Value, Vm};

const MAXINTSIZE: usize = 32;
const MAXALIGN: usize = 8;

#[derive(Clone, Copy)]
struct Header {
    big: bool,
    align: usize,
}

/// A format string being read.
struct Fmt<'a> {
    f: &'a [u8],
    i: usize,
}

impl Fmt<'_> {
    fn getnum(&mut self, vm: &mut Vm, df: usize) -> Result<usize, LuaError> {
        if !self.f.get(self.i).is_some_and(|c| c.is_ascii_digit()) {
            return Ok(df);
        }
        let mut a: usize = 0;
        while let Some(&c) = self.f.get(self.i).filter(|c| c.is_ascii_digit()) {
            let d = (c - b'0') as usize;
            if a > (i32::MAX as usize) / 10 || a * 10 > (i32::MAX as usize) - d {
                return Err(vm.error_str("integral size overflow"));
            }
            a = a * 10 + d;
            self.i += 1;
        }
        Ok(a)
    }

    /// struct's `optsize`: the byte size of option `opt` (0 for the others).
    fn optsize(&mut self, vm: &mut Vm, opt: u8) -> Result<usize, LuaError> {
        Ok(match opt {
            b'B' | b'b' | b'x' => 1,
            b'H' | b'h' => 2,
            b'L' | b'l' | b'T' | b'd' => 8,
            b'f' => 4,
            b'c' => self.getnum(vm, 1)?,
            b'i' | b'I' => {
                let sz = self.getnum(vm, 4)?;
                if sz > MAXINTSIZE {
                    return Err(vm.error_str(&format!(
                        "integral size {} is larger than limit of {}",
                        sz, MAXINTSIZE
                    )));
                }
                sz
            }
            _ => 0,
        })
    }

    /// struct's `controloptions`: space, endianness, alignment, or an error.
    fn control(&mut self, vm: &mut Vm, opt: u8, h: &mut Header) -> Result<(), LuaError> {
        match opt {
            b' ' => {}
            b'>' => h.big = true,
            b'<' => h.big = false,
            b'!' => {
                let a = self.getnum(vm, MAXALIGN)?;
                if a == 0 || a & (a - 1) != 0 {
                    return Err(vm.error_str(&format!("alignment {} is not a power of 2", a)));
                }
                h.align = a;
            }
            _ => {
                let msg = format!("invalid format option '{}'", opt as char);
                return Err(vm.arg_error(1, &msg));
            }
        }
        Ok(())
    }
}

/// Padding needed before an item of `size` bytes at offset `len`.
fn gettoalign(len: usize, h: &Header, opt: u8, size: usize) -> usize {
    if size == 0 || opt == b'c' {
        return 0;
    }
    let size = size.min(h.align);
    (size - (len & (size - 1))) & (size - 1)
}

fn is_int_opt(opt: u8) -> bool {
    matches!(
        opt,
        b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I'
    )
}

fn put_bytes(bytes: &[u8], big: bool, out: &mut Vec<u8>) {
    if big {
        out.extend(bytes.iter().rev());
    } else {
        out.extend_from_slice(bytes);
    }
}

/// struct's `pack` pushes a nil after its arguments, so a missing argument
/// is reported as "got nil" rather than "got no value".
fn missing(vm: &mut Vm, arg: usize, expected: &str) -> Result<(), LuaError> {
    if arg > vm.arg_count() {
        let msg = format!("{} expected, got nil", expected);
        return Err(vm.arg_error(arg, &msg));
    }
    Ok(())
}

fn s_pack(vm: &mut Vm) -> Result<usize, LuaError> {
    let fmt = vm.check_bytes(1)?;
    let mut f = Fmt { f: &fmt, i: 0 };
    let mut h = Header {
        big: false,
        align: 1,
    };
    let mut arg = 2;
    let mut out: Vec<u8> = Vec::new();
    while f.i < fmt.len() {
        let opt = fmt[f.i];
        f.i += 1;
        let mut size = f.optsize(vm, opt)?;
        let pad = gettoalign(out.len(), &h, opt, size);
        out.resize(out.len() + pad, 0);
        match opt {
            _ if is_int_opt(opt) => {
                missing(vm, arg, "number")?;
                let n = vm.check_number(arg)?;
                arg += 1;
                let v: u64 = if n < 0.0 { n as i64 as u64 } else { n as u64 };
                // little-endian bytes of the 64-bit value, zeros past 8 bytes
                let mut b = [0u8; MAXINTSIZE];
                b[..8].copy_from_slice(&v.to_le_bytes());
                put_bytes(&b[..size], h.big, &mut out);
            }
            b'x' => out.push(0),
            b'f' => {
                missing(vm, arg, "number")?;
                let n = vm.check_number(arg)? as f32;
                arg += 1;
                put_bytes(&n.to_le_bytes(), h.big, &mut out);
            }
            b'd' => {
                missing(vm, arg, "number")?;
                let n = vm.check_number(arg)?;
                arg += 1;
                put_bytes(&n.to_le_bytes(), h.big, &mut out);
            }
            b'c' | b's' => {
                missing(vm, arg, "string")?;
                let s = vm.check_bytes(arg)?;
                arg += 1;
                if size == 0 {
                    size = s.len();
                }
                if s.len() < size {
                    // struct reports the argument after the string
                    return Err(vm.arg_error(arg, "string too short"));
                }
                out.extend_from_slice(&s[..size]);
                if opt == b's' {
                    out.push(0);
                }
            }
            _ => f.control(vm, opt, &mut h)?,
        }
    }
    let s = vm.new_str(&out);
    vm.push(s);
    Ok(1)
}

fn get_integer(b: &[u8], big: bool, signed: bool) -> f64 {
    let mut l: u64 = 0;
    let mut push = |byte: u8| l = (l << 8) | byte as u64;
    if big {
        b.iter().for_each(|&x| push(x));
    } else {
        b.iter().rev().for_each(|&x| push(x));
    }
    if !signed {
        return l as f64;
    }
    // the sign bit, shifted as the C code does on x86 (count modulo 64)
    let mask = u64::MAX.wrapping_shl((b.len() * 8).wrapping_sub(1) as u32);
    if l & mask != 0 {
        l |= mask;
    }
    l as i64 as f64
}

fn s_unpack(vm: &mut Vm) -> Result<usize, LuaError> {
    let fmt = vm.check_bytes(1)?;
    let data = vm.check_bytes(2)?;
    let start = vm.opt_int(3, 1)?;
    if start <= 0 {
        return Err(vm.arg_error(3, "offset must be 1 or greater"));
    }
    let mut pos = (start - 1) as usize;
    let ld = data.len();
    let mut f = Fmt { f: &fmt, i: 0 };
    let mut h = Header {
        big: false,
        align: 1,
    };
    let mut results: Vec<Value> = Vec::new();
    while f.i < fmt.len() {
        let opt = fmt[f.i];
        f.i += 1;
        let mut size = f.optsize(vm, opt)?;
        pos += gettoalign(pos, &h, opt, size);
        if pos.checked_add(size).is_none_or(|e| e > ld) {
            return Err(vm.arg_error(2, "data string too short"));
        }
        match opt {
            _ if is_int_opt(opt) => {
                let signed = opt.is_ascii_lowercase();
                results.push(Value::Num(get_integer(
                    &data[pos..pos + size],
                    h.big,
                    signed,
                )));
            }
            b'x' => {}
            b'f' => {
                let mut b = [0u8; 4];
                b.copy_from_slice(&data[pos..pos + 4]);
                let v = if h.big {
                    f32::from_be_bytes(b)
                } else {
                    f32::from_le_bytes(b)
                };
                results.push(Value::Num(v as f64));
            }
            b'd' => {
                let mut b = [0u8; 8];
                b.copy_from_slice(&data[pos..pos + 8]);
                let v = if h.big {
                    f64::from_be_bytes(b)
                } else {
                    f64::from_le_bytes(b)
                };
                results.push(Value::Num(v));
            }
            b'c' => {
                if size == 0 {
                    let prev = results.last().and_then(|v| vm.to_number(*v));
                    let Some(n) = prev else {
                        return Err(vm.error_str("format 'c0' needs a previous size"));
                    };
                    results.pop();
                    size = if n > 0.0 { n as usize } else { 0 };
                    if pos.checked_add(size).is_none_or(|e| e > ld) {
                        return Err(vm.arg_error(2, "data string too short"));
                    }
                }
                let s = vm.new_str(&data[pos..pos + size]);
                results.push(s);
            }
            b's' => {
                let Some(z) = data[pos..].iter().position(|&b| b == 0) else {
                    return Err(vm.error_str("unfinished string in data"));
                };
                let s = vm.new_str(&data[pos..pos + z]);
                results.push(s);
                size = z + 1;
            }
            _ => f.control(vm, opt, &mut h)?,
        }
        pos += size;
    }
    let n = results.len();
    for v in results {
        vm.push(v);
    }
    vm.push(Value::Num((pos + 1) as f64));
    Ok(n + 1)
}

fn s_size(vm: &mut Vm) -> Result<usize, LuaError> {
    let fmt = vm.check_bytes(1)?;
    let mut f = Fmt { f: &fmt, i: 0 };
    let mut h = Header {
        big: false,
        align: 1,
    };
    let mut pos = 0usize;
    while f.i < fmt.len() {
        let opt = fmt[f.i];
        f.i += 1;
        let size = f.optsize(vm, opt)?;
        pos += gettoalign(pos, &h, opt, size);
        if opt == b's' {
            return Err(vm.arg_error(1, "option 's' has no fixed size"));
        } else if opt == b'c' && size == 0 {
            return Err(vm.arg_error(1, "option 'c0' has no fixed size"));
        }
        // letters struct does not know are skipped here (not an error)
        if !opt.is_ascii_alphanumeric() {
            f.control(vm, opt, &mut h)?;
        }
        pos += size;
    }
    vm.push(Value::Num(pos as f64));
    Ok(1)
}

const FUNCS: &[(&str, NativeFn)] = &[("pack", s_pack), ("unpack", s_unpack), ("size", s_size)];

/// Registers the global table `struct`.
pub fn open(vm: &mut Vm) {
    vm.register_lib("struct", FUNCS);
}
