//! Connection commands: PING, ECHO, QUIT, RESET, AUTH, HELLO and CLIENT.
//! (SELECT, which also concerns the connection, lives with the keyspace commands.)
//!
//! Only the `default` user exists: it has no password unless `requirepass` is set,
//! and then AUTH with that password (or `AUTH default <password>`) authenticates.
use super::tracking::Mode;
use super::ClientHandle;
use super::REDIS_VERSION;
use super::{c_str, error_bytes, flags::*, wrong_arity, CommandSpec, Ctx, Keys};
use std::sync::atomic::Ordering;
use std::sync::Arc;

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
        flags: FAST,
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
        handler: client_info,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "list",
        arity: -2,
        flags: CLIENT_ADMIN,
        handler: client_list,
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
        handler: client_kill,
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
        name: "tracking",
        arity: -3,
        flags: CLIENT_FLAGS,
        handler: client_tracking,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "caching",
        arity: 3,
        flags: CLIENT_FLAGS,
        handler: client_caching,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "getredir",
        arity: 2,
        flags: CLIENT_FLAGS,
        handler: client_getredir,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "trackinginfo",
        arity: 2,
        flags: CLIENT_FLAGS,
        handler: client_trackinginfo,
        ..CommandSpec::DEFAULT
    },
];

const WRONGPASS: &str = "WRONGPASS invalid username-password pair or user is disabled.";

fn ping(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if ctx.client.subs.count() > 0 && ctx.client.resp == 2 && args.len() <= 2 {
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
    ctx.client.reply_skip_next = false;
    ctx.client.set_resp(2);
    ctx.out.proto = 2;
    ctx.client.authenticated = ctx.shared.config().requirepass.is_none();
    ctx.out.simple("RESET");
}

/// Checks a username/password pair against the default user.
fn credentials_ok(ctx: &Ctx<'_>, user: &[u8], pass: &[u8]) -> bool {
    if user != b"default" {
        return false;
    }
    match &ctx.shared.config().requirepass {
        None => true,
        Some(p) => p.as_slice() == pass,
    }
}

fn auth(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if args.len() > 3 {
        ctx.out.error(super::errors::SYNTAX);
        return;
    }
    if args.len() == 2 && ctx.shared.config().requirepass.is_none() {
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
    if credentials_ok(ctx, user, pass) {
        ctx.client.authenticated = true;
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
        match super::super::resp::parse::parse_i64_strict(&args[1]) {
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
            if !credentials_ok(ctx, &args[j + 1], &args[j + 2]) {
                ctx.out.error(WRONGPASS);
                return;
            }
            ctx.client.authenticated = true;
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
    "GETNAME",
    "    Return the name of the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
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
    "    * ID <client-id>",
    "      Kill connections by client id.",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "    * ID <client-id> [<client-id> ...]",
    "      Return clients with the specified IDs.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
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

/// CLIENT INFO
fn client_info(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    let line = match &ctx.client.handle {
        Some(h) => describe(ctx, h, "client|info") + "\n",
        None => String::new(),
    };
    ctx.out.verbatim("txt", line.as_bytes());
}

/// CLIENT REPLY ON|OFF|SKIP
fn client_reply(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let mode = args[2].to_ascii_lowercase();
    match mode.as_slice() {
        b"on" => {
            ctx.client.reply_off = false;
            ctx.client.reply_skip_next = false;
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

/// CLIENT NO-EVICT ON|OFF. There is no client eviction (maxmemory-clients), so
/// the flag changes nothing.
fn client_no_evict(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if args[2].eq_ignore_ascii_case(b"on") || args[2].eq_ignore_ascii_case(b"off") {
        ctx.out.ok();
    } else {
        ctx.out.error(super::errors::SYNTAX);
    }
}

/// CLIENT UNBLOCK client-id [TIMEOUT|ERROR]
fn client_unblock(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if args.len() > 4 {
        // arity -3 lets it through; 7.0's handler then refuses it this way
        return ctx.out.error(
            "ERR unknown subcommand or wrong number of arguments for 'unblock'. Try CLIENT HELP.",
        );
    }
    let Some(id) = crate::resp::parse::parse_i64_strict(&args[2]) else {
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
    let done = id >= 0 && ctx.blocked.unblock(id as u64, with_error);
    ctx.out.integer(done as i64);
}

/// CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX prefix ...] [BCAST] [OPTIN]
/// [OPTOUT] [NOLOOP], with 7.0's checks in 7.0's order.
fn client_tracking(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let mut mode = Mode::default();
    let mut prefixes: Vec<Vec<u8>> = Vec::new();
    let mut j = 3;
    while j < args.len() {
        let more = j + 1 < args.len();
        let opt = args[j].to_ascii_lowercase();
        match opt.as_slice() {
            b"redirect" if more => {
                j += 1;
                if mode.redirect != 0 {
                    return ctx
                        .out
                        .error("ERR A client can only redirect to a single other client");
                }
                let Some(id) = crate::resp::parse::parse_i64_strict(&args[j]) else {
                    return ctx.out.error(super::errors::NOT_INTEGER);
                };
                let exists = id > 0
                    && (id as u64 == ctx.client.id
                        || ctx.shared.clients().contains_key(&(id as u64)));
                if !exists {
                    return ctx
                        .out
                        .error("ERR The client ID you want redirect to does not exist");
                }
                mode.redirect = id as u64;
            }
            b"bcast" => mode.bcast = true,
            b"optin" => mode.optin = true,
            b"optout" => mode.optout = true,
            b"noloop" => mode.noloop = true,
            b"prefix" if more => {
                j += 1;
                prefixes.push(args[j].clone());
            }
            _ => return ctx.out.error(super::errors::SYNTAX),
        }
        j += 1;
    }
    if args[2].eq_ignore_ascii_case(b"off") {
        if ctx.client.tracking {
            super::tracking::disable(ctx.shared, ctx.store, ctx.client.id);
        }
        ctx.client.tracking = false;
        ctx.client.tracking_bcast = false;
        ctx.client.caching = false;
        return ctx.out.ok();
    }
    if !args[2].eq_ignore_ascii_case(b"on") {
        return ctx.out.error(super::errors::SYNTAX);
    }
    if !mode.bcast && !prefixes.is_empty() {
        return ctx
            .out
            .error("ERR PREFIX option requires BCAST mode to be enabled");
    }
    let old = super::tracking::state(ctx.shared)
        .mode(ctx.client.id)
        .cloned();
    if old.as_ref().is_some_and(|o| o.bcast != mode.bcast) {
        return ctx.out.error(
            "ERR You can't switch BCAST mode on/off before disabling tracking for this client, \
             and then re-enabling it with a different mode.",
        );
    }
    if mode.bcast && (mode.optin || mode.optout) {
        return ctx
            .out
            .error("ERR OPTIN and OPTOUT are not compatible with BCAST");
    }
    if mode.optin && mode.optout {
        return ctx
            .out
            .error("ERR You can't specify both OPTIN mode and OPTOUT mode");
    }
    if old
        .as_ref()
        .is_some_and(|o| (mode.optin && o.optout) || (mode.optout && o.optin))
    {
        return ctx.out.error(
            "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, \
             and then re-enabling it with a different mode.",
        );
    }
    if mode.bcast {
        if let Some(msg) = super::tracking::prefix_collision(old.as_ref(), &prefixes) {
            return error_bytes(ctx.out, &msg);
        }
    }
    super::tracking::enable(ctx, mode, &prefixes);
    ctx.out.ok();
}

/// CLIENT CACHING YES|NO: whether the next command's keys are remembered
/// (OPTIN: only after YES; OPTOUT: not after NO).
fn client_caching(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let mode = super::tracking::state(ctx.shared)
        .mode(ctx.client.id)
        .cloned();
    let Some(mode) = mode else {
        return ctx.out.error(
            "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN \
             or OPTOUT mode enabled",
        );
    };
    if args[2].eq_ignore_ascii_case(b"yes") {
        if !mode.optin {
            return ctx.out.error(
                "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.",
            );
        }
    } else if args[2].eq_ignore_ascii_case(b"no") {
        if !mode.optout {
            return ctx.out.error(
                "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.",
            );
        }
    } else {
        return ctx.out.error(super::errors::SYNTAX);
    }
    ctx.client.caching = true;
    ctx.out.ok();
}

/// CLIENT GETREDIR: the redirect target (0: none), -1 when not tracking.
fn client_getredir(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    let redirect = super::tracking::state(ctx.shared)
        .mode(ctx.client.id)
        .map_or(-1, |m| m.redirect as i64);
    ctx.out.integer(redirect);
}

/// CLIENT TRACKINGINFO: a map of flags (a set), redirect and prefixes.
fn client_trackinginfo(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    let mode = super::tracking::state(ctx.shared)
        .mode(ctx.client.id)
        .cloned();
    let mut flags: Vec<&str> = vec![if mode.is_some() { "on" } else { "off" }];
    if let Some(m) = &mode {
        let caching = ctx.client.caching;
        for (on, name) in [
            (m.bcast, "bcast"),
            (m.optin, "optin"),
            (m.optin && caching, "caching-yes"),
            (m.optout, "optout"),
            (m.optout && caching, "caching-no"),
            (m.noloop, "noloop"),
            (m.broken, "broken_redirect"),
        ] {
            if on {
                flags.push(name);
            }
        }
    }
    let out = &mut *ctx.out;
    out.map(3);
    out.bulk(b"flags");
    out.set(flags.len());
    for f in flags {
        out.bulk(f.as_bytes());
    }
    out.bulk(b"redirect");
    out.integer(mode.as_ref().map_or(-1, |m| m.redirect as i64));
    out.bulk(b"prefixes");
    let prefixes = mode.map(|m| m.prefixes).unwrap_or_default();
    out.array(prefixes.len());
    for p in prefixes {
        out.bulk(&p);
    }
}

/// CLIENT HELP
fn client_help(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    ctx.out.array(CLIENT_HELP.len());
    for l in CLIENT_HELP {
        ctx.out.simple(l);
    }
}

/// One CLIENT LIST line (without its trailing newline), with Redis's fields.
/// Buffer sizes are not tracked per client and are reported as 0.
fn describe(ctx: &Ctx<'_>, h: &Arc<ClientHandle>, own_cmd: &str) -> String {
    let now = ctx.shared.now_ms();
    let mine = h.id == ctx.client.id;
    let name = if mine {
        ctx.client.name.clone()
    } else {
        h.name()
    };
    let db = if mine {
        ctx.client.db
    } else {
        h.db.load(Ordering::Relaxed)
    };
    let resp = if mine {
        ctx.client.resp
    } else {
        h.resp.load(Ordering::Relaxed)
    };
    let cmd = if mine {
        own_cmd.to_string()
    } else {
        match h.last_cmd.load(Ordering::Relaxed) {
            0 => "NULL".to_string(),
            i => ctx
                .shared
                .commands
                .rows
                .get(i - 1)
                .map_or("NULL", |r| r.full_name.as_str())
                .to_string(),
        }
    };
    let idle = if mine {
        0
    } else {
        now.saturating_sub(h.last_active_ms.load(Ordering::Relaxed)) / 1000
    };
    // `b`: waiting in a blocking command; `N`: no flag.
    let flags = if ctx.blocked.is_blocked(h.id) {
        "b"
    } else {
        "N"
    };
    format!(
        "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub=0 psub=0 ssub=0 multi=-1 \
         qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r \
         cmd={} user=default redir=-1 resp={}",
        h.id,
        h.addr,
        h.laddr,
        h.fd,
        String::from_utf8_lossy(&name),
        h.created.elapsed().as_secs(),
        idle,
        flags,
        db,
        cmd,
        resp
    )
}

fn is_valid_type(t: &[u8]) -> bool {
    [&b"normal"[..], b"master", b"replica", b"slave", b"pubsub"]
        .iter()
        .any(|x| t.eq_ignore_ascii_case(x))
}

fn unknown_type(ctx: &mut Ctx<'_>, t: &[u8]) {
    let mut msg = b"ERR Unknown client type '".to_vec();
    msg.extend_from_slice(c_str(t, 128));
    msg.push(b'\'');
    error_bytes(ctx.out, &msg);
}

fn client_list(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    // Every client is of type normal here (no replication, no pub/sub yet).
    let mut only_normal = true;
    let mut ids: Option<Vec<u64>> = None;
    if args.len() == 4 && args[2].eq_ignore_ascii_case(b"type") {
        if !is_valid_type(&args[3]) {
            unknown_type(ctx, &args[3]);
            return;
        }
        only_normal = args[3].eq_ignore_ascii_case(b"normal");
    } else if args.len() >= 4 && args[2].eq_ignore_ascii_case(b"id") {
        let mut v = Vec::new();
        for a in &args[3..] {
            match crate::resp::parse::parse_i64_strict(a) {
                Some(n) if n > 0 => v.push(n as u64),
                _ => {
                    ctx.out.error("ERR Invalid client ID");
                    return;
                }
            }
        }
        ids = Some(v);
    } else if args.len() != 2 {
        ctx.out.error(super::errors::SYNTAX);
        return;
    }
    let handles: Vec<Arc<ClientHandle>> = ctx.shared.clients().values().cloned().collect();
    let mut text = String::new();
    if only_normal {
        for h in &handles {
            if ids.as_ref().is_some_and(|ids| !ids.contains(&h.id)) {
                continue;
            }
            text.push_str(&describe(ctx, h, "client|list"));
            text.push('\n');
        }
    }
    ctx.out.verbatim("txt", text.as_bytes());
}

fn client_kill(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let handles: Vec<Arc<ClientHandle>> = ctx.shared.clients().values().cloned().collect();
    let my_id = ctx.client.id;
    // Old form: CLIENT KILL ip:port, replies OK or an error.
    if args.len() == 3 {
        let addr = String::from_utf8_lossy(&args[2]);
        match handles.iter().find(|h| h.addr.to_string() == addr) {
            Some(h) => {
                kill(ctx, h, my_id);
                ctx.out.ok();
            }
            None => ctx.out.error("ERR No such client"),
        }
        return;
    }
    if !args.len().is_multiple_of(2) {
        ctx.out.error(super::errors::SYNTAX);
        return;
    }
    let (mut id, mut addr, mut laddr, mut user, mut ctype) = (None, None, None, None, None);
    let mut skipme = true;
    for pair in args[2..].chunks(2) {
        let (opt, val) = (&pair[0], &pair[1]);
        let o = opt.to_ascii_lowercase();
        match o.as_slice() {
            b"id" => match crate::resp::parse::parse_i64_strict(val) {
                Some(n) if n > 0 => id = Some(n as u64),
                _ => {
                    ctx.out.error("ERR client-id should be greater than 0");
                    return;
                }
            },
            b"addr" => addr = Some(String::from_utf8_lossy(val).into_owned()),
            b"laddr" => laddr = Some(String::from_utf8_lossy(val).into_owned()),
            b"user" => user = Some(val.clone()),
            b"type" => {
                if !is_valid_type(val) {
                    unknown_type(ctx, val);
                    return;
                }
                ctype = Some(val.to_ascii_lowercase());
            }
            b"skipme" => {
                if val.eq_ignore_ascii_case(b"yes") {
                    skipme = true;
                } else if val.eq_ignore_ascii_case(b"no") {
                    skipme = false;
                } else {
                    ctx.out.error(super::errors::SYNTAX);
                    return;
                }
            }
            _ => {
                ctx.out.error(super::errors::SYNTAX);
                return;
            }
        }
    }
    let mut killed = 0;
    for h in &handles {
        if id.is_some_and(|i| i != h.id)
            || addr.as_ref().is_some_and(|a| *a != h.addr.to_string())
            || laddr.as_ref().is_some_and(|a| *a != h.laddr.to_string())
            || user.as_ref().is_some_and(|u| u.as_slice() != b"default")
            || ctype.as_ref().is_some_and(|t| t.as_slice() != b"normal")
            || (skipme && h.id == my_id)
        {
            continue;
        }
        kill(ctx, h, my_id);
        killed += 1;
    }
    ctx.out.integer(killed);
}

/// Kills a client; killing oneself means closing after this reply.
fn kill(ctx: &mut Ctx<'_>, h: &Arc<ClientHandle>, my_id: u64) {
    if h.id == my_id {
        ctx.client.close_after_reply = true;
    } else {
        h.kill();
    }
}
