//! The table library (Lua 5.1's ltablib.c): `concat insert remove sort maxn`
//! and the compat functions `getn setn foreach foreachi`.
//!
//! As in 5.1, every access to the table is raw (no `__index`/`__newindex`), the
//! length is the raw `#` border, and integer arguments are read as C's `int`
//! (so positions wrap at 2^32 exactly as 5.1's do). The error texts are those of
//! the reference interpreter: `wrong number of arguments to 'insert'`,
//! `invalid value (boolean) at index 2 in table for 'concat'`,
//! `invalid order function for sorting`, `'setn' is obsolete`.
//!
//! `sort` is 5.1's quicksort step for step (median of three, the same
//! comparisons in the same order), so comparators that are inconsistent, have
//! side effects or raise errors see exactly the calls 5.1 makes and leave the
//! table in the same state.
//!
//! Invariant: while a comparator or callback runs, every value `sort` still
//! needs (the pivot and the two elements being compared) is on the stack, in
//! slots reserved above the arguments; a collection during the call keeps them.

use super::string::{check_cint, gc_point, opt_cint};
use crate::lua::func::NativeFn;
use crate::lua::numfmt::fmt_number;
use crate::lua::state::{LuaError, Vm};
use crate::lua::value::{TableRef, Type, Value};

/// Raw `t[i]`.
#[inline]
fn geti(vm: &Vm, t: TableRef, i: i64) -> Value {
    vm.heap.table(t).get_int(i)
}

/// Raw `t[i] = v`; fails only for a read-only table (Redis's sandbox).
#[inline]
fn seti(vm: &mut Vm, t: TableRef, i: i64, v: Value) -> Result<(), LuaError> {
    let tb = vm.heap.table_mut(t);
    let u = (i as u64).wrapping_sub(1);
    if u < tb.array.len() as u64 && !tb.readonly {
        tb.store_array(u as usize, v);
        vm.heap.table_barrier(t, Value::Nil, v);
        Ok(())
    } else {
        // An integer key is never nil or NaN: only a read-only table refuses.
        vm.raw_set(t, Value::Num(i as f64), v)
    }
}

/// The raw length of table `t`, as 5.1's `luaL_getn` reads it (a C `int`).
fn getn(vm: &Vm, t: TableRef) -> i64 {
    vm.heap.table(t).length() as i32 as i64
}

/// `aux_getn`: argument 1 must be a table; its length.
fn aux_getn(vm: &mut Vm) -> Result<(TableRef, i64), LuaError> {
    let t = vm.check_table(1)?;
    Ok((t, getn(vm, t)))
}

fn t_getn(vm: &mut Vm) -> Result<usize, LuaError> {
    let (_, n) = aux_getn(vm)?;
    vm.push(Value::Num(n as f64));
    Ok(1)
}

fn t_setn(vm: &mut Vm) -> Result<usize, LuaError> {
    vm.check_table(1)?;
    Err(vm.error_str("'setn' is obsolete"))
}

fn t_maxn(vm: &mut Vm) -> Result<usize, LuaError> {
    let t = vm.check_table(1)?;
    let mut max = 0.0f64;
    vm.heap.table(t).for_each(|k, _| {
        if let Value::Num(x) = *k {
            if x > max {
                max = x;
            }
        }
    });
    vm.push(Value::Num(max));
    Ok(1)
}

fn t_insert(vm: &mut Vm) -> Result<usize, LuaError> {
    let (t, n) = aux_getn(vm)?;
    let mut e = (n + 1) as i32 as i64;
    let pos = match vm.arg_count() {
        2 => e,
        3 => {
            let pos = check_cint(vm, 2)?;
            if pos > e {
                e = pos;
            }
            let mut i = e;
            while i > pos {
                if i & 1023 == 0 {
                    vm.charge(64)?;
                }
                let v = geti(vm, t, i - 1);
                seti(vm, t, i, v)?;
                i -= 1;
            }
            pos
        }
        _ => return Err(vm.error_str("wrong number of arguments to 'insert'")),
    };
    let v = vm.arg(vm.arg_count());
    seti(vm, t, pos, v)?;
    Ok(0)
}

fn t_remove(vm: &mut Vm) -> Result<usize, LuaError> {
    let (t, e) = aux_getn(vm)?;
    let mut pos = opt_cint(vm, 2, e)?;
    if !(1 <= pos && pos <= e) {
        return Ok(0);
    }
    let r = geti(vm, t, pos);
    vm.push(r);
    while pos < e {
        if pos & 1023 == 0 {
            vm.charge(64)?;
        }
        let v = geti(vm, t, pos + 1);
        seti(vm, t, pos, v)?;
        pos += 1;
    }
    seti(vm, t, e, Value::Nil)?;
    Ok(1)
}

fn t_concat(vm: &mut Vm) -> Result<usize, LuaError> {
    gc_point(vm)?;
    let sep = match vm.arg(2) {
        Value::Nil => None,
        _ => Some(vm.check_str(2)?),
    };
    let t = vm.check_table(1)?;
    let mut i = opt_cint(vm, 3, 1)?;
    let last = if vm.arg(4).is_nil() {
        getn(vm, t)
    } else {
        check_cint(vm, 4)?
    };
    let mut out: Vec<u8> = Vec::new();
    let sep: std::sync::Arc<[u8]> = match sep {
        Some(s) => vm.str_rc(s),
        None => std::sync::Arc::from(&b""[..]),
    };
    let mut next = 1 << 16;
    while i <= last {
        vm.charge(1)?;
        super::string::account_growth(vm, out.len(), &mut next)?;
        match vm.heap.table(t).get_int(i) {
            Value::Str(s) => out.extend_from_slice(vm.heap.str_bytes(s)),
            Value::Num(x) => fmt_number(x, &mut out),
            other => {
                let msg = format!(
                    "invalid value ({}) at index {} in table for 'concat'",
                    other.type_name(),
                    i
                );
                return Err(vm.error_str(&msg));
            }
        }
        if i == last {
            break;
        }
        out.extend_from_slice(&sep);
        i += 1;
    }
    let v = vm.new_str(&out);
    vm.push(v);
    Ok(1)
}

fn t_foreachi(vm: &mut Vm) -> Result<usize, LuaError> {
    let (t, n) = aux_getn(vm)?;
    vm.check_type(2, Type::Function)?;
    let f = vm.arg(2);
    for i in 1..=n {
        vm.push(f);
        vm.push(Value::Num(i as f64));
        let v = geti(vm, t, i);
        vm.push(v);
        vm.call_stack(2, 1)?;
        if !vm.arg(vm.arg_count()).is_nil() {
            return Ok(1);
        }
        vm.pop();
    }
    Ok(0)
}

fn t_foreach(vm: &mut Vm) -> Result<usize, LuaError> {
    let t = vm.check_table(1)?;
    vm.check_type(2, Type::Function)?;
    let f = vm.arg(2);
    // The current key sits on the stack (slot `kslot`) so it survives the calls.
    vm.push(Value::Nil);
    let kslot = vm.arg_count();
    loop {
        let k = vm.arg(kslot);
        let next = match vm.heap.tables.get(t).next(&k, &vm.heap.strings) {
            Ok(n) => n,
            Err(_) => return Err(vm.error_str("invalid key to 'next'")),
        };
        let Some((k, v)) = next else {
            return Ok(0);
        };
        vm.set_arg(kslot, k);
        vm.push(f);
        vm.push(k);
        vm.push(v);
        vm.call_stack(2, 1)?;
        if !vm.arg(vm.arg_count()).is_nil() {
            return Ok(1);
        }
        vm.pop();
    }
}

// ----- sort -----------------------------------------------------------------

/// The state of one `table.sort` call: the table, the comparator (nil for `<`)
/// and the stack slots (argument numbers) that keep the values in play alive.
struct Sorter {
    t: TableRef,
    comp: Value,
    /// Stack index of the slot holding the pivot.
    sp: usize,
    /// Stack indexes of the slots holding the two most recently read elements.
    sa: usize,
    sb: usize,
}

impl Sorter {
    /// `a < b` by the comparator, or by Lua's `<` without one.
    #[inline]
    fn lt(&self, vm: &mut Vm, a: Value, b: Value) -> Result<bool, LuaError> {
        // each comparison is work the hook must be able to interrupt
        vm.charge(1)?;
        if self.comp.is_nil() {
            match (a, b) {
                (Value::Num(x), Value::Num(y)) => Ok(x < y),
                _ => vm.less_than(a, b),
            }
        } else {
            Ok(vm.call_value1(self.comp, a, b)?.truthy())
        }
    }

    /// Reads `t[i]`, keeping it in the rooted stack slot `slot`. Numbers and
    /// strings compared by the default `<` need no root (no Lua code runs
    /// then), which spares the store in the common case.
    #[inline]
    fn read(&self, vm: &mut Vm, slot: usize, i: i64) -> Value {
        let v = geti(vm, self.t, i);
        if !self.comp.is_nil() || !matches!(v, Value::Num(_) | Value::Str(_)) {
            vm.stack[slot] = v;
        }
        v
    }

    fn order_error(&self, vm: &mut Vm) -> LuaError {
        vm.error_str("invalid order function for sorting")
    }

    /// 5.1's `auxsort` on `t[l..=u]`: recursion on the smaller part, a loop on
    /// the larger one.
    fn sort(&self, vm: &mut Vm, mut l: i64, mut u: i64) -> Result<(), LuaError> {
        let (sp, sa, sb) = (self.sp, self.sa, self.sb);
        while l < u {
            // Order t[l], t[(l+u)/2], t[u].
            let al = self.read(vm, sa, l);
            let au = self.read(vm, sb, u);
            if self.lt(vm, au, al)? {
                seti(vm, self.t, l, au)?;
                seti(vm, self.t, u, al)?;
            }
            if u - l == 1 {
                break;
            }
            let mut i = (l + u) / 2;
            let ai = self.read(vm, sa, i);
            let al = self.read(vm, sb, l);
            if self.lt(vm, ai, al)? {
                seti(vm, self.t, i, al)?;
                seti(vm, self.t, l, ai)?;
            } else {
                let au = self.read(vm, sb, u);
                if self.lt(vm, au, ai)? {
                    seti(vm, self.t, i, au)?;
                    seti(vm, self.t, u, ai)?;
                }
            }
            if u - l == 2 {
                break;
            }
            // The pivot P = t[i] goes to u-1.
            let p = self.read(vm, sp, i);
            let au1 = self.read(vm, sa, u - 1);
            seti(vm, self.t, i, au1)?;
            seti(vm, self.t, u - 1, p)?;
            i = l;
            let mut j = u - 1;
            loop {
                // Repeat ++i while t[i] < P.
                let ai = loop {
                    i += 1;
                    let ai = self.read(vm, sa, i);
                    if !self.lt(vm, ai, p)? {
                        break ai;
                    }
                    if i > u {
                        return Err(self.order_error(vm));
                    }
                };
                // Repeat --j while P < t[j].
                let aj = loop {
                    j -= 1;
                    let aj = self.read(vm, sb, j);
                    if !self.lt(vm, p, aj)? {
                        break aj;
                    }
                    if j < l {
                        return Err(self.order_error(vm));
                    }
                };
                if j < i {
                    break;
                }
                seti(vm, self.t, i, aj)?;
                seti(vm, self.t, j, ai)?;
            }
            let au1 = self.read(vm, sa, u - 1);
            let ai = self.read(vm, sb, i);
            seti(vm, self.t, u - 1, ai)?;
            seti(vm, self.t, i, au1)?;
            // Recurse into the smaller part, loop on the larger.
            let (rl, ru);
            if i - l < u - i {
                rl = l;
                ru = i - 1;
                l = i + 1;
            } else {
                rl = i + 1;
                ru = u;
                u = i - 1;
            }
            self.sort(vm, rl, ru)?;
        }
        Ok(())
    }
}

fn t_sort(vm: &mut Vm) -> Result<usize, LuaError> {
    let (t, n) = aux_getn(vm)?;
    let comp = vm.arg(2);
    if !comp.is_nil() {
        vm.check_type(2, Type::Function)?;
    }
    // Reserve three rooted slots above the arguments (at least two of them).
    while vm.arg_count() < 2 {
        vm.push(Value::Nil);
    }
    for _ in 0..3 {
        vm.push(Value::Nil);
    }
    let top = vm.top;
    let s = Sorter {
        t,
        comp,
        sp: top - 3,
        sa: top - 2,
        sb: top - 1,
    };
    s.sort(vm, 1, n)?;
    Ok(0)
}

/// Opens the table library (the global `table`).
pub fn open(vm: &mut Vm) {
    let funcs: &[(&'static str, NativeFn)] = &[
        ("concat", t_concat),
        ("foreach", t_foreach),
        ("foreachi", t_foreachi),
        ("getn", t_getn),
        ("insert", t_insert),
        ("maxn", t_maxn),
        ("remove", t_remove),
        ("setn", t_setn),
        ("sort", t_sort),
    ];
    vm.register_lib("table", funcs);
}
