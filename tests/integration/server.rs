//! The server core over TCP: the wire protocol (multibulk, inline, pipelining,
//! protocol errors and limits), the dispatcher's error texts, authentication,
//! connection and server commands, concurrency, and the binary's configuration.
//! Every expected reply was checked against redis-server 7.0.15.
use super::support::{
    multibulk, run_id, start_server, start_server_with, wait_port_released, Conn,
};
use std::io::Write;
use std::time::{Duration, Instant};

fn s(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn unknown_command_text() {
    let srv = start_server();
    let mut c = srv.connect();
    assert_eq!(
        c.q("foo a b"),
        "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n"
    );
    c.send(b"foo a b\r\n");
    assert_eq!(
        s(&c.read_reply()),
        "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n"
    );
    assert_eq!(
        c.q("nosuch"),
        "-ERR unknown command 'nosuch', with args beginning with: \r\n"
    );
    // Arguments are listed while the list is under 128 bytes; each is cut to fit.
    let a = vec![b'a'; 100];
    let b = vec![b'b'; 100];
    let reply = c.cmd(&[b"foo", &a, &b, b"c"]);
    let expected = format!(
        "-ERR unknown command 'foo', with args beginning with: '{}' '{}' \r\n",
        "a".repeat(100),
        "b".repeat(25)
    );
    assert_eq!(s(&reply), expected);
    let long = vec![b'f'; 200];
    assert_eq!(
        s(&c.cmd(&[&long])),
        format!(
            "-ERR unknown command '{}', with args beginning with: \r\n",
            "f".repeat(128)
        )
    );
    // CR/LF become spaces; a NUL ends an argument's text.
    assert_eq!(
        s(&c.cmd(&[b"foo", b"x\r\ny", b"a\0b"])),
        "-ERR unknown command 'foo', with args beginning with: 'x  y' 'a' \r\n"
    );
    assert_eq!(
        s(&c.cmd(&[b""])),
        "-ERR unknown command '', with args beginning with: \r\n"
    );
    assert!(!c.is_closed());
}

#[test]
fn wrong_arity_text() {
    let srv = start_server();
    let mut c = srv.connect();
    assert_eq!(
        c.q("echo"),
        "-ERR wrong number of arguments for 'echo' command\r\n"
    );
    assert_eq!(
        c.q("ping a b"),
        "-ERR wrong number of arguments for 'ping' command\r\n"
    );
    assert_eq!(
        c.q("config set port"),
        "-ERR wrong number of arguments for 'config|set' command\r\n"
    );
    assert_eq!(
        c.q("client setname"),
        "-ERR wrong number of arguments for 'client|setname' command\r\n"
    );
    assert_eq!(
        c.q("time x"),
        "-ERR wrong number of arguments for 'time' command\r\n"
    );
    // Command names are case-insensitive.
    assert_eq!(c.q("PiNg"), "+PONG\r\n");
    assert_eq!(c.q("ECHO hi"), "$2\r\nhi\r\n");
}

/// Sends `bytes` on a fresh connection; returns everything read until the server
/// closes (asserting that it does).
fn send_expect_close(srv: &super::support::TestServer, bytes: &[u8]) -> String {
    let mut c = srv.connect();
    c.send(bytes);
    let reply = s(&c.read_reply());
    assert!(c.is_closed(), "connection should close after {reply:?}");
    reply
}

#[test]
fn protocol_errors_close_the_connection() {
    let srv = start_server();
    let mb = "-ERR Protocol error: invalid multibulk length\r\n";
    let bl = "-ERR Protocol error: invalid bulk length\r\n";
    assert_eq!(send_expect_close(&srv, b"*x\r\n"), mb);
    assert_eq!(send_expect_close(&srv, b"*01\r\n"), mb);
    assert_eq!(send_expect_close(&srv, b"*2147483648\r\n"), mb);
    assert_eq!(send_expect_close(&srv, b"*1\r\n$x\r\n"), bl);
    assert_eq!(send_expect_close(&srv, b"*1\r\n$-1\r\n"), bl);
    assert_eq!(send_expect_close(&srv, b"*1\r\n$536870913\r\n"), bl);
    assert_eq!(
        send_expect_close(&srv, b"*1\r\nx\r\n"),
        "-ERR Protocol error: expected '$', got 'x'\r\n"
    );
    assert_eq!(
        send_expect_close(&srv, b"set \"a b\r\n"),
        "-ERR Protocol error: unbalanced quotes in request\r\n"
    );
    assert_eq!(
        send_expect_close(&srv, b"echo \"a\"b\r\n"),
        "-ERR Protocol error: unbalanced quotes in request\r\n"
    );
    // Replies to the requests before the bad one are sent first.
    let mut c = srv.connect();
    c.send(b"PING\r\n*1\r\n$4\r\nPING\r\n*x\r\n");
    assert_eq!(s(&c.read_reply()), "+PONG\r\n");
    assert_eq!(s(&c.read_reply()), "+PONG\r\n");
    assert_eq!(s(&c.read_reply()), mb);
    assert!(c.is_closed());
    // Other clients are unaffected.
    assert_eq!(srv.connect().q("PING"), "+PONG\r\n");
}

#[test]
fn inline_commands_parse_like_redis() {
    let srv = start_server();
    let mut c = srv.connect();
    c.send(b"\r\n\r\n   \r\n  ping  \r\n");
    assert_eq!(s(&c.read_reply()), "+PONG\r\n");
    c.send(b"echo \"a\\x41\\n\" \r\n");
    assert_eq!(s(&c.read_reply()), "$3\r\naA\n\r\n");
    c.send(b"echo 'it\\'s'\r\necho \"\\xZZ\"\r\necho \"a\\tb\"\r\n\"ping\"\r\necho ''\r\nping\n");
    assert_eq!(s(&c.read_reply()), "$4\r\nit's\r\n");
    assert_eq!(s(&c.read_reply()), "$3\r\nxZZ\r\n");
    assert_eq!(s(&c.read_reply()), "$3\r\na\tb\r\n");
    assert_eq!(s(&c.read_reply()), "+PONG\r\n");
    assert_eq!(s(&c.read_reply()), "$0\r\n\r\n");
    assert_eq!(s(&c.read_reply()), "+PONG\r\n");
    // Empty multibulk requests are skipped.
    c.send(b"*0\r\n*-1\r\nping\r\n");
    assert_eq!(s(&c.read_reply()), "+PONG\r\n");
}

#[test]
fn binary_safe_arguments() {
    let srv = start_server();
    let mut c = srv.connect();
    assert_eq!(
        c.cmd(&[b"echo", b"a\r\n\0b"]),
        b"$5\r\na\r\n\0b\r\n".to_vec()
    );
    let big = vec![b'z'; 1 << 20];
    let mut expected = b"$1048576\r\n".to_vec();
    expected.extend_from_slice(&big);
    expected.extend_from_slice(b"\r\n");
    assert_eq!(c.cmd(&[b"echo", &big]), expected);
}

#[test]
fn pipelined_requests_answer_in_order() {
    let srv = start_server();
    let mut c = srv.connect();
    let mut req = Vec::new();
    for i in 0..1000 {
        req.extend_from_slice(&multibulk(&[b"echo", i.to_string().as_bytes()]));
        if i % 7 == 0 {
            req.extend_from_slice(b"ping\r\n");
        }
    }
    // Written in pieces that split requests at odd places.
    for chunk in req.chunks(333) {
        c.send(chunk);
    }
    for i in 0..1000 {
        let n = i.to_string();
        assert_eq!(s(&c.read_reply()), format!("${}\r\n{}\r\n", n.len(), n));
        if i % 7 == 0 {
            assert_eq!(s(&c.read_reply()), "+PONG\r\n");
        }
    }
}

#[test]
fn limits_refuse_without_allocating() {
    let srv = start_server();
    // A count Redis accepts: the connection just waits for the arguments.
    let mut c = srv.connect();
    c.send(b"*1073741824\r\n$536870912\r\nabc");
    assert!(!c.is_closed());
    assert_eq!(srv.connect().q("PING"), "+PONG\r\n");
    // proto-max-bulk-len is CONFIG SET-able.
    let mut admin = srv.connect();
    assert_eq!(admin.q("config set proto-max-bulk-len 1mb"), "+OK\r\n");
    assert_eq!(
        send_expect_close(&srv, b"*1\r\n$1048577\r\n"),
        "-ERR Protocol error: invalid bulk length\r\n"
    );
    let mut ok = srv.connect();
    let arg = vec![b'q'; 1 << 20];
    assert_eq!(ok.cmd(&[b"echo", &arg]).len(), (1 << 20) + 10 + 2);
    // An inline request with no newline may not exceed 64 KB.
    let mut c = srv.connect();
    c.send(&vec![b'a'; 70 * 1024]);
    assert_eq!(
        s(&c.read_reply()),
        "-ERR Protocol error: too big inline request\r\n"
    );
    assert!(c.is_closed());
    let mut c = srv.connect();
    let mut hdr = b"*".to_vec();
    hdr.extend(vec![b'1'; 70 * 1024]);
    c.send(&hdr);
    assert_eq!(
        s(&c.read_reply()),
        "-ERR Protocol error: too big mbulk count string\r\n"
    );
}

fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|p| p.parse::<u64>().ok())
        })
        .map_or(0, |p| p * 4096)
}

#[test]
fn garbage_costs_bounded_memory() {
    let srv = start_server();
    let before = rss_bytes();
    // 100 MB without a newline: refused after 64 KB, the rest is never buffered.
    let mut c = srv.connect();
    let chunk = vec![b'g'; 1 << 20];
    let mut sent = 0usize;
    for _ in 0..100 {
        if c.stream.write_all(&chunk).is_err() {
            break;
        }
        sent += chunk.len();
    }
    assert!(
        sent < 100 << 20,
        "the server should have closed the connection"
    );
    // 16 MB of short garbage lines: each answered with an error, read as we go.
    let mut c = srv.connect();
    let line: Vec<u8> = b"x\x01\xff garbage \"ok\"\r\n".repeat(1000);
    let reader_stream = c.stream.try_clone().unwrap();
    let reader = std::thread::spawn(move || {
        use std::io::Read;
        let mut r = reader_stream;
        let mut total = 0usize;
        let mut buf = vec![0u8; 1 << 16];
        r.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        while let Ok(n) = r.read(&mut buf) {
            if n == 0 {
                break;
            }
            total += n;
        }
        total
    });
    let mut sent = 0;
    while sent < 16 << 20 {
        c.send(&line);
        sent += line.len();
    }
    c.send(b"quit\r\n");
    let got = reader.join().unwrap();
    assert!(got > 1_000_000, "replies were sent ({got} bytes)");
    let after = rss_bytes();
    // Buffering the 100 MB would cost at least 128 MB (the buffer doubles); other
    // tests running in this process meanwhile account for some growth.
    assert!(
        after < before + (96 << 20),
        "memory grew from {before} to {after}"
    );
    assert_eq!(srv.connect().q("PING"), "+PONG\r\n");
}

#[test]
fn auth_and_requirepass() {
    let srv = start_server_with(&["--requirepass", "secret"]);
    let mut c = srv.connect();
    // Unknown command and arity errors come before the NOAUTH check, as in Redis.
    assert_eq!(
        c.q("foo"),
        "-ERR unknown command 'foo', with args beginning with: \r\n"
    );
    assert_eq!(
        c.q("echo"),
        "-ERR wrong number of arguments for 'echo' command\r\n"
    );
    assert_eq!(c.q("ping"), "-NOAUTH Authentication required.\r\n");
    assert_eq!(c.q("client id"), "-NOAUTH Authentication required.\r\n");
    assert_eq!(
        c.q("auth"),
        "-ERR wrong number of arguments for 'auth' command\r\n"
    );
    assert_eq!(
        c.q("auth wrong"),
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
    );
    assert_eq!(
        c.q("auth default wrong"),
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
    );
    assert_eq!(c.q("auth a b c"), "-ERR syntax error\r\n");
    assert_eq!(
        c.q("hello 2"),
        "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH \
         <user> <pass> option can be used to authenticate the client and select the RESP protocol \
         version at the same time\r\n"
    );
    assert_eq!(c.q("auth secret"), "+OK\r\n");
    assert_eq!(c.q("ping"), "+PONG\r\n");
    // RESET drops the authentication.
    assert_eq!(c.q("reset"), "+RESET\r\n");
    assert_eq!(c.q("ping"), "-NOAUTH Authentication required.\r\n");
    assert_eq!(c.q("auth default secret"), "+OK\r\n");
    assert_eq!(c.q("ping"), "+PONG\r\n");
    let mut h = srv.connect();
    assert!(h.q("hello 2 auth default secret").starts_with("*14\r\n"));
    assert_eq!(h.q("ping"), "+PONG\r\n");
    let mut q = srv.connect();
    assert_eq!(q.q("quit"), "+OK\r\n");
    assert!(q.is_closed());
    // Unauthenticated clients get Redis's small request limits.
    assert_eq!(
        send_expect_close(&srv, b"*11\r\n"),
        "-ERR Protocol error: unauthenticated multibulk length\r\n"
    );
    assert_eq!(
        send_expect_close(&srv, b"*3\r\n$3\r\nget\r\n$99999\r\n"),
        "-ERR Protocol error: unauthenticated bulk length\r\n"
    );
    // ...lifted by an AUTH earlier in the same pipeline.
    let mut p = srv.connect();
    let big = vec![b'x'; 20000];
    let mut req = b"auth secret\r\n".to_vec();
    req.extend_from_slice(&multibulk(&[b"echo", &big]));
    p.send(&req);
    assert_eq!(s(&p.read_reply()), "+OK\r\n");
    assert_eq!(p.read_reply().len(), 20000 + 8 + 2);
}

#[test]
fn auth_without_password() {
    let srv = start_server();
    let mut c = srv.connect();
    assert_eq!(
        c.q("auth x"),
        "-ERR AUTH <password> called without any password configured for the default user. \
         Are you sure your configuration is correct?\r\n"
    );
    assert_eq!(c.q("auth default anything"), "+OK\r\n");
    assert_eq!(
        c.q("auth a b"),
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
    );
}

#[test]
fn hello() {
    let srv = start_server();
    let mut c = srv.connect();
    let id = c.q("client id");
    let id = id.trim_start_matches(':').trim_end();
    let expected = format!(
        "*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:2\r\n\
         $2\r\nid\r\n:{id}\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n\
         $7\r\nmodules\r\n*0\r\n"
    );
    assert_eq!(c.q("hello"), expected);
    assert_eq!(c.q("hello 2"), expected);
    assert_eq!(c.q("hello 4"), "-NOPROTO unsupported protocol version\r\n");
    assert_eq!(c.q("hello 1"), "-NOPROTO unsupported protocol version\r\n");
    assert_eq!(
        c.q("hello x"),
        "-ERR Protocol version is not an integer or out of range\r\n"
    );
    assert_eq!(
        c.q("hello 2 foo"),
        "-ERR Syntax error in HELLO option 'foo'\r\n"
    );
    assert_eq!(
        c.q("hello 2 auth a"),
        "-ERR Syntax error in HELLO option 'auth'\r\n"
    );
    assert_eq!(
        c.q("hello 2 setname"),
        "-ERR Syntax error in HELLO option 'setname'\r\n"
    );
    assert_eq!(c.q("hello 2 setname x"), expected);
    assert_eq!(c.q("client getname"), "$1\r\nx\r\n");
}

#[test]
fn client_subcommands() {
    let srv = start_server();
    let mut a = srv.connect();
    let mut b = srv.connect();
    let id_a: u64 = a
        .q("client id")
        .trim_start_matches(':')
        .trim_end()
        .parse()
        .unwrap();
    let id_b: u64 = b
        .q("client id")
        .trim_start_matches(':')
        .trim_end()
        .parse()
        .unwrap();
    assert!(id_b > id_a);
    assert_eq!(a.q("client getname"), "$-1\r\n");
    assert_eq!(a.q("client setname alpha"), "+OK\r\n");
    assert_eq!(a.q("client getname"), "$5\r\nalpha\r\n");
    assert_eq!(
        s(&a.cmd(&[b"client", b"setname", b"a b"])),
        "-ERR Client names cannot contain spaces, newlines or special characters.\r\n"
    );
    let list = a.q("client list");
    let body: Vec<&str> = list
        .split("\r\n")
        .nth(1)
        .unwrap()
        .split('\n')
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(body.len(), 2);
    assert!(
        body[0].starts_with(&format!("id={id_a} addr=127.0.0.1:")),
        "{}",
        body[0]
    );
    assert!(body[0].contains(" name=alpha age="));
    assert!(body[0].contains(" db=0 sub=0 psub=0 ssub=0 multi=-1 "));
    assert!(
        body[0].ends_with(" cmd=client|list user=default redir=-1 resp=2"),
        "{}",
        body[0]
    );
    assert!(body[1].starts_with(&format!("id={id_b} ")));
    assert!(body[1].contains(" name= "));
    let info = a.q("client info");
    assert!(
        info.contains(&format!("id={id_a} ")) && info.ends_with("resp=2\n\r\n"),
        "{info}"
    );
    assert_eq!(a.q("client list id 999999"), "$0\r\n\r\n");
    assert_eq!(a.q("client list id abc"), "-ERR Invalid client ID\r\n");
    assert_eq!(
        a.q("client list type foo"),
        "-ERR Unknown client type 'foo'\r\n"
    );
    assert_eq!(
        a.q("client foo"),
        "-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n"
    );
    assert_eq!(a.q("client kill 1.2.3.4:5"), "-ERR No such client\r\n");
    assert_eq!(a.q("client kill id 999"), ":0\r\n");
    assert_eq!(
        a.q("client kill id abc"),
        "-ERR client-id should be greater than 0\r\n"
    );
    assert_eq!(a.q("client kill foo bar"), "-ERR syntax error\r\n");
    // SKIPME defaults to yes: only b goes.
    assert_eq!(a.q("client kill type normal"), ":1\r\n");
    assert!(b.is_closed());
    assert_eq!(a.q("ping"), "+PONG\r\n");
    assert_eq!(a.q(&format!("client kill id {id_a} skipme no")), ":1\r\n");
    assert!(a.is_closed());
}

#[test]
fn config_get_set() {
    let srv = start_server();
    let mut c = srv.connect();
    assert_eq!(
        c.q("config get databases"),
        "*2\r\n$9\r\ndatabases\r\n$2\r\n16\r\n"
    );
    assert_eq!(
        c.q("config get *max-*-len"),
        "*2\r\n$18\r\nproto-max-bulk-len\r\n$9\r\n536870912\r\n"
    );
    assert_eq!(c.q("config get nosuch"), "*0\r\n");
    assert_eq!(c.q("config set hz 5 maxclients 100"), "+OK\r\n");
    assert_eq!(
        c.q("config get hz maxclients"),
        "*4\r\n$2\r\nhz\r\n$1\r\n5\r\n$10\r\nmaxclients\r\n$3\r\n100\r\n"
    );
    assert_eq!(
        c.q("config set hz 5 hz 6"),
        "-ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter\r\n"
    );
    assert_eq!(
        c.q("config set foo 1"),
        "-ERR Unknown option or number of arguments for CONFIG SET - 'foo'\r\n"
    );
    assert_eq!(
        c.q("config set databases 5"),
        "-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config\r\n"
    );
    assert_eq!(
        c.q("config set proto-max-bulk-len 1"),
        "-ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between \
         1048576 and 9223372036854775807 inclusive\r\n"
    );
    assert_eq!(
        c.q("config set proto-max-bulk-len abc"),
        "-ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be a memory value\r\n"
    );
    assert_eq!(
        c.q("config set appendonly maybe"),
        "-ERR CONFIG SET failed (possibly related to argument 'appendonly') - argument must be 'yes' or 'no'\r\n"
    );
    assert_eq!(
        c.q("config set loglevel foo"),
        "-ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the \
         following: debug, verbose, notice, warning\r\n"
    );
    // All or nothing: hz is unchanged after a failing pair.
    assert!(c.q("config set hz 7 appendonly maybe").starts_with("-ERR"));
    assert_eq!(c.q("config get hz"), "*2\r\n$2\r\nhz\r\n$1\r\n5\r\n");
    assert_eq!(
        c.q("config foo"),
        "-ERR unknown subcommand 'foo'. Try CONFIG HELP.\r\n"
    );
    assert_eq!(
        c.q("config get"),
        "-ERR wrong number of arguments for 'config|get' command\r\n"
    );
    assert_eq!(
        c.q("config set hz"),
        "-ERR wrong number of arguments for 'config|set' command\r\n"
    );
    assert_eq!(c.q("config resetstat"), "+OK\r\n");
    // Configured from flags.
    let srv2 = start_server_with(&["--databases", "4", "--maxclients", "77"]);
    assert_eq!(
        srv2.connect().q("config get maxclients"),
        "*2\r\n$10\r\nmaxclients\r\n$2\r\n77\r\n"
    );
}

#[test]
fn maxclients_refuses_extra_connections() {
    let srv = start_server_with(&["--maxclients", "2"]);
    let mut a = srv.connect();
    let mut b = srv.connect();
    assert_eq!(a.q("ping"), "+PONG\r\n");
    assert_eq!(b.q("ping"), "+PONG\r\n");
    let mut c = srv.connect();
    assert_eq!(s(&c.read_reply()), "-ERR max number of clients reached\r\n");
    assert!(c.is_closed());
    assert!(a.q("info stats").contains("rejected_connections:1\r\n"));
}

fn info_field(info: &str, name: &str) -> String {
    info.split("\r\n")
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .unwrap_or_else(|| panic!("no {name} in {info}"))
        .to_string()
}

#[test]
fn info_sections() {
    let srv = start_server();
    let mut c = srv.connect();
    // The other client is registered once it has been served (its thread
    // registers it after the accept).
    let mut other = srv.connect();
    assert_eq!(other.q("ping"), "+PONG\r\n");
    assert_eq!(c.q("config resetstat"), "+OK\r\n");
    c.q("ping");
    c.q("ping");
    c.q("echo");
    let all = c.q("info");
    for sec in [
        "# Server\r\n",
        "# Clients\r\n",
        "# Memory\r\n",
        "# Stats\r\n",
        "# Keyspace\r\n",
    ] {
        assert!(all.contains(sec), "{sec} missing");
    }
    assert!(!all.contains("# Commandstats"));
    assert_eq!(info_field(&all, "redis_version"), "7.0.15");
    assert_eq!(info_field(&all, "tcp_port"), srv.port.to_string());
    assert_eq!(info_field(&all, "connected_clients"), "2");
    // config resetstat (counted after it ran), ping, ping; the bad echo was
    // rejected and INFO itself is counted after it runs.
    assert_eq!(info_field(&all, "total_commands_processed"), "3");
    let cs = c.q("info commandstats");
    assert!(cs.starts_with("$"));
    let body = cs.split_once("\r\n").unwrap().1;
    assert!(body.starts_with("# Commandstats\r\n"), "{body}");
    let ping = info_field(body, "cmdstat_ping");
    assert!(ping.starts_with("calls=2,usec="), "{ping}");
    assert!(ping.ends_with(",rejected_calls=0,failed_calls=0"));
    assert!(info_field(body, "cmdstat_echo")
        .starts_with("calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,"));
    assert_eq!(c.q("info nosuchsection"), "$0\r\n\r\n");
    let two = c.q("info server clients");
    assert!(
        two.contains("# Server\r\n")
            && two.contains("\r\n\r\n# Clients\r\n")
            && !two.contains("# Memory")
    );
    let every = c.q("info everything");
    let heads: Vec<&str> = every
        .split("\r\n")
        .filter(|l| l.starts_with("# "))
        .collect();
    assert_eq!(
        heads,
        [
            "# Server",
            "# Clients",
            "# Memory",
            "# Persistence",
            "# Stats",
            "# Replication",
            "# CPU",
            "# Modules",
            "# Commandstats",
            "# Errorstats",
            "# Latencystats",
            "# Cluster",
            "# Keyspace"
        ]
    );
    // Errors since RESETSTAT: the bad echo, then this unknown command.
    c.q("nosuchcommand");
    let errs = c.q("info errorstats");
    assert!(
        errs.ends_with("# Errorstats\r\nerrorstat_ERR:count=2\r\n\r\n"),
        "{errs}"
    );
    assert_eq!(info_field(&c.q("info stats"), "total_error_replies"), "2");
}

#[test]
fn subcommand_statistics() {
    // Compared with redis-server 7.0.15 running the same sequence.
    let srv = start_server();
    let mut c = srv.connect();
    c.send(b"config resetstat\r\nconfig get hz\r\nconfig set hz\r\nconfig foo\r\nclient\r\n");
    for _ in 0..5 {
        c.read_reply();
    }
    let cs = c.q("info commandstats");
    assert!(cs.contains(
        "cmdstat_client:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0\r\n"
    ));
    assert!(cs.contains(
        "cmdstat_config|set:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0\r\n"
    ));
    assert!(cs.contains("cmdstat_config|get:calls=1,usec="));
    assert!(cs.contains("cmdstat_config|resetstat:calls=1,"));
    assert!(!cs.contains("cmdstat_config:"));
    let errs = c.q("info errorstats");
    assert!(errs.contains("errorstat_ERR:count=3\r\n"));
    assert_eq!(
        info_field(&c.q("info stats"), "total_commands_processed"),
        "4"
    );
}

#[test]
fn command_introspection() {
    let srv = start_server();
    let mut c = srv.connect();
    let count: usize = c
        .q("command count")
        .trim_start_matches(':')
        .trim_end()
        .parse()
        .unwrap();
    assert!(count >= 13);
    assert_eq!(
        c.q("command info ping nosuch"),
        "*2\r\n*10\r\n$4\r\nping\r\n:-1\r\n*1\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@fast\r\n\
         +@connection\r\n*2\r\n$25\r\nrequest_policy:all_shards\r\n$29\r\nresponse_policy:all_succeeded\r\n\
         *0\r\n*0\r\n$-1\r\n"
    );
    // COMMAND LIST names subcommands too (7.0.15: 366 names for 240 commands).
    let list = c.q("command list");
    let listed: usize = list[1..list.find('\r').unwrap()].parse().unwrap();
    assert!(listed > count && list.contains("$4\r\necho\r\n"));
    assert!(list.contains("$10\r\nconfig|get\r\n"));
    assert_eq!(c.q("command list filterby"), "-ERR syntax error\r\n");
    assert_eq!(
        c.q("command list filterby pattern"),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        c.q("command list filterby foo bar"),
        "-ERR syntax error\r\n"
    );
    assert_eq!(c.q("command list filterby module foo"), "*0\r\n");
    assert_eq!(c.q("command list filterby aclcat nosuch"), "*0\r\n");
    assert_eq!(
        c.q("command list filterby pattern config|[gs]et"),
        "*2\r\n$10\r\nconfig|get\r\n$10\r\nconfig|set\r\n"
    );
    assert_eq!(
        c.q("command foo"),
        "-ERR unknown subcommand 'foo'. Try COMMAND HELP.\r\n"
    );
    assert!(c.q("command").starts_with(&format!("*{count}\r\n*10\r\n")));
    assert!(c.q("command docs echo").starts_with("*2\r\n$4\r\necho\r\n"));
    assert_eq!(
        c.q("command getkeys ping"),
        "-ERR wrong number of arguments for 'command|getkeys' command\r\n"
    );
    assert_eq!(
        c.q("command getkeys ping x"),
        "-ERR The command has no key arguments\r\n"
    );
    assert_eq!(
        c.q("command getkeys nosuch a"),
        "-ERR Invalid command specified\r\n"
    );
    assert_eq!(
        c.q("command getkeys get a b"),
        "-ERR Invalid number of arguments specified for command\r\n"
    );
    assert_eq!(
        c.q("command getkeys mset a 1 b 2"),
        "*2\r\n$1\r\na\r\n$1\r\nb\r\n"
    );
}

#[test]
fn time_reply() {
    let srv = start_server();
    let mut c = srv.connect();
    let r = c.q("time");
    let parts: Vec<&str> = r.split("\r\n").collect();
    assert_eq!(parts[0], "*2");
    let secs: u64 = parts[2].parse().unwrap();
    let usec: u64 = parts[4].parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(secs.abs_diff(now) <= 2 && usec < 1_000_000);
}

#[test]
fn commands_are_atomic_debug_sleep_blocks_everyone() {
    let srv = start_server_with(&["--enable-debug-command", "yes"]);
    let mut sleeper = srv.connect();
    let mut other = srv.connect();
    sleeper.send(&multibulk(&[b"debug", b"sleep", b"1"]));
    std::thread::sleep(Duration::from_millis(200));
    let start = Instant::now();
    assert_eq!(other.q("ping"), "+PONG\r\n");
    assert!(
        start.elapsed() >= Duration::from_millis(500),
        "ping ran during DEBUG SLEEP"
    );
    assert_eq!(s(&sleeper.read_reply()), "+OK\r\n");
    assert_eq!(
        other.q("debug foo"),
        // redis-server 7.0.15's text for DEBUG (not the generic one).
        "-ERR unknown subcommand or wrong number of arguments for 'foo'. Try DEBUG HELP.\r\n"
    );
}

/// DEBUG is refused unless `enable-debug-command` allows it, as in 7.0 (a DEBUG
/// SLEEP of a billion seconds would otherwise freeze the server for good).
#[test]
fn debug_is_refused_by_default() {
    let srv = start_server();
    let mut c = srv.connect();
    assert_eq!(
        c.q("debug sleep 1000000000"),
        "-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", \
         you can run it from a local connection, otherwise you need to set this option in the \
         configuration file, and then restart the server.\r\n"
    );
    assert_eq!(c.q("ping"), "+PONG\r\n");
    assert_eq!(
        c.q("config get enable-debug-command"),
        "*2\r\n$20\r\nenable-debug-command\r\n$2\r\nno\r\n"
    );
    // `local` lets loopback clients (these tests') run it.
    let srv = start_server_with(&["--enable-debug-command", "local"]);
    let mut c = srv.connect();
    assert_eq!(c.q("debug sleep 0"), "+OK\r\n");
}

#[test]
fn client_reply_modes() {
    // The same byte stream sent to redis-server 7.0.15 gives these replies.
    let srv = start_server();
    let mut c = srv.connect();
    c.send(
        b"client reply skip\r\nping\r\necho a\r\nclient reply off\r\nping\r\nclient reply skip\r\n\
          client reply on\r\necho b\r\nclient reply foo\r\nclient no-evict maybe\r\nclient no-evict on\r\n",
    );
    for expected in [
        "$1\r\na\r\n",
        "+OK\r\n",
        "$1\r\nb\r\n",
        "-ERR syntax error\r\n",
        "-ERR syntax error\r\n",
        "+OK\r\n",
    ] {
        assert_eq!(s(&c.read_reply()), expected);
    }
    // RESET turns replies back on, and its own reply is sent.
    c.send(b"client reply off\r\nping\r\nreset\r\nping\r\n");
    assert_eq!(s(&c.read_reply()), "+RESET\r\n");
    assert_eq!(s(&c.read_reply()), "+PONG\r\n");
}

#[test]
fn quit_and_reset() {
    let srv = start_server();
    let mut c = srv.connect();
    assert_eq!(c.q("client setname n"), "+OK\r\n");
    assert_eq!(c.q("reset"), "+RESET\r\n");
    assert_eq!(c.q("client getname"), "$-1\r\n");
    c.send(b"quit\r\nping\r\n");
    assert_eq!(s(&c.read_reply()), "+OK\r\n");
    assert!(c.is_closed());
}

#[test]
fn shutdown_closes_everyone() {
    let srv = start_server();
    let mut a = srv.connect();
    let mut b = srv.connect();
    assert_eq!(a.q("shutdown foo"), "-ERR syntax error\r\n");
    assert_eq!(a.q("shutdown save nosave"), "-ERR syntax error\r\n");
    assert_eq!(a.q("shutdown abort now"), "-ERR syntax error\r\n");
    assert_eq!(a.q("shutdown abort"), "-ERR No shutdown in progress.\r\n");
    let ours = run_id(&mut b);
    a.send(b"shutdown nosave\r\n");
    assert!(a.is_closed());
    assert!(b.is_closed());
    assert!(wait_port_released(srv.port, &ours));
}

#[test]
fn a_thousand_concurrent_clients() {
    let srv = start_server();
    let mut conns: Vec<_> = (0..1000).map(|_| srv.connect()).collect();
    for (i, c) in conns.iter_mut().enumerate() {
        c.send(&multibulk(&[b"echo", i.to_string().as_bytes()]));
    }
    for (i, c) in conns.iter_mut().enumerate() {
        let n = i.to_string();
        assert_eq!(s(&c.read_reply()), format!("${}\r\n{}\r\n", n.len(), n));
    }
    let info = conns[0].q("info clients");
    assert_eq!(info_field(&info, "connected_clients"), "1000");
}

fn run_binary(args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ferrous"))
        .args(args)
        .output()
        .expect("run ferrous");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn config_file_errors_are_fatal_and_name_the_line() {
    let dir = std::env::temp_dir().join(format!("ferrous-conf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.conf");
    std::fs::write(&bad, "# a comment\nport 7002\nfoo bar\n").unwrap();
    let (code, err) = run_binary(&[bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        err.contains("Reading the configuration file, at line 3\n>>> 'foo bar'\nBad directive or wrong number of arguments"),
        "{err}"
    );
    assert!(err.contains("*** FATAL CONFIG FILE ERROR"));
    std::fs::write(&bad, "port abc\n").unwrap();
    let (code, err) = run_binary(&[bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        err.ends_with("at line 1\n>>> 'port abc'\nargument couldn't be parsed into an integer\n"),
        "{err}"
    );
    let (code, err) = run_binary(&["--port", "7002", "--foo", "bar"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("at line 3\n>>> 'foo \"bar\"'\nBad directive"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn binary_serves_from_a_config_file() {
    let dir = std::env::temp_dir().join(format!("ferrous-conf2-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Find a free port, then let the binary bind it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let conf = dir.join("ok.conf");
    std::fs::write(
        &conf,
        format!("bind 127.0.0.1\nport {port}\nrequirepass \"p w\"\n"),
    )
    .unwrap();
    // Its working directory is the temp dir, where SHUTDOWN's final save
    // (the default save points) writes dump.rdb.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ferrous"))
        .current_dir(&dir)
        .arg(&conf)
        .arg("--loglevel")
        .arg("warning")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let stream = loop {
        if let Ok(s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            break s;
        }
        assert!(Instant::now() < deadline, "binary did not start");
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut c = super::support::Conn::from_stream(stream);
    assert_eq!(c.q("ping"), "-NOAUTH Authentication required.\r\n");
    assert_eq!(s(&c.cmd(&[b"auth", b"p w"])), "+OK\r\n");
    assert_eq!(
        c.q("config get loglevel"),
        "*2\r\n$8\r\nloglevel\r\n$7\r\nwarning\r\n"
    );
    c.send(b"shutdown\r\n");
    assert!(c.is_closed());
    let status = child.wait().unwrap();
    assert!(status.success());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_slow_reader_blocks_only_itself() {
    let srv = start_server();
    let slow = srv.connect();
    let mut writer = slow.stream.try_clone().unwrap();
    // 20 MB of replies that the client never reads: the server's writes to it
    // block once the socket buffers are full, and it stops reading from it.
    let payload = vec![b'p'; 1024];
    let req = multibulk(&[b"echo", &payload]);
    let flood = std::thread::spawn(move || {
        for _ in 0..20_000 {
            if writer.write_all(&req).is_err() {
                break;
            }
        }
    });
    std::thread::sleep(Duration::from_millis(300));
    let mut other = srv.connect();
    let start = Instant::now();
    assert_eq!(other.q("ping"), "+PONG\r\n");
    assert_eq!(other.q("echo fine"), "$4\r\nfine\r\n");
    assert!(start.elapsed() < Duration::from_secs(2));
    slow.stream.shutdown(std::net::Shutdown::Both).ok();
    flood.join().unwrap();
    assert_eq!(other.q("ping"), "+PONG\r\n");
}

#[test]
fn idle_clients_time_out() {
    let srv = start_server_with(&["--timeout", "1"]);
    let mut c = srv.connect();
    assert_eq!(c.q("ping"), "+PONG\r\n");
    std::thread::sleep(Duration::from_millis(2300));
    assert!(c.is_closed());
}

/// Container commands resolve their subcommand before any check, as Redis 7's
/// table does: unknown subcommands, arity errors named `container|sub`, and the
/// handlers' own refusals. Recorded from redis-server 7.0.15.
#[test]
fn container_commands_check_their_subcommands_first() {
    let srv = start_server();
    let mut c = srv.connect();
    for (request, reply) in [
        ("config nope", "-ERR unknown subcommand 'nope'. Try CONFIG HELP.\r\n"),
        ("config set a b c", "-ERR syntax error\r\n"),
        ("client nope", "-ERR unknown subcommand 'nope'. Try CLIENT HELP.\r\n"),
        ("client id x", "-ERR wrong number of arguments for 'client|id' command\r\n"),
        ("client unblock 1 2 3", "-ERR unknown subcommand or wrong number of arguments for 'unblock'. Try CLIENT HELP.\r\n"),
        ("object", "-ERR wrong number of arguments for 'object' command\r\n"),
        ("object nope", "-ERR unknown subcommand 'nope'. Try OBJECT HELP.\r\n"),
        ("object encoding", "-ERR wrong number of arguments for 'object|encoding' command\r\n"),
        ("object help x", "-ERR wrong number of arguments for 'object|help' command\r\n"),
        ("command nope", "-ERR unknown subcommand 'nope'. Try COMMAND HELP.\r\n"),
        ("command getkeys", "-ERR wrong number of arguments for 'command|getkeys' command\r\n"),
        ("command getkeys get", "-ERR wrong number of arguments for 'command|getkeys' command\r\n"),
        ("command getkeys object encoding k", "*1\r\n$1\r\nk\r\n"),
        ("command getkeys config get x", "-ERR The command has no key arguments\r\n"),
        ("pubsub nope", "-ERR unknown subcommand 'nope'. Try PUBSUB HELP.\r\n"),
        ("pubsub numpat x", "-ERR wrong number of arguments for 'pubsub|numpat' command\r\n"),
        ("pubsub channels a b", "-ERR unknown subcommand or wrong number of arguments for 'channels'. Try PUBSUB HELP.\r\n"),
        ("script nope", "-ERR unknown subcommand 'nope'. Try SCRIPT HELP.\r\n"),
        ("script flush a b", "-ERR SCRIPT FLUSH only support SYNC|ASYNC option\r\n"),
        ("script kill x", "-ERR wrong number of arguments for 'script|kill' command\r\n"),
        ("function restore a b c", "-ERR unknown subcommand or wrong number of arguments for 'restore'. Try FUNCTION HELP.\r\n"),
        ("function flush a b", "-ERR unknown subcommand or wrong number of arguments for 'flush'. Try FUNCTION HELP.\r\n"),
        ("function delete", "-ERR wrong number of arguments for 'function|delete' command\r\n"),
    ] {
        assert_eq!(c.q(request), reply, "{request}");
    }
}

/// CLIENT REPLY ON right after CLIENT REPLY SKIP clears the skip and answers
/// +OK (the Tcl suite's "CLIENT REPLY ON: unset SKIP flag"); SKIP silences only
/// the next command, OFF all until ON. Recorded from redis-server 7.0.15.
#[test]
fn client_reply_skip_off_and_on() {
    let srv = start_server();
    let mut c = srv.connect();
    c.send(b"CLIENT REPLY SKIP\r\nCLIENT REPLY ON\r\nPING\r\n");
    assert_eq!(s(&c.read_reply()), "+OK\r\n");
    assert_eq!(s(&c.read_reply()), "+PONG\r\n");
    c.send(b"CLIENT REPLY SKIP\r\nPING a\r\nPING b\r\n");
    assert_eq!(s(&c.read_reply()), "$1\r\nb\r\n");
    c.send(b"CLIENT REPLY OFF\r\nPING a\r\nPING b\r\nCLIENT REPLY SKIP\r\nCLIENT REPLY ON\r\nPING c\r\n");
    assert_eq!(s(&c.read_reply()), "+OK\r\n");
    assert_eq!(s(&c.read_reply()), "$1\r\nc\r\n");
}

/// CONFIG SET port and bind listen again, as redis-server 7.0.15 does: the
/// old socket closes, the new one answers, INFO shows the new port; a port
/// in use or an address not on this host changes nothing, with 7.0's errors.
#[test]
fn config_set_port_and_bind_listen_again() {
    let srv = start_server();
    let mut c = srv.connect();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let taken_port = taken.local_addr().expect("addr").port();
    assert_eq!(
        c.q(&format!("config set port {taken_port}")),
        "-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this \
         port. Check server logs.\r\n"
    );
    assert_eq!(
        c.q("config set bind 192.0.2.1"),
        "-ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to \
         specified addresses.\r\n"
    );
    // Still listening where it was.
    assert_eq!(srv.connect().q("ping"), "+PONG\r\n");
    drop(taken);
    let free = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let new_port = free.local_addr().expect("addr").port();
    drop(free);
    assert_eq!(c.q(&format!("config set port {new_port}")), "+OK\r\n");
    // The connection that asked stays; the new port answers; the old is closed.
    assert_eq!(c.q("ping"), "+PONG\r\n");
    let mut n =
        Conn::from_stream(std::net::TcpStream::connect(("127.0.0.1", new_port)).expect("new port"));
    assert!(n
        .q("info server")
        .contains(&format!("tcp_port:{new_port}\r\n")));
    assert_eq!(
        n.q("config get port"),
        format!(
            "*2\r\n$4\r\nport\r\n${}\r\n{new_port}\r\n",
            new_port.to_string().len()
        )
    );
    // The old port closes. (Another test's server may take it at once: a
    // listener there that is not this server counts as closed.)
    let ours = run_id(&mut n);
    assert!(wait_port_released(srv.port, &ours), "old port still open");
    assert_eq!(
        n.cmd(&[b"config", b"set", b"bind", b"127.0.0.1 -::1"]),
        b"+OK\r\n"
    );
    assert_eq!(
        n.q("config get bind"),
        "*2\r\n$4\r\nbind\r\n$14\r\n127.0.0.1 -::1\r\n"
    );
    let mut again =
        Conn::from_stream(std::net::TcpStream::connect(("127.0.0.1", new_port)).expect("rebound"));
    assert_eq!(again.q("ping"), "+PONG\r\n");
    // Shutdown still closes everything.
    again.send(b"shutdown nosave\r\n");
    assert!(again.is_closed());
    assert!(wait_port_released(new_port, &ours), "new port still open");
}

/// With `always-show-logo yes` the startup log carries the banner where
/// redis-server prints its logo, with the ` PID: <pid>` line that Redis's
/// test harness waits for; without it, the plain `Running mode=` line.
#[test]
fn startup_banner_names_port_and_pid() {
    let dir = super::support::temp_dir("banner");
    let start = |extra: &[&str]| {
        let log = dir.join(format!("log{}.txt", extra.len()));
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ferrous"))
            .args(["--port", "0", "--save", "", "--logfile"])
            .arg(&log)
            .args(["--dir"])
            .arg(&dir)
            .args(extra)
            .spawn()
            .expect("start ferrous");
        let t = Instant::now();
        let mut text = String::new();
        while !text.contains("Ready to accept") {
            assert!(t.elapsed() < Duration::from_secs(20), "{text}");
            std::thread::sleep(Duration::from_millis(20));
            text = std::fs::read_to_string(&log).unwrap_or_default();
        }
        let pid = child.id();
        let _ = child.kill();
        let _ = child.wait();
        (text, pid)
    };
    let (text, pid) = start(&["--always-show-logo", "yes"]);
    assert!(text.contains(&format!("\n    PID: {pid}\n")), "{text}");
    assert!(text.contains("    Running in standalone mode\n"), "{text}");
    assert!(!text.contains("Running mode="), "{text}");
    let (text, _) = start(&[]);
    assert!(!text.contains("PID:"), "{text}");
    assert!(text.contains("* Running mode=standalone, port="), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Sends `args` on a Unix-socket connection and reads one whole reply.
fn unix_cmd(s: &mut std::os::unix::net::UnixStream, args: &[&[u8]]) -> Vec<u8> {
    s.write_all(&multibulk(args)).expect("write");
    unix_read(s)
}

/// Reads one whole reply (with nothing after it pending) from a Unix-socket
/// connection.
fn unix_read(s: &mut std::os::unix::net::UnixStream) -> Vec<u8> {
    use super::support::Resp;
    use std::io::Read;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Ok(Some((_, n))) = Resp::decode(&buf) {
            buf.truncate(n);
            return buf;
        }
        let n = s.read(&mut chunk).expect("read");
        assert!(n > 0, "server closed the Unix-socket connection");
        buf.extend_from_slice(&chunk[..n]);
    }
}

#[test]
fn unix_socket_clients_are_served_and_shown_as_redis_shows_them() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::net::UnixStream;
    let dir = super::support::temp_dir("unix");
    let path = dir.join("redis.sock");
    let path_s = path.to_string_lossy().into_owned();
    // A stale file where the socket goes is replaced, as Redis does.
    std::fs::write(&path, b"stale").expect("write a stale file");
    let srv = start_server_with(&["--unixsocket", &path_s, "--unixsocketperm", "700"]);
    let mode = std::fs::metadata(&path)
        .expect("socket file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700);
    let mut u = UnixStream::connect(&path).expect("connect to the Unix socket");
    u.set_read_timeout(Some(Duration::from_secs(10))).ok();
    assert_eq!(unix_cmd(&mut u, &[b"PING"]), b"+PONG\r\n");
    assert_eq!(unix_cmd(&mut u, &[b"SET", b"k", b"v"]), b"+OK\r\n");
    // Both ends show as `path:0` and the flags have `U` (redis-server 7.0.15).
    let info = s(&unix_cmd(&mut u, &[b"CLIENT", b"INFO"]));
    assert!(
        info.contains(&format!(" addr={path_s}:0 laddr={path_s}:0 ")),
        "{info}"
    );
    assert!(info.contains(" flags=U "), "{info}");
    let mut c = srv.connect();
    assert_eq!(c.cmd(&[b"GET", b"k"]), b"$1\r\nv\r\n");
    assert!(!s(&c.cmd(&[b"CLIENT", b"INFO"])).contains("flags=U"));
    assert_eq!(
        unix_cmd(&mut u, &[b"CONFIG", b"GET", b"unixsocket"]),
        format!(
            "*2\r\n$10\r\nunixsocket\r\n${}\r\n{path_s}\r\n",
            path_s.len()
        )
        .into_bytes()
    );
    // A blocked Unix-socket client is woken by a TCP client's push...
    u.write_all(&multibulk(&[b"BLPOP", b"q", b"0"]))
        .expect("write");
    assert!(super::support::eventually(Duration::from_secs(5), || {
        s(&c.cmd(&[b"CLIENT", b"LIST"])).contains("flags=bU ")
    }));
    assert_eq!(c.cmd(&[b"RPUSH", b"q", b"x"]), b":1\r\n");
    assert_eq!(unix_read(&mut u), b"*2\r\n$1\r\nq\r\n$1\r\nx\r\n");
    assert_eq!(unix_cmd(&mut u, &[b"PING"]), b"+PONG\r\n");
    // ...and one that hangs up while blocked leaves the client list.
    u.write_all(&multibulk(&[b"BLPOP", b"q", b"0"]))
        .expect("write");
    assert!(super::support::eventually(Duration::from_secs(5), || {
        s(&c.cmd(&[b"CLIENT", b"LIST"])).contains("flags=bU ")
    }));
    drop(u);
    assert!(super::support::eventually(Duration::from_secs(5), || {
        !s(&c.cmd(&[b"CLIENT", b"LIST"])).contains("flags=bU ")
    }));
    // The socket file goes at shutdown.
    drop(c);
    drop(srv);
    assert!(
        !path.exists(),
        "the Unix socket file is removed at shutdown"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// This machine's address on the interface a packet to `192.0.2.1` (a
/// documentation address: nothing is sent) would leave by, unless loopback.
fn non_loopback_address() -> Option<std::net::IpAddr> {
    let s = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    s.connect("192.0.2.1:9").ok()?;
    let ip = s.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[test]
fn protected_mode_refuses_remote_clients_without_a_password() {
    use ferrous::server::config::Config;
    use ferrous::server::log::Logger;
    use std::io::Read;
    let Some(ip) = non_loopback_address() else {
        eprintln!("skipped: this machine has no non-loopback address");
        return;
    };
    let mut config = Config::from_args(&[]).expect("defaults");
    assert_eq!(config.bind, ["*", "-::*"], "7.0's default bind");
    config.bind = vec!["*".to_string()];
    config.port = 0;
    let server = ferrous::server::Server::bind_with_logger(config, Logger::quiet()).expect("bind");
    let port = server.port();
    let handle = server.handle();
    let thread = std::thread::spawn(move || server.run());
    let remote = || {
        let mut s = std::net::TcpStream::connect((ip, port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(10))).ok();
        s.write_all(b"PING\r\nQUIT\r\n").expect("write");
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        out
    };
    // Checked against redis-server 7.0.15: the whole reply, then the close.
    let denied = remote();
    assert!(denied.starts_with(b"-DENIED Redis is running in protected mode because"));
    assert!(denied.ends_with(b"accepting connections from the outside.\r\n"));
    assert_eq!(denied.len(), 1067);
    let local = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let mut c = super::support::Conn::from_stream(local.try_clone().expect("clone"));
    assert!(c.q("INFO stats").contains("rejected_connections:1\r\n"));
    // A password for the default user lifts it; so does protected-mode no.
    assert_eq!(c.q("CONFIG SET requirepass secret"), "+OK\r\n");
    assert_eq!(s(&remote()), "-NOAUTH Authentication required.\r\n+OK\r\n");
    assert_eq!(c.q("AUTH secret"), "+OK\r\n");
    assert_eq!(c.cmd(&[b"CONFIG", b"SET", b"requirepass", b""]), b"+OK\r\n");
    let again = remote();
    assert!(again.starts_with(b"-DENIED"), "{}", s(&again));
    assert_eq!(c.q("CONFIG SET protected-mode no"), "+OK\r\n");
    assert_eq!(remote(), b"+PONG\r\n+OK\r\n");
    local.shutdown(std::net::Shutdown::Both).ok();
    handle.shutdown();
    let _ = thread.join();
}

/// `oom-score-adj` writes the process's score as Redis does: relative to the
/// score it had (`yes`), absolute, and back to that score when turned off.
/// The server runs as a process of its own, since the score is per process.
#[test]
fn oom_score_adj_sets_the_process_score() {
    let file = |pid: u32| format!("/proc/{pid}/oom_score_adj");
    if !std::path::Path::new(&file(std::process::id())).exists() {
        eprintln!("skipped: no /proc/PID/oom_score_adj here");
        return;
    }
    let dir = super::support::temp_dir("oom");
    let server = super::aof_proc::Proc::start(&dir, &[]);
    let pid = server.child.id();
    let read = || -> i64 {
        let text = std::fs::read_to_string(file(pid)).expect("read the score");
        text.trim().parse().expect("a number")
    };
    let mut c = server.connect();
    let mut set = |name: &str, value: &str| {
        s(&c.cmd(&[b"CONFIG", b"SET", name.as_bytes(), value.as_bytes()]))
    };
    let base = read();
    assert_eq!(set("oom-score-adj-values", "10 20 30"), "+OK\r\n");
    assert_eq!(read(), base, "no change while oom-score-adj is no");
    assert_eq!(set("oom-score-adj", "yes"), "+OK\r\n");
    assert_eq!(read(), (base + 10).min(1000));
    assert_eq!(set("oom-score-adj-values", "15 20 30"), "+OK\r\n");
    assert_eq!(read(), (base + 15).min(1000));
    assert_eq!(set("oom-score-adj", "absolute"), "+OK\r\n");
    assert_eq!(read(), 15);
    assert_eq!(set("oom-score-adj", "no"), "+OK\r\n");
    assert_eq!(read(), base, "the score from before comes back");
    assert!(set("oom-score-adj-values", "2001 0 0").contains("must be between -2000 and 2000"));
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `rename-command`: the command answers to its new name only, an empty name
/// removes it, ACL rules name it by its new name, and its statistics keep its
/// own name (replies recorded from redis-server 7.0.15 started with
/// `--rename-command flushdb badger --rename-command keys ''`).
#[test]
fn rename_command_as_redis() {
    let srv = start_server_with(&[
        "--rename-command",
        "flushdb",
        "badger",
        "--rename-command",
        "keys",
        "",
    ]);
    let mut c = srv.connect();
    c.q("set a 1");
    assert_eq!(
        c.q("flushdb"),
        "-ERR unknown command 'flushdb', with args beginning with: \r\n"
    );
    assert_eq!(c.q("badger"), "+OK\r\n");
    assert_eq!(c.q("BADGER"), "+OK\r\n");
    assert_eq!(
        c.q("keys *"),
        "-ERR unknown command 'keys', with args beginning with: '*' \r\n"
    );
    assert_eq!(c.q("acl setuser u +flushdb"), "+OK\r\n");
    assert_eq!(
        c.q("acl setuser u +badger"),
        "-ERR Error in ACL SETUSER modifier '+badger': Unknown command or category name in ACL\r\n"
    );
    assert!(c
        .q("info commandstats")
        .contains("cmdstat_flushdb:calls=2,"));
}
