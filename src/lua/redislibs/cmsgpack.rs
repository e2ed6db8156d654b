//! The `cmsgpack` library Redis gives scripts (lua-cmsgpack 0.4.0):
//! `pack(...)`, `unpack(s)`, `unpack_one(s [, offset])`,
//! `unpack_limit(s, limit [, offset])`.
//!
//! Packing rules, as lua-cmsgpack makes them:
//! - a number that is integral and fits an int64 is packed as the smallest
//!   integer form (positive/negative fixint, uint8..64, int8..64); any other
//!   number as a float32 when that is exact, else as a float64;
//! - a string as fixstr/str8/str16/str32;
//! - a table whose keys are exactly 1..n is an array (fix/16/32), any other a
//!   map (fix/16/32); tables nested deeper than 16 levels, functions, userdata
//!   and threads are packed as nil.
//!
//! Unpacking accepts the same forms (no bin or ext types: "Bad data format in
//! input."); truncated input fails with "Missing bytes in input.".

use crate::lua::{LuaError, NativeFn, TableRef, Value, Vm};

/// Tables deeper than this are packed as nil.
const MAX_NESTING: u32 = 16;
/// Nesting at which unpacking fails with lua-cmsgpack's `luaL_checkstack`
/// error (Redis's Lua stack limit is reached near 4000 levels).
const UNPACK_DEPTH_CAP: u32 = 3999;

/// 2^63: the first double that does not fit an int64.
const TWO_63: f64 = 9_223_372_036_854_775_808.0;

/// lua-cmsgpack's `IS_INT64_EQUIVALENT`: finite, integral, fits an int64.
fn int_equivalent(n: f64) -> bool {
    n.is_finite() && (-TWO_63..TWO_63).contains(&n) && n.trunc() == n
}

fn encode_int(n: i64, out: &mut Vec<u8>) {
    if n >= 0 {
        let u = n as u64;
        if u <= 127 {
            out.push(u as u8);
        } else if u <= 0xff {
            out.extend_from_slice(&[0xcc, u as u8]);
        } else if u <= 0xffff {
            out.push(0xcd);
            out.extend_from_slice(&(u as u16).to_be_bytes());
        } else if u <= 0xffff_ffff {
            out.push(0xce);
            out.extend_from_slice(&(u as u32).to_be_bytes());
        } else {
            out.push(0xcf);
            out.extend_from_slice(&u.to_be_bytes());
        }
    } else if n >= -32 {
        out.push(n as i8 as u8);
    } else if n >= -128 {
        out.extend_from_slice(&[0xd0, n as i8 as u8]);
    } else if n >= -32768 {
        out.push(0xd1);
        out.extend_from_slice(&(n as i16).to_be_bytes());
    } else if n >= -2_147_483_648 {
        out.push(0xd2);
        out.extend_from_slice(&(n as i32).to_be_bytes());
    } else {
        out.push(0xd3);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

fn encode_number(n: f64, out: &mut Vec<u8>) {
    if int_equivalent(n) {
        encode_int(n as i64, out);
    } else {
        let f = n as f32;
        if f as f64 == n {
            out.push(0xca);
            out.extend_from_slice(&f.to_bits().to_be_bytes());
        } else {
            out.push(0xcb);
            out.extend_from_slice(&n.to_bits().to_be_bytes());
        }
    }
}

/// A length header: the fix form (`fix` | len) below `fix_max`, else the
/// 8-bit (strings only), 16-bit or 32-bit form.
fn encode_len(
    len: usize,
    fix: u8,
    fix_max: usize,
    c8: Option<u8>,
    c16: u8,
    c32: u8,
    out: &mut Vec<u8>,
) {
    if len < fix_max {
        out.push(fix | len as u8);
    } else if let (Some(c), true) = (c8, len <= 0xff) {
        out.extend_from_slice(&[c, len as u8]);
    } else if len <= 0xffff {
        out.push(c16);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(c32);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    }
}

/// lua-cmsgpack's `table_is_an_array`: every key an integer >= 1 and the
/// number of keys equal to the largest.
fn is_array(vm: &Vm, t: TableRef) -> bool {
    let (mut count, mut max) = (0f64, 0f64);
    let mut k = Value::Nil;
    while let Ok(Some((key, _))) = vm.raw_next(t, k) {
        match key {
            Value::Num(n) if n > 0.0 && n.trunc() == n && n <= i32::MAX as f64 => {
                max = f64::max(max, n);
                count += 1.0;
            }
            _ => return false,
        }
        k = key;
    }
    max == count
}

fn encode_value(vm: &Vm, v: Value, level: u32, out: &mut Vec<u8>) {
    match v {
        Value::Bool(b) => out.push(if b { 0xc3 } else { 0xc2 }),
        Value::Num(n) => encode_number(n, out),
        Value::Str(s) => {
            let b = vm.str_bytes(s);
            encode_len(b.len(), 0xa0, 32, Some(0xd9), 0xda, 0xdb, out);
            out.extend_from_slice(b);
        }
        Value::Table(t) if level < MAX_NESTING => {
            if is_array(vm, t) {
                let len = vm.raw_len(t);
                encode_len(len, 0x90, 16, None, 0xdc, 0xdd, out);
                for i in 1..=len {
                    let item = vm.raw_get_int(t, i as i64);
                    encode_value(vm, item, level + 1, out);
                }
            } else {
                let mut n = 0usize;
                let mut k = Value::Nil;
                while let Ok(Some((key, _))) = vm.raw_next(t, k) {
                    n += 1;
                    k = key;
                }
                encode_len(n, 0x80, 16, None, 0xde, 0xdf, out);
                let mut k = Value::Nil;
                while let Ok(Some((key, val))) = vm.raw_next(t, k) {
                    encode_value(vm, key, level + 1, out);
                    encode_value(vm, val, level + 1, out);
                    k = key;
                }
            }
        }
        _ => out.push(0xc0),
    }
}

fn pack(vm: &mut Vm) -> Result<usize, LuaError> {
    let n = vm.arg_count();
    if n == 0 {
        return Err(vm.arg_error(0, "MessagePack pack needs input."));
    }
    let mut out = Vec::with_capacity(32);
    for i in 1..=n {
        encode_value(vm, vm.arg(i), 0, &mut out);
    }
    let s = vm.new_str(&out);
    vm.push(s);
    Ok(1)
}

/// Why decoding stopped.
enum DecErr {
    Eof,
    BadFormat,
    Lua(LuaError),
}

/// What one type byte (and its length field) announces.
enum Item {
    Val(Value),
    Arr(usize),
    Map(usize),
}

/// An array or map being filled.
struct Frame {
    t: TableRef,
    len: usize,
    done: usize,
    map: bool,
    /// A map key waiting for its value.
    key: Option<Value>,
}

struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecErr> {
        if self.data.len() - self.pos < n {
            return Err(DecErr::Eof);
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn be(&mut self, n: usize) -> Result<u64, DecErr> {
        Ok(self.take(n)?.iter().fold(0u64, |a, &b| (a << 8) | b as u64))
    }

    fn string(&mut self, vm: &mut Vm, len: usize) -> Result<Value, DecErr> {
        let b = self.take(len)?;
        Ok(vm.new_str(b))
    }

    /// One value, or the header of an array or map (its items follow).
    fn item(&mut self, vm: &mut Vm) -> Result<Item, DecErr> {
        let c = self.take(1)?[0];
        Ok(Item::Val(match c {
            0x00..=0x7f => Value::Num(c as f64),
            0xe0..=0xff => Value::Num(c as i8 as f64),
            0xcc => Value::Num(self.be(1)? as f64),
            0xcd => Value::Num(self.be(2)? as f64),
            0xce => Value::Num(self.be(4)? as f64),
            0xcf => Value::Num(self.be(8)? as f64),
            0xd0 => Value::Num(self.be(1)? as u8 as i8 as f64),
            0xd1 => Value::Num(self.be(2)? as u16 as i16 as f64),
            0xd2 => Value::Num(self.be(4)? as u32 as i32 as f64),
            0xd3 => Value::Num(self.be(8)? as i64 as f64),
            0xc0 => Value::Nil,
            0xc2 => Value::Bool(false),
            0xc3 => Value::Bool(true),
            0xca => Value::Num(f32::from_bits(self.be(4)? as u32) as f64),
            0xcb => Value::Num(f64::from_bits(self.be(8)?)),
            0xa0..=0xbf => self.string(vm, (c & 0x1f) as usize)?,
            0xd9 => {
                let n = self.be(1)? as usize;
                self.string(vm, n)?
            }
            0xda => {
                let n = self.be(2)? as usize;
                self.string(vm, n)?
            }
            0xdb => {
                let n = self.be(4)? as usize;
                self.string(vm, n)?
            }
            0x90..=0x9f => return Ok(Item::Arr((c & 0x0f) as usize)),
            0xdc => return Ok(Item::Arr(self.be(2)? as usize)),
            0xdd => return Ok(Item::Arr(self.be(4)? as usize)),
            0x80..=0x8f => return Ok(Item::Map((c & 0x0f) as usize)),
            0xde => return Ok(Item::Map(self.be(2)? as usize)),
            0xdf => return Ok(Item::Map(self.be(4)? as usize)),
            _ => return Err(DecErr::BadFormat),
        }))
    }

    /// Decodes one complete value. Containers are filled from an explicit
    /// stack of open frames, so deep nesting never recurses in Rust.
    fn value(&mut self, vm: &mut Vm) -> Result<Value, DecErr> {
        let mut open: Vec<Frame> = Vec::new();
        loop {
            let mut v = match self.item(vm)? {
                Item::Val(v) => v,
                Item::Arr(n) | Item::Map(n) if n == 0 => Value::Table(vm.new_table()),
                it => {
                    let (n, map) = match it {
                        Item::Map(n) => (n, true),
                        Item::Arr(n) => (n, false),
                        Item::Val(_) => (0, false),
                    };
                    if open.len() as u32 >= UNPACK_DEPTH_CAP {
                        let f = if map { "hash" } else { "array" };
                        let msg = format!("stack overflow (in function mp_decode_to_lua_{})", f);
                        return Err(DecErr::Lua(vm.error_str(&msg)));
                    }
                    let room = self.data.len() - self.pos;
                    let t = if map {
                        vm.new_table_sized(0, n.min(room))
                    } else {
                        vm.new_table_sized(n.min(room), 0)
                    };
                    open.push(Frame {
                        t,
                        len: n,
                        done: 0,
                        map,
                        key: None,
                    });
                    continue;
                }
            };
            // attach `v` to the innermost open container, closing full ones
            loop {
                let Some(top) = open.last_mut() else {
                    return Ok(v);
                };
                if top.map {
                    match top.key.take() {
                        None => {
                            top.key = Some(v);
                            break;
                        }
                        Some(k) => {
                            let t = top.t;
                            top.done += 1;
                            vm.raw_set(t, k, v).map_err(DecErr::Lua)?;
                        }
                    }
                } else {
                    top.done += 1;
                    vm.raw_set_int(top.t, top.done as i64, v);
                }
                let top = &open[open.len() - 1];
                if top.done < top.len {
                    break;
                }
                v = Value::Table(top.t);
                open.pop();
            }
        }
    }
}

/// lua-cmsgpack's `mp_unpack_full`: decodes up to `limit` values (all when
/// both `limit` and `offset` are 0) from byte `offset`; unless decoding all,
/// the next offset (-1 at the end of the data) comes first in the results.
fn unpack_full(vm: &mut Vm, limit: i64, offset: i64) -> Result<usize, LuaError> {
    let data = vm.check_bytes(1)?;
    let len = data.len() as i64;
    let decode_all = limit == 0 && offset == 0;
    if offset < 0 || limit < 0 {
        return Err(vm.error_str(&format!(
            "Invalid request to unpack with offset of {} and limit of {}.",
            offset, len
        )));
    } else if offset > len {
        return Err(vm.error_str(&format!(
            "Start offset {} greater than input length {}.",
            offset, len
        )));
    }
    let limit = if decode_all { i64::MAX } else { limit };
    let mut cur = Cursor {
        data: &data,
        pos: offset as usize,
    };
    let mut vals = Vec::new();
    while cur.pos < data.len() && (vals.len() as i64) < limit {
        match cur.value(vm) {
            Ok(v) => vals.push(v),
            Err(DecErr::Eof) => return Err(vm.error_str("Missing bytes in input.")),
            Err(DecErr::BadFormat) => return Err(vm.error_str("Bad data format in input.")),
            Err(DecErr::Lua(e)) => return Err(e),
        }
    }
    let mut n = vals.len();
    if !decode_all {
        let next = if cur.pos == data.len() {
            -1.0
        } else {
            cur.pos as f64
        };
        vm.push(Value::Num(next));
        n += 1;
    }
    for v in vals {
        vm.push(v);
    }
    Ok(n)
}

fn unpack(vm: &mut Vm) -> Result<usize, LuaError> {
    unpack_full(vm, 0, 0)
}

fn unpack_one(vm: &mut Vm) -> Result<usize, LuaError> {
    let offset = vm.opt_int(2, 0)?;
    unpack_full(vm, 1, offset)
}

fn unpack_limit(vm: &mut Vm) -> Result<usize, LuaError> {
    let limit = vm.check_int(2)?;
    let offset = vm.opt_int(3, 0)?;
    unpack_full(vm, limit, offset)
}

const FUNCS: &[(&str, NativeFn)] = &[
    ("pack", pack),
    ("unpack", unpack),
    ("unpack_one", unpack_one),
    ("unpack_limit", unpack_limit),
];

/// Registers the global table `cmsgpack`.
pub fn open(vm: &mut Vm) {
    let t = vm.register_lib("cmsgpack", FUNCS);
    for (k, v) in [
        ("_NAME", "cmsgpack"),
        ("_VERSION", "lua-cmsgpack 0.4.0"),
        ("_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo"),
        ("_DESCRIPTION", "MessagePack C implementation for Lua"),
    ] {
        let s = vm.new_str(v.as_bytes());
        vm.raw_set_str(t, k, s);
    }
}
