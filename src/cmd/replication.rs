//! ROLE and WAIT: what a standalone master with no replicas answers, as
//! redis-server 7.0 does.
//!
//! This server has no replication: ROLE is always `master`, offset 0, no
//! replicas. WAIT counts the replicas that acknowledged the client's writes;
//! with none, it answers 0 at once when 0 (or fewer) replicas were asked for, or
//! inside MULTI and scripts (which may not block), and otherwise blocks until its
//! timeout in milliseconds (0: forever) like Redis, then answers 0.
use super::{flags::*, CommandSpec, Ctx};
use std::time::{Duration, Instant};

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "role",
        arity: 1,
        flags: NOSCRIPT | LOADING | STALE | FAST,
        handler: role,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "wait",
        arity: 3,
        flags: NOSCRIPT,
        handler: wait,
        ..CommandSpec::DEFAULT
    },
];

/// ROLE: `master`, the replication offset, the replicas.
fn role(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    ctx.out.array(3);
    ctx.out.bulk(b"master");
    ctx.out.integer(0);
    ctx.out.array(0);
}

/// WAIT numreplicas timeout
fn wait(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let Some(wanted) = crate::num::string2ll(&args[1]) else {
        return ctx.out.error(super::errors::NOT_INTEGER);
    };
    let ms = match crate::num::string2ll(&args[2]) {
        None => {
            return ctx
                .out
                .error("ERR timeout is not an integer or out of range")
        }
        Some(ms) if ms < 0 => return ctx.out.error("ERR timeout is negative"),
        Some(ms) => ms,
    };
    // No replica ever acknowledges: enough only when none were asked for.
    let acked = 0;
    if wanted <= acked || ctx.client.no_block || ctx.client.tx.in_multi() {
        return ctx.out.integer(acked);
    }
    let deadline = match ms {
        0 => None,
        ms => Instant::now().checked_add(Duration::from_millis(ms as u64)),
    };
    let req = ctx
        .blocked
        .block(ctx.client, &[], args, deadline, b":0\r\n");
    ctx.client.block = Some(req);
}
