//! Server commands: TIME, DEBUG, SHUTDOWN. (CONFIG is in `config/command.rs`,
//! COMMAND in `command.rs`, INFO in `info.rs`.)
use super::command::help_lines;
use super::shared::unix_micros;
use super::{flags::*, wrong_arity, CommandSpec, Ctx, Keys};
use crate::resp::Reply;

pub static COMMANDS: &[CommandSpec] = &[
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

// ---------------------------------------------------------------- the rest

fn time(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    let us = unix_micros();
    ctx.out.array(2);
    ctx.out.bulk((us / 1_000_000).to_string().as_bytes());
    ctx.out.bulk((us % 1_000_000).to_string().as_bytes());
}

/// Whether C's `atoi` reads a non-zero number: leading digits (after blanks and a
/// sign), anything else is 0.
pub(super) fn atoi_nonzero(arg: &[u8]) -> bool {
    super::c_str(arg, 64)
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit() || **b == b'-' || **b == b'+')
        .any(|b| (b'1'..=b'9').contains(b))
}

/// DEBUG SLEEP <seconds>: blocks the whole server (it holds the keyspace lock),
/// which is what tests use it for. Redis 7 refuses DEBUG unless
/// `enable-debug-command` allows it; here SLEEP is always allowed.
/// Whether DEBUG may run for this client: `enable-debug-command` is `yes`, or
/// `local` and the client is on a loopback address (7.0's rule).
fn debug_allowed(ctx: &Ctx<'_>) -> bool {
    let setting = ctx.shared.config().enable_debug_command.clone();
    super::config::command::protected_allowed(ctx, &setting)
}

/// DEBUG SLEEP <seconds>: blocks the whole server (it holds the keyspace lock),
/// which is what tests use it for.
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
        b"reload" => debug_reload(ctx, &args[2..]),
        b"loadaof" => match ctx.shared.persistence.hooks.aof_load.get() {
            Some(load) => match load(ctx) {
                Ok(()) => ctx.out.ok(),
                Err(e) => {
                    ctx.shared.logger.warning(&e);
                    ctx.out
                        .error("ERR Error loading the AOF, check server logs.")
                }
            },
            None => ctx.out.ok(),
        },
        b"config-rewrite-force-all" if args.len() == 2 => {
            let c = ctx.shared.config().clone();
            let done = if c.config_file.is_empty() {
                // 7.0 hands the absent path to the rewrite, whose open fails
                // with EFAULT.
                Err("Bad address".to_string())
            } else {
                let users = ctx.shared.acl_user_lines();
                super::config::rewrite::rewrite_file(&c, &users, true)
            };
            match done {
                Ok(()) => ctx.out.ok(),
                Err(e) => ctx
                    .out
                    .error(&format!("ERR CONFIG-REWRITE-FORCE-ALL failed: {e}")),
            }
        }
        b"aof-flush-sleep" if args.len() == 3 => {
            // atoi's reading; a sleep before each AOF write (for tests),
            // bounded here at 10 seconds.
            let us = super::c_str(&args[2], 64)
                .iter()
                .skip_while(|b| b.is_ascii_whitespace())
                .take_while(|b| b.is_ascii_digit())
                .fold(0u64, |n, d| {
                    n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
                })
                .min(10_000_000);
            ctx.shared
                .persistence
                .aof_flush_sleep_us
                .store(us, std::sync::atomic::Ordering::Relaxed);
            ctx.out.ok();
        }
        b"set-active-expire" if args.len() == 3 => {
            let on = atoi_nonzero(&args[2]);
            ctx.shared
                .active_expire
                .store(on, std::sync::atomic::Ordering::Relaxed);
            ctx.out.ok();
        }
        b"log" if args.len() == 3 => {
            let msg = String::from_utf8_lossy(&args[2]);
            ctx.shared.logger.warning(&format!("DEBUG LOG: {msg}"));
            ctx.out.ok();
        }
        // The text as the error reply, as given (line breaks become spaces).
        b"error" if args.len() == 3 => super::error_bytes(ctx.out, &args[2]),
        b"digest" if args.len() == 2 => {
            let d = super::digest::dataset(ctx.store.dbs());
            ctx.out.simple(&d)
        }
        b"digest-value" => {
            let db = ctx.client.db;
            ctx.out.array(args.len() - 2);
            for key in &args[2..] {
                let d = super::digest::value(ctx.store.db(db), key);
                ctx.out.simple(&d);
            }
        }
        b"set-disable-deny-scripts" if args.len() == 3 => {
            let on = atoi_nonzero(&args[2]);
            ctx.shared
                .scripts_may_call_noscript
                .store(on, std::sync::atomic::Ordering::Relaxed);
            ctx.out.ok();
        }
        b"help" => help_lines(
            ctx.out,
            &[
                "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "AOF-FLUSH-SLEEP <microsec>",
                "    Server will sleep before flushing the AOF, this is used for testing.",
                "ERROR <string>",
                "    Return a Redis protocol error with <string> as message. Useful for clients",
                "    unit tests to simulate Redis errors.",
                "LOG <message>",
                "    Write <message> to the server log.",
                "PROTOCOL <type>",
                "    Reply with a test value of the specified type. <type> can be: string,",
                "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
                "    true, false.",
                "SLEEP <seconds>",
                "    Stop the server for <seconds>. Decimals allowed.",
                "HTSTATS <dbid>",
                "    Return hash table statistics of the specified Redis database.",
                "HTSTATS-KEY <key>",
                "    Like HTSTATS but for the hash table stored at <key>'s value.",
                "LISTPACK <key>",
                "    Show low level info about the listpack encoding of <key>.",
                "OBJECT <key>",
                "    Show low level info about `key` and associated value.",
                "PAUSE-CRON <0|1>",
                "    Stop periodic cron job processing.",
                "POPULATE <count> [<prefix>] [<size>]",
                "    Create <count> string keys named key:<num>. If <prefix> is specified then",
                "    it is used instead of the 'key' prefix.",
                "QUICKLIST <key> [<0|1>]",
                "    Show low level info about the quicklist encoding of <key>.",
                "QUICKLIST-PACKED-THRESHOLD <size>",
                "    Sets the threshold for elements to be inserted as plain vs packed nodes",
                "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
                "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
                "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
                "SET-ACTIVE-EXPIRE <0|1>",
                "    Setting it to 0 disables expiring keys in background when they are not",
                "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
                "    default.",
                "HELP",
                "    Prints this help.",
            ],
        ),
        _ if super::debug::run(ctx, args) => {}
        _ => {
            let mut msg = b"ERR unknown subcommand or wrong number of arguments for '".to_vec();
            msg.extend_from_slice(super::c_str(&args[1], 128));
            msg.extend_from_slice(b"'. Try DEBUG HELP.");
            super::error_bytes(ctx.out, &msg);
        }
    }
}

/// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: saves the dataset and loads it
/// back (through the persistence layer's hook).
fn debug_reload(ctx: &mut Ctx<'_>, opts: &[Vec<u8>]) {
    let mut how = super::persistence::ReloadOptions::default();
    for o in opts {
        match o.to_ascii_lowercase().as_slice() {
            b"merge" => how.merge = true,
            b"noflush" => how.noflush = true,
            b"nosave" => how.nosave = true,
            _ => {
                return ctx
                    .out
                    .error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")
            }
        }
    }
    let Some(reload) = ctx.shared.persistence.hooks.reload.get() else {
        return ctx
            .out
            .error("ERR Error trying to load the RDB dump, check server logs.");
    };
    match reload(ctx, how) {
        Ok(()) => ctx.out.ok(),
        Err(e) => ctx.out.error(&format!("ERR {e}")),
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
/// (its connection closes). With save points set (or SAVE), the dataset is
/// saved first; when that fails the server goes on (unless FORCE) and the
/// caller gets 7.0's error.
fn shutdown(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let (mut save, mut nosave, mut abort, mut other) = (false, false, false, false);
    let mut force = false;
    for a in &args[1..] {
        let a = a.to_ascii_lowercase();
        match a.as_slice() {
            b"save" => save = true,
            b"nosave" => nosave = true,
            b"abort" => abort = true,
            b"now" => other = true,
            b"force" => {
                other = true;
                force = true
            }
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
    let sh = ctx.shared.clone();
    sh.logger.warning("User requested shutdown...");
    let points = !sh.config().save.trim().is_empty();
    if save || (points && !nosave) {
        sh.logger
            .notice("Saving the final RDB snapshot before exiting.");
        let saved = match sh.persistence.hooks.save.get() {
            Some(save_now) => save_now(ctx),
            None => Err("no persistence layer".into()),
        };
        if saved.is_err() && !force {
            sh.logger
                .warning("Error trying to save the DB, can't exit.");
            return ctx.out.error("ERR Errors trying to SHUTDOWN. Check logs.");
        }
    }
    ctx.client.close_after_reply = true;
    ctx.shared.request_shutdown();
}
