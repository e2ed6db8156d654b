//! The permission check of one request, as Redis 7.0's `ACLCheckAllUserCommandPerm`.
//!
//! A selector allows a request when it allows the command (its bit, or for a
//! command without subcommands a `+cmd|arg` rule naming the first argument;
//! commands that need no authentication, AUTH and HELLO, are always allowed),
//! then every key the request names (found through the command table's key
//! specifications, each needing read and/or write access as its flags say:
//! `access` needs read, `insert`/`delete`/`update` need write), then every
//! channel PUBLISH/SPUBLISH publishes to or (P|S)SUBSCRIBE subscribes to (a
//! PSUBSCRIBE pattern must equal an allowed pattern; a channel is matched
//! against them). The request is allowed when one selector allows it; when
//! none does, the refusal reported is the most specific one (channel over key
//! over command) at the latest argument, as Redis picks it.
use super::user::{Selector, READ, WRITE};
use super::User;
use crate::cmd::{flags, Ctx};
use crate::store::glob::glob_match;

/// Why a request was refused, with the argument position of the key or channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    Command,
    Key(usize),
    Channel(usize),
}

impl Denied {
    fn rank(self) -> (u8, usize) {
        match self {
            Denied::Command => (1, 0),
            Denied::Key(p) => (2, p),
            Denied::Channel(p) => (4, p),
        }
    }

    /// The ACL LOG `reason`.
    pub fn reason(self) -> &'static str {
        match self {
            Denied::Command => "command",
            Denied::Key(_) => "key",
            Denied::Channel(_) => "channel",
        }
    }

    /// The top-level `NOPERM` error.
    pub fn error(self, full_name: &str) -> String {
        match self {
            Denied::Command => {
                format!("NOPERM this user has no permissions to run the '{full_name}' command")
            }
            Denied::Key(_) => {
                "NOPERM this user has no permissions to access one of the keys used as arguments"
                    .to_string()
            }
            Denied::Channel(_) => {
                "NOPERM this user has no permissions to access one of the channels used as arguments"
                    .to_string()
            }
        }
    }

    /// What a script is told (after "The user executing the script ").
    pub fn script_text(self) -> &'static str {
        match self {
            Denied::Command => "can't run this command or subcommand",
            Denied::Key(_) => {
                "can't access at least one of the keys mentioned in the command arguments"
            }
            Denied::Channel(_) => "can't publish to the channel mentioned in the command",
        }
    }

    /// EXEC's reason when the rules changed after the command was queued.
    pub fn exec_text(self) -> &'static str {
        match self {
            Denied::Command => "no permission to execute the command or subcommand",
            Denied::Key(_) => "no permission to touch the specified keys",
            Denied::Channel(_) => "no permission to access one of the channels used as arguments",
        }
    }
}

/// The channel arguments of a command, from the first argument on: (only the
/// first one, they are patterns), as 7.0's table of commands with channels.
fn channel_args(name: &str) -> Option<(bool, bool)> {
    match name {
        "publish" | "spublish" => Some((true, false)),
        "subscribe" | "ssubscribe" => Some((false, false)),
        "psubscribe" => Some((false, true)),
        _ => None,
    }
}

/// Checks `args` (a request for row `row`) against `user`'s selectors.
pub fn check(ctx: &Ctx<'_>, user: &User, row: usize, args: &[Vec<u8>]) -> Result<(), Denied> {
    let state = user.state();
    let mut keys = None;
    let mut worst: Option<Denied> = None;
    for s in &state.selectors {
        match check_selector(ctx, s, row, args, &mut keys) {
            Ok(()) => return Ok(()),
            Err(d) => {
                if worst.is_none_or(|w| d.rank() > w.rank()) {
                    worst = Some(d);
                }
            }
        }
    }
    Err(worst.unwrap_or(Denied::Command))
}

/// Whether the client may run row `row` with `args` through a selector that
/// also reads every key (`allkeys`, or a `*` pattern with read access): what
/// SORT's BY and GET patterns need, since they reach keys the request does
/// not name (7.0's `ACLUserCheckCmdWithUnrestrictedKeyAccess`).
pub fn full_key_read(ctx: &Ctx<'_>, row: usize, args: &[Vec<u8>]) -> bool {
    let Some(user) = ctx.client.user.clone() else {
        return true;
    };
    if user.unrestricted() {
        return true;
    }
    let state = user.state();
    let mut keys = None;
    state.selectors.iter().any(|s| {
        let reads_all = s.all_keys
            || s.keys
                .iter()
                .any(|k| k.pattern == b"*" && k.perm & READ == READ);
        reads_all && check_selector(ctx, s, row, args, &mut keys).is_ok()
    })
}

type KeyList = Vec<crate::cmd::docs::KeyRef>;

fn check_selector(
    ctx: &Ctx<'_>,
    s: &Selector,
    row: usize,
    args: &[Vec<u8>],
    keys: &mut Option<KeyList>,
) -> Result<(), Denied> {
    let shared = ctx.shared;
    let r = &shared.commands.rows[row];
    if !s.all_commands && r.spec.flags & flags::NO_AUTH == 0 && !s.bit(row) {
        let at = if r.parent.is_some() { 2 } else { 1 };
        let first = args.get(at);
        if !first.is_some_and(|f| {
            s.firstargs_of(row)
                .iter()
                .any(|a| a.eq_ignore_ascii_case(f))
        }) {
            return Err(Denied::Command);
        }
    }
    if !s.all_keys {
        let keys = keys.get_or_insert_with(|| crate::cmd::command::request_keys(ctx, row, args));
        for &(pos, kflags) in keys.iter() {
            // A shard channel (SPUBLISH, SSUBSCRIBE) is checked as a channel.
            if kflags.contains(&"not_key") {
                continue;
            }
            let mut need = 0;
            for f in kflags {
                match *f {
                    "access" => need |= READ,
                    "insert" | "delete" | "update" => need |= WRITE,
                    _ => {}
                }
            }
            let key = args.get(pos).map_or(&[][..], |k| k.as_slice());
            let ok = s
                .keys
                .iter()
                .any(|p| p.perm & need == need && glob_match(&p.pattern, key, false));
            if !ok {
                return Err(Denied::Key(pos));
            }
        }
    }
    if !s.all_channels {
        let name = r.full_name.as_str();
        if let Some((single, pattern)) = channel_args(name) {
            let end = if single {
                2.min(args.len())
            } else {
                args.len()
            };
            for (pos, ch) in args.iter().enumerate().take(end).skip(1) {
                let ok = s.channels.iter().any(|p| {
                    if pattern {
                        p == ch
                    } else {
                        glob_match(p, ch, false)
                    }
                });
                if !ok {
                    return Err(Denied::Channel(pos));
                }
            }
        }
    }
    Ok(())
}

/// Whether one of `user`'s selectors allows `channel` (a PSUBSCRIBE pattern
/// when `pattern`): used to find subscribers whose channels were taken away.
pub fn channel_allowed(user: &User, channel: &[u8], pattern: bool) -> bool {
    let state = user.state();
    state.selectors.iter().any(|s| {
        s.all_channels
            || s.channels.iter().any(|p| {
                if pattern {
                    p == channel
                } else {
                    glob_match(p, channel, false)
                }
            })
    })
}
