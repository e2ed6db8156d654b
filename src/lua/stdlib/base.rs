//! The base library (Lua 5.1's lbaselib.c): `print type tostring tonumber
//! pairs ipairs next select rawget rawset rawequal setmetatable getmetatable
//! assert error pcall xpcall unpack loadstring load loadfile dofile
//! collectgarbage gcinfo newproxy getfenv setfenv`, `_G` and `_VERSION`.
//!
//! Every function follows the native calling convention of [`crate::lua::state`]
//! and raises 5.1's own argument errors.

use crate::lua::func::Function;
use crate::lua::state::{LuaError, Vm};
use crate::lua::table::KeyError;
use crate::lua::value::{Type, Value};
use std::io::Write;

fn push1(vm: &mut Vm, v: Value) -> Result<usize, LuaError> {
    vm.push(v);
    Ok(1)
}

fn b_print(vm: &mut Vm) -> Result<usize, LuaError> {
    let n = vm.arg_count();
    // 5.1 converts each argument with the global `tostring`, whatever it is now
    let g = vm.globals();
    let ts = vm.raw_get_str(g, "tostring");
    vm.push(ts); // keep it rooted while calling
    let mut out = Vec::new();
    for i in 1..=n {
        let v = vm.arg(i);
        let r = vm.call_value(ts, &[v])?;
        let s = match r.first().copied().unwrap_or(Value::Nil) {
            Value::Str(s) => s,
            Value::Num(n) => vm.number_to_str(n),
            _ => return Err(vm.error_str("'tostring' must return a string to 'print'")),
        };
        if i > 1 {
            out.push(b'\t');
        }
        out.extend_from_slice(vm.str_bytes(s));
    }
    out.push(b'\n');
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    let _ = lock.write_all(&out);
    Ok(0)
}

fn b_type(vm: &mut Vm) -> Result<usize, LuaError> {
    let v = vm.check_any(1)?;
    let s = vm.new_str(v.type_name().as_bytes());
    push1(vm, s)
}

fn b_tostring(vm: &mut Vm) -> Result<usize, LuaError> {
    let v = vm.check_any(1)?;
    let s = vm.tostring(v)?;
    push1(vm, s)
}

/// `strtoul`-like parse in `base` (leading/trailing spaces, optional sign).
fn parse_base(s: &[u8], base: u32) -> Option<f64> {
    let is_space = |c: u8| c == b' ' || (b'\t'..=b'\r').contains(&c);
    let mut i = 0;
    while i < s.len() && is_space(s[i]) {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'-' || s[i] == b'+') {
        neg = s[i] == b'-';
        i += 1;
    }
    if base == 16 && i + 1 < s.len() && s[i] == b'0' && (s[i + 1] | 0x20) == b'x' {
        i += 2;
    }
    let start = i;
    let mut n: u64 = 0;
    let mut overflow = false;
    while i < s.len() {
        let c = s[i];
        let d = match c {
            b'0'..=b'9' => (c - b'0') as u32,
            b'a'..=b'z' => (c - b'a') as u32 + 10,
            b'A'..=b'Z' => (c - b'A') as u32 + 10,
            _ => break,
        };
        if d >= base {
            break;
        }
        match n
            .checked_mul(base as u64)
            .and_then(|x| x.checked_add(d as u64))
        {
            Some(x) => n = x,
            None => overflow = true,
        }
        i += 1;
    }
    if i == start {
        return None;
    }
    while i < s.len() && is_space(s[i]) {
        i += 1;
    }
    if i != s.len() {
        return None;
    }
    if overflow {
        n = u64::MAX;
    } else if neg {
        n = n.wrapping_neg();
    }
    Some(n as f64)
}

fn b_tonumber(vm: &mut Vm) -> Result<usize, LuaError> {
    let base = vm.opt_int(2, 10)?;
    if base == 10 {
        let v = vm.check_any(1)?;
        let r = vm.to_number(v).map_or(Value::Nil, Value::Num);
        return push1(vm, r);
    }
    let s = vm.check_bytes(1)?;
    if !(2..=36).contains(&base) {
        return Err(vm.arg_error(2, "base out of range"));
    }
    let r = parse_base(&s, base as u32).map_or(Value::Nil, Value::Num);
    push1(vm, r)
}

fn b_next(vm: &mut Vm) -> Result<usize, LuaError> {
    let t = vm.check_table(1)?;
    let k = vm.arg(2);
    match vm.heap.tables.get(t).next(&k, &vm.heap.strings) {
        Ok(Some((k, v))) => {
            vm.push(k);
            vm.push(v);
            Ok(2)
        }
        Ok(None) => push1(vm, Value::Nil),
        Err(_) => Err(vm.runtime_error("invalid key to 'next'")),
    }
}

fn b_pairs(vm: &mut Vm) -> Result<usize, LuaError> {
    let t = vm.check_table(1)?;
    let next = vm.upvalue(0);
    vm.push(next);
    vm.push(Value::Table(t));
    vm.push(Value::Nil);
    Ok(3)
}

fn ipairs_aux(vm: &mut Vm) -> Result<usize, LuaError> {
    let t = vm.check_table(1)?;
    let i = vm.check_int(2)? + 1;
    let v = vm.heap.table(t).get_int(i);
    if v.is_nil() {
        return Ok(0);
    }
    vm.push(Value::Num(i as f64));
    vm.push(v);
    Ok(2)
}

fn b_ipairs(vm: &mut Vm) -> Result<usize, LuaError> {
    let t = vm.check_table(1)?;
    let aux = vm.upvalue(0);
    vm.push(aux);
    vm.push(Value::Table(t));
    vm.push(Value::Num(0.0));
    Ok(3)
}

fn b_select(vm: &mut Vm) -> Result<usize, LuaError> {
    let n = vm.arg_count() as i64;
    if let Value::Str(s) = vm.arg(1) {
        if vm.str_bytes(s).first() == Some(&b'#') {
            return push1(vm, Value::Num((n - 1) as f64));
        }
    }
    let mut i = vm.check_int(1)?;
    if i < 0 {
        i += n;
    } else if i > n {
        i = n;
    }
    if i < 1 {
        return Err(vm.arg_error(1, "index out of range"));
    }
    Ok((n - i) as usize)
}

fn b_rawget(vm: &mut Vm) -> Result<usize, LuaError> {
    let t = vm.check_table(1)?;
    let k = vm.check_any(2)?;
    let v = vm.raw_get(t, k);
    push1(vm, v)
}

fn b_rawset(vm: &mut Vm) -> Result<usize, LuaError> {
    let t = vm.check_table(1)?;
    let k = vm.check_any(2)?;
    let v = vm.check_any(3)?;
    vm.raw_set(t, k, v)?;
    push1(vm, Value::Table(t))
}

fn b_rawequal(vm: &mut Vm) -> Result<usize, LuaError> {
    let a = vm.check_any(1)?;
    let b = vm.check_any(2)?;
    push1(vm, Value::Bool(a.raw_eq(&b)))
}

fn b_setmetatable(vm: &mut Vm) -> Result<usize, LuaError> {
    let t = vm.check_table(1)?;
    let mt = match vm.arg(2) {
        Value::Nil => None,
        Value::Table(m) => Some(m),
        _ => return Err(vm.arg_error(2, "nil or table expected")),
    };
    if let Some(old) = vm.heap.table(t).meta {
        let protected = vm.protected_meta(old);
        if !protected.is_nil() {
            return Err(vm.error_str("cannot change a protected metatable"));
        }
    }
    if vm.heap.table(t).readonly {
        return Err(vm.runtime_error(KeyError::ReadOnly.message()));
    }
    vm.set_metatable(Value::Table(t), mt);
    push1(vm, Value::Table(t))
}

fn b_getmetatable(vm: &mut Vm) -> Result<usize, LuaError> {
    let v = vm.check_any(1)?;
    match vm.get_metatable(v) {
        None => push1(vm, Value::Nil),
        Some(mt) => {
            let protected = vm.protected_meta(mt);
            if protected.is_nil() {
                push1(vm, Value::Table(mt))
            } else {
                push1(vm, protected)
            }
        }
    }
}

fn b_assert(vm: &mut Vm) -> Result<usize, LuaError> {
    let v = vm.check_any(1)?;
    if !v.truthy() {
        let msg = match vm.opt_str(2)? {
            Some(s) => String::from_utf8_lossy(vm.str_bytes(s)).into_owned(),
            None => "assertion failed!".to_string(),
        };
        return Err(vm.error_str(&msg));
    }
    Ok(vm.arg_count())
}

fn b_error(vm: &mut Vm) -> Result<usize, LuaError> {
    let level = vm.opt_int(2, 1)?;
    let mut v = vm.arg(1);
    if let Value::Num(n) = v {
        if level > 0 {
            v = Value::Str(vm.number_to_str(n));
        }
    }
    if let Value::Str(s) = v {
        if level > 0 {
            let pos = vm.where_(level as usize);
            if !pos.is_empty() {
                let mut b = pos.into_bytes();
                b.extend_from_slice(vm.str_bytes(s));
                let nv = vm.new_str(&b);
                return Err(LuaError::Error(nv));
            }
        }
    }
    Err(LuaError::Error(v))
}

/// Moves the `n` values at the top up by one and stores `first` below them.
fn prepend(vm: &mut Vm, first: Value, n: usize) -> usize {
    vm.push(Value::Nil);
    let top = vm.top;
    for i in (top - n..top).rev() {
        vm.stack[i] = vm.stack[i - 1];
    }
    vm.stack[top - n - 1] = first;
    n + 1
}

pub(crate) fn b_pcall(vm: &mut Vm) -> Result<usize, LuaError> {
    vm.check_any(1)?;
    let func = vm.frames.last().map_or(0, |c| c.base);
    match vm.pcall_at(func, -1, None)? {
        Ok(()) => {
            let n = vm.top - func;
            Ok(prepend(vm, Value::Bool(true), n))
        }
        Err(e) => {
            vm.top = func;
            vm.push(Value::Bool(false));
            vm.push(e);
            Ok(2)
        }
    }
}

fn b_xpcall(vm: &mut Vm) -> Result<usize, LuaError> {
    vm.check_any(2)?;
    let handler = vm.arg(2);
    let f = vm.arg(1);
    let base = vm.frames.last().map_or(0, |c| c.base);
    // keep the handler on the stack (rooted) below the called function
    vm.stack[base] = handler;
    vm.stack[base + 1] = f;
    vm.top = base + 2;
    match vm.pcall_at(base + 1, -1, Some(handler))? {
        Ok(()) => {
            let n = vm.top - (base + 1);
            vm.stack[base] = Value::Bool(true);
            Ok(n + 1)
        }
        Err(e) => {
            vm.top = base;
            vm.push(Value::Bool(false));
            vm.push(e);
            Ok(2)
        }
    }
}

fn b_unpack(vm: &mut Vm) -> Result<usize, LuaError> {
    let t = vm.check_table(1)?;
    let i = vm.opt_int(2, 1)?;
    let j = match vm.arg(3) {
        Value::Nil => vm.heap.table(t).length() as i64,
        _ => vm.check_int(3)?,
    };
    if i > j {
        return Ok(0);
    }
    let n = (j as i128 - i as i128 + 1) as u128;
    if n >= i32::MAX as u128 || n as usize + vm.top > crate::lua::state::MAX_STACK {
        return Err(vm.error_str("too many results to unpack"));
    }
    vm.ensure_stack(vm.top + n as usize + 1)?;
    vm.charge((n / 16) as u32)?;
    for k in i..=j {
        let v = vm.heap.table(t).get_int(k);
        vm.push(v);
    }
    Ok(n as usize)
}

/// Compiles `src` and pushes the function, or nil plus the message.
fn load_and_push(vm: &mut Vm, src: &[u8], chunkname: &[u8]) -> Result<usize, LuaError> {
    match vm.load_chunk(src, chunkname) {
        Ok(f) => push1(vm, f),
        Err(msg) => {
            vm.push(Value::Nil);
            vm.push(msg);
            Ok(2)
        }
    }
}

fn b_loadstring(vm: &mut Vm) -> Result<usize, LuaError> {
    let s = vm.check_bytes(1)?;
    let name = match vm.opt_str(2)? {
        Some(n) => vm.str_bytes(n).to_vec(),
        None => s.to_vec(),
    };
    load_and_push(vm, &s, &name)
}

fn b_load(vm: &mut Vm) -> Result<usize, LuaError> {
    let f = vm.check_type(1, Type::Function)?;
    let name = match vm.opt_str(2)? {
        Some(n) => vm.str_bytes(n).to_vec(),
        None => b"=(load)".to_vec(),
    };
    // 5.1 compiles while it reads, so a reader that never ends still stops at
    // the first syntax error, and an error raised by the reader comes back as
    // `nil, message`. We read whole pieces and compile what we have (after each
    // piece while the text is short, then each time it has doubled, which keeps
    // the compile work linear): an error that the last byte read did not change
    // cannot be changed by more input, so it is final.
    // (Binary chunks, which start with ESC, are only read whole.)
    let mut src = Vec::new();
    let mut next_check = 64;
    loop {
        let func = vm.top;
        vm.push(f);
        let r = match vm.pcall_at(func, 1, None)? {
            Ok(()) => {
                let r = vm.stack[func];
                vm.top = func;
                r
            }
            Err(e) => {
                vm.push(Value::Nil);
                vm.push(e);
                return Ok(2);
            }
        };
        match r {
            Value::Nil => break,
            Value::Str(s) => {
                let b = vm.str_bytes(s);
                if b.is_empty() {
                    break;
                }
                src.extend_from_slice(b);
            }
            _ => {
                vm.push(Value::Nil);
                let m = vm.new_str(b"reader function must return a string");
                vm.push(m);
                return Ok(2);
            }
        }
        // Short texts are checked after every piece, longer ones each time
        // they have doubled.
        let small = src.len() < 64;
        if (small || src.len() >= next_check) && src.first() != Some(&0x1b) {
            if !small {
                next_check = src.len() * 2;
            }
            if let Err(e) = crate::lua::parse::compile(&src, &name) {
                // Final when the last byte read made no difference: 5.1's lexer
                // has always read one byte past the token it fails on.
                if !e.bytes.ends_with(b"near '<eof>'") {
                    let without_last = crate::lua::parse::compile(&src[..src.len() - 1], &name);
                    if matches!(without_last, Err(e2) if e2.bytes == e.bytes) {
                        break;
                    }
                }
            }
        }
    }
    load_and_push(vm, &src, &name)
}

/// Reads a source file for `loadfile`/`dofile` (skipping a `#` first line).
fn read_source(path: &str) -> Result<Vec<u8>, String> {
    let mut data = std::fs::read(path).map_err(|e| {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => "No such file or directory".to_string(),
            std::io::ErrorKind::PermissionDenied => "Permission denied".to_string(),
            _ => e.to_string(),
        };
        format!("cannot open {}: {}", path, reason)
    })?;
    if data.first() == Some(&b'#') {
        let end = data.iter().position(|&c| c == b'\n').unwrap_or(data.len());
        data.drain(..end);
    }
    Ok(data)
}

fn b_loadfile(vm: &mut Vm) -> Result<usize, LuaError> {
    let path = match vm.opt_str(1)? {
        Some(s) => String::from_utf8_lossy(vm.str_bytes(s)).into_owned(),
        None => return Err(vm.error_str("loadfile from stdin is not supported")),
    };
    match read_source(&path) {
        Ok(src) => load_and_push(vm, &src, format!("@{}", path).as_bytes()),
        Err(m) => {
            vm.push(Value::Nil);
            let v = vm.new_str(m.as_bytes());
            vm.push(v);
            Ok(2)
        }
    }
}

fn b_dofile(vm: &mut Vm) -> Result<usize, LuaError> {
    let path = String::from_utf8_lossy(&vm.check_bytes(1)?).into_owned();
    let src = match read_source(&path) {
        Ok(s) => s,
        Err(m) => {
            let v = vm.new_str(m.as_bytes());
            return Err(LuaError::Error(v));
        }
    };
    let f = match vm.load_chunk(&src, format!("@{}", path).as_bytes()) {
        Ok(f) => f,
        Err(m) => return Err(LuaError::Error(m)),
    };
    let func = vm.top;
    vm.push(f);
    vm.call_at(func, -1)?;
    Ok(vm.top - func)
}

const GC_OPTS: [&str; 7] = [
    "stop",
    "restart",
    "collect",
    "count",
    "step",
    "setpause",
    "setstepmul",
];

fn b_collectgarbage(vm: &mut Vm) -> Result<usize, LuaError> {
    let opt = match vm.opt_str(1)? {
        Some(s) => String::from_utf8_lossy(vm.str_bytes(s)).into_owned(),
        None => "collect".to_string(),
    };
    if !GC_OPTS.contains(&opt.as_str()) {
        return Err(vm.arg_error(1, &format!("invalid option '{}'", opt)));
    }
    let arg = vm.opt_int(2, 0)?;
    let r = match opt.as_str() {
        "stop" => {
            vm.heap.stopped = true;
            0.0
        }
        "restart" => {
            vm.heap.stopped = false;
            vm.heap.threshold = vm.heap.total;
            0.0
        }
        "collect" => {
            // as in 5.1, a full collection sets a new threshold: a "stop"
            // before it ends there
            vm.heap.stopped = false;
            vm.collect_garbage();
            vm.take_gc_error()?;
            // A full collection walks the whole heap: charge it to the budget
            // (about one unit per 256 bytes), so a loop of them is
            // interrupted as soon as a loop of instructions would be.
            vm.charge(u32::try_from(vm.heap.total / 256).unwrap_or(u32::MAX))?;
            0.0
        }
        "count" => vm.heap.total as f64 / 1024.0,
        "step" => {
            // `arg` KB of allocation's worth of collector work (times stepmul%);
            // true when that finished a cycle. As in 5.1 (whose step sets a
            // new threshold) it also ends a "stop".
            vm.heap.stopped = false;
            let done = vm.gc_user_step(arg);
            vm.take_gc_error()?;
            // charged as "collect" is, for the part of the heap it may walk
            let walked = (arg.max(1) as usize)
                .saturating_mul(1024)
                .min(vm.heap.total);
            vm.charge(u32::try_from(walked / 256).unwrap_or(u32::MAX))?;
            return push1(vm, Value::Bool(done));
        }
        "setpause" => {
            let old = vm.heap.pause;
            vm.heap.pause = arg.clamp(0, u32::MAX as i64) as u32;
            old as f64
        }
        _ => {
            let old = vm.heap.stepmul;
            vm.heap.stepmul = arg.clamp(0, u32::MAX as i64) as u32;
            old as f64
        }
    };
    push1(vm, Value::Num(r))
}

fn b_gcinfo(vm: &mut Vm) -> Result<usize, LuaError> {
    let kb = (vm.heap.total / 1024) as f64;
    push1(vm, Value::Num(kb))
}

fn b_newproxy(vm: &mut Vm) -> Result<usize, LuaError> {
    let a = vm.arg(1);
    let meta = match a {
        Value::Nil | Value::Bool(false) => None,
        Value::Bool(true) => Some(vm.new_table()),
        Value::UserData(u) => match vm.heap.userdata.get(u).meta {
            Some(m) => Some(m),
            None => return Err(vm.arg_error(1, "boolean or proxy expected")),
        },
        _ => return Err(vm.arg_error(1, "boolean or proxy expected")),
    };
    vm.heap.total += 64;
    let u = vm.heap.new_userdata(meta, None);
    push1(vm, Value::UserData(u))
}

/// The function at level `i` (a number) or the function argument itself.
fn fenv_target(
    vm: &mut Vm,
    name_is_set: bool,
) -> Result<Option<crate::lua::value::FuncRef>, LuaError> {
    match vm.arg(1) {
        Value::Func(f) => Ok(Some(f)),
        v => {
            let level = if v.is_nil() && !name_is_set {
                1
            } else {
                vm.check_int(1)?
            };
            if level < 0 {
                return Err(vm.arg_error(1, "level must be non-negative"));
            }
            if level == 0 {
                return Ok(None);
            }
            match crate::lua::debug::level_of(&vm.frames, level) {
                None => Err(vm.arg_error(1, "invalid level")),
                Some(crate::lua::debug::Level::Tail) => Err(vm.error_str(&format!(
                    "no function environment for tail call at level {}",
                    level
                ))),
                Some(crate::lua::debug::Level::Frame(i)) => Ok(Some(vm.frames[i].closure)),
            }
        }
    }
}

fn b_getfenv(vm: &mut Vm) -> Result<usize, LuaError> {
    let env = match fenv_target(vm, false)? {
        None => vm.globals,
        Some(f) => match vm.heap.funcs.get(f) {
            Function::Lua(c) => c.env,
            Function::Native(_) => vm.globals,
        },
    };
    push1(vm, Value::Table(env))
}

fn b_setfenv(vm: &mut Vm) -> Result<usize, LuaError> {
    let t = vm.check_table(2)?;
    match fenv_target(vm, true)? {
        None => {
            vm.globals = t;
            Ok(0)
        }
        Some(f) => {
            match vm.heap.funcs.get_mut(f) {
                Function::Lua(c) => c.env = t,
                Function::Native(_) => {
                    return Err(vm.error_str("'setfenv' cannot change environment of given object"))
                }
            }
            vm.heap.barrier(Value::Table(t));
            push1(vm, Value::Func(f))
        }
    }
}

/// Opens the base library into the globals.
pub fn open(vm: &mut Vm) {
    let g = vm.globals();
    vm.raw_set_str(g, "_G", Value::Table(g));
    let ver = vm.new_str(b"Lua 5.1");
    vm.raw_set_str(g, "_VERSION", ver);
    let funcs: &[(&'static str, crate::lua::func::NativeFn)] = &[
        ("print", b_print),
        ("type", b_type),
        ("tostring", b_tostring),
        ("tonumber", b_tonumber),
        ("next", b_next),
        ("select", b_select),
        ("rawget", b_rawget),
        ("rawset", b_rawset),
        ("rawequal", b_rawequal),
        ("setmetatable", b_setmetatable),
        ("getmetatable", b_getmetatable),
        ("assert", b_assert),
        ("error", b_error),
        ("pcall", b_pcall),
        ("xpcall", b_xpcall),
        ("unpack", b_unpack),
        ("loadstring", b_loadstring),
        ("load", b_load),
        ("loadfile", b_loadfile),
        ("dofile", b_dofile),
        ("collectgarbage", b_collectgarbage),
        ("gcinfo", b_gcinfo),
        ("newproxy", b_newproxy),
        ("getfenv", b_getfenv),
        ("setfenv", b_setfenv),
    ];
    for (name, f) in funcs {
        vm.register(g, name, *f);
    }
    let next = vm.raw_get_str(g, "next");
    let pairs = vm.new_native_closure(b_pairs, "pairs", vec![next]);
    vm.raw_set_str(g, "pairs", pairs);
    let aux = vm.new_native(ipairs_aux, "ipairs_aux");
    let ipairs = vm.new_native_closure(b_ipairs, "ipairs", vec![aux]);
    vm.raw_set_str(g, "ipairs", ipairs);
}
