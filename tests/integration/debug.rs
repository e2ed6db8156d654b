//! DEBUG's introspection and test-steering subcommands (server started with
//! `--enable-debug-command yes`), checked against what redis-server 7.0.15
//! answered to the same requests. Addresses and access clocks differ from
//! run to run, so they are masked before comparing.
use super::support::start_server_with;

/// DEBUG OBJECT's line with the address and the clock masked.
fn masked(reply: &str) -> String {
    reply
        .split(' ')
        .map(|w| {
            if w.starts_with("at:0x") {
                "at:X"
            } else if w.starts_with("lru:") {
                "lru:N"
            } else {
                w
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn debug_object_matches_redis() {
    let srv = start_server_with(&["--enable-debug-command", "yes"]);
    let mut c = srv.connect();
    c.q("set foo bar");
    c.q("set n 123");
    c.q("set big 12345678901");
    c.q("rpush l a b c");
    c.send(b"*3\r\n$3\r\nset\r\n$4\r\nlong\r\n$100\r\n");
    c.send(&[b'x'; 100]);
    c.send(b"\r\n");
    assert_eq!(c.read_reply(), b"+OK\r\n");
    let cases = [
        ("foo", "+Value at:X refcount:1 encoding:embstr serializedlength:4 lru:N lru_seconds_idle:0\r\n"),
        ("n", "+Value at:X refcount:2147483647 encoding:int serializedlength:2 lru:N lru_seconds_idle:0\r\n"),
        ("big", "+Value at:X refcount:1 encoding:int serializedlength:12 lru:N lru_seconds_idle:0\r\n"),
        (
            "l",
            "+Value at:X refcount:1 encoding:quicklist serializedlength:19 lru:N lru_seconds_idle:0 \
             ql_nodes:1 ql_avg_node:3.00 ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:16\r\n",
        ),
        // LZF-compressed in the RDB.
        ("long", "+Value at:X refcount:1 encoding:raw serializedlength:13 lru:N lru_seconds_idle:0\r\n"),
    ];
    for (key, want) in cases {
        assert_eq!(masked(&c.q(&format!("debug object {key}"))), want, "{key}");
    }
    assert_eq!(c.q("debug object nokey"), "-ERR no such key\r\n");
    // INCR changes a number in place: the same address before and after.
    c.q("set counter 20000");
    let before = c.q("debug object counter");
    c.q("incr counter");
    let at = |s: &str| s.split(' ').nth(1).map(str::to_string);
    assert_eq!(at(&before), at(&c.q("debug object counter")));
}

#[test]
fn debug_layouts_and_tables_match_redis() {
    let srv = start_server_with(&["--enable-debug-command", "yes"]);
    let mut c = srv.connect();
    c.q("rpush l a b c");
    assert_eq!(
        c.q("debug listpack l"),
        "-ERR Not a listpack encoded object.\r\n"
    );
    assert_eq!(
        c.q("debug quicklist l"),
        "+Quicklist structure printed on stdout\r\n"
    );
    c.q("hset small a 1");
    assert_eq!(
        c.q("debug htstats-key small"),
        "-ERR The value stored at the specified key is not represented using an hash table\r\n"
    );
    assert_eq!(c.q("debug htstats-key nokey"), "-ERR no such key\r\n");
    c.q("config set hash-max-listpack-entries 2");
    c.q("hset h a 1 b 2 c 3");
    let stats = c.q("debug htstats-key h");
    assert!(
        stats.contains(
            "Hash table 0 stats (main hash table):\n table size: 4\n number of elements: 3\n"
        ),
        "{stats}"
    );
    assert_eq!(c.q("debug htstats 99"), "-ERR Out of range database\r\n");
    // 7.0 has no FULL argument (7.2 added it).
    assert_eq!(
        c.q("debug htstats 0 full"),
        "-ERR unknown subcommand or wrong number of arguments for 'htstats'. Try DEBUG HELP.\r\n"
    );
    assert_eq!(
        c.q("debug htstats-key h full"),
        "-ERR unknown subcommand or wrong number of arguments for 'htstats-key'. Try DEBUG HELP.\r\n"
    );
    assert_eq!(
        c.q("debug htstats x"),
        "-ERR value is not an integer or out of range\r\n"
    );
    let db = c.q("debug htstats 1");
    assert!(db.contains(
        "[Dictionary HT]\nHash table 0 stats (main hash table):\nNo stats available for empty dictionaries\n\
         [Expires HT]\nHash table 0 stats (main hash table):\nNo stats available for empty dictionaries\n"
    ), "{db}");
}

#[test]
fn debug_populate_and_switches_match_redis() {
    let srv = start_server_with(&["--enable-debug-command", "yes"]);
    let mut c = srv.connect();
    c.q("set p:1 kept");
    assert_eq!(c.q("debug populate 3 p 2"), "+OK\r\n");
    // Existing keys are left alone; the values are cut to 2 bytes.
    assert_eq!(
        c.q("mget p:0 p:1 p:2 p:3"),
        "*4\r\n$2\r\nva\r\n$4\r\nkept\r\n$2\r\nva\r\n$-1\r\n"
    );
    assert_eq!(c.q("debug populate 2"), "+OK\r\n");
    assert_eq!(c.q("get key:1"), "$7\r\nvalue:1\r\n");
    assert_eq!(c.q("debug populate 1 z 9"), "+OK\r\n");
    assert_eq!(c.q("strlen z:0"), ":9\r\n");
    for bad in [
        "debug populate -1",
        "debug populate x",
        "debug populate 2 k x",
    ] {
        assert_eq!(
            c.q(bad),
            "-ERR value is out of range, must be positive\r\n",
            "{bad}"
        );
    }
    // (The threshold is process-wide and tests share the process: only the
    // default is set here.)
    assert_eq!(c.q("debug quicklist-packed-threshold 0"), "+OK\r\n");
    assert_eq!(c.q("debug quicklist-packed-threshold 1gb"), "+OK\r\n");
    assert_eq!(
        c.q("debug quicklist-packed-threshold 5gb"),
        "-ERR argument must be a memory value bigger than 1 and smaller than 4gb\r\n"
    );
    assert_eq!(c.q("debug pause-cron 1"), "+OK\r\n");
    assert_eq!(c.q("debug pause-cron 0"), "+OK\r\n");
    // A payload with a wrong CRC-64 restores only while checks are skipped.
    let payload: &[u8] = b"\x00\x03bar\x0a\x00AAAAAAAA";
    let wrong = "-ERR DUMP payload version or checksum are wrong\r\n";
    assert_eq!(c.cmd(&[b"restore", b"k", b"0", payload]), wrong.as_bytes());
    assert_eq!(c.q("debug set-skip-checksum-validation 1"), "+OK\r\n");
    assert_eq!(c.cmd(&[b"restore", b"k", b"0", payload]), b"+OK\r\n");
    assert_eq!(c.q("get k"), "$3\r\nbar\r\n");
    // The version is still checked.
    let newer: &[u8] = b"\x00\x03bar\x0b\x00AAAAAAAA";
    assert_eq!(c.cmd(&[b"restore", b"k2", b"0", newer]), wrong.as_bytes());
    assert_eq!(c.q("debug set-skip-checksum-validation 0"), "+OK\r\n");
    assert_eq!(c.cmd(&[b"restore", b"k3", b"0", payload]), wrong.as_bytes());
}

/// DEBUG CHANGE-REPL-ID gives a new INFO `master_replid`; the subcommands
/// with which Redis crashes or restarts itself are refused, and the server
/// goes on.
#[test]
fn debug_change_repl_id_and_refused_crashes() {
    let srv = start_server_with(&["--enable-debug-command", "yes"]);
    let mut c = srv.connect();
    let replid = |c: &mut super::support::Conn| {
        let info = c.q("info replication");
        info.lines()
            .find_map(|l| l.strip_prefix("master_replid:").map(str::to_string))
            .unwrap_or_default()
    };
    let before = replid(&mut c);
    assert_eq!(before.len(), 40);
    assert_eq!(c.q("debug change-repl-id"), "+OK\r\n");
    let after = replid(&mut c);
    assert_eq!(after.len(), 40);
    assert_ne!(before, after);
    for sub in [
        "segfault",
        "panic",
        "oom",
        "assert",
        "restart",
        "crash-and-recover",
    ] {
        let r = c.q(&format!("debug {sub}"));
        assert!(
            r.starts_with("-ERR DEBUG ") && r.contains("not supported"),
            "{r}"
        );
    }
    assert_eq!(c.q("ping"), "+PONG\r\n");
}

/// DEBUG HTSTATS-KEY's chain figures, in the lines and order redis-server
/// 7.0.15 prints for a set of 7 members in a hash table (recorded: " table
/// size: 8\n number of elements: 7\n different slots: 4\n max chain length:
/// 3\n avg chain length (counted): 1.75\n ..." then "   0: 4 (50.00%)" and so
/// on; the buckets each member lands in depend on the process's hash key, so
/// the figures are checked for consistency, not copied).
#[test]
fn debug_htstats_key_reports_chains_as_redis() {
    let srv = start_server_with(&["--enable-debug-command", "yes"]);
    let mut c = srv.connect();
    c.q("config set set-max-intset-entries 0");
    c.q("sadd s 1 2 3 4 5 6 7");
    let reply = c.q("debug htstats-key s");
    // A verbatim string: a bulk string in RESP2.
    let text = reply.split_once("\r\n").map_or("", |(_, t)| t);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.get(..3),
        Some(
            &[
                "Hash table 0 stats (main hash table):",
                " table size: 8",
                " number of elements: 7"
            ][..]
        ),
        "{text}"
    );
    let value = |prefix: &str| -> f64 {
        lines
            .iter()
            .find_map(|l| l.strip_prefix(prefix))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{prefix} in {text}"))
    };
    let slots = value(" different slots: ");
    let max = value(" max chain length: ");
    assert_eq!(
        value(" avg chain length (counted): "),
        (7.0 / slots * 100.0).round() / 100.0
    );
    assert_eq!(lines.get(7), Some(&" Chain length distribution:"));
    // "   len: buckets (share%)": every bucket once, every member once.
    let (mut buckets, mut members, mut longest) = (0.0, 0.0, 0.0);
    for l in lines[8..].iter().filter(|l| !l.is_empty()) {
        let (len, rest) = l.trim().split_once(": ").expect("a class");
        let (n, share) = rest.split_once(' ').expect("a share");
        let (len, n): (f64, f64) = (len.parse().expect("len"), n.parse().expect("n"));
        assert_eq!(share, format!("({:.2}%)", n / 8.0 * 100.0));
        buckets += n;
        members += len * n;
        longest = len;
    }
    assert_eq!((buckets, members, longest), (8.0, 7.0, max));
}

/// DEBUG SDSLEN and STRUCTSIZE: 7.0.15's lines and errors (recorded:
/// "key_sds_len:3, key_sds_avail:0, key_zmalloc: 8, val_sds_len:3,
/// val_sds_avail:0, val_zmalloc: 16" for `set foo bar`, "ERR Not an sds
/// encoded string." for an int or a list, "bits:64 robj:16 dictentry:24
/// sdshdr5:1 ..."), with Ferrous's figures: a short key and a short value
/// live inside the keyspace entry (no allocation), and there are no sds
/// headers to size.
#[test]
fn debug_sdslen_and_structsize() {
    let srv = start_server_with(&["--enable-debug-command", "yes"]);
    let mut c = srv.connect();
    c.q("set foo bar");
    assert_eq!(
        c.q("debug sdslen foo"),
        "+key_sds_len:3, key_sds_avail:0, key_zmalloc: 0, val_sds_len:3, val_sds_avail:0, \
         val_zmalloc: 0\r\n"
    );
    let long_key = "k".repeat(38);
    c.q(&format!("set {long_key} {}", "x".repeat(100)));
    let line = c.q(&format!("debug sdslen {long_key}"));
    assert!(
        line.starts_with("+key_sds_len:38, key_sds_avail:0, key_zmalloc: ")
            && line.contains(", val_sds_len:100, val_sds_avail:0, val_zmalloc: "),
        "{line}"
    );
    c.q("set n 123");
    c.q("rpush l a");
    for key in ["n", "l"] {
        assert_eq!(
            c.q(&format!("debug sdslen {key}")),
            "-ERR Not an sds encoded string.\r\n"
        );
    }
    assert_eq!(c.q("debug sdslen nokey"), "-ERR no such key\r\n");
    assert_eq!(
        c.q("debug sdslen"),
        "-ERR unknown subcommand or wrong number of arguments for 'sdslen'. Try DEBUG HELP.\r\n"
    );
    let sizes = c.q("debug structsize");
    assert!(sizes.contains("\r\nbits:64 robj:"), "{sizes}");
    // The entry's size follows the keyspace's layout: a number, whatever it is.
    let entry = sizes
        .split("dictentry:")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse::<usize>().ok());
    assert!(entry.is_some_and(|n| n > 0), "{sizes}");
    assert_eq!(
        c.q("debug structsize x"),
        "-ERR unknown subcommand or wrong number of arguments for 'structsize'. Try DEBUG HELP.\r\n"
    );
}

/// A connection to `port` once something listens there (10 s at most).
fn connect_when_up(port: u16) -> Option<super::support::Conn> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        if let Ok(s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            return Some(super::support::Conn::from_stream(s));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    None
}

/// Starts the server binary on the config file `conf` and connects to `port`.
fn start_on_file(conf: &std::path::Path, port: u16) -> (std::process::Child, super::support::Conn) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ferrous"))
        .arg(conf)
        .current_dir(conf.parent().expect("its folder"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start ferrous");
    let conn = connect_when_up(port);
    if conn.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    (child, conn.expect("ferrous started"))
}

/// DEBUG CONFIG-REWRITE-FORCE-ALL writes every parameter, defaults too, and a
/// server started on that file has the same configuration (Redis's suite,
/// "CONFIG REWRITE sanity"); without a config file it fails as 7.0.15 answers
/// (recorded: "ERR CONFIG-REWRITE-FORCE-ALL failed: Bad address").
#[test]
fn debug_config_rewrite_force_all() {
    let srv = start_server_with(&["--enable-debug-command", "yes"]);
    assert_eq!(
        srv.connect().q("debug config-rewrite-force-all"),
        "-ERR CONFIG-REWRITE-FORCE-ALL failed: Bad address\r\n"
    );
    let dir = super::support::temp_dir("force-all");
    let conf = dir.join("f.conf");
    let port = super::support::free_port();
    let text = format!("port {port}\nbind 127.0.0.1\nsave \"\"\nenable-debug-command yes\n");
    std::fs::write(&conf, text).expect("write the config file");
    let (mut child, mut c) = start_on_file(&conf, port);
    let before = c.q("config get *");
    assert_eq!(c.q("debug config-rewrite-force-all"), "+OK\r\n");
    let _ = child.kill();
    let _ = child.wait();
    let lines = std::fs::read_to_string(&conf)
        .expect("read it")
        .lines()
        .count();
    assert!(lines > 100, "{lines} lines");
    let (mut child, mut c) = start_on_file(&conf, port);
    let after = c.q("config get *");
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(before, after);
}
