//! The scripting commands: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT.
//!
//! Invariants: errors are Redis 7.0's texts, checked in its order (numkeys
//! first, then the script); a script is cached by the SHA-1 of its body, so
//! EVALSHA works after EVAL or SCRIPT LOAD; SHA-1s are matched case-insensitively.
use super::engine;
use crate::cmd::{flags, unknown_subcommand, wrong_arity, CommandSpec, Ctx};

const SCRIPTING: u32 = flags::NOSCRIPT | flags::STALE | flags::MAY_REPLICATE;

pub static COMMANDS: &[CommandSpec] = &[
    // EVAL script numkeys [key ...] [arg ...]
    CommandSpec::keyless("eval", -3, SCRIPTING, eval),
    // EVALSHA sha1 numkeys [key ...] [arg ...]
    CommandSpec::keyless("evalsha", -3, SCRIPTING, evalsha),
    // EVAL_RO script numkeys [key ...] [arg ...]
    CommandSpec::keyless(
        "eval_ro",
        -3,
        flags::NOSCRIPT | flags::STALE | flags::READONLY,
        eval_ro,
    ),
    // EVALSHA_RO sha1 numkeys [key ...] [arg ...]
    CommandSpec::keyless(
        "evalsha_ro",
        -3,
        flags::NOSCRIPT | flags::STALE | flags::READONLY,
        evalsha_ro,
    ),
    // SCRIPT LOAD|EXISTS|FLUSH|KILL|HELP ...
    CommandSpec::keyless("script", -2, flags::NOSCRIPT, script),
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
    let nkeys = match numkeys(args) {
        Ok(n) => n,
        Err(e) => return ctx.out.error(e),
    };
    let sha = if by_sha {
        let sha = String::from_utf8_lossy(&args[1]).to_ascii_lowercase();
        if sha.len() != 40 || !ctx.store.scripts.engine().exists(&sha) {
            return ctx
                .out
                .error("NOSCRIPT No matching script. Please use EVAL.");
        }
        sha
    } else {
        match ctx.store.scripts.engine().load(&args[1]) {
            Ok(sha) => sha,
            Err(e) => return ctx.out.error(&e),
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

/// SCRIPT LOAD script | EXISTS sha1 [sha1 ...] | FLUSH [ASYNC|SYNC] | KILL | HELP
fn script(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let sub = args[1].to_ascii_lowercase();
    let n = args.len();
    match (sub.as_slice(), n) {
        (b"load", 3) => match ctx.store.scripts.engine().load(&args[2]) {
            Ok(sha) => ctx.out.bulk(sha.as_bytes()),
            Err(e) => ctx.out.error(&e),
        },
        (b"exists", 3..) => {
            ctx.out.array(n - 2);
            for sha in &args[2..] {
                let sha = String::from_utf8_lossy(sha).to_ascii_lowercase();
                let found = ctx.store.scripts.engine().exists(&sha);
                ctx.out.integer(found as i64);
            }
        }
        (b"flush", 2) => {
            ctx.store.scripts.flush();
            ctx.out.ok();
        }
        (b"flush", 3) => {
            let mode = args[2].to_ascii_lowercase();
            if mode == b"async" || mode == b"sync" {
                ctx.store.scripts.flush();
                ctx.out.ok();
            } else {
                ctx.out
                    .error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
            }
        }
        (b"kill", 2) => super::kill_under_lock(ctx, true),
        (b"help", 2) => {
            ctx.out.array(SCRIPT_HELP.len());
            for line in SCRIPT_HELP {
                ctx.out.simple(line);
            }
        }
        (b"load" | b"exists" | b"flush" | b"kill" | b"help", _) => {
            let name = format!("script|{}", String::from_utf8_lossy(&sub));
            wrong_arity(ctx.out, &name);
        }
        _ => unknown_subcommand(ctx.out, &args[1], "script"),
    }
}
