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
//! # The surface, by need
//!
//! | need | methods of [`Vm`] |
//! | --- | --- |
//! | run code | `load`, `load_chunk`, `eval`, `call`, `call_protected` (with a message handler) |
//! | globals | `globals`, `get_global`, `set_global`, `registry` |
//! | make values | `new_str`, `new_table`, `new_table_sized`, `new_list`, `new_native`, `new_native_closure`, `new_userdata` |
//! | raw tables | `raw_get`, `raw_set`, `raw_get_str`, `raw_set_str`, `raw_get_int`, `raw_set_int`, `raw_next`, `raw_len` |
//! | sandboxing | `set_readonly` / `is_readonly`, `get_fenv` / `set_fenv` (per-closure environments), `get_metatable` / `set_metatable` |
//! | userdata | `new_userdata`, `userdata_mut` |
//! | keep alive | `pin`, `pinned`, `unpin` |
//! | budgets | `set_hook`, `clear_hook`, `set_instruction_limit`, `set_memory_limit`, `memory_used`, `collect_if_due`, `collect_garbage` |
//! | read results | `to_bytes`, `to_string_lossy`, `to_number`, `str_bytes`, `error_message` |
//! | natives | the toolbox in [`super::state`] (`arg`, `check_*`, `push`, errors, `call_value`) |
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
//!   (backward jumps, Lua calls, and work charged by natives such as pattern
//!   matching and sorting); returning an error raises it in the script (an
//!   ordinary, catchable one unless made with [`Vm::interrupt`]). The server
//!   uses it for `SCRIPT KILL` and busy detection.
//! - [`Vm::interrupt`]: what a hook returns to stop the script for good: an
//!   error no `pcall` can catch (see there).
//! - [`Vm::set_instruction_limit`]: a ready-made hook that interrupts with
//!   "instruction budget exhausted" after roughly `n` events.
//! - [`Vm::set_memory_limit`]: a cap on the heap estimate; allocation past it
//!   (after a full collection) fails with the Lua error "not enough memory".

use super::func::{Function, LClosure, LProto};
use super::state::{Hook, LuaError, Vm};
use super::value::{TableRef, Value};
use std::any::Any;
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
                // What the compiler built counts against the heap limit
                // ("not enough memory", as lua_load's LUA_ERRMEM gives).
                if self.check_memory(p.mem_size() + p.source.len()).is_err() {
                    return Err(self.new_str(b"not enough memory"));
                }
                let heap = &mut self.heap;
                let lp = LProto::load(p, None, &mut |b| Value::Str(heap.intern(b)));
                self.heap.total += lp.tree_mem_size();
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
        let r = match self.pcall_at(func, -1, handler) {
            Ok(Ok(())) => {
                let out = self.stack[func..self.top].to_vec();
                self.top = h;
                Ok(out)
            }
            Ok(Err(e)) | Err(LuaError::Error(e)) => {
                self.top = h;
                Err(LuaError::Error(e))
            }
            Err(LuaError::Yield) => {
                self.top = h;
                Err(LuaError::Yield)
            }
        };
        // The outermost call into the VM is where an interrupt ends.
        if self.frames.is_empty() {
            self.interrupt = None;
        }
        r
    }

    /// Makes `v` an interrupt: an error that no `pcall`, `xpcall`,
    /// `coroutine.resume`/`wrap`, message handler or finalizer can stop. It
    /// unwinds every Lua and native frame to the outermost call into the VM
    /// ([`Vm::call`], [`Vm::call_protected`], [`Vm::eval`]), which returns it as
    /// `Err(LuaError::Error(v))`; until then every protected call passes it on
    /// and every counted event (backward jump, call, charged native work)
    /// raises it again. Return the result from a hook:
    /// `return Err(vm.interrupt(msg))`. This is how an error raised from
    /// Redis's hook ends a script (SCRIPT KILL, SHUTDOWN NOSAVE).
    ///
    /// A memory error stays catchable, as in 5.1.
    pub fn interrupt(&mut self, v: Value) -> LuaError {
        self.interrupt = Some(v);
        self.hook_count = self.hook_count.min(1);
        LuaError::Error(v)
    }

    /// [`Vm::interrupt`] with a string message.
    pub fn interrupt_str(&mut self, msg: &str) -> LuaError {
        let v = self.new_str(msg.as_bytes());
        self.interrupt(v)
    }

    /// True while an interrupt unwinds the running script.
    pub fn is_interrupted(&self) -> bool {
        self.interrupt.is_some()
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
                            let e = vm.runtime_error("instruction budget exhausted");
                            match e {
                                LuaError::Error(v) => Err(vm.interrupt(v)),
                                other => Err(other),
                            }
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

/// `next` was given a key its table does not hold (Lua's "invalid key to 'next'").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidKey;

impl Vm {
    // ----- tables, raw (no metamethods) ----------------------------------

    /// Raw `t[i]` for an integer key (`lua_rawgeti`).
    pub fn raw_get_int(&self, t: TableRef, i: i64) -> Value {
        self.heap.table(t).get_int(i)
    }

    /// Raw `t[i] = v` for an integer key (`lua_rawseti`); the growth of the
    /// table counts against the heap. A read-only table is left unchanged.
    pub fn raw_set_int(&mut self, t: TableRef, i: i64, v: Value) {
        let _ = self.heap.table_set(t, Value::Num(i as f64), v);
    }

    /// The traversal step of `next` (`lua_next`): the entry after key `k`
    /// (nil starts), `Ok(None)` after the last one.
    pub fn raw_next(&self, t: TableRef, k: Value) -> Result<Option<(Value, Value)>, InvalidKey> {
        self.heap
            .tables
            .get(t)
            .next(&k, &self.heap.strings)
            .map_err(|_| InvalidKey)
    }

    /// The raw length `#t` (a border, as 5.1's `luaH_getn` finds it).
    pub fn raw_len(&self, t: TableRef) -> usize {
        self.heap.table(t).length()
    }

    /// Makes every store into `t` fail with "Attempt to modify a readonly
    /// table" (and `setmetatable` on it refuse), or lifts that. This is the
    /// flag Redis's patched Lua gives `_G` and the library tables of scripts;
    /// plain Lua never sets it.
    pub fn set_readonly(&mut self, t: TableRef, readonly: bool) {
        self.heap.table_mut(t).readonly = readonly;
    }

    /// Whether `t` is read-only (see [`Vm::set_readonly`]).
    pub fn is_readonly(&self, t: TableRef) -> bool {
        self.heap.table(t).readonly
    }

    // ----- functions -----------------------------------------------------

    /// The environment of a function (`getfenv(f)`): the table its global
    /// names are looked up in. `None` when `f` is not a function.
    pub fn get_fenv(&self, f: Value) -> Option<TableRef> {
        match f {
            Value::Func(h) => Some(match self.heap.funcs.get(h) {
                Function::Lua(c) => c.env,
                Function::Native(n) => n.env,
            }),
            _ => None,
        }
    }

    /// Gives a function a new environment (`setfenv(f, env)`); false when `f`
    /// is not a function. Every closure has its own, so this changes no other
    /// closure made from the same code.
    pub fn set_fenv(&mut self, f: Value, env: TableRef) -> bool {
        match f {
            Value::Func(h) => {
                match self.heap.funcs.get_mut(h) {
                    Function::Lua(c) => c.env = env,
                    Function::Native(n) => n.env = env,
                }
                self.heap.barrier(Value::Table(env));
                true
            }
            _ => false,
        }
    }

    // ----- userdata ------------------------------------------------------

    /// A new full userdata owning `data`, with metatable `meta`
    /// (`lua_newuserdata` + `lua_setmetatable`). `data` is dropped when the
    /// collector frees the userdata.
    pub fn new_userdata(&mut self, meta: Option<TableRef>, data: Box<dyn Any + Send>) -> Value {
        Value::UserData(self.heap.new_userdata(meta, Some(data)))
    }

    /// The Rust data of a userdata, if `v` is one holding a `T`.
    pub fn userdata_mut<T: Any>(&mut self, v: Value) -> Option<&mut T> {
        match v {
            Value::UserData(u) => self.heap.userdata.get_mut(u).data.as_mut()?.downcast_mut(),
            _ => None,
        }
    }

    // ----- the collector -------------------------------------------------

    /// Runs the collector if allocation made it due (a safe point the
    /// embedder offers, e.g. after filling tables from Rust before a call);
    /// fails with "not enough memory" when a heap limit cannot be met.
    pub fn collect_if_due(&mut self) -> Result<(), LuaError> {
        if self.heap.gc_due() {
            self.gc_check()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sandboxing calls an embedder uses (answers checked with lua5.1's
    /// setfenv/next/rawlen equivalents).
    #[test]
    fn environments_tables_and_userdata_through_the_api() {
        let mut vm = Vm::new();
        let f = vm.load(b"return x", "=f").unwrap();
        let env = vm.new_table();
        vm.raw_set_str(env, "x", Value::Num(7.0));
        assert_eq!(vm.get_fenv(f), Some(vm.globals()));
        assert!(vm.set_fenv(f, env));
        assert_eq!(vm.get_fenv(f), Some(env));
        assert_eq!(vm.call(f, &[]).unwrap(), vec![Value::Num(7.0)]);
        assert!(!vm.set_fenv(Value::Nil, env));

        let t = vm.new_table();
        for i in 1..=3 {
            vm.raw_set_int(t, i, Value::Num(i as f64 * 10.0));
        }
        assert_eq!(vm.raw_len(t), 3);
        assert_eq!(vm.raw_get_int(t, 2), Value::Num(20.0));
        let mut k = Value::Nil;
        let mut sum = 0.0;
        while let Ok(Some((key, v))) = vm.raw_next(t, k) {
            if let Value::Num(n) = v {
                sum += n;
            }
            k = key;
        }
        assert_eq!(sum, 60.0);
        assert_eq!(vm.raw_next(t, Value::Num(99.5)), Err(InvalidKey));

        vm.set_readonly(t, true);
        assert!(vm.is_readonly(t));
        vm.set_global("t", Value::Table(t));
        let e = vm.eval("t[1] = 0").unwrap_err();
        assert!(vm
            .error_message(&e)
            .ends_with("Attempt to modify a readonly table"));
        vm.set_readonly(t, false);
        assert!(vm.eval("t[1] = 0").is_ok());

        let u = vm.new_userdata(None, Box::new(41u32));
        if let Some(n) = vm.userdata_mut::<u32>(u) {
            *n += 1;
        }
        assert_eq!(vm.userdata_mut::<u32>(u).copied(), Some(42));
        assert_eq!(vm.userdata_mut::<String>(u), None);
    }
}

#[cfg(test)]
mod load_tests {
    use super::*;

    const MANY_FUNCTIONS: &str = "local parts = {} \
        for i = 1, 8000 do parts[#parts+1] = 'do local function f' .. i .. '() return ' .. i .. ' end end' end \
        src = table.concat(parts, '\\n')";

    /// A chunk named by its own long text with thousands of functions: every
    /// function shares the one chunk name (it cost 2.9 GB when each copied it;
    /// lua5.1 peaks at 7.7 MB on this script), and what the compiler built
    /// counts against the heap.
    #[test]
    fn loadstring_of_many_functions_is_linear_and_counted() {
        let mut vm = Vm::new();
        assert!(vm.eval(MANY_FUNCTIONS).is_ok());
        vm.collect_garbage();
        let before = vm.memory_used();
        vm.set_memory_limit(Some(before + (64 << 20)));
        let r = vm
            .eval("local f, e = loadstring(src) return f ~= nil, e")
            .unwrap();
        assert_eq!(r, vec![Value::Bool(true), Value::Nil]);
        let grew = vm.memory_used() - before;
        // counted (the 8000 prototypes are not free) and modest
        assert!(grew > 1 << 20 && grew < 16 << 20, "{grew}");

        // with little room left, the load fails as 5.1's LUA_ERRMEM does
        let mut vm = Vm::new();
        assert!(vm.eval(MANY_FUNCTIONS).is_ok());
        vm.collect_garbage();
        let before = vm.memory_used();
        vm.set_memory_limit(Some(before + (512 << 10)));
        let r = vm.eval("local f, e = loadstring(src) return f, e").unwrap();
        assert_eq!(r[0], Value::Nil);
        assert_eq!(vm.to_string_lossy(r[1]), "not enough memory");
    }
}
