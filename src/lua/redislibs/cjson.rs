//! The `cjson` library Redis gives scripts (lua-cjson 2.1.0 as Redis 7.0
//! ships it): `encode`, `decode`, `null`, `new` and the configuration
//! functions `encode_sparse_array encode_max_depth decode_max_depth
//! encode_number_precision encode_keep_buffer encode_invalid_numbers
//! decode_invalid_numbers`.
//!
//! Invariants:
//! - every function of one module table shares one configuration table (its
//!   native upvalue 0), whose array slots hold the settings (see [`Cfg`]);
//!   `cjson.new()` makes a module with a fresh configuration;
//! - `encode` writes into one output buffer and never allocates per byte;
//! - error messages and the reported character positions are lua-cjson's,
//!   checked against redis-server 7.0 (see the tests).
//!
//! The decoder lives in [`super::cjson_decode`].

use crate::lua::numfmt::{fmt_float, fmt_number};
use crate::lua::{LuaError, NativeFn, TableRef, Value, Vm};

/// Hard nesting caps, whatever the configured maximum: lua-cjson stops when
/// `lua_checkstack` fails, which on Redis happens at 7998 levels when encoding
/// and 7999 when decoding. Both directions here walk nesting with explicit
/// stacks (no Rust recursion) and stop at the same depths.
const ENCODE_DEPTH_CAP: i64 = 7997;
pub(crate) const DECODE_DEPTH_CAP: i64 = 7998;

/// Slots of the configuration table.
const C_SPARSE_CONVERT: i64 = 1;
const C_SPARSE_RATIO: i64 = 2;
const C_SPARSE_SAFE: i64 = 3;
const C_ENC_DEPTH: i64 = 4;
const C_DEC_DEPTH: i64 = 5;
const C_PRECISION: i64 = 6;
const C_KEEP_BUFFER: i64 = 7;
const C_ENC_INVALID: i64 = 8;
const C_DEC_INVALID: i64 = 9;

/// Defaults, in slot order.
const DEFAULTS: [f64; 9] = [0.0, 2.0, 10.0, 1000.0, 1000.0, 14.0, 1.0, 0.0, 1.0];

/// A snapshot of the settings an encode or decode uses.
#[derive(Clone, Copy)]
pub(crate) struct Cfg {
    sparse_convert: bool,
    sparse_ratio: i64,
    sparse_safe: i64,
    enc_depth: i64,
    pub(crate) dec_depth: i64,
    precision: usize,
    /// 0: error, 1: write `inf`/`nan`, 2: write `null`.
    enc_invalid: i64,
    pub(crate) dec_invalid: bool,
}

fn cfg_table(vm: &Vm) -> Option<TableRef> {
    match vm.upvalue(0) {
        Value::Table(t) => Some(t),
        _ => None,
    }
}

fn cfg_get(vm: &Vm, slot: i64) -> f64 {
    let v = cfg_table(vm).map(|t| vm.raw_get_int(t, slot));
    match v {
        Some(Value::Num(n)) => n,
        _ => DEFAULTS[(slot - 1) as usize],
    }
}

fn cfg_set(vm: &mut Vm, slot: i64, n: f64) {
    if let Some(t) = cfg_table(vm) {
        vm.raw_set_int(t, slot, Value::Num(n));
    }
}

pub(crate) fn load_cfg(vm: &Vm) -> Cfg {
    Cfg {
        sparse_convert: cfg_get(vm, C_SPARSE_CONVERT) != 0.0,
        sparse_ratio: cfg_get(vm, C_SPARSE_RATIO) as i64,
        sparse_safe: cfg_get(vm, C_SPARSE_SAFE) as i64,
        enc_depth: cfg_get(vm, C_ENC_DEPTH) as i64,
        dec_depth: cfg_get(vm, C_DEC_DEPTH) as i64,
        precision: cfg_get(vm, C_PRECISION) as usize,
        enc_invalid: cfg_get(vm, C_ENC_INVALID) as i64,
        dec_invalid: cfg_get(vm, C_DEC_INVALID) != 0.0,
    }
}

// ----- configuration functions ---------------------------------------------

/// lua-cjson's `json_arg_init`: at most `n` arguments.
fn arg_init(vm: &mut Vm, n: usize) -> Result<(), LuaError> {
    if vm.arg_count() > n {
        return Err(vm.arg_error(n + 1, "found too many arguments"));
    }
    Ok(())
}

/// An integer setting in `min..=max`; returns the current value.
fn integer_option(
    vm: &mut Vm,
    idx: usize,
    slot: i64,
    min: i64,
    max: i64,
) -> Result<Value, LuaError> {
    if !vm.arg(idx).is_nil() {
        let v = vm.check_int(idx)?;
        if v < min || v > max {
            let msg = format!("expected integer between {} and {}", min, max);
            return Err(vm.arg_error(1, &msg));
        }
        cfg_set(vm, slot, v as f64);
    }
    Ok(Value::Num(cfg_get(vm, slot)))
}

/// An enumerated setting (`options`, booleans meaning 0/1); returns the
/// current value as a boolean when it is 0 or 1, else as its option name.
fn enum_option(vm: &mut Vm, idx: usize, slot: i64, options: &[&str]) -> Result<Value, LuaError> {
    let a = vm.arg(idx);
    if let Value::Bool(b) = a {
        cfg_set(vm, slot, if b { 1.0 } else { 0.0 });
    } else if !a.is_nil() {
        let s = vm.check_str(idx)?;
        let bytes = vm.str_bytes(s);
        match options.iter().position(|o| o.as_bytes() == bytes) {
            Some(i) => cfg_set(vm, slot, i as f64),
            None => {
                let msg = format!("invalid option '{}'", String::from_utf8_lossy(bytes));
                return Err(vm.arg_error(idx, &msg));
            }
        }
    }
    let cur = cfg_get(vm, slot) as usize;
    let v = if cur <= 1 {
        Value::Bool(cur == 1)
    } else {
        vm.new_str(options[cur].as_bytes())
    };
    Ok(v)
}

const ON_OFF: &[&str] = &["off", "on"];

fn encode_sparse_array(vm: &mut Vm) -> Result<usize, LuaError> {
    arg_init(vm, 3)?;
    // all arguments are read before any result is pushed
    let a = enum_option(vm, 1, C_SPARSE_CONVERT, ON_OFF)?;
    let b = integer_option(vm, 2, C_SPARSE_RATIO, 0, i32::MAX as i64)?;
    let c = integer_option(vm, 3, C_SPARSE_SAFE, 0, i32::MAX as i64)?;
    for v in [a, b, c] {
        vm.push(v);
    }
    Ok(3)
}

fn encode_max_depth(vm: &mut Vm) -> Result<usize, LuaError> {
    arg_init(vm, 1)?;
    let v = integer_option(vm, 1, C_ENC_DEPTH, 1, i32::MAX as i64)?;
    vm.push(v);
    Ok(1)
}

fn decode_max_depth(vm: &mut Vm) -> Result<usize, LuaError> {
    arg_init(vm, 1)?;
    let v = integer_option(vm, 1, C_DEC_DEPTH, 1, i32::MAX as i64)?;
    vm.push(v);
    Ok(1)
}

fn encode_number_precision(vm: &mut Vm) -> Result<usize, LuaError> {
    arg_init(vm, 1)?;
    let v = integer_option(vm, 1, C_PRECISION, 1, 14)?;
    vm.push(v);
    Ok(1)
}

fn encode_keep_buffer(vm: &mut Vm) -> Result<usize, LuaError> {
    arg_init(vm, 1)?;
    let v = enum_option(vm, 1, C_KEEP_BUFFER, ON_OFF)?;
    vm.push(v);
    Ok(1)
}

fn encode_invalid_numbers(vm: &mut Vm) -> Result<usize, LuaError> {
    arg_init(vm, 1)?;
    let v = enum_option(vm, 1, C_ENC_INVALID, &["off", "on", "null"])?;
    vm.push(v);
    Ok(1)
}

fn decode_invalid_numbers(vm: &mut Vm) -> Result<usize, LuaError> {
    arg_init(vm, 1)?;
    let v = enum_option(vm, 1, C_DEC_INVALID, ON_OFF)?;
    vm.push(v);
    Ok(1)
}

// ----- encoding ----------------------------------------------------------------

/// Appends `s` as a JSON string: `"` `\` `/` and control bytes escaped as
/// lua-cjson does (`\/`, `\b \t \n \f \r`, other controls and DEL as `\u00xx`);
/// bytes >= 128 are copied as they are.
pub(crate) fn append_string(s: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(s.len() + 2);
    out.push(b'"');
    let mut start = 0;
    for (i, &c) in s.iter().enumerate() {
        let esc: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'/' => b"\\/",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            8 => b"\\b",
            12 => b"\\f",
            0..=31 | 127 => b"",
            _ => continue,
        };
        out.extend_from_slice(&s[start..i]);
        start = i + 1;
        if esc.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[(c >> 4) as usize]);
            out.push(HEX[(c & 15) as usize]);
        } else {
            out.extend_from_slice(esc);
        }
    }
    out.extend_from_slice(&s[start..]);
    out.push(b'"');
}

/// Why an encode failed: the message after `Cannot serialise `.
type EncResult = Result<(), String>;

fn append_number(cfg: &Cfg, n: f64, out: &mut Vec<u8>) -> EncResult {
    if !n.is_finite() {
        match cfg.enc_invalid {
            0 => return Err("number: must not be NaN or Inf".to_string()),
            1 => {
                let w: &[u8] = if n.is_nan() {
                    b"nan"
                } else if n < 0.0 {
                    b"-inf"
                } else {
                    b"inf"
                };
                out.extend_from_slice(w);
            }
            _ => out.extend_from_slice(b"null"),
        }
        return Ok(());
    }
    if cfg.precision == 14 {
        fmt_number(n, out);
    } else {
        if n.is_sign_negative() {
            out.push(b'-');
        }
        fmt_float(n, b'g', cfg.precision, false, out);
    }
    Ok(())
}

/// lua-cjson's `lua_array_length`: `Some(max)` when every key is an integer
/// >= 1 and the array is not excessively sparse, `None` for an object.
fn array_length(vm: &Vm, cfg: &Cfg, t: TableRef) -> Result<Option<i64>, String> {
    // `max` is a C int: a key past i32::MAX stores i32::MIN, as the x86
    // conversion does in lua-cjson (and the table is then an object)
    let (mut max, mut items) = (0i32, 0i64);
    let mut k = Value::Nil;
    while let Ok(Some((key, _))) = vm.raw_next(t, k) {
        match key {
            Value::Num(n) if n >= 1.0 && n.floor() == n => {
                if n > max as f64 {
                    max = if n < 2_147_483_648.0 {
                        n as i32
                    } else {
                        i32::MIN
                    };
                }
                items += 1;
            }
            _ => return Ok(None),
        }
        k = key;
    }
    let max = max as i64;
    if cfg.sparse_ratio > 0 && max > items * cfg.sparse_ratio && max > cfg.sparse_safe {
        if !cfg.sparse_convert {
            return Err("table: excessively sparse array".to_string());
        }
        return Ok(None);
    }
    Ok(Some(max))
}

/// A table being written: an array with its next index and length, or an
/// object with the key last written.
enum Frame {
    Arr { t: TableRef, i: i64, len: i64 },
    Obj { t: TableRef, k: Value, first: bool },
}

/// Writes a scalar, or opens a table (pushing its frame).
fn encode_start(
    vm: &Vm,
    cfg: &Cfg,
    v: Value,
    open: &mut Vec<Frame>,
    out: &mut Vec<u8>,
) -> EncResult {
    match v {
        Value::Str(s) => append_string(vm.str_bytes(s), out),
        Value::Num(n) => append_number(cfg, n, out)?,
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Nil | Value::LightUserData(0) => out.extend_from_slice(b"null"),
        Value::Table(t) => {
            let depth = open.len() as i64 + 1;
            if depth > cfg.enc_depth || depth > ENCODE_DEPTH_CAP {
                return Err(format!(", excessive nesting ({})", depth));
            }
            match array_length(vm, cfg, t)? {
                Some(len) if len > 0 => {
                    out.push(b'[');
                    open.push(Frame::Arr { t, i: 0, len });
                }
                _ => {
                    out.push(b'{');
                    open.push(Frame::Obj {
                        t,
                        k: Value::Nil,
                        first: true,
                    });
                }
            }
        }
        other => return Err(format!("{}: type not supported", other.type_name())),
    }
    Ok(())
}

/// Encodes `v`; nested tables are walked with an explicit stack of frames,
/// so depth never recurses in Rust.
fn encode_value(vm: &Vm, cfg: &Cfg, v: Value, out: &mut Vec<u8>) -> EncResult {
    let mut open: Vec<Frame> = Vec::new();
    encode_start(vm, cfg, v, &mut open, out)?;
    while let Some(top) = open.last_mut() {
        let next = match top {
            Frame::Arr { t, i, len } => {
                if *i < *len {
                    if *i > 0 {
                        out.push(b',');
                    }
                    *i += 1;
                    Some(vm.raw_get_int(*t, *i))
                } else {
                    out.push(b']');
                    None
                }
            }
            Frame::Obj { t, k, first } => match vm.raw_next(*t, *k) {
                Ok(Some((key, val))) => {
                    if !*first {
                        out.push(b',');
                    }
                    *first = false;
                    match key {
                        Value::Num(n) => {
                            out.push(b'"');
                            append_number(cfg, n, out)?;
                            out.extend_from_slice(b"\":");
                        }
                        Value::Str(s) => {
                            append_string(vm.str_bytes(s), out);
                            out.push(b':');
                        }
                        other => {
                            return Err(format!(
                                "{}: table key must be a number or string",
                                other.type_name()
                            ))
                        }
                    }
                    *k = key;
                    Some(val)
                }
                _ => {
                    out.push(b'}');
                    None
                }
            },
        };
        match next {
            Some(v) => encode_start(vm, cfg, v, &mut open, out)?,
            None => {
                open.pop();
            }
        }
    }
    Ok(())
}

/// Encodes `v` as lua-cjson would with the settings `cfg`; the error is the
/// complete message (`Cannot serialise ...`).
pub(crate) fn encode_to(vm: &Vm, cfg: &Cfg, v: Value, out: &mut Vec<u8>) -> Result<(), String> {
    encode_value(vm, cfg, v, out).map_err(|e| {
        if e.starts_with(',') {
            format!("Cannot serialise{}", e)
        } else {
            format!("Cannot serialise {}", e)
        }
    })
}

fn encode(vm: &mut Vm) -> Result<usize, LuaError> {
    if vm.arg_count() != 1 {
        return Err(vm.arg_error(1, "expected 1 argument"));
    }
    let cfg = load_cfg(vm);
    let mut out = Vec::with_capacity(64);
    match encode_to(vm, &cfg, vm.arg(1), &mut out) {
        Ok(()) => {
            let s = vm.new_str(&out);
            vm.push(s);
            Ok(1)
        }
        Err(msg) => Err(vm.error_str(&msg)),
    }
}

fn decode(vm: &mut Vm) -> Result<usize, LuaError> {
    if vm.arg_count() != 1 {
        return Err(vm.arg_error(1, "expected 1 argument"));
    }
    let data = vm.check_bytes(1)?;
    let cfg = load_cfg(vm);
    let v = super::cjson_decode::decode(vm, &cfg, &data)?;
    vm.push(v);
    Ok(1)
}

fn new_module(vm: &mut Vm) -> Result<usize, LuaError> {
    let t = build(vm);
    vm.push(Value::Table(t));
    Ok(1)
}

const FUNCS: &[(&str, NativeFn)] = &[
    ("encode", encode),
    ("decode", decode),
    ("encode_sparse_array", encode_sparse_array),
    ("encode_max_depth", encode_max_depth),
    ("decode_max_depth", decode_max_depth),
    ("encode_number_precision", encode_number_precision),
    ("encode_keep_buffer", encode_keep_buffer),
    ("encode_invalid_numbers", encode_invalid_numbers),
    ("decode_invalid_numbers", decode_invalid_numbers),
    ("new", new_module),
];

/// A module table with its own configuration.
fn build(vm: &mut Vm) -> TableRef {
    let cfg: Vec<Value> = DEFAULTS.iter().map(|&n| Value::Num(n)).collect();
    let cfg = vm.new_list(&cfg);
    let m = vm.new_table_sized(0, FUNCS.len() + 3);
    for (name, f) in FUNCS {
        let fv = vm.new_native_closure(*f, name, vec![Value::Table(cfg)]);
        vm.raw_set_str(m, name, fv);
    }
    vm.raw_set_str(m, "null", Value::LightUserData(0));
    let n = vm.new_str(b"cjson");
    vm.raw_set_str(m, "_NAME", n);
    let v = vm.new_str(b"2.1.0");
    vm.raw_set_str(m, "_VERSION", v);
    m
}

/// Registers the global table `cjson`.
pub fn open(vm: &mut Vm) {
    let m = build(vm);
    vm.set_global("cjson", Value::Table(m));
}
