//! Who is connected: CLIENT LIST, CLIENT INFO and CLIENT KILL.
//!
//! A client's line has the fields redis-server 7.0.15 prints, in its order:
//! `id addr laddr fd name age idle flags db sub psub ssub multi qbuf qbuf-free
//! argv-mem multi-mem rbs rbp obl oll omem tot-mem events cmd user redir resp`.
//! What Ferrous knows is true: the flags (`P` subscribed, `x` in MULTI, `b`
//! blocked or held by CLIENT PAUSE, `t`/`R`/`B` tracking, its broken
//! redirection and BCAST, `d` a watched key changed (the calling client's own
//! line), `c` closing after the reply, `e` NO-EVICT, `N` none), the
//! subscription and queue counts, the calling client's own request (`qbuf`,
//! `argv-mem`) and its queued commands (`multi-mem`), the bytes waiting in an
//! outbox (`omem`). Buffer figures Ferrous does not keep per client (`rbs`,
//! `rbp`, `obl`, `oll`, a busy client's unread input) are 0. Other clients'
//! counts are what their threads last mirrored (after their last batch of
//! commands; see `ClientState::mirror`).
//!
//! CLIENT KILL takes the old form (`ip:port`, which may kill the caller) and
//! the filters ID, TYPE, USER, ADDR, LADDR, SKIPME, parsed in order with 7.0's
//! errors. Only the `default` user exists; types are `normal` and `pubsub`
//! (no replication: `master`/`replica`/`slave` match nobody).
use super::{c_str, error_bytes, ClientHandle, Ctx};
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// The client types CLIENT LIST/KILL TYPE accept.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Type {
    Normal,
    Replica,
    Master,
    Pubsub,
}

fn parse_type(t: &[u8]) -> Option<Type> {
    match t.to_ascii_lowercase().as_slice() {
        b"normal" => Some(Type::Normal),
        b"slave" | b"replica" => Some(Type::Replica),
        b"master" => Some(Type::Master),
        b"pubsub" => Some(Type::Pubsub),
        _ => None,
    }
}

fn unknown_type(ctx: &mut Ctx<'_>, t: &[u8]) {
    let mut msg = b"ERR Unknown client type '".to_vec();
    msg.extend_from_slice(c_str(t, 128));
    msg.push(b'\'');
    error_bytes(ctx.out, &msg);
}

/// The type of a client: `pubsub` while it has subscriptions.
fn type_of(ctx: &Ctx<'_>, h: &ClientHandle) -> Type {
    let subscribed = if h.id == ctx.client.id {
        ctx.client.subs.any()
    } else {
        h.subscribed.load(Ordering::Relaxed)
    };
    if subscribed {
        Type::Pubsub
    } else {
        Type::Normal
    }
}

/// The bytes a request takes as a RESP multibulk (`qbuf` of the calling client
/// while its request runs).
fn request_bytes(args: &[Vec<u8>]) -> usize {
    let digits = |n: usize| n.to_string().len();
    3 + digits(args.len())
        + args
            .iter()
            .map(|a| 1 + digits(a.len()) + 2 + a.len() + 2)
            .sum::<usize>()
}

/// One CLIENT LIST line (without its newline). `own`: the calling client's
/// command name and request, for its own line.
pub fn describe(ctx: &Ctx<'_>, h: &Arc<ClientHandle>, own: (&str, &[Vec<u8>])) -> String {
    let now = ctx.shared.now_ms();
    let mine = h.id == ctx.client.id;
    let c = &*ctx.client;
    let tracking = super::tracking::state(ctx.shared).mode(h.id).cloned();
    let (name, db, resp, sub, psub, multi, multi_mem, no_evict) = if mine {
        (
            c.name.clone(),
            c.db,
            c.resp,
            c.subs.channels.len(),
            c.subs.patterns.len(),
            c.tx.queue.as_ref().map_or(-1, |q| q.len() as i64),
            c.multi_mem(),
            c.no_evict,
        )
    } else {
        (
            h.name(),
            h.db.load(Ordering::Relaxed),
            h.resp.load(Ordering::Relaxed),
            h.sub.load(Ordering::Relaxed),
            h.psub.load(Ordering::Relaxed),
            h.multi.load(Ordering::Relaxed),
            h.multi_mem.load(Ordering::Relaxed),
            h.no_evict.load(Ordering::Relaxed),
        )
    };
    let ssub = if mine {
        c.subs.shard.len()
    } else {
        h.ssub.load(Ordering::Relaxed)
    };
    let dirty = mine && super::tx::watch_broken(ctx.store, &c.tx);
    let blocked = ctx.blocked.is_blocked(h.id);
    let mut flags = String::new();
    for (on, f) in [
        (h.monitor.load(Ordering::Relaxed), 'O'),
        (sub + psub + ssub > 0, 'P'),
        (multi >= 0, 'x'),
        (blocked, 'b'),
        (tracking.is_some(), 't'),
        (tracking.as_ref().is_some_and(|m| m.broken), 'R'),
        (tracking.as_ref().is_some_and(|m| m.bcast), 'B'),
        (dirty, 'd'),
        (mine && c.close_after_reply, 'c'),
        (h.addr.is_unix(), 'U'),
        (no_evict, 'e'),
    ] {
        if on {
            flags.push(f);
        }
    }
    if flags.is_empty() {
        flags.push('N');
    }
    let cmd = if mine {
        own.0.to_string()
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
    let (qbuf, argv_mem) = if mine {
        (
            request_bytes(own.1),
            own.1.iter().map(Vec::len).sum::<usize>(),
        )
    } else {
        (0, 0)
    };
    let omem = h.outbox.queued();
    let redir = tracking.as_ref().map_or(-1, |m| m.redirect as i64);
    let user = String::from_utf8_lossy(&h.user_name()).into_owned();
    format!(
        "id={} addr={} laddr={} fd={} name={} age={} idle={idle} flags={flags} db={db} sub={sub} \
         psub={psub} ssub={ssub} multi={multi} qbuf={qbuf} qbuf-free=0 argv-mem={argv_mem} \
         multi-mem={multi_mem} rbs=0 rbp=0 obl=0 oll=0 omem={omem} tot-mem={} events=r cmd={cmd} \
         user={user} redir={redir} resp={resp}",
        h.id,
        h.addr,
        h.laddr,
        h.fd,
        String::from_utf8_lossy(&name),
        h.created.elapsed().as_secs(),
        qbuf as u64 + argv_mem as u64 + multi_mem + omem as u64,
    )
}

/// CLIENT INFO
pub fn client_info(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let line = match &ctx.client.handle {
        Some(h) => describe(ctx, h, ("client|info", args)) + "\n",
        None => String::new(),
    };
    ctx.out.verbatim("txt", line.as_bytes());
}

/// CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id ...]
pub fn client_list(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let mut only: Option<Type> = None;
    let mut ids: Option<Vec<i64>> = None;
    if args.len() == 4 && args[2].eq_ignore_ascii_case(b"type") {
        match parse_type(&args[3]) {
            Some(t) => only = Some(t),
            None => return unknown_type(ctx, &args[3]),
        }
    } else if args.len() > 3 && args[2].eq_ignore_ascii_case(b"id") {
        let mut v = Vec::new();
        for a in &args[3..] {
            match crate::num::string2ll(a) {
                Some(n) => v.push(n),
                None => return ctx.out.error("ERR Invalid client ID"),
            }
        }
        ids = Some(v);
    } else if args.len() != 2 {
        return ctx.out.error(super::errors::SYNTAX);
    }
    let clients = ctx.shared.clients().clone();
    let chosen: Vec<Arc<ClientHandle>> = match &ids {
        // In the order asked, as Redis prints them.
        Some(ids) => ids
            .iter()
            .filter_map(|&id| u64::try_from(id).ok().and_then(|id| clients.get(&id)))
            .cloned()
            .collect(),
        None => clients.values().cloned().collect(),
    };
    let mut text = String::new();
    for h in &chosen {
        // A killed client is gone for Redis at once; its thread may not have
        // unregistered it yet.
        if h.is_killed() || only.is_some_and(|t| type_of(ctx, h) != t) {
            continue;
        }
        text.push_str(&describe(ctx, h, ("client|list", args)));
        text.push('\n');
    }
    ctx.out.verbatim("txt", text.as_bytes());
}

/// CLIENT KILL ip:port | CLIENT KILL [ID id] [TYPE type] [USER user]
/// [ADDR ip:port] [LADDR ip:port] [SKIPME yes|no] ...
pub fn client_kill(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let (mut id, mut addr, mut laddr, mut ctype) = (None, None, None, None);
    let mut user = None;
    let mut skipme = true;
    if args.len() == 3 {
        // The old form: by address, and the caller may kill itself.
        addr = Some(args[2].clone());
        skipme = false;
    } else {
        let mut i = 2;
        while i < args.len() {
            let Some(val) = args.get(i + 1) else {
                return ctx.out.error(super::errors::SYNTAX);
            };
            match args[i].to_ascii_lowercase().as_slice() {
                b"id" => match crate::num::string2ll(val) {
                    Some(n) if n > 0 => id = Some(n as u64),
                    _ => return ctx.out.error("ERR client-id should be greater than 0"),
                },
                b"type" => match parse_type(val) {
                    Some(t) => ctype = Some(t),
                    None => return unknown_type(ctx, val),
                },
                b"addr" => addr = Some(val.clone()),
                b"laddr" => laddr = Some(val.clone()),
                b"user" => match ctx.shared.acl.get(val) {
                    Some(u) => user = Some(u),
                    None => {
                        let mut msg = b"ERR No such user '".to_vec();
                        msg.extend_from_slice(c_str(val, 128));
                        msg.push(b'\'');
                        return error_bytes(ctx.out, &msg);
                    }
                },
                b"skipme" => {
                    if val.eq_ignore_ascii_case(b"yes") {
                        skipme = true;
                    } else if val.eq_ignore_ascii_case(b"no") {
                        skipme = false;
                    } else {
                        return ctx.out.error(super::errors::SYNTAX);
                    }
                }
                _ => return ctx.out.error(super::errors::SYNTAX),
            }
            i += 2;
        }
    }
    let handles: Vec<Arc<ClientHandle>> = ctx.shared.clients().values().cloned().collect();
    let my_id = ctx.client.id;
    let mut killed = 0;
    let mut me = false;
    for h in &handles {
        if addr
            .as_ref()
            .is_some_and(|a| a.as_slice() != h.addr.to_string().as_bytes())
            || laddr
                .as_ref()
                .is_some_and(|a| a.as_slice() != h.laddr.to_string().as_bytes())
            || ctype.is_some_and(|t| type_of(ctx, h) != t)
            || id.is_some_and(|i| i != h.id)
            || user.as_ref().is_some_and(|u| u.name != h.user_name())
            || (skipme && h.id == my_id)
            || h.is_killed()
        {
            continue;
        }
        if h.id == my_id {
            me = true;
        } else {
            h.kill();
        }
        killed += 1;
    }
    if args.len() == 3 {
        if killed == 0 {
            ctx.out.error("ERR No such client");
        } else {
            ctx.out.ok();
        }
    } else {
        ctx.out.integer(killed);
    }
    // Closing oneself comes after the reply.
    if me {
        ctx.client.close_after_reply = true;
    }
}

#[cfg(test)]
mod tests {
    use super::request_bytes;

    #[test]
    fn a_request_takes_its_multibulk_bytes() {
        // `qbuf=26` in redis-server 7.0.15's CLIENT LIST reply to CLIENT LIST.
        let args = [b"client".to_vec(), b"list".to_vec()];
        assert_eq!(request_bytes(&args), 26);
    }
}
