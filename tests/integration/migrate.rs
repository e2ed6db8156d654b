//! MIGRATE between two Ferrous servers, with replies and errors as
//! redis-server 7.0.15 gave them for the same requests.
use super::support::start_server;

#[test]
fn migrate_moves_copies_and_reports_like_redis() {
    let (src, dst) = (start_server(), start_server());
    let (mut s, mut d) = (src.connect(), dst.connect());
    let port = dst.port.to_string();
    let m = |rest: &str| format!("migrate 127.0.0.1 {port} {rest}");
    assert_eq!(
        s.q("migrate a b c d"),
        "-ERR wrong number of arguments for 'migrate' command\r\n"
    );
    assert_eq!(s.q(&m("k 0 1000 foo")), "-ERR syntax error\r\n");
    assert_eq!(s.q(&m("k 0 1000 auth")), "-ERR syntax error\r\n");
    assert_eq!(
        s.q(&m("k 0 1000 keys a")),
        "-ERR When using MIGRATE KEYS option, the key argument must be set to the empty string\r\n"
    );
    assert_eq!(
        s.q(&m("k x 1000")),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(s.q(&m("k 0 1000")), "+NOKEY\r\n");
    // A key with a TTL moves with it, and leaves the source.
    s.q("set a 1 ex 100");
    assert_eq!(s.q(&m("a 0 1000")), "+OK\r\n");
    assert_eq!(s.q("exists a"), ":0\r\n");
    assert_eq!(d.q("get a"), "$1\r\n1\r\n");
    let pttl: i64 = d.q("pttl a")[1..].trim().parse().unwrap_or(0);
    assert!((90_000..=100_000).contains(&pttl), "{pttl}");
    assert!(s.q("info stats").contains("migrate_cached_sockets:1"));
    // COPY keeps the source; an existing target key needs REPLACE.
    s.q("set b 2");
    assert_eq!(s.q(&m("b 0 1000 copy")), "+OK\r\n");
    assert_eq!(
        s.q(&m("b 0 1000 copy")),
        "-ERR Target instance replied with error: BUSYKEY Target key name already exists.\r\n"
    );
    assert_eq!(s.q(&m("b 0 1000 copy replace")), "+OK\r\n");
    assert_eq!(s.q("get b"), "$1\r\n2\r\n");
    // Several keys at once; missing ones are skipped.
    s.q("rpush l x y");
    s.q("hset h f v");
    let many: Vec<&[u8]> = vec![
        b"migrate",
        b"127.0.0.1",
        port.as_bytes(),
        b"",
        b"0",
        b"1000",
        b"replace",
        b"keys",
        b"b",
        b"zz",
        b"l",
        b"h",
    ];
    assert_eq!(s.cmd(&many), b"+OK\r\n");
    assert_eq!(s.q("exists b l h"), ":0\r\n");
    assert_eq!(d.q("lrange l 0 -1"), "*2\r\n$1\r\nx\r\n$1\r\ny\r\n");
    assert_eq!(d.q("hgetall h"), "*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
    // Another database of the target, and the target's own errors.
    s.q("set c 3");
    assert_eq!(s.q(&m("c 5 1000 copy")), "+OK\r\n");
    d.q("select 5");
    assert_eq!(d.q("get c"), "$1\r\n3\r\n");
    assert_eq!(
        s.q(&m("c 0 1000 auth foo")),
        "-ERR Target instance replied with error: ERR AUTH <password> called without any \
         password configured for the default user. Are you sure your configuration is correct?\r\n"
    );
    assert_eq!(s.q("get c"), "$1\r\n3\r\n");
    // Nobody listening; a name that does not resolve.
    drop(d);
    drop(dst);
    assert_eq!(
        s.q("migrate 127.0.0.1 1 c 0 1000"),
        "-IOERR error or timeout writing to target instance\r\n"
    );
    assert_eq!(
        s.q("migrate nonexistent.invalid 6379 c 0 1000"),
        "-IOERR error or timeout connecting to the client\r\n"
    );
}

/// With an append-only file, the source writes what it lost as a DEL (as
/// redis-server 7.0.15 propagates MIGRATE), never the MIGRATE itself; COPY
/// writes nothing.
#[test]
fn migrate_propagates_as_del() {
    let src = super::support::start_server_with(&["--appendonly", "yes"]);
    let dst = start_server();
    let mut s = src.connect();
    s.q("set a 1");
    s.q("set b 2");
    let port = dst.port.to_string();
    let migrate: Vec<&[u8]> = vec![
        b"migrate",
        b"127.0.0.1",
        port.as_bytes(),
        b"",
        b"0",
        b"1000",
        b"keys",
        b"a",
        b"nokey",
    ];
    assert_eq!(s.cmd(&migrate), b"+OK\r\n");
    assert_eq!(
        s.q(&format!("migrate 127.0.0.1 {port} b 0 1000 copy")),
        "+OK\r\n"
    );
    let incr = src
        .dir
        .join("appendonlydir")
        .join("appendonly.aof.1.incr.aof");
    let aof = std::fs::read(&incr).expect("the incr file");
    let text = String::from_utf8_lossy(&aof);
    assert!(
        text.ends_with("*3\r\n$3\r\nset\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\nDEL\r\n$1\r\na\r\n"),
        "{text:?}"
    );
    assert!(!text.to_ascii_lowercase().contains("migrate"));
}
