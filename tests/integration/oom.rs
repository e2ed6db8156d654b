//! Out of memory as Redis 7.0 decides it for scripts and transactions: which
//! requests get `-OOM` once `used_memory` is over `maxmemory` (`maxmemory 1`
//! keeps any server over it), and how the refusals are counted in INFO's
//! error and command statistics. Every expected reply was recorded from
//! redis-server 7.0.15, and each check runs against it too when installed.
use super::support::{start_reference, start_server, Conn};

const OOM: &str = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";

fn eval(c: &mut Conn, script: &str, args: &[&str]) -> String {
    let mut a: Vec<&[u8]> = vec![b"eval", script.as_bytes()];
    a.extend(args.iter().map(|s| s.as_bytes()));
    String::from_utf8_lossy(&c.cmd(&a)).into_owned()
}

/// One line of an INFO section (`name:value`), or "" when absent.
fn info_line(c: &mut Conn, section: &str, name: &str) -> String {
    let info = c.q(&format!("info {section}"));
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .unwrap_or("")
        .to_string()
}

/// `calls=..,rejected_calls=..,failed_calls=..` of a command, without times.
fn cmdstat(c: &mut Conn, name: &str) -> String {
    let line = info_line(c, "commandstats", &format!("cmdstat_{name}"));
    line.split(',')
        .filter(|f| !f.starts_with("usec"))
        .collect::<Vec<_>>()
        .join(",")
}

fn scripts_under_oom(c: &mut Conn) {
    assert_eq!(c.q("flushall"), "+OK\r\n");
    assert_eq!(c.q("set x 123"), "+OK\r\n");
    assert_eq!(c.q("config set maxmemory 1"), "+OK\r\n");
    // a script without a shebang is not refused as a whole; its first
    // denyoom command is
    let sha = "8b2ae6dd76cda7fc3e27f97431ae27d7b08a221d";
    assert_eq!(
        eval(c, "return redis.call('set','x','1')", &["0"]),
        format!(
            "{}. script: {sha}, on @user_script:1.\r\n",
            &OOM[..OOM.len() - 3]
        )
    );
    assert_eq!(
        eval(c, "return redis.call('get','x')", &["1", "x"]),
        "$3\r\n123\r\n"
    );
    // the error table of pcall carries 7.0's "already counted" mark
    assert_eq!(
        eval(
            c,
            "local t = redis.pcall('set','x','1'); return {t.err, t.ignore_error_stats_update}",
            &["0"]
        ),
        "*2\r\n$55\r\nOOM command not allowed when used memory > 'maxmemory'.\r\n:1\r\n"
    );
    // after a first write (even one that changed nothing) the script may go on
    assert_eq!(
        eval(
            c,
            "redis.call('del','nokey'); return redis.call('set','x','1')",
            &["0"]
        ),
        "+OK\r\n"
    );
    // with a shebang, the script's flags decide before it runs
    assert_eq!(eval(c, "#!lua\nreturn 1", &["0"]), OOM);
    assert_eq!(eval(c, "#!lua flags=\nreturn 1", &["0"]), OOM);
    assert_eq!(eval(c, "#!lua flags=no-writes\nreturn 1", &["0"]), ":1\r\n");
    assert_eq!(
        eval(
            c,
            "#!lua flags=allow-oom\nreturn redis.call('set','x','2')",
            &["0"]
        ),
        "+OK\r\n"
    );
    assert_eq!(c.q("set z 1"), OOM);
    assert_eq!(c.q("get x"), "$1\r\n2\r\n");
    assert_eq!(c.q("config set maxmemory 0"), "+OK\r\n");
}

fn error_statistics(c: &mut Conn) {
    assert_eq!(c.q("config set maxmemory 1"), "+OK\r\n");
    // a refused command inside a script: counted once, as the command's
    // rejection; the script's call failed
    assert_eq!(c.q("config resetstat"), "+OK\r\n");
    eval(c, "return redis.call('set','x','y')", &["1", "x"]);
    assert_eq!(info_line(c, "errorstats", "errorstat_OOM"), "count=1");
    assert_eq!(info_line(c, "stats", "total_error_replies"), "1");
    assert_eq!(cmdstat(c, "set"), "calls=0,rejected_calls=1,failed_calls=0");
    assert_eq!(
        cmdstat(c, "eval"),
        "calls=1,rejected_calls=0,failed_calls=1"
    );
    // an error table returned by the script is not counted again
    assert_eq!(c.q("config resetstat"), "+OK\r\n");
    assert_eq!(
        eval(c, "return redis.pcall('set','x','y')", &["1", "x"]),
        OOM
    );
    assert_eq!(info_line(c, "errorstats", "errorstat_OOM"), "count=1");
    assert_eq!(info_line(c, "stats", "total_error_replies"), "1");
    assert_eq!(c.q("config set maxmemory 0"), "+OK\r\n");
    // nor is a command's own error passed on
    assert_eq!(c.q("config resetstat"), "+OK\r\n");
    eval(c, "return redis.call('select',99)", &["0"]);
    assert_eq!(info_line(c, "errorstats", "errorstat_ERR"), "count=1");
    assert_eq!(
        cmdstat(c, "select"),
        "calls=1,rejected_calls=0,failed_calls=1"
    );
    // an unknown command is counted where it is refused
    assert_eq!(c.q("config resetstat"), "+OK\r\n");
    assert_eq!(
        eval(
            c,
            "local t = redis.pcall('nosuch'); return {t.err, t.ignore_error_stats_update}",
            &["0"]
        ),
        "*2\r\n$44\r\nERR Unknown Redis command called from script\r\n:1\r\n"
    );
    assert_eq!(info_line(c, "errorstats", "errorstat_ERR"), "count=1");
    // an argument error of redis.call itself is the script's error
    assert_eq!(
        eval(
            c,
            "local t = redis.pcall(); return {t.err, t.ignore_error_stats_update}",
            &["0"]
        ),
        "*1\r\n$64\r\nERR Please specify at least one argument for this redis lib call\r\n"
    );
}

fn transactions_under_oom(a: &mut Conn, b: &mut Conn) {
    assert_eq!(a.q("config resetstat"), "+OK\r\n");
    // memory went over the limit after a denyoom command was queued
    assert_eq!(a.q("multi"), "+OK\r\n");
    assert_eq!(a.q("set x 1"), "+QUEUED\r\n");
    assert_eq!(b.q("config set maxmemory 1"), "+OK\r\n");
    assert_eq!(
        a.q("exec"),
        "-EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'.\r\n"
    );
    // while over it, nothing is queued (reads neither), DISCARD still works
    assert_eq!(a.q("multi"), "+OK\r\n");
    assert_eq!(a.q("get x"), OOM);
    assert_eq!(a.q("ping"), OOM);
    assert_eq!(a.q("discard"), "+OK\r\n");
    assert_eq!(a.q("multi"), "+OK\r\n");
    assert_eq!(a.q("config set maxmemory 0"), OOM);
    assert_eq!(
        a.q("exec"),
        "-EXECABORT Transaction discarded because of previous errors.\r\n"
    );
    // a transaction of reads only runs
    assert_eq!(b.q("config set maxmemory 0"), "+OK\r\n");
    assert_eq!(a.q("multi"), "+OK\r\n");
    assert_eq!(a.q("get nokey"), "+QUEUED\r\n");
    assert_eq!(b.q("config set maxmemory 1"), "+OK\r\n");
    assert_eq!(a.q("exec"), "*1\r\n$-1\r\n");
    // a script queued before its flags were known is refused when it runs
    assert_eq!(b.q("config set maxmemory 0"), "+OK\r\n");
    assert_eq!(b.q("script flush"), "+OK\r\n");
    assert_eq!(a.q("multi"), "+OK\r\n");
    let sha = "cb70127618f0b0be70c53cf6bfcfa54a29d9b0c0";
    assert_eq!(a.q(&format!("evalsha {sha} 0")), "+QUEUED\r\n");
    let loaded = b.cmd(&[b"script", b"load", b"#!lua\nreturn 1"]);
    assert_eq!(loaded, format!("$40\r\n{sha}\r\n").into_bytes());
    assert_eq!(b.q("config set maxmemory 1"), "+OK\r\n");
    assert_eq!(
        a.q("exec"),
        "*1\r\n-OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'\r\n"
    );
    assert_eq!(
        cmdstat(a, "exec"),
        "calls=3,rejected_calls=1,failed_calls=1"
    );
    assert_eq!(b.q("config set maxmemory 0"), "+OK\r\n");
}

fn check_all(a: &mut Conn, b: &mut Conn) {
    scripts_under_oom(a);
    error_statistics(a);
    transactions_under_oom(a, b);
}

#[test]
fn scripts_and_transactions_meet_oom_as_redis_decides() {
    let srv = start_server();
    check_all(&mut srv.connect(), &mut srv.connect());
}

#[test]
fn scripts_and_transactions_meet_oom_in_the_reference_too() {
    let Some(r) = start_reference() else {
        return;
    };
    check_all(&mut r.connect(), &mut r.connect());
}
