//! Keyspace notifications (`notify-keyspace-events`).
//!
//! When enabled, a command that changes key `k` in db `n` with event `ev` publishes
//! `ev` on `__keyspace@n__:k` (flag `K`) and `k` on `__keyevent@n__:ev` (flag `E`),
//! if the event's class letter is enabled too (`g` generic, `$` string, `x`
//! expired, ...; `A` = `g$lshzxetd`).
//!
//! Expiry happens inside the store, which knows nothing of pub/sub: while the `x`
//! class is on, each database logs the keys it expires (`Db::expired_log`), and
//! [`flush_expired`] publishes them: before any event a command sends (so
//! `expired` precedes the `set` of the command that found the key expired, as in
//! Redis), after each command, and after each active expiry cycle.
//!
//! The same logs give the append-only file its `DEL`s of expired keys
//! (`propagate::expired`); they are kept while either needs them.
//!
//! Invariants: with notifications off the cost is one relaxed atomic load per
//! command; the expired logs are only filled while `x` is on.
use super::Ctx;
use super::Shared;
use crate::store::Store;
use std::sync::atomic::Ordering;

pub const KEYSPACE: u32 = 1 << 0;
pub const KEYEVENT: u32 = 1 << 1;
pub const GENERIC: u32 = 1 << 2;
pub const STRING: u32 = 1 << 3;
pub const LIST: u32 = 1 << 4;
pub const SET: u32 = 1 << 5;
pub const HASH: u32 = 1 << 6;
pub const ZSET: u32 = 1 << 7;
pub const EXPIRED: u32 = 1 << 8;
pub const EVICTED: u32 = 1 << 9;
pub const STREAM: u32 = 1 << 10;
pub const KEY_MISS: u32 = 1 << 11;
pub const MODULE: u32 = 1 << 12;
pub const NEW: u32 = 1 << 13;
/// What `A` stands for.
pub const ALL: u32 =
    GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;

/// Class letters in the order CONFIG GET prints them (before K, E and m).
const LETTERS: &[(u8, u32)] = &[
    (b'g', GENERIC),
    (b'$', STRING),
    (b'l', LIST),
    (b's', SET),
    (b'h', HASH),
    (b'z', ZSET),
    (b'x', EXPIRED),
    (b'e', EVICTED),
    (b't', STREAM),
    (b'd', MODULE),
    (b'n', NEW),
];

/// Parses a flag string; the error is Redis's text.
pub fn parse_flags(s: &str) -> Result<u32, String> {
    let mut flags = 0;
    for c in s.bytes() {
        flags |= match c {
            b'A' => ALL,
            b'K' => KEYSPACE,
            b'E' => KEYEVENT,
            b'm' => KEY_MISS,
            _ => match LETTERS.iter().find(|(l, _)| *l == c) {
                Some((_, f)) => *f,
                None => return Err("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.".into()),
            },
        };
    }
    Ok(flags)
}

/// The flags as CONFIG GET prints them.
pub fn flags_to_string(flags: u32) -> String {
    let mut s = String::new();
    if flags & ALL == ALL {
        s.push('A');
    } else {
        for (l, f) in LETTERS {
            if flags & f != 0 {
                s.push(*l as char);
            }
        }
    }
    if flags & KEYSPACE != 0 {
        s.push('K');
    }
    if flags & KEYEVENT != 0 {
        s.push('E');
    }
    if flags & KEY_MISS != 0 {
        s.push('m');
    }
    s
}

/// Publishes one event of class `class` about `key` in db `db`, if enabled.
pub fn publish_event(shared: &Shared, flags: u32, class: u32, event: &str, key: &[u8], db: usize) {
    if flags & class == 0 {
        return;
    }
    if flags & KEYSPACE != 0 {
        let mut ch = format!("__keyspace@{db}__:").into_bytes();
        ch.extend_from_slice(key);
        super::pubsub::publish_message(shared, &ch, event.as_bytes());
    }
    if flags & KEYEVENT != 0 {
        let ch = format!("__keyevent@{db}__:{event}");
        super::pubsub::publish_message(shared, ch.as_bytes(), key);
    }
}

/// Publishes the `expired` events the store logged, and turns the logging on or
/// off to follow the configuration.
pub fn flush_expired(store: &mut Store, shared: &Shared) {
    let flags = shared.notify_flags.load(Ordering::Relaxed);
    let on = flags & EXPIRED != 0 && flags & (KEYSPACE | KEYEVENT) != 0;
    let propagating = super::propagate::wants_expired_log(shared);
    for db in 0..store.db_count() {
        let d = store.db(db);
        d.log_expired = on || propagating;
        if d.expired_log.is_empty() {
            continue;
        }
        let keys = std::mem::take(&mut d.expired_log);
        if on {
            for k in &keys {
                publish_event(shared, flags, EXPIRED, "expired", k, db);
            }
        }
        super::propagate::expired(shared, db, &keys);
    }
}

/// Publishes the `new` events (keys added, not overwritten) the store
/// logged, and turns the logging on or off to follow the configuration.
pub fn flush_new(store: &mut Store, shared: &Shared) {
    let flags = shared.notify_flags.load(Ordering::Relaxed);
    let on = flags & NEW != 0 && flags & (KEYSPACE | KEYEVENT) != 0;
    for db in 0..store.db_count() {
        let d = store.db(db);
        d.log_new = on;
        if d.new_log.is_empty() {
            continue;
        }
        let keys = std::mem::take(&mut d.new_log);
        if on {
            for k in &keys {
                publish_event(shared, flags, NEW, "new", k, db);
            }
        }
    }
}

/// A command's event about `key` in the client's database.
pub fn notify(ctx: &mut Ctx<'_>, class: u32, event: &str, key: &[u8]) {
    let db = ctx.client.db;
    notify_in(ctx, class, event, key, db);
}

/// A command's event about `key` in database `db` (MOVE's `move_to`, COPY ... DB).
pub fn notify_in(ctx: &mut Ctx<'_>, class: u32, event: &str, key: &[u8], db: usize) {
    let flags = ctx.shared.notify_flags.load(Ordering::Relaxed);
    if flags == 0 {
        return;
    }
    flush_expired(ctx.store, ctx.shared);
    // A key's `new` event comes before the event of the command that added it.
    flush_new(ctx.store, ctx.shared);
    publish_event(ctx.shared, flags, class, event, key, db);
}

/// Called after every command: publishes expiries it caused.
#[inline]
pub fn after_command(ctx: &mut Ctx<'_>) {
    let flags = ctx.shared.notify_flags.load(Ordering::Relaxed);
    if flags != 0 || ctx.store.dbs().first().is_some_and(|d| d.log_expired) {
        flush_expired(ctx.store, ctx.shared);
    }
    if flags != 0 || ctx.store.dbs().first().is_some_and(|d| d.log_new) {
        flush_new(ctx.store, ctx.shared);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_strings_round_trip_as_redis_prints_them() {
        let f = |s: &str| flags_to_string(parse_flags(s).unwrap());
        assert_eq!(f("KEA"), "AKE");
        assert_eq!(f("Ex"), "xE");
        assert_eq!(f("nmKgd"), "gdnKm");
        assert_eq!(f("EAmn"), "AEm");
        assert_eq!(f(""), "");
        assert!(parse_flags("Q").is_err());
    }
}
