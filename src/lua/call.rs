//! Calls, returns and protected calls (Lua 5.1's ldo.c).
//!
//! Lua-to-Lua calls never recurse in Rust: the dispatch loop pushes and pops
//! [`CallInfo`] frames itself (see [`super::vm`]). This file holds what the loop
//! and native code share:
//!
//! - [`Vm::precall`] sets up a frame for the value at a stack slot: a Lua
//!   closure gets a frame (varargs adjusted as 5.1 does, the compat `arg`
//!   table built when the function uses it); a native function is run to
//!   completion right here; any other value goes through `__call`;
//! - [`Vm::call_at`] is the re-entry from Rust (metamethods, `pcall`, library
//!   callbacks), counted against [`MAX_CCALLS`] ("C stack overflow");
//! - [`Vm::pcall_at`] catches errors: it runs the message handler with the
//!   frames still in place (so a traceback can be taken), then unwinds frames,
//!   closes upvalues and restores the call counters.
//!
//! Stack discipline: a call's function sits at `func`, its arguments in
//! `[func+1, top)`; after the call, its results start at `func` and `top` is
//! just past them (or past the `nresults` values the caller wants).

use super::func::{Function, LClosure};
use super::proto::VARARG_NEEDSARG;
use super::state::*;
use super::value::Value;

impl Vm {
    /// Prepares a call of `stack[func]` with arguments up to `top`. Returns true
    /// when a Lua frame was pushed (the caller must run it), false when a native
    /// function already ran and its results are in place.
    pub(crate) fn precall(&mut self, func: usize, nresults: i32) -> Result<bool, LuaError> {
        let fref = match self.stack[func] {
            Value::Func(f) => f,
            other => {
                let tm = self.metamethod(other, Tm::Call);
                let Value::Func(f) = tm else {
                    return Err(self.type_error_reg(other, "call", Some(func)));
                };
                // insert the handler below the arguments
                self.ensure_stack(self.top + 1)?;
                let mut i = self.top;
                while i > func {
                    self.stack[i] = self.stack[i - 1];
                    i -= 1;
                }
                self.top += 1;
                self.stack[func] = tm;
                f
            }
        };
        match self.heap.funcs.get(fref) {
            Function::Lua(LClosure { proto, .. }) => {
                let nparams = proto.num_params as usize;
                let max = proto.max_stack as usize;
                let vararg = proto.is_vararg;
                if self.frames.len() >= MAX_CALLS {
                    return Err(self.runtime_error("stack overflow"));
                }
                self.hook_count -= 1;
                if self.hook_count <= 0 {
                    self.run_hook()?;
                }
                let nargs = self.top - func - 1;
                let base;
                if vararg == 0 {
                    base = func + 1;
                    self.ensure_stack(base + max + 1)?;
                    // registers past the parameters start nil (the compiler relies on it)
                    for i in (base + nargs.min(nparams))..(base + max) {
                        self.stack[i] = Value::Nil;
                    }
                } else {
                    base = self.adjust_varargs(func, nargs, nparams, max, vararg)?;
                    for i in (base + nparams + 1)..(base + max) {
                        self.stack[i] = Value::Nil;
                    }
                }
                self.top = base + max;
                self.frames.push(CallInfo {
                    func,
                    base,
                    top: base + max,
                    pc: 0,
                    nresults,
                    tailcalls: 0,
                    closure: fref,
                    flags: CI_LUA,
                });
                if self.dhook.mask & MASK_CALL != 0 {
                    // (as 5.1: the hook sees the first instruction as current)
                    if let Some(ci) = self.frames.last_mut() {
                        ci.pc = 1;
                    }
                    self.call_dhook(b"call", None)?;
                    if let Some(ci) = self.frames.last_mut() {
                        ci.pc = 0;
                    }
                }
                Ok(true)
            }
            Function::Native(n) => {
                let f = n.f;
                // a native call is a counted event, as a Lua call is
                self.hook_count -= 1;
                if self.hook_count <= 0 {
                    self.run_hook()?;
                }
                self.ensure_stack(self.top + 40)?;
                if self.frames.len() >= MAX_CALLS + 20 {
                    return Err(self.runtime_error("stack overflow"));
                }
                self.frames.push(CallInfo {
                    func,
                    base: func + 1,
                    top: self.top,
                    pc: 0,
                    nresults,
                    tailcalls: 0,
                    closure: fref,
                    flags: 0,
                });
                if self.dhook.mask & MASK_CALL != 0 {
                    self.call_dhook(b"call", None)?;
                }
                let n = f(self)?;
                if self.dhook.mask & MASK_RET != 0 {
                    self.call_dhook(b"return", None)?;
                }
                // A collection point after every native call: a loop made only of
                // library calls (`table.insert`, `rawset`, ...) may grow the heap
                // without passing the VM's own points. Arguments and results are
                // all below `top` here, so they stay rooted.
                if self.heap.gc_due() {
                    self.gc_check()?;
                }
                self.post_call(func, n, nresults);
                self.frames.pop();
                Ok(false)
            }
        }
    }

    /// 5.1's `adjust_varargs`: moves the fixed parameters above the extra
    /// arguments (which stay where they are for VARARG) and returns the new base.
    fn adjust_varargs(
        &mut self,
        func: usize,
        nargs: usize,
        nparams: usize,
        max: usize,
        flags: u8,
    ) -> Result<usize, LuaError> {
        let mut actual = nargs;
        self.ensure_stack(self.top + nparams + max + 2)?;
        while actual < nparams {
            self.stack[self.top] = Value::Nil;
            self.top += 1;
            actual += 1;
        }
        let extra = actual - nparams;
        let arg_table = if flags & VARARG_NEEDSARG != 0 {
            let items: Vec<Value> = self.stack[self.top - extra..self.top].to_vec();
            let t = self.new_list(&items);
            let n = self.new_str(b"n");
            let _ = self.heap.table_set(t, n, Value::Num(extra as f64));
            Some(t)
        } else {
            None
        };
        let fixed = func + 1;
        let base = self.top;
        self.ensure_stack(base + max + 2)?;
        for i in 0..nparams {
            self.stack[base + i] = self.stack[fixed + i];
            self.stack[fixed + i] = Value::Nil;
        }
        self.stack[base + nparams] = match arg_table {
            Some(t) => Value::Table(t),
            None => Value::Nil,
        };
        Ok(base)
    }

    /// Moves the `n` results on top of the stack to `func` and sets `top`.
    #[inline]
    pub(crate) fn post_call(&mut self, func: usize, n: usize, wanted: i32) {
        let first = self.top - n;
        if wanted < 0 {
            if first != func {
                for i in 0..n {
                    self.stack[func + i] = self.stack[first + i];
                }
            }
            self.top = func + n;
        } else {
            let wanted = wanted as usize;
            let m = n.min(wanted);
            for i in 0..m {
                self.stack[func + i] = self.stack[first + i];
            }
            if func + wanted > self.stack.len() {
                self.stack.resize(func + wanted + 1, Value::Nil);
            }
            for i in m..wanted {
                self.stack[func + i] = Value::Nil;
            }
            self.top = func + wanted;
        }
    }

    /// Calls `stack[func]` from Rust with arguments up to `top`, counting the
    /// nesting against the C-call limit.
    pub(crate) fn call_at(&mut self, func: usize, nresults: i32) -> Result<(), LuaError> {
        self.n_ccalls += 1;
        if self.n_ccalls >= MAX_CCALLS {
            if self.n_ccalls == MAX_CCALLS {
                return Err(self.runtime_error("C stack overflow"));
            } else if self.n_ccalls >= MAX_CCALLS + (MAX_CCALLS >> 3) {
                let v = self.new_str(b"error in error handling");
                return Err(LuaError::Error(v));
            }
        }
        if self.precall(func, nresults)? {
            if let Some(ci) = self.frames.last_mut() {
                ci.flags |= CI_ENTRY;
            }
            self.execute()?;
        }
        self.n_ccalls -= 1;
        Ok(())
    }

    /// Protected call of `stack[func]`: on error, runs `handler` (if any) on the
    /// error value with the failing frames still in place, unwinds, and returns
    /// the (handled) error value as `Ok(Err(value))`.
    ///
    /// An interrupt ([`Vm::interrupt`]) is not caught: the frames are unwound
    /// the same way, no handler runs, and it comes back as the outer `Err`, for
    /// the caller to pass on with `?` (every catcher in the engine does).
    pub(crate) fn pcall_at(
        &mut self,
        func: usize,
        nresults: i32,
        handler: Option<Value>,
    ) -> Result<Result<(), Value>, LuaError> {
        let saved_frames = self.frames.len();
        let saved_ccalls = self.n_ccalls;
        let saved_allow = self.allow_hook;
        match self.call_at(func, nresults) {
            Ok(()) => Ok(Ok(())),
            Err(e) => {
                let mut ev = match e {
                    LuaError::Error(v) => v,
                    LuaError::Yield => {
                        self.new_str(b"attempt to yield across metamethod/C-call boundary")
                    }
                };
                // As in 5.1, a memory error skips the message handler (which
                // could not allocate anyway). An interrupt skips the handlers
                // of the script's own xpcalls, but the embedder's handler of
                // the outermost call (nothing below it) still sees it, with
                // the interrupt lifted while it runs.
                let out_of_memory = self.heap.limit.is_some_and(|l| self.heap.total > l);
                let outermost = saved_frames == 0;
                let held = if outermost {
                    self.interrupt.take()
                } else {
                    None
                };
                if held.is_some() {
                    // a full interval for the handler before the hook runs again
                    self.hook_count = self.hook_interval;
                }
                if let Some(h) = handler.filter(|_| !out_of_memory && self.interrupt.is_none()) {
                    // The handler runs above everything still on the stack.
                    let at = self.frames.last().map_or(self.top, |c| c.top.max(self.top));
                    self.top = at;
                    let _ = self.ensure_stack(at + 3);
                    self.stack[at] = h;
                    self.stack[at + 1] = ev;
                    self.top = at + 2;
                    ev = match self.call_at(at, 1) {
                        Ok(()) => self.stack[at],
                        Err(_) => self.new_str(b"error in error handling"),
                    };
                }
                if held.is_some() {
                    self.interrupt = held;
                }
                self.close_upvals(func);
                self.frames.truncate(saved_frames);
                self.n_ccalls = saved_ccalls;
                self.allow_hook = saved_allow;
                self.top = func;
                if let Some(v) = self.interrupt {
                    // the handled value when the outermost handler ran
                    return Err(LuaError::Error(if outermost { ev } else { v }));
                }
                Ok(Err(ev))
            }
        }
    }

    /// Calls `f` with `args`, returning all its results. (Re-entry from native
    /// code: counted against the 200-deep limit.)
    pub fn call_value(&mut self, f: Value, args: &[Value]) -> Result<Vec<Value>, LuaError> {
        let func = self.top;
        self.ensure_stack(func + args.len() + 1)?;
        self.stack[func] = f;
        self.stack[func + 1..func + 1 + args.len()].copy_from_slice(args);
        self.top = func + 1 + args.len();
        self.call_at(func, -1)?;
        let out = self.stack[func..self.top].to_vec();
        self.top = func;
        Ok(out)
    }

    /// Calls `f(a, b)` and returns its first result (metamethods, comparators).
    pub fn call_value1(&mut self, f: Value, a: Value, b: Value) -> Result<Value, LuaError> {
        let func = self.top;
        self.ensure_stack(func + 4)?;
        self.stack[func] = f;
        self.stack[func + 1] = a;
        self.stack[func + 2] = b;
        self.top = func + 3;
        self.call_at(func, 1)?;
        let r = self.stack[func];
        self.top = func;
        Ok(r)
    }

    /// `lua_call`: calls the function pushed below the `nargs` topmost values;
    /// leaves `nresults` results (all if negative) in its place and returns how many.
    pub fn call_stack(&mut self, nargs: usize, nresults: i32) -> Result<usize, LuaError> {
        let func = self.top - nargs - 1;
        self.call_at(func, nresults)?;
        Ok(self.top - func)
    }

    /// Runs the budget hook (called when the event counter reaches zero).
    /// While an interrupt is pending, every counted event raises it again
    /// instead, so no Lua code runs for long after one, caught or not.
    #[cold]
    pub(crate) fn run_hook(&mut self) -> Result<(), LuaError> {
        if let Some(v) = self.interrupt {
            self.hook_count = 1;
            return Err(LuaError::Error(v));
        }
        self.hook_count = self.hook_interval;
        if let Some(mut h) = self.hook.take() {
            let r = h(self);
            if self.hook.is_none() {
                self.hook = Some(h);
            }
            if self.interrupt.is_some() {
                self.hook_count = 1;
            }
            r?;
        }
        Ok(())
    }

    /// Calls the running coroutine's debug hook for `event` ("call",
    /// "return", "tail return", "line", "count") with `line` (5.1's
    /// `luaD_callhook` + ldblib's `hookf`): above everything the running frame
    /// uses, with hooks off while it runs. Its errors propagate.
    #[cold]
    pub(crate) fn call_dhook(&mut self, event: &[u8], line: Option<u32>) -> Result<(), LuaError> {
        let f = self.dhook.func;
        if !self.allow_hook || f.is_nil() {
            return Ok(());
        }
        let saved_top = self.top;
        let at = self.frames.last().map_or(self.top, |c| c.top.max(self.top));
        self.ensure_stack(at + 4)?;
        self.stack[at] = f;
        self.stack[at + 1] = self.new_str(event);
        self.stack[at + 2] = line.map_or(Value::Nil, |l| Value::Num(l as f64));
        self.top = at + 3;
        self.allow_hook = false;
        let r = self.call_at(at, 0);
        self.allow_hook = true;
        self.top = saved_top;
        r
    }

    /// The return hooks of the running frame, about to return: "return",
    /// then one "tail return" per call it replaced.
    #[cold]
    pub(crate) fn return_hooks(&mut self) -> Result<(), LuaError> {
        self.call_dhook(b"return", None)?;
        let tails = self.frames.last().map_or(0, |c| c.tailcalls);
        for _ in 0..tails {
            if self.dhook.mask & MASK_RET == 0 {
                break;
            }
            self.call_dhook(b"tail return", None)?;
        }
        Ok(())
    }

    /// The pending interrupt as an error, for native code that catches
    /// errors (resume, finalizers) to pass on instead of catching.
    #[inline]
    pub(crate) fn check_interrupt(&self) -> Result<(), LuaError> {
        match self.interrupt {
            Some(v) => Err(LuaError::Error(v)),
            None => Ok(()),
        }
    }
}
