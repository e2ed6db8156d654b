//! Binary chunks: `string.dump` and the loader for what it writes.
//!
//! The format is this project's own (it is not luac's), but it starts with
//! 5.1's escape byte signature `"\27Lua"` so loaders recognise a binary chunk
//! the way 5.1 does. Layout, all integers little-endian `u32`:
//!
//! ```text
//! header   "\27Lua" 0x51 'F' 0x01        (signature, 5.1, Ferrous format 1)
//! source   len + bytes                    (the main function's chunk name)
//! function line_defined last_line_defined
//!          num_upvalues num_params is_vararg max_stack   (one byte each)
//!          code:       n, n x u32
//!          constants:  n, then per constant a tag byte
//!                      0 nil | 1 bool + byte | 3 number (f64 bits, u64) | 4 len + bytes
//!          protos:     n, n x function (nested functions share the source)
//!          line_info:  n, n x u32
//!          loc_vars:   n, n x (len + name, start_pc, end_pc)
//!          upvalues:   n, n x (len + name)
//! ```
//!
//! Accepting binary chunks is a loader option ([`crate::lua::Vm`]'s
//! `allow_binary_chunks`, set by the command-line interpreter only): the
//! server refuses them as Redis does. Because the VM trusts its bytecode,
//! [`undump`] checks every instruction's operands against the function's
//! sizes (registers, constants, nested protos, upvalues, jump targets) and
//! refuses a chunk that does not pass ("bad code in precompiled chunk"), so
//! a corrupted chunk is an error, never a panic.

use super::func::LProto;
use super::opcode::{get_a, get_b, get_bx, get_c, get_op, OpCode, BITRK, MAXARG_SBX, NUM_OPCODES};
use super::proto::{Constant, LocVar, Proto};
use super::state::{LuaError, Vm};
use super::value::{Type, Value};
use crate::lua::func::Function;

/// The first bytes of every binary chunk (5.1's `LUA_SIGNATURE`).
pub const SIGNATURE: &[u8] = b"\x1bLua";
/// The whole header this module writes and accepts.
const HEADER: &[u8] = b"\x1bLua\x51F\x01";

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_u32(out, b.len() as u32);
    out.extend_from_slice(b);
}

fn dump_function(vm: &Vm, p: &LProto, out: &mut Vec<u8>) {
    put_u32(out, p.line_defined);
    put_u32(out, p.last_line_defined);
    out.extend_from_slice(&[p.num_upvalues, p.num_params, p.is_vararg, p.max_stack]);
    put_u32(out, p.code.len() as u32);
    for &i in &p.code {
        put_u32(out, i);
    }
    put_u32(out, p.k.len() as u32);
    for k in &p.k {
        match *k {
            Value::Bool(b) => out.extend_from_slice(&[1, b as u8]),
            Value::Num(n) => {
                out.push(3);
                out.extend_from_slice(&n.to_bits().to_le_bytes());
            }
            Value::Str(s) => {
                out.push(4);
                put_bytes(out, vm.str_bytes(s));
            }
            _ => out.push(0),
        }
    }
    put_u32(out, p.protos.len() as u32);
    for q in &p.protos {
        dump_function(vm, q, out);
    }
    put_u32(out, p.line_info.len() as u32);
    for &l in &p.line_info {
        put_u32(out, l);
    }
    put_u32(out, p.loc_vars.len() as u32);
    for v in &p.loc_vars {
        put_bytes(out, &v.name);
        put_u32(out, v.start_pc);
        put_u32(out, v.end_pc);
    }
    put_u32(out, p.upvalue_names.len() as u32);
    for n in &p.upvalue_names {
        put_bytes(out, n);
    }
}

/// Serialises a Lua function's prototype (with its nested functions).
pub fn dump(vm: &Vm, p: &LProto) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + p.code.len() * 4);
    out.extend_from_slice(HEADER);
    put_bytes(&mut out, &p.source);
    dump_function(vm, p, &mut out);
    out
}

/// Why a binary chunk was refused (the text goes into 5.1's message
/// `binary string: <why> in precompiled chunk`).
#[derive(Debug, PartialEq, Eq)]
pub enum UndumpError {
    BadHeader,
    Truncated,
    BadCode,
}

impl UndumpError {
    fn why(&self) -> &'static str {
        match self {
            UndumpError::BadHeader => "bad header",
            UndumpError::Truncated => "unexpected end",
            UndumpError::BadCode => "bad code",
        }
    }

    /// The full 5.1-style message for a chunk named `chunkname`.
    pub fn message(&self, chunkname: &[u8]) -> String {
        let name = match chunkname.first() {
            Some(b'@') | Some(b'=') => String::from_utf8_lossy(&chunkname[1..]).into_owned(),
            Some(0x1b) => "binary string".to_string(),
            _ => String::from_utf8_lossy(chunkname).into_owned(),
        };
        format!("{}: {} in precompiled chunk", name, self.why())
    }
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], UndumpError> {
        let end = self.pos.checked_add(n).ok_or(UndumpError::Truncated)?;
        let s = self.data.get(self.pos..end).ok_or(UndumpError::Truncated)?;
        self.pos = end;
        Ok(s)
    }
    fn byte(&mut self) -> Result<u8, UndumpError> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, UndumpError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    /// A count, bounded by the bytes left (each element takes at least `min` bytes).
    fn count(&mut self, min: usize) -> Result<usize, UndumpError> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min) > self.data.len() - self.pos {
            return Err(UndumpError::Truncated);
        }
        Ok(n)
    }
    fn bytes(&mut self) -> Result<Vec<u8>, UndumpError> {
        let n = self.count(1)?;
        Ok(self.take(n)?.to_vec())
    }
}

fn undump_function(r: &mut Reader, depth: u32) -> Result<Proto, UndumpError> {
    if depth > 200 {
        return Err(UndumpError::BadCode);
    }
    let mut p = Proto {
        line_defined: r.u32()?,
        last_line_defined: r.u32()?,
        ..Proto::default()
    };
    let sizes = r.take(4)?;
    p.num_upvalues = sizes[0];
    p.num_params = sizes[1];
    p.is_vararg = sizes[2];
    p.max_stack_size = sizes[3];
    let n = r.count(4)?;
    for _ in 0..n {
        p.code.push(r.u32()?);
    }
    let n = r.count(1)?;
    for _ in 0..n {
        let k = match r.byte()? {
            0 => Constant::Nil,
            1 => Constant::Bool(r.byte()? != 0),
            3 => {
                let b = r.take(8)?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                Constant::Number(f64::from_bits(u64::from_le_bytes(a)))
            }
            4 => Constant::Str(r.bytes()?),
            _ => return Err(UndumpError::BadCode),
        };
        p.constants.push(k);
    }
    let n = r.count(4)?;
    for _ in 0..n {
        p.protos.push(undump_function(r, depth + 1)?);
    }
    let n = r.count(4)?;
    for _ in 0..n {
        p.line_info.push(r.u32()?);
    }
    let n = r.count(12)?;
    for _ in 0..n {
        let name = r.bytes()?;
        let start_pc = r.u32()?;
        let end_pc = r.u32()?;
        p.loc_vars.push(LocVar {
            name,
            start_pc,
            end_pc,
        });
    }
    let n = r.count(4)?;
    for _ in 0..n {
        p.upvalue_names.push(r.bytes()?);
    }
    check_code(&p)?;
    Ok(p)
}

/// The operand checks that make a loaded proto safe for the VM.
fn check_code(p: &Proto) -> Result<(), UndumpError> {
    let bad = Err(UndumpError::BadCode);
    let n = p.code.len();
    if n == 0
        || p.line_info.len() != n
        || p.max_stack_size < 2
        || p.num_params as usize > p.max_stack_size as usize
        || get_op(p.code[n - 1]) != OpCode::Return as u8
    {
        return bad;
    }
    let stack = p.max_stack_size as u32;
    let nk = p.constants.len() as u32;
    let reg = |x: u32| x < stack;
    let rk = |x: u32| {
        if x & BITRK != 0 {
            (x & !BITRK) < nk
        } else {
            x < stack
        }
    };
    // The word after a SETLIST with C = 0 is its block number, not an
    // instruction: it is skipped, and no jump may land on it.
    let is_data = |pc: usize| {
        pc > 0 && {
            let prev = p.code[pc - 1];
            get_op(prev) == OpCode::SetList as u8 && get_c(prev) == 0
        }
    };
    let jump_ok = |pc: usize, sbx: i64| {
        let dest = pc as i64 + 1 + sbx;
        dest >= 0 && (dest as usize) < n && !is_data(dest as usize)
    };
    let mut pc = 0;
    while pc < n {
        let i = p.code[pc];
        let op = get_op(i);
        if op as usize >= NUM_OPCODES {
            return bad;
        }
        let (a, b, c, bx) = (get_a(i), get_b(i), get_c(i), get_bx(i));
        let sbx = bx as i64 - MAXARG_SBX as i64;
        let ok = match OpCode::of(i) {
            None => false,
            Some(o) => match o {
                OpCode::Move | OpCode::Unm | OpCode::Not | OpCode::Len => reg(a) && reg(b),
                OpCode::LoadK | OpCode::GetGlobal | OpCode::SetGlobal => reg(a) && bx < nk,
                OpCode::LoadBool => reg(a) && (c == 0 || pc + 2 < n),
                OpCode::LoadNil => reg(a) && reg(b),
                OpCode::GetUpval | OpCode::SetUpval => reg(a) && b < p.num_upvalues as u32,
                OpCode::GetTable => reg(a) && reg(b) && rk(c),
                OpCode::SetTable => reg(a) && rk(b) && rk(c),
                OpCode::NewTable => reg(a),
                OpCode::OpSelf => a + 1 < stack && reg(b) && rk(c),
                OpCode::Add
                | OpCode::Sub
                | OpCode::Mul
                | OpCode::Div
                | OpCode::Mod
                | OpCode::Pow => reg(a) && rk(b) && rk(c),
                OpCode::Concat => reg(a) && b < c && reg(c),
                OpCode::Jmp => jump_ok(pc, sbx),
                OpCode::Eq | OpCode::Lt | OpCode::Le => rk(b) && rk(c) && pc + 1 < n,
                OpCode::Test => reg(a) && pc + 1 < n,
                OpCode::TestSet => reg(a) && reg(b) && pc + 1 < n,
                OpCode::Call | OpCode::TailCall => {
                    reg(a) && (b == 0 || a + b <= stack) && (c < 2 || a + c - 1 <= stack)
                }
                OpCode::Return => reg(a) || b <= 1,
                OpCode::ForLoop | OpCode::ForPrep => a + 3 < stack && jump_ok(pc, sbx),
                OpCode::TForLoop => a + 2 + c < stack && c >= 1 && pc + 1 < n,
                OpCode::SetList => reg(a) && (b == 0 || a + b < stack) && (c != 0 || pc + 1 < n),
                OpCode::Close => reg(a),
                OpCode::Closure => {
                    let ok = reg(a) && (bx as usize) < p.protos.len();
                    // The upvalue pseudo-instructions that follow.
                    ok && {
                        let nup = p.protos[bx as usize].num_upvalues as usize;
                        pc + nup < n
                            && p.code[pc + 1..=pc + nup]
                                .iter()
                                .all(|&u| match OpCode::of(u) {
                                    Some(OpCode::Move) => reg(get_b(u)),
                                    Some(OpCode::GetUpval) => get_b(u) < p.num_upvalues as u32,
                                    _ => false,
                                })
                    }
                }
                OpCode::VarArg => reg(a) && (b < 2 || a + b - 1 <= stack),
            },
        };
        if !ok {
            return bad;
        }
        pc += if op == OpCode::SetList as u8 && c == 0 {
            2
        } else {
            1
        };
    }
    Ok(())
}

/// Reads a binary chunk written by [`dump`] back into a [`Proto`].
pub fn undump(data: &[u8]) -> Result<Proto, UndumpError> {
    let mut r = Reader { data, pos: 0 };
    if r.take(HEADER.len()).map_err(|_| UndumpError::BadHeader)? != HEADER {
        return Err(UndumpError::BadHeader);
    }
    let source = r.bytes()?;
    let mut p = undump_function(&mut r, 0)?;
    p.source = std::sync::Arc::from(source);
    Ok(p)
}

/// `string.dump(f)`: the binary chunk of a Lua function.
pub fn str_dump(vm: &mut Vm) -> Result<usize, LuaError> {
    let f = vm.check_type(1, Type::Function)?;
    let Value::Func(fr) = f else {
        return Err(vm.type_error(1, "function"));
    };
    let bytes = match vm.heap.funcs.get(fr) {
        Function::Lua(c) => {
            let p = c.proto.clone();
            dump(vm, &p)
        }
        Function::Native(_) => return Err(vm.error_str("unable to dump given function")),
    };
    let s = vm.new_str(&bytes);
    vm.push(s);
    Ok(1)
}

/// Adds `dump` to the `string` table (creating it when the string library
/// is not open yet).
pub fn open(vm: &mut Vm) {
    vm.register_lib("string", &[("dump", str_dump)]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rejections() {
        let mut vm = Vm::new();
        vm.allow_binary_chunks = true;
        let r = vm
            .eval(
                "local function f(a, ...) local t = {a, ...} return #t, 'x' .. a, 1.5, true end \
                 local g = loadstring(string.dump(f)) \
                 local n, s, x, b = g(7, 8, 9) \
                 return n, s, x, b",
            )
            .unwrap_or_default();
        let s = vm.new_str(b"x7");
        assert_eq!(
            r,
            vec![Value::Num(3.0), s, Value::Num(1.5), Value::Bool(true)]
        );
        assert_eq!(undump(b"\x1bLu"), Err(UndumpError::BadHeader));
        let f = vm.load(b"return 1", "=t").unwrap_or_default();
        let Value::Func(fr) = f else {
            panic!("not a function")
        };
        let Function::Lua(c) = vm.heap.funcs.get(fr) else {
            panic!("not Lua")
        };
        let p = c.proto.clone();
        let bin = dump(&vm, &p);
        for cut in 0..bin.len() {
            assert!(undump(&bin[..cut]).is_err());
        }
        // Flip every byte of the code: errors or loads, never panics.
        for i in HEADER.len()..bin.len() {
            let mut b = bin.clone();
            b[i] ^= 0xff;
            let _ = undump(&b);
        }
        assert_eq!(
            UndumpError::Truncated.message(b"\x1bLua"),
            "binary string: unexpected end in precompiled chunk"
        );
    }
}
