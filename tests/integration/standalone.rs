//! What a standalone server answers to the cluster and module commands, and
//! 7.0's shard channels (SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH, PUBSUB SHARD*):
//! replies compared byte for byte with what redis-server 7.0.15 answered to
//! the same requests (recorded in `tests/transcripts/standalone.txt`), and
//! shard messages delivered between connections.
use super::support::start_server;
use super::transcript::run_transcript;

const TRANSCRIPT: &str = include_str!("../transcripts/standalone.txt");

#[test]
fn cluster_and_module_commands_match_redis() {
    run_transcript(TRANSCRIPT, "cluster_and_module_commands_match_redis");
}

#[test]
fn shard_pubsub_replies_match_redis() {
    run_transcript(TRANSCRIPT, "shard_pubsub_replies_match_redis");
}

/// As redis-server 7.0.15 delivers them: SPUBLISH reaches shard subscribers
/// only (as `smessage`, a push in RESP3), PUBLISH does not reach them, and
/// CLIENT LIST counts shard subscriptions in `ssub=`.
#[test]
fn shard_messages_reach_shard_subscribers_only() {
    let srv = start_server();
    let (mut sub, mut sub3, mut p) = (srv.connect(), srv.connect(), srv.connect());
    assert_eq!(
        sub.q("ssubscribe a b"),
        "*3\r\n$10\r\nssubscribe\r\n$1\r\na\r\n:1\r\n"
    );
    assert_eq!(
        sub.read_reply(),
        b"*3\r\n$10\r\nssubscribe\r\n$1\r\nb\r\n:2\r\n"
    );
    assert_eq!(
        sub.q("subscribe x"),
        "*3\r\n$9\r\nsubscribe\r\n$1\r\nx\r\n:1\r\n"
    );
    sub3.q("hello 3");
    assert_eq!(
        sub3.q("ssubscribe a"),
        ">3\r\n$10\r\nssubscribe\r\n$1\r\na\r\n:1\r\n"
    );
    assert_eq!(p.q("spublish a hello"), ":2\r\n");
    assert_eq!(
        sub.read_reply(),
        b"*3\r\n$8\r\nsmessage\r\n$1\r\na\r\n$5\r\nhello\r\n"
    );
    assert_eq!(
        sub3.read_reply(),
        b">3\r\n$8\r\nsmessage\r\n$1\r\na\r\n$5\r\nhello\r\n"
    );
    assert_eq!(p.q("publish a plain"), ":0\r\n");
    assert_eq!(p.q("spublish x shard"), ":0\r\n");
    assert_eq!(
        p.q("pubsub shardnumsub a b x"),
        "*6\r\n$1\r\na\r\n:2\r\n$1\r\nb\r\n:1\r\n$1\r\nx\r\n:0\r\n"
    );
    assert_eq!(p.q("pubsub shardchannels a*"), "*1\r\n$1\r\na\r\n");
    let list = p.q("client list");
    assert!(list.contains("flags=P db=0 sub=1 psub=0 ssub=2 "), "{list}");
    // Dropping the shard subscriptions leaves the plain one: still subscribed.
    assert_eq!(
        sub.q("sunsubscribe"),
        "*3\r\n$12\r\nsunsubscribe\r\n$1\r\na\r\n:1\r\n"
    );
    assert_eq!(
        sub.read_reply(),
        b"*3\r\n$12\r\nsunsubscribe\r\n$1\r\nb\r\n:0\r\n"
    );
    assert_eq!(sub.q("ping"), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    drop(sub3);
    // A closed subscriber is forgotten.
    let t = std::time::Instant::now();
    while p.q("pubsub shardnumsub a") != "*2\r\n$1\r\na\r\n:0\r\n" {
        assert!(t.elapsed() < std::time::Duration::from_secs(5));
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn lolwut_matches_redis() {
    run_transcript(TRANSCRIPT, "lolwut_matches_redis");
}

/// The drawings are random, so only their shape is compared with what
/// redis-server 7.0.15 draws: `LOLWUT VERSION 5 4 2 2` is two lines of four
/// Braille characters, and in RESP3 the reply is a verbatim `txt` string.
#[test]
fn lolwut_drawings_have_redis_shape() {
    let srv = start_server();
    let mut c = srv.connect();
    let r = c.cmd(&[b"lolwut", b"version", b"5", b"4", b"2", b"2"]);
    let text = String::from_utf8(r).expect("utf-8");
    let (head, body) = text.split_once("\r\n").expect("a bulk");
    assert_eq!(head, format!("${}", body.len() - 2));
    let lines: Vec<usize> = body.split('\n').map(|l| l.chars().count()).collect();
    assert_eq!(lines[..3], [4, 4, 0]);
    assert!(
        body.ends_with("\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. 7.0.15\n\r\n")
    );
    c.q("hello 3");
    assert_eq!(c.q("lolwut"), "=22\r\ntxt:Redis ver. 7.0.15\n\r\n");
    let sky = c.q("lolwut version 6 3 2");
    let (head, body) = sky.split_once("\r\n").expect("a verbatim string");
    assert_eq!(head, format!("={}", body.len() - 2));
    assert!(body.starts_with("txt:\x1b[0;"), "{sky}");
    // Three pixels per row, two rows, then the dedication.
    assert_eq!(body.matches("\x1b[0m").count(), 6);
    assert_eq!(
        body.split('\n')
            .next()
            .map(|l| l.matches("\x1b[0m").count()),
        Some(3)
    );
    assert!(body.ends_with("by hikikomori. Redis ver. 7.0.15\n\r\n"));
}
