//! Scripting: EVAL/EVALSHA/SCRIPT on the crate's own Lua engine, behaving as
//! Redis 7.0 does.
//!
//! # Layout
//!
//! - [`env`]: the Lua environment scripts see (exactly 7.0's globals, read-only
//!   tables, undeclared-global errors, `math.random`, the pure `redis.*` helpers);
//! - [`engine`]: the one long-lived Lua state with its script cache, and how a
//!   script runs against the keyspace;
//! - [`bridge`]: the natives that need the server (`redis.call`, `redis.pcall`,
//!   `redis.log`, `redis.setresp`, ...);
//! - [`convert`]: replies to Lua values and Lua values to replies;
//! - [`commands`]: the command table rows (EVAL, EVALSHA, EVAL_RO, EVALSHA_RO,
//!   SCRIPT);
//! - [`function`]: FUNCTION and FCALL, libraries in a Lua state of their own.
//!
//! # Atomicity and busy scripts
//!
//! A script runs inside the handler of its EVAL, so under the store lock like any
//! command: nothing else touches the keyspace until it returns, and its writes
//! stay when it fails later. Other connections find the lock taken; when a
//! script has run longer than `busy-reply-threshold` (alias `lua-time-limit`)
//! they answer `BUSY` instead of waiting, except for the commands 7.0 flags
//! `allow-busy` (SCRIPT KILL, FUNCTION KILL and STATS, SHUTDOWN NOSAVE, MULTI,
//! DISCARD, QUIT, HELLO, AUTH; see [`busy_reply`]). `cmd::shared::RunState` (in
//! `Shared::script`) is what they read: when the running script started, whether
//! it wrote, whether a kill was asked for. The VM's hook polls the kill flag.
pub mod bridge;
pub mod commands;
pub mod convert;
pub mod engine;
pub mod env;
pub mod function;

use crate::cmd::{ClientState, CommandSpec, Ctx, Shared};
use crate::resp::Reply;
use std::sync::Arc;

/// The command families of this layer, added to the server's table.
pub const FAMILIES: &[&[CommandSpec]] = &[commands::COMMANDS, function::COMMANDS];

/// The `BUSY` error text while an EVAL script runs.
pub const BUSY_ERROR: &str =
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
/// The `BUSY` error text while a function runs.
pub const BUSY_FUNCTION_ERROR: &str =
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
const UNKILLABLE_ERROR: &str = "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.";
const NOTBUSY_ERROR: &str = "NOTBUSY No scripts in execution right now.";

/// True when a script has been running for longer than the busy threshold:
/// connections then answer through [`busy_reply`] instead of waiting for the lock.
pub fn is_busy(shared: &Shared) -> bool {
    let Some(since) = shared.script.running_since() else {
        return false;
    };
    let limit = shared.config().lua_time_limit;
    shared.now_ms().saturating_sub(since) >= limit
}

/// Answers one request while a script is busy, without the keyspace lock, as
/// Redis 7.0 answers commands that arrive during a timed-out script:
/// - an unknown command or a wrong arity gets its usual error;
/// - `SCRIPT KILL` / `FUNCTION KILL` kill a script that has not written;
///   `SHUTDOWN NOSAVE` stops the server;
/// - MULTI, DISCARD and QUIT (flagged `allow-busy`, and needing only the
///   client's own state) run; EXEC inside MULTI discards the transaction with
///   `EXECABORT ... BUSY ...`;
/// - anything else gets `BUSY`, and inside MULTI flags the transaction so its
///   EXEC answers EXECABORT (nothing of it runs half-way).
///
/// - FUNCTION STATS tells of the running function (an EVAL script: `BUSY`).
///
/// WATCH, UNWATCH, AUTH, HELLO and RESET are `allow-busy` in Redis too, but
/// need more than the client's state; here they get `BUSY`.
pub fn busy_reply(
    shared: &Arc<Shared>,
    client: &mut ClientState,
    args: &[Vec<u8>],
    out: &mut Reply,
) {
    use crate::cmd::table::Lookup;
    let commands = &shared.commands;
    let flag = |client: &mut ClientState| client.tx.aborted |= client.tx.in_multi();
    let i = match commands.resolve(args) {
        Lookup::Found(i) => i,
        Lookup::UnknownCommand => {
            crate::cmd::unknown_command(out, args);
            shared.count_error(b"ERR");
            return flag(client);
        }
        Lookup::UnknownSubcommand(i) => {
            crate::cmd::unknown_subcommand(out, &args[1], commands.rows[i].spec.name);
            shared.count_error(b"ERR");
            return flag(client);
        }
    };
    let row = &commands.rows[i];
    let argc = args.len() as i32;
    if (row.spec.arity > 0 && argc != row.spec.arity) || argc < -row.spec.arity {
        crate::cmd::wrong_arity(out, &row.full_name);
        shared.count_error(b"ERR");
        return flag(client);
    }
    // A script run by the AOF being loaded (DEBUG LOADAOF): what may not run
    // while loading gets LOADING, as Redis answers before looking at scripts.
    if shared
        .persistence
        .loading
        .load(std::sync::atomic::Ordering::Relaxed)
        && row.spec.flags & crate::cmd::table::flags::LOADING == 0
    {
        out.error("LOADING Redis is loading the dataset in memory");
        shared.count_error(b"LOADING");
        return flag(client);
    }
    let nosave = args
        .get(1)
        .is_some_and(|a| a.eq_ignore_ascii_case(b"nosave"));
    match row.full_name.as_str() {
        "script|kill" => kill(shared, out, true),
        "function|stats" => busy_function_stats(shared, out),
        "function|kill" => kill(shared, out, false),
        // No reply: the script stops at its next hook check (see `engine::run`)
        // and the server exits.
        "shutdown" if nosave => shared.request_shutdown(),
        "multi" if client.tx.in_multi() => {
            out.error("ERR MULTI calls can not be nested");
            shared.count_error(b"ERR");
        }
        "multi" => {
            client.tx.queue = Some(Vec::new());
            client.tx.aborted = false;
            client.tx.flags = 0;
            out.ok();
        }
        "discard" if !client.tx.in_multi() => {
            out.error("ERR DISCARD without MULTI");
            shared.count_error(b"ERR");
        }
        "discard" => {
            client.tx.discard_while_busy();
            out.ok();
        }
        "exec" if client.tx.in_multi() => {
            client.tx.discard_while_busy();
            out.error(&format!(
                "EXECABORT Transaction discarded because of: {}",
                busy_text(shared)
            ));
            shared.count_error(b"EXECABORT");
        }
        "quit" => {
            client.close_after_reply = true;
            out.ok();
        }
        // Flagged `allow-busy` and about the connection alone: they run as
        // usual, on a scratch keyspace (they touch none) since the script
        // holds the real one.
        "hello" | "auth" => {
            let mut scratch = crate::cmd::Keyspace::new(shared.config().databases);
            crate::cmd::dispatch(&mut scratch.ctx(client, out, shared), args);
        }
        _ => {
            out.error(busy_text(shared));
            shared.count_error(b"BUSY");
            flag(client);
        }
    }
}

/// The BUSY text for the script that runs (an EVAL script or a function).
/// FUNCTION STATS while a script runs: what runs (name, command, duration)
/// and the counts, from what FCALL recorded (7.0's `functionStatsCommand`).
fn busy_function_stats(shared: &Shared, out: &mut Reply) {
    let run = &shared.script;
    let Some(started) = run.running_since().filter(|_| run.is_function()) else {
        out.error(BUSY_ERROR);
        shared.count_error(b"BUSY");
        return;
    };
    let call = run.function_call();
    out.map(2);
    out.bulk(b"running_script");
    out.map(3);
    out.bulk(b"name");
    out.bulk(call.name.as_bytes());
    out.bulk(b"command");
    out.array(call.argv.len());
    for a in &call.argv {
        out.bulk(a);
    }
    out.bulk(b"duration_ms");
    out.integer(shared.now_ms().saturating_sub(started) as i64);
    out.bulk(b"engines");
    out.map(1);
    out.bulk(b"LUA");
    out.map(2);
    out.bulk(b"libraries_count");
    out.integer(call.libraries as i64);
    out.bulk(b"functions_count");
    out.integer(call.functions as i64);
}

fn busy_text(shared: &Shared) -> &'static str {
    if shared.script.is_function() {
        BUSY_FUNCTION_ERROR
    } else {
        BUSY_ERROR
    }
}

/// SCRIPT KILL (`eval`) or FUNCTION KILL: asks the running script to stop. As
/// in 7.0, each stops only its own kind; the other gets the BUSY text that
/// names the right one.
fn kill(shared: &Shared, out: &mut Reply, eval: bool) {
    let run = &shared.script;
    if run.running_since().is_none() {
        out.error(NOTBUSY_ERROR);
    } else if run.wrote() {
        out.error(UNKILLABLE_ERROR);
    } else if eval == run.is_function() {
        out.error(busy_text(shared));
    } else {
        run.request_kill();
        out.ok();
    }
}

/// SCRIPT KILL or FUNCTION KILL run the ordinary way (holding the lock), so no
/// script runs.
pub(crate) fn kill_under_lock(ctx: &mut Ctx<'_>, eval: bool) {
    kill(ctx.shared, ctx.out, eval);
}

#[cfg(test)]
mod tests {
    /// Scripting's rows of the command table agree with Redis 7.0's
    /// documentation (arity, flags, key range), as `cmd::docs` checks the rest.
    #[test]
    fn scripting_rows_agree_with_the_docs() {
        let problems = crate::cmd::docs::disagreements(&crate::cmd::Commands::new(super::FAMILIES));
        assert!(problems.is_empty(), "\n{}", problems.join("\n"));
    }
}
