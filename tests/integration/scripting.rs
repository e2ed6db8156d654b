//! Scripting over TCP: EVAL/EVALSHA/EVAL_RO/EVALSHA_RO/SCRIPT replies compared byte
//! for byte with what redis-server 7.0.15 answered to the same requests (recorded
//! in `tests/transcripts/`, in order, on one connection of a fresh server), plus
//! the behaviours that need several connections: busy scripts, SCRIPT KILL, WATCH,
//! PUBLISH.
use super::support::{multibulk, start_server, start_server_with};
use super::transcript::run_transcript;
use std::time::{Duration, Instant};

/// The recorded sessions of this file (see `transcript.rs` for the format).
const TRANSCRIPT: &str = include_str!("../transcripts/scripting.txt");

#[test]
fn eval_and_script_replies_match_redis() {
    run_transcript(TRANSCRIPT, "eval_and_script_replies_match_redis");
}

#[test]
fn numkeys_is_read_as_string2ll() {
    run_transcript(TRANSCRIPT, "numkeys_is_read_as_string2ll");
}

#[test]
fn script_arguments_and_sort_by_constant() {
    run_transcript(TRANSCRIPT, "script_arguments_and_sort_by_constant");
}

#[test]
fn busy_script_gets_busy_replies_and_script_kill_stops_it() {
    let srv = start_server_with(&["--lua-time-limit", "100"]);
    let mut runner = srv.connect();
    runner.send(&super::support::multibulk(&[
        b"EVAL",
        b"local i = 0 while true do i = i + 1 end",
        b"0",
    ]));
    // let the script start before asking
    std::thread::sleep(Duration::from_millis(300));
    let mut other = srv.connect();
    let start = Instant::now();
    // Before the threshold the other client waits; after it, BUSY.
    let got = other.cmd(&[b"GET", b"x"]);
    assert_eq!(
        String::from_utf8_lossy(&got),
        "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n"
    );
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(other.cmd(&[b"SCRIPT", b"KILL"]), b"+OK\r\n".to_vec());
    let killed = runner.read_reply();
    assert_eq!(
        String::from_utf8_lossy(&killed),
        "-ERR Script killed by user with SCRIPT KILL... script: \
         3fcf51a9b854b8f66cb8685600b0d7df968f4398, on @user_script:1.\r\n"
    );
    assert_eq!(other.cmd(&[b"PING"]), b"+PONG\r\n".to_vec());
    assert_eq!(
        other.cmd(&[b"SCRIPT", b"KILL"]),
        b"-NOTBUSY No scripts in execution right now.\r\n".to_vec()
    );
}

#[test]
fn script_that_wrote_is_unkillable() {
    let srv = start_server_with(&["--lua-time-limit", "100"]);
    let mut runner = srv.connect();
    runner.send(&super::support::multibulk(&[
        b"EVAL",
        b"redis.call('set', 'w', '1') local t = redis.call('time') \
          while tonumber(redis.call('time')[1]) < tonumber(t[1]) + 2 do end return 'done'",
        b"0",
    ]));
    // let the script start before asking
    std::thread::sleep(Duration::from_millis(300));
    let mut other = srv.connect();
    let got = other.cmd(&[b"SCRIPT", b"KILL"]);
    assert_eq!(
        String::from_utf8_lossy(&got),
        "-UNKILLABLE Sorry the script already executed write commands against the dataset. \
         You can either wait the script termination or kill the server in a hard way using \
         the SHUTDOWN NOSAVE command.\r\n"
    );
    assert_eq!(runner.read_reply(), b"$4\r\ndone\r\n".to_vec());
    assert_eq!(other.cmd(&[b"GET", b"w"]), b"$1\r\n1\r\n".to_vec());
}

#[test]
fn script_write_invalidates_watch() {
    let srv = start_server();
    let mut a = srv.connect();
    let mut b = srv.connect();
    assert_eq!(a.cmd(&[b"WATCH", b"k"]), b"+OK\r\n".to_vec());
    assert_eq!(
        b.cmd(&[
            b"EVAL",
            b"return redis.call('set', KEYS[1], 'x')",
            b"1",
            b"k"
        ]),
        b"+OK\r\n".to_vec()
    );
    assert_eq!(a.cmd(&[b"MULTI"]), b"+OK\r\n".to_vec());
    assert_eq!(a.cmd(&[b"GET", b"k"]), b"+QUEUED\r\n".to_vec());
    assert_eq!(a.cmd(&[b"EXEC"]), b"*-1\r\n".to_vec());
}

#[test]
fn publish_from_a_script_reaches_subscribers() {
    let srv = start_server();
    let mut sub = srv.connect();
    assert_eq!(
        sub.cmd(&[b"SUBSCRIBE", b"ch"]),
        b"*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n".to_vec()
    );
    let mut p = srv.connect();
    assert_eq!(
        p.cmd(&[b"EVAL", b"return redis.call('publish', 'ch', 'hi')", b"0"]),
        b":1\r\n".to_vec()
    );
    assert_eq!(
        sub.read_reply(),
        b"*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n".to_vec()
    );
}

#[test]
fn script_cache_survives_until_flush_and_counts_in_info() {
    let srv = start_server();
    let mut c = srv.connect();
    let sha = c.cmd(&[b"SCRIPT", b"LOAD", b"return 42"]);
    assert_eq!(
        sha,
        b"$40\r\n1fa00e76656cc152ad327c13fe365858fd7be306\r\n".to_vec()
    );
    let info = String::from_utf8_lossy(&c.cmd(&[b"INFO", b"memory"])).into_owned();
    assert!(info.contains("number_of_cached_scripts:1\r\n"), "{info}");
    assert_eq!(c.cmd(&[b"SCRIPT", b"FLUSH"]), b"+OK\r\n".to_vec());
    assert_eq!(
        c.cmd(&[
            b"EVALSHA",
            b"1fa00e76656cc152ad327c13fe365858fd7be306",
            b"0"
        ]),
        b"-NOSCRIPT No matching script. Please use EVAL.\r\n".to_vec()
    );
}

#[test]
fn script_heap_is_bounded_and_the_server_lives_on() {
    let srv = start_server();
    let mut c = srv.connect();
    assert_eq!(c.cmd(&[b"SET", b"keep", b"me"]), b"+OK\r\n".to_vec());
    let endless = b"local t = {} local i = 0 while true do i = i + 1 t[i] = i end";
    // Filling 512 MiB of Lua heap takes seconds on a loaded machine.
    c.send(&multibulk(&[b"EVAL", endless, b"0"]));
    assert_eq!(
        c.read_reply_within(Duration::from_secs(60)),
        b"-ERR not enough memory\r\n".to_vec()
    );
    // the heap is given back, the keyspace and the engine are intact
    let info = String::from_utf8_lossy(&c.cmd(&[b"INFO", b"memory"])).into_owned();
    let lua: u64 = info
        .lines()
        .find_map(|l| l.strip_prefix("used_memory_lua:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(u64::MAX);
    assert!(
        lua < 10 << 20,
        "used_memory_lua after the failed script: {lua}"
    );
    assert_eq!(c.cmd(&[b"GET", b"keep"]), b"$2\r\nme\r\n".to_vec());
    assert_eq!(c.cmd(&[b"EVAL", b"return 7", b"0"]), b":7\r\n".to_vec());
}

#[test]
fn application_scripts_give_redis_replies() {
    run_transcript(TRANSCRIPT, "application_scripts_give_redis_replies");
}

/// A connection that started waiting for the keyspace lock before a script
/// began (here behind a DEBUG SLEEP queued ahead of the script in the same
/// transaction) still answers BUSY once the script is past the threshold,
/// rather than waiting for the script to end.
#[test]
fn a_client_already_waiting_gets_busy_too() {
    let srv = start_server_with(&["--lua-time-limit", "100", "--enable-debug-command", "yes"]);
    let mut runner = srv.connect();
    assert_eq!(runner.cmd(&[b"MULTI"]), b"+OK\r\n".to_vec());
    assert_eq!(
        runner.cmd(&[b"DEBUG", b"SLEEP", b"0.3"]),
        b"+QUEUED\r\n".to_vec()
    );
    assert_eq!(
        runner.cmd(&[b"EVAL", b"while true do end", b"0"]),
        b"+QUEUED\r\n".to_vec()
    );
    runner.send(&super::support::multibulk(&[b"EXEC"]));
    std::thread::sleep(Duration::from_millis(100));
    // Waits behind DEBUG SLEEP, then the script begins: BUSY 100 ms later.
    let mut other = srv.connect();
    let start = Instant::now();
    assert_eq!(
        String::from_utf8_lossy(&other.cmd(&[b"GET", b"x"])),
        "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n"
    );
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(250) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    assert_eq!(other.cmd(&[b"SCRIPT", b"KILL"]), b"+OK\r\n".to_vec());
    assert_eq!(
        String::from_utf8_lossy(&runner.read_reply()),
        "*2\r\n+OK\r\n-ERR Script killed by user with SCRIPT KILL... script: \
         694a5fe1ddb97a4c6a1bf299d9537c7d3d0f84e7, on @user_script:1.\r\n"
    );
}

/// Scripts that allocate nothing themselves still leave KEYS and ARGV tables
/// behind each call; the engine collects them (before the fix, 100,000 calls
/// of `return 1` left about 13 MB in `used_memory_lua`).
#[test]
fn keys_and_argv_of_many_calls_are_collected() {
    let srv = start_server();
    let mut c = srv.connect();
    let one = super::support::multibulk(&[b"EVAL", b"return 1", b"1", b"k", b"a"]);
    for _ in 0..100 {
        let batch: Vec<u8> = one.repeat(1000);
        c.send(&batch);
        for _ in 0..1000 {
            assert_eq!(c.read_reply(), b":1\r\n".to_vec());
        }
    }
    let info = String::from_utf8_lossy(&c.cmd(&[b"INFO", b"memory"])).into_owned();
    let lua: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("used_memory_lua:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("used_memory_lua in INFO");
    assert!(lua < 4 << 20, "used_memory_lua {lua}");
}

/// A transaction that meets a busy script is never run half-way (the Tcl
/// suite's "MULTI and script timeout" and "just EXEC and script timeout"):
/// MULTI runs while the script is busy (it is `allow-busy`), a command queued
/// meanwhile gets BUSY and flags the transaction, EXEC then answers EXECABORT;
/// an EXEC arriving during the script is itself refused with EXECABORT ... BUSY
/// and leaves MULTI. Texts recorded from redis-server 7.0.15.
#[test]
fn transactions_meeting_a_busy_script_never_run_half_way() {
    let srv = start_server_with(&["--lua-time-limit", "10"]);
    let mut admin = srv.connect();
    let mut looper = srv.connect();
    let mut tx = srv.connect();
    assert_eq!(admin.q("set xx 1"), "+OK\r\n");
    looper.send(&multibulk(&[b"EVAL", b"while true do end", b"0"]));
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(tx.q("multi"), "+OK\r\n");
    assert!(tx
        .q("incr xx")
        .starts_with("-BUSY Redis is busy running a script."));
    assert_eq!(admin.q("script kill"), "+OK\r\n");
    assert!(looper
        .read_reply()
        .starts_with(b"-ERR Script killed by user with SCRIPT KILL..."));
    assert_eq!(tx.q("incr xx"), "+QUEUED\r\n");
    assert_eq!(
        tx.q("exec"),
        "-EXECABORT Transaction discarded because of previous errors.\r\n"
    );
    assert_eq!(admin.q("get xx"), "$1\r\n1\r\n");
    assert_eq!(tx.q("ping asdf"), "$4\r\nasdf\r\n");

    // EXEC during the script: refused, the transaction discarded.
    assert_eq!(tx.q("multi"), "+OK\r\n");
    assert_eq!(tx.q("incr xx"), "+QUEUED\r\n");
    looper.send(&multibulk(&[b"EVAL", b"while true do end", b"0"]));
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        tx.q("exec"),
        "-EXECABORT Transaction discarded because of: BUSY Redis is busy running a script. \
         You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n"
    );
    assert_eq!(admin.q("script kill"), "+OK\r\n");
    looper.read_reply();
    assert_eq!(admin.q("get xx"), "$1\r\n1\r\n");
    assert_eq!(tx.q("ping asdf"), "$4\r\nasdf\r\n");
}

/// SCRIPT KILL stops a script whose loop runs inside pcall, and one stuck in a
/// backtracking pattern match (both survived the kill before: the kill was an
/// ordinary error the inner pcall caught, and the matcher never reached the
/// hook). The reply is 7.0's, and the server goes on.
#[test]
fn script_kill_stops_pcall_loops_and_pattern_bombs() {
    let srv = start_server_with(&["--lua-time-limit", "50"]);
    let mut admin = srv.connect();
    for body in [
        &b"while true do pcall(function() while true do end end) end"[..],
        b"return string.find(string.rep('a', 40), string.rep('a?', 40) .. string.rep('a', 40) .. 'b')",
    ] {
        let mut looper = srv.connect();
        looper.send(&multibulk(&[b"EVAL", body, b"0"]));
        std::thread::sleep(Duration::from_millis(200));
        assert!(admin.q("ping").starts_with("-BUSY"));
        assert_eq!(admin.q("script kill"), "+OK\r\n");
        let reply = String::from_utf8_lossy(&looper.read_reply()).into_owned();
        assert!(
            reply.starts_with("-ERR Script killed by user with SCRIPT KILL... script: "),
            "{reply}"
        );
        assert_eq!(admin.q("ping"), "+PONG\r\n");
    }
}

/// Time stands still for expiry while a script runs (a key set to expire in
/// 1 ms is still there after the script slept 10 ms), and DEBUG OBJECT sees a
/// key past its expiry that nobody has deleted yet. Replies from redis-server
/// 7.0.15.
#[test]
fn keys_do_not_expire_in_the_middle_of_a_script() {
    let srv = start_server_with(&["--enable-debug-command", "yes"]);
    let mut c = srv.connect();
    assert_eq!(c.q("DEBUG set-disable-deny-scripts 1"), "+OK\r\n");
    let script = b"redis.call('SET','key','value','PX','1') \
                   redis.call('DEBUG','SLEEP',0.01) return redis.call('EXISTS','key')";
    assert_eq!(c.cmd(&[b"EVAL", script, b"0"]), b":1\r\n");
    assert_eq!(c.q("EXISTS key"), ":0\r\n");
    assert_eq!(c.q("DEBUG set-active-expire 0"), "+OK\r\n");
    assert_eq!(c.q("SET k v PX 1"), "+OK\r\n");
    std::thread::sleep(Duration::from_millis(5));
    assert!(c.q("DEBUG OBJECT k").starts_with("+Value at:"));
    assert_eq!(
        c.cmd(&[b"EVAL", b"return redis.call('EXISTS','k')", b"0"]),
        b":0\r\n"
    );
    assert_eq!(c.q("DEBUG OBJECT k"), "-ERR no such key\r\n");
}

/// HELLO and AUTH are flagged allow-busy in 7.0: a client (re)connecting while
/// a script is busy can still say HELLO and authenticate (redis-server 7.0.15
/// answers them; other commands get BUSY).
#[test]
fn hello_and_auth_are_answered_while_a_script_is_busy() {
    let srv = start_server_with(&["--busy-reply-threshold", "10"]);
    let mut runner = srv.connect();
    runner.send(&multibulk(&[b"EVAL", b"while true do end", b"0"]));
    let mut c = srv.connect();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !c.q("PING").starts_with("-BUSY") {
        assert!(Instant::now() < deadline, "the script never became busy");
        std::thread::sleep(Duration::from_millis(5));
    }
    let hello = c.q("HELLO 3 SETNAME during-busy");
    assert!(
        hello.starts_with("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n"),
        "{hello}"
    );
    assert!(hello.contains("$5\r\nproto\r\n:3\r\n"), "{hello}");
    assert_eq!(
        c.q("AUTH foo"),
        "-ERR AUTH <password> called without any password configured for the default user. \
         Are you sure your configuration is correct?\r\n"
    );
    assert_eq!(c.q("AUTH default anything"), "+OK\r\n");
    assert!(c.q("CLIENT GETNAME").starts_with("-BUSY"));
    assert_eq!(c.q("SCRIPT KILL"), "+OK\r\n");
    assert!(runner
        .read_reply()
        .starts_with(b"-ERR Script killed by user"));
    assert_eq!(c.q("CLIENT GETNAME"), "$11\r\nduring-busy\r\n");
}
