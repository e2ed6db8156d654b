//! The CONFIG command: GET, SET, RESETSTAT, REWRITE, HELP, as in redis-server 7.0.
//!
//! CONFIG SET takes name/value pairs and is all or nothing: every name is looked
//! up first (unknown, immutable, protected and duplicate names fail before any
//! value is read), then the values are set on a copy of the configuration, then
//! the changed parameters' apply steps run (once each), and only then is the copy
//! committed. CONFIG GET takes names and glob patterns (case-insensitive; hidden
//! parameters only by exact name) and answers a map of each parameter once.
use super::super::command::help_lines;
use super::super::{c_str, error_bytes, flags::*, CommandSpec, Ctx};
use super::{find, pflags, visible_names, Apply, Config};
use crate::resp::Reply;
use crate::store::glob::glob_match;

pub static COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "config",
    arity: -2,
    subcommands: SUBCOMMANDS,
    ..CommandSpec::DEFAULT
}];

const ADMIN_FLAGS: u32 = ADMIN | NOSCRIPT | LOADING | STALE;

static SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "get",
        arity: -3,
        flags: ADMIN_FLAGS,
        handler: config_get,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "set",
        arity: -4,
        flags: ADMIN_FLAGS,
        handler: config_set,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "resetstat",
        arity: 2,
        flags: ADMIN_FLAGS,
        handler: config_resetstat,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "rewrite",
        arity: 2,
        flags: ADMIN_FLAGS,
        handler: config_rewrite,
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

/// CONFIG GET parameter [parameter ...]
fn config_get(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let c = ctx.shared.config();
    // (name as answered, value), each parameter name at most once.
    let mut found: Vec<(String, String)> = Vec::new();
    for pat in &args[2..] {
        let text = String::from_utf8_lossy(pat);
        if !pat.iter().any(|b| matches!(b, b'*' | b'?' | b'[')) {
            if found.iter().any(|(n, _)| *n == text) {
                continue;
            }
            if let Some((p, _)) = find(&text) {
                found.push((text.into_owned(), (p.get)(&c)));
            }
            continue;
        }
        for (name, p) in visible_names() {
            if !found.iter().any(|(n, _)| n == name) && glob_match(pat, name.as_bytes(), true) {
                found.push((name.to_string(), (p.get)(&c)));
            }
        }
    }
    drop(c);
    ctx.out.map(found.len());
    for (n, v) in found {
        ctx.out.bulk(n.as_bytes());
        ctx.out.bulk(v.as_bytes());
    }
}

/// Whether this client may change protected parameters (`enable-protected-configs`
/// is `yes`, or `local` and the client is on a loopback address).
pub fn protected_allowed(ctx: &Ctx<'_>, setting: &str) -> bool {
    match setting {
        "yes" => true,
        "local" => ctx.client.handle.as_ref().is_none_or(|h| h.addr.is_local()),
        _ => false,
    }
}

/// CONFIG SET name value [name value ...]
fn config_set(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if !args.len().is_multiple_of(2) {
        return ctx.out.error(super::super::errors::SYNTAX);
    }
    let fail = |out: &mut Reply, name: &[u8], why: &str| {
        let mut msg = b"ERR CONFIG SET failed (possibly related to argument '".to_vec();
        msg.extend_from_slice(c_str(name, 128));
        msg.extend_from_slice(b"')");
        if !why.is_empty() {
            msg.extend_from_slice(b" - ");
            msg.extend_from_slice(why.as_bytes());
        }
        error_bytes(out, &msg);
    };
    let protected_ok = {
        let c = ctx.shared.config();
        protected_allowed(ctx, &c.enable_protected_configs)
    };
    // Look every name up before reading any value.
    let mut chosen = Vec::new();
    let mut sensitive = Vec::new();
    let mut problem: Option<(usize, &str)> = None;
    for (i, pair) in args[2..].chunks(2).enumerate() {
        let name = String::from_utf8_lossy(&pair[0]);
        let Some((p, matched)) = find(&name) else {
            if problem.is_none() {
                let mut msg =
                    b"ERR Unknown option or number of arguments for CONFIG SET - '".to_vec();
                msg.extend_from_slice(c_str(&pair[0], 128));
                msg.push(b'\'');
                error_bytes(ctx.out, &msg);
                problem = Some((i, ""));
            }
            continue;
        };
        if p.has(pflags::SENSITIVE) {
            sensitive.push(2 + 2 * i + 1);
        }
        if problem.is_some() {
            continue;
        }
        let why = if p.has(pflags::IMMUTABLE) {
            Some("can't set immutable config")
        } else if p.has(pflags::PROTECTED) && !protected_ok {
            Some("can't set protected config")
        } else if chosen
            .iter()
            .any(|(q, _, _): &(&super::Param, _, _)| std::ptr::eq(*q, p))
        {
            Some("duplicate parameter")
        } else {
            None
        };
        if let Some(why) = why {
            fail(ctx.out, &pair[0], why);
            problem = Some((i, why));
            continue;
        }
        chosen.push((p, matched, String::from_utf8_lossy(&pair[1]).into_owned()));
    }
    ctx.client.redact_args(&sensitive);
    if problem.is_some() {
        return;
    }
    // Set every value on a copy; apply what changed; commit.
    let mut next = ctx.shared.config().clone();
    let mut applies: Vec<(Apply, &str)> = Vec::new();
    for (p, matched, value) in &chosen {
        let before = (p.get)(&next);
        if let Err(why) = (p.set)(&mut next, value) {
            return fail(ctx.out, matched.as_bytes(), &why);
        }
        if let Some(apply) = p.apply {
            if (p.get)(&next) != before
                && !applies.iter().any(|(a, _)| *a as usize == apply as usize)
            {
                applies.push((apply, matched));
            }
        }
    }
    for (apply, matched) in &applies {
        if let Err(why) = apply(&mut next, ctx.shared) {
            ctx.shared.logger.warning(&format!(
                "Failed applying new configuration. Possibly related to new {matched} setting. Restoring previous settings."
            ));
            // Undo what the earlier applies did to the running server.
            let mut old = ctx.shared.config().clone();
            for (undo, _) in &applies {
                if *undo as usize == *apply as usize {
                    break;
                }
                let _ = undo(&mut old, ctx.shared);
            }
            return fail(ctx.out, matched.as_bytes(), &why);
        }
    }
    let aof_was = ctx.shared.config().appendonly;
    let aof_now = next.appendonly;
    *ctx.shared.config.write().unwrap_or_else(|e| e.into_inner()) = next;
    ctx.shared.config_changed();
    // `appendonly` starts or stops the append-only file (a rewrite first).
    if aof_was != aof_now {
        if let Some(switch) = ctx.shared.persistence.hooks.aof_switch.get() {
            if let Err(why) = switch(ctx, aof_now) {
                ctx.shared
                    .config
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .appendonly = aof_was;
                return fail(ctx.out, b"appendonly", &why);
            }
        }
    }
    ctx.out.ok();
}

/// CONFIG RESETSTAT: the counters INFO stats reports, the per-command statistics
/// and the error counts start again from zero.
fn config_resetstat(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    ctx.shared.reset_stats();
    ctx.out.ok();
}

/// CONFIG REWRITE
fn config_rewrite(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    match rewrite(ctx, false) {
        Ok(()) => {
            ctx.shared
                .logger
                .warning("CONFIG REWRITE executed with success.");
            ctx.out.ok();
        }
        Err(e) => ctx.out.error(&e),
    }
}

/// Rewrites the config file (DEBUG CONFIG-REWRITE-FORCE-ALL passes `force_all`).
pub fn rewrite(ctx: &mut Ctx<'_>, force_all: bool) -> Result<(), String> {
    let c: Config = ctx.shared.config().clone();
    if c.config_file.is_empty() {
        return Err("ERR The server is running without a config file".into());
    }
    let users = ctx.shared.acl_user_lines();
    super::rewrite::rewrite_file(&c, &users, force_all).map_err(|e| {
        ctx.shared
            .logger
            .warning(&format!("CONFIG REWRITE failed: {e}"));
        format!("ERR Rewriting config file: {e}")
    })
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
            "REWRITE",
            "    Rewrite the configuration file.",
            "HELP",
            "    Prints this help.",
        ],
    );
}
