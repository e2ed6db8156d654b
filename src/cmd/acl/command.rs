//! The ACL command (SETUSER, GETUSER, DELUSER, LIST, USERS, WHOAMI, CAT,
//! GENPASS, LOG, DRYRUN, SAVE, LOAD, HELP), and what AUTH, HELLO, the
//! dispatcher and scripts share: authenticating a client as a user, and
//! recording a refusal in the ACL LOG.
//!
//! Invariants: a client's user is set in its state and mirrored in its
//! registry entry (CLIENT LIST `user=`, CLIENT KILL USER, DELUSER); a deleted
//! user's clients are disconnected (the caller after its reply).
use super::check::Denied;
use super::log::{now_ms, Entry};
use super::user::has_spaces;
use super::User;
use crate::cmd::command::help_lines;
use crate::cmd::flags::*;
use crate::cmd::{c_str, error_bytes, CommandSpec, Ctx};
use std::sync::Arc;

pub static COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "acl",
    arity: -2,
    subcommands: SUBCOMMANDS,
    ..CommandSpec::DEFAULT
}];

const ADMIN_FLAGS: u32 = ADMIN | NOSCRIPT | LOADING | STALE;

static SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "cat",
        arity: -2,
        flags: NOSCRIPT | LOADING | STALE,
        handler: cat,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "deluser",
        arity: -3,
        flags: ADMIN_FLAGS,
        handler: deluser,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "dryrun",
        arity: -4,
        flags: ADMIN_FLAGS,
        handler: dryrun,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "genpass",
        arity: -2,
        flags: NOSCRIPT | LOADING | STALE,
        handler: genpass,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "getuser",
        arity: 3,
        flags: ADMIN_FLAGS,
        handler: getuser,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: LOADING | STALE,
        handler: help,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "list",
        arity: 2,
        flags: ADMIN_FLAGS,
        handler: list,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "load",
        arity: 2,
        flags: ADMIN_FLAGS,
        handler: load,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "log",
        arity: -2,
        flags: ADMIN_FLAGS,
        handler: log,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "save",
        arity: 2,
        flags: ADMIN_FLAGS,
        handler: save,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "setuser",
        arity: -3,
        flags: ADMIN_FLAGS,
        handler: setuser,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "users",
        arity: 2,
        flags: ADMIN_FLAGS,
        handler: users,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "whoami",
        arity: 2,
        flags: NOSCRIPT | LOADING | STALE,
        handler: whoami,
        ..CommandSpec::DEFAULT
    },
];

/// The user a client is authenticated as (`default` for a client built
/// outside a server).
pub fn user_of(ctx: &Ctx<'_>) -> Arc<User> {
    ctx.client
        .user
        .clone()
        .unwrap_or_else(|| ctx.shared.acl.default_user())
}

/// Makes the client authenticated as `user`.
pub fn set_user(ctx: &mut Ctx<'_>, user: Arc<User>) {
    if let Some(h) = &ctx.client.handle {
        *h.user.lock().unwrap_or_else(|e| e.into_inner()) = Some(user.clone());
    }
    ctx.client.user = Some(user);
    ctx.client.authenticated = true;
}

/// AUTH and HELLO AUTH: checks the pair, authenticates the client, or logs
/// the failure (reason `auth`, object the command's name as sent).
pub fn authenticate(ctx: &mut Ctx<'_>, name: &[u8], password: &[u8], args: &[Vec<u8>]) -> bool {
    match ctx.shared.acl.authenticate(name, password) {
        Some(u) => {
            set_user(ctx, u);
            true
        }
        None => {
            let context = if ctx.client.tx.in_multi() {
                "multi"
            } else {
                "toplevel"
            };
            let own = if args[0].eq_ignore_ascii_case(b"hello") {
                "hello"
            } else {
                "auth"
            };
            add_log(
                ctx,
                "auth",
                context,
                args[0].clone(),
                Some(name),
                (own, args),
            );
            false
        }
    }
}

/// Records a refusal of `args` (row `row`) in the ACL LOG.
pub fn log_denial(ctx: &Ctx<'_>, d: Denied, context: &'static str, row: usize, args: &[Vec<u8>]) {
    let full = ctx.shared.commands.rows[row].full_name.as_str();
    let object = match d {
        Denied::Command => full.as_bytes().to_vec(),
        Denied::Key(p) | Denied::Channel(p) => args.get(p).cloned().unwrap_or_default(),
    };
    add_log(ctx, d.reason(), context, object, None, (full, args));
}

fn add_log(
    ctx: &Ctx<'_>,
    reason: &'static str,
    context: &'static str,
    object: Vec<u8>,
    username: Option<&[u8]>,
    own: (&str, &[Vec<u8>]),
) {
    let username = match username {
        Some(n) => n.to_vec(),
        None => user_of(ctx).name.clone(),
    };
    // A script's refusal shows its caller.
    let handle = ctx.client.caller.as_ref().or(ctx.client.handle.as_ref());
    let client_info =
        handle.map_or_else(String::new, |h| crate::cmd::clients::describe(ctx, h, own));
    let max = ctx.shared.config().acllog_max_len as usize;
    let entry = Entry {
        count: 1,
        reason,
        context,
        object,
        username,
        ctime: now_ms(),
        client_info,
    };
    ctx.shared
        .acl
        .log
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .add(entry, max);
}

/// Closes every client authenticated as `user` (the caller after its reply).
pub fn kill_clients_of(ctx: &mut Ctx<'_>, user: &Arc<User>) {
    let handles: Vec<_> = ctx.shared.clients().values().cloned().collect();
    for h in handles {
        let theirs = h
            .user
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .is_some_and(|u| Arc::ptr_eq(u, user));
        if !theirs {
            continue;
        }
        if h.id == ctx.client.id {
            ctx.client.close_after_reply = true;
        } else {
            h.kill();
        }
    }
}

/// Closes subscribers of `user` whose channels or patterns the user's new
/// rules no longer allow (as 7.0 does after ACL SETUSER).
fn kill_denied_subscribers(ctx: &mut Ctx<'_>, user: &Arc<User>) {
    if user.state().selectors.iter().any(|s| s.all_channels) {
        return;
    }
    let subs = ctx
        .shared
        .pubsub
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .subscriptions();
    let mut doomed: Vec<Arc<crate::cmd::ClientHandle>> = Vec::new();
    for (channel, pattern, h) in subs {
        let theirs = h
            .user
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .is_some_and(|u| Arc::ptr_eq(u, user));
        if theirs
            && !super::check::channel_allowed(user, &channel, pattern)
            && !doomed.iter().any(|d| d.id == h.id)
        {
            doomed.push(h);
        }
    }
    for h in doomed {
        if h.id == ctx.client.id {
            ctx.client.close_after_reply = true;
        } else {
            h.kill();
        }
    }
}

fn all_channels_default(ctx: &Ctx<'_>) -> bool {
    ctx.shared.config().acl_pubsub_default == "allchannels"
}

/// ACL SETUSER username [rule ...]
fn setuser(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let positions: Vec<usize> = (2..args.len()).collect();
    ctx.client.redact_args(&positions);
    let name = &args[2];
    if has_spaces(name) {
        return ctx
            .out
            .error("ERR Usernames can't contain spaces or null characters");
    }
    let all = all_channels_default(ctx);
    match ctx.shared.acl.set_user(name, &args[3..], all) {
        Ok((u, before)) => {
            if before.is_some() {
                kill_denied_subscribers(ctx, &u);
            }
            ctx.out.ok();
        }
        Err(e) => {
            let mut msg = b"ERR ".to_vec();
            msg.extend_from_slice(e.as_bytes());
            error_bytes(ctx.out, &msg);
        }
    }
}

/// ACL DELUSER username [username ...]
fn deluser(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if args[2..].iter().any(|n| n == b"default") {
        return ctx.out.error("ERR The 'default' user cannot be removed");
    }
    let mut deleted = 0;
    for name in &args[2..] {
        if let Some(u) = ctx.shared.acl.remove(name) {
            kill_clients_of(ctx, &u);
            deleted += 1;
        }
    }
    ctx.out.integer(deleted);
}

/// ACL GETUSER username
fn getuser(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let Some(u) = ctx.shared.acl.get(&args[2]) else {
        return ctx.out.null();
    };
    let t = &ctx.shared.acl.tables;
    let s = u.state();
    let out = &mut *ctx.out;
    out.map(6);
    out.bulk(b"flags");
    let flags = s.flag_names();
    out.set(flags.len());
    for f in flags {
        out.bulk(f.as_bytes());
    }
    out.bulk(b"passwords");
    out.array(s.passwords.len());
    for p in &s.passwords {
        out.bulk(p.as_bytes());
    }
    selector_fields(out, &s.selectors[0], t);
    out.bulk(b"selectors");
    out.array(s.selectors.len() - 1);
    for sel in &s.selectors[1..] {
        out.map(3);
        selector_fields(out, sel, t);
    }
}

fn selector_fields(out: &mut crate::resp::Reply, s: &super::user::Selector, t: &super::Tables) {
    out.bulk(b"commands");
    out.bulk(super::describe::command_rules(s, t).as_bytes());
    out.bulk(b"keys");
    out.bulk(&s.describe_keys());
    out.bulk(b"channels");
    out.bulk(&s.describe_channels());
}

/// `user <name> <rules>` lines, by name (ACL LIST, ACL SAVE, CONFIG REWRITE).
pub fn user_lines(acl: &super::Acl) -> Vec<Vec<u8>> {
    acl.users()
        .iter()
        .map(|u| {
            let mut line = b"user ".to_vec();
            line.extend_from_slice(&u.name);
            line.push(b' ');
            line.extend_from_slice(&u.state().describe(&acl.tables));
            line
        })
        .collect()
}

/// ACL LIST
fn list(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    let lines = user_lines(&ctx.shared.acl);
    ctx.out.array(lines.len());
    for l in lines {
        ctx.out.bulk(&l);
    }
}

/// ACL USERS
fn users(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    let users = ctx.shared.acl.users();
    ctx.out.array(users.len());
    for u in users {
        ctx.out.bulk(&u.name);
    }
}

/// ACL WHOAMI
fn whoami(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    let u = user_of(ctx);
    ctx.out.bulk(&u.name);
}

/// ACL CAT [category]
fn cat(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    match args.get(2) {
        None => {
            ctx.out.array(super::CATEGORIES.len());
            for c in super::CATEGORIES {
                ctx.out.bulk(c.as_bytes());
            }
        }
        Some(name) if args.len() == 3 => {
            let Some(bit) = super::category_bit(name) else {
                let mut msg = b"ERR Unknown category '".to_vec();
                msg.extend_from_slice(c_str(name, 128));
                msg.push(b'\'');
                return error_bytes(ctx.out, &msg);
            };
            let t = &ctx.shared.acl.tables;
            let names: Vec<&str> = (0..t.cats.len())
                .filter(|&r| t.cats[r] & bit != 0)
                .map(|r| t.name(r))
                .collect();
            ctx.out.array(names.len());
            for n in names {
                ctx.out.bulk(n.as_bytes());
            }
        }
        Some(_) => subcommand_syntax_error(ctx, args),
    }
}

/// `ERR unknown subcommand or wrong number of arguments for 'cat'. Try ACL HELP.`
fn subcommand_syntax_error(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let mut msg = b"ERR unknown subcommand or wrong number of arguments for '".to_vec();
    msg.extend_from_slice(c_str(&args[1], 128));
    msg.extend_from_slice(b"'. Try ACL HELP.");
    error_bytes(ctx.out, &msg);
}

/// ACL GENPASS [bits]: random hex digits, `bits` of them rounded up to 4.
fn genpass(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if args.len() > 3 {
        return subcommand_syntax_error(ctx, args);
    }
    let bits = match args.get(2) {
        None => 256,
        Some(a) => match crate::num::string2ll(a) {
            Some(n) => n,
            None => return ctx.out.error(crate::cmd::errors::NOT_INTEGER),
        },
    };
    if !(1..=4096).contains(&bits) {
        return ctx.out.error(
            "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096",
        );
    }
    let chars = (bits as usize).div_ceil(4);
    let hex = random_hex(chars);
    ctx.out.bulk(hex.as_bytes());
}

/// `n` random hex digits, from the system's random source (or, without one,
/// std's randomly keyed hasher over the clock).
pub fn random_hex(n: usize) -> String {
    use std::io::Read;
    let mut bytes = vec![0u8; n.div_ceil(2)];
    let from_os = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .is_ok();
    if !from_os {
        use std::collections::hash_map::RandomState;
        use std::hash::{BuildHasher, Hasher};
        for (i, chunk) in bytes.chunks_mut(8).enumerate() {
            let mut h = RandomState::new().build_hasher();
            h.write_u128(crate::cmd::shared::unix_micros());
            h.write_usize(i);
            for (d, s) in chunk.iter_mut().zip(h.finish().to_le_bytes()) {
                *d = s;
            }
        }
    }
    let mut s: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    s.truncate(n);
    s
}

/// ACL LOG [count | RESET]
fn log(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if args.len() > 3 {
        return subcommand_syntax_error(ctx, args);
    }
    let mut count = 10i64;
    if let Some(a) = args.get(2) {
        if a.eq_ignore_ascii_case(b"reset") {
            ctx.shared
                .acl
                .log
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entries
                .clear();
            return ctx.out.ok();
        }
        match crate::num::string2ll(a) {
            Some(n) => count = n.max(0),
            None => return ctx.out.error(crate::cmd::errors::NOT_INTEGER),
        }
    }
    let entries: Vec<Entry> = {
        let log = ctx.shared.acl.log.lock().unwrap_or_else(|e| e.into_inner());
        log.entries
            .iter()
            .take(usize::try_from(count).unwrap_or(usize::MAX))
            .cloned()
            .collect()
    };
    let now = now_ms();
    let out = &mut *ctx.out;
    out.array(entries.len());
    for e in entries {
        out.map(7);
        out.bulk(b"count");
        out.integer(e.count as i64);
        out.bulk(b"reason");
        out.bulk(e.reason.as_bytes());
        out.bulk(b"context");
        out.bulk(e.context.as_bytes());
        out.bulk(b"object");
        out.bulk(&e.object);
        out.bulk(b"username");
        out.bulk(&e.username);
        out.bulk(b"age-seconds");
        out.double(now.saturating_sub(e.ctime) as f64 / 1000.0);
        out.bulk(b"client-info");
        out.bulk(e.client_info.as_bytes());
    }
}

/// ACL DRYRUN username command [arg ...]
fn dryrun(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let Some(u) = ctx.shared.acl.get(&args[2]) else {
        let mut msg = b"ERR User '".to_vec();
        msg.extend_from_slice(c_str(&args[2], usize::MAX));
        msg.extend_from_slice(b"' not found");
        return error_bytes(ctx.out, &msg);
    };
    let request = &args[3..];
    let crate::cmd::table::Lookup::Found(row) = ctx.shared.commands.resolve(request) else {
        let mut msg = b"ERR Command '".to_vec();
        msg.extend_from_slice(c_str(&args[3], usize::MAX));
        msg.extend_from_slice(b"' not found");
        return error_bytes(ctx.out, &msg);
    };
    let r = &ctx.shared.commands.rows[row];
    let argc = request.len() as i32;
    if (r.spec.arity > 0 && argc != r.spec.arity) || argc < -r.spec.arity {
        return ctx.out.error(&format!(
            "ERR wrong number of arguments for '{}' command",
            r.full_name
        ));
    }
    match super::check::check(ctx, &u, row, request) {
        Ok(()) => ctx.out.ok(),
        Err(d) => {
            let text = match d {
                Denied::Command => format!(
                    "This user has no permissions to run the '{}' command",
                    r.full_name
                )
                .into_bytes(),
                Denied::Key(p) | Denied::Channel(p) => {
                    let mut t = b"This user has no permissions to access the '".to_vec();
                    t.extend_from_slice(request.get(p).map_or(&[][..], |a| a.as_slice()));
                    t.extend_from_slice(if matches!(d, Denied::Key(_)) {
                        b"' key"
                    } else {
                        b"' channel"
                    });
                    t
                }
            };
            ctx.out.bulk(&text);
        }
    }
}

const NO_ACLFILE: &str = "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.";

/// ACL LOAD: the users of the `aclfile`, all or none.
fn load(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    let (dir, path) = {
        let c = ctx.shared.config();
        (c.dir.clone(), c.aclfile.clone())
    };
    if path.is_empty() {
        return ctx.out.error(NO_ACLFILE);
    }
    let all = all_channels_default(ctx);
    let file = super::file::path_of(&dir, &path);
    match super::file::load_file(&ctx.shared.acl, (&file, &path), all) {
        Ok(old) => {
            for u in old {
                kill_clients_of(ctx, &u);
            }
            ctx.out.ok();
        }
        Err(e) => {
            let mut msg = b"ERR ".to_vec();
            msg.extend_from_slice(e.as_bytes());
            error_bytes(ctx.out, &msg);
        }
    }
}

/// ACL SAVE: the users to the `aclfile`.
fn save(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    let (dir, path) = {
        let c = ctx.shared.config();
        (c.dir.clone(), c.aclfile.clone())
    };
    if path.is_empty() {
        return ctx.out.error(NO_ACLFILE);
    }
    match super::file::save_file(&ctx.shared.acl, &super::file::path_of(&dir, &path)) {
        Ok(()) => ctx.out.ok(),
        Err(e) => {
            ctx.shared.logger.log(
                crate::cmd::config::LogLevel::Warning,
                '#',
                &format!(
                    "Writing ACL file for ACL SAVE: {}",
                    crate::cmd::io_error_text(&e)
                ),
            );
            ctx.out.error(
                "ERR There was an error trying to save the ACLs. Please check the server logs for more information",
            )
        }
    }
}

/// ACL HELP
fn help(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    help_lines(
        ctx.out,
        &[
            "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "CAT [<category>]",
            "    List all commands that belong to <category>, or all command categories",
            "    when no category is specified.",
            "DELUSER <username> [<username> ...]",
            "    Delete a list of users.",
            "DRYRUN <username> <command> [<arg> ...]",
            "    Returns whether the user can execute the given command without executing the command.",
            "GETUSER <username>",
            "    Get the user's details.",
            "GENPASS [<bits>]",
            "    Generate a secure 256-bit user password. The optional `bits` argument can",
            "    be used to specify a different size.",
            "LIST",
            "    Show users details in config file format.",
            "LOAD",
            "    Reload users from the ACL file.",
            "LOG [<count> | RESET]",
            "    Show the ACL log entries.",
            "SAVE",
            "    Save the current config to the ACL file.",
            "SETUSER <username> <attribute> [<attribute> ...]",
            "    Create or modify a user with the specified attributes.",
            "USERS",
            "    List all the registered usernames.",
            "WHOAMI",
            "    Return the current connection username.",
            "HELP",
            "    Prints this help.",
        ],
    );
}
