//! The scripting commands: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT.
//!
//! Invariants: errors are Redis 7.0's texts, checked in its order (numkeys
//! first, then the script); a script is cached by the SHA-1 of its body, so
//! EVALSHA works after EVAL or SCRIPT LOAD; SHA-1s are matched case-insensitively.
use super::engine;
use crate::cmd::{flags, CommandSpec, Ctx, Keys};

const SCRIPTING: u32 = flags::NOSCRIPT
    | flags::STALE
    | flags::SKIP_MONITOR
    | flags::MAY_REPLICATE
    | flags::NO_MANDATORY_KEYS;
const SCRIPTING_RO: u32 = flags::NOSCRIPT
    | flags::STALE
    | flags::READONLY
    | flags::SKIP_MONITOR
    | flags::NO_MANDATORY_KEYS;

pub static COMMANDS: &[CommandSpec] = &[
    // EVAL script numkeys [key ...] [arg ...]
    CommandSpec {
        name: "eval",
        arity: -3,
        flags: SCRIPTING | flags::RUNS_SCRIPT,
        keys: Keys::NONE,
        handler: eval,
        getflags: Some(eval_flags),
        ..CommandSpec::DEFAULT
    },
    // EVALSHA sha1 numkeys [key ...] [arg ...]
    CommandSpec {
        name: "evalsha",
        arity: -3,
        flags: SCRIPTING | flags::RUNS_SCRIPT,
        keys: Keys::NONE,
        handler: evalsha,
        getflags: Some(evalsha_flags),
        ..CommandSpec::DEFAULT
    },
    // EVAL_RO script numkeys [key ...] [arg ...]
    CommandSpec {
        name: "eval_ro",
        arity: -3,
        flags: SCRIPTING_RO | flags::RUNS_SCRIPT,
        keys: Keys::NONE,
        handler: eval_ro,
        getflags: Some(eval_flags),
        ..CommandSpec::DEFAULT
    },
    // EVALSHA_RO sha1 numkeys [key ...] [arg ...]
    CommandSpec {
        name: "evalsha_ro",
        arity: -3,
        flags: SCRIPTING_RO | flags::RUNS_SCRIPT,
        keys: Keys::NONE,
        handler: evalsha_ro,
        getflags: Some(evalsha_flags),
        ..CommandSpec::DEFAULT
    },
    // SCRIPT LOAD|EXISTS|FLUSH|KILL|HELP ...
    CommandSpec {
        name: "script",
        arity: -2,
        subcommands: SCRIPT_SUBCOMMANDS,
        ..CommandSpec::DEFAULT
    },
];

static SCRIPT_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "load",
        arity: 3,
        flags: flags::NOSCRIPT | flags::STALE,
        handler: script_load,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "exists",
        arity: -3,
        flags: flags::NOSCRIPT,
        handler: script_exists,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "flush",
        arity: -2,
        flags: flags::NOSCRIPT,
        handler: script_flush,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "kill",
        arity: 2,
        flags: flags::NOSCRIPT | flags::ALLOW_BUSY,
        handler: script_kill,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: flags::LOADING | flags::STALE,
        handler: script_help,
        ..CommandSpec::DEFAULT
    },
];

fn eval(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    eval_generic(ctx, args, false, false);
}

fn evalsha(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    eval_generic(ctx, args, true, false);
}

fn eval_ro(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    eval_generic(ctx, args, false, true);
}

fn evalsha_ro(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    eval_generic(ctx, args, true, true);
}

/// EVAL's flags for one request: those its script declares (cached, or read
/// from its shebang), as 7.0's `evalGetCommandFlags`.
fn eval_flags(ctx: &mut Ctx<'_>, args: &[Vec<u8>], declared: u32) -> u32 {
    let sha = crate::digest::sha1::sha1_hex(&args[1]);
    let cached = engine::state(ctx.scripts).engine().flags(&sha);
    match cached.or_else(|| engine::parse_shebang(&args[1]).ok().map(|(f, _)| f)) {
        Some(f) => engine::script_command_flags(declared, &f),
        None => declared,
    }
}

/// EVALSHA's flags for one request: the cached script's, if any.
fn evalsha_flags(ctx: &mut Ctx<'_>, args: &[Vec<u8>], declared: u32) -> u32 {
    if args[1].len() != 40 {
        return declared;
    }
    let sha = String::from_utf8_lossy(&args[1]).to_ascii_lowercase();
    match engine::state(ctx.scripts).engine().flags(&sha) {
        Some(f) => engine::script_command_flags(declared, &f),
        None => declared,
    }
}

/// The number of keys argument, checked against the arguments that follow.
fn numkeys(args: &[Vec<u8>]) -> Result<usize, &'static str> {
    let n: i64 =
        crate::num::string2ll(&args[2]).ok_or("ERR value is not an integer or out of range")?;
    if n < 0 {
        return Err("ERR Number of keys can't be negative");
    }
    if n as u64 > (args.len() - 3) as u64 {
        return Err("ERR Number of keys can't be greater than number of args");
    }
    Ok(n as usize)
}

fn eval_generic(ctx: &mut Ctx<'_>, args: &[Vec<u8>], by_sha: bool, read_only: bool) {
    // Shown to MONITOR before the script's own calls (the command is SKIP_MONITOR).
    crate::cmd::monitor::feed(ctx, args);
    let nkeys = match numkeys(args) {
        Ok(n) => n,
        Err(e) => return ctx.out.error(e),
    };
    let sha = if by_sha {
        let sha = String::from_utf8_lossy(&args[1]).to_ascii_lowercase();
        if sha.len() != 40 || !engine::state(ctx.scripts).engine().exists(&sha) {
            return ctx
                .out
                .error("NOSCRIPT No matching script. Please use EVAL.");
        }
        sha
    } else {
        match engine::state(ctx.scripts).engine().load(&args[1]) {
            Ok(sha) => sha,
            Err(e) => {
                ctx.out.error(&e);
                return engine::publish_stats(ctx);
            }
        }
    };
    let keys = &args[3..3 + nkeys];
    let argv = &args[3 + nkeys..];
    engine::run(ctx, &sha, keys, argv, read_only);
}

const SCRIPT_HELP: &[&str] = &[
    "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DEBUG (YES|SYNC|NO)",
    "    Set the debug mode for subsequent scripts executed.",
    "EXISTS <sha1> [<sha1> ...]",
    "    Return information about the existence of the scripts in the script cache.",
    "FLUSH [ASYNC|SYNC]",
    "    Flush the Lua scripts cache. Very dangerous on replicas.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the scripts cache.",
    "    * SYNC: Synchronously flush the scripts cache.",
    "KILL",
    "    Kill the currently executing Lua script.",
    "LOAD <script>",
    "    Load a script into the scripts cache without executing it.",
    "HELP",
    "    Prints this help.",
];

/// SCRIPT LOAD script
fn script_load(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    match engine::state(ctx.scripts).engine().load(&args[2]) {
        Ok(sha) => ctx.out.bulk(sha.as_bytes()),
        Err(e) => ctx.out.error(&e),
    }
    engine::publish_stats(ctx);
}

/// SCRIPT EXISTS sha1 [sha1 ...]
fn script_exists(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    ctx.out.array(args.len() - 2);
    for sha in &args[2..] {
        let sha = String::from_utf8_lossy(sha).to_ascii_lowercase();
        let found = engine::state(ctx.scripts).engine().exists(&sha);
        ctx.out.integer(found as i64);
    }
}

/// SCRIPT FLUSH [ASYNC|SYNC]
fn script_flush(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let mode_ok = match args.get(2) {
        None => args.len() == 2,
        Some(m) => {
            args.len() == 3 && (m.eq_ignore_ascii_case(b"async") || m.eq_ignore_ascii_case(b"sync"))
        }
    };
    if !mode_ok {
        return ctx
            .out
            .error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
    }
    engine::state(ctx.scripts).flush();
    ctx.out.ok();
    engine::publish_stats(ctx);
}

/// SCRIPT KILL (run the ordinary way, holding the lock: no script runs then).
fn script_kill(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    super::kill_under_lock(ctx, true);
}

/// SCRIPT HELP
fn script_help(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    ctx.out.array(SCRIPT_HELP.len());
    for line in SCRIPT_HELP {
        ctx.out.simple(line);
    }
}
