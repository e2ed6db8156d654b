//! The dispatch loop (Lua 5.1's `luaV_execute`).
//!
//! One loop runs every Lua frame of the running coroutine. CALL of a Lua
//! function pushes a [`CallInfo`] and reloads the frame locals (`proto`,
//! `base`, `pc`); RETURN pops it and continues the caller; TAILCALL replaces
//! the running frame, so tail recursion runs in constant space. Rust recursion
//! happens only when native code calls back into Lua (see [`super::call`]).
//!
//! Hot-path rules: `pc` and `base` live in locals and `pc` is written back to
//! the frame (`save!`) only before an operation that can fail, call out or
//! collect; number arithmetic, comparisons and table access with a table
//! operand are handled inline, everything else goes to [`super::meta`].
//!
//! Budget: the event counter is decremented at backward jumps and calls; when
//! it reaches zero the hook runs (it may raise an error to stop the script).
//! GC: a collection can start only at NEWTABLE, CONCAT and CLOSURE (and in
//! natives such as `collectgarbage`), with `top` covering the whole frame.

use super::func::{Function, LClosure, UpVal};
use super::opcode::*;
use super::state::*;
use super::table::fb2int;
use super::value::{FuncRef, StrRef, TableRef, Value};
use std::sync::atomic::AtomicU32;
use std::sync::Arc;

const OP_MOVE: u8 = OpCode::Move as u8;
const OP_LOADK: u8 = OpCode::LoadK as u8;
const OP_LOADBOOL: u8 = OpCode::LoadBool as u8;
const OP_LOADNIL: u8 = OpCode::LoadNil as u8;
const OP_GETUPVAL: u8 = OpCode::GetUpval as u8;
const OP_GETGLOBAL: u8 = OpCode::GetGlobal as u8;
const OP_GETTABLE: u8 = OpCode::GetTable as u8;
const OP_SETGLOBAL: u8 = OpCode::SetGlobal as u8;
const OP_SETUPVAL: u8 = OpCode::SetUpval as u8;
const OP_SETTABLE: u8 = OpCode::SetTable as u8;
const OP_NEWTABLE: u8 = OpCode::NewTable as u8;
const OP_SELF: u8 = OpCode::OpSelf as u8;
const OP_ADD: u8 = OpCode::Add as u8;
const OP_SUB: u8 = OpCode::Sub as u8;
const OP_MUL: u8 = OpCode::Mul as u8;
const OP_DIV: u8 = OpCode::Div as u8;
const OP_MOD: u8 = OpCode::Mod as u8;
const OP_POW: u8 = OpCode::Pow as u8;
const OP_UNM: u8 = OpCode::Unm as u8;
const OP_NOT: u8 = OpCode::Not as u8;
const OP_LEN: u8 = OpCode::Len as u8;
const OP_CONCAT: u8 = OpCode::Concat as u8;
const OP_JMP: u8 = OpCode::Jmp as u8;
const OP_EQ: u8 = OpCode::Eq as u8;
const OP_LT: u8 = OpCode::Lt as u8;
const OP_LE: u8 = OpCode::Le as u8;
const OP_TEST: u8 = OpCode::Test as u8;
const OP_TESTSET: u8 = OpCode::TestSet as u8;
const OP_CALL: u8 = OpCode::Call as u8;
const OP_TAILCALL: u8 = OpCode::TailCall as u8;
const OP_RETURN: u8 = OpCode::Return as u8;
const OP_FORLOOP: u8 = OpCode::ForLoop as u8;
const OP_FORPREP: u8 = OpCode::ForPrep as u8;
const OP_TFORLOOP: u8 = OpCode::TForLoop as u8;
const OP_SETLIST: u8 = OpCode::SetList as u8;
const OP_CLOSE: u8 = OpCode::Close as u8;
const OP_CLOSURE: u8 = OpCode::Closure as u8;
const OP_VARARG: u8 = OpCode::VarArg as u8;

impl Vm {
    /// Reads upvalue `n` of Lua closure `cl`.
    #[inline(always)]
    pub(crate) fn get_upval(&self, cl: FuncRef, n: usize) -> Value {
        let u = match self.heap.funcs.get(cl) {
            Function::Lua(c) => c.upvals[n],
            Function::Native(_) => return Value::Nil,
        };
        match *self.heap.upvals.get(u) {
            UpVal::Closed(v) => v,
            UpVal::Open { thread, idx } => {
                if thread == self.cur_thread {
                    self.stack[idx as usize]
                } else {
                    self.heap.threads.get(thread).stack[idx as usize]
                }
            }
        }
    }

    #[inline]
    pub(crate) fn set_upval(&mut self, cl: FuncRef, n: usize, v: Value) {
        let u = match self.heap.funcs.get(cl) {
            Function::Lua(c) => c.upvals[n],
            Function::Native(_) => return,
        };
        match *self.heap.upvals.get(u) {
            UpVal::Closed(_) => {
                *self.heap.upvals.get_mut(u) = UpVal::Closed(v);
                self.heap.barrier(v);
            }
            UpVal::Open { thread, idx } => {
                if thread == self.cur_thread {
                    self.stack[idx as usize] = v;
                } else {
                    self.heap.threads.get_mut(thread).stack[idx as usize] = v;
                }
            }
        }
    }

    /// Runs Lua frames from the top frame until a frame marked [`CI_ENTRY`] returns.
    ///
    /// Two instances of the loop exist: without debug hooks (no per-instruction
    /// check at all) and with them (line and count events before each
    /// instruction, call and return events at every call). A loop that finds
    /// the hooks switched on or off (by `debug.sethook`, seen after a native
    /// call, at a budget check or a frame change) saves its frame and returns
    /// `true`, and the other instance resumes the same frame.
    pub(crate) fn execute(&mut self) -> Result<(), LuaError> {
        loop {
            let switch = if self.dhook.mask != 0 {
                self.run::<true>()?
            } else {
                self.run::<false>()?
            };
            if !switch {
                return Ok(());
            }
        }
    }

    /// Line and count events before instruction `cur` of a Lua frame
    /// (5.1's `traceexec`): `oldpc` is the pc after the previous traced
    /// instruction of this frame (so a backward jump, or a new line, makes a
    /// line event; entering a function too).
    #[cold]
    #[inline(never)]
    fn trace_exec(
        &mut self,
        ci_idx: usize,
        cur: usize,
        oldpc: usize,
        proto: &super::func::LProto,
    ) -> Result<(), LuaError> {
        if !self.allow_hook {
            return Ok(());
        }
        let mask = self.dhook.mask;
        self.frames[ci_idx].pc = cur + 1;
        if mask & MASK_COUNT != 0 {
            self.dhook.count = self.dhook.count.saturating_sub(1);
            if self.dhook.count == 0 {
                self.dhook.count = self.dhook.base_count;
                self.call_dhook(b"count", None)?;
            }
        }
        if self.dhook.mask & MASK_LINE != 0 {
            let newline = proto.line(cur);
            if cur == 0 || cur < oldpc || newline != proto.line(oldpc - 1) {
                self.call_dhook(b"line", Some(newline))?;
            }
        }
        Ok(())
    }

    /// The dispatch loop; `Ok(true)`: switch to the other instance (see [`Vm::execute`]).
    fn run<const HOOKED: bool>(&mut self) -> Result<bool, LuaError> {
        // The running frame's prototype, owned here so that `code` and `k`
        // can be borrowed while `self` is mutated. `suspended` keeps, for every
        // Lua frame this loop entered by a call, its caller's prototype (`None`:
        // the same as the callee's, as in a recursive call, so no reference
        // count changes at all); a return takes it back. A return past what
        // this loop entered (after a switch between the hooked and unhooked
        // loops) reads the prototype from the caller's closure instead.
        let mut proto: Arc<super::func::LProto> = {
            let ci = self.frames.len() - 1;
            match self.heap.funcs.get(self.frames[ci].closure) {
                Function::Lua(c) => c.proto.clone(),
                Function::Native(_) => return Err(self.runtime_error("bad frame")),
            }
        };
        let mut suspended: Vec<Option<Arc<super::func::LProto>>> = Vec::new();
        // The prototype of the frame that returned last: a loop calling one
        // function again and again takes it back instead of counting a new
        // reference (and dropping it at every return).
        let mut stash = ProtoStash::default();
        // Enters the frame just pushed for Lua closure `$f`: `proto` becomes
        // its prototype, the caller's is kept in `suspended`.
        macro_rules! enter {
            ($f:expr) => {{
                if let Function::Lua(c) = self.heap.funcs.get($f) {
                    if Arc::ptr_eq(&c.proto, &proto) {
                        suspended.push(None);
                    } else {
                        let p = stash.take(&c.proto);
                        suspended.push(Some(std::mem::replace(&mut proto, p)));
                    }
                }
            }};
        }
        'newframe: loop {
            let ci_idx = self.frames.len() - 1;
            let ci = &self.frames[ci_idx];
            let (cl_ref, base, ci_pc) = (ci.closure, ci.base, ci.pc);
            // (a Lua frame's top is always base + max_stack; the constants and
            // cache cells are read through `proto` where an instruction needs
            // them: fewer values for the loop to keep across every instruction)
            macro_rules! frame_top {
                () => {
                    base + proto.max_stack as usize
                };
            }
            // The frame's environment is read from its closure when an
            // instruction needs it (a native such as setfenv may change it).
            macro_rules! env {
                () => {
                    match self.heap.funcs.get(cl_ref) {
                        Function::Lua(c) => c.env,
                        Function::Native(_) => return Err(self.runtime_error("bad frame")),
                    }
                };
            }
            let mut pc = ci_pc;
            if HOOKED != (self.dhook.mask != 0) {
                return Ok(true);
            }
            // (hooked loop) the pc after the last traced instruction
            let mut oldpc = ci_pc;
            let code = &proto.code[..];

            macro_rules! save {
                () => {
                    self.frames[ci_idx].pc = pc;
                };
            }
            macro_rules! rk {
                ($x:expr) => {{
                    let x = $x;
                    if x & BITRK != 0 {
                        proto.k[(x & !BITRK) as usize]
                    } else {
                        self.stack[base + x as usize]
                    }
                }};
            }
            macro_rules! rkreg {
                ($x:expr) => {{
                    let x = $x;
                    if x & BITRK != 0 {
                        None
                    } else {
                        Some(base + x as usize)
                    }
                }};
            }
            macro_rules! dojump {
                ($sbx:expr) => {{
                    let sbx = $sbx;
                    pc = (pc as isize + sbx as isize) as usize;
                    if sbx < 0 {
                        self.hook_count -= 1;
                        if self.hook_count <= 0 {
                            save!();
                            self.top = frame_top!();
                            self.run_hook()?;
                            if !HOOKED && self.dhook.mask != 0 {
                                return Ok(true);
                            }
                        }
                    }
                }};
            }
            macro_rules! gc_check {
                () => {
                    if self.heap.gc_due() {
                        save!();
                        self.top = frame_top!();
                        self.gc_check()?;
                    }
                };
            }
            macro_rules! rkref {
                ($x:expr) => {{
                    let x = $x;
                    if x & BITRK != 0 {
                        &proto.k[(x & !BITRK) as usize]
                    } else {
                        &self.stack[base + x as usize]
                    }
                }};
            }
            macro_rules! arith {
                ($i:expr, $a:expr, $tm:expr, $op:expr) => {{
                    let (b, c) = (get_b($i), get_c($i));
                    if let Some((x, y)) = num2(rkref!(b), rkref!(c)) {
                        self.stack[$a] = Value::Num($op(x, y));
                    } else {
                        let x = rk!(b);
                        let y = rk!(c);
                        save!();
                        self.top = frame_top!();
                        let r = self.arith_slow($tm, x, y, rkreg!(b), rkreg!(c))?;
                        self.stack[$a] = r;
                    }
                }};
            }

            loop {
                if HOOKED {
                    self.trace_exec(ci_idx, pc, oldpc, &proto)?;
                    oldpc = pc + 1;
                }
                let i = code[pc];
                pc += 1;
                let a = base + get_a(i) as usize;
                match get_op(i) {
                    OP_MOVE => {
                        self.stack[a] = self.stack[base + get_b(i) as usize];
                    }
                    OP_LOADK => {
                        self.stack[a] = proto.k[get_bx(i) as usize];
                    }
                    OP_LOADBOOL => {
                        self.stack[a] = Value::Bool(get_b(i) != 0);
                        if get_c(i) != 0 {
                            pc += 1;
                        }
                    }
                    OP_LOADNIL => {
                        let b = base + get_b(i) as usize;
                        for r in a..=b {
                            self.stack[r] = Value::Nil;
                        }
                    }
                    OP_GETUPVAL => {
                        self.stack[a] = self.get_upval(cl_ref, get_b(i) as usize);
                    }
                    OP_GETGLOBAL => {
                        let key = proto.k[get_bx(i) as usize];
                        let env = env!();
                        let t = self.heap.table(env);
                        let v = match key {
                            Value::Str(s) => {
                                t.get_str_hinted(s, &proto.hints[pc - 1], &self.heap.strings)
                            }
                            _ => t.get_fast(&key, &self.heap.strings),
                        };
                        if !v.is_nil() || t.meta.is_none() {
                            self.stack[a] = v;
                        } else {
                            save!();
                            self.top = frame_top!();
                            let v = self.get_table(Value::Table(env), key, None)?;
                            self.stack[a] = v;
                        }
                    }
                    OP_GETTABLE => {
                        let rb = base + get_b(i) as usize;
                        let obj = self.stack[rb];
                        let key = rk!(get_c(i));
                        if let Value::Table(t) = obj {
                            let tb = self.heap.table(t);
                            let v = match key {
                                Value::Str(s) => {
                                    tb.get_str_hinted(s, &proto.hints[pc - 1], &self.heap.strings)
                                }
                                _ => tb.get_fast(&key, &self.heap.strings),
                            };
                            if !v.is_nil() || tb.meta.is_none() {
                                self.stack[a] = v;
                                continue;
                            }
                            if let (Value::Str(s), Some(mt)) = (key, tb.meta) {
                                if let Some(v) = self.index_chain_str(mt, s, &proto.hints[pc - 1]) {
                                    self.stack[a] = v;
                                    continue;
                                }
                            }
                        }
                        save!();
                        self.top = frame_top!();
                        let v = self.get_table(obj, key, Some(rb))?;
                        self.stack[a] = v;
                    }
                    OP_SETGLOBAL => {
                        let key = proto.k[get_bx(i) as usize];
                        let v = self.stack[a];
                        save!();
                        self.top = frame_top!();
                        let env = env!();
                        self.set_table(Value::Table(env), key, v, None)?;
                    }
                    OP_SETUPVAL => {
                        let v = self.stack[a];
                        self.set_upval(cl_ref, get_b(i) as usize, v);
                    }
                    OP_SETTABLE => {
                        let obj = self.stack[a];
                        let key = rk!(get_b(i));
                        let val = rk!(get_c(i));
                        if let Value::Table(t) = obj {
                            let heap = &mut self.heap;
                            let tb = heap.tables.get_mut(t);
                            if tb.meta.is_none() && !tb.readonly {
                                if let Value::Num(n) = key {
                                    let u = (n as usize).wrapping_sub(1);
                                    if u < tb.array.len() && (u + 1) as f64 == n {
                                        tb.store_array(u, val);
                                        tb.flags = 0;
                                        if self.heap.marking {
                                            self.heap.table_barrier(t, Value::Nil, val);
                                        }
                                        continue;
                                    }
                                } else if let Value::Str(s) = key {
                                    if tb.set_existing_str_hinted(
                                        s,
                                        val,
                                        &proto.hints[pc - 1],
                                        &heap.strings,
                                    ) {
                                        tb.flags = 0;
                                        if self.heap.marking {
                                            self.heap.table_barrier(t, Value::Nil, val);
                                        }
                                        continue;
                                    }
                                }
                                if let Err(e) = self.heap.table_set(t, key, val) {
                                    save!();
                                    return Err(self.runtime_error(e.message()));
                                }
                                // growing a table is an allocation too
                                gc_check!();
                                continue;
                            }
                        }
                        save!();
                        self.top = frame_top!();
                        self.set_table(obj, key, val, Some(a))?;
                    }
                    OP_NEWTABLE => {
                        let t = self.heap.new_table(fb2int(get_b(i)), fb2int(get_c(i)));
                        self.stack[a] = Value::Table(t);
                        gc_check!();
                    }
                    OP_SELF => {
                        let rb = base + get_b(i) as usize;
                        let obj = self.stack[rb];
                        let key = rk!(get_c(i));
                        self.stack[a + 1] = obj;
                        if let Value::Table(t) = obj {
                            let tb = self.heap.table(t);
                            let v = match key {
                                Value::Str(s) => {
                                    tb.get_str_hinted(s, &proto.hints[pc - 1], &self.heap.strings)
                                }
                                _ => tb.get_fast(&key, &self.heap.strings),
                            };
                            if !v.is_nil() || tb.meta.is_none() {
                                self.stack[a] = v;
                                continue;
                            }
                            if let (Value::Str(s), Some(mt)) = (key, tb.meta) {
                                if let Some(v) = self.index_chain_str(mt, s, &proto.hints[pc - 1]) {
                                    self.stack[a] = v;
                                    continue;
                                }
                            }
                        }
                        save!();
                        self.top = frame_top!();
                        let v = self.get_table(obj, key, Some(rb))?;
                        self.stack[a] = v;
                    }
                    OP_ADD => arith!(i, a, Tm::Add, |x: f64, y: f64| x + y),
                    OP_SUB => arith!(i, a, Tm::Sub, |x: f64, y: f64| x - y),
                    OP_MUL => arith!(i, a, Tm::Mul, |x: f64, y: f64| x * y),
                    OP_DIV => arith!(i, a, Tm::Div, |x: f64, y: f64| x / y),
                    OP_MOD => arith!(i, a, Tm::Mod, super::meta::lua_mod),
                    OP_POW => arith!(i, a, Tm::Pow, |x: f64, y: f64| x.powf(y)),
                    OP_UNM => {
                        let rb = base + get_b(i) as usize;
                        let x = self.stack[rb];
                        if let Value::Num(n) = x {
                            self.stack[a] = Value::Num(-n);
                        } else {
                            save!();
                            self.top = frame_top!();
                            let r = self.arith_slow(Tm::Unm, x, x, Some(rb), Some(rb))?;
                            self.stack[a] = r;
                        }
                    }
                    OP_NOT => {
                        let v = self.stack[base + get_b(i) as usize];
                        self.stack[a] = Value::Bool(!v.truthy());
                    }
                    OP_LEN => {
                        let rb = base + get_b(i) as usize;
                        let v = self.stack[rb];
                        let r = match v {
                            Value::Table(t) => Value::Num(self.heap.table(t).length() as f64),
                            Value::Str(s) => Value::Num(self.heap.str_bytes(s).len() as f64),
                            _ => {
                                save!();
                                self.top = frame_top!();
                                self.len_of(v, Some(rb))?
                            }
                        };
                        self.stack[a] = r;
                    }
                    OP_CONCAT => {
                        let b = base + get_b(i) as usize;
                        let c = base + get_c(i) as usize;
                        save!();
                        self.top = frame_top!();
                        self.concat(b, c)?;
                        self.stack[a] = self.stack[b];
                        gc_check!();
                    }
                    OP_JMP => {
                        dojump!(get_sbx(i));
                    }
                    OP_EQ => {
                        let x = rk!(get_b(i));
                        let y = rk!(get_c(i));
                        let eq = if x == y {
                            true
                        } else if matches!(
                            (x, y),
                            (Value::Table(_), Value::Table(_))
                                | (Value::UserData(_), Value::UserData(_))
                        ) {
                            save!();
                            self.top = frame_top!();
                            self.equals(x, y)?
                        } else {
                            false
                        };
                        if eq == (get_a(i) != 0) {
                            // to the target of the JMP that follows, in one step
                            dojump!(get_sbx(code[pc]) + 1);
                        } else {
                            pc += 1;
                        }
                    }
                    OP_LT => {
                        let r = if let Some((x, y)) = num2(rkref!(get_b(i)), rkref!(get_c(i))) {
                            x < y
                        } else {
                            let x = rk!(get_b(i));
                            let y = rk!(get_c(i));
                            save!();
                            self.top = frame_top!();
                            self.less_than(x, y)?
                        };
                        if r == (get_a(i) != 0) {
                            // to the target of the JMP that follows, in one step
                            dojump!(get_sbx(code[pc]) + 1);
                        } else {
                            pc += 1;
                        }
                    }
                    OP_LE => {
                        let r = if let Some((x, y)) = num2(rkref!(get_b(i)), rkref!(get_c(i))) {
                            x <= y
                        } else {
                            let x = rk!(get_b(i));
                            let y = rk!(get_c(i));
                            save!();
                            self.top = frame_top!();
                            self.less_equal(x, y)?
                        };
                        if r == (get_a(i) != 0) {
                            // to the target of the JMP that follows, in one step
                            dojump!(get_sbx(code[pc]) + 1);
                        } else {
                            pc += 1;
                        }
                    }
                    OP_TEST => {
                        let falsy = !self.stack[a].truthy();
                        if falsy != (get_c(i) != 0) {
                            // to the target of the JMP that follows, in one step
                            dojump!(get_sbx(code[pc]) + 1);
                        } else {
                            pc += 1;
                        }
                    }
                    OP_TESTSET => {
                        let v = self.stack[base + get_b(i) as usize];
                        if v.truthy() == (get_c(i) != 0) {
                            self.stack[a] = v;
                            // to the target of the JMP that follows, in one step
                            dojump!(get_sbx(code[pc]) + 1);
                        } else {
                            pc += 1;
                        }
                    }
                    OP_CALL => {
                        let b = get_b(i) as usize;
                        let nresults = get_c(i) as i32 - 1;
                        if b != 0 {
                            self.top = a + b;
                        }
                        save!();
                        // fast path: a fixed-parameter Lua function with room on the stack
                        if let (false, Value::Func(f)) = (HOOKED, self.stack[a]) {
                            if let Function::Lua(c) = self.heap.funcs.get(f) {
                                let p = &c.proto;
                                let nb = a + 1;
                                let max = p.max_stack as usize;
                                if p.is_vararg == 0
                                    && nb + max < self.stack.len()
                                    && self.frames.len() < MAX_CALLS
                                    && self.hook_count > 1
                                {
                                    let nparams = p.num_params as usize;
                                    if Arc::ptr_eq(p, &proto) {
                                        suspended.push(None);
                                    } else {
                                        let p = stash.take(p);
                                        suspended.push(Some(std::mem::replace(&mut proto, p)));
                                    }
                                    self.hook_count -= 1;
                                    let nargs = self.top - nb;
                                    for slot in &mut self.stack[nb + nargs.min(nparams)..nb + max] {
                                        *slot = Value::Nil;
                                    }
                                    self.top = nb + max;
                                    self.frames.push(CallInfo {
                                        func: a,
                                        base: nb,
                                        top: nb + max,
                                        pc: 0,
                                        nresults,
                                        tailcalls: 0,
                                        closure: f,
                                        flags: CI_LUA,
                                    });
                                    continue 'newframe;
                                }
                            }
                        }
                        if self.precall(a, nresults)? {
                            let f = self.frames[self.frames.len() - 1].closure;
                            enter!(f);
                            continue 'newframe;
                        }
                        if !HOOKED && self.dhook.mask != 0 {
                            return Ok(true);
                        }
                    }
                    OP_TAILCALL => {
                        let b = get_b(i) as usize;
                        if b != 0 {
                            self.top = a + b;
                        }
                        save!();
                        // fast path: a fixed-parameter Lua function with room on
                        // the stack replaces the running frame in place
                        if let (false, Value::Func(f)) = (HOOKED, self.stack[a]) {
                            if let Function::Lua(c) = self.heap.funcs.get(f) {
                                let p = &c.proto;
                                let max = p.max_stack as usize;
                                let ci_func = self.frames[ci_idx].func;
                                let nb = ci_func + 1;
                                if p.is_vararg == 0
                                    && nb + max < self.stack.len()
                                    && self.hook_count > 1
                                {
                                    let nparams = p.num_params as usize;
                                    if !Arc::ptr_eq(p, &proto) {
                                        let np = stash.take(p);
                                        let old = std::mem::replace(&mut proto, np);
                                        // a caller recorded as "the same prototype"
                                        // is the replaced frame's: keep it there
                                        match suspended.last_mut() {
                                            Some(top @ None) => *top = Some(old),
                                            _ => stash.put(old),
                                        }
                                    }
                                    self.hook_count -= 1;
                                    if self.open_level >= base {
                                        self.close_upvals(base);
                                    }
                                    let nargs = self.top - a - 1;
                                    self.stack.copy_within(a..a + 1 + nargs, ci_func);
                                    for slot in &mut self.stack[nb + nargs.min(nparams)..nb + max] {
                                        *slot = Value::Nil;
                                    }
                                    self.top = nb + max;
                                    let ci = &mut self.frames[ci_idx];
                                    ci.base = nb;
                                    ci.top = nb + max;
                                    ci.pc = 0;
                                    ci.tailcalls = ci.tailcalls.saturating_add(1);
                                    ci.closure = f;
                                    continue 'newframe;
                                }
                            }
                        }
                        if self.precall(a, -1)? {
                            let new_closure = self.tailcall_replace(ci_idx)?;
                            if let Function::Lua(c) = self.heap.funcs.get(new_closure) {
                                if !Arc::ptr_eq(&c.proto, &proto) {
                                    let old = std::mem::replace(&mut proto, c.proto.clone());
                                    // a caller recorded as "the same prototype"
                                    // is the replaced frame's: keep it
                                    if let Some(top @ None) = suspended.last_mut() {
                                        *top = Some(old);
                                    }
                                }
                            }
                            continue 'newframe;
                        }
                    }
                    OP_RETURN => {
                        let b = get_b(i) as usize;
                        let n = if b != 0 { b - 1 } else { self.top - a };
                        if HOOKED && self.dhook.mask & MASK_RET != 0 {
                            save!();
                            self.top = a + n;
                            self.return_hooks()?;
                        }
                        if self.open_level >= base {
                            self.close_upvals(base);
                        }
                        let Some(ci) = self.frames.pop() else {
                            return Err(self.runtime_error("bad frame"));
                        };
                        let dest = ci.func;
                        let wanted = ci.nresults;
                        if b == 2 && wanted == 1 {
                            // the common `return x` to a caller wanting one value
                            self.stack[dest] = self.stack[a];
                            self.top = dest + 1;
                        } else if wanted < 0 {
                            for j in 0..n {
                                self.stack[dest + j] = self.stack[a + j];
                            }
                            self.top = dest + n;
                        } else {
                            let w = wanted as usize;
                            let m = n.min(w);
                            for j in 0..m {
                                self.stack[dest + j] = self.stack[a + j];
                            }
                            for j in m..w {
                                self.stack[dest + j] = Value::Nil;
                            }
                            self.top = dest + w;
                        }
                        if ci.flags & CI_ENTRY != 0 {
                            return Ok(false);
                        }
                        match suspended.pop() {
                            Some(None) => {}
                            Some(Some(p)) => stash.put(std::mem::replace(&mut proto, p)),
                            None => {
                                let f = self.frames[self.frames.len() - 1].closure;
                                if let Function::Lua(c) = self.heap.funcs.get(f) {
                                    proto = c.proto.clone();
                                }
                            }
                        }
                        continue 'newframe;
                    }
                    OP_FORLOOP => {
                        let st = &self.stack[a..a + 3];
                        if let (&Value::Num(idx), &Value::Num(limit), &Value::Num(step)) =
                            (&st[0], &st[1], &st[2])
                        {
                            let idx = idx + step;
                            let go = if step > 0.0 {
                                idx <= limit
                            } else {
                                limit <= idx
                            };
                            if go {
                                self.stack[a] = Value::Num(idx);
                                self.stack[a + 3] = Value::Num(idx);
                                dojump!(get_sbx(i));
                            }
                        }
                    }
                    OP_FORPREP => {
                        save!();
                        self.for_prep(a)?;
                        pc = (pc as isize + get_sbx(i) as isize) as usize;
                    }
                    OP_TFORLOOP => {
                        let cb = a + 3;
                        self.stack[cb + 2] = self.stack[a + 2];
                        self.stack[cb + 1] = self.stack[a + 1];
                        self.stack[cb] = self.stack[a];
                        self.top = cb + 3;
                        save!();
                        self.call_at(cb, get_c(i) as i32)?;
                        if !HOOKED && self.dhook.mask != 0 {
                            save!();
                            self.top = frame_top!();
                            let v = self.stack[cb];
                            if !v.is_nil() {
                                self.stack[cb - 1] = v;
                                self.frames[ci_idx].pc =
                                    (pc as isize + 1 + get_sbx(code[pc]) as isize) as usize;
                            } else {
                                self.frames[ci_idx].pc = pc + 1;
                            }
                            return Ok(true);
                        }
                        self.top = frame_top!();
                        let v = self.stack[cb];
                        if !v.is_nil() {
                            self.stack[cb - 1] = v;
                            // to the target of the JMP that follows, in one step
                            dojump!(get_sbx(code[pc]) + 1);
                        } else {
                            pc += 1;
                        }
                    }
                    OP_SETLIST => {
                        let n = get_b(i) as usize;
                        let mut c = get_c(i) as usize;
                        if c == 0 {
                            c = code[pc] as usize;
                            pc += 1;
                        }
                        self.set_list(a, n, c);
                        self.top = frame_top!();
                    }
                    OP_CLOSE => {
                        self.close_upvals(a);
                    }
                    OP_CLOSURE => {
                        let nup = proto.protos[get_bx(i) as usize].num_upvalues as usize;
                        let f = self.new_closure(
                            &proto,
                            get_bx(i) as usize,
                            cl_ref,
                            base,
                            &code[pc..pc + nup],
                        );
                        pc += nup;
                        self.stack[a] = Value::Func(f);
                        gc_check!();
                    }
                    OP_VARARG => {
                        save!();
                        let ci_func = self.frames[ci_idx].func;
                        self.vararg(
                            a,
                            get_b(i) as usize,
                            base - ci_func - 1 - proto.num_params as usize,
                        )?;
                    }
                    _ => {
                        save!();
                        return Err(self.runtime_error("invalid instruction"));
                    }
                }
            }
        }
    }

    /// `t[s]` for a table `t` without the field `s` and with metatable `mt`,
    /// while `__index` is a chain of tables (a class and its bases): each is
    /// searched in turn, through the instruction's inline-cache cell. `None`
    /// when the chain reaches a function or a non-table `__index` (or is too
    /// long): the caller then runs the general [`Vm::get_table`].
    #[inline(never)]
    fn index_chain_str(&mut self, mut mt: TableRef, s: StrRef, hint: &AtomicU32) -> Option<Value> {
        for _ in 0..100 {
            let tm = self.fast_tm_cache(mt, Tm::Index);
            let Value::Table(h) = tm else {
                return if tm.is_nil() { Some(Value::Nil) } else { None };
            };
            let tb = self.heap.table(h);
            let v = tb.get_str_hinted(s, hint, &self.heap.strings);
            if !v.is_nil() {
                return Some(v);
            }
            match tb.meta {
                None => return Some(Value::Nil),
                Some(m) => mt = m,
            }
        }
        None
    }

    /// TAILCALL's frame replacement, after [`Vm::precall`] pushed the callee's
    /// frame: the callee and its arguments move down to the running frame's
    /// function slot and its frame takes the running one's place. Returns the
    /// callee's closure.
    #[inline(never)]
    fn tailcall_replace(&mut self, ci_idx: usize) -> Result<FuncRef, LuaError> {
        let new = match self.frames.pop() {
            Some(c) => c,
            None => return Err(self.runtime_error("bad frame")),
        };
        let old = self.frames[ci_idx];
        self.close_upvals(old.base);
        let func = old.func;
        let n = new.top - new.func;
        self.stack.copy_within(new.func..new.func + n, func);
        self.frames[ci_idx] = CallInfo {
            func,
            base: func + (new.base - new.func),
            top: func + n,
            pc: 0,
            nresults: old.nresults,
            tailcalls: old.tailcalls.saturating_add(1),
            closure: new.closure,
            flags: CI_LUA | (old.flags & CI_ENTRY),
        };
        self.top = func + n;
        Ok(new.closure)
    }

    /// FORPREP: the three control values as numbers (5.1's errors otherwise),
    /// the index stepped back once so that the first FORLOOP lands on it.
    #[inline(never)]
    fn for_prep(&mut self, a: usize) -> Result<(), LuaError> {
        let init = self.to_number(self.stack[a]);
        let limit = self.to_number(self.stack[a + 1]);
        let step = self.to_number(self.stack[a + 2]);
        let Some(init) = init else {
            return Err(self.runtime_error("'for' initial value must be a number"));
        };
        let Some(limit) = limit else {
            return Err(self.runtime_error("'for' limit must be a number"));
        };
        let Some(step) = step else {
            return Err(self.runtime_error("'for' step must be a number"));
        };
        self.stack[a] = Value::Num(init - step);
        self.stack[a + 1] = Value::Num(limit);
        self.stack[a + 2] = Value::Num(step);
        Ok(())
    }

    /// SETLIST: registers `a+1 ..= a+n` (`n == 0`: up to `top`) into the
    /// array part of the table in `a`, block `c` (1-based) of
    /// [`LFIELDS_PER_FLUSH`] entries.
    #[inline(never)]
    fn set_list(&mut self, a: usize, n: usize, c: usize) {
        let n = if n == 0 { self.top - a - 1 } else { n };
        if let Value::Table(t) = self.stack[a] {
            let last = (c - 1) * LFIELDS_PER_FLUSH as usize + n;
            let before = self.heap.table(t).mem_size();
            let tb = self.heap.table_mut(t);
            tb.ensure_array(last);
            tb.store_slice(last - n, &self.stack[a + 1..a + 1 + n]);
            tb.flags = 0;
            let after = tb.mem_size();
            self.heap.total = (self.heap.total + after).saturating_sub(before);
            if self.heap.marking {
                for j in 1..=n {
                    let v = self.stack[a + j];
                    self.heap.table_barrier(t, Value::Nil, v);
                }
            }
        }
    }

    /// CLOSURE: a new closure of `proto.protos[bx]`; `pseudo` are the MOVE /
    /// GETUPVAL pseudo-instructions naming each upvalue (a local of this
    /// frame, or an upvalue of the running closure `cl`).
    #[inline(never)]
    fn new_closure(
        &mut self,
        proto: &super::func::LProto,
        bx: usize,
        cl: FuncRef,
        base: usize,
        pseudo: &[u32],
    ) -> FuncRef {
        let p: Arc<super::func::LProto> = proto.protos[bx].clone();
        let mut upvals = Vec::with_capacity(pseudo.len());
        let env = match self.heap.funcs.get(cl) {
            Function::Lua(c) => c.env,
            Function::Native(_) => unreachable_frame(),
        };
        for &pi in pseudo {
            if get_op(pi) == OP_GETUPVAL {
                let u = match self.heap.funcs.get(cl) {
                    Function::Lua(c) => c.upvals[get_b(pi) as usize],
                    Function::Native(_) => unreachable_frame(),
                };
                upvals.push(u);
            } else {
                upvals.push(self.find_upval(base + get_b(pi) as usize));
            }
        }
        self.heap.new_function(Function::Lua(LClosure {
            proto: p,
            upvals,
            env,
        }))
    }

    /// VARARG: `b - 1` of the frame's `nvar` extra arguments into `a...`
    /// (`b == 0`: all of them, and `top` just past them).
    #[inline(never)]
    fn vararg(&mut self, a: usize, b: usize, nvar: usize) -> Result<(), LuaError> {
        let base = self.frames[self.frames.len() - 1].base;
        let n = if b == 0 {
            self.ensure_stack(a + nvar + 1)?;
            self.top = a + nvar;
            nvar
        } else {
            b - 1
        };
        for j in 0..n {
            self.stack[a + j] = if j < nvar {
                self.stack[base - nvar + j]
            } else {
                Value::Nil
            };
        }
        Ok(())
    }
}

/// The prototypes of frames that returned last (a few, most recent first
/// replaced last): a call takes its callee's prototype back from here instead
/// of counting a new reference, so a loop calling a handful of functions in
/// turn (methods, callbacks) touches no reference counts.
#[derive(Default)]
struct ProtoStash {
    slots: [Option<Arc<super::func::LProto>>; 4],
    next: usize,
}

impl ProtoStash {
    /// `p` itself if it is kept here (removed), else a new reference to it.
    #[inline(always)]
    fn take(&mut self, p: &Arc<super::func::LProto>) -> Arc<super::func::LProto> {
        for slot in &mut self.slots {
            if slot.as_ref().is_some_and(|sp| Arc::ptr_eq(sp, p)) {
                if let Some(sp) = slot.take() {
                    return sp;
                }
            }
        }
        p.clone()
    }

    /// Keeps `p` (in a free slot, or in place of the oldest one).
    #[inline(always)]
    fn put(&mut self, p: Arc<super::func::LProto>) {
        for slot in &mut self.slots {
            if slot.is_none() {
                *slot = Some(p);
                return;
            }
        }
        let n = self.next;
        self.next = (n + 1) % self.slots.len();
        self.slots[n] = Some(p);
    }
}

/// Both operands as numbers, if they are.
#[inline(always)]
fn num2(x: &Value, y: &Value) -> Option<(f64, f64)> {
    if let Value::Num(a) = *x {
        if let Value::Num(b) = *y {
            return Some((a, b));
        }
    }
    None
}

#[cold]
fn unreachable_frame() -> ! {
    panic!("CLOSURE in a native frame (VM bug)")
}
