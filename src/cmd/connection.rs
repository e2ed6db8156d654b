//! Connection commands: PING, ECHO, QUIT, RESET, AUTH, HELLO and CLIENT.
//! (SELECT, which also concerns the connection, lives with the keyspace commands.)
//!
//! AUTH and HELLO AUTH authenticate the connection as an ACL user (`cmd::acl`);
//! AUTH with one argument names the `default` user, whose password
//! `requirepass` sets.
use super::REDIS_VERSION;
use super::{c_str, error_bytes, flags::*, wrong_arity, CommandSpec, Ctx, Keys};
use std::sync::atomic::Ordering;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "ping",
        arity: -1,
        flags: FAST | SUBSCRIBED_OK,
        keys: Keys::NONE,
        handler: ping,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "echo",
        arity: 2,
        flags: FAST | LOADING | STALE,
        keys: Keys::NONE,
        handler: echo,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "quit",
        arity: -1,
        flags: ALLOW_BUSY
            | NOSCRIPT
            | LOADING
            | STALE
            | FAST
            | NO_AUTH
            | NOT_QUEUED
            | SUBSCRIBED_OK,
        keys: Keys::NONE,
        handler: quit,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "reset",
        arity: 1,
        flags: NOSCRIPT
            | LOADING
            | STALE
            | FAST
            | NO_AUTH
            | ALLOW_BUSY
            | NOT_QUEUED
            | SUBSCRIBED_OK,
        keys: Keys::NONE,
        handler: reset,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "auth",
        arity: -2,
        flags: NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY,
        keys: Keys::NONE,
        handler: auth,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "hello",
        arity: -1,
        flags: NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY,
        keys: Keys::NONE,
        handler: hello,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "client",
        arity: -2,
        subcommands: CLIENT_SUBCOMMANDS,
        ..CommandSpec::DEFAULT
    },
];

/// Flags of CLIENT's subcommands, as 7.0 gives them.
const CLIENT_FLAGS: u32 = NOSCRIPT | LOADING | STALE;
const CLIENT_ADMIN: u32 = ADMIN | NOSCRIPT | LOADING | STALE;

static CLIENT_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "id",
        arity: 2,
        flags: CLIENT_FLAGS,
        handler: client_id,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "getname",
        arity: 2,
        flags: CLIENT_FLAGS,
        handler: client_getname,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "setname",
        arity: 3,
        flags: CLIENT_FLAGS,
        handler: client_setname,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "info",
        arity: 2,
        flags: CLIENT_FLAGS,
        handler: super::clients::client_info,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "list",
        arity: -2,
        flags: CLIENT_ADMIN,
        handler: super::clients::client_list,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "reply",
        arity: 3,
        flags: CLIENT_FLAGS,
        handler: client_reply,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "no-evict",
        arity: 3,
        flags: CLIENT_ADMIN,
        handler: client_no_evict,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "kill",
        arity: -3,
        flags: CLIENT_ADMIN,
        handler: super::clients::client_kill,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "unblock",
        arity: -3,
        flags: CLIENT_ADMIN,
        handler: client_unblock,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: LOADING | STALE,
        handler: client_help,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "pause",
        arity: -3,
        flags: CLIENT_ADMIN,
        handler: super::pause::client_pause,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "unpause",
        arity: 2,
        flags: CLIENT_ADMIN,
        handler: super::pause::client_unpause,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "tracking",
        arity: -3,
        flags: CLIENT_FLAGS,
        handler: super::tracking::client_tracking,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "caching",
        arity: 3,
        flags: CLIENT_FLAGS,
        handler: super::tracking::client_caching,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "getredir",
        arity: 2,
        flags: CLIENT_FLAGS,
        handler: super::tracking::client_getredir,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "trackinginfo",
        arity: 2,
        flags: CLIENT_FLAGS,
        handler: super::tracking::client_trackinginfo,
        ..CommandSpec::DEFAULT
    },
];

const WRONGPASS: &str = "WRONGPASS invalid username-password pair or user is disabled.";

fn ping(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if ctx.client.subs.any() && ctx.client.resp == 2 && args.len() <= 2 {
        // Subscribe mode (RESP2): an array, so clients can tell it from messages.
        ctx.out.array(2);
        ctx.out.bulk(b"pong");
        ctx.out.bulk(args.get(1).map_or(&b""[..], |a| a));
        return;
    }
    match args.len() {
        1 => ctx.out.simple("PONG"),
        2 => ctx.out.bulk(&args[1]),
        _ => wrong_arity(ctx.out, "ping"),
    }
}

fn echo(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    ctx.out.bulk(&args[1]);
}

fn quit(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    ctx.out.ok();
    ctx.client.close_after_reply = true;
}

/// RESET: back to a fresh connection's state: db 0, RESP2, no name, and
/// authentication as a new connection has it.
fn reset(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    super::monitor::stop(ctx);
    super::tx::discard_transaction(ctx);
    super::pubsub::forget_client(ctx.shared, ctx.client.id, &mut ctx.client.subs);
    if let Some(h) = &ctx.client.handle {
        h.subscribed.store(false, Ordering::Relaxed);
    }
    if ctx.client.tracking {
        super::tracking::disable(ctx.shared, ctx.store, ctx.client.id);
        ctx.client.tracking = false;
        ctx.client.tracking_bcast = false;
        ctx.client.caching = false;
    }
    ctx.client.db = 0;
    ctx.client.set_name(Vec::new());
    ctx.client.reply_off = false;
    ctx.client.reply_skip = false;
    ctx.client.reply_skip_next = false;
    ctx.client.set_resp(2);
    ctx.out.proto = 2;
    // Back to the default user, authenticated only if it needs no password.
    let default = ctx.shared.acl.default_user();
    if let Some(h) = &ctx.client.handle {
        *h.user.lock().unwrap_or_else(|e| e.into_inner()) = Some(default.clone());
    }
    ctx.client.user = Some(default);
    ctx.client.authenticated = ctx.shared.acl.open();
    ctx.out.simple("RESET");
}

fn auth(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if args.len() > 3 {
        ctx.out.error(super::errors::SYNTAX);
        return;
    }
    // The password (and user name) never reach SLOWLOG or MONITOR.
    ctx.client
        .redact_args(if args.len() == 3 { &[1, 2] } else { &[1] });
    if args.len() == 2 && ctx.shared.acl.default_user().state().nopass {
        ctx.out.error(
            "ERR AUTH <password> called without any password configured for the default user. \
             Are you sure your configuration is correct?",
        );
        return;
    }
    let (user, pass): (&[u8], &[u8]) = if args.len() == 2 {
        (b"default", &args[1])
    } else {
        (&args[1], &args[2])
    };
    if super::acl::command::authenticate(ctx, user, pass, args) {
        ctx.out.ok();
    } else {
        ctx.out.error(WRONGPASS);
    }
}

/// Client names may hold only printable ASCII without spaces ('!'..='~').
fn valid_name(name: &[u8]) -> bool {
    name.iter().all(|&b| (b'!'..=b'~').contains(&b))
}

const BAD_NAME: &str = "ERR Client names cannot contain spaces, newlines or special characters.";

/// HELLO [protover [AUTH username password] [SETNAME clientname]]: options take
/// effect in order as they are read (as in 7.0: a SETNAME before a failing AUTH
/// stays), then the protocol switches and the reply is the server's map.
fn hello(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let mut ver = None;
    if args.len() >= 2 {
        match crate::num::string2ll(&args[1]) {
            None => {
                ctx.out
                    .error("ERR Protocol version is not an integer or out of range");
                return;
            }
            Some(v @ (2 | 3)) => ver = Some(v as u8),
            Some(_) => {
                ctx.out.error("NOPROTO unsupported protocol version");
                return;
            }
        }
    }
    let mut j = 2;
    while j < args.len() {
        let more = args.len() - j - 1;
        let opt = &args[j];
        if opt.eq_ignore_ascii_case(b"auth") && more >= 2 {
            ctx.client.redact_args(&[j + 1, j + 2]);
            if !super::acl::command::authenticate(ctx, &args[j + 1], &args[j + 2], args) {
                ctx.out.error(WRONGPASS);
                return;
            }
            j += 3;
        } else if opt.eq_ignore_ascii_case(b"setname") && more >= 1 {
            if !valid_name(&args[j + 1]) {
                ctx.out.error(BAD_NAME);
                return;
            }
            ctx.client.set_name(args[j + 1].clone());
            j += 2;
        } else {
            let mut msg = b"ERR Syntax error in HELLO option '".to_vec();
            msg.extend_from_slice(c_str(opt, 128));
            msg.push(b'\'');
            error_bytes(ctx.out, &msg);
            return;
        }
    }
    if !ctx.client.authenticated {
        ctx.out.error(
            "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH \
             <user> <pass> option can be used to authenticate the client and select the RESP protocol \
             version at the same time",
        );
        return;
    }
    if let Some(v) = ver {
        ctx.client.set_resp(v);
        ctx.out.proto = v;
    }
    let out = &mut *ctx.out;
    out.map(7);
    out.bulk(b"server");
    out.bulk(b"redis");
    out.bulk(b"version");
    out.bulk(REDIS_VERSION.as_bytes());
    out.bulk(b"proto");
    out.integer(ctx.client.resp as i64);
    out.bulk(b"id");
    out.integer(ctx.client.id as i64);
    out.bulk(b"mode");
    out.bulk(b"standalone");
    out.bulk(b"role");
    out.bulk(b"master");
    out.bulk(b"modules");
    out.array(0);
}

const CLIENT_HELP: &[&str] = &[
    "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CACHING (YES|NO)",
    "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Control server assisted client side caching.",
    "TRACKINGINFO",
    "    Report tracking status for the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
    "HELP",
    "    Prints this help.",
];

/// CLIENT ID
fn client_id(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    ctx.out.integer(ctx.client.id as i64);
}

/// CLIENT GETNAME
fn client_getname(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    if ctx.client.name.is_empty() {
        ctx.out.null();
    } else {
        ctx.out.bulk(&ctx.client.name.clone());
    }
}

/// CLIENT SETNAME connection-name
fn client_setname(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if !valid_name(&args[2]) {
        ctx.out.error(BAD_NAME);
        return;
    }
    ctx.client.set_name(args[2].clone());
    ctx.out.ok();
}

/// CLIENT REPLY ON|OFF|SKIP
fn client_reply(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let mode = args[2].to_ascii_lowercase();
    match mode.as_slice() {
        b"on" => {
            ctx.client.reply_off = false;
            ctx.client.reply_skip = false;
            ctx.client.reply_skip_next = false;
            ctx.client.reply_skip = false;
            ctx.out.ok();
        }
        b"off" => ctx.client.reply_off = true,
        b"skip" => {
            if !ctx.client.reply_off {
                ctx.client.reply_skip_next = true;
            }
        }
        _ => ctx.out.error(super::errors::SYNTAX),
    }
}

/// CLIENT NO-EVICT ON|OFF: the client's `e` flag. There is no client eviction
/// (maxmemory-clients), so the flag protects from nothing yet.
fn client_no_evict(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if args[2].eq_ignore_ascii_case(b"on") {
        ctx.client.no_evict = true;
    } else if args[2].eq_ignore_ascii_case(b"off") {
        ctx.client.no_evict = false;
    } else {
        return ctx.out.error(super::errors::SYNTAX);
    }
    ctx.out.ok();
}

/// CLIENT UNBLOCK client-id [TIMEOUT|ERROR]
fn client_unblock(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if args.len() > 4 {
        // arity -3 lets it through; 7.0's handler then refuses it this way
        return ctx.out.error(
            "ERR unknown subcommand or wrong number of arguments for 'unblock'. Try CLIENT HELP.",
        );
    }
    let Some(id) = crate::num::string2ll(&args[2]) else {
        return ctx.out.error(super::errors::NOT_INTEGER);
    };
    let with_error = match args.get(3).map(|a| a.to_ascii_lowercase()) {
        None => false,
        Some(r) if r == b"timeout" => false,
        Some(r) if r == b"error" => true,
        Some(_) => {
            return ctx
                .out
                .error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
        }
    };
    let Some(name) = (id >= 0)
        .then(|| ctx.blocked.unblock(id as u64, with_error))
        .flatten()
    else {
        return ctx.out.integer(0);
    };
    // As 7.0: the error reply counts in the error statistics, and the
    // unblocked command counts as failed whichever way it was unblocked.
    if with_error {
        ctx.shared
            .count_error(b"UNBLOCKED client unblocked via CLIENT UNBLOCK");
    }
    let commands = &ctx.shared.commands;
    if let Some(row) = commands.lookup(&name).and_then(|i| commands.rows.get(i)) {
        row.stats
            .failed_calls
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    ctx.out.integer(1);
}

/// CLIENT HELP
fn client_help(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    ctx.out.array(CLIENT_HELP.len());
    for l in CLIENT_HELP {
        ctx.out.simple(l);
    }
}
