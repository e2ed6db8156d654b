//! A RESP3 session of every command family, byte for byte: the connection opens
//! with HELLO 3 and every reply in `tests/transcripts/resp3.txt` was recorded from redis-server 7.0.15
//! (started with `--enable-debug-command yes`) answering the same requests on
//! one connection after FLUSHALL, FUNCTION FLUSH and SCRIPT FLUSH: maps, sets,
//! doubles, nulls, booleans, verbatim strings, big numbers and push frames as
//! 7.0 writes them, blocking timeouts, transactions, scripts converting both
//! ways, CONFIG, COMMAND, CLIENT and DEBUG PROTOCOL.
use crate::support::start_server_with;
use crate::transcript::{load, replay};

const TRANSCRIPT: &str = include_str!("../transcripts/resp3.txt");

#[test]
fn every_family_answers_in_resp3_as_redis_does() {
    let srv = start_server_with(&["--enable-debug-command", "yes"]);
    let mut c = srv.connect();
    let hello = c.q("hello 3");
    assert!(hello.starts_with("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n"));
    let name = "every_family_answers_in_resp3_as_redis_does";
    replay(&mut c, &load(TRANSCRIPT, name), name);
}
