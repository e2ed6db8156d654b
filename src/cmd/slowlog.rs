//! The slow log: SLOWLOG GET/LEN/RESET/HELP, as in redis-server 7.0.
//!
//! Every command whose handler ran for at least `slowlog-log-slower-than`
//! microseconds (0: every command; negative: none) is remembered as an entry:
//! a growing id, the Unix time it ran, its duration, its arguments, the client's
//! `ip:port` and name. The newest entry comes first; at most `slowlog-max-len`
//! entries are kept (the oldest go when a new one arrives).
//!
//! Invariants, as Redis keeps them:
//! - an entry holds at most 32 arguments: with more, the 32nd says how many were
//!   left out (`... (2 more arguments)`); an argument longer than 128 bytes keeps
//!   its first 128 and says how many bytes were cut (`... (1 more bytes)`);
//! - arguments the command marked secret (passwords, see
//!   `ClientState::redacted`) are logged as `(redacted)`;
//! - commands flagged `SKIP_SLOWLOG` (EXEC) are not logged, the commands they
//!   run are; a blocking command is logged when it is served, not when it
//!   starts to wait; a script's own calls are logged as from `?:0`.
//!
//! The two parameters have lock-free mirrors here, read after every command.
use super::command::help_lines;
use super::{flags::*, CommandSpec, Ctx};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;

pub static COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "slowlog",
    arity: -2,
    subcommands: SUBCOMMANDS,
    ..CommandSpec::DEFAULT
}];

static SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "get",
        arity: -2,
        flags: ADMIN | LOADING | STALE,
        handler: slowlog_get,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "len",
        arity: 2,
        flags: ADMIN | LOADING | STALE,
        handler: slowlog_len,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "reset",
        arity: 2,
        flags: ADMIN | LOADING | STALE,
        handler: slowlog_reset,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: LOADING | STALE,
        handler: slowlog_help,
        ..CommandSpec::DEFAULT
    },
];

/// At most this many arguments are kept per entry (the last one says how many
/// more there were).
const MAX_ARGC: usize = 32;
/// Arguments are cut to this many bytes.
const MAX_STRING: usize = 128;

/// One logged command.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: u64,
    /// Unix time, in seconds, when the command ran.
    pub time: i64,
    pub usec: u64,
    pub args: Vec<Vec<u8>>,
    /// `ip:port` of the client (`?:0` for a script's calls).
    pub addr: String,
    pub name: Vec<u8>,
}

/// The log and its two parameters' mirrors.
#[derive(Debug)]
pub struct SlowLog {
    entries: Mutex<VecDeque<Entry>>,
    next_id: AtomicU64,
    /// Mirror of `slowlog-log-slower-than` (microseconds; negative: off).
    pub slower_than: AtomicI64,
    /// Mirror of `slowlog-max-len`.
    pub max_len: AtomicU64,
}

impl SlowLog {
    pub fn new(slower_than: i64, max_len: u64) -> SlowLog {
        SlowLog {
            entries: Mutex::new(VecDeque::new()),
            next_id: AtomicU64::new(0),
            slower_than: AtomicI64::new(slower_than),
            max_len: AtomicU64::new(max_len),
        }
    }

    /// Whether a command that ran `usec` microseconds is to be logged.
    pub fn wants(&self, usec: u64) -> bool {
        let t = self.slower_than.load(Ordering::Relaxed);
        t >= 0 && usec >= t as u64
    }

    /// Logs a command (already judged slow by [`SlowLog::wants`]); `redacted`
    /// lists the positions of secret arguments.
    pub fn push(
        &self,
        args: &[Vec<u8>],
        redacted: &[usize],
        usec: u64,
        addr: String,
        name: Vec<u8>,
    ) {
        let entry = Entry {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            time: (super::shared::unix_micros() / 1_000_000) as i64,
            usec,
            args: entry_args(args, redacted),
            addr,
            name,
        };
        let max = self.max_len.load(Ordering::Relaxed);
        let mut e = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        e.push_front(entry);
        while e.len() as u64 > max {
            e.pop_back();
        }
    }

    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every entry (ids go on growing).
    pub fn reset(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// The newest `count` entries (all with `None`).
    pub fn newest(&self, count: Option<usize>) -> Vec<Entry> {
        let e = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        e.iter()
            .take(count.unwrap_or(usize::MAX))
            .cloned()
            .collect()
    }
}

/// The arguments as an entry keeps them: secret ones replaced, at most
/// [`MAX_ARGC`], each at most [`MAX_STRING`] bytes plus a note of what was cut.
pub fn entry_args(args: &[Vec<u8>], redacted: &[usize]) -> Vec<Vec<u8>> {
    let keep = if args.len() > MAX_ARGC {
        MAX_ARGC - 1
    } else {
        args.len()
    };
    let mut out: Vec<Vec<u8>> = Vec::with_capacity(keep + 1);
    for (i, a) in args.iter().take(keep).enumerate() {
        if redacted.contains(&i) {
            out.push(b"(redacted)".to_vec());
        } else if a.len() > MAX_STRING {
            let mut v = a[..MAX_STRING].to_vec();
            v.extend_from_slice(format!("... ({} more bytes)", a.len() - MAX_STRING).as_bytes());
            out.push(v);
        } else {
            out.push(a.clone());
        }
    }
    if keep < args.len() {
        out.push(format!("... ({} more arguments)", args.len() - keep).into_bytes());
    }
    out
}

/// After a command ran for `usec` microseconds: logs it if it is slow enough
/// and may be logged (see the module's invariants).
pub fn after_command(ctx: &Ctx<'_>, spec_flags: u32, args: &[Vec<u8>], usec: u64) {
    let log = &ctx.shared.slowlog;
    if spec_flags & SKIP_SLOWLOG != 0 || ctx.client.block.is_some() || !log.wants(usec) {
        return;
    }
    let (addr, name) = client_identity(ctx);
    log.push(args, &ctx.client.redacted, usec, addr, name);
}

/// The `ip:port` and name of the client running a command (`?:0` and no name for
/// a script's calls; a served blocked client is found by its id).
pub fn client_identity(ctx: &Ctx<'_>) -> (String, Vec<u8>) {
    let found;
    let handle = match &ctx.client.handle {
        Some(h) => Some(h),
        None => {
            found = ctx.shared.clients().get(&ctx.client.id).cloned();
            found.as_ref()
        }
    };
    match handle {
        Some(h) => (
            h.addr.to_string(),
            h.name.lock().unwrap_or_else(|e| e.into_inner()).clone(),
        ),
        None => ("?:0".to_string(), Vec::new()),
    }
}

/// SLOWLOG GET [count]: the newest `count` entries (10 by default, -1: all).
fn slowlog_get(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if args.len() > 3 {
        let mut msg = b"ERR unknown subcommand or wrong number of arguments for '".to_vec();
        msg.extend_from_slice(super::c_str(&args[1], 128));
        msg.extend_from_slice(b"'. Try SLOWLOG HELP.");
        return super::error_bytes(ctx.out, &msg);
    }
    let count = match args.get(2) {
        None => Some(10),
        Some(a) => match crate::num::string2ll(a) {
            Some(-1) => None,
            Some(n) if n >= 0 => Some(usize::try_from(n).unwrap_or(usize::MAX)),
            _ => {
                return ctx
                    .out
                    .error("ERR count should be greater than or equal to -1")
            }
        },
    };
    let entries = ctx.shared.slowlog.newest(count);
    ctx.out.array(entries.len());
    for e in entries {
        ctx.out.array(6);
        ctx.out.integer(e.id as i64);
        ctx.out.integer(e.time);
        ctx.out.integer(e.usec as i64);
        ctx.out.array(e.args.len());
        for a in &e.args {
            ctx.out.bulk(a);
        }
        ctx.out.bulk(e.addr.as_bytes());
        ctx.out.bulk(&e.name);
    }
}

/// SLOWLOG LEN
fn slowlog_len(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    ctx.out.integer(ctx.shared.slowlog.len() as i64);
}

/// SLOWLOG RESET
fn slowlog_reset(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    ctx.shared.slowlog.reset();
    ctx.out.ok();
}

/// SLOWLOG HELP
fn slowlog_help(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    help_lines(
        ctx.out,
        &[
            "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "GET [<count>]",
            "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
            "    Entries are made of:",
            "    id, timestamp, time in microseconds, arguments array, client IP and port,",
            "    client name",
            "LEN",
            "    Return the length of the slowlog.",
            "RESET",
            "    Reset the slowlog.",
            "HELP",
            "    Prints this help.",
        ],
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// redis-server 7.0.15: `SADD set 3 4 ... 33` (33 arguments) and an argument of
    /// 129 bytes, as SLOWLOG GET shows them.
    #[test]
    fn long_requests_are_cut_as_redis_cuts_them() {
        let mut args: Vec<Vec<u8>> = vec![b"sadd".to_vec(), b"set".to_vec()];
        args.extend((3..=33).map(|i: i32| i.to_string().into_bytes()));
        let e = entry_args(&args, &[]);
        assert_eq!(e.len(), 32);
        assert_eq!(e[30], b"31");
        assert_eq!(e[31], b"... (2 more arguments)");
        let long = vec![b'A'; 129];
        let e = entry_args(&[b"sadd".to_vec(), long], &[]);
        let mut want = vec![b'A'; 128];
        want.extend_from_slice(b"... (1 more bytes)");
        assert_eq!(e[1], want);
        let e = entry_args(&[b"auth".to_vec(), b"secret".to_vec()], &[1]);
        assert_eq!(e[1], b"(redacted)");
    }

    #[test]
    fn keeps_the_newest_max_len_entries() {
        let log = SlowLog::new(0, 2);
        for i in 0..5 {
            log.push(
                &[format!("c{i}").into_bytes()],
                &[],
                1,
                "?:0".into(),
                Vec::new(),
            );
        }
        let got: Vec<u64> = log.newest(None).iter().map(|e| e.id).collect();
        assert_eq!(got, [4, 3]);
        log.reset();
        assert!(log.is_empty());
        let off = SlowLog::new(-1, 2);
        assert!(!off.wants(u64::MAX));
        assert!(log.wants(0));
    }
}
