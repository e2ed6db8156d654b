//! SLOWLOG, MONITOR, ROLE, WAIT and LATENCY over TCP. The expected lines were
//! recorded from redis-server 7.0.15 with the same requests (addresses and
//! times, which differ per run, are cut out before comparing).
use crate::support::*;
use std::time::Duration;

/// A slow log entry's arguments, addresses replaced by `ADDR`.
fn entry_args(reply: &Resp) -> Vec<Vec<Vec<u8>>> {
    reply
        .as_array()
        .unwrap_or_default()
        .iter()
        .map(|e| e.as_array().map(|f| f[3].bulks()).unwrap_or_default())
        .collect()
}

#[test]
fn slowlog_keeps_redacted_and_cut_arguments() {
    let srv = start_server();
    let mut c = srv.connect();
    assert_eq!(c.q("config set slowlog-log-slower-than 0"), "+OK\r\n");
    assert_eq!(c.q("slowlog reset"), "+OK\r\n");
    c.q("auth foo");
    c.q("hello 2 auth a b");
    let long = "A".repeat(129);
    c.q(&format!("set k {long}"));
    c.q("multi");
    c.q("set a b");
    c.q("exec");
    let got = entry_args(&Resp::parse(&c.cmd(&[b"slowlog", b"get"])));
    let cut = format!("{}... (1 more bytes)", "A".repeat(128));
    let want: Vec<Vec<&str>> = vec![
        vec!["set", "a", "b"],
        vec!["multi"],
        vec!["set", "k", &cut],
        vec!["hello", "2", "auth", "(redacted)", "(redacted)"],
        vec!["auth", "(redacted)"],
        vec!["slowlog", "reset"],
    ];
    let want: Vec<Vec<Vec<u8>>> = want
        .iter()
        .map(|e| e.iter().map(|a| a.as_bytes().to_vec()).collect())
        .collect();
    assert_eq!(got, want);
    assert_eq!(
        c.q("slowlog get -2"),
        "-ERR count should be greater than or equal to -1\r\n"
    );
    assert_eq!(
        c.q("slowlog get 1 2"),
        "-ERR unknown subcommand or wrong number of arguments for 'get'. Try SLOWLOG HELP.\r\n"
    );
    assert_eq!(c.q("config set slowlog-max-len 1"), "+OK\r\n");
    assert_eq!(c.q("slowlog len"), ":1\r\n");
}

#[test]
fn monitor_streams_commands_as_7_0_does() {
    let srv = start_server();
    let mut m = srv.connect();
    assert_eq!(m.q("monitor"), "+OK\r\n");
    let mut c = srv.connect();
    c.cmd(&[
        b"eval",
        b"redis.call('set',KEYS[1],ARGV[1])",
        b"1",
        b"foo",
        b"bar",
    ]);
    c.q("multi");
    c.q("set a b");
    c.q("exec");
    c.q("config get hz");
    c.q("auth x");
    c.q("select 3");
    let mut lines = Vec::new();
    while lines.len() < 7 {
        let r = m.read_reply_within(Duration::from_secs(5));
        let s = String::from_utf8_lossy(&r).into_owned();
        // `+<secs>.<usecs> [<db> <addr>] args`: keep the db and the arguments.
        let (_, rest) = s.split_once(" [").unwrap_or(("", &s));
        let (db_who, args) = rest.split_once("] ").unwrap_or((rest, ""));
        let db = db_who.split(' ').next().unwrap_or("");
        let who = if db_who.ends_with("lua") { " lua" } else { "" };
        lines.push(format!("{db}{who} {}", args.trim_end()));
    }
    assert_eq!(
        lines,
        [
            "0 \"eval\" \"redis.call('set',KEYS[1],ARGV[1])\" \"1\" \"foo\" \"bar\"",
            "0 lua \"set\" \"foo\" \"bar\"",
            "0 \"multi\"",
            "0 \"set\" \"a\" \"b\"",
            "0 \"exec\"",
            "0 \"auth\" \"(redacted)\"",
            "3 \"select\" \"3\"",
        ]
    );
    assert_eq!(
        m.q("get a"),
        "-ERR Replica can't interact with the keyspace\r\n"
    );
    assert_eq!(m.q("reset"), "+RESET\r\n");
    assert_eq!(c.q("multi"), "+OK\r\n");
    assert_eq!(c.q("monitor"), "+QUEUED\r\n");
    assert_eq!(
        c.q("exec"),
        "*1\r\n-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n"
    );
}

#[test]
fn role_wait_and_latency() {
    let srv = start_server();
    let mut c = srv.connect();
    assert_eq!(c.q("role"), "*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n");
    assert_eq!(c.q("wait 0 0"), ":0\r\n");
    assert_eq!(c.q("wait 1 50"), ":0\r\n");
    assert_eq!(c.q("wait 1 -1"), "-ERR timeout is negative\r\n");
    assert_eq!(
        c.q("wait 1 x"),
        "-ERR timeout is not an integer or out of range\r\n"
    );
    assert_eq!(c.q("latency latest"), "*0\r\n");
    assert_eq!(c.q("latency history command"), "*0\r\n");
    assert_eq!(c.q("latency reset nope"), ":0\r\n");
    assert_eq!(
        c.q("latency graph command"),
        "-ERR No samples available for event 'command'\r\n"
    );
    c.q("set a b");
    let h = c.q("latency histogram set nope");
    assert!(
        h.starts_with("*2\r\n$3\r\nset\r\n*4\r\n$5\r\ncalls\r\n:1\r\n$14\r\nhistogram_usec\r\n"),
        "{h}"
    );
}

/// LATENCY GRAPH of a slow command, in the shape redis-server 7.0.15 draws it:
/// the header, 80 dashes, four bar rows, a blank row, the label rows.
#[test]
fn latency_graph_draws_the_samples() {
    let srv = start_server_with(&["--enable-debug-command", "yes"]);
    let mut c = srv.connect();
    c.q("config set latency-monitor-threshold 20");
    c.q("debug sleep 0.03");
    let g = c.q("latency graph command");
    let body = g.split_once("\r\n").map_or("", |(_, b)| b);
    let lines: Vec<&str> = body.trim_end_matches("\r\n").split('\n').collect();
    assert!(lines[0].starts_with("command - high "), "{g}");
    assert!(lines[0].ends_with(" ms)"), "{g}");
    assert_eq!(lines[1], "-".repeat(80));
    // One sample: it is the minimum, so it sits on the floor.
    assert_eq!(lines[2..7], [" ", " ", " ", "_", " "]);
    // Its label: seconds ago (0, or 1 if a second turned in between).
    assert!(lines[7] == "0" || lines[7] == "1", "{g}");
    assert_eq!(lines[8], "s");
}

/// TTL, PTTL, TYPE and EXISTS leave a key's access time alone; TOUCH and GET
/// do not (as redis-server 7.0.15: OBJECT IDLETIME keeps growing).
#[test]
fn ttl_type_and_exists_do_not_touch_the_key() {
    let srv = start_server();
    let mut c = srv.connect();
    c.q("set foo bar");
    std::thread::sleep(Duration::from_millis(2100));
    for q in [
        "ttl foo",
        "pttl foo",
        "type foo",
        "exists foo",
        "expiretime foo",
    ] {
        c.q(q);
    }
    let idle: i64 = c.q("object idletime foo")[1..].trim().parse().unwrap_or(-1);
    assert!(idle >= 2, "{idle}");
    assert_eq!(c.q("touch foo"), ":1\r\n");
    assert_eq!(c.q("object idletime foo"), ":0\r\n");
}

/// The lines of INFO everything about BLPOP and the UNBLOCKED error.
fn unblock_stats(c: &mut Conn) -> Vec<String> {
    c.q("info everything")
        .split("\r\n")
        .filter(|l| {
            l.starts_with("total_error_replies:")
                || l.starts_with("errorstat_UNBLOCKED:")
                || l.starts_with("cmdstat_blpop:")
        })
        .map(|l| {
            // usec figures differ from run to run
            l.split(',')
                .filter(|f| !f.starts_with("usec"))
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect()
}

/// CLIENT UNBLOCK in the statistics, as redis-server 7.0.15 counts it (its
/// suite's "errorstats: blocking commands", and recorded): ERROR counts an
/// UNBLOCKED error reply; either way the unblocked command counts as failed.
#[test]
fn client_unblock_counts_in_error_and_command_stats() {
    let srv = start_server();
    let (mut a, mut b) = (srv.connect(), srv.connect());
    a.q("config resetstat");
    let id = b.q("client id");
    let id = id.trim_start_matches(':').trim_end().to_string();
    b.send(b"*3\r\n$5\r\nBLPOP\r\n$5\r\nlist1\r\n$1\r\n0\r\n");
    crate::list::until_blocked(&mut a, 1);
    assert_eq!(a.q(&format!("client unblock {id} error")), ":1\r\n");
    assert_eq!(
        b.read_reply(),
        b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"
    );
    assert_eq!(
        unblock_stats(&mut a),
        [
            "total_error_replies:1",
            "cmdstat_blpop:calls=1,rejected_calls=0,failed_calls=1",
            "errorstat_UNBLOCKED:count=1",
        ]
    );
    b.send(b"*3\r\n$5\r\nBLPOP\r\n$5\r\nlist2\r\n$1\r\n0\r\n");
    crate::list::until_blocked(&mut a, 1);
    assert_eq!(a.q(&format!("client unblock {id}")), ":1\r\n");
    assert_eq!(b.read_reply(), b"*-1\r\n");
    assert_eq!(
        unblock_stats(&mut a),
        [
            "total_error_replies:1",
            "cmdstat_blpop:calls=2,rejected_calls=0,failed_calls=2",
            "errorstat_UNBLOCKED:count=1",
        ]
    );
    assert_eq!(a.q(&format!("client unblock {id}")), ":0\r\n");
}

/// MIGRATE's AUTH password and AUTH2 user and password are redacted in the
/// slow log as they are parsed, even when a later option is refused
/// (recorded from redis-server 7.0.15 with the same requests).
#[test]
fn slowlog_redacts_migrate_credentials() {
    let srv = start_server();
    let mut c = srv.connect();
    assert_eq!(c.q("config set slowlog-log-slower-than 0"), "+OK\r\n");
    assert_eq!(c.q("slowlog reset"), "+OK\r\n");
    let port = srv.port.to_string();
    assert_eq!(
        c.q(&format!("migrate 127.0.0.1 {port} key 9 5000 AUTH user")),
        "+NOKEY\r\n"
    );
    c.q(&format!(
        "migrate 127.0.0.1 {port} key 9 5000 AUTH2 user password"
    ));
    assert_eq!(
        c.q(&format!(
            "migrate 127.0.0.1 {port} key 9 5000 AUTH2 user password BOGUS"
        )),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        c.q(&format!("migrate 127.0.0.1 {port} key 9 5000 AUTH")),
        "-ERR syntax error\r\n"
    );
    let got = entry_args(&Resp::parse(&c.cmd(&[b"slowlog", b"get", b"4"])));
    let head = ["migrate", "127.0.0.1", port.as_str(), "key", "9", "5000"];
    let with = |tail: &[&str]| -> Vec<Vec<u8>> {
        head.iter()
            .chain(tail)
            .map(|s| s.as_bytes().to_vec())
            .collect()
    };
    assert_eq!(
        got,
        vec![
            with(&["AUTH"]),
            with(&["AUTH2", "(redacted)", "(redacted)", "BOGUS"]),
            with(&["AUTH2", "(redacted)", "(redacted)"]),
            with(&["AUTH", "(redacted)"]),
        ]
    );
}
