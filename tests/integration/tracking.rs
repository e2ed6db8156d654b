//! Client-side caching (CLIENT TRACKING) and pub/sub in RESP3, over TCP. Every
//! expected reply was recorded from redis-server 7.0.15 running the same
//! sequence (client ids aside).
use crate::support::start_server;

/// One push, as the bytes of a frame.
fn invalidate(key: &str) -> String {
    format!(
        ">2\r\n$10\r\ninvalidate\r\n*1\r\n${}\r\n{key}\r\n",
        key.len()
    )
}

#[test]
fn invalidations_as_push_redirected_and_on_flush() {
    let srv = start_server();
    let (mut a, mut b, mut r) = (srv.connect(), srv.connect(), srv.connect());
    assert!(a.q("hello 3").starts_with("%7\r\n"));
    let rid = r.q("client id");
    let rid = rid.trim_start_matches(':').trim_end();
    assert_eq!(
        r.q("subscribe __redis__:invalidate"),
        "*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n"
    );
    assert_eq!(a.q("client tracking on"), "+OK\r\n");
    assert_eq!(b.q("set k1 v"), "+OK\r\n");
    assert_eq!(a.q("get k1"), "$1\r\nv\r\n");
    assert_eq!(b.q("set k1 w"), "+OK\r\n");
    // Another client's write reaches the idle tracking client at once.
    assert_eq!(String::from_utf8_lossy(&a.read_reply()), invalidate("k1"));
    assert_eq!(
        a.q("client trackinginfo"),
        "%3\r\n$5\r\nflags\r\n~1\r\n$2\r\non\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n"
    );
    assert_eq!(a.q("client getredir"), ":0\r\n");

    // A write by the tracking client itself: the reply, then the invalidation.
    assert_eq!(a.q("hset h f 1"), ":1\r\n");
    assert_eq!(a.q("hget h f"), "$1\r\n1\r\n");
    assert_eq!(a.q("hdel h f"), ":1\r\n");
    assert_eq!(String::from_utf8_lossy(&a.read_reply()), invalidate("h"));
    // ... and after a whole transaction's reply.
    assert_eq!(a.q("mset x 1 y 2"), "+OK\r\n");
    assert_eq!(a.q("get x"), "$1\r\n1\r\n");
    assert_eq!(a.q("multi"), "+OK\r\n");
    assert_eq!(a.q("incr x"), "+QUEUED\r\n");
    assert_eq!(a.q("get y"), "+QUEUED\r\n");
    assert_eq!(a.q("exec"), "*2\r\n:2\r\n$1\r\n2\r\n");
    assert_eq!(String::from_utf8_lossy(&a.read_reply()), invalidate("x"));

    // Redirected to a RESP2 subscriber: a message on __redis__:invalidate.
    assert_eq!(
        a.q(&format!("client tracking on redirect {rid}")),
        "+OK\r\n"
    );
    assert_eq!(a.q("get k1"), "$1\r\nw\r\n");
    assert_eq!(b.q("set k1 z"), "+OK\r\n");
    assert_eq!(
        String::from_utf8_lossy(&r.read_reply()),
        "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$2\r\nk1\r\n"
    );
    assert_eq!(
        a.q("client trackinginfo"),
        format!(
            "%3\r\n$5\r\nflags\r\n~1\r\n$2\r\non\r\n$8\r\nredirect\r\n:{rid}\r\n$8\r\nprefixes\r\n*0\r\n"
        )
    );

    // FLUSHALL by another client, FLUSHDB by the client itself: a null.
    assert_eq!(a.q("client tracking off"), "+OK\r\n");
    assert_eq!(a.q("client tracking on"), "+OK\r\n");
    assert_eq!(a.q("get k1"), "$1\r\nz\r\n");
    assert_eq!(b.q("flushall"), "+OK\r\n");
    assert_eq!(
        String::from_utf8_lossy(&a.read_reply()),
        ">2\r\n$10\r\ninvalidate\r\n_\r\n"
    );
    assert_eq!(a.q("flushdb"), "+OK\r\n");
    assert_eq!(
        String::from_utf8_lossy(&a.read_reply()),
        ">2\r\n$10\r\ninvalidate\r\n_\r\n"
    );
}

#[test]
fn broadcast_mode_prefixes_noloop_and_errors() {
    let srv = start_server();
    let (mut a, mut b) = (srv.connect(), srv.connect());
    assert!(a.q("hello 3").starts_with("%7\r\n"));
    assert_eq!(
        a.q("client tracking on bcast prefix p: prefix q: noloop"),
        "+OK\r\n"
    );
    assert_eq!(
        a.q("client trackinginfo"),
        "%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$5\r\nbcast\r\n$6\r\nnoloop\r\n$8\r\nredirect\r\n:0\r\n\
         $8\r\nprefixes\r\n*2\r\n$2\r\np:\r\n$2\r\nq:\r\n"
    );
    assert_eq!(b.q("mset p:2 1 p:1 1 q:1 2 r:1 3"), "+OK\r\n");
    // One message per prefix, its keys in order.
    assert_eq!(
        String::from_utf8_lossy(&a.read_reply()),
        ">2\r\n$10\r\ninvalidate\r\n*2\r\n$3\r\np:1\r\n$3\r\np:2\r\n"
    );
    assert_eq!(String::from_utf8_lossy(&a.read_reply()), invalidate("q:1"));
    // NOLOOP: not told of its own change.
    assert_eq!(a.q("set p:3 1"), "+OK\r\n");
    assert_eq!(b.q("set p:4 1"), "+OK\r\n");
    assert_eq!(String::from_utf8_lossy(&a.read_reply()), invalidate("p:4"));

    for (cmd, reply) in [
        (
            "client tracking on prefix p",
            "-ERR PREFIX option requires BCAST mode to be enabled\r\n",
        ),
        (
            "client tracking on bcast prefix p:x",
            "-ERR Prefix 'p:x' overlaps with an existing prefix 'p:'. Prefixes for a single client \
             must not overlap.\r\n",
        ),
        (
            "client tracking on optin",
            "-ERR You can't switch BCAST mode on/off before disabling tracking for this client, and \
             then re-enabling it with a different mode.\r\n",
        ),
        ("client tracking off", "+OK\r\n"),
        (
            "client caching yes",
            "-ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or \
             OPTOUT mode enabled\r\n",
        ),
        (
            "client tracking on optin optout",
            "-ERR You can't specify both OPTIN mode and OPTOUT mode\r\n",
        ),
        (
            "client tracking on redirect 999999",
            "-ERR The client ID you want redirect to does not exist\r\n",
        ),
        ("client tracking maybe", "-ERR syntax error\r\n"),
        ("client tracking on optout", "+OK\r\n"),
        (
            "client caching yes",
            "-ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.\r\n",
        ),
        ("client caching no", "+OK\r\n"),
        (
            "client trackinginfo",
            "%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$6\r\noptout\r\n$10\r\ncaching-no\r\n$8\r\nredirect\r\n\
             :0\r\n$8\r\nprefixes\r\n*0\r\n",
        ),
        ("client tracking off", "+OK\r\n"),
        (
            "client trackinginfo",
            "%3\r\n$5\r\nflags\r\n~1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n",
        ),
        ("client getredir", ":-1\r\n"),
    ] {
        assert_eq!(a.q(cmd), reply, "{cmd}");
    }
}

#[test]
fn a_subscribed_resp3_client_runs_commands_between_messages() {
    let srv = start_server();
    let (mut a, mut b) = (srv.connect(), srv.connect());
    assert!(a.q("hello 3").starts_with("%7\r\n"));
    assert_eq!(
        a.q("subscribe ch"),
        ">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n"
    );
    assert_eq!(a.q("set s 1"), "+OK\r\n");
    assert_eq!(a.q("get s"), "$1\r\n1\r\n");
    assert_eq!(b.q("publish ch hello"), ":1\r\n");
    assert_eq!(
        String::from_utf8_lossy(&a.read_reply()),
        ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nhello\r\n"
    );
    assert_eq!(a.q("ping"), "+PONG\r\n");
    assert_eq!(
        a.q("psubscribe c*"),
        ">3\r\n$10\r\npsubscribe\r\n$2\r\nc*\r\n:2\r\n"
    );
    assert_eq!(b.q("publish ch two"), ":2\r\n");
    assert_eq!(
        String::from_utf8_lossy(&a.read_reply()),
        ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$3\r\ntwo\r\n"
    );
    assert_eq!(
        String::from_utf8_lossy(&a.read_reply()),
        ">4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nch\r\n$3\r\ntwo\r\n"
    );
    assert_eq!(
        a.q("unsubscribe"),
        ">3\r\n$11\r\nunsubscribe\r\n$2\r\nch\r\n:1\r\n"
    );
    assert_eq!(
        a.q("punsubscribe"),
        ">3\r\n$12\r\npunsubscribe\r\n$2\r\nc*\r\n:0\r\n"
    );
    assert_eq!(
        a.q("unsubscribe"),
        ">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n"
    );
}

/// A key evicted to make room for a command is invalidated *before* that
/// command's reply, as redis-server 7.0.15 orders them (it evicts, then runs
/// the command).
#[test]
fn eviction_invalidation_comes_before_the_reply() {
    let srv = start_server();
    let mut c = srv.connect();
    c.q("hello 3");
    assert_eq!(c.q("client tracking on"), "+OK\r\n");
    let info = c.q("info memory");
    let used: u64 = info
        .lines()
        .find_map(|l| l.strip_prefix("used_memory:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    assert!(used > 0);
    c.q(&format!("config set maxmemory {}", used + 100 * 1024));
    c.q("config set maxmemory-policy volatile-random");
    assert_eq!(c.q("setex volatile-key 10000 x"), "+OK\r\n");
    assert_eq!(c.q("get volatile-key"), "$1\r\nx\r\n");
    // 200 KB: past the limit, so the next command evicts the volatile key.
    assert_eq!(c.q("setbit big-key 1600000 0"), ":0\r\n");
    assert_eq!(c.q("getbit big-key 0"), invalidate("volatile-key"));
    assert_eq!(c.read_reply(), b":0\r\n");
    c.q("config set maxmemory 0");
}
