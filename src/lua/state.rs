//! The interpreter state ([`Vm`]) and the native-function API.
//!
//! # Native functions
//!
//! A native function has the type [`NativeFn`](super::func::NativeFn):
//! `fn(&mut Vm) -> Result<usize, LuaError>`. It is called with its arguments in
//! a window of the running coroutine's stack, as Lua 5.1's `lua_CFunction` is:
//!
//! - [`Vm::arg_count`] and [`Vm::arg`]`(i)` (1-based, nil past the end) read them;
//! - the `check_*` / `opt_*` helpers read and validate them and produce 5.1's
//!   exact errors (`bad argument #1 to 'insert' (table expected, got nil)`; the
//!   function name is found from the calling instruction, as 5.1 does, so a
//!   method call reports `calling 'm' on bad self`);
//! - results are pushed with [`Vm::push`]; the function returns how many it
//!   pushed (the topmost ones are taken);
//! - [`Vm::error_str`] makes a `luaL_error`-style error (position of the Lua
//!   caller prefixed); `Err(LuaError::Error(v))` raises any value.
//!
//! The toolbox for library authors (all methods of [`Vm`]):
//!
//! | need | call |
//! | --- | --- |
//! | read arguments | `arg_count`, `arg`, `check_any`, `check_number`, `check_int`, `check_str` / `check_bytes`, `check_table`, `check_type`, `opt_number`, `opt_int`, `opt_str` |
//! | long work | `charge(units)` (the instruction budget), `check_memory(bytes)` (the heap limit) |
//! | raise errors | `arg_error(i, msg)`, `type_error(i, "table")`, `error_str(msg)` (position added), `runtime_error(msg)`, `Err(LuaError::Error(v))` |
//! | results | `push`, `pop`, return the count |
//! | make values | `new_str`, `new_table`, `new_table_sized`, `new_list`, `new_native`, `new_native_closure` (+ `upvalue(i)`, `set_upvalue`) |
//! | tables | `raw_get`, `raw_set`, `raw_get_str`, `raw_set_str`, `raw_get_int`, `raw_set_int`, `raw_next`, `raw_len`, `get_table` / `set_table` (with metamethods) |
//! | call Lua | `call_value(f, &args)`, `call_value1(f, a, b)`, `call_stack(nargs, nresults)` |
//! | compare / convert | `equals`, `less_than`, `less_equal`, `to_number`, `to_str`, `tostring` (with `__tostring`), `number_to_str` |
//! | metatables | `get_metatable`, `set_metatable` (for a string value it sets the metatable all strings share) |
//! | registration | `register(table, name, f)`, `register_global`, `register_lib("string", &[...])` |
//!
//! Objects created by a native ([`Vm::new_table`], [`Vm::new_str`], ...) are
//! safe to hold in Rust locals until the native calls back into Lua
//! ([`Vm::call_value`], [`Vm::call_stack`], metamethod-invoking helpers): a
//! collection can run there, so push anything you still need onto the stack
//! first (arguments already are on it).
//!
//! ```
//! use ferrous::lua::{Vm, Value, LuaError};
//! fn add2(vm: &mut Vm) -> Result<usize, LuaError> {
//!     let a = vm.check_number(1)?;
//!     let b = vm.opt_number(2, 2.0)?;
//!     vm.push(Value::Num(a + b));
//!     Ok(1)
//! }
//! let mut vm = Vm::new();
//! vm.register_global("add2", add2);
//! let r = vm.eval("return add2(40), add2(1, 1)").unwrap();
//! assert_eq!(r, vec![Value::Num(42.0), Value::Num(2.0)]);
//! ```

use super::func::{Function, NClosure, NativeFn, UpVal};
use super::heap::Heap;
use super::table::Table;
use super::value::{FuncRef, StrRef, TableRef, ThreadRef, Type, UpRef, Value};
use std::sync::Arc;

/// An error travelling through Lua code: the error value (any Lua value).
/// `Yield` is internal: a coroutine yielding through native frames.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LuaError {
    Error(Value),
    Yield,
}

/// Frame flags.
pub const CI_LUA: u8 = 1;
/// The frame was entered from Rust: its RETURN leaves the dispatch loop.
pub const CI_ENTRY: u8 = 2;

/// One activation record.
#[derive(Clone, Copy, Debug)]
pub struct CallInfo {
    /// Stack index of the called function.
    pub func: usize,
    /// First register (Lua) or first argument (native).
    pub base: usize,
    /// Highest stack index in use by this frame.
    pub top: usize,
    /// Next instruction (Lua frames).
    pub pc: usize,
    /// Results the caller wants (-1: all).
    pub nresults: i32,
    /// Calls this frame replaced by tail calls (each is a "tail" level for
    /// the debug library, and a "tail return" hook event).
    pub tailcalls: u32,
    pub closure: FuncRef,
    pub flags: u8,
}

/// Debug hook event masks (`debug.sethook`'s "c", "r", "l" and a count).
pub const MASK_CALL: u8 = 1;
pub const MASK_RET: u8 = 2;
pub const MASK_LINE: u8 = 4;
pub const MASK_COUNT: u8 = 8;

/// A coroutine's debug hook (`debug.sethook`): the Lua function called on
/// the events of `mask`; with [`MASK_COUNT`], every `base_count` instructions.
#[derive(Clone, Copy, Debug, Default)]
pub struct DebugHook {
    pub func: Value,
    pub mask: u8,
    pub base_count: u32,
    /// Instructions left before the next count event.
    pub count: u32,
}

/// Coroutine status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoStatus {
    Suspended,
    Running,
    Normal,
    Dead,
}

/// A coroutine's saved execution state. The running coroutine's state lives in
/// the [`Vm`]'s own fields and its arena entry is empty until it is switched out.
pub struct LuaThread {
    pub stack: Vec<Value>,
    pub top: usize,
    pub frames: Vec<CallInfo>,
    pub open_upvals: Vec<UpRef>,
    pub status: CoStatus,
    /// `n_ccalls` when this coroutine was last resumed.
    pub base_ccalls: u32,
    /// This thread's global table (`getfenv(0)`) while it is not running; the
    /// running thread's is `Vm::globals`. A new coroutine starts with its
    /// creator's.
    pub env: Option<TableRef>,
    /// This thread's debug hook while it is not running (the running
    /// thread's is `Vm::dhook`).
    pub hook: DebugHook,
}

impl LuaThread {
    pub fn new() -> LuaThread {
        LuaThread {
            stack: Vec::new(),
            top: 0,
            frames: Vec::new(),
            open_upvals: Vec::new(),
            status: CoStatus::Suspended,
            base_ccalls: 0,
            env: None,
            hook: DebugHook::default(),
        }
    }
}

impl Default for LuaThread {
    fn default() -> Self {
        Self::new()
    }
}

/// Metamethod events, in 5.1's order (the first five are cached per table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tm {
    Index = 0,
    NewIndex,
    Gc,
    Mode,
    Eq,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Unm,
    Len,
    Lt,
    Le,
    Concat,
    Call,
}

/// The event names, in [`Tm`] order, then `__metatable` (at [`TM_METATABLE`]),
/// which `getmetatable`/`setmetatable` look up on every call.
pub const TM_NAMES: [&str; 18] = [
    "__index",
    "__newindex",
    "__gc",
    "__mode",
    "__eq",
    "__add",
    "__sub",
    "__mul",
    "__div",
    "__mod",
    "__pow",
    "__unm",
    "__len",
    "__lt",
    "__le",
    "__concat",
    "__call",
    "__metatable",
];

/// Index of `"__metatable"` in [`TM_NAMES`] and `Vm::tm_names`.
pub const TM_METATABLE: usize = 17;

/// Hook called every `interval` counted events (backward jumps and calls).
pub type Hook = Box<dyn FnMut(&mut Vm) -> Result<(), LuaError> + Send>;

/// Nested native-to-Lua calls allowed (`LUAI_MAXCCALLS`).
pub const MAX_CCALLS: u32 = 200;

/// The native stack a thread that runs Lua must have, in bytes.
///
/// Native code re-entering Lua (pcall, metamethods, `tostring`, comparators,
/// coroutine resume) recurses in Rust, up to [`MAX_CCALLS`] levels. Measured
/// per level: about 1.9 KB in a release build (about 380 KB for 200 levels)
/// and about 18 KB in a debug build (about 3.6 MB). 8 MB covers both with room
/// for the caller's own frames; the server gives its connection threads this much.
pub const LUA_THREAD_STACK: usize = 8 << 20;
/// Lua frames allowed per coroutine (`LUAI_MAXCALLS`).
pub const MAX_CALLS: usize = 20000;
/// Stack slots allowed per coroutine.
pub const MAX_STACK: usize = 1_000_000;

/// A Lua state: heap, globals, the running coroutine and its stack.
pub struct Vm {
    pub(crate) heap: Heap,
    pub(crate) stack: Vec<Value>,
    pub(crate) top: usize,
    pub(crate) frames: Vec<CallInfo>,
    pub(crate) open_upvals: Vec<UpRef>,
    /// The stack index of the highest open upvalue of the running coroutine,
    /// 0 when none is open (slot 0 is never a local), so a return checks
    /// `open_level >= base` before it looks for upvalues to close.
    pub(crate) open_level: usize,
    pub(crate) cur_thread: ThreadRef,
    pub(crate) main_thread: ThreadRef,
    /// Coroutines resumed and not yet returned/yielded, innermost last.
    pub(crate) co_chain: Vec<ThreadRef>,
    pub(crate) globals: TableRef,
    pub(crate) registry: TableRef,
    /// Metatables for non-table types, by [`Type`] number (strings' one is here).
    pub(crate) type_meta: [Option<TableRef>; 9],
    pub(crate) tm_names: [StrRef; 18],
    pub(crate) n_ccalls: u32,
    pub(crate) base_ccalls: u32,
    /// Values Rust code keeps alive across collections (see [`Vm::pin`]).
    pub(crate) roots: Vec<Value>,
    pub(crate) free_roots: Vec<usize>,
    pub(crate) hook: Option<Hook>,
    pub(crate) hook_interval: i64,
    pub(crate) hook_count: i64,
    /// A pending interrupt ([`Vm::interrupt`]): the error every protected
    /// call re-raises until the outermost call into the VM returns it.
    pub(crate) interrupt: Option<Value>,
    /// The running coroutine's debug hook.
    pub(crate) dhook: DebugHook,
    /// False while a debug hook runs (hooks do not nest), as 5.1's `allowhook`.
    pub(crate) allow_hook: bool,
    /// Loaders accept binary chunks (`string.dump` output); command line only.
    pub allow_binary_chunks: bool,
    /// Whatever the embedding program lends its native functions for the length
    /// of a call (the server puts its keyspace here while a script runs).
    pub host: Option<Box<dyn std::any::Any + Send>>,
}

impl Default for Vm {
    fn default() -> Self {
        Self::new()
    }
}

impl Vm {
    /// A fresh state with the base and coroutine libraries opened.
    pub fn new() -> Vm {
        let mut vm = Vm::bare();
        super::stdlib::base::open(&mut vm);
        super::stdlib::coroutine::open(&mut vm);
        super::stdlib::string::open(&mut vm);
        super::stdlib::table::open(&mut vm);
        super::stdlib::math::open(&mut vm);
        super::dump::open(&mut vm);
        vm
    }

    /// A fresh state with no libraries (only `_G` as the globals table).
    pub fn bare() -> Vm {
        let mut heap = Heap::default();
        let globals = heap.new_table(0, 32);
        let registry = heap.new_table(0, 8);
        let main_thread = heap.new_thread(LuaThread {
            status: CoStatus::Running,
            ..LuaThread::new()
        });
        let tm_names = TM_NAMES.map(|n| heap.intern(n.as_bytes()));
        Vm {
            heap,
            stack: vec![Value::Nil; 64],
            top: 0,
            frames: Vec::with_capacity(64),
            open_upvals: Vec::new(),
            open_level: 0,
            cur_thread: main_thread,
            main_thread,
            co_chain: Vec::new(),
            globals,
            registry,
            type_meta: [None; 9],
            tm_names,
            n_ccalls: 0,
            base_ccalls: 0,
            roots: Vec::new(),
            free_roots: Vec::new(),
            hook: None,
            hook_interval: i64::MAX,
            hook_count: i64::MAX,
            interrupt: None,
            dhook: DebugHook::default(),
            allow_hook: true,
            allow_binary_chunks: false,
            host: None,
        }
    }

    // ----- values and objects -------------------------------------------

    /// The globals table (`_G`).
    pub fn globals(&self) -> TableRef {
        self.globals
    }

    /// The registry: a table only Rust code can reach.
    pub fn registry(&self) -> TableRef {
        self.registry
    }

    /// An interned string value.
    #[inline]
    pub fn new_str(&mut self, b: &[u8]) -> Value {
        Value::Str(self.heap.intern(b))
    }

    /// Makes strings hash for table placement as in the Lua inside
    /// redis-server 7.0 (every byte, where lua5.1 samples about 32 of a longer
    /// string), so that `pairs` order, and with it `cjson.encode`'s key order,
    /// is Redis's. Existing strings and tables are rehashed; call it on a new
    /// state (the scripting engine does, right after creating it).
    pub fn use_redis_string_hash(&mut self) {
        // every table's string keys are read below: in the middle of a cycle
        // an unswept dead table may still hold strings already freed
        self.finish_cycle();
        let heap = &mut self.heap;
        heap.interner.set_every_byte(&mut heap.strings, true);
        let tables: Vec<TableRef> = heap.tables.handles().collect();
        for t in tables {
            heap.tables.get_mut(t).rehash_strings(&heap.strings);
        }
    }

    /// A new empty table.
    pub fn new_table(&mut self) -> TableRef {
        self.heap.new_table(0, 0)
    }

    /// A new table with preallocated array and hash parts.
    pub fn new_table_sized(&mut self, narray: usize, nhash: usize) -> TableRef {
        self.heap.new_table(narray, nhash)
    }

    /// The bytes of a string.
    #[inline]
    pub fn str_bytes(&self, s: StrRef) -> &[u8] {
        self.heap.str_bytes(s)
    }

    /// A shared copy of a string's bytes that outlives borrows of the `Vm`.
    pub fn str_rc(&self, s: StrRef) -> Arc<[u8]> {
        self.heap.strings.get(s).bytes.clone()
    }

    /// A native function value.
    pub fn new_native(&mut self, f: NativeFn, name: &'static str) -> Value {
        self.new_native_closure(f, name, Vec::new())
    }

    /// A native function value with upvalues (read with [`Vm::upvalue`]).
    pub fn new_native_closure(
        &mut self,
        f: NativeFn,
        name: &'static str,
        upvals: Vec<Value>,
    ) -> Value {
        let env = self.globals;
        Value::Func(self.heap.new_function(Function::Native(NClosure {
            f,
            upvals,
            name,
            env,
        })))
    }

    /// The `__metatable` field of metatable `mt` (raw), nil when absent.
    pub(crate) fn protected_meta(&self, mt: TableRef) -> Value {
        self.heap
            .table(mt)
            .get_str(self.tm_names[TM_METATABLE], &self.heap.strings)
    }

    /// Raw get with a string key.
    pub fn raw_get_str(&mut self, t: TableRef, key: &str) -> Value {
        let k = self.new_str(key.as_bytes());
        self.heap.tables.get(t).get(&k, &self.heap.strings)
    }

    /// Raw set with a string key.
    pub fn raw_set_str(&mut self, t: TableRef, key: &str, v: Value) {
        let k = self.new_str(key.as_bytes());
        let _ = self.heap.table_set(t, k, v);
    }

    /// Raw get.
    pub fn raw_get(&self, t: TableRef, k: Value) -> Value {
        self.heap.tables.get(t).get(&k, &self.heap.strings)
    }

    /// Raw set; errors for a nil or NaN key with 5.1's message.
    pub fn raw_set(&mut self, t: TableRef, k: Value, v: Value) -> Result<(), LuaError> {
        match self.heap.table_set(t, k, v) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.runtime_error(e.message())),
        }
    }

    /// Sets `name` in `t` to a native function.
    pub fn register(&mut self, t: TableRef, name: &'static str, f: NativeFn) {
        let fv = self.new_native(f, name);
        self.raw_set_str(t, name, fv);
    }

    /// Sets the global `name` to a native function.
    pub fn register_global(&mut self, name: &'static str, f: NativeFn) {
        let g = self.globals;
        self.register(g, name, f);
    }

    /// Registers a library: a table of native functions stored as global `lib`.
    pub fn register_lib(&mut self, lib: &str, funcs: &[(&'static str, NativeFn)]) -> TableRef {
        let existing = self.raw_get_str(self.globals, lib);
        let t = match existing {
            Value::Table(t) => t,
            _ => {
                let t = self.new_table_sized(0, funcs.len());
                let g = self.globals;
                self.raw_set_str(g, lib, Value::Table(t));
                t
            }
        };
        for (name, f) in funcs {
            self.register(t, name, *f);
        }
        t
    }

    /// The metatable of any value (tables and userdata have their own; other
    /// types share one per type, e.g. strings').
    pub fn get_metatable(&self, v: Value) -> Option<TableRef> {
        match v {
            Value::Table(t) => self.heap.table(t).meta,
            Value::UserData(u) => self.heap.userdata.get(u).meta,
            other => self.type_meta[other.type_of() as usize],
        }
    }

    /// Sets the metatable of a table, a userdata, or (for other types) the
    /// metatable shared by all values of that type.
    pub fn set_metatable(&mut self, v: Value, mt: Option<TableRef>) {
        match v {
            Value::Table(t) => self.heap.table_mut(t).meta = mt,
            Value::UserData(u) => self.heap.userdata.get_mut(u).meta = mt,
            // (the per-type metatables are roots)
            other => self.type_meta[other.type_of() as usize] = mt,
        }
        if let Some(m) = mt {
            self.heap.barrier(Value::Table(m));
        }
    }

    /// The metamethod `event` of value `v`, or nil.
    #[inline]
    pub(crate) fn metamethod(&self, v: Value, event: Tm) -> Value {
        match self.get_metatable(v) {
            None => Value::Nil,
            Some(mt) => self.fast_tm(mt, event),
        }
    }

    /// Looks `event` up in metatable `mt` (absence cached in the table's flags
    /// for the first five events).
    #[inline]
    pub(crate) fn fast_tm(&self, mt: TableRef, event: Tm) -> Value {
        let t = self.heap.table(mt);
        let bit = 1u8 << (event as u8).min(7);
        if (event as u8) < 5 && t.flags & bit != 0 {
            return Value::Nil;
        }
        t.get_str(self.tm_names[event as usize], &self.heap.strings)
    }

    /// [`Vm::fast_tm`] that also records an absent event in the metatable's
    /// flags, so the next lookup of it is a bit test.
    #[inline]
    pub(crate) fn fast_tm_cache(&mut self, mt: TableRef, event: Tm) -> Value {
        let v = self.fast_tm(mt, event);
        if v.is_nil() && (event as u8) < 5 {
            self.heap.table_mut(mt).flags |= 1 << (event as u8);
        }
        v
    }

    // ----- the native-function API --------------------------------------

    #[inline]
    fn native_base(&self) -> usize {
        self.frames.last().map_or(0, |c| c.base)
    }

    /// Number of arguments of the running native function.
    #[inline]
    pub fn arg_count(&self) -> usize {
        self.top - self.native_base()
    }

    /// Argument `i` (1-based); nil when absent.
    #[inline]
    pub fn arg(&self, i: usize) -> Value {
        let idx = self.native_base() + i - 1;
        if idx < self.top {
            self.stack[idx]
        } else {
            Value::Nil
        }
    }

    /// Replaces argument `i` (it must exist).
    pub fn set_arg(&mut self, i: usize, v: Value) {
        let idx = self.native_base() + i - 1;
        if idx < self.top {
            self.stack[idx] = v;
        }
    }

    /// Pushes a value on the stack (a result, or a value kept alive across a call).
    #[inline]
    pub fn push(&mut self, v: Value) {
        if self.top >= self.stack.len() {
            let n = (self.stack.len() * 2).max(64);
            self.stack.resize(n, Value::Nil);
        }
        self.stack[self.top] = v;
        self.top += 1;
    }

    /// Removes and returns the top value.
    pub fn pop(&mut self) -> Value {
        if self.top > self.native_base() {
            self.top -= 1;
            std::mem::take(&mut self.stack[self.top])
        } else {
            Value::Nil
        }
    }

    /// Native-closure upvalue `i` (0-based) of the running native function.
    pub fn upvalue(&self, i: usize) -> Value {
        let Some(ci) = self.frames.last() else {
            return Value::Nil;
        };
        match self.heap.funcs.get(ci.closure) {
            Function::Native(n) => n.upvals.get(i).copied().unwrap_or(Value::Nil),
            Function::Lua(_) => Value::Nil,
        }
    }

    /// Sets native-closure upvalue `i` of the running native function.
    pub fn set_upvalue(&mut self, i: usize, v: Value) {
        let Some(ci) = self.frames.last() else {
            return;
        };
        if let Function::Native(n) = self.heap.funcs.get_mut(ci.closure) {
            if let Some(slot) = n.upvals.get_mut(i) {
                *slot = v;
            }
        }
        self.heap.barrier(v);
    }

    /// `luaL_argerror`: `bad argument #i to 'f' (msg)`.
    pub fn arg_error(&mut self, i: usize, msg: &str) -> LuaError {
        let (name, namewhat) = self.current_function_name();
        let mut i = i;
        if namewhat == "method" {
            if i == 1 {
                return self.error_str(&format!("calling '{}' on bad self ({})", name, msg));
            }
            i -= 1;
        }
        let name = if name.is_empty() {
            "?".to_string()
        } else {
            name
        };
        self.error_str(&format!("bad argument #{} to '{}' ({})", i, name, msg))
    }

    /// `luaL_typerror`: `bad argument #i to 'f' (T expected, got U)`.
    pub fn type_error(&mut self, i: usize, expected: &str) -> LuaError {
        let got = if i > self.arg_count() {
            "no value"
        } else {
            self.arg(i).type_name()
        };
        self.arg_error(i, &format!("{} expected, got {}", expected, got))
    }

    /// Argument `i`, which must be present (any type, nil included).
    pub fn check_any(&mut self, i: usize) -> Result<Value, LuaError> {
        if i > self.arg_count() {
            return Err(self.arg_error(i, "value expected"));
        }
        Ok(self.arg(i))
    }

    /// Argument `i` as a number (strings convertible to numbers are accepted).
    pub fn check_number(&mut self, i: usize) -> Result<f64, LuaError> {
        match self.to_number(self.arg(i)) {
            Some(n) => Ok(n),
            None => Err(self.type_error(i, "number")),
        }
    }

    /// Argument `i` as an integer (truncated toward zero, as `lua_tointeger`).
    pub fn check_int(&mut self, i: usize) -> Result<i64, LuaError> {
        let n = self.check_number(i)?;
        Ok(num_to_int(n))
    }

    /// Optional number argument.
    pub fn opt_number(&mut self, i: usize, def: f64) -> Result<f64, LuaError> {
        if self.arg(i).is_nil() {
            Ok(def)
        } else {
            self.check_number(i)
        }
    }

    /// Optional integer argument.
    pub fn opt_int(&mut self, i: usize, def: i64) -> Result<i64, LuaError> {
        if self.arg(i).is_nil() {
            Ok(def)
        } else {
            self.check_int(i)
        }
    }

    /// Argument `i` as a string; a number is converted (and the argument
    /// replaced by the string, as `luaL_checklstring` does).
    pub fn check_str(&mut self, i: usize) -> Result<StrRef, LuaError> {
        match self.arg(i) {
            Value::Str(s) => Ok(s),
            Value::Num(n) => {
                let s = self.number_to_str(n);
                self.set_arg(i, Value::Str(s));
                Ok(s)
            }
            _ => Err(self.type_error(i, "string")),
        }
    }

    /// Argument `i`'s bytes (see [`Vm::check_str`]).
    pub fn check_bytes(&mut self, i: usize) -> Result<Arc<[u8]>, LuaError> {
        let s = self.check_str(i)?;
        Ok(self.str_rc(s))
    }

    /// Optional string argument.
    pub fn opt_str(&mut self, i: usize) -> Result<Option<StrRef>, LuaError> {
        if self.arg(i).is_nil() {
            Ok(None)
        } else {
            self.check_str(i).map(Some)
        }
    }

    /// Argument `i` as a table.
    pub fn check_table(&mut self, i: usize) -> Result<TableRef, LuaError> {
        match self.arg(i) {
            Value::Table(t) => Ok(t),
            _ => Err(self.type_error(i, "table")),
        }
    }

    /// Argument `i` must have type `t`.
    pub fn check_type(&mut self, i: usize, t: Type) -> Result<Value, LuaError> {
        let v = self.arg(i);
        if v.type_of() != t || (i > self.arg_count() && t == Type::Nil) {
            return Err(self.type_error(i, t.name()));
        }
        Ok(v)
    }

    /// Charges `units` of work to the instruction budget: a native that can
    /// run long (pattern matching, sorting, building big strings) calls this
    /// as it goes, about one unit per VM instruction's worth of work, so the
    /// hook runs (and can interrupt) within bounded time. Fails with the
    /// hook's error, or the pending interrupt.
    #[inline]
    pub fn charge(&mut self, units: u32) -> Result<(), LuaError> {
        self.hook_count -= units as i64;
        if self.hook_count <= 0 {
            self.run_hook()
        } else {
            Ok(())
        }
    }

    /// Fails with "not enough memory" when `bytes` more would not fit under
    /// the heap limit even after a full collection. A native calls this before
    /// building a big result outside the heap (a `Vec` that becomes a string),
    /// so no script can allocate past the limit through a library function.
    pub fn check_memory(&mut self, bytes: usize) -> Result<(), LuaError> {
        let Some(limit) = self.heap.limit else {
            return Ok(());
        };
        if self.heap.total.saturating_add(bytes) <= limit {
            return Ok(());
        }
        self.collect_garbage();
        if self.heap.total.saturating_add(bytes) <= limit {
            return Ok(());
        }
        let v = self.new_str(b"not enough memory");
        Err(LuaError::Error(v))
    }

    /// Converts a number to its interned `%.14g` string.
    pub fn number_to_str(&mut self, n: f64) -> StrRef {
        let mut buf = Vec::with_capacity(24);
        super::numfmt::fmt_number(n, &mut buf);
        self.heap.intern(&buf)
    }

    /// Numeric value with 5.1's string coercion (`"0x10"`, `" 3 "`).
    #[inline]
    pub fn to_number(&self, v: Value) -> Option<f64> {
        match v {
            Value::Num(n) => Some(n),
            Value::Str(s) => super::numfmt::str2number(self.heap.str_bytes(s)),
            _ => None,
        }
    }

    /// String value with 5.1's number coercion (no metamethods).
    pub fn to_str(&mut self, v: Value) -> Option<StrRef> {
        match v {
            Value::Str(s) => Some(s),
            Value::Num(n) => Some(self.number_to_str(n)),
            _ => None,
        }
    }

    /// Keeps `v` alive across collections until [`Vm::unpin`]; returns a key.
    pub fn pin(&mut self, v: Value) -> usize {
        if let Some(i) = self.free_roots.pop() {
            self.roots[i] = v;
            i
        } else {
            self.roots.push(v);
            self.roots.len() - 1
        }
    }

    /// The value pinned under `key`.
    pub fn pinned(&self, key: usize) -> Value {
        self.roots.get(key).copied().unwrap_or(Value::Nil)
    }

    /// Releases a pinned value.
    pub fn unpin(&mut self, key: usize) {
        if key < self.roots.len() {
            self.roots[key] = Value::Nil;
            self.free_roots.push(key);
        }
    }

    /// A new upvalue cell for stack slot `idx` of the running coroutine,
    /// shared with any open cell already there.
    pub(crate) fn find_upval(&mut self, idx: usize) -> UpRef {
        // open_upvals is sorted by stack index, ascending.
        let pos = self
            .open_upvals
            .partition_point(|u| match self.heap.upvals.get(*u) {
                UpVal::Open { idx: i, .. } => (*i as usize) < idx,
                UpVal::Closed(_) => true,
            });
        if let Some(&u) = self.open_upvals.get(pos) {
            if let UpVal::Open { idx: i, .. } = self.heap.upvals.get(u) {
                if *i as usize == idx {
                    return u;
                }
            }
        }
        let u = self.heap.new_upval(UpVal::Open {
            thread: self.cur_thread,
            idx: idx as u32,
        });
        self.open_upvals.insert(pos, u);
        self.open_level = self.open_level.max(idx);
        u
    }

    /// Recomputes [`Vm::open_level`] from the open upvalues.
    pub(crate) fn reset_open_level(&mut self) {
        self.open_level = match self.open_upvals.last() {
            Some(&u) => match self.heap.upvals.get(u) {
                UpVal::Open { idx, .. } => *idx as usize,
                UpVal::Closed(_) => 0,
            },
            None => 0,
        };
    }

    /// Closes every open upvalue of the running coroutine at stack index `>= level`.
    pub(crate) fn close_upvals(&mut self, level: usize) {
        while let Some(&u) = self.open_upvals.last() {
            let idx = match self.heap.upvals.get(u) {
                UpVal::Open { idx, .. } => *idx as usize,
                UpVal::Closed(_) => {
                    self.open_upvals.pop();
                    continue;
                }
            };
            if idx < level {
                break;
            }
            let v = self.stack[idx];
            *self.heap.upvals.get_mut(u) = UpVal::Closed(v);
            self.heap.barrier(v);
            self.open_upvals.pop();
        }
        self.reset_open_level();
    }

    /// Makes sure the stack has at least `n` slots.
    #[inline]
    pub(crate) fn ensure_stack(&mut self, n: usize) -> Result<(), LuaError> {
        if n > self.stack.len() {
            if n > MAX_STACK {
                return Err(self.runtime_error("stack overflow"));
            }
            let new = n.max(self.stack.len() * 2);
            self.stack.resize(new, Value::Nil);
        }
        Ok(())
    }

    /// A new table value holding `items` as a list.
    pub fn new_list(&mut self, items: &[Value]) -> TableRef {
        let t = self.heap.new_table(items.len(), 0);
        let tb: &mut Table = self.heap.table_mut(t);
        tb.store_slice(0, items);
        t
    }
}

/// Number to integer as `lua_tointeger` does (truncation; out of range saturates).
#[inline]
pub fn num_to_int(n: f64) -> i64 {
    if n.is_nan() {
        0
    } else {
        n as i64
    }
}

#[cfg(test)]
mod send_tests {
    /// The server keeps one `Vm` inside the keyspace mutex and runs scripts on
    /// whichever connection thread holds the lock, so the state must be `Send`.
    #[test]
    fn vm_is_send() {
        fn assert_send<T: Send>() {}
        assert_send::<super::Vm>();
        assert_send::<super::Hook>();
    }

    /// Native re-entry 200 levels deep ends in a clean "C stack overflow" on a
    /// thread with [`super::LUA_THREAD_STACK`] bytes of stack (debug and release).
    #[test]
    fn deep_native_recursion_fits_the_thread_stack() {
        let cases: [(&str, &str); 4] = [
            (
                "local function f() local ok, e = pcall(f) if not ok then error(e, 0) end end \
                 return select(2, pcall(f))",
                "C stack overflow",
            ),
            (
                "local mt = {} mt.__index = function(t, k) return setmetatable({}, mt)[k] end \
                 return select(2, pcall(function() return setmetatable({}, mt).x end))",
                "m:1: C stack overflow",
            ),
            (
                "local function f() local ok, e = coroutine.resume(coroutine.create(f)) \
                 if not ok then error(e, 0) end end return select(2, pcall(f))",
                "C stack overflow",
            ),
            (
                "local mt = {} mt.__tostring = function() return tostring(setmetatable({}, mt)) end \
                 return select(2, pcall(tostring, setmetatable({}, mt)))",
                "C stack overflow",
            ),
        ];
        let h = std::thread::Builder::new()
            .stack_size(super::LUA_THREAD_STACK)
            .spawn(move || {
                let mut out = Vec::new();
                for (src, _) in cases {
                    let mut vm = super::Vm::new();
                    vm.set_c_call_base(1);
                    let f = vm.load(src.as_bytes(), "=m").expect("compiles");
                    let r = vm.call(f, &[]).expect("pcall catches the error");
                    out.push(vm.to_string_lossy(r[0]));
                }
                out
            })
            .expect("spawn");
        let got = h.join().expect("no native stack overflow");
        let want: Vec<String> = cases.iter().map(|c| c.1.to_string()).collect();
        assert_eq!(got, want);
    }
}
