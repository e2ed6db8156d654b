//! The Lua environment Redis 7.0 gives scripts: which globals exist, which
//! tables are read-only, and the `redis.*` functions that need no server.
//!
//! Three environments, each checked key by key against redis-server 7.0.15:
//!
//! - **EVAL** ([`new_eval_vm`]): the base library without `print`, `dofile`,
//!   `loadfile`, `getfenv`, `setfenv`, `newproxy`, `module`, `require`; then
//!   `string` (with `dump`), `table`, `math`, `coroutine`, `cjson`, `cmsgpack`,
//!   `bit`, `struct`, `redis`, and the message handler `__redis__err__handler`.
//!   No `os`, `io`, `debug`, `package`.
//! - **FUNCTION runtime** ([`new_function_vm`]): its own Lua state, the same
//!   globals without `__redis__err__handler` (and without KEYS/ARGV, which
//!   functions receive as arguments); its `redis` table lacks `breakpoint`,
//!   `debug` and `replicate_commands`.
//! - **FUNCTION LOAD** ([`new_load_env`]): while a library's body runs, its
//!   globals are a small table holding only `redis`, whose only members are the
//!   log constants, the version fields and the natives the caller passes
//!   (`register_function`, `log`). Reading anything else raises
//!   "Script attempted to access nonexistent global variable".
//!
//! Protection ([`seal`]): every table reachable from the globals (libraries,
//! metatables, the string metatable) gets the engine's read-only flag, so any
//! store raises "Attempt to modify a readonly table" (from Lua code with the
//! position, from `rawset`/`setmetatable` without), and reading an undeclared
//! global raises "Script attempted to access nonexistent global variable 'x'".
//!
//! Randomness: `math.random`/`math.randomseed` are replaced by a 48-bit linear
//! congruential generator (drand48's constants `a = 0x5DEECE66D`, `c = 0xB`),
//! whose state starts at drand48's default `0x1234ABCD330E` when the state is
//! created and is *not* reset between scripts (Redis 7.0 replicates effects, not
//! scripts); `math.randomseed(n)` sets it to `n << 16 | 0x330E`. A draw takes the
//! top 31 bits, `r = (x % (2^31 - 1)) / (2^31 - 1)`, then scales as 5.1 does.
//!
//! Error values: Redis 7.0 raises *error tables* (`{err = "ERR ..."}`) from its
//! natives and replaces `pcall` with one that hands a table's `err` string back
//! to the script instead of the table ([`error_table`] builds one).
use crate::lua::func::NativeFn;
use crate::lua::redislibs::{bit, cjson, cmsgpack, struct_};
use crate::lua::state::{LuaError, Vm};
use crate::lua::stdlib;
use crate::lua::value::{TableRef, Value};

/// `redis.REDIS_VERSION` and the number `redis.REDIS_VERSION_NUM` encodes
/// (`major << 16 | minor << 8 | patch`).
pub const REDIS_VERSION: &str = crate::cmd::REDIS_VERSION;

/// Name of the global message handler EVAL scripts run under.
pub const ERR_HANDLER: &str = "__redis__err__handler";

/// Base-library globals Redis 7.0 removes from every script environment.
const REMOVED_GLOBALS: &[&str] = &[
    "print", "dofile", "loadfile", "getfenv", "setfenv", "newproxy", "module", "require",
];

/// A state with exactly the globals EVAL scripts see in Redis 7.0, `redis`
/// holding the functions that need no server. Globals are still writable: add
/// the server's natives (`call`, `pcall`, `log`, `setresp`, `set_repl`,
/// `replicate_commands`, `acl_check_cmd`) with [`add_redis_functions`], then
/// [`seal`].
pub fn new_eval_vm() -> Vm {
    let mut vm = new_common_vm();
    let funcs: &[(&'static str, NativeFn)] =
        &[("breakpoint", redis_breakpoint), ("debug", redis_debug)];
    add_redis_functions(&mut vm, funcs);
    define_err_handler(&mut vm);
    vm
}

/// A state for FUNCTION libraries' functions (Redis 7.0 keeps them in a state
/// of their own): the EVAL globals minus `__redis__err__handler`, and a `redis`
/// table without `breakpoint`/`debug`. Unsealed, like [`new_eval_vm`].
pub fn new_function_vm() -> Vm {
    new_common_vm()
}

/// What both script states share.
fn new_common_vm() -> Vm {
    let mut vm = Vm::bare();
    vm.use_redis_string_hash();
    stdlib::base::open(&mut vm);
    stdlib::coroutine::open(&mut vm);
    stdlib::string::open(&mut vm);
    stdlib::table::open(&mut vm);
    stdlib::math::open(&mut vm);
    crate::lua::dump::open(&mut vm);
    cjson::open(&mut vm);
    cmsgpack::open(&mut vm);
    bit::open(&mut vm);
    struct_::open(&mut vm);
    vm.allow_binary_chunks = false;
    let g = vm.globals();
    for name in REMOVED_GLOBALS {
        vm.raw_set_str(g, name, Value::Nil);
    }
    vm.register(g, "pcall", script_pcall);
    install_random(&mut vm);
    let redis = vm.new_table();
    vm.raw_set_str(g, "redis", Value::Table(redis));
    fill_redis_constants(&mut vm, redis, true);
    let funcs: &[(&'static str, NativeFn)] = &[
        ("sha1hex", redis_sha1hex),
        ("error_reply", redis_error_reply),
        ("status_reply", redis_status_reply),
    ];
    add_redis_functions(&mut vm, funcs);
    vm
}

/// Adds natives to the global `redis` table (before [`seal`]).
pub fn add_redis_functions(vm: &mut Vm, funcs: &[(&'static str, NativeFn)]) {
    if let Value::Table(redis) = vm.raw_get_str(vm.globals(), "redis") {
        for (name, f) in funcs {
            vm.register(redis, name, *f);
        }
    }
}

/// The constants of the `redis` table: the log levels and the version, plus
/// (`with_repl`) the replication flags, which the FUNCTION LOAD table lacks.
fn fill_redis_constants(vm: &mut Vm, redis: TableRef, with_repl: bool) {
    let version = vm.new_str(REDIS_VERSION.as_bytes());
    vm.raw_set_str(redis, "REDIS_VERSION", version);
    vm.raw_set_str(
        redis,
        "REDIS_VERSION_NUM",
        Value::Num(version_num(REDIS_VERSION) as f64),
    );
    let levels = [
        ("LOG_DEBUG", 0.0),
        ("LOG_VERBOSE", 1.0),
        ("LOG_NOTICE", 2.0),
        ("LOG_WARNING", 3.0),
    ];
    for (name, n) in levels {
        vm.raw_set_str(redis, name, Value::Num(n));
    }
    if with_repl {
        let repl = [
            ("REPL_NONE", 0.0),
            ("REPL_AOF", 1.0),
            ("REPL_SLAVE", 2.0),
            ("REPL_REPLICA", 2.0),
            ("REPL_ALL", 3.0),
        ];
        for (name, n) in repl {
            vm.raw_set_str(redis, name, Value::Num(n));
        }
    }
}

/// `"7.0.15"` -> `0x07000f`.
fn version_num(v: &str) -> u32 {
    let mut n = 0u32;
    for part in v.split('.').take(3) {
        n = (n << 8) | part.parse::<u32>().unwrap_or(0).min(255);
    }
    n
}

/// Defines the EVAL message handler as the global `__redis__err__handler`.
fn define_err_handler(vm: &mut Vm) {
    let h = err_handler(vm);
    let g = vm.globals();
    vm.raw_set_str(g, ERR_HANDLER, h);
}

/// A new message handler for script calls: it turns a string error into
/// `{err = "ERR " .. msg}` and records where the error happened (`source`,
/// `line`: the running Lua function, or its caller when a native raised), which
/// the server prints as `script: <name>, on <source>:<line>.`. `debug` is open
/// only while the handler's chunk captures `getinfo`. (FUNCTION states keep
/// theirs out of the globals, as Redis 7.0 does.)
pub fn err_handler(vm: &mut Vm) -> Value {
    stdlib::debug::open(vm);
    let src = "local getinfo = debug.getinfo\n\
               return function(e)\n\
                 local at = getinfo(2, 'nSl')\n\
                 if at ~= nil and at.what == 'C' then at = getinfo(3, 'nSl') end\n\
                 if type(e) ~= 'table' then e = { err = 'ERR ' .. tostring(e) } end\n\
                 if at ~= nil then e.source = at.source; e.line = at.currentline end\n\
                 return e\n\
               end\n";
    let handler = match vm.load(src.as_bytes(), "=redis_init") {
        Ok(f) => vm.call(f, &[]).ok().and_then(|r| r.first().copied()),
        Err(_) => None,
    };
    let g = vm.globals();
    vm.raw_set_str(g, "debug", Value::Nil);
    handler.unwrap_or(Value::Nil)
}

/// Makes the globals and every table reachable from them (library tables,
/// their metatables, the string metatable) read-only, and gives `_G` the
/// metatable that refuses to read undeclared globals.
pub fn seal(vm: &mut Vm) {
    let g = vm.globals();
    let mt = vm.new_table();
    vm.register(mt, "__index", undeclared_global);
    vm.set_metatable(Value::Table(g), Some(mt));
    let mut stack = vec![g];
    let empty = vm.new_str(b"");
    if let Some(smt) = vm.get_metatable(empty) {
        stack.push(smt);
    }
    protect_all(vm, stack);
}

/// Marks each table in `stack`, and each table reachable from one through
/// fields or metatables, read-only.
fn protect_all(vm: &mut Vm, mut stack: Vec<TableRef>) {
    while let Some(t) = stack.pop() {
        if vm.is_readonly(t) {
            continue;
        }
        vm.set_readonly(t, true);
        if let Some(m) = vm.get_metatable(Value::Table(t)) {
            stack.push(m);
        }
        let mut k = Value::Nil;
        while let Ok(Some((key, v))) = vm.raw_next(t, k) {
            if let Value::Table(inner) = v {
                stack.push(inner);
            }
            k = key;
        }
    }
}

/// Sets the globals `KEYS` and `ARGV` of an EVAL run (binary-safe strings),
/// through the read-only flag as Redis does. Call it before each run, after
/// [`seal`]: the new tables stay writable, as in Redis.
pub fn set_script_args(vm: &mut Vm, keys: &[Vec<u8>], argv: &[Vec<u8>]) {
    let g = vm.globals();
    let was = vm.is_readonly(g);
    vm.set_readonly(g, false);
    for (name, items) in [("KEYS", keys), ("ARGV", argv)] {
        let t = vm.new_table_sized(items.len(), 0);
        for (i, item) in items.iter().enumerate() {
            let s = vm.new_str(item);
            let _ = vm.raw_set(t, Value::Num((i + 1) as f64), s);
        }
        vm.raw_set_str(g, name, Value::Table(t));
    }
    vm.set_readonly(g, was);
}

/// The globals table a FUNCTION library's body runs with: `{redis = {...}}`
/// where `redis` holds the log constants, the version and `funcs` (the
/// server's `register_function` and `log`). Both tables are read-only and
/// refuse to read missing names, as in Redis 7.0. Set it as the loaded chunk's
/// environment before running it.
pub fn new_load_env(vm: &mut Vm, funcs: &[(&'static str, NativeFn)]) -> TableRef {
    let env = vm.new_table();
    let redis = vm.new_table();
    fill_redis_constants(vm, redis, false);
    for (name, f) in funcs {
        vm.register(redis, name, *f);
    }
    vm.raw_set_str(env, "redis", Value::Table(redis));
    let mt = vm.new_table();
    vm.register(mt, "__index", undeclared_global);
    vm.set_metatable(Value::Table(env), Some(mt));
    vm.set_metatable(Value::Table(redis), Some(mt));
    protect_all(vm, vec![env]);
    env
}

/// An error value as Redis 7.0's natives raise it: `{err = msg}`. Its `pcall`
/// gives the script `msg` itself; uncaught, the reply is `msg` verbatim.
pub fn error_table(vm: &mut Vm, msg: &[u8]) -> LuaError {
    LuaError::Error(error_value(vm, msg))
}

/// The error table `{err = msg}` itself, as a value.
pub fn error_value(vm: &mut Vm, msg: &[u8]) -> Value {
    let t = vm.new_table_sized(0, 1);
    let s = vm.new_str(msg);
    vm.raw_set_str(t, "err", s);
    Value::Table(t)
}

/// The field 7.0 sets in the error table of a command's error (or of a
/// command the script was refused): the error was counted in INFO's error
/// statistics where it arose, so the script's own error reply, if it passes
/// the table on, is not counted again.
pub const COUNTED_FIELD: &str = "ignore_error_stats_update";

/// `{err = msg, ignore_error_stats_update = true}`: a command's error as a
/// script sees it.
pub fn counted_error_value(vm: &mut Vm, msg: &[u8]) -> Value {
    let t = vm.new_table_sized(0, 2);
    let s = vm.new_str(msg);
    vm.raw_set_str(t, "err", s);
    vm.raw_set_str(t, COUNTED_FIELD, Value::Bool(true));
    Value::Table(t)
}

/// Whether `v` is an error table whose error was already counted.
pub fn is_counted_error(vm: &mut Vm, v: Value) -> bool {
    match v {
        Value::Table(t) => {
            let flag = vm.raw_get_str(t, COUNTED_FIELD);
            !matches!(flag, Value::Nil | Value::Bool(false))
        }
        _ => false,
    }
}

// ----- natives ------------------------------------------------------------

/// `__index` of the protected globals: reading a name that was never declared.
fn undeclared_global(vm: &mut Vm) -> Result<usize, LuaError> {
    let key = vm.arg(2);
    let name = match key {
        Value::Str(s) => String::from_utf8_lossy(vm.str_bytes(s)).into_owned(),
        Value::Num(_) => {
            let s = vm
                .to_str(key)
                .map(|s| vm.str_bytes(s).to_vec())
                .unwrap_or_default();
            String::from_utf8_lossy(&s).into_owned()
        }
        _ => {
            return Err(vm
                .error_str("Second argument to luaProtectedTableError must be a string or number"))
        }
    };
    Err(vm.error_str(&format!(
        "Script attempted to access nonexistent global variable '{name}'"
    )))
}

/// `pcall` as Redis 7.0 redefines it: an error table caught here is replaced
/// by its `err` field, so scripts see the message string.
fn script_pcall(vm: &mut Vm) -> Result<usize, LuaError> {
    let n = stdlib::base::b_pcall(vm)?;
    if n == 2 && vm.top >= 2 && vm.stack[vm.top - 2] == Value::Bool(false) {
        if let Value::Table(t) = vm.stack[vm.top - 1] {
            let err = vm.raw_get_str(t, "err");
            if matches!(err, Value::Str(_) | Value::Num(_)) {
                vm.stack[vm.top - 1] = err;
            }
        }
    }
    Ok(n)
}

/// `redis.sha1hex(s)`: the SHA-1 of `s` as 40 lower-case hex digits.
fn redis_sha1hex(vm: &mut Vm) -> Result<usize, LuaError> {
    if vm.arg_count() != 1 {
        return Err(error_table(vm, b"ERR wrong number of arguments"));
    }
    let bytes = match vm.to_str(vm.arg(1)) {
        Some(s) => vm.str_bytes(s).to_vec(),
        None => Vec::new(),
    };
    let hex = crate::digest::sha1::sha1_hex(&bytes);
    let v = vm.new_str(hex.as_bytes());
    vm.push(v);
    Ok(1)
}

/// The one string argument of `error_reply`/`status_reply`, or the error
/// table Redis *returns* (not raises) when it is missing or not a string.
fn one_string_arg(vm: &mut Vm) -> Result<Vec<u8>, Value> {
    if vm.arg_count() == 1 {
        if let Value::Str(s) = vm.arg(1) {
            return Ok(vm.str_bytes(s).to_vec());
        }
    }
    match error_table(vm, b"ERR wrong number or type of arguments") {
        LuaError::Error(v) => Err(v),
        LuaError::Yield => Err(Value::Nil),
    }
}

/// `redis.error_reply(msg)`: `{err = msg}` without a leading `-`; a message of
/// one word (no space, so no error code of its own) gets `ERR ` in front.
fn redis_error_reply(vm: &mut Vm) -> Result<usize, LuaError> {
    let msg = match one_string_arg(vm) {
        Ok(m) => m,
        Err(t) => {
            vm.push(t);
            return Ok(1);
        }
    };
    let msg = msg.strip_prefix(b"-").unwrap_or(&msg);
    let text = if msg.contains(&b' ') {
        msg.to_vec()
    } else {
        [b"ERR ".as_slice(), msg].concat()
    };
    let LuaError::Error(t) = error_table(vm, &text) else {
        return Ok(0);
    };
    vm.push(t);
    Ok(1)
}

/// `redis.status_reply(msg)`: `{ok = msg}`.
fn redis_status_reply(vm: &mut Vm) -> Result<usize, LuaError> {
    let msg = match one_string_arg(vm) {
        Ok(m) => m,
        Err(t) => {
            vm.push(t);
            return Ok(1);
        }
    };
    let t = vm.new_table_sized(0, 1);
    let s = vm.new_str(&msg);
    vm.raw_set_str(t, "ok", s);
    vm.push(Value::Table(t));
    Ok(1)
}

/// `redis.breakpoint()`: false outside the script debugger.
fn redis_breakpoint(vm: &mut Vm) -> Result<usize, LuaError> {
    vm.push(Value::Bool(false));
    Ok(1)
}

/// `redis.debug(...)`: does nothing outside the script debugger.
fn redis_debug(_vm: &mut Vm) -> Result<usize, LuaError> {
    Ok(0)
}

// ----- math.random --------------------------------------------------------

/// drand48's default state, which Redis's generator starts from.
const RAND48_DEFAULT: u64 = 0x1234_ABCD_330E;
const RAND48_MASK: u64 = (1 << 48) - 1;
/// `2^31 - 1`, the modulus of a draw.
const RAND48_MAX: u64 = 0x7FFF_FFFF;

/// The generator's 48-bit state, kept in a userdata shared by `random` and
/// `randomseed` as their upvalue.
struct Rand48(u64);

impl Rand48 {
    /// Next 31-bit draw (`lrand48`).
    fn next(&mut self) -> u64 {
        self.0 = (self.0.wrapping_mul(0x5_DEEC_E66D).wrapping_add(0xB)) & RAND48_MASK;
        self.0 >> 17
    }
}

fn install_random(vm: &mut Vm) {
    let Value::Table(math) = vm.raw_get_str(vm.globals(), "math") else {
        return;
    };
    let state = vm.new_userdata(None, Box::new(Rand48(RAND48_DEFAULT)));
    let ups = vec![state];
    let random = vm.new_native_closure(script_random, "random", ups.clone());
    vm.raw_set_str(math, "random", random);
    let seed = vm.new_native_closure(script_randomseed, "randomseed", ups);
    vm.raw_set_str(math, "randomseed", seed);
}

fn with_rand48<T>(vm: &mut Vm, f: impl FnOnce(&mut Rand48) -> T) -> Option<T> {
    let u = vm.upvalue(0);
    vm.userdata_mut::<Rand48>(u).map(f)
}

/// `math.random([m [, n]])` over the 48-bit generator, scaled as 5.1 scales.
fn script_random(vm: &mut Vm) -> Result<usize, LuaError> {
    let draw = with_rand48(vm, |g| g.next()).unwrap_or(0);
    let r = (draw % RAND48_MAX) as f64 / RAND48_MAX as f64;
    let v = match vm.arg_count() {
        0 => r,
        1 => {
            let u = stdlib::string::check_cint(vm, 1)?;
            if u < 1 {
                return Err(vm.arg_error(1, "interval is empty"));
            }
            (r * u as f64).floor() + 1.0
        }
        2 => {
            let l = stdlib::string::check_cint(vm, 1)?;
            let u = stdlib::string::check_cint(vm, 2)?;
            if l > u {
                return Err(vm.arg_error(2, "interval is empty"));
            }
            let span = u.wrapping_sub(l).wrapping_add(1);
            (r * span as f64).floor() + l as f64
        }
        _ => return Err(vm.error_str("wrong number of arguments")),
    };
    vm.push(Value::Num(v));
    Ok(1)
}

/// `math.randomseed(n)`: state = `n << 16 | 0x330E` (`srand48`).
fn script_randomseed(vm: &mut Vm) -> Result<usize, LuaError> {
    let seed = stdlib::string::check_cint(vm, 1)? as u32 as u64;
    with_rand48(vm, |g| g.0 = (seed << 16) | 0x330E);
    Ok(0)
}

#[cfg(test)]
mod tests;
