//! Stream commands over TCP: replies compared byte for byte with what
//! redis-server 7.0.15 answered to the same requests (recorded below), and the
//! keyspace events it fired. Blocking reads are in `stream_blocking.rs`, the
//! model tests and the live comparison in `stream_model.rs`.
use super::support::{event_listener, expect_events, start_server};
use super::transcript::run_transcript;

const TRANSCRIPT: &str = include_str!("../transcripts/stream.txt");

#[test]
fn replies_match_redis_basics() {
    run_transcript(TRANSCRIPT, "stream_basics");
}

#[test]
fn replies_match_redis_groups() {
    run_transcript(TRANSCRIPT, "stream_groups");
}

#[test]
fn events_as_redis_fires_them() {
    let srv = start_server();
    let (mut c, mut s) = event_listener(&srv);
    for line in include_str!("../data/stream-events.txt").lines() {
        c.q(line);
    }
    // Recorded from redis-server 7.0.15.
    expect_events(
        &mut s,
        &[
            ("xadd", "s"),
            ("xadd", "s"),
            ("xtrim", "s"),
            ("xadd", "s"),
            ("xadd", "s"),
            ("xdel", "s"),
            ("xtrim", "s"),
            ("xsetid", "s"),
            ("xgroup-create", "s"),
            ("xgroup-create", "s2"),
            ("xgroup-setid", "s"),
            ("xgroup-createconsumer", "s"),
            ("xadd", "s"),
            ("xgroup-createconsumer", "s"),
            ("xadd", "s"),
            ("xgroup-createconsumer", "s"),
            ("xgroup-createconsumer", "s"),
            ("xgroup-delconsumer", "s"),
            ("xgroup-destroy", "s"),
            ("xadd", "s2"),
            ("del", "s2"),
            ("set", "marker"),
        ],
    );
}
