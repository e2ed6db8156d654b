//! FUNCTION and FCALL over TCP: replies compared byte for byte with what
//! redis-server 7.0.15 answered to the same requests (recorded in
//! `tests/transcripts/`, in order, on one connection of a fresh server).
use super::support::start_server;
use super::transcript::run_transcript;
use std::time::Duration;

/// The recorded sessions of this file (see `transcript.rs` for the format).
const TRANSCRIPT: &str = include_str!("../transcripts/functions.txt");

#[test]
fn library_metadata_registration_errors_and_helpers() {
    run_transcript(
        TRANSCRIPT,
        "library_metadata_registration_errors_and_helpers",
    );
}

#[test]
fn function_and_fcall_replies_match_redis() {
    run_transcript(TRANSCRIPT, "function_and_fcall_replies_match_redis");
}

#[test]
fn functions_survive_script_flush_and_keep_state_per_library() {
    let srv = start_server();
    let mut c = srv.connect();
    let lib = b"#!lua name=counter\n\
        local calls = 0\n\
        redis.register_function('bump', function(keys) calls = calls + 1 \
        return redis.call('incr', keys[1]) + calls * 100 end)";
    assert_eq!(
        c.cmd(&[b"FUNCTION", b"LOAD", lib]),
        b"$7\r\ncounter\r\n".to_vec()
    );
    assert_eq!(
        c.cmd(&[b"FCALL", b"bump", b"1", b"n"]),
        b":101\r\n".to_vec()
    );
    assert_eq!(c.cmd(&[b"SCRIPT", b"FLUSH"]), b"+OK\r\n".to_vec());
    // the upvalue lives on: functions are not EVAL scripts
    assert_eq!(
        c.cmd(&[b"FCALL", b"bump", b"1", b"n"]),
        b":202\r\n".to_vec()
    );
    assert_eq!(c.cmd(&[b"FUNCTION", b"FLUSH"]), b"+OK\r\n".to_vec());
    assert_eq!(
        c.cmd(&[b"FCALL", b"bump", b"1", b"n"]),
        b"-ERR Function not found\r\n".to_vec()
    );
}

#[test]
fn function_dump_and_restore_match_redis() {
    run_transcript(TRANSCRIPT, "function_dump_and_restore_match_redis");
}

#[test]
fn function_dump_compresses_and_restore_reads_every_record() {
    run_transcript(
        TRANSCRIPT,
        "function_dump_compresses_and_restore_reads_every_record",
    );
}

/// `redis.log` writes to the server log from a script, from a function and
/// while a library loads (as 7.0 does), at the level asked for.
#[test]
fn redis_log_reaches_the_server_log() {
    let path = std::env::temp_dir().join(format!("ferrous-log-{}.log", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let srv =
        crate::support::start_server_with(&["--logfile", path.to_str().expect("utf-8 temp path")]);
    let mut c = srv.connect();
    let lib = b"#!lua name=logged\n\
        redis.log(redis.LOG_VERBOSE, 'hidden') redis.log(redis.LOG_WARNING, 'loading', 'logged')\n\
        redis.register_function('lf', function() redis.log(redis.LOG_NOTICE, 'in lf') return 1 end)";
    assert_eq!(
        c.cmd(&[&b"FUNCTION"[..], b"LOAD", lib]),
        b"$6\r\nlogged\r\n".to_vec()
    );
    assert_eq!(c.cmd(&[&b"FCALL"[..], b"lf", b"0"]), b":1\r\n".to_vec());
    assert_eq!(
        c.cmd(&[
            &b"EVAL"[..],
            b"redis.log(redis.LOG_WARNING, 'from eval')",
            b"0"
        ]),
        b"$-1\r\n".to_vec()
    );
    // Below the default `notice` level: not written.
    assert_eq!(
        c.cmd(&[&b"EVAL"[..], b"redis.log(redis.LOG_DEBUG, 'too low')", b"0"]),
        b"$-1\r\n".to_vec()
    );
    drop(c);
    drop(srv);
    let log = std::fs::read_to_string(&path).expect("read the log");
    let _ = std::fs::remove_file(&path);
    let lines: Vec<&str> = log.lines().collect();
    let find = |tail: &str| lines.iter().position(|l| l.ends_with(tail));
    let load = find(" # loading logged").expect("load-time log line");
    let call = find(" * in lf").expect("function log line");
    let eval = find(" # from eval").expect("eval log line");
    assert!(load < call && call < eval, "{log}");
    assert!(find("too low").is_none(), "{log}");
}

/// A busy function: others get the BUSY text naming FUNCTION KILL, SCRIPT KILL
/// does not stop it (it answers that text), FUNCTION KILL does. And the other
/// way round for an EVAL script. FUNCTION STATS tells of a busy function and
/// gets BUSY during an EVAL script. Texts recorded from redis-server 7.0.15.
#[test]
fn each_kill_command_stops_only_its_own_kind() {
    const FUNCTION_BUSY: &str = "-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n";
    const SCRIPT_BUSY: &str = "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n";
    let srv = crate::support::start_server_with(&["--lua-time-limit", "100"]);
    let mut runner = srv.connect();
    let lib = b"#!lua name=busyl\n\
        redis.register_function('spin', function() while true do end end)";
    assert_eq!(
        runner.cmd(&[&b"FUNCTION"[..], b"LOAD", lib]),
        b"$5\r\nbusyl\r\n".to_vec()
    );
    let text = |r: Vec<u8>| String::from_utf8_lossy(&r).into_owned();

    // FCALL finds the function whatever the case of its name (as 7.0 does).
    runner.send(&crate::support::multibulk(&[b"FCALL", b"SPIN", b"0", b"a"]));
    std::thread::sleep(Duration::from_millis(300));
    let mut other = srv.connect();
    assert_eq!(text(other.cmd(&[b"GET", b"x"])), FUNCTION_BUSY);
    // FUNCTION STATS answers while a function is busy: what runs, and the counts.
    let stats = text(other.cmd(&[b"FUNCTION", b"STATS"]));
    let (head, tail) = stats
        .split_once("$11\r\nduration_ms\r\n:")
        .expect("duration");
    assert_eq!(
        head,
        "*4\r\n$14\r\nrunning_script\r\n*6\r\n$4\r\nname\r\n$4\r\nspin\r\n\
         $7\r\ncommand\r\n*4\r\n$5\r\nFCALL\r\n$4\r\nSPIN\r\n$1\r\n0\r\n$1\r\na\r\n"
    );
    let (ms, rest) = tail.split_once("\r\n").expect("duration value");
    assert!(ms.parse::<u64>().expect("a number") >= 200, "{ms}");
    assert_eq!(
        rest,
        "$7\r\nengines\r\n*2\r\n$3\r\nLUA\r\n*4\r\n$15\r\nlibraries_count\r\n:1\r\n\
         $15\r\nfunctions_count\r\n:1\r\n"
    );
    assert_eq!(text(other.cmd(&[b"SCRIPT", b"KILL"])), FUNCTION_BUSY);
    assert_eq!(text(other.cmd(&[b"FUNCTION", b"KILL"])), "+OK\r\n");
    assert_eq!(
        text(runner.read_reply()),
        "-ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2.\r\n"
    );

    runner.send(&crate::support::multibulk(&[
        b"EVAL",
        b"while true do end",
        b"0",
    ]));
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(text(other.cmd(&[b"GET", b"x"])), SCRIPT_BUSY);
    assert_eq!(text(other.cmd(&[b"FUNCTION", b"STATS"])), SCRIPT_BUSY);
    assert_eq!(text(other.cmd(&[b"FUNCTION", b"KILL"])), SCRIPT_BUSY);
    assert_eq!(text(other.cmd(&[b"SCRIPT", b"KILL"])), "+OK\r\n");
    assert!(text(runner.read_reply())
        .starts_with("-ERR Script killed by user with SCRIPT KILL... script: "));
    assert_eq!(
        text(other.cmd(&[b"FUNCTION", b"KILL"])),
        "-NOTBUSY No scripts in execution right now.\r\n"
    );
}

/// A library whose body never ends is stopped after 500 ms, as Redis stops
/// it, and the server goes on (the Tcl suite's "LIBRARIES - load timeout").
#[test]
fn a_library_body_that_loops_times_out() {
    let srv = start_server();
    let mut c = srv.connect();
    let started = std::time::Instant::now();
    assert_eq!(
        c.cmd(&[
            b"FUNCTION",
            b"LOAD",
            b"#!lua name=lib\nlocal a = 1\nwhile 1 do a = a + 1 end"
        ]),
        b"-ERR Error registering functions: ERR FUNCTION LOAD timeout\r\n".to_vec()
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    assert_eq!(c.cmd(&[b"PING"]), b"+PONG\r\n".to_vec());
    assert_eq!(c.cmd(&[b"FUNCTION", b"LIST"]), b"*0\r\n".to_vec());
}
