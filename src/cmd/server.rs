//! Server commands: CONFIG, TIME, DEBUG, SHUTDOWN. (COMMAND is in `command.rs`,
//! INFO in `info.rs`.)
use super::command::help_lines;
use super::config::{Config, SetError};
use super::shared::unix_micros;
use super::{
    c_str, error_bytes, flags::*, unknown_subcommand, wrong_arity, CommandSpec, Ctx, Keys,
};
use crate::resp::Reply;
use crate::store::glob::glob_match;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "config",
        arity: -2,
        subcommands: CONFIG_SUBCOMMANDS,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "time",
        arity: 1,
        flags: LOADING | STALE | FAST,
        keys: Keys::NONE,
        handler: time,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "debug",
        arity: -2,
        flags: ADMIN | NOSCRIPT | LOADING | STALE | OWN_THREAD,
        keys: Keys::NONE,
        handler: debug,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "shutdown",
        arity: -1,
        flags: ADMIN | NOSCRIPT | LOADING | STALE | NO_MULTI | ALLOW_BUSY,
        keys: Keys::NONE,
        handler: shutdown,
        ..CommandSpec::DEFAULT
    },
];

const CONFIG_ADMIN: u32 = ADMIN | NOSCRIPT | LOADING | STALE;

static CONFIG_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "get",
        arity: -3,
        flags: CONFIG_ADMIN,
        handler: config_get,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "set",
        arity: -4,
        flags: CONFIG_ADMIN,
        handler: config_set,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "resetstat",
        arity: 2,
        flags: CONFIG_ADMIN,
        handler: config_resetstat,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: LOADING | STALE,
        handler: config_help,
        ..CommandSpec::DEFAULT
    },
];

// ---------------------------------------------------------------- CONFIG

/// CONFIG GET parameter [parameter ...]
fn config_get(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let c = ctx.shared.config();
    let mut names: Vec<&str> = Vec::new();
    for pat in &args[2..] {
        for name in Config::names() {
            if glob_match(pat, name.as_bytes(), true) && !names.contains(&name) {
                names.push(name);
            }
        }
    }
    ctx.out.map(names.len());
    for name in names {
        ctx.out.bulk(name.as_bytes());
        ctx.out.bulk(c.get(name).unwrap_or_default().as_bytes());
    }
}

/// CONFIG RESETSTAT
fn config_resetstat(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    ctx.shared.stats.reset();
    ctx.shared.commands.reset_stats();
    ctx.shared
        .errors
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clear();
    ctx.out.ok();
}

/// CONFIG HELP
fn config_help(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    help_lines(
        ctx.out,
        &[
            "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "HELP",
            "    Prints this help.",
        ],
    );
}

/// CONFIG SET name value [name value ...]: all or nothing, like Redis 7.
fn config_set(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    // Pairs of name and value, or 7.0's syntax error.
    if !args.len().is_multiple_of(2) {
        return ctx.out.error(super::errors::SYNTAX);
    }
    let pairs: Vec<(String, String)> = args[2..]
        .chunks(2)
        .map(|p| {
            (
                String::from_utf8_lossy(&p[0]).to_ascii_lowercase(),
                String::from_utf8_lossy(&p[1]).into_owned(),
            )
        })
        .collect();
    let fail = |out: &mut Reply, name: &str, why: &str| {
        let mut msg = b"ERR CONFIG SET failed (possibly related to argument '".to_vec();
        msg.extend_from_slice(c_str(name.as_bytes(), 128));
        msg.extend_from_slice(b"') - ");
        msg.extend_from_slice(why.as_bytes());
        error_bytes(out, &msg);
    };
    for (i, (name, _)) in pairs.iter().enumerate() {
        if !Config::is_param(name) {
            let mut msg = b"ERR Unknown option or number of arguments for CONFIG SET - '".to_vec();
            msg.extend_from_slice(c_str(name.as_bytes(), 128));
            msg.push(b'\'');
            error_bytes(ctx.out, &msg);
            return;
        }
        if pairs[..i].iter().any(|(m, _)| m == name) {
            fail(ctx.out, name, "duplicate parameter");
            return;
        }
    }
    // Validate on a copy, then commit the whole copy.
    let mut next = ctx.shared.config().clone();
    for (name, value) in &pairs {
        match next.set(name, value, true) {
            Ok(()) => {}
            Err(SetError::Immutable) => return fail(ctx.out, name, "can't set immutable config"),
            Err(SetError::Invalid(why)) => return fail(ctx.out, name, &why),
            Err(SetError::Unknown) => return fail(ctx.out, name, "unknown"),
        }
    }
    *ctx.shared.config.write().unwrap_or_else(|e| e.into_inner()) = next;
    ctx.shared.config_changed();
    ctx.out.ok();
}

// ---------------------------------------------------------------- the rest

fn time(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    let us = unix_micros();
    ctx.out.array(2);
    ctx.out.bulk((us / 1_000_000).to_string().as_bytes());
    ctx.out.bulk((us % 1_000_000).to_string().as_bytes());
}

/// DEBUG SLEEP <seconds>: blocks the whole server (it holds the keyspace lock),
/// which is what tests use it for. Redis 7 refuses DEBUG unless
/// `enable-debug-command` allows it; here SLEEP is always allowed.
/// Whether DEBUG may run for this client: `enable-debug-command` is `yes`, or
/// `local` and the client is on a loopback address (7.0's rule).
fn debug_allowed(ctx: &Ctx<'_>) -> bool {
    match ctx.shared.config().enable_debug_command.as_str() {
        "yes" => true,
        "local" => ctx
            .client
            .handle
            .as_ref()
            .is_none_or(|h| h.addr.ip().is_loopback()),
        _ => false,
    }
}

fn debug(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if !debug_allowed(ctx) {
        return ctx.out.error(
            "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", \
             you can run it from a local connection, otherwise you need to set this option in the \
             configuration file, and then restart the server.",
        );
    }
    let sub = args[1].to_ascii_lowercase();
    match sub.as_slice() {
        b"sleep" => {
            if args.len() != 3 {
                wrong_arity(ctx.out, "debug");
                return;
            }
            // Redis reads it with a bare strtod: the number at the start, or 0.
            let secs = crate::num::strtod(&args[2]).value;
            if secs.is_finite() && secs > 0.0 {
                // In slices, so a shutdown (a signal, once handled) ends it.
                let end = std::time::Instant::now()
                    .checked_add(std::time::Duration::from_secs_f64(secs.min(1e9)));
                while let Some(left) =
                    end.map(|e| e.saturating_duration_since(std::time::Instant::now()))
                {
                    if left.is_zero() || ctx.shared.is_shutting_down() {
                        break;
                    }
                    std::thread::sleep(left.min(std::time::Duration::from_millis(100)));
                }
            }
            ctx.out.ok();
        }
        b"protocol" if args.len() == 3 => debug_protocol(ctx.out, &args[2]),
        b"set-disable-deny-scripts" if args.len() == 3 => {
            // atoi: leading digits, anything else is 0
            let on = crate::cmd::c_str(&args[2], 64)
                .iter()
                .skip_while(|b| b.is_ascii_whitespace())
                .take_while(|b| b.is_ascii_digit() || **b == b'-')
                .any(|b| (b'1'..=b'9').contains(b));
            ctx.shared
                .scripts_may_call_noscript
                .store(on, std::sync::atomic::Ordering::Relaxed);
            ctx.out.ok();
        }
        b"help" => help_lines(
            ctx.out,
            &[
                "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "PROTOCOL <type>",
                "    Reply with a test value of the specified type. <type> can be: string,",
                "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
                "    true, false.",
                "SLEEP <seconds>",
                "    Stop the server for <seconds>. Decimals allowed.",
                "HELP",
                "    Prints this help.",
            ],
        ),
        _ => unknown_subcommand(ctx.out, &args[1], "debug"),
    }
}

/// DEBUG PROTOCOL <type>: a sample reply of each RESP type (7.0's values), for
/// testing clients.
fn debug_protocol(out: &mut Reply, kind: &[u8]) {
    match kind.to_ascii_lowercase().as_slice() {
        b"string" => out.bulk(b"Hello World"),
        b"integer" => out.integer(12345),
        // 7.0's sample value (not π).
        #[allow(clippy::approx_constant)]
        b"double" => out.double(3.141),
        b"bignum" => out.big_number(b"1234567999999999999999999999999999999"),
        b"null" => out.null(),
        b"array" | b"set" => {
            if kind.eq_ignore_ascii_case(b"set") {
                out.set(3);
            } else {
                out.array(3);
            }
            for j in 0..3 {
                out.integer(j);
            }
        }
        b"map" => {
            out.map(3);
            for j in 0..3 {
                out.integer(j);
                out.boolean(j == 1);
            }
        }
        b"attrib" => {
            if out.attribute(1) {
                out.bulk(b"key-popularity");
                out.array(2);
                out.bulk(b"key:123");
                out.integer(90);
            }
            out.bulk(b"Some real reply following the attribute");
        }
        b"push" => {
            if out.proto < 3 {
                return out.error("ERR RESP2 is not supported by this command");
            }
            out.push(2);
            out.bulk(b"server-cpu-usage");
            out.integer(42);
            out.bulk(b"Some real reply following the push reply");
        }
        b"true" => out.boolean(true),
        b"false" => out.boolean(false),
        b"verbatim" => out.verbatim("txt", b"This is a verbatim\nstring"),
        _ => out.error(
            "ERR Wrong protocol type name. Please use one of the following: \
             string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false",
        ),
    }
}

/// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE]: stops the server; the caller gets no reply
/// (its connection closes). There is no persistence yet, so SAVE saves nothing.
fn shutdown(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let (mut save, mut nosave, mut abort, mut other) = (false, false, false, false);
    for a in &args[1..] {
        let a = a.to_ascii_lowercase();
        match a.as_slice() {
            b"save" => save = true,
            b"nosave" => nosave = true,
            b"abort" => abort = true,
            b"now" | b"force" => other = true,
            _ => {
                ctx.out.error(super::errors::SYNTAX);
                return;
            }
        }
    }
    if (save && nosave) || (abort && (save || nosave || other)) {
        ctx.out.error(super::errors::SYNTAX);
        return;
    }
    if abort {
        // Shutdown here is immediate, so there is never one to abort.
        ctx.out.error("ERR No shutdown in progress.");
        return;
    }
    let log = &ctx.shared.logger;
    log.warning("User requested shutdown...");
    if save {
        log.notice("SAVE requested, but this server has no persistence yet: nothing saved.");
    }
    ctx.client.close_after_reply = true;
    ctx.shared.request_shutdown();
}
