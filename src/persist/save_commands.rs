//! SAVE, BGSAVE [SCHEDULE] and LASTSAVE, as redis-server 7.0 answers them.
//!
//! - `SAVE`: writes the file now, holding the keyspace (every client waits);
//!   `+OK`, or a bare `-ERR` when writing failed (the log says why).
//! - `BGSAVE`: snapshots the keyspace and writes it on a thread (see
//!   `rdbfile.rs`); `+Background saving started`. One at a time: another
//!   BGSAVE, a SAVE or a BGSAVE SCHEDULE meanwhile gets
//!   `-ERR Background save already in progress`, as in 7.0. While an AOF
//!   rewrite runs (Redis's other child) BGSAVE SCHEDULE, and BGSAVE inside
//!   MULTI/EXEC, answer `+Background saving scheduled` and the cron starts it
//!   later; a plain BGSAVE then gets 7.0's "Another child process is active".
//! - `LASTSAVE`: Unix time of the last successful save.
use super::rdbfile;
use crate::cmd::errors;
use crate::cmd::flags::*;
use crate::cmd::{CommandSpec, Ctx, Keys};

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "save",
        arity: 1,
        flags: ADMIN | NOSCRIPT | NO_ASYNC_LOADING | NO_MULTI,
        keys: Keys::NONE,
        handler: save,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "bgsave",
        arity: -1,
        flags: ADMIN | NOSCRIPT | NO_ASYNC_LOADING,
        keys: Keys::NONE,
        handler: bgsave,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "lastsave",
        arity: 1,
        flags: LOADING | STALE | FAST,
        keys: Keys::NONE,
        handler: lastsave,
        ..CommandSpec::DEFAULT
    },
];

const IN_PROGRESS: &str = "ERR Background save already in progress";

fn save(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    if ctx.shared.persistence.bgsave_running() {
        return ctx.out.error(IN_PROGRESS);
    }
    let sh = ctx.shared.clone();
    match rdbfile::save_now(ctx.store, ctx.scripts, &sh) {
        Ok(()) => ctx.out.ok(),
        Err(_) => ctx.out.error("ERR"),
    }
}

fn bgsave(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if args.len() > 1 && !(args.len() == 2 && args[1].eq_ignore_ascii_case(b"schedule")) {
        return ctx.out.error(errors::SYNTAX);
    }
    if ctx.shared.persistence.bgsave_running() {
        return ctx.out.error(IN_PROGRESS);
    }
    let sh = ctx.shared.clone();
    // An AOF rewrite running (Redis's other child), or inside EXEC (which
    // runs its queue with `no_block`; BGSAVE may not run in scripts).
    if super::aof::rewrite_running(&sh) || ctx.client.no_block {
        if args.len() == 2 || ctx.client.no_block {
            sh.persistence.state().scheduled = true;
            return ctx.out.simple("Background saving scheduled");
        }
        return ctx.out.error(
            "ERR Another child process is active (AOF?): can't BGSAVE right now. \
             Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
        );
    }
    match rdbfile::bgsave_start(ctx.store, ctx.scripts, &sh) {
        Ok(()) => ctx.out.simple("Background saving started"),
        Err(e) => {
            sh.logger.warning(&e);
            ctx.out.error("ERR")
        }
    }
}

fn lastsave(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    let t = ctx.shared.persistence.state().lastsave;
    ctx.out.integer(t as i64);
}
