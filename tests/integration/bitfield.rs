//! BITFIELD and BITFIELD_RO over TCP: replies compared byte for byte with what
//! redis-server 7.0.15 answered to the same requests (recorded below), and the
//! keyspace events it fired.
use super::support::{event_listener, expect_events, start_server};
use super::transcript::run_transcript;

const TRANSCRIPT: &str = include_str!("../transcripts/bitfield.txt");

#[test]
fn replies_match_redis() {
    run_transcript(TRANSCRIPT, "bitfield_replies_match_redis");
}

#[test]
fn a_setbit_event_only_when_something_changed() {
    let srv = start_server();
    let (mut c, mut s) = event_listener(&srv);
    for line in [
        "BITFIELD b GET u8 0",
        "BITFIELD b SET u8 0 0",
        "BITFIELD b SET u8 0 0",
        "BITFIELD b SET u8 0 1",
        "BITFIELD b OVERFLOW FAIL SET u8 0 300",
        "BITFIELD b OVERFLOW FAIL SET u8 16 300",
        "BITFIELD b INCRBY u8 0 0",
        "SET marker x",
    ] {
        c.q(line);
    }
    // Recorded from redis-server 7.0.15: the creating SET and the change to 1;
    // a refused write that grew the string fires nothing.
    expect_events(
        &mut s,
        &[("setbit", "b"), ("setbit", "b"), ("set", "marker")],
    );
}
