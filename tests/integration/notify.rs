//! Keyspace notifications, checked against redis-server 7.0's messages.
use super::support::start_server;
use std::time::Duration;

/// The two pmessages (keyspace then keyevent) a `__key*__:*` subscriber gets.
fn events(key: &str, event: &str) -> Vec<String> {
    let pm = |ch: String, msg: &str| {
        format!(
            "*4\r\n$8\r\npmessage\r\n$10\r\n__key*__:*\r\n${}\r\n{ch}\r\n${}\r\n{msg}\r\n",
            ch.len(),
            msg.len()
        )
    };
    vec![
        pm(format!("__keyspace@0__:{key}"), event),
        pm(format!("__keyevent@0__:{event}"), key),
    ]
}

#[test]
fn config_flags_print_as_redis_prints_them() {
    let srv = start_server();
    let mut c = srv.connect();
    assert_eq!(
        c.q("CONFIG SET notify-keyspace-events Q"),
        "-ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'.\r\n"
    );
    for (set, get) in [
        ("KEA", "AKE"),
        ("Ex", "xE"),
        ("nmKgd", "gdnKm"),
        ("EAmn", "AEm"),
    ] {
        assert_eq!(
            c.q(&format!("CONFIG SET notify-keyspace-events {set}")),
            "+OK\r\n"
        );
        let want = format!(
            "*2\r\n$22\r\nnotify-keyspace-events\r\n${}\r\n{get}\r\n",
            get.len()
        );
        assert_eq!(c.q("CONFIG GET notify-keyspace-events"), want);
    }
}

#[test]
fn set_expire_del_rename_and_expired_events() {
    let srv = start_server();
    let mut s = srv.connect();
    let mut p = srv.connect();
    assert_eq!(p.q("CONFIG SET notify-keyspace-events KEA"), "+OK\r\n");
    assert_eq!(
        s.q("PSUBSCRIBE __key*__:*"),
        "*3\r\n$10\r\npsubscribe\r\n$10\r\n__key*__:*\r\n:1\r\n"
    );
    for c in [
        "SET k v",
        "PEXPIRE k 30",
        "DEL k",
        "DEL nothing",
        "SET a 1 EX 100",
        "SETEX b 10 x",
        "SETNX c 1",
        "RENAME c d",
        "EXPIRE d 0",
        "MSET q 1",
    ] {
        p.q(c);
    }
    let mut want = Vec::new();
    for (k, e) in [
        ("k", "set"),
        ("k", "expire"),
        ("k", "del"),
        ("a", "set"),
        ("a", "expire"),
        ("b", "set"),
        ("b", "expire"),
        ("c", "set"),
        ("c", "rename_from"),
        ("d", "rename_to"),
        ("d", "del"),
        ("q", "set"),
    ] {
        want.extend(events(k, e));
    }
    for w in &want {
        assert_eq!(String::from_utf8_lossy(&s.read_reply()), *w);
    }
    // Expired by the active cycle, nobody touching the key.
    assert_eq!(p.q("SET j v PX 10"), "+OK\r\n");
    let mut want = events("j", "set");
    want.extend(events("j", "expire"));
    want.extend(events("j", "expired"));
    for w in &want {
        assert_eq!(String::from_utf8_lossy(&s.read_reply()), *w);
    }
    // Only `x` with `E`: just the keyevent message.
    assert_eq!(p.q("CONFIG SET notify-keyspace-events Ex"), "+OK\r\n");
    assert_eq!(p.q("SET z 1 PX 5"), "+OK\r\n");
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(
        String::from_utf8_lossy(&s.read_reply()),
        events("z", "expired")[1]
    );
}

/// The two pmessages for `key` and `event` in database `db`.
fn events_in(db: usize, key: &str, event: &str) -> Vec<String> {
    events(key, event)
        .into_iter()
        .map(|m| m.replace("__keyspace@0__", &format!("__keyspace@{db}__")))
        .map(|m| m.replace("__keyevent@0__", &format!("__keyevent@{db}__")))
        .collect()
}

#[test]
fn string_bit_and_key_command_events() {
    let srv = start_server();
    let mut s = srv.connect();
    let mut p = srv.connect();
    assert_eq!(p.q("CONFIG SET notify-keyspace-events KEA"), "+OK\r\n");
    assert_eq!(
        s.q("PSUBSCRIBE __key*__:*"),
        "*3\r\n$10\r\npsubscribe\r\n$10\r\n__key*__:*\r\n:1\r\n"
    );
    // Commands that change nothing send nothing (recorded from redis-server 7.0.15).
    let commands: &[&[&str]] = &[
        &["set", "s", "10"],
        &["incr", "s"],
        &["decrby", "s", "2"],
        &["incrby", "s", "0"],
        &["incrbyfloat", "s", "1.5"],
        &["append", "s", "xyz"],
        &["append", "s", ""],
        &["append", "n", "abc"],
        &["setrange", "s", "1", "QQ"],
        &["setrange", "s", "0", ""],
        &["setrange", "none", "0", ""],
        &["getdel", "s"],
        &["getdel", "s"],
        &["set", "g", "v"],
        &["getex", "g"],
        &["getex", "g", "ex", "100"],
        &["getex", "g", "persist"],
        &["getex", "g", "persist"],
        &["getex", "g", "exat", "1"],
        &["set", "p", "v", "ex", "100"],
        &["persist", "p"],
        &["persist", "p"],
        &["copy", "p", "p2"],
        &["copy", "p", "p2"],
        &["copy", "p", "p2", "db", "2"],
        &["move", "p", "3"],
        &["setbit", "b", "7", "1"],
        &["setbit", "b", "7", "1"],
        &["setbit", "b", "7", "0"],
        &["setbit", "b", "100", "0"],
        &["bitop", "not", "d", "b"],
        &["bitop", "or", "d", "nosuch"],
        &["bitop", "or", "d", "nosuch"],
        &["getset", "g2", "v"],
    ];
    for c in commands {
        let args: Vec<&[u8]> = c.iter().map(|a| a.as_bytes()).collect();
        let r = p.cmd(&args);
        assert_ne!(r.first(), Some(&b'-'), "{c:?}");
    }
    let mut want = Vec::new();
    for (db, k, e) in [
        (0, "s", "set"),
        (0, "s", "incrby"),
        (0, "s", "incrby"),
        (0, "s", "incrby"),
        (0, "s", "incrbyfloat"),
        (0, "s", "append"),
        (0, "s", "append"),
        (0, "n", "append"),
        (0, "s", "setrange"),
        (0, "s", "del"),
        (0, "g", "set"),
        (0, "g", "expire"),
        (0, "g", "persist"),
        (0, "g", "del"),
        (0, "p", "set"),
        (0, "p", "expire"),
        (0, "p", "persist"),
        (0, "p2", "copy_to"),
        (2, "p2", "copy_to"),
        (0, "p", "move_from"),
        (3, "p", "move_to"),
        (0, "b", "setbit"),
        (0, "b", "setbit"),
        (0, "b", "setbit"),
        (0, "d", "set"),
        (0, "d", "del"),
        (0, "g2", "set"),
    ] {
        want.extend(events_in(db, k, e));
    }
    for w in &want {
        assert_eq!(String::from_utf8_lossy(&s.read_reply()), *w);
    }
    // Nothing else was sent: the next message is this marker's.
    assert_eq!(p.q("set end 1"), "+OK\r\n");
    assert_eq!(
        String::from_utf8_lossy(&s.read_reply()),
        events("end", "set")[0]
    );
}

/// Events of the hash, list, set, sorted set and SORT commands, in order, as
/// redis-server 7.0.15 published them for the same command sequence.
#[test]
fn data_type_command_events_match_redis() {
    let srv = start_server();
    let mut p = srv.connect();
    let mut sub = srv.connect();
    assert_eq!(p.q("CONFIG SET notify-keyspace-events KEA"), "+OK\r\n");
    assert_eq!(
        sub.cmd(&[b"PSUBSCRIBE", b"__keyevent@0__:*"]),
        b"*3\r\n$10\r\npsubscribe\r\n$16\r\n__keyevent@0__:*\r\n:1\r\n".to_vec()
    );
    let commands: &[&[&[u8]]] = &[
        &[b"HSET", b"h", b"a", b"1", b"b", b"2"],
        &[b"HSETNX", b"h", b"c", b"3"],
        &[b"HINCRBY", b"h", b"a", b"5"],
        &[b"HINCRBYFLOAT", b"h", b"b", b"1.5"],
        &[b"HDEL", b"h", b"a", b"b", b"c"],
        &[b"RPUSH", b"l", b"a", b"b", b"c"],
        &[b"LPUSH", b"l", b"z"],
        &[b"LPOP", b"l"],
        &[b"RPOP", b"l"],
        &[b"LSET", b"l", b"0", b"x"],
        &[b"LINSERT", b"l", b"BEFORE", b"x", b"w"],
        &[b"LREM", b"l", b"0", b"w"],
        &[b"LTRIM", b"l", b"0", b"0"],
        &[b"LMOVE", b"l", b"l2", b"LEFT", b"RIGHT"],
        &[b"RPOPLPUSH", b"l2", b"l3"],
        &[b"SADD", b"s", b"1", b"2", b"3"],
        &[b"SREM", b"s", b"1"],
        &[b"SADD", b"one", b"x"],
        &[b"SPOP", b"one"],
        &[b"SMOVE", b"s", b"s2", b"2"],
        &[b"SADD", b"t", b"9"],
        &[b"SUNIONSTORE", b"u", b"s2", b"t"],
        &[b"SINTERSTORE", b"u", b"s2", b"t"],
        &[b"SDIFFSTORE", b"u", b"s2", b"t"],
        &[b"ZADD", b"z", b"1", b"a", b"2", b"b", b"3", b"c"],
        &[b"ZINCRBY", b"z", b"5", b"a"],
        &[b"ZREM", b"z", b"b"],
        &[b"ZPOPMIN", b"z"],
        &[b"ZADD", b"z", b"1", b"q", b"2", b"r"],
        &[b"ZREMRANGEBYRANK", b"z", b"0", b"0"],
        &[b"ZADD", b"z2", b"1", b"x"],
        &[b"ZUNIONSTORE", b"zu", b"2", b"z", b"z2"],
        &[b"ZINTERSTORE", b"zi", b"2", b"z", b"z2"],
        &[b"RPUSH", b"so", b"3", b"1", b"2"],
        &[b"SORT", b"so", b"STORE", b"sorted"],
        &[
            b"DEL", b"so", b"sorted", b"zu", b"t", b"z", b"z2", b"s2", b"u", b"l3",
        ],
    ];
    for c in commands {
        p.cmd(c);
    }
    let want: &[&str] = &[
        "hset h",
        "hset h",
        "hincrby h",
        "hincrbyfloat h",
        "hdel h",
        "del h",
        "rpush l",
        "lpush l",
        "lpop l",
        "rpop l",
        "lset l",
        "linsert l",
        "lrem l",
        "ltrim l",
        "rpush l2",
        "lpop l",
        "del l",
        "lpush l3",
        "rpop l2",
        "del l2",
        "sadd s",
        "srem s",
        "sadd one",
        "spop one",
        "del one",
        "srem s",
        "sadd s2",
        "sadd t",
        "sunionstore u",
        "del u",
        "sdiffstore u",
        "zadd z",
        "zincr z",
        "zrem z",
        "zpopmin z",
        "zadd z",
        "zremrangebyrank z",
        "zadd z2",
        "zunionstore zu",
        "rpush so",
        "sortstore sorted",
        "del so",
        "del sorted",
        "del zu",
        "del t",
        "del z",
        "del z2",
        "del s2",
        "del u",
        "del l3",
    ];
    for (n, w) in want.iter().enumerate() {
        let msg = String::from_utf8_lossy(&sub.read_reply()).into_owned();
        let parts: Vec<&str> = msg.split("\r\n").collect();
        // *4 $8 pmessage $n pattern $n channel $n key
        let channel = parts.get(6).copied().unwrap_or_default();
        let event = channel.strip_prefix("__keyevent@0__:").unwrap_or(channel);
        let key = parts.get(8).copied().unwrap_or_default();
        assert_eq!(format!("{event} {key}"), *w, "event {n}");
    }
}

/// Class `n`: a `new` event when a key is added (not when overwritten),
/// before the event of the command that added it, as redis-server 7.0.15
/// sends them (`A` does not include `n`).
#[test]
fn new_key_events_match_redis() {
    let srv = start_server();
    let mut s = srv.connect();
    let mut p = srv.connect();
    assert_eq!(p.q("CONFIG SET notify-keyspace-events KEA"), "+OK\r\n");
    s.q("PSUBSCRIBE __key*__:*");
    p.q("SET foo bar");
    assert_eq!(p.q("CONFIG SET notify-keyspace-events KEAn"), "+OK\r\n");
    for c in ["SET foo baz", "SET foo2 bar", "COPY foo2 foo3", "SADD s a"] {
        p.q(c);
    }
    let mut want = events("foo", "set");
    for (k, e) in [
        ("foo", "set"),
        ("foo2", "new"),
        ("foo2", "set"),
        ("foo3", "new"),
        ("foo3", "copy_to"),
        ("s", "new"),
        ("s", "sadd"),
    ] {
        want.extend(events(k, e));
    }
    for w in &want {
        assert_eq!(String::from_utf8_lossy(&s.read_reply()), *w);
    }
    // `En` alone: the keyevent message of new keys only.
    assert_eq!(p.q("CONFIG SET notify-keyspace-events En"), "+OK\r\n");
    p.q("SET bar 1");
    p.q("SET bar 2");
    p.q("SET baz 1");
    for k in ["bar", "baz"] {
        assert_eq!(
            String::from_utf8_lossy(&s.read_reply()),
            events(k, "new")[1]
        );
    }
}
