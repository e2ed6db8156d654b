//! Redis 7.0 functions: FUNCTION LOAD | DELETE | FLUSH | LIST | STATS | KILL |
//! HELP, FCALL and FCALL_RO.
//!
//! Libraries live in a Lua state of their own (not the EVAL one), built by
//! [`env::new_function_vm`]. Loading a library runs its code once with the
//! restricted globals of [`env::new_load_env`], where the only useful call is
//! `redis.register_function`; each registered callback then gets the real
//! globals as its environment and is pinned. FCALL calls a callback as
//! `f(KEYS, ARGV)`.
//!
//! Invariants: a function name belongs to at most one library; a library is
//! replaced as a whole (REPLACE) or not at all; FUNCTION FLUSH drops the state.
//! FUNCTION LIST lists functions sorted by name (Redis lists them in its hash
//! table's order).
//!
//! FUNCTION DUMP writes Redis's own payload (each library's code as an RDB
//! function record, 0xF5 and the code as an RDB string, LZF-compressed under
//! `rdbcompression yes` when that saves at least 4 bytes, as Redis writes any
//! string; then the RDB version and a CRC-64), so a payload moves between this
//! server and redis-server 7.0 both ways. FUNCTION RESTORE also reads the
//! records 7.0's release candidates wrote (0xF6: name, engine, description,
//! code), as 7.0.15 does. It is all or nothing: the libraries are loaded into
//! a fresh state, which replaces the old one only when every library loaded.
use super::engine::{self, execute};
use super::env::{self, error_table};
use crate::cmd::config::LogLevel;
use crate::cmd::{flags, CommandSpec, Ctx, Keys};
use crate::lua::{LuaError, Value, Vm};
use std::collections::{BTreeMap, HashMap};

pub static COMMANDS: &[CommandSpec] = &[
    // FCALL function numkeys [key ...] [arg ...]
    CommandSpec {
        name: "fcall",
        arity: -3,
        flags: flags::NOSCRIPT
            | flags::STALE
            | flags::SKIP_MONITOR
            | flags::MAY_REPLICATE
            | flags::NO_MANDATORY_KEYS
            | flags::RUNS_SCRIPT,
        keys: Keys::NONE,
        handler: fcall,
        getflags: Some(fcall_flags),
        ..CommandSpec::DEFAULT
    },
    // FCALL_RO function numkeys [key ...] [arg ...]
    CommandSpec {
        name: "fcall_ro",
        arity: -3,
        flags: flags::NOSCRIPT
            | flags::STALE
            | flags::READONLY
            | flags::SKIP_MONITOR
            | flags::NO_MANDATORY_KEYS
            | flags::RUNS_SCRIPT,
        keys: Keys::NONE,
        handler: fcall_ro,
        getflags: Some(fcall_flags),
        ..CommandSpec::DEFAULT
    },
    // FUNCTION LOAD|DELETE|FLUSH|LIST|STATS|KILL|DUMP|RESTORE|HELP ...
    CommandSpec {
        name: "function",
        arity: -2,
        subcommands: FUNCTION_SUBCOMMANDS,
        ..CommandSpec::DEFAULT
    },
];

const WRITES: u32 = flags::WRITE | flags::NOSCRIPT;

static FUNCTION_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "load",
        arity: -3,
        flags: WRITES | flags::DENYOOM | flags::RUNS_SCRIPT,
        handler: function_load,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "delete",
        arity: 3,
        flags: WRITES,
        handler: function_delete,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "flush",
        arity: -2,
        flags: WRITES,
        handler: function_flush,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "list",
        arity: -2,
        flags: flags::NOSCRIPT,
        handler: function_list,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "stats",
        arity: 2,
        flags: flags::NOSCRIPT | flags::ALLOW_BUSY,
        handler: function_stats,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "kill",
        arity: 2,
        flags: flags::NOSCRIPT | flags::ALLOW_BUSY,
        handler: function_kill,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "dump",
        arity: 2,
        flags: flags::NOSCRIPT,
        handler: function_dump,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "restore",
        arity: -3,
        flags: WRITES | flags::DENYOOM | flags::RUNS_SCRIPT,
        handler: function_restore,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: flags::LOADING | flags::STALE,
        handler: function_help,
        ..CommandSpec::DEFAULT
    },
];

/// How long a library's body may run at FUNCTION LOAD (Redis's 500 ms).
const LOAD_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(500);

/// The flag names a function may declare, in the order FUNCTION LIST prints them.
const FLAG_NAMES: [&str; 5] = [
    "no-writes",
    "allow-oom",
    "allow-stale",
    "no-cluster",
    "allow-cross-slot-keys",
];

/// FCALL's flags for one request: those the function declares, if it exists
/// (7.0's `fcallGetCommandFlags`).
fn fcall_flags(ctx: &mut Ctx<'_>, args: &[Vec<u8>], declared: u32) -> u32 {
    let name = String::from_utf8_lossy(&args[1]);
    let funcs = engine::state(ctx.scripts).functions();
    let found = funcs.find(&name).map(|(f, _)| f.flags);
    let Some(bits) = found else {
        return declared;
    };
    let f = engine::ScriptFlags {
        shebang: true,
        no_writes: bits & 1 != 0,
        allow_oom: bits & 2 != 0,
        allow_stale: bits & 4 != 0,
        ..engine::ScriptFlags::default()
    };
    engine::script_command_flags(declared, &f)
}

/// One registered function.
struct Func {
    pin: usize,
    /// Bit `i` set: `FLAG_NAMES[i]` declared.
    flags: u8,
    description: Option<Vec<u8>>,
}

/// One library: its code and its functions by name.
struct Library {
    code: Vec<u8>,
    functions: BTreeMap<String, Func>,
}

/// The function state: its Lua VM, its libraries, and which library owns each
/// function name.
pub struct Functions {
    vm: Vm,
    handler: Value,
    libs: BTreeMap<String, Library>,
    /// Function name, lowercased (FCALL finds `test` as `TEST`, as Redis's
    /// case-insensitive function dictionary does; library names are
    /// case-sensitive) -> (library, the name as registered).
    owner: HashMap<String, (String, String)>,
    /// `redis.log` lines of the last loads, not yet written.
    load_log: Vec<(LogLevel, String)>,
}

/// What `redis.register_function` collects while a library loads.
#[derive(Default)]
struct Registrations {
    /// name, callback, flags, description
    functions: Vec<(String, Value, u8, Option<Vec<u8>>)>,
    /// What `redis.log` was asked to write, in order.
    log: Vec<(LogLevel, String)>,
}

impl Functions {
    pub fn new() -> Functions {
        let mut vm = env::new_function_vm();
        env::add_redis_functions(&mut vm, super::bridge::REDIS_FUNCTIONS);
        // the function state has no `replicate_commands`
        if let Value::Table(r) = vm.get_global("redis") {
            vm.raw_set_str(r, "replicate_commands", Value::Nil);
        }
        let handler = env::err_handler(&mut vm);
        env::seal(&mut vm);
        vm.pin(handler);
        vm.set_memory_limit(Some(super::engine::SCRIPT_HEAP_LIMIT));
        Functions {
            vm,
            handler,
            libs: BTreeMap::new(),
            owner: HashMap::new(),
            load_log: Vec::new(),
        }
    }

    /// The `redis.log` lines the libraries loaded since the last call wrote.
    pub fn take_load_log(&mut self) -> Vec<(LogLevel, String)> {
        std::mem::take(&mut self.load_log)
    }

    /// The function FCALL names, whatever its case, and its name as registered.
    fn find(&self, name: &str) -> Option<(&Func, &str)> {
        let (lib, fname) = self.owner.get(&name.to_lowercase())?;
        let f = self.libs.get(lib)?.functions.get(fname)?;
        Some((f, fname))
    }

    /// Number of libraries and of functions (FUNCTION STATS).
    fn counts(&self) -> (usize, usize) {
        (self.libs.len(), self.owner.len())
    }

    /// FUNCTION LOAD: the library's name, or the error reply text.
    fn load(&mut self, code: &[u8], replace: bool) -> Result<String, String> {
        let name = parse_metadata(code)?;
        if self.libs.contains_key(&name) && !replace {
            return Err(format!("ERR Library '{name}' already exists"));
        }
        let mut source = code.to_vec();
        source[0] = b'-';
        source[1] = b'-';
        let vm = &mut self.vm;
        let chunk = vm
            .load(&source, "@user_function")
            .map_err(|e| format!("ERR Error compiling function: {}", vm.error_message(&e)))?;
        let load_env = env::new_load_env(
            vm,
            &[
                ("register_function", register_function),
                ("log", load_time_log),
            ],
        );
        vm.set_fenv(chunk, load_env);
        vm.host = Some(Box::new(Registrations::default()));
        // The body only registers functions: past LOAD_TIMEOUT it is stopped,
        // as Redis stops it (a library that loops would hold the server).
        let started = std::time::Instant::now();
        vm.set_hook(
            super::engine::HOOK_INTERVAL,
            Box::new(move |vm: &mut Vm| {
                if started.elapsed() > LOAD_TIMEOUT {
                    // An interrupt, so nothing in the body can catch it.
                    let e = env::error_value(vm, b"ERR FUNCTION LOAD timeout");
                    return Err(vm.interrupt(e));
                }
                Ok(())
            }),
        );
        let result = vm.call(chunk, &[]);
        vm.clear_hook();
        let regs = vm
            .host
            .take()
            .and_then(|h| h.downcast::<Registrations>().ok())
            .map(|r| *r)
            .unwrap_or_default();
        self.load_log.extend(regs.log);
        let regs = regs.functions;
        if let Err(e) = result {
            let msg = match &e {
                LuaError::Error(Value::Table(t)) => {
                    let v = vm.raw_get_str(*t, "err");
                    vm.to_bytes(v)
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                        .unwrap_or_default()
                }
                other => format!("ERR {}", vm.error_message(other)),
            };
            return Err(format!("ERR Error registering functions: {msg}"));
        }
        if regs.is_empty() {
            return Err("ERR No functions registered".into());
        }
        for (fname, ..) in &regs {
            if let Some((lib, _)) = self.owner.get(&fname.to_lowercase()) {
                if *lib != name {
                    return Err(format!("ERR Function {fname} already exists"));
                }
            }
        }
        self.delete(&name);
        let globals = self.vm.globals();
        // Closures the body made besides the callbacks (local helpers) keep
        // the load environment: from now on it reads the function globals,
        // as Redis points its globals' `__index` back at the full API once a
        // library has loaded (a helper calling `redis.call` then works).
        self.vm.set_readonly(load_env, false);
        self.vm.raw_set_str(load_env, "redis", Value::Nil);
        let mt = self.vm.new_table();
        self.vm.raw_set_str(mt, "__index", Value::Table(globals));
        self.vm.set_readonly(mt, true);
        self.vm.set_metatable(Value::Table(load_env), Some(mt));
        self.vm.set_readonly(load_env, true);
        let mut functions = BTreeMap::new();
        for (fname, f, flags, description) in regs {
            self.vm.set_fenv(f, globals);
            let pin = self.vm.pin(f);
            self.owner
                .insert(fname.to_lowercase(), (name.clone(), fname.clone()));
            functions.insert(
                fname,
                Func {
                    pin,
                    flags,
                    description,
                },
            );
        }
        self.libs.insert(
            name.clone(),
            Library {
                code: code.to_vec(),
                functions,
            },
        );
        Ok(name)
    }

    /// Removes a library; false when there is none by that name.
    fn delete(&mut self, name: &str) -> bool {
        let Some(lib) = self.libs.remove(name) else {
            return false;
        };
        for (fname, f) in lib.functions {
            self.vm.unpin(f.pin);
            self.owner.remove(&fname.to_lowercase());
        }
        true
    }
}

/// What persistence needs (RDB files carry one FUNCTION2 record per library).
impl Functions {
    /// Every library's source, in name order.
    pub fn library_codes(&self) -> Vec<&[u8]> {
        self.libs.values().map(|l| l.code.as_slice()).collect()
    }

    /// Loads one library from its source, refusing a name already loaded (as
    /// loading an RDB file's FUNCTION2 record does); the library's name, or
    /// Redis's error text.
    pub fn load_library(&mut self, code: &[u8]) -> Result<String, String> {
        self.load(code, false)
    }
}

impl Default for Functions {
    fn default() -> Self {
        Functions::new()
    }
}

/// Library and function names: letters, digits and `_`, at least one.
fn valid_name(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'_')
}

const BAD_NAME: &str = "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";

/// The `#!lua name=<lib>` first line: the library name, or 7.0's error text.
fn parse_metadata(code: &[u8]) -> Result<String, String> {
    if !code.starts_with(b"#!") {
        return Err("ERR Missing library metadata".into());
    }
    let end = code.iter().position(|&b| b == b'\n').unwrap_or(code.len());
    // The line splits as Redis splits it (sdssplitargs: quotes allowed).
    let Some(parts) = crate::resp::parse::split_args(&code[..end]) else {
        return Err("ERR Invalid library metadata".into());
    };
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let engine = parts
        .first()
        .map_or(String::new(), |p| text(p.get(2..).unwrap_or_default()));
    if !engine.eq_ignore_ascii_case("lua") {
        return Err(format!("ERR Engine '{engine}' not found"));
    }
    let mut name = None;
    for w in &parts[1..] {
        if w.len() >= 5 && w[..5].eq_ignore_ascii_case(b"name=") {
            if name.is_some() {
                return Err(
                    "ERR Invalid metadata value, name argument was given multiple times".into(),
                );
            }
            name = Some(text(&w[5..]));
        } else {
            return Err(format!("ERR Invalid metadata value given: {}", text(w)));
        }
    }
    let Some(name) = name else {
        return Err("ERR Library name was not given".into());
    };
    if !valid_name(name.as_bytes()) {
        return Err(format!("ERR {BAD_NAME}"));
    }
    Ok(name)
}

/// `redis.log` while a library loads: kept with the registrations, and written
/// to the server log by whoever asked for the load (see `Functions::take_load_log`).
fn load_time_log(vm: &mut Vm) -> Result<usize, LuaError> {
    let line = super::bridge::log_args(vm)?;
    if let Some(regs) = vm
        .host
        .as_mut()
        .and_then(|h| h.downcast_mut::<Registrations>())
    {
        regs.log.push(line);
    }
    Ok(0)
}

/// `redis.register_function(name, callback)` or
/// `redis.register_function{function_name=, callback=, flags=, description=}`.
fn register_function(vm: &mut Vm) -> Result<usize, LuaError> {
    let fail = |vm: &mut Vm, msg: &str| Err(error_table(vm, format!("ERR {msg}").as_bytes()));
    let (name, callback, flags, description) = match vm.arg_count() {
        1 => {
            let Value::Table(t) = vm.arg(1) else {
                return fail(vm, "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).");
            };
            let mut name = None;
            let mut callback = None;
            let mut flags = 0u8;
            let mut description = None;
            let mut k = Value::Nil;
            while let Ok(Some((key, v))) = vm.raw_next(t, k) {
                k = key;
                let key =
                    match key {
                        Value::Str(s) => vm.str_bytes(s).to_vec(),
                        _ => return fail(
                            vm,
                            "named argument key given to redis.register_function is not a string",
                        ),
                    };
                match key.as_slice() {
                    b"function_name" => match vm.to_bytes(v) {
                        Some(b) => name = Some(b),
                        None => return fail(vm, "function_name argument given to redis.register_function must be a string"),
                    },
                    b"callback" if matches!(v, Value::Func(_)) => callback = Some(v),
                    b"callback" => return fail(vm, "callback argument given to redis.register_function must be a function"),
                    b"description" => match vm.to_bytes(v) {
                        Some(b) => description = Some(b),
                        None => return fail(vm, "description argument given to redis.register_function must be a string"),
                    },
                    b"flags" => {
                        let Value::Table(ft) = v else {
                            return fail(vm, "flags argument to redis.register_function must be a table representing function flags");
                        };
                        let mut i = 1.0;
                        loop {
                            let f = vm.raw_get(ft, Value::Num(i));
                            if f.is_nil() {
                                break;
                            }
                            let fb = vm.to_bytes(f).unwrap_or_default();
                            match FLAG_NAMES
                                .iter()
                                .position(|n| n.as_bytes() == fb.as_slice())
                            {
                                Some(bit) => flags |= 1 << bit,
                                None => return fail(vm, "unknown flag given"),
                            }
                            i += 1.0;
                        }
                    }
                    _ => return fail(vm, "unknown argument given to redis.register_function"),
                }
            }
            let Some(name) = name else {
                return fail(
                    vm,
                    "redis.register_function must get a function name argument",
                );
            };
            let Some(callback) = callback else {
                return fail(vm, "redis.register_function must get a callback argument");
            };
            (name, callback, flags, description)
        }
        2 => {
            let Some(name) = vm.to_bytes(vm.arg(1)) else {
                return fail(
                    vm,
                    "first argument to redis.register_function must be a string",
                );
            };
            (name, vm.arg(2), 0, None)
        }
        _ => return fail(vm, "wrong number of arguments to redis.register_function"),
    };
    if !matches!(callback, Value::Func(_)) {
        return fail(
            vm,
            "second argument to redis.register_function must be a function",
        );
    }
    if !valid_name(&name) {
        return fail(vm, BAD_NAME);
    }
    let name = String::from_utf8_lossy(&name).into_owned();
    let dup = match vm
        .host
        .as_mut()
        .and_then(|h| h.downcast_mut::<Registrations>())
    {
        Some(regs) => {
            if regs.functions.iter().any(|r| r.0 == name) {
                true
            } else {
                regs.functions.push((name, callback, flags, description));
                false
            }
        }
        None => {
            return fail(
                vm,
                "redis.register_function can only be called on FUNCTION LOAD command",
            )
        }
    };
    if dup {
        return fail(vm, "Function already exists in the library");
    }
    Ok(0)
}

fn fcall(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    fcall_generic(ctx, args, false);
}

fn fcall_ro(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    fcall_generic(ctx, args, true);
}

/// FCALL / FCALL_RO function numkeys [key ...] [arg ...]
fn fcall_generic(ctx: &mut Ctx<'_>, args: &[Vec<u8>], read_only: bool) {
    // Shown to MONITOR before the function's own calls (FCALL is SKIP_MONITOR).
    crate::cmd::monitor::feed(ctx, args);
    let nkeys: i64 = match crate::num::string2ll(&args[2]) {
        Some(n) => n,
        None => return ctx.out.error("ERR Bad number of keys provided"),
    };
    if nkeys < 0 {
        return ctx.out.error("ERR Number of keys can't be negative");
    }
    if nkeys as u64 > (args.len() - 3) as u64 {
        return ctx
            .out
            .error("ERR Number of keys can't be greater than number of args");
    }
    let name = String::from_utf8_lossy(&args[1]).into_owned();
    let mut funcs = engine::state(ctx.scripts).take_functions();
    let found = funcs
        .find(&name)
        .map(|(f, fname)| (f.pin, f.flags, fname.to_string()));
    let Some((pin, fflags, name)) = found else {
        engine::state(ctx.scripts).put_functions(funcs);
        return ctx.out.error("ERR Function not found");
    };
    let (libraries, functions) = funcs.counts();
    ctx.shared
        .script
        .set_function_call(crate::cmd::shared::FunctionCall {
            name: name.clone(),
            argv: args.to_vec(),
            libraries,
            functions,
        });
    let no_writes = fflags & 1 != 0;
    if read_only && !no_writes {
        engine::state(ctx.scripts).put_functions(funcs);
        return ctx
            .out
            .error("ERR Can not execute a script with write flag using *_ro command.");
    }
    let allow_oom = fflags & 2 != 0;
    if !no_writes && !allow_oom && engine::oom_now(ctx.shared) {
        engine::state(ctx.scripts).put_functions(funcs);
        return ctx.out.error(engine::OOM_NO_FLAG);
    }
    let nkeys = nkeys as usize;
    let vm = &mut funcs.vm;
    let keys = list_of_bytes(vm, &args[3..3 + nkeys]);
    let argv = list_of_bytes(vm, &args[3 + nkeys..]);
    let f = vm.pinned(pin);
    let handler = funcs.handler;
    let args = [keys, argv];
    let call = (f, &args[..], handler);
    if execute(
        ctx,
        &mut funcs.vm,
        call,
        &name,
        read_only || no_writes,
        allow_oom,
        true,
    ) {
        engine::state(ctx.scripts).put_functions(funcs);
    }
}

/// A Lua array of byte strings.
fn list_of_bytes(vm: &mut Vm, items: &[Vec<u8>]) -> Value {
    let t = vm.new_table_sized(items.len(), 0);
    for (i, item) in items.iter().enumerate() {
        let s = vm.new_str(item);
        let _ = vm.raw_set(t, Value::Num((i + 1) as f64), s);
    }
    Value::Table(t)
}

const FUNCTION_HELP: &[&str] = &[
    "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "LOAD [REPLACE] <FUNCTION CODE>",
    "    Create a new library with the given library name and code.",
    "DELETE <LIBRARY NAME>",
    "    Delete the given library.",
    "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
    "    Return general information on all the libraries:",
    "    * Library name",
    "    * The engine used to run the Library",
    "    * Library description",
    "    * Functions list",
    "    * Library code (if WITHCODE is given)",
    "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
    "STATS",
    "    Return information about the current function running:",
    "    * Function name",
    "    * Command used to run the function",
    "    * Duration in MS that the function is running",
    "    If no function is running, return nil",
    "    In addition, returns a list of available engines.",
    "KILL",
    "    Kill the current running function.",
    "FLUSH [ASYNC|SYNC]",
    "    Delete all the libraries.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the libraries.",
    "    * SYNC: Synchronously flush the libraries.",
    "DUMP",
    "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
    "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
    "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
    "    control how to handle existing libraries (default APPEND):",
    "    * FLUSH: delete all existing libraries.",
    "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
    "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
    "      libraries with the new libraries (notice that even on this option there is a chance of failure",
    "      in case of functions name collision with another library).",
    "HELP",
    "    Prints this help.",
];

/// The refusal 7.0 gives a FUNCTION subcommand with more arguments than it
/// takes (the table's arity lets them through).
fn too_many(ctx: &mut Ctx<'_>, sub: &[u8]) {
    let mut msg = b"ERR unknown subcommand or wrong number of arguments for '".to_vec();
    msg.extend_from_slice(crate::cmd::c_str(sub, 128));
    msg.extend_from_slice(b"'. Try FUNCTION HELP.");
    crate::cmd::error_bytes(ctx.out, &msg);
}

/// FUNCTION LOAD [REPLACE] function-code
fn function_load(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let n = args.len();
    let mut replace = false;
    for opt in &args[2..n - 1] {
        if opt.eq_ignore_ascii_case(b"replace") {
            replace = true;
        } else {
            let o = String::from_utf8_lossy(opt);
            return ctx.out.error(&format!("ERR Unknown option given: {o}"));
        }
    }
    let functions = engine::state(ctx.scripts).functions();
    let loaded = functions.load(&args[n - 1], replace);
    for (level, text) in functions.take_load_log() {
        ctx.shared.logger.log(level, 'M', &text);
    }
    match loaded {
        Ok(name) => {
            // a change to the dataset, for the save points (as Redis counts it)
            ctx.store.dirty += 1;
            ctx.out.bulk(name.as_bytes())
        }
        Err(e) => ctx.out.error(&e),
    }
}

/// FUNCTION DELETE library-name
fn function_delete(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let name = String::from_utf8_lossy(&args[2]).into_owned();
    if engine::state(ctx.scripts).functions().delete(&name) {
        ctx.store.dirty += 1;
        ctx.out.ok();
    } else {
        ctx.out.error("ERR Library not found");
    }
}

/// FUNCTION FLUSH [ASYNC|SYNC]
fn function_flush(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if args.len() > 3 {
        return too_many(ctx, &args[1]);
    }
    if let Some(mode) = args.get(2) {
        if !mode.eq_ignore_ascii_case(b"async") && !mode.eq_ignore_ascii_case(b"sync") {
            return ctx
                .out
                .error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
        }
    }
    engine::state(ctx.scripts).flush_functions();
    ctx.store.dirty += 1;
    ctx.out.ok();
}

/// FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]
fn function_list(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    list(ctx, &args[2..]);
}

/// FUNCTION STATS
fn function_stats(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    let (libs, funcs) = engine::state(ctx.scripts).functions().counts();
    ctx.out.map(2);
    ctx.out.bulk(b"running_script");
    ctx.out.null();
    ctx.out.bulk(b"engines");
    ctx.out.map(1);
    ctx.out.bulk(b"LUA");
    ctx.out.map(2);
    ctx.out.bulk(b"libraries_count");
    ctx.out.integer(libs as i64);
    ctx.out.bulk(b"functions_count");
    ctx.out.integer(funcs as i64);
}

/// FUNCTION KILL (run the ordinary way, holding the lock: no function runs then).
fn function_kill(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    super::kill_under_lock(ctx, false);
}

/// FUNCTION DUMP
fn function_dump(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    let compress = ctx.shared.config().rdbcompression;
    let payload = engine::state(ctx.scripts).functions().dump(compress);
    ctx.out.bulk(&payload);
}

/// FUNCTION RESTORE serialized-value [FLUSH|APPEND|REPLACE]
fn function_restore(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if args.len() > 4 {
        return too_many(ctx, &args[1]);
    }
    let policy =
        match args.get(3).map(|p| p.to_ascii_lowercase()) {
            None => Restore::Append,
            Some(p) if p == b"append" => Restore::Append,
            Some(p) if p == b"replace" => Restore::Replace,
            Some(p) if p == b"flush" => Restore::Flush,
            Some(_) => return ctx.out.error(
                "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.",
            ),
        };
    let restored = restore(ctx, &args[2], policy);
    for (level, text) in engine::state(ctx.scripts).functions().take_load_log() {
        ctx.shared.logger.log(level, 'M', &text);
    }
    match restored {
        Ok(()) => {
            ctx.store.dirty += 1;
            ctx.out.ok()
        }
        Err(e) => ctx.out.error(&e),
    }
}

/// FUNCTION HELP
fn function_help(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    ctx.out.array(FUNCTION_HELP.len());
    for line in FUNCTION_HELP {
        ctx.out.simple(line);
    }
}

/// FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]
fn list(ctx: &mut Ctx<'_>, opts: &[Vec<u8>]) {
    let mut pattern: Option<&[u8]> = None;
    let mut with_code = false;
    let mut i = 0;
    while i < opts.len() {
        let o = opts[i].to_ascii_lowercase();
        if o == b"withcode" && !with_code {
            with_code = true;
        } else if o == b"libraryname" && pattern.is_none() {
            if i + 1 == opts.len() {
                return ctx.out.error("ERR library name argument was not given");
            }
            i += 1;
            pattern = Some(&opts[i]);
        } else {
            let shown = String::from_utf8_lossy(&opts[i]);
            return ctx.out.error(&format!("ERR Unknown argument {shown}"));
        }
        i += 1;
    }
    let funcs = engine::state(ctx.scripts).functions();
    let libs: Vec<(&String, &Library)> = funcs
        .libs
        .iter()
        .filter(|(name, _)| {
            pattern.is_none_or(|p| crate::store::glob_match(p, name.as_bytes(), false))
        })
        .collect();
    let out = &mut *ctx.out;
    out.array(libs.len());
    for (name, lib) in libs {
        out.map(if with_code { 4 } else { 3 });
        out.bulk(b"library_name");
        out.bulk(name.as_bytes());
        out.bulk(b"engine");
        out.bulk(b"LUA");
        out.bulk(b"functions");
        out.array(lib.functions.len());
        for (fname, f) in &lib.functions {
            out.map(3);
            out.bulk(b"name");
            out.bulk(fname.as_bytes());
            out.bulk(b"description");
            match &f.description {
                Some(d) => out.bulk(d),
                None => out.null(),
            }
            out.bulk(b"flags");
            let names: Vec<&str> = (0..FLAG_NAMES.len())
                .filter(|b| f.flags & (1 << b) != 0)
                .map(|b| FLAG_NAMES[b])
                .collect();
            out.set(names.len());
            for n in names {
                out.simple(n);
            }
        }
        if with_code {
            out.bulk(b"library_code");
            out.bulk(&lib.code);
        }
    }
}

/// The RDB version FUNCTION DUMP writes (Redis 7.0's).
const RDB_VERSION: u16 = 10;
/// RDB opcode of a function library record.
const RDB_OPCODE_FUNCTION2: u8 = 0xF5;
/// The record 7.0's release candidates wrote (name, engine, description, code).
const RDB_OPCODE_FUNCTION_PRE_GA: u8 = 0xF6;

/// Appends an RDB length.
fn put_len(out: &mut Vec<u8>, n: usize) {
    if n < 1 << 6 {
        out.push(n as u8);
    } else if n < 1 << 14 {
        out.push(0x40 | (n >> 8) as u8);
        out.push(n as u8);
    } else if n <= u32::MAX as usize {
        out.push(0x80);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    } else {
        out.push(0x81);
        out.extend_from_slice(&(n as u64).to_be_bytes());
    }
}

/// Reads an RDB length at `*pos`; for a special string encoding (`11xxxxxx`),
/// `Err` with its number.
fn get_len(b: &[u8], pos: &mut usize) -> Option<Result<usize, u8>> {
    let first = *b.get(*pos)?;
    *pos += 1;
    match first >> 6 {
        0 => Some(Ok((first & 0x3F) as usize)),
        1 => {
            let second = *b.get(*pos)?;
            *pos += 1;
            Some(Ok((((first & 0x3F) as usize) << 8) | second as usize))
        }
        3 => Some(Err(first & 0x3F)),
        _ if first == 0x80 => {
            let v = b.get(*pos..*pos + 4)?;
            *pos += 4;
            Some(Ok(u32::from_be_bytes([v[0], v[1], v[2], v[3]]) as usize))
        }
        _ if first == 0x81 => {
            let v = b.get(*pos..*pos + 8)?;
            *pos += 8;
            usize::try_from(u64::from_be_bytes(v.try_into().ok()?))
                .ok()
                .map(Ok)
        }
        _ => None,
    }
}

/// Reads an RDB string at `*pos`: plain, an 8/16/32-bit integer standing
/// for its decimal form, or LZF-compressed (Redis's
/// `rdbGenericLoadStringObject`).
fn get_string(b: &[u8], pos: &mut usize) -> Option<Vec<u8>> {
    let int = |bytes: &[u8]| -> i64 {
        let mut v = [0u8; 8];
        v[..bytes.len()].copy_from_slice(bytes);
        // sign-extend from the width stored
        let shift = 64 - 8 * bytes.len() as u32;
        (i64::from_le_bytes(v) << shift) >> shift
    };
    let width = |n: usize, pos: &mut usize| -> Option<Vec<u8>> {
        let v = b.get(*pos..*pos + n)?;
        *pos += n;
        Some(int(v).to_string().into_bytes())
    };
    match get_len(b, pos)? {
        Ok(n) => {
            let v = b.get(*pos..pos.checked_add(n)?)?.to_vec();
            *pos += n;
            Some(v)
        }
        Err(0) => width(1, pos),
        Err(1) => width(2, pos),
        Err(2) => width(4, pos),
        Err(3) => {
            let clen = get_len(b, pos)?.ok()?;
            let len = get_len(b, pos)?.ok()?;
            let packed = b.get(*pos..pos.checked_add(clen)?)?;
            *pos += clen;
            if len == 0 {
                return Some(Vec::new());
            }
            crate::digest::lzf::decompress(packed, len).ok()
        }
        Err(_) => None,
    }
}

/// Appends `s` as an RDB string: LZF-compressed when asked and it saves at
/// least 4 bytes of a string over 20 bytes, else plain (library code, which
/// starts with `#!`, is never an integer's decimal form).
fn put_string(out: &mut Vec<u8>, s: &[u8], compress: bool) {
    if compress && s.len() > 20 {
        if let Some(packed) = crate::digest::lzf::compress(s, s.len() - 4) {
            out.push(0xC3);
            put_len(out, packed.len());
            put_len(out, s.len());
            out.extend_from_slice(&packed);
            return;
        }
    }
    put_len(out, s.len());
    out.extend_from_slice(s);
}

impl Functions {
    /// FUNCTION DUMP's payload (`compress`: `rdbcompression`).
    fn dump(&self, compress: bool) -> Vec<u8> {
        let mut out = Vec::new();
        for lib in self.libs.values() {
            out.push(RDB_OPCODE_FUNCTION2);
            put_string(&mut out, &lib.code, compress);
        }
        out.extend_from_slice(&RDB_VERSION.to_le_bytes());
        let crc = crate::digest::crc64::crc64(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Restore {
    Append,
    Replace,
    Flush,
}

/// The library code a release-candidate record (0xF6) stands for: the
/// `#!engine name=lib` line 7.0 GA expects, then the record's body.
pub fn pre_ga_code(engine: &[u8], name: &[u8], body: &[u8]) -> Vec<u8> {
    [b"#!", engine, b" name=", name, b"\n", body].concat()
}

/// The library codes in a FUNCTION DUMP payload, or the error 7.0.15 gives.
fn parse_dump(payload: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    const WRONG: &str = "ERR DUMP payload version or checksum are wrong";
    if payload.len() < 10 {
        return Err(WRONG.into());
    }
    let (body, crc) = payload.split_at(payload.len() - 8);
    let mut crc_le = [0u8; 8];
    crc_le.copy_from_slice(crc);
    if crate::digest::crc64::crc64(body) != u64::from_le_bytes(crc_le) {
        return Err(WRONG.into());
    }
    let records = body.len() - 2;
    if u16::from_le_bytes([body[records], body[records + 1]]) > RDB_VERSION {
        return Err(WRONG.into());
    }
    // As in Redis, records start before the footer but a string may run
    // into it (it is read from the whole payload).
    let mut codes = Vec::new();
    let mut pos = 0;
    while pos < records {
        let t = payload[pos];
        pos += 1;
        let string = |what: &str, pos: &mut usize| {
            get_string(payload, pos).ok_or_else(|| format!("ERR Failed loading {what}"))
        };
        match t {
            RDB_OPCODE_FUNCTION2 => codes.push(string("library payload", &mut pos)?),
            RDB_OPCODE_FUNCTION_PRE_GA => {
                // 7.0's release candidates: name, engine, description, body
                let name = string("library name", &mut pos)?;
                let engine = string("engine name", &mut pos)?;
                match get_len(payload, &mut pos) {
                    Some(Ok(0)) => {}
                    Some(Ok(_)) => {
                        string("library description", &mut pos)?;
                    }
                    _ => return Err("ERR Failed loading library description indicator".into()),
                }
                let blob = string("library blob", &mut pos)?;
                codes.push(pre_ga_code(&engine, &name, &blob));
            }
            _ => return Err("ERR given type is not a function".into()),
        }
    }
    Ok(codes)
}

/// FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]: all or nothing.
fn restore(ctx: &mut Ctx<'_>, payload: &[u8], policy: Restore) -> Result<(), String> {
    let codes = parse_dump(payload)?;
    let old = engine::state(ctx.scripts).functions();
    let names: Vec<String> = codes
        .iter()
        .filter_map(|c| parse_metadata(c).ok())
        .collect();
    if policy == Restore::Append {
        if let Some(n) = names.iter().find(|n| old.libs.contains_key(*n)) {
            return Err(format!("ERR Library {n} already exists"));
        }
    }
    let mut fresh = Functions::new();
    if policy != Restore::Flush {
        for (name, lib) in &old.libs {
            if policy == Restore::Replace && names.contains(name) {
                continue;
            }
            fresh.load(&lib.code, false)?;
        }
    }
    for code in &codes {
        fresh.load(code, false)?;
    }
    *old = fresh;
    Ok(())
}
