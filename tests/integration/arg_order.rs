//! The order in which commands check the key, its type and their other
//! arguments: each command with a bad number argument against a missing key
//! and against a key of every type. Replies recorded from redis-server 7.0.15
//! (a missing key often answers empty before the argument is read).

/// The recorded sessions of this file (see `transcript.rs` for the format).
const TRANSCRIPT: &str = include_str!("../transcripts/arg_order.txt");

use super::transcript::run_transcript;
#[test]
fn argument_checks_come_in_redis_order() {
    run_transcript(TRANSCRIPT, "argument_checks_come_in_redis_order");
}
