//! The string library (Lua 5.1's lstrlib.c): `byte char find format gmatch gsub
//! len lower match rep reverse sub upper`, the compat alias `gfind`, and the
//! metatable every string shares, whose `__index` is this library (so
//! `("x"):rep(3)` works).
//!
//! The pattern matcher lives in [`super::lpattern`] and the `%`-conversions of
//! `string.format` in [`super::format`]; this file is the VM side: it reads the
//! arguments, clamps positions the way 5.1 does, pushes captures and calls the
//! replacement functions of `gsub`.
//!
//! Conventions shared by every function here:
//! - positions are 1-based and may be negative (counted from the end); they are
//!   read as C reads a `lua_Number` into an integer (truncation; NaN and values out
//!   of range become the most negative integer), and arguments that 5.1 reads with
//!   `luaL_checkint` are further cut to 32 bits, so `string.rep("x", 2^32 + 2)` is
//!   `"xx"` as in 5.1;
//! - a number where a string is expected is converted by `tostring`'s rules;
//! - errors carry 5.1's own words (`invalid capture index`,
//!   `invalid replacement value (a table)`, `bad argument #2 to 'format' ...`).
//!
//! `string.dump` is not here: the library that owns binary chunks adds it to the
//! `string` table after [`open`] has run (`Vm::register_lib("string", ...)` merges
//! into the existing table).
//!
//! Invariant: no function keeps a Lua value in a Rust local across a call back
//! into Lua unless that value is also on the stack (a collection may run there);
//! subject and pattern bytes are held as `Arc<[u8]>` copies of the handle, which
//! stay valid whatever the collector does.

use super::format::{c_long, format, FmtArg, FormatError, Need};
use super::lpattern::{self, Capture, Match, Matcher};
use crate::lua::func::NativeFn;
use crate::lua::numfmt::fmt_number;
use crate::lua::state::{LuaError, Vm};
use crate::lua::value::{StrRef, Value};

/// Runs a pending garbage collection. Called on entry by the functions that
/// allocate new strings, so a loop made only of library calls (which never
/// passes the VM's own collection points) still holds steady memory. Safe here:
/// at entry every value the function will use is on the stack.
#[inline]
pub(crate) fn gc_point(vm: &mut Vm) -> Result<(), LuaError> {
    if vm.heap.gc_due() {
        vm.gc_check()?;
    }
    Ok(())
}

/// A pattern matcher's [`lpattern::Meter`] that charges the VM's budget: one
/// unit per four matcher steps. The first error the charge gives (the hook's,
/// or an interrupt) stops the match and is kept for [`VmMeter::finish`].
struct VmMeter<'v> {
    vm: &'v mut Vm,
    err: Option<LuaError>,
}

impl lpattern::Meter for VmMeter<'_> {
    fn tick(&mut self, steps: u32) -> bool {
        match self.vm.charge(steps / 4) {
            Ok(()) => true,
            Err(e) => {
                self.err = Some(e);
                false
            }
        }
    }
}

/// Runs one metered step of a matcher: the result, the meter's error if it
/// stopped the match, or the pattern error as `luaL_error` raises it.
fn metered<T>(
    vm: &mut Vm,
    f: impl FnOnce(&mut VmMeter<'_>) -> Result<T, String>,
) -> Result<T, LuaError> {
    let mut meter = VmMeter { vm, err: None };
    let r = f(&mut meter);
    if let Some(e) = meter.err {
        return Err(e);
    }
    r.map_err(|e| vm.error_str(&e))
}

/// Bytes a native may build outside the heap before it accounts for them.
const GROWTH_STEP: usize = 1 << 16;

/// Accounts for a result buffer that grew to `len` bytes: charges the copying
/// to the budget (one unit per 256 bytes) and checks the heap limit, each time
/// the buffer passed `*next` (then moved one [`GROWTH_STEP`] further).
#[inline]
pub(crate) fn account_growth(vm: &mut Vm, len: usize, next: &mut usize) -> Result<(), LuaError> {
    if len >= *next {
        vm.charge((GROWTH_STEP / 256) as u32)?;
        vm.check_memory(len)?;
        *next = len + GROWTH_STEP;
    }
    Ok(())
}

/// `luaL_checkinteger`: the argument as C's `(ptrdiff_t)` of the number.
pub(crate) fn check_integer(vm: &mut Vm, i: usize) -> Result<i64, LuaError> {
    Ok(c_long(vm.check_number(i)?))
}

/// `luaL_optinteger`.
pub(crate) fn opt_integer(vm: &mut Vm, i: usize, def: i64) -> Result<i64, LuaError> {
    if vm.arg(i).is_nil() {
        Ok(def)
    } else {
        check_integer(vm, i)
    }
}

/// `luaL_checkint`: like [`check_integer`], then cut to C's `int`.
pub(crate) fn check_cint(vm: &mut Vm, i: usize) -> Result<i64, LuaError> {
    Ok(check_integer(vm, i)? as i32 as i64)
}

/// `luaL_optint`.
pub(crate) fn opt_cint(vm: &mut Vm, i: usize, def: i64) -> Result<i64, LuaError> {
    Ok(opt_integer(vm, i, def)? as i32 as i64)
}

/// 5.1's `posrelat`: a negative position counts from the end (-1 is the last
/// byte); the result is never negative.
fn posrelat(pos: i64, len: usize) -> i64 {
    let pos = if pos < 0 {
        pos.wrapping_add(len as i64 + 1)
    } else {
        pos
    };
    pos.max(0)
}

fn push_str(vm: &mut Vm, b: &[u8]) {
    let v = vm.new_str(b);
    vm.push(v);
}

fn s_len(vm: &mut Vm) -> Result<usize, LuaError> {
    let s = vm.check_str(1)?;
    let n = vm.str_bytes(s).len();
    vm.push(Value::Num(n as f64));
    Ok(1)
}

fn s_sub(vm: &mut Vm) -> Result<usize, LuaError> {
    gc_point(vm)?;
    let s = vm.check_str(1)?;
    let l = vm.str_bytes(s).len();
    let start = posrelat(check_integer(vm, 2)?, l).max(1);
    let end = posrelat(opt_integer(vm, 3, -1)?, l).min(l as i64);
    if start > end {
        push_str(vm, b"");
    } else if start == 1 && end == l as i64 {
        vm.push(Value::Str(s));
    } else {
        let src = vm.str_rc(s);
        push_str(vm, &src[start as usize - 1..end as usize]);
    }
    Ok(1)
}

fn s_reverse(vm: &mut Vm) -> Result<usize, LuaError> {
    gc_point(vm)?;
    let s = vm.check_str(1)?;
    let mut out = vm.str_bytes(s).to_vec();
    out.reverse();
    push_str(vm, &out);
    Ok(1)
}

fn s_lower(vm: &mut Vm) -> Result<usize, LuaError> {
    gc_point(vm)?;
    let s = vm.check_str(1)?;
    let out = vm.str_bytes(s).to_ascii_lowercase();
    push_str(vm, &out);
    Ok(1)
}

fn s_upper(vm: &mut Vm) -> Result<usize, LuaError> {
    gc_point(vm)?;
    let s = vm.check_str(1)?;
    let out = vm.str_bytes(s).to_ascii_uppercase();
    push_str(vm, &out);
    Ok(1)
}

/// Largest string `string.rep` builds before failing as an allocation would.
const MAX_STRING: usize = 1 << 31;

fn s_rep(vm: &mut Vm) -> Result<usize, LuaError> {
    gc_point(vm)?;
    let s = vm.check_str(1)?;
    let n = check_cint(vm, 2)?;
    let l = vm.str_bytes(s).len();
    if n <= 0 || l == 0 {
        push_str(vm, b"");
        return Ok(1);
    }
    let total = l.checked_mul(n as usize).filter(|&t| t < MAX_STRING);
    let Some(total) = total else {
        let v = vm.new_str(b"not enough memory");
        return Err(LuaError::Error(v));
    };
    vm.check_memory(total)?;
    let src = vm.str_rc(s);
    let mut out = Vec::with_capacity(total);
    let mut next = GROWTH_STEP;
    while out.len() < total {
        // whole copies of `src`, at least GROWTH_STEP bytes at a time
        let chunk = (total - out.len()).min(GROWTH_STEP.max(l));
        if l == 1 {
            out.resize(out.len() + chunk, src[0]);
        } else {
            for _ in 0..chunk.div_ceil(l) {
                out.extend_from_slice(&src);
            }
        }
        account_growth(vm, out.len(), &mut next)?;
    }
    push_str(vm, &out);
    Ok(1)
}

fn s_byte(vm: &mut Vm) -> Result<usize, LuaError> {
    let s = vm.check_str(1)?;
    let l = vm.str_bytes(s).len();
    let posi = posrelat(opt_integer(vm, 2, 1)?, l);
    let pose = posrelat(opt_integer(vm, 3, posi)?, l).min(l as i64);
    let posi = posi.max(1);
    if posi > pose {
        return Ok(0);
    }
    let n = (pose - posi + 1) as usize;
    if n > crate::lua::state::MAX_STACK {
        return Err(vm.error_str("string slice too long"));
    }
    vm.ensure_stack(vm.top + n)?;
    for i in posi..=pose {
        let b = vm.str_bytes(s)[i as usize - 1];
        vm.push(Value::Num(b as f64));
    }
    Ok(n)
}

fn s_char(vm: &mut Vm) -> Result<usize, LuaError> {
    gc_point(vm)?;
    let n = vm.arg_count();
    let mut out = Vec::with_capacity(n);
    for i in 1..=n {
        let c = check_cint(vm, i)?;
        if !(0..=255).contains(&c) {
            return Err(vm.arg_error(i, "invalid value"));
        }
        out.push(c as u8);
    }
    push_str(vm, &out);
    Ok(1)
}

fn s_format(vm: &mut Vm) -> Result<usize, LuaError> {
    gc_point(vm)?;
    let fs = vm.check_str(1)?;
    let nvalues = vm.arg_count() - 1;
    let mut out = Vec::new();
    let res = {
        let vmr: &Vm = vm;
        let fmt = vmr.str_bytes(fs);
        out.reserve(fmt.len() + 16);
        format(
            fmt,
            nvalues,
            &mut |k, need| match vmr.arg(k + 1) {
                Value::Num(x) => Ok(FmtArg::Number(x)),
                Value::Str(s) => Ok(FmtArg::Str(vmr.str_bytes(s))),
                other => Err(format!(
                    "{} expected, got {}",
                    match need {
                        Need::Number => "number",
                        Need::String => "string",
                    },
                    other.type_name()
                )),
            },
            &mut out,
        )
    };
    match res {
        Ok(()) => {
            push_str(vm, &out);
            Ok(1)
        }
        Err(FormatError::BadArgument { arg, msg }) => Err(vm.arg_error(arg, &msg)),
        Err(FormatError::Message(m)) => Err(vm.error_str(&m)),
    }
}

// ----- patterns -------------------------------------------------------------

/// Pushes capture `i` of `m` as 5.1's `push_onecapture` does (the whole match
/// stands for capture 0 of a pattern without captures).
fn push_capture(vm: &mut Vm, src: &[u8], m: &Match, i: usize) -> Result<(), LuaError> {
    match m.capture_or_whole(i) {
        Ok(Capture::Range(a, b)) => push_str(vm, &src[a..b]),
        Ok(Capture::Position(p)) => vm.push(Value::Num((p + 1) as f64)),
        Err(e) => return Err(vm.error_str(&e)),
    }
    Ok(())
}

/// Pushes all captures (`whole`: the whole match when there are none, as
/// `match`/`gmatch` do; `find` passes false and pushes nothing then).
fn push_captures(vm: &mut Vm, src: &[u8], m: &Match, whole: bool) -> Result<usize, LuaError> {
    let n = if whole { m.result_count() } else { m.len() };
    vm.ensure_stack(vm.top + n)?;
    for i in 0..n {
        push_capture(vm, src, m, i)?;
    }
    Ok(n)
}

/// `string.find` (`find = true`) and `string.match`.
fn find_aux(vm: &mut Vm, find: bool) -> Result<usize, LuaError> {
    gc_point(vm)?;
    let s = vm.check_str(1)?;
    let p = vm.check_str(2)?;
    let src = vm.str_rc(s);
    let pat = vm.str_rc(p);
    let l = src.len();
    let init = (posrelat(opt_integer(vm, 3, 1)?, l) - 1).clamp(0, l as i64) as usize;
    if find && (vm.arg(4).truthy() || !lpattern::has_specials(&pat)) {
        if let Some(i) = lpattern::find_plain(&src, &pat, init) {
            vm.push(Value::Num((i + 1) as f64));
            vm.push(Value::Num((i + pat.len()) as f64));
            return Ok(2);
        }
    } else {
        let (anchored, pat) = lpattern::split_anchor(&pat);
        let mut ms = Matcher::new(&src, pat);
        let mut s1 = init;
        loop {
            let r = if ms.may_start_at(s1) {
                metered(vm, |m| ms.end_at_metered(s1, m))?
            } else {
                None
            };
            if let Some(e) = r {
                let m = ms.snapshot(s1, e);
                if find {
                    vm.push(Value::Num((s1 + 1) as f64));
                    vm.push(Value::Num(e as f64));
                    return Ok(2 + push_captures(vm, &src, &m, false)?);
                }
                return push_captures(vm, &src, &m, true);
            }
            s1 += 1;
            if anchored || s1 > src.len() {
                break;
            }
        }
    }
    vm.push(Value::Nil);
    Ok(1)
}

fn s_find(vm: &mut Vm) -> Result<usize, LuaError> {
    find_aux(vm, true)
}

fn s_match(vm: &mut Vm) -> Result<usize, LuaError> {
    find_aux(vm, false)
}

/// The iterator `gmatch` returns; its upvalues are the subject, the pattern and
/// the offset where the next search starts.
fn gmatch_aux(vm: &mut Vm) -> Result<usize, LuaError> {
    gc_point(vm)?;
    let (Value::Str(s), Value::Str(p), Value::Num(start)) =
        (vm.upvalue(0), vm.upvalue(1), vm.upvalue(2))
    else {
        return Ok(0);
    };
    let src = vm.str_rc(s);
    let pat = vm.str_rc(p);
    let mut ms = Matcher::new(&src, &pat);
    let mut pos = start as usize;
    while pos <= src.len() {
        if !ms.may_start_at(pos) {
            pos += 1;
            continue;
        }
        match metered(vm, |m| ms.end_at_metered(pos, m))? {
            Some(e) => {
                // After an empty match the next search starts one byte further.
                let next = if e == pos { e + 1 } else { e };
                vm.set_upvalue(2, Value::Num(next as f64));
                let m = ms.snapshot(pos, e);
                return push_captures(vm, &src, &m, true);
            }
            None => pos += 1,
        }
    }
    Ok(0)
}

fn s_gmatch(vm: &mut Vm) -> Result<usize, LuaError> {
    let s = vm.check_str(1)?;
    let p = vm.check_str(2)?;
    let it = vm.new_native_closure(
        gmatch_aux,
        "gmatch_aux",
        vec![Value::Str(s), Value::Str(p), Value::Num(0.0)],
    );
    vm.push(it);
    Ok(1)
}

/// What `gsub` replaces each match with.
enum Repl {
    Str(std::sync::Arc<[u8]>),
    Table(Value),
    Func(Value),
}

fn s_gsub(vm: &mut Vm) -> Result<usize, LuaError> {
    gc_point(vm)?;
    let s = vm.check_str(1)?;
    let p = vm.check_str(2)?;
    let src = vm.str_rc(s);
    let pat = vm.str_rc(p);
    let rv = vm.arg(3);
    let repl = match rv {
        Value::Num(n) => {
            let r = vm.number_to_str(n);
            vm.set_arg(3, Value::Str(r));
            Repl::Str(vm.str_rc(r))
        }
        Value::Str(r) => Repl::Str(vm.str_rc(r)),
        Value::Table(_) => Repl::Table(rv),
        Value::Func(_) => Repl::Func(rv),
        _ => return Err(vm.arg_error(3, "string/function/table expected")),
    };
    let max_n = opt_cint(vm, 4, src.len() as i64 + 1)?;
    let (anchored, pat) = lpattern::split_anchor(&pat);
    let mut ms = Matcher::new(&src, pat);
    // Unmatched bytes are copied lazily, in runs: `src[..copied]` is in `out`.
    let mut out: Vec<u8> = Vec::new();
    let mut copied = 0;
    let mut pos = 0;
    let mut n: i64 = 0;
    let mut next = GROWTH_STEP;
    while n < max_n {
        let e = if !ms.may_start_at(pos) {
            None
        } else {
            metered(vm, |m| ms.end_at_metered(pos, m))?
        };
        if let Some(e) = e {
            n += 1;
            if out.capacity() == 0 {
                out.reserve(src.len() + 16);
            }
            out.extend_from_slice(&src[copied..pos]);
            let m = ms.snapshot(pos, e);
            add_value(vm, &src, &m, &repl, &mut out)?;
            account_growth(vm, out.len(), &mut next)?;
            copied = e;
        }
        match e {
            Some(e) if e > pos => pos = e,
            // No match, or an empty one: the byte at `pos` stays as it is.
            _ if pos < src.len() => pos += 1,
            _ => break,
        }
        if anchored {
            break;
        }
    }
    if n == 0 {
        // Nothing replaced: the result is the subject itself.
        vm.push(Value::Str(s));
    } else {
        out.extend_from_slice(&src[copied..]);
        push_str(vm, &out);
    }
    vm.push(Value::Num(n as f64));
    Ok(2)
}

/// Appends the replacement of match `m` (5.1's `add_value`).
fn add_value(
    vm: &mut Vm,
    src: &[u8],
    m: &Match,
    repl: &Repl,
    out: &mut Vec<u8>,
) -> Result<(), LuaError> {
    let v = match repl {
        Repl::Str(r) => {
            return lpattern::expand_replacement(src, m, r, out).map_err(|e| vm.error_str(&e));
        }
        Repl::Table(t) => {
            push_capture(vm, src, m, 0)?;
            let k = vm.pop();
            // The key is the only value not on the stack while __index runs.
            vm.push(k);
            let r = vm.get_table(*t, k, None);
            vm.pop();
            r?
        }
        Repl::Func(f) => {
            vm.push(*f);
            let n = push_captures(vm, src, m, true)?;
            vm.call_stack(n, 1)?;
            vm.pop()
        }
    };
    match v {
        Value::Nil | Value::Bool(false) => out.extend_from_slice(&src[m.start..m.end]),
        Value::Str(s) => out.extend_from_slice(vm.str_bytes(s)),
        Value::Num(x) => fmt_number(x, out),
        other => {
            let msg = format!("invalid replacement value (a {})", other.type_name());
            return Err(vm.error_str(&msg));
        }
    }
    Ok(())
}

/// Opens the string library: the global `string` table and the metatable
/// shared by all strings (`__index` = `string`).
pub fn open(vm: &mut Vm) {
    let funcs: &[(&'static str, NativeFn)] = &[
        ("byte", s_byte),
        ("char", s_char),
        ("find", s_find),
        ("format", s_format),
        ("gmatch", s_gmatch),
        ("gsub", s_gsub),
        ("len", s_len),
        ("lower", s_lower),
        ("match", s_match),
        ("rep", s_rep),
        ("reverse", s_reverse),
        ("sub", s_sub),
        ("upper", s_upper),
    ];
    let lib = vm.register_lib("string", funcs);
    // 5.1's compat `gfind` is the very same function as `gmatch`.
    let gmatch = vm.raw_get_str(lib, "gmatch");
    vm.raw_set_str(lib, "gfind", gmatch);
    let mt = vm.new_table_sized(0, 1);
    vm.raw_set_str(mt, "__index", Value::Table(lib));
    let any: StrRef = match vm.new_str(b"") {
        Value::Str(s) => s,
        _ => return,
    };
    vm.set_metatable(Value::Str(any), Some(mt));
}
