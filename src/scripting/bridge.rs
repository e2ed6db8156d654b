//! The `redis.*` natives that reach the server: `call`, `pcall`, `log`,
//! `setresp`, `set_repl`, `replicate_commands`, `acl_check_cmd`.
//!
//! While a script runs, the VM's host slot holds a [`ScriptHost`]: the keyspace,
//! the script's own client state and a handle on the server (see `engine`). A
//! command from `redis.call` takes the host out of the slot, runs through
//! [`crate::cmd::dispatch`] exactly as a client's command would, puts the host
//! back, and then turns the reply into Lua values (`convert`).
//!
//! Checks before dispatch, in Redis 7.0's order and words: at least one
//! argument; arguments are strings or numbers; the command exists; its arity;
//! it may run from a script (no `noscript` flag); the caller's ACL permissions;
//! a write in a read-only script.
//! `redis.call` raises a refused or failed command as an error table
//! `{err = "..."}`; `redis.pcall` returns that table.
use super::convert;
use super::env::{counted_error_value, error_table};
use crate::cmd::blocking::Blocked;
use crate::cmd::config::LogLevel;
use crate::cmd::{flags, ClientState, Ctx, ScriptSlot, Shared};
use crate::lua::func::NativeFn;
use crate::lua::{LuaError, Value, Vm};
use crate::resp::Reply;
use crate::store::Store;
use std::borrow::Cow;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// The natives added to the `redis` table of the EVAL state.
pub const REDIS_FUNCTIONS: &[(&str, NativeFn)] = &[
    ("call", redis_call),
    ("pcall", redis_pcall),
    ("log", redis_log),
    ("setresp", redis_setresp),
    ("set_repl", redis_set_repl),
    ("replicate_commands", redis_replicate_commands),
    ("acl_check_cmd", redis_acl_check_cmd),
];

/// What a running script lends its natives: the keyspace's data and blocked
/// registry (its scripting slot stays empty: scripts cannot run scripts), a
/// client of the script's own, and the shared server state.
pub struct ScriptHost {
    store: Store,
    blocked: Blocked,
    no_scripts: ScriptSlot,
    client: ClientState,
    shared: Arc<Shared>,
    read_only: bool,
    /// The script declared `allow-oom`: its writes are never refused for memory.
    allow_oom: bool,
    out: Reply,
}

impl ScriptHost {
    pub fn new(
        (store, blocked): (Store, Blocked),
        client: ClientState,
        shared: Arc<Shared>,
        read_only: bool,
        allow_oom: bool,
    ) -> ScriptHost {
        ScriptHost {
            store,
            blocked,
            no_scripts: ScriptSlot::default(),
            client,
            shared,
            read_only,
            allow_oom,
            out: Reply::new(),
        }
    }

    /// The command context a call from the script runs in.
    fn ctx(&mut self) -> Ctx<'_> {
        Ctx {
            store: &mut self.store,
            blocked: &mut self.blocked,
            scripts: &mut self.no_scripts,
            client: &mut self.client,
            out: &mut self.out,
            shared: &self.shared,
        }
    }

    /// Gives the keyspace back, with the protocol the script chose last
    /// (`redis.setresp`), which decides how its booleans are returned.
    pub fn into_keyspace(self) -> (Store, Blocked, u8) {
        (self.store, self.blocked, self.client.resp)
    }
}

/// Runs `f` with the host taken out of the VM, then puts it back.
fn with_host<T>(vm: &mut Vm, f: impl FnOnce(&mut ScriptHost) -> T) -> Option<T> {
    let mut boxed = vm.host.take()?;
    let r = boxed.downcast_mut::<ScriptHost>().map(f);
    vm.host = Some(boxed);
    r
}

/// `redis.call(cmd, ...)`: raises a command's error.
fn redis_call(vm: &mut Vm) -> Result<usize, LuaError> {
    call_command(vm, true)
}

/// `redis.pcall(cmd, ...)`: returns a command's error as `{err = ...}`.
fn redis_pcall(vm: &mut Vm) -> Result<usize, LuaError> {
    call_command(vm, false)
}

/// The arguments of a redis lib call as byte strings. Numbers are written as
/// `%.17g`, as Redis 7.0 writes them (not Lua's `%.14g`, which loses digits:
/// `redis.call('set', k, 9007199254740991)` stores all sixteen).
fn command_args(vm: &mut Vm) -> Result<Vec<Vec<u8>>, &'static str> {
    let n = vm.arg_count();
    if n == 0 {
        return Err("ERR Please specify at least one argument for this redis lib call");
    }
    let mut args = Vec::with_capacity(n);
    for i in 1..=n {
        match vm.arg(i) {
            Value::Num(x) => {
                let mut b = Vec::new();
                crate::num::fmt_g(x, 17, &mut b);
                args.push(b);
            }
            v @ Value::Str(_) => args.push(vm.to_bytes(v).unwrap_or_default()),
            _ => return Err("ERR Lua redis lib command arguments must be strings or integers"),
        }
    }
    Ok(args)
}

fn call_command(vm: &mut Vm, raise: bool) -> Result<usize, LuaError> {
    let args = match command_args(vm) {
        Ok(a) => a,
        Err(msg) => return refuse(vm, msg, raise),
    };
    let outcome = with_host(vm, |host| run_command(host, &args));
    let reply = match outcome {
        Some(Ok(bytes)) => bytes,
        Some(Err(msg)) => return refuse_counted(vm, &msg, raise),
        None => return Err(error_table(vm, b"ERR redis.call used outside a script")),
    };
    let mut pos = 0;
    match convert::reply_to_lua(vm, &reply, &mut pos) {
        Ok(v) => {
            vm.push(v);
            Ok(1)
        }
        Err(err_table) if raise => Err(LuaError::Error(err_table)),
        Err(err_table) => {
            vm.push(err_table);
            Ok(1)
        }
    }
}

/// A command refused before dispatch: raised by `call`, returned by `pcall`.
fn refuse(vm: &mut Vm, msg: &str, raise: bool) -> Result<usize, LuaError> {
    let e = error_table(vm, msg.as_bytes());
    if raise {
        return Err(e);
    }
    if let LuaError::Error(t) = e {
        vm.push(t);
    }
    Ok(1)
}

/// A command the server refused to run for the script (Redis's `scriptCall`
/// refusals): the error was counted in the error statistics where it arose,
/// so the table carries `ignore_error_stats_update` as 7.0's does.
fn refuse_counted(vm: &mut Vm, msg: &str, raise: bool) -> Result<usize, LuaError> {
    let t = counted_error_value(vm, msg.as_bytes());
    if raise {
        return Err(LuaError::Error(t));
    }
    vm.push(t);
    Ok(1)
}

/// Checks and runs one command for the script; the raw reply bytes. A
/// refusal is counted as Redis counts it (the error in the error statistics,
/// the command's `rejected_calls`).
fn run_command(host: &mut ScriptHost, args: &[Vec<u8>]) -> Result<Vec<u8>, Cow<'static, str>> {
    let (i, refusal) = check_command(host, args);
    let shared = &host.shared;
    if let Some(msg) = refusal {
        shared.count_error(msg.as_bytes());
        if let Some(i) = i {
            let stats = &shared.commands.rows[i].stats;
            stats.rejected_calls.fetch_add(1, Ordering::Relaxed);
        }
        return Err(msg);
    }
    host.out.buf.clear();
    host.out.proto = host.client.resp;
    crate::cmd::dispatch(&mut host.ctx(), args);
    Ok(std::mem::take(&mut host.out.buf))
}

/// The checks of `run_command`, in 7.0's order: the command's row (if
/// found) and the refusal, if any.
fn check_command(
    host: &mut ScriptHost,
    args: &[Vec<u8>],
) -> (Option<usize>, Option<Cow<'static, str>>) {
    let crate::cmd::table::Lookup::Found(i) = host.shared.commands.resolve(args) else {
        return (
            None,
            Some("ERR Unknown Redis command called from script".into()),
        );
    };
    (Some(i), refusal(host, i, args))
}

/// Why row `i` may not run from this script with `args`, if it may not.
fn refusal(host: &mut ScriptHost, i: usize, args: &[Vec<u8>]) -> Option<Cow<'static, str>> {
    let shared = &host.shared;
    let spec = shared.commands.rows[i].spec;
    let argc = args.len() as i32;
    if (spec.arity > 0 && argc != spec.arity) || argc < -spec.arity {
        return Some("ERR Wrong number of args calling Redis command from script".into());
    }
    if spec.flags & flags::NOSCRIPT != 0
        && !shared.scripts_may_call_noscript.load(Ordering::Relaxed)
    {
        return Some("ERR This Redis command is not allowed from script".into());
    }
    // The caller's ACL user (7.0's `scriptVerifyACL`).
    if let Some(user) = host.client.user.clone() {
        if !user.unrestricted() {
            let ctx = host.ctx();
            if let Err(d) = crate::cmd::acl::check::check(&ctx, &user, i, args) {
                crate::cmd::acl::command::log_denial(&ctx, d, "lua", i, args);
                return Some(
                    format!("ERR The user executing the script {}", d.script_text()).into(),
                );
            }
        }
    }
    let shared = &host.shared;
    // A read-only script may not call what may be replicated either (so it
    // can run during CLIENT PAUSE WRITE), as in 7.0.
    if host.read_only && spec.flags & (flags::WRITE | flags::MAY_REPLICATE) != 0 {
        return Some("ERR Write commands are not allowed from read-only scripts.".into());
    }
    // Memory: a command that may grow it is refused when memory was over
    // `maxmemory` as the script's command started, unless the script declared
    // `allow-oom` or has already written (it cannot stop half-way then).
    if spec.flags & flags::DENYOOM != 0
        && !host.allow_oom
        && !shared.script.wrote()
        && super::engine::oom_now(shared)
    {
        return Some(crate::cmd::evict::OOM.into());
    }
    if spec.flags & flags::WRITE != 0 {
        shared.script.set_wrote();
    }
    None
}

/// `redis.log(level, msg, ...)`: the messages joined by spaces, to the server log.
fn redis_log(vm: &mut Vm) -> Result<usize, LuaError> {
    let (level, text) = log_args(vm)?;
    with_host(vm, |h| h.shared.logger.log(level, 'M', &text));
    Ok(0)
}

/// The level and the message of a `redis.log(level, part...)` call (the parts
/// joined by spaces), or its error.
pub(crate) fn log_args(vm: &mut Vm) -> Result<(LogLevel, String), LuaError> {
    let n = vm.arg_count();
    if n < 2 {
        return Err(error_table(
            vm,
            b"ERR redis.log() requires two arguments or more.",
        ));
    }
    let Value::Num(level) = vm.arg(1) else {
        return Err(error_table(
            vm,
            b"ERR First argument must be a number (log level).",
        ));
    };
    let level = match level as i64 {
        0 => LogLevel::Debug,
        1 => LogLevel::Verbose,
        2 => LogLevel::Notice,
        3 => LogLevel::Warning,
        _ => return Err(error_table(vm, b"ERR Invalid debug level.")),
    };
    let mut msg = Vec::new();
    for i in 2..=n {
        if i > 2 {
            msg.push(b' ');
        }
        let v = vm.arg(i);
        if let Some(b) = vm.to_bytes(v) {
            msg.extend_from_slice(&b);
        }
    }
    Ok((level, String::from_utf8_lossy(&msg).into_owned()))
}

/// `redis.setresp(2|3)`: the protocol the script's commands reply in.
fn redis_setresp(vm: &mut Vm) -> Result<usize, LuaError> {
    if vm.arg_count() != 1 {
        return Err(error_table(
            vm,
            b"ERR redis.setresp() requires one argument.",
        ));
    }
    let resp = match vm.arg(1) {
        Value::Num(2.0) => 2,
        Value::Num(3.0) => 3,
        _ => return Err(error_table(vm, b"ERR RESP version must be 2 or 3.")),
    };
    with_host(vm, |h| h.client.resp = resp);
    Ok(0)
}

/// `redis.set_repl(flags)`: accepted and checked; there is no replication here.
fn redis_set_repl(vm: &mut Vm) -> Result<usize, LuaError> {
    if vm.arg_count() != 1 {
        return Err(error_table(
            vm,
            b"ERR redis.set_repl() requires two arguments.",
        ));
    }
    match vm.arg(1) {
        Value::Num(n) if (0.0..=3.0).contains(&n) && n.fract() == 0.0 => Ok(0),
        _ => Err(error_table(
            vm,
            b"ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.",
        )),
    }
}

/// `redis.replicate_commands()`: always true since 7.0 (effects replication).
fn redis_replicate_commands(vm: &mut Vm) -> Result<usize, LuaError> {
    vm.push(Value::Bool(true));
    Ok(1)
}

/// `redis.acl_check_cmd(cmd, ...)`: whether the script's caller may run the
/// command with these arguments (its ACL user's permissions).
fn redis_acl_check_cmd(vm: &mut Vm) -> Result<usize, LuaError> {
    let args = match command_args(vm) {
        Ok(a) => a,
        Err(msg) => return Err(error_table(vm, msg.as_bytes())),
    };
    let allowed = with_host(vm, |h| {
        let crate::cmd::table::Lookup::Found(i) = h.shared.commands.resolve(&args) else {
            return None;
        };
        let Some(user) = h.client.user.clone() else {
            return Some(true);
        };
        Some(crate::cmd::acl::check::check(&h.ctx(), &user, i, &args).is_ok())
    });
    match allowed.flatten() {
        Some(ok) => {
            vm.push(Value::Bool(ok));
            Ok(1)
        }
        None => Err(error_table(
            vm,
            b"ERR Invalid command passed to redis.acl_check_cmd()",
        )),
    }
}
