//! The embedding API: what a Rust program uses to run Lua with [`Vm`].
//!
//! ```
//! use ferrous::lua::{Vm, Value};
//! let mut vm = Vm::new();
//! // load a chunk, call it, get values back
//! let f = vm.load(b"local a, b = ... return a * b, 'done'", "=example").unwrap();
//! let r = vm.call(f, &[Value::Num(6.0), Value::Num(7.0)]).unwrap();
//! assert_eq!(r[0], Value::Num(42.0));
//! assert_eq!(vm.to_string_lossy(r[1]), "done");
//! // globals
//! vm.set_global("limit", Value::Num(3.0));
//! let r = vm.eval("return limit + 1").unwrap();
//! assert_eq!(r, vec![Value::Num(4.0)]);
//! // errors come back as Lua values with 5.1's messages
//! let e = vm.eval("local t = nil; return t.x").unwrap_err();
//! assert_eq!(vm.error_message(&e), "[string \"local t = nil; return t.x\"]:1: attempt to index local 't' (a nil value)");
//! // an instruction budget stops runaway scripts
//! vm.set_instruction_limit(Some(100_000));
//! let e = vm.eval("while true do end").unwrap_err();
//! assert!(vm.error_message(&e).contains("instruction budget exhausted"));
//! ```
//!
//! # Keeping values alive
//!
//! A [`Value`] is a handle; the collector only knows about values reachable
//! from Lua (globals, registry, stacks) or pinned by Rust. Values returned by
//! [`Vm::call`] and friends stay valid until the next call into Lua (a
//! collection can only run during Lua execution or [`Vm::collect_garbage`]).
//! To keep one longer, store it in a global or the registry, or [`Vm::pin`] it
//! (and [`Vm::unpin`] when done).
//!
//! # Budgets
//!
//! - [`Vm::set_hook`]: a Rust closure called every `interval` counted events
//!   (backward jumps and Lua calls); returning an error stops the script with
//!   that error. The server uses it for `SCRIPT KILL` and busy detection.
//! - [`Vm::set_instruction_limit`]: a ready-made hook that fails with
//!   "instruction budget exhausted" after roughly `n` events.
//! - [`Vm::set_memory_limit`]: a cap on the heap estimate; allocation past it
//!   (after a full collection) fails with the Lua error "not enough memory".

use super::func::{Function, LClosure, LProto};
use super::state::{Hook, LuaError, Vm};
use super::value::Value;
use std::sync::Arc;

impl Vm {
    /// Compiles `source` as a chunk named `chunkname` (`=name` shows `name`,
    /// `@file` a file name) and returns the function, or the syntax error
    /// message as a string value.
    pub fn load_chunk(&mut self, source: &[u8], chunkname: &[u8]) -> Result<Value, Value> {
        let compiled = if self.allow_binary_chunks && source.starts_with(super::dump::SIGNATURE) {
            super::dump::undump(source).map_err(|e| e.message(chunkname).into_bytes())
        } else {
            super::parse::compile_at_depth(source, chunkname, self.n_ccalls).map_err(|e| e.bytes)
        };
        match compiled {
            Ok(p) => {
                let heap = &mut self.heap;
                let lp = LProto::load(p, None, &mut |b| Value::Str(heap.intern(b)));
                self.heap.total += lp.mem_size();
                let env = self.globals;
                // A dumped function may have upvalues: as in 5.1, a loaded one
                // gets fresh ones holding nil.
                let upvals = (0..lp.num_upvalues)
                    .map(|_| self.heap.new_upval(super::func::UpVal::Closed(Value::Nil)))
                    .collect();
                let f = self.heap.new_function(Function::Lua(LClosure {
                    proto: Arc::new(lp),
                    upvals,
                    env,
                }));
                Ok(Value::Func(f))
            }
            Err(e) => Err(self.new_str(&e)),
        }
    }

    /// [`Vm::load_chunk`] with a `&str` name, the error as a [`LuaError`].
    pub fn load(&mut self, source: &[u8], chunkname: &str) -> Result<Value, LuaError> {
        self.load_chunk(source, chunkname.as_bytes())
            .map_err(LuaError::Error)
    }

    /// Calls `f` with `args` in protected mode and returns all its results.
    pub fn call(&mut self, f: Value, args: &[Value]) -> Result<Vec<Value>, LuaError> {
        self.call_protected(f, args, None)
    }

    /// Protected call with an optional message handler run at the error point.
    pub fn call_protected(
        &mut self,
        f: Value,
        args: &[Value],
        handler: Option<Value>,
    ) -> Result<Vec<Value>, LuaError> {
        // the handler sits below the function so it stays rooted
        let h = self.top;
        self.ensure_stack(h + args.len() + 3)?;
        self.stack[h] = handler.unwrap_or(Value::Nil);
        let func = h + 1;
        self.stack[func] = f;
        self.stack[func + 1..func + 1 + args.len()].copy_from_slice(args);
        self.top = func + 1 + args.len();
        match self.pcall_at(func, -1, handler) {
            Ok(()) => {
                let out = self.stack[func..self.top].to_vec();
                self.top = h;
                Ok(out)
            }
            Err(e) => {
                self.top = h;
                Err(LuaError::Error(e))
            }
        }
    }

    /// Compiles and runs `source` (chunk name = the source), returning its results.
    pub fn eval(&mut self, source: &str) -> Result<Vec<Value>, LuaError> {
        let f = self.load(source.as_bytes(), source)?;
        self.call(f, &[])
    }

    /// Counts `n` native calls as already active, as if the state were used from
    /// inside that many C calls. The `ferrous-lua` command sets 1, for the
    /// `pmain` frame `lua.c` runs scripts under, so its nesting limits ("C stack
    /// overflow", "chunk has too many syntax levels") trip at lua5.1's depths.
    pub fn set_c_call_base(&mut self, n: u32) {
        self.n_ccalls = n.min(super::state::MAX_CCALLS / 2);
    }

    /// Reads a global variable (raw).
    pub fn get_global(&mut self, name: &str) -> Value {
        let g = self.globals;
        self.raw_get_str(g, name)
    }

    /// Writes a global variable (raw).
    pub fn set_global(&mut self, name: &str, v: Value) {
        let g = self.globals;
        self.raw_set_str(g, name, v);
    }

    /// Installs `hook`, called every `interval` counted events (backward jumps
    /// and Lua function calls).
    pub fn set_hook(&mut self, interval: u32, hook: Hook) {
        self.hook = Some(hook);
        self.hook_interval = interval.max(1) as i64;
        self.hook_count = self.hook_interval;
    }

    /// Removes the hook.
    pub fn clear_hook(&mut self) {
        self.hook = None;
        self.hook_interval = i64::MAX;
        self.hook_count = i64::MAX;
    }

    /// Caps the work of later calls at about `n` counted events (None: no cap).
    /// The cap restarts each time it is set.
    pub fn set_instruction_limit(&mut self, n: Option<u64>) {
        match n {
            None => self.clear_hook(),
            Some(n) => {
                let interval = n.clamp(1, 1 << 30) as u32;
                let mut left = n;
                self.set_hook(
                    interval,
                    Box::new(move |vm: &mut Vm| {
                        left = left.saturating_sub(interval as u64);
                        if left == 0 {
                            Err(vm.runtime_error("instruction budget exhausted"))
                        } else {
                            Ok(())
                        }
                    }),
                );
            }
        }
    }

    /// Caps the heap estimate at `bytes` (None: no cap).
    pub fn set_memory_limit(&mut self, bytes: Option<usize>) {
        self.heap.limit = bytes;
        if let Some(b) = bytes {
            self.heap.threshold = self.heap.threshold.min(b);
        }
    }

    /// The heap estimate in bytes (what `collectgarbage("count")` reports * 1024).
    pub fn memory_used(&self) -> usize {
        self.heap.total
    }

    /// The text of a value as `tostring` would give it without metamethods,
    /// lossily decoded as UTF-8.
    pub fn to_string_lossy(&mut self, v: Value) -> String {
        let s = self.tostring_raw(v);
        String::from_utf8_lossy(self.str_bytes(s)).into_owned()
    }

    /// The bytes of a string (or number) value.
    pub fn to_bytes(&mut self, v: Value) -> Option<Vec<u8>> {
        let s = self.to_str(v)?;
        Some(self.str_bytes(s).to_vec())
    }

    /// The message of an error as the `lua5.1` command prints it.
    pub fn error_message(&mut self, e: &LuaError) -> String {
        match e {
            LuaError::Error(v @ (Value::Str(_) | Value::Num(_))) => self.to_string_lossy(*v),
            LuaError::Error(Value::Nil) => "(error object is not a string)".to_string(),
            LuaError::Error(v) => format!("(error object is a {} value)", v.type_name()),
            LuaError::Yield => "attempt to yield across metamethod/C-call boundary".to_string(),
        }
    }
}
