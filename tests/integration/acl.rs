//! ACL: recorded sessions (users and rules, their errors, the permission
//! checks at top level, in MULTI/EXEC and in scripts, `requirepass`), the ACL
//! LOG's fields, and the gate before authentication.
use super::support::{start_server_with, Resp};
use super::transcript::run_transcript;

/// The recorded sessions of this file (see `transcript.rs` for the format).
const TRANSCRIPT: &str = include_str!("../transcripts/acl.txt");

#[test]
fn acl_users_and_rules() {
    run_transcript(TRANSCRIPT, "acl_users_and_rules");
}

#[test]
fn acl_rule_errors() {
    run_transcript(TRANSCRIPT, "acl_rule_errors");
}

#[test]
fn acl_permission_checks() {
    run_transcript(TRANSCRIPT, "acl_permission_checks");
}

#[test]
fn acl_scripts() {
    run_transcript(TRANSCRIPT, "acl_scripts");
}

#[test]
fn acl_requirepass() {
    run_transcript(TRANSCRIPT, "acl_requirepass");
}

#[test]
fn acl_shard_channels() {
    run_transcript(TRANSCRIPT, "acl_shard_channels");
}

#[test]
fn acl_migrate_keys() {
    run_transcript(TRANSCRIPT, "acl_migrate_keys");
}

/// The fields of ACL LOG's entries that 7.0 fixes (not the age, nor the
/// client's address, id and buffers), and the client's `cmd=` and `user=`.
fn log_entries(reply: &[u8]) -> Vec<Vec<String>> {
    let log = Resp::parse(reply);
    let mut out = Vec::new();
    for e in log.as_array().unwrap_or(&[]) {
        let f = e.as_array().unwrap_or(&[]);
        let field = |name: &str| -> String {
            let at = f
                .iter()
                .position(|x| x.as_bulk() == Some(name.as_bytes()))
                .unwrap_or_else(|| panic!("no {name} in {e:?}"));
            match &f[at + 1] {
                Resp::Line(b':', n) => String::from_utf8_lossy(n).into_owned(),
                v => String::from_utf8_lossy(v.as_bulk().unwrap_or(b"?")).into_owned(),
            }
        };
        let info = field("client-info");
        let pick = |key: &str| {
            info.split(' ')
                .find(|w| w.starts_with(key))
                .unwrap_or("")
                .to_string()
        };
        let age: f64 = field("age-seconds").parse().unwrap_or(-1.0);
        assert!((0.0..60.0).contains(&age), "age-seconds {age}");
        out.push(vec![
            field("count"),
            field("reason"),
            field("context"),
            field("object"),
            field("username"),
            pick("cmd="),
            pick("user="),
            pick("qbuf="),
            pick("argv-mem="),
        ]);
    }
    out
}

#[test]
fn acl_log_records_refusals_as_7_0_does() {
    let srv = start_server_with(&[]);
    let mut c = srv.connect();
    for line in [
        "ACL SETUSER bob on >pw +@all -get ~k* &ch*",
        "AUTH bob wrong",
        "AUTH bob pw",
        "GET k1",
        "SET x 1",
        "PUBLISH foo m",
        "MULTI",
        "SET y 1",
        "DISCARD",
    ] {
        c.q(line);
    }
    let script = [&b"EVAL"[..], b"return redis.pcall('set','z',1)", b"0"];
    c.cmd(&script);
    c.q("SET x 1");
    // Newest first; the second SET x merged into the first (count 2).
    // Recorded from redis-server 7.0.15 (the same requests, then ACL LOG).
    let want: Vec<Vec<&str>> = vec![
        vec![
            "2",
            "key",
            "toplevel",
            "x",
            "bob",
            "cmd=set",
            "user=bob",
            "qbuf=27",
            "argv-mem=5",
        ],
        vec![
            "1", "key", "lua", "z", "bob", "cmd=eval", "user=bob", "", "",
        ],
        vec![
            "1",
            "key",
            "multi",
            "y",
            "bob",
            "cmd=set",
            "user=bob",
            "qbuf=27",
            "argv-mem=5",
        ],
        vec![
            "1",
            "channel",
            "toplevel",
            "foo",
            "bob",
            "cmd=publish",
            "user=bob",
            "qbuf=33",
            "argv-mem=11",
        ],
        vec![
            "1",
            "command",
            "toplevel",
            "get",
            "bob",
            "cmd=get",
            "user=bob",
            "qbuf=21",
            "argv-mem=5",
        ],
        vec![
            "1",
            "auth",
            "toplevel",
            "AUTH",
            "bob",
            "cmd=auth",
            "user=default",
            "qbuf=34",
            "argv-mem=12",
        ],
    ];
    let mut got = log_entries(&c.cmd(&[b"ACL", b"LOG"]));
    // A script's caller is shown without its request buffers here.
    got[1][7].clear();
    got[1][8].clear();
    assert_eq!(got, want);
    assert_eq!(log_entries(&c.cmd(&[b"ACL", b"LOG", b"2"])).len(), 2);
    assert_eq!(c.q("ACL LOG RESET"), "+OK\r\n");
    assert_eq!(c.q("ACL LOG"), "*0\r\n");
}

/// Every command without subcommands and every subcommand of COMMAND's
/// reply, with its arity.
fn commands_with_arity(reply: &[u8]) -> Vec<(Vec<u8>, i64)> {
    fn walk(entries: &[Resp], out: &mut Vec<(Vec<u8>, i64)>) {
        for e in entries {
            let Some(f) = e.as_array() else { continue };
            let name = f[0].as_bulk().unwrap_or_default().to_vec();
            let arity = f[1].as_int().unwrap_or(0);
            match f.get(9).and_then(Resp::as_array) {
                Some(subs) if !subs.is_empty() => walk(subs, out),
                _ => out.push((name, arity)),
            }
        }
    }
    let mut out = Vec::new();
    walk(Resp::parse(reply).as_array().unwrap_or(&[]), &mut out);
    out
}

/// Before AUTH, only AUTH, HELLO, QUIT and RESET (7.0's `no_auth` commands)
/// reach a handler: every other command and subcommand of the table, sent
/// with as many arguments as its arity asks (so the arity check, which comes
/// first as in 7.0, passes), is refused with NOAUTH and changes nothing.
#[test]
fn nothing_but_auth_runs_before_authentication() {
    let srv = start_server_with(&["--requirepass", "secret"]);
    let mut admin = srv.connect();
    assert_eq!(admin.q("AUTH secret"), "+OK\r\n");
    let commands = commands_with_arity(&admin.cmd(&[b"COMMAND"]));
    assert!(commands.len() > 250, "COMMAND: {} rows", commands.len());
    assert!(commands.iter().any(|(n, _)| n == b"config|set"));
    let before = admin.q("INFO commandstats");
    let mut c = srv.connect();
    let mut reached = Vec::new();
    for (name, arity) in &commands {
        let mut args: Vec<Vec<u8>> = name.split(|&b| b == b'|').map(<[u8]>::to_vec).collect();
        let want = arity.unsigned_abs() as usize;
        let mut i = 0;
        while args.len() < want {
            args.push(format!("k{i}").into_bytes());
            i += 1;
        }
        let refs: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
        let reply = c.cmd(&refs);
        if reply != b"-NOAUTH Authentication required.\r\n" {
            reached.push(String::from_utf8_lossy(name).into_owned());
            // QUIT closes the connection, RESET leaves it unauthenticated.
            c = srv.connect();
        }
    }
    reached.sort();
    assert_eq!(reached, ["auth", "hello", "quit", "reset"]);
    // Nothing was written, and no other command counted a call (refusals
    // count as `rejected_calls` only).
    assert_eq!(admin.q("DBSIZE"), ":0\r\n");
    let calls = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with("cmdstat_"))
            .filter_map(|l| {
                let (name, rest) = l.split_once(':')?;
                let calls = rest.split(',').next()?;
                Some(format!("{name}:{calls}"))
            })
            .filter(|l| {
                !l.ends_with(":calls=0")
                    && ![
                        "auth", "hello", "quit", "reset", "info", "command", "dbsize",
                    ]
                    .iter()
                    .any(|n| l.starts_with(&format!("cmdstat_{n}:")))
            })
            .collect()
    };
    assert_eq!(calls(&before), calls(&admin.q("INFO commandstats")));
}

#[test]
fn acl_variable_key_flags() {
    run_transcript(TRANSCRIPT, "acl_variable_key_flags");
}

/// SORT's BY (with a pattern) and GET reach keys the request does not name:
/// refused unless a selector reads every key, in 7.0's words.
#[test]
fn acl_sort_patterns() {
    run_transcript(TRANSCRIPT, "acl_sort_patterns");
}

/// As redis-server 7.0.15 does (its suite's "Subscribers are killed when
/// revoked of channel permission", the SSUBSCRIBE case): a client of a user
/// whose rules stop allowing one of its shard channels is disconnected, one
/// still allowed them stays.
#[test]
fn shard_subscribers_are_killed_when_revoked() {
    let srv = super::support::start_server();
    let mut admin = srv.connect();
    admin.q("acl setuser psuser on nopass resetchannels &foo:1 &bar:1 +@all");
    let (mut doomed, mut kept) = (srv.connect(), srv.connect());
    assert_eq!(doomed.q("auth psuser x"), "+OK\r\n");
    assert_eq!(kept.q("auth psuser x"), "+OK\r\n");
    assert_eq!(
        doomed.q("ssubscribe foo:1"),
        "*3\r\n$10\r\nssubscribe\r\n$5\r\nfoo:1\r\n:1\r\n"
    );
    assert_eq!(
        kept.q("ssubscribe bar:1"),
        "*3\r\n$10\r\nssubscribe\r\n$5\r\nbar:1\r\n:1\r\n"
    );
    assert_eq!(
        admin.q("acl setuser psuser resetchannels &bar:1"),
        "+OK\r\n"
    );
    assert!(doomed.is_closed());
    assert!(!kept.is_closed());
}
