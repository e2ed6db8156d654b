//! The scripting engine: one long-lived Lua state, the script cache keyed by
//! SHA-1, and how one script runs against the keyspace.
//!
//! The engine lives in the keyspace (its [`ScriptSlot`] holds a [`Scripts`]),
//! so it is guarded by the same lock as the data and SCRIPT FLUSH simply drops
//! it; it is created on first use.
//!
//! Running a script: the natives that call commands (`redis.call`) need the
//! keyspace, but a native is a plain `fn(&mut Vm)`. So for the length of the run
//! the engine *moves* what commands need into the VM's host slot — the store and
//! the blocked-client registry (swapped with empty placeholders), a client state
//! of the script's own (database of the caller, RESP2), the shared server state —
//! and moves them back afterwards, whatever the outcome. No reference crosses the
//! VM boundary.
//!
//! Scripts are compiled as Redis 7.0 compiles them: the body alone, chunk name
//! `@user_script`, so messages read `user_script:LINE:`; a `#!lua` shebang line
//! is parsed for flags and blanked (kept as a comment, so line numbers hold).
use super::bridge::{self, ScriptHost};
use super::{convert, env};
use crate::cmd::{ClientState, Ctx, ScriptSlot};
use crate::lua::{LuaError, Value, Vm};
use crate::store::Store;
use std::collections::HashMap;
use std::sync::atomic::Ordering;

/// How many VM events (backward jumps, calls) pass between two looks at the
/// kill flag.
pub(crate) const HOOK_INTERVAL: u32 = 1000;

/// Cap on a scripting state's Lua heap: a script that keeps allocating gets the
/// Lua error "not enough memory" (after a full collection), and the server
/// lives on. Redis has no such cap of its own; this one is generous enough for
/// scripts that fetch large replies.
pub const SCRIPT_HEAP_LIMIT: usize = 512 << 20;

/// The scripting state kept in the keyspace: the EVAL engine and the FUNCTION
/// libraries, each empty until first used.
#[derive(Default)]
pub struct Scripts(Option<Box<Engine>>, Option<Box<super::function::Functions>>);

/// The scripting state in the keyspace's slot, created on first use.
pub fn state(slot: &mut ScriptSlot) -> &mut Scripts {
    let b = slot.0.get_or_insert_with(|| Box::new(Scripts::default()));
    if !b.is::<Scripts>() {
        *b = Box::new(Scripts::default());
    }
    match b.downcast_mut::<Scripts>() {
        Some(s) => s,
        None => unreachable!("the slot was just given a Scripts"),
    }
}

/// Publishes the EVAL state's figures for INFO (`number_of_cached_scripts`,
/// `used_memory_lua`), which commands below scripting read from `Shared`.
pub fn publish_stats(ctx: &mut Ctx<'_>) {
    let s = state(ctx.scripts);
    let (n, mem) = (s.len(), s.memory());
    ctx.shared.scripts_cached.store(n as u64, Ordering::Relaxed);
    ctx.shared
        .scripts_memory
        .store(mem as u64, Ordering::Relaxed);
}

impl Scripts {
    /// The engine, created on first use.
    pub fn engine(&mut self) -> &mut Engine {
        self.0.get_or_insert_with(|| Box::new(Engine::new()))
    }

    /// SCRIPT FLUSH: a fresh state, an empty cache.
    pub fn flush(&mut self) {
        self.0 = None;
    }

    /// Number of cached scripts (INFO `number_of_cached_scripts`).
    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |e| e.scripts.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes the Lua state holds (INFO `used_memory_lua`).
    pub fn memory(&self) -> usize {
        self.0.as_ref().map_or(0, |e| e.vm.memory_used())
    }

    /// The FUNCTION libraries, created on first use.
    pub fn functions(&mut self) -> &mut super::function::Functions {
        self.1.get_or_insert_with(Default::default)
    }

    /// FUNCTION FLUSH.
    pub fn flush_functions(&mut self) {
        self.1 = None;
    }

    pub(crate) fn take_functions(&mut self) -> Box<super::function::Functions> {
        self.1.take().unwrap_or_default()
    }

    pub(crate) fn put_functions(&mut self, f: Box<super::function::Functions>) {
        self.1 = Some(f);
    }

    fn take(&mut self) -> Box<Engine> {
        self.0.take().unwrap_or_else(|| Box::new(Engine::new()))
    }

    fn put(&mut self, e: Box<Engine>) {
        self.0 = Some(e);
    }
}

/// Flags a `#!lua flags=...` shebang may set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScriptFlags {
    /// The script had a shebang at all.
    pub shebang: bool,
    pub no_writes: bool,
    pub allow_oom: bool,
    pub allow_stale: bool,
    pub no_cluster: bool,
    pub allow_cross_slot_keys: bool,
}

/// The flags a script's request has (Redis's `scriptFlagsToCmdFlags`): a script
/// with a shebang replaces the command's `write`, `denyoom`, `stale` and
/// `may_replicate` with what it declares; one without keeps the command's.
pub fn script_command_flags(declared: u32, f: &ScriptFlags) -> u32 {
    use crate::cmd::flags as cf;
    if !f.shebang {
        return declared;
    }
    let mut out = declared & !(cf::STALE | cf::DENYOOM | cf::WRITE | cf::MAY_REPLICATE);
    if !f.allow_oom && !f.no_writes {
        out |= cf::DENYOOM;
    }
    if !f.no_writes {
        out |= cf::WRITE;
    }
    if f.allow_stale {
        out |= cf::STALE;
    }
    out
}

/// A cached script: its compiled function (pinned against collection) and flags.
struct Script {
    pin: usize,
    flags: ScriptFlags,
}

/// The Lua state and its scripts.
pub struct Engine {
    pub vm: Vm,
    scripts: HashMap<String, Script>,
}

impl Engine {
    /// A fresh state: Redis 7.0's EVAL environment with the server's natives, sealed.
    pub fn new() -> Engine {
        let mut vm = env::new_eval_vm();
        env::add_redis_functions(&mut vm, bridge::REDIS_FUNCTIONS);
        env::seal(&mut vm);
        vm.set_memory_limit(Some(SCRIPT_HEAP_LIMIT));
        Engine {
            vm,
            scripts: HashMap::new(),
        }
    }

    /// Whether a script with this (lower-case) SHA-1 is cached.
    pub fn exists(&self, sha: &str) -> bool {
        self.scripts.contains_key(sha)
    }

    /// Compiles and caches `body` (SCRIPT LOAD, EVAL); returns its SHA-1, or the
    /// error reply text.
    pub fn load(&mut self, body: &[u8]) -> Result<String, String> {
        let sha = crate::digest::sha1::sha1_hex(body);
        if self.scripts.contains_key(&sha) {
            return Ok(sha);
        }
        let (flags, source) = parse_shebang(body)?;
        let f = match self.vm.load(&source, "@user_script") {
            Ok(f) => f,
            Err(e) => {
                let msg = self.vm.error_message(&e);
                return Err(format!("ERR Error compiling script (new function): {msg}"));
            }
        };
        let pin = self.vm.pin(f);
        self.scripts.insert(sha.clone(), Script { pin, flags });
        Ok(sha)
    }

    /// The flags of a cached script.
    pub fn flags(&self, sha: &str) -> Option<ScriptFlags> {
        self.scripts.get(sha).map(|s| s.flags)
    }
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new()
    }
}

/// Splits a `#!lua [flags=a,b]` first line off `body`: the flags, and the source
/// to compile with that line turned into a comment. Errors are 7.0's texts.
pub(crate) fn parse_shebang(body: &[u8]) -> Result<(ScriptFlags, Vec<u8>), String> {
    let mut flags = ScriptFlags::default();
    if !body.starts_with(b"#!") {
        return Ok((flags, body.to_vec()));
    }
    flags.shebang = true;
    let end = body.iter().position(|&b| b == b'\n').unwrap_or(body.len());
    let line = String::from_utf8_lossy(&body[..end]).into_owned();
    let mut words = line.split(' ').filter(|w| !w.is_empty());
    if words.next() != Some("#!lua") {
        return Err(format!("ERR Unexpected engine in script shebang: {line}"));
    }
    for word in words {
        let Some(list) = word.strip_prefix("flags=") else {
            return Err(format!("ERR Unknown lua shebang option: {word}"));
        };
        for flag in list.split(',').filter(|f| !f.is_empty()) {
            match flag {
                "no-writes" => flags.no_writes = true,
                "allow-oom" => flags.allow_oom = true,
                "allow-stale" => flags.allow_stale = true,
                "no-cluster" => flags.no_cluster = true,
                "allow-cross-slot-keys" => flags.allow_cross_slot_keys = true,
                other => return Err(format!("ERR Unexpected flag in script shebang: {other}")),
            }
        }
    }
    let mut source = body.to_vec();
    source[0] = b'-';
    source[1] = b'-';
    Ok((flags, source))
}

/// 7.0's refusal of a script with flags but neither `allow-oom` nor
/// `no-writes` when memory was over `maxmemory` as its command started
/// (reached only where the command's own `denyoom` check was not: a script
/// run by EXEC, or one cached after its EVALSHA was queued).
pub(crate) const OOM_NO_FLAG: &str =
    "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'";

/// Whether memory was over `maxmemory` when the running command started.
pub(crate) fn oom_now(shared: &crate::cmd::Shared) -> bool {
    use std::sync::atomic::Ordering::Relaxed;
    shared.maxmemory.load(Relaxed) != 0 && shared.oom_at_start.load(Relaxed)
}

/// Runs the cached script `sha` with `keys` and `argv` and writes its reply.
/// `read_only`: EVAL_RO/EVALSHA_RO (the script's own `no-writes` flag adds to it).
pub fn run(ctx: &mut Ctx<'_>, sha: &str, keys: &[Vec<u8>], argv: &[Vec<u8>], read_only: bool) {
    let mut engine = state(ctx.scripts).take();
    let Some(script) = engine.scripts.get(sha) else {
        state(ctx.scripts).put(engine);
        ctx.out
            .error("NOSCRIPT No matching script. Please use EVAL.");
        return;
    };
    let (pin, flags) = (script.pin, script.flags);
    if flags.shebang && !flags.no_writes && !flags.allow_oom && oom_now(ctx.shared) {
        state(ctx.scripts).put(engine);
        return ctx.out.error(OOM_NO_FLAG);
    }
    let vm = &mut engine.vm;
    env::set_script_args(vm, keys, argv);
    let f = vm.pinned(pin);
    let handler = vm.get_global(env::ERR_HANDLER);
    execute(
        ctx,
        vm,
        (f, &[], handler),
        sha,
        read_only || flags.no_writes,
        flags.shebang && flags.allow_oom,
        false,
    );
    state(ctx.scripts).put(engine);
    publish_stats(ctx);
}

/// Calls `f(args)` under `handler` in `vm` with the keyspace lent to the VM
/// (see the module doc), and writes the reply: the first result, or the error
/// with `script: <name>, on <source>:<line>.` appended. The caller has taken
/// its state out of the store; false means the state is unusable (the engine
/// panicked) and must be dropped rather than put back. `allow_oom`: the
/// script declared `allow-oom` (its writes are never refused for memory).
pub(crate) fn execute(
    ctx: &mut Ctx<'_>,
    vm: &mut Vm,
    (f, args, handler): (Value, &[Value], Value),
    name: &str,
    read_only: bool,
    allow_oom: bool,
    function: bool,
) -> bool {
    // Lend the keyspace to the VM for the run.
    let store = std::mem::replace(ctx.store, Store::new(0));
    let blocked = std::mem::take(ctx.blocked);
    let client = ClientState {
        id: u64::MAX,
        db: ctx.client.db,
        authenticated: true,
        resp: 2,
        no_block: true,
        in_script: true,
        // Its commands are checked against the caller's ACL user.
        user: ctx.client.user.clone(),
        caller: ctx.client.handle.clone(),
        ..ClientState::default()
    };
    vm.host = Some(Box::new(ScriptHost::new(
        (store, blocked),
        client,
        ctx.shared.clone(),
        read_only,
        allow_oom,
    )));
    let run = &ctx.shared.script;
    run.begin(ctx.shared.now_ms(), function);
    // Keys do not expire while the script runs (see `store::expiry_now`).
    let _time = crate::store::expire::TimeSnapshot::take(crate::store::now_ms());
    let sh = ctx.shared.clone();
    // Redis's name for it in the log: `f_<sha1>` for an EVAL script.
    let log_name = if function {
        name.to_string()
    } else {
        format!("f_{name}")
    };
    let mut slow_logged = false;
    vm.set_hook(
        HOOK_INTERVAL,
        Box::new(move |vm: &mut Vm| {
            if sh.script.kill_requested() || sh.is_shutting_down() {
                // An interrupt: no pcall in the script can catch it.
                let msg = vm.new_str(b"Script killed by user with SCRIPT KILL...");
                return Err(vm.interrupt(msg));
            }
            if crate::scripting::is_busy(&sh) {
                if !slow_logged {
                    slow_logged = true;
                    let elapsed = sh
                        .now_ms()
                        .saturating_sub(sh.script.running_since().unwrap_or(0));
                    sh.logger.warning(&format!(
                        "Slow script detected: still in execution after {elapsed} milliseconds. \
                         You can try killing the script using the {} command. Script name is: {log_name}.",
                        if function { "FUNCTION KILL" } else { "SCRIPT KILL" }
                    ));
                }
                // The server sends the poller's other clients home and wakes
                // the connections waiting for the lock: they answer BUSY (or
                // send SCRIPT KILL) instead of waiting for the script.
                if let Some(busy) = sh.hooks.script_busy.get() {
                    busy();
                }
            }
            Ok(())
        }),
    );
    // Defence in depth: should the engine ever panic, the keyspace it holds
    // must still come back (the panic is reported as an error reply).
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // KEYS and ARGV were allocated from here, outside the VM's safe
        // points: collect now if that made a cycle due, or scripts that
        // allocate nothing themselves would pile up every call's tables.
        vm.collect_if_due()?;
        vm.call_protected(f, args, Some(handler))
    }));
    vm.clear_hook();
    run.end();

    // Take the keyspace back before anything else can fail.
    let host = vm.host.take().and_then(|h| h.downcast::<ScriptHost>().ok());
    let mut script_resp = 2;
    match host {
        Some(h) => (*ctx.store, *ctx.blocked, script_resp) = h.into_keyspace(),
        None => ctx
            .shared
            .logger
            .warning("scripting: the keyspace was not returned by the script host"),
    }
    match result {
        Ok(Ok(values)) => {
            let v = values.first().copied().unwrap_or(Value::Nil);
            convert::lua_to_reply(vm, v, ctx.out, script_resp);
        }
        Ok(Err(e)) => error_reply(vm, &e, name, ctx.out),
        Err(_) => {
            ctx.shared
                .logger
                .warning("scripting: the Lua engine failed; its state is reset");
            ctx.out
                .error("ERR internal error in the Lua engine (its state was reset)");
            return false;
        }
    }
    if vm.memory_used() > SCRIPT_HEAP_LIMIT / 2 {
        // after a script that filled the heap, give the memory back now
        vm.collect_garbage();
        let _ = vm.take_gc_error();
    }
    true
}

/// The reply for a script that raised `e`: the error table's `err` text, and
/// 7.0's tail `script: <sha>, on <source>:<line>.` when the message handler
/// recorded where.
fn error_reply(vm: &mut Vm, e: &LuaError, sha: &str, out: &mut crate::resp::Reply) {
    let LuaError::Error(v) = e else {
        convert::error_line(out, b"ERR attempt to yield from a script");
        return;
    };
    // A command's error raised by `redis.call` was counted where it arose.
    out.error_counted = env::is_counted_error(vm, *v);
    let mut msg = match *v {
        Value::Table(t) => {
            let err = vm.raw_get_str(t, "err");
            let mut m = match err {
                Value::Str(_) | Value::Num(_) => vm.to_bytes(err).unwrap_or_default(),
                _ => b"ERR Error running script (error object is not a string)".to_vec(),
            };
            let source = vm.raw_get_str(t, "source");
            let line = vm.raw_get_str(t, "line");
            if let (Some(src), Some(line)) = (vm.to_bytes(source), vm.to_bytes(line)) {
                m.extend_from_slice(format!(" script: {sha}, on ").as_bytes());
                m.extend_from_slice(&src);
                m.push(b':');
                m.extend_from_slice(&line);
                m.push(b'.');
            }
            m
        }
        other => {
            let mut m = b"ERR ".to_vec();
            m.extend_from_slice(&vm.to_bytes(other).unwrap_or_default());
            m
        }
    };
    if msg.is_empty() {
        msg = b"ERR".to_vec();
    }
    convert::error_line(out, &msg);
}
