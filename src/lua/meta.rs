//! Metamethods and the slow paths of the VM's operators (Lua 5.1's lvm.c
//! helpers and ltm.c): indexing with `__index`/`__newindex` chains,
//! arithmetic with string coercion and `__add`..`__unm`, comparison with
//! `__eq`/`__lt`/`__le` under 5.1's rules, `..` with `__concat`, `#`, and
//! `tostring` with `__tostring`.
//!
//! The `reg` arguments name the stack slot an operand came from (when it did),
//! so type errors can describe the variable (`global 'x'`).

use super::state::{LuaError, Tm, Vm};
use super::value::{StrRef, Value};

/// Longest `__index`/`__newindex` chain (`MAXTAGLOOP`).
const MAXTAGLOOP: usize = 100;

/// `a % b` as Lua 5.1 defines it: `a - floor(a/b)*b`.
#[inline(always)]
pub fn lua_mod(a: f64, b: f64) -> f64 {
    a - fast_floor(a / b) * b
}

/// `floor` without a libm call for the common range (|x| < 2^52).
#[inline(always)]
pub fn fast_floor(x: f64) -> f64 {
    if x.abs() < 4_503_599_627_370_496.0 {
        let t = x as i64 as f64;
        if t > x {
            t - 1.0
        } else {
            t
        }
    } else {
        x.floor()
    }
}

/// The arithmetic of one event on two numbers.
#[inline]
pub fn arith_op(op: Tm, a: f64, b: f64) -> f64 {
    match op {
        Tm::Add => a + b,
        Tm::Sub => a - b,
        Tm::Mul => a * b,
        Tm::Div => a / b,
        Tm::Mod => lua_mod(a, b),
        Tm::Pow => a.powf(b),
        Tm::Unm => -a,
        _ => f64::NAN,
    }
}

impl Vm {
    /// `obj[key]` with `__index` (5.1's `luaV_gettable`).
    pub fn get_table(
        &mut self,
        obj: Value,
        key: Value,
        reg: Option<usize>,
    ) -> Result<Value, LuaError> {
        let mut t = obj;
        for n in 0..MAXTAGLOOP {
            let tm;
            if let Value::Table(h) = t {
                let tb = self.heap.table(h);
                let v = tb.get_fast(&key, &self.heap.strings);
                if !v.is_nil() {
                    return Ok(v);
                }
                match tb.meta {
                    None => return Ok(Value::Nil),
                    Some(mt) => {
                        tm = self.fast_tm_cache(mt, Tm::Index);
                        if tm.is_nil() {
                            return Ok(Value::Nil);
                        }
                    }
                }
            } else {
                tm = self.metamethod(t, Tm::Index);
                if tm.is_nil() {
                    return Err(self.type_error_reg(t, "index", if n == 0 { reg } else { None }));
                }
            }
            if let Value::Func(_) = tm {
                return self.call_value1(tm, t, key);
            }
            t = tm;
        }
        Err(self.runtime_error("loop in gettable"))
    }

    /// `obj[key] = val` with `__newindex` (5.1's `luaV_settable`).
    pub fn set_table(
        &mut self,
        obj: Value,
        key: Value,
        val: Value,
        reg: Option<usize>,
    ) -> Result<(), LuaError> {
        let mut t = obj;
        for n in 0..MAXTAGLOOP {
            let tm;
            if let Value::Table(h) = t {
                let tb = self.heap.tables.get(h);
                let meta = tb.meta;
                let absent = meta.is_some() && tb.get(&key, &self.heap.strings).is_nil();
                tm = match (absent, meta) {
                    (true, Some(mt)) => self.fast_tm_cache(mt, Tm::NewIndex),
                    _ => Value::Nil,
                };
                if tm.is_nil() {
                    if let Err(e) = self.heap.table_set(h, key, val) {
                        return Err(self.runtime_error(e.message()));
                    }
                    // growing a table is an allocation too
                    if self.heap.gc_due() {
                        self.gc_check()?;
                    }
                    return Ok(());
                }
            } else {
                tm = self.metamethod(t, Tm::NewIndex);
                if tm.is_nil() {
                    return Err(self.type_error_reg(t, "index", if n == 0 { reg } else { None }));
                }
            }
            if let Value::Func(_) = tm {
                let func = self.top;
                self.ensure_stack(func + 5)?;
                self.stack[func] = tm;
                self.stack[func + 1] = t;
                self.stack[func + 2] = key;
                self.stack[func + 3] = val;
                self.top = func + 4;
                self.call_at(func, 0)?;
                self.top = func;
                return Ok(());
            }
            t = tm;
        }
        Err(self.runtime_error("loop in settable"))
    }

    /// Arithmetic on non-numbers: string coercion, then the metamethod of the
    /// first operand that has one, else an error naming the culprit.
    pub(crate) fn arith_slow(
        &mut self,
        op: Tm,
        a: Value,
        b: Value,
        ra: Option<usize>,
        rb: Option<usize>,
    ) -> Result<Value, LuaError> {
        if let (Some(x), Some(y)) = (self.to_number(a), self.to_number(b)) {
            return Ok(Value::Num(arith_op(op, x, y)));
        }
        let mut tm = self.metamethod(a, op);
        if tm.is_nil() {
            tm = self.metamethod(b, op);
        }
        if !tm.is_nil() {
            return self.call_value1(tm, a, b);
        }
        // 5.1's luaG_aritherror: blame the second operand if the first is numeric
        let (v, r) = if self.to_number(a).is_some() {
            (b, rb)
        } else {
            (a, ra)
        };
        Err(self.type_error_reg(v, "perform arithmetic on", r))
    }

    /// The metamethod both operands share for a comparison (5.1's `get_comp_tm`).
    fn comp_tm(&self, a: Value, b: Value, event: Tm) -> Value {
        let tm1 = self.metamethod(a, event);
        if tm1.is_nil() {
            return Value::Nil;
        }
        let ma = self.get_metatable(a);
        let mb = self.get_metatable(b);
        if ma == mb {
            return tm1;
        }
        let tm2 = self.metamethod(b, event);
        if tm1 == tm2 {
            tm1
        } else {
            Value::Nil
        }
    }

    /// `a == b` with `__eq` (only for two tables or two userdata).
    pub fn equals(&mut self, a: Value, b: Value) -> Result<bool, LuaError> {
        if a == b {
            return Ok(true);
        }
        match (a, b) {
            (Value::Table(_), Value::Table(_)) | (Value::UserData(_), Value::UserData(_)) => {
                let tm = self.comp_tm(a, b, Tm::Eq);
                if tm.is_nil() {
                    return Ok(false);
                }
                Ok(self.call_value1(tm, a, b)?.truthy())
            }
            _ => Ok(false),
        }
    }

    fn order_error(&mut self, a: Value, b: Value) -> LuaError {
        let (t1, t2) = (a.type_name(), b.type_name());
        if t1 == t2 {
            self.runtime_error(&format!("attempt to compare two {} values", t1))
        } else {
            self.runtime_error(&format!("attempt to compare {} with {}", t1, t2))
        }
    }

    /// `a < b` (5.1's `luaV_lessthan`).
    pub fn less_than(&mut self, a: Value, b: Value) -> Result<bool, LuaError> {
        match (a, b) {
            (Value::Num(x), Value::Num(y)) => Ok(x < y),
            (Value::Str(x), Value::Str(y)) => Ok(self.heap.str_bytes(x) < self.heap.str_bytes(y)),
            _ => {
                if a.type_of() == b.type_of() {
                    let tm = self.comp_tm(a, b, Tm::Lt);
                    if !tm.is_nil() {
                        return Ok(self.call_value1(tm, a, b)?.truthy());
                    }
                }
                Err(self.order_error(a, b))
            }
        }
    }

    /// `a <= b` (5.1's `lessequal`: `__le`, else `not (b < a)` via `__lt`).
    pub fn less_equal(&mut self, a: Value, b: Value) -> Result<bool, LuaError> {
        match (a, b) {
            (Value::Num(x), Value::Num(y)) => Ok(x <= y),
            (Value::Str(x), Value::Str(y)) => Ok(self.heap.str_bytes(x) <= self.heap.str_bytes(y)),
            _ => {
                if a.type_of() == b.type_of() {
                    let tm = self.comp_tm(a, b, Tm::Le);
                    if !tm.is_nil() {
                        return Ok(self.call_value1(tm, a, b)?.truthy());
                    }
                    let tm = self.comp_tm(b, a, Tm::Lt);
                    if !tm.is_nil() {
                        return Ok(!self.call_value1(tm, b, a)?.truthy());
                    }
                }
                Err(self.order_error(a, b))
            }
        }
    }

    /// The length operator: strings, tables (no metamethod in 5.1), else `__len`.
    pub(crate) fn len_of(&mut self, v: Value, reg: Option<usize>) -> Result<Value, LuaError> {
        match v {
            Value::Str(s) => Ok(Value::Num(self.heap.str_bytes(s).len() as f64)),
            Value::Table(t) => Ok(Value::Num(self.heap.table(t).length() as f64)),
            _ => {
                let tm = self.metamethod(v, Tm::Len);
                if tm.is_nil() {
                    return Err(self.type_error_reg(v, "get length of", reg));
                }
                self.call_value1(tm, v, Value::Nil)
            }
        }
    }

    /// Concatenates `stack[first..=last]` into `stack[first]` (5.1's `luaV_concat`:
    /// runs of strings and numbers are joined at once; `__concat` pairwise from the right).
    pub(crate) fn concat(&mut self, first: usize, last: usize) -> Result<(), LuaError> {
        let mut top = last + 1; // one past the last operand
        let mut total = last - first + 1;
        while total > 1 {
            let a = self.stack[top - 2];
            let b = self.stack[top - 1];
            let a_ok = matches!(a, Value::Str(_) | Value::Num(_));
            let b_ok = matches!(b, Value::Str(_) | Value::Num(_));
            let n;
            if !a_ok || !b_ok {
                let mut tm = self.metamethod(a, Tm::Concat);
                if tm.is_nil() {
                    tm = self.metamethod(b, Tm::Concat);
                }
                if tm.is_nil() {
                    let (v, r) = if a_ok { (b, top - 1) } else { (a, top - 2) };
                    return Err(self.type_error_reg(v, "concatenate", Some(r)));
                }
                let saved = self.top;
                self.top = self.top.max(top);
                let r = self.call_value1(tm, a, b)?;
                self.top = saved;
                self.stack[top - 2] = r;
                n = 2;
            } else {
                // gather as many string/number operands as possible
                let mut cnt = 1;
                let mut len = 0;
                while cnt < total {
                    let v = self.stack[top - cnt - 1];
                    if !matches!(v, Value::Str(_) | Value::Num(_)) {
                        break;
                    }
                    cnt += 1;
                }
                let start = top - cnt;
                for i in start..top {
                    if let Value::Num(x) = self.stack[i] {
                        let s = self.number_to_str(x);
                        self.stack[i] = Value::Str(s);
                    }
                    if let Value::Str(s) = self.stack[i] {
                        len += self.heap.str_bytes(s).len();
                    }
                }
                let mut buf = Vec::with_capacity(len);
                for i in start..top {
                    if let Value::Str(s) = self.stack[i] {
                        buf.extend_from_slice(self.heap.str_bytes(s));
                    }
                }
                let s = self.new_str(&buf);
                self.stack[start] = s;
                n = cnt;
            }
            total -= n - 1;
            top -= n - 1;
        }
        Ok(())
    }

    /// `tostring(v)`: the result of `__tostring` if present (whatever it is, as
    /// 5.1 returns it), else the default text.
    pub fn tostring(&mut self, v: Value) -> Result<Value, LuaError> {
        if let Some(mt) = self.get_metatable(v) {
            let k = self.new_str(b"__tostring");
            let f = self.heap.tables.get(mt).get(&k, &self.heap.strings);
            if !f.is_nil() {
                return self.call_value1(f, v, Value::Nil);
            }
        }
        Ok(Value::Str(self.tostring_raw(v)))
    }

    /// The default text of a value (`nil`, `true`, `1.5`, `table: 0x...`).
    pub fn tostring_raw(&mut self, v: Value) -> StrRef {
        let text: String = match v {
            Value::Str(s) => return s,
            Value::Num(n) => return self.number_to_str(n),
            Value::Nil => "nil".into(),
            Value::Bool(b) => {
                if b {
                    "true".into()
                } else {
                    "false".into()
                }
            }
            Value::Table(h) => format!("table: 0x{:08x}", 0x1000_0000u64 + h.index() as u64 * 64),
            Value::Func(h) => format!("function: 0x{:08x}", 0x2000_0000u64 + h.index() as u64 * 64),
            Value::UserData(h) => {
                format!("userdata: 0x{:08x}", 0x3000_0000u64 + h.index() as u64 * 64)
            }
            Value::Thread(h) => format!("thread: 0x{:08x}", 0x4000_0000u64 + h.index() as u64 * 64),
            Value::LightUserData(p) => format!("userdata: 0x{:08x}", p),
        };
        self.heap.intern(text.as_bytes())
    }
}
