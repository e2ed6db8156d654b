//! The coroutine library (Lua 5.1's `coroutine` table) and the resume/yield
//! machinery it rests on.
//!
//! A coroutine is a [`LuaThread`] in the heap with its own stack, frames and
//! open upvalues. Resuming swaps the running coroutine's state out of the
//! [`Vm`] into its arena entry and the resumed one's in (three `Vec` swaps),
//! runs it with a Rust call (counted against the C-call limit, so nesting is
//! bounded), and swaps back when it returns, yields or fails.
//!
//! Yield is a native function returning [`LuaError::Yield`]; it is allowed
//! only when no native call lies between it and the resume (the C-call
//! counter equals the one saved at resume), otherwise 5.1's "attempt to yield
//! across metamethod/C-call boundary". The yield's native frame stays on the
//! coroutine's frame stack; the next resume completes it with the resume
//! arguments as its results and continues the Lua frame below.

use crate::lua::func::Function;
use crate::lua::state::{CoStatus, LuaError, LuaThread, Vm, CI_ENTRY, MAX_CCALLS};
use crate::lua::value::{ThreadRef, Value};

impl Vm {
    fn save_running(&mut self, t: ThreadRef, status: CoStatus) {
        let stack = std::mem::take(&mut self.stack);
        let frames = std::mem::take(&mut self.frames);
        let ups = std::mem::take(&mut self.open_upvals);
        let th = self.heap.threads.get_mut(t);
        th.stack = stack;
        th.frames = frames;
        th.open_upvals = ups;
        th.top = self.top;
        th.status = status;
        th.env = Some(self.globals);
        th.hook = std::mem::take(&mut self.dhook);
    }

    fn load_running(&mut self, t: ThreadRef) {
        let th = self.heap.threads.get_mut(t);
        self.stack = std::mem::take(&mut th.stack);
        self.frames = std::mem::take(&mut th.frames);
        self.open_upvals = std::mem::take(&mut th.open_upvals);
        self.top = th.top;
        self.dhook = std::mem::take(&mut th.hook);
        th.status = CoStatus::Running;
        if let Some(env) = th.env {
            self.globals = env;
        }
        self.cur_thread = t;
        self.reset_open_level();
    }

    /// A new suspended coroutine that will run `f`.
    pub fn new_thread(&mut self, f: Value) -> ThreadRef {
        let mut th = LuaThread::new();
        th.stack = vec![Value::Nil; 48];
        th.stack[0] = f;
        th.top = 1;
        th.env = Some(self.globals);
        self.heap.new_thread(th)
    }

    /// Status of a coroutine as `coroutine.status` names it.
    pub fn thread_status(&self, t: ThreadRef) -> &'static str {
        if t == self.cur_thread {
            return "running";
        }
        match self.heap.threads.get(t).status {
            CoStatus::Suspended => "suspended",
            CoStatus::Running => "running",
            CoStatus::Normal => "normal",
            CoStatus::Dead => "dead",
        }
    }

    /// Resumes `co` with `args`: `Ok(values)` it yielded or returned, or
    /// `Err(error value)` (the coroutine is then dead).
    pub fn resume(&mut self, co: ThreadRef, args: &[Value]) -> Result<Vec<Value>, Value> {
        let st = self.heap.threads.get(co).status;
        if co == self.cur_thread || st != CoStatus::Suspended {
            let msg = format!("cannot resume {} coroutine", self.thread_status(co));
            return Err(self.new_str(msg.as_bytes()));
        }
        if self.n_ccalls >= MAX_CCALLS {
            return Err(self.new_str(b"C stack overflow"));
        }
        let prev = self.cur_thread;
        self.save_running(prev, CoStatus::Normal);
        self.load_running(co);
        self.co_chain.push(co);
        let saved_ccalls = self.n_ccalls;
        let saved_base = self.base_ccalls;
        self.n_ccalls += 1;
        self.base_ccalls = self.n_ccalls;

        let result = self.resume_inner(args);

        let outcome = match result {
            Ok(()) => {
                let vals = self.stack[..self.top].to_vec();
                self.heap.threads.get_mut(co).status = CoStatus::Dead;
                Ok((vals, CoStatus::Dead))
            }
            Err(LuaError::Yield) => {
                let base = self.frames.last().map_or(0, |c| c.base);
                let vals = self.stack[base..self.top].to_vec();
                Ok((vals, CoStatus::Suspended))
            }
            Err(LuaError::Error(e)) => {
                self.close_upvals(0);
                Err(e)
            }
        };
        let status = match &outcome {
            Ok((_, s)) => *s,
            Err(_) => CoStatus::Dead,
        };
        self.save_running(co, status);
        self.load_running(prev);
        self.co_chain.pop();
        self.n_ccalls = saved_ccalls;
        self.base_ccalls = saved_base;
        outcome.map(|(v, _)| v)
    }

    fn resume_inner(&mut self, args: &[Value]) -> Result<(), LuaError> {
        if self.frames.is_empty() {
            // first resume: call the body with the arguments
            self.top = 1;
            for &a in args {
                self.push(a);
            }
            if self.precall(0, -1)? {
                if let Some(ci) = self.frames.last_mut() {
                    ci.flags |= CI_ENTRY;
                }
                self.execute()?;
            }
            return Ok(());
        }
        // resuming after a yield: finish the yield's native frame
        let ci = match self.frames.pop() {
            Some(c) => c,
            None => return Ok(()),
        };
        self.top = ci.base;
        self.ensure_stack(ci.base + args.len() + 1)?;
        for &a in args {
            self.push(a);
        }
        self.post_call(ci.func, args.len(), ci.nresults);
        if self.frames.is_empty() {
            return Ok(());
        }
        if let Some(top) = self.frames.last() {
            if top.flags & crate::lua::state::CI_LUA != 0 && ci.nresults >= 0 {
                // a fixed-result call: the frame's registers are the extent
                self.top = top.top;
            }
        }
        self.execute()
    }
}

fn check_co(vm: &mut Vm, i: usize) -> Result<ThreadRef, LuaError> {
    match vm.arg(i) {
        Value::Thread(t) => Ok(t),
        _ => Err(vm.arg_error(i, "coroutine expected")),
    }
}

fn co_create(vm: &mut Vm) -> Result<usize, LuaError> {
    let f = vm.arg(1);
    let ok = matches!(f, Value::Func(h) if matches!(vm.heap.funcs.get(h), Function::Lua(_)));
    if !ok {
        return Err(vm.arg_error(1, "Lua function expected"));
    }
    let t = vm.new_thread(f);
    vm.push(Value::Thread(t));
    Ok(1)
}

fn co_resume(vm: &mut Vm) -> Result<usize, LuaError> {
    let co = check_co(vm, 1)?;
    let args: Vec<Value> = (2..=vm.arg_count()).map(|i| vm.arg(i)).collect();
    match vm.resume(co, &args) {
        Ok(vals) => {
            vm.push(Value::Bool(true));
            for v in &vals {
                vm.push(*v);
            }
            Ok(vals.len() + 1)
        }
        Err(e) => {
            // an interrupt passes through, the coroutine dead
            vm.check_interrupt()?;
            vm.push(Value::Bool(false));
            vm.push(e);
            Ok(2)
        }
    }
}

fn co_yield(vm: &mut Vm) -> Result<usize, LuaError> {
    // 5.1 gives the same message in the main thread (it is always inside a C call)
    if vm.cur_thread == vm.main_thread || vm.n_ccalls != vm.base_ccalls {
        return Err(vm.runtime_error("attempt to yield across metamethod/C-call boundary"));
    }
    Err(LuaError::Yield)
}

fn co_status(vm: &mut Vm) -> Result<usize, LuaError> {
    let co = check_co(vm, 1)?;
    let s = vm.thread_status(co);
    let v = vm.new_str(s.as_bytes());
    vm.push(v);
    Ok(1)
}

fn co_running(vm: &mut Vm) -> Result<usize, LuaError> {
    if vm.cur_thread == vm.main_thread {
        vm.push(Value::Nil);
    } else {
        vm.push(Value::Thread(vm.cur_thread));
    }
    Ok(1)
}

fn co_wrap_aux(vm: &mut Vm) -> Result<usize, LuaError> {
    let Value::Thread(co) = vm.upvalue(0) else {
        return Err(vm.error_str("bad coroutine"));
    };
    let args: Vec<Value> = (1..=vm.arg_count()).map(|i| vm.arg(i)).collect();
    match vm.resume(co, &args) {
        Ok(vals) => {
            for v in &vals {
                vm.push(*v);
            }
            Ok(vals.len())
        }
        Err(e) => {
            vm.check_interrupt()?;
            let e = match e {
                Value::Str(_) | Value::Num(_) => {
                    let pos = vm.where_(1);
                    let s = vm
                        .to_str(e)
                        .map(|s| vm.str_bytes(s).to_vec())
                        .unwrap_or_default();
                    let mut b = pos.into_bytes();
                    b.extend_from_slice(&s);
                    vm.new_str(&b)
                }
                other => other,
            };
            Err(LuaError::Error(e))
        }
    }
}

fn co_wrap(vm: &mut Vm) -> Result<usize, LuaError> {
    co_create(vm)?;
    let co = vm.pop();
    let f = vm.new_native_closure(co_wrap_aux, "wrap", vec![co]);
    vm.push(f);
    Ok(1)
}

/// Opens the `coroutine` table.
pub fn open(vm: &mut Vm) {
    vm.register_lib(
        "coroutine",
        &[
            ("create", co_create),
            ("resume", co_resume),
            ("yield", co_yield),
            ("status", co_status),
            ("running", co_running),
            ("wrap", co_wrap),
        ],
    );
}
