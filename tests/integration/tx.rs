//! MULTI/EXEC/DISCARD/WATCH/UNWATCH over TCP, with replies checked against
//! redis-server 7.0 byte for byte.
use super::support::start_server;
use std::time::Duration;

#[test]
fn queued_replies_and_per_command_errors() {
    let srv = start_server();
    let mut c = srv.connect();
    assert_eq!(c.q("MULTI"), "+OK\r\n");
    assert_eq!(c.q("SET a x"), "+QUEUED\r\n");
    assert_eq!(c.q("INCR a"), "+QUEUED\r\n");
    assert_eq!(c.q("PING"), "+QUEUED\r\n");
    assert_eq!(
        c.q("EXEC"),
        "*3\r\n+OK\r\n-ERR value is not an integer or out of range\r\n+PONG\r\n"
    );
    assert_eq!(c.q("MULTI"), "+OK\r\n");
    assert_eq!(c.q("EXEC"), "*0\r\n");
    // SELECT inside the transaction applies to the commands after it, and stays.
    assert_eq!(c.q("MULTI"), "+OK\r\n");
    assert_eq!(c.q("SELECT 1"), "+QUEUED\r\n");
    assert_eq!(c.q("SET a 2"), "+QUEUED\r\n");
    assert_eq!(c.q("EXEC"), "*2\r\n+OK\r\n+OK\r\n");
    assert_eq!(c.q("GET a"), "$1\r\n2\r\n");
}

#[test]
fn queueing_errors_abort_exec() {
    let srv = start_server();
    let mut c = srv.connect();
    assert_eq!(c.q("MULTI"), "+OK\r\n");
    assert_eq!(c.q("SET a 1"), "+QUEUED\r\n");
    assert_eq!(
        c.q("FOO"),
        "-ERR unknown command 'FOO', with args beginning with: \r\n"
    );
    assert_eq!(
        c.q("GET"),
        "-ERR wrong number of arguments for 'get' command\r\n"
    );
    assert_eq!(
        c.q("EXEC"),
        "-EXECABORT Transaction discarded because of previous errors.\r\n"
    );
    assert_eq!(c.q("GET a"), "$-1\r\n");
    assert_eq!(c.q("EXEC"), "-ERR EXEC without MULTI\r\n");
}

#[test]
fn control_errors_do_not_abort() {
    let srv = start_server();
    let mut c = srv.connect();
    assert_eq!(c.q("EXEC"), "-ERR EXEC without MULTI\r\n");
    assert_eq!(c.q("DISCARD"), "-ERR DISCARD without MULTI\r\n");
    assert_eq!(c.q("UNWATCH"), "+OK\r\n");
    assert_eq!(
        c.q("WATCH"),
        "-ERR wrong number of arguments for 'watch' command\r\n"
    );
    assert_eq!(c.q("MULTI"), "+OK\r\n");
    assert_eq!(c.q("MULTI"), "-ERR MULTI calls can not be nested\r\n");
    assert_eq!(c.q("WATCH x"), "-ERR WATCH inside MULTI is not allowed\r\n");
    assert_eq!(c.q("INCR n"), "+QUEUED\r\n");
    assert_eq!(c.q("EXEC"), "*1\r\n:1\r\n");
    assert_eq!(c.q("MULTI"), "+OK\r\n");
    assert_eq!(c.q("INCR n"), "+QUEUED\r\n");
    assert_eq!(c.q("DISCARD"), "+OK\r\n");
    assert_eq!(c.q("GET n"), "$1\r\n1\r\n");
    assert_eq!(c.q("MULTI"), "+OK\r\n");
    assert_eq!(c.q("SET a 1"), "+QUEUED\r\n");
    assert_eq!(c.q("RESET"), "+RESET\r\n");
    assert_eq!(c.q("EXEC"), "-ERR EXEC without MULTI\r\n");
}

#[test]
fn watch_is_broken_by_other_clients_and_flushes() {
    let srv = start_server();
    let mut a = srv.connect();
    let mut b = srv.connect();
    // Another client's write, even creating a key that did not exist.
    assert_eq!(a.q("WATCH n"), "+OK\r\n");
    assert_eq!(b.q("SET n 1"), "+OK\r\n");
    assert_eq!(a.q("MULTI"), "+OK\r\n");
    assert_eq!(a.q("INCR n"), "+QUEUED\r\n");
    assert_eq!(a.q("EXEC"), "*-1\r\n");
    assert_eq!(a.q("GET n"), "$1\r\n1\r\n");
    // EXEC unwatched: the same transaction now runs.
    assert_eq!(a.q("MULTI"), "+OK\r\n");
    assert_eq!(a.q("INCR n"), "+QUEUED\r\n");
    assert_eq!(a.q("EXEC"), "*1\r\n:2\r\n");
    // FLUSHALL touches only watched keys that existed.
    assert_eq!(a.q("WATCH absent"), "+OK\r\n");
    assert_eq!(b.q("FLUSHALL"), "+OK\r\n");
    assert_eq!(a.q("MULTI"), "+OK\r\n");
    assert_eq!(a.q("EXEC"), "*0\r\n");
    assert_eq!(b.q("SET p 1"), "+OK\r\n");
    assert_eq!(a.q("WATCH p"), "+OK\r\n");
    assert_eq!(b.q("FLUSHDB"), "+OK\r\n");
    assert_eq!(a.q("MULTI"), "+OK\r\n");
    assert_eq!(a.q("EXEC"), "*-1\r\n");
    assert_eq!(b.q("SET p 1"), "+OK\r\n");
    assert_eq!(a.q("WATCH p"), "+OK\r\n");
    assert_eq!(b.q("SWAPDB 0 1"), "+OK\r\n");
    assert_eq!(a.q("MULTI"), "+OK\r\n");
    assert_eq!(a.q("EXEC"), "*-1\r\n");
    // A write that changes nothing (SET NX on an existing key, DEL of nothing).
    assert_eq!(b.q("SET s 1"), "+OK\r\n");
    assert_eq!(a.q("WATCH s d"), "+OK\r\n");
    assert_eq!(b.q("SET s 2 NX"), "$-1\r\n");
    assert_eq!(b.q("DEL d"), ":0\r\n");
    assert_eq!(a.q("MULTI"), "+OK\r\n");
    assert_eq!(a.q("EXEC"), "*0\r\n");
    // RENAME onto a watched key; the client's own write.
    assert_eq!(b.q("SET r 1"), "+OK\r\n");
    assert_eq!(a.q("WATCH r2"), "+OK\r\n");
    assert_eq!(b.q("RENAME r r2"), "+OK\r\n");
    assert_eq!(a.q("MULTI"), "+OK\r\n");
    assert_eq!(a.q("EXEC"), "*-1\r\n");
    assert_eq!(a.q("WATCH m"), "+OK\r\n");
    assert_eq!(a.q("SET m 1"), "+OK\r\n");
    assert_eq!(a.q("MULTI"), "+OK\r\n");
    assert_eq!(a.q("EXEC"), "*-1\r\n");
    // UNWATCH forgets.
    assert_eq!(a.q("WATCH m"), "+OK\r\n");
    assert_eq!(a.q("UNWATCH"), "+OK\r\n");
    assert_eq!(b.q("SET m 2"), "+OK\r\n");
    assert_eq!(a.q("MULTI"), "+OK\r\n");
    assert_eq!(a.q("EXEC"), "*0\r\n");
}

#[test]
fn watch_is_broken_by_expiry() {
    let srv = start_server();
    let mut a = srv.connect();
    assert_eq!(a.q("SET k v PX 50"), "+OK\r\n");
    assert_eq!(a.q("WATCH k"), "+OK\r\n");
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(a.q("MULTI"), "+OK\r\n");
    assert_eq!(a.q("PING"), "+QUEUED\r\n");
    assert_eq!(a.q("EXEC"), "*-1\r\n");
    // Expired and removed by a lookup from another client before EXEC.
    let mut b = srv.connect();
    assert_eq!(a.q("SET k v PX 50"), "+OK\r\n");
    assert_eq!(a.q("WATCH k"), "+OK\r\n");
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(b.q("GET k"), "$-1\r\n");
    assert_eq!(a.q("MULTI"), "+OK\r\n");
    assert_eq!(a.q("EXEC"), "*-1\r\n");
}

#[test]
fn exec_is_atomic_against_other_clients() {
    let srv = start_server();
    let port_clients: Vec<_> = (0..4).map(|_| srv.connect()).collect();
    let threads: Vec<_> = port_clients
        .into_iter()
        .map(|mut c| {
            std::thread::spawn(move || {
                for _ in 0..50 {
                    assert_eq!(c.q("MULTI"), "+OK\r\n");
                    assert_eq!(c.q("INCR x"), "+QUEUED\r\n");
                    assert_eq!(c.q("INCR y"), "+QUEUED\r\n");
                    let r = c.q("EXEC");
                    // Inside one EXEC, x and y move together.
                    let nums: Vec<&str> = r.lines().filter(|l| l.starts_with(':')).collect();
                    assert_eq!(nums.len(), 2, "{r}");
                    assert_eq!(nums[0], nums[1], "{r}");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("client thread");
    }
    let mut c = srv.connect();
    assert_eq!(c.q("MGET x y"), "*2\r\n$3\r\n200\r\n$3\r\n200\r\n");
}

/// An SMOVE whose member is already in the destination leaves it unmodified:
/// a WATCH on it holds (Redis 7.0, unit/type/set "SMOVE only notify dstset
/// when the addition is successful").
#[test]
fn smove_to_a_set_that_has_the_member_does_not_break_watch() {
    let srv = start_server();
    let mut a = srv.connect();
    let mut b = srv.connect();
    assert_eq!(a.q("SADD src a b"), ":2\r\n");
    assert_eq!(a.q("SADD dst a"), ":1\r\n");
    assert_eq!(a.q("WATCH dst"), "+OK\r\n");
    assert_eq!(a.q("MULTI"), "+OK\r\n");
    assert_eq!(a.q("SADD dst c"), "+QUEUED\r\n");
    assert_eq!(b.q("SMOVE src dst a"), ":1\r\n");
    assert_eq!(a.q("EXEC"), "*1\r\n:1\r\n");
    assert_eq!(a.q("SCARD dst"), ":2\r\n");
    // A member new to the destination does modify it.
    assert_eq!(a.q("WATCH dst"), "+OK\r\n");
    assert_eq!(a.q("MULTI"), "+OK\r\n");
    assert_eq!(a.q("SADD dst d"), "+QUEUED\r\n");
    assert_eq!(b.q("SMOVE src dst b"), ":1\r\n");
    assert_eq!(a.q("EXEC"), "*-1\r\n");
}

/// SETBIT counts a change only when it creates, grows or flips (INFO's
/// rdb_changes_since_last_save, as 7.0's unit/bitops checks).
#[test]
fn setbit_counts_only_real_changes() {
    let srv = start_server();
    let mut c = srv.connect();
    let changes = |c: &mut crate::support::Conn| -> u64 {
        let info = c.q("INFO persistence");
        info.lines()
            .find_map(|l| l.strip_prefix("rdb_changes_since_last_save:"))
            .and_then(|v| v.trim().parse().ok())
            .expect("rdb_changes_since_last_save")
    };
    let start = changes(&mut c);
    assert_eq!(c.q("SETBIT foo 0 0"), ":0\r\n");
    assert_eq!(changes(&mut c), start + 1);
    assert_eq!(c.q("SETBIT foo 0 0"), ":0\r\n");
    assert_eq!(c.q("SETBIT foo 7 0"), ":0\r\n");
    assert_eq!(changes(&mut c), start + 1);
    assert_eq!(c.q("SETBIT foo 0 1"), ":0\r\n");
    assert_eq!(c.q("SETBIT foo 0 1"), ":1\r\n");
    assert_eq!(changes(&mut c), start + 2);
    assert_eq!(c.q("SETBIT foo 100 0"), ":0\r\n");
    assert_eq!(changes(&mut c), start + 3);
}

/// A key already expired at WATCH time: deleting it (lazily, by FLUSHDB, or
/// SWAPDB putting an expired or no key in its place) is no change for EXEC,
/// while a write on top of it is. Each outcome checked against redis-server
/// 7.0.15 with active expiry off.
#[test]
fn watching_an_already_expired_key() {
    let srv = super::support::start_server_with(&["--enable-debug-command", "yes"]);
    let mut c = srv.connect();
    let mut other = srv.connect();
    assert_eq!(c.q("DEBUG set-active-expire 0"), "+OK\r\n");
    let stale = |c: &mut super::support::Conn, db: &str| {
        assert_eq!(c.q(&format!("SELECT {db}")), "+OK\r\n");
        assert_eq!(c.q("SET x foo PX 1"), "+OK\r\n");
        std::thread::sleep(Duration::from_millis(3));
    };
    let exec = |c: &mut super::support::Conn| {
        assert_eq!(c.q("MULTI"), "+OK\r\n");
        assert_eq!(c.q("PING"), "+QUEUED\r\n");
        c.q("EXEC")
    };
    let (pong, nil) = ("*1\r\n+PONG\r\n", "*-1\r\n");
    // Deleted by a lookup (EXISTS expires it lazily).
    stale(&mut c, "9");
    c.q("WATCH x");
    assert_eq!(c.q("EXISTS x"), ":0\r\n");
    assert_eq!(exec(&mut c), pong);
    // Emptied by FLUSHDB.
    stale(&mut c, "9");
    c.q("WATCH x");
    c.q("FLUSHDB");
    assert_eq!(exec(&mut c), pong);
    // SWAPDB 0 1 seen from database 1: (expired x in db 1, expired x in db 0,
    // live x in db 0, EXEC's reply).
    for (stale1, stale0, live0, want) in [
        (true, false, false, pong), // expired key replaced with no key
        (false, true, false, pong), // no key replaced with an expired one
        (true, true, false, pong),  // an expired key with another expired one
        (true, false, true, nil),   // a live key swapped in is a change
    ] {
        c.q("FLUSHALL");
        if stale1 {
            stale(&mut c, "1");
        }
        if stale0 {
            stale(&mut c, "0");
        }
        if live0 {
            c.q("SELECT 0");
            c.q("SET x live");
        }
        c.q("SELECT 1");
        c.q("WATCH x");
        c.q("SWAPDB 0 1");
        assert_eq!(exec(&mut c), want, "{stale1} {stale0} {live0}");
    }
    // Another client's SET over the expired key is a change...
    c.q("FLUSHALL");
    stale(&mut c, "0");
    c.q("WATCH x");
    assert_eq!(other.q("SET x bar"), "+OK\r\n");
    assert_eq!(exec(&mut c), nil);
    // ... and so is a SET after the expired key was deleted.
    stale(&mut c, "0");
    c.q("WATCH x");
    assert_eq!(other.q("EXISTS x"), ":0\r\n");
    assert_eq!(other.q("SET x bar"), "+OK\r\n");
    assert_eq!(exec(&mut c), nil);
    // A key missing at WATCH time that another client creates with a TTL
    // which has passed by EXEC: a change.
    c.q("DEL x");
    c.q("WATCH x");
    assert_eq!(other.q("SET x bar PX 1"), "+OK\r\n");
    std::thread::sleep(Duration::from_millis(3));
    assert_eq!(exec(&mut c), nil);
}
