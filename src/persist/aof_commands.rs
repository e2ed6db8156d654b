//! BGREWRITEAOF, as redis-server 7.0 answers it.
//!
//! - a rewrite already running: `-ERR Background append only file rewriting
//!   already in progress`;
//! - a BGSAVE running, or inside MULTI/EXEC (Redis's `in_exec`): the rewrite
//!   is scheduled for the cron (`+Background append only file rewriting
//!   scheduled`);
//! - otherwise it starts (see `aof/mod.rs`): `+Background append only file
//!   rewriting started`, or Redis's error when it cannot.
//!
//! It works with `appendonly no` too, as in Redis: it writes a base and a
//! manifest naming only that base.
use super::aof;
use crate::cmd::flags::*;
use crate::cmd::{CommandSpec, Ctx, Keys};

pub static COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "bgrewriteaof",
    arity: 1,
    flags: ADMIN | NOSCRIPT | NO_ASYNC_LOADING,
    keys: Keys::NONE,
    handler: bgrewriteaof,
    ..CommandSpec::DEFAULT
}];

fn bgrewriteaof(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    let sh = ctx.shared.clone();
    if aof::rewrite_running(&sh) {
        return ctx
            .out
            .error("ERR Background append only file rewriting already in progress");
    }
    // EXEC runs its queue with `no_block` set; this command may not run in
    // scripts, so that is Redis's `in_exec` here.
    if sh.persistence.bgsave_running() || ctx.client.no_block {
        aof::schedule(&sh);
        return ctx
            .out
            .simple("Background append only file rewriting scheduled");
    }
    match aof::rewrite_start(ctx.store, ctx.scripts, &sh) {
        Ok(()) => ctx
            .out
            .simple("Background append only file rewriting started"),
        Err(e) => {
            sh.logger.warning(&e);
            ctx.out.error(
                "ERR Can't execute an AOF background rewriting. Please check the server logs for more information.",
            )
        }
    }
}
