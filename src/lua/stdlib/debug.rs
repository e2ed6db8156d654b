//! The debug library (Lua 5.1's ldblib.c), command line only (the server
//! removes it): `getinfo getlocal setlocal getupvalue setupvalue getmetatable
//! setmetatable getfenv setfenv getregistry sethook gethook traceback`.
//!
//! Stack levels count as in 5.1: level 0 is the running native function (the
//! debug function itself), level 1 its caller, and so on down the frames;
//! each call a tail call replaced counts as a level of its own (what = "tail").
//! An optional leading coroutine argument makes `getinfo`, `getlocal`,
//! `setlocal`, `sethook`, `gethook` and `traceback` work on that coroutine's
//! frames (a suspended one's, or a dead one's that failed, which keeps them).
//!
//! Hooks are per coroutine, as in 5.1: `sethook(f, "crl", n)` calls `f` with
//! "call", "return" / "tail return", "line" (with the line) and "count"
//! events; the VM runs a separate instance of its loop while a hook is set,
//! so programs without hooks pay nothing for them. Not provided: `debug.debug`.

use crate::lua::debug::{level_of, Level};
use crate::lua::func::Function;
use crate::lua::proto::chunk_id;
use crate::lua::state::{
    CallInfo, DebugHook, LuaError, Vm, CI_LUA, MASK_CALL, MASK_COUNT, MASK_LINE, MASK_RET,
};
use crate::lua::value::{FuncRef, TableRef, ThreadRef, Value};

/// An optional leading coroutine argument: (that thread, or None for the
/// running one; the index of the first real argument).
fn thread_arg(vm: &Vm) -> (Option<ThreadRef>, usize) {
    match vm.arg(1) {
        Value::Thread(t) if t != vm.cur_thread => (Some(t), 2),
        Value::Thread(_) => (None, 2),
        _ => (None, 1),
    }
}

fn set_str(vm: &mut Vm, t: TableRef, k: &str, v: &[u8]) {
    let s = vm.new_str(v);
    vm.raw_set_str(t, k, s);
}

/// Fills the `S` fields (source, short_src, what, linedefined, lastlinedefined).
fn fill_source(vm: &mut Vm, t: TableRef, f: Option<FuncRef>) {
    let info = f.map(|f| match vm.heap.funcs.get(f) {
        Function::Lua(c) => Some((
            c.proto.source.clone(),
            c.proto.line_defined,
            c.proto.last_line_defined,
        )),
        Function::Native(_) => None,
    });
    match info {
        Some(Some((src, ld, lld))) => {
            set_str(vm, t, "source", &src);
            let short = chunk_id(&src);
            set_str(vm, t, "short_src", &short);
            set_str(vm, t, "what", if ld == 0 { b"main" } else { b"Lua" });
            vm.raw_set_str(t, "linedefined", Value::Num(ld as f64));
            vm.raw_set_str(t, "lastlinedefined", Value::Num(lld as f64));
        }
        Some(None) => {
            set_str(vm, t, "source", b"=[C]");
            set_str(vm, t, "short_src", b"[C]");
            set_str(vm, t, "what", b"C");
            vm.raw_set_str(t, "linedefined", Value::Num(-1.0));
            vm.raw_set_str(t, "lastlinedefined", Value::Num(-1.0));
        }
        // a call lost to a tail call
        None => {
            set_str(vm, t, "source", b"=(tail call)");
            set_str(vm, t, "short_src", b"(tail call)");
            set_str(vm, t, "what", b"tail");
            vm.raw_set_str(t, "linedefined", Value::Num(-1.0));
            vm.raw_set_str(t, "lastlinedefined", Value::Num(-1.0));
        }
    }
}

/// A copy of frame `idx` of thread `th` (None: the running one).
fn frame_of(vm: &Vm, th: Option<ThreadRef>, idx: usize) -> CallInfo {
    vm.thread_frames(th)[idx]
}

fn d_getinfo(vm: &mut Vm) -> Result<usize, LuaError> {
    let (th, a) = thread_arg(vm);
    let opts: Vec<u8> = match vm.opt_str(a + 1)? {
        Some(s) => vm.str_bytes(s).to_vec(),
        None => b"flnSu".to_vec(),
    };
    // (function (None for a tail level), frame index when given by level)
    let (f, frame) = match vm.arg(a) {
        Value::Func(f) => (Some(f), None),
        Value::Num(_) | Value::Str(_) => {
            let level = vm.check_int(a)?;
            match level_of(vm.thread_frames(th), level) {
                Some(Level::Frame(idx)) => (Some(frame_of(vm, th, idx).closure), Some(idx)),
                Some(Level::Tail) => (None, None),
                None => {
                    vm.push(Value::Nil);
                    return Ok(1);
                }
            }
        }
        _ => return Err(vm.arg_error(a, "function or level expected")),
    };
    if opts.iter().any(|c| !b"SlunfL".contains(c)) {
        return Err(vm.arg_error(a + 1, "invalid option"));
    }
    let t = vm.new_table_sized(0, 12);
    vm.push(Value::Table(t)); // keep it alive
    for &c in &opts {
        match c {
            b'S' => fill_source(vm, t, f),
            b'l' => {
                let line = match frame {
                    Some(idx) => {
                        let ci = frame_of(vm, th, idx);
                        vm.frame_line(&ci).map_or(-1.0, |l| l as f64)
                    }
                    None => -1.0,
                };
                vm.raw_set_str(t, "currentline", Value::Num(line));
            }
            b'u' => {
                let n = match f.map(|f| vm.heap.funcs.get(f)) {
                    Some(Function::Lua(c)) => c.upvals.len(),
                    Some(Function::Native(n)) => n.upvals.len(),
                    None => 0,
                };
                vm.raw_set_str(t, "nups", Value::Num(n as f64));
            }
            b'n' => {
                let (name, what) = match frame {
                    Some(idx) => vm.frame_function_name_in(vm.thread_frames(th), idx),
                    None => (String::new(), ""),
                };
                if !what.is_empty() {
                    set_str(vm, t, "name", name.as_bytes());
                }
                set_str(vm, t, "namewhat", what.as_bytes());
            }
            b'f' => {
                if let Some(f) = f {
                    vm.raw_set_str(t, "func", Value::Func(f));
                }
            }
            b'L' => {
                let lines: Option<Vec<u32>> = match f.map(|f| vm.heap.funcs.get(f)) {
                    Some(Function::Lua(c)) => Some(c.proto.line_info.clone()),
                    _ => None,
                };
                if let Some(lines) = lines {
                    let lt = vm.new_table();
                    for l in lines {
                        vm.raw_set(lt, Value::Num(l as f64), Value::Bool(true))?;
                    }
                    vm.raw_set_str(t, "activelines", Value::Table(lt));
                }
            }
            _ => {}
        }
    }
    Ok(1)
}

/// Name and stack slot of local `n` of frame `idx` of thread `th` (5.1's
/// `lua_getlocal`): a named local of a Lua function, or a temporary
/// (`(*temporary)`) below the next frame's function slot.
fn local_slot(vm: &Vm, th: Option<ThreadRef>, idx: usize, n: i64) -> Option<(Vec<u8>, usize)> {
    let frames = vm.thread_frames(th);
    let ci = frames[idx];
    if n < 1 {
        return None;
    }
    let name = if ci.flags & CI_LUA != 0 {
        vm.frame_proto(&ci)
            .and_then(|p| p.local_name(n as usize, ci.pc.saturating_sub(1)))
            .map(|s| s.to_vec())
    } else {
        None
    };
    let slot = ci.base.checked_add(n as usize - 1)?;
    let limit = match frames.get(idx + 1) {
        Some(next) => next.func,
        None => match th {
            Some(t) => vm.heap.threads.get(t).top,
            None => vm.top,
        },
    };
    match name {
        Some(nm) => Some((nm, slot)),
        None if slot < limit => Some((b"(*temporary)".to_vec(), slot)),
        None => None,
    }
}

fn level_frame(vm: &mut Vm, th: Option<ThreadRef>, a: usize) -> Result<usize, LuaError> {
    let level = vm.check_int(a)?;
    match level_of(vm.thread_frames(th), level) {
        Some(Level::Frame(i)) => Ok(i),
        _ => Err(vm.arg_error(a, "level out of range")),
    }
}

/// The stack slot `slot` of thread `th`.
fn stack_slot(vm: &mut Vm, th: Option<ThreadRef>, slot: usize) -> Option<&mut Value> {
    match th {
        Some(t) => vm.heap.threads.get_mut(t).stack.get_mut(slot),
        None => vm.stack.get_mut(slot),
    }
}

fn d_getlocal(vm: &mut Vm) -> Result<usize, LuaError> {
    let (th, a) = thread_arg(vm);
    let idx = level_frame(vm, th, a)?;
    let n = vm.check_int(a + 1)?;
    match local_slot(vm, th, idx, n) {
        Some((name, slot)) => {
            let v = stack_slot(vm, th, slot).map_or(Value::Nil, |v| *v);
            let s = vm.new_str(&name);
            vm.push(s);
            vm.push(v);
            Ok(2)
        }
        None => {
            vm.push(Value::Nil);
            Ok(1)
        }
    }
}

fn d_setlocal(vm: &mut Vm) -> Result<usize, LuaError> {
    let (th, a) = thread_arg(vm);
    let idx = level_frame(vm, th, a)?;
    let n = vm.check_int(a + 1)?;
    let v = vm.check_any(a + 2)?;
    match local_slot(vm, th, idx, n) {
        Some((name, slot)) => {
            if let Some(s) = stack_slot(vm, th, slot) {
                *s = v;
            }
            let s = vm.new_str(&name);
            vm.push(s);
        }
        None => vm.push(Value::Nil),
    }
    Ok(1)
}

/// The hook of thread `th` (None: the running one).
fn hook_of(vm: &mut Vm, th: Option<ThreadRef>) -> &mut DebugHook {
    match th {
        Some(t) => &mut vm.heap.threads.get_mut(t).hook,
        None => &mut vm.dhook,
    }
}

/// `debug.sethook([thread,] f, mask [, count])`; no function (or an empty
/// mask and no count) turns the hook off.
fn d_sethook(vm: &mut Vm) -> Result<usize, LuaError> {
    let (th, a) = thread_arg(vm);
    let f = vm.arg(a);
    let hook = if f.is_nil() || vm.arg_count() < a {
        DebugHook::default()
    } else {
        let smask = vm.check_str(a + 1)?;
        if !matches!(f, Value::Func(_)) {
            return Err(vm.type_error(a, "function"));
        }
        let count = vm.opt_int(a + 2, 0)?;
        let mut mask = 0u8;
        for &c in vm.str_bytes(smask) {
            match c {
                b'c' => mask |= MASK_CALL,
                b'r' => mask |= MASK_RET,
                b'l' => mask |= MASK_LINE,
                _ => {}
            }
        }
        let base_count = count.clamp(0, u32::MAX as i64) as u32;
        if base_count > 0 {
            mask |= MASK_COUNT;
        }
        if mask == 0 {
            DebugHook::default()
        } else {
            DebugHook {
                func: f,
                mask,
                base_count,
                count: base_count,
            }
        }
    };
    *hook_of(vm, th) = hook;
    Ok(0)
}

/// `debug.gethook([thread])`: the function, the mask ("c", "r", "l") and
/// the count.
fn d_gethook(vm: &mut Vm) -> Result<usize, LuaError> {
    let (th, _) = thread_arg(vm);
    let h = *hook_of(vm, th);
    let mut m = Vec::new();
    for (bit, c) in [(MASK_CALL, b'c'), (MASK_RET, b'r'), (MASK_LINE, b'l')] {
        if h.mask & bit != 0 {
            m.push(c);
        }
    }
    vm.push(h.func);
    let ms = vm.new_str(&m);
    vm.push(ms);
    vm.push(Value::Num(h.base_count as f64));
    Ok(3)
}

/// Name of upvalue `n` (1-based) of `f`, if it exists ("" for natives).
fn upvalue_name(vm: &Vm, f: FuncRef, n: i64) -> Option<Vec<u8>> {
    if n < 1 {
        return None;
    }
    let n = n as usize;
    match vm.heap.funcs.get(f) {
        Function::Lua(c) => {
            if n > c.upvals.len() {
                return None;
            }
            Some(
                c.proto
                    .upvalue_names
                    .get(n - 1)
                    .cloned()
                    .unwrap_or_default(),
            )
        }
        Function::Native(c) => (n <= c.upvals.len()).then(Vec::new),
    }
}

fn check_func(vm: &mut Vm, i: usize) -> Result<FuncRef, LuaError> {
    match vm.arg(i) {
        Value::Func(f) => Ok(f),
        _ => Err(vm.type_error(i, "function")),
    }
}

fn d_getupvalue(vm: &mut Vm) -> Result<usize, LuaError> {
    let f = check_func(vm, 1)?;
    let n = vm.check_int(2)?;
    let Some(name) = upvalue_name(vm, f, n) else {
        return Ok(0);
    };
    let v = match vm.heap.funcs.get(f) {
        Function::Native(c) => c.upvals[n as usize - 1],
        Function::Lua(_) => vm.get_upval(f, n as usize - 1),
    };
    let s = vm.new_str(&name);
    vm.push(s);
    vm.push(v);
    Ok(2)
}

fn d_setupvalue(vm: &mut Vm) -> Result<usize, LuaError> {
    let f = check_func(vm, 1)?;
    let n = vm.check_int(2)?;
    let v = vm.check_any(3)?;
    let Some(name) = upvalue_name(vm, f, n) else {
        return Ok(0);
    };
    match vm.heap.funcs.get_mut(f) {
        Function::Native(c) => c.upvals[n as usize - 1] = v,
        Function::Lua(_) => vm.set_upval(f, n as usize - 1, v),
    }
    vm.heap.barrier(v);
    let s = vm.new_str(&name);
    vm.push(s);
    Ok(1)
}

fn d_getmetatable(vm: &mut Vm) -> Result<usize, LuaError> {
    let v = vm.check_any(1)?;
    let r = vm.get_metatable(v).map_or(Value::Nil, Value::Table);
    vm.push(r);
    Ok(1)
}

fn d_setmetatable(vm: &mut Vm) -> Result<usize, LuaError> {
    let mt = match vm.arg(2) {
        Value::Nil => None,
        Value::Table(t) => Some(t),
        _ => return Err(vm.type_error(2, "nil or table")),
    };
    let v = vm.arg(1);
    vm.set_metatable(v, mt);
    vm.push(Value::Bool(true));
    Ok(1)
}

fn d_getfenv(vm: &mut Vm) -> Result<usize, LuaError> {
    let env = match vm.arg(1) {
        Value::Func(f) => match vm.heap.funcs.get(f) {
            Function::Lua(c) => Value::Table(c.env),
            Function::Native(c) => Value::Table(c.env),
        },
        Value::Thread(t) if t == vm.cur_thread => Value::Table(vm.globals),
        Value::Thread(t) => Value::Table(vm.heap.threads.get(t).env.unwrap_or(vm.globals)),
        _ => Value::Nil,
    };
    vm.push(env);
    Ok(1)
}

fn d_setfenv(vm: &mut Vm) -> Result<usize, LuaError> {
    let t = vm.check_table(2)?;
    let o = vm.arg(1);
    match o {
        Value::Func(f) => match vm.heap.funcs.get_mut(f) {
            Function::Lua(c) => c.env = t,
            Function::Native(c) => c.env = t,
        },
        Value::Thread(th) if th == vm.cur_thread => vm.globals = t,
        Value::Thread(th) => vm.heap.threads.get_mut(th).env = Some(t),
        _ => return Err(vm.error_str("'setfenv' cannot change environment of given object")),
    }
    vm.heap.barrier(Value::Table(t));
    vm.push(o);
    Ok(1)
}

fn d_getregistry(vm: &mut Vm) -> Result<usize, LuaError> {
    let r = vm.registry();
    vm.push(Value::Table(r));
    Ok(1)
}

fn d_traceback(vm: &mut Vm) -> Result<usize, LuaError> {
    let (th, a) = thread_arg(vm);
    let msg = vm.arg(a);
    if !msg.is_nil() && !matches!(msg, Value::Str(_) | Value::Num(_)) {
        vm.push(msg);
        return Ok(1);
    }
    let running = th.is_none() && !matches!(vm.arg(1), Value::Thread(_));
    let level = vm.opt_int(a + 1, if running { 1 } else { 0 })?;
    let mut text = match msg {
        Value::Nil => Vec::new(),
        m => {
            let mut t = vm.to_bytes(m).unwrap_or_default();
            t.push(b'\n');
            t
        }
    };
    text.extend_from_slice(vm.traceback_of(th, level.max(0) as usize).as_bytes());
    let s = vm.new_str(&text);
    vm.push(s);
    Ok(1)
}

/// Opens the debug library as the global `debug`.
pub fn open(vm: &mut Vm) {
    let funcs: &[(&'static str, crate::lua::func::NativeFn)] = &[
        ("getfenv", d_getfenv),
        ("gethook", d_gethook),
        ("getinfo", d_getinfo),
        ("getlocal", d_getlocal),
        ("getmetatable", d_getmetatable),
        ("getregistry", d_getregistry),
        ("getupvalue", d_getupvalue),
        ("setfenv", d_setfenv),
        ("sethook", d_sethook),
        ("setlocal", d_setlocal),
        ("setmetatable", d_setmetatable),
        ("setupvalue", d_setupvalue),
        ("traceback", d_traceback),
    ];
    vm.register_lib("debug", funcs);
}
